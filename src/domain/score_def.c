/* score_def.c - scorecard definitions (parse and check), the arithmetic of one
 * subject's score, and period keys (score.h). Pure: no database. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/parse.h"
#include "domain/score.h"

#define NUM_MAX 10000.0

/* ---- inputs ---- */

static const char *const COMMON_INPUTS[] = {
    "eval_active",
    "eval_good",
    "eval_bad",
    "eval_unrated",
    "eval_defaulted",
    "satisfaction",
    "bad_rectified_rate",
    "case_done",
    "case_ontime",
    "case_late",
    "case_overdue",
    "case_returned",
    "ontime_rate",
    "served",
    "noshow",
    "svc_timeout",
    "noshow_rate",
    "commit_due",
    "commit_fulfilled",
    "commit_missed",
    "commit_rate",
    "review",
};

static int code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int score_input_known(const char *input, const char *subject)
{
    for (size_t i = 0; i < sizeof(COMMON_INPUTS) / sizeof(COMMON_INPUTS[0]); i++)
        if (strcmp(input, COMMON_INPUTS[i]) == 0)
            return 1;
    if (strncmp(input, "event:", 6) == 0)
        return code_ok(input + 6);
    if (strncmp(input, "review:", 7) == 0)
        return code_ok(input + 7);
    if (strcmp(input, "staff_avg") == 0)
        return strcmp(subject, "window") == 0;
    if (strcmp(input, "chief_loss") == 0)
        return strcmp(subject, "staff") == 0;
    return 0;
}

double score_input(const struct score_inputs *in, const char *name, double missing, int *found)
{
    for (int i = 0; i < in->n; i++)
        if (strcmp(in->v[i].name, name) == 0) {
            if (found)
                *found = 1;
            return in->v[i].value;
        }
    if (found)
        *found = 0;
    return missing;
}

void score_input_set(struct score_inputs *in, const char *name, double value)
{
    for (int i = 0; i < in->n; i++)
        if (strcmp(in->v[i].name, name) == 0) {
            in->v[i].value = value;
            return;
        }
    if (in->n >= SCORE_INPUTS_MAX)
        return;
    snprintf(in->v[in->n].name, sizeof(in->v[in->n].name), "%s", name);
    in->v[in->n].value = value;
    in->n++;
}

/* ---- parsing ---- */

static int num_field(json_t *obj, const char *key, double def, double lo, double hi,
                     const char *path, double *out, struct err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_number(v))
        return err_set(e, ERR_INVALID, path, "must be a number");
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return err_set(e, ERR_INVALID, path, "must be between %g and %g", lo, hi);
    *out = x;
    return 0;
}

static int text_field(json_t *obj, const char *key, int required, size_t max, const char *path,
                      char *out, size_t outlen, struct err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            return err_set(e, ERR_INVALID, path, "is required");
        out[0] = 0;
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s || parse_text(s, 1, max, 0) < 0 || strlen(s) >= outlen)
        return err_set(e, ERR_INVALID, path, "must be text of 1-%zu characters", max);
    snprintf(out, outlen, "%s", s);
    return 0;
}

/* Refuses keys other than those listed (a misspelt key would silently do
 * nothing). */
static int only_keys(json_t *obj, const char *const *keys, const char *path, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        int ok = 0;
        for (size_t i = 0; keys[i]; i++)
            if (strcmp(k, keys[i]) == 0)
                ok = 1;
        if (!ok) {
            char f[64];
            snprintf(f, sizeof(f), "%s%s%s", path, path[0] ? "." : "", k);
            return err_set(e, ERR_INVALID, f, "is not a known field");
        }
    }
    return 0;
}

static int parse_rule(json_t *r, const char *subject, const char *path, struct score_rule *out,
                      struct err *e)
{
    static const char *const keys[] = {"input", "per", NULL};
    char f[96];
    if (!json_is_object(r))
        return err_set(e, ERR_INVALID, path, "must be an object");
    if (only_keys(r, keys, path, e) < 0)
        return e->code;
    snprintf(f, sizeof(f), "%s.input", path);
    if (text_field(r, "input", 1, SCORE_CODE_MAX - 1, f, out->input, sizeof(out->input), e) < 0)
        return e->code;
    if (!score_input_known(out->input, subject))
        return err_set(e, ERR_INVALID, f, "unknown input '%s' for a %s card", out->input, subject);
    snprintf(f, sizeof(f), "%s.per", path);
    if (!json_object_get(r, "per"))
        return err_set(e, ERR_INVALID, f, "is required");
    if (num_field(r, "per", 0, -NUM_MAX, NUM_MAX, f, &out->per, e) < 0)
        return e->code;
    return 0;
}

static int parse_item(json_t *it, int idx, const struct score_def *def, const char *subject,
                      struct score_item *out, struct err *e)
{
    static const char *const keys[] = {"code", "name", "points", "weight", "bonus", "input",
                                       "zero", "full", "empty",  "veto",   "rules", NULL};
    char p[32], f[64];
    snprintf(p, sizeof(p), "items[%d]", idx);
    if (!json_is_object(it))
        return err_set(e, ERR_INVALID, p, "must be an object");
    if (only_keys(it, keys, p, e) < 0)
        return e->code;
    snprintf(f, sizeof(f), "%s.code", p);
    if (text_field(it, "code", 1, 32, f, out->code, sizeof(out->code), e) < 0)
        return e->code;
    if (!code_ok(out->code))
        return err_set(e, ERR_INVALID, f, "must be 1-32 of a-z, 0-9 and _");
    snprintf(f, sizeof(f), "%s.name", p);
    if (text_field(it, "name", 1, SCORE_NAME_MAX, f, out->name, sizeof(out->name), e) < 0)
        return e->code;
    if (def->weighted) {
        snprintf(f, sizeof(f), "%s.weight", p);
        if (json_object_get(it, "points"))
            return err_set(e, ERR_INVALID, f, "a weighted card gives weights, not points");
        if (!json_object_get(it, "weight"))
            return err_set(e, ERR_INVALID, f, "is required on a weighted card");
        if (num_field(it, "weight", 0, 0, 100, f, &out->weight, e) < 0)
            return e->code;
        out->points = out->weight * def->base / 100.0;
    } else {
        snprintf(f, sizeof(f), "%s.points", p);
        if (json_object_get(it, "weight"))
            return err_set(e, ERR_INVALID, f, "weights need \"weighted\": true");
        if (!json_object_get(it, "points"))
            return err_set(e, ERR_INVALID, f, "is required");
        if (num_field(it, "points", 0, 0, NUM_MAX, f, &out->points, e) < 0)
            return e->code;
    }
    snprintf(f, sizeof(f), "%s.bonus", p);
    if (num_field(it, "bonus", 0, 0, NUM_MAX, f, &out->bonus, e) < 0)
        return e->code;
    snprintf(f, sizeof(f), "%s.input", p);
    if (text_field(it, "input", 0, SCORE_CODE_MAX - 1, f, out->input, sizeof(out->input), e) < 0)
        return e->code;
    out->empty_full = 1;
    if (out->input[0]) {
        if (!score_input_known(out->input, subject))
            return err_set(e, ERR_INVALID, f, "unknown input '%s' for a %s card", out->input,
                           subject);
        snprintf(f, sizeof(f), "%s.zero", p);
        if (num_field(it, "zero", 0, -NUM_MAX, NUM_MAX, f, &out->zero, e) < 0)
            return e->code;
        snprintf(f, sizeof(f), "%s.full", p);
        if (!json_object_get(it, "full"))
            return err_set(e, ERR_INVALID, f, "a scaled input needs the value worth full points");
        if (num_field(it, "full", 0, -NUM_MAX, NUM_MAX, f, &out->full, e) < 0)
            return e->code;
        if (out->full == out->zero)
            return err_set(e, ERR_INVALID, f, "must differ from zero");
        json_t *em = json_object_get(it, "empty");
        if (em) {
            const char *s = json_string_value(em);
            snprintf(f, sizeof(f), "%s.empty", p);
            if (s && strcmp(s, "full") == 0)
                out->empty_full = 1;
            else if (s && strcmp(s, "zero") == 0)
                out->empty_full = 0;
            else
                return err_set(e, ERR_INVALID, f, "must be \"full\" or \"zero\"");
        }
    } else {
        for (const char *const *k = (const char *const[]){"zero", "full", "empty", NULL}; *k; k++)
            if (json_object_get(it, *k)) {
                snprintf(f, sizeof(f), "%s.%s", p, *k);
                return err_set(e, ERR_INVALID, f, "only a scaled input (\"input\") takes it");
            }
    }
    json_t *veto = json_object_get(it, "veto");
    if (veto) {
        const char *s = json_string_value(veto);
        snprintf(f, sizeof(f), "%s.veto", p);
        if (s && strcmp(s, "period") == 0)
            out->veto = SCORE_VETO_PERIOD;
        else if (s && strcmp(s, "year") == 0)
            out->veto = SCORE_VETO_YEAR;
        else if (s && s[0] == 0)
            out->veto = 0;
        else
            return err_set(e, ERR_INVALID, f, "must be \"period\", \"year\" or \"\"");
    }
    json_t *rules = json_object_get(it, "rules");
    if (rules) {
        snprintf(f, sizeof(f), "%s.rules", p);
        if (!json_is_array(rules) || json_array_size(rules) > SCORE_RULES_MAX)
            return err_set(e, ERR_INVALID, f, "must be a list of at most %d rules",
                           SCORE_RULES_MAX);
        size_t i;
        json_t *r;
        json_array_foreach(rules, i, r)
        {
            snprintf(f, sizeof(f), "%s.rules[%zu]", p, i);
            if (parse_rule(r, subject, f, &out->rule[i], e) < 0)
                return e->code;
            out->nrules = (int)i + 1;
        }
    }
    /* the year to date is kept for the monthly figures and events only */
    for (int r = 0; out->veto == SCORE_VETO_YEAR && r < out->nrules; r++) {
        const char *in = out->rule[r].input;
        if (strncmp(in, "commit_", 7) == 0 || strncmp(in, "review", 6) == 0 ||
            strcmp(in, "chief_loss") == 0) {
            snprintf(f, sizeof(f), "%s.rules[%d].input", p, r);
            return err_set(e, ERR_INVALID, f,
                           "a year veto counts evaluations, cases, queue figures and events, "
                           "not '%s'",
                           in);
        }
    }
    if (out->veto && out->nrules == 0) {
        snprintf(f, sizeof(f), "%s.veto", p);
        return err_set(e, ERR_INVALID, f, "a veto item needs rules whose counts it checks");
    }
    return 0;
}

static int parse_events(json_t *ev, struct score_def *def, struct err *e)
{
    if (!ev)
        return 0;
    if (!json_is_array(ev) || json_array_size(ev) > SCORE_EVENTS_MAX)
        return err_set(e, ERR_INVALID, "events", "must be a list of at most %d event types",
                       SCORE_EVENTS_MAX);
    static const char *const keys[] = {"code", "name", NULL};
    size_t i;
    json_t *x;
    char f[64];
    json_array_foreach(ev, i, x)
    {
        snprintf(f, sizeof(f), "events[%zu]", i);
        if (!json_is_object(x))
            return err_set(e, ERR_INVALID, f, "must be an object");
        if (only_keys(x, keys, f, e) < 0)
            return e->code;
        struct score_event_type *t = &def->event[i];
        snprintf(f, sizeof(f), "events[%zu].code", i);
        if (text_field(x, "code", 1, 32, f, t->code, sizeof(t->code), e) < 0)
            return e->code;
        if (!code_ok(t->code))
            return err_set(e, ERR_INVALID, f, "must be 1-32 of a-z, 0-9 and _");
        for (size_t j = 0; j < i; j++)
            if (strcmp(def->event[j].code, t->code) == 0)
                return err_set(e, ERR_INVALID, f, "'%s' is listed twice", t->code);
        snprintf(f, sizeof(f), "events[%zu].name", i);
        if (text_field(x, "name", 1, SCORE_NAME_MAX, f, t->name, sizeof(t->name), e) < 0)
            return e->code;
        def->nevents = (int)i + 1;
    }
    return 0;
}

static int event_declared(const struct score_def *def, const char *code)
{
    for (int i = 0; i < def->nevents; i++)
        if (strcmp(def->event[i].code, code) == 0)
            return 1;
    return 0;
}

static int parse_group(json_t *obj, const char *path, char *out, size_t outlen, struct err *e)
{
    json_t *g = json_object_get(obj, "group");
    const char *s = g ? json_string_value(g) : "all";
    if (!s || (strcmp(s, "all") != 0 && strcmp(s, "hall") != 0 && strcmp(s, "unit") != 0))
        return err_set(e, ERR_INVALID, path, "must be \"all\", \"hall\" or \"unit\"");
    snprintf(out, outlen, "%s", s);
    return 0;
}

static int parse_awards(json_t *root, const char *subject, struct score_def *def, struct err *e)
{
    json_t *rf = json_object_get(root, "red_flag");
    snprintf(def->flag_group, sizeof(def->flag_group), "all");
    if (rf) {
        static const char *const keys[] = {"month", "quarter", "year", "group", NULL};
        if (strcmp(subject, "window") != 0)
            return err_set(e, ERR_INVALID, "red_flag", "the red flag is awarded to windows");
        if (!json_is_object(rf))
            return err_set(e, ERR_INVALID, "red_flag", "must be an object");
        if (only_keys(rf, keys, "red_flag", e) < 0)
            return e->code;
        double m, q, y;
        if (num_field(rf, "month", 0, 0, 100, "red_flag.month", &m, e) < 0 ||
            num_field(rf, "quarter", 0, 0, 100, "red_flag.quarter", &q, e) < 0 ||
            num_field(rf, "year", 0, 0, 100, "red_flag.year", &y, e) < 0)
            return e->code;
        if (m != floor(m) || q != floor(q) || y != floor(y))
            return err_set(e, ERR_INVALID, "red_flag", "counts must be whole numbers");
        def->flags_month = (int)m;
        def->flags_quarter = (int)q;
        def->flags_year = (int)y;
        if (parse_group(rf, "red_flag.group", def->flag_group, sizeof(def->flag_group), e) < 0)
            return e->code;
    }
    json_t *su = json_object_get(root, "summons");
    snprintf(def->summon_group, sizeof(def->summon_group), "all");
    def->summon_bottom = 1;
    def->summon_streak = 2;
    if (su) {
        static const char *const keys[] = {"group", "bottom", "streak", NULL};
        if (!json_is_object(su))
            return err_set(e, ERR_INVALID, "summons", "must be an object");
        if (only_keys(su, keys, "summons", e) < 0)
            return e->code;
        double b, s;
        if (num_field(su, "bottom", 1, 1, 1000, "summons.bottom", &b, e) < 0 ||
            num_field(su, "streak", 2, 1, 24, "summons.streak", &s, e) < 0)
            return e->code;
        if (b != floor(b) || s != floor(s))
            return err_set(e, ERR_INVALID, "summons", "counts must be whole numbers");
        def->summon_bottom = (int)b;
        def->summon_streak = (int)s;
        if (parse_group(su, "summons.group", def->summon_group, sizeof(def->summon_group), e) < 0)
            return e->code;
    }
    return 0;
}

static int parse_stars(json_t *root, struct score_def *def, struct err *e)
{
    for (int i = 0; i < SCORE_STARS_MAX; i++)
        def->stars[i] = INFINITY;
    json_t *st = json_object_get(root, "stars");
    if (!st)
        return 0;
    if (!json_is_array(st) || json_array_size(st) > SCORE_STARS_MAX)
        return err_set(e, ERR_INVALID, "stars",
                       "must list up to 4 minimum scores, for 5, 4, 3 and 2 stars");
    size_t i;
    json_t *x;
    json_array_foreach(st, i, x)
    {
        char f[32];
        snprintf(f, sizeof(f), "stars[%zu]", i);
        if (!json_is_number(x) || !isfinite(json_number_value(x)) ||
            fabs(json_number_value(x)) > NUM_MAX)
            return err_set(e, ERR_INVALID, f, "must be a number");
        def->stars[i] = json_number_value(x);
        if (i > 0 && def->stars[i] >= def->stars[i - 1])
            return err_set(e, ERR_INVALID, "stars", "thresholds must fall: 5 stars first");
    }
    return 0;
}

int score_def_parse(const char *json, const char *subject, struct score_def *def, struct err *e)
{
    static const char *const keys[] = {"weighted", "base",  "cap",      "floor",   "items",
                                       "events",   "stars", "red_flag", "summons", NULL};
    memset(def, 0, sizeof(*def));
    if (strcmp(subject, "window") != 0 && strcmp(subject, "staff") != 0)
        return err_set(e, ERR_INVALID, "subject", "must be \"window\" or \"staff\"");
    if (!json || strlen(json) > SCORE_DEF_MAX)
        return err_set(e, ERR_INVALID, "def", "must be a JSON object of at most %d bytes",
                       SCORE_DEF_MAX);
    json_error_t je;
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return err_set(e, ERR_INVALID, "def", "must be a JSON object");
    }
    int rc = 0;
    if (only_keys(root, keys, "", e) < 0) {
        rc = e->code;
        goto done;
    }
    json_t *w = json_object_get(root, "weighted");
    if (w && !json_is_boolean(w)) {
        rc = err_set(e, ERR_INVALID, "weighted", "must be true or false");
        goto done;
    }
    def->weighted = json_is_true(w);
    if (num_field(root, "base", 100, 0, NUM_MAX, "base", &def->base, e) < 0 ||
        num_field(root, "cap", def->base, 0, NUM_MAX, "cap", &def->cap, e) < 0 ||
        num_field(root, "floor", 0, -NUM_MAX, NUM_MAX, "floor", &def->floor, e) < 0) {
        rc = e->code;
        goto done;
    }
    if (def->cap < def->base) {
        rc = err_set(e, ERR_INVALID, "cap", "must not be below the base");
        goto done;
    }
    if (def->floor > def->base) {
        rc = err_set(e, ERR_INVALID, "floor", "must not be above the base");
        goto done;
    }
    if ((rc = parse_events(json_object_get(root, "events"), def, e)) < 0)
        goto done;
    json_t *items = json_object_get(root, "items");
    if (!json_is_array(items) || json_array_size(items) < 1 ||
        json_array_size(items) > SCORE_ITEMS_MAX) {
        rc = err_set(e, ERR_INVALID, "items", "must list 1-%d items", SCORE_ITEMS_MAX);
        goto done;
    }
    size_t i;
    json_t *it;
    double sum_w = 0, sum_p = 0;
    json_array_foreach(items, i, it)
    {
        struct score_item *x = &def->item[i];
        if ((rc = parse_item(it, (int)i, def, subject, x, e)) < 0)
            goto done;
        for (size_t j = 0; j < i; j++)
            if (strcmp(def->item[j].code, x->code) == 0) {
                char f[48];
                snprintf(f, sizeof(f), "items[%zu].code", i);
                rc = err_set(e, ERR_INVALID, f, "'%s' is used twice", x->code);
                goto done;
            }
        for (int r = 0; r < x->nrules; r++)
            if (strncmp(x->rule[r].input, "event:", 6) == 0 &&
                !event_declared(def, x->rule[r].input + 6)) {
                char f[64];
                snprintf(f, sizeof(f), "items[%zu].rules[%d].input", i, r);
                rc = err_set(e, ERR_INVALID, f, "event type '%s' is not listed in \"events\"",
                             x->rule[r].input + 6);
                goto done;
            }
        sum_w += x->weight;
        sum_p += x->points;
        def->nitems = (int)i + 1;
    }
    if (def->weighted && fabs(sum_w - 100.0) > 1e-6) {
        rc = err_set(e, ERR_INVALID, "weights", "the weights add up to %g, not 100", sum_w);
        goto done;
    }
    if (!def->weighted && sum_p > def->base + 1e-6) {
        rc = err_set(e, ERR_INVALID, "items",
                     "the items' points add up to %g, more than the base %g", sum_p, def->base);
        goto done;
    }
    if ((rc = parse_stars(root, def, e)) < 0 || (rc = parse_awards(root, subject, def, e)) < 0)
        goto done;
done:
    json_decref(root);
    return rc < 0 ? rc : 0;
}

/* ---- the arithmetic ---- */

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

double score_item_start(const struct score_item *it, const struct score_inputs *in, double *x,
                        int *found)
{
    *found = 0;
    *x = 0;
    if (!it->input[0])
        return it->points;
    *x = score_input(in, it->input, 0, found);
    if (!*found)
        return it->empty_full ? it->points : 0;
    return it->points * clamp((*x - it->zero) / (it->full - it->zero), 0, 1);
}

void score_compute(const struct score_def *def, const struct score_inputs *in,
                   struct score_outcome *out)
{
    memset(out, 0, sizeof(*out));
    double total = def->base;
    for (int i = 0; i < def->nitems; i++) {
        const struct score_item *it = &def->item[i];
        double x;
        int found;
        double start = score_item_start(it, in, &x, &found);
        double neg = 0, pos = 0, counts = 0;
        for (int r = 0; r < it->nrules; r++) {
            double c = score_input(in, it->rule[r].input, 0, NULL);
            double amount = c * it->rule[r].per;
            counts += fabs(c);
            if (amount < 0) {
                neg -= amount;
                if (strncmp(it->rule[r].input, "event:", 6) == 0)
                    out->event_loss -= amount;
            } else {
                pos += amount;
            }
        }
        double ded = neg < start ? neg : start;
        double add = pos < it->bonus ? pos : it->bonus;
        out->item_value[i] = start - ded;
        out->item_bonus[i] = add;
        total -= it->points - out->item_value[i];
        total += add;
        int vetoed = (it->veto == SCORE_VETO_PERIOD && counts > 0) ||
                     (it->veto == SCORE_VETO_YEAR && (counts > 0 || in->year_veto[i] > 0));
        if (vetoed && !out->veto[0])
            snprintf(out->veto, sizeof(out->veto), "%s", it->code);
    }
    out->total = clamp(total, def->floor, def->cap);
    /* hundredths, as stored: the stars follow the published figure */
    out->total = round(out->total * 100.0) / 100.0;
    if (out->veto[0]) {
        out->stars = 0;
        return;
    }
    out->stars = 1;
    for (int s = 0; s < SCORE_STARS_MAX; s++)
        if (out->total >= def->stars[s]) {
            out->stars = 5 - s;
            break;
        }
}

/* ---- periods ---- */

int score_period_range(const char *period, char kind[8], char from[11], char to[11])
{
    int y = 0, m = 0, q = 0;
    char tail;
    size_t n = strlen(period);
    if (n == 4 && sscanf(period, "%4d%c", &y, &tail) == 1) {
        snprintf(kind, 8, "year");
        m = 1;
        q = 12;
    } else if (n == 7 && period[4] == '-' && period[5] == 'Q' &&
               sscanf(period, "%4d-Q%1d%c", &y, &q, &tail) == 2 && q >= 1 && q <= 4) {
        snprintf(kind, 8, "quarter");
        m = (q - 1) * 3 + 1;
        q = m + 2;
    } else if (n == 7 && period[4] == '-' && sscanf(period, "%4d-%2d%c", &y, &m, &tail) == 2 &&
               m >= 1 && m <= 12 && period[5] >= '0' && period[5] <= '1') {
        snprintf(kind, 8, "month");
        q = m;
    } else {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < 4; i++)
        if (period[i] < '0' || period[i] > '9')
            return ERR_INVALID;
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR - 1)
        return ERR_INVALID;
    date_format(date_from_civil(y, m, 1), from);
    int32_t last = q == 12 ? date_from_civil(y + 1, 1, 1) - 1 : date_from_civil(y, q + 1, 1) - 1;
    date_format(last, to);
    return 0;
}

int score_period_of(const char *kind, const char *day, char period[16])
{
    int32_t d;
    if (date_parse(day, &d) < 0)
        return ERR_INVALID;
    int y, m, md;
    date_to_civil(d, &y, &m, &md);
    char tmp[48];
    if (strcmp(kind, "month") == 0)
        snprintf(tmp, sizeof(tmp), "%04d-%02d", y, m);
    else if (strcmp(kind, "quarter") == 0)
        snprintf(tmp, sizeof(tmp), "%04d-Q%d", y, (m - 1) / 3 + 1);
    else if (strcmp(kind, "year") == 0)
        snprintf(tmp, sizeof(tmp), "%04d", y);
    else
        return ERR_INVALID;
    size_t n = strnlen(tmp, 15);
    memcpy(period, tmp, n);
    period[n] = 0;
    return 0;
}

int score_period_prev(const char *period, char prev[16])
{
    char kind[8], from[11], to[11];
    if (score_period_range(period, kind, from, to) < 0)
        return ERR_INVALID;
    int32_t d;
    if (date_parse(from, &d) < 0)
        return ERR_INVALID;
    char day[DATE_TEXT];
    date_format(d - 1, day);
    return score_period_of(kind, day, prev);
}

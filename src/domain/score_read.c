/* score_read.c - scorecards, rankings, drill-downs and previews as JSON
 * (score.h, docs/api.md "Scorecards 量化考核"). Reads only. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/org.h"
#include "domain/queue.h"
#include "domain/score_impl.h"

static json_t *score_num(int64_t hundredths)
{
    return json_real((double)hundredths / 100.0);
}

static json_t *dbl2(double x)
{
    return json_real(round(x * 10000.0) / 10000.0);
}

/* ---- cards ---- */

static const char SQL_CARD_ROW[] =
    "SELECT c.id, c.node_id, n.name, c.subject, c.name, c.periods, c.active, c.version_id,"
    " v.version, v.def, c.created_at, c.updated_at FROM score_card c"
    " JOIN org_node n ON n.id = c.node_id LEFT JOIN score_card_version v ON v.id = c.version_id"
    " WHERE c.id = ?1";
static const char SQL_CARD_VERSIONS[] =
    "SELECT v.id, v.version, v.note, COALESCE(s.name, ''), v.created_at"
    " FROM score_card_version v LEFT JOIN staff s ON s.id = v.created_by"
    " WHERE v.card_id = ?1 ORDER BY v.version DESC";

static json_t *periods_json(const char *periods)
{
    json_t *a = json_array();
    static const char *const kinds[] = {"month", "quarter", "year"};
    for (int i = 0; i < 3; i++)
        if (strstr(periods, kinds[i]))
            json_array_append_new(a, json_string(kinds[i]));
    return a;
}

json_t *score_card_json(struct db *db, int64_t card_id, int with_versions)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_CARD_ROW, &st) < 0)
        return NULL;
    db_bind_int64(st, 1, card_id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return NULL;
    }
    json_t *def = json_loads(db_col_text(st, 9) ? db_col_text(st, 9) : "{}", 0, NULL);
    json_t *j = json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:o,s:I,s:I,s:b,s:o,s:I,s:I}", "id", (json_int_t)db_col_int64(st, 0),
        "node_id", (json_int_t)db_col_int64(st, 1), "node_name", db_col_text(st, 2), "subject",
        db_col_text(st, 3), "name", db_col_text(st, 4), "periods", periods_json(db_col_text(st, 5)),
        "version", (json_int_t)db_col_int64(st, 8), "version_id", (json_int_t)db_col_int64(st, 7),
        "active", (int)db_col_int64(st, 6), "def", def ? def : json_object(), "created_at",
        (json_int_t)db_col_int64(st, 10), "updated_at", (json_int_t)db_col_int64(st, 11));
    db_finalize(st);
    if (!j || !with_versions)
        return j;
    json_t *vs = json_array();
    if (db_prepare(db, SQL_CARD_VERSIONS, &st) == 0) {
        db_bind_int64(st, 1, card_id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                vs, json_pack("{s:I,s:I,s:s,s:s,s:I}", "id", (json_int_t)db_col_int64(st, 0),
                              "version", (json_int_t)db_col_int64(st, 1), "note",
                              db_col_text(st, 2), "created_by_name", db_col_text(st, 3),
                              "created_at", (json_int_t)db_col_int64(st, 4)));
        db_finalize(st);
    }
    json_object_set_new(j, "versions", vs);
    return j;
}

static const char SQL_CARDS[] =
    "SELECT c.id, n.path FROM score_card c JOIN org_node n ON n.id = c.node_id"
    " WHERE (?1 = 0 OR c.node_id = ?1) ORDER BY c.active DESC, n.path, c.subject, c.id";

int score_cards_json(struct db *db, const struct actor *who, int64_t node_id, json_t **out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARDS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, node_id);
    int64_t ids[500];
    int n = 0;
    while (n < 500 && (rc = db_step(st)) == DB_ROW) {
        const char *p = db_col_text(st, 1);
        /* in the caller's scope, or above it on the caller's own path */
        if (actor_in_scope(who, p) || strncmp(who->scope, p, strlen(p)) == 0)
            ids[n++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        json_t *c = score_card_json(db, ids[i], 0);
        if (c)
            json_array_append_new(items, c);
    }
    *out = json_pack("{s:o}", "items", items);
    return *out ? 0 : ERR_NOMEM;
}

/* ---- rankings ---- */

struct rrow {
    int64_t id, score, hall_id, unit_id;
    int stars, streak, rank;
    int visible; /* in the reader's scope */
    char veto[SCORE_CODE_MAX];
    char industry[ORG_INDUSTRY_MAX * 4 + 1];
};

static const char SQL_RESULTS[] =
    "SELECT subject_id, score, stars, veto, hall_id, unit_id, industry, bottom_streak, path"
    " FROM score_result WHERE card_id = ?1 AND period = ?2"
    " AND (?3 = 0 OR hall_id = ?3) AND (?4 = 0 OR unit_id = ?4)"
    " AND (?5 = '' OR industry = ?5) ORDER BY score DESC, subject_id";

/* The rows of a period in score order, ranked over all of them (the group
 * filters apply); `visible` marks those under `scope` ("" = every row). */
static int load_rows(struct db *db, int64_t card_id, const char *period, int64_t hall, int64_t unit,
                     const char *industry, const char *scope, struct rrow **out, size_t *n)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RESULTS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    db_bind_int64(st, 3, hall);
    db_bind_int64(st, 4, unit);
    db_bind_text(st, 5, industry);
    size_t cap = 0, k = 0;
    struct rrow *rows = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            cap = cap ? cap * 2 : 128;
            struct rrow *g = realloc(rows, cap * sizeof(*g));
            if (!g) {
                rc = ERR_NOMEM;
                break;
            }
            rows = g;
        }
        struct rrow *r = &rows[k];
        r->id = db_col_int64(st, 0);
        r->score = db_col_int64(st, 1);
        r->stars = (int)db_col_int64(st, 2);
        snprintf(r->veto, sizeof(r->veto), "%s", db_col_text(st, 3));
        r->hall_id = db_col_int64(st, 4);
        r->unit_id = db_col_int64(st, 5);
        snprintf(r->industry, sizeof(r->industry), "%s", db_col_text(st, 6));
        r->streak = (int)db_col_int64(st, 7);
        r->visible = !scope || !scope[0] || strncmp(db_col_text(st, 8), scope, strlen(scope)) == 0;
        r->rank = k > 0 && rows[k - 1].score == r->score ? rows[k - 1].rank : (int)k + 1;
        k++;
    }
    db_finalize(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = k;
    return 0;
}

static int rrow_by_id(const void *a, const void *b)
{
    int64_t x = ((const struct rrow *)a)->id, y = ((const struct rrow *)b)->id;
    return x < y ? -1 : x > y;
}

/* rows sorted by id (rrow_by_id) */
static const struct rrow *rrow_find(const struct rrow *rows, size_t n, int64_t id)
{
    struct rrow key = {.id = id};
    return n ? bsearch(&key, rows, n, sizeof(*rows), rrow_by_id) : NULL;
}

static int cmp_id64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static const char SQL_FLAGS_OF[] =
    "SELECT subject_id FROM score_award WHERE card_id = ?1 AND period = ?2"
    " AND award = 'red_flag' AND revoked_at IS NULL";
static const char SQL_WINDOW_NAMES[] =
    "SELECT w.name, w.code, COALESCE(h.name, ''), COALESCE(u.name, '') FROM org_node w"
    " LEFT JOIN org_node h ON h.id = ?2 LEFT JOIN org_node u ON u.id = ?3 WHERE w.id = ?1";
static const char SQL_STAFF_NAMES[] =
    "SELECT s.name, s.badge_no, COALESCE(h.name, ''), COALESCE(u.name, '') FROM staff s"
    " LEFT JOIN org_node h ON h.id = ?2 LEFT JOIN org_node u ON u.id = ?3 WHERE s.id = ?1";

static json_t *row_json(struct db *db, const char *kind, const struct rrow *r, json_t *prev_rank,
                        int flag)
{
    struct db_stmt *st = NULL;
    const char *name = "", *code = "", *hall = "", *unit = "";
    int ok =
        db_prepare(db, strcmp(kind, "window") == 0 ? SQL_WINDOW_NAMES : SQL_STAFF_NAMES, &st) == 0;
    if (ok) {
        db_bind_int64(st, 1, r->id);
        db_bind_int64(st, 2, r->hall_id);
        db_bind_int64(st, 3, r->unit_id);
        if (db_step(st) == DB_ROW) {
            name = db_col_text(st, 0);
            code = db_col_text(st, 1);
            hall = db_col_text(st, 2);
            unit = db_col_text(st, 3);
        }
    }
    json_t *movement = json_is_integer(prev_rank)
                           ? json_integer(json_integer_value(prev_rank) - r->rank)
                           : json_null();
    json_t *j =
        json_pack("{s:s,s:I,s:s,s:s,s:I,s:s,s:I,s:s,s:s,s:o,s:i,s:s,s:i,s:o,s:o,s:i,s:b}", "kind",
                  kind, "subject_id", (json_int_t)r->id, "name", name, "code", code, "hall_id",
                  (json_int_t)r->hall_id, "hall_name", hall, "unit_id", (json_int_t)r->unit_id,
                  "unit_name", unit, "industry", r->industry, "score", score_num(r->score), "stars",
                  r->stars, "veto", r->veto, "rank", r->rank, "prev_rank", prev_rank, "movement",
                  movement, "bottom_streak", r->streak, "flag", flag);
    if (ok)
        db_finalize(st);
    return j;
}

static int card_basics(struct db *db, int64_t card_id, struct score_card_full **out)
{
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return ERR_NOMEM;
    int rc = score_card_get(db, card_id, 0, c);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void card_release(struct score_card_full *c)
{
    if (c) {
        score_card_free(c);
        free(c);
    }
}

/* The default period of a card on `now`: the current one of its first kind. */
static void default_period(const struct score_card_full *c, int64_t now, char period[16])
{
    char today[DATE_TEXT];
    queue_service_day(now, today);
    const char *kind = strstr(c->periods, "month")     ? "month"
                       : strstr(c->periods, "quarter") ? "quarter"
                                                       : "year";
    score_period_of(kind, today, period);
}

int score_ranking_json(struct db *db, int64_t card_id, const char *period, const char *group,
                       int64_t group_id, const char *industry, const char *scope, int64_t now,
                       json_t **out, struct err *e)
{
    struct score_card_full *c = NULL;
    int rc = card_basics(db, card_id, &c);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
    char per[16], kind[8], from[11], to[11];
    if (period && period[0])
        snprintf(per, sizeof(per), "%s", period);
    else
        default_period(c, now, per);
    if (score_period_range(per, kind, from, to) < 0 || !strstr(c->periods, kind)) {
        card_release(c);
        return err_set(e, ERR_INVALID, "period", "not a period of this scorecard");
    }
    int64_t hall = 0, unit = 0;
    const char *ind = "";
    if (strcmp(group, "hall") == 0)
        hall = group_id;
    else if (strcmp(group, "unit") == 0)
        unit = group_id;
    else if (strcmp(group, "industry") == 0)
        ind = industry ? industry : "";
    if ((hall == 0 && strcmp(group, "hall") == 0) || (unit == 0 && strcmp(group, "unit") == 0)) {
        card_release(c);
        return err_set(e, ERR_INVALID, "group_id", "group_id names the hall or unit to rank in");
    }
    if (strcmp(group, "industry") == 0 && !ind[0]) {
        card_release(c);
        return err_set(e, ERR_INVALID, "industry", "industry names the industry to rank in");
    }
    struct rrow *rows = NULL, *prev = NULL;
    size_t n = 0, np = 0;
    char pp[16] = "";
    int closed = 0, prev_closed = 0;
    int64_t *flagged = NULL;
    size_t nf = 0, fcap = 0;
    if ((rc = load_rows(db, c->id, per, hall, unit, ind, scope, &rows, &n)) < 0 ||
        (rc = score_period_closed(db, c->id, per, &closed)) < 0)
        goto dberr;
    if (score_period_prev(per, pp) == 0 &&
        (rc = score_period_closed(db, c->id, pp, &prev_closed)) == 0 && prev_closed)
        rc = load_rows(db, c->id, pp, hall, unit, ind, scope, &prev, &np);
    if (rc < 0)
        goto dberr;
    if (np)
        qsort(prev, np, sizeof(*prev), rrow_by_id);
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_FLAGS_OF, &st)) < 0)
        goto dberr;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, per);
    while (db_step(st) == DB_ROW) {
        if (nf == fcap) {
            fcap = fcap ? fcap * 2 : 16;
            int64_t *g = realloc(flagged, fcap * sizeof(*g));
            if (!g)
                break;
            flagged = g;
        }
        flagged[nf++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    if (nf)
        qsort(flagged, nf, sizeof(*flagged), cmp_id64);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].visible)
            continue;
        const struct rrow *pr = rrow_find(prev, np, rows[i].id);
        int flag = nf && bsearch(&rows[i].id, flagged, nf, sizeof(*flagged), cmp_id64) != NULL;
        if (!closed)
            rows[i].streak = 0;
        json_array_append_new(items, row_json(db, c->subject, &rows[i],
                                              pr ? json_integer(pr->rank) : json_null(), flag));
    }
    free(flagged);
    flagged = NULL;
    *out = json_pack("{s:o,s:s,s:s,s:s,s:o}", "card", score_card_json(db, c->id, 0), "period", per,
                     "prev_period", pp, "state", closed ? "closed" : "open", "items", items);
    free(rows);
    free(prev);
    card_release(c);
    return *out ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
dberr:
    free(flagged);
    free(rows);
    free(prev);
    card_release(c);
    return err_set(e, rc, NULL, "database error");
}

/* ---- drill-down ---- */

static const char SQL_RESULT_ONE[] =
    "SELECT r.version_id, r.score, r.stars, r.veto, r.hall_id, r.unit_id, r.industry,"
    " r.bottom_streak, r.inputs, r.rank_all FROM score_result r"
    " WHERE r.card_id = ?1 AND r.period = ?2 AND r.kind = ?3 AND r.subject_id = ?4";
static const char SQL_RANK_LIVE[] = "SELECT COUNT(*) FROM score_result"
                                    " WHERE card_id = ?1 AND period = ?2 AND score > ?3";
static const char SQL_EVENTS_OF[] =
    "SELECT e.id, e.type, e.day, e.qty, e.evidence, e.state, COALESCE(a.name, ''),"
    " COALESCE(b.name, '') FROM score_event e LEFT JOIN staff a ON a.id = e.entered_by"
    " LEFT JOIN staff b ON b.id = e.confirmed_by"
    " WHERE e.kind = ?1 AND e.subject_id = ?2 AND e.month >= ?3 AND e.month <= ?4"
    " ORDER BY e.day, e.id";

static const char *event_name(const struct score_def *def, const char *code)
{
    for (int i = 0; i < def->nevents; i++)
        if (strcmp(def->event[i].code, code) == 0)
            return def->event[i].name;
    return code;
}

/* The items with every rule applied, the way score_compute does it. */
static json_t *items_detail(const struct score_def *def, const struct score_inputs *in,
                            const struct score_outcome *o)
{
    json_t *items = json_array();
    for (int i = 0; i < def->nitems; i++) {
        const struct score_item *it = &def->item[i];
        double x;
        int found;
        double start = score_item_start(it, in, &x, &found);
        json_t *rules = json_array();
        double neg = 0, pos = 0;
        for (int r = 0; r < it->nrules; r++) {
            double cnt = score_input(in, it->rule[r].input, 0, NULL);
            double amount = cnt * it->rule[r].per;
            if (amount < 0)
                neg -= amount;
            else
                pos += amount;
            json_array_append_new(rules, json_pack("{s:s,s:o,s:o,s:o}", "input", it->rule[r].input,
                                                   "count", dbl2(cnt), "per", dbl2(it->rule[r].per),
                                                   "amount", dbl2(amount)));
        }
        json_t *scale = it->input[0]
                            ? json_pack("{s:o,s:o,s:s}", "zero", dbl2(it->zero), "full",
                                        dbl2(it->full), "empty", it->empty_full ? "full" : "zero")
                            : json_null();
        json_array_append_new(
            items,
            json_pack("{s:s,s:s,s:o,s:o,s:o,s:s*,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "code",
                      it->code, "name", it->name, "points", dbl2(it->points), "weight",
                      dbl2(it->weight), "bonus", dbl2(it->bonus), "input",
                      it->input[0] ? it->input : NULL, "input_value",
                      it->input[0] && found ? dbl2(x) : json_null(), "scale", scale, "start",
                      dbl2(start), "rules", rules, "deducted", dbl2(neg < start ? neg : start),
                      "added", dbl2(o->item_bonus[i]), "value", dbl2(o->item_value[i]), "veto",
                      it->veto == SCORE_VETO_YEAR     ? "year"
                      : it->veto == SCORE_VETO_PERIOD ? "period"
                                                      : ""));
        (void)pos;
    }
    return items;
}

static void inputs_from_json(const char *text, const struct score_def *def, struct score_inputs *in,
                             json_t **as_json)
{
    memset(in, 0, sizeof(*in));
    json_t *j = json_loads(text ? text : "{}", 0, NULL);
    const char *k;
    json_t *v;
    json_t *ytd = NULL;
    json_object_foreach(j, k, v)
    {
        if (strcmp(k, "ytd") == 0)
            ytd = v;
        else if (json_is_number(v))
            score_input_set(in, k, json_number_value(v));
    }
    for (int i = 0; ytd && i < def->nitems; i++) {
        if (def->item[i].veto != SCORE_VETO_YEAR)
            continue;
        double n = 0;
        for (int r = 0; r < def->item[i].nrules; r++) {
            json_t *c = json_object_get(ytd, def->item[i].rule[r].input);
            n += c ? fabs(json_number_value(c)) : 0;
        }
        in->year_veto[i] = n;
    }
    *as_json = j ? j : json_object();
}

int score_detail_json(struct db *db, int64_t card_id, const char *period, const char *kind,
                      int64_t subject_id, json_t **out, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RESULT_ONE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, kind);
    db_bind_int64(st, 4, subject_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? err_set(e, rc, NULL, "database error")
                      : err_set(e, ERR_NOTFOUND, NULL, "no score for this subject and period");
    }
    struct rrow row = {0};
    int64_t version_id = db_col_int64(st, 0);
    row.id = subject_id;
    row.score = db_col_int64(st, 1);
    row.stars = (int)db_col_int64(st, 2);
    snprintf(row.veto, sizeof(row.veto), "%s", db_col_text(st, 3));
    row.hall_id = db_col_int64(st, 4);
    row.unit_id = db_col_int64(st, 5);
    snprintf(row.industry, sizeof(row.industry), "%s", db_col_text(st, 6));
    row.streak = (int)db_col_int64(st, 7);
    char *inputs = strdup(db_col_text(st, 8));
    row.rank = (int)db_col_int64(st, 9);
    db_finalize(st);
    if (!inputs)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int closed = 0;
    if ((rc = score_period_closed(db, card_id, period, &closed)) < 0)
        goto dberr;
    if (!closed) { /* live: the rank among the period's live results */
        if ((rc = db_prepare(db, SQL_RANK_LIVE, &st)) < 0)
            goto dberr;
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2, period);
        db_bind_int64(st, 3, row.score);
        rc = db_step(st);
        row.rank = rc == DB_ROW ? (int)db_col_int64(st, 0) + 1 : 0;
        db_finalize(st);
        row.streak = 0;
    }
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c) {
        free(inputs);
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    }
    if ((rc = score_card_get(db, card_id, version_id, c)) < 0) {
        free(c);
        goto dberr;
    }
    struct score_inputs in;
    json_t *inputs_j = NULL;
    inputs_from_json(inputs, &c->def, &in, &inputs_j);
    struct score_outcome o;
    score_compute(&c->def, &in, &o);
    double before = c->def.base;
    for (int i = 0; i < c->def.nitems; i++)
        before += o.item_value[i] - c->def.item[i].points + o.item_bonus[i];
    char kindp[8], from[11], to[11], mfrom[8], mto[8];
    score_period_range(period, kindp, from, to);
    snprintf(mfrom, sizeof(mfrom), "%.7s", from);
    snprintf(mto, sizeof(mto), "%.7s", to);
    json_t *events = json_array();
    if (db_prepare(db, SQL_EVENTS_OF, &st) == 0) {
        db_bind_text(st, 1, kind);
        db_bind_int64(st, 2, subject_id);
        db_bind_text(st, 3, mfrom);
        db_bind_text(st, 4, mto);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                events,
                json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id",
                          (json_int_t)db_col_int64(st, 0), "type", db_col_text(st, 1), "type_name",
                          event_name(&c->def, db_col_text(st, 1)), "day", db_col_text(st, 2), "qty",
                          (json_int_t)db_col_int64(st, 3), "evidence", db_col_text(st, 4), "state",
                          db_col_text(st, 5), "entered_by_name", db_col_text(st, 6),
                          "confirmed_by_name", db_col_text(st, 7)));
        db_finalize(st);
    }
    *out = json_pack("{s:o,s:s,s:s,s:I,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:i,s:s}", "row",
                     row_json(db, kind, &row, json_null(), 0), "period", period, "state",
                     closed ? "closed" : "open", "version", (json_int_t)c->version, "base",
                     dbl2(c->def.base), "cap", dbl2(c->def.cap), "floor", dbl2(c->def.floor),
                     "weighted", c->def.weighted, "inputs", inputs_j, "items",
                     items_detail(&c->def, &in, &o), "events", events, "total_before_clamp",
                     dbl2(before), "total", dbl2(o.total), "stored_total", score_num(row.score),
                     "stars", o.stars, "veto", o.veto);
    card_release(c);
    free(inputs);
    return *out ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
dberr:
    free(inputs);
    return err_set(e, rc, NULL, "database error");
}

/* ---- preview ---- */

static int rrow_by_rank(const void *a, const void *b)
{
    const struct rrow *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const char SQL_LAST_CLOSED[] =
    "SELECT period FROM score_period WHERE card_id = ?1 AND state = 'closed' AND kind = ?2"
    " ORDER BY period DESC LIMIT 1";
static const char SQL_STORED_SCORE[] =
    "SELECT score FROM score_result WHERE card_id = ?1 AND period = ?2 AND kind = ?3"
    " AND subject_id = ?4";

int score_preview_json(struct db *db, const struct actor *who, int64_t card_id, int64_t node_id,
                       const char *subject, const char *def, const char *period, int64_t now,
                       json_t **out, struct err *e)
{
    struct score_card_full *c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int rc = 0;
    struct score_set set = {0};
    if (card_id) {
        if ((rc = score_card_get(db, card_id, 0, c)) < 0) {
            free(c);
            return err_set(e, rc == ERR_NOTFOUND ? ERR_INVALID : rc, "card_id",
                           rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
        }
        score_card_free(c);
    } else {
        struct org_node n;
        if ((rc = org_get(db, node_id, &n)) < 0) {
            free(c);
            return err_set(e, rc == ERR_NOTFOUND ? ERR_INVALID : rc, "node_id",
                           rc == ERR_NOTFOUND ? "no such node" : "database error");
        }
        if (!subject || (strcmp(subject, "window") != 0 && strcmp(subject, "staff") != 0)) {
            free(c);
            return err_set(e, ERR_INVALID, "subject", "subject must be window or staff");
        }
        snprintf(c->subject, sizeof(c->subject), "%s", subject);
        snprintf(c->path, sizeof(c->path), "%s", n.path);
        snprintf(c->periods, sizeof(c->periods), "month,quarter,year");
        c->node_id = node_id;
    }
    if (!actor_in_scope(who, c->path)) {
        free(c);
        return err_set(e, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope");
    }
    if ((rc = score_def_parse(def, c->subject, &c->def, e)) < 0) {
        free(c);
        return rc;
    }
    char per[16], kind[8], from[11], to[11];
    if (period && period[0]) {
        snprintf(per, sizeof(per), "%s", period);
    } else {
        per[0] = 0;
        const char *k = strstr(c->periods, "month")     ? "month"
                        : strstr(c->periods, "quarter") ? "quarter"
                                                        : "year";
        struct db_stmt *st = NULL;
        if (card_id && db_prepare(db, SQL_LAST_CLOSED, &st) == 0) {
            db_bind_int64(st, 1, card_id);
            db_bind_text(st, 2, k);
            if (db_step(st) == DB_ROW)
                snprintf(per, sizeof(per), "%s", db_col_text(st, 0));
            db_finalize(st);
        }
        if (!per[0]) {
            char today[DATE_TEXT];
            queue_service_day(now, today);
            score_period_of(k, today, per);
        }
    }
    if (score_period_range(per, kind, from, to) < 0) {
        free(c);
        return err_set(e, ERR_INVALID, "period", "period must be YYYY-MM, YYYY-Qn or YYYY");
    }
    c->id = card_id; /* 0: only deeper cards are excluded */
    if ((rc = score_collect(db, c, per, 0, &set)) < 0)
        goto dberr;
    score_compute_set(c, &set);
    score_rank_set(&set);
    /* in score order */
    struct rrow *rows = calloc(set.n ? set.n : 1, sizeof(*rows));
    if (!rows) {
        rc = ERR_NOMEM;
        goto dberr;
    }
    for (size_t i = 0; i < set.n; i++) {
        const struct score_subj *s = &set.s[i];
        rows[i] = (struct rrow){.id = s->id,
                                .score = (int64_t)llround(s->total * 100.0),
                                .hall_id = s->hall_id,
                                .unit_id = s->unit_id,
                                .stars = s->stars,
                                .rank = s->rank[0]};
        snprintf(rows[i].veto, sizeof(rows[i].veto), "%s", s->veto);
        snprintf(rows[i].industry, sizeof(rows[i].industry), "%s", s->industry ? s->industry : "");
    }
    json_t *items = json_array();
    int stars[6] = {0}, vetoed = 0;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    qsort(rows, set.n, sizeof(*rows), rrow_by_rank);
    for (size_t i = 0; i < set.n; i++) {
        json_t *j = row_json(db, c->subject, &rows[i], json_null(), 0);
        json_t *cur = json_null();
        struct db_stmt *st = NULL;
        if (card_id && db_prepare(db, SQL_STORED_SCORE, &st) == 0) {
            db_bind_int64(st, 1, card_id);
            db_bind_text(st, 2, per);
            db_bind_text(st, 3, c->subject);
            db_bind_int64(st, 4, rows[i].id);
            if (db_step(st) == DB_ROW)
                cur = score_num(db_col_int64(st, 0));
            db_finalize(st);
        }
        json_object_set_new(j, "current_score", cur);
        json_array_append_new(items, j);
        double v = (double)rows[i].score / 100.0;
        sum += v;
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
        stars[rows[i].stars < 0 || rows[i].stars > 5 ? 0 : rows[i].stars]++;
        vetoed += rows[i].veto[0] != 0;
    }
    free(rows);
    json_t *sj = json_pack("{s:i,s:i,s:i,s:i,s:i}", "1", stars[1], "2", stars[2], "3", stars[3],
                           "4", stars[4], "5", stars[5]);
    *out =
        json_pack("{s:s,s:o,s:{s:I,s:o,s:o,s:o,s:o,s:i}}", "period", per, "rows", items, "stats",
                  "n", (json_int_t)set.n, "mean", set.n ? dbl2(sum / (double)set.n) : json_null(),
                  "min", set.n ? dbl2(mn) : json_null(), "max", set.n ? dbl2(mx) : json_null(),
                  "stars", sj, "vetoed", vetoed);
    score_set_free(&set);
    free(c);
    return *out ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
dberr:
    score_set_free(&set);
    free(c);
    return err_set(e, rc, NULL, "database error");
}

/* ---- periods, trends, summons, flags ---- */

static const char SQL_PERIODS[] =
    "SELECT p.period, p.kind, p.state, COALESCE(v.version, 0), p.closed_at,"
    " COALESCE(s.name, ''), p.reopened_at, p.reopen_reason, p.subjects FROM score_period p"
    " LEFT JOIN score_card_version v ON v.id = p.version_id"
    " LEFT JOIN staff s ON s.id = p.closed_by WHERE p.card_id = ?1"
    " ORDER BY p.period DESC LIMIT 200";

static json_t *int_or_null(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

static json_t *text_or_null(struct db_stmt *st, int col)
{
    return db_col_is_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

static const char SQL_PERIOD_ONE[] =
    "SELECT p.period, p.kind, p.state, COALESCE(v.version, 0), p.closed_at,"
    " COALESCE(s.name, ''), p.reopened_at, p.reopen_reason, p.subjects FROM score_period p"
    " LEFT JOIN score_card_version v ON v.id = p.version_id"
    " LEFT JOIN staff s ON s.id = p.closed_by WHERE p.card_id = ?1 AND p.period = ?2";

static json_t *period_row(struct db_stmt *st)
{
    return json_pack("{s:s,s:s,s:s,s:I,s:o,s:s,s:o,s:o,s:I}", "period", db_col_text(st, 0), "kind",
                     db_col_text(st, 1), "state", db_col_text(st, 2), "version",
                     (json_int_t)db_col_int64(st, 3), "closed_at", int_or_null(st, 4),
                     "closed_by_name", db_col_text(st, 5), "reopened_at", int_or_null(st, 6),
                     "reopen_reason", text_or_null(st, 7), "subjects",
                     (json_int_t)db_col_int64(st, 8));
}

json_t *score_period_json(struct db *db, int64_t card_id, const char *period)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_PERIOD_ONE, &st) < 0)
        return NULL;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    json_t *j = db_step(st) == DB_ROW ? period_row(st) : NULL;
    db_finalize(st);
    return j;
}

int score_periods_json(struct db *db, int64_t card_id, json_t **out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PERIODS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    json_t *items = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, period_row(st));
    db_finalize(st);
    *out = json_pack("{s:o}", "items", items);
    return rc < 0 ? rc : 0;
}

static const char SQL_TREND[] =
    "SELECT r.period, r.score, r.stars, r.rank_all, COALESCE(p.state, 'open') FROM score_result r"
    " LEFT JOIN score_period p ON p.card_id = r.card_id AND p.period = r.period"
    " WHERE r.card_id = ?1 AND r.kind = ?2 AND r.subject_id = ?3"
    " ORDER BY r.period DESC LIMIT 200";

int score_trend_json(struct db *db, int64_t card_id, const char *kind, int64_t subject_id,
                     const char *period_kind, int n, json_t **out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TREND, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, kind);
    db_bind_int64(st, 3, subject_id);
    json_t *items = json_array();
    int k = 0;
    while (k < n && (rc = db_step(st)) == DB_ROW) {
        char pk[8], from[11], to[11];
        if (score_period_range(db_col_text(st, 0), pk, from, to) < 0 ||
            strcmp(pk, period_kind) != 0)
            continue;
        json_array_insert_new(
            items, 0,
            json_pack("{s:s,s:o,s:i,s:o,s:s}", "period", db_col_text(st, 0), "score",
                      score_num(db_col_int64(st, 1)), "stars", (int)db_col_int64(st, 2), "rank",
                      strcmp(db_col_text(st, 4), "closed") == 0 ? json_integer(db_col_int64(st, 3))
                                                                : json_null(),
                      "state", db_col_text(st, 4)));
        k++;
    }
    db_finalize(st);
    *out = json_pack("{s:o}", "items", items);
    return rc < 0 ? rc : 0;
}

static const char SQL_SUMMONS[] =
    "SELECT subject_id, score, stars, veto, hall_id, unit_id, industry, bottom_streak, rank_all"
    " FROM score_result WHERE card_id = ?1 AND period = ?2 AND bottom_streak >= ?3"
    " AND path >= ?4 AND path < ?5 ORDER BY bottom_streak DESC, score, subject_id";

int score_summons_json(struct db *db, int64_t card_id, const char *period, const char *scope,
                       json_t **out, struct err *e)
{
    struct score_card_full *c = NULL;
    int rc = card_basics(db, card_id, &c);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
    char per[16] = "";
    struct db_stmt *st = NULL;
    if (period && period[0]) {
        snprintf(per, sizeof(per), "%s", period);
    } else if ((rc = db_prepare(db, SQL_LAST_CLOSED, &st)) == 0) {
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2, strstr(c->periods, "month") ? "month" : "quarter");
        if (db_step(st) == DB_ROW)
            snprintf(per, sizeof(per), "%s", db_col_text(st, 0));
        db_finalize(st);
    }
    json_t *items = json_array();
    if (per[0] && (rc = db_prepare(db, SQL_SUMMONS, &st)) == 0) {
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2, per);
        db_bind_int64(st, 3, c->def.summon_streak);
        char end[ACTOR_PATH_MAX];
        if (scope && scope[0])
            org_path_end(scope, end, sizeof(end));
        db_bind_text(st, 4, scope && scope[0] ? scope : "/");
        db_bind_text(st, 5, scope && scope[0] ? end : "0");
        struct rrow rows[500];
        int n = 0;
        while (n < 500 && db_step(st) == DB_ROW) {
            struct rrow *r = &rows[n++];
            memset(r, 0, sizeof(*r));
            r->id = db_col_int64(st, 0);
            r->score = db_col_int64(st, 1);
            r->stars = (int)db_col_int64(st, 2);
            snprintf(r->veto, sizeof(r->veto), "%s", db_col_text(st, 3));
            r->hall_id = db_col_int64(st, 4);
            r->unit_id = db_col_int64(st, 5);
            snprintf(r->industry, sizeof(r->industry), "%s", db_col_text(st, 6));
            r->streak = (int)db_col_int64(st, 7);
            r->rank = (int)db_col_int64(st, 8);
        }
        db_finalize(st);
        for (int i = 0; i < n; i++)
            json_array_append_new(items, row_json(db, c->subject, &rows[i], json_null(), 0));
    }
    *out = json_pack("{s:s,s:i,s:s,s:i,s:o}", "period", per, "streak", c->def.summon_streak,
                     "group", c->def.summon_group, "bottom", c->def.summon_bottom, "items", items);
    card_release(c);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_FLAG_HISTORY[] =
    "SELECT a.period, a.kind, a.subject_id, COALESCE(w.name, ''), a.rank, a.score, a.group_id,"
    " a.awarded_at, a.revoked_at FROM score_award a LEFT JOIN org_node w ON w.id = a.subject_id"
    " WHERE a.card_id = ?1 AND a.award = 'red_flag' ORDER BY a.period DESC, a.rank LIMIT ?2";
static const char SQL_FLAG_CURRENT[] =
    "SELECT a.subject_id, COALESCE(w.name, ''), a.rank, a.score, a.period FROM score_award a"
    " LEFT JOIN org_node w ON w.id = a.subject_id"
    " WHERE a.card_id = ?1 AND a.award = 'red_flag' AND a.revoked_at IS NULL"
    " AND a.period = (SELECT MAX(p.period) FROM score_period p WHERE p.card_id = ?1"
    " AND p.state = 'closed' AND p.kind = 'month') ORDER BY a.rank, a.subject_id";

static json_t *flags_current(struct db *db, int64_t card_id)
{
    struct db_stmt *st = NULL;
    json_t *cur = json_array();
    if (db_prepare(db, SQL_FLAG_CURRENT, &st) < 0)
        return cur;
    db_bind_int64(st, 1, card_id);
    while (db_step(st) == DB_ROW)
        json_array_append_new(
            cur, json_pack("{s:I,s:s,s:i,s:o,s:s}", "subject_id", (json_int_t)db_col_int64(st, 0),
                           "name", db_col_text(st, 1), "rank", (int)db_col_int64(st, 2), "score",
                           score_num(db_col_int64(st, 3)), "period", db_col_text(st, 4)));
    db_finalize(st);
    return cur;
}

int score_flags_json(struct db *db, int64_t card_id, int n, json_t **out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FLAG_HISTORY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_int64(st, 2, n);
    json_t *items = json_array();
    while ((rc = db_step(st)) == DB_ROW) {
        char kind[8], from[11], to[11];
        score_period_range(db_col_text(st, 0), kind, from, to);
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:I,s:s,s:i,s:o,s:I,s:I,s:o}", "period", db_col_text(st, 0),
                             "kind", kind, "subject_id", (json_int_t)db_col_int64(st, 2), "name",
                             db_col_text(st, 3), "rank", (int)db_col_int64(st, 4), "score",
                             score_num(db_col_int64(st, 5)), "group_id",
                             (json_int_t)db_col_int64(st, 6), "awarded_at",
                             (json_int_t)db_col_int64(st, 7), "revoked_at", int_or_null(st, 8)));
    }
    db_finalize(st);
    *out = json_pack("{s:o,s:o}", "items", items, "current", flags_current(db, card_id));
    return rc < 0 ? rc : 0;
}

/* ---- one subject: live and last closed month ---- */

static const char SQL_SUBJ_PATH_W[] = "SELECT path FROM org_node WHERE id = ?1 AND kind = 'window'";
static const char SQL_SUBJ_PATH_S[] =
    "SELECT n.path FROM staff s JOIN org_node n ON n.id = s.node_id WHERE s.id = ?1";
/* a closed period knows how many it scored */
static const char SQL_COUNT_CLOSED[] =
    "SELECT subjects FROM score_period WHERE card_id = ?1 AND period = ?2";
static const char SQL_COUNT_PERIOD[] =
    "SELECT COUNT(*) FROM score_result WHERE card_id = ?1 AND period = ?2";
static const char SQL_FLAGS_YEAR[] =
    "SELECT COUNT(*) FROM score_award WHERE kind = ?1 AND subject_id = ?2"
    " AND award = 'red_flag' AND revoked_at IS NULL AND period >= ?3 AND period < ?4";
static const char SQL_HOLDS_FLAG[] =
    "SELECT COUNT(*) FROM score_award WHERE card_id = ?1 AND period = ?2 AND subject_id = ?3"
    " AND award = 'red_flag' AND revoked_at IS NULL";

/* The subject's row of one period with its rank (stored when closed, counted
 * when live) and the number ranked; NULL when it has none. */
static json_t *subject_row(struct db *db, const struct score_card_full *c, const char *period,
                           int64_t id)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_RESULT_ONE, &st) < 0)
        return json_null();
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, c->subject);
    db_bind_int64(st, 4, id);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return json_null();
    }
    struct rrow r = {0};
    r.id = id;
    r.score = db_col_int64(st, 1);
    r.stars = (int)db_col_int64(st, 2);
    snprintf(r.veto, sizeof(r.veto), "%s", db_col_text(st, 3));
    r.hall_id = db_col_int64(st, 4);
    r.unit_id = db_col_int64(st, 5);
    snprintf(r.industry, sizeof(r.industry), "%s", db_col_text(st, 6));
    r.streak = (int)db_col_int64(st, 7);
    r.rank = (int)db_col_int64(st, 9);
    db_finalize(st);
    int closed = 0;
    score_period_closed(db, c->id, period, &closed);
    if (!closed && db_prepare(db, SQL_RANK_LIVE, &st) == 0) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, period);
        db_bind_int64(st, 3, r.score);
        r.rank = db_step(st) == DB_ROW ? (int)db_col_int64(st, 0) + 1 : 0;
        db_finalize(st);
        r.streak = 0;
    }
    int64_t of = 0, holds = 0;
    if (db_prepare(db, closed ? SQL_COUNT_CLOSED : SQL_COUNT_PERIOD, &st) == 0) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, period);
        of = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    if (db_prepare(db, SQL_HOLDS_FLAG, &st) == 0) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, period);
        db_bind_int64(st, 3, id);
        holds = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    json_t *j = row_json(db, c->subject, &r, json_null(), holds > 0);
    json_object_set_new(j, "period", json_string(period));
    json_object_set_new(j, "of", json_integer(of));
    json_object_set_new(j, "state", json_string(closed ? "closed" : "open"));
    return j;
}

int score_subject_json(struct db *db, const char *kind, int64_t id, int64_t now, json_t **out,
                       char path_out[ACTOR_PATH_MAX])
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, strcmp(kind, "window") == 0 ? SQL_SUBJ_PATH_W : SQL_SUBJ_PATH_S, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    char path[ACTOR_PATH_MAX] = "";
    if (rc == DB_ROW)
        snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!path[0])
        return ERR_NOTFOUND;
    if (path_out)
        snprintf(path_out, ACTOR_PATH_MAX, "%s", path);
    int64_t card_id = 0;
    if ((rc = score_card_for(db, kind, path, &card_id)) < 0)
        return rc;
    if (!card_id) {
        *out = json_pack("{s:n,s:n,s:n,s:n,s:i}", "card", "period", "live", "last", "flags", 0);
        return *out ? 0 : ERR_NOMEM;
    }
    struct score_card_full *c = NULL;
    if ((rc = card_basics(db, card_id, &c)) < 0)
        return rc;
    char per[16], last[16] = "";
    default_period(c, now, per);
    if (db_prepare(db, SQL_LAST_CLOSED, &st) == 0) {
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2,
                     strstr(c->periods, "month")     ? "month"
                     : strstr(c->periods, "quarter") ? "quarter"
                                                     : "year");
        if (db_step(st) == DB_ROW)
            snprintf(last, sizeof(last), "%s", db_col_text(st, 0));
        db_finalize(st);
    }
    char today[DATE_TEXT], y0[8], y1[8];
    queue_service_day(now, today);
    snprintf(y0, sizeof(y0), "%.4s", today);
    snprintf(y1, sizeof(y1), "%.4s~", today);
    int64_t flags = 0;
    if (db_prepare(db, SQL_FLAGS_YEAR, &st) == 0) {
        db_bind_text(st, 1, kind);
        db_bind_int64(st, 2, id);
        db_bind_text(st, 3, y0);
        db_bind_text(st, 4, y1);
        flags = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    *out =
        json_pack("{s:o,s:s,s:o,s:o,s:I}", "card", score_card_json(db, card_id, 0), "period", per,
                  "live", subject_row(db, c, per, id), "last",
                  last[0] ? subject_row(db, c, last, id) : json_null(), "flags", (json_int_t)flags);
    card_release(c);
    return *out ? 0 : ERR_NOMEM;
}

/* The staff card's badge: the staff member's last closed month (score,
 * stars, rank of N) and whether the window holds that month's red flag. */
json_t *score_badge_json(struct db *db, int64_t staff_id, int64_t window_id, int64_t now)
{
    json_t *s = NULL, *w = NULL;
    if (score_subject_json(db, "staff", staff_id, now, &s, NULL) < 0)
        s = NULL;
    if (window_id && score_subject_json(db, "window", window_id, now, &w, NULL) < 0)
        w = NULL;
    json_t *last = s ? json_object_get(s, "last") : NULL;
    json_t *wlast = w ? json_object_get(w, "last") : NULL;
    json_t *out = json_null();
    if (json_is_object(last) || json_is_object(wlast)) {
        json_t *src = json_is_object(last) ? last : wlast;
        out = json_pack(
            "{s:O,s:O,s:O,s:O,s:O,s:b,s:O}", "period", json_object_get(src, "period"), "score",
            json_object_get(src, "score"), "stars", json_object_get(src, "stars"), "rank",
            json_object_get(src, "rank"), "of", json_object_get(src, "of"), "flag",
            json_is_object(wlast) && json_is_true(json_object_get(wlast, "flag")), "window_stars",
            json_is_object(wlast) ? json_object_get(wlast, "stars") : json_null());
        if (!json_is_object(last)) /* only the window is scored: say so */
            json_object_set_new(out, "subject", json_string("window"));
        else
            json_object_set_new(out, "subject", json_string("staff"));
    }
    json_decref(s);
    json_decref(w);
    return out ? out : json_null();
}

/* ---- the public board ---- */

static const char SQL_PUBLIC_ROWS[] =
    "SELECT r.subject_id, w.name, COALESCE(h.name, ''), r.score, r.stars, r.rank_all, w.path"
    " FROM score_result r JOIN org_node w ON w.id = r.subject_id"
    " LEFT JOIN org_node h ON h.id = r.hall_id"
    " WHERE r.card_id = ?1 AND r.period = ?2 AND w.path >= ?3 AND w.path < ?4"
    " ORDER BY r.score DESC, r.subject_id LIMIT 500";

int score_public_json(struct db *db, int64_t node_id, json_t **out)
{
    struct org_node n;
    int rc = org_get(db, node_id, &n);
    if (rc < 0)
        return rc;
    int64_t card_id = 0;
    if ((rc = score_card_for(db, "window", n.path, &card_id)) < 0)
        return rc;
    char per[16] = "";
    struct db_stmt *st = NULL;
    if (card_id && db_prepare(db, SQL_LAST_CLOSED, &st) == 0) {
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2, "month");
        if (db_step(st) == DB_ROW)
            snprintf(per, sizeof(per), "%s", db_col_text(st, 0));
        db_finalize(st);
    }
    json_t *items = json_array();
    if (per[0] && db_prepare(db, SQL_PUBLIC_ROWS, &st) == 0) {
        char end[ACTOR_PATH_MAX];
        org_path_end(n.path, end, sizeof(end));
        db_bind_int64(st, 1, card_id);
        db_bind_text(st, 2, per);
        db_bind_text(st, 3, n.path);
        db_bind_text(st, 4, end);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                items,
                json_pack("{s:I,s:s,s:s,s:o,s:i,s:i,s:b}", "subject_id",
                          (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1), "hall_name",
                          db_col_text(st, 2), "score", score_num(db_col_int64(st, 3)), "stars",
                          (int)db_col_int64(st, 4), "rank", (int)db_col_int64(st, 5), "flag", 0));
        db_finalize(st);
    }
    json_t *cur = card_id ? flags_current(db, card_id) : json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        size_t k;
        json_t *f;
        json_array_foreach(cur, k, f) if (json_integer_value(json_object_get(f, "subject_id")) ==
                                          json_integer_value(json_object_get(it, "subject_id")))
            json_object_set_new(it, "flag", json_true());
    }
    *out = json_pack("{s:s?,s:o,s:o}", "period", per[0] ? per : NULL, "items", items, "flags", cur);
    return *out ? 0 : ERR_NOMEM;
}

/* badreview.c - the 差评 closed loop: deadline profiles, the work order's
 * steps and their deadlines, appeal and review, lists and counts, and the
 * overdue sweep (badreview.h). */
#include "domain/badreview.h"
#include "domain/dom_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/case.h"
#include "domain/case_impl.h"
#include "domain/org.h"
#include "domain/queue.h"

#define PAGE_MAX 1000000
#define PER_PAGE_MAX 1000
#define SWEEP_BATCH 200
#define ANCESTORS_MAX 8 /* strict ancestors of a caller's home bound in list queries */
#define DAY_S 86400

static const char *const LIMIT_NAMES[BRL_N] = {"contact",    "verify",  "classify", "fix_now",
                                               "listed_max", "explain", "followup", "rate"};
static const char *const STEP_NAMES[BRS_N] = {"contact", "verify",   "classify",
                                              "rectify", "followup", "rate"};
static const char *const STEP_ZH[BRS_N] = {"联系群众", "核实情况", "分类处置",
                                           "整改",     "回访",     "群众评价"};
/* STATES[i] is the state in which step i is due; STATES[i + 1] follows it */
static const char *const STATES[BADREVIEW_NSTATES] = {"assigned",   "contacted",    "verified",
                                                      "classified", "rectified",    "followed_up",
                                                      "closed",     "appeal_upheld"};

const char *badreview_limit_name(int kind)
{
    return kind >= 0 && kind < BRL_N ? LIMIT_NAMES[kind] : NULL;
}

const char *badreview_step_name(int step)
{
    return step >= 0 && step < BRS_N ? STEP_NAMES[step] : NULL;
}

int badreview_step_parse(const char *name)
{
    for (int i = 0; name && i < BRS_N; i++)
        if (strcmp(name, STEP_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *badreview_state_name(int i)
{
    return i >= 0 && i < BADREVIEW_NSTATES ? STATES[i] : NULL;
}

static int state_index(const char *s)
{
    for (int i = 0; s && i < BADREVIEW_NSTATES; i++)
        if (strcmp(s, STATES[i]) == 0)
            return i;
    return -1;
}

static int staff_role(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_LEADER || r == ROLE_SUPERVISOR || r == ROLE_STAFF ||
           r == ROLE_SYSTEM;
}

/* The local (Asia/Shanghai) day number of an instant. */
static int32_t local_day(int64_t t)
{
    int64_t s = t + QUEUE_TZ_OFFSET_S;
    return (int32_t)(s >= 0 ? s / DAY_S : -((-s + DAY_S - 1) / DAY_S));
}

/* The last second of a local day. */
static int64_t day_end(int32_t day)
{
    return ((int64_t)day + 1) * DAY_S - QUEUE_TZ_OFFSET_S - 1;
}

/* ---- deadlines ---- */

int badreview_due(const struct calendar *cal, const struct badreview_limit *lim, int64_t anchor,
                  int64_t *due_at, char due_day[DATE_TEXT])
{
    int32_t from = local_day(anchor), due = 0;
    int missing = 0, rc;
    if (strcmp(lim->unit, "hours") == 0) {
        *due_at = calendar_add_hours(anchor, lim->n);
        date_format(local_day(*due_at), due_day);
        return 0;
    }
    if (strcmp(lim->unit, "workdays") == 0) {
        if (!cal) {
            rc = ERR_CALENDAR;
        } else if (lim->n == 0) {
            /* same day: the anchor's day, or the next working day when it is off */
            rc = calendar_is_workday(cal, from, &missing);
            if (rc == 1)
                due = from;
            else if (rc == 0)
                rc = calendar_add_workdays(cal, from, 1, &due, &missing);
        } else {
            rc = calendar_add_workdays(cal, from, lim->n, &due, &missing);
        }
    } else if (strcmp(lim->unit, "days") == 0) {
        rc = cal ? calendar_add_days(cal, from, lim->n, &due, &missing) : ERR_CALENDAR;
    } else {
        return ERR_INVALID;
    }
    if (rc == ERR_CALENDAR)
        due = from + lim->n; /* a year not imported yet: natural days */
    else if (rc < 0)
        return rc;
    *due_at = day_end(due);
    date_format(due, due_day);
    return 0;
}

/* ---- profiles ---- */

void badreview_profile_builtin(int64_t region_id, struct badreview_profile *out)
{
    static const int n[BRL_N] = {1, 1, 1, 2, 3, 2, 1, 1};
    memset(out, 0, sizeof(*out));
    out->region_id = region_id;
    out->builtin = 1;
    copy(out->name, sizeof(out->name), BADREVIEW_BUILTIN_NAME);
    for (int i = 0; i < BRL_N; i++) {
        out->limits[i].n = n[i];
        copy(out->limits[i].unit, sizeof(out->limits[i].unit), "workdays");
    }
}

int badreview_profile_check(const struct badreview_profile *p, struct err *e)
{
    static const char *const units[] = {"workdays", "days", "hours"};
    if (parse_text(p->name, 1, BADREVIEW_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters",
                       BADREVIEW_NAME_MAX);
    for (int i = 0; i < BRL_N; i++) {
        const struct badreview_limit *l = &p->limits[i];
        char field[64];
        int listed = i == BRL_LISTED_MAX;
        snprintf(field, sizeof(field), "steps.%s.unit", LIMIT_NAMES[i]);
        if (listed && !one_of(l->unit, units, 2))
            return err_set(e, ERR_INVALID, field, "%s must be workdays or days", field);
        if (!one_of(l->unit, units, 3))
            return err_set(e, ERR_INVALID, field, "%s must be workdays, days or hours", field);
        snprintf(field, sizeof(field), "steps.%s.n", LIMIT_NAMES[i]);
        int hours = strcmp(l->unit, "hours") == 0;
        int lo = hours || listed ? 1 : 0, hi = hours ? BADREVIEW_HOURS_MAX : BADREVIEW_DAYS_MAX;
        if (l->n < lo || l->n > hi)
            return err_set(e, ERR_INVALID, field, "%s must be %d-%d", field, lo, hi);
    }
    return 0;
}

#define PROFILE_COLS                                                                               \
    "p.id, p.region_id, p.name, p.is_default, p.contact_n, p.contact_unit, p.verify_n,"            \
    " p.verify_unit, p.classify_n, p.classify_unit, p.fix_now_n, p.fix_now_unit,"                  \
    " p.listed_max_n, p.listed_max_unit, p.explain_n, p.explain_unit, p.followup_n,"               \
    " p.followup_unit, p.rate_n, p.rate_unit, p.created_at, s.name"
#define PROFILE_FROM " FROM bad_review_profile p LEFT JOIN staff s ON s.id = p.created_by"

static const char SQL_PROFILE_GET[] = "SELECT " PROFILE_COLS PROFILE_FROM " WHERE p.id = ?1";
static const char SQL_PROFILE_DEFAULT[] =
    "SELECT " PROFILE_COLS PROFILE_FROM " WHERE p.region_id = ?1 AND p.is_default = 1";
static const char SQL_PROFILE_LIST[] =
    "SELECT " PROFILE_COLS PROFILE_FROM " WHERE p.region_id = ?1 ORDER BY p.id DESC LIMIT ?2";

static void read_profile(struct db_stmt *st, struct badreview_profile *p)
{
    memset(p, 0, sizeof(*p));
    p->id = db_col_int64(st, 0);
    p->region_id = db_col_int64(st, 1);
    copy(p->name, sizeof(p->name), db_col_text(st, 2));
    p->is_default = (int)db_col_int64(st, 3);
    for (int i = 0; i < BRL_N; i++) {
        p->limits[i].n = (int)db_col_int64(st, 4 + 2 * i);
        copy(p->limits[i].unit, sizeof(p->limits[i].unit), db_col_text(st, 5 + 2 * i));
    }
    p->created_at = db_col_int64(st, 20);
    copy(p->created_by_name, sizeof(p->created_by_name), db_col_text(st, 21));
}

int badreview_profile_get(struct db *db, int64_t id, struct badreview_profile *out)
{
    if (id == 0) {
        badreview_profile_builtin(0, out);
        return 0;
    }
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_PROFILE_GET, id, &st);
    if (rc < 0)
        return rc;
    read_profile(st, out);
    db_finalize(st);
    return 0;
}

int badreview_profile_current(struct db *db, int64_t region_id, struct badreview_profile *out)
{
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_PROFILE_DEFAULT, region_id, &st);
    if (rc == ERR_NOTFOUND) {
        badreview_profile_builtin(region_id, out);
        return 0;
    }
    if (rc < 0)
        return rc;
    read_profile(st, out);
    db_finalize(st);
    return 0;
}

/* region_id must be a root node */
static int region_root(struct db *db, int64_t region_id, struct org_node *root, struct err *e)
{
    int rc = org_get(db, region_id, root);
    if (rc == ERR_NOTFOUND || (rc == 0 && root->parent_id != 0))
        return err_set(e, ERR_INVALID, "region_id", "no such region");
    return rc < 0 ? db_fail(e, rc) : 0;
}

int badreview_profiles(struct db *db, const struct actor *who, int64_t region_id, struct arena *a,
                       struct badreview_profile **items, int *n, struct err *e)
{
    *items = NULL;
    *n = 0;
    struct org_node root;
    int rc = region_root(db, region_id, &root, e);
    if (rc < 0)
        return rc;
    if (!staff_role(who->role) ||
        (who->role != ROLE_SYSTEM && case_region_of(who->scope) != region_id))
        return err_set(e, ERR_FORBIDDEN, NULL, "the region is outside your scope");
    *items = arena_alloc(a, sizeof(**items) * BADREVIEW_PROFILES_MAX);
    if (!*items)
        return db_fail(e, ERR_NOMEM);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_PROFILE_LIST, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, region_id);
    db_bind_int64(st, 2, BADREVIEW_PROFILES_MAX);
    while ((rc = db_step(st)) == DB_ROW && *n < BADREVIEW_PROFILES_MAX)
        read_profile(st, &(*items)[(*n)++]);
    db_finalize(st);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* an admin at the region's root (or the command line) */
static int may_configure(const struct actor *who, const struct org_node *root)
{
    return who->role == ROLE_SYSTEM ||
           (who->role == ROLE_ADMIN && actor_in_scope(who, root->path) && actor_at_root(who));
}

static json_t *profile_audit_json(const struct badreview_profile *p)
{
    json_t *j = json_pack("{s:s,s:b}", "name", p->name, "default", p->is_default);
    for (int i = 0; j && i < BRL_N; i++)
        json_object_set_new(j, LIMIT_NAMES[i],
                            json_pack("{s:i,s:s}", "n", p->limits[i].n, "unit", p->limits[i].unit));
    return j;
}

static const char SQL_PROFILE_CLEAR_DEFAULT[] =
    "UPDATE bad_review_profile SET is_default = 0 WHERE region_id = ?1 AND is_default = 1";

static int clear_default(struct db *db, int64_t region_id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PROFILE_CLEAR_DEFAULT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_PROFILE_INSERT[] =
    "INSERT INTO bad_review_profile (region_id, name, is_default, contact_n, contact_unit,"
    " verify_n, verify_unit, classify_n, classify_unit, fix_now_n, fix_now_unit, listed_max_n,"
    " listed_max_unit, explain_n, explain_unit, followup_n, followup_unit, rate_n, rate_unit,"
    " created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) RETURNING id";

int badreview_profile_create(struct db *db, const struct actor *who,
                             const struct badreview_profile *in, int64_t now, int64_t *id,
                             struct err *e)
{
    struct org_node root;
    int rc = region_root(db, in->region_id, &root, e);
    if (rc < 0)
        return rc;
    if (!may_configure(who, &root))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the region may do this");
    if ((rc = badreview_profile_check(in, e)) < 0)
        return rc;
    if (in->is_default && (rc = clear_default(db, in->region_id)) < 0)
        return db_fail(e, rc);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_PROFILE_INSERT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, in->region_id);
    db_bind_text(st, 2, in->name);
    db_bind_int64(st, 3, in->is_default ? 1 : 0);
    for (int i = 0; i < BRL_N; i++) {
        db_bind_int64(st, 4 + 2 * i, in->limits[i].n);
        db_bind_text(st, 5 + 2 * i, in->limits[i].unit);
    }
    bind_opt_id(st, 20, who->staff_id);
    db_bind_int64(st, 21, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    rc = audit_append(db, who, "bad_review.profile", "bad_review_profile", *id, in->region_id, NULL,
                      profile_audit_json(in));
    return rc < 0 ? db_fail(e, rc) : 0;
}

static const char SQL_PROFILE_SET_DEFAULT[] =
    "UPDATE bad_review_profile SET is_default = 1 WHERE id = ?1";

int badreview_profile_set_default(struct db *db, const struct actor *who, int64_t id, int64_t now,
                                  struct err *e)
{
    (void)now;
    struct badreview_profile p;
    int rc = id > 0 ? badreview_profile_get(db, id, &p) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such profile");
    if (rc < 0)
        return db_fail(e, rc);
    struct org_node root;
    if ((rc = region_root(db, p.region_id, &root, e)) < 0)
        return rc;
    if (!may_configure(who, &root))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the region may do this");
    if (p.is_default)
        return 0;
    struct db_stmt *st = NULL;
    rc = clear_default(db, p.region_id);
    if (rc == 0)
        rc = db_prepare(db, SQL_PROFILE_SET_DEFAULT, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0)
        return db_fail(e, rc);
    rc = audit_append(db, who, "bad_review.profile_default", "bad_review_profile", id, p.region_id,
                      NULL, json_pack("{s:s}", "name", p.name));
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- access ---- */

/* who's home lies inside the unit at path (the unit's own staff) */
static int member_of(const struct actor *who, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 1 && strncmp(who->scope, path, n) == 0;
}

int badreview_may_see(const struct actor *who, const char *node_path, int64_t staff_id)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (!staff_role(who->role))
        return 0;
    return actor_in_scope(who, node_path) || (staff_id > 0 && who->staff_id == staff_id) ||
           member_of(who, node_path);
}

static int may_appeal(const struct actor *who, const char *node_path, int64_t staff_id)
{
    if (who->staff_id <= 0 || (who->role != ROLE_STAFF && who->role != ROLE_LEADER))
        return 0;
    return (staff_id > 0 && who->staff_id == staff_id) || member_of(who, node_path);
}

static int may_decide(const struct actor *who, const char *node_path, int64_t appellant,
                      int64_t rated)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (who->role != ROLE_SUPERVISOR && who->role != ROLE_ADMIN)
        return 0;
    /* neither the appellant nor the staff member the 差评 is about */
    return actor_in_scope(who, node_path) && who->staff_id != appellant && who->staff_id != rated;
}

unsigned badreview_actions(const struct actor *who, const struct badreview *r)
{
    unsigned bits = 0;
    if (!badreview_may_see(who, r->node_path, r->staff_id))
        return 0;
    int step = badreview_step_parse(r->step);
    if (r->open && step >= 0)
        bits |= 1u << step;
    if (r->open && !r->appeal_state && may_appeal(who, r->node_path, r->staff_id))
        bits |= BADREVIEW_ACT_APPEAL;
    if (r->open && r->appeal_state && strcmp(r->appeal_state, "pending") == 0 &&
        may_decide(who, r->node_path, r->appealed_by, r->staff_id))
        bits |= BADREVIEW_ACT_DECIDE;
    return bits;
}

/* ---- reading orders ---- */

#define BR_COLS                                                                                    \
    "r.id, r.evaluation_id, r.region_id, r.unit_id, COALESCE(r.staff_id, 0),"                      \
    " COALESCE(r.window_id, 0), COALESCE(r.profile_id, 0), r.node_path, u.name, s.name, w.name,"   \
    " r.item_name, r.channel, e.reasons, p.name, r.level, r.state, r.step, COALESCE(r.due_at, 0)," \
    " r.due_day, r.contact_method, COALESCE(r.contacted_at, 0), r.finding, r.classification,"      \
    " r.deadline_day, r.rating, r.opened_at, r.opened_day, COALESCE(r.closed_at, 0),"              \
    " r.updated_at, ap.state, COALESCE(ap.appealed_by, 0)"
#define BR_FROM                                                                                    \
    " FROM bad_review r JOIN org_node u ON u.id = r.unit_id"                                       \
    " JOIN evaluation e ON e.id = r.evaluation_id LEFT JOIN staff s ON s.id = r.staff_id"          \
    " LEFT JOIN org_node w ON w.id = r.window_id"                                                  \
    " LEFT JOIN bad_review_profile p ON p.id = r.profile_id"                                       \
    " LEFT JOIN bad_review_appeal ap ON ap.review_id = r.id"

static const char SQL_BR_GET[] = "SELECT " BR_COLS BR_FROM " WHERE r.id = ?1";
static const char SQL_BR_BY_EVAL[] = "SELECT " BR_COLS BR_FROM " WHERE r.evaluation_id = ?1";

static int read_row(struct db_stmt *st, int64_t now, struct arena *a, struct badreview *r)
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->evaluation_id = db_col_int64(st, 1);
    r->region_id = db_col_int64(st, 2);
    r->unit_id = db_col_int64(st, 3);
    r->staff_id = db_col_int64(st, 4);
    r->window_id = db_col_int64(st, 5);
    r->profile_id = db_col_int64(st, 6);
    r->node_path = col_copy(st, 7, a, &oom);
    r->unit_name = col_copy(st, 8, a, &oom);
    r->staff_name = col_copy(st, 9, a, &oom);
    r->window_name = col_copy(st, 10, a, &oom);
    r->item_name = col_copy(st, 11, a, &oom);
    r->channel = col_copy(st, 12, a, &oom);
    r->reasons = col_copy(st, 13, a, &oom);
    r->profile_name = col_copy(st, 14, a, &oom);
    if (!r->profile_name)
        r->profile_name = BADREVIEW_BUILTIN_NAME;
    r->level = (int)db_col_int64(st, 15);
    copy(r->state, sizeof(r->state), db_col_text(st, 16));
    copy(r->step, sizeof(r->step), db_col_text(st, 17));
    r->open = r->step[0] != '\0';
    r->due_at = db_col_int64(st, 18);
    copy(r->due_day, sizeof(r->due_day), db_col_text(st, 19));
    r->overdue = r->open && now > r->due_at;
    r->contact_method = col_copy(st, 20, a, &oom);
    r->contacted_at = db_col_int64(st, 21);
    r->finding = col_copy(st, 22, a, &oom);
    r->classification = col_copy(st, 23, a, &oom);
    r->deadline_day = col_copy(st, 24, a, &oom);
    r->rating = col_copy(st, 25, a, &oom);
    r->opened_at = db_col_int64(st, 26);
    copy(r->opened_day, sizeof(r->opened_day), db_col_text(st, 27));
    r->closed_at = db_col_int64(st, 28);
    r->updated_at = db_col_int64(st, 29);
    r->appeal_state = col_copy(st, 30, a, &oom);
    r->appealed_by = db_col_int64(st, 31);
    if (!r->node_path)
        r->node_path = "";
    return oom ? ERR_NOMEM : 0;
}

static const char SQL_BR_EVAL[] =
    "SELECT id, level, reasons, text, channel, day, created_at, phone_mask, id_mask, excluded,"
    " evaluator_name, phone_hash FROM evaluation WHERE id = ?1";
static const char SQL_BR_STEPS[] =
    "SELECT st.step, st.due_at, st.due_day, st.open, COALESCE(st.done_at, 0),"
    " COALESCE(st.done_by, 0), s.name, st.late, st.warned, st.note FROM bad_review_step st"
    " LEFT JOIN staff s ON s.id = st.done_by WHERE st.review_id = ?1 ORDER BY st.seq";
static const char SQL_BR_APPEAL[] =
    "SELECT a.id, a.state, a.reason, a.evidence, a.appealed_by, sa.name, a.appealed_at,"
    " COALESCE(a.decided_by, 0), sd.name, COALESCE(a.decided_at, 0), a.decision_note"
    " FROM bad_review_appeal a JOIN staff sa ON sa.id = a.appealed_by"
    " LEFT JOIN staff sd ON sd.id = a.decided_by WHERE a.review_id = ?1";

static int read_eval(struct db *db, struct arena *a, struct badreview *r)
{
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_BR_EVAL, r->evaluation_id, &st);
    if (rc < 0)
        return rc;
    int oom = 0;
    struct badreview_eval *v = &r->ev;
    v->id = db_col_int64(st, 0);
    v->level = (int)db_col_int64(st, 1);
    v->reasons = col_copy(st, 2, a, &oom);
    v->text = col_copy(st, 3, a, &oom);
    v->channel = col_copy(st, 4, a, &oom);
    copy(v->day, sizeof(v->day), db_col_text(st, 5));
    v->created_at = db_col_int64(st, 6);
    v->phone_mask = col_copy(st, 7, a, &oom);
    v->id_mask = col_copy(st, 8, a, &oom);
    v->excluded = db_col_int64(st, 9) != 0;
    const char *name = db_col_text(st, 10);
    v->real_name = (name && *name) || !db_col_is_null(st, 11);
    db_finalize(st);
    return oom ? ERR_NOMEM : 0;
}

static int read_steps(struct db *db, int64_t now, struct arena *a, struct badreview *r)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_BR_STEPS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && r->nsteps < BRS_N) {
        struct badreview_step_rec *s = &r->steps[r->nsteps++];
        copy(s->step, sizeof(s->step), db_col_text(st, 0));
        s->due_at = db_col_int64(st, 1);
        copy(s->due_day, sizeof(s->due_day), db_col_text(st, 2));
        s->open = db_col_int64(st, 3) != 0;
        s->done_at = db_col_int64(st, 4);
        s->done_by = db_col_int64(st, 5);
        s->done_by_name = col_copy(st, 6, a, &oom);
        s->late = db_col_int64(st, 7) != 0;
        s->warned = db_col_int64(st, 8) != 0;
        s->note = col_copy(st, 9, a, &oom);
        s->overdue = s->open && now > s->due_at;
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

static int read_appeal(struct db *db, struct arena *a, struct badreview *r)
{
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_BR_APPEAL, r->id, &st);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc < 0)
        return rc;
    int oom = 0;
    struct badreview_appeal_rec *p = &r->appeal;
    r->has_appeal = 1;
    p->id = db_col_int64(st, 0);
    copy(p->state, sizeof(p->state), db_col_text(st, 1));
    p->reason = col_copy(st, 2, a, &oom);
    p->evidence = col_copy(st, 3, a, &oom);
    p->appealed_by = db_col_int64(st, 4);
    p->appealed_by_name = col_copy(st, 5, a, &oom);
    p->appealed_at = db_col_int64(st, 6);
    p->decided_by = db_col_int64(st, 7);
    p->decided_by_name = col_copy(st, 8, a, &oom);
    p->decided_at = db_col_int64(st, 9);
    p->decision_note = col_copy(st, 10, a, &oom);
    db_finalize(st);
    return oom ? ERR_NOMEM : 0;
}

/* one order by sql (?1 = key), full when full is set */
static int load(struct db *db, const char *sql, int64_t key, int full, int64_t now, struct arena *a,
                struct badreview *out)
{
    struct db_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    int rc = case_select_id(db, sql, key, &st);
    if (rc < 0)
        return rc;
    rc = read_row(st, now, a, out);
    db_finalize(st);
    if (rc == 0 && full) {
        out->full = 1;
        rc = read_eval(db, a, out);
        if (rc == 0)
            rc = read_steps(db, now, a, out);
        if (rc == 0)
            rc = read_appeal(db, a, out);
    }
    return rc;
}

int badreview_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                  struct badreview *out, struct err *e)
{
    int rc = load(db, SQL_BR_GET, id, 1, now, a, out);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such work order");
    if (rc < 0)
        return db_fail(e, rc);
    if (who && !badreview_may_see(who, out->node_path, out->staff_id))
        return err_set(e, ERR_FORBIDDEN, NULL, "the work order is outside your scope");
    return 0;
}

int badreview_by_evaluation(struct db *db, int64_t evaluation_id, int64_t now, struct arena *a,
                            struct badreview *out)
{
    return load(db, SQL_BR_BY_EVAL, evaluation_id, 1, now, a, out);
}

/* ---- lists and counts ---- */

/* What the caller may see: the subtree [?1, ?2), the orders where they are
 * the responsible staff member (?3), the units their home lies in (?4..?11:
 * the strict ancestors of their home path, nearest first; '' pads). Then
 * the filters: node subtree [?12, ?13) ('' none), state ?14 ('' any, 'open'),
 * overdue ?15 at ?16, mine ?17, appeal state ?18 ('' any). */
#define BR_WHERE                                                                                   \
    " WHERE ((r.node_path >= ?1 AND r.node_path < ?2) OR r.staff_id = ?3"                          \
    " OR r.node_path IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))"                                       \
    " AND (?12 = '' OR (r.node_path >= ?12 AND r.node_path < ?13))"                                \
    " AND (?14 = '' OR r.state = ?14 OR (?14 = 'open' AND r.step IS NOT NULL))"                    \
    " AND (?15 = 0 OR r.due_at < ?16) AND (?17 = 0 OR r.staff_id = ?3)"                            \
    " AND (?18 = '' OR ap.state = ?18)"
#define BR_COUNT_FROM " FROM bad_review r LEFT JOIN bad_review_appeal ap ON ap.review_id = r.id"

static const char SQL_BR_LIST[] =
    "SELECT " BR_COLS BR_FROM BR_WHERE
    " ORDER BY CASE WHEN r.due_at IS NULL THEN 1 ELSE 0 END, r.due_at, r.id DESC"
    " LIMIT ?19 OFFSET ?20";
static const char SQL_BR_COUNT[] = "SELECT COUNT(*)" BR_COUNT_FROM BR_WHERE;
static const char SQL_BR_STATES[] =
    "SELECT r.state, COUNT(*)" BR_COUNT_FROM BR_WHERE " GROUP BY r.state";
static const char SQL_BR_LATE[] =
    "SELECT COUNT(*) FROM bad_review_step st"
    " JOIN bad_review r ON r.id = st.review_id"
    " LEFT JOIN bad_review_appeal ap ON ap.review_id = r.id" BR_WHERE " AND st.late = 1";

struct br_query {
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    char anc[ANCESTORS_MAX][ACTOR_PATH_MAX];
    char nlo[ACTOR_PATH_MAX], nhi[ACTOR_PATH_MAX];
    int64_t staff_id;
    const char *state, *appeal;
    int overdue, mine;
    int64_t now;
};

static void br_bind(struct db_stmt *st, const void *ctx)
{
    const struct br_query *q = ctx;
    db_bind_text(st, 1, q->lo);
    db_bind_text(st, 2, q->hi);
    db_bind_int64(st, 3, q->staff_id > 0 ? q->staff_id : -1);
    for (int i = 0; i < ANCESTORS_MAX; i++)
        db_bind_text(st, 4 + i, q->anc[i]);
    db_bind_text(st, 12, q->nlo);
    db_bind_text(st, 13, q->nhi);
    db_bind_text(st, 14, q->state ? q->state : "");
    db_bind_int64(st, 15, q->overdue ? 1 : 0);
    db_bind_int64(st, 16, q->now);
    db_bind_int64(st, 17, q->mine ? 1 : 0);
    db_bind_text(st, 18, q->appeal ? q->appeal : "");
}

static int br_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    const struct br_query *q = ctx;
    return read_row(st, q->now, a, item);
}

/* The caller's reach and the node filter into q. */
static int query_init(struct db *db, const struct actor *who, int64_t node_id, int64_t now,
                      struct br_query *q, struct err *e)
{
    memset(q, 0, sizeof(*q));
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    q->now = now;
    q->staff_id = who->staff_id;
    copy(q->lo, sizeof(q->lo), who->scope[0] ? who->scope : "/");
    org_path_end(q->lo, q->hi, sizeof(q->hi));
    /* the strict ancestors of the home path, nearest first: "/1/4/9/" gives
     * "/1/4/" and "/1/" */
    size_t len = strlen(who->scope);
    int k = 0;
    for (size_t j = len > 1 ? len - 2 : 0; j >= 1 && k < ANCESTORS_MAX; j--)
        if (who->scope[j] == '/')
            snprintf(q->anc[k++], ACTOR_PATH_MAX, "%.*s", (int)j + 1, who->scope);
    if (node_id) {
        struct org_node n;
        int rc = org_get(db, node_id, &n);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return db_fail(e, rc);
        if (!actor_in_scope(who, n.path))
            return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
        copy(q->nlo, sizeof(q->nlo), n.path);
        org_path_end(q->nlo, q->nhi, sizeof(q->nhi));
    }
    return 0;
}

int badreview_list(struct db *db, const struct actor *who, const struct badreview_filter *f,
                   int64_t now, struct arena *a, struct badreview **out, int *n, int64_t *total,
                   struct err *e)
{
    static const char *const appeals[] = {"pending", "upheld", "rejected"};
    *out = NULL;
    *n = 0;
    *total = 0;
    if (f->state && strcmp(f->state, "open") != 0 && state_index(f->state) < 0)
        return err_set(e, ERR_INVALID, "state",
                       "state must be open, assigned, contacted, verified, classified, rectified,"
                       " followed_up, closed or appeal_upheld");
    if (f->appeal && !one_of(f->appeal, appeals, 3))
        return err_set(e, ERR_INVALID, "appeal", "appeal must be pending, upheld or rejected");
    if (f->page < 1 || f->page > PAGE_MAX)
        return err_set(e, ERR_INVALID, "page", "page must be 1-%d", PAGE_MAX);
    if (f->per_page < 1 || f->per_page > PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be 1-%d", PER_PAGE_MAX);
    struct br_query *q = arena_alloc(a, sizeof(*q));
    if (!q)
        return db_fail(e, ERR_NOMEM);
    int rc = query_init(db, who, f->node_id, now, q, e);
    if (rc < 0)
        return rc;
    q->state = f->state;
    q->appeal = f->appeal;
    q->overdue = f->overdue;
    q->mine = f->mine;
    struct case_page p = {SQL_BR_COUNT, SQL_BR_LIST, 19, br_bind, br_row, q, sizeof(**out)};
    void *items = NULL;
    rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

static int count_of(struct db *db, const char *sql, const struct br_query *q, int64_t *out)
{
    struct db_stmt *st = NULL;
    *out = 0;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    br_bind(st, q);
    rc = db_step(st);
    if (rc == DB_ROW)
        *out = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int badreview_stats(struct db *db, const struct actor *who, int64_t node_id, int64_t now,
                    struct badreview_stats *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    struct br_query q;
    int rc = query_init(db, who, node_id, now, &q, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_BR_STATES, &st);
    if (rc < 0)
        return db_fail(e, rc);
    br_bind(st, &q);
    while ((rc = db_step(st)) == DB_ROW) {
        int i = state_index(db_col_text(st, 0));
        if (i >= 0)
            out->states[i] = db_col_int64(st, 1);
    }
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    for (int i = 0; i < BADREVIEW_NSTATES - 2; i++)
        out->open += out->states[i];
    q.overdue = 1;
    rc = count_of(db, SQL_BR_COUNT, &q, &out->overdue);
    q.overdue = 0;
    q.appeal = "pending";
    if (rc == 0)
        rc = count_of(db, SQL_BR_COUNT, &q, &out->appeals_pending);
    q.appeal = NULL;
    if (rc == 0)
        rc = count_of(db, SQL_BR_LATE, &q, &out->late_steps);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- opening ---- */

/* The responsible unit of an evaluation: its unit; else the nearest
 * ancestor of kind unit of the window (or hall); else that hall; else the
 * region. */
static int responsible_unit(struct db *db, const struct eval_rec *ev, struct org_node *unit)
{
    int64_t id = ev->unit_id;
    if (!id && (ev->window_id || ev->hall_id)) {
        struct org_node start;
        int rc = org_get(db, ev->window_id ? ev->window_id : ev->hall_id, &start);
        if (rc < 0)
            return rc;
        int64_t hall = strcmp(start.kind, "window") == 0 ? start.parent_id : start.id;
        int64_t at = start.parent_id;
        /* walk up (a tree is a few levels deep) */
        for (int depth = 0; at && !id && depth < 64; depth++) {
            struct org_node n;
            rc = org_get(db, at, &n);
            if (rc < 0)
                return rc;
            if (strcmp(n.kind, "unit") == 0)
                id = n.id;
            at = n.parent_id;
        }
        if (!id)
            id = hall;
    }
    if (!id)
        id = ev->region_id;
    return org_get(db, id, unit);
}

static const char SQL_ITEM_NAME[] = "SELECT item_name FROM eval_event WHERE id = ?1";

static const char SQL_BR_INSERT[] =
    "INSERT INTO bad_review (evaluation_id, region_id, unit_id, node_path, staff_id, window_id,"
    " item_name, level, channel, profile_id, state, step, due_at, due_day, opened_at, opened_day,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'assigned', 'contact', ?11,"
    " ?12, ?13, ?14, ?13) RETURNING id";

static const char SQL_STEP_ADD[] =
    "INSERT INTO bad_review_step (review_id, step, seq, due_at, due_day, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int step_add(struct db *db, int64_t id, int step, int64_t due_at, const char *due_day,
                    int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_STEP_ADD, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, STEP_NAMES[step]);
    db_bind_int64(st, 3, step + 1);
    db_bind_int64(st, 4, due_at);
    db_bind_text(st, 5, due_day);
    db_bind_int64(st, 6, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The responsible staff member (if any) and the nearest leader of path
 * (when another person) get message; *sent counts them. */
static int notify_both(struct db *db, int64_t staff_id, const char *path, const char *kind,
                       const char *message, int64_t now, int *sent)
{
    int64_t leader = 0;
    int rc = 0;
    if (staff_id > 0) {
        rc = case_notify(db, staff_id, NULL, kind, 0, 0, message, now, NULL);
        if (rc == 0 && sent)
            (*sent)++;
    }
    if (rc == 0)
        rc = case_leader_of(db, path, &leader);
    if (rc == 0 && leader && leader != staff_id) {
        rc = case_notify(db, leader, NULL, kind, 0, 0, message, now, NULL);
        if (rc == 0 && sent)
            (*sent)++;
    }
    return rc;
}

int badreview_open_with(struct db *db, const struct calendar *cal, const struct eval_rec *ev,
                        int64_t now, int64_t *id, struct err *e)
{
    if (id)
        *id = 0;
    if (!ev->bad || ev->level > 2 || ev->defaulted || ev->excluded || strcmp(ev->kind, "first"))
        return 0;
    struct org_node unit;
    int rc = responsible_unit(db, ev, &unit);
    if (rc < 0)
        return db_fail(e, rc);
    struct badreview_profile prof;
    int64_t region = ev->region_id ? ev->region_id : case_region_of(unit.path);
    rc = badreview_profile_current(db, region, &prof);
    if (rc < 0)
        return db_fail(e, rc);
    int64_t due_at = 0;
    char due_day[DATE_TEXT], today[DATE_TEXT], item[512] = "";
    rc = badreview_due(cal, &prof.limits[BRL_CONTACT], now, &due_at, due_day);
    if (rc < 0)
        return db_fail(e, rc);
    date_format(local_day(now), today);
    struct db_stmt *st = NULL;
    rc = case_select_id(db, SQL_ITEM_NAME, ev->event_id, &st);
    if (rc == 0) {
        copy(item, sizeof(item), db_col_text(st, 0));
        db_finalize(st);
    } else if (rc != ERR_NOTFOUND) {
        return db_fail(e, rc);
    }
    rc = db_prepare(db, SQL_BR_INSERT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, ev->id);
    db_bind_int64(st, 2, region);
    db_bind_int64(st, 3, unit.id);
    db_bind_text(st, 4, unit.path);
    bind_opt_id(st, 5, ev->staff_id);
    bind_opt_id(st, 6, ev->window_id);
    db_bind_text(st, 7, item);
    db_bind_int64(st, 8, ev->level);
    db_bind_text(st, 9, ev->channel);
    bind_opt_id(st, 10, prof.id);
    db_bind_int64(st, 11, due_at);
    db_bind_text(st, 12, due_day);
    db_bind_int64(st, 13, now);
    db_bind_text(st, 14, today);
    rc = db_step(st);
    int64_t rid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, NULL, "the evaluation already has a work order");
    if (rc < 0)
        return db_fail(e, rc);
    rc = step_add(db, rid, BRS_CONTACT, due_at, due_day, now);
    if (rc == 0) {
        char msg[768];
        snprintf(msg, sizeof(msg), "新差评工单 #%lld（%s，%s）：请于 %s 前联系群众", (long long)rid,
                 item[0] ? item : unit.name, ev->level == 1 ? "非常不满意" : "不满意", due_day);
        rc = notify_both(db, ev->staff_id, unit.path, "bad_review_new", msg, now, NULL);
    }
    if (rc < 0)
        return db_fail(e, rc);
    if (id)
        *id = rid;
    return 0;
}

int badreview_open(struct db *db, const struct eval_rec *ev, int64_t now, struct err *e)
{
    if (!ev->bad || ev->level > 2 || ev->defaulted || ev->excluded || strcmp(ev->kind, "first"))
        return 0;
    struct calendar *cal = NULL;
    int rc = calendar_load(db, &cal);
    if (rc < 0)
        return db_fail(e, rc);
    rc = badreview_open_with(db, cal, ev, now, NULL, e);
    free(cal);
    return rc;
}

/* ---- the steps ---- */

static const char SQL_STEP_DONE[] =
    "UPDATE bad_review_step SET open = 0, done_at = ?3, done_by = ?4, late = ?5, note = ?6"
    " WHERE review_id = ?1 AND step = ?2 AND open = 1";
static const char SQL_ADVANCE[] =
    "UPDATE bad_review SET state = ?2, step = ?3, due_at = ?4, due_day = ?5, updated_at = ?6,"
    " closed_at = ?7 WHERE id = ?1 AND state = ?8 RETURNING id";
static const char SQL_SET_CONTACT[] =
    "UPDATE bad_review SET contact_method = ?2, contacted_at = ?3 WHERE id = ?1";
static const char SQL_SET_FINDING[] = "UPDATE bad_review SET finding = ?2 WHERE id = ?1";
static const char SQL_SET_CLASS[] =
    "UPDATE bad_review SET classification = ?2, deadline_day = ?3 WHERE id = ?1";
static const char SQL_SET_RATING[] = "UPDATE bad_review SET rating = ?2 WHERE id = ?1";

/* UPDATE sql with ?1 = id, ?2 and ?3 texts (NULL binds NULL; a3 unused
 * when the statement has no ?3: pass use3 0) */
static int set_fields(struct db *db, const char *sql, int64_t id, const char *a2, const char *a3,
                      int use3)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, a2);
    if (use3)
        db_bind_text(st, 3, a3);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Check the input of step s; ERR_INVALID naming the field. */
static int args_check(const struct badreview *r, enum badreview_step s,
                      const struct badreview_args *in, int64_t now, int32_t *deadline,
                      struct err *e)
{
    static const char *const methods[] = {"phone", "sms", "visit", "other"};
    static const char *const findings[] = {"true", "false", "partly"};
    static const char *const classes[] = {"fix_now", "listed", "explain"};
    static const char *const ratings[] = {"satisfied", "basic", "unsatisfied"};
    if (in->method && s != BRS_CONTACT)
        return err_set(e, ERR_INVALID, "method", "method belongs to contact");
    if (in->contacted_at && s != BRS_CONTACT)
        return err_set(e, ERR_INVALID, "contacted_at", "contacted_at belongs to contact");
    if (in->finding && s != BRS_VERIFY)
        return err_set(e, ERR_INVALID, "finding", "finding belongs to verify");
    if (in->classification && s != BRS_CLASSIFY)
        return err_set(e, ERR_INVALID, "classification", "classification belongs to classify");
    if (in->rating && s != BRS_RATE)
        return err_set(e, ERR_INVALID, "rating", "rating belongs to rate");
    int need_note = s == BRS_VERIFY || s == BRS_RECTIFY || s == BRS_FOLLOWUP;
    if (in->note ? parse_text(in->note, need_note ? 1 : 0, BADREVIEW_TEXT_MAX, 1) < 0 : need_note)
        return err_set(e, ERR_INVALID, "note", "note must have %d-%d characters", need_note ? 1 : 0,
                       BADREVIEW_TEXT_MAX);
    switch (s) {
    case BRS_CONTACT:
        if (!in->method || !one_of(in->method, methods, 4))
            return err_set(e, ERR_INVALID, "method", "method must be phone, sms, visit or other");
        if (in->contacted_at && (in->contacted_at < r->opened_at || in->contacted_at > now))
            return err_set(e, ERR_INVALID, "contacted_at",
                           "contacted_at must lie between the order's opening and now");
        break;
    case BRS_VERIFY:
        if (!in->finding || !one_of(in->finding, findings, 3))
            return err_set(e, ERR_INVALID, "finding", "finding must be true, false or partly");
        break;
    case BRS_CLASSIFY:
        if (!in->classification || !one_of(in->classification, classes, 3))
            return err_set(e, ERR_INVALID, "classification",
                           "classification must be fix_now, listed or explain");
        if (r->finding && strcmp(r->finding, "false") == 0 &&
            strcmp(in->classification, "explain") != 0)
            return err_set(e, ERR_INVALID, "classification",
                           "a 差评 found untrue can only be explained");
        if (strcmp(in->classification, "listed") == 0) {
            if (!in->deadline || date_parse(in->deadline, deadline) < 0)
                return err_set(e, ERR_INVALID, "deadline",
                               "a listed rectification needs a deadline as YYYY-MM-DD");
        } else if (in->deadline) {
            return err_set(e, ERR_INVALID, "deadline",
                           "only a listed rectification has a deadline");
        }
        break;
    case BRS_RATE:
        if (!in->rating || !one_of(in->rating, ratings, 3))
            return err_set(e, ERR_INVALID, "rating",
                           "rating must be satisfied, basic or unsatisfied");
        break;
    default:
        break;
    }
    if (in->deadline && s != BRS_CLASSIFY)
        return err_set(e, ERR_INVALID, "deadline", "deadline belongs to classify");
    return 0;
}

/* The due time of the step after s (done now), into *due_at / due_day. */
static int next_due(const struct calendar *cal, const struct badreview_profile *p,
                    const struct badreview *r, enum badreview_step s, const char *classification,
                    int32_t deadline, int64_t now, int64_t *due_at, char due_day[DATE_TEXT])
{
    switch (s) {
    case BRS_CONTACT:
        return badreview_due(cal, &p->limits[BRL_VERIFY], r->opened_at, due_at, due_day);
    case BRS_VERIFY:
        return badreview_due(cal, &p->limits[BRL_CLASSIFY], r->opened_at, due_at, due_day);
    case BRS_CLASSIFY:
        if (!classification)
            return ERR_INVALID;
        if (strcmp(classification, "listed") == 0) {
            *due_at = day_end(deadline);
            date_format(deadline, due_day);
            return 0;
        }
        return badreview_due(
            cal, &p->limits[strcmp(classification, "fix_now") == 0 ? BRL_FIX_NOW : BRL_EXPLAIN],
            r->opened_at, due_at, due_day);
    case BRS_RECTIFY:
        return badreview_due(cal, &p->limits[BRL_FOLLOWUP], now, due_at, due_day);
    case BRS_FOLLOWUP:
        return badreview_due(cal, &p->limits[BRL_RATE], now, due_at, due_day);
    default:
        return 0;
    }
}

/* The fields a step sets on the order. */
static int step_fields(struct db *db, const struct badreview *r, enum badreview_step s,
                       const struct badreview_args *in, const char *deadline_day, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = 0;
    switch (s) {
    case BRS_CONTACT:
        rc = db_prepare(db, SQL_SET_CONTACT, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, r->id);
        db_bind_text(st, 2, in->method);
        db_bind_int64(st, 3, in->contacted_at ? in->contacted_at : now);
        rc = db_step(st);
        db_finalize(st);
        return rc < 0 ? rc : 0;
    case BRS_VERIFY:
        return set_fields(db, SQL_SET_FINDING, r->id, in->finding, NULL, 0);
    case BRS_CLASSIFY:
        return set_fields(db, SQL_SET_CLASS, r->id, in->classification, deadline_day, 1);
    case BRS_RATE:
        return set_fields(db, SQL_SET_RATING, r->id, in->rating, NULL, 0);
    default:
        return 0;
    }
}

/* The rollup figure a step moves, NULL none. */
static const char *step_figure(enum badreview_step s, const char *rating)
{
    if (s == BRS_CONTACT)
        return "bad_replied";
    if (s == BRS_FOLLOWUP)
        return "bad_rectified";
    if (s == BRS_RATE && rating && strcmp(rating, "unsatisfied") != 0)
        return "bad_satisfied";
    return NULL;
}

int badreview_act(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
                  enum badreview_step step, const struct badreview_args *args, int64_t now,
                  struct err *e)
{
    struct arena a = {0};
    struct badreview r;
    int rc;
    if ((int)step < 0 || step >= BRS_N) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such step");
        goto done;
    }
    rc = load(db, SQL_BR_GET, id, 0, now, &a, &r);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such work order");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if (!badreview_may_see(who, r.node_path, r.staff_id)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "the work order is outside your scope");
        goto done;
    }
    int32_t deadline = 0;
    if ((rc = args_check(&r, step, args, now, &deadline, e)) < 0)
        goto done;
    if (strcmp(r.state, STATES[step]) != 0) {
        rc = err_set(e, ERR_CONFLICT, "state", "the work order is %s: %s is not due", r.state,
                     STEP_NAMES[step]);
        goto done;
    }
    struct badreview_profile prof;
    if ((rc = badreview_profile_get(db, r.profile_id, &prof)) < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    char deadline_day[DATE_TEXT] = "";
    if (step == BRS_CLASSIFY && args->classification &&
        strcmp(args->classification, "listed") == 0) {
        int64_t max_at = 0;
        char max_day[DATE_TEXT];
        int32_t today = local_day(now), max = 0;
        rc = badreview_due(cal, &prof.limits[BRL_LISTED_MAX], r.opened_at, &max_at, max_day);
        if (rc == 0)
            rc = date_parse(max_day, &max);
        if (rc < 0) {
            rc = db_fail(e, rc);
            goto done;
        }
        if (max < today)
            max = today; /* past the profile's bound: only today is left */
        if (deadline < today || deadline > max) {
            char lo[DATE_TEXT], hi[DATE_TEXT];
            date_format(today, lo);
            date_format(max, hi);
            rc = err_set(e, ERR_INVALID, "deadline", "deadline must lie from %s to %s", lo, hi);
            goto done;
        }
        date_format(deadline, deadline_day);
    }
    /* the step itself */
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_STEP_DONE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, STEP_NAMES[step]);
        db_bind_int64(st, 3, now);
        bind_opt_id(st, 4, who->staff_id);
        db_bind_int64(st, 5, now > r.due_at ? 1 : 0);
        db_bind_text(st, 6, args->note ? args->note : "");
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc == 0)
        rc = step_fields(db, &r, step, args, deadline_day, now);
    /* the next step, or the end */
    int64_t due_at = 0;
    char due_day[DATE_TEXT] = "";
    int last = step == BRS_RATE;
    if (rc == 0 && !last)
        rc = next_due(cal, &prof, &r, step, args->classification, deadline, now, &due_at, due_day);
    if (rc == 0)
        rc = db_prepare(db, SQL_ADVANCE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, STATES[step + 1]);
        db_bind_text(st, 3, last ? NULL : STEP_NAMES[step + 1]);
        if (last) {
            db_bind_null(st, 4);
            db_bind_null(st, 5);
            db_bind_int64(st, 7, now);
        } else {
            db_bind_int64(st, 4, due_at);
            db_bind_text(st, 5, due_day);
            db_bind_null(st, 7);
        }
        db_bind_int64(st, 6, now);
        db_bind_text(st, 8, STATES[step]);
        rc = db_step(st);
        db_finalize(st);
        if (rc == DB_DONE) {
            /* moved since it was read (not on the one writer; kept as a guard) */
            rc = err_set(e, ERR_CONFLICT, "state", "the work order changed meanwhile");
            goto done;
        }
        if (rc == DB_ROW)
            rc = 0;
    }
    if (rc == 0 && !last)
        rc = step_add(db, id, step + 1, due_at, due_day, now);
    const char *figure = step_figure(step, args->rating);
    if (rc == 0 && figure)
        rc = eval_rollup_bad(db, r.evaluation_id, figure, +1);
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

/* ---- appeal and review ---- */

static const char SQL_APPEAL_ADD[] =
    "INSERT INTO bad_review_appeal (review_id, reason, evidence, state, appealed_by,"
    " appealed_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?5) RETURNING id";

int badreview_appeal(struct db *db, const struct actor *who, int64_t id, const char *reason,
                     const char *evidence, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct badreview r;
    int rc = load(db, SQL_BR_GET, id, 0, now, &a, &r);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such work order");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if (!badreview_may_see(who, r.node_path, r.staff_id) ||
        !may_appeal(who, r.node_path, r.staff_id)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL,
                     "only the responsible unit's staff or leader may appeal");
        goto done;
    }
    if (!reason || parse_text(reason, 1, BADREVIEW_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "reason", "reason must have 1-%d characters",
                     BADREVIEW_TEXT_MAX);
        goto done;
    }
    if (evidence && parse_text(evidence, 0, BADREVIEW_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "evidence", "evidence may have up to %d characters",
                     BADREVIEW_TEXT_MAX);
        goto done;
    }
    if (!r.open) {
        rc = err_set(e, ERR_CONFLICT, "state", "the work order is closed");
        goto done;
    }
    if (r.appeal_state) {
        rc = err_set(e, ERR_CONFLICT, "appeal", "the work order was already appealed");
        goto done;
    }
    struct db_stmt *st = NULL;
    int64_t aid = 0;
    rc = db_prepare(db, SQL_APPEAL_ADD, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, reason);
        db_bind_text(st, 3, evidence ? evidence : "");
        db_bind_int64(st, 4, who->staff_id);
        db_bind_int64(st, 5, now);
        rc = db_step(st);
        aid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "appeal", "the work order was already appealed");
        goto done;
    }
    if (rc >= 0)
        rc = audit_append(db, who, "bad_review.appeal", "bad_review", id, r.unit_id, NULL,
                          json_pack("{s:I,s:I,s:s}", "appeal_id", (json_int_t)aid, "evaluation_id",
                                    (json_int_t)r.evaluation_id, "reason", reason));
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

static const char SQL_APPEAL_DECIDE[] =
    "UPDATE bad_review_appeal SET state = ?2, decided_by = ?3, decided_at = ?4, decision_note = ?5"
    " WHERE review_id = ?1 AND state = 'pending' RETURNING id";
static const char SQL_CLOSE_UPHELD[] =
    "UPDATE bad_review SET state = 'appeal_upheld', step = NULL, due_at = NULL, due_day = NULL,"
    " closed_at = ?2, updated_at = ?2 WHERE id = ?1 AND step IS NOT NULL";
static const char SQL_STEPS_CLOSE[] =
    "UPDATE bad_review_step SET open = 0 WHERE review_id = ?1 AND open = 1";

static int exec_id_time(struct db *db, const char *sql, int64_t id, int64_t now, int with_now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    if (with_now)
        db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* An upheld appeal: the 差评 leaves scoring, with the figures its order
 * had counted; the order closes. */
static int uphold(struct db *db, const struct badreview *r, int64_t now, struct err *e)
{
    int rc = eval_exclude(db, r->evaluation_id, e);
    if (rc < 0)
        return rc;
    int si = state_index(r->state);
    if (si > 0) /* contacted: it was counted replied */
        rc = eval_rollup_bad(db, r->evaluation_id, "bad_replied", -1);
    if (rc == 0 && si > BRS_FOLLOWUP) /* followed up: counted rectified */
        rc = eval_rollup_bad(db, r->evaluation_id, "bad_rectified", -1);
    if (rc == 0)
        rc = exec_id_time(db, SQL_CLOSE_UPHELD, r->id, now, 1);
    if (rc == 0)
        rc = exec_id_time(db, SQL_STEPS_CLOSE, r->id, now, 0);
    return rc < 0 ? db_fail(e, rc) : 0;
}

int badreview_appeal_decide(struct db *db, const struct actor *who, int64_t id, int upheld,
                            const char *note, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct badreview r;
    int rc = load(db, SQL_BR_GET, id, 0, now, &a, &r);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such work order");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if (!may_decide(who, r.node_path, r.appealed_by, r.staff_id)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL,
                     r.appealed_by && who->staff_id == r.appealed_by
                         ? "nobody decides their own appeal"
                         : "only a supervisor over the unit may decide an appeal");
        goto done;
    }
    if (!note || parse_text(note, 1, BADREVIEW_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "note", "note must have 1-%d characters", BADREVIEW_TEXT_MAX);
        goto done;
    }
    if (!r.appeal_state || strcmp(r.appeal_state, "pending") != 0 || !r.open) {
        rc = err_set(e, ERR_CONFLICT, "appeal", "the work order has no pending appeal");
        goto done;
    }
    const char *state = upheld ? "upheld" : "rejected";
    struct db_stmt *st = NULL;
    int64_t aid = 0;
    rc = db_prepare(db, SQL_APPEAL_DECIDE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, state);
        bind_opt_id(st, 3, who->staff_id);
        db_bind_int64(st, 4, now);
        db_bind_text(st, 5, note);
        rc = db_step(st);
        aid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if (upheld && (rc = uphold(db, &r, now, e)) < 0)
        goto done;
    char msg[768];
    snprintf(msg, sizeof(msg), "差评工单 #%lld（%s）的申诉%s：%s", (long long)id,
             r.item_name && *r.item_name ? r.item_name : r.unit_name,
             upheld ? "成立，该差评不计入考核" : "不成立，请继续整改", note);
    rc = case_notify(db, r.appealed_by, NULL, "bad_review_appeal", 0, 0, msg, now, NULL);
    if (rc == 0)
        rc = audit_append(db, who, "bad_review.appeal_decide", "bad_review", id, r.unit_id,
                          json_pack("{s:s}", "appeal", "pending"),
                          json_pack("{s:I,s:I,s:s,s:s}", "appeal_id", (json_int_t)aid,
                                    "evaluation_id", (json_int_t)r.evaluation_id, "appeal", state,
                                    "note", note));
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

/* ---- the sweep ---- */

struct sweep_row {
    int64_t id, staff_id;
    int step;
    char due_day[DATE_TEXT];
    char path[ACTOR_PATH_MAX];
    char item[512];
};

static const char SQL_SWEEP_DUE[] =
    "SELECT st.review_id, st.step, st.due_day, COALESCE(r.staff_id, 0), r.node_path, r.item_name"
    " FROM bad_review_step st JOIN bad_review r ON r.id = st.review_id"
    " WHERE st.open = 1 AND st.warned = 0 AND st.due_at < ?1 ORDER BY st.due_at LIMIT ?2";
static const char SQL_SWEEP_CLAIM[] =
    "UPDATE bad_review_step SET warned = 1 WHERE review_id = ?1 AND step = ?2 AND open = 1"
    " AND warned = 0 RETURNING review_id";

int badreview_sweep(struct db *db, const struct calendar *cal, int64_t now, int *raised)
{
    (void)cal;
    if (raised)
        *raised = 0;
    struct sweep_row *rows = malloc(sizeof(*rows) * SWEEP_BATCH);
    if (!rows)
        return ERR_NOMEM;
    int rc, n;
    do {
        struct db_stmt *st = NULL;
        n = 0;
        rc = db_prepare(db, SQL_SWEEP_DUE, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, now);
        db_bind_int64(st, 2, SWEEP_BATCH);
        while ((rc = db_step(st)) == DB_ROW && n < SWEEP_BATCH) {
            struct sweep_row *w = &rows[n++];
            w->id = db_col_int64(st, 0);
            w->step = badreview_step_parse(db_col_text(st, 1));
            copy(w->due_day, sizeof(w->due_day), db_col_text(st, 2));
            w->staff_id = db_col_int64(st, 3);
            copy(w->path, sizeof(w->path), db_col_text(st, 4));
            copy(w->item, sizeof(w->item), db_col_text(st, 5));
        }
        db_finalize(st);
        if (rc < 0)
            break;
        for (int i = 0; rc >= 0 && i < n; i++) {
            struct sweep_row *w = &rows[i];
            /* claim the warning first: another server node sweeping at the
             * same time finds it taken and raises nothing */
            int claimed = 0;
            rc = db_prepare(db, SQL_SWEEP_CLAIM, &st);
            if (rc >= 0) {
                db_bind_int64(st, 1, w->id);
                db_bind_text(st, 2, badreview_step_name(w->step));
                rc = db_step(st);
                claimed = rc == DB_ROW;
                db_finalize(st);
            }
            if (rc < 0 || !claimed)
                continue;
            char msg[768];
            snprintf(msg, sizeof(msg), "差评工单 #%lld（%s）“%s”已超期，应于 %s 前完成",
                     (long long)w->id, w->item, w->step >= 0 ? STEP_ZH[w->step] : "", w->due_day);
            int sent = 0;
            rc = notify_both(db, w->staff_id, w->path, "bad_review_overdue", msg, now, &sent);
            if (raised && rc >= 0)
                *raised += sent;
        }
    } while (rc >= 0 && n == SWEEP_BATCH);
    free(rows);
    return rc < 0 ? rc : 0;
}

/* commitment.c - commitments (亮承诺), their reports and confirmations (践诺),
 * the 践诺率 figures and the regions' publication setting (commitment.h). */
#include "domain/commitment.h"
#include "domain/dom_util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/case.h"
#include "domain/case_impl.h"
#include "domain/org.h"
#include "domain/score.h"

#define PAGE_MAX 1000000
#define PER_PAGE_MAX 1000

static const char *const CATEGORIES[] = {"service", "efficiency", "conduct", "integrity", "other"};
static const char *const KINDS[] = {"unit", "window", "staff"};
static const char *const STATES[] = {"open",   "reported", "fulfilled",
                                     "partly", "missed",   "withdrawn"};
static const char *const RESULTS[] = {"fulfilled", "partly", "missed"};
static const char *const VISIBILITIES[] = {"public", "internal"};

#define COUNT_OF(x) ((int)(sizeof(x) / sizeof((x)[0])))

static int staff_role(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_LEADER || r == ROLE_SUPERVISOR || r == ROLE_STAFF ||
           r == ROLE_SYSTEM;
}

/* UTF-8 characters of s */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* a text of min..max characters without control characters (newlines and
 * tabs allowed in long texts) */
static int text_ok(const char *s, size_t min, size_t max, int multiline)
{
    if (!s)
        return min == 0;
    size_t n = chars(s);
    if (n < min || n > max)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t' || *p == '\r'))) || *p == 0x7F)
            return 0;
    return 1;
}

/* a decimal: optional '-', 1..12 digits, optionally '.' and 1..6 digits */
static int decimal_ok(const char *s)
{
    const char *p = s;
    int ints = 0, fracs = 0;
    if (*p == '-')
        p++;
    while (*p >= '0' && *p <= '9' && ints <= 12) {
        p++;
        ints++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && fracs <= 6) {
            p++;
            fracs++;
        }
        if (!fracs)
            return 0;
    }
    return *p == '\0' && ints >= 1 && ints <= 12 && fracs <= 6;
}

/* ---- for the scoring engine ---- */

static int day_ok(const char *s)
{
    int32_t d;
    return s && date_parse(s, &d) == 0;
}

static const char SQL_FIG_RANGE[] =
    "SELECT owner_kind, owner_id, COUNT(*),"
    " SUM(CASE WHEN state = 'fulfilled' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN state = 'partly' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN state = 'missed' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN state IN ('open', 'reported') THEN 1 ELSE 0 END)"
    " FROM commitment WHERE due_day >= ?1 AND due_day <= ?2 AND state <> 'withdrawn'"
    " GROUP BY owner_kind, owner_id ORDER BY owner_kind, owner_id";

static void read_figures(struct db_stmt *st, int col, struct commit_figures *f)
{
    f->due = db_col_int64(st, col);
    f->fulfilled = db_col_int64(st, col + 1);
    f->partly = db_col_int64(st, col + 2);
    f->missed = db_col_int64(st, col + 3);
    f->pending = db_col_int64(st, col + 4);
}

int commitment_figures_range(struct db *db, const char *from, const char *to,
                             int (*fn)(void *ctx, const char *kind, int64_t owner_id,
                                       const struct commit_figures *f),
                             void *ctx)
{
    if (!day_ok(from) || !day_ok(to))
        return ERR_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FIG_RANGE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, from);
    db_bind_text(st, 2, to);
    int stop = 0;
    while (!stop && (rc = db_step(st)) == DB_ROW) {
        struct commit_figures f;
        char kind[8];
        copy(kind, sizeof(kind), db_col_text(st, 0));
        read_figures(st, 2, &f);
        stop = fn(ctx, kind, db_col_int64(st, 1), &f);
    }
    db_finalize(st);
    if (stop)
        return stop;
    return rc < 0 ? rc : 0;
}

static const char SQL_FIG_OWNER[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'fulfilled' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN state = 'partly' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN state = 'missed' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN state IN ('open', 'reported') THEN 1 ELSE 0 END), 0)"
    " FROM commitment WHERE owner_kind = ?1 AND owner_id = ?2 AND due_day >= ?3"
    " AND due_day <= ?4 AND state <> 'withdrawn'";

int commitment_figures_owner(struct db *db, const char *kind, int64_t owner_id, const char *from,
                             const char *to, struct commit_figures *out)
{
    memset(out, 0, sizeof(*out));
    if (!one_of(kind, KINDS, COUNT_OF(KINDS)) || !day_ok(from) || !day_ok(to))
        return ERR_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FIG_OWNER, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, kind);
    db_bind_int64(st, 2, owner_id);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    rc = db_step(st);
    if (rc == DB_ROW)
        read_figures(st, 0, out);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* where a commitment lies now: a staff owner's present home, else its node */
#define CM_PATH "COALESCE(sn.path, c.node_path)"
#define CM_OWNER_JOIN                                                                              \
    " LEFT JOIN staff so ON c.owner_kind = 'staff' AND so.id = c.owner_id"                         \
    " LEFT JOIN org_node sn ON sn.id = so.node_id"

static const char SQL_UNCONFIRMED[] =
    "SELECT COUNT(*) FROM commitment c" CM_OWNER_JOIN
    " WHERE c.state = 'reported' AND c.due_day >= ?3 AND c.due_day <= ?4"
    " AND " CM_PATH " >= ?1 AND " CM_PATH " < ?2";

int commitment_unconfirmed(struct db *db, const char *path, const char *from, const char *to,
                           int64_t *n)
{
    *n = 0;
    if (!path || path[0] != '/' || !day_ok(from) || !day_ok(to))
        return ERR_INVALID;
    char end[ACTOR_PATH_MAX];
    org_path_end(path, end, sizeof(end));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_UNCONFIRMED, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, path);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    rc = db_step(st);
    if (rc == DB_ROW)
        *n = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- periods ---- */

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int commitment_period_range(const char *period, char from[DATE_TEXT], char to[DATE_TEXT],
                            enum commitment_grain *grain)
{
    size_t len = period ? strlen(period) : 0;
    if (len < 4 || !digits(period, 4))
        return ERR_INVALID;
    int year = atoi(period);
    if (year < DATE_MIN_YEAR || year > DATE_MAX_YEAR - 1)
        return ERR_INVALID;
    int m0 = 1, m1 = 12;
    if (len == 4) {
        *grain = CG_YEAR;
    } else if (len == 7 && period[4] == '-' && period[5] == 'Q' && period[6] >= '1' &&
               period[6] <= '4') {
        *grain = CG_QUARTER;
        m0 = (period[6] - '1') * 3 + 1;
        m1 = m0 + 2;
    } else if (len == 7 && period[4] == '-' && digits(period + 5, 2)) {
        *grain = CG_MONTH;
        m0 = m1 = atoi(period + 5);
        if (m0 < 1 || m0 > 12)
            return ERR_INVALID;
    } else {
        return ERR_INVALID;
    }
    date_format(date_from_civil(year, m0, 1), from);
    int32_t next = m1 == 12 ? date_from_civil(year + 1, 1, 1) : date_from_civil(year, m1 + 1, 1);
    date_format(next - 1, to);
    return 0;
}

/* ---- the publication setting ---- */

int commitment_publish_period(struct db *db, int64_t region_id, char out[8])
{
    struct db_stmt *st = NULL;
    copy(out, 8, "year");
    int rc =
        db_prepare(db, "SELECT publish_period FROM commitment_setting WHERE region_id = ?1", &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    if (rc == DB_ROW)
        copy(out, 8, db_col_text(st, 0));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int commitment_publish_set(struct db *db, const struct actor *who, int64_t region_id,
                           const char *period, int64_t now, struct err *e)
{
    static const char *const periods[] = {"year", "quarter", "month"};
    struct org_node root;
    int rc = org_get(db, region_id, &root);
    if (rc == ERR_NOTFOUND || (rc == 0 && root.parent_id != 0))
        return err_set(e, ERR_INVALID, "region_id", "no such region");
    if (rc < 0)
        return db_fail(e, rc);
    if (who->role != ROLE_SYSTEM &&
        (who->role != ROLE_ADMIN || !actor_in_scope(who, root.path) || !actor_at_root(who)))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the region may do this");
    if (!one_of(period, periods, 3))
        return err_set(e, ERR_INVALID, "publish_period",
                       "publish_period must be year, quarter or month");
    char before[8];
    rc = commitment_publish_period(db, region_id, before);
    struct db_stmt *st = NULL;
    if (rc == 0)
        rc = db_prepare(db,
                        "INSERT INTO commitment_setting (region_id, publish_period, updated_at)"
                        " VALUES (?1, ?2, ?3) ON CONFLICT (region_id) DO UPDATE SET"
                        " publish_period = ?2, updated_at = ?3",
                        &st);
    if (rc == 0) {
        db_bind_int64(st, 1, region_id);
        db_bind_text(st, 2, period);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0)
        return db_fail(e, rc);
    rc = audit_append(db, who, "commitment.settings", "commitment_setting", region_id, region_id,
                      json_pack("{s:s}", "publish_period", before),
                      json_pack("{s:s}", "publish_period", period));
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- reading ---- */

#define CM_COLS                                                                                    \
    "c.id, c.region_id, c.owner_kind, c.owner_id, c.node_id, COALESCE(so.name, o.name),"           \
    " COALESCE(sn.name, o.name), " CM_PATH ", c.body, c.category, c.target_text,"                  \
    " c.target_value, c.target_unit, c.period, c.due_day, c.visibility, c.state, c.reports,"       \
    " COALESCE(c.reported_at, 0), COALESCE(c.reported_by, 0), rb.name,"                            \
    " COALESCE(c.confirmed_at, 0), COALESCE(c.confirmed_by, 0), cb.name, c.confirm_note,"          \
    " COALESCE(c.withdrawn_at, 0), COALESCE(c.withdrawn_by, 0), c.withdraw_reason,"                \
    " COALESCE(c.created_by, 0), cr.name, c.created_at, c.updated_at"
#define CM_FROM                                                                                    \
    " FROM commitment c JOIN org_node o ON o.id = c.node_id" CM_OWNER_JOIN                         \
    " LEFT JOIN staff rb ON rb.id = c.reported_by LEFT JOIN staff cb ON cb.id = c.confirmed_by"    \
    " LEFT JOIN staff cr ON cr.id = c.created_by"

static const char SQL_GET[] = "SELECT " CM_COLS CM_FROM " WHERE c.id = ?1";

static int is_open_state(const char *s)
{
    return strcmp(s, "open") == 0 || strcmp(s, "reported") == 0;
}

static int read_row(struct db_stmt *st, const char *today, struct arena *a, struct commitment *c)
{
    int oom = 0;
    memset(c, 0, sizeof(*c));
    c->id = db_col_int64(st, 0);
    c->region_id = db_col_int64(st, 1);
    copy(c->owner_kind, sizeof(c->owner_kind), db_col_text(st, 2));
    c->owner_id = db_col_int64(st, 3);
    c->node_id = db_col_int64(st, 4);
    c->owner_name = col_copy(st, 5, a, &oom);
    c->node_name = col_copy(st, 6, a, &oom);
    c->path = col_copy(st, 7, a, &oom);
    c->text = col_copy(st, 8, a, &oom);
    c->category = col_copy(st, 9, a, &oom);
    c->target_text = col_copy(st, 10, a, &oom);
    c->target_value = col_copy(st, 11, a, &oom);
    c->target_unit = col_copy(st, 12, a, &oom);
    c->period = col_copy(st, 13, a, &oom);
    copy(c->due_day, sizeof(c->due_day), db_col_text(st, 14));
    copy(c->visibility, sizeof(c->visibility), db_col_text(st, 15));
    copy(c->state, sizeof(c->state), db_col_text(st, 16));
    c->reports = (int)db_col_int64(st, 17);
    c->reported_at = db_col_int64(st, 18);
    c->reported_by = db_col_int64(st, 19);
    c->reported_by_name = col_copy(st, 20, a, &oom);
    c->confirmed_at = db_col_int64(st, 21);
    c->confirmed_by = db_col_int64(st, 22);
    c->confirmed_by_name = col_copy(st, 23, a, &oom);
    c->confirm_note = col_copy(st, 24, a, &oom);
    c->withdrawn_at = db_col_int64(st, 25);
    c->withdrawn_by = db_col_int64(st, 26);
    c->withdraw_reason = col_copy(st, 27, a, &oom);
    c->created_by = db_col_int64(st, 28);
    c->created_by_name = col_copy(st, 29, a, &oom);
    c->created_at = db_col_int64(st, 30);
    c->updated_at = db_col_int64(st, 31);
    if (!c->path)
        c->path = "";
    c->overdue = is_open_state(c->state) && strcmp(c->due_day, today) < 0;
    return oom ? ERR_NOMEM : 0;
}

static const char SQL_REPORTS[] =
    "SELECT r.id, r.seq, r.evidence, r.links, COALESCE(r.reported_by, 0), r.reported_at, s.name,"
    " r.result, COALESCE(r.confirmed_by, 0), COALESCE(r.confirmed_at, 0), cs.name, r.note"
    " FROM commitment_report r LEFT JOIN staff s ON s.id = r.reported_by"
    " LEFT JOIN staff cs ON cs.id = r.confirmed_by WHERE r.commitment_id = ?1 ORDER BY r.seq";

static int read_reports(struct db *db, struct arena *a, struct commitment *c)
{
    c->nhistory = 0;
    c->history = NULL;
    if (c->reports <= 0)
        return 0;
    c->history = arena_alloc(a, sizeof(*c->history) * (size_t)c->reports);
    if (!c->history)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REPORTS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && c->nhistory < c->reports) {
        struct commitment_report_rec *r = &c->history[c->nhistory++];
        memset(r, 0, sizeof(*r));
        r->id = db_col_int64(st, 0);
        r->seq = (int)db_col_int64(st, 1);
        r->evidence = col_copy(st, 2, a, &oom);
        r->links = col_copy(st, 3, a, &oom);
        r->reported_by = db_col_int64(st, 4);
        r->reported_at = db_col_int64(st, 5);
        r->reported_by_name = col_copy(st, 6, a, &oom);
        r->result = col_copy(st, 7, a, &oom);
        r->confirmed_by = db_col_int64(st, 8);
        r->confirmed_at = db_col_int64(st, 9);
        r->confirmed_by_name = col_copy(st, 10, a, &oom);
        r->note = col_copy(st, 11, a, &oom);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

static int is_staff_owner(const struct actor *who, const char *kind, int64_t owner_id)
{
    return strcmp(kind, "staff") == 0 && who->staff_id > 0 && who->staff_id == owner_id;
}

/* a leader or admin whose subtree holds path, or the command line */
static int manager_over(const struct actor *who, const char *path)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    return (who->role == ROLE_LEADER || who->role == ROLE_ADMIN) && actor_in_scope(who, path);
}

static int may_see(const struct actor *who, const struct commitment *c)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (!staff_role(who->role))
        return 0;
    return actor_in_scope(who, c->path) || is_staff_owner(who, c->owner_kind, c->owner_id);
}

int commitment_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                   struct commitment *out, struct err *e)
{
    char today[DATE_TEXT];
    case_today(now, today);
    struct db_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    int rc = case_select_id(db, SQL_GET, id, &st);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such commitment");
    if (rc < 0)
        return db_fail(e, rc);
    rc = read_row(st, today, a, out);
    db_finalize(st);
    if (rc == 0)
        rc = read_reports(db, a, out);
    if (rc < 0)
        return db_fail(e, rc);
    if (who && !may_see(who, out))
        return err_set(e, ERR_FORBIDDEN, NULL, "the commitment is outside your scope");
    return 0;
}

/* ---- rights ---- */

static int may_edit(const struct actor *who, const struct commitment *c)
{
    return (who->staff_id > 0 && who->staff_id == c->created_by) ||
           is_staff_owner(who, c->owner_kind, c->owner_id) || manager_over(who, c->path);
}

static int may_report(const struct actor *who, const struct commitment *c)
{
    if (strcmp(c->owner_kind, "staff") == 0)
        return is_staff_owner(who, c->owner_kind, c->owner_id) || who->role == ROLE_SYSTEM;
    return manager_over(who, c->path);
}

static int may_confirm(const struct actor *who, const struct commitment *c)
{
    if (!manager_over(who, c->path))
        return 0;
    if (who->role == ROLE_SYSTEM)
        return 1;
    return who->staff_id != c->reported_by && !is_staff_owner(who, c->owner_kind, c->owner_id);
}

/* the state allows a report at today */
static int report_open(const struct commitment *c, const char *today)
{
    if (strcmp(c->state, "open") == 0)
        return 1;
    return (strcmp(c->state, "partly") == 0 || strcmp(c->state, "missed") == 0) &&
           strcmp(today, c->due_day) <= 0;
}

static int withdraw_open(const struct commitment *c, const char *today)
{
    return is_open_state(c->state) && strcmp(today, c->due_day) <= 0;
}

unsigned commitment_actions(const struct actor *who, const struct commitment *c, int64_t now)
{
    char today[DATE_TEXT];
    case_today(now, today);
    unsigned bits = 0;
    if (!may_see(who, c))
        return 0;
    if (strcmp(c->state, "open") == 0 && c->reports == 0 && may_edit(who, c))
        bits |= COMMITMENT_ACT_EDIT;
    if (report_open(c, today) && may_report(who, c))
        bits |= COMMITMENT_ACT_REPORT;
    if (strcmp(c->state, "reported") == 0 && may_confirm(who, c))
        bits |= COMMITMENT_ACT_CONFIRM;
    if (withdraw_open(c, today) && may_edit(who, c))
        bits |= COMMITMENT_ACT_WITHDRAW;
    return bits;
}

/* ---- checks ---- */

/* The due day of due_day or period into due (and the period into period,
 * "" for a day), at least today and at most COMMITMENT_YEARS_AHEAD years on. */
static int due_of(const char *due_day, const char *period, const char *today, char due[DATE_TEXT],
                  struct err *e)
{
    if (due_day && period)
        return err_set(e, ERR_INVALID, "period", "give due_day or period, not both");
    if (!due_day && !period)
        return err_set(e, ERR_INVALID, "due_day", "due_day or period is required");
    const char *field = due_day ? "due_day" : "period";
    if (due_day) {
        int32_t d;
        if (date_parse(due_day, &d) < 0)
            return err_set(e, ERR_INVALID, "due_day", "due_day must be a date YYYY-MM-DD");
        copy(due, DATE_TEXT, due_day);
    } else {
        char from[DATE_TEXT];
        enum commitment_grain g;
        if (commitment_period_range(period, from, due, &g) < 0)
            return err_set(e, ERR_INVALID, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    }
    if (strcmp(due, today) < 0)
        return err_set(e, ERR_INVALID, field, "the commitment would be due in the past");
    int32_t t, d;
    date_parse(today, &t);
    date_parse(due, &d);
    if (d - t > 366 * COMMITMENT_YEARS_AHEAD)
        return err_set(e, ERR_INVALID, field, "the due day is more than %d years ahead",
                       COMMITMENT_YEARS_AHEAD);
    return 0;
}

/* the fields an input and a patch share; NULL fields are not checked */
static int fields_check(const char *text, const char *category, const char *target_text,
                        const char *target_value, const char *target_unit, const char *visibility,
                        struct err *e)
{
    if (text && !text_ok(text, 1, COMMITMENT_TEXT_MAX, 1))
        return err_set(e, ERR_INVALID, "text", "text must be 1-%d characters", COMMITMENT_TEXT_MAX);
    if (category && !one_of(category, CATEGORIES, COUNT_OF(CATEGORIES)))
        return err_set(e, ERR_INVALID, "category",
                       "category must be service, efficiency, conduct, integrity or other");
    if (target_text && !text_ok(target_text, 0, COMMITMENT_TARGET_MAX, 0))
        return err_set(e, ERR_INVALID, "target_text", "target_text must be up to %d characters",
                       COMMITMENT_TARGET_MAX);
    if (target_value && !decimal_ok(target_value))
        return err_set(e, ERR_INVALID, "target_value",
                       "target_value must be a number with up to 12 digits and 6 decimals");
    if (target_unit && !text_ok(target_unit, 0, COMMITMENT_UNIT_MAX, 0))
        return err_set(e, ERR_INVALID, "target_unit", "target_unit must be up to %d characters",
                       COMMITMENT_UNIT_MAX);
    if (visibility && !one_of(visibility, VISIBILITIES, COUNT_OF(VISIBILITIES)))
        return err_set(e, ERR_INVALID, "visibility", "visibility must be public or internal");
    return 0;
}

static json_t *snapshot(const struct commitment *c)
{
    return json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s}", "owner_kind", c->owner_kind, "owner_id",
                     (json_int_t)c->owner_id, "text", c->text ? c->text : "", "category",
                     c->category ? c->category : "", "due_day", c->due_day, "visibility",
                     c->visibility, "state", c->state);
}

/* the owner was rescored-relevant: its confirmed figures changed */
static int touch_owner(struct db *db, const struct commitment *c, struct err *e)
{
    int rc = score_touch(db, c->owner_kind, c->owner_id);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- creating and editing ---- */

static const char SQL_STAFF_HOME[] = "SELECT s.node_id, n.path, s.active FROM staff s"
                                     " JOIN org_node n ON n.id = s.node_id WHERE s.id = ?1";

/* the owner's node and path; ERR_INVALID "owner_id" when there is none */
static int owner_node(struct db *db, const char *kind, int64_t owner_id, int64_t *node_id,
                      char path[ACTOR_PATH_MAX], struct err *e)
{
    if (strcmp(kind, "staff") == 0) {
        struct db_stmt *st = NULL;
        int rc = case_select_id(db, SQL_STAFF_HOME, owner_id, &st);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "owner_id", "no such staff member");
        if (rc < 0)
            return db_fail(e, rc);
        *node_id = db_col_int64(st, 0);
        copy(path, ACTOR_PATH_MAX, db_col_text(st, 1));
        int active = db_col_int64(st, 2) != 0;
        db_finalize(st);
        if (!active)
            return err_set(e, ERR_INVALID, "owner_id", "the staff member is not active");
        return 0;
    }
    struct org_node n;
    int rc = org_get(db, owner_id, &n);
    if (rc == ERR_NOTFOUND || (rc == 0 && (strcmp(n.kind, kind) != 0 || !n.active)))
        return err_set(e, ERR_INVALID, "owner_id", "no such active %s", kind);
    if (rc < 0)
        return db_fail(e, rc);
    *node_id = n.id;
    copy(path, ACTOR_PATH_MAX, n.path);
    return 0;
}

static const char SQL_INSERT[] =
    "INSERT INTO commitment (region_id, owner_kind, owner_id, node_id, node_path, body, category,"
    " target_text, target_value, target_unit, period, due_day, visibility, state, created_by,"
    " created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'open', ?14, ?15, ?15)"
    " RETURNING id";

static void bind_text_or_null(struct db_stmt *st, int idx, const char *s)
{
    if (s)
        db_bind_text(st, idx, s);
    else
        db_bind_null(st, idx);
}

static void bind_staff(struct db_stmt *st, int idx, const struct actor *who)
{
    if (who->staff_id > 0)
        db_bind_int64(st, idx, who->staff_id);
    else
        db_bind_null(st, idx);
}

int commitment_create(struct db *db, const struct actor *who, const struct commitment_input *in,
                      int64_t now, int64_t *id, struct err *e)
{
    char today[DATE_TEXT], due[DATE_TEXT], path[ACTOR_PATH_MAX];
    int64_t node_id = 0;
    *id = 0;
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    case_today(now, today);
    if (!one_of(in->owner_kind, KINDS, COUNT_OF(KINDS)))
        return err_set(e, ERR_INVALID, "owner_kind", "owner_kind must be unit, window or staff");
    if (in->owner_id <= 0)
        return err_set(e, ERR_INVALID, "owner_id", "owner_id is required");
    if (!in->text)
        return err_set(e, ERR_INVALID, "text", "text is required");
    if (!in->category)
        return err_set(e, ERR_INVALID, "category", "category is required");
    int rc = fields_check(in->text, in->category, in->target_text, in->target_value,
                          in->target_unit, in->visibility, e);
    if (rc == 0)
        rc = due_of(in->due_day, in->period, today, due, e);
    if (rc == 0)
        rc = owner_node(db, in->owner_kind, in->owner_id, &node_id, path, e);
    if (rc < 0)
        return rc;
    if (!is_staff_owner(who, in->owner_kind, in->owner_id) && !manager_over(who, path))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "you may make commitments for yourself, or as a leader within your scope");
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, case_region_of(path));
    db_bind_text(st, 2, in->owner_kind);
    db_bind_int64(st, 3, in->owner_id);
    db_bind_int64(st, 4, node_id);
    db_bind_text(st, 5, path);
    db_bind_text(st, 6, in->text);
    db_bind_text(st, 7, in->category);
    db_bind_text(st, 8, in->target_text ? in->target_text : "");
    bind_text_or_null(st, 9, in->target_value);
    db_bind_text(st, 10, in->target_unit ? in->target_unit : "");
    db_bind_text(st, 11, in->period ? in->period : "");
    db_bind_text(st, 12, due);
    db_bind_text(st, 13, in->visibility ? in->visibility : "public");
    bind_staff(st, 14, who);
    db_bind_int64(st, 15, now);
    rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    struct arena a = {0};
    struct commitment c = {0};
    rc = commitment_get(db, NULL, *id, now, &a, &c, e);
    if (rc == 0) {
        rc = audit_append(db, who, "commitment.create", "commitment", *id, node_id, NULL,
                          snapshot(&c));
        if (rc < 0)
            db_fail(e, rc);
    }
    arena_reset(&a);
    return rc;
}

static const char SQL_UPDATE[] =
    "UPDATE commitment SET body = ?2, category = ?3, target_text = ?4, target_value = ?5,"
    " target_unit = ?6, period = ?7, due_day = ?8, visibility = ?9, updated_at = ?10"
    " WHERE id = ?1 AND state = 'open' AND reports = 0";

/* load c for a write; ERR_NOTFOUND / ERR_FORBIDDEN (may not see it) */
static int load_for_write(struct db *db, const struct actor *who, int64_t id, int64_t now,
                          struct arena *a, struct commitment *c, struct err *e)
{
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    return commitment_get(db, who, id, now, a, c, e);
}

int commitment_update(struct db *db, const struct actor *who, int64_t id,
                      const struct commitment_patch *p, int64_t now, struct err *e)
{
    char today[DATE_TEXT], due[DATE_TEXT];
    case_today(now, today);
    struct arena a = {0};
    struct commitment c = {0};
    int rc = load_for_write(db, who, id, now, &a, &c, e);
    if (rc == 0 && !may_edit(who, &c))
        rc = err_set(e, ERR_FORBIDDEN, NULL, "you may not edit this commitment");
    if (rc == 0 && (strcmp(c.state, "open") != 0 || c.reports > 0))
        rc = err_set(e, ERR_CONFLICT, "state",
                     "a commitment can be edited only before its first"
                     " report");
    if (rc == 0)
        rc = fields_check(p->text, p->category, p->target_text,
                          p->set_target_value ? p->target_value : NULL, p->target_unit,
                          p->visibility, e);
    const char *period = c.period;
    copy(due, sizeof(due), c.due_day);
    if (rc == 0 && (p->due_day || p->period)) {
        rc = due_of(p->due_day, p->period, today, due, e);
        period = p->period ? p->period : "";
    }
    struct db_stmt *st = NULL;
    if (rc == 0 && (rc = db_prepare(db, SQL_UPDATE, &st)) < 0)
        db_fail(e, rc);
    if (rc == 0) {
        json_t *before = snapshot(&c);
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, p->text ? p->text : c.text);
        db_bind_text(st, 3, p->category ? p->category : c.category);
        db_bind_text(st, 4, p->target_text ? p->target_text : c.target_text);
        bind_text_or_null(st, 5, p->set_target_value ? p->target_value : c.target_value);
        db_bind_text(st, 6, p->target_unit ? p->target_unit : c.target_unit);
        db_bind_text(st, 7, period ? period : "");
        db_bind_text(st, 8, due);
        db_bind_text(st, 9, p->visibility ? p->visibility : c.visibility);
        db_bind_int64(st, 10, now);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0) {
            json_decref(before);
            db_fail(e, rc);
        } else {
            rc = commitment_get(db, NULL, id, now, &a, &c, e);
            if (rc == 0 && (rc = audit_append(db, who, "commitment.update", "commitment", id,
                                              c.node_id, before, snapshot(&c))) < 0)
                db_fail(e, rc);
            else if (rc < 0)
                json_decref(before);
        }
    }
    arena_reset(&a);
    return rc;
}

/* ---- reports, confirmations, withdrawal ---- */

static int link_ok(const char *s)
{
    return s && (strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
           strlen(s) > 8 && text_ok(s, 1, COMMITMENT_LINK_MAX, 0) && !strchr(s, ' ');
}

static const char SQL_REPORT_ADD[] =
    "INSERT INTO commitment_report (commitment_id, seq, evidence, links, reported_by,"
    " reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_REPORT_SET[] =
    "UPDATE commitment SET state = 'reported', reports = reports + 1, reported_at = ?2,"
    " reported_by = ?3, confirmed_at = NULL, confirmed_by = NULL, confirm_note = NULL,"
    " updated_at = ?2 WHERE id = ?1 AND reports = ?4";

int commitment_report(struct db *db, const struct actor *who, int64_t id, const char *evidence,
                      const char *const *links, int nlinks, int64_t now, struct err *e)
{
    char today[DATE_TEXT];
    case_today(now, today);
    if (!text_ok(evidence, 1, COMMITMENT_NOTE_MAX, 1))
        return err_set(e, ERR_INVALID, "evidence", "evidence must be 1-%d characters",
                       COMMITMENT_NOTE_MAX);
    if (nlinks < 0 || nlinks > COMMITMENT_LINKS_MAX)
        return err_set(e, ERR_INVALID, "links", "at most %d links", COMMITMENT_LINKS_MAX);
    json_t *arr = json_array();
    for (int i = 0; arr && i < nlinks; i++) {
        if (!link_ok(links[i])) {
            json_decref(arr);
            return err_set(e, ERR_INVALID, "links",
                           "each link must be an http(s) address of up to %d characters",
                           COMMITMENT_LINK_MAX);
        }
        json_array_append_new(arr, json_string(links[i]));
    }
    char *links_text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!links_text)
        return db_fail(e, ERR_NOMEM);
    struct arena a = {0};
    struct commitment c = {0};
    int rc = load_for_write(db, who, id, now, &a, &c, e);
    if (rc == 0 && !may_report(who, &c) && strcmp(c.owner_kind, "staff") == 0)
        rc =
            err_set(e, ERR_FORBIDDEN, NULL, "only the staff member may report on their commitment");
    else if (rc == 0 && !may_report(who, &c))
        rc = err_set(e, ERR_FORBIDDEN, NULL,
                     "only a leader over the owner may report on this commitment");
    if (rc == 0 && !report_open(&c, today)) {
        if (strcmp(c.state, "reported") == 0)
            rc = err_set(e, ERR_CONFLICT, "state", "the report awaits confirmation");
        else if (strcmp(c.state, "partly") == 0 || strcmp(c.state, "missed") == 0)
            rc = err_set(e, ERR_CONFLICT, "state",
                         "the due day has passed: the confirmation stands");
        else
            rc = err_set(e, ERR_CONFLICT, "state", "the commitment takes no more reports");
    }
    struct db_stmt *st = NULL;
    if (rc == 0) {
        rc = db_prepare(db, SQL_REPORT_ADD, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, c.reports + 1);
            db_bind_text(st, 3, evidence);
            db_bind_text(st, 4, links_text);
            bind_staff(st, 5, who);
            db_bind_int64(st, 6, now);
            rc = db_step(st);
            db_finalize(st);
        }
        if (rc >= 0 && (rc = db_prepare(db, SQL_REPORT_SET, &st)) == 0) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, now);
            bind_staff(st, 3, who);
            db_bind_int64(st, 4, c.reports);
            rc = db_step(st);
            db_finalize(st);
        }
        rc = rc < 0 ? db_fail(e, rc) : 0;
    }
    if (rc == 0 &&
        (rc = audit_append(db, who, "commitment.report", "commitment", id, c.node_id,
                           json_pack("{s:s}", "state", c.state),
                           json_pack("{s:s,s:i,s:s,s:s}", "state", "reported", "seq", c.reports + 1,
                                     "evidence", evidence, "links", links_text))) < 0)
        db_fail(e, rc);
    free(links_text);
    arena_reset(&a);
    return rc;
}

static const char SQL_CONFIRM_REPORT[] =
    "UPDATE commitment_report SET result = ?3, confirmed_by = ?4, confirmed_at = ?5, note = ?6"
    " WHERE commitment_id = ?1 AND seq = ?2 AND result IS NULL";
static const char SQL_CONFIRM_SET[] =
    "UPDATE commitment SET state = ?2, confirmed_at = ?3, confirmed_by = ?4, confirm_note = ?5,"
    " updated_at = ?3 WHERE id = ?1 AND state = 'reported'";

int commitment_confirm(struct db *db, const struct actor *who, int64_t id, const char *result,
                       const char *note, int64_t now, struct err *e)
{
    if (!one_of(result, RESULTS, COUNT_OF(RESULTS)))
        return err_set(e, ERR_INVALID, "result", "result must be fulfilled, partly or missed");
    if (!text_ok(note, 1, COMMITMENT_NOTE_MAX, 1))
        return err_set(e, ERR_INVALID, "note", "note must be 1-%d characters", COMMITMENT_NOTE_MAX);
    struct arena a = {0};
    struct commitment c = {0};
    int rc = load_for_write(db, who, id, now, &a, &c, e);
    if (rc == 0 && !may_confirm(who, &c) && manager_over(who, c.path))
        rc = err_set(e, ERR_FORBIDDEN, NULL, "nobody confirms their own report or commitment");
    else if (rc == 0 && !may_confirm(who, &c))
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only a leader over the owner may confirm");
    if (rc == 0 && strcmp(c.state, "reported") != 0)
        rc = err_set(e, ERR_CONFLICT, "state", "no report awaits confirmation");
    struct db_stmt *st = NULL;
    if (rc == 0) {
        rc = db_prepare(db, SQL_CONFIRM_REPORT, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, c.reports);
            db_bind_text(st, 3, result);
            bind_staff(st, 4, who);
            db_bind_int64(st, 5, now);
            db_bind_text(st, 6, note);
            rc = db_step(st);
            db_finalize(st);
        }
        if (rc >= 0 && (rc = db_prepare(db, SQL_CONFIRM_SET, &st)) == 0) {
            db_bind_int64(st, 1, id);
            db_bind_text(st, 2, result);
            db_bind_int64(st, 3, now);
            bind_staff(st, 4, who);
            db_bind_text(st, 5, note);
            rc = db_step(st);
            db_finalize(st);
        }
        if (rc >= 0)
            rc = audit_append(
                db, who, "commitment.confirm", "commitment", id, c.node_id,
                json_pack("{s:s}", "state", c.state),
                json_pack("{s:s,s:i,s:s}", "state", result, "seq", c.reports, "note", note));
        if (rc < 0)
            db_fail(e, rc);
    }
    if (rc == 0)
        rc = touch_owner(db, &c, e);
    arena_reset(&a);
    return rc;
}

static const char SQL_WITHDRAW[] =
    "UPDATE commitment SET state = 'withdrawn', withdrawn_at = ?2, withdrawn_by = ?3,"
    " withdraw_reason = ?4, updated_at = ?2 WHERE id = ?1 AND state IN ('open', 'reported')";

int commitment_withdraw(struct db *db, const struct actor *who, int64_t id, const char *reason,
                        int64_t now, struct err *e)
{
    char today[DATE_TEXT];
    case_today(now, today);
    if (!text_ok(reason, 1, COMMITMENT_NOTE_MAX, 1))
        return err_set(e, ERR_INVALID, "reason", "reason must be 1-%d characters",
                       COMMITMENT_NOTE_MAX);
    struct arena a = {0};
    struct commitment c = {0};
    int rc = load_for_write(db, who, id, now, &a, &c, e);
    if (rc == 0 && !may_edit(who, &c))
        rc = err_set(e, ERR_FORBIDDEN, NULL, "you may not withdraw this commitment");
    if (rc == 0 && !withdraw_open(&c, today) && is_open_state(c.state))
        rc = err_set(e, ERR_CONFLICT, "state", "the due day has passed: the commitment counts");
    else if (rc == 0 && !withdraw_open(&c, today))
        rc = err_set(e, ERR_CONFLICT, "state",
                     "a confirmed or withdrawn commitment cannot be withdrawn");
    struct db_stmt *st = NULL;
    if (rc == 0) {
        rc = db_prepare(db, SQL_WITHDRAW, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, now);
            bind_staff(st, 3, who);
            db_bind_text(st, 4, reason);
            rc = db_step(st);
            db_finalize(st);
        }
        if (rc >= 0)
            rc = audit_append(db, who, "commitment.withdraw", "commitment", id, c.node_id,
                              json_pack("{s:s}", "state", c.state),
                              json_pack("{s:s,s:s}", "state", "withdrawn", "reason", reason));
        if (rc < 0)
            db_fail(e, rc);
    }
    if (rc == 0)
        rc = touch_owner(db, &c, e);
    arena_reset(&a);
    return rc;
}

/* ---- lists ---- */

/* What the caller may see: the subtree [?1, ?2) or their own (?3). The
 * filters: node subtree [?4, ?5) ('' none), owner kind ?6, owner ?7, category
 * ?8, state ?9, visibility ?10, overdue ?11 at today ?12, mine ?13, due day
 * from ?14 to ?15 ('' open). */
#define CM_WHERE                                                                                   \
    " WHERE ((" CM_PATH " >= ?1 AND " CM_PATH " < ?2)"                                             \
    " OR (c.owner_kind = 'staff' AND c.owner_id = ?3))"                                            \
    " AND (?4 = '' OR (" CM_PATH " >= ?4 AND " CM_PATH " < ?5))"                                   \
    " AND (?6 = '' OR c.owner_kind = ?6) AND (?7 = 0 OR c.owner_id = ?7)"                          \
    " AND (?8 = '' OR c.category = ?8) AND (?9 = '' OR c.state = ?9)"                              \
    " AND (?10 = '' OR c.visibility = ?10)"                                                        \
    " AND (?11 = 0 OR (c.state IN ('open', 'reported') AND c.due_day < ?12))"                      \
    " AND (?13 = 0 OR (c.owner_kind = 'staff' AND c.owner_id = ?3))"                               \
    " AND (?14 = '' OR c.due_day >= ?14) AND (?15 = '' OR c.due_day <= ?15)"

static const char SQL_LIST[] =
    "SELECT " CM_COLS CM_FROM CM_WHERE " ORDER BY c.due_day, c.id LIMIT ?16 OFFSET ?17";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM commitment c" CM_OWNER_JOIN CM_WHERE;

struct cm_query {
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    char nlo[ACTOR_PATH_MAX], nhi[ACTOR_PATH_MAX];
    int64_t staff_id, owner_id;
    const char *owner_kind, *category, *state, *visibility, *from, *to;
    int overdue, mine;
    char today[DATE_TEXT];
};

static void cm_bind(struct db_stmt *st, const void *ctx)
{
    const struct cm_query *q = ctx;
    db_bind_text(st, 1, q->lo);
    db_bind_text(st, 2, q->hi);
    db_bind_int64(st, 3, q->staff_id > 0 ? q->staff_id : -1);
    db_bind_text(st, 4, q->nlo);
    db_bind_text(st, 5, q->nhi);
    db_bind_text(st, 6, q->owner_kind ? q->owner_kind : "");
    db_bind_int64(st, 7, q->owner_id);
    db_bind_text(st, 8, q->category ? q->category : "");
    db_bind_text(st, 9, q->state ? q->state : "");
    db_bind_text(st, 10, q->visibility ? q->visibility : "");
    db_bind_int64(st, 11, q->overdue ? 1 : 0);
    db_bind_text(st, 12, q->today);
    db_bind_int64(st, 13, q->mine ? 1 : 0);
    db_bind_text(st, 14, q->from ? q->from : "");
    db_bind_text(st, 15, q->to ? q->to : "");
}

static int cm_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    const struct cm_query *q = ctx;
    return read_row(st, q->today, a, item);
}

/* a node filter: its path into lo/hi; ERR_INVALID "node_id", ERR_FORBIDDEN */
static int node_range(struct db *db, const struct actor *who, int64_t node_id, char *lo, char *hi,
                      struct err *e)
{
    struct org_node n;
    int rc = org_get(db, node_id, &n);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return db_fail(e, rc);
    if (who && !actor_in_scope(who, n.path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    copy(lo, ACTOR_PATH_MAX, n.path);
    org_path_end(lo, hi, ACTOR_PATH_MAX);
    return 0;
}

int commitment_list(struct db *db, const struct actor *who, const struct commitment_filter *f,
                    int64_t now, struct arena *a, struct commitment **out, int *n, int64_t *total,
                    struct err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    if (f->owner_kind && !one_of(f->owner_kind, KINDS, COUNT_OF(KINDS)))
        return err_set(e, ERR_INVALID, "owner_kind", "owner_kind must be unit, window or staff");
    if (f->owner_id && !f->owner_kind)
        return err_set(e, ERR_INVALID, "owner_kind", "owner_id needs owner_kind");
    if (f->category && !one_of(f->category, CATEGORIES, COUNT_OF(CATEGORIES)))
        return err_set(e, ERR_INVALID, "category",
                       "category must be service, efficiency, conduct, integrity or other");
    if (f->state && !one_of(f->state, STATES, COUNT_OF(STATES)))
        return err_set(e, ERR_INVALID, "state",
                       "state must be open, reported, fulfilled, partly, missed or withdrawn");
    if (f->visibility && !one_of(f->visibility, VISIBILITIES, COUNT_OF(VISIBILITIES)))
        return err_set(e, ERR_INVALID, "visibility", "visibility must be public or internal");
    if (f->from && !day_ok(f->from))
        return err_set(e, ERR_INVALID, "from", "from must be a date YYYY-MM-DD");
    if (f->to && !day_ok(f->to))
        return err_set(e, ERR_INVALID, "to", "to must be a date YYYY-MM-DD");
    if (f->page < 1 || f->page > PAGE_MAX)
        return err_set(e, ERR_INVALID, "page", "page must be 1-%d", PAGE_MAX);
    if (f->per_page < 1 || f->per_page > PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be 1-%d", PER_PAGE_MAX);
    struct cm_query *q = arena_alloc(a, sizeof(*q));
    if (!q)
        return db_fail(e, ERR_NOMEM);
    memset(q, 0, sizeof(*q));
    copy(q->lo, sizeof(q->lo), who->scope[0] ? who->scope : "/");
    org_path_end(q->lo, q->hi, sizeof(q->hi));
    q->staff_id = who->staff_id;
    if (f->node_id) {
        int rc = node_range(db, who, f->node_id, q->nlo, q->nhi, e);
        if (rc < 0)
            return rc;
    }
    q->owner_kind = f->owner_kind;
    q->owner_id = f->owner_id;
    q->category = f->category;
    q->state = f->state;
    q->visibility = f->visibility;
    q->overdue = f->overdue;
    q->mine = f->mine;
    q->from = f->from;
    q->to = f->to;
    case_today(now, q->today);
    struct case_page p = {SQL_COUNT, SQL_LIST, 16, cm_bind, cm_row, q, sizeof(**out)};
    void *items = NULL;
    int rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- figures per owner ---- */

static const char SQL_OWNER_FIGURES[] =
    "SELECT c.owner_kind, c.owner_id, MIN(COALESCE(so.name, o.name)), MIN(COALESCE(sn.name,"
    " o.name)), COUNT(*), SUM(CASE WHEN c.state = 'fulfilled' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN c.state = 'partly' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN c.state = 'missed' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN c.state IN ('open', 'reported') THEN 1 ELSE 0 END)"
    " FROM commitment c JOIN org_node o ON o.id = c.node_id" CM_OWNER_JOIN
    " WHERE c.due_day >= ?1 AND c.due_day <= ?2 AND c.state <> 'withdrawn'"
    " AND " CM_PATH " >= ?3 AND " CM_PATH " < ?4 AND (?5 = '' OR c.owner_kind = ?5)"
    " AND (?6 = 0 OR c.visibility = 'public')"
    " GROUP BY c.owner_kind, c.owner_id ORDER BY c.owner_kind, c.owner_id LIMIT ?7";

int commitment_owner_figures(struct db *db, const struct actor *who, const char *path,
                             const char *owner_kind, const char *from, const char *to,
                             int public_only, struct arena *a,
                             struct commitment_owner_figures **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (who && !staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    if (owner_kind && !one_of(owner_kind, KINDS, COUNT_OF(KINDS)))
        return err_set(e, ERR_INVALID, "owner_kind", "owner_kind must be unit, window or staff");
    if (!day_ok(from) || !day_ok(to))
        return err_set(e, ERR_INVALID, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    if (who && !actor_in_scope(who, path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    char hi[ACTOR_PATH_MAX];
    org_path_end(path, hi, sizeof(hi));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_OWNER_FIGURES, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_text(st, 1, from);
    db_bind_text(st, 2, to);
    db_bind_text(st, 3, path);
    db_bind_text(st, 4, hi);
    db_bind_text(st, 5, owner_kind ? owner_kind : "");
    db_bind_int64(st, 6, public_only ? 1 : 0);
    db_bind_int64(st, 7, COMMITMENT_FIGURES_MAX);
    int cap = 64, oom = 0;
    struct commitment_owner_figures *items = arena_alloc(a, sizeof(*items) * (size_t)cap);
    if (!items)
        oom = 1;
    while (!oom && (rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            struct commitment_owner_figures *more =
                arena_alloc(a, sizeof(*items) * (size_t)cap * 2);
            if (!more) {
                oom = 1;
                break;
            }
            memcpy(more, items, sizeof(*items) * (size_t)cap);
            items = more;
            cap *= 2;
        }
        struct commitment_owner_figures *o = &items[(*n)++];
        memset(o, 0, sizeof(*o));
        copy(o->kind, sizeof(o->kind), db_col_text(st, 0));
        o->owner_id = db_col_int64(st, 1);
        o->name = col_copy(st, 2, a, &oom);
        o->node_name = col_copy(st, 3, a, &oom);
        read_figures(st, 4, &o->f);
    }
    db_finalize(st);
    if (oom)
        return db_fail(e, ERR_NOMEM);
    if (rc < 0)
        return db_fail(e, rc);
    *out = items;
    return 0;
}

static const char SQL_PUBLIC[] =
    "SELECT " CM_COLS CM_FROM
    " WHERE c.visibility = 'public' AND c.state <> 'withdrawn' AND c.due_day >= ?1"
    " AND c.due_day <= ?2 AND " CM_PATH " >= ?3 AND " CM_PATH " < ?4"
    " ORDER BY c.due_day, c.id LIMIT ?5";

int commitment_public_list(struct db *db, const char *path, const char *from, const char *to,
                           int64_t now, struct arena *a, struct commitment **out, int *n, int *more)
{
    char today[DATE_TEXT], hi[ACTOR_PATH_MAX];
    *out = NULL;
    *n = 0;
    *more = 0;
    case_today(now, today);
    org_path_end(path, hi, sizeof(hi));
    struct commitment *items = arena_alloc(a, sizeof(*items) * COMMITMENT_PUBLIC_MAX);
    if (!items)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PUBLIC, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, from);
    db_bind_text(st, 2, to);
    db_bind_text(st, 3, path);
    db_bind_text(st, 4, hi);
    db_bind_int64(st, 5, COMMITMENT_PUBLIC_MAX + 1);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == COMMITMENT_PUBLIC_MAX) {
            *more = 1;
            break;
        }
        if ((rc = read_row(st, today, a, &items[*n])) < 0)
            break;
        (*n)++;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    *out = items;
    return 0;
}

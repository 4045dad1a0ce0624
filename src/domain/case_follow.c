/* case_follow.c - what follows a case: accountability decisions (责任追究),
 * follow-up calls (服务回访), efficiency statistics (效能) and the staff
 * member's own notifications (case.h, case_follow.h). acct_create and
 * followup_schedule live in case.c, beside case completion, which calls them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/case_follow.h"
#include "domain/case_impl.h"
#include "domain/org.h"
#include "domain/queue.h"

#define PAGE_MAX 1000000
#define PER_PAGE_MAX 1000

static int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

/* Column col as an arena copy, NULL for SQL NULL; *oom set when the copy fails. */
static const char *col_copy(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = db_col_text(st, col);
    if (!s)
        return NULL;
    char *c = arena_strdup(a, s);
    if (!c)
        *oom = 1;
    return c;
}

/* [lo, hi): every path under path ("" - the command line - is everything). */
static void range_of(const char *path, char lo[ACTOR_PATH_MAX], char hi[ACTOR_PATH_MAX])
{
    snprintf(lo, ACTOR_PATH_MAX, "%s", path && *path ? path : "/");
    org_path_end(lo, hi, ACTOR_PATH_MAX);
}

/* The range a list covers: the actor's scope, or the subtree of node_id
 * (which must exist and lie in the scope). */
static int node_range(struct db *db, const struct actor *who, int64_t node_id,
                      char lo[ACTOR_PATH_MAX], char hi[ACTOR_PATH_MAX], struct err *e)
{
    if (!node_id) {
        range_of(who->scope, lo, hi);
        return 0;
    }
    struct org_node n;
    int rc = org_get(db, node_id, &n);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return db_fail(e, rc);
    if (!actor_in_scope(who, n.path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    range_of(n.path, lo, hi);
    return 0;
}

static int page_ok(int64_t page, int64_t per_page, struct err *e)
{
    if (page < 1 || page > PAGE_MAX)
        return err_set(e, ERR_INVALID, "page", "page must be 1-%d", PAGE_MAX);
    if (per_page < 1 || per_page > PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be 1-%d", PER_PAGE_MAX);
    return 0;
}

/* The node id a materialised path ends with: "/1/4/9/" → 9. */
static int64_t path_leaf(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n < 2 || path[n - 1] != '/')
        return 0;
    size_t i = n - 1;
    while (i > 0 && path[i - 1] != '/')
        i--;
    char seg[24];
    size_t len = n - 1 - i;
    int64_t id = 0;
    if (len == 0 || len >= sizeof(seg))
        return 0;
    memcpy(seg, path + i, len);
    seg[len] = '\0';
    return parse_int64(seg, 1, INT64_MAX, &id) == 0 ? id : 0;
}

static int staff_role(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_LEADER || r == ROLE_SUPERVISOR || r == ROLE_STAFF ||
           r == ROLE_SYSTEM;
}

static int one_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* ---- accountability ---- */

#define ACCT_COLS                                                                                  \
    "a.id, a.staff_id, s.name, a.case_id, c.number, a.source, a.reason, a.status, a.grade,"        \
    " a.decision_note, cb.name, a.created_at, d.name, a.decided_at, a.node_path"
#define ACCT_FROM                                                                                  \
    " FROM accountability a JOIN staff s ON s.id = a.staff_id"                                     \
    " LEFT JOIN case_file c ON c.id = a.case_id LEFT JOIN staff cb ON cb.id = a.created_by"        \
    " LEFT JOIN staff d ON d.id = a.decided_by"

static const char SQL_ACCT_GET[] = "SELECT " ACCT_COLS ACCT_FROM " WHERE a.id = ?1";

/* the node path of the row read too, into path (may be NULL) */
static int read_acct(struct db_stmt *st, struct arena *a, struct acct_rec *r,
                     char path[ACTOR_PATH_MAX])
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->staff_id = db_col_int64(st, 1);
    r->staff_name = col_copy(st, 2, a, &oom);
    r->case_id = db_col_int64(st, 3);
    r->case_number = col_copy(st, 4, a, &oom);
    r->source = col_copy(st, 5, a, &oom);
    r->reason = col_copy(st, 6, a, &oom);
    r->status = col_copy(st, 7, a, &oom);
    r->grade = col_copy(st, 8, a, &oom);
    r->decision_note = col_copy(st, 9, a, &oom);
    r->created_by_name = col_copy(st, 10, a, &oom);
    r->created_at = db_col_int64(st, 11);
    r->decided_by_name = col_copy(st, 12, a, &oom);
    r->decided_at = db_col_int64(st, 13);
    if (path) {
        const char *p = db_col_text(st, 14);
        snprintf(path, ACTOR_PATH_MAX, "%s", p ? p : "");
    }
    return oom ? ERR_NOMEM : 0;
}

static int acct_load(struct db *db, int64_t id, struct arena *a, struct acct_rec *out,
                     char path[ACTOR_PATH_MAX])
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_ACCT_GET, id, &st);
    if (rc == 0)
        rc = read_acct(st, a, out, path);
    db_finalize(st);
    return rc;
}

int acct_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
             struct acct_rec *out)
{
    char path[ACTOR_PATH_MAX];
    int rc = acct_load(db, id, a, out, path);
    if (rc < 0)
        return rc;
    if (who && !actor_in_scope(who, path) && !(who->staff_id && who->staff_id == out->staff_id))
        return ERR_FORBIDDEN;
    return 0;
}

static const char *const GRADES[] = {"reminder", "criticism", "formal"};
static const char *const GRADE_ZH[] = {"提醒", "批评", "正式处理"};

static const char SQL_ACCT_DECIDE[] =
    "UPDATE accountability SET status = ?2, grade = ?3, decided_by = ?4, decided_at = ?5,"
    " decision_note = ?6 WHERE id = ?1 AND status = 'pending'";

int acct_decide(struct db *db, const struct actor *who, int64_t id, const char *grade, int dismiss,
                const char *note, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct acct_rec rec;
    char path[ACTOR_PATH_MAX];
    int rc = acct_load(db, id, &a, &rec, path);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such accountability record");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if ((who->role != ROLE_LEADER && who->role != ROLE_SYSTEM) || !actor_in_scope(who, path)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only a leader over the person may decide");
        goto done;
    }
    if (who->staff_id && who->staff_id == rec.staff_id) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "nobody decides a record against themselves");
        goto done;
    }
    int g = -1;
    for (int i = 0; grade && i < 3; i++)
        if (strcmp(grade, GRADES[i]) == 0)
            g = i;
    if (dismiss ? grade != NULL : g < 0) {
        rc = err_set(e, ERR_INVALID, "grade",
                     dismiss ? "a dismissal has no grade"
                             : "grade must be reminder, criticism or formal (or dismiss)");
        goto done;
    }
    if (!note || parse_text(note, 1, CASE_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "note", "note must have 1-%d characters", CASE_TEXT_MAX);
        goto done;
    }
    if (!rec.status || strcmp(rec.status, "pending") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "the record is already %s", rec.status);
        goto done;
    }
    const char *status = dismiss ? "dismissed" : "decided";
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_ACCT_DECIDE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, status);
        db_bind_text(st, 3, dismiss ? NULL : GRADES[g]);
        if (who->staff_id)
            db_bind_int64(st, 4, who->staff_id);
        else
            db_bind_null(st, 4);
        db_bind_int64(st, 5, now);
        db_bind_text(st, 6, note);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    char msg[CASE_NUMBER_MAX + 128];
    snprintf(msg, sizeof(msg), "责任追究%s%s%s：%s", rec.case_number ? "（办件 " : "",
             rec.case_number ? rec.case_number : "", rec.case_number ? "）" : "",
             dismiss ? "不予追究" : GRADE_ZH[g]);
    rc = case_notify(db, rec.staff_id, NULL, "accountability", rec.case_id, 0, msg, now, NULL);
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    json_t *before = json_pack("{s:s}", "status", rec.status);
    json_t *after = json_pack("{s:s,s:s?,s:I}", "status", status, "grade",
                              dismiss ? NULL : GRADES[g], "staff_id", (json_int_t)rec.staff_id);
    rc = audit_append(db, who, "accountability.decide", "accountability", id, path_leaf(path),
                      before, after);
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

#define ACCT_WHERE                                                                                 \
    " WHERE ((a.node_path >= ?1 AND a.node_path < ?2) OR a.staff_id = ?3)"                         \
    " AND (?4 = 0 OR a.staff_id = ?4) AND (?5 = '' OR a.status = ?5)"
static const char SQL_ACCT_LIST[] =
    "SELECT " ACCT_COLS ACCT_FROM ACCT_WHERE " ORDER BY a.id DESC LIMIT ?6 OFFSET ?7";
static const char SQL_ACCT_COUNT[] = "SELECT COUNT(*) FROM accountability a" ACCT_WHERE;

struct acct_query {
    const struct actor *who;
    const struct acct_filter *f;
    const char *lo, *hi;
};

static void acct_bind(struct db_stmt *st, const void *ctx)
{
    const struct acct_query *q = ctx;
    db_bind_text(st, 1, q->lo);
    db_bind_text(st, 2, q->hi);
    db_bind_int64(st, 3, q->who->staff_id ? q->who->staff_id : -1);
    db_bind_int64(st, 4, q->f->staff_id);
    db_bind_text(st, 5, q->f->status ? q->f->status : "");
}

static int acct_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    (void)ctx;
    return read_acct(st, a, item, NULL);
}

int acct_list(struct db *db, const struct actor *who, const struct acct_filter *f, struct arena *a,
              struct acct_rec **out, int *n, int64_t *total, struct err *e)
{
    static const char *const statuses[] = {"pending", "decided", "dismissed"};
    *n = 0;
    *total = 0;
    *out = NULL;
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    if (f->status && !one_of(f->status, statuses, 3))
        return err_set(e, ERR_INVALID, "status", "status must be pending, decided or dismissed");
    int rc = page_ok(f->page, f->per_page, e);
    if (rc < 0)
        return rc;
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    range_of(who->scope, lo, hi);
    struct acct_query q = {who, f, lo, hi};
    struct case_page p = {SQL_ACCT_COUNT, SQL_ACCT_LIST, 6, acct_bind, acct_row, &q, sizeof(**out)};
    void *items = NULL;
    rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- follow-up calls ---- */

#define FOLLOWUP_COLS                                                                              \
    "f.id, f.case_id, c.number, c.item_name, c.applicant_name, c.phone_mask, f.due_day,"           \
    " f.status, f.result, f.satisfaction, f.notes, s.name, f.called_at, f.node_path, c.node_id"
#define FOLLOWUP_FROM                                                                              \
    " FROM followup f JOIN case_file c ON c.id = f.case_id"                                        \
    " LEFT JOIN staff s ON s.id = f.called_by"

static const char SQL_FOLLOWUP_GET[] = "SELECT " FOLLOWUP_COLS FOLLOWUP_FROM " WHERE f.id = ?1";

/* path and node (may be NULL) get the follow-up's node path and its case's node */
static int read_followup(struct db_stmt *st, const char *today, struct arena *a,
                         struct followup_rec *r, char path[ACTOR_PATH_MAX], int64_t *node_id)
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->case_id = db_col_int64(st, 1);
    r->case_number = col_copy(st, 2, a, &oom);
    r->item_name = col_copy(st, 3, a, &oom);
    r->applicant_name = col_copy(st, 4, a, &oom);
    r->phone_mask = col_copy(st, 5, a, &oom);
    r->due_day = col_copy(st, 6, a, &oom);
    r->status = col_copy(st, 7, a, &oom);
    r->result = col_copy(st, 8, a, &oom);
    r->satisfaction = (int)db_col_int64(st, 9);
    r->notes = col_copy(st, 10, a, &oom);
    r->called_by_name = col_copy(st, 11, a, &oom);
    r->called_at = db_col_int64(st, 12);
    if (path) {
        const char *p = db_col_text(st, 13);
        snprintf(path, ACTOR_PATH_MAX, "%s", p ? p : "");
    }
    if (node_id)
        *node_id = db_col_int64(st, 14);
    if (oom)
        return ERR_NOMEM;
    r->overdue = r->status && r->due_day && strcmp(r->status, "scheduled") == 0 &&
                 strcmp(r->due_day, today) < 0;
    return 0;
}

static int followup_load(struct db *db, int64_t id, int64_t now, struct arena *a,
                         struct followup_rec *out, char path[ACTOR_PATH_MAX], int64_t *node_id)
{
    memset(out, 0, sizeof(*out));
    char today[DATE_TEXT];
    queue_service_day(now, today);
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_FOLLOWUP_GET, id, &st);
    if (rc == 0)
        rc = read_followup(st, today, a, out, path, node_id);
    db_finalize(st);
    return rc;
}

int followup_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                 struct followup_rec *out)
{
    char path[ACTOR_PATH_MAX];
    int rc = followup_load(db, id, now, a, out, path, NULL);
    if (rc == 0 && who && !actor_in_scope(who, path))
        rc = ERR_FORBIDDEN;
    return rc;
}

/* scheduled ones first (oldest due first), then done ones (latest call first) */
#define FOLLOWUP_WHERE                                                                             \
    " WHERE f.node_path >= ?1 AND f.node_path < ?2 AND (?3 = '' OR f.status = ?3)"                 \
    " AND (?4 = 0 OR (f.status = 'scheduled' AND f.due_day < ?5))"
static const char SQL_FOLLOWUP_LIST[] =
    "SELECT " FOLLOWUP_COLS FOLLOWUP_FROM FOLLOWUP_WHERE
    " ORDER BY f.status DESC, f.due_day, f.called_at DESC, f.id LIMIT ?6 OFFSET ?7";
static const char SQL_FOLLOWUP_COUNT[] = "SELECT COUNT(*) FROM followup f" FOLLOWUP_WHERE;

struct followup_query {
    const struct followup_filter *f;
    const char *lo, *hi, *today;
};

static void followup_bind(struct db_stmt *st, const void *ctx)
{
    const struct followup_query *q = ctx;
    db_bind_text(st, 1, q->lo);
    db_bind_text(st, 2, q->hi);
    db_bind_text(st, 3, q->f->status ? q->f->status : "");
    db_bind_int64(st, 4, q->f->overdue_only ? 1 : 0);
    db_bind_text(st, 5, q->today);
}

static int followup_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    const struct followup_query *q = ctx;
    return read_followup(st, q->today, a, item, NULL, NULL);
}

int followup_list(struct db *db, const struct actor *who, const struct followup_filter *f,
                  int64_t now, struct arena *a, struct followup_rec **out, int *n, int64_t *total,
                  struct err *e)
{
    static const char *const statuses[] = {"scheduled", "done"};
    *n = 0;
    *total = 0;
    *out = NULL;
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    if (f->status && !one_of(f->status, statuses, 2))
        return err_set(e, ERR_INVALID, "status", "status must be scheduled or done");
    int rc = page_ok(f->page, f->per_page, e);
    if (rc < 0)
        return rc;
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX], today[DATE_TEXT];
    rc = node_range(db, who, f->node_id, lo, hi, e);
    if (rc < 0)
        return rc;
    queue_service_day(now, today);
    struct followup_query q = {f, lo, hi, today};
    struct case_page p = {SQL_FOLLOWUP_COUNT, SQL_FOLLOWUP_LIST, 6, followup_bind, followup_row, &q,
                          sizeof(**out)};
    void *items = NULL;
    rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

static const char SQL_FOLLOWUP_RECORD[] =
    "UPDATE followup SET status = 'done', result = ?2, satisfaction = ?3, notes = ?4,"
    " called_by = ?5, called_at = ?6 WHERE id = ?1 AND status = 'scheduled'";

int followup_record(struct db *db, const struct actor *who, int64_t id, const char *result,
                    int satisfaction, const char *notes, int64_t now, struct err *e)
{
    static const char *const results[] = {"reached", "unreachable", "declined"};
    struct arena a = {0};
    struct followup_rec rec;
    char path[ACTOR_PATH_MAX];
    int64_t node_id = 0;
    int rc = followup_load(db, id, now, &a, &rec, path, &node_id);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such follow-up");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if (!staff_role(who->role) || !actor_in_scope(who, path)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "the follow-up is outside your scope");
        goto done;
    }
    if (!one_of(result, results, 3)) {
        rc = err_set(e, ERR_INVALID, "result", "result must be reached, unreachable or declined");
        goto done;
    }
    int reached = strcmp(result, "reached") == 0;
    if (reached ? satisfaction < 1 || satisfaction > 5 : satisfaction != 0) {
        rc = err_set(e, ERR_INVALID, "satisfaction",
                     reached ? "satisfaction 1-5 is required when the citizen was reached"
                             : "satisfaction is only given when the citizen was reached");
        goto done;
    }
    if (notes && parse_text(notes, 0, CASE_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "notes", "notes may have up to %d characters", CASE_TEXT_MAX);
        goto done;
    }
    if (!rec.status || strcmp(rec.status, "scheduled") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "the follow-up call is already recorded");
        goto done;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_FOLLOWUP_RECORD, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, result);
        if (reached)
            db_bind_int64(st, 3, satisfaction);
        else
            db_bind_null(st, 3);
        db_bind_text(st, 4, notes && *notes ? notes : NULL);
        if (who->staff_id)
            db_bind_int64(st, 5, who->staff_id);
        else
            db_bind_null(st, 5);
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    json_t *after = json_pack("{s:s,s:I,s:i}", "result", result, "case_id", (json_int_t)rec.case_id,
                              "satisfaction", satisfaction);
    rc = audit_append(db, who, "followup.record", "followup", id, node_id, NULL, after);
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

/* ---- efficiency statistics ---- */

/* Completed 承诺件 closed in [?1, ?2] under [?3, ?4), grouped by KEY: the
 * range on closed_day with state = 'completed' is what case_file_closed
 * indexes; node_path is only filtered on (|| '' keeps engines off the path
 * index, which would walk a whole region's cases). */
#define STATS_INNER(KEY, EXTRA)                                                                    \
    "SELECT " KEY " AS k, COUNT(*) AS n,"                                                          \
    " SUM(CASE WHEN c.outcome = 'early' THEN 1 ELSE 0 END) AS early,"                              \
    " SUM(CASE WHEN c.outcome = 'on_time' THEN 1 ELSE 0 END) AS on_time,"                          \
    " SUM(CASE WHEN c.outcome = 'late' THEN 1 ELSE 0 END) AS late,"                                \
    " SUM(c.used_units) AS used, COUNT(c.used_units) AS nused,"                                    \
    " SUM(c.promised_limit + c.extension_days) AS promised" EXTRA " FROM case_file c"              \
    " WHERE c.state = 'completed' AND c.closed_day >= ?1 AND c.closed_day <= ?2"                   \
    " AND c.kind = 'promised' AND c.outcome IS NOT NULL"                                           \
    " AND (c.node_path || '') >= ?3 AND (c.node_path || '') < ?4 GROUP BY " KEY
#define STATS_COLS "g.k, g.n, g.early, g.on_time, g.late, g.used, g.nused, g.promised"

static const char SQL_STATS_ITEM[] = "SELECT " STATS_COLS ", g.code, g.name FROM (" STATS_INNER(
    "c.item_id", ", MAX(c.item_code) AS code, MAX(c.item_name) AS name") ") g"
                                                                         " ORDER BY g.code, g.k";
static const char SQL_STATS_WINDOW[] = "SELECT " STATS_COLS ", w.code, w.name FROM (" STATS_INNER(
    "COALESCE(c.window_id, 0)", "") ") g LEFT JOIN org_node w ON w.id = g.k"
                                    " ORDER BY w.path IS NULL, w.path, g.k";
static const char SQL_STATS_UNIT[] = "SELECT " STATS_COLS ", u.code, u.name FROM (" STATS_INNER(
    "c.node_id", "") ") g LEFT JOIN org_node u ON u.id = g.k ORDER BY u.path, g.k";
static const char SQL_STATS_STAFF[] = "SELECT " STATS_COLS ", s.login, s.name FROM (" STATS_INNER(
    "c.handler_id", "") ") g LEFT JOIN staff s ON s.id = g.k ORDER BY s.name, g.k";

/* running sums of one row (used and promised kept as sums until the end) */
struct stat_sum {
    int64_t n, early, on_time, late, used, nused, promised;
};

static void stat_finish(const struct stat_sum *s, struct case_stat_row *r)
{
    r->completed = s->n;
    r->early = s->early;
    r->on_time = s->on_time;
    r->late = s->late;
    r->avg_used = s->nused ? (double)s->used / (double)s->nused : 0.0;
    r->avg_promised = s->n ? (double)s->promised / (double)s->n : 0.0;
}

int case_stats(struct db *db, const struct actor *who, const char *group, const char *from,
               const char *to, int64_t node_id, struct arena *a, struct case_stat_row **out, int *n,
               struct case_stat_row *total, struct err *e)
{
    static const char *const groups[] = {"item", "window", "unit", "staff"};
    static const char *const sqls[] = {SQL_STATS_ITEM, SQL_STATS_WINDOW, SQL_STATS_UNIT,
                                       SQL_STATS_STAFF};
    *n = 0;
    *out = NULL;
    memset(total, 0, sizeof(*total));
    total->key = "";
    total->label = "";
    if (!staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    int gi = -1;
    for (int i = 0; group && i < 4; i++)
        if (strcmp(group, groups[i]) == 0)
            gi = i;
    if (gi < 0)
        return err_set(e, ERR_INVALID, "group", "group must be item, window, unit or staff");
    int32_t dfrom = 0, dto = 0;
    if (!from || date_parse(from, &dfrom) < 0)
        return err_set(e, ERR_INVALID, "from", "from must be a date as YYYY-MM-DD");
    if (!to || date_parse(to, &dto) < 0)
        return err_set(e, ERR_INVALID, "to", "to must be a date as YYYY-MM-DD");
    if (dto < dfrom)
        return err_set(e, ERR_INVALID, "to", "to must not be before from");
    if (dto - dfrom + 1 > CASE_STATS_SPAN_DAYS)
        return err_set(e, ERR_INVALID, "to", "the period may span at most %d days",
                       CASE_STATS_SPAN_DAYS);
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX], dayfrom[DATE_TEXT], dayto[DATE_TEXT];
    int rc = node_range(db, who, node_id, lo, hi, e);
    if (rc < 0)
        return rc;
    /* canonical text, as the column holds it */
    date_format(dfrom, dayfrom);
    date_format(dto, dayto);
    *out = arena_alloc(a, sizeof(**out) * CASE_STATS_GROUPS_MAX);
    if (!*out)
        return db_fail(e, ERR_NOMEM);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, sqls[gi], &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_text(st, 1, dayfrom);
    db_bind_text(st, 2, dayto);
    db_bind_text(st, 3, lo);
    db_bind_text(st, 4, hi);
    struct stat_sum all = {0};
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct stat_sum s = {db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3),
                             db_col_int64(st, 4), db_col_int64(st, 5), db_col_int64(st, 6),
                             db_col_int64(st, 7)};
        all.n += s.n;
        all.early += s.early;
        all.on_time += s.on_time;
        all.late += s.late;
        all.used += s.used;
        all.nused += s.nused;
        all.promised += s.promised;
        if (*n >= CASE_STATS_GROUPS_MAX)
            continue;
        struct case_stat_row *r = &(*out)[(*n)++];
        r->key_id = db_col_int64(st, 0);
        r->key = col_copy(st, 8, a, &oom);
        r->label = col_copy(st, 9, a, &oom);
        if (!r->key)
            r->key = "";
        if (!r->label)
            r->label = "";
        stat_finish(&s, r);
    }
    db_finalize(st);
    if (rc < 0 || oom)
        return db_fail(e, oom ? ERR_NOMEM : rc);
    stat_finish(&all, total);
    return 0;
}

/* ---- notifications ---- */

#define NOTE_COLS                                                                                  \
    "n.id, n.kind, n.message, n.case_id, c.number, n.inquiry_id, n.created_at, n.read_at"
#define NOTE_FROM " FROM notification n LEFT JOIN case_file c ON c.id = n.case_id"

static const char SQL_NOTE_GET[] =
    "SELECT " NOTE_COLS NOTE_FROM " WHERE n.id = ?1 AND n.staff_id = ?2";
static const char SQL_NOTE_LIST[] =
    "SELECT " NOTE_COLS NOTE_FROM " WHERE n.staff_id = ?1 AND (?2 = 0 OR n.read_at IS NULL)"
    " ORDER BY n.id DESC LIMIT ?3 OFFSET ?4";
static const char SQL_NOTE_COUNT[] = "SELECT COUNT(*), SUM(CASE WHEN read_at IS NULL THEN 1 ELSE"
                                     " 0 END) FROM notification WHERE staff_id = ?1";
static const char SQL_NOTE_READ[] =
    "UPDATE notification SET read_at = ?3 WHERE id = ?1 AND staff_id = ?2 AND read_at IS NULL";

static int read_note(struct db_stmt *st, struct arena *a, struct notification_rec *r)
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->kind = col_copy(st, 1, a, &oom);
    r->message = col_copy(st, 2, a, &oom);
    r->case_id = db_col_int64(st, 3);
    r->case_number = col_copy(st, 4, a, &oom);
    r->inquiry_id = db_col_int64(st, 5);
    r->created_at = db_col_int64(st, 6);
    r->read_at = db_col_int64(st, 7);
    return oom ? ERR_NOMEM : 0;
}

struct note_query {
    int64_t staff_id;
    int unread_only;
};

static void note_bind(struct db_stmt *st, const void *ctx)
{
    const struct note_query *q = ctx;
    db_bind_int64(st, 1, q->staff_id);
    db_bind_int64(st, 2, q->unread_only ? 1 : 0);
}

static int note_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    (void)ctx;
    return read_note(st, a, item);
}

int notification_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                     struct notification_rec *out)
{
    if (who->staff_id <= 0)
        return ERR_NOTFOUND;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NOTE_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, who->staff_id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_note(st, a, out);
    else if (rc >= 0)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc;
}

int notification_list(struct db *db, const struct actor *who, int unread_only, int64_t page,
                      int64_t per_page, struct arena *a, struct notification_rec **out, int *n,
                      int64_t *total, int64_t *unread, struct err *e)
{
    *n = 0;
    *total = 0;
    *unread = 0;
    *out = NULL;
    int rc = page_ok(page, per_page, e);
    if (rc < 0)
        return rc;
    if (who->staff_id <= 0)
        return 0; /* devices and the command line have no inbox */
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_NOTE_COUNT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, who->staff_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        *unread = db_col_int64(st, 1);
        *total = unread_only ? *unread : db_col_int64(st, 0);
    }
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    /* the count above gives total and unread at once */
    struct note_query q = {who->staff_id, unread_only};
    struct case_page p = {NULL, SQL_NOTE_LIST, 3, note_bind, note_row, &q, sizeof(**out)};
    void *items = NULL;
    rc = case_page_read(db, &p, page, per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

int notification_read(struct db *db, const struct actor *who, int64_t id, int64_t now,
                      struct err *e)
{
    struct arena a = {0};
    struct notification_rec rec;
    int rc = notification_get(db, who, id, &a, &rec);
    arena_reset(&a);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such notification");
    if (rc < 0)
        return db_fail(e, rc);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_NOTE_READ, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, who->staff_id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? db_fail(e, rc) : 0;
}

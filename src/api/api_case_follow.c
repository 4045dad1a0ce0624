/* api_case_follow.c - what follows a case, over HTTP: follow-up calls (服务回访),
 * accountability records (责任追究), the staff member's notifications, the
 * region's case settings and the efficiency statistics (docs/api.md, "Cases
 * 办件 …", "Follow-ups, accountability, notifications, settings"). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/case_follow.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* NULL for "" (an empty form field): no filter */
static const char *nz_query(struct req *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && *v ? v : NULL;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *followup_json(const struct followup_rec *f)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(f->id));
    json_object_set_new(j, "case_id", json_integer(f->case_id));
    json_object_set_new(j, "case_number", str_or_null(f->case_number));
    json_object_set_new(j, "item_name", str_or_null(f->item_name));
    json_object_set_new(j, "applicant_name", str_or_null(f->applicant_name));
    json_object_set_new(j, "phone_mask", str_or_null(f->phone_mask));
    json_object_set_new(j, "due_day", str_or_null(f->due_day));
    json_object_set_new(j, "status", str_or_null(f->status));
    json_object_set_new(j, "overdue", json_boolean(f->overdue));
    json_object_set_new(j, "result", str_or_null(f->result));
    json_object_set_new(j, "satisfaction", id_or_null(f->satisfaction));
    json_object_set_new(j, "notes", str_or_null(f->notes));
    json_object_set_new(j, "called_by_name", str_or_null(f->called_by_name));
    json_object_set_new(j, "called_at", id_or_null(f->called_at));
    return j;
}

json_t *api_acct_json(const struct acct_rec *a)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(a->id));
    json_object_set_new(j, "staff_id", json_integer(a->staff_id));
    json_object_set_new(j, "staff_name", str_or_null(a->staff_name));
    json_object_set_new(j, "case_id", id_or_null(a->case_id));
    json_object_set_new(j, "case_number", str_or_null(a->case_number));
    json_object_set_new(j, "source", str_or_null(a->source));
    json_object_set_new(j, "reason", str_or_null(a->reason));
    json_object_set_new(j, "status", str_or_null(a->status));
    json_object_set_new(j, "grade", str_or_null(a->grade));
    json_object_set_new(j, "decision_note", str_or_null(a->decision_note));
    json_object_set_new(j, "created_by_name", str_or_null(a->created_by_name));
    json_object_set_new(j, "created_at", json_integer(a->created_at));
    json_object_set_new(j, "decided_by_name", str_or_null(a->decided_by_name));
    json_object_set_new(j, "decided_at", id_or_null(a->decided_at));
    return j;
}

static json_t *note_json(const struct notification_rec *n)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(n->id));
    json_object_set_new(j, "kind", str_or_null(n->kind));
    json_object_set_new(j, "message", str_or_null(n->message));
    json_object_set_new(j, "case_id", id_or_null(n->case_id));
    json_object_set_new(j, "case_number", str_or_null(n->case_number));
    json_object_set_new(j, "inquiry_id", id_or_null(n->inquiry_id));
    json_object_set_new(j, "created_at", json_integer(n->created_at));
    json_object_set_new(j, "read_at", id_or_null(n->read_at));
    return j;
}

static json_t *settings_json(const struct case_settings *s)
{
    return json_pack("{s:I,s:i,s:i,s:i,s:i}", "region_id", (json_int_t)s->region_id, "yellow_pct",
                     s->yellow_pct, "escalate_minutes", s->escalate_minutes, "followup_sample_pct",
                     s->followup_sample_pct, "followup_days", s->followup_days);
}

/* a share rounded to 4 places, an average to 2 */
static double share(int64_t part, int64_t whole)
{
    return whole > 0 ? round((double)part / (double)whole * 10000.0) / 10000.0 : 0.0;
}

static json_t *stat_json(const struct case_stat_row *s)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:f}", "key_id",
                     (json_int_t)s->key_id, "key", s->key, "label", s->label, "completed",
                     (json_int_t)s->completed, "early", (json_int_t)s->early, "on_time",
                     (json_int_t)s->on_time, "late", (json_int_t)s->late, "early_rate",
                     share(s->early, s->completed), "on_time_rate",
                     share(s->early + s->on_time, s->completed), "late_rate",
                     share(s->late, s->completed), "avg_used", round(s->avg_used * 100.0) / 100.0,
                     "avg_promised", round(s->avg_promised * 100.0) / 100.0);
}

/* ---- writes ---- */

struct fop {
    struct api_op op;
    int64_t now;
    int64_t id, staff_id, case_id;
    const char *result, *notes, *grade, *note;
    int64_t satisfaction;
    int dismiss;
    struct case_settings settings;
};

static struct fop *fop_new(struct req *r)
{
    struct fop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

/* The prologue of a POST on one record: a new op for a staff caller, no
 * query, the path's id in q->id. NULL when the request is answered. */
static struct fop *fop_for_id(struct req *r)
{
    struct fop *q = fop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0)
        return NULL;
    return q;
}

static int nomem(struct err *e)
{
    return err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* The end of a run answering with the record it read back: rc is the
 * read's, op->result the record's JSON (NULL when out of memory). */
static int read_back(struct api_op *op, int rc, struct err *e)
{
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return op->result ? 0 : nomem(e);
}

/* ---- follow-ups ---- */

/* GET /api/followups?status=&overdue=&node_id=&page=&per_page= */
static int api_followups_list(struct req *r)
{
    struct followup_filter f = {0};
    int64_t overdue = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.status = nz_query(r, "status");
    if (req_query_int(r, "overdue", 0, 1, &overdue) < 0 ||
        req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, f.node_id, "node_id") < 0)
        return REQ_DONE;
    f.overdue_only = (int)overdue;
    struct followup_rec *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (followup_list(req_db(r), &r->who, &f, now_s(), &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, followup_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static int run_followup_record(struct db *db, struct api_op *op, struct err *e)
{
    struct fop *q = (struct fop *)op;
    int rc =
        followup_record(db, &op->who, q->id, q->result, (int)q->satisfaction, q->notes, q->now, e);
    if (rc < 0)
        return rc;
    struct arena a = {0};
    struct followup_rec f;
    rc = followup_get(db, NULL, q->id, q->now, &a, &f);
    if (rc == 0)
        op->result = followup_json(&f);
    arena_reset(&a);
    return read_back(op, rc, e);
}

/* POST /api/followups/{id} {result, satisfaction?, notes?} */
static int api_followup_record(struct req *r)
{
    struct fop *q = fop_for_id(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"result", JF_STRING, 1, &q->result, 1, 16, NULL},
        {"satisfaction", JF_ID_OR_NULL, 0, &q->satisfaction, 1, 5, NULL},
        {"notes", JF_STRING, 0, &q->notes, 0, CASE_TEXT_MAX, NULL},
    };
    if (api_body(r, f, 3) < 0)
        return REQ_DONE;
    q->op.run = run_followup_record;
    return api_submit(r, &q->op);
}

/* ---- accountability ---- */

/* GET /api/accountability?staff_id=&status=&page=&per_page= */
static int api_acct_list(struct req *r)
{
    struct acct_filter f = {0};
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.status = nz_query(r, "status");
    if (req_query_int(r, "staff_id", 1, INT64_MAX, &f.staff_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct acct_rec *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (acct_list(req_db(r), &r->who, &f, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, api_acct_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static int acct_result(struct db *db, struct api_op *op, int64_t id, struct err *e)
{
    struct arena a = {0};
    struct acct_rec rec;
    int rc = acct_get(db, NULL, id, &a, &rec);
    if (rc == 0)
        op->result = api_acct_json(&rec);
    arena_reset(&a);
    return read_back(op, rc, e);
}

static int run_acct_decide(struct db *db, struct api_op *op, struct err *e)
{
    struct fop *q = (struct fop *)op;
    int rc = acct_decide(db, &op->who, q->id, q->grade, q->dismiss, q->note, q->now, e);
    return rc < 0 ? rc : acct_result(db, op, q->id, e);
}

static int run_acct_create(struct db *db, struct api_op *op, struct err *e)
{
    struct fop *q = (struct fop *)op;
    int64_t id = 0;
    int rc = acct_create(db, &op->who, q->staff_id, q->case_id, "finding", q->note, q->now, &id, e);
    return rc < 0 ? rc : acct_result(db, op, id, e);
}

/* POST /api/accountability {staff_id, reason, case_id?}: a finding, by a
 * leader or supervisor over the person */
static int api_acct_create(struct req *r)
{
    struct fop *q = fop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"staff_id", JF_INT, 1, &q->staff_id, 1, INT64_MAX, NULL},
        {"reason", JF_STRING, 1, &q->note, 1, CASE_TEXT_MAX, NULL},
        {"case_id", JF_ID_OR_NULL, 0, &q->case_id, 1, INT64_MAX, NULL},
    };
    if (api_role(r, (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR)) < 0 || req_query_done(r) < 0 ||
        api_body(r, f, 3) < 0)
        return REQ_DONE;
    q->op.run = run_acct_create;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

/* POST /api/accountability/{id}/decide {grade|null, dismiss?, note} */
static int api_acct_decide(struct req *r)
{
    struct fop *q = fop_for_id(r);
    if (!q)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    /* "grade": null is a dismissal's grade: the same as leaving it out */
    if (json_is_null(json_object_get(j, "grade")))
        json_object_del(j, "grade");
    struct jfield f[] = {
        {"grade", JF_STRING, 0, &q->grade, 1, 16, NULL},
        {"dismiss", JF_BOOL, 0, &q->dismiss, 0, 0, NULL},
        {"note", JF_STRING, 1, &q->note, 1, CASE_TEXT_MAX, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, 3, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    q->op.run = run_acct_decide;
    return api_submit(r, &q->op);
}

/* ---- notifications ---- */

/* GET /api/notifications?unread=1&page=&per_page= */
static int api_notes_list(struct req *r)
{
    int64_t unread_only = 0, page, per_page;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_int(r, "unread", 0, 1, &unread_only) < 0 ||
        api_page(r, &page, &per_page) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct notification_rec *items = NULL;
    int n = 0;
    int64_t total = 0, unread = 0;
    struct err e = {0};
    if (notification_list(req_db(r), &r->who, (int)unread_only, page, per_page, &r->arena, &items,
                          &n, &total, &unread, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, note_json(&items[i]));
    json_t *out = api_page_json(arr, total, page, per_page);
    if (out)
        json_object_set_new(out, "unread", json_integer(unread));
    return req_json(r, 200, out);
}

static int run_note_read(struct db *db, struct api_op *op, struct err *e)
{
    struct fop *q = (struct fop *)op;
    int rc = notification_read(db, &op->who, q->id, q->now, e);
    if (rc < 0)
        return rc;
    struct arena a = {0};
    struct notification_rec n;
    rc = notification_get(db, &op->who, q->id, &a, &n);
    if (rc == 0)
        op->result = note_json(&n);
    arena_reset(&a);
    return read_back(op, rc, e);
}

/* POST /api/notifications/{id}/read */
static int api_note_read(struct req *r)
{
    struct fop *q = fop_for_id(r);
    if (!q)
        return REQ_DONE;
    q->op.run = run_note_read;
    return api_submit(r, &q->op);
}

/* ---- settings ---- */

/* GET /api/case-settings: the caller's region */
static int api_settings_get(struct req *r)
{
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct case_settings s;
    int rc = case_settings_get(req_db(r), case_region_of(r->who.scope), &s);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, settings_json(&s));
}

static int run_settings_put(struct db *db, struct api_op *op, struct err *e)
{
    struct fop *q = (struct fop *)op;
    int rc = case_settings_put(db, &op->who, &q->settings, q->now, e);
    if (rc < 0)
        return rc;
    op->result = settings_json(&q->settings);
    return op->result ? 0 : nomem(e);
}

/* PUT /api/case-settings {yellow_pct, escalate_minutes, followup_sample_pct,
 * followup_days}: an administrator at the region's root */
static int api_settings_put(struct req *r)
{
    struct fop *q = fop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    /* wide bounds here: the domain names the field and its range */
    int64_t v[4] = {0};
    struct jfield f[] = {
        {"yellow_pct", JF_INT, 1, &v[0], INT32_MIN, INT32_MAX, NULL},
        {"escalate_minutes", JF_INT, 1, &v[1], INT32_MIN, INT32_MAX, NULL},
        {"followup_sample_pct", JF_INT, 1, &v[2], INT32_MIN, INT32_MAX, NULL},
        {"followup_days", JF_INT, 1, &v[3], INT32_MIN, INT32_MAX, NULL},
    };
    if (api_body(r, f, 4) < 0)
        return REQ_DONE;
    q->settings.region_id = case_region_of(r->who.scope);
    q->settings.yellow_pct = (int)v[0];
    q->settings.escalate_minutes = (int)v[1];
    q->settings.followup_sample_pct = (int)v[2];
    q->settings.followup_days = (int)v[3];
    q->op.run = run_settings_put;
    return api_submit(r, &q->op);
}

/* ---- statistics ---- */

/* GET /api/cases/stats?group=item|window|unit|staff&from=&to=&node_id= */
static int api_case_stats(struct req *r)
{
    int64_t node_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    const char *group = nz_query(r, "group");
    const char *from = req_query(r, "from");
    const char *to = req_query(r, "to");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, node_id, "node_id") < 0)
        return REQ_DONE;
    if (!group)
        group = "item";
    struct case_stat_row *rows = NULL, total;
    int n = 0;
    struct err e = {0};
    if (case_stats(req_db(r), &r->who, group, from, to, node_id, &r->arena, &rows, &n, &total, &e) <
        0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, stat_json(&rows[i]));
    return req_json(r, 200,
                    json_pack("{s:s,s:s,s:s,s:o*,s:o*}", "group", group, "from", from, "to", to,
                              "items", arr, "total", stat_json(&total)));
}

/* /api/cases/stats must come before any /api/cases/{id} in the route table:
 * the router takes the first pattern that matches. */
static const struct route routes[] = {
    {HTTP_GET, "/api/cases/stats", api_case_stats, 0, 0, NULL, 0},
    {HTTP_GET, "/api/followups", api_followups_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/followups/{id}", api_followup_record, 0, 0, NULL, 0},
    {HTTP_GET, "/api/accountability", api_acct_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/accountability", api_acct_create, 0, 0, NULL, 0},
    {HTTP_POST, "/api/accountability/{id}/decide", api_acct_decide, 0, 0, NULL, 0},
    {HTTP_GET, "/api/notifications", api_notes_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/notifications/{id}/read", api_note_read, 0, 0, NULL, 0},
    {HTTP_GET, "/api/case-settings", api_settings_get, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/case-settings", api_settings_put, 0, 0, NULL, 0},
};

const struct api_module api_case_follow_module = {routes, sizeof(routes) / sizeof(routes[0])};

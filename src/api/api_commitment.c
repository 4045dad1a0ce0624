/* api_commitment.c - commitments (亮承诺) and their fulfilment (践诺) over
 * HTTP: the board's lists and figures, one commitment, its edit, report,
 * confirmation and withdrawal, the regions' publication setting and the
 * public page (docs/api.md, "Commitments 亮承诺 (issue 7)"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/case.h"
#include "domain/commitment.h"
#include "domain/org.h"
#include "domain/queue.h"

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
    return s && *s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static json_t *number_json(const char *s)
{
    if (!s)
        return json_null();
    if (strchr(s, '.'))
        return json_real(strtod(s, NULL));
    return json_integer(strtoll(s, NULL, 10));
}

static json_t *links_json(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(j)) {
        json_decref(j);
        return json_array();
    }
    return j;
}

/* ---- rendering ---- */

static void set_target(json_t *j, const struct commitment *c)
{
    json_object_set_new(j, "target_text", json_string(c->target_text ? c->target_text : ""));
    json_object_set_new(j, "target_value", number_json(c->target_value));
    json_object_set_new(j, "target_unit", json_string(c->target_unit ? c->target_unit : ""));
}

/* full: with the reports (a commitment_get read) */
static json_t *commitment_json(const struct actor *who, const struct commitment *c, int64_t now,
                               int full)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "owner_kind", json_string(c->owner_kind));
    json_object_set_new(j, "owner_id", json_integer(c->owner_id));
    json_object_set_new(j, "owner_name", str_or_null(c->owner_name));
    json_object_set_new(j, "node_id", json_integer(c->node_id));
    json_object_set_new(j, "node_name", str_or_null(c->node_name));
    json_object_set_new(j, "text", json_string(c->text ? c->text : ""));
    json_object_set_new(j, "category", json_string(c->category ? c->category : ""));
    set_target(j, c);
    json_object_set_new(j, "period", str_or_null(c->period));
    json_object_set_new(j, "due_day", json_string(c->due_day));
    json_object_set_new(j, "visibility", json_string(c->visibility));
    json_object_set_new(j, "state", json_string(c->state));
    json_object_set_new(j, "overdue", json_boolean(c->overdue));
    json_object_set_new(j, "reports", json_integer(c->reports));
    json_object_set_new(j, "reported_at", id_or_null(c->reported_at));
    json_object_set_new(j, "reported_by_name", str_or_null(c->reported_by_name));
    json_object_set_new(j, "confirmed_at", id_or_null(c->confirmed_at));
    json_object_set_new(j, "confirmed_by_name", str_or_null(c->confirmed_by_name));
    json_object_set_new(j, "confirm_note", str_or_null(c->confirm_note));
    json_object_set_new(j, "withdrawn_at", id_or_null(c->withdrawn_at));
    json_object_set_new(j, "withdraw_reason", str_or_null(c->withdraw_reason));
    json_object_set_new(j, "created_by_name", str_or_null(c->created_by_name));
    json_object_set_new(j, "created_at", json_integer(c->created_at));
    json_object_set_new(j, "updated_at", json_integer(c->updated_at));
    unsigned bits = commitment_actions(who, c, now);
    json_object_set_new(j, "actions",
                        json_pack("{s:b,s:b,s:b,s:b}", "edit", (bits & COMMITMENT_ACT_EDIT) != 0,
                                  "report", (bits & COMMITMENT_ACT_REPORT) != 0, "confirm",
                                  (bits & COMMITMENT_ACT_CONFIRM) != 0, "withdraw",
                                  (bits & COMMITMENT_ACT_WITHDRAW) != 0));
    if (full) {
        json_t *arr = json_array();
        for (int i = 0; arr && i < c->nhistory; i++) {
            const struct commitment_report_rec *h = &c->history[i];
            json_t *o = json_object();
            if (!o)
                break;
            json_object_set_new(o, "seq", json_integer(h->seq));
            json_object_set_new(o, "evidence", json_string(h->evidence ? h->evidence : ""));
            json_object_set_new(o, "links", links_json(h->links));
            json_object_set_new(o, "reported_at", json_integer(h->reported_at));
            json_object_set_new(o, "reported_by_name", str_or_null(h->reported_by_name));
            json_object_set_new(o, "result", str_or_null(h->result));
            json_object_set_new(o, "confirmed_at", id_or_null(h->confirmed_at));
            json_object_set_new(o, "confirmed_by_name", str_or_null(h->confirmed_by_name));
            json_object_set_new(o, "note", str_or_null(h->note));
            json_array_append_new(arr, o);
        }
        json_object_set_new(j, "history", arr ? arr : json_array());
    }
    return j;
}

/* what the public sees: no staff who wrote or confirmed, no notes */
static json_t *public_json(const struct commitment *c)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "owner_kind", json_string(c->owner_kind));
    json_object_set_new(j, "owner_id", json_integer(c->owner_id));
    json_object_set_new(j, "owner_name", str_or_null(c->owner_name));
    json_object_set_new(j, "node_name", str_or_null(c->node_name));
    json_object_set_new(j, "text", json_string(c->text ? c->text : ""));
    json_object_set_new(j, "category", json_string(c->category ? c->category : ""));
    set_target(j, c);
    json_object_set_new(j, "period", str_or_null(c->period));
    json_object_set_new(j, "due_day", json_string(c->due_day));
    json_object_set_new(j, "state", json_string(c->state));
    json_object_set_new(j, "overdue", json_boolean(c->overdue));
    json_object_set_new(j, "confirmed_at", id_or_null(c->confirmed_at));
    return j;
}

static json_t *rate_json(const struct commit_figures *f)
{
    if (f->due <= 0)
        return json_null();
    return json_real(round((double)f->fulfilled * 10000.0 / (double)f->due) / 10000.0);
}

static json_t *figures_json(const struct commit_figures *f)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "due", (json_int_t)f->due, "fulfilled",
                     (json_int_t)f->fulfilled, "partly", (json_int_t)f->partly, "missed",
                     (json_int_t)f->missed, "pending", (json_int_t)f->pending, "rate",
                     rate_json(f));
}

/* {"items": [owner …], "totals": figures} */
static json_t *owners_json(const struct commitment_owner_figures *items, int n)
{
    struct commit_figures t = {0};
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        const struct commitment_owner_figures *o = &items[i];
        json_t *j = figures_json(&o->f);
        if (!j)
            break;
        json_object_set_new(j, "owner_kind", json_string(o->kind));
        json_object_set_new(j, "owner_id", json_integer(o->owner_id));
        json_object_set_new(j, "owner_name", str_or_null(o->name));
        json_object_set_new(j, "node_name", str_or_null(o->node_name));
        json_array_append_new(arr, j);
        t.due += o->f.due;
        t.fulfilled += o->f.fulfilled;
        t.partly += o->f.partly;
        t.missed += o->f.missed;
        t.pending += o->f.pending;
    }
    return json_pack("{s:o*,s:o*}", "items", arr, "totals", figures_json(&t));
}

/* ---- period query ---- */

/* ?period= (default: this year) into its range, the end capped at today
 * (a commitment is due once its due day has come). Answers 400 and returns
 * < 0 when bad. */
static int period_query(struct req *r, const char **period, char from[DATE_TEXT],
                        char to[DATE_TEXT], enum commitment_grain *grain, int64_t now)
{
    char today[DATE_TEXT];
    queue_service_day(now, today);
    const char *p = nz_query(r, "period");
    if (!p) {
        char *y = arena_printf(&r->arena, "%.4s", today);
        if (!y)
            return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_NOMEM;
        p = y;
    }
    if (commitment_period_range(p, from, to, grain) < 0)
        return req_error(r, ERR_INVALID, "period", "period must be YYYY, YYYY-Qn or YYYY-MM"),
               ERR_INVALID;
    if (strcmp(to, today) > 0)
        snprintf(to, DATE_TEXT, "%s", today);
    *period = p;
    return 0;
}

/* ---- reads ---- */

/* GET /api/commitments?node_id=&owner_kind=&owner_id=&category=&state=
 *   &visibility=&overdue=&mine=&from=&to=&page=&per_page= */
static int api_commitments_list(struct req *r)
{
    struct commitment_filter f = {0};
    int64_t overdue = 0, mine = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.owner_kind = nz_query(r, "owner_kind");
    f.category = nz_query(r, "category");
    f.state = nz_query(r, "state");
    f.visibility = nz_query(r, "visibility");
    f.from = nz_query(r, "from");
    f.to = nz_query(r, "to");
    if (req_query_int(r, "overdue", 0, 1, &overdue) < 0 ||
        req_query_int(r, "mine", 0, 1, &mine) < 0 ||
        req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0 ||
        req_query_int(r, "owner_id", 1, INT64_MAX, &f.owner_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, f.node_id, "node_id") < 0)
        return REQ_DONE;
    f.overdue = (int)overdue;
    f.mine = (int)mine;
    struct commitment *items = NULL;
    int n = 0;
    int64_t total = 0, now = now_s();
    struct err e = {0};
    if (commitment_list(req_db(r), &r->who, &f, now, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, commitment_json(&r->who, &items[i], now, 0));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* GET /api/commitments/figures?period=&node_id=&owner_kind= */
static int api_commitments_figures(struct req *r)
{
    int64_t node_id = 0, now = now_s();
    const char *period = NULL;
    char from[DATE_TEXT], to[DATE_TEXT];
    enum commitment_grain grain;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    const char *kind = nz_query(r, "owner_kind");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 ||
        period_query(r, &period, from, to, &grain, now) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, node_id, "node_id") < 0)
        return REQ_DONE;
    struct org_node n;
    const char *path = r->who.scope[0] ? r->who.scope : "/";
    if (node_id) {
        int rc = api_org_get(r, node_id, &n);
        if (rc < 0)
            return req_error(r, rc, NULL, "database error");
        path = n.path;
    }
    struct commitment_owner_figures *items = NULL;
    int count = 0;
    struct err e = {0};
    if (commitment_owner_figures(req_db(r), &r->who, path, kind, from, to, 0, &r->arena, &items,
                                 &count, &e) < 0)
        return req_fail(r, &e);
    json_t *j = owners_json(items, count);
    if (!j)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    json_object_set_new(j, "period", json_string(period));
    json_object_set_new(j, "from", json_string(from));
    json_object_set_new(j, "to", json_string(to));
    json_object_set_new(j, "node_id", id_or_null(node_id));
    return req_json(r, 200, j);
}

/* GET /api/commitments/{id} */
static int api_commitments_get(struct req *r)
{
    int64_t id = 0, now = now_s();
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such commitment");
    struct commitment c;
    struct err e = {0};
    if (commitment_get(req_db(r), &r->who, id, now, &r->arena, &c, &e) < 0)
        return req_fail(r, &e);
    json_t *j = commitment_json(&r->who, &c, now, 1);
    return j ? req_json(r, 200, j) : req_error(r, ERR_NOMEM, NULL, "out of memory");
}

/* ---- writes ---- */

struct cop {
    struct api_op op;
    int64_t now, id;
    struct commitment_input in;
    struct commitment_patch patch;
    const char *evidence, *result, *note, *reason, *publish_period;
    const char **links;
    int nlinks;
    int64_t region_id;
    int render; /* answer with the commitment q->id, read after the commit */
};

static struct cop *cop_new(struct req *r)
{
    struct cop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

static int commitment_after(struct req *r, int rc, struct err *e)
{
    struct cop *q = r->job.arg;
    if (rc < 0 || !q->render)
        return api_op_after(r, rc, e);
    struct commitment c;
    struct err ge = {0};
    int64_t now = now_s();
    if (commitment_get(req_db(r), NULL, q->id, now, &r->arena, &c, &ge) < 0)
        return req_fail(r, &ge);
    json_t *j = commitment_json(&q->op.who, &c, now, 1);
    if (!j)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return req_json(r, q->op.status ? q->op.status : 200, j);
}

/* "target_value": a JSON number or null, taken out of the body j into text
 * (set: the key was there). Answers 400 and returns < 0 when bad. */
static int target_value_take(struct req *r, json_t *j, const char **out, int *set)
{
    json_t *v = json_object_get(j, "target_value");
    *out = NULL;
    *set = v != NULL;
    if (!v)
        return 0;
    char buf[48] = "";
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || fabs(d) >= 1e12)
            return req_error(r, ERR_INVALID, "target_value", "target_value is out of range"),
                   ERR_INVALID;
        snprintf(buf, sizeof(buf), "%.6f", d);
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    } else if (!json_is_null(v)) {
        return req_error(r, ERR_INVALID, "target_value", "target_value must be a number or null"),
               ERR_INVALID;
    }
    json_object_del(j, "target_value");
    if (buf[0] && !(*out = arena_strdup(&r->arena, buf)))
        return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_NOMEM;
    return 0;
}

static int run_create(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_create(db, &op->who, &q->in, q->now, &q->id, e);
    q->render = rc == 0;
    return rc;
}

/* the fields a create and an edit share */
#define COMMON_FIELDS(t, c, tt, tu, v, d, p)                                                       \
    {"text", JF_STRING, 0, (t), 0, 100000, NULL}, {"category", JF_STRING, 0, (c), 0, 32, NULL},    \
        {"target_text", JF_STRING, 0, (tt), 0, 100000, NULL},                                      \
        {"target_unit", JF_STRING, 0, (tu), 0, 100000, NULL},                                      \
        {"visibility", JF_STRING, 0, (v), 0, 32, NULL},                                            \
        {"due_day", JF_STRING, 0, (d), 0, 32, NULL},                                               \
    {                                                                                              \
        "period", JF_STRING, 0, (p), 0, 32, NULL                                                   \
    }

/* POST /api/commitments */
static int api_commitments_create(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    struct commitment_input *in = &q->in;
    int set = 0;
    if (target_value_take(r, j, &in->target_value, &set) < 0) {
        json_decref(j);
        return REQ_DONE;
    }
    struct jfield f[] = {
        {"owner_kind", JF_STRING, 1, &in->owner_kind, 1, 16, NULL},
        {"owner_id", JF_INT, 1, &in->owner_id, 1, INT64_MAX, NULL},
        COMMON_FIELDS(&in->text, &in->category, &in->target_text, &in->target_unit, &in->visibility,
                      &in->due_day, &in->period),
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, (int)(sizeof(f) / sizeof(f[0])), &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    q->op.run = run_create;
    q->op.status = 201;
    return api_submit_with(r, &q->op, commitment_after);
}

/* a write on one commitment (path parameter 0 into q->id) */
static struct cop *one_op(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such commitment");
        return NULL;
    }
    return q;
}

static int run_update(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_update(db, &op->who, q->id, &q->patch, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* PATCH /api/commitments/{id} */
static int api_commitments_patch(struct req *r)
{
    struct cop *q = one_op(r);
    if (!q)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    struct commitment_patch *p = &q->patch;
    if (target_value_take(r, j, &p->target_value, &p->set_target_value) < 0) {
        json_decref(j);
        return REQ_DONE;
    }
    struct jfield f[] = {
        COMMON_FIELDS(&p->text, &p->category, &p->target_text, &p->target_unit, &p->visibility,
                      &p->due_day, &p->period),
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, (int)(sizeof(f) / sizeof(f[0])), &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    q->op.run = run_update;
    return api_submit_with(r, &q->op, commitment_after);
}

static int run_report(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_report(db, &op->who, q->id, q->evidence, q->links, q->nlinks, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* "links": an array of strings taken out of j into q. */
static int links_take(struct req *r, json_t *j, struct cop *q)
{
    json_t *v = json_object_get(j, "links");
    if (!v || json_is_null(v)) {
        json_object_del(j, "links");
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) > COMMITMENT_LINKS_MAX)
        return req_error(r, ERR_INVALID, "links", "links must be an array of at most %d addresses",
                         COMMITMENT_LINKS_MAX),
               ERR_INVALID;
    q->nlinks = (int)json_array_size(v);
    q->links = arena_alloc(&r->arena, sizeof(*q->links) * (size_t)(q->nlinks + 1));
    if (!q->links)
        return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_NOMEM;
    for (int i = 0; i < q->nlinks; i++) {
        json_t *s = json_array_get(v, (size_t)i);
        if (!json_is_string(s))
            return req_error(r, ERR_INVALID, "links", "links must be strings"), ERR_INVALID;
        if (!(q->links[i] = arena_strdup(&r->arena, json_string_value(s))))
            return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_NOMEM;
    }
    json_object_del(j, "links");
    return 0;
}

/* POST /api/commitments/{id}/report {evidence, links?} */
static int api_commitments_report(struct req *r)
{
    struct cop *q = one_op(r);
    if (!q)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    if (links_take(r, j, q) < 0) {
        json_decref(j);
        return REQ_DONE;
    }
    struct jfield f[] = {
        {"evidence", JF_STRING, 1, &q->evidence, 1, COMMITMENT_NOTE_MAX, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, 1, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    q->op.run = run_report;
    return api_submit_with(r, &q->op, commitment_after);
}

static int run_confirm(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_confirm(db, &op->who, q->id, q->result, q->note, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* POST /api/commitments/{id}/confirm {result, note} */
static int api_commitments_confirm(struct req *r)
{
    struct cop *q = one_op(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"result", JF_STRING, 1, &q->result, 1, 16, NULL},
        {"note", JF_STRING, 1, &q->note, 1, COMMITMENT_NOTE_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0)
        return REQ_DONE;
    q->op.run = run_confirm;
    return api_submit_with(r, &q->op, commitment_after);
}

static int run_withdraw(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_withdraw(db, &op->who, q->id, q->reason, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* POST /api/commitments/{id}/withdraw {reason} */
static int api_commitments_withdraw(struct req *r)
{
    struct cop *q = one_op(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"reason", JF_STRING, 1, &q->reason, 1, COMMITMENT_NOTE_MAX, NULL},
    };
    if (api_body(r, f, 1) < 0)
        return REQ_DONE;
    q->op.run = run_withdraw;
    return api_submit_with(r, &q->op, commitment_after);
}

/* ---- the regions' setting ---- */

static json_t *setting_json(int64_t region_id, const char *period)
{
    return json_pack("{s:I,s:s}", "region_id", (json_int_t)region_id, "publish_period", period);
}

/* GET /api/commitment-settings?region_id= */
static int api_settings_get(struct req *r)
{
    int64_t region_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "region_id", 1, INT64_MAX, &region_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (!region_id)
        region_id = case_region_of(r->who.scope);
    struct org_node n;
    int rc = api_org_get(r, region_id, &n);
    if (rc == ERR_NOTFOUND || (rc == 0 && n.parent_id != 0))
        return req_error(r, ERR_INVALID, "region_id", "no such region");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    if (case_region_of(r->who.scope) != region_id)
        return req_error(r, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    char period[8];
    rc = commitment_publish_period(req_db(r), region_id, period);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, setting_json(region_id, period));
}

static int run_settings(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = commitment_publish_set(db, &op->who, q->region_id, q->publish_period, q->now, e);
    if (rc < 0)
        return rc;
    op->result = setting_json(q->region_id, q->publish_period);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* PUT /api/commitment-settings {region_id?, publish_period} */
static int api_settings_put(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct jfield f[] = {
        {"region_id", JF_INT, 0, &q->region_id, 1, INT64_MAX, NULL},
        {"publish_period", JF_STRING, 1, &q->publish_period, 1, 16, NULL},
    };
    if (api_body(r, f, 2) < 0)
        return REQ_DONE;
    if (!q->region_id)
        q->region_id = case_region_of(r->who.scope);
    q->op.run = run_settings;
    return api_submit(r, &q->op);
}

/* ---- the public page ---- */

static const char *const GRAIN_NAMES[] = {"", "year", "quarter", "month"};

static enum commitment_grain grain_of(const char *name)
{
    if (strcmp(name, "month") == 0)
        return CG_MONTH;
    return strcmp(name, "quarter") == 0 ? CG_QUARTER : CG_YEAR;
}

/* GET /api/public/commitments?node_id=&period= */
static int api_public_commitments(struct req *r)
{
    int64_t node_id = 0, now = now_s();
    const char *period = NULL;
    char from[DATE_TEXT], to[DATE_TEXT], due_to[DATE_TEXT], publish[8];
    enum commitment_grain grain;
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 ||
        period_query(r, &period, from, due_to, &grain, now) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (!node_id)
        return req_error(r, ERR_INVALID, "node_id", "node_id is required");
    struct org_node n;
    int rc = api_org_get(r, node_id, &n);
    if (rc == ERR_NOTFOUND || (rc == 0 && !n.active))
        return req_error(r, ERR_NOTFOUND, NULL, "no such node");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    struct db *db = req_db(r);
    rc = commitment_publish_period(db, case_region_of(n.path), publish);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    if (grain > grain_of(publish))
        return req_error(r, ERR_INVALID, "period", "this region publishes by %s", publish);
    enum commitment_grain g2;
    commitment_period_range(period, from, to, &g2);
    struct commitment *items = NULL;
    int count = 0, more = 0;
    rc = commitment_public_list(db, n.path, from, to, now, &r->arena, &items, &count, &more);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
    struct commitment_owner_figures *owners = NULL;
    int nowners = 0;
    struct err e = {0};
    if (commitment_owner_figures(db, NULL, n.path, NULL, from, due_to, 1, &r->arena, &owners,
                                 &nowners, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < count; i++)
        json_array_append_new(arr, public_json(&items[i]));
    json_t *j = owners_json(owners, nowners);
    if (!j || !arr) {
        json_decref(j);
        json_decref(arr);
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    }
    json_object_set(j, "owners", json_object_get(j, "items"));
    json_object_set_new(j, "items", arr);
    json_object_set_new(j, "more", json_boolean(more));
    json_object_set_new(
        j, "node",
        json_pack("{s:I,s:s,s:s}", "id", (json_int_t)n.id, "kind", n.kind, "name", n.name));
    json_object_set_new(j, "publish_period", json_string(publish));
    json_object_set_new(j, "grain", json_string(GRAIN_NAMES[grain]));
    json_object_set_new(j, "period", json_string(period));
    json_object_set_new(j, "from", json_string(from));
    json_object_set_new(j, "to", json_string(to));
    json_object_set_new(j, "due_to", json_string(due_to));
    req_header(r, "Cache-Control", "public, max-age=60");
    return req_json(r, 200, j);
}

/* /figures comes before /{id}: the router takes the first pattern that
 * matches. */
static const struct route routes[] = {
    {HTTP_GET, "/api/commitments/figures", api_commitments_figures, 0, 0, NULL, 0},
    {HTTP_GET, "/api/commitments", api_commitments_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/commitments", api_commitments_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/commitments/{id}", api_commitments_get, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/commitments/{id}", api_commitments_patch, 0, 0, NULL, 0},
    {HTTP_POST, "/api/commitments/{id}/report", api_commitments_report, 0, 0, NULL, 0},
    {HTTP_POST, "/api/commitments/{id}/confirm", api_commitments_confirm, 0, 0, NULL, 0},
    {HTTP_POST, "/api/commitments/{id}/withdraw", api_commitments_withdraw, 0, 0, NULL, 0},
    {HTTP_GET, "/api/commitment-settings", api_settings_get, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/commitment-settings", api_settings_put, 0, 0, NULL, 0},
    {HTTP_GET, "/api/public/commitments", api_public_commitments, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_commitment_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* api_eval_fraud.c - fraud flags on evaluations over HTTP: the supervisor's
 * list, one flag with its evidence and the evaluations it names (masked),
 * and the decision (docs/api.md, "Fraud flags and upstream push"). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/eval_fraud.h"

#define FLAG_ROLES ((1u << ROLE_ADMIN) | (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR))

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

json_t *api_eval_flag_json(const struct eval_flag *f)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_t *evidence = f->evidence ? json_loads(f->evidence, 0, NULL) : NULL;
    json_object_set_new(j, "id", json_integer(f->id));
    json_object_set_new(j, "kind", json_string(f->kind));
    json_object_set_new(j, "evaluation_id", json_integer(f->evaluation_id));
    json_object_set_new(j, "region_id", json_integer(f->region_id));
    json_object_set_new(j, "node_id", id_or_null(f->node_id));
    json_object_set_new(j, "node_name", str_or_null(f->node_name));
    json_object_set_new(j, "staff_id", id_or_null(f->staff_id));
    json_object_set_new(j, "staff_name", str_or_null(f->staff_name));
    json_object_set_new(j, "status", json_string(f->status));
    json_object_set_new(j, "note", json_string(f->note ? f->note : ""));
    json_object_set_new(j, "decided_by", id_or_null(f->decided_by));
    json_object_set_new(j, "decided_by_name", str_or_null(f->decided_by_name));
    json_object_set_new(j, "decided_at", id_or_null(f->decided_at));
    json_object_set_new(j, "created_at", json_integer(f->created_at));
    json_object_set_new(j, "evidence", json_is_object(evidence) ? evidence : json_object());
    if (!json_is_object(evidence))
        json_decref(evidence);
    json_object_set_new(j, "evaluation",
                        json_pack("{s:I,s:i,s:s,s:I,s:o,s:o}", "id", (json_int_t)f->evaluation_id,
                                  "level", f->level, "channel", f->channel, "created_at",
                                  (json_int_t)f->evaluated_at, "window_name",
                                  str_or_null(f->window_name), "item_name",
                                  str_or_null(f->item_name)));
    return j;
}

static json_t *flag_eval_json(const struct eval_flag_eval *v)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(v->id));
    json_object_set_new(j, "kind", json_string(v->kind));
    json_object_set_new(j, "level", json_integer(v->level));
    json_object_set_new(j, "bad", json_boolean(v->bad));
    json_object_set_new(j, "defaulted", json_boolean(v->defaulted));
    json_object_set_new(j, "channel", json_string(v->channel));
    json_object_set_new(j, "device", json_string(v->device ? v->device : ""));
    json_object_set_new(j, "ip", json_string(v->ip ? v->ip : ""));
    json_object_set_new(j, "created_at", json_integer(v->created_at));
    json_object_set_new(j, "window_id", id_or_null(v->window_id));
    json_object_set_new(j, "window_name", str_or_null(v->window_name));
    json_object_set_new(j, "staff_id", id_or_null(v->staff_id));
    json_object_set_new(j, "staff_name", str_or_null(v->staff_name));
    json_object_set_new(j, "item_name", str_or_null(v->item_name));
    json_object_set_new(j, "evaluator", json_string(v->evaluator ? v->evaluator : ""));
    json_object_set_new(j, "phone_mask", json_string(v->phone_mask ? v->phone_mask : ""));
    json_object_set_new(j, "flags", json_integer(v->flags));
    return j;
}

/* NULL for "" (an empty form field): no filter */
static const char *nz_query(struct req *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && *v ? v : NULL;
}

/* GET /api/eval-flags?status=&kind=&node_id=&page=&per_page= */
static int api_eval_flags_list(struct req *r)
{
    struct eval_flag_filter f = {0};
    if (api_role(r, FLAG_ROLES) < 0)
        return REQ_DONE;
    f.status = nz_query(r, "status");
    f.kind = nz_query(r, "kind");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct eval_flag *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (eval_flag_list(req_db(r), &r->who, &f, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, api_eval_flag_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static int flag_answer(struct req *r, int rc)
{
    if (rc == ERR_NOTFOUND)
        return req_error(r, ERR_NOTFOUND, NULL, "no such flag");
    if (rc == ERR_FORBIDDEN)
        return req_error(r, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    return req_error(r, rc, NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

/* GET /api/eval-flags/{id}: the flag with the evaluations it names */
static int api_eval_flags_get(struct req *r)
{
    int64_t id;
    if (api_role(r, FLAG_ROLES) < 0 || req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    struct eval_flag f;
    int rc = db ? eval_flag_get(db, &r->who, id, &r->arena, &f) : ERR_UNAVAILABLE;
    if (rc < 0)
        return flag_answer(r, rc);
    struct eval_flag_eval *evs = NULL;
    int n = 0;
    rc = eval_flag_evaluations(db, &f, &r->arena, &evs, &n);
    if (rc < 0)
        return flag_answer(r, rc);
    json_t *j = api_eval_flag_json(&f);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, flag_eval_json(&evs[i]));
    if (j)
        json_object_set_new(j, "evaluations", arr);
    else
        json_decref(arr);
    return req_json(r, 200, j);
}

struct flag_op {
    struct api_op op;
    int64_t id, now;
    const char *status, *note;
};

static int run_decide(struct db *db, struct api_op *op, struct err *e)
{
    struct flag_op *q = (struct flag_op *)op;
    int rc = eval_flag_decide(db, &op->who, q->id, q->status, q->note, q->now, e);
    if (rc < 0)
        return rc;
    struct arena a = {0};
    struct eval_flag f;
    rc = eval_flag_get(db, NULL, q->id, &a, &f);
    if (rc == 0)
        op->result = api_eval_flag_json(&f);
    arena_reset(&a);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/eval-flags/{id}/decide {"status":"dismissed|confirmed","note"} */
static int api_eval_flags_decide(struct req *r)
{
    struct flag_op *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    memset(q, 0, sizeof(*q));
    q->now = (int64_t)time(NULL);
    if (api_role(r, FLAG_ROLES) < 0 || req_query_done(r) < 0 || req_param_id(r, 0, &q->id) < 0)
        return REQ_DONE;
    struct jfield f[] = {
        {"status", JF_STRING, 1, &q->status, 1, 20, NULL},
        {"note", JF_STRING, 1, &q->note, 0, EVAL_FLAG_NOTE_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0)
        return REQ_DONE;
    q->op.run = run_decide;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/eval-flags", api_eval_flags_list, 0, 0, NULL, 0},
    {HTTP_GET, "/api/eval-flags/{id}", api_eval_flags_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/eval-flags/{id}/decide", api_eval_flags_decide, 0, 0, NULL, 0},
};

const struct api_module api_eval_fraud_module = {routes, sizeof(routes) / sizeof(routes[0])};

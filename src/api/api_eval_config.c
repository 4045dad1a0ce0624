/* api_eval_config.c - a region's 好差评 configuration over HTTP: the 差评
 * reasons and the indicator set versions (docs/api.md, "### Configuration"). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/case.h"
#include "domain/eval_config.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static json_t *id_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

/* A reason; id null for one of the built-in list (not stored). */
static json_t *reason_json(const struct eval_reason *r, int64_t region_id)
{
    return json_pack("{s:o,s:I,s:s,s:s,s:s,s:i,s:b,s:b}", "id", id_or_null(r->id), "region_id",
                     (json_int_t)region_id, "code", r->code, "label_zh", r->label_zh, "label_en",
                     r->label_en, "sort", r->sort, "active", r->active, "builtin", r->id == 0);
}

/* A set version; the built-in set (not stored) has id null and builtin true. */
static json_t *set_json(const struct eval_set *s, int current, int64_t published_by)
{
    json_t *items = json_array();
    for (int i = 0; items && i < s->n; i++)
        json_array_append_new(items, json_pack("{s:i,s:s,s:s,s:s}", "pos", s->items[i].pos, "code",
                                               s->items[i].code, "name_zh", s->items[i].name_zh,
                                               "name_en", s->items[i].name_en));
    return json_pack("{s:o,s:I,s:s,s:i,s:b,s:o,s:o,s:b,s:o*}", "id", id_or_null(s->id), "region_id",
                     (json_int_t)s->region_id, "kind", s->kind, "version", s->version, "current",
                     current, "published_at", id_or_null(s->published_at), "published_by",
                     id_or_null(published_by), "builtin", s->id == 0, "items", items);
}

/* ?region_id= (default: the caller's region) checked for reading. */
static int read_region(struct req *r, int64_t *region_id)
{
    *region_id = case_region_of(r->who.scope);
    if (req_query_int(r, "region_id", 1, INT64_MAX, region_id) < 0)
        return ERR_INVALID;
    return 0;
}

/* ---- reasons ---- */

/* GET /api/eval-reasons?region_id= */
static int api_reasons_list(struct req *r)
{
    int64_t region_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || read_region(r, &region_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct err e = {0};
    struct db *db = req_db(r);
    if (!db)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    if (eval_config_region(db, &r->who, region_id, 0, &e) < 0)
        return req_fail(r, &e);
    struct eval_reason_rec *stored = NULL;
    int n = 0;
    int rc = eval_reason_list(db, region_id, &r->arena, &stored, &n);
    json_t *arr = json_array();
    for (int i = 0; rc == 0 && arr && i < n; i++)
        json_array_append_new(arr, reason_json(&stored[i].r, region_id));
    if (rc == 0 && n == 0) {
        /* none stored: the built-in list is in force */
        struct eval_reason *builtin = NULL;
        rc = eval_reasons(db, region_id, 0, &r->arena, &builtin, &n);
        for (int i = 0; rc == 0 && arr && i < n; i++)
            json_array_append_new(arr, reason_json(&builtin[i], region_id));
    }
    if (rc < 0) {
        json_decref(arr);
        return req_error(r, rc, NULL, "database error");
    }
    return req_json(r, 200, json_pack("{s:o*}", "items", arr));
}

struct cop {
    struct api_op op;
    int64_t now, id;
    struct eval_reason_input reason;
    struct eval_reason_patch patch;
    struct eval_set_input set;
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
    q->patch.active = -1;
    return q;
}

static int nomem(struct err *e)
{
    return err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* Answer with the stored reason id (inside the write's transaction). */
static int reason_result(struct db *db, struct api_op *op, int64_t id, struct err *e)
{
    struct arena a = {0};
    struct eval_reason_rec rec;
    int rc = eval_reason_get(db, id, &a, &rec);
    if (rc == 0)
        op->result = reason_json(&rec.r, rec.region_id);
    arena_reset(&a);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return op->result ? 0 : nomem(e);
}

static int run_reason_create(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int64_t id = 0;
    int rc = eval_reason_create(db, &op->who, &q->reason, q->now, &id, e);
    return rc < 0 ? rc : reason_result(db, op, id, e);
}

/* POST /api/eval-reasons {region_id?, code, label_zh, label_en, sort?} */
static int api_reason_create(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    int64_t sort = 0;
    q->reason.region_id = case_region_of(r->who.scope);
    /* wide bounds here: the domain names the field and its rule */
    struct jfield f[] = {
        {"region_id", JF_INT, 0, &q->reason.region_id, 1, INT64_MAX, NULL},
        {"code", JF_STRING, 1, (void *)&q->reason.code, 0, 64, NULL},
        {"label_zh", JF_STRING, 1, (void *)&q->reason.label_zh, 0, 200, NULL},
        {"label_en", JF_STRING, 1, (void *)&q->reason.label_en, 0, 200, NULL},
        {"sort", JF_INT, 0, &sort, -EVAL_SORT_MAX, EVAL_SORT_MAX, NULL},
    };
    if (api_body(r, f, 5) < 0)
        return REQ_DONE;
    q->reason.sort = (int)sort;
    q->op.run = run_reason_create;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static int run_reason_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = eval_reason_update(db, &op->who, q->id, &q->patch, q->now, e);
    return rc < 0 ? rc : reason_result(db, op, q->id, e);
}

/* PATCH /api/eval-reasons/{id} {label_zh?, label_en?, sort?, active?} */
static int api_reason_patch(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0)
        return REQ_DONE;
    int64_t sort = 0;
    int active = 0, active_present = 0;
    struct jfield f[] = {
        {"label_zh", JF_STRING, 0, (void *)&q->patch.label_zh, 0, 200, NULL},
        {"label_en", JF_STRING, 0, (void *)&q->patch.label_en, 0, 200, NULL},
        {"sort", JF_INT, 0, &sort, -EVAL_SORT_MAX, EVAL_SORT_MAX, &q->patch.has_sort},
        {"active", JF_BOOL, 0, &active, 0, 0, &active_present},
    };
    if (api_body(r, f, 4) < 0)
        return REQ_DONE;
    q->patch.sort = (int)sort;
    q->patch.active = active_present ? active : -1;
    q->op.run = run_reason_patch;
    return api_submit(r, &q->op);
}

/* ---- indicator sets ---- */

/* GET /api/eval-indicator-sets?region_id=&kind= */
static int api_sets_list(struct req *r)
{
    static const char *const kinds[] = {"offline", "online"};
    int64_t region_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || read_region(r, &region_id) < 0)
        return REQ_DONE;
    const char *kind = req_query(r, "kind");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (kind && !*kind)
        kind = NULL;
    if (kind && strcmp(kind, kinds[0]) != 0 && strcmp(kind, kinds[1]) != 0)
        return req_error(r, ERR_INVALID, "kind", "kind must be offline or online");
    struct err e = {0};
    struct db *db = req_db(r);
    if (!db)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    if (eval_config_region(db, &r->who, region_id, 0, &e) < 0)
        return req_fail(r, &e);
    struct eval_set_rec *sets = NULL;
    int n = 0;
    int rc = eval_set_list(db, region_id, kind, &r->arena, &sets, &n);
    json_t *arr = json_array();
    for (int i = 0; rc == 0 && arr && i < n; i++)
        json_array_append_new(arr, set_json(&sets[i].set, sets[i].current, sets[i].published_by));
    /* a kind with no current stored version: its built-in set is in force */
    for (int k = 0; rc == 0 && arr && k < 2; k++) {
        if (kind && strcmp(kind, kinds[k]) != 0)
            continue;
        int stored = 0;
        for (int i = 0; i < n; i++)
            stored |= sets[i].current && strcmp(sets[i].set.kind, kinds[k]) == 0;
        if (stored)
            continue;
        struct eval_set *builtin = arena_alloc(&r->arena, sizeof(*builtin));
        if (!builtin) {
            rc = ERR_NOMEM;
            break;
        }
        rc = eval_set_current(db, region_id, kinds[k], &r->arena, builtin);
        if (rc == 0 && builtin->id == 0)
            json_array_append_new(arr, set_json(builtin, 1, 0));
    }
    if (rc < 0) {
        json_decref(arr);
        return req_error(r, rc, NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
    }
    return req_json(r, 200, json_pack("{s:o*}", "items", arr));
}

static int run_set_publish(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int64_t id = 0;
    int rc = eval_set_publish(db, &op->who, &q->set, q->now, &id, e);
    if (rc < 0)
        return rc;
    struct arena a = {0};
    struct eval_set_rec rec;
    rc = eval_set_get(db, id, &a, &rec);
    if (rc == 0)
        op->result = set_json(&rec.set, rec.current, rec.published_by);
    arena_reset(&a);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return op->result ? 0 : nomem(e);
}

/* "items[2]" + e->field "code" → "items[2].code", the message likewise. */
static int prefix_field(struct err *e, const char *prefix)
{
    char field[sizeof(e->field)], msg[sizeof(e->msg)];
    int n = e->field[0] ? snprintf(field, sizeof(field), "%s.%s", prefix, e->field)
                        : snprintf(field, sizeof(field), "%s", prefix);
    if (n > 0 && (size_t)n < sizeof(field))
        memcpy(e->field, field, sizeof(field));
    n = snprintf(msg, sizeof(msg), "%s: %s", prefix, e->msg);
    if (n > 0)
        memcpy(e->msg, msg, sizeof(msg));
    return e->code;
}

/* The "items" array of a publish body into q->set (strings in r->arena). */
static int unpack_items(struct req *r, struct cop *q, json_t *items, struct err *e)
{
    if (!json_is_array(items) || json_array_size(items) < 1 ||
        json_array_size(items) > EVAL_DIMS_MAX)
        return err_set(e, ERR_INVALID, "items", "items must hold 1-%d indicators", EVAL_DIMS_MAX);
    size_t n = json_array_size(items);
    struct eval_set_item_input *in = arena_alloc(&r->arena, sizeof(*in) * n);
    if (!in)
        return nomem(e);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "items[%d]", (int)i);
        json_t *it = json_array_get(items, i);
        if (!json_is_object(it))
            return err_set(e, ERR_INVALID, name, "%s must be an object", name);
        struct jfield f[] = {
            {"code", JF_STRING, 1, (void *)&in[i].code, 0, 64, NULL},
            {"name_zh", JF_STRING, 1, (void *)&in[i].name_zh, 0, 200, NULL},
            {"name_en", JF_STRING, 1, (void *)&in[i].name_en, 0, 200, NULL},
        };
        if (json_in_unpack(it, f, 3, &r->arena, e) < 0)
            return prefix_field(e, name);
    }
    q->set.items = in;
    q->set.n = (int)n;
    return 0;
}

/* POST /api/eval-indicator-sets {region_id?, kind, items:[{code, name_zh, name_en}]} */
static int api_set_publish(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *body = req_body_json(r);
    if (!body)
        return REQ_DONE;
    struct err e = {0};
    json_t *items = json_incref(json_object_get(body, "items"));
    json_object_del(body, "items");
    q->set.region_id = case_region_of(r->who.scope);
    struct jfield f[] = {
        {"region_id", JF_INT, 0, &q->set.region_id, 1, INT64_MAX, NULL},
        {"kind", JF_STRING, 1, (void *)&q->set.kind, 0, 16, NULL},
    };
    int rc = json_in_unpack(body, f, 2, &r->arena, &e);
    json_decref(body);
    if (rc == 0 && !items)
        rc = err_set(&e, ERR_INVALID, "items", "items is required");
    if (rc == 0)
        rc = unpack_items(r, q, items, &e);
    json_decref(items);
    if (rc < 0)
        return req_fail(r, &e);
    q->op.run = run_set_publish;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/eval-reasons", api_reasons_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/eval-reasons", api_reason_create, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/eval-reasons/{id}", api_reason_patch, 0, 0, NULL, 0},
    {HTTP_GET, "/api/eval-indicator-sets", api_sets_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/eval-indicator-sets", api_set_publish, 0, 0, NULL, 0},
};

const struct api_module api_eval_config_module = {routes, sizeof(routes) / sizeof(routes[0])};

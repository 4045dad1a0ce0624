/* api_device.c - device registrations and the device's own view. */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/device.h"

static int read_device_in_scope(struct req *r, struct device *d)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = device_get(req_db(r), id, d);
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such device" : "database error");
        return rc;
    }
    return api_scope(r, d->node_path);
}

int api_devices_list(struct req *r)
{
    struct device_filter f = {.scope = r->who.scope, .active = -1};
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0 ||
        api_active(r, &f.active) < 0 || req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0)
        return REQ_DONE;
    f.kind = req_query(r, "kind");
    if (req_query_done(r) < 0 || api_filter_node(r, f.node_id, "node_id") < 0)
        return REQ_DONE;
    if (f.kind && strcmp(f.kind, "display") && strcmp(f.kind, "evaluator") &&
        strcmp(f.kind, "kiosk"))
        return req_error(r, ERR_INVALID, "kind", "kind must be display, evaluator or kiosk");
    struct device *items;
    int n;
    int64_t total;
    int rc = device_list(req_db(r), &f, &r->arena, &items, &n, &total);
    if (rc == ERR_NOTFOUND)
        return req_error(r, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, device_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

int api_devices_get(struct req *r)
{
    struct device d;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        read_device_in_scope(r, &d) < 0)
        return REQ_DONE;
    return req_json(r, 200, device_json(&d));
}

struct device_op {
    struct api_op op;
    int64_t id, node_id;
    char *kind, *name;
    struct device_patch patch;
    struct device out;
    char token[DEVICE_TOKEN_HEX];
};

static int run_create(struct db *db, struct api_op *op, struct err *e)
{
    struct device_op *d = (struct device_op *)op;
    int rc = device_create(db, &op->who, d->kind, d->name, d->node_id, &d->out, d->token, e);
    if (rc == 0)
        op->result = json_pack("{s:o,s:s}", "device", device_json(&d->out), "token", d->token);
    return rc;
}

int api_devices_create(struct req *r)
{
    struct device_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"kind", JF_STRING, 1, &d->kind, 1, 16, NULL},
        {"name", JF_STRING, 1, &d->name, 1, DEVICE_NAME_MAX, NULL},
        {"node_id", JF_INT, 1, &d->node_id, 1, INT64_MAX, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 || api_body(r, f, 3) < 0)
        return REQ_DONE;
    d->op.run = run_create;
    d->op.status = 201;
    return api_submit(r, &d->op);
}

static int run_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct device_op *d = (struct device_op *)op;
    int rc = device_update(db, &op->who, d->id, &d->patch, &d->out, e);
    if (rc == 0)
        op->result = device_json(&d->out);
    return rc;
}

int api_devices_patch(struct req *r)
{
    struct device_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    d->patch.active = -1;
    struct jfield f[] = {
        {"name", JF_STRING, 0, &d->patch.name, 1, DEVICE_NAME_MAX, NULL},
        {"node_id", JF_INT, 0, &d->patch.node_id, 1, INT64_MAX, NULL},
        {"active", JF_BOOL, 0, &d->patch.active, 0, 0, NULL},
    };
    struct device cur;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_device_in_scope(r, &cur) < 0 || api_body(r, f, 3) < 0)
        return REQ_DONE;
    d->id = cur.id;
    d->op.run = run_patch;
    return api_submit(r, &d->op);
}

static int run_rotate(struct db *db, struct api_op *op, struct err *e)
{
    struct device_op *d = (struct device_op *)op;
    int rc = device_rotate(db, &op->who, d->id, &d->out, d->token, e);
    if (rc == 0)
        op->result = json_pack("{s:o,s:s}", "device", device_json(&d->out), "token", d->token);
    return rc;
}

int api_devices_rotate(struct req *r)
{
    struct device_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct device cur;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_device_in_scope(r, &cur) < 0)
        return REQ_DONE;
    d->id = cur.id;
    d->op.run = run_rotate;
    return api_submit(r, &d->op);
}

static int run_touch(struct db *db, struct api_op *op, struct err *e)
{
    struct device_op *d = (struct device_op *)op;
    int rc = device_touch(db, d->id);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = device_get(db, d->id, &d->out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    struct org_node n;
    rc = org_get(db, d->out.node_id, &n);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    op->result = json_pack("{s:o,s:o}", "device", device_json(&d->out), "node", org_node_json(&n));
    return 0;
}

int api_device_me(struct req *r)
{
    if (api_role(r, 1u << ROLE_DEVICE) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct device_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    d->id = r->who.device_id;
    /* devices ask often; record last_seen_at at most once a minute, so their
     * polling does not turn into a stream of writes */
    struct device cur;
    struct org_node n;
    struct db *db = req_db(r);
    if (device_get(db, d->id, &cur) == 0 && cur.last_seen_at > (int64_t)time(NULL) - 60 &&
        org_get(db, cur.node_id, &n) == 0)
        return req_json(
            r, 200, json_pack("{s:o,s:o}", "device", device_json(&cur), "node", org_node_json(&n)));
    d->op.run = run_touch;
    return api_submit(r, &d->op);
}

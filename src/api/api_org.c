/* api_org.c - the org tree: list, read, create, change, a hall's windows. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "domain/org.h"

static int read_node_in_scope(struct req *r, struct org_node *n)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    struct db *db = req_db(r);
    char key[32];
    snprintf(key, sizeof(key), "n:%lld", (long long)id);
    size_t len = 0;
    const struct org_node *cached = db_cache_get(db, key, &len);
    int rc = 0;
    if (cached && len == sizeof(*n)) {
        *n = *cached;
    } else {
        rc = org_get(db, id, n);
        if (rc == 0)
            db_cache_put(db, key, n, sizeof(*n));
    }
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such node" : "database error");
        return rc;
    }
    return api_scope(r, n->path);
}

int api_nodes_list(struct req *r)
{
    struct org_filter f = {.scope = r->who.scope, .active = -1};
    int64_t parent = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0 ||
        api_active(r, &f.active) < 0 || req_query_int(r, "parent_id", 1, INT64_MAX, &parent) < 0)
        return REQ_DONE;
    f.parent_id = parent;
    f.kind = req_query(r, "kind");
    f.q = req_query(r, "q");
    if (req_query_done(r) < 0 || api_filter_node(r, parent, "parent_id") < 0)
        return REQ_DONE;
    if (f.kind && strcmp(f.kind, "region") && strcmp(f.kind, "unit") && strcmp(f.kind, "hall") &&
        strcmp(f.kind, "window"))
        return req_error(r, ERR_INVALID, "kind", "kind must be region, unit, hall or window");
    if (f.q && strlen(f.q) > 100)
        return req_error(r, ERR_INVALID, "q", "q is too long");
    struct org_node *items;
    int n;
    int64_t total;
    int rc = org_list(req_db(r), &f, &r->arena, &items, &n, &total);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, org_node_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

int api_nodes_get(struct req *r)
{
    struct org_node n;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || read_node_in_scope(r, &n) < 0)
        return REQ_DONE;
    return req_json(r, 200, org_node_json(&n));
}

struct node_op {
    struct api_op op;
    int64_t id;
    struct org_input in;
    struct org_patch patch;
    struct org_node out;
};

static int run_create(struct db *db, struct api_op *op, struct err *e)
{
    struct node_op *no = (struct node_op *)op;
    int rc = org_create(db, &op->who, &no->in, &no->out, e);
    if (rc == 0)
        op->result = org_node_json(&no->out);
    return rc;
}

int api_nodes_create(struct req *r)
{
    struct node_op *no = arena_alloc(&r->arena, sizeof(*no));
    if (!no)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"parent_id", JF_INT, 1, &no->in.parent_id, 1, INT64_MAX, NULL},
        {"kind", JF_STRING, 1, &no->in.kind, 1, 16, NULL},
        {"code", JF_STRING, 1, &no->in.code, 1, ORG_CODE_MAX, NULL},
        {"name", JF_STRING, 1, &no->in.name, 1, ORG_NAME_MAX, NULL},
        {"address", JF_STRING, 0, &no->in.address, 0, ORG_ADDRESS_MAX, NULL},
        {"phone", JF_STRING, 0, &no->in.phone, 0, ORG_PHONE_MAX, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        api_body(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    no->op.run = run_create;
    no->op.status = 201;
    return api_submit(r, &no->op);
}

static int run_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct node_op *no = (struct node_op *)op;
    int rc = org_update(db, &op->who, no->id, &no->patch, &no->out, e);
    if (rc == 0)
        op->result = org_node_json(&no->out);
    return rc;
}

int api_nodes_patch(struct req *r)
{
    struct node_op *no = arena_alloc(&r->arena, sizeof(*no));
    if (!no)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    no->patch.active = -1;
    struct jfield f[] = {
        {"code", JF_STRING, 0, &no->patch.code, 1, ORG_CODE_MAX, NULL},
        {"name", JF_STRING, 0, &no->patch.name, 1, ORG_NAME_MAX, NULL},
        {"address", JF_STRING, 0, &no->patch.address, 0, ORG_ADDRESS_MAX, NULL},
        {"phone", JF_STRING, 0, &no->patch.phone, 0, ORG_PHONE_MAX, NULL},
        {"industry", JF_STRING, 0, &no->patch.industry, 0, ORG_INDUSTRY_MAX, NULL},
        {"active", JF_BOOL, 0, &no->patch.active, 0, 0, NULL},
    };
    struct org_node n;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_node_in_scope(r, &n) < 0 || api_body(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    no->id = n.id;
    no->op.run = run_patch;
    return api_submit(r, &no->op);
}

int api_nodes_windows(struct req *r)
{
    struct org_node hall;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        read_node_in_scope(r, &hall) < 0)
        return REQ_DONE;
    if (strcmp(hall.kind, "hall") != 0)
        return req_error(r, ERR_INVALID, "id", "the node is not a hall");
    /* hall screens and consoles ask for this often: render once per change */
    char key[32];
    snprintf(key, sizeof(key), "w:%lld", (long long)hall.id);
    size_t len = 0;
    const char *cached = db_cache_get(req_db(r), key, &len);
    if (cached)
        return req_bytes(r, 200, "application/json; charset=utf-8", cached, len);
    struct org_window *w;
    int n;
    int rc = org_hall_windows(req_db(r), hall.id, &r->arena, &w, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j = org_node_json(&w[i].node);
        json_t *staff = json_array();
        for (int k = 0; k < w[i].nstaff; k++)
            json_array_append_new(
                staff, json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)w[i].staff[k].id, "name",
                                 w[i].staff[k].name, "badge_no", w[i].staff[k].badge_no, "is_chief",
                                 w[i].staff[k].is_chief));
        json_object_set_new(j, "staff", staff);
        json_array_append_new(arr, j);
    }
    req_json(r, 200, json_pack("{s:o}", "items", arr));
    if (r->status == 200 && r->resp)
        db_cache_put(req_db(r), key, r->resp, r->resp_len);
    return REQ_DONE;
}

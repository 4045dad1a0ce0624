/* api_staff.c - staff accounts, photos and window assignments. */
#include <string.h>

#include "api/api.h"
#include "base/crypto.h"
#include "domain/staff.h"
#include "http/server.h"

static int read_staff_in_scope(struct req *r, struct staff *s)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = staff_get(req_db(r), id, s);
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such account" : "database error");
        return rc;
    }
    return api_scope(r, s->node_path);
}

int api_staff_list(struct req *r)
{
    struct staff_filter f = {.scope = r->who.scope, .active = -1};
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0 ||
        api_active(r, &f.active) < 0 || req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0)
        return REQ_DONE;
    f.role = req_query(r, "role");
    f.q = req_query(r, "q");
    if (req_query_done(r) < 0 || api_filter_node(r, f.node_id, "node_id") < 0)
        return REQ_DONE;
    if (f.role && role_parse(f.role) == ROLE_NONE)
        return req_error(r, ERR_INVALID, "role", "unknown role");
    if (f.q && strlen(f.q) > 100)
        return req_error(r, ERR_INVALID, "q", "q is too long");
    struct staff *items;
    int n;
    int64_t total;
    int rc = staff_list(req_db(r), &f, &r->arena, &items, &n, &total);
    if (rc == ERR_NOTFOUND)
        return req_error(r, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, staff_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

int api_staff_get(struct req *r)
{
    struct staff s;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || read_staff_in_scope(r, &s) < 0)
        return REQ_DONE;
    return req_json(r, 200, staff_json(&s));
}

struct staff_op {
    struct api_op op;
    int64_t id;
    char *password;
    char hash[CRYPTO_PWHASH_LEN];
    struct staff_input in;
    struct staff_patch patch;
    struct staff out;
    const char *branch; /* party_branch, NULL unchanged */
};

/* After a create or update: the party branch when one was given. */
static int set_branch(struct db *db, struct staff_op *so, struct err *e)
{
    if (!so->branch)
        return 0;
    int rc = staff_set_party_branch(db, &so->op.who, so->out.id, so->branch, e);
    if (rc == 0 && (rc = staff_get(db, so->out.id, &so->out)) < 0)
        return err_set(e, rc, NULL, "database error");
    return rc;
}

static int run_create(struct db *db, struct api_op *op, struct err *e)
{
    struct staff_op *so = (struct staff_op *)op;
    int rc = staff_create(db, &op->who, &so->in, &so->out, e);
    if (rc == 0)
        rc = set_branch(db, so, e);
    if (rc == 0)
        op->result = staff_json(&so->out);
    return rc;
}

static int run_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct staff_op *so = (struct staff_op *)op;
    int rc = staff_update(db, &op->who, so->id, &so->patch, &so->out, e);
    if (rc == 0)
        rc = set_branch(db, so, e);
    if (rc == 0)
        op->result = staff_json(&so->out);
    return rc;
}

/* on the slow pool: hash the password, then write */
static int hash_then_write(struct req *r, void *arg, struct err *e)
{
    struct staff_op *so = arg;
    int rc = crypto_password_hash(so->password, so->hash);
    crypto_wipe(so->password, strlen(so->password));
    if (rc < 0)
        return err_set(e, rc, NULL, "out of memory");
    return api_run_sync(r, &so->op, e);
}

int api_staff_create(struct req *r)
{
    struct staff_op *so = arena_alloc(&r->arena, sizeof(*so));
    if (!so)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"login", JF_STRING, 1, &so->in.login, 1, STAFF_LOGIN_MAX, NULL},
        {"name", JF_STRING, 1, &so->in.name, 1, STAFF_NAME_MAX, NULL},
        {"password", JF_STRING, 1, &so->password, 1, STAFF_PASSWORD_MAX, NULL},
        {"role", JF_STRING, 1, &so->in.role, 1, 16, NULL},
        {"node_id", JF_INT, 1, &so->in.node_id, 1, INT64_MAX, NULL},
        {"badge_no", JF_STRING, 0, &so->in.badge_no, 0, STAFF_BADGE_MAX, NULL},
        {"post", JF_STRING, 0, &so->in.post, 0, STAFF_POST_MAX, NULL},
        {"party_member", JF_BOOL, 0, &so->in.party_member, 0, 0, NULL},
        {"party_branch", JF_STRING, 0, &so->branch, 0, STAFF_BRANCH_MAX, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        api_body(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    struct err e = {0};
    if (staff_check_login(so->in.login, &e) < 0 || staff_check_password(so->password, &e) < 0) {
        crypto_wipe(so->password, strlen(so->password));
        return req_fail(r, &e);
    }
    so->in.password_hash = so->hash;
    so->op.run = run_create;
    so->op.status = 201;
    so->op.who = r->who;
    return req_defer(r, hash_then_write, so, api_op_after);
}

int api_staff_patch(struct req *r)
{
    struct staff_op *so = arena_alloc(&r->arena, sizeof(*so));
    if (!so)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    so->patch.active = -1;
    so->patch.party_member = -1;
    struct jfield f[] = {
        {"name", JF_STRING, 0, &so->patch.name, 1, STAFF_NAME_MAX, NULL},
        {"badge_no", JF_STRING, 0, &so->patch.badge_no, 0, STAFF_BADGE_MAX, NULL},
        {"post", JF_STRING, 0, &so->patch.post, 0, STAFF_POST_MAX, NULL},
        {"party_member", JF_BOOL, 0, &so->patch.party_member, 0, 0, NULL},
        {"party_branch", JF_STRING, 0, &so->branch, 0, STAFF_BRANCH_MAX, NULL},
        {"role", JF_STRING, 0, &so->patch.role, 1, 16, NULL},
        {"node_id", JF_INT, 0, &so->patch.node_id, 1, INT64_MAX, NULL},
        {"active", JF_BOOL, 0, &so->patch.active, 0, 0, NULL},
        {"password", JF_STRING, 0, &so->password, 1, STAFF_PASSWORD_MAX, NULL},
    };
    struct staff s;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_staff_in_scope(r, &s) < 0 || api_body(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    so->id = s.id;
    so->op.run = run_patch;
    if (!so->password)
        return api_submit(r, &so->op);
    struct err e = {0};
    if (staff_check_password(so->password, &e) < 0) {
        crypto_wipe(so->password, strlen(so->password));
        return req_fail(r, &e);
    }
    so->patch.password_hash = so->hash;
    so->op.who = r->who;
    return req_defer(r, hash_then_write, so, api_op_after);
}

struct photo_op {
    struct api_op op;
    int64_t id;
    const void *data;
    size_t len;
    struct staff out;
};

static int run_photo(struct db *db, struct api_op *op, struct err *e)
{
    struct photo_op *po = (struct photo_op *)op;
    int rc = staff_set_photo(db, &op->who, po->id, po->data, po->len, &po->out, e);
    if (rc == 0)
        op->result = staff_json(&po->out);
    return rc;
}

int api_staff_photo_put(struct req *r)
{
    struct staff s;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_staff_in_scope(r, &s) < 0)
        return REQ_DONE;
    const char *ct = req_header_in(r, "Content-Type");
    if (!ct || (strcmp(ct, "image/jpeg") != 0 && strcmp(ct, "image/png") != 0))
        return req_error(r, ERR_UNSUPPORTED, NULL, "send the photo as image/jpeg or image/png");
    const char *actual = staff_photo_type(r->body, r->body_len);
    if (!actual || strcmp(actual, ct) != 0)
        return req_error(r, ERR_INVALID, NULL, "the body is not a %s image", ct);
    struct photo_op *po = arena_alloc(&r->arena, sizeof(*po));
    if (!po)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    po->id = s.id;
    po->data = r->body;
    po->len = r->body_len;
    po->op.run = run_photo;
    return api_submit(r, &po->op);
}

int api_staff_photo_get(struct req *r)
{
    struct staff s;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || read_staff_in_scope(r, &s) < 0)
        return REQ_DONE;
    const void *data;
    size_t len;
    const char *mime;
    int rc = staff_get_photo(req_db(r), s.id, &r->arena, &data, &len, &mime);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no photo" : "database error");
    req_header(r, "Cache-Control", "private, no-cache");
    return req_bytes(r, 200, mime, data, len);
}

int api_staff_assignments(struct req *r)
{
    struct staff s;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || read_staff_in_scope(r, &s) < 0)
        return REQ_DONE;
    struct assignment *items;
    int n;
    int rc = staff_assignments(req_db(r), s.id, &r->arena, &items, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, assignment_json(&items[i]));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

struct assign_op {
    struct api_op op;
    int64_t staff_id, window_id, assignment_id;
    int is_chief;
    struct assignment out;
};

static int run_assign(struct db *db, struct api_op *op, struct err *e)
{
    struct assign_op *ao = (struct assign_op *)op;
    int rc = staff_assign(db, &op->who, ao->staff_id, ao->window_id, ao->is_chief, &ao->out, e);
    if (rc == 0)
        op->result = assignment_json(&ao->out);
    return rc;
}

int api_staff_assign(struct req *r)
{
    struct assign_op *ao = arena_alloc(&r->arena, sizeof(*ao));
    if (!ao)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"window_id", JF_INT, 1, &ao->window_id, 1, INT64_MAX, NULL},
        {"is_chief", JF_BOOL, 0, &ao->is_chief, 0, 0, NULL},
    };
    struct staff s;
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_staff_in_scope(r, &s) < 0 || api_body(r, f, 2) < 0)
        return REQ_DONE;
    ao->staff_id = s.id;
    ao->op.run = run_assign;
    ao->op.status = 201;
    return api_submit(r, &ao->op);
}

static int run_end(struct db *db, struct api_op *op, struct err *e)
{
    struct assign_op *ao = (struct assign_op *)op;
    int rc = staff_end_assignment(db, &op->who, ao->assignment_id, &ao->out, e);
    if (rc == 0)
        op->result = assignment_json(&ao->out);
    return rc;
}

int api_assignment_end(struct req *r)
{
    struct assign_op *ao = arena_alloc(&r->arena, sizeof(*ao));
    if (!ao)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &ao->assignment_id) < 0)
        return REQ_DONE;
    if (r->body_len > 0) {
        json_t *j = req_body_json(r);
        if (!j)
            return REQ_DONE;
        size_t keys = json_object_size(j);
        json_decref(j);
        if (keys)
            return req_error(r, ERR_INVALID, NULL, "this request takes no fields");
    }
    ao->op.run = run_end;
    return api_submit(r, &ao->op);
}

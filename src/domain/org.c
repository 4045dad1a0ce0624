#include "domain/org.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/score.h"

#define NODE_COLS                                                                                  \
    "id, COALESCE(parent_id, 0), kind, code, name, path, depth, address, phone, active,"           \
    " created_at, updated_at, industry"

static void copy_text(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static void read_node(struct db_stmt *st, struct org_node *n)
{
    n->id = db_col_int64(st, 0);
    n->parent_id = db_col_int64(st, 1);
    copy_text(n->kind, sizeof(n->kind), db_col_text(st, 2));
    copy_text(n->code, sizeof(n->code), db_col_text(st, 3));
    copy_text(n->name, sizeof(n->name), db_col_text(st, 4));
    copy_text(n->path, sizeof(n->path), db_col_text(st, 5));
    n->depth = (int)db_col_int64(st, 6);
    copy_text(n->address, sizeof(n->address), db_col_text(st, 7));
    copy_text(n->phone, sizeof(n->phone), db_col_text(st, 8));
    n->active = (int)db_col_int64(st, 9);
    n->created_at = db_col_int64(st, 10);
    n->updated_at = db_col_int64(st, 11);
    copy_text(n->industry, sizeof(n->industry), db_col_text(st, 12));
}

void org_path_end(const char *path, char *end, size_t len)
{
    snprintf(end, len, "%s", path);
    size_t l = strlen(end);
    if (l > 0 && end[l - 1] == '/')
        end[l - 1] = '0';
}

static const char SQL_GET[] = "SELECT " NODE_COLS " FROM org_node WHERE id = ?1";

int org_get(struct db *db, int64_t id, struct org_node *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_node(st, out);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

static const char SQL_BY_CODE[] =
    "SELECT " NODE_COLS " FROM org_node WHERE COALESCE(parent_id, 0) = ?1 AND code = ?2";

int org_find_by_codes(struct db *db, const char *code_path, struct org_node *out)
{
    if (!code_path || code_path[0] != '/' || strlen(code_path) > 512)
        return ERR_INVALID;
    int64_t parent = 0;
    const char *p = code_path + 1;
    int found = 0;
    while (*p) {
        size_t len = strcspn(p, "/");
        char code[ORG_CODE_MAX * 4 + 1];
        if (len == 0 || len >= sizeof(code))
            return ERR_INVALID;
        memcpy(code, p, len);
        code[len] = '\0';
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_BY_CODE, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, parent);
        db_bind_text(st, 2, code);
        rc = db_step(st);
        if (rc == DB_ROW)
            read_node(st, out);
        db_finalize(st);
        if (rc < 0)
            return rc;
        if (rc != DB_ROW)
            return ERR_NOTFOUND;
        parent = out->id;
        found = 1;
        p += len;
        if (*p == '/')
            p++;
    }
    return found ? 0 : ERR_INVALID;
}

#define LIST_WHERE                                                                                 \
    " WHERE path >= ?1 AND path < ?2 AND (?3 = 0 OR parent_id = ?3)"                               \
    " AND (?4 = '' OR kind = ?4) AND (?5 < 0 OR active = ?5)"                                      \
    " AND (?6 = '' OR name LIKE ?7 OR code LIKE ?7)"

static const char SQL_LIST[] =
    "SELECT " NODE_COLS " FROM org_node" LIST_WHERE " ORDER BY path LIMIT ?8 OFFSET ?9";
static const char SQL_LIST_COUNT[] = "SELECT COUNT(*) FROM org_node" LIST_WHERE;

/* escape LIKE wildcards so q is a plain substring */
static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 3)
        return;
    out[o++] = '%';
    for (; q && *q && o + 3 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            out[o++] = '_'; /* matches the character itself among others */
        else
            out[o++] = *q;
    }
    out[o++] = '%';
    out[o] = '\0';
}

static void bind_list(struct db_stmt *st, const struct org_filter *f, const char *end,
                      const char *like)
{
    db_bind_text(st, 1, f->scope);
    db_bind_text(st, 2, end);
    db_bind_int64(st, 3, f->parent_id);
    db_bind_text(st, 4, f->kind ? f->kind : "");
    db_bind_int64(st, 5, f->active);
    db_bind_text(st, 6, f->q ? f->q : "");
    db_bind_text(st, 7, like);
}

int org_list(struct db *db, const struct org_filter *f, struct arena *a, struct org_node **items,
             int *n, int64_t *total)
{
    char end[ACTOR_PATH_MAX], like[256];
    org_path_end(f->scope, end, sizeof(end));
    like_pattern(f->q, like, sizeof(like));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LIST_COUNT, &st);
    if (rc < 0)
        return rc;
    bind_list(st, f, end, like);
    rc = db_step(st);
    *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * (size_t)f->per_page);
    if (!*items)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_LIST, &st);
    if (rc < 0)
        return rc;
    bind_list(st, f, end, like);
    db_bind_int64(st, 8, f->per_page);
    db_bind_int64(st, 9, (f->page - 1) * f->per_page);
    while ((rc = db_step(st)) == DB_ROW && *n < f->per_page)
        read_node(st, &(*items)[(*n)++]);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int org_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > ORG_CODE_MAX)
        return 0;
    for (; *code; code++) {
        char c = *code;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int kind_ok(const char *k)
{
    return k && (strcmp(k, "region") == 0 || strcmp(k, "unit") == 0 || strcmp(k, "hall") == 0 ||
                 strcmp(k, "window") == 0);
}

/* may a node of kind `child` hang under one of kind `parent` ("" = root)? */
static int parent_ok(const char *parent, const char *child)
{
    if (!*parent)
        return strcmp(child, "region") == 0;
    if (strcmp(child, "window") == 0)
        return strcmp(parent, "hall") == 0;
    if (strcmp(child, "region") == 0)
        return strcmp(parent, "region") == 0;
    /* unit and hall */
    return strcmp(parent, "region") == 0 || strcmp(parent, "unit") == 0;
}

json_t *org_node_json(const struct org_node *n)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(n->id));
    json_object_set_new(j, "parent_id", n->parent_id ? json_integer(n->parent_id) : json_null());
    json_object_set_new(j, "kind", json_string(n->kind));
    json_object_set_new(j, "code", json_string(n->code));
    json_object_set_new(j, "name", json_string(n->name));
    json_object_set_new(j, "path", json_string(n->path));
    json_object_set_new(j, "depth", json_integer(n->depth));
    json_object_set_new(j, "address", json_string(n->address));
    json_object_set_new(j, "phone", json_string(n->phone));
    json_object_set_new(j, "industry", json_string(n->industry));
    json_object_set_new(j, "active", json_boolean(n->active));
    json_object_set_new(j, "created_at", json_integer(n->created_at));
    json_object_set_new(j, "updated_at", json_integer(n->updated_at));
    return j;
}

static int can_manage(const struct actor *who, const char *path)
{
    if (who->role != ROLE_ADMIN && who->role != ROLE_SYSTEM)
        return 0;
    return actor_in_scope(who, path);
}

static const char SQL_INSERT[] =
    "INSERT INTO org_node (parent_id, kind, code, name, path, depth, address, phone, active,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?9) RETURNING id";
static const char SQL_SET_PATH[] = "UPDATE org_node SET path = ?2 WHERE id = ?1";

static int check_texts(const char *name, const char *address, const char *phone, struct err *e)
{
    if (name && parse_text(name, 1, ORG_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters", ORG_NAME_MAX);
    if (address && parse_text(address, 0, ORG_ADDRESS_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "address", "address must have at most %d characters",
                       ORG_ADDRESS_MAX);
    if (phone && parse_text(phone, 0, ORG_PHONE_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "phone", "phone must have at most %d characters",
                       ORG_PHONE_MAX);
    return 0;
}

int org_create(struct db *db, const struct actor *who, const struct org_input *in,
               struct org_node *out, struct err *e)
{
    struct org_node parent;
    memset(&parent, 0, sizeof(parent));
    if (!kind_ok(in->kind))
        return err_set(e, ERR_INVALID, "kind", "kind must be region, unit, hall or window");
    if (!org_code_ok(in->code))
        return err_set(e, ERR_INVALID, "code", "code must be 1-32 letters, digits, - or _");
    int rc = check_texts(in->name, in->address, in->phone, e);
    if (rc < 0)
        return rc;
    if (in->parent_id) {
        rc = org_get(db, in->parent_id, &parent);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "parent_id", "no such parent node");
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (!actor_in_scope(who, parent.path))
            return err_set(e, ERR_FORBIDDEN, "parent_id", "the parent is outside your scope");
        if (!parent.active)
            return err_set(e, ERR_CONFLICT, "parent_id", "the parent node is deactivated");
    } else if (who->role != ROLE_SYSTEM) {
        return err_set(e, ERR_INVALID, "parent_id", "parent_id is required");
    }
    if (who->role != ROLE_ADMIN && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can create nodes");
    if (!parent_ok(parent.kind, in->kind))
        return err_set(e, ERR_INVALID, "kind", "a %s cannot be placed under %s", in->kind,
                       parent.kind[0] ? parent.kind : "the root");
    int64_t now = (int64_t)time(NULL);
    char hex[33], tmp[48];
    crypto_random_hex(hex, 16);
    snprintf(tmp, sizeof(tmp), "tmp:%s", hex);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (in->parent_id)
        db_bind_int64(st, 1, in->parent_id);
    db_bind_text(st, 2, in->kind);
    db_bind_text(st, 3, in->code);
    db_bind_text(st, 4, in->name);
    db_bind_text(st, 5, tmp);
    db_bind_int64(st, 6, parent.depth + (in->parent_id ? 1 : 0));
    db_bind_text(st, 7, in->address ? in->address : "");
    db_bind_text(st, 8, in->phone ? in->phone : "");
    db_bind_int64(st, 9, now);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "code", "a sibling node already has code %s", in->code);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    char path[ACTOR_PATH_MAX];
    int n =
        snprintf(path, sizeof(path), "%s%lld/", in->parent_id ? parent.path : "/", (long long)id);
    if (n < 0 || (size_t)n >= sizeof(path))
        return err_set(e, ERR_INVALID, "parent_id", "the tree is too deep");
    db_note_auth_change(db);
    rc = db_prepare(db, SQL_SET_PATH, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, path);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = org_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "create", "org_node", id, id, NULL, org_node_json(out));
    if (rc == 0 && strcmp(in->kind, "window") == 0) /* scored from now on (score.h) */
        rc = score_touch(db, "window", id);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_ACTIVE_BELOW[] =
    "SELECT (SELECT COUNT(*) FROM org_node WHERE parent_id = ?1 AND active = 1)"
    " + (SELECT COUNT(*) FROM staff WHERE node_id = ?1 AND active = 1)"
    " + (SELECT COUNT(*) FROM device WHERE node_id = ?1 AND active = 1)";
static const char SQL_UPDATE[] =
    "UPDATE org_node SET code = ?2, name = ?3, address = ?4, phone = ?5, active = ?6,"
    " updated_at = ?7, industry = ?8 WHERE id = ?1";

int org_update(struct db *db, const struct actor *who, int64_t id, const struct org_patch *p,
               struct org_node *out, struct err *e)
{
    struct org_node before;
    int rc = org_get(db, id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such node" : "database error");
    if (!actor_in_scope(who, before.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the node is outside your scope");
    if (!can_manage(who, before.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can change nodes");
    if (who->role != ROLE_SYSTEM && who->node_id == id && p->active == 0)
        return err_set(e, ERR_FORBIDDEN, "active", "you cannot deactivate your own home node");
    if (p->code && !org_code_ok(p->code))
        return err_set(e, ERR_INVALID, "code", "code must be 1-32 letters, digits, - or _");
    rc = check_texts(p->name, p->address, p->phone, e);
    if (rc < 0)
        return rc;
    struct org_node after = before;
    if (p->code)
        copy_text(after.code, sizeof(after.code), p->code);
    if (p->name)
        copy_text(after.name, sizeof(after.name), p->name);
    if (p->address)
        copy_text(after.address, sizeof(after.address), p->address);
    if (p->phone)
        copy_text(after.phone, sizeof(after.phone), p->phone);
    if (p->industry && parse_text(p->industry, 0, ORG_INDUSTRY_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "industry", "industry must have at most %d characters",
                       ORG_INDUSTRY_MAX);
    if (p->industry)
        copy_text(after.industry, sizeof(after.industry), p->industry);
    if (p->active >= 0)
        after.active = p->active;
    struct db_stmt *st = NULL;
    if (before.active && !after.active) {
        int64_t below = 0;
        rc = db_prepare(db, SQL_ACTIVE_BELOW, &st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        db_bind_int64(st, 1, id);
        rc = db_step(st);
        below = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (below > 0)
            return err_set(e, ERR_CONFLICT, "active",
                           "deactivate the %lld active child nodes, staff and devices first",
                           (long long)below);
    }
    if (!before.active && after.active && before.parent_id) {
        struct org_node parent;
        rc = org_get(db, before.parent_id, &parent);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (!parent.active)
            return err_set(e, ERR_CONFLICT, "active", "reactivate the parent node first");
    }
    after.updated_at = (int64_t)time(NULL);
    db_note_auth_change(db);
    rc = db_prepare(db, SQL_UPDATE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, after.code);
    db_bind_text(st, 3, after.name);
    db_bind_text(st, 4, after.address);
    db_bind_text(st, 5, after.phone);
    db_bind_int64(st, 6, after.active);
    db_bind_int64(st, 7, after.updated_at);
    db_bind_text(st, 8, after.industry);
    rc = db_step(st);
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "code", "a sibling node already has code %s", after.code);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    *out = after;
    const char *action = before.active == after.active ? "update"
                         : after.active                ? "activate"
                                                       : "deactivate";
    rc = audit_append(db, who, action, "org_node", id, id, org_node_json(&before),
                      org_node_json(&after));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_HALL_WINDOWS[] =
    "SELECT w.id, COALESCE(w.parent_id, 0), w.kind, w.code, w.name, w.path, w.depth, w.address,"
    " w.phone, w.active, w.created_at, w.updated_at, s.id, s.name, s.badge_no, a.is_chief"
    " FROM org_node w"
    " LEFT JOIN window_assignment a ON a.window_id = w.id AND a.ended_at IS NULL"
    " LEFT JOIN staff s ON s.id = a.staff_id AND s.active = 1"
    " WHERE w.parent_id = ?1 AND w.kind = 'window' ORDER BY w.code, w.id, a.is_chief DESC, s.id"
    " LIMIT 4000";

int org_hall_windows(struct db *db, int64_t hall_id, struct arena *a, struct org_window **items,
                     int *n)
{
    *n = 0;
    *items = NULL;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_HALL_WINDOWS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    struct org_window *cur = NULL;
    int cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0);
        if (!cur || cur->node.id != id) {
            if (*n >= ORG_HALL_WINDOWS_MAX)
                break;
            if (*n == cap) {
                int ncap = cap ? cap * 2 : 16;
                struct org_window *grown = arena_alloc(a, sizeof(*grown) * (size_t)ncap);
                if (!grown) {
                    rc = ERR_NOMEM;
                    break;
                }
                if (*n)
                    memcpy(grown, *items, sizeof(*grown) * (size_t)*n);
                *items = grown;
                cap = ncap;
            }
            cur = &(*items)[(*n)++];
            read_node(st, &cur->node);
            cur->nstaff = 0;
        }
        if (!db_col_is_null(st, 12) && cur->nstaff < ORG_WINDOW_STAFF_MAX) {
            struct org_window_staff *s = &cur->staff[cur->nstaff++];
            s->id = db_col_int64(st, 12);
            copy_text(s->name, sizeof(s->name), db_col_text(st, 13));
            copy_text(s->badge_no, sizeof(s->badge_no), db_col_text(st, 14));
            s->is_chief = (int)db_col_int64(st, 15);
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

#include "domain/device.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/parse.h"
#include "domain/audit.h"

#define DEVICE_COLS                                                                                \
    "d.id, d.kind, d.name, d.node_id, n.name, n.path, d.active, COALESCE(d.last_seen_at, 0),"      \
    " d.created_at, d.updated_at"
#define DEVICE_FROM " FROM device d JOIN org_node n ON n.id = d.node_id"

static void copy_text(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static void read_device(struct db_stmt *st, struct device *d)
{
    d->id = db_col_int64(st, 0);
    copy_text(d->kind, sizeof(d->kind), db_col_text(st, 1));
    copy_text(d->name, sizeof(d->name), db_col_text(st, 2));
    d->node_id = db_col_int64(st, 3);
    copy_text(d->node_name, sizeof(d->node_name), db_col_text(st, 4));
    copy_text(d->node_path, sizeof(d->node_path), db_col_text(st, 5));
    d->active = (int)db_col_int64(st, 6);
    d->last_seen_at = db_col_int64(st, 7);
    d->created_at = db_col_int64(st, 8);
    d->updated_at = db_col_int64(st, 9);
}

static const char SQL_GET[] = "SELECT " DEVICE_COLS DEVICE_FROM " WHERE d.id = ?1";

int device_get(struct db *db, int64_t id, struct device *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_device(st, out);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

#define DEVICE_WHERE                                                                               \
    " WHERE n.path >= ?1 AND n.path < ?2 AND n.path >= ?3 AND n.path < ?4"                         \
    " AND (?5 = '' OR d.kind = ?5) AND (?6 < 0 OR d.active = ?6)"
static const char SQL_LIST[] =
    "SELECT " DEVICE_COLS DEVICE_FROM DEVICE_WHERE " ORDER BY n.path, d.id LIMIT ?7 OFFSET ?8";
static const char SQL_COUNT[] = "SELECT COUNT(*)" DEVICE_FROM DEVICE_WHERE;

static int bind_list(struct db *db, struct db_stmt *st, const struct device_filter *f)
{
    char scope_end[ACTOR_PATH_MAX], node[ACTOR_PATH_MAX], node_end[ACTOR_PATH_MAX];
    org_path_end(f->scope, scope_end, sizeof(scope_end));
    snprintf(node, sizeof(node), "%s", f->scope);
    if (f->node_id) {
        struct org_node n;
        int rc = org_get(db, f->node_id, &n);
        if (rc < 0)
            return rc;
        snprintf(node, sizeof(node), "%s", n.path);
    }
    org_path_end(node, node_end, sizeof(node_end));
    db_bind_text(st, 1, f->scope);
    db_bind_text(st, 2, scope_end);
    db_bind_text(st, 3, node);
    db_bind_text(st, 4, node_end);
    db_bind_text(st, 5, f->kind ? f->kind : "");
    db_bind_int64(st, 6, f->active);
    return 0;
}

int device_list(struct db *db, const struct device_filter *f, struct arena *a,
                struct device **items, int *n, int64_t *total)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_COUNT, &st);
    if (rc < 0)
        return rc;
    rc = bind_list(db, st, f);
    if (rc == 0)
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
    rc = bind_list(db, st, f);
    db_bind_int64(st, 7, f->per_page);
    db_bind_int64(st, 8, (f->page - 1) * f->per_page);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW && *n < f->per_page) {
        read_device(st, &(*items)[(*n)++]);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

json_t *device_json(const struct device *d)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(d->id));
    json_object_set_new(j, "kind", json_string(d->kind));
    json_object_set_new(j, "name", json_string(d->name));
    json_object_set_new(j, "node_id", json_integer(d->node_id));
    json_object_set_new(j, "node_name", json_string(d->node_name));
    json_object_set_new(j, "active", json_boolean(d->active));
    json_object_set_new(j, "last_seen_at",
                        d->last_seen_at ? json_integer(d->last_seen_at) : json_null());
    json_object_set_new(j, "created_at", json_integer(d->created_at));
    json_object_set_new(j, "updated_at", json_integer(d->updated_at));
    return j;
}

/* displays and kiosks serve a hall; an evaluator sits at a window */
static int check_binding(struct db *db, const struct actor *who, const char *kind, int64_t node_id,
                         struct err *e)
{
    struct org_node n;
    int rc = org_get(db, node_id, &n);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (!actor_in_scope(who, n.path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    if (!n.active)
        return err_set(e, ERR_CONFLICT, "node_id", "the node is deactivated");
    const char *want = strcmp(kind, "evaluator") == 0 ? "window" : "hall";
    if (strcmp(n.kind, want) != 0)
        return err_set(e, ERR_INVALID, "node_id", "a %s must be bound to a %s", kind, want);
    return 0;
}

static int check_admin(const struct actor *who, struct err *e)
{
    if (who->role != ROLE_ADMIN && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can manage devices");
    return 0;
}

static const char SQL_INSERT[] =
    "INSERT INTO device (kind, name, node_id, token_hash, active, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5) RETURNING id";

int device_create(struct db *db, const struct actor *who, const char *kind, const char *name,
                  int64_t node_id, struct device *out, char *token, struct err *e)
{
    int rc = check_admin(who, e);
    if (rc < 0)
        return rc;
    if (!kind || (strcmp(kind, "display") && strcmp(kind, "evaluator") && strcmp(kind, "kiosk")))
        return err_set(e, ERR_INVALID, "kind", "kind must be display, evaluator or kiosk");
    if (!name || parse_text(name, 1, DEVICE_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters", DEVICE_NAME_MAX);
    rc = check_binding(db, who, kind, node_id, e);
    if (rc < 0)
        return rc;
    char hash[CRYPTO_SHA256_HEX];
    crypto_random_hex(token, 32);
    crypto_sha256_hex(token, 64, hash);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, kind);
    db_bind_text(st, 2, name);
    db_bind_int64(st, 3, node_id);
    db_bind_text(st, 4, hash);
    db_bind_int64(st, 5, (int64_t)time(NULL));
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = device_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "create", "device", id, node_id, NULL, device_json(out));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_UPDATE[] =
    "UPDATE device SET name = ?2, node_id = ?3, active = ?4, updated_at = ?5 WHERE id = ?1";

int device_update(struct db *db, const struct actor *who, int64_t id, const struct device_patch *p,
                  struct device *out, struct err *e)
{
    struct device before;
    int rc = device_get(db, id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such device" : "database error");
    if (!actor_in_scope(who, before.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the device is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    if (p->name && parse_text(p->name, 1, DEVICE_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters", DEVICE_NAME_MAX);
    if (p->node_id && p->node_id != before.node_id &&
        (rc = check_binding(db, who, before.kind, p->node_id, e)) < 0)
        return rc;
    struct device after = before;
    if (p->name)
        copy_text(after.name, sizeof(after.name), p->name);
    if (p->node_id)
        after.node_id = p->node_id;
    if (p->active >= 0)
        after.active = p->active;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_UPDATE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, after.name);
    db_bind_int64(st, 3, after.node_id);
    db_bind_int64(st, 4, after.active);
    db_bind_int64(st, 5, (int64_t)time(NULL));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = device_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    const char *action = before.active == out->active ? "update"
                         : out->active                ? "activate"
                                                      : "deactivate";
    rc = audit_append(db, who, action, "device", id, out->node_id, device_json(&before),
                      device_json(out));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_ROTATE[] = "UPDATE device SET token_hash = ?2, updated_at = ?3 WHERE id = ?1";

int device_rotate(struct db *db, const struct actor *who, int64_t id, struct device *out,
                  char *token, struct err *e)
{
    int rc = device_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such device" : "database error");
    if (!actor_in_scope(who, out->node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the device is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    char hash[CRYPTO_SHA256_HEX];
    crypto_random_hex(token, 32);
    crypto_sha256_hex(token, 64, hash);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_ROTATE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, hash);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "rotate_token", "device", id, out->node_id, NULL, NULL);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_TOUCH[] = "UPDATE device SET last_seen_at = ?2 WHERE id = ?1";

int device_touch(struct db *db, int64_t id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TOUCH, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

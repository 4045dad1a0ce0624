/* eval_config.c - a region's 好差评 reasons and indicator set versions
 * (eval_config.h). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/eval_config.h"
#include "domain/org.h"

static int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

/* Column col as an arena copy ("" for SQL NULL); *oom set when the copy fails. */
static char *col_copy(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = db_col_text(st, col);
    char *c = arena_strdup(a, s ? s : "");
    if (!c)
        *oom = 1;
    return c;
}

int eval_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n < 1 || n > EVAL_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int staff_role(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_LEADER || r == ROLE_SUPERVISOR || r == ROLE_STAFF;
}

int eval_config_region(struct db *db, const struct actor *who, int64_t region_id, int write,
                       struct err *e)
{
    struct org_node root;
    int rc = region_id > 0 ? org_get(db, region_id, &root) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && (root.parent_id != 0 || strcmp(root.kind, "region"))))
        return err_set(e, ERR_INVALID, "region_id", "no such region");
    if (rc < 0)
        return db_fail(e, rc);
    if (who->role == ROLE_SYSTEM)
        return 0;
    if (write) {
        if (who->role != ROLE_ADMIN || !actor_in_scope(who, root.path) || !actor_at_root(who))
            return err_set(e, ERR_FORBIDDEN, NULL,
                           "only an administrator of the region may do this");
        return 0;
    }
    /* a scope inside the region (a hall's staff) reads its region's lists */
    if (!staff_role(who->role) || strncmp(who->scope, root.path, strlen(root.path)) != 0)
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    return 0;
}

/* A label or name: 1..EVAL_LABEL_MAX characters on one line. */
static int label_check(const char *field, const char *s, struct err *e)
{
    if (!s || parse_text(s, 1, EVAL_LABEL_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, field, "%s must have 1-%d characters on one line", field,
                       EVAL_LABEL_MAX);
    return 0;
}

static int sort_check(int sort, struct err *e)
{
    if (sort < -EVAL_SORT_MAX || sort > EVAL_SORT_MAX)
        return err_set(e, ERR_INVALID, "sort", "sort must be between %d and %d", -EVAL_SORT_MAX,
                       EVAL_SORT_MAX);
    return 0;
}

/* ---- reasons ---- */

#define REASON_COLS "id, code, label_zh, label_en, sort, active, region_id, created_at, updated_at"

static const char SQL_REASON_GET[] = "SELECT " REASON_COLS " FROM eval_reason WHERE id = ?1";
static const char SQL_REASON_LIST[] = "SELECT " REASON_COLS " FROM eval_reason"
                                      " WHERE region_id = ?1 ORDER BY sort, id LIMIT ?2";
static const char SQL_REASON_COUNT[] = "SELECT COUNT(*) FROM eval_reason WHERE region_id = ?1";
static const char SQL_REASON_CODE[] =
    "SELECT id FROM eval_reason WHERE region_id = ?1 AND code = ?2";
static const char SQL_REASON_INSERT[] =
    "INSERT INTO eval_reason (region_id, code, label_zh, label_en, sort, active, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id";
static const char SQL_REASON_UPDATE[] = "UPDATE eval_reason SET label_zh = ?2, label_en = ?3,"
                                        " sort = ?4, active = ?5, updated_at = ?6 WHERE id = ?1";

static int read_reason(struct db_stmt *st, struct arena *a, struct eval_reason_rec *r)
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->r.id = db_col_int64(st, 0);
    r->r.code = col_copy(st, 1, a, &oom);
    r->r.label_zh = col_copy(st, 2, a, &oom);
    r->r.label_en = col_copy(st, 3, a, &oom);
    r->r.sort = (int)db_col_int64(st, 4);
    r->r.active = (int)db_col_int64(st, 5);
    r->region_id = db_col_int64(st, 6);
    r->created_at = db_col_int64(st, 7);
    r->updated_at = db_col_int64(st, 8);
    return oom ? ERR_NOMEM : 0;
}

int eval_reason_get(struct db *db, int64_t id, struct arena *a, struct eval_reason_rec *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REASON_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_reason(st, a, out);
    else if (rc >= 0)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc;
}

int eval_reason_list(struct db *db, int64_t region_id, struct arena *a,
                     struct eval_reason_rec **items, int *n)
{
    *items = NULL;
    *n = 0;
    struct eval_reason_rec *out = arena_alloc(a, sizeof(*out) * EVAL_CONFIG_REASONS_MAX);
    if (!out)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REASON_LIST, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_int64(st, 2, EVAL_CONFIG_REASONS_MAX);
    while ((rc = db_step(st)) == DB_ROW && *n < EVAL_CONFIG_REASONS_MAX) {
        rc = read_reason(st, a, &out[*n]);
        if (rc < 0)
            break;
        (*n)++;
    }
    db_finalize(st);
    *items = out;
    return rc < 0 ? rc : 0;
}

static json_t *reason_json(const struct eval_reason *r)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:b}", "code", r->code, "label_zh", r->label_zh, "label_en",
                     r->label_en, "sort", r->sort, "active", r->active);
}

/* Insert one reason; *id the new row. */
static int reason_insert(struct db *db, int64_t region_id, const struct eval_reason *r, int64_t now,
                         int64_t *id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REASON_INSERT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_text(st, 2, r->code);
    db_bind_text(st, 3, r->label_zh);
    db_bind_text(st, 4, r->label_en);
    db_bind_int64(st, 5, r->sort);
    db_bind_int64(st, 6, r->active ? 1 : 0);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_DB;
    }
    db_finalize(st);
    return rc;
}

/* A region with no stored reasons has the built-in list: store it first, so
 * the region's first own reason adds to that list instead of replacing it. */
static int reasons_materialize(struct db *db, const struct actor *who, int64_t region_id,
                               int64_t now)
{
    int64_t count = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REASON_COUNT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    if (rc == DB_ROW)
        count = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0 || count > 0)
        return rc < 0 ? rc : 0;
    struct arena a = {0};
    struct eval_reason *builtin = NULL;
    int n = 0;
    rc = eval_reasons(db, region_id, 0, &a, &builtin, &n);
    json_t *codes = json_array();
    for (int i = 0; rc == 0 && i < n; i++) {
        int64_t id = 0;
        rc = reason_insert(db, region_id, &builtin[i], now, &id);
        if (codes)
            json_array_append_new(codes, json_string(builtin[i].code));
    }
    arena_reset(&a);
    if (rc < 0 || n == 0) {
        json_decref(codes);
        return rc;
    }
    return audit_append(db, who, "eval_reason.builtin", "org_node", region_id, region_id, NULL,
                        json_pack("{s:o*}", "codes", codes));
}

int eval_reason_create(struct db *db, const struct actor *who, const struct eval_reason_input *in,
                       int64_t now, int64_t *id, struct err *e)
{
    *id = 0;
    int rc = eval_config_region(db, who, in->region_id, 1, e);
    if (rc < 0)
        return rc;
    if (!eval_code_ok(in->code))
        return err_set(e, ERR_INVALID, "code", "code must be 1-%d of a-z, 0-9 and _",
                       EVAL_CODE_MAX);
    if ((rc = label_check("label_zh", in->label_zh, e)) < 0 ||
        (rc = label_check("label_en", in->label_en, e)) < 0 || (rc = sort_check(in->sort, e)) < 0)
        return rc;
    rc = reasons_materialize(db, who, in->region_id, now);
    if (rc < 0)
        return db_fail(e, rc);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_REASON_CODE, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, in->region_id);
    db_bind_text(st, 2, in->code);
    rc = db_step(st);
    db_finalize(st);
    if (rc == DB_ROW)
        return err_set(e, ERR_CONFLICT, "code", "the region has a reason with this code already");
    if (rc < 0)
        return db_fail(e, rc);
    struct eval_reason r = {
        0, (char *)in->code, (char *)in->label_zh, (char *)in->label_en, in->sort, 1};
    rc = reason_insert(db, in->region_id, &r, now, id);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "code", "the region has a reason with this code already");
    if (rc < 0)
        return db_fail(e, rc);
    eval_conf_changed();
    rc = audit_append(db, who, "eval_reason.create", "eval_reason", *id, in->region_id, NULL,
                      reason_json(&r));
    return rc < 0 ? db_fail(e, rc) : 0;
}

int eval_reason_update(struct db *db, const struct actor *who, int64_t id,
                       const struct eval_reason_patch *p, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct eval_reason_rec old;
    int rc = eval_reason_get(db, id, &a, &old);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such reason");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if ((rc = eval_config_region(db, who, old.region_id, 1, e)) < 0)
        goto done;
    struct eval_reason r = old.r;
    if (p->label_zh) {
        if ((rc = label_check("label_zh", p->label_zh, e)) < 0)
            goto done;
        r.label_zh = (char *)p->label_zh;
    }
    if (p->label_en) {
        if ((rc = label_check("label_en", p->label_en, e)) < 0)
            goto done;
        r.label_en = (char *)p->label_en;
    }
    if (p->has_sort) {
        if ((rc = sort_check(p->sort, e)) < 0)
            goto done;
        r.sort = p->sort;
    }
    if (p->active != -1) {
        if (p->active != 0 && p->active != 1) {
            rc = err_set(e, ERR_INVALID, "active", "active must be true or false");
            goto done;
        }
        r.active = p->active;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_REASON_UPDATE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, r.label_zh);
        db_bind_text(st, 3, r.label_en);
        db_bind_int64(st, 4, r.sort);
        db_bind_int64(st, 5, r.active);
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    eval_conf_changed();
    rc = audit_append(db, who, "eval_reason.update", "eval_reason", id, old.region_id,
                      reason_json(&old.r), reason_json(&r));
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

/* ---- indicator sets ---- */

#define SET_COLS "id, region_id, kind, version, current, COALESCE(published_by, 0), published_at"

static const char SQL_SET_GET[] = "SELECT " SET_COLS " FROM eval_indicator_set WHERE id = ?1";
static const char SQL_SET_LIST[] =
    "SELECT " SET_COLS " FROM eval_indicator_set WHERE region_id = ?1"
    " AND (CAST(?2 AS TEXT) = '' OR kind = ?2) ORDER BY published_at DESC, id DESC LIMIT ?3";
static const char SQL_SET_ITEMS[] = "SELECT pos, code, name_zh, name_en FROM eval_indicator"
                                    " WHERE set_id = ?1 ORDER BY pos";
static const char SQL_SET_NEXT[] = "SELECT COALESCE(MAX(version), 0) + 1 FROM eval_indicator_set"
                                   " WHERE region_id = ?1 AND kind = ?2";
static const char SQL_SET_RETIRE[] = "UPDATE eval_indicator_set SET current = 0"
                                     " WHERE region_id = ?1 AND kind = ?2 AND current = 1";
static const char SQL_SET_INSERT[] =
    "INSERT INTO eval_indicator_set (region_id, kind, version, current, published_by,"
    " published_at) VALUES (?1, ?2, ?3, 1, ?4, ?5) RETURNING id";
static const char SQL_ITEM_INSERT[] = "INSERT INTO eval_indicator (set_id, pos, code, name_zh,"
                                      " name_en) VALUES (?1, ?2, ?3, ?4, ?5)";

static int read_set_head(struct db_stmt *st, struct eval_set_rec *s)
{
    memset(s, 0, sizeof(*s));
    s->set.id = db_col_int64(st, 0);
    s->set.region_id = db_col_int64(st, 1);
    const char *kind = db_col_text(st, 2);
    snprintf(s->set.kind, sizeof(s->set.kind), "%s", kind ? kind : "");
    s->set.version = (int)db_col_int64(st, 3);
    s->current = (int)db_col_int64(st, 4);
    s->published_by = db_col_int64(st, 5);
    s->set.published_at = db_col_int64(st, 6);
    return 0;
}

static int read_set_items(struct db *db, struct arena *a, struct eval_set *s)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_ITEMS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, s->id);
    int oom = 0;
    s->n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (s->n >= EVAL_DIMS_MAX)
            continue;
        struct eval_indicator *it = &s->items[s->n++];
        it->pos = (int)db_col_int64(st, 0);
        it->code = col_copy(st, 1, a, &oom);
        it->name_zh = col_copy(st, 2, a, &oom);
        it->name_en = col_copy(st, 3, a, &oom);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

int eval_set_get(struct db *db, int64_t id, struct arena *a, struct eval_set_rec *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_set_head(st, out);
    else if (rc >= 0)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc < 0 ? rc : read_set_items(db, a, &out->set);
}

int eval_set_list(struct db *db, int64_t region_id, const char *kind, struct arena *a,
                  struct eval_set_rec **items, int *n)
{
    *items = NULL;
    *n = 0;
    struct eval_set_rec *out = arena_alloc(a, sizeof(*out) * EVAL_CONFIG_SETS_MAX);
    if (!out)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_LIST, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_text(st, 2, kind ? kind : "");
    db_bind_int64(st, 3, EVAL_CONFIG_SETS_MAX);
    while ((rc = db_step(st)) == DB_ROW && *n < EVAL_CONFIG_SETS_MAX)
        read_set_head(st, &out[(*n)++]);
    db_finalize(st);
    /* the indicators after the heads: one statement open at a time */
    for (int i = 0; rc >= 0 && i < *n; i++)
        rc = read_set_items(db, a, &out[i].set);
    *items = out;
    return rc < 0 ? rc : 0;
}

static int set_input_check(const struct eval_set_input *in, struct err *e)
{
    if (!in->kind || (strcmp(in->kind, "offline") != 0 && strcmp(in->kind, "online") != 0))
        return err_set(e, ERR_INVALID, "kind", "kind must be offline or online");
    if (in->n < 1 || in->n > EVAL_DIMS_MAX || !in->items)
        return err_set(e, ERR_INVALID, "items", "items must hold 1-%d indicators", EVAL_DIMS_MAX);
    char field[48];
    for (int i = 0; i < in->n; i++) {
        const struct eval_set_item_input *it = &in->items[i];
        snprintf(field, sizeof(field), "items[%d].code", i);
        if (!eval_code_ok(it->code))
            return err_set(e, ERR_INVALID, field, "code must be 1-%d of a-z, 0-9 and _",
                           EVAL_CODE_MAX);
        for (int j = 0; j < i; j++)
            if (strcmp(in->items[j].code, it->code) == 0)
                return err_set(e, ERR_INVALID, field, "%s appears twice", field);
        snprintf(field, sizeof(field), "items[%d].name_zh", i);
        int rc = label_check(field, it->name_zh, e);
        if (rc < 0)
            return rc;
        snprintf(field, sizeof(field), "items[%d].name_en", i);
        if ((rc = label_check(field, it->name_en, e)) < 0)
            return rc;
    }
    return 0;
}

static int set_store(struct db *db, const struct actor *who, const struct eval_set_input *in,
                     int version, int64_t now, int64_t *set_id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_RETIRE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, in->region_id);
    db_bind_text(st, 2, in->kind);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0 || (rc = db_prepare(db, SQL_SET_INSERT, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, in->region_id);
    db_bind_text(st, 2, in->kind);
    db_bind_int64(st, 3, version);
    if (who->staff_id > 0)
        db_bind_int64(st, 4, who->staff_id);
    else
        db_bind_null(st, 4);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    if (rc == DB_ROW) {
        *set_id = db_col_int64(st, 0);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_DB;
    }
    db_finalize(st);
    for (int i = 0; rc == 0 && i < in->n; i++) {
        rc = db_prepare(db, SQL_ITEM_INSERT, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, *set_id);
        db_bind_int64(st, 2, i + 1);
        db_bind_text(st, 3, in->items[i].code);
        db_bind_text(st, 4, in->items[i].name_zh);
        db_bind_text(st, 5, in->items[i].name_en);
        rc = db_step(st);
        db_finalize(st);
        if (rc > 0)
            rc = 0;
    }
    return rc < 0 ? rc : 0;
}

int eval_set_publish(struct db *db, const struct actor *who, const struct eval_set_input *in,
                     int64_t now, int64_t *set_id, struct err *e)
{
    *set_id = 0;
    int rc = eval_config_region(db, who, in->region_id, 1, e);
    if (rc < 0 || (rc = set_input_check(in, e)) < 0)
        return rc;
    struct db_stmt *st = NULL;
    int64_t version = 1;
    rc = db_prepare(db, SQL_SET_NEXT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, in->region_id);
    db_bind_text(st, 2, in->kind);
    rc = db_step(st);
    if (rc == DB_ROW)
        version = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0 || (rc = set_store(db, who, in, (int)version, now, set_id)) < 0)
        return db_fail(e, rc);
    eval_conf_changed();
    json_t *codes = json_array();
    for (int i = 0; codes && i < in->n; i++)
        json_array_append_new(codes, json_string(in->items[i].code));
    json_t *after = json_pack("{s:s,s:I,s:o*}", "kind", in->kind, "version", (json_int_t)version,
                              "items", codes);
    rc = audit_append(db, who, "eval_indicator_set.publish", "eval_indicator_set", *set_id,
                      in->region_id, NULL, after);
    return rc < 0 ? db_fail(e, rc) : 0;
}

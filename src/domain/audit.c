#include "domain/audit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/err.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* The canonical text of a record: fields separated by the unit separator, so
 * no field's content can imitate a boundary (fields never contain 0x1f). */
static char *canonical(const struct audit_record *r)
{
    size_t cap = 512 + strlen(r->actor) + strlen(r->action) + strlen(r->entity) + strlen(r->ip) +
                 strlen(r->request_id) + strlen(r->before) + strlen(r->after) +
                 strlen(r->prev_hash);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    int n = snprintf(s, cap,
                     "%s\n%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%" PRId64
                     "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%s",
                     r->prev_hash, r->id, r->ts, r->actor_id, r->actor, r->action, r->entity,
                     r->entity_id, r->node_id, r->ip, r->request_id, r->before, r->after);
    if (n < 0 || (size_t)n >= cap) {
        free(s);
        return NULL;
    }
    return s;
}

static void record_hash(const struct audit_record *r, char *out)
{
    char *c = canonical(r);
    if (!c) {
        memset(out, 0, CRYPTO_SHA256_HEX);
        return;
    }
    crypto_sha256_hex(c, strlen(c), out);
    free(c);
}

static char *snapshot(json_t *j)
{
    if (!j)
        return strdup("");
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static const char SQL_BUMP[] =
    "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash";
static const char SQL_SET_HEAD[] = "UPDATE audit_head SET last_hash = ?1 WHERE id = 1";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (id, ts, actor_id, actor, action, entity, entity_id, node_id, ip,"
    " request_id, before_json, after_json, prev_hash, hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

int audit_append(struct db *db, const struct actor *a, const char *action, const char *entity,
                 int64_t entity_id, int64_t node_id, json_t *before, json_t *after)
{
    char *b = snapshot(before), *af = snapshot(after);
    struct db_stmt *st = NULL;
    char prev[CRYPTO_SHA256_HEX], hash[CRYPTO_SHA256_HEX];
    int rc = ERR_NOMEM;
    if (!b || !af)
        goto out;
    rc = db_prepare(db, SQL_BUMP, &st);
    if (rc < 0)
        goto out;
    rc = db_step(st);
    if (rc != DB_ROW) {
        rc = rc < 0 ? rc : ERR_DB;
        goto out;
    }
    struct audit_record r = {
        .id = db_col_int64(st, 0),
        .ts = (int64_t)time(NULL),
        .actor_id = a->staff_id ? a->staff_id : a->device_id,
        .entity_id = entity_id,
        .node_id = node_id,
        .actor = a->name,
        .action = action,
        .entity = entity,
        .ip = a->ip,
        .request_id = a->request_id,
        .before = b,
        .after = af,
        .prev_hash = prev,
    };
    const char *p = db_col_text(st, 1);
    snprintf(prev, sizeof(prev), "%s", p ? p : ZERO_HASH);
    db_finalize(st);
    st = NULL;
    record_hash(&r, hash);

    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        goto out;
    db_bind_int64(st, 1, r.id);
    db_bind_int64(st, 2, r.ts);
    if (r.actor_id)
        db_bind_int64(st, 3, r.actor_id);
    db_bind_text(st, 4, r.actor);
    db_bind_text(st, 5, action);
    db_bind_text(st, 6, entity);
    if (entity_id)
        db_bind_int64(st, 7, entity_id);
    if (node_id)
        db_bind_int64(st, 8, node_id);
    db_bind_text(st, 9, r.ip);
    db_bind_text(st, 10, r.request_id);
    db_bind_text(st, 11, b);
    db_bind_text(st, 12, af);
    db_bind_text(st, 13, prev);
    db_bind_text(st, 14, hash);
    rc = db_step(st);
    db_finalize(st);
    st = NULL;
    if (rc < 0)
        goto out;
    rc = db_prepare(db, SQL_SET_HEAD, &st);
    if (rc < 0)
        goto out;
    db_bind_text(st, 1, hash);
    rc = db_step(st);
    rc = rc < 0 ? rc : 0;
out:
    db_finalize(st);
    free(b);
    free(af);
    return rc;
}

#define AUDIT_COLS                                                                                 \
    "id, ts, COALESCE(actor_id, 0), actor, action, entity, COALESCE(entity_id, 0),"                \
    " COALESCE(node_id, 0), ip, request_id, before_json, after_json, prev_hash, hash"

static const char SQL_LIST[] =
    "SELECT " AUDIT_COLS " FROM audit_log a"
    " WHERE (CAST(?1 AS TEXT) IS NULL OR entity = ?1) AND (CAST(?2 AS BIGINT) = 0 OR entity_id = "
    "?2)"
    "   AND (?3 = '' OR node_id IN (SELECT id FROM org_node WHERE path >= ?3 AND path < ?4)"
    "        OR (node_id IS NULL AND CAST(?7 AS INTEGER) = 1))"
    " ORDER BY id DESC LIMIT ?5 OFFSET ?6";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM audit_log a"
    " WHERE (CAST(?1 AS TEXT) IS NULL OR entity = ?1) AND (CAST(?2 AS BIGINT) = 0 OR entity_id = "
    "?2)"
    "   AND (?3 = '' OR node_id IN (SELECT id FROM org_node WHERE path >= ?3 AND path < ?4)"
    "        OR (node_id IS NULL AND CAST(?7 AS INTEGER) = 1))";

static const char *col_dup(struct db_stmt *st, int c, struct arena *a)
{
    const char *s = db_col_text(st, c);
    return arena_strdup(a, s ? s : "");
}

static void read_record(struct db_stmt *st, struct audit_record *r, struct arena *a)
{
    r->id = db_col_int64(st, 0);
    r->ts = db_col_int64(st, 1);
    r->actor_id = db_col_int64(st, 2);
    r->actor = col_dup(st, 3, a);
    r->action = col_dup(st, 4, a);
    r->entity = col_dup(st, 5, a);
    r->entity_id = db_col_int64(st, 6);
    r->node_id = db_col_int64(st, 7);
    r->ip = col_dup(st, 8, a);
    r->request_id = col_dup(st, 9, a);
    r->before = col_dup(st, 10, a);
    r->after = col_dup(st, 11, a);
    r->prev_hash = col_dup(st, 12, a);
    r->hash = col_dup(st, 13, a);
}

/* bind the filter's ?1..?4 */
static void bind_filter(struct db_stmt *st, const struct audit_filter *f, char *scope_end)
{
    db_bind_text(st, 1, f->entity);
    db_bind_int64(st, 2, f->entity_id);
    db_bind_text(st, 3, f->scope ? f->scope : "");
    db_bind_text(st, 4, scope_end);
    db_bind_int64(st, 7, f->include_global ? 1 : 0);
}

int audit_list(struct db *db, const struct audit_filter *f, struct arena *a,
               struct audit_record **items, int *n, int64_t *total)
{
    char scope_end[ACTOR_PATH_MAX + 2] = "";
    if (f->scope && *f->scope) {
        snprintf(scope_end, sizeof(scope_end), "%s", f->scope);
        size_t l = strlen(scope_end);
        scope_end[l - 1] = '0'; /* '/' + 1: every path under scope sorts before it */
    }
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_COUNT, &st);
    if (rc < 0)
        return rc;
    bind_filter(st, f, scope_end);
    rc = db_step(st);
    *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_LIST, &st);
    if (rc < 0)
        return rc;
    bind_filter(st, f, scope_end);
    db_bind_int64(st, 5, f->per_page);
    db_bind_int64(st, 6, (f->page - 1) * f->per_page);
    *items = arena_alloc(a, sizeof(**items) * (size_t)f->per_page);
    *n = 0;
    if (!*items) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    while ((rc = db_step(st)) == DB_ROW)
        read_record(st, &(*items)[(*n)++], a);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_ALL[] = "SELECT " AUDIT_COLS " FROM audit_log ORDER BY id";
static const char SQL_HEAD[] = "SELECT last_id, last_hash FROM audit_head WHERE id = 1";

int audit_verify(struct db *db, FILE *out, int64_t *checked, int64_t *bad_id)
{
    struct db_stmt *st = NULL;
    struct arena a = {0};
    char prev[CRYPTO_SHA256_HEX] = ZERO_HASH, h[CRYPTO_SHA256_HEX];
    int64_t expect = 1;
    *checked = 0;
    *bad_id = 0;
    int rc = db_prepare(db, SQL_ALL, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct audit_record r;
        read_record(st, &r, &a);
        if (r.id != expect) {
            fprintf(out, "record %" PRId64 " is missing (next present: %" PRId64 ")\n", expect,
                    r.id);
            *bad_id = expect;
            rc = ERR_CONFLICT;
            break;
        }
        if (strcmp(r.prev_hash, prev) != 0) {
            fprintf(out, "record %" PRId64 ": prev_hash does not match record %" PRId64 "\n", r.id,
                    r.id - 1);
            *bad_id = r.id;
            rc = ERR_CONFLICT;
            break;
        }
        record_hash(&r, h);
        if (strcmp(h, r.hash) != 0) {
            fprintf(out, "record %" PRId64 ": content changed (hash mismatch)\n", r.id);
            *bad_id = r.id;
            rc = ERR_CONFLICT;
            break;
        }
        memcpy(prev, h, sizeof(prev));
        expect++;
        (*checked)++;
        arena_reset(&a);
    }
    db_finalize(st);
    arena_reset(&a);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_HEAD, &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t last = db_col_int64(st, 0);
        const char *lh = db_col_text(st, 1);
        if (last != expect - 1 || !lh || strcmp(lh, prev) != 0) {
            fprintf(out, "chain head says record %" PRId64 " but the log ends at %" PRId64 "\n",
                    last, expect - 1);
            *bad_id = expect;
            rc = ERR_CONFLICT;
        } else {
            fprintf(out, "audit chain intact: %" PRId64 " records checked, head %s\n", *checked,
                    prev);
            rc = 0;
        }
    } else {
        rc = rc < 0 ? rc : ERR_DB;
    }
    db_finalize(st);
    return rc;
}

/* queue_setup.c - how a hall's queue is set up and staffed: its settings,
 * ticket series and the items they serve, window profiles, and windows
 * opening and closing. The rules of the tickets themselves are in queue.c. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/queue.h"
#include "domain/queue_impl.h"

/* ---- settings ---- */

static const char SQL_RECALL_LIMIT[] = "SELECT recall_limit FROM queue_hall WHERE hall_id = ?1";

int queue_recall_limit(struct db *db, int64_t hall_id, int *out)
{
    struct db_stmt *st = NULL;
    *out = QUEUE_RECALL_LIMIT_DEFAULT;
    int rc = db_prepare(db, SQL_RECALL_LIMIT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    rc = db_step(st);
    if (rc == DB_ROW)
        *out = (int)db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_SET_RECALL_LIMIT[] =
    "INSERT INTO queue_hall (hall_id, recall_limit, updated_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (hall_id) DO UPDATE SET recall_limit = excluded.recall_limit,"
    " updated_at = excluded.updated_at";

int queue_set_recall_limit(struct db *db, const struct actor *who, int64_t hall_id, int limit,
                           int64_t now, struct err *e)
{
    struct org_node hall;
    int rc = queue_load_hall(db, hall_id, &hall, e);
    if (rc < 0)
        return rc;
    if (!queue_is_admin_of(who, hall.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the hall may do this");
    if (limit < 0 || limit > QUEUE_RECALL_LIMIT_MAX)
        return err_set(e, ERR_INVALID, "recall_limit", "recall_limit must be 0-%d",
                       QUEUE_RECALL_LIMIT_MAX);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_SET_RECALL_LIMIT, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, hall_id);
    db_bind_int64(st, 2, limit);
    db_bind_int64(st, 3, now);
    rc = queue_step_once(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    rc = audit_append(db, who, "update", "queue_hall", hall_id, hall_id, NULL,
                      json_pack("{s:i}", "recall_limit", limit));
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

/* ---- series ---- */

#define SERIES_COLS "id, hall_id, prefix, name, active, created_at, updated_at"

static const char SQL_SERIES[] = "SELECT " SERIES_COLS " FROM queue_series WHERE id = ?1";
static const char SQL_SERIES_OF_HALL[] =
    "SELECT " SERIES_COLS " FROM queue_series WHERE hall_id = ?1 ORDER BY prefix LIMIT 1000";
static const char SQL_SERIES_BY_PREFIX[] =
    "SELECT " SERIES_COLS " FROM queue_series WHERE hall_id = ?1 AND prefix = ?2";
static const char SQL_SERIES_ITEMS[] =
    "SELECT item_code FROM series_item WHERE series_id = ?1 ORDER BY item_code";

static void read_series(struct db_stmt *st, struct queue_series *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_col_int64(st, 0);
    s->hall_id = db_col_int64(st, 1);
    queue_copy(s->prefix, sizeof(s->prefix), db_col_text(st, 2));
    queue_copy(s->name, sizeof(s->name), db_col_text(st, 3));
    s->active = (int)db_col_int64(st, 4);
    s->created_at = db_col_int64(st, 5);
    s->updated_at = db_col_int64(st, 6);
}

/* One series by a statement of SERIES_COLS (id or hall+prefix); ERR_NOTFOUND. */
static int series_one(struct db *db, const char *sql, int64_t key, const char *prefix,
                      struct queue_series *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, key);
    if (prefix)
        db_bind_text(st, 2, prefix);
    rc = db_step(st);
    if (rc == DB_ROW)
        read_series(st, out);
    db_finalize(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : ERR_NOTFOUND;
}

int queue_series_read(struct db *db, int64_t id, struct queue_series *out)
{
    return series_one(db, SQL_SERIES, id, NULL, out);
}

int queue_series_by_prefix(struct db *db, int64_t hall_id, const char *prefix,
                           struct queue_series *out)
{
    return series_one(db, SQL_SERIES_BY_PREFIX, hall_id, prefix, out);
}

static int series_items(struct db *db, struct queue_series *s, struct arena *a)
{
    struct db_stmt *st = NULL;
    s->nitems = 0;
    s->item_codes = arena_alloc(a, sizeof(*s->item_codes) * QUEUE_SERIES_ITEMS_MAX);
    if (!s->item_codes)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_SERIES_ITEMS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, s->id);
    while ((rc = db_step(st)) == DB_ROW && s->nitems < QUEUE_SERIES_ITEMS_MAX) {
        const char *code = arena_strdup(a, db_col_text(st, 0) ? db_col_text(st, 0) : "");
        if (!code) {
            rc = ERR_NOMEM;
            break;
        }
        s->item_codes[s->nitems++] = code;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int queue_series_get(struct db *db, int64_t id, struct arena *a, struct queue_series *out)
{
    int rc = queue_series_read(db, id, out);
    return rc < 0 ? rc : series_items(db, out, a);
}

int queue_series_list(struct db *db, int64_t hall_id, struct arena *a, struct queue_series **items,
                      int *n)
{
    struct db_stmt *st = NULL;
    int cap = 64, rc;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * (size_t)cap);
    if (!*items)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_SERIES_OF_HALL, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) { /* grow: a hall rarely has more than a dozen */
            struct queue_series *more = arena_alloc(a, sizeof(**items) * (size_t)cap * 2);
            if (!more) {
                rc = ERR_NOMEM;
                break;
            }
            memcpy(more, *items, sizeof(**items) * (size_t)cap);
            *items = more;
            cap *= 2;
        }
        read_series(st, &(*items)[(*n)++]);
    }
    db_finalize(st);
    for (int i = 0; rc >= 0 && i < *n; i++)
        rc = series_items(db, &(*items)[i], a);
    return rc < 0 ? rc : 0;
}

static int prefix_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n < 1 || n > QUEUE_PREFIX_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 'A' || p[i] > 'Z')
            return 0;
    return 1;
}

static const char SQL_ITEM_ELSEWHERE[] =
    "SELECT s.prefix FROM series_item i JOIN queue_series s ON s.id = i.series_id"
    " WHERE i.hall_id = ?1 AND i.item_code = ?2 AND i.series_id <> ?3";

/* Check item codes for series_id (0: a new one) of a hall: known items, no
 * repeats, in no other series of the hall. */
static int check_items(struct db *db, int64_t hall_id, int64_t series_id, const char *const *codes,
                       int n, struct err *e)
{
    if (n < 0 || n > QUEUE_SERIES_ITEMS_MAX)
        return err_set(e, ERR_INVALID, "item_codes", "at most %d item codes",
                       QUEUE_SERIES_ITEMS_MAX);
    struct arena a = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        char field[32];
        snprintf(field, sizeof(field), "item_codes[%d]", i);
        struct catalog_item item;
        for (int k = 0; k < i; k++)
            if (strcmp(codes[k], codes[i]) == 0)
                rc = err_set(e, ERR_INVALID, field, "item %s is listed twice", codes[i]);
        if (rc < 0)
            break;
        rc = catalog_find_code(db, codes[i], &a, &item);
        arena_reset(&a);
        if (rc == ERR_NOTFOUND) {
            rc = err_set(e, ERR_INVALID, field, "no catalogue item %s", codes[i]);
            break;
        }
        if (rc < 0) {
            rc = queue_db_fail(e, rc);
            break;
        }
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_ITEM_ELSEWHERE, &st);
        if (rc < 0) {
            rc = queue_db_fail(e, rc);
            break;
        }
        db_bind_int64(st, 1, hall_id);
        db_bind_text(st, 2, codes[i]);
        db_bind_int64(st, 3, series_id);
        rc = db_step(st);
        char other[QUEUE_PREFIX_MAX + 1] = "";
        if (rc == DB_ROW)
            queue_copy(other, sizeof(other), db_col_text(st, 0));
        db_finalize(st);
        if (rc == DB_ROW)
            rc =
                err_set(e, ERR_CONFLICT, field, "item %s is already in series %s", codes[i], other);
        else if (rc < 0)
            rc = queue_db_fail(e, rc);
        else
            rc = 0;
    }
    arena_reset(&a);
    return rc;
}

static const char SQL_DELETE_ITEMS[] = "DELETE FROM series_item WHERE series_id = ?1";
static const char SQL_INSERT_ITEM[] =
    "INSERT INTO series_item (series_id, hall_id, item_code) VALUES (?1, ?2, ?3)";

static int write_items(struct db *db, int64_t series_id, int64_t hall_id, const char *const *codes,
                       int n)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_DELETE_ITEMS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, series_id);
    rc = queue_step_once(st);
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = db_prepare(db, SQL_INSERT_ITEM, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, series_id);
        db_bind_int64(st, 2, hall_id);
        db_bind_text(st, 3, codes[i]);
        rc = queue_step_once(st);
    }
    return rc < 0 ? rc : 0;
}

json_t *queue_series_audit(const char *prefix, const char *name, int active,
                           const char *const *codes, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_string(codes[i]));
    return json_pack("{s:s,s:s,s:b,s:o*}", "prefix", prefix, "name", name, "active", active,
                     "item_codes", arr);
}

static const char SQL_INSERT_SERIES[] =
    "INSERT INTO queue_series (hall_id, prefix, name, active, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, 1, ?4, ?4) RETURNING id";

/* Insert the series row (no checks of rights; names checked by callers). */
int queue_series_insert(struct db *db, int64_t hall_id, const char *prefix, const char *name,
                        int64_t now, int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INSERT_SERIES, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, prefix);
    db_bind_text(st, 3, name);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "prefix", "the hall already has a series %s", prefix);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

int queue_series_create(struct db *db, const struct actor *who, int64_t hall_id, const char *prefix,
                        const char *name, const char *const *item_codes, int nitems, int64_t now,
                        int64_t *id, struct err *e)
{
    struct org_node hall;
    struct queue_series existing;
    int rc = queue_load_hall(db, hall_id, &hall, e);
    if (rc < 0)
        return rc;
    if (!queue_is_admin_of(who, hall.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the hall may do this");
    if (!prefix_ok(prefix))
        return err_set(e, ERR_INVALID, "prefix", "prefix must be 1-%d capital letters",
                       QUEUE_PREFIX_MAX);
    if (parse_text(name, 1, QUEUE_SERIES_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters on one line",
                       QUEUE_SERIES_NAME_MAX);
    rc = queue_series_by_prefix(db, hall_id, prefix, &existing);
    if (rc == 0)
        return err_set(e, ERR_CONFLICT, "prefix", "the hall already has a series %s", prefix);
    if (rc != ERR_NOTFOUND)
        return queue_db_fail(e, rc);
    rc = check_items(db, hall_id, 0, item_codes, nitems, e);
    if (rc == 0)
        rc = queue_series_insert(db, hall_id, prefix, name, now, id, e);
    if (rc < 0)
        return rc;
    rc = write_items(db, *id, hall_id, item_codes, nitems);
    if (rc == 0)
        rc = audit_append(db, who, "create", "queue_series", *id, hall_id, NULL,
                          queue_series_audit(prefix, name, 1, item_codes, nitems));
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

static const char SQL_UPDATE_SERIES[] =
    "UPDATE queue_series SET name = ?2, active = ?3, updated_at = ?4 WHERE id = ?1";

int queue_series_update(struct db *db, const struct actor *who, int64_t id,
                        const struct queue_series_patch *p, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct queue_series s = {0};
    struct org_node hall;
    int rc = queue_series_get(db, id, &a, &s);
    if (rc == ERR_NOTFOUND)
        rc = err_set(e, rc, NULL, "no such series");
    else if (rc < 0)
        rc = queue_db_fail(e, rc);
    if (rc == 0)
        rc = queue_load_hall(db, s.hall_id, &hall, e);
    if (rc == 0 && !queue_is_admin_of(who, hall.path))
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the hall may do this");
    if (rc == 0 && p->name && parse_text(p->name, 1, QUEUE_SERIES_NAME_MAX, 0) < 0)
        rc = err_set(e, ERR_INVALID, "name", "name must have 1-%d characters on one line",
                     QUEUE_SERIES_NAME_MAX);
    if (rc == 0 && p->set_items)
        rc = check_items(db, s.hall_id, id, p->item_codes, p->nitems, e);
    json_t *before = NULL;
    if (rc == 0)
        before = queue_series_audit(s.prefix, s.name, s.active, s.item_codes, s.nitems);
    const char *name = p->name ? p->name : s.name;
    int active = p->active >= 0 ? p->active : s.active;
    struct db_stmt *st = NULL;
    if (rc == 0)
        rc = db_prepare(db, SQL_UPDATE_SERIES, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, name);
        db_bind_int64(st, 3, active);
        db_bind_int64(st, 4, now);
        rc = queue_step_once(st);
    }
    if (rc >= 0 && p->set_items)
        rc = write_items(db, id, s.hall_id, p->item_codes, p->nitems);
    if (rc >= 0) {
        const char *const *codes = p->set_items ? p->item_codes : s.item_codes;
        int n = p->set_items ? p->nitems : s.nitems;
        rc = audit_append(db, who, "update", "queue_series", id, s.hall_id, before,
                          queue_series_audit(s.prefix, name, active, codes, n));
        before = NULL;
    }
    json_decref(before);
    arena_reset(&a);
    if (rc < 0 && !e->msg[0])
        queue_db_fail(e, rc);
    return rc < 0 ? rc : 0;
}

/* ---- windows ---- */

static enum queue_window_status window_status_of(const char *s)
{
    for (int i = QUEUE_WINDOW_CLOSED; s && i <= QUEUE_WINDOW_PAUSED; i++)
        if (strcmp(s, queue_window_status_name((enum queue_window_status)i)) == 0)
            return (enum queue_window_status)i;
    return QUEUE_WINDOW_CLOSED;
}

static const char SQL_WINDOW[] =
    "SELECT w.id, COALESCE(w.parent_id, 0), w.name, w.code, w.kind,"
    " COALESCE(s.status, 'closed'), COALESCE(s.staff_id, 0), COALESCE(st.name, ''),"
    " COALESCE(s.ticket_id, 0), COALESCE(p.mode, 'longest_wait')"
    " FROM org_node w LEFT JOIN window_state s ON s.window_id = w.id"
    " LEFT JOIN staff st ON st.id = s.staff_id"
    " LEFT JOIN window_profile p ON p.window_id = w.id WHERE w.id = ?1";
static const char SQL_PROFILE_SERIES[] =
    "SELECT series_id FROM window_profile_series WHERE window_id = ?1 ORDER BY seq";

static const char SQL_WINDOW_MODE[] = "SELECT mode FROM window_profile WHERE window_id = ?1";

int queue_window_mode(struct db *db, int64_t window_id, enum queue_mode *mode)
{
    struct db_stmt *st = NULL;
    *mode = QUEUE_LONGEST_WAIT;
    int rc = db_prepare(db, SQL_WINDOW_MODE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    rc = db_step(st);
    if (rc == DB_ROW && queue_mode_parse(db_col_text(st, 0), mode) < 0)
        *mode = QUEUE_LONGEST_WAIT;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int queue_window_get(struct db *db, int64_t window_id, int64_t now, struct queue_window *out)
{
    struct db_stmt *st = NULL;
    int64_t ticket_id = 0;
    memset(out, 0, sizeof(*out));
    int rc = db_prepare(db, SQL_WINDOW, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        const char *kind = db_col_text(st, 4);
        if (!kind || strcmp(kind, "window") != 0) {
            rc = DB_DONE;
        } else {
            out->window_id = db_col_int64(st, 0);
            out->hall_id = db_col_int64(st, 1);
            queue_copy(out->name, sizeof(out->name), db_col_text(st, 2));
            queue_copy(out->code, sizeof(out->code), db_col_text(st, 3));
            out->status = window_status_of(db_col_text(st, 5));
            out->staff_id = db_col_int64(st, 6);
            queue_copy(out->staff_name, sizeof(out->staff_name), db_col_text(st, 7));
            ticket_id = db_col_int64(st, 8);
            if (queue_mode_parse(db_col_text(st, 9), &out->mode) < 0)
                out->mode = QUEUE_LONGEST_WAIT;
        }
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return ERR_NOTFOUND;
    rc = db_prepare(db, SQL_PROFILE_SERIES, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    while ((rc = db_step(st)) == DB_ROW && out->nseries < QUEUE_PROFILE_MAX)
        out->series_ids[out->nseries++] = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (ticket_id) {
        rc = queue_ticket_get(db, ticket_id, now, &out->current);
        if (rc < 0)
            return rc;
        out->has_current = 1;
    }
    return 0;
}

static const char SQL_HALL_WINDOWS[] = "SELECT id FROM org_node WHERE parent_id = ?1"
                                       " AND kind = 'window' AND active = 1 ORDER BY code, id";

int queue_hall_windows(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                       struct queue_window **items, int *n)
{
    int64_t *ids = arena_alloc(a, sizeof(*ids) * ORG_HALL_WINDOWS_MAX);
    int count = 0;
    *n = 0;
    if (!ids)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_HALL_WINDOWS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    while ((rc = db_step(st)) == DB_ROW && count < ORG_HALL_WINDOWS_MAX)
        ids[count++] = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    *items = arena_alloc(a, sizeof(**items) * (size_t)(count ? count : 1));
    if (!*items)
        return ERR_NOMEM;
    for (int i = 0; i < count; i++) {
        rc = queue_window_get(db, ids[i], now, &(*items)[i]);
        if (rc < 0)
            return rc;
    }
    *n = count;
    return 0;
}

static const char SQL_SERIES_HALL[] = "SELECT hall_id FROM queue_series WHERE id = ?1";
static const char SQL_PROFILE_UPSERT[] =
    "INSERT INTO window_profile (window_id, mode, updated_at) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (window_id) DO UPDATE SET mode = excluded.mode,"
    " updated_at = excluded.updated_at";
static const char SQL_PROFILE_CLEAR[] = "DELETE FROM window_profile_series WHERE window_id = ?1";
static const char SQL_PROFILE_ADD[] =
    "INSERT INTO window_profile_series (window_id, series_id, seq) VALUES (?1, ?2, ?3)";

static json_t *profile_json(enum queue_mode mode, const int64_t *ids, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return json_pack("{s:s,s:o*}", "mode", queue_mode_name(mode), "series_ids", arr);
}

int queue_profile_set(struct db *db, const struct actor *who, int64_t window_id,
                      enum queue_mode mode, const int64_t *series_ids, int n, int64_t now,
                      struct err *e)
{
    struct org_node win;
    struct queue_window before;
    int rc = queue_load_window(db, window_id, &win, e);
    if (rc < 0)
        return rc;
    if (!queue_is_admin_of(who, win.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the hall may do this");
    if (mode != QUEUE_LONGEST_WAIT && mode != QUEUE_STRICT_PRIORITY)
        return err_set(e, ERR_INVALID, "mode", "mode must be longest_wait or strict_priority");
    if (n < 0 || n > QUEUE_PROFILE_MAX)
        return err_set(e, ERR_INVALID, "series_ids", "at most %d series", QUEUE_PROFILE_MAX);
    for (int i = 0; i < n; i++) {
        char field[32];
        snprintf(field, sizeof(field), "series_ids[%d]", i);
        for (int k = 0; k < i; k++)
            if (series_ids[k] == series_ids[i])
                return err_set(e, ERR_INVALID, field, "series %lld is listed twice",
                               (long long)series_ids[i]);
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_SERIES_HALL, &st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        db_bind_int64(st, 1, series_ids[i]);
        rc = db_step(st);
        int64_t hall = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (hall != win.parent_id)
            return err_set(e, ERR_INVALID, field, "no series %lld in the window's hall",
                           (long long)series_ids[i]);
    }
    rc = queue_window_get(db, window_id, now, &before);
    if (rc < 0)
        return queue_db_fail(e, rc);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_PROFILE_UPSERT, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, window_id);
        db_bind_text(st, 2, queue_mode_name(mode));
        db_bind_int64(st, 3, now);
        rc = queue_step_once(st);
    }
    if (rc >= 0)
        rc = db_prepare(db, SQL_PROFILE_CLEAR, &st);
    if (rc >= 0) {
        db_bind_int64(st, 1, window_id);
        rc = queue_step_once(st);
    }
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = db_prepare(db, SQL_PROFILE_ADD, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, window_id);
        db_bind_int64(st, 2, series_ids[i]);
        db_bind_int64(st, 3, i + 1);
        rc = queue_step_once(st);
    }
    if (rc >= 0)
        rc = audit_append(db, who, "update", "window_profile", window_id, window_id,
                          profile_json(before.mode, before.series_ids, before.nseries),
                          profile_json(mode, series_ids, n));
    if (rc >= 0)
        queue_eta_forget(0); /* the windows serving a series changed */
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

static const char SQL_WINDOW_OPEN[] =
    "INSERT INTO window_state (window_id, hall_id, status, staff_id, ticket_id, updated_at)"
    " VALUES (?1, ?2, 'open', ?3, NULL, ?4)"
    " ON CONFLICT (window_id) DO UPDATE SET status = 'open', staff_id = excluded.staff_id,"
    " updated_at = excluded.updated_at";

int queue_window_open(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                      struct err *e)
{
    struct org_node win;
    int rc = queue_load_window(db, window_id, &win, e);
    if (rc == 0)
        rc = queue_may_work_at(db, who, &win, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_WINDOW_OPEN, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, win.parent_id);
    queue_bind_id(st, 3, who->staff_id);
    db_bind_int64(st, 4, now);
    rc = queue_step_once(st);
    if (rc >= 0)
        rc = audit_append(
            db, who, "open", "window_state", window_id, window_id, NULL,
            json_pack("{s:s,s:I}", "status", "open", "staff_id", (json_int_t)who->staff_id));
    if (rc >= 0)
        queue_eta_forget(0); /* the windows serving a series changed */
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

static const char SQL_WINDOW_STATE[] =
    "SELECT status, COALESCE(ticket_id, 0) FROM window_state WHERE window_id = ?1";
static const char SQL_WINDOW_CLOSE[] =
    "UPDATE window_state SET status = 'closed', staff_id = NULL, updated_at = ?2"
    " WHERE window_id = ?1 AND ticket_id IS NULL RETURNING window_id";

/* The window's state row: status text into status (cap 16) and its
 * current ticket (0 none). Without a row: "closed". */
static int window_state(struct db *db, int64_t window_id, char *status, int64_t *ticket_id)
{
    struct db_stmt *st = NULL;
    snprintf(status, 16, "closed");
    *ticket_id = 0;
    int rc = db_prepare(db, SQL_WINDOW_STATE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        queue_copy(status, 16, db_col_text(st, 0));
        *ticket_id = db_col_int64(st, 1);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ERR_CONFLICT explaining why the window cannot take a ticket now. */
int queue_window_busy(struct db *db, const struct org_node *win, struct err *e)
{
    char status[16];
    int64_t tid = 0;
    struct queue_ticket t;
    int rc = window_state(db, win->id, status, &tid);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (strcmp(status, "paused") == 0)
        return err_set(e, ERR_CONFLICT, "status", "the window is paused");
    if (strcmp(status, "open") != 0)
        return err_set(e, ERR_CONFLICT, "status", "window %s is %s; open it first", win->name,
                       status);
    if (tid && queue_ticket_read(db, tid, &t) == 0)
        return err_set(e, ERR_CONFLICT, "status", "window %s still holds ticket %s (%s)", win->name,
                       t.code, queue_status_name(t.status));
    return err_set(e, ERR_CONFLICT, "status", "window %s is busy", win->name);
}

static const char SQL_WINDOW_PAUSE[] =
    "UPDATE window_state SET status = 'paused', updated_at = ?2"
    " WHERE window_id = ?1 AND status = 'open' RETURNING window_id";

/* The window, the caller's right to work there, and its state (status
 * text into status[16], its ticket into *tid). 0, or an ERR_* with e set. */
static int window_for_change(struct db *db, const struct actor *who, int64_t window_id,
                             struct org_node *win, char *status, int64_t *tid, struct err *e)
{
    int rc = queue_load_window(db, window_id, win, e);
    if (rc == 0)
        rc = queue_may_work_at(db, who, win, e);
    if (rc < 0)
        return rc;
    rc = window_state(db, window_id, status, tid);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

int queue_window_pause(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                       struct err *e)
{
    struct org_node win;
    char status[16];
    int64_t tid = 0;
    int rc = window_for_change(db, who, window_id, &win, status, &tid, e);
    if (rc < 0)
        return rc;
    if (strcmp(status, "paused") == 0)
        return 0; /* pausing a paused window changes nothing */
    if (strcmp(status, "open") != 0)
        return err_set(e, ERR_CONFLICT, "status", "window %s is %s; open it first", win.name,
                       status);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_WINDOW_PAUSE, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, now);
    rc = queue_step_once(st);
    if (rc >= 0)
        rc = audit_append(db, who, "pause", "window_state", window_id, window_id, NULL,
                          json_pack("{s:s}", "status", "paused"));
    if (rc >= 0)
        queue_eta_forget(0); /* the windows serving a series changed */
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

int queue_window_close(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                       struct err *e)
{
    struct org_node win;
    char status[16];
    int64_t tid = 0;
    int rc = window_for_change(db, who, window_id, &win, status, &tid, e);
    if (rc < 0)
        return rc;
    if (strcmp(status, "closed") == 0)
        return 0; /* closing a closed window changes nothing */
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_WINDOW_CLOSE, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, now);
    rc = queue_step_once(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (rc == 0) {
        struct queue_ticket t;
        if (tid && queue_ticket_read(db, tid, &t) == 0)
            return err_set(e, ERR_CONFLICT, "status",
                           "window %s still holds ticket %s (%s): finish or transfer it first",
                           win.name, t.code, queue_status_name(t.status));
        return err_set(e, ERR_CONFLICT, "status", "window %s still holds a ticket", win.name);
    }
    rc = audit_append(db, who, "close", "window_state", window_id, window_id, NULL,
                      json_pack("{s:s}", "status", "closed"));
    if (rc >= 0)
        queue_eta_forget(0); /* the windows serving a series changed */
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

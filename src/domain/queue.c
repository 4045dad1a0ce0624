/* queue.c - the queue's rules for tickets: issuing, calling and the counter
 * actions, each written to the ticket's timeline, and what a window holds
 * meanwhile. Series, profiles and opening windows are in queue_setup.c; the
 * reads for screens and reports in queue_view.c. */
#include "domain/queue.h"
#include "domain/score.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/device.h"
#include "domain/queue_impl.h"

#define CLAIM_TRIES 32 /* candidates tried before a call gives up (only under contention) */

/* ---- names ---- */

static const char *const priority_names[] = {"normal", "agent", "appointment", "green"};
static const char *const status_names[] = {
    "", "waiting", "called", "serving", "parked", "done", "no_show", "withdrawn",
};
static const char *const channel_names[] = {
    "", "kiosk", "web", "staff", "walk_direct", "appointment",
};
static const char *const mode_names[] = {"", "longest_wait", "strict_priority"};
static const char *const window_status_names[] = {"closed", "open", "paused"};

#define NAME_OF(table, v)                                                                          \
    ((int)(v) >= 0 && (size_t)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[v] : "")

const char *queue_priority_name(enum queue_priority p)
{
    return NAME_OF(priority_names, p);
}

int queue_priority_parse(const char *s, enum queue_priority *out)
{
    for (int i = QUEUE_NORMAL; s && i <= QUEUE_GREEN; i++)
        if (strcmp(s, priority_names[i]) == 0) {
            *out = (enum queue_priority)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *queue_status_name(enum queue_status s)
{
    return NAME_OF(status_names, s);
}

const char *queue_channel_name(enum queue_channel c)
{
    return NAME_OF(channel_names, c);
}

const char *queue_mode_name(enum queue_mode m)
{
    return NAME_OF(mode_names, m);
}

int queue_mode_parse(const char *s, enum queue_mode *out)
{
    for (int i = QUEUE_LONGEST_WAIT; s && i <= QUEUE_STRICT_PRIORITY; i++)
        if (strcmp(s, mode_names[i]) == 0) {
            *out = (enum queue_mode)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *queue_window_status_name(enum queue_window_status s)
{
    return NAME_OF(window_status_names, s);
}

static int index_of(const char *const *table, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(table[i], s) == 0)
            return i;
    return 0;
}

void queue_copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

void queue_service_day(int64_t now, char out[DATE_TEXT])
{
    int64_t local = now + QUEUE_TZ_OFFSET_S;
    int64_t day = local / 86400;
    if (local % 86400 < 0)
        day--;
    date_format((int32_t)day, out);
}

int queue_mask_name(const char *name, char *out, size_t cap)
{
    if (cap == 0)
        return ERR_INVALID;
    out[0] = '\0';
    if (parse_text(name, 1, QUEUE_NAME_MAX, 0) < 0)
        return ERR_INVALID;
    const unsigned char *p = (const unsigned char *)name;
    /* parse_text checked the UTF-8: the lead byte gives each length */
    size_t first = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
    if (first + 1 > cap)
        return ERR_INVALID;
    memcpy(out, name, first);
    size_t o = first;
    for (p += first; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* a continuation byte of the same character */
        if (o + 2 > cap)
            return ERR_INVALID;
        out[o++] = '*';
    }
    out[o] = '\0';
    return 0;
}

/* ---- reading tickets ---- */

void queue_read_ticket(struct db_stmt *st, struct queue_ticket *t)
{
    memset(t, 0, sizeof(*t));
    t->id = db_col_int64(st, 0);
    t->hall_id = db_col_int64(st, 1);
    queue_copy(t->service_day, sizeof(t->service_day), db_col_text(st, 2));
    t->series_id = db_col_int64(st, 3);
    queue_copy(t->series_prefix, sizeof(t->series_prefix), db_col_text(st, 4));
    t->issue_series_id = db_col_int64(st, 5);
    t->number = (int)db_col_int64(st, 6);
    queue_copy(t->code, sizeof(t->code), db_col_text(st, 7));
    queue_copy(t->item_code, sizeof(t->item_code), db_col_text(st, 8));
    queue_copy(t->item_name, sizeof(t->item_name), db_col_text(st, 9));
    t->version_id = db_col_int64(st, 10);
    int64_t prio = db_col_int64(st, 11);
    t->priority =
        prio >= QUEUE_NORMAL && prio <= QUEUE_GREEN ? (enum queue_priority)prio : QUEUE_NORMAL;
    t->status = (enum queue_status)index_of(status_names, 8, db_col_text(st, 12));
    t->channel = (enum queue_channel)index_of(channel_names, 6, db_col_text(st, 13));
    t->window_id = db_col_int64(st, 14);
    queue_copy(t->window_name, sizeof(t->window_name), db_col_text(st, 15));
    queue_copy(t->window_code, sizeof(t->window_code), db_col_text(st, 16));
    t->staff_id = db_col_int64(st, 17);
    t->target_window_id = db_col_int64(st, 18);
    t->recalls = (int)db_col_int64(st, 19);
    t->issued_at = db_col_int64(st, 20);
    t->called_at = db_col_int64(st, 21);
    t->started_at = db_col_int64(st, 22);
    t->finished_at = db_col_int64(st, 23);
    t->wait_s = db_col_int64(st, 24);
    t->service_s = db_col_int64(st, 25);
    queue_copy(t->display_name, sizeof(t->display_name), db_col_text(st, 26));
    t->eta_minutes = -1;
}

static const char SQL_TICKET[] = "SELECT " QUEUE_TICKET_COLS QUEUE_TICKET_FROM " WHERE t.id = ?1";

int queue_ticket_read(struct db *db, int64_t id, struct queue_ticket *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TICKET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        queue_read_ticket(st, out);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

int queue_ticket_get(struct db *db, int64_t id, int64_t now, struct queue_ticket *out)
{
    int rc = queue_ticket_read(db, id, out);
    if (rc == 0 && out->status == QUEUE_WAITING)
        rc = queue_fill_positions(db, out, 1, now);
    return rc;
}

/* ---- small helpers ---- */

int queue_db_fail(struct err *e, int rc)
{
    return err_set(e, rc, NULL, "database error");
}

/* Run a prepared statement that returns at most one row; 1 when it did, 0
 * when not, or an error. */
int queue_step_once(struct db_stmt *st)
{
    int rc = db_step(st);
    db_finalize(st);
    return rc == DB_ROW ? 1 : rc < 0 ? rc : 0;
}

void queue_bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static const char SQL_EVENT[] =
    "INSERT INTO ticket_event (ticket_id, ts, type, window_id, staff_id,"
    " detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/* Append to the ticket's timeline with detail as JSON text ("" for none). */
static int add_event_text(struct db *db, int64_t ticket_id, int64_t now, const char *type,
                          int64_t window_id, int64_t staff_id, const char *text)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, ticket_id);
        db_bind_int64(st, 2, now);
        db_bind_text(st, 3, type);
        queue_bind_id(st, 4, window_id);
        queue_bind_id(st, 5, staff_id);
        db_bind_text(st, 6, text);
        rc = queue_step_once(st);
    }
    return rc < 0 ? rc : 0;
}

/* Append to the ticket's timeline; detail is NULL or a JSON object (taken). */
static int add_event(struct db *db, int64_t ticket_id, int64_t now, const char *type,
                     int64_t window_id, int64_t staff_id, json_t *detail)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    if (detail && !text)
        return ERR_NOMEM;
    int rc = add_event_text(db, ticket_id, now, type, window_id, staff_id, text ? text : "");
    free(text);
    return rc;
}

static int wrong_state(struct err *e, const struct queue_ticket *t, const char *need)
{
    return err_set(e, ERR_CONFLICT, "status", "ticket %s is %s; this needs a %s ticket", t->code,
                   queue_status_name(t->status), need);
}

int queue_load_window(struct db *db, int64_t id, struct org_node *w, struct err *e)
{
    int rc = org_get(db, id, w);
    if (rc == 0 && strcmp(w->kind, "window") != 0)
        rc = ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no such window");
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!w->active)
        return err_set(e, ERR_CONFLICT, NULL, "window %s is deactivated", w->name);
    return 0;
}

int queue_load_hall(struct db *db, int64_t id, struct org_node *h, struct err *e)
{
    int rc = org_get(db, id, h);
    if (rc == 0 && (strcmp(h->kind, "hall") != 0 || !h->active))
        rc = ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no such hall");
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

int queue_is_admin_of(const struct actor *who, const char *path)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    return who->role == ROLE_ADMIN && actor_in_scope(who, path);
}

static const char SQL_ASSIGNED[] = "SELECT 1 FROM window_assignment WHERE staff_id = ?1"
                                   " AND window_id = ?2 AND ended_at IS NULL";

int queue_may_work_at(struct db *db, const struct actor *who, const struct org_node *window,
                      struct err *e)
{
    if (queue_is_admin_of(who, window->path))
        return 0;
    if (who->staff_id && who->role >= ROLE_ADMIN && who->role <= ROLE_STAFF) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_ASSIGNED, &st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        db_bind_int64(st, 1, who->staff_id);
        db_bind_int64(st, 2, window->id);
        rc = queue_step_once(st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (rc == 1)
            return 0;
    }
    return err_set(e, ERR_FORBIDDEN, NULL, "you are not assigned to window %s", window->name);
}

/* Take the window for a new current ticket: it must be open and free. On
 * PostgreSQL the UPDATE also locks the row, so two callers at one window
 * take turns. */
static const char SQL_WINDOW_TAKE[] =
    "UPDATE window_state SET updated_at = ?2 WHERE window_id = ?1 AND status = 'open'"
    " AND ticket_id IS NULL RETURNING window_id";
static const char SQL_WINDOW_SET[] =
    "UPDATE window_state SET ticket_id = ?2, staff_id = COALESCE(?3, staff_id), updated_at = ?4"
    " WHERE window_id = ?1";
static const char SQL_WINDOW_RELEASE[] =
    "UPDATE window_state SET ticket_id = NULL, updated_at = ?3 WHERE window_id = ?1"
    " AND ticket_id = ?2";

static int window_take(struct db *db, const struct org_node *win, int64_t now, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WINDOW_TAKE, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, win->id);
    db_bind_int64(st, 2, now);
    rc = queue_step_once(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    return rc == 1 ? 0 : queue_window_busy(db, win, e);
}

static int window_set(struct db *db, int64_t window_id, int64_t ticket_id, int64_t staff_id,
                      int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WINDOW_SET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, ticket_id);
    queue_bind_id(st, 3, staff_id);
    db_bind_int64(st, 4, now);
    rc = queue_step_once(st);
    return rc < 0 ? rc : 0;
}

static int window_release(struct db *db, int64_t window_id, int64_t ticket_id, int64_t now)
{
    if (!window_id)
        return 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WINDOW_RELEASE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, ticket_id);
    db_bind_int64(st, 3, now);
    rc = queue_step_once(st);
    return rc < 0 ? rc : 0;
}

/* ---- issuing ---- */

static const char SQL_ITEM_SERIES[] =
    "SELECT series_id FROM series_item WHERE hall_id = ?1 AND item_code = ?2";

/* Is the item version served at the hall (at the hall or one of its windows)? */
static int served_at(const struct catalog_version *v, int64_t hall_id)
{
    for (int i = 0; i < v->nplaces; i++)
        if (v->places[i].hall_id == hall_id)
            return 1;
    return 0;
}

/* A series name from an item name: its first QUEUE_SERIES_NAME_MAX
 * characters. */
static void series_name_of(const char *item, char *out, size_t cap)
{
    size_t o = 0, chars = 0;
    const unsigned char *p = (const unsigned char *)item;
    while (*p && chars < QUEUE_SERIES_NAME_MAX) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if (o + len + 1 > cap)
            break;
        for (size_t k = 0; k < len && p[k]; k++)
            out[o++] = (char)p[k];
        p += len;
        chars++;
    }
    out[o] = '\0';
}

struct resolved {
    struct queue_series series;
    int64_t version_id;
    char item_code[CATALOG_CODE_MAX + 1];
};

/* The series (and item version) a ticket goes to: the item's series in the
 * hall, else the hall's series with the item's ticket prefix (made when the
 * item is served at the hall but has none yet); or series_id. */
static int resolve_series(struct db *db, const struct actor *who, const struct org_node *hall,
                          const char *item_code, int64_t series_id, int64_t now, struct resolved *r,
                          struct err *e)
{
    int64_t sid = 0;
    int rc = 0;
    memset(r, 0, sizeof(*r));
    if (item_code) {
        struct arena a = {0};
        struct catalog_version v;
        struct db_stmt *st = NULL;
        rc = catalog_get_current(db, item_code, &a, &v);
        if (rc == ERR_NOTFOUND)
            rc = err_set(e, ERR_INVALID, "item_code", "no published item %s", item_code);
        else if (rc < 0)
            rc = queue_db_fail(e, rc);
        if (rc == 0) {
            r->version_id = v.id;
            queue_copy(r->item_code, sizeof(r->item_code), item_code);
            rc = db_prepare(db, SQL_ITEM_SERIES, &st);
            if (rc < 0)
                rc = queue_db_fail(e, rc);
        }
        if (rc == 0) {
            db_bind_int64(st, 1, hall->id);
            db_bind_text(st, 2, item_code);
            rc = db_step(st);
            sid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
            db_finalize(st);
            rc = rc < 0 ? queue_db_fail(e, rc) : 0;
        }
        if (rc == 0 && !sid) {
            if (!v.ticket_prefix || !*v.ticket_prefix || !served_at(&v, hall->id)) {
                rc = err_set(e, ERR_INVALID, "item_code", "item %s has no queue at %s", item_code,
                             hall->name);
            } else {
                rc = queue_series_by_prefix(db, hall->id, v.ticket_prefix, &r->series);
                if (rc == 0) {
                    sid = r->series.id;
                } else if (rc == ERR_NOTFOUND) {
                    char name[QUEUE_SERIES_NAME_MAX * 4 + 1];
                    series_name_of(v.name, name, sizeof(name));
                    rc = queue_series_insert(db, hall->id, v.ticket_prefix, name, now, &sid, e);
                    if (rc == 0)
                        rc = audit_append(db, who, "create", "queue_series", sid, hall->id, NULL,
                                          queue_series_audit(v.ticket_prefix, name, 1, NULL, 0));
                    if (rc < 0 && !e->msg[0])
                        queue_db_fail(e, rc);
                } else {
                    rc = queue_db_fail(e, rc);
                }
            }
        }
        arena_reset(&a);
        if (rc < 0)
            return rc;
    }
    if (series_id && sid && series_id != sid)
        return err_set(e, ERR_INVALID, "series_id", "item %s is served in another series",
                       item_code);
    if (!sid)
        sid = series_id;
    if (!sid)
        return err_set(e, ERR_INVALID, "item_code", "give item_code or series_id");
    rc = queue_series_read(db, sid, &r->series);
    if (rc == ERR_NOTFOUND || (rc == 0 && r->series.hall_id != hall->id))
        return err_set(e, ERR_INVALID, "series_id", "no such series at %s", hall->name);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!r->series.active)
        return err_set(e, ERR_CONFLICT, "series_id", "series %s is closed", r->series.prefix);
    return 0;
}

int queue_may_issue(struct db *db, const struct actor *who, const struct org_node *hall,
                    struct err *e)
{
    if (who->role == ROLE_SYSTEM)
        return 0;
    if (who->role == ROLE_DEVICE) {
        struct device d;
        int rc = device_get(db, who->device_id, &d);
        if (rc < 0 && rc != ERR_NOTFOUND)
            return queue_db_fail(e, rc);
        if (rc == 0 && d.active && strcmp(d.kind, "kiosk") == 0 && d.node_id == hall->id)
            return 0;
        return err_set(e, ERR_FORBIDDEN, NULL, "only a kiosk of %s may issue its tickets",
                       hall->name);
    }
    if ((who->role == ROLE_ADMIN || who->role == ROLE_STAFF) && actor_in_scope(who, hall->path))
        return 0;
    return err_set(e, ERR_FORBIDDEN, NULL, "you may not issue tickets at %s", hall->name);
}

/* "+86 138…" style: an optional + then 5..QUEUE_PHONE_MAX digits; the
 * digits' SHA-256 goes to hash. */
int queue_phone_hash(const char *phone, char hash[CRYPTO_SHA256_HEX])
{
    if (!phone)
        return ERR_INVALID;
    const char *p = phone[0] == '+' ? phone + 1 : phone;
    size_t n = strlen(p);
    if (n < 5 || n > QUEUE_PHONE_MAX)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return ERR_INVALID;
    crypto_sha256_hex(p, n, hash);
    return 0;
}

static const char SQL_NEXT_NUMBER[] =
    "INSERT INTO ticket_counter (series_id, service_day, last_number) VALUES (?1, ?2, 1)"
    " ON CONFLICT (series_id, service_day)"
    " DO UPDATE SET last_number = ticket_counter.last_number + 1 RETURNING last_number";

static const char SQL_INSERT_TICKET[] =
    "INSERT INTO ticket (hall_id, service_day, series_id, number, code, queue_series_id,"
    " item_code, version_id, priority, status, channel, window_id, staff_id, issued_at,"
    " started_at, waiting_since, serving_since, display_name, phone_hash, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
    " ?18, ?13) RETURNING id";

struct new_ticket {
    const struct org_node *hall;
    const struct resolved *res;
    enum queue_priority priority;
    enum queue_channel channel;
    int64_t window_id, staff_id; /* walk-direct: serving there at once */
    const char *display_name, *phone_hash;
};

/* Number and insert a ticket; its id into *id, code into code. */
static int insert_ticket(struct db *db, const struct new_ticket *nt, int64_t now, int64_t *id,
                         char token[EVAL_TOKEN_MAX], struct err *e)
{
    char day[DATE_TEXT], code[QUEUE_CODE_MAX];
    queue_service_day(now, day);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NEXT_NUMBER, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, nt->res->series.id);
    db_bind_text(st, 2, day);
    rc = db_step(st);
    int64_t number = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (number < 1 || number > QUEUE_NUMBER_MAX)
        return err_set(e, ERR_CONFLICT, "series_id", "series %s has no numbers left today",
                       nt->res->series.prefix);
    snprintf(code, sizeof(code), "%s%03d", nt->res->series.prefix, (int)number);
    int serving = nt->window_id != 0;
    rc = db_prepare(db, SQL_INSERT_TICKET, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, nt->hall->id);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, nt->res->series.id);
    db_bind_int64(st, 4, number);
    db_bind_text(st, 5, code);
    db_bind_text(st, 6, nt->res->item_code[0] ? nt->res->item_code : NULL);
    queue_bind_id(st, 7, nt->res->version_id);
    db_bind_int64(st, 8, nt->priority);
    db_bind_text(st, 9, serving ? "serving" : "waiting");
    db_bind_text(st, 10, queue_channel_name(nt->channel));
    queue_bind_id(st, 11, nt->window_id);
    queue_bind_id(st, 12, nt->staff_id);
    db_bind_int64(st, 13, now);
    if (serving) {
        db_bind_int64(st, 14, now);
        db_bind_null(st, 15);
        db_bind_int64(st, 16, now);
    } else {
        db_bind_null(st, 14);
        db_bind_int64(st, 15, now);
        db_bind_null(st, 16);
    }
    db_bind_text(st, 17, nt->display_name && *nt->display_name ? nt->display_name : NULL);
    db_bind_text(st, 18, nt->phone_hash);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT) /* only when numbering went wrong behind our back */
        return err_set(e, rc, "series_id", "ticket %s exists already", code);
    if (rc < 0)
        return queue_db_fail(e, rc);
    char detail[96]; /* JSON with sorted keys, as add_event writes it */
    snprintf(detail, sizeof(detail), "{\"channel\":\"%s\",\"priority\":\"%s\"}",
             queue_channel_name(nt->channel), queue_priority_name(nt->priority));
    rc = add_event_text(db, *id, now, "issued", nt->window_id, nt->staff_id, detail);
    if (rc == 0 && serving)
        rc = add_event(db, *id, now, "started", nt->window_id, nt->staff_id, NULL);
    if (rc == 0) /* the evaluation of its service, pending until it is finished */
        rc = eval_ticket_issued(db, *id, nt->hall->id, nt->hall->path, now, token);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

int queue_issue(struct db *db, const struct actor *who, const struct queue_issue_input *in,
                int64_t now, struct queue_ticket *out, struct err *e)
{
    struct org_node hall = {0};
    struct resolved res;
    char masked[sizeof(out->display_name)] = "", hash[CRYPTO_SHA256_HEX];
    int rc = queue_load_hall(db, in->hall_id, &hall, e);
    if (rc == 0)
        rc = queue_may_issue(db, who, &hall, e);
    if (rc < 0)
        return rc;
    if (in->priority < QUEUE_NORMAL || in->priority > QUEUE_GREEN)
        return err_set(e, ERR_INVALID, "priority",
                       "priority must be normal, agent, appointment or green");
    if (in->channel != QUEUE_CH_KIOSK && in->channel != QUEUE_CH_WEB &&
        in->channel != QUEUE_CH_STAFF && in->channel != QUEUE_CH_APPOINTMENT)
        return err_set(e, ERR_INVALID, "channel", "not a channel for issuing tickets");
    if (in->priority == QUEUE_APPOINTMENT && in->channel != QUEUE_CH_APPOINTMENT)
        return err_set(e, ERR_INVALID, "priority",
                       "the appointment class comes only with an appointment check-in");
    if (in->name && queue_mask_name(in->name, masked, sizeof(masked)) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters on one line",
                       QUEUE_NAME_MAX);
    if (in->phone && queue_phone_hash(in->phone, hash) < 0)
        return err_set(e, ERR_INVALID, "phone", "phone must be 5-%d digits", QUEUE_PHONE_MAX);
    rc = resolve_series(db, who, &hall, in->item_code, in->series_id, now, &res, e);
    if (rc < 0)
        return rc;
    struct new_ticket nt = {&hall, &res, in->priority, in->channel,
                            0,     0,    masked,       in->phone ? hash : NULL};
    int64_t id = 0;
    char token[EVAL_TOKEN_MAX];
    rc = insert_ticket(db, &nt, now, &id, token, e);
    if (rc < 0)
        return rc;
    rc = queue_ticket_get(db, id, now, out);
    if (rc == 0)
        memcpy(out->eval_token, token, sizeof(token));
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

/* ---- calling ---- */

#define CANDIDATE_FROM                                                                             \
    "SELECT t.id FROM ticket t"                                                                    \
    " LEFT JOIN window_profile_series p ON p.window_id = ?1 AND p.series_id = t.queue_series_id"   \
    " WHERE t.hall_id = ?2 AND t.service_day = ?3 AND t.status = 'waiting'"                        \
    " AND (t.target_window_id = ?1 OR (t.target_window_id IS NULL AND p.series_id IS NOT NULL))"
/* longest wait first: the order of the index ticket_call_order, read until
 * the first ticket this window serves */
#define CANDIDATE_SQL CANDIDATE_FROM " ORDER BY t.priority DESC, t.issued_at, t.id LIMIT 1"
/* strict priority: the profile's series order within a class (a sort) */
#define CANDIDATE_STRICT_SQL                                                                       \
    CANDIDATE_FROM " ORDER BY t.priority DESC, COALESCE(p.seq, 0), t.issued_at, t.id LIMIT 1"

/* SQLite has one writer, so the candidate is still waiting when claimed.
 * PostgreSQL may have several nodes calling at once: skip the rows another
 * transaction holds rather than wait behind it (the claim below re-checks). */
static const char SQL_CANDIDATE[] = CANDIDATE_SQL;
static const char SQL_CANDIDATE_PG[] = CANDIDATE_SQL " FOR UPDATE OF t SKIP LOCKED";
static const char SQL_CANDIDATE_STRICT[] = CANDIDATE_STRICT_SQL;
static const char SQL_CANDIDATE_STRICT_PG[] = CANDIDATE_STRICT_SQL " FOR UPDATE OF t SKIP LOCKED";

static const char SQL_CLAIM[] =
    "UPDATE ticket SET status = 'called', window_id = ?2, staff_id = ?3, called_at = ?4,"
    " wait_s = wait_s + (?4 - COALESCE(waiting_since, ?4)), waiting_since = NULL,"
    " target_window_id = NULL, recalls = 0, updated_at = ?4"
    " WHERE id = ?1 AND status = 'waiting' RETURNING id";
static const char SQL_CLAIM_PARKED[] =
    "UPDATE ticket SET status = 'called', window_id = ?2, staff_id = ?3, called_at = ?4,"
    " recalls = 0, updated_at = ?4 WHERE id = ?1 AND status = 'parked' RETURNING id";

/* Claim ticket_id for the window: 1 when this call got it, 0 when another
 * got there first. */
static int claim(struct db *db, const char *sql, int64_t ticket_id, int64_t window_id,
                 int64_t staff_id, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, window_id);
    queue_bind_id(st, 3, staff_id);
    db_bind_int64(st, 4, now);
    return queue_step_once(st);
}

static const char SQL_NEAR_TURN[] =
    "SELECT id FROM ticket WHERE hall_id = ?1 AND service_day = ?2 AND queue_series_id = ?3"
    " AND status = 'waiting' ORDER BY priority DESC, issued_at, id LIMIT ?4";
static const char SQL_OUTBOX[] =
    "INSERT INTO notify_outbox (ticket_id, kind, position, eta_minutes, created_at)"
    " VALUES (?1, 'near_turn', ?2, ?3, ?4) ON CONFLICT (ticket_id, kind) DO NOTHING";

#define NEAR_TURN_MAX 50

/* After a call in a series: one outbox record for each ticket of the line
 * whose position is at most QUEUE_NOTIFY_POSITION or whose ETA is at most
 * QUEUE_NOTIFY_ETA_MIN minutes (never a second one for a ticket). */
static int near_turn(struct db *db, int64_t hall_id, int64_t series_id, int64_t now)
{
    int64_t median = 0, ids[NEAR_TURN_MAX];
    int windows = 0, limit = QUEUE_NOTIFY_POSITION, n = 0;
    char day[DATE_TEXT];
    int rc = queue_eta_basis(db, series_id, now, &median, &windows);
    if (rc < 0)
        return rc;
    while (limit < NEAR_TURN_MAX) {
        int eta = queue_eta_minutes(limit + 1, median, windows);
        if (eta < 0 || eta > QUEUE_NOTIFY_ETA_MIN)
            break;
        limit++;
    }
    queue_service_day(now, day);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_NEAR_TURN, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, series_id);
    db_bind_int64(st, 4, limit);
    while ((rc = db_step(st)) == DB_ROW && n < limit)
        ids[n++] = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        int eta = queue_eta_minutes(i + 1, median, windows);
        rc = db_prepare(db, SQL_OUTBOX, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, ids[i]);
        db_bind_int64(st, 2, i + 1);
        if (eta >= 0)
            db_bind_int64(st, 3, eta);
        else
            db_bind_null(st, 3);
        db_bind_int64(st, 4, now);
        rc = queue_step_once(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* What every call shares once the ticket is claimed: the window's current
 * ticket, the timeline, the near-turn records and the answer. */
static int after_call(struct db *db, const struct actor *who, const struct org_node *win,
                      int64_t ticket_id, const char *how, int64_t now, struct queue_ticket *out,
                      struct err *e)
{
    int rc = window_set(db, win->id, ticket_id, who->staff_id, now);
    if (rc == 0)
        rc = add_event_text(db, ticket_id, now, "called", win->id, who->staff_id,
                            strcmp(how, "next") == 0 ? "{\"by\":\"next\"}" : "{\"by\":\"code\"}");
    if (rc == 0)
        rc = queue_ticket_get(db, ticket_id, now, out);
    if (rc == 0)
        rc = near_turn(db, out->hall_id, out->series_id, now);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

/* The window, the caller's right to it, and the window free to call. */
static int window_for_call(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                           struct org_node *win, struct err *e)
{
    int rc = queue_load_window(db, window_id, win, e);
    if (rc == 0)
        rc = queue_may_work_at(db, who, win, e);
    if (rc == 0)
        rc = window_take(db, win, now, e);
    return rc;
}

int queue_call_next(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                    struct queue_ticket *out, struct err *e)
{
    struct org_node win;
    enum queue_mode mode;
    char day[DATE_TEXT];
    int rc = window_for_call(db, who, window_id, now, &win, e);
    if (rc < 0)
        return rc;
    rc = queue_window_mode(db, window_id, &mode);
    if (rc < 0)
        return queue_db_fail(e, rc);
    queue_service_day(now, day);
    int pg = db_kind(db) == DB_PG, strict = mode == QUEUE_STRICT_PRIORITY;
    const char *sql = strict ? (pg ? SQL_CANDIDATE_STRICT_PG : SQL_CANDIDATE_STRICT)
                             : (pg ? SQL_CANDIDATE_PG : SQL_CANDIDATE);
    for (int tries = 0; tries < CLAIM_TRIES; tries++) {
        struct db_stmt *st = NULL;
        rc = db_prepare(db, sql, &st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        db_bind_int64(st, 1, window_id);
        db_bind_int64(st, 2, win.parent_id);
        db_bind_text(st, 3, day);
        rc = db_step(st);
        int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (!id)
            return err_set(e, ERR_NOTFOUND, "queue", "nobody is waiting for window %s", win.name);
        rc = claim(db, SQL_CLAIM, id, window_id, who->staff_id, now);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (rc == 1)
            return after_call(db, who, &win, id, "next", now, out, e);
        /* another node called it between our read and our claim: try the next one */
    }
    return err_set(e, ERR_BUSY, "queue", "the queue is busy, try again");
}

static const char SQL_BY_CODE[] =
    "SELECT id FROM ticket WHERE hall_id = ?1 AND service_day = ?2 AND code = ?3";

int queue_call_code(struct db *db, const struct actor *who, int64_t window_id, const char *code,
                    int64_t now, struct queue_ticket *out, struct err *e)
{
    struct org_node win;
    struct queue_ticket t;
    char day[DATE_TEXT];
    if (!code || strlen(code) >= QUEUE_CODE_MAX)
        return err_set(e, ERR_INVALID, "code", "code must be a ticket number such as A012");
    int rc = window_for_call(db, who, window_id, now, &win, e);
    if (rc < 0)
        return rc;
    queue_service_day(now, day);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_BY_CODE, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, win.parent_id);
    db_bind_text(st, 2, day);
    db_bind_text(st, 3, code);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!id)
        return err_set(e, ERR_NOTFOUND, "code", "no ticket %s today", code);
    rc = queue_ticket_read(db, id, &t);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (t.status != QUEUE_WAITING && t.status != QUEUE_PARKED)
        return wrong_state(e, &t, "waiting or parked");
    rc = claim(db, t.status == QUEUE_WAITING ? SQL_CLAIM : SQL_CLAIM_PARKED, id, window_id,
               who->staff_id, now);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (rc == 0)
        return err_set(e, ERR_CONFLICT, "status", "ticket %s was just taken by another window",
                       t.code);
    return after_call(db, who, &win, id, "code", now, out, e);
}

int queue_walk_direct(struct db *db, const struct actor *who, int64_t window_id,
                      const char *item_code, const char *name, int64_t now,
                      struct queue_ticket *out, struct err *e)
{
    struct org_node win = {0}, hall = {0};
    struct queue_window w;
    struct resolved res;
    char masked[sizeof(out->display_name)] = "";
    if (name && queue_mask_name(name, masked, sizeof(masked)) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters on one line",
                       QUEUE_NAME_MAX);
    int rc = window_for_call(db, who, window_id, now, &win, e);
    if (rc == 0)
        rc = queue_load_hall(db, win.parent_id, &hall, e);
    if (rc < 0)
        return rc;
    int64_t series_id = 0;
    if (!item_code) {
        rc = queue_window_get(db, window_id, now, &w);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (w.nseries == 0)
            return err_set(e, ERR_INVALID, "item_code", "window %s serves no series: name the item",
                           win.name);
        series_id = w.series_ids[0];
    }
    rc = resolve_series(db, who, &hall, item_code, series_id, now, &res, e);
    if (rc < 0)
        return rc;
    struct new_ticket nt = {&hall,     &res,          QUEUE_NORMAL, QUEUE_CH_WALK_DIRECT,
                            window_id, who->staff_id, masked,       NULL};
    int64_t id = 0;
    char token[EVAL_TOKEN_MAX];
    rc = insert_ticket(db, &nt, now, &id, token, e);
    if (rc < 0)
        return rc;
    rc = window_set(db, window_id, id, who->staff_id, now);
    if (rc == 0)
        rc = queue_ticket_get(db, id, now, out);
    if (rc == 0)
        memcpy(out->eval_token, token, sizeof(token));
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

/* ---- counter actions ---- */

/* What an action changed, so the answer needs no second read. */
#define ACT_RETURNING                                                                              \
    " RETURNING status, recalls, COALESCE(called_at, 0), COALESCE(started_at, 0),"                 \
    " COALESCE(finished_at, 0), wait_s, service_s"

static const char SQL_RECALL[] =
    "UPDATE ticket SET recalls = recalls + 1, called_at = ?2, updated_at = ?2"
    " WHERE id = ?1 AND status = 'called' AND recalls = ?3 " ACT_RETURNING;
static const char SQL_START[] =
    "UPDATE ticket SET status = 'serving', started_at = COALESCE(started_at, ?2),"
    " serving_since = ?2, updated_at = ?2 WHERE id = ?1 AND status = 'called' " ACT_RETURNING;
static const char SQL_FINISH[] =
    "UPDATE ticket SET status = 'done', finished_at = ?2,"
    " service_s = service_s + (?2 - COALESCE(serving_since, ?2)), serving_since = NULL,"
    " updated_at = ?2 WHERE id = ?1 AND status = 'serving' " ACT_RETURNING;
static const char SQL_NO_SHOW[] =
    "UPDATE ticket SET status = 'no_show', finished_at = ?2, updated_at = ?2"
    " WHERE id = ?1 AND status = 'called' " ACT_RETURNING;
static const char SQL_PARK[] =
    "UPDATE ticket SET status = 'parked',"
    " service_s = service_s + (?2 - COALESCE(serving_since, ?2)), serving_since = NULL,"
    " updated_at = ?2 WHERE id = ?1 AND status = 'serving' " ACT_RETURNING;
static const char SQL_RESUME[] =
    "UPDATE ticket SET status = 'serving', serving_since = ?2, updated_at = ?2"
    " WHERE id = ?1 AND status = 'parked' " ACT_RETURNING;

struct action_rule {
    enum queue_status from;
    const char *need;  /* the state it needs, for the message */
    const char *sql;   /* ?1 id, ?2 now (?3 recalls for a recall) */
    const char *event; /* the timeline entry */
    int release;       /* the window is free afterwards */
};

static const struct action_rule rules[] = {
    [QUEUE_DO_RECALL] = {QUEUE_CALLED, "called", SQL_RECALL, "recalled", 0},
    [QUEUE_DO_START] = {QUEUE_CALLED, "called", SQL_START, "started", 0},
    [QUEUE_DO_FINISH] = {QUEUE_SERVING, "serving", SQL_FINISH, "finished", 1},
    [QUEUE_DO_NO_SHOW] = {QUEUE_CALLED, "called", SQL_NO_SHOW, "no_show", 1},
    [QUEUE_DO_PARK] = {QUEUE_SERVING, "serving", SQL_PARK, "parked", 1},
    [QUEUE_DO_RESUME] = {QUEUE_PARKED, "parked", SQL_RESUME, "resumed", 0},
};

/* The ticket, and the window holding it with the caller's right to act
 * there. A ticket no window holds answers by its state. */
static int ticket_and_window(struct db *db, const struct actor *who, int64_t ticket_id,
                             struct queue_ticket *t, struct org_node *win, const char *need,
                             struct err *e)
{
    memset(win, 0, sizeof(*win));
    int rc = queue_ticket_read(db, ticket_id, t);
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no such ticket");
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!t->window_id)
        return wrong_state(e, t, need);
    rc = org_get(db, t->window_id, win);
    if (rc < 0)
        return queue_db_fail(e, rc);
    return queue_may_work_at(db, who, win, e);
}

int queue_act(struct db *db, const struct actor *who, int64_t ticket_id, enum queue_action action,
              int64_t now, struct queue_ticket *out, struct err *e)
{
    if (action < QUEUE_DO_RECALL || action > QUEUE_DO_RESUME)
        return err_set(e, ERR_INVALID, NULL, "no such action");
    const struct action_rule *rule = &rules[action];
    struct queue_ticket t = {0};
    struct org_node win;
    int limit = 0;
    int rc = ticket_and_window(db, who, ticket_id, &t, &win, rule->need, e);
    if (rc < 0)
        return rc;
    if (t.status != rule->from)
        return wrong_state(e, &t, rule->need);
    if (action == QUEUE_DO_RECALL || action == QUEUE_DO_NO_SHOW) {
        rc = queue_recall_limit(db, t.hall_id, &limit);
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (action == QUEUE_DO_RECALL && t.recalls >= limit)
            return err_set(e, ERR_CONFLICT, "recalls",
                           "ticket %s was recalled %d times, the limit: mark it a no-show", t.code,
                           t.recalls);
        if (action == QUEUE_DO_NO_SHOW && t.recalls < limit)
            return err_set(e, ERR_CONFLICT, "recalls",
                           "ticket %s was recalled %d of %d times: recall it before a no-show",
                           t.code, t.recalls, limit);
    }
    if (action == QUEUE_DO_RESUME) {
        rc = window_take(db, &win, now, e);
        if (rc < 0)
            return rc;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db, rule->sql, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, now);
    if (action == QUEUE_DO_RECALL)
        db_bind_int64(st, 3, t.recalls);
    int before_recalls = t.recalls;
    rc = db_step(st);
    if (rc == DB_ROW) {
        t.status = (enum queue_status)index_of(status_names, 8, db_col_text(st, 0));
        t.recalls = (int)db_col_int64(st, 1);
        t.called_at = db_col_int64(st, 2);
        t.started_at = db_col_int64(st, 3);
        t.finished_at = db_col_int64(st, 4);
        t.wait_s = db_col_int64(st, 5);
        t.service_s = db_col_int64(st, 6);
    }
    db_finalize(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (rc != DB_ROW) /* another request moved it between our read and our write */
        return err_set(e, ERR_CONFLICT, "status", "ticket %s changed meanwhile; reload it", t.code);
    json_t *detail =
        action == QUEUE_DO_RECALL ? json_pack("{s:i}", "recalls", before_recalls + 1) : NULL;
    rc = add_event(db, ticket_id, now, rule->event, win.id, who->staff_id, detail);
    if (rc == 0 && rule->release)
        rc = window_release(db, win.id, ticket_id, now);
    if (rc == 0 && action == QUEUE_DO_RESUME)
        rc = window_set(db, win.id, ticket_id, who->staff_id, now);
    if (rc == 0 && action == QUEUE_DO_FINISH) {
        queue_eta_forget(t.series_id); /* a service time more for its median */
        /* the service ended: its evaluation opens (一次一评) */
        rc = eval_ticket_finished(db, ticket_id, win.id, who->staff_id, who->ip, now,
                                  &t.eval_event_id);
    }
    if (rc == 0 && action == QUEUE_DO_NO_SHOW)
        rc = eval_ticket_void(db, ticket_id);
    /* the scorecards' counters (score.h) */
    if (rc == 0 && (action == QUEUE_DO_FINISH || action == QUEUE_DO_NO_SHOW)) {
        char day[DATE_TEXT];
        queue_service_day(now, day);
        rc = score_fact_add(db, day, win.id, who->staff_id,
                            action == QUEUE_DO_FINISH ? "served" : "noshow", 1);
        if (rc == 0 && action == QUEUE_DO_FINISH && t.service_s > QUEUE_SERVICE_TIMEOUT_S)
            rc = score_fact_add(db, day, win.id, who->staff_id, "svc_timeout", 1);
    }
    if (rc < 0)
        return queue_db_fail(e, rc);
    t.position = 0; /* none of these leaves it waiting */
    t.eta_minutes = -1;
    *out = t;
    return 0;
}

static const char SQL_TRANSFER[] =
    "UPDATE ticket SET status = 'waiting', queue_series_id = ?2, target_window_id = ?3,"
    " priority = ?4, window_id = NULL, staff_id = NULL, recalls = 0, waiting_since = ?5,"
    " service_s = service_s + CASE WHEN status = 'serving'"
    " THEN ?5 - COALESCE(serving_since, ?5) ELSE 0 END,"
    " serving_since = NULL, updated_at = ?5 WHERE id = ?1 AND status = ?6 RETURNING id";

int queue_transfer(struct db *db, const struct actor *who, int64_t ticket_id, int64_t series_id,
                   int64_t window_id, int raise, int64_t now, struct queue_ticket *out,
                   struct err *e)
{
    struct queue_ticket t = {0};
    struct org_node win, target;
    struct queue_series s = {0};
    const char *need = "called, serving or parked";
    int rc = ticket_and_window(db, who, ticket_id, &t, &win, need, e);
    if (rc < 0)
        return rc;
    if (t.status != QUEUE_CALLED && t.status != QUEUE_SERVING && t.status != QUEUE_PARKED)
        return wrong_state(e, &t, need);
    if (!series_id)
        series_id = t.series_id;
    rc = queue_series_read(db, series_id, &s);
    if (rc == ERR_NOTFOUND || (rc == 0 && s.hall_id != t.hall_id))
        return err_set(e, ERR_INVALID, "series_id", "no such series in the ticket's hall");
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!s.active)
        return err_set(e, ERR_CONFLICT, "series_id", "series %s is closed", s.prefix);
    if (window_id) {
        rc = org_get(db, window_id, &target);
        if (rc == ERR_NOTFOUND ||
            (rc == 0 && (strcmp(target.kind, "window") != 0 || target.parent_id != t.hall_id)))
            return err_set(e, ERR_INVALID, "window_id", "no such window in the ticket's hall");
        if (rc < 0)
            return queue_db_fail(e, rc);
        if (!target.active)
            return err_set(e, ERR_CONFLICT, "window_id", "window %s is deactivated", target.name);
    }
    enum queue_priority prio = t.priority;
    if (raise && prio < QUEUE_GREEN)
        prio = (enum queue_priority)(prio + 1);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_TRANSFER, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, series_id);
    queue_bind_id(st, 3, window_id);
    db_bind_int64(st, 4, prio);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, queue_status_name(t.status));
    rc = queue_step_once(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (rc == 0)
        return err_set(e, ERR_CONFLICT, "status", "ticket %s changed meanwhile; reload it", t.code);
    json_t *detail = json_pack("{s:I,s:I,s:o,s:s}", "from_series", (json_int_t)t.series_id,
                               "to_series", (json_int_t)series_id, "to_window",
                               window_id ? json_integer(window_id) : json_null(), "priority",
                               queue_priority_name(prio));
    rc = add_event(db, ticket_id, now, "transferred", win.id, who->staff_id, detail);
    if (rc == 0)
        rc = window_release(db, win.id, ticket_id, now);
    if (rc == 0)
        rc = queue_ticket_get(db, ticket_id, now, out);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

static const char SQL_WITHDRAW[] = "UPDATE ticket SET status = 'withdrawn', finished_at = ?2,"
                                   " service_s = service_s + CASE WHEN status = 'serving'"
                                   " THEN ?2 - COALESCE(serving_since, ?2) ELSE 0 END,"
                                   " serving_since = NULL, waiting_since = NULL, updated_at = ?2"
                                   " WHERE id = ?1 AND status = ?3 RETURNING id";

int queue_withdraw(struct db *db, const struct actor *who, int64_t ticket_id, const char *reason,
                   int64_t now, struct queue_ticket *out, struct err *e)
{
    struct queue_ticket t;
    struct org_node hall;
    int rc = queue_ticket_read(db, ticket_id, &t);
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no such ticket");
    if (rc < 0)
        return queue_db_fail(e, rc);
    rc = org_get(db, t.hall_id, &hall);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (!(who->role == ROLE_SYSTEM ||
          ((who->role == ROLE_ADMIN || who->role == ROLE_STAFF) && actor_in_scope(who, hall.path))))
        return err_set(e, ERR_FORBIDDEN, NULL, "you may not withdraw tickets at %s", hall.name);
    if (reason && parse_text(reason, 0, QUEUE_REASON_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "reason", "reason must have at most %d characters",
                       QUEUE_REASON_MAX);
    if (t.status == QUEUE_DONE || t.status == QUEUE_NO_SHOW || t.status == QUEUE_WITHDRAWN)
        return wrong_state(e, &t, "waiting, called, serving or parked");
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_WITHDRAW, &st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    db_bind_int64(st, 1, ticket_id);
    db_bind_int64(st, 2, now);
    db_bind_text(st, 3, queue_status_name(t.status));
    rc = queue_step_once(st);
    if (rc < 0)
        return queue_db_fail(e, rc);
    if (rc == 0)
        return err_set(e, ERR_CONFLICT, "status", "ticket %s changed meanwhile; reload it", t.code);
    int held = t.status == QUEUE_CALLED || t.status == QUEUE_SERVING;
    json_t *detail = reason && *reason ? json_pack("{s:s}", "reason", reason) : NULL;
    rc = add_event(db, ticket_id, now, "withdrawn", t.status == QUEUE_WAITING ? 0 : t.window_id,
                   who->staff_id, detail);
    if (rc == 0 && held)
        rc = window_release(db, t.window_id, ticket_id, now);
    if (rc == 0) /* never delivered: nothing to evaluate */
        rc = eval_ticket_void(db, ticket_id);
    if (rc == 0)
        rc = queue_ticket_get(db, ticket_id, now, out);
    return rc < 0 ? queue_db_fail(e, rc) : 0;
}

/* ---- the timeline ---- */

static const char SQL_TIMELINE[] =
    "SELECT id, ts, type, COALESCE(window_id, 0), COALESCE(staff_id, 0), detail"
    " FROM ticket_event WHERE ticket_id = ?1 ORDER BY id LIMIT 1000";

int queue_timeline(struct db *db, int64_t ticket_id, struct arena *a, struct queue_event **items,
                   int *n)
{
    int cap = 16;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * (size_t)cap);
    if (!*items)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TIMELINE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            struct queue_event *more = arena_alloc(a, sizeof(**items) * (size_t)cap * 2);
            if (!more) {
                rc = ERR_NOMEM;
                break;
            }
            memcpy(more, *items, sizeof(**items) * (size_t)cap);
            *items = more;
            cap *= 2;
        }
        struct queue_event *ev = &(*items)[(*n)++];
        ev->id = db_col_int64(st, 0);
        ev->ts = db_col_int64(st, 1);
        ev->type = arena_strdup(a, db_col_text(st, 2) ? db_col_text(st, 2) : "");
        ev->window_id = db_col_int64(st, 3);
        ev->staff_id = db_col_int64(st, 4);
        ev->detail = arena_strdup(a, db_col_text(st, 5) ? db_col_text(st, 5) : "");
        if (!ev->type || !ev->detail) {
            rc = ERR_NOMEM;
            break;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int queue_timeline_times(struct db *db, int64_t ticket_id, int64_t *wait_s, int64_t *service_s)
{
    struct arena a = {0};
    struct queue_event *ev;
    int n = 0;
    *wait_s = 0;
    *service_s = 0;
    int rc = queue_timeline(db, ticket_id, &a, &ev, &n);
    int64_t waiting = -1, serving = -1; /* start of the open interval, -1 none */
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *type = ev[i].type;
        int64_t ts = ev[i].ts;
        int leaves_serving = strcmp(type, "parked") == 0 || strcmp(type, "finished") == 0 ||
                             strcmp(type, "transferred") == 0 || strcmp(type, "withdrawn") == 0;
        if (leaves_serving && serving >= 0) {
            *service_s += ts - serving;
            serving = -1;
        }
        if (strcmp(type, "issued") == 0 || strcmp(type, "transferred") == 0) {
            waiting = ts;
        } else if (strcmp(type, "called") == 0) {
            if (waiting >= 0)
                *wait_s += ts - waiting;
            waiting = -1;
        } else if (strcmp(type, "started") == 0 || strcmp(type, "resumed") == 0) {
            waiting = -1;
            serving = ts;
        } else if (strcmp(type, "withdrawn") == 0) {
            waiting = -1;
        }
    }
    arena_reset(&a);
    return rc;
}

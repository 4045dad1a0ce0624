/* queue_view.c - what the queue shows: places in line and ETAs, waiting
 * counts, the hall board, a window's lines and figures, and the day's
 * statistics. Reads only; any connection. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/queue.h"
#include "domain/queue_impl.h"

/* ---- ETA ---- */

static const char SQL_RECENT_SERVICE[] =
    "SELECT service_s FROM ticket WHERE queue_series_id = ?1 AND status = 'done'"
    " AND service_day = ?2 ORDER BY finished_at DESC, id DESC LIMIT ?3";
static const char SQL_SERIES_WINDOWS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.status = 'open' THEN 1 ELSE 0 END), 0)"
    " FROM window_profile_series p JOIN org_node w ON w.id = p.window_id"
    " LEFT JOIN window_state s ON s.window_id = p.window_id"
    " WHERE p.series_id = ?1 AND w.active = 1";

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The bases last computed, per series: every issue, call and board asks for
 * them. A window opening or closing forgets them at once; a finished
 * service counts within a second (at a busy hall a median of twenty moves
 * little per service, and recomputing it after each one was most of a
 * call's reads); a change on another node within QUEUE_ETA_CACHE_S. */
#define ETA_CACHE 256

static struct eta_entry {
    int64_t series_id, at, median;
    int windows;
    int ttl; /* seconds it stands: QUEUE_ETA_CACHE_S, or 1 once a service finished */
    char day[DATE_TEXT];
} eta_cache[ETA_CACHE];
static pthread_mutex_t eta_mu = PTHREAD_MUTEX_INITIALIZER;

void queue_eta_forget(int64_t series_id)
{
    pthread_mutex_lock(&eta_mu);
    for (int i = 0; i < ETA_CACHE; i++) {
        struct eta_entry *c = &eta_cache[i];
        if (!series_id)
            c->series_id = 0; /* the windows changed: at once */
        else if (c->series_id == series_id)
            c->ttl = 1; /* one more service: within a second of its basis */
    }
    pthread_mutex_unlock(&eta_mu);
}

static int eta_cached(int64_t series_id, const char *day, int64_t now, int64_t *median_s,
                      int *windows)
{
    struct eta_entry *c = &eta_cache[(uint64_t)series_id % ETA_CACHE];
    int hit = 0;
    pthread_mutex_lock(&eta_mu);
    if (c->series_id == series_id && strcmp(c->day, day) == 0 && now >= c->at &&
        now - c->at < c->ttl) {
        *median_s = c->median;
        *windows = c->windows;
        hit = 1;
    }
    pthread_mutex_unlock(&eta_mu);
    return hit;
}

static void eta_remember(int64_t series_id, const char *day, int64_t now, int64_t median_s,
                         int windows)
{
    struct eta_entry *c = &eta_cache[(uint64_t)series_id % ETA_CACHE];
    pthread_mutex_lock(&eta_mu);
    c->series_id = series_id;
    c->at = now;
    c->median = median_s;
    c->windows = windows;
    c->ttl = QUEUE_ETA_CACHE_S;
    memcpy(c->day, day, sizeof(c->day));
    pthread_mutex_unlock(&eta_mu);
}

int queue_eta_basis(struct db *db, int64_t series_id, int64_t now, int64_t *median_s, int *windows)
{
    int64_t v[QUEUE_ETA_SAMPLE];
    int n = 0;
    char day[DATE_TEXT];
    queue_service_day(now, day);
    if (eta_cached(series_id, day, now, median_s, windows))
        return 0;
    *median_s = QUEUE_ETA_DEFAULT_S;
    *windows = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RECENT_SERVICE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, series_id);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, QUEUE_ETA_SAMPLE);
    while ((rc = db_step(st)) == DB_ROW && n < QUEUE_ETA_SAMPLE)
        v[n++] = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (n > 0) {
        qsort(v, (size_t)n, sizeof(v[0]), cmp_int64);
        *median_s = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2] + 1) / 2;
    }
    rc = db_prepare(db, SQL_SERIES_WINDOWS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, series_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t configured = db_col_int64(st, 0), open = db_col_int64(st, 1);
        *windows = (int)(open > 0 ? open : configured);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    eta_remember(series_id, day, now, *median_s, *windows);
    return 0;
}

int queue_eta_minutes(int position, int64_t median_s, int windows)
{
    if (windows <= 0 || position < 1)
        return -1;
    /* (position - 1/2) * median / windows seconds, in minutes rounded up */
    int64_t num = (2 * (int64_t)position - 1) * median_s;
    int64_t den = 2 * (int64_t)windows * 60;
    return (int)((num + den - 1) / den);
}

/* ---- places in line ---- */

static const char SQL_AHEAD[] =
    "SELECT COUNT(*) FROM ticket WHERE hall_id = ?1 AND service_day = ?2"
    " AND queue_series_id = ?3 AND status = 'waiting'"
    " AND (priority > ?4 OR (priority = ?4 AND (issued_at < ?5 OR (issued_at = ?5 AND id < ?6))))";

#define BASIS_CACHE 16

int queue_fill_positions(struct db *db, struct queue_ticket *t, int n, int64_t now)
{
    struct {
        int64_t series_id, median;
        int windows;
    } basis[BASIS_CACHE];
    int nbasis = 0;
    char day[DATE_TEXT];
    queue_service_day(now, day);
    for (int i = 0; i < n; i++) {
        t[i].position = 0;
        t[i].eta_minutes = -1;
        /* a ticket of a past day waits for nobody: it is never called */
        if (t[i].status != QUEUE_WAITING || strcmp(t[i].service_day, day) != 0)
            continue;
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_AHEAD, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, t[i].hall_id);
        db_bind_text(st, 2, t[i].service_day);
        db_bind_int64(st, 3, t[i].series_id);
        db_bind_int64(st, 4, t[i].priority);
        db_bind_int64(st, 5, t[i].issued_at);
        db_bind_int64(st, 6, t[i].id);
        rc = db_step(st);
        int64_t ahead = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc < 0)
            return rc;
        t[i].position = (int)ahead + 1;
        int k = 0;
        while (k < nbasis && basis[k].series_id != t[i].series_id)
            k++;
        if (k == nbasis) {
            int64_t median = 0;
            int windows = 0;
            rc = queue_eta_basis(db, t[i].series_id, now, &median, &windows);
            if (rc < 0)
                return rc;
            if (nbasis == BASIS_CACHE)
                k = nbasis - 1; /* reuse the last slot */
            else
                nbasis++;
            basis[k].series_id = t[i].series_id;
            basis[k].median = median;
            basis[k].windows = windows;
        }
        t[i].eta_minutes = queue_eta_minutes(t[i].position, basis[k].median, basis[k].windows);
    }
    return 0;
}

/* ---- waiting counts ---- */

static const char SQL_WAITING[] =
    "SELECT s.id, s.prefix, s.name, (SELECT COUNT(*) FROM ticket t WHERE t.hall_id = s.hall_id"
    " AND t.service_day = ?2 AND t.queue_series_id = s.id AND t.status = 'waiting')"
    " FROM queue_series s WHERE s.hall_id = ?1 AND s.active = 1 ORDER BY s.prefix LIMIT 1000";
static const char SQL_LIVE_WAITING[] =
    "SELECT COUNT(*) FROM ticket WHERE hall_id = ?1 AND service_day = ?2 AND status = 'waiting'";

int queue_live_waiting(struct db *db, int64_t hall_id, int64_t now, int *n)
{
    char day[DATE_TEXT];
    queue_service_day(now, day);
    *n = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LIVE_WAITING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, day);
    rc = db_step(st);
    if (rc == DB_ROW)
        *n = (int)db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int queue_waiting(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                  struct queue_series_wait **rows, int *n, int *total)
{
    char day[DATE_TEXT];
    int cap = 32;
    queue_service_day(now, day);
    *n = 0;
    *rows = arena_alloc(a, sizeof(**rows) * (size_t)cap);
    if (!*rows)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WAITING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, day);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            struct queue_series_wait *more = arena_alloc(a, sizeof(**rows) * (size_t)cap * 2);
            if (!more) {
                rc = ERR_NOMEM;
                break;
            }
            memcpy(more, *rows, sizeof(**rows) * (size_t)cap);
            *rows = more;
            cap *= 2;
        }
        struct queue_series_wait *w = &(*rows)[(*n)++];
        w->series_id = db_col_int64(st, 0);
        queue_copy(w->prefix, sizeof(w->prefix), db_col_text(st, 1));
        queue_copy(w->name, sizeof(w->name), db_col_text(st, 2));
        w->waiting = (int)db_col_int64(st, 3);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < *n; i++) {
        int64_t median = 0;
        int windows = 0;
        rc = queue_eta_basis(db, (*rows)[i].series_id, now, &median, &windows);
        if (rc < 0)
            return rc;
        (*rows)[i].eta_minutes = queue_eta_minutes((*rows)[i].waiting + 1, median, windows);
    }
    return queue_live_waiting(db, hall_id, now, total);
}

/* ---- the board ---- */

#define CALL_COLS                                                                                  \
    "t.id, COALESCE(t.window_id, 0), COALESCE(w.name, ''), COALESCE(w.code, ''), t.code,"          \
    " COALESCE(t.display_name, ''), t.called_at, t.recalls"

static const char SQL_BOARD_CURRENT[] =
    "SELECT " CALL_COLS " FROM window_state s JOIN ticket t ON t.id = s.ticket_id"
    " JOIN org_node w ON w.id = s.window_id WHERE s.hall_id = ?1 AND t.called_at IS NOT NULL"
    " AND t.status IN ('called', 'serving') ORDER BY t.called_at DESC, t.id DESC LIMIT ?2";
static const char SQL_BOARD_RECENT[] =
    "SELECT " CALL_COLS " FROM ticket t JOIN org_node w ON w.id = t.window_id"
    " WHERE t.hall_id = ?1 AND t.service_day = ?2 AND t.called_at IS NOT NULL"
    " ORDER BY t.called_at DESC, t.id DESC LIMIT ?3";

static void read_call(struct db_stmt *st, struct queue_call *c)
{
    c->ticket_id = db_col_int64(st, 0);
    c->window_id = db_col_int64(st, 1);
    queue_copy(c->window_name, sizeof(c->window_name), db_col_text(st, 2));
    queue_copy(c->window_code, sizeof(c->window_code), db_col_text(st, 3));
    queue_copy(c->code, sizeof(c->code), db_col_text(st, 4));
    queue_copy(c->display_name, sizeof(c->display_name), db_col_text(st, 5));
    c->called_at = db_col_int64(st, 6);
    c->recalls = (int)db_col_int64(st, 7);
}

int queue_board(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                struct queue_board *out)
{
    struct org_node hall;
    char day[DATE_TEXT];
    memset(out, 0, sizeof(*out));
    int rc = org_get(db, hall_id, &hall);
    if (rc == 0 && (strcmp(hall.kind, "hall") != 0 || !hall.active))
        rc = ERR_NOTFOUND;
    if (rc < 0)
        return rc;
    out->hall_id = hall_id;
    queue_copy(out->hall_name, sizeof(out->hall_name), hall.name);
    out->generated_at = now;
    queue_service_day(now, day);
    out->current = arena_alloc(a, sizeof(*out->current) * QUEUE_BOARD_CURRENT_MAX);
    if (!out->current)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_BOARD_CURRENT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_int64(st, 2, QUEUE_BOARD_CURRENT_MAX);
    while ((rc = db_step(st)) == DB_ROW && out->ncurrent < QUEUE_BOARD_CURRENT_MAX)
        read_call(st, &out->current[out->ncurrent++]);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_BOARD_RECENT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, QUEUE_BOARD_RECENT);
    while ((rc = db_step(st)) == DB_ROW && out->nrecent < QUEUE_BOARD_RECENT)
        read_call(st, &out->recent[out->nrecent++]);
    db_finalize(st);
    if (rc < 0)
        return rc;
    return queue_waiting(db, hall_id, now, a, &out->waiting, &out->nwaiting, &out->total_waiting);
}

/* ---- a window's lines and figures ---- */

static const char SQL_WINDOW_WAITING[] =
    "SELECT " QUEUE_TICKET_COLS QUEUE_TICKET_FROM
    " LEFT JOIN window_profile_series p ON p.window_id = ?1 AND p.series_id = t.queue_series_id"
    " WHERE t.hall_id = ?2 AND t.service_day = ?3 AND t.status = 'waiting'"
    " AND (t.target_window_id = ?1 OR (t.target_window_id IS NULL AND p.series_id IS NOT NULL))"
    " ORDER BY t.priority DESC, CASE WHEN ?4 = 2 THEN COALESCE(p.seq, 0) ELSE 0 END,"
    " t.issued_at, t.id LIMIT ?5";
static const char SQL_WINDOW_PARKED[] =
    "SELECT " QUEUE_TICKET_COLS QUEUE_TICKET_FROM " WHERE t.window_id = ?1 AND t.status = 'parked'"
    " ORDER BY t.issued_at, t.id LIMIT ?2";

/* Run a statement of QUEUE_TICKET_COLS (already bound) into up to
 * QUEUE_LIST_MAX tickets in a. */
static int ticket_rows(struct db_stmt *st, struct arena *a, struct queue_ticket **items, int *n)
{
    int rc;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * QUEUE_LIST_MAX);
    if (!*items) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    while ((rc = db_step(st)) == DB_ROW && *n < QUEUE_LIST_MAX)
        queue_read_ticket(st, &(*items)[(*n)++]);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int queue_window_lines(struct db *db, const struct queue_window *w, int64_t now, struct arena *a,
                       struct queue_ticket **waiting, int *nwaiting, struct queue_ticket **parked,
                       int *nparked)
{
    char day[DATE_TEXT];
    queue_service_day(now, day);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WINDOW_WAITING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, w->window_id);
    db_bind_int64(st, 2, w->hall_id);
    db_bind_text(st, 3, day);
    db_bind_int64(st, 4, w->mode);
    db_bind_int64(st, 5, QUEUE_LIST_MAX);
    rc = ticket_rows(st, a, waiting, nwaiting);
    if (rc == 0)
        rc = queue_fill_positions(db, *waiting, *nwaiting, now);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_WINDOW_PARKED, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, w->window_id);
    db_bind_int64(st, 2, QUEUE_LIST_MAX);
    return ticket_rows(st, a, parked, nparked);
}

static const char SQL_WINDOW_TODAY[] =
    "SELECT status, CASE WHEN called_at IS NULL THEN 0 ELSE 1 END, wait_s, service_s"
    " FROM ticket WHERE hall_id = ?1 AND service_day = ?2 AND window_id = ?3";

int queue_window_today(struct db *db, const struct queue_window *w, int64_t now,
                       struct queue_today *out)
{
    char day[DATE_TEXT];
    int64_t waits = 0, services = 0;
    int nwait = 0;
    memset(out, 0, sizeof(*out));
    queue_service_day(now, day);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WINDOW_TODAY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, w->hall_id);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, w->window_id);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_col_text(st, 0);
        if (db_col_int64(st, 1)) {
            waits += db_col_int64(st, 2);
            nwait++;
        }
        if (status && strcmp(status, "done") == 0) {
            out->served++;
            services += db_col_int64(st, 3);
        } else if (status && strcmp(status, "no_show") == 0) {
            out->no_shows++;
        }
    }
    db_finalize(st);
    if (nwait)
        out->avg_wait_s = (waits + nwait / 2) / nwait;
    if (out->served)
        out->avg_service_s = (services + out->served / 2) / out->served;
    return rc < 0 ? rc : 0;
}

/* ---- statistics ---- */

int queue_stats_by_parse(const char *s, enum queue_stats_by *out)
{
    static const char *const names[] = {"", "hall", "window", "series", "staff"};
    for (int i = QUEUE_BY_HALL; s && i <= QUEUE_BY_STAFF; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum queue_stats_by)i;
            return 0;
        }
    return ERR_INVALID;
}

#define STATS_COLS                                                                                 \
    " t.status, CASE WHEN t.called_at IS NULL THEN 0 ELSE 1 END, t.wait_s, t.service_s"
#define STATS_WHERE " WHERE t.hall_id = ?1 AND t.service_day = ?2"

static const char SQL_STATS_HALL[] =
    "SELECT t.hall_id, h.name," STATS_COLS
    " FROM ticket t JOIN org_node h ON h.id = t.hall_id" STATS_WHERE " ORDER BY t.hall_id";
static const char SQL_STATS_WINDOW[] =
    "SELECT t.window_id, w.name," STATS_COLS
    " FROM ticket t JOIN org_node w ON w.id = t.window_id" STATS_WHERE " ORDER BY t.window_id";
static const char SQL_STATS_SERIES[] =
    "SELECT t.queue_series_id, s.name," STATS_COLS
    " FROM ticket t JOIN queue_series s ON s.id = t.queue_series_id" STATS_WHERE
    " ORDER BY t.queue_series_id";
static const char SQL_STATS_STAFF[] =
    "SELECT t.staff_id, s.name," STATS_COLS
    " FROM ticket t JOIN staff s ON s.id = t.staff_id" STATS_WHERE " ORDER BY t.staff_id";

#define STATS_GROUPS_MAX 5000

/* Growing arrays of one group's waits and services (malloc'd). */
struct samples {
    int64_t *v;
    int n, cap;
};

static int push(struct samples *s, int64_t x)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 256;
        int64_t *v = realloc(s->v, sizeof(*v) * (size_t)cap);
        if (!v)
            return ERR_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

/* average and nearest-rank 90th percentile of s (sorted in place) */
static void summarise(struct samples *s, int64_t *avg, int64_t *p90)
{
    *avg = 0;
    *p90 = 0;
    if (s->n == 0)
        return;
    int64_t sum = 0;
    qsort(s->v, (size_t)s->n, sizeof(s->v[0]), cmp_int64);
    for (int i = 0; i < s->n; i++)
        sum += s->v[i];
    *avg = (sum + s->n / 2) / s->n;
    *p90 = s->v[(9 * s->n + 9) / 10 - 1];
}

static void finish_group(struct queue_stats_row *row, struct samples *waits,
                         struct samples *services)
{
    summarise(waits, &row->avg_wait_s, &row->p90_wait_s);
    summarise(services, &row->avg_service_s, &row->p90_service_s);
    waits->n = 0;
    services->n = 0;
}

int queue_stats(struct db *db, int64_t hall_id, const char *day, enum queue_stats_by by,
                struct arena *a, struct queue_stats_row **rows, int *n)
{
    const char *sql = by == QUEUE_BY_WINDOW   ? SQL_STATS_WINDOW
                      : by == QUEUE_BY_SERIES ? SQL_STATS_SERIES
                      : by == QUEUE_BY_STAFF  ? SQL_STATS_STAFF
                                              : SQL_STATS_HALL;
    struct samples waits = {0}, services = {0};
    struct queue_stats_row *row = NULL;
    int cap = 16;
    *n = 0;
    *rows = arena_alloc(a, sizeof(**rows) * (size_t)cap);
    if (!*rows)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, day);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t key = db_col_int64(st, 0);
        if (!row || row->key != key) {
            if (row)
                finish_group(row, &waits, &services);
            if (*n == STATS_GROUPS_MAX) {
                rc = ERR_TOOLARGE;
                break;
            }
            if (*n == cap) {
                struct queue_stats_row *more = arena_alloc(a, sizeof(**rows) * (size_t)cap * 2);
                if (!more) {
                    rc = ERR_NOMEM;
                    break;
                }
                memcpy(more, *rows, sizeof(**rows) * (size_t)cap);
                *rows = more;
                cap *= 2;
            }
            row = &(*rows)[(*n)++];
            row->key = key;
            queue_copy(row->name, sizeof(row->name), db_col_text(st, 1));
        }
        const char *status = db_col_text(st, 2);
        int called = (int)db_col_int64(st, 3);
        int64_t wait = db_col_int64(st, 4), service = db_col_int64(st, 5);
        int prc = 0;
        row->issued++;
        if (called) {
            prc = push(&waits, wait);
            if (wait > QUEUE_WAIT_TIMEOUT_S)
                row->wait_timeouts++;
        }
        if (status && strcmp(status, "done") == 0) {
            row->served++;
            if (prc == 0)
                prc = push(&services, service);
            if (service > QUEUE_SERVICE_TIMEOUT_S)
                row->service_timeouts++;
        } else if (status && strcmp(status, "no_show") == 0) {
            row->no_shows++;
        } else if (status && strcmp(status, "withdrawn") == 0) {
            row->withdrawn++;
        }
        if (prc < 0) {
            rc = prc;
            break;
        }
    }
    db_finalize(st);
    if (rc >= 0 && row)
        finish_group(row, &waits, &services);
    free(waits.v);
    free(services.v);
    return rc < 0 ? rc : 0;
}

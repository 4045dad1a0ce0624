/* queue_impl.h - what queue.c (the rules), queue_setup.c (series, profiles,
 * windows) and queue_view.c (the reads) share. Not for other modules. */
#ifndef CK_QUEUE_IMPL_H
#define CK_QUEUE_IMPL_H

#include <jansson.h>

#include "domain/queue.h"

/* The columns read_ticket expects, with TICKET_FROM (aliases t, qs, v, w). */
#define QUEUE_TICKET_COLS                                                                          \
    "t.id, t.hall_id, t.service_day, t.queue_series_id, qs.prefix, t.series_id, t.number,"         \
    " t.code, COALESCE(t.item_code, ''), COALESCE(v.name, ''), COALESCE(t.version_id, 0),"         \
    " t.priority, t.status, t.channel, COALESCE(t.window_id, 0), COALESCE(w.name, ''),"            \
    " COALESCE(w.code, ''), COALESCE(t.staff_id, 0), COALESCE(t.target_window_id, 0),"             \
    " t.recalls, t.issued_at, COALESCE(t.called_at, 0), COALESCE(t.started_at, 0),"                \
    " COALESCE(t.finished_at, 0), t.wait_s, t.service_s, COALESCE(t.display_name, '')"
#define QUEUE_TICKET_FROM                                                                          \
    " FROM ticket t JOIN queue_series qs ON qs.id = t.queue_series_id"                             \
    " LEFT JOIN catalog_version v ON v.id = t.version_id"                                          \
    " LEFT JOIN org_node w ON w.id = t.window_id"

/* Read the current row (QUEUE_TICKET_COLS from column 0) into t; position
 * 0 and eta_minutes -1. */
void queue_read_ticket(struct db_stmt *st, struct queue_ticket *t);

/* snprintf(dst, cap, "%s", s or "") */
void queue_copy(char *dst, size_t cap, const char *s);

/* A ticket without position and ETA; ERR_NOTFOUND. */
int queue_ticket_read(struct db *db, int64_t id, struct queue_ticket *out);

/* e = "database error" with rc; returns rc. */
int queue_db_fail(struct err *e, int rc);

/* Step a prepared statement that returns at most one row and finalize it:
 * 1 when it gave a row, 0 when not, or an error. */
int queue_step_once(struct db_stmt *st);

/* Bind an id, or NULL for 0. */
void queue_bind_id(struct db_stmt *st, int idx, int64_t id);

/* The node as a window or hall: ERR_NOTFOUND ("no such window/hall") when
 * it is none; a deactivated window is ERR_CONFLICT, a deactivated hall
 * ERR_NOTFOUND. e filled. */
int queue_load_window(struct db *db, int64_t id, struct org_node *w, struct err *e);
int queue_load_hall(struct db *db, int64_t id, struct org_node *h, struct err *e);

/* An administrator whose scope holds path, or the command line. */
int queue_is_admin_of(const struct actor *who, const char *path);

/* A series row (no item codes) by id, or by hall and prefix; ERR_NOTFOUND. */
int queue_series_read(struct db *db, int64_t id, struct queue_series *out);
int queue_series_by_prefix(struct db *db, int64_t hall_id, const char *prefix,
                           struct queue_series *out);

/* Insert a series row (rights and names checked by the caller); a taken
 * prefix is ERR_CONFLICT naming "prefix". */
int queue_series_insert(struct db *db, int64_t hall_id, const char *prefix, const char *name,
                        int64_t now, int64_t *id, struct err *e);

/* A series as an audit snapshot (new reference). */
json_t *queue_series_audit(const char *prefix, const char *name, int active,
                           const char *const *codes, int n);

/* ERR_CONFLICT (field "status") saying why the window cannot take a ticket
 * now: closed, or holding one. */
int queue_window_busy(struct db *db, const struct org_node *win, struct err *e);

#endif

/* case_impl.h - what the case files share inside the domain layer. */
#ifndef CK_CASE_IMPL_H
#define CK_CASE_IMPL_H

#include "base/date.h"
#include "domain/case.h"

/* The columns of case_file that case_read_row reads, in order (c. is the
 * case, s the handler, f the first owner, n the node). */
#define CASE_COLS                                                                                  \
    "c.id, c.number, c.item_id, c.version_id, c.item_code, c.item_name, c.kind, c.node_id,"        \
    " n.name, c.node_path, c.handler_id, s.name, c.first_owner_id, f.name,"                        \
    " COALESCE(c.registered_by, 0), COALESCE(c.ticket_id, 0), COALESCE(c.inquiry_id, 0),"          \
    " COALESCE(c.window_id, 0), c.applicant_kind, c.applicant_name, c.phone_mask, c.id_mask,"      \
    " c.org_code, c.agent_name, c.agent_phone_mask, c.agent_id_mask, c.modes, c.state, c.open,"    \
    " c.paused, c.decision, c.received_day, c.received_at, COALESCE(c.closed_at, 0),"              \
    " c.created_at, c.updated_at, c.closed_day, c.outcome, c.promised_limit, c.promised_unit,"     \
    " c.legal_limit, c.legal_unit, c.extension_days, c.promised_due, c.legal_due, c.yellow_day,"   \
    " COALESCE(c.used_units, 0), c.region_id"
#define CASE_FROM                                                                                  \
    " FROM case_file c JOIN staff s ON s.id = c.handler_id JOIN staff f ON f.id = "                \
    "c.first_owner_id"                                                                             \
    " JOIN org_node n ON n.id = c.node_id"

/* Fill r from a row selected with CASE_COLS (strings copied into a) and
 * compute its clock at today (closed cases: at their closed day). Pauses are
 * read from the database (db). */
int case_read_row(struct db *db, struct db_stmt *st, const struct calendar *cal, const char *today,
                  struct arena *a, struct case_rec *r, int *missing_year);

/* Recompute a case's stored deadlines (promised_due, legal_due, yellow_day,
 * next_warn_day, warn_level capped at the present level) from its limits and
 * pauses, at today. */
int case_refresh(struct db *db, const struct calendar *cal, int64_t id, const char *today,
                 int *missing_year);

/* A promised limit with extension days, in the limit's own unit (an hours
 * limit takes days as 24 hours each). */
static inline int case_limit_with(int limit, int ext_days, const char *unit)
{
    return unit && unit[0] == 'h' ? limit + ext_days * 24 : limit + ext_days;
}

/* The local (Asia/Shanghai) date of now. */
void case_today(int64_t now, char out[DATE_TEXT]);

/* Append a case event. */
int case_event_add(struct db *db, const struct actor *who, int64_t case_id, const char *kind,
                   const char *from, const char *to, int64_t node_id, const char *detail,
                   int64_t now);

/* One page of a list read with two statements, both static text (db_prepare
 * caches by the text's address). count_sql selects COUNT(*) in column 0
 * (NULL: no count, *total is left alone); list_sql selects the rows, with
 * LIMIT ?limit_param OFFSET ?limit_param+1. bind binds what both share, from
 * ctx; read fills one item of item_size bytes from the current row (strings
 * into a) and returns 0 or < 0. */
struct case_page {
    const char *count_sql;
    const char *list_sql;
    int limit_param;
    void (*bind)(struct db_stmt *st, const void *ctx);
    int (*read)(struct db_stmt *st, struct arena *a, void *item, const void *ctx);
    const void *ctx;
    size_t item_size;
};

/* Run p for page (1-based) of per_page (>= 1, checked by the caller):
 * *total from the count, *items (per_page slots in a) with *n read. Returns
 * 0, or a negative ERR_* (ERR_NOMEM, the database's) for the caller to map. */
int case_page_read(struct db *db, const struct case_page *p, int64_t page, int64_t per_page,
                   struct arena *a, void **items, int *n, int64_t *total);

/* Prepare sql (static text), bind id to ?1 and step: 0 with *st on the row
 * (the caller reads it, then db_finalize), ERR_NOTFOUND when there is none,
 * or a negative ERR_* (*st NULL for both). */
int case_select_id(struct db *db, const char *sql, int64_t id, struct db_stmt **st);

#endif

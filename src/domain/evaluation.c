/* evaluation.c - service events with their tokens, the region's settings,
 * reasons and indicator sets, and taking an evaluation (evaluation.h). */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "base/pii.h"
#include "domain/audit.h"
#include "domain/badreview.h"
#include "domain/case.h"
#include "domain/eval_impl.h"
#include "domain/org.h"

/* ---- settings ---- */

static void setting_defaults(int64_t region_id, struct eval_setting *s)
{
    memset(s, 0, sizeof(*s));
    s->region_id = region_id;
    s->window_days = 7;
    snprintf(s->unrated_mode, sizeof(s->unrated_mode), "unrated");
    s->default_level = 3;
    s->followup = 1;
    snprintf(s->case_nodes, sizeof(s->case_nodes), "complete");
    s->burst_n = 10;
    s->burst_s = 600;
    s->fast_s = 20;
    s->streak_n = 30;
}

static const char SQL_SETTING[] =
    "SELECT window_days, unrated_mode, default_level, followup, case_nodes, burst_n, burst_s,"
    " fast_s, streak_n FROM eval_setting WHERE region_id = ?1";

int eval_setting_get(struct db *db, int64_t region_id, struct eval_setting *out)
{
    setting_defaults(region_id, out);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SETTING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->window_days = (int)db_col_int64(st, 0);
        snprintf(out->unrated_mode, sizeof(out->unrated_mode), "%s", db_col_text(st, 1));
        out->default_level = (int)db_col_int64(st, 2);
        out->followup = (int)db_col_int64(st, 3);
        snprintf(out->case_nodes, sizeof(out->case_nodes), "%s", db_col_text(st, 4));
        out->burst_n = (int)db_col_int64(st, 5);
        out->burst_s = (int)db_col_int64(st, 6);
        out->fast_s = (int)db_col_int64(st, 7);
        out->streak_n = (int)db_col_int64(st, 8);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static json_t *setting_json(const struct eval_setting *s)
{
    return json_pack("{s:I,s:i,s:s,s:i,s:b,s:s,s:i,s:i,s:i,s:i}", "region_id",
                     (json_int_t)s->region_id, "window_days", s->window_days, "unrated_mode",
                     s->unrated_mode, "default_level", s->default_level, "followup", s->followup,
                     "case_nodes", s->case_nodes, "burst_n", s->burst_n, "burst_s", s->burst_s,
                     "fast_s", s->fast_s, "streak_n", s->streak_n);
}

static const char SQL_SETTING_PUT[] =
    "INSERT INTO eval_setting (region_id, window_days, unrated_mode, default_level, followup,"
    " case_nodes, burst_n, burst_s, fast_s, streak_n, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (region_id) DO UPDATE SET"
    " window_days = EXCLUDED.window_days, unrated_mode = EXCLUDED.unrated_mode,"
    " default_level = EXCLUDED.default_level, followup = EXCLUDED.followup,"
    " case_nodes = EXCLUDED.case_nodes, burst_n = EXCLUDED.burst_n, burst_s = EXCLUDED.burst_s,"
    " fast_s = EXCLUDED.fast_s, streak_n = EXCLUDED.streak_n, updated_at = EXCLUDED.updated_at";

int eval_setting_put(struct db *db, const struct actor *who, const struct eval_setting *in,
                     int64_t now, struct err *e)
{
    if (in->window_days < 1 || in->window_days > 90)
        return err_set(e, ERR_INVALID, "window_days", "window_days must be 1-90");
    if (strcmp(in->unrated_mode, "unrated") && strcmp(in->unrated_mode, "default"))
        return err_set(e, ERR_INVALID, "unrated_mode", "unrated_mode must be unrated or default");
    if (in->default_level < 1 || in->default_level > 5)
        return err_set(e, ERR_INVALID, "default_level", "default_level must be 1-5");
    if (in->followup != 0 && in->followup != 1)
        return err_set(e, ERR_INVALID, "followup", "followup must be true or false");
    if (strcmp(in->case_nodes, "complete") && strcmp(in->case_nodes, "accept,complete"))
        return err_set(e, ERR_INVALID, "case_nodes",
                       "case_nodes must be complete or accept,complete");
    if (in->burst_n < 2 || in->burst_n > 1000)
        return err_set(e, ERR_INVALID, "burst_n", "burst_n must be 2-1000");
    if (in->burst_s < 10 || in->burst_s > 86400)
        return err_set(e, ERR_INVALID, "burst_s", "burst_s must be 10-86400");
    if (in->fast_s < 1 || in->fast_s > 600)
        return err_set(e, ERR_INVALID, "fast_s", "fast_s must be 1-600");
    if (in->streak_n < 5 || in->streak_n > 1000)
        return err_set(e, ERR_INVALID, "streak_n", "streak_n must be 5-1000");
    struct eval_setting before;
    int rc = eval_setting_get(db, in->region_id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_SETTING_PUT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, in->region_id);
    db_bind_int64(st, 2, in->window_days);
    db_bind_text(st, 3, in->unrated_mode);
    db_bind_int64(st, 4, in->default_level);
    db_bind_int64(st, 5, in->followup);
    db_bind_text(st, 6, in->case_nodes);
    db_bind_int64(st, 7, in->burst_n);
    db_bind_int64(st, 8, in->burst_s);
    db_bind_int64(st, 9, in->fast_s);
    db_bind_int64(st, 10, in->streak_n);
    db_bind_int64(st, 11, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    json_t *b = setting_json(&before), *af = setting_json(in);
    eval_conf_changed();
    /* audit_append takes both snapshots */
    rc = audit_append(db, who, "eval_setting.update", "org_node", in->region_id, in->region_id, b,
                      af);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* ---- tokens ---- */

void eval_token_new(char token[EVAL_TOKEN_MAX], char hash[CRYPTO_SHA256_HEX])
{
    unsigned char raw[18]; /* 144 bits: 24 base64url characters */
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(token, EVAL_TOKEN_MAX, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_sha256_hex(token, EVAL_TOKEN_LEN, hash);
}

int eval_token_ok(const char *s)
{
    if (!s || strlen(s) != EVAL_TOKEN_LEN)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* ---- service events ---- */

static void bind_opt(struct db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int64(st, i, v);
    else
        db_bind_null(st, i);
}

static const char SQL_EVENT_NEW[] =
    "INSERT INTO eval_event (source, node, ticket_id, case_id, region_id, hall_id, token_hash,"
    " state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)";

static int event_new(struct db *db, const char *source, const char *node, int64_t ticket_id,
                     int64_t case_id, int64_t region_id, int64_t hall_id, int64_t now,
                     char token[EVAL_TOKEN_MAX])
{
    char hash[CRYPTO_SHA256_HEX];
    eval_token_new(token, hash);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_NEW, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, source);
    db_bind_text(st, 2, node);
    bind_opt(st, 3, ticket_id);
    bind_opt(st, 4, case_id);
    db_bind_int64(st, 5, region_id);
    bind_opt(st, 6, hall_id);
    db_bind_text(st, 7, hash);
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_ticket_issued(struct db *db, int64_t ticket_id, int64_t hall_id, const char *hall_path,
                       int64_t now, char token[EVAL_TOKEN_MAX])
{
    return event_new(db, "ticket", "service", ticket_id, 0, case_region_of(hall_path), hall_id, now,
                     token);
}

/* The nearest ancestors of node_id (itself included) of kind hall and unit,
 * by the parent chain (a few primary-key reads). */
static const char SQL_PARENT[] = "SELECT COALESCE(parent_id, 0), kind FROM org_node WHERE id = ?1";

static int ancestors(struct db *db, int64_t node_id, int64_t *hall, int64_t *unit)
{
    *hall = *unit = 0;
    for (int depth = 0; node_id && depth < 16 && !*unit; depth++) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_PARENT, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, node_id);
        rc = db_step(st);
        int64_t parent = 0;
        if (rc == DB_ROW) {
            const char *kind = db_col_text(st, 1);
            if (!*hall && strcmp(kind, "hall") == 0)
                *hall = node_id;
            if (strcmp(kind, "unit") == 0)
                *unit = node_id;
            parent = db_col_int64(st, 0);
        }
        db_finalize(st);
        if (rc < 0)
            return rc;
        node_id = parent;
    }
    return 0;
}

/* The ticket's item (by its code and version) and the item's unit. */
static const char SQL_TICKET_ITEM[] =
    "SELECT COALESCE(i.id, 0), COALESCE(t.version_id, 0), COALESCE(t.item_code, ''),"
    " COALESCE(v.name, ''), COALESCE(i.unit_id, 0)"
    " FROM ticket t LEFT JOIN catalog_item i ON i.code = t.item_code"
    " LEFT JOIN catalog_version v ON v.id = t.version_id WHERE t.id = ?1";
/* Opening an event: the same columns for a ticket (?1 the ticket, ?2
 * 'service') and a case node (?1 the case, ?2 the node). */
#define OPEN_SET                                                                                   \
    "UPDATE eval_event SET state = 'open', window_id = ?3, staff_id = ?4, unit_id = ?5,"           \
    " hall_id = COALESCE(hall_id, ?6), node_path = ?7, item_id = ?8, version_id = ?9,"             \
    " item_code = ?10, item_name = ?11, ended_at = ?12, expires_at = ?13, ended_ip = ?14"
static const char SQL_OPEN_TICKET[] =
    OPEN_SET " WHERE ticket_id = ?1 AND node = ?2 AND state = 'pending' RETURNING id";
static const char SQL_OPEN_CASE[] =
    OPEN_SET " WHERE case_id = ?1 AND node = ?2 AND state = 'pending' RETURNING id";

/* Where, by whom and what a service was: the event's columns when it opens. */
struct opening {
    int64_t window_id, staff_id, unit_id, hall_id, item_id, version_id, expires_at;
    const char *path, *code, *name, *ip;
};

static int open_event(struct db *db, const char *sql, int64_t key, const char *node,
                      const struct opening *o, int64_t now, int64_t *event_id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, key);
    db_bind_text(st, 2, node);
    bind_opt(st, 3, o->window_id);
    bind_opt(st, 4, o->staff_id);
    bind_opt(st, 5, o->unit_id);
    bind_opt(st, 6, o->hall_id);
    db_bind_text(st, 7, o->path);
    bind_opt(st, 8, o->item_id);
    bind_opt(st, 9, o->version_id);
    db_bind_text(st, 10, o->code);
    db_bind_text(st, 11, o->name);
    db_bind_int64(st, 12, now);
    db_bind_int64(st, 13, o->expires_at);
    db_bind_text(st, 14, o->ip && *o->ip ? o->ip : NULL);
    rc = db_step(st);
    if (rc == DB_ROW)
        *event_id = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_ticket_finished(struct db *db, int64_t ticket_id, int64_t window_id, int64_t staff_id,
                         const char *ip, int64_t now, int64_t *event_id)
{
    *event_id = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TICKET_ITEM, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, ticket_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : 0;
    }
    int64_t item_id = db_col_int64(st, 0), version_id = db_col_int64(st, 1);
    int64_t item_unit = db_col_int64(st, 4);
    char code[64], name[512];
    snprintf(code, sizeof(code), "%s", db_col_text(st, 2));
    snprintf(name, sizeof(name), "%s", db_col_text(st, 3));
    db_finalize(st);
    int64_t hall = 0, unit = 0;
    rc = ancestors(db, window_id, &hall, &unit);
    if (rc < 0)
        return rc;
    struct org_node w;
    rc = org_get(db, window_id, &w);
    if (rc < 0)
        return rc;
    struct eval_setting s;
    rc = eval_setting_get(db, case_region_of(w.path), &s);
    if (rc < 0)
        return rc;
    /* 谁办理谁负责: the item's unit answers for it */
    struct opening o = {window_id,
                        staff_id,
                        item_unit ? item_unit : unit,
                        hall,
                        item_id,
                        version_id,
                        now + (int64_t)s.window_days * 86400,
                        w.path,
                        code,
                        name,
                        ip};
    return open_event(db, SQL_OPEN_TICKET, ticket_id, "service", &o, now, event_id);
}

static const char SQL_VOID_TICKET[] =
    "UPDATE eval_event SET state = 'void' WHERE ticket_id = ?1 AND state = 'pending'";
static const char SQL_VOID_ACCEPT[] = "UPDATE eval_event SET state = 'void' WHERE case_id = ?1"
                                      " AND node = 'accept' AND state = 'pending'";
static const char SQL_VOID_CASE[] =
    "UPDATE eval_event SET state = 'void' WHERE case_id = ?1 AND state = 'pending'";

static int void_events(struct db *db, const char *sql, int64_t id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_ticket_void(struct db *db, int64_t ticket_id)
{
    return void_events(db, SQL_VOID_TICKET, ticket_id);
}

int eval_case_void(struct db *db, int64_t case_id)
{
    return void_events(db, SQL_VOID_CASE, case_id);
}

static const char SQL_CASE_WHERE[] =
    "SELECT c.region_id, c.node_id, COALESCE(c.window_id, 0), c.handler_id, c.item_id,"
    " c.version_id, c.item_code, c.item_name, i.unit_id, n.path"
    " FROM case_file c JOIN catalog_item i ON i.id = c.item_id"
    " JOIN org_node n ON n.id = COALESCE(c.window_id, c.node_id) WHERE c.id = ?1";

int eval_case_registered(struct db *db, int64_t case_id, int64_t now, char token[EVAL_TOKEN_MAX])
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CASE_WHERE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, case_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    int64_t region = db_col_int64(st, 0), node = db_col_int64(st, 1);
    int64_t window = db_col_int64(st, 2);
    db_finalize(st);
    int64_t hall = 0, unit = 0;
    rc = ancestors(db, window ? window : node, &hall, &unit);
    if (rc < 0)
        return rc;
    struct eval_setting s;
    rc = eval_setting_get(db, region, &s);
    if (rc < 0)
        return rc;
    if (strstr(s.case_nodes, "accept")) {
        char accept_token[EVAL_TOKEN_MAX];
        rc = event_new(db, "case", "accept", 0, case_id, region, hall, now, accept_token);
        if (rc < 0)
            return rc;
    }
    return event_new(db, "case", "complete", 0, case_id, region, hall, now, token);
}

int eval_case_node(struct db *db, int64_t case_id, const char *node, const char *ip, int64_t now,
                   int64_t *event_id)
{
    *event_id = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CASE_WHERE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, case_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    int64_t region = db_col_int64(st, 0), node_id = db_col_int64(st, 1);
    int64_t window = db_col_int64(st, 2), handler = db_col_int64(st, 3);
    int64_t item = db_col_int64(st, 4), version = db_col_int64(st, 5);
    int64_t item_unit = db_col_int64(st, 8);
    char code[64], name[512], path[ACTOR_PATH_MAX];
    snprintf(code, sizeof(code), "%s", db_col_text(st, 6));
    snprintf(name, sizeof(name), "%s", db_col_text(st, 7));
    snprintf(path, sizeof(path), "%s", db_col_text(st, 9));
    db_finalize(st);
    struct eval_setting s;
    rc = eval_setting_get(db, region, &s);
    if (rc < 0)
        return rc;
    if (strcmp(node, "complete") == 0) { /* never accepted (退件, 即办件): nothing to rate there */
        rc = void_events(db, SQL_VOID_ACCEPT, case_id);
        if (rc < 0)
            return rc;
    }
    if (!strstr(s.case_nodes, node))
        return 0;
    int64_t hall = 0, unit = 0;
    rc = ancestors(db, window ? window : node_id, &hall, &unit);
    if (rc < 0)
        return rc;
    /* where it was served: the window, or the case's node when it has none (the
     * rollups and rankings count it there) */
    struct opening o = {window ? window : node_id,
                        handler,
                        item_unit ? item_unit : unit,
                        hall,
                        item,
                        version,
                        now + (int64_t)s.window_days * 86400,
                        path,
                        code,
                        name,
                        ip};
    return open_event(db, SQL_OPEN_CASE, case_id, node, &o, now, event_id);
}

/* ---- reading events ---- */

#define EVENT_COLS                                                                                 \
    "e.id, e.source, e.node, e.state, COALESCE(e.ticket_id, 0), COALESCE(e.case_id, 0),"           \
    " e.region_id, COALESCE(e.hall_id, 0), COALESCE(e.unit_id, 0), COALESCE(e.window_id, 0),"      \
    " COALESCE(e.staff_id, 0), COALESCE(e.item_id, 0), COALESCE(e.version_id, 0),"                 \
    " COALESCE(e.node_path, ''), e.item_code, e.item_name, COALESCE(e.ended_ip, ''),"              \
    " COALESCE(t.code, ''), COALESCE(c.number, ''), COALESCE(w.name, ''), COALESCE(h.name, ''),"   \
    " COALESCE(u.name, ''), e.created_at, COALESCE(e.ended_at, 0), COALESCE(e.expires_at, 0),"     \
    " COALESCE(e.evaluation_id, 0), COALESCE(e.followup_id, 0),"                                   \
    " COALESCE((SELECT v.created_at FROM evaluation v WHERE v.id = e.evaluation_id"                \
    " AND v.defaulted = 0), 0),"                                                                   \
    " CASE WHEN EXISTS (SELECT 1 FROM inquiry q WHERE q.id = c.inquiry_id"                         \
    " AND q.channel = 'online') THEN 'online' ELSE 'offline' END"
#define EVENT_FROM                                                                                 \
    " FROM eval_event e LEFT JOIN ticket t ON t.id = e.ticket_id"                                  \
    " LEFT JOIN case_file c ON c.id = e.case_id LEFT JOIN org_node w ON w.id = e.window_id"        \
    " LEFT JOIN org_node h ON h.id = e.hall_id LEFT JOIN org_node u ON u.id = e.unit_id"

static char *dup_col(struct db_stmt *st, int col, struct arena *a)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

static int read_event(struct db_stmt *st, struct arena *a, struct eval_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->id = db_col_int64(st, 0);
    snprintf(ev->source, sizeof(ev->source), "%s", db_col_text(st, 1));
    snprintf(ev->node, sizeof(ev->node), "%s", db_col_text(st, 2));
    snprintf(ev->state, sizeof(ev->state), "%s", db_col_text(st, 3));
    ev->ticket_id = db_col_int64(st, 4);
    ev->case_id = db_col_int64(st, 5);
    ev->region_id = db_col_int64(st, 6);
    ev->hall_id = db_col_int64(st, 7);
    ev->unit_id = db_col_int64(st, 8);
    ev->window_id = db_col_int64(st, 9);
    ev->staff_id = db_col_int64(st, 10);
    ev->item_id = db_col_int64(st, 11);
    ev->version_id = db_col_int64(st, 12);
    ev->node_path = dup_col(st, 13, a);
    ev->item_code = dup_col(st, 14, a);
    ev->item_name = dup_col(st, 15, a);
    ev->ended_ip = dup_col(st, 16, a);
    ev->ticket_code = dup_col(st, 17, a);
    ev->case_number = dup_col(st, 18, a);
    ev->window_name = dup_col(st, 19, a);
    ev->hall_name = dup_col(st, 20, a);
    ev->unit_name = dup_col(st, 21, a);
    ev->created_at = db_col_int64(st, 22);
    ev->ended_at = db_col_int64(st, 23);
    ev->expires_at = db_col_int64(st, 24);
    ev->evaluation_id = db_col_int64(st, 25);
    ev->followup_id = db_col_int64(st, 26);
    ev->first_at = db_col_int64(st, 27);
    snprintf(ev->kind, sizeof(ev->kind), "%s", db_col_text(st, 28));
    if (!ev->node_path || !ev->item_code || !ev->item_name || !ev->ended_ip || !ev->ticket_code ||
        !ev->case_number || !ev->window_name || !ev->hall_name || !ev->unit_name)
        return ERR_NOMEM;
    return 0;
}

/* Step st (bound) for one event. */
static int one_event(struct db_stmt *st, struct arena *a, struct eval_event *out)
{
    int rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_event(st, a, out);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_EVENT_ID[] = "SELECT " EVENT_COLS EVENT_FROM " WHERE e.id = ?1";
static const char SQL_EVENT_TOKEN[] = "SELECT " EVENT_COLS EVENT_FROM " WHERE e.token_hash = ?1";
/* the applicant's name, or the organisation's */
static const char SQL_EVENT_CASE[] =
    "SELECT " EVENT_COLS EVENT_FROM " WHERE c.number = ?1 AND c.applicant_name = ?2"
    " ORDER BY CASE e.state WHEN 'open' THEN 0 ELSE 1 END, COALESCE(e.ended_at, 0) DESC, e.id DESC"
    " LIMIT 1";
static const char SQL_EVENT_TICKET_WINDOW[] =
    "SELECT " EVENT_COLS EVENT_FROM " WHERE t.code = ?1 AND t.service_day = ?2"
    " AND e.window_id = ?3 AND e.ended_at >= ?4 ORDER BY e.ended_at DESC, e.id DESC LIMIT 1";
static const char SQL_EVENT_TICKET_STAFF[] =
    "SELECT " EVENT_COLS EVENT_FROM " WHERE t.code = ?1 AND t.service_day = ?2"
    " AND e.staff_id = ?3 AND e.ended_at >= ?4 ORDER BY e.ended_at DESC, e.id DESC LIMIT 1";
static const char SQL_EVENT_PENDING[] =
    "SELECT " EVENT_COLS EVENT_FROM " WHERE e.window_id = ?1 AND e.state = 'open'"
    " AND e.ended_at >= ?2 ORDER BY e.ended_at DESC, e.id DESC LIMIT 1";

static const char SQL_EVENT_OF_TICKET[] = "SELECT id FROM eval_event WHERE ticket_id = ?1";
static const char SQL_EVENT_OF_CASE[] =
    "SELECT id FROM eval_event WHERE case_id = ?1 AND node = ?2";

int eval_event_of(struct db *db, int64_t ticket_id, int64_t case_id, const char *node,
                  int64_t *event_id)
{
    *event_id = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, ticket_id ? SQL_EVENT_OF_TICKET : SQL_EVENT_OF_CASE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, ticket_id ? ticket_id : case_id);
    if (!ticket_id)
        db_bind_text(st, 2, node);
    rc = db_step(st);
    if (rc == DB_ROW)
        *event_id = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : *event_id ? 0 : ERR_NOTFOUND;
}

int eval_event_get(struct db *db, int64_t id, struct arena *a, struct eval_event *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_ID, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    return one_event(st, a, out);
}

int eval_event_by_token(struct db *db, const char *token, struct arena *a, struct eval_event *out)
{
    if (!eval_token_ok(token))
        return ERR_NOTFOUND;
    char hash[CRYPTO_SHA256_HEX];
    crypto_sha256_hex(token, strlen(token), hash);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_TOKEN, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, hash);
    return one_event(st, a, out);
}

static const char SQL_TOKEN_ID[] = "SELECT id FROM eval_event WHERE token_hash = ?1";

int eval_event_token_id(struct db *db, const char *token, int64_t *id)
{
    *id = 0;
    if (!eval_token_ok(token))
        return ERR_NOTFOUND;
    char hash[CRYPTO_SHA256_HEX];
    crypto_sha256_hex(token, strlen(token), hash);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TOKEN_ID, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, hash);
    rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : *id ? 0 : ERR_NOTFOUND;
}

int eval_event_by_case(struct db *db, const char *number, const char *name, struct arena *a,
                       struct eval_event *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_CASE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, number);
    db_bind_text(st, 2, name);
    return one_event(st, a, out);
}

int eval_event_by_ticket(struct db *db, int64_t window_id, int64_t staff_id, const char *code,
                         const char *day, int64_t since, struct arena *a, struct eval_event *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, window_id ? SQL_EVENT_TICKET_WINDOW : SQL_EVENT_TICKET_STAFF, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, day);
    db_bind_int64(st, 3, window_id ? window_id : staff_id);
    db_bind_int64(st, 4, since);
    return one_event(st, a, out);
}

int eval_event_pending_at(struct db *db, int64_t window_id, int64_t now, int64_t since,
                          struct arena *a, struct eval_event *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_PENDING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    db_bind_int64(st, 2, now - since);
    return one_event(st, a, out);
}

int eval_event_check(const struct eval_event *ev, const struct eval_setting *s, int followup,
                     int64_t now, struct err *e)
{
    if (strcmp(ev->state, "pending") == 0)
        return err_set(
            e, ERR_CONFLICT, "token",
            "not yet valid: the service has not ended, it can be evaluated when it ends");
    if (strcmp(ev->state, "void") == 0)
        return err_set(e, ERR_GONE, "token", "this service was not delivered");
    if (followup) {
        if (!s->followup)
            return err_set(e, ERR_CONFLICT, "followup", "a 追评 is not allowed here");
        if (!ev->first_at)
            return err_set(e, ERR_CONFLICT, "followup",
                           "a 追评 follows an evaluation the citizen gave");
        if (ev->followup_id)
            return err_set(e, ERR_CONFLICT, "token", "this service was already evaluated");
        if (now >= ev->first_at + (int64_t)s->window_days * 86400)
            return err_set(e, ERR_GONE, "token", "the evaluation period of this service has ended");
        return 0;
    }
    if (strcmp(ev->state, "rated") == 0)
        return err_set(e, ERR_CONFLICT, "token", "this service was already evaluated");
    if (strcmp(ev->state, "open") != 0 || now >= ev->expires_at)
        return err_set(e, ERR_GONE, "token", "the evaluation period of this service has ended");
    return 0;
}

/* ---- reasons and indicator sets ---- */

static const struct {
    const char *code, *zh, *en;
} builtin_reasons[] = {
    {"attitude", "服务态度差", "Poor attitude"},
    {"slow", "办理效率低", "Slow handling"},
    {"wait", "等候时间长", "Long wait"},
    {"guide", "办事指南不清楚", "Unclear guide"},
    {"trips", "多次跑动", "Had to come back again"},
    {"notice", "未一次性告知", "Not told everything at once"},
    {"rules", "不按规定办理", "Not handled by the rules"},
    {"integrity", "廉洁问题", "Integrity problem"},
    {"other", "其他", "Other"},
};
#define NBUILTIN_REASONS (sizeof(builtin_reasons) / sizeof(builtin_reasons[0]))

static const struct {
    const char *code, *zh, *en;
} builtin_offline[] =
    {
        {"efficiency", "服务效率", "Efficiency"},
        {"competence", "服务水平", "Competence"},
        {"attitude", "服务态度", "Attitude"},
},
  builtin_online[] = {
      {"efficiency", "办事效率", "Efficiency"},
      {"guide_accuracy", "办事指南精确度", "Guide accuracy"},
      {"convenience", "办事便捷度", "Convenience"},
      {"usability", "平台操作性", "Usability"},
};

static const char SQL_REASONS[] =
    "SELECT id, code, label_zh, label_en, sort, active FROM eval_reason WHERE region_id = ?1"
    " AND (active = 1 OR ?2 = 0) ORDER BY sort, id";
static const char SQL_REASON_ANY[] = "SELECT COUNT(*) FROM eval_reason WHERE region_id = ?1";

int eval_reasons(struct db *db, int64_t region_id, int active_only, struct arena *a,
                 struct eval_reason **items, int *n)
{
    *items = NULL;
    *n = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_REASON_ANY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    int64_t stored = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!stored) {
        *items = arena_alloc(a, sizeof(**items) * NBUILTIN_REASONS);
        if (!*items)
            return ERR_NOMEM;
        for (size_t i = 0; i < NBUILTIN_REASONS; i++) {
            struct eval_reason *r = &(*items)[i];
            r->code = (char *)builtin_reasons[i].code;
            r->label_zh = (char *)builtin_reasons[i].zh;
            r->label_en = (char *)builtin_reasons[i].en;
            r->sort = (int)i;
            r->active = 1;
        }
        *n = (int)NBUILTIN_REASONS;
        return 0;
    }
    *items = arena_alloc(a, sizeof(**items) * (size_t)stored);
    if (!*items)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_REASONS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_int64(st, 2, active_only ? 1 : 0);
    while ((rc = db_step(st)) == DB_ROW && *n < stored) {
        struct eval_reason *r = &(*items)[(*n)++];
        r->id = db_col_int64(st, 0);
        r->code = dup_col(st, 1, a);
        r->label_zh = dup_col(st, 2, a);
        r->label_en = dup_col(st, 3, a);
        r->sort = (int)db_col_int64(st, 4);
        r->active = (int)db_col_int64(st, 5);
        if (!r->code || !r->label_zh || !r->label_en) {
            rc = ERR_NOMEM;
            break;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_SET_CURRENT[] =
    "SELECT id, version, published_at FROM eval_indicator_set WHERE region_id = ?1 AND kind = ?2"
    " AND current = 1 ORDER BY version DESC LIMIT 1";
static const char SQL_SET_ITEMS[] =
    "SELECT pos, code, name_zh, name_en FROM eval_indicator WHERE set_id = ?1 ORDER BY pos";

static void builtin_set(int64_t region_id, const char *kind, struct eval_set *out)
{
    memset(out, 0, sizeof(*out));
    out->region_id = region_id;
    snprintf(out->kind, sizeof(out->kind), "%s", kind);
    out->version = 0;
    int online = strcmp(kind, "online") == 0;
    out->n = online ? 4 : 3;
    for (int i = 0; i < out->n; i++) {
        out->items[i].pos = i + 1;
        out->items[i].code = (char *)(online ? builtin_online[i].code : builtin_offline[i].code);
        out->items[i].name_zh = (char *)(online ? builtin_online[i].zh : builtin_offline[i].zh);
        out->items[i].name_en = (char *)(online ? builtin_online[i].en : builtin_offline[i].en);
    }
}

int eval_set_current(struct db *db, int64_t region_id, const char *kind, struct arena *a,
                     struct eval_set *out)
{
    builtin_set(region_id, kind, out);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_CURRENT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_text(st, 2, kind);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_col_int64(st, 0);
        out->version = (int)db_col_int64(st, 1);
        out->published_at = db_col_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0 || !out->id)
        return rc < 0 ? rc : 0;
    out->n = 0;
    rc = db_prepare(db, SQL_SET_ITEMS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, out->id);
    while ((rc = db_step(st)) == DB_ROW && out->n < EVAL_DIMS_MAX) {
        struct eval_indicator *it = &out->items[out->n++];
        it->pos = (int)db_col_int64(st, 0);
        it->code = dup_col(st, 1, a);
        it->name_zh = dup_col(st, 2, a);
        it->name_en = dup_col(st, 3, a);
        if (!it->code || !it->name_zh || !it->name_en) {
            rc = ERR_NOMEM;
            break;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_SET_ID[] = "SELECT id FROM eval_indicator_set WHERE region_id = ?1"
                                 " AND kind = ?2 AND current = 1 ORDER BY version DESC LIMIT 1";
/* another node may store the region's built-in set at the same moment: the
 * first one stands and both go on with it */
static const char SQL_SET_NEW[] =
    "INSERT INTO eval_indicator_set (region_id, kind, version, current, published_at)"
    " VALUES (?1, ?2, 1, 1, ?3) ON CONFLICT (region_id, kind, version) DO NOTHING RETURNING id";
static const char SQL_ITEM_NEW[] =
    "INSERT INTO eval_indicator (set_id, pos, code, name_zh, name_en) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_REASON_NEW[] =
    "INSERT INTO eval_reason (region_id, code, label_zh, label_en, sort, active, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6) ON CONFLICT (region_id, code) DO NOTHING";

static int store_builtin(struct db *db, int64_t region_id, const char *kind, int64_t now,
                         int64_t *set_id)
{
    struct eval_set s;
    builtin_set(region_id, kind, &s);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_NEW, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_text(st, 2, kind);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    *set_id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!*set_id) { /* stored by another node meanwhile: take it */
        rc = db_prepare(db, SQL_SET_ID, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, region_id);
        db_bind_text(st, 2, kind);
        rc = db_step(st);
        *set_id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        return rc < 0 ? rc : *set_id ? 0 : ERR_DB;
    }
    for (int i = 0; i < s.n && rc >= 0; i++) {
        rc = db_prepare(db, SQL_ITEM_NEW, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, *set_id);
        db_bind_int64(st, 2, s.items[i].pos);
        db_bind_text(st, 3, s.items[i].code);
        db_bind_text(st, 4, s.items[i].name_zh);
        db_bind_text(st, 5, s.items[i].name_en);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0)
        return rc;
    /* the reasons come with the first set a region stores */
    int64_t stored = 0;
    rc = db_prepare(db, SQL_REASON_ANY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    stored = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    for (size_t i = 0; rc >= 0 && !stored && i < NBUILTIN_REASONS; i++) {
        rc = db_prepare(db, SQL_REASON_NEW, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, region_id);
        db_bind_text(st, 2, builtin_reasons[i].code);
        db_bind_text(st, 3, builtin_reasons[i].zh);
        db_bind_text(st, 4, builtin_reasons[i].en);
        db_bind_int64(st, 5, (int64_t)i);
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
    }
    return rc < 0 ? rc : 0;
}

int eval_set_ensure(struct db *db, int64_t region_id, const char *kind, int64_t now,
                    int64_t *set_id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SET_ID, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    db_bind_text(st, 2, kind);
    rc = db_step(st);
    *set_id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    return *set_id ? 0 : store_builtin(db, region_id, kind, now, set_id);
}

/* ---- what taking an evaluation needs of a region, cached ---- */

#define CONF_SLOTS 16
#define CONF_TTL_S 5         /* other nodes' configuration changes show within this */
#define CONF_REASONS_MAX 200 /* as many as a region may keep (eval_config.h) */

struct eval_conf {
    int64_t region_id;
    char kind[8];
    int64_t loaded_at;
    unsigned generation;
    struct eval_setting setting;
    int64_t set_id;
    int ndims;
    char dim_code[EVAL_DIMS_MAX][EVAL_CODE_MAX + 1];
    int dim_pos[EVAL_DIMS_MAX];
    int nreasons;
    char reason[CONF_REASONS_MAX][EVAL_CODE_MAX + 1];
};

static struct eval_conf conf_cache[CONF_SLOTS];
static pthread_mutex_t conf_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint conf_generation;

void eval_conf_changed(void)
{
    atomic_fetch_add(&conf_generation, 1);
}

/* Write transaction: the region's settings, current indicator set (stored
 * on first use) and active reasons; from the cache when fresh. */
static int conf_get(struct db *db, int64_t region, const char *kind, int64_t now,
                    struct eval_conf *out)
{
    unsigned gen = atomic_load(&conf_generation);
    int slot = (int)((uint64_t)region * 2 + (kind[1] == 'n') /* online */) % CONF_SLOTS;
    pthread_mutex_lock(&conf_mu);
    struct eval_conf *c = &conf_cache[slot];
    int hit = c->region_id == region && strcmp(c->kind, kind) == 0 && c->generation == gen &&
              now >= c->loaded_at && now - c->loaded_at < CONF_TTL_S;
    if (hit)
        *out = *c;
    pthread_mutex_unlock(&conf_mu);
    if (hit)
        return 0;
    memset(out, 0, sizeof(*out));
    out->region_id = region;
    snprintf(out->kind, sizeof(out->kind), "%s", kind);
    out->loaded_at = now;
    out->generation = gen;
    int created = 0;
    int rc = eval_setting_get(db, region, &out->setting);
    if (rc == 0)
        rc = eval_set_ensure(db, region, kind, now, &out->set_id);
    if (rc == 0 && out->set_id == 0)
        rc = ERR_DB;
    struct arena a = {0};
    struct eval_set set;
    if (rc == 0)
        rc = eval_set_current(db, region, kind, &a, &set);
    if (rc == 0) {
        created = set.published_at == now; /* stored by this transaction: not cacheable */
        for (int i = 0; i < set.n; i++) {
            snprintf(out->dim_code[i], sizeof(out->dim_code[i]), "%s", set.items[i].code);
            out->dim_pos[i] = set.items[i].pos;
        }
        out->ndims = set.n;
    }
    struct eval_reason *rs = NULL;
    int n = 0;
    if (rc == 0)
        rc = eval_reasons(db, region, 1, &a, &rs, &n);
    for (int i = 0; rc == 0 && i < n && i < CONF_REASONS_MAX; i++)
        snprintf(out->reason[out->nreasons++], sizeof(out->reason[0]), "%s", rs[i].code);
    arena_reset(&a);
    if (rc < 0 || created)
        return rc;
    pthread_mutex_lock(&conf_mu);
    conf_cache[slot] = *out;
    pthread_mutex_unlock(&conf_mu);
    return 0;
}

/* The event as taking an evaluation needs it, in read_event's columns: no
 * names (no joins but the case's inquiry channel, the indicator set's kind). */
#define EVENT_LEAN_SQL                                                                             \
    "SELECT e.id, e.source, e.node, e.state, COALESCE(e.ticket_id, 0), COALESCE(e.case_id, 0),"    \
    " e.region_id, COALESCE(e.hall_id, 0), COALESCE(e.unit_id, 0), COALESCE(e.window_id, 0),"      \
    " COALESCE(e.staff_id, 0), COALESCE(e.item_id, 0), COALESCE(e.version_id, 0),"                 \
    " COALESCE(e.node_path, ''), e.item_code, e.item_name, COALESCE(e.ended_ip, ''), '', '', '',"  \
    " '', '', e.created_at, COALESCE(e.ended_at, 0), COALESCE(e.expires_at, 0),"                   \
    " COALESCE(e.evaluation_id, 0), COALESCE(e.followup_id, 0), CASE WHEN e.evaluation_id IS NULL" \
    " THEN 0 ELSE COALESCE((SELECT v.created_at FROM evaluation v WHERE v.id = e.evaluation_id"    \
    " AND v.defaulted = 0), 0) END,"                                                               \
    " CASE WHEN e.case_id IS NULL THEN 'offline' WHEN EXISTS (SELECT 1 FROM case_file c"           \
    " JOIN inquiry q ON q.id = c.inquiry_id WHERE c.id = e.case_id AND q.channel = 'online')"      \
    " THEN 'online' ELSE 'offline' END FROM eval_event e WHERE e.id = ?1"
static const char SQL_EVENT_LEAN[] = EVENT_LEAN_SQL;
/* PostgreSQL: the event is locked first, before the chain's head, in the
 * order every writer of evaluations takes them (a sweep closing it skips it) */
static const char SQL_EVENT_LEAN_PG[] = EVENT_LEAN_SQL " FOR UPDATE OF e";

static int event_lean(struct db *db, int64_t id, struct arena *a, struct eval_event *ev)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, db_kind(db) == DB_PG ? SQL_EVENT_LEAN_PG : SQL_EVENT_LEAN, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    return one_event(st, a, ev);
}

/* ---- taking an evaluation ---- */

/* reasons → a JSON array text in a; ERR_INVALID naming the field. Codes
 * are [a-z0-9_] (checked where the list is kept), so they need no escaping. */
static int check_reasons(const struct eval_conf *c, const struct eval_input *in, int bad,
                         struct arena *a, char **json, struct err *e)
{
    if (in->nreasons > EVAL_REASONS_MAX)
        return err_set(e, ERR_INVALID, "reasons", "at most %d reasons", EVAL_REASONS_MAX);
    if (!bad && in->nreasons > 0)
        return err_set(e, ERR_INVALID, "reasons",
                       "reasons are given only with a 差评 (level 1 or 2)");
    if (bad && in->nreasons == 0)
        return err_set(e, ERR_INVALID, "reasons",
                       "a 差评 (level 1 or 2) needs at least one reason");
    char buf[EVAL_REASONS_MAX * (EVAL_CODE_MAX + 3) + 3];
    size_t len = 0;
    buf[len++] = '[';
    for (int i = 0; i < in->nreasons; i++) {
        char field[24];
        snprintf(field, sizeof(field), "reasons[%d]", i);
        const char *code = in->reasons[i];
        for (int j = 0; j < i; j++)
            if (strcmp(in->reasons[j], code) == 0)
                return err_set(e, ERR_INVALID, field, "%s repeats a reason", field);
        int known = 0;
        for (int k = 0; k < c->nreasons && !known; k++)
            known = strcmp(c->reason[k], code) == 0;
        if (!known)
            return err_set(e, ERR_INVALID, field, "%s is not a reason of this hall's list", field);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\"%s\"", i ? "," : "", code);
    }
    buf[len++] = ']';
    buf[len] = '\0';
    *json = arena_strdup(a, buf);
    return *json ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* dims → a JSON object text (keys in the set's order) and the sums by
 * position in d; all of the set or none */
static int check_dims(const struct eval_conf *c, const struct eval_input *in, struct arena *a,
                      char **json, struct eval_delta *d, struct err *e)
{
    *json = "{}";
    if (in->ndims == 0)
        return 0;
    if (in->ndims != c->ndims)
        return err_set(e, ERR_INVALID, "dims",
                       "dims must score every indicator of the current set (%d) or none", c->ndims);
    int score[EVAL_DIMS_MAX] = {0};
    for (int i = 0; i < in->ndims; i++) {
        int k = -1;
        for (int j = 0; j < c->ndims; j++)
            if (strcmp(c->dim_code[j], in->dim_codes[i]) == 0)
                k = j;
        if (k < 0)
            return err_set(e, ERR_INVALID, "dims", "dims.%.32s is not an indicator of the set",
                           in->dim_codes[i]);
        if (score[k])
            return err_set(e, ERR_INVALID, "dims", "dims names an indicator twice");
        if (in->dim_scores[i] < 1 || in->dim_scores[i] > 5)
            return err_set(e, ERR_INVALID, "dims", "dims scores must be 1-5");
        score[k] = in->dim_scores[i];
    }
    char buf[EVAL_DIMS_MAX * (EVAL_CODE_MAX + 6) + 3];
    size_t len = 0;
    buf[len++] = '{';
    for (int j = 0; j < c->ndims; j++) {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\"%s\":%d", j ? "," : "",
                                c->dim_code[j], score[j]);
        int pos = c->dim_pos[j];
        if (pos >= 1 && pos <= EVAL_DIMS_MAX)
            d->dim[pos - 1] = score[j];
    }
    buf[len++] = '}';
    buf[len] = '\0';
    *json = arena_strdup(a, buf);
    if (!*json)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    d->dim_n = 1;
    return 0;
}

int eval_channel_known(const char *c)
{
    static const char *const all[] = {"tablet",  "qr",    "web", "window_qr", "staff_qr",
                                      "hotline", "paper", "sms", "system"};
    for (size_t i = 0; c && i < sizeof(all) / sizeof(all[0]); i++)
        if (strcmp(c, all[i]) == 0)
            return 1;
    return 0;
}

static int channel_ok(const char *c)
{
    static const char *const names[] = {"tablet",   "qr",      "web",   "window_qr",
                                        "staff_qr", "hotline", "paper", "sms"};
    for (size_t i = 0; c && i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(c, names[i]) == 0)
            return 1;
    return 0;
}

struct identity {
    char phone_enc[PII_ENC_MAX], phone_hash[PII_HASH_HEX], phone_mask[PII_MASK_MAX];
    char id_enc[PII_ENC_MAX], id_mask[PII_MASK_MAX];
    int has_phone, has_id;
};

static int check_identity(const struct eval_input *in, struct identity *id, struct err *e)
{
    memset(id, 0, sizeof(*id));
    if (in->name && *in->name && parse_text(in->name, 1, 40, 0) < 0)
        return err_set(e, ERR_INVALID, "evaluator.name",
                       "evaluator.name must have 1-40 characters");
    if (in->phone && *in->phone) {
        char norm[PII_PHONE_MAX + 1];
        if (pii_phone_ok(in->phone, norm) < 0)
            return err_set(e, ERR_INVALID, "evaluator.phone",
                           "evaluator.phone must be a mainland mobile or landline number");
        if (pii_encrypt(norm, id->phone_enc) < 0 || pii_hash(norm, id->phone_hash) < 0)
            return err_set(e, ERR_UNAVAILABLE, NULL, "the data key is not loaded");
        pii_mask_phone(norm, id->phone_mask);
        crypto_wipe(norm, sizeof(norm));
        id->has_phone = 1;
    }
    if (in->id_number && *in->id_number) {
        char norm[PII_ID_LEN + 1];
        if (pii_id_ok(in->id_number, norm) < 0)
            return err_set(e, ERR_INVALID, "evaluator.id_number",
                           "evaluator.id_number must be an 18-character ID number");
        if (pii_encrypt(norm, id->id_enc) < 0)
            return err_set(e, ERR_UNAVAILABLE, NULL, "the data key is not loaded");
        pii_mask_id(norm, id->id_mask);
        crypto_wipe(norm, sizeof(norm));
        id->has_id = 1;
    }
    return 0;
}

static const char SQL_RATED[] = "UPDATE eval_event SET state = 'rated', evaluation_id = ?2"
                                " WHERE id = ?1 AND state = 'open' RETURNING id";
static const char SQL_FOLLOWED[] = "UPDATE eval_event SET followup_id = ?2"
                                   " WHERE id = ?1 AND followup_id IS NULL RETURNING id";
static const char SQL_FLAG[] =
    "INSERT INTO eval_flag (kind, evaluation_id, region_id, node_path, staff_id, evidence,"
    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (evaluation_id, kind) DO NOTHING";

/* A public evaluation from the address that ended the service, seconds
 * after it ended: flag it (never refuse it). */
static int flag_fast(struct db *db, const struct eval_event *ev, const struct eval_rec *r,
                     const struct eval_setting *s, int64_t now)
{
    if (!ev->ended_ip || !*ev->ended_ip || !r->ip || !*r->ip || strcmp(ev->ended_ip, r->ip) != 0)
        return 0;
    if (now - ev->ended_at > s->fast_s)
        return 0;
    if (strcmp(r->channel, "tablet") == 0 || strcmp(r->channel, "hotline") == 0 ||
        strcmp(r->channel, "paper") == 0)
        return 0;
    char evidence[256];
    snprintf(evidence, sizeof(evidence),
             "{\"rule\":\"fast_console\",\"ended_at\":%" PRId64 ",\"evaluated_at\":%" PRId64
             ",\"seconds\":%" PRId64 ",\"same_address_as_console\":true,\"fast_s\":%d}",
             ev->ended_at, now, now - ev->ended_at, s->fast_s);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FLAG, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, "fast_console");
    db_bind_int64(st, 2, r->id);
    db_bind_int64(st, 3, r->region_id);
    db_bind_text(st, 4, *ev->node_path ? ev->node_path : "/");
    bind_opt(st, 5, r->staff_id);
    db_bind_text(st, 6, evidence);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int db_fail(struct err *e, int rc)
{
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "token", "this service was already evaluated");
    return err_set(e, rc, NULL, "database error");
}

int eval_submit(struct db *db, const struct actor *who, int64_t ev_id, const struct eval_input *in,
                int64_t now, struct arena *a, struct eval_rec *out, struct err *e)
{
    struct eval_event ev = {0};
    int rc = event_lean(db, ev_id, a, &ev);
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, "token", "no such service to evaluate");
    if (rc < 0)
        return db_fail(e, rc);
    struct eval_conf conf;
    rc = conf_get(db, ev.region_id, ev.kind, now, &conf);
    if (rc < 0)
        return db_fail(e, rc);
    const struct eval_setting *sp = &conf.setting;
    rc = eval_event_check(&ev, sp, in->followup, now, e);
    if (rc < 0)
        return rc;
    if (who->staff_id && who->staff_id == ev.staff_id)
        return err_set(e, ERR_FORBIDDEN, "staff_id", "you cannot evaluate a service you delivered");
    if (in->level < 1 || in->level > 5)
        return err_set(e, ERR_INVALID, "level", "level must be 1-5");
    if (!channel_ok(in->channel))
        return err_set(e, ERR_INVALID, "channel", "channel must be one of " EVAL_CHANNELS);
    const char *text = in->text ? in->text : "";
    if (*text && parse_text(text, 1, EVAL_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "text", "text must have at most %d characters",
                       EVAL_TEXT_MAX);
    const char *device = in->device ? in->device : "";
    if (*device && parse_text(device, 1, 64, 0) < 0)
        return err_set(e, ERR_INVALID, "device", "device must have 1-64 characters");
    struct identity id;
    rc = check_identity(in, &id, e);
    if (rc < 0)
        return rc;
    struct eval_delta d = {0};
    char *reasons = NULL, *dims = NULL;
    int bad = in->level <= 2;
    rc = check_reasons(&conf, in, bad, a, &reasons, e);
    if (rc == 0)
        rc = check_dims(&conf, in, a, &dims, &d, e);
    if (rc < 0)
        return rc;

    char tablet[32] = "";
    if (in->device_id)
        snprintf(tablet, sizeof(tablet), "tablet:%" PRId64, in->device_id);
    struct eval_rec r = {
        .event_id = ev.id,
        .level = in->level,
        .bad = bad,
        .reasons = reasons,
        .text = (char *)text,
        .set_id = conf.set_id,
        .dims = dims,
        .device_id = in->device_id,
        .device = in->device_id ? tablet : (char *)device,
        .ip = (char *)(in->ip ? in->ip : ""),
        .entered_by = in->entered_by,
        .evaluator_name = (char *)(in->name ? in->name : ""),
        .phone_mask = id.phone_mask,
        .id_mask = id.id_mask,
        .region_id = ev.region_id,
        .hall_id = ev.hall_id,
        .unit_id = ev.unit_id,
        .window_id = ev.window_id,
        .staff_id = ev.staff_id,
        .item_id = ev.item_id,
        .version_id = ev.version_id,
        .created_at = now,
    };
    snprintf(r.kind, sizeof(r.kind), "%s", in->followup ? "followup" : "first");
    snprintf(r.channel, sizeof(r.channel), "%s", in->channel);
    eval_day(ev.ended_at, r.day);
    rc = eval_append(db, &r, id.has_phone ? id.phone_enc : NULL,
                     id.has_phone ? id.phone_hash : NULL, id.has_id ? id.id_enc : NULL, a);
    if (rc < 0)
        return db_fail(e, rc);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, in->followup ? SQL_FOLLOWED : SQL_RATED, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, ev.id);
    db_bind_int64(st, 2, r.id);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    if (rc != DB_ROW) /* another submission got there between our read and our write */
        return err_set(e, ERR_CONFLICT, "token", "this service was already evaluated");
    if (!in->followup) {
        d.n[in->level - 1] = 1;
        d.active = 1;
        d.active_good = in->level >= 4;
        d.bad = bad;
        struct eval_key k = {r.day, ev.window_id, ev.staff_id, ev.item_id, r.channel, conf.set_id};
        rc = eval_rollup_add(db, &k, &d);
        if (rc < 0)
            return db_fail(e, rc);
        /* a first 差评 opens its work order in this transaction (badreview.h) */
        if (bad && (rc = badreview_open(db, &r, now, e)) < 0)
            return rc;
    }
    rc = flag_fast(db, &ev, &r, sp, now);
    if (rc < 0)
        return db_fail(e, rc);
    r.item_name = ev.item_name;
    r.item_code = ev.item_code;
    r.window_name = ev.window_name;
    r.node_path = ev.node_path;
    *out = r;
    return 0;
}

/* ---- closing the window ---- */

#define EXPIRED_SQL                                                                                \
    "SELECT e.id, e.region_id, COALESCE(e.window_id, 0), COALESCE(e.staff_id, 0),"                 \
    " COALESCE(e.item_id, 0), e.ended_at FROM eval_event e"                                        \
    " WHERE e.state = 'open' AND e.expires_at <= ?1 ORDER BY e.expires_at LIMIT ?2"
static const char SQL_EXPIRED[] = EXPIRED_SQL;
/* PostgreSQL, several nodes: leave the events another node's sweep (or an
 * evaluation being taken) holds, rather than wait behind its batch */
static const char SQL_EXPIRED_PG[] = EXPIRED_SQL " FOR UPDATE OF e SKIP LOCKED";
static const char SQL_CLOSE[] =
    "UPDATE eval_event SET state = ?2 WHERE id = ?1 AND state = 'open' RETURNING id";
static const char SQL_DEFAULTED[] = "UPDATE eval_event SET evaluation_id = ?2 WHERE id = ?1";

struct expired {
    int64_t id, region, window, staff, item, ended_at;
};

/* The defaulted evaluation of an event closed unrated (chained like any). */
static int append_default(struct db *db, const struct expired *x, int level, const char *day,
                          int64_t now)
{
    struct arena a = {0};
    struct eval_event ev = {0};
    int rc = eval_event_get(db, x->id, &a, &ev);
    struct eval_rec r = {
        .event_id = x->id,
        .level = level,
        .bad = 0, /* nobody gave it: never a 差评 to follow up */
        .defaulted = 1,
        .reasons = "[]",
        .text = "",
        .dims = "{}",
        .device = "",
        .ip = "",
        .evaluator_name = "",
        .phone_mask = "",
        .id_mask = "",
        .region_id = x->region,
        .created_at = now,
    };
    if (rc == 0) {
        r.hall_id = ev.hall_id;
        r.unit_id = ev.unit_id;
        r.window_id = ev.window_id;
        r.staff_id = ev.staff_id;
        r.item_id = ev.item_id;
        r.version_id = ev.version_id;
        snprintf(r.kind, sizeof(r.kind), "first");
        snprintf(r.channel, sizeof(r.channel), "system");
        snprintf(r.day, sizeof(r.day), "%s", day);
        rc = eval_append(db, &r, NULL, NULL, NULL, &a);
    }
    struct db_stmt *st = NULL;
    if (rc >= 0)
        rc = db_prepare(db, SQL_DEFAULTED, &st);
    if (rc >= 0) {
        db_bind_int64(st, 1, x->id);
        db_bind_int64(st, 2, r.id);
        rc = db_step(st);
        db_finalize(st);
    }
    arena_reset(&a);
    return rc < 0 ? rc : 0;
}

static int close_one(struct db *db, const struct expired *x, int64_t now, int *closed)
{
    struct eval_setting s;
    int rc = eval_setting_get(db, x->region, &s);
    if (rc < 0)
        return rc;
    int deflt = strcmp(s.unrated_mode, "default") == 0;
    /* claim it first: another node's sweep may be closing it too */
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_CLOSE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, x->id);
    db_bind_text(st, 2, deflt ? "defaulted" : "unrated");
    rc = db_step(st);
    db_finalize(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    char day[DATE_TEXT];
    eval_day(x->ended_at, day);
    struct eval_delta d = {0};
    if (deflt) {
        rc = append_default(db, x, s.default_level, day, now);
        if (rc < 0)
            return rc;
        d.n[s.default_level - 1] = 1;
        d.defaulted = 1;
    } else {
        d.unrated = 1;
    }
    struct eval_key k = {day, x->window, x->staff, x->item, "system", 0};
    rc = eval_rollup_add(db, &k, &d);
    if (rc >= 0)
        (*closed)++;
    return rc < 0 ? rc : 0;
}

int eval_expire(struct db *db, int64_t now, int limit, int *closed)
{
    *closed = 0;
    if (limit < 1)
        return 0;
    struct expired *xs = calloc((size_t)limit, sizeof(*xs));
    if (!xs)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int n = 0;
    int rc = db_prepare(db, db_kind(db) == DB_PG ? SQL_EXPIRED_PG : SQL_EXPIRED, &st);
    if (rc >= 0) {
        db_bind_int64(st, 1, now);
        db_bind_int64(st, 2, limit);
        while ((rc = db_step(st)) == DB_ROW && n < limit) {
            xs[n] = (struct expired){db_col_int64(st, 0), db_col_int64(st, 1), db_col_int64(st, 2),
                                     db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5)};
            n++;
        }
        db_finalize(st);
    }
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = close_one(db, &xs[i], now, closed);
    free(xs);
    return rc < 0 ? rc : 0;
}

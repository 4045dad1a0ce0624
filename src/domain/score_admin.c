/* score_admin.c - scorecards and their versions, manual score events
 * (score.h, docs/api.md "Scorecards 量化考核"). Writes run inside the
 * writer's transaction; every change is audited. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/score_impl.h"

/* "month,quarter,year" in that order from any subset; 0 or ERR_INVALID. */
int score_periods_norm(const char *in, char out[32])
{
    static const char *const kinds[] = {"month", "quarter", "year"};
    int seen[3] = {0};
    const char *p = in;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int k = -1;
        for (int i = 0; i < 3; i++)
            if (strlen(kinds[i]) == n && strncmp(p, kinds[i], n) == 0)
                k = i;
        if (k < 0 || seen[k])
            return ERR_INVALID;
        seen[k] = 1;
        p += n;
        if (comma)
            p++;
    }
    out[0] = 0;
    size_t k = 0;
    for (int i = 0; i < 3; i++)
        if (seen[i])
            k += (size_t)snprintf(out + k, 32 - k, "%s%s", k ? "," : "", kinds[i]);
    return out[0] ? 0 : ERR_INVALID;
}

static const char SQL_CARD_ACTIVE_ON[] =
    "SELECT id FROM score_card WHERE node_id = ?1 AND subject = ?2 AND active = 1";
static const char SQL_CARD_INSERT[] =
    "INSERT INTO score_card (node_id, subject, name, periods, active, created_by, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6) RETURNING id";
static const char SQL_VERSION_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM score_card_version WHERE card_id = ?1";
static const char SQL_VERSION_INSERT[] =
    "INSERT INTO score_card_version (card_id, version, def, note, created_by, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
static const char SQL_CARD_SET_VERSION[] =
    "UPDATE score_card SET version_id = ?2, name = ?3, periods = ?4, updated_at = ?5"
    " WHERE id = ?1";

static void bind_staff(struct db_stmt *st, int idx, const struct actor *who)
{
    if (who->staff_id)
        db_bind_int64(st, idx, who->staff_id);
    else
        db_bind_null(st, idx);
}

static int add_version(struct db *db, const struct actor *who, int64_t card_id, const char *def,
                       const char *note, const char *name, const char *periods, int64_t now,
                       int *version)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_VERSION_NEXT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    rc = db_step(st);
    *version = rc == DB_ROW ? (int)db_col_int64(st, 0) : 1;
    db_finalize(st);
    if (rc < 0 || (rc = db_prepare(db, SQL_VERSION_INSERT, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_int64(st, 2, *version);
    db_bind_text(st, 3, def);
    db_bind_text(st, 4, note ? note : "");
    bind_staff(st, 5, who);
    db_bind_int64(st, 6, now);
    rc = db_step(st);
    int64_t vid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = db_prepare(db, SQL_CARD_SET_VERSION, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_int64(st, 2, vid);
    db_bind_text(st, 3, name);
    db_bind_text(st, 4, periods);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The def as stored: re-serialised compactly with sorted keys. */
static char *def_canonical(const char *def)
{
    json_t *j = json_loads(def, 0, NULL);
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

static int check_def(const struct score_card_input *in, const char *subject, char periods[32],
                     struct err *e)
{
    struct score_def *def = malloc(sizeof(*def));
    if (!def)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int rc = score_def_parse(in->def, subject, def, e);
    free(def);
    if (rc < 0)
        return rc;
    if (in->name && parse_text(in->name, 1, SCORE_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must be 1-%d characters", SCORE_NAME_MAX);
    if (in->note && parse_text(in->note, 0, 500, 1) < 0)
        return err_set(e, ERR_INVALID, "note", "note must be at most 500 characters");
    if (in->periods && score_periods_norm(in->periods, periods) < 0)
        return err_set(e, ERR_INVALID, "periods",
                       "periods must list month, quarter and/or year, each once");
    return 0;
}

int score_card_create(struct db *db, const struct actor *who, const struct score_card_input *in,
                      int64_t now, int64_t *id, struct err *e)
{
    struct org_node n;
    int rc = org_get(db, in->node_id, &n);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (!actor_in_scope(who, n.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the node is outside your scope");
    if (strcmp(n.kind, "window") == 0)
        return err_set(e, ERR_INVALID, "node_id", "a scorecard belongs to a region, unit or hall");
    if (!in->subject || (strcmp(in->subject, "window") != 0 && strcmp(in->subject, "staff") != 0))
        return err_set(e, ERR_INVALID, "subject", "subject must be window or staff");
    if (!in->name)
        return err_set(e, ERR_INVALID, "name", "name is required");
    char periods[32];
    if (!in->periods)
        snprintf(periods, sizeof(periods), "month");
    if ((rc = check_def(in, in->subject, periods, e)) < 0)
        return rc;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_CARD_ACTIVE_ON, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, in->node_id);
    db_bind_text(st, 2, in->subject);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc == DB_ROW)
        return err_set(e, ERR_CONFLICT, "node_id",
                       "the node already has an active %s scorecard; add a version to it",
                       in->subject);
    char *def = def_canonical(in->def);
    if (!def)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    if ((rc = db_prepare(db, SQL_CARD_INSERT, &st)) < 0)
        goto dberr;
    db_bind_int64(st, 1, in->node_id);
    db_bind_text(st, 2, in->subject);
    db_bind_text(st, 3, in->name);
    db_bind_text(st, 4, periods);
    bind_staff(st, 5, who);
    db_bind_int64(st, 6, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        goto dberr;
    int version = 0;
    if ((rc = add_version(db, who, *id, def, in->note, in->name, periods, now, &version)) < 0)
        goto dberr;
    rc = audit_append(db, who, "score.card_create", "score_card", *id, in->node_id, NULL,
                      json_pack("{s:s,s:s,s:s,s:i}", "subject", in->subject, "name", in->name,
                                "periods", periods, "version", version));
    if (rc < 0 || (rc = score_refresh_card(db, *id, now)) < 0)
        goto dberr;
    free(def);
    return 0;
dberr:
    free(def);
    return err_set(e, rc, NULL, "database error");
}

int score_card_version(struct db *db, const struct actor *who, int64_t card_id,
                       const struct score_card_input *in, int64_t now, struct err *e)
{
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int rc = score_card_get(db, card_id, 0, c);
    if (rc < 0) {
        free(c);
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
    }
    char periods[32], name[SCORE_NAME_MAX * 4], subject[8];
    snprintf(periods, sizeof(periods), "%s", c->periods);
    snprintf(name, sizeof(name), "%s", in->name ? in->name : c->name);
    snprintf(subject, sizeof(subject), "%s", c->subject);
    int in_scope = actor_in_scope(who, c->path), active = c->active;
    int64_t node_id = c->node_id;
    score_card_free(c);
    free(c);
    if (!in_scope)
        return err_set(e, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope");
    if (!active)
        return err_set(e, ERR_CONFLICT, "state", "the scorecard is no longer active");
    if ((rc = check_def(in, subject, periods, e)) < 0)
        return rc;
    char *def = def_canonical(in->def);
    if (!def)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int version = 0;
    rc = add_version(db, who, card_id, def, in->note, name, periods, now, &version);
    free(def);
    if (rc == 0)
        rc = audit_append(
            db, who, "score.card_version", "score_card", card_id, node_id, NULL,
            json_pack("{s:i,s:s,s:s}", "version", version, "name", name, "periods", periods));
    if (rc == 0)
        rc = score_refresh_card(db, card_id, now);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_CARD_OFF[] =
    "UPDATE score_card SET active = 0, updated_at = ?2 WHERE id = ?1 AND active = 1"
    " RETURNING node_id";
static const char SQL_CARD_PATH[] =
    "SELECT n.path FROM score_card c JOIN org_node n ON n.id = c.node_id WHERE c.id = ?1";

int score_card_deactivate(struct db *db, const struct actor *who, int64_t card_id, int64_t now,
                          struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARD_PATH, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, card_id);
    rc = db_step(st);
    int ok = rc == DB_ROW && actor_in_scope(who, db_col_text(st, 0));
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, NULL, "no such scorecard");
    if (!ok)
        return err_set(e, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope");
    if ((rc = db_prepare(db, SQL_CARD_OFF, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, card_id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    int64_t node_id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_CONFLICT, "state", "the scorecard is not active");
    rc = audit_append(db, who, "score.card_deactivate", "score_card", card_id, node_id, NULL, NULL);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* ---- manual events ---- */

static const char SQL_SUBJECT_WINDOW[] =
    "SELECT path FROM org_node WHERE id = ?1 AND kind = 'window' AND active = 1";
static const char SQL_SUBJECT_STAFF[] =
    "SELECT n.path FROM staff s JOIN org_node n ON n.id = s.node_id"
    " WHERE s.id = ?1 AND s.active = 1";

static int subject_path(struct db *db, const char *kind, int64_t id, char path[ACTOR_PATH_MAX])
{
    struct db_stmt *st = NULL;
    int rc =
        db_prepare(db, strcmp(kind, "window") == 0 ? SQL_SUBJECT_WINDOW : SQL_SUBJECT_STAFF, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        snprintf(path, ACTOR_PATH_MAX, "%s", db_col_text(st, 0));
    db_finalize(st);
    return rc < 0 ? rc : rc == DB_ROW ? 0 : ERR_NOTFOUND;
}

/* ERR_CONFLICT when `day` lies in a closed period of the card. */
static int day_open(struct db *db, const struct score_card_full *c, const char *day, struct err *e)
{
    static const char *const kinds[] = {"month", "quarter", "year"};
    for (int k = 0; k < 3; k++) {
        if (!strstr(c->periods, kinds[k]))
            continue;
        char period[16];
        int closed = 0;
        if (score_period_of(kinds[k], day, period) < 0)
            return err_set(e, ERR_INVALID, "day", "day must be YYYY-MM-DD");
        int rc = score_period_closed(db, c->id, period, &closed);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (closed)
            return err_set(e, ERR_CONFLICT, "day", "the period %s is closed", period);
    }
    return 0;
}

static const char SQL_EVENT_INSERT[] =
    "INSERT INTO score_event (kind, subject_id, subject_path, type, day, month, qty, evidence,"
    " ref, state, entered_by, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?11) RETURNING id";

int score_event_create(struct db *db, const struct actor *who, const struct score_event_input *in,
                       int64_t now, int64_t *id, struct err *e)
{
    if (!in->kind || (strcmp(in->kind, "window") != 0 && strcmp(in->kind, "staff") != 0))
        return err_set(e, ERR_INVALID, "kind", "kind must be window or staff");
    if (!in->evidence || parse_text(in->evidence, 1, SCORE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "evidence",
                       "evidence is required (1-%d characters): what happened and where it is "
                       "recorded",
                       SCORE_TEXT_MAX);
    if (in->qty < 1 || in->qty > 1000)
        return err_set(e, ERR_INVALID, "qty", "qty must be 1-1000");
    if (in->ref && parse_text(in->ref, 0, 200, 0) < 0)
        return err_set(e, ERR_INVALID, "ref", "ref must be at most 200 characters");
    int32_t d;
    char today[DATE_TEXT];
    queue_service_day(now, today);
    if (!in->day || date_parse(in->day, &d) < 0)
        return err_set(e, ERR_INVALID, "day", "day must be YYYY-MM-DD");
    if (strcmp(in->day, today) > 0)
        return err_set(e, ERR_INVALID, "day", "day must not be after today");
    char path[ACTOR_PATH_MAX];
    int rc = subject_path(db, in->kind, in->subject_id, path);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "subject_id", "no such active %s", in->kind);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (!actor_in_scope(who, path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the subject is outside your scope");
    int64_t card_id = 0;
    if ((rc = score_card_for(db, in->kind, path, &card_id)) < 0)
        return err_set(e, rc, NULL, "database error");
    if (!card_id)
        return err_set(e, ERR_INVALID, "subject_id", "no scorecard applies to this %s", in->kind);
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    if ((rc = score_card_get(db, card_id, 0, c)) < 0) {
        free(c);
        return err_set(e, rc, NULL, "database error");
    }
    int declared = 0;
    for (int i = 0; i < c->def.nevents; i++)
        declared |= in->type && strcmp(c->def.event[i].code, in->type) == 0;
    if (!declared)
        rc = err_set(e, ERR_INVALID, "type", "the scorecard '%s' has no event type '%s'", c->name,
                     in->type ? in->type : "");
    else
        rc = day_open(db, c, in->day, e);
    score_card_free(c);
    free(c);
    if (rc < 0)
        return rc;
    char month[8];
    snprintf(month, sizeof(month), "%.7s", in->day);
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_EVENT_INSERT, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, in->kind);
    db_bind_int64(st, 2, in->subject_id);
    db_bind_text(st, 3, path);
    db_bind_text(st, 4, in->type);
    db_bind_text(st, 5, in->day);
    db_bind_text(st, 6, month);
    db_bind_int64(st, 7, in->qty);
    db_bind_text(st, 8, in->evidence);
    db_bind_text(st, 9, in->ref ? in->ref : "");
    bind_staff(st, 10, who);
    db_bind_int64(st, 11, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "score.event", "score_event", *id, 0, NULL,
                      json_pack("{s:s,s:I,s:s,s:s,s:I}", "kind", in->kind, "subject_id",
                                (json_int_t)in->subject_id, "type", in->type, "day", in->day, "qty",
                                (json_int_t)in->qty));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_EVENT_GET[] =
    "SELECT kind, subject_id, subject_path, state, entered_by, day FROM score_event WHERE id = ?1";
static const char SQL_EVENT_CONFIRM[] =
    "UPDATE score_event SET state = 'confirmed', confirmed_by = ?2, confirmed_at = ?3,"
    " updated_at = ?3 WHERE id = ?1 AND state = 'pending' RETURNING id";
static const char SQL_EVENT_VOID[] =
    "UPDATE score_event SET state = 'void', void_reason = ?2, updated_at = ?3"
    " WHERE id = ?1 AND state <> 'void' RETURNING id";
static const char SQL_TOUCH_CHIEFS[] =
    "INSERT INTO score_dirty (kind, subject_id, month) SELECT 'staff', staff_id, ?2"
    " FROM window_assignment WHERE window_id = ?1 AND is_chief = 1 AND ended_at IS NULL"
    " ON CONFLICT (kind, subject_id, month) DO NOTHING";

/* decide: 1 confirm, 0 void */
static int event_decide(struct db *db, const struct actor *who, int64_t id, int confirm,
                        const char *reason, int64_t now, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EVENT_GET, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    char kind[8] = "", path[ACTOR_PATH_MAX] = "", state[12] = "", day[DATE_TEXT] = "";
    int64_t subject = 0, entered_by = 0;
    if (rc == DB_ROW) {
        snprintf(kind, sizeof(kind), "%s", db_col_text(st, 0));
        subject = db_col_int64(st, 1);
        snprintf(path, sizeof(path), "%s", db_col_text(st, 2));
        snprintf(state, sizeof(state), "%s", db_col_text(st, 3));
        entered_by = db_col_int64(st, 4);
        snprintf(day, sizeof(day), "%s", db_col_text(st, 5));
    }
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, NULL, "no such score event");
    if (!actor_in_scope(who, path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the score event is outside your scope");
    if (confirm && who->staff_id && who->staff_id == entered_by)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "a score event is confirmed by someone other than who entered it");
    if (confirm && strcmp(state, "pending") != 0)
        return err_set(e, ERR_CONFLICT, "state", "the score event is %s, not pending", state);
    if (!confirm && strcmp(state, "void") == 0)
        return err_set(e, ERR_CONFLICT, "state", "the score event is already void");
    int64_t card_id = 0;
    if ((rc = score_card_for(db, kind, path, &card_id)) < 0)
        return err_set(e, rc, NULL, "database error");
    if (card_id) {
        struct score_card_full *c = malloc(sizeof(*c));
        if (!c)
            return err_set(e, ERR_NOMEM, NULL, "out of memory");
        if ((rc = score_card_get(db, card_id, 0, c)) < 0) {
            free(c);
            return err_set(e, rc, NULL, "database error");
        }
        rc = day_open(db, c, day, e);
        score_card_free(c);
        free(c);
        if (rc < 0)
            return rc;
    }
    if ((rc = db_prepare(db, confirm ? SQL_EVENT_CONFIRM : SQL_EVENT_VOID, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    if (confirm) {
        if (who->staff_id)
            db_bind_int64(st, 2, who->staff_id);
        else
            db_bind_null(st, 2);
    } else {
        db_bind_text(st, 2, reason);
    }
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_CONFLICT, "state", "the score event changed meanwhile");
    if (confirm || strcmp(state, "confirmed") == 0) {
        if ((rc = score_touch_day(db, kind, subject, day)) < 0)
            return err_set(e, rc, NULL, "database error");
        if (strcmp(kind, "window") == 0) {
            if ((rc = db_prepare(db, SQL_TOUCH_CHIEFS, &st)) < 0)
                return err_set(e, rc, NULL, "database error");
            char month[8];
            snprintf(month, sizeof(month), "%.7s", day);
            db_bind_int64(st, 1, subject);
            db_bind_text(st, 2, month);
            rc = db_step(st);
            db_finalize(st);
            if (rc < 0)
                return err_set(e, rc, NULL, "database error");
        }
    }
    rc = audit_append(db, who, confirm ? "score.event_confirm" : "score.event_void", "score_event",
                      id, 0, NULL, confirm ? NULL : json_pack("{s:s}", "reason", reason));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

int score_event_confirm(struct db *db, const struct actor *who, int64_t id, int64_t now,
                        struct err *e)
{
    return event_decide(db, who, id, 1, NULL, now, e);
}

int score_event_void(struct db *db, const struct actor *who, int64_t id, const char *reason,
                     int64_t now, struct err *e)
{
    if (!reason || parse_text(reason, 1, 500, 1) < 0)
        return err_set(e, ERR_INVALID, "reason", "reason is required (1-500 characters)");
    return event_decide(db, who, id, 0, reason, now, e);
}

/* api_score.c - 三比 scoring over HTTP (docs/api.md "Scorecards 量化考核"):
 * scorecards and their versions, previews, periods (close / reopen), the
 * rankings and drill-downs, manual score events, the public board; and the
 * rescoring thread that keeps open periods' results live.
 *
 * The thread drains score_dirty through the writer: woken at once when a
 * write marks a subject (score_touch, via score_set_wake_hook), and every
 * second for marks made by other server nodes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/log.h"
#include "domain/org.h"
#include "domain/score.h"
#include "http/server.h"
#include "store/writer.h"

#define ROLES_LEAD ((1u << ROLE_ADMIN) | (1u << ROLE_LEADER))
#define ROLES_ENTER ((1u << ROLE_ADMIN) | (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR))

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

struct sop {
    struct api_op op;
    int64_t now, id;
    struct score_card_input card;
    struct score_event_input ev;
    const char *period, *reason;
    struct score_close_info info;
    char *def_text; /* malloc'd (json_dumps) */
};

static struct sop *sop_new(struct req *r)
{
    struct sop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

/* A write on one thing named by the path's first parameter: NULL with the
 * answer given on failure. */
static struct sop *id_op(struct req *r, unsigned roles, const char *missing)
{
    struct sop *q = sop_new(r);
    if (!q || api_role(r, roles) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "%s", missing);
        return NULL;
    }
    return q;
}

/* The "def" member of the body as JSON text in the arena; the rest of the
 * body unpacked by fields. Answers 400 and returns < 0 on failure. */
static int body_with_def(struct req *r, const struct jfield *f, int nf, const char **def,
                         int required)
{
    json_t *body = req_body_json(r);
    if (!body)
        return ERR_INVALID;
    json_t *d = json_incref(json_object_get(body, "def"));
    json_object_del(body, "def");
    struct err e = {0};
    int rc = json_in_unpack(body, f, nf, &r->arena, &e);
    json_decref(body);
    if (rc == 0 && !d && required)
        rc = err_set(&e, ERR_INVALID, "def", "def (the scorecard definition) is required");
    if (rc == 0 && d && !json_is_object(d))
        rc = err_set(&e, ERR_INVALID, "def", "def must be a JSON object");
    if (rc == 0 && d) {
        char *s = json_dumps(d, JSON_COMPACT);
        *def = s ? arena_strdup(&r->arena, s) : NULL;
        free(s);
        if (!*def)
            rc = err_set(&e, ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(d);
    if (rc < 0) {
        req_fail(r, &e);
        return rc;
    }
    return 0;
}

/* ---- cards ---- */

/* GET /api/scorecards?node_id= */
static int api_cards_list(struct req *r)
{
    int64_t node_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = NULL;
    int rc = score_cards_json(req_db(r), &r->who, node_id, &j);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, j);
}

static int card_visible(struct req *r, int64_t id, json_t **card)
{
    *card = score_card_json(req_db(r), id, 1);
    if (!*card)
        return req_error(r, ERR_NOTFOUND, NULL, "no such scorecard"), ERR_NOTFOUND;
    struct org_node n;
    if (api_org_get(r, json_integer_value(json_object_get(*card, "node_id")), &n) < 0) {
        json_decref(*card);
        return req_error(r, ERR_NOTFOUND, NULL, "no such scorecard"), ERR_NOTFOUND;
    }
    /* a card is visible in its subtree and to those above it */
    if (!actor_in_scope(&r->who, n.path) && strncmp(r->who.scope, n.path, strlen(n.path)) != 0) {
        json_decref(*card);
        return req_error(r, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope"),
               ERR_FORBIDDEN;
    }
    return 0;
}

/* GET /api/scorecards/{id} */
static int api_card_get(struct req *r)
{
    int64_t id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such scorecard");
    json_t *card = NULL;
    if (card_visible(r, id, &card) < 0)
        return REQ_DONE;
    return req_json(r, 200, card);
}

static const char SQL_VERSION_DEF[] =
    "SELECT def, note, created_at FROM score_card_version WHERE card_id = ?1 AND version = ?2";

/* GET /api/scorecards/{id}/versions/{version} */
static int api_card_version_get(struct req *r)
{
    int64_t id = 0, version = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0 || req_param_id(r, 1, &version) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such version");
    json_t *card = NULL;
    if (card_visible(r, id, &card) < 0)
        return REQ_DONE;
    json_decref(card);
    struct db_stmt *st = NULL;
    int rc = db_prepare(req_db(r), SQL_VERSION_DEF, &st);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, version);
    if (db_step(st) != DB_ROW) {
        db_finalize(st);
        return req_error(r, ERR_NOTFOUND, NULL, "no such version");
    }
    json_t *def = json_loads(db_col_text(st, 0), 0, NULL);
    json_t *j = json_pack("{s:I,s:I,s:o,s:s,s:I}", "card_id", (json_int_t)id, "version",
                          (json_int_t)version, "def", def ? def : json_object(), "note",
                          db_col_text(st, 1), "created_at", (json_int_t)db_col_int64(st, 2));
    db_finalize(st);
    return req_json(r, 200, j);
}

static int run_card_create(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    int rc = score_card_create(db, &op->who, &q->card, q->now, &q->id, e);
    if (rc < 0)
        return rc;
    op->result = score_card_json(db, q->id, 1);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

static int periods_field(struct req *r, json_t *body, const char **out)
{
    (void)r;
    json_t *p = json_object_get(body, "periods");
    if (!p)
        return 0;
    if (!json_is_array(p) || json_array_size(p) < 1 || json_array_size(p) > 3)
        return ERR_INVALID;
    char buf[64] = "";
    size_t i;
    json_t *x;
    json_array_foreach(p, i, x)
    {
        const char *s = json_string_value(x);
        if (!s || strlen(s) > 10)
            return ERR_INVALID;
        size_t k = strlen(buf);
        snprintf(buf + k, sizeof(buf) - k, "%s%s", k ? "," : "", s);
    }
    *out = arena_strdup(&r->arena, buf);
    return *out ? 0 : ERR_NOMEM;
}

/* The body of a create or a version: periods (a list), def, and fields. */
static int card_body(struct req *r, struct sop *q, const struct jfield *f, int nf, int create)
{
    json_t *body = req_body_json(r);
    if (!body)
        return ERR_INVALID;
    int rc = periods_field(r, body, &q->card.periods);
    json_t *d = json_incref(json_object_get(body, "def"));
    json_object_del(body, "def");
    json_object_del(body, "periods");
    struct err e = {0};
    if (rc < 0)
        err_set(&e, ERR_INVALID, "periods", "periods must list month, quarter and/or year");
    else
        rc = json_in_unpack(body, f, nf, &r->arena, &e);
    json_decref(body);
    if (rc == 0 && !json_is_object(d))
        rc = err_set(&e, ERR_INVALID, "def", "def (the scorecard definition) must be an object");
    if (rc == 0) {
        char *s = json_dumps(d, JSON_COMPACT);
        q->card.def = s ? arena_strdup(&r->arena, s) : NULL;
        free(s);
        if (!q->card.def)
            rc = err_set(&e, ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(d);
    (void)create;
    if (rc < 0) {
        req_fail(r, &e);
        return rc;
    }
    return 0;
}

/* POST /api/scorecards {node_id, subject, name, periods, def, note} */
static int api_card_create(struct req *r)
{
    struct sop *q = sop_new(r);
    if (!q || api_role(r, ROLES_LEAD) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct jfield f[] = {
        {"node_id", JF_INT, 1, &q->card.node_id, 1, INT64_MAX, NULL},
        {"subject", JF_STRING, 1, (void *)&q->card.subject, 1, 16, NULL},
        {"name", JF_STRING, 1, (void *)&q->card.name, 1, SCORE_NAME_MAX, NULL},
        {"note", JF_STRING, 0, (void *)&q->card.note, 0, 500, NULL},
    };
    if (card_body(r, q, f, 4, 1) < 0)
        return REQ_DONE;
    q->op.run = run_card_create;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static int run_card_version(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    int rc = score_card_version(db, &op->who, q->id, &q->card, q->now, e);
    if (rc < 0)
        return rc;
    op->result = score_card_json(db, q->id, 1);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/scorecards/{id}/versions {def, note?, name?, periods?} */
static int api_card_version(struct req *r)
{
    struct sop *q = id_op(r, ROLES_LEAD, "no such scorecard");
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"name", JF_STRING, 0, (void *)&q->card.name, 1, SCORE_NAME_MAX, NULL},
        {"note", JF_STRING, 0, (void *)&q->card.note, 0, 500, NULL},
    };
    if (card_body(r, q, f, 2, 0) < 0)
        return REQ_DONE;
    q->op.run = run_card_version;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static int run_card_off(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    int rc = score_card_deactivate(db, &op->who, q->id, q->now, e);
    if (rc < 0)
        return rc;
    op->result = score_card_json(db, q->id, 0);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/scorecards/{id}/deactivate {} */
static int api_card_deactivate(struct req *r)
{
    struct sop *q = id_op(r, ROLES_LEAD, "no such scorecard");
    if (!q)
        return REQ_DONE;
    if (api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->op.run = run_card_off;
    return api_submit(r, &q->op);
}

/* POST /api/scorecards/preview {card_id? | node_id + subject, def, period?} */
static int api_card_preview(struct req *r)
{
    if (api_role(r, ROLES_LEAD) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    int64_t card_id = 0, node_id = 0;
    const char *subject = NULL, *period = NULL, *def = NULL;
    struct jfield f[] = {
        {"card_id", JF_INT, 0, &card_id, 1, INT64_MAX, NULL},
        {"node_id", JF_INT, 0, &node_id, 1, INT64_MAX, NULL},
        {"subject", JF_STRING, 0, (void *)&subject, 1, 16, NULL},
        {"period", JF_STRING, 0, (void *)&period, 1, 16, NULL},
    };
    if (body_with_def(r, f, 4, &def, 1) < 0)
        return REQ_DONE;
    if (!card_id && !node_id)
        return req_error(r, ERR_INVALID, "card_id", "card_id, or node_id and subject, is required");
    json_t *j = NULL;
    struct err e = {0};
    if (score_preview_json(req_db(r), &r->who, card_id, node_id, subject, def, period, now_s(), &j,
                           &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, j);
}

/* ---- periods ---- */

/* GET /api/scorecards/{id}/periods */
static int api_periods(struct req *r)
{
    int64_t id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such scorecard");
    json_t *card = NULL;
    if (card_visible(r, id, &card) < 0)
        return REQ_DONE;
    json_decref(card);
    json_t *j = NULL;
    int rc = score_periods_json(req_db(r), id, &j);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, j);
}

static int run_close(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    return score_close(db, &op->who, q->id, q->period, q->now, &q->info, e);
}

static int close_after(struct req *r, int rc, struct err *e)
{
    struct sop *q = r->job.arg;
    if (rc < 0 && e->code == ERR_CONFLICT && strcmp(e->field, "inputs") == 0) {
        json_t *j = json_pack(
            "{s:{s:s,s:s,s:s,s:{s:I,s:I,s:I}}}", "error", "code", "conflict", "field", "inputs",
            "message", e->msg, "details", "events", (json_int_t)q->info.events, "commitments",
            (json_int_t)q->info.commitments, "reviews", (json_int_t)q->info.reviews);
        return req_json(r, 409, j);
    }
    if (rc < 0)
        return req_fail(r, e);
    json_t *j = score_period_json(req_db(r), q->id, q->period);
    if (!j)
        return req_error(r, ERR_DB, NULL, "database error");
    return req_json(r, 200, j);
}

static struct sop *period_op(struct req *r, unsigned roles)
{
    struct sop *q = sop_new(r);
    if (!q || api_role(r, roles) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0 || r->nparams < 2) {
        req_error(r, ERR_NOTFOUND, NULL, "no such scorecard");
        return NULL;
    }
    char kind[8], from[11], to[11];
    if (score_period_range(r->params[1], kind, from, to) < 0) {
        req_error(r, ERR_INVALID, "period", "period must be YYYY-MM, YYYY-Qn or YYYY");
        return NULL;
    }
    q->period = arena_strdup(&r->arena, r->params[1]);
    return q;
}

/* POST /api/scorecards/{id}/periods/{period}/close {} */
static int api_period_close(struct req *r)
{
    struct sop *q = period_op(r, ROLES_LEAD);
    if (!q || api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->op.run = run_close;
    return api_submit_with(r, &q->op, close_after);
}

static int run_reopen(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    return score_reopen(db, &op->who, q->id, q->period, q->reason, q->now, e);
}

/* POST /api/scorecards/{id}/periods/{period}/reopen {reason} */
static int api_period_reopen(struct req *r)
{
    struct sop *q = period_op(r, 1u << ROLE_ADMIN);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"reason", JF_STRING, 1, (void *)&q->reason, 1, 500, NULL}};
    if (api_body(r, f, 1) < 0)
        return REQ_DONE;
    q->op.run = run_reopen;
    return api_submit_with(r, &q->op, close_after);
}

/* ---- rankings and drill-downs ---- */

static int card_query(struct req *r, int64_t *card_id)
{
    if (req_query_int(r, "card_id", 1, INT64_MAX, card_id) < 0)
        return ERR_INVALID;
    if (!*card_id)
        return req_error(r, ERR_INVALID, "card_id", "card_id is required"), ERR_INVALID;
    json_t *card = NULL;
    if (card_visible(r, *card_id, &card) < 0)
        return ERR_FORBIDDEN;
    json_decref(card);
    return 0;
}

/* GET /api/scores?card_id=&period=&group=&group_id=&industry= */
static int api_scores(struct req *r)
{
    int64_t card_id = 0, group_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || card_query(r, &card_id) < 0 ||
        req_query_int(r, "group_id", 1, INT64_MAX, &group_id) < 0)
        return REQ_DONE;
    const char *period = req_query(r, "period"), *group = req_query(r, "group");
    const char *industry = req_query(r, "industry");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (!group || !*group)
        group = "all";
    if (strcmp(group, "all") != 0 && strcmp(group, "hall") != 0 && strcmp(group, "unit") != 0 &&
        strcmp(group, "industry") != 0)
        return req_error(r, ERR_INVALID, "group", "group must be all, hall, unit or industry");
    if (group_id) {
        struct org_node n;
        if (api_org_get(r, group_id, &n) < 0)
            return req_error(r, ERR_INVALID, "group_id", "no such node");
        if (api_scope(r, n.path) < 0)
            return REQ_DONE;
    }
    json_t *j = NULL;
    struct err e = {0};
    if (score_ranking_json(req_db(r), card_id, period, group, group_id, industry, r->who.scope,
                           now_s(), &j, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, j);
}

static int subject_query(struct req *r, const char **kind, int64_t *id, const char *id_key)
{
    *kind = req_query(r, "kind");
    if (req_query_int(r, id_key, 1, INT64_MAX, id) < 0)
        return ERR_INVALID;
    if (!*kind || (strcmp(*kind, "window") != 0 && strcmp(*kind, "staff") != 0))
        return req_error(r, ERR_INVALID, "kind", "kind must be window or staff"), ERR_INVALID;
    if (!*id)
        return req_error(r, ERR_INVALID, id_key, "%s is required", id_key), ERR_INVALID;
    return 0;
}

/* The subject in the caller's scope (or the caller themselves): 0, or < 0
 * with the answer given. */
static int subject_scope(struct req *r, const char *kind, int64_t id)
{
    if (strcmp(kind, "staff") == 0 && r->who.staff_id == id)
        return 0;
    json_t *j = NULL;
    char path[ACTOR_PATH_MAX] = "";
    int rc = score_subject_json(req_db(r), kind, id, now_s(), &j, path);
    json_decref(j);
    if (rc == ERR_NOTFOUND)
        return req_error(r, ERR_NOTFOUND, NULL, "no such %s", kind), ERR_NOTFOUND;
    if (rc < 0)
        return req_error(r, rc, NULL, "database error"), rc;
    return api_scope(r, path) < 0 ? ERR_FORBIDDEN : 0;
}

/* GET /api/scores/detail?card_id=&period=&kind=&subject_id= */
static int api_score_detail(struct req *r)
{
    int64_t card_id = 0, id = 0;
    const char *kind = NULL;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || card_query(r, &card_id) < 0 ||
        subject_query(r, &kind, &id, "subject_id") < 0)
        return REQ_DONE;
    const char *period = req_query(r, "period");
    if (req_query_done(r) < 0 || subject_scope(r, kind, id) < 0)
        return REQ_DONE;
    if (!period || !*period)
        return req_error(r, ERR_INVALID, "period", "period is required");
    json_t *j = NULL;
    struct err e = {0};
    if (score_detail_json(req_db(r), card_id, period, kind, id, &j, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, j);
}

/* GET /api/scores/trend?card_id=&kind=&subject_id=&n= */
static int api_score_trend(struct req *r)
{
    int64_t card_id = 0, id = 0, n = 12;
    const char *kind = NULL;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || card_query(r, &card_id) < 0 ||
        subject_query(r, &kind, &id, "subject_id") < 0 || req_query_int(r, "n", 1, 60, &n) < 0 ||
        req_query_done(r) < 0 || subject_scope(r, kind, id) < 0)
        return REQ_DONE;
    json_t *card = score_card_json(req_db(r), card_id, 0);
    json_t *p0 = card ? json_array_get(json_object_get(card, "periods"), 0) : NULL;
    char pk[8];
    snprintf(pk, sizeof(pk), "%s", p0 ? json_string_value(p0) : "month");
    json_decref(card);
    json_t *j = NULL;
    int rc = score_trend_json(req_db(r), card_id, kind, id, pk, (int)n, &j);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, j);
}

/* GET /api/scores/summons?card_id=&period= */
static int api_score_summons(struct req *r)
{
    int64_t card_id = 0;
    if (api_role(r, ROLES_LEAD | (1u << ROLE_SUPERVISOR)) < 0 || card_query(r, &card_id) < 0)
        return REQ_DONE;
    const char *period = req_query(r, "period");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = NULL;
    struct err e = {0};
    if (score_summons_json(req_db(r), card_id, period, r->who.scope, &j, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, j);
}

/* GET /api/scores/flags?card_id=&n= */
static int api_score_flags(struct req *r)
{
    int64_t card_id = 0, n = 24;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || card_query(r, &card_id) < 0 ||
        req_query_int(r, "n", 1, 500, &n) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = NULL;
    int rc = score_flags_json(req_db(r), card_id, (int)n, &j);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, j);
}

/* GET /api/scores/subject?kind=&id= */
static int api_score_subject(struct req *r)
{
    int64_t id = 0;
    const char *kind = NULL;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || subject_query(r, &kind, &id, "id") < 0 ||
        req_query_done(r) < 0 || subject_scope(r, kind, id) < 0)
        return REQ_DONE;
    json_t *j = NULL;
    int rc = score_subject_json(req_db(r), kind, id, now_s(), &j, NULL);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such subject" : "database error");
    return req_json(r, 200, j);
}

/* GET /api/public/scores?node_id= */
static int api_public_scores(struct req *r)
{
    int64_t node_id = 0;
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (!node_id)
        return req_error(r, ERR_INVALID, "node_id", "node_id is required");
    json_t *j = NULL;
    int rc = score_public_json(req_db(r), node_id, &j);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such node" : "database error");
    return req_json(r, 200, j);
}

/* ---- manual score events ---- */

static const char SQL_EVENT_ONE[] =
    "SELECT e.id, e.kind, e.subject_id, COALESCE(w.name, s.name, ''), e.type, e.day, e.qty,"
    " e.evidence, e.ref, e.state, e.entered_by, COALESCE(a.name, ''), e.confirmed_by,"
    " COALESCE(b.name, ''), e.confirmed_at, e.void_reason, e.created_at, e.subject_path"
    " FROM score_event e LEFT JOIN org_node w ON e.kind = 'window' AND w.id = e.subject_id"
    " LEFT JOIN staff s ON e.kind = 'staff' AND s.id = e.subject_id"
    " LEFT JOIN staff a ON a.id = e.entered_by LEFT JOIN staff b ON b.id = e.confirmed_by"
    " WHERE e.id = ?1";
static const char SQL_EVENT_LIST[] =
    "SELECT e.id, e.kind, e.subject_id, COALESCE(w.name, s.name, ''), e.type, e.day, e.qty,"
    " e.evidence, e.ref, e.state, e.entered_by, COALESCE(a.name, ''), e.confirmed_by,"
    " COALESCE(b.name, ''), e.confirmed_at, e.void_reason, e.created_at, e.subject_path"
    " FROM score_event e LEFT JOIN org_node w ON e.kind = 'window' AND w.id = e.subject_id"
    " LEFT JOIN staff s ON e.kind = 'staff' AND s.id = e.subject_id"
    " LEFT JOIN staff a ON a.id = e.entered_by LEFT JOIN staff b ON b.id = e.confirmed_by"
    " WHERE e.subject_path >= ?1 AND e.subject_path < ?2 AND (?3 = '' OR e.kind = ?3)"
    " AND (?4 = 0 OR e.subject_id = ?4) AND (?5 = '' OR e.month = ?5)"
    " AND (?6 = '' OR e.state = ?6) ORDER BY e.id DESC LIMIT ?7 OFFSET ?8";
static const char SQL_EVENT_COUNT[] =
    "SELECT COUNT(*) FROM score_event e"
    " WHERE e.subject_path >= ?1 AND e.subject_path < ?2 AND (?3 = '' OR e.kind = ?3)"
    " AND (?4 = 0 OR e.subject_id = ?4) AND (?5 = '' OR e.month = ?5)"
    " AND (?6 = '' OR e.state = ?6)";

static json_t *event_json(struct db_stmt *st)
{
    return json_pack(
        "{s:I,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:s,s:o,s:s,s:o,s:o,s:I}", "id",
        (json_int_t)db_col_int64(st, 0), "kind", db_col_text(st, 1), "subject_id",
        (json_int_t)db_col_int64(st, 2), "subject_name", db_col_text(st, 3), "type",
        db_col_text(st, 4), "day", db_col_text(st, 5), "qty", (json_int_t)db_col_int64(st, 6),
        "evidence", db_col_text(st, 7), "ref", db_col_text(st, 8), "state", db_col_text(st, 9),
        "entered_by", (json_int_t)db_col_int64(st, 10), "entered_by_name", db_col_text(st, 11),
        "confirmed_by", db_col_is_null(st, 12) ? json_null() : json_integer(db_col_int64(st, 12)),
        "confirmed_by_name", db_col_text(st, 13), "confirmed_at",
        db_col_is_null(st, 14) ? json_null() : json_integer(db_col_int64(st, 14)), "void_reason",
        db_col_is_null(st, 15) ? json_null() : json_string(db_col_text(st, 15)), "created_at",
        (json_int_t)db_col_int64(st, 16));
}

static json_t *event_read(struct db *db, int64_t id)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_EVENT_ONE, &st) < 0)
        return NULL;
    db_bind_int64(st, 1, id);
    json_t *j = db_step(st) == DB_ROW ? event_json(st) : NULL;
    db_finalize(st);
    return j;
}

static int run_event_create(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    int rc = score_event_create(db, &op->who, &q->ev, q->now, &q->id, e);
    if (rc < 0)
        return rc;
    op->result = event_read(db, q->id);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/score-events {kind, subject_id, type, day, qty?, evidence, ref?} */
static int api_event_create(struct req *r)
{
    struct sop *q = sop_new(r);
    if (!q || api_role(r, ROLES_ENTER) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    q->ev.qty = 1;
    struct jfield f[] = {
        {"kind", JF_STRING, 1, (void *)&q->ev.kind, 1, 16, NULL},
        {"subject_id", JF_INT, 1, &q->ev.subject_id, 1, INT64_MAX, NULL},
        {"type", JF_STRING, 1, (void *)&q->ev.type, 1, 32, NULL},
        {"day", JF_STRING, 1, (void *)&q->ev.day, 1, 16, NULL},
        {"qty", JF_INT, 0, &q->ev.qty, 1, 1000, NULL},
        {"evidence", JF_STRING, 0, (void *)&q->ev.evidence, 0, SCORE_TEXT_MAX, NULL},
        {"ref", JF_STRING, 0, (void *)&q->ev.ref, 0, 200, NULL},
    };
    if (api_body(r, f, 7) < 0)
        return REQ_DONE;
    q->op.run = run_event_create;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static int run_event_decide(struct db *db, struct api_op *op, struct err *e)
{
    struct sop *q = (struct sop *)op;
    int rc = q->reason ? score_event_void(db, &op->who, q->id, q->reason, q->now, e)
                       : score_event_confirm(db, &op->who, q->id, q->now, e);
    if (rc < 0)
        return rc;
    op->result = event_read(db, q->id);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/score-events/{id}/confirm {} */
static int api_event_confirm(struct req *r)
{
    struct sop *q = id_op(r, ROLES_LEAD, "no such score event");
    if (!q)
        return REQ_DONE;
    if (api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->op.run = run_event_decide;
    return api_submit(r, &q->op);
}

/* POST /api/score-events/{id}/void {reason} */
static int api_event_void(struct req *r)
{
    struct sop *q = id_op(r, ROLES_LEAD, "no such score event");
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"reason", JF_STRING, 0, (void *)&q->reason, 0, 500, NULL}};
    if (api_body(r, f, 1) < 0)
        return REQ_DONE;
    if (!q->reason)
        q->reason = "";
    q->op.run = run_event_decide;
    return api_submit(r, &q->op);
}

/* GET /api/score-events?kind=&subject_id=&month=&state=&page=&per_page= */
static int api_events_list(struct req *r)
{
    int64_t subject_id = 0, page = 1, per_page = 50;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "subject_id", 1, INT64_MAX, &subject_id) < 0 ||
        api_page(r, &page, &per_page) < 0)
        return REQ_DONE;
    const char *kind = req_query(r, "kind"), *month = req_query(r, "month");
    const char *state = req_query(r, "state");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    char end[ACTOR_PATH_MAX];
    org_path_end(r->who.scope, end, sizeof(end));
    struct db_stmt *st = NULL;
    int rc = db_prepare(req_db(r), SQL_EVENT_COUNT, &st);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    db_bind_text(st, 1, r->who.scope);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, kind ? kind : "");
    db_bind_int64(st, 4, subject_id);
    db_bind_text(st, 5, month ? month : "");
    db_bind_text(st, 6, state ? state : "");
    int64_t total = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if ((rc = db_prepare(req_db(r), SQL_EVENT_LIST, &st)) < 0)
        return req_error(r, rc, NULL, "database error");
    db_bind_text(st, 1, r->who.scope);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, kind ? kind : "");
    db_bind_int64(st, 4, subject_id);
    db_bind_text(st, 5, month ? month : "");
    db_bind_text(st, 6, state ? state : "");
    db_bind_int64(st, 7, per_page);
    db_bind_int64(st, 8, (page - 1) * per_page);
    json_t *items = json_array();
    while (db_step(st) == DB_ROW)
        json_array_append_new(items, event_json(st));
    db_finalize(st);
    return req_json(r, 200, api_page_json(items, total, page, per_page));
}

/* ---- the rescoring thread ---- */

static struct {
    pthread_t thread;
    pthread_cond_t cv;
    int running, wake;
    struct app *app;
} svc;
static pthread_mutex_t svc_mu = PTHREAD_MUTEX_INITIALIZER;

static void wake_hook(void)
{
    pthread_mutex_lock(&svc_mu);
    if (svc.running && !svc.wake) {
        svc.wake = 1;
        pthread_cond_signal(&svc.cv);
    }
    pthread_mutex_unlock(&svc_mu);
}

static int run_rescore(struct db *db, void *arg, struct err *e)
{
    int *done = arg;
    int rc = score_rescore_dirty(db, now_s(), 64, done);
    return rc < 0 ? err_set(e, rc, NULL, "rescoring failed") : 0;
}

static int svc_running(void)
{
    pthread_mutex_lock(&svc_mu);
    int running = svc.running;
    pthread_mutex_unlock(&svc_mu);
    return running;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* After a drain of SCORE_BUSY marks or more (a stream of tickets and
 * evaluations), the next waits until SCORE_GAP_MS after it: the marks of that
 * interval are rescored together (one writer run, each subject once), so a
 * busy hall's windows cost the writer a few rescorings a second, not one per
 * service. After a small drain (a lone event) the next change is rescored at
 * once. */
#define SCORE_GAP_MS 100
#define SCORE_BUSY 8

static void *svc_main(void *arg)
{
    (void)arg;
    int64_t last = 0;
    int busy = 0; /* the last drain was a big one */
    pthread_mutex_lock(&svc_mu);
    while (svc.running) {
        int64_t gap = busy ? last + SCORE_GAP_MS - mono_ms() : 0;
        if (svc.wake && gap > 0) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += (long)gap * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (svc.running && pthread_cond_timedwait(&svc.cv, &svc_mu, &until) == 0) {
            }
            continue;
        }
        svc.wake = 0;
        pthread_mutex_unlock(&svc_mu);
        last = mono_ms();
        int done = 64, total = 0;
        while (done == 64 && svc_running()) {
            struct err e = {0};
            done = 0;
            if (writer_run(svc.app->writer, run_rescore, &done, &e) < 0) {
                log_warn("score", "msg=\"rescoring failed\" error=\"%s\"", e.msg);
                break;
            }
            total += done;
        }
        busy = total >= SCORE_BUSY;
        pthread_mutex_lock(&svc_mu);
        if (!svc.running || svc.wake)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        while (svc.running && !svc.wake && pthread_cond_timedwait(&svc.cv, &svc_mu, &until) == 0) {
        }
        if (!svc.wake) /* a second without a mark: look for other nodes' */
            svc.wake = 1;
    }
    pthread_mutex_unlock(&svc_mu);
    return NULL;
}

int score_services_start(struct app *app)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&svc.cv, &ca);
    pthread_condattr_destroy(&ca);
    svc.app = app;
    svc.running = 1;
    svc.wake = 1;
    if (pthread_create(&svc.thread, NULL, svc_main, NULL) != 0) {
        svc.running = 0;
        pthread_cond_destroy(&svc.cv);
        return ERR_NOMEM;
    }
    score_set_wake_hook(wake_hook);
    return 0;
}

void score_services_stop(void)
{
    score_set_wake_hook(NULL);
    pthread_mutex_lock(&svc_mu);
    if (!svc.running) {
        pthread_mutex_unlock(&svc_mu);
        return;
    }
    svc.running = 0;
    pthread_cond_signal(&svc.cv);
    pthread_mutex_unlock(&svc_mu);
    pthread_join(svc.thread, NULL);
    pthread_cond_destroy(&svc.cv);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/scorecards", api_cards_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/scorecards", api_card_create, 0, 65536, NULL, 0},
    {HTTP_POST, "/api/scorecards/preview", api_card_preview, 0, 65536, NULL, 0},
    {HTTP_GET, "/api/scorecards/{id}", api_card_get, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scorecards/{id}/versions/{version}", api_card_version_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/scorecards/{id}/versions", api_card_version, 0, 65536, NULL, 0},
    {HTTP_POST, "/api/scorecards/{id}/deactivate", api_card_deactivate, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scorecards/{id}/periods", api_periods, 0, 0, NULL, 0},
    {HTTP_POST, "/api/scorecards/{id}/periods/{period}/close", api_period_close, 0, 0, NULL, 0},
    {HTTP_POST, "/api/scorecards/{id}/periods/{period}/reopen", api_period_reopen, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores", api_scores, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores/detail", api_score_detail, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores/trend", api_score_trend, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores/summons", api_score_summons, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores/flags", api_score_flags, 0, 0, NULL, 0},
    {HTTP_GET, "/api/scores/subject", api_score_subject, 0, 0, NULL, 0},
    {HTTP_GET, "/api/score-events", api_events_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/score-events", api_event_create, 0, 0, NULL, 0},
    {HTTP_POST, "/api/score-events/{id}/confirm", api_event_confirm, 0, 0, NULL, 0},
    {HTTP_POST, "/api/score-events/{id}/void", api_event_void, 0, 0, NULL, 0},
    {HTTP_GET, "/api/public/scores", api_public_scores, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_score_module = {routes, sizeof(routes) / sizeof(routes[0])};

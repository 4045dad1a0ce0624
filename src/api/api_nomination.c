/* api_nomination.c - 先锋服务窗口 / 明星服务标兵 nominations over HTTP: open one
 * over a closed period, ballots, the leader's decision, close and cancel,
 * and the public honour list (docs/api.md, "Nominations"). */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/nomination.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* NULL for "" (an empty form field): no filter */
static const char *nz_query(struct req *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && *v ? v : NULL;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

/* a score in hundredths as a number with 2 decimals */
static json_t *score_json(int64_t hundredths)
{
    return json_real((double)hundredths / 100.0);
}

/* ---- rendering ---- */

static json_t *actions_json(const struct actor *who, const struct nomination *n)
{
    static const char *const names[] = {"vote", "decide", "close", "cancel"};
    unsigned bits = nomination_actions(who, n);
    json_t *a = json_array();
    for (int i = 0; a && i < 4; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(names[i]));
    return a;
}

static json_t *list_json(const struct actor *who, const struct nomination *n)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(n->id));
    json_object_set_new(j, "card_id", json_integer(n->card_id));
    json_object_set_new(j, "card_name", str_or_null(n->card_name));
    json_object_set_new(j, "node_id", json_integer(n->node_id));
    json_object_set_new(j, "node_name", str_or_null(n->node_name));
    json_object_set_new(j, "period", json_string(n->period));
    json_object_set_new(j, "kind", json_string(n->kind));
    json_object_set_new(j, "subject", json_string(n->subject));
    json_object_set_new(j, "mode", json_string(n->mode));
    json_object_set_new(j, "top_n", json_integer(n->top_n));
    json_object_set_new(j, "quota", json_integer(n->quota));
    json_object_set_new(j, "quota_percent", id_or_null(n->quota_percent));
    json_object_set_new(j, "state", json_string(n->state));
    json_object_set_new(j, "ballots", json_integer(n->ballots));
    json_object_set_new(j, "voted", json_boolean(n->voted));
    json_object_set_new(j, "opened_by", id_or_null(n->opened_by));
    json_object_set_new(j, "opened_by_name", str_or_null(n->opened_by_name));
    json_object_set_new(j, "created_at", json_integer(n->created_at));
    json_object_set_new(j, "closed_at", id_or_null(n->closed_at));
    json_object_set_new(j, "closed_by_name", str_or_null(n->closed_by_name));
    json_object_set_new(j, "cancel_reason", str_or_null(n->cancel_reason));
    json_object_set_new(j, "actions", actions_json(who, n));
    return j;
}

static json_t *candidate_json(const struct nomination_candidate *c, int show_votes)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "subject_id", json_integer(c->subject_id));
    json_object_set_new(o, "name", str_or_null(c->name));
    json_object_set_new(o, "code", str_or_null(c->code));
    json_object_set_new(o, "hall_id", id_or_null(c->hall_id));
    json_object_set_new(o, "hall_name", str_or_null(c->hall_name));
    json_object_set_new(o, "unit_id", id_or_null(c->unit_id));
    json_object_set_new(o, "unit_name", str_or_null(c->unit_name));
    json_object_set_new(o, "place", json_integer(c->place));
    json_object_set_new(o, "score", score_json(c->score));
    json_object_set_new(o, "rank", json_integer(c->rank));
    json_object_set_new(o, "stars", json_integer(c->stars));
    json_object_set_new(o, "votes", show_votes ? json_integer(c->votes) : json_null());
    json_object_set_new(o, "chosen", json_boolean(c->chosen));
    json_object_set_new(o, "won", c->won > 0 ? json_integer(c->won) : json_null());
    return o;
}

static json_t *full_json(const struct actor *who, const struct nomination *n)
{
    json_t *j = list_json(who, n);
    if (!j)
        return NULL;
    /* ballots are secret: the counts show once the nomination is closed */
    int show_votes = strcmp(n->mode, "vote") == 0 && strcmp(n->state, "closed") == 0;
    json_t *cands = json_array();
    for (int i = 0; cands && i < n->ncand; i++)
        json_array_append_new(cands, candidate_json(&n->cand[i], show_votes));
    json_object_set_new(j, "candidates", cands);
    json_object_set_new(j, "decision",
                        n->decided_at > 0
                            ? json_pack("{s:s,s:o,s:I}", "reason",
                                        n->decision_reason ? n->decision_reason : "",
                                        "decided_by_name", str_or_null(n->decided_by_name),
                                        "decided_at", (json_int_t)n->decided_at)
                            : json_null());
    json_t *voters = NULL;
    if (n->show_voters) {
        voters = json_array();
        for (int i = 0; voters && i < n->nvoters; i++)
            json_array_append_new(voters, json_pack("{s:I,s:o,s:I}", "staff_id",
                                                    (json_int_t)n->voters[i].staff_id, "name",
                                                    str_or_null(n->voters[i].name), "cast_at",
                                                    (json_int_t)n->voters[i].cast_at));
    }
    json_object_set_new(j, "voters", voters ? voters : json_null());
    return j;
}

/* ---- reads ---- */

/* GET /api/nominations?card_id=&period=&kind=&state=&page=&per_page= */
static int api_nominations_list(struct req *r)
{
    struct nomination_filter f = {0};
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.period = nz_query(r, "period");
    f.kind = nz_query(r, "kind");
    f.state = nz_query(r, "state");
    if (req_query_int(r, "card_id", 1, INT64_MAX, &f.card_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct nomination *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (nomination_list(req_db(r), &r->who, &f, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, list_json(&r->who, &items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* GET /api/nominations/{id} */
static int api_nominations_get(struct req *r)
{
    int64_t id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such nomination");
    struct nomination n;
    struct err e = {0};
    if (nomination_get(req_db(r), &r->who, id, &r->arena, &n, &e) < 0)
        return req_fail(r, &e);
    json_t *j = full_json(&r->who, &n);
    return j ? req_json(r, 200, j) : req_error(r, ERR_NOMEM, NULL, "out of memory");
}

/* GET /api/public/nominations?node_id=&kind=&n= */
static int api_public_nominations(struct req *r)
{
    int64_t node_id = 0, limit = 20;
    const char *kind = nz_query(r, "kind");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 ||
        req_query_int(r, "n", 1, NOMINATION_PUBLIC_MAX, &limit) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct nomination *items = NULL;
    int n = 0;
    struct err e = {0};
    if (nomination_public(req_db(r), node_id, kind, (int)limit, &r->arena, &items, &n, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        const struct nomination *m = &items[i];
        json_t *winners = json_array();
        for (int k = 0; winners && k < m->ncand; k++) {
            const struct nomination_candidate *c = &m->cand[k];
            json_array_append_new(
                winners, json_pack("{s:i,s:I,s:o,s:o,s:o,s:o}", "place", c->won, "subject_id",
                                   (json_int_t)c->subject_id, "name", str_or_null(c->name), "code",
                                   str_or_null(c->code), "hall_name", str_or_null(c->hall_name),
                                   "unit_name", str_or_null(c->unit_name)));
        }
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:I,s:o}", "id", (json_int_t)m->id, "kind",
                           m->kind, "subject", m->subject, "period", m->period, "node_name",
                           str_or_null(m->node_name), "card_name", str_or_null(m->card_name),
                           "closed_at", (json_int_t)m->closed_at, "winners", winners));
    }
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* ---- writes ---- */

struct nop {
    struct api_op op;
    int64_t now;
    int64_t id;
    struct nomination_input in;
    int64_t ids[NOMINATION_TOP_MAX];
    int nids;
    const char *reason;
    int (*act)(struct db *db, struct nop *q, struct err *e);
};

static struct nop *nop_new(struct req *r)
{
    struct nop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

/* The answer of a write: the nomination read after the commit. */
static int nomination_after(struct req *r, int rc, struct err *e)
{
    struct nop *q = r->job.arg;
    if (rc < 0)
        return api_op_after(r, rc, e);
    struct nomination n;
    struct err ge = {0};
    if (nomination_get(req_db(r), &q->op.who, q->id, &r->arena, &n, &ge) < 0)
        return req_fail(r, &ge);
    json_t *j = full_json(&q->op.who, &n);
    if (!j)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return req_json(r, q->op.status ? q->op.status : 200, j);
}

static int run_act(struct db *db, struct api_op *op, struct err *e)
{
    struct nop *q = (struct nop *)op;
    return q->act(db, q, e);
}

/* candidate_ids: an array of 1..NOMINATION_TOP_MAX ids, taken out of j */
static int take_ids(struct req *r, json_t *j, struct nop *q)
{
    json_t *arr = json_object_get(j, "candidate_ids");
    if (!arr)
        return req_error(r, ERR_INVALID, "candidate_ids", "candidate_ids is required"), ERR_INVALID;
    if (!json_is_array(arr) || json_array_size(arr) > NOMINATION_TOP_MAX)
        return req_error(r, ERR_INVALID, "candidate_ids",
                         "candidate_ids must be an array of up to %d ids", NOMINATION_TOP_MAX),
               ERR_INVALID;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1)
            return req_error(r, ERR_INVALID, "candidate_ids",
                             "candidate_ids must hold positive integers"),
                   ERR_INVALID;
        q->ids[q->nids++] = json_integer_value(v);
    }
    json_object_del(j, "candidate_ids");
    return 0;
}

/* A write on one nomination (path parameter 0) with the body's
 * candidate_ids when want_ids and the fields f; NULL with the answer given
 * on failure. */
static struct nop *nomination_op(struct req *r, int want_ids, const struct jfield *f, int nf)
{
    struct nop *q = nop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such nomination");
        return NULL;
    }
    json_t *j = req_body_json(r);
    if (!j)
        return NULL;
    if (want_ids && take_ids(r, j, q) < 0) {
        json_decref(j);
        return NULL;
    }
    struct err e = {0};
    int rc = json_in_unpack(j, f, nf, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        req_fail(r, &e);
        return NULL;
    }
    return q;
}

static int act_ballot(struct db *db, struct nop *q, struct err *e)
{
    return nomination_ballot(db, &q->op.who, q->id, q->ids, q->nids, q->now, e);
}

/* POST /api/nominations/{id}/ballot {candidate_ids} */
static int api_nominations_ballot(struct req *r)
{
    struct nop *q = nomination_op(r, 1, NULL, 0);
    if (!q)
        return REQ_DONE;
    q->act = act_ballot;
    q->op.run = run_act;
    q->op.status = 201;
    return api_submit_with(r, &q->op, nomination_after);
}

static int act_decide(struct db *db, struct nop *q, struct err *e)
{
    return nomination_decide(db, &q->op.who, q->id, q->ids, q->nids, q->reason, q->now, e);
}

/* POST /api/nominations/{id}/decide {candidate_ids, reason} */
static int api_nominations_decide(struct req *r)
{
    const char *reason = NULL;
    struct jfield f[] = {
        {"reason", JF_STRING, 1, &reason, 1, NOMINATION_TEXT_MAX, NULL},
    };
    struct nop *q = nomination_op(r, 1, f, 1);
    if (!q)
        return REQ_DONE;
    q->reason = reason;
    q->act = act_decide;
    q->op.run = run_act;
    return api_submit_with(r, &q->op, nomination_after);
}

static int act_close(struct db *db, struct nop *q, struct err *e)
{
    return nomination_close(db, &q->op.who, q->id, q->now, e);
}

/* POST /api/nominations/{id}/close {} */
static int api_nominations_close(struct req *r)
{
    struct nop *q = nomination_op(r, 0, NULL, 0);
    if (!q)
        return REQ_DONE;
    q->act = act_close;
    q->op.run = run_act;
    return api_submit_with(r, &q->op, nomination_after);
}

static int act_cancel(struct db *db, struct nop *q, struct err *e)
{
    return nomination_cancel(db, &q->op.who, q->id, q->reason, q->now, e);
}

/* POST /api/nominations/{id}/cancel {reason} */
static int api_nominations_cancel(struct req *r)
{
    const char *reason = NULL;
    struct jfield f[] = {
        {"reason", JF_STRING, 1, &reason, 1, NOMINATION_REASON_MAX, NULL},
    };
    struct nop *q = nomination_op(r, 0, f, 1);
    if (!q)
        return REQ_DONE;
    q->reason = reason;
    q->act = act_cancel;
    q->op.run = run_act;
    return api_submit_with(r, &q->op, nomination_after);
}

static int act_create(struct db *db, struct nop *q, struct err *e)
{
    return nomination_create(db, &q->op.who, &q->in, q->now, &q->id, e);
}

/* POST /api/nominations {card_id, period, kind, mode, top_n, quota | quota_percent} */
static int api_nominations_create(struct req *r)
{
    struct nop *q = nop_new(r);
    if (!q || api_role(r, (1u << ROLE_ADMIN) | (1u << ROLE_LEADER)) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct nomination_input *in = &q->in;
    struct jfield f[] = {
        {"card_id", JF_INT, 1, &in->card_id, 1, INT64_MAX, NULL},
        {"period", JF_STRING, 1, &in->period, 1, 10, NULL},
        {"kind", JF_STRING, 1, &in->kind, 1, 16, NULL},
        {"mode", JF_STRING, 1, &in->mode, 1, 16, NULL},
        {"top_n", JF_INT, 1, &in->top_n, 1, NOMINATION_TOP_MAX, NULL},
        {"quota", JF_INT, 0, &in->quota, 1, NOMINATION_TOP_MAX, NULL},
        {"quota_percent", JF_INT, 0, &in->quota_percent, 1, 100, NULL},
    };
    if (api_body(r, f, 7) < 0)
        return REQ_DONE;
    q->act = act_create;
    q->op.run = run_act;
    q->op.status = 201;
    return api_submit_with(r, &q->op, nomination_after);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/nominations", api_nominations_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/nominations", api_nominations_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/nominations/{id}", api_nominations_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/nominations/{id}/ballot", api_nominations_ballot, 0, 0, NULL, 0},
    {HTTP_POST, "/api/nominations/{id}/decide", api_nominations_decide, 0, 0, NULL, 0},
    {HTTP_POST, "/api/nominations/{id}/close", api_nominations_close, 0, 0, NULL, 0},
    {HTTP_POST, "/api/nominations/{id}/cancel", api_nominations_cancel, 0, 0, NULL, 0},
    {HTTP_GET, "/api/public/nominations", api_public_nominations, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_nomination_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* api_review.c - review rounds (三评) over HTTP: rounds and their form, the
 * raters' to-do lists and ratings, results, the owner's view of individual
 * ratings, and the portal's public vote (docs/api.md "Review rounds 三评
 * (issue 7)"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/review.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static json_t *num(double v)
{
    return json_real(round(v * 100.0) / 100.0);
}

static json_t *id_or_null(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static const char *nz_query(struct req *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && *v ? v : NULL;
}

/* ---- rendering ---- */

static json_t *form_json(const struct review_form *f, json_t *j)
{
    json_t *crit = json_array(), *groups = json_array();
    for (int i = 0; crit && i < f->ncriteria; i++) {
        const struct review_criterion *c = &f->criteria[i];
        json_array_append_new(crit, json_pack("{s:s,s:s,s:I,s:I}", "code", c->code, "name", c->name,
                                              "scale_max", (json_int_t)c->scale_max, "weight",
                                              (json_int_t)c->weight));
    }
    for (int i = 0; groups && i < f->ngroups; i++) {
        const struct review_group *g = &f->groups[i];
        json_array_append_new(
            groups, json_pack("{s:s,s:s,s:s,s:I,s:b,s:s,s:o}", "code", g->code, "name", g->name,
                              "kind", g->kind, "weight", (json_int_t)g->weight, "party_only",
                              g->party_only, "unit_scope", g->unit_scope, "rater_role",
                              g->rater_role[0] ? json_string(g->rater_role) : json_null()));
    }
    json_object_set_new(j, "criteria", crit);
    json_object_set_new(j, "groups", groups);
    return j;
}

static json_t *round_json(const struct actor *who, const struct review_round *r)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "node_id", json_integer(r->node_id));
    json_object_set_new(j, "node_name", json_string(r->node_name));
    json_object_set_new(j, "period", json_string(r->period));
    json_object_set_new(j, "subject_kind", json_string(r->subject_kind));
    json_object_set_new(j, "title", json_string(r->title));
    json_object_set_new(j, "state", json_string(r->state));
    json_object_set_new(j, "owner_id", id_or_null(r->owner_id));
    json_object_set_new(j, "owner_name",
                        r->owner_name[0] ? json_string(r->owner_name) : json_null());
    json_object_set_new(j, "created_at", json_integer(r->created_at));
    json_object_set_new(j, "opened_at", id_or_null(r->opened_at));
    json_object_set_new(j, "closed_at", id_or_null(r->closed_at));
    json_object_set_new(j, "ratings", json_integer(r->ratings));
    json_object_set_new(j, "votes", json_integer(r->votes));
    if (who)
        json_object_set_new(j, "can_manage", json_boolean(review_access(who, r) == 2));
    return r->full ? form_json(&r->form, j) : j;
}

/* ---- unpacking ---- */

/* criteria or groups element i of arr into the form; answers 400. */
static int unpack_items(struct req *r, json_t *arr, const char *name, struct review_form *f)
{
    int criteria = strcmp(name, "criteria") == 0;
    int max = criteria ? REVIEW_MAX_CRITERIA : REVIEW_MAX_GROUPS;
    if (!json_is_array(arr) || json_array_size(arr) < 1 || (int)json_array_size(arr) > max)
        return req_error(r, ERR_INVALID, name, "%s must be a list of 1 to %d", name, max),
               ERR_INVALID;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char field[64];
        if (!json_is_object(o)) {
            snprintf(field, sizeof(field), "%s[%zu]", name, i);
            return req_error(r, ERR_INVALID, field, "%s must be an object", field), ERR_INVALID;
        }
        const char *code = NULL, *nm = NULL, *gkind = NULL, *scope = NULL, *role = NULL;
        int64_t scale = 0, weight = 0;
        int party = 0;
        struct jfield cf[] = {
            {"code", JF_STRING, 1, &code, 1, REVIEW_CODE_MAX, NULL},
            {"name", JF_STRING, 1, &nm, 1, REVIEW_NAME_MAX, NULL},
            {"scale_max", JF_INT, 1, &scale, 1, REVIEW_SCALE_MAX, NULL},
            {"weight", JF_INT, 1, &weight, 0, 100, NULL},
        };
        struct jfield gf[] = {
            {"code", JF_STRING, 1, &code, 1, REVIEW_CODE_MAX, NULL},
            {"name", JF_STRING, 1, &nm, 1, REVIEW_NAME_MAX, NULL},
            {"kind", JF_STRING, 1, &gkind, 1, 16, NULL},
            {"weight", JF_INT, 1, &weight, 0, 100, NULL},
            {"party_only", JF_BOOL, 0, &party, 0, 0, NULL},
            {"unit_scope", JF_STRING, 0, &scope, 1, 11, NULL},
            {"rater_role", JF_STRING, 0, &role, 0, 11, NULL},
        };
        struct err e = {0};
        json_t *copy = json_deep_copy(o);
        int rc = copy ? json_in_unpack(copy, criteria ? cf : gf, criteria ? 4 : 7, &r->arena, &e)
                      : ERR_NOMEM;
        json_decref(copy);
        if (rc < 0) {
            snprintf(field, sizeof(field), "%s[%zu].%.30s", name, i, e.field);
            return req_error(r, rc, field, "%s", e.msg), rc;
        }
        if (criteria) {
            struct review_criterion *c = &f->criteria[f->ncriteria++];
            snprintf(c->code, sizeof(c->code), "%s", code);
            snprintf(c->name, sizeof(c->name), "%s", nm);
            c->scale_max = scale;
            c->weight = weight;
        } else {
            struct review_group *g = &f->groups[f->ngroups++];
            snprintf(g->code, sizeof(g->code), "%s", code);
            snprintf(g->name, sizeof(g->name), "%s", nm);
            snprintf(g->kind, sizeof(g->kind), "%s", gkind);
            g->weight = weight;
            g->party_only = party;
            snprintf(g->unit_scope, sizeof(g->unit_scope), "%s", scope ? scope : "any");
            snprintf(g->rater_role, sizeof(g->rater_role), "%s", role ? role : "");
        }
    }
    return 0;
}

/* A round's body (create: with node_id and subject_kind) into in; answers
 * 400 and returns < 0 on a bad one. */
static int unpack_round(struct req *r, struct review_input *in, int create)
{
    json_t *j = req_body_json(r);
    if (!j)
        return ERR_INVALID;
    json_t *crit = json_incref(json_object_get(j, "criteria"));
    json_t *groups = json_incref(json_object_get(j, "groups"));
    json_object_del(j, "criteria");
    json_object_del(j, "groups");
    struct jfield f[] = {
        {"title", JF_STRING, 1, &in->title, 1, REVIEW_NAME_MAX, NULL},
        {"period", JF_STRING, 1, &in->period, 1, 7, NULL},
        {"node_id", JF_INT, 1, &in->node_id, 1, INT64_MAX, NULL},
        {"subject_kind", JF_STRING, 1, &in->subject_kind, 1, 8, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, create ? 4 : 2, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        req_fail(r, &e);
    } else if (!crit) {
        req_error(r, ERR_INVALID, "criteria", "criteria is required");
        rc = ERR_INVALID;
    } else if (!groups) {
        req_error(r, ERR_INVALID, "groups", "groups is required");
        rc = ERR_INVALID;
    } else {
        rc = unpack_items(r, crit, "criteria", &in->form);
        if (rc == 0)
            rc = unpack_items(r, groups, "groups", &in->form);
    }
    json_decref(crit);
    json_decref(groups);
    return rc;
}

/* ---- reads ---- */

/* GET /api/review-rounds?state=&period=&page=&per_page= */
static int api_rounds_list(struct req *r)
{
    struct review_filter f = {0};
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0)
        return REQ_DONE;
    f.state = nz_query(r, "state");
    f.period = nz_query(r, "period");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct review_round *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (review_list(req_db(r), &r->who, &f, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, round_json(&r->who, &items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static int round_id(struct req *r, int64_t *id)
{
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return ERR_FORBIDDEN;
    if (req_param_id(r, 0, id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such review round");
        return ERR_NOTFOUND;
    }
    return 0;
}

/* GET /api/review-rounds/{id} */
static int api_rounds_get(struct req *r)
{
    int64_t id = 0;
    if (round_id(r, &id) < 0)
        return REQ_DONE;
    struct review_round *x = arena_alloc(&r->arena, sizeof(*x));
    if (!x)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct err e = {0};
    if (review_get(req_db(r), &r->who, id, x, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, round_json(&r->who, x));
}

/* GET /api/review-rounds/{id}/todo */
static int api_rounds_todo(struct req *r)
{
    int64_t id = 0;
    if (round_id(r, &id) < 0)
        return REQ_DONE;
    struct review_todo_group *groups = NULL;
    int n = 0;
    struct err e = {0};
    if (review_todo(req_db(r), &r->who, id, &r->arena, &groups, &n, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        const struct review_todo_group *t = &groups[i];
        json_t *subs = json_array();
        int done = 0;
        for (int k = 0; subs && k < t->nsubjects; k++) {
            const struct review_subject *s = &t->subjects[k];
            done += s->rated;
            json_array_append_new(subs,
                                  json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)s->id, "name",
                                            s->name ? s->name : "", "unit_name",
                                            s->unit_name ? s->unit_name : "", "rated", s->rated));
        }
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s,s:I,s:b,s:i,s:i,s:o}", "code", t->g.code,
                                        "name", t->g.name, "kind", t->g.kind, "weight",
                                        (json_int_t)t->g.weight, "truncated", t->truncated, "total",
                                        t->nsubjects, "done", done, "subjects", subs));
    }
    return req_json(r, 200, json_pack("{s:I,s:o}", "round_id", (json_int_t)id, "groups", arr));
}

static json_t *score_json(const struct review_score *s)
{
    json_t *groups = json_array();
    for (int g = 0; groups && g < s->ngroups; g++)
        json_array_append_new(groups,
                              json_pack("{s:s,s:o,s:I}", "code", s->group[g].code, "mean",
                                        num(s->group[g].mean), "n", (json_int_t)s->group[g].n));
    return json_pack("{s:o,s:I,s:o}", "total", num(s->total), "raters", (json_int_t)s->raters,
                     "groups", groups);
}

/* GET /api/review-rounds/{id}/results */
static int api_rounds_results(struct req *r)
{
    int64_t id = 0;
    if (round_id(r, &id) < 0)
        return REQ_DONE;
    struct review_result *items = NULL;
    int n = 0;
    struct err e = {0};
    if (review_results(req_db(r), &r->who, id, &r->arena, &items, &n, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        json_t *o = score_json(&items[i].s);
        json_object_set_new(o, "subject_id", json_integer(items[i].subject_id));
        json_object_set_new(o, "subject_name",
                            json_string(items[i].subject_name ? items[i].subject_name : ""));
        json_array_append_new(arr, o);
    }
    return req_json(r, 200, json_pack("{s:I,s:o}", "round_id", (json_int_t)id, "items", arr));
}

/* GET /api/review-rounds/{id}/ratings (owner and admins) */
static int api_rounds_ratings(struct req *r)
{
    int64_t id = 0;
    if (round_id(r, &id) < 0)
        return REQ_DONE;
    struct review_rating *items = NULL;
    int n = 0;
    struct err e = {0};
    if (review_ratings(req_db(r), &r->who, id, &r->arena, &items, &n, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        const struct review_rating *x = &items[i];
        json_t *scores = json_object();
        /* "code=v,…" back into an object */
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", x->scores ? x->scores : "");
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); scores && t; t = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(t, '=');
            if (eq) {
                *eq = '\0';
                json_object_set_new(scores, t, json_integer(strtoll(eq + 1, NULL, 10)));
            }
        }
        json_array_append_new(
            arr,
            json_pack("{s:I,s:s,s:I,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:I}", "id", (json_int_t)x->id,
                      "group", x->group ? x->group : "", "subject_id", (json_int_t)x->subject_id,
                      "subject_name", x->subject_name ? x->subject_name : "", "rater_id",
                      id_or_null(x->rater_id), "rater_name",
                      x->rater_id ? json_string(x->rater_name ? x->rater_name : "") : json_null(),
                      "public_vote", json_boolean(x->vote_id > 0), "comment",
                      x->comment ? x->comment : "", "score", num(x->score), "scores", scores,
                      "created_at", (json_int_t)x->created_at));
    }
    return req_json(r, 200, json_pack("{s:I,s:o}", "round_id", (json_int_t)id, "items", arr));
}

/* ---- writes ---- */

struct rop {
    struct api_op op;
    int64_t id, now;
    int action; /* 0 create, 1 update, 2 open, 3 close */
    struct review_input in;
    struct review_rating_input rating;
    struct review_vote_input vote;
};

static struct rop *rop_new(struct req *r)
{
    struct rop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

static int run_round(struct db *db, struct api_op *op, struct err *e)
{
    struct rop *q = (struct rop *)op;
    int rc;
    switch (q->action) {
    case 0:
        rc = review_create(db, &op->who, &q->in, q->now, &q->id, e);
        break;
    case 1:
        rc = review_update(db, &op->who, q->id, &q->in, q->now, e);
        break;
    case 2:
        rc = review_open(db, &op->who, q->id, q->now, e);
        break;
    default:
        rc = review_close(db, &op->who, q->id, q->now, e);
        break;
    }
    if (rc < 0)
        return rc;
    struct review_round *x = malloc(sizeof(*x));
    if (!x)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    rc = review_get(db, NULL, q->id, x, e);
    if (rc == 0)
        op->result = round_json(&op->who, x);
    free(x);
    if (rc < 0)
        return rc;
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/review-rounds */
static int api_rounds_create(struct req *r)
{
    struct rop *q = rop_new(r);
    if (!q || api_role(r, (1u << ROLE_ADMIN) | (1u << ROLE_LEADER)) < 0 || req_query_done(r) < 0 ||
        unpack_round(r, &q->in, 1) < 0)
        return REQ_DONE;
    q->op.run = run_round;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

/* PATCH /api/review-rounds/{id} (a draft's title, period and form) */
static int api_rounds_update(struct req *r)
{
    struct rop *q = rop_new(r);
    if (!q || round_id(r, &q->id) < 0 || unpack_round(r, &q->in, 0) < 0)
        return REQ_DONE;
    q->action = 1;
    q->op.run = run_round;
    return api_submit(r, &q->op);
}

/* POST /api/review-rounds/{id}/open | /close */
static int state_change(struct req *r, int action)
{
    struct rop *q = rop_new(r);
    if (!q || round_id(r, &q->id) < 0)
        return REQ_DONE;
    q->action = action;
    q->op.run = run_round;
    return api_submit(r, &q->op);
}

static int api_rounds_open(struct req *r)
{
    return state_change(r, 2);
}

static int api_rounds_close(struct req *r)
{
    return state_change(r, 3);
}

static int run_rate(struct db *db, struct api_op *op, struct err *e)
{
    struct rop *q = (struct rop *)op;
    int64_t rid = 0;
    int rc = review_rate(db, &op->who, q->id, &q->rating, q->now, &rid, e);
    if (rc < 0)
        return rc;
    op->result =
        json_pack("{s:I,s:I,s:s,s:I}", "id", (json_int_t)rid, "round_id", (json_int_t)q->id,
                  "group", q->rating.group, "subject_id", (json_int_t)q->rating.subject_id);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/review-rounds/{id}/ratings {group, subject_id, scores:{code:value}, comment?} */
static int api_rounds_rate(struct req *r)
{
    struct rop *q = rop_new(r);
    if (!q || round_id(r, &q->id) < 0)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    json_t *scores = json_incref(json_object_get(j, "scores"));
    json_object_del(j, "scores");
    struct review_rating_input *in = &q->rating;
    struct jfield f[] = {
        {"group", JF_STRING, 1, &in->group, 1, REVIEW_CODE_MAX, NULL},
        {"subject_id", JF_INT, 1, &in->subject_id, 1, INT64_MAX, NULL},
        {"comment", JF_STRING, 0, &in->comment, 0, REVIEW_TEXT_MAX, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, 3, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        json_decref(scores);
        return req_fail(r, &e);
    }
    if (!json_is_object(scores) || json_object_size(scores) > REVIEW_MAX_CRITERIA) {
        json_decref(scores);
        return req_error(r, ERR_INVALID, "scores", "scores must be an object {criterion: value}");
    }
    const char *key;
    json_t *v;
    json_object_foreach(scores, key, v)
    {
        if (!json_is_integer(v)) {
            char field[48];
            snprintf(field, sizeof(field), "scores.%.30s", key);
            json_decref(scores);
            return req_error(r, ERR_INVALID, field, "%s must be a whole number", field);
        }
        in->scores[in->nscores].code = arena_strdup(&r->arena, key);
        in->scores[in->nscores++].value = (int64_t)json_integer_value(v);
    }
    json_decref(scores);
    for (int i = 0; i < in->nscores; i++)
        if (!in->scores[i].code)
            return req_error(r, ERR_NOMEM, NULL, "out of memory");
    q->op.run = run_rate;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

/* ---- the public vote ---- */

/* GET /api/public/review-votes */
static int api_votes_list(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct review_round *items = NULL;
    int n = 0;
    int rc = review_public_rounds(req_db(r), &r->arena, &items, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)items[i].id,
                                             "title", items[i].title, "period", items[i].period,
                                             "subject_kind", items[i].subject_kind, "node_name",
                                             items[i].node_name));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* GET /api/public/review-votes/{id} */
static int api_votes_get(struct req *r)
{
    int64_t id = 0;
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct review_round *x = arena_alloc(&r->arena, sizeof(*x));
    if (!x)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct err e = {0};
    int vote = 0;
    if (req_param_id(r, 0, &id) == 0 && review_get(req_db(r), NULL, id, x, &e) == 0)
        for (int i = 0; i < x->form.ngroups; i++)
            vote |= strcmp(x->form.groups[i].kind, "public_vote") == 0;
    if (!vote || strcmp(x->state, "draft") == 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such public vote");
    struct review_subject *subs = NULL;
    int n = 0, truncated = 0;
    int rc = review_subjects(req_db(r), x, &r->arena, &subs, &n, &truncated);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)subs[i].id, "name",
                                             subs[i].name ? subs[i].name : "", "unit_name",
                                             subs[i].unit_name ? subs[i].unit_name : ""));
    return req_json(r, 200,
                    json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)x->id, "title",
                              x->title, "period", x->period, "subject_kind", x->subject_kind,
                              "node_name", x->node_name, "state", x->state, "subjects", arr,
                              "truncated", truncated));
}

static int run_vote(struct db *db, struct api_op *op, struct err *e)
{
    struct rop *q = (struct rop *)op;
    int rc = review_vote(db, q->id, &q->vote, q->now, e);
    if (rc < 0)
        return rc;
    op->result = json_pack("{s:I,s:i}", "round_id", (json_int_t)q->id, "votes", q->vote.nchoices);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/public/review-votes/{id} {name, id_number, phone, votes:[{subject_id, choice}]} */
static int api_votes_cast(struct req *r)
{
    struct rop *q = rop_new(r);
    if (!q || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &q->id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such public vote");
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    json_t *votes = json_incref(json_object_get(j, "votes"));
    json_object_del(j, "votes");
    struct review_vote_input *in = &q->vote;
    struct jfield f[] = {
        {"name", JF_STRING, 1, &in->name, 1, REVIEW_VOTE_NAME_MAX, NULL},
        {"id_number", JF_STRING, 1, &in->id_number, 1, 18, NULL},
        {"phone", JF_STRING, 1, &in->phone, 1, 20, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, 3, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        json_decref(votes);
        return req_fail(r, &e);
    }
    if (!json_is_array(votes) || json_array_size(votes) < 1 ||
        json_array_size(votes) > REVIEW_SUBJECTS_MAX) {
        json_decref(votes);
        return req_error(r, ERR_INVALID, "votes", "votes must be a list of 1 to %d choices",
                         REVIEW_SUBJECTS_MAX);
    }
    size_t i;
    json_t *o;
    json_array_foreach(votes, i, o)
    {
        struct jfield vf[] = {
            {"subject_id", JF_INT, 1, &in->choices[i].subject_id, 1, INT64_MAX, NULL},
            {"choice", JF_STRING, 1, &in->choices[i].choice, 1, 16, NULL},
        };
        json_t *c = json_is_object(o) ? json_deep_copy(o) : NULL;
        rc = c ? json_in_unpack(c, vf, 2, &r->arena, &e) : ERR_INVALID;
        json_decref(c);
        if (rc < 0) {
            char field[64];
            snprintf(field, sizeof(field), "votes[%zu]%s%.30s", i, e.field[0] ? "." : "", e.field);
            json_decref(votes);
            return req_error(r, ERR_INVALID, field, "%s is not a valid choice", field);
        }
        in->nchoices++;
    }
    json_decref(votes);
    q->op.run = run_vote;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/review-rounds", api_rounds_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/review-rounds", api_rounds_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/review-rounds/{id}", api_rounds_get, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/review-rounds/{id}", api_rounds_update, 0, 0, NULL, 0},
    {HTTP_POST, "/api/review-rounds/{id}/open", api_rounds_open, 0, 0, NULL, 0},
    {HTTP_POST, "/api/review-rounds/{id}/close", api_rounds_close, 0, 0, NULL, 0},
    {HTTP_GET, "/api/review-rounds/{id}/todo", api_rounds_todo, 0, 0, NULL, 0},
    {HTTP_GET, "/api/review-rounds/{id}/results", api_rounds_results, 0, 0, NULL, 0},
    {HTTP_GET, "/api/review-rounds/{id}/ratings", api_rounds_ratings, 0, 0, NULL, 0},
    {HTTP_POST, "/api/review-rounds/{id}/ratings", api_rounds_rate, 0, 0, NULL, 0},
    {HTTP_GET, "/api/public/review-votes", api_votes_list, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/public/review-votes/{id}", api_votes_get, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_POST, "/api/public/review-votes/{id}", api_votes_cast, ROUTE_PUBLIC, 32768, NULL, 0},
};

const struct api_module api_review_module = {routes, sizeof(routes) / sizeof(routes[0])};

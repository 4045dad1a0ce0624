/* api_badreview.c - 差评 work orders over HTTP: lists and counts, one order,
 * its steps, appeal and review, and the regions' deadline profiles
 * (docs/api.md, "差评 work orders"). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/badreview.h"
#include "domain/case.h"

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

static json_t *day_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

/* a stored JSON array of codes; [] when unreadable */
static json_t *codes_json(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(j)) {
        json_decref(j);
        return json_array();
    }
    return j;
}

/* ---- rendering ---- */

static json_t *list_json(const struct badreview *r)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "evaluation_id", json_integer(r->evaluation_id));
    json_object_set_new(j, "state", json_string(r->state));
    json_object_set_new(j, "open", json_boolean(r->open));
    json_object_set_new(j, "region_id", json_integer(r->region_id));
    json_object_set_new(j, "unit_id", json_integer(r->unit_id));
    json_object_set_new(j, "unit_name", str_or_null(r->unit_name));
    json_object_set_new(j, "staff_id", id_or_null(r->staff_id));
    json_object_set_new(j, "staff_name", str_or_null(r->staff_name));
    json_object_set_new(j, "window_id", id_or_null(r->window_id));
    json_object_set_new(j, "window_name", str_or_null(r->window_name));
    json_object_set_new(j, "item_name", json_string(r->item_name ? r->item_name : ""));
    json_object_set_new(j, "level", json_integer(r->level));
    json_object_set_new(j, "reasons", codes_json(r->reasons));
    json_object_set_new(j, "channel", str_or_null(r->channel));
    json_object_set_new(j, "profile_id", id_or_null(r->profile_id));
    json_object_set_new(j, "profile_name", str_or_null(r->profile_name));
    json_object_set_new(j, "opened_at", json_integer(r->opened_at));
    json_object_set_new(j, "opened_day", json_string(r->opened_day));
    json_object_set_new(j, "step", day_or_null(r->step));
    json_object_set_new(j, "due_at", r->open ? json_integer(r->due_at) : json_null());
    json_object_set_new(j, "due_day", r->open ? day_or_null(r->due_day) : json_null());
    json_object_set_new(j, "overdue", json_boolean(r->overdue));
    json_object_set_new(j, "finding", str_or_null(r->finding));
    json_object_set_new(j, "classification", str_or_null(r->classification));
    json_object_set_new(j, "deadline_day", day_or_null(r->deadline_day));
    json_object_set_new(j, "rating", str_or_null(r->rating));
    json_object_set_new(j, "closed_at", id_or_null(r->closed_at));
    json_object_set_new(j, "appeal_state", str_or_null(r->appeal_state));
    return j;
}

static json_t *steps_json(const struct badreview *r)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < r->nsteps; i++) {
        const struct badreview_step_rec *s = &r->steps[i];
        json_t *o = json_object();
        if (!o)
            break;
        json_object_set_new(o, "step", json_string(s->step));
        json_object_set_new(o, "due_at", json_integer(s->due_at));
        json_object_set_new(o, "due_day", day_or_null(s->due_day));
        json_object_set_new(o, "done_at", id_or_null(s->done_at));
        json_object_set_new(o, "done_by", id_or_null(s->done_by));
        json_object_set_new(o, "done_by_name", str_or_null(s->done_by_name));
        json_object_set_new(o, "late", json_boolean(s->late));
        json_object_set_new(o, "overdue", json_boolean(s->overdue));
        json_object_set_new(o, "warned", json_boolean(s->warned));
        json_object_set_new(o, "note", json_string(s->note ? s->note : ""));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *appeal_json(const struct badreview *r)
{
    if (!r->has_appeal)
        return json_null();
    const struct badreview_appeal_rec *p = &r->appeal;
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_integer(p->id));
    json_object_set_new(o, "state", json_string(p->state));
    json_object_set_new(o, "reason", json_string(p->reason ? p->reason : ""));
    json_object_set_new(o, "evidence", json_string(p->evidence ? p->evidence : ""));
    json_object_set_new(o, "appealed_by", json_integer(p->appealed_by));
    json_object_set_new(o, "appealed_by_name", str_or_null(p->appealed_by_name));
    json_object_set_new(o, "appealed_at", json_integer(p->appealed_at));
    json_object_set_new(o, "decided_by", id_or_null(p->decided_by));
    json_object_set_new(o, "decided_by_name", str_or_null(p->decided_by_name));
    json_object_set_new(o, "decided_at", id_or_null(p->decided_at));
    json_object_set_new(o, "decision_note", str_or_null(p->decision_note));
    return o;
}

static json_t *actions_json(const struct actor *who, const struct badreview *r)
{
    unsigned bits = badreview_actions(who, r);
    json_t *a = json_array();
    for (int i = 0; a && i < BRS_N; i++)
        if (bits & (1u << i))
            json_array_append_new(a, json_string(badreview_step_name(i)));
    if (a && (bits & BADREVIEW_ACT_APPEAL))
        json_array_append_new(a, json_string("appeal"));
    if (a && (bits & BADREVIEW_ACT_DECIDE))
        json_array_append_new(a, json_string("decide_appeal"));
    return a;
}

json_t *api_badreview_json(const struct actor *who, const struct badreview *r)
{
    json_t *j = list_json(r);
    if (!j || !r->full)
        return j;
    const struct badreview_eval *v = &r->ev;
    json_object_set_new(j, "evaluation",
                        json_pack("{s:I,s:i,s:o,s:s,s:s,s:s,s:I,s:b,s:s,s:s,s:b}", "id",
                                  (json_int_t)v->id, "level", v->level, "reasons",
                                  codes_json(v->reasons), "text", v->text ? v->text : "", "channel",
                                  v->channel ? v->channel : "", "day", v->day, "created_at",
                                  (json_int_t)v->created_at, "real_name", v->real_name,
                                  "phone_mask", v->phone_mask ? v->phone_mask : "", "id_mask",
                                  v->id_mask ? v->id_mask : "", "excluded", v->excluded));
    json_object_set_new(j, "contact",
                        r->contact_method ? json_pack("{s:s,s:I}", "method", r->contact_method,
                                                      "contacted_at", (json_int_t)r->contacted_at)
                                          : json_null());
    json_object_set_new(j, "steps", steps_json(r));
    json_object_set_new(j, "appeal", appeal_json(r));
    json_object_set_new(j, "actions", actions_json(who, r));
    return j;
}

static json_t *profile_json(const struct badreview_profile *p)
{
    json_t *steps = json_object();
    for (int i = 0; steps && i < BRL_N; i++)
        json_object_set_new(steps, badreview_limit_name(i),
                            json_pack("{s:i,s:s}", "n", p->limits[i].n, "unit", p->limits[i].unit));
    return json_pack("{s:o,s:I,s:s,s:b,s:b,s:o*,s:o,s:o}", "id", id_or_null(p->id), "region_id",
                     (json_int_t)p->region_id, "name", p->name, "default", p->is_default, "builtin",
                     p->builtin, "steps", steps, "created_at",
                     p->created_at ? json_integer(p->created_at) : json_null(), "created_by_name",
                     p->created_by_name[0] ? json_string(p->created_by_name) : json_null());
}

/* ---- reads ---- */

/* GET /api/bad-reviews?state=&overdue=&node_id=&mine=&appeal=&page=&per_page= */
static int api_badreviews_list(struct req *r)
{
    struct badreview_filter f = {0};
    int64_t overdue = 0, mine = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.state = nz_query(r, "state");
    f.appeal = nz_query(r, "appeal");
    if (req_query_int(r, "overdue", 0, 1, &overdue) < 0 ||
        req_query_int(r, "mine", 0, 1, &mine) < 0 ||
        req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, f.node_id, "node_id") < 0)
        return REQ_DONE;
    f.overdue = (int)overdue;
    f.mine = (int)mine;
    struct badreview *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (badreview_list(req_db(r), &r->who, &f, now_s(), &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, list_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* GET /api/bad-reviews/stats?node_id= */
static int api_badreviews_stats(struct req *r)
{
    int64_t node_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, node_id, "node_id") < 0)
        return REQ_DONE;
    struct badreview_stats s;
    struct err e = {0};
    if (badreview_stats(req_db(r), &r->who, node_id, now_s(), &s, &e) < 0)
        return req_fail(r, &e);
    json_t *states = json_object();
    for (int i = 0; states && i < BADREVIEW_NSTATES; i++)
        json_object_set_new(states, badreview_state_name(i), json_integer(s.states[i]));
    return req_json(
        r, 200,
        json_pack("{s:o,s:o*,s:I,s:I,s:I,s:I}", "node_id", id_or_null(node_id), "states", states,
                  "open", (json_int_t)s.open, "overdue", (json_int_t)s.overdue, "appeals_pending",
                  (json_int_t)s.appeals_pending, "late_steps", (json_int_t)s.late_steps));
}

/* GET /api/bad-reviews/{id} */
static int api_badreviews_get(struct req *r)
{
    int64_t id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such work order");
    int64_t now = now_s();
    struct badreview b;
    struct err e = {0};
    if (badreview_get(req_db(r), &r->who, id, now, &r->arena, &b, &e) < 0)
        return req_fail(r, &e);
    json_t *j = api_badreview_json(&r->who, &b);
    return j ? req_json(r, 200, j) : req_error(r, ERR_NOMEM, NULL, "out of memory");
}

/* ---- writes ---- */

struct bop {
    struct api_op op;
    int64_t now;
    int64_t id;
    const struct calendar *cal;
    enum badreview_step step;
    struct badreview_args args;
    const char *reason, *evidence, *decision, *note;
    struct badreview_profile profile;
    int render; /* answer with the order q->id, read after the commit */
};

static struct bop *bop_new(struct req *r)
{
    struct bop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

/* A staff write on one order (path parameter 0 into q->id): NULL with the
 * answer given on failure. */
static struct bop *order_op(struct req *r)
{
    struct bop *q = bop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such work order");
        return NULL;
    }
    return q;
}

/* The answer of an order write: the order read after the commit, so the
 * writer spends no time on JSON. */
static int order_after(struct req *r, int rc, struct err *e)
{
    struct bop *q = r->job.arg;
    if (rc < 0 || !q->render)
        return api_op_after(r, rc, e);
    struct badreview b;
    struct err ge = {0};
    if (badreview_get(req_db(r), NULL, q->id, now_s(), &r->arena, &b, &ge) < 0)
        return req_fail(r, &ge);
    json_t *j = api_badreview_json(&q->op.who, &b);
    if (!j)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return req_json(r, q->op.status ? q->op.status : 200, j);
}

static int run_act(struct db *db, struct api_op *op, struct err *e)
{
    struct bop *q = (struct bop *)op;
    int rc = badreview_act(db, &op->who, q->cal, q->id, q->step, &q->args, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* POST /api/bad-reviews/{id}/{step} */
static int api_badreviews_act(struct req *r)
{
    struct bop *q = order_op(r);
    if (!q)
        return REQ_DONE;
    int step = badreview_step_parse(r->nparams > 1 ? r->params[1] : "");
    if (step < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such step");
    q->step = (enum badreview_step)step;
    struct badreview_args *a = &q->args;
    struct jfield f[3];
    int nf = 0;
    int note_required = step == BRS_VERIFY || step == BRS_RECTIFY || step == BRS_FOLLOWUP;
    switch (step) {
    case BRS_CONTACT:
        f[nf++] = (struct jfield){"method", JF_STRING, 1, &a->method, 1, 16, NULL};
        f[nf++] = (struct jfield){"contacted_at", JF_INT, 0, &a->contacted_at, 1, INT64_MAX, NULL};
        break;
    case BRS_VERIFY:
        f[nf++] = (struct jfield){"finding", JF_STRING, 1, &a->finding, 1, 16, NULL};
        break;
    case BRS_CLASSIFY:
        f[nf++] = (struct jfield){"classification", JF_STRING, 1, &a->classification, 1, 16, NULL};
        f[nf++] = (struct jfield){"deadline", JF_STRING, 0, &a->deadline, 1, 32, NULL};
        break;
    case BRS_RATE:
        f[nf++] = (struct jfield){"rating", JF_STRING, 1, &a->rating, 1, 16, NULL};
        break;
    default:
        break;
    }
    f[nf++] = (struct jfield){
        "note", JF_STRING, note_required, &a->note, note_required ? 1 : 0, BADREVIEW_TEXT_MAX,
        NULL};
    if (api_body(r, f, nf) < 0)
        return REQ_DONE;
    if (!(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_act;
    return api_submit_with(r, &q->op, order_after);
}

static int run_appeal(struct db *db, struct api_op *op, struct err *e)
{
    struct bop *q = (struct bop *)op;
    int rc = badreview_appeal(db, &op->who, q->id, q->reason, q->evidence, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* POST /api/bad-reviews/{id}/appeal {reason, evidence?} */
static int api_badreviews_appeal(struct req *r)
{
    struct bop *q = order_op(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"reason", JF_STRING, 1, &q->reason, 1, BADREVIEW_TEXT_MAX, NULL},
        {"evidence", JF_STRING, 0, &q->evidence, 0, BADREVIEW_TEXT_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0)
        return REQ_DONE;
    q->op.run = run_appeal;
    q->op.status = 201;
    return api_submit_with(r, &q->op, order_after);
}

static int run_decide(struct db *db, struct api_op *op, struct err *e)
{
    struct bop *q = (struct bop *)op;
    int upheld = strcmp(q->decision, "upheld") == 0;
    int rc = badreview_appeal_decide(db, &op->who, q->id, upheld, q->note, q->now, e);
    q->render = rc == 0;
    return rc;
}

/* POST /api/bad-reviews/{id}/appeal/decide {decision, note} */
static int api_badreviews_decide(struct req *r)
{
    struct bop *q = order_op(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"decision", JF_STRING, 1, &q->decision, 1, 16, NULL},
        {"note", JF_STRING, 1, &q->note, 1, BADREVIEW_TEXT_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0)
        return REQ_DONE;
    if (strcmp(q->decision, "upheld") != 0 && strcmp(q->decision, "rejected") != 0)
        return req_error(r, ERR_INVALID, "decision", "decision must be upheld or rejected");
    q->op.run = run_decide;
    return api_submit_with(r, &q->op, order_after);
}

/* ---- profiles ---- */

/* GET /api/bad-review-profiles?region_id= */
static int api_profiles_list(struct req *r)
{
    int64_t region_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "region_id", 1, INT64_MAX, &region_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (!region_id)
        region_id = case_region_of(r->who.scope);
    struct badreview_profile *items = NULL, current;
    int n = 0;
    struct err e = {0};
    if (badreview_profiles(req_db(r), &r->who, region_id, &r->arena, &items, &n, &e) < 0)
        return req_fail(r, &e);
    int rc = badreview_profile_current(req_db(r), region_id, &current);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, profile_json(&items[i]));
    return req_json(r, 200,
                    json_pack("{s:I,s:o*,s:o*}", "region_id", (json_int_t)region_id, "items", arr,
                              "current", profile_json(&current)));
}

static int run_profile_create(struct db *db, struct api_op *op, struct err *e)
{
    struct bop *q = (struct bop *)op;
    int64_t id = 0;
    int rc = badreview_profile_create(db, &op->who, &q->profile, q->now, &id, e);
    if (rc < 0)
        return rc;
    struct badreview_profile p;
    rc = badreview_profile_get(db, id, &p);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    op->result = profile_json(&p);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* The "steps" object of a profile into p; answers 400 and returns < 0 on a
 * bad one. */
static int profile_steps(struct req *r, json_t *steps, struct badreview_profile *p)
{
    if (!json_is_object(steps))
        return req_error(r, ERR_INVALID, "steps", "steps must be an object"), ERR_INVALID;
    const char *key;
    json_t *v;
    json_object_foreach(steps, key, v)
    {
        int known = 0;
        for (int i = 0; i < BRL_N; i++)
            known |= strcmp(key, badreview_limit_name(i)) == 0;
        if (!known) {
            char field[80];
            snprintf(field, sizeof(field), "steps.%.60s", key);
            return req_error(r, ERR_INVALID, field, "unknown field %s", field), ERR_INVALID;
        }
    }
    for (int i = 0; i < BRL_N; i++) {
        char field[80];
        snprintf(field, sizeof(field), "steps.%s", badreview_limit_name(i));
        json_t *o = json_object_get(steps, badreview_limit_name(i));
        if (!json_is_object(o))
            return req_error(r, ERR_INVALID, field, "%s must be an object with n and unit", field),
                   ERR_INVALID;
        int64_t n = 0;
        const char *unit = NULL;
        struct jfield f[] = {
            {"n", JF_INT, 1, &n, -1000000, 1000000, NULL},
            {"unit", JF_STRING, 1, &unit, 1, 11, NULL},
        };
        struct err e = {0};
        if (json_in_unpack(o, f, 2, &r->arena, &e) < 0) {
            char sub[160];
            snprintf(sub, sizeof(sub), "%s.%s", field, e.field);
            return req_error(r, ERR_INVALID, sub, "%s", e.msg), ERR_INVALID;
        }
        p->limits[i].n = (int)n;
        snprintf(p->limits[i].unit, sizeof(p->limits[i].unit), "%s", unit);
    }
    return 0;
}

/* POST /api/bad-review-profiles {region_id?, name, default?, steps} */
static int api_profiles_create(struct req *r)
{
    struct bop *q = bop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    json_t *steps = json_incref(json_object_get(j, "steps"));
    json_object_del(j, "steps");
    const char *name = NULL;
    struct jfield f[] = {
        {"region_id", JF_INT, 0, &q->profile.region_id, 1, INT64_MAX, NULL},
        {"name", JF_STRING, 1, &name, 1, BADREVIEW_NAME_MAX, NULL},
        {"default", JF_BOOL, 0, &q->profile.is_default, 0, 0, NULL},
    };
    struct err e = {0};
    int rc = json_in_unpack(j, f, 3, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        json_decref(steps);
        return req_fail(r, &e);
    }
    if (!steps)
        return req_error(r, ERR_INVALID, "steps", "steps is required");
    rc = profile_steps(r, steps, &q->profile);
    json_decref(steps);
    if (rc < 0)
        return REQ_DONE;
    snprintf(q->profile.name, sizeof(q->profile.name), "%s", name);
    if (!q->profile.region_id)
        q->profile.region_id = case_region_of(r->who.scope);
    q->op.run = run_profile_create;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

static int run_profile_default(struct db *db, struct api_op *op, struct err *e)
{
    struct bop *q = (struct bop *)op;
    int rc = badreview_profile_set_default(db, &op->who, q->id, q->now, e);
    if (rc < 0)
        return rc;
    struct badreview_profile p;
    rc = badreview_profile_get(db, q->id, &p);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    op->result = profile_json(&p);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/bad-review-profiles/{id}/default */
static int api_profiles_default(struct req *r)
{
    struct bop *q = bop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &q->id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such profile");
    q->op.run = run_profile_default;
    return api_submit(r, &q->op);
}

/* /stats and the appeal routes come before the patterns they would match:
 * the router takes the first pattern that matches. */
static const struct route routes[] = {
    {HTTP_GET, "/api/bad-reviews/stats", api_badreviews_stats, 0, 0, NULL, 0},
    {HTTP_GET, "/api/bad-reviews", api_badreviews_list, 0, 0, NULL, 0},
    {HTTP_GET, "/api/bad-reviews/{id}", api_badreviews_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/bad-reviews/{id}/appeal/decide", api_badreviews_decide, 0, 0, NULL, 0},
    {HTTP_POST, "/api/bad-reviews/{id}/appeal", api_badreviews_appeal, 0, 0, NULL, 0},
    {HTTP_POST, "/api/bad-reviews/{id}/{step}", api_badreviews_act, 0, 0, NULL, 0},
    {HTTP_GET, "/api/bad-review-profiles", api_profiles_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/bad-review-profiles", api_profiles_create, 0, 0, NULL, 0},
    {HTTP_POST, "/api/bad-review-profiles/{id}/default", api_profiles_default, 0, 0, NULL, 0},
};

const struct api_module api_badreview_module = {routes, sizeof(routes) / sizeof(routes[0])};

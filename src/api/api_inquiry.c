/* api_inquiry.c - first inquiries (首问登记) over HTTP: record, lists by box,
 * the full form with its events and the caller's actions, the owner's and
 * the receiver's actions, and the conversion into a case (docs/api.md,
 * "First inquiries"). Staff accounts only. */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/calendar.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "domain/inquiry.h"

#define INQUIRY_PHONE_INPUT_MAX 32 /* characters of a phone as typed (spaces, hyphens) */

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static json_t *id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* an empty form field or query parameter counts as absent */
static const char *none_if_empty(const char *s)
{
    return s && *s ? s : NULL;
}

static json_t *events_json(const struct inquiry_rec *q)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < q->nevents; i++) {
        const struct inquiry_event_row *ev = &q->events[i];
        json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:s,s:o,s:o,s:s,s:I}", "id",
                                             (json_int_t)ev->id, "kind", ev->kind, "staff_id",
                                             id_or_null(ev->staff_id), "actor", ev->actor,
                                             "target_staff_id", id_or_null(ev->target_staff_id),
                                             "target_node_id", id_or_null(ev->target_node_id),
                                             "detail", ev->detail, "at", (json_int_t)ev->at));
    }
    return arr;
}

static json_t *actions_json(unsigned actions)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < INQUIRY_ACTIONS_N; i++)
        if (actions & (1u << i))
            json_array_append_new(arr, json_string(inquiry_action_name(i)));
    return arr;
}

/* An inquiry as the API shows it; with full, its events and actions too.
 * New reference, NULL when out of memory. */
static json_t *inquiry_json(const struct inquiry_rec *q, int full)
{
    json_t *pending = json_null();
    if (q->pending_since)
        pending = json_pack(
            "{s:o,s:o,s:o,s:o,s:I}", "staff_id", id_or_null(q->pending_staff_id), "staff_name",
            str_or_null(q->pending_staff_name), "node_id", id_or_null(q->pending_node_id),
            "node_name", str_or_null(q->pending_node_name), "since", (json_int_t)q->pending_since);
    json_t *j = json_object();
    if (!j) {
        json_decref(pending);
        return NULL;
    }
    json_object_set_new(j, "id", json_integer(q->id));
    json_object_set_new(j, "node_id", json_integer(q->node_id));
    json_object_set_new(j, "node_name", json_string(q->node_name));
    json_object_set_new(j, "owner_id", json_integer(q->owner_id));
    json_object_set_new(j, "owner_name", json_string(q->owner_name));
    json_object_set_new(j, "first_owner_id", json_integer(q->first_owner_id));
    json_object_set_new(j, "first_owner_name", json_string(q->first_owner_name));
    json_object_set_new(j, "citizen_name", json_string(q->citizen_name));
    json_object_set_new(j, "phone_mask", json_string(q->phone_mask));
    json_object_set_new(j, "question", json_string(q->question));
    json_object_set_new(j, "item_code", str_or_null(q->item_code));
    json_object_set_new(j, "channel", json_string(q->channel));
    json_object_set_new(j, "status", json_string(inquiry_status_name(q->status)));
    json_object_set_new(j, "answer", str_or_null(q->answer));
    json_object_set_new(j, "referred_to", str_or_null(q->referred_to));
    json_object_set_new(j, "case_id", id_or_null(q->case_id));
    json_object_set_new(j, "pending", pending ? pending : json_null());
    json_object_set_new(j, "escalated", json_boolean(q->escalated_at > 0));
    json_object_set_new(j, "created_at", json_integer(q->created_at));
    json_object_set_new(j, "closed_at", q->closed_at ? json_integer(q->closed_at) : json_null());
    json_object_set_new(j, "updated_at", json_integer(q->updated_at));
    if (full) {
        json_object_set_new(j, "events", events_json(q));
        json_object_set_new(j, "actions", actions_json(q->actions));
    }
    return j;
}

/* GET /api/inquiries?box=mine|inbox|scope&status=&page=&per_page= */
static int api_inquiries_list(struct req *r)
{
    struct inquiry_filter f = {0};
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    f.box = none_if_empty(req_query(r, "box"));
    f.status = none_if_empty(req_query(r, "status"));
    if (api_page(r, &f.page, &f.per_page) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct inquiry_rec *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (inquiry_list(req_db(r), &r->who, &f, &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, inquiry_json(&items[i], 0));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* GET /api/inquiries/{id} */
static int api_inquiries_get(struct req *r)
{
    int64_t id;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    struct inquiry_rec q;
    struct err e = {0};
    if (inquiry_get(req_db(r), &r->who, id, &r->arena, &q, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, inquiry_json(&q, 1));
}

/* ---- writes ---- */

enum iop_kind {
    IOP_CREATE = 1,
    IOP_ANSWER,
    IOP_HANDOVER,
    IOP_ACCEPT,
    IOP_DECLINE,
    IOP_REFER,
    IOP_CASE
};

struct iop {
    struct api_op op;
    enum iop_kind kind;
    int64_t now, id;
    struct inquiry_input in;
    const char *text; /* answer, department */
    const char *note;
    int64_t staff_id, node_id;
    /* a conversion into a case */
    struct case_input case_in;
    const struct calendar *cal;
    int64_t case_id;
    char query_code[CASE_QUERY_CODE_LEN + 1];
};

static struct iop *iop_new(struct req *r, enum iop_kind kind)
{
    struct iop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->kind = kind;
    q->now = now_s();
    q->op.status = kind == IOP_CREATE || kind == IOP_CASE ? 201 : 200;
    return q;
}

/* The prologue of a POST on one inquiry: a new op for a staff caller, no
 * query, the path's id in q->id. NULL when the request is answered. */
static struct iop *iop_for_id(struct req *r, enum iop_kind kind)
{
    struct iop *q = iop_new(r, kind);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0)
        return NULL;
    return q;
}

/* The inquiry as it now stands, for who (after the write, in its
 * transaction): the write's actor may no longer see it (a declined
 * handover), so only the actions depend on them. */
static int render(struct db *db, struct api_op *op, int64_t id, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec q;
    int rc = inquiry_get(db, NULL, id, &a, &q, e);
    if (rc == 0) {
        q.actions = inquiry_actions(&q, &op->who);
        op->result = inquiry_json(&q, 1);
        if (!op->result)
            rc = err_set(e, ERR_NOMEM, NULL, "out of memory");
    }
    arena_reset(&a);
    return rc;
}

/* After a conversion: {"case": the case (full form), "query_code",
 * "inquiry": the inquiry (full)}. */
static int render_case(struct db *db, struct iop *q, struct err *e)
{
    int rc = render(db, &q->op, q->id, e);
    if (rc < 0)
        return rc;
    json_t *inquiry = q->op.result;
    q->op.result = NULL;
    struct arena a = {0};
    struct case_rec c;
    rc = case_get(db, NULL, q->cal, q->case_id, q->now, &a, &c, e);
    if (rc == 0) {
        q->op.result =
            json_pack("{s:o*,s:s,s:o*}", "case", api_case_full_json(&q->op.who, &c, q->now),
                      "query_code", q->query_code, "inquiry", inquiry);
        inquiry = NULL;
        if (!q->op.result)
            rc = err_set(e, ERR_NOMEM, NULL, "out of memory");
    }
    json_decref(inquiry);
    arena_reset(&a);
    return rc;
}

static int run_inquiry(struct db *db, struct api_op *op, struct err *e)
{
    struct iop *q = (struct iop *)op;
    const struct actor *who = &op->who;
    int rc = ERR_INVALID;
    switch (q->kind) {
    case IOP_CREATE:
        rc = inquiry_create(db, who, &q->in, q->now, &q->id, e);
        break;
    case IOP_ANSWER:
        rc = inquiry_answer(db, who, q->id, q->text, q->now, e);
        break;
    case IOP_HANDOVER:
        rc = inquiry_handover(db, who, q->id, q->staff_id, q->node_id, q->note, q->now, e);
        break;
    case IOP_ACCEPT:
        rc = inquiry_accept(db, who, q->id, q->now, e);
        break;
    case IOP_DECLINE:
        rc = inquiry_decline(db, who, q->id, q->note, q->now, e);
        break;
    case IOP_REFER:
        rc = inquiry_refer(db, who, q->id, q->text, q->note, q->now, e);
        break;
    case IOP_CASE: {
        int missing = 0;
        rc = inquiry_convert(db, who, q->cal, q->id, &q->case_in, q->now, &q->case_id,
                             q->query_code, &missing, e);
        if (rc == ERR_CALENDAR && e->code != ERR_CALENDAR)
            rc = err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
        if (rc < 0)
            return rc;
        return render_case(db, q, e);
    }
    }
    if (rc < 0)
        return rc;
    return render(db, op, q->id, e);
}

/* Unpack the body by f: null counts as absent for an optional field (an
 * empty form field); with empty_ok an empty body counts as {}. Answers 400
 * and returns < 0 on failure. */
static int body(struct req *r, const struct jfield *f, int n, int empty_ok)
{
    if (r->body_len == 0 && empty_ok)
        return 0;
    json_t *j = req_body_json(r);
    if (!j)
        return ERR_INVALID;
    for (int i = 0; i < n; i++)
        if (!f[i].required && json_is_null(json_object_get(j, f[i].name)))
            json_object_del(j, f[i].name);
    struct err e = {0};
    int rc = json_in_unpack(j, f, n, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        req_fail(r, &e);
    return rc;
}

/* POST /api/inquiries {citizen_name, phone, question, item_code?, channel} */
static int api_inquiries_create(struct req *r)
{
    struct iop *q = iop_new(r, IOP_CREATE);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"citizen_name", JF_STRING, 1, &q->in.citizen_name, 1, INQUIRY_NAME_MAX, NULL},
        {"phone", JF_STRING, 1, &q->in.phone, 1, INQUIRY_PHONE_INPUT_MAX, NULL},
        {"question", JF_STRING, 1, &q->in.question, 1, INQUIRY_TEXT_MAX, NULL},
        {"item_code", JF_STRING, 0, &q->in.item_code, 0, CATALOG_CODE_MAX, NULL},
        {"channel", JF_STRING, 1, &q->in.channel, 1, 16, NULL},
    };
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        body(r, f, (int)(sizeof(f) / sizeof(f[0])), 0) < 0)
        return REQ_DONE;
    q->in.item_code = none_if_empty(q->in.item_code);
    q->op.run = run_inquiry;
    return api_submit(r, &q->op);
}

/* POST /api/inquiries/{id}/{action}: the body's fields by action */
static int action(struct req *r, enum iop_kind kind)
{
    struct iop *q = iop_for_id(r, kind);
    if (!q)
        return REQ_DONE;
    struct jfield f[3];
    int n = 0;
    switch (kind) {
    case IOP_ANSWER:
        f[n++] = (struct jfield){"answer", JF_STRING, 1, &q->text, 1, INQUIRY_TEXT_MAX, NULL};
        break;
    case IOP_HANDOVER:
        f[n++] = (struct jfield){"staff_id", JF_ID_OR_NULL, 0, &q->staff_id, 1, INT64_MAX, NULL};
        f[n++] = (struct jfield){"node_id", JF_ID_OR_NULL, 0, &q->node_id, 1, INT64_MAX, NULL};
        f[n++] = (struct jfield){"note", JF_STRING, 0, &q->note, 0, INQUIRY_TEXT_MAX, NULL};
        break;
    case IOP_DECLINE:
        f[n++] = (struct jfield){"note", JF_STRING, 1, &q->note, 1, INQUIRY_TEXT_MAX, NULL};
        break;
    case IOP_REFER:
        f[n++] =
            (struct jfield){"department", JF_STRING, 1, &q->text, 1, INQUIRY_DEPARTMENT_MAX, NULL};
        f[n++] = (struct jfield){"note", JF_STRING, 0, &q->note, 0, INQUIRY_TEXT_MAX, NULL};
        break;
    case IOP_ACCEPT:
    case IOP_CREATE:
    case IOP_CASE:
        break;
    }
    if (body(r, f, n, kind == IOP_ACCEPT) < 0)
        return REQ_DONE;
    q->note = none_if_empty(q->note);
    q->op.run = run_inquiry;
    return api_submit(r, &q->op);
}

static int api_inquiry_answer(struct req *r)
{
    return action(r, IOP_ANSWER);
}

static int api_inquiry_handover(struct req *r)
{
    return action(r, IOP_HANDOVER);
}

static int api_inquiry_accept(struct req *r)
{
    return action(r, IOP_ACCEPT);
}

static int api_inquiry_decline(struct req *r)
{
    return action(r, IOP_DECLINE);
}

static int api_inquiry_refer(struct req *r)
{
    return action(r, IOP_REFER);
}

/* POST /api/inquiries/{id}/case {the body of POST /api/cases without
 * ticket_id}: the owner registers a case from the inquiry */
static int api_inquiry_case(struct req *r)
{
    struct iop *q = iop_for_id(r, IOP_CASE);
    if (!q)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    int rc = api_case_input(r, j, &q->case_in, 0);
    json_decref(j);
    if (rc < 0 || !(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_inquiry;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/inquiries", api_inquiries_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries", api_inquiries_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/inquiries/{id}", api_inquiries_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/answer", api_inquiry_answer, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/handover", api_inquiry_handover, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/accept", api_inquiry_accept, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/decline", api_inquiry_decline, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/refer", api_inquiry_refer, 0, 0, NULL, 0},
    {HTTP_POST, "/api/inquiries/{id}/case", api_inquiry_case, 0, 0, NULL, 0},
};

const struct api_module api_inquiry_module = {routes, sizeof(routes) / sizeof(routes[0])};

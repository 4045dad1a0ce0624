/* api_case.c - cases (办件) over HTTP: registration, lists, one case with its
 * history and what the caller may do, the actions of the state machine,
 * transfer, extensions, query codes, the contact read, the leader board and
 * the public status (docs/api.md, "Cases"). Also the sweep thread that
 * raises deadline warnings. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/log.h"
#include "domain/badreview.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "domain/evaluation.h"
#include "domain/case_impl.h"
#include "domain/org.h"
#include "http/server.h"
#include "store/writer.h"

#define BOARD_LIST_MAX 100

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
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

static json_t *clock_json(const struct case_clock *c)
{
    return json_pack("{s:b,s:s,s:i,s:i,s:i,s:o,s:o,s:o,s:i,s:i,s:b,s:s,s:o}", "has_clock",
                     c->has_clock, "unit", c->unit ? c->unit : "workdays", "promised_limit",
                     c->promised_limit, "legal_limit", c->legal_limit, "extension_days",
                     c->extension_days, "promised_due", day_or_null(c->promised_due), "legal_due",
                     day_or_null(c->legal_due), "yellow_day", day_or_null(c->yellow_day),
                     "remaining", c->remaining, "used", c->used, "paused", c->paused, "level",
                     c->level ? c->level : "none", "legal_missing_year",
                     c->legal_missing_year ? json_integer(c->legal_missing_year) : json_null());
}

static json_t *modes_json(const char *modes)
{
    json_t *arr = json_array();
    const char *p = modes ? modes : "";
    while (arr && *p) {
        size_t len = strcspn(p, ",");
        json_array_append_new(arr, json_stringn(p, len));
        p += len;
        if (*p == ',')
            p++;
    }
    return arr;
}

json_t *api_case_json(const struct case_rec *c)
{
    json_t *agent = c->agent_name ? json_pack("{s:s,s:o,s:o}", "name", c->agent_name, "phone_mask",
                                              str_or_null(c->agent_phone_mask), "id_mask",
                                              str_or_null(c->agent_id_mask))
                                  : json_null();
    json_t *j = json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:s,s:I,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:o,s:o}", "id",
        (json_int_t)c->id, "number", c->number, "item_code", c->item_code, "item_name",
        c->item_name, "kind", c->kind, "version_id", (json_int_t)c->version_id, "node_id",
        (json_int_t)c->node_id, "node_name", c->node_name, "handler_id", (json_int_t)c->handler_id,
        "handler_name", c->handler_name, "first_owner_id", (json_int_t)c->first_owner_id,
        "first_owner_name", c->first_owner_name, "ticket_id", id_or_null(c->ticket_id),
        "inquiry_id", id_or_null(c->inquiry_id), "window_id", id_or_null(c->window_id),
        "applicant_kind", c->applicant_kind, "applicant_name", c->applicant_name, "phone_mask",
        c->phone_mask, "id_mask", str_or_null(c->id_mask), "org_code", str_or_null(c->org_code));
    if (!j) {
        json_decref(agent);
        return NULL;
    }
    json_object_set_new(j, "agent", agent);
    json_object_set_new(j, "modes", modes_json(c->modes));
    json_object_set_new(j, "state", json_string(case_state_name(c->state)));
    json_object_set_new(j, "open", json_boolean(c->open));
    json_object_set_new(j, "paused", json_boolean(c->paused));
    json_object_set_new(j, "decision", str_or_null(c->decision));
    json_object_set_new(j, "received_day", json_string(c->received_day));
    json_object_set_new(j, "received_at", json_integer(c->received_at));
    json_object_set_new(j, "closed_at", c->closed_at ? json_integer(c->closed_at) : json_null());
    json_object_set_new(j, "closed_day", day_or_null(c->closed_day));
    json_object_set_new(j, "outcome", str_or_null(c->outcome));
    json_object_set_new(j, "created_at", json_integer(c->created_at));
    json_object_set_new(j, "updated_at", json_integer(c->updated_at));
    json_object_set_new(j, "clock", clock_json(&c->clock));
    return j;
}

/* what the actor may do with the case now */
static json_t *actions_json(const struct actor *who, const struct case_rec *c, const char *today)
{
    json_t *a = json_array();
    int holder = who->staff_id == c->handler_id;
    int immediate = strcmp(c->kind, "immediate") == 0;
    int had_supplement = 0, pending_ext = 0;
    for (int i = 0; i < c->npauses; i++)
        had_supplement |= strcmp(c->pauses[i].kind, "supplement") == 0;
    for (int i = 0; i < c->nextensions; i++)
        pending_ext |= strcmp(c->extensions[i].status, "pending") == 0;
#define ADD(s) json_array_append_new(a, json_string(s))
    if (holder && c->open) {
        enum case_state s = c->state;
        /* the clock can be stopped only before the promised date */
        int can_stop =
            immediate || (c->clock.promised_due[0] && strcmp(today, c->clock.promised_due) < 0);
        if ((s == CASE_RECEIVED || s == CASE_SUPPLEMENTED) && !had_supplement && can_stop)
            ADD("supplement_request");
        if (s == CASE_SUPPLEMENT_REQUESTED)
            ADD("supplement");
        if (s == CASE_RECEIVED || s == CASE_SUPPLEMENTED)
            ADD("accept");
        if (s == CASE_ACCEPTED)
            ADD("start");
        if ((s == CASE_ACCEPTED || s == CASE_IN_PROGRESS) && !immediate && !c->paused && can_stop)
            ADD("pause");
        if (c->paused && s != CASE_SUPPLEMENT_REQUESTED)
            ADD("resume");
        if ((s == CASE_ACCEPTED || s == CASE_IN_PROGRESS) && !c->paused)
            ADD("decide");
        if ((s == CASE_DECIDED ||
             (immediate && (s == CASE_RECEIVED || s == CASE_ACCEPTED || s == CASE_IN_PROGRESS))) &&
            !c->paused)
            ADD("complete");
        if (s != CASE_DECIDED)
            ADD("return");
        ADD("withdraw");
        if (!immediate && !c->paused && !pending_ext && c->clock.promised_due[0] &&
            !c->clock.legal_missing_year && strcmp(today, c->clock.promised_due) <= 0)
            ADD("extension");
    }
    if (c->open && (holder || who->role == ROLE_LEADER || who->role == ROLE_ADMIN)) {
        ADD("transfer");
        ADD("query_code");
    }
    ADD("contact");
#undef ADD
    return a;
}

json_t *api_case_full_json(const struct actor *who, const struct case_rec *c, int64_t now)
{
    json_t *j = api_case_json(c);
    if (!j)
        return NULL;
    char today[DATE_TEXT];
    case_today(now, today);
    json_t *m = json_array(), *ev = json_array(), *p = json_array(), *x = json_array();
    for (int i = 0; i < c->nmaterials; i++)
        json_array_append_new(
            m, json_pack("{s:I,s:s,s:b,s:b,s:b}", "material_id",
                         (json_int_t)c->materials[i].material_id, "name", c->materials[i].name,
                         "required", c->materials[i].required, "received", c->materials[i].received,
                         "requested", c->materials[i].requested));
    for (int i = 0; i < c->nevents; i++) {
        const struct case_event_row *v = &c->events[i];
        json_array_append_new(
            ev, json_pack("{s:I,s:s,s:o,s:o,s:o,s:s,s:o,s:s,s:I}", "id", (json_int_t)v->id, "kind",
                          v->kind, "from_state", str_or_null(v->from_state), "to_state",
                          str_or_null(v->to_state), "staff_id", id_or_null(v->staff_id), "actor",
                          v->actor, "node_id", id_or_null(v->node_id), "detail",
                          v->detail ? v->detail : "", "at", (json_int_t)v->at));
    }
    for (int i = 0; i < c->npauses; i++)
        json_array_append_new(p, json_pack("{s:I,s:s,s:s,s:o,s:s}", "id",
                                           (json_int_t)c->pauses[i].id, "kind", c->pauses[i].kind,
                                           "stop_day", c->pauses[i].stop_day, "resume_day",
                                           day_or_null(c->pauses[i].resume_day), "reason",
                                           c->pauses[i].reason ? c->pauses[i].reason : ""));
    for (int i = 0; i < c->nextensions; i++) {
        const struct case_extension_row *e = &c->extensions[i];
        json_array_append_new(
            x, json_pack("{s:I,s:i,s:s,s:s,s:I,s:s,s:I,s:o,s:o,s:o,s:o,s:b}", "id",
                         (json_int_t)e->id, "days", e->days, "reason", e->reason, "status",
                         e->status, "requested_by", (json_int_t)e->requested_by,
                         "requested_by_name", e->requested_by_name, "requested_at",
                         (json_int_t)e->requested_at, "decided_by", id_or_null(e->decided_by),
                         "decided_by_name", str_or_null(e->decided_by_name), "decided_at",
                         e->decided_at ? json_integer(e->decided_at) : json_null(), "decision_note",
                         str_or_null(e->decision_note), "citizen_notified", e->citizen_notified));
    }
    json_object_set_new(j, "materials", m);
    json_object_set_new(j, "events", ev);
    json_object_set_new(j, "pauses", p);
    json_object_set_new(j, "extensions", x);
    json_object_set_new(j, "actions", actions_json(who, c, today));
    return j;
}

/* ---- writes ---- */

struct cop {
    struct api_op op;
    int64_t now;
    int64_t id;
    const struct calendar *cal;
    struct case_input in;
    enum case_action act;
    struct case_action_args args;
    int64_t staff_id, days, ext_id;
    const char *note, *reason;
    int approve;
    char code[CASE_QUERY_CODE_LEN + 1];
    int with_code;
    int render;                      /* answer with the case q->id, read after the commit */
    char eval_token[EVAL_TOKEN_MAX]; /* a registration's: the receipt's QR code */
    int64_t eval_event;              /* the evaluation event the write opened */
};

static struct cop *cop_new(struct req *r)
{
    struct cop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    q->in.eval_token = q->eval_token;
    q->in.eval_event_id = &q->eval_event;
    q->args.eval_event_id = &q->eval_event;
    return q;
}

/* The start of a staff write on one case or extension request (path
 * parameter 0 into q->id): NULL with the answer given on failure. */
static struct cop *case_op(struct req *r, const char *what)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return NULL;
    if (req_param_id(r, 0, &q->id) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such %s", what);
        return NULL;
    }
    return q;
}

/* A write's run function leaves the case to answer in q->id; the answer is
 * read and rendered after the commit on the HTTP thread, so the writer does
 * not spend its time on JSON. */
static int result_case(struct db *db, struct cop *q, struct err *e)
{
    (void)db;
    (void)e;
    q->render = 1;
    return 0;
}

static int case_after(struct req *r, int rc, struct err *e)
{
    struct cop *q = r->job.arg;
    if (rc < 0 || !q->render)
        return api_op_after(r, rc, e);
    struct case_rec c;
    struct err ge = {0};
    if (case_get(req_db(r), NULL, q->cal, q->id, q->now, &r->arena, &c, &ge) < 0)
        return req_fail(r, &ge);
    json_t *full = api_case_full_json(&q->op.who, &c, q->now);
    json_t *res = q->with_code ? json_pack("{s:o*,s:s,s:s}", "case", full, "query_code", q->code,
                                           "eval_token", q->eval_token)
                               : full;
    if (!res)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    int ret = req_json(r, q->op.status ? q->op.status : 200, res);
    if (q->eval_event) /* the tablet asks for the evaluation */
        api_eval_invite(r, q->eval_event, c.window_id ? c.window_id : c.node_id);
    return ret;
}

static int calendar_fail(struct err *e, int rc, int missing)
{
    if (rc == ERR_CALENDAR && e->code != ERR_CALENDAR)
        return err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
    return rc;
}

static int case_register_run(struct db *db, const struct actor *who, const struct calendar *cal,
                             const struct case_input *in, int64_t now, int64_t *id,
                             char code[CASE_QUERY_CODE_LEN + 1], struct err *e)
{
    int missing = 0;
    int rc = case_register(db, who, cal, in, now, id, code, &missing, e);
    return rc < 0 ? calendar_fail(e, rc, missing) : rc;
}

static int run_register(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = case_register_run(db, &op->who, q->cal, &q->in, q->now, &q->id, q->code, e);
    if (rc < 0)
        return rc;
    q->with_code = 1;
    return result_case(db, q, e);
}

/* copy a JSON array of ids into the arena (at most max); < 0 when not ids */
static int ids_of(struct req *r, json_t *arr, int max, const int64_t **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr) || (int)json_array_size(arr) > max)
        return ERR_INVALID;
    int64_t *v = arena_alloc(&r->arena, sizeof(*v) * (json_array_size(arr) + 1));
    if (!v)
        return ERR_NOMEM;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *x = json_array_get(arr, i);
        if (!json_is_integer(x) || json_integer_value(x) < 1)
            return ERR_INVALID;
        v[i] = json_integer_value(x);
    }
    *out = v;
    *n = (int)json_array_size(arr);
    return 0;
}

/* unpack a nested object; errors name "prefix.field" */
static int unpack_in(struct req *r, json_t *obj, const char *prefix, const struct jfield *f, int n,
                     struct err *e)
{
    if (!json_is_object(obj))
        return err_set(e, ERR_INVALID, prefix, "%s must be an object", prefix);
    int rc = json_in_unpack(obj, f, n, &r->arena, e);
    if (rc < 0) {
        char field[128], msg[320];
        snprintf(field, sizeof(field), "%s.%s", prefix, e->field);
        snprintf(msg, sizeof(msg), "%s.%s", prefix, e->msg);
        err_set(e, rc, field, "%s", msg);
    }
    return rc;
}

/* the body of a registration into in (shared with the inquiry conversion);
 * answers 400 and returns < 0 on a bad body */
int api_case_input(struct req *r, json_t *j, struct case_input *in, int allow_ticket)
{
    struct err e = {0};
    json_t *applicant = json_object_get(j, "applicant");
    json_t *agent = json_object_get(j, "agent");
    json_t *modes = json_object_get(j, "modes");
    json_t *materials = json_object_get(j, "materials");
    if (!applicant)
        return req_error(r, ERR_INVALID, "applicant", "applicant is required"), ERR_INVALID;
    struct jfield af[] = {
        {"kind", JF_STRING, 0, &in->applicant_kind, 1, 10, NULL},
        {"name", JF_STRING, 1, &in->applicant.name, 1, CASE_NAME_MAX, NULL},
        {"phone", JF_STRING, 1, &in->applicant.phone, 1, 24, NULL},
        {"id_number", JF_STRING, 0, &in->applicant.id_number, 0, 18, NULL},
        {"org_code", JF_STRING, 0, &in->org_code, 0, 18, NULL},
    };
    struct jfield gf[] = {
        {"name", JF_STRING, 1, &in->agent.name, 1, CASE_NAME_MAX, NULL},
        {"phone", JF_STRING, 1, &in->agent.phone, 1, 24, NULL},
        {"id_number", JF_STRING, 0, &in->agent.id_number, 0, 18, NULL},
    };
    if (unpack_in(r, applicant, "applicant", af, 5, &e) < 0)
        return req_fail(r, &e), ERR_INVALID;
    if (agent && !json_is_null(agent)) {
        if (unpack_in(r, agent, "agent", gf, 3, &e) < 0)
            return req_fail(r, &e), ERR_INVALID;
        in->has_agent = 1;
    }
    if (modes) {
        if (!json_is_array(modes) || json_array_size(modes) > 5)
            return req_error(r, ERR_INVALID, "modes", "modes must be an array of names"),
                   ERR_INVALID;
        size_t len = 0;
        char buf[128] = "";
        for (size_t i = 0; i < json_array_size(modes); i++) {
            const char *s = json_string_value(json_array_get(modes, i));
            if (!s || strlen(s) > 20)
                return req_error(r, ERR_INVALID, "modes", "modes must be an array of names"),
                       ERR_INVALID;
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "," : "", s);
        }
        in->modes = arena_strdup(&r->arena, buf);
    }
    int rc = ids_of(r, materials, CASE_MATERIALS_MAX, &in->materials, &in->nmaterials);
    if (rc < 0)
        return req_error(r, ERR_INVALID, "materials", "materials must be an array of material ids"),
               ERR_INVALID;
    json_object_del(j, "applicant");
    json_object_del(j, "agent");
    json_object_del(j, "modes");
    json_object_del(j, "materials");
    int complete_now = 0;
    struct jfield f[] = {
        {"version_id", JF_INT, 0, &in->version_id, 1, INT64_MAX, NULL},
        {"item_code", JF_STRING, 0, &in->item_code, 1, CATALOG_CODE_MAX, NULL},
        {"node_id", JF_INT, 0, &in->node_id, 1, INT64_MAX, NULL},
        {"received_day", JF_STRING, 0, &in->received_day, 10, 10, NULL},
        {"complete_now", JF_BOOL, 0, &complete_now, 0, 0, NULL},
        {"note", JF_STRING, 0, &in->note, 0, CASE_TEXT_MAX, NULL},
        {"ticket_id", JF_INT, 0, &in->ticket_id, 1, INT64_MAX, NULL},
    };
    rc = json_in_unpack(j, f, allow_ticket ? 7 : 6, &r->arena, &e);
    if (rc < 0)
        return req_fail(r, &e), ERR_INVALID;
    in->complete_now = complete_now;
    return 0;
}

/* POST /api/cases */
static int api_cases_create(struct req *r)
{
    struct cop *q = cop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    int rc = api_case_input(r, j, &q->in, 1);
    json_decref(j);
    if (rc < 0)
        return REQ_DONE;
    if (!(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_register;
    q->op.status = 201;
    return api_submit_with(r, &q->op, case_after);
}

static int run_act(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int missing = 0;
    int rc = case_act(db, &op->who, q->cal, q->id, q->act, &q->args, q->now, &missing, e);
    if (rc < 0)
        return calendar_fail(e, rc, missing);
    return result_case(db, q, e);
}

static const struct {
    const char *name;
    enum case_action act;
} ACTIONS[] = {
    {"supplement-request", CASE_ACT_SUPPLEMENT_REQUEST},
    {"supplement", CASE_ACT_SUPPLEMENT},
    {"accept", CASE_ACT_ACCEPT},
    {"start", CASE_ACT_START},
    {"pause", CASE_ACT_PAUSE},
    {"resume", CASE_ACT_RESUME},
    {"decide", CASE_ACT_DECIDE},
    {"complete", CASE_ACT_COMPLETE},
    {"return", CASE_ACT_RETURN},
    {"withdraw", CASE_ACT_WITHDRAW},
};

/* POST /api/cases/{id}/{action} */
static int api_cases_act(struct req *r)
{
    struct cop *q = case_op(r, "case");
    if (!q)
        return REQ_DONE;
    const char *name = r->nparams > 1 ? r->params[1] : "";
    int found = 0;
    for (size_t i = 0; i < sizeof(ACTIONS) / sizeof(ACTIONS[0]); i++)
        if (strcmp(name, ACTIONS[i].name) == 0) {
            q->act = ACTIONS[i].act;
            found = 1;
        }
    if (!found)
        return req_error(r, ERR_NOTFOUND, NULL, "no such action");
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    json_t *materials = json_object_get(j, "materials");
    int rc = 0;
    if (materials && q->act != CASE_ACT_SUPPLEMENT_REQUEST && q->act != CASE_ACT_SUPPLEMENT)
        rc = req_error(r, ERR_INVALID, "materials", "unknown field materials");
    else if (ids_of(r, materials, CASE_MATERIALS_MAX, &q->args.materials, &q->args.nmaterials) < 0)
        rc = req_error(r, ERR_INVALID, "materials", "materials must be an array of material ids");
    if (rc != 0) {
        json_decref(j);
        return REQ_DONE;
    }
    json_object_del(j, "materials");
    struct jfield f[2] = {
        {"note", JF_STRING, 0, &q->args.note, 0, CASE_TEXT_MAX, NULL},
        {"kind", JF_STRING, 0, &q->args.pause_kind, 1, 20, NULL},
    };
    int nf = 1;
    if (q->act == CASE_ACT_PAUSE)
        nf = 2;
    if (q->act == CASE_ACT_DECIDE) {
        f[1] = (struct jfield){"decision", JF_STRING, 0, &q->args.decision, 1, 20, NULL};
        nf = 2;
    }
    struct err e = {0};
    rc = json_in_unpack(j, f, nf, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    if (!(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_act;
    q->op.status = 200;
    return api_submit_with(r, &q->op, case_after);
}

static int run_transfer(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = case_transfer(db, &op->who, q->id, q->staff_id, q->note, q->now, e);
    return rc < 0 ? rc : result_case(db, q, e);
}

/* POST /api/cases/{id}/transfer {staff_id, note} */
static int api_cases_transfer(struct req *r)
{
    struct cop *q = case_op(r, "case");
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"staff_id", JF_INT, 1, &q->staff_id, 1, INT64_MAX, NULL},
        {"note", JF_STRING, 0, &q->note, 0, CASE_TEXT_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0 || !(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_transfer;
    return api_submit_with(r, &q->op, case_after);
}

static int run_extension(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int missing = 0;
    int64_t ext = 0;
    int rc = case_extension_request(db, &op->who, q->cal, q->id, (int)q->days, q->reason, q->now,
                                    &ext, &missing, e);
    if (rc < 0)
        return calendar_fail(e, rc, missing);
    return result_case(db, q, e);
}

/* POST /api/cases/{id}/extensions {days, reason} */
static int api_cases_extension(struct req *r)
{
    struct cop *q = case_op(r, "case");
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"days", JF_INT, 1, &q->days, 1, CALENDAR_MAX_LIMIT, NULL},
        {"reason", JF_STRING, 1, &q->reason, 1, CASE_TEXT_MAX, NULL},
    };
    if (api_body(r, f, 2) < 0 || !(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->op.run = run_extension;
    q->op.status = 201;
    return api_submit_with(r, &q->op, case_after);
}

static int run_ext_decide(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int missing = 0;
    int rc = case_extension_decide(db, &op->who, q->cal, q->ext_id, q->approve, q->note, q->now,
                                   &missing, e);
    if (rc < 0)
        return calendar_fail(e, rc, missing);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, "SELECT case_id FROM case_extension WHERE id = ?1", &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, q->ext_id);
    if (db_step(st) == DB_ROW)
        q->id = db_col_int64(st, 0);
    db_finalize(st);
    return result_case(db, q, e);
}

static int ext_decide(struct req *r, int approve)
{
    struct cop *q = case_op(r, "extension request");
    if (!q)
        return REQ_DONE;
    q->ext_id = q->id;
    q->id = 0; /* the case: known after the decision */
    struct jfield f[] = {{"note", JF_STRING, 0, &q->note, 0, CASE_TEXT_MAX, NULL}};
    if (api_body(r, f, 1) < 0 || !(q->cal = api_request_calendar(r)))
        return REQ_DONE;
    q->approve = approve;
    q->op.run = run_ext_decide;
    return api_submit_with(r, &q->op, case_after);
}

static int api_extension_approve(struct req *r)
{
    return ext_decide(r, 1);
}

static int api_extension_reject(struct req *r)
{
    return ext_decide(r, 0);
}

static int run_query_code(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    int rc = case_new_query_code(db, &op->who, q->id, q->now, q->code, e);
    if (rc < 0)
        return rc;
    op->result = json_pack("{s:s}", "query_code", q->code);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/cases/{id}/query-code */
static int api_cases_query_code(struct req *r)
{
    struct cop *q = case_op(r, "case");
    if (!q)
        return REQ_DONE;
    if (api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->op.run = run_query_code;
    return api_submit(r, &q->op);
}

static int run_contact(struct db *db, struct api_op *op, struct err *e)
{
    struct cop *q = (struct cop *)op;
    char phone[PII_PHONE_MAX + 1], agent[PII_PHONE_MAX + 1];
    int rc = case_contact(db, &op->who, q->id, phone, agent, q->now, e);
    if (rc < 0)
        return rc;
    op->result = json_pack("{s:s,s:o}", "phone", phone, "agent_phone",
                           agent[0] ? json_string(agent) : json_null());
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/cases/{id}/contact: the full numbers for a call (audited) */
static int api_cases_contact(struct req *r)
{
    struct cop *q = case_op(r, "case");
    if (!q)
        return REQ_DONE;
    if (api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->op.run = run_contact;
    return api_submit(r, &q->op);
}

/* ---- reads ---- */

/* GET /api/cases/{id} */
static int api_cases_get(struct req *r)
{
    int64_t id;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such case");
    const struct calendar *cal = api_request_calendar(r);
    if (!cal)
        return REQ_DONE;
    struct case_rec c;
    struct err e = {0};
    int64_t now = now_s();
    if (case_get(req_db(r), &r->who, cal, id, now, &r->arena, &c, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, api_case_full_json(&r->who, &c, now));
}

/* GET /api/cases?view=&state=&level=&node_id=&q=&page=&per_page= */
static int api_cases_list(struct req *r)
{
    struct case_filter f = {0};
    f.view = req_query(r, "view");
    f.state = req_query(r, "state");
    f.level = req_query(r, "level");
    f.q = req_query(r, "q");
    const char *mine = req_query(r, "mine");
    if (mine && strcmp(mine, "1") != 0 && strcmp(mine, "0") != 0)
        return req_error(r, ERR_INVALID, "mine", "mine must be 0 or 1");
    f.mine = mine && strcmp(mine, "1") == 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0 ||
        (req_query(r, "node_id") && req_query_int(r, "node_id", 1, INT64_MAX, &f.node_id) < 0) ||
        req_query_done(r) < 0)
        return REQ_DONE;
    if (f.q && strlen(f.q) > CASE_NAME_MAX)
        return req_error(r, ERR_INVALID, "q", "q is too long");
    const struct calendar *cal = api_request_calendar(r);
    if (!cal)
        return REQ_DONE;
    struct case_rec *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct err e = {0};
    if (case_list(req_db(r), &r->who, cal, &f, now_s(), &r->arena, &items, &n, &total, &e) < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, api_case_json(&items[i]));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static json_t *warn_list(struct req *r, const struct calendar *cal, const char *level,
                         int64_t node_id, struct err *e)
{
    struct case_filter f = {
        .view = "warn", .level = level, .node_id = node_id, .page = 1, .per_page = BOARD_LIST_MAX};
    struct case_rec *items = NULL;
    int n = 0;
    int64_t total = 0;
    if (case_list(req_db(r), &r->who, cal, &f, now_s(), &r->arena, &items, &n, &total, e) < 0)
        return NULL;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, api_case_json(&items[i]));
    return arr;
}

static int64_t count_sql(struct db *db, const char *sql, const char *path, const char *today)
{
    char end[ACTOR_PATH_MAX + 2];
    org_path_end(path, end, sizeof(end));
    struct db_stmt *st = NULL;
    int64_t n = 0;
    if (db_prepare(db, sql, &st) < 0)
        return 0;
    db_bind_text(st, 1, path);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, today);
    if (db_step(st) == DB_ROW)
        n = db_col_int64(st, 0);
    db_finalize(st);
    return n;
}

/* GET /api/cases/board?node_id=: the leader's view of the subtree */
static int api_cases_board(struct req *r)
{
    int64_t node_id = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        (req_query(r, "node_id") && req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0) ||
        req_query_done(r) < 0)
        return REQ_DONE;
    const char *path = r->who.scope;
    if (node_id) {
        struct org_node n;
        if (api_filter_node(r, node_id, "node_id") < 0)
            return REQ_DONE;
        if (api_org_get(r, node_id, &n) < 0)
            return req_error(r, ERR_INVALID, "node_id", "no such node");
        path = arena_strdup(&r->arena, n.path);
    }
    const struct calendar *cal = api_request_calendar(r);
    if (!cal)
        return REQ_DONE;
    struct err e = {0};
    char today[DATE_TEXT];
    case_today(now_s(), today);
    struct db *db = req_db(r);
    struct case_warn_counts wc;
    if (case_warn_scan(db, path, today, &wc, NULL, 0, NULL) < 0)
        return req_error(r, ERR_DB, NULL, "database error");
    json_t *overdue = warn_list(r, cal, "overdue", node_id, &e);
    json_t *red = overdue ? warn_list(r, cal, "red", node_id, &e) : NULL;
    json_t *yellow = red ? warn_list(r, cal, "yellow", node_id, &e) : NULL;
    if (!yellow) {
        json_decref(overdue);
        json_decref(red);
        return req_fail(r, &e);
    }
    struct case_ext_pending *x = NULL;
    int nx = 0;
    if (case_extensions_pending(db, path, &r->arena, &x, BOARD_LIST_MAX, &nx) < 0) {
        json_decref(overdue);
        json_decref(red);
        json_decref(yellow);
        return req_error(r, ERR_DB, NULL, "database error");
    }
    json_t *exts = json_array();
    for (int i = 0; i < nx; i++)
        json_array_append_new(
            exts,
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:i,s:s,s:I,s:I,s:o,s:o}", "id", (json_int_t)x[i].id,
                      "case_id", (json_int_t)x[i].case_id, "case_number", x[i].case_number,
                      "item_name", x[i].item_name, "handler_name", x[i].handler_name, "days",
                      x[i].days, "reason", x[i].reason, "requested_by",
                      (json_int_t)x[i].requested_by, "requested_at", (json_int_t)x[i].requested_at,
                      "promised_due", day_or_null(x[i].promised_due), "legal_due",
                      day_or_null(x[i].legal_due)));
    struct acct_filter af = {.status = "pending", .page = 1, .per_page = BOARD_LIST_MAX};
    struct acct_rec *ar = NULL;
    int na = 0;
    int64_t atotal = 0;
    json_t *accts = json_array();
    if (acct_list(db, &r->who, &af, &r->arena, &ar, &na, &atotal, &e) < 0) {
        json_decref(overdue);
        json_decref(red);
        json_decref(yellow);
        json_decref(exts);
        json_decref(accts);
        return req_fail(r, &e);
    }
    for (int i = 0; i < na; i++)
        json_array_append_new(accts, api_acct_json(&ar[i]));
    int64_t open = count_sql(db,
                             "SELECT COUNT(*) FROM case_file WHERE open = 1 AND (?1 = '' OR"
                             " (node_path >= ?1 AND node_path < ?2)) AND ?3 <> ''",
                             path, today);
    int64_t xtotal = count_sql(db,
                               "SELECT COUNT(*) FROM case_extension x JOIN case_file c"
                               " ON c.id = x.case_id WHERE x.status = 'pending' AND (?1 = ''"
                               " OR (c.node_path >= ?1 AND c.node_path < ?2)) AND ?3 <> ''",
                               path, today);
    int64_t fu = count_sql(db,
                           "SELECT COUNT(*) FROM followup WHERE status = 'scheduled' AND (?1 = ''"
                           " OR (node_path >= ?1 AND node_path < ?2)) AND due_day < ?3",
                           path, today);
    json_t *counts =
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "yellow", (json_int_t)wc.yellow, "red",
                  (json_int_t)wc.red, "overdue", (json_int_t)wc.overdue, "open", (json_int_t)open,
                  "extensions_pending", (json_int_t)xtotal, "accountability_pending",
                  (json_int_t)atotal, "followups_overdue", (json_int_t)fu);
    return req_json(r, 200,
                    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "counts", counts, "overdue", overdue,
                              "red", red, "yellow", yellow, "extensions", exts, "accountability",
                              accts));
}

/* GET /api/public/cases/{number}?code= */
static int api_public_case(struct req *r)
{
    const char *code = req_query(r, "code");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (!code)
        return req_error(r, ERR_INVALID, "code", "give the query code printed on the receipt");
    const struct calendar *cal = api_request_calendar(r);
    if (!cal)
        return REQ_DONE;
    struct case_public p;
    struct err e = {0};
    if (case_public_status(req_db(r), cal, r->nparams > 0 ? r->params[0] : NULL, code, now_s(),
                           &r->arena, &p, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200,
                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:o}", "number", p.number, "item_name",
                              p.item_name, "unit_name", p.unit_name, "state", p.state,
                              "received_day", p.received_day, "expected_day",
                              day_or_null(p.expected_day), "last_update", (json_int_t)p.last_update,
                              "last_event", str_or_null(p.last_event)));
}

/* ---- the sweep thread ---- */

static pthread_t sweep_thread;
static pthread_mutex_t sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sweep_cv;
static int sweep_running;
static struct app *sweep_app;
static long sweep_ms = 60000;

static int run_sweep(struct db *db, void *arg, struct err *e)
{
    (void)arg;
    struct calendar *cal = NULL;
    int rc = calendar_load(db, &cal);
    if (rc < 0)
        return err_set(e, rc, NULL, "cannot read the calendar");
    int raised = 0, bad_raised = 0;
    int64_t now = now_s();
    rc = case_sweep(db, cal, now, &raised);
    if (rc >= 0) {
        /* 差评 work order steps past due (badreview.h) */
        int brc = badreview_sweep(db, cal, now, &bad_raised);
        if (brc < 0)
            rc = brc;
        raised += bad_raised;
    }
    free(cal);
    if (rc < 0)
        return err_set(e, rc, NULL, "the case sweep failed");
    if (raised)
        log_info("case sweep", "notifications=%d", raised);
    return rc; /* 1: deadlines still to recompute after a calendar change */
}

static void *sweep_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sweep_mu);
    while (sweep_running) {
        pthread_mutex_unlock(&sweep_mu);
        struct err e = {0};
        int rc = writer_run(sweep_app->writer, run_sweep, NULL, &e);
        if (rc < 0 && e.code != ERR_UNAVAILABLE)
            log_warn("case sweep failed", "error=\"%s\"", e.msg);
        /* evaluation windows that closed (its own transaction) */
        struct err ee = {0};
        int erc = writer_run(sweep_app->writer, api_eval_sweep, NULL, &ee);
        if (erc < 0 && ee.code != ERR_UNAVAILABLE)
            log_warn("evaluation sweep failed", "error=\"%s\"", ee.msg);
        if (erc == 1 && rc >= 0)
            rc = 1;
        /* after a calendar change, recompute in short steps that let other
         * writes through between them */
        long wait_ms = rc == 1 && sweep_ms > 100 ? 100 : sweep_ms;
        pthread_mutex_lock(&sweep_mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (sweep_running && pthread_cond_timedwait(&sweep_cv, &sweep_mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&sweep_mu);
    return NULL;
}

int case_sweeper_start(struct app *app)
{
    const char *env = getenv("CHUANGKOU_CASE_SWEEP_MS");
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 50 && v <= 3600000)
            sweep_ms = v;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sweep_cv, &ca);
    pthread_condattr_destroy(&ca);
    sweep_app = app;
    sweep_running = 1;
    if (pthread_create(&sweep_thread, NULL, sweep_main, NULL) != 0) {
        sweep_running = 0;
        pthread_cond_destroy(&sweep_cv);
        return ERR_NOMEM;
    }
    return 0;
}

void case_sweeper_stop(void)
{
    pthread_mutex_lock(&sweep_mu);
    if (!sweep_running) {
        pthread_mutex_unlock(&sweep_mu);
        return;
    }
    sweep_running = 0;
    pthread_cond_signal(&sweep_cv);
    pthread_mutex_unlock(&sweep_mu);
    pthread_join(sweep_thread, NULL);
    pthread_cond_destroy(&sweep_cv);
}

static const struct route routes[] = {
    {HTTP_POST, "/api/cases", api_cases_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/cases", api_cases_list, 0, 0, NULL, 0},
    {HTTP_GET, "/api/cases/board", api_cases_board, 0, 0, NULL, 0},
    {HTTP_GET, "/api/cases/{id}", api_cases_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/cases/{id}/transfer", api_cases_transfer, 0, 0, NULL, 0},
    {HTTP_POST, "/api/cases/{id}/extensions", api_cases_extension, 0, 0, NULL, 0},
    {HTTP_POST, "/api/cases/{id}/query-code", api_cases_query_code, 0, 0, NULL, 0},
    {HTTP_POST, "/api/cases/{id}/contact", api_cases_contact, 0, 0, NULL, 0},
    {HTTP_POST, "/api/cases/{id}/{action}", api_cases_act, 0, 0, NULL, 0},
    {HTTP_POST, "/api/extensions/{id}/approve", api_extension_approve, 0, 0, NULL, 0},
    {HTTP_POST, "/api/extensions/{id}/reject", api_extension_reject, 0, 0, NULL, 0},
    {HTTP_GET, "/api/public/cases/{number}", api_public_case, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_case_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* api_appointment.c - appointments (预约) over HTTP: slots of an item at a
 * hall, booking (the public on the web, staff for a caller by phone),
 * status, cancelling and check-in at the hall (docs/api.md, "Queue and
 * calling"). Check-in issues a ticket of the appointment class. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/date.h"
#include "domain/appointment.h"
#include "domain/calendar.h"
#include "domain/org.h"
#include "domain/queue.h"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static json_t *appt_json(const struct appointment *a)
{
    char from[8], until[8];
    snprintf(from, sizeof(from), "%02d:%02d", (a->start / 60) % 100, a->start % 60);
    snprintf(until, sizeof(until), "%02d:%02d", (a->end / 60) % 100, a->end % 60);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o,s:I,s:I}",
                     "hall_id", (json_int_t)a->hall_id, "hall_name", a->hall_name, "item_code",
                     a->item_code, "item_name", a->item_name, "day", a->day, "slot_start", a->start,
                     "slot_end", a->end, "slot_from", from, "slot_until", until, "name", a->name,
                     "code_hint", a->code_hint, "status", appt_status_name(a->status), "created_at",
                     (json_int_t)a->created_at, "cancelled_at",
                     a->cancelled_at ? json_integer(a->cancelled_at) : json_null(), "checked_in_at",
                     a->checked_in_at ? json_integer(a->checked_in_at) : json_null(), "ticket_id",
                     a->ticket_id ? json_integer(a->ticket_id) : json_null(), "checkin_from",
                     (json_int_t)a->checkin_from, "checkin_until", (json_int_t)a->checkin_until);
}

/* A hall from path parameter 0 (active); answers 404 otherwise. */
static int hall_param(struct req *r, struct org_node *n)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = api_org_get(r, id, n);
    if (rc == 0 && (strcmp(n->kind, "hall") != 0 || !n->active))
        rc = ERR_NOTFOUND;
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such hall" : "database error");
        return rc;
    }
    return 0;
}

/* GET /api/halls/{id}/slots?item_code=&day=: public */
static int api_slots_get(struct req *r)
{
    struct org_node hall;
    const char *item = req_query(r, "item_code");
    const char *day = req_query(r, "day");
    if (req_query_done(r) < 0 || hall_param(r, &hall) < 0)
        return REQ_DONE;
    if (!item)
        return req_error(r, ERR_INVALID, "item_code", "give item_code");
    if (!day)
        return req_error(r, ERR_INVALID, "day", "give day as YYYY-MM-DD");
    const struct calendar *cal = api_request_calendar(r);
    if (!cal)
        return REQ_DONE;
    struct appt_slot *s = NULL;
    int n = 0, missing = 0;
    struct err e = {0};
    int rc =
        appt_slots(req_db(r), cal, hall.id, item, day, now_s(), &r->arena, &s, &n, &missing, &e);
    if (rc < 0)
        return req_fail(r, &e);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:i,s:i,s:i,s:i,s:i,s:b}", "start", s[i].start, "end",
                                        s[i].end, "capacity", s[i].capacity, "booked", s[i].booked,
                                        "remaining", s[i].remaining, "open", s[i].open));
    return req_json(r, 200,
                    json_pack("{s:I,s:s,s:s,s:o}", "hall_id", (json_int_t)hall.id, "item_code",
                              item, "day", day, "items", arr));
}

/* ---- writes ---- */

struct aop {
    struct api_op op;
    int64_t now;
    int64_t hall_id;
    int64_t ticket_id; /* set by a check-in */
    struct appt_input in;
    const char *code, *phone, *item_code;
    struct appt_slot_def slots[APPT_SLOTS_MAX];
    int nslots;
};

static struct aop *aop_new(struct req *r)
{
    struct aop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    memset(q, 0, sizeof(*q));
    q->now = now_s();
    return q;
}

static int run_book(struct db *db, struct api_op *op, struct err *e)
{
    struct aop *q = (struct aop *)op;
    struct calendar *cal = NULL;
    int rc = calendar_load(db, &cal);
    if (rc < 0)
        return err_set(e, rc, NULL, "cannot read the calendar");
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    int missing = 0;
    rc = appt_book(db, &op->who, cal, &q->in, q->now, &a, code, &missing, e);
    free(cal);
    if (rc < 0)
        return rc;
    op->result = appt_json(&a);
    if (!op->result)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    json_object_set_new(op->result, "code", json_string(code));
    json_object_set_new(op->result, "channel", json_string(a.channel));
    return 0;
}

static int book(struct req *r, int by_staff)
{
    struct aop *q = aop_new(r);
    if (!q)
        return REQ_DONE;
    int64_t slot = -1;
    struct jfield f[] = {
        {"item_code", JF_STRING, 1, &q->in.item_code, 1, CATALOG_CODE_MAX, NULL},
        {"day", JF_STRING, 1, &q->in.day, 10, 10, NULL},
        {"slot_start", JF_INT, 1, &slot, 0, 1439, NULL},
        {"name", JF_STRING, 1, &q->in.name, 1, QUEUE_NAME_MAX, NULL},
        {"phone", JF_STRING, 1, &q->in.phone, 1, QUEUE_PHONE_MAX + 1, NULL},
        {"id_number", JF_STRING, 0, &q->in.id_number, 0, APPT_ID_NUMBER_MAX, NULL},
        {"hall_id", JF_INT, 1, &q->in.hall_id, 1, INT64_MAX, NULL},
    };
    int nf = (int)(sizeof(f) / sizeof(f[0]));
    if (by_staff) {
        struct org_node hall;
        if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || hall_param(r, &hall) < 0 ||
            api_scope(r, hall.path) < 0 || api_body(r, f, nf - 1) < 0)
            return REQ_DONE;
        q->in.hall_id = hall.id;
    } else if (req_query_done(r) < 0 || api_body(r, f, nf) < 0) {
        return REQ_DONE;
    }
    q->in.slot_start = (int)slot;
    if (q->in.id_number && !*q->in.id_number)
        q->in.id_number = NULL; /* an empty form field: not given */
    q->op.run = run_book;
    q->op.status = 201;
    return api_submit(r, &q->op);
}

/* POST /api/appointments: the public books on the web */
static int api_book(struct req *r)
{
    return book(r, 0);
}

/* POST /api/halls/{id}/appointments: staff book for a caller (channel phone) */
static int api_book_staff(struct req *r)
{
    return book(r, 1);
}

/* GET /api/appointments/{code}?phone=: public status */
static int api_appointment_get(struct req *r)
{
    const char *phone = req_query(r, "phone");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    const char *code = r->nparams > 0 ? r->params[0] : NULL;
    struct appointment a;
    struct err e = {0};
    if (!phone)
        return req_error(r, ERR_INVALID, "phone", "give the phone the appointment was made with");
    if (appt_get(req_db(r), code, phone, &a, &e) < 0)
        return req_fail(r, &e);
    return req_json(r, 200, appt_json(&a));
}

static int run_cancel(struct db *db, struct api_op *op, struct err *e)
{
    struct aop *q = (struct aop *)op;
    struct appointment a;
    int rc = appt_cancel(db, q->code, q->phone, q->now, &a, e);
    if (rc < 0)
        return rc;
    op->result = appt_json(&a);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* POST /api/appointments/cancel {code, phone}: public */
static int api_appointment_cancel(struct req *r)
{
    struct aop *q = aop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"code", JF_STRING, 1, &q->code, 1, 32, NULL},
        {"phone", JF_STRING, 1, &q->phone, 1, QUEUE_PHONE_MAX + 1, NULL},
    };
    if (req_query_done(r) < 0 || api_body(r, f, 2) < 0)
        return REQ_DONE;
    q->op.run = run_cancel;
    q->op.status = 200;
    return api_submit(r, &q->op);
}

static int run_checkin(struct db *db, struct api_op *op, struct err *e)
{
    struct aop *q = (struct aop *)op;
    struct appointment a;
    struct queue_ticket t;
    int rc = appt_checkin(db, &op->who, q->hall_id, q->code, q->now, &a, &t, e);
    if (rc < 0)
        return rc;
    q->ticket_id = t.id;
    /* the ticket's evaluation token, for its printed QR code (this answer only) */
    op->result = json_pack("{s:o*,s:o*,s:s}", "appointment", appt_json(&a), "ticket",
                           api_queue_ticket_json(&t), "eval_token", t.eval_token);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* answer, then show the new ticket on the hall's screens */
static int checkin_after(struct req *r, int rc, struct err *e)
{
    struct aop *q = r->job.arg;
    int ret = api_op_after(r, rc, e);
    if (rc >= 0 && q->ticket_id)
        api_queue_announce_issued(r, q->hall_id, q->ticket_id);
    return ret;
}

/* POST /api/halls/{id}/checkin {code}: a kiosk of the hall, or staff */
static int api_checkin(struct req *r)
{
    struct org_node hall;
    struct aop *q = aop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"code", JF_STRING, 1, &q->code, 1, 32, NULL}};
    if (api_role(r, ROLES_STAFF_ALL | (1u << ROLE_DEVICE)) < 0 || req_query_done(r) < 0 ||
        hall_param(r, &hall) < 0 || api_scope(r, hall.path) < 0 || api_body(r, f, 1) < 0)
        return REQ_DONE;
    q->hall_id = hall.id;
    q->op.run = run_checkin;
    q->op.status = 201;
    return api_submit_with(r, &q->op, checkin_after);
}

static int run_slots_set(struct db *db, struct api_op *op, struct err *e)
{
    struct aop *q = (struct aop *)op;
    int rc = appt_slots_set(db, &op->who, q->hall_id, q->item_code, q->slots, q->nslots, q->now, e);
    if (rc < 0)
        return rc;
    json_t *arr = json_array();
    for (int i = 0; arr && i < q->nslots; i++)
        json_array_append_new(arr, json_pack("{s:i,s:i,s:i}", "start", q->slots[i].start, "end",
                                             q->slots[i].end, "capacity", q->slots[i].capacity));
    op->result = json_pack("{s:I,s:s,s:o*}", "hall_id", (json_int_t)q->hall_id, "item_code",
                           q->item_code, "slots", arr);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* PUT /api/halls/{id}/slots {item_code, slots:[{start,end,capacity}]}: admin */
static int api_slots_put(struct req *r)
{
    struct org_node hall;
    struct aop *q = aop_new(r);
    if (!q || api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        hall_param(r, &hall) < 0 || api_scope(r, hall.path) < 0)
        return REQ_DONE;
    json_t *j = req_body_json(r);
    if (!j)
        return REQ_DONE;
    json_t *arr = json_object_get(j, "slots");
    int bad = !json_is_array(arr) || json_array_size(arr) > APPT_SLOTS_MAX;
    if (bad) {
        json_decref(j);
        return req_error(r, ERR_INVALID, "slots", "slots must be an array of at most %d",
                         APPT_SLOTS_MAX);
    }
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        int64_t v[3] = {-1, -1, -1};
        struct jfield sf[] = {
            {"start", JF_INT, 1, &v[0], 0, 1439, NULL},
            {"end", JF_INT, 1, &v[1], 1, 1440, NULL},
            {"capacity", JF_INT, 1, &v[2], 1, APPT_CAPACITY_MAX, NULL},
        };
        struct err se = {0};
        if (!json_is_object(s) || json_in_unpack(s, sf, 3, &r->arena, &se) < 0) {
            char field[32];
            snprintf(field, sizeof(field), "slots[%zu]", i);
            json_decref(j);
            return req_error(r, ERR_INVALID, field,
                             "%s must have start, end and capacity in minutes after midnight",
                             field);
        }
        q->slots[i] = (struct appt_slot_def){(int)v[0], (int)v[1], (int)v[2]};
        q->nslots++;
    }
    json_object_del(j, "slots");
    struct err e = {0};
    struct jfield f[] = {{"item_code", JF_STRING, 1, &q->item_code, 1, CATALOG_CODE_MAX, NULL}};
    int rc = json_in_unpack(j, f, 1, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        return req_fail(r, &e);
    q->hall_id = hall.id;
    q->op.run = run_slots_set;
    q->op.status = 200;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/halls/{id}/slots", api_slots_get, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_PUT, "/api/halls/{id}/slots", api_slots_put, 0, 0, NULL, 0},
    {HTTP_POST, "/api/halls/{id}/appointments", api_book_staff, 0, 0, NULL, 0},
    {HTTP_POST, "/api/halls/{id}/checkin", api_checkin, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_POST, "/api/appointments", api_book, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_POST, "/api/appointments/cancel", api_appointment_cancel, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/appointments/{code}", api_appointment_get, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_appointment_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* api_evaluation.c - 好差评 over HTTP: the evaluation pages' events, taking
 * evaluations from every channel, the window tablet, lists and the chain
 * head (docs/api.md, "好差评 evaluations …"). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/audit.h"
#include "domain/badreview.h"
#include "domain/case.h"
#include "domain/evaluation.h"
#include "domain/score.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/staff.h"
#include "http/auth.h"
#include "http/sse.h"

#define PENDING_S 600    /* the tablet shows (and takes) a service ended this recently */
#define QR_RECENT_S 1800 /* a window's or staff QR code reaches services ended this recently */

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static json_t *id_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* ---- the staff card ---- */

static const char SQL_CARD[] = "SELECT name, badge_no, post, party_member, pioneer_post,"
                               " has_photo FROM staff WHERE id = ?1";
static const char SQL_CARD_MONTH[] =
    "SELECT COALESCE(SUM(n1), 0), COALESCE(SUM(n2), 0), COALESCE(SUM(n3), 0),"
    " COALESCE(SUM(n4), 0), COALESCE(SUM(n5), 0), COALESCE(SUM(excluded), 0) FROM eval_rollup"
    " WHERE staff_id = ?1 AND day >= ?2 AND day <= ?3";

/* the staff member's card, or null */
static json_t *staff_card(struct db *db, int64_t staff_id, int64_t window_id, int64_t now)
{
    if (!staff_id)
        return json_null();
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_CARD, &st) < 0)
        return json_null();
    db_bind_int64(st, 1, staff_id);
    json_t *j = NULL;
    int has_photo = 0;
    if (db_step(st) == DB_ROW) {
        has_photo = db_col_int64(st, 5) != 0;
        j = json_pack("{s:I,s:s,s:s,s:s,s:b,s:s,s:b}", "staff_id", (json_int_t)staff_id, "name",
                      db_col_text(st, 0), "badge_no", db_col_text(st, 1), "post",
                      db_col_text(st, 2), "party_member", db_col_int64(st, 3) != 0, "pioneer_post",
                      db_col_text(st, 4), "has_photo", has_photo);
    }
    db_finalize(st);
    if (!j)
        return json_null();
    char url[64];
    snprintf(url, sizeof(url), "/api/public/staff/%" PRId64 "/photo", staff_id);
    json_object_set_new(j, "photo_url", has_photo ? json_string(url) : json_null());
    /* this month so far, from the rollups */
    char today[DATE_TEXT], first[DATE_TEXT], month[8];
    queue_service_day(now, today);
    snprintf(month, sizeof(month), "%.7s", today);
    snprintf(first, sizeof(first), "%s-01", month);
    int64_t n[6] = {0};
    if (db_prepare(db, SQL_CARD_MONTH, &st) == 0) {
        db_bind_int64(st, 1, staff_id);
        db_bind_text(st, 2, first);
        db_bind_text(st, 3, today);
        if (db_step(st) == DB_ROW)
            for (int i = 0; i < 6; i++)
                n[i] = db_col_int64(st, i);
        db_finalize(st);
    }
    int64_t total = n[0] + n[1] + n[2] + n[3] + n[4];
    /* as the metrics count it: an appeal's upheld 差评 leaves the base */
    int64_t base = total - n[5];
    double sum = (double)(n[0] + 2 * n[1] + 3 * n[2] + 4 * n[3] + 5 * n[4]);
    json_t *m = json_pack("{s:s,s:I}", "month", month, "count", (json_int_t)total);
    json_object_set_new(
        m, "good_rate",
        base > 0 ? json_real(round((double)(n[3] + n[4]) / (double)base * 10000.0) / 10000.0)
                 : json_null());
    json_object_set_new(
        m, "average", total ? json_real(round(sum / (double)total * 100.0) / 100.0) : json_null());
    json_object_set_new(j, "month", m);
    /* 三比: the last closed month's score, stars, rank and the window's red flag */
    json_object_set_new(j, "score", score_badge_json(db, staff_id, window_id, now));
    return j;
}

/* ---- events ---- */

static json_t *set_json(const struct eval_set *s)
{
    json_t *items = json_array();
    for (int i = 0; i < s->n; i++)
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:s}", "code", s->items[i].code, "name_zh",
                                        s->items[i].name_zh, "name_en", s->items[i].name_en));
    json_t *j = json_pack("{s:o,s:s,s:i,s:o}", "set_id", id_or_null(s->id), "kind", s->kind,
                          "version", s->version, "items", items);
    return j;
}

/* The event as an evaluation page shows it: nothing private, no token. */
static json_t *event_json(struct db *db, const struct eval_event *ev, int64_t now, struct arena *a)
{
    struct eval_setting s;
    struct eval_set set;
    struct eval_reason *reasons = NULL;
    int nreasons = 0;
    if (eval_setting_get(db, ev->region_id, &s) < 0 ||
        eval_set_current(db, ev->region_id, ev->kind, a, &set) < 0 ||
        eval_reasons(db, ev->region_id, 1, a, &reasons, &nreasons) < 0)
        return NULL;
    json_t *rs = json_array();
    for (int i = 0; i < nreasons; i++)
        json_array_append_new(rs, json_pack("{s:s,s:s,s:s}", "code", reasons[i].code, "label_zh",
                                            reasons[i].label_zh, "label_en", reasons[i].label_en));
    struct err e = {0};
    int can = eval_event_check(ev, &s, 0, now, &e) == 0;
    int can_follow = !can && eval_event_check(ev, &s, 1, now, &e) == 0;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(ev->id));
    json_object_set_new(j, "source", json_string(ev->source));
    json_object_set_new(j, "node", json_string(ev->node));
    json_object_set_new(j, "state", json_string(ev->state));
    json_object_set_new(j, "ticket_code", str_or_null(ev->ticket_code));
    json_object_set_new(j, "case_number", str_or_null(ev->case_number));
    json_object_set_new(j, "item_code", json_string(ev->item_code));
    json_object_set_new(j, "item_name", json_string(ev->item_name));
    json_object_set_new(j, "hall_name", json_string(ev->hall_name));
    json_object_set_new(j, "window_name", str_or_null(ev->window_name));
    json_object_set_new(j, "unit_name", str_or_null(ev->unit_name));
    json_object_set_new(j, "ended_at", id_or_null(ev->ended_at));
    json_object_set_new(j, "expires_at", id_or_null(ev->expires_at));
    json_object_set_new(j, "staff", staff_card(db, ev->staff_id, ev->window_id, now));
    json_object_set_new(j, "indicators", set_json(&set));
    json_object_set_new(j, "reasons", rs);
    json_object_set_new(j, "can_evaluate", json_boolean(can));
    json_object_set_new(j, "can_followup", json_boolean(can_follow));
    json_object_set_new(j, "evaluated_at", id_or_null(ev->first_at));
    return j;
}

static int event_answer(struct req *r, int rc, const struct eval_event *ev)
{
    if (rc == ERR_NOTFOUND)
        return req_error(r, rc, "token", "no such service to evaluate");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *j = event_json(req_db(r), ev, now_s(), &r->arena);
    return j ? req_json(r, 200, j) : req_error(r, ERR_DB, NULL, "database error");
}

void api_eval_invite(struct req *r, int64_t event_id, int64_t window_id)
{
    struct db *db = req_db(r);
    if (!db || !event_id || !window_id)
        return;
    /* nobody listening at the window (no tablet, no console): a tablet that
     * connects later finds the invitation in GET /api/evaluator/state */
    char channel[SSE_CHANNEL_MAX];
    snprintf(channel, sizeof(channel), "window:%" PRId64, window_id);
    if (!sse_listening(channel))
        return;
    db_cache_request(db); /* the commit that opened it is newer than the request's start */
    struct eval_event ev;
    if (eval_event_get(db, event_id, &r->arena, &ev) < 0 || ev.window_id != window_id)
        return;
    json_t *j = event_json(db, &ev, now_s(), &r->arena);
    json_t *msg = j ? json_pack("{s:o}", "event", j) : NULL;
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (text)
        sse_publish(channel, "evaluation.invite", text);
    free(text);
}

/* GET /api/public/evaluations/token/{token} */
static int api_eval_token(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct eval_event ev;
    int rc = eval_event_by_token(req_db(r), r->nparams ? r->params[0] : "", &r->arena, &ev);
    return event_answer(r, rc, &ev);
}

/* The credential of a public page: a token, a case number and name, or a
 * ticket code at a window or with a staff member (today). Looks the event
 * up; answers 400/404 and returns < 0 when it cannot. */
struct credential {
    const char *token, *case_number, *name, *ticket;
    int64_t window_id, staff_id;
    const char *channel;
};

static int find_event(struct req *r, const struct credential *c, struct eval_event *ev, int id_only)
{
    struct db *db = req_db(r);
    int rc;
    int ways = (c->token != NULL) + (c->case_number != NULL || c->name != NULL) +
               (c->ticket != NULL || c->window_id || c->staff_id);
    if (ways != 1)
        return req_error(r, ERR_INVALID, "token",
                         "give one of: token; case_number and name; window_id or staff_id "
                         "with ticket"),
               ERR_INVALID;
    if (c->token && id_only) { /* the submission re-reads it in its transaction */
        memset(ev, 0, sizeof(*ev));
        rc = eval_event_token_id(db, c->token, &ev->id);
    } else if (c->token) {
        rc = eval_event_by_token(db, c->token, &r->arena, ev);
    } else if (c->case_number || c->name) {
        if (!c->case_number || !c->name)
            return req_error(r, ERR_INVALID, c->name ? "case_number" : "name",
                             "case_number and name go together"),
                   ERR_INVALID;
        rc = eval_event_by_case(db, c->case_number, c->name, &r->arena, ev);
    } else {
        if (!c->ticket || (!c->window_id == !c->staff_id))
            return req_error(r, ERR_INVALID, "ticket",
                             "ticket goes with one of window_id or staff_id"),
                   ERR_INVALID;
        char day[DATE_TEXT];
        queue_service_day(now_s(), day);
        rc = eval_event_by_ticket(db, c->window_id, c->staff_id, c->ticket, day,
                                  now_s() - QR_RECENT_S, &r->arena, ev);
    }
    if (rc == ERR_NOTFOUND)
        return req_error(r, rc,
                         c->token    ? "token"
                         : c->ticket ? "ticket"
                                     : "case_number",
                         "no such service to evaluate"),
               rc;
    if (rc < 0)
        return req_error(r, rc, NULL, "database error"), rc;
    return 0;
}

/* GET /api/public/evaluations/lookup */
static int api_eval_lookup(struct req *r)
{
    struct credential c = {0};
    const char *w = req_query(r, "window_id"), *s = req_query(r, "staff_id");
    c.case_number = req_query(r, "case_number");
    c.name = req_query(r, "name");
    c.ticket = req_query(r, "ticket");
    if ((w && req_query_int(r, "window_id", 1, INT64_MAX, &c.window_id) < 0) ||
        (s && req_query_int(r, "staff_id", 1, INT64_MAX, &c.staff_id) < 0) || req_query_done(r) < 0)
        return REQ_DONE;
    struct eval_event ev;
    if (find_event(r, &c, &ev, 0) < 0)
        return REQ_DONE;
    return event_answer(r, 0, &ev);
}

/* ---- taking an evaluation ---- */

struct eop {
    struct api_op op;
    int64_t now, event_id, window_id;
    struct eval_input in;
    struct eval_rec rec;
    struct arena *a; /* the request's: it waits while the writer runs the op */
    int full;        /* answer the full record (staff) rather than the public one */
};

static json_t *codes_json(const char *text)
{
    json_t *j = json_loads(text ? text : "[]", 0, NULL);
    return j ? j : json_array();
}

static json_t *eval_json(const struct eval_rec *v, int full)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(v->id));
    json_object_set_new(j, "event_id", json_integer(v->event_id));
    json_object_set_new(j, "kind", json_string(v->kind));
    json_object_set_new(j, "level", json_integer(v->level));
    json_object_set_new(j, "bad", json_boolean(v->bad));
    json_object_set_new(j, "defaulted", json_boolean(v->defaulted));
    json_object_set_new(j, "excluded", json_boolean(v->excluded));
    json_object_set_new(j, "reasons", codes_json(v->reasons));
    json_object_set_new(j, "text", json_string(v->text ? v->text : ""));
    json_object_set_new(j, "set_id", id_or_null(v->set_id));
    json_object_set_new(j, "dims", codes_json(v->dims));
    json_object_set_new(j, "channel", json_string(v->channel));
    json_object_set_new(j, "day", json_string(v->day));
    json_object_set_new(j, "created_at", json_integer(v->created_at));
    json_object_set_new(j, "item_code", json_string(v->item_code ? v->item_code : ""));
    json_object_set_new(j, "item_name", json_string(v->item_name ? v->item_name : ""));
    json_object_set_new(j, "window_name", json_string(v->window_name ? v->window_name : ""));
    if (!full)
        return j;
    json_object_set_new(j, "device_id", id_or_null(v->device_id));
    json_object_set_new(j, "device", json_string(v->device ? v->device : ""));
    json_object_set_new(j, "entered_by", id_or_null(v->entered_by));
    /* the evaluator's identity is confidential: a masked name here, the
     * name itself only through the audited identity route */
    char masked[4 + 3 * 40 + 1] = "";
    if (v->evaluator_name && *v->evaluator_name &&
        queue_mask_name(v->evaluator_name, masked, sizeof(masked)) < 0)
        masked[0] = '\0';
    json_object_set_new(j, "evaluator_name", json_string(masked));
    json_object_set_new(j, "phone_mask", json_string(v->phone_mask));
    json_object_set_new(j, "id_mask", json_string(v->id_mask));
    json_object_set_new(j, "region_id", json_integer(v->region_id));
    json_object_set_new(j, "hall_id", id_or_null(v->hall_id));
    json_object_set_new(j, "unit_id", id_or_null(v->unit_id));
    json_object_set_new(j, "window_id", id_or_null(v->window_id));
    json_object_set_new(j, "staff_id", id_or_null(v->staff_id));
    json_object_set_new(j, "staff_name", json_string(v->staff_name ? v->staff_name : ""));
    json_object_set_new(j, "item_id", id_or_null(v->item_id));
    json_object_set_new(j, "hash", json_string(v->hash));
    json_object_set_new(j, "prev_hash", json_string(v->prev_hash));
    json_object_set_new(j, "flags", json_integer(v->flags));
    return j;
}

static int run_submit(struct db *db, struct api_op *op, struct err *e)
{
    struct eop *q = (struct eop *)op;
    return eval_submit(db, &op->who, q->event_id, &q->in, q->now, q->a, &q->rec, e);
}

static int submit_after(struct req *r, int rc, struct err *e)
{
    struct eop *q = r->job.arg;
    if (rc < 0)
        return api_op_after(r, rc, e);
    json_t *j = eval_json(&q->rec, q->full);
    int ret = req_json(r, 201, j);
    if (q->rec.window_id) {
        char channel[SSE_CHANNEL_MAX], data[96];
        snprintf(channel, sizeof(channel), "window:%" PRId64, q->rec.window_id);
        snprintf(data, sizeof(data), "{\"event_id\":%" PRId64 ",\"level\":%d}", q->rec.event_id,
                 q->rec.level);
        sse_publish(channel, "evaluation.done", data);
    }
    return ret;
}

/* reasons, dims and evaluator out of j (removed from it) into q->in;
 * answers 400 and returns < 0 on a bad value */
static int take_nested(struct req *r, json_t *j, struct eop *q)
{
    json_t *reasons = json_object_get(j, "reasons");
    json_t *dims = json_object_get(j, "dims");
    json_t *who = json_object_get(j, "evaluator");
    if (reasons && !json_is_null(reasons)) {
        size_t n = json_is_array(reasons) ? json_array_size(reasons) : 0;
        if (!json_is_array(reasons) || n > EVAL_REASONS_MAX)
            return req_error(r, ERR_INVALID, "reasons",
                             "reasons must be an array of at most %d reason codes",
                             EVAL_REASONS_MAX),
                   ERR_INVALID;
        q->in.reasons = arena_alloc(&r->arena, sizeof(char *) * (n + 1));
        if (!q->in.reasons)
            return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_INVALID;
        for (size_t i = 0; i < n; i++) {
            const char *s = json_string_value(json_array_get(reasons, i));
            if (!s || !*s || strlen(s) > EVAL_CODE_MAX) {
                char field[24];
                snprintf(field, sizeof(field), "reasons[%d]", (int)i);
                return req_error(r, ERR_INVALID, field, "%s must be a reason code", field),
                       ERR_INVALID;
            }
            q->in.reasons[i] = arena_strdup(&r->arena, s);
        }
        q->in.nreasons = (int)n;
    }
    if (dims && !json_is_null(dims)) {
        if (!json_is_object(dims) || json_object_size(dims) > EVAL_DIMS_MAX)
            return req_error(r, ERR_INVALID, "dims",
                             "dims must be an object of indicator codes with scores 1-5"),
                   ERR_INVALID;
        q->in.dim_codes = arena_alloc(&r->arena, sizeof(char *) * EVAL_DIMS_MAX);
        if (!q->in.dim_codes)
            return req_error(r, ERR_NOMEM, NULL, "out of memory"), ERR_INVALID;
        const char *key;
        json_t *v;
        json_object_foreach(dims, key, v)
        {
            if (!json_is_integer(v) || strlen(key) > EVAL_CODE_MAX)
                return req_error(r, ERR_INVALID, "dims",
                                 "dims must be an object of indicator codes with scores 1-5"),
                       ERR_INVALID;
            q->in.dim_codes[q->in.ndims] = arena_strdup(&r->arena, key);
            json_int_t x = json_integer_value(v);
            q->in.dim_scores[q->in.ndims++] = x < 0 || x > 9 ? 0 : (int)x;
        }
    }
    if (who && !json_is_null(who)) {
        struct err e = {0};
        struct jfield f[] = {
            {"name", JF_STRING, 0, &q->in.name, 0, 40, NULL},
            {"phone", JF_STRING, 0, &q->in.phone, 0, 24, NULL},
            {"id_number", JF_STRING, 0, &q->in.id_number, 0, 18, NULL},
        };
        if (!json_is_object(who))
            return req_error(r, ERR_INVALID, "evaluator", "evaluator must be an object"),
                   ERR_INVALID;
        if (json_in_unpack(who, f, 3, &r->arena, &e) < 0) {
            char field[80];
            snprintf(field, sizeof(field), "evaluator.%s", e.field);
            return req_error(r, ERR_INVALID, field, "evaluator.%s", e.msg), ERR_INVALID;
        }
    }
    json_object_del(j, "reasons");
    json_object_del(j, "dims");
    json_object_del(j, "evaluator");
    return 0;
}

static struct eop *eop_new(struct req *r)
{
    struct eop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    q->now = now_s();
    q->a = &r->arena;
    q->in.ip = r->ip;
    return q;
}

/* the body's JSON with reasons/dims/evaluator taken; NULL (answered) on error */
static json_t *eval_body(struct req *r, struct eop *q)
{
    json_t *j = req_body_json(r);
    if (!j)
        return NULL;
    if (take_nested(r, j, q) < 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int unpack(struct req *r, json_t *j, const struct jfield *f, int n)
{
    struct err e = {0};
    int rc = json_in_unpack(j, f, n, &r->arena, &e);
    json_decref(j);
    if (rc < 0)
        req_fail(r, &e);
    return rc;
}

static int submit(struct req *r, struct eop *q)
{
    q->op.run = run_submit;
    q->op.status = 201;
    return api_submit_with(r, &q->op, submit_after);
}

/* POST /api/public/evaluations */
static int api_eval_public(struct req *r)
{
    struct eop *q = eop_new(r);
    if (!q || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = eval_body(r, q);
    if (!j)
        return REQ_DONE;
    struct credential c = {0};
    int64_t level = 0;
    struct jfield f[] = {
        {"token", JF_STRING, 0, &c.token, 1, 64, NULL},
        {"case_number", JF_STRING, 0, &c.case_number, 1, 32, NULL},
        {"name", JF_STRING, 0, &c.name, 1, 100, NULL},
        {"window_id", JF_INT, 0, &c.window_id, 1, INT64_MAX, NULL},
        {"staff_id", JF_INT, 0, &c.staff_id, 1, INT64_MAX, NULL},
        {"ticket", JF_STRING, 0, &c.ticket, 1, 16, NULL},
        {"level", JF_INT, 1, &level, 1, 5, NULL},
        {"text", JF_STRING, 0, &q->in.text, 0, EVAL_TEXT_MAX, NULL},
        {"followup", JF_BOOL, 0, &q->in.followup, 0, 0, NULL},
        {"device", JF_STRING, 0, &q->in.device, 0, 64, NULL},
    };
    if (unpack(r, j, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    q->in.level = (int)level;
    struct eval_event ev;
    if (find_event(r, &c, &ev, 1) < 0)
        return REQ_DONE;
    q->event_id = ev.id;
    q->in.channel = c.token ? "qr" : c.case_number ? "web" : c.window_id ? "window_qr" : "staff_qr";
    /* a staff member's own session on this browser: refuse their own service */
    struct actor who = {.role = ROLE_NONE};
    if (auth_resolve(r, 0) == 0)
        who = r->who;
    snprintf(who.ip, sizeof(who.ip), "%s", r->ip);
    snprintf(who.request_id, sizeof(who.request_id), "%s", r->request_id);
    r->who = who;
    return submit(r, q);
}

/* POST /api/evaluator/evaluations (the window's tablet) */
static int api_eval_tablet(struct req *r)
{
    struct eop *q = eop_new(r);
    if (!q || api_role(r, 1u << ROLE_DEVICE) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = eval_body(r, q);
    if (!j)
        return REQ_DONE;
    int64_t level = 0;
    struct jfield f[] = {
        {"event_id", JF_INT, 1, &q->event_id, 1, INT64_MAX, NULL},
        {"level", JF_INT, 1, &level, 1, 5, NULL},
        {"text", JF_STRING, 0, &q->in.text, 0, EVAL_TEXT_MAX, NULL},
        {"followup", JF_BOOL, 0, &q->in.followup, 0, 0, NULL},
    };
    if (unpack(r, j, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    q->in.level = (int)level;
    struct eval_event ev;
    int rc = eval_event_get(req_db(r), q->event_id, &r->arena, &ev);
    if (rc == 0 && ev.window_id != r->who.node_id)
        rc = ERR_NOTFOUND; /* another window's service */
    /* the tablet takes the service just ended, not last week's unrated ones */
    if (rc == 0 && !q->in.followup && ev.ended_at && ev.ended_at < q->now - PENDING_S)
        return req_error(r, ERR_GONE, "event_id",
                         "the tablet takes only a service that has just ended");
    if (rc < 0)
        return req_error(r, rc, "event_id",
                         rc == ERR_NOTFOUND ? "no such service at this window" : "database error");
    q->in.channel = "tablet";
    q->in.device_id = r->who.device_id;
    return submit(r, q);
}

/* POST /api/evaluations/entry (a hotline or paper evaluation typed by staff) */
static int api_eval_entry(struct req *r)
{
    struct eop *q = eop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *j = eval_body(r, q);
    if (!j)
        return REQ_DONE;
    int64_t level = 0, ticket_id = 0, case_id = 0;
    const char *node = NULL, *channel = NULL;
    struct jfield f[] = {
        {"event_id", JF_INT, 0, &q->event_id, 1, INT64_MAX, NULL},
        {"ticket_id", JF_INT, 0, &ticket_id, 1, INT64_MAX, NULL},
        {"case_id", JF_INT, 0, &case_id, 1, INT64_MAX, NULL},
        {"node", JF_STRING, 0, &node, 1, 12, NULL},
        {"channel", JF_STRING, 1, &channel, 1, 12, NULL},
        {"level", JF_INT, 1, &level, 1, 5, NULL},
        {"text", JF_STRING, 0, &q->in.text, 0, EVAL_TEXT_MAX, NULL},
        {"followup", JF_BOOL, 0, &q->in.followup, 0, 0, NULL},
    };
    if (unpack(r, j, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    if (strcmp(channel, "hotline") && strcmp(channel, "paper"))
        return req_error(r, ERR_INVALID, "channel", "channel must be hotline or paper");
    if ((q->event_id != 0) + (ticket_id != 0) + (case_id != 0) != 1)
        return req_error(r, ERR_INVALID, "event_id", "give one of event_id, ticket_id, case_id");
    if (node && strcmp(node, "accept") && strcmp(node, "complete"))
        return req_error(r, ERR_INVALID, "node", "node must be accept or complete");
    q->in.level = (int)level;
    q->in.channel = channel;
    q->in.entered_by = r->who.staff_id;
    struct db *db = req_db(r);
    int rc = 0;
    if (ticket_id || case_id)
        rc = eval_event_of(db, ticket_id, case_id, node ? node : "complete", &q->event_id);
    struct eval_event ev;
    if (rc == 0)
        rc = eval_event_get(db, q->event_id, &r->arena, &ev);
    if (rc == 0 && *ev.node_path && !actor_in_scope(&r->who, ev.node_path))
        return req_error(r, ERR_FORBIDDEN, NULL, "this service is outside your scope");
    if (rc < 0)
        return req_error(r, rc, "event_id",
                         rc == ERR_NOTFOUND ? "no such service to evaluate" : "database error");
    q->full = 1;
    return submit(r, q);
}

/* ---- lists and reads ---- */

#define LIST_COLS                                                                                  \
    "v.id, v.event_id, v.kind, v.level, v.bad, v.defaulted, v.excluded, v.reasons, v.text,"        \
    " COALESCE(v.set_id, 0), v.dims, v.channel, COALESCE(v.device_id, 0), v.device,"               \
    " COALESCE(v.entered_by, 0), v.evaluator_name, v.phone_mask, v.id_mask, v.region_id,"          \
    " COALESCE(v.hall_id, 0), COALESCE(v.unit_id, 0), COALESCE(v.window_id, 0),"                   \
    " COALESCE(v.staff_id, 0), COALESCE(v.item_id, 0), v.day, v.created_at, v.hash, v.prev_hash,"  \
    " COALESCE(s.name, ''), COALESCE(w.name, ''), e.item_code, e.item_name,"                       \
    " (SELECT COUNT(*) FROM eval_flag f WHERE f.evaluation_id = v.id AND f.status = 'open')"
#define LIST_WHERE                                                                                 \
    " FROM evaluation v JOIN eval_event e ON e.id = v.event_id"                                    \
    " LEFT JOIN staff s ON s.id = v.staff_id LEFT JOIN org_node w ON w.id = v.window_id"           \
    " WHERE e.node_path >= ?1 AND e.node_path < ?2 AND (?3 = 0 OR v.staff_id = ?3)"                \
    " AND (?4 = 0 OR v.window_id = ?4) AND (?5 = 0 OR v.item_id = ?5)"                             \
    " AND (?6 = '' OR v.channel = ?6) AND (?7 = 0 OR v.level = ?7) AND (?8 < 0 OR v.bad = ?8)"     \
    " AND (?9 < 0 OR v.defaulted = ?9) AND (?10 = 0 OR EXISTS (SELECT 1 FROM eval_flag f"          \
    " WHERE f.evaluation_id = v.id AND f.status = 'open')) AND v.day >= ?11 AND v.day <= ?12"

static const char SQL_LIST_COUNT[] = "SELECT COUNT(*)" LIST_WHERE;
static const char SQL_LIST[] = "SELECT " LIST_COLS LIST_WHERE " ORDER BY v.id DESC"
                               " LIMIT ?13 OFFSET ?14";

struct list_filter {
    char from_path[ACTOR_PATH_MAX], to_path[ACTOR_PATH_MAX];
    int64_t staff_id, window_id, item_id, level, bad, defaulted, flagged;
    const char *channel, *from, *to;
};

static void bind_filter(struct db_stmt *st, const struct list_filter *f)
{
    db_bind_text(st, 1, f->from_path);
    db_bind_text(st, 2, f->to_path);
    db_bind_int64(st, 3, f->staff_id);
    db_bind_int64(st, 4, f->window_id);
    db_bind_int64(st, 5, f->item_id);
    db_bind_text(st, 6, f->channel ? f->channel : "");
    db_bind_int64(st, 7, f->level);
    db_bind_int64(st, 8, f->bad);
    db_bind_int64(st, 9, f->defaulted);
    db_bind_int64(st, 10, f->flagged);
    db_bind_text(st, 11, f->from ? f->from : "0000-00-00");
    db_bind_text(st, 12, f->to ? f->to : "9999-99-99");
}

static char *col(struct db_stmt *st, int i, struct arena *a)
{
    const char *s = db_col_text(st, i);
    return arena_strdup(a, s ? s : "");
}

static void read_list_row(struct db_stmt *st, struct arena *a, struct eval_rec *v)
{
    memset(v, 0, sizeof(*v));
    v->id = db_col_int64(st, 0);
    v->event_id = db_col_int64(st, 1);
    snprintf(v->kind, sizeof(v->kind), "%s", db_col_text(st, 2));
    v->level = (int)db_col_int64(st, 3);
    v->bad = (int)db_col_int64(st, 4);
    v->defaulted = (int)db_col_int64(st, 5);
    v->excluded = (int)db_col_int64(st, 6);
    v->reasons = col(st, 7, a);
    v->text = col(st, 8, a);
    v->set_id = db_col_int64(st, 9);
    v->dims = col(st, 10, a);
    snprintf(v->channel, sizeof(v->channel), "%s", db_col_text(st, 11));
    v->device_id = db_col_int64(st, 12);
    v->device = col(st, 13, a);
    v->entered_by = db_col_int64(st, 14);
    v->evaluator_name = col(st, 15, a);
    v->phone_mask = col(st, 16, a);
    v->id_mask = col(st, 17, a);
    v->region_id = db_col_int64(st, 18);
    v->hall_id = db_col_int64(st, 19);
    v->unit_id = db_col_int64(st, 20);
    v->window_id = db_col_int64(st, 21);
    v->staff_id = db_col_int64(st, 22);
    v->item_id = db_col_int64(st, 23);
    snprintf(v->day, sizeof(v->day), "%s", db_col_text(st, 24));
    v->created_at = db_col_int64(st, 25);
    v->hash = col(st, 26, a);
    v->prev_hash = col(st, 27, a);
    v->staff_name = col(st, 28, a);
    v->window_name = col(st, 29, a);
    v->item_code = col(st, 30, a);
    v->item_name = col(st, 31, a);
    v->flags = db_col_int64(st, 32);
}

static int day_query(struct req *r, const char *key, const char **out)
{
    const char *v = req_query(r, key);
    int32_t d;
    *out = NULL;
    if (!v || !*v)
        return 0;
    if (date_parse(v, &d) < 0)
        return req_error(r, ERR_INVALID, key, "%s must be a date YYYY-MM-DD", key), ERR_INVALID;
    *out = v;
    return 0;
}

static int opt_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t *out,
                   int64_t none)
{
    const char *v = req_query(r, key);
    *out = none;
    if (!v || !*v)
        return 0;
    return req_query_int(r, key, min, max, out);
}

/* GET /api/evaluations */
static int api_eval_list(struct req *r)
{
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    struct list_filter f = {0};
    int64_t mine = 0, node_id = 0, page, per_page;
    if (opt_int(r, "mine", 0, 1, &mine, 0) < 0 ||
        opt_int(r, "node_id", 1, INT64_MAX, &node_id, 0) ||
        opt_int(r, "staff_id", 1, INT64_MAX, &f.staff_id, 0) < 0 ||
        opt_int(r, "window_id", 1, INT64_MAX, &f.window_id, 0) < 0 ||
        opt_int(r, "item_id", 1, INT64_MAX, &f.item_id, 0) < 0 ||
        opt_int(r, "level", 1, 5, &f.level, 0) < 0 || opt_int(r, "bad", 0, 1, &f.bad, -1) < 0 ||
        opt_int(r, "defaulted", 0, 1, &f.defaulted, -1) < 0 ||
        opt_int(r, "flagged", 0, 1, &f.flagged, 0) < 0 || day_query(r, "from", &f.from) < 0 ||
        day_query(r, "to", &f.to) < 0 || api_page(r, &page, &per_page) < 0)
        return REQ_DONE;
    f.channel = req_query(r, "channel");
    if (f.channel && *f.channel && !eval_channel_known(f.channel))
        return req_error(r, ERR_INVALID, "channel", "channel must be one of " EVAL_CHANNELS);
    if (req_query_done(r) < 0)
        return REQ_DONE;
    /* plain staff see the evaluations of their own services only */
    if (mine || r->who.role == ROLE_STAFF) {
        if (f.staff_id && f.staff_id != r->who.staff_id)
            return req_error(r, ERR_FORBIDDEN, "staff_id",
                             "you may list only your own evaluations");
        f.staff_id = r->who.staff_id;
    }
    const char *path = r->who.scope;
    struct org_node n;
    if (node_id) {
        if (api_filter_node(r, node_id, "node_id") < 0)
            return REQ_DONE;
        if (api_org_get(r, node_id, &n) < 0)
            return req_error(r, ERR_DB, NULL, "database error");
        path = n.path;
    }
    if (mine || r->who.role == ROLE_STAFF)
        path = "/"; /* their own services, wherever they served */
    snprintf(f.from_path, sizeof(f.from_path), "%s", path);
    org_path_end(f.from_path, f.to_path, sizeof(f.to_path));
    struct db *db = req_db(r);
    struct db_stmt *st = NULL;
    int64_t total = 0;
    int rc = db_prepare(db, SQL_LIST_COUNT, &st);
    if (rc == 0) {
        bind_filter(st, &f);
        rc = db_step(st);
        total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    json_t *items = json_array();
    if (rc >= 0)
        rc = db_prepare(db, SQL_LIST, &st);
    if (rc >= 0) {
        bind_filter(st, &f);
        db_bind_int64(st, 13, per_page);
        db_bind_int64(st, 14, (page - 1) * per_page);
        while ((rc = db_step(st)) == DB_ROW) {
            struct eval_rec v;
            read_list_row(st, &r->arena, &v);
            json_array_append_new(items, eval_json(&v, 1));
        }
        db_finalize(st);
    }
    if (rc < 0) {
        json_decref(items);
        return req_error(r, rc, NULL, "database error");
    }
    return req_json(r, 200, api_page_json(items, total, page, per_page));
}

/* one evaluation in the caller's scope (staff: of their own services) */
static int eval_in_scope(struct req *r, struct eval_rec *v)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such evaluation"), ERR_NOTFOUND;
    int rc = eval_get(req_db(r), id, &r->arena, v);
    if (rc == 0 && r->who.role == ROLE_STAFF && v->staff_id != r->who.staff_id)
        rc = ERR_NOTFOUND;
    if (rc == 0 && r->who.role != ROLE_STAFF && !actor_in_scope(&r->who, v->node_path))
        rc = ERR_NOTFOUND;
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such evaluation" : "database error"),
               rc;
    return 0;
}

static const char SQL_FLAGS[] =
    "SELECT id, kind, status, evidence, note, created_at, COALESCE(decided_at, 0)"
    " FROM eval_flag WHERE evaluation_id = ?1 ORDER BY id";

/* GET /api/evaluations/{id} */
static int api_eval_get(struct req *r)
{
    struct eval_rec v;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || eval_in_scope(r, &v) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    json_t *j = eval_json(&v, 1);
    struct eval_event ev;
    if (eval_event_get(db, v.event_id, &r->arena, &ev) == 0)
        json_object_set_new(j, "event", event_json(db, &ev, now_s(), &r->arena));
    json_t *flags = json_array();
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_FLAGS, &st) == 0) {
        db_bind_int64(st, 1, v.id);
        while (db_step(st) == DB_ROW) {
            json_t *evidence = json_loads(db_col_text(st, 3), 0, NULL);
            json_array_append_new(flags, json_pack("{s:I,s:s,s:s,s:o,s:s,s:I,s:o}", "id",
                                                   (json_int_t)db_col_int64(st, 0), "kind",
                                                   db_col_text(st, 1), "status", db_col_text(st, 2),
                                                   "evidence", evidence ? evidence : json_null(),
                                                   "note", db_col_text(st, 4), "created_at",
                                                   (json_int_t)db_col_int64(st, 5), "decided_at",
                                                   id_or_null(db_col_int64(st, 6))));
        }
        db_finalize(st);
    }
    json_object_set_new(j, "flag_list", flags);
    struct badreview b;
    json_object_set_new(j, "bad_review",
                        badreview_by_evaluation(db, v.id, now_s(), &r->arena, &b) == 0
                            ? api_badreview_json(&r->who, &b)
                            : json_null());
    return req_json(r, 200, j);
}

struct identity_op {
    struct api_op op;
    int64_t id;
    char *name, *phone, *id_number;
    struct arena *a;
};

static int run_identity(struct db *db, struct api_op *op, struct err *e)
{
    struct identity_op *q = (struct identity_op *)op;
    int rc = eval_identity(db, q->id, q->a, &q->name, &q->phone, &q->id_number);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such evaluation" : "database error");
    /* who looked, never what they saw */
    rc = audit_append(db, &op->who, "evaluation.identity", "evaluation", q->id, 0, NULL, NULL);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    op->result =
        json_pack("{s:s,s:s,s:s}", "name", q->name, "phone", q->phone, "id_number", q->id_number);
    return 0;
}

/* POST /api/evaluations/{id}/identity (audited) */
static int api_eval_identity(struct req *r)
{
    struct eval_rec v;
    if (api_role(r, (1u << ROLE_ADMIN) | (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR)) < 0 ||
        req_query_done(r) < 0 || eval_in_scope(r, &v) < 0)
        return REQ_DONE;
    if (v.staff_id && v.staff_id == r->who.staff_id)
        return req_error(r, ERR_FORBIDDEN, NULL,
                         "nobody reads who evaluated a service they delivered");
    struct identity_op *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    q->id = v.id;
    q->a = &r->arena;
    q->op.run = run_identity;
    return api_submit(r, &q->op);
}

/* GET /api/public/evaluations/chain-head?date= */
static int api_eval_chain_head(struct req *r)
{
    const char *date = req_query(r, "date");
    char today[DATE_TEXT];
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (!date || !*date) {
        queue_service_day(now_s(), today);
        date = today;
    }
    struct eval_chain_head h;
    int rc = eval_chain_head(req_db(r), date, &h);
    if (rc == ERR_INVALID)
        return req_error(r, rc, "date", "date must be a date YYYY-MM-DD");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200,
                    json_pack("{s:s,s:I,s:o,s:o,s:o}", "date", h.date, "count", (json_int_t)h.count,
                              "first_id", id_or_null(h.first_id), "last_id", id_or_null(h.last_id),
                              "head", str_or_null(h.head)));
}

/* ---- the window's tablet ---- */

static const char SQL_AT_WINDOW[] =
    "SELECT staff_id FROM window_state WHERE window_id = ?1 AND staff_id IS NOT NULL";
static const char SQL_ASSIGNED[] =
    "SELECT 1 FROM window_assignment WHERE staff_id = ?1 AND window_id = ?2 AND ended_at IS NULL";

/* GET /api/evaluator/state */
static int api_evaluator_state(struct req *r)
{
    if (api_role(r, 1u << ROLE_DEVICE) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct org_node w = {0}, hall = {0};
    int rc = api_org_get(r, r->who.node_id, &w);
    if (rc == 0 && strcmp(w.kind, "window") != 0)
        return req_error(r, ERR_FORBIDDEN, NULL, "this device is not a window's evaluator");
    if (rc == 0)
        rc = api_org_get(r, w.parent_id, &hall);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    struct db *db = req_db(r);
    int64_t now = now_s(), staff_id = 0;
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_AT_WINDOW, &st) == 0) {
        db_bind_int64(st, 1, w.id);
        if (db_step(st) == DB_ROW)
            staff_id = db_col_int64(st, 0);
        db_finalize(st);
    }
    struct eval_event ev;
    json_t *pending = json_null();
    if (eval_event_pending_at(db, w.id, now, PENDING_S, &r->arena, &ev) == 0) {
        json_t *pj = event_json(db, &ev, now, &r->arena);
        if (pj) {
            pending = pj;
            if (!staff_id)
                staff_id = ev.staff_id;
        }
    }
    return req_json(r, 200,
                    json_pack("{s:{s:I,s:s,s:s,s:I,s:s},s:o,s:o}", "window", "id", (json_int_t)w.id,
                              "name", w.name, "code", w.code, "hall_id", (json_int_t)hall.id,
                              "hall_name", hall.name, "staff", staff_card(db, staff_id, w.id, now),
                              "pending", pending));
}

static int photo(struct req *r, int64_t staff_id)
{
    const void *data;
    size_t len;
    const char *mime;
    int rc = staff_get_photo(req_db(r), staff_id, &r->arena, &data, &len, &mime);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no photo" : "database error");
    req_header(r, "Cache-Control", "public, max-age=300");
    return req_bytes(r, 200, mime, data, len);
}

/* GET /api/evaluator/staff/{id}/photo: someone working at the device's window */
static int api_evaluator_photo(struct req *r)
{
    int64_t id;
    if (api_role(r, 1u << ROLE_DEVICE) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such staff member");
    struct db_stmt *st = NULL;
    int rc = db_prepare(req_db(r), SQL_ASSIGNED, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, r->who.node_id);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc != DB_ROW)
        return req_error(r, rc < 0 ? rc : ERR_NOTFOUND, NULL,
                         rc < 0 ? "database error" : "no such staff member at this window");
    return photo(r, id);
}

/* GET /api/public/staff/{id}/photo: 亮身份, the photo on the staff card */
static const char SQL_ACTIVE_STAFF[] = "SELECT 1 FROM staff WHERE id = ?1 AND active = 1";

static int api_public_photo(struct req *r)
{
    int64_t id;
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (req_param_id(r, 0, &id) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such staff member");
    struct db_stmt *st = NULL;
    int rc = db_prepare(req_db(r), SQL_ACTIVE_STAFF, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc != DB_ROW)
        return req_error(r, rc < 0 ? rc : ERR_NOTFOUND, NULL,
                         rc < 0 ? "database error" : "no such staff member");
    return photo(r, id);
}

/* ---- settings ---- */

static int region_param(struct req *r, int64_t *region)
{
    const char *v = req_query(r, "region_id");
    *region = case_region_of(r->who.scope);
    if (v && *v && req_query_int(r, "region_id", 1, INT64_MAX, region) < 0)
        return ERR_INVALID;
    return 0;
}

static json_t *settings_json(const struct eval_setting *s)
{
    return json_pack("{s:I,s:i,s:s,s:i,s:b,s:s,s:i,s:i,s:i,s:i}", "region_id",
                     (json_int_t)s->region_id, "window_days", s->window_days, "unrated_mode",
                     s->unrated_mode, "default_level", s->default_level, "followup", s->followup,
                     "case_nodes", s->case_nodes, "burst_n", s->burst_n, "burst_s", s->burst_s,
                     "fast_s", s->fast_s, "streak_n", s->streak_n);
}

/* the region node: a root in the caller's scope */
static int region_ok(struct req *r, int64_t region)
{
    struct org_node n;
    int rc = api_org_get(r, region, &n);
    if (rc == 0 && n.parent_id)
        rc = ERR_NOTFOUND;
    if (rc < 0)
        return req_error(r, ERR_INVALID, "region_id", "region_id must be a region"), ERR_INVALID;
    /* a region's settings concern everyone in it: staff below read them */
    if (!actor_in_scope(&r->who, n.path) && case_region_of(r->who.scope) != region)
        return req_error(r, ERR_FORBIDDEN, NULL, "outside your part of the organisation"),
               ERR_FORBIDDEN;
    return 0;
}

/* GET /api/eval-settings?region_id= */
static int api_eval_settings_get(struct req *r)
{
    int64_t region;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || region_param(r, &region) < 0 || req_query_done(r) < 0 ||
        region_ok(r, region) < 0)
        return REQ_DONE;
    struct eval_setting s;
    int rc = eval_setting_get(req_db(r), region, &s);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, settings_json(&s));
}

struct setting_op {
    struct api_op op;
    struct eval_setting s;
};

static int run_settings(struct db *db, struct api_op *op, struct err *e)
{
    struct setting_op *q = (struct setting_op *)op;
    int rc = eval_setting_put(db, &op->who, &q->s, (int64_t)time(NULL), e);
    if (rc < 0)
        return rc;
    op->result = settings_json(&q->s);
    return 0;
}

/* PUT /api/eval-settings (admin) */
static int api_eval_settings_put(struct req *r)
{
    struct setting_op *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    int64_t region = 0, days = 0, level = 0, bn = 0, bs = 0, fs = 0, sn = 0;
    const char *mode = NULL, *nodes = NULL;
    int followup = 0;
    struct jfield f[] = {
        {"region_id", JF_INT, 1, &region, 1, INT64_MAX, NULL},
        {"window_days", JF_INT, 1, &days, 1, 90, NULL},
        {"unrated_mode", JF_STRING, 1, &mode, 1, 12, NULL},
        {"default_level", JF_INT, 1, &level, 1, 5, NULL},
        {"followup", JF_BOOL, 1, &followup, 0, 0, NULL},
        {"case_nodes", JF_STRING, 1, &nodes, 1, 20, NULL},
        {"burst_n", JF_INT, 1, &bn, 2, 1000, NULL},
        {"burst_s", JF_INT, 1, &bs, 10, 86400, NULL},
        {"fast_s", JF_INT, 1, &fs, 1, 600, NULL},
        {"streak_n", JF_INT, 1, &sn, 5, 1000, NULL},
    };
    if (api_body(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    struct org_node n;
    if (api_org_get(r, region, &n) < 0 || n.parent_id)
        return req_error(r, ERR_INVALID, "region_id", "region_id must be a region");
    if (api_scope(r, n.path) < 0)
        return REQ_DONE;
    q->s = (struct eval_setting){.region_id = region,
                                 .window_days = (int)days,
                                 .default_level = (int)level,
                                 .followup = followup,
                                 .burst_n = (int)bn,
                                 .burst_s = (int)bs,
                                 .fast_s = (int)fs,
                                 .streak_n = (int)sn};
    snprintf(q->s.unrated_mode, sizeof(q->s.unrated_mode), "%s", mode);
    snprintf(q->s.case_nodes, sizeof(q->s.case_nodes), "%s", nodes);
    q->op.run = run_settings;
    return api_submit(r, &q->op);
}

#define EXPIRE_BATCH 50 /* small: a batch holds the rows it closes until it commits */

int api_eval_sweep(struct db *db, void *arg, struct err *e)
{
    (void)arg;
    int closed = 0;
    int rc = eval_expire(db, now_s(), EXPIRE_BATCH, &closed);
    if (rc < 0)
        return err_set(e, rc, NULL, "closing evaluation windows failed");
    return closed == EXPIRE_BATCH ? 1 : 0;
}

static const struct route routes[] = {
    {HTTP_GET, "/api/public/evaluations/token/{token}", api_eval_token,
     ROUTE_PUBLIC | ROUTE_SECRET_PATH, 0, NULL, 0},
    {HTTP_GET, "/api/public/evaluations/lookup", api_eval_lookup, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/public/evaluations/chain-head", api_eval_chain_head, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_POST, "/api/public/evaluations", api_eval_public, ROUTE_PUBLIC, 8192, NULL, 0},
    {HTTP_GET, "/api/public/staff/{id}/photo", api_public_photo, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/evaluator/state", api_evaluator_state, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_GET, "/api/evaluator/staff/{id}/photo", api_evaluator_photo, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_POST, "/api/evaluator/evaluations", api_eval_tablet, ROUTE_DEVICE, 8192, NULL, 0},
    {HTTP_POST, "/api/evaluations/entry", api_eval_entry, 0, 8192, NULL, 0},
    {HTTP_GET, "/api/evaluations", api_eval_list, 0, 0, NULL, 0},
    {HTTP_GET, "/api/evaluations/{id}", api_eval_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/evaluations/{id}/identity", api_eval_identity, 0, 0, NULL, 0},
    {HTTP_GET, "/api/eval-settings", api_eval_settings_get, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/eval-settings", api_eval_settings_put, 0, 0, NULL, 0},
};

const struct api_module api_evaluation_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* api_queue.c - the queue (排队叫号) over HTTP: series and window profiles,
 * issuing tickets, the counter actions, the hall board and waiting counts,
 * a window's lines, timelines and the day's figures (docs/api.md, "Queue
 * and calling"). The event streams are in api_events.c; this file publishes
 * to them after each commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/board.h"
#include "base/date.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "http/sse.h"
#include "report/jsonw.h"

#define JSON_TYPE "application/json; charset=utf-8"

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* ---- rendering ---- */

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* A ticket as JSON text (malloc'd; NULL when out of memory): written
 * straight out, as every counter action answers with one and sends it to
 * the screens. */
static char *ticket_text(const struct queue_ticket *t, size_t *len)
{
    struct jsonw w;
    jw_init(&w);
    jw_begin(&w);
    jw_int(&w, "id", t->id);
    jw_int(&w, "hall_id", t->hall_id);
    jw_str(&w, "service_day", t->service_day);
    jw_str(&w, "code", t->code);
    jw_int(&w, "series_id", t->series_id);
    jw_str(&w, "series_prefix", t->series_prefix);
    jw_text(&w, "item_code", t->item_code);
    jw_text(&w, "item_name", t->item_name);
    jw_id(&w, "version_id", t->version_id);
    jw_str(&w, "priority", queue_priority_name(t->priority));
    jw_str(&w, "status", queue_status_name(t->status));
    jw_str(&w, "channel", queue_channel_name(t->channel));
    jw_id(&w, "window_id", t->window_id);
    jw_str(&w, "window_name", t->window_id ? t->window_name : NULL);
    jw_str(&w, "window_code", t->window_id ? t->window_code : NULL);
    jw_id(&w, "target_window_id", t->target_window_id);
    jw_id(&w, "staff_id", t->staff_id);
    jw_int(&w, "recalls", t->recalls);
    jw_int(&w, "issued_at", t->issued_at);
    jw_id(&w, "called_at", t->called_at);
    jw_id(&w, "started_at", t->started_at);
    jw_id(&w, "finished_at", t->finished_at);
    jw_int(&w, "wait_s", t->wait_s);
    jw_int(&w, "service_s", t->service_s);
    jw_text(&w, "display_name", t->display_name);
    if (t->position > 0)
        jw_int(&w, "position", t->position);
    else
        jw_null(&w, "position");
    if (t->eta_minutes >= 0)
        jw_int(&w, "eta_minutes", t->eta_minutes);
    else
        jw_null(&w, "eta_minutes");
    jw_end(&w);
    return jw_finish(&w, len);
}

/* The same as a jansson value, for answers that embed tickets. */
json_t *api_queue_ticket_json(const struct queue_ticket *t)
{
    char *text = ticket_text(t, NULL);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

static json_t *tickets_json(const struct queue_ticket *t, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, api_queue_ticket_json(&t[i]));
    return arr;
}

static json_t *series_json(const struct queue_series *s)
{
    json_t *codes = json_array();
    for (int i = 0; codes && i < s->nitems; i++)
        json_array_append_new(codes, json_string(s->item_codes[i]));
    return json_pack("{s:I,s:I,s:s,s:s,s:b,s:o*,s:I,s:I}", "id", (json_int_t)s->id, "hall_id",
                     (json_int_t)s->hall_id, "prefix", s->prefix, "name", s->name, "active",
                     s->active, "item_codes", codes, "created_at", (json_int_t)s->created_at,
                     "updated_at", (json_int_t)s->updated_at);
}

/* A window's status as JSON text (malloc'd; NULL when out of memory). */
static char *window_text(const struct queue_window *w)
{
    char *current = w->has_current ? ticket_text(&w->current, NULL) : NULL;
    if (w->has_current && !current)
        return NULL;
    struct jsonw j;
    jw_init(&j);
    jw_begin(&j);
    jw_int(&j, "window_id", w->window_id);
    jw_int(&j, "hall_id", w->hall_id);
    jw_str(&j, "name", w->name);
    jw_str(&j, "code", w->code);
    jw_str(&j, "status", queue_window_status_name(w->status));
    jw_id(&j, "staff_id", w->staff_id);
    jw_str(&j, "staff_name", w->staff_id ? w->staff_name : NULL);
    jw_raw(&j, "current", current);
    jw_str(&j, "mode", queue_mode_name(w->mode));
    jw_ints(&j, "series_ids", w->series_ids, w->nseries);
    jw_end(&j);
    free(current);
    return jw_finish(&j, NULL);
}

static json_t *window_json(const struct queue_window *w)
{
    char *text = window_text(w);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j;
}

static json_t *waits_json(const struct queue_series_wait *w, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(
            arr,
            json_pack("{s:I,s:s,s:s,s:i,s:o}", "series_id", (json_int_t)w[i].series_id, "prefix",
                      w[i].prefix, "name", w[i].name, "waiting", w[i].waiting, "eta_minutes",
                      w[i].eta_minutes >= 0 ? json_integer(w[i].eta_minutes) : json_null()));
    return arr;
}

static json_t *calls_json(const struct queue_call *c, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:I,s:i}", "window_id",
                           (json_int_t)c[i].window_id, "window_name", c[i].window_name,
                           "window_code", c[i].window_code, "ticket_id", (json_int_t)c[i].ticket_id,
                           "code", c[i].code, "display_name", text_or_null(c[i].display_name),
                           "called_at", (json_int_t)c[i].called_at, "recalls", c[i].recalls));
    return arr;
}

int api_queue_board_render(struct db *db, int64_t hall_id, char **text)
{
    struct arena a = {0};
    struct queue_board b;
    *text = NULL;
    int rc = queue_board(db, hall_id, now_s(), &a, &b);
    if (rc == 0) {
        json_t *j = json_pack("{s:I,s:s,s:I,s:o*,s:o*,s:o*,s:i}", "hall_id", (json_int_t)b.hall_id,
                              "hall_name", b.hall_name, "generated_at", (json_int_t)b.generated_at,
                              "current", calls_json(b.current, b.ncurrent), "recent",
                              calls_json(b.recent, b.nrecent), "waiting",
                              waits_json(b.waiting, b.nwaiting), "total_waiting", b.total_waiting);
        *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        rc = *text ? 0 : ERR_NOMEM;
    }
    arena_reset(&a);
    return rc;
}

int api_queue_board_same(const char *a, const char *b)
{
    static const char key[] = "\"generated_at\":";
    const char *ka = strstr(a, key), *kb = strstr(b, key);
    if (!ka || !kb || ka - a != kb - b || strncmp(a, b, (size_t)(ka - a)) != 0)
        return 0;
    ka += sizeof(key) - 1;
    kb += sizeof(key) - 1;
    ka += strspn(ka, "0123456789");
    kb += strspn(kb, "0123456789");
    return strcmp(ka, kb) == 0;
}

/* The board of a hall as JSON text: from the read cache ("board:<id>",
 * dropped by any commit) or rendered once and put there. *text is borrowed
 * from the cache or r->arena, valid for the request. Returns 0, or an
 * ERR_* code (ERR_NOTFOUND: not an active hall). */
static int board_text(struct req *r, struct db *db, int64_t hall_id, const char **text, size_t *len)
{
    char key[40];
    snprintf(key, sizeof(key), "board:%lld", (long long)hall_id);
    /* the cache keeps the closing NUL too */
    const char *cached = db_cache_get(db, key, len);
    if (cached && *len > 0 && cached[*len - 1] == '\0') {
        *text = cached;
        (*len)--;
        return 0;
    }
    char *s = NULL;
    int rc = api_queue_board_render(db, hall_id, &s);
    if (rc < 0)
        return rc;
    char *copy = arena_strdup(&r->arena, s);
    free(s);
    if (!copy)
        return ERR_NOMEM;
    *text = copy;
    *len = strlen(copy);
    db_cache_put(db, key, copy, *len + 1);
    return 0;
}

/* ---- input ---- */

/* A node of `kind` from path parameter 0 (active); answers 404 otherwise. */
static int node_param(struct req *r, const char *kind, struct org_node *n)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = api_org_get(r, id, n);
    if (rc == 0 && (strcmp(n->kind, kind) != 0 || !n->active))
        rc = ERR_NOTFOUND;
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such %s" : "database error", kind);
        return rc;
    }
    return 0;
}

/* Like api_body, but an empty body counts as {}. */
static int body_opt(struct req *r, const struct jfield *f, int n)
{
    if (r->body_len == 0)
        return 0;
    return api_body(r, f, n);
}

/* Parse the body, take the array member `key` out (a new reference in *arr,
 * NULL when absent) and unpack the rest by f. Answers 400 on failure. */
static int body_with_array(struct req *r, const char *key, json_t **arr, const struct jfield *f,
                           int n)
{
    *arr = NULL;
    json_t *j = req_body_json(r);
    if (!j)
        return ERR_INVALID;
    json_t *a = json_object_get(j, key);
    if (a) {
        *arr = json_incref(a);
        json_object_del(j, key);
    }
    struct err e = {0};
    int rc = json_in_unpack(j, f, n, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        json_decref(*arr);
        *arr = NULL;
        req_fail(r, &e);
    }
    return rc;
}

/* item_codes: an array of catalogue codes into the arena. Takes arr. */
static int item_codes_in(struct req *r, json_t *arr, const char ***codes, int *n)
{
    int rc = 0;
    *codes = NULL;
    *n = 0;
    if (!json_is_array(arr) || json_array_size(arr) > QUEUE_SERIES_ITEMS_MAX) {
        req_error(r, ERR_INVALID, "item_codes", "item_codes must be an array of at most %d codes",
                  QUEUE_SERIES_ITEMS_MAX);
        rc = ERR_INVALID;
    }
    size_t count = rc == 0 ? json_array_size(arr) : 0;
    if (rc == 0) {
        *codes = arena_alloc(&r->arena, sizeof(**codes) * (count ? count : 1));
        if (!*codes) {
            req_error(r, ERR_NOMEM, NULL, "out of memory");
            rc = ERR_NOMEM;
        }
    }
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s || !catalog_code_ok(s)) {
            char field[48];
            snprintf(field, sizeof(field), "item_codes[%zu]", i);
            req_error(r, ERR_INVALID, field, "%s must be a catalogue item code", field);
            rc = ERR_INVALID;
            break;
        }
        (*codes)[i] = arena_strdup(&r->arena, s);
        if (!(*codes)[i]) {
            req_error(r, ERR_NOMEM, NULL, "out of memory");
            rc = ERR_NOMEM;
            break;
        }
        (*n)++;
    }
    json_decref(arr);
    return rc;
}

/* ---- writes: one op, its run, and what to publish after the commit ---- */

struct qop {
    struct api_op op;
    int64_t now;
    int64_t id; /* the hall, series, window or ticket of the path */
    /* inputs */
    struct queue_issue_input issue;
    const char *prefix, *name, *code, *item_code, *reason, *mode;
    const char **item_codes;
    int nitems, set_items, active, raise;
    int64_t series_id, window_id;
    int64_t series_ids[QUEUE_PROFILE_MAX];
    int nseries;
    enum queue_action action;
    /* what to publish */
    int64_t pub_hall, pub_window, pub_target;
    int is_ticket; /* the result is this ticket (rendered after the commit) */
    struct queue_ticket ticket;
    const char *ticket_event; /* ticket.* with it to the hall and the window */
    json_t *window_status;    /* window.status with this */
    int64_t window_after;     /* window.status of this window, read after the commit */
    int board;                /* board.changed */
};

static struct qop *qop_new(struct req *r)
{
    struct qop *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q) {
        req_error(r, ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    q->now = now_s();
    q->active = -1;
    return q;
}

static void publish(const char *kind, int64_t id, const char *type, const char *data)
{
    char channel[SSE_CHANNEL_MAX];
    if (!id || !data)
        return;
    snprintf(channel, sizeof(channel), "%s:%lld", kind, (long long)id);
    sse_publish(channel, type, data);
}

/* After the commit, on an HTTP thread: answer, then tell the screens. */
static int qop_after(struct req *r, int rc, struct err *e)
{
    struct qop *q = r->job.arg;
    char *ticket = NULL, *window = NULL;
    size_t ticket_len = 0;
    if (rc >= 0 && q->window_status)
        window = json_dumps(q->window_status, JSON_COMPACT);
    json_decref(q->window_status);
    q->window_status = NULL;
    if (rc >= 0 && q->window_after && !window) {
        /* read on this thread's connection, which sees the commit */
        struct queue_window w;
        struct db *db = req_db(r);
        if (db && queue_window_get(db, q->window_after, q->now, &w) == 0)
            window = window_text(&w);
    }
    int ret;
    if (rc >= 0 && q->is_ticket) {
        /* one rendering for the answer and the screens */
        json_decref(q->op.result);
        q->op.result = NULL;
        ticket = ticket_text(&q->ticket, &ticket_len);
        /* a ticket just issued: its evaluation token, for the printed QR
         * code, in this answer only (never on a screen's stream) */
        char *answer = ticket && q->ticket.eval_token[0]
                           ? arena_printf(&r->arena, "%.*s,\"eval_token\":\"%s\"}",
                                          (int)ticket_len - 1, ticket, q->ticket.eval_token)
                           : ticket;
        ret = answer ? req_bytes(r, q->op.status, JSON_TYPE, answer, strlen(answer))
                     : req_error(r, ERR_NOMEM, NULL, "out of memory");
    } else {
        ret = api_op_after(r, rc, e);
    }
    if (rc < 0)
        return ret;
    if (ticket && q->ticket_event) {
        publish("hall", q->pub_hall, q->ticket_event, ticket);
        publish("window", q->pub_window, q->ticket_event, ticket);
    }
    /* a ticket transferred to a window joins that window's line */
    if (ticket && q->pub_target && q->pub_target != q->pub_window)
        publish("window", q->pub_target, "ticket.issued", ticket);
    if (window) {
        publish("hall", q->pub_hall, "window.status", window);
        publish("window", q->pub_window, "window.status", window);
    }
    free(ticket);
    free(window);
    if (q->board)
        board_touch(q->pub_hall);
    if (q->is_ticket && q->ticket.eval_event_id) /* the tablet asks for the evaluation */
        api_eval_invite(r, q->ticket.eval_event_id, q->ticket.window_id);
    return ret;
}

void api_queue_announce_issued(struct req *r, int64_t hall_id, int64_t ticket_id)
{
    struct db *db = req_db(r);
    if (!db)
        return;
    db_cache_request(db); /* the commit that issued it is newer than the request's start */
    struct queue_ticket t;
    if (queue_ticket_get(db, ticket_id, now_s(), &t) == 0) {
        char *text = ticket_text(&t, NULL);
        publish("hall", hall_id, "ticket.issued", text);
        free(text);
    }
    board_touch(hall_id);
}

static int qop_submit(struct req *r, struct qop *q,
                      int (*run)(struct db *, struct api_op *, struct err *))
{
    q->op.run = run;
    return api_submit_with(r, &q->op, qop_after);
}

/* The window's status as the op's window.status event (and, with as_result,
 * its answer). */
static int with_window(struct db *db, struct qop *q, int64_t window_id, int as_result,
                       struct err *e)
{
    struct queue_window w;
    int rc = queue_window_get(db, window_id, q->now, &w);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    q->window_status = window_json(&w);
    if (as_result)
        q->op.result = window_json(&w);
    q->pub_hall = w.hall_id;
    q->pub_window = window_id;
    return 0;
}

static int result_ticket(struct qop *q, const struct queue_ticket *t, const char *event)
{
    q->ticket = *t;
    q->is_ticket = 1;
    q->ticket_event = event;
    q->pub_hall = t->hall_id;
    if (!q->pub_window)
        q->pub_window = t->window_id;
    q->board = 1;
    return 0;
}

/* ---- series ---- */

static int api_series_list(struct req *r)
{
    struct org_node hall;
    if (api_role(r, ROLES_STAFF_ALL | (1u << ROLE_DEVICE)) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0)
        return REQ_DONE;
    struct queue_series *s;
    int n = 0;
    int rc = queue_series_list(req_db(r), hall.id, &r->arena, &s, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, series_json(&s[i]));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

/* the series id as the op's answer, read on the writer's connection */
static int result_series(struct db *db, struct qop *q, int64_t id, struct err *e)
{
    struct arena a = {0};
    struct queue_series s;
    int rc = queue_series_get(db, id, &a, &s);
    if (rc == 0)
        q->op.result = series_json(&s);
    if (rc == 0) {
        q->pub_hall = s.hall_id;
        q->board = 1;
    }
    arena_reset(&a);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static int run_series_create(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    int64_t id = 0;
    int rc = queue_series_create(db, &op->who, q->id, q->prefix, q->name,
                                 (const char *const *)q->item_codes, q->nitems, q->now, &id, e);
    return rc < 0 ? rc : result_series(db, q, id, e);
}

static int api_series_create(struct req *r)
{
    struct org_node hall;
    struct qop *q = qop_new(r);
    json_t *arr = NULL;
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"prefix", JF_STRING, 1, &q->prefix, 1, QUEUE_PREFIX_MAX, NULL},
        {"name", JF_STRING, 1, &q->name, 1, QUEUE_SERIES_NAME_MAX, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0 ||
        body_with_array(r, "item_codes", &arr, f, 2) < 0)
        return REQ_DONE;
    if (arr && item_codes_in(r, arr, &q->item_codes, &q->nitems) < 0)
        return REQ_DONE;
    q->id = hall.id;
    q->op.status = 201;
    return qop_submit(r, q, run_series_create);
}

static int run_series_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_series_patch p = {q->name, q->active, q->set_items,
                                   (const char *const *)q->item_codes, q->nitems};
    int rc = queue_series_update(db, &op->who, q->id, &p, q->now, e);
    return rc < 0 ? rc : result_series(db, q, q->id, e);
}

static int api_series_patch(struct req *r)
{
    struct qop *q = qop_new(r);
    json_t *arr = NULL;
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"name", JF_STRING, 0, &q->name, 1, QUEUE_SERIES_NAME_MAX, NULL},
        {"active", JF_BOOL, 0, &q->active, 0, 0, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0 || body_with_array(r, "item_codes", &arr, f, 2) < 0)
        return REQ_DONE;
    if (arr) {
        q->set_items = 1;
        if (item_codes_in(r, arr, &q->item_codes, &q->nitems) < 0)
            return REQ_DONE;
    }
    return qop_submit(r, q, run_series_patch);
}

/* ---- windows ---- */

static int run_profile(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    enum queue_mode mode = QUEUE_LONGEST_WAIT;
    if (q->mode && queue_mode_parse(q->mode, &mode) < 0)
        return err_set(e, ERR_INVALID, "mode", "mode must be longest_wait or strict_priority");
    int rc = queue_profile_set(db, &op->who, q->id, mode, q->series_ids, q->nseries, q->now, e);
    return rc < 0 ? rc : with_window(db, q, q->id, 1, e);
}

static int api_window_profile(struct req *r)
{
    struct org_node win;
    struct qop *q = qop_new(r);
    json_t *arr = NULL;
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"mode", JF_STRING, 0, &q->mode, 1, 32, NULL}};
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        node_param(r, "window", &win) < 0 || api_scope(r, win.path) < 0 ||
        body_with_array(r, "series_ids", &arr, f, 1) < 0)
        return REQ_DONE;
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n > QUEUE_PROFILE_MAX) {
        json_decref(arr);
        return req_error(r, ERR_INVALID, "series_ids",
                         "series_ids must be an array of at most %d series ids", QUEUE_PROFILE_MAX);
    }
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(arr, i);
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            json_decref(arr);
            return req_error(r, ERR_INVALID, "series_ids", "series_ids[%zu] must be a series id",
                             i);
        }
        q->series_ids[q->nseries++] = (int64_t)json_integer_value(x);
    }
    json_decref(arr);
    q->id = win.id;
    return qop_submit(r, q, run_profile);
}

static int api_hall_windows(struct req *r)
{
    struct org_node hall;
    if (api_role(r, ROLES_STAFF_ALL | (1u << ROLE_DEVICE)) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0)
        return REQ_DONE;
    struct queue_window *w;
    int n = 0;
    int rc = queue_hall_windows(req_db(r), hall.id, now_s(), &r->arena, &w, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, window_json(&w[i]));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

static int run_open(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    int rc = queue_window_open(db, &op->who, q->id, q->now, e);
    if (rc == 0)
        rc = with_window(db, q, q->id, 1, e);
    q->board = rc == 0;
    return rc;
}

static int run_pause(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    int rc = queue_window_pause(db, &op->who, q->id, q->now, e);
    if (rc == 0)
        rc = with_window(db, q, q->id, 1, e);
    q->board = rc == 0;
    return rc;
}

static int run_close(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    int rc = queue_window_close(db, &op->who, q->id, q->now, e);
    if (rc == 0)
        rc = with_window(db, q, q->id, 1, e);
    q->board = rc == 0;
    return rc;
}

static int run_call_next(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket t;
    int rc = queue_call_next(db, &op->who, q->id, q->now, &t, e);
    return rc < 0 ? rc : result_ticket(q, &t, "ticket.called");
}

static int run_call_code(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket t;
    int rc = queue_call_code(db, &op->who, q->id, q->code, q->now, &t, e);
    return rc < 0 ? rc : result_ticket(q, &t, "ticket.called");
}

static int run_walk_direct(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket t;
    int rc = queue_walk_direct(db, &op->who, q->id, q->item_code, q->name, q->now, &t, e);
    if (rc == 0)
        rc = result_ticket(q, &t, NULL);
    return rc < 0 ? rc : with_window(db, q, q->id, 0, e);
}

/* The window of the path, for a write by staff; answers on failure. */
static int window_prep(struct req *r, struct qop *q)
{
    struct org_node win;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        node_param(r, "window", &win) < 0)
        return ERR_INVALID;
    q->id = win.id;
    return 0;
}

static int api_window_open(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q || window_prep(r, q) < 0 || body_opt(r, NULL, 0) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_open);
}

static int api_window_close(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q || window_prep(r, q) < 0 || body_opt(r, NULL, 0) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_close);
}

static int api_window_pause(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q || window_prep(r, q) < 0 || body_opt(r, NULL, 0) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_pause);
}

static int api_call_next(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q || window_prep(r, q) < 0 || body_opt(r, NULL, 0) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_call_next);
}

static int api_call_code(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"code", JF_STRING, 1, &q->code, 1, QUEUE_CODE_MAX - 1, NULL}};
    if (window_prep(r, q) < 0 || api_body(r, f, 1) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_call_code);
}

static int api_walk_direct(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"item_code", JF_STRING, 0, &q->item_code, 1, CATALOG_CODE_MAX, NULL},
        {"name", JF_STRING, 0, &q->name, 1, QUEUE_NAME_MAX, NULL},
    };
    if (window_prep(r, q) < 0 || body_opt(r, f, 2) < 0)
        return REQ_DONE;
    q->op.status = 201;
    return qop_submit(r, q, run_walk_direct);
}

static int api_window_queue(struct req *r)
{
    struct org_node win;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        node_param(r, "window", &win) < 0 || api_scope(r, win.path) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    struct queue_window w = {0};
    struct queue_ticket *waiting = NULL, *parked = NULL;
    struct queue_today today = {0};
    int nw = 0, np = 0;
    int64_t now = now_s();
    int rc = queue_window_get(db, win.id, now, &w);
    if (rc == 0)
        rc = queue_window_lines(db, &w, now, &r->arena, &waiting, &nw, &parked, &np);
    if (rc == 0)
        rc = queue_window_today(db, &w, now, &today);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *t = json_pack("{s:i,s:i,s:I,s:I}", "served", today.served, "no_shows", today.no_shows,
                          "avg_wait_s", (json_int_t)today.avg_wait_s, "avg_service_s",
                          (json_int_t)today.avg_service_s);
    return req_json(r, 200,
                    json_pack("{s:o*,s:o*,s:o*,s:o*}", "window", window_json(&w), "waiting",
                              tickets_json(waiting, nw), "parked", tickets_json(parked, np),
                              "today", t));
}

/* ---- tickets ---- */

static int run_issue(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket t;
    int rc = queue_issue(db, &op->who, &q->issue, q->now, &t, e);
    return rc < 0 ? rc : result_ticket(q, &t, "ticket.issued");
}

static int api_issue(struct req *r)
{
    struct org_node hall;
    struct qop *q = qop_new(r);
    const char *priority = NULL;
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"item_code", JF_STRING, 0, &q->issue.item_code, 1, CATALOG_CODE_MAX, NULL},
        {"series_id", JF_INT, 0, &q->issue.series_id, 1, INT64_MAX, NULL},
        {"priority", JF_STRING, 0, &priority, 1, 16, NULL},
        {"name", JF_STRING, 0, &q->issue.name, 1, QUEUE_NAME_MAX, NULL},
        {"phone", JF_STRING, 0, &q->issue.phone, 1, QUEUE_PHONE_MAX + 1, NULL},
    };
    if (api_role(r, ROLES_STAFF_ALL | (1u << ROLE_DEVICE)) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0 ||
        body_opt(r, f, (int)(sizeof(f) / sizeof(f[0]))) < 0)
        return REQ_DONE;
    q->issue.priority = QUEUE_NORMAL;
    if (priority && queue_priority_parse(priority, &q->issue.priority) < 0)
        return req_error(r, ERR_INVALID, "priority",
                         "priority must be normal, agent, appointment or green");
    if (!q->issue.item_code && !q->issue.series_id)
        return req_error(r, ERR_INVALID, "item_code", "give item_code or series_id");
    q->issue.hall_id = hall.id;
    q->issue.channel = r->who.role == ROLE_DEVICE ? QUEUE_CH_KIOSK : QUEUE_CH_STAFF;
    q->op.status = 201;
    return qop_submit(r, q, run_issue);
}

static const char *const action_events[] = {
    [QUEUE_DO_RECALL] = "ticket.recalled",
    [QUEUE_DO_START] = NULL,
    [QUEUE_DO_FINISH] = "ticket.finished",
    [QUEUE_DO_NO_SHOW] = "ticket.finished",
    [QUEUE_DO_PARK] = NULL,
    [QUEUE_DO_RESUME] = NULL,
};

static int run_act(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket t;
    int rc = queue_act(db, &op->who, q->id, q->action, q->now, &t, e);
    if (rc == 0)
        rc = result_ticket(q, &t, action_events[q->action]);
    /* start, park and resume change what the window shows, not the hall */
    if (rc == 0 && !action_events[q->action]) {
        q->window_after = t.window_id;
        q->pub_window = t.window_id;
    }
    if (rc == 0 && q->action == QUEUE_DO_START)
        q->board = 0;
    return rc;
}

static int ticket_action(struct req *r, enum queue_action action)
{
    struct qop *q = qop_new(r);
    if (!q || api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0 || body_opt(r, NULL, 0) < 0)
        return REQ_DONE;
    q->action = action;
    return qop_submit(r, q, run_act);
}

static int api_ticket_recall(struct req *r)
{
    return ticket_action(r, QUEUE_DO_RECALL);
}

static int api_ticket_start(struct req *r)
{
    return ticket_action(r, QUEUE_DO_START);
}

static int api_ticket_finish(struct req *r)
{
    return ticket_action(r, QUEUE_DO_FINISH);
}

static int api_ticket_no_show(struct req *r)
{
    return ticket_action(r, QUEUE_DO_NO_SHOW);
}

static int api_ticket_park(struct req *r)
{
    return ticket_action(r, QUEUE_DO_PARK);
}

static int api_ticket_resume(struct req *r)
{
    return ticket_action(r, QUEUE_DO_RESUME);
}

static int run_transfer(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket before, t;
    int rc = queue_ticket_get(db, q->id, q->now, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such ticket" : "database error");
    rc = queue_transfer(db, &op->who, q->id, q->series_id, q->window_id, q->raise, q->now, &t, e);
    if (rc < 0)
        return rc;
    q->pub_target = q->window_id;
    rc = result_ticket(q, &t, NULL);
    /* the window it left */
    if (rc == 0 && before.window_id)
        rc = with_window(db, q, before.window_id, 0, e);
    return rc;
}

static int api_ticket_transfer(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"series_id", JF_INT, 0, &q->series_id, 1, INT64_MAX, NULL},
        {"window_id", JF_INT, 0, &q->window_id, 1, INT64_MAX, NULL},
        {"raise_priority", JF_BOOL, 0, &q->raise, 0, 0, NULL},
    };
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0 || body_opt(r, f, 3) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_transfer);
}

static int run_withdraw(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    struct queue_ticket before, t;
    int rc = queue_ticket_get(db, q->id, q->now, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such ticket" : "database error");
    rc = queue_withdraw(db, &op->who, q->id, q->reason, q->now, &t, e);
    if (rc < 0)
        return rc;
    /* a waiting ticket concerns the hall only */
    q->pub_window = before.status == QUEUE_WAITING ? 0 : before.window_id;
    return result_ticket(q, &t, "ticket.finished");
}

static int api_ticket_withdraw(struct req *r)
{
    struct qop *q = qop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {{"reason", JF_STRING, 0, &q->reason, 0, QUEUE_REASON_MAX, NULL}};
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &q->id) < 0 || body_opt(r, f, 1) < 0)
        return REQ_DONE;
    return qop_submit(r, q, run_withdraw);
}

static int api_ticket_timeline(struct req *r)
{
    int64_t id;
    struct queue_ticket t;
    struct org_node hall;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    int rc = queue_ticket_get(db, id, now_s(), &t);
    if (rc == 0)
        rc = org_get(db, t.hall_id, &hall);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such ticket" : "database error");
    if (api_scope(r, hall.path) < 0)
        return REQ_DONE;
    struct queue_event *ev;
    int n = 0;
    rc = queue_timeline(db, id, &r->arena, &ev, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        json_t *detail = ev[i].detail[0] ? json_loads(ev[i].detail, 0, NULL) : NULL;
        json_array_append_new(
            arr, json_pack("{s:I,s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)ev[i].id, "ts",
                           (json_int_t)ev[i].ts, "type", ev[i].type, "window_id",
                           id_or_null(ev[i].window_id), "staff_id", id_or_null(ev[i].staff_id),
                           "detail", detail ? detail : json_object()));
    }
    return req_json(r, 200,
                    json_pack("{s:o*,s:o*}", "ticket", api_queue_ticket_json(&t), "events", arr));
}

/* ---- the hall's public screens ---- */

static int api_hall_board(struct req *r)
{
    struct org_node hall;
    if (req_query_done(r) < 0 || node_param(r, "hall", &hall) < 0)
        return REQ_DONE;
    const char *text = NULL;
    size_t len = 0;
    int rc = board_text(r, req_db(r), hall.id, &text, &len);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such hall" : "database error");
    return req_bytes(r, 200, JSON_TYPE, text, len);
}

static int api_hall_waiting(struct req *r)
{
    struct org_node hall;
    if (req_query_done(r) < 0 || node_param(r, "hall", &hall) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    char key[40];
    size_t len = 0;
    snprintf(key, sizeof(key), "waiting:%lld", (long long)hall.id);
    const char *cached = db_cache_get(db, key, &len);
    if (cached)
        return req_bytes(r, 200, JSON_TYPE, cached, len);
    struct queue_series_wait *w;
    int n = 0, total = 0;
    int rc = queue_waiting(db, hall.id, now_s(), &r->arena, &w, &n, &total);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    req_json(r, 200,
             json_pack("{s:I,s:o*,s:i}", "hall_id", (json_int_t)hall.id, "series", waits_json(w, n),
                       "total_waiting", total));
    if (r->status == 200 && r->resp)
        db_cache_put(db, key, r->resp, r->resp_len);
    return REQ_DONE;
}

/* ---- figures ---- */

static int api_hall_stats(struct req *r)
{
    struct org_node hall;
    const unsigned roles = (1u << ROLE_ADMIN) | (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR);
    if (api_role(r, roles) < 0)
        return REQ_DONE;
    const char *day = req_query(r, "day"), *by_text = req_query(r, "by");
    if (req_query_done(r) < 0 || node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0)
        return REQ_DONE;
    char today[DATE_TEXT];
    int32_t dn;
    int64_t now = now_s();
    queue_service_day(now, today);
    if (!day)
        day = today;
    else if (date_parse(day, &dn) < 0)
        return req_error(r, ERR_INVALID, "day", "day must be a date YYYY-MM-DD");
    enum queue_stats_by by = QUEUE_BY_HALL;
    if (by_text && queue_stats_by_parse(by_text, &by) < 0)
        return req_error(r, ERR_INVALID, "by", "by must be hall, window, series or staff");
    struct queue_stats_row *rows;
    int n = 0, live = 0;
    struct db *db = req_db(r);
    int rc = queue_stats(db, hall.id, day, by, &r->arena, &rows, &n);
    if (rc == 0)
        rc = queue_live_waiting(db, hall.id, now, &live);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_TOOLARGE ? "too many rows" : "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++) {
        const struct queue_stats_row *x = &rows[i];
        json_t *row = json_pack("{s:I,s:s,s:i,s:i,s:i,s:i}", "key", (json_int_t)x->key, "name",
                                x->name, "issued", x->issued, "served", x->served, "no_shows",
                                x->no_shows, "withdrawn", x->withdrawn);
        json_object_set_new(row, "avg_wait_s", json_integer(x->avg_wait_s));
        json_object_set_new(row, "p90_wait_s", json_integer(x->p90_wait_s));
        json_object_set_new(row, "avg_service_s", json_integer(x->avg_service_s));
        json_object_set_new(row, "p90_service_s", json_integer(x->p90_service_s));
        json_object_set_new(row, "wait_timeouts", json_integer(x->wait_timeouts));
        json_object_set_new(row, "service_timeouts", json_integer(x->service_timeouts));
        json_array_append_new(arr, row);
    }
    static const char *const by_names[] = {"", "hall", "window", "series", "staff"};
    return req_json(r, 200,
                    json_pack("{s:s,s:s,s:o,s:i,s:I,s:I}", "day", day, "by", by_names[by], "rows",
                              arr, "live_waiting", live, "wait_timeout_s",
                              (json_int_t)QUEUE_WAIT_TIMEOUT_S, "service_timeout_s",
                              (json_int_t)QUEUE_SERVICE_TIMEOUT_S));
}

/* GET /api/halls/{id}/queue-settings: the hall's queue rules */
static int api_queue_settings(struct req *r)
{
    struct org_node hall;
    if (api_role(r, ROLES_STAFF_ALL | (1u << ROLE_DEVICE)) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0)
        return REQ_DONE;
    int limit = 0;
    int rc = queue_recall_limit(req_db(r), hall.id, &limit);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200,
                    json_pack("{s:I,s:i}", "hall_id", (json_int_t)hall.id, "recall_limit", limit));
}

static int run_settings(struct db *db, struct api_op *op, struct err *e)
{
    struct qop *q = (struct qop *)op;
    int rc = queue_set_recall_limit(db, &op->who, q->id, (int)q->series_id, q->now, e);
    if (rc < 0)
        return rc;
    int limit = 0;
    rc = queue_recall_limit(db, q->id, &limit);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    op->result = json_pack("{s:I,s:i}", "hall_id", (json_int_t)q->id, "recall_limit", limit);
    return 0;
}

/* PUT /api/halls/{id}/queue-settings {"recall_limit"}: admin */
static int api_queue_settings_put(struct req *r)
{
    struct org_node hall;
    struct qop *q = qop_new(r);
    if (!q)
        return REQ_DONE;
    struct jfield f[] = {
        {"recall_limit", JF_INT, 1, &q->series_id, 0, QUEUE_RECALL_LIMIT_MAX, NULL},
    };
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        node_param(r, "hall", &hall) < 0 || api_scope(r, hall.path) < 0 || api_body(r, f, 1) < 0)
        return REQ_DONE;
    q->id = hall.id;
    q->op.run = run_settings;
    return api_submit(r, &q->op);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/halls/{id}/queue-settings", api_queue_settings, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_PUT, "/api/halls/{id}/queue-settings", api_queue_settings_put, 0, 0, NULL, 0},
    {HTTP_GET, "/api/halls/{id}/series", api_series_list, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_POST, "/api/halls/{id}/series", api_series_create, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/series/{id}", api_series_patch, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/windows/{id}/profile", api_window_profile, 0, 0, NULL, 0},
    {HTTP_GET, "/api/halls/{id}/windows/status", api_hall_windows, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_POST, "/api/halls/{id}/tickets", api_issue, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_GET, "/api/halls/{id}/waiting", api_hall_waiting, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/halls/{id}/board", api_hall_board, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/halls/{id}/stats", api_hall_stats, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/open", api_window_open, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/close", api_window_close, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/pause", api_window_pause, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/call-next", api_call_next, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/call", api_call_code, 0, 0, NULL, 0},
    {HTTP_POST, "/api/windows/{id}/walk-direct", api_walk_direct, 0, 0, NULL, 0},
    {HTTP_GET, "/api/windows/{id}/queue", api_window_queue, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/recall", api_ticket_recall, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/start", api_ticket_start, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/finish", api_ticket_finish, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/no-show", api_ticket_no_show, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/park", api_ticket_park, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/resume", api_ticket_resume, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/transfer", api_ticket_transfer, 0, 0, NULL, 0},
    {HTTP_POST, "/api/tickets/{id}/withdraw", api_ticket_withdraw, 0, 0, NULL, 0},
    {HTTP_GET, "/api/tickets/{id}/timeline", api_ticket_timeline, 0, 0, NULL, 0},
};

const struct api_module api_queue_module = {routes, sizeof(routes) / sizeof(routes[0])};

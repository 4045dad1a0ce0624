/* api.h - the JSON API: the route table and what the resource files share.
 *
 * Each api_*.c file unpacks its input strictly into C structs, checks the
 * caller's role and scope (reads here; writes again inside the transaction in
 * the domain), calls the domain and renders JSON. No SQL, no rules.
 */
#ifndef CK_API_H
#define CK_API_H

#include <stddef.h>

#include "http/json_in.h"
#include "http/req.h"
#include "http/router.h"

struct db;
struct org_node;

#define API_PER_PAGE_DEFAULT 50
#define API_PER_PAGE_MAX 500

/* A resource file's routes. Each api_*.c that serves routes defines one
 * `const struct api_module api_NAME_module` and api_common.c lists it. */
struct api_module {
    const struct route *routes;
    size_t n;
};

extern const struct api_module api_core_module;
extern const struct api_module api_calendar_module;
extern const struct api_module api_events_module;
extern const struct api_module api_catalog_module;
extern const struct api_module api_notice_module;
extern const struct api_module api_queue_module;
extern const struct api_module api_appointment_module;
extern const struct api_module api_case_follow_module;
extern const struct api_module api_case_module;
extern const struct api_module api_inquiry_module;
extern const struct api_module api_eval_stats_module;
extern const struct api_module api_eval_config_module;
extern const struct api_module api_evaluation_module;
extern const struct api_module api_badreview_module;
extern const struct api_module api_eval_fraud_module;
extern const struct api_module api_eval_push_module;
extern const struct api_module api_qr_module;
extern const struct api_module api_commitment_module;
extern const struct api_module api_review_module;
extern const struct api_module api_score_module;
extern const struct api_module api_nomination_module;

/* The whole route table, every module's routes in order (static storage,
 * built on each call; call once at start-up). */
struct route *api_routes(size_t *n);

/* A write: op->run runs on the writer thread inside the transaction and may
 * set op->result (a new JSON reference) and op->status; the answer follows.
 * Embed struct api_op as the first member of a handler's own struct,
 * allocated in r->arena. */
struct api_op {
    struct actor who;
    int (*run)(struct db *db, struct api_op *op, struct err *e);
    json_t *result;
    unsigned status;
};

/* Queue op on the writer (copies r->who into op->who). Returns REQ_PENDING. */
int api_submit(struct req *r, struct api_op *op);

/* The same with a custom `after` (which finds op in r->job.arg). */
int api_submit_with(struct req *r, struct api_op *op, req_after_fn after);

/* For slow work on the pool: run op through the writer and wait. */
int api_run_sync(struct req *r, struct api_op *op, struct err *e);

/* The standard `after` for api_op: error or op->result. */
int api_op_after(struct req *r, int rc, struct err *e);

/* Read page and per_page (query); answers 400 on a bad value. */
int api_page(struct req *r, int64_t *page, int64_t *per_page);

/* Read active=0|1 (query) into *active, -1 when absent; answers 400 when bad. */
int api_active(struct req *r, int *active);

/* {"items":items,"total":…,"page":…,"per_page":…}; takes items. */
json_t *api_page_json(json_t *items, int64_t total, int64_t page, int64_t per_page);

/* 403 unless the caller may see the node path (the shared scope check). */
int api_scope(struct req *r, const char *path);

/* For a list filter naming a node (node_id / parent_id): 0 when absent or in
 * scope; else answers 400 (no such node) or 403 and returns < 0. */
int api_filter_node(struct req *r, int64_t node_id, const char *field);

/* org_get on the request's read connection, through a cache kept for at
 * most 5 s and dropped by any change to the tree (db_auth_generation): 0,
 * ERR_NOTFOUND or a database error. For reads only; a write's run function
 * uses org_get on its own connection. */
int api_org_get(struct req *r, int64_t id, struct org_node *n);

/* 403 unless the caller has one of the roles (bit mask of 1 << ROLE_*). */
int api_role(struct req *r, unsigned roles);

/* Unpack the JSON body by fields; answers 400 (bad_json / invalid with the
 * field) and returns < 0 on failure. */
int api_body(struct req *r, const struct jfield *fields, int n);

#define ROLES_STAFF_ALL                                                                            \
    ((1u << ROLE_ADMIN) | (1u << ROLE_LEADER) | (1u << ROLE_SUPERVISOR) | (1u << ROLE_STAFF))

/* After a commit that issued a ticket elsewhere than api_queue.c (appointment
 * check-in): tell the hall's screens, ticket.issued and board.changed. Call
 * from an `after` callback only. */
void api_queue_announce_issued(struct req *r, int64_t hall_id, int64_t ticket_id);

/* After a commit that opened an evaluation event (a ticket finished, a case
 * node ended) at window_id: push the invitation (evaluation.invite) to the
 * window's tablet, when anyone listens there. Call from an `after` callback
 * only. */
void api_eval_invite(struct req *r, int64_t event_id, int64_t window_id);

/* A writer job of the sweep thread: close evaluation windows that ended
 * (未评 or defaulted). Returns 1 when more are waiting. */
int api_eval_sweep(struct db *db, void *arg, struct err *e);

/* A ticket as the queue API shows it. */
struct queue_ticket;
json_t *api_queue_ticket_json(const struct queue_ticket *t);

/* The hall board as JSON text (malloc'd, into *text): 0, ERR_NOTFOUND (not
 * an active hall), ERR_NOMEM or a database error. Any read connection. */
int api_queue_board_render(struct db *db, int64_t hall_id, char **text);

/* Whether two rendered boards show the same (generated_at aside). */
int api_queue_board_same(const char *a, const char *b);

/* The compiled working-day calendar for this request: a copy in the
 * request's arena of the read cache's (built and cached when the calendar
 * changed), so it stays valid for the whole request, on the writer thread
 * too; NULL with an answer set on failure (api_calendar.c). */
struct calendar;
const struct calendar *api_request_calendar(struct req *r);

/* An accountability record as the API shows it (api_case_follow.c), for
 * the leader board too. */
struct acct_rec;
json_t *api_acct_json(const struct acct_rec *a);

/* Cases (api_case.c). A case as the API shows it (list form). */
struct case_rec;
struct case_input;
json_t *api_case_json(const struct case_rec *c);

/* The full form: with materials, events, pauses, extensions and what who may
 * do at now. */
struct actor;
json_t *api_case_full_json(const struct actor *who, const struct case_rec *c, int64_t now);

/* Unpack a registration body (docs/api.md POST /api/cases; ticket_id only
 * when allow_ticket) into in, strings in r->arena; answers 400 and returns
 * < 0 on a bad body. Takes fields out of j. */
int api_case_input(struct req *r, json_t *j, struct case_input *in, int allow_ticket);

/* A 差评 work order as the API shows it (api_badreview.c): the list form,
 * or the full form (with the evaluation, steps, appeal and what who may do)
 * when r was read full (badreview_get, badreview_by_evaluation). */
struct badreview;
json_t *api_badreview_json(const struct actor *who, const struct badreview *r);
/* A fraud flag as the API shows it (api_eval_fraud.c), for an evaluation's
 * page too. */
struct eval_flag;
json_t *api_eval_flag_json(const struct eval_flag *f);

/* The evaluation services (api_eval_push.c): the fraud sweep and the upstream
 * push, one thread beside the daemon. */
struct app;
int eval_services_start(struct app *app);
int score_services_start(struct app *app);
void score_services_stop(void);
void eval_services_stop(void);

/* The services beside the daemon: the board renderer and the case sweep. */
struct app;
int api_services_start(struct app *app);
void api_services_stop(void);
int case_sweeper_start(struct app *app);
void case_sweeper_stop(void);

/* route handlers, by file */
int api_healthz(struct req *r);
int api_metrics(struct req *r);
int api_auth_login(struct req *r);
int api_auth_me(struct req *r);
int api_auth_logout(struct req *r);
int api_nodes_list(struct req *r);
int api_nodes_get(struct req *r);
int api_nodes_create(struct req *r);
int api_nodes_patch(struct req *r);
int api_nodes_windows(struct req *r);
int api_staff_list(struct req *r);
int api_staff_get(struct req *r);
int api_staff_create(struct req *r);
int api_staff_patch(struct req *r);
int api_staff_photo_put(struct req *r);
int api_staff_photo_get(struct req *r);
int api_staff_assignments(struct req *r);
int api_staff_assign(struct req *r);
int api_assignment_end(struct req *r);
int api_devices_list(struct req *r);
int api_devices_get(struct req *r);
int api_devices_create(struct req *r);
int api_devices_patch(struct req *r);
int api_devices_rotate(struct req *r);
int api_device_me(struct req *r);
int api_audit_list(struct req *r);
int api_calendar_due(struct req *r);
int api_calendar_years(struct req *r);
int api_calendar_year(struct req *r);
int api_calendar_set_day(struct req *r);
int api_calendar_clear_day(struct req *r);
int api_calendar_import(struct req *r);

#endif

/* api_common.c - what the resource handlers share, and the route table. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/board.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "http/server.h"
#include "store/db.h"

static int op_run(struct db *db, void *arg, struct err *e)
{
    struct api_op *op = arg;
    return op->run(db, op, e);
}

int api_submit_with(struct req *r, struct api_op *op, req_after_fn after)
{
    op->who = r->who;
    if (!op->status)
        op->status = 200;
    return req_write(r, op_run, op, after);
}

int api_submit(struct req *r, struct api_op *op)
{
    return api_submit_with(r, op, api_op_after);
}

int api_run_sync(struct req *r, struct api_op *op, struct err *e)
{
    op->who = r->who;
    if (!op->status)
        op->status = 200;
    if (!r->app->writer)
        return err_set(e, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    return writer_run(r->app->writer, op_run, op, e);
}

int api_op_after(struct req *r, int rc, struct err *e)
{
    struct api_op *op = r->job.arg;
    if (rc < 0) {
        json_decref(op->result);
        op->result = NULL;
        return req_fail(r, e);
    }
    json_t *res = op->result;
    op->result = NULL;
    return req_json(r, op->status, res);
}

int api_page(struct req *r, int64_t *page, int64_t *per_page)
{
    *page = 1;
    *per_page = API_PER_PAGE_DEFAULT;
    if (req_query_int(r, "page", 1, 1000000, page) < 0)
        return ERR_INVALID;
    if (req_query_int(r, "per_page", 1, API_PER_PAGE_MAX, per_page) < 0)
        return ERR_INVALID;
    return 0;
}

int api_active(struct req *r, int *active)
{
    int64_t v = -1;
    *active = -1;
    if (req_query_int(r, "active", 0, 1, &v) < 0)
        return ERR_INVALID;
    *active = (int)v;
    return 0;
}

json_t *api_page_json(json_t *items, int64_t total, int64_t page, int64_t per_page)
{
    return json_pack("{s:o,s:I,s:I,s:I}", "items", items ? items : json_array(), "total",
                     (json_int_t)total, "page", (json_int_t)page, "per_page", (json_int_t)per_page);
}

int api_scope(struct req *r, const char *path)
{
    if (actor_in_scope(&r->who, path))
        return 0;
    req_error(r, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    return ERR_FORBIDDEN;
}

/* Org nodes looked up by API reads, for every HTTP thread: the tree changes
 * rarely and each change moves db_auth_generation, while the read cache is
 * dropped by every commit, which under a busy queue is all the time. */
#define ORG_CACHE 256
#define ORG_CACHE_S 5

static struct org_cached {
    struct org_node node;
    int64_t at;
    unsigned long generation;
} org_cache[ORG_CACHE];
static pthread_mutex_t org_mu = PTHREAD_MUTEX_INITIALIZER;

int api_org_get(struct req *r, int64_t id, struct org_node *n)
{
    struct db *db = req_db(r);
    if (!db)
        return ERR_UNAVAILABLE;
    int64_t now = (int64_t)time(NULL);
    unsigned long gen = db_auth_generation(); /* before the lookup */
    struct org_cached *c = &org_cache[(uint64_t)id % ORG_CACHE];
    pthread_mutex_lock(&org_mu);
    int hit = c->node.id == id && c->generation == gen && now >= c->at && now - c->at < ORG_CACHE_S;
    if (hit)
        *n = c->node;
    pthread_mutex_unlock(&org_mu);
    if (hit)
        return 0;
    int rc = org_get(db, id, n);
    if (rc == 0) {
        pthread_mutex_lock(&org_mu);
        c->node = *n;
        c->at = now;
        c->generation = gen;
        pthread_mutex_unlock(&org_mu);
    }
    return rc;
}

int api_filter_node(struct req *r, int64_t node_id, const char *field)
{
    if (!node_id)
        return 0;
    struct org_node n;
    int rc = api_org_get(r, node_id, &n);
    if (rc == ERR_NOTFOUND) {
        req_error(r, ERR_INVALID, field, "no such node");
        return rc;
    }
    if (rc < 0) {
        req_error(r, rc, NULL, "database error");
        return rc;
    }
    return api_scope(r, n.path);
}

int api_role(struct req *r, unsigned roles)
{
    if (roles & (1u << r->who.role))
        return 0;
    req_error(r, ERR_FORBIDDEN, NULL, "your role may not do this");
    return ERR_FORBIDDEN;
}

int api_body(struct req *r, const struct jfield *fields, int n)
{
    json_t *j = req_body_json(r);
    if (!j)
        return ERR_INVALID;
    struct err e = {0};
    int rc = json_in_unpack(j, fields, n, &r->arena, &e);
    json_decref(j);
    if (rc < 0) {
        req_fail(r, &e);
        return rc;
    }
    return 0;
}

static struct route core_routes[] = {
    {HTTP_GET, "/healthz", api_healthz, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/metrics", api_metrics, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_POST, "/api/auth/login", api_auth_login, ROUTE_PUBLIC | ROUTE_NO_CSRF, 4096, NULL, 0},
    {HTTP_GET, "/api/auth/me", api_auth_me, 0, 0, NULL, 0},
    {HTTP_POST, "/api/auth/logout", api_auth_logout, 0, 0, NULL, 0},
    {HTTP_GET, "/api/org/nodes", api_nodes_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/org/nodes", api_nodes_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/org/nodes/{id}", api_nodes_get, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/org/nodes/{id}", api_nodes_patch, 0, 0, NULL, 0},
    {HTTP_GET, "/api/org/nodes/{id}/windows", api_nodes_windows, 0, 0, NULL, 0},
    {HTTP_GET, "/api/staff", api_staff_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/staff", api_staff_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/staff/{id}", api_staff_get, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/staff/{id}", api_staff_patch, 0, 0, NULL, 0},
    {HTTP_GET, "/api/staff/{id}/photo", api_staff_photo_get, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/staff/{id}/photo", api_staff_photo_put, ROUTE_RAW_BODY, STAFF_PHOTO_MAX, NULL,
     0},
    {HTTP_GET, "/api/staff/{id}/assignments", api_staff_assignments, 0, 0, NULL, 0},
    {HTTP_POST, "/api/staff/{id}/assignments", api_staff_assign, 0, 0, NULL, 0},
    {HTTP_POST, "/api/assignments/{id}/end", api_assignment_end, 0, 0, NULL, 0},
    {HTTP_GET, "/api/devices", api_devices_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/devices", api_devices_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/devices/{id}", api_devices_get, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/devices/{id}", api_devices_patch, 0, 0, NULL, 0},
    {HTTP_POST, "/api/devices/{id}/token", api_devices_rotate, 0, 0, NULL, 0},
    {HTTP_GET, "/api/device/me", api_device_me, ROUTE_DEVICE, 0, NULL, 0},
    {HTTP_GET, "/api/audit", api_audit_list, 0, 0, NULL, 0},
};

const struct api_module api_core_module = {core_routes,
                                           sizeof(core_routes) / sizeof(core_routes[0])};

/* Every resource file's table, in matching order: the first pattern that
 * matches wins, so literal paths (/api/cases/stats) come before a module's
 * /api/cases/{id}, and api_eval_stats (/api/evaluations/metrics, /ranking)
 * before any module with /api/evaluations/{id}. */
static const struct api_module *const modules[] = {
    &api_core_module,        &api_calendar_module,    &api_events_module,
    &api_catalog_module,     &api_notice_module,      &api_queue_module,
    &api_appointment_module, &api_case_follow_module, &api_case_module,
    &api_inquiry_module,     &api_eval_stats_module,  &api_eval_config_module,
    &api_evaluation_module,  &api_badreview_module,   &api_eval_fraud_module,
    &api_eval_push_module,   &api_qr_module,          &api_commitment_module,
    &api_review_module,      &api_score_module,       &api_nomination_module,
};

#define API_MAX_ROUTES 512
static struct route all_routes[API_MAX_ROUTES];

struct route *api_routes(size_t *n)
{
    size_t k = 0;
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++)
        for (size_t i = 0; i < modules[m]->n && k < API_MAX_ROUTES; i++)
            all_routes[k++] = modules[m]->routes[i];
    *n = k;
    return all_routes;
}

int api_services_start(struct app *app)
{
    int rc = board_start(app);
    if (rc == 0 && (rc = case_sweeper_start(app)) < 0)
        board_stop();
    if (rc == 0 && (rc = eval_services_start(app)) < 0) {
        case_sweeper_stop();
        board_stop();
    }
    if (rc == 0 && (rc = score_services_start(app)) < 0) {
        eval_services_stop();
        case_sweeper_stop();
        board_stop();
    }
    return rc;
}

void api_services_stop(void)
{
    score_services_stop();
    eval_services_stop();
    case_sweeper_stop();
    board_stop();
}

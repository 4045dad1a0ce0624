/* api_events.c - the live event streams of halls and windows (SSE). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/parse.h"
#include "domain/org.h"
#include "http/sse.h"

/* Last-Event-ID (sent by EventSource on reconnect) or ?last_event_id= */
static int last_event_id(struct req *r, uint64_t *out)
{
    *out = 0;
    const char *h = req_header_in(r, "Last-Event-ID");
    const char *q = req_query(r, "last_event_id");
    const char *v = h && *h ? h : q;
    int64_t id;
    if (!v || !*v)
        return 0;
    if (parse_int64(v, 0, INT64_MAX, &id) < 0) {
        req_error(r, ERR_INVALID, "last_event_id", "Last-Event-ID must be an event id");
        return ERR_INVALID;
    }
    *out = (uint64_t)id;
    return 0;
}

static int node_of_kind(struct req *r, const char *kind, struct org_node *n)
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

/* GET /api/halls/{id}/events: public, like the hall screen itself */
static int api_hall_events(struct req *r)
{
    struct org_node hall;
    uint64_t last;
    if (last_event_id(r, &last) < 0 || req_query_done(r) < 0 || node_of_kind(r, "hall", &hall) < 0)
        return REQ_DONE;
    char channel[SSE_CHANNEL_MAX];
    snprintf(channel, sizeof(channel), "hall:%lld", (long long)hall.id);
    return sse_subscribe(r, channel, last);
}

/* GET /api/windows/{id}/events: staff in scope, or the window's own device */
static int api_window_events(struct req *r)
{
    struct org_node win;
    uint64_t last;
    if (last_event_id(r, &last) < 0 || req_query_done(r) < 0 ||
        node_of_kind(r, "window", &win) < 0 || api_scope(r, win.path) < 0)
        return REQ_DONE;
    char channel[SSE_CHANNEL_MAX];
    snprintf(channel, sizeof(channel), "window:%lld", (long long)win.id);
    return sse_subscribe(r, channel, last);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/halls/{id}/events", api_hall_events, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/windows/{id}/events", api_window_events, ROUTE_DEVICE, 0, NULL, 0},
};

const struct api_module api_events_module = {routes, sizeof(routes) / sizeof(routes[0])};

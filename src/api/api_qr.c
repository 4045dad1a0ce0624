/* api_qr.c - the QR codes that lead to the evaluation pages (docs/api.md,
 * "QR codes"): a token's (printed on a ticket or receipt), a window's (hung
 * at the counter) and a staff member's (on the staff card), as SVG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/qr.h"
#include "domain/evaluation.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "http/server.h"

#define QR_PX_DEFAULT 256
#define HOST_MAX 255

/* A Host header we are willing to put into a link: a name or address and
 * an optional port, nothing else. */
static int host_ok(const char *h)
{
    size_t n = h ? strlen(h) : 0;
    if (n == 0 || n > HOST_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok)
            return 0;
    }
    return 1;
}

/* The site's address for links: [server] public_url, else the scheme and
 * Host this request came with (*from_request set). */
static const char *site_base(struct req *r, int *from_request)
{
    const struct config *cfg = r->app->cfg;
    *from_request = 0;
    if (cfg && cfg->public_url[0]) {
        size_t n = strlen(cfg->public_url);
        while (n > 0 && cfg->public_url[n - 1] == '/')
            n--;
        return arena_strndup(&r->arena, cfg->public_url, n);
    }
    *from_request = 1;
    const char *host = req_header_in(r, "Host");
    if (!host_ok(host))
        host = cfg ? cfg->listen : "localhost";
    const char *proto = req_header_in(r, "X-Forwarded-Proto");
    int https = (proto && strcmp(proto, "https") == 0) || (!proto && cfg && cfg->secure_cookie);
    return arena_printf(&r->arena, "%s://%s", https ? "https" : "http", host);
}

/* GET /api/public/evaluations/qr?token=|window_id=|staff_id=&size= */
static int api_public_eval_qr(struct req *r)
{
    const char *token = req_query(r, "token");
    int64_t window_id = 0, staff_id = 0, size = QR_PX_DEFAULT;
    if (req_query_int(r, "window_id", 1, INT64_MAX, &window_id) < 0 ||
        req_query_int(r, "staff_id", 1, INT64_MAX, &staff_id) < 0 ||
        req_query_int(r, "size", QR_PX_MIN, QR_PX_MAX, &size) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    int given = (token != NULL) + (window_id > 0) + (staff_id > 0);
    if (given == 0)
        return req_error(r, ERR_INVALID, "token", "give one of token, window_id or staff_id");
    if (given > 1)
        return req_error(r, ERR_INVALID, token ? "token" : "window_id",
                         "give only one of token, window_id or staff_id");
    int from_request = 0;
    const char *base = site_base(r, &from_request);
    const char *link = NULL;
    if (token) {
        if (!eval_token_ok(token))
            return req_error(r, ERR_INVALID, "token", "token must be 24 letters, digits, - or _");
        link = arena_printf(&r->arena, "%s/#/e/%s", base, token);
    } else if (window_id) {
        struct org_node n;
        int rc = api_org_get(r, window_id, &n);
        if (rc < 0 && rc != ERR_NOTFOUND)
            return req_error(r, rc, NULL, "database error");
        if (rc == ERR_NOTFOUND || strcmp(n.kind, "window") != 0 || !n.active)
            return req_error(r, ERR_NOTFOUND, "window_id", "no such window");
        link = arena_printf(&r->arena, "%s/#/e/window/%lld", base, (long long)window_id);
    } else {
        struct staff s;
        struct db *db = req_db(r);
        int rc = db ? staff_get(db, staff_id, &s) : ERR_UNAVAILABLE;
        if (rc < 0 && rc != ERR_NOTFOUND)
            return req_error(r, rc, NULL, "database error");
        if (rc == ERR_NOTFOUND || !s.active)
            return req_error(r, ERR_NOTFOUND, "staff_id", "no such staff member");
        link = arena_printf(&r->arena, "%s/#/e/staff/%lld", base, (long long)staff_id);
    }
    if (!base || !link)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    char *svg = NULL;
    size_t len = 0;
    int rc = qr_svg(link, (int)size, &svg, &len);
    if (rc < 0)
        return req_error(r, rc == ERR_NOMEM ? ERR_NOMEM : ERR_INVALID, NULL,
                         rc == ERR_NOMEM ? "out of memory" : "the link is too long for a QR code");
    /* a token is the citizen's own: no shared cache keeps it */
    req_header(r, "Cache-Control", token ? "private, max-age=86400" : "public, max-age=86400");
    if (from_request)
        req_header(r, "Vary", "Host, X-Forwarded-Proto");
    rc = req_bytes(r, 200, "image/svg+xml", svg, len);
    free(svg);
    return rc;
}

static const struct route routes[] = {
    {HTTP_GET, "/api/public/evaluations/qr", api_public_eval_qr, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_qr_module = {routes, sizeof(routes) / sizeof(routes[0])};

/* router.h - routes with path parameters and method checks.
 *
 * A pattern is a path whose segments are literal or "{name}", e.g.
 * "/api/org/nodes/{id}/windows". Several routes may share a pattern with
 * different methods; a path that matches a pattern but none of its methods
 * gives 405 with the allowed set.
 */
#ifndef CK_ROUTER_H
#define CK_ROUTER_H

#include <stddef.h>

#include "http/req.h"

enum route_flags {
    ROUTE_PUBLIC = 1,       /* no login needed */
    ROUTE_DEVICE = 2,       /* a device token is accepted */
    ROUTE_RAW_BODY = 4,     /* body is not JSON (e.g. an image) */
    ROUTE_NO_CSRF = 8,      /* state-changing but exempt (login) */
    ROUTE_SECRET_PATH = 16, /* the path carries a secret: log the pattern, not the path */
};

struct route {
    int methods; /* HTTP_GET | ... */
    const char *pattern;
    int (*handler)(struct req *r);
    unsigned flags;
    size_t body_limit; /* 0: ROUTER_DEFAULT_BODY */
    const char *label; /* metrics label, set by router_init */
    int metric;
};

#define ROUTER_DEFAULT_BODY ((size_t)64 * 1024)

/* Take the table (static storage, not copied); register metric labels.
 * Call once before serving. Returns 0 or ERR_INVALID for a bad pattern. */
int router_init(struct route *routes, size_t n);

/* Match path and method. On a match returns the route and fills r->params and
 * r->nparams (pointers into r->arena). When the path matches but not the
 * method returns NULL with *allowed the mask of allowed methods; when nothing
 * matches returns NULL with *allowed 0. */
const struct route *router_match(const char *path, int method, struct req *r, int *allowed);

/* "GET, HEAD, POST" for a method mask into buf. */
const char *router_allow_header(int methods, char *buf, size_t len);

#endif

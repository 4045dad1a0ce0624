/* test_router.c - route matching, path parameters and 405 (http/router.c). */
#include <criterion/criterion.h>

#include <string.h>

#include "base/err.h"
#include "http/router.h"

static int h_list(struct req *r)
{
    (void)r;
    return 1;
}
static int h_create(struct req *r)
{
    (void)r;
    return 2;
}
static int h_get(struct req *r)
{
    (void)r;
    return 3;
}
static int h_patch(struct req *r)
{
    (void)r;
    return 4;
}
static int h_windows(struct req *r)
{
    (void)r;
    return 5;
}
static int h_two(struct req *r)
{
    (void)r;
    return 6;
}
static int h_login(struct req *r)
{
    (void)r;
    return 7;
}

static struct route routes[] = {
    {HTTP_GET, "/api/org/nodes", h_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/org/nodes", h_create, 0, 0, NULL, 0},
    {HTTP_GET, "/api/org/nodes/{id}", h_get, 0, 0, NULL, 0},
    {HTTP_PATCH | HTTP_PUT, "/api/org/nodes/{id}", h_patch, 0, 0, NULL, 0},
    {HTTP_GET, "/api/org/nodes/{id}/windows", h_windows, 0, 0, NULL, 0},
    {HTTP_DELETE, "/api/a/{x}/b/{y}", h_two, 0, 0, NULL, 0},
    {HTTP_POST, "/api/auth/login", h_login, ROUTE_PUBLIC, 4096, NULL, 0},
};

static struct req r;

static void init(void)
{
    memset(&r, 0, sizeof(r));
    cr_assert_eq(router_init(routes, sizeof(routes) / sizeof(routes[0])), 0);
}

static void fini(void)
{
    arena_reset(&r.arena);
}

TestSuite(router, .init = init, .fini = fini);

static const struct route *match(const char *path, int method, int *allowed)
{
    r.nparams = -1;
    return router_match(path, method, &r, allowed);
}

Test(router, literal_routes_by_method)
{
    int allowed = -1;
    const struct route *rt = match("/api/org/nodes", HTTP_GET, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 1);
    cr_assert_eq(r.nparams, 0);
    rt = match("/api/org/nodes", HTTP_POST, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 2);
}

Test(router, parameter_captured)
{
    int allowed;
    const struct route *rt = match("/api/org/nodes/42", HTTP_GET, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 3);
    cr_assert_eq(r.nparams, 1);
    cr_assert_str_eq(r.params[0], "42");
    rt = match("/api/org/nodes/abc/windows", HTTP_GET, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 5);
    cr_assert_str_eq(r.params[0], "abc");
}

Test(router, two_parameters_in_order)
{
    int allowed;
    const struct route *rt = match("/api/a/first/b/second", HTTP_DELETE, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 6);
    cr_assert_eq(r.nparams, 2);
    cr_assert_str_eq(r.params[0], "first");
    cr_assert_str_eq(r.params[1], "second");
}

Test(router, parameter_is_one_whole_segment)
{
    int allowed = -1;
    /* empty segment */
    cr_assert_null(match("/api/org/nodes/", HTTP_GET, &allowed));
    cr_assert_eq(allowed, 0);
    cr_assert_null(match("/api/org/nodes//windows", HTTP_GET, &allowed));
    cr_assert_eq(allowed, 0);
    /* trailing slash or extra segments */
    cr_assert_null(match("/api/org/nodes/1/", HTTP_GET, &allowed));
    cr_assert_null(match("/api/org/nodes/1/windows/2", HTTP_GET, &allowed));
    cr_assert_null(match("/api/org/nodes/1/window", HTTP_GET, &allowed));
    cr_assert_eq(allowed, 0);
}

Test(router, no_match)
{
    int allowed = -1;
    cr_assert_null(match("/nothing", HTTP_GET, &allowed));
    cr_assert_eq(allowed, 0);
    cr_assert_null(match("/api/org/node", HTTP_GET, &allowed));
    cr_assert_null(match("/api/org/nodesX", HTTP_GET, &allowed));
    cr_assert_null(match("/API/org/nodes", HTTP_GET, &allowed));
    cr_assert_null(match("", HTTP_GET, &allowed));
    cr_assert_null(match("/", HTTP_GET, &allowed));
    cr_assert_eq(allowed, 0);
}

Test(router, method_not_allowed_gives_mask)
{
    int allowed = -1;
    cr_assert_null(match("/api/org/nodes/7", HTTP_DELETE, &allowed));
    cr_assert_eq(allowed, HTTP_GET | HTTP_HEAD | HTTP_PATCH | HTTP_PUT,
                 "the mask joins every route of the pattern, got %d", allowed);
    cr_assert_null(match("/api/org/nodes", HTTP_PATCH, &allowed));
    cr_assert_eq(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
    cr_assert_null(match("/api/org/nodes", HTTP_OTHER, &allowed));
    cr_assert_eq(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
}

Test(router, head_allowed_for_get)
{
    int allowed = -1;
    const struct route *rt = match("/api/org/nodes/9/windows", HTTP_HEAD, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->handler(&r), 5);
    cr_assert_str_eq(r.params[0], "9");
    /* but not for a POST-only route */
    cr_assert_null(match("/api/auth/login", HTTP_HEAD, &allowed));
    cr_assert_eq(allowed, HTTP_POST);
    cr_assert_null(match("/api/auth/login", HTTP_GET, &allowed));
    cr_assert_eq(allowed, HTTP_POST);
}

Test(router, route_fields_and_labels)
{
    int allowed;
    const struct route *rt = match("/api/auth/login", HTTP_POST, &allowed);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->flags, ROUTE_PUBLIC);
    cr_assert_eq(rt->body_limit, 4096);
    cr_assert_str_eq(rt->label, "/api/auth/login");
    /* routes sharing a pattern share a metric */
    cr_assert_eq(routes[0].metric, routes[1].metric);
    cr_assert_eq(routes[2].metric, routes[3].metric);
    cr_assert_neq(routes[0].metric, routes[2].metric);
    cr_assert_geq(routes[0].metric, 0);
}

Test(router, params_live_in_the_request_arena)
{
    int allowed;
    cr_assert_not_null(match("/api/org/nodes/12345", HTTP_GET, &allowed));
    cr_assert_gt(r.arena.used_total, 0);
    const char *p = r.params[0];
    cr_assert_str_eq(p, "12345");
}

Test(router, bad_pattern_refused)
{
    static struct route bad[] = {
        {HTTP_GET, "no-slash", h_list, 0, 0, NULL, 0},
    };
    cr_assert_eq(router_init(bad, 1), ERR_INVALID);
}

Test(router, allow_header)
{
    char buf[64];
    cr_assert_str_eq(router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST, buf, sizeof(buf)),
                     "GET, HEAD, POST");
    cr_assert_str_eq(router_allow_header(HTTP_DELETE | HTTP_PATCH, buf, sizeof(buf)),
                     "PATCH, DELETE");
    cr_assert_str_eq(router_allow_header(0, buf, sizeof(buf)), "");
    cr_assert_str_eq(router_allow_header(HTTP_OTHER, buf, sizeof(buf)), "");
    /* a short buffer keeps whole names only */
    char small[10];
    cr_assert_str_eq(router_allow_header(HTTP_GET | HTTP_HEAD | HTTP_POST, small, sizeof(small)),
                     "GET, HEAD");
}

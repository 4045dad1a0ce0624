#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/metrics.h"

static struct route *table;
static size_t table_len;

int router_init(struct route *routes, size_t n)
{
    table = routes;
    table_len = n;
    for (size_t i = 0; i < n; i++) {
        if (routes[i].pattern[0] != '/')
            return ERR_INVALID;
        routes[i].label = routes[i].pattern;
        /* one metric per pattern: reuse the index of an earlier route with it */
        routes[i].metric = -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(routes[j].pattern, routes[i].pattern) == 0)
                routes[i].metric = routes[j].metric;
        if (routes[i].metric < 0)
            routes[i].metric = metrics_route(routes[i].pattern);
    }
    return 0;
}

/* Match pattern against path; params are copied into the arena. */
static int match(const char *pattern, const char *path, struct req *r, const char **params, int *np)
{
    const char *p = pattern, *s = path;
    int n = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close)
                return 0;
            size_t len = strcspn(s, "/");
            if (len == 0 || n >= REQ_MAX_PARAMS)
                return 0;
            params[n] = arena_strndup(&r->arena, s, len);
            if (!params[n])
                return 0;
            n++;
            p = close + 1;
            s += len;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    if (*p || *s)
        return 0;
    *np = n;
    return 1;
}

const struct route *router_match(const char *path, int method, struct req *r, int *allowed)
{
    *allowed = 0;
    const char *params[REQ_MAX_PARAMS];
    for (size_t i = 0; i < table_len; i++) {
        int np = 0;
        if (!match(table[i].pattern, path, r, params, &np))
            continue;
        int methods = table[i].methods;
        if (methods & HTTP_GET)
            methods |= HTTP_HEAD;
        if (methods & method) {
            memcpy(r->params, params, sizeof(params[0]) * (size_t)np);
            r->nparams = np;
            return &table[i];
        }
        *allowed |= methods;
    }
    return NULL;
}

const char *router_allow_header(int methods, char *buf, size_t len)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {{HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"},   {HTTP_POST, "POST"},
                 {HTTP_PUT, "PUT"}, {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}};
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(methods & names[i].bit))
            continue;
        int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", names[i].name);
        if (n < 0 || (size_t)n >= len - o)
            break;
        o += (size_t)n;
    }
    return buf;
}

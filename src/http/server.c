/* server.c - libmicrohttpd glue.
 *
 * Request life: the URI log callback creates struct req (so the raw query
 * string is ours to parse); the first access-handler call only routes and
 * checks Content-Length (queueing a response there makes MHD close the
 * connection); upload calls append to the bounded body; the final call
 * authenticates and runs the handler. A handler that writes suspends the
 * connection; the writer resumes it after commit and the handler's `after`
 * renders the answer. The completion callback logs and frees.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/parse.h"
#include "http/auth.h"
#include "http/json_in.h"
#include "http/query.h"
#include "http/sse.h"
#include "http/static.h"
#include "http/workpool.h"

enum req_state { ST_NEW = 0, ST_BODY, ST_SUSPENDED, ST_RESUMED, ST_ANSWERED };

#define MAX_BODY_HARD (8u << 20)

static char id_prefix[9];
static atomic_ulong id_counter;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- answers ---- */

unsigned req_status_for(int code)
{
    switch (code) {
    case ERR_INVALID:
        return 400;
    case ERR_UNAUTHORIZED:
        return 401;
    case ERR_FORBIDDEN:
        return 403;
    case ERR_NOTFOUND:
        return 404;
    case ERR_CONFLICT:
        return 409;
    case ERR_TOOLARGE:
        return 413;
    case ERR_UNSUPPORTED:
        return 415;
    case ERR_THROTTLED:
        return 429;
    case ERR_CALENDAR:
        return 422;
    case ERR_GONE:
        return 410;
    case ERR_BUSY:
    case ERR_UNAVAILABLE:
        return 503;
    default:
        return 500;
    }
}

static void set_body(struct req *r, unsigned status, const char *type, char *buf, size_t len)
{
    free(r->resp);
    r->status = status;
    r->resp = buf;
    r->resp_len = len;
    r->resp_type = type;
}

int req_json(struct req *r, unsigned status, json_t *j)
{
    if (!j) {
        set_body(r, status, NULL, NULL, 0);
        return REQ_DONE;
    }
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    set_body(r, status, "application/json; charset=utf-8", s, strlen(s));
    return REQ_DONE;
}

int req_error_status(struct req *r, unsigned status, const char *code, const char *field,
                     const char *msg)
{
    json_t *e = json_pack("{s:s,s:s}", "code", code, "message", msg ? msg : "");
    if (e && field && *field)
        json_object_set_new(e, "field", json_string(field));
    json_t *j = e ? json_pack("{s:o}", "error", e) : NULL;
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s) {
        static const char fallback[] = "{\"error\":{\"code\":\"no_memory\",\"message\":\"\"}}";
        s = strdup(fallback);
        status = 500;
    }
    set_body(r, status, "application/json; charset=utf-8", s, s ? strlen(s) : 0);
    return REQ_DONE;
}

int req_error(struct req *r, int code, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return req_error_status(r, req_status_for(code), err_name(code), field, msg);
}

int req_fail(struct req *r, const struct err *e)
{
    int code = e->code ? e->code : ERR_DB;
    const char *msg = e->msg[0] ? e->msg : err_name(code);
    if (code == ERR_DB || code == ERR_NOMEM)
        msg = "internal error"; /* details stay in the log */
    return req_error_status(r, req_status_for(code), err_name(code), e->field, msg);
}

int req_bytes(struct req *r, unsigned status, const char *type, const void *p, size_t n)
{
    char *copy = malloc(n ? n : 1);
    if (!copy)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (n)
        memcpy(copy, p, n);
    set_body(r, status, type, copy, n);
    return REQ_DONE;
}

void req_header(struct req *r, const char *name, const char *value)
{
    if (r->nhdr >= REQ_MAX_HEADERS)
        return;
    r->hdr_name[r->nhdr] = name;
    r->hdr_value[r->nhdr] = value;
    r->nhdr++;
}

void req_disposition(struct req *r, const char *how, const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(filename);
    char *enc = arena_alloc(&r->arena, n * 3 + 1);
    if (!enc)
        return;
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p)) {
            enc[o++] = (char)*p;
        } else {
            enc[o++] = '%';
            enc[o++] = hex[*p >> 4];
            enc[o++] = hex[*p & 15];
        }
    }
    enc[o] = '\0';
    const char *v = arena_printf(&r->arena, "%s; filename*=UTF-8''%s", how, enc);
    if (v)
        req_header(r, "Content-Disposition", v);
}

/* ---- inputs ---- */

int req_param_id(struct req *r, int i, int64_t *out)
{
    if (i >= r->nparams || parse_int64(r->params[i], 1, INT64_MAX, out) < 0) {
        req_error(r, ERR_NOTFOUND, NULL, "no such resource");
        return ERR_NOTFOUND;
    }
    return 0;
}

const char *req_query(struct req *r, const char *key)
{
    for (int i = 0; i < r->nquery; i++) {
        if (strcmp(r->query[i].key, key) == 0) {
            r->query[i].used = 1;
            return r->query[i].value;
        }
    }
    return NULL;
}

int req_query_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const char *v = req_query(r, key);
    if (!v)
        return 0;
    if (parse_int64(v, min, max, out) < 0) {
        req_error(r, ERR_INVALID, key, "%s must be an integer between %lld and %lld", key,
                  (long long)min, (long long)max);
        return ERR_INVALID;
    }
    return 0;
}

int req_query_done(struct req *r)
{
    if (r->query_bad) {
        req_error(r, ERR_INVALID, NULL, "the query string is malformed");
        return ERR_INVALID;
    }
    for (int i = 0; i < r->nquery; i++) {
        if (!r->query[i].used) {
            req_error(r, ERR_INVALID, r->query[i].key, "unknown query parameter %.40s",
                      r->query[i].key);
            return ERR_INVALID;
        }
    }
    return 0;
}

const char *req_header_in(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

json_t *req_body_json(struct req *r)
{
    struct err e = {0};
    json_t *j = json_in_parse(r->body, r->body_len, &e);
    if (!j)
        req_error_status(r, 400, "bad_json", NULL, e.msg);
    return j;
}

/* ---- read connections ---- */

static void close_thread_db(void *p)
{
    db_close(p);
}

struct db *app_read_db(struct app *app)
{
    struct db *db = pthread_getspecific(app->db_key);
    if (db)
        return db;
    char msg[256] = "";
    if (db_open(app->cfg->db, DB_OPEN_READONLY, &db, msg, sizeof(msg)) < 0) {
        log_error("http", "msg=\"cannot open read connection\"");
        return NULL;
    }
    pthread_setspecific(app->db_key, db);
    return db;
}

struct db *req_db(struct req *r)
{
    return app_read_db(r->app);
}

/* ---- deferred work ---- */

static void write_done(struct writer_job *job)
{
    struct req *r = (struct req *)((char *)job - offsetof(struct req, job));
    r->state = ST_RESUMED;
    MHD_resume_connection(r->conn);
}

int req_write(struct req *r, int (*run)(struct db *, void *, struct err *), void *arg,
              req_after_fn after)
{
    memset(&r->job, 0, sizeof(r->job));
    r->job.run = run;
    r->job.arg = arg;
    r->job.done = write_done;
    r->after = after;
    if (r->app->stopping || !r->app->writer)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    r->state = ST_SUSPENDED;
    MHD_suspend_connection(r->conn);
    if (writer_submit(r->app->writer, &r->job) < 0) {
        MHD_resume_connection(r->conn);
        r->state = ST_BODY;
        return req_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    }
    return REQ_PENDING;
}

struct deferred {
    struct work work;
    struct req *r;
    int (*fn)(struct req *r, void *arg, struct err *e);
    void *arg;
};

static void deferred_run(struct work *w)
{
    struct deferred *d = (struct deferred *)w;
    struct req *r = d->r;
    memset(&r->job.err, 0, sizeof(r->job.err));
    r->job.rc = d->fn(r, d->arg, &r->job.err);
    r->state = ST_RESUMED;
    MHD_resume_connection(r->conn);
}

int req_defer(struct req *r, int (*fn)(struct req *r, void *arg, struct err *e), void *arg,
              req_after_fn after)
{
    struct deferred *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    d->work.fn = deferred_run;
    d->r = r;
    d->fn = fn;
    d->arg = arg;
    r->job.arg = arg;
    r->after = after;
    if (r->app->stopping || !r->app->slow)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    r->state = ST_SUSPENDED;
    MHD_suspend_connection(r->conn);
    if (workpool_submit(r->app->slow, &d->work) < 0) {
        MHD_resume_connection(r->conn);
        r->state = ST_BODY;
        return req_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    }
    return REQ_PENDING;
}

/* ---- MHD callbacks ---- */

static int method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0)
        return HTTP_GET;
    if (strcmp(m, "HEAD") == 0)
        return HTTP_HEAD;
    if (strcmp(m, "POST") == 0)
        return HTTP_POST;
    if (strcmp(m, "PUT") == 0)
        return HTTP_PUT;
    if (strcmp(m, "PATCH") == 0)
        return HTTP_PATCH;
    if (strcmp(m, "DELETE") == 0)
        return HTTP_DELETE;
    return HTTP_OTHER;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->app = cls;
    r->conn = conn;
    r->resp_fd = -1;
    r->t_start = now_s();
    r->route_metric = -1;
    r->arena.cap = 16u << 20;
    snprintf(r->request_id, sizeof(r->request_id), "%s%08lx", id_prefix,
             (unsigned long)atomic_fetch_add(&id_counter, 1) & 0xfffffffful);
    const char *q = uri ? strchr(uri, '?') : NULL;
    size_t plen = uri ? (q ? (size_t)(q - uri) : strlen(uri)) : 0;
    for (size_t i = 0; i + 2 < plen; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            r->path_bad = 1;
    if (q) {
        const char *bad = NULL;
        int n = query_parse(q + 1, &r->arena, r->query, REQ_MAX_QUERY, &bad);
        if (n < 0)
            r->query_bad = 1;
        else
            r->nquery = n;
    }
    return r;
}

static void client_ip(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(r->ip, sizeof(r->ip), "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof(r->ip));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip, sizeof(r->ip));
    /* behind nginx on the same host: trust its X-Real-IP */
    if (strcmp(r->ip, "127.0.0.1") == 0 || strcmp(r->ip, "::1") == 0) {
        const char *real = req_header_in(r, "X-Real-IP");
        if (real && strlen(real) < sizeof(r->ip) &&
            strspn(real, "0123456789abcdefABCDEF.:") == strlen(real) && *real)
            snprintf(r->ip, sizeof(r->ip), "%s", real);
    }
}

static enum MHD_Result queue(struct req *r)
{
    struct MHD_Response *resp;
    int streaming = r->stream != NULL;
    if (r->stream) {
        resp = sse_response(r->stream);
        if (resp)
            r->stream = NULL; /* the response owns it now */
    } else if (r->resp_fd >= 0) {
        resp = MHD_create_response_from_fd64(r->resp_fd_size, r->resp_fd);
        r->resp_fd = -1; /* MHD closes it */
    } else {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->resp = NULL;
    }
    if (!resp)
        return MHD_NO;
    if (r->resp_type)
        MHD_add_response_header(resp, "Content-Type", r->resp_type);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    int has_cache = 0;
    for (int i = 0; i < r->nhdr; i++) {
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
        if (strcmp(r->hdr_name[i], "Cache-Control") == 0)
            has_cache = 1;
    }
    if (!has_cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->status == 0)
        r->status = 500;
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
    r->state = ST_ANSWERED;
    if (streaming && r->path) {
        /* an event stream stays open for days: keep only its path (for the
         * access line at its end), not the request's arena */
        char *path = strdup(r->path);
        arena_reset(&r->arena);
        r->path = path;
        r->path_owned = path != NULL;
    }
    return ret;
}

static int is_state_changing(int m)
{
    return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

static int dispatch(struct req *r, int allowed)
{
    if (r->path_bad)
        return req_error(r, ERR_NOTFOUND, NULL, "no such resource");
    if (!r->route) {
        if (allowed) {
            char *buf = arena_alloc(&r->arena, 64);
            if (buf)
                req_header(r, "Allow", router_allow_header(allowed, buf, 64));
            return req_error_status(r, 405, "method_not_allowed", NULL,
                                    "method not allowed on this resource");
        }
        if ((r->method == HTTP_GET || r->method == HTTP_HEAD) && strncmp(r->path, "/api/", 5) != 0)
            return static_serve(r, r->app->cfg->web_root);
        return req_error(r, ERR_NOTFOUND, NULL, "no such resource");
    }
    if (r->body_too_large)
        return req_error(r, ERR_TOOLARGE, NULL, "the body is larger than %zu bytes", r->body_limit);
    struct db *db = req_db(r);
    if (db)
        db_cache_request(db);
    if (!(r->route->flags & ROUTE_PUBLIC)) {
        int rc = auth_resolve(r, (r->route->flags & ROUTE_DEVICE) != 0);
        if (rc < 0)
            return req_error(r, rc, NULL, rc == ERR_UNAUTHORIZED ? "please log in" : "not allowed");
        if (r->via_cookie && is_state_changing(r->method) && !(r->route->flags & ROUTE_NO_CSRF) &&
            !auth_csrf_ok(r))
            return req_error_status(r, 403, "csrf", NULL, "missing or wrong X-CSRF-Token header");
    }
    if (!(r->route->flags & ROUTE_RAW_BODY) && r->body_len > 0 && r->method != HTTP_GET) {
        const char *ct = req_header_in(r, "Content-Type");
        if (ct && strncmp(ct, "application/json", 16) != 0)
            return req_error(r, ERR_UNSUPPORTED, NULL, "the body must be application/json");
    }
    return r->route->handler(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r)
        return MHD_NO;
    if (r->state == ST_NEW) {
        r->method = method_bit(method);
        r->path = arena_strdup(&r->arena, url);
        if (!r->path)
            return MHD_NO;
        client_ip(r);
        r->route = router_match(r->path, r->method, r, &r->allowed_methods);
        r->route_metric = r->route ? r->route->metric : -1;
        r->body_limit =
            r->route && r->route->body_limit ? r->route->body_limit : ROUTER_DEFAULT_BODY;
        if (r->body_limit > MAX_BODY_HARD)
            r->body_limit = MAX_BODY_HARD;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t n;
        if (cl && parse_int64(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > r->body_limit)
            r->body_too_large = 1;
        r->state = ST_BODY;
        return MHD_YES;
    }
    if (r->state == ST_BODY && *upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->body_too_large)
            return MHD_YES; /* drain and discard */
        if (r->body_len + n > r->body_limit) {
            r->body_too_large = 1;
            free(r->body);
            r->body = NULL;
            r->body_len = 0;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) {
            size_t cap = r->body_cap ? r->body_cap : 1024;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            char *nb = realloc(r->body, cap);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        return MHD_YES;
    }
    int rc;
    if (r->state == ST_BODY) {
        rc = dispatch(r, r->allowed_methods);
    } else if (r->state == ST_RESUMED) {
        r->state = ST_BODY;
        rc = r->after(r, r->job.rc, &r->job.err);
    } else if (r->state == ST_SUSPENDED) {
        return MHD_YES; /* spurious call while waiting */
    } else {
        return MHD_NO;
    }
    if (rc == REQ_PENDING)
        return MHD_YES;
    return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct req *r = *con_cls;
    if (!r)
        return;
    double dur = now_s() - r->t_start;
    unsigned status = r->state == ST_ANSWERED ? r->status : 0;
    metrics_observe_request(r->route_metric, status, dur);
    char path[300];
    /* hundredths of a millisecond as integers: printf's %f costs more than
     * the rest of the line */
    long long cs = (long long)(dur * 100000.0 + 0.5);
    log_info("access",
             "request_id=%s ip=%s method=%s path=%s status=%u dur_ms=%lld.%02lld user=%s%s",
             r->request_id, r->ip[0] ? r->ip : "-",
             r->method == HTTP_GET      ? "GET"
             : r->method == HTTP_HEAD   ? "HEAD"
             : r->method == HTTP_POST   ? "POST"
             : r->method == HTTP_PUT    ? "PUT"
             : r->method == HTTP_PATCH  ? "PATCH"
             : r->method == HTTP_DELETE ? "DELETE"
                                        : "OTHER",
             log_quote(path, sizeof(path),
                       r->route && (r->route->flags & ROUTE_SECRET_PATH) ? r->route->pattern
                       : r->path                                         ? r->path
                                                                         : "-"),
             status, cs / 100, cs % 100, r->who.name[0] ? r->who.name : "-",
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    if (r->resp_fd >= 0)
        close(r->resp_fd);
    if (r->stream)
        sse_discard(r->stream);
    free(r->resp);
    free(r->body);
    if (r->path_owned)
        free((char *)r->path);
    arena_reset(&r->arena);
    free(r);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512], q[600];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("mhd", "msg=%s", log_quote(q, sizeof(q), msg));
}

#define SERVER_TRIM_S 5

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

int server_run(struct app *app, struct route *routes, size_t n)
{
    const struct config *cfg = app->cfg;
    char host[64];
    uint16_t port;
    if (parse_listen(cfg->listen, host, sizeof(host), &port) < 0) {
        log_error("http", "msg=\"bad listen address\"");
        return ERR_INVALID;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) !=
        1) {
        log_error("http", "msg=\"bad listen address\"");
        return ERR_INVALID;
    }
    if (router_init(routes, n) < 0)
        return ERR_INVALID;
    char rnd[9];
    crypto_random_hex(rnd, 4);
    memcpy(id_prefix, rnd, 8);
    id_prefix[8] = '\0';
    if (pthread_key_create(&app->db_key, close_thread_db) != 0)
        return ERR_NOMEM;
    int rc = workpool_start(2, &app->slow);
    if (rc < 0)
        return rc;
    rc = sse_start();
    if (rc < 0) {
        workpool_stop(app->slow);
        return rc;
    }
    if (app->services_start && (rc = app->services_start(app)) < 0) {
        sse_stop();
        sse_free_all();
        workpool_stop(app->slow);
        return rc;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads =
        cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)(cores > 0 ? cores : 2);

    struct sigaction act;
    memset(&act, 0, sizeof(act));
    act.sa_handler = on_signal;
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    signal(SIGPIPE, SIG_IGN);

    app->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, port, NULL,
        NULL, on_request, app, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024), MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, app, MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
        MHD_OPTION_END);
    if (!app->daemon) {
        log_error("http", "msg=\"cannot listen\" listen=%s error=\"%s\"", cfg->listen,
                  strerror(errno));
        if (app->services_stop)
            app->services_stop();
        sse_stop();
        sse_free_all();
        workpool_stop(app->slow);
        return ERR_IO;
    }
    log_info("http", "msg=listening listen=%s threads=%u web_root=%s", cfg->listen, threads,
             cfg->web_root);
    log_start_buffering();
    while (!got_signal) {
        /* a signal ends the sleep at once; otherwise, every few seconds,
         * hand the memory freed after a burst (requests, closed streams)
         * back to the system, so the resident size follows the load */
        sleep(SERVER_TRIM_S);
        if (!got_signal)
            malloc_trim(0);
    }
    log_stop_buffering();
    log_info("http", "msg=\"stopping\" signal=%d", (int)got_signal);
    app->stopping = 1;
    MHD_quiesce_daemon(app->daemon);
    if (app->services_stop)
        app->services_stop();
    /* end the event streams, so no connection stays suspended */
    sse_stop();
    /* finish slow work and writes so every suspended connection is resumed */
    workpool_stop(app->slow);
    app->slow = NULL;
    writer_stop(app->writer);
    app->writer = NULL;
    usleep(200 * 1000);
    MHD_stop_daemon(app->daemon);
    app->daemon = NULL;
    sse_free_all();
    db_close(pthread_getspecific(app->db_key));
    pthread_key_delete(app->db_key);
    return 0;
}

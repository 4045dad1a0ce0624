#include "base/metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static const unsigned statuses[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405,
                                    408, 409, 410, 411, 413, 415, 422, 429, 500, 503, 0};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))
static const double lat_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                    0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NLAT (sizeof(lat_bounds) / sizeof(lat_bounds[0]))
static const int batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
#define NBATCH (sizeof(batch_bounds) / sizeof(batch_bounds[0]))

struct route_stats {
    const char *label;
    atomic_ulong by_status[NSTATUS];
    atomic_ulong lat_buckets[NLAT];
    atomic_ulong lat_count;
    atomic_ulong lat_sum_us;
};

static struct route_stats routes[METRICS_MAX_ROUTES + 1]; /* last: unmatched */
static int nroutes;
static atomic_ulong batch_buckets[NBATCH];
static atomic_ulong batch_count, batch_sum;
static atomic_long streams_open;

int metrics_route(const char *label)
{
    if (nroutes >= METRICS_MAX_ROUTES)
        return -1;
    routes[nroutes].label = label;
    return nroutes++;
}

static atomic_ulong unanswered;

void metrics_observe_request(int route, unsigned status, double seconds)
{
    if (status == 0) {
        /* the client went away, or MHD answered a malformed request itself */
        atomic_fetch_add(&unanswered, 1);
        return;
    }
    struct route_stats *r = &routes[route >= 0 && route < nroutes ? route : METRICS_MAX_ROUTES];
    size_t si = NSTATUS - 1;
    for (size_t i = 0; i + 1 < NSTATUS; i++)
        if (statuses[i] == status)
            si = i;
    atomic_fetch_add(&r->by_status[si], 1);
    for (size_t i = 0; i < NLAT; i++)
        if (seconds <= lat_bounds[i])
            atomic_fetch_add(&r->lat_buckets[i], 1);
    atomic_fetch_add(&r->lat_count, 1);
    atomic_fetch_add(&r->lat_sum_us, (unsigned long)(seconds * 1e6));
}

void metrics_observe_batch(int n)
{
    for (size_t i = 0; i < NBATCH; i++)
        if (n <= batch_bounds[i])
            atomic_fetch_add(&batch_buckets[i], 1);
    atomic_fetch_add(&batch_count, 1);
    atomic_fetch_add(&batch_sum, (unsigned long)n);
}

void metrics_stream_open(void)
{
    atomic_fetch_add(&streams_open, 1);
}

void metrics_stream_close(void)
{
    atomic_fetch_sub(&streams_open, 1);
}

struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = b->cap * 2 + (size_t)n;
        char *np = realloc(b->p, ncap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
}

int metrics_render(char **out, size_t *len)
{
    struct buf b = {malloc(8192), 0, 8192, 0};
    if (!b.p)
        return ERR_NOMEM;
    put(&b, "# HELP ck_http_requests_total HTTP requests by route and status.\n"
            "# TYPE ck_http_requests_total counter\n");
    for (int r = 0; r <= METRICS_MAX_ROUTES; r++) {
        if (r >= nroutes && r != METRICS_MAX_ROUTES)
            continue;
        const char *label = r == METRICS_MAX_ROUTES ? "unmatched" : routes[r].label;
        for (size_t s = 0; s < NSTATUS; s++) {
            unsigned long v = atomic_load(&routes[r].by_status[s]);
            if (v == 0)
                continue;
            if (statuses[s])
                put(&b, "ck_http_requests_total{route=\"%s\",status=\"%u\"} %lu\n", label,
                    statuses[s], v);
            else
                put(&b, "ck_http_requests_total{route=\"%s\",status=\"other\"} %lu\n", label, v);
        }
    }
    put(&b,
        "# HELP ck_http_requests_unanswered_total Requests that ended without an answer "
        "from a handler (client gone, or refused by the HTTP parser).\n"
        "# TYPE ck_http_requests_unanswered_total counter\n"
        "ck_http_requests_unanswered_total %lu\n",
        atomic_load(&unanswered));
    put(&b, "# HELP ck_http_request_duration_seconds Request latency by route.\n"
            "# TYPE ck_http_request_duration_seconds histogram\n");
    for (int r = 0; r <= METRICS_MAX_ROUTES; r++) {
        if (r >= nroutes && r != METRICS_MAX_ROUTES)
            continue;
        unsigned long count = atomic_load(&routes[r].lat_count);
        if (count == 0)
            continue;
        const char *label = r == METRICS_MAX_ROUTES ? "unmatched" : routes[r].label;
        for (size_t i = 0; i < NLAT; i++)
            put(&b, "ck_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n", label,
                lat_bounds[i], atomic_load(&routes[r].lat_buckets[i]));
        put(&b, "ck_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n", label,
            count);
        put(&b, "ck_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
            (double)atomic_load(&routes[r].lat_sum_us) / 1e6);
        put(&b, "ck_http_request_duration_seconds_count{route=\"%s\"} %lu\n", label, count);
    }
    put(&b, "# HELP ck_db_commit_batch_size Writes committed together in one transaction.\n"
            "# TYPE ck_db_commit_batch_size histogram\n");
    for (size_t i = 0; i < NBATCH; i++)
        put(&b, "ck_db_commit_batch_size_bucket{le=\"%d\"} %lu\n", batch_bounds[i],
            atomic_load(&batch_buckets[i]));
    put(&b, "ck_db_commit_batch_size_bucket{le=\"+Inf\"} %lu\n", atomic_load(&batch_count));
    put(&b, "ck_db_commit_batch_size_sum %lu\n", atomic_load(&batch_sum));
    put(&b, "ck_db_commit_batch_size_count %lu\n", atomic_load(&batch_count));
    put(&b,
        "# HELP ck_sse_streams_open Open server-sent event streams.\n"
        "# TYPE ck_sse_streams_open gauge\n"
        "ck_sse_streams_open %ld\n",
        atomic_load(&streams_open));
    if (b.failed) {
        free(b.p);
        return ERR_NOMEM;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

/* drv.h - what the bench drivers share, as static functions (header only; a
 * driver uses what it needs, the rest is marked unused).
 *
 *   timing         now_s (CLOCK_MONOTONIC), cpu_s (getrusage, self or thread)
 *   messages       die, warn: prefixed with DRV_NAME, which the driver defines
 *                  before including this file
 *   latencies      struct lat (microseconds, grows), lat_add, lat_pct (nearest
 *                  rank, ms); pct over a sorted array of doubles, cmp_dbl
 *   HTTP           drv_target (the server's address and Host header),
 *                  tcp_connect, write_all, http_post_format (a POST with the
 *                  session cookie and CSRF token), http_head (status line and
 *                  the headers the drivers read)
 *   the load loop  struct drv_conn, one keep-alive connection in one epoll loop
 *                  (non-blocking writes, answers parsed by Content-Length,
 *                  reconnect on "Connection: close"); the driver embeds it as
 *                  the first member of its client and supplies three
 *                  callbacks in drv: send (the next request), answer (one
 *                  complete answer) and fail (report an error and stop the
 *                  client, through conn_kill). drv_load_clients, drv_open,
 *                  drv_run (warm-up, the measured run, the drain) and
 *                  drv_close_all do the rest.
 */
#ifndef BENCH_DRV_H
#define BENCH_DRV_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef DRV_NAME
#error "define DRV_NAME (the driver's name, for its messages) before including drv.h"
#endif

#define DRV_FN static __attribute__((unused))
#define DRV_VAR static __attribute__((unused))

/* ------------------------------------------------------------ timing, messages */

DRV_FN double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time (user + system) of who: RUSAGE_SELF or RUSAGE_THREAD */
DRV_FN double cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

__attribute__((format(printf, 1, 2), noreturn, unused)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, DRV_NAME ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

__attribute__((format(printf, 1, 2), unused)) static void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, DRV_NAME ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* ------------------------------------------------------------ latencies */

struct lat {
    uint32_t *v; /* microseconds */
    size_t n, cap;
};

DRV_FN void lat_add(struct lat *l, double seconds)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 65536;
        uint32_t *nv = realloc(l->v, cap * sizeof(*nv));
        if (!nv)
            die("%s", "out of memory");
        l->v = nv;
        l->cap = cap;
    }
    double us = seconds * 1e6;
    l->v[l->n++] = us < 0 ? 0 : us > 4e9 ? 4000000000u : (uint32_t)us;
}

DRV_FN int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

DRV_FN int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile p (0..100) of n sorted values; 0 when n is 0 */
DRV_FN double pct(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);
    k = k < 1 ? 1 : k > n ? n : k;
    return v[k - 1];
}

/* percentile p (0..100) in ms, nearest rank; sorts l */
DRV_FN double lat_pct(struct lat *l, double p)
{
    if (l->n == 0)
        return 0;
    qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
    size_t k = (size_t)(p / 100.0 * (double)l->n + 0.999999);
    if (k < 1)
        k = 1;
    if (k > l->n)
        k = l->n;
    return l->v[k - 1] / 1000.0;
}

/* ------------------------------------------------------------ HTTP */

DRV_VAR struct sockaddr_in srv_addr;
DRV_VAR char host_hdr[64];

/* the server at host (IPv4) : port; SIGPIPE ignored */
DRV_FN void drv_target(const char *host, int port)
{
    signal(SIGPIPE, SIG_IGN);
    srv_addr.sin_family = AF_INET;
    srv_addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &srv_addr.sin_addr) != 1)
        die("bad host %s (an IPv4 address)", host);
    snprintf(host_hdr, sizeof(host_hdr), "%s:%d", host, port);
}

/* a blocking TCP connection to the server (TCP_NODELAY), or -1 */
DRV_FN int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&srv_addr, sizeof(srv_addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

DRV_FN int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* POST path with body (JSON, or "" for none) as the session cookie / csrf, into
 * out; its length, or -1 when it does not fit */
DRV_FN int http_post_format(char *out, size_t outn, const char *path, const char *cookie,
                            const char *csrf, const char *body)
{
    size_t blen = strlen(body);
    int n = snprintf(out, outn,
                     "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
                     "%sContent-Length: %zu\r\n\r\n%s",
                     path, host_hdr, cookie, csrf, blen ? "Content-Type: application/json\r\n" : "",
                     blen, body);
    return n < 0 || (size_t)n >= outn ? -1 : n;
}

struct http_head {
    size_t hlen;     /* header length, the blank line included */
    int status;      /* of the status line */
    long clen;       /* Content-Length, -1 when none */
    int close_after; /* Connection: close */
    int chunked;     /* a Transfer-Encoding header */
};

/* the head of the answer at the start of buf: 0 while incomplete, 1 when read
 * into h, -1 when the status line is not HTTP/1.x NNN (h->hlen set) */
DRV_FN int http_head(const char *buf, size_t len, struct http_head *h)
{
    const char *hend = memmem(buf, len, "\r\n\r\n", 4);
    if (!hend)
        return 0;
    memset(h, 0, sizeof(*h));
    h->hlen = (size_t)(hend - buf) + 4;
    h->clen = -1;
    if (h->hlen < 16 || memcmp(buf, "HTTP/1.", 7) != 0 || sscanf(buf + 9, "%3d", &h->status) != 1)
        return -1;
    for (const char *l = memchr(buf, '\n', h->hlen); l && l < hend;
         l = memchr(l, '\n', (size_t)(hend - l))) {
        l++;
        if (strncasecmp(l, "Content-Length:", 15) == 0)
            h->clen = strtol(l + 15, NULL, 10);
        else if (strncasecmp(l, "Connection:", 11) == 0 && strncasecmp(l + 11, " close", 6) == 0)
            h->close_after = 1;
        else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0)
            h->chunked = 1;
    }
    return 1;
}

/* ------------------------------------------------------------ the load loop */

#define DRV_MAX_CLIENTS 4096
#define DRV_OUT_MAX 2048
#define DRV_IN_MAX ((size_t)64 * 1024)
#define DRV_DRAIN_S 10.0

/* one client's keep-alive connection; fd < 0 once the client is done (idle) or
 * stopped (dead set) */
struct drv_conn {
    int fd;
    int dead;
    char cookie[512];
    char csrf[128];
    double t_req0; /* when the request under way was sent */
    char out[DRV_OUT_MAX];
    size_t out_len, out_off;
    char *in;
    size_t in_len;
};

struct drv {
    struct drv_conn **conns;
    int nconns;
    int epfd;
    double t_measure0, t_measure1;
    int stopping;                               /* the measured run is over */
    long n_requests, n_reconnects;              /* counted here */
    void (*send)(struct drv_conn *c, double t); /* the request of c's next step */
    void (*answer)(struct drv_conn *c, int status, const char *body, size_t blen, double t);
    /* report an error of c and stop c (conn_kill) */
    void (*fail)(struct drv_conn *c, int status, const char *body, size_t blen);
};

DRV_VAR struct drv drv;

DRV_FN int in_measure(double t)
{
    return t >= drv.t_measure0 && t < drv.t_measure1;
}

/* close c's connection (the client is done, or reconnects) */
DRV_FN void conn_close(struct drv_conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(drv.epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
}

/* stop c on an error */
DRV_FN void conn_kill(struct drv_conn *c)
{
    conn_close(c);
    c->dead = 1;
}

DRV_FN int conn_connect(struct drv_conn *c)
{
    int fd = tcp_connect();
    if (fd < 0)
        return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(drv.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->in_len = 0;
    c->out_len = c->out_off = 0;
    return 0;
}

DRV_FN void conn_flush(struct drv_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (w > 0) {
            c->out_off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
            epoll_ctl(drv.epfd, EPOLL_CTL_MOD, c->fd, &ev);
            return;
        }
        drv.fail(c, 0, "write failed", 12);
        return;
    }
    c->out_len = c->out_off = 0;
}

/* send POST path with body ("" for none) on c at time t */
DRV_FN void conn_post(struct drv_conn *c, const char *path, const char *body, double t)
{
    int n = http_post_format(c->out, sizeof(c->out), path, c->cookie, c->csrf, body);
    if (n < 0)
        die("%s", "request too long");
    c->out_len = (size_t)n;
    c->out_off = 0;
    c->t_req0 = t;
    drv.n_requests++;
    conn_flush(c);
}

/* parse every complete answer in c->in */
DRV_FN void conn_parse(struct drv_conn *c, double t)
{
    static char body[16384];
    for (;;) {
        if (c->fd < 0)
            return;
        struct http_head h;
        int hr = http_head(c->in, c->in_len, &h);
        if (hr == 0) {
            if (c->in_len >= DRV_IN_MAX)
                drv.fail(c, 0, "header too long", 15);
            return;
        }
        if (hr < 0)
            return drv.fail(c, 0, c->in, h.hlen);
        if (h.chunked)
            return drv.fail(c, h.status, "chunked answer (the driver wants Content-Length)", 48);
        if (h.clen < 0 && (h.status == 204 || h.status == 304))
            h.clen = 0;
        if (h.clen < 0 || h.hlen + (size_t)h.clen > DRV_IN_MAX)
            return drv.fail(c, h.status,
                            h.clen < 0 ? "answer without Content-Length" : "answer too long",
                            h.clen < 0 ? 29 : 15);
        size_t total = h.hlen + (size_t)h.clen;
        if (c->in_len < total)
            return; /* body incomplete */
        size_t bl = (size_t)h.clen < sizeof(body) - 1 ? (size_t)h.clen : sizeof(body) - 1;
        memcpy(body, c->in + h.hlen, bl);
        body[bl] = '\0';
        memmove(c->in, c->in + total, c->in_len - total);
        c->in_len -= total;
        if (h.close_after) { /* the server ends the connection: reconnect before sending on */
            conn_close(c);
            drv.n_reconnects++;
            if (conn_connect(c) < 0)
                return drv.fail(c, h.status, "reconnect failed", 16);
        }
        drv.answer(c, h.status, body, bl, t);
    }
}

DRV_FN void conn_readable(struct drv_conn *c)
{
    for (;;) {
        size_t room = DRV_IN_MAX - c->in_len;
        if (room == 0)
            return drv.fail(c, 0, "input buffer full", 17);
        ssize_t r = read(c->fd, c->in + c->in_len, room);
        if (r > 0) {
            c->in_len += (size_t)r;
            if ((size_t)r < room)
                break; /* short read: nothing more for now */
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        /* EOF or error with a request in flight */
        const char *why = r == 0 ? "connection closed by the server" : strerror(errno);
        return drv.fail(c, 0, why, strlen(why));
    }
    conn_parse(c, now_s());
}

/* read the clients file: per non-empty line, its nfields tab-separated fields,
 * the last two the session cookie ("ck_session=" added when it has no '=') and
 * the CSRF token; take(fields, file) makes the client and returns its conn (cookie and
 * csrf are filled in here; drv.conns). want: the line's form, for the message.
 * Dies when there is no client. */
DRV_FN int drv_load_clients(const char *file, int nfields, const char *want,
                            struct drv_conn *(*take)(char **fields, const char *file))
{
    FILE *f = fopen(file, "r");
    if (!f)
        die("cannot open %s", file);
    drv.conns = calloc(DRV_MAX_CLIENTS, sizeof(*drv.conns));
    if (!drv.conns)
        die("%s", "out of memory");
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (n >= DRV_MAX_CLIENTS)
            die("%s", "too many clients");
        char *fields[8];
        for (int i = 0; i < nfields; i++)
            if (!(fields[i] = strtok(i ? NULL : line, "\t")))
                die("bad line in %s (want %s)", file, want);
        struct drv_conn *c = take(fields, file);
        const char *ck = fields[nfields - 2];
        snprintf(c->cookie, sizeof(c->cookie), "%s%s", strchr(ck, '=') ? "" : "ck_session=", ck);
        snprintf(c->csrf, sizeof(c->csrf), "%s", fields[nfields - 1]);
        c->fd = -1;
        drv.conns[n++] = c;
    }
    fclose(f);
    drv.nconns = n;
    if (n == 0)
        die("no clients in %s", file);
    return n;
}

/* the epoll set, an open-files limit for the clients, and every client's
 * connection open (drv.conns, from drv_load_clients) */
DRV_FN void drv_open(const char *host)
{
    struct drv_conn **conns = drv.conns;
    int n = drv.nconns;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    drv.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (drv.epfd < 0)
        die("%s", "epoll_create1 failed");
    for (int i = 0; i < n; i++) {
        conns[i]->in = malloc(DRV_IN_MAX + 1);
        if (!conns[i]->in)
            die("%s", "out of memory");
        if (conn_connect(conns[i]) < 0)
            die("cannot connect to %s", host);
    }
}

/* c's lifecycle, begun at t_life0, ended at t: counted (count, life) when t is
 * in the measured run. After the measured run the client stops: 1 (its
 * connection closed), else 0 (on to the next lifecycle). */
DRV_FN int drv_lifecycle_done(struct drv_conn *c, double t_life0, double t, long *count,
                              struct lat *life)
{
    if (in_measure(t)) {
        (*count)++;
        lat_add(life, t - t_life0);
    }
    if (!drv.stopping)
        return 0;
    conn_close(c);
    return 1;
}

/* the options every load driver takes */
struct drv_opts {
    const char *host, *file;
    int port, progress;
    double seconds, warmup;
};
#define DRV_OPTS_DEFAULT                                                                           \
    {                                                                                              \
        .host = "127.0.0.1", .seconds = 10, .warmup = 2                                            \
    }

/* argument a (v: the next, or NULL): 0 when not a common option, -1 when its
 * value is missing, else how many arguments it took */
DRV_FN int drv_opt(struct drv_opts *o, const char *a, const char *v)
{
    if (strcmp(a, "--progress") == 0) {
        o->progress = 1;
        return 1;
    }
    if (strcmp(a, "--host") != 0 && strcmp(a, "--port") != 0 && strcmp(a, "--clients") != 0 &&
        strcmp(a, "--seconds") != 0 && strcmp(a, "--warmup") != 0)
        return 0;
    if (!v)
        return -1;
    if (strcmp(a, "--host") == 0)
        o->host = v;
    else if (strcmp(a, "--port") == 0)
        o->port = atoi(v);
    else if (strcmp(a, "--clients") == 0)
        o->file = v;
    else if (strcmp(a, "--seconds") == 0)
        o->seconds = atof(v);
    else
        o->warmup = atof(v);
    return 2;
}

/* Every client sends its first request; warmup s not counted, seconds s
 * counted, then (drv.stopping) the clients finish what they are doing, for at
 * most DRV_DRAIN_S. With progress, a line a second to stderr: "t=.. <word>=<the
 * growth of *count> errors=<*errors>". Returns this process's CPU seconds over
 * the measured run. */
DRV_FN double drv_run(double warmup, double seconds, int progress, const char *word,
                      const long *count, const long *errors)
{
    double t0 = now_s();
    drv.t_measure0 = t0 + warmup;
    drv.t_measure1 = drv.t_measure0 + seconds;
    double cpu0 = 0, cpu1 = 0, next_progress = t0 + 1;
    long last_count = 0;
    int cpu0_taken = 0;
    for (int i = 0; i < drv.nconns; i++)
        drv.send(drv.conns[i], t0);

    struct epoll_event evs[256];
    for (;;) {
        double t = now_s();
        if (!cpu0_taken && t >= drv.t_measure0) {
            cpu0 = cpu_s(RUSAGE_SELF);
            cpu0_taken = 1;
        }
        if (!drv.stopping && t >= drv.t_measure1) {
            drv.stopping = 1;
            cpu1 = cpu_s(RUSAGE_SELF);
        }
        if (progress && t >= next_progress) {
            fprintf(stderr, DRV_NAME ": t=%.0fs %s %s=%ld errors=%ld\n", t - t0,
                    t < drv.t_measure0 ? "(warm-up)" : "", word, *count - last_count, *errors);
            last_count = *count;
            next_progress += 1;
        }
        int busy = 0;
        for (int i = 0; i < drv.nconns; i++)
            if (drv.conns[i]->fd >= 0)
                busy++;
        if (busy == 0 || (drv.stopping && t > drv.t_measure1 + DRV_DRAIN_S))
            break;
        int n = epoll_wait(drv.epfd, evs, 256, 20);
        if (n < 0 && errno != EINTR)
            die("%s", "epoll_wait failed");
        for (int i = 0; i < n; i++) {
            struct drv_conn *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            if ((evs[i].events & EPOLLOUT) && c->out_off < c->out_len) {
                conn_flush(c);
                if (c->fd >= 0 && c->out_off >= c->out_len) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(drv.epfd, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (c->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                conn_readable(c);
        }
    }
    if (!drv.stopping)
        cpu1 = cpu_s(RUSAGE_SELF);
    return cpu1 - cpu0;
}

/* close what is still open and say (stderr) how many clients were still busy
 * ("still <busy> after the drain") or stopped on errors; the number stopped */
DRV_FN int drv_close_all(const char *busy)
{
    int unfinished = 0, dead = 0;
    for (int i = 0; i < drv.nconns; i++) {
        struct drv_conn *c = drv.conns[i];
        if (c->dead)
            dead++;
        else if (c->fd >= 0)
            unfinished++;
        if (c->fd >= 0)
            close(c->fd);
    }
    if (unfinished)
        fprintf(stderr, DRV_NAME ": %d clients still %s after the %.0f s drain\n", unfinished, busy,
                DRV_DRAIN_S);
    if (dead)
        fprintf(stderr, DRV_NAME ": %d of %d clients stopped on errors\n", dead, drv.nconns);
    return dead;
}

#endif

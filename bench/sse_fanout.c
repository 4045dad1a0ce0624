/* sse_fanout - driver of the sse_fanout bench case: how fast a call reaches every
 * hall display.
 *
 * Opens SUBS event streams (GET /api/halls/{hall}/events, HTTP/1.1, as a hall
 * screen's EventSource would) and holds them in one epoll loop. When every stream
 * has answered 200 text/event-stream, a second thread makes CALLS calls, INTERVAL ms
 * apart, as the staff member working at WINDOW (a window whose profile serves
 * SERIES and that holds no ticket):
 *
 *   POST /api/halls/{hall}/tickets {"series_id":S}   201
 *   POST /api/windows/{window}/call-next             200 ticket: its "code" is the call's
 *   POST /api/tickets/{id}/start, .../finish          (so the window is free again)
 *
 * A delivery is one subscriber receiving the `ticket.called` event whose data holds
 * that call's code ("code":"X012"); its latency runs from the moment the call-next
 * answer was read to the moment the event was read (both CLOCK_MONOTONIC in this
 * process; an event read before the answer counts as 0 and is counted as early).
 * After the last call the loop waits up to 5 s for missing deliveries. Per call, the
 * first, median and last arrival go to stderr.
 *
 * With --pid, the server's VmRSS is read from /proc/PID/status before the streams
 * are opened (rss_before_mb), once every stream is open (rss_open_mb) and again after
 * the calls, streams still open (rss_mb = the larger of the last two).
 *
 * Output, one line of key=value pairs on stdout:
 *   subs=N connected=N connect_s=.. calls=N deliveries=N expected=N missing=N early=N
 *   p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. call_p50_ms=.. call_p99_ms=..
 *   driver_rx_cpu_pct=.. (the receiving thread's CPU while the calls ran, 100 = a core)
 *   rss_before_mb=.. rss_open_mb=.. rss_mb=.. errors=N dropped=N
 * Exit status: 0 ok, 1 usage/setup failure, 2 errors or missing deliveries.
 *
 * Usage: sse_fanout --port P --hall H --series S --window W --cookie C --csrf T
 *                   [--host 127.0.0.1] [--subs 1000] [--calls 50] [--interval-ms 100]
 *                   [--pid SERVER_PID]
 */
#define DRV_NAME "sse_fanout"
#include <pthread.h>
#include <stdatomic.h>

#include "drv.h"

#define RAW_MAX 16384
#define EV_MAX 65536
#define CODE_MAX 16
#define CODES_PER_EVENT 4
#define WAIT_AFTER_S 5.0
#define CONNECT_WAIT_S 30.0

enum sub_state { S_HEADERS, S_CHUNK_SIZE, S_CHUNK_DATA, S_CHUNK_CRLF, S_PLAIN, S_DEAD };

struct sub {
    int fd;
    enum sub_state st;
    size_t chunk_left;
    char raw[RAW_MAX];
    size_t raw_len;
    char *ev; /* de-chunked event-stream text not yet parsed */
    size_t ev_len;
};

struct rec {
    int sub;
    double t;
    char code[CODES_PER_EVENT][CODE_MAX];
};

static int64_t hall_id, series_id, window_id;
static const char *cookie, *csrf;
static int nsubs = 1000, ncalls = 50, interval_ms = 100;

static struct sub *subs;
static int connected, dropped;
static struct rec *recs;
static size_t nrecs, caprecs;
static long n_called_events;

/* written by the caller thread, read after it ends */
static double *call_t;   /* when the call-next answer was read */
static double *call_lat; /* the call-next request itself */
static char (*call_code)[CODE_MAX];
static int calls_done;
static atomic_int caller_finished;
static long caller_errors;

static double rss_mb(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    double mb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            mb = strtod(line + 6, NULL) / 1024.0;
    fclose(f);
    return mb;
}

/* ------------------------------------------------------------ the caller */

struct conn {
    int fd;
    char buf[65536];
    size_t len;
};

/* POST path with body (may be ""); the answer's status and body (NUL-terminated,
 * in c->buf after the call). Returns the status, or -1 on a transport error. */
static int http_post(struct conn *c, const char *path, const char *body, char **out_body)
{
    char req[2048];
    int n = http_post_format(req, sizeof(req), path, cookie, csrf, body);
    if (n < 0)
        return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->fd < 0 && (c->fd = tcp_connect()) < 0)
            return -1;
        c->len = 0;
        if (write_all(c->fd, req, (size_t)n) < 0) {
            close(c->fd);
            c->fd = -1;
            continue;
        }
        for (;;) {
            struct http_head h;
            int hr = http_head(c->buf, c->len, &h);
            if (hr < 0)
                return -1;
            if (hr > 0) {
                size_t total = h.hlen + (size_t)(h.clen < 0 ? 0 : h.clen);
                if (total >= sizeof(c->buf))
                    return -1;
                if (c->len >= total) {
                    c->buf[total] = '\0';
                    *out_body = c->buf + h.hlen;
                    if (h.close_after) {
                        close(c->fd);
                        c->fd = -1;
                    }
                    return h.status;
                }
            }
            if (c->len >= sizeof(c->buf) - 1)
                return -1;
            ssize_t r = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            c->len += (size_t)r;
        }
        close(c->fd);
        c->fd = -1;
        if (c->len > 0)
            return -1; /* closed mid-answer */
        /* closed before answering (an idle keep-alive connection timed out): retry once */
    }
    return -1;
}

/* the string value of the first member "key" in a JSON text */
static int json_str(const char *p, const char *key, char *out, size_t outn)
{
    size_t kl = strlen(key);
    for (const char *q = strstr(p, key); q; q = strstr(q + 1, key)) {
        if (q == p || q[-1] != '"' || q[kl] != '"')
            continue;
        const char *v = q + kl + 1;
        while (*v == ' ' || *v == ':')
            v++;
        if (*v != '"')
            continue;
        v++;
        size_t n = strcspn(v, "\"");
        if (n >= outn)
            return -1;
        memcpy(out, v, n);
        out[n] = '\0';
        return 0;
    }
    return -1;
}

static void call_error(const char *what, int status, const char *body)
{
    caller_errors++;
    if (caller_errors <= 8)
        warn("%s answered %d: %.300s", what, status, body ? body : "(no answer)");
}

static void sleep_until(double t)
{
    double d = t - now_s();
    if (d <= 0)
        return;
    struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void *caller(void *arg)
{
    (void)arg;
    struct conn *c = calloc(1, sizeof(*c));
    if (!c)
        die("out of memory");
    c->fd = -1;
    char path[128], body[128], *ans;
    double t0 = now_s();
    for (int i = 0; i < ncalls; i++) {
        sleep_until(t0 + (double)i * interval_ms / 1000.0);
        snprintf(path, sizeof(path), "/api/halls/%lld/tickets", (long long)hall_id);
        snprintf(body, sizeof(body), "{\"series_id\":%lld}", (long long)series_id);
        int st = http_post(c, path, body, &ans);
        if (st != 201) {
            call_error("issue (POST /api/halls/{id}/tickets)", st, st < 0 ? NULL : ans);
            continue;
        }
        snprintf(path, sizeof(path), "/api/windows/%lld/call-next", (long long)window_id);
        double tq = now_s();
        st = http_post(c, path, "", &ans);
        double tr = now_s();
        char code[CODE_MAX], idbuf[32];
        if (st != 200 || json_str(ans, "code", code, sizeof(code)) < 0) {
            call_error("call-next", st, st < 0 ? NULL : ans);
            continue;
        }
        /* the ticket id: the first "id": in the answer */
        const char *idp = strstr(ans, "\"id\":");
        long long tid = idp ? strtoll(idp + 5, NULL, 10) : 0;
        int k = calls_done++;
        call_t[k] = tr;
        call_lat[k] = tr - tq;
        snprintf(call_code[k], CODE_MAX, "%s", code);
        snprintf(idbuf, sizeof(idbuf), "%lld", tid);
        snprintf(path, sizeof(path), "/api/tickets/%s/start", idbuf);
        if ((st = http_post(c, path, "", &ans)) != 200) {
            call_error("start", st, st < 0 ? NULL : ans);
            continue;
        }
        snprintf(path, sizeof(path), "/api/tickets/%s/finish", idbuf);
        if ((st = http_post(c, path, "", &ans)) != 200)
            call_error("finish", st, st < 0 ? NULL : ans);
    }
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    atomic_store(&caller_finished, 1);
    return NULL;
}

/* ------------------------------------------------------------ the subscribers */

static void sub_drop(struct sub *s, int epfd, const char *why)
{
    if (s->st == S_DEAD)
        return;
    dropped++;
    if (dropped <= 5)
        warn("stream %d: %s", (int)(s - subs), why);
    epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    s->fd = -1;
    s->st = S_DEAD;
}

static void rec_add(int sub, double t, const char *data)
{
    if (nrecs == caprecs) {
        caprecs = caprecs ? caprecs * 2 : 65536;
        recs = realloc(recs, caprecs * sizeof(*recs));
        if (!recs)
            die("out of memory");
    }
    struct rec *r = &recs[nrecs++];
    memset(r, 0, sizeof(*r));
    r->sub = sub;
    r->t = t;
    /* every "code":"…" value in the data (the ticket's, and maybe a window's) */
    int k = 0;
    for (const char *q = strstr(data, "\"code\""); q && k < CODES_PER_EVENT;
         q = strstr(q + 6, "\"code\"")) {
        const char *v = q + 6;
        while (*v == ' ' || *v == ':')
            v++;
        if (*v != '"')
            continue;
        v++;
        size_t n = strcspn(v, "\"\n");
        if (n < CODE_MAX) {
            memcpy(r->code[k], v, n);
            r->code[k][n] = '\0';
            k++;
        }
    }
}

/* parse the complete events in s->ev */
static void sub_events(struct sub *s, double t)
{
    size_t pos = 0;
    for (;;) {
        char *end = memmem(s->ev + pos, s->ev_len - pos, "\n\n", 2);
        if (!end)
            break;
        *end = '\0';
        char *block = s->ev + pos;
        pos = (size_t)(end - s->ev) + 2;
        char type[64] = "";
        const char *data = NULL;
        for (char *line = block; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (strncmp(line, "event:", 6) == 0)
                snprintf(type, sizeof(type), "%s", line + 6 + (line[6] == ' '));
            else if (strncmp(line, "data:", 5) == 0 && !data)
                data = line + 5 + (line[5] == ' ');
            line = nl ? nl + 1 : NULL;
        }
        if (data && strcmp(type, "ticket.called") == 0) {
            n_called_events++;
            rec_add((int)(s - subs), t, data);
        }
    }
    memmove(s->ev, s->ev + pos, s->ev_len - pos);
    s->ev_len -= pos;
}

static int ev_append(struct sub *s, const char *p, size_t n)
{
    if (s->ev_len + n >= EV_MAX)
        return -1;
    memcpy(s->ev + s->ev_len, p, n);
    s->ev_len += n;
    return 0;
}

/* consume s->raw: headers, then (de-chunked) event-stream text */
static void sub_consume(struct sub *s, int epfd, double t)
{
    size_t pos = 0;
    if (s->st == S_HEADERS) {
        char *hend = memmem(s->raw, s->raw_len, "\r\n\r\n", 4);
        if (!hend) {
            if (s->raw_len >= RAW_MAX)
                sub_drop(s, epfd, "response header too long");
            return;
        }
        size_t hlen = (size_t)(hend - s->raw) + 4;
        int status = 0, chunked = 0, is_sse = 0;
        if (sscanf(s->raw, "HTTP/1.%*d %d", &status) != 1)
            status = 0;
        for (char *l = memchr(s->raw, '\n', hlen); l && l < hend;
             l = memchr(l, '\n', (size_t)(hend - l))) {
            l++;
            if (strncasecmp(l, "Transfer-Encoding:", 18) == 0 &&
                strncasecmp(l + 18 + strspn(l + 18, " "), "chunked", 7) == 0)
                chunked = 1;
            if (strncasecmp(l, "Content-Type:", 13) == 0 &&
                strncasecmp(l + 13 + strspn(l + 13, " "), "text/event-stream", 17) == 0)
                is_sse = 1;
        }
        if (status != 200 || !is_sse) {
            char why[400];
            snprintf(why, sizeof(why), "GET /api/halls/%lld/events answered: %.*s",
                     (long long)hall_id, (int)(s->raw_len > 300 ? 300 : s->raw_len), s->raw);
            sub_drop(s, epfd, why);
            return;
        }
        connected++;
        s->st = chunked ? S_CHUNK_SIZE : S_PLAIN;
        pos = hlen;
    }
    while (pos < s->raw_len && s->st != S_DEAD) {
        size_t avail = s->raw_len - pos;
        if (s->st == S_PLAIN) {
            if (ev_append(s, s->raw + pos, avail) < 0)
                return sub_drop(s, epfd, "event longer than the buffer");
            pos += avail;
        } else if (s->st == S_CHUNK_SIZE) {
            char *crlf = memmem(s->raw + pos, avail, "\r\n", 2);
            if (!crlf)
                break;
            size_t size = strtoul(s->raw + pos, NULL, 16);
            pos = (size_t)(crlf - s->raw) + 2;
            if (size == 0)
                return sub_drop(s, epfd, "the server ended the stream");
            s->chunk_left = size;
            s->st = S_CHUNK_DATA;
        } else if (s->st == S_CHUNK_DATA) {
            size_t n = avail < s->chunk_left ? avail : s->chunk_left;
            if (ev_append(s, s->raw + pos, n) < 0)
                return sub_drop(s, epfd, "event longer than the buffer");
            pos += n;
            s->chunk_left -= n;
            if (s->chunk_left == 0)
                s->st = S_CHUNK_CRLF;
        } else if (s->st == S_CHUNK_CRLF) {
            if (avail < 2)
                break;
            pos += 2;
            s->st = S_CHUNK_SIZE;
        }
    }
    memmove(s->raw, s->raw + pos, s->raw_len - pos);
    s->raw_len -= pos;
    if (s->st != S_DEAD && s->ev_len > 0)
        sub_events(s, t);
}

static void sub_readable(struct sub *s, int epfd)
{
    for (;;) {
        size_t room = RAW_MAX - s->raw_len;
        if (room == 0)
            return sub_drop(s, epfd, "input buffer full");
        ssize_t r = read(s->fd, s->raw + s->raw_len, room);
        if (r > 0) {
            s->raw_len += (size_t)r;
            sub_consume(s, epfd, now_s());
            if (s->st == S_DEAD || (size_t)r < room)
                return;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        return sub_drop(s, epfd, r == 0 ? "the server closed the stream" : strerror(errno));
    }
}

static void pump(int epfd, int timeout_ms)
{
    struct epoll_event evs[512];
    int n = epoll_wait(epfd, evs, 512, timeout_ms);
    if (n < 0 && errno != EINTR)
        die("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        struct sub *s = evs[i].data.ptr;
        if (s->st != S_DEAD)
            sub_readable(s, epfd);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: sse_fanout --port P --hall H --series S --window W --cookie C "
                    "--csrf T [--host 127.0.0.1] [--subs 1000] [--calls 50] "
                    "[--interval-ms 100] [--pid SERVER_PID]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    long pid = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (strcmp(a, "--host") == 0)
            host = v;
        else if (strcmp(a, "--port") == 0)
            port = atoi(v);
        else if (strcmp(a, "--hall") == 0)
            hall_id = strtoll(v, NULL, 10);
        else if (strcmp(a, "--series") == 0)
            series_id = strtoll(v, NULL, 10);
        else if (strcmp(a, "--window") == 0)
            window_id = strtoll(v, NULL, 10);
        else if (strcmp(a, "--cookie") == 0)
            cookie = v;
        else if (strcmp(a, "--csrf") == 0)
            csrf = v;
        else if (strcmp(a, "--subs") == 0)
            nsubs = atoi(v);
        else if (strcmp(a, "--calls") == 0)
            ncalls = atoi(v);
        else if (strcmp(a, "--interval-ms") == 0)
            interval_ms = atoi(v);
        else if (strcmp(a, "--pid") == 0)
            pid = atol(v);
        else
            usage();
    }
    if (port <= 0 || hall_id <= 0 || series_id <= 0 || window_id <= 0 || !cookie || !csrf ||
        nsubs < 1 || nsubs > 100000 || ncalls < 1 || ncalls > 100000 || interval_ms < 0)
        usage();
    drv_target(host, port);

    /* one fd per stream, plus the caller's and a margin */
    struct rlimit rl;
    rlim_t want = (rlim_t)nsubs + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        if (rl.rlim_max < want)
            rl.rlim_max = want; /* works as root */
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            die("cannot raise the open-files limit to %lu (ulimit -n): %s", (unsigned long)want,
                strerror(errno));
    }

    subs = calloc((size_t)nsubs, sizeof(*subs));
    call_t = calloc((size_t)ncalls, sizeof(*call_t));
    call_lat = calloc((size_t)ncalls, sizeof(*call_lat));
    call_code = calloc((size_t)ncalls, sizeof(*call_code));
    if (!subs || !call_t || !call_lat || !call_code)
        die("out of memory");
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("epoll_create1: %s", strerror(errno));

    char req[512];
    int reqn = snprintf(req, sizeof(req),
                        "GET /api/halls/%lld/events HTTP/1.1\r\nHost: %s\r\n"
                        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n",
                        (long long)hall_id, host_hdr);
    double rss_before = pid > 0 ? rss_mb(pid) : -1;
    double tc0 = now_s();
    for (int i = 0; i < nsubs; i++) {
        struct sub *s = &subs[i];
        s->ev = malloc(EV_MAX);
        if (!s->ev)
            die("out of memory");
        s->fd = tcp_connect();
        if (s->fd < 0)
            die("connect (stream %d of %d): %s", i + 1, nsubs, strerror(errno));
        if (write_all(s->fd, req, (size_t)reqn) < 0)
            die("sending the request of stream %d: %s", i + 1, strerror(errno));
        fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
            die("epoll_ctl: %s", strerror(errno));
        s->st = S_HEADERS;
        if ((i & 63) == 63)
            pump(epfd, 0); /* read answers as they come */
    }
    while (connected + dropped < nsubs && now_s() - tc0 < CONNECT_WAIT_S)
        pump(epfd, 50);
    double connect_s = now_s() - tc0;
    if (connected < nsubs)
        warn("only %d of %d streams answered 200 text/event-stream within %.0f s (%d dropped)",
             connected, nsubs, CONNECT_WAIT_S, dropped);
    if (connected == 0)
        die("no stream opened");
    warn("%d streams open in %.2f s", connected, connect_s);
    /* settle, then read the server's memory with every stream open */
    double ts = now_s();
    while (now_s() - ts < 0.5)
        pump(epfd, 50);
    double rss_open = pid > 0 ? rss_mb(pid) : -1;

    double rx_cpu0 = cpu_s(RUSAGE_THREAD);
    double tcalls0 = now_s();
    pthread_t th;
    if (pthread_create(&th, NULL, caller, NULL) != 0)
        die("pthread_create failed");
    double t_done = 0;
    long want_events = (long)connected * ncalls;
    for (;;) {
        pump(epfd, 20);
        if (atomic_load(&caller_finished)) {
            if (t_done == 0)
                t_done = now_s();
            if (n_called_events >= want_events || now_s() - t_done > WAIT_AFTER_S)
                break;
        }
    }
    double rx_cpu = cpu_s(RUSAGE_THREAD) - rx_cpu0;
    double tcalls1 = now_s();
    pthread_join(th, NULL);
    double rss_after = pid > 0 ? rss_mb(pid) : -1;

    /* match: latency per (stream, call), first event only */
    size_t cells = (size_t)nsubs * (size_t)calls_done;
    double *lat = malloc((cells ? cells : 1) * sizeof(*lat));
    unsigned char *got = calloc(cells ? cells : 1, 1);
    if (!lat || !got)
        die("out of memory");
    size_t nlat = 0;
    long early = 0;
    for (size_t r = 0; r < nrecs; r++) {
        for (int k = 0; k < CODES_PER_EVENT && recs[r].code[k][0]; k++) {
            int c;
            for (c = 0; c < calls_done; c++)
                if (strcmp(call_code[c], recs[r].code[k]) == 0)
                    break;
            if (c == calls_done)
                continue;
            size_t cell = (size_t)recs[r].sub * (size_t)calls_done + (size_t)c;
            if (got[cell])
                break;
            got[cell] = 1;
            double d = recs[r].t - call_t[c];
            if (d < 0) {
                early++;
                d = 0;
            }
            lat[nlat++] = d * 1000.0;
            break;
        }
    }
    /* per call: when the first, the median and the last subscriber got it (stderr) */
    double *one = malloc((size_t)nsubs * sizeof(*one));
    if (!one)
        die("out of memory");
    for (int c = 0; c < calls_done; c++) {
        size_t k = 0;
        for (size_t r = 0; r < nrecs; r++)
            for (int j = 0; j < CODES_PER_EVENT && recs[r].code[j][0]; j++)
                if (strcmp(call_code[c], recs[r].code[j]) == 0) {
                    if (k < (size_t)nsubs)
                        one[k++] = (recs[r].t - call_t[c]) * 1000.0;
                    break;
                }
        qsort(one, k, sizeof(*one), cmp_dbl);
        fprintf(stderr,
                "sse_fanout: call %2d %-6s call-next %.1f ms; event (ms after the answer) to "
                "%zu streams: first %.1f, median %.1f, last %.1f\n",
                c + 1, call_code[c], call_lat[c] * 1000.0, k, k ? one[0] : 0.0, pct(one, k, 50),
                k ? one[k - 1] : 0.0);
    }
    free(one);
    qsort(lat, nlat, sizeof(*lat), cmp_dbl);
    for (int c = 0; c < calls_done; c++)
        call_lat[c] *= 1000.0;
    qsort(call_lat, (size_t)calls_done, sizeof(*call_lat), cmp_dbl);
    long expected = (long)connected * calls_done;
    long missing = expected - (long)nlat;
    if (calls_done < ncalls)
        warn("only %d of %d calls went through", calls_done, ncalls);
    if (missing > 0)
        warn("%ld of %ld deliveries missing after %.0f s", missing, expected, WAIT_AFTER_S);
    printf("subs=%d connected=%d connect_s=%.2f calls=%d deliveries=%zu expected=%ld missing=%ld "
           "early=%ld p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f call_p50_ms=%.3f "
           "call_p99_ms=%.3f driver_rx_cpu_pct=%.1f rss_before_mb=%.1f rss_open_mb=%.1f "
           "rss_mb=%.1f errors=%ld dropped=%d\n",
           nsubs, connected, connect_s, calls_done, nlat, expected, missing, early,
           pct(lat, nlat, 50), pct(lat, nlat, 90), pct(lat, nlat, 99), pct(lat, nlat, 100),
           pct(call_lat, (size_t)calls_done, 50), pct(call_lat, (size_t)calls_done, 99),
           100.0 * rx_cpu / (tcalls1 - tcalls0), rss_before, rss_open,
           rss_after > rss_open ? rss_after : rss_open, caller_errors, dropped);
    /* hang up like a display going away: read what is pending, so close sends a FIN
     * rather than a reset */
    for (int i = 0; i < nsubs; i++) {
        if (subs[i].fd < 0)
            continue;
        while (read(subs[i].fd, subs[i].raw, RAW_MAX) > 0)
            ;
        close(subs[i].fd);
    }
    free(lat);
    free(got);
    return caller_errors || missing || dropped || calls_done < ncalls ? 2 : 0;
}

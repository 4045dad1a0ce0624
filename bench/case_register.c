/* case_register - load driver for the case_register bench case.
 *
 * Each client is one logged-in staff member (home node: the hall), with one
 * keep-alive HTTP/1.1 connection. It loops over the first two steps of a case:
 *
 *   POST /api/cases {"item_code":ITEM,"applicant":{"name":"张三","phone":P},
 *                    "materials":[every material of the item]}   201, case.id read
 *   POST /api/cases/{id}/accept {}                               200, state accepted
 *
 * The case is registered at the caller's home node (node_id omitted). P is a
 * different valid mainland mobile number (1[3-9] + 9 digits) on every request.
 * Both answers come after their commit (the server answers writes after the
 * commit), so a lifecycle is two durable writes; it is counted when the accept
 * is answered, and its latency runs from the register request being sent to the
 * accept answer.
 *
 * One epoll loop, no threads. Runs WARMUP s (not counted), then SECONDS s
 * (counted); then no client registers a new case, the cases under way are
 * accepted (max 10 s) so none is left half-done, and the result goes to stdout
 * as one line of key=value pairs:
 *
 *   lifecycles=N seconds=S ops_per_s=X p50_ms=.. p99_ms=.. max_ms=.. requests=N
 *   errors=N register_p50_ms=.. register_p99_ms=.. accept_p50_ms=.. accept_p99_ms=..
 *   clients=N driver_cpu_pct=.. reconnects=N registered_total=N accepted_total=N
 *
 * driver_cpu_pct is this process's CPU time over the measured run (100 = one core);
 * registered_total and accepted_total count the warm-up and the drain too (they
 * are equal when every case registered was accepted).
 * Unexpected answers are errors: the first few are printed to stderr (step,
 * status, body) and that client stops. Exit status: 0 ok, 1 usage/setup, 2
 * errors seen.
 *
 * Usage: case_register --port P --clients FILE --item CODE --materials ID,ID,...
 *                      [--host 127.0.0.1] [--seconds 10] [--warmup 2] [--progress]
 * FILE: one client per line, "STAFF_ID<TAB>ck_session=COOKIE<TAB>CSRF_TOKEN".
 */
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

#define MAX_CLIENTS 4096
#define OUT_MAX 2048
#define IN_MAX ((size_t)64 * 1024)
#define MAX_ERROR_SAMPLES 8
#define DRAIN_S 10.0
#define ITEM_MAX 64
#define MATERIALS_MAX 60

enum step { ST_REGISTER, ST_ACCEPT, ST_IDLE, ST_DEAD };
static const char *const step_name[] = {"register", "accept", "idle", "dead"};

struct lat {
    uint32_t *v; /* microseconds */
    size_t n, cap;
};

struct client {
    int fd;
    int64_t staff_id;
    char cookie[512];
    char csrf[128];
    enum step st;
    int64_t case_id;
    double t_life0, t_req0;
    char out[OUT_MAX];
    size_t out_len, out_off;
    char *in;
    size_t in_len;
};

static struct client *clients;
static int nclients;
static int epfd;
static struct sockaddr_in srv_addr;
static char host_hdr[64];
static double t_measure0, t_measure1;
static int stopping;
/* the start of every register body: {"item_code":ITEM,"materials":[IDS], */
static char body_head[ITEM_MAX + MATERIALS_MAX * 21 + 64];
static uint64_t phone_seq;

static long n_lifecycles, n_requests, n_errors, n_reconnects;
static long n_registered_total, n_accepted_total; /* warm-up and drain included */
static struct lat lat_life, lat_step[2];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "case_register: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static void lat_add(struct lat *l, double seconds)
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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* percentile p (0..100) in ms, nearest rank; sorts l */
static double lat_pct(struct lat *l, double p)
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

static int in_measure(double t)
{
    return t >= t_measure0 && t < t_measure1;
}

static void error_sample(struct client *c, int status, const char *body, size_t blen)
{
    n_errors++;
    if (n_errors > MAX_ERROR_SAMPLES)
        return;
    char what[64];
    if (c->st == ST_ACCEPT)
        snprintf(what, sizeof(what), "accept of case %lld", (long long)c->case_id);
    else
        snprintf(what, sizeof(what), "%s", step_name[c->st]);
    fprintf(stderr, "case_register: client %d (staff %lld): %s answered %d: %.*s\n",
            (int)(c - clients), (long long)c->staff_id, what, status,
            (int)(blen > 400 ? 400 : blen), body ? body : "");
}

static void client_kill(struct client *c)
{
    if (c->fd >= 0) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    c->st = ST_DEAD;
}

static int client_connect(struct client *c)
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
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->in_len = 0;
    c->out_len = c->out_off = 0;
    return 0;
}

static void client_flush(struct client *c)
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
            epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
            return;
        }
        error_sample(c, 0, "write failed", 12);
        client_kill(c);
        return;
    }
    c->out_len = c->out_off = 0;
}

/* a valid mainland mobile number, different on every call: 1[3-9] + 9 digits */
static void next_phone(char out[12])
{
    uint64_t n = phone_seq++;
    snprintf(out, 12, "1%d%09llu", 3 + (int)(n % 7), (unsigned long long)((n / 7) % 1000000000u));
}

/* compose and send the request of c's current step */
static void client_send(struct client *c, double t)
{
    char path[128], phone[12];
    char body[sizeof(body_head) + 128];
    switch (c->st) {
    case ST_REGISTER:
        snprintf(path, sizeof(path), "/api/cases");
        next_phone(phone);
        snprintf(body, sizeof(body), "%s\"applicant\":{\"name\":\"张三\",\"phone\":\"%s\"}}",
                 body_head, phone);
        c->t_life0 = t;
        break;
    case ST_ACCEPT:
        snprintf(path, sizeof(path), "/api/cases/%lld/accept", (long long)c->case_id);
        snprintf(body, sizeof(body), "{}");
        break;
    default:
        return;
    }
    size_t blen = strlen(body);
    int n = snprintf(c->out, sizeof(c->out),
                     "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nX-CSRF-Token: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     path, host_hdr, c->cookie, c->csrf, blen, body);
    if (n < 0 || (size_t)n >= sizeof(c->out))
        die("%s", "request too long");
    c->out_len = (size_t)n;
    c->out_off = 0;
    c->t_req0 = t;
    n_requests++;
    client_flush(c);
}

/* The value of member key of a JSON object: of the top-level object when
 * parent is NULL, else of the object that is the top-level member parent.
 * Returns a pointer to the value's first character, or NULL. Enough for the
 * server's answers (no key text inside strings is mistaken for a key: a
 * string is a key only when a ':' follows it). */
static const char *json_member(const char *p, size_t n, const char *parent, const char *key)
{
    int depth = 0, in_parent = parent == NULL, parent_next = 0;
    size_t plen = parent ? strlen(parent) : 0, klen = strlen(key);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '"') {
            size_t s = ++i;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\')
                    i++;
                i++;
            }
            if (i >= n)
                return NULL;
            size_t len = i - s, j = i + 1;
            while (j < n && p[j] == ' ')
                j++;
            if (j >= n || p[j] != ':')
                continue; /* a value, not a key */
            j++;
            while (j < n && p[j] == ' ')
                j++;
            if (parent && depth == 1)
                parent_next = len == plen && memcmp(p + s, parent, plen) == 0;
            else if (in_parent && depth == (parent ? 2 : 1) && len == klen &&
                     memcmp(p + s, key, klen) == 0)
                return p + j;
        } else if (ch == '{' || ch == '[') {
            depth++;
            if (parent && depth == 2 && parent_next && ch == '{')
                in_parent = 1;
        } else if (ch == '}' || ch == ']') {
            depth--;
            if (parent && depth < 2) {
                in_parent = 0;
                parent_next = 0;
            }
        }
    }
    return NULL;
}

static int64_t json_id(const char *p, size_t n, const char *parent)
{
    const char *v = json_member(p, n, parent, "id");
    return v && *v >= '0' && *v <= '9' ? strtoll(v, NULL, 10) : -1;
}

/* one complete answer for c: status, body; advance the state machine */
static void client_answer(struct client *c, int status, const char *body, size_t blen, double t)
{
    enum step st = c->st;
    if (st <= ST_ACCEPT && in_measure(t))
        lat_add(&lat_step[st], t - c->t_req0);
    switch (st) {
    case ST_REGISTER:
        if (status != 201 || (c->case_id = json_id(body, blen, "case")) <= 0) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        n_registered_total++;
        c->st = ST_ACCEPT;
        break;
    case ST_ACCEPT: {
        const char *state = json_member(body, blen, NULL, "state");
        if (status != 200 || json_id(body, blen, NULL) != c->case_id || !state ||
            strncmp(state, "\"accepted\"", 10) != 0) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        n_accepted_total++;
        if (in_measure(t)) {
            n_lifecycles++;
            lat_add(&lat_life, t - c->t_life0);
        }
        if (stopping) { /* done: no new case after the measured run */
            c->st = ST_IDLE;
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
            return;
        }
        c->st = ST_REGISTER;
        break;
    }
    default:
        return;
    }
    client_send(c, t);
}

/* parse every complete answer in c->in */
static void client_parse(struct client *c, double t)
{
    static char body[16384];
    for (;;) {
        if (c->st == ST_DEAD || c->st == ST_IDLE)
            return;
        char *hend = memmem(c->in, c->in_len, "\r\n\r\n", 4);
        if (!hend) {
            if (c->in_len >= IN_MAX) {
                error_sample(c, 0, "header too long", 15);
                client_kill(c);
            }
            return;
        }
        size_t hlen = (size_t)(hend - c->in) + 4;
        int status = 0;
        if (hlen < 16 || memcmp(c->in, "HTTP/1.", 7) != 0 ||
            sscanf(c->in + 9, "%3d", &status) != 1) {
            error_sample(c, 0, c->in, hlen);
            client_kill(c);
            return;
        }
        long clen = -1;
        int close_after = 0;
        for (char *l = memchr(c->in, '\n', hlen); l && l < hend;
             l = memchr(l, '\n', (size_t)(hend - l))) {
            l++;
            if (strncasecmp(l, "Content-Length:", 15) == 0) {
                clen = strtol(l + 15, NULL, 10);
            } else if (strncasecmp(l, "Connection:", 11) == 0 &&
                       strncasecmp(l + 11, " close", 6) == 0) {
                close_after = 1;
            } else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0) {
                error_sample(c, status, "chunked answer (the driver wants Content-Length)", 48);
                client_kill(c);
                return;
            }
        }
        if (clen < 0 && (status == 204 || status == 304))
            clen = 0;
        if (clen < 0 || hlen + (size_t)clen > IN_MAX) {
            error_sample(c, status, clen < 0 ? "answer without Content-Length" : "answer too long",
                         clen < 0 ? 29 : 15);
            client_kill(c);
            return;
        }
        size_t total = hlen + (size_t)clen;
        if (c->in_len < total)
            return; /* body incomplete */
        size_t bl = (size_t)clen < sizeof(body) - 1 ? (size_t)clen : sizeof(body) - 1;
        memcpy(body, c->in + hlen, bl);
        body[bl] = '\0';
        memmove(c->in, c->in + total, c->in_len - total);
        c->in_len -= total;
        if (close_after) { /* the server ends the connection: reconnect before sending on */
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
            n_reconnects++;
            if (client_connect(c) < 0) {
                error_sample(c, status, "reconnect failed", 16);
                c->st = ST_DEAD;
                return;
            }
        }
        client_answer(c, status, body, bl, t);
    }
}

static void client_readable(struct client *c)
{
    for (;;) {
        size_t room = IN_MAX - c->in_len;
        if (room == 0) {
            error_sample(c, 0, "input buffer full", 17);
            client_kill(c);
            return;
        }
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
        error_sample(c, 0, why, strlen(why));
        client_kill(c);
        return;
    }
    client_parse(c, now_s());
}

static int load_clients(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die("cannot open %s", file);
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (nclients >= MAX_CLIENTS)
            die("%s", "too many clients");
        struct client *c = &clients[nclients];
        char *sid = strtok(line, "\t"), *ck = strtok(NULL, "\t"), *cs = strtok(NULL, "\t");
        if (!sid || !ck || !cs)
            die("bad line in %s (want STAFF_ID<TAB>COOKIE<TAB>CSRF)", file);
        c->staff_id = strtoll(sid, NULL, 10);
        if (c->staff_id <= 0)
            die("bad staff id in %s", file);
        snprintf(c->cookie, sizeof(c->cookie), "%s%s", strchr(ck, '=') ? "" : "ck_session=", ck);
        snprintf(c->csrf, sizeof(c->csrf), "%s", cs);
        c->fd = -1;
        nclients++;
    }
    fclose(f);
    return nclients;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* body_head from the item code and a list of material ids "29,30,31" */
static void make_body_head(const char *item, const char *materials)
{
    if (strlen(item) >= ITEM_MAX || strpbrk(item, "\"\\"))
        die("bad item code %s", item);
    size_t len = (size_t)snprintf(body_head, sizeof(body_head),
                                  "{\"item_code\":\"%s\",\"materials\":[", item);
    int n = 0;
    for (const char *p = materials; *p;) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p || id <= 0 || (*end && *end != ',') || ++n > MATERIALS_MAX)
            die("bad --materials %s (want ids separated by commas)", materials);
        len += (size_t)snprintf(body_head + len, sizeof(body_head) - len, "%s%lld",
                                n > 1 ? "," : "", id);
        p = *end ? end + 1 : end;
    }
    snprintf(body_head + len, sizeof(body_head) - len, "],");
}

static void usage(void)
{
    fprintf(stderr, "usage: case_register --port P --clients FILE --item CODE --materials ID,...\n"
                    "                     [--host 127.0.0.1] [--seconds 10] [--warmup 2] "
                    "[--progress]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *file = NULL, *item = NULL, *materials = "";
    int port = 0, progress = 0;
    double seconds = 10, warmup = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--progress") == 0) {
            progress = 1;
            continue;
        }
        if (!v)
            usage();
        if (strcmp(a, "--host") == 0)
            host = v;
        else if (strcmp(a, "--port") == 0)
            port = atoi(v);
        else if (strcmp(a, "--clients") == 0)
            file = v;
        else if (strcmp(a, "--item") == 0)
            item = v;
        else if (strcmp(a, "--materials") == 0)
            materials = v;
        else if (strcmp(a, "--seconds") == 0)
            seconds = atof(v);
        else if (strcmp(a, "--warmup") == 0)
            warmup = atof(v);
        else
            usage();
        i++;
    }
    if (port <= 0 || !file || !item || seconds <= 0 || warmup < 0)
        usage();
    make_body_head(item, materials);
    signal(SIGPIPE, SIG_IGN);
    srv_addr.sin_family = AF_INET;
    srv_addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &srv_addr.sin_addr) != 1)
        die("bad host %s (an IPv4 address)", host);
    snprintf(host_hdr, sizeof(host_hdr), "%s:%d", host, port);

    clients = calloc(MAX_CLIENTS, sizeof(*clients));
    if (!clients)
        die("%s", "out of memory");
    if (load_clients(file) == 0)
        die("no clients in %s", file);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nclients + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)nclients + 64 ? rl.rlim_max : (rlim_t)nclients + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        die("%s", "epoll_create1 failed");
    for (int i = 0; i < nclients; i++) {
        clients[i].in = malloc(IN_MAX + 1);
        if (!clients[i].in)
            die("%s", "out of memory");
        if (client_connect(&clients[i]) < 0)
            die("cannot connect to %s", host);
    }

    double t0 = now_s();
    t_measure0 = t0 + warmup;
    t_measure1 = t_measure0 + seconds;
    double cpu0 = 0, cpu1 = 0, next_progress = t0 + 1;
    long last_count = 0;
    int cpu0_taken = 0;
    for (int i = 0; i < nclients; i++)
        client_send(&clients[i], t0);

    struct epoll_event evs[256];
    for (;;) {
        double t = now_s();
        if (!cpu0_taken && t >= t_measure0) {
            cpu0 = cpu_s();
            cpu0_taken = 1;
        }
        if (!stopping && t >= t_measure1) {
            stopping = 1;
            cpu1 = cpu_s();
        }
        if (progress && t >= next_progress) {
            fprintf(stderr, "case_register: t=%.0fs %s accepted=%ld errors=%ld\n", t - t0,
                    t < t_measure0 ? "(warm-up)" : "", n_lifecycles - last_count, n_errors);
            last_count = n_lifecycles;
            next_progress += 1;
        }
        int busy = 0;
        for (int i = 0; i < nclients; i++)
            if (clients[i].st != ST_DEAD && clients[i].st != ST_IDLE)
                busy++;
        if (busy == 0 || (stopping && t > t_measure1 + DRAIN_S))
            break;
        int n = epoll_wait(epfd, evs, 256, 20);
        if (n < 0 && errno != EINTR)
            die("%s", "epoll_wait failed");
        for (int i = 0; i < n; i++) {
            struct client *c = evs[i].data.ptr;
            if (c->fd < 0)
                continue;
            if ((evs[i].events & EPOLLOUT) && c->out_off < c->out_len) {
                client_flush(c);
                if (c->fd >= 0 && c->out_off >= c->out_len) {
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            if (c->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                client_readable(c);
        }
    }
    if (!stopping)
        cpu1 = cpu_s();
    int unfinished = 0, dead = 0;
    for (int i = 0; i < nclients; i++) {
        if (clients[i].st == ST_DEAD)
            dead++;
        else if (clients[i].st != ST_IDLE)
            unfinished++;
        if (clients[i].fd >= 0)
            close(clients[i].fd);
    }
    if (unfinished)
        fprintf(stderr, "case_register: %d clients still mid-case after the %.0f s drain\n",
                unfinished, DRAIN_S);
    if (dead)
        fprintf(stderr, "case_register: %d of %d clients stopped on errors\n", dead, nclients);

    double p50 = lat_pct(&lat_life, 50), p99 = lat_pct(&lat_life, 99), mx = lat_pct(&lat_life, 100);
    printf("lifecycles=%ld seconds=%.2f ops_per_s=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "requests=%ld errors=%ld register_p50_ms=%.3f register_p99_ms=%.3f "
           "accept_p50_ms=%.3f accept_p99_ms=%.3f clients=%d driver_cpu_pct=%.1f reconnects=%ld "
           "registered_total=%ld accepted_total=%ld\n",
           n_lifecycles, seconds, (double)n_lifecycles / seconds, p50, p99, mx, n_requests,
           n_errors, lat_pct(&lat_step[ST_REGISTER], 50), lat_pct(&lat_step[ST_REGISTER], 99),
           lat_pct(&lat_step[ST_ACCEPT], 50), lat_pct(&lat_step[ST_ACCEPT], 99), nclients,
           100.0 * (cpu1 - cpu0) / seconds, n_reconnects, n_registered_total, n_accepted_total);
    return n_errors || dead ? 2 : 0;
}

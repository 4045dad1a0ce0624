/* lifecycle - load driver for the ticket_lifecycle bench case.
 *
 * Each client is one logged-in staff member working at one open window, with one
 * keep-alive HTTP/1.1 connection. It loops over a ticket's whole life:
 *
 *   POST /api/halls/{hall}/tickets {"series_id":S}   201 (a waiting ticket)
 *   POST /api/windows/{window}/call-next             200 ticket (called), id read from the JSON
 *   POST /api/tickets/{id}/start                     200 (serving)
 *   POST /api/tickets/{id}/finish                    200 (done)
 *
 * A client issues its tickets in the series its window serves. Several windows serve
 * one series (run.sh: 4 per series, as in a real hall; one series cannot carry the
 * whole run, a series numbers at most 9,999 tickets a day), so call-next may hand a
 * client another client's ticket; that is fine: every client issues exactly one ticket
 * before each call, so nobody waits on an empty queue, and a lifecycle is counted when
 * its finish is answered (one finish = one ticket done). Its latency runs from the
 * issue request being sent to the finish answer. A 404 from call-next (nobody waiting;
 * should not happen) is retried and counted as an empty call.
 *
 * One epoll loop, no threads. Runs WARMUP s (not counted), then SECONDS s (counted);
 * then no client starts a new lifecycle, those under way are completed (max 10 s) so
 * no window is left holding a ticket, and the result goes to stdout as one line of
 * key=value pairs:
 *
 *   lifecycles=N seconds=S ops_per_s=X p50_ms=.. p99_ms=.. max_ms=.. requests=N
 *   errors=N empty_calls=N own_ticket_pct=.. issue_p99_ms=.. call_p99_ms=..
 *   start_p99_ms=.. finish_p99_ms=.. clients=N driver_cpu_pct=.. reconnects=N
 *   issued_total=N finished_total=N
 *
 * driver_cpu_pct is this process's CPU time over the measured run (100 = one core);
 * issued_total and finished_total count the warm-up and the drain too (they are equal
 * when every lifecycle was completed).
 * Unexpected answers are errors: the first few are printed to stderr (step, status,
 * body) and that client stops. Exit status: 0 ok, 1 usage/setup, 2 errors seen.
 *
 * Usage: lifecycle --port P --hall H --clients FILE
 *                  [--host 127.0.0.1] [--seconds 10] [--warmup 2] [--progress]
 * FILE: one client per line,
 *   "WINDOW_ID<TAB>SERIES_ID<TAB>ck_session=COOKIE<TAB>CSRF_TOKEN".
 */
#define DRV_NAME "lifecycle"
#include "drv.h"

#define MAX_ERROR_SAMPLES 8
#define MAX_EMPTY_CALLS 100000

enum step { ST_ISSUE, ST_CALL, ST_START, ST_FINISH, ST_IDLE, ST_DEAD };
static const char *const step_name[] = {"issue", "call-next", "start", "finish", "idle", "dead"};

struct client {
    struct drv_conn conn; /* first: the loop's callbacks get &conn */
    int64_t window_id;
    int64_t series_id;
    enum step st;
    int64_t ticket_id;
    int64_t issued_id;
    long empty_calls;
    double t_life0;
};

static struct client *clients;
static int nclients;
static int64_t hall_id;

static long n_lifecycles, n_errors, n_empty, n_own, n_calls;
static long n_issued_total, n_finished_total; /* warm-up and drain included */
static struct lat lat_life, lat_step[4];

static void error_sample(struct client *c, int status, const char *body, size_t blen)
{
    n_errors++;
    if (n_errors <= MAX_ERROR_SAMPLES)
        fprintf(stderr, "lifecycle: client %d (window %lld): %s%s%lld answered %d: %.*s\n",
                (int)(c - clients), (long long)c->window_id, step_name[c->st],
                c->st == ST_START || c->st == ST_FINISH ? " of ticket " : "",
                (long long)(c->st == ST_START || c->st == ST_FINISH ? c->ticket_id : 0), status,
                (int)(blen > 400 ? 400 : blen), body ? body : "");
}

static void client_kill(struct client *c)
{
    conn_kill(&c->conn);
    c->st = ST_DEAD;
}

/* drv.fail */
static void client_fail(struct drv_conn *conn, int status, const char *body, size_t blen)
{
    struct client *c = (struct client *)conn;
    error_sample(c, status, body, blen);
    client_kill(c);
}

/* compose and send the request of c's current step (drv.send) */
static void client_send(struct drv_conn *conn, double t)
{
    struct client *c = (struct client *)conn;
    char path[128];
    const char *body = "";
    char bodybuf[64];
    switch (c->st) {
    case ST_ISSUE:
        snprintf(path, sizeof(path), "/api/halls/%lld/tickets", (long long)hall_id);
        snprintf(bodybuf, sizeof(bodybuf), "{\"series_id\":%lld}", (long long)c->series_id);
        body = bodybuf;
        c->t_life0 = t;
        break;
    case ST_CALL:
        snprintf(path, sizeof(path), "/api/windows/%lld/call-next", (long long)c->window_id);
        break;
    case ST_START:
        snprintf(path, sizeof(path), "/api/tickets/%lld/start", (long long)c->ticket_id);
        break;
    case ST_FINISH:
        snprintf(path, sizeof(path), "/api/tickets/%lld/finish", (long long)c->ticket_id);
        break;
    default:
        return;
    }
    conn_post(&c->conn, path, body, t);
}

/* the value of the top-level member "id" of a JSON object, or -1 */
static int64_t json_top_id(const char *p, size_t n)
{
    int depth = 0;
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
                return -1;
            if (depth == 1 && i - s == 2 && p[s] == 'i' && p[s + 1] == 'd') {
                size_t j = i + 1;
                while (j < n && (p[j] == ' ' || p[j] == ':'))
                    j++;
                if (j < n && p[j] >= '0' && p[j] <= '9')
                    return strtoll(p + j, NULL, 10);
            }
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        }
    }
    return -1;
}

/* one complete answer for c: status, body; advance the state machine (drv.answer) */
static void client_answer(struct drv_conn *conn, int status, const char *body, size_t blen,
                          double t)
{
    struct client *c = (struct client *)conn;
    enum step st = c->st;
    if (st <= ST_FINISH && in_measure(t))
        lat_add(&lat_step[st], t - c->conn.t_req0);
    switch (st) {
    case ST_ISSUE:
        if (status != 201) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        c->issued_id = json_top_id(body, blen);
        n_issued_total++;
        c->st = ST_CALL;
        break;
    case ST_CALL:
        if (status == 404) { /* nobody waiting: try again */
            n_empty++;
            if (++c->empty_calls > MAX_EMPTY_CALLS) {
                error_sample(c, status, body, blen);
                client_kill(c);
                return;
            }
            break;
        }
        if (status != 200 || (c->ticket_id = json_top_id(body, blen)) <= 0) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        c->empty_calls = 0;
        n_calls++;
        if (c->ticket_id == c->issued_id)
            n_own++;
        c->st = ST_START;
        break;
    case ST_START:
        if (status != 200) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        c->st = ST_FINISH;
        break;
    case ST_FINISH:
        if (status != 200) {
            error_sample(c, status, body, blen);
            client_kill(c);
            return;
        }
        n_finished_total++;
        if (drv_lifecycle_done(&c->conn, c->t_life0, t, &n_lifecycles, &lat_life)) {
            c->st = ST_IDLE; /* done: no new lifecycle after the measured run */
            return;
        }
        c->st = ST_ISSUE;
        break;
    default:
        return;
    }
    client_send(&c->conn, t);
}

/* one line of the clients file (drv_load_clients) */
static struct drv_conn *take_client(char **f, const char *file)
{
    struct client *c = &clients[nclients++];
    c->window_id = strtoll(f[0], NULL, 10);
    c->series_id = strtoll(f[1], NULL, 10);
    if (c->window_id <= 0 || c->series_id <= 0)
        die("bad window or series id in %s", file);
    return &c->conn;
}

static void usage(void)
{
    fprintf(stderr, "usage: lifecycle --port P --hall H --clients FILE "
                    "[--host 127.0.0.1] [--seconds 10] [--warmup 2] [--progress]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    struct drv_opts o = DRV_OPTS_DEFAULT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int took = drv_opt(&o, a, v);
        if (took < 0 || (took == 0 && !v))
            usage();
        if (took > 0) {
            i += took - 1;
            continue;
        }
        if (strcmp(a, "--hall") == 0)
            hall_id = strtoll(v, NULL, 10);
        else
            usage();
        i++;
    }
    if (o.port <= 0 || hall_id <= 0 || !o.file || o.seconds <= 0 || o.warmup < 0)
        usage();
    drv_target(o.host, o.port);
    clients = calloc(DRV_MAX_CLIENTS, sizeof(*clients));
    if (!clients)
        die("%s", "out of memory");
    drv_load_clients(o.file, 4, "WINDOW_ID<TAB>SERIES_ID<TAB>COOKIE<TAB>CSRF", take_client);
    drv.send = client_send;
    drv.answer = client_answer;
    drv.fail = client_fail;
    drv_open(o.host);
    double cpu = drv_run(o.warmup, o.seconds, o.progress, "finished", &n_lifecycles, &n_errors);
    int dead = drv_close_all("mid-lifecycle");
    double seconds = o.seconds;

    double p50 = lat_pct(&lat_life, 50), p99 = lat_pct(&lat_life, 99), mx = lat_pct(&lat_life, 100);
    printf("lifecycles=%ld seconds=%.2f ops_per_s=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "requests=%ld errors=%ld empty_calls=%ld own_ticket_pct=%.1f issue_p99_ms=%.3f "
           "call_p99_ms=%.3f start_p99_ms=%.3f finish_p99_ms=%.3f clients=%d "
           "driver_cpu_pct=%.1f reconnects=%ld issued_total=%ld finished_total=%ld\n",
           n_lifecycles, seconds, (double)n_lifecycles / seconds, p50, p99, mx, drv.n_requests,
           n_errors, n_empty, n_calls ? 100.0 * (double)n_own / (double)n_calls : 0.0,
           lat_pct(&lat_step[ST_ISSUE], 99), lat_pct(&lat_step[ST_CALL], 99),
           lat_pct(&lat_step[ST_START], 99), lat_pct(&lat_step[ST_FINISH], 99), nclients,
           100.0 * cpu / seconds, drv.n_reconnects, n_issued_total, n_finished_total);
    return n_errors || dead ? 2 : 0;
}

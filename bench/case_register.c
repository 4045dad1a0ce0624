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
#define DRV_NAME "case_register"
#include "drv.h"

#define MAX_ERROR_SAMPLES 8
#define ITEM_MAX 64
#define MATERIALS_MAX 60

enum step { ST_REGISTER, ST_ACCEPT, ST_IDLE, ST_DEAD };
static const char *const step_name[] = {"register", "accept", "idle", "dead"};

struct client {
    struct drv_conn conn; /* first: the loop's callbacks get &conn */
    int64_t staff_id;
    enum step st;
    int64_t case_id;
    double t_life0;
};

static struct client *clients;
static int nclients;
/* the start of every register body: {"item_code":ITEM,"materials":[IDS], */
static char body_head[ITEM_MAX + MATERIALS_MAX * 21 + 64];
static uint64_t phone_seq;

static long n_lifecycles, n_errors;
static long n_registered_total, n_accepted_total; /* warm-up and drain included */
static struct lat lat_life, lat_step[2];

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

/* a valid mainland mobile number, different on every call: 1[3-9] + 9 digits */
static void next_phone(char out[12])
{
    uint64_t n = phone_seq++;
    snprintf(out, 12, "1%d%09llu", 3 + (int)(n % 7), (unsigned long long)((n / 7) % 1000000000u));
}

/* compose and send the request of c's current step (drv.send) */
static void client_send(struct drv_conn *conn, double t)
{
    struct client *c = (struct client *)conn;
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
    conn_post(&c->conn, path, body, t);
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

/* one complete answer for c: status, body; advance the state machine (drv.answer) */
static void client_answer(struct drv_conn *conn, int status, const char *body, size_t blen,
                          double t)
{
    struct client *c = (struct client *)conn;
    enum step st = c->st;
    if (st <= ST_ACCEPT && in_measure(t))
        lat_add(&lat_step[st], t - c->conn.t_req0);
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
        if (drv_lifecycle_done(&c->conn, c->t_life0, t, &n_lifecycles, &lat_life)) {
            c->st = ST_IDLE; /* done: no new case after the measured run */
            return;
        }
        c->st = ST_REGISTER;
        break;
    }
    default:
        return;
    }
    client_send(&c->conn, t);
}

/* one line of the clients file (drv_load_clients) */
static struct drv_conn *take_client(char **f, const char *file)
{
    struct client *c = &clients[nclients++];
    c->staff_id = strtoll(f[0], NULL, 10);
    if (c->staff_id <= 0)
        die("bad staff id in %s", file);
    return &c->conn;
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
    struct drv_opts o = DRV_OPTS_DEFAULT;
    const char *item = NULL, *materials = "";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int took = drv_opt(&o, a, v);
        if (took < 0 || (took == 0 && !v))
            usage();
        if (took > 0) {
            i += took - 1;
            continue;
        }
        if (strcmp(a, "--item") == 0)
            item = v;
        else if (strcmp(a, "--materials") == 0)
            materials = v;
        else
            usage();
        i++;
    }
    if (o.port <= 0 || !o.file || !item || o.seconds <= 0 || o.warmup < 0)
        usage();
    make_body_head(item, materials);
    drv_target(o.host, o.port);
    clients = calloc(DRV_MAX_CLIENTS, sizeof(*clients));
    if (!clients)
        die("%s", "out of memory");
    drv_load_clients(o.file, 3, "STAFF_ID<TAB>COOKIE<TAB>CSRF", take_client);
    drv.send = client_send;
    drv.answer = client_answer;
    drv.fail = client_fail;
    drv_open(o.host);
    double cpu = drv_run(o.warmup, o.seconds, o.progress, "accepted", &n_lifecycles, &n_errors);
    int dead = drv_close_all("mid-case");
    double seconds = o.seconds;

    double p50 = lat_pct(&lat_life, 50), p99 = lat_pct(&lat_life, 99), mx = lat_pct(&lat_life, 100);
    printf("lifecycles=%ld seconds=%.2f ops_per_s=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "requests=%ld errors=%ld register_p50_ms=%.3f register_p99_ms=%.3f "
           "accept_p50_ms=%.3f accept_p99_ms=%.3f clients=%d driver_cpu_pct=%.1f reconnects=%ld "
           "registered_total=%ld accepted_total=%ld\n",
           n_lifecycles, seconds, (double)n_lifecycles / seconds, p50, p99, mx, drv.n_requests,
           n_errors, lat_pct(&lat_step[ST_REGISTER], 50), lat_pct(&lat_step[ST_REGISTER], 99),
           lat_pct(&lat_step[ST_ACCEPT], 50), lat_pct(&lat_step[ST_ACCEPT], 99), nclients,
           100.0 * cpu / seconds, drv.n_reconnects, n_registered_total, n_accepted_total);
    return n_errors || dead ? 2 : 0;
}

/* eval_submit - load driver for the evaluation_submit bench case.
 *
 * CLIENTS citizens' phones, each one keep-alive HTTP/1.1 connection, no
 * login, submitting evaluations by the token of a finished service, each
 * token once:
 *
 *   POST /api/public/evaluations {"token":T,"level":L,"dims":{...},
 *                                 "reasons":[...] (levels 1-2),"device":D}
 *                                                    201, the evaluation's id
 *
 * L: 5 mostly, 4 for 8 %, 3 for 3 %, 2 for 1.8 %, 1 for 1.2 % (3 % 差评, each
 * with one or two reason codes of the region's list); a score 1..5 for every
 * indicator of the current offline set; D: the phone's browser id (32 hex
 * digits, one per client). The answer comes after the commit (the server
 * answers writes after the commit), so every 201 is a durable evaluation; its
 * id is kept, and written to IDS_FILE at the end so the bench can check every
 * one is in the database.
 *
 * One epoll loop, no threads. Runs WARMUP s (not counted), then SECONDS s
 * (counted); then the requests under way are answered (max 10 s) and no new
 * one is sent. When the tokens run out every client stops (tokens_left=0 in
 * the result: the run counted less than SECONDS; give more tokens). The
 * result goes to stdout as one line of key=value pairs:
 *
 *   evaluations=N seconds=S ops_per_s=X p50_ms=.. p99_ms=.. max_ms=.. requests=N
 *   errors=N clients=N driver_cpu_pct=.. reconnects=N created_total=N bad_total=N
 *   tokens_used=N tokens_left=N
 *
 * created_total counts the warm-up and the drain too (= the ids written).
 * Unexpected answers are errors: the first few are printed to stderr (status,
 * body) and that client stops. Exit status: 0 ok, 1 usage/setup, 2 errors
 * seen.
 *
 * Usage: eval_submit --port P --tokens FILE --clients N --dims CODE,CODE,...
 *                    --reasons CODE,CODE,... [--ids IDS_FILE] [--host 127.0.0.1]
 *                    [--seconds 10] [--warmup 2] [--progress]
 * FILE: one token per line.
 */
#define DRV_NAME "eval_submit"
#include "drv.h"

#define MAX_ERROR_SAMPLES 8
#define CODES_MAX 32
#define CODE_LEN 32
#define TOKEN_LEN 64

struct client {
    struct drv_conn conn; /* first: the loop's callbacks get &conn */
    char device[33];
    int level;
};

static struct client *clients;
static int nclients;
static char (*tokens)[TOKEN_LEN];
static long ntokens, next_token;
static double t_exhausted; /* when the last token was taken, 0 not yet */
static char dims[CODES_MAX][CODE_LEN], reasons[CODES_MAX][CODE_LEN];
static int ndims, nreasons;

static long n_evaluations, n_errors, n_created_total, n_bad_total;
static int64_t *ids;
static size_t nids, ids_cap;
static struct lat lat_req;

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rnd_below(int n)
{
    return n > 0 ? (int)(rnd() % (uint64_t)n) : 0;
}

static void error_sample(struct client *c, int status, const char *body, size_t blen)
{
    n_errors++;
    if (n_errors > MAX_ERROR_SAMPLES)
        return;
    fprintf(stderr, "eval_submit: client %d: POST /api/public/evaluations answered %d: %.*s\n",
            (int)(c - clients), status, (int)(blen > 400 ? 400 : blen), body ? body : "");
}

/* drv.fail */
static void client_fail(struct drv_conn *conn, int status, const char *body, size_t blen)
{
    struct client *c = (struct client *)conn;
    error_sample(c, status, body, blen);
    conn_kill(&c->conn);
}

/* a POST without session (the public form): into c's buffer and sent */
static void post_public(struct client *c, const char *body, double t)
{
    size_t blen = strlen(body);
    int n = snprintf(c->conn.out, sizeof(c->conn.out),
                     "POST /api/public/evaluations HTTP/1.1\r\nHost: %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     host_hdr, blen, body);
    if (n < 0 || (size_t)n >= sizeof(c->conn.out))
        die("%s", "request too long");
    c->conn.out_len = (size_t)n;
    c->conn.out_off = 0;
    c->conn.t_req0 = t;
    drv.n_requests++;
    conn_flush(&c->conn);
}

static int pick_level(void)
{
    int r = rnd_below(1000);
    return r < 12 ? 1 : r < 30 ? 2 : r < 60 ? 3 : r < 140 ? 4 : 5;
}

/* the next evaluation of c (drv.send); with no token left the client stops */
static void client_send(struct drv_conn *conn, double t)
{
    struct client *c = (struct client *)conn;
    if (next_token >= ntokens) {
        if (t_exhausted == 0)
            t_exhausted = t;
        conn_close(&c->conn);
        return;
    }
    const char *token = tokens[next_token++];
    char body[1024];
    int level = pick_level();
    c->level = level;
    size_t len =
        (size_t)snprintf(body, sizeof(body), "{\"token\":\"%s\",\"level\":%d", token, level);
    if (ndims) {
        len += (size_t)snprintf(body + len, sizeof(body) - len, ",\"dims\":{");
        for (int i = 0; i < ndims; i++) {
            int v = level + rnd_below(3) - 1;
            v = v < 1 ? 1 : v > 5 ? 5 : v;
            len += (size_t)snprintf(body + len, sizeof(body) - len, "%s\"%s\":%d", i ? "," : "",
                                    dims[i], v);
        }
        len += (size_t)snprintf(body + len, sizeof(body) - len, "}");
    }
    if (level <= 2) {
        int a = rnd_below(nreasons), b = rnd_below(nreasons);
        if (a != b && rnd_below(3) == 0)
            len += (size_t)snprintf(body + len, sizeof(body) - len, ",\"reasons\":[\"%s\",\"%s\"]",
                                    reasons[a], reasons[b]);
        else
            len += (size_t)snprintf(body + len, sizeof(body) - len, ",\"reasons\":[\"%s\"]",
                                    reasons[a]);
    }
    len += (size_t)snprintf(body + len, sizeof(body) - len, ",\"device\":\"%s\"}", c->device);
    if (len >= sizeof(body))
        die("%s", "request body too long");
    post_public(c, body, t);
}

/* the top-level "id" of a JSON object answer, -1 when none */
static int64_t answer_id(const char *p, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            depth--;
        } else if (ch == '"') {
            size_t s = ++i;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\')
                    i++;
                i++;
            }
            if (i >= n)
                return -1;
            if (depth == 1 && i - s == 2 && memcmp(p + s, "id", 2) == 0 && i + 2 < n &&
                p[i + 1] == ':') {
                const char *v = p + i + 2;
                while (*v == ' ')
                    v++;
                return *v >= '0' && *v <= '9' ? strtoll(v, NULL, 10) : -1;
            }
        }
    }
    return -1;
}

static void keep_id(int64_t id)
{
    if (nids == ids_cap) {
        size_t cap = ids_cap ? ids_cap * 2 : 65536;
        int64_t *n = realloc(ids, cap * sizeof(*n));
        if (!n)
            die("%s", "out of memory");
        ids = n;
        ids_cap = cap;
    }
    ids[nids++] = id;
}

/* one complete answer for c (drv.answer) */
static void client_answer(struct drv_conn *conn, int status, const char *body, size_t blen,
                          double t)
{
    struct client *c = (struct client *)conn;
    int64_t id = status == 201 ? answer_id(body, blen) : -1;
    if (id <= 0) {
        error_sample(c, status, body, blen);
        conn_kill(&c->conn);
        return;
    }
    keep_id(id);
    n_created_total++;
    n_bad_total += c->level <= 2;
    if (in_measure(t)) {
        n_evaluations++;
        lat_add(&lat_req, t - c->conn.t_req0);
    }
    if (drv.stopping) {
        conn_close(&c->conn);
        return;
    }
    client_send(&c->conn, t);
}

/* "a,b,c" into out[CODES_MAX][CODE_LEN]; the count */
static int split_codes(const char *list, char out[][CODE_LEN], const char *what)
{
    int n = 0;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= CODE_LEN || n >= CODES_MAX)
            die("bad --%s %s", what, list);
        for (size_t i = 0; i < len; i++)
            if (p[i] == '"' || p[i] == '\\')
                die("bad --%s %s", what, list);
        memcpy(out[n], p, len);
        out[n++][len] = '\0';
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

static void load_tokens(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        die("cannot open %s", file);
    size_t cap = 0;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (strlen(line) >= TOKEN_LEN || strpbrk(line, "\"\\"))
            die("bad token in %s", file);
        if ((size_t)ntokens == cap) {
            cap = cap ? cap * 2 : 65536;
            char(*n)[TOKEN_LEN] = realloc(tokens, cap * TOKEN_LEN);
            if (!n)
                die("%s", "out of memory");
            tokens = n;
        }
        snprintf(tokens[ntokens++], TOKEN_LEN, "%s", line);
    }
    fclose(f);
    if (ntokens == 0)
        die("no tokens in %s", file);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: eval_submit --port P --tokens FILE --clients N --dims CODE,... --reasons"
            " CODE,...\n"
            "                   [--ids FILE] [--host 127.0.0.1] [--seconds 10] [--warmup 2]"
            " [--progress]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    struct drv_opts o = DRV_OPTS_DEFAULT;
    const char *token_file = NULL, *ids_file = NULL, *dim_list = NULL, *reason_list = NULL;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!a)
            usage();
        if (strcmp(a, "--clients") == 0 && v) { /* a count here, not a file */
            n = atoi(v);
            i++;
            continue;
        }
        int took = drv_opt(&o, a, v);
        if (took < 0 || (took == 0 && !v))
            usage();
        if (took > 0) {
            i += took - 1;
            continue;
        }
        if (strcmp(a, "--tokens") == 0)
            token_file = v;
        else if (strcmp(a, "--ids") == 0)
            ids_file = v;
        else if (strcmp(a, "--dims") == 0)
            dim_list = v;
        else if (strcmp(a, "--reasons") == 0)
            reason_list = v;
        else
            usage();
        i++;
    }
    if (o.port <= 0 || !token_file || !dim_list || !reason_list || n < 1 || n > DRV_MAX_CLIENTS ||
        o.seconds <= 0 || o.warmup < 0)
        usage();
    ndims = split_codes(dim_list, dims, "dims");
    nreasons = split_codes(reason_list, reasons, "reasons");
    if (nreasons == 0)
        die("%s", "--reasons: a 差评 needs at least one reason code");
    load_tokens(token_file);
    drv_target(o.host, o.port);
    clients = calloc((size_t)n, sizeof(*clients));
    drv.conns = calloc((size_t)n, sizeof(struct drv_conn *));
    if (!clients || !drv.conns)
        die("%s", "out of memory");
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        struct client *c = &clients[i];
        for (int k = 0; k < 32; k++)
            c->device[k] = digits[rnd() & 15];
        c->conn.fd = -1;
        drv.conns[i] = &c->conn;
    }
    nclients = drv.nconns = n;
    drv.send = client_send;
    drv.answer = client_answer;
    drv.fail = client_fail;
    drv_open(o.host);
    double cpu = drv_run(o.warmup, o.seconds, o.progress, "evaluations", &n_evaluations, &n_errors);
    int dead = drv_close_all("waiting for an answer");
    double seconds = o.seconds;
    if (t_exhausted > 0 && t_exhausted < drv.t_measure1) {
        seconds = t_exhausted - drv.t_measure0;
        warn("the tokens ran out %.1f s into the measured run: give more", seconds);
        if (seconds <= 0)
            die("%s", "the tokens ran out before the measured run");
    }

    if (ids_file) {
        FILE *f = fopen(ids_file, "w");
        if (!f)
            die("cannot write %s", ids_file);
        for (size_t i = 0; i < nids; i++)
            fprintf(f, "%lld\n", (long long)ids[i]);
        if (fclose(f) != 0)
            die("cannot write %s", ids_file);
    }
    double p50 = lat_pct(&lat_req, 50), p99 = lat_pct(&lat_req, 99), mx = lat_pct(&lat_req, 100);
    printf("evaluations=%ld seconds=%.2f ops_per_s=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
           " requests=%ld errors=%ld clients=%d driver_cpu_pct=%.1f reconnects=%ld"
           " created_total=%ld bad_total=%ld tokens_used=%ld tokens_left=%ld\n",
           n_evaluations, seconds, (double)n_evaluations / seconds, p50, p99, mx, drv.n_requests,
           n_errors, nclients, 100.0 * cpu / seconds, drv.n_reconnects, n_created_total,
           n_bad_total, next_token, ntokens - next_token);
    return n_errors || dead ? 2 : 0;
}

/* score_event - the rescore_event bench case's driver: how long after a new
 * event a subject's live score and rank show it.
 *
 * Before: the month's live results of both cards (GET /api/scores?card_id=
 * &period=, every row), kept as the subjects' scores; every row's rank must be
 * 1 + the number of higher scores (ties share a rank).
 *
 * Then EVENTS times each, one at a time, alternating:
 *  - a manual deduction: POST /api/score-events {kind, subject_id, type, day
 *    (today), qty 1, evidence} as the first user (201, pending), then POST
 *    /api/score-events/{id}/confirm {} as the second user (200). The clock
 *    starts when the confirm is sent. The subject is a window (even events)
 *    or a staff member (odd ones) of the tokens file's services;
 *  - an evaluation: POST /api/public/evaluations {token, level 1, reasons,
 *    dims} for an open service (the tokens file: "TOKEN WINDOW STAFF CHIEF"),
 *    201. The clock starts when it is sent.
 * and polls GET /api/scores/subject?kind=&id= (every --poll-us) for each
 * subject the event changes - the window or the staff member of a manual
 * event (and the window's chief with --chief-loss, whose staff card reads
 * chief_loss), the window and the staff member of an evaluation - until its
 * live row shows a lower score than before AND the rank that score has among
 * the other subjects' scores (1 + the number of higher ones). The latency is
 * the time until the last subject shows both. A subject whose item the event
 * lowers has no value left before it (its drill-down, read first: a
 * satisfaction below the scale's zero, an item already deducted to 0) keeps
 * its score: it is not waited for (`unobservable`), and an event with no
 * subject left to wait for is not timed (`skipped`). A subject not updated within
 * --timeout-ms counts as a timeout (an error). The new scores are kept for
 * the next events.
 *
 * Prints one line on stdout:
 *   events=N manual=N evals=N p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 *   manual_p50_ms=.. manual_p99_ms=.. eval_p50_ms=.. eval_p99_ms=..
 *   confirm_p50_ms=.. submit_p50_ms=.. exact=N timeouts=N errors=N
 *   windows=N staff=N unobservable=N skipped=N
 * exact: manual deductions whose subject lost exactly --per points. Exit
 * status 0, 2 when any event timed out or answered unexpectedly, 1 on a
 * failure before the events.
 *
 * Usage: score_event --port P --tokens FILE --cookie1 C --csrf1 X --cookie2 C
 *          --csrf2 X --wcard ID --scard ID --period YYYY-MM [--events 50]
 *          [--type absent_half_day] [--per 3] [--chief-loss 0|1]
 *          [--timeout-ms 5000] [--poll-us 1000]
 */
#define DRV_NAME "score_event"
#include <math.h>

#include <jansson.h>

#include "drv.h"

#define MAX_TOKENS 10000

/* ---- a blocking keep-alive HTTP client ---- */

static int conn_fd = -1;
static char *rbuf;
static size_t rcap;

struct answer {
    int status;
    json_t *json; /* NULL when not JSON */
    char text[512];
};

static int http_once(const char *req, size_t reqlen, struct answer *a)
{
    if (conn_fd < 0 && (conn_fd = tcp_connect()) < 0)
        return -1;
    if (write_all(conn_fd, req, reqlen) < 0)
        return -1;
    size_t len = 0;
    struct http_head h;
    for (;;) {
        if (len + 65536 > rcap) {
            rcap = rcap ? rcap * 2 : 1 << 20;
            char *nb = realloc(rbuf, rcap);
            if (!nb)
                die("%s", "out of memory");
            rbuf = nb;
        }
        ssize_t n = read(conn_fd, rbuf + len, rcap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
        int hr = http_head(rbuf, len, &h);
        if (hr < 0)
            die("%s", "not an HTTP answer");
        if (hr == 0)
            continue;
        if (h.chunked || h.clen < 0)
            die("%s", "an answer without Content-Length");
        if (len >= h.hlen + (size_t)h.clen)
            break;
    }
    a->status = h.status;
    const char *body = rbuf + h.hlen;
    snprintf(a->text, sizeof(a->text), "%.*s", (int)(h.clen < 400 ? h.clen : 400), body);
    a->json = json_loadb(body, (size_t)h.clen, 0, NULL);
    if (h.close_after) {
        close(conn_fd);
        conn_fd = -1;
    }
    return 0;
}

/* method path [body] as cookie/csrf (NULL: no session) */
static void http(const char *method, const char *path, const char *cookie, const char *csrf,
                 const char *body, struct answer *a)
{
    static char req[8192];
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(req, sizeof(req),
                     "%s %s HTTP/1.1\r\nHost: %s\r\n%s%s%s%s%s%s%sContent-Length: %zu\r\n\r\n%s",
                     method, path, host_hdr, cookie ? "Cookie: " : "", cookie ? cookie : "",
                     cookie ? "\r\n" : "", csrf ? "X-CSRF-Token: " : "", csrf ? csrf : "",
                     csrf ? "\r\n" : "", blen ? "Content-Type: application/json\r\n" : "", blen,
                     body ? body : "");
    if (n < 0 || (size_t)n >= sizeof(req))
        die("request too long: %s %s", method, path);
    memset(a, 0, sizeof(*a));
    for (int attempt = 0; attempt < 2; attempt++) {
        if (http_once(req, (size_t)n, a) == 0)
            return;
        if (conn_fd >= 0)
            close(conn_fd);
        conn_fd = -1;
    }
    die("%s %s: no answer", method, path);
}

static void answer_free(struct answer *a)
{
    json_decref(a->json);
    a->json = NULL;
}

/* ---- scores ---- */

struct board {
    const char *kind;
    int64_t max_id;
    int64_t *score;  /* hundredths by subject id; INT64_MIN when not ranked */
    int64_t *sorted; /* every score, descending */
    int n;
};

static int64_t hundredths(json_t *v)
{
    return (int64_t)llround(json_number_value(v) * 100.0);
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x > y ? -1 : x < y;
}

/* 1 + the number of scores above s among the others (the subject's own old
 * score `own` left out) */
static int rank_of(const struct board *b, int64_t s, int64_t own)
{
    int lo = 0, hi = b->n; /* first index with score <= s */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (b->sorted[mid] > s)
            lo = mid + 1;
        else
            hi = mid;
    }
    int above = lo;
    if (own != INT64_MIN && own > s)
        above--;
    return above + 1;
}

static void board_set(struct board *b, int64_t id, int64_t s)
{
    int64_t old = b->score[id];
    b->score[id] = s;
    /* replace old by s in the sorted array */
    int i = 0;
    while (i < b->n && b->sorted[i] != old)
        i++;
    if (i == b->n)
        die("%s %lld: score not on the board", b->kind, (long long)id);
    b->sorted[i] = s;
    qsort(b->sorted, (size_t)b->n, sizeof(*b->sorted), cmp_desc);
}

static void board_load(struct board *b, const char *kind, int64_t card, const char *period,
                       const char *cookie)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/scores?card_id=%lld&period=%s", (long long)card, period);
    struct answer a;
    http("GET", path, cookie, NULL, NULL, &a);
    json_t *items = a.json ? json_object_get(a.json, "items") : NULL;
    if (a.status != 200 || !json_is_array(items))
        die("GET %s: %d %s", path, a.status, a.text);
    b->kind = kind;
    b->n = (int)json_array_size(items);
    if (b->n == 0)
        die("GET %s: no rows", path);
    size_t i;
    json_t *row;
    b->max_id = 0;
    json_array_foreach(items, i, row)
    {
        int64_t id = json_integer_value(json_object_get(row, "subject_id"));
        if (id > b->max_id)
            b->max_id = id;
    }
    b->score = malloc(sizeof(int64_t) * (size_t)(b->max_id + 1));
    b->sorted = malloc(sizeof(int64_t) * (size_t)b->n);
    if (!b->score || !b->sorted)
        die("%s", "out of memory");
    for (int64_t k = 0; k <= b->max_id; k++)
        b->score[k] = INT64_MIN;
    json_array_foreach(items, i, row)
    {
        int64_t id = json_integer_value(json_object_get(row, "subject_id"));
        b->score[id] = hundredths(json_object_get(row, "score"));
        b->sorted[i] = b->score[id];
    }
    qsort(b->sorted, (size_t)b->n, sizeof(*b->sorted), cmp_desc);
    int bad = 0;
    json_array_foreach(items, i, row)
    {
        int64_t id = json_integer_value(json_object_get(row, "subject_id"));
        int rank = (int)json_integer_value(json_object_get(row, "rank"));
        if (rank != rank_of(b, b->score[id], INT64_MIN) && bad++ < 5)
            warn("%s %lld: rank %d, but %d scores are above its %.2f", kind, (long long)id, rank,
                 rank_of(b, b->score[id], INT64_MIN) - 1, (double)b->score[id] / 100.0);
    }
    if (bad)
        die("GET %s: %d rows whose rank is not 1 + the number of higher scores", path, bad);
    answer_free(&a);
    fprintf(stderr, "score_event: %s card %lld, %s: %d subjects ranked, best %.2f, worst %.2f\n",
            kind, (long long)card, period, b->n, (double)b->sorted[0] / 100.0,
            (double)b->sorted[b->n - 1] / 100.0);
}

static struct board wboard, sboard;
static const char *admin_cookie;

/* the live row of kind/id: its score (hundredths) and rank; 0 when none */
static int live_row(const char *kind, int64_t id, int64_t *score, int *rank)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/scores/subject?kind=%s&id=%lld", kind, (long long)id);
    struct answer a;
    http("GET", path, admin_cookie, NULL, NULL, &a);
    if (a.status != 200 || !a.json)
        die("GET %s: %d %s", path, a.status, a.text);
    json_t *live = json_object_get(a.json, "live");
    int ok = json_is_object(live) && json_is_number(json_object_get(live, "score")) &&
             json_is_integer(json_object_get(live, "rank"));
    if (ok) {
        *score = hundredths(json_object_get(live, "score"));
        *rank = (int)json_integer_value(json_object_get(live, "rank"));
    }
    answer_free(&a);
    return ok;
}

struct watch {
    struct board *b;
    int64_t id, before; /* score before the event */
    int done, observable;
    int64_t after, seen; /* the score shown; the last one seen */
    int seen_rank;
};

/* poll the watched subjects until each shows a lower score and its rank;
 * seconds from t0, or -1 on a timeout */
static double wait_for(struct watch *w, int n, double t0, double timeout_s, long poll_us)
{
    for (;;) {
        int left = 0;
        for (int i = 0; i < n; i++) {
            if (w[i].done)
                continue;
            int64_t s = 0;
            int rank = 0;
            int live = live_row(w[i].b->kind, w[i].id, &s, &rank);
            w[i].seen = live ? s : INT64_MIN;
            w[i].seen_rank = rank;
            if (live && s < w[i].before && rank == rank_of(w[i].b, s, w[i].before)) {
                w[i].done = 1;
                w[i].after = s;
            } else {
                left++;
            }
        }
        double t = now_s();
        if (!left)
            return t - t0;
        if (t - t0 > timeout_s) {
            for (int i = 0; i < n; i++)
                if (!w[i].done)
                    warn("%s %lld: %.2f before, %.2f rank %d shown (that score's rank: %d)",
                         w[i].b->kind, (long long)w[i].id, (double)w[i].before / 100.0,
                         (double)w[i].seen / 100.0, w[i].seen_rank,
                         rank_of(w[i].b, w[i].seen, w[i].before));
            return -1;
        }
        if (poll_us > 0)
            usleep((useconds_t)poll_us);
    }
}

static int64_t wcard, scard;
static const char *period;

/* the value of the item `code` of the subject's live result (its drill-down) */
static double item_value(const struct board *b, int64_t id, const char *code)
{
    char path[192];
    snprintf(path, sizeof(path),
             "/api/scores/detail?card_id=%lld&period=%s&kind=%s&subject_id=%lld",
             (long long)(b == &wboard ? wcard : scard), period, b->kind, (long long)id);
    struct answer a;
    http("GET", path, admin_cookie, NULL, NULL, &a);
    json_t *items = a.json ? json_object_get(a.json, "items") : NULL, *it;
    if (a.status != 200 || !json_is_array(items))
        die("GET %s: %d %s", path, a.status, a.text);
    double v = -1;
    size_t k;
    json_array_foreach(items, k, it)
    {
        const char *c = json_string_value(json_object_get(it, "code"));
        if (c && strcmp(c, code) == 0)
            v = json_number_value(json_object_get(it, "value"));
    }
    answer_free(&a);
    if (v < 0)
        die("GET %s: no item %s", path, code);
    return v;
}

static int unobservable;

/* watch kind/id, whose item `code` the event lowers: when that item has no
 * value left (a satisfaction below the scale's zero, every point of the item
 * already deducted) the event cannot lower the score, and the subject is not
 * waited for */
static void watch_init(struct watch *w, struct board *b, int64_t id, const char *code)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->id = id;
    if (id < 0 || id > b->max_id || b->score[id] == INT64_MIN)
        die("%s %lld is not on the board", b->kind, (long long)id);
    int64_t s;
    int rank;
    if (!live_row(b->kind, id, &s, &rank))
        die("%s %lld: no live row", b->kind, (long long)id);
    if (s != b->score[id] || rank != rank_of(b, s, INT64_MIN))
        die("%s %lld: live %.2f rank %d, the board %.2f rank %d", b->kind, (long long)id,
            (double)s / 100.0, rank, (double)b->score[id] / 100.0,
            rank_of(b, b->score[id], INT64_MIN));
    w->before = w->after = s;
    w->observable = item_value(b, id, code) >= 0.005;
    if (!w->observable) {
        w->done = 1;
        unobservable++;
        fprintf(stderr, "score_event: %s %lld: item %s has no value left, not waited for\n",
                b->kind, (long long)id, code);
    }
}

static int observed(const struct watch *w, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += w[i].observable;
    return k;
}

static void watch_keep(struct watch *w, int n)
{
    for (int i = 0; i < n; i++)
        if (w[i].done && w[i].after != w[i].before)
            board_set(w[i].b, w[i].id, w[i].after);
}

/* ---- main ---- */

struct token {
    char token[64];
    int64_t window, staff, chief;
};

static void usage(void)
{
    fprintf(stderr, "usage: score_event --port P --tokens FILE --cookie1 C --csrf1 X --cookie2 C"
                    " --csrf2 X --wcard ID --scard ID --period YYYY-MM [--events 50]"
                    " [--type absent_half_day] [--per 3] [--chief-loss 0|1] [--timeout-ms 5000]"
                    " [--poll-us 1000]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    const char *tokens_file = NULL, *c1 = NULL, *x1 = NULL, *c2 = NULL, *x2 = NULL,
               *type = "absent_half_day";
    int port = 0, events = 50, chief_loss = 0;
    double per = 3, timeout_ms = 5000;
    long poll_us = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--port") == 0)
            port = atoi(v);
        else if (strcmp(a, "--tokens") == 0)
            tokens_file = v;
        else if (strcmp(a, "--cookie1") == 0)
            c1 = v;
        else if (strcmp(a, "--csrf1") == 0)
            x1 = v;
        else if (strcmp(a, "--cookie2") == 0)
            c2 = v;
        else if (strcmp(a, "--csrf2") == 0)
            x2 = v;
        else if (strcmp(a, "--wcard") == 0)
            wcard = atoll(v);
        else if (strcmp(a, "--scard") == 0)
            scard = atoll(v);
        else if (strcmp(a, "--period") == 0)
            period = v;
        else if (strcmp(a, "--events") == 0)
            events = atoi(v);
        else if (strcmp(a, "--type") == 0)
            type = v;
        else if (strcmp(a, "--per") == 0)
            per = atof(v);
        else if (strcmp(a, "--chief-loss") == 0)
            chief_loss = atoi(v);
        else if (strcmp(a, "--timeout-ms") == 0)
            timeout_ms = atof(v);
        else if (strcmp(a, "--poll-us") == 0)
            poll_us = atol(v);
        else
            usage();
    }
    if (argc % 2 != 1 || !port || !tokens_file || !c1 || !x1 || !c2 || !x2 || !wcard || !scard ||
        !period || events < 1 || events > MAX_TOKENS)
        usage();
    drv_target("127.0.0.1", port);
    admin_cookie = c1;

    static struct token tokens[MAX_TOKENS];
    int nt = 0;
    FILE *f = fopen(tokens_file, "r");
    if (!f)
        die("cannot open %s", tokens_file);
    char line[256];
    while (nt < MAX_TOKENS && fgets(line, sizeof(line), f)) {
        struct token *t = &tokens[nt];
        long long w, s, c;
        if (sscanf(line, "%63s %lld %lld %lld", t->token, &w, &s, &c) == 4) {
            t->window = w;
            t->staff = s;
            t->chief = c;
            nt++;
        }
    }
    fclose(f);
    if (nt < events)
        die("%d tokens for %d evaluations", nt, events);

    board_load(&wboard, "window", wcard, period, c1);
    board_load(&sboard, "staff", scard, period, c1);

    /* today in Asia/Shanghai, the manual events' day */
    time_t now = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&now, &tm);
    char today[16];
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);

    double *all = calloc((size_t)events * 2, sizeof(double));
    double *man = calloc((size_t)events, sizeof(double));
    double *ev = calloc((size_t)events, sizeof(double));
    double *conf = calloc((size_t)events, sizeof(double));
    double *sub = calloc((size_t)events, sizeof(double));
    if (!all || !man || !ev || !conf || !sub)
        die("%s", "out of memory");
    int nall = 0, nman = 0, nev = 0, exact = 0, timeouts = 0, errors = 0, skipped = 0;
    double timeout_s = timeout_ms / 1000.0;
    for (int i = 0; i < events; i++) {
        const struct token *t = &tokens[i];
        /* a manual deduction, confirmed by the second user */
        {
            int is_window = i % 2 == 0;
            struct watch w[2];
            int nw = 1;
            watch_init(&w[0], is_window ? &wboard : &sboard, is_window ? t->window : t->staff,
                       "attendance");
            if (is_window && chief_loss && t->chief)
                watch_init(&w[nw++], &sboard, t->chief, "chief");
            char body[512], path[96];
            snprintf(body, sizeof(body),
                     "{\"kind\":\"%s\",\"subject_id\":%lld,\"type\":\"%s\",\"day\":\"%s\","
                     "\"qty\":1,\"evidence\":\"压测：考勤机记录上午未到岗（第%d条）\"}",
                     is_window ? "window" : "staff", (long long)w[0].id, type, today, i + 1);
            struct answer a;
            http("POST", "/api/score-events", c1, x1, body, &a);
            int64_t eid = a.json ? json_integer_value(json_object_get(a.json, "id")) : 0;
            if (a.status != 201 || eid <= 0)
                die("POST /api/score-events %s: %d %s", body, a.status, a.text);
            answer_free(&a);
            snprintf(path, sizeof(path), "/api/score-events/%lld/confirm", (long long)eid);
            double t0 = now_s();
            http("POST", path, c2, x2, "{}", &a);
            conf[nman] = (now_s() - t0) * 1000.0;
            int ok = a.status == 200;
            if (!ok) {
                warn("POST %s: %d %s", path, a.status, a.text);
                errors++;
            }
            answer_free(&a);
            double s = ok ? wait_for(w, nw, t0, timeout_s, poll_us) : 0;
            if (!ok) {
                /* counted as an error; the evaluation below still runs */
            } else if (!observed(w, nw)) {
                skipped++;
            } else if (s < 0) {
                warn("event %d (%s %lld): not shown within %.0f ms", i + 1, w[0].b->kind,
                     (long long)w[0].id, timeout_ms);
                timeouts++;
            } else {
                man[nman++] = all[nall++] = s * 1000.0;
                exact +=
                    w[0].observable && w[0].before - w[0].after == (int64_t)llround(per * 100.0);
            }
            watch_keep(w, nw);
        }
        /* an evaluation of the service (level 1, a 差评) */
        {
            char path[160];
            snprintf(path, sizeof(path), "/api/public/evaluations/token/%.63s", t->token);
            struct answer a;
            http("GET", path, NULL, NULL, NULL, &a);
            if (a.status != 200 || !a.json)
                die("GET /api/public/evaluations/token/…: %d %s", a.status, a.text);
            json_t *body = json_object();
            json_object_set_new(body, "token", json_string(t->token));
            json_object_set_new(body, "level", json_integer(1));
            json_t *reasons = json_object_get(a.json, "reasons"), *r = json_array();
            if (json_array_size(reasons) > 0)
                json_array_append(r, json_object_get(json_array_get(reasons, 0), "code"));
            json_object_set_new(body, "reasons", r);
            json_t *inds = json_object_get(json_object_get(a.json, "indicators"), "items"),
                   *dims = json_object(), *it;
            size_t k;
            json_array_foreach(inds, k, it)
            {
                const char *code = json_string_value(json_object_get(it, "code"));
                if (code)
                    json_object_set_new(dims, code, json_integer(1));
            }
            json_object_set_new(body, "dims", dims);
            json_object_set_new(body, "device", json_string("score-bench"));
            char *text = json_dumps(body, JSON_COMPACT);
            json_decref(body);
            answer_free(&a);
            struct watch w[2];
            watch_init(&w[0], &wboard, t->window, "public");
            watch_init(&w[1], &sboard, t->staff, "public");
            double t0 = now_s();
            http("POST", "/api/public/evaluations", NULL, NULL, text, &a);
            sub[nev] = (now_s() - t0) * 1000.0;
            free(text);
            int ok = a.status == 201;
            if (!ok) {
                warn("POST /api/public/evaluations: %d %s", a.status, a.text);
                errors++;
            }
            answer_free(&a);
            double s = ok ? wait_for(w, 2, t0, timeout_s, poll_us) : 0;
            if (!ok) {
                /* counted as an error */
            } else if (!observed(w, 2)) {
                skipped++;
            } else if (s < 0) {
                warn("evaluation %d (window %lld, staff %lld): not shown within %.0f ms", i + 1,
                     (long long)t->window, (long long)t->staff, timeout_ms);
                timeouts++;
            } else {
                ev[nev++] = all[nall++] = s * 1000.0;
            }
            watch_keep(w, 2);
        }
        fprintf(stderr, "score_event: %d: manual %.1f ms, evaluation %.1f ms\n", i + 1,
                nman ? man[nman - 1] : 0.0, nev ? ev[nev - 1] : 0.0);
    }
    qsort(all, (size_t)nall, sizeof(double), cmp_dbl);
    qsort(man, (size_t)nman, sizeof(double), cmp_dbl);
    qsort(ev, (size_t)nev, sizeof(double), cmp_dbl);
    qsort(conf, (size_t)nman, sizeof(double), cmp_dbl);
    qsort(sub, (size_t)nev, sizeof(double), cmp_dbl);
    printf("events=%d manual=%d evals=%d p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f"
           " manual_p50_ms=%.1f manual_p99_ms=%.1f eval_p50_ms=%.1f eval_p99_ms=%.1f"
           " confirm_p50_ms=%.1f submit_p50_ms=%.1f exact=%d timeouts=%d errors=%d windows=%d"
           " staff=%d unobservable=%d skipped=%d\n",
           nall, nman, nev, pct(all, (size_t)nall, 50), pct(all, (size_t)nall, 90),
           pct(all, (size_t)nall, 99), nall ? all[nall - 1] : 0.0, pct(man, (size_t)nman, 50),
           pct(man, (size_t)nman, 99), pct(ev, (size_t)nev, 50), pct(ev, (size_t)nev, 99),
           pct(conf, (size_t)nman, 50), pct(sub, (size_t)nev, 50), exact, timeouts, errors,
           wboard.n, sboard.n, unobservable, skipped);
    return timeouts || errors ? 2 : 0;
}

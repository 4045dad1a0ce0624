/* eval_tokens - the evaluation_submit bench case's setup and check, in
 * process against the release objects, on the bench's SQLite database.
 *
 *   eval_tokens seed --db sqlite:PATH --count N --out FILE
 *
 * Before the server starts: N finished services that can be evaluated, and
 * their tokens (one a line) in FILE. Issuing and finishing that many tickets
 * through HTTP would take a minute of the bench's time, so the tickets are
 * written directly - yesterday's, done, one per service, at the demo's
 * windows that have a staff member assigned, in new series "VA", "VB", …
 * ("压测评价", created with queue_series_create, 9,999 tickets each as the
 * numbering allows) with items of the catalogue - and their evaluation
 * events go through the server's own code: eval_ticket_issued (the pending
 * event, its random token and the token's SHA-256) and eval_ticket_finished
 * (the event opened: window, staff member, unit, item, ended_at at the
 * ticket's finish, expires_at a window later, the console's address). In
 * transactions of 50,000, without fsync (a scratch database, not yet served).
 * Prints "count=N windows=N halls=N series=N seconds=S".
 *
 *   eval_tokens verify --db sqlite:PATH --ids FILE
 *
 * While the server runs, on a read-only connection of its own: every id in
 * FILE (the driver's 201 answers, one a line) must be an evaluation in the
 * database. Prints "ids=N unique=N found=N rated_events=N"; exit status 2
 * when an id is missing or repeated.
 *
 * Exit status 0 ok, 1 on a failure.
 */
#define DRV_NAME "eval_tokens"
#include "drv.h"

#include "base/crypto.h"
#include "base/date.h"
#include "domain/actor.h"
#include "domain/evaluation.h"
#include "domain/queue.h"
#include "store/db.h"

#define MAX_WINDOWS 256
#define MAX_ITEMS 16
#define MAX_HALLS 16
#define TXN 50000

struct place {
    int64_t window_id, staff_id, hall_id;
    char hall_path[128];
};

struct hall_series {
    int64_t hall_id;
    int64_t series_id; /* the current one */
    int prefix_no;     /* series made so far: VA, VB, .. VZ, WA, .. */
    char prefix[3];    /* the current one's */
    int next_number;
};

static const char SQL_PLACES[] =
    "SELECT a.window_id, min(a.staff_id), w.parent_id, h.path FROM window_assignment a"
    " JOIN org_node w ON w.id = a.window_id JOIN org_node h ON h.id = w.parent_id"
    " WHERE a.ended_at IS NULL AND w.kind = 'window' AND w.active = 1"
    " GROUP BY a.window_id, w.parent_id, h.path ORDER BY a.window_id";
static const char SQL_ITEMS[] = "SELECT code, current_version_id FROM catalog_item"
                                " WHERE current_version_id IS NOT NULL AND active = 1"
                                " ORDER BY id LIMIT 16";
static const char SQL_TICKET[] =
    "INSERT INTO ticket (hall_id, service_day, series_id, number, code, queue_series_id,"
    " item_code, version_id, priority, status, channel, window_id, staff_id, issued_at,"
    " called_at, started_at, finished_at, wait_s, service_s, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?3, ?6, ?7, 0, 'done', 'kiosk', ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?11 - ?10, ?13 - ?12, ?13) RETURNING id";

static void exec_or_die(struct db *db, const char *sql)
{
    if (db_exec(db, sql) < 0)
        die("%s: %s", sql, db_errmsg(db));
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static int rnd_below(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n > 0 ? (int)(rng % (uint64_t)n) : 0;
}

/* the next series of h with numbers left (a new one when the current is full) */
static void next_series(struct db *db, const struct actor *sys, struct hall_series *h, int64_t now)
{
    if (h->series_id && h->next_number <= QUEUE_NUMBER_MAX)
        return;
    if (h->prefix_no >= 4 * 26)
        die("%s", "too many tokens for the series VA..YZ of one hall");
    h->prefix[0] = (char)('V' + h->prefix_no / 26);
    h->prefix[1] = (char)('A' + h->prefix_no % 26);
    h->prefix[2] = '\0';
    char name[32];
    snprintf(name, sizeof(name), "压测评价%s", h->prefix);
    struct err e = {0};
    if (queue_series_create(db, sys, h->hall_id, h->prefix, name, NULL, 0, now, &h->series_id, &e) <
        0)
        die("series %s in hall %lld: %s", h->prefix, (long long)h->hall_id, e.msg);
    h->prefix_no++;
    h->next_number = 1;
}

static int cmd_seed(const char *url, long count, const char *out_file)
{
    char errbuf[256];
    struct db *db = NULL;
    if (crypto_init() < 0)
        die("%s", "crypto_init failed");
    if (db_open(url, 0, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    /* a scratch database nobody serves yet: no fsync while loading, and a page
     * cache that holds a transaction, statement journals in memory (else
     * every statement of the big transaction writes a temp file) */
    exec_or_die(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY");

    struct place places[MAX_WINDOWS];
    int np = 0;
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_PLACES, &st) < 0)
        die("prepare: %s", db_errmsg(db));
    while (db_step(st) == DB_ROW && np < MAX_WINDOWS) {
        struct place *p = &places[np++];
        p->window_id = db_col_int64(st, 0);
        p->staff_id = db_col_int64(st, 1);
        p->hall_id = db_col_int64(st, 2);
        snprintf(p->hall_path, sizeof(p->hall_path), "%s", db_col_text(st, 3));
    }
    db_finalize(st);
    if (np == 0)
        die("%s", "no window with a staff member assigned (run `chuangkou demo` first)");
    char item_codes[MAX_ITEMS][64];
    int64_t item_versions[MAX_ITEMS];
    int ni = 0;
    if (db_prepare(db, SQL_ITEMS, &st) < 0)
        die("prepare: %s", db_errmsg(db));
    while (db_step(st) == DB_ROW && ni < MAX_ITEMS) {
        snprintf(item_codes[ni], sizeof(item_codes[ni]), "%s", db_col_text(st, 0));
        item_versions[ni++] = db_col_int64(st, 1);
    }
    db_finalize(st);

    FILE *out = fopen(out_file, "w");
    if (!out)
        die("cannot write %s", out_file);
    struct actor sys;
    actor_system(&sys, "bench");
    struct hall_series halls[MAX_HALLS];
    int nh = 0, nseries = 0;
    int64_t now = (int64_t)time(NULL);
    /* yesterday's services, 9:00 to 17:00 local, so none is younger than the
     * fast-console threshold and every one is open for the whole window */
    int32_t yesterday = (int32_t)((now + QUEUE_TZ_OFFSET_S) / 86400) - 1;
    char day[DATE_TEXT];
    date_format(yesterday, day);
    int64_t day0 = (int64_t)yesterday * 86400 - QUEUE_TZ_OFFSET_S;
    double t0 = now_s();
    exec_or_die(db, "BEGIN");
    for (long i = 0; i < count; i++) {
        const struct place *p = &places[i % np];
        struct hall_series *h = NULL;
        for (int k = 0; k < nh; k++)
            if (halls[k].hall_id == p->hall_id)
                h = &halls[k];
        if (!h) {
            if (nh == MAX_HALLS)
                die("%s", "too many halls");
            h = &halls[nh++];
            memset(h, 0, sizeof(*h));
            h->hall_id = p->hall_id;
        }
        int had = h->prefix_no;
        next_series(db, &sys, h, now);
        nseries += h->prefix_no != had;
        int number = h->next_number++;
        char code[16]; /* as queue.c numbers them */
        snprintf(code, sizeof(code), "%s%03d", h->prefix, number);
        int64_t issued = day0 + 9 * 3600LL + (int64_t)i * (8 * 3600LL) / count;
        int64_t called = issued + 60 + rnd_below(1200), started = called + 30;
        int64_t finished = started + 120 + rnd_below(900);
        int it = ni ? (int)(i % ni) : -1;
        if (db_prepare(db, SQL_TICKET, &st) < 0)
            die("prepare: %s", db_errmsg(db));
        db_bind_int64(st, 1, p->hall_id);
        db_bind_text(st, 2, day);
        db_bind_int64(st, 3, h->series_id);
        db_bind_int64(st, 4, number);
        db_bind_text(st, 5, code);
        if (it >= 0) {
            db_bind_text(st, 6, item_codes[it]);
            db_bind_int64(st, 7, item_versions[it]);
        } else {
            db_bind_null(st, 6);
            db_bind_null(st, 7);
        }
        db_bind_int64(st, 8, p->window_id);
        db_bind_int64(st, 9, p->staff_id);
        db_bind_int64(st, 10, issued);
        db_bind_int64(st, 11, called);
        db_bind_int64(st, 12, started);
        db_bind_int64(st, 13, finished);
        int64_t ticket_id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (ticket_id <= 0)
            die("insert ticket %s: %s", code, db_errmsg(db));
        char token[EVAL_TOKEN_MAX], ip[24];
        int64_t event_id = 0;
        if (eval_ticket_issued(db, ticket_id, p->hall_id, p->hall_path, issued, token) < 0)
            die("eval_ticket_issued: %s", db_errmsg(db));
        snprintf(ip, sizeof(ip), "10.1.%d.%d", (int)(p->window_id / 250) % 256,
                 (int)(p->window_id % 250) + 1);
        if (eval_ticket_finished(db, ticket_id, p->window_id, p->staff_id, ip, finished,
                                 &event_id) < 0 ||
            event_id <= 0)
            die("eval_ticket_finished of ticket %lld: %s", (long long)ticket_id, db_errmsg(db));
        fprintf(out, "%s\n", token);
        if ((i + 1) % TXN == 0) {
            exec_or_die(db, "COMMIT");
            exec_or_die(db, "BEGIN");
        }
    }
    exec_or_die(db, "COMMIT");
    db_close(db);
    if (fclose(out) != 0)
        die("cannot write %s", out_file);
    printf("count=%ld windows=%d halls=%d series=%d day=%s seconds=%.1f\n", count, np, nh, nseries,
           day, now_s() - t0);
    return 0;
}

static const char SQL_FIND[] = "SELECT count(*) FROM evaluation WHERE id = ?1";
static const char SQL_RATED[] =
    "SELECT count(*) FROM eval_event e JOIN ticket t ON t.id = e.ticket_id"
    " JOIN queue_series s ON s.id = t.series_id WHERE s.name LIKE '压测评价%' AND e.state = "
    "'rated'";

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmd_verify(const char *url, const char *ids_file)
{
    FILE *f = fopen(ids_file, "r");
    if (!f)
        die("cannot open %s", ids_file);
    size_t n = 0, cap = 0;
    int64_t *ids = NULL;
    char line[64];
    while (fgets(line, sizeof(line), f)) {
        char *end;
        long long v = strtoll(line, &end, 10);
        if (end == line)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            int64_t *nv = realloc(ids, cap * sizeof(*nv));
            if (!nv)
                die("%s", "out of memory");
            ids = nv;
        }
        ids[n++] = v;
    }
    fclose(f);
    if (n > 0)
        qsort(ids, n, sizeof(*ids), cmp_i64);
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        unique += i == 0 || ids[i] != ids[i - 1];

    char errbuf[256];
    struct db *db = NULL;
    if (db_open(url, DB_OPEN_READONLY, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    exec_or_die(db, "BEGIN"); /* one snapshot */
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && ids[i] == ids[i - 1])
            continue;
        struct db_stmt *st = NULL;
        if (db_prepare(db, SQL_FIND, &st) < 0)
            die("prepare: %s", db_errmsg(db));
        db_bind_int64(st, 1, ids[i]);
        if (db_step(st) == DB_ROW && db_col_int64(st, 0) == 1)
            found++;
        db_finalize(st);
    }
    int64_t rated = 0;
    if (db_query_int64(db, SQL_RATED, &rated) < 0)
        die("count the rated events: %s", db_errmsg(db));
    exec_or_die(db, "COMMIT");
    db_close(db);
    free(ids);
    printf("ids=%zu unique=%zu found=%zu rated_events=%lld\n", n, unique, found, (long long)rated);
    return found == n && unique == n ? 0 : 2;
}

static void usage(void)
{
    fprintf(stderr, "usage: eval_tokens seed --db sqlite:PATH --count N --out FILE\n"
                    "       eval_tokens verify --db sqlite:PATH --ids FILE\n");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *url = NULL, *out = NULL, *ids = NULL;
    long count = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            url = argv[i + 1];
        else if (strcmp(argv[i], "--count") == 0)
            count = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
        else if (strcmp(argv[i], "--ids") == 0)
            ids = argv[i + 1];
        else
            usage();
    }
    if (argc % 2 != 0 || !url)
        usage();
    if (strcmp(argv[1], "seed") == 0 && count > 0 && count <= 10000000 && out)
        return cmd_seed(url, count, out);
    if (strcmp(argv[1], "verify") == 0 && ids)
        return cmd_verify(url, ids);
    usage();
    return 1;
}

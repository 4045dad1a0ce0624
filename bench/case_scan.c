/* case_scan - the overdue_scan bench case, in process against the release
 * objects: how fast case_warn_scan finds every yellow, red and overdue case
 * among 1,000,000 open ones, and what the same question costs without the
 * index.
 *
 * 1. A fresh SQLite database in a temp dir, migrated (migrate_apply); one
 *    region and hall, one staff member, one catalogue item with a published
 *    version (plain SQL).
 * 2. ROWS open case_file rows in one transaction through one prepared INSERT:
 *    received_day spread evenly over the last 60 days, in id order, states received / accepted /
 *    in_progress, realistic column sizes (hex ciphertext and hashes). At the
 *    scan day (today, Asia/Shanghai) about 7 % are yellow, 2 % red, 1.5 %
 *    overdue, 2 % paused (no dates) and the rest not yet yellow; the expected
 *    counts are kept while generating. Then ANALYZE.
 * 3. On a read-only connection (like the HTTP threads'): EXPLAIN QUERY PLAN of
 *    the statement case_warn_scan really runs (its text is captured through
 *    an SQLite trace hook installed on every connection by
 *    sqlite3_auto_extension), which must name the partial index
 *    case_file_yellow and no full scan of case_file; the counts of one call
 *    must equal the expected ones.
 * 4. Timed: case_warn_scan over the whole tree (every id collected), one
 *    warm-up and RUNS calls; then the reference, the same question as a plain
 *    table scan (SELECT ... FROM case_file NOT INDEXED WHERE open = 1 AND
 *    yellow_day <= ?1, counted the same way in C), one warm-up and RUNS
 *    calls.
 *
 * Prints one line of key=value pairs on stdout:
 *
 *   rows=N day=YYYY-MM-DD warn=N yellow=N red=N overdue=N index=case_file_yellow
 *   runs=N p50_ms=.. p90_ms=.. p99_ms=.. scans_per_s=.. ref_p50_ms=.. ref_p90_ms=..
 *   ref_p99_ms=.. ref_scans_per_s=.. speedup=.. load_s=.. db_mb=..
 *
 * p99 is nearest-rank over RUNS calls (with 20 runs: the slowest). The plan
 * goes to stderr. Exit status 0, or 1 on any failure (a wrong plan or a count
 * mismatch included).
 *
 * Usage: case_scan [--rows 1000000] [--runs 20] [--dir DIR] [--keep]
 *   DIR: where the temp dir is made (default $TMPDIR or /tmp); --keep leaves
 *   the database there.
 */
#define DRV_NAME "case_scan"
#include <sqlite3.h>
#include <sys/stat.h>

#include "drv.h"

#include "base/date.h"
#include "domain/case.h"
#include "store/db.h"
#include "store/migrate.h"

#define DAYS_BACK 60
#define MAX_RUNS 1000
#define SQL_MAX 1024
#define PLAN_MAX 1024

/* ---- the connection hook: the SQL text case_warn_scan runs ---- */

static sqlite3 *last_conn;     /* the connection opened last */
static char scan_sql[SQL_MAX]; /* the warn scan's statement text */
static int64_t scan_fullsteps; /* full-scan steps of its last run */

static int trace_cb(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    (void)x;
    sqlite3_stmt *st = p;
    const char *sql = sqlite3_sql(st);
    if (!sql || !strstr(sql, "FROM case_file") || !strstr(sql, "yellow_day <="))
        return 0;
    if (type == SQLITE_TRACE_STMT)
        snprintf(scan_sql, sizeof(scan_sql), "%s", sql);
    else if (type == SQLITE_TRACE_PROFILE)
        scan_fullsteps = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
    return 0;
}

static int conn_init(sqlite3 *h, char **err, const struct sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    last_conn = h;
    return SQLITE_OK;
}

/* ---- helpers ---- */

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

static void hex(char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            x = rnd();
        out[i] = digits[x & 15];
        x >>= 4;
    }
    out[n] = '\0';
}

static void exec_or_die(struct db *db, const char *sql)
{
    if (db_exec(db, sql) < 0)
        die("%s: %s", sql, db_errmsg(db));
}

/* ---- the data ---- */

static const char SQL_SETUP[] =
    "INSERT INTO org_node (id, parent_id, kind, code, name, path, depth, created_at, updated_at)"
    " VALUES (1, NULL, 'region', 'dist', '示范区', '/1/', 0, 1764000000, 1764000000),"
    " (2, 1, 'hall', 'hall-d', '区政务服务中心', '/1/2/', 1, 1764000000, 1764000000);"
    "INSERT INTO staff (id, login, name, role, node_id, password_hash, created_at, updated_at)"
    " VALUES (1, 'scan', '办件员', 'staff', 2, 'x', 1764000000, 1764000000);"
    "INSERT INTO catalog_item (id, code, unit_id, current_version_id, created_at, updated_at)"
    " VALUES (1, 'GJJ-TQ-001', 1, 1, 1764000000, 1764000000);"
    "INSERT INTO catalog_version (id, item_id, version, status, name, kind, legal_limit,"
    " legal_unit, promised_limit, promised_unit, created_by, created_at, published_by,"
    " published_at) VALUES (1, 1, 1, 'published', '住房公积金提取（购买自住住房）', 'promised',"
    " 20, 'workdays', 10, 'workdays', 'bench', 1764000000, 'bench', 1764000000);";

static const char SQL_INSERT[] =
    "INSERT INTO case_file (region_id, number, query_hash, item_id, version_id, item_code,"
    " item_name, kind, node_id, node_path, handler_id, first_owner_id, registered_by,"
    " applicant_kind, applicant_name, phone_enc, phone_hash, phone_mask, modes, state, open,"
    " paused, received_day, received_at, promised_limit, promised_unit, legal_limit, legal_unit,"
    " promised_due, legal_due, yellow_day, warn_level, next_warn_day, created_at, updated_at)"
    " VALUES (1, ?1, ?2, 1, 1, 'GJJ-TQ-001', '住房公积金提取（购买自住住房）', 'promised', 2,"
    " '/1/2/', 1, 1, 1, 'person', ?3, ?4, ?5, ?6, '', ?7, 1, ?8, ?9, ?10, 10, 'workdays', 20,"
    " 'workdays', ?11, ?12, ?13, ?14, ?15, ?10, ?10)";

/* the reference: the same question without the index */
static const char SQL_FULL[] = "SELECT id, promised_due FROM case_file NOT INDEXED"
                               " WHERE open = 1 AND yellow_day <= ?1";

enum level { LV_NONE, LV_YELLOW, LV_RED, LV_OVERDUE, LV_PAUSED };

struct expect {
    int64_t yellow, red, overdue;
};

static void fmt_day(int32_t d, char *out, int present)
{
    if (present)
        date_format(d, out);
    else
        out[0] = '\0';
}

/* ROWS open cases; *x gets the counts case_warn_scan must find at today */
static void load(struct db *db, int rows, int32_t today, struct expect *x)
{
    static const char *const names[] = {"张三", "李四", "王芳", "刘洋", "陈静", "杨磊", "赵敏"};
    static const char *const states[] = {"received", "accepted", "accepted", "in_progress"};
    int per_day[DAYS_BACK] = {0};
    struct db_stmt *st = NULL;
    memset(x, 0, sizeof(*x));
    if (db_prepare(db, SQL_INSERT, &st) < 0)
        die("prepare insert: %s", db_errmsg(db));
    for (int i = 0; i < rows; i++) {
        /* registered in order, oldest first: ids grow with received_day */
        int age = DAYS_BACK - 1 - (int)((int64_t)i * DAYS_BACK / rows);
        int32_t recv = today - age;
        int r = rnd_below(1000);
        enum level lv = r < 70    ? LV_YELLOW
                        : r < 90  ? LV_RED
                        : r < 105 ? LV_OVERDUE
                        : r < 125 ? LV_PAUSED
                                  : LV_NONE;
        if (lv == LV_OVERDUE && age == 0)
            lv = LV_RED; /* received today cannot be overdue */
        int32_t due = 0, yellow = 0;
        switch (lv) {
        case LV_NONE: /* not yet yellow: yellow_day after today */
            due = today + 1 + rnd_below(40);
            yellow = recv + (due - recv) * 4 / 5;
            if (yellow <= today)
                yellow = today + 1;
            break;
        case LV_YELLOW:
            due = today + 1 + rnd_below(5);
            yellow = today - rnd_below(4);
            break;
        case LV_RED:
            due = today;
            yellow = today - rnd_below(4);
            break;
        case LV_OVERDUE:
            due = today - 1 - rnd_below(age < 10 ? age : 10);
            yellow = due - rnd_below(4);
            break;
        case LV_PAUSED:
            break;
        }
        if (lv != LV_PAUSED && yellow < recv)
            yellow = recv;
        int dated = lv != LV_PAUSED;
        char number[32], qh[65], penc[103], phash[65], mask[16], rday[DATE_TEXT], dday[DATE_TEXT],
            lday[DATE_TEXT], yday[DATE_TEXT], nday[DATE_TEXT];
        int yy, mm, dd;
        date_to_civil(recv, &yy, &mm, &dd);
        snprintf(number, sizeof(number), "%04d-%02d%02d-%06d", yy, mm, dd, ++per_day[age]);
        hex(qh, 64);
        hex(penc, 102);
        hex(phash, 64);
        snprintf(mask, sizeof(mask), "1%d%d****%04d", 3 + rnd_below(7), rnd_below(10),
                 rnd_below(10000));
        date_format(recv, rday);
        fmt_day(due, dday, dated);
        fmt_day(due + 10, lday, dated);
        fmt_day(yellow, yday, dated);
        int warn = lv == LV_YELLOW ? 1 : lv == LV_RED ? 2 : lv == LV_OVERDUE ? 3 : 0;
        fmt_day(lv == LV_NONE ? yellow : due + (lv == LV_YELLOW ? 0 : 1), nday,
                dated && lv != LV_OVERDUE);
        int64_t recv_at = (int64_t)recv * 86400 - 8 * 3600 + 9 * 3600 + rnd_below(8 * 3600);
        db_reset(st);
        db_bind_text(st, 1, number);
        db_bind_text(st, 2, qh);
        db_bind_text(st, 3, names[rnd_below(7)]);
        db_bind_text(st, 4, penc);
        db_bind_text(st, 5, phash);
        db_bind_text(st, 6, mask);
        db_bind_text(st, 7, states[rnd_below(4)]);
        db_bind_int64(st, 8, !dated);
        db_bind_text(st, 9, rday);
        db_bind_int64(st, 10, recv_at);
        db_bind_text(st, 11, dated ? dday : NULL);
        db_bind_text(st, 12, dated ? lday : NULL);
        db_bind_text(st, 13, dated ? yday : NULL);
        db_bind_int64(st, 14, warn);
        db_bind_text(st, 15, nday[0] ? nday : NULL);
        if (db_step(st) < 0)
            die("insert row %d: %s", i, db_errmsg(db));
        /* what case_warn_scan must count, by its own rule */
        if (dated && yellow <= today) {
            if (due < today)
                x->overdue++;
            else if (due == today)
                x->red++;
            else
                x->yellow++;
        }
    }
    db_finalize(st);
}

/* ---- the scans ---- */

struct scan_out {
    int64_t yellow, red, overdue;
};

static void scan_index(struct db *db, const char *day, int64_t *ids, int max_ids,
                       struct scan_out *o)
{
    struct case_warn_counts c;
    int nids = 0;
    if (case_warn_scan(db, NULL, day, &c, ids, max_ids, &nids) < 0)
        die("case_warn_scan: %s", db_errmsg(db));
    if (nids != c.yellow + c.red + c.overdue)
        die("case_warn_scan returned %d ids for %lld cases", nids,
            (long long)(c.yellow + c.red + c.overdue));
    o->yellow = c.yellow;
    o->red = c.red;
    o->overdue = c.overdue;
}

static void scan_full(struct db *db, const char *day, int64_t *ids, int max_ids, struct scan_out *o)
{
    struct db_stmt *st = NULL;
    memset(o, 0, sizeof(*o));
    if (db_prepare(db, SQL_FULL, &st) < 0)
        die("prepare the full scan: %s", db_errmsg(db));
    db_bind_text(st, 1, day);
    int rc, n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *due = db_col_text(st, 1);
        int cmp = due ? strcmp(due, day) : 1;
        if (cmp < 0)
            o->overdue++;
        else if (cmp == 0)
            o->red++;
        else
            o->yellow++;
        if (n < max_ids)
            ids[n++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    if (rc < 0)
        die("full scan: %s", db_errmsg(db));
}

/* EXPLAIN QUERY PLAN of sql on h, the details joined by "; " into out */
static void plan_of(sqlite3 *h, const char *sql, char out[PLAN_MAX])
{
    char q[SQL_MAX + 32];
    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK)
        die("explain: %s", sqlite3_errmsg(h));
    size_t len = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        int w = snprintf(out + len, PLAN_MAX - len, "%s%s", len ? "; " : "", d ? d : "");
        if (w < 0 || (size_t)w >= PLAN_MAX - len)
            break;
        len += (size_t)w;
    }
    sqlite3_finalize(st);
}

typedef void (*scan_fn)(struct db *, const char *, int64_t *, int, struct scan_out *);

/* one warm-up and runs timed calls of fn; ms[] sorted; every call must agree with x */
static void timed(scan_fn fn, const char *what, struct db *db, const char *day, int64_t *ids,
                  int max_ids, const struct expect *x, int runs, double *ms)
{
    struct scan_out o;
    for (int i = -1; i < runs; i++) {
        double t0 = now_s();
        fn(db, day, ids, max_ids, &o);
        double t = (now_s() - t0) * 1000.0;
        if (o.yellow != x->yellow || o.red != x->red || o.overdue != x->overdue)
            die("%s found yellow %lld red %lld overdue %lld, expected %lld %lld %lld", what,
                (long long)o.yellow, (long long)o.red, (long long)o.overdue, (long long)x->yellow,
                (long long)x->red, (long long)x->overdue);
        if (i >= 0)
            ms[i] = t;
    }
    qsort(ms, (size_t)runs, sizeof(*ms), cmp_dbl);
}

static void usage(void)
{
    fprintf(stderr, "usage: case_scan [--rows 1000000] [--runs 20] [--dir DIR] [--keep]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    int rows = 1000000, runs = 20, keep = 0;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--keep") == 0) {
            keep = 1;
            continue;
        }
        if (!v)
            usage();
        if (strcmp(a, "--rows") == 0)
            rows = atoi(v);
        else if (strcmp(a, "--runs") == 0)
            runs = atoi(v);
        else if (strcmp(a, "--dir") == 0)
            base = v;
        else
            usage();
        i++;
    }
    if (rows < 1000 || rows > 100000000 || runs < 1 || runs > MAX_RUNS)
        usage();

    char dir[512], path[600], url[620];
    if (snprintf(dir, sizeof(dir), "%s/ck-case-scan.XXXXXX", base) >= (int)sizeof(dir) ||
        !mkdtemp(dir))
        die("cannot make a temp dir under %s", base);
    snprintf(path, sizeof(path), "%s/scan.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", path);

    /* every connection from now on: remember it (for the plan and the trace) */
    sqlite3_auto_extension((void (*)(void))conn_init);

    /* today in Asia/Shanghai */
    char day[DATE_TEXT];
    int32_t today = (int32_t)(((int64_t)time(NULL) + 8 * 3600) / 86400);
    date_format(today, day);

    /* load */
    char errbuf[256];
    struct db *w = NULL;
    if (db_open(url, 0, &w, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    if (migrate_apply(w, NULL) < 0)
        die("migrate: %s", db_errmsg(w));
    double t0 = now_s();
    /* a bulk load, not the server's durable path: no journal, no fsync, a large
     * page cache; WAL again afterwards, as the server reads it */
    exec_or_die(w, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-524288");
    exec_or_die(w, "BEGIN");
    exec_or_die(w, SQL_SETUP);
    struct expect x;
    load(w, rows, today, &x);
    exec_or_die(w, "COMMIT");
    double t1 = now_s();
    exec_or_die(w, "ANALYZE");
    exec_or_die(w, "PRAGMA journal_mode=WAL");
    double load_s = now_s() - t0;
    fprintf(stderr, "case_scan: insert %.1f s, ANALYZE %.1f s\n", t1 - t0, now_s() - t1);
    db_close(w);
    struct stat sb;
    double db_mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
    fprintf(stderr,
            "case_scan: %d open cases loaded in %.1f s (%.0f MB); at %s: yellow %lld,"
            " red %lld, overdue %lld\n",
            rows, load_s, db_mb, day, (long long)x.yellow, (long long)x.red, (long long)x.overdue);

    /* read like an HTTP thread: a read-only connection */
    struct db *db = NULL;
    last_conn = NULL;
    if (db_open(url, DB_OPEN_READONLY, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    sqlite3 *h = last_conn;
    if (!h)
        die("%s", "the connection hook saw no connection");
    int max_ids = rows;
    int64_t *ids = malloc(sizeof(*ids) * (size_t)max_ids);
    double *ms = malloc(sizeof(*ms) * (size_t)runs), *ref = malloc(sizeof(*ref) * (size_t)runs);
    if (!ids || !ms || !ref)
        die("%s", "out of memory");

    /* the plan of the statement case_warn_scan really runs */
    sqlite3_trace_v2(h, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, trace_cb, NULL);
    struct scan_out o;
    scan_index(db, day, ids, max_ids, &o);
    sqlite3_trace_v2(h, 0, NULL, NULL);
    if (o.yellow != x.yellow || o.red != x.red || o.overdue != x.overdue)
        die("case_warn_scan found yellow %lld red %lld overdue %lld, expected %lld %lld %lld",
            (long long)o.yellow, (long long)o.red, (long long)o.overdue, (long long)x.yellow,
            (long long)x.red, (long long)x.overdue);
    if (!scan_sql[0])
        die("%s", "case_warn_scan ran no statement on case_file with yellow_day <=");
    char plan[PLAN_MAX], ref_plan[PLAN_MAX];
    plan_of(h, scan_sql, plan);
    plan_of(h, SQL_FULL, ref_plan);
    fprintf(stderr, "case_scan: case_warn_scan runs: %s\n", scan_sql);
    fprintf(stderr, "case_scan: its plan: %s (full-scan steps: %lld)\n", plan,
            (long long)scan_fullsteps);
    fprintf(stderr, "case_scan: reference: %s\ncase_scan: its plan: %s\n", SQL_FULL, ref_plan);
    if (!strstr(plan, "INDEX case_file_yellow") || strstr(plan, "SCAN case_file") ||
        scan_fullsteps != 0)
        die("case_warn_scan does not search the index case_file_yellow: %s", plan);
    if (!strstr(ref_plan, "SCAN case_file"))
        die("the reference is not a table scan: %s", ref_plan);

    timed(scan_index, "case_warn_scan", db, day, ids, max_ids, &x, runs, ms);
    timed(scan_full, "the full scan", db, day, ids, max_ids, &x, runs, ref);
    double p50 = pct(ms, runs, 50), r50 = pct(ref, runs, 50);
    printf("rows=%d day=%s warn=%lld yellow=%lld red=%lld overdue=%lld index=case_file_yellow"
           " runs=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f scans_per_s=%.2f ref_p50_ms=%.3f"
           " ref_p90_ms=%.3f ref_p99_ms=%.3f ref_scans_per_s=%.2f speedup=%.1f load_s=%.1f"
           " db_mb=%.0f\n",
           rows, day, (long long)(x.yellow + x.red + x.overdue), (long long)x.yellow,
           (long long)x.red, (long long)x.overdue, runs, p50, pct(ms, runs, 90), pct(ms, runs, 99),
           1000.0 / p50, r50, pct(ref, runs, 90), pct(ref, runs, 99), 1000.0 / r50, r50 / p50,
           load_s, db_mb);
    db_close(db);
    free(ids);
    free(ms);
    free(ref);
    if (!keep) {
        const char *files[] = {"scan.db", "scan.db-wal", "scan.db-shm"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
            unlink(path);
        }
        rmdir(dir);
    } else {
        fprintf(stderr, "case_scan: database kept in %s\n", dir);
    }
    return 0;
}

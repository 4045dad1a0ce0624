/* eval_insert - the sqlite_batch_insert bench case: how many evaluation rows
 * a plain SQLite program writes per second, durably, in 1,000-row
 * transactions. The yardstick of evaluation_submit (which writes the same
 * rows one HTTP request at a time, plus the event, the chain head and the
 * rollups).
 *
 * A fresh SQLite file in a temp dir, with the server's pragmas
 * (src/store/db_sqlite.c: journal_mode=WAL, foreign_keys=ON,
 * synchronous=FULL, wal_autocheckpoint=4000) and SQLite's default VFS (not
 * the server's gathering one), holding the evaluation table of
 * src/store/migrations/0008_evaluation.sql with the same columns and the same
 * indexes (evaluation_event unique (event_id, kind), evaluation_created
 * (created_at); {{ID}} -> INTEGER PRIMARY KEY, {{TEXT_C}} -> TEXT) but without
 * its REFERENCES clauses: the referenced tables are not there.
 *
 * First PREFILL rows in one transaction without journal or fsync (the table
 * of a server that has been taking evaluations for a while), then, timed,
 * ROWS rows in transactions of BATCH rows each (BEGIN, one prepared INSERT
 * stepped BATCH times, COMMIT with its fsync). The rows are what a QR-code
 * evaluation looks like: event ids and times ascending, a level (about 3 %
 * are 差评 with one or two reason codes), the offline dimension scores, the
 * citizen's address and browser id, the day, two 64-hex-digit hashes.
 *
 * Prints one line of key=value pairs on stdout:
 *
 *   rows=N batch=N prefill=N seconds=S rows_per_s=X txn_p50_ms=.. txn_p99_ms=..
 *   txn_max_ms=.. prefill_s=.. db_mb=..
 *
 * txn_*: the time of one BATCH-row transaction (BEGIN to COMMIT returned),
 * nearest rank. Exit status 0, or 1 on any failure.
 *
 * Usage: eval_insert [--rows 200000] [--batch 1000] [--prefill 1000000]
 *                    [--dir DIR] [--keep]
 */
#define DRV_NAME "eval_insert"
#include <sqlite3.h>
#include <sys/stat.h>

#include "drv.h"

/* 0008_evaluation.sql's evaluation table, expanded for SQLite, without REFERENCES */
static const char SQL_SCHEMA[] =
    "CREATE TABLE evaluation ("
    " id INTEGER PRIMARY KEY,"
    " event_id BIGINT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('first', 'followup')),"
    " level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),"
    " bad INTEGER NOT NULL CHECK (bad IN (0, 1)),"
    " defaulted INTEGER NOT NULL CHECK (defaulted IN (0, 1)),"
    " reasons TEXT NOT NULL DEFAULT '[]',"
    " text TEXT NOT NULL DEFAULT '',"
    " set_id BIGINT,"
    " dims TEXT NOT NULL DEFAULT '{}',"
    " channel TEXT NOT NULL,"
    " device_id BIGINT,"
    " device TEXT NOT NULL DEFAULT '',"
    " ip TEXT NOT NULL DEFAULT '',"
    " entered_by BIGINT,"
    " evaluator_name TEXT NOT NULL DEFAULT '',"
    " phone_enc TEXT,"
    " phone_hash TEXT,"
    " phone_mask TEXT NOT NULL DEFAULT '',"
    " id_enc TEXT,"
    " id_mask TEXT NOT NULL DEFAULT '',"
    " region_id BIGINT NOT NULL,"
    " hall_id BIGINT,"
    " unit_id BIGINT,"
    " window_id BIGINT,"
    " staff_id BIGINT,"
    " item_id BIGINT,"
    " version_id BIGINT,"
    " day TEXT NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " excluded INTEGER NOT NULL DEFAULT 0,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL"
    ");"
    "CREATE UNIQUE INDEX evaluation_event ON evaluation (event_id, kind);"
    "CREATE INDEX evaluation_created ON evaluation (created_at);";

static const char SQL_PRAGMAS[] = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                  "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=4000;";

static const char SQL_INSERT[] =
    "INSERT INTO evaluation (event_id, kind, level, bad, defaulted, reasons, text, set_id, dims,"
    " channel, device_id, device, ip, entered_by, evaluator_name, phone_enc, phone_hash,"
    " phone_mask, id_enc, id_mask, region_id, hall_id, unit_id, window_id, staff_id, item_id,"
    " version_id, day, created_at, excluded, prev_hash, hash)"
    " VALUES (?1, 'first', ?2, ?3, 0, ?4, '', 1, ?5, 'qr', NULL, ?6, ?7, NULL, '', NULL, NULL,"
    " '', NULL, '', 1, 2, NULL, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14, ?15)";

#define MAX_TXNS 1000000

static uint64_t rng = 0x2545F4914F6CDD1Dull;
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

static void exec_or_die(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        die("%s: %s", sql, msg ? msg : sqlite3_errmsg(h));
}

/* the state the rows are made from: ascending event ids and times */
struct gen {
    int64_t event_id, created_at;
    char prev[65];
};

/* bind and step one evaluation row */
static void insert_one(sqlite3 *h, sqlite3_stmt *st, struct gen *g)
{
    static const char *const reason_sets[] = {
        "[\"slow\"]", "[\"attitude\"]", "[\"slow\",\"unclear_guide\"]", "[\"repeated_trips\"]"};
    int r = rnd_below(1000);
    int level = r < 12 ? 1 : r < 30 ? 2 : r < 60 ? 3 : r < 140 ? 4 : 5; /* 3 % 差评 */
    int d = level >= 4 ? level : level + 1;
    char dims[128], device[33], ip[16], day[11], hash[65];
    snprintf(dims, sizeof(dims),
             "{\"service_efficiency\":%d,\"service_level\":%d,\"service_attitude\":%d}", d,
             level >= 4 ? 5 : d, d);
    hex(device, 32);
    snprintf(ip, sizeof(ip), "10.%d.%d.%d", rnd_below(256), rnd_below(256), 1 + rnd_below(254));
    time_t local = (time_t)(g->created_at + 8 * 3600LL);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    hex(hash, 64);
    g->event_id += 1 + rnd_below(3); /* some services go unrated */
    g->created_at += rnd_below(2);
    int win = rnd_below(30);
    sqlite3_bind_int64(st, 1, g->event_id);
    sqlite3_bind_int(st, 2, level);
    sqlite3_bind_int(st, 3, level <= 2);
    sqlite3_bind_text(st, 4, level <= 2 ? reason_sets[rnd_below(4)] : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, dims, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, ip, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, 100 + win);
    sqlite3_bind_int64(st, 9, 1000 + win);
    sqlite3_bind_int64(st, 10, 1 + rnd_below(40));
    sqlite3_bind_int64(st, 11, 1 + rnd_below(40));
    sqlite3_bind_text(st, 12, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 13, g->created_at);
    sqlite3_bind_text(st, 14, g->prev, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 15, hash, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        die("insert: %s", sqlite3_errmsg(h));
    sqlite3_reset(st);
    memcpy(g->prev, hash, sizeof(g->prev));
}

static void usage(void)
{
    fprintf(stderr, "usage: eval_insert [--rows 200000] [--batch 1000] [--prefill 1000000]"
                    " [--dir DIR] [--keep]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    long rows = 200000, batch = 1000, prefill = 1000000;
    int keep = 0;
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
            rows = atol(v);
        else if (strcmp(a, "--batch") == 0)
            batch = atol(v);
        else if (strcmp(a, "--prefill") == 0)
            prefill = atol(v);
        else if (strcmp(a, "--dir") == 0)
            base = v;
        else
            usage();
        i++;
    }
    if (rows < 1 || batch < 1 || batch > rows || rows / batch > MAX_TXNS || prefill < 0 ||
        prefill > 100000000)
        usage();

    char dir[512], path[600];
    if (snprintf(dir, sizeof(dir), "%s/ck-eval-insert.XXXXXX", base) >= (int)sizeof(dir) ||
        !mkdtemp(dir))
        die("cannot make a temp dir under %s", base);
    snprintf(path, sizeof(path), "%s/insert.db", dir);

    sqlite3 *h = NULL;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        die("cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
    sqlite3_busy_timeout(h, 5000);
    exec_or_die(h, SQL_SCHEMA);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, SQL_INSERT, -1, &st, NULL) != SQLITE_OK)
        die("prepare: %s", sqlite3_errmsg(h));

    struct gen g = {.event_id = 0, .created_at = (int64_t)time(NULL) - prefill / 20};
    memset(g.prev, '0', 64);
    g.prev[64] = '\0';

    /* the prefill: a bulk load, no journal, no fsync */
    double t0 = now_s();
    if (prefill > 0) {
        exec_or_die(h, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN");
        for (long i = 0; i < prefill; i++)
            insert_one(h, st, &g);
        exec_or_die(h, "COMMIT");
        /* to disk now: else the first checkpoint's fsync writes the whole prefill */
        int fd = open(path, O_RDONLY);
        if (fd < 0 || fsync(fd) < 0)
            die("fsync %s: %s", path, strerror(errno));
        close(fd);
    }
    double prefill_s = now_s() - t0;

    /* from here as the server writes */
    exec_or_die(h, SQL_PRAGMAS);
    char mode[16] = "";
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        snprintf(mode, sizeof(mode), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (strcmp(mode, "wal") != 0)
        die("journal_mode is %s, not wal", mode);

    long ntx = rows / batch;
    double *txn = malloc(sizeof(*txn) * (size_t)ntx);
    if (!txn)
        die("%s", "out of memory");
    double t1 = now_s();
    for (long t = 0; t < ntx; t++) {
        double a = now_s();
        exec_or_die(h, "BEGIN");
        for (long i = 0; i < batch; i++)
            insert_one(h, st, &g);
        exec_or_die(h, "COMMIT");
        txn[t] = (now_s() - a) * 1000.0;
    }
    double secs = now_s() - t1;
    long done = ntx * batch;
    sqlite3_finalize(st);

    sqlite3_int64 count = 0;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM evaluation", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        count = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (count != prefill + done)
        die("the table holds %lld rows, expected %ld", (long long)count, prefill + done);
    sqlite3_close(h);

    struct stat sb;
    double db_mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
    qsort(txn, (size_t)ntx, sizeof(*txn), cmp_dbl);
    printf("rows=%ld batch=%ld prefill=%ld seconds=%.3f rows_per_s=%.2f txn_p50_ms=%.3f"
           " txn_p99_ms=%.3f txn_max_ms=%.3f prefill_s=%.1f db_mb=%.0f\n",
           done, batch, prefill, secs, (double)done / secs, pct(txn, (size_t)ntx, 50),
           pct(txn, (size_t)ntx, 99), txn[ntx - 1], prefill_s, db_mb);
    free(txn);
    if (!keep) {
        const char *files[] = {"insert.db", "insert.db-wal", "insert.db-shm"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
            unlink(path);
        }
        rmdir(dir);
    } else {
        fprintf(stderr, "eval_insert: database kept in %s\n", dir);
    }
    return 0;
}

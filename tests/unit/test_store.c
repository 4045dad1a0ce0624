/* test_store.c - the SQLite backend through store/db.h, migrations and the
 * group-commit writer (store/writer.h), each test on its own temp file. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/metrics.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/writer.h"
#include "unit_db.h"

static struct unit_db u;

static const char SQL_CREATE[] = "CREATE TABLE t ("
                                 " id INTEGER PRIMARY KEY,"
                                 " name TEXT NOT NULL UNIQUE,"
                                 " data BLOB,"
                                 " n INTEGER CHECK (n <> 13),"
                                 " parent_id INTEGER REFERENCES t(id))";
static const char SQL_INSERT[] =
    "INSERT INTO t (name, data, n, parent_id) VALUES (?1, ?2, ?3, ?4) RETURNING id";
static const char SQL_GET[] = "SELECT id, name, data, n, parent_id FROM t WHERE id = ?1";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM t";

static void init(void)
{
    unit_db_open(&u, 0);
    cr_assert_eq(db_exec(u.db, SQL_CREATE), 0, "%s", db_errmsg(u.db));
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(db, .init = init, .fini = fini);

/* Insert a row; returns db_step's result and the new id in *id. name NULL
 * binds nothing (SQL NULL); parent 0 binds nothing. */
static int insert(const char *name, const void *data, size_t len, int64_t n, int64_t parent,
                  int64_t *id)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, SQL_INSERT, &st), 0, "%s", db_errmsg(u.db));
    if (name)
        cr_assert_eq(db_bind_text(st, 1, name), 0);
    if (data)
        cr_assert_eq(db_bind_blob(st, 2, data, len), 0);
    cr_assert_eq(db_bind_int64(st, 3, n), 0);
    if (parent)
        cr_assert_eq(db_bind_int64(st, 4, parent), 0);
    int rc = db_step(st);
    if (rc == DB_ROW && id)
        *id = db_col_int64(st, 0);
    if (rc == DB_ROW)
        cr_assert_eq(db_step(st), DB_DONE);
    db_finalize(st);
    return rc;
}

Test(db, open_errors)
{
    struct db *d = (struct db *)1;
    char errbuf[128] = "";
    cr_assert_eq(db_open("mysql://x", 0, &d, errbuf, sizeof(errbuf)), ERR_INVALID);
    cr_assert_null(d);
    cr_assert_neq(errbuf[0], '\0');
    cr_assert_eq(db_open(NULL, 0, &d, NULL, 0), ERR_INVALID);
    errbuf[0] = '\0';
    cr_assert_eq(db_open("sqlite:/nonexistent-dir-ck/x.db", 0, &d, errbuf, sizeof(errbuf)), ERR_DB);
    cr_assert_null(d);
    cr_assert(strstr(errbuf, "/nonexistent-dir-ck/x.db") != NULL, "%s", errbuf);
    cr_assert_eq(db_kind(u.db), DB_SQLITE);
}

Test(db, insert_and_select_types)
{
    static const unsigned char blob[] = {0, 1, 2, 0xff, 0, 'x'};
    int64_t id_max = 0, id_min = 0;
    cr_assert_eq(insert("王芳 — 窗口", blob, sizeof(blob), INT64_MAX, 0, &id_max), DB_ROW);
    cr_assert_eq(insert("min", NULL, 0, INT64_MIN, id_max, &id_min), DB_ROW);
    cr_assert_gt(id_min, id_max);

    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, SQL_GET, &st), 0);
    cr_assert_eq(db_bind_int64(st, 1, id_max), 0);
    cr_assert_eq(db_step(st), DB_ROW);
    cr_assert_eq(db_col_int64(st, 0), id_max);
    cr_assert_str_eq(db_col_text(st, 1), "王芳 — 窗口");
    size_t len = 0;
    const unsigned char *p = db_col_blob(st, 2, &len);
    cr_assert_eq(len, sizeof(blob));
    cr_assert_eq(memcmp(p, blob, len), 0);
    cr_assert_eq(db_col_int64(st, 3), INT64_MAX);
    cr_assert(db_col_is_null(st, 4));
    cr_assert_null(db_col_text(st, 4));
    cr_assert_not(db_col_is_null(st, 3));
    cr_assert_eq(db_step(st), DB_DONE);

    /* reset clears the bindings and allows re-execution */
    cr_assert_eq(db_reset(st), 0);
    cr_assert_eq(db_bind_int64(st, 1, id_min), 0);
    cr_assert_eq(db_step(st), DB_ROW);
    cr_assert_eq(db_col_int64(st, 3), INT64_MIN);
    cr_assert_eq(db_col_int64(st, 4), id_max);
    cr_assert(db_col_is_null(st, 2));
    db_finalize(st);
}

Test(db, text_bind_null_and_bad_index)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, SQL_GET, &st), 0);
    cr_assert_eq(db_bind_int64(st, 2, 1), ERR_INVALID);
    cr_assert_eq(db_bind_text(st, 0, "x"), ERR_INVALID);
    cr_assert_eq(db_bind_null(st, 9), ERR_INVALID);
    cr_assert_eq(db_bind_blob(st, -1, "x", 1), ERR_INVALID);
    cr_assert_eq(db_bind_text(st, 1, NULL), 0, "NULL text binds SQL NULL");
    cr_assert_eq(db_step(st), DB_DONE);
    db_finalize(st);
}

Test(db, constraint_errors)
{
    int64_t id = 0;
    cr_assert_eq(insert("a", NULL, 0, 1, 0, &id), DB_ROW);
    cr_assert_eq(insert("a", NULL, 0, 2, 0, NULL), ERR_CONFLICT, "unique");
    cr_assert_eq(insert(NULL, NULL, 0, 2, 0, NULL), ERR_INVALID, "not null");
    cr_assert_eq(insert("b", NULL, 0, 13, 0, NULL), ERR_INVALID, "check");
    cr_assert_eq(insert("c", NULL, 0, 1, 999, NULL), ERR_INVALID, "foreign key");
    cr_assert_eq(unit_db_int(u.db, SQL_COUNT), 1);
    /* the connection is still usable after each failure */
    cr_assert_eq(insert("d", NULL, 0, 1, id, NULL), DB_ROW);
}

Test(db, primary_key_conflict)
{
    cr_assert_eq(db_exec(u.db, "INSERT INTO t (id, name) VALUES (5, 'x')"), 0);
    cr_assert_eq(db_exec(u.db, "INSERT INTO t (id, name) VALUES (5, 'y')"), ERR_CONFLICT);
}

Test(db, bad_sql)
{
    struct db_stmt *st = (struct db_stmt *)1;
    static const char bad[] = "SELEC 1";
    static const char nosuch[] = "SELECT * FROM no_such_table";
    cr_assert_eq(db_prepare(u.db, bad, &st), ERR_DB);
    cr_assert_null(st);
    cr_assert_eq(db_prepare(u.db, nosuch, &st), ERR_DB);
    cr_assert(strstr(db_errmsg(u.db), "no_such_table") != NULL, "%s", db_errmsg(u.db));
    cr_assert_eq(db_exec(u.db, "NOT SQL"), ERR_DB);
}

Test(db, query_int64)
{
    int64_t v = 0;
    cr_assert_eq(db_query_int64(u.db, "SELECT 40 + 2", &v), 0);
    cr_assert_eq(v, 42);
    cr_assert_eq(db_query_int64(u.db, "SELECT id FROM t", &v), ERR_NOTFOUND);
}

Test(db, transaction_commit_and_rollback)
{
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(insert("a", NULL, 0, 1, 0, NULL), DB_ROW);
    cr_assert_eq(db_rollback(u.db), 0);
    cr_assert_eq(unit_db_int(u.db, SQL_COUNT), 0);
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(insert("a", NULL, 0, 1, 0, NULL), DB_ROW);
    cr_assert_eq(db_commit(u.db), 0);
    cr_assert_eq(unit_db_int(u.db, SQL_COUNT), 1);
    cr_assert_eq(db_commit(u.db), ERR_DB, "no transaction is open");
}

Test(db, savepoint_rollback)
{
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(insert("kept", NULL, 0, 1, 0, NULL), DB_ROW);
    cr_assert_eq(db_savepoint(u.db, "sp"), 0);
    cr_assert_eq(insert("undone", NULL, 0, 2, 0, NULL), DB_ROW);
    cr_assert_eq(unit_db_int(u.db, SQL_COUNT), 2);
    cr_assert_eq(db_rollback_to(u.db, "sp"), 0);
    cr_assert_eq(db_release(u.db, "sp"), 0);
    cr_assert_eq(db_savepoint(u.db, "sp2"), 0);
    cr_assert_eq(insert("released", NULL, 0, 3, 0, NULL), DB_ROW);
    cr_assert_eq(db_release(u.db, "sp2"), 0);
    cr_assert_eq(db_commit(u.db), 0);
    cr_assert_eq(unit_db_int(u.db, SQL_COUNT), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM t WHERE name = 'undone'"), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM t WHERE name = 'released'"), 1);
    cr_assert_eq(db_rollback_to(u.db, "nope"), ERR_DB);
}

Test(db, savepoint_name_too_long)
{
    char name[120];
    memset(name, 's', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    cr_assert_eq(db_savepoint(u.db, name), ERR_INVALID);
}

Test(db, statement_prepared_twice_at_once)
{
    /* the cached statement is in use: a second one must be independent */
    struct db_stmt *a = NULL, *b = NULL;
    cr_assert_eq(insert("x", NULL, 0, 1, 0, NULL), DB_ROW);
    cr_assert_eq(insert("y", NULL, 0, 2, 0, NULL), DB_ROW);
    static const char sql[] = "SELECT name FROM t ORDER BY id";
    cr_assert_eq(db_prepare(u.db, sql, &a), 0);
    cr_assert_eq(db_prepare(u.db, sql, &b), 0);
    cr_assert_neq(a, b);
    cr_assert_eq(db_step(a), DB_ROW);
    cr_assert_eq(db_step(a), DB_ROW);
    cr_assert_str_eq(db_col_text(a, 0), "y");
    cr_assert_eq(db_step(b), DB_ROW);
    cr_assert_str_eq(db_col_text(b, 0), "x");
    db_finalize(a);
    db_finalize(b);
    db_finalize(NULL);
}

Test(db, more_statements_than_the_cache)
{
    static char sql[100][48];
    for (int i = 0; i < 100; i++) {
        snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
        for (int round = 0; round < 2; round++) {
            struct db_stmt *st = NULL;
            cr_assert_eq(db_prepare(u.db, sql[i], &st), 0);
            cr_assert_eq(db_step(st), DB_ROW);
            cr_assert_eq(db_col_int64(st, 0), i);
            db_finalize(st);
        }
    }
}

Test(db, readonly_connection)
{
    struct db *ro = NULL;
    char errbuf[128];
    cr_assert_eq(insert("x", NULL, 0, 1, 0, NULL), DB_ROW);
    cr_assert_eq(db_open(u.url, DB_OPEN_READONLY, &ro, errbuf, sizeof(errbuf)), 0, "%s", errbuf);
    int64_t v = 0;
    cr_assert_eq(db_query_int64(ro, SQL_COUNT, &v), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(db_exec(ro, "INSERT INTO t (name) VALUES ('z')"), ERR_UNAVAILABLE);
    db_close(ro);
    db_close(NULL);
}

Test(db, full_database_is_unavailable)
{
    /* a disk that fills up: the answer must be "unavailable" (503), not a
     * generic failure */
    int64_t pages = 0;
    cr_assert_eq(db_query_int64(u.db, "PRAGMA page_count", &pages), 0);
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages + 2);
    int64_t ignored = 0;
    cr_assert_eq(db_query_int64(u.db, sql, &ignored), 0);
    int rc = 0;
    for (int i = 0; i < 10000 && rc >= 0; i++)
        rc = db_exec(u.db, "INSERT INTO t (name) VALUES (hex(randomblob(400)))");
    cr_assert_eq(rc, ERR_UNAVAILABLE);
}

/* ---- migrations ---- */

Test(db, migrate_apply_twice)
{
    int applied = -1, version = -1;
    cr_assert_eq(migrate_version(u.db, &version), 0);
    cr_assert_eq(version, 0);
    cr_assert_eq(migrate_apply(u.db, &applied), 0, "%s", db_errmsg(u.db));
    cr_assert_geq(applied, 1);
    cr_assert_eq(migrate_version(u.db, &version), 0);
    cr_assert_eq(version, applied, "versions are numbered from 1 without gaps");
    cr_assert_eq(migrate_apply(u.db, &applied), 0);
    cr_assert_eq(applied, 0, "the second run applies nothing");
    cr_assert_eq(migrate_apply(u.db, NULL), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'org_node'"),
                 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT last_id FROM audit_head WHERE id = 1"), 0);
    cr_assert_eq(
        unit_db_int(u.db, "SELECT COUNT(*) FROM schema_migrations WHERE name LIKE '0001_%.sql'"),
        1);
}

Test(db, migrate_leaves_a_working_schema)
{
    cr_assert_eq(migrate_apply(u.db, NULL), 0);
    /* {{ID}} became an auto-assigned key */
    cr_assert_eq(db_exec(u.db, "INSERT INTO org_node (kind, code, name, path, depth, created_at,"
                               " updated_at) VALUES ('region', 'r', 'R', '/x/', 0, 1, 1)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT id FROM org_node"), 1);
    /* CHECK constraints came through */
    cr_assert_eq(db_exec(u.db, "INSERT INTO org_node (kind, code, name, path, depth, created_at,"
                               " updated_at) VALUES ('planet', 'p', 'P', '/y/', 0, 1, 1)"),
                 ERR_INVALID);
}

Test(db, migrate_render_macros)
{
    char *s = migrate_render("id {{ID}}, d {{BLOB}}, p {{TEXT_C}}", DB_SQLITE);
    cr_assert_str_eq(s, "id INTEGER PRIMARY KEY, d BLOB, p TEXT");
    free(s);
    s = migrate_render("id {{ID}}, d {{BLOB}}, p {{TEXT_C}}", DB_PG);
    cr_assert_str_eq(s, "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, d BYTEA,"
                        " p TEXT COLLATE \"C\"");
    free(s);
}

Test(db, migrate_render_leaves_other_text)
{
    static const char *const same[] = {"",      "no macros", "{{UNKNOWN}}", "{ID}",
                                       "{{ID}", "{{",        "{",           "'{{x}}'"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        char *s = migrate_render(same[i], DB_PG);
        cr_assert_not_null(s);
        cr_expect_str_eq(s, same[i]);
        free(s);
    }
    char *s = migrate_render("{{{ID}}}", DB_SQLITE);
    cr_assert_str_eq(s, "{INTEGER PRIMARY KEY}");
    free(s);
}

Test(db, migrate_render_grows)
{
    /* 1000 macros of 6 bytes expand to 51 bytes each: far past the first guess */
    size_t n = 1000;
    char *in = malloc(n * 6 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(in + i * 6, "{{ID}}", 6);
    in[n * 6] = '\0';
    char *s = migrate_render(in, DB_PG);
    cr_assert_not_null(s);
    size_t rep = strlen("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
    cr_assert_eq(strlen(s), n * rep);
    cr_assert_eq(strncmp(s + (n - 1) * rep, "BIGINT GENERATED", 16), 0);
    free(s);
    free(in);
}

/* ---- writer ---- */

static const char SQL_W_CREATE[] = "CREATE TABLE w (n INTEGER PRIMARY KEY)";
static const char SQL_W_INSERT[] = "INSERT INTO w (n) VALUES (?1)";

struct wjob {
    struct writer_job job;
    int n;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done_count;
static int gate_open = 1;

static int run_insert(struct db *db, void *arg, struct err *e)
{
    struct wjob *j = arg;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_W_INSERT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "prepare");
    db_bind_int64(st, 1, j->n);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, "n", "insert %d failed", j->n);
    /* every 10th job fails after its insert: the savepoint must undo it */
    if (j->n % 10 == 0)
        return err_set(e, ERR_INVALID, "n", "job %d refuses", j->n);
    return 1;
}

/* the first job of a test may hold the writer until the test opens the gate,
 * so that everything submitted meanwhile is queued together */
static int run_gate(struct db *db, void *arg, struct err *e)
{
    (void)db;
    (void)arg;
    (void)e;
    pthread_mutex_lock(&mu);
    while (!gate_open)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return 0;
}

static void on_done(struct writer_job *job)
{
    (void)job;
    pthread_mutex_lock(&mu);
    done_count++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void wait_done(int n)
{
    pthread_mutex_lock(&mu);
    while (done_count < n)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void open_gate(void)
{
    pthread_mutex_lock(&mu);
    gate_open = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static struct writer *w;

static void writer_init(void)
{
    init();
    cr_assert_eq(db_exec(u.db, SQL_W_CREATE), 0);
    char errbuf[256] = "";
    cr_assert_eq(writer_start(u.url, &w, errbuf, sizeof(errbuf)), 0, "%s", errbuf);
    done_count = 0;
    gate_open = 1;
}

static void writer_fini(void)
{
    writer_stop(w);
    w = NULL;
    fini();
}

TestSuite(writer, .init = writer_init, .fini = writer_fini);

static void setup_job(struct wjob *j, int n)
{
    memset(j, 0, sizeof(*j));
    j->n = n;
    j->job.run = run_insert;
    j->job.done = on_done;
    j->job.arg = j;
}

#define NJOBS 200
#define NTHREADS 4
static struct wjob jobs[NJOBS];

/* Criterion asserts belong on the test's own thread: count failures here */
static int submit_failures;

static void *submit_range(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int i = t; i < NJOBS; i += NTHREADS) {
        if (writer_submit(w, &jobs[i].job) != 0) {
            pthread_mutex_lock(&mu);
            submit_failures++;
            pthread_mutex_unlock(&mu);
        }
    }
    return NULL;
}

Test(writer, failing_jobs_roll_back_alone)
{
    for (int i = 0; i < NJOBS; i++)
        setup_job(&jobs[i], i + 1);
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++)
        cr_assert_eq(pthread_create(&th[t], NULL, submit_range, (void *)(intptr_t)t), 0);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    cr_assert_eq(submit_failures, 0);
    wait_done(NJOBS);

    for (int i = 0; i < NJOBS; i++) {
        if (jobs[i].n % 10 == 0) {
            cr_expect_eq(jobs[i].job.rc, ERR_INVALID, "job %d rc %d", jobs[i].n, jobs[i].job.rc);
            cr_expect_eq(jobs[i].job.err.code, ERR_INVALID);
            cr_expect_str_eq(jobs[i].job.err.field, "n");
        } else {
            cr_expect_eq(jobs[i].job.rc, 1, "job %d rc %d: %s", jobs[i].n, jobs[i].job.rc,
                         jobs[i].job.err.msg);
        }
    }
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w"), NJOBS - NJOBS / 10);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w WHERE n % 10 = 0"), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT SUM(n) FROM w"), 20100 - 2100);
    unsigned long long batches = 0, njobs = 0;
    writer_stats(w, &batches, &njobs);
    cr_assert_eq(njobs, NJOBS);
    cr_assert_geq(batches, 1);
}

Test(writer, queued_jobs_share_a_commit)
{
    static struct wjob gate;
    memset(&gate, 0, sizeof(gate));
    gate.job.run = run_gate;
    gate.job.done = on_done;
    gate_open = 0;
    cr_assert_eq(writer_submit(w, &gate.job), 0);
    for (int i = 0; i < NJOBS; i++) {
        setup_job(&jobs[i], i + 1);
        cr_assert_eq(writer_submit(w, &jobs[i].job), 0);
    }
    open_gate();
    wait_done(NJOBS + 1);
    unsigned long long batches = 0, njobs = 0;
    writer_stats(w, &batches, &njobs);
    cr_assert_eq(njobs, NJOBS + 1);
    cr_assert_leq(batches, 2, "%llu batches for %llu jobs queued together", batches, njobs);
    cr_assert_lt(batches, njobs);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w"), NJOBS - NJOBS / 10);
}

Test(writer, tight_loop_batches)
{
    /* no gate: jobs submitted faster than they commit still get grouped */
    for (int i = 0; i < NJOBS; i++) {
        setup_job(&jobs[i], i + 1);
        cr_assert_eq(writer_submit(w, &jobs[i].job), 0);
    }
    wait_done(NJOBS);
    unsigned long long batches = 0, njobs = 0;
    writer_stats(w, &batches, &njobs);
    cr_assert_eq(njobs, NJOBS);
    cr_assert_lt(batches, njobs, "%llu batches for %llu jobs", batches, njobs);
}

Test(writer, batch_size_is_capped)
{
    enum { MANY = 600 };
    static struct wjob many[MANY];
    static struct wjob gate;
    memset(&gate, 0, sizeof(gate));
    gate.job.run = run_gate;
    gate.job.done = on_done;
    gate_open = 0;
    cr_assert_eq(writer_submit(w, &gate.job), 0);
    for (int i = 0; i < MANY; i++) {
        setup_job(&many[i], i + 1);
        cr_assert_eq(writer_submit(w, &many[i].job), 0);
    }
    open_gate();
    wait_done(MANY + 1);
    unsigned long long batches = 0, njobs = 0;
    writer_stats(w, &batches, &njobs);
    cr_assert_eq(njobs, MANY + 1);
    /* 601 jobs in batches of at most WRITER_MAX_BATCH (256) */
    cr_assert_geq(batches, 3);
    cr_assert_leq(batches, 4);
    char *text = NULL;
    size_t len = 0;
    cr_assert_eq(metrics_render(&text, &len), 0);
    char want[128];
    snprintf(want, sizeof(want), "ck_db_commit_batch_size_bucket{le=\"256\"} %llu\n", batches);
    cr_assert(strstr(text, want) != NULL, "no batch may exceed 256:\n%s", text);
    free(text);
}

static int run_value(struct db *db, void *arg, struct err *e)
{
    (void)db;
    (void)e;
    return *(int *)arg;
}

static int run_conflict(struct db *db, void *arg, struct err *e)
{
    (void)arg;
    /* write something, then fail: nothing may remain */
    if (db_exec(db, "INSERT INTO w (n) VALUES (777)") < 0)
        return err_set(e, ERR_DB, NULL, "insert");
    return err_set(e, ERR_CONFLICT, "code", "code %s is taken", "x");
}

static int run_no_detail(struct db *db, void *arg, struct err *e)
{
    (void)db;
    (void)arg;
    (void)e;
    return ERR_NOTFOUND;
}

Test(writer, run_returns_the_job_rc)
{
    struct err e = {0};
    int v = 7;
    cr_assert_eq(writer_run(w, run_value, &v, &e), 7);
    v = 0;
    cr_assert_eq(writer_run(w, run_value, &v, NULL), 0);
    cr_assert_eq(writer_run(w, run_conflict, NULL, &e), ERR_CONFLICT);
    cr_assert_eq(e.code, ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    cr_assert_str_eq(e.msg, "code x is taken");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w WHERE n = 777"), 0);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(writer_run(w, run_no_detail, NULL, &e), ERR_NOTFOUND);
    cr_assert_eq(e.code, ERR_NOTFOUND, "the writer fills a missing err");
    cr_assert_str_eq(e.msg, "not_found");
}

Test(writer, constraint_failure_in_one_job)
{
    struct err e = {0};
    struct wjob a, b;
    setup_job(&a, 1);
    setup_job(&b, 1); /* same key: the second insert conflicts */
    a.job.done = NULL;
    b.job.done = NULL;
    cr_assert_eq(writer_run(w, run_insert, &a, &e), 1);
    cr_assert_eq(writer_run(w, run_insert, &b, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "n");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w"), 1);
}

Test(writer, stop_finishes_queued_jobs)
{
    for (int i = 0; i < 50; i++) {
        setup_job(&jobs[i], i + 1);
        cr_assert_eq(writer_submit(w, &jobs[i].job), 0);
    }
    writer_stop(w);
    w = NULL;
    cr_assert_eq(done_count, 50, "every queued job is done before writer_stop returns");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM w"), 45);
}

Test(writer, start_failure)
{
    struct writer *bad = (struct writer *)1;
    char errbuf[128] = "";
    cr_assert_eq(writer_start("sqlite:/nonexistent-dir-ck/w.db", &bad, errbuf, sizeof(errbuf)),
                 ERR_DB);
    cr_assert_null(bad);
    cr_assert_eq(writer_start("nope:", &bad, errbuf, sizeof(errbuf)), ERR_INVALID);
    cr_assert_null(bad);
}

/* test_walbuf.c - the WAL-gathering VFS: readers see every commit, nothing
 * acknowledged is lost when the process dies without closing, and the
 * database stays sound across many transactions and checkpoints. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/walbuf.h"
#include "unit_db.h"

static struct unit_db u;

static void init(void)
{
    unit_db_open(&u, 0);
    cr_assert_eq(db_exec(u.db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"), 0);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(walbuf, .init = init, .fini = fini);

static const char SQL_INS[] = "INSERT INTO t (v) VALUES (?1)";
static const char SQL_COUNT[] = "SELECT COUNT(*), COALESCE(SUM(LENGTH(v)), 0) FROM t";

/* one transaction of n rows of 3000 bytes (pages enough for several writes) */
static void commit_rows(struct db *db, int n)
{
    char v[3001];
    memset(v, 'x', 3000);
    v[3000] = '\0';
    cr_assert_eq(db_begin(db), 0);
    for (int i = 0; i < n; i++) {
        struct db_stmt *st = NULL;
        cr_assert_eq(db_prepare(db, SQL_INS, &st), 0);
        db_bind_text(st, 1, v);
        cr_assert_eq(db_step(st), DB_DONE);
        db_finalize(st);
    }
    cr_assert_eq(db_commit(db), 0);
}

static void counts(struct db *db, int64_t *rows, int64_t *bytes)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(db, SQL_COUNT, &st), 0);
    cr_assert_eq(db_step(st), DB_ROW);
    *rows = db_col_int64(st, 0);
    *bytes = db_col_int64(st, 1);
    db_finalize(st);
}

Test(walbuf, the_writer_uses_it_and_readers_see_each_commit)
{
    cr_assert_str_eq(walbuf_vfs(), WALBUF_VFS);
    struct db *reader = NULL;
    char msg[256] = "";
    cr_assert_eq(db_open(u.url, DB_OPEN_READONLY, &reader, msg, sizeof(msg)), 0, "%s", msg);
    int64_t rows = 0, bytes = 0, want = 0;
    /* 1 to 120 rows per commit: from one write to more than the buffer holds */
    for (int n = 1; n <= 120; n += 7) {
        commit_rows(u.db, n);
        want += n;
        counts(reader, &rows, &bytes);
        cr_assert_eq(rows, want, "after a commit of %d rows", n);
        cr_assert_eq(bytes, want * 3000);
    }
    db_close(reader);
    cr_assert_eq(db_exec(u.db, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, "PRAGMA integrity_check", &st), 0);
    cr_assert_eq(db_step(st), DB_ROW);
    cr_assert_str_eq(db_col_text(st, 0), "ok");
    db_finalize(st);
}

Test(walbuf, a_commit_survives_the_process_dying_without_closing)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        struct db *db = NULL;
        char msg[256] = "";
        if (db_open(u.url, 0, &db, msg, sizeof(msg)) < 0)
            _exit(2);
        for (int i = 0; i < 20; i++)
            commit_rows(db, 13);
        _exit(0); /* no close, no checkpoint: what was acknowledged is in the WAL */
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct db *fresh = NULL;
    char msg[256] = "";
    cr_assert_eq(db_open(u.url, DB_OPEN_READONLY, &fresh, msg, sizeof(msg)), 0, "%s", msg);
    int64_t rows = 0, bytes = 0;
    counts(fresh, &rows, &bytes);
    cr_assert_eq(rows, 20 * 13);
    db_close(fresh);
}

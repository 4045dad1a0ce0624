/* The read cache lives while nothing else commits, and no longer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "store/db.h"

static char path[64];
static struct db *reader, *writer;

static void setup(void)
{
    snprintf(path, sizeof(path), "/tmp/ck-readcache-%d.db", (int)getpid());
    char url[96];
    snprintf(url, sizeof(url), "sqlite:%s", path);
    cr_assert_eq(db_open(url, 0, &writer, NULL, 0), 0);
    cr_assert_eq(db_exec(writer, "CREATE TABLE t (x INTEGER)"), 0);
    cr_assert_eq(db_open(url, DB_OPEN_READONLY, &reader, NULL, 0), 0);
}

static void teardown(void)
{
    db_close(reader);
    db_close(writer);
    char side[80];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

TestSuite(readcache, .init = setup, .fini = teardown);

Test(readcache, hit_until_another_connection_commits)
{
    size_t len = 0;
    db_cache_sync(reader);
    cr_assert_null(db_cache_get(reader, "k", &len));
    db_cache_put(reader, "k", "value", 6);
    const char *v = db_cache_get(reader, "k", &len);
    cr_assert_not_null(v);
    cr_assert_eq(len, 6);
    cr_assert_str_eq(v, "value");

    db_cache_sync(reader); /* nothing changed: still there */
    cr_assert_not_null(db_cache_get(reader, "k", &len));

    cr_assert_eq(db_exec(writer, "INSERT INTO t VALUES (1)"), 0);
    db_note_commit(); /* as the writer thread does after each commit */
    db_cache_sync(reader);
    cr_assert_null(db_cache_get(reader, "k", &len), "an in-process commit empties the cache");
}

Test(readcache, commit_from_another_process_shows_within_the_recheck_time)
{
    size_t len = 0;
    db_cache_sync(reader);
    db_cache_put(reader, "k", "value", 6);
    /* a commit nobody in this process announced (the command line) */
    cr_assert_eq(db_exec(writer, "INSERT INTO t VALUES (2)"), 0);
    usleep((DB_CACHE_RECHECK_MS + 50) * 1000);
    db_cache_sync(reader);
    cr_assert_null(db_cache_get(reader, "k", &len));
}

Test(readcache, replace_and_bounded)
{
    size_t len = 0;
    db_cache_sync(reader);
    db_cache_put(reader, "k", "one", 4);
    db_cache_put(reader, "k", "two!", 5);
    const char *v = db_cache_get(reader, "k", &len);
    cr_assert_str_eq(v, "two!");
    /* many more entries than the table holds: never fails, stays usable */
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        db_cache_put(reader, key, &i, sizeof(i));
        const int *got = db_cache_get(reader, key, &len);
        cr_assert_not_null(got);
        cr_assert_eq(*got, i);
    }
    /* keys too long are not cached */
    char longkey[100];
    memset(longkey, 'a', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    db_cache_put(reader, longkey, "x", 2);
    cr_assert_null(db_cache_get(reader, longkey, &len));
}

Test(readcache, no_cache_before_sync)
{
    size_t len = 0;
    db_cache_put(reader, "k", "v", 2);
    cr_assert_null(db_cache_get(reader, "k", &len));
}

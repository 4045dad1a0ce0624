/* unit_db.h - a throw-away SQLite database for one unit test.
 *
 * Each Criterion test runs in its own process, so each gets its own directory
 * under /tmp (mkdtemp) holding "test.db" and SQLite's -wal/-shm files;
 * unit_db_close removes them all. Header-only (static inline) so every test
 * binary that includes it stays self-contained.
 */
#ifndef CK_UNIT_DB_H
#define CK_UNIT_DB_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/err.h"
#include "base/pii.h"
#include "domain/actor.h"
#include "store/db.h"
#include "store/migrate.h"

struct unit_db {
    char dir[64];
    char path[128];
    char url[160];
    struct db *db;
};

/* Create a fresh directory and open url "sqlite:DIR/test.db" into u->db;
 * with migrate set, apply every embedded migration. Fails the test on error. */
static inline void unit_db_open(struct unit_db *u, int migrate)
{
    char errbuf[256] = "";
    static const unsigned char test_key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                               12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    pii_key_set(test_key); /* the data key that protects citizens' numbers */
    memset(u, 0, sizeof(*u));
    snprintf(u->dir, sizeof(u->dir), "/tmp/ck-unit-XXXXXX");
    cr_assert_not_null(mkdtemp(u->dir), "mkdtemp failed");
    snprintf(u->path, sizeof(u->path), "%s/test.db", u->dir);
    snprintf(u->url, sizeof(u->url), "sqlite:%s", u->path);
    cr_assert_eq(crypto_init(), 0);
    cr_assert_eq(db_open(u->url, 0, &u->db, errbuf, sizeof(errbuf)), 0, "db_open: %s", errbuf);
    if (migrate) {
        int applied = -1;
        cr_assert_eq(migrate_apply(u->db, &applied), 0, "migrate: %s", db_errmsg(u->db));
        cr_assert_gt(applied, 0);
    }
}

/* Close u->db (if open) and delete the database files and the directory. */
static inline void unit_db_close(struct unit_db *u)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[192];
    db_close(u->db);
    u->db = NULL;
    if (!u->dir[0])
        return;
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", u->path, suffix[i]);
        unlink(p);
    }
    rmdir(u->dir);
    u->dir[0] = '\0';
}

/* Run sql (static text) and return column 0 of its first row; fails the test
 * when there is no row. */
static inline int64_t unit_db_int(struct db *db, const char *sql)
{
    int64_t v = 0;
    int rc = db_query_int64(db, sql, &v);
    cr_assert_eq(rc, 0, "%s: rc %d (%s)", sql, rc, db_errmsg(db));
    return v;
}

/* An administrator (or another role) whose scope is the node at path. */
static inline void unit_actor(struct actor *a, enum role role, int64_t node_id, const char *path,
                              int64_t staff_id)
{
    memset(a, 0, sizeof(*a));
    a->role = role;
    a->node_id = node_id;
    a->staff_id = staff_id;
    snprintf(a->scope, sizeof(a->scope), "%s", path);
    snprintf(a->name, sizeof(a->name), "tester-%s", role_name(role));
    snprintf(a->ip, sizeof(a->ip), "127.0.0.1");
    snprintf(a->request_id, sizeof(a->request_id), "unit");
}

#endif

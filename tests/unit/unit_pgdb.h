/* unit_pgdb.h - the same throw-away database as unit_db.h, on PostgreSQL.
 *
 * With CK_TEST_PG_URL set (scripts/test.sh starts a cluster and sets it),
 * unit_pgdb_open makes a fresh schema "ut_<pid>_<n>", opens a connection
 * whose search_path is that schema and applies every migration there, so
 * tests running in parallel share the database but not their tables.
 * Without the variable the test is skipped. unit_pgdb_close drops the
 * schema. Header-only, like unit_db.h.
 */
#ifndef CK_UNIT_PGDB_H
#define CK_UNIT_PGDB_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit_db.h"

static char unit_pg_schema[48];

/* Open u->db on a fresh, migrated schema (u->url holds its URL). */
static inline void unit_pgdb_open(struct unit_db *u)
{
    static const unsigned char test_key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                               12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                               23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    const char *base = getenv("CK_TEST_PG_URL");
    if (!base || !*base)
        cr_skip_test("CK_TEST_PG_URL is not set");
    memset(u, 0, sizeof(*u));
    pii_key_set(test_key);
    cr_assert_eq(crypto_init(), 0);
    static int seq;
    snprintf(unit_pg_schema, sizeof(unit_pg_schema), "ut_%d_%d", (int)getpid(), ++seq);
    char errbuf[256] = "", sql[128];
    struct db *admin = NULL;
    cr_assert_eq(db_open(base, 0, &admin, errbuf, sizeof(errbuf)), 0, "db_open: %s", errbuf);
    snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", unit_pg_schema);
    cr_assert_eq(db_exec(admin, sql), 0, "%s", db_errmsg(admin));
    db_close(admin);
    int n = snprintf(u->url, sizeof(u->url), "%s%soptions=-csearch_path%%3D%s", base,
                     strchr(base, '?') ? "&" : "?", unit_pg_schema);
    cr_assert(n > 0 && (size_t)n < sizeof(u->url), "URL too long");
    cr_assert_eq(db_open(u->url, 0, &u->db, errbuf, sizeof(errbuf)), 0, "db_open: %s", errbuf);
    int applied = -1;
    cr_assert_eq(migrate_apply(u->db, &applied), 0, "migrate: %s", db_errmsg(u->db));
    cr_assert_gt(applied, 0);
}

static inline void unit_pgdb_close(struct unit_db *u)
{
    db_close(u->db);
    u->db = NULL;
    const char *base = getenv("CK_TEST_PG_URL");
    if (!base || !*base || !unit_pg_schema[0])
        return;
    char errbuf[256] = "", sql[128];
    struct db *admin = NULL;
    if (db_open(base, 0, &admin, errbuf, sizeof(errbuf)) == 0) {
        snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", unit_pg_schema);
        db_exec(admin, sql);
        db_close(admin);
    }
    unit_pg_schema[0] = '\0';
}

#endif

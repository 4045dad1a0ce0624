/* db_impl.h - what a database backend provides to db.c. Private to src/store.
 *
 * A backend embeds struct db as the first member of its connection struct and
 * struct db_stmt as the first member of its statement struct, and fills a
 * const struct db_ops table. db.c forwards the public calls through it.
 */
#ifndef CK_DB_IMPL_H
#define CK_DB_IMPL_H

#include "store/db.h"

struct db_ops {
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    int (*exec)(struct db *db, const char *sql);
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
    int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
    int (*bind_text)(struct db_stmt *st, int idx, const char *s);
    int (*bind_blob)(struct db_stmt *st, int idx, const void *p, size_t n);
    int (*bind_null)(struct db_stmt *st, int idx);
    int (*step)(struct db_stmt *st);
    int64_t (*col_int64)(struct db_stmt *st, int col);
    const char *(*col_text)(struct db_stmt *st, int col);
    const void *(*col_blob)(struct db_stmt *st, int col, size_t *len);
    int (*col_is_null)(struct db_stmt *st, int col);
    int (*reset)(struct db_stmt *st);
    void (*finalize)(struct db_stmt *st);
    /* optional: a number that changes whenever another connection commits
     * (SQLite's PRAGMA data_version); NULL when the backend has none */
    int (*data_version)(struct db *db, int64_t *out);
};

struct readcache;

struct db {
    const struct db_ops *ops;
    enum db_kind kind;
    struct readcache *cache; /* see db_cache_* in db.h; owned */
    int auth_changed;        /* db_note_auth_change in the open transaction */
    int cache_pending;       /* db_cache_request: sync at the cache's first use */
};

struct db_stmt {
    struct db *db;
};

/* Free the read cache of db (db.c calls it on close). */
void db_cache_free(struct db *db);

/* Backend constructors; same contract as db_open with the scheme removed
 * (sqlite gets the path, pg gets the whole URI). */
int db_sqlite_open(const char *path, int flags, struct db **out, char *errbuf, size_t errlen);
int db_pg_open(const char *uri, int flags, struct db **out, char *errbuf, size_t errlen);

#endif

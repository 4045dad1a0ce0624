/* db_sqlite.c - the SQLite backend of db.h.
 *
 * Connections run in WAL mode with foreign keys on, synchronous=FULL and a busy
 * timeout (CHUANGKOU_BUSY_TIMEOUT_MS, default 5000). Prepared statements are
 * cached per connection, keyed by the address of their static SQL text, in
 * an open-addressing table that grows (every static statement of the program
 * stays prepared; a cap guards against a caller breaking the static-text
 * rule, whose statements are then prepared each time).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/db_impl.h"
#include "store/walbuf.h"

#define SQLITE_CACHE_MIN 128  /* slots at first; doubled at 70 % */
#define SQLITE_CACHE_MAX 4096 /* statements kept per connection at most */

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    const char *sql; /* cache key */
    char *text;      /* cached: a copy of the text, checked on every hit */
    int in_use;
    int cached;
};

struct sq_db {
    struct db base;
    sqlite3 *h;
    struct sq_stmt **slots; /* cap slots, NULL empty */
    size_t cap, n;
};

static int map_rc(sqlite3 *h, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return 0;
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
        return DB_DONE;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ERR_BUSY;
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        return ERR_UNAVAILABLE;
    case SQLITE_NOMEM:
        return ERR_NOMEM;
    case SQLITE_CONSTRAINT: {
        int ext = sqlite3_extended_errcode(h);
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
            return ERR_CONFLICT;
        return ERR_INVALID;
    }
    default:
        return ERR_DB;
    }
}

static int busy_timeout_ms(void)
{
    const char *v = getenv("CHUANGKOU_BUSY_TIMEOUT_MS");
    if (v && *v) {
        char *end = NULL;
        long ms = strtol(v, &end, 10);
        if (end && *end == '\0' && ms >= 0 && ms <= 600000)
            return (int)ms;
    }
    return 5000;
}

static void sq_close(struct db *db)
{
    struct sq_db *s = (struct sq_db *)db;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i])
            continue;
        sqlite3_finalize(s->slots[i]->st);
        free(s->slots[i]->text);
        free(s->slots[i]);
    }
    free(s->slots);
    sqlite3_close(s->h);
    free(s);
}

static const char *sq_errmsg(struct db *db)
{
    return sqlite3_errmsg(((struct sq_db *)db)->h);
}

static int sq_exec(struct db *db, const char *sql)
{
    struct sq_db *s = (struct sq_db *)db;
    int rc = sqlite3_exec(s->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : map_rc(s->h, rc);
}

/* the slot of key in a table of cap (a power of two) slots: its own, or the
 * empty one where it would go */
static size_t sq_slot(struct sq_stmt **slots, size_t cap, const char *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ull;
    size_t i = (size_t)(h >> 7) & (cap - 1);
    while (slots[i] && slots[i]->sql != key)
        i = (i + 1) & (cap - 1);
    return i;
}

/* room for one more entry; 0, or < 0 when the table may not grow */
static int sq_reserve(struct sq_db *s)
{
    if (s->cap && (s->n + 1) * 10 <= s->cap * 7)
        return 0;
    if (s->n >= SQLITE_CACHE_MAX)
        return ERR_TOOLARGE;
    size_t ncap = s->cap ? s->cap * 2 : SQLITE_CACHE_MIN;
    struct sq_stmt **ns = calloc(ncap, sizeof(struct sq_stmt *));
    if (!ns)
        return ERR_NOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            ns[sq_slot(ns, ncap, s->slots[i]->sql)] = s->slots[i];
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct sq_db *s = (struct sq_db *)db;
    *out = NULL;
    struct sq_stmt *c = s->cap ? s->slots[sq_slot(s->slots, s->cap, sql)] : NULL;
    /* the same address with another text means a caller broke the
     * static-text rule (SQL built in a buffer): that text is prepared each
     * time below (c keeps its slot) rather than a wrong statement run */
    if (c && !c->in_use && strcmp(c->text, sql) == 0) {
        c->in_use = 1;
        *out = &c->base;
        return 0;
    }
    struct sq_stmt *st = calloc(1, sizeof(*st));
    if (!st)
        return ERR_NOMEM;
    int rc = sqlite3_prepare_v2(s->h, sql, -1, &st->st, NULL);
    if (rc != SQLITE_OK) {
        free(st);
        return map_rc(s->h, rc) < 0 ? map_rc(s->h, rc) : ERR_DB;
    }
    st->base.db = db;
    st->sql = sql;
    st->in_use = 1;
    /* cache it unless the key's slot is taken (the same text in use twice
     * at once: this copy is finalized after use) or the table is full */
    if (!c && sq_reserve(s) == 0 && (st->text = strdup(sql)) != NULL) {
        st->cached = 1;
        s->slots[sq_slot(s->slots, s->cap, sql)] = st;
        s->n++;
    }
    *out = &st->base;
    return 0;
}

static sqlite3_stmt *raw(struct db_stmt *st)
{
    return ((struct sq_stmt *)st)->st;
}

static int bind_rc(struct db_stmt *st, int rc)
{
    if (rc == SQLITE_OK)
        return 0;
    return rc == SQLITE_RANGE ? ERR_INVALID : map_rc(((struct sq_db *)st->db)->h, rc);
}

static int sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return bind_rc(st, sqlite3_bind_int64(raw(st), idx, v));
}

static int sq_bind_text(struct db_stmt *st, int idx, const char *v)
{
    if (!v)
        return bind_rc(st, sqlite3_bind_null(raw(st), idx));
    return bind_rc(st, sqlite3_bind_text(raw(st), idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
    return bind_rc(st, sqlite3_bind_blob64(raw(st), idx, p, n, SQLITE_TRANSIENT));
}

static int sq_bind_null(struct db_stmt *st, int idx)
{
    return bind_rc(st, sqlite3_bind_null(raw(st), idx));
}

static int sq_step(struct db_stmt *st)
{
    int rc = sqlite3_step(raw(st));
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return map_rc(((struct sq_db *)st->db)->h, rc);
}

static int64_t sq_col_int64(struct db_stmt *st, int col)
{
    return sqlite3_column_int64(raw(st), col);
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(raw(st), col);
}

static const void *sq_col_blob(struct db_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(raw(st), col);
    *len = (size_t)sqlite3_column_bytes(raw(st), col);
    return p;
}

static int sq_col_is_null(struct db_stmt *st, int col)
{
    return sqlite3_column_type(raw(st), col) == SQLITE_NULL;
}

static int sq_reset(struct db_stmt *st)
{
    sqlite3_reset(raw(st));
    sqlite3_clear_bindings(raw(st));
    return 0;
}

static void sq_finalize(struct db_stmt *st)
{
    struct sq_stmt *s = (struct sq_stmt *)st;
    if (s->cached) {
        sqlite3_reset(s->st);
        sqlite3_clear_bindings(s->st);
        s->in_use = 0;
        return;
    }
    sqlite3_finalize(s->st);
    free(s);
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

/* Changes whenever another connection (the writer, another process) commits;
 * a statement, so that it starts a read transaction and sees the newest. */
static int sq_data_version(struct db *db, int64_t *out)
{
    struct db_stmt *st = NULL;
    int rc = sq_prepare(db, SQL_DATA_VERSION, &st);
    if (rc < 0 || !st)
        return rc < 0 ? rc : ERR_DB;
    rc = sq_step(st);
    if (rc == DB_ROW)
        *out = sq_col_int64(st, 0);
    sq_finalize(st);
    return rc == DB_ROW ? 0 : ERR_DB;
}

static const struct db_ops sqlite_ops = {
    .data_version = sq_data_version,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_blob = sq_bind_blob,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_is_null = sq_col_is_null,
    .reset = sq_reset,
    .finalize = sq_finalize,
};

/* Before SQLite starts: no memory statistics, so no global lock around
 * every allocation of every connection (we never read them). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *path, int flags, struct db **out, char *errbuf, size_t errlen)
{
    pthread_once(&sqlite_once, sqlite_setup);
    *out = NULL;
    struct sq_db *s = calloc(1, sizeof(*s));
    if (!s)
        return ERR_NOMEM;
    s->base.ops = &sqlite_ops;
    s->base.kind = DB_SQLITE;
    int oflags = (flags & DB_OPEN_READONLY) ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    oflags |= SQLITE_OPEN_NOMUTEX;
    /* the writer's commits through the gathering VFS; readers never write */
    const char *vfs = (flags & DB_OPEN_READONLY) ? NULL : walbuf_vfs();
    int rc = sqlite3_open_v2(path, &s->h, oflags, vfs);
    if (rc != SQLITE_OK) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "cannot open %s: %s", path,
                     s->h ? sqlite3_errmsg(s->h) : "out of memory");
        sqlite3_close(s->h);
        free(s);
        return ERR_DB;
    }
    sqlite3_extended_result_codes(s->h, 1);
    sqlite3_busy_timeout(s->h, busy_timeout_ms());
    const char *pragmas = (flags & DB_OPEN_READONLY)
                              ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                              : "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                                "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=4000;";
    char *msg = NULL;
    rc = sqlite3_exec(s->h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (errbuf && errlen)
            snprintf(errbuf, errlen, "cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(s->h);
        free(s);
        return ERR_DB;
    }
    *out = &s->base;
    return 0;
}

/* db.h - one database interface, two backends (SQLite and PostgreSQL).
 *
 * SQL is written once, in the dialect both engines share, with numbered
 * placeholders ?1, ?2 ... (never bare ? or $N). The PostgreSQL backend rewrites
 * ?N to $N. Values are bound as int64, text, blob or NULL and read back the
 * same way; booleans are integers 0/1.
 *
 * Thread safety: a struct db is used by one thread at a time. The HTTP
 * threads each keep their own read connection; the writer thread owns the one
 * write connection (see writer.h).
 */
#ifndef CK_DB_H
#define CK_DB_H

#include <stddef.h>
#include <stdint.h>

enum db_kind { DB_SQLITE = 1, DB_PG = 2 };

/* db_step results besides negative ERR_* codes */
enum { DB_DONE = 0, DB_ROW = 1 };

/* db_open flags */
enum { DB_OPEN_READONLY = 1 };

struct db;
struct db_stmt;

/* Open a connection. url is "sqlite:PATH" or "postgresql://..." (or
 * "postgres://..."). SQLite connections are put in WAL mode with foreign keys
 * on, a busy timeout and synchronous=FULL; PostgreSQL connections use UTC.
 * On success *out owns the connection (free with db_close). Returns ERR_INVALID
 * for an unknown scheme, ERR_DB (message in errbuf if given) when the server or
 * file cannot be opened. */
int db_open(const char *url, int flags, struct db **out, char *errbuf, size_t errlen);

/* Close and free; NULL is a no-op. Finalizes cached statements. */
void db_close(struct db *db);

enum db_kind db_kind(const struct db *db);

/* The last error message of this connection; never NULL, valid until the next
 * call on db. */
const char *db_errmsg(struct db *db);

/* Run one or more statements without parameters (DDL, BEGIN, SAVEPOINT ...).
 * Returns 0 or an ERR_* code mapped as for db_step. */
int db_exec(struct db *db, const char *sql);

/* Prepare a statement. sql must stay valid for the connection's lifetime
 * (static text): backends cache prepared statements keyed by the pointer.
 * *out is owned by the caller until db_finalize, which returns it to the cache.
 * A statement may not be prepared twice at once on one connection. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);

/* Bind parameter idx (1-based). Text and blobs are copied. text NULL binds
 * SQL NULL. Return 0 or ERR_INVALID for a bad index. */
int db_bind_int64(struct db_stmt *st, int idx, int64_t v);
int db_bind_text(struct db_stmt *st, int idx, const char *s);
int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n);
int db_bind_null(struct db_stmt *st, int idx);

/* Execute or advance. Returns DB_ROW when a row is available, DB_DONE when the
 * statement finished, or a negative code: ERR_CONFLICT for a unique-key
 * violation, ERR_INVALID for a foreign-key/check/not-null violation, ERR_BUSY
 * when the database is locked or busy, ERR_UNAVAILABLE when it is full or
 * read-only, ERR_DB otherwise. */
int db_step(struct db_stmt *st);

/* Column accessors (0-based) for the current row. Text and blob pointers are
 * valid until the next db_step, db_reset or db_finalize. db_col_text returns
 * NULL for SQL NULL. */
int64_t db_col_int64(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
int db_col_is_null(struct db_stmt *st, int col);

/* Reset for re-execution and clear all bindings. */
int db_reset(struct db_stmt *st);

/* Release a statement (back to the connection's cache); NULL is a no-op. */
void db_finalize(struct db_stmt *st);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE on
 * SQLite). Savepoint names must be plain identifiers. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
int db_savepoint(struct db *db, const char *name);
int db_release(struct db *db, const char *name);
int db_rollback_to(struct db *db, const char *name);

/* Convenience: prepare sql, bind nothing, step once and return column 0 of the
 * first row as int64 in *out. Returns ERR_NOTFOUND when there is no row. */
int db_query_int64(struct db *db, const char *sql, int64_t *out);

/* The read cache: results derived from the database, kept on a connection
 * and valid only while no other connection has committed. Call db_cache_sync
 * once at the start of each unit of work (a request): it drops every entry
 * when the database changed since the last call. Backends that cannot tell
 * (PostgreSQL, where other nodes write too) never cache: db_cache_get always
 * misses there. Keys are NUL-terminated strings up to 63 bytes; values are
 * copied. The cache is bounded (DB_CACHE_MAX_BYTES) and emptied when full. */
#define DB_CACHE_MAX_BYTES (2u << 20)

void db_cache_sync(struct db *db);
/* A request starts on db: the cache is synced (as db_cache_sync) when the
 * request first uses it, so requests that never read it pay nothing. */
void db_cache_request(struct db *db);

/* Tell the caches of this process that a commit happened (the writer calls it
 * after each commit, before answering). Between such notes a reader trusts
 * its cache without asking the database, for at most DB_CACHE_RECHECK_MS, so
 * a commit by another process (the command line) shows within that time. */
#define DB_CACHE_RECHECK_MS 250
void db_note_commit(void);

/* Who someone is may have changed (a staff member, a session, an org path)
 * in db's open transaction: once it commits (db_auth_committed, called by
 * the writer after each commit), db_auth_generation moves on and the
 * sessions cached by the HTTP layer are looked up again. */
void db_note_auth_change(struct db *db);
void db_auth_committed(struct db *db);
unsigned long db_auth_generation(void);
const void *db_cache_get(struct db *db, const char *key, size_t *len);
void db_cache_put(struct db *db, const char *key, const void *val, size_t len);

#endif

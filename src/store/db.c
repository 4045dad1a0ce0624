/* db.c - dispatch of the public database interface to its backend. */
#include "store/db.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "store/db_impl.h"

int db_open(const char *url, int flags, struct db **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    if (!url)
        return ERR_INVALID;
    if (strncmp(url, "sqlite:", 7) == 0)
        return db_sqlite_open(url + 7, flags, out, errbuf, errlen);
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return db_pg_open(url, flags, out, errbuf, errlen);
    if (errbuf && errlen)
        snprintf(errbuf, errlen, "unknown database url scheme (use sqlite:PATH or postgresql://)");
    return ERR_INVALID;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    db_cache_free(db);
    db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
    return db->kind;
}

const char *db_errmsg(struct db *db)
{
    return db->ops->errmsg(db);
}

int db_exec(struct db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    int rc = db->ops->prepare(db, sql, out);
    if (rc == ERR_DB || rc == ERR_INVALID) {
        char q[400];
        log_warn("db", "msg=\"prepare failed\" error=%s", log_quote(q, sizeof(q), db_errmsg(db)));
    }
    return rc;
}

int db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    return st->db->ops->bind_int64(st, idx, v);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s)
{
    return st->db->ops->bind_text(st, idx, s);
}

int db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t n)
{
    return st->db->ops->bind_blob(st, idx, p, n);
}

int db_bind_null(struct db_stmt *st, int idx)
{
    return st->db->ops->bind_null(st, idx);
}

int db_step(struct db_stmt *st)
{
    int rc = st->db->ops->step(st);
    if (rc == ERR_DB) {
        /* unexpected: keep the engine's words in the log (no bound values) */
        char q[400];
        log_warn("db", "error=%s", log_quote(q, sizeof(q), db_errmsg(st->db)));
    }
    return rc;
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
    return st->db->ops->col_int64(st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
    return st->db->ops->col_text(st, col);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
    return st->db->ops->col_blob(st, col, len);
}

int db_col_is_null(struct db_stmt *st, int col)
{
    return st->db->ops->col_is_null(st, col);
}

int db_reset(struct db_stmt *st)
{
    return st->db->ops->reset(st);
}

void db_finalize(struct db_stmt *st)
{
    if (st)
        st->db->ops->finalize(st);
}

/* a statement without rows, prepared once per connection (SQLite) */
static int run_cached(struct db *db, const char *sql)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_BEGIN_IMMEDIATE[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";

int db_begin(struct db *db)
{
    return db->kind == DB_SQLITE ? run_cached(db, SQL_BEGIN_IMMEDIATE) : db_exec(db, "BEGIN");
}

int db_commit(struct db *db)
{
    return db->kind == DB_SQLITE ? run_cached(db, SQL_COMMIT) : db_exec(db, "COMMIT");
}

int db_rollback(struct db *db)
{
    return db_exec(db, "ROLLBACK");
}

/* The writer's savepoint around each job, as cached statements: parsing
 * "SAVEPOINT job" anew twice per write costs more than the write's own
 * small statements. */
static const char *const JOB_SQL[] = {"SAVEPOINT job", "RELEASE SAVEPOINT job",
                                      "ROLLBACK TO SAVEPOINT job"};

static int savepoint_cmd(struct db *db, const char *verb, const char *name)
{
    if (db->kind == DB_SQLITE && strcmp(name, "job") == 0)
        return run_cached(db, verb[0] == 'S'                     ? JOB_SQL[0]
                              : verb[0] == 'R' && verb[1] == 'E' ? JOB_SQL[1]
                                                                 : JOB_SQL[2]);
    char sql[96];
    int n = snprintf(sql, sizeof(sql), "%s %s", verb, name);
    if (n < 0 || (size_t)n >= sizeof(sql))
        return ERR_INVALID;
    return db_exec(db, sql);
}

int db_savepoint(struct db *db, const char *name)
{
    return savepoint_cmd(db, "SAVEPOINT", name);
}

int db_release(struct db *db, const char *name)
{
    return savepoint_cmd(db, "RELEASE SAVEPOINT", name);
}

int db_rollback_to(struct db *db, const char *name)
{
    return savepoint_cmd(db, "ROLLBACK TO SAVEPOINT", name);
}

int db_query_int64(struct db *db, const char *sql, int64_t *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc == DB_ROW) {
        *out = db_col_int64(st, 0);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

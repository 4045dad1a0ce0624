/* db_pg.c - the PostgreSQL backend of db.h, on libpq.
 *
 * Contract: exactly that of db.h; this file only adds how it is kept on
 * PostgreSQL.
 *
 * - SQL placeholders ?N are rewritten to $N once per statement text, skipping
 *   string literals, quoted identifiers and comments. A bare `?` (not followed
 *   by a digit) is left alone, so jsonb operators still reach the server.
 * - Statements are cached per connection, keyed by the `const char *sql`
 *   pointer (db.h requires static text). Each is PQprepare'd once under a
 *   generated name ("s17") and run with PQexecPrepared afterwards. As a guard
 *   against a caller breaking the static-text rule, the cache also keeps a
 *   copy of the text and re-prepares when the text behind a pointer changed.
 * - A statement runs on its first db_step; all of its rows arrive in one
 *   PGresult (text format) and later steps walk them. Since every result is
 *   buffered whole, any number of statements may be open at once.
 * - Parameters go as text (int64 in decimal) or, for blobs, as binary; an
 *   unbound parameter is SQL NULL, as in SQLite. bytea results (hex output)
 *   are decoded into per-column buffers owned by the statement.
 * - Errors are mapped from SQLSTATE (see pg_map_sqlstate); the message kept
 *   for db_errmsg is the primary message and the SQLSTATE, without DETAIL,
 *   which may quote row values.
 *
 * Thread safety: as db.h, one thread per connection at a time.
 */
#include "store/db_impl.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/err.h"

/* pg_type.h is a server header; these OIDs are fixed. */
#define PG_BYTEA_OID 17
#define PG_TEXT_OID 25
/* The protocol carries the parameter count in 16 bits. */
#define PG_MAX_PARAMS 65535
#define PG_ERRMSG_MAX 512
#define PG_CACHE_MIN 64

enum pg_state {
    PG_ST_READY,  /* bound (or not), not yet executed */
    PG_ST_ROWS,   /* executed; walking the rows of res */
    PG_ST_DONE,   /* finished; steps return DB_DONE until reset */
    PG_ST_FAILED, /* execution failed; steps return the error until reset */
};

/* One bound parameter. buf keeps its capacity across bindings so a cached
 * statement does not allocate again for values of the same size. */
struct pg_param {
    char *buf;
    size_t cap;
};

/* A decoded bytea column of the current row; valid while row == the
 * statement's current row. */
struct pg_blob {
    unsigned char *p;
    size_t cap;
    size_t len;
    int row;
};

struct pg_stmt {
    struct db_stmt base;     /* must be first */
    const char *key;         /* the caller's static text: the cache key */
    char *text;              /* our copy of *key, to notice a reused pointer */
    char name[24];           /* server-side prepared statement name */
    int prepared;            /* name exists on the server */
    int in_use;              /* between db_prepare and db_finalize */
    int nparams;             /* highest ?N in text */
    struct pg_param *params; /* nparams of each of these four */
    const char **values;     /* NULL = SQL NULL */
    int *lengths;
    int *formats;
    enum pg_state state;
    int failed_rc;
    PGresult *res;
    int row; /* current row in res, -1 before the first */
    int nrows;
    int ncols;
    struct pg_blob *blobs; /* nblobs >= ncols while res is set */
    int nblobs;
};

struct pg_db {
    struct db base; /* must be first */
    PGconn *conn;
    struct pg_stmt **slots; /* open addressing on the key pointer */
    size_t cap;             /* power of two, or 0 */
    size_t count;
    unsigned next_name;
    char errmsg[PG_ERRMSG_MAX];
};

static const struct db_ops pg_ops;

static struct pg_db *pg_db_of(struct db *db)
{
    assert(db && db->kind == DB_PG);
    return (struct pg_db *)db;
}

static struct pg_stmt *pg_stmt_of(struct db_stmt *st)
{
    assert(st && st->db && st->db->kind == DB_PG);
    return (struct pg_stmt *)st;
}

/* ---- errors ---- */

/* Copy msg into dst as one line: libpq's messages end in a newline and may
 * hold "\n\t" continuation lines, which become single spaces. */
static void pg_copy_line(char *dst, size_t cap, const char *msg)
{
    size_t j = 0;
    int space = 0;

    if (!msg || !*msg)
        msg = "unknown postgresql error";
    for (; *msg && j + 1 < cap; msg++) {
        if (*msg == '\n' || *msg == '\r' || *msg == '\t') {
            space = 1;
            continue;
        }
        if (space && j > 0 && j + 2 < cap && dst[j - 1] != ' ')
            dst[j++] = ' ';
        space = 0;
        dst[j++] = *msg;
    }
    dst[j] = '\0';
}

static void pg_set_errmsg(struct pg_db *p, const char *msg)
{
    pg_copy_line(p->errmsg, sizeof(p->errmsg), msg);
}

/* The ERR_* code for a SQLSTATE (five characters). */
static int pg_map_sqlstate(const char *s)
{
    if (strcmp(s, "23505") == 0)
        return ERR_CONFLICT;
    if (strcmp(s, "23503") == 0 || strcmp(s, "23502") == 0 || strcmp(s, "23514") == 0 ||
        strncmp(s, "22", 2) == 0)
        return ERR_INVALID;
    if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0 || strcmp(s, "55P03") == 0 ||
        strcmp(s, "57014") == 0)
        return ERR_BUSY;
    /* 53: insufficient resources (disk full, out of memory, too many
     * connections); 25006: read-only transaction; 57P0x: server shutting
     * down or not accepting connections; 08: connection exceptions. */
    if (strncmp(s, "53", 2) == 0 || strcmp(s, "25006") == 0 || strncmp(s, "57P0", 4) == 0 ||
        strncmp(s, "08", 2) == 0)
        return ERR_UNAVAILABLE;
    return ERR_DB;
}

/* Record the failure behind res (which may be NULL) and return its ERR_*
 * code. Does not free res. */
static int pg_fail(struct pg_db *p, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (state && strlen(state) == 5) {
        if (primary) {
            snprintf(p->errmsg, sizeof(p->errmsg), "%s [%s]", primary, state);
        } else {
            pg_set_errmsg(p, PQresultErrorMessage(res));
        }
        return pg_map_sqlstate(state);
    }
    /* No SQLSTATE: a client-side failure (lost connection, out of memory,
     * protocol error). */
    if (res && *PQresultErrorMessage(res))
        pg_set_errmsg(p, PQresultErrorMessage(res));
    else
        pg_set_errmsg(p, PQerrorMessage(p->conn));
    if (PQstatus(p->conn) == CONNECTION_BAD)
        return ERR_UNAVAILABLE;
    return res ? ERR_DB : ERR_NOMEM;
}

/* ---- placeholders ---- */

static int pg_is_word_char(char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Rewrite ?N placeholders in sql to $N. Single-quoted literals (with E''
 * backslash escapes), double-quoted identifiers, -- and nested block comments
 * are copied unchanged. On success *out is a malloc'd string (never longer
 * than sql) and *nparams the highest N (0 when none); if types is not NULL,
 * types[N-1] is set to 0 ("infer") for each N <= ntypes that occurs. Returns
 * ERR_INVALID for ?0 or an N above the protocol's limit, ERR_NOMEM. */
static int pg_rewrite(const char *sql, char **out, int *nparams, Oid *types, int ntypes)
{
    size_t len = strlen(sql);
    char *o = malloc(len + 1);
    size_t i = 0, j = 0;
    int maxn = 0;

    if (!o)
        return ERR_NOMEM;
    while (i < len) {
        char c = sql[i];

        if (c == '\'') {
            /* E'..' (backslash escapes) when the quote follows a lone E. */
            int esc = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                      (i < 2 || !pg_is_word_char(sql[i - 2]));
            o[j++] = sql[i++];
            while (i < len) {
                if (esc && sql[i] == '\\' && i + 1 < len) {
                    o[j++] = sql[i++];
                    o[j++] = sql[i++];
                    continue;
                }
                if (sql[i] == '\'') {
                    o[j++] = sql[i++];
                    if (i < len && sql[i] == '\'') { /* '' inside a literal */
                        o[j++] = sql[i++];
                        continue;
                    }
                    break;
                }
                o[j++] = sql[i++];
            }
        } else if (c == '"') {
            o[j++] = sql[i++];
            while (i < len) {
                if (sql[i] == '"') {
                    o[j++] = sql[i++];
                    if (i < len && sql[i] == '"') {
                        o[j++] = sql[i++];
                        continue;
                    }
                    break;
                }
                o[j++] = sql[i++];
            }
        } else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                o[j++] = sql[i++];
        } else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
            int depth = 0;
            while (i < len) {
                if (sql[i] == '/' && i + 1 < len && sql[i + 1] == '*') {
                    depth++;
                    o[j++] = sql[i++];
                    o[j++] = sql[i++];
                } else if (sql[i] == '*' && i + 1 < len && sql[i + 1] == '/') {
                    depth--;
                    o[j++] = sql[i++];
                    o[j++] = sql[i++];
                    if (depth == 0)
                        break;
                } else {
                    o[j++] = sql[i++];
                }
            }
        } else if (c == '?' && i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            long n = 0;
            int w;

            i++;
            while (i < len && sql[i] >= '0' && sql[i] <= '9') {
                n = n * 10 + (sql[i] - '0');
                if (n > PG_MAX_PARAMS)
                    goto invalid;
                i++;
            }
            if (n == 0)
                goto invalid;
            /* "$N" is never longer than the "?N" it replaces (leading zeros
             * only shrink), so it fits in the remaining space. */
            w = snprintf(o + j, len + 1 - j, "$%ld", n);
            assert(w > 0 && (size_t)w < len + 1 - j);
            j += (size_t)w;
            if (n > maxn)
                maxn = (int)n;
            if (types && n <= ntypes)
                types[n - 1] = 0;
        } else {
            o[j++] = sql[i++];
        }
    }
    o[j] = '\0';
    *out = o;
    *nparams = maxn;
    return 0;

invalid:
    free(o);
    return ERR_INVALID;
}

/* ---- statements ---- */

/* Drop the result and decoded blobs of the last execution; keeps buffers. */
static void pg_stmt_clear_result(struct pg_stmt *s)
{
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
    s->ncols = 0;
}

/* Make every parameter SQL NULL again. */
static void pg_stmt_clear_bindings(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        s->values[i] = NULL;
        s->lengths[i] = 0;
        s->formats[i] = 0;
    }
}

/* Free the parameter arrays and their buffers. */
static void pg_stmt_free_params(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++)
        free(s->params[i].buf);
    free(s->params);
    free(s->values);
    free(s->lengths);
    free(s->formats);
    s->params = NULL;
    s->values = NULL;
    s->lengths = NULL;
    s->formats = NULL;
    s->nparams = 0;
}

static void pg_stmt_free(struct pg_stmt *s)
{
    if (!s)
        return;
    pg_stmt_clear_result(s);
    pg_stmt_free_params(s);
    for (int i = 0; i < s->nblobs; i++)
        free(s->blobs[i].p);
    free(s->blobs);
    free(s->text);
    free(s);
}

/* (Re)initialise s for the text sql: copy it, size the parameter arrays and
 * pick a fresh server-side name. The caller has already dropped the old
 * server statement. On failure s keeps its previous text and parameters. */
static int pg_stmt_setup(struct pg_db *p, struct pg_stmt *s, const char *sql)
{
    struct pg_stmt fresh = {0};
    char *rewritten = NULL;
    int n = 0;
    int rc = pg_rewrite(sql, &rewritten, &n, NULL, 0);

    if (rc < 0) {
        pg_set_errmsg(p, rc == ERR_NOMEM ? "out of memory" : "bad placeholder (use ?1 to ?65535)");
        return rc;
    }
    free(rewritten); /* only n is needed now; the server prepare rewrites again */
    fresh.text = strdup(sql);
    if (!fresh.text)
        goto nomem;
    if (n > 0) {
        fresh.nparams = n;
        fresh.params = calloc((size_t)n, sizeof(*fresh.params));
        fresh.values = calloc((size_t)n, sizeof(*fresh.values));
        fresh.lengths = calloc((size_t)n, sizeof(*fresh.lengths));
        fresh.formats = calloc((size_t)n, sizeof(*fresh.formats));
        if (!fresh.params || !fresh.values || !fresh.lengths || !fresh.formats)
            goto nomem;
    }
    pg_stmt_clear_result(s);
    pg_stmt_free_params(s);
    free(s->text);
    s->text = fresh.text;
    s->nparams = fresh.nparams;
    s->params = fresh.params;
    s->values = fresh.values;
    s->lengths = fresh.lengths;
    s->formats = fresh.formats;
    s->prepared = 0;
    s->state = PG_ST_READY;
    snprintf(s->name, sizeof(s->name), "s%u", p->next_name++);
    return 0;

nomem:
    pg_stmt_free_params(&fresh);
    free(fresh.text);
    pg_set_errmsg(p, "out of memory");
    return ERR_NOMEM;
}

/* Create the server-side prepared statement for s if it does not exist.
 * Parameters the text never mentions (?1 and ?3 but no ?2) are declared as
 * text, since the server cannot infer their type; they stay NULL unless bound,
 * as in SQLite. The others are inferred from their use. */
static int pg_stmt_server_prepare(struct pg_db *p, struct pg_stmt *s)
{
    char *rewritten = NULL;
    Oid *types = NULL;
    int n = 0;
    int rc;
    PGresult *res;

    if (s->prepared)
        return 0;
    if (s->nparams > 0) {
        types = malloc((size_t)s->nparams * sizeof(*types));
        if (!types) {
            pg_set_errmsg(p, "out of memory");
            return ERR_NOMEM;
        }
        for (int i = 0; i < s->nparams; i++)
            types[i] = PG_TEXT_OID;
    }
    rc = pg_rewrite(s->text, &rewritten, &n, types, s->nparams);
    if (rc < 0) {
        pg_set_errmsg(p, rc == ERR_NOMEM ? "out of memory" : "bad placeholder");
        goto done;
    }
    assert(n == s->nparams);
    res = PQprepare(p->conn, s->name, rewritten, s->nparams, types);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_fail(p, res);
    } else {
        s->prepared = 1;
        rc = 0;
    }
    PQclear(res);

done:
    free(rewritten);
    free(types);
    return rc;
}

/* ---- the statement cache ---- */

static size_t pg_hash(const void *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key;

    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h;
}

/* The slot holding key, or the empty slot where it would go. cap > 0. */
static size_t pg_cache_slot(const struct pg_db *p, const char *key)
{
    size_t mask = p->cap - 1;
    size_t i = pg_hash(key) & mask;

    while (p->slots[i] && p->slots[i]->key != key)
        i = (i + 1) & mask;
    return i;
}

/* Make room for one more entry (load factor at most 1/2). */
static int pg_cache_reserve(struct pg_db *p)
{
    size_t ncap;
    struct pg_stmt **old = p->slots;
    size_t ocap = p->cap;

    if ((p->count + 1) * 2 <= p->cap)
        return 0;
    ncap = p->cap ? p->cap * 2 : PG_CACHE_MIN;
    p->slots = calloc(ncap, sizeof(*p->slots)); /* NOLINT(bugprone-sizeof-expression) */
    if (!p->slots) {
        p->slots = old;
        return ERR_NOMEM;
    }
    p->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i])
            p->slots[pg_cache_slot(p, old[i]->key)] = old[i];
    }
    free(old);
    return 0;
}

/* Drop the server side of s; best effort (fails harmlessly inside an aborted
 * transaction, and the name is never reused). */
static void pg_stmt_server_drop(struct pg_db *p, struct pg_stmt *s)
{
    char sql[48];
    PGresult *res;

    if (!s->prepared)
        return;
    s->prepared = 0;
    if (snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name) >= (int)sizeof(sql))
        return;
    res = PQexec(p->conn, sql);
    PQclear(res);
}

/* ---- struct db_ops: connection ---- */

static void pg_close(struct db *db)
{
    struct pg_db *p = pg_db_of(db);

    for (size_t i = 0; i < p->cap; i++)
        pg_stmt_free(p->slots[i]);
    free(p->slots);
    PQfinish(p->conn);
    free(p);
}

static const char *pg_errmsg(struct db *db)
{
    return pg_db_of(db)->errmsg;
}

static int pg_exec(struct db *db, const char *sql)
{
    struct pg_db *p = pg_db_of(db);
    PGresult *res = PQexec(p->conn, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;

    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        rc = pg_fail(p, res);
    PQclear(res);
    return rc;
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
    struct pg_db *p = pg_db_of(db);
    struct pg_stmt *s;
    size_t slot;
    int rc;

    *out = NULL;
    if (!sql) {
        pg_set_errmsg(p, "no sql");
        return ERR_INVALID;
    }
    if (pg_cache_reserve(p) < 0) {
        pg_set_errmsg(p, "out of memory");
        return ERR_NOMEM;
    }
    slot = pg_cache_slot(p, sql);
    s = p->slots[slot];
    if (s) {
        if (s->in_use) {
            pg_set_errmsg(p, "statement is already in use on this connection");
            return ERR_INVALID;
        }
        if (strcmp(s->text, sql) != 0) {
            /* The pointer was reused for other text: the caller broke the
             * static-text rule, but a wrong cached plan would be worse. */
            pg_stmt_server_drop(p, s);
            rc = pg_stmt_setup(p, s, sql);
            if (rc < 0)
                return rc;
        }
    } else {
        s = calloc(1, sizeof(*s));
        if (!s) {
            pg_set_errmsg(p, "out of memory");
            return ERR_NOMEM;
        }
        s->base.db = db;
        s->key = sql;
        s->row = -1;
        rc = pg_stmt_setup(p, s, sql);
        if (rc < 0) {
            pg_stmt_free(s);
            return rc;
        }
        p->slots[slot] = s;
        p->count++;
    }
    rc = pg_stmt_server_prepare(p, s);
    if (rc < 0)
        return rc; /* stays cached unprepared; the next db_prepare retries */
    pg_stmt_clear_result(s);
    pg_stmt_clear_bindings(s);
    s->state = PG_ST_READY;
    s->in_use = 1;
    *out = &s->base;
    return 0;
}

/* ---- struct db_ops: binding ---- */

/* Store n bytes of v as parameter idx with the given wire format. */
static int pg_bind_bytes(struct db_stmt *st, int idx, const void *v, size_t n, int format)
{
    struct pg_stmt *s = pg_stmt_of(st);
    struct pg_db *p = pg_db_of(st->db);
    struct pg_param *pp;

    if (idx < 1 || idx > s->nparams) {
        pg_set_errmsg(p, "bind index out of range");
        return ERR_INVALID;
    }
    if (n >= INT_MAX) {
        pg_set_errmsg(p, "bound value too large");
        return ERR_TOOLARGE;
    }
    pp = &s->params[idx - 1];
    if (pp->cap < n + 1) {
        char *nb = realloc(pp->buf, n + 1);
        if (!nb) {
            pg_set_errmsg(p, "out of memory");
            return ERR_NOMEM;
        }
        pp->buf = nb;
        pp->cap = n + 1;
    }
    if (n)
        memcpy(pp->buf, v, n);
    pp->buf[n] = '\0';
    s->values[idx - 1] = pp->buf;
    s->lengths[idx - 1] = (int)n;
    s->formats[idx - 1] = format;
    return 0;
}

static int pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof(num), "%" PRId64, v);

    assert(n > 0 && (size_t)n < sizeof(num));
    return pg_bind_bytes(st, idx, num, (size_t)n, 0);
}

static int pg_bind_null(struct db_stmt *st, int idx)
{
    struct pg_stmt *s = pg_stmt_of(st);

    if (idx < 1 || idx > s->nparams) {
        pg_set_errmsg(pg_db_of(st->db), "bind index out of range");
        return ERR_INVALID;
    }
    s->values[idx - 1] = NULL;
    s->lengths[idx - 1] = 0;
    s->formats[idx - 1] = 0;
    return 0;
}

static int pg_bind_text(struct db_stmt *st, int idx, const char *v)
{
    if (!v)
        return pg_bind_null(st, idx);
    return pg_bind_bytes(st, idx, v, strlen(v), 0);
}

static int pg_bind_blob(struct db_stmt *st, int idx, const void *v, size_t n)
{
    return pg_bind_bytes(st, idx, v, n, 1);
}

/* ---- struct db_ops: execution and columns ---- */

/* Run the prepared statement with its bindings and keep the result. */
static int pg_run(struct pg_db *p, struct pg_stmt *s)
{
    PGresult *res;
    ExecStatusType status;
    int rc;

    if (!s->prepared) { /* defensive: db_prepare only hands out prepared ones */
        rc = pg_stmt_server_prepare(p, s);
        if (rc < 0)
            return rc;
    }
    res = PQexecPrepared(p->conn, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
    status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY) {
        PQclear(res);
        s->state = PG_ST_DONE;
        return DB_DONE;
    }
    if (status != PGRES_TUPLES_OK) {
        rc = pg_fail(p, res);
        PQclear(res);
        return rc;
    }
    s->ncols = PQnfields(res);
    if (s->ncols > s->nblobs) {
        struct pg_blob *nb = realloc(s->blobs, (size_t)s->ncols * sizeof(*nb));
        if (!nb) {
            PQclear(res);
            s->ncols = 0;
            pg_set_errmsg(p, "out of memory");
            return ERR_NOMEM;
        }
        memset(nb + s->nblobs, 0, (size_t)(s->ncols - s->nblobs) * sizeof(*nb));
        s->blobs = nb;
        s->nblobs = s->ncols;
    }
    for (int i = 0; i < s->ncols; i++)
        s->blobs[i].row = -1;
    s->res = res;
    s->nrows = PQntuples(res);
    s->row = -1;
    s->state = PG_ST_ROWS;
    return DB_ROW; /* caller advances to the first row */
}

static int pg_step(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt_of(st);
    struct pg_db *p = pg_db_of(st->db);
    int rc;

    switch (s->state) {
    case PG_ST_READY:
        rc = pg_run(p, s);
        if (rc < 0) {
            s->state = PG_ST_FAILED;
            s->failed_rc = rc;
            return rc;
        }
        if (rc == DB_DONE)
            return DB_DONE;
        break;
    case PG_ST_ROWS:
        break;
    case PG_ST_DONE:
        return DB_DONE;
    case PG_ST_FAILED:
        return s->failed_rc;
    }
    s->row++;
    if (s->row < s->nrows)
        return DB_ROW;
    pg_stmt_clear_result(s);
    s->state = PG_ST_DONE;
    return DB_DONE;
}

/* The text of column col in the current row, NULL for SQL NULL or when there
 * is no such column or row. */
static const char *pg_value(struct pg_stmt *s, int col)
{
    if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= s->ncols)
        return NULL;
    if (PQgetisnull(s->res, s->row, col))
        return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_col_int64(struct db_stmt *st, int col)
{
    const char *v = pg_value(pg_stmt_of(st), col);
    char *end = NULL;
    long long n;

    if (!v)
        return 0;
    if (strcmp(v, "t") == 0)
        return 1;
    if (strcmp(v, "f") == 0)
        return 0;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (end && (*end == '.' || *end == 'e' || *end == 'E')) {
        /* numeric or float: truncate toward zero as SQLite does */
        double d = strtod(v, NULL);
        if (isnan(d))
            return 0;
        if (d >= 9223372036854775807.0)
            return INT64_MAX;
        if (d <= -9223372036854775808.0)
            return INT64_MIN;
        return (int64_t)d;
    }
    return (int64_t)n; /* strtoll saturates on overflow */
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
    return pg_value(pg_stmt_of(st), col);
}

static int pg_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
    struct pg_stmt *s = pg_stmt_of(st);
    const char *v = pg_value(s, col);
    struct pg_blob *b;
    size_t vlen, n;

    *len = 0;
    if (!v)
        return NULL;
    vlen = (size_t)PQgetlength(s->res, s->row, col);
    if (PQftype(s->res, col) != PG_BYTEA_OID || vlen < 2 || v[0] != '\\' || v[1] != 'x') {
        /* not bytea (or not hex output): the bytes of the text form */
        *len = vlen;
        return v;
    }
    b = &s->blobs[col];
    if (b->row == s->row) {
        *len = b->len;
        return b->p;
    }
    n = (vlen - 2) / 2;
    if (b->cap < n + 1) {
        unsigned char *nb = realloc(b->p, n + 1);
        if (!nb) {
            pg_set_errmsg(pg_db_of(st->db), "out of memory");
            return NULL;
        }
        b->p = nb;
        b->cap = n + 1;
    }
    for (size_t i = 0; i < n; i++) {
        int hi = pg_hexval(v[2 + 2 * i]);
        int lo = pg_hexval(v[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            pg_set_errmsg(pg_db_of(st->db), "malformed bytea value");
            return NULL;
        }
        b->p[i] = (unsigned char)(hi << 4 | lo);
    }
    b->p[n] = 0;
    b->len = n;
    b->row = s->row;
    *len = n;
    return b->p;
}

static int pg_col_is_null(struct db_stmt *st, int col)
{
    return pg_value(pg_stmt_of(st), col) == NULL;
}

static int pg_reset(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt_of(st);

    pg_stmt_clear_result(s);
    pg_stmt_clear_bindings(s);
    s->state = PG_ST_READY;
    s->failed_rc = 0;
    return 0;
}

static void pg_finalize(struct db_stmt *st)
{
    struct pg_stmt *s = pg_stmt_of(st);

    pg_reset(st);
    s->in_use = 0;
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .errmsg = pg_errmsg,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_is_null = pg_col_is_null,
    .reset = pg_reset,
    .finalize = pg_finalize,
};

/* ---- open ---- */

static void pg_open_error(char *errbuf, size_t errlen, const char *what, const char *msg)
{
    char line[PG_ERRMSG_MAX];

    if (!errbuf || !errlen)
        return;
    pg_copy_line(line, sizeof(line), msg);
    snprintf(errbuf, errlen, "%s: %s", what, line);
}

int db_pg_open(const char *uri, int flags, struct db **out, char *errbuf, size_t errlen)
{
    /* bytea_output and client_encoding are the defaults we rely on; say so
     * rather than inherit a server or role setting. */
    static const char session_sql[] = "SET TIME ZONE 'UTC'; SET client_min_messages = warning; "
                                      "SET bytea_output = hex; SET client_encoding = 'UTF8'";
    struct pg_db *p = NULL;
    int rc = ERR_DB;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (!p) {
        pg_open_error(errbuf, errlen, "postgresql", "out of memory");
        return ERR_NOMEM;
    }
    p->base.ops = &pg_ops;
    p->base.kind = DB_PG;
    p->next_name = 1;
    p->conn = PQconnectdb(uri);
    if (!p->conn) {
        pg_open_error(errbuf, errlen, "postgresql", "out of memory");
        rc = ERR_NOMEM;
        goto fail;
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        pg_open_error(errbuf, errlen, "postgresql connect", PQerrorMessage(p->conn));
        goto fail;
    }
    rc = pg_exec(&p->base, session_sql);
    if (rc == 0) {
        /* a lock held too long answers "busy" (503) instead of hanging */
        char lt[64];
        long ms = 5000;
        const char *env = getenv("CHUANGKOU_BUSY_TIMEOUT_MS");
        if (env && *env) {
            char *end = NULL;
            long v = strtol(env, &end, 10);
            if (end && *end == '\0' && v >= 0 && v <= 600000)
                ms = v;
        }
        snprintf(lt, sizeof(lt), "SET lock_timeout = %ld", ms);
        rc = pg_exec(&p->base, lt);
    }
    if (rc == 0 && (flags & DB_OPEN_READONLY))
        rc = pg_exec(&p->base, "SET default_transaction_read_only = on");
    if (rc < 0) {
        pg_open_error(errbuf, errlen, "postgresql session setup", p->errmsg);
        rc = ERR_DB;
        goto fail;
    }
    *out = &p->base;
    return 0;

fail:
    PQfinish(p->conn);
    free(p);
    return rc;
}

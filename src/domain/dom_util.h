/* dom_util.h - small helpers the domain modules share (header only): a name
 * among a list, a database error as the API reports it, bounded copies of
 * texts and columns, an optional id bound as NULL. */
#ifndef CK_DOM_UTIL_H
#define CK_DOM_UTIL_H

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/db.h"

/* 1 when s is one of names[0..n). */
static inline int one_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* A database failure into e: busy, unavailable and out of memory keep their
 * code (503s the client may retry), anything else is ERR_DB. */
static inline int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

static inline void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* Column col as an arena copy, NULL for SQL NULL; *oom set when the copy fails. */
static inline const char *col_copy(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = db_col_text(st, col);
    if (!s)
        return NULL;
    char *c = arena_strdup(a, s);
    if (!c)
        *oom = 1;
    return c;
}

static inline void bind_opt_id(struct db_stmt *st, int idx, int64_t v)
{
    if (v > 0)
        db_bind_int64(st, idx, v);
    else
        db_bind_null(st, idx);
}

#endif

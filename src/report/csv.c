/* csv.c - a bounded RFC 4180 CSV reader and writer (see csv.h). */
#include "report/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

static int fail(struct csv_error *err, int code, int row, int column, int line, const char *fmt,
                ...) __attribute__((format(printf, 6, 7)));

static int fail(struct csv_error *err, int code, int row, int column, int line, const char *fmt,
                ...)
{
    if (err) {
        err->row = row;
        err->column = column;
        err->line = line;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

/* The reader's working state: one field is gathered in `field` (malloc'd,
 * max_field + 1 bytes), one record's fields in `cols` (arena). */
struct reader {
    const char *buf;
    size_t len, i;
    int line;
    struct csv_limits lim;
    struct arena *a;
    char *field;
    size_t flen;
    char **cols;
    int ncols;
    struct csv_error *err;
};

static int field_add(struct reader *rd, char c, int row, int column, int line)
{
    if (rd->flen >= rd->lim.max_field)
        return fail(rd->err, ERR_TOOLARGE, row, column, line,
                    "row %d column %d: the field is longer than %zu bytes", row, column,
                    rd->lim.max_field);
    rd->field[rd->flen++] = c;
    return 0;
}

/* Read one field starting at rd->i; leaves rd->i on the separator, line
 * break or end. */
static int read_field(struct reader *rd, int row, int column)
{
    int start_line = rd->line;
    rd->flen = 0;
    if (rd->i < rd->len && rd->buf[rd->i] == '"') {
        rd->i++;
        for (;;) {
            if (rd->i >= rd->len)
                return fail(rd->err, ERR_INVALID, row, column, start_line,
                            "row %d column %d (line %d): a quoted field is not closed", row, column,
                            start_line);
            char c = rd->buf[rd->i];
            int rc = 0;
            if (c == '"') {
                if (rd->i + 1 < rd->len && rd->buf[rd->i + 1] == '"') {
                    rc = field_add(rd, '"', row, column, start_line);
                    rd->i += 2;
                } else {
                    rd->i++;
                    break;
                }
            } else if (c == '\r' || c == '\n') {
                /* CRLF and a lone CR inside a field are read as LF */
                rc = field_add(rd, '\n', row, column, start_line);
                rd->i += (c == '\r' && rd->i + 1 < rd->len && rd->buf[rd->i + 1] == '\n') ? 2 : 1;
                rd->line++;
            } else if (c == '\0') {
                return fail(rd->err, ERR_INVALID, row, column, rd->line,
                            "row %d column %d (line %d): NUL byte", row, column, rd->line);
            } else {
                rc = field_add(rd, c, row, column, start_line);
                rd->i++;
            }
            if (rc < 0)
                return rc;
        }
        if (rd->i < rd->len && rd->buf[rd->i] != ',' && rd->buf[rd->i] != '\r' &&
            rd->buf[rd->i] != '\n')
            return fail(rd->err, ERR_INVALID, row, column, rd->line,
                        "row %d column %d (line %d): text after the closing quote of a field", row,
                        column, rd->line);
    } else {
        while (rd->i < rd->len) {
            char c = rd->buf[rd->i];
            if (c == ',' || c == '\r' || c == '\n')
                break;
            if (c == '"')
                return fail(rd->err, ERR_INVALID, row, column, rd->line,
                            "row %d column %d (line %d): a quote inside an unquoted field (quote "
                            "the whole field and double the quote)",
                            row, column, rd->line);
            if (c == '\0')
                return fail(rd->err, ERR_INVALID, row, column, rd->line,
                            "row %d column %d (line %d): NUL byte", row, column, rd->line);
            int rc = field_add(rd, c, row, column, start_line);
            if (rc < 0)
                return rc;
            rd->i++;
        }
    }
    if (rd->ncols >= rd->lim.max_cols)
        return fail(rd->err, ERR_TOOLARGE, row, column, start_line, "row %d: more than %d columns",
                    row, rd->lim.max_cols);
    char *s = arena_strndup(rd->a, rd->field, rd->flen);
    if (!s)
        return ERR_NOMEM;
    rd->cols[rd->ncols++] = s;
    return 0;
}

/* consume one line break at rd->i (CRLF, LF or CR) */
static void skip_break(struct reader *rd)
{
    if (rd->buf[rd->i] == '\r' && rd->i + 1 < rd->len && rd->buf[rd->i + 1] == '\n')
        rd->i++;
    rd->i++;
    rd->line++;
}

static int read_all(struct reader *rd, struct csv_table *out)
{
    int cap = 0, row = 0;
    while (rd->i < rd->len) {
        row++;
        if (rd->buf[rd->i] == '\r' || rd->buf[rd->i] == '\n') {
            skip_break(rd); /* an empty line: counted, not kept */
            continue;
        }
        if (out->nrows >= rd->lim.max_rows)
            return fail(rd->err, ERR_TOOLARGE, row, 0, rd->line, "more than %d rows",
                        rd->lim.max_rows);
        int line = rd->line;
        rd->ncols = 0;
        for (;;) {
            int rc = read_field(rd, row, rd->ncols + 1);
            if (rc < 0)
                return rc;
            if (rd->i >= rd->len)
                break;
            if (rd->buf[rd->i] == ',') {
                rd->i++;
                if (rd->i >= rd->len) { /* "a,b," at the very end: a last empty field */
                    rc = read_field(rd, row, rd->ncols + 1);
                    if (rc < 0)
                        return rc;
                    break;
                }
                continue;
            }
            skip_break(rd);
            break;
        }
        if (out->nrows == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct csv_row *grown = arena_alloc(rd->a, sizeof(*grown) * (size_t)ncap);
            if (!grown)
                return ERR_NOMEM;
            if (out->nrows)
                memcpy(grown, out->rows, sizeof(*grown) * (size_t)out->nrows);
            out->rows = grown;
            cap = ncap;
        }
        struct csv_row *r = &out->rows[out->nrows++];
        r->fields = arena_alloc(rd->a, sizeof(char *) * (size_t)rd->ncols);
        if (!r->fields)
            return ERR_NOMEM;
        memcpy(r->fields, rd->cols, sizeof(char *) * (size_t)rd->ncols);
        r->n = rd->ncols;
        r->line = line;
        r->row = row;
    }
    return 0;
}

int csv_read(const char *buf, size_t len, const struct csv_limits *limits, struct arena *a,
             struct csv_table *out, struct csv_error *err)
{
    struct reader rd;
    memset(&rd, 0, sizeof(rd));
    memset(out, 0, sizeof(*out));
    if (err)
        memset(err, 0, sizeof(*err));
    if (limits)
        rd.lim = *limits;
    if (!rd.lim.max_bytes)
        rd.lim.max_bytes = CSV_MAX_BYTES;
    if (!rd.lim.max_rows)
        rd.lim.max_rows = CSV_MAX_ROWS;
    if (!rd.lim.max_field)
        rd.lim.max_field = CSV_MAX_FIELD;
    if (!rd.lim.max_cols)
        rd.lim.max_cols = CSV_MAX_COLS;
    if (len > rd.lim.max_bytes)
        return fail(err, ERR_TOOLARGE, 0, 0, 0, "the file is larger than %zu bytes",
                    rd.lim.max_bytes);
    rd.buf = buf;
    rd.len = buf ? len : 0;
    rd.line = 1;
    rd.a = a;
    rd.err = err;
    if (rd.len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        rd.i = 3;
    rd.field = malloc(rd.lim.max_field + 1);
    rd.cols = arena_alloc(a, sizeof(char *) * (size_t)rd.lim.max_cols);
    if (!rd.field || !rd.cols) {
        free(rd.field);
        return ERR_NOMEM;
    }
    int rc = read_all(&rd, out);
    free(rd.field);
    if (rc < 0)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* ---- writing ---- */

static int buf_reserve(struct csv_buf *b, size_t more)
{
    size_t max = b->max ? b->max : CSV_MAX_BYTES;
    if (more > max || b->len + more > max)
        return ERR_TOOLARGE;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown)
        return ERR_NOMEM;
    b->data = grown;
    b->cap = cap;
    return 0;
}

static int buf_put(struct csv_buf *b, const char *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc < 0)
        return rc;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int csv_write_bom(struct csv_buf *b)
{
    return buf_put(b, "\xef\xbb\xbf", 3);
}

static int is_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int csv_needs_guard(const char *s)
{
    if (!s || !*s)
        return 0;
    if (is_formula_start(s[0]))
        return 1;
    return s[0] == '\'' && (is_formula_start(s[1]) || s[1] == '\'');
}

const char *csv_unguard(const char *s)
{
    if (s && s[0] == '\'' && (is_formula_start(s[1]) || s[1] == '\''))
        return s + 1;
    return s;
}

static int write_field(struct csv_buf *b, const char *s, int flags)
{
    int rc = 0;
    int guard = (flags & CSV_GUARD_FORMULAS) && csv_needs_guard(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        rc = buf_put(b, "\"", 1);
    if (rc == 0 && guard)
        rc = buf_put(b, "'", 1);
    while (rc == 0 && *s) {
        size_t run = strcspn(s, "\"");
        rc = buf_put(b, s, run);
        s += run;
        if (rc == 0 && *s == '"') {
            rc = buf_put(b, "\"\"", 2);
            s++;
        }
    }
    if (rc == 0 && quote)
        rc = buf_put(b, "\"", 1);
    return rc;
}

int csv_write_row(struct csv_buf *b, const char *const *fields, int n, int flags)
{
    size_t mark = b->len;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        if (i > 0)
            rc = buf_put(b, ",", 1);
        if (rc == 0)
            rc = write_field(b, fields[i] ? fields[i] : "", flags);
    }
    if (rc == 0)
        rc = buf_put(b, "\r\n", 2);
    if (rc < 0) {
        b->len = mark;
        if (b->data)
            b->data[mark] = '\0';
    }
    return rc;
}

void csv_buf_free(struct csv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

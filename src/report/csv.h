/* csv.h - a bounded RFC 4180 CSV reader and writer.
 *
 * Reading: fields are separated by commas and records by CRLF, LF or a lone
 * CR. A field that holds a comma, a quote or a line break is enclosed in
 * double quotes, and a quote inside it is doubled (""). A CRLF inside a
 * quoted field is read as LF. A leading UTF-8 byte-order mark is skipped
 * (spreadsheets write one), a final line break is optional, and a completely
 * empty line is skipped. Malformed quoting (a quote inside an unquoted
 * field, text after a closing quote, a quoted field left open at the end) and
 * NUL bytes are errors that name the record (row, 1-based), the field
 * (column, 1-based) and the physical line. Character encoding is the
 * caller's business (the reader only moves bytes).
 *
 * Writing: fields are quoted when they need it, records end with CRLF.
 * Optionally each field that a spreadsheet would take for a formula is
 * guarded with a leading apostrophe (see csv_guard below).
 *
 * Memory: everything read lives in the arena given; the writer's buffer is
 * malloc'd and capped. No global state; thread-safe.
 */
#ifndef CK_CSV_H
#define CK_CSV_H

#include <stddef.h>

#include "base/arena.h"

#define CSV_MAX_BYTES ((size_t)5 << 20) /* a whole file */
#define CSV_MAX_ROWS 2000               /* records, the header included */
#define CSV_MAX_FIELD 8000              /* bytes of one field */
#define CSV_MAX_COLS 64                 /* fields of one record */

struct csv_limits {
    size_t max_bytes; /* 0: CSV_MAX_BYTES */
    int max_rows;     /* 0: CSV_MAX_ROWS */
    size_t max_field; /* 0: CSV_MAX_FIELD */
    int max_cols;     /* 0: CSV_MAX_COLS */
};

struct csv_row {
    char **fields; /* NUL-terminated, in the arena */
    int n;
    int row;  /* record number as a spreadsheet shows it (1-based; empty lines count) */
    int line; /* physical line (1-based) where the record starts */
};

struct csv_table {
    struct csv_row *rows;
    int nrows;
};

/* Where and why reading failed. row and column are 0 when they do not apply
 * (e.g. the whole file is too large). */
struct csv_error {
    int row, column, line;
    char msg[160];
};

/* Parse buf[0..len) into *out (arrays and strings in a). limits may be NULL
 * for the defaults. Returns 0, ERR_INVALID (malformed) or ERR_TOOLARGE (a
 * limit passed) with *err filled, or ERR_NOMEM. */
int csv_read(const char *buf, size_t len, const struct csv_limits *limits, struct arena *a,
             struct csv_table *out, struct csv_error *err);

/* A growing output buffer with a cap; free with csv_buf_free. */
struct csv_buf {
    char *data; /* malloc'd, NUL-terminated once anything was written */
    size_t len, cap;
    size_t max; /* 0: CSV_MAX_BYTES */
};

enum { CSV_GUARD_FORMULAS = 1 };

/* Append the UTF-8 byte-order mark (for spreadsheets that would otherwise
 * guess a legacy encoding). Returns 0, ERR_NOMEM or ERR_TOOLARGE. */
int csv_write_bom(struct csv_buf *b);

/* Append one record of n fields (NULL counts as ""), quoted as needed, and
 * CRLF. flags: CSV_GUARD_FORMULAS guards fields with csv_guard's rule.
 * Returns 0, ERR_NOMEM or ERR_TOOLARGE (the buffer is left as it was). */
int csv_write_row(struct csv_buf *b, const char *const *fields, int n, int flags);

/* Free the buffer's data and zero it; safe on a zeroed buffer. */
void csv_buf_free(struct csv_buf *b);

/* Spreadsheet formula guard. A field starting with = + - @ TAB or CR would be
 * run as a formula when the file is opened in a spreadsheet; the writer
 * prefixes such a field with an apostrophe, and also a field that starts
 * with an apostrophe followed by one of those characters or another
 * apostrophe. csv_unguard undoes exactly that: it returns s without its first
 * character when s starts with an apostrophe followed by = + - @ ' TAB or CR,
 * else s itself (pointer into s; no copy). */
int csv_needs_guard(const char *s);
const char *csv_unguard(const char *s);

#endif

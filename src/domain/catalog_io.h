/* catalog_io.h - the catalogue as a file: export to CSV or XLSX, import from
 * CSV. The format (one row per item, Chinese headers with the English key in
 * parentheses, materials, steps and places packed into single cells) is
 * documented in docs/catalog-csv.md; the column table lives in catalog_io.c.
 *
 * Import is all or nothing per file: every row is checked fully first (its
 * content, its unit and places, the caller's scope), every fault reported as
 * {row, field, message}; nothing is written when any row has a fault unless
 * the caller chose to skip the faulty rows. A written row creates the item or
 * replaces its draft (a row equal to the draft, or to the current version
 * when there is no draft, changes nothing); it is published only when its
 * `publish` cell says 是 (or the caller asks to publish every row).
 */
#ifndef CK_CATALOG_IO_H
#define CK_CATALOG_IO_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define CATALOG_IO_MAX_ITEMS 2000         /* rows of one file, the header not counted */
#define CATALOG_IO_FIELD_MAX (512u << 10) /* one cell: the largest legal steps cell fits */
#define CATALOG_IO_MAX_ERRORS 500         /* faults kept for the report */
#define CATALOG_IO_EXPORT_MAX ((size_t)64 << 20)

enum catalog_io_format { CATALOG_IO_CSV = 1, CATALOG_IO_XLSX };

struct catalog_io_error {
    int row;        /* spreadsheet row: the header is row 1; 0 for the whole file */
    char field[64]; /* column key, e.g. "unit", "materials[2].name"; "" for the file */
    char message[192];
};

struct catalog_import_result {
    int rows; /* data rows read */
    int created, updated, unchanged, published;
    int skipped;                     /* rows left out for their faults */
    struct catalog_io_error *errors; /* the first CATALOG_IO_MAX_ERRORS faults, in row order */
    int nerrors;                     /* faults kept in errors */
    int nfaults;                     /* faults found (may exceed nerrors) */
};

/* Export the active items whose unit lies in scope ("" = all) and, when
 * unit_id is not 0, under that unit: for each its current version, else its
 * draft. *out is malloc'd (caller frees), *len bytes. CSV starts with a
 * UTF-8 byte-order mark. Returns 0; ERR_TOOLARGE over CATALOG_IO_MAX_ITEMS
 * items or CATALOG_IO_EXPORT_MAX bytes; ERR_NOTFOUND for an unknown unit_id;
 * ERR_INVALID when a cell does not fit a spreadsheet; or another ERR_* (e
 * says why). Reads only; any thread with its own connection. */
int catalog_io_export(struct db *db, const char *scope, int64_t unit_id,
                      enum catalog_io_format format, char **out, size_t *len, struct err *e);

/* Import the CSV in data[0..len) as who (an admin or the command line),
 * inside the caller's write transaction. skip_errors: write the good rows
 * and skip the faulty ones; publish_all: publish every written row. The
 * report goes to *res (errors in a). Returns 0 when the rows without faults
 * were written (all rows, unless skip_errors); ERR_INVALID when some row or
 * the file has a fault and nothing was written (a file that cannot be read
 * at all - bad quoting, unknown or missing columns - is never imported, even
 * with skip_errors); ERR_TOOLARGE for a file over the limits; ERR_FORBIDDEN
 * for an actor who may not write; another ERR_* on database failure, after
 * which the caller must roll back. e holds a one-line summary. */
int catalog_io_import(struct db *db, const struct actor *who, const char *data, size_t len,
                      int skip_errors, int publish_all, struct arena *a,
                      struct catalog_import_result *res, struct err *e);

#endif

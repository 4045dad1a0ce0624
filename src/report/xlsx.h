/* xlsx.h - write a one-sheet XLSX workbook of text (and integer) cells with
 * libxlsxwriter.
 *
 * libxlsxwriter writes to a file, so the workbook goes to a private temporary
 * file (mkstemp under $TMPDIR or /tmp), is read back into memory and the file
 * removed. Cells are written as strings (never as formulas), so nothing in
 * the data can run in a spreadsheet. Thread-safe: no shared state.
 */
#ifndef CK_XLSX_H
#define CK_XLSX_H

#include <stddef.h>

#define XLSX_MAX_BYTES ((size_t)64 << 20) /* the finished workbook */
#define XLSX_CELL_MAX 32767               /* characters in one cell (Excel's limit) */

struct xlsx_table {
    const char *sheet;         /* sheet name (at most 31 characters, no []:*?/\) */
    const char *const *header; /* ncols header cells, written bold and frozen */
    int ncols;
    const char *const *cells; /* nrows * ncols cells, row by row; NULL = empty */
    int nrows;
    const double *widths;         /* ncols column widths in characters, or NULL */
    const unsigned char *numeric; /* ncols flags: write a cell holding a plain
                                   * decimal integer as a number; or NULL */
};

/* Render t into *out (malloc'd, caller frees; *len bytes). Returns 0,
 * ERR_INVALID (a cell over XLSX_CELL_MAX characters or a bad sheet name;
 * errbuf says which), ERR_IO (temporary file) or ERR_NOMEM. */
int xlsx_write_table(const struct xlsx_table *t, char **out, size_t *len, char *errbuf,
                     size_t errlen);

#endif

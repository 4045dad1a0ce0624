/* xlsx.c - one-sheet XLSX workbooks with libxlsxwriter (see xlsx.h). */
#include "report/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "base/err.h"

static void set_msg(char *errbuf, size_t errlen, const char *msg)
{
    if (errbuf && errlen)
        snprintf(errbuf, errlen, "%s", msg);
}

/* a plain decimal integer that fits a double exactly */
static int plain_integer(const char *s, double *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return 0;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == n || (s[i] == '0' && n > i + 1))
        return 0;
    for (size_t k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return 0;
    *out = strtod(s, NULL);
    return 1;
}

static int count_chars_over(const char *s, size_t max)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80 && ++n > max)
            return 1;
    return 0;
}

/* Excel's sheet-name rules, checked here so the library does not complain
 * on stderr: 1-31 characters, none of []:*?/\, no apostrophe at either end */
static int sheet_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || strpbrk(s, "[]:*?/\\") || s[0] == '\'' || s[n - 1] == '\'')
        return 0;
    return !count_chars_over(s, 31);
}

/* fill the workbook; returns 0 or an ERR_* code with errbuf set */
static int fill(lxw_workbook *wb, const struct xlsx_table *t, char *errbuf, size_t errlen)
{
    if (!sheet_name_ok(t->sheet)) {
        set_msg(errbuf, errlen, "bad sheet name");
        return ERR_INVALID;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
    lxw_format *bold = workbook_add_format(wb);
    lxw_format *wrap = workbook_add_format(wb);
    if (!ws || !bold || !wrap) {
        set_msg(errbuf, errlen, ws ? "out of memory" : "bad sheet name");
        return ws ? ERR_NOMEM : ERR_INVALID;
    }
    format_set_bold(bold);
    format_set_text_wrap(wrap);
    format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
    worksheet_freeze_panes(ws, 1, 0);
    for (int c = 0; c < t->ncols; c++) {
        if (t->widths)
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, t->widths[c], NULL);
        if (worksheet_write_string(ws, 0, (lxw_col_t)c, t->header[c], bold) != LXW_NO_ERROR) {
            set_msg(errbuf, errlen, "cannot write the header");
            return ERR_INVALID;
        }
    }
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            if (!s || !*s)
                continue;
            double num;
            lxw_error rc;
            if (t->numeric && t->numeric[c] && plain_integer(s, &num)) {
                rc = worksheet_write_number(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, num, NULL);
            } else {
                if (count_chars_over(s, XLSX_CELL_MAX)) {
                    if (errbuf && errlen)
                        snprintf(errbuf, errlen,
                                 "row %d column %d holds more than %d characters (the most a "
                                 "spreadsheet cell holds)",
                                 r + 2, c + 1, XLSX_CELL_MAX);
                    return ERR_INVALID;
                }
                rc = worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, s, wrap);
            }
            if (rc != LXW_NO_ERROR) {
                if (errbuf && errlen)
                    snprintf(errbuf, errlen, "row %d column %d: %s", r + 2, c + 1,
                             lxw_strerror(rc));
                return rc == LXW_ERROR_MEMORY_MALLOC_FAILED ? ERR_NOMEM : ERR_INVALID;
            }
        }
    }
    return 0;
}

/* read the whole file at path into a malloc'd buffer */
static int slurp(const char *path, char **out, size_t *len, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_msg(errbuf, errlen, "cannot read the workbook back");
        return ERR_IO;
    }
    struct stat st;
    int rc = 0;
    char *data = NULL;
    if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (size_t)st.st_size > XLSX_MAX_BYTES) {
        set_msg(errbuf, errlen, "the workbook is too large");
        rc = ERR_TOOLARGE;
        goto done;
    }
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        rc = ERR_NOMEM;
        goto done;
    }
    if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        set_msg(errbuf, errlen, "cannot read the workbook back");
        free(data);
        data = NULL;
        rc = ERR_IO;
        goto done;
    }
    *out = data;
    *len = (size_t)st.st_size;
done:
    fclose(f);
    return rc;
}

int xlsx_write_table(const struct xlsx_table *t, char **out, size_t *len, char *errbuf,
                     size_t errlen)
{
    *out = NULL;
    *len = 0;
    const char *dir = getenv("TMPDIR");
    char path[512];
    int n = snprintf(path, sizeof(path), "%s/ck-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(path)) {
        set_msg(errbuf, errlen, "TMPDIR is too long");
        return ERR_IO;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        set_msg(errbuf, errlen, "cannot create a temporary file");
        return ERR_IO;
    }
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        unlink(path);
        set_msg(errbuf, errlen, "cannot start the workbook");
        return ERR_NOMEM;
    }
    int rc = fill(wb, t, errbuf, errlen);
    lxw_error closed = workbook_close(wb); /* frees wb, writes the file */
    if (rc == 0 && closed != LXW_NO_ERROR) {
        set_msg(errbuf, errlen, lxw_strerror(closed));
        rc = ERR_IO;
    }
    if (rc == 0)
        rc = slurp(path, out, len, errbuf, errlen);
    unlink(path);
    return rc;
}

/* unit_pdf.h - looking inside rendered PDFs with poppler-utils (pdftotext,
 * pdftoppm), for the report tests. Header-only like unit_db.h.
 *
 * The PDF is written to a mkstemp file under /tmp and removed again; the
 * tools run through popen with that path only (no outside input).
 */
#ifndef CK_UNIT_PDF_H
#define CK_UNIT_PDF_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write len bytes of pdf to a fresh temp file; its path into path[32]. */
static inline void unit_pdf_write(const char *pdf, size_t len, char *path)
{
    snprintf(path, 32, "/tmp/ck-pdf-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp failed");
    cr_assert_eq(write(fd, pdf, len), (ssize_t)len, "short write");
    close(fd);
}

/* Run cmd and return its standard output (malloc'd, NUL-terminated, length
 * in *len if not NULL); fails the test when it cannot run or exits non-zero. */
static inline char *unit_run(const char *cmd, size_t *len)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    cr_assert_not_null(out);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 4096) {
            cap *= 2;
            out = realloc(out, cap);
            cr_assert_not_null(out);
        }
    }
    out[n] = '\0';
    int st = pclose(p);
    cr_assert_eq(st, 0, "%s exited with %d", cmd, st);
    if (len)
        *len = n;
    return out;
}

/* The text of pages first..last (0, 0: all) as pdftotext gives it; with
 * layout set, in pdftotext -layout's physical layout. Caller frees. */
static inline char *unit_pdf_text(const char *pdf, size_t len, int first, int last, int layout)
{
    char path[32], cmd[160];
    unit_pdf_write(pdf, len, path);
    if (first > 0)
        snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 %s -f %d -l %d %s -",
                 layout ? "-layout" : "", first, last, path);
    else
        snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 %s %s -", layout ? "-layout" : "",
                 path);
    char *text = unit_run(cmd, NULL);
    unlink(path);
    return text;
}

/* How many pixels of page 1, rendered in grey at 40 dpi, are darker than
 * mid-grey: 0 means nothing visible was drawn. */
static inline long unit_pdf_ink(const char *pdf, size_t len)
{
    char path[32], cmd[160];
    unit_pdf_write(pdf, len, path);
    snprintf(cmd, sizeof(cmd), "pdftoppm -q -gray -r 40 -f 1 -l 1 %s", path);
    size_t n = 0;
    char *pgm = unit_run(cmd, &n);
    unlink(path);
    int w = 0, h = 0, max = 0, off = 0;
    cr_assert_eq(sscanf(pgm, "P5 %d %d %d%n", &w, &h, &max, &off), 3, "not a PGM");
    off++; /* the single whitespace after maxval */
    cr_assert_geq(n, (size_t)off + (size_t)w * (size_t)h, "short PGM");
    long dark = 0;
    for (long i = 0; i < (long)w * h; i++)
        dark += (unsigned char)pgm[off + i] < 128;
    free(pgm);
    return dark;
}

/* 1 when needle occurs in haystack. */
static inline int unit_has(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* A copy of s without spaces, tabs, newlines and form feeds (malloc'd). */
static inline char *unit_squeeze(const char *s)
{
    char *out = malloc(strlen(s) + 1);
    cr_assert_not_null(out);
    size_t n = 0;
    for (; *s; s++)
        if (!strchr(" \t\r\n\f", *s))
            out[n++] = *s;
    out[n] = '\0';
    return out;
}

/* unit_has ignoring white space in both: prose wraps wherever the line
 * ends, and pdftotext drops or keeps spaces between Chinese characters. */
static inline int unit_has_flat(const char *haystack, const char *needle)
{
    char *h = unit_squeeze(haystack), *n = unit_squeeze(needle);
    int found = strstr(h, n) != NULL;
    free(h);
    free(n);
    return found;
}

#endif

/* pdf.h - A4 documents in Chinese, rendered to PDF in memory with cairo and
 * pango (font: Noto Sans CJK SC, regular and bold, from fonts-noto-cjk).
 *
 * A document is built as a list of blocks (title, heading, paragraph, table,
 * spacer, page break, anchor, table of contents), then rendered in two
 * passes: the first lays every block out and paginates (a block that does
 * not fit goes to the next page; long paragraphs split between lines, tables
 * between rows with the header row repeated), which tells the number of
 * pages and the page of every anchor; the second draws, with "第 N 页 共 M
 * 页" in the footer and the table of contents filled with those page numbers.
 * Text is real text (searchable, copyable), shaped and wrapped by pango
 * (PANGO_WRAP_WORD_CHAR), never markup: any string is drawn as it is.
 *
 * Errors are sticky: the first failure of any pdf_* call (out of memory) is
 * kept and returned by every later call, so a builder can add all its blocks
 * and check the result of pdf_render once.
 *
 * Thread safety: a document belongs to one thread. Different documents may be
 * built and rendered on different threads at once (no global state; pango's
 * font map is per thread). Rendering is slow work (milliseconds to seconds):
 * never call pdf_render on an HTTP polling thread (see req_defer).
 */
#ifndef CK_PDF_H
#define CK_PDF_H

#include <stddef.h>

#define PDF_MAX_BYTES ((size_t)64 << 20) /* a rendered document's cap */
#define PDF_MAX_COLS 12
#define PDF_MAX_ANCHORS 5000

struct pdf_doc;

/* Text styles: each is a font family, size and weight. */
enum pdf_style {
    PDF_BODY = 0,    /* regular, 10.5 pt */
    PDF_TITLE,       /* bold, 22 pt: the document's title */
    PDF_COVER_TITLE, /* bold, 34 pt: a cover page */
    PDF_SUBTITLE,    /* regular, 13 pt */
    PDF_HEADING,     /* bold, 13 pt: a section heading */
    PDF_HEADING2,    /* bold, 11.5 pt */
    PDF_SMALL,       /* regular, 9 pt */
    PDF_BOLD,        /* bold, 11 pt: emphasis */
};

/* Flags of a text block. */
enum pdf_flags {
    PDF_CENTER = 1,        /* centred lines */
    PDF_RIGHT = 2,         /* right-aligned lines */
    PDF_INDENT = 4,        /* first line indented two characters (Chinese prose) */
    PDF_KEEP_TOGETHER = 8, /* never split this block between pages */
    PDF_KEEP_NEXT = 16,    /* do not leave it last on a page (headings) */
    PDF_HANG = 32,         /* lines after the first indented two characters (lists) */
    PDF_LOOSE = 64,        /* wide line spacing (signature lines) */
};

struct pdf_meta {
    const char *title;   /* document title (PDF metadata); NULL: none */
    const char *subject; /* NULL: none */
    const char *footer;  /* small text at the left of every footer; NULL: none */
    int first_numbered;  /* first page with a footer (1-based); 0 or 1: all */
};

/* A new empty document; meta's strings are copied. NULL when out of memory. */
struct pdf_doc *pdf_new(const struct pdf_meta *meta);

/* Free the document; NULL is a no-op. */
void pdf_free(struct pdf_doc *d);

/* Add a text block (UTF-8; invalid sequences are replaced; '\n' starts a new
 * line). text is copied. Returns 0 or the sticky error. */
int pdf_text(struct pdf_doc *d, enum pdf_style style, unsigned flags, const char *text);

/* Vertical space in points (dropped at the top of a page). */
int pdf_space(struct pdf_doc *d, double points);

/* Start a new page unless the current page is still empty. */
int pdf_page_break(struct pdf_doc *d);

/* Vertical space to put the next block about `fraction` (0..1) of the way
 * down the text area of the current page (cover pages). */
int pdf_vfill(struct pdf_doc *d, double fraction);

/* A table. cells holds nrows * ncols strings, row by row (NULL: empty);
 * row_marked[i] (optional) shades row i and sets it in bold. Column widths are relative weights.
 * The header row repeats on each page the table spans. Everything is copied. */
struct pdf_column {
    const char *title;
    double weight; /* > 0 */
    int center;    /* 1: centre the column's cells */
};

struct pdf_table {
    const struct pdf_column *cols;
    int ncols; /* 1..PDF_MAX_COLS */
    const char *const *cells;
    int nrows;
    const int *row_marked; /* NULL: none */
};

int pdf_table(struct pdf_doc *d, const struct pdf_table *t);

/* An anchor for the table of contents and the PDF outline (bookmarks):
 * `title` is its entry; it points at the page where the next block lands.
 * Returns 0 or the sticky error (ERR_TOOLARGE past PDF_MAX_ANCHORS). */
int pdf_anchor(struct pdf_doc *d, const char *title);

/* The table of contents: one line per anchor of the document (those before
 * and after it alike), its title and page number, each a link to the page. */
int pdf_toc(struct pdf_doc *d);

/* Lay out, paginate and draw. On success *out is a malloc'd PDF (free with
 * free()) of *len bytes, and *pages (if not NULL) the page count. Returns 0,
 * the sticky error, ERR_NOMEM, ERR_TOOLARGE (over PDF_MAX_BYTES) or ERR_IO
 * (cairo failed). The document may be rendered again. */
int pdf_render(struct pdf_doc *d, char **out, size_t *len, int *pages);

/* The page (1-based) of anchor i (in the order added) as of the last
 * successful pdf_render; 0 if unknown. */
int pdf_anchor_page(const struct pdf_doc *d, int i);

#endif

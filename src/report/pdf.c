/* pdf.c - A4 documents rendered with cairo + pango: blocks in, PDF bytes out.
 *
 * pdf_render makes two passes over the blocks. The layout pass creates the
 * pango layouts, paginates, and records draw operations (a line of text at a
 * baseline, a cell's layout, a rule, a shaded box) with their page; it also
 * learns each anchor's page. The draw pass replays the operations page by
 * page, adding the footers (now that the page count is known) and the table
 * of contents' page numbers. Both passes measure with the same pango context
 * on the PDF surface, so what was measured is what is drawn.
 */
#include "report/pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "report/outbuf.h"

/* A4 in points, and the text area. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN_X 62.0
#define MARGIN_TOP 60.0
#define MARGIN_BOTTOM 72.0
#define TEXT_W (PAGE_W - 2 * MARGIN_X)
#define TEXT_TOP MARGIN_TOP
#define TEXT_BOTTOM (PAGE_H - MARGIN_BOTTOM)
#define FOOTER_Y (PAGE_H - MARGIN_BOTTOM + 30.0)

#define CELL_PAD_X 4.0
#define CELL_PAD_Y 3.5
#define HEAD_GRAY 0.88    /* table header shading */
#define MARK_GRAY 0.92    /* a marked row */
#define TOC_NUM_W 36.0    /* the page-number column of the table of contents */
#define KEEP_NEXT_LINES 2 /* a heading stays with this many lines of what follows */
#define MAX_BLOCKS 200000
#define MAX_OPS 4000000

/* ---- styles ---- */

enum { STYLE_TABLE = PDF_BOLD + 1, STYLE_TABLE_HEAD, STYLE_FOOTER, NSTYLES };

/* Two faces only, both sans: every face embedded costs about 50 KiB before
 * its first glyph, and cairo 1.16's CFF subsetter copies whole subroutine
 * sets from Noto Serif CJK for some glyph pairs (a one-page notice grows from
 * about 130 KiB to 530 KiB), which it does not do for Noto Sans CJK. */
#define FONT "Noto Sans CJK SC"

struct style_spec {
    const char *family;
    double size; /* points */
    int bold;
    double before, after; /* space around a block of this style */
};

static const struct style_spec styles[NSTYLES] = {
    [PDF_BODY] = {FONT, 11.0, 0, 0, 4},         [PDF_TITLE] = {FONT, 22.0, 1, 0, 10},
    [PDF_COVER_TITLE] = {FONT, 36.0, 1, 0, 18}, [PDF_SUBTITLE] = {FONT, 15.0, 0, 0, 6},
    [PDF_HEADING] = {FONT, 14.0, 1, 10, 5},     [PDF_HEADING2] = {FONT, 12.0, 1, 6, 3},
    [PDF_SMALL] = {FONT, 9.5, 0, 0, 3},         [PDF_BOLD] = {FONT, 11.0, 1, 0, 4},
    [STYLE_TABLE] = {FONT, 10.0, 0, 0, 0},      [STYLE_TABLE_HEAD] = {FONT, 10.0, 1, 0, 0},
    [STYLE_FOOTER] = {FONT, 8.5, 0, 0, 0},
};

/* ---- the document ---- */

enum block_kind { B_TEXT = 1, B_SPACE, B_BREAK, B_VFILL, B_TABLE, B_ANCHOR, B_TOC };

struct table_data {
    int ncols, nrows;
    double weight[PDF_MAX_COLS];
    int center[PDF_MAX_COLS];
    const char *title[PDF_MAX_COLS];
    const char **cells; /* nrows * ncols */
    int *marked;        /* nrows, or NULL */
};

struct block {
    enum block_kind kind;
    int style;
    unsigned flags;
    const char *text;
    double amount; /* B_SPACE: points; B_VFILL: fraction */
    struct table_data *table;
    int anchor; /* B_ANCHOR: its index */
};

struct pdf_doc {
    struct arena arena; /* block contents */
    struct block *blocks;
    int nblocks, cap;
    const char *title, *subject, *footer;
    int first_numbered;
    int err;
    const char **anchor_title;
    int *anchor_page;
    int nanchors, anchor_cap;
};

static int doc_fail(struct pdf_doc *d, int code)
{
    if (!d->err)
        d->err = code;
    return d->err;
}

/* A copy of s in the arena, valid UTF-8 with control characters other than
 * newline and tab turned into spaces; NULL when out of memory. */
static const char *clean_copy(struct pdf_doc *d, const char *s)
{
    if (!s)
        s = "";
    char *fixed = NULL;
    if (!g_utf8_validate(s, -1, NULL))
        s = fixed = g_utf8_make_valid(s, -1);
    char *c = arena_strdup(&d->arena, s);
    g_free(fixed);
    if (!c)
        return NULL;
    for (char *p = c; *p; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            *p = ' ';
    return c;
}

struct pdf_doc *pdf_new(const struct pdf_meta *meta)
{
    struct pdf_doc *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    if (meta) {
        d->title = meta->title ? clean_copy(d, meta->title) : NULL;
        d->subject = meta->subject ? clean_copy(d, meta->subject) : NULL;
        d->footer = meta->footer ? clean_copy(d, meta->footer) : NULL;
        d->first_numbered = meta->first_numbered > 1 ? meta->first_numbered : 1;
        if ((meta->title && !d->title) || (meta->subject && !d->subject) ||
            (meta->footer && !d->footer)) {
            pdf_free(d);
            return NULL;
        }
    } else {
        d->first_numbered = 1;
    }
    return d;
}

void pdf_free(struct pdf_doc *d)
{
    if (!d)
        return;
    arena_reset(&d->arena);
    free(d->blocks);
    free(d->anchor_title);
    free(d->anchor_page);
    free(d);
}

static struct block *add_block(struct pdf_doc *d, enum block_kind kind)
{
    if (d->err)
        return NULL;
    if (d->nblocks == d->cap) {
        if (d->cap >= MAX_BLOCKS) {
            doc_fail(d, ERR_TOOLARGE);
            return NULL;
        }
        int cap = d->cap ? d->cap * 2 : 64;
        struct block *b = realloc(d->blocks, (size_t)cap * sizeof(*b));
        if (!b) {
            doc_fail(d, ERR_NOMEM);
            return NULL;
        }
        d->blocks = b;
        d->cap = cap;
    }
    struct block *b = &d->blocks[d->nblocks++];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    return b;
}

int pdf_text(struct pdf_doc *d, enum pdf_style style, unsigned flags, const char *text)
{
    if ((int)style < 0 || (int)style > PDF_BOLD)
        style = PDF_BODY;
    const char *t = clean_copy(d, text);
    if (!t)
        return doc_fail(d, ERR_NOMEM);
    struct block *b = add_block(d, B_TEXT);
    if (!b)
        return d->err;
    b->style = (int)style;
    b->flags = flags;
    b->text = t;
    return 0;
}

int pdf_space(struct pdf_doc *d, double points)
{
    struct block *b = add_block(d, B_SPACE);
    if (!b)
        return d->err;
    b->amount = points < 0 ? 0 : points;
    return 0;
}

int pdf_page_break(struct pdf_doc *d)
{
    return add_block(d, B_BREAK) ? 0 : d->err;
}

int pdf_vfill(struct pdf_doc *d, double fraction)
{
    struct block *b = add_block(d, B_VFILL);
    if (!b)
        return d->err;
    b->amount = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
    return 0;
}

int pdf_table(struct pdf_doc *d, const struct pdf_table *t)
{
    if (d->err)
        return d->err;
    if (t->ncols < 1 || t->ncols > PDF_MAX_COLS || t->nrows < 0)
        return doc_fail(d, ERR_INVALID);
    struct table_data *td = arena_alloc(&d->arena, sizeof(*td));
    size_t ncells = (size_t)t->nrows * (size_t)t->ncols;
    const char **cells = arena_alloc(&d->arena, (ncells ? ncells : 1) * sizeof(*cells));
    int *marked = t->row_marked && t->nrows
                      ? arena_alloc(&d->arena, (size_t)t->nrows * sizeof(*marked))
                      : NULL;
    if (!td || !cells || (t->row_marked && t->nrows && !marked))
        return doc_fail(d, ERR_NOMEM);
    td->ncols = t->ncols;
    td->nrows = t->nrows;
    for (int c = 0; c < t->ncols; c++) {
        td->weight[c] = t->cols[c].weight > 0 ? t->cols[c].weight : 1;
        td->center[c] = t->cols[c].center;
        td->title[c] = clean_copy(d, t->cols[c].title);
        if (!td->title[c])
            return doc_fail(d, ERR_NOMEM);
    }
    for (size_t i = 0; i < ncells; i++) {
        cells[i] = clean_copy(d, t->cells[i]);
        if (!cells[i])
            return doc_fail(d, ERR_NOMEM);
    }
    for (int i = 0; marked && i < t->nrows; i++)
        marked[i] = t->row_marked[i] != 0;
    td->cells = cells;
    td->marked = marked;
    struct block *b = add_block(d, B_TABLE);
    if (!b)
        return d->err;
    b->table = td;
    return 0;
}

int pdf_anchor(struct pdf_doc *d, const char *title)
{
    if (d->err)
        return d->err;
    if (d->nanchors == d->anchor_cap) {
        if (d->anchor_cap >= PDF_MAX_ANCHORS)
            return doc_fail(d, ERR_TOOLARGE);
        int cap = d->anchor_cap ? d->anchor_cap * 2 : 32;
        if (cap > PDF_MAX_ANCHORS)
            cap = PDF_MAX_ANCHORS;
        const char **t = realloc(d->anchor_title, (size_t)cap * sizeof(*t));
        if (!t)
            return doc_fail(d, ERR_NOMEM);
        d->anchor_title = t;
        int *p = realloc(d->anchor_page, (size_t)cap * sizeof(*p));
        if (!p)
            return doc_fail(d, ERR_NOMEM);
        d->anchor_page = p;
        d->anchor_cap = cap;
    }
    const char *c = clean_copy(d, title);
    if (!c)
        return doc_fail(d, ERR_NOMEM);
    struct block *b = add_block(d, B_ANCHOR);
    if (!b)
        return d->err;
    b->anchor = d->nanchors;
    d->anchor_title[d->nanchors] = c;
    d->anchor_page[d->nanchors] = 0;
    d->nanchors++;
    return 0;
}

int pdf_toc(struct pdf_doc *d)
{
    return add_block(d, B_TOC) ? 0 : d->err;
}

int pdf_anchor_page(const struct pdf_doc *d, int i)
{
    if (!d || i < 0 || i >= d->nanchors)
        return 0;
    return d->anchor_page[i];
}

/* ---- rendering ---- */

enum op_kind {
    OP_LINE = 1, /* one line of a layout at (x, baseline y) */
    OP_LAYOUT,   /* a whole layout with its top left at (x, y) */
    OP_FILL,     /* a shaded box */
    OP_BOX,      /* a box's outline */
    OP_TOC,      /* a contents entry: layout at (x, y), anchor's number at the right */
};

struct op {
    enum op_kind kind;
    int page;
    int line;   /* OP_LINE: line index */
    int anchor; /* OP_TOC */
    double x, y, w, h;
    double gray; /* OP_FILL */
    PangoLayout *layout;
};

#define MAX_FACES 16 /* distinct font faces in one document (fallback fonts included) */

struct outline_face {
    cairo_font_face_t *real; /* borrowed from pango's font */
    cairo_font_face_t *user; /* ours: draws real's glyph outlines */
};

struct render {
    struct pdf_doc *d;
    struct outline_face faces[MAX_FACES];
    int nfaces;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoContext *ctx;
    PangoFontDescription *font[NSTYLES];
    struct op *ops;
    size_t nops, capops;
    PangoLayout **layouts; /* every layout made, unreferenced at the end */
    size_t nlayouts, caplayouts;
    int page;
    double y;
    int used;                   /* something was placed on this page */
    int pending_lo, pending_hi; /* anchors waiting for the next placement */
    int err;
};

static int r_fail(struct render *r, int code)
{
    if (!r->err)
        r->err = code;
    return r->err;
}

static struct op *add_op(struct render *r, enum op_kind kind)
{
    if (r->err)
        return NULL;
    if (r->nops == r->capops) {
        if (r->capops >= MAX_OPS) {
            r_fail(r, ERR_TOOLARGE);
            return NULL;
        }
        size_t cap = r->capops ? r->capops * 2 : 256;
        struct op *o = realloc(r->ops, cap * sizeof(*o));
        if (!o) {
            r_fail(r, ERR_NOMEM);
            return NULL;
        }
        r->ops = o;
        r->capops = cap;
    }
    struct op *o = &r->ops[r->nops++];
    memset(o, 0, sizeof(*o));
    o->kind = kind;
    o->page = r->page;
    return o;
}

/* A new layout of text in style at width (points; 0: no wrapping), owned by
 * the render. NULL on failure (r->err set). */
static PangoLayout *make_layout(struct render *r, int style, const char *text, double width,
                                unsigned flags)
{
    if (r->err)
        return NULL;
    if (r->nlayouts == r->caplayouts) {
        size_t cap = r->caplayouts ? r->caplayouts * 2 : 128;
        PangoLayout **l =
            realloc(r->layouts, cap * sizeof(*l)); /* NOLINT(bugprone-sizeof-expression) */
        if (!l) {
            r_fail(r, ERR_NOMEM);
            return NULL;
        }
        r->layouts = l;
        r->caplayouts = cap;
    }
    PangoLayout *lay = pango_layout_new(r->ctx);
    if (!lay) {
        r_fail(r, ERR_NOMEM);
        return NULL;
    }
    r->layouts[r->nlayouts++] = lay;
    pango_layout_set_font_description(lay, r->font[style]);
    if (width > 0) {
        pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    }
    int em = (int)(styles[style].size * 2 * PANGO_SCALE);
    if (flags & PDF_INDENT)
        pango_layout_set_indent(lay, em);
    else if (flags & PDF_HANG)
        pango_layout_set_indent(lay, -em);
    if (flags & PDF_LOOSE)
        pango_layout_set_line_spacing(lay, 1.9f);
    if (flags & PDF_CENTER)
        pango_layout_set_alignment(lay, PANGO_ALIGN_CENTER);
    else if (flags & PDF_RIGHT)
        pango_layout_set_alignment(lay, PANGO_ALIGN_RIGHT);
    pango_layout_set_text(lay, text, -1);
    return lay;
}

static double layout_height(PangoLayout *lay)
{
    int w, h;
    pango_layout_get_size(lay, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void new_page(struct render *r)
{
    r->page++;
    r->y = TEXT_TOP;
    r->used = 0;
}

/* Something lands on the current page: anchors waiting for it point here. */
static void placed(struct render *r)
{
    for (int i = r->pending_lo; i < r->pending_hi; i++)
        r->d->anchor_page[i] = r->page;
    r->pending_lo = r->pending_hi;
    r->used = 1;
}

static void ensure_room(struct render *r, double need)
{
    if (r->used && r->y + need > TEXT_BOTTOM)
        new_page(r);
}

static double lay_row(struct render *r, const struct table_data *t, const double *colw,
                      const char *const *cells, int style, PangoLayout **out);
static void column_widths(const struct table_data *t, double *colw);

/* The height of the top of a text block: its first n lines. */
static double first_lines_height(struct render *r, const struct block *b, int n)
{
    PangoLayout *lay = make_layout(r, b->style, b->text, TEXT_W, b->flags);
    if (!lay)
        return 0;
    PangoLayoutIter *it = pango_layout_get_iter(lay);
    PangoRectangle logical = {0};
    for (int i = 0; i < n; i++) {
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        if (!pango_layout_iter_next_line(it))
            break;
    }
    pango_layout_iter_free(it);
    return (double)(logical.y + logical.height) / PANGO_SCALE;
}

/* The room the blocks from i on need so that what a heading introduces is
 * not cut from it: a few lines of text, a table's header and first row. */
static double next_need(struct render *r, int i)
{
    const struct pdf_doc *d = r->d;
    double need = 0;
    for (; i < d->nblocks; i++) {
        const struct block *b = &d->blocks[i];
        switch (b->kind) {
        case B_ANCHOR:
            continue;
        case B_SPACE:
            need += b->amount;
            continue;
        case B_TEXT:
            return need + styles[b->style].before + first_lines_height(r, b, KEEP_NEXT_LINES);
        case B_TABLE: {
            const struct table_data *t = b->table;
            double colw[PDF_MAX_COLS];
            PangoLayout *lays[PDF_MAX_COLS];
            column_widths(t, colw);
            need += 2 + lay_row(r, t, colw, t->title, STYLE_TABLE_HEAD, lays);
            if (t->nrows > 0)
                need += lay_row(r, t, colw, t->cells, STYLE_TABLE, lays);
            return need;
        }
        default:
            return need;
        }
    }
    return need;
}

static void lay_text(struct render *r, const struct block *b, int index)
{
    const struct style_spec *sp = &styles[b->style];
    if (r->used)
        r->y += sp->before;
    PangoLayout *lay = make_layout(r, b->style, b->text, TEXT_W, b->flags);
    if (!lay)
        return;
    double h = layout_height(lay);
    if (b->flags & PDF_KEEP_NEXT)
        ensure_room(r, h + next_need(r, index + 1));
    if ((b->flags & PDF_KEEP_TOGETHER) && h <= TEXT_BOTTOM - TEXT_TOP)
        ensure_room(r, h);
    /* line by line: a line that does not fit starts the next page */
    PangoLayoutIter *it = pango_layout_get_iter(lay);
    double offset = r->y; /* page y of the layout's top */
    int i = 0;
    do {
        PangoRectangle ink, logical;
        pango_layout_iter_get_line_extents(it, &ink, &logical);
        double top = (double)logical.y / PANGO_SCALE;
        double bottom = (double)(logical.y + logical.height) / PANGO_SCALE;
        if (r->used && offset + bottom > TEXT_BOTTOM) {
            new_page(r);
            offset = TEXT_TOP - top;
        }
        struct op *o = add_op(r, OP_LINE);
        if (!o)
            break;
        o->layout = lay;
        o->line = i;
        o->x = MARGIN_X + (double)logical.x / PANGO_SCALE;
        o->y = offset + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        placed(r);
        r->y = offset + bottom;
        i++;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    r->y += sp->after;
}

/* One table row's layouts and height; cells[] has ncols strings. */
static double lay_row(struct render *r, const struct table_data *t, const double *colw,
                      const char *const *cells, int style, PangoLayout **out)
{
    double h = 0;
    for (int c = 0; c < t->ncols; c++) {
        out[c] = make_layout(r, style, cells[c], colw[c] - 2 * CELL_PAD_X,
                             t->center[c] ? PDF_CENTER : 0);
        if (!out[c])
            return 0;
        double ch = layout_height(out[c]);
        if (ch > h)
            h = ch;
    }
    return h + 2 * CELL_PAD_Y;
}

static void emit_row(struct render *r, const struct table_data *t, const double *colw,
                     PangoLayout **lays, double h, double shade)
{
    double x = MARGIN_X;
    if (shade > 0) {
        struct op *f = add_op(r, OP_FILL);
        if (!f)
            return;
        f->x = x;
        f->y = r->y;
        f->w = TEXT_W;
        f->h = h;
        f->gray = shade;
    }
    for (int c = 0; c < t->ncols; c++) {
        /* one op at a time: add_op may move the array */
        struct op *o = add_op(r, OP_LAYOUT);
        if (!o)
            return;
        o->layout = lays[c];
        o->x = x + CELL_PAD_X;
        o->y = r->y + CELL_PAD_Y;
        struct op *bx = add_op(r, OP_BOX);
        if (!bx)
            return;
        bx->x = x;
        bx->y = r->y;
        bx->w = colw[c];
        bx->h = h;
        x += colw[c];
    }
    placed(r);
    r->y += h;
}

static void column_widths(const struct table_data *t, double *colw)
{
    double total = 0;
    for (int c = 0; c < t->ncols; c++)
        total += t->weight[c];
    for (int c = 0; c < t->ncols; c++)
        colw[c] = TEXT_W * t->weight[c] / total;
}

static void lay_table(struct render *r, const struct table_data *t)
{
    double colw[PDF_MAX_COLS];
    column_widths(t, colw);
    PangoLayout *head[PDF_MAX_COLS], *row[PDF_MAX_COLS];
    double head_h = lay_row(r, t, colw, t->title, STYLE_TABLE_HEAD, head);
    if (r->err)
        return;
    if (r->used)
        r->y += 2;
    int need_head = 1;
    for (int i = 0; i < t->nrows && !r->err; i++) {
        int marked = t->marked && t->marked[i];
        double h = lay_row(r, t, colw, t->cells + (size_t)i * (size_t)t->ncols,
                           marked ? STYLE_TABLE_HEAD : STYLE_TABLE, row);
        if (r->err)
            return;
        double need = h + (need_head ? head_h : 0);
        if (r->used && r->y + need > TEXT_BOTTOM) {
            new_page(r);
            need_head = 1;
        }
        if (need_head) { /* on each page the table spans, from the same layouts */
            emit_row(r, t, colw, head, head_h, HEAD_GRAY);
            need_head = 0;
        }
        emit_row(r, t, colw, row, h, marked ? MARK_GRAY : 0);
    }
    if (t->nrows == 0) {
        ensure_room(r, head_h);
        emit_row(r, t, colw, head, head_h, HEAD_GRAY);
    }
    r->y += 8;
}

static void lay_toc(struct render *r)
{
    struct pdf_doc *d = r->d;
    for (int i = 0; i < d->nanchors && !r->err; i++) {
        PangoLayout *lay =
            make_layout(r, PDF_BODY, d->anchor_title[i], TEXT_W - TOC_NUM_W - 24, PDF_HANG);
        if (!lay)
            return;
        double h = layout_height(lay) + 5;
        ensure_room(r, h);
        struct op *o = add_op(r, OP_TOC);
        if (!o)
            return;
        o->layout = lay;
        o->anchor = i;
        o->x = MARGIN_X;
        o->y = r->y;
        placed(r);
        r->y += h;
    }
}

static void layout_pass(struct render *r)
{
    struct pdf_doc *d = r->d;
    r->page = 1;
    r->y = TEXT_TOP;
    r->used = 0;
    r->pending_lo = r->pending_hi = 0;
    for (int i = 0; i < d->nanchors; i++)
        d->anchor_page[i] = 0;
    for (int i = 0; i < d->nblocks && !r->err; i++) {
        const struct block *b = &d->blocks[i];
        switch (b->kind) {
        case B_TEXT:
            lay_text(r, b, i);
            break;
        case B_SPACE:
            if (r->used) {
                if (r->y + b->amount > TEXT_BOTTOM)
                    new_page(r);
                else
                    r->y += b->amount;
            }
            break;
        case B_BREAK:
            if (r->used)
                new_page(r);
            break;
        case B_VFILL: {
            double want = TEXT_TOP + b->amount * (TEXT_BOTTOM - TEXT_TOP);
            if (r->y < want)
                r->y = want;
            break;
        }
        case B_TABLE:
            lay_table(r, b->table);
            break;
        case B_ANCHOR:
            r->pending_hi = b->anchor + 1;
            break;
        case B_TOC:
            lay_toc(r);
            break;
        }
    }
    for (int i = r->pending_lo; i < r->pending_hi; i++)
        d->anchor_page[i] = r->page;
}

/* ---- drawing text ----
 *
 * Text is not drawn with pango_cairo_show_layout: cairo 1.16 (Debian 12)
 * subsets CFF fonts wrongly for Noto CJK. Its charstring scanner miscounts
 * the stems before the first hintmask that follows path operators, skips the
 * subroutine calls after it, and writes those subroutines out empty, so some
 * characters (如, several digits) come out blank in every viewer while
 * their text still extracts. Instead each font is drawn through a cairo user
 * font whose glyphs are the real font's outlines (cairo_glyph_path); cairo
 * embeds it as a Type 3 font, and cairo_show_text_glyphs with pango's
 * clusters gives it the ToUnicode map, so the text stays real text:
 * searchable, selectable and extracted by pdftotext. Glyph positions are
 * pango's, so shaping and line breaking are unchanged. */

static const cairo_user_data_key_t real_face_key;

static cairo_font_face_t *real_face_of(cairo_scaled_font_t *scaled)
{
    return cairo_font_face_get_user_data(cairo_scaled_font_get_font_face(scaled), &real_face_key);
}

static cairo_status_t outline_init(cairo_scaled_font_t *scaled, cairo_t *cr,
                                   cairo_font_extents_t *extents)
{
    cairo_font_face_t *real = real_face_of(scaled);
    if (!real)
        return CAIRO_STATUS_USER_FONT_ERROR;
    cairo_set_font_face(cr, real);
    cairo_font_extents(cr, extents);
    return cairo_status(cr);
}

/* cr is in font space (1 unit = 1 em) with cairo's scale of the user font
 * as its matrix, so the outline is read at the size it is drawn at. */
static cairo_status_t outline_render(cairo_scaled_font_t *scaled, unsigned long glyph, cairo_t *cr,
                                     cairo_text_extents_t *extents)
{
    cairo_font_face_t *real = real_face_of(scaled);
    if (!real)
        return CAIRO_STATUS_USER_FONT_ERROR;
    cairo_glyph_t g = {glyph, 0, 0};
    cairo_set_font_face(cr, real);
    cairo_glyph_extents(cr, &g, 1, extents);
    cairo_glyph_path(cr, &g, 1);
    cairo_fill(cr);
    return cairo_status(cr);
}

/* The user font that draws real's outlines, made once per document. */
static cairo_font_face_t *outline_face(struct render *r, cairo_font_face_t *real)
{
    for (int i = 0; i < r->nfaces; i++)
        if (r->faces[i].real == real)
            return r->faces[i].user;
    if (r->nfaces == MAX_FACES)
        return NULL;
    cairo_font_face_t *user = cairo_user_font_face_create();
    if (cairo_font_face_status(user) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(user);
        return NULL;
    }
    cairo_user_font_face_set_init_func(user, outline_init);
    cairo_user_font_face_set_render_glyph_func(user, outline_render);
    if (cairo_font_face_set_user_data(user, &real_face_key, cairo_font_face_reference(real),
                                      (cairo_destroy_func_t)cairo_font_face_destroy) !=
        CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(real);
        cairo_font_face_destroy(user);
        return NULL;
    }
    r->faces[r->nfaces].real = real;
    r->faces[r->nfaces].user = user;
    r->nfaces++;
    return user;
}

#define RUN_GLYPHS_MAX 512 /* glyphs drawn per call; longer runs go in pieces */

/* One pango run (one font, one direction) with its text clusters, its left
 * end at x on the baseline y. */
static void draw_run(struct render *r, PangoLayoutRun *run, const char *text, double x, double y)
{
    cairo_t *cr = r->cr;
    PangoItem *item = run->item;
    PangoGlyphString *gs = run->glyphs;
    cairo_scaled_font_t *scaled =
        pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(item->analysis.font));
    cairo_font_face_t *user =
        scaled ? outline_face(r, cairo_scaled_font_get_font_face(scaled)) : NULL;
    if (!user || (item->analysis.level & 1)) {
        /* right-to-left runs or too many faces: pango's own drawing */
        cairo_move_to(cr, x, y);
        pango_cairo_show_glyph_item(cr, text, run);
        return;
    }
    cairo_matrix_t fm;
    cairo_scaled_font_get_font_matrix(scaled, &fm);
    cairo_set_font_face(cr, user);
    cairo_set_font_matrix(cr, &fm);

    /* glyph positions: pango units from the run's start */
    double *gx = malloc((size_t)(gs->num_glyphs + 1) * sizeof(*gx));
    if (!gx) {
        r_fail(r, ERR_NOMEM);
        return;
    }
    double pos = x;
    for (int i = 0; i < gs->num_glyphs; i++) {
        gx[i] = pos;
        pos += (double)gs->glyphs[i].geometry.width / PANGO_SCALE;
    }
    cairo_glyph_t glyphs[RUN_GLYPHS_MAX];
    cairo_text_cluster_t clusters[RUN_GLYPHS_MAX];
    int ng = 0, nc = 0;
    const char *chunk = NULL; /* the text of the clusters gathered so far */
    int chunk_len = 0;
    PangoGlyphItemIter it;
    for (gboolean more = pango_glyph_item_iter_init_start(&it, run, text); more;
         more = pango_glyph_item_iter_next_cluster(&it)) {
        int n = it.end_glyph - it.start_glyph;
        if (nc > 0 && (ng + n > RUN_GLYPHS_MAX || nc == RUN_GLYPHS_MAX)) {
            cairo_show_text_glyphs(cr, chunk, chunk_len, glyphs, ng, clusters, nc, 0);
            ng = nc = 0;
            chunk = NULL;
            chunk_len = 0;
        }
        if (!chunk)
            chunk = text + it.start_index;
        int drawn = 0;
        for (int g = it.start_glyph; g < it.end_glyph && ng < RUN_GLYPHS_MAX; g++) {
            const PangoGlyphInfo *gi = &gs->glyphs[g];
            if (gi->glyph == PANGO_GLYPH_EMPTY || (gi->glyph & PANGO_GLYPH_UNKNOWN_FLAG))
                continue; /* nothing to draw; its bytes stay in the cluster */
            glyphs[ng].index = gi->glyph;
            glyphs[ng].x = gx[g] + (double)gi->geometry.x_offset / PANGO_SCALE;
            glyphs[ng].y = y + (double)gi->geometry.y_offset / PANGO_SCALE;
            ng++;
            drawn++;
        }
        clusters[nc].num_bytes = it.end_index - it.start_index;
        clusters[nc].num_glyphs = drawn;
        nc++;
        chunk_len += it.end_index - it.start_index;
    }
    if (nc)
        cairo_show_text_glyphs(cr, chunk, chunk_len, glyphs, ng, clusters, nc, 0);
    free(gx);
}

/* One line of a layout, its origin at x on the baseline y. */
static void draw_line(struct render *r, PangoLayoutLine *line, double x, double y)
{
    const char *text = pango_layout_get_text(line->layout);
    for (GSList *l = line->runs; l; l = l->next) {
        PangoLayoutRun *run = l->data;
        draw_run(r, run, text, x, y);
        x += (double)pango_glyph_string_get_width(run->glyphs) / PANGO_SCALE;
    }
}

/* A whole layout with its top left at (x, y). */
static void draw_layout(struct render *r, PangoLayout *lay, double x, double y)
{
    PangoLayoutIter *it = pango_layout_get_iter(lay);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        draw_line(r, pango_layout_iter_get_line_readonly(it), x + (double)logical.x / PANGO_SCALE,
                  y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE);
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

/* A one-line layout (footer, page numbers), drawn at once; cut with an
 * ellipsis at max_width points (0: no limit). */
static void show_text(struct render *r, int style, const char *text, double x, double y,
                      int align_right, double gray, double max_width)
{
    PangoLayout *lay = pango_layout_new(r->ctx);
    if (!lay) {
        r_fail(r, ERR_NOMEM);
        return;
    }
    pango_layout_set_font_description(lay, r->font[style]);
    if (max_width > 0) {
        pango_layout_set_width(lay, (int)(max_width * PANGO_SCALE));
        pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_text(lay, text, -1);
    int w, h;
    pango_layout_get_size(lay, &w, &h);
    cairo_set_source_rgb(r->cr, gray, gray, gray);
    draw_layout(r, lay, align_right ? x - (double)w / PANGO_SCALE : x, y);
    cairo_set_source_rgb(r->cr, 0, 0, 0);
    g_object_unref(lay);
}

static void draw_footer(struct render *r, int page, int pages)
{
    if (page < r->d->first_numbered)
        return;
    cairo_t *cr = r->cr;
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, MARGIN_X, FOOTER_Y - 4);
    cairo_line_to(cr, PAGE_W - MARGIN_X, FOOTER_Y - 4);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (r->d->footer)
        show_text(r, STYLE_FOOTER, r->d->footer, MARGIN_X, FOOTER_Y, 0, 0.35, TEXT_W - 110);
    char num[64];
    snprintf(num, sizeof(num), "第 %d 页  共 %d 页", page, pages);
    show_text(r, STYLE_FOOTER, num, PAGE_W - MARGIN_X, FOOTER_Y, 1, 0.2, 0);
}

static void draw_toc_entry(struct render *r, const struct op *o)
{
    cairo_t *cr = r->cr;
    int page = r->d->anchor_page[o->anchor];
    char link[48], num[16];
    snprintf(link, sizeof(link), "page=%d pos=[0 0]", page > 0 ? page : 1);
    snprintf(num, sizeof(num), "%d", page);
    cairo_tag_begin(cr, CAIRO_TAG_LINK, link);
    draw_layout(r, o->layout, o->x, o->y);
    /* the number at the right, on the entry's last line, dots leading to it */
    int n = pango_layout_get_line_count(o->layout);
    PangoLayoutIter *it = pango_layout_get_iter(o->layout);
    for (int i = 1; i < n; i++)
        pango_layout_iter_next_line(it);
    PangoRectangle ink, logical;
    pango_layout_iter_get_line_extents(it, &ink, &logical);
    double base = o->y + (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
    pango_layout_iter_free(it);
    double end = o->x + (double)(logical.x + logical.width) / PANGO_SCALE;
    PangoLayout *nl = pango_layout_new(r->ctx);
    if (!nl) {
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        r_fail(r, ERR_NOMEM);
        return;
    }
    pango_layout_set_font_description(nl, r->font[PDF_BODY]);
    pango_layout_set_text(nl, num, -1);
    int w, h;
    pango_layout_get_size(nl, &w, &h);
    double nx = PAGE_W - MARGIN_X - (double)w / PANGO_SCALE;
    draw_layout(r, nl, nx, base - (double)pango_layout_get_baseline(nl) / PANGO_SCALE);
    g_object_unref(nl);
    if (nx - end > 12) {
        static const double dash[] = {0.6, 3.0};
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_set_line_width(cr, 0.9);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, end + 4, base - 1);
        cairo_line_to(cr, nx - 4, base - 1);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    cairo_tag_end(cr, CAIRO_TAG_LINK);
}

static void draw_op(struct render *r, const struct op *o)
{
    cairo_t *cr = r->cr;
    switch (o->kind) {
    case OP_LINE: {
        PangoLayoutLine *line = pango_layout_get_line_readonly(o->layout, o->line);
        if (line)
            draw_line(r, line, o->x, o->y);
        break;
    }
    case OP_LAYOUT:
        draw_layout(r, o->layout, o->x, o->y);
        break;
    case OP_FILL:
        cairo_set_source_rgb(cr, o->gray, o->gray, o->gray);
        cairo_rectangle(cr, o->x, o->y, o->w, o->h);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        break;
    case OP_BOX:
        cairo_set_line_width(cr, 0.6);
        cairo_rectangle(cr, o->x, o->y, o->w, o->h);
        cairo_stroke(cr);
        break;
    case OP_TOC:
        draw_toc_entry(r, o);
        break;
    }
}

static void draw_pass(struct render *r, int pages)
{
    struct pdf_doc *d = r->d;
    for (int i = 0; i < d->nanchors; i++) {
        char dest[32];
        snprintf(dest, sizeof(dest), "page=%d pos=[0 0]",
                 d->anchor_page[i] ? d->anchor_page[i] : 1);
        cairo_pdf_surface_add_outline(r->surface, CAIRO_PDF_OUTLINE_ROOT, d->anchor_title[i], dest,
                                      0);
    }
    cairo_set_source_rgb(r->cr, 0, 0, 0);
    pango_cairo_update_context(r->cr, r->ctx);
    size_t k = 0;
    for (int page = 1; page <= pages && !r->err; page++) {
        for (; k < r->nops && r->ops[k].page == page; k++)
            draw_op(r, &r->ops[k]);
        draw_footer(r, page, pages);
        cairo_show_page(r->cr);
    }
}

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
    return outbuf_add(closure, data, length) == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int pdf_render(struct pdf_doc *d, char **out, size_t *len, int *pages)
{
    *out = NULL;
    *len = 0;
    if (pages)
        *pages = 0;
    if (d->err)
        return d->err;
    struct outbuf buf;
    outbuf_init(&buf, PDF_MAX_BYTES);
    struct render r = {.d = d};
    int rc = 0;
    r.surface = cairo_pdf_surface_create_for_stream(write_out, &buf, PAGE_W, PAGE_H);
    if (cairo_surface_status(r.surface) != CAIRO_STATUS_SUCCESS) {
        rc = ERR_IO;
        goto done;
    }
    if (d->title)
        cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_TITLE, d->title);
    if (d->subject)
        cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_SUBJECT, d->subject);
    cairo_pdf_surface_set_metadata(r.surface, CAIRO_PDF_METADATA_CREATOR, "Chuangkou");
    r.cr = cairo_create(r.surface);
    if (cairo_status(r.cr) != CAIRO_STATUS_SUCCESS) {
        rc = ERR_IO;
        goto done;
    }
    r.ctx = pango_cairo_create_context(r.cr);
    if (!r.ctx) {
        rc = ERR_NOMEM;
        goto done;
    }
    pango_context_set_language(r.ctx, pango_language_from_string("zh-cn"));
    pango_cairo_context_set_resolution(r.ctx, 72.0); /* font sizes in points = PDF units */
    for (int s = 0; s < NSTYLES; s++) {
        r.font[s] = pango_font_description_new();
        if (!r.font[s]) {
            rc = ERR_NOMEM;
            goto done;
        }
        pango_font_description_set_family_static(r.font[s], styles[s].family);
        pango_font_description_set_size(r.font[s], (int)(styles[s].size * PANGO_SCALE));
        pango_font_description_set_weight(r.font[s],
                                          styles[s].bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    }
    layout_pass(&r);
    if (r.err) {
        rc = r.err;
        goto done;
    }
    int npages = r.page;
    draw_pass(&r, npages);
    if (r.err) {
        rc = r.err;
        goto done;
    }
    cairo_destroy(r.cr);
    r.cr = NULL;
    cairo_surface_finish(r.surface);
    if (cairo_surface_status(r.surface) != CAIRO_STATUS_SUCCESS)
        rc = buf.err ? buf.err : ERR_IO;
    else if (pages)
        *pages = npages;
done:
    for (size_t i = 0; i < r.nlayouts; i++)
        g_object_unref(r.layouts[i]);
    free(r.layouts);
    free(r.ops);
    for (int s = 0; s < NSTYLES; s++)
        if (r.font[s])
            pango_font_description_free(r.font[s]);
    if (r.ctx)
        g_object_unref(r.ctx);
    if (r.cr)
        cairo_destroy(r.cr);
    if (r.surface) {
        cairo_surface_finish(r.surface);
        cairo_surface_destroy(r.surface);
    }
    for (int i = 0; i < r.nfaces; i++)
        cairo_font_face_destroy(r.faces[i].user);
    if (rc == 0) {
        *out = outbuf_detach(&buf, len);
        if (!*out)
            rc = buf.err ? buf.err : ERR_NOMEM;
    }
    outbuf_free(&buf);
    return rc;
}

/* ---- sanitizer builds ----
 * fontconfig keeps its configuration and font caches for the life of the
 * process and reaches them through its mmapped cache files, where
 * LeakSanitizer cannot follow, so at exit they look leaked (a few hundred
 * bytes when the fonts are first loaded; they do not grow). Suppress exactly
 * the allocations made inside libfontconfig: pango's, cairo's and ours stay
 * checked. One definition per program: add other libraries' lines here. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PDF_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(PDF_ASAN)
#define PDF_ASAN 1
#endif
#ifdef PDF_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* and do not list the suppressed allocations at every exit */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

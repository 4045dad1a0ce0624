/* test_pdf.c - the PDF layout engine (report/pdf.c) and the capped buffer
 * (report/outbuf.c): real text out, pages broken where they should be,
 * every glyph visible. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "report/outbuf.h"
#include "report/pdf.h"
#include "unit_pdf.h"

static char *render(struct pdf_doc *d, size_t *len, int *pages)
{
    char *out = NULL;
    int rc = pdf_render(d, &out, len, pages);
    cr_assert_eq(rc, 0, "pdf_render: %d", rc);
    cr_assert_not_null(out);
    cr_assert(*len > 5 && memcmp(out, "%PDF-", 5) == 0, "not a PDF");
    return out;
}

Test(outbuf, grows_and_caps)
{
    struct outbuf b;
    outbuf_init(&b, 10);
    cr_assert_eq(outbuf_str(&b, "0123456789"), 0);
    cr_assert_eq(b.len, 10);
    cr_assert_str_eq(b.p, "0123456789");
    cr_assert_eq(outbuf_str(&b, "x"), ERR_TOOLARGE, "one byte over the cap");
    cr_assert_null(b.p, "a failed buffer frees itself");
    cr_assert_eq(outbuf_str(&b, ""), ERR_TOOLARGE, "the failure is sticky");
    size_t len = 1;
    cr_assert_null(outbuf_detach(&b, &len));
    cr_assert_eq(len, 0);
    outbuf_free(&b);
    cr_assert_eq(b.err, 0);
    cr_assert_eq(outbuf_printf(&b, "%s-%d", "第", 7), 0);
    char *s = outbuf_detach(&b, &len);
    cr_assert_str_eq(s, "第-7");
    cr_assert_eq(len, strlen("第-7"));
    free(s);
    /* printf output longer than the stack buffer */
    outbuf_init(&b, 0);
    char big[1000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(outbuf_printf(&b, "<%s>", big), 0);
    cr_assert_eq(b.len, sizeof(big) + 1);
    outbuf_free(&b);
}

Test(pdf, empty_document_is_one_page)
{
    struct pdf_doc *d = pdf_new(NULL);
    cr_assert_not_null(d);
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    cr_assert_eq(pages, 1);
    free(out);
    pdf_free(d);
    pdf_free(NULL);
}

Test(pdf, chinese_text_is_real_text_with_page_numbers)
{
    struct pdf_meta meta = {"标题", NULL, "页脚文字", 1};
    struct pdf_doc *d = pdf_new(&meta);
    pdf_text(d, PDF_TITLE, PDF_CENTER, "一次性告知书");
    pdf_text(d, PDF_BODY, PDF_INDENT, "申请材料不齐全或者不符合法定形式的，应当当场一次告知。");
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    char *text = unit_pdf_text(out, len, 0, 0, 0);
    cr_assert(unit_has(text, "一次性告知书"), "%s", text);
    cr_assert(unit_has_flat(text, "应当当场一次告知"), "%s", text);
    cr_assert(unit_has(text, "页脚文字"), "%s", text);
    cr_assert(unit_has_flat(text, "第 1 页"), "%s", text);
    cr_assert(unit_has_flat(text, "共 1 页"), "%s", text);
    free(text);
    free(out);
    pdf_free(d);
}

/* cairo 1.16 writes some Noto CJK glyphs empty when it subsets the font
 * itself (如 and several digits among them); pdf.c draws outlines instead.
 * Each of these must put ink on the page. */
Test(pdf, every_glyph_is_visible)
{
    static const char *const samples[] = {"如", "0", "1", "7", "8", "9", "告"};
    static const enum pdf_style faces[] = {PDF_SUBTITLE, PDF_COVER_TITLE}; /* regular, bold */
    for (size_t f = 0; f < sizeof(faces) / sizeof(faces[0]); f++) {
        for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
            struct pdf_meta meta = {NULL, NULL, NULL, 2}; /* no footer on page 1 */
            struct pdf_doc *d = pdf_new(&meta);
            pdf_text(d, faces[f], PDF_CENTER, samples[i]);
            size_t len;
            int pages;
            char *out = render(d, &len, &pages);
            long ink = unit_pdf_ink(out, len);
            cr_assert_gt(ink, 3, "glyph %s (style %d) drew %ld dark pixels", samples[i],
                         (int)faces[f], ink);
            char *text = unit_pdf_text(out, len, 0, 0, 0);
            cr_assert(unit_has(text, samples[i]), "glyph %s not in the text: %s", samples[i], text);
            free(text);
            free(out);
            pdf_free(d);
        }
    }
}

Test(pdf, long_paragraph_splits_between_lines)
{
    struct pdf_doc *d = pdf_new(NULL);
    /* 240 numbered sentences in one paragraph: several pages */
    struct outbuf b;
    outbuf_init(&b, 0);
    for (int i = 1; i <= 240; i++)
        outbuf_printf(&b, "第%d句：办理时限自受理之次日起计算，不含法定节假日。", i);
    size_t plen;
    char *para = outbuf_detach(&b, &plen);
    pdf_text(d, PDF_BODY, PDF_INDENT, para);
    pdf_text(d, PDF_BODY, 0, "段落之后的结尾");
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    cr_assert_geq(pages, 3, "pages: %d", pages);
    char *text = unit_pdf_text(out, len, 0, 0, 0);
    cr_assert(unit_has(text, "第1句"));
    cr_assert(unit_has(text, "第240句"));
    cr_assert(unit_has(text, "段落之后的结尾"));
    free(text);
    /* the first page holds the start, the last page the end */
    char *first = unit_pdf_text(out, len, 1, 1, 0);
    char *last = unit_pdf_text(out, len, pages, pages, 0);
    cr_assert(unit_has(first, "第1句"));
    cr_assert(!unit_has(first, "第240句"));
    cr_assert(unit_has(last, "段落之后的结尾"));
    free(first);
    free(last);
    free(out);
    free(para);
    pdf_free(d);
}

Test(pdf, table_repeats_its_header_on_each_page)
{
    struct pdf_doc *d = pdf_new(NULL);
    static const struct pdf_column cols[] = {{"序号", 1, 1}, {"材料名称", 4, 0}, {"份数", 1, 1}};
    enum { ROWS = 90 };
    const char *cells[ROWS * 3];
    char buf[ROWS][2][40];
    for (int i = 0; i < ROWS; i++) {
        snprintf(buf[i][0], sizeof(buf[i][0]), "%d", i + 1);
        snprintf(buf[i][1], sizeof(buf[i][1]), "材料第%d号", i + 1);
        cells[i * 3] = buf[i][0];
        cells[i * 3 + 1] = buf[i][1];
        cells[i * 3 + 2] = "1";
    }
    struct pdf_table t = {cols, 3, cells, ROWS, NULL};
    cr_assert_eq(pdf_table(d, &t), 0);
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    cr_assert_geq(pages, 2);
    for (int p = 1; p <= pages; p++) {
        char *text = unit_pdf_text(out, len, p, p, 0);
        cr_assert(unit_has(text, "材料名称"), "page %d lacks the header", p);
        free(text);
    }
    char *all = unit_pdf_text(out, len, 0, 0, 0);
    cr_assert(unit_has(all, "材料第1号"));
    cr_assert(unit_has(all, "材料第90号"));
    free(all);
    free(out);
    pdf_free(d);
}

Test(pdf, heading_is_not_left_alone_at_a_page_end)
{
    /* with every amount of filler before it, the heading lands on the page
     * of the line that follows it */
    for (int fill = 26; fill <= 38; fill++) {
        struct pdf_doc *d = pdf_new(NULL);
        for (int i = 0; i < fill; i++)
            pdf_text(d, PDF_BODY, 0, "填充行");
        pdf_text(d, PDF_HEADING, PDF_KEEP_NEXT, "三、申请材料");
        pdf_text(d, PDF_BODY, 0, "标题之后的第一行");
        size_t len;
        int pages;
        char *out = render(d, &len, &pages);
        for (int p = 1; p <= pages; p++) {
            char *text = unit_pdf_text(out, len, p, p, 0);
            if (unit_has(text, "三、申请材料"))
                cr_assert(unit_has(text, "标题之后的第一行"),
                          "fill %d: heading alone at the end of page %d", fill, p);
            free(text);
        }
        free(out);
        pdf_free(d);
    }
}

Test(pdf, anchors_know_their_pages)
{
    struct pdf_doc *d = pdf_new(NULL);
    pdf_toc(d);
    for (int i = 0; i < 3; i++) {
        char title[32];
        snprintf(title, sizeof(title), "条目%d", i + 1);
        pdf_page_break(d);
        pdf_anchor(d, title);
        pdf_text(d, PDF_HEADING, 0, title);
    }
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    cr_assert_eq(pages, 4);
    cr_assert_eq(pdf_anchor_page(d, 0), 2);
    cr_assert_eq(pdf_anchor_page(d, 1), 3);
    cr_assert_eq(pdf_anchor_page(d, 2), 4);
    cr_assert_eq(pdf_anchor_page(d, 3), 0, "no such anchor");
    char *toc = unit_pdf_text(out, len, 1, 1, 1);
    cr_assert(unit_has(toc, "条目1"), "%s", toc);
    free(toc);
    free(out);
    pdf_free(d);
}

Test(pdf, invalid_utf8_and_control_characters_are_drawn_safely)
{
    struct pdf_doc *d = pdf_new(NULL);
    cr_assert_eq(pdf_text(d, PDF_BODY, 0, "坏\xff\xfe字节\x01\x1b之后"), 0);
    size_t len;
    int pages;
    char *out = render(d, &len, &pages);
    char *text = unit_pdf_text(out, len, 0, 0, 0);
    cr_assert(unit_has(text, "坏"), "%s", text);
    cr_assert(unit_has(text, "之后"), "%s", text);
    free(text);
    free(out);
    pdf_free(d);
}

Test(pdf, bad_table_is_a_sticky_error)
{
    struct pdf_doc *d = pdf_new(NULL);
    struct pdf_table t = {NULL, 0, NULL, 0, NULL};
    cr_assert_eq(pdf_table(d, &t), ERR_INVALID);
    cr_assert_eq(pdf_text(d, PDF_BODY, 0, "x"), ERR_INVALID, "later calls keep the error");
    char *out = (char *)1;
    size_t len = 1;
    cr_assert_eq(pdf_render(d, &out, &len, NULL), ERR_INVALID);
    cr_assert_null(out);
    cr_assert_eq(len, 0);
    pdf_free(d);
}

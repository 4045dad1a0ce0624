/* test_notice.c - the one-time notice and the handbook (report/notice.c):
 * the PDF's text as pdftotext reads it, the handbook's contents page numbers,
 * HTML escaping of hostile input; and reading an issued notice back
 * (domain/notice.c) on a migrated temp SQLite database. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "domain/catalog.h"
#include "domain/notice.h"
#include "domain/org.h"
#include "report/notice.h"
#include "report/outbuf.h"
#include "unit_db.h"
#include "unit_pdf.h"

static struct catalog_material materials[] = {
    {101, 1, "营业执照申请书", "original", 1, "申请人自备", 1, "法定代表人签署", 0},
    {102, 2, "法定代表人身份证件", "original_and_copy", 1, "公安机关", 1, "", 0},
    {103, 3, "经营场所使用证明", "copy", 2, "产权单位", 0, "租赁的提交租赁合同", 0},
};
static struct catalog_step steps[] = {
    {1, "申请", "申请人到窗口提交申请材料，或者在政务服务网在线提交。"},
    {2, "受理", "材料齐全、符合法定形式的，当场受理。"},
    {3, "办结", "当场发放营业执照。"},
};
static struct catalog_place places[] = {
    {.node_id = 5,
     .node_name = "综合受理窗口",
     .node_kind = "window",
     .hall_id = 4,
     .hall_name = "区政务服务中心",
     .hall_address = "示范区人民路1号"},
};

/* A published version built in memory, as catalog_get_current gives it. */
static void make_version(struct catalog_version *v, const char *name, const char *code)
{
    memset(v, 0, sizeof(*v));
    v->id = 7;
    v->item_id = 3;
    v->code = code;
    v->unit_name = "区市场监督管理局";
    v->version = 2;
    v->status = "published";
    v->name = name;
    v->kind = "immediate";
    v->legal_limit = 15;
    v->legal_unit = "workdays";
    v->promised_limit = 0;
    v->promised_unit = "workdays";
    v->basis = "《中华人民共和国市场主体登记管理条例》";
    v->conditions = "申请人为依法设立的市场主体。";
    v->remedies = "";
    v->fee_free = 1;
    v->fee_basis = "";
    v->online = "full";
    v->phone = "0571-12345";
    v->materials = materials;
    v->nmaterials = 3;
    v->steps = steps;
    v->nsteps = 3;
    v->places = places;
    v->nplaces = 1;
}

static char *notice_as_pdf(const struct catalog_version *v, const struct notice_info *in,
                           size_t *len)
{
    char *out = NULL;
    int pages = 0;
    int rc = notice_pdf(v, in, &out, len, &pages);
    cr_assert_eq(rc, 0, "notice_pdf: %d", rc);
    cr_assert(*len > 5 && memcmp(out, "%PDF-", 5) == 0);
    cr_assert_geq(pages, 1);
    return out;
}

Test(notice, pdf_holds_the_item_and_its_materials_as_text)
{
    struct catalog_version v;
    make_version(&v, "个体工商户设立登记", "SC-GT-001");
    struct notice_info in = {0};
    size_t len;
    char *pdf = notice_as_pdf(&v, &in, &len);
    char *text = unit_pdf_text(pdf, len, 0, 0, 0);
    cr_assert(unit_has_flat(text, "一次性告知书"), "%s", text);
    cr_assert(unit_has_flat(text, "个体工商户设立登记"), "%s", text);
    cr_assert(unit_has_flat(text, "营业执照申请书"), "%s", text);
    cr_assert(unit_has_flat(text, "SC-GT-001"), "%s", text);
    /* every section, with the item's facts */
    static const char *const sections[] = {"办理依据", "受理条件", "申请材料",
                                           "办理流程", "办理时限", "收费标准",
                                           "办理地点", "咨询电话", "不予受理的救济途径"};
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        cr_assert(unit_has_flat(text, sections[i]), "no section %s", sections[i]);
    cr_assert(unit_has_flat(text, "当场办结"), "an immediate item is done on the spot");
    cr_assert(unit_has_flat(text, "不收费"));
    cr_assert(unit_has_flat(text, "行政复议"), "the standard remedies when the item names none");
    cr_assert(unit_has_flat(text, "原件及复印件"));
    cr_assert(unit_has_flat(text, "可全程网上办理"));
    cr_assert(unit_has_flat(text, "区政务服务中心 综合受理窗口（示范区人民路1号）"),
              "a window is named with its hall and address: %s", text);
    cr_assert(unit_has_flat(text, "申请人签收"));
    cr_assert(!unit_has_flat(text, "需补正"), "no supplement list was given");
    free(text);
    free(pdf);
}

Test(notice, missing_materials_are_marked_and_listed)
{
    struct catalog_version v;
    make_version(&v, "个体工商户设立登记", "SC-GT-001");
    v.kind = "promised";
    v.promised_limit = 3;
    v.fee_free = 0;
    v.fee_amount_cents = 1250;
    v.fee_basis = "收费文件";
    v.remedies = "可以依法申请行政复议或者提起行政诉讼（本事项自定）。";
    int64_t missing[] = {103, 101};
    struct notice_info in = {.citizen_name = "张三",
                             .missing = missing,
                             .nmissing = 2,
                             .issuer = "李四",
                             .issued_at = 1767225600, /* 2026-01-01 08:00 CST */
                             .notice_id = 42,
                             .hall_name = "区政务服务中心"};
    size_t len;
    char *pdf = notice_as_pdf(&v, &in, &len);
    char *text = unit_pdf_text(pdf, len, 0, 0, 0);
    cr_assert(unit_has_flat(text, "张三："), "%s", text);
    cr_assert(unit_has_flat(text, "您还需补正以下材料"), "%s", text);
    cr_assert(unit_has_flat(text, "1. 营业执照申请书"), "listed in the table's order: %s", text);
    cr_assert(unit_has_flat(text, "2. 经营场所使用证明"), "%s", text);
    cr_assert(unit_has_flat(text, "第三十二条"), "the legal basis of the one-time notice");
    cr_assert(unit_has_flat(text, "「需补正」"));
    cr_assert(unit_has_flat(text, "承诺办结时限：3 个工作日"), "%s", text);
    cr_assert(unit_has_flat(text, "人民币 12.50 元"), "%s", text);
    cr_assert(unit_has_flat(text, "本事项自定"), "the item's own remedies");
    cr_assert(unit_has_flat(text, "告知人：李四"), "%s", text);
    cr_assert(unit_has_flat(text, "2026年1月1日"), "%s", text);
    cr_assert(unit_has_flat(text, "告知书编号：42"), "%s", text);
    free(text);
    free(pdf);
}

Test(notice, missing_ids_must_be_the_versions_materials)
{
    struct catalog_version v;
    make_version(&v, "事项", "X-1");
    int64_t ok[] = {101, 103};
    int64_t unknown[] = {101, 999};
    int64_t twice[] = {102, 102};
    int bad = -1;
    cr_assert_eq(notice_check_missing(&v, ok, 2, &bad), 0);
    cr_assert_eq(notice_check_missing(&v, NULL, 0, &bad), 0);
    cr_assert_eq(notice_check_missing(&v, unknown, 2, &bad), ERR_INVALID);
    cr_assert_eq(bad, 1);
    cr_assert_eq(notice_check_missing(&v, twice, 2, &bad), ERR_INVALID);
    cr_assert_eq(bad, 1);
}

/* ---- the handbook ---- */

#define HB_ITEMS 12

static const char *const hb_names[HB_ITEMS] = {
    "居民身份证换领",     "户口迁移登记",     "社会保障卡申领", "住房公积金提取",
    "个体工商户设立登记", "食品经营许可",     "残疾人证办理",   "城乡居民养老保险参保登记",
    "机动车驾驶证换证",   "出生医学证明补发", "不动产首次登记", "老年人优待证办理",
};

Test(notice, handbook_contents_name_each_item_with_its_page)
{
    static struct catalog_material many[40];
    static char many_names[40][96];
    for (int i = 0; i < 40; i++) {
        snprintf(many_names[i], sizeof(many_names[i]), "附加证明材料第%d份（按实际情况提交）",
                 i + 1);
        many[i] = (struct catalog_material){
            200 + i, i + 1, many_names[i], "copy", 1, "相关单位", i % 2, "", 0};
    }
    struct catalog_version items[HB_ITEMS];
    char codes[HB_ITEMS][16];
    for (int i = 0; i < HB_ITEMS; i++) {
        snprintf(codes[i], sizeof(codes[i]), "HB-%02d", i + 1);
        make_version(&items[i], hb_names[i], codes[i]);
        if (i % 3 == 1) { /* longer items: more than one page */
            items[i].materials = many;
            items[i].nmaterials = 40;
        }
    }
    struct handbook_info h = {"区政务服务中心", "示范区人民路1号", "0571-88888888", 0};
    char *pdf = NULL;
    size_t len = 0;
    int pages = 0, item_page[HB_ITEMS];
    int rc = notice_handbook_pdf(&h, items, HB_ITEMS, &pdf, &len, &pages, item_page);
    cr_assert_eq(rc, 0, "notice_handbook_pdf: %d", rc);
    cr_assert_gt(pages, HB_ITEMS + 2);

    char *cover = unit_pdf_text(pdf, len, 1, 1, 0);
    cr_assert(unit_has(cover, "便民服务手册"));
    cr_assert(unit_has(cover, "区政务服务中心"));
    free(cover);

    /* the page each item really starts on: the first page after the
     * contents (page 2) that shows its name */
    char *page_text[64] = {0};
    cr_assert_lt(pages, 64);
    for (int p = 3; p <= pages; p++)
        page_text[p] = unit_pdf_text(pdf, len, p, p, 0);
    char *toc = unit_pdf_text(pdf, len, 2, 2, 1);
    cr_assert(unit_has(toc, "目"), "%s", toc);
    int prev = 2;
    for (int i = 0; i < HB_ITEMS; i++) {
        int actual = 0;
        for (int p = 3; p <= pages && !actual; p++)
            if (unit_has(page_text[p], hb_names[i]))
                actual = p;
        cr_assert_gt(actual, prev, "item %d (%s) starts after the one before", i, hb_names[i]);
        cr_assert_eq(item_page[i], actual, "item %d: reported page %d, found on %d", i,
                     item_page[i], actual);
        /* its contents line: the name, dots, the page number at the end */
        const char *line = strstr(toc, hb_names[i]);
        cr_assert_not_null(line, "contents lack %s: %s", hb_names[i], toc);
        const char *eol = strchr(line, '\n');
        cr_assert_not_null(eol);
        const char *end = eol;
        while (end > line && end[-1] == ' ')
            end--;
        const char *num = end;
        while (num > line && num[-1] >= '0' && num[-1] <= '9')
            num--;
        cr_assert_lt(num, end, "no page number after %s", hb_names[i]);
        cr_assert_eq(atoi(num), actual, "contents say %s is on page %d; it starts on page %d",
                     hb_names[i], atoi(num), actual);
        prev = actual;
    }
    /* the long items really took more than one page */
    cr_assert_gt(item_page[2] - item_page[1], 1);
    free(toc);
    for (int p = 3; p <= pages; p++)
        free(page_text[p]);
    free(pdf);
}

Test(notice, empty_handbook_says_so)
{
    struct handbook_info h = {"示范镇便民服务中心", NULL, NULL, 0};
    char *pdf = NULL;
    size_t len = 0;
    int pages = 0;
    cr_assert_eq(notice_handbook_pdf(&h, NULL, 0, &pdf, &len, &pages, NULL), 0);
    cr_assert_eq(pages, 2);
    char *text = unit_pdf_text(pdf, len, 0, 0, 0);
    cr_assert(unit_has_flat(text, "暂无已发布的服务事项"), "%s", text);
    free(text);
    free(pdf);
}

/* ---- HTML ---- */

static char *escaped(const char *s, int newlines)
{
    struct outbuf b;
    outbuf_init(&b, 0);
    cr_assert_eq(notice_html_escape(&b, s, newlines), 0);
    size_t len;
    char *out = outbuf_detach(&b, &len);
    cr_assert_not_null(out);
    return out;
}

Test(notice_html, escaper_neutralises_hostile_input)
{
    static const struct {
        const char *in;
        int newlines;
        const char *out;
    } cases[] = {
        {"<script>alert(\"x\")</script>", 0, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"},
        {"a & b ' c", 0, "a &amp; b &#39; c"},
        {"\" onmouseover=\"alert(1)", 0, "&quot; onmouseover=&quot;alert(1)"},
        {"</title><svg onload=x>", 0, "&lt;/title&gt;&lt;svg onload=x&gt;"},
        {"&lt;already&gt;", 0, "&amp;lt;already&amp;gt;"},
        {"第一行\n第二行", 1, "第一行<br>\n第二行"},
        {"第一行\n第二行", 0, "第一行 第二行"},
        {"tab\there", 0, "tab\there"},
        {"bell\x07"
         "esc\x1b"
         "del\x7f",
         0, "bellescdel"},
        {"bad\xff\xfe", 0, "bad\xef\xbf\xbd\xef\xbf\xbd"},
        {"overlong\xc0\xaf", 0, "overlong\xef\xbf\xbd\xef\xbf\xbd"},
        {"surrogate\xed\xa0\x80", 0, "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"cut\xe4\xb8", 0, "cut\xef\xbf\xbd\xef\xbf\xbd"},
        {"中文、「引号」和😀", 0, "中文、「引号」和😀"},
        {"", 0, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = escaped(cases[i].in, cases[i].newlines);
        cr_assert_str_eq(out, cases[i].out, "case %zu", i);
        free(out);
    }
    char *null_in = escaped(NULL, 0);
    cr_assert_str_eq(null_in, "");
    free(null_in);
}

Test(notice_html, page_escapes_every_item_field)
{
    static struct catalog_material hostile[] = {
        {301, 1, "\"><img src=x onerror=alert(1)>", "copy", 1, "<b>单位</b>", 1, "备注&<i>", 0},
    };
    static struct catalog_step hsteps[] = {{1, "<script>x</script>", "<iframe src=evil>"}};
    struct catalog_version v;
    make_version(&v, "<script>alert(1)</script>事项", "X-<1>");
    v.basis = "依据</p><script>alert(2)</script>";
    v.remedies = "<style>body{display:none}</style>";
    v.materials = hostile;
    v.nmaterials = 1;
    v.steps = hsteps;
    v.nsteps = 1;
    int64_t missing[] = {301};
    struct notice_info in = {.citizen_name = "<script>alert(3)</script>",
                             .missing = missing,
                             .nmissing = 1,
                             .issuer = "'><svg>",
                             .hall_name = "<b>厅</b>"};
    char *html = NULL;
    size_t len = 0;
    cr_assert_eq(notice_html(&v, &in, &html, &len), 0);
    cr_assert_eq(strlen(html), len);
    cr_assert(unit_has(html, "<html lang=\"zh-CN\">"));
    cr_assert(unit_has(html, "<meta charset=\"utf-8\">"));
    cr_assert(unit_has(html, "@page { size: A4"), "print CSS for A4");
    cr_assert(!unit_has(html, "<script"), "a script tag got through: %s", html);
    cr_assert(!unit_has(html, "<img"));
    cr_assert(!unit_has(html, "<iframe"));
    cr_assert(!unit_has(html, "<svg"));
    cr_assert(!unit_has(html, "<b>"));
    cr_assert(!unit_has(html, "<i>"));
    cr_assert(!unit_has(html, "<style>body"), "only the page's own style element");
    cr_assert(unit_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;事项"));
    cr_assert(unit_has(html, "&lt;script&gt;alert(3)&lt;/script&gt;"));
    cr_assert(unit_has(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    cr_assert(unit_has(html, "「需补正」"));
    cr_assert(unit_has(html, "class=\"missing\""));
    free(html);
}

Test(notice_html, dates_are_china_standard_time)
{
    char d[32];
    notice_format_date(1767196799, d, sizeof(d)); /* 2025-12-31 15:59:59 UTC */
    cr_assert_str_eq(d, "2025年12月31日");
    notice_format_date(1767196800, d, sizeof(d)); /* 16:00 UTC = midnight in Beijing */
    cr_assert_str_eq(d, "2026年1月1日");
}

/* ---- the record of notices given (domain/notice.c) ---- */

static struct unit_db u;

static void db_init(void)
{
    unit_db_open(&u, 1);
}

static void db_fini(void)
{
    unit_db_close(&u);
}

TestSuite(notice_record, .init = db_init, .fini = db_fini);

Test(notice_record, issued_notice_reads_back_with_its_version)
{
    struct actor sys;
    actor_system(&sys, "unit");
    struct err e = {0};
    struct org_node region, hall;
    struct org_input rin = {0, "region", "dist", "示范区", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &rin, &region, &e), 0, "%s", e.msg);
    struct org_input hin = {region.id, "hall", "hall-d", "区政务服务中心", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &hin, &hall, &e), 0, "%s", e.msg);

    struct catalog_version v;
    make_version(&v, "个体工商户设立登记", "SC-GT-001");
    v.unit_id = hall.id;
    struct catalog_place pl = {.node_id = hall.id};
    v.places = &pl;
    v.nplaces = 1;
    int64_t item_id = 0, version_id = 0, published = 0;
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item_id, &version_id, &e), 0, "%s %s", e.field,
                 e.msg);
    cr_assert_eq(catalog_publish(u.db, &sys, item_id, &published, &e), 0, "%s", e.msg);

    int64_t id = 0;
    cr_assert_eq(catalog_record_notice(u.db, &sys, published, hall.id, "张三",
                                       "[\"营业执照申请书\",\"经营场所使用证明\"]", &id, &e),
                 0, "%s", e.msg);
    struct arena a = {0};
    struct notice_issued n;
    cr_assert_eq(notice_get_issued(u.db, id, &a, &n), 0);
    cr_assert_eq(n.id, id);
    cr_assert_eq(n.item_id, item_id);
    cr_assert_eq(n.version_id, published);
    cr_assert_eq(n.node_id, hall.id);
    cr_assert_eq(n.issued_by, 0, "the command line is nobody's account");
    cr_assert_str_eq(n.issuer_name, "");
    cr_assert_str_eq(n.citizen_name, "张三");
    cr_assert_eq(n.nmissing, 2);
    cr_assert_str_eq(n.missing[0], "营业执照申请书");
    cr_assert_str_eq(n.missing[1], "经营场所使用证明");
    cr_assert_gt(n.issued_at, 1700000000);
    cr_assert_str_eq(n.scope_path, hall.path);

    /* without a node, the item's unit decides the scope */
    int64_t id2 = 0;
    cr_assert_eq(catalog_record_notice(u.db, &sys, published, 0, NULL, NULL, &id2, &e), 0);
    cr_assert_eq(notice_get_issued(u.db, id2, &a, &n), 0);
    cr_assert_eq(n.node_id, 0);
    cr_assert_eq(n.nmissing, 0);
    cr_assert_str_eq(n.citizen_name, "");
    cr_assert_str_eq(n.scope_path, hall.path);

    cr_assert_eq(notice_get_issued(u.db, id2 + 100, &a, &n), ERR_NOTFOUND);
    arena_reset(&a);
}

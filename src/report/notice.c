/* notice.c - the one-time notice (一次性告知书) and the handbook (便民服务手册).
 *
 * A notice is first built as a small model: a list of blocks (title, field
 * lines, headings, paragraphs, the materials table, procedure steps, the
 * signature lines), every string borrowed from the version or made in the
 * model's arena. The HTML and PDF writers each walk the same list, so the two
 * outputs cannot drift apart.
 */
#include "report/notice.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/err.h"
#include "report/pdf.h"

#define HTML_MAX ((size_t)8 << 20)
#define CST_OFFSET ((int64_t)8 * 3600) /* China Standard Time: UTC+8, no daylight saving */

/* The standard remedy sentence when an item names none (行政复议法 第二十条:
 * 六十日; 行政诉讼法 第四十六条: 六个月). */
static const char default_remedies[] =
    "申请人对不予受理决定或者其他处理决定不服的，可以自知道该行政行为之日起六十日内依法申请"
    "行政复议，或者自知道或者应当知道作出行政行为之日起六个月内依法向人民法院提起行政诉讼。";

/* 行政许可法 第三十二条第一款第（四）项: the one-time duty to name every
 * supplement, and what happens when it is not met. */
static const char supplement_basis[] =
    "根据《中华人民共和国行政许可法》第三十二条的规定，申请材料不齐全或者不符合法定形式的，"
    "应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起"
    "即为受理。";

/* ---- the model ---- */

enum nb_kind {
    NB_TITLE = 1,  /* the document's title */
    NB_ITEM,       /* handbook: an item's name, on a new page, in the contents */
    NB_FIELD,      /* "label：text" */
    NB_SALUTATION, /* "张三：" */
    NB_HEADING,    /* a numbered section */
    NB_PARA,       /* prose, first line indented */
    NB_LINE,       /* a line, not indented */
    NB_ALERT,      /* the supplement request: boxed in HTML, bold in PDF */
    NB_MATERIALS,  /* the materials table of block.v */
    NB_STEP,       /* "1. title：description" */
    NB_SIGN,       /* the signature lines (text holds lines split by '\n') */
    NB_SMALL,      /* small print */
};

struct nblock {
    enum nb_kind kind;
    const char *label;
    const char *text;
    const struct catalog_version *v; /* NB_MATERIALS */
    const int64_t *missing;          /* NB_MATERIALS */
    int nmissing;
};

struct model {
    struct arena arena;
    struct nblock *b;
    int n, cap;
    int err;
};

static void model_free(struct model *m)
{
    arena_reset(&m->arena);
    free(m->b);
    m->b = NULL;
    m->n = m->cap = 0;
}

static struct nblock *add(struct model *m, enum nb_kind kind, const char *label, const char *text)
{
    if (m->err)
        return NULL;
    if (!text) { /* an arena_printf that failed */
        m->err = ERR_NOMEM;
        return NULL;
    }
    if (m->n == m->cap) {
        int cap = m->cap ? m->cap * 2 : 64;
        struct nblock *b = realloc(m->b, (size_t)cap * sizeof(*b));
        if (!b) {
            m->err = ERR_NOMEM;
            return NULL;
        }
        m->b = b;
        m->cap = cap;
    }
    struct nblock *b = &m->b[m->n++];
    memset(b, 0, sizeof(*b));
    b->kind = kind;
    b->label = label;
    b->text = text;
    return b;
}

static int empty(const char *s)
{
    return !s || !*s;
}

static const char *or_dash(const char *s)
{
    return empty(s) ? "无" : s;
}

void notice_format_date(int64_t epoch, char *out, size_t len)
{
    time_t t = (time_t)(epoch + CST_OFFSET);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, len, "—");
        return;
    }
    snprintf(out, len, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static const char *form_label(const char *form)
{
    if (!form)
        return "";
    if (strcmp(form, "original") == 0)
        return "原件";
    if (strcmp(form, "copy") == 0)
        return "复印件";
    if (strcmp(form, "original_and_copy") == 0)
        return "原件及复印件";
    if (strcmp(form, "electronic") == 0)
        return "电子材料";
    return form;
}

static const char *unit_label(const char *unit)
{
    if (unit && strcmp(unit, "days") == 0)
        return "个自然日";
    if (unit && strcmp(unit, "hours") == 0)
        return "小时";
    return "个工作日";
}

static int is_missing(const int64_t *ids, int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

int notice_check_missing(const struct catalog_version *v, const int64_t *ids, int n, int *bad)
{
    for (int i = 0; i < n; i++) {
        int found = 0;
        for (int k = 0; k < v->nmaterials && !found; k++)
            found = v->materials[k].id == ids[i];
        if (!found || is_missing(ids, i, ids[i])) {
            if (bad)
                *bad = i;
            return ERR_INVALID;
        }
    }
    return 0;
}

static const char *limit_text(struct model *m, const struct catalog_version *v)
{
    struct arena *a = &m->arena;
    const char *legal = v->legal_limit > 0
                            ? arena_printf(a, "%d %s", v->legal_limit, unit_label(v->legal_unit))
                            : "无";
    int workdays =
        (v->legal_limit > 0 && v->legal_unit && !strcmp(v->legal_unit, "workdays")) ||
        (v->promised_limit > 0 && v->promised_unit && !strcmp(v->promised_unit, "workdays"));
    const char *rule = workdays ? "时限自受理之次日起计算，以工作日计算的不含法定节假日；补正材料、"
                                  "听证、检验检测、鉴定和专家评审所需时间不计算在内。"
                                : "";
    if (!legal)
        return NULL;
    if (v->kind && strcmp(v->kind, "immediate") == 0)
        return arena_printf(a, "即办件：材料齐全、符合法定形式的，当场办结。法定办结时限：%s。%s",
                            legal, rule);
    if (v->promised_limit > 0)
        return arena_printf(a, "承诺件。法定办结时限：%s；承诺办结时限：%d %s。%s", legal,
                            v->promised_limit, unit_label(v->promised_unit), rule);
    return arena_printf(a, "承诺件。法定办结时限：%s。%s", legal, rule);
}

static const char *fee_text(struct model *m, const struct catalog_version *v)
{
    if (v->fee_free)
        return empty(v->fee_basis) ? "不收费。"
                                   : arena_printf(&m->arena, "不收费（依据：%s）。", v->fee_basis);
    int64_t c = v->fee_amount_cents < 0 ? 0 : v->fee_amount_cents;
    return arena_printf(&m->arena, "收费金额：人民币 %" PRId64 ".%02d 元。收费依据：%s。", c / 100,
                        (int)(c % 100), or_dash(v->fee_basis));
}

static const char *online_text(const char *online)
{
    if (online && strcmp(online, "full") == 0)
        return "本事项可全程网上办理。";
    if (online && strcmp(online, "partial") == 0)
        return "本事项部分环节可网上办理。";
    return NULL;
}

/* "区政务服务中心 综合受理窗口（人民路1号）": a window with its hall, and
 * the hall's address when it has one. NULL for a place without a name. */
static const char *place_line(struct model *m, const struct catalog_place *p)
{
    if (empty(p->node_name))
        return NULL;
    int window = p->node_kind && strcmp(p->node_kind, "window") == 0;
    const char *where = p->node_name;
    if (window && !empty(p->hall_name))
        where = arena_printf(&m->arena, "%s %s", p->hall_name, p->node_name);
    if (where && !empty(p->hall_address))
        where = arena_printf(&m->arena, "%s（%s）", where, p->hall_address);
    if (!where)
        m->err = ERR_NOMEM;
    return where;
}

/* The nine sections every notice and handbook entry has. */
static void add_sections(struct model *m, const struct catalog_version *v,
                         const struct notice_info *in)
{
    const int64_t *missing = in ? in->missing : NULL;
    int nmissing = in && in->missing ? in->nmissing : 0;

    add(m, NB_HEADING, NULL, "一、办理依据");
    add(m, NB_PARA, NULL, or_dash(v->basis));
    add(m, NB_HEADING, NULL, "二、受理条件");
    add(m, NB_PARA, NULL, or_dash(v->conditions));

    add(m, NB_HEADING, NULL, "三、申请材料");
    if (v->nmaterials == 0) {
        add(m, NB_PARA, NULL, "本事项无需提交申请材料。");
    } else {
        struct nblock *b = add(m, NB_MATERIALS, NULL, "");
        if (b) {
            b->v = v;
            b->missing = missing;
            b->nmissing = nmissing;
        }
        if (nmissing)
            add(m, NB_SMALL, NULL, "注：标注「需补正」的材料为您尚需补正的材料。");
    }

    add(m, NB_HEADING, NULL, "四、办理流程");
    if (v->nsteps == 0)
        add(m, NB_PARA, NULL, "请到办理地点窗口提交申请，窗口工作人员当场告知后续环节。");
    for (int i = 0; i < v->nsteps; i++) {
        const struct catalog_step *s = &v->steps[i];
        add(m, NB_STEP, NULL,
            empty(s->description)
                ? arena_printf(&m->arena, "%d. %s", i + 1, s->title ? s->title : "")
                : arena_printf(&m->arena, "%d. %s：%s", i + 1, s->title ? s->title : "",
                               s->description));
    }

    add(m, NB_HEADING, NULL, "五、办理时限");
    add(m, NB_PARA, NULL, limit_text(m, v));
    add(m, NB_HEADING, NULL, "六、收费标准");
    add(m, NB_PARA, NULL, fee_text(m, v));

    add(m, NB_HEADING, NULL, "七、办理地点");
    int nplaces = 0;
    for (int i = 0; i < v->nplaces; i++) {
        const char *line = place_line(m, &v->places[i]);
        if (line)
            nplaces += add(m, NB_LINE, NULL, line) != NULL;
    }
    if (nplaces == 0)
        add(m, NB_LINE, NULL, "请向实施机关咨询办理地点。");
    if (online_text(v->online))
        add(m, NB_LINE, NULL, online_text(v->online));
    if (v->appointable)
        add(m, NB_LINE, NULL, "本事项可提前预约办理。");

    add(m, NB_HEADING, NULL, "八、咨询电话");
    const char *hall_phone = in && !empty(in->hall_phone) ? in->hall_phone : NULL;
    if (!empty(v->phone) && hall_phone && strcmp(v->phone, hall_phone) != 0)
        add(m, NB_LINE, NULL,
            arena_printf(&m->arena, "%s（事项咨询）；%s（%s）", v->phone, hall_phone,
                         in && !empty(in->hall_name) ? in->hall_name : "办事大厅"));
    else
        add(m, NB_LINE, NULL, !empty(v->phone) ? v->phone : hall_phone ? hall_phone : "无");

    add(m, NB_HEADING, NULL, "九、不予受理的救济途径");
    add(m, NB_PARA, NULL, empty(v->remedies) ? default_remedies : v->remedies);
}

static void add_fields(struct model *m, const struct catalog_version *v)
{
    add(m, NB_FIELD, "事项名称", or_dash(v->name));
    add(m, NB_FIELD, "事项编码",
        arena_printf(&m->arena, "%s（第 %d 版）", v->code ? v->code : "", v->version));
    if (!empty(v->unit_name))
        add(m, NB_FIELD, "实施主体", v->unit_name);
    add(m, NB_FIELD, "办件类型",
        v->kind && strcmp(v->kind, "immediate") == 0 ? "即办件" : "承诺件");
}

static void build_notice(struct model *m, const struct catalog_version *v,
                         const struct notice_info *in)
{
    char date[32];
    notice_format_date(in->issued_at ? in->issued_at : (int64_t)time(NULL), date, sizeof(date));
    add(m, NB_TITLE, NULL, "一次性告知书");
    if (in->notice_id)
        add(m, NB_FIELD, "告知书编号", arena_printf(&m->arena, "%" PRId64, in->notice_id));
    add_fields(m, v);
    if (!empty(in->citizen_name))
        add(m, NB_SALUTATION, NULL, arena_printf(&m->arena, "%s：", in->citizen_name));
    add(m, NB_PARA, NULL,
        arena_printf(&m->arena,
                     "您咨询（申请）办理的“%s”事项，现将办理依据、受理条件、全部申请材料、办理"
                     "流程、办理时限、收费标准、办理地点及救济途径一次性告知如下。",
                     or_dash(v->name)));
    if (in->missing && in->nmissing > 0) {
        /* 您还需补正以下材料: each by number and name, then the legal basis */
        size_t cap = 64;
        for (int i = 0; i < in->nmissing; i++)
            for (int k = 0; k < v->nmaterials; k++)
                if (v->materials[k].id == in->missing[i] && v->materials[k].name)
                    cap += strlen(v->materials[k].name) + 32;
        char *list = arena_alloc(&m->arena, cap);
        if (!list) {
            m->err = ERR_NOMEM;
            return;
        }
        size_t used = 0;
        int n = 0;
        for (int k = 0; k < v->nmaterials; k++) {
            if (!is_missing(in->missing, in->nmissing, v->materials[k].id))
                continue;
            n++;
            int w = snprintf(list + used, cap - used, "%s%d. %s", n > 1 ? "；" : "", n,
                             v->materials[k].name ? v->materials[k].name : "");
            if (w < 0 || (size_t)w >= cap - used)
                break;
            used += (size_t)w;
        }
        add(m, NB_ALERT, NULL,
            arena_printf(&m->arena,
                         "经审查，您提交的申请材料尚不齐全。您还需补正以下材料：%s。%s"
                         "本告知书已一次性列明需要补正的全部内容，请补齐后再行提交。",
                         list, supplement_basis));
    }
    add_sections(m, v, in);
    char *sign = arena_printf(&m->arena,
                              "告知单位（盖章）：%s\n告知人：%s　　　　告知时间：%s\n"
                              "申请人签收：＿＿＿＿＿＿＿＿　　签收时间：＿＿＿＿年＿＿月＿＿日",
                              empty(in->hall_name) ? "＿＿＿＿＿＿＿＿＿＿" : in->hall_name,
                              empty(in->issuer) ? "＿＿＿＿＿＿＿＿" : in->issuer, date);
    add(m, NB_SMALL, NULL, "本告知书一式两份，申请人与受理窗口各执一份。");
    add(m, NB_SIGN, NULL, sign);
}

/* ---- HTML ---- */

/* The length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
            return 0; /* overlong, or a surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
            return 0; /* overlong, or past U+10FFFF */
        return 4;
    }
    return 0;
}

int notice_html_escape(struct outbuf *b, const char *s, int newlines)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        const unsigned char *run = p; /* plain bytes copied in one go */
        while (*p && *p != '&' && *p != '<' && *p != '>' && *p != '"' && *p != '\'' && *p >= 0x20 &&
               *p < 0x7f)
            p++;
        if (p > run && outbuf_add(b, run, (size_t)(p - run)) < 0)
            return b->err;
        if (!*p)
            break;
        const char *rep = NULL;
        size_t n = 1;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        case '\n':
            rep = newlines ? "<br>\n" : " ";
            break;
        case '\t':
            rep = "\t";
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                rep = ""; /* control characters are dropped */
            } else {
                n = (size_t)utf8_len(p);
                if (n == 0) {
                    rep = "\xef\xbf\xbd"; /* U+FFFD for a bad byte */
                    n = 1;
                } else if (outbuf_add(b, p, n) < 0) {
                    return b->err;
                }
            }
        }
        if (rep && outbuf_str(b, rep) < 0)
            return b->err;
        p += n;
    }
    return b->err;
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";

static const char html_style[] =
    "</title>\n<style>\n"
    "@page { size: A4; margin: 20mm 18mm 22mm; }\n"
    "body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", "
    "\"Microsoft YaHei\", sans-serif; font-size: 11pt; line-height: 1.75; color: #000; background: "
    "#fff; max-width: 180mm; "
    "margin: 0 auto; padding: 10mm 6mm; }\n"
    "h1 { font-size: 22pt; text-align: center; letter-spacing: 0.3em; margin: 0 0 6mm; }\n"
    "h2 { font-size: 13pt; margin: 5mm 0 2mm; "
    "break-after: avoid; page-break-after: avoid; }\n"
    "p { margin: 0 0 2mm; text-indent: 2em; }\n"
    "p.line, p.salutation, p.step { text-indent: 0; }\n"
    "p.step { padding-left: 2em; text-indent: -2em; }\n"
    "p.small { font-size: 9.5pt; text-indent: 0; color: #333; }\n"
    "table.fields { border-collapse: collapse; margin: 0 0 4mm; }\n"
    "table.fields th { text-align: left; font-weight: bold; padding: 0 4mm 0 0; "
    "white-space: nowrap; vertical-align: top; }\n"
    "table.fields td { padding: 0; }\n"
    "table.materials { border-collapse: collapse; width: 100%; font-size: 10pt; "
    "line-height: 1.5; margin: 1mm 0 3mm; }\n"
    "table.materials th, table.materials td { border: 1px solid #333; padding: 1.5mm 2mm; "
    "vertical-align: top; }\n"
    "table.materials th { background: #e4e4e4; }\n"
    "table.materials td.c { text-align: center; }\n"
    "table.materials tr.missing td { background: #fdecea; }\n"
    ".mark { color: #b00000; font-weight: bold; }\n"
    ".alert { border: 1.5px solid #b00000; padding: 2mm 3mm; margin: 3mm 0; font-weight: bold; "
    "text-indent: 0; }\n"
    ".sign { margin-top: 8mm; line-height: 2.2; break-inside: avoid; page-break-inside: avoid; }\n"
    "@media print {\n"
    "  body { padding: 0; max-width: none; }\n"
    "  thead { display: table-header-group; }\n"
    "  tr { break-inside: avoid; page-break-inside: avoid; }\n"
    "  table.materials th, table.materials tr.missing td { -webkit-print-color-adjust: exact; "
    "print-color-adjust: exact; }\n"
    "}\n"
    "</style>\n</head>\n<body>\n";

static void html_tag(struct outbuf *b, const char *open, const char *text, const char *close,
                     int newlines)
{
    outbuf_str(b, open);
    notice_html_escape(b, text, newlines);
    outbuf_str(b, close);
}

static void html_materials(struct outbuf *b, const struct nblock *nb)
{
    const struct catalog_version *v = nb->v;
    outbuf_str(b, "<table class=\"materials\">\n<thead><tr><th>序号</th><th>材料名称</th>"
                  "<th>形式</th><th>份数</th><th>出具单位</th><th>必需/可选</th><th>备注</th>"
                  "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < v->nmaterials; i++) {
        const struct catalog_material *mt = &v->materials[i];
        int miss = is_missing(nb->missing, nb->nmissing, mt->id);
        outbuf_printf(b, "<tr%s><td class=\"c\">%d</td>", miss ? " class=\"missing\"" : "", i + 1);
        html_tag(b, "<td>", mt->name, "</td>", 0);
        html_tag(b, "<td class=\"c\">", form_label(mt->form), "</td>", 0);
        if (mt->copies > 0)
            outbuf_printf(b, "<td class=\"c\">%d</td>", mt->copies);
        else
            outbuf_str(b, "<td class=\"c\">—</td>");
        html_tag(b, "<td>", mt->issuer, "</td>", 0);
        outbuf_printf(b, "<td class=\"c\">%s</td><td>", mt->required ? "必需" : "可选");
        if (miss)
            outbuf_str(b, "<span class=\"mark\">「需补正」</span>");
        notice_html_escape(b, mt->notes, 1);
        outbuf_str(b, "</td></tr>\n");
    }
    outbuf_str(b, "</tbody>\n</table>\n");
}

static int model_html(const struct model *m, const char *title, char **out, size_t *len)
{
    struct outbuf b;
    outbuf_init(&b, HTML_MAX);
    outbuf_str(&b, html_head);
    notice_html_escape(&b, title, 0);
    outbuf_str(&b, html_style);
    int in_fields = 0;
    for (int i = 0; i < m->n; i++) {
        const struct nblock *nb = &m->b[i];
        if (in_fields && nb->kind != NB_FIELD) {
            outbuf_str(&b, "</table>\n");
            in_fields = 0;
        }
        switch (nb->kind) {
        case NB_TITLE:
        case NB_ITEM:
            html_tag(&b, "<h1>", nb->text, "</h1>\n", 0);
            break;
        case NB_FIELD:
            if (!in_fields)
                outbuf_str(&b, "<table class=\"fields\">\n");
            in_fields = 1;
            html_tag(&b, "<tr><th>", nb->label, "</th>", 0);
            html_tag(&b, "<td>", nb->text, "</td></tr>\n", 0);
            break;
        case NB_SALUTATION:
            html_tag(&b, "<p class=\"salutation\">", nb->text, "</p>\n", 0);
            break;
        case NB_HEADING:
            html_tag(&b, "<h2>", nb->text, "</h2>\n", 0);
            break;
        case NB_PARA:
            html_tag(&b, "<p>", nb->text, "</p>\n", 1);
            break;
        case NB_LINE:
            html_tag(&b, "<p class=\"line\">", nb->text, "</p>\n", 1);
            break;
        case NB_ALERT:
            html_tag(&b, "<p class=\"alert\">", nb->text, "</p>\n", 1);
            break;
        case NB_MATERIALS:
            html_materials(&b, nb);
            break;
        case NB_STEP:
            html_tag(&b, "<p class=\"step\">", nb->text, "</p>\n", 1);
            break;
        case NB_SIGN:
            html_tag(&b, "<div class=\"sign\">", nb->text, "</div>\n", 1);
            break;
        case NB_SMALL:
            html_tag(&b, "<p class=\"small\">", nb->text, "</p>\n", 1);
            break;
        }
    }
    if (in_fields)
        outbuf_str(&b, "</table>\n");
    outbuf_str(&b, "</body>\n</html>\n");
    *out = outbuf_detach(&b, len);
    int rc = *out ? 0 : (b.err ? b.err : ERR_NOMEM);
    outbuf_free(&b);
    return rc;
}

/* ---- PDF ---- */

static const struct pdf_column material_cols[] = {
    {"序号", 0.6, 1},     {"材料名称", 2.4, 0},   {"形式", 1.4, 1},  {"份数", 0.6, 1},
    {"出具单位", 1.4, 0}, {"必需/可选", 1.05, 1}, {"备注", 1.75, 0},
};
#define NCOLS ((int)(sizeof(material_cols) / sizeof(material_cols[0])))

static int pdf_materials(struct pdf_doc *d, struct arena *a, const struct nblock *nb)
{
    const struct catalog_version *v = nb->v;
    const char **cells = arena_alloc(a, (size_t)v->nmaterials * NCOLS * sizeof(*cells));
    int *marked = arena_alloc(a, (size_t)v->nmaterials * sizeof(*marked));
    if (!cells || !marked)
        return ERR_NOMEM;
    for (int i = 0; i < v->nmaterials; i++) {
        const struct catalog_material *mt = &v->materials[i];
        const char **row = cells + (size_t)i * NCOLS;
        marked[i] = is_missing(nb->missing, nb->nmissing, mt->id);
        row[0] = arena_printf(a, "%d", i + 1);
        row[1] = mt->name;
        row[2] = form_label(mt->form);
        row[3] = mt->copies > 0 ? arena_printf(a, "%d", mt->copies) : "—";
        row[4] = mt->issuer;
        row[5] = mt->required ? "必需" : "可选";
        row[6] = marked[i] ? arena_printf(a, "「需补正」%s%s", empty(mt->notes) ? "" : "\n",
                                          mt->notes ? mt->notes : "")
                           : mt->notes;
        if (!row[0] || !row[3] || !row[6])
            return ERR_NOMEM;
    }
    struct pdf_table t = {material_cols, NCOLS, cells, v->nmaterials, marked};
    return pdf_table(d, &t);
}

static int model_pdf(struct model *m, struct pdf_doc *d)
{
    for (int i = 0; i < m->n; i++) {
        const struct nblock *nb = &m->b[i];
        int rc = 0;
        switch (nb->kind) {
        case NB_TITLE:
            pdf_text(d, PDF_TITLE, PDF_CENTER, nb->text);
            rc = pdf_space(d, 4);
            break;
        case NB_ITEM:
            pdf_page_break(d);
            pdf_anchor(d, nb->text);
            rc = pdf_text(d, PDF_TITLE, PDF_CENTER | PDF_KEEP_NEXT, nb->text);
            break;
        case NB_FIELD: {
            char *line = arena_printf(&m->arena, "%s：%s", nb->label, nb->text);
            rc = line ? pdf_text(d, PDF_BODY, PDF_HANG, line) : ERR_NOMEM;
            if (rc == 0 && (i + 1 == m->n || m->b[i + 1].kind != NB_FIELD))
                rc = pdf_space(d, 6);
            break;
        }
        case NB_SALUTATION:
            rc = pdf_text(d, PDF_BODY, 0, nb->text);
            break;
        case NB_HEADING:
            rc = pdf_text(d, PDF_HEADING, PDF_KEEP_NEXT, nb->text);
            break;
        case NB_PARA:
            rc = pdf_text(d, PDF_BODY, PDF_INDENT, nb->text);
            break;
        case NB_LINE:
            rc = pdf_text(d, PDF_BODY, PDF_HANG, nb->text);
            break;
        case NB_ALERT:
            pdf_space(d, 4);
            rc = pdf_text(d, PDF_BOLD, PDF_INDENT, nb->text);
            break;
        case NB_MATERIALS:
            rc = pdf_materials(d, &m->arena, nb);
            break;
        case NB_STEP:
            rc = pdf_text(d, PDF_BODY, PDF_HANG, nb->text);
            break;
        case NB_SIGN:
            pdf_space(d, 16);
            rc = pdf_text(d, PDF_BODY, PDF_KEEP_TOGETHER | PDF_LOOSE, nb->text);
            break;
        case NB_SMALL: /* a note before the signature lines stays with them */
            rc =
                pdf_text(d, PDF_SMALL,
                         i + 1 < m->n && m->b[i + 1].kind == NB_SIGN ? PDF_KEEP_NEXT : 0, nb->text);
            break;
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- entry points ---- */

int notice_html(const struct catalog_version *v, const struct notice_info *in, char **out,
                size_t *len)
{
    *out = NULL;
    *len = 0;
    struct model m = {0};
    build_notice(&m, v, in);
    int rc = m.err;
    if (rc == 0) {
        const char *title = arena_printf(&m.arena, "一次性告知书 - %s", or_dash(v->name));
        rc = title ? model_html(&m, title, out, len) : ERR_NOMEM;
    }
    model_free(&m);
    return rc;
}

int notice_pdf(const struct catalog_version *v, const struct notice_info *in, char **out,
               size_t *len, int *pages)
{
    *out = NULL;
    *len = 0;
    struct model m = {0};
    build_notice(&m, v, in);
    int rc = m.err;
    struct pdf_doc *d = NULL;
    if (rc == 0) {
        const char *title = arena_printf(&m.arena, "一次性告知书 - %s", or_dash(v->name));
        const char *footer = arena_printf(&m.arena, "一次性告知书 · %s · %s 第 %d 版",
                                          or_dash(v->name), v->code ? v->code : "", v->version);
        struct pdf_meta meta = {title, "一次性告知书", footer, 1};
        d = title && footer ? pdf_new(&meta) : NULL;
        rc = d ? model_pdf(&m, d) : ERR_NOMEM;
    }
    if (rc == 0)
        rc = pdf_render(d, out, len, pages);
    pdf_free(d);
    model_free(&m);
    return rc;
}

static void build_handbook(struct model *m, const struct catalog_version *items, int n)
{
    for (int i = 0; i < n && !m->err; i++) {
        const struct catalog_version *v = &items[i];
        add(m, NB_ITEM, NULL, or_dash(v->name));
        add_fields(m, v);
        add_sections(m, v, NULL);
    }
}

int notice_handbook_pdf(const struct handbook_info *h, const struct catalog_version *items, int n,
                        char **out, size_t *len, int *pages, int *item_page)
{
    *out = NULL;
    *len = 0;
    struct model m = {0};
    build_handbook(&m, items, n);
    int rc = m.err;
    struct pdf_doc *d = NULL;
    const char *hall = or_dash(h->hall_name);
    if (rc == 0) {
        const char *title = arena_printf(&m.arena, "%s便民服务手册", hall);
        const char *footer = arena_printf(&m.arena, "%s · 便民服务手册", hall);
        struct pdf_meta meta = {title, "便民服务手册", footer, 2};
        d = title && footer ? pdf_new(&meta) : NULL;
        rc = d ? 0 : ERR_NOMEM;
    }
    if (rc == 0) {
        /* the cover */
        char date[32];
        notice_format_date(h->at ? h->at : (int64_t)time(NULL), date, sizeof(date));
        const char *count = arena_printf(&m.arena, "共收录服务事项 %d 项", n);
        const char *address =
            empty(h->address) ? NULL : arena_printf(&m.arena, "地址：%s", h->address);
        const char *phone =
            empty(h->phone) ? NULL : arena_printf(&m.arena, "咨询电话：%s", h->phone);
        const char *printed = arena_printf(&m.arena, "编印日期：%s", date);
        if (!count || !printed || (!empty(h->address) && !address) || (!empty(h->phone) && !phone))
            rc = ERR_NOMEM;
        pdf_vfill(d, 0.22);
        pdf_text(d, PDF_SUBTITLE, PDF_CENTER, hall);
        pdf_space(d, 10);
        pdf_text(d, PDF_COVER_TITLE, PDF_CENTER, "便民服务手册");
        pdf_space(d, 6);
        pdf_text(d, PDF_SUBTITLE, PDF_CENTER, count);
        pdf_vfill(d, 0.72);
        if (address)
            pdf_text(d, PDF_BODY, PDF_CENTER, address);
        if (phone)
            pdf_text(d, PDF_BODY, PDF_CENTER, phone);
        pdf_text(d, PDF_BODY, PDF_CENTER, printed);
        /* the contents */
        pdf_page_break(d);
        pdf_text(d, PDF_TITLE, PDF_CENTER, "目　录");
        pdf_space(d, 6);
        if (n == 0)
            pdf_text(d, PDF_BODY, PDF_CENTER, "本大厅暂无已发布的服务事项。");
        if (rc == 0)
            rc = pdf_toc(d);
    }
    if (rc == 0)
        rc = model_pdf(&m, d);
    if (rc == 0)
        rc = pdf_render(d, out, len, pages);
    for (int i = 0; rc == 0 && item_page && i < n; i++)
        item_page[i] = pdf_anchor_page(d, i);
    pdf_free(d);
    model_free(&m);
    return rc;
}

/* catalog_io.c - the catalogue as a CSV or XLSX file (see catalog_io.h and
 * docs/catalog-csv.md). */
#include "domain/catalog_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "domain/catalog.h"
#include "domain/org.h"
#include "report/csv.h"
#include "report/xlsx.h"

/* ---- the columns ---- */

enum col {
    C_CODE,
    C_NAME,
    C_UNIT,
    C_KIND,
    C_LEGAL,
    C_LEGAL_UNIT,
    C_PROMISED,
    C_PROMISED_UNIT,
    C_BASIS,
    C_CONDITIONS,
    C_REMEDIES,
    C_FEE_FREE,
    C_FEE_AMOUNT,
    C_FEE_BASIS,
    C_APPOINTABLE,
    C_PREFIX,
    C_ONLINE,
    C_PHONE,
    C_MATERIALS,
    C_STEPS,
    C_PLACES,
    C_PUBLISH,
    C_VERSION,
    C_STATUS,
    NCOLS
};

struct column {
    const char *key, *label;
    int required;
    double width;
    unsigned char numeric;
};

static const struct column columns[NCOLS] = {
    [C_CODE] = {"code", "事项编码", 1, 16, 0},
    [C_NAME] = {"name", "事项名称", 1, 28, 0},
    [C_UNIT] = {"unit", "实施主体", 1, 18, 0},
    [C_KIND] = {"kind", "办件类型", 1, 10, 0},
    [C_LEGAL] = {"legal_limit", "法定时限", 1, 10, 1},
    [C_LEGAL_UNIT] = {"legal_unit", "法定时限单位", 1, 12, 0},
    [C_PROMISED] = {"promised_limit", "承诺时限", 1, 10, 1},
    [C_PROMISED_UNIT] = {"promised_unit", "承诺时限单位", 1, 12, 0},
    [C_BASIS] = {"basis", "设定依据", 0, 40, 0},
    [C_CONDITIONS] = {"conditions", "受理条件", 0, 40, 0},
    [C_REMEDIES] = {"remedies", "救济途径", 0, 30, 0},
    [C_FEE_FREE] = {"fee_free", "免费", 0, 8, 0},
    [C_FEE_AMOUNT] = {"fee_amount", "收费金额（元）", 0, 12, 0},
    [C_FEE_BASIS] = {"fee_basis", "收费依据", 0, 30, 0},
    [C_APPOINTABLE] = {"appointable", "可预约", 0, 8, 0},
    [C_PREFIX] = {"ticket_prefix", "取号前缀", 0, 8, 0},
    [C_ONLINE] = {"online", "网上办理", 0, 10, 0},
    [C_PHONE] = {"phone", "咨询电话", 0, 16, 0},
    [C_MATERIALS] = {"materials", "申请材料", 0, 60, 0},
    [C_STEPS] = {"steps", "办理流程", 0, 40, 0},
    [C_PLACES] = {"places", "办理地点", 0, 24, 0},
    [C_PUBLISH] = {"publish", "发布", 0, 8, 0},
    [C_VERSION] = {"version", "版本", 0, 8, 1},
    [C_STATUS] = {"status", "状态", 0, 10, 0},
};

struct pair {
    const char *en, *zh;
};

static const struct pair kinds[] = {{"immediate", "即办件"}, {"promised", "承诺件"}};
static const struct pair units[] = {{"workdays", "工作日"}, {"days", "自然日"}, {"hours", "小时"}};
static const struct pair onlines[] = {
    {"none", "不可网办"}, {"partial", "部分网办"}, {"full", "全程网办"}};
static const struct pair forms[] = {{"original", "原件"},
                                    {"copy", "复印件"},
                                    {"original_and_copy", "原件和复印件"},
                                    {"electronic", "电子件"}};
static const struct pair statuses[] = {
    {"draft", "草稿"}, {"published", "已发布"}, {"superseded", "已废止"}};

#define NPAIRS(p) ((int)(sizeof(p) / sizeof((p)[0])))

static const char *to_zh(const struct pair *p, int n, const char *en)
{
    for (int i = 0; i < n; i++)
        if (en && strcmp(p[i].en, en) == 0)
            return p[i].zh;
    return en ? en : "";
}

/* the English value for s (Chinese or English); NULL when unknown */
static const char *from_text(const struct pair *p, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(p[i].en, s) == 0 || strcmp(p[i].zh, s) == 0)
            return p[i].en;
    return NULL;
}

/* 是/否 (or true/false, 1/0); *out untouched for ""; -1 when unknown */
static int parse_yes_no(const char *s, int *out)
{
    if (!*s)
        return 0;
    if (strcmp(s, "是") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "否") == 0 || strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* ---- a small string builder (malloc'd; oom sticks) ---- */

struct sb {
    char *p;
    size_t len, cap;
    int oom;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->p, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* s with \ | and line breaks escaped as \\ \| \n */
static void sb_escaped(struct sb *b, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\')
            sb_str(b, "\\\\");
        else if (*s == '|')
            sb_str(b, "\\|");
        else if (*s == '\n')
            sb_str(b, "\\n");
        else
            sb_put(b, s, 1);
    }
}

/* the built text copied into a (NULL on failure); frees the builder */
static const char *sb_take(struct sb *b, struct arena *a)
{
    const char *s = b->oom ? NULL : arena_strdup(a, b->p ? b->p : "");
    free(b->p);
    memset(b, 0, sizeof(*b));
    return s;
}

/* ---- node code paths ("/dist/hall-d/w03") ---- */

struct code_cache {
    int64_t id;
    const char *code;
    struct code_cache *next;
};

static int node_code(struct db *db, struct arena *a, struct code_cache **cache, int64_t id,
                     const char **code)
{
    for (struct code_cache *c = *cache; c; c = c->next)
        if (c->id == id) {
            *code = c->code;
            return 0;
        }
    struct org_node n;
    int rc = org_get(db, id, &n);
    if (rc < 0)
        return rc;
    struct code_cache *c = arena_alloc(a, sizeof(*c));
    if (!c || !(c->code = arena_strdup(a, n.code)))
        return ERR_NOMEM;
    c->id = id;
    c->next = *cache;
    *cache = c;
    *code = c->code;
    return 0;
}

/* the code path of the node whose id path is `path` ("/1/4/9/") */
static int code_path(struct db *db, struct arena *a, struct code_cache **cache, const char *path,
                     const char **out)
{
    struct sb b = {0};
    int rc = 0;
    for (const char *p = path; *p && rc == 0;) {
        if (*p == '/') {
            p++;
            continue;
        }
        int64_t id = 0;
        while (*p >= '0' && *p <= '9' && id < INT64_MAX / 10)
            id = id * 10 + (*p++ - '0');
        const char *code = NULL;
        rc = node_code(db, a, cache, id, &code);
        if (rc == 0) {
            sb_str(&b, "/");
            sb_str(&b, code);
        }
        while (*p && *p != '/')
            p++;
    }
    const char *s = sb_take(&b, a);
    if (rc == 0 && !s)
        rc = ERR_NOMEM;
    *out = s;
    return rc;
}

static int node_code_path(struct db *db, struct arena *a, struct code_cache **cache, int64_t id,
                          const char **out)
{
    struct org_node n;
    int rc = org_get(db, id, &n);
    return rc < 0 ? rc : code_path(db, a, cache, n.path, out);
}

/* ---- export ---- */

static const char *fmt_int(struct arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}

static const char *fmt_money(struct arena *a, int free, int64_t cents)
{
    if (free && cents == 0)
        return "";
    return arena_printf(a, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static const char *materials_cell(struct arena *a, const struct catalog_version *v)
{
    struct sb b = {0};
    char num[32];
    for (int i = 0; i < v->nmaterials; i++) {
        const struct catalog_material *m = &v->materials[i];
        if (i)
            sb_str(&b, "\n");
        sb_escaped(&b, m->name);
        sb_str(&b, "|");
        sb_str(&b, to_zh(forms, NPAIRS(forms), m->form));
        snprintf(num, sizeof(num), "|%d|", m->copies);
        sb_str(&b, num);
        sb_escaped(&b, m->issuer);
        sb_str(&b, m->required ? "|是|" : "|否|");
        sb_escaped(&b, m->notes);
        if (m->sample_file_id) {
            snprintf(num, sizeof(num), "|%lld", (long long)m->sample_file_id);
            sb_str(&b, num);
        }
    }
    return sb_take(&b, a);
}

static const char *steps_cell(struct arena *a, const struct catalog_version *v)
{
    struct sb b = {0};
    for (int i = 0; i < v->nsteps; i++) {
        if (i)
            sb_str(&b, "\n");
        sb_escaped(&b, v->steps[i].title);
        if (v->steps[i].description && *v->steps[i].description) {
            sb_str(&b, "|");
            sb_escaped(&b, v->steps[i].description);
        }
    }
    return sb_take(&b, a);
}

static int places_cell(struct db *db, struct arena *a, struct code_cache **cache,
                       const struct catalog_version *v, const char **out)
{
    struct sb b = {0};
    int rc = 0;
    for (int i = 0; rc == 0 && i < v->nplaces; i++) {
        const char *path = NULL;
        rc = node_code_path(db, a, cache, v->places[i].node_id, &path);
        if (rc == 0) {
            if (i)
                sb_str(&b, "\n");
            sb_str(&b, path);
        }
    }
    *out = sb_take(&b, a);
    return rc < 0 ? rc : *out ? 0 : ERR_NOMEM;
}

static int fill_row(struct db *db, struct arena *a, struct code_cache **cache,
                    const struct catalog_version *v, const char **cells)
{
    cells[C_CODE] = v->code;
    cells[C_NAME] = v->name;
    int rc = code_path(db, a, cache, v->unit_path, &cells[C_UNIT]);
    if (rc < 0)
        return rc;
    cells[C_KIND] = to_zh(kinds, NPAIRS(kinds), v->kind);
    cells[C_LEGAL] = fmt_int(a, v->legal_limit);
    cells[C_LEGAL_UNIT] = to_zh(units, NPAIRS(units), v->legal_unit);
    cells[C_PROMISED] = fmt_int(a, v->promised_limit);
    cells[C_PROMISED_UNIT] = to_zh(units, NPAIRS(units), v->promised_unit);
    cells[C_BASIS] = v->basis;
    cells[C_CONDITIONS] = v->conditions;
    cells[C_REMEDIES] = v->remedies;
    cells[C_FEE_FREE] = v->fee_free ? "是" : "否";
    cells[C_FEE_AMOUNT] = fmt_money(a, v->fee_free, v->fee_amount_cents);
    cells[C_FEE_BASIS] = v->fee_basis;
    cells[C_APPOINTABLE] = v->appointable ? "是" : "否";
    cells[C_PREFIX] = v->ticket_prefix;
    cells[C_ONLINE] = to_zh(onlines, NPAIRS(onlines), v->online);
    cells[C_PHONE] = v->phone;
    cells[C_MATERIALS] = materials_cell(a, v);
    cells[C_STEPS] = steps_cell(a, v);
    rc = places_cell(db, a, cache, v, &cells[C_PLACES]);
    if (rc < 0)
        return rc;
    cells[C_PUBLISH] = strcmp(v->status, "draft") == 0 ? "否" : "是";
    cells[C_VERSION] = fmt_int(a, v->version);
    cells[C_STATUS] = to_zh(statuses, NPAIRS(statuses), v->status);
    for (int c = 0; c < NCOLS; c++)
        if (!cells[c])
            return ERR_NOMEM;
    return 0;
}

static const char *header_text(struct arena *a, int c)
{
    return arena_printf(a, "%s(%s)", columns[c].label, columns[c].key);
}

static int render(enum catalog_io_format format, struct arena *a, const char **cells, int nrows,
                  char **out, size_t *len, struct err *e)
{
    const char *header[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        if (!(header[c] = header_text(a, c)))
            return err_set(e, ERR_NOMEM, NULL, "out of memory");
    if (format == CATALOG_IO_XLSX) {
        double widths[NCOLS];
        unsigned char numeric[NCOLS];
        for (int c = 0; c < NCOLS; c++) {
            widths[c] = columns[c].width;
            numeric[c] = columns[c].numeric;
        }
        struct xlsx_table t = {"事项目录", header, NCOLS, cells, nrows, widths, numeric};
        char msg[160] = "";
        int rc = xlsx_write_table(&t, out, len, msg, sizeof(msg));
        return rc < 0 ? err_set(e, rc, NULL, "cannot write the workbook: %s", msg) : 0;
    }
    struct csv_buf b = {.max = CATALOG_IO_EXPORT_MAX};
    int rc = csv_write_bom(&b);
    if (rc == 0)
        rc = csv_write_row(&b, header, NCOLS, 0);
    for (int r = 0; rc == 0 && r < nrows; r++)
        rc = csv_write_row(&b, cells + (size_t)r * NCOLS, NCOLS, CSV_GUARD_FORMULAS);
    if (rc < 0) {
        csv_buf_free(&b);
        return err_set(e, rc, NULL,
                       rc == ERR_TOOLARGE ? "the export is too large; export one unit at a time"
                                          : "out of memory");
    }
    *out = b.data;
    *len = b.len;
    return 0;
}

int catalog_io_export(struct db *db, const char *scope, int64_t unit_id,
                      enum catalog_io_format format, char **out, size_t *len, struct err *e)
{
    struct arena a = {0};
    struct code_cache *cache = NULL;
    struct catalog_summary *items = NULL;
    int n = 0;
    int64_t total = 0;
    *out = NULL;
    *len = 0;
    struct catalog_filter f = {.scope = scope ? scope : "",
                               .unit_id = unit_id,
                               .active = 1,
                               .page = 1,
                               .per_page = CATALOG_IO_MAX_ITEMS + 1};
    int rc = catalog_list(db, &f, &a, &items, &n, &total);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, rc, "unit_id", "no such unit");
        goto out;
    }
    if (rc < 0) {
        rc = err_set(e, rc, NULL, "database error");
        goto out;
    }
    if (total > CATALOG_IO_MAX_ITEMS) {
        rc = err_set(e, ERR_TOOLARGE, NULL,
                     "%lld items; a file holds at most %d, export one unit at a time",
                     (long long)total, CATALOG_IO_MAX_ITEMS);
        goto out;
    }
    const char **cells = arena_alloc(&a, sizeof(char *) * NCOLS * (size_t)(n ? n : 1));
    if (!cells) {
        rc = err_set(e, ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        struct catalog_version v;
        int64_t vid =
            items[i].current_version_id ? items[i].current_version_id : items[i].draft_version_id;
        rc = catalog_get_version(db, vid, &a, &v);
        if (rc == 0)
            rc = fill_row(db, &a, &cache, &v, cells + (size_t)i * NCOLS);
        if (rc < 0) {
            rc = err_set(e, rc, NULL, "cannot read item %s", items[i].code);
            goto out;
        }
    }
    rc = render(format, &a, cells, n, out, len, e);
out:
    arena_reset(&a);
    return rc;
}

/* ---- import ---- */

struct plan {
    int row;
    struct catalog_version v;
    int64_t item_id; /* 0: a new item */
    int publish;
    int ok;
};

struct importer {
    struct db *db;
    const struct actor *who;
    struct arena *out; /* the result's arena */
    struct arena work;
    struct catalog_import_result *res;
    int map[NCOLS]; /* column index in the file, or -1 */
    int ncols;      /* cells in the header */
    int row_first;  /* index of this row's first fault in res->errors */
};

static void fault(struct importer *im, int row, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fault(struct importer *im, int row, const char *field, const char *fmt, ...)
{
    struct catalog_import_result *res = im->res;
    res->nfaults++;
    if (res->nerrors >= CATALOG_IO_MAX_ERRORS)
        return;
    if (!res->errors) {
        res->errors = arena_alloc(im->out, sizeof(*res->errors) * CATALOG_IO_MAX_ERRORS);
        if (!res->errors)
            return;
    }
    struct catalog_io_error *x = &res->errors[res->nerrors++];
    x->row = row;
    snprintf(x->field, sizeof(x->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof(x->message), fmt, ap);
    va_end(ap);
}

/* 1 when this row already has a fault on field */
static int has_fault(const struct importer *im, const char *field)
{
    for (int i = im->row_first; i < im->res->nerrors; i++)
        if (strcmp(im->res->errors[i].field, field) == 0)
            return 1;
    return 0;
}

/* The column a header cell names: "事项编码(code)", "code" or "事项编码". */
static int header_column(const char *h)
{
    size_t n = strlen(h);
    while (n > 0 && h[n - 1] == ' ')
        n--;
    while (*h == ' ' && n > 0) {
        h++;
        n--;
    }
    char key[64] = "";
    const char *close = NULL;
    if (n >= 1 && h[n - 1] == ')')
        close = h + n - 1;
    else if (n >= 3 && memcmp(h + n - 3, "）", 3) == 0)
        close = h + n - 3;
    if (close) {
        const char *open = NULL;
        for (const char *p = h; p < close; p++)
            if (*p == '(')
                open = p + 1;
            else if ((size_t)(close - p) >= 3 && memcmp(p, "（", 3) == 0)
                open = p + 3;
        if (open && (size_t)(close - open) < sizeof(key)) {
            memcpy(key, open, (size_t)(close - open));
            key[close - open] = '\0';
        }
    }
    for (int c = 0; c < NCOLS; c++) {
        if (key[0] && strcmp(key, columns[c].key) == 0)
            return c;
        if (strlen(columns[c].key) == n && memcmp(h, columns[c].key, n) == 0)
            return c;
        if (strlen(columns[c].label) == n && memcmp(h, columns[c].label, n) == 0)
            return c;
    }
    return -1;
}

static int read_header(struct importer *im, const struct csv_row *h)
{
    int before = im->res->nfaults;
    for (int c = 0; c < NCOLS; c++)
        im->map[c] = -1;
    im->ncols = h->n;
    for (int i = 0; i < h->n; i++) {
        const char *text = h->fields[i];
        int c = header_column(text);
        if (c < 0) {
            fault(im, h->row, "header", "column %d: unknown column \"%.60s\"", i + 1, text);
            continue;
        }
        if (im->map[c] >= 0) {
            fault(im, h->row, columns[c].key, "column %d repeats column %d (%s)", i + 1,
                  im->map[c] + 1, columns[c].key);
            continue;
        }
        im->map[c] = i;
    }
    for (int c = 0; c < NCOLS; c++)
        if (columns[c].required && im->map[c] < 0)
            fault(im, h->row, columns[c].key, "the column %s(%s) is missing", columns[c].label,
                  columns[c].key);
    return im->res->nfaults == before ? 0 : ERR_INVALID;
}

/* the cell of column c in row r ("" when the column or the cell is absent),
 * without the spreadsheet formula guard */
static const char *cell(const struct importer *im, const struct csv_row *r, int c)
{
    int i = im->map[c];
    if (i < 0 || i >= r->n)
        return "";
    return csv_unguard(r->fields[i]);
}

/* s without leading and trailing blanks, copied into the work arena */
static const char *trimmed(struct importer *im, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *t = arena_strndup(&im->work, s, n);
    return t ? t : "";
}

static int parse_money(const char *s, int64_t *cents)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (digits >= 10)
            return -1;
        whole = whole * 10 + (*s - '0');
    }
    if (digits == 0)
        return -1;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, fdigits++) {
            if (fdigits >= 2)
                return -1;
            frac = frac * 10 + (*s - '0');
        }
        if (fdigits == 0)
            return -1;
        if (fdigits == 1)
            frac *= 10;
    }
    if (*s)
        return -1;
    *cents = whole * 100 + frac;
    return 0;
}

/* Split one line of a packed cell at unescaped '|' into parts (unescaped,
 * in the work arena). Returns the number of parts (parts beyond max are
 * counted, not kept), -1 for a bad escape, -2 when out of memory. */
static int split_line(struct importer *im, const char *line, size_t n, const char **parts, int max)
{
    int count = 0;
    struct sb b = {0};
    for (size_t i = 0; i <= n; i++) {
        if (i == n || line[i] == '|') {
            const char *s = sb_take(&b, &im->work);
            if (!s)
                return -2;
            if (count < max)
                parts[count] = s;
            count++;
            continue;
        }
        if (line[i] == '\\') {
            char next = i + 1 < n ? line[i + 1] : '\0';
            if (next != '\\' && next != '|' && next != 'n') {
                free(b.p);
                return -1;
            }
            sb_put(&b, next == 'n' ? "\n" : &line[i + 1], 1);
            i++;
            continue;
        }
        sb_put(&b, &line[i], 1);
    }
    return count;
}

/* the non-blank lines of a packed cell: calls back with each line */
struct lines {
    const char *p;
};

static int next_line(struct lines *l, const char **line, size_t *n)
{
    while (*l->p) {
        const char *start = l->p;
        size_t len = strcspn(start, "\n");
        l->p = start + len + (start[len] == '\n' ? 1 : 0);
        size_t k = 0;
        while (k < len && (start[k] == ' ' || start[k] == '\t' || start[k] == '\r'))
            k++;
        if (k == len)
            continue; /* blank */
        *line = start;
        *n = len;
        return 1;
    }
    return 0;
}

static int count_lines(const char *s)
{
    struct lines l = {s};
    const char *line;
    size_t n;
    int count = 0;
    while (next_line(&l, &line, &n))
        count++;
    return count;
}

static void parse_materials(struct importer *im, int row, const char *s, struct catalog_version *v)
{
    int n = count_lines(s);
    if (n > CATALOG_MAX_MATERIALS) {
        fault(im, row, "materials", "at most %d materials (lines), not %d", CATALOG_MAX_MATERIALS,
              n);
        return;
    }
    v->materials = arena_alloc(&im->work, sizeof(*v->materials) * (size_t)(n ? n : 1));
    if (!v->materials) {
        fault(im, row, "materials", "out of memory");
        return;
    }
    struct lines l = {s};
    const char *line;
    size_t len;
    char field[64];
    for (int i = 0; next_line(&l, &line, &len); i++) {
        struct catalog_material *m = &v->materials[v->nmaterials++];
        const char *p[7] = {0};
        int k = split_line(im, line, len, p, 7);
        m->copies = 1;
        m->required = 1;
        m->form = "original";
        snprintf(field, sizeof(field), "materials[%d]", i);
        if (k < 0) {
            fault(im, row, field, "line %d of materials: %s", i + 1,
                  k == -1 ? "a backslash may only start \\\\, \\| or \\n" : "out of memory");
            m->name = "?";
            continue;
        }
        if (k < 5 || k > 7) {
            fault(im, row, field,
                  "line %d of materials has %d parts; write 名称|形式|份数|出具单位|必需|备注 "
                  "(备注 and a 7th part, the sample file id, may be left out)",
                  i + 1, k);
            m->name = "?";
            continue;
        }
        m->name = p[0];
        m->issuer = p[3];
        m->notes = k >= 6 ? p[5] : "";
        const char *form = from_text(forms, NPAIRS(forms), trimmed(im, p[1]));
        snprintf(field, sizeof(field), "materials[%d].form", i);
        if (!form)
            fault(im, row, field,
                  "line %d of materials: the form must be 原件, 复印件, "
                  "原件和复印件 or 电子件",
                  i + 1);
        else
            m->form = form;
        int64_t x = 0;
        snprintf(field, sizeof(field), "materials[%d].copies", i);
        if (parse_int64(trimmed(im, p[2]), 0, CATALOG_COPIES_MAX, &x) < 0)
            fault(im, row, field, "line %d of materials: copies must be a whole number 0-%d", i + 1,
                  CATALOG_COPIES_MAX);
        else
            m->copies = (int)x;
        snprintf(field, sizeof(field), "materials[%d].required", i);
        if (parse_yes_no(trimmed(im, p[4]), &m->required) < 0 || !*trimmed(im, p[4]))
            fault(im, row, field, "line %d of materials: required must be 是 or 否", i + 1);
        snprintf(field, sizeof(field), "materials[%d].sample_file_id", i);
        const char *sample = k == 7 ? trimmed(im, p[6]) : "";
        if (*sample && parse_int64(sample, 1, INT64_MAX, &m->sample_file_id) < 0)
            fault(im, row, field, "line %d of materials: the sample file must be a file id", i + 1);
    }
}

static void parse_steps(struct importer *im, int row, const char *s, struct catalog_version *v)
{
    int n = count_lines(s);
    if (n > CATALOG_MAX_STEPS) {
        fault(im, row, "steps", "at most %d steps (lines), not %d", CATALOG_MAX_STEPS, n);
        return;
    }
    v->steps = arena_alloc(&im->work, sizeof(*v->steps) * (size_t)(n ? n : 1));
    if (!v->steps) {
        fault(im, row, "steps", "out of memory");
        return;
    }
    struct lines l = {s};
    const char *line;
    size_t len;
    char field[32];
    for (int i = 0; next_line(&l, &line, &len); i++) {
        struct catalog_step *st = &v->steps[v->nsteps++];
        const char *p[2] = {"", ""};
        int k = split_line(im, line, len, p, 2);
        st->seq = i + 1;
        st->title = p[0];
        st->description = p[1];
        snprintf(field, sizeof(field), "steps[%d]", i);
        if (k < 0 || k > 2) {
            fault(im, row, field,
                  "line %d of steps: write 标题|说明 (escape a | in the text as \\|)", i + 1);
            st->title = "?";
        }
    }
}

/* a node named by its code path ("/dist/hall-d") or its id */
static int resolve_node(struct db *db, const char *ref, struct org_node *out)
{
    int64_t id = 0;
    if (ref[0] == '/')
        return org_find_by_codes(db, ref, out);
    if (parse_int64(ref, 1, INT64_MAX, &id) == 0)
        return org_get(db, id, out);
    return ERR_INVALID;
}

static int parse_places(struct importer *im, int row, const char *s, struct catalog_version *v)
{
    int n = count_lines(s);
    if (n > CATALOG_MAX_PLACES) {
        fault(im, row, "places", "at most %d places (lines), not %d", CATALOG_MAX_PLACES, n);
        return 0;
    }
    v->places = arena_alloc(&im->work, sizeof(*v->places) * (size_t)(n ? n : 1));
    if (!v->places)
        return ERR_NOMEM;
    struct lines l = {s};
    const char *line;
    size_t len;
    char field[32];
    for (int i = 0; next_line(&l, &line, &len); i++) {
        const char *ref = arena_strndup(&im->work, line, len);
        if (!ref)
            return ERR_NOMEM;
        ref = trimmed(im, ref);
        struct org_node node;
        int rc = resolve_node(im->db, ref, &node);
        snprintf(field, sizeof(field), "places[%d]", i);
        if (rc == ERR_NOTFOUND || rc == ERR_INVALID) {
            fault(im, row, field,
                  "line %d of places: no node \"%.80s\" (write a code path such "
                  "as /dist/hall-d/w01)",
                  i + 1, ref);
            continue;
        }
        if (rc < 0)
            return rc;
        v->places[v->nplaces++].node_id = node.id;
    }
    return 0;
}

static const char *const field_map[][2] = {
    {"legal_limit.value", "legal_limit"},
    {"legal_limit.unit", "legal_unit"},
    {"promised_limit.value", "promised_limit"},
    {"promised_limit.unit", "promised_unit"},
    {"fee.free", "fee_free"},
    {"fee.amount_cents", "fee_amount"},
    {"fee.basis", "fee_basis"},
    {"unit_id", "unit"},
};

static const char *csv_field(const char *f)
{
    for (size_t i = 0; i < sizeof(field_map) / sizeof(field_map[0]); i++)
        if (strcmp(f, field_map[i][0]) == 0)
            return field_map[i][1];
    return f;
}

#define ROW_CHECK_MAX 64

/* Read one data row into p and check it all; faults go to im->res. Returns
 * 0, or a database error. */
static int read_row(struct importer *im, const struct csv_row *r, struct plan *plans, int index)
{
    struct plan *p = &plans[index];
    struct catalog_version *v = &p->v;
    int row = r->row, before = im->res->nfaults;
    im->row_first = im->res->nerrors;
    p->row = row;
    if (r->n > im->ncols)
        fault(im, row, "", "the row has %d cells, the header %d", r->n, im->ncols);

    v->code = trimmed(im, cell(im, r, C_CODE));
    if (!catalog_code_ok(v->code))
        fault(im, row, "code", "code must be 1-%d letters, digits, . - or _", CATALOG_CODE_MAX);
    else
        for (int k = 0; k < index; k++)
            if (strcmp(plans[k].v.code, v->code) == 0) {
                fault(im, row, "code", "code %s is already on row %d", v->code, plans[k].row);
                break;
            }
    v->name = cell(im, r, C_NAME);

    struct org_node unit;
    const char *unit_ref = trimmed(im, cell(im, r, C_UNIT));
    int rc = resolve_node(im->db, unit_ref, &unit);
    int have_unit = rc == 0;
    if (rc == ERR_NOTFOUND || rc == ERR_INVALID)
        fault(im, row, "unit", "no unit \"%.80s\" (write a code path such as /dist/hall-d)",
              unit_ref);
    else if (rc < 0)
        return rc;
    else
        v->unit_id = unit.id;

    v->kind = from_text(kinds, NPAIRS(kinds), trimmed(im, cell(im, r, C_KIND)));
    if (!v->kind)
        fault(im, row, "kind", "kind must be 即办件 or 承诺件");
    struct {
        int col;
        int *value;
        const char **unit;
        int unit_col;
    } limits[] = {{C_LEGAL, &v->legal_limit, &v->legal_unit, C_LEGAL_UNIT},
                  {C_PROMISED, &v->promised_limit, &v->promised_unit, C_PROMISED_UNIT}};
    for (int k = 0; k < 2; k++) {
        int64_t x = 0;
        if (parse_int64(trimmed(im, cell(im, r, limits[k].col)), 0, CATALOG_LIMIT_MAX, &x) < 0)
            fault(im, row, columns[limits[k].col].key, "%s must be a whole number 0-%d",
                  columns[limits[k].col].key, CATALOG_LIMIT_MAX);
        *limits[k].value = (int)x;
        *limits[k].unit =
            from_text(units, NPAIRS(units), trimmed(im, cell(im, r, limits[k].unit_col)));
        if (!*limits[k].unit)
            fault(im, row, columns[limits[k].unit_col].key, "%s must be 工作日, 自然日 or 小时",
                  columns[limits[k].unit_col].key);
    }
    v->basis = cell(im, r, C_BASIS);
    v->conditions = cell(im, r, C_CONDITIONS);
    v->remedies = cell(im, r, C_REMEDIES);
    const char *amount = trimmed(im, cell(im, r, C_FEE_AMOUNT));
    if (*amount && parse_money(amount, &v->fee_amount_cents) < 0)
        fault(im, row, "fee_amount", "fee_amount must be an amount in yuan such as 80 or 12.50");
    v->fee_free = v->fee_amount_cents == 0;
    if (parse_yes_no(trimmed(im, cell(im, r, C_FEE_FREE)), &v->fee_free) < 0)
        fault(im, row, "fee_free", "fee_free must be 是 or 否");
    v->fee_basis = cell(im, r, C_FEE_BASIS);
    if (parse_yes_no(trimmed(im, cell(im, r, C_APPOINTABLE)), &v->appointable) < 0)
        fault(im, row, "appointable", "appointable must be 是 or 否");
    v->ticket_prefix = trimmed(im, cell(im, r, C_PREFIX));
    const char *online = trimmed(im, cell(im, r, C_ONLINE));
    v->online = *online ? from_text(onlines, NPAIRS(onlines), online) : "none";
    if (!v->online)
        fault(im, row, "online", "online must be 不可网办, 部分网办 or 全程网办");
    v->phone = trimmed(im, cell(im, r, C_PHONE));
    parse_materials(im, row, cell(im, r, C_MATERIALS), v);
    parse_steps(im, row, cell(im, r, C_STEPS), v);
    rc = parse_places(im, row, cell(im, r, C_PLACES), v);
    if (rc < 0)
        return rc;
    if (parse_yes_no(trimmed(im, cell(im, r, C_PUBLISH)), &p->publish) < 0)
        fault(im, row, "publish", "publish must be 是 or 否");

    /* the rules and the references, without repeating a field already at fault */
    struct err errs[ROW_CHECK_MAX];
    int n = 0;
    rc = catalog_check_all(im->db, im->who, v, have_unit, errs, ROW_CHECK_MAX, &n);
    if (rc < 0 && rc != ERR_INVALID)
        return rc;
    for (int k = 0; k < n && k < ROW_CHECK_MAX; k++) {
        const char *field = csv_field(errs[k].field);
        if (!has_fault(im, field))
            fault(im, row, field, "%s", errs[k].msg);
    }

    if (catalog_code_ok(v->code)) {
        struct catalog_item item;
        rc = catalog_find_code(im->db, v->code, &im->work, &item);
        if (rc == 0) {
            p->item_id = item.id;
            if (!actor_in_scope(im->who, item.unit_path))
                fault(im, row, "code", "item %s belongs to %s, outside your scope", v->code,
                      item.unit_name);
            else if (have_unit && item.unit_id != v->unit_id)
                fault(im, row, "unit",
                      "item %s belongs to %s; an import cannot move an item to another unit",
                      v->code, item.unit_name);
        } else if (rc != ERR_NOTFOUND) {
            return rc;
        }
    }
    p->ok = im->res->nfaults == before;
    return 0;
}

/* write one good row */
static int apply(struct importer *im, struct plan *p, int publish_all, struct err *e)
{
    int64_t item_id = p->item_id, vid = 0;
    int publish = p->publish || publish_all;
    int rc;
    if (!item_id) {
        rc = catalog_create(im->db, im->who, &p->v, &item_id, &vid, e);
        if (rc < 0)
            return rc;
        im->res->created++;
    } else {
        struct catalog_item item;
        struct catalog_version base;
        rc = catalog_get_item(im->db, item_id, &im->work, &item);
        int64_t base_id = item.draft_version_id ? item.draft_version_id : item.current_version_id;
        int same = 0;
        if (rc == 0 && base_id) {
            rc = catalog_get_version(im->db, base_id, &im->work, &base);
            same = rc == 0 && catalog_content_equal(&p->v, &base);
        }
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (same) {
            im->res->unchanged++;
            publish = publish && item.draft_version_id;
        } else {
            rc = catalog_save_draft(im->db, im->who, item_id, &p->v, &vid, e);
            if (rc < 0)
                return rc;
            im->res->updated++;
        }
    }
    if (publish) {
        rc = catalog_publish(im->db, im->who, item_id, &vid, e);
        if (rc < 0)
            return rc;
        im->res->published++;
    }
    return 0;
}

int catalog_io_import(struct db *db, const struct actor *who, const char *data, size_t len,
                      int skip_errors, int publish_all, struct arena *a,
                      struct catalog_import_result *res, struct err *e)
{
    struct importer im;
    memset(&im, 0, sizeof(im));
    memset(res, 0, sizeof(*res));
    im.db = db;
    im.who = who;
    im.out = a;
    im.res = res;
    if (who->role != ROLE_ADMIN && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can import the catalogue");
    struct csv_limits lim = {CSV_MAX_BYTES, CATALOG_IO_MAX_ITEMS + 1, CATALOG_IO_FIELD_MAX,
                             CSV_MAX_COLS};
    struct csv_table t;
    struct csv_error ce;
    struct plan *plans = NULL;
    int rc = csv_read(data, len, &lim, &im.work, &t, &ce);
    if (rc < 0) {
        char where[32] = "";
        if (ce.column)
            snprintf(where, sizeof(where), "column %d", ce.column);
        fault(&im, ce.row, where, "%s", rc == ERR_NOMEM ? "out of memory" : ce.msg);
        rc = err_set(e, rc, NULL, "%s", rc == ERR_NOMEM ? "out of memory" : ce.msg);
        goto out;
    }
    if (t.nrows < 1) {
        fault(&im, 0, "", "the file is empty; the first row names the columns");
        rc = err_set(e, ERR_INVALID, NULL, "the file is empty");
        goto out;
    }
    if (read_header(&im, &t.rows[0]) < 0) {
        rc = err_set(e, ERR_INVALID, NULL, "the header row has faults; nothing was imported");
        goto out;
    }
    res->rows = t.nrows - 1;
    plans = arena_alloc(&im.work, sizeof(*plans) * (size_t)(t.nrows));
    if (!plans) {
        rc = err_set(e, ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    for (int i = 1; i < t.nrows; i++) {
        rc = read_row(&im, &t.rows[i], plans, i - 1);
        if (rc < 0) {
            rc = err_set(e, rc, NULL, "database error");
            goto out;
        }
    }
    int bad = 0;
    for (int i = 0; i < res->rows; i++)
        bad += !plans[i].ok;
    if (bad && !skip_errors) {
        rc = err_set(e, ERR_INVALID, NULL, "%d rows have faults (%d in all); nothing was imported",
                     bad, res->nfaults);
        goto out;
    }
    res->skipped = bad;
    for (int i = 0; i < res->rows; i++) {
        if (!plans[i].ok)
            continue;
        struct err we = {0};
        rc = apply(&im, &plans[i], publish_all, &we);
        if (rc < 0) {
            fault(&im, plans[i].row, we.field, "%s", we.msg);
            rc = err_set(e, rc, we.field, "row %d: %s", plans[i].row, we.msg);
            goto out;
        }
    }
    rc = 0;
out:
    arena_reset(&im.work);
    return rc;
}

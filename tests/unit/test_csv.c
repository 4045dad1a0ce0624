/* test_csv.c - the bounded RFC 4180 reader and writer (report/csv.c) and the
 * XLSX writer (report/xlsx.c). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "report/csv.h"
#include "report/xlsx.h"

static struct arena a;

static void fini(void)
{
    arena_reset(&a);
}

TestSuite(csv, .fini = fini);

static struct csv_table read_ok(const char *text)
{
    struct csv_table t;
    struct csv_error ce;
    int rc = csv_read(text, strlen(text), NULL, &a, &t, &ce);
    cr_assert_eq(rc, 0, "csv_read: %d %s", rc, ce.msg);
    return t;
}

static struct csv_error read_bad(const char *text, const struct csv_limits *lim, int want)
{
    struct csv_table t;
    struct csv_error ce;
    int rc = csv_read(text, strlen(text), lim, &a, &t, &ce);
    cr_assert_eq(rc, want, "csv_read of %s: %d (%s)", text, rc, ce.msg);
    cr_assert_eq(t.nrows, 0);
    return ce;
}

Test(csv, plain_and_quoted_fields)
{
    struct csv_table t = read_ok("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n");
    cr_assert_eq(t.nrows, 2);
    cr_assert_eq(t.rows[0].n, 3);
    cr_assert_str_eq(t.rows[0].fields[2], "c");
    cr_assert_str_eq(t.rows[1].fields[0], "1");
    cr_assert_str_eq(t.rows[1].fields[1], "x, y");
    cr_assert_str_eq(t.rows[1].fields[2], "say \"hi\"");
}

Test(csv, line_breaks_inside_quotes_become_lf)
{
    struct csv_table t = read_ok("name,materials\n甲,\"身份证|原件\r\n户口簿|原件\"\n乙,\"a\rb\"");
    cr_assert_eq(t.nrows, 3);
    cr_assert_str_eq(t.rows[1].fields[1], "身份证|原件\n户口簿|原件");
    cr_assert_str_eq(t.rows[2].fields[1], "a\nb");
    /* the record after a two-line field starts on line 4 */
    cr_assert_eq(t.rows[2].line, 4);
    cr_assert_eq(t.rows[2].row, 3);
}

Test(csv, bom_empty_lines_and_last_line)
{
    struct csv_table t = read_ok("\xef\xbb\xbf"
                                 "a,b\n\n1,2\r\n\r\n3,");
    cr_assert_eq(t.nrows, 3);
    cr_assert_str_eq(t.rows[0].fields[0], "a"); /* the BOM is not part of the first field */
    cr_assert_eq(t.rows[1].row, 3, "an empty line still counts as a spreadsheet row");
    cr_assert_eq(t.rows[2].row, 5);
    cr_assert_eq(t.rows[2].n, 2, "a trailing comma is a last empty field");
    cr_assert_str_eq(t.rows[2].fields[1], "");
    /* a quoted empty field keeps its record */
    t = read_ok("\"\"\n");
    cr_assert_eq(t.nrows, 1);
    cr_assert_eq(t.rows[0].n, 1);
    cr_assert_eq(read_ok("").nrows, 0);
}

Test(csv, malformed_quoting_names_row_column_and_line)
{
    struct csv_error ce = read_bad("a,b\n1,x\"y\n", NULL, ERR_INVALID);
    cr_assert_eq(ce.row, 2);
    cr_assert_eq(ce.column, 2);
    cr_assert_eq(ce.line, 2);
    cr_assert(strstr(ce.msg, "row 2 column 2"), "%s", ce.msg);

    ce = read_bad("a,b\n\"q\"x,2\n", NULL, ERR_INVALID);
    cr_assert_eq(ce.row, 2);
    cr_assert_eq(ce.column, 1);
    cr_assert(strstr(ce.msg, "after the closing quote"), "%s", ce.msg);

    ce = read_bad("a,b\n1,\"open\nstill open\n", NULL, ERR_INVALID);
    cr_assert_eq(ce.row, 2);
    cr_assert_eq(ce.column, 2);
    cr_assert_eq(ce.line, 2, "names the line where the field started");
    cr_assert(strstr(ce.msg, "not closed"), "%s", ce.msg);
}

Test(csv, nul_bytes_are_refused)
{
    static const char text[] = "a,b\n1,x\0y\n";
    struct csv_table t;
    struct csv_error ce;
    cr_assert_eq(csv_read(text, sizeof(text) - 1, NULL, &a, &t, &ce), ERR_INVALID);
    cr_assert_eq(ce.row, 2);
    cr_assert_eq(ce.column, 2);
}

Test(csv, limits)
{
    struct csv_limits lim = {.max_rows = 2};
    struct csv_error ce = read_bad("a\nb\nc\n", &lim, ERR_TOOLARGE);
    cr_assert_eq(ce.row, 3);

    struct csv_limits field = {.max_field = 4};
    read_ok("abcd\n");
    (void)read_bad("a,abcde\n", &field, ERR_TOOLARGE);
    (void)read_bad("a,\"abc\"\"d\"\n", &field, ERR_TOOLARGE);

    struct csv_limits cols = {.max_cols = 3};
    ce = read_bad("1,2,3,4\n", &cols, ERR_TOOLARGE);
    cr_assert_eq(ce.column, 4);

    struct csv_limits bytes = {.max_bytes = 8};
    ce = read_bad("123456789", &bytes, ERR_TOOLARGE);
    cr_assert_eq(ce.row, 0);

    /* the defaults: 2000 records */
    size_t n = 2001 * 2;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "x\n", 2);
    big[n] = '\0';
    ce = read_bad(big, NULL, ERR_TOOLARGE);
    cr_assert_eq(ce.row, 2001);
    big[n - 2] = '\0';
    cr_assert_eq(read_ok(big).nrows, 2000);
    free(big);
}

Test(csv, writer_quotes_only_what_needs_it)
{
    struct csv_buf b = {0};
    const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", NULL, "中文"};
    cr_assert_eq(csv_write_row(&b, row, 6, 0), 0);
    cr_assert_str_eq(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,中文\r\n");
    csv_buf_free(&b);
    cr_assert_null(b.data);
}

Test(csv, writer_bom_and_cap)
{
    struct csv_buf b = {.max = 16};
    cr_assert_eq(csv_write_bom(&b), 0);
    const char *row[] = {"abc"};
    cr_assert_eq(csv_write_row(&b, row, 1, 0), 0);
    size_t len = b.len;
    const char *big[] = {"0123456789abcdef"};
    cr_assert_eq(csv_write_row(&b, big, 1, 0), ERR_TOOLARGE);
    cr_assert_eq(b.len, len, "a refused row leaves the buffer as it was");
    cr_assert_str_eq(b.data, "\xef\xbb\xbf"
                             "abc\r\n");
    csv_buf_free(&b);
}

Test(csv, formula_guard_round_trips)
{
    static const char *const cases[] = {"=SUM(A1)", "+86 10", "-1", "@x",  "'=x", "''x",
                                        "'abc",     "a=b",    "",   "\tx", "'",   "普通"};
    struct csv_buf b = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        b.len = 0;
        cr_assert_eq(csv_write_row(&b, &cases[i], 1, CSV_GUARD_FORMULAS), 0);
        struct csv_table t = read_ok(b.data);
        cr_assert_eq(t.nrows, cases[i][0] ? 1 : 0, "case %zu", i);
        if (!cases[i][0])
            continue;
        const char *stored = t.rows[0].fields[0];
        if (strchr("=+-@\t", cases[i][0]))
            cr_assert_eq(stored[0], '\'', "%s must be guarded", cases[i]);
        cr_assert_str_eq(csv_unguard(stored), cases[i], "case %zu: %s", i, stored);
    }
    csv_buf_free(&b);
    cr_assert_str_eq(csv_unguard("'abc"), "'abc", "a lone apostrophe is the user's own");
}

Test(csv, write_then_read_gives_the_same_fields)
{
    static const char *const row[] = {"事项",  "a \"quoted\" word", "line1\nline2", ",", "\"",
                                      "x\\|y", " spaced "};
    struct csv_buf b = {0};
    cr_assert_eq(csv_write_bom(&b), 0);
    cr_assert_eq(csv_write_row(&b, row, 7, 0), 0);
    cr_assert_eq(csv_write_row(&b, row, 7, 0), 0);
    struct csv_table t;
    struct csv_error ce;
    cr_assert_eq(csv_read(b.data, b.len, NULL, &a, &t, &ce), 0, "%s", ce.msg);
    cr_assert_eq(t.nrows, 2);
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 7; i++)
            cr_assert_str_eq(t.rows[r].fields[i], row[i]);
    csv_buf_free(&b);
}

Test(csv, xlsx_is_a_zip_workbook)
{
    const char *header[] = {"名称(name)", "时限(limit)"};
    const char *cells[] = {"个体工商户设立登记", "3", "=1+1", "15", NULL, ""};
    double widths[] = {20, 8};
    unsigned char numeric[] = {0, 1};
    struct xlsx_table t = {"事项", header, 2, cells, 3, widths, numeric};
    char *out = NULL, msg[160] = "";
    size_t len = 0;
    cr_assert_eq(xlsx_write_table(&t, &out, &len, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_gt(len, 100);
    cr_assert_eq(memcmp(out, "PK\x03\x04", 4), 0);
    free(out);

    struct xlsx_table bad = {"a/b", header, 2, cells, 3, NULL, NULL};
    cr_assert_eq(xlsx_write_table(&bad, &out, &len, msg, sizeof(msg)), ERR_INVALID);
    cr_assert_null(out);

    char *huge = malloc(XLSX_CELL_MAX + 2);
    memset(huge, 'x', XLSX_CELL_MAX + 1);
    huge[XLSX_CELL_MAX + 1] = '\0';
    const char *cells2[] = {huge, "1"};
    struct xlsx_table big = {"s", header, 2, cells2, 1, NULL, NULL};
    cr_assert_eq(xlsx_write_table(&big, &out, &len, msg, sizeof(msg)), ERR_INVALID);
    cr_assert(strstr(msg, "row 2 column 1"), "%s", msg);
    free(huge);
}

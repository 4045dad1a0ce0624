/* test_qr.c - QR codes as SVG (base/qr.c). No decoder is at hand, so the
 * tests check the structure of the SVG and that its path draws exactly the
 * dark modules of libqrencode's matrix, and the symbol size of the links the
 * evaluation pages print. */
#include <criterion/criterion.h>

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/qr.h"

/* Redraw the path of svg into a size × size grid: every "Mx yhNv1h-Nz" run
 * marks N modules of row y from x. Fails the test on anything else. */
static unsigned char *redraw(const char *svg, int size, long *runs)
{
    unsigned char *grid = calloc((size_t)size * (size_t)size, 1);
    cr_assert_not_null(grid);
    const char *d = strstr(svg, " d=\"");
    cr_assert_not_null(d, "no path data");
    d += 4;
    *runs = 0;
    while (*d != '"') {
        int x, y, n, back, used = 0;
        cr_assert_eq(sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &back, &used), 4,
                     "bad path at %.20s", d);
        cr_assert_eq(n, back, "a run must close on itself");
        cr_assert(n >= 1 && x >= 0 && y >= 0 && x + n <= size && y < size, "run out of the box");
        for (int i = 0; i < n; i++) {
            cr_assert_eq(grid[(size_t)y * (size_t)size + (size_t)(x + i)], 0, "modules overlap");
            grid[(size_t)y * (size_t)size + (size_t)(x + i)] = 1;
        }
        d += used;
        (*runs)++;
    }
    return grid;
}

static void check_matches(const char *text)
{
    /* libqrencode's own matrix, as the library gives it */
    QRcode *ref = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    cr_assert_not_null(ref);
    char *svg = NULL;
    size_t len = 0;
    cr_assert_eq(qr_svg(text, 256, &svg, &len), 0);
    cr_assert_eq(strlen(svg), len);
    int size = ref->width + 2 * QR_QUIET;
    char want[128];
    snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
    cr_assert_not_null(strstr(svg, want), "%s not in the svg", want);
    long runs = 0;
    unsigned char *grid = redraw(svg, size, &runs);
    long dark = 0, drawn = 0;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            int in = x >= QR_QUIET && y >= QR_QUIET && x < QR_QUIET + ref->width &&
                     y < QR_QUIET + ref->width;
            int want_dark =
                in && (ref->data[(y - QR_QUIET) * ref->width + (x - QR_QUIET)] & 1) ? 1 : 0;
            cr_assert_eq(grid[y * size + x], want_dark, "module %d,%d", x, y);
            dark += want_dark;
            drawn += grid[y * size + x];
        }
    cr_assert_eq(dark, drawn);
    cr_assert(dark > 0 && runs > 0 && runs <= dark);
    free(grid);
    free(svg);
    QRcode_free(ref);
}

Test(qr, svg_structure)
{
    char *svg = NULL;
    size_t len = 0;
    cr_assert_eq(qr_svg("https://example.gov.cn/#/e/window/12", 300, &svg, &len), 0);
    cr_assert(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    cr_assert_not_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
    cr_assert_not_null(strstr(svg, "width=\"300\" height=\"300\""));
    cr_assert_not_null(strstr(svg, "shape-rendering=\"crispEdges\""));
    cr_assert_not_null(strstr(svg, "fill=\"#fff\""));
    cr_assert_not_null(strstr(svg, "<path fill=\"#000\" d=\"M"));
    cr_assert_str_eq(svg + len - 8, "/></svg>\n" + 1);
    /* one white square and one path, nothing else */
    int rects = 0, paths = 0;
    for (const char *p = svg; (p = strstr(p, "<rect")); p++)
        rects++;
    for (const char *p = svg; (p = strstr(p, "<path")); p++)
        paths++;
    cr_assert_eq(rects, 1);
    cr_assert_eq(paths, 1);
    free(svg);
}

Test(qr, path_draws_exactly_the_dark_modules)
{
    check_matches("https://example.gov.cn/#/e/AbCdEfGhIjKlMnOpQrStUv_-");
    check_matches("http://127.0.0.1:8080/#/e/staff/7");
    check_matches("A");
    char longer[700];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    check_matches(longer);
}

Test(qr, version_and_size_of_a_typical_link)
{
    /* a token link on a public site: 57 bytes, version 4 at level M (33 × 33) */
    struct qr_code q;
    const char *url = "https://zwfw.example.gov.cn/#/e/AbCdEfGhIjKlMnOpQrStUvWx";
    cr_assert_eq(strlen(url), 56);
    cr_assert_eq(qr_encode(url, &q), 0);
    cr_assert_eq(q.version, 4);
    cr_assert_eq(q.width, 33);
    /* the three finder patterns: dark 7 × 7 rings at three corners */
    for (int i = 0; i < 7; i++) {
        cr_assert(q.dark[i]);                     /* top left, top row */
        cr_assert(q.dark[(size_t)i * 33 + 32]);   /* top right, right column */
        cr_assert(q.dark[(size_t)(32 - i) * 33]); /* bottom left, left column */
    }
    cr_assert_eq(q.dark[(size_t)1 * 33 + 1], 0); /* the light ring inside */
    cr_assert(q.dark[(size_t)3 * 33 + 3]);       /* the dark centre */
    qr_free(&q);
    qr_free(&q); /* a second free is a no-op */
    /* a window's link is shorter: a smaller symbol */
    cr_assert_eq(qr_encode("https://zwfw.example.gov.cn/#/e/window/12", &q), 0);
    cr_assert_lt(q.version, 4);
    cr_assert_eq(q.width, 17 + 4 * q.version);
    qr_free(&q);
}

Test(qr, bad_input)
{
    struct qr_code q;
    char *svg = (char *)"x";
    size_t len = 1;
    cr_assert_eq(qr_encode("", &q), ERR_INVALID);
    cr_assert_eq(qr_encode(NULL, &q), ERR_INVALID);
    char *big = malloc(QR_TEXT_MAX + 2);
    memset(big, 'a', QR_TEXT_MAX + 1);
    big[QR_TEXT_MAX + 1] = '\0';
    cr_assert_eq(qr_encode(big, &q), ERR_INVALID);
    free(big);
    cr_assert_eq(qr_svg("x", QR_PX_MIN - 1, &svg, &len), ERR_INVALID);
    cr_assert_null(svg);
    cr_assert_eq(len, 0);
    cr_assert_eq(qr_svg("x", QR_PX_MAX + 1, &svg, &len), ERR_INVALID);
    cr_assert_eq(qr_svg("x", QR_PX_MAX, &svg, &len), 0);
    free(svg);
}

/* qr.c - QR codes as SVG over libqrencode (qr.h). */
#include "base/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

int qr_encode(const char *text, struct qr_code *out)
{
    memset(out, 0, sizeof(*out));
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > QR_TEXT_MAX)
        return ERR_INVALID;
    errno = 0;
    /* 8-bit by default; libqrencode still picks numeric or alphanumeric
     * segments where they are shorter. Case matters in a URL's token. */
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return errno == ENOMEM ? ERR_NOMEM : ERR_INVALID;
    size_t cells = (size_t)qr->width * (size_t)qr->width;
    out->dark = calloc(cells, 1);
    if (!out->dark) {
        QRcode_free(qr);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < cells; i++)
        out->dark[i] = qr->data[i] & 1;
    out->version = qr->version;
    out->width = qr->width;
    QRcode_free(qr);
    return 0;
}

void qr_free(struct qr_code *q)
{
    if (!q)
        return;
    free(q->dark);
    q->dark = NULL;
    q->width = q->version = 0;
}

/* A growing text with a fixed cap (the largest symbol's worst case). */
struct svgbuf {
    char *p;
    size_t len, cap;
};

static int put(struct svgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int put(struct svgbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp) || b->len + (size_t)n + 1 > b->cap)
        return ERR_NOMEM;
    memcpy(b->p + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
    return 0;
}

int qr_svg_of(const struct qr_code *q, int px, char **svg, size_t *len)
{
    *svg = NULL;
    *len = 0;
    if (px < QR_PX_MIN || px > QR_PX_MAX || !q || !q->dark || q->width <= 0)
        return ERR_INVALID;
    int w = q->width;
    int size = w + 2 * QR_QUIET;
    /* at most one run per two modules of a row, each run at most ~40 bytes */
    struct svgbuf b = {NULL, 0, 512 + (size_t)w * (size_t)(w / 2 + 1) * 40};
    b.p = malloc(b.cap);
    if (!b.p)
        return ERR_NOMEM;
    int rc = put(&b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                 " viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">",
                 px, px, size, size);
    if (rc == 0)
        rc = put(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
                 size, size);
    for (int y = 0; rc == 0 && y < w; y++) {
        int x = 0;
        while (rc == 0 && x < w) {
            if (!q->dark[(size_t)y * (size_t)w + (size_t)x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && q->dark[(size_t)y * (size_t)w + (size_t)(x + run)])
                run++;
            rc = put(&b, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
            x += run;
        }
    }
    if (rc == 0)
        rc = put(&b, "%s", "\"/></svg>\n");
    if (rc < 0) {
        free(b.p);
        return rc;
    }
    *svg = b.p;
    *len = b.len;
    return 0;
}

int qr_svg(const char *text, int px, char **svg, size_t *len)
{
    struct qr_code q;
    *svg = NULL;
    *len = 0;
    int rc = qr_encode(text, &q);
    if (rc < 0)
        return rc;
    rc = qr_svg_of(&q, px, svg, len);
    qr_free(&q);
    return rc;
}

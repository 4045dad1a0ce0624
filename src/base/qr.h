/* qr.h - QR codes drawn as SVG, over libqrencode: the links of the
 * evaluation pages printed on tickets and receipts and hung at windows.
 *
 * Error correction level M (15 % of the symbol may be lost), the smallest
 * version that holds the text, and a quiet zone of QR_QUIET modules on every
 * side, as ISO/IEC 18004 asks. The SVG is one white square and one black
 * path: each horizontal run of dark modules is one "M x y h n v1 h -n z"
 * rectangle, so scanners and browsers draw it crisply at any size.
 *
 * Thread safety: libqrencode is built with pthreads on Debian; the functions
 * below keep no state and may run on any thread.
 */
#ifndef CK_QR_H
#define CK_QR_H

#include <stddef.h>

#define QR_TEXT_MAX 1024 /* bytes of text one code carries here */
#define QR_QUIET 4       /* modules of white around the symbol */
#define QR_PX_MIN 64     /* the SVG's width and height, pixels */
#define QR_PX_MAX 2048

/* A symbol: width × width modules, row by row, 1 dark, 0 light. */
struct qr_code {
    int version;         /* 1..40 */
    int width;           /* 17 + 4 × version */
    unsigned char *dark; /* malloc'd, width × width */
};

/* Encode text (1..QR_TEXT_MAX bytes, NUL-terminated) into out, which owns
 * out->dark afterwards (free with qr_free). Returns 0, ERR_INVALID (empty,
 * too long, or more than the largest symbol holds) or ERR_NOMEM. */
int qr_encode(const char *text, struct qr_code *out);

/* Free what qr_encode allocated; a zeroed struct is a no-op. */
void qr_free(struct qr_code *q);

/* Draw q as an SVG document of px × px pixels (QR_PX_MIN..QR_PX_MAX).
 * *svg receives a malloc'd NUL-terminated text (the caller frees it), *len
 * its length. Returns 0, ERR_INVALID (px out of range) or ERR_NOMEM. */
int qr_svg_of(const struct qr_code *q, int px, char **svg, size_t *len);

/* qr_encode then qr_svg_of: text to an SVG document. */
int qr_svg(const char *text, int px, char **svg, size_t *len);

#endif

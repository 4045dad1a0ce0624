/* outbuf.h - a growable byte buffer with a cap, for rendered documents
 * (HTML pages, PDF streams). After curl's dynbuf: the first failure (out of
 * memory, over the cap) is sticky, the buffer frees itself, and every later
 * add is a no-op, so a renderer can write a whole page and check once.
 *
 * Not thread-safe: a buffer belongs to one renderer at a time.
 */
#ifndef CK_OUTBUF_H
#define CK_OUTBUF_H

#include <stddef.h>

#define OUTBUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

struct outbuf {
    char *p;    /* malloc'd, NUL-terminated when not NULL */
    size_t len; /* bytes written, without the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* the cap on len; 0 = OUTBUF_DEFAULT_MAX */
    int err;    /* 0, or the first failure: ERR_NOMEM or ERR_TOOLARGE */
};

/* An empty buffer holding at most max bytes (0: OUTBUF_DEFAULT_MAX). */
void outbuf_init(struct outbuf *b, size_t max);

/* Append n bytes / a NUL-terminated string / printf output. On failure the
 * buffer is freed, b->err set, and the code (ERR_NOMEM or ERR_TOOLARGE)
 * returned; once failed, every call returns that code and does nothing. */
int outbuf_add(struct outbuf *b, const void *p, size_t n);
int outbuf_str(struct outbuf *b, const char *s);
int outbuf_printf(struct outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hand the bytes to the caller (malloc'd, NUL-terminated, length in *len) and
 * leave b empty. Returns NULL (and *len 0) when the buffer failed; then
 * b->err says why. An empty buffer gives a malloc'd "". */
char *outbuf_detach(struct outbuf *b, size_t *len);

/* Free the bytes; the buffer can be reused (err is cleared). */
void outbuf_free(struct outbuf *b);

#endif

/* outbuf.c - a growable byte buffer with a cap. */
#include "report/outbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

void outbuf_init(struct outbuf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max ? max : OUTBUF_DEFAULT_MAX;
}

static int fail(struct outbuf *b, int code)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->err = code;
    return code;
}

int outbuf_add(struct outbuf *b, const void *p, size_t n)
{
    if (b->err)
        return b->err;
    if (!b->max)
        b->max = OUTBUF_DEFAULT_MAX;
    if (n > b->max - b->len)
        return fail(b, ERR_TOOLARGE);
    if (!b->p || b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap = cap > b->max / 2 ? b->max + 1 : cap * 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return fail(b, ERR_NOMEM);
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int outbuf_str(struct outbuf *b, const char *s)
{
    return outbuf_add(b, s, strlen(s));
}

int outbuf_printf(struct outbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(b, ERR_INVALID);
    if ((size_t)n < sizeof(small))
        return outbuf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return fail(b, ERR_NOMEM);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = outbuf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

char *outbuf_detach(struct outbuf *b, size_t *len)
{
    *len = 0;
    if (b->err)
        return NULL;
    if (!b->p && outbuf_add(b, "", 0) < 0)
        return NULL;
    char *p = b->p;
    *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void outbuf_free(struct outbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

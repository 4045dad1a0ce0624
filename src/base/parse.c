#include "base/parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return ERR_INVALID;
    int neg = 0;
    const char *p = s;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!*p || strlen(p) > 19)
        return ERR_INVALID;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return ERR_INVALID;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return ERR_INVALID;
    int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
    if (r < min || r > max)
        return ERR_INVALID;
    *out = r;
    return 0;
}

int parse_bool(const char *s, int *out)
{
    if (!s)
        return ERR_INVALID;
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
        *out = 0;
        return 0;
    }
    return ERR_INVALID;
}

int parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port)
{
    if (!s)
        return ERR_INVALID;
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return ERR_INVALID;
    size_t hl = (size_t)(colon - s);
    if (hl + 1 > hostlen)
        return ERR_INVALID;
    memcpy(host, s, hl);
    host[hl] = '\0';
    int64_t p;
    if (parse_int64(colon + 1, 1, 65535, &p) < 0)
        return ERR_INVALID;
    struct in_addr addr;
    if (strcmp(host, "localhost") != 0 && inet_pton(AF_INET, host, &addr) != 1)
        return ERR_INVALID;
    *port = (uint16_t)p;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int parse_urldecode(const char *src, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)src[i];
        if (c == '%') {
            if (i + 2 >= n)
                return ERR_INVALID;
            int hi = hexval(src[i + 1]), lo = hexval(src[i + 2]);
            if (hi < 0 || lo < 0)
                return ERR_INVALID;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0)
            return ERR_INVALID;
        if (o + 1 >= outlen)
            return ERR_TOOLARGE;
        out[o++] = (char)c;
    }
    if (outlen == 0)
        return ERR_TOOLARGE;
    out[o] = '\0';
    return (int)o;
}

int parse_text(const char *s, size_t min, size_t max, int multiline)
{
    if (!s)
        return ERR_INVALID;
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int extra;
        unsigned cp;
        if (c < 0x80) {
            if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
                return ERR_INVALID;
            extra = 0;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return ERR_INVALID;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return ERR_INVALID;
            cp = (cp << 6) | (*p & 0x3f);
        }
        /* overlong forms, surrogates and values past U+10FFFF */
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return ERR_INVALID;
        if (++chars > max)
            return ERR_INVALID;
    }
    return chars < min ? ERR_INVALID : 0;
}

/* jsonw.c - compact JSON text without a tree (see jsonw.h). */
#include "report/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void jw_init(struct jsonw *w)
{
    outbuf_init(&w->b, 0);
    w->need_comma = 0;
}

void jw_begin(struct jsonw *w)
{
    outbuf_add(&w->b, "{", 1);
    w->need_comma = 0;
}

void jw_end(struct jsonw *w)
{
    outbuf_add(&w->b, "}", 1);
    w->need_comma = 1;
}

/* a JSON string: the escapes jansson uses, UTF-8 passed through */
static void put_string(struct jsonw *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    outbuf_add(&w->b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        outbuf_add(&w->b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        outbuf_add(&w->b, esc, n);
    }
    outbuf_add(&w->b, run, (size_t)(s - run));
    outbuf_add(&w->b, "\"", 1);
}

static void put_key(struct jsonw *w, const char *key)
{
    if (w->need_comma)
        outbuf_add(&w->b, ",", 1);
    put_string(w, key);
    outbuf_add(&w->b, ":", 1);
    w->need_comma = 1;
}

void jw_int(struct jsonw *w, const char *key, int64_t v)
{
    char num[24];
    put_key(w, key);
    int n = snprintf(num, sizeof(num), "%" PRId64, v);
    outbuf_add(&w->b, num, (size_t)n);
}

void jw_null(struct jsonw *w, const char *key)
{
    put_key(w, key);
    outbuf_add(&w->b, "null", 4);
}

void jw_str(struct jsonw *w, const char *key, const char *s)
{
    if (!s) {
        jw_null(w, key);
        return;
    }
    put_key(w, key);
    put_string(w, s);
}

void jw_id(struct jsonw *w, const char *key, int64_t id)
{
    if (id)
        jw_int(w, key, id);
    else
        jw_null(w, key);
}

void jw_text(struct jsonw *w, const char *key, const char *s)
{
    jw_str(w, key, s && *s ? s : NULL);
}

void jw_raw(struct jsonw *w, const char *key, const char *json)
{
    if (!json) {
        jw_null(w, key);
        return;
    }
    put_key(w, key);
    outbuf_str(&w->b, json);
}

void jw_ints(struct jsonw *w, const char *key, const int64_t *v, int n)
{
    char num[24];
    put_key(w, key);
    outbuf_add(&w->b, "[", 1);
    for (int i = 0; i < n; i++) {
        int k = snprintf(num, sizeof(num), "%s%" PRId64, i ? "," : "", v[i]);
        outbuf_add(&w->b, num, (size_t)k);
    }
    outbuf_add(&w->b, "]", 1);
}

char *jw_finish(struct jsonw *w, size_t *len)
{
    size_t n = 0;
    char *p = outbuf_detach(&w->b, &n);
    if (len)
        *len = n;
    w->need_comma = 0;
    return p;
}

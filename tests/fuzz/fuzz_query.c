/* fuzz_query.c - libFuzzer driver for the query-string parsers: the input,
 * copied with a NUL, goes to query_parse, and the raw bytes to
 * parse_urldecode and (NUL-terminated) to parse_int64 and parse_bool. Besides
 * the sanitizers, the driver checks each parser's contract and aborts when one
 * is broken. Built by run.sh. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/parse.h"
#include "http/query.h"

static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 32)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
            return 0;
    return 1;
}

static void check_query(const char *qs, size_t len)
{
    struct arena a = {0};
    struct query_param qp[REQ_MAX_QUERY];
    const char *bad = NULL;
    memset(qp, 0, sizeof(qp));
    int n = query_parse(qs, &a, qp, REQ_MAX_QUERY, &bad);
    if (n >= 0) {
        if (n > REQ_MAX_QUERY || len > QUERY_MAX_LEN || bad)
            abort();
        for (int i = 0; i < n; i++) {
            if (!qp[i].key || !qp[i].value || !key_ok(qp[i].key))
                abort();
            if (strlen(qp[i].value) > QUERY_MAX_VALUE)
                abort();
            for (int k = 0; k < i; k++)
                if (strcmp(qp[i].key, qp[k].key) == 0)
                    abort();
        }
    } else {
        if (n != ERR_INVALID && n != ERR_TOOLARGE && n != ERR_NOMEM)
            abort();
        if (bad && !key_ok(bad))
            abort();
    }
    arena_reset(&a);
}

static void check_urldecode(const char *src, size_t n)
{
    char out[QUERY_MAX_VALUE + 1];
    int rc = parse_urldecode(src, n, out, sizeof(out));
    if (rc >= 0) {
        /* output: NUL-terminated, no NUL inside, never longer than the input */
        if ((size_t)rc >= sizeof(out) || (size_t)rc > n || strlen(out) != (size_t)rc)
            abort();
    } else if (rc != ERR_INVALID && rc != ERR_TOOLARGE) {
        abort();
    }
}

/* does s look like -?[0-9]{1,19} ? */
static int plain_decimal(const char *s)
{
    const char *p = s + (*s == '-');
    size_t n = strlen(p);
    if (n == 0 || n > 19)
        return 0;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static void check_int64(const char *s)
{
    int64_t v = 12345;
    int rc = parse_int64(s, INT64_MIN, INT64_MAX, &v);
    errno = 0;
    char *end = NULL;
    long long ref = strtoll(s, &end, 10);
    int ref_ok = plain_decimal(s) && errno == 0 && end && *end == '\0';
    if (rc == 0) {
        if (!ref_ok || ref != v)
            abort();
        /* the bounds are honoured */
        int64_t w;
        if (parse_int64(s, v, v, &w) != 0 || w != v)
            abort();
        if (v < INT64_MAX && parse_int64(s, v + 1, INT64_MAX, &w) != ERR_INVALID)
            abort();
        if (v > INT64_MIN && parse_int64(s, INT64_MIN, v - 1, &w) != ERR_INVALID)
            abort();
    } else {
        if (rc != ERR_INVALID || v != 12345 || ref_ok)
            abort();
    }
}

static void check_bool(const char *s)
{
    int b = 7;
    int rc = parse_bool(s, &b);
    int want = strcmp(s, "0") == 0 || strcmp(s, "1") == 0 || strcmp(s, "true") == 0 ||
               strcmp(s, "false") == 0;
    if ((rc == 0) != want || (rc == 0 && b != 0 && b != 1) || (rc != 0 && b != 7))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_query(s, strlen(s));
    check_urldecode((const char *)data, size);
    check_int64(s);
    check_bool(s);
    free(s);
    return 0;
}

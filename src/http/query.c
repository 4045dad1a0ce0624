#include "http/query.h"

#include <string.h>

#include "base/err.h"
#include "base/parse.h"

static int valid_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 32)
        return 0;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
            return 0;
    return 1;
}

int query_parse(const char *qs, struct arena *a, struct query_param *out, int max,
                const char **bad_key)
{
    if (bad_key)
        *bad_key = NULL;
    if (!qs)
        return 0;
    size_t total = strlen(qs);
    if (total > QUERY_MAX_LEN)
        return ERR_TOOLARGE;
    int n = 0;
    const char *p = qs, *end = qs + total;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop == p) {
            p = stop + 1;
            continue;
        }
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        char key[40], val[QUERY_MAX_VALUE + 1];
        int kl = parse_urldecode(p, (size_t)(kend - p), key, sizeof(key));
        if (kl < 0)
            return ERR_INVALID;
        int vl = 0;
        val[0] = '\0';
        if (eq) {
            vl = parse_urldecode(eq + 1, (size_t)(stop - eq - 1), val, sizeof(val));
            if (vl < 0) {
                if (bad_key && valid_key(key))
                    *bad_key = arena_strdup(a, key);
                return vl;
            }
        }
        if (!valid_key(key))
            return ERR_INVALID;
        for (int i = 0; i < n; i++) {
            if (strcmp(out[i].key, key) == 0) {
                if (bad_key)
                    *bad_key = out[i].key;
                return ERR_INVALID;
            }
        }
        if (n >= max)
            return ERR_INVALID;
        out[n].key = arena_strndup(a, key, (size_t)kl);
        out[n].value = arena_strndup(a, val, (size_t)vl);
        out[n].used = 0;
        if (!out[n].key || !out[n].value)
            return ERR_NOMEM;
        n++;
        p = stop + 1;
    }
    return n;
}

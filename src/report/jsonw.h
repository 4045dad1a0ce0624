/* jsonw.h - compact JSON text written straight into a buffer, for hot
 * answers (a ticket after every counter action) where building a jansson
 * tree and dumping it costs more than the rest of the request. The output is
 * byte for byte what json_dumps(JSON_COMPACT) gives for the same members in
 * the same order (tests/unit/test_jsonw.c checks that).
 *
 * Strings must be valid UTF-8 (ours are checked on the way in). Failures
 * are sticky, as in outbuf: write everything, then check jw_finish.
 */
#ifndef CK_JSONW_H
#define CK_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "report/outbuf.h"

struct jsonw {
    struct outbuf b;
    int need_comma;
};

void jw_init(struct jsonw *w);
void jw_begin(struct jsonw *w); /* { */
void jw_end(struct jsonw *w);   /* } */

/* Members: a key and its value. */
void jw_int(struct jsonw *w, const char *key, int64_t v);
void jw_str(struct jsonw *w, const char *key, const char *s); /* NULL → null */
void jw_null(struct jsonw *w, const char *key);
void jw_id(struct jsonw *w, const char *key, int64_t id);      /* 0 → null */
void jw_text(struct jsonw *w, const char *key, const char *s); /* NULL or "" → null */
/* A value already written as JSON text (NULL → null). */
void jw_raw(struct jsonw *w, const char *key, const char *json);
/* An array of integers. */
void jw_ints(struct jsonw *w, const char *key, const int64_t *v, int n);

/* The text (malloc'd, NUL-terminated; length in *len when len is not
 * NULL), or NULL when out of memory. The writer is empty afterwards. */
char *jw_finish(struct jsonw *w, size_t *len);

#endif

/* json_in.h - strict unpacking of a request body object into C values.
 *
 * A table of fields says what may appear, of which type, whether required,
 * and the bounds. Unknown keys, wrong types, strings over the limit (counted
 * in UTF-8 characters) or with control characters, and integers out of range
 * are rejected with ERR_INVALID naming the field. No raw JSON goes past the
 * api layer.
 */
#ifndef CK_JSON_IN_H
#define CK_JSON_IN_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

enum jf_type { JF_STRING = 1, JF_INT, JF_BOOL, JF_ID_OR_NULL };

struct jfield {
    const char *name;
    enum jf_type type;
    int required;
    void *out;    /* char ** (arena copy), int64_t *, int * */
    int64_t min;  /* JF_STRING: min chars; JF_INT: min value */
    int64_t max;  /* JF_STRING: max chars; JF_INT: max value */
    int *present; /* optional: set to 1 when the key appeared */
};

/* Unpack obj by fields[0..n). Returns 0 or ERR_INVALID (e names the field).
 * Strings are copied into a. */
int json_in_unpack(json_t *obj, const struct jfield *fields, int n, struct arena *a, struct err *e);

/* Parse buf[0..len) as one JSON object: duplicate keys and depth over 32 are
 * rejected. Returns the object (caller owns) or NULL with e filled. */
json_t *json_in_parse(const char *buf, size_t len, struct err *e);

#endif

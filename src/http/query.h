/* query.h - the bounded query-string parser (outside input: fuzzed). */
#ifndef CK_QUERY_H
#define CK_QUERY_H

#include "base/arena.h"
#include "http/req.h"

#define QUERY_MAX_LEN 2048  /* raw query string */
#define QUERY_MAX_VALUE 256 /* one decoded value */

/* Parse "a=1&b=x%20y" into out[0..max) with keys and values decoded into the
 * arena. Keys must be 1..32 of [a-z0-9_]; a key may appear once; empty pairs
 * ("a=1&&b=2") are skipped; a pair without '=' has value "". Returns the count,
 * or ERR_INVALID (malformed, duplicate, bad key, too many) / ERR_TOOLARGE. On
 * failure *bad_key (if not NULL) points at the offending key when known. */
int query_parse(const char *qs, struct arena *a, struct query_param *out, int max,
                const char **bad_key);

#endif

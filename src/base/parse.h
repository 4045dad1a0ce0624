/* parse.h - bounded parsers for outside input (query strings, flags, config).
 * Each accepts exactly its syntax and nothing else: no leading spaces, no
 * trailing garbage. */
#ifndef CK_PARSE_H
#define CK_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Decimal integer in [min, max] (optional leading '-'), at most 19 digits.
 * Returns 0 and sets *out, or ERR_INVALID. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* "0"/"1"/"true"/"false" into *out. Returns 0 or ERR_INVALID. */
int parse_bool(const char *s, int *out);

/* "ADDR:PORT" (IPv4 dotted quad or "localhost") into host/port. Returns 0 or
 * ERR_INVALID. */
int parse_listen(const char *s, char *host, size_t hostlen, uint16_t *port);

/* Decode one percent-encoded query component (with '+' as space) from
 * src[0..n) into out (size outlen, NUL-terminated). Rejects bad escapes,
 * NUL bytes and output that does not fit. Returns the decoded length or
 * ERR_INVALID / ERR_TOOLARGE. */
int parse_urldecode(const char *src, size_t n, char *out, size_t outlen);

/* A line of text from outside: valid UTF-8, no control characters (tab and
 * newline allowed only when multiline), between min and max characters.
 * Returns 0 or ERR_INVALID. */
int parse_text(const char *s, size_t min, size_t max, int multiline);

#endif

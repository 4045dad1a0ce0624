/* arena.h - a per-request memory pool freed in one go (after h2o's mempool).
 *
 * Allocations come from chunks; arena_reset frees them all. Not thread-safe:
 * an arena belongs to one request at a time. Every allocation is bounded by
 * the arena's cap; past it arena_alloc returns NULL.
 */
#ifndef CK_ARENA_H
#define CK_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *chunks;
    size_t used_total; /* bytes handed out */
    size_t cap;        /* upper bound on used_total; 0 = 64 MiB */
};

/* Zeroed memory of n bytes aligned for any type, valid until arena_reset;
 * NULL when out of memory or over the cap. */
void *arena_alloc(struct arena *a, size_t n);

/* Copy of s (NUL-terminated) or of s[0..n) for arena_strndup; NULL on failure. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Free every chunk; the arena can be reused. */
void arena_reset(struct arena *a);

#endif

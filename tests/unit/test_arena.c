/* test_arena.c - the per-request memory pool (base/arena.c). */
#include <criterion/criterion.h>

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"

static struct arena a;

static void fini(void)
{
    arena_reset(&a);
}

TestSuite(arena, .fini = fini);

Test(arena, zeroed_and_aligned)
{
    for (size_t n = 1; n < 100; n += 7) {
        unsigned char *p = arena_alloc(&a, n);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0, "size %zu misaligned", n);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(p[i], 0);
        memset(p, 0xab, n);
    }
}

Test(arena, allocations_do_not_overlap)
{
    char *p[64];
    for (int i = 0; i < 64; i++) {
        p[i] = arena_alloc(&a, 100);
        cr_assert_not_null(p[i]);
        memset(p[i], i, 100);
    }
    for (int i = 0; i < 64; i++)
        for (int k = 0; k < 100; k++)
            cr_assert_eq(p[i][k], (char)i, "block %d byte %d was overwritten", i, k);
}

Test(arena, big_allocation_gets_its_own_chunk)
{
    char *small = arena_alloc(&a, 16);
    char *big = arena_alloc(&a, 100000);
    cr_assert_not_null(small);
    cr_assert_not_null(big);
    memset(big, 1, 100000);
    char *after = arena_alloc(&a, 16);
    cr_assert_not_null(after);
    cr_assert_geq(a.used_total, 100000 + 32);
}

Test(arena, used_total_counts_rounded_sizes)
{
    cr_assert_not_null(arena_alloc(&a, 1));
    cr_assert_eq(a.used_total, alignof(max_align_t));
    cr_assert_not_null(arena_alloc(&a, alignof(max_align_t)));
    cr_assert_eq(a.used_total, 2 * alignof(max_align_t));
}

Test(arena, cap_enforced)
{
    a.cap = 1024;
    cr_assert_not_null(arena_alloc(&a, 1000));
    cr_assert_null(arena_alloc(&a, 100), "over the cap");
    cr_assert_not_null(arena_alloc(&a, 16), "what is left can still be used");
    cr_assert_null(arena_alloc(&a, 2048));
    cr_assert_leq(a.used_total, 1024);
}

Test(arena, huge_requests_fail_cleanly)
{
    cr_assert_null(arena_alloc(&a, SIZE_MAX));
    cr_assert_null(arena_alloc(&a, SIZE_MAX - 8));
    cr_assert_null(arena_alloc(&a, (size_t)65 << 20), "over the 64 MiB default cap");
    cr_assert_eq(a.used_total, 0);
}

Test(arena, strdup_and_strndup)
{
    const char *s = "政务服务";
    char *d = arena_strdup(&a, s);
    cr_assert_str_eq(d, s);
    cr_assert_neq(d, s);
    char *n = arena_strndup(&a, "abcdef", 3);
    cr_assert_str_eq(n, "abc");
    char *z = arena_strndup(&a, "abc", 0);
    cr_assert_str_eq(z, "");
}

Test(arena, printf)
{
    char *p = arena_printf(&a, "%s-%d-%05.1f", "x", 42, 3.14159);
    cr_assert_str_eq(p, "x-42-003.1");
    char big[6000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    p = arena_printf(&a, "<%s>", big);
    cr_assert_not_null(p);
    cr_assert_eq(strlen(p), sizeof(big) + 1);
    cr_assert_eq(p[0], '<');
    cr_assert_eq(p[sizeof(big)], '>');
}

Test(arena, printf_respects_cap)
{
    a.cap = 64;
    cr_assert_null(arena_printf(&a, "%0100d", 1));
    cr_assert_not_null(arena_printf(&a, "%d", 1));
}

Test(arena, reset_and_reuse)
{
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 100; i++)
            cr_assert_not_null(arena_alloc(&a, 500));
        cr_assert_gt(a.used_total, 0);
        arena_reset(&a);
        cr_assert_eq(a.used_total, 0);
        cr_assert_null(a.chunks);
    }
    arena_reset(&a); /* twice is fine */
}

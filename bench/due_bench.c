/* due_bench - the deadline engine in process: 1,000,000 random (date, n)
 * pairs through calendar_add_workdays on the shipped calendars, five rounds;
 * prints "ops_per_s <median> ns_per_op <median>". Dates run over 2025-01-01 ..
 * 2026-10-31 and n over 0..40, so every answer lies inside the known years. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "domain/calendar.h"
#include "store/embedded.h"

#define PAIRS 1000000
#define ROUNDS 5

static int load(struct calendar **out)
{
    int years[8], ny = 0, nd = 0;
    struct calendar_day *days = NULL;
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
        size_t n = strlen(f->name);
        if (n != 9 || strcmp(f->name + 4, ".json") != 0 || ny >= 8)
            continue;
        struct calendar_import imp;
        struct err e = {0};
        if (calendar_parse_json(f->text, strlen(f->text), &imp, &e) < 0)
            return -1;
        years[ny++] = imp.years[0];
        struct calendar_day *grown = realloc(days, sizeof(*days) * (size_t)(nd + imp.ndays));
        if (!grown)
            return -1;
        days = grown;
        memcpy(days + nd, imp.days, sizeof(*days) * (size_t)imp.ndays);
        nd += imp.ndays;
        calendar_import_free(&imp);
    }
    int rc = calendar_build(years, ny, days, nd, out);
    free(days);
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    struct calendar *c = NULL;
    if (load(&c) < 0) {
        fprintf(stderr, "due_bench: cannot build the calendar\n");
        return 1;
    }
    int32_t lo = date_from_civil(2025, 1, 1), hi = date_from_civil(2026, 10, 31);
    int32_t *from = malloc(sizeof(int32_t) * PAIRS);
    int *n = malloc(sizeof(int) * PAIRS);
    if (!from || !n)
        return 1;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < PAIRS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        from[i] = lo + (int32_t)(x % (uint64_t)(hi - lo));
        n[i] = (int)((x >> 32) % 41);
    }
    double rates[ROUNDS];
    int64_t check = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (int i = 0; i < PAIRS; i++) {
            int32_t due;
            int missing;
            if (calendar_add_workdays(c, from[i], n[i], &due, &missing) < 0) {
                fprintf(stderr, "due_bench: pair %d failed\n", i);
                return 1;
            }
            check += due;
        }
        rates[r] = PAIRS / (now() - t0);
    }
    qsort(rates, ROUNDS, sizeof(rates[0]), cmp);
    double median = rates[ROUNDS / 2];
    printf("ops_per_s %.0f ns_per_op %.1f check %lld\n", median, 1e9 / median, (long long)check);
    free(from);
    free(n);
    free(c);
    return 0;
}

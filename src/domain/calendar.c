/* calendar.c - the compiled calendar and the deadline engine. */
#include "domain/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "base/date.h"

/* One block: the header, then cum[ndays + 1] (cum[i] = working days among the
 * first i days of the span), then work[nwork] (offsets of the working days). */
struct calendar {
    size_t size;
    int first_year, nyears; /* the span: whole years first_year .. +nyears-1 */
    int32_t start;          /* day number of 1 January of first_year */
    int32_t ndays, nwork;
    unsigned char known[CALENDAR_MAX_SPAN_YEARS];
    int32_t data[];
};

static const int32_t *cum(const struct calendar *c)
{
    return c->data;
}

static const int32_t *work(const struct calendar *c)
{
    return c->data + c->ndays + 1;
}

size_t calendar_size(const struct calendar *c)
{
    return c->size;
}

int calendar_build(const int *years, int nyears, const struct calendar_day *days, int ndays,
                   struct calendar **out)
{
    *out = NULL;
    int lo = 0, hi = -1;
    for (int i = 0; i < nyears; i++) {
        if (years[i] < DATE_MIN_YEAR || years[i] > DATE_MAX_YEAR)
            return ERR_INVALID;
        if (hi < lo || years[i] < lo)
            lo = years[i];
        if (hi < 0 || years[i] > hi)
            hi = years[i];
    }
    int span = nyears ? hi - lo + 1 : 0;
    if (span > CALENDAR_MAX_SPAN_YEARS)
        return ERR_INVALID;
    int32_t start = span ? date_from_civil(lo, 1, 1) : 0;
    int32_t nd = span ? date_from_civil(hi + 1, 1, 1) - start : 0;
    size_t size = sizeof(struct calendar) + sizeof(int32_t) * ((size_t)nd * 2 + 1);
    struct calendar *c = calloc(1, size);
    if (!c)
        return ERR_NOMEM;
    c->size = size;
    c->first_year = lo;
    c->nyears = span;
    c->start = start;
    c->ndays = nd;
    for (int i = 0; i < nyears; i++)
        c->known[years[i] - lo] = 1;
    /* day kinds: weekend rule, then the exceptions */
    signed char *off = malloc(nd ? (size_t)nd : 1);
    if (!off) {
        free(c);
        return ERR_NOMEM;
    }
    for (int32_t i = 0; i < nd; i++)
        off[i] = date_weekday(start + i) >= 6;
    for (int i = 0; i < ndays; i++) {
        int32_t k = days[i].day - start;
        if (k < 0 || k >= nd || !c->known[date_year(days[i].day) - lo]) {
            free(off);
            free(c);
            return ERR_INVALID;
        }
        off[k] = days[i].is_off ? 1 : 0;
    }
    int32_t *cm = c->data, *wk = c->data + nd + 1;
    cm[0] = 0;
    for (int32_t i = 0; i < nd; i++) {
        cm[i + 1] = cm[i] + (off[i] ? 0 : 1);
        if (!off[i])
            wk[c->nwork++] = i;
    }
    free(off);
    *out = c;
    return 0;
}

int calendar_year_known(const struct calendar *c, int year)
{
    int k = year - c->first_year;
    return k >= 0 && k < c->nyears && c->known[k];
}

/* every year from a to b (inclusive) known? else the first unknown one */
static int years_known(const struct calendar *c, int a, int b, int *missing)
{
    for (int y = a; y <= b; y++) {
        if (!calendar_year_known(c, y)) {
            *missing = y;
            return 0;
        }
    }
    return 1;
}

int calendar_is_workday(const struct calendar *c, int32_t day, int *missing_year)
{
    int y = date_year(day);
    if (!calendar_year_known(c, y)) {
        *missing_year = y;
        return ERR_CALENDAR;
    }
    int32_t k = day - c->start;
    return cum(c)[k + 1] - cum(c)[k];
}

int calendar_add_workdays(const struct calendar *c, int32_t from, int n, int32_t *due,
                          int *missing_year)
{
    if (n < 0 || n > CALENDAR_MAX_LIMIT)
        return ERR_INVALID;
    int y0 = date_year(from);
    if (!calendar_year_known(c, y0)) {
        *missing_year = y0;
        return ERR_CALENDAR;
    }
    if (n == 0) {
        *due = from;
        return 0;
    }
    int32_t k = from - c->start;
    int64_t target = (int64_t)cum(c)[k + 1] + n - 1; /* index of the n-th working day after */
    if (target >= c->nwork) {
        /* the span ends first: the next year is the one missing */
        int y = c->first_year + c->nyears;
        if (!years_known(c, y0, y - 1, missing_year))
            return ERR_CALENDAR;
        *missing_year = y;
        return ERR_CALENDAR;
    }
    int32_t d = c->start + work(c)[target];
    if (!years_known(c, y0, date_year(d), missing_year))
        return ERR_CALENDAR;
    *due = d;
    return 0;
}

int calendar_workdays_between(const struct calendar *c, int32_t a, int32_t b, int32_t *count,
                              int *missing_year)
{
    if (b <= a) {
        *count = 0;
        return 0;
    }
    int ya = date_year(a), yb = date_year(b);
    if (!years_known(c, ya, yb, missing_year))
        return ERR_CALENDAR;
    *count = cum(c)[b - c->start + 1] - cum(c)[a - c->start + 1];
    return 0;
}

int calendar_add_days(const struct calendar *c, int32_t from, int n, int32_t *due,
                      int *missing_year)
{
    if (n < 0 || n > CALENDAR_MAX_LIMIT)
        return ERR_INVALID;
    int32_t d = from + n;
    /* a period that ends on a day off ends on the next working day */
    for (int guard = 0; guard < 400; guard++) {
        int w = calendar_is_workday(c, d, missing_year);
        if (w < 0)
            return w;
        if (w == 1 || n == 0) {
            *due = d;
            return 0;
        }
        d++;
    }
    return ERR_INVALID;
}

int64_t calendar_add_hours(int64_t at, int hours)
{
    return at + (int64_t)hours * 3600;
}

static int count_units(const struct calendar *c, enum calendar_unit unit, int32_t a, int32_t b,
                       int32_t *count, int *missing_year)
{
    if (unit == CAL_WORKDAYS)
        return calendar_workdays_between(c, a, b, count, missing_year);
    *count = b > a ? b - a : 0;
    return 0;
}

int calendar_deadline(const struct calendar *c, int32_t from, int n, enum calendar_unit unit,
                      const struct calendar_pause *pauses, int npauses,
                      struct calendar_deadline *out, int *missing_year)
{
    memset(out, 0, sizeof(*out));
    out->due = -1;
    if (n < 0 || n > CALENDAR_MAX_LIMIT || npauses < 0 || npauses > CALENDAR_MAX_PAUSES ||
        (unit != CAL_WORKDAYS && unit != CAL_DAYS))
        return ERR_INVALID;
    int32_t start = from; /* counting runs from the day after start */
    int remaining = n;
    int32_t prev_end = from;
    for (int i = 0; i < npauses; i++) {
        const struct calendar_pause *p = &pauses[i];
        if (p->stop < prev_end || (p->resume >= 0 && p->resume < p->stop) ||
            (p->resume < 0 && i != npauses - 1))
            return ERR_INVALID;
        prev_end = p->resume >= 0 ? p->resume : p->stop;
        int32_t used;
        int rc = count_units(c, unit, start, p->stop, &used, missing_year);
        if (rc < 0)
            return rc;
        if (used >= remaining)
            break; /* the deadline fell before this pause: later pauses do not move it */
        remaining -= (int)used;
        if (p->resume < 0) {
            out->open = 1;
            out->remaining = remaining;
            return 0;
        }
        int32_t stood;
        rc = count_units(c, unit, p->stop, p->resume, &stood, missing_year);
        if (rc < 0)
            return rc;
        out->paused_units += (int)stood;
        start = p->resume;
    }
    if (unit == CAL_WORKDAYS)
        return calendar_add_workdays(c, start, remaining, &out->due, missing_year);
    return calendar_add_days(c, start, remaining, &out->due, missing_year);
}

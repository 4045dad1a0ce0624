/* The clock of a case (限时办结) on the shipped 2026 calendar: due dates,
 * the yellow day, remaining and used working days at a given day, levels,
 * and pauses (补正) that stop it. Late November and early December 2026 have
 * no statutory days off, so the expectations can be counted by hand. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "domain/case.h"
#include "store/embedded.h"

static struct calendar *cal;

static void setup(void)
{
    struct calendar_import imp;
    memset(&imp, 0, sizeof(imp));
    for (const struct embedded_file *f = embedded_files; f->name; f++)
        if (strcmp(f->name, "2026.json") == 0) {
            struct err e = {0};
            cr_assert_eq(calendar_parse_json(f->text, strlen(f->text), &imp, &e), 0);
        }
    int years[] = {2026};
    cr_assert_eq(calendar_build(years, 1, imp.days, imp.ndays, &cal), 0);
    calendar_import_free(&imp);
}

static void teardown(void)
{
    free(cal);
}

TestSuite(case_clock, .init = setup, .fini = teardown);

static struct case_clock at(const char *today, const struct case_pause_row *p, int np)
{
    struct case_clock c;
    int missing = 0;
    cr_assert_eq(
        case_clock_compute(cal, "2026-11-20", 10, "workdays", p, np, today, 80, 1, &c, &missing),
        0);
    return c;
}

Test(case_clock, due_yellow_and_levels)
{
    struct case_clock c = at("2026-11-25", NULL, 0);
    cr_assert_str_eq(c.promised_due, "2026-12-04");
    cr_assert_str_eq(c.yellow_day, "2026-12-02", "8 of 10 working days used");
    cr_assert_eq(c.remaining, 7);
    cr_assert_eq(c.used, 3);
    cr_assert_str_eq(c.level, "none");
    c = at("2026-12-02", NULL, 0);
    cr_assert_str_eq(c.level, "yellow");
    cr_assert_eq(c.remaining, 2);
    c = at("2026-12-04", NULL, 0);
    cr_assert_str_eq(c.level, "red");
    cr_assert_eq(c.remaining, 0);
    c = at("2026-12-07", NULL, 0);
    cr_assert_str_eq(c.level, "overdue");
    cr_assert_eq(c.remaining, -1, "Saturday and Sunday do not count");
    cr_assert_eq(c.used, 11);
}

Test(case_clock, a_supplement_stops_the_clock)
{
    struct case_pause_row open = {.kind = "supplement", .stop_day = "2026-11-24"};
    struct case_clock c = at("2026-11-26", &open, 1);
    cr_assert(c.paused);
    cr_assert_str_eq(c.level, "paused");
    cr_assert_str_eq(c.promised_due, "");
    cr_assert_eq(c.remaining, 8, "the 23rd and the 24th counted");
    struct case_pause_row closed = {
        .kind = "supplement", .stop_day = "2026-11-24", .resume_day = "2026-11-26"};
    c = at("2026-11-26", &closed, 1);
    cr_assert_not(c.paused);
    cr_assert_str_eq(c.promised_due, "2026-12-08", "counting restarts the day after");
}

Test(case_clock, natural_days_and_no_clock)
{
    struct case_clock c;
    int missing = 0;
    cr_assert_eq(case_clock_compute(cal, "2026-11-20", 3, "days", NULL, 0, "2026-11-20", 80, 1, &c,
                                    &missing),
                 0);
    cr_assert_str_eq(c.promised_due, "2026-11-23");
    cr_assert_eq(c.remaining, 3);
    cr_assert_eq(case_clock_compute(cal, "2026-11-20", 0, "workdays", NULL, 0, "2026-11-20", 80, 0,
                                    &c, &missing),
                 0);
    cr_assert_not(c.has_clock);
    cr_assert_str_eq(c.level, "none");
}

Test(case_clock, an_unknown_year_is_named)
{
    struct case_clock c;
    int missing = 0;
    cr_assert_eq(case_clock_compute(cal, "2026-12-20", 30, "workdays", NULL, 0, "2026-12-20", 80, 1,
                                    &c, &missing),
                 ERR_CALENDAR);
    cr_assert_eq(missing, 2027);
}

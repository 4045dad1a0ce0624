/* The working-day calendar and the deadline engine, on the shipped 2025 and
 * 2026 calendars (State Council notices). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/calendar.h"
#include "store/embedded.h"

static struct calendar *cal;

static void load_year(const char *name, struct calendar_import *imp)
{
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
        if (strcmp(f->name, name) == 0) {
            struct err e = {0};
            cr_assert_eq(calendar_parse_json(f->text, strlen(f->text), imp, &e), 0, "%s: %s %s",
                         name, e.field, e.msg);
            return;
        }
    }
    cr_assert_fail("%s is not compiled in", name);
}

static void setup(void)
{
    struct calendar_import a, b;
    load_year("2025.json", &a);
    load_year("2026.json", &b);
    int years[] = {2025, 2026};
    struct calendar_day *days = malloc(sizeof(*days) * (size_t)(a.ndays + b.ndays));
    memcpy(days, a.days, sizeof(*days) * (size_t)a.ndays);
    memcpy(days + a.ndays, b.days, sizeof(*days) * (size_t)b.ndays);
    cr_assert_eq(calendar_build(years, 2, days, a.ndays + b.ndays, &cal), 0);
    free(days);
    calendar_import_free(&a);
    calendar_import_free(&b);
}

static void teardown(void)
{
    free(cal);
}

TestSuite(calendar, .init = setup, .fini = teardown);

static int32_t D(const char *s)
{
    int32_t d;
    cr_assert_eq(date_parse(s, &d), 0, "%s", s);
    return d;
}

static void expect_due(const char *from, int n, const char *want)
{
    int32_t due;
    int missing = 0;
    int rc = calendar_add_workdays(cal, D(from), n, &due, &missing);
    cr_assert_eq(rc, 0, "%s + %d: rc %d (missing %d)", from, n, rc, missing);
    char got[DATE_TEXT];
    date_format(due, got);
    cr_expect_str_eq(got, want, "%s + %d workdays", from, n);
}

Test(calendar, dates_are_strict)
{
    int32_t d;
    cr_expect_eq(date_parse("2026-02-30", &d), ERR_INVALID);
    cr_expect_eq(date_parse("2025-02-29", &d), ERR_INVALID);
    cr_expect_eq(date_parse("2024-02-29", &d), 0);
    cr_expect_eq(date_parse("2026-2-3", &d), ERR_INVALID);
    cr_expect_eq(date_parse("2026-02-03 ", &d), ERR_INVALID);
    cr_expect_eq(date_parse("2026/02/03", &d), ERR_INVALID);
    cr_expect_eq(date_parse("", &d), ERR_INVALID);
    cr_expect_eq(date_parse("20260203", &d), ERR_INVALID);
    cr_expect_eq(date_parse_compact("20260203", &d), 0);
    cr_expect_eq(date_weekday(D("2026-11-29")), 7, "2026-11-29 is a Sunday");
    cr_expect_eq(date_weekday(D("1970-01-01")), 4);
}

Test(calendar, spring_festival_2025)
{
    /* 1/28-2/4 off; Sun 1/26 and Sat 2/8 worked */
    expect_due("2025-01-24", 1, "2025-01-26");
    expect_due("2025-01-24", 2, "2025-01-27");
    expect_due("2025-01-27", 1, "2025-02-05");
    expect_due("2025-02-05", 3, "2025-02-08");
    expect_due("2025-01-20", 20, "2025-02-21");
}

Test(calendar, labour_and_national_day_2025)
{
    expect_due("2025-04-25", 1, "2025-04-27"); /* Sunday 4/27 worked */
    expect_due("2025-04-30", 1, "2025-05-06"); /* 5/1-5/5 off */
    expect_due("2025-09-26", 1, "2025-09-28"); /* Sunday 9/28 worked */
    expect_due("2025-09-30", 1, "2025-10-09"); /* 10/1-10/8 off */
    expect_due("2025-10-09", 2, "2025-10-11"); /* Saturday 10/11 worked */
}

Test(calendar, spring_festival_2026)
{
    /* 2/15-2/23 off; Sat 2/14 and Sat 2/28 worked */
    expect_due("2026-02-13", 1, "2026-02-14");
    expect_due("2026-02-13", 2, "2026-02-24");
    expect_due("2026-02-27", 1, "2026-02-28");
    expect_due("2026-02-27", 2, "2026-03-02");
    expect_due("2026-02-10", 20, "2026-03-16");
}

Test(calendar, labour_and_national_day_2026)
{
    expect_due("2026-04-30", 1, "2026-05-06"); /* 5/1-5/5 off */
    expect_due("2026-05-08", 1, "2026-05-09"); /* Saturday 5/9 worked */
    expect_due("2026-09-18", 1, "2026-09-20"); /* Sunday 9/20 worked */
    expect_due("2026-09-30", 1, "2026-10-08"); /* 10/1-10/7 off */
    expect_due("2026-10-09", 1, "2026-10-10"); /* Saturday 10/10 worked */
    expect_due("2026-09-24", 1, "2026-09-28"); /* 中秋 9/25-9/27 */
}

Test(calendar, year_end_2025_into_2026)
{
    expect_due("2025-12-31", 1, "2026-01-04"); /* 1/1-1/3 off, Sunday 1/4 worked */
    expect_due("2025-12-30", 2, "2026-01-04");
    expect_due("2025-12-31", 0, "2025-12-31");
}

Test(calendar, unknown_years_are_errors_not_weekends)
{
    int32_t due;
    int missing = 0;
    cr_expect_eq(calendar_add_workdays(cal, D("2026-12-30"), 5, &due, &missing), ERR_CALENDAR);
    cr_expect_eq(missing, 2027);
    missing = 0;
    cr_expect_eq(calendar_add_workdays(cal, D("2024-12-30"), 1, &due, &missing), ERR_CALENDAR);
    cr_expect_eq(missing, 2024);
    /* the last working day of 2026 is still reachable */
    expect_due("2026-12-30", 1, "2026-12-31");
}

Test(calendar, natural_days_end_on_a_working_day)
{
    int32_t due;
    int missing = 0;
    char got[DATE_TEXT];
    cr_assert_eq(calendar_add_days(cal, D("2026-02-10"), 7, &due, &missing), 0);
    date_format(due, got);
    cr_expect_str_eq(got, "2026-02-24", "2/17 is in the Spring Festival: moved to 2/24");
    cr_assert_eq(calendar_add_days(cal, D("2026-03-02"), 5, &due, &missing), 0);
    date_format(due, got);
    cr_expect_str_eq(got, "2026-03-09", "Saturday 3/7 moves to Monday 3/9");
    cr_assert_eq(calendar_add_days(cal, D("2026-02-07"), 7, &due, &missing), 0);
    date_format(due, got);
    cr_expect_str_eq(got, "2026-02-14", "Saturday 2/14 is a make-up working day");
}

static void expect_deadline(const char *from, int n, const struct calendar_pause *p, int np,
                            const char *want, int paused)
{
    struct calendar_deadline d;
    int missing = 0;
    cr_assert_eq(calendar_deadline(cal, D(from), n, CAL_WORKDAYS, p, np, &d, &missing), 0);
    char got[DATE_TEXT];
    date_format(d.due, got);
    cr_expect_str_eq(got, want);
    cr_expect_eq(d.paused_units, paused);
}

Test(calendar, pause_across_the_spring_festival)
{
    /* received 2026-02-02 (Mon), 10 working days; 补正 requested 2026-02-06
     * (Fri, 4 used), supplement arrived 2026-02-25 (Wed): 6 left, counted
     * from 2/26 (Thu 26, Fri 27, Sat 28 worked, Mon 2, Tue 3, Wed 4); the
     * clock stood still for 8 working days (2/9-2/14 and 2/24-2/25) */
    struct calendar_pause p[] = {{D("2026-02-06"), D("2026-02-25")}};
    expect_deadline("2026-02-02", 10, p, 1, "2026-03-04", 8);
    /* without the pause */
    expect_due("2026-02-02", 10, "2026-02-14");
}

Test(calendar, two_pauses_and_one_after_the_deadline)
{
    struct calendar_pause p[] = {
        {D("2026-04-28"), D("2026-05-07")},
        {D("2026-05-11"), D("2026-05-12")},
    };
    /* from 4/27 (Mon), 10 days: 4/28 counts (1), stop; resume after 5/7:
     * 5/8 (2), 5/9 Sat worked (3), 5/11 (4) stop; resume after 5/12:
     * 5/13 (5) 14 (6) 15 (7) 18 (8) 19 (9) 20 (10) */
    expect_deadline("2026-04-27", 10, p, 2, "2026-05-20", 5);
    /* a pause after the deadline passed does not move it */
    struct calendar_pause late[] = {{D("2026-06-01"), D("2026-06-10")}};
    expect_deadline("2026-04-27", 3, late, 1, "2026-04-30", 0);
}

Test(calendar, open_pause_has_no_due_date)
{
    struct calendar_pause p[] = {{D("2026-03-04"), -1}};
    struct calendar_deadline d;
    int missing = 0;
    cr_assert_eq(calendar_deadline(cal, D("2026-03-02"), 5, CAL_WORKDAYS, p, 1, &d, &missing), 0);
    cr_expect_eq(d.open, 1);
    cr_expect_eq(d.due, -1);
    cr_expect_eq(d.remaining, 3, "3/3 and 3/4 used, 3 left");
}

Test(calendar, bad_pauses_are_rejected)
{
    struct calendar_deadline d;
    int missing = 0;
    struct calendar_pause before[] = {{D("2026-03-01"), D("2026-03-05")}};
    cr_expect_eq(calendar_deadline(cal, D("2026-03-02"), 5, CAL_WORKDAYS, before, 1, &d, &missing),
                 ERR_INVALID);
    struct calendar_pause backwards[] = {{D("2026-03-06"), D("2026-03-04")}};
    cr_expect_eq(
        calendar_deadline(cal, D("2026-03-02"), 5, CAL_WORKDAYS, backwards, 1, &d, &missing),
        ERR_INVALID);
    struct calendar_pause overlap[] = {{D("2026-03-04"), D("2026-03-10")},
                                       {D("2026-03-09"), D("2026-03-12")}};
    cr_expect_eq(calendar_deadline(cal, D("2026-03-02"), 5, CAL_WORKDAYS, overlap, 2, &d, &missing),
                 ERR_INVALID);
    cr_expect_eq(calendar_add_workdays(cal, D("2026-03-02"), -1, &d.due, &missing), ERR_INVALID);
    cr_expect_eq(calendar_add_workdays(cal, D("2026-03-02"), 100000, &d.due, &missing),
                 ERR_INVALID);
}

Test(calendar, json_errors_name_the_entry)
{
    struct calendar_import imp;
    struct err e = {0};
    const char *bad_date = "{\"year\":2027,\"days\":[{\"name\":\"元旦\",\"date\":\"2027-01-01\","
                           "\"isOffDay\":true},{\"name\":\"春节\",\"date\":\"2027-02-30\","
                           "\"isOffDay\":true}]}";
    cr_expect_eq(calendar_parse_json(bad_date, strlen(bad_date), &imp, &e), ERR_INVALID);
    cr_expect_str_eq(e.field, "days[1].date");
    const char *wrong_year = "{\"year\":2027,\"days\":[{\"name\":\"元旦\",\"date\":\"2026-01-01\","
                             "\"isOffDay\":true}]}";
    cr_expect_eq(calendar_parse_json(wrong_year, strlen(wrong_year), &imp, &e), ERR_INVALID);
    cr_expect_str_eq(e.field, "days[0].date");
    const char *twice = "{\"year\":2027,\"days\":[{\"name\":\"a\",\"date\":\"2027-01-01\","
                        "\"isOffDay\":true},{\"name\":\"b\",\"date\":\"2027-01-01\","
                        "\"isOffDay\":false}]}";
    cr_expect_eq(calendar_parse_json(twice, strlen(twice), &imp, &e), ERR_INVALID);
    cr_expect_str_eq(e.field, "days[1].date");
    const char *no_flag = "{\"year\":2027,\"days\":[{\"name\":\"a\",\"date\":\"2027-01-01\"}]}";
    cr_expect_eq(calendar_parse_json(no_flag, strlen(no_flag), &imp, &e), ERR_INVALID);
    cr_expect_str_eq(e.field, "days[0].isOffDay");
    cr_expect_eq(calendar_parse_json("{\"year\":", 8, &imp, &e), ERR_INVALID);
}

Test(calendar, ics_import)
{
    const char *ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                      "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270104\r\n"
                      "SUMMARY:元旦\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270109\r\nSUMMARY:元旦 补班\r\n"
                      "END:VEVENT\r\nEND:VCALENDAR\r\n";
    struct calendar_import imp;
    struct err e = {0};
    cr_assert_eq(calendar_parse_ics(ics, strlen(ics), &imp, &e), 0, "%s %s", e.field, e.msg);
    cr_expect_eq(imp.nyears, 1);
    cr_expect_eq(imp.years[0], 2027);
    cr_expect_eq(imp.ndays, 4);
    int off = 0, work = 0;
    for (int i = 0; i < imp.ndays; i++)
        imp.days[i].is_off ? off++ : work++;
    cr_expect_eq(off, 3);
    cr_expect_eq(work, 1);
    calendar_import_free(&imp);

    const char *bad = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270230\nEND:VEVENT\n"
                      "END:VCALENDAR\n";
    cr_expect_eq(calendar_parse_ics(bad, strlen(bad), &imp, &e), ERR_INVALID);
    cr_expect_str_eq(e.field, "line 3");
}

Test(calendar, constant_time_engine_agrees_with_counting)
{
    /* walk day by day and compare with the O(1) answer */
    for (int32_t from = D("2025-01-01"); from < D("2026-11-01"); from += 3) {
        for (int n = 1; n <= 30; n += 7) {
            int32_t due, d = from;
            int missing = 0, left = n;
            while (left > 0) {
                d++;
                if (calendar_is_workday(cal, d, &missing) == 1)
                    left--;
            }
            cr_assert_eq(calendar_add_workdays(cal, from, n, &due, &missing), 0);
            cr_assert_eq(due, d);
        }
    }
}

Test(calendar, every_day_formats_back_to_itself)
{
    char text[DATE_TEXT], again[DATE_TEXT];
    int32_t first = 0, last = 0;
    char edge[DATE_TEXT];
    snprintf(edge, sizeof(edge), "%04d-01-01", DATE_MIN_YEAR);
    first = D(edge);
    snprintf(edge, sizeof(edge), "%04d-12-31", DATE_MAX_YEAR);
    last = D(edge);
    for (int32_t day = first; day <= last; day += 7) {
        date_format(day, text);
        int32_t back = 0;
        cr_assert_eq(date_parse(text, &back), 0, "%s", text);
        cr_assert_eq(back, day, "%s", text);
    }
    date_format(D("2026-01-05"), again);
    cr_assert_str_eq(again, "2026-01-05");
    date_format(last, again);
    cr_assert_str_eq(again, edge);
}

/* calendar.h - the working-day calendar and the deadline engine (限时办结).
 *
 * The calendar is data: per imported year, the dated exceptions to the
 * weekend rule — statutory days off (放假) and make-up working days on a
 * weekend (调休上班). A year without data is unknown, and any computation that
 * needs it fails with ERR_CALENDAR naming the year, so an operator imports the
 * new year instead of the system silently counting weekends only.
 *
 * Counting (DOMAIN.md §6, 行政许可法 第八十二条): a limit in working days starts
 * the day after the materials were received; the n-th working day is the due
 * date. A limit in natural days ends n days after receipt, moved to the next
 * working day when that day is off (民法典 第二百零三条). A pause (补正,
 * hearing, testing, appraisal, expert review) stops the clock on its first day
 * — that day still counts — and counting restarts the day after the
 * supplement or result arrived.
 *
 * struct calendar is compiled once from the tables into one contiguous block
 * (it can be copied byte for byte, e.g. into the read cache) and answers in
 * constant time: a prefix count of working days and the list of them.
 */
#ifndef CK_CALENDAR_H
#define CK_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define CALENDAR_MAX_SPAN_YEARS 60
#define CALENDAR_MAX_LIMIT 3650
#define CALENDAR_MAX_PAUSES 16
#define CALENDAR_NAME_MAX 40
#define CALENDAR_FILE_MAX ((size_t)1024 * 1024)

struct calendar;

/* One dated exception. */
struct calendar_day {
    int32_t day; /* date.h day number */
    int is_off;  /* 1: statutory day off; 0: make-up working day */
    char name[CALENDAR_NAME_MAX * 4 + 1];
};

/* Build from the known years and their exceptions (any order). *out is one
 * malloc'd block of calendar_size(*out) bytes, freed with free(). Returns 0,
 * ERR_INVALID (an exception outside the known years, a span over
 * CALENDAR_MAX_SPAN_YEARS) or ERR_NOMEM. With no years the calendar knows
 * nothing and every computation fails with ERR_CALENDAR. */
int calendar_build(const int *years, int nyears, const struct calendar_day *days, int ndays,
                   struct calendar **out);

/* Bytes in the block (for copying). */
size_t calendar_size(const struct calendar *c);

/* Load and build from the database. */
int calendar_load(struct db *db, struct calendar **out);

/* Is the year known? */
int calendar_year_known(const struct calendar *c, int year);

/* 1 working day, 0 day off, or ERR_CALENDAR (*missing_year set). */
int calendar_is_workday(const struct calendar *c, int32_t day, int *missing_year);

/* The n-th working day after from (n >= 0; n = 0 gives from itself).
 * ERR_CALENDAR with *missing_year when a year on the way is unknown;
 * ERR_INVALID for n out of range. */
int calendar_add_workdays(const struct calendar *c, int32_t from, int n, int32_t *due,
                          int *missing_year);

/* Working days in (a, b] (0 when b <= a). ERR_CALENDAR as above. */
int calendar_workdays_between(const struct calendar *c, int32_t a, int32_t b, int32_t *count,
                              int *missing_year);

/* A natural-day limit: from + n, moved past days off to the next working day. */
int calendar_add_days(const struct calendar *c, int32_t from, int n, int32_t *due,
                      int *missing_year);

/* A limit in hours (same-day items, e.g. 2小时办结): clock hours from the
 * moment of receipt (epoch seconds), days off included. */
int64_t calendar_add_hours(int64_t at, int hours);

enum calendar_unit { CAL_WORKDAYS = 1, CAL_DAYS = 2 };

struct calendar_pause {
    int32_t stop;   /* the clock stops at the end of this day (it counts) */
    int32_t resume; /* the supplement/result arrived; counting restarts the day after;
                       -1 while still stopped */
};

/* A deadline with pauses. Pauses must be in order, not overlapping, with
 * stop >= from and resume >= stop (ERR_INVALID otherwise). When the last pause
 * is still open the deadline has no date yet: out->due is -1 and
 * out->remaining says how many units are left to count once it resumes. */
struct calendar_deadline {
    int32_t due;      /* -1 while paused */
    int remaining;    /* units still to count when paused (else 0) */
    int paused_units; /* working (or natural) days the clock stood still */
    int open;         /* the clock is stopped now */
};

int calendar_deadline(const struct calendar *c, int32_t from, int n, enum calendar_unit unit,
                      const struct calendar_pause *pauses, int npauses,
                      struct calendar_deadline *out, int *missing_year);

/* ---- the stored calendar ---- */

struct calendar_year_info {
    int year;
    char source[32];
    int64_t imported_at;
    int off_days, workdays;
};

/* Known years, ascending (at most max). */
int calendar_years(struct db *db, struct calendar_year_info *out, int max, int *n);

/* A year's exceptions in date order into a (ERR_NOTFOUND if not known). */
int calendar_year_days(struct db *db, int year, struct arena *a, struct calendar_day **days, int *n,
                       struct calendar_year_info *info);

/* Parsed import: one or more years with their exceptions. */
struct calendar_import {
    int years[8];
    int nyears;
    struct calendar_day *days; /* malloc'd; calendar_import_free */
    int ndays;
};

/* Parse a holiday-cn JSON file ({"year":…,"days":[{"name","date","isOffDay"}]}):
 * every date must lie in "year" and appear once. Errors name the entry in
 * e->field ("days[3].date"). */
int calendar_parse_json(const char *text, size_t len, struct calendar_import *out, struct err *e);

/* Parse iCalendar (RFC 5545) all-day VEVENTs: DTSTART;VALUE=DATE, optional
 * DTEND (exclusive), SUMMARY; a summary with 班 (补班/上班/调休上班) or
 * "workday" marks make-up working days, every other event days off. Errors
 * name the line ("line 12"). */
int calendar_parse_ics(const char *text, size_t len, struct calendar_import *out, struct err *e);

void calendar_import_free(struct calendar_import *imp);

/* Replace the years in imp with its content (write transaction; audited).
 * source: "json", "ics", "builtin". */
int calendar_store_import(struct db *db, const struct actor *who, const struct calendar_import *imp,
                          const char *source, struct err *e);

/* Set or clear one day's exception (write transaction; audited). The year
 * must be known (ERR_CONFLICT otherwise). */
int calendar_set_day(struct db *db, const struct actor *who, int32_t day, int is_off,
                     const char *name, struct err *e);
int calendar_clear_day(struct db *db, const struct actor *who, int32_t day, struct err *e);

/* May this actor edit the national calendar? (an admin of a root node, or the
 * command line) */
int calendar_may_edit(const struct actor *who);

/* Load the calendars compiled into the binary (share/calendar/YYYY.json) for
 * every year the database does not know yet. *loaded gets the count. Runs its
 * own transaction. */
int calendar_load_builtin(struct db *db, int *loaded);

#endif

/* date.h - calendar dates as day numbers (days since 1970-01-01, proleptic
 * Gregorian), parsed strictly. */
#ifndef CK_DATE_H
#define CK_DATE_H

#include <stdint.h>

#define DATE_MIN_YEAR 1900
#define DATE_MAX_YEAR 2199
#define DATE_TEXT 11 /* "YYYY-MM-DD" + NUL */

/* "YYYY-MM-DD" exactly (ten characters, a real date, years DATE_MIN_YEAR ..
 * DATE_MAX_YEAR: 2026-02-30 is an error) into *day. Returns 0 or
 * ERR_INVALID. */
int date_parse(const char *s, int32_t *day);

/* "YYYYMMDD" (iCalendar DATE) the same way. */
int date_parse_compact(const char *s, int32_t *day);

/* The day number of year-month-day (assumed valid). */
int32_t date_from_civil(int year, int month, int mday);

/* Split a day number. */
void date_to_civil(int32_t day, int *year, int *month, int *mday);

/* "YYYY-MM-DD" into out[DATE_TEXT]. */
void date_format(int32_t day, char *out);

/* 1 = Monday ... 7 = Sunday (ISO). */
int date_weekday(int32_t day);

/* The year of a day number. */
int date_year(int32_t day);

#endif

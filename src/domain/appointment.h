/* appointment.h - appointments (预约, DOMAIN.md §3): daily time slots per
 * catalogue item and hall with a capacity, bookings by citizens (web) or by
 * staff for a caller (phone), cancelling, check-in at the hall within a window
 * around the slot start (a ticket of the appointment class), and no-shows.
 *
 * Days are the hall's local dates (Asia/Shanghai, as the queue's service
 * day); slot times are minutes after local midnight. Booking is only on
 * working days of the calendar: a day off is ERR_CONFLICT (field "day"), a
 * year the calendar does not know ERR_CALENDAR. A booking needs an item that
 * is published, appointable and served at the hall (ERR_INVALID
 * "item_code"), a slot defined for it (ERR_INVALID "slot_start") that has not
 * ended and has room (ERR_CONFLICT "slot_start"), and a day from today to
 * APPT_HORIZON_DAYS ahead (ERR_INVALID "day"). A person (phone) holds at most
 * one active booking per item and day (ERR_CONFLICT "item_code") and at most
 * APPT_PER_PERSON_DAY per day (ERR_CONFLICT "phone").
 *
 * The booking code (APPT_CODE_LEN characters of an unambiguous alphabet) is
 * shown once; only its SHA-256 is stored, with its first APPT_HINT_LEN
 * characters as a hint for staff lists. Phone and ID number are stored only
 * as SHA-256 hashes of their digits; the name is stored as given.
 *
 * No-shows: appt_sweep marks the bookings never checked in whose check-in
 * window has closed (a late slot's may run past midnight) as no_show.
 * Booking and check-in call it inside their transaction, so the record is
 * current whenever a booking changes.
 *
 * Every function that depends on the time takes `now` (epoch seconds). Writes
 * run inside the caller's transaction (the writer).
 */
#ifndef CK_APPOINTMENT_H
#define CK_APPOINTMENT_H

#include <stdint.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/calendar.h"
#include "domain/catalog.h"
#include "domain/queue.h"
#include "store/db.h"

#define APPT_CODE_LEN 8                 /* characters of a booking code */
#define APPT_HINT_LEN 3                 /* characters kept as the code's hint */
#define APPT_PER_PERSON_DAY 3           /* active bookings per phone and day */
#define APPT_HORIZON_DAYS 30            /* the furthest day ahead one may book */
#define APPT_SLOTS_MAX 48               /* slot definitions per item and hall */
#define APPT_CAPACITY_MAX 1000          /* bookings per slot */
#define APPT_EARLY_S ((int64_t)30 * 60) /* check-in opens this long before the slot start */
#define APPT_LATE_S ((int64_t)15 * 60)  /* and closes this long after it */
#define APPT_ID_NUMBER_MAX 18

enum appt_status { APPT_BOOKED = 1, APPT_CANCELLED, APPT_CHECKED_IN, APPT_NO_SHOW };

/* "booked", "cancelled", "checked_in", "no_show"; "" for an unknown value. */
const char *appt_status_name(enum appt_status s);

struct appt_slot_def {
    int start, end; /* minutes after local midnight */
    int capacity;
};

struct appt_slot {
    int start, end, capacity;
    int booked;    /* active bookings (booked or checked in) */
    int remaining; /* capacity - booked, at least 0 */
    int open;      /* 1 when it may still be booked at now */
};

/* Replace the slots of an item at a hall (write transaction; administrators
 * whose scope holds the hall; audited). Slots must not overlap, start < end
 * <= 1440, capacity 1..APPT_CAPACITY_MAX, at most APPT_SLOTS_MAX (ERR_INVALID
 * naming "slots[i]"). The item must be published and served at the hall
 * (ERR_INVALID "item_code"); bookings already made keep their times. */
int appt_slots_set(struct db *db, const struct actor *who, int64_t hall_id, const char *item_code,
                   const struct appt_slot_def *slots, int n, int64_t now, struct err *e);

/* The slots of an item at a hall on a day with what remains, by start
 * (copied into a). The calendar decides the day as for booking: ERR_CONFLICT
 * "day" on a day off, ERR_CALENDAR (*missing_year) for an unknown year.
 * ERR_NOTFOUND when the hall is not an active hall. */
int appt_slots(struct db *db, const struct calendar *cal, int64_t hall_id, const char *item_code,
               const char *day, int64_t now, struct arena *a, struct appt_slot **out, int *n,
               int *missing_year, struct err *e);

/* The item codes that have slots at a hall, by code: at most max into codes
 * (strings copied into a), *n their count. 0 or a negative ERR_* code (the
 * database's). */
int appt_slot_items(struct db *db, int64_t hall_id, struct arena *a, const char **codes, int max,
                    int *n);

struct appt_input {
    int64_t hall_id;
    const char *item_code;
    const char *day; /* YYYY-MM-DD */
    int slot_start;  /* minutes */
    const char *name;
    const char *phone;     /* digits, optional leading + */
    const char *id_number; /* optional: 15 or 18 characters, digits and X */
};

struct appointment {
    int64_t id, hall_id;
    char hall_name[ORG_NAME_MAX * 4 + 1];
    char item_code[CATALOG_CODE_MAX + 1];
    char item_name[CATALOG_NAME_MAX * 4 + 1];
    char day[DATE_TEXT];
    int start, end;
    char name[QUEUE_NAME_MAX * 4 + 1];
    char code_hint[APPT_HINT_LEN + 1];
    char channel[8];
    enum appt_status status;
    int64_t created_at, cancelled_at, checked_in_at, ticket_id; /* 0: not so */
    int64_t checkin_from, checkin_until; /* the check-in window, epoch seconds */
};

/* Book (write transaction). A public actor books on the web; a staff or
 * admin account whose scope holds the hall books for a caller (channel
 * phone); others ERR_FORBIDDEN. code gets the new booking code (shown once). */
int appt_book(struct db *db, const struct actor *who, const struct calendar *cal,
              const struct appt_input *in, int64_t now, struct appointment *out,
              char code[APPT_CODE_LEN + 1], int *missing_year, struct err *e);

/* A booking by its code and the phone it was made with (ERR_NOTFOUND, field
 * "code", when they do not match one). */
int appt_get(struct db *db, const char *code, const char *phone, struct appointment *out,
             struct err *e);

/* Cancel a booked appointment by code and phone (write transaction): not
 * matching ERR_NOTFOUND; not booked ERR_CONFLICT naming the state. */
int appt_cancel(struct db *db, const char *code, const char *phone, int64_t now,
                struct appointment *out, struct err *e);

/* Check in at a hall (write transaction): a kiosk of the hall, or a staff or
 * admin account whose scope holds it (ERR_FORBIDDEN). The code must be of a
 * booking at this hall (ERR_NOTFOUND "code"), booked (ERR_CONFLICT "code"
 * naming the state: used twice, cancelled, no-show), and now within
 * [start - APPT_EARLY_S, start + APPT_LATE_S] on its day (ERR_CONFLICT "code"
 * naming the window). Issues the ticket through queue_issue (priority
 * appointment, channel appointment) into ticket. */
int appt_checkin(struct db *db, const struct actor *who, int64_t hall_id, const char *code,
                 int64_t now, struct appointment *out, struct queue_ticket *ticket, struct err *e);

/* Mark every booking still booked whose check-in window has closed as
 * no_show (write transaction): the days before yesterday, and yesterday's
 * late slots once their window (which may run past midnight) is over.
 * *marked gets the count (may be NULL). */
int appt_sweep(struct db *db, int64_t now, int *marked);

#endif

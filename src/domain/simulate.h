/* simulate.h - a model of a government service hall's day (DOMAIN.md §3):
 * arrivals by time of day (a morning peak about 9:30-11:00, the lunch break,
 * an afternoon peak about 14:30-16:00; hall hours 9:00-12:00 and 13:30-17:00
 * local time), service times per item (log-normal around a few minutes), and
 * the occasional no-show, transfer, withdrawal and green-channel citizen, all
 * drawn from a seeded generator (the same seed gives the same day).
 *
 * Appointments (预约, domain/appointment.h): the hall day in half-hour slots,
 * booked ahead on the web or by phone, a few cancelled; most citizens check
 * in shortly before their slot (some a little late, inside the check-in
 * window), a few never come.
 *
 * demo_seed_day replays one finished day of that model through the queue
 * and appointment domain functions with synthetic times, so a fresh demo
 * shows figures. The command-line simulator (src/sim) uses the same model
 * against a live hall.
 */
#ifndef CK_SIMULATE_H
#define CK_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/appointment.h"
#include "store/db.h"

#define SIM_OPEN_AM (9 * 60) /* hall hours, minutes after local midnight */
#define SIM_CLOSE_AM (12 * 60)
#define SIM_OPEN_PM (13 * 60 + 30)
#define SIM_CLOSE_PM (17 * 60)
#define SIM_NO_SHOW_PCT 5
#define SIM_TRANSFER_PCT 3
#define SIM_WITHDRAW_PCT 2
#define SIM_GREEN_PCT 3
#define SIM_AGENT_PCT 2
#define SIM_TICKETS_PER_WINDOW 28 /* a seeded day's expected tickets per window */

#define SIM_APPT_SLOT_MIN 30    /* the demo's appointment slots, minutes */
#define SIM_APPT_CAPACITY 3     /* the demo's bookings per slot */
#define SIM_APPT_FILL_PCT 40    /* a seeded day books this share of a slot at the peaks */
#define SIM_APPT_PHONE_PCT 25   /* booked by phone (staff for a caller); the rest on the web */
#define SIM_APPT_CANCEL_PCT 8   /* bookings cancelled before the day */
#define SIM_APPT_NO_SHOW_PCT 10 /* of the rest: never come, so never checked in */
#define SIM_APPT_LATE_PCT 15    /* of those who come: a few minutes after the slot start */
#define SIM_APPT_PCT 10         /* the live simulator: bookings per 100 tickets issued */

struct sim_rng {
    uint64_t s;
};

void sim_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_next(struct sim_rng *r);
/* Uniform in [0, 1). */
double sim_uniform(struct sim_rng *r);
/* Uniform integer in [0, n) (n > 0). */
int sim_below(struct sim_rng *r, int n);
/* 1 with probability pct percent. */
int sim_chance(struct sim_rng *r, int pct);
/* A Poisson count with mean lambda (lambda < 50). */
int sim_poisson(struct sim_rng *r, double lambda);

/* The relative arrival rate at a minute of the local day (0 outside hall
 * hours, 1.0 at the peaks). */
double sim_shape(int minute_of_day);

/* The sum of sim_shape over the day's minutes. */
double sim_shape_total(void);

/* A service time in seconds for an item (its code sets the typical length,
 * 2-8 minutes; NULL or "" gives 5), between 60 s and 40 min. */
int64_t sim_service_s(struct sim_rng *r, const char *item_code);

/* The hall day in SIM_APPT_SLOT_MIN-minute slots of capacity each (hall
 * hours 9:00-12:00 and 13:30-17:00) into out; returns how many (at most
 * max). */
int sim_appt_slots(struct appt_slot_def *out, int max, int capacity);

/* A made-up citizen: a common Chinese name (UTF-8, at most 4 characters) into
 * name and a mainland mobile number (11 digits) into phone; both
 * NUL-terminated and cut to their caps. */
void sim_citizen(struct sim_rng *r, char *name, size_t name_cap, char *phone, size_t phone_cap);

/* When the holder of an appointment for slot_start (minutes after local
 * midnight) checks in at the hall: seconds after local midnight, mostly 2-25
 * minutes early, SIM_APPT_LATE_PCT percent 1-12 minutes late, never before
 * the hall's doors open for a slot in hall hours, always inside the check-in
 * window (appointment.h: APPT_EARLY_S before to APPT_LATE_S after). */
int64_t sim_appt_arrival_s(struct sim_rng *r, int slot_start);

/* Replay one finished day (date.h day number) of the hall through the queue
 * functions with synthetic times, inside the caller's write transaction: the
 * staff with open assignments open the hall's windows, tickets arrive by the
 * model, windows call, start and finish in window order as they free up,
 * with no-shows (after the recall limit), transfers, withdrawals (while
 * waiting, or at the counter); every
 * ticket ends done, no_show or withdrawn, and the windows are closed again.
 *
 * Appointments: on a working day of the stored calendar, each item with
 * slots at the hall gets bookings in its slots (appt_book, up to what
 * remains; days ahead, web or by phone through the staff of a window), a few
 * cancelled (appt_cancel); the rest check in at the hall during the day
 * (appt_checkin, an appointment ticket that the windows call like the
 * others) or never come, and appt_sweep at the next local midnight records
 * those as no_show. On a day off, or a year the calendar does not know, the
 * day has walk-ins only. Booking codes are random (they are secrets); all
 * else follows from the seed.
 * Returns 0 or an ERR_* with e filled. */
int demo_seed_day(struct db *db, int64_t hall_id, int32_t day, uint64_t seed, struct err *e);

#endif

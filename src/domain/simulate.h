/* simulate.h - a model of a government service hall's day (DOMAIN.md §3):
 * arrivals by time of day (a morning peak about 9:30-11:00, the lunch break,
 * an afternoon peak about 14:30-16:00; hall hours 9:00-12:00 and 13:30-17:00
 * local time), service times per item (log-normal around a few minutes), and
 * the occasional no-show, transfer, withdrawal and green-channel citizen, all
 * drawn from a seeded generator (the same seed gives the same day).
 *
 * demo_seed_day replays one finished day of that model through the queue
 * domain functions with synthetic times, so a fresh demo shows figures. The
 * command-line simulator (src/sim) uses the same model against a live hall.
 */
#ifndef CK_SIMULATE_H
#define CK_SIMULATE_H

#include <stdint.h>

#include "base/err.h"
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

/* Replay one finished day (date.h day number) of the hall through the queue
 * functions with synthetic times, inside the caller's write transaction: the
 * staff with open assignments open the hall's windows, tickets arrive by the
 * model, windows call, start and finish in window order as they free up,
 * with no-shows (after the recall limit), transfers, withdrawals (while
 * waiting, or at the counter); every
 * ticket ends done, no_show or withdrawn, and the windows are closed again.
 * Returns 0 or an ERR_* with e filled. */
int demo_seed_day(struct db *db, int64_t hall_id, int32_t day, uint64_t seed, struct err *e);

#endif

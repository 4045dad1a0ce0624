/* sim.h - `chuangkou simulate`: drive a live hall through the public HTTP API
 * with the hall day model of domain/simulate.h, so that screens and
 * dashboards come alive and benchmarks see real traffic.
 *
 * It logs in as an administrator, makes (or reuses) one simulation staff
 * account per window of the hall ("sim-h<hall>-w<window>", assigned to that
 * window, with a fresh random password each run), opens the windows, then
 * issues tickets by the time-of-day shape and works the windows: call-next,
 * start, finish after a service time drawn for the item, with the occasional
 * no-show (recalled up to the hall's limit first), transfer and withdrawal.
 * It prints a line a minute and stops by itself (or on Ctrl-C): the windows
 * finish whom they hold and close; tickets still waiting stay in line.
 *
 * Appointments: the hall's appointable items (those of its series) are asked
 * for today's slots (GET /api/halls/{id}/slots). On a day off, a year without
 * a calendar or with no slot open it says so once and carries on without
 * them. Otherwise citizens book (SIM_APPT_PCT per 100 tickets; on the web
 * without a session, or by phone through the administrator), a few cancel,
 * a few never come, and the rest check in through POST
 * /api/halls/{id}/checkin with the administrator's session (as a counter's
 * kiosk would) at a time drawn around their slot. The check-in window is the
 * server's (real time, not the compressed hall clock), so only slots whose
 * window falls within the run are booked; a check-in due after the run is
 * left undone (the booking becomes a no-show once the day is over). The
 * booking codes are kept in memory only and wiped at the end.
 *
 * Time: without a speed the hall day 9:00-17:00 is compressed into the run
 * of `minutes` real minutes and `rate` counts tickets per real minute; with
 * a speed the hall clock runs `speed` times real time from 9:00, `minutes`
 * and `rate` count hall minutes, and the run takes minutes / speed real
 * minutes. Either way `rate` is the day's average: the morning and afternoon
 * peaks get more, the lunch break none.
 */
#ifndef CK_SIM_H
#define CK_SIM_H

#include <stdint.h>

struct sim_options {
    const char *url; /* http://host:port */
    int64_t hall_id;
    double rate;          /* tickets per minute, > 0 */
    double minutes;       /* > 0 */
    double speed;         /* 0: compress the hall day into the run */
    const char *login;    /* an administrator of the hall */
    const char *password; /* never from argv */
    uint64_t seed;
};

/* Run the simulation; 0 when it ran to its end (or was stopped), 1 on a
 * setup failure (a message on stderr). */
int sim_run(const struct sim_options *o);

#endif

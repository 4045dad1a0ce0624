/* test_simulate.c - the hall day model and demo_seed_day (domain/simulate.c)
 * on migrated temp databases holding the demo town; with the built-in
 * calendars, the seeded day's appointments. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/appointment.h"
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/simulate.h"
#include "unit_db.h"

#define DAY "2024-09-02"

struct day_counts {
    int64_t issued, done, no_show, withdrawn, open, wait_sum, service_sum;
};

static int64_t hall_id(struct db *db, const char *path)
{
    struct org_node n;
    cr_assert_eq(org_find_by_codes(db, path, &n), 0);
    return n.id;
}

/* A demo database with DAY replayed at hall-d with seed. */
static void seeded(struct unit_db *u, uint64_t seed, int64_t *hall)
{
    struct err e = {0};
    unit_db_open(u, 1);
    cr_assert_eq(demo_create(u->db, "demo-hash", &e), 0, "%s", e.msg);
    *hall = hall_id(u->db, "/dist/hall-d");
    int32_t day = 0;
    cr_assert_eq(date_parse(DAY, &day), 0);
    cr_assert_eq(db_begin(u->db), 0);
    cr_assert_eq(demo_seed_day(u->db, *hall, day, seed, &e), 0, "%s", e.msg);
    cr_assert_eq(db_commit(u->db), 0);
}

static void counts(struct db *db, int64_t hall, struct day_counts *c)
{
    char sql[512];
#define COUNT(field, cond)                                                                         \
    snprintf(                                                                                      \
        sql, sizeof(sql),                                                                          \
        "SELECT COALESCE(SUM(%s), 0) FROM ticket WHERE hall_id = %lld AND service_day = '" DAY     \
        "'",                                                                                       \
        cond, (long long)hall);                                                                    \
    c->field = unit_db_int(db, sql)
    COUNT(issued, "1");
    COUNT(done, "status = 'done'");
    COUNT(no_show, "status = 'no_show'");
    COUNT(withdrawn, "status = 'withdrawn'");
    COUNT(open, "status NOT IN ('done', 'no_show', 'withdrawn')");
    COUNT(wait_sum, "wait_s");
    COUNT(service_sum, "service_s");
#undef COUNT
}

Test(simulate, the_same_seed_gives_the_same_day)
{
    struct unit_db a, b;
    int64_t ha, hb;
    struct day_counts ca, cb;
    seeded(&a, 42, &ha);
    counts(a.db, ha, &ca);
    unit_db_close(&a);
    seeded(&b, 42, &hb);
    counts(b.db, hb, &cb);
    unit_db_close(&b);
    cr_assert_gt(ca.issued, 100);
    cr_assert_eq(memcmp(&ca, &cb, sizeof(ca)), 0, "issued %lld/%lld done %lld/%lld",
                 (long long)ca.issued, (long long)cb.issued, (long long)ca.done,
                 (long long)cb.done);
}

Test(simulate, every_ticket_ends_with_plausible_times)
{
    struct unit_db u;
    int64_t hall;
    struct day_counts c;
    seeded(&u, 7, &hall);
    counts(u.db, hall, &c);
    cr_assert_eq(c.open, 0);
    cr_assert_eq(c.issued, c.done + c.no_show + c.withdrawn);
    /* about 5% no-shows and a few withdrawals, most served */
    cr_assert_gt(c.no_show, 0);
    cr_assert_lt(c.no_show * 100, c.issued * 12);
    cr_assert_gt(c.done * 100, c.issued * 80);
    cr_assert_gt(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket_event WHERE type = 'recalled'"), 0);
    /* issued in hall hours (local 9:00-17:00, UTC+8) */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" DAY "'"
                                   " AND ((issued_at + 28800) % 86400 < 32400"
                                   " OR (issued_at + 28800) % 86400 >= 61200)"),
                 0);
    /* service 1-40 minutes; waits under three hours; calls after issue */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" DAY "'"
                                   " AND status = 'done'"
                                   " AND (service_s < 60 OR service_s > 2400)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" DAY "'"
                                   " AND (wait_s < 0 OR wait_s > 10800)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" DAY "'"
                                   " AND called_at IS NOT NULL AND called_at < issued_at"),
                 0);
    /* the windows are closed again at the end of the day */
    struct arena a = {0};
    struct queue_window *w = NULL;
    int n = 0;
    cr_assert_eq(queue_hall_windows(u.db, hall, 0, &a, &w, &n), 0);
    cr_assert_eq(n, 7);
    for (int i = 0; i < n; i++)
        cr_assert_eq(w[i].status, QUEUE_WINDOW_CLOSED);
    arena_reset(&a);
    unit_db_close(&u);
}

Test(simulate, the_day_has_figures)
{
    struct unit_db u;
    int64_t hall;
    seeded(&u, 3, &hall);
    struct arena a = {0};
    struct queue_stats_row *rows = NULL;
    int n = 0;
    cr_assert_eq(queue_stats(u.db, hall, DAY, QUEUE_BY_HALL, &a, &rows, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_gt(rows[0].issued, 100);
    cr_assert_gt(rows[0].served, 80);
    cr_assert_gt(rows[0].avg_wait_s, 0);
    cr_assert_geq(rows[0].p90_wait_s, rows[0].avg_wait_s);
    cr_assert_gt(rows[0].avg_service_s, 60);
    cr_assert_lt(rows[0].avg_service_s, 1200);
    cr_assert_eq(queue_stats(u.db, hall, DAY, QUEUE_BY_STAFF, &a, &rows, &n), 0);
    cr_assert_geq(n, 5); /* the demo staff did the work */
    arena_reset(&a);
    unit_db_close(&u);
}

Test(simulate, demo_shows_the_last_working_day)
{
    struct unit_db u;
    struct err e = {0};
    unit_db_open(&u, 1);
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    /* both halls, one day, before today */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT hall_id) FROM ticket"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT service_day) FROM ticket"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE status NOT IN"
                                   " ('done', 'no_show', 'withdrawn')"),
                 0);
    unit_db_close(&u);
}

Test(simulate, the_model_is_shaped_and_seeded)
{
    cr_assert_eq(sim_shape(8 * 60 + 59), 0.0);
    cr_assert_eq(sim_shape(12 * 60 + 30), 0.0);
    cr_assert_eq(sim_shape(17 * 60), 0.0);
    cr_assert_gt(sim_shape(10 * 60), sim_shape(9 * 60));
    cr_assert_gt(sim_shape(15 * 60), sim_shape(13 * 60 + 30));
    struct sim_rng r1, r2;
    sim_seed(&r1, 5);
    sim_seed(&r2, 5);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(sim_next(&r1), sim_next(&r2));
    int64_t sum = 0;
    for (int i = 0; i < 1000; i++) {
        int64_t s = sim_service_s(&r1, "A01");
        cr_assert(s >= 60 && s <= 2400);
        sum += s;
    }
    cr_assert(sum / 1000 > 90 && sum / 1000 < 900);
}

/* ---- appointments on the seeded day ---- */

#define APPT_DAY "2026-03-03" /* a Tuesday, a working day in the built-in 2026 calendar */
#define APPT_WHERE " WHERE hall_id = %lld AND day = '" APPT_DAY "'"

/* A demo database with the built-in calendars and day replayed at hall-d
 * with seed. */
static void seeded_day(struct unit_db *u, uint64_t seed, const char *day, int64_t *hall)
{
    struct err e = {0};
    int years = 0;
    unit_db_open(u, 1);
    cr_assert_eq(calendar_load_builtin(u->db, &years), 0);
    cr_assert_geq(years, 1);
    cr_assert_eq(demo_create(u->db, "demo-hash", &e), 0, "%s", e.msg);
    *hall = hall_id(u->db, "/dist/hall-d");
    int32_t dn = 0;
    cr_assert_eq(date_parse(day, &dn), 0);
    cr_assert_eq(db_begin(u->db), 0);
    cr_assert_eq(demo_seed_day(u->db, *hall, dn, seed, &e), 0, "%s", e.msg);
    cr_assert_eq(db_commit(u->db), 0);
}

static int64_t appt_count(struct db *db, int64_t hall, const char *cond)
{
    char sql[512];
    int n = snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM appointment" APPT_WHERE " AND %s",
                     (long long)hall, cond);
    cr_assert(n > 0 && (size_t)n < sizeof(sql));
    return unit_db_int(db, sql);
}

Test(simulate, appointments_are_booked_ahead_and_settled)
{
    struct unit_db u;
    int64_t hall;
    seeded_day(&u, 7, APPT_DAY, &hall);
    int64_t total = appt_count(u.db, hall, "1 = 1");
    int64_t in = appt_count(u.db, hall, "status = 'checked_in'");
    int64_t no_show = appt_count(u.db, hall, "status = 'no_show'");
    int64_t cancelled = appt_count(u.db, hall, "status = 'cancelled'");
    /* four appointable items at hall-d, 13 slots of 3 each, about a third booked */
    cr_assert_gt(total, 20);
    cr_assert_leq(total, 4 * 13 * SIM_APPT_CAPACITY);
    /* the day is over: nothing is left booked; most came, some did not, a few cancelled */
    cr_assert_eq(in + no_show + cancelled, total);
    cr_assert_gt(in * 100, total * 70);
    cr_assert_gt(no_show, 0);
    cr_assert_gt(cancelled, 0);
    /* both channels; a phone booking names the staff member who took the call */
    cr_assert_gt(appt_count(u.db, hall, "channel = 'web' AND staff_id IS NULL"), 0);
    cr_assert_gt(appt_count(u.db, hall, "channel = 'phone' AND staff_id IS NOT NULL"), 0);
    cr_assert_eq(appt_count(u.db, hall, "(channel = 'web') <> (staff_id IS NULL)"), 0);
    /* booked on earlier days, never beyond a slot's capacity */
    int32_t dn = 0;
    cr_assert_eq(date_parse(APPT_DAY, &dn), 0);
    char cond[160];
    snprintf(cond, sizeof(cond), "created_at >= %lld",
             (long long)((int64_t)dn * 86400 - QUEUE_TZ_OFFSET_S));
    cr_assert_eq(appt_count(u.db, hall, cond), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM (SELECT a.item_code, a.start_min"
                                   " FROM appointment a JOIN appointment_slot s"
                                   " ON s.hall_id = a.hall_id AND s.item_code = a.item_code"
                                   " AND s.start_min = a.start_min"
                                   " WHERE a.day = '" APPT_DAY "'"
                                   " AND a.status IN ('checked_in', 'no_show')"
                                   " GROUP BY a.item_code, a.start_min, s.capacity"
                                   " HAVING COUNT(*) > s.capacity) x"),
                 0);
    /* cancelled after booking and before check-in opens, with no ticket;
     * no-shows have no ticket either */
    snprintf(cond, sizeof(cond),
             "status = 'cancelled' AND (cancelled_at <= created_at OR ticket_id IS NOT NULL OR"
             " cancelled_at >= strftime('%%s', day) - %lld + start_min * 60 - %lld)",
             (long long)QUEUE_TZ_OFFSET_S, (long long)APPT_EARLY_S);
    cr_assert_eq(appt_count(u.db, hall, cond), 0);
    cr_assert_eq(appt_count(u.db, hall,
                            "status = 'no_show' AND (ticket_id IS NOT NULL OR checked_in_at IS"
                            " NOT NULL)"),
                 0);
    unit_db_close(&u);
}

Test(simulate, checked_in_appointments_queue_as_appointment_tickets)
{
    struct unit_db u;
    int64_t hall;
    seeded_day(&u, 7, APPT_DAY, &hall);
    int64_t in = appt_count(u.db, hall, "status = 'checked_in'");
    cr_assert_gt(in, 0);
    /* each check-in made one ticket of its item, the appointment class and
     * channel, issued at the check-in, inside the window around the slot */
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM appointment a JOIN ticket t ON t.id = a.ticket_id"
             " WHERE a.hall_id = %lld AND a.day = '" APPT_DAY "' AND a.status = 'checked_in'"
             " AND t.hall_id = a.hall_id AND t.service_day = a.day AND t.item_code = a.item_code"
             " AND t.priority = %d AND t.channel = 'appointment' AND t.issued_at = a.checked_in_at"
             " AND a.checked_in_at >= strftime('%%s', a.day) - %lld + a.start_min * 60 - %lld"
             " AND a.checked_in_at <= strftime('%%s', a.day) - %lld + a.start_min * 60 + %lld",
             (long long)hall, QUEUE_APPOINTMENT, (long long)QUEUE_TZ_OFFSET_S,
             (long long)APPT_EARLY_S, (long long)QUEUE_TZ_OFFSET_S, (long long)APPT_LATE_S);
    cr_assert_eq(unit_db_int(u.db, sql), in);
    /* and no other ticket is of that class or channel */
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM ticket WHERE hall_id = %lld AND service_day = '" APPT_DAY "'"
             " AND (priority = %d OR channel = 'appointment')",
             (long long)hall, QUEUE_APPOINTMENT);
    cr_assert_eq(unit_db_int(u.db, sql), in);
    /* they went through the queue like the others: called and ended, in
     * hall hours, mostly done, and ahead of the normal line */
    snprintf(sql, sizeof(sql),
             "SELECT COUNT(*) FROM ticket WHERE hall_id = %lld AND service_day = '" APPT_DAY "'"
             " AND channel = 'appointment' AND (status = 'done' AND called_at IS NOT NULL"
             " AND service_s >= 60)",
             (long long)hall);
    cr_assert_gt(unit_db_int(u.db, sql) * 100, in * 80);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" APPT_DAY "'"
                                   " AND ((issued_at + 28800) % 86400 < 32400"
                                   " OR (issued_at + 28800) % 86400 >= 61200)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '" APPT_DAY "'"
                                   " AND status NOT IN ('done', 'no_show', 'withdrawn')"),
                 0);
    snprintf(
        sql, sizeof(sql),
        "SELECT (SELECT AVG(wait_s) FROM ticket WHERE hall_id = %lld AND service_day = '" APPT_DAY
        "' AND priority = %d AND called_at IS NOT NULL) < (SELECT AVG(wait_s) FROM ticket"
        " WHERE hall_id = %lld AND service_day = '" APPT_DAY "' AND priority = %d"
        " AND called_at IS NOT NULL)",
        (long long)hall, QUEUE_APPOINTMENT, (long long)hall, QUEUE_NORMAL);
    cr_assert_eq(unit_db_int(u.db, sql), 1);
    unit_db_close(&u);
}

/* The seeded appointments of hall as one text (booking codes left out:
 * they are random secrets). */
static void appt_digest(struct db *db, int64_t hall, char *out, size_t cap)
{
    struct db_stmt *st = NULL;
    size_t len = 0;
    cr_assert_eq(
        db_prepare(db,
                   "SELECT a.item_code || '|' || a.start_min || '|' || a.channel || '|' ||"
                   " a.status || '|' || a.name || '|' || a.created_at || '|' ||"
                   " COALESCE(a.cancelled_at, 0) || '|' || COALESCE(a.checked_in_at, 0) || '|' ||"
                   " COALESCE(t.code, '') || '|' || COALESCE(t.status, '') || '|' ||"
                   " COALESCE(t.wait_s, 0)"
                   " FROM appointment a LEFT JOIN ticket t ON t.id = a.ticket_id"
                   " WHERE a.hall_id = ?1 AND a.day = '" APPT_DAY "'"
                   " ORDER BY a.item_code, a.start_min, a.created_at, a.id",
                   &st),
        0);
    db_bind_int64(st, 1, hall);
    out[0] = '\0';
    while (db_step(st) == DB_ROW) {
        int n = snprintf(out + len, cap - len, "%s\n", db_col_text(st, 0));
        cr_assert(n > 0 && (size_t)n < cap - len, "digest too long");
        len += (size_t)n;
    }
    db_finalize(st);
}

Test(simulate, the_same_seed_gives_the_same_appointments)
{
    static char da[64 * 1024], dbuf[64 * 1024], dc[64 * 1024];
    struct unit_db a, b, c;
    int64_t ha, hb, hc;
    seeded_day(&a, 42, APPT_DAY, &ha);
    appt_digest(a.db, ha, da, sizeof(da));
    unit_db_close(&a);
    seeded_day(&b, 42, APPT_DAY, &hb);
    appt_digest(b.db, hb, dbuf, sizeof(dbuf));
    unit_db_close(&b);
    seeded_day(&c, 43, APPT_DAY, &hc);
    appt_digest(c.db, hc, dc, sizeof(dc));
    unit_db_close(&c);
    cr_assert_gt(strlen(da), 200);
    cr_assert_str_eq(da, dbuf);
    cr_assert_str_neq(da, dc, "another seed, another day");
}

Test(simulate, a_day_off_has_walk_ins_only)
{
    struct unit_db u;
    int64_t hall;
    /* 2026-02-17: the Spring Festival holiday */
    seeded_day(&u, 7, "2026-02-17", &hall);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment WHERE day = '2026-02-17'"), 0);
    cr_assert_gt(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '2026-02-17'"),
                 100);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE service_day = '2026-02-17'"
                                   " AND channel = 'appointment'"),
                 0);
    unit_db_close(&u);
}

Test(simulate, arrivals_fall_in_the_check_in_window)
{
    struct sim_rng r;
    sim_seed(&r, 11);
    int late = 0;
    for (int i = 0; i < 2000; i++) {
        int start = 9 * 60 + 30 * (i % 13) + (i % 13 >= 6 ? 90 : 0);
        int64_t at = sim_appt_arrival_s(&r, start);
        cr_assert_geq(at, (int64_t)start * 60 - APPT_EARLY_S);
        cr_assert_leq(at, (int64_t)start * 60 + APPT_LATE_S);
        /* in hall hours: the doors open at 9:00 and 13:30 */
        cr_assert(sim_shape((int)(at / 60)) > 0.0, "slot %d arrival %lld", start, (long long)at);
        late += at > (int64_t)start * 60;
    }
    cr_assert(late > 2000 * SIM_APPT_LATE_PCT / 200 && late < 2000 * SIM_APPT_LATE_PCT * 2 / 100);
    char name[32], phone[24];
    sim_citizen(&r, name, sizeof(name), phone, sizeof(phone));
    cr_assert_eq(strlen(phone), 11);
    cr_assert(strlen(name) >= 6 && strlen(name) <= 9, "%s", name);
}

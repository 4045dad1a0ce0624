/* test_simulate.c - the hall day model and demo_seed_day (domain/simulate.c)
 * on migrated temp databases holding the demo town. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
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

/* 好差评 in the domain: the chain and its verification (a changed record is
 * found), rollups kept by every write, closing windows unrated or defaulted
 * (claimed once), the fast-evaluation flag, appeals' exclusion and the work
 * order's figures, and a staff member evaluating their own service. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/evaluation.h"
#include "unit_db.h"

static struct unit_db u;
static struct arena ta;               /* every test's strings; freed by fini */
static const int64_t T0 = 1795900000; /* 2026-11-28 */

static void exec(const char *sql)
{
    cr_assert_eq(db_exec(u.db, sql), 0, "%s: %s", sql, db_errmsg(u.db));
}

static void init(void)
{
    unit_db_open(&u, 1);
    exec("INSERT INTO org_node (id, parent_id, kind, code, name, path, depth, created_at,"
         " updated_at) VALUES (1, NULL, 'region', 'r', '区', '/1/', 0, 0, 0),"
         " (2, 1, 'unit', 'u', '局', '/1/2/', 1, 0, 0),"
         " (3, 2, 'hall', 'h', '大厅', '/1/2/3/', 2, 0, 0),"
         " (4, 3, 'window', 'w', '1号窗口', '/1/2/3/4/', 3, 0, 0)");
    exec("INSERT INTO staff (id, login, name, role, node_id, password_hash, created_at,"
         " updated_at) VALUES (7, 'clerk', '窗口员', 'staff', 3, 'x', 0, 0)");
}

static void fini(void)
{
    arena_reset(&ta);
    unit_db_close(&u);
}

TestSuite(evaluation, .init = init, .fini = fini);

/* an open event ended at T0 at window 4 by staff 7, from the console 10.0.0.9 */
static int64_t open_event(int64_t id)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO eval_event (id, source, node, region_id, hall_id, unit_id, window_id,"
             " staff_id, node_path, token_hash, state, created_at, ended_at, expires_at, ended_ip)"
             " VALUES (%lld, 'ticket', 'service', 1, 3, 2, 4, 7, '/1/2/3/4/', 'h%lld', 'open',"
             " %lld, %lld, %lld, '10.0.0.9')",
             (long long)id, (long long)id, (long long)T0, (long long)T0,
             (long long)(T0 + 7 * 86400));
    cr_assert_eq(db_exec(u.db, sql), 0, "%s", db_errmsg(u.db));
    return id;
}

static int submit(int64_t ev, int level, const char *reason, const char *ip, int64_t now,
                  struct eval_rec *out, struct err *e)
{
    struct actor who = {.role = ROLE_NONE};
    const char *reasons[1] = {reason};
    struct eval_input in = {
        .level = level, .reasons = reasons, .nreasons = reason ? 1 : 0, .channel = "qr", .ip = ip};
    return eval_submit(u.db, &who, ev, &in, now, &ta, out, e);
}

static int64_t q(const char *sql)
{
    return unit_db_int(u.db, sql);
}

Test(evaluation, rollups_follow_every_write_and_the_chain_verifies)
{
    struct eval_rec r;
    struct err e = {0};
    cr_assert_eq(submit(open_event(1), 5, NULL, "1.2.3.4", T0 + 600, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(submit(open_event(2), 2, "slow", "1.2.3.5", T0 + 600, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.bad, 1);
    cr_assert_eq(q("SELECT SUM(n5) FROM eval_rollup WHERE window_id = 4 AND staff_id = 7"), 1);
    cr_assert_eq(q("SELECT SUM(n2) + SUM(bad) + SUM(active) FROM eval_rollup"), 1 + 1 + 2);
    cr_assert_eq(q("SELECT active_good FROM eval_month_window WHERE month = '2026-11'"
                   " AND window_id = 4"),
                 1);
    cr_assert_eq(q("SELECT COUNT(*) FROM eval_event WHERE state = 'rated'"), 2);
    /* once: a second evaluation of the same service is refused */
    cr_assert_eq(submit(1, 4, NULL, "1.2.3.4", T0 + 700, &r, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "token");

    int64_t checked = 0, bad = 0;
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 0);
    cr_assert_eq(checked, 2);
    exec("UPDATE evaluation SET level = 5 WHERE id = 2"); /* a 差评 turned good */
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 1);
    cr_assert_geq(bad, 1);
    exec("UPDATE evaluation SET level = 2 WHERE id = 2");
    exec("UPDATE evaluation SET unit_id = 3 WHERE id = 2"); /* another unit to answer for it */
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 1);
    exec("UPDATE evaluation SET unit_id = 2 WHERE id = 2");
    exec("UPDATE evaluation SET bad = 0 WHERE id = 2"); /* a 差评 no longer counted */
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 1);
    exec("UPDATE evaluation SET bad = 1 WHERE id = 2");
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 0, "restored");
    exec("DELETE FROM evaluation WHERE id = 1"); /* a record removed */
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 1);
    fclose(out);
}

Test(evaluation, closing_windows_unrated_then_defaulted)
{
    open_event(1);
    open_event(2);
    int closed = 0;
    cr_assert_eq(eval_expire(u.db, T0 + 86400, 10, &closed), 0);
    cr_assert_eq(closed, 0, "the window is still open");
    cr_assert_eq(eval_expire(u.db, T0 + 8 * 86400, 1, &closed), 0);
    cr_assert_eq(closed, 1);
    cr_assert_eq(q("SELECT SUM(unrated) FROM eval_rollup"), 1);
    /* the region now records a default level, marked */
    struct err e = {0};
    struct actor sys = {.role = ROLE_SYSTEM};
    struct eval_setting s;
    cr_assert_eq(eval_setting_get(u.db, 1, &s), 0);
    snprintf(s.unrated_mode, sizeof(s.unrated_mode), "default");
    s.default_level = 4;
    cr_assert_eq(eval_setting_put(u.db, &sys, &s, T0, &e), 0, "%s", e.msg);
    cr_assert_eq(eval_expire(u.db, T0 + 8 * 86400, 10, &closed), 0);
    cr_assert_eq(closed, 1);
    cr_assert_eq(q("SELECT COUNT(*) FROM evaluation WHERE defaulted = 1 AND level = 4"
                   " AND channel = 'system'"),
                 1);
    cr_assert_eq(q("SELECT SUM(defaulted) + SUM(n4) FROM eval_rollup"), 2);
    cr_assert_eq(q("SELECT SUM(active) FROM eval_rollup"), 0, "never counted as actively given");
    cr_assert_eq(eval_expire(u.db, T0 + 9 * 86400, 10, &closed), 0);
    cr_assert_eq(closed, 0, "closed once");
    struct eval_event ev;
    cr_assert_eq(eval_event_get(u.db, 2, &ta, &ev), 0);
    cr_assert_str_eq(ev.state, "defaulted");
    cr_assert_eq(eval_event_check(&ev, &s, 1, T0 + 8 * 86400, &e), ERR_CONFLICT,
                 "no 追评 of a default");
    int64_t checked = 0, bad = 0;
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 0);
    fclose(out);
}

Test(evaluation, a_fast_evaluation_from_the_console_address_is_flagged_not_refused)
{
    struct eval_rec r;
    struct err e = {0};
    cr_assert_eq(submit(open_event(1), 5, NULL, "10.0.0.9", T0 + 5, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(q("SELECT COUNT(*) FROM eval_flag WHERE kind = 'fast_console' AND staff_id = 7"),
                 1);
    cr_assert_eq(submit(open_event(2), 5, NULL, "10.0.0.9", T0 + 3600, &r, &e), 0);
    cr_assert_eq(submit(open_event(3), 5, NULL, "10.0.0.8", T0 + 5, &r, &e), 0);
    cr_assert_eq(q("SELECT COUNT(*) FROM eval_flag"), 1, "later or elsewhere: no flag");
}

Test(evaluation, an_upheld_appeal_excludes_a_bad_review_and_the_figures_follow)
{
    struct eval_rec r;
    struct err e = {0};
    cr_assert_eq(submit(open_event(1), 1, "attitude", "1.1.1.1", T0 + 60, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(eval_rollup_bad(u.db, r.id, "bad_replied", 1), 0);
    cr_assert_eq(q("SELECT bad_replied FROM eval_month_window"), 1);
    cr_assert_eq(eval_rollup_bad(u.db, r.id, "nonsense", 1), ERR_INVALID);
    cr_assert_eq(eval_exclude(u.db, r.id, &e), 0, "%s", e.msg);
    cr_assert_eq(q("SELECT SUM(bad) * 10 + SUM(excluded) FROM eval_rollup"), 1);
    cr_assert_eq(q("SELECT excluded FROM evaluation WHERE id = 1"), 1, "the record stays");
    cr_assert_eq(eval_exclude(u.db, r.id, &e), ERR_CONFLICT);
    int64_t checked = 0, bad = 0;
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 0, "exclusion is outside the hash");
    fclose(out);
}

Test(evaluation, nobody_evaluates_their_own_service)
{
    struct eval_rec r;
    struct err e = {0};
    struct actor clerk = {.role = ROLE_STAFF, .staff_id = 7};
    struct eval_input in = {.level = 5, .channel = "hotline", .entered_by = 7};
    cr_assert_eq(eval_submit(u.db, &clerk, open_event(1), &in, T0 + 60, &ta, &r, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(q("SELECT COUNT(*) FROM evaluation"), 0);
}

static void demo_init(void)
{
    struct err e = {0};
    int years = 0;
    unit_db_open(&u, 1);
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0);
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
}

TestSuite(evaluation_demo, .init = demo_init, .fini = fini);

Test(evaluation_demo, the_demo_day_is_evaluated_through_every_channel_and_the_chain_holds)
{
    cr_assert_gt(q("SELECT COUNT(*) FROM evaluation"), 100);
    cr_assert_geq(q("SELECT COUNT(DISTINCT channel) FROM evaluation"), 5);
    cr_assert_gt(q("SELECT COUNT(*) FROM evaluation WHERE bad = 1"), 0);
    cr_assert_eq(q("SELECT COUNT(*) FROM evaluation WHERE bad = 1 AND reasons = '[]'"), 0);
    cr_assert_gt(q("SELECT COUNT(*) FROM evaluation WHERE level = 5"),
                 q("SELECT COUNT(*) FROM evaluation WHERE level < 5"), "mostly 非常满意");
    cr_assert_eq(q("SELECT COUNT(*) FROM bad_review"),
                 q("SELECT COUNT(*) FROM evaluation WHERE bad = 1 AND kind = 'first'"),
                 "every 差评 opened its work order");
    cr_assert_geq(q("SELECT COUNT(DISTINCT state) FROM bad_review"), 4, "at various steps");
    cr_assert_eq(q("SELECT COUNT(*) FROM bad_review WHERE state = 'closed'"),
                 q("SELECT SUM(bad_satisfied) FROM eval_rollup"), "the figures follow the steps");
    cr_assert_eq(q("SELECT SUM(n1 + n2 + n3 + n4 + n5) FROM eval_rollup"),
                 q("SELECT COUNT(*) FROM evaluation WHERE kind = 'first'"));
    int64_t checked = 0, bad = 0;
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(eval_verify(u.db, out, &checked, &bad), 0);
    fclose(out);
}

/* test_demo.c - the demo town (domain/demo.c) on a migrated temp database. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/date.h"
#include "base/err.h"
#include "domain/appointment.h"
#include "domain/audit.h"
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/simulate.h"
#include "unit_db.h"

static struct unit_db u;

static void init(void)
{
    unit_db_open(&u, 1);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(demo, .init = init, .fini = fini);

Test(demo, creates_the_town_once)
{
    struct err e = {0};
    int years = 0;
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0, "the shipped calendars");
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE kind = 'hall'"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE kind = 'window'"), 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE parent_id IS NULL"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff WHERE role = 'admin'"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 16);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment WHERE ended_at IS NULL"),
                 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM device"), 16);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff WHERE password_hash <> "
                                   "'demo-hash'"),
                 0);

    /* cases in every kind of state, unless the calendar lacks the dates */
    if (unit_db_int(u.db, "SELECT COUNT(*) FROM case_file") > 0) {
        cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM case_file"), 9, "%lld cases",
                     (long long)unit_db_int(u.db, "SELECT COUNT(*) FROM case_file"));
        cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT state) FROM case_file"), 4);
        cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM case_file WHERE outcome = 'late'"), 1);
        cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM accountability"
                                       " WHERE source = 'overdue' AND status = 'pending'"),
                     1);
        cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM case_file WHERE phone_enc LIKE "
                                       "'%13800000001%'"),
                     0, "phones are stored encrypted");
    }

    int64_t before = unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log");
    struct err e2 = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e2), ERR_CONFLICT);
    cr_assert_eq(e2.code, ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"), before);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node"), 16);
}

Test(demo, leaves_an_intact_audit_chain)
{
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    FILE *devnull = fopen("/dev/null", "w");
    int64_t checked = 0, bad = -1;
    cr_assert_eq(audit_verify(u.db, devnull, &checked, &bad), 0);
    fclose(devnull);
    cr_assert_eq(checked, unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"));
    cr_assert_gt(checked, 40);
    cr_assert_eq(bad, 0);
}

Test(demo, windows_sit_in_their_halls)
{
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    /* every window hangs under a hall, and every assignment's window lies in
     * the staff member's home subtree */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node w JOIN org_node h"
                                   " ON h.id = w.parent_id WHERE w.kind = 'window'"
                                   " AND h.kind <> 'hall'"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment a"
                                   " JOIN staff s ON s.id = a.staff_id"
                                   " JOIN org_node home ON home.id = s.node_id"
                                   " JOIN org_node w ON w.id = a.window_id"
                                   " WHERE substr(w.path, 1, length(home.path)) <> home.path"),
                 0);
}

Test(demo, refused_when_the_tree_is_not_empty)
{
    cr_assert_eq(db_exec(u.db, "INSERT INTO org_node (kind, code, name, path, depth, created_at,"
                               " updated_at) VALUES ('region', 'mine', 'M', '/1/', 0, 1, 1)"),
                 0);
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 0);
}

Test(demo, appointable_items_get_daily_slots)
{
    struct err e = {0};
    int years = 0;
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0);
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    /* five appointable items served at one demo hall each, 6 + 7 half-hour
     * slots a day, none over lunch, none for an item that cannot be booked */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT hall_id || item_code)"
                                   " FROM appointment_slot"),
                 5);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment_slot"), 5 * 13);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment_slot WHERE"
                                   " end_min - start_min <> 30 OR start_min < 540 OR end_min > 1020"
                                   " OR (end_min > 720 AND start_min < 810)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment_slot WHERE item_code IN"
                                   " ('RS-YL-001', 'RS-SBK-001', 'WJ-SY-001')"),
                 0);
    /* set through the domain (audited), and offered for booking: the town
     * hall's 残疾人证 on a working day, every place free */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"
                                   " WHERE entity = 'appointment_slots'"),
                 5);
    struct org_node t;
    cr_assert_eq(org_find_by_codes(u.db, "/dist/town/hall-t", &t), 0);
    struct calendar *cal = NULL;
    cr_assert_eq(calendar_load(u.db, &cal), 0);
    struct arena a = {0};
    struct appt_slot *s = NULL;
    int n = 0, missing = 0;
    int32_t day = 0;
    cr_assert_eq(date_parse("2026-03-03", &day), 0);
    int64_t now = (int64_t)(day - 1) * 86400;
    cr_assert_eq(
        appt_slots(u.db, cal, t.id, "CL-CJRZ-001", "2026-03-03", now, &a, &s, &n, &missing, &e), 0,
        "%s", e.msg);
    cr_assert_eq(n, 13);
    cr_assert_eq(s[0].start, 9 * 60);
    cr_assert_eq(s[12].end, 17 * 60);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(s[i].capacity, SIM_APPT_CAPACITY);
        cr_assert_eq(s[i].remaining, SIM_APPT_CAPACITY);
        cr_assert(s[i].open);
    }
    arena_reset(&a);
    free(cal);
}

Test(demo, the_seeded_day_has_appointments_at_both_halls)
{
    struct err e = {0};
    int years = 0;
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0);
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    /* the demo replays the last working day before today; the built-in
     * calendars know it only while today is in a year they cover */
    int32_t today = (int32_t)(((int64_t)time(NULL) + 8 * 3600) / 86400);
    int missing = 0;
    struct calendar *cal = NULL;
    cr_assert_eq(calendar_load(u.db, &cal), 0);
    int known = calendar_is_workday(cal, today - 1, &missing) >= 0 &&
                calendar_is_workday(cal, today - 14, &missing) >= 0;
    free(cal);
    if (!known)
        cr_skip_test("the built-in calendars do not cover the last two weeks");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT hall_id) FROM appointment"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment a WHERE NOT EXISTS"
                                   " (SELECT 1 FROM ticket t WHERE t.service_day = a.day)"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment WHERE status = 'booked'"), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment WHERE status = 'checked_in'"),
                 unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE channel = 'appointment'"));
}

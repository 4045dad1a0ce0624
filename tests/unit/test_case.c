/* Cases in the domain, on the demo with the shipped calendars and a fixed
 * clock: the warning sweep notifies once per level, and a calendar change
 * moves open cases' deadlines through the sweep's recomputation. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/calendar.h"
#include "domain/case.h"
#include "domain/demo.h"
#include "unit_db.h"

static struct unit_db u;
static struct calendar *cal;

static void init(void)
{
    struct err e = {0};
    int years = 0;
    unit_db_open(&u, 1);
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0);
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    cr_assert_eq(calendar_load(u.db, &cal), 0);
}

static void fini(void)
{
    free(cal);
    unit_db_close(&u);
}

TestSuite(case_domain, .init = init, .fini = fini);

/* epoch seconds of 10:00 in Shanghai on day */
static int64_t at10(const char *day)
{
    int32_t d;
    cr_assert_eq(date_parse(day, &d), 0);
    return (int64_t)d * 86400 + 2 * 3600;
}

static void staff_actor(const char *login, struct actor *a)
{
    struct db_stmt *st = NULL;
    memset(a, 0, sizeof(*a));
    cr_assert_eq(db_prepare(u.db,
                            "SELECT s.id, s.node_id, n.path FROM staff s JOIN org_node n"
                            " ON n.id = s.node_id WHERE s.login = ?1",
                            &st),
                 0);
    db_bind_text(st, 1, login);
    cr_assert_eq(db_step(st), DB_ROW);
    a->role = ROLE_STAFF;
    a->staff_id = db_col_int64(st, 0);
    a->node_id = db_col_int64(st, 1);
    snprintf(a->scope, sizeof(a->scope), "%s", db_col_text(st, 2));
    snprintf(a->name, sizeof(a->name), "%s", login);
    db_finalize(st);
}

static int64_t register_case(const char *item, const char *received, int64_t now)
{
    struct actor who;
    struct case_input in;
    struct err e = {0};
    char code[CASE_QUERY_CODE_LEN + 1];
    int64_t id = 0;
    int missing = 0;
    staff_actor("d02", &who);
    memset(&in, 0, sizeof(in));
    in.item_code = item;
    in.applicant.name = "张三";
    in.applicant.phone = "13800138000";
    in.received_day = received;
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(case_register(u.db, &who, cal, &in, now, &id, code, &missing, &e), 0, "%s", e.msg);
    cr_assert_eq(db_commit(u.db), 0);
    return id;
}

/* a date column of the case ("" when NULL) */
static void text_of(int64_t id, int next_warn, char *out, size_t n)
{
    static const char due_sql[] = "SELECT COALESCE(promised_due, '') FROM case_file WHERE id = ?1";
    static const char next_sql[] =
        "SELECT COALESCE(next_warn_day, '') FROM case_file WHERE id = ?1";
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, next_warn ? next_sql : due_sql, &st), 0);
    db_bind_int64(st, 1, id);
    cr_assert_eq(db_step(st), DB_ROW);
    snprintf(out, n, "%s", db_col_text(st, 0));
    db_finalize(st);
}

/* notifications about the case (of kind, or all with "") */
static int64_t notes_of(int64_t id, const char *kind)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "SELECT COUNT(*) FROM notification WHERE case_id = ?1"
                            " AND (?2 = '' OR kind = ?2)",
                            &st),
                 0);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, kind);
    cr_assert_eq(db_step(st), DB_ROW);
    int64_t v = db_col_int64(st, 0);
    db_finalize(st);
    return v;
}

static int sweep(int64_t now)
{
    int raised = 0;
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_geq(case_sweep(u.db, cal, now, &raised), 0);
    cr_assert_eq(db_commit(u.db), 0);
    return raised;
}

Test(case_domain, the_sweep_warns_once_per_level)
{
    /* 1 working day promised: received Friday 2026-11-20, due Monday 11-23 */
    int64_t id = register_case("GJJ-TQ-001", "2026-11-20", at10("2026-11-20"));
    char due[16];
    text_of(id, 0, due, sizeof(due));
    cr_assert_str_eq(due, "2026-11-23");
    sweep(at10("2026-11-20"));
    cr_assert_eq(notes_of(id, ""), 0, "nothing before the due day");
    /* the due day: red, to the handler and the district's leader */
    sweep(at10("2026-11-23"));
    cr_assert_eq(notes_of(id, "case_red"), 2);
    sweep(at10("2026-11-23"));
    cr_assert_eq(notes_of(id, ""), 2, "the same level is not raised twice");
    /* the day after: overdue */
    sweep(at10("2026-11-24"));
    cr_assert_eq(notes_of(id, "case_overdue"), 2);
    cr_assert_eq(notes_of(id, ""), 4);
    char next[16];
    text_of(id, 1, next, sizeof(next));
    cr_assert_str_eq(next, "", "nothing left to raise");
}

Test(case_domain, a_calendar_change_moves_open_deadlines)
{
    int64_t id = register_case("GJJ-TQ-001", "2026-11-20", at10("2026-11-20"));
    struct actor sys;
    struct err e = {0};
    actor_system(&sys, "test");
    int32_t d;
    date_parse("2026-11-23", &d);
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(calendar_set_day(u.db, &sys, d, 1, "测试放假", &e), 0, "%s", e.msg);
    cr_assert_eq(db_commit(u.db), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM case_recalc"), 1);
    free(cal);
    cr_assert_eq(calendar_load(u.db, &cal), 0);
    sweep(at10("2026-11-20"));
    char due[16];
    text_of(id, 0, due, sizeof(due));
    cr_assert_str_eq(due, "2026-11-24", "the new day off does not count");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM case_recalc"), 0, "done");
}

Test(case_domain, an_extension_is_approved_before_the_deadline)
{
    /* 10 working days promised, 20 legal: received 2026-11-20, due 12-04, legal 12-18 */
    int64_t id = register_case("CL-CJRZ-001", "2026-11-20", at10("2026-11-20"));
    struct actor clerk, boss;
    struct err e = {0};
    int missing = 0;
    int64_t ext = 0;
    staff_actor("d02", &clerk);
    staff_actor("leader", &boss);
    boss.role = ROLE_LEADER;
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(case_extension_request(u.db, &clerk, cal, id, 2, "需要现场核查",
                                        at10("2026-12-04"), &ext, &missing, &e),
                 0, "%s", e.msg);
    cr_assert_eq(db_commit(u.db), 0);
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(
        case_extension_decide(u.db, &boss, cal, ext, 1, "同意", at10("2026-12-07"), &missing, &e),
        ERR_CONFLICT, "the promised date has passed");
    cr_assert_str_eq(e.field, "state");
    cr_assert_eq(
        case_extension_decide(u.db, &boss, cal, ext, 1, "同意", at10("2026-12-04"), &missing, &e),
        0, "%s", e.msg);
    cr_assert_eq(db_commit(u.db), 0);
    char due[16];
    text_of(id, 0, due, sizeof(due));
    cr_assert_str_eq(due, "2026-12-08", "two more working days");
}

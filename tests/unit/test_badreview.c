/* test_badreview.c - the 差评 closed loop (domain/badreview.c) on a migrated
 * temp SQLite database with the shipped calendars: deadlines by profile
 * (same day, the 1-2-3 rule over weekends, make-up working days and
 * holidays, natural days, hours, a missing year), the state machine and its
 * checks, access, the sweep's once-only warnings, appeal and review, lists,
 * counts and profiles. Evaluations are written with SQL, as eval_submit
 * leaves them. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/badreview.h"
#include "domain/calendar.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "unit_db.h"

static struct unit_db u;
static struct calendar *cal;
static struct actor sys;
static struct err e;
static struct arena ar;
/* region r: unit un (hall h, window w) and unit other; region r2 */
static struct org_node r, un, h, w, other, r2;
static int64_t staff_a, leader_u, sup_r, admin_r, outsider, staff_b;
static struct actor a_staff, a_leader, a_sup, a_admin, a_out, a_staff_b;

static struct org_node make_node(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, code, NULL, NULL};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t make_staff(const char *login, const char *role, const struct org_node *node,
                          struct actor *a, enum role rl)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO staff (login, name, role, node_id, password_hash,"
                            " created_at, updated_at) VALUES (?1, ?1, ?2, ?3, 'x', 1, 1)"
                            " RETURNING id",
                            &st),
                 0);
    db_bind_text(st, 1, login);
    db_bind_text(st, 2, role);
    db_bind_int64(st, 3, node->id);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    unit_actor(a, rl, node->id, node->path, id);
    return id;
}

static void init(void)
{
    int years = 0;
    unit_db_open(&u, 1);
    cr_assert_eq(calendar_load_builtin(u.db, &years), 0);
    cr_assert_eq(calendar_load(u.db, &cal), 0);
    actor_system(&sys, "test");
    r = make_node(0, "region", "r");
    un = make_node(r.id, "unit", "un");
    h = make_node(un.id, "hall", "h");
    w = make_node(h.id, "window", "w");
    other = make_node(r.id, "unit", "other");
    r2 = make_node(0, "region", "r2");
    staff_a = make_staff("staff_a", "staff", &h, &a_staff, ROLE_STAFF);
    staff_b = make_staff("staff_b", "staff", &w, &a_staff_b, ROLE_STAFF);
    leader_u = make_staff("leader_u", "leader", &un, &a_leader, ROLE_LEADER);
    sup_r = make_staff("sup_r", "supervisor", &r, &a_sup, ROLE_SUPERVISOR);
    admin_r = make_staff("admin_r", "admin", &r, &a_admin, ROLE_ADMIN);
    outsider = make_staff("outsider", "staff", &other, &a_out, ROLE_STAFF);
    memset(&ar, 0, sizeof(ar));
}

static void fini(void)
{
    arena_reset(&ar);
    free(cal);
    unit_db_close(&u);
}

TestSuite(badreview, .init = init, .fini = fini);

/* epoch seconds of hh:00 in Shanghai on day */
static int64_t at(const char *day, int hh)
{
    int32_t d;
    cr_assert_eq(date_parse(day, &d), 0);
    return (int64_t)d * 86400 + hh * 3600 - QUEUE_TZ_OFFSET_S;
}

/* the last second of day in Shanghai */
static int64_t end_of(const char *day)
{
    return at(day, 24) - 1;
}

static void due_is(const char *unit, int n, const char *from, int hh, const char *want)
{
    struct badreview_limit l = {n, ""};
    snprintf(l.unit, sizeof(l.unit), "%s", unit);
    int64_t due_at = 0;
    char day[DATE_TEXT];
    cr_assert_eq(badreview_due(cal, &l, at(from, hh), &due_at, day), 0);
    cr_assert_str_eq(day, want, "%d %s from %s: %s, want %s", n, unit, from, day, want);
    if (strcmp(unit, "hours") != 0)
        cr_assert_eq(due_at, end_of(want));
}

Test(badreview, deadlines_by_unit_over_weekends_holidays_and_make_up_days)
{
    /* same day: 0 working days is the day itself, or the next working day */
    due_is("workdays", 0, "2026-03-13", 10, "2026-03-13"); /* a Friday */
    due_is("workdays", 0, "2026-03-14", 10, "2026-03-16"); /* Saturday → Monday */
    due_is("workdays", 0, "2026-04-04", 10, "2026-04-07"); /* 清明 → Tuesday */
    /* the 1-2-3 rule from a Friday: contact Monday, simple Tuesday, complex Wednesday */
    due_is("workdays", 1, "2026-03-13", 10, "2026-03-16");
    due_is("workdays", 2, "2026-03-13", 10, "2026-03-17");
    due_is("workdays", 3, "2026-03-13", 10, "2026-03-18");
    /* over 清明 (04-04 to 04-06 off) */
    due_is("workdays", 1, "2026-04-03", 10, "2026-04-07");
    due_is("workdays", 2, "2026-04-03", 10, "2026-04-08");
    due_is("workdays", 3, "2026-04-03", 10, "2026-04-09");
    /* a make-up working day (Saturday 2026-02-28) counts */
    due_is("workdays", 1, "2026-02-27", 10, "2026-02-28");
    /* 春节: 02-14 is a make-up working day, 02-15 to 02-23 off */
    due_is("workdays", 1, "2026-02-13", 10, "2026-02-14");
    due_is("workdays", 2, "2026-02-13", 10, "2026-02-24");
    /* late evening in Shanghai is still that local day (UTC is the same day) */
    due_is("workdays", 1, "2026-03-13", 23, "2026-03-16");
    /* just after midnight local time is the next local day (UTC: the day before) */
    due_is("workdays", 1, "2026-03-16", 0, "2026-03-17");
    /* natural days, moved past days off */
    due_is("days", 5, "2026-04-01", 10, "2026-04-07");
    due_is("days", 2, "2026-03-11", 10, "2026-03-13");
    due_is("days", 0, "2026-03-14", 10, "2026-03-14"); /* 0 natural days: that very day */
    /* hours: clock hours */
    struct badreview_limit hl = {2, "hours"};
    int64_t due_at = 0;
    char day[DATE_TEXT];
    cr_assert_eq(badreview_due(cal, &hl, at("2026-03-13", 23), &due_at, day), 0);
    cr_assert_eq(due_at, at("2026-03-13", 23) + 7200);
    cr_assert_str_eq(day, "2026-03-14");
    /* a year the calendar lacks, and no calendar: natural days */
    due_is("workdays", 3, "2031-03-14", 10, "2031-03-17");
    struct badreview_limit wl = {1, "workdays"};
    cr_assert_eq(badreview_due(NULL, &wl, at("2026-03-13", 10), &due_at, day), 0);
    cr_assert_str_eq(day, "2026-03-14");
    struct badreview_limit bad = {1, "weeks"};
    cr_assert_eq(badreview_due(cal, &bad, at("2026-03-13", 10), &due_at, day), ERR_INVALID);
}

/* An evaluation as eval_submit stores it, with its event; ev gets the
 * record the work order opens from. */
static int64_t seq;
static void make_eval(int level, const char *kind, int defaulted, int64_t created,
                      struct eval_rec *ev)
{
    char token[40];
    snprintf(token, sizeof(token), "tok-%lld", (long long)++seq);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO eval_event (source, node, region_id, hall_id, window_id,"
                            " staff_id, node_path, item_name, token_hash, state, created_at,"
                            " ended_at) VALUES ('ticket', 'service', ?1, ?2, ?3, ?4, ?5,"
                            " '社保查询', ?6, 'rated', ?7, ?7) RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, r.id);
    db_bind_int64(st, 2, h.id);
    db_bind_int64(st, 3, w.id);
    db_bind_int64(st, 4, staff_a);
    db_bind_text(st, 5, w.path);
    db_bind_text(st, 6, token);
    db_bind_int64(st, 7, created);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t event_id = db_col_int64(st, 0);
    db_finalize(st);
    char dayt[DATE_TEXT];
    queue_service_day(created, dayt);
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO evaluation (event_id, kind, level, bad, defaulted,"
                            " reasons, text, channel, region_id, hall_id, window_id, staff_id,"
                            " day, created_at, phone_mask, prev_hash, hash) VALUES (?1, ?2, ?3,"
                            " ?4, ?5, '[\"attitude\"]', '态度差', 'qr', ?6, ?7, ?8, ?9, ?10, ?11,"
                            " '138****5678', '', 'h') RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, event_id);
    db_bind_text(st, 2, kind);
    db_bind_int64(st, 3, level);
    db_bind_int64(st, 4, level <= 2 ? 1 : 0);
    db_bind_int64(st, 5, defaulted);
    db_bind_int64(st, 6, r.id);
    db_bind_int64(st, 7, h.id);
    db_bind_int64(st, 8, w.id);
    db_bind_int64(st, 9, staff_a);
    db_bind_text(st, 10, dayt);
    db_bind_int64(st, 11, created);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    memset(ev, 0, sizeof(*ev));
    ev->id = db_col_int64(st, 0);
    db_finalize(st);
    ev->event_id = event_id;
    snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
    ev->level = level;
    ev->bad = level <= 2;
    ev->defaulted = defaulted;
    snprintf(ev->channel, sizeof(ev->channel), "qr");
    ev->region_id = r.id;
    ev->hall_id = h.id;
    ev->window_id = w.id;
    ev->staff_id = staff_a;
    ev->created_at = created;
}

/* a 差评 at `when` and its order's id */
static int64_t open_order(int64_t when)
{
    struct eval_rec ev;
    int64_t id = 0;
    make_eval(1, "first", 0, when, &ev);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(badreview_open_with(u.db, cal, &ev, when, &id, &e), 0, "%s", e.msg);
    cr_assert_gt(id, 0);
    return id;
}

static struct badreview get(int64_t id, int64_t now)
{
    struct badreview b;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(badreview_get(u.db, NULL, id, now, &ar, &b, &e), 0, "%s", e.msg);
    return b;
}

static int act(const struct actor *who, int64_t id, enum badreview_step s,
               const struct badreview_args *a, int64_t now)
{
    memset(&e, 0, sizeof(e));
    return badreview_act(u.db, who, cal, id, s, a, now, &e);
}

static int64_t count(const char *sql)
{
    return unit_db_int(u.db, sql);
}

Test(badreview, opens_only_for_a_first_active_bad_evaluation)
{
    struct eval_rec ev;
    int64_t id = -1;
    make_eval(3, "first", 0, at("2026-03-13", 10), &ev);
    cr_assert_eq(badreview_open_with(u.db, cal, &ev, ev.created_at, &id, &e), 0);
    cr_assert_eq(id, 0);
    make_eval(2, "first", 1, at("2026-03-13", 10), &ev);
    cr_assert_eq(badreview_open_with(u.db, cal, &ev, ev.created_at, &id, &e), 0);
    cr_assert_eq(id, 0);
    make_eval(1, "followup", 0, at("2026-03-13", 10), &ev);
    cr_assert_eq(badreview_open_with(u.db, cal, &ev, ev.created_at, &id, &e), 0);
    cr_assert_eq(id, 0);
    cr_assert_eq(count("SELECT COUNT(*) FROM bad_review"), 0);
    /* a 差评: assigned to the unit above the window (no unit_id given) */
    make_eval(2, "first", 0, at("2026-03-13", 10), &ev);
    cr_assert_eq(badreview_open(u.db, &ev, ev.created_at, &e), 0, "%s", e.msg);
    cr_assert_eq(count("SELECT COUNT(*) FROM bad_review"), 1);
    struct badreview b = get(count("SELECT id FROM bad_review"), ev.created_at);
    cr_assert_eq(b.unit_id, un.id);
    cr_assert_str_eq(b.node_path, un.path);
    cr_assert_eq(b.staff_id, staff_a);
    cr_assert_str_eq(b.state, "assigned");
    cr_assert_str_eq(b.step, "contact");
    cr_assert_str_eq(b.due_day, "2026-03-16"); /* 1 working day from a Friday */
    cr_assert_str_eq(b.item_name, "社保查询");
    cr_assert_str_eq(b.profile_name, BADREVIEW_BUILTIN_NAME);
    cr_assert(b.full && b.ev.real_name == 0 && b.ev.level == 2);
    cr_assert_str_eq(b.ev.phone_mask, "138****5678");
    cr_assert_eq(b.nsteps, 1);
    /* the responsible staff member and the unit's leader are told */
    cr_assert_eq(count("SELECT COUNT(*) FROM notification WHERE kind = 'bad_review_new'"), 2);
    /* a second order for the same evaluation is refused */
    cr_assert_eq(badreview_open(u.db, &ev, ev.created_at, &e), ERR_CONFLICT);
    /* an evaluation naming its unit is assigned there */
    make_eval(1, "first", 0, at("2026-03-13", 10), &ev);
    ev.unit_id = other.id;
    int64_t id2 = 0;
    cr_assert_eq(badreview_open_with(u.db, cal, &ev, ev.created_at, &id2, &e), 0);
    b = get(id2, ev.created_at);
    cr_assert_str_eq(b.node_path, other.path);
}

Test(badreview, the_steps_in_order_with_their_checks_deadlines_and_late_flags)
{
    int64_t t0 = at("2026-03-13", 10); /* Friday */
    int64_t id = open_order(t0);
    struct badreview_args a = {0};
    /* out of order */
    a.finding = "true";
    a.note = "属实";
    cr_assert_eq(act(&a_staff, id, BRS_VERIFY, &a, t0 + 60), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "state");
    /* bad input is named before the state */
    memset(&a, 0, sizeof(a));
    a.method = "fax";
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0 + 60), ERR_INVALID);
    cr_assert_str_eq(e.field, "method");
    a.method = "phone";
    a.finding = "true";
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0 + 60), ERR_INVALID);
    cr_assert_str_eq(e.field, "finding");
    a.finding = NULL;
    a.contacted_at = t0 - 10;
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0 + 60), ERR_INVALID);
    cr_assert_str_eq(e.field, "contacted_at");
    /* outsiders may not */
    a.contacted_at = t0 + 30;
    cr_assert_eq(act(&a_out, id, BRS_CONTACT, &a, t0 + 60), ERR_FORBIDDEN);
    /* contact on Monday after the due day (Monday 03-16 is the due day): late */
    int64_t t1 = at("2026-03-17", 9);
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t1), 0, "%s", e.msg);
    struct badreview b = get(id, t1);
    cr_assert_str_eq(b.state, "contacted");
    cr_assert_str_eq(b.contact_method, "phone");
    cr_assert_eq(b.contacted_at, t0 + 30);
    cr_assert_str_eq(b.step, "verify");
    cr_assert_str_eq(b.due_day, "2026-03-16"); /* counted from the opening: overdue at once */
    cr_assert(b.overdue);
    cr_assert_eq(b.nsteps, 2);
    cr_assert(b.steps[0].late && !b.steps[0].open && b.steps[0].done_by == staff_a);
    /* a replay is a state conflict */
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t1), ERR_CONFLICT);
    /* verify needs a finding and a note */
    memset(&a, 0, sizeof(a));
    a.finding = "partly";
    cr_assert_eq(act(&a_leader, id, BRS_VERIFY, &a, t1), ERR_INVALID);
    cr_assert_str_eq(e.field, "note");
    a.note = "部分属实";
    cr_assert_eq(act(&a_leader, id, BRS_VERIFY, &a, t1), 0, "%s", e.msg);
    /* classify: unknown, deadline rules */
    memset(&a, 0, sizeof(a));
    a.classification = "ignore";
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), ERR_INVALID);
    cr_assert_str_eq(e.field, "classification");
    a.classification = "fix_now";
    a.deadline = "2026-03-18";
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), ERR_INVALID);
    cr_assert_str_eq(e.field, "deadline");
    a.classification = "listed";
    a.deadline = NULL;
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), ERR_INVALID);
    cr_assert_str_eq(e.field, "deadline");
    a.deadline = "2026-03-19"; /* listed_max 3 working days from Friday: 03-18 */
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), ERR_INVALID);
    cr_assert_str_eq(e.field, "deadline");
    a.deadline = "2026-03-16"; /* before today */
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), ERR_INVALID);
    a.deadline = "2026-03-18";
    cr_assert_eq(act(&a_leader, id, BRS_CLASSIFY, &a, t1), 0, "%s", e.msg);
    b = get(id, t1);
    cr_assert_str_eq(b.classification, "listed");
    cr_assert_str_eq(b.deadline_day, "2026-03-18");
    cr_assert_str_eq(b.step, "rectify");
    cr_assert_eq(b.due_at, end_of("2026-03-18"));
    cr_assert(!b.overdue);
    /* rectify in time (Wednesday), needs a note */
    int64_t t2 = at("2026-03-18", 16);
    memset(&a, 0, sizeof(a));
    cr_assert_eq(act(&a_staff, id, BRS_RECTIFY, &a, t2), ERR_INVALID);
    a.note = "已调整窗口服务流程";
    cr_assert_eq(act(&a_staff, id, BRS_RECTIFY, &a, t2), 0, "%s", e.msg);
    b = get(id, t2);
    cr_assert_str_eq(b.due_day, "2026-03-19"); /* follow-up: 1 working day after */
    cr_assert(!b.steps[3].late);
    a.note = "已回访";
    cr_assert_eq(act(&a_staff, id, BRS_FOLLOWUP, &a, t2 + 3600), 0, "%s", e.msg);
    /* rate */
    memset(&a, 0, sizeof(a));
    a.rating = "great";
    cr_assert_eq(act(&a_staff, id, BRS_RATE, &a, t2 + 7200), ERR_INVALID);
    cr_assert_str_eq(e.field, "rating");
    a.rating = "basic";
    cr_assert_eq(act(&a_staff, id, BRS_RATE, &a, t2 + 7200), 0, "%s", e.msg);
    b = get(id, t2 + 7200);
    cr_assert_str_eq(b.state, "closed");
    cr_assert(!b.open && b.due_at == 0 && b.step[0] == '\0');
    cr_assert_eq(b.closed_at, t2 + 7200);
    cr_assert_str_eq(b.rating, "basic");
    /* the figures: replied, rectified, satisfied (basic counts) */
    cr_assert_eq(count("SELECT SUM(bad_replied) * 100 + SUM(bad_rectified) * 10 +"
                       " SUM(bad_satisfied) FROM eval_rollup"),
                 111);
    cr_assert_eq(count("SELECT SUM(bad_replied) * 100 + SUM(bad_rectified) * 10 +"
                       " SUM(bad_satisfied) FROM eval_month_window"),
                 111);
    cr_assert_eq(b.nsteps, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_str_eq(b.steps[i].step, badreview_step_name(i));
    cr_assert_eq(badreview_actions(&a_staff, &b), 0);
    /* a replay after closing */
    cr_assert_eq(act(&a_staff, id, BRS_RATE, &a, t2 + 7300), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "state");
}

Test(badreview, an_untrue_bad_review_can_only_be_explained)
{
    int64_t t0 = at("2026-03-16", 10);
    int64_t id = open_order(t0);
    struct badreview_args a = {.method = "visit"};
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0), 0);
    a = (struct badreview_args){.finding = "false", .note = "经核实不属实"};
    cr_assert_eq(act(&a_staff, id, BRS_VERIFY, &a, t0), 0);
    a = (struct badreview_args){.classification = "fix_now"};
    cr_assert_eq(act(&a_staff, id, BRS_CLASSIFY, &a, t0), ERR_INVALID);
    cr_assert_str_eq(e.field, "classification");
    a.classification = "explain";
    cr_assert_eq(act(&a_staff, id, BRS_CLASSIFY, &a, t0), 0, "%s", e.msg);
    struct badreview b = get(id, t0);
    cr_assert_str_eq(b.due_day, "2026-03-18"); /* explain: 2 working days from Monday */
}

Test(badreview, access_members_of_the_unit_and_the_responsible_staff)
{
    int64_t id = open_order(at("2026-03-16", 10));
    cr_assert(badreview_may_see(&a_staff, un.path, staff_a));   /* responsible, and of the unit */
    cr_assert(badreview_may_see(&a_staff_b, un.path, staff_a)); /* home inside the unit */
    cr_assert(badreview_may_see(&a_leader, un.path, staff_a));
    cr_assert(badreview_may_see(&a_sup, un.path, staff_a)); /* above */
    cr_assert(!badreview_may_see(&a_out, un.path, staff_a));
    struct badreview b;
    cr_assert_eq(badreview_get(u.db, &a_out, id, 0, &ar, &b, &e), ERR_FORBIDDEN);
    cr_assert_eq(badreview_get(u.db, &a_staff_b, id, 0, &ar, &b, &e), 0);
    cr_assert_eq(badreview_get(u.db, &a_staff_b, id + 100, 0, &ar, &b, &e), ERR_NOTFOUND);
    cr_assert_eq(badreview_get(u.db, &a_staff_b, id, 0, &ar, &b, &e), 0);
    /* actions */
    cr_assert_eq(badreview_actions(&a_staff, &b), (1u << BRS_CONTACT) | BADREVIEW_ACT_APPEAL);
    cr_assert_eq(badreview_actions(&a_sup, &b), 1u << BRS_CONTACT);
    cr_assert_eq(badreview_actions(&a_out, &b), 0);
    /* lists */
    struct badreview_filter f = {.page = 1, .per_page = 50};
    struct badreview *items;
    int n = 0;
    int64_t total = 0;
    cr_assert_eq(badreview_list(u.db, &a_staff_b, &f, 0, &ar, &items, &n, &total, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, id);
    cr_assert_eq(badreview_list(u.db, &a_out, &f, 0, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, 0, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    f.node_id = other.id;
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, 0, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    f.node_id = r2.id;
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, 0, &ar, &items, &n, &total, &e), ERR_FORBIDDEN);
    f.node_id = 0;
    f.state = "done";
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, 0, &ar, &items, &n, &total, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "state");
}

Test(badreview, lists_filters_and_counts)
{
    int64_t t0 = at("2026-03-16", 10); /* Monday: contact due Tuesday */
    int64_t a1 = open_order(t0), a2 = open_order(t0), a3 = open_order(t0);
    struct badreview_args a = {.method = "phone"};
    int64_t tue = at("2026-03-17", 9), wed = at("2026-03-18", 9);
    cr_assert_eq(act(&a_staff, a1, BRS_CONTACT, &a, tue), 0);
    struct badreview_filter f = {.page = 1, .per_page = 50, .overdue = 1};
    struct badreview *items;
    int n = 0;
    int64_t total = 0;
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, wed, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 3); /* a1's verify is due Tuesday too */
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, tue, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    f.overdue = 0;
    f.state = "contacted";
    cr_assert_eq(badreview_list(u.db, &a_sup, &f, tue, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, a1);
    f.state = "open";
    f.mine = 1;
    cr_assert_eq(badreview_list(u.db, &a_staff, &f, tue, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 3);
    cr_assert_eq(badreview_list(u.db, &a_leader, &f, tue, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    struct badreview_stats s;
    cr_assert_eq(badreview_stats(u.db, &a_sup, 0, wed, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.states[0], 2);
    cr_assert_eq(s.states[1], 1);
    cr_assert_eq(s.open, 3);
    cr_assert_eq(s.overdue, 3);
    cr_assert_eq(s.appeals_pending, 0);
    cr_assert_eq(s.late_steps, 0);
    cr_assert_eq(badreview_stats(u.db, &a_out, 0, wed, &s, &e), 0);
    cr_assert_eq(s.open, 0);
    (void)a2;
    (void)a3;
}

Test(badreview, the_sweep_warns_and_escalates_once_per_step)
{
    int64_t t0 = at("2026-03-16", 10);
    int64_t id = open_order(t0);
    int raised = -1;
    /* not yet due */
    cr_assert_eq(badreview_sweep(u.db, cal, at("2026-03-17", 23), &raised), 0);
    cr_assert_eq(raised, 0);
    /* past due: the staff member and the unit's leader */
    int64_t wed = at("2026-03-18", 8);
    cr_assert_eq(badreview_sweep(u.db, cal, wed, &raised), 0);
    cr_assert_eq(raised, 2);
    cr_assert_eq(count("SELECT COUNT(*) FROM notification WHERE kind = 'bad_review_overdue'"), 2);
    cr_assert_eq(count("SELECT COUNT(*) FROM notification WHERE kind = 'bad_review_overdue'"
                       " AND staff_id = (SELECT id FROM staff WHERE login = 'leader_u')"),
                 1);
    /* once */
    cr_assert_eq(badreview_sweep(u.db, cal, wed + 3600, &raised), 0);
    cr_assert_eq(raised, 0);
    struct badreview b = get(id, wed);
    cr_assert(b.steps[0].warned && b.steps[0].overdue);
    /* the next step is a step of its own: warned once more when late */
    struct badreview_args a = {.method = "sms"};
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, wed), 0);
    cr_assert_eq(badreview_sweep(u.db, cal, wed + 60, &raised), 0);
    cr_assert_eq(raised, 2);
    /* a step another node already claimed raises nothing here */
    int64_t id2 = open_order(t0);
    cr_assert_eq(db_exec(u.db, "UPDATE bad_review_step SET warned = 1 WHERE open = 1"), 0);
    cr_assert_eq(badreview_sweep(u.db, cal, wed + 120, &raised), 0);
    cr_assert_eq(raised, 0);
    (void)id2;
}

Test(badreview, appeal_once_decided_by_a_supervisor_upheld_excludes_the_evaluation)
{
    int64_t t0 = at("2026-03-16", 10);
    int64_t id = open_order(t0);
    struct badreview b = get(id, t0);
    int64_t eval_id = b.evaluation_id;
    memset(&e, 0, sizeof(e));
    /* outsiders and supervisors do not appeal; reason required */
    cr_assert_eq(badreview_appeal(u.db, &a_out, id, "误评", NULL, t0, &e), ERR_FORBIDDEN);
    cr_assert_eq(badreview_appeal(u.db, &a_sup, id, "误评", NULL, t0, &e), ERR_FORBIDDEN);
    cr_assert_eq(badreview_appeal(u.db, &a_staff, id, "", NULL, t0, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "reason");
    /* no appeal to decide yet */
    cr_assert_eq(badreview_appeal_decide(u.db, &a_sup, id, 1, "核实", t0, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "appeal");
    /* contacted first: the figure it counted leaves the rollups with it */
    struct badreview_args a = {.method = "phone"};
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0 + 60), 0);
    cr_assert_eq(count("SELECT SUM(bad_replied) FROM eval_rollup"), 1);
    cr_assert_eq(
        badreview_appeal(u.db, &a_staff, id, "群众误操作，系误评", "录像显示", t0 + 120, &e), 0,
        "%s", e.msg);
    cr_assert_eq(badreview_appeal(u.db, &a_leader, id, "再次申诉", NULL, t0 + 130, &e),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "appeal");
    /* the steps go on meanwhile */
    a = (struct badreview_args){.finding = "false", .note = "不属实"};
    cr_assert_eq(act(&a_staff, id, BRS_VERIFY, &a, t0 + 200), 0, "%s", e.msg);
    /* the leader of the unit is not a decider; nor the appellant */
    cr_assert_eq(badreview_appeal_decide(u.db, &a_leader, id, 1, "成立", t0 + 300, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(badreview_appeal_decide(u.db, &a_sup, id, 1, "", t0 + 300, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "note");
    b = get(id, t0 + 300);
    cr_assert_eq(badreview_actions(&a_sup, &b), (1u << BRS_CLASSIFY) | BADREVIEW_ACT_DECIDE);
    cr_assert_eq(badreview_appeal_decide(u.db, &a_sup, id, 1, "经调取录像，系误评", t0 + 300, &e),
                 0, "%s", e.msg);
    b = get(id, t0 + 300);
    cr_assert_str_eq(b.state, "appeal_upheld");
    cr_assert(!b.open);
    cr_assert_eq(b.closed_at, t0 + 300);
    cr_assert(b.has_appeal);
    cr_assert_str_eq(b.appeal.state, "upheld");
    cr_assert_eq(b.appeal.appealed_by, staff_a);
    cr_assert_eq(b.appeal.decided_by, sup_r);
    cr_assert_str_eq(b.appeal.decision_note, "经调取录像，系误评");
    cr_assert(b.ev.excluded);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT excluded FROM evaluation WHERE id = %lld",
             (long long)eval_id);
    cr_assert_eq(unit_db_int(u.db, sql), 1);
    cr_assert_eq(count("SELECT COUNT(*) FROM evaluation"), 1, "the evaluation stays");
    /* the figures it counted left with it: excluded 1, replied back to 0 */
    cr_assert_eq(count("SELECT SUM(excluded) * 10 + SUM(bad_replied) FROM eval_rollup"), 10);
    /* nothing more happens on it: no steps, no second decision, no warnings */
    a = (struct badreview_args){.classification = "explain"};
    cr_assert_eq(act(&a_staff, id, BRS_CLASSIFY, &a, t0 + 400), ERR_CONFLICT);
    cr_assert_eq(badreview_appeal_decide(u.db, &a_sup, id, 0, "改判", t0 + 400, &e), ERR_CONFLICT);
    int raised = -1;
    cr_assert_eq(badreview_sweep(u.db, cal, at("2026-04-30", 10), &raised), 0);
    cr_assert_eq(raised, 0);
    /* audited; the appellant is told */
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'bad_review.appeal'"), 1);
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'bad_review.appeal_decide'"),
                 1);
    cr_assert_eq(count("SELECT COUNT(*) FROM notification WHERE kind = 'bad_review_appeal'"), 1);
    struct badreview_stats s;
    cr_assert_eq(badreview_stats(u.db, &a_sup, 0, t0 + 500, &s, &e), 0);
    cr_assert_eq(s.states[7], 1);
    cr_assert_eq(s.open, 0);
}

Test(badreview, a_rejected_appeal_leaves_the_order_going)
{
    int64_t t0 = at("2026-03-16", 10);
    int64_t id = open_order(t0);
    cr_assert_eq(badreview_appeal(u.db, &a_leader, id, "恶意差评", NULL, t0, &e), 0, "%s", e.msg);
    /* an administrator over the unit decides too */
    cr_assert_eq(badreview_appeal_decide(u.db, &a_admin, id, 0, "证据不足", t0 + 60, &e), 0, "%s",
                 e.msg);
    struct badreview b = get(id, t0 + 60);
    cr_assert_str_eq(b.state, "assigned");
    cr_assert(b.open);
    cr_assert_str_eq(b.appeal.state, "rejected");
    cr_assert(!b.ev.excluded);
    cr_assert_eq(badreview_actions(&a_staff, &b), 1u << BRS_CONTACT); /* no second appeal */
    cr_assert_eq(badreview_appeal(u.db, &a_staff, id, "再申诉", NULL, t0 + 90, &e), ERR_CONFLICT);
    struct badreview_args a = {.method = "phone"};
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0 + 120), 0, "%s", e.msg);
}

Test(badreview, profiles_checked_stored_defaulted_and_used)
{
    struct badreview_profile p;
    badreview_profile_builtin(r.id, &p);
    snprintf(p.name, sizeof(p.name), "上海当日联系");
    p.limits[BRL_CONTACT].n = 0; /* same day */
    p.limits[BRL_LISTED_MAX].n = 15;
    p.is_default = 1;
    int64_t pid = 0;
    /* checks */
    struct badreview_profile bad = p;
    snprintf(bad.limits[BRL_VERIFY].unit, sizeof(bad.limits[BRL_VERIFY].unit), "weeks");
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "steps.verify.unit");
    bad = p;
    snprintf(bad.limits[BRL_LISTED_MAX].unit, sizeof(bad.limits[0].unit), "hours");
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "steps.listed_max.unit");
    bad = p;
    bad.limits[BRL_RATE].n = BADREVIEW_DAYS_MAX + 1;
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "steps.rate.n");
    bad = p;
    snprintf(bad.limits[BRL_CONTACT].unit, sizeof(bad.limits[0].unit), "hours");
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "steps.contact.n"); /* 0 hours */
    bad = p;
    bad.name[0] = '\0';
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "name");
    /* rights: an admin at the region's root */
    cr_assert_eq(badreview_profile_create(u.db, &a_sup, &p, 100, &pid, &e), ERR_FORBIDDEN);
    bad = p;
    bad.region_id = un.id;
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &bad, 100, &pid, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "region_id");
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &p, 100, &pid, &e), 0, "%s", e.msg);
    struct badreview_profile cur;
    cr_assert_eq(badreview_profile_current(u.db, r.id, &cur), 0);
    cr_assert_eq(cur.id, pid);
    cr_assert(cur.is_default && !cur.builtin);
    cr_assert_eq(cur.limits[BRL_LISTED_MAX].n, 15);
    cr_assert_eq(badreview_profile_current(u.db, r2.id, &cur), 0);
    cr_assert(cur.builtin && cur.id == 0);
    /* a new order uses it: same-day contact on a Monday */
    int64_t t0 = at("2026-03-16", 10);
    int64_t id = open_order(t0);
    struct badreview b = get(id, t0);
    cr_assert_eq(b.profile_id, pid);
    cr_assert_str_eq(b.profile_name, "上海当日联系");
    cr_assert_str_eq(b.due_day, "2026-03-16");
    /* a second profile, not default, then made default */
    int64_t pid2 = 0;
    p.is_default = 0;
    snprintf(p.name, sizeof(p.name), "德州5日");
    p.limits[BRL_CONTACT].n = 5;
    cr_assert_eq(badreview_profile_create(u.db, &a_admin, &p, 200, &pid2, &e), 0, "%s", e.msg);
    cr_assert_eq(badreview_profile_current(u.db, r.id, &cur), 0);
    cr_assert_eq(cur.id, pid);
    cr_assert_eq(badreview_profile_set_default(u.db, &a_out, pid2, 300, &e), ERR_FORBIDDEN);
    cr_assert_eq(badreview_profile_set_default(u.db, &a_admin, pid2 + 50, 300, &e), ERR_NOTFOUND);
    cr_assert_eq(badreview_profile_set_default(u.db, &a_admin, pid2, 300, &e), 0, "%s", e.msg);
    cr_assert_eq(badreview_profile_current(u.db, r.id, &cur), 0);
    cr_assert_eq(cur.id, pid2);
    cr_assert_eq(count("SELECT COUNT(*) FROM bad_review_profile WHERE is_default = 1"), 1);
    /* the open order keeps its profile */
    b = get(id, t0);
    cr_assert_eq(b.profile_id, pid);
    /* listed within 15 working days of the opening */
    struct badreview_args a = {.method = "phone"};
    cr_assert_eq(act(&a_staff, id, BRS_CONTACT, &a, t0), 0);
    a = (struct badreview_args){.finding = "true", .note = "属实"};
    cr_assert_eq(act(&a_staff, id, BRS_VERIFY, &a, t0), 0);
    a = (struct badreview_args){.classification = "listed", .deadline = "2026-04-07"};
    cr_assert_eq(act(&a_staff, id, BRS_CLASSIFY, &a, t0), 0, "%s", e.msg); /* 15 wd: 04-07 */
    /* the region's list */
    struct badreview_profile *items;
    int n = 0;
    cr_assert_eq(badreview_profiles(u.db, &a_staff, r.id, &ar, &items, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_eq(items[0].id, pid2);
    cr_assert_eq(badreview_profiles(u.db, &a_staff, r2.id, &ar, &items, &n, &e), ERR_FORBIDDEN);
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'bad_review.profile%'"),
                 3);
}

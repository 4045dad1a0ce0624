/* test_commitment.c - commitments (domain/commitment.c) on a migrated temp
 * SQLite database: periods, who may create, report, confirm and withdraw,
 * the state machine and its checks, rescoring marks, the audit trail, and the
 * figures the scoring engine reads (grouped per owner, one owner, reported
 * but unconfirmed under a path that follows a staff member's present home). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "domain/commitment.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
/* region r: unit un (hall h, window w) and unit other */
static struct org_node r, un, h, w, other;
static int64_t staff_a, leader_u, leader_u2, leader_o;
static struct actor a_staff, a_leader, a_leader2, a_leader_o, a_sup;
static int64_t now;
static char today[DATE_TEXT];

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
    unit_db_open(&u, 1);
    actor_system(&sys, "test");
    r = make_node(0, "region", "r");
    un = make_node(r.id, "unit", "un");
    h = make_node(un.id, "hall", "h");
    w = make_node(h.id, "window", "w");
    other = make_node(r.id, "unit", "other");
    staff_a = make_staff("staff_a", "staff", &h, &a_staff, ROLE_STAFF);
    leader_u = make_staff("leader_u", "leader", &un, &a_leader, ROLE_LEADER);
    leader_u2 = make_staff("leader_u2", "leader", &un, &a_leader2, ROLE_LEADER);
    leader_o = make_staff("leader_o", "leader", &other, &a_leader_o, ROLE_LEADER);
    make_staff("sup_r", "supervisor", &r, &a_sup, ROLE_SUPERVISOR);
    now = (int64_t)time(NULL);
    queue_service_day(now, today);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(commitment, .init = init, .fini = fini);

static int64_t make(const struct actor *who, const char *kind, int64_t owner, const char *due)
{
    struct commitment_input in = {0};
    in.owner_kind = kind;
    in.owner_id = owner;
    in.text = "承诺";
    in.category = "service";
    in.due_day = due ? due : today;
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(commitment_create(u.db, who, &in, now, &id, &e), 0, "%s %s", e.field, e.msg);
    cr_assert_gt(id, 0);
    return id;
}

static int report(const struct actor *who, int64_t id)
{
    memset(&e, 0, sizeof(e));
    return commitment_report(u.db, who, id, "证据", NULL, 0, now, &e);
}

static int confirm(const struct actor *who, int64_t id, const char *result)
{
    memset(&e, 0, sizeof(e));
    return commitment_confirm(u.db, who, id, result, "核查", now, &e);
}

static void set_due(int64_t id, const char *day)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, "UPDATE commitment SET due_day = ?2 WHERE id = ?1", &st), 0);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, day);
    cr_assert_eq(db_step(st), DB_DONE);
    db_finalize(st);
}

static const char *state_of(int64_t id)
{
    static struct arena a;
    static struct commitment c;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(commitment_get(u.db, NULL, id, now, &a, &c, &e), 0);
    return c.state;
}

Test(commitment, periods)
{
    char from[DATE_TEXT], to[DATE_TEXT];
    enum commitment_grain g;
    cr_assert_eq(commitment_period_range("2026", from, to, &g), 0);
    cr_assert_str_eq(from, "2026-01-01");
    cr_assert_str_eq(to, "2026-12-31");
    cr_assert_eq(g, CG_YEAR);
    cr_assert_eq(commitment_period_range("2026-Q2", from, to, &g), 0);
    cr_assert_str_eq(from, "2026-04-01");
    cr_assert_str_eq(to, "2026-06-30");
    cr_assert_eq(g, CG_QUARTER);
    cr_assert_eq(commitment_period_range("2026-Q4", from, to, &g), 0);
    cr_assert_str_eq(to, "2026-12-31");
    cr_assert_eq(commitment_period_range("2024-02", from, to, &g), 0);
    cr_assert_str_eq(from, "2024-02-01");
    cr_assert_str_eq(to, "2024-02-29");
    cr_assert_eq(g, CG_MONTH);
    cr_assert_eq(commitment_period_range("2025-12", from, to, &g), 0);
    cr_assert_str_eq(to, "2025-12-31");
    const char *bad[] = {"2026-Q0", "2026-Q5", "2026-13", "2026-00",    "26",
                         "2026-1",  "abcd",    "",        "2026-12-01", "2026Q1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_eq(commitment_period_range(bad[i], from, to, &g), ERR_INVALID, "%s", bad[i]);
}

Test(commitment, who_creates_and_input_checks)
{
    make(&a_staff, "staff", staff_a, NULL);
    make(&a_leader, "window", w.id, NULL);
    make(&a_leader, "unit", un.id, NULL);
    make(&a_leader, "staff", staff_a, NULL);
    struct commitment_input in = {"window", w.id, "x",  "service", NULL,
                                  NULL,     NULL, NULL, NULL,      NULL};
    in.due_day = today;
    int64_t id = 0;
    cr_assert_eq(commitment_create(u.db, &a_staff, &in, now, &id, &e), ERR_FORBIDDEN);
    cr_assert_eq(commitment_create(u.db, &a_leader_o, &in, now, &id, &e), ERR_FORBIDDEN);
    cr_assert_eq(commitment_create(u.db, &a_sup, &in, now, &id, &e), ERR_FORBIDDEN,
                 "a supervisor reads but makes none for others");
    struct {
        const char *field;
        struct commitment_input in;
    } bad[] = {
        {"owner_kind", {"hall", h.id, "x", "service", NULL, NULL, NULL, NULL, today, NULL}},
        {"owner_id", {"unit", w.id, "x", "service", NULL, NULL, NULL, NULL, today, NULL}},
        {"owner_id", {"staff", 99999, "x", "service", NULL, NULL, NULL, NULL, today, NULL}},
        {"text", {"window", w.id, "", "service", NULL, NULL, NULL, NULL, today, NULL}},
        {"category", {"window", w.id, "x", "fun", NULL, NULL, NULL, NULL, today, NULL}},
        {"visibility", {"window", w.id, "x", "service", NULL, NULL, "secret", NULL, today, NULL}},
        {"target_value", {"window", w.id, "x", "service", NULL, NULL, NULL, "1.2.3", today, NULL}},
        {"target_value", {"window", w.id, "x", "service", NULL, NULL, NULL, "1e5", today, NULL}},
        {"due_day", {"window", w.id, "x", "service", NULL, NULL, NULL, NULL, "2020-01-01", NULL}},
        {"due_day", {"window", w.id, "x", "service", NULL, NULL, NULL, NULL, NULL, NULL}},
        {"period", {"window", w.id, "x", "service", NULL, NULL, NULL, NULL, today, "2030"}},
        {"period", {"window", w.id, "x", "service", NULL, NULL, NULL, NULL, NULL, "2030-Q9"}},
        {"period", {"window", w.id, "x", "service", NULL, NULL, NULL, NULL, NULL, "2099"}},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&e, 0, sizeof(e));
        cr_assert_eq(commitment_create(u.db, &a_leader, &bad[i].in, now, &id, &e), ERR_INVALID,
                     "case %zu", i);
        cr_assert_str_eq(e.field, bad[i].field, "case %zu: %s", i, e.msg);
    }
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM commitment"), 4);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                   " 'commitment.create'"),
                 4);
}

Test(commitment, cycle_rights_and_rescoring)
{
    int64_t mine = make(&a_staff, "staff", staff_a, NULL);
    int64_t win = make(&a_leader, "window", w.id, NULL);
    /* edit until the first report */
    struct commitment_patch p = {0};
    p.text = "改过";
    cr_assert_eq(commitment_update(u.db, &a_staff, mine, &p, now, &e), 0);
    cr_assert_eq(commitment_update(u.db, &a_leader_o, mine, &p, now, &e), ERR_FORBIDDEN);
    /* reports: the staff owner; a unit's or window's leader */
    cr_assert_eq(report(&a_leader, mine), ERR_FORBIDDEN);
    cr_assert_eq(report(&a_staff, win), ERR_FORBIDDEN);
    cr_assert_eq(report(&a_staff, mine), 0);
    cr_assert_str_eq(state_of(mine), "reported");
    cr_assert_eq(commitment_update(u.db, &a_staff, mine, &p, now, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "state");
    cr_assert_eq(report(&a_staff, mine), ERR_CONFLICT);
    /* new windows and staff are marked when created (score.h): start clean */
    cr_assert_eq(db_exec(u.db, "DELETE FROM score_dirty"), 0);
    cr_assert_eq(report(&a_staff, mine), ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM score_dirty"), 0, "no mark before");
    /* the owner and outsiders do not confirm */
    cr_assert_eq(confirm(&a_staff, mine, "fulfilled"), ERR_FORBIDDEN);
    cr_assert_eq(confirm(&a_leader_o, mine, "fulfilled"), ERR_FORBIDDEN);
    cr_assert_eq(confirm(&a_leader, mine, "good"), ERR_INVALID);
    cr_assert_str_eq(e.field, "result");
    cr_assert_eq(confirm(&a_leader, mine, "fulfilled"), 0);
    cr_assert_str_eq(state_of(mine), "fulfilled");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM score_dirty WHERE kind = 'staff'"), 1);
    cr_assert_eq(confirm(&a_leader, mine, "fulfilled"), ERR_CONFLICT);
    /* a window: the reporter does not confirm; missed, reported again, partly */
    cr_assert_eq(report(&a_leader, win), 0);
    cr_assert_eq(confirm(&a_leader, win, "fulfilled"), ERR_FORBIDDEN);
    cr_assert_eq(confirm(&a_leader2, win, "missed"), 0);
    cr_assert_eq(report(&a_leader, win), 0);
    cr_assert_eq(confirm(&a_leader2, win, "partly"), 0);
    cr_assert_str_eq(state_of(win), "partly");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM score_dirty WHERE kind = 'window'"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM commitment_report"), 3);
    /* past the due day a partly stands, and nothing is withdrawn */
    set_due(win, "2020-01-31");
    cr_assert_eq(report(&a_leader, win), ERR_CONFLICT);
    int64_t late = make(&a_leader, "unit", un.id, NULL);
    set_due(late, "2020-01-31");
    cr_assert_eq(commitment_withdraw(u.db, &a_leader, late, "x", now, &e), ERR_CONFLICT);
    cr_assert_eq(report(&a_leader, late), 0, "a late report is taken");
    int64_t gone = make(&a_staff, "staff", staff_a, NULL);
    cr_assert_eq(commitment_withdraw(u.db, &a_staff, gone, "", now, &e), ERR_INVALID);
    cr_assert_eq(commitment_withdraw(u.db, &a_leader_o, gone, "x", now, &e), ERR_FORBIDDEN);
    cr_assert_eq(commitment_withdraw(u.db, &a_staff, gone, "调岗", now, &e), 0);
    cr_assert_str_eq(state_of(gone), "withdrawn");
    cr_assert_eq(report(&a_staff, gone), ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'commitment'"),
                 4 /* creates */ + 1 /* update */ + 4 /* reports */ + 3 /* confirms */ +
                     1 /* withdraw */);
}

struct seen {
    char kind[8][8];
    int64_t id[8];
    struct commit_figures f[8];
    int n, stop_at;
};

static int collect(void *ctx, const char *kind, int64_t owner_id, const struct commit_figures *f)
{
    struct seen *s = ctx;
    cr_assert_lt(s->n, 8);
    snprintf(s->kind[s->n], 8, "%s", kind);
    s->id[s->n] = owner_id;
    s->f[s->n] = *f;
    s->n++;
    return s->n == s->stop_at ? 7 : 0;
}

Test(commitment, figures_for_the_scoring_engine)
{
    /* window w in March 2025: fulfilled, missed, open, reported, withdrawn;
     * staff a: partly; unit: one in April (outside) */
    int64_t ids[7];
    for (int i = 0; i < 5; i++)
        ids[i] = make(&a_leader, "window", w.id, NULL);
    ids[5] = make(&a_staff, "staff", staff_a, NULL);
    ids[6] = make(&a_leader, "unit", un.id, NULL);
    cr_assert_eq(report(&a_leader, ids[0]), 0);
    cr_assert_eq(confirm(&a_leader2, ids[0], "fulfilled"), 0);
    cr_assert_eq(report(&a_leader, ids[1]), 0);
    cr_assert_eq(confirm(&a_leader2, ids[1], "missed"), 0);
    cr_assert_eq(report(&a_leader, ids[3]), 0);
    cr_assert_eq(commitment_withdraw(u.db, &a_leader, ids[4], "撤回", now, &e), 0);
    cr_assert_eq(report(&a_staff, ids[5]), 0);
    cr_assert_eq(confirm(&a_leader, ids[5], "partly"), 0);
    for (int i = 0; i < 6; i++)
        set_due(ids[i], i % 2 ? "2025-03-31" : "2025-03-01");
    set_due(ids[6], "2025-04-01");

    struct seen s = {0};
    cr_assert_eq(commitment_figures_range(u.db, "2025-03-01", "2025-03-31", collect, &s), 0);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.kind[0], "staff");
    cr_assert_eq(s.id[0], staff_a);
    cr_assert_eq(s.f[0].due, 1);
    cr_assert_eq(s.f[0].partly, 1);
    cr_assert_str_eq(s.kind[1], "window");
    cr_assert_eq(s.id[1], w.id);
    cr_assert_eq(s.f[1].due, 4);
    cr_assert_eq(s.f[1].fulfilled, 1);
    cr_assert_eq(s.f[1].missed, 1);
    cr_assert_eq(s.f[1].pending, 2);
    cr_assert_eq(s.f[1].partly, 0);
    /* the callback stops the walk with its value */
    struct seen s2 = {0};
    s2.stop_at = 1;
    cr_assert_eq(commitment_figures_range(u.db, "2025-03-01", "2025-03-31", collect, &s2), 7);
    cr_assert_eq(s2.n, 1);
    cr_assert_eq(commitment_figures_range(u.db, "2025-3-1", "2025-03-31", collect, &s2),
                 ERR_INVALID);
    /* inclusive bounds: one day */
    struct seen s3 = {0};
    cr_assert_eq(commitment_figures_range(u.db, "2025-03-31", "2025-03-31", collect, &s3), 0);
    cr_assert_eq(s3.n, 2);
    cr_assert_eq(s3.f[1].due, 2, "ids 1 and 3");

    struct commit_figures f;
    cr_assert_eq(commitment_figures_owner(u.db, "window", w.id, "2025-01-01", "2025-12-31", &f), 0);
    cr_assert_eq(f.due, 4);
    cr_assert_eq(f.fulfilled, 1);
    cr_assert_eq(commitment_figures_owner(u.db, "unit", un.id, "2025-03-01", "2025-03-31", &f), 0);
    cr_assert_eq(f.due, 0);
    cr_assert_eq(commitment_figures_owner(u.db, "unit", un.id, "2025-04-01", "2025-04-30", &f), 0);
    cr_assert_eq(f.due, 1);
    cr_assert_eq(f.pending, 1);
    cr_assert_eq(commitment_figures_owner(u.db, "hall", h.id, "2025-01-01", "2025-12-31", &f),
                 ERR_INVALID);

    /* reported, unconfirmed: ids[3] (window w, under un) */
    int64_t n = -1;
    cr_assert_eq(commitment_unconfirmed(u.db, un.path, "2025-03-01", "2025-03-31", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(commitment_unconfirmed(u.db, other.path, "2025-03-01", "2025-03-31", &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(commitment_unconfirmed(u.db, un.path, "2025-04-01", "2025-04-30", &n), 0);
    cr_assert_eq(n, 0);
    /* a staff member's reported commitment follows their present home */
    int64_t st_id = make(&a_staff, "staff", staff_a, NULL);
    cr_assert_eq(report(&a_staff, st_id), 0);
    set_due(st_id, "2025-03-15");
    cr_assert_eq(commitment_unconfirmed(u.db, un.path, "2025-03-01", "2025-03-31", &n), 0);
    cr_assert_eq(n, 2);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, "UPDATE staff SET node_id = ?1 WHERE id = ?2", &st), 0);
    db_bind_int64(st, 1, other.id);
    db_bind_int64(st, 2, staff_a);
    cr_assert_eq(db_step(st), DB_DONE);
    db_finalize(st);
    cr_assert_eq(commitment_unconfirmed(u.db, un.path, "2025-03-01", "2025-03-31", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(commitment_unconfirmed(u.db, other.path, "2025-03-01", "2025-03-31", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(commitment_unconfirmed(u.db, "nope", "2025-03-01", "2025-03-31", &n), ERR_INVALID);
}

Test(commitment, lists_scope_and_overdue)
{
    int64_t a = make(&a_staff, "staff", staff_a, NULL);
    int64_t b = make(&a_leader, "window", w.id, NULL);
    set_due(b, "2021-05-05");
    struct arena ar = {0};
    struct commitment *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct commitment_filter f = {0};
    f.page = 1;
    f.per_page = 50;
    cr_assert_eq(commitment_list(u.db, &a_leader, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    cr_assert_eq(items[0].id, b, "by due day");
    cr_assert(items[0].overdue);
    cr_assert_not(items[1].overdue);
    f.overdue = 1;
    cr_assert_eq(commitment_list(u.db, &a_leader, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    f.overdue = 0;
    cr_assert_eq(commitment_list(u.db, &a_leader_o, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0, "another unit's leader sees none");
    f.node_id = un.id;
    cr_assert_eq(commitment_list(u.db, &a_leader_o, &f, now, &ar, &items, &n, &total, &e),
                 ERR_FORBIDDEN);
    f.node_id = 0;
    f.mine = 1;
    cr_assert_eq(commitment_list(u.db, &a_staff, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, a);
    f.mine = 0;
    f.state = "done";
    cr_assert_eq(commitment_list(u.db, &a_staff, &f, now, &ar, &items, &n, &total, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "state");
    arena_reset(&ar);
}

/* test_case_follow.c - accountability decisions, follow-up calls, efficiency
 * statistics and notifications (domain/case_follow.c) on a migrated temp
 * SQLite database. Cases, follow-ups and accountability records are written
 * with SQL, as case completion would leave them. The clock: 2026-03-10 12:00
 * in Asia/Shanghai. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/case_follow.h"
#include "domain/catalog.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
static struct arena ar;
/* region r: hall hA with window wA; region town under r: hall hB with wB */
static struct org_node r, town, hA, wA, hB, wB;
static int64_t item1, ver1, item2, ver2;
static int64_t admin_id, leader_r, leader_t, staff_a, staff_b;
static int64_t now;

static int64_t at(int y, int m, int d, int hh)
{
    return (int64_t)date_from_civil(y, m, d) * 86400 + hh * 3600 - QUEUE_TZ_OFFSET_S;
}

static struct org_node make_node(int64_t parent, const char *kind, const char *code,
                                 const char *name)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, name, NULL, NULL};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static void make_item(const char *code, const char *name, int64_t *item, int64_t *ver)
{
    static struct catalog_place place;
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    place.node_id = wA.id;
    v.code = code;
    v.unit_id = hA.id;
    v.name = name;
    v.kind = "promised";
    v.legal_limit = 20;
    v.legal_unit = "workdays";
    v.promised_limit = 5;
    v.promised_unit = "workdays";
    v.fee_free = 1;
    v.ticket_prefix = "Z";
    v.online = "none";
    v.places = &place;
    v.nplaces = 1;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(catalog_create(u.db, &sys, &v, item, ver, &e), 0, "%s", e.msg);
    cr_assert_eq(catalog_publish(u.db, &sys, *item, ver, &e), 0, "%s", e.msg);
}

static int64_t make_staff(const char *login, const char *name, const char *role, int64_t node)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO staff (login, name, role, node_id, password_hash,"
                            " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'x', 1, 1)"
                            " RETURNING id",
                            &st),
                 0);
    db_bind_text(st, 1, login);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, role);
    db_bind_int64(st, 4, node);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

/* A case as completion leaves it (or open, with outcome NULL). */
struct case_row {
    const char *number;
    int item; /* 1 or 2 */
    const char *kind;
    const struct org_node *node;
    int64_t handler;
    const struct org_node *window; /* NULL: none */
    const char *state;
    const char *closed_day; /* NULL: open */
    const char *outcome;
    int used, promised, extension;
};

static int64_t make_case(const struct case_row *c)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(
        db_prepare(u.db,
                   "INSERT INTO case_file (region_id, number, query_hash, item_id, version_id,"
                   " item_code, item_name, kind, node_id, node_path, handler_id, first_owner_id,"
                   " window_id, applicant_kind, applicant_name, phone_enc, phone_hash, phone_mask,"
                   " state, open, received_day, received_at, promised_limit, promised_unit,"
                   " legal_limit, legal_unit, extension_days, closed_day, closed_at, outcome,"
                   " used_units, created_at, updated_at) VALUES (?1, ?2, 'h', ?3, ?4, ?5, ?6, ?7,"
                   " ?8, ?9, ?10, ?10, ?11, 'person', '张三', 'enc', 'ph', '138****5678', ?12,"
                   " ?13, '2026-02-02', 1, ?14, 'workdays', 20, 'workdays', ?15, ?16, ?17, ?18,"
                   " ?19, 1, 1) RETURNING id",
                   &st),
        0, "%s", db_errmsg(u.db));
    db_bind_int64(st, 1, r.id);
    db_bind_text(st, 2, c->number);
    db_bind_int64(st, 3, c->item == 1 ? item1 : item2);
    db_bind_int64(st, 4, c->item == 1 ? ver1 : ver2);
    db_bind_text(st, 5, c->item == 1 ? "ITEM-1" : "ITEM-2");
    db_bind_text(st, 6, c->item == 1 ? "营业执照" : "食品经营许可");
    db_bind_text(st, 7, c->kind);
    db_bind_int64(st, 8, c->node->id);
    db_bind_text(st, 9, c->node->path);
    db_bind_int64(st, 10, c->handler);
    if (c->window)
        db_bind_int64(st, 11, c->window->id);
    else
        db_bind_null(st, 11);
    db_bind_text(st, 12, c->state);
    db_bind_int64(st, 13, c->closed_day ? 0 : 1);
    db_bind_int64(st, 14, c->promised);
    db_bind_int64(st, 15, c->extension);
    db_bind_text(st, 16, c->closed_day);
    if (c->closed_day)
        db_bind_int64(st, 17, now);
    else
        db_bind_null(st, 17);
    db_bind_text(st, 18, c->outcome);
    if (c->closed_day)
        db_bind_int64(st, 19, c->used);
    else
        db_bind_null(st, 19);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static int64_t make_acct(int64_t staff, int64_t case_id, const char *path, const char *source)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO accountability (staff_id, node_path, case_id, source,"
                            " reason, status, created_at) VALUES (?1, ?2, ?3, ?4, '超期办结',"
                            " 'pending', ?5) RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, staff);
    db_bind_text(st, 2, path);
    if (case_id)
        db_bind_int64(st, 3, case_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, source);
    db_bind_int64(st, 5, now);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static int64_t make_followup(int64_t case_id, const char *path, const char *due)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO followup (case_id, node_path, due_day, status,"
                            " created_at) VALUES (?1, ?2, ?3, 'scheduled', 1) RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, case_id);
    db_bind_text(st, 2, path);
    db_bind_text(st, 3, due);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static struct actor as(enum role role, const struct org_node *home, int64_t staff_id)
{
    struct actor a;
    unit_actor(&a, role, home->id, home->path, staff_id);
    return a;
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    memset(&ar, 0, sizeof(ar));
    now = at(2026, 3, 10, 12);
    r = make_node(0, "region", "r", "区");
    town = make_node(r.id, "region", "town", "镇");
    hA = make_node(r.id, "hall", "hall-a", "区政务服务中心");
    wA = make_node(hA.id, "window", "w1", "1号窗口");
    hB = make_node(town.id, "hall", "hall-b", "镇便民服务中心");
    wB = make_node(hB.id, "window", "w1", "镇1号窗口");
    make_item("ITEM-1", "营业执照", &item1, &ver1);
    make_item("ITEM-2", "食品经营许可", &item2, &ver2);
    admin_id = make_staff("admin", "管理员", "admin", r.id);
    leader_r = make_staff("leader-r", "区领导", "leader", r.id);
    leader_t = make_staff("leader-t", "镇领导", "leader", town.id);
    staff_a = make_staff("staff-a", "甲", "staff", wA.id);
    staff_b = make_staff("staff-b", "乙", "staff", wB.id);
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    arena_reset(&ar);
    unit_db_close(&u);
}

TestSuite(case_follow, .init = init, .fini = fini);

/* ---- accountability ---- */

static int decide(const struct actor *who, int64_t id, const char *grade, int dismiss,
                  const char *note)
{
    memset(&e, 0, sizeof(e));
    return acct_decide(u.db, who, id, grade, dismiss, note, now, &e);
}

Test(case_follow, acct_decide_rules)
{
    struct case_row c = {"2026-0302-000001", 1,      "promised", &hB, staff_b, &wB, "completed",
                         "2026-03-09",       "late", 7,          5,   0};
    int64_t cid = make_case(&c);
    int64_t id = make_acct(staff_b, cid, hB.path, "overdue");
    struct actor staff = as(ROLE_STAFF, &wB, staff_b), admin = as(ROLE_ADMIN, &r, admin_id);
    struct actor lt = as(ROLE_LEADER, &town, leader_t), other = as(ROLE_LEADER, &hA, leader_r);

    cr_assert_eq(decide(&staff, id, "reminder", 0, "迟了两天"), ERR_FORBIDDEN);
    cr_assert_eq(decide(&admin, id, "reminder", 0, "迟了两天"), ERR_FORBIDDEN);
    cr_assert_eq(decide(&other, id, "reminder", 0, "迟了两天"), ERR_FORBIDDEN, "out of scope");
    cr_assert_eq(decide(&lt, id, "warning", 0, "x"), ERR_INVALID);
    cr_assert_str_eq(e.field, "grade");
    cr_assert_eq(decide(&lt, id, NULL, 0, "x"), ERR_INVALID);
    cr_assert_str_eq(e.field, "grade");
    cr_assert_eq(decide(&lt, id, "formal", 1, "x"), ERR_INVALID, "a dismissal has no grade");
    cr_assert_str_eq(e.field, "grade");
    cr_assert_eq(decide(&lt, id, "criticism", 0, ""), ERR_INVALID);
    cr_assert_str_eq(e.field, "note");
    cr_assert_eq(decide(&lt, 999999, "criticism", 0, "x"), ERR_NOTFOUND);

    cr_assert_eq(decide(&lt, id, "criticism", 0, "迟了两天，通报批评"), 0, "%s", e.msg);
    struct acct_rec rec;
    cr_assert_eq(acct_get(u.db, NULL, id, &ar, &rec), 0);
    cr_assert_str_eq(rec.status, "decided");
    cr_assert_str_eq(rec.grade, "criticism");
    cr_assert_str_eq(rec.decision_note, "迟了两天，通报批评");
    cr_assert_str_eq(rec.decided_by_name, "镇领导");
    cr_assert_str_eq(rec.staff_name, "乙");
    cr_assert_str_eq(rec.case_number, "2026-0302-000001");
    cr_assert_eq(rec.decided_at, now);
    /* the person hears of it; the audit log has it */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM notification WHERE kind ="
                                   " 'accountability' AND staff_id IS NOT NULL AND case_id IS"
                                   " NOT NULL"),
                 1);
    cr_assert_eq(
        unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'accountability.decide'"),
        1);
    /* twice: conflict on status */
    cr_assert_eq(decide(&lt, id, "formal", 0, "再议"), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");

    /* dismissal; a leader over a wider region may decide too */
    int64_t id2 = make_acct(staff_b, 0, hB.path, "finding");
    struct actor lr = as(ROLE_LEADER, &r, leader_r);
    cr_assert_eq(decide(&lr, id2, NULL, 1, "情况属实但已整改"), 0, "%s", e.msg);
    cr_assert_eq(acct_get(u.db, NULL, id2, &ar, &rec), 0);
    cr_assert_str_eq(rec.status, "dismissed");
    cr_assert_null(rec.grade);
    cr_assert_null(rec.case_number);
    cr_assert_eq(decide(&lr, id2, NULL, 1, "again"), ERR_CONFLICT);

    /* nobody decides their own */
    int64_t id3 = make_acct(leader_t, 0, town.path, "finding");
    cr_assert_eq(decide(&lt, id3, "reminder", 0, "自己"), ERR_FORBIDDEN);
    cr_assert_eq(decide(&lr, id3, "reminder", 0, "提醒"), 0, "%s", e.msg);
}

Test(case_follow, acct_list_scope_and_own)
{
    int64_t a1 = make_acct(staff_b, 0, hB.path, "finding");
    int64_t a2 = make_acct(staff_a, 0, hA.path, "finding");
    /* a record of staff_a filed at the region's root, above staff_a's scope */
    int64_t a3 = make_acct(staff_a, 0, r.path, "complaint");
    struct acct_filter f = {0, NULL, 1, 50};
    struct acct_rec *items;
    int n;
    int64_t total;
    struct actor lt = as(ROLE_LEADER, &town, leader_t);
    cr_assert_eq(acct_list(u.db, &lt, &f, &ar, &items, &n, &total, &e), 0, "%s", e.msg);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, a1);

    struct actor sa = as(ROLE_STAFF, &wA, staff_a);
    cr_assert_eq(acct_list(u.db, &sa, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2, "own records wherever they lie");
    cr_assert_eq(items[0].id, a3, "newest first");
    cr_assert_eq(items[1].id, a2);
    f.staff_id = staff_a;
    cr_assert_eq(acct_list(u.db, &sa, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    f.staff_id = staff_b;
    cr_assert_eq(acct_list(u.db, &sa, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0, "another's out of scope");

    struct actor lr = as(ROLE_LEADER, &r, leader_r);
    f.staff_id = 0;
    cr_assert_eq(acct_list(u.db, &lr, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 3);
    cr_assert_eq(decide(&lr, a2, "reminder", 0, "提醒"), 0, "%s", e.msg);
    f.status = "pending";
    cr_assert_eq(acct_list(u.db, &lr, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    f.status = "open";
    cr_assert_eq(acct_list(u.db, &lr, &f, &ar, &items, &n, &total, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "status");
    f.status = NULL;
    f.per_page = 2;
    f.page = 2;
    cr_assert_eq(acct_list(u.db, &lr, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 3);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].id, a1);
}

/* ---- follow-ups ---- */

Test(case_follow, followup_list_and_record)
{
    struct case_row c1 = {"2026-0302-000011", 1,         "promised", &hA, staff_a, &wA, "completed",
                          "2026-03-02",       "on_time", 4,          5,   0};
    struct case_row c2 = {"2026-0302-000012", 2,       "promised", &hB, staff_b, &wB, "completed",
                          "2026-03-05",       "early", 2,          5,   0};
    struct case_row c3 = {"2026-0302-000013", 2,    "immediate", &hA, staff_a, NULL, "completed",
                          "2026-03-06",       NULL, 0,           0,   0};
    int64_t f1 = make_followup(make_case(&c1), hA.path, "2026-03-05"); /* overdue */
    int64_t f2 = make_followup(make_case(&c2), hB.path, "2026-03-10"); /* due today */
    int64_t f3 = make_followup(make_case(&c3), hA.path, "2026-03-11");
    struct followup_filter f = {NULL, 0, 0, 1, 50};
    struct followup_rec *items;
    int n;
    int64_t total;
    struct actor lr = as(ROLE_LEADER, &r, leader_r);
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), 0, "%s", e.msg);
    cr_assert_eq(total, 3);
    cr_assert_eq(items[0].id, f1, "oldest due first");
    cr_assert(items[0].overdue);
    cr_assert_str_eq(items[0].case_number, "2026-0302-000011");
    cr_assert_str_eq(items[0].item_name, "营业执照");
    cr_assert_str_eq(items[0].applicant_name, "张三");
    cr_assert_str_eq(items[0].phone_mask, "138****5678");
    cr_assert_eq(items[1].id, f2);
    cr_assert_not(items[1].overdue, "due today is not overdue");
    cr_assert_eq(items[2].id, f3);

    f.overdue_only = 1;
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, f1);
    f.overdue_only = 0;
    f.node_id = town.id;
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, f2);
    struct actor lt = as(ROLE_LEADER, &town, leader_t);
    f.node_id = hA.id;
    cr_assert_eq(followup_list(u.db, &lt, &f, now, &ar, &items, &n, &total, &e), ERR_FORBIDDEN);
    f.node_id = 0;
    cr_assert_eq(followup_list(u.db, &lt, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);

    /* recording */
    struct actor sa = as(ROLE_STAFF, &hA, staff_a), sb = as(ROLE_STAFF, &hB, staff_b);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(followup_record(u.db, &sb, f1, "reached", 5, NULL, now, &e), ERR_FORBIDDEN);
    cr_assert_eq(followup_record(u.db, &sa, f1, "busy", 0, NULL, now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "result");
    cr_assert_eq(followup_record(u.db, &sa, f1, "reached", 0, NULL, now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "satisfaction");
    cr_assert_eq(followup_record(u.db, &sa, f1, "reached", 6, NULL, now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "satisfaction");
    cr_assert_eq(followup_record(u.db, &sa, f1, "unreachable", 3, NULL, now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "satisfaction");
    cr_assert_eq(followup_record(u.db, &sa, 99999, "reached", 4, NULL, now, &e), ERR_NOTFOUND);
    cr_assert_eq(followup_record(u.db, &sa, f1, "reached", 4, "很满意，建议增加停车位", now, &e), 0,
                 "%s", e.msg);
    struct followup_rec rec;
    cr_assert_eq(followup_get(u.db, &sa, f1, now, &ar, &rec), 0);
    cr_assert_str_eq(rec.status, "done");
    cr_assert_str_eq(rec.result, "reached");
    cr_assert_eq(rec.satisfaction, 4);
    cr_assert_str_eq(rec.notes, "很满意，建议增加停车位");
    cr_assert_str_eq(rec.called_by_name, "甲");
    cr_assert_eq(rec.called_at, now);
    cr_assert_not(rec.overdue, "a done call is not overdue");
    cr_assert_eq(followup_get(u.db, &sb, f1, now, &ar, &rec), ERR_FORBIDDEN);
    cr_assert_eq(followup_record(u.db, &sa, f1, "declined", 0, NULL, now, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert_eq(followup_record(u.db, &sb, f2, "declined", 0, NULL, now, &e), 0, "%s", e.msg);
    cr_assert_eq(followup_get(u.db, NULL, f2, now, &ar, &rec), 0);
    cr_assert_eq(rec.satisfaction, 0);
    cr_assert_null(rec.notes);
    cr_assert_eq(
        unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'followup.record'"), 2);

    /* done ones after the scheduled, latest call first */
    f.status = "done";
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    f.status = "scheduled";
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, f3);
    f.status = "called";
    cr_assert_eq(followup_list(u.db, &lr, &f, now, &ar, &items, &n, &total, &e), ERR_INVALID);
}

/* ---- statistics ---- */

static const struct case_stat_row *row_of(const struct case_stat_row *rows, int n, int64_t key)
{
    for (int i = 0; i < n; i++)
        if (rows[i].key_id == key)
            return &rows[i];
    cr_assert_fail("no row for key %lld", (long long)key);
    return NULL;
}

static void seed_stats(void)
{
    /* in range: five promised cases, item 1 ×3 (wA, wA, none), item 2 ×2 (wB) */
    struct case_row cs[] = {
        {"S-1", 1, "promised", &hA, staff_a, &wA, "completed", "2026-03-01", "early", 3, 5, 0},
        {"S-2", 1, "promised", &hA, staff_a, &wA, "completed", "2026-03-02", "on_time", 5, 5, 0},
        {"S-3", 1, "promised", &hA, staff_a, NULL, "completed", "2026-03-03", "late", 8, 5, 2},
        {"S-4", 2, "promised", &hB, staff_b, &wB, "completed", "2026-03-04", "early", 1, 5, 0},
        {"S-5", 2, "promised", &hB, staff_b, &wB, "completed", "2026-03-05", "late", 9, 5, 0},
        /* not counted: out of range, immediate, not completed */
        {"S-6", 1, "promised", &hA, staff_a, &wA, "completed", "2026-02-28", "early", 1, 5, 0},
        {"S-7", 1, "promised", &hA, staff_a, &wA, "completed", "2026-03-06", "early", 1, 5, 0},
        {"S-8", 1, "immediate", &hA, staff_a, &wA, "completed", "2026-03-03", NULL, 0, 0, 0},
        {"S-9", 1, "promised", &hA, staff_a, &wA, "in_progress", NULL, NULL, 0, 5, 0},
        {"S-10", 1, "promised", &hA, staff_a, &wA, "returned", "2026-03-03", NULL, 0, 5, 0},
    };
    for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++)
        make_case(&cs[i]);
}

static int stats(const struct actor *who, const char *group, const char *from, const char *to,
                 int64_t node, struct case_stat_row **rows, int *n, struct case_stat_row *total)
{
    memset(&e, 0, sizeof(e));
    return case_stats(u.db, who, group, from, to, node, &ar, rows, n, total, &e);
}

Test(case_follow, stats_grouping)
{
    seed_stats();
    struct actor lr = as(ROLE_LEADER, &r, leader_r);
    struct case_stat_row *rows, total;
    int n;
    cr_assert_eq(stats(&lr, "item", "2026-03-01", "2026-03-05", 0, &rows, &n, &total), 0, "%s",
                 e.msg);
    cr_assert_eq(n, 2);
    cr_assert_eq(total.completed, 5);
    cr_assert_eq(total.early, 2);
    cr_assert_eq(total.on_time, 1);
    cr_assert_eq(total.late, 2);
    cr_assert_float_eq(total.avg_used, (3 + 5 + 8 + 1 + 9) / 5.0, 1e-9);
    cr_assert_float_eq(total.avg_promised, (5 + 5 + 7 + 5 + 5) / 5.0, 1e-9);
    const struct case_stat_row *i1 = row_of(rows, n, item1);
    cr_assert_str_eq(i1->key, "ITEM-1");
    cr_assert_str_eq(i1->label, "营业执照");
    cr_assert_eq(i1->completed, 3);
    cr_assert_eq(i1->early, 1);
    cr_assert_eq(i1->on_time, 1);
    cr_assert_eq(i1->late, 1);
    cr_assert_float_eq(i1->avg_used, 16 / 3.0, 1e-9);
    cr_assert_float_eq(i1->avg_promised, 17 / 3.0, 1e-9);
    cr_assert_eq(rows[0].key_id, item1, "by item code");

    cr_assert_eq(stats(&lr, "window", "2026-03-01", "2026-03-05", 0, &rows, &n, &total), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(row_of(rows, n, wA.id)->completed, 2);
    cr_assert_str_eq(row_of(rows, n, wA.id)->label, "1号窗口");
    cr_assert_eq(row_of(rows, n, wB.id)->completed, 2);
    const struct case_stat_row *none = row_of(rows, n, 0);
    cr_assert_eq(none->completed, 1);
    cr_assert_eq(none->late, 1);
    cr_assert_str_eq(none->label, "");
    cr_assert_eq(rows[n - 1].key_id, 0, "cases with no window last");

    cr_assert_eq(stats(&lr, "unit", "2026-03-01", "2026-03-05", 0, &rows, &n, &total), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(row_of(rows, n, hB.id)->label, "镇便民服务中心");
    cr_assert_eq(row_of(rows, n, hA.id)->completed, 3);

    cr_assert_eq(stats(&lr, "staff", "2026-03-01", "2026-03-05", 0, &rows, &n, &total), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(row_of(rows, n, staff_b)->label, "乙");
    cr_assert_str_eq(row_of(rows, n, staff_b)->key, "staff-b");
    cr_assert_eq(row_of(rows, n, staff_b)->early, 1);
    cr_assert_eq(row_of(rows, n, staff_b)->late, 1);

    /* scope: the town's leader sees the town's; node_id narrows */
    struct actor lt = as(ROLE_LEADER, &town, leader_t);
    cr_assert_eq(stats(&lt, "item", "2026-03-01", "2026-03-05", 0, &rows, &n, &total), 0);
    cr_assert_eq(total.completed, 2);
    cr_assert_eq(n, 1);
    cr_assert_eq(rows[0].key_id, item2);
    cr_assert_eq(stats(&lr, "item", "2026-03-01", "2026-03-05", hA.id, &rows, &n, &total), 0);
    cr_assert_eq(total.completed, 3);
    cr_assert_eq(stats(&lt, "item", "2026-03-01", "2026-03-05", hA.id, &rows, &n, &total),
                 ERR_FORBIDDEN);
    cr_assert_eq(stats(&lr, "item", "2026-03-01", "2026-03-05", 99999, &rows, &n, &total),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");

    /* an empty period */
    cr_assert_eq(stats(&lr, "item", "2025-03-01", "2025-03-05", 0, &rows, &n, &total), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(total.completed, 0);
    cr_assert_float_eq(total.avg_used, 0.0, 1e-9);
}

Test(case_follow, stats_input)
{
    struct actor lr = as(ROLE_LEADER, &r, leader_r);
    struct case_stat_row *rows, total;
    int n;
    cr_assert_eq(stats(&lr, "region", "2026-03-01", "2026-03-05", 0, &rows, &n, &total),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "group");
    cr_assert_eq(stats(&lr, "item", NULL, "2026-03-05", 0, &rows, &n, &total), ERR_INVALID);
    cr_assert_str_eq(e.field, "from");
    cr_assert_eq(stats(&lr, "item", "2026-02-30", "2026-03-05", 0, &rows, &n, &total), ERR_INVALID);
    cr_assert_str_eq(e.field, "from");
    cr_assert_eq(stats(&lr, "item", "2026-03-01", NULL, 0, &rows, &n, &total), ERR_INVALID);
    cr_assert_str_eq(e.field, "to");
    cr_assert_eq(stats(&lr, "item", "2026-03-05", "2026-03-01", 0, &rows, &n, &total), ERR_INVALID);
    cr_assert_str_eq(e.field, "to");
    /* 366 days counted: a leap year; 367 is too many */
    cr_assert_eq(stats(&lr, "item", "2024-01-01", "2024-12-31", 0, &rows, &n, &total), 0);
    cr_assert_eq(stats(&lr, "item", "2024-01-01", "2025-01-01", 0, &rows, &n, &total), ERR_INVALID);
    cr_assert_str_eq(e.field, "to");
}

/* ---- notifications ---- */

Test(case_follow, notifications_own_only)
{
    struct case_row c = {"2026-0302-000021", 1,    "promised", &hA, staff_a, &wA,
                         "in_progress",      NULL, NULL,       0,   5,       0};
    int64_t cid = make_case(&c);
    int64_t n1 = 0, n2 = 0, n3 = 0;
    cr_assert_eq(case_notify(u.db, staff_a, NULL, "case_yellow", cid, 0, "黄灯", now - 60, &n1), 0);
    cr_assert_eq(case_notify(u.db, staff_a, NULL, "handover", 0, 0, "转交", now - 30, &n2), 0);
    cr_assert_eq(case_notify(u.db, staff_b, NULL, "case_red", 0, 0, "红灯", now, &n3), 0);
    cr_assert_eq(case_notify(u.db, 0, "enc", "extension_notice", cid, 0, "短信", now, NULL), 0);
    struct actor sa = as(ROLE_STAFF, &wA, staff_a), sb = as(ROLE_STAFF, &wB, staff_b);
    struct notification_rec *items;
    int n;
    int64_t total, unread;
    cr_assert_eq(notification_list(u.db, &sa, 0, 1, 50, &ar, &items, &n, &total, &unread, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(total, 2);
    cr_assert_eq(unread, 2);
    cr_assert_eq(items[0].id, n2, "newest first");
    cr_assert_eq(items[1].id, n1);
    cr_assert_str_eq(items[1].case_number, "2026-0302-000021");
    cr_assert_null(items[0].case_number);

    memset(&e, 0, sizeof(e));
    cr_assert_eq(notification_read(u.db, &sa, n3, now, &e), ERR_NOTFOUND, "another's");
    cr_assert_eq(notification_read(u.db, &sa, n1, now, &e), 0, "%s", e.msg);
    cr_assert_eq(notification_read(u.db, &sa, n1, now + 100, &e), 0, "reading again is fine");
    struct notification_rec rec;
    cr_assert_eq(notification_get(u.db, &sa, n1, &ar, &rec), 0);
    cr_assert_eq(rec.read_at, now, "read_at is set once");
    cr_assert_eq(notification_get(u.db, &sb, n1, &ar, &rec), ERR_NOTFOUND);

    cr_assert_eq(notification_list(u.db, &sa, 1, 1, 50, &ar, &items, &n, &total, &unread, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(unread, 1);
    cr_assert_eq(items[0].id, n2);
    cr_assert_eq(notification_list(u.db, &sb, 0, 1, 50, &ar, &items, &n, &total, &unread, &e), 0);
    cr_assert_eq(total, 1);
    cr_assert_eq(items[0].id, n3);
    /* the command line has no inbox */
    cr_assert_eq(notification_list(u.db, &sys, 0, 1, 50, &ar, &items, &n, &total, &unread, &e), 0);
    cr_assert_eq(total, 0);
}

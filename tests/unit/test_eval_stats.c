/* test_eval_stats.c - 好差评 metrics and ranking from the rollups
 * (domain/eval_stats.c) and a region's reasons and indicator set versions
 * (domain/eval_config.c), on a migrated temp SQLite database. Rollup rows
 * are written with SQL, as the evaluation writes would leave them.
 *
 * The tree: region r: hall hA (windows a1, a2), unit u: hall hU (window
 * u1); region town under r: hall hT (window t1). A second root r2: hall h2
 * (window x1). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/eval_config.h"
#include "domain/eval_stats.h"
#include "domain/org.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
static struct arena ar;
static struct org_node r, town, unit, hA, a1, a2, hU, u1, hT, t1, r2, h2, x1;
static int64_t item1, item2, set_old, set_new;
static int64_t admin_id, leader_t, staff_a, staff_b, staff_t;

static struct org_node make_node(int64_t parent, const char *kind, const char *code,
                                 const char *name)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, name, NULL, NULL};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t make_item(const char *code, const char *name)
{
    static struct catalog_place place;
    struct catalog_version v;
    int64_t item = 0, ver = 0;
    memset(&v, 0, sizeof(v));
    place.node_id = a1.id;
    v.code = code;
    v.unit_id = hA.id;
    v.name = name;
    v.kind = "immediate";
    v.legal_limit = 1;
    v.legal_unit = "workdays";
    v.promised_limit = 1;
    v.promised_unit = "workdays";
    v.fee_free = 1;
    v.ticket_prefix = "Z";
    v.online = "none";
    v.places = &place;
    v.nplaces = 1;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item, &ver, &e), 0, "%s", e.msg);
    cr_assert_eq(catalog_publish(u.db, &sys, item, &ver, &e), 0, "%s", e.msg);
    return item;
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

/* A stored indicator set of region r with codes at positions 1.. */
static int64_t make_set(int version, int current, const char *const *codes, int n)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO eval_indicator_set (region_id, kind, version, current,"
                            " published_at) VALUES (?1, 'offline', ?2, ?3, ?2) RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, r.id);
    db_bind_int64(st, 2, version);
    db_bind_int64(st, 3, current);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(db_prepare(u.db,
                                "INSERT INTO eval_indicator (set_id, pos, code, name_zh,"
                                " name_en) VALUES (?1, ?2, ?3, ?3, ?3)",
                                &st),
                     0);
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, i + 1);
        db_bind_text(st, 3, codes[i]);
        cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
        db_finalize(st);
    }
    return id;
}

/* One rollup row; counts in the table's order: n1..n5, active, active_good,
 * defaulted, unrated, bad, excluded, bad_replied, bad_rectified,
 * bad_satisfied; dims: dim_n then dim1..dim8. */
struct roll {
    const char *day;
    const struct org_node *window;
    int64_t staff, item;
    const char *channel;
    int64_t set;
    int64_t c[14];
    int64_t d[9];
};

static void put(const struct roll *x)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(
        db_prepare(u.db,
                   "INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id,"
                   " n1, n2, n3, n4, n5, active, active_good, defaulted, unrated, bad, excluded,"
                   " bad_replied, bad_rectified, bad_satisfied, dim_n, dim1, dim2, dim3, dim4,"
                   " dim5, dim6, dim7, dim8) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                   " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
                   " ?26, ?27, ?28, ?29)",
                   &st),
        0, "%s", db_errmsg(u.db));
    db_bind_text(st, 1, x->day);
    db_bind_int64(st, 2, x->window->id);
    db_bind_int64(st, 3, x->staff);
    db_bind_int64(st, 4, x->item);
    db_bind_text(st, 5, x->channel);
    db_bind_int64(st, 6, x->set);
    for (int i = 0; i < 14; i++)
        db_bind_int64(st, 7 + i, x->c[i]);
    for (int i = 0; i < 9; i++)
        db_bind_int64(st, 21 + i, x->d[i]);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
}

/* One eval_month_window row: counts as struct roll's c. */
static void put_month(const char *month, const struct org_node *w, const int64_t c[14])
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO eval_month_window (month, window_id, n1, n2, n3, n4, n5,"
                            " active, active_good, defaulted, unrated, bad, excluded,"
                            " bad_replied, bad_rectified, bad_satisfied) VALUES (?1, ?2, ?3, ?4,"
                            " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                            &st),
                 0);
    db_bind_text(st, 1, month);
    db_bind_int64(st, 2, w->id);
    for (int i = 0; i < 14; i++)
        db_bind_int64(st, 3 + i, c[i]);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
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
    r = make_node(0, "region", "r", "区");
    hA = make_node(r.id, "hall", "hall-a", "区政务服务中心");
    a1 = make_node(hA.id, "window", "a1", "A1窗口");
    a2 = make_node(hA.id, "window", "a2", "A2窗口");
    unit = make_node(r.id, "unit", "tax", "税务局");
    hU = make_node(unit.id, "hall", "hall-u", "办税服务厅");
    u1 = make_node(hU.id, "window", "u1", "U1窗口");
    town = make_node(r.id, "region", "town", "镇");
    hT = make_node(town.id, "hall", "hall-t", "镇便民服务中心");
    t1 = make_node(hT.id, "window", "t1", "T1窗口");
    r2 = make_node(0, "region", "r2", "邻区");
    h2 = make_node(r2.id, "hall", "hall-2", "邻区大厅");
    x1 = make_node(h2.id, "window", "x1", "X1窗口");
    item1 = make_item("ITEM-B", "营业执照");
    item2 = make_item("ITEM-A", "食品经营许可");
    admin_id = make_staff("admin", "管理员", "admin", r.id);
    leader_t = make_staff("leader-t", "镇领导", "leader", town.id);
    staff_a = make_staff("staff-a", "乙甲", "staff", hA.id);
    staff_b = make_staff("staff-b", "甲乙", "staff", hU.id);
    staff_t = make_staff("staff-t", "丙", "staff", hT.id);
    static const char *const old_codes[] = {"speed", "attitude"};
    static const char *const new_codes[] = {"attitude", "level", "speed"};
    set_old = make_set(1, 0, old_codes, 2);
    set_new = make_set(2, 1, new_codes, 3);
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    arena_reset(&ar);
    unit_db_close(&u);
}

TestSuite(eval_stats, .init = init, .fini = fini);

static double rate(const struct eval_counts *c, enum eval_rate_kind k)
{
    struct eval_ratio x[EVAL_RATES];
    eval_counts_rates(c, x);
    double v = -1;
    return eval_ratio_value(x[k], &v) ? v : NAN;
}

static int stats(const struct actor *who, const char *by, const char *from, const char *to,
                 struct eval_stats *out)
{
    struct eval_stats_query q = {0, from, to, by, NULL, 0, 0};
    memset(&e, 0, sizeof(e));
    return eval_stats(u.db, who, &q, &ar, out, &e);
}

/* ---- rates ---- */

Test(eval_stats, rates_as_defined)
{
    /* 10 first evaluations: levels 1,2,2,3,4,4,4,5,5,5 — two defaulted (level 3
     * and one 4), 8 active of which 5 good; 5 unrated; 3 差评, one excluded;
     * 2 counted bad replied, 1 rectified, 1 satisfied */
    struct eval_counts c = {{1, 2, 1, 3, 3}, 8, 5, 2, 5, 2, 1, 2, 1, 1};
    cr_assert_eq(eval_counts_total(&c), 10);
    cr_assert_eq(eval_counts_services(&c), 15);
    cr_assert_float_eq(rate(&c, EVAL_RATE_GOOD), 6.0 / 9.0, 1e-12); /* excluded leaves the base */
    cr_assert_float_eq(rate(&c, EVAL_RATE_ACTIVE_GOOD), 5.0 / 7.0, 1e-12);
    cr_assert_float_eq(rate(&c, EVAL_RATE_UNRATED), 5.0 / 14.0, 1e-12);
    cr_assert_float_eq(rate(&c, EVAL_RATE_BAD_REPLY), 1.0, 1e-12);
    cr_assert_float_eq(rate(&c, EVAL_RATE_RECTIFY), 0.5, 1e-12);
    cr_assert_float_eq(rate(&c, EVAL_RATE_RECTIFY_SATISFACTION), 1.0, 1e-12);
    cr_assert_str_eq(eval_rate_name(EVAL_RATE_RECTIFY_SATISFACTION), "rectify_satisfaction_rate");
}

Test(eval_stats, rates_null_without_base)
{
    struct eval_counts none = {0};
    for (int k = 0; k < EVAL_RATES; k++)
        cr_assert(isnan(rate(&none, (enum eval_rate_kind)k)), "rate %d has no base", k);
    /* only unrated services: 未评率 1, every evaluation rate none */
    struct eval_counts unrated = {.unrated = 4};
    cr_assert_float_eq(rate(&unrated, EVAL_RATE_UNRATED), 1.0, 1e-12);
    cr_assert(isnan(rate(&unrated, EVAL_RATE_GOOD)));
    cr_assert(isnan(rate(&unrated, EVAL_RATE_ACTIVE_GOOD)));
    /* only defaulted ones: 好评率 has a base, 主动评价好评率 none */
    struct eval_counts defaulted = {.n = {0, 0, 3, 0, 0}, .defaulted = 3};
    cr_assert_float_eq(rate(&defaulted, EVAL_RATE_GOOD), 0.0, 1e-12);
    cr_assert(isnan(rate(&defaulted, EVAL_RATE_ACTIVE_GOOD)));
    /* a 差评 excluded by appeal: no bad base, no rectify base */
    struct eval_counts appealed = {.n = {1, 0, 0, 0, 0}, .active = 1, .excluded = 1};
    cr_assert(isnan(rate(&appealed, EVAL_RATE_GOOD)));
    cr_assert(isnan(rate(&appealed, EVAL_RATE_ACTIVE_GOOD)));
    cr_assert(isnan(rate(&appealed, EVAL_RATE_BAD_REPLY)));
    cr_assert(isnan(rate(&appealed, EVAL_RATE_RECTIFY_SATISFACTION)));
    cr_assert(isnan(rate(&appealed, EVAL_RATE_UNRATED)), "the service leaves the base too");
}

/* ---- the data most grouping tests read ---- */

static void seed(void)
{
    /* a1, staff_a, item1, tablet, 2026-03-01: 4 evaluations (5,5,4,1) */
    struct roll rows[] = {
        {"2026-03-01",
         &a1,
         0,
         0,
         "tablet",
         set_new,
         {1, 0, 0, 1, 2, 4, 3, 0, 1, 1, 0, 1, 1, 1},
         {3, 14, 12, 9, 0, 0, 0, 0, 0}},
        /* a1, staff_a, item2, qr, 2026-03-02, the old set: 2 (4, 2) */
        {"2026-03-02",
         &a1,
         0,
         0,
         "qr",
         set_old,
         {0, 1, 0, 1, 0, 2, 1, 0, 0, 1, 0, 0, 0, 0},
         {2, 6, 7, 0, 0, 0, 0, 0, 0}},
        /* a2, staff_b, item1, tablet, 2026-04-05: 1 defaulted level 3, 2 unrated */
        {"2026-04-05",
         &a2,
         0,
         0,
         "tablet",
         0,
         {0, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0},
         {0, 0, 0, 0, 0, 0, 0, 0, 0}},
        /* u1, staff_b, item2, web, 2026-03-01: 3 (5,5,1 excluded) */
        {"2026-03-01",
         &u1,
         0,
         0,
         "web",
         set_new,
         {1, 0, 0, 0, 2, 3, 2, 0, 0, 0, 1, 0, 0, 0},
         {0, 0, 0, 0, 0, 0, 0, 0, 0}},
        /* t1, staff_t, item1, tablet, 2026-03-31: 2 (5, 4) */
        {"2026-03-31",
         &t1,
         0,
         0,
         "tablet",
         set_new,
         {0, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0},
         {1, 5, 4, 5, 0, 0, 0, 0, 0}},
        /* outside the period */
        {"2026-02-28",
         &a1,
         0,
         0,
         "tablet",
         0,
         {0, 0, 0, 0, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0},
         {0, 0, 0, 0, 0, 0, 0, 0, 0}},
        /* another root */
        {"2026-03-01",
         &x1,
         0,
         0,
         "tablet",
         0,
         {0, 0, 0, 0, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0},
         {0, 0, 0, 0, 0, 0, 0, 0, 0}},
    };
    int64_t staff[] = {staff_a, staff_a, staff_b, staff_b, staff_t, staff_a, staff_a};
    int64_t items[] = {item1, item2, item1, item2, item1, item1, item1};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rows[i].staff = staff[i];
        rows[i].item = items[i];
        put(&rows[i]);
    }
}

static const struct eval_stats_row *row_of(const struct eval_stats *s, int64_t key_id,
                                           const char *key)
{
    for (int i = 0; i < s->n; i++)
        if (key ? s->rows[i].key && strcmp(s->rows[i].key, key) == 0 : s->rows[i].key_id == key_id)
            return &s->rows[i];
    cr_assert_fail("no row for key %lld / %s", (long long)key_id, key ? key : "-");
    return NULL;
}

static const struct eval_dim_avg *dim_of(const struct eval_stats_row *row, const char *code)
{
    for (int i = 0; i < row->ndims; i++)
        if (strcmp(row->dims[i].code, code) == 0)
            return &row->dims[i];
    return NULL;
}

Test(eval_stats, by_window_total_and_dims)
{
    seed();
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    cr_assert_eq(stats(&admin, "window", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.by, EVAL_BY_WINDOW);
    cr_assert_eq(s.n, 4, "a1, a2, u1, t1 (not x1 of the other root)");
    /* tree order: hall-a's windows, then the unit's, then the town's (by path) */
    cr_assert_eq(s.rows[0].key_id, a1.id);
    cr_assert_eq(s.rows[1].key_id, a2.id);
    cr_assert_str_eq(s.rows[0].label, "A1窗口");
    cr_assert_str_eq(s.rows[0].code, "a1");
    const struct eval_stats_row *ra1 = row_of(&s, a1.id, NULL);
    cr_assert_eq(eval_counts_total(&ra1->c), 6);
    cr_assert_eq(ra1->c.n[0], 1);
    cr_assert_eq(ra1->c.n[1], 1);
    cr_assert_eq(ra1->c.n[3], 2);
    cr_assert_eq(ra1->c.n[4], 2);
    cr_assert_eq(ra1->c.bad, 2);
    cr_assert_float_eq(rate(&ra1->c, EVAL_RATE_GOOD), 4.0 / 6.0, 1e-12);
    cr_assert_float_eq(rate(&ra1->c, EVAL_RATE_BAD_REPLY), 0.5, 1e-12);
    /* dims: attitude is position 1 of the new set and 2 of the old one */
    const struct eval_dim_avg *att = dim_of(ra1, "attitude");
    cr_assert_not_null(att);
    cr_assert_eq(att->n, 5);
    cr_assert_eq(att->sum, 14 + 7);
    const struct eval_dim_avg *speed = dim_of(ra1, "speed");
    cr_assert_eq(speed->n, 5);
    cr_assert_eq(speed->sum, 9 + 6);
    const struct eval_dim_avg *level = dim_of(ra1, "level");
    cr_assert_eq(level->n, 3);
    cr_assert_eq(level->sum, 12);
    cr_assert_str_eq(ra1->dims[0].code, "attitude", "the newest set's order first");
    /* a2: no evaluation rate base besides the defaulted one, no dims */
    const struct eval_stats_row *ra2 = row_of(&s, a2.id, NULL);
    cr_assert_eq(ra2->ndims, 0);
    cr_assert_eq(eval_counts_services(&ra2->c), 3);
    cr_assert(isnan(rate(&ra2->c, EVAL_RATE_ACTIVE_GOOD)));
    cr_assert_float_eq(rate(&ra2->c, EVAL_RATE_UNRATED), 2.0 / 3.0, 1e-12);
    /* the total: every group, the February and other-root rows left out */
    cr_assert_eq(eval_counts_total(&s.total.c), 6 + 1 + 3 + 2);
    cr_assert_eq(s.total.c.excluded, 1);
    cr_assert_float_eq(rate(&s.total.c, EVAL_RATE_GOOD), 8.0 / 11.0, 1e-12);
    cr_assert_eq(dim_of(&s.total, "attitude")->n, 6);
    /* drill-down: the window and the period */
    cr_assert_eq(ra1->drill.window_id, a1.id);
    cr_assert_str_eq(ra1->drill.from, "2026-03-01");
    cr_assert_str_eq(ra1->drill.to, "2026-04-30");
    cr_assert_eq(ra1->drill.staff_id, 0);
    cr_assert_eq(s.total.drill.window_id, 0);
}

Test(eval_stats, by_hall_unit_region)
{
    seed();
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    cr_assert_eq(stats(&admin, "hall", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.rows[0].key_id, hA.id);
    cr_assert_str_eq(s.rows[0].label, "区政务服务中心");
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 7);
    cr_assert_eq(s.rows[0].drill.node_id, hA.id);

    cr_assert_eq(stats(&admin, "unit", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 2, "the tax unit and the windows under no unit");
    cr_assert_eq(s.rows[0].key_id, unit.id);
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 3);
    cr_assert_eq(s.rows[1].key_id, 0, "no unit comes last");
    cr_assert_str_eq(s.rows[1].label, "");
    cr_assert_eq(eval_counts_total(&s.rows[1].c), 9);

    cr_assert_eq(stats(&admin, "region", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.rows[0].key_id, r.id, "the nearest region: the district");
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 10);
    cr_assert_eq(s.rows[1].key_id, town.id);
    cr_assert_eq(eval_counts_total(&s.rows[1].c), 2);

    /* a hall's figures by region: its region lies above the node queried, so
     * the drill-down keeps the node */
    struct eval_stats_query q = {hA.id, "2026-03-01", "2026-04-30", "region", NULL, 0, 0};
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.rows[0].key_id, r.id);
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 7);
    cr_assert_eq(s.rows[0].drill.node_id, hA.id);
}

Test(eval_stats, by_staff_item_channel_day_month)
{
    seed();
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    cr_assert_eq(stats(&admin, "staff", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 3);
    cr_assert_str_eq(s.rows[0].label, "丙", "by name");
    cr_assert_eq(s.rows[1].key_id, staff_a);
    cr_assert_eq(eval_counts_total(&s.rows[1].c), 6);
    cr_assert_eq(s.rows[2].key_id, staff_b);
    cr_assert_eq(eval_counts_total(&s.rows[2].c), 4);
    cr_assert_eq(s.rows[2].drill.staff_id, staff_b);

    cr_assert_eq(stats(&admin, "item", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.rows[0].key_id, item2, "by code: ITEM-A first");
    cr_assert_str_eq(s.rows[0].code, "ITEM-A");
    cr_assert_str_eq(s.rows[0].label, "食品经营许可");
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 5);
    cr_assert_eq(s.rows[0].drill.item_id, item2);

    cr_assert_eq(stats(&admin, "channel", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 3);
    cr_assert_str_eq(s.rows[0].key, "qr");
    cr_assert_str_eq(s.rows[1].key, "tablet");
    cr_assert_eq(eval_counts_total(&s.rows[1].c), 4 + 1 + 2);
    cr_assert_str_eq(s.rows[2].drill.channel, "web");

    cr_assert_eq(stats(&admin, "day", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 4);
    cr_assert_str_eq(s.rows[0].key, "2026-03-01");
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 7);
    cr_assert_str_eq(s.rows[3].key, "2026-04-05");
    cr_assert_str_eq(s.rows[3].drill.from, "2026-04-05");
    cr_assert_str_eq(s.rows[3].drill.to, "2026-04-05");

    cr_assert_eq(stats(&admin, "month", "2026-03-02", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(s.rows[0].key, "2026-03");
    cr_assert_eq(eval_counts_total(&s.rows[0].c), 2 + 2, "from the 2nd: the 1st's rows out");
    cr_assert_str_eq(s.rows[0].drill.from, "2026-03-02", "the month clipped to the period");
    cr_assert_str_eq(s.rows[0].drill.to, "2026-03-31");
    cr_assert_str_eq(s.rows[1].drill.from, "2026-04-01");
}

Test(eval_stats, filters)
{
    seed();
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    struct eval_stats_query q = {0, "2026-03-01", "2026-04-30", "window", "tablet", item1, 0};
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(eval_counts_total(&s.total.c), 4 + 1 + 2);
    cr_assert_str_eq(s.rows[0].drill.channel, "tablet");
    cr_assert_eq(s.rows[0].drill.item_id, item1);
    q.channel = NULL;
    q.item_id = 0;
    q.staff_id = staff_b;
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(eval_counts_total(&s.total.c), 4);
    cr_assert_eq(s.total.drill.staff_id, staff_b);
}

Test(eval_stats, scope)
{
    seed();
    struct eval_stats s;
    struct actor lt = as(ROLE_LEADER, &town, leader_t);
    cr_assert_eq(stats(&lt, "window", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 1);
    cr_assert_eq(s.rows[0].key_id, t1.id);
    cr_assert_eq(eval_counts_total(&s.total.c), 2);
    struct eval_stats_query q = {hA.id, "2026-03-01", "2026-04-30", "window", NULL, 0, 0};
    cr_assert_eq(eval_stats(u.db, &lt, &q, &ar, &s, &e), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "node_id");
    q.node_id = 999999;
    cr_assert_eq(eval_stats(u.db, &lt, &q, &ar, &s, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");

    /* a staff account: its own figures only */
    struct actor st = as(ROLE_STAFF, &hA, staff_a);
    cr_assert_eq(stats(&st, "window", "2026-03-01", "2026-04-30", &s), 0, "%s", e.msg);
    cr_assert_eq(s.staff_id, staff_a);
    cr_assert_eq(eval_counts_total(&s.total.c), 6);
    cr_assert_eq(s.rows[0].drill.staff_id, staff_a);
    q = (struct eval_stats_query){0, "2026-03-01", "2026-04-30", "window", NULL, 0, staff_b};
    cr_assert_eq(eval_stats(u.db, &st, &q, &ar, &s, &e), ERR_FORBIDDEN);
    q.staff_id = staff_a;
    cr_assert_eq(eval_stats(u.db, &st, &q, &ar, &s, &e), 0, "%s", e.msg);

    struct actor dev = as(ROLE_DEVICE, &a1, 0);
    cr_assert_eq(stats(&dev, "window", "2026-03-01", "2026-04-30", &s), ERR_FORBIDDEN);
}

Test(eval_stats, bad_queries)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    cr_assert_eq(stats(&admin, "windows", "2026-03-01", "2026-03-31", &s), ERR_INVALID);
    cr_assert_str_eq(e.field, "by");
    cr_assert_eq(stats(&admin, NULL, "2026-03-01", "2026-03-31", &s), ERR_INVALID);
    cr_assert_eq(stats(&admin, "day", "2026-3-01", "2026-03-31", &s), ERR_INVALID);
    cr_assert_str_eq(e.field, "from");
    cr_assert_eq(stats(&admin, "day", NULL, "2026-03-31", &s), ERR_INVALID);
    cr_assert_str_eq(e.field, "from");
    cr_assert_eq(stats(&admin, "day", "2026-03-01", "2026-02-30", &s), ERR_INVALID);
    cr_assert_str_eq(e.field, "to");
    cr_assert_eq(stats(&admin, "day", "2026-03-01", "2026-02-28", &s), ERR_INVALID);
    cr_assert_str_eq(e.field, "to");
    cr_assert_eq(stats(&admin, "day", "2025-01-01", "2026-01-01", &s), 0, "366 days: %s", e.msg);
    cr_assert_eq(stats(&admin, "day", "2025-01-01", "2026-01-02", &s), ERR_INVALID, "367 days");
    cr_assert_str_eq(e.field, "to");
    struct eval_stats_query q = {0, "2026-03-01", "2026-03-31", "day", "fax", 0, 0};
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "channel");
    q.channel = "tablet,qr";
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), ERR_INVALID);
    q.channel = "staff_qr";
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), 0, "%s", e.msg);
    q.item_id = 999999;
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "item_id");
    q.item_id = 0;
    q.staff_id = 999999;
    cr_assert_eq(eval_stats(u.db, &admin, &q, &ar, &s, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "staff_id");
}

Test(eval_stats, empty_period)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_stats s;
    cr_assert_eq(stats(&admin, "hall", "2026-03-01", "2026-03-31", &s), 0, "%s", e.msg);
    cr_assert_eq(s.n, 0);
    cr_assert_eq(eval_counts_total(&s.total.c), 0);
    cr_assert(isnan(rate(&s.total.c, EVAL_RATE_GOOD)));
    cr_assert_eq(s.total.ndims, 0);
}

/* ---- ranking ---- */

Test(eval_stats, ranking_order_ties_and_scope)
{
    /* a1: 9 good of 10; a2: 18 of 20, the same rate with more evaluations,
     * ranks first; u1: 1 of 1; t1: only unrated (no rate, last); x1: another
     * root */
    put_month("2026-03", &a1, (int64_t[14]){1, 0, 0, 4, 5, 10, 9, 0, 0, 1, 0, 0, 0, 0});
    put_month("2026-03", &a2, (int64_t[14]){2, 0, 0, 8, 10, 20, 18, 0, 0, 2, 0, 0, 0, 0});
    put_month("2026-03", &u1, (int64_t[14]){0, 0, 0, 0, 1, 1, 1, 0, 3, 0, 0, 0, 0, 0});
    put_month("2026-03", &t1, (int64_t[14]){0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0});
    put_month("2026-03", &x1, (int64_t[14]){0, 0, 0, 0, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0});
    put_month("2026-04", &t1, (int64_t[14]){0, 0, 0, 0, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0});
    struct eval_rank *items = NULL;
    int n = 0;
    cr_assert_eq(eval_ranking(u.db, "2026-03", r.path, 0, &ar, &items, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(items[0].window_id, u1.id);
    cr_assert_eq(items[0].rank, 1);
    cr_assert_eq(items[1].window_id, a2.id, "the same rate: more evaluations first");
    cr_assert_eq(items[1].rank, 2);
    cr_assert_eq(items[2].window_id, a1.id);
    cr_assert_eq(items[2].rank, 3);
    cr_assert_eq(items[3].window_id, t1.id, "no rate: last");
    cr_assert_eq(items[3].rank, 4);
    cr_assert_str_eq(items[1].hall_name, "区政务服务中心");
    cr_assert_eq(items[1].hall_id, hA.id);
    cr_assert_str_eq(items[1].window_name, "A2窗口");
    cr_assert_eq(eval_counts_total(&items[1].c), 20);

    /* equal rate and count share a rank */
    put_month("2026-05", &a1, (int64_t[14]){0, 0, 0, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0});
    put_month("2026-05", &a2, (int64_t[14]){0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0});
    put_month("2026-05", &u1, (int64_t[14]){0, 0, 1, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0});
    cr_assert_eq(eval_ranking(u.db, "2026-05", "", 10, &ar, &items, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(items[0].window_id, a1.id, "ties by window id");
    cr_assert_eq(items[0].rank, 1);
    cr_assert_eq(items[1].rank, 1);
    cr_assert_eq(items[2].rank, 3);

    /* a subtree and a limit */
    cr_assert_eq(eval_ranking(u.db, "2026-03", hA.path, 1, &ar, &items, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].window_id, a2.id);
    cr_assert_eq(eval_ranking(u.db, "2026-03", r2.path, 100, &ar, &items, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].window_id, x1.id);
    cr_assert_eq(eval_ranking(u.db, "2026-06", "", 100, &ar, &items, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(eval_ranking(u.db, "2026-13", "", 100, &ar, &items, &n), ERR_INVALID);
    cr_assert_eq(eval_ranking(u.db, "2026-3", "", 100, &ar, &items, &n), ERR_INVALID);
    cr_assert_eq(eval_month_ok("2026-03"), 0);
    cr_assert_eq(eval_month_ok("2026-03-01"), ERR_INVALID);
}

/* ---- configuration: reasons ---- */

static int64_t count_of(const char *sql)
{
    return unit_db_int(u.db, sql);
}

Test(eval_stats, reasons_crud)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_reason *builtin = NULL;
    int nb = 0;
    cr_assert_eq(eval_reasons(u.db, r.id, 0, &ar, &builtin, &nb), 0);
    cr_assert_gt(nb, 0, "a region with none stored has the built-in list");
    struct eval_reason_rec *list = NULL;
    int n = -1;
    cr_assert_eq(eval_reason_list(u.db, r.id, &ar, &list, &n), 0);
    cr_assert_eq(n, 0);

    struct eval_reason_input in = {r.id, "queue_long", "排队时间长", "Long queue", 5};
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), 0, "%s", e.msg);
    cr_assert_gt(id, 0);
    cr_assert_eq(eval_reason_list(u.db, r.id, &ar, &list, &n), 0);
    cr_assert_eq(n, nb + 1, "the built-in list was stored first");
    struct eval_reason_rec rec;
    cr_assert_eq(eval_reason_get(u.db, id, &ar, &rec), 0);
    cr_assert_str_eq(rec.r.code, "queue_long");
    cr_assert_str_eq(rec.r.label_zh, "排队时间长");
    cr_assert_eq(rec.r.sort, 5);
    cr_assert_eq(rec.r.active, 1);
    cr_assert_eq(rec.region_id, r.id);

    /* a duplicate, and a built-in code */
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    in.code = builtin[0].code;
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_CONFLICT);
    /* the same code in another region is fine */
    struct actor admin2 = as(ROLE_ADMIN, &r2, admin_id);
    in = (struct eval_reason_input){r2.id, "queue_long", "排队", "Queue", 0};
    cr_assert_eq(eval_reason_create(u.db, &admin2, &in, 100, &id, &e), 0, "%s", e.msg);

    /* bad input */
    in = (struct eval_reason_input){r.id, "Queue", "排队", "Queue", 0};
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "code");
    const char *bad_codes[] = {"", "a-b", "a b", "排队", "abcdefghijabcdefghijabcdefghijabc"};
    for (size_t i = 0; i < sizeof(bad_codes) / sizeof(bad_codes[0]); i++) {
        in.code = bad_codes[i];
        cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID, "%s",
                     bad_codes[i]);
    }
    in.code = "abcdefghijabcdefghijabcdefghijab"; /* 32 */
    in.label_zh = "";
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "label_zh");
    in.label_zh =
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一";
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID, "41 chars");
    in.label_zh =
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十";
    in.label_en = "a\nb";
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "label_en");
    in.label_en = "Forty";
    in.sort = EVAL_SORT_MAX + 1;
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "sort");
    in.sort = 0;
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), 0, "40 chars: %s", e.msg);

    /* region and rights */
    in = (struct eval_reason_input){town.id, "x", "甲", "A", 0};
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID, "not a root");
    cr_assert_str_eq(e.field, "region_id");
    in.region_id = hA.id;
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), ERR_INVALID);
    in.region_id = r.id;
    struct actor hall_admin = as(ROLE_ADMIN, &hA, admin_id);
    cr_assert_eq(eval_reason_create(u.db, &hall_admin, &in, 100, &id, &e), ERR_FORBIDDEN);
    struct actor leader = as(ROLE_LEADER, &r, leader_t);
    cr_assert_eq(eval_reason_create(u.db, &leader, &in, 100, &id, &e), ERR_FORBIDDEN);
    cr_assert_eq(eval_reason_create(u.db, &admin2, &in, 100, &id, &e), ERR_FORBIDDEN);
    /* reading: the region's own staff, wherever they sit in it */
    struct actor st = as(ROLE_STAFF, &hT, staff_t);
    cr_assert_eq(eval_config_region(u.db, &st, r.id, 0, &e), 0);
    cr_assert_eq(eval_config_region(u.db, &st, r2.id, 0, &e), ERR_FORBIDDEN);
    cr_assert_eq(eval_config_region(u.db, &st, r.id, 1, &e), ERR_FORBIDDEN);

    /* every write audited */
    cr_assert_geq(count_of("SELECT COUNT(*) FROM audit_log WHERE action = 'eval_reason.create'"),
                  3);
    cr_assert_eq(count_of("SELECT COUNT(*) FROM audit_log WHERE action = 'eval_reason.builtin'"),
                 2);
}

Test(eval_stats, reasons_patch)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_reason_input in = {r.id, "rude", "态度差", "Rude", 1};
    int64_t id = 0;
    cr_assert_eq(eval_reason_create(u.db, &admin, &in, 100, &id, &e), 0, "%s", e.msg);
    struct eval_reason_patch p = {"态度生硬", NULL, 1, 9, 0};
    cr_assert_eq(eval_reason_update(u.db, &admin, id, &p, 200, &e), 0, "%s", e.msg);
    struct eval_reason_rec rec;
    cr_assert_eq(eval_reason_get(u.db, id, &ar, &rec), 0);
    cr_assert_str_eq(rec.r.label_zh, "态度生硬");
    cr_assert_str_eq(rec.r.label_en, "Rude", "unchanged");
    cr_assert_eq(rec.r.sort, 9);
    cr_assert_eq(rec.r.active, 0);
    cr_assert_str_eq(rec.r.code, "rude");
    cr_assert_eq(rec.updated_at, 200);
    p = (struct eval_reason_patch){NULL, NULL, 0, 0, 1};
    cr_assert_eq(eval_reason_update(u.db, &admin, id, &p, 300, &e), 0, "%s", e.msg);
    cr_assert_eq(eval_reason_get(u.db, id, &ar, &rec), 0);
    cr_assert_eq(rec.r.active, 1);
    cr_assert_eq(rec.r.sort, 9);
    p = (struct eval_reason_patch){"", NULL, 0, 0, -1};
    cr_assert_eq(eval_reason_update(u.db, &admin, id, &p, 300, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "label_zh");
    p = (struct eval_reason_patch){NULL, NULL, 0, 0, 2};
    cr_assert_eq(eval_reason_update(u.db, &admin, id, &p, 300, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "active");
    p.active = -1;
    cr_assert_eq(eval_reason_update(u.db, &admin, 999999, &p, 300, &e), ERR_NOTFOUND);
    struct actor admin2 = as(ROLE_ADMIN, &r2, admin_id);
    cr_assert_eq(eval_reason_update(u.db, &admin2, id, &p, 300, &e), ERR_FORBIDDEN);
    cr_assert_eq(count_of("SELECT COUNT(*) FROM audit_log WHERE action = 'eval_reason.update'"), 2);
}

/* ---- configuration: indicator sets ---- */

Test(eval_stats, set_publish_versions)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_set_item_input items[] = {
        {"speed", "服务效率", "Efficiency"},
        {"level", "服务水平", "Competence"},
        {"clean", "廉洁自律", "Integrity"},
    };
    struct eval_set_input in = {r.id, "offline", items, 3};
    int64_t id = 0;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 500, &id, &e), 0, "%s", e.msg);
    struct eval_set_rec rec;
    cr_assert_eq(eval_set_get(u.db, id, &ar, &rec), 0);
    cr_assert_eq(rec.set.version, 3, "after the two stored by init");
    cr_assert_eq(rec.current, 1);
    cr_assert_eq(rec.set.n, 3);
    cr_assert_str_eq(rec.set.items[2].code, "clean");
    cr_assert_eq(rec.set.items[2].pos, 3);
    cr_assert_str_eq(rec.set.kind, "offline");
    cr_assert_eq(rec.published_by, admin_id);
    /* the old versions stay, not current */
    struct eval_set_rec old;
    cr_assert_eq(eval_set_get(u.db, set_new, &ar, &old), 0);
    cr_assert_eq(old.current, 0);
    cr_assert_eq(old.set.n, 3);
    cr_assert_str_eq(old.set.items[0].code, "attitude", "never edited");
    cr_assert_eq(count_of("SELECT COUNT(*) FROM eval_indicator_set WHERE current = 1"), 1);

    /* the other kind has its own versions */
    in.kind = "online";
    in.n = 1;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 600, &id, &e), 0, "%s", e.msg);
    cr_assert_eq(eval_set_get(u.db, id, &ar, &rec), 0);
    cr_assert_eq(rec.set.version, 1);
    cr_assert_eq(count_of("SELECT COUNT(*) FROM eval_indicator_set WHERE current = 1"), 2);

    struct eval_set_rec *list = NULL;
    int n = 0;
    cr_assert_eq(eval_set_list(u.db, r.id, NULL, &ar, &list, &n), 0);
    cr_assert_eq(n, 4);
    cr_assert_eq(list[0].set.id, id, "newest first");
    cr_assert_eq(eval_set_list(u.db, r.id, "offline", &ar, &list, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(list[0].set.version, 3);
    cr_assert_eq(list[2].set.version, 1);
    cr_assert_eq(list[2].set.n, 2);
    cr_assert_eq(eval_set_list(u.db, r2.id, NULL, &ar, &list, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(count_of("SELECT COUNT(*) FROM audit_log WHERE action ="
                          " 'eval_indicator_set.publish'"),
                 2);
}

Test(eval_stats, set_publish_rejects)
{
    struct actor admin = as(ROLE_ADMIN, &r, admin_id);
    struct eval_set_item_input items[9];
    for (int i = 0; i < 9; i++)
        items[i] = (struct eval_set_item_input){"x", "名", "Name"};
    static const char *const codes[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    for (int i = 0; i < 9; i++)
        items[i].code = codes[i];
    struct eval_set_input in = {r.id, "offline", items, 9};
    int64_t id = 0;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID, "9 items");
    cr_assert_str_eq(e.field, "items");
    in.n = 0;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "items");
    in.n = 8;
    in.kind = "phone";
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
    in.kind = "online";
    items[3].code = "b";
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "items[3].code");
    items[3].code = "D";
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "items[3].code");
    items[3].code = "d";
    items[5].name_en = "";
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "items[5].name_en");
    items[5].name_en = "Name";
    struct actor hall_admin = as(ROLE_ADMIN, &hA, admin_id);
    cr_assert_eq(eval_set_publish(u.db, &hall_admin, &in, 1, &id, &e), ERR_FORBIDDEN);
    in.region_id = hA.id;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "region_id");
    cr_assert_eq(count_of("SELECT COUNT(*) FROM eval_indicator_set WHERE kind = 'online'"), 0,
                 "nothing half-written");
    in.region_id = r.id;
    cr_assert_eq(eval_set_publish(u.db, &admin, &in, 1, &id, &e), 0, "8 items: %s", e.msg);
    cr_assert_eq(count_of("SELECT COUNT(*) FROM eval_indicator WHERE set_id IN (SELECT id FROM"
                          " eval_indicator_set WHERE kind = 'online')"),
                 8);
}

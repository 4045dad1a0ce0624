/* test_eval_fraud.c - the fraud sweep and the flags' reads and decisions
 * (domain/eval_fraud.c). Service events and evaluations are written with
 * SQL, as the evaluation module leaves them. Every test runs on SQLite and,
 * when CK_TEST_PG_URL is set, again on PostgreSQL in a fresh schema. */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/eval_fraud.h"
#include "domain/org.h"
#include "unit_db.h"
#include "unit_pgdb.h"

static struct unit_db u;
static int on_pg;
static struct actor sys;
static struct err e;
static struct arena ar;
/* region r: hall h with windows w1, w2; region r2: hall h2 with window w3 */
static struct org_node r, h, w1, w2, r2, h2, w3;
static int64_t s1, s2, s3, sup, sup2, clerk;
static const int64_t T0 = 1773115200; /* 2026-03-10 12:00 Asia/Shanghai */
static int tokens;

static struct org_node make_node(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, code, NULL, NULL};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t make_staff(const char *login, const char *role, int64_t node)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO staff (login, name, role, node_id, password_hash,"
                            " created_at, updated_at) VALUES (?1, ?1, ?2, ?3, 'x', 1, 1)"
                            " RETURNING id",
                            &st),
                 0, "%s", db_errmsg(u.db));
    db_bind_text(st, 1, login);
    db_bind_text(st, 2, role);
    db_bind_int64(st, 3, node);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

/* One evaluation of a new event. */
struct ev_spec {
    const struct org_node *win; /* NULL: w1 */
    int64_t staff;
    int level;
    const char *channel; /* NULL: qr */
    const char *device, *ip;
    int64_t at;
    int64_t after; /* seconds after the service's end */
    int defaulted;
    const char *kind; /* NULL: first */
    const char *name, *phone_mask;
};

static int64_t add_eval(struct ev_spec s)
{
    const struct org_node *win = s.win ? s.win : &w1;
    const struct org_node *hall = win == &w3 ? &h2 : &h;
    const struct org_node *region = win == &w3 ? &r2 : &r;
    char token[32];
    snprintf(token, sizeof(token), "tok%d", ++tokens);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO eval_event (source, node, region_id, hall_id, window_id,"
                            " staff_id, node_path, item_code, item_name, token_hash, state,"
                            " created_at, ended_at, ended_ip) VALUES ('ticket', 'service', ?1, ?2,"
                            " ?3, ?4, ?5, 'IT-1', '营业执照', ?6, 'rated', ?7, ?7, '10.0.0.9')"
                            " RETURNING id",
                            &st),
                 0, "%s", db_errmsg(u.db));
    db_bind_int64(st, 1, region->id);
    db_bind_int64(st, 2, hall->id);
    db_bind_int64(st, 3, win->id);
    if (s.staff)
        db_bind_int64(st, 4, s.staff);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, win->path);
    db_bind_text(st, 6, token);
    db_bind_int64(st, 7, s.at - s.after);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t event = db_col_int64(st, 0);
    db_finalize(st);
    cr_assert_eq(
        db_prepare(u.db,
                   "INSERT INTO evaluation (event_id, kind, level, bad, defaulted, channel,"
                   " device, ip, evaluator_name, phone_mask, region_id, hall_id, window_id,"
                   " staff_id, day, created_at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4,"
                   " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, '2026-03-10', ?15, '',"
                   " ?16) RETURNING id",
                   &st),
        0, "%s", db_errmsg(u.db));
    db_bind_int64(st, 1, event);
    db_bind_text(st, 2, s.kind ? s.kind : "first");
    db_bind_int64(st, 3, s.level ? s.level : 5);
    db_bind_int64(st, 4, s.level && s.level <= 2);
    db_bind_int64(st, 5, s.defaulted);
    db_bind_text(st, 6, s.channel ? s.channel : "qr");
    db_bind_text(st, 7, s.device ? s.device : "");
    db_bind_text(st, 8, s.ip ? s.ip : "");
    db_bind_text(st, 9, s.name ? s.name : "");
    db_bind_text(st, 10, s.phone_mask ? s.phone_mask : "");
    db_bind_int64(st, 11, region->id);
    db_bind_int64(st, 12, hall->id);
    db_bind_int64(st, 13, win->id);
    if (s.staff)
        db_bind_int64(st, 14, s.staff);
    else
        db_bind_null(st, 14);
    db_bind_int64(st, 15, s.at);
    db_bind_text(st, 16, token);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static void set_region(const struct org_node *region, int burst_n, int burst_s, int fast_s,
                       int streak_n)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO eval_setting (region_id, window_days, unrated_mode,"
                            " default_level, followup, case_nodes, burst_n, burst_s, fast_s,"
                            " streak_n, updated_at) VALUES (?1, 7, 'unrated', 3, 1, 'complete',"
                            " ?2, ?3, ?4, ?5, 1)",
                            &st),
                 0, "%s", db_errmsg(u.db));
    db_bind_int64(st, 1, region->id);
    db_bind_int64(st, 2, burst_n);
    db_bind_int64(st, 3, burst_s);
    db_bind_int64(st, 4, fast_s);
    db_bind_int64(st, 5, streak_n);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
}

/* One step in its own transaction, as the writer runs it. */
static int step(int limit, int *flagged)
{
    cr_assert_eq(db_begin(u.db), 0);
    int rc = eval_fraud_sweep(u.db, T0 + 86400, limit, flagged);
    cr_assert_eq(rc < 0 ? db_rollback(u.db) : db_commit(u.db), 0);
    return rc;
}

/* Sweep until caught up, limit evaluations a step; the flags written. */
static int sweep(int limit)
{
    int total = 0, flagged = 0, rc, steps = 0;
    while ((rc = step(limit, &flagged)) == 1) {
        total += flagged;
        cr_assert_lt(++steps, 1000);
    }
    cr_assert_eq(rc, 0, "sweep: %d (%s)", rc, db_errmsg(u.db));
    return total + flagged;
}

static int64_t count_kind(const char *kind)
{
    static const char sql[] = "SELECT COUNT(*) FROM eval_flag WHERE kind = ?1";
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, sql, &st), 0);
    db_bind_text(st, 1, kind);
    cr_assert_eq(db_step(st), DB_ROW);
    int64_t n = db_col_int64(st, 0);
    db_finalize(st);
    return n;
}

static int flagged_as(int64_t eval_id, const char *kind)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM eval_flag WHERE evaluation_id = ?1 AND kind = ?2";
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, sql, &st), 0);
    db_bind_int64(st, 1, eval_id);
    db_bind_text(st, 2, kind);
    cr_assert_eq(db_step(st), DB_ROW);
    int64_t n = db_col_int64(st, 0);
    db_finalize(st);
    return (int)n;
}

/* The flag of an evaluation and kind, read through eval_flags_of. */
static struct eval_flag flag_of(int64_t eval_id, const char *kind)
{
    struct eval_flag *items = NULL;
    int n = 0;
    cr_assert_eq(eval_flags_of(u.db, eval_id, &ar, &items, &n), 0);
    for (int i = 0; i < n; i++)
        if (strcmp(items[i].kind, kind) == 0)
            return items[i];
    cr_assert_fail("evaluation %lld has no %s flag", (long long)eval_id, kind);
    return items[0];
}

static struct actor as(enum role role, const struct org_node *home, int64_t staff_id)
{
    struct actor a;
    unit_actor(&a, role, home->id, home->path, staff_id);
    return a;
}

static void build(void)
{
    actor_system(&sys, "unit");
    r = make_node(0, "region", "r");
    h = make_node(r.id, "hall", "h");
    w1 = make_node(h.id, "window", "w1");
    w2 = make_node(h.id, "window", "w2");
    r2 = make_node(0, "region", "r2");
    h2 = make_node(r2.id, "hall", "h2");
    w3 = make_node(h2.id, "window", "w3");
    s1 = make_staff("s1", "staff", h.id);
    s2 = make_staff("s2", "staff", h.id);
    s3 = make_staff("s3", "staff", h2.id);
    sup = make_staff("sup", "supervisor", r.id);
    sup2 = make_staff("sup2", "supervisor", r2.id);
    clerk = make_staff("clerk", "staff", r.id);
    tokens = 0;
}

static void open_sqlite(void)
{
    on_pg = 0;
    unit_db_open(&u, 1);
    build();
}

static void open_pg(void)
{
    on_pg = 1;
    unit_pgdb_open(&u);
    build();
}

static void done(void)
{
    arena_reset(&ar);
    if (on_pg)
        unit_pgdb_close(&u);
    else
        unit_db_close(&u);
}

TestSuite(fraud, .init = open_sqlite, .fini = done);
TestSuite(fraud_pg, .init = open_pg, .fini = done);

/* Each body runs once per backend. */
#define BOTH(name)                                                                                 \
    static void name(void);                                                                        \
    Test(fraud, name)                                                                              \
    {                                                                                              \
        name();                                                                                    \
    }                                                                                              \
    Test(fraud_pg, name)                                                                           \
    {                                                                                              \
        name();                                                                                    \
    }                                                                                              \
    static void name(void)

BOTH(burst_device_flags_every_evaluation_of_the_burst)
{
    int64_t ids[12];
    /* defaults: 10 within 600 s. Nine within 540 s: nothing */
    for (int i = 0; i < 9; i++)
        ids[i] = add_eval((struct ev_spec){.device = "dev-AAAAAAAAAAAA", .at = T0 + i * 60});
    /* other devices at the same time do not count */
    add_eval((struct ev_spec){.device = "dev-BBBB", .at = T0 + 10});
    cr_assert_eq(sweep(0), 0);
    cr_assert_eq(count_kind("burst_device"), 0);
    /* the tenth within 600 s of the first: all ten */
    ids[9] = add_eval((struct ev_spec){.device = "dev-AAAAAAAAAAAA", .at = T0 + 590});
    /* much later: its own window holds only itself */
    ids[10] = add_eval((struct ev_spec){.device = "dev-AAAAAAAAAAAA", .at = T0 + 4000});
    cr_assert_eq(sweep(0), 10);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(flagged_as(ids[i], "burst_device"), 1, "evaluation %d", i);
    cr_assert_eq(flagged_as(ids[10], "burst_device"), 0);
    cr_assert_eq(count_kind("burst_device"), 10);
    cr_assert_eq(count_kind("burst_ip"), 0);

    struct eval_flag f = flag_of(ids[0], "burst_device");
    cr_assert_str_eq(f.status, "open");
    cr_assert_eq(f.region_id, r.id);
    cr_assert_eq(f.node_id, w1.id);
    cr_assert_str_eq(f.node_name, "w1");
    cr_assert_str_eq(f.node_path, w1.path);
    cr_assert_eq(f.staff_id, 0);
    cr_assert_eq(f.level, 5);
    cr_assert_str_eq(f.channel, "qr");
    cr_assert_str_eq(f.item_name, "营业执照");
    json_t *ev = json_loads(f.evidence, 0, NULL);
    cr_assert_not_null(ev);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "device")), "dev-AAAA…");
    cr_assert_eq(json_integer_value(json_object_get(ev, "count")), 10);
    cr_assert_eq(json_integer_value(json_object_get(ev, "threshold")), 10);
    cr_assert_eq(json_integer_value(json_object_get(ev, "window_s")), 600);
    json_t *list = json_object_get(ev, "evaluations");
    cr_assert_eq(json_array_size(list), 10);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), ids[0]);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 9), "created_at")),
                 T0 + 590);
    json_decref(ev);
    /* a second sweep finds nothing new; the evaluations are all still there */
    cr_assert_eq(sweep(0), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM evaluation"), 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT last_eval_id FROM eval_sweep"),
                 unit_db_int(u.db, "SELECT MAX(id) FROM evaluation"));
}

BOTH(burst_ip_leaves_out_tablets_and_staff_typed_forms)
{
    const char *ip = "203.0.113.7";
    /* a hall's tablets and the counter's hotline/paper entries share the address */
    for (int i = 0; i < 12; i++)
        add_eval((struct ev_spec){.channel = "tablet", .ip = ip, .at = T0 + i});
    for (int i = 0; i < 5; i++)
        add_eval((struct ev_spec){.channel = "hotline", .ip = ip, .at = T0 + 20 + i});
    for (int i = 0; i < 9; i++)
        add_eval((struct ev_spec){.channel = "web", .ip = ip, .at = T0 + 30 + i});
    cr_assert_eq(sweep(0), 0);
    int64_t tenth = add_eval((struct ev_spec){.channel = "window_qr", .ip = ip, .at = T0 + 50});
    cr_assert_eq(sweep(0), 10);
    cr_assert_eq(count_kind("burst_ip"), 10);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM eval_flag f JOIN evaluation e ON"
                                   " e.id = f.evaluation_id WHERE e.channel IN ('tablet',"
                                   " 'hotline')"),
                 0);
    struct eval_flag f = flag_of(tenth, "burst_ip");
    json_t *ev = json_loads(f.evidence, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(ev, "ip")), ip); /* kept whole */
    cr_assert_eq(json_integer_value(json_object_get(ev, "count")), 10);
    json_decref(ev);
}

BOTH(region_thresholds_apply_per_region)
{
    set_region(&r, 3, 60, 20, 1000);
    /* three from one device within a minute in r; the same in r2 (defaults) */
    for (int i = 0; i < 3; i++) {
        add_eval((struct ev_spec){.device = "d-r", .at = T0 + i * 20});
        add_eval((struct ev_spec){.win = &w3, .device = "d-r2", .at = T0 + i * 20});
    }
    cr_assert_eq(sweep(0), 3);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM eval_flag f JOIN evaluation e"
                                   " ON e.id = f.evaluation_id WHERE e.device = 'd-r'"),
                 3);
    /* 61 s apart is outside r's 60 s window */
    add_eval((struct ev_spec){.device = "d-s", .at = T0 + 1000});
    add_eval((struct ev_spec){.device = "d-s", .at = T0 + 1030});
    add_eval((struct ev_spec){.device = "d-s", .at = T0 + 1061});
    cr_assert_eq(sweep(0), 0);
}

BOTH(streak_of_fast_top_marks_for_one_staff_member)
{
    set_region(&r, 1000, 10, 20, 5); /* fast: within 80 s of the end; streak 5 */
    int64_t a[8];
    for (int i = 0; i < 4; i++)
        a[i] = add_eval((struct ev_spec){.staff = s1, .at = T0 + i * 100, .after = 30});
    /* someone else's evaluations, a defaulted one and a 追评 do not break s1's run */
    add_eval((struct ev_spec){.staff = s2, .level = 2, .at = T0 + 450, .after = 10});
    add_eval((struct ev_spec){.staff = s1,
                              .level = 3,
                              .defaulted = 1,
                              .channel = "system",
                              .at = T0 + 460,
                              .after = 9000});
    add_eval((struct ev_spec){
        .staff = s1, .level = 1, .kind = "followup", .at = T0 + 470, .after = 50000});
    cr_assert_eq(sweep(3), 0);
    a[4] = add_eval((struct ev_spec){.staff = s1, .at = T0 + 500, .after = 80});
    cr_assert_eq(sweep(3), 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(flagged_as(a[i], "streak"), 1, "evaluation %d", i);
    struct eval_flag f = flag_of(a[4], "streak");
    cr_assert_eq(f.staff_id, s1);
    cr_assert_str_eq(f.staff_name, "s1");
    json_t *ev = json_loads(f.evidence, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(ev, "count")), 5);
    cr_assert_eq(json_integer_value(json_object_get(ev, "threshold")), 5);
    cr_assert_eq(json_integer_value(json_object_get(ev, "within_s")), 80);
    json_t *list = json_object_get(ev, "evaluations");
    cr_assert_eq(json_array_size(list), 5);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 4), "after_s")), 80);
    json_decref(ev);
    /* the run goes on: each further one is flagged */
    a[5] = add_eval((struct ev_spec){.staff = s1, .at = T0 + 600, .after = 1});
    cr_assert_eq(sweep(3), 1);
    cr_assert_eq(flagged_as(a[5], "streak"), 1);
    /* a slow top mark ends it; four more fast ones do not reach 5 again */
    add_eval((struct ev_spec){.staff = s1, .at = T0 + 700, .after = 81});
    for (int i = 0; i < 4; i++)
        add_eval((struct ev_spec){.staff = s1, .at = T0 + 800 + i, .after = 5});
    cr_assert_eq(sweep(3), 0);
    /* a 4 ends a run too */
    add_eval((struct ev_spec){.staff = s1, .level = 4, .at = T0 + 900, .after = 5});
    for (int i = 0; i < 4; i++)
        add_eval((struct ev_spec){.staff = s1, .at = T0 + 1000 + i, .after = 5});
    cr_assert_eq(sweep(3), 0);
    cr_assert_eq(count_kind("streak"), 6);
    cr_assert_eq(unit_db_int(u.db, "SELECT run FROM eval_streak"), 4);
}

BOTH(bursts_across_batches_are_found)
{
    int64_t ids[10];
    for (int i = 0; i < 10; i++)
        ids[i] = add_eval((struct ev_spec){.device = "dev-batch", .at = T0 + i});
    /* two evaluations a step: the burst spans five steps */
    int flagged = 0;
    cr_assert_eq(step(2, &flagged), 1);
    cr_assert_eq(flagged, 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT last_eval_id FROM eval_sweep"), ids[1]);
    cr_assert_eq(sweep(2), 10);
    cr_assert_eq(count_kind("burst_device"), 10);
    /* caught up: 0, nothing more */
    cr_assert_eq(step(2, &flagged), 0);
    cr_assert_eq(flagged, 0);
}

BOTH(a_hall_behind_one_address_costs_one_flag_per_evaluation)
{
    /* 1,500 QR evaluations through a hall's shared address in ten minutes */
    cr_assert_eq(db_exec(u.db, "BEGIN"), 0);
    for (int i = 0; i < 1500; i++)
        add_eval((struct ev_spec){.ip = "198.51.100.20", .at = T0 + i * 400 / 1000});
    cr_assert_eq(db_exec(u.db, "COMMIT"), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(sweep(0), 1500);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(s, 10.0, "the sweep took %.1f s", s);
    cr_assert_eq(count_kind("burst_ip"), 1500);
    /* the evidence lists the newest 50 */
    struct eval_flag f = flag_of(unit_db_int(u.db, "SELECT MAX(id) FROM evaluation"), "burst_ip");
    json_t *ev = json_loads(f.evidence, 0, NULL);
    cr_assert_eq(json_array_size(json_object_get(ev, "evaluations")), 50);
    json_decref(ev);
}

/* Flags in r (window w1, about s1) and in r2; and one about the supervisor. */
static void some_flags(int64_t *in_r, int64_t *in_r2, int64_t *about_sup)
{
    set_region(&r, 2, 60, 20, 1000);
    set_region(&r2, 2, 60, 20, 1000);
    int64_t e1 = add_eval((struct ev_spec){
        .staff = s1, .device = "x", .at = T0, .name = "张三", .phone_mask = "138****5678"});
    add_eval((struct ev_spec){.staff = s1, .win = &w2, .device = "x", .at = T0 + 1});
    int64_t e3 = add_eval((struct ev_spec){.staff = s3, .win = &w3, .device = "y", .at = T0});
    add_eval((struct ev_spec){.staff = s3, .win = &w3, .device = "y", .at = T0 + 1});
    int64_t e5 = add_eval((struct ev_spec){.staff = sup, .device = "z", .at = T0 + 500});
    add_eval((struct ev_spec){.staff = sup, .device = "z", .at = T0 + 501});
    cr_assert_eq(sweep(0), 6);
    *in_r = flag_of(e1, "burst_device").id;
    *in_r2 = flag_of(e3, "burst_device").id;
    *about_sup = flag_of(e5, "burst_device").id;
}

BOTH(lists_keep_to_the_scope_and_filter)
{
    int64_t in_r, in_r2, about_sup;
    some_flags(&in_r, &in_r2, &about_sup);
    struct actor a = as(ROLE_SUPERVISOR, &r, sup);
    struct eval_flag_filter f = {.page = 1, .per_page = 50};
    struct eval_flag *items = NULL;
    int n = 0;
    int64_t total = 0;
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), 0, "%s", e.msg);
    cr_assert_eq(total, 4);
    cr_assert_eq(n, 4);
    for (int i = 1; i < n; i++)
        cr_assert_gt(items[i - 1].id, items[i].id, "newest first");
    for (int i = 0; i < n; i++)
        cr_assert_eq(items[i].region_id, r.id);
    /* under window w1 only */
    f.node_id = w1.id;
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 3); /* x at w1, z at w1 (twice) */
    f.node_id = w3.id;
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), ERR_FORBIDDEN);
    f.node_id = 999999;
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");
    f.node_id = 0;
    f.kind = "streak";
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    f.kind = "wrong";
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
    f.kind = NULL;
    f.status = "closed";
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "status");
    f.status = "open";
    f.per_page = 3;
    f.page = 2;
    cr_assert_eq(eval_flag_list(u.db, &a, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 4);
    cr_assert_eq(n, 1);
    /* the other region's supervisor sees its own two only */
    struct actor b = as(ROLE_SUPERVISOR, &r2, sup2);
    struct eval_flag_filter all = {.page = 1, .per_page = 50};
    cr_assert_eq(eval_flag_list(u.db, &b, &all, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    struct eval_flag one;
    cr_assert_eq(eval_flag_get(u.db, &b, in_r, &ar, &one), ERR_FORBIDDEN);
    cr_assert_eq(eval_flag_get(u.db, &b, in_r2, &ar, &one), 0);
    cr_assert_eq(eval_flag_get(u.db, &b, 999999, &ar, &one), ERR_NOTFOUND);
}

BOTH(decisions_need_the_role_the_scope_and_a_note_once)
{
    int64_t in_r, in_r2, about_sup;
    some_flags(&in_r, &in_r2, &about_sup);
    struct actor a = as(ROLE_SUPERVISOR, &r, sup);
    struct actor staff = as(ROLE_STAFF, &r, clerk);
    struct actor other = as(ROLE_SUPERVISOR, &r2, sup2);
    int64_t now = T0 + 7200;
    cr_assert_eq(eval_flag_decide(u.db, &staff, in_r, "confirmed", "x", now, &e), ERR_FORBIDDEN);
    cr_assert_eq(eval_flag_decide(u.db, &other, in_r, "confirmed", "x", now, &e), ERR_FORBIDDEN);
    cr_assert_eq(eval_flag_decide(u.db, &a, about_sup, "dismissed", "x", now, &e), ERR_FORBIDDEN);
    cr_assert_str_eq(e.msg, "nobody decides a flag about themselves");
    cr_assert_eq(eval_flag_decide(u.db, &a, in_r, "deleted", "x", now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "status");
    cr_assert_eq(eval_flag_decide(u.db, &a, in_r, "confirmed", "", now, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "note");
    cr_assert_eq(eval_flag_decide(u.db, &a, in_r, "confirmed", NULL, now, &e), ERR_INVALID);
    cr_assert_eq(eval_flag_decide(u.db, &a, 999999, "confirmed", "x", now, &e), ERR_NOTFOUND);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM eval_flag WHERE status <> 'open'"), 0);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(eval_flag_decide(u.db, &a, in_r, "confirmed", "同一设备连续好评，已核实", now, &e),
                 0, "%s", e.msg);
    struct eval_flag f;
    cr_assert_eq(eval_flag_get(u.db, &a, in_r, &ar, &f), 0);
    cr_assert_str_eq(f.status, "confirmed");
    cr_assert_str_eq(f.note, "同一设备连续好评，已核实");
    cr_assert_eq(f.decided_by, sup);
    cr_assert_str_eq(f.decided_by_name, "sup");
    cr_assert_eq(f.decided_at, now);
    cr_assert_eq(eval_flag_decide(u.db, &a, in_r, "dismissed", "again", now, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                   " 'eval_flag.decide'"),
                 1);
    /* a leader and an admin decide too; the evaluation stays */
    struct actor leader = as(ROLE_LEADER, &r2, 0);
    cr_assert_eq(eval_flag_decide(u.db, &leader, in_r2, "dismissed", "误报", now, &e), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM evaluation"), 6);
}

BOTH(a_flags_page_shows_its_evaluations_masked)
{
    int64_t in_r, in_r2, about_sup;
    some_flags(&in_r, &in_r2, &about_sup);
    struct eval_flag f;
    cr_assert_eq(eval_flag_get(u.db, NULL, in_r, &ar, &f), 0);
    struct eval_flag_eval *items = NULL;
    int n = 0;
    cr_assert_eq(eval_flag_evaluations(u.db, &f, &ar, &items, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(items[0].id, f.evaluation_id);
    cr_assert_lt(items[0].id, items[1].id);
    cr_assert_str_eq(items[0].evaluator, "张*");
    cr_assert_str_eq(items[0].phone_mask, "138****5678");
    cr_assert_str_eq(items[0].device, "x");
    cr_assert_str_eq(items[0].window_name, "w1");
    cr_assert_str_eq(items[1].window_name, "w2");
    cr_assert_str_eq(items[0].staff_name, "s1");
    cr_assert_eq(items[0].flags, 1);
    cr_assert_str_eq(items[1].evaluator, "");
}

Test(fraud_mask, device_ids)
{
    char out[40];
    eval_device_mask("abcdefghijkl", out);
    cr_assert_str_eq(out, "abcdefgh…");
    eval_device_mask("abcdefgh", out);
    cr_assert_str_eq(out, "abcdefgh");
    eval_device_mask("tablet:12", out);
    cr_assert_str_eq(out, "tablet:12");
    eval_device_mask("", out);
    cr_assert_str_eq(out, "");
    eval_device_mask(NULL, out);
    cr_assert_str_eq(out, "");
    eval_device_mask("设备一二三四五六七八", out);
    cr_assert_str_eq(out, "设备一二三四五六…");
}

/* test_queue.c - the queue (domain/queue.c, queue_view.c) on a migrated temp
 * SQLite database, on a fixed clock: 2026-03-02 (a Monday) in Asia/Shanghai. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/demo.h"
#include "domain/device.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/staff.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
static struct arena ar;
/* region r: hall h (windows w1, w2, w3) and hall h2 (window x1) */
static struct org_node r, h, w1, w2, w3, h2, x1;
static int64_t sa, sb, sc; /* series A, B, C of hall h */

/* local time in Shanghai on day 2026-03-02 + day */
static int64_t at(int day, int hh, int mm, int ss)
{
    int64_t d = (int64_t)date_from_civil(2026, 3, 2) + day;
    return d * 86400 + hh * 3600 + mm * 60 + ss - QUEUE_TZ_OFFSET_S;
}

static struct org_node make_node(int64_t parent, const char *kind, const char *code,
                                 const char *name)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, name, NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t make_series(int64_t hall, const char *prefix, const char *name)
{
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    int rc = queue_series_create(u.db, &sys, hall, prefix, name, NULL, 0, at(0, 8, 0, 0), &id, &e);
    cr_assert_eq(rc, 0, "series %s: %d %s", prefix, rc, e.msg);
    return id;
}

static void profile(const struct org_node *w, enum queue_mode mode, const int64_t *ids, int n)
{
    memset(&e, 0, sizeof(e));
    int rc = queue_profile_set(u.db, &sys, w->id, mode, ids, n, at(0, 8, 0, 0), &e);
    cr_assert_eq(rc, 0, "profile: %d %s %s", rc, e.field, e.msg);
}

static void open_window(const struct org_node *w)
{
    memset(&e, 0, sizeof(e));
    cr_assert_eq(queue_window_open(u.db, &sys, w->id, at(0, 8, 30, 0), &e), 0, "%s", e.msg);
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    r = make_node(0, "region", "r", "区");
    h = make_node(r.id, "hall", "hall-h", "政务服务中心");
    w1 = make_node(h.id, "window", "w1", "1号窗口");
    w2 = make_node(h.id, "window", "w2", "2号窗口");
    w3 = make_node(h.id, "window", "w3", "3号窗口");
    h2 = make_node(r.id, "hall", "hall-h2", "便民服务中心");
    x1 = make_node(h2.id, "window", "x1", "1号窗口");
    sa = make_series(h.id, "A", "综合");
    sb = make_series(h.id, "B", "社保");
    sc = make_series(h.id, "C", "不动产");
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    arena_reset(&ar);
    unit_db_close(&u);
}

TestSuite(queue, .init = init, .fini = fini);

/* ---- helpers ---- */

static int try_issue(const struct actor *who, int64_t hall, int64_t series, const char *item,
                     enum queue_priority p, int64_t now, struct queue_ticket *out)
{
    struct queue_issue_input in = {hall, item, series, p, QUEUE_CH_STAFF, NULL, NULL};
    if (who->role == ROLE_DEVICE)
        in.channel = QUEUE_CH_KIOSK;
    memset(&e, 0, sizeof(e));
    return queue_issue(u.db, who, &in, now, out, &e);
}

static struct queue_ticket issue(int64_t series, enum queue_priority p, int64_t now)
{
    struct queue_ticket t;
    int rc = try_issue(&sys, h.id, series, NULL, p, now, &t);
    cr_assert_eq(rc, 0, "issue: %d %s %s", rc, e.field, e.msg);
    return t;
}

static struct queue_ticket call_next(const struct org_node *w, int64_t now)
{
    struct queue_ticket t;
    memset(&e, 0, sizeof(e));
    int rc = queue_call_next(u.db, &sys, w->id, now, &t, &e);
    cr_assert_eq(rc, 0, "call next at %s: %d %s %s", w->code, rc, e.field, e.msg);
    return t;
}

static int act(int64_t id, enum queue_action a, int64_t now, struct queue_ticket *out)
{
    struct queue_ticket tmp;
    memset(&e, 0, sizeof(e));
    return queue_act(u.db, &sys, id, a, now, out ? out : &tmp, &e);
}

static void must_act(int64_t id, enum queue_action a, int64_t now)
{
    int rc = act(id, a, now, NULL);
    cr_assert_eq(rc, 0, "act %d on %lld: %d %s %s", (int)a, (long long)id, rc, e.field, e.msg);
}

static struct queue_ticket get(int64_t id, int64_t now)
{
    struct queue_ticket t;
    cr_assert_eq(queue_ticket_get(u.db, id, now, &t), 0);
    return t;
}

/* serve a called ticket for `secs` and finish it */
static void serve(int64_t id, int64_t start, int secs)
{
    must_act(id, QUEUE_DO_START, start);
    must_act(id, QUEUE_DO_FINISH, start + secs);
}

static int64_t make_staff(const char *login, const char *role, int64_t node)
{
    struct staff s;
    struct staff_input in = {login, "王芳", role, "QD001", "综合受理岗", 0, node, "hash"};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(staff_create(u.db, &sys, &in, &s, &e), 0, "%s", e.msg);
    return s.id;
}

/* ---- day, names ---- */

Test(queue, service_day_is_the_shanghai_date)
{
    char d[DATE_TEXT];
    queue_service_day(at(0, 0, 0, 0), d);
    cr_assert_str_eq(d, "2026-03-02");
    queue_service_day(at(0, 23, 59, 59), d);
    cr_assert_str_eq(d, "2026-03-02");
    queue_service_day(at(1, 0, 0, 0), d);
    cr_assert_str_eq(d, "2026-03-03");
    /* 07:59 local is still the previous UTC day */
    queue_service_day(at(0, 7, 59, 0), d);
    cr_assert_str_eq(d, "2026-03-02");
}

Test(queue, names_are_masked_after_the_first_character)
{
    char out[4 + QUEUE_NAME_MAX + 1];
    cr_assert_eq(queue_mask_name("张三", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "张*");
    cr_assert_eq(queue_mask_name("欧阳娜娜", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "欧***");
    cr_assert_eq(queue_mask_name("李", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "李");
    cr_assert_eq(queue_mask_name("Li Ming", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "L******");
    cr_assert_eq(queue_mask_name("", out, sizeof(out)), ERR_INVALID);
    cr_assert_eq(queue_mask_name("a\nb", out, sizeof(out)), ERR_INVALID);
    char longname[3 * (QUEUE_NAME_MAX + 1) + 1] = "";
    for (int i = 0; i <= QUEUE_NAME_MAX; i++)
        strcat(longname, "王");
    cr_assert_eq(queue_mask_name(longname, out, sizeof(out)), ERR_INVALID);

    struct queue_ticket t;
    struct queue_issue_input in = {h.id, NULL, sa, QUEUE_NORMAL, QUEUE_CH_STAFF, "张三丰", NULL};
    cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, 0, 0), &t, &e), 0, "%s", e.msg);
    cr_assert_str_eq(t.display_name, "张**");
    /* the full name is nowhere in the database */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE display_name LIKE '%三%'"),
                 0);
}

Test(queue, phone_is_kept_only_as_a_hash)
{
    struct queue_ticket t;
    char hash[CRYPTO_SHA256_HEX];
    struct queue_issue_input in = {
        h.id, NULL, sa, QUEUE_NORMAL, QUEUE_CH_STAFF, NULL, "+8613800138000"};
    cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, 0, 0), &t, &e), 0, "%s", e.msg);
    crypto_sha256_hex("8613800138000", 13, hash);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, "SELECT phone_hash FROM ticket WHERE id = ?1", &st), 0);
    db_bind_int64(st, 1, t.id);
    cr_assert_eq(db_step(st), DB_ROW);
    cr_assert_str_eq(db_col_text(st, 0), hash);
    db_finalize(st);
    in.phone = "138-0013";
    cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, 0, 0), &t, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "phone");
}

/* ---- numbering ---- */

Test(queue, numbers_per_series_and_service_day)
{
    struct queue_ticket a1 = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    struct queue_ticket a2 = issue(sa, QUEUE_NORMAL, at(0, 9, 1, 0));
    struct queue_ticket b1 = issue(sb, QUEUE_NORMAL, at(0, 9, 2, 0));
    struct queue_ticket a3 = issue(sa, QUEUE_NORMAL, at(0, 23, 59, 59));
    cr_assert_str_eq(a1.code, "A001");
    cr_assert_str_eq(a2.code, "A002");
    cr_assert_str_eq(b1.code, "B001");
    cr_assert_str_eq(a3.code, "A003");
    cr_assert_str_eq(a1.service_day, "2026-03-02");
    cr_assert_eq(a1.position, 1);
    cr_assert_eq(a3.position, 3);
    /* local midnight starts a new day: numbering starts again */
    struct queue_ticket n1 = issue(sa, QUEUE_NORMAL, at(1, 0, 0, 0));
    struct queue_ticket n2 = issue(sb, QUEUE_NORMAL, at(1, 8, 0, 0));
    cr_assert_str_eq(n1.code, "A001");
    cr_assert_str_eq(n1.service_day, "2026-03-03");
    cr_assert_str_eq(n2.code, "B001");
    cr_assert_eq(n1.position, 1, "yesterday's tickets are not in today's line");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM ticket WHERE code = 'A001'"), 2);
    /* yesterday's waiting tickets are not called today */
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    struct queue_ticket c = call_next(&w1, at(1, 9, 0, 0));
    cr_assert_eq(c.id, n1.id);
    must_act(c.id, QUEUE_DO_START, at(1, 9, 1, 0));
    must_act(c.id, QUEUE_DO_FINISH, at(1, 9, 2, 0));
    struct queue_ticket t;
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(1, 9, 3, 0), &t, &e), ERR_NOTFOUND);
    cr_assert_str_eq(e.field, "queue");
    cr_assert_eq(get(a2.id, at(1, 9, 3, 0)).status, QUEUE_WAITING);
    cr_assert_eq(get(a2.id, at(1, 9, 3, 0)).position, 0, "a past day's ticket has no place");
}

Test(queue, tickets_by_item_code)
{
    /* an item served at the hall, prefix Q, no series yet: one is made */
    static struct catalog_place place;
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    place.node_id = w2.id;
    v.code = "ITEM-1";
    v.unit_id = h.id;
    v.name = "居民身份证换领";
    v.kind = "promised";
    v.legal_limit = 20;
    v.legal_unit = "workdays";
    v.promised_limit = 5;
    v.promised_unit = "workdays";
    v.fee_free = 1;
    v.ticket_prefix = "Q";
    v.online = "none";
    v.places = &place;
    v.nplaces = 1;
    int64_t item = 0, ver = 0;
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item, &ver, &e), 0, "%s", e.msg);
    struct queue_ticket t;
    /* a draft is nobody's item yet */
    cr_assert_eq(try_issue(&sys, h.id, 0, "ITEM-1", QUEUE_NORMAL, at(0, 9, 0, 0), &t), ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
    cr_assert_eq(catalog_publish(u.db, &sys, item, &ver, &e), 0, "%s", e.msg);
    cr_assert_eq(try_issue(&sys, h.id, 0, "ITEM-1", QUEUE_NORMAL, at(0, 9, 0, 0), &t), 0, "%s",
                 e.msg);
    cr_assert_str_eq(t.code, "Q001");
    cr_assert_str_eq(t.item_code, "ITEM-1");
    cr_assert_str_eq(t.item_name, "居民身份证换领");
    cr_assert_eq(t.version_id, ver);
    /* not served at hall h2 */
    cr_assert_eq(try_issue(&sys, h2.id, 0, "ITEM-1", QUEUE_NORMAL, at(0, 9, 0, 0), &t),
                 ERR_INVALID);
    /* mapped to series B, it goes there; a series_id that disagrees is refused */
    struct queue_series_patch p = {NULL, -1, 1, (const char *const[]){"ITEM-1"}, 1};
    cr_assert_eq(queue_series_update(u.db, &sys, sb, &p, at(0, 9, 0, 0), &e), 0, "%s", e.msg);
    cr_assert_eq(try_issue(&sys, h.id, 0, "ITEM-1", QUEUE_NORMAL, at(0, 9, 1, 0), &t), 0);
    cr_assert_str_eq(t.code, "B001");
    cr_assert_eq(try_issue(&sys, h.id, sa, "ITEM-1", QUEUE_NORMAL, at(0, 9, 1, 0), &t),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "series_id");
    /* the item is in one series per hall */
    cr_assert_eq(queue_series_update(u.db, &sys, sc, &p, at(0, 9, 0, 0), &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "item_codes[0]");
    int64_t id = 0;
    cr_assert_eq(queue_series_create(u.db, &sys, h.id, "A", "重复", NULL, 0, 0, &id, &e),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "prefix");
    cr_assert_eq(queue_series_create(u.db, &sys, h.id, "a1", "坏", NULL, 0, 0, &id, &e),
                 ERR_INVALID);
    const char *unknown[] = {"NO-SUCH"};
    cr_assert_eq(queue_series_create(u.db, &sys, h.id, "K", "新", unknown, 1, 0, &id, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "item_codes[0]");
    /* a closed series gives no tickets */
    struct queue_series_patch off = {NULL, 0, 0, NULL, 0};
    cr_assert_eq(queue_series_update(u.db, &sys, sc, &off, 0, &e), 0);
    cr_assert_eq(try_issue(&sys, h.id, sc, NULL, QUEUE_NORMAL, at(0, 9, 1, 0), &t), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "series_id");
    /* nor does a series of another hall */
    int64_t other = make_series(h2.id, "A", "综合");
    cr_assert_eq(try_issue(&sys, h.id, other, NULL, QUEUE_NORMAL, at(0, 9, 1, 0), &t), ERR_INVALID);
}

/* ---- order ---- */

Test(queue, priority_classes_then_issue_time)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    struct queue_ticket n1 = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    struct queue_ticket ag = issue(sa, QUEUE_AGENT, at(0, 9, 1, 0));
    struct queue_ticket gr = issue(sa, QUEUE_GREEN, at(0, 9, 2, 0));
    struct queue_ticket n2 = issue(sa, QUEUE_NORMAL, at(0, 9, 3, 0));
    struct queue_ticket g2 = issue(sa, QUEUE_GREEN, at(0, 9, 4, 0));
    /* an appointment check-in (the appointment module's call) */
    struct queue_ticket ap;
    struct queue_issue_input in = {h.id, NULL, sa, QUEUE_APPOINTMENT, QUEUE_CH_APPOINTMENT,
                                   NULL, NULL};
    cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, 5, 0), &ap, &e), 0, "%s", e.msg);
    cr_assert_eq(ap.channel, QUEUE_CH_APPOINTMENT);
    cr_assert_eq(get(gr.id, at(0, 9, 6, 0)).position, 1);
    cr_assert_eq(get(g2.id, at(0, 9, 6, 0)).position, 2);
    cr_assert_eq(get(ap.id, at(0, 9, 6, 0)).position, 3);
    cr_assert_eq(get(n2.id, at(0, 9, 6, 0)).position, 6);
    int64_t want[] = {gr.id, g2.id, ap.id, ag.id, n1.id, n2.id};
    for (int i = 0; i < 6; i++) {
        struct queue_ticket c = call_next(&w1, at(0, 10, i, 0));
        cr_assert_eq(c.id, want[i], "call %d got %s", i, c.code);
        serve(c.id, at(0, 10, i, 10), 20);
    }
    /* the appointment class comes only with a check-in */
    in.channel = QUEUE_CH_KIOSK;
    cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, 5, 0), &ap, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "priority");
}

Test(queue, strict_priority_follows_the_profile_order)
{
    struct queue_ticket a1 = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    struct queue_ticket b1 = issue(sb, QUEUE_NORMAL, at(0, 9, 5, 0));
    struct queue_ticket a2 = issue(sa, QUEUE_NORMAL, at(0, 9, 6, 0));
    struct queue_ticket c1 = issue(sc, QUEUE_NORMAL, at(0, 9, 7, 0));
    int64_t strict[] = {sb, sa};
    int64_t longest[] = {sb, sa};
    profile(&w1, QUEUE_STRICT_PRIORITY, strict, 2);
    profile(&w2, QUEUE_LONGEST_WAIT, longest, 2);
    open_window(&w1);
    open_window(&w2);
    /* strict: B before A whatever the times */
    struct queue_ticket c = call_next(&w1, at(0, 10, 0, 0));
    cr_assert_eq(c.id, b1.id);
    /* longest wait: the earliest of A and B */
    struct queue_ticket d = call_next(&w2, at(0, 10, 0, 1));
    cr_assert_eq(d.id, a1.id);
    serve(c.id, at(0, 10, 1, 0), 60);
    c = call_next(&w1, at(0, 10, 5, 0));
    cr_assert_eq(c.id, a2.id);
    serve(c.id, at(0, 10, 6, 0), 60);
    /* C is not in either profile */
    struct queue_ticket none;
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(0, 10, 9, 0), &none, &e), ERR_NOTFOUND);
    cr_assert_eq(get(c1.id, at(0, 10, 9, 0)).status, QUEUE_WAITING);
    /* a green ticket of the second series still comes first under strict */
    struct queue_ticket g = issue(sa, QUEUE_GREEN, at(0, 11, 0, 0));
    issue(sb, QUEUE_NORMAL, at(0, 10, 59, 0));
    c = call_next(&w1, at(0, 11, 1, 0));
    cr_assert_eq(c.id, g.id);
    /* a profile names series of its own hall, once each */
    int64_t bad[] = {sa, sa};
    cr_assert_eq(queue_profile_set(u.db, &sys, w3.id, QUEUE_LONGEST_WAIT, bad, 2, 0, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "series_ids[1]");
    int64_t other[] = {make_series(h2.id, "Z", "别处")};
    cr_assert_eq(queue_profile_set(u.db, &sys, w3.id, QUEUE_LONGEST_WAIT, other, 1, 0, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "series_ids[0]");
}

/* ---- the state machine ---- */

static void expect_state_conflict(int64_t id, enum queue_action a, int64_t now)
{
    int rc = act(id, a, now, NULL);
    cr_assert_eq(rc, ERR_CONFLICT, "action %d: rc %d (%s)", (int)a, rc, e.msg);
    cr_assert_str_eq(e.field, "status", "action %d: field %s (%s)", (int)a, e.field, e.msg);
    cr_assert(strstr(e.msg, " is "), "the message names the state: %s", e.msg);
}

Test(queue, every_action_and_the_wrong_states)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    profile(&w2, QUEUE_LONGEST_WAIT, ids, 1);
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0)), x;
    /* waiting: nothing but a call or a withdrawal */
    for (int a = QUEUE_DO_RECALL; a <= QUEUE_DO_RESUME; a++)
        expect_state_conflict(t.id, (enum queue_action)a, at(0, 9, 1, 0));
    /* a closed window calls nobody */
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(0, 9, 1, 0), &x, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert(strstr(e.msg, "closed"), "%s", e.msg);
    open_window(&w1);
    open_window(&w2);
    t = call_next(&w1, at(0, 9, 2, 0));
    cr_assert_eq(t.status, QUEUE_CALLED);
    cr_assert_eq(t.window_id, w1.id);
    cr_assert_eq(t.called_at, at(0, 9, 2, 0));
    /* the window holds it: no second call there */
    issue(sa, QUEUE_NORMAL, at(0, 9, 2, 30));
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(0, 9, 3, 0), &x, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert(strstr(e.msg, "A001"), "%s", e.msg);
    expect_state_conflict(t.id, QUEUE_DO_FINISH, at(0, 9, 3, 0));
    expect_state_conflict(t.id, QUEUE_DO_PARK, at(0, 9, 3, 0));
    expect_state_conflict(t.id, QUEUE_DO_RESUME, at(0, 9, 3, 0));
    /* recall, start, park, resume, finish */
    cr_assert_eq(act(t.id, QUEUE_DO_RECALL, at(0, 9, 4, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.recalls, 1);
    cr_assert_eq(x.called_at, at(0, 9, 4, 0), "called_at is the latest call");
    cr_assert_eq(act(t.id, QUEUE_DO_START, at(0, 9, 5, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.status, QUEUE_SERVING);
    cr_assert_eq(x.started_at, at(0, 9, 5, 0));
    expect_state_conflict(t.id, QUEUE_DO_START, at(0, 9, 6, 0));
    expect_state_conflict(t.id, QUEUE_DO_RECALL, at(0, 9, 6, 0));
    expect_state_conflict(t.id, QUEUE_DO_NO_SHOW, at(0, 9, 6, 0));
    cr_assert_eq(act(t.id, QUEUE_DO_PARK, at(0, 9, 10, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.status, QUEUE_PARKED);
    /* a parked ticket frees the window */
    struct queue_ticket other = call_next(&w1, at(0, 9, 11, 0));
    cr_assert_str_eq(other.code, "A002");
    /* resume needs the window free again */
    cr_assert_eq(act(t.id, QUEUE_DO_RESUME, at(0, 9, 12, 0), NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    serve(other.id, at(0, 9, 12, 0), 60);
    cr_assert_eq(act(t.id, QUEUE_DO_RESUME, at(0, 9, 14, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.status, QUEUE_SERVING);
    cr_assert_eq(act(t.id, QUEUE_DO_FINISH, at(0, 9, 20, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.status, QUEUE_DONE);
    cr_assert_eq(x.finished_at, at(0, 9, 20, 0));
    for (int a = QUEUE_DO_RECALL; a <= QUEUE_DO_RESUME; a++)
        expect_state_conflict(t.id, (enum queue_action)a, at(0, 9, 21, 0));
    cr_assert_eq(queue_transfer(u.db, &sys, t.id, sb, 0, 0, at(0, 9, 21, 0), &x, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert_eq(queue_withdraw(u.db, &sys, t.id, NULL, at(0, 9, 21, 0), &x, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    /* the window is free: nobody waits */
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(0, 9, 22, 0), &x, &e), ERR_NOTFOUND);
    /* the whole story is on the timeline */
    struct queue_event *ev;
    int n = 0;
    cr_assert_eq(queue_timeline(u.db, t.id, &ar, &ev, &n), 0);
    const char *want[] = {"issued", "called",  "recalled", "started",
                          "parked", "resumed", "finished"};
    cr_assert_eq(n, 7);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(ev[i].type, want[i]);
    cr_assert_eq(ev[1].window_id, w1.id);
    cr_assert_str_eq(ev[2].detail, "{\"recalls\":1}");
    /* the window can close now, and then calls nobody */
    cr_assert_eq(queue_window_close(u.db, &sys, w1.id, at(0, 9, 30, 0), &e), 0, "%s", e.msg);
    struct queue_window w;
    cr_assert_eq(queue_window_get(u.db, w1.id, at(0, 9, 30, 0), &w), 0);
    cr_assert_eq(w.status, QUEUE_WINDOW_CLOSED);
    cr_assert_eq(w.has_current, 0);
}

Test(queue, call_by_code_withdraw_and_close)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    open_window(&w2);
    struct queue_ticket a1 = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    struct queue_ticket a2 = issue(sa, QUEUE_NORMAL, at(0, 9, 1, 0));
    struct queue_ticket b1 = issue(sb, QUEUE_NORMAL, at(0, 9, 2, 0)), x;
    /* w2 serves no series but may call a number */
    cr_assert_eq(queue_call_code(u.db, &sys, w2.id, "A002", at(0, 9, 3, 0), &x, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(x.id, a2.id);
    cr_assert_eq(queue_call_code(u.db, &sys, w1.id, "A002", at(0, 9, 3, 0), &x, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert(strstr(e.msg, "called"), "%s", e.msg);
    cr_assert_eq(queue_call_code(u.db, &sys, w1.id, "A999", at(0, 9, 3, 0), &x, &e), ERR_NOTFOUND);
    cr_assert_str_eq(e.field, "code");
    /* a parked ticket may be called by number (at another window too) */
    must_act(a2.id, QUEUE_DO_START, at(0, 9, 4, 0));
    must_act(a2.id, QUEUE_DO_PARK, at(0, 9, 5, 0));
    cr_assert_eq(queue_call_code(u.db, &sys, w1.id, "A002", at(0, 9, 6, 0), &x, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(x.window_id, w1.id);
    cr_assert_eq(x.status, QUEUE_CALLED);
    /* withdraw a waiting ticket and a called one (which frees its window) */
    cr_assert_eq(queue_withdraw(u.db, &sys, b1.id, "材料不全", at(0, 9, 7, 0), &x, &e), 0);
    cr_assert_eq(x.status, QUEUE_WITHDRAWN);
    cr_assert_eq(queue_window_close(u.db, &sys, w1.id, at(0, 9, 7, 0), &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "status");
    cr_assert_eq(queue_withdraw(u.db, &sys, a2.id, NULL, at(0, 9, 8, 0), &x, &e), 0);
    cr_assert_eq(queue_window_close(u.db, &sys, w1.id, at(0, 9, 9, 0), &e), 0, "%s", e.msg);
    cr_assert_eq(queue_withdraw(u.db, &sys, a1.id, "x\x01", at(0, 9, 9, 0), &x, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "reason");
    struct queue_event *ev;
    int n = 0;
    cr_assert_eq(queue_timeline(u.db, b1.id, &ar, &ev, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(ev[1].type, "withdrawn");
    cr_assert(strstr(ev[1].detail, "材料不全"));
}

Test(queue, recall_limit_then_no_show)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0)), x;
    call_next(&w1, at(0, 9, 1, 0));
    /* not before the recalls are used */
    cr_assert_eq(act(t.id, QUEUE_DO_NO_SHOW, at(0, 9, 2, 0), NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "recalls");
    must_act(t.id, QUEUE_DO_RECALL, at(0, 9, 2, 0));
    must_act(t.id, QUEUE_DO_RECALL, at(0, 9, 3, 0));
    cr_assert_eq(act(t.id, QUEUE_DO_RECALL, at(0, 9, 4, 0), NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "recalls");
    cr_assert_eq(get(t.id, at(0, 9, 4, 0)).recalls, QUEUE_RECALL_LIMIT_DEFAULT);
    cr_assert_eq(act(t.id, QUEUE_DO_NO_SHOW, at(0, 9, 5, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.status, QUEUE_NO_SHOW);
    /* a hall that wants no recalls */
    cr_assert_eq(queue_set_recall_limit(u.db, &sys, h.id, 0, at(0, 9, 6, 0), &e), 0);
    int limit = -1;
    cr_assert_eq(queue_recall_limit(u.db, h.id, &limit), 0);
    cr_assert_eq(limit, 0);
    t = issue(sa, QUEUE_NORMAL, at(0, 9, 6, 0));
    call_next(&w1, at(0, 9, 7, 0));
    cr_assert_eq(act(t.id, QUEUE_DO_RECALL, at(0, 9, 8, 0), NULL), ERR_CONFLICT);
    cr_assert_eq(act(t.id, QUEUE_DO_NO_SHOW, at(0, 9, 8, 0), NULL), 0, "%s", e.msg);
    cr_assert_eq(queue_set_recall_limit(u.db, &sys, h.id, 10, 0, &e), ERR_INVALID);
    struct actor staff;
    unit_actor(&staff, ROLE_STAFF, h.id, h.path, make_staff("s1", "staff", h.id));
    cr_assert_eq(queue_set_recall_limit(u.db, &staff, h.id, 1, 0, &e), ERR_FORBIDDEN);
}

Test(queue, transfer_keeps_the_issue_time)
{
    int64_t only_a[] = {sa}, only_b[] = {sb};
    profile(&w1, QUEUE_LONGEST_WAIT, only_a, 1);
    profile(&w2, QUEUE_LONGEST_WAIT, only_b, 1);
    profile(&w3, QUEUE_LONGEST_WAIT, only_b, 1);
    open_window(&w1);
    open_window(&w2);
    open_window(&w3);
    struct queue_ticket a1 = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    struct queue_ticket b1 = issue(sb, QUEUE_NORMAL, at(0, 9, 5, 0));
    struct queue_ticket b2 = issue(sb, QUEUE_NORMAL, at(0, 9, 6, 0)), x;
    call_next(&w1, at(0, 9, 10, 0));
    must_act(a1.id, QUEUE_DO_START, at(0, 9, 11, 0));
    /* to series B: ahead of B001, which was issued later */
    cr_assert_eq(queue_transfer(u.db, &sys, a1.id, sb, 0, 0, at(0, 9, 15, 0), &x, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(x.status, QUEUE_WAITING);
    cr_assert_str_eq(x.code, "A001", "the code stays");
    cr_assert_eq(x.series_id, sb);
    cr_assert_str_eq(x.series_prefix, "B");
    cr_assert_eq(x.issued_at, at(0, 9, 0, 0));
    cr_assert_eq(x.position, 1);
    cr_assert_eq(x.service_s, 240, "the first service counted");
    struct queue_window w;
    cr_assert_eq(queue_window_get(u.db, w1.id, at(0, 9, 15, 0), &w), 0);
    cr_assert_eq(w.has_current, 0, "the window let it go");
    struct queue_ticket c = call_next(&w2, at(0, 9, 20, 0));
    cr_assert_eq(c.id, a1.id);
    cr_assert_eq(c.wait_s, 600 + 300, "waited before the first call and after the transfer");
    /* to a window, with raised priority: only that window calls it */
    cr_assert_eq(queue_transfer(u.db, &sys, a1.id, 0, w3.id, 1, at(0, 9, 21, 0), &x, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(x.target_window_id, w3.id);
    cr_assert_eq(x.priority, QUEUE_AGENT);
    c = call_next(&w2, at(0, 9, 22, 0));
    cr_assert_eq(c.id, b1.id, "w2 does not get a ticket sent to w3");
    c = call_next(&w3, at(0, 9, 23, 0));
    cr_assert_eq(c.id, a1.id);
    cr_assert_eq(c.target_window_id, 0);
    /* bad targets */
    cr_assert_eq(queue_transfer(u.db, &sys, a1.id, 0, x1.id, 0, at(0, 9, 24, 0), &x, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "window_id");
    cr_assert_eq(queue_transfer(u.db, &sys, b2.id, sa, 0, 0, at(0, 9, 24, 0), &x, &e), ERR_CONFLICT,
                 "a waiting ticket is in line already");
    cr_assert_str_eq(e.field, "status");
    struct queue_event *ev;
    int n = 0;
    cr_assert_eq(queue_timeline(u.db, a1.id, &ar, &ev, &n), 0);
    cr_assert_str_eq(ev[3].type, "transferred");
    cr_assert(strstr(ev[3].detail, "\"to_series\""), "%s", ev[3].detail);
}

Test(queue, walk_direct_serves_at_once)
{
    int64_t ids[] = {sb, sa};
    profile(&w1, QUEUE_STRICT_PRIORITY, ids, 2);
    struct queue_ticket t;
    cr_assert_eq(queue_walk_direct(u.db, &sys, w1.id, NULL, "李四", at(0, 9, 0, 0), &t, &e),
                 ERR_CONFLICT, "the window is closed");
    open_window(&w1);
    cr_assert_eq(queue_walk_direct(u.db, &sys, w1.id, NULL, "李四", at(0, 9, 0, 0), &t, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(t.status, QUEUE_SERVING);
    cr_assert_eq(t.channel, QUEUE_CH_WALK_DIRECT);
    cr_assert_str_eq(t.code, "B001", "numbered in the window's first series");
    cr_assert_str_eq(t.display_name, "李*");
    cr_assert_eq(t.window_id, w1.id);
    cr_assert_eq(t.called_at, 0);
    cr_assert_eq(t.started_at, at(0, 9, 0, 0));
    struct queue_ticket x;
    cr_assert_eq(queue_call_next(u.db, &sys, w1.id, at(0, 9, 1, 0), &x, &e), ERR_CONFLICT);
    cr_assert_eq(act(t.id, QUEUE_DO_FINISH, at(0, 9, 5, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.service_s, 300);
    cr_assert_eq(x.wait_s, 0);
    /* a window without a profile needs the item */
    open_window(&w2);
    cr_assert_eq(queue_walk_direct(u.db, &sys, w2.id, NULL, NULL, at(0, 9, 6, 0), &x, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
}

/* ---- who may act ---- */

Test(queue, window_rights)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    int64_t s1 = make_staff("s1", "staff", h.id), s2 = make_staff("s2", "staff", h.id);
    struct assignment as;
    cr_assert_eq(staff_assign(u.db, &sys, s1, w1.id, 0, &as, &e), 0, "%s", e.msg);
    struct actor st1, st2, admin_h, admin_h2, leader;
    unit_actor(&st1, ROLE_STAFF, h.id, h.path, s1);
    unit_actor(&st2, ROLE_STAFF, h.id, h.path, s2);
    unit_actor(&admin_h, ROLE_ADMIN, h.id, h.path, make_staff("ad1", "admin", h.id));
    unit_actor(&admin_h2, ROLE_ADMIN, h2.id, h2.path, make_staff("ad2", "admin", h2.id));
    unit_actor(&leader, ROLE_LEADER, r.id, r.path, make_staff("ld", "leader", r.id));
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0)), x;
    /* not assigned: 403 on the window and on its tickets */
    cr_assert_eq(queue_window_open(u.db, &st2, w1.id, at(0, 9, 0, 0), &e), ERR_FORBIDDEN);
    cr_assert_eq(queue_window_open(u.db, &admin_h2, w1.id, at(0, 9, 0, 0), &e), ERR_FORBIDDEN);
    cr_assert_eq(queue_window_open(u.db, &leader, w1.id, at(0, 9, 0, 0), &e), ERR_FORBIDDEN);
    cr_assert_eq(queue_window_open(u.db, &st1, w1.id, at(0, 9, 0, 0), &e), 0, "%s", e.msg);
    cr_assert_eq(queue_call_next(u.db, &st2, w1.id, at(0, 9, 1, 0), &x, &e), ERR_FORBIDDEN);
    cr_assert_eq(queue_call_next(u.db, &st1, w1.id, at(0, 9, 1, 0), &x, &e), 0, "%s", e.msg);
    cr_assert_eq(x.staff_id, s1);
    struct queue_window w;
    cr_assert_eq(queue_window_get(u.db, w1.id, at(0, 9, 1, 0), &w), 0);
    cr_assert_eq(w.staff_id, s1);
    cr_assert_str_eq(w.staff_name, "王芳");
    cr_assert_eq(queue_act(u.db, &st2, t.id, QUEUE_DO_START, at(0, 9, 2, 0), &x, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(queue_transfer(u.db, &st2, t.id, sb, 0, 0, at(0, 9, 2, 0), &x, &e), ERR_FORBIDDEN);
    /* an administrator of the hall may act at its windows */
    cr_assert_eq(queue_act(u.db, &admin_h, t.id, QUEUE_DO_START, at(0, 9, 2, 0), &x, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(queue_act(u.db, &st1, t.id, QUEUE_DO_FINISH, at(0, 9, 3, 0), &x, &e), 0);
    /* an ended assignment ends the right */
    cr_assert_eq(staff_end_assignment(u.db, &sys, as.id, &as, &e), 0, "%s", e.msg);
    cr_assert_eq(queue_call_next(u.db, &st1, w1.id, at(0, 9, 4, 0), &x, &e), ERR_FORBIDDEN);
    /* issuing: staff in scope, the hall's kiosk; not the display, not another hall's kiosk */
    struct device kiosk, kiosk2, display;
    char token[DEVICE_TOKEN_HEX];
    cr_assert_eq(device_create(u.db, &sys, "kiosk", "取号机", h.id, &kiosk, token, &e), 0);
    cr_assert_eq(device_create(u.db, &sys, "kiosk", "取号机", h2.id, &kiosk2, token, &e), 0);
    cr_assert_eq(device_create(u.db, &sys, "display", "屏", h.id, &display, token, &e), 0);
    struct actor dev;
    unit_actor(&dev, ROLE_DEVICE, h.id, h.path, 0);
    dev.device_id = kiosk.id;
    cr_assert_eq(try_issue(&dev, h.id, sa, NULL, QUEUE_GREEN, at(0, 9, 5, 0), &x), 0, "%s", e.msg);
    cr_assert_eq(x.channel, QUEUE_CH_KIOSK);

    int64_t other = make_series(h2.id, "A", "综合");
    cr_assert_eq(try_issue(&dev, h2.id, other, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x),
                 ERR_FORBIDDEN);
    dev.device_id = kiosk2.id;
    cr_assert_eq(try_issue(&dev, h.id, sa, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x), ERR_FORBIDDEN);
    dev.device_id = display.id;
    cr_assert_eq(try_issue(&dev, h.id, sa, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x), ERR_FORBIDDEN);
    cr_assert_eq(try_issue(&st2, h.id, sa, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x), 0);
    cr_assert_eq(try_issue(&leader, h.id, sa, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x),
                 ERR_FORBIDDEN);
    cr_assert_eq(try_issue(&admin_h2, h.id, sa, NULL, QUEUE_NORMAL, at(0, 9, 5, 0), &x),
                 ERR_FORBIDDEN);
    /* series and profiles: administrators in scope */
    int64_t id = 0;
    cr_assert_eq(queue_series_create(u.db, &st1, h.id, "K", "新", NULL, 0, 0, &id, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(queue_series_create(u.db, &admin_h2, h.id, "K", "新", NULL, 0, 0, &id, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(queue_series_create(u.db, &admin_h, h.id, "K", "新", NULL, 0, 0, &id, &e), 0);
    cr_assert_eq(queue_profile_set(u.db, &st1, w1.id, QUEUE_LONGEST_WAIT, ids, 1, 0, &e),
                 ERR_FORBIDDEN);
    /* withdrawing: staff or admin in scope */
    t = issue(sa, QUEUE_NORMAL, at(0, 9, 6, 0));
    cr_assert_eq(queue_withdraw(u.db, &leader, t.id, NULL, at(0, 9, 7, 0), &x, &e), ERR_FORBIDDEN);
    cr_assert_eq(queue_withdraw(u.db, &admin_h2, t.id, NULL, at(0, 9, 7, 0), &x, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(queue_withdraw(u.db, &st2, t.id, NULL, at(0, 9, 7, 0), &x, &e), 0);
}

/* ---- times, ETA, notifications, figures ---- */

Test(queue, wait_and_service_come_from_the_timeline)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0)), x;
    call_next(&w1, at(0, 9, 10, 0));
    must_act(t.id, QUEUE_DO_RECALL, at(0, 9, 11, 0));
    must_act(t.id, QUEUE_DO_START, at(0, 9, 12, 0));
    must_act(t.id, QUEUE_DO_PARK, at(0, 9, 20, 0));
    must_act(t.id, QUEUE_DO_RESUME, at(0, 9, 30, 0));
    cr_assert_eq(act(t.id, QUEUE_DO_FINISH, at(0, 9, 35, 0), &x), 0);
    cr_assert_eq(x.wait_s, 600);
    cr_assert_eq(x.service_s, 8 * 60 + 5 * 60, "parked time is not service");
    int64_t wait = -1, service = -1;
    cr_assert_eq(queue_timeline_times(u.db, t.id, &wait, &service), 0);
    cr_assert_eq(wait, x.wait_s);
    cr_assert_eq(service, x.service_s);
    /* and with a transfer and a withdrawal */
    t = issue(sa, QUEUE_NORMAL, at(0, 10, 0, 0));
    call_next(&w1, at(0, 10, 3, 0));
    must_act(t.id, QUEUE_DO_START, at(0, 10, 4, 0));
    cr_assert_eq(queue_transfer(u.db, &sys, t.id, 0, 0, 0, at(0, 10, 6, 0), &x, &e), 0);
    call_next(&w1, at(0, 10, 16, 0));
    must_act(t.id, QUEUE_DO_START, at(0, 10, 17, 0));
    cr_assert_eq(queue_withdraw(u.db, &sys, t.id, NULL, at(0, 10, 20, 0), &x, &e), 0);
    cr_assert_eq(queue_timeline_times(u.db, t.id, &wait, &service), 0);
    cr_assert_eq(wait, 3 * 60 + 10 * 60);
    cr_assert_eq(service, 2 * 60 + 3 * 60);
    cr_assert_eq(x.wait_s, wait);
    cr_assert_eq(x.service_s, service);
}

Test(queue, eta_from_recent_services_and_open_windows)
{
    cr_assert_eq(queue_eta_minutes(1, 300, 1), 3);  /* 150 s */
    cr_assert_eq(queue_eta_minutes(3, 300, 1), 13); /* 750 s */
    cr_assert_eq(queue_eta_minutes(3, 300, 2), 7);  /* 375 s */
    cr_assert_eq(queue_eta_minutes(3, 300, 0), -1);
    int64_t median = 0;
    int windows = -1;
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 9, 0, 0), &median, &windows), 0);
    cr_assert_eq(median, QUEUE_ETA_DEFAULT_S);
    cr_assert_eq(windows, 0, "nobody serves A yet");
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 0, 0));
    cr_assert_eq(t.eta_minutes, -1);
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    profile(&w2, QUEUE_LONGEST_WAIT, ids, 1);
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 9, 0, 0), &median, &windows), 0);
    cr_assert_eq(windows, 2, "closed windows count while none is open");
    open_window(&w1);
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 9, 0, 0), &median, &windows), 0);
    cr_assert_eq(windows, 1, "then only the open ones");
    /* services of 60, 120 and 600 s: the median is 120 */
    int secs[] = {60, 600, 120};
    call_next(&w1, at(0, 9, 1, 0));
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 9, 2, 55), &median, &windows), 0);
    cr_assert_eq(median, QUEUE_ETA_DEFAULT_S);
    serve(t.id, at(0, 9, 2, 0), secs[0]);
    /* a finished service counts within a second, not when the kept basis expires */
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 9, 3, 1), &median, &windows), 0);
    cr_assert_eq(median, 60);
    for (int i = 1; i < 3; i++) {
        struct queue_ticket x = issue(sa, QUEUE_NORMAL, at(0, 9, 10 + i, 0));
        call_next(&w1, at(0, 9, 20 + i, 0));
        serve(x.id, at(0, 9, 20 + i, 10), secs[i]);
    }
    cr_assert_eq(queue_eta_basis(u.db, sa, at(0, 10, 0, 0), &median, &windows), 0);
    cr_assert_eq(median, 120);
    struct queue_ticket q1 = issue(sa, QUEUE_NORMAL, at(0, 10, 0, 0));
    struct queue_ticket q2 = issue(sa, QUEUE_NORMAL, at(0, 10, 0, 1));
    struct queue_ticket q3 = issue(sa, QUEUE_NORMAL, at(0, 10, 0, 2));
    cr_assert_eq(q1.eta_minutes, 1); /* 60 s */
    cr_assert_eq(q2.eta_minutes, 3); /* 180 s */
    cr_assert_eq(q3.eta_minutes, 5); /* 300 s */
    open_window(&w2);
    cr_assert_eq(get(q3.id, at(0, 10, 1, 0)).eta_minutes, 3); /* 150 s */
    /* tomorrow starts with the default again */
    cr_assert_eq(queue_eta_basis(u.db, sa, at(1, 9, 0, 0), &median, &windows), 0);
    cr_assert_eq(median, QUEUE_ETA_DEFAULT_S);
}

Test(queue, near_turn_notifications_once_per_ticket)
{
    int64_t ids[] = {sa};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 1);
    open_window(&w1);
    struct queue_ticket t[6];
    for (int i = 0; i < 6; i++)
        t[i] = issue(sa, QUEUE_NORMAL, at(0, 9, i, 0));
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM notify_outbox"), 0);
    /* one window, 5 min each: ETAs 3, 8 … minutes, so positions 1-3 */
    call_next(&w1, at(0, 9, 10, 0));
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM notify_outbox"), 3);
    cr_assert_eq(unit_db_int(u.db, "SELECT MIN(ticket_id) FROM notify_outbox"), t[1].id);
    cr_assert_eq(unit_db_int(u.db, "SELECT MAX(ticket_id) FROM notify_outbox"), t[3].id);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM notify_outbox WHERE sent_at IS NULL"
                                   " AND kind = 'near_turn' AND position BETWEEN 1 AND 3"),
                 3);
    must_act(t[0].id, QUEUE_DO_RECALL, at(0, 9, 11, 0));
    must_act(t[0].id, QUEUE_DO_RECALL, at(0, 9, 12, 0));
    must_act(t[0].id, QUEUE_DO_NO_SHOW, at(0, 9, 13, 0));
    call_next(&w1, at(0, 9, 14, 0));
    /* t[2], t[3] were told already; t[4] is new */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM notify_outbox"), 4);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM (SELECT ticket_id FROM notify_outbox"
                                   " GROUP BY ticket_id HAVING COUNT(*) > 1)"),
                 0);
}

Test(queue, figures_of_a_day)
{
    int64_t ids[] = {sa, sb};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 2);
    profile(&w2, QUEUE_LONGEST_WAIT, ids, 2);
    open_window(&w1);
    open_window(&w2);
    /* ten tickets served at w1, waits 1..10 min, services 1..10 min; the
     * last waits 40 min and is served 25 min: one of each timeout */
    int64_t base = at(0, 9, 0, 0);
    for (int i = 1; i <= 10; i++) {
        struct queue_ticket t = issue(sa, QUEUE_NORMAL, base);
        int wait = i < 10 ? i * 60 : 40 * 60, service = i < 10 ? i * 60 : 25 * 60;
        call_next(&w1, base + wait);
        serve(t.id, base + wait, service);
        base += 3600;
    }
    /* at w2: a no-show and a withdrawal; one more waits */
    struct queue_ticket n = issue(sb, QUEUE_NORMAL, base);
    call_next(&w2, base + 60);
    must_act(n.id, QUEUE_DO_RECALL, base + 70);
    must_act(n.id, QUEUE_DO_RECALL, base + 80);
    must_act(n.id, QUEUE_DO_NO_SHOW, base + 90);
    struct queue_ticket wd = issue(sb, QUEUE_NORMAL, base + 100), x;
    cr_assert_eq(queue_withdraw(u.db, &sys, wd.id, NULL, base + 200, &x, &e), 0);
    issue(sb, QUEUE_NORMAL, base + 300);
    struct queue_stats_row *rows;
    int n_rows = 0;
    cr_assert_eq(queue_stats(u.db, h.id, "2026-03-02", QUEUE_BY_HALL, &ar, &rows, &n_rows), 0);
    cr_assert_eq(n_rows, 1);
    cr_assert_eq(rows[0].key, h.id);
    cr_assert_str_eq(rows[0].name, "政务服务中心");
    cr_assert_eq(rows[0].issued, 13);
    cr_assert_eq(rows[0].served, 10);
    cr_assert_eq(rows[0].no_shows, 1);
    cr_assert_eq(rows[0].withdrawn, 1);
    /* waits: 60..540, 2400 and the no-show's 60 → 11 values */
    cr_assert_eq(rows[0].avg_wait_s, (45 * 60 + 2400 + 60 + 5) / 11);
    cr_assert_eq(rows[0].p90_wait_s, 540);
    cr_assert_eq(rows[0].avg_service_s, (45 * 60 + 1500) / 10);
    cr_assert_eq(rows[0].p90_service_s, 540);
    cr_assert_eq(rows[0].wait_timeouts, 1);
    cr_assert_eq(rows[0].service_timeouts, 1);
    cr_assert_eq(queue_stats(u.db, h.id, "2026-03-02", QUEUE_BY_WINDOW, &ar, &rows, &n_rows), 0);
    cr_assert_eq(n_rows, 2);
    cr_assert_eq(rows[0].key, w1.id);
    cr_assert_eq(rows[0].served, 10);
    cr_assert_eq(rows[1].key, w2.id);
    cr_assert_eq(rows[1].issued, 1);
    cr_assert_eq(rows[1].no_shows, 1);
    cr_assert_eq(queue_stats(u.db, h.id, "2026-03-02", QUEUE_BY_SERIES, &ar, &rows, &n_rows), 0);
    cr_assert_eq(n_rows, 2);
    cr_assert_eq(rows[0].issued, 10);
    cr_assert_eq(rows[1].issued, 3);
    cr_assert_eq(rows[1].withdrawn, 1);
    cr_assert_eq(queue_stats(u.db, h.id, "2026-03-03", QUEUE_BY_HALL, &ar, &rows, &n_rows), 0);
    cr_assert_eq(n_rows, 0);
    int live = -1;
    cr_assert_eq(queue_live_waiting(u.db, h.id, base + 400, &live), 0);
    cr_assert_eq(live, 1);
    struct queue_window w;
    struct queue_today today;
    cr_assert_eq(queue_window_get(u.db, w1.id, base, &w), 0);
    cr_assert_eq(queue_window_today(u.db, &w, base, &today), 0);
    cr_assert_eq(today.served, 10);
    cr_assert_eq(today.no_shows, 0);
    cr_assert_eq(today.avg_service_s, (45 * 60 + 1500 + 5) / 10);
    enum queue_stats_by by;
    cr_assert_eq(queue_stats_by_parse("staff", &by), 0);
    cr_assert_eq(by, QUEUE_BY_STAFF);
    cr_assert_eq(queue_stats_by_parse("unit", &by), ERR_INVALID);
}

Test(queue, the_board)
{
    int64_t ids[] = {sa, sb};
    profile(&w1, QUEUE_LONGEST_WAIT, ids, 2);
    profile(&w2, QUEUE_LONGEST_WAIT, ids, 2);
    open_window(&w1);
    open_window(&w2);
    for (int i = 0; i < 14; i++) {
        struct queue_issue_input in = {h.id,         NULL,           i % 2 ? sb : sa,
                                       QUEUE_NORMAL, QUEUE_CH_STAFF, i == 0 ? "张三" : NULL,
                                       NULL};
        struct queue_ticket t;
        cr_assert_eq(queue_issue(u.db, &sys, &in, at(0, 9, i, 0), &t, &e), 0, "%s", e.msg);
    }
    /* twelve calls; the last two stay current */
    for (int i = 0; i < 12; i++) {
        const struct org_node *w = i % 2 ? &w2 : &w1;
        struct queue_ticket c = call_next(w, at(0, 10, i, 0));
        if (i < 10)
            serve(c.id, at(0, 10, i, 10), 30);
    }
    struct queue_board b;
    cr_assert_eq(queue_board(u.db, h.id, at(0, 10, 30, 0), &ar, &b), 0);
    cr_assert_str_eq(b.hall_name, "政务服务中心");
    cr_assert_eq(b.generated_at, at(0, 10, 30, 0));
    cr_assert_eq(b.ncurrent, 2);
    cr_assert_eq(b.current[0].window_id, w2.id, "newest call first");
    cr_assert_str_eq(b.current[0].window_name, "2号窗口");
    cr_assert_str_eq(b.current[0].window_code, "w2");
    cr_assert_eq(b.nrecent, QUEUE_BOARD_RECENT);
    cr_assert_eq(b.recent[0].called_at, at(0, 10, 11, 0));
    cr_assert_eq(b.total_waiting, 2);
    cr_assert_eq(b.nwaiting, 3);
    cr_assert_str_eq(b.waiting[0].prefix, "A");
    cr_assert_eq(b.waiting[0].waiting, 1);
    cr_assert_eq(b.waiting[1].waiting, 1);
    cr_assert_eq(b.waiting[2].waiting, 0);
    /* the masked name shows in the calls */
    int found = 0;
    for (int i = 0; i < b.nrecent; i++)
        found |= strcmp(b.recent[i].display_name, "张*") == 0;
    struct queue_board b2;
    cr_assert_eq(queue_board(u.db, h.id, at(0, 10, 30, 0), &ar, &b2), 0);
    cr_assert_eq(found, 0, "A001 (张三) was called first, so it is not among the last ten");
    cr_assert_eq(queue_board(u.db, w1.id, at(0, 10, 30, 0), &ar, &b2), ERR_NOTFOUND);
    /* the window's lines: what it would call, and what it parked */
    struct queue_window w;
    struct queue_ticket *waiting, *parked;
    int nw = 0, np = 0;
    must_act(b.current[1].ticket_id, QUEUE_DO_START, at(0, 10, 31, 0));
    must_act(b.current[1].ticket_id, QUEUE_DO_PARK, at(0, 10, 32, 0));
    cr_assert_eq(queue_window_get(u.db, w1.id, at(0, 10, 33, 0), &w), 0);
    cr_assert_eq(queue_window_lines(u.db, &w, at(0, 10, 33, 0), &ar, &waiting, &nw, &parked, &np),
                 0);
    cr_assert_eq(nw, 2);
    cr_assert_str_eq(waiting[0].code, "A007");
    cr_assert_eq(waiting[0].position, 1);
    cr_assert_str_eq(waiting[1].code, "B007");
    cr_assert_eq(np, 1);
    cr_assert_eq(parked[0].id, b.current[1].ticket_id);
}

/* ---- a restart loses nothing ---- */

static int64_t line_of(struct db *db, const struct org_node *w, char *codes, size_t cap,
                       int64_t now)
{
    struct queue_window qw;
    struct queue_ticket *waiting, *parked;
    int nw = 0, np = 0;
    cr_assert_eq(queue_window_get(db, w->id, now, &qw), 0);
    cr_assert_eq(queue_window_lines(db, &qw, now, &ar, &waiting, &nw, &parked, &np), 0);
    codes[0] = '\0';
    for (int i = 0; i < nw; i++) {
        strncat(codes, waiting[i].code, cap - strlen(codes) - 1);
        strncat(codes, " ", cap - strlen(codes) - 1);
    }
    return qw.has_current ? qw.current.id : 0;
}

Test(queue, a_restart_keeps_the_queue)
{
    int64_t ids[] = {sb, sa};
    profile(&w1, QUEUE_STRICT_PRIORITY, ids, 2);
    open_window(&w1);
    for (int i = 0; i < 5; i++)
        issue(i % 2 ? sa : sb, i == 3 ? QUEUE_GREEN : QUEUE_NORMAL, at(0, 9, i, 0));
    struct queue_ticket c = call_next(&w1, at(0, 9, 10, 0));
    char before[256], after[256];
    int64_t cur = line_of(u.db, &w1, before, sizeof(before), at(0, 9, 11, 0));
    cr_assert_eq(cur, c.id);
    cr_assert_str_eq(before, "B001 B002 B003 A001 ", "the green A002 went first");
    db_close(u.db);
    char errbuf[256] = "";
    cr_assert_eq(db_open(u.url, 0, &u.db, errbuf, sizeof(errbuf)), 0, "%s", errbuf);
    cr_assert_eq(line_of(u.db, &w1, after, sizeof(after), at(0, 9, 11, 0)), cur);
    cr_assert_str_eq(after, before);
    /* numbering goes on where it was */
    struct queue_ticket t = issue(sa, QUEUE_NORMAL, at(0, 9, 12, 0));
    cr_assert_str_eq(t.code, "A003");
}

/* ---- the demo halls ---- */

static void demo_init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    memset(&e, 0, sizeof(e));
}

Test(queue, demo_halls_have_series_and_profiles, .init = demo_init, .fini = fini)
{
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    struct org_node hd, ht, w;
    cr_assert_eq(org_find_by_codes(u.db, "/dist/hall-d", &hd), 0);
    cr_assert_eq(org_find_by_codes(u.db, "/dist/town/hall-t", &ht), 0);
    struct queue_series *s;
    int n = 0;
    cr_assert_eq(queue_series_list(u.db, hd.id, &ar, &s, &n), 0);
    cr_assert_eq(n, 5);
    cr_assert_str_eq(s[0].prefix, "A");
    cr_assert_eq(s[0].nitems, 1);
    cr_assert_str_eq(s[0].item_codes[0], "GA-SFZ-001");
    cr_assert_str_eq(s[1].prefix, "B");
    cr_assert_eq(s[1].nitems, 2);
    cr_assert_eq(queue_series_list(u.db, ht.id, &ar, &s, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(s[0].nitems, 3, "births and social security share B at the town hall");
    /* every demo window has a profile; the 综合受理 windows serve every series */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_profile"), 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node w WHERE kind = 'window' AND"
                                   " NOT EXISTS (SELECT 1 FROM window_profile_series p"
                                   " WHERE p.window_id = w.id)"),
                 0);
    struct queue_window qw;
    cr_assert_eq(org_find_by_codes(u.db, "/dist/hall-d/w01", &w), 0);
    cr_assert_eq(queue_window_get(u.db, w.id, at(0, 9, 0, 0), &qw), 0);
    cr_assert_eq(qw.mode, QUEUE_LONGEST_WAIT);
    cr_assert_eq(qw.nseries, 5);
    cr_assert_eq(org_find_by_codes(u.db, "/dist/hall-d/w03", &w), 0);
    cr_assert_eq(queue_window_get(u.db, w.id, at(0, 9, 0, 0), &qw), 0);
    cr_assert_eq(qw.mode, QUEUE_STRICT_PRIORITY);
    cr_assert_eq(qw.nseries, 1);
    /* a ticket for a demo item finds its series, and the window serving it calls it */
    struct queue_ticket t, c;
    cr_assert_eq(try_issue(&sys, hd.id, 0, "BDC-SC-001", QUEUE_NORMAL, at(0, 9, 0, 0), &t), 0, "%s",
                 e.msg);
    cr_assert_str_eq(t.code, "C001");
    cr_assert_eq(queue_window_open(u.db, &sys, w.id, at(0, 9, 1, 0), &e), 0);
    cr_assert_eq(queue_call_next(u.db, &sys, w.id, at(0, 9, 2, 0), &c, &e), 0, "%s", e.msg);
    cr_assert_eq(c.id, t.id);
}

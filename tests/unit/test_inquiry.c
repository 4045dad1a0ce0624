/* test_inquiry.c - first inquiries (domain/inquiry.c) on a migrated temp
 * SQLite database: the escalation sweep (a handover nobody accepts within
 * the region's escalate_minutes goes to the owner's nearest leader, once),
 * the notifications of a handover and a decline, and the rules the API
 * tests cannot reach by the clock. */
#include <criterion/criterion.h>

#include <string.h>

#include "base/err.h"
#include "base/pii.h"
#include "domain/actor.h"
#include "domain/case.h"
#include "domain/inquiry.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys, owner, receiver, colleague;
static struct err e;
static struct org_node r, h, w1, w2;
static int64_t leader_id, owner_id, receiver_id, colleague_id;

static const int64_t T0 = 1772409600; /* 2026-03-02 00:00 UTC */
#define MINUTES(m) ((int64_t)(m)*60)

static struct org_node make_node(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, code, NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t make_staff(const char *login, const char *role, const struct org_node *home,
                          struct actor *a)
{
    struct staff s;
    struct staff_input in = {login, "王芳", role, NULL, NULL, 0, home->id, "hash"};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(staff_create(u.db, &sys, &in, &s, &e), 0, "%s", e.msg);
    if (a) {
        unit_actor(a, role_parse(role), home->id, home->path, s.id);
        snprintf(a->name, sizeof(a->name), "%s", login);
    }
    return s.id;
}

/* a count by a statement with one id parameter */
static int64_t count1(const char *sql, int64_t id)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, sql, &st), 0, "%s", db_errmsg(u.db));
    db_bind_int64(st, 1, id);
    cr_assert_eq(db_step(st), DB_ROW, "%s", sql);
    int64_t v = db_col_int64(st, 0);
    db_finalize(st);
    return v;
}

static void init(void)
{
    unsigned char key[32];
    memset(key, 7, sizeof(key));
    unit_db_open(&u, 1);
    pii_key_set(key);
    actor_system(&sys, "unit");
    r = make_node(0, "region", "r");
    h = make_node(r.id, "hall", "h");
    w1 = make_node(h.id, "window", "w1");
    w2 = make_node(h.id, "window", "w2");
    leader_id = make_staff("leader", "leader", &r, NULL);
    owner_id = make_staff("owner", "staff", &w1, &owner);
    receiver_id = make_staff("receiver", "staff", &w2, &receiver);
    colleague_id = make_staff("colleague", "staff", &w2, &colleague);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(inquiry, .init = init, .fini = fini);

static int64_t record(int64_t now)
{
    struct inquiry_input in = {"张三", "13812345678", "户口迁移需要哪些材料？", NULL, "window"};
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(inquiry_create(u.db, &owner, &in, now, &id, &e), 0, "%s", e.msg);
    return id;
}

static void hand_to_receiver(int64_t id, int64_t now)
{
    memset(&e, 0, sizeof(e));
    cr_assert_eq(inquiry_handover(u.db, &owner, id, receiver_id, 0, NULL, now, &e), 0, "%s", e.msg);
}

static int64_t escalated_at(int64_t id)
{
    return count1("SELECT COALESCE(escalated_at, 0) FROM inquiry WHERE id = ?1", id);
}

static int64_t events(int64_t id, int escalated_only)
{
    return escalated_only ? count1("SELECT COUNT(*) FROM inquiry_event WHERE inquiry_id = ?1"
                                   " AND kind = 'escalated'",
                                   id)
                          : count1("SELECT COUNT(*) FROM inquiry_event WHERE inquiry_id = ?1", id);
}

static int64_t leader_notes(int64_t id)
{
    return count1("SELECT COUNT(*) FROM notification WHERE inquiry_id = ?1"
                  " AND kind = 'handover_escalated' AND staff_id = (SELECT id FROM staff"
                  " WHERE login = 'leader')",
                  id);
}

Test(inquiry, the_phone_is_stored_encrypted_hashed_and_masked)
{
    int64_t id = record(T0);
    struct arena a = {0};
    struct inquiry_rec q;
    cr_assert_eq(inquiry_get(u.db, &owner, id, &a, &q, &e), 0, "%s", e.msg);
    cr_assert_str_eq(q.phone_mask, "138****5678");
    cr_assert_eq(count1("SELECT COUNT(*) FROM inquiry WHERE id = ?1 AND (phone_enc LIKE"
                        " '%13812345678%' OR phone_hash LIKE '%13812345678%')",
                        id),
                 0);
    cr_assert_eq(q.region_id, r.id);
    cr_assert_eq(q.node_id, w1.id);
    cr_assert_eq(q.nevents, 1);
    cr_assert_str_eq(q.events[0].actor, "owner");
    arena_reset(&a);
}

Test(inquiry, a_handover_nobody_accepts_escalates_once_to_the_nearest_leader)
{
    int64_t id = record(T0);
    hand_to_receiver(id, T0 + 60);
    cr_assert_eq(count1("SELECT COUNT(*) FROM notification WHERE inquiry_id = ?1"
                        " AND kind = 'handover' AND staff_id = (SELECT id FROM staff"
                        " WHERE login = 'receiver')",
                        id),
                 1, "the receiver is told");

    int raised = -1;
    /* 4 minutes: before the least any region may set */
    cr_assert_eq(inquiry_sweep(u.db, T0 + 60 + MINUTES(4), &raised), 0);
    cr_assert_eq(raised, 0);
    /* 10 minutes: still within the default 120 */
    cr_assert_eq(inquiry_sweep(u.db, T0 + 60 + MINUTES(10), &raised), 0);
    cr_assert_eq(raised, 0);
    cr_assert_eq(escalated_at(id), 0);

    /* the region asks for 5 minutes: 10 minutes after the handover it escalates */
    struct case_settings s = {r.id, 80, 5, 10, 3};
    cr_assert_eq(case_settings_put(u.db, &sys, &s, T0, &e), 0, "%s", e.msg);
    int64_t now = T0 + 60 + MINUTES(10);
    cr_assert_eq(inquiry_sweep(u.db, now, &raised), 0);
    cr_assert_eq(raised, 1);
    cr_assert_eq(escalated_at(id), now);
    cr_assert_eq(events(id, 1), 1);
    cr_assert_eq(leader_notes(id), 1);
    cr_assert_eq(count1("SELECT COUNT(*) FROM inquiry_event WHERE inquiry_id = ?1 AND"
                        " kind = 'escalated' AND target_staff_id = (SELECT id FROM staff WHERE"
                        " login = 'leader') AND staff_id IS NULL AND actor = 'system'",
                        id),
                 1);

    /* a second sweep raises nothing */
    cr_assert_eq(inquiry_sweep(u.db, now + 60, &raised), 0);
    cr_assert_eq(raised, 0);
    cr_assert_eq(events(id, 1), 1);
    cr_assert_eq(leader_notes(id), 1);

    /* the owner stays owner; the receiver may still accept */
    struct arena a = {0};
    struct inquiry_rec q;
    cr_assert_eq(inquiry_get(u.db, &receiver, id, &a, &q, &e), 0, "%s", e.msg);
    cr_assert_eq(q.owner_id, owner_id);
    cr_assert_eq(q.actions, INQUIRY_MAY_ACCEPT | INQUIRY_MAY_DECLINE);
    arena_reset(&a);
    cr_assert_eq(inquiry_accept(u.db, &receiver, id, now + 120, &e), 0, "%s", e.msg);
    cr_assert_eq(count1("SELECT owner_id FROM inquiry WHERE id = ?1", id), receiver_id);
    cr_assert_eq(count1("SELECT node_id FROM inquiry WHERE id = ?1", id), w2.id);
}

Test(inquiry, a_declined_handover_tells_the_owner_and_a_new_one_may_escalate_again)
{
    struct case_settings s = {r.id, 80, 5, 10, 3};
    cr_assert_eq(case_settings_put(u.db, &sys, &s, T0, &e), 0, "%s", e.msg);
    int64_t id = record(T0);
    int raised = 0;
    hand_to_receiver(id, T0);
    cr_assert_eq(inquiry_sweep(u.db, T0 + MINUTES(6), &raised), 0);
    cr_assert_eq(raised, 1);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(inquiry_decline(u.db, &receiver, id, NULL, T0 + MINUTES(7), &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "note");
    cr_assert_eq(inquiry_decline(u.db, &receiver, id, "不归我管", T0 + MINUTES(7), &e), 0, "%s",
                 e.msg);
    cr_assert_eq(count1("SELECT COUNT(*) FROM notification WHERE inquiry_id = ?1"
                        " AND kind = 'handover' AND staff_id = (SELECT id FROM staff"
                        " WHERE login = 'owner')",
                        id),
                 1, "the owner is told");
    /* nothing pending: the sweep leaves it alone */
    cr_assert_eq(inquiry_sweep(u.db, T0 + MINUTES(60), &raised), 0);
    cr_assert_eq(raised, 0);

    /* a handover to the node: every staff member there is told; it escalates anew */
    cr_assert_eq(
        inquiry_handover(u.db, &owner, id, 0, w2.id, "请2号窗口处理", T0 + MINUTES(61), &e), 0,
        "%s", e.msg);
    cr_assert_eq(escalated_at(id), 0, "a new handover has not escalated");
    cr_assert_eq(count1("SELECT COUNT(*) FROM notification WHERE inquiry_id = ?1"
                        " AND kind = 'handover' AND staff_id IN (SELECT id FROM staff"
                        " WHERE login IN ('receiver', 'colleague'))",
                        id),
                 3);
    cr_assert_eq(inquiry_sweep(u.db, T0 + MINUTES(67), &raised), 0);
    cr_assert_eq(raised, 1);
    cr_assert_eq(leader_notes(id), 2);
    /* the other staff member of the node accepts */
    cr_assert_eq(inquiry_accept(u.db, &colleague, id, T0 + MINUTES(68), &e), 0, "%s", e.msg);
    cr_assert_eq(count1("SELECT owner_id FROM inquiry WHERE id = ?1", id), colleague_id);
    cr_assert_eq(inquiry_accept(u.db, &receiver, id, T0 + MINUTES(69), &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "pending");
}

Test(inquiry, the_sweep_skips_closed_inquiries_and_counts_without_a_leader)
{
    struct case_settings s = {r.id, 80, 5, 10, 3};
    cr_assert_eq(case_settings_put(u.db, &sys, &s, T0, &e), 0, "%s", e.msg);
    int64_t answered = record(T0), lonely = record(T0);
    hand_to_receiver(answered, T0);
    hand_to_receiver(lonely, T0);
    cr_assert_eq(inquiry_answer(u.db, &owner, answered, "已答复", T0 + 60, &e), 0, "%s", e.msg);
    /* no active leader anywhere: it escalates (event) but raises nothing */
    struct staff_patch p = {.active = 0, .party_member = -1};
    struct staff st;
    cr_assert_eq(staff_update(u.db, &sys, leader_id, &p, &st, &e), 0, "%s", e.msg);
    int raised = -1;
    cr_assert_eq(inquiry_sweep(u.db, T0 + MINUTES(10), &raised), 0);
    cr_assert_eq(raised, 0);
    cr_assert_eq(escalated_at(answered), 0);
    cr_assert_eq(events(lonely, 1), 1);
    cr_assert_gt(escalated_at(lonely), 0);
}

Test(inquiry, rules_of_the_actions)
{
    int64_t id = record(T0);
    memset(&e, 0, sizeof(e));
    /* not to oneself, not to one's own window, not outside the region */
    cr_assert_eq(inquiry_handover(u.db, &owner, id, owner_id, 0, NULL, T0, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "staff_id");
    cr_assert_eq(inquiry_handover(u.db, &owner, id, 0, w1.id, NULL, T0, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");
    struct org_node other = make_node(0, "region", "other");
    struct org_node other_hall = make_node(other.id, "hall", "oh");
    struct actor outsider;
    int64_t outsider_id = make_staff("outsider", "staff", &other_hall, &outsider);
    cr_assert_eq(inquiry_handover(u.db, &owner, id, outsider_id, 0, NULL, T0, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "staff_id");
    cr_assert_eq(inquiry_handover(u.db, &owner, id, 0, other_hall.id, NULL, T0, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");
    /* another region's staff cannot see it, nor act */
    struct arena a = {0};
    struct inquiry_rec q;
    cr_assert_eq(inquiry_get(u.db, &outsider, id, &a, &q, &e), ERR_FORBIDDEN);
    cr_assert_eq(inquiry_answer(u.db, &outsider, id, "x", T0, &e), ERR_FORBIDDEN);
    /* a device or the public never */
    struct actor dev;
    unit_actor(&dev, ROLE_DEVICE, h.id, h.path, 0);
    cr_assert_eq(inquiry_get(u.db, &dev, id, &a, &q, &e), ERR_FORBIDDEN);
    arena_reset(&a);
    /* a long question is quoted in the notification cut at a character */
    struct inquiry_input in = {"李四", "010-12345678",
                               "关于办理营业执照变更登记需要准备哪些材料以及办理时限和收费标准"
                               "的咨询，另外还想了解网上办理的具体流程和注意事项",
                               NULL, "phone"};
    int64_t id2 = 0;
    cr_assert_eq(inquiry_create(u.db, &owner, &in, T0, &id2, &e), 0, "%s", e.msg);
    cr_assert_eq(inquiry_handover(u.db, &owner, id2, receiver_id, 0, NULL, T0, &e), 0, "%s", e.msg);
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, "SELECT message FROM notification WHERE inquiry_id = ?1", &st),
                 0);
    db_bind_int64(st, 1, id2);
    cr_assert_eq(db_step(st), DB_ROW);
    const char *msg = db_col_text(st, 0);
    size_t n = strlen(msg);
    cr_assert(n > 3 && strcmp(msg + n - 3, "\xe2\x80\xa6") == 0, "%s", msg);
    cr_assert_null(strstr(msg, "12345678"));
    db_finalize(st);
}

/* test_nomination.c - nominations (domain/nomination.c) on a migrated temp
 * SQLite database: the quota, opening checks, the frozen candidates (top N by
 * score, ties by rank, vetoed skipped), ballots (once, within the quota, not
 * oneself, secret), the decision, closing into score_award (ties by score),
 * cancelling, scope and the public list. Cards, periods and results are
 * written with SQL, as closing a period leaves them. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "domain/nomination.h"
#include "domain/org.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
static struct arena ar;
/* region r: unit un (hall h, windows w1..w3); unit other */
static struct org_node r, un, h, w1, w2, w3, other;
static int64_t leader, admin, outsider, s1, s2, s3;
static struct actor a_leader, a_admin, a_out, a_s1, a_s2, a_s3, a_sup;
static int64_t wcard, scard;

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

static int64_t make_card(int64_t node_id, const char *subject)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO score_card (node_id, subject, name, periods, created_at,"
                            " updated_at) VALUES (?1, ?2, ?2, '[\"year\"]', 1, 1) RETURNING id",
                            &st),
                 0);
    db_bind_int64(st, 1, node_id);
    db_bind_text(st, 2, subject);
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static void make_period(int64_t card, const char *period, const char *state)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db,
                            "INSERT INTO score_period (card_id, period, kind, state)"
                            " VALUES (?1, ?2, 'year', ?3)",
                            &st),
                 0);
    db_bind_int64(st, 1, card);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, state);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
}

static void make_result(int64_t card, const char *period, const char *kind, int64_t id,
                        int64_t score, int rank, const char *veto)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(
        db_prepare(u.db,
                   "INSERT INTO score_result (card_id, period, kind, subject_id,"
                   " version_id, score, stars, veto, hall_id, unit_id, rank_all, inputs,"
                   " updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, 3, ?6, ?7, ?8, ?9, '{}', 1)",
                   &st),
        0);
    db_bind_int64(st, 1, card);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, kind);
    db_bind_int64(st, 4, id);
    db_bind_int64(st, 5, score);
    db_bind_text(st, 6, veto);
    db_bind_int64(st, 7, h.id);
    db_bind_int64(st, 8, un.id);
    db_bind_int64(st, 9, rank);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "test");
    r = make_node(0, "region", "r");
    un = make_node(r.id, "unit", "un");
    h = make_node(un.id, "hall", "h");
    w1 = make_node(h.id, "window", "w1");
    w2 = make_node(h.id, "window", "w2");
    w3 = make_node(h.id, "window", "w3");
    other = make_node(r.id, "unit", "other");
    leader = make_staff("leader", "leader", &un, &a_leader, ROLE_LEADER);
    admin = make_staff("admin", "admin", &r, &a_admin, ROLE_ADMIN);
    outsider = make_staff("outsider", "leader", &other, &a_out, ROLE_LEADER);
    s1 = make_staff("s1", "staff", &h, &a_s1, ROLE_STAFF);
    s2 = make_staff("s2", "staff", &h, &a_s2, ROLE_STAFF);
    s3 = make_staff("s3", "staff", &w1, &a_s3, ROLE_STAFF);
    make_staff("sup", "supervisor", &r, &a_sup, ROLE_SUPERVISOR);
    wcard = make_card(un.id, "window");
    scard = make_card(un.id, "staff");
    make_period(wcard, "2025", "closed");
    make_period(wcard, "2026", "open");
    make_period(scard, "2025", "closed");
    /* w2 leads but is vetoed; w3 and w1 tie on score, w3 ranked first */
    make_result(wcard, "2025", "window", w2.id, 9900, 1, "covert");
    make_result(wcard, "2025", "window", w1.id, 9000, 3, "");
    make_result(wcard, "2025", "window", w3.id, 9000, 2, "");
    make_result(wcard, "2026", "window", w1.id, 9000, 1, "");
    make_result(scard, "2025", "staff", s1, 9500, 1, "");
    make_result(scard, "2025", "staff", s2, 9400, 2, "");
    make_result(scard, "2025", "staff", s3, 9300, 3, "");
    memset(&ar, 0, sizeof(ar));
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    arena_reset(&ar);
    unit_db_close(&u);
}

TestSuite(nomination, .init = init, .fini = fini);

static int64_t open_one(const struct actor *who, int64_t card, const char *kind, const char *mode,
                        int64_t top_n, int64_t quota, int64_t percent)
{
    struct nomination_input in = {card, "2025", kind, mode, top_n, quota, percent};
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(nomination_create(u.db, who, &in, 100, &id, &e), 0, "%s %s", e.field, e.msg);
    return id;
}

static void expect(int rc, int code, const char *field)
{
    cr_assert_eq(rc, code, "rc %d, want %d (%s: %s)", rc, code, e.field, e.msg);
    if (field)
        cr_assert_str_eq(e.field, field);
    memset(&e, 0, sizeof(e));
}

static int64_t count(const char *sql)
{
    return unit_db_int(u.db, sql);
}

Test(nomination, quota_from_a_count_or_a_percent)
{
    cr_assert_eq(nomination_quota(10, 3, 0), 3);
    cr_assert_eq(nomination_quota(10, 0, 20), 2);
    cr_assert_eq(nomination_quota(10, 0, 25), 2, "rounded down");
    cr_assert_eq(nomination_quota(3, 0, 10), 1, "at least 1");
    cr_assert_eq(nomination_quota(100, 0, 100), 100);
}

Test(nomination, opening_checks_name_the_field_and_change_nothing)
{
    struct nomination_input in = {wcard, "2025", "model_window", "vote", 3, 1, 0};
    int64_t id = 0;
    struct nomination_input b = in;
    b.kind = "service_star";
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "kind");
    b = in;
    b.mode = "poll";
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "mode");
    b = in;
    b.period = "2025-Q5";
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "period");
    b = in;
    b.period = "2026";
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_CONFLICT, "period");
    b = in;
    b.quota_percent = 20;
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "quota");
    b = in;
    b.quota = 4;
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "quota");
    b = in;
    b.top_n = 101;
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "top_n");
    b = in;
    b.card_id = 999;
    expect(nomination_create(u.db, &a_leader, &b, 1, &id, &e), ERR_INVALID, "card_id");
    expect(nomination_create(u.db, &a_out, &in, 1, &id, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_create(u.db, &a_s1, &in, 1, &id, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_create(u.db, &a_sup, &in, 1, &id, &e), ERR_FORBIDDEN, NULL);
    cr_assert_eq(count("SELECT COUNT(*) FROM nomination"), 0);
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'nomination.%'"), 0);
}

Test(nomination, candidates_are_frozen_top_n_without_the_vetoed)
{
    int64_t id = open_one(&a_leader, wcard, "model_window", "vote", 5, 0, 50);
    struct nomination n;
    cr_assert_eq(nomination_get(u.db, &a_leader, id, &ar, &n, &e), 0);
    cr_assert_eq(n.quota, 2, "50 %% of 5");
    cr_assert_eq(n.quota_percent, 50);
    cr_assert_eq(n.ncand, 2, "w2 vetoed");
    cr_assert_eq(n.cand[0].subject_id, w3.id, "tie on score: the better rank first");
    cr_assert_eq(n.cand[1].subject_id, w1.id);
    cr_assert_eq(n.cand[0].place, 1);
    cr_assert_eq(n.cand[0].score, 9000);
    cr_assert_str_eq(n.cand[0].name, "w3");
    cr_assert_str_eq(n.cand[0].hall_name, "h");
    cr_assert_str_eq(n.cand[0].unit_name, "un");
    /* a later change of the results does not move the candidates */
    cr_assert_eq(db_exec(u.db, "UPDATE score_result SET score = 1 WHERE period = '2025'"), 0);
    arena_reset(&ar);
    cr_assert_eq(nomination_get(u.db, &a_leader, id, &ar, &n, &e), 0);
    cr_assert_eq(n.cand[0].score, 9000);
    /* once per card, period and kind */
    struct nomination_input again = {wcard, "2025", "model_window", "decision", 2, 1, 0};
    int64_t id2 = 0;
    expect(nomination_create(u.db, &a_admin, &again, 1, &id2, &e), ERR_CONFLICT, "period");
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'nomination.open'"), 1);
}

Test(nomination, ballots_once_within_quota_never_oneself_and_secret)
{
    int64_t id = open_one(&a_leader, scard, "service_star", "vote", 10, 0, 20);
    int64_t one[] = {s2}, self[] = {s1}, two[] = {s2, s3}, dup[] = {s2, s2}, none[] = {w1.id};
    expect(nomination_ballot(u.db, &a_s1, id, self, 1, 5, &e), ERR_INVALID, "candidate_ids");
    expect(nomination_ballot(u.db, &a_s1, id, dup, 2, 5, &e), ERR_INVALID, "candidate_ids");
    expect(nomination_ballot(u.db, &a_s1, id, none, 1, 5, &e), ERR_INVALID, "candidate_ids");
    expect(nomination_ballot(u.db, &a_s1, id, two, 0, 5, &e), ERR_INVALID, "candidate_ids");
    expect(nomination_ballot(u.db, &a_out, id, one, 1, 5, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_ballot(u.db, &a_s1, id, two, 2, 5, &e), 0, NULL);
    expect(nomination_ballot(u.db, &a_s1, id, one, 1, 6, &e), ERR_CONFLICT, "voter");
    /* quota 2 (20 % of 10): three are too many */
    int64_t three[] = {s1, s2, s3};
    expect(nomination_ballot(u.db, &a_leader, id, three, 3, 6, &e), ERR_INVALID, "candidate_ids");
    /* a supervisor above the card's node votes too */
    expect(nomination_ballot(u.db, &a_sup, id, one, 1, 7, &e), 0, NULL);
    cr_assert_eq(count("SELECT ballots FROM nomination"), 2);
    cr_assert_eq(count("SELECT COUNT(*) FROM nomination_ballot"), 2);
    /* the ballot holds no choice: only the counts moved */
    cr_assert_eq(count("SELECT votes FROM nomination_candidate WHERE place = 2"), 2);
    cr_assert_eq(count("SELECT votes FROM nomination_candidate WHERE place = 3"), 1);
    struct nomination n;
    cr_assert_eq(nomination_get(u.db, &a_s2, id, &ar, &n, &e), 0);
    cr_assert_eq(n.show_voters, 0);
    cr_assert_eq(n.voted, 0);
    cr_assert_eq(nomination_actions(&a_s2, &n), NOMINATION_ACT_VOTE);
    cr_assert_eq(nomination_get(u.db, &a_leader, id, &ar, &n, &e), 0);
    cr_assert_eq(n.show_voters, 1);
    cr_assert_eq(n.nvoters, 2);
    cr_assert_eq(n.voters[0].staff_id, s1);
    cr_assert_eq(nomination_actions(&a_leader, &n),
                 NOMINATION_ACT_VOTE | NOMINATION_ACT_CLOSE | NOMINATION_ACT_CANCEL);
    cr_assert_eq(nomination_get(u.db, &a_out, id, &ar, &n, &e), ERR_FORBIDDEN);
}

Test(nomination, closing_a_vote_awards_the_most_voted_ties_by_score)
{
    int64_t id = open_one(&a_leader, scard, "service_star", "vote", 3, 2, 0);
    expect(nomination_close(u.db, &a_leader, id, 9, &e), ERR_CONFLICT, "ballots");
    int64_t b1[] = {s3}, b2[] = {s3, s1}, b3[] = {s2};
    expect(nomination_ballot(u.db, &a_s1, id, b1, 1, 5, &e), 0, NULL);
    expect(nomination_ballot(u.db, &a_s2, id, b2, 2, 5, &e), 0, NULL);
    expect(nomination_ballot(u.db, &a_s3, id, b3, 1, 5, &e), 0, NULL);
    /* s3: 2 votes; s1 and s2: 1 each, s1 has the higher score */
    expect(nomination_close(u.db, &a_s1, id, 9, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_close(u.db, &a_out, id, 9, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_close(u.db, &a_leader, id, 9, &e), 0, NULL);
    /* one nomination in this test: the awards are its own */
    cr_assert_eq(count("SELECT subject_id FROM score_award WHERE award = 'service_star'"
                       " AND rank = 1 AND nomination_id IS NOT NULL"),
                 s3);
    cr_assert_eq(count("SELECT subject_id FROM score_award WHERE rank = 2 AND kind = 'staff'"
                       " AND period = '2025'"),
                 s1);
    cr_assert_eq(count("SELECT COUNT(*) FROM score_award"), 2);
    cr_assert_eq(count("SELECT won FROM nomination_candidate WHERE subject_id = (SELECT id FROM"
                       " staff WHERE login = 's2')"),
                 0);
    int64_t late[] = {s1};
    expect(nomination_ballot(u.db, &a_sup, id, late, 1, 10, &e), ERR_CONFLICT, "state");
    expect(nomination_cancel(u.db, &a_leader, id, "x", 10, &e), ERR_CONFLICT, "state");
}

Test(nomination, a_decision_by_the_owner_or_an_admin)
{
    int64_t id = open_one(&a_leader, wcard, "model_window", "decision", 3, 1, 0);
    int64_t pick[] = {w1.id}, both[] = {w1.id, w3.id}, vetoed[] = {w2.id};
    expect(nomination_ballot(u.db, &a_s1, id, pick, 1, 5, &e), ERR_CONFLICT, "mode");
    expect(nomination_close(u.db, &a_leader, id, 5, &e), ERR_CONFLICT, "decision");
    expect(nomination_decide(u.db, &a_s1, id, pick, 1, "good", 5, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_decide(u.db, &a_leader, id, both, 2, "good", 5, &e), ERR_INVALID,
           "candidate_ids");
    expect(nomination_decide(u.db, &a_leader, id, vetoed, 1, "good", 5, &e), ERR_INVALID,
           "candidate_ids");
    expect(nomination_decide(u.db, &a_leader, id, pick, 1, "", 5, &e), ERR_INVALID, "reason");
    expect(nomination_decide(u.db, &a_admin, id, pick, 1, "群众满意度最高", 6, &e), 0, NULL);
    expect(nomination_close(u.db, &a_leader, id, 7, &e), 0, NULL);
    cr_assert_eq(count("SELECT subject_id FROM score_award WHERE award = 'model_window'"), w1.id);
    cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'nomination.decide'"), 1);
}

Test(nomination, cancelling_frees_the_period_and_the_public_list_shows_winners_only)
{
    int64_t id = open_one(&a_leader, wcard, "model_window", "vote", 3, 1, 0);
    expect(nomination_cancel(u.db, &a_leader, id, "", 5, &e), ERR_INVALID, "reason");
    expect(nomination_cancel(u.db, &a_s1, id, "no", 5, &e), ERR_FORBIDDEN, NULL);
    expect(nomination_cancel(u.db, &a_leader, id, "重新评选", 5, &e), 0, NULL);
    int64_t id2 = open_one(&a_admin, wcard, "model_window", "vote", 3, 1, 0);
    int64_t pick[] = {w1.id};
    expect(nomination_ballot(u.db, &a_s1, id2, pick, 1, 6, &e), 0, NULL);
    /* the owner left: an admin in scope closes */
    expect(nomination_close(u.db, &a_admin, id2, 8, &e), 0, NULL);
    struct nomination *items = NULL;
    int n = 0;
    cr_assert_eq(nomination_public(u.db, h.id, NULL, 10, &ar, &items, &n, &e), 0);
    cr_assert_eq(n, 1, "the cancelled one is not public");
    cr_assert_eq(items[0].id, id2);
    cr_assert_eq(items[0].ncand, 1);
    cr_assert_eq(items[0].cand[0].subject_id, w1.id);
    cr_assert_eq(items[0].cand[0].won, 1);
    cr_assert_eq(items[0].cand[0].votes, 0, "no votes on the public list");
    cr_assert_eq(nomination_public(u.db, other.id, NULL, 10, &ar, &items, &n, &e), 0);
    cr_assert_eq(n, 0, "another branch");
    cr_assert_eq(nomination_public(u.db, r.id, "service_star", 10, &ar, &items, &n, &e), 0);
    cr_assert_eq(n, 0, "another kind");
    expect(nomination_public(u.db, 9999, NULL, 10, &ar, &items, &n, &e), ERR_INVALID, "node_id");
    /* lists: the unit's staff see both, another unit none */
    struct nomination_filter f = {0};
    f.page = 1;
    f.per_page = 10;
    int64_t total = 0;
    cr_assert_eq(nomination_list(u.db, &a_s3, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 2);
    cr_assert_eq(items[0].id, id2, "newest first");
    f.state = "cancelled";
    cr_assert_eq(nomination_list(u.db, &a_s3, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 1);
    f.state = NULL;
    cr_assert_eq(nomination_list(u.db, &a_out, &f, &ar, &items, &n, &total, &e), 0);
    cr_assert_eq(total, 0);
    f.kind = "best";
    expect(nomination_list(u.db, &a_s3, &f, &ar, &items, &n, &total, &e), ERR_INVALID, "kind");
}

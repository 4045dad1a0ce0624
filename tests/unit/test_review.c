/* test_review.c - review rounds (domain/review*.c) on a migrated temp SQLite
 * database: period keys and form checks, the state machine and owner rights,
 * who rates whom, one rating per rater, closing (means, counts, the total
 * over the groups present, evaluation metrics), the public vote's once-only
 * rule and stored hash, and the scoring engine's reads (several rounds of a
 * period merged, open rounds counted). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/org.h"
#include "domain/review.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
/* region r: unit u1 (hall h1: staff s1, s2), unit u2 (staff s3); leader at r */
static struct org_node r, u1, u2, h1;
static int64_t s1, s2, s3, lead;
static struct actor a1, a2, a3, al;

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
    u1 = make_node(r.id, "unit", "u1");
    u2 = make_node(r.id, "unit", "u2");
    h1 = make_node(u1.id, "hall", "h1");
    s1 = make_staff("s1", "staff", &h1, &a1, ROLE_STAFF);
    s2 = make_staff("s2", "staff", &h1, &a2, ROLE_STAFF);
    s3 = make_staff("s3", "staff", &u2, &a3, ROLE_STAFF);
    lead = make_staff("lead", "leader", &r, &al, ROLE_LEADER);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(review, .init = init, .fini = fini);

static void crit(struct review_form *f, const char *code, int64_t max, int64_t w)
{
    struct review_criterion *c = &f->criteria[f->ncriteria++];
    snprintf(c->code, sizeof(c->code), "%s", code);
    snprintf(c->name, sizeof(c->name), "%s", code);
    c->scale_max = max;
    c->weight = w;
}

static void group(struct review_form *f, const char *code, const char *kind, int64_t w,
                  const char *scope)
{
    struct review_group *g = &f->groups[f->ngroups++];
    memset(g, 0, sizeof(*g));
    snprintf(g->code, sizeof(g->code), "%s", code);
    snprintf(g->name, sizeof(g->name), "%s", code);
    snprintf(g->kind, sizeof(g->kind), "%s", kind);
    snprintf(g->unit_scope, sizeof(g->unit_scope), "%s", scope ? scope : "any");
    g->weight = w;
}

/* The DOMAIN.md §7 multi-rater example as a form. */
static void weights_example(struct review_form *f)
{
    memset(f, 0, sizeof(*f));
    crit(f, "overall", 100, 100);
    group(f, "leaders", "leader", 20, NULL);
    group(f, "own", "peer", 40, "same_unit");
    group(f, "peers", "peer", 20, "cross_unit");
    group(f, "cadres", "peer", 20, NULL);
    snprintf(f->groups[3].rater_role, sizeof(f->groups[3].rater_role), "supervisor");
}

static int64_t make_round(const char *period, const struct review_form *f, const struct actor *who)
{
    struct review_input in = {r.id, period, "staff", "round", *f};
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(review_create(u.db, who, &in, 100, &id, &e), 0, "%s %s", e.field, e.msg);
    return id;
}

static int rate(const struct actor *who, int64_t round, const char *g, int64_t subject, int64_t v,
                const char *comment)
{
    struct review_rating_input in = {0};
    in.group = g;
    in.subject_id = subject;
    in.nscores = 1;
    in.scores[0].code = "overall";
    in.scores[0].value = v;
    in.comment = comment;
    int64_t id = 0;
    memset(&e, 0, sizeof(e));
    return review_rate(u.db, who, round, &in, 200, &id, &e);
}

Test(review, period_keys)
{
    cr_assert(review_period_ok("2026-05"));
    cr_assert(review_period_ok("2026-12"));
    cr_assert(review_period_ok("2026-Q4"));
    cr_assert(review_period_ok("2026"));
    cr_assert_not(review_period_ok("2026-13"));
    cr_assert_not(review_period_ok("2026-00"));
    cr_assert_not(review_period_ok("2026-Q5"));
    cr_assert_not(review_period_ok("0026"));
    cr_assert_not(review_period_ok("2026-5"));
    cr_assert_not(review_period_ok(""));
    cr_assert_not(review_period_ok(NULL));
}

Test(review, form_checks_name_the_field)
{
    struct review_form f;
    weights_example(&f);
    cr_assert_eq(review_form_check(&f, "staff", &e), 0, "%s", e.msg);
    f.groups[0].weight = 25;
    cr_assert_eq(review_form_check(&f, "staff", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "groups");
    weights_example(&f);
    f.criteria[0].weight = 90;
    cr_assert_eq(review_form_check(&f, "staff", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "criteria");
    weights_example(&f);
    f.groups[0].party_only = 1;
    cr_assert_eq(review_form_check(&f, "staff", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "groups[0].party_only");
    weights_example(&f);
    f.groups[1].party_only = 1;
    cr_assert_eq(review_form_check(&f, "window", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "groups[1].party_only");
    weights_example(&f);
    snprintf(f.groups[2].code, sizeof(f.groups[2].code), "Bad-Code");
    cr_assert_eq(review_form_check(&f, "staff", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "groups[2].code");
    weights_example(&f);
    f.criteria[0].scale_max = 0;
    cr_assert_eq(review_form_check(&f, "staff", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "criteria[0].scale_max");
}

Test(review, owner_rights_and_states)
{
    struct review_form f;
    weights_example(&f);
    memset(&e, 0, sizeof(e));
    struct review_input in = {r.id, "2026-05", "staff", "round", f};
    int64_t id = 0;
    cr_assert_eq(review_create(u.db, &a1, &in, 100, &id, &e), ERR_FORBIDDEN);
    id = make_round("2026-05", &f, &al);
    struct actor other;
    unit_actor(&other, ROLE_LEADER, r.id, r.path, s3);
    cr_assert_eq(review_open(u.db, &other, id, 101, &e), ERR_FORBIDDEN);
    cr_assert_eq(review_close(u.db, &al, id, 101, &e), ERR_CONFLICT);
    cr_assert_eq(rate(&a1, id, "own", s2, 80, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "state");
    cr_assert_eq(review_open(u.db, &al, id, 101, &e), 0);
    int64_t n = 0;
    cr_assert_eq(review_open_rounds(u.db, r.path, "2026-05", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(review_open_rounds(u.db, u1.path, "2026-05", &n), 0);
    cr_assert_eq(n, 0, "a round over the region is not under a unit");
    cr_assert_eq(review_open_rounds(u.db, r.path, "2026-06", &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(review_close(u.db, &al, id, 300, &e), 0);
    cr_assert_eq(review_open_rounds(u.db, r.path, "2026-05", &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'review_round'"),
                 3);
}

Test(review, who_rates_whom_and_once)
{
    struct review_form f;
    weights_example(&f);
    int64_t id = make_round("2026-05", &f, &al);
    cr_assert_eq(review_open(u.db, &al, id, 101, &e), 0);
    cr_assert_eq(rate(&a1, id, "own", s1, 80, NULL), ERR_FORBIDDEN, "oneself");
    cr_assert_eq(rate(&a1, id, "own", s3, 80, NULL), ERR_FORBIDDEN, "other unit");
    cr_assert_eq(rate(&a1, id, "peers", s2, 80, NULL), ERR_FORBIDDEN, "same unit");
    cr_assert_eq(rate(&a1, id, "cadres", s2, 80, NULL), ERR_FORBIDDEN, "role");
    cr_assert_eq(rate(&a1, id, "own", s2, 80, NULL), 0, "%s", e.msg);
    cr_assert_eq(rate(&a1, id, "own", s2, 70, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "subject_id");
    cr_assert_eq(rate(&al, id, "leaders", s2, 90, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "comment");
    cr_assert_eq(rate(&al, id, "leaders", s2, 90, "好"), 0, "%s", e.msg);
    cr_assert_eq(rate(&a3, id, "peers", s2, 60, NULL), 0, "%s", e.msg);
    cr_assert_eq(rate(&a3, id, "peers", s1, 101, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "scores.overall");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM review_rating"), 3);
}

struct seen {
    int n;
    int64_t subject;
    struct review_score s;
};

static int collect(void *ctx, const char *kind, int64_t subject_id, const struct review_score *s)
{
    struct seen *x = ctx;
    cr_assert_str_eq(kind, "staff");
    if (subject_id == s2) {
        x->subject = subject_id;
        x->s = *s;
    }
    x->n++;
    return 0;
}

Test(review, close_freezes_and_periods_merge)
{
    struct review_form f;
    weights_example(&f);
    int64_t a = make_round("2026-Q2", &f, &al);
    cr_assert_eq(review_open(u.db, &al, a, 101, &e), 0);
    cr_assert_eq(rate(&a1, a, "own", s2, 80, NULL), 0, "%s", e.msg);
    cr_assert_eq(rate(&al, a, "leaders", s2, 90, "ok"), 0, "%s", e.msg);
    cr_assert_eq(rate(&a3, a, "peers", s1, 50, NULL), 0, "%s", e.msg);
    /* staff metrics of the quarter: s2 3 of 4 satisfied (one excluded of 5) */
    cr_assert_eq(db_exec(u.db, "INSERT INTO eval_rollup (day, window_id, staff_id, item_id,"
                               " channel, set_id, active, active_good, excluded)"
                               " VALUES ('2026-04-02', 0, 2, 0, 'c', 0, 5, 3, 1)"),
                 0);
    cr_assert_eq(review_close(u.db, &al, a, 300, &e), 0, "%s", e.msg);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM score_dirty WHERE kind = 'staff'"
                                   " AND subject_id IN (1, 2)"),
                 2, "both subjects marked for rescoring");
    /* s2: own 80 (w40), leaders 90 (w20): (40*80 + 20*90) / 60 */
    struct review_score s;
    int found = 0;
    cr_assert_eq(review_result_subject(u.db, "2026-Q2", "staff", s2, &s, &found), 0);
    cr_assert_eq(found, 1);
    cr_assert_float_eq(s.total, (40.0 * 80 + 20.0 * 90) / 60, 1e-3);
    cr_assert_eq(s.raters, 2);
    cr_assert_eq(s.ngroups, 2);
    cr_assert_str_eq(s.group[0].code, "leaders");
    cr_assert_float_eq(s.group[0].mean, 90, 1e-9);

    /* a second round of the same period with 群众评议 from the metrics */
    struct review_form g;
    memset(&g, 0, sizeof(g));
    crit(&g, "overall", 100, 100);
    group(&g, "own", "peer", 50, NULL);
    group(&g, "public", "public_metrics", 50, NULL);
    int64_t b = make_round("2026-Q2", &g, &al);
    cr_assert_eq(review_open(u.db, &al, b, 101, &e), 0);
    cr_assert_eq(rate(&a1, b, "own", s2, 40, NULL), 0, "%s", e.msg);
    cr_assert_eq(review_close(u.db, &al, b, 300, &e), 0, "%s", e.msg);
    cr_assert_eq(review_result_subject(u.db, "2026-Q2", "staff", s2, &s, &found), 0);
    /* round b: own 40, public 75 → 57.5; averaged with round a's 83.33 */
    double ta = (40.0 * 80 + 20.0 * 90) / 60, tb = (40.0 + 75.0) / 2;
    cr_assert_float_eq(s.total, (ta + tb) / 2, 1e-3);
    cr_assert_eq(s.raters, 3);
    int own = -1, pub = -1;
    for (int i = 0; i < s.ngroups; i++) {
        if (strcmp(s.group[i].code, "own") == 0)
            own = i;
        if (strcmp(s.group[i].code, "public") == 0)
            pub = i;
    }
    cr_assert(own >= 0 && pub >= 0);
    cr_assert_eq(s.group[own].n, 2);
    cr_assert_float_eq(s.group[own].mean, 60, 1e-9, "merged by count: (80 + 40) / 2");
    cr_assert_eq(s.group[pub].n, 4);
    cr_assert_float_eq(s.group[pub].mean, 75, 1e-9);

    struct seen x = {0};
    cr_assert_eq(review_results_period(u.db, "2026-Q2", collect, &x), 0);
    cr_assert_eq(x.n, 2, "s1 and s2");
    cr_assert_eq(x.subject, s2);
    cr_assert_float_eq(x.s.total, s.total, 1e-9);
    cr_assert_eq(review_result_subject(u.db, "2026-05", "staff", s2, &s, &found), 0);
    cr_assert_eq(found, 0);
    cr_assert_eq(review_result_subject(u.db, "2026-Q2", "staff", s3, &s, &found), 0);
    cr_assert_eq(found, 0, "s3 was never rated and has no evaluations");
}

static int stop_at_first(void *ctx, const char *kind, int64_t subject_id,
                         const struct review_score *s)
{
    (void)kind;
    (void)subject_id;
    (void)s;
    (*(int *)ctx)++;
    return 7;
}

Test(review, callback_stops)
{
    struct review_form f;
    weights_example(&f);
    int64_t a = make_round("2026", &f, &al);
    cr_assert_eq(review_open(u.db, &al, a, 101, &e), 0);
    cr_assert_eq(rate(&a1, a, "own", s2, 80, NULL), 0);
    cr_assert_eq(rate(&a3, a, "peers", s1, 80, NULL), 0);
    cr_assert_eq(review_close(u.db, &al, a, 300, &e), 0);
    int calls = 0;
    cr_assert_eq(review_results_period(u.db, "2026", stop_at_first, &calls), 7);
    cr_assert_eq(calls, 1);
}

Test(review, public_vote_once_and_hashed)
{
    struct review_form f;
    memset(&f, 0, sizeof(f));
    crit(&f, "overall", 100, 100);
    group(&f, "vote", "public_vote", 100, NULL);
    int64_t id = make_round("2026-05", &f, &al);
    struct review_vote_input v = {0};
    v.name = "张三";
    v.id_number = "11010119900307123X";
    v.phone = "13800138000";
    v.nchoices = 1;
    v.choices[0].subject_id = s1;
    v.choices[0].choice = "basic";
    cr_assert_eq(review_vote(u.db, id, &v, 150, &e), ERR_NOTFOUND, "a draft takes no votes");
    cr_assert_eq(review_open(u.db, &al, id, 101, &e), 0);
    /* the check character of 11010119900307123 is 0 ... compute: any wrong one fails */
    int ok = 0;
    const char checks[] = "0123456789X";
    char idn[19];
    for (int i = 0; i < 11 && !ok; i++) {
        snprintf(idn, sizeof(idn), "11010119900307123%c", checks[i]);
        v.id_number = idn;
        memset(&e, 0, sizeof(e));
        int rc = review_vote(u.db, id, &v, 150, &e);
        if (rc == 0)
            ok = 1;
        else
            cr_assert_str_eq(e.field, "id_number");
    }
    cr_assert(ok, "one check character is right");
    cr_assert_eq(review_vote(u.db, id, &v, 151, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "id_number");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM review_vote"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM review_vote WHERE id_hash LIKE"
                                   " '%11010119900307123%' OR name_enc LIKE '%13800138000%'"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT score_e4 FROM review_rating"), 600000);
}

/* nomination.c - model-window and service-star nominations: opening over a
 * closed period, secret ballots, the leader's decision, closing into
 * score_award, the public honour list (nomination.h). */
#include "domain/nomination.h"
#include "domain/dom_util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/case_impl.h"
#include "domain/org.h"

#define ANCESTORS_MAX 8 /* strict ancestors of a path bound in list queries */
#define PAGE_MAX 1000000

static const char *const KINDS[] = {"model_window", "service_star"};
static const char *const MODES[] = {"vote", "decision"};
static const char *const STATES[] = {"open", "closed", "cancelled"};

static int staff_role(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_LEADER || r == ROLE_SUPERVISOR || r == ROLE_STAFF;
}

/* "2026", "2026-Q1".."2026-Q4", "2026-01".."2026-12" */
static int period_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n != 4 && n != 7)
        return 0;
    for (int i = 0; i < 4; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    if (n == 4)
        return 1;
    if (p[4] != '-')
        return 0;
    if (p[5] == 'Q')
        return p[6] >= '1' && p[6] <= '4';
    if (p[5] < '0' || p[5] > '1' || p[6] < '0' || p[6] > '9')
        return 0;
    int m = (p[5] - '0') * 10 + (p[6] - '0');
    return m >= 1 && m <= 12;
}

int nomination_quota(int64_t top_n, int64_t count, int64_t percent)
{
    if (count > 0)
        return (int)count;
    int64_t q = top_n * percent / 100;
    return q < 1 ? 1 : (int)q;
}

/* ---- access ---- */

/* who's home lies inside the subtree at path */
static int home_inside(const struct actor *who, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 1 && strncmp(who->scope, path, n) == 0;
}

int nomination_may_see(const struct actor *who, const char *node_path)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    return staff_role(who->role) && (actor_in_scope(who, node_path) || home_inside(who, node_path));
}

/* the owner (still a leader or admin in scope) or an admin in scope */
static int may_manage(const struct actor *who, const struct nomination *n)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (!actor_in_scope(who, n->node_path))
        return 0;
    return who->role == ROLE_ADMIN ||
           (who->role == ROLE_LEADER && who->staff_id > 0 && who->staff_id == n->opened_by);
}

static int may_vote(const struct actor *who, const struct nomination *n)
{
    return who->staff_id > 0 && staff_role(who->role) && nomination_may_see(who, n->node_path);
}

unsigned nomination_actions(const struct actor *who, const struct nomination *n)
{
    unsigned bits = 0;
    if (strcmp(n->state, "open") != 0 || !nomination_may_see(who, n->node_path))
        return 0;
    int vote = strcmp(n->mode, "vote") == 0;
    if (vote && !n->voted && may_vote(who, n))
        bits |= NOMINATION_ACT_VOTE;
    if (may_manage(who, n)) {
        bits |= NOMINATION_ACT_CANCEL;
        if (!vote)
            bits |= NOMINATION_ACT_DECIDE;
        if (vote ? n->ballots > 0 : n->decided_at > 0)
            bits |= NOMINATION_ACT_CLOSE;
    }
    return bits;
}

/* ---- reading ---- */

#define NOM_COLS                                                                                   \
    "n.id, n.card_id, n.node_id, n.period, n.kind, n.subject, n.mode, n.state, n.top_n,"           \
    " n.quota, COALESCE(n.quota_percent, 0), n.ballots, COALESCE(n.opened_by, 0),"                 \
    " COALESCE(n.decided_by, 0), COALESCE(n.decided_at, 0), COALESCE(n.closed_by, 0),"             \
    " COALESCE(n.closed_at, 0), n.created_at, n.updated_at, n.node_path, o.name, c.name,"          \
    " so.name, sd.name, sc.name, n.decision_reason, n.cancel_reason,"                              \
    " CASE WHEN b.voter_id IS NULL THEN 0 ELSE 1 END"
#define NOM_FROM                                                                                   \
    " FROM nomination n JOIN org_node o ON o.id = n.node_id"                                       \
    " JOIN score_card c ON c.id = n.card_id LEFT JOIN staff so ON so.id = n.opened_by"             \
    " LEFT JOIN staff sd ON sd.id = n.decided_by LEFT JOIN staff sc ON sc.id = n.closed_by"        \
    " LEFT JOIN nomination_ballot b ON b.nomination_id = n.id AND b.voter_id = ?1"

static const char SQL_NOM_GET[] = "SELECT " NOM_COLS NOM_FROM " WHERE n.id = ?2";

static int read_row(struct db_stmt *st, struct arena *a, struct nomination *n)
{
    int oom = 0;
    memset(n, 0, sizeof(*n));
    n->id = db_col_int64(st, 0);
    n->card_id = db_col_int64(st, 1);
    n->node_id = db_col_int64(st, 2);
    copy(n->period, sizeof(n->period), db_col_text(st, 3));
    copy(n->kind, sizeof(n->kind), db_col_text(st, 4));
    copy(n->subject, sizeof(n->subject), db_col_text(st, 5));
    copy(n->mode, sizeof(n->mode), db_col_text(st, 6));
    copy(n->state, sizeof(n->state), db_col_text(st, 7));
    n->top_n = (int)db_col_int64(st, 8);
    n->quota = (int)db_col_int64(st, 9);
    n->quota_percent = (int)db_col_int64(st, 10);
    n->ballots = db_col_int64(st, 11);
    n->opened_by = db_col_int64(st, 12);
    n->decided_by = db_col_int64(st, 13);
    n->decided_at = db_col_int64(st, 14);
    n->closed_by = db_col_int64(st, 15);
    n->closed_at = db_col_int64(st, 16);
    n->created_at = db_col_int64(st, 17);
    n->updated_at = db_col_int64(st, 18);
    n->node_path = col_copy(st, 19, a, &oom);
    n->node_name = col_copy(st, 20, a, &oom);
    n->card_name = col_copy(st, 21, a, &oom);
    n->opened_by_name = col_copy(st, 22, a, &oom);
    n->decided_by_name = col_copy(st, 23, a, &oom);
    n->closed_by_name = col_copy(st, 24, a, &oom);
    n->decision_reason = col_copy(st, 25, a, &oom);
    n->cancel_reason = col_copy(st, 26, a, &oom);
    n->voted = db_col_int64(st, 27) != 0;
    if (!n->node_path)
        n->node_path = "";
    return oom ? ERR_NOMEM : 0;
}

/* The nomination row (no candidates) with voter's `voted`. */
static int read_one(struct db *db, int64_t voter, int64_t id, struct arena *a,
                    struct nomination *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NOM_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, voter);
    db_bind_int64(st, 2, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_row(st, a, out);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc;
}

static const char SQL_CANDIDATES[] =
    "SELECT c.subject_id, c.place, c.score, c.rank_all, c.stars, c.hall_id, c.unit_id, c.votes,"
    " c.chosen, c.won, COALESCE(w.name, s.name), COALESCE(w.code, s.badge_no), h.name, u.name"
    " FROM nomination_candidate c JOIN nomination n ON n.id = c.nomination_id"
    " LEFT JOIN org_node w ON n.subject = 'window' AND w.id = c.subject_id"
    " LEFT JOIN staff s ON n.subject = 'staff' AND s.id = c.subject_id"
    " LEFT JOIN org_node h ON h.id = c.hall_id LEFT JOIN org_node u ON u.id = c.unit_id"
    " WHERE c.nomination_id = ?1 AND (?2 = 0 OR c.won > 0)"
    " ORDER BY CASE WHEN ?2 = 0 THEN c.place ELSE c.won END";

/* The candidates of n (winners only: in winners' order), into n->cand. */
static int read_candidates(struct db *db, struct nomination *n, int winners, struct arena *a)
{
    n->ncand = 0;
    n->cand = arena_alloc(a, sizeof(*n->cand) * NOMINATION_TOP_MAX);
    if (!n->cand)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CANDIDATES, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, n->id);
    db_bind_int64(st, 2, winners ? 1 : 0);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && n->ncand < NOMINATION_TOP_MAX) {
        struct nomination_candidate *c = &n->cand[n->ncand++];
        memset(c, 0, sizeof(*c));
        c->subject_id = db_col_int64(st, 0);
        c->place = (int)db_col_int64(st, 1);
        c->score = db_col_int64(st, 2);
        c->rank = (int)db_col_int64(st, 3);
        c->stars = (int)db_col_int64(st, 4);
        c->hall_id = db_col_int64(st, 5);
        c->unit_id = db_col_int64(st, 6);
        c->votes = winners ? 0 : db_col_int64(st, 7);
        c->chosen = db_col_int64(st, 8) != 0;
        c->won = (int)db_col_int64(st, 9);
        c->name = col_copy(st, 10, a, &oom);
        c->code = col_copy(st, 11, a, &oom);
        c->hall_name = col_copy(st, 12, a, &oom);
        c->unit_name = col_copy(st, 13, a, &oom);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return oom ? ERR_NOMEM : 0;
}

static const char SQL_VOTERS[] =
    "SELECT b.voter_id, s.name, b.cast_at FROM nomination_ballot b"
    " JOIN staff s ON s.id = b.voter_id WHERE b.nomination_id = ?1 ORDER BY b.cast_at, b.voter_id"
    " LIMIT ?2";
#define VOTERS_MAX 5000

static int read_voters(struct db *db, struct nomination *n, struct arena *a)
{
    int64_t cap = n->ballots < VOTERS_MAX ? n->ballots : VOTERS_MAX;
    n->nvoters = 0;
    n->voters = NULL;
    if (cap <= 0)
        return 0;
    n->voters = arena_alloc(a, sizeof(*n->voters) * (size_t)cap);
    if (!n->voters)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_VOTERS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, n->id);
    db_bind_int64(st, 2, cap);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && n->nvoters < cap) {
        struct nomination_voter *v = &n->voters[n->nvoters++];
        v->staff_id = db_col_int64(st, 0);
        v->name = col_copy(st, 1, a, &oom);
        v->cast_at = db_col_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return oom ? ERR_NOMEM : 0;
}

int nomination_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                   struct nomination *out, struct err *e)
{
    int rc = read_one(db, who ? who->staff_id : 0, id, a, out);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such nomination");
    if (rc < 0)
        return db_fail(e, rc);
    if (who && !nomination_may_see(who, out->node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    if ((rc = read_candidates(db, out, 0, a)) < 0)
        return db_fail(e, rc);
    out->full = 1;
    out->show_voters = who && may_manage(who, out);
    if (out->show_voters && (rc = read_voters(db, out, a)) < 0)
        return db_fail(e, rc);
    return 0;
}

/* ---- lists ---- */

#define NOM_WHERE                                                                                  \
    " WHERE ((n.node_path >= ?2 AND n.node_path < ?3)"                                             \
    " OR n.node_path IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11))"                                       \
    " AND (?12 = 0 OR n.card_id = ?12) AND (?13 = '' OR n.period = ?13)"                           \
    " AND (?14 = '' OR n.kind = ?14) AND (?15 = '' OR n.state = ?15)"

static const char SQL_NOM_LIST[] =
    "SELECT " NOM_COLS NOM_FROM NOM_WHERE " ORDER BY n.id DESC LIMIT ?16 OFFSET ?17";
static const char SQL_NOM_COUNT[] = "SELECT COUNT(*)" NOM_FROM NOM_WHERE;

struct nom_query {
    int64_t voter;
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    char anc[ANCESTORS_MAX][ACTOR_PATH_MAX];
    int64_t card_id;
    const char *period, *kind, *state;
};

/* [lo, hi): the paths in the subtree at path ("/1/4/" → "/1/4/" .. "/1/40") */
static void subtree_range(const char *path, char *lo, char *hi)
{
    copy(lo, ACTOR_PATH_MAX, path);
    copy(hi, ACTOR_PATH_MAX, path);
    size_t n = strlen(hi);
    if (n > 0)
        hi[n - 1] = (char)(hi[n - 1] + 1); /* '/' + 1 = '0' */
}

/* The strict ancestors' paths of path ("/1/4/9/" → "/1/", "/1/4/"), the
 * first ANCESTORS_MAX of them; the rest stay "". */
static void ancestors(const char *path, char anc[ANCESTORS_MAX][ACTOR_PATH_MAX])
{
    int k = 0;
    size_t n = strlen(path);
    for (size_t i = 1; i + 1 < n && k < ANCESTORS_MAX; i++)
        if (path[i] == '/')
            snprintf(anc[k++], ACTOR_PATH_MAX, "%.*s", (int)(i + 1), path);
}

static void nom_bind(struct db_stmt *st, const void *ctx)
{
    const struct nom_query *q = ctx;
    db_bind_int64(st, 1, q->voter);
    db_bind_text(st, 2, q->lo);
    db_bind_text(st, 3, q->hi);
    for (int i = 0; i < ANCESTORS_MAX; i++)
        db_bind_text(st, 4 + i, q->anc[i]);
    db_bind_int64(st, 12, q->card_id);
    db_bind_text(st, 13, q->period ? q->period : "");
    db_bind_text(st, 14, q->kind ? q->kind : "");
    db_bind_text(st, 15, q->state ? q->state : "");
}

static int nom_read(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    (void)ctx;
    return read_row(st, a, item);
}

int nomination_list(struct db *db, const struct actor *who, const struct nomination_filter *f,
                    struct arena *a, struct nomination **out, int *n, int64_t *total, struct err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    if (f->kind && !one_of(f->kind, KINDS, 2))
        return err_set(e, ERR_INVALID, "kind", "kind must be model_window or service_star");
    if (f->state && !one_of(f->state, STATES, 3))
        return err_set(e, ERR_INVALID, "state", "state must be open, closed or cancelled");
    if (f->period && !period_ok(f->period))
        return err_set(e, ERR_INVALID, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    if (f->page < 1 || f->page > PAGE_MAX)
        return err_set(e, ERR_INVALID, "page", "page must be 1-%d", PAGE_MAX);
    if (f->per_page < 1 || f->per_page > NOMINATION_PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be 1-%d",
                       NOMINATION_PER_PAGE_MAX);
    if (who->role != ROLE_SYSTEM && !staff_role(who->role))
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    struct nom_query *q = arena_alloc(a, sizeof(*q));
    if (!q)
        return db_fail(e, ERR_NOMEM);
    memset(q, 0, sizeof(*q));
    q->voter = who->staff_id;
    subtree_range(who->role == ROLE_SYSTEM ? "/" : who->scope, q->lo, q->hi);
    if (who->role != ROLE_SYSTEM)
        ancestors(who->scope, q->anc);
    q->card_id = f->card_id;
    q->period = f->period;
    q->kind = f->kind;
    q->state = f->state;
    struct case_page p = {SQL_NOM_COUNT, SQL_NOM_LIST, 16, nom_bind, nom_read, q, sizeof(**out)};
    void *items = NULL;
    int rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- opening ---- */

struct card_info {
    int64_t id, node_id;
    char subject[8];
    char path[ACTOR_PATH_MAX];
};

static const char SQL_CARD[] = "SELECT c.id, c.node_id, c.subject, o.path FROM score_card c"
                               " JOIN org_node o ON o.id = c.node_id WHERE c.id = ?1";

static int read_card(struct db *db, int64_t id, struct card_info *c)
{
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_CARD, id, &st);
    if (rc < 0)
        return rc;
    c->id = db_col_int64(st, 0);
    c->node_id = db_col_int64(st, 1);
    copy(c->subject, sizeof(c->subject), db_col_text(st, 2));
    copy(c->path, sizeof(c->path), db_col_text(st, 3));
    db_finalize(st);
    return 0;
}

static const char SQL_PERIOD_STATE[] =
    "SELECT state FROM score_period WHERE card_id = ?1 AND period = ?2";
static const char SQL_EXISTING[] = "SELECT COUNT(*) FROM nomination WHERE card_id = ?1"
                                   " AND period = ?2 AND kind = ?3 AND state <> 'cancelled'";

/* 1 when the card's period is closed, 0 when open or unknown */
static int period_closed(struct db *db, int64_t card_id, const char *period)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PERIOD_STATE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    rc = db_step(st);
    int closed =
        rc == DB_ROW && strcmp(db_col_text(st, 0) ? db_col_text(st, 0) : "", "closed") == 0;
    db_finalize(st);
    return rc < 0 ? rc : closed;
}

static int existing(struct db *db, int64_t card_id, const char *period, const char *kind)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EXISTING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, kind);
    rc = db_step(st);
    int64_t count = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc < 0 ? rc : count > 0;
}

struct pick {
    int64_t subject_id, score, hall_id, unit_id;
    int rank, stars;
};

static const char SQL_TOP[] =
    "SELECT subject_id, score, rank_all, stars, hall_id, unit_id FROM score_result"
    " WHERE card_id = ?1 AND period = ?2 AND kind = ?3 AND veto = ''"
    " ORDER BY score DESC, CASE WHEN rank_all > 0 THEN rank_all ELSE 2147483647 END, subject_id"
    " LIMIT ?4";

static int top_results(struct db *db, const struct card_info *c, const char *period, int top_n,
                       struct pick *out, int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_TOP, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, c->subject);
    db_bind_int64(st, 4, top_n);
    while ((rc = db_step(st)) == DB_ROW && *n < top_n) {
        struct pick *p = &out[(*n)++];
        p->subject_id = db_col_int64(st, 0);
        p->score = db_col_int64(st, 1);
        p->rank = (int)db_col_int64(st, 2);
        p->stars = (int)db_col_int64(st, 3);
        p->hall_id = db_col_int64(st, 4);
        p->unit_id = db_col_int64(st, 5);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_NOM_INSERT[] =
    "INSERT INTO nomination (card_id, period, kind, subject, node_id, node_path, mode, top_n,"
    " quota, quota_percent, state, opened_by, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'open', ?11, ?12, ?12) RETURNING id";
static const char SQL_CAND_INSERT[] =
    "INSERT INTO nomination_candidate (nomination_id, subject_id, place, score, rank_all, stars,"
    " hall_id, unit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static int check_input(const struct nomination_input *in, struct err *e)
{
    if (in->card_id <= 0)
        return err_set(e, ERR_INVALID, "card_id", "card_id is required");
    if (!period_ok(in->period))
        return err_set(e, ERR_INVALID, "period", "period must be YYYY, YYYY-Qn or YYYY-MM");
    if (!one_of(in->kind, KINDS, 2))
        return err_set(e, ERR_INVALID, "kind", "kind must be model_window or service_star");
    if (!one_of(in->mode, MODES, 2))
        return err_set(e, ERR_INVALID, "mode", "mode must be vote or decision");
    if (in->top_n < 1 || in->top_n > NOMINATION_TOP_MAX)
        return err_set(e, ERR_INVALID, "top_n", "top_n must be 1-%d", NOMINATION_TOP_MAX);
    if ((in->quota > 0) == (in->quota_percent > 0) || in->quota < 0 || in->quota_percent < 0)
        return err_set(e, ERR_INVALID, "quota", "give the quota as a count or as a percent");
    if (in->quota > in->top_n)
        return err_set(e, ERR_INVALID, "quota", "the quota must be 1-%d (top_n)", (int)in->top_n);
    if (in->quota_percent > 100)
        return err_set(e, ERR_INVALID, "quota_percent", "quota_percent must be 1-100");
    return 0;
}

static int insert_nomination(struct db *db, const struct actor *who,
                             const struct nomination_input *in, const struct card_info *c,
                             int quota, int64_t now, int64_t *id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NOM_INSERT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, in->period);
    db_bind_text(st, 3, in->kind);
    db_bind_text(st, 4, c->subject);
    db_bind_int64(st, 5, c->node_id);
    db_bind_text(st, 6, c->path);
    db_bind_text(st, 7, in->mode);
    db_bind_int64(st, 8, in->top_n);
    db_bind_int64(st, 9, quota);
    bind_opt_id(st, 10, in->quota_percent);
    bind_opt_id(st, 11, who->staff_id);
    db_bind_int64(st, 12, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int insert_candidates(struct db *db, int64_t id, const struct pick *p, int n)
{
    for (int i = 0; i < n; i++) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_CAND_INSERT, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, p[i].subject_id);
        db_bind_int64(st, 3, i + 1);
        db_bind_int64(st, 4, p[i].score);
        db_bind_int64(st, 5, p[i].rank);
        db_bind_int64(st, 6, p[i].stars);
        db_bind_int64(st, 7, p[i].hall_id);
        db_bind_int64(st, 8, p[i].unit_id);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static json_t *picks_json(const struct pick *p, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:I}", "subject_id", (json_int_t)p[i].subject_id,
                                             "score", (json_int_t)p[i].score));
    return arr;
}

int nomination_create(struct db *db, const struct actor *who, const struct nomination_input *in,
                      int64_t now, int64_t *id, struct err *e)
{
    *id = 0;
    int rc = check_input(in, e);
    if (rc < 0)
        return rc;
    struct card_info c;
    rc = read_card(db, in->card_id, &c);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "card_id", "no such scorecard");
    if (rc < 0)
        return db_fail(e, rc);
    if (who->role != ROLE_SYSTEM &&
        ((who->role != ROLE_LEADER && who->role != ROLE_ADMIN) || !actor_in_scope(who, c.path)))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only a leader or administrator over the scorecard's node may do this");
    const char *want = strcmp(c.subject, "window") == 0 ? "model_window" : "service_star";
    if (strcmp(in->kind, want) != 0)
        return err_set(e, ERR_INVALID, "kind", "a %s scorecard takes kind %s", c.subject, want);
    if ((rc = period_closed(db, c.id, in->period)) < 0)
        return db_fail(e, rc);
    if (!rc)
        return err_set(e, ERR_CONFLICT, "period", "the period is not closed");
    if ((rc = existing(db, c.id, in->period, in->kind)) < 0)
        return db_fail(e, rc);
    if (rc)
        return err_set(e, ERR_CONFLICT, "period",
                       "the period already has a nomination of this kind");
    struct pick picks[NOMINATION_TOP_MAX];
    int n = 0;
    if ((rc = top_results(db, &c, in->period, (int)in->top_n, picks, &n)) < 0)
        return db_fail(e, rc);
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "period", "the period has no eligible result");
    int quota = nomination_quota(in->top_n, in->quota, in->quota_percent);
    rc = insert_nomination(db, who, in, &c, quota, now, id);
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "period",
                       "the period already has a nomination of this kind");
    if (rc == 0)
        rc = insert_candidates(db, *id, picks, n);
    if (rc < 0)
        return db_fail(e, rc);
    rc = audit_append(db, who, "nomination.open", "nomination", *id, c.node_id, NULL,
                      json_pack("{s:I,s:s,s:s,s:s,s:I,s:i,s:o}", "card_id", (json_int_t)c.id,
                                "period", in->period, "kind", in->kind, "mode", in->mode, "top_n",
                                (json_int_t)in->top_n, "quota", quota, "candidates",
                                picks_json(picks, n)));
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- ballots and decisions ---- */

/* The nomination for a write (row only), with who's `voted`. */
static int load_for_write(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                          struct nomination *n, struct err *e)
{
    memset(n, 0, sizeof(*n));
    int rc = id > 0 ? read_one(db, who->staff_id, id, a, n) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such nomination");
    if (rc < 0)
        return db_fail(e, rc);
    if (!nomination_may_see(who, n->node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    return 0;
}

static const char SQL_CAND_IDS[] =
    "SELECT subject_id FROM nomination_candidate WHERE nomination_id = ?1 ORDER BY place";

/* Check a choice of candidates: 1..quota, distinct, all candidates, and
 * not self (a service-star ballot's voter). */
static int check_choice(struct db *db, const struct nomination *n, const int64_t *ids, int count,
                        int64_t self, struct err *e)
{
    if (count < 1)
        return err_set(e, ERR_INVALID, "candidate_ids", "choose at least one candidate");
    if (count > n->quota)
        return err_set(e, ERR_INVALID, "candidate_ids", "choose at most %d candidates", n->quota);
    int64_t cand[NOMINATION_TOP_MAX];
    int nc = 0;
    struct db_stmt *st = NULL;
    int rc = case_select_id(db, SQL_CAND_IDS, n->id, &st);
    if (rc == 0) {
        do
            cand[nc++] = db_col_int64(st, 0);
        while (nc < NOMINATION_TOP_MAX && (rc = db_step(st)) == DB_ROW);
        db_finalize(st);
    }
    if (rc < 0 && rc != ERR_NOTFOUND)
        return db_fail(e, rc);
    for (int i = 0; i < count; i++) {
        int found = 0;
        for (int k = 0; k < nc && !found; k++)
            found = cand[k] == ids[i];
        if (!found)
            return err_set(e, ERR_INVALID, "candidate_ids", "%lld is not a candidate",
                           (long long)ids[i]);
        for (int k = 0; k < i; k++)
            if (ids[k] == ids[i])
                return err_set(e, ERR_INVALID, "candidate_ids", "%lld is chosen twice",
                               (long long)ids[i]);
        if (self > 0 && ids[i] == self)
            return err_set(e, ERR_INVALID, "candidate_ids", "you may not vote for yourself");
    }
    return 0;
}

static const char SQL_BALLOT_INSERT[] =
    "INSERT INTO nomination_ballot (nomination_id, voter_id, cast_at) VALUES (?1, ?2, ?3)";
static const char SQL_VOTE_ADD[] = "UPDATE nomination_candidate SET votes = votes + 1"
                                   " WHERE nomination_id = ?1 AND subject_id = ?2";
static const char SQL_BALLOTS_ADD[] =
    "UPDATE nomination SET ballots = ballots + 1, updated_at = ?2 WHERE id = ?1";

static int exec_id2(struct db *db, const char *sql, int64_t a, int64_t b)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, a);
    db_bind_int64(st, 2, b);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int nomination_ballot(struct db *db, const struct actor *who, int64_t id, const int64_t *ids,
                      int count, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct nomination n;
    int rc = load_for_write(db, who, id, &a, &n, e);
    if (rc < 0)
        goto done;
    if (strcmp(n.state, "open") != 0) {
        rc = err_set(e, ERR_CONFLICT, "state", "the nomination is %s", n.state);
    } else if (strcmp(n.mode, "vote") != 0) {
        rc = err_set(e, ERR_CONFLICT, "mode", "this nomination is decided by a leader");
    } else if (!may_vote(who, &n)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only staff under the scorecard's node may vote");
    } else if (n.voted) {
        rc = err_set(e, ERR_CONFLICT, "voter", "you have already voted");
    } else {
        int64_t self = strcmp(n.subject, "staff") == 0 ? who->staff_id : 0;
        rc = check_choice(db, &n, ids, count, self, e);
    }
    if (rc < 0)
        goto done;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_BALLOT_INSERT, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, who->staff_id);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc == ERR_CONFLICT) {
        rc = err_set(e, ERR_CONFLICT, "voter", "you have already voted");
        goto done;
    }
    for (int i = 0; rc >= 0 && i < count; i++)
        rc = exec_id2(db, SQL_VOTE_ADD, id, ids[i]);
    if (rc >= 0)
        rc = exec_id2(db, SQL_BALLOTS_ADD, id, now);
    /* the record says who voted, never for whom */
    if (rc >= 0)
        rc = audit_append(db, who, "nomination.ballot", "nomination", id, n.node_id, NULL, NULL);
    rc = rc < 0 ? db_fail(e, rc) : 0;
done:
    arena_reset(&a);
    return rc;
}

static const char SQL_CHOSEN_CLEAR[] =
    "UPDATE nomination_candidate SET chosen = 0 WHERE nomination_id = ?1 AND chosen = ?2";
static const char SQL_CHOSEN_SET[] = "UPDATE nomination_candidate SET chosen = 1"
                                     " WHERE nomination_id = ?1 AND subject_id = ?2";
static const char SQL_DECISION[] =
    "UPDATE nomination SET decision_reason = ?2, decided_by = ?3, decided_at = ?4,"
    " updated_at = ?4 WHERE id = ?1";

static json_t *ids_json(const int64_t *ids, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_integer(ids[i]));
    return arr;
}

static int manage_check(const struct actor *who, const struct nomination *n, struct err *e)
{
    if (strcmp(n->state, "open") != 0)
        return err_set(e, ERR_CONFLICT, "state", "the nomination is %s", n->state);
    if (!may_manage(who, n))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only the leader who opened it or an administrator may do this");
    return 0;
}

int nomination_decide(struct db *db, const struct actor *who, int64_t id, const int64_t *ids,
                      int count, const char *reason, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct nomination n;
    int rc = load_for_write(db, who, id, &a, &n, e);
    if (rc < 0)
        goto done;
    if ((rc = manage_check(who, &n, e)) < 0)
        goto done;
    if (strcmp(n.mode, "decision") != 0) {
        rc = err_set(e, ERR_CONFLICT, "mode", "this nomination is decided by a vote");
        goto done;
    }
    if (!reason || parse_text(reason, 1, NOMINATION_TEXT_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "reason", "reason must have 1-%d characters",
                     NOMINATION_TEXT_MAX);
        goto done;
    }
    if ((rc = check_choice(db, &n, ids, count, 0, e)) < 0)
        goto done;
    rc = exec_id2(db, SQL_CHOSEN_CLEAR, id, 1); /* the previous decision's */
    for (int i = 0; rc >= 0 && i < count; i++)
        rc = exec_id2(db, SQL_CHOSEN_SET, id, ids[i]);
    struct db_stmt *st = NULL;
    if (rc >= 0 && (rc = db_prepare(db, SQL_DECISION, &st)) == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, reason);
        bind_opt_id(st, 3, who->staff_id);
        db_bind_int64(st, 4, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc >= 0)
        rc = audit_append(
            db, who, "nomination.decide", "nomination", id, n.node_id, NULL,
            json_pack("{s:o,s:s}", "candidate_ids", ids_json(ids, count), "reason", reason));
    rc = rc < 0 ? db_fail(e, rc) : 0;
done:
    arena_reset(&a);
    return rc;
}

/* ---- closing ---- */

static const char SQL_WINNERS_VOTE[] =
    "SELECT subject_id, score FROM nomination_candidate WHERE nomination_id = ?1 AND votes > 0"
    " ORDER BY votes DESC, place LIMIT ?2";
static const char SQL_WINNERS_DECISION[] =
    "SELECT subject_id, score FROM nomination_candidate WHERE nomination_id = ?1 AND chosen = 1"
    " ORDER BY place LIMIT ?2";
static const char SQL_WON[] = "UPDATE nomination_candidate SET won = ?3"
                              " WHERE nomination_id = ?1 AND subject_id = ?2";
static const char SQL_AWARD[] =
    "INSERT INTO score_award (card_id, period, award, kind, subject_id, rank, score, group_id,"
    " nomination_id, awarded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)";
static const char SQL_END[] = "UPDATE nomination SET state = ?2, closed_by = ?3, closed_at = ?4,"
                              " cancel_reason = ?5, updated_at = ?4 WHERE id = ?1";

struct winner {
    int64_t subject_id, score;
};

static int read_winners(struct db *db, const struct nomination *n, struct winner *w, int *nw)
{
    *nw = 0;
    struct db_stmt *st = NULL;
    int vote = strcmp(n->mode, "vote") == 0;
    int rc = db_prepare(db, vote ? SQL_WINNERS_VOTE : SQL_WINNERS_DECISION, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, n->id);
    db_bind_int64(st, 2, n->quota);
    while ((rc = db_step(st)) == DB_ROW && *nw < n->quota && *nw < NOMINATION_TOP_MAX) {
        w[*nw].subject_id = db_col_int64(st, 0);
        w[*nw].score = db_col_int64(st, 1);
        (*nw)++;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int write_award(struct db *db, const struct nomination *n, const struct winner *w, int place,
                       int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WON, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, n->id);
    db_bind_int64(st, 2, w->subject_id);
    db_bind_int64(st, 3, place);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0 || (rc = db_prepare(db, SQL_AWARD, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, n->card_id);
    db_bind_text(st, 2, n->period);
    db_bind_text(st, 3, n->kind);
    db_bind_text(st, 4, n->subject);
    db_bind_int64(st, 5, w->subject_id);
    db_bind_int64(st, 6, place);
    db_bind_int64(st, 7, w->score);
    db_bind_int64(st, 8, n->id);
    db_bind_int64(st, 9, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int end_nomination(struct db *db, const struct actor *who, int64_t id, const char *state,
                          const char *reason, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_END, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, state);
    bind_opt_id(st, 3, who->staff_id);
    db_bind_int64(st, 4, now);
    db_bind_text(st, 5, reason);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int nomination_close(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct nomination n;
    int rc = load_for_write(db, who, id, &a, &n, e);
    if (rc < 0)
        goto done;
    if ((rc = manage_check(who, &n, e)) < 0)
        goto done;
    int vote = strcmp(n.mode, "vote") == 0;
    if (vote && n.ballots == 0) {
        rc = err_set(e, ERR_CONFLICT, "ballots", "no ballot has been cast");
        goto done;
    }
    if (!vote && n.decided_at == 0) {
        rc = err_set(e, ERR_CONFLICT, "decision", "no decision has been recorded");
        goto done;
    }
    struct winner w[NOMINATION_TOP_MAX];
    int nw = 0;
    rc = read_winners(db, &n, w, &nw);
    json_t *list = json_array();
    for (int i = 0; rc >= 0 && i < nw; i++) {
        rc = write_award(db, &n, &w[i], i + 1, now);
        json_array_append_new(list, json_pack("{s:i,s:I,s:I}", "place", i + 1, "subject_id",
                                              (json_int_t)w[i].subject_id, "score",
                                              (json_int_t)w[i].score));
    }
    if (rc >= 0)
        rc = end_nomination(db, who, id, "closed", NULL, now);
    if (rc >= 0) {
        rc = audit_append(db, who, "nomination.close", "nomination", id, n.node_id, NULL,
                          json_pack("{s:s,s:I,s:O}", "mode", n.mode, "ballots",
                                    (json_int_t)n.ballots, "winners", list));
    }
    json_decref(list);
    rc = rc < 0 ? db_fail(e, rc) : 0;
done:
    arena_reset(&a);
    return rc;
}

int nomination_cancel(struct db *db, const struct actor *who, int64_t id, const char *reason,
                      int64_t now, struct err *e)
{
    struct arena a = {0};
    struct nomination n;
    int rc = load_for_write(db, who, id, &a, &n, e);
    if (rc < 0)
        goto done;
    if ((rc = manage_check(who, &n, e)) < 0)
        goto done;
    if (!reason || parse_text(reason, 1, NOMINATION_REASON_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "reason", "reason must have 1-%d characters",
                     NOMINATION_REASON_MAX);
        goto done;
    }
    rc = end_nomination(db, who, id, "cancelled", reason, now);
    if (rc >= 0)
        rc = audit_append(db, who, "nomination.cancel", "nomination", id, n.node_id,
                          json_pack("{s:s}", "state", n.state),
                          json_pack("{s:s,s:s}", "state", "cancelled", "reason", reason));
    rc = rc < 0 ? db_fail(e, rc) : 0;
done:
    arena_reset(&a);
    return rc;
}

/* ---- the public honour list ---- */

#define PUB_WHERE                                                                                  \
    " WHERE n.state = 'closed' AND ((n.node_path >= ?2 AND n.node_path < ?3)"                      \
    " OR n.node_path IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)) AND (?12 = '' OR n.kind = ?12)"
static const char SQL_PUBLIC[] =
    "SELECT " NOM_COLS NOM_FROM PUB_WHERE " ORDER BY n.closed_at DESC, n.id DESC LIMIT ?13";

int nomination_public(struct db *db, int64_t node_id, const char *kind, int limit, struct arena *a,
                      struct nomination **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    if (kind && !one_of(kind, KINDS, 2))
        return err_set(e, ERR_INVALID, "kind", "kind must be model_window or service_star");
    if (limit < 1 || limit > NOMINATION_PUBLIC_MAX)
        return err_set(e, ERR_INVALID, "n", "n must be 1-%d", NOMINATION_PUBLIC_MAX);
    struct nom_query *q = arena_alloc(a, sizeof(*q));
    struct nomination *items = arena_alloc(a, sizeof(*items) * (size_t)limit);
    if (!q || !items)
        return db_fail(e, ERR_NOMEM);
    memset(q, 0, sizeof(*q));
    if (node_id > 0) {
        struct org_node node;
        int rc = org_get(db, node_id, &node);
        if (rc == ERR_NOTFOUND || (rc == 0 && !node.active))
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return db_fail(e, rc);
        subtree_range(node.path, q->lo, q->hi);
        ancestors(node.path, q->anc);
    } else {
        subtree_range("/", q->lo, q->hi);
    }
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PUBLIC, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, 0);
    db_bind_text(st, 2, q->lo);
    db_bind_text(st, 3, q->hi);
    for (int i = 0; i < ANCESTORS_MAX; i++)
        db_bind_text(st, 4 + i, q->anc[i]);
    db_bind_text(st, 12, kind ? kind : "");
    db_bind_int64(st, 13, limit);
    while ((rc = db_step(st)) == DB_ROW && *n < limit) {
        if ((rc = read_row(st, a, &items[*n])) < 0)
            break;
        (*n)++;
    }
    db_finalize(st);
    for (int i = 0; rc >= 0 && i < *n; i++)
        rc = read_candidates(db, &items[i], 1, a);
    if (rc < 0)
        return db_fail(e, rc);
    *out = items;
    return 0;
}

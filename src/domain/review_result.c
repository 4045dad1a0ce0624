/* review_result.c - closing a review round (per subject and group means,
 * the weighted total, frozen), the results and the individual ratings, and
 * the reads of the scoring engine (review.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/review.h"
#include "domain/review_impl.h"
#include "domain/score.h"

#define RATINGS_MAX 100000
#define E4 10000.0

/* One figure for one subject: group g's mean and count, or (g = -1) the
 * number of distinct raters. */
struct part {
    int64_t subject;
    int g;
    double mean_e4;
    int64_t n;
};

struct parts {
    struct part *v;
    size_t n, cap;
};

static int parts_add(struct parts *p, int64_t subject, int g, double mean_e4, int64_t n)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 256;
        struct part *v = realloc(p->v, ncap * sizeof(*v));
        if (!v)
            return ERR_NOMEM;
        p->v = v;
        p->cap = ncap;
    }
    p->v[p->n++] = (struct part){subject, g, mean_e4, n};
    return 0;
}

static int part_cmp(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    if (x->subject != y->subject)
        return x->subject < y->subject ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

/* The months and days a period covers: [m0, m1] ('YYYY-MM'), [d0, d1]
 * ('YYYY-MM-DD', d1 the month's 31st, compared as text). */
static void period_range(const char *p, char m0[8], char m1[8], char d0[11], char d1[11])
{
    int y = atoi(p), a = 1, b = 12;
    if (strlen(p) == 7 && p[5] == 'Q') {
        a = (p[6] - '0') * 3 - 2;
        b = a + 2;
    } else if (strlen(p) == 7) {
        a = b = atoi(p + 5);
    }
    y = y < 0 ? 0 : y > 9999 ? 9999 : y;
    a = a < 1 ? 1 : a > 12 ? 12 : a;
    b = b < 1 ? 1 : b > 12 ? 12 : b;
    snprintf(m0, 8, "%04d-%02d", y, a);
    snprintf(m1, 8, "%04d-%02d", y, b);
    snprintf(d0, 11, "%04d-%02d-01", y, a);
    snprintf(d1, 11, "%04d-%02d-31", y, b);
}

static const char SQL_GROUP_SUMS[] =
    "SELECT subject_id, group_code, SUM(score_e4), COUNT(*) FROM review_rating"
    " WHERE round_id = ?1 GROUP BY subject_id, group_code";
static const char SQL_RATERS[] =
    "SELECT subject_id, COUNT(DISTINCT CASE WHEN rater_id IS NOT NULL THEN rater_id"
    " ELSE -vote_id END) FROM review_rating WHERE round_id = ?1 GROUP BY subject_id";
/* satisfaction as eval_stats' active_good_rate: active_good / (active - excluded) */
static const char SQL_STAFF_METRICS[] =
    "SELECT r.staff_id, SUM(r.active_good), SUM(r.active) - SUM(r.excluded) FROM eval_rollup r"
    " JOIN staff s ON s.id = r.staff_id JOIN org_node n ON n.id = s.node_id"
    " WHERE r.day >= ?1 AND r.day <= ?2 AND n.path >= ?3 AND n.path < ?4"
    " GROUP BY r.staff_id";
static const char SQL_WINDOW_METRICS[] =
    "SELECT m.window_id, SUM(m.active_good), SUM(m.active) - SUM(m.excluded)"
    " FROM eval_month_window m JOIN org_node w ON w.id = m.window_id"
    " WHERE m.month >= ?1 AND m.month <= ?2 AND w.kind = 'window' AND w.path >= ?3"
    " AND w.path < ?4 GROUP BY m.window_id";
static const char SQL_INS_RESULT[] =
    "INSERT INTO review_result (round_id, subject_id, subject_kind, period, total_e4, raters)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INS_RESULT_GROUP[] =
    "INSERT INTO review_result_group (round_id, subject_id, group_code, seq, mean_e4, n)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

static int collect_ratings(struct db *db, const struct review_round *r, struct parts *p)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GROUP_SUMS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    while ((rc = db_step(st)) == DB_ROW) {
        int g = review_group_index(r, db_col_text(st, 1));
        int64_t n = db_col_int64(st, 3);
        if (g >= 0 && n > 0 &&
            (rc = parts_add(p, db_col_int64(st, 0), g, (double)db_col_int64(st, 2) / (double)n,
                            n)) < 0)
            break;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = db_prepare(db, SQL_RATERS, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    while ((rc = db_step(st)) == DB_ROW)
        if ((rc = parts_add(p, db_col_int64(st, 0), -1, 0, db_col_int64(st, 1))) < 0)
            break;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int collect_metrics(struct db *db, const struct review_round *r, int g, struct parts *p)
{
    char m0[8], m1[8], d0[11], d1[11], start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    period_range(r->period, m0, m1, d0, d1);
    review_range(r->node_path, start, end, sizeof(start));
    int staff = strcmp(r->subject_kind, "staff") == 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, staff ? SQL_STAFF_METRICS : SQL_WINDOW_METRICS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, staff ? d0 : m0);
    db_bind_text(st, 2, staff ? d1 : m1);
    db_bind_text(st, 3, start);
    db_bind_text(st, 4, end);
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t good = db_col_int64(st, 1), den = db_col_int64(st, 2);
        if (den > 0 && (rc = parts_add(p, db_col_int64(st, 0), g,
                                       (double)good * 100.0 * E4 / (double)den, den)) < 0)
            break;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int insert_result(struct db *db, const struct review_round *r, const struct part *v,
                         size_t n)
{
    double wsum = 0, total = 0;
    int64_t raters = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].g < 0) {
            raters = v[i].n;
            continue;
        }
        double w = (double)r->form.groups[v[i].g].weight;
        wsum += w;
        total += w * v[i].mean_e4;
    }
    if (wsum <= 0)
        return 0; /* no group present: no result */
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INS_RESULT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, v[0].subject);
    db_bind_text(st, 3, r->subject_kind);
    db_bind_text(st, 4, r->period);
    db_bind_int64(st, 5, llround(total / wsum));
    db_bind_int64(st, 6, raters);
    rc = db_step(st);
    db_finalize(st);
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        if (v[i].g < 0)
            continue;
        if ((rc = db_prepare(db, SQL_INS_RESULT_GROUP, &st)) < 0)
            break;
        db_bind_int64(st, 1, r->id);
        db_bind_int64(st, 2, v[i].subject);
        db_bind_text(st, 3, r->form.groups[v[i].g].code);
        db_bind_int64(st, 4, v[i].g);
        db_bind_int64(st, 5, llround(v[i].mean_e4));
        db_bind_int64(st, 6, v[i].n);
        rc = db_step(st);
        db_finalize(st);
    }
    /* the subject's live scores take the frozen review result */
    if (rc >= 0)
        rc = score_touch(db, r->subject_kind, v[0].subject);
    return rc < 0 ? rc : 0;
}

int review_close(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e)
{
    struct review_round r;
    int rc = review_load(db, id, 1, &r, e);
    if (rc < 0)
        return rc;
    int acc = review_access(who, &r);
    if (acc < 2)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       acc ? "only the round's owner or an admin may change the round"
                           : "the review round is outside your scope");
    if (strcmp(r.state, "open") != 0)
        return err_set(e, ERR_CONFLICT, "state", "only an open round can be closed");
    struct parts p = {0};
    rc = collect_ratings(db, &r, &p);
    for (int g = 0; rc == 0 && g < r.form.ngroups; g++)
        if (strcmp(r.form.groups[g].kind, "public_metrics") == 0)
            rc = collect_metrics(db, &r, g, &p);
    if (rc == 0 && p.n)
        qsort(p.v, p.n, sizeof(*p.v), part_cmp);
    for (size_t i = 0; rc == 0 && i < p.n;) {
        size_t j = i;
        while (j < p.n && p.v[j].subject == p.v[i].subject)
            j++;
        rc = insert_result(db, &r, p.v + i, j - i);
        i = j;
    }
    free(p.v);
    if (rc < 0)
        return review_db_fail(e, rc);
    return review_set_state(db, who, &r, "open", "closed", now, e);
}

/* ---- results ---- */

static const char SQL_RESULTS[] =
    "SELECT x.subject_id, COALESCE(s.name, w.name, ''), COALESCE(n.path, w.path, ''),"
    " x.total_e4, x.raters FROM review_result x"
    " LEFT JOIN staff s ON x.subject_kind = 'staff' AND s.id = x.subject_id"
    " LEFT JOIN org_node n ON n.id = s.node_id"
    " LEFT JOIN org_node w ON x.subject_kind = 'window' AND w.id = x.subject_id"
    " WHERE x.round_id = ?1 ORDER BY x.total_e4 DESC, x.subject_id";
static const char SQL_RESULT_GROUPS[] =
    "SELECT subject_id, group_code, mean_e4, n FROM review_result_group WHERE round_id = ?1"
    " ORDER BY subject_id, seq";

/* results by subject id, to attach each group row to its result */
struct by_id {
    int64_t subject;
    int at;
};

static int by_subject(const void *a, const void *b)
{
    const struct by_id *x = a, *y = b;
    return x->subject < y->subject ? -1 : x->subject > y->subject;
}

static int sees_all(const struct actor *who)
{
    return who->role == ROLE_LEADER || who->role == ROLE_SUPERVISOR || who->role == ROLE_ADMIN ||
           who->role == ROLE_SYSTEM;
}

int review_results(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                   struct review_result **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct review_round r;
    int rc = review_get(db, who, round_id, &r, e);
    if (rc < 0)
        return rc;
    if (strcmp(r.state, "closed") != 0)
        return err_set(e, ERR_CONFLICT, "state", "results are published when the round closes");
    struct review_person me;
    struct err ignore = {0};
    int has_me = who->staff_id && review_rater_load(db, who, &me, &ignore) == 0;
    int staff = strcmp(r.subject_kind, "staff") == 0;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_RESULTS, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    struct review_result *items = NULL;
    int k = 0, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t sid = db_col_int64(st, 0);
        const char *path = db_col_text(st, 2);
        int own = has_me && (staff ? me.id == sid : review_serves(&me, sid));
        if (!own && !(sees_all(who) && actor_in_scope(who, path ? path : "")))
            continue;
        if (k == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct review_result *x = arena_alloc(a, sizeof(*x) * (size_t)ncap);
            if (!x) {
                rc = ERR_NOMEM;
                break;
            }
            if (k)
                memcpy(x, items, sizeof(*x) * (size_t)k);
            items = x;
            cap = ncap;
        }
        struct review_result *o = &items[k++];
        memset(o, 0, sizeof(*o));
        o->subject_id = sid;
        o->subject_name = arena_strdup(a, db_col_text(st, 1));
        o->s.total = (double)db_col_int64(st, 3) / E4;
        o->s.raters = db_col_int64(st, 4);
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    if (!k)
        return 0;
    struct by_id *index = arena_alloc(a, sizeof(*index) * (size_t)k);
    if (!index)
        return review_db_fail(e, ERR_NOMEM);
    for (int i = 0; i < k; i++)
        index[i] = (struct by_id){items[i].subject_id, i};
    qsort(index, (size_t)k, sizeof(*index), by_subject);
    if ((rc = db_prepare(db, SQL_RESULT_GROUPS, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    while ((rc = db_step(st)) == DB_ROW) {
        struct by_id key = {db_col_int64(st, 0), 0};
        const struct by_id *hit = bsearch(&key, index, (size_t)k, sizeof(*index), by_subject);
        if (!hit || items[hit->at].s.ngroups >= REVIEW_MAX_GROUPS)
            continue;
        struct review_score *s = &items[hit->at].s;
        snprintf(s->group[s->ngroups].code, sizeof(s->group[0].code), "%s", db_col_text(st, 1));
        s->group[s->ngroups].mean = (double)db_col_int64(st, 2) / E4;
        s->group[s->ngroups].n = db_col_int64(st, 3);
        s->ngroups++;
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    *out = items;
    *n = k;
    return 0;
}

static const char SQL_RATINGS[] =
    "SELECT x.id, x.subject_id, COALESCE(x.rater_id, 0), COALESCE(x.vote_id, 0), x.group_code,"
    " COALESCE(s.name, w.name, ''), COALESCE(rs.name, ''), x.comment, x.score_e4, x.created_at"
    " FROM review_rating x"
    " LEFT JOIN staff s ON ?2 = 'staff' AND s.id = x.subject_id"
    " LEFT JOIN org_node w ON ?2 = 'window' AND w.id = x.subject_id"
    " LEFT JOIN staff rs ON rs.id = x.rater_id"
    " WHERE x.round_id = ?1 ORDER BY x.id LIMIT 100000";
static const char SQL_RATING_SCORES[] =
    "SELECT sc.rating_id, sc.code, sc.value FROM review_rating_score sc"
    " JOIN review_rating x ON x.id = sc.rating_id WHERE x.round_id = ?1"
    " ORDER BY sc.rating_id, sc.code";

int review_ratings(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                   struct review_rating **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct review_round r;
    int rc = review_load(db, round_id, 0, &r, e);
    if (rc < 0)
        return rc;
    int acc = review_access(who, &r);
    if (acc < 2)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       acc ? "individual ratings are confidential to the round's owner"
                           : "the review round is outside your scope");
    struct review_rating *items = NULL;
    int k = 0, cap = 0;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_RATINGS, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    db_bind_text(st, 2, r.subject_kind);
    while ((rc = db_step(st)) == DB_ROW && k < RATINGS_MAX) {
        if (k == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct review_rating *x = arena_alloc(a, sizeof(*x) * (size_t)ncap);
            if (!x) {
                rc = ERR_NOMEM;
                break;
            }
            if (k)
                memcpy(x, items, sizeof(*x) * (size_t)k);
            items = x;
            cap = ncap;
        }
        struct review_rating *o = &items[k++];
        o->id = db_col_int64(st, 0);
        o->subject_id = db_col_int64(st, 1);
        o->rater_id = db_col_int64(st, 2);
        o->vote_id = db_col_int64(st, 3);
        o->group = arena_strdup(a, db_col_text(st, 4));
        o->subject_name = arena_strdup(a, db_col_text(st, 5));
        o->rater_name = arena_strdup(a, db_col_text(st, 6));
        o->comment = arena_strdup(a, db_col_text(st, 7));
        o->score = (double)db_col_int64(st, 8) / E4;
        o->created_at = db_col_int64(st, 9);
        o->scores = "";
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    if ((rc = db_prepare(db, SQL_RATING_SCORES, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    int at = 0; /* both lists ascend by rating id */
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rid = db_col_int64(st, 0);
        while (at < k && items[at].id < rid)
            at++;
        if (at >= k || items[at].id != rid)
            continue;
        const char *prev = items[at].scores;
        char *s = arena_printf(a, "%s%s%s=%lld", prev, *prev ? "," : "", db_col_text(st, 1),
                               (long long)db_col_int64(st, 2));
        if (!s) {
            rc = ERR_NOMEM;
            break;
        }
        items[at].scores = s;
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    *out = items;
    *n = k;
    return 0;
}

/* ---- for the scoring engine ---- */

static const char SQL_PERIOD[] =
    "SELECT x.subject_kind, x.subject_id, x.round_id, x.total_e4, x.raters, g.group_code,"
    " g.mean_e4, g.n FROM review_result x LEFT JOIN review_result_group g"
    " ON g.round_id = x.round_id AND g.subject_id = x.subject_id"
    " WHERE x.period = ?1 ORDER BY x.subject_kind, x.subject_id, x.round_id, g.seq";
static const char SQL_PERIOD_ONE[] =
    "SELECT x.subject_kind, x.subject_id, x.round_id, x.total_e4, x.raters, g.group_code,"
    " g.mean_e4, g.n FROM review_result x LEFT JOIN review_result_group g"
    " ON g.round_id = x.round_id AND g.subject_id = x.subject_id"
    " WHERE x.period = ?1 AND x.subject_kind = ?2 AND x.subject_id = ?3"
    " ORDER BY x.subject_kind, x.subject_id, x.round_id, g.seq";

/* A subject's merge in progress: totals summed over rounds, groups' means
 * weighted by their counts. */
struct merge {
    char kind[8];
    int64_t subject, round;
    int rounds;
    double total_sum;
    double group_sum[REVIEW_MAX_GROUPS];
    struct review_score s;
};

static void merge_start(struct merge *m, const char *kind, int64_t subject)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->kind, sizeof(m->kind), "%s", kind);
    m->subject = subject;
}

static void merge_row(struct merge *m, struct db_stmt *st)
{
    int64_t round = db_col_int64(st, 2);
    if (round != m->round || !m->rounds) {
        m->round = round;
        m->rounds++;
        m->total_sum += (double)db_col_int64(st, 3) / E4;
        m->s.raters += db_col_int64(st, 4);
    }
    const char *code = db_col_text(st, 5);
    if (!code)
        return;
    int g = -1;
    for (int i = 0; i < m->s.ngroups; i++)
        if (strcmp(m->s.group[i].code, code) == 0)
            g = i;
    if (g < 0) {
        if (m->s.ngroups >= REVIEW_MAX_GROUPS)
            return;
        g = m->s.ngroups++;
        snprintf(m->s.group[g].code, sizeof(m->s.group[g].code), "%s", code);
    }
    int64_t n = db_col_int64(st, 7);
    m->group_sum[g] += (double)db_col_int64(st, 6) / E4 * (double)n;
    m->s.group[g].n += n;
}

static void merge_end(struct merge *m)
{
    m->s.total = m->rounds ? m->total_sum / m->rounds : 0;
    for (int g = 0; g < m->s.ngroups; g++)
        m->s.group[g].mean = m->s.group[g].n ? m->group_sum[g] / (double)m->s.group[g].n : 0;
}

static int period_each(struct db *db, const char *sql, const char *period, const char *kind,
                       int64_t subject,
                       int (*fn)(void *ctx, const char *kind, int64_t subject_id,
                                 const struct review_score *s),
                       void *ctx)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, period ? period : "");
    if (kind) {
        db_bind_text(st, 2, kind);
        db_bind_int64(st, 3, subject);
    }
    struct merge *m = malloc(sizeof(*m));
    if (!m) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    int have = 0, stop = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *k = db_col_text(st, 0);
        int64_t sid = db_col_int64(st, 1);
        if (have && (sid != m->subject || strcmp(k ? k : "", m->kind) != 0)) {
            merge_end(m);
            if ((stop = fn(ctx, m->kind, m->subject, &m->s)) != 0)
                break;
            have = 0;
        }
        if (!have) {
            merge_start(m, k ? k : "", sid);
            have = 1;
        }
        merge_row(m, st);
    }
    if (rc >= 0 && !stop && have) {
        merge_end(m);
        stop = fn(ctx, m->kind, m->subject, &m->s);
    }
    db_finalize(st);
    free(m);
    if (stop)
        return stop;
    return rc < 0 ? rc : 0;
}

int review_results_period(struct db *db, const char *period,
                          int (*fn)(void *ctx, const char *kind, int64_t subject_id,
                                    const struct review_score *s),
                          void *ctx)
{
    return period_each(db, SQL_PERIOD, period, NULL, 0, fn, ctx);
}

static int copy_score(void *ctx, const char *kind, int64_t subject_id, const struct review_score *s)
{
    (void)kind;
    (void)subject_id;
    *(struct review_score *)ctx = *s;
    return 1;
}

int review_result_subject(struct db *db, const char *period, const char *kind, int64_t subject_id,
                          struct review_score *out, int *found)
{
    memset(out, 0, sizeof(*out));
    *found = 0;
    int rc = period_each(db, SQL_PERIOD_ONE, period, kind ? kind : "", subject_id, copy_score, out);
    if (rc == 1) {
        *found = 1;
        return 0;
    }
    return rc;
}

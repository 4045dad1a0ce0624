/* review_rate.c - who rates whom in a review round, ratings, the raters' to-do
 * lists and the public vote (review.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/pii.h"
#include "domain/review.h"
#include "domain/review_impl.h"

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

/* ---- units ---- */

static const char SQL_UNITS[] =
    "SELECT path FROM org_node WHERE kind = 'unit' AND ((path >= ?1 AND path < ?2)"
    " OR path = substr(?1, 1, length(path))) ORDER BY path LIMIT 20000";

int review_units_load(struct db *db, const char *round_path, struct arena *a,
                      struct review_units *u)
{
    char start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    review_range(round_path, start, end, sizeof(start));
    u->n = 0;
    u->paths = NULL;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_UNITS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, start);
    db_bind_text(st, 2, end);
    int cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (u->n == cap) {
            int ncap = cap ? cap * 2 : 16;
            const char **p = arena_alloc(a, sizeof(*p) * (size_t)ncap);
            if (!p) {
                rc = ERR_NOMEM;
                break;
            }
            if (u->n)
                memcpy(p, u->paths, sizeof(*p) * (size_t)u->n);
            u->paths = p;
            cap = ncap;
        }
        const char *s = arena_strdup(a, db_col_text(st, 0));
        if (!s) {
            rc = ERR_NOMEM;
            break;
        }
        u->paths[u->n++] = s;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

const char *review_unit_of(const struct review_units *u, const char *path)
{
    const char *best = "";
    size_t bl = 0;
    for (int i = 0; u && i < u->n; i++) {
        size_t l = strlen(u->paths[i]);
        if (l > bl && strncmp(u->paths[i], path, l) == 0) {
            best = u->paths[i];
            bl = l;
        }
    }
    return best;
}

/* ---- raters and subjects ---- */

static const char SQL_RATER[] =
    "SELECT s.id, n.path, s.party_member, s.party_branch, s.role, s.active FROM staff s"
    " JOIN org_node n ON n.id = s.node_id WHERE s.id = ?1";
static const char SQL_RATER_WINDOWS[] =
    "SELECT window_id FROM window_assignment WHERE staff_id = ?1 AND ended_at IS NULL"
    " ORDER BY window_id LIMIT 64";

int review_rater_load(struct db *db, const struct actor *who, struct review_person *p,
                      struct err *e)
{
    memset(p, 0, sizeof(*p));
    if (!who->staff_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts rate");
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RATER, &st);
    if (rc < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, who->staff_id);
    rc = db_step(st);
    int active = 0;
    if (rc == DB_ROW) {
        p->id = db_col_int64(st, 0);
        copy(p->path, sizeof(p->path), db_col_text(st, 1));
        p->party = (int)db_col_int64(st, 2);
        copy(p->branch, sizeof(p->branch), db_col_text(st, 3));
        copy(p->role, sizeof(p->role), db_col_text(st, 4));
        active = (int)db_col_int64(st, 5);
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    if (rc == DB_DONE || !active)
        return err_set(e, ERR_FORBIDDEN, NULL, "only active staff accounts rate");
    if ((rc = db_prepare(db, SQL_RATER_WINDOWS, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, p->id);
    while ((rc = db_step(st)) == DB_ROW && p->nwindows < REVIEW_WINDOWS_MAX)
        p->windows[p->nwindows++] = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? review_db_fail(e, rc) : 0;
}

int review_serves(const struct review_person *p, int64_t w)
{
    for (int i = 0; i < p->nwindows; i++)
        if (p->windows[i] == w)
            return 1;
    return 0;
}

static const char SQL_STAFF_SUBJECTS[] =
    "SELECT s.id, s.name, n.path, s.party_member, s.party_branch, s.role, n.name FROM staff s"
    " JOIN org_node n ON n.id = s.node_id WHERE s.active = 1 AND n.path >= ?1 AND n.path < ?2"
    " ORDER BY s.name, s.id";
static const char SQL_WINDOW_SUBJECTS[] =
    "SELECT w.id, w.name, w.path, 0, '', '', COALESCE(h.name, '') FROM org_node w"
    " LEFT JOIN org_node h ON h.id = w.parent_id WHERE w.kind = 'window' AND w.active = 1"
    " AND w.path >= ?1 AND w.path < ?2 ORDER BY w.path";
static const char SQL_STAFF_SUBJECT[] =
    "SELECT s.id, s.name, n.path, s.party_member, s.party_branch, s.role, n.name FROM staff s"
    " JOIN org_node n ON n.id = s.node_id WHERE s.active = 1 AND n.path >= ?1 AND n.path < ?2"
    " AND s.id = ?3";
static const char SQL_WINDOW_SUBJECT[] =
    "SELECT w.id, w.name, w.path, 0, '', '', COALESCE(h.name, '') FROM org_node w"
    " LEFT JOIN org_node h ON h.id = w.parent_id WHERE w.kind = 'window' AND w.active = 1"
    " AND w.path >= ?1 AND w.path < ?2 AND w.id = ?3";

static int read_subject(struct db_stmt *st, struct arena *a, struct review_person *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_col_int64(st, 0);
    s->name = arena_strdup(a, db_col_text(st, 1));
    copy(s->path, sizeof(s->path), db_col_text(st, 2));
    s->party = (int)db_col_int64(st, 3);
    copy(s->branch, sizeof(s->branch), db_col_text(st, 4));
    copy(s->role, sizeof(s->role), db_col_text(st, 5));
    s->unit_name = arena_strdup(a, db_col_text(st, 6));
    return s->name && s->unit_name ? 0 : ERR_NOMEM;
}

int review_subject_load(struct db *db, const struct review_round *r, int64_t id, struct arena *a,
                        struct review_person *s)
{
    char start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    review_range(r->node_path, start, end, sizeof(start));
    int staff = strcmp(r->subject_kind, "staff") == 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, staff ? SQL_STAFF_SUBJECT : SQL_WINDOW_SUBJECT, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, start);
    db_bind_text(st, 2, end);
    db_bind_int64(st, 3, id);
    memset(s, 0, sizeof(*s));
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_subject(st, a, s);
    else if (rc >= 0)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    return rc;
}

int review_subjects_each(struct db *db, const struct review_round *r, struct arena *a,
                         int (*fn)(void *ctx, struct review_person *s), void *ctx)
{
    char start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    review_range(r->node_path, start, end, sizeof(start));
    int staff = strcmp(r->subject_kind, "staff") == 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, staff ? SQL_STAFF_SUBJECTS : SQL_WINDOW_SUBJECTS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, start);
    db_bind_text(st, 2, end);
    struct review_person s;
    int stop = 0;
    while (!stop && (rc = db_step(st)) == DB_ROW) {
        if ((rc = read_subject(st, a, &s)) < 0)
            break;
        stop = fn(ctx, &s);
    }
    db_finalize(st);
    if (stop)
        return stop < 0 ? stop : 0;
    return rc < 0 ? rc : 0;
}

/* ---- who rates whom ---- */

static int is_leader(const char *role)
{
    return strcmp(role, "leader") == 0 || strcmp(role, "admin") == 0;
}

int review_may_rate(const struct actor *who, const struct review_person *p,
                    const struct review_round *r, const struct review_group *g,
                    const struct review_person *s, struct err *e)
{
    int staff = strcmp(r->subject_kind, "staff") == 0;
    int own = staff ? p->id == s->id : review_serves(p, s->id);
    if (strcmp(g->kind, "self") == 0) {
        if (!own)
            return err_set(e, ERR_FORBIDDEN, NULL,
                           staff ? "in a self review you rate only yourself"
                                 : "in a self review you rate only your own window");
        return 0;
    }
    if (strcmp(g->kind, "leader") == 0) {
        if (!is_leader(p->role) || !actor_in_scope(who, s->path))
            return err_set(e, ERR_FORBIDDEN, NULL,
                           "only leaders over the subject rate in a leader group");
        if (own)
            return err_set(e, ERR_FORBIDDEN, NULL,
                           staff ? "you may not rate yourself"
                                 : "you may not rate your own window");
        return 0;
    }
    if (strcmp(g->kind, "peer") != 0)
        return err_set(e, ERR_INVALID, "group", "group %s has no raters (it is %s)", g->code,
                       g->kind);
    size_t n = strlen(r->node_path);
    if (strncmp(p->path, r->node_path, n) != 0)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only staff of the round's part of the organisation rate as peers");
    if (own)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       staff ? "you may not rate yourself" : "you may not rate your own window");
    if (g->rater_role[0] && strcmp(g->rater_role, p->role) != 0)
        return err_set(e, ERR_FORBIDDEN, NULL, "only accounts with role %s rate in group %s",
                       g->rater_role, g->code);
    if (g->party_only &&
        (!p->party || !s->party || !p->branch[0] || strcmp(p->branch, s->branch) != 0))
        return err_set(e, ERR_FORBIDDEN, NULL, "group %s is for party members of the same branch",
                       g->code);
    if (strcmp(g->unit_scope, "any") != 0) {
        int same = strcmp(p->unit ? p->unit : "", s->unit ? s->unit : "") == 0;
        if (strcmp(g->unit_scope, "same_unit") == 0 && !same)
            return err_set(e, ERR_FORBIDDEN, NULL, "group %s rates colleagues of your own unit",
                           g->code);
        if (strcmp(g->unit_scope, "cross_unit") == 0 && same)
            return err_set(e, ERR_FORBIDDEN, NULL, "group %s rates other units only", g->code);
    }
    return 0;
}

/* ---- rating ---- */

static const char SQL_RATED[] =
    "SELECT id FROM review_rating WHERE round_id = ?1 AND group_code = ?2 AND subject_id = ?3"
    " AND rater_id = ?4";
static const char SQL_INS_RATING[] =
    "INSERT INTO review_rating (round_id, group_code, subject_id, rater_id, vote_id, score_e4,"
    " comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
static const char SQL_INS_SCORE[] =
    "INSERT INTO review_rating_score (rating_id, code, value) VALUES (?1, ?2, ?3)";

/* The weighted score (ten-thousandths of 0..100) of in's values, checked
 * against r's criteria. */
static int score_of(const struct review_round *r, const struct review_rating_input *in,
                    int64_t *out, struct err *e)
{
    double sum = 0;
    char field[48];
    for (int i = 0; i < in->nscores; i++) {
        int known = 0;
        for (int c = 0; c < r->form.ncriteria; c++)
            known |= strcmp(r->form.criteria[c].code, in->scores[i].code) == 0;
        for (int j = 0; j < i; j++)
            known &= strcmp(in->scores[j].code, in->scores[i].code) != 0;
        if (!known) {
            snprintf(field, sizeof(field), "scores.%.30s", in->scores[i].code);
            return err_set(e, ERR_INVALID, field, "%s is not a criterion of the round (or twice)",
                           field);
        }
    }
    for (int c = 0; c < r->form.ncriteria; c++) {
        const struct review_criterion *k = &r->form.criteria[c];
        snprintf(field, sizeof(field), "scores.%s", k->code);
        int found = -1;
        for (int i = 0; i < in->nscores; i++)
            if (strcmp(in->scores[i].code, k->code) == 0)
                found = i;
        if (found < 0)
            return err_set(e, ERR_INVALID, field, "%s is required", field);
        int64_t v = in->scores[found].value;
        if (v < 0 || v > k->scale_max)
            return err_set(e, ERR_INVALID, field, "%s is 0..%lld", field, (long long)k->scale_max);
        sum += (double)k->weight * (double)v * 10000.0 / (double)k->scale_max;
    }
    *out = llround(sum);
    return 0;
}

static int insert_rating(struct db *db, int64_t round_id, const char *group, int64_t subject,
                         int64_t rater, int64_t vote, int64_t score, const char *comment,
                         int64_t now, int64_t *id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INS_RATING, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, round_id);
    db_bind_text(st, 2, group);
    db_bind_int64(st, 3, subject);
    if (rater)
        db_bind_int64(st, 4, rater);
    else
        db_bind_null(st, 4);
    if (vote)
        db_bind_int64(st, 5, vote);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, score);
    db_bind_text(st, 7, comment ? comment : "");
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int review_rate(struct db *db, const struct actor *who, int64_t round_id,
                const struct review_rating_input *in, int64_t now, int64_t *id, struct err *e)
{
    struct review_round r;
    int rc = review_load(db, round_id, 1, &r, e);
    if (rc < 0)
        return rc;
    if (!review_access(who, &r))
        return err_set(e, ERR_FORBIDDEN, NULL, "the review round is outside your scope");
    if (strcmp(r.state, "open") != 0)
        return err_set(e, ERR_CONFLICT, "state", "ratings are taken only while the round is open");
    int gi = review_group_index(&r, in->group);
    if (gi < 0)
        return err_set(e, ERR_INVALID, "group", "no such group in this round");
    const struct review_group *g = &r.form.groups[gi];
    if (strcmp(g->kind, "public_metrics") == 0 || strcmp(g->kind, "public_vote") == 0)
        return err_set(e, ERR_INVALID, "group", "group %s takes no ratings from staff", g->code);
    if (strcmp(g->kind, "leader") == 0 && (!in->comment || !in->comment[0]))
        return err_set(e, ERR_INVALID, "comment", "a leader's rating needs a written comment");
    int64_t score = 0;
    if ((rc = score_of(&r, in, &score, e)) < 0)
        return rc;
    struct review_person p, s;
    if ((rc = review_rater_load(db, who, &p, e)) < 0)
        return rc;
    struct arena a = {0};
    rc = review_subject_load(db, &r, in->subject_id, &a, &s);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_INVALID, "subject_id", "not a subject of this round");
        goto done;
    }
    if (rc < 0) {
        rc = review_db_fail(e, rc);
        goto done;
    }
    if (strcmp(g->unit_scope, "any") != 0) {
        struct review_units u;
        if ((rc = review_units_load(db, r.node_path, &a, &u)) < 0) {
            rc = review_db_fail(e, rc);
            goto done;
        }
        p.unit = review_unit_of(&u, p.path);
        s.unit = review_unit_of(&u, s.path);
    }
    if ((rc = review_may_rate(who, &p, &r, g, &s, e)) < 0)
        goto done;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_RATED, &st)) < 0) {
        rc = review_db_fail(e, rc);
        goto done;
    }
    db_bind_int64(st, 1, r.id);
    db_bind_text(st, 2, g->code);
    db_bind_int64(st, 3, s.id);
    db_bind_int64(st, 4, p.id);
    rc = db_step(st);
    db_finalize(st);
    if (rc == DB_ROW) {
        rc = err_set(e, ERR_CONFLICT, "subject_id",
                     "you have rated this subject in group %s already", g->code);
        goto done;
    }
    if (rc < 0 ||
        (rc = insert_rating(db, r.id, g->code, s.id, p.id, 0, score, in->comment, now, id)) < 0) {
        rc = review_db_fail(e, rc);
        goto done;
    }
    for (int i = 0; i < in->nscores; i++) {
        if ((rc = db_prepare(db, SQL_INS_SCORE, &st)) < 0)
            break;
        db_bind_int64(st, 1, *id);
        db_bind_text(st, 2, in->scores[i].code);
        db_bind_int64(st, 3, in->scores[i].value);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            break;
    }
    rc = rc < 0 ? review_db_fail(e, rc) : 0;
done:
    arena_reset(&a);
    return rc;
}

/* ---- the raters' to-do lists ---- */

static const char SQL_MY_RATINGS[] =
    "SELECT group_code, subject_id FROM review_rating WHERE round_id = ?1 AND rater_id = ?2";

struct rated {
    char group[REVIEW_CODE_MAX + 1];
    int64_t subject;
};

struct todo_ctx {
    const struct actor *who;
    const struct review_person *p;
    const struct review_round *r;
    const struct review_units *u;
    struct review_todo_group *groups;
    int ngroups;
    const struct rated *rated;
    int nrated;
    struct arena *a;
    int rc;
};

static int todo_add(void *arg, struct review_person *s)
{
    struct todo_ctx *c = arg;
    struct err e = {0};
    s->unit = review_unit_of(c->u, s->path);
    for (int i = 0; i < c->ngroups; i++) {
        struct review_todo_group *t = &c->groups[i];
        if (review_may_rate(c->who, c->p, c->r, &t->g, s, &e) < 0)
            continue;
        if (t->nsubjects >= REVIEW_SUBJECTS_MAX) {
            t->truncated = 1;
            continue;
        }
        struct review_subject *o = &t->subjects[t->nsubjects++];
        o->id = s->id;
        o->name = s->name;
        o->unit_name = s->unit_name;
        for (int k = 0; k < c->nrated; k++)
            if (c->rated[k].subject == s->id && strcmp(c->rated[k].group, t->g.code) == 0)
                o->rated = 1;
    }
    return 0;
}

int review_todo(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                struct review_todo_group **out, int *n, struct err *e)
{
    *out = NULL;
    *n = 0;
    struct review_round r;
    int rc = review_get(db, who, round_id, &r, e);
    if (rc < 0)
        return rc;
    if (strcmp(r.state, "open") != 0 || !who->staff_id)
        return 0;
    struct review_person p;
    if ((rc = review_rater_load(db, who, &p, e)) < 0)
        return rc == ERR_FORBIDDEN ? 0 : rc;
    struct review_units u;
    if ((rc = review_units_load(db, r.node_path, a, &u)) < 0)
        return review_db_fail(e, rc);
    p.unit = review_unit_of(&u, p.path);
    struct review_todo_group *groups = arena_alloc(a, sizeof(*groups) * REVIEW_MAX_GROUPS);
    if (!groups)
        return review_db_fail(e, ERR_NOMEM);
    int ng = 0;
    for (int i = 0; i < r.form.ngroups; i++) {
        const struct review_group *g = &r.form.groups[i];
        if (strcmp(g->kind, "self") != 0 && strcmp(g->kind, "peer") != 0 &&
            strcmp(g->kind, "leader") != 0)
            continue;
        groups[ng].g = *g;
        groups[ng].subjects = arena_alloc(a, sizeof(struct review_subject) * REVIEW_SUBJECTS_MAX);
        if (!groups[ng].subjects)
            return review_db_fail(e, ERR_NOMEM);
        ng++;
    }
    /* what the caller rated already (a rater rates at most a few hundred) */
    struct rated *rated = NULL;
    int nrated = 0, cap = 0;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_MY_RATINGS, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    db_bind_int64(st, 2, p.id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (nrated == cap) {
            int ncap = cap ? cap * 2 : 64;
            struct rated *x = arena_alloc(a, sizeof(*x) * (size_t)ncap);
            if (!x) {
                rc = ERR_NOMEM;
                break;
            }
            if (nrated)
                memcpy(x, rated, sizeof(*x) * (size_t)nrated);
            rated = x;
            cap = ncap;
        }
        copy(rated[nrated].group, sizeof(rated[nrated].group), db_col_text(st, 0));
        rated[nrated++].subject = db_col_int64(st, 1);
    }
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    struct todo_ctx c = {who, &p, &r, &u, groups, ng, rated, nrated, a, 0};
    if ((rc = review_subjects_each(db, &r, a, todo_add, &c)) < 0)
        return review_db_fail(e, rc);
    /* groups where the caller rates nobody are left out */
    int k = 0;
    for (int i = 0; i < ng; i++)
        if (groups[i].nsubjects > 0)
            groups[k++] = groups[i];
    *out = groups;
    *n = k;
    return 0;
}

/* ---- subjects for the portal ---- */

struct list_ctx {
    struct review_subject *items;
    int n, truncated;
};

static int list_add(void *arg, struct review_person *s)
{
    struct list_ctx *c = arg;
    if (c->n >= REVIEW_SUBJECTS_MAX) {
        c->truncated = 1;
        return 1;
    }
    struct review_subject *o = &c->items[c->n++];
    o->id = s->id;
    o->name = s->name;
    o->unit_name = s->unit_name;
    o->rated = 0;
    return 0;
}

int review_subjects(struct db *db, const struct review_round *r, struct arena *a,
                    struct review_subject **out, int *n, int *truncated)
{
    struct list_ctx c = {arena_alloc(a, sizeof(struct review_subject) * REVIEW_SUBJECTS_MAX), 0, 0};
    *out = NULL;
    *n = 0;
    *truncated = 0;
    if (!c.items)
        return ERR_NOMEM;
    int rc = review_subjects_each(db, r, a, list_add, &c);
    if (rc < 0)
        return rc;
    *out = c.items;
    *n = c.n;
    *truncated = c.truncated;
    return 0;
}

/* ---- the public vote ---- */

static const char SQL_VOTED[] = "SELECT id FROM review_vote WHERE round_id = ?1 AND id_hash = ?2";
static const char SQL_INS_VOTE[] =
    "INSERT INTO review_vote (round_id, id_hash, name_enc, phone_enc, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";

static int choice_score(const char *c)
{
    if (strcmp(c, "satisfied") == 0)
        return REVIEW_SATISFIED;
    if (strcmp(c, "basic") == 0)
        return REVIEW_BASIC;
    if (strcmp(c, "unsatisfied") == 0)
        return REVIEW_UNSATISFIED;
    return -1;
}

int review_vote(struct db *db, int64_t round_id, const struct review_vote_input *in, int64_t now,
                struct err *e)
{
    struct review_round r;
    int rc = review_load(db, round_id, 1, &r, e);
    if (rc < 0)
        return rc;
    int gi = -1;
    for (int i = 0; i < r.form.ngroups; i++)
        if (strcmp(r.form.groups[i].kind, "public_vote") == 0)
            gi = i;
    if (gi < 0 || strcmp(r.state, "draft") == 0)
        return err_set(e, ERR_NOTFOUND, NULL, "no such public vote");
    if (strcmp(r.state, "open") != 0)
        return err_set(e, ERR_CONFLICT, "state", "the vote has closed");
    size_t nl = in->name ? strlen(in->name) : 0;
    if (!nl || nl > REVIEW_VOTE_NAME_MAX)
        return err_set(e, ERR_INVALID, "name", "give your name (up to %d bytes)",
                       REVIEW_VOTE_NAME_MAX);
    char id_norm[PII_ID_LEN + 1], phone[PII_PHONE_MAX + 1];
    if (!in->id_number || !pii_id_ok(in->id_number, id_norm))
        return err_set(e, ERR_INVALID, "id_number", "not a valid ID number");
    if (!in->phone || !pii_phone_ok(in->phone, phone))
        return err_set(e, ERR_INVALID, "phone", "not a valid phone number");
    if (in->nchoices < 1)
        return err_set(e, ERR_INVALID, "votes", "choose at least one to vote for");
    char field[48];
    struct arena a = {0};
    struct review_person s;
    for (int i = 0; i < in->nchoices; i++) {
        for (int j = 0; j < i; j++)
            if (in->choices[j].subject_id == in->choices[i].subject_id) {
                arena_reset(&a);
                return err_set(e, ERR_INVALID, "votes", "one vote per subject");
            }
        snprintf(field, sizeof(field), "votes[%d].choice", i);
        if (!in->choices[i].choice || choice_score(in->choices[i].choice) < 0) {
            arena_reset(&a);
            return err_set(e, ERR_INVALID, field, "choice is satisfied, basic or unsatisfied");
        }
        rc = review_subject_load(db, &r, in->choices[i].subject_id, &a, &s);
        arena_reset(&a);
        snprintf(field, sizeof(field), "votes[%d].subject_id", i);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, field, "not a subject of this vote");
        if (rc < 0)
            return review_db_fail(e, rc);
    }
    char hash[PII_HASH_HEX], name_enc[PII_ENC_MAX], phone_enc[PII_ENC_MAX];
    if (pii_hash(id_norm, hash) < 0 || pii_encrypt(in->name, name_enc) < 0 ||
        pii_encrypt(phone, phone_enc) < 0)
        return err_set(e, ERR_UNAVAILABLE, NULL, "the data key is not loaded");
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_VOTED, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    db_bind_text(st, 2, hash);
    rc = db_step(st);
    db_finalize(st);
    if (rc == DB_ROW)
        return err_set(e, ERR_CONFLICT, "id_number", "this ID number has voted in this round");
    if (rc < 0 || (rc = db_prepare(db, SQL_INS_VOTE, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r.id);
    db_bind_text(st, 2, hash);
    db_bind_text(st, 3, name_enc);
    db_bind_text(st, 4, phone_enc);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    int64_t vote = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    for (int i = 0; i < in->nchoices; i++) {
        int64_t rid = 0;
        int64_t score = (int64_t)choice_score(in->choices[i].choice) * 10000;
        rc = insert_rating(db, r.id, r.form.groups[gi].code, in->choices[i].subject_id, 0, vote,
                           score, NULL, now, &rid);
        if (rc < 0)
            return review_db_fail(e, rc);
    }
    return 0;
}

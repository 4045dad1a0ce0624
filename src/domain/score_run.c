/* score_run.c - gathering a card's subjects and their inputs from the
 * rollups, and scoring and ranking them (score_impl.h). Bulk for a period's
 * close or a preview (one query per source, grouped in SQL), or one subject
 * for live rescoring (point lookups per month). Never reads raw evaluations,
 * tickets or cases. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/commitment.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/review.h"
#include "domain/score_impl.h"

/* ---- cards ---- */

static const char SQL_CARD[] =
    "SELECT c.id, c.node_id, c.subject, c.name, c.periods, c.active, n.path, v.id, v.version,"
    " v.def FROM score_card c JOIN org_node n ON n.id = c.node_id"
    " JOIN score_card_version v ON v.card_id = c.id"
    " WHERE c.id = ?1 AND v.id = CASE WHEN ?2 = 0 THEN c.version_id ELSE ?2 END";

/* Parsed definitions by version id: versions never change, so a parse is
 * kept for good (the rescoring of every evaluation would otherwise parse the
 * card's JSON again each time). Shared by the writer and the readers. */
#define DEF_CACHE 16
static struct {
    int64_t version_id;
    uint64_t hash; /* of the text: ids repeat across databases (tests) */
    struct score_def def;
} def_cache[DEF_CACHE];
static unsigned def_cache_next;
static pthread_mutex_t def_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int def_cached(int64_t version_id, uint64_t hash, struct score_def *out)
{
    int hit = 0;
    pthread_mutex_lock(&def_mu);
    for (int i = 0; i < DEF_CACHE && !hit; i++)
        if (def_cache[i].version_id == version_id && def_cache[i].hash == hash) {
            *out = def_cache[i].def;
            hit = 1;
        }
    pthread_mutex_unlock(&def_mu);
    return hit;
}

static void def_keep(int64_t version_id, uint64_t hash, const struct score_def *def)
{
    pthread_mutex_lock(&def_mu);
    unsigned k = def_cache_next++ % DEF_CACHE;
    def_cache[k].version_id = version_id;
    def_cache[k].hash = hash;
    def_cache[k].def = *def;
    pthread_mutex_unlock(&def_mu);
}

int score_card_get(struct db *db, int64_t card_id, int64_t version_id, struct score_card_full *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARD, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_int64(st, 2, version_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    out->id = db_col_int64(st, 0);
    out->node_id = db_col_int64(st, 1);
    snprintf(out->subject, sizeof(out->subject), "%s", db_col_text(st, 2));
    snprintf(out->name, sizeof(out->name), "%s", db_col_text(st, 3));
    snprintf(out->periods, sizeof(out->periods), "%s", db_col_text(st, 4));
    out->active = (int)db_col_int64(st, 5);
    snprintf(out->path, sizeof(out->path), "%s", db_col_text(st, 6));
    out->version_id = db_col_int64(st, 7);
    out->version = (int)db_col_int64(st, 8);
    uint64_t hash = text_hash(db_col_text(st, 9));
    if (def_cached(out->version_id, hash, &out->def)) {
        db_finalize(st);
        return 0;
    }
    out->def_json = strdup(db_col_text(st, 9));
    db_finalize(st);
    if (!out->def_json)
        return ERR_NOMEM;
    struct err e = {0};
    if (score_def_parse(out->def_json, out->subject, &out->def, &e) < 0) {
        score_card_free(out);
        return ERR_DB; /* stored definitions were checked when written */
    }
    def_keep(out->version_id, hash, &out->def);
    return 0;
}

void score_card_free(struct score_card_full *c)
{
    free(c->def_json);
    c->def_json = NULL;
}

static const char SQL_CARDS_ACTIVE[] =
    "SELECT c.id, n.path FROM score_card c JOIN org_node n ON n.id = c.node_id"
    " WHERE c.active = 1 AND c.subject = ?1";

int score_card_for(struct db *db, const char *subject, const char *path, int64_t *card_id)
{
    *card_id = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARDS_ACTIVE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, subject);
    size_t best = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *p = db_col_text(st, 1);
        size_t n = strlen(p);
        if (strncmp(path, p, n) == 0 && n > best) {
            best = n;
            *card_id = db_col_int64(st, 0);
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- subjects ---- */

struct node_row {
    int64_t id, parent;
    char kind; /* r u h w */
    const char *industry;
};

static int node_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct node_row *)a)->id, y = ((const struct node_row *)b)->id;
    return x < y ? -1 : x > y;
}

static struct node_row *node_find(struct node_row *rows, size_t n, int64_t id)
{
    struct node_row key = {.id = id};
    return bsearch(&key, rows, n, sizeof(*rows), node_cmp);
}

static const char SQL_NODES[] =
    "SELECT id, COALESCE(parent_id, 0), kind, industry FROM org_node ORDER BY id";

static char *set_string(struct score_set *set, const char *s)
{
    for (size_t i = 0; i < set->nstrings; i++)
        if (strcmp(set->strings[i], s) == 0)
            return set->strings[i];
    char **grown = realloc(set->strings, (set->nstrings + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    set->strings = grown;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    set->strings[set->nstrings++] = copy;
    return copy;
}

static int load_nodes(struct db *db, struct score_set *set, struct node_row **out, size_t *n)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NODES, &st);
    if (rc < 0)
        return rc;
    size_t cap = 1024, k = 0;
    struct node_row *rows = malloc(cap * sizeof(*rows));
    if (!rows) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    while ((rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            struct node_row *g = realloc(rows, 2 * cap * sizeof(*rows));
            if (!g) {
                rc = ERR_NOMEM;
                break;
            }
            rows = g;
            cap *= 2;
        }
        const char *ind = db_col_text(st, 3);
        rows[k] = (struct node_row){db_col_int64(st, 0), db_col_int64(st, 1), db_col_text(st, 2)[0],
                                    NULL};
        if (ind && ind[0] && !(rows[k].industry = set_string(set, ind))) {
            rc = ERR_NOMEM;
            break;
        }
        k++;
    }
    db_finalize(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = k;
    return 0;
}

static void place(struct score_subj *s, struct node_row *nodes, size_t nn)
{
    for (int64_t id = s->node_id; id;) {
        struct node_row *r = node_find(nodes, nn, id);
        if (!r)
            break;
        if (r->kind == 'h' && !s->hall_id)
            s->hall_id = r->id;
        if (r->kind == 'u' && !s->unit_id)
            s->unit_id = r->id;
        if (r->industry && !s->industry)
            s->industry = r->industry;
        id = r->parent;
    }
}

static const char SQL_WINDOWS[] = "SELECT id, path, id FROM org_node"
                                  " WHERE kind = 'window' AND active = 1"
                                  " AND path >= ?1 AND path < ?2 ORDER BY id";
static const char SQL_STAFF[] = "SELECT s.id, n.path, s.node_id FROM staff s"
                                " JOIN org_node n ON n.id = s.node_id"
                                " WHERE s.active = 1 AND s.role = 'staff'"
                                " AND n.path >= ?1 AND n.path < ?2 ORDER BY s.id";
/* one subject (rescoring): by its key, under the card */
static const char SQL_WINDOW_ONE[] = "SELECT id, path, id FROM org_node"
                                     " WHERE id = ?3 AND kind = 'window' AND active = 1"
                                     " AND path >= ?1 AND path < ?2";
static const char SQL_STAFF_ONE[] = "SELECT s.id, n.path, s.node_id FROM staff s"
                                    " JOIN org_node n ON n.id = s.node_id"
                                    " WHERE s.id = ?3 AND s.active = 1 AND s.role = 'staff'"
                                    " AND n.path >= ?1 AND n.path < ?2";

static const char SQL_NODE_ONE[] =
    "SELECT id, COALESCE(parent_id, 0), kind, industry FROM org_node WHERE id = ?1";

/* The nodes on one path ("/1/4/9/"), ascending by id as load_nodes. */
static int load_path_nodes(struct db *db, struct score_set *set, const char *path,
                           struct node_row **out, size_t *n)
{
    struct node_row *rows = calloc(64, sizeof(*rows));
    if (!rows)
        return ERR_NOMEM;
    size_t k = 0;
    int rc = 0;
    for (const char *p = path; *p && k < 64 && rc >= 0;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        int64_t id = strtoll(p, NULL, 10);
        while (*p && *p != '/')
            p++;
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, SQL_NODE_ONE, &st)) < 0)
            break;
        db_bind_int64(st, 1, id);
        if ((rc = db_step(st)) == DB_ROW) {
            const char *ind = db_col_text(st, 3);
            rows[k] = (struct node_row){db_col_int64(st, 0), db_col_int64(st, 1),
                                        db_col_text(st, 2)[0], NULL};
            if (ind && ind[0] && !(rows[k].industry = set_string(set, ind)))
                rc = ERR_NOMEM;
            k++;
        }
        db_finalize(st);
    }
    if (rc < 0) {
        free(rows);
        return rc;
    }
    qsort(rows, k, sizeof(*rows), node_cmp);
    *out = rows;
    *n = k;
    return 0;
}

static int load_subjects(struct db *db, const struct score_card_full *c, int64_t single,
                         struct score_set *set)
{
    /* deeper active cards of the same subject take their subtree */
    char **deeper = NULL;
    size_t nd = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARDS_ACTIVE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, c->subject);
    size_t plen = strlen(c->path);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *p = db_col_text(st, 1);
        if (db_col_int64(st, 0) == c->id || strlen(p) <= plen || strncmp(p, c->path, plen) != 0)
            continue;
        char **g = realloc(deeper, (nd + 1) * sizeof(*g));
        if (!g || !(g[nd] = strdup(p))) {
            deeper = g ? g : deeper;
            rc = ERR_NOMEM;
            break;
        }
        deeper = g;
        nd++;
    }
    db_finalize(st);
    char end[ACTOR_PATH_MAX];
    org_path_end(c->path, end, sizeof(end));
    if (rc >= 0)
        rc = db_prepare(db,
                        strcmp(c->subject, "window") == 0 ? (single ? SQL_WINDOW_ONE : SQL_WINDOWS)
                                                          : (single ? SQL_STAFF_ONE : SQL_STAFF),
                        &st);
    if (rc >= 0) {
        db_bind_text(st, 1, c->path);
        db_bind_text(st, 2, end);
        if (single)
            db_bind_int64(st, 3, single);
        while ((rc = db_step(st)) == DB_ROW) {
            const char *p = db_col_text(st, 1);
            int skip = 0;
            for (size_t i = 0; i < nd && !skip; i++)
                skip = strncmp(p, deeper[i], strlen(deeper[i])) == 0;
            if (skip)
                continue;
            if (set->n == set->cap) {
                size_t cap = set->cap ? set->cap * 2 : 256;
                struct score_subj *g = realloc(set->s, cap * sizeof(*g));
                if (!g) {
                    rc = ERR_NOMEM;
                    break;
                }
                set->s = g;
                set->cap = cap;
            }
            struct score_subj *s = &set->s[set->n];
            memset(s, 0, sizeof(*s));
            s->id = db_col_int64(st, 0);
            s->node_id = db_col_int64(st, 2);
            if (!(s->path = strdup(p))) {
                rc = ERR_NOMEM;
                break;
            }
            set->n++;
        }
        db_finalize(st);
    }
    for (size_t i = 0; i < nd; i++)
        free(deeper[i]);
    free(deeper);
    if (rc < 0 || set->n == 0)
        return rc < 0 ? rc : 0;
    /* halls, units and industries up the tree: the subject's own path when
     * rescoring one, else the whole tree at once */
    struct node_row *nodes = NULL;
    size_t nn = 0;
    rc = single ? load_path_nodes(db, set, set->s[0].path, &nodes, &nn)
                : load_nodes(db, set, &nodes, &nn);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < set->n; i++)
        place(&set->s[i], nodes, nn);
    free(nodes);
    return 0;
}

static struct score_subj *subj_find(struct score_set *set, int64_t id)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (set->s[mid].id < id)
            lo = mid + 1;
        else if (set->s[mid].id > id)
            hi = mid;
        else
            return &set->s[mid];
    }
    return NULL;
}

void score_set_free(struct score_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->s[i].rv);
        free(set->s[i].path);
    }
    free(set->s);
    for (size_t i = 0; i < set->nstrings; i++)
        free(set->strings[i]);
    free(set->strings);
    while (set->evpool) {
        struct score_ev *next = set->evpool->pool_next;
        free(set->evpool);
        set->evpool = next;
    }
    memset(set, 0, sizeof(*set));
}

/* ---- inputs ---- */

static const char *const FACT_NAME[] = {
    [M_CASE_DONE] = "case_done",
    [M_CASE_ONTIME] = "case_ontime",
    [M_CASE_LATE] = "case_late",
    [M_CASE_OVERDUE] = "case_overdue",
    [M_CASE_RETURNED] = "case_returned",
    [M_SERVED] = "served",
    [M_NOSHOW] = "noshow",
    [M_SVC_TIMEOUT] = "svc_timeout",
};

static int fact_index(const char *metric)
{
    for (int i = 0; i < M_N; i++)
        if (i < (int)(sizeof(FACT_NAME) / sizeof(FACT_NAME[0])) && FACT_NAME[i] &&
            strcmp(FACT_NAME[i], metric) == 0)
            return i;
    return -1;
}

/* The months from `from` to `to` ('YYYY-MM'), at most 12. */
static int months(const char *from, const char *to, char out[12][8])
{
    int y, m, ty, tm;
    if (sscanf(from, "%4d-%2d", &y, &m) != 2 || sscanf(to, "%4d-%2d", &ty, &tm) != 2)
        return 0;
    int n = 0;
    while ((y < ty || (y == ty && m <= tm)) && n < 12) {
        out[n][0] = (char)('0' + y / 1000 % 10);
        out[n][1] = (char)('0' + y / 100 % 10);
        out[n][2] = (char)('0' + y / 10 % 10);
        out[n][3] = (char)('0' + y % 10);
        out[n][4] = '-';
        out[n][5] = (char)('0' + m / 10);
        out[n][6] = (char)('0' + m % 10);
        out[n][7] = 0;
        n++;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return n;
}

static const char SQL_EVAL_W_ALL[] =
    "SELECT window_id, SUM(active), SUM(active_good), SUM(bad), SUM(unrated), SUM(defaulted),"
    " SUM(bad_rectified), SUM(excluded) FROM eval_month_window WHERE month >= ?1 AND month <= ?2"
    " GROUP BY window_id";
static const char SQL_EVAL_S_ALL[] =
    "SELECT staff_id, SUM(active), SUM(active_good), SUM(bad), SUM(unrated), SUM(defaulted),"
    " SUM(bad_rectified), SUM(excluded) FROM eval_month_staff WHERE month >= ?1 AND month <= ?2"
    " GROUP BY staff_id";
static const char SQL_EVAL_W_ONE[] =
    "SELECT window_id, active, active_good, bad, unrated, defaulted, bad_rectified, excluded"
    " FROM eval_month_window WHERE month = ?1 AND window_id = ?2";
static const char SQL_EVAL_S_ONE[] =
    "SELECT staff_id, active, active_good, bad, unrated, defaulted, bad_rectified, excluded"
    " FROM eval_month_staff WHERE month = ?1 AND staff_id = ?2";

/* A month: the rows come in (subject_id, metric) order from the key. */
static const char SQL_FACT_MONTH[] = "SELECT subject_id, metric, n FROM score_fact"
                                     " WHERE month = ?1 AND kind = ?3 AND ?2 = ?1"
                                     " ORDER BY subject_id, metric";
static const char SQL_FACT_ALL[] =
    "SELECT subject_id, metric, SUM(n) FROM score_fact"
    " WHERE month >= ?1 AND month <= ?2 AND kind = ?3 GROUP BY subject_id, metric";
static const char SQL_FACT_ONE[] = "SELECT subject_id, metric, n FROM score_fact"
                                   " WHERE month = ?1 AND kind = ?2 AND subject_id = ?3";

static const char SQL_EVENT_ALL[] =
    "SELECT subject_id, type, SUM(qty) FROM score_event"
    " WHERE month >= ?1 AND month <= ?2 AND state = 'confirmed' AND kind = ?3"
    " GROUP BY subject_id, type";
static const char SQL_EVENT_ONE[] =
    "SELECT subject_id, type, SUM(qty) FROM score_event"
    " WHERE kind = ?3 AND subject_id = ?4 AND month >= ?1 AND month <= ?2"
    " AND state = 'confirmed' GROUP BY subject_id, type";

static int add_eval_rows(struct db_stmt *st, struct score_set *set, int slot)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct score_subj *s = subj_find(set, db_col_int64(st, 0));
        if (!s)
            continue;
        s->m[slot][M_EVAL_ACTIVE] += (double)db_col_int64(st, 1);
        s->m[slot][M_EVAL_GOOD] += (double)db_col_int64(st, 2);
        s->m[slot][M_EVAL_BAD] += (double)db_col_int64(st, 3);
        s->m[slot][M_EVAL_UNRATED] += (double)db_col_int64(st, 4);
        s->m[slot][M_EVAL_DEFAULTED] += (double)db_col_int64(st, 5);
        s->m[slot][M_BAD_RECTIFIED] += (double)db_col_int64(st, 6);
        s->m[slot][M_EVAL_EXCLUDED] += (double)db_col_int64(st, 7);
    }
    return rc < 0 ? rc : 0;
}

static int add_fact_rows(struct db_stmt *st, struct score_set *set, int slot)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct score_subj *s = subj_find(set, db_col_int64(st, 0));
        int k = fact_index(db_col_text(st, 1));
        if (s && k >= 0)
            s->m[slot][k] += (double)db_col_int64(st, 2);
    }
    return rc < 0 ? rc : 0;
}

static int add_event_rows(struct db_stmt *st, struct score_set *set, int slot)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct score_subj *s = subj_find(set, db_col_int64(st, 0));
        if (!s)
            continue;
        struct score_ev *e = calloc(1, sizeof(*e));
        if (!e)
            return ERR_NOMEM;
        snprintf(e->type, sizeof(e->type), "%s", db_col_text(st, 1));
        e->qty = (double)db_col_int64(st, 2);
        e->next = s->ev[slot];
        s->ev[slot] = e;
        e->pool_next = set->evpool;
        set->evpool = e;
    }
    return rc < 0 ? rc : 0;
}

static int run_range(struct db *db, const char *kind, const char *mfrom, const char *mto,
                     int64_t single, struct score_set *set, int slot)
{
    int window = strcmp(kind, "window") == 0;
    struct db_stmt *st = NULL;
    int rc;
    if (!single) {
        if ((rc = db_prepare(db, window ? SQL_EVAL_W_ALL : SQL_EVAL_S_ALL, &st)) < 0)
            return rc;
        db_bind_text(st, 1, mfrom);
        db_bind_text(st, 2, mto);
        rc = add_eval_rows(st, set, slot);
        db_finalize(st);
        if (rc < 0 ||
            (rc = db_prepare(db, strcmp(mfrom, mto) == 0 ? SQL_FACT_MONTH : SQL_FACT_ALL, &st)) < 0)
            return rc;
        db_bind_text(st, 1, mfrom);
        db_bind_text(st, 2, mto);
        db_bind_text(st, 3, kind);
        rc = add_fact_rows(st, set, slot);
        db_finalize(st);
        if (rc < 0 || (rc = db_prepare(db, SQL_EVENT_ALL, &st)) < 0)
            return rc;
        db_bind_text(st, 1, mfrom);
        db_bind_text(st, 2, mto);
        db_bind_text(st, 3, kind);
        rc = add_event_rows(st, set, slot);
        db_finalize(st);
        return rc;
    }
    char ms[12][8];
    int nm = months(mfrom, mto, ms);
    for (int i = 0; i < nm; i++) {
        if ((rc = db_prepare(db, window ? SQL_EVAL_W_ONE : SQL_EVAL_S_ONE, &st)) < 0)
            return rc;
        db_bind_text(st, 1, ms[i]);
        db_bind_int64(st, 2, single);
        rc = add_eval_rows(st, set, slot);
        db_finalize(st);
        if (rc < 0 || (rc = db_prepare(db, SQL_FACT_ONE, &st)) < 0)
            return rc;
        db_bind_text(st, 1, ms[i]);
        db_bind_text(st, 2, kind);
        db_bind_int64(st, 3, single);
        rc = add_fact_rows(st, set, slot);
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    if ((rc = db_prepare(db, SQL_EVENT_ONE, &st)) < 0)
        return rc;
    db_bind_text(st, 1, mfrom);
    db_bind_text(st, 2, mto);
    db_bind_text(st, 3, kind);
    db_bind_int64(st, 4, single);
    rc = add_event_rows(st, set, slot);
    db_finalize(st);
    return rc;
}

struct commit_ctx {
    struct score_set *set;
    const char *kind;
};

static int on_commit(void *ctx, const char *kind, int64_t owner_id, const struct commit_figures *f)
{
    struct commit_ctx *c = ctx;
    if (strcmp(kind, c->kind) != 0)
        return 0;
    struct score_subj *s = subj_find(c->set, owner_id);
    if (s) {
        s->m[0][M_COMMIT_DUE] = (double)f->due;
        s->m[0][M_COMMIT_FULFILLED] = (double)f->fulfilled;
        s->m[0][M_COMMIT_MISSED] = (double)f->missed;
    }
    return 0;
}

static int keep_review(struct commit_ctx *c, int64_t subject_id, const struct review_score *r)
{
    struct score_subj *s = subj_find(c->set, subject_id);
    if (!s)
        return 0;
    struct score_review_groups *g = calloc(1, sizeof(*g));
    if (!g)
        return ERR_NOMEM;
    g->total = r->total;
    for (int i = 0; i < r->ngroups && i < 8; i++) {
        snprintf(g->g[i].code, sizeof(g->g[i].code), "%s", r->group[i].code);
        g->g[i].mean = r->group[i].mean;
        g->n = i + 1;
    }
    free(s->rv);
    s->rv = g;
    s->has |= HAS_REVIEW;
    return 0;
}

static int on_review(void *ctx, const char *kind, int64_t subject_id, const struct review_score *r)
{
    struct commit_ctx *c = ctx;
    if (strcmp(kind, c->kind) != 0)
        return 0;
    return keep_review(c, subject_id, r);
}

/* The staff average of a window: the results on the active staff card(s) of
 * the staff assigned to it at any time in the period. */
static const char SQL_STAFF_AVG[] =
    "SELECT a.window_id, SUM(r.score), COUNT(*) FROM (SELECT DISTINCT window_id, staff_id"
    " FROM window_assignment WHERE started_at <= ?3 AND (ended_at IS NULL OR ended_at >= ?2)"
    " AND (?4 = 0 OR window_id = ?4)) a"
    " JOIN score_result r ON r.kind = 'staff' AND r.subject_id = a.staff_id AND r.period = ?1"
    " JOIN score_card c ON c.id = r.card_id AND c.active = 1 GROUP BY a.window_id";

/* Confirmed window events of the months with the chief representatives
 * assigned to the window (at any time; the day decides below). */
static const char SQL_CHIEF_EVENTS[] =
    "SELECT a.staff_id, e.subject_id, n.path, e.type, e.day, SUM(e.qty), a.started_at,"
    " COALESCE(a.ended_at, 0) FROM score_event e"
    " JOIN window_assignment a ON a.window_id = e.subject_id AND a.is_chief = 1"
    " JOIN org_node n ON n.id = e.subject_id"
    " WHERE e.kind = 'window' AND e.state = 'confirmed' AND e.month >= ?1 AND e.month <= ?2"
    " AND (?3 = 0 OR a.staff_id = ?3)"
    " GROUP BY a.staff_id, e.subject_id, n.path, e.type, e.day, a.started_at, a.ended_at"
    " ORDER BY e.subject_id, a.staff_id";

/* Epoch seconds of a day's start (end: of its last second), Asia/Shanghai. */
static int64_t day_epoch(const char *day, int end)
{
    int32_t d = 0;
    if (date_parse(day, &d) < 0)
        return 0;
    return (int64_t)d * 86400 - QUEUE_TZ_OFFSET_S + (end ? 86399 : 0);
}

struct chief_row {
    int64_t staff, window;
    char path[ACTOR_PATH_MAX];
    char type[SCORE_CODE_MAX];
    double qty;
};

/* What one chief's window lost through its card's event rules: per item the
 * negative event amounts, at most the item's points (as the window's own
 * score counts them). rows[lo, hi) are one (window, chief) pair. */
static double window_event_loss(const struct score_def *def, const struct chief_row *rows,
                                size_t lo, size_t hi)
{
    double loss = 0;
    for (int i = 0; i < def->nitems; i++) {
        double neg = 0;
        for (int r = 0; r < def->item[i].nrules; r++) {
            const struct score_rule *ru = &def->item[i].rule[r];
            if (ru->per >= 0 || strncmp(ru->input, "event:", 6) != 0)
                continue;
            for (size_t k = lo; k < hi; k++)
                if (strcmp(ru->input + 6, rows[k].type) == 0)
                    neg -= ru->per * rows[k].qty;
        }
        loss += neg < def->item[i].points ? neg : def->item[i].points;
    }
    return loss;
}

static int chief_losses(struct db *db, const char *mfrom, const char *mto, int64_t single,
                        struct score_set *set)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CHIEF_EVENTS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, mfrom);
    db_bind_text(st, 2, mto);
    db_bind_int64(st, 3, single);
    /* rows first (the cards are read on the same connection afterwards); an
     * event counts for the chief assigned on its day */
    struct chief_row *rows = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t from = day_epoch(db_col_text(st, 4), 0), to = day_epoch(db_col_text(st, 4), 1);
        int64_t started = db_col_int64(st, 6), ended = db_col_int64(st, 7);
        if (started > to || (ended && ended < from) || !subj_find(set, db_col_int64(st, 0)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct chief_row *g = realloc(rows, cap * sizeof(*g));
            if (!g) {
                rc = ERR_NOMEM;
                break;
            }
            rows = g;
        }
        rows[n].staff = db_col_int64(st, 0);
        rows[n].window = db_col_int64(st, 1);
        snprintf(rows[n].path, sizeof(rows[n].path), "%s", db_col_text(st, 2));
        snprintf(rows[n].type, sizeof(rows[n].type), "%s", db_col_text(st, 3));
        rows[n].qty = (double)db_col_int64(st, 5);
        n++;
    }
    db_finalize(st);
    struct score_card_full *card = NULL;
    int64_t card_id = 0;
    for (size_t lo = 0; rc >= 0 && lo < n;) {
        size_t hi = lo;
        while (hi < n && rows[hi].window == rows[lo].window && rows[hi].staff == rows[lo].staff)
            hi++;
        /* the window's card, read once per window */
        if (lo == 0 || rows[lo].window != rows[lo - 1].window) {
            int64_t id = 0;
            if ((rc = score_card_for(db, "window", rows[lo].path, &id)) < 0)
                break;
            if (id != card_id) {
                if (card)
                    score_card_free(card);
                else if (!(card = malloc(sizeof(*card))))
                    rc = ERR_NOMEM;
                card_id = 0;
                if (rc >= 0 && id && (rc = score_card_get(db, id, 0, card)) == 0)
                    card_id = id;
            }
        }
        struct score_subj *s = subj_find(set, rows[lo].staff);
        if (rc >= 0 && card_id && s)
            s->m[0][M_CHIEF_LOSS] += window_event_loss(&card->def, rows, lo, hi);
        lo = hi;
    }
    if (card) {
        score_card_free(card);
        free(card);
    }
    free(rows);
    return rc < 0 ? rc : 0;
}

static int def_has_year_veto(const struct score_def *def)
{
    for (int i = 0; i < def->nitems; i++)
        if (def->item[i].veto == SCORE_VETO_YEAR)
            return 1;
    return 0;
}

static int reads_input(const struct score_def *def, const char *prefix)
{
    size_t n = strlen(prefix);
    for (int i = 0; i < def->nitems; i++) {
        if (strncmp(def->item[i].input, prefix, n) == 0)
            return 1;
        for (int r = 0; r < def->item[i].nrules; r++)
            if (strncmp(def->item[i].rule[r].input, prefix, n) == 0)
                return 1;
    }
    return 0;
}

int score_collect(struct db *db, const struct score_card_full *c, const char *period,
                  int64_t single_id, struct score_set *set)
{
    char kind[8], from[11], to[11];
    if (score_period_range(period, kind, from, to) < 0)
        return ERR_INVALID;
    int rc = load_subjects(db, c, single_id, set);
    if (rc < 0 || set->n == 0)
        return rc;
    char mfrom[8], mto[8];
    snprintf(mfrom, sizeof(mfrom), "%.7s", from);
    snprintf(mto, sizeof(mto), "%.7s", to);
    int64_t single = single_id ? set->s[0].id : 0;
    if ((rc = run_range(db, c->subject, mfrom, mto, single, set, 0)) < 0)
        return rc;
    if (def_has_year_veto(&c->def) && strcmp(kind, "year") != 0) {
        char yfrom[8];
        snprintf(yfrom, sizeof(yfrom), "%.4s-01", from);
        if ((rc = run_range(db, c->subject, yfrom, mto, single, set, 1)) < 0)
            return rc;
    }
    struct commit_ctx cc = {set, c->subject};
    if (reads_input(&c->def, "commit_")) {
        if (single) {
            struct commit_figures f;
            if ((rc = commitment_figures_owner(db, c->subject, single, from, to, &f)) < 0)
                return rc;
            on_commit(&cc, c->subject, single, &f);
        } else if ((rc = commitment_figures_range(db, from, to, on_commit, &cc)) < 0) {
            return rc;
        }
    }
    if (reads_input(&c->def, "review")) {
        if (single) {
            struct review_score r;
            int found = 0;
            if ((rc = review_result_subject(db, period, c->subject, single, &r, &found)) < 0)
                return rc;
            if (found && (rc = keep_review(&cc, single, &r)) < 0)
                return rc;
        } else if ((rc = review_results_period(db, period, on_review, &cc)) < 0) {
            return rc;
        }
    }
    if (strcmp(c->subject, "window") == 0 && reads_input(&c->def, "staff_avg")) {
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, SQL_STAFF_AVG, &st)) < 0)
            return rc;
        db_bind_text(st, 1, period);
        db_bind_int64(st, 2, day_epoch(from, 0));
        db_bind_int64(st, 3, day_epoch(to, 1));
        db_bind_int64(st, 4, single);
        while ((rc = db_step(st)) == DB_ROW) {
            struct score_subj *s = subj_find(set, db_col_int64(st, 0));
            int64_t cnt = db_col_int64(st, 2);
            if (s && cnt > 0) {
                s->m[0][M_STAFF_AVG] = (double)db_col_int64(st, 1) / 100.0 / (double)cnt;
                s->has |= HAS_STAFF_AVG;
            }
        }
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    if (strcmp(c->subject, "staff") == 0 && reads_input(&c->def, "chief_loss") &&
        (rc = chief_losses(db, mfrom, mto, single, set)) < 0)
        return rc;
    return 0;
}

/* ---- scoring ---- */

void score_build_inputs(const struct score_card_full *c, const struct score_subj *s, int slot,
                        struct score_inputs *in)
{
    memset(in, 0, sizeof(*in));
    const double *m = s->m[slot];
    static const struct {
        const char *name;
        int k;
    } counts[] = {
        {"eval_active", M_EVAL_ACTIVE},
        {"eval_good", M_EVAL_GOOD},
        {"eval_bad", M_EVAL_BAD},
        {"eval_unrated", M_EVAL_UNRATED},
        {"eval_defaulted", M_EVAL_DEFAULTED},
        {"case_done", M_CASE_DONE},
        {"case_ontime", M_CASE_ONTIME},
        {"case_late", M_CASE_LATE},
        {"case_overdue", M_CASE_OVERDUE},
        {"case_returned", M_CASE_RETURNED},
        {"served", M_SERVED},
        {"noshow", M_NOSHOW},
        {"svc_timeout", M_SVC_TIMEOUT},
        {"commit_due", M_COMMIT_DUE},
        {"commit_fulfilled", M_COMMIT_FULFILLED},
        {"commit_missed", M_COMMIT_MISSED},
    };
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
        score_input_set(in, counts[i].name, m[counts[i].k]);
    /* rates exist only with a base to divide by; satisfaction as the metrics
     * count it (eval_stats.c): 差评 excluded by an upheld appeal leave the base */
    double base = m[M_EVAL_ACTIVE] - m[M_EVAL_EXCLUDED];
    if (base > 0)
        score_input_set(in, "satisfaction", m[M_EVAL_GOOD] / base);
    if (m[M_EVAL_BAD] > 0)
        score_input_set(in, "bad_rectified_rate", m[M_BAD_RECTIFIED] / m[M_EVAL_BAD]);
    if (m[M_CASE_DONE] > 0)
        score_input_set(in, "ontime_rate", m[M_CASE_ONTIME] / m[M_CASE_DONE]);
    if (m[M_SERVED] + m[M_NOSHOW] > 0)
        score_input_set(in, "noshow_rate", m[M_NOSHOW] / (m[M_SERVED] + m[M_NOSHOW]));
    if (m[M_COMMIT_DUE] > 0)
        score_input_set(in, "commit_rate", m[M_COMMIT_FULFILLED] / m[M_COMMIT_DUE]);
    if (slot == 0 && (s->has & HAS_STAFF_AVG))
        score_input_set(in, "staff_avg", m[M_STAFF_AVG]);
    if (strcmp(c->subject, "staff") == 0)
        score_input_set(in, "chief_loss", m[M_CHIEF_LOSS]);
    if (slot == 0 && s->rv) {
        score_input_set(in, "review", s->rv->total);
        for (int i = 0; i < s->rv->n; i++) {
            char name[SCORE_CODE_MAX];
            snprintf(name, sizeof(name), "review:%.24s", s->rv->g[i].code);
            score_input_set(in, name, s->rv->g[i].mean);
        }
    }
    for (const struct score_ev *e = s->ev[slot]; e; e = e->next) {
        char name[SCORE_CODE_MAX + 8];
        snprintf(name, sizeof(name), "event:%s", e->type);
        score_input_set(in, name, score_input(in, name, 0, NULL) + e->qty);
    }
}

void score_compute_set(const struct score_card_full *c, struct score_set *set)
{
    int year = def_has_year_veto(&c->def);
    for (size_t i = 0; i < set->n; i++) {
        struct score_subj *s = &set->s[i];
        struct score_inputs in, ytd;
        score_build_inputs(c, s, 0, &in);
        if (year) {
            score_build_inputs(c, s, 1, &ytd);
            for (int k = 0; k < c->def.nitems; k++) {
                const struct score_item *it = &c->def.item[k];
                if (it->veto != SCORE_VETO_YEAR)
                    continue;
                double n = 0;
                for (int r = 0; r < it->nrules; r++)
                    n += fabs(score_input(&ytd, it->rule[r].input, 0, NULL));
                in.year_veto[k] = n;
            }
        }
        struct score_outcome out;
        score_compute(&c->def, &in, &out);
        s->total = out.total;
        s->stars = out.stars;
        s->event_loss = out.event_loss;
        snprintf(s->veto, sizeof(s->veto), "%s", out.veto);
    }
}

/* ---- ranks ---- */

static int g_group; /* qsort has no context argument */

static int64_t group_key(const struct score_subj *s, int g)
{
    switch (g) {
    case 1:
        return s->hall_id;
    case 2:
        return s->unit_id;
    case 3:
        return (int64_t)(intptr_t)s->industry;
    default:
        return 0;
    }
}

static int rank_cmp(const void *a, const void *b)
{
    const struct score_subj *x = *(struct score_subj *const *)a;
    const struct score_subj *y = *(struct score_subj *const *)b;
    int64_t gx = group_key(x, g_group), gy = group_key(y, g_group);
    if (gx != gy)
        return gx < gy ? -1 : 1;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

void score_rank_set(struct score_set *set)
{
    struct score_subj **p = malloc(set->n * sizeof(struct score_subj *));
    if (!p)
        return;
    for (int g = 0; g < 4; g++) {
        for (size_t i = 0; i < set->n; i++)
            p[i] = &set->s[i];
        g_group = g;
        qsort(p, set->n, sizeof(struct score_subj *), rank_cmp);
        size_t start = 0;
        for (size_t i = 0; i < set->n; i++) {
            if (i > 0 && group_key(p[i], g) != group_key(p[i - 1], g))
                start = i;
            int missing = (g == 1 && !p[i]->hall_id) || (g == 2 && !p[i]->unit_id) ||
                          (g == 3 && !p[i]->industry);
            if (missing)
                p[i]->rank[g] = 0;
            else if (i > start && p[i]->total == p[i - 1]->total)
                p[i]->rank[g] = p[i - 1]->rank[g];
            else
                p[i]->rank[g] = (int)(i - start) + 1;
        }
    }
    free(p);
}

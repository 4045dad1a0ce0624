/* eval_stats.c - 好差评 metrics and the month's window ranking, from the
 * rollups only (eval_stats.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/eval_stats.h"
#include "domain/evaluation.h"
#include "domain/org.h"

static int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

/* Column col as an arena copy ("" for SQL NULL); *oom set when the copy fails. */
static const char *col_copy(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = db_col_text(st, col);
    char *c = arena_strdup(a, s ? s : "");
    if (!c)
        *oom = 1;
    return c;
}

/* ---- counts and rates ---- */

int64_t eval_counts_total(const struct eval_counts *c)
{
    return c->n[0] + c->n[1] + c->n[2] + c->n[3] + c->n[4];
}

int64_t eval_counts_services(const struct eval_counts *c)
{
    return c->active + c->defaulted + c->unrated;
}

void eval_counts_rates(const struct eval_counts *c, struct eval_ratio out[EVAL_RATES])
{
    out[EVAL_RATE_GOOD] =
        (struct eval_ratio){c->n[3] + c->n[4], eval_counts_total(c) - c->excluded};
    out[EVAL_RATE_ACTIVE_GOOD] = (struct eval_ratio){c->active_good, c->active - c->excluded};
    out[EVAL_RATE_UNRATED] = (struct eval_ratio){c->unrated, eval_counts_services(c) - c->excluded};
    out[EVAL_RATE_BAD_REPLY] = (struct eval_ratio){c->bad_replied, c->bad};
    out[EVAL_RATE_RECTIFY] = (struct eval_ratio){c->bad_rectified, c->bad};
    out[EVAL_RATE_RECTIFY_SATISFACTION] = (struct eval_ratio){c->bad_satisfied, c->bad_rectified};
}

const char *eval_rate_name(enum eval_rate_kind k)
{
    static const char *const names[EVAL_RATES] = {
        "good_rate",      "active_good_rate", "unrated_rate",
        "bad_reply_rate", "rectify_rate",     "rectify_satisfaction_rate",
    };
    return k >= 0 && k < EVAL_RATES ? names[k] : "";
}

int eval_ratio_value(struct eval_ratio r, double *v)
{
    if (r.den <= 0)
        return 0;
    *v = (double)r.num / (double)r.den;
    return 1;
}

void eval_counts_add(struct eval_counts *a, const struct eval_counts *b)
{
    for (int i = 0; i < 5; i++)
        a->n[i] += b->n[i];
    a->active += b->active;
    a->active_good += b->active_good;
    a->defaulted += b->defaulted;
    a->unrated += b->unrated;
    a->bad += b->bad;
    a->excluded += b->excluded;
    a->bad_replied += b->bad_replied;
    a->bad_rectified += b->bad_rectified;
    a->bad_satisfied += b->bad_satisfied;
}

/* The fourteen counts from columns col.. (n1..n5, active, active_good,
 * defaulted, unrated, bad, excluded, bad_replied, bad_rectified,
 * bad_satisfied). */
static void read_counts(struct db_stmt *st, int col, struct eval_counts *c)
{
    for (int i = 0; i < 5; i++)
        c->n[i] = db_col_int64(st, col + i);
    c->active = db_col_int64(st, col + 5);
    c->active_good = db_col_int64(st, col + 6);
    c->defaulted = db_col_int64(st, col + 7);
    c->unrated = db_col_int64(st, col + 8);
    c->bad = db_col_int64(st, col + 9);
    c->excluded = db_col_int64(st, col + 10);
    c->bad_replied = db_col_int64(st, col + 11);
    c->bad_rectified = db_col_int64(st, col + 12);
    c->bad_satisfied = db_col_int64(st, col + 13);
}

/* ---- groupings ---- */

static const char *const by_names[EVAL_BY_COUNT] = {
    "staff", "window", "hall", "unit", "region", "item", "channel", "day", "month",
};

int eval_by_parse(const char *s, enum eval_by *by)
{
    for (int i = 0; s && i < EVAL_BY_COUNT; i++)
        if (strcmp(s, by_names[i]) == 0) {
            *by = (enum eval_by)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *eval_by_name(enum eval_by by)
{
    return by >= 0 && by < EVAL_BY_COUNT ? by_names[by] : "";
}

int eval_month_ok(const char *s)
{
    char day[DATE_TEXT];
    int32_t d = 0;
    if (!s || strlen(s) != 7 || s[4] != '-')
        return ERR_INVALID;
    snprintf(day, sizeof(day), "%s-01", s);
    return date_parse(day, &d) < 0 ? ERR_INVALID : 0;
}

/* The first and last day of month "YYYY-MM" (checked). */
static void month_days(const char *month, int32_t *first, int32_t *last)
{
    char day[DATE_TEXT];
    snprintf(day, sizeof(day), "%.7s-01", month);
    date_parse(day, first);
    int y = 0, m = 0, d = 0;
    date_to_civil(*first, &y, &m, &d);
    *last = (m == 12 ? date_from_civil(y + 1, 1, 1) : date_from_civil(y, m + 1, 1)) - 1;
}

/* ---- the metrics' statements ----
 *
 * One statement per key: the rollups of [?1, ?2] whose window node lies in
 * [?3, ?4), with the channel ?5 ('' any), item ?6 (0 any) and, in the _S
 * forms, staff member ?7, summed per key and indicator set. Without a staff
 * member the nodes of the range drive (CROSS JOIN keeps SQLite to that
 * order): one (window_id, day) index range per node, so a window's month
 * reads its own rows only, never the region's; with one, the staff index
 * drives. Columns: 0 key, 1 set id, 2..15 the counts (read_counts),
 * 16 dim_n, 17..24 dim1..dim8, then 25 label, 26 code, 27 path, 28 kind,
 * 29 the window node's parent (for node keys; NULL otherwise). Ordered by
 * key then newest set first, so a key's rows come together. */
#define SUMS                                                                                       \
    "SUM(r.n1) AS c1, SUM(r.n2) AS c2, SUM(r.n3) AS c3, SUM(r.n4) AS c4, SUM(r.n5) AS c5,"         \
    " SUM(r.active) AS c6, SUM(r.active_good) AS c7, SUM(r.defaulted) AS c8,"                      \
    " SUM(r.unrated) AS c9, SUM(r.bad) AS c10, SUM(r.excluded) AS c11,"                            \
    " SUM(r.bad_replied) AS c12, SUM(r.bad_rectified) AS c13, SUM(r.bad_satisfied) AS c14,"        \
    " SUM(r.dim_n) AS dn, SUM(r.dim1) AS d1, SUM(r.dim2) AS d2, SUM(r.dim3) AS d3,"                \
    " SUM(r.dim4) AS d4, SUM(r.dim5) AS d5, SUM(r.dim6) AS d6, SUM(r.dim7) AS d7,"                 \
    " SUM(r.dim8) AS d8"
#define GCOLS                                                                                      \
    "g.k, g.s, g.c1, g.c2, g.c3, g.c4, g.c5, g.c6, g.c7, g.c8, g.c9, g.c10, g.c11, g.c12, g.c13,"  \
    " g.c14, g.dn, g.d1, g.d2, g.d3, g.d4, g.d5, g.d6, g.d7, g.d8"
#define WHERE_ANY " AND (CAST(?7 AS BIGINT) = 0 OR r.staff_id = ?7)"
#define WHERE_STAFF " AND r.staff_id = ?7"
#define FROM_ANY " FROM org_node w CROSS JOIN eval_rollup r"
#define FROM_STAFF " FROM eval_rollup r JOIN org_node w ON w.id = r.window_id"
#define INNER(KEY, FROM, STAFF)                                                                    \
    "SELECT " KEY " AS k, r.set_id AS s, " SUMS FROM                                               \
    " WHERE r.window_id = w.id AND r.day >= ?1 AND r.day <= ?2 AND w.path >= ?3 AND w.path < ?4"   \
    " AND (CAST(?5 AS TEXT) = '' OR r.channel = ?5)"                                               \
    " AND (CAST(?6 AS BIGINT) = 0 OR r.item_id = ?6)" STAFF " GROUP BY " KEY ", r.set_id"
#define ORDER " ORDER BY g.k, g.s DESC"

#define SQL_STAFF(FROM, STAFF)                                                                     \
    "SELECT " GCOLS ", s.name, NULL, NULL, NULL, NULL"                                             \
    " FROM (" INNER("r.staff_id", FROM, STAFF) ") g LEFT JOIN staff s ON s.id = g.k" ORDER
#define SQL_NODE(FROM, STAFF)                                                                      \
    "SELECT " GCOLS ", w.name, w.code, w.path, w.kind, w.parent_id"                                \
    " FROM (" INNER("r.window_id", FROM, STAFF) ") g JOIN org_node w ON w.id = g.k" ORDER
#define ITEM_JOIN                                                                                  \
    " LEFT JOIN catalog_item i ON i.id = g.k"                                                      \
    " LEFT JOIN catalog_version v ON v.id = i.current_version_id"
#define SQL_ITEM(FROM, STAFF)                                                                      \
    "SELECT " GCOLS ", v.name, i.code, NULL, NULL, NULL"                                           \
    " FROM (" INNER("r.item_id", FROM, STAFF) ") g" ITEM_JOIN ORDER
#define SQL_TEXT(KEY, FROM, STAFF)                                                                 \
    "SELECT " GCOLS ", NULL, NULL, NULL, NULL, NULL FROM (" INNER(KEY, FROM, STAFF) ") g" ORDER

static const char SQL_BY_STAFF[] = SQL_STAFF(FROM_ANY, WHERE_ANY);
static const char SQL_BY_STAFF_S[] = SQL_STAFF(FROM_STAFF, WHERE_STAFF);
static const char SQL_BY_NODE[] = SQL_NODE(FROM_ANY, WHERE_ANY);
static const char SQL_BY_NODE_S[] = SQL_NODE(FROM_STAFF, WHERE_STAFF);
static const char SQL_BY_ITEM[] = SQL_ITEM(FROM_ANY, WHERE_ANY);
static const char SQL_BY_ITEM_S[] = SQL_ITEM(FROM_STAFF, WHERE_STAFF);
static const char SQL_BY_CHANNEL[] = SQL_TEXT("r.channel", FROM_ANY, WHERE_ANY);
static const char SQL_BY_CHANNEL_S[] = SQL_TEXT("r.channel", FROM_STAFF, WHERE_STAFF);
static const char SQL_BY_DAY[] = SQL_TEXT("r.day", FROM_ANY, WHERE_ANY);
static const char SQL_BY_DAY_S[] = SQL_TEXT("r.day", FROM_STAFF, WHERE_STAFF);
static const char SQL_BY_MONTH[] = SQL_TEXT("SUBSTR(r.day, 1, 7)", FROM_ANY, WHERE_ANY);
static const char SQL_BY_MONTH_S[] = SQL_TEXT("SUBSTR(r.day, 1, 7)", FROM_STAFF, WHERE_STAFF);

enum { COL_SET = 1, COL_COUNTS = 2, COL_DIMN = 16, COL_DIM1 = 17, COL_LABEL = 25 };
enum { COL_CODE = 26, COL_PATH = 27, COL_KIND = 28, COL_PARENT = 29 };

static const char SQL_NODES_UNDER[] =
    "SELECT id, kind, code, name, path FROM org_node"
    " WHERE path >= ?1 AND path < ?2 AND kind <> 'window' ORDER BY id";
static const char SQL_SET_ITEMS[] =
    "SELECT pos, code, name_zh, name_en FROM eval_indicator WHERE set_id = ?1 ORDER BY pos";
static const char SQL_ITEM_EXISTS[] = "SELECT id FROM catalog_item WHERE id = ?1";
static const char SQL_STAFF_EXISTS[] = "SELECT id FROM staff WHERE id = ?1";

/* ---- the work of one metrics call ---- */

/* An org node the hall/unit/region groupings look up (sorted by id). */
struct stat_node {
    int64_t id;
    char kind[8];
    const char *code, *name, *path;
    int group; /* its row, -1 none yet */
};

/* The indicators of one set, loaded once per call. */
struct stat_set {
    int64_t id;
    struct eval_set set;
};

struct stat_work {
    struct db *db;
    struct arena *a;
    struct eval_stats *out;
    int cap; /* rows allocated */
    int oom;
    struct stat_node *nodes; /* hall/unit/region: the subtree's and its ancestors' */
    int nnodes;
    int none_group;           /* the row of key 0 (no node of the kind), -1 none */
    struct stat_set sets[64]; /* loaded sets (more: dims of later ones are skipped) */
    int nsets;
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
};

/* The set's indicators (NULL when it has none stored, or out of room). */
static const struct eval_set *stat_set_get(struct stat_work *w, int64_t id)
{
    for (int i = 0; i < w->nsets; i++)
        if (w->sets[i].id == id)
            return w->sets[i].set.n ? &w->sets[i].set : NULL;
    if (id <= 0 || w->nsets >= (int)(sizeof(w->sets) / sizeof(w->sets[0])))
        return NULL;
    struct stat_set *s = &w->sets[w->nsets++];
    memset(s, 0, sizeof(*s));
    s->id = id;
    struct db_stmt *st = NULL;
    if (db_prepare(w->db, SQL_SET_ITEMS, &st) < 0)
        return NULL;
    db_bind_int64(st, 1, id);
    while (db_step(st) == DB_ROW && s->set.n < EVAL_DIMS_MAX) {
        struct eval_indicator *it = &s->set.items[s->set.n++];
        it->pos = (int)db_col_int64(st, 0);
        it->code = (char *)col_copy(st, 1, w->a, &w->oom);
        it->name_zh = (char *)col_copy(st, 2, w->a, &w->oom);
        it->name_en = (char *)col_copy(st, 3, w->a, &w->oom);
    }
    db_finalize(st);
    return s->set.n ? &s->set : NULL;
}

/* Add the dimension sums of the current row (set col COL_SET) into row. */
static void add_dims(struct stat_work *w, struct eval_stats_row *row, struct db_stmt *st)
{
    int64_t dn = db_col_int64(st, COL_DIMN);
    if (dn <= 0)
        return;
    const struct eval_set *s = stat_set_get(w, db_col_int64(st, COL_SET));
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        const struct eval_indicator *it = &s->items[i];
        if (it->pos < 1 || it->pos > EVAL_DIMS_MAX)
            continue;
        int k = 0;
        while (k < row->ndims && strcmp(row->dims[k].code, it->code) != 0)
            k++;
        if (k == row->ndims) {
            if (k >= EVAL_STATS_DIMS_MAX)
                continue;
            /* room for 8, then doubled whenever a power of two is full */
            if (k == 0 || (k >= 8 && (k & (k - 1)) == 0)) {
                size_t cap = k ? (size_t)k * 2 : 8;
                struct eval_dim_avg *d = arena_alloc(w->a, sizeof(*d) * cap);
                if (!d) {
                    w->oom = 1;
                    return;
                }
                if (k)
                    memcpy(d, row->dims, sizeof(*d) * (size_t)k);
                row->dims = d;
            }
            row->dims[k] = (struct eval_dim_avg){it->code, it->name_zh, it->name_en, 0, 0};
            row->ndims++;
        }
        row->dims[k].sum += db_col_int64(st, COL_DIM1 + it->pos - 1);
        row->dims[k].n += dn;
    }
}

/* A new row (zeroed) or NULL when the answer is full or memory ran out. */
static struct eval_stats_row *row_new(struct stat_work *w)
{
    struct eval_stats *o = w->out;
    if (o->n >= EVAL_STATS_ROWS_MAX) {
        o->truncated = 1;
        return NULL;
    }
    if (o->n == w->cap) {
        int cap = w->cap ? w->cap * 2 : 64;
        if (cap > EVAL_STATS_ROWS_MAX)
            cap = EVAL_STATS_ROWS_MAX;
        struct eval_stats_row *rows = arena_alloc(w->a, sizeof(*rows) * (size_t)cap);
        if (!rows) {
            w->oom = 1;
            return NULL;
        }
        if (o->n)
            memcpy(rows, o->rows, sizeof(*rows) * (size_t)o->n);
        o->rows = rows;
        w->cap = cap;
    }
    struct eval_stats_row *r = &o->rows[o->n++];
    memset(r, 0, sizeof(*r));
    r->label = "";
    return r;
}

static struct stat_node *node_find(struct stat_work *w, int64_t id)
{
    int lo = 0, hi = w->nnodes - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (w->nodes[mid].id == id)
            return &w->nodes[mid];
        if (w->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int node_cmp(const void *x, const void *y)
{
    const struct stat_node *a = x, *b = y;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The non-window nodes of the range [lo, hi) and the ancestors of its root,
 * sorted by id: what hall, unit and region look up. */
static int load_nodes(struct stat_work *w, const char *root_path)
{
    size_t cap = 256;
    w->nodes = arena_alloc(w->a, sizeof(*w->nodes) * cap);
    if (!w->nodes)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(w->db, SQL_NODES_UNDER, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, w->lo);
    db_bind_text(st, 2, w->hi);
    while ((rc = db_step(st)) == DB_ROW) {
        if ((size_t)w->nnodes == cap) {
            struct stat_node *more = arena_alloc(w->a, sizeof(*more) * cap * 2);
            if (!more) {
                rc = ERR_NOMEM;
                break;
            }
            memcpy(more, w->nodes, sizeof(*more) * cap);
            w->nodes = more;
            cap *= 2;
        }
        struct stat_node *n = &w->nodes[w->nnodes++];
        n->id = db_col_int64(st, 0);
        const char *kind = db_col_text(st, 1);
        snprintf(n->kind, sizeof(n->kind), "%s", kind ? kind : "");
        n->code = col_copy(st, 2, w->a, &w->oom);
        n->name = col_copy(st, 3, w->a, &w->oom);
        n->path = col_copy(st, 4, w->a, &w->oom);
        n->group = -1;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    /* the ancestors of the range's root: "/1/4/9/" → 1 and 4 */
    const char *p = root_path;
    while (p && *p == '/' && p[1]) {
        char *end = NULL;
        int64_t id = strtoll(p + 1, &end, 10);
        if (!end || *end != '/')
            break;
        p = end;
        if (p[1] == '\0')
            break; /* the root itself: loaded above */
        struct org_node on;
        if ((rc = org_get(w->db, id, &on)) < 0)
            return rc == ERR_NOTFOUND ? 0 : rc;
        if ((size_t)w->nnodes == cap)
            break; /* deeper than any tree allows */
        struct stat_node *n = &w->nodes[w->nnodes++];
        n->id = on.id;
        snprintf(n->kind, sizeof(n->kind), "%s", on.kind);
        n->code = arena_strdup(w->a, on.code);
        n->name = arena_strdup(w->a, on.name);
        n->path = arena_strdup(w->a, on.path);
        n->group = -1;
        if (!n->code || !n->name || !n->path)
            w->oom = 1;
    }
    qsort(w->nodes, (size_t)w->nnodes, sizeof(*w->nodes), node_cmp);
    return w->oom ? ERR_NOMEM : 0;
}

/* The nearest node of kind at or above the node (id, kind, path): the node
 * itself, else its ancestors from the nearest up; NULL none. */
static struct stat_node *ancestor_of(struct stat_work *w, const char *kind, const char *path)
{
    /* ids of the path, nearest last */
    int64_t ids[64];
    int n = 0;
    const char *p = path;
    while (p && *p == '/' && p[1] && n < 64) {
        char *end = NULL;
        ids[n++] = strtoll(p + 1, &end, 10);
        if (!end || *end != '/')
            break;
        p = end;
    }
    for (int i = n - 1; i >= 0; i--) {
        struct stat_node *sn = node_find(w, ids[i]);
        if (sn && strcmp(sn->kind, kind) == 0)
            return sn;
    }
    return NULL;
}

/* The row of a hall/unit/region group for the current row's window node. */
static struct eval_stats_row *node_group(struct stat_work *w, enum eval_by by, struct db_stmt *st)
{
    static const char *const kinds[] = {
        [EVAL_BY_HALL] = "hall", [EVAL_BY_UNIT] = "unit", [EVAL_BY_REGION] = "region"};
    const char *kind = kinds[by];
    const char *wkind = db_col_text(st, COL_KIND);
    const char *path = db_col_text(st, COL_PATH);
    struct stat_node *sn = NULL;
    if (wkind && strcmp(wkind, kind) == 0)
        sn = node_find(w, db_col_int64(st, 0));
    if (!sn)
        sn = ancestor_of(w, kind, path);
    int *slot = sn ? &sn->group : &w->none_group;
    if (*slot >= 0)
        return &w->out->rows[*slot];
    struct eval_stats_row *row = row_new(w);
    if (!row)
        return NULL;
    *slot = (int)(row - w->out->rows);
    if (sn) {
        row->key_id = sn->id;
        row->label = sn->name;
        row->code = sn->code;
    }
    return row;
}

/* Whether the current row's key equals row's (id or text keys). */
static int same_key(const struct eval_stats_row *row, struct db_stmt *st, int text_key)
{
    if (!text_key)
        return row->key_id == db_col_int64(st, 0);
    const char *k = db_col_text(st, 0);
    return row->key && k && strcmp(row->key, k) == 0;
}

/* Start the row of a directly keyed group from the current row. */
static void row_start(struct stat_work *w, struct eval_stats_row *row, enum eval_by by,
                      struct db_stmt *st)
{
    if (by == EVAL_BY_CHANNEL || by == EVAL_BY_DAY || by == EVAL_BY_MONTH) {
        row->key = col_copy(st, 0, w->a, &w->oom);
        row->label = row->key;
        return;
    }
    row->key_id = db_col_int64(st, 0);
    row->label = col_copy(st, COL_LABEL, w->a, &w->oom);
    if (by == EVAL_BY_ITEM || by == EVAL_BY_WINDOW)
        row->code = db_col_is_null(st, COL_CODE) ? NULL : col_copy(st, COL_CODE, w->a, &w->oom);
}

/* Every row's sort text: what its grouping orders by. */
struct row_order {
    const char *text;
    int64_t id;
    int none;
    struct eval_stats_row row;
};

static int order_cmp(const void *x, const void *y)
{
    const struct row_order *a = x, *b = y;
    if (a->none != b->none)
        return a->none - b->none;
    int c = strcmp(a->text, b->text);
    if (c)
        return c;
    return a->id < b->id ? -1 : a->id > b->id;
}

static int rows_sort(struct stat_work *w, enum eval_by by, const char *const *paths)
{
    struct eval_stats *o = w->out;
    if (o->n < 2)
        return 0;
    struct row_order *ord = arena_alloc(w->a, sizeof(*ord) * (size_t)o->n);
    if (!ord)
        return ERR_NOMEM;
    for (int i = 0; i < o->n; i++) {
        struct eval_stats_row *r = &o->rows[i];
        ord[i].row = *r;
        ord[i].id = r->key_id;
        ord[i].none = r->key ? 0 : r->key_id == 0;
        if (r->key)
            ord[i].text = r->key;
        else if (by == EVAL_BY_ITEM)
            ord[i].text = r->code ? r->code : "";
        else if (by == EVAL_BY_STAFF)
            ord[i].text = r->label ? r->label : "";
        else
            ord[i].text = paths && paths[i] ? paths[i] : "";
    }
    qsort(ord, (size_t)o->n, sizeof(*ord), order_cmp);
    for (int i = 0; i < o->n; i++)
        o->rows[i] = ord[i].row;
    return 0;
}

/* The drill-down of a row: the query's filters narrowed to the row's key. */
static void row_drill(struct stat_work *w, enum eval_by by, const struct eval_drill *base,
                      const char *node_path, struct eval_stats_row *r)
{
    struct eval_drill *d = &r->drill;
    *d = *base;
    switch (by) {
    case EVAL_BY_STAFF:
        d->staff_id = r->key_id;
        break;
    case EVAL_BY_WINDOW:
        d->window_id = r->key_id;
        break;
    case EVAL_BY_HALL:
    case EVAL_BY_UNIT:
    case EVAL_BY_REGION:
        /* a node above the queried one would widen the list: keep the query's */
        if (r->key_id && node_path && strcmp(node_path, w->lo) >= 0 && strcmp(node_path, w->hi) < 0)
            d->node_id = r->key_id;
        break;
    case EVAL_BY_ITEM:
        d->item_id = r->key_id;
        break;
    case EVAL_BY_CHANNEL:
        d->channel = r->key;
        break;
    case EVAL_BY_DAY:
        snprintf(d->from, sizeof(d->from), "%s", r->key);
        snprintf(d->to, sizeof(d->to), "%s", r->key);
        break;
    case EVAL_BY_MONTH: {
        int32_t first = 0, last = 0;
        month_days(r->key, &first, &last);
        char f[DATE_TEXT], t[DATE_TEXT];
        date_format(first, f);
        date_format(last, t);
        if (strcmp(f, d->from) > 0)
            snprintf(d->from, sizeof(d->from), "%s", f);
        if (strcmp(t, d->to) < 0)
            snprintf(d->to, sizeof(d->to), "%s", t);
        break;
    }
    default:
        break;
    }
}

static const char *const *sql_for(enum eval_by by)
{
    static const char *const staff[2] = {SQL_BY_STAFF, SQL_BY_STAFF_S};
    static const char *const node[2] = {SQL_BY_NODE, SQL_BY_NODE_S};
    static const char *const item[2] = {SQL_BY_ITEM, SQL_BY_ITEM_S};
    static const char *const channel[2] = {SQL_BY_CHANNEL, SQL_BY_CHANNEL_S};
    static const char *const day[2] = {SQL_BY_DAY, SQL_BY_DAY_S};
    static const char *const month[2] = {SQL_BY_MONTH, SQL_BY_MONTH_S};
    switch (by) {
    case EVAL_BY_STAFF:
        return staff;
    case EVAL_BY_ITEM:
        return item;
    case EVAL_BY_CHANNEL:
        return channel;
    case EVAL_BY_DAY:
        return day;
    case EVAL_BY_MONTH:
        return month;
    default:
        return node;
    }
}

static int channel_ok(const char *c)
{
    static const char list[] = EVAL_CHANNELS;
    size_t n = strlen(c);
    if (n == 0 || strchr(c, ','))
        return 0;
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, c, n) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

static int exists(struct db *db, const char *sql, int64_t id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : rc == DB_ROW;
}

/* Check q for who and fill the period, the staff filter and the range. */
static int stats_check(struct stat_work *w, const struct actor *who,
                       const struct eval_stats_query *q, char root_path[ACTOR_PATH_MAX],
                       struct err *e)
{
    struct eval_stats *o = w->out;
    if (who->role != ROLE_SYSTEM && who->role != ROLE_ADMIN && who->role != ROLE_LEADER &&
        who->role != ROLE_SUPERVISOR && who->role != ROLE_STAFF)
        return err_set(e, ERR_FORBIDDEN, NULL, "your role may not do this");
    if (eval_by_parse(q->by, &o->by) < 0)
        return err_set(e, ERR_INVALID, "by",
                       "by must be staff, window, hall, unit, region, item, channel, day or month");
    int32_t dfrom = 0, dto = 0;
    if (!q->from || date_parse(q->from, &dfrom) < 0)
        return err_set(e, ERR_INVALID, "from", "from must be a date as YYYY-MM-DD");
    if (!q->to || date_parse(q->to, &dto) < 0)
        return err_set(e, ERR_INVALID, "to", "to must be a date as YYYY-MM-DD");
    if (dto < dfrom)
        return err_set(e, ERR_INVALID, "to", "to must not be before from");
    if (dto - dfrom + 1 > EVAL_STATS_SPAN_DAYS)
        return err_set(e, ERR_INVALID, "to", "the period may span at most %d days",
                       EVAL_STATS_SPAN_DAYS);
    date_format(dfrom, o->from);
    date_format(dto, o->to);
    if (q->channel && *q->channel && !channel_ok(q->channel))
        return err_set(e, ERR_INVALID, "channel", "channel must be one of " EVAL_CHANNELS);
    int rc = q->item_id > 0 ? exists(w->db, SQL_ITEM_EXISTS, q->item_id) : 1;
    if (rc < 0)
        return db_fail(e, rc);
    if (q->item_id < 0 || rc == 0)
        return err_set(e, ERR_INVALID, "item_id", "no such item");
    o->staff_id = q->staff_id;
    if (who->role == ROLE_STAFF) {
        if (q->staff_id && q->staff_id != who->staff_id)
            return err_set(e, ERR_FORBIDDEN, "staff_id", "staff see their own figures only");
        o->staff_id = who->staff_id;
    }
    rc = o->staff_id > 0 ? exists(w->db, SQL_STAFF_EXISTS, o->staff_id) : 1;
    if (rc < 0)
        return db_fail(e, rc);
    if (o->staff_id < 0 || rc == 0)
        return err_set(e, ERR_INVALID, "staff_id", "no such staff member");
    snprintf(root_path, ACTOR_PATH_MAX, "%s", who->scope[0] ? who->scope : "/");
    if (q->node_id) {
        struct org_node n;
        rc = org_get(w->db, q->node_id, &n);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return db_fail(e, rc);
        if (!actor_in_scope(who, n.path))
            return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
        snprintf(root_path, ACTOR_PATH_MAX, "%s", n.path);
        o->node_id = n.id;
    }
    snprintf(w->lo, sizeof(w->lo), "%s", root_path);
    org_path_end(w->lo, w->hi, sizeof(w->hi));
    return 0;
}

int eval_stats(struct db *db, const struct actor *who, const struct eval_stats_query *q,
               struct arena *a, struct eval_stats *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    out->total.label = "";
    struct stat_work *w = arena_alloc(a, sizeof(*w));
    if (!w)
        return db_fail(e, ERR_NOMEM);
    memset(w, 0, sizeof(*w));
    w->db = db;
    w->a = a;
    w->out = out;
    w->none_group = -1;
    char root_path[ACTOR_PATH_MAX] = "";
    int rc = stats_check(w, who, q, root_path, e);
    if (rc < 0)
        return rc;
    enum eval_by by = out->by;
    int node_key = by == EVAL_BY_HALL || by == EVAL_BY_UNIT || by == EVAL_BY_REGION;
    int text_key = by == EVAL_BY_CHANNEL || by == EVAL_BY_DAY || by == EVAL_BY_MONTH;
    if (node_key && (rc = load_nodes(w, root_path)) < 0)
        return db_fail(e, rc);

    struct db_stmt *st = NULL;
    rc = db_prepare(db, sql_for(by)[out->staff_id > 0], &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_text(st, 1, out->from);
    db_bind_text(st, 2, out->to);
    db_bind_text(st, 3, w->lo);
    db_bind_text(st, 4, w->hi);
    db_bind_text(st, 5, q->channel ? q->channel : "");
    db_bind_int64(st, 6, q->item_id);
    db_bind_int64(st, 7, out->staff_id);
    /* the window rows' paths, in row order, for sorting windows by path */
    const char **paths = NULL;
    struct eval_stats_row *cur = NULL;
    while ((rc = db_step(st)) == DB_ROW && !w->oom) {
        struct eval_counts c = {0};
        read_counts(st, COL_COUNTS, &c);
        eval_counts_add(&out->total.c, &c);
        add_dims(w, &out->total, st);
        struct eval_stats_row *row = NULL;
        if (node_key) {
            row = node_group(w, by, st);
        } else if (cur && same_key(cur, st, text_key)) {
            row = cur;
        } else {
            cur = row = row_new(w);
            if (row) {
                row_start(w, row, by, st);
                if (by == EVAL_BY_WINDOW) {
                    if (!paths)
                        paths = arena_alloc(a, sizeof(*paths) * EVAL_STATS_ROWS_MAX);
                    if (paths)
                        paths[row - out->rows] = col_copy(st, COL_PATH, a, &w->oom);
                    else
                        w->oom = 1;
                }
            }
        }
        if (!row)
            continue; /* the answer is full: the total still counts it */
        eval_counts_add(&row->c, &c);
        add_dims(w, row, st);
    }
    db_finalize(st);
    if (rc < 0 || w->oom)
        return db_fail(e, w->oom ? ERR_NOMEM : rc);

    /* node groups sort by their node's path */
    if (node_key && out->n) {
        paths = arena_alloc(a, sizeof(*paths) * (size_t)out->n);
        if (!paths)
            return db_fail(e, ERR_NOMEM);
        for (int i = 0; i < out->n; i++) {
            const struct stat_node *sn =
                out->rows[i].key_id ? node_find(w, out->rows[i].key_id) : NULL;
            paths[i] = sn ? sn->path : "";
        }
    }
    struct eval_drill base = {0};
    base.staff_id = out->staff_id;
    base.node_id = out->node_id;
    base.item_id = q->item_id;
    base.channel = q->channel && *q->channel ? q->channel : NULL;
    snprintf(base.from, sizeof(base.from), "%s", out->from);
    snprintf(base.to, sizeof(base.to), "%s", out->to);
    for (int i = 0; i < out->n; i++)
        row_drill(w, by, &base, paths ? paths[i] : NULL, &out->rows[i]);
    out->total.drill = base;
    rc = rows_sort(w, by, paths);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- ranking ---- */

static const char SQL_RANKING[] =
    "SELECT m.window_id, w.name, w.code, COALESCE(w.parent_id, 0), h.name, m.n1, m.n2, m.n3,"
    " m.n4, m.n5, m.active, m.active_good, m.defaulted, m.unrated, m.bad, m.excluded,"
    " m.bad_replied, m.bad_rectified, m.bad_satisfied FROM eval_month_window m"
    " JOIN org_node w ON w.id = m.window_id LEFT JOIN org_node h ON h.id = w.parent_id"
    " WHERE m.month = ?1 AND w.kind = 'window' AND w.path >= ?2 AND w.path < ?3";

/* Better first: a higher 好评率 (compared exactly, as cross products), a rate
 * before none, more evaluations, then the lower window id. */
static int rank_better(const struct eval_rank *a, const struct eval_rank *b)
{
    struct eval_ratio ra[EVAL_RATES], rb[EVAL_RATES];
    eval_counts_rates(&a->c, ra);
    eval_counts_rates(&b->c, rb);
    struct eval_ratio x = ra[EVAL_RATE_GOOD], y = rb[EVAL_RATE_GOOD];
    int hx = x.den > 0, hy = y.den > 0;
    if (hx != hy)
        return hx ? -1 : 1;
    if (hx) {
        /* counts stay far below 2^31, so the products fit */
        int64_t l = x.num * y.den, r = y.num * x.den;
        if (l != r)
            return l > r ? -1 : 1;
    }
    int64_t ta = eval_counts_total(&a->c), tb = eval_counts_total(&b->c);
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return 0;
}

static int rank_cmp(const void *x, const void *y)
{
    const struct eval_rank *a = x, *b = y;
    int c = rank_better(a, b);
    if (c)
        return c;
    return a->window_id < b->window_id ? -1 : a->window_id > b->window_id;
}

int eval_ranking(struct db *db, const char *month, const char *path_prefix, int limit,
                 struct arena *a, struct eval_rank **items, int *n)
{
    *items = NULL;
    *n = 0;
    if (eval_month_ok(month) < 0)
        return ERR_INVALID;
    if (limit < 1 || limit > EVAL_RANK_LIMIT_MAX)
        limit = EVAL_RANK_LIMIT_DEFAULT;
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    snprintf(lo, sizeof(lo), "%s", path_prefix && *path_prefix ? path_prefix : "/");
    org_path_end(lo, hi, sizeof(hi));
    size_t cap = 1024, count = 0;
    struct eval_rank *all = arena_alloc(a, sizeof(*all) * cap);
    if (!all)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RANKING, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, month);
    db_bind_text(st, 2, lo);
    db_bind_text(st, 3, hi);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (count == cap) {
            struct eval_rank *more = arena_alloc(a, sizeof(*more) * cap * 2);
            if (!more) {
                rc = ERR_NOMEM;
                break;
            }
            memcpy(more, all, sizeof(*more) * cap);
            all = more;
            cap *= 2;
        }
        struct eval_rank *r = &all[count++];
        r->window_id = db_col_int64(st, 0);
        r->window_name = col_copy(st, 1, a, &oom);
        r->window_code = col_copy(st, 2, a, &oom);
        r->hall_id = db_col_int64(st, 3);
        r->hall_name = col_copy(st, 4, a, &oom);
        read_counts(st, 5, &r->c);
    }
    db_finalize(st);
    if (rc < 0 || oom)
        return rc < 0 ? rc : ERR_NOMEM;
    qsort(all, count, sizeof(*all), rank_cmp);
    for (size_t i = 0; i < count; i++)
        all[i].rank =
            i > 0 && rank_better(&all[i - 1], &all[i]) == 0 ? all[i - 1].rank : (int)i + 1;
    *items = all;
    *n = count < (size_t)limit ? (int)count : limit;
    return 0;
}

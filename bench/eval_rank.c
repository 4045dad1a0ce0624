/* eval_rank - the ranking_month bench case, in process against the release
 * objects: a month's ranking of 5,000 windows among 10,000,000 stored
 * evaluations, read from the per-month rollup (eval_month_window), and the
 * same ranking computed from the raw evaluations as the reference.
 *
 * 1. The dataset, built once and cached (CACHE_DIR/eval_rank_<rows>_<windows>.db,
 *    reused while its parameters and the generator's version match, after
 *    taking the migrations added since it was built, as a server's database
 *    does on upgrade; built into a .tmp file renamed when complete, so
 *    an interrupted build is never reused). A SQLite database migrated with
 *    migrate_apply; an org tree of one city region, DISTRICTS district
 *    regions, each with UNITS units, one hall under the district and one
 *    under each unit, WINDOWS windows spread over the halls; per district an
 *    eval_setting (even districts record 未评, odd ones a default level 3) and
 *    a current offline indicator set. Then ROWS evaluations over MONTHS
 *    months (2025-12 .. 2026-11 by default), in time order, in transactions of
 *    100,000 rows through one prepared INSERT (no journal, no fsync during the
 *    load): windows of very different traffic and quality, working days busy
 *    and weekends quiet, 8 % of services unrated (in a 'default' district a
 *    defaulted level-3 evaluation, channel system), about 3 % 差评 with reasons
 *    (3 % of them excluded by an upheld appeal), 1 % 追评, channels, devices,
 *    addresses, dimension scores, real names and hashes as the server writes
 *    them. The rollups are accumulated in memory while the evaluations are
 *    generated and written with them: eval_rollup per day, window, staff
 *    member, item, channel and set, eval_month_window per month and window
 *    (unrated services count there only). No eval_event rows: neither query
 *    reads them. Then ANALYZE, and WAL.
 * 2. On a read-only connection (as the HTTP threads read), with a warm cache:
 *    the ranking of MONTH (2026-11) over the whole tree, limit 5,000, as the
 *    API computes it: eval_ranking() of src/domain/eval_stats.c
 *    (eval_month_window for the month joined to org_node for the window's
 *    and its hall's names, ranked by 好评率 = (n4+n5) / (n1..n5 - excluded),
 *    then the count n1..n5, then the window id). Its statement is caught by
 *    an SQLite trace hook (installed on every connection through
 *    sqlite3_auto_extension); its plan must search eval_month_window by
 *    month, never scan it. One warm-up and RUNS timed calls.
 * 3. The reference: the same ranking from the raw evaluations (the first
 *    evaluations of the month's services, through the index
 *    evaluation_created over the month plus the longest evaluation window,
 *    GROUP BY window), one warm-up and REF_RUNS calls. Both must agree row by
 *    row (window, names, count, 好评, active, active 好评, 差评, excluded) - the
 *    check that the rollups hold what the evaluations say and that
 *    eval_ranking orders them as defined.
 *
 * Prints one line of key=value pairs on stdout:
 *
 *   rows=N windows=N month=YYYY-MM ranked=N runs=N p50_ms=.. p90_ms=.. p99_ms=..
 *   ranks_per_s=.. ref_runs=N ref_p50_ms=.. ref_p99_ms=.. ref_ranks_per_s=..
 *   speedup=.. month_evaluations=N built=0|1 build_s=.. db_mb=.. via=eval_ranking
 *
 * month_evaluations: the month's first evaluations (n1..n5 of its rollup).
 * p99 is nearest-rank (with 50 runs, the second slowest). build_s is the
 * build's time when this run built the dataset, else the time recorded when
 * it was built. The plans go to stderr. Exit status 0, or 1 on any failure
 * (a build over BUILD_MAX_S included).
 *
 * Usage: eval_rank [--rows 10000000] [--windows 5000] [--runs 50]
 *                  [--ref-runs 5] [--cache-dir DIR] [--build-max-s 1800]
 *                  [--rebuild]
 */
#define DRV_NAME "eval_rank"
#include <sqlite3.h>
#include <sys/stat.h>

#include "drv.h"

#include "base/arena.h"
#include "base/date.h"
#include "domain/eval_stats.h"
#include "store/db.h"
#include "store/migrate.h"

#define GEN_VERSION 2 /* bump when the generator changes what it writes */
#define DISTRICTS 10
#define UNITS 4                         /* per district, each with a hall */
#define HALLS (DISTRICTS * (1 + UNITS)) /* the district's own hall + one per unit */
#define MONTHS 12
#define FIRST_YEAR 2025
#define FIRST_MONTH 12 /* the dataset runs 2025-12 .. 2026-11 */
#define RANK_MONTH "2026-11"
#define RANK_LIMIT 5000
#define STAFF_PER_WINDOW 2
#define ITEMS_PER_WINDOW 3
#define ITEMS 400
#define TXN_ROWS 100000
#define UNRATED_PM 80 /* services left unevaluated, per mille */
#define FOLLOWUP_PM 10
#define MAX_RUNS 1000
#define TZ_S ((int64_t)8 * 3600) /* Asia/Shanghai */
#define DAY_S ((int64_t)86400)
#define PLAN_MAX 1024

enum channel {
    CH_TABLET,
    CH_QR,
    CH_WINDOW_QR,
    CH_STAFF_QR,
    CH_WEB,
    CH_SMS,
    CH_HOTLINE,
    CH_PAPER,
    CH_SYSTEM,
    NCH
};
static const char *const channel_name[NCH] = {"tablet", "qr",      "window_qr", "staff_qr", "web",
                                              "sms",    "hotline", "paper",     "system"};
/* active evaluations by channel, per mille (cumulative below) */
static const int channel_pm[CH_SYSTEM] = {560, 220, 70, 40, 50, 30, 20, 10};
/* the built-in offline set and reasons (src/domain/evaluation.c) */
static const char *const dim_codes[] = {"efficiency", "competence", "attitude"};
#define NDIMS 3
static const char *const reason_codes[] = {"attitude", "slow", "wait", "guide", "trips", "notice"};
#define NREASONS 6

/* ---- helpers ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rnd_below(int n)
{
    return n > 0 ? (int)(rnd() % (uint64_t)n) : 0;
}
static double rnd_unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void hex(char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0)
            x = rnd();
        out[i] = digits[x & 15];
        x >>= 4;
    }
    out[n] = '\0';
}

static void exec_or_die(struct db *db, const char *sql)
{
    if (db_exec(db, sql) < 0)
        die("%s: %s", sql, db_errmsg(db));
}

static void step_done(struct db *db, struct db_stmt *st, const char *what)
{
    if (db_step(st) < 0)
        die("%s: %s", what, db_errmsg(db));
    db_reset(st);
}

/* ---- the org tree ---- */

struct window {
    int64_t id, hall_id, unit_id, region_id, set_id;
    int district;
    int bad_pm, mid_pm, good4_pm; /* levels 1-2, 3 and 4 per mille; the rest 5 */
    int64_t staff[STAFF_PER_WINDOW];
    int64_t items[ITEMS_PER_WINDOW];
    int64_t last_first_event; /* the last first evaluation's event, for a 追评 */
    int followed;             /* it has one */
    int ip_octet;
};

static struct window *wins;
static int nwin;
static double *win_cum; /* cumulative traffic weights */
static int default_mode[DISTRICTS];
static int64_t district_id[DISTRICTS];

static const char SQL_NODE[] =
    "INSERT INTO org_node (id, parent_id, kind, code, name, path, depth, address, phone, active,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', 1, 1733000000,"
    " 1733000000)";
static const char SQL_SETTING[] =
    "INSERT INTO eval_setting (region_id, window_days, unrated_mode, default_level, followup,"
    " case_nodes, burst_n, burst_s, fast_s, streak_n, updated_at)"
    " VALUES (?1, 7, ?2, 3, 1, 'complete', 10, 600, 20, 30, 1733000000)";
static const char SQL_SET[] =
    "INSERT INTO eval_indicator_set (id, region_id, kind, version, current, published_by,"
    " published_at) VALUES (?1, ?2, 'offline', 1, 1, NULL, 1733000000)";
static const char SQL_INDICATOR[] =
    "INSERT INTO eval_indicator (set_id, pos, code, name_zh, name_en) VALUES (?1, ?2, ?3, ?4, ?5)";

static int64_t next_node_id = 1;

static int64_t add_node(struct db *db, struct db_stmt *st, int64_t parent, const char *parent_path,
                        const char *kind, const char *code, const char *name, int depth, char *path,
                        size_t pathn)
{
    int64_t id = next_node_id++;
    snprintf(path, pathn, "%s%lld/", parent_path, (long long)id);
    db_bind_int64(st, 1, id);
    if (parent)
        db_bind_int64(st, 2, parent);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, code);
    db_bind_text(st, 5, name);
    db_bind_text(st, 6, path);
    db_bind_int64(st, 7, depth);
    db_bind_text(st, 8, "");
    step_done(db, st, "insert org_node");
    return id;
}

/* the tree and the per-district settings and indicator sets; wins[] filled */
static void build_tree(struct db *db, int windows)
{
    static const char *const unit_names[UNITS] = {"市场监管局", "人力资源和社会保障局", "公安分局",
                                                  "不动产登记中心"};
    static const char *const dim_zh[NDIMS] = {"服务效率", "服务水平", "服务态度"};
    static const char *const dim_en[NDIMS] = {"Efficiency", "Service level", "Attitude"};
    struct db_stmt *sn = NULL, *ss = NULL, *sset = NULL, *sind = NULL;
    if (db_prepare(db, SQL_NODE, &sn) < 0 || db_prepare(db, SQL_SETTING, &ss) < 0 ||
        db_prepare(db, SQL_SET, &sset) < 0 || db_prepare(db, SQL_INDICATOR, &sind) < 0)
        die("prepare: %s", db_errmsg(db));
    char root_path[64], dpath[64], upath[96], wpath[160], code[32], name[128];
    int64_t root =
        add_node(db, sn, 0, "/", "region", "city", "示范市", 0, root_path, sizeof(root_path));
    int64_t hall_ids[HALLS], hall_units[HALLS];
    char hall_paths[HALLS][128];
    int hall_district[HALLS], nh = 0;
    for (int d = 0; d < DISTRICTS; d++) {
        snprintf(code, sizeof(code), "d%02d", d + 1);
        snprintf(name, sizeof(name), "第%d区", d + 1);
        int64_t did =
            add_node(db, sn, root, root_path, "region", code, name, 1, dpath, sizeof(dpath));
        district_id[d] = did;
        default_mode[d] = d % 2;
        snprintf(name, sizeof(name), "第%d区政务服务中心", d + 1);
        hall_ids[nh] = add_node(db, sn, did, dpath, "hall", "hall", name, 2, hall_paths[nh],
                                sizeof(hall_paths[nh]));
        hall_units[nh] = 0;
        hall_district[nh++] = d;
        for (int u = 0; u < UNITS; u++) {
            snprintf(code, sizeof(code), "u%d", u + 1);
            snprintf(name, sizeof(name), "第%d区%s", d + 1, unit_names[u]);
            int64_t uid = add_node(db, sn, did, dpath, "unit", code, name, 2, upath, sizeof(upath));
            snprintf(name, sizeof(name), "第%d区%s办事大厅", d + 1, unit_names[u]);
            hall_ids[nh] = add_node(db, sn, uid, upath, "hall", "hall", name, 3, hall_paths[nh],
                                    sizeof(hall_paths[nh]));
            hall_units[nh] = uid;
            hall_district[nh++] = d;
        }
        db_bind_int64(ss, 1, did);
        db_bind_text(ss, 2, default_mode[d] ? "default" : "unrated");
        step_done(db, ss, "insert eval_setting");
        db_bind_int64(sset, 1, d + 1);
        db_bind_int64(sset, 2, did);
        step_done(db, sset, "insert eval_indicator_set");
        for (int k = 0; k < NDIMS; k++) {
            db_bind_int64(sind, 1, d + 1);
            db_bind_int64(sind, 2, k + 1);
            db_bind_text(sind, 3, dim_codes[k]);
            db_bind_text(sind, 4, dim_zh[k]);
            db_bind_text(sind, 5, dim_en[k]);
            step_done(db, sind, "insert eval_indicator");
        }
    }
    nwin = windows;
    wins = calloc((size_t)windows, sizeof(*wins));
    win_cum = calloc((size_t)windows, sizeof(*win_cum));
    if (!wins || !win_cum)
        die("%s", "out of memory");
    int per_hall[HALLS] = {0};
    double cum = 0;
    for (int i = 0; i < windows; i++) {
        int h = i % HALLS; /* every hall gets its share */
        struct window *w = &wins[i];
        int no = ++per_hall[h];
        snprintf(code, sizeof(code), "w%03d", no);
        snprintf(name, sizeof(name), "%d号窗口", no);
        w->id = add_node(db, sn, hall_ids[h], hall_paths[h], "window", code, name,
                         hall_units[h] ? 4 : 3, wpath, sizeof(wpath));
        w->hall_id = hall_ids[h];
        w->unit_id = hall_units[h];
        w->district = hall_district[h];
        w->region_id = district_id[w->district];
        w->set_id = w->district + 1;
        /* quality: 0.5 % .. 6 % 差评 (3 % on average), some 3s and 4s, the rest 5 */
        w->bad_pm = 5 + rnd_below(51);
        w->mid_pm = 10 + rnd_below(51);
        w->good4_pm = 40 + rnd_below(111);
        for (int s = 0; s < STAFF_PER_WINDOW; s++)
            w->staff[s] = 100000 + (int64_t)i * STAFF_PER_WINDOW + s;
        for (int k = 0; k < ITEMS_PER_WINDOW; k++)
            w->items[k] = 1 + (i * 7 + k * 131) % ITEMS;
        w->ip_octet = 1 + i % 250;
        /* traffic: a few windows many times busier than most */
        double u = rnd_unit();
        cum += 0.25 + 3.0 * u * u * u;
        win_cum[i] = cum;
    }
    for (int i = 0; i < windows; i++)
        win_cum[i] /= cum;
    db_finalize(sn);
    db_finalize(ss);
    db_finalize(sset);
    db_finalize(sind);
}

static int pick_window(void)
{
    double u = rnd_unit();
    int lo = 0, hi = nwin - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (win_cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- the rollups, accumulated in memory ---- */

struct counts {
    int64_t n[5], active, active_good, defaulted, unrated, bad, excluded, bad_replied,
        bad_rectified, bad_satisfied, dim_n, dim[NDIMS];
};

/* per day: one slot per (window, staff, item, channel); the set is the window's */
static struct counts *day_acc;
static int *day_touched, nday_touched;
static unsigned char *day_used;
static struct counts *month_acc; /* per window */

static int acc_key(int w, int s, int item, int ch)
{
    return ((w * STAFF_PER_WINDOW + s) * ITEMS_PER_WINDOW + item) * NCH + ch;
}

static struct counts *day_slot(int key)
{
    if (!day_used[key]) {
        day_used[key] = 1;
        day_touched[nday_touched++] = key;
    }
    return &day_acc[key];
}

static const char SQL_ROLLUP[] =
    "INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id, n1, n2, n3, n4,"
    " n5, active, active_good, defaulted, unrated, bad, excluded, bad_replied, bad_rectified,"
    " bad_satisfied, dim_n, dim1, dim2, dim3, dim4, dim5, dim6, dim7, dim8)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, 0, 0, 0, 0, 0)";
static const char SQL_MONTH[] =
    "INSERT INTO eval_month_window (month, window_id, n1, n2, n3, n4, n5, active, active_good,"
    " defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

/* bind the 14 common figures from index first on */
static void bind_counts(struct db_stmt *st, int first, const struct counts *c)
{
    const int64_t v[14] = {c->n[0],     c->n[1],        c->n[2],          c->n[3],         c->n[4],
                           c->active,   c->active_good, c->defaulted,     c->unrated,      c->bad,
                           c->excluded, c->bad_replied, c->bad_rectified, c->bad_satisfied};
    for (int i = 0; i < 14; i++)
        db_bind_int64(st, first + i, v[i]);
}

static int64_t n_rollup_rows;

static void flush_day(struct db *db, struct db_stmt *st, const char *day)
{
    for (int i = 0; i < nday_touched; i++) {
        int key = day_touched[i];
        struct counts *c = &day_acc[key];
        int ch = key % NCH, rest = key / NCH;
        int item = rest % ITEMS_PER_WINDOW;
        rest /= ITEMS_PER_WINDOW;
        int s = rest % STAFF_PER_WINDOW, w = rest / STAFF_PER_WINDOW;
        db_bind_text(st, 1, day);
        db_bind_int64(st, 2, wins[w].id);
        db_bind_int64(st, 3, wins[w].staff[s]);
        db_bind_int64(st, 4, wins[w].items[item]);
        db_bind_text(st, 5, channel_name[ch]);
        db_bind_int64(st, 6, ch == CH_SYSTEM ? 0 : wins[w].set_id); /* closing: no set */
        bind_counts(st, 7, c);
        db_bind_int64(st, 21, c->dim_n);
        for (int k = 0; k < NDIMS; k++)
            db_bind_int64(st, 22 + k, c->dim[k]);
        step_done(db, st, "insert eval_rollup");
        memset(c, 0, sizeof(*c));
        day_used[key] = 0;
        n_rollup_rows++;
    }
    nday_touched = 0;
}

static void flush_month(struct db *db, struct db_stmt *st, const char *month)
{
    for (int w = 0; w < nwin; w++) {
        struct counts *c = &month_acc[w];
        db_bind_text(st, 1, month);
        db_bind_int64(st, 2, wins[w].id);
        bind_counts(st, 3, c);
        step_done(db, st, "insert eval_month_window");
        memset(c, 0, sizeof(*c));
    }
}

/* ---- the evaluations ---- */

static const char SQL_EVAL[] =
    "INSERT INTO evaluation (id, event_id, kind, level, bad, defaulted, reasons, text, set_id,"
    " dims, channel, device_id, device, ip, entered_by, evaluator_name, phone_enc, phone_hash,"
    " phone_mask, id_enc, id_mask, region_id, hall_id, unit_id, window_id, staff_id, item_id,"
    " version_id, day, created_at, excluded, prev_hash, hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)";

#define NONE 0xff
/* An evaluation decided when its service ends, written when it is created
 * (minutes to days later): kept in the bucket of its creation day. */
struct pend {
    int64_t created_at, event_id;
    int32_t day; /* the service's local day: the evaluation's day and rollup day */
    int32_t w;
    uint8_t s, item, ch, level, followup, defaulted, excluded, real_name, id_number;
    uint8_t reason_a, reason_b, text, ndims, dv[NDIMS];
};

/* creation days ahead of a service's day a bucket can be: a 追评 up to 3 + 5
 * days, a default at the window's close 7 days + an hour */
#define BUCKETS 16
struct bucket {
    struct pend *v;
    size_t n, cap;
};
static struct bucket buckets[BUCKETS];

static void push(const struct pend *p)
{
    struct bucket *b = &buckets[((p->created_at + TZ_S) / DAY_S) % BUCKETS];
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32768;
        struct pend *v = realloc(b->v, cap * sizeof(*v));
        if (!v)
            die("%s", "out of memory");
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = *p;
}

static int cmp_pend(const void *a, const void *b)
{
    const struct pend *x = a, *y = b;
    return x->created_at < y->created_at ? -1 : x->created_at > y->created_at;
}

struct gen {
    int64_t eval_id, event_seq, written;
    char prev[65];
};

static void bind_opt(struct db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int64(st, i, v);
    else
        db_bind_null(st, i);
}

static void bind_opt_text(struct db_stmt *st, int i, const char *s)
{
    if (s)
        db_bind_text(st, i, s);
    else
        db_bind_null(st, i);
}

static enum channel pick_channel(void)
{
    int r = rnd_below(1000), c = 0;
    for (int i = 0; i < CH_SYSTEM; i++) {
        c += channel_pm[i];
        if (r < c)
            return (enum channel)i;
    }
    return CH_TABLET;
}

/* seconds from the service's end to the evaluation, by channel */
static int64_t delay_of(enum channel ch)
{
    switch (ch) {
    case CH_TABLET:
        return 5 + rnd_below(120); /* at the counter */
    case CH_QR:
    case CH_WINDOW_QR:
    case CH_STAFF_QR:
    case CH_WEB: { /* the phone: mostly soon, some days later */
        int r = rnd_below(100);
        return r < 60   ? 60 + rnd_below(3600)
               : r < 90 ? 3600 + rnd_below(86400)
                        : 86400 + rnd_below(2 * 86400);
    }
    case CH_SMS:
        return 3 * 86400 + rnd_below(6 * 3600); /* the invitation 3 days after */
    case CH_HOTLINE:
    case CH_PAPER:
        return 86400 + rnd_below(4 * 86400);
    default:
        return 7 * 86400 + rnd_below(3600); /* the window's close, by the sweep */
    }
}

/* one service of window sl_w ending at `at` on day `day`: its figures
 * accumulated now, its evaluation (if any) and 追评 pushed for later; the
 * evaluation rows it makes (0..2) */
static int service(struct gen *g, int w_i, int64_t at, int32_t day, int64_t room)
{
    struct window *w = &wins[w_i];
    struct pend p = {0};
    p.w = w_i;
    p.day = day;
    p.s = (uint8_t)rnd_below(STAFF_PER_WINDOW);
    p.item = (uint8_t)rnd_below(ITEMS_PER_WINDOW);
    p.event_id = ++g->event_seq;
    p.reason_a = p.reason_b = p.text = NONE;
    int closed = rnd_below(1000) < UNRATED_PM;
    if (closed && !default_mode[w->district]) { /* 未评 when the window closes */
        day_slot(acc_key(w_i, p.s, p.item, CH_SYSTEM))->unrated++;
        month_acc[w_i].unrated++;
        return 0;
    }
    if (closed) { /* a 'default' district: the default level, marked */
        p.defaulted = 1;
        p.level = 3;
        p.ch = CH_SYSTEM;
    } else {
        int r = rnd_below(1000);
        p.level = (uint8_t)(r < w->bad_pm                             ? 1 + (rnd_below(3) == 0)
                            : r < w->bad_pm + w->mid_pm               ? 3
                            : r < w->bad_pm + w->mid_pm + w->good4_pm ? 4
                                                                      : 5);
        p.ch = (uint8_t)pick_channel();
    }
    p.created_at = at + delay_of((enum channel)p.ch);
    int bad = p.level <= 2;
    if (bad) {
        p.reason_a = (uint8_t)rnd_below(NREASONS);
        int b = rnd_below(NREASONS);
        if (b != p.reason_a && rnd_below(3) == 0)
            p.reason_b = (uint8_t)b;
        if (rnd_below(2) == 0)
            p.text = (uint8_t)rnd_below(4);
        p.excluded = rnd_below(100) < 3; /* an upheld appeal */
    } else if (!p.defaulted && rnd_below(100) < 5) {
        p.text = (uint8_t)(4 + rnd_below(3));
    }
    if (!p.defaulted) {
        int give = p.ch == CH_TABLET ? 90 : p.ch == CH_HOTLINE || p.ch == CH_PAPER ? 20 : 60;
        if (rnd_below(100) < give) {
            p.ndims = NDIMS;
            for (int k = 0; k < NDIMS; k++) {
                int v = p.level + rnd_below(3) - 1;
                p.dv[k] = (uint8_t)(v < 1 ? 1 : v > 5 ? 5 : v);
            }
        }
        if (rnd_below(100) < (bad ? 30 : 4)) {
            p.real_name = 1;
            p.id_number = rnd_below(4) == 0;
        }
    }
    push(&p);
    int made = 1;

    /* the figures, as the server keeps them (by the service's day) */
    struct counts *c[2] = {day_slot(acc_key(w_i, p.s, p.item, p.ch)), &month_acc[w_i]};
    int replied = 0, rectified = 0, satisfied = 0;
    if (bad && !p.defaulted && !p.excluded) {
        replied = rnd_below(100) < 95;
        rectified = replied && rnd_below(100) < 80;
        satisfied = rectified && rnd_below(100) < 85;
    }
    for (int k = 0; k < 2; k++) {
        c[k]->n[p.level - 1]++;
        if (p.defaulted) {
            c[k]->defaulted++;
        } else {
            c[k]->active++;
            c[k]->active_good += p.level >= 4;
        }
        if (bad && !p.defaulted) {
            if (p.excluded) {
                c[k]->excluded++;
            } else {
                c[k]->bad++;
                c[k]->bad_replied += replied;
                c[k]->bad_rectified += rectified;
                c[k]->bad_satisfied += satisfied;
            }
        }
    }
    if (p.ndims) {
        c[0]->dim_n++;
        for (int k = 0; k < NDIMS; k++)
            c[0]->dim[k] += p.dv[k];
    }

    /* a 追评 now and then: later, same service and day, changes no figure */
    if (!p.defaulted && room >= 2 && rnd_below(1000) < FOLLOWUP_PM) {
        struct pend f = p;
        f.followup = 1;
        f.excluded = 0;
        f.created_at = p.created_at + 86400 + rnd_below(4 * 86400);
        int r = rnd_below(100);
        f.level = (uint8_t)(p.level <= 2 ? (r < 50 ? 4 : 2) : r < 90 ? p.level : 3);
        f.reason_a = f.reason_b = f.text = NONE;
        if (f.level <= 2)
            f.reason_a = (uint8_t)rnd_below(NREASONS);
        f.ndims = 0;
        push(&f);
        made++;
    }
    return made;
}

/* write one pending evaluation (ids and the chain in creation order) */
static void write_eval(struct db *db, struct db_stmt *st, struct gen *g, const struct pend *p)
{
    static const char *const texts[] = {
        "等了很久才办理",   "窗口人员态度不好", "材料要求没有一次说清楚，跑了两趟",
        "系统故障，没办成", "办事很快，谢谢",   "工作人员很耐心",
        "一次办好"};
    const struct window *w = &wins[p->w];
    char reasons[96] = "[]", dims[128] = "{}", device[48] = "", ip[24] = "", hash[65], day[11];
    char phone_enc[103], phone_hash[65], phone_mask[16], id_enc[103], id_mask[24];
    int64_t device_id = 0, entered_by = 0;
    if (p->reason_a != NONE && p->reason_b != NONE)
        snprintf(reasons, sizeof(reasons), "[\"%s\",\"%s\"]", reason_codes[p->reason_a],
                 reason_codes[p->reason_b]);
    else if (p->reason_a != NONE)
        snprintf(reasons, sizeof(reasons), "[\"%s\"]", reason_codes[p->reason_a]);
    if (p->ndims)
        snprintf(dims, sizeof(dims), "{\"%s\":%d,\"%s\":%d,\"%s\":%d}", dim_codes[0], p->dv[0],
                 dim_codes[1], p->dv[1], dim_codes[2], p->dv[2]);
    switch ((enum channel)p->ch) {
    case CH_TABLET:
        device_id = 1000000 + p->w;
        snprintf(device, sizeof(device), "tablet:%lld", (long long)device_id);
        break;
    case CH_QR:
    case CH_WINDOW_QR:
    case CH_STAFF_QR:
    case CH_WEB:
    case CH_SMS:
        hex(device, 32);
        snprintf(ip, sizeof(ip), "%d.%d.%d.%d", 36 + rnd_below(180), rnd_below(256), rnd_below(256),
                 1 + rnd_below(254));
        break;
    case CH_HOTLINE:
    case CH_PAPER:
        entered_by = 900000 + w->district;
        break;
    default:
        break;
    }
    if (p->real_name) {
        hex(phone_enc, 102);
        hex(phone_hash, 64);
        snprintf(phone_mask, sizeof(phone_mask), "1%d%d****%04d", 3 + rnd_below(7), rnd_below(10),
                 rnd_below(10000));
        if (p->id_number) {
            hex(id_enc, 102);
            snprintf(id_mask, sizeof(id_mask), "3201**********%04d", rnd_below(10000));
        }
    }
    date_format(p->day, day);
    hex(hash, 64);
    db_bind_int64(st, 1, ++g->eval_id);
    db_bind_int64(st, 2, p->event_id);
    db_bind_text(st, 3, p->followup ? "followup" : "first");
    db_bind_int64(st, 4, p->level);
    db_bind_int64(st, 5, p->level <= 2);
    db_bind_int64(st, 6, p->defaulted);
    db_bind_text(st, 7, reasons);
    db_bind_text(st, 8, p->text != NONE ? texts[p->text] : "");
    bind_opt(st, 9, p->defaulted ? 0 : w->set_id);
    db_bind_text(st, 10, dims);
    db_bind_text(st, 11, channel_name[p->ch]);
    bind_opt(st, 12, device_id);
    db_bind_text(st, 13, device);
    db_bind_text(st, 14, ip);
    bind_opt(st, 15, entered_by);
    db_bind_text(st, 16, p->real_name ? (p->level <= 2 ? "王女士" : "张先生") : "");
    bind_opt_text(st, 17, p->real_name ? phone_enc : NULL);
    bind_opt_text(st, 18, p->real_name ? phone_hash : NULL);
    db_bind_text(st, 19, p->real_name ? phone_mask : "");
    bind_opt_text(st, 20, p->id_number ? id_enc : NULL);
    db_bind_text(st, 21, p->id_number ? id_mask : "");
    db_bind_int64(st, 22, w->region_id);
    db_bind_int64(st, 23, w->hall_id);
    bind_opt(st, 24, w->unit_id);
    db_bind_int64(st, 25, w->id);
    db_bind_int64(st, 26, w->staff[p->s]);
    db_bind_int64(st, 27, w->items[p->item]);
    db_bind_int64(st, 28, w->items[p->item] * 10 + 1);
    db_bind_text(st, 29, day);
    db_bind_int64(st, 30, p->created_at);
    db_bind_int64(st, 31, p->excluded);
    db_bind_text(st, 32, g->prev);
    db_bind_text(st, 33, hash);
    step_done(db, st, "insert evaluation");
    memcpy(g->prev, hash, sizeof(g->prev));
    g->written++;
}

/* write the evaluations created on local day number d, in creation order;
 * commits every TXN_ROWS rows and dies past max_s */
static void write_day(struct db *db, struct db_stmt *st, struct gen *g, int32_t d, double t0,
                      double max_s, int64_t rows)
{
    struct bucket *b = &buckets[d % BUCKETS];
    qsort(b->v, b->n, sizeof(*b->v), cmp_pend);
    for (size_t i = 0; i < b->n; i++) {
        if ((b->v[i].created_at + TZ_S) / DAY_S != d)
            die("%s", "an evaluation more than BUCKETS days after its service");
        write_eval(db, st, g, &b->v[i]);
        if (g->written % TXN_ROWS == 0) {
            exec_or_die(db, "COMMIT");
            if (now_s() - t0 > max_s)
                die("the build took more than %.0f s (at %lld of %lld evaluations); not cached",
                    max_s, (long long)g->written, (long long)rows);
            exec_or_die(db, "BEGIN");
        }
    }
    b->n = 0;
}

/* ROWS evaluations of the services of MONTHS months, with their rollups */
static void build_data(struct db *db, int64_t rows, double t0, double max_s, struct gen *g)
{
    int32_t first = date_from_civil(FIRST_YEAR, FIRST_MONTH, 1);
    int y = FIRST_YEAR + (FIRST_MONTH - 1 + MONTHS) / 12, m = (FIRST_MONTH - 1 + MONTHS) % 12 + 1;
    int32_t end = date_from_civil(y, m, 1);
    int ndays = end - first;
    /* working days busy, weekends quiet */
    double *wday = malloc(sizeof(*wday) * (size_t)ndays), wsum = 0;
    if (!wday)
        die("%s", "out of memory");
    for (int d = 0; d < ndays; d++) {
        int wd = date_weekday(first + d);
        wday[d] = wd <= 5 ? 1.0 : wd == 6 ? 0.15 : 0.05;
        wsum += wday[d];
    }
    size_t keys = (size_t)nwin * STAFF_PER_WINDOW * ITEMS_PER_WINDOW * NCH;
    day_acc = calloc(keys, sizeof(*day_acc));
    day_used = calloc(keys, 1);
    day_touched = calloc(keys, sizeof(*day_touched));
    month_acc = calloc((size_t)nwin, sizeof(*month_acc));
    if (!day_acc || !day_used || !day_touched || !month_acc)
        die("%s", "out of memory");
    struct db_stmt *se = NULL, *sr = NULL, *sm = NULL;
    if (db_prepare(db, SQL_EVAL, &se) < 0 || db_prepare(db, SQL_ROLLUP, &sr) < 0 ||
        db_prepare(db, SQL_MONTH, &sm) < 0)
        die("prepare: %s", db_errmsg(db));

    int64_t made = 0;
    double cum = 0;
    int cur_month = -1;
    char month[8] = "";
    for (int d = 0; d < ndays; d++) {
        cum += wday[d];
        int64_t target = d == ndays - 1 ? rows : (int64_t)((double)rows * cum / wsum);
        int yy, mm, dd;
        date_to_civil(first + d, &yy, &mm, &dd);
        int mi = (yy - FIRST_YEAR) * 12 + mm - FIRST_MONTH;
        if (mi != cur_month) {
            if (cur_month >= 0)
                flush_month(db, sm, month);
            cur_month = mi;
            snprintf(month, sizeof(month), "%04d-%02d", yy, mm);
        }
        /* the day's services, 9:00 to 17:30, until its evaluations are made */
        int64_t day0 = (first + d) * DAY_S - TZ_S; /* local midnight */
        while (made < target)
            made += service(g, pick_window(), day0 + 9 * 3600LL + rnd_below(8 * 3600 + 1800),
                            first + d, target - made);
        char day[DATE_TEXT];
        date_format(first + d, day);
        flush_day(db, sr, day);
        write_day(db, se, g, first + d, t0, max_s, rows);
        if (d % 30 == 29)
            fprintf(stderr, "eval_rank: %s: %lld evaluations written, %lld rollup rows, %.0f s\n",
                    day, (long long)g->written, (long long)n_rollup_rows, now_s() - t0);
    }
    flush_month(db, sm, month);
    for (int32_t d = end; d < end + BUCKETS; d++) /* created after the last service day */
        write_day(db, se, g, d, t0, max_s, rows);
    if (g->written != made)
        die("%lld evaluations made, %lld written", (long long)made, (long long)g->written);
    db_finalize(se);
    db_finalize(sr);
    db_finalize(sm);
    for (int i = 0; i < BUCKETS; i++)
        free(buckets[i].v);
    free(wday);
    free(day_acc);
    free(day_used);
    free(day_touched);
    free(month_acc);
}

/* ---- the cache ---- */

static const char SQL_META_CREATE[] = "CREATE TABLE bench_meta (k TEXT PRIMARY KEY, v TEXT)";
static const char SQL_META_PUT[] = "INSERT INTO bench_meta (k, v) VALUES (?1, ?2)";
static const char SQL_META_GET[] = "SELECT v FROM bench_meta WHERE k = ?1";

static void meta_put(struct db *db, const char *k, const char *v)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_META_PUT, &st) < 0)
        die("prepare: %s", db_errmsg(db));
    db_bind_text(st, 1, k);
    db_bind_text(st, 2, v);
    step_done(db, st, "insert bench_meta");
}

/* the value of k into out ("" when none or no table) */
static void meta_get(struct db *db, const char *k, char *out, size_t n)
{
    struct db_stmt *st = NULL;
    out[0] = '\0';
    if (db_prepare(db, SQL_META_GET, &st) < 0)
        return;
    db_bind_text(st, 1, k);
    if (db_step(st) == DB_ROW && db_col_text(st, 0))
        snprintf(out, n, "%s", db_col_text(st, 0));
    db_finalize(st);
}

/* A cached dataset made by an older schema takes the migrations added since,
 * as a server's database does on upgrade (the data stays what it was). */
static void migrate_cached(const char *url)
{
    char errbuf[256];
    struct db *db = NULL;
    int applied = 0, version = 0;
    double t0 = now_s();
    if (db_open(url, 0, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    if (migrate_apply(db, &applied) < 0 || migrate_version(db, &version) < 0)
        die("migrate the cached dataset: %s", db_errmsg(db));
    db_close(db);
    if (applied)
        fprintf(stderr,
                "eval_rank: the cached dataset took %d new migration(s), now at %d (%.1f s)\n",
                applied, version, now_s() - t0);
}

static void unlink_db(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char p[640];
        snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
        unlink(p);
    }
}

/* build the dataset into path (via path.tmp); its build time */
static double build(const char *path, const char *params, int64_t rows, int windows, double max_s)
{
    char tmp[620], url[640], errbuf[256];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink_db(tmp);
    snprintf(url, sizeof(url), "sqlite:%s", tmp);
    double t0 = now_s();
    struct db *db = NULL;
    if (db_open(url, 0, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    if (migrate_apply(db, NULL) < 0)
        die("migrate: %s", db_errmsg(db));
    /* a bulk load, not the server's durable path: no journal, no fsync, no
     * foreign keys (no staff, event or catalogue rows), a large page cache */
    exec_or_die(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
                    " PRAGMA cache_size=-1048576");
    exec_or_die(db, "BEGIN");
    build_tree(db, windows);
    struct gen g = {0};
    memset(g.prev, '0', 64);
    build_data(db, rows, t0, max_s, &g);
    exec_or_die(db, SQL_META_CREATE);
    meta_put(db, "params", params);
    exec_or_die(db, "COMMIT");
    double t1 = now_s();
    exec_or_die(db, "ANALYZE");
    exec_or_die(db, "PRAGMA journal_mode=WAL");
    double secs = now_s() - t0;
    char v[32];
    snprintf(v, sizeof(v), "%.1f", secs);
    exec_or_die(db, "BEGIN");
    meta_put(db, "build_s", v);
    exec_or_die(db, "COMMIT");
    db_close(db);
    fprintf(stderr,
            "eval_rank: built in %.1f s (ANALYZE %.1f s): %lld evaluations, %lld rollup"
            " rows, %d windows\n",
            secs, now_s() - t1, (long long)rows, (long long)n_rollup_rows, windows);
    if (rename(tmp, path) < 0)
        die("rename %s: %s", tmp, strerror(errno));
    return secs;
}

/* ---- the ranking ---- */

/* the same from the raw evaluations: the first evaluations of services of the
 * month (day ?3 .. ?4), found through the index on created_at: created from
 * the month's start (?1) to its end plus the longest evaluation window and a
 * day for the closing sweep (?2) */
#define SQL_RAW_TEXT                                                                               \
    "SELECT r.window_id, w.name, h.name, r.total, r.good, r.active, r.active_good, r.bad,"         \
    " r.excluded"                                                                                  \
    " FROM (SELECT e.window_id AS window_id, count(*) AS total, sum(e.level >= 4) AS good,"        \
    " sum(e.defaulted = 0) AS active, sum(e.defaulted = 0 AND e.level >= 4) AS active_good,"       \
    " sum(e.bad = 1 AND e.defaulted = 0 AND e.excluded = 0) AS bad, sum(e.excluded) AS excluded"   \
    " FROM evaluation e WHERE e.created_at >= ?1 AND e.created_at < ?2 AND e.day >= ?3"            \
    " AND e.day <= ?4 AND e.kind = 'first'"                                                        \
    " GROUP BY e.window_id) r"                                                                     \
    " JOIN org_node w ON w.id = r.window_id JOIN org_node h ON h.id = w.parent_id"                 \
    " WHERE w.path LIKE ?5"                                                                        \
    " ORDER BY CASE WHEN r.total - r.excluded > 0"                                                 \
    " THEN CAST(r.good AS REAL) / (r.total - r.excluded) END DESC NULLS LAST,"                     \
    " r.total DESC, r.window_id"                                                                   \
    " LIMIT ?6"
static const char SQL_RAW[] = SQL_RAW_TEXT;
static const char PLAN_RAW[] = "EXPLAIN QUERY PLAN " SQL_RAW_TEXT;

struct rank_row {
    int64_t window_id, total, good, active, active_good, bad, excluded;
    char window_name[64], hall_name[96];
};

struct ranking {
    struct rank_row *rows;
    int n;
};

static void read_row(struct db_stmt *st, struct rank_row *r)
{
    r->window_id = db_col_int64(st, 0);
    snprintf(r->window_name, sizeof(r->window_name), "%s",
             db_col_text(st, 1) ? db_col_text(st, 1) : "");
    snprintf(r->hall_name, sizeof(r->hall_name), "%s",
             db_col_text(st, 2) ? db_col_text(st, 2) : "");
    r->total = db_col_int64(st, 3);
    r->good = db_col_int64(st, 4);
    r->active = db_col_int64(st, 5);
    r->active_good = db_col_int64(st, 6);
    r->bad = db_col_int64(st, 7);
    r->excluded = db_col_int64(st, 8);
}

/* the month asked for */
struct month_q {
    const char *month;                     /* "YYYY-MM" */
    char day0[DATE_TEXT], day1[DATE_TEXT]; /* its first and last day */
    int64_t t0, t1;                        /* created_at range of its evaluations (SQL_RAW) */
};

/* ---- the connection hook: the statement eval_ranking runs, for its plan ---- */

static sqlite3 *last_conn; /* the connection opened last */
static char rank_sql[2048];

static int trace_cb(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    (void)x;
    const char *sql = type == SQLITE_TRACE_STMT ? sqlite3_sql((sqlite3_stmt *)p) : NULL;
    if (sql && strstr(sql, "FROM eval_month_window"))
        snprintf(rank_sql, sizeof(rank_sql), "%s", sql);
    return 0;
}

static int conn_init(sqlite3 *h, char **err, const struct sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    last_conn = h;
    return SQLITE_OK;
}

/* EXPLAIN QUERY PLAN of sql (any text) on h, the details joined by "; " */
static void plan_of_text(sqlite3 *h, const char *sql, char *out, size_t outn)
{
    char q[sizeof(rank_sql) + 32];
    snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK)
        die("explain: %s", sqlite3_errmsg(h));
    size_t len = 0;
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 3);
        int w = snprintf(out + len, outn - len, "%s%s", len ? "; " : "", d ? d : "");
        if (w < 0 || (size_t)w >= outn - len)
            break;
        len += (size_t)w;
    }
    sqlite3_finalize(st);
}

/* the ranking as the API reads it: eval_ranking of src/domain/eval_stats.c over
 * the whole tree; the items stay in rank_arena until the next call */
static struct arena rank_arena;
static struct eval_rank *rank_items;

static void rank_domain(struct db *db, const struct month_q *q, struct ranking *out)
{
    arena_reset(&rank_arena);
    int n = 0;
    int rc = eval_ranking(db, q->month, "", RANK_LIMIT, &rank_arena, &rank_items, &n);
    if (rc < 0)
        die("eval_ranking: %d (%s)", rc, db_errmsg(db));
    out->n = n;
}

/* rank_items into out, to compare */
static void domain_rows(struct ranking *out)
{
    for (int i = 0; i < out->n; i++) {
        const struct eval_rank *e = &rank_items[i];
        struct rank_row *r = &out->rows[i];
        r->window_id = e->window_id;
        snprintf(r->window_name, sizeof(r->window_name), "%s", e->window_name);
        snprintf(r->hall_name, sizeof(r->hall_name), "%s", e->hall_name);
        r->total = e->c.n[0] + e->c.n[1] + e->c.n[2] + e->c.n[3] + e->c.n[4];
        r->good = e->c.n[3] + e->c.n[4];
        r->active = e->c.active;
        r->active_good = e->c.active_good;
        r->bad = e->c.bad;
        r->excluded = e->c.excluded;
        if (e->rank < 1 || e->rank > i + 1)
            die("eval_ranking: item %d has rank %d", i + 1, e->rank);
    }
}

static void rank_raw(struct db *db, const struct month_q *q, struct ranking *out)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, SQL_RAW, &st) < 0)
        die("prepare the raw ranking: %s", db_errmsg(db));
    db_bind_int64(st, 1, q->t0);
    db_bind_int64(st, 2, q->t1);
    db_bind_text(st, 3, q->day0);
    db_bind_text(st, 4, q->day1);
    db_bind_text(st, 5, "/%");
    db_bind_int64(st, 6, RANK_LIMIT);
    int rc;
    out->n = 0;
    while ((rc = db_step(st)) == DB_ROW && out->n < RANK_LIMIT)
        read_row(st, &out->rows[out->n++]);
    db_finalize(st);
    if (rc < 0)
        die("the raw ranking: %s", db_errmsg(db));
}

typedef void (*rank_fn)(struct db *, const struct month_q *, struct ranking *);

/* one warm-up and runs timed calls; ms[] sorted; the warm-up's result in out */
static void timed(rank_fn fn, struct db *db, const struct month_q *q, int runs, double *ms,
                  struct ranking *out)
{
    fn(db, q, out);
    int n = out->n;
    for (int i = 0; i < runs; i++) {
        double a = now_s();
        fn(db, q, out);
        ms[i] = (now_s() - a) * 1000.0;
        if (out->n != n)
            die("run %d ranked %d windows, the warm-up %d", i, out->n, n);
    }
    qsort(ms, (size_t)runs, sizeof(*ms), cmp_dbl);
}

/* the details of an EXPLAIN QUERY PLAN statement (static text), joined by "; " */
static void plan_of(struct db *db, const char *q, char out[PLAN_MAX])
{
    struct db_stmt *st = NULL;
    out[0] = '\0';
    if (db_prepare(db, q, &st) < 0)
        die("explain: %s", db_errmsg(db));
    size_t len = 0;
    while (db_step(st) == DB_ROW) {
        const char *d = db_col_text(st, 3);
        int w = snprintf(out + len, PLAN_MAX - len, "%s%s", len ? "; " : "", d ? d : "");
        if (w < 0 || (size_t)w >= PLAN_MAX - len)
            break;
        len += (size_t)w;
    }
    db_finalize(st);
}

static void usage(void)
{
    fprintf(stderr, "usage: eval_rank [--rows 10000000] [--windows 5000] [--runs 50]"
                    " [--ref-runs 5] [--cache-dir DIR] [--build-max-s 1800] [--rebuild]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    int64_t rows = 10000000;
    int windows = 5000, runs = 50, ref_runs = 5, rebuild = 0;
    double max_s = 1800;
    const char *dir = "bench/out";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--rebuild") == 0) {
            rebuild = 1;
            continue;
        }
        if (!v)
            usage();
        if (strcmp(a, "--rows") == 0)
            rows = atoll(v);
        else if (strcmp(a, "--windows") == 0)
            windows = atoi(v);
        else if (strcmp(a, "--runs") == 0)
            runs = atoi(v);
        else if (strcmp(a, "--ref-runs") == 0)
            ref_runs = atoi(v);
        else if (strcmp(a, "--cache-dir") == 0)
            dir = v;
        else if (strcmp(a, "--build-max-s") == 0)
            max_s = atof(v);
        else
            usage();
        i++;
    }
    if (rows < 10000 || rows > 1000000000 || windows < HALLS || windows > 100000 || runs < 1 ||
        runs > MAX_RUNS || ref_runs < 1 || ref_runs > MAX_RUNS || max_s <= 0)
        usage();
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        die("mkdir %s: %s", dir, strerror(errno));

    char path[600], url[620], errbuf[256], params[256], have[256], build_s[32];
    snprintf(path, sizeof(path), "%s/eval_rank_%lld_%d.db", dir, (long long)rows, windows);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    snprintf(params, sizeof(params), "gen=%d rows=%lld windows=%d months=%d first=%04d-%02d",
             GEN_VERSION, (long long)rows, windows, MONTHS, FIRST_YEAR, FIRST_MONTH);

    /* the cached dataset, when it is the one asked for */
    int built = 0;
    double bsecs = 0;
    struct stat sb;
    if (!rebuild && stat(path, &sb) == 0) {
        struct db *db = NULL;
        have[0] = '\0';
        if (db_open(url, DB_OPEN_READONLY, &db, errbuf, sizeof(errbuf)) == 0) {
            meta_get(db, "params", have, sizeof(have));
            meta_get(db, "build_s", build_s, sizeof(build_s));
            db_close(db);
        }
        if (strcmp(have, params) != 0) {
            fprintf(stderr, "eval_rank: cached %s is for \"%s\", not \"%s\": rebuilding\n", path,
                    have, params);
            rebuild = 1;
        } else {
            bsecs = atof(build_s);
            fprintf(stderr, "eval_rank: reusing %s (%s; built in %.0f s)\n", path, params, bsecs);
            migrate_cached(url);
        }
    } else {
        rebuild = 1;
    }
    if (rebuild) {
        unlink_db(path);
        fprintf(stderr, "eval_rank: building %s (%s), at most %.0f s\n", path, params, max_s);
        bsecs = build(path, params, rows, windows, max_s);
        built = 1;
    }
    double db_mb = stat(path, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;

    /* read like an HTTP thread: a read-only connection (remembered by the hook) */
    sqlite3_auto_extension((void (*)(void))conn_init);
    last_conn = NULL;
    struct db *db = NULL;
    if (db_open(url, DB_OPEN_READONLY, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    sqlite3 *h = last_conn;
    if (!h)
        die("%s", "the connection hook saw no connection");
    int y, m;
    if (sscanf(RANK_MONTH, "%d-%d", &y, &m) != 2)
        die("%s", "bad RANK_MONTH");
    struct month_q q = {.month = RANK_MONTH};
    int32_t first = date_from_civil(y, m, 1), next = date_from_civil(y + m / 12, m % 12 + 1, 1);
    date_format(first, q.day0);
    date_format(next - 1, q.day1);
    static const char SQL_MAX_WINDOW[] = "SELECT COALESCE(max(window_days), 7) FROM eval_setting";
    int64_t max_days = 7;
    if (db_query_int64(db, SQL_MAX_WINDOW, &max_days) < 0)
        die("max window_days: %s", db_errmsg(db));
    q.t0 = first * DAY_S - TZ_S;
    q.t1 = (next + max_days + 1) * DAY_S - TZ_S;
    int64_t month_evals = 0;
    {
        static const char SQL_SUM[] =
            "SELECT sum(n1 + n2 + n3 + n4 + n5) FROM eval_month_window WHERE month = ?1";
        struct db_stmt *st = NULL;
        if (db_prepare(db, SQL_SUM, &st) < 0)
            die("prepare: %s", db_errmsg(db));
        db_bind_text(st, 1, q.month);
        if (db_step(st) == DB_ROW)
            month_evals = db_col_int64(st, 0);
        db_finalize(st);
    }
    struct ranking a = {calloc(RANK_LIMIT, sizeof(struct rank_row)), 0};
    struct ranking b = {calloc(RANK_LIMIT, sizeof(struct rank_row)), 0};
    double *ms = malloc(sizeof(*ms) * (size_t)runs), *ref = malloc(sizeof(*ref) * (size_t)ref_runs);
    if (!a.rows || !b.rows || !ms || !ref)
        die("%s", "out of memory");
    /* the statement eval_ranking runs, and its plan: one range of the month in
     * eval_month_window's primary key, never a scan of the table */
    sqlite3_trace_v2(h, SQLITE_TRACE_STMT, trace_cb, NULL);
    rank_domain(db, &q, &a);
    sqlite3_trace_v2(h, 0, NULL, NULL);
    if (!rank_sql[0])
        die("%s", "eval_ranking ran no statement on eval_month_window");
    char plan[PLAN_MAX], ref_plan[PLAN_MAX];
    plan_of_text(h, rank_sql, plan, sizeof(plan));
    plan_of(db, PLAN_RAW, ref_plan);
    fprintf(stderr, "eval_rank: eval_ranking runs: %s\neval_rank: its plan: %s\n", rank_sql, plan);
    fprintf(stderr, "eval_rank: the reference: %s\neval_rank: its plan: %s\n", SQL_RAW, ref_plan);
    if (!strstr(plan, "SEARCH m USING") || strstr(plan, "SCAN m"))
        die("eval_ranking does not search eval_month_window by month: %s", plan);

    timed(rank_domain, db, &q, runs, ms, &a);
    domain_rows(&a);
    timed(rank_raw, db, &q, ref_runs, ref, &b);
    if (a.n != b.n)
        die("the ranking has %d windows, the raw one %d", a.n, b.n);
    if (a.n < windows && a.n < RANK_LIMIT)
        die("the ranking has %d windows, expected %d", a.n,
            windows < RANK_LIMIT ? windows : RANK_LIMIT);
    for (int i = 0; i < a.n; i++) {
        const struct rank_row *x = &a.rows[i], *r = &b.rows[i];
        if (x->window_id != r->window_id || x->total != r->total || x->good != r->good ||
            x->active != r->active || x->active_good != r->active_good || x->bad != r->bad ||
            x->excluded != r->excluded || strcmp(x->window_name, r->window_name) != 0 ||
            strcmp(x->hall_name, r->hall_name) != 0)
            die("rank %d: window %lld total %lld good %lld active %lld/%lld bad %lld; the raw"
                " evaluations say window %lld total %lld good %lld active %lld/%lld bad %lld",
                i + 1, (long long)x->window_id, (long long)x->total, (long long)x->good,
                (long long)x->active, (long long)x->active_good, (long long)x->bad,
                (long long)r->window_id, (long long)r->total, (long long)r->good,
                (long long)r->active, (long long)r->active_good, (long long)r->bad);
    }
    const struct rank_row *top = &a.rows[0], *last = &a.rows[a.n - 1];
    fprintf(stderr,
            "eval_rank: %s: %d windows ranked, the same from the raw evaluations; first %s %s"
            " (%lld of %lld good), last %s %s (%lld of %lld good)\n",
            RANK_MONTH, a.n, top->hall_name, top->window_name, (long long)top->good,
            (long long)top->total, last->hall_name, last->window_name, (long long)last->good,
            (long long)last->total);
    double p50 = pct(ms, (size_t)runs, 50), r50 = pct(ref, (size_t)ref_runs, 50);
    printf(
        "rows=%lld windows=%d month=%s ranked=%d runs=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f"
        " ranks_per_s=%.2f ref_runs=%d ref_p50_ms=%.3f ref_p99_ms=%.3f ref_ranks_per_s=%.2f"
        " speedup=%.1f month_evaluations=%lld built=%d build_s=%.1f db_mb=%.0f via=eval_ranking\n",
        (long long)rows, windows, RANK_MONTH, a.n, runs, p50, pct(ms, (size_t)runs, 90),
        pct(ms, (size_t)runs, 99), 1000.0 / p50, ref_runs, r50, pct(ref, (size_t)ref_runs, 99),
        1000.0 / r50, r50 / p50, (long long)month_evals, built, bsecs, db_mb);
    arena_reset(&rank_arena);
    db_close(db);
    free(a.rows);
    free(b.rows);
    free(ms);
    free(ref);
    return 0;
}

/* score_data - the dataset of the scoring bench cases (period_close,
 * rescore_event), in process against the release objects.
 *
 *   score_data build --db PATH --windows 10000 --staff 50000 --evals 10000000
 *                    --cases 1000000 --manual 5000 [--build-max-s 3600]
 *
 * A new SQLite database at PATH (removed first), migrated with migrate_apply
 * (the server's own migrations), then written directly through prepared
 * INSERTs in transactions of 100,000 rows, synchronous=OFF and no journal
 * during the load, then WAL. No ANALYZE: the server never runs it, so the
 * planner sees what it sees on a production database (statistics taken while
 * the scoring tables are still empty mislead it):
 *  - the org tree: one region (code "city"), UNITS = windows / 100 units, each
 *    with an industry (org_node.industry, ten kinds in turn), five halls per
 *    unit, the windows spread evenly over the halls; paths "/1/5/23/…/" as
 *    org.c builds them;
 *  - two supervisors (score-sup1, -sup2: the manual events' enterers and
 *    confirmers, no password) and `staff` window staff (staff / windows per
 *    window, the first of each its chief representative 首席代表; home node the
 *    hall; ~30 % party members, some with a 党员先锋岗), each assigned to one
 *    window (window_assignment);
 *  - 20 catalogue items with a published version (promised items, limits in
 *    natural days), for the cases and the tickets;
 *  - the months M-2, M-1 and the current month M0 (Asia/Shanghai): services
 *    of every working day (weekends quiet) from the first of M-2 to yesterday,
 *    windows of very different traffic and quality (差评 0.5 % .. 4 %), each
 *    service by one of the window's staff; 8 % never evaluated (未评), the
 *    others evaluated once: `evals` evaluation rows (channels, devices,
 *    addresses, reasons for 差评, 3 % of 差评 excluded by an upheld appeal,
 *    random hashes, not a valid chain; no eval_event rows: nothing that scores
 *    reads them, one void event holds the highest event id so new events are
 *    numbered after them; eval_head and eval_sweep point at the last one, so
 *    the fraud sweep does not take them as new; the push to the provincial
 *    platform, which reads evaluations joined to their events, passes over
 *    them once, to the void event's), and the
 *    rollups the scorecards read, accumulated from the same decisions:
 *    eval_month_window and eval_month_staff per month and subject (no per-day
 *    eval_rollup rows: the scorecards do not read them);
 *  - `cases` case_file rows received over the same days at the windows (the
 *    handler one of its staff): 85 % completed (most early or on time, some
 *    late), 2 % returned; of the last 20 days' ones 13 % still open (some past
 *    their promised date);
 *  - score_fact per month, kind ('window' / 'staff') and subject: served,
 *    noshow and svc_timeout from the services, case_done, case_ontime,
 *    case_late, case_returned by the month of closing, case_overdue by the
 *    month a case passed its promised date (late or still open) - counted
 *    from the rows written;
 *  - `manual` score_event rows over the three months (types absent_half_day,
 *    late_arrival, praise_letter, skill_award; confirmed, a few void; in M0
 *    a few pending) on windows and staff.
 * Prints "windows=N staff=N units=N halls=N evals=N services=N cases=N
 * manual=N facts=N months=M-2,M-1,M0 seconds=S". The scorecards, and M-2's
 * close, are made through the server's routes afterwards (bench/run.sh).
 *
 *   score_data tokens --db sqlite:PATH --count N --out FILE
 *
 * Before the server serves the dataset: N services that ended five minutes
 * ago at N different windows (tickets written directly in a series "SB" of
 * each hall, made with queue_series_create when missing), their evaluation
 * events opened through the server's own eval_ticket_issued and
 * eval_ticket_finished. FILE gets one line per service:
 * "TOKEN<TAB>WINDOW_ID<TAB>STAFF_ID<TAB>CHIEF_ID" (the staff member who served,
 * and the window's chief representative).
 *
 * Exit status 0 ok, 1 on any failure (a build over --build-max-s included).
 */
#define DRV_NAME "score_data"
#include <sys/stat.h>

#include "drv.h"

#include "base/crypto.h"
#include "base/date.h"
#include "domain/actor.h"
#include "domain/evaluation.h"
#include "domain/queue.h"
#include "store/db.h"
#include "store/migrate.h"

#define HALLS_PER_UNIT 5
#define WINDOWS_PER_UNIT 100
#define ITEMS 20
#define TXN_ROWS 100000
#define UNRATED_PM 80
#define MONTHS 3
#define TZ_S ((int64_t)8 * 3600) /* Asia/Shanghai */
#define DAY_S ((int64_t)86400)
#define T_CREATED ((int64_t)1735689600) /* 2025-01-01: when the tree was made */

/* ---- helpers ---- */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
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

static struct db_stmt *prep(struct db *db, const char *sql)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, sql, &st) < 0)
        die("prepare %.60s: %s", sql, db_errmsg(db));
    return st;
}

static void step_done(struct db *db, struct db_stmt *st, const char *what)
{
    if (db_step(st) < 0)
        die("%s: %s", what, db_errmsg(db));
    db_reset(st);
}

/* ---- what the build decides, kept in memory ---- */

struct counts {
    int64_t n[5], active, active_good, unrated, bad, excluded, bad_replied, bad_rectified,
        bad_satisfied;
};

enum fact {
    F_SERVED,
    F_NOSHOW,
    F_SVC_TIMEOUT,
    F_CASE_DONE,
    F_CASE_ONTIME,
    F_CASE_LATE,
    F_CASE_OVERDUE,
    F_CASE_RETURNED,
    NFACTS
};
static const char *const fact_name[NFACTS] = {"served",       "noshow",       "svc_timeout",
                                              "case_done",    "case_ontime",  "case_late",
                                              "case_overdue", "case_returned"};

struct window {
    int64_t id, hall_id, unit_id;
    int hall; /* index */
    int bad_pm, mid_pm, good4_pm, noshow_pm;
    int64_t staff0; /* its first staff member (the chief) */
    char path[64];
};

struct hall {
    int64_t id, unit_id;
    char path[48];
};

static struct window *wins;
static struct hall *halls;
static int nwin, nhall, nunit, spw; /* staff per window */
static int64_t nstaff;
static double *win_cum;
static struct counts *wc[MONTHS], *sc[MONTHS]; /* per month: windows, staff */
static int64_t *wf[MONTHS], *sf[MONTHS];       /* per month: [subject * NFACTS + fact] */

static int32_t month_first[MONTHS + 1]; /* first day of M-2, M-1, M0 and of the next month */
static char month_name[MONTHS][8];
static int32_t today;
static int64_t now_unix;

/* the month index (0..2) of day d, or -1 when outside */
static int month_of(int32_t d)
{
    for (int m = 0; m < MONTHS; m++)
        if (d >= month_first[m] && d < month_first[m + 1])
            return m;
    return -1;
}

static void fact_add(int m, int w, int64_t staff_idx, enum fact f, int64_t n)
{
    if (m < 0)
        return;
    wf[m][(size_t)w * NFACTS + f] += n;
    sf[m][(size_t)staff_idx * NFACTS + f] += n;
}

static int64_t staff_id_of(int64_t idx)
{
    return 3 + idx; /* 1, 2: the supervisors */
}

/* ---- the tree, staff, items ---- */

static const char SQL_NODE[] =
    "INSERT INTO org_node (id, parent_id, kind, code, name, path, depth, address, phone, active,"
    " created_at, updated_at, industry) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', '', 1, ?8, ?8, ?9)";
static const char SQL_STAFF[] =
    "INSERT INTO staff (id, login, name, badge_no, post, party_member, role, node_id,"
    " password_hash, has_photo, active, created_at, updated_at, pioneer_post)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'x', 0, 1, ?9, ?9, ?10)";
static const char SQL_ASSIGN[] =
    "INSERT INTO window_assignment (staff_id, window_id, is_chief, started_at)"
    " VALUES (?1, ?2, ?3, ?4)";
static const char SQL_ITEM[] =
    "INSERT INTO catalog_item (id, code, unit_id, current_version_id, active, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?1, 1, ?4, ?4)";
static const char SQL_VERSION[] =
    "INSERT INTO catalog_version (id, item_id, version, status, name, kind, legal_limit,"
    " legal_unit, promised_limit, promised_unit, created_by, created_at, published_by,"
    " published_at) VALUES (?1, ?1, 1, 'published', ?2, 'promised', ?3, 'days', ?4, 'days',"
    " 'bench', ?5, 'bench', ?5)";

static int64_t next_node = 1;

static int64_t add_node(struct db *db, struct db_stmt *st, int64_t parent, const char *ppath,
                        const char *kind, const char *code, const char *name, int depth,
                        const char *industry, char *path, size_t pathn)
{
    int64_t id = next_node++;
    snprintf(path, pathn, "%s%lld/", ppath, (long long)id);
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
    db_bind_int64(st, 8, T_CREATED);
    db_bind_text(st, 9, industry);
    step_done(db, st, "insert org_node");
    return id;
}

static const char *const industries[] = {
    "tax",     "social_security", "medical_insurance", "hospital",   "bank", "power",
    "telecom", "water",           "public_security",   "real_estate"};
static const char *const industry_zh[] = {
    "税务局",   "人力资源和社会保障局", "医疗保障局", "人民医院",      "银行支行", "供电公司",
    "电信公司", "自来水公司",           "公安分局",   "不动产登记中心"};
#define NINDUSTRIES 10

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
                                       "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"};
static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊",   "军", "洋",
                                    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"};

static void build_tree(struct db *db)
{
    struct db_stmt *sn = prep(db, SQL_NODE), *ss = prep(db, SQL_STAFF), *sa = prep(db, SQL_ASSIGN),
                   *si = prep(db, SQL_ITEM), *sv = prep(db, SQL_VERSION);
    char rpath[32], upath[48], code[32], name[128];
    int64_t root =
        add_node(db, sn, 0, "/", "region", "city", "示范市", 0, "", rpath, sizeof(rpath));
    nunit = nwin / WINDOWS_PER_UNIT > 0 ? nwin / WINDOWS_PER_UNIT : 1;
    nhall = nunit * HALLS_PER_UNIT;
    halls = calloc((size_t)nhall, sizeof(*halls));
    int64_t *unit_ids = calloc((size_t)nunit, sizeof(*unit_ids));
    if (!halls || !unit_ids)
        die("%s", "out of memory");
    for (int u = 0; u < nunit; u++) {
        int ind = u % NINDUSTRIES;
        snprintf(code, sizeof(code), "u%03d", u + 1);
        snprintf(name, sizeof(name), "第%d%s", u / NINDUSTRIES + 1, industry_zh[ind]);
        unit_ids[u] = add_node(db, sn, root, rpath, "unit", code, name, 1, industries[ind], upath,
                               sizeof(upath));
        for (int h = 0; h < HALLS_PER_UNIT; h++) {
            struct hall *hl = &halls[u * HALLS_PER_UNIT + h];
            snprintf(code, sizeof(code), "h%d", h + 1);
            snprintf(name, sizeof(name), "%s第%d服务厅", industry_zh[ind], h + 1);
            hl->id = add_node(db, sn, unit_ids[u], upath, "hall", code, name, 2, "", hl->path,
                              sizeof(hl->path));
            hl->unit_id = unit_ids[u];
        }
    }
    /* two supervisors at the region: they enter and confirm the manual events */
    for (int i = 1; i <= 2; i++) {
        char login[32];
        snprintf(login, sizeof(login), "score-sup%d", i);
        db_bind_int64(ss, 1, i);
        db_bind_text(ss, 2, login);
        db_bind_text(ss, 3, i == 1 ? "督查员甲" : "督查员乙");
        db_bind_text(ss, 4, "");
        db_bind_text(ss, 5, "督查");
        db_bind_int64(ss, 6, 1);
        db_bind_text(ss, 7, i == 1 ? "supervisor" : "leader");
        db_bind_int64(ss, 8, root);
        db_bind_int64(ss, 9, T_CREATED);
        db_bind_text(ss, 10, "");
        step_done(db, ss, "insert staff");
    }
    wins = calloc((size_t)nwin, sizeof(*wins));
    win_cum = calloc((size_t)nwin, sizeof(*win_cum));
    int *per_hall = calloc((size_t)nhall, sizeof(int));
    if (!wins || !win_cum || !per_hall)
        die("%s", "out of memory");
    double cum = 0;
    int64_t sidx = 0;
    for (int i = 0; i < nwin; i++) {
        struct window *w = &wins[i];
        w->hall = i % nhall;
        struct hall *hl = &halls[w->hall];
        int no = ++per_hall[w->hall];
        snprintf(code, sizeof(code), "w%03d", no);
        snprintf(name, sizeof(name), "%d号窗口", no);
        w->id = add_node(db, sn, hl->id, hl->path, "window", code, name, 3, "", w->path,
                         sizeof(w->path));
        w->hall_id = hl->id;
        w->unit_id = hl->unit_id;
        /* quality: 差评 0.5 % .. 4 %, some 3s and 4s, the rest 5; no-shows 1-5 % */
        w->bad_pm = 5 + rnd_below(36);
        w->mid_pm = 10 + rnd_below(41);
        w->good4_pm = 40 + rnd_below(111);
        w->noshow_pm = 10 + rnd_below(41);
        double u = rnd_unit();
        cum += 0.25 + 3.0 * u * u * u;
        win_cum[i] = cum;
        w->staff0 = sidx;
        for (int s = 0; s < spw; s++, sidx++) {
            char login[32], badge[32], nm[32];
            int party = rnd_below(100) < 30;
            snprintf(login, sizeof(login), "s%06lld", (long long)sidx + 1);
            snprintf(badge, sizeof(badge), "B%06lld", (long long)sidx + 1);
            snprintf(nm, sizeof(nm), "%s%s", surnames[rnd_below(20)], given[rnd_below(20)]);
            db_bind_int64(ss, 1, staff_id_of(sidx));
            db_bind_text(ss, 2, login);
            db_bind_text(ss, 3, nm);
            db_bind_text(ss, 4, badge);
            db_bind_text(ss, 5, s == 0 ? "首席代表" : "综合受理岗");
            db_bind_int64(ss, 6, party);
            db_bind_text(ss, 7, "staff");
            db_bind_int64(ss, 8, hl->id);
            db_bind_int64(ss, 9, T_CREATED);
            db_bind_text(ss, 10, party && rnd_below(5) == 0 ? "党员先锋岗" : "");
            step_done(db, ss, "insert staff");
            db_bind_int64(sa, 1, staff_id_of(sidx));
            db_bind_int64(sa, 2, w->id);
            db_bind_int64(sa, 3, s == 0);
            db_bind_int64(sa, 4, T_CREATED);
            step_done(db, sa, "insert window_assignment");
        }
    }
    nstaff = sidx;
    for (int i = 0; i < nwin; i++)
        win_cum[i] /= cum;
    for (int i = 1; i <= ITEMS; i++) {
        char icode[32], iname[64];
        snprintf(icode, sizeof(icode), "KH-%03d", i);
        snprintf(iname, sizeof(iname), "考核压测事项%d", i);
        db_bind_int64(si, 1, i);
        db_bind_text(si, 2, icode);
        db_bind_int64(si, 3, unit_ids[(i - 1) % nunit]);
        db_bind_int64(si, 4, T_CREATED);
        step_done(db, si, "insert catalog_item");
        db_bind_int64(sv, 1, i);
        db_bind_text(sv, 2, iname);
        db_bind_int64(sv, 3, 20 + i % 3 * 10);
        db_bind_int64(sv, 4, 3 + i % 5 * 2); /* 3 .. 11 days promised */
        db_bind_int64(sv, 5, T_CREATED);
        step_done(db, sv, "insert catalog_version");
    }
    db_finalize(sn);
    db_finalize(ss);
    db_finalize(sa);
    db_finalize(si);
    db_finalize(sv);
    free(unit_ids);
    free(per_hall);
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

/* ---- transactions with a time bound ---- */

static int64_t txn_rows;
static double t_start, max_s;

static void row_written(struct db *db)
{
    if (++txn_rows % TXN_ROWS)
        return;
    exec_or_die(db, "COMMIT");
    if (now_s() - t_start > max_s)
        die("the build took more than %.0f s; not cached", max_s);
    exec_or_die(db, "BEGIN");
}

/* ---- the evaluations ---- */

static const char SQL_EVAL[] =
    "INSERT INTO evaluation (id, event_id, kind, level, bad, defaulted, reasons, text, set_id,"
    " dims, channel, device_id, device, ip, entered_by, evaluator_name, phone_enc, phone_hash,"
    " phone_mask, id_enc, id_mask, region_id, hall_id, unit_id, window_id, staff_id, item_id,"
    " version_id, day, created_at, excluded, prev_hash, hash)"
    " VALUES (?1, ?2, 'first', ?3, ?4, 0, ?5, ?6, NULL, '{}', ?7, NULL, ?8, ?9, NULL, '', NULL,"
    " NULL, '', NULL, '', 1, ?10, ?11, ?12, ?13, ?14, ?14, ?15, ?16, ?17, ?18, ?19)";

static const char *const channels[] = {"tablet", "qr", "window_qr", "staff_qr", "web", "sms"};
static const int channel_pm[] = {600, 220, 70, 40, 40, 30};
static const char *const reasons[] = {"[\"attitude\"]", "[\"slow\"]",  "[\"wait\"]",
                                      "[\"guide\"]",    "[\"trips\"]", "[\"notice\",\"slow\"]"};

struct evgen {
    int64_t id, services;
    char prev[65];
};

static void one_service(struct db *db, struct db_stmt *st, struct evgen *g, int w_i, int32_t day,
                        const char *day_text, int *made)
{
    struct window *w = &wins[w_i];
    int m = month_of(day);
    int s = rnd_below(spw);
    int64_t sidx = w->staff0 + s;
    g->services++;
    fact_add(m, w_i, sidx, F_SERVED, 1);
    if (rnd_below(1000) < w->noshow_pm)
        fact_add(m, w_i, sidx, F_NOSHOW, 1);
    if (rnd_below(100) == 0)
        fact_add(m, w_i, sidx, F_SVC_TIMEOUT, 1);
    struct counts *c[2] = {&wc[m][w_i], &sc[m][sidx]};
    if (rnd_below(1000) < UNRATED_PM) { /* 未评 when the window closed */
        c[0]->unrated++;
        c[1]->unrated++;
        return;
    }
    int r = rnd_below(1000);
    int level = r < w->bad_pm                             ? 1 + (rnd_below(3) == 0)
                : r < w->bad_pm + w->mid_pm               ? 3
                : r < w->bad_pm + w->mid_pm + w->good4_pm ? 4
                                                          : 5;
    int bad = level <= 2, excluded = bad && rnd_below(100) < 3;
    int replied = 0, rectified = 0, satisfied = 0;
    if (bad && !excluded) {
        replied = rnd_below(100) < 95;
        rectified = replied && rnd_below(100) < 80;
        satisfied = rectified && rnd_below(100) < 85;
    }
    for (int k = 0; k < 2; k++) {
        c[k]->n[level - 1]++;
        c[k]->active++;
        c[k]->active_good += level >= 4;
        if (bad) {
            if (excluded) {
                c[k]->excluded++;
            } else {
                c[k]->bad++;
                c[k]->bad_replied += replied;
                c[k]->bad_rectified += rectified;
                c[k]->bad_satisfied += satisfied;
            }
        }
    }
    int cr = rnd_below(1000), ch = 0;
    for (int acc = 0; ch < 6; ch++) {
        acc += channel_pm[ch];
        if (cr < acc)
            break;
    }
    if (ch >= 6)
        ch = 0;
    int64_t ended = (int64_t)day * DAY_S - TZ_S + 9 * 3600 + rnd_below(8 * 3600 + 1800);
    int64_t created = ended + (ch == 0 ? 5 + rnd_below(120) : 60 + rnd_below(7200));
    char device[48] = "", ip[24] = "", hash[65];
    if (ch == 0) {
        snprintf(device, sizeof(device), "tablet:%lld", (long long)(1000000 + w_i));
    } else {
        hex(device, 32);
        snprintf(ip, sizeof(ip), "%d.%d.%d.%d", 36 + rnd_below(180), rnd_below(256), rnd_below(256),
                 1 + rnd_below(254));
    }
    hex(hash, 64);
    int item = 1 + (w_i * 7 + rnd_below(3)) % ITEMS;
    db_bind_int64(st, 1, ++g->id);
    db_bind_int64(st, 2, g->id); /* one event per evaluation */
    db_bind_int64(st, 3, level);
    db_bind_int64(st, 4, bad);
    db_bind_text(st, 5, bad ? reasons[rnd_below(6)] : "[]");
    db_bind_text(st, 6, bad && rnd_below(2) ? "等了很久，材料要求没有一次说清楚" : "");
    db_bind_text(st, 7, channels[ch]);
    db_bind_text(st, 8, device);
    db_bind_text(st, 9, ip);
    db_bind_int64(st, 10, w->hall_id);
    db_bind_int64(st, 11, w->unit_id);
    db_bind_int64(st, 12, w->id);
    db_bind_int64(st, 13, staff_id_of(sidx));
    db_bind_int64(st, 14, item);
    db_bind_text(st, 15, day_text);
    db_bind_int64(st, 16, created);
    db_bind_int64(st, 17, excluded);
    db_bind_text(st, 18, g->prev);
    db_bind_text(st, 19, hash);
    step_done(db, st, "insert evaluation");
    memcpy(g->prev, hash, sizeof(g->prev));
    (*made)++;
    row_written(db);
}

/* evals evaluations over the working days of M-2 .. yesterday */
static void build_evals(struct db *db, int64_t evals, struct evgen *g)
{
    int ndays = today - month_first[0];
    if (ndays < 1)
        die("%s", "no day before today");
    double *wd = malloc(sizeof(*wd) * (size_t)ndays), wsum = 0;
    if (!wd)
        die("%s", "out of memory");
    for (int d = 0; d < ndays; d++) {
        int k = date_weekday(month_first[0] + d);
        wd[d] = k <= 5 ? 1.0 : k == 6 ? 0.15 : 0.05;
        wsum += wd[d];
    }
    struct db_stmt *st = prep(db, SQL_EVAL);
    int64_t made = 0;
    double cum = 0;
    for (int d = 0; d < ndays; d++) {
        cum += wd[d];
        int64_t target = d == ndays - 1 ? evals : (int64_t)((double)evals * cum / wsum);
        char day[DATE_TEXT];
        date_format(month_first[0] + d, day);
        while (made < target) {
            int one = 0;
            one_service(db, st, g, pick_window(), month_first[0] + d, day, &one);
            made += one;
        }
        if (d % 10 == 9)
            fprintf(stderr, "score_data: %s: %lld evaluations, %.0f s\n", day, (long long)made,
                    now_s() - t_start);
    }
    db_finalize(st);
    free(wd);
}

static const char SQL_MONTH_W[] =
    "INSERT INTO eval_month_window (month, window_id, n1, n2, n3, n4, n5, active, active_good,"
    " defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14, ?15)";
static const char SQL_MONTH_S[] =
    "INSERT INTO eval_month_staff (month, staff_id, n1, n2, n3, n4, n5, active, active_good,"
    " defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11, ?12, ?13, ?14, ?15)";

static void bind_month(struct db_stmt *st, const char *month, int64_t id, const struct counts *c)
{
    const int64_t v[13] = {c->n[0],        c->n[1],          c->n[2],         c->n[3], c->n[4],
                           c->active,      c->active_good,   c->unrated,      c->bad,  c->excluded,
                           c->bad_replied, c->bad_rectified, c->bad_satisfied};
    db_bind_text(st, 1, month);
    db_bind_int64(st, 2, id);
    for (int i = 0; i < 13; i++)
        db_bind_int64(st, 3 + i, v[i]);
}

static int64_t write_rollups(struct db *db)
{
    struct db_stmt *sw = prep(db, SQL_MONTH_W), *ss = prep(db, SQL_MONTH_S);
    int64_t rows = 0;
    for (int m = 0; m < MONTHS; m++) {
        for (int w = 0; w < nwin; w++) {
            const struct counts *c = &wc[m][w];
            if (!c->active && !c->unrated)
                continue;
            bind_month(sw, month_name[m], wins[w].id, c);
            step_done(db, sw, "insert eval_month_window");
            rows++;
            row_written(db);
        }
        for (int64_t s = 0; s < nstaff; s++) {
            const struct counts *c = &sc[m][s];
            if (!c->active && !c->unrated)
                continue;
            bind_month(ss, month_name[m], staff_id_of(s), c);
            step_done(db, ss, "insert eval_month_staff");
            rows++;
            row_written(db);
        }
    }
    db_finalize(sw);
    db_finalize(ss);
    return rows;
}

/* ---- the cases ---- */

static const char SQL_CASE[] =
    "INSERT INTO case_file (region_id, number, query_hash, item_id, version_id, item_code,"
    " item_name, kind, node_id, node_path, handler_id, first_owner_id, registered_by, window_id,"
    " applicant_kind, applicant_name, phone_enc, phone_hash, phone_mask, modes, state, open,"
    " paused, decision, received_day, received_at, promised_limit, promised_unit, legal_limit,"
    " legal_unit, promised_due, legal_due, yellow_day, warn_level, next_warn_day, closed_at,"
    " closed_day, outcome, used_units, created_at, updated_at)"
    " VALUES (1, ?1, ?2, ?3, ?3, ?4, ?5, 'promised', ?6, ?7, ?8, ?8, ?8, ?9, 'person', ?10, ?11,"
    " ?12, ?13, '', ?14, ?15, 0, ?16, ?17, ?18, ?19, 'days', ?20, 'days', ?21, ?22, ?23, ?24,"
    " NULL, ?25, ?26, ?27, ?28, ?18, ?29)";

static void build_cases(struct db *db, int64_t cases)
{
    static const char *const names[] = {"张三", "李四", "王芳", "刘洋", "陈静", "杨磊", "赵敏"};
    struct db_stmt *st = prep(db, SQL_CASE);
    int ndays = today - month_first[0] + 1; /* received up to today */
    int *per_day = calloc((size_t)ndays, sizeof(int));
    if (!per_day)
        die("%s", "out of memory");
    for (int64_t i = 0; i < cases; i++) {
        int age = ndays - 1 - (int)(i * ndays / cases); /* oldest first */
        int32_t recv = today - age;
        int w_i = pick_window();
        const struct window *w = &wins[w_i];
        int64_t sidx = w->staff0 + rnd_below(spw);
        int item = 1 + (w_i * 7 + rnd_below(3)) % ITEMS;
        int promised = 3 + item % 5 * 2, legal = 20 + item % 3 * 10;
        int32_t due = recv + promised, ldue = recv + legal;
        int r = rnd_below(1000);
        if (age > 20 && r >= 870) /* the old ones are all done by now */
            r = rnd_below(850);
        const char *state, *outcome = NULL, *decision = NULL;
        int32_t closed = 0;
        /* what happened: completed early / on time / late, returned, or still open */
        if (r < 850) {
            int q = rnd_below(100);
            closed = q < 60 ? recv + rnd_below(promised) : q < 94 ? due : due + 1 + rnd_below(5);
            state = "completed";
            outcome = closed < due ? "early" : closed == due ? "on_time" : "late";
            decision = "approved";
        } else if (r < 870) {
            closed = recv + rnd_below(promised + 1);
            state = "returned";
        } else {
            state = rnd_below(3) ? "in_progress" : "accepted";
        }
        if (closed > today) { /* not yet: still open */
            closed = 0;
            outcome = decision = NULL;
            state = "in_progress";
        }
        int open = closed == 0;
        int m_close = closed ? month_of(closed) : -1;
        if (closed && strcmp(state, "completed") == 0) {
            fact_add(m_close, w_i, sidx, F_CASE_DONE, 1);
            fact_add(m_close, w_i, sidx, strcmp(outcome, "late") ? F_CASE_ONTIME : F_CASE_LATE, 1);
        } else if (closed) {
            fact_add(m_close, w_i, sidx, F_CASE_RETURNED, 1);
        }
        /* overdue: past the promised date while open (the day after it) */
        if ((outcome && strcmp(outcome, "late") == 0) || (open && due < today))
            fact_add(month_of(due + 1), w_i, sidx, F_CASE_OVERDUE, 1);
        int32_t yellow = recv + (due - recv) * 4 / 5;
        int warn = !open ? 0 : due < today ? 3 : due == today ? 2 : yellow <= today ? 1 : 0;
        char number[32], qh[65], penc[103], phash[65], mask[16], rday[DATE_TEXT], dday[DATE_TEXT],
            lday[DATE_TEXT], yday[DATE_TEXT], cday[DATE_TEXT];
        int yy, mm, dd;
        date_to_civil(recv, &yy, &mm, &dd);
        snprintf(number, sizeof(number), "%04d%02d%02d-%06d", yy, mm, dd, ++per_day[age]);
        hex(qh, 64);
        hex(penc, 102);
        hex(phash, 64);
        snprintf(mask, sizeof(mask), "1%d%d****%04d", 3 + rnd_below(7), rnd_below(10),
                 rnd_below(10000));
        date_format(recv, rday);
        date_format(due, dday);
        date_format(ldue, lday);
        date_format(yellow, yday);
        int64_t recv_at = (int64_t)recv * DAY_S - TZ_S + 9 * 3600 + rnd_below(8 * 3600);
        int64_t closed_at =
            closed ? (int64_t)closed * DAY_S - TZ_S + 10 * 3600 + rnd_below(7 * 3600) : 0;
        if (closed_at && closed_at <= recv_at)
            closed_at = recv_at + 600 + rnd_below(3600);
        if (closed_at > now_unix - 60) /* closed today, before now */
            closed_at = now_unix - 60 - rnd_below(600);
        char iname[64];
        snprintf(iname, sizeof(iname), "考核压测事项%d", item);
        char icode[32];
        snprintf(icode, sizeof(icode), "KH-%03d", item);
        db_bind_text(st, 1, number);
        db_bind_text(st, 2, qh);
        db_bind_int64(st, 3, item);
        db_bind_text(st, 4, icode);
        db_bind_text(st, 5, iname);
        db_bind_int64(st, 6, w->hall_id);
        db_bind_text(st, 7, halls[w->hall].path);
        db_bind_int64(st, 8, staff_id_of(sidx));
        db_bind_int64(st, 9, w->id);
        db_bind_text(st, 10, names[rnd_below(7)]);
        db_bind_text(st, 11, penc);
        db_bind_text(st, 12, phash);
        db_bind_text(st, 13, mask);
        db_bind_text(st, 14, state);
        db_bind_int64(st, 15, open);
        if (decision)
            db_bind_text(st, 16, decision);
        else
            db_bind_null(st, 16);
        db_bind_text(st, 17, rday);
        db_bind_int64(st, 18, recv_at);
        db_bind_int64(st, 19, promised);
        db_bind_int64(st, 20, legal);
        db_bind_text(st, 21, dday);
        db_bind_text(st, 22, lday);
        if (open)
            db_bind_text(st, 23, yday);
        else
            db_bind_null(st, 23);
        db_bind_int64(st, 24, warn);
        if (closed) {
            date_format(closed, cday);
            db_bind_int64(st, 25, closed_at);
            db_bind_text(st, 26, cday);
        } else {
            db_bind_null(st, 25);
            db_bind_null(st, 26);
        }
        if (outcome) {
            db_bind_text(st, 27, outcome);
            db_bind_int64(st, 28, closed - recv);
        } else {
            db_bind_null(st, 27);
            db_bind_null(st, 28);
        }
        db_bind_int64(st, 29, closed ? closed_at : recv_at);
        step_done(db, st, "insert case_file");
        row_written(db);
    }
    db_finalize(st);
    free(per_day);
}

/* ---- the monthly counters ---- */

static const char SQL_FACT[] = "INSERT INTO score_fact (month, kind, subject_id, metric, n)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)";

static int64_t write_facts(struct db *db)
{
    struct db_stmt *st = prep(db, SQL_FACT);
    int64_t rows = 0;
    for (int m = 0; m < MONTHS; m++)
        for (int kind = 0; kind < 2; kind++) {
            int64_t n = kind == 0 ? nwin : nstaff;
            const int64_t *f = kind == 0 ? wf[m] : sf[m];
            for (int64_t i = 0; i < n; i++)
                for (int k = 0; k < NFACTS; k++) {
                    int64_t v = f[i * NFACTS + k];
                    if (!v)
                        continue;
                    db_bind_text(st, 1, month_name[m]);
                    db_bind_text(st, 2, kind == 0 ? "window" : "staff");
                    db_bind_int64(st, 3, kind == 0 ? wins[i].id : staff_id_of(i));
                    db_bind_text(st, 4, fact_name[k]);
                    db_bind_int64(st, 5, v);
                    step_done(db, st, "insert score_fact");
                    rows++;
                    row_written(db);
                }
        }
    db_finalize(st);
    return rows;
}

/* ---- manual score events ---- */

static const char SQL_EVENT[] =
    "INSERT INTO score_event (kind, subject_id, subject_path, type, day, month, qty, evidence, ref,"
    " state, entered_by, confirmed_by, confirmed_at, void_reason, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9, 1, ?10, ?11, ?12, ?13, ?14)";

static void build_manual(struct db *db, int64_t manual)
{
    static const char *const types[] = {"absent_half_day", "late_arrival", "praise_letter",
                                        "skill_award"};
    static const char *const evidence[] = {"考勤记录：上午未到岗，未请假", "考勤机记录：迟到15分钟",
                                           "群众来信表扬，原件存档", "市级业务技能比武三等奖"};
    static const int type_pm[] = {300, 450, 200, 50};
    struct db_stmt *st = prep(db, SQL_EVENT);
    int ndays = today - month_first[0] + 1;
    for (int64_t i = 0; i < manual; i++) {
        int32_t day = month_first[0] + rnd_below(ndays);
        int m = month_of(day);
        int r = rnd_below(1000), t = 0;
        for (int acc = 0; t < 3; t++) {
            acc += type_pm[t];
            if (r < acc)
                break;
        }
        int is_window = rnd_below(2) == 0 && t != 3; /* skill awards are personal */
        int w_i = rnd_below(nwin);
        int64_t sidx = wins[w_i].staff0 + rnd_below(spw);
        const char *state = rnd_below(100) < 4 ? "void" : "confirmed";
        if (m == MONTHS - 1 && rnd_below(100) < 5)
            state = "pending"; /* only the open month has some */
        char dtext[DATE_TEXT], month[8];
        date_format(day, dtext);
        snprintf(month, sizeof(month), "%.7s", dtext);
        int64_t at = (int64_t)day * DAY_S - TZ_S + 17 * 3600 + rnd_below(3600);
        db_bind_text(st, 1, is_window ? "window" : "staff");
        db_bind_int64(st, 2, is_window ? wins[w_i].id : staff_id_of(sidx));
        db_bind_text(st, 3, is_window ? wins[w_i].path : halls[wins[w_i].hall].path);
        db_bind_text(st, 4, types[t]);
        db_bind_text(st, 5, dtext);
        db_bind_text(st, 6, month);
        db_bind_int64(st, 7, t == 1 ? 1 + rnd_below(2) : 1);
        db_bind_text(st, 8, evidence[t]);
        db_bind_text(st, 9, state);
        if (strcmp(state, "pending") == 0) {
            db_bind_null(st, 10);
            db_bind_null(st, 11);
        } else {
            db_bind_int64(st, 10, 2);
            db_bind_int64(st, 11, at + 3600);
        }
        if (strcmp(state, "void") == 0)
            db_bind_text(st, 12, "录入错误");
        else
            db_bind_null(st, 12);
        db_bind_int64(st, 13, at);
        db_bind_int64(st, 14, at + 3600);
        step_done(db, st, "insert score_event");
        row_written(db);
    }
    db_finalize(st);
}

/* ---- build ---- */

static void unlink_db(const char *path)
{
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char p[640];
        snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
        unlink(p);
    }
}

static void set_months(void)
{
    now_unix = (int64_t)time(NULL);
    today = (int32_t)((now_unix + TZ_S) / DAY_S);
    int y, m, d;
    date_to_civil(today, &y, &m, &d);
    for (int k = 0; k <= MONTHS; k++) {
        int rel = k - (MONTHS - 1); /* -2 .. +1 */
        int mm = m - 1 + rel, yy = y;
        while (mm < 0) {
            mm += 12;
            yy--;
        }
        while (mm >= 12) {
            mm -= 12;
            yy++;
        }
        month_first[k] = date_from_civil(yy, mm + 1, 1);
        if (k < MONTHS)
            snprintf(month_name[k], sizeof(month_name[k]), "%04d-%02d", yy, mm + 1);
    }
}

static int cmd_build(const char *path, int windows, int64_t staff, int64_t evals, int64_t cases,
                     int64_t manual)
{
    char url[640], errbuf[256];
    nwin = windows;
    spw = (int)(staff / windows);
    set_months();
    unlink_db(path);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    t_start = now_s();
    struct db *db = NULL;
    if (db_open(url, 0, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    if (migrate_apply(db, NULL) < 0)
        die("migrate: %s", db_errmsg(db));
    exec_or_die(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;"
                    " PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY");
    exec_or_die(db, "BEGIN");
    build_tree(db);
    for (int m = 0; m < MONTHS; m++) {
        wc[m] = calloc((size_t)nwin, sizeof(struct counts));
        sc[m] = calloc((size_t)nstaff, sizeof(struct counts));
        wf[m] = calloc((size_t)nwin * NFACTS, sizeof(int64_t));
        sf[m] = calloc((size_t)nstaff * NFACTS, sizeof(int64_t));
        if (!wc[m] || !sc[m] || !wf[m] || !sf[m])
            die("%s", "out of memory");
    }
    struct evgen g = {0};
    memset(g.prev, '0', 64);
    build_evals(db, evals, &g);
    /* the chain's head and the fraud sweep start after the stored
     * evaluations; one void event holds the highest event id */
    {
        static const char SQL_HEAD[] = "UPDATE eval_head SET last_id = ?1, last_hash = ?2";
        static const char SQL_SWEEP[] = "UPDATE eval_sweep SET last_eval_id = ?1";
        static const char SQL_VOID_EVENT[] =
            "INSERT INTO eval_event (id, source, node, region_id, token_hash, state, created_at)"
            " VALUES (?1, 'ticket', 'service', 1, ?2, 'void', ?3)";
        struct db_stmt *st = prep(db, SQL_HEAD);
        db_bind_int64(st, 1, g.id);
        db_bind_text(st, 2, g.prev);
        step_done(db, st, "update eval_head");
        db_finalize(st);
        st = prep(db, SQL_SWEEP);
        db_bind_int64(st, 1, g.id);
        step_done(db, st, "update eval_sweep");
        db_finalize(st);
        char th[65];
        hex(th, 64);
        st = prep(db, SQL_VOID_EVENT);
        db_bind_int64(st, 1, g.id > 0 ? g.id : 1);
        db_bind_text(st, 2, th);
        db_bind_int64(st, 3, now_unix);
        step_done(db, st, "insert eval_event");
        db_finalize(st);
    }
    int64_t rollups = write_rollups(db);
    fprintf(stderr,
            "score_data: %lld evaluations (%lld services), %lld monthly rollup rows, %.0f s\n",
            (long long)g.id, (long long)g.services, (long long)rollups, now_s() - t_start);
    build_cases(db, cases);
    fprintf(stderr, "score_data: %lld cases, %.0f s\n", (long long)cases, now_s() - t_start);
    int64_t facts = write_facts(db);
    build_manual(db, manual);
    exec_or_die(db, "COMMIT");
    exec_or_die(db, "PRAGMA journal_mode=WAL");
    db_close(db);
    printf("windows=%d staff=%lld units=%d halls=%d evals=%lld services=%lld cases=%lld"
           " manual=%lld facts=%lld rollups=%lld months=%s,%s,%s seconds=%.1f\n",
           nwin, (long long)nstaff, nunit, nhall, (long long)g.id, (long long)g.services,
           (long long)cases, (long long)manual, (long long)facts, (long long)rollups, month_name[0],
           month_name[1], month_name[2], now_s() - t_start);
    return 0;
}

/* ---- tokens: services that can be evaluated now ---- */

static const char SQL_PLACES[] =
    "SELECT w.id, w.parent_id, h.path, (SELECT a.staff_id FROM window_assignment a"
    " WHERE a.window_id = w.id AND a.ended_at IS NULL AND a.is_chief = 1 LIMIT 1),"
    " (SELECT a.staff_id FROM window_assignment a WHERE a.window_id = w.id AND a.ended_at IS NULL"
    " AND a.is_chief = 0 ORDER BY a.staff_id LIMIT 1 OFFSET ?2)"
    " FROM org_node w JOIN org_node h ON h.id = w.parent_id"
    " WHERE w.kind = 'window' AND w.active = 1 ORDER BY w.id LIMIT 1 OFFSET ?1";
static const char SQL_WINDOWS[] = "SELECT count(*) FROM org_node WHERE kind = 'window'";
static const char SQL_SERIES[] = "SELECT id FROM queue_series WHERE hall_id = ?1 AND prefix = 'SB'";
static const char SQL_NUMBER[] =
    "SELECT COALESCE(max(number), 0) FROM ticket WHERE series_id = ?1 AND service_day = ?2";
static const char SQL_TICKET[] =
    "INSERT INTO ticket (hall_id, service_day, series_id, number, code, queue_series_id,"
    " item_code, version_id, priority, status, channel, window_id, staff_id, issued_at,"
    " called_at, started_at, finished_at, wait_s, service_s, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?3, 'KH-001', 1, 0, 'done', 'kiosk', ?6, ?7, ?8, ?9, ?10, ?11,"
    " ?9 - ?8, ?11 - ?10, ?11) RETURNING id";

static int cmd_tokens(const char *url, int count, const char *out_file)
{
    char errbuf[256];
    struct db *db = NULL;
    if (crypto_init() < 0)
        die("%s", "crypto_init failed");
    if (db_open(url, 0, &db, errbuf, sizeof(errbuf)) < 0)
        die("%s", errbuf);
    exec_or_die(db, "PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY");
    int64_t nw = 0;
    if (db_query_int64(db, SQL_WINDOWS, &nw) < 0 || nw < count)
        die("%lld windows, %d asked for", (long long)nw, count);
    FILE *out = fopen(out_file, "w");
    if (!out)
        die("cannot write %s", out_file);
    struct actor sys;
    actor_system(&sys, "bench");
    int64_t now = (int64_t)time(NULL);
    int32_t day = (int32_t)((now + TZ_S) / DAY_S);
    char dtext[DATE_TEXT];
    date_format(day, dtext);
    /* different windows each run: start at a random one */
    rng ^= (uint64_t)now * 0x9E3779B97F4A7C15ull;
    int64_t first = rnd_below((int)nw);
    exec_or_die(db, "BEGIN");
    for (int i = 0; i < count; i++) {
        struct db_stmt *st = prep(db, SQL_PLACES);
        db_bind_int64(st, 1, (first + (int64_t)i * (nw / count + 1)) % nw);
        db_bind_int64(st, 2, rnd_below(4));
        if (db_step(st) != DB_ROW)
            die("no window %d: %s", i, db_errmsg(db));
        int64_t wid = db_col_int64(st, 0), hall = db_col_int64(st, 1);
        char hpath[128];
        snprintf(hpath, sizeof(hpath), "%s", db_col_text(st, 2));
        int64_t chief = db_col_int64(st, 3), sid = db_col_int64(st, 4);
        db_finalize(st);
        if (!sid)
            sid = chief;
        if (!sid)
            die("window %lld has nobody assigned", (long long)wid);
        int64_t series = 0;
        st = prep(db, SQL_SERIES);
        db_bind_int64(st, 1, hall);
        if (db_step(st) == DB_ROW)
            series = db_col_int64(st, 0);
        db_finalize(st);
        if (!series) {
            struct err e = {0};
            if (queue_series_create(db, &sys, hall, "SB", "考核压测", NULL, 0, now, &series, &e) <
                0)
                die("series SB in hall %lld: %s", (long long)hall, e.msg);
        }
        int64_t number = 0;
        st = prep(db, SQL_NUMBER);
        db_bind_int64(st, 1, series);
        db_bind_text(st, 2, dtext);
        if (db_step(st) == DB_ROW)
            number = db_col_int64(st, 0);
        db_finalize(st);
        number++;
        char code[32];
        snprintf(code, sizeof(code), "SB%03lld", (long long)number);
        int64_t finished = now - 300, started = finished - 240, called = started - 30,
                issued = called - 600;
        st = prep(db, SQL_TICKET);
        db_bind_int64(st, 1, hall);
        db_bind_text(st, 2, dtext);
        db_bind_int64(st, 3, series);
        db_bind_int64(st, 4, number);
        db_bind_text(st, 5, code);
        db_bind_int64(st, 6, wid);
        db_bind_int64(st, 7, sid);
        db_bind_int64(st, 8, issued);
        db_bind_int64(st, 9, called);
        db_bind_int64(st, 10, started);
        db_bind_int64(st, 11, finished);
        int64_t ticket = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (ticket <= 0)
            die("insert ticket: %s", db_errmsg(db));
        char token[EVAL_TOKEN_MAX], ip[24];
        int64_t event_id = 0;
        if (eval_ticket_issued(db, ticket, hall, hpath, issued, token) < 0)
            die("eval_ticket_issued: %s", db_errmsg(db));
        snprintf(ip, sizeof(ip), "10.2.%d.%d", (int)(wid / 250) % 256, (int)(wid % 250) + 1);
        if (eval_ticket_finished(db, ticket, wid, sid, ip, finished, &event_id) < 0 ||
            event_id <= 0)
            die("eval_ticket_finished: %s", db_errmsg(db));
        fprintf(out, "%s\t%lld\t%lld\t%lld\n", token, (long long)wid, (long long)sid,
                (long long)chief);
    }
    exec_or_die(db, "COMMIT");
    db_close(db);
    if (fclose(out) != 0)
        die("cannot write %s", out_file);
    printf("tokens=%d day=%s\n", count, dtext);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: score_data build --db PATH --windows N --staff N --evals N --cases N"
                    " --manual N [--build-max-s S]\n"
                    "       score_data tokens --db sqlite:PATH --count N --out FILE\n");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *db = NULL, *out = NULL;
    int64_t windows = 10000, staff = 50000, evals = 10000000, cases = 1000000, manual = 5000,
            count = 0;
    max_s = 3600;
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--db") == 0)
            db = v;
        else if (strcmp(a, "--out") == 0)
            out = v;
        else if (strcmp(a, "--windows") == 0)
            windows = atoll(v);
        else if (strcmp(a, "--staff") == 0)
            staff = atoll(v);
        else if (strcmp(a, "--evals") == 0)
            evals = atoll(v);
        else if (strcmp(a, "--cases") == 0)
            cases = atoll(v);
        else if (strcmp(a, "--manual") == 0)
            manual = atoll(v);
        else if (strcmp(a, "--count") == 0)
            count = atoll(v);
        else if (strcmp(a, "--build-max-s") == 0)
            max_s = atof(v);
        else
            usage();
    }
    if (argc % 2 != 0 || !db)
        usage();
    if (strcmp(argv[1], "build") == 0) {
        if (windows < 10 || windows > 1000000 || staff < windows || staff > 100 * windows ||
            evals < 1000 || cases < 0 || manual < 0 || max_s <= 0)
            usage();
        return cmd_build(db, (int)windows, staff, evals, cases, manual);
    }
    if (strcmp(argv[1], "tokens") == 0 && count > 0 && count <= 100000 && out)
        return cmd_tokens(db, (int)count, out);
    usage();
    return 1;
}

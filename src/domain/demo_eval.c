/* demo_eval.c - the demo's 好差评: evaluations for its day of traffic and its
 * cases, through every channel, with a realistic mix of levels (most
 * 非常满意, a few 差评 with reasons), so the dashboards, the work orders and
 * `chuangkou verify` have real data. Deterministic (a fixed seed). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/badreview.h"
#include "domain/demo.h"
#include "domain/evaluation.h"

#define DEMO_EVAL_SEED 0x9e3779b97f4a7c15ull
#define DEMO_EVAL_MAX 2000

static uint64_t next_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* 0..99 */
static int pct(uint64_t *s)
{
    return (int)(next_rand(s) % 100);
}

static const char SQL_OPEN[] =
    "SELECT e.id, e.source, COALESCE(e.window_id, 0), COALESCE(e.staff_id, 0), e.ended_at,"
    " COALESCE((SELECT d.id FROM device d WHERE d.kind = 'evaluator' AND d.node_id = e.window_id"
    " AND d.active = 1 ORDER BY d.id LIMIT 1), 0)"
    " FROM eval_event e WHERE e.state = 'open' ORDER BY e.id LIMIT ?1";
static const char SQL_ENTERER[] = "SELECT id FROM staff WHERE role IN ('leader', 'supervisor') AND "
                                  "active = 1 ORDER BY id LIMIT 1";

struct demo_event {
    int64_t id, window_id, staff_id, ended_at, device_id;
    int is_case;
};

static const char *const bad_reasons[] = {"wait", "slow", "attitude", "guide", "trips", "notice"};
static const char *const bad_texts[] = {"排队等了一个多小时", "材料要求没有一次说清楚",
                                        "窗口人员态度生硬", "系统故障让我跑了两趟", ""};
static const char *const good_texts[] = {"", "", "办事效率高，点赞", "工作人员很耐心",
                                         "一次就办好了"};

static int level_of(uint64_t *s)
{
    int p = pct(s);
    return p < 70 ? 5 : p < 87 ? 4 : p < 94 ? 3 : p < 98 ? 2 : 1;
}

/* The demo's 差评 work orders at various steps: the first stays assigned,
 * the next contacted, verified, classified, rectified, followed up, closed
 * with the citizen's rating, and so on round. */
static const char SQL_ORDERS[] = "SELECT id FROM bad_review ORDER BY id LIMIT 64";

static int demo_work_orders(struct db *db, struct err *e)
{
    int64_t ids[64];
    int n = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_ORDERS, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    while ((rc = db_step(st)) == DB_ROW && n < 64)
        ids[n++] = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    struct actor sys = {.role = ROLE_SYSTEM};
    snprintf(sys.name, sizeof(sys.name), "demo");
    int64_t now = (int64_t)time(NULL);
    for (int i = 0; rc >= 0 && i < n; i++) {
        int steps = i % (BRS_N + 1); /* 0: assigned … BRS_N: closed */
        for (int k = 0; rc >= 0 && k < steps; k++) {
            struct badreview_args args = {0};
            if (k == BRS_CONTACT)
                args.method = "phone";
            else if (k == BRS_VERIFY)
                args.finding = i % 3 == 0 ? "partly" : "true", args.note = "经核实，情况属实";
            else if (k == BRS_CLASSIFY)
                args.classification = i % 2 ? "fix_now" : "explain";
            else if (k == BRS_RECTIFY)
                args.note = "已当面致歉并完成整改";
            else if (k == BRS_FOLLOWUP)
                args.note = "电话回访，群众表示认可";
            else
                args.rating = i % 4 == 3 ? "basic" : "satisfied";
            rc = badreview_act(db, &sys, NULL, ids[i], (enum badreview_step)k, &args, now, e);
        }
    }
    return rc < 0 ? rc : 0;
}

int demo_seed_evals(struct db *db, struct err *e)
{
    struct demo_event *evs = calloc(DEMO_EVAL_MAX, sizeof(*evs));
    if (!evs)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int n = 0;
    int64_t enterer = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_OPEN, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, DEMO_EVAL_MAX);
        while ((rc = db_step(st)) == DB_ROW && n < DEMO_EVAL_MAX) {
            struct demo_event *d = &evs[n++];
            d->id = db_col_int64(st, 0);
            d->is_case = strcmp(db_col_text(st, 1), "case") == 0;
            d->window_id = db_col_int64(st, 2);
            d->staff_id = db_col_int64(st, 3);
            d->ended_at = db_col_int64(st, 4);
            d->device_id = db_col_int64(st, 5);
        }
        db_finalize(st);
    }
    if (rc >= 0 && (rc = db_query_int64(db, SQL_ENTERER, &enterer)) == ERR_NOTFOUND)
        rc = 0;
    uint64_t seed = DEMO_EVAL_SEED;
    struct arena a = {0};
    for (int i = 0; rc >= 0 && i < n; i++) {
        const struct demo_event *d = &evs[i];
        if (pct(&seed) < 12)
            continue; /* not (yet) evaluated: the window is still open */
        int level = level_of(&seed), p = pct(&seed);
        const char *channel = d->is_case ? (p < 60 ? "web" : "qr")
                              : p < 62   ? (d->device_id ? "tablet" : "qr")
                              : p < 80   ? "qr"
                              : p < 88   ? "window_qr"
                              : p < 94   ? "hotline"
                                         : "paper";
        int entered = strcmp(channel, "hotline") == 0 || strcmp(channel, "paper") == 0;
        if (entered && (!enterer || enterer == d->staff_id))
            channel = "qr", entered = 0;
        const char *reasons[2] = {bad_reasons[next_rand(&seed) % 6], NULL};
        const char *codes[3] = {"efficiency", "competence", "attitude"};
        struct eval_input in = {
            .level = level,
            .reasons = reasons,
            .nreasons = level <= 2 ? 1 : 0,
            .text = level <= 2 ? bad_texts[next_rand(&seed) % 5] : good_texts[next_rand(&seed) % 5],
            .channel = channel,
            .device_id = strcmp(channel, "tablet") == 0 ? d->device_id : 0,
            .ip = entered || strcmp(channel, "tablet") == 0 ? "" : "203.0.113.7",
            .entered_by = entered ? enterer : 0,
        };
        char device[24];
        snprintf(device, sizeof(device), "demo-browser-%d", (int)(next_rand(&seed) % 400));
        if (!in.device_id && !entered)
            in.device = device;
        if (strcmp(channel, "tablet") == 0 && pct(&seed) < 60) {
            in.dim_codes = codes;
            for (int k = 0; k < 3; k++) {
                int v = level + (int)(next_rand(&seed) % 3) - 1;
                in.dim_scores[k] = v < 1 ? 1 : v > 5 ? 5 : v;
            }
            in.ndims = 3;
        }
        struct actor who = {.role = ROLE_SYSTEM};
        if (entered)
            who.staff_id = enterer;
        struct eval_rec out;
        int64_t at = d->ended_at + 20 + (int64_t)(next_rand(&seed) % 600);
        rc = eval_submit(db, &who, d->id, &in, at, &a, &out, e);
        arena_reset(&a);
    }
    free(evs);
    if (rc >= 0)
        rc = demo_work_orders(db, e);
    if (rc < 0 && !e->msg[0])
        err_set(e, rc, NULL, "database error");
    return rc < 0 ? rc : 0;
}

/* eval_stats.h - 好差评 figures: the metrics of an org subtree over a period
 * grouped by one dimension, and the month's window ranking (DOMAIN.md §4,
 * GB/T 39735-2020; docs/api.md "### Metrics").
 *
 * Everything here reads the rollups only (eval_rollup per day, window,
 * staff, item, channel and indicator set; eval_month_window per month and
 * window), never the evaluations themselves, so a year of a province costs
 * the same whether it holds a thousand evaluations or a hundred million.
 * A rollup row belongs to the subtree of its window_id's org node (a row
 * whose window_id is no org node is counted nowhere).
 *
 * The figures of a group (struct eval_counts):
 *   levels n1..n5   first evaluations at each level, active and defaulted,
 *                   excluded ones too (the rating is never deleted);
 *   total           n1 + … + n5;
 *   active          evaluations the citizen gave (not defaulted);
 *   defaulted       services closed with the region's default level;
 *   unrated         services closed with no evaluation (未评);
 *   services        active + defaulted + unrated;
 *   bad             active 差评 still counted; excluded: 差评 an upheld appeal
 *                   removed from scoring;
 *   bad_replied, bad_rectified, bad_satisfied: the 差评 work orders' steps.
 * The six rates (numerator / base; no rate when the base is 0). Excluded
 * 差评 count in no rate: they leave every base they would sit in.
 *   好评率          (n4 + n5) / (total - excluded)
 *   主动评价好评率  active_good / (active - excluded)
 *   未评率          unrated / (services - excluded)
 *   差评回复率      bad_replied / bad
 *   回访整改率      bad_rectified / bad
 *   回访整改满意率  bad_satisfied / bad_rectified
 *
 * Reads only; any connection; strings in the arena given. Not thread-safe
 * beyond the connection's own rules.
 */
#ifndef CK_EVAL_STATS_H
#define CK_EVAL_STATS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define EVAL_STATS_SPAN_DAYS 366    /* days from `from` to `to`, both counted */
#define EVAL_STATS_ROWS_MAX 10000   /* rows of one metrics answer (total covers all) */
#define EVAL_STATS_DIMS_MAX 32      /* distinct indicator codes averaged in one row */
#define EVAL_RANK_LIMIT_DEFAULT 100 /* windows of a ranking when no limit is given */
#define EVAL_RANK_LIMIT_MAX 10000   /* at most */
#define EVAL_MONTH_TEXT 8           /* "YYYY-MM" + NUL */

struct eval_counts {
    int64_t n[5]; /* n[0] = level 1 … n[4] = level 5 */
    int64_t active, active_good, defaulted, unrated, bad, excluded;
    int64_t bad_replied, bad_rectified, bad_satisfied;
};

enum eval_rate_kind {
    EVAL_RATE_GOOD,                 /* good_rate, 好评率 */
    EVAL_RATE_ACTIVE_GOOD,          /* active_good_rate, 主动评价好评率 */
    EVAL_RATE_UNRATED,              /* unrated_rate, 未评率 */
    EVAL_RATE_BAD_REPLY,            /* bad_reply_rate, 差评回复率 */
    EVAL_RATE_RECTIFY,              /* rectify_rate, 回访整改率 */
    EVAL_RATE_RECTIFY_SATISFACTION, /* rectify_satisfaction_rate, 回访整改满意率 */
    EVAL_RATES
};

/* A rate as numerator over base; no rate when den <= 0. */
struct eval_ratio {
    int64_t num, den;
};

/* n1 + … + n5. */
int64_t eval_counts_total(const struct eval_counts *c);
/* active + defaulted + unrated. */
int64_t eval_counts_services(const struct eval_counts *c);
/* The six rates of c as defined above. */
void eval_counts_rates(const struct eval_counts *c, struct eval_ratio out[EVAL_RATES]);
/* The rates' names as the API shows them ("good_rate" …); static storage. */
const char *eval_rate_name(enum eval_rate_kind k);
/* r as a number in 0..1: 1 and *v set when it has a base, 0 when not. */
int eval_ratio_value(struct eval_ratio r, double *v);
/* Add b into a. */
void eval_counts_add(struct eval_counts *a, const struct eval_counts *b);

/* ---- metrics ---- */

/* Groupings (the `by` parameter). hall, unit and region are the nearest
 * node of that kind at or above the rollup's window node; a window with
 * none of that kind falls in the group of key 0 (no key). */
enum eval_by {
    EVAL_BY_STAFF,
    EVAL_BY_WINDOW,
    EVAL_BY_HALL,
    EVAL_BY_UNIT,
    EVAL_BY_REGION,
    EVAL_BY_ITEM,
    EVAL_BY_CHANNEL,
    EVAL_BY_DAY,
    EVAL_BY_MONTH,
    EVAL_BY_COUNT
};

/* "staff" … "month" → 0 and *by, else ERR_INVALID. */
int eval_by_parse(const char *s, enum eval_by *by);
const char *eval_by_name(enum eval_by by);

struct eval_stats_query {
    int64_t node_id;       /* 0: the actor's whole scope */
    const char *from, *to; /* local days "YYYY-MM-DD", from <= to, at most EVAL_STATS_SPAN_DAYS */
    const char *by;        /* see eval_by_parse */
    const char *channel;   /* NULL or "": any */
    int64_t item_id;       /* 0: any */
    int64_t staff_id;      /* 0: any (a staff account: forced to itself) */
};

/* The filters of GET /api/evaluations that list a row's evaluations: 0 /
 * NULL / "" for a filter not used. */
struct eval_drill {
    int64_t staff_id, window_id, node_id, item_id;
    const char *channel;
    char from[DATE_TEXT], to[DATE_TEXT];
};

/* A dimension's average: sum / n (n evaluations scored it). */
struct eval_dim_avg {
    const char *code, *name_zh, *name_en;
    int64_t sum, n;
};

struct eval_stats_row {
    int64_t key_id;    /* staff, window, hall, unit, region or item id; 0 none */
    const char *key;   /* channel, day "YYYY-MM-DD" or month "YYYY-MM"; NULL for id keys */
    const char *label; /* name (staff, node, item), channel code, day or month; "" none */
    const char *code;  /* the node's or item's code; NULL otherwise */
    struct eval_counts c;
    struct eval_dim_avg *dims; /* newest indicator set's order first */
    int ndims;
    struct eval_drill drill;
};

struct eval_stats {
    enum eval_by by;
    char from[DATE_TEXT], to[DATE_TEXT];
    int64_t node_id;  /* the node queried, 0 the actor's scope */
    int64_t staff_id; /* the staff filter applied (a staff account's own) */
    struct eval_stats_row *rows;
    int n;
    int truncated;               /* more groups than EVAL_STATS_ROWS_MAX: the first ones came */
    struct eval_stats_row total; /* every group; key_id 0, key NULL, label "" */
};

/* The metrics of q for who (a staff account; ERR_FORBIDDEN otherwise):
 * ERR_INVALID naming by, from, to, node_id (no such node), channel (not one
 * of EVAL_CHANNELS), item_id or staff_id; ERR_FORBIDDEN when node_id lies
 * outside who's scope or a staff account asks for someone else. Rows come in
 * the grouping's natural order: nodes by path, staff by name, items by code,
 * channels, days and months ascending. out's strings live in a. */
int eval_stats(struct db *db, const struct actor *who, const struct eval_stats_query *q,
               struct arena *a, struct eval_stats *out, struct err *e);

/* ---- ranking ---- */

struct eval_rank {
    int rank; /* 1-based; equal 好评率 and total share a rank */
    int64_t window_id;
    const char *window_name, *window_code;
    int64_t hall_id;       /* the window node's parent, 0 none */
    const char *hall_name; /* "" none */
    struct eval_counts c;
};

/* The windows of month ("YYYY-MM") under path_prefix (a materialised path
 * such as "/1/4/"; "" or NULL: every window) ranked by 好评率 (highest
 * first; windows with no rate last), then by total evaluations (more
 * first), then by window id. Reads eval_month_window (one row per window
 * with any figure that month) joined to org_node, nothing else: a month of
 * 5,000 windows is one index range of 5,000 rows. At most limit (1 ..
 * EVAL_RANK_LIMIT_MAX; out of range: EVAL_RANK_LIMIT_DEFAULT) items into
 * *items (arena a), *n of them. Returns 0, ERR_INVALID for a malformed
 * month, ERR_NOMEM or a database error. Any connection; the bench calls it
 * directly. */
int eval_ranking(struct db *db, const char *month, const char *path_prefix, int limit,
                 struct arena *a, struct eval_rank **items, int *n);

/* 0 when s is a month "YYYY-MM" (years DATE_MIN_YEAR..DATE_MAX_YEAR). */
int eval_month_ok(const char *s);

#endif

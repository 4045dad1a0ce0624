/* score.h - 三比 quantified scoring: scorecards, periods, stars, rankings,
 * the rotating red flag (DOMAIN.md §2, §7; docs/api.md "Scorecards 量化考核").
 *
 * A scorecard applies to the windows or the staff under its node (the nearest
 * active card up the tree wins) and is scored over month, quarter and/or year
 * periods. Its definition is data (JSON, versioned, see score_def_parse):
 *
 *   total = base − Σ_items (points_i − value_i) + Σ_items bonus_i,
 *           clamped to [floor, cap]
 *
 * An item's value starts at its points (its allotment, or weight% × base) or,
 * when it reads a rate ("input" with a "scale"), at points × the rate scaled
 * between "zero" and "full". Its rules add per × count for each input count
 * (events, overdue cases, no-shows…): deductions stop at 0 (an item never
 * loses more than its allotment), additions at its "bonus". With "weights"
 * the weights must add up to 100 and the items' points to the base. A veto
 * item disqualifies (no stars, no awards) for the period or the whole year
 * when any of its counts is above zero.
 *
 * Inputs come from the system: eval_month_window / eval_month_staff, the
 * score_fact counters kept by queue and case writes, commitments (践诺),
 * review rounds (三评), confirmed manual score events, the staff's average
 * (windows) and the chief representative's share of the window's event
 * deductions (staff). Results are live while a period is open (the rescoring
 * thread recomputes subjects marked by score_touch) and frozen when it closes.
 */
#ifndef CK_SCORE_H
#define CK_SCORE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/db.h"

#define SCORE_ITEMS_MAX 32
#define SCORE_RULES_MAX 8
#define SCORE_EVENTS_MAX 48
#define SCORE_STARS_MAX 4
#define SCORE_CODE_MAX 40
#define SCORE_NAME_MAX 100
#define SCORE_TEXT_MAX 2000
#define SCORE_DEF_MAX 32768 /* bytes of a definition's JSON */

/* ---- marking subjects for rescoring (inside the caller's transaction) ---- */

/* Marks a subject ("window" or "staff"; "unit" is accepted and ignored) so the
 * rescoring thread recomputes its live results: every live period, or with
 * score_touch_day only those containing the day's month. Cheap: one upsert. */
int score_touch(struct db *db, const char *kind, int64_t subject_id);
int score_touch_day(struct db *db, const char *kind, int64_t subject_id, const char *day);
/* Called by score_touch (the api layer's rescoring thread wakes up). */
void score_set_wake_hook(void (*hook)(void));
/* Wakes the rescoring thread (after marks made with SQL of one's own). */
void score_wake(void);
/* Both at once (an evaluation, a ticket, a case): either id may be 0. */
int score_touch2(struct db *db, const char *day, int64_t window_id, int64_t staff_id);
/* Adds n to a monthly counter (score_fact) of a window and a staff member
 * (either may be 0) and marks both; `day` is the YYYY-MM-DD it happened. */
int score_fact_add(struct db *db, const char *day, int64_t window_id, int64_t staff_id,
                   const char *metric, int64_t n);

/* ---- definitions ---- */

struct score_rule {
    char input[SCORE_CODE_MAX]; /* an input name, see score_input_known */
    double per;                 /* points per unit of the input's count */
};

struct score_item {
    char code[SCORE_CODE_MAX];
    char name[SCORE_NAME_MAX * 4];
    double points;              /* allotment (weight% × base when weighted) */
    double weight;              /* 0 unless the card is weighted */
    double bonus;               /* additions stop here */
    char input[SCORE_CODE_MAX]; /* a rate or value read on a scale, or "" */
    double zero, full;          /* the scale: value at zero points, at full */
    int empty_full;             /* no data → full points (1) or zero (0) */
    int veto;                   /* 0, SCORE_VETO_PERIOD or SCORE_VETO_YEAR */
    int nrules;
    struct score_rule rule[SCORE_RULES_MAX];
};

enum { SCORE_VETO_PERIOD = 1, SCORE_VETO_YEAR = 2 };

struct score_event_type {
    char code[SCORE_CODE_MAX];
    char name[SCORE_NAME_MAX * 4];
};

struct score_def {
    int weighted;
    double base, cap, floor;
    int nitems;
    struct score_item item[SCORE_ITEMS_MAX];
    int nevents;
    struct score_event_type event[SCORE_EVENTS_MAX];
    double stars[SCORE_STARS_MAX];              /* minimum score for 5, 4, 3, 2 stars */
    int flags_month, flags_quarter, flags_year; /* red flags per period */
    char flag_group[12];                        /* "all", "hall" or "unit" */
    char summon_group[12];                      /* bottom streaks: "all", "hall", "unit" */
    int summon_bottom, summon_streak;
};

/* Parses and checks a definition (JSON text) for a card of `subject`. Errors
 * name the field ("items[2].rules[0].input", "weights"...). */
int score_def_parse(const char *json, const char *subject, struct score_def *def, struct err *e);
/* 1 if `input` is a name a rule or a scaled item of `subject` may read. */
int score_input_known(const char *input, const char *subject);

/* ---- computing one subject (pure) ---- */

#define SCORE_INPUTS_MAX (40 + SCORE_EVENTS_MAX + 8)
struct score_inputs {
    int n;
    struct {
        char name[SCORE_CODE_MAX];
        double value;
    } v[SCORE_INPUTS_MAX];
    double year_veto[SCORE_ITEMS_MAX]; /* year-to-date counts of year-veto items */
};

/* The value of an input, or `missing` when absent. */
double score_input(const struct score_inputs *in, const char *name, double missing, int *found);
void score_input_set(struct score_inputs *in, const char *name, double value);

struct score_outcome {
    double total;
    double item_value[SCORE_ITEMS_MAX]; /* after rules, before the card's clamp */
    double item_bonus[SCORE_ITEMS_MAX];
    double event_loss;         /* points lost through event:* rules */
    int stars;                 /* 0 when vetoed */
    char veto[SCORE_CODE_MAX]; /* the item code that disqualified, or "" */
};

void score_compute(const struct score_def *def, const struct score_inputs *in,
                   struct score_outcome *out);
/* An item's starting value (its points, or points × the scaled input); *x and
 * *found tell the input's value and whether it had data. */
double score_item_start(const struct score_item *it, const struct score_inputs *in, double *x,
                        int *found);

/* ---- periods ---- */

/* "2026-11" month, "2026-Q4" quarter, "2026" year; first and last day. */
int score_period_range(const char *period, char kind[8], char from[11], char to[11]);
/* The period of `kind` containing `day`; the one before a period. */
int score_period_of(const char *kind, const char *day, char period[16]);
int score_period_prev(const char *period, char prev[16]);

/* ---- periods of a card: live results, close, reopen (score_period.c) ---- */

struct actor;
struct score_close_info {
    int64_t subjects;                     /* scored */
    int64_t events, commitments, reviews; /* unconfirmed inputs found */
};

/* Scores every subject of the card for `period`, stores ranks (all, hall,
 * unit, industry), bottom streaks and stars, awards the red flag, marks the
 * period closed; audited. ERR_CONFLICT "period" (not ended), "state"
 * (closed), "inputs" (info tells which unconfirmed inputs); ERR_INVALID
 * "period"; ERR_FORBIDDEN outside the actor's scope. */
int score_close(struct db *db, const struct actor *who, int64_t card_id, const char *period,
                int64_t now, struct score_close_info *info, struct err *e);
/* Reopens a closed period (the red flags of it are revoked); audited. */
int score_reopen(struct db *db, const struct actor *who, int64_t card_id, const char *period,
                 const char *reason, int64_t now, struct err *e);
/* Pending manual events, unconfirmed commitments and open review rounds of
 * the period under `path`. */
int score_unconfirmed(struct db *db, const char *path, const char *period,
                      struct score_close_info *info);
int score_period_closed(struct db *db, int64_t card_id, const char *period, int *closed);
/* Recomputes one subject's live results: the open periods its card keeps live
 * that contain `month` ('YYYY-MM'), or all of them for "". */
int score_rescore(struct db *db, const char *kind, int64_t subject_id, const char *month,
                  int64_t now);
/* Up to `max` subjects marked by score_touch; *done how many. */
int score_rescore_dirty(struct db *db, int64_t now, int max, int *done);
/* Marks every subject of a card for rescoring (a new card or version): the
 * thread recomputes them in batches, outside the request's transaction. */
int score_refresh_card(struct db *db, int64_t card_id, int64_t now);

/* ---- cards and manual events (score_admin.c) ---- */

struct score_card_input {
    int64_t node_id;            /* create */
    const char *subject;        /* create: "window" | "staff" */
    const char *name, *periods; /* NULL: unchanged (version) / "month" (create) */
    const char *def, *note;     /* def: JSON text */
};
int score_periods_norm(const char *in, char out[32]);
int score_card_create(struct db *db, const struct actor *who, const struct score_card_input *in,
                      int64_t now, int64_t *id, struct err *e);
int score_card_version(struct db *db, const struct actor *who, int64_t card_id,
                       const struct score_card_input *in, int64_t now, struct err *e);
int score_card_deactivate(struct db *db, const struct actor *who, int64_t card_id, int64_t now,
                          struct err *e);

struct score_event_input {
    const char *kind, *type, *day, *evidence, *ref;
    int64_t subject_id, qty;
};
int score_event_create(struct db *db, const struct actor *who, const struct score_event_input *in,
                       int64_t now, int64_t *id, struct err *e);
int score_event_confirm(struct db *db, const struct actor *who, int64_t id, int64_t now,
                        struct err *e);
int score_event_void(struct db *db, const struct actor *who, int64_t id, const char *reason,
                     int64_t now, struct err *e);

/* ---- reads as JSON (score_read.c; docs/api.md) ---- */

#include <jansson.h>
json_t *score_card_json(struct db *db, int64_t card_id, int with_versions);
int score_cards_json(struct db *db, const struct actor *who, int64_t node_id, json_t **out);
/* group: "all" | "hall" | "unit" | "industry"; group_id / industry filter. */
/* Rows outside `scope` (a path; "" = all) are left out; ranks stay those of
 * the whole group. */
int score_ranking_json(struct db *db, int64_t card_id, const char *period, const char *group,
                       int64_t group_id, const char *industry, const char *scope, int64_t now,
                       json_t **out, struct err *e);
int score_detail_json(struct db *db, int64_t card_id, const char *period, const char *kind,
                      int64_t subject_id, json_t **out, struct err *e);
int score_preview_json(struct db *db, const struct actor *who, int64_t card_id, int64_t node_id,
                       const char *subject, const char *def, const char *period, int64_t now,
                       json_t **out, struct err *e);

int score_periods_json(struct db *db, int64_t card_id, json_t **out);
/* One period of a card; NULL when it has none. */
json_t *score_period_json(struct db *db, int64_t card_id, const char *period);
int score_trend_json(struct db *db, int64_t card_id, const char *kind, int64_t subject_id,
                     const char *period_kind, int n, json_t **out);
int score_summons_json(struct db *db, int64_t card_id, const char *period, const char *scope,
                       json_t **out, struct err *e);
int score_flags_json(struct db *db, int64_t card_id, int n, json_t **out);
/* ERR_NOTFOUND when the subject does not exist; path_out (may be NULL) gets
 * its path for the caller's scope check. */
int score_subject_json(struct db *db, const char *kind, int64_t id, int64_t now, json_t **out,
                       char path_out[256]);
json_t *score_badge_json(struct db *db, int64_t staff_id, int64_t window_id, int64_t now);
int score_public_json(struct db *db, int64_t node_id, json_t **out);

#endif

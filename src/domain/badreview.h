/* badreview.h - the 差评 closed loop (差评整改) and appeal and review (申诉复核),
 * DOMAIN.md §4, docs/api.md "差评 work orders".
 *
 * Every first, active 差评 (level <= 2) opens one work order, inside the
 * evaluation's own write transaction (badreview_open, called by
 * eval_submit). The order is assigned to the responsible unit (谁办理谁负责):
 * the evaluation's unit_id; else the nearest ancestor of kind "unit" of the
 * window (or hall) that served; else that hall; else the region. Its path
 * scopes access; the responsible staff member is the one who delivered the
 * service.
 *
 * Steps, in this order only (any other → ERR_CONFLICT "state"):
 *
 *   assigned ─contact─▶ contacted ─verify─▶ verified ─classify─▶ classified
 *   ─rectify─▶ rectified ─followup (回访)─▶ followed_up ─rate─▶ closed
 *
 * and, while open, an upheld appeal ─▶ appeal_upheld (closed). Each step is
 * due by the region's deadline profile (badreview_due): contact, verify,
 * classify and the rectification (fix_now / explain; listed: the deadline
 * chosen at classification, within listed_max) count from the opening; the
 * follow-up from the rectification; the rating from the follow-up. A step
 * records who, when, a note and `late` (recorded after its due time).
 * Rollups: contact counts the 差评 replied (eval_rollup_bad "bad_replied"),
 * followup rectified ("bad_rectified"), a rating satisfied or basic
 * satisfied ("bad_satisfied").
 *
 * Access (badreview_may_see): staff roles whose subtree holds the order's
 * unit, the unit's own staff (home node inside the unit) and the responsible
 * staff member; the command line always. They may do the steps. An appeal:
 * the responsible staff member or a member of the unit with role staff or
 * leader, while the order is open, once. Its decision: a supervisor or admin
 * whose subtree holds the unit, not the appellant. Upheld: eval_exclude
 * takes the 差评 out of scoring (the evaluation stays), the order's counted
 * figures leave the rollups (bad_replied / bad_rectified -1), and the order
 * closes as appeal_upheld. Both are audited.
 *
 * The sweep (badreview_sweep) warns the responsible staff member and
 * escalates to the unit's nearest leader, once per step past its due time;
 * each warning is claimed with a conditional UPDATE … RETURNING so two
 * server nodes sweeping at once notify once.
 *
 * Writes run inside the caller's transaction (the writer) and take the time
 * as `now` (epoch seconds); days are Asia/Shanghai dates. Reads run on any
 * connection. Strings come back in the arena given.
 */
#ifndef CK_BADREVIEW_H
#define CK_BADREVIEW_H

#include <stdint.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/calendar.h"
#include "domain/evaluation.h"
#include "store/db.h"

#define BADREVIEW_TEXT_MAX 2000    /* notes, reasons, evidence (characters) */
#define BADREVIEW_NAME_MAX 100     /* a profile's name (characters) */
#define BADREVIEW_DAYS_MAX 180     /* n of a step counted in days */
#define BADREVIEW_HOURS_MAX 720    /* n of a step counted in hours */
#define BADREVIEW_PROFILES_MAX 200 /* profiles listed per region */
#define BADREVIEW_BUILTIN_NAME "1-2-3"

/* ---- deadline profiles ---- */

/* The limits of a profile, in this order (names: badreview_limit_name). */
enum badreview_limit_kind {
    BRL_CONTACT = 0,
    BRL_VERIFY,
    BRL_CLASSIFY,
    BRL_FIX_NOW,
    BRL_LISTED_MAX,
    BRL_EXPLAIN,
    BRL_FOLLOWUP,
    BRL_RATE,
    BRL_N
};

/* n units of workdays | days | hours. */
struct badreview_limit {
    int n;
    char unit[12];
};

struct badreview_profile {
    int64_t id; /* 0: the built-in profile */
    int64_t region_id;
    char name[BADREVIEW_NAME_MAX * 4 + 1];
    int is_default;
    int builtin;
    struct badreview_limit limits[BRL_N];
    int64_t created_at; /* 0 for the built-in */
    char created_by_name[256];
};

/* "contact", "verify", "classify", "fix_now", "listed_max", "explain",
 * "followup", "rate"; NULL out of range. Static storage. */
const char *badreview_limit_name(int kind);

/* The built-in profile of region_id: the "1-2-3" rule (contact, verify,
 * classify 1 working day; fix_now 2; listed_max 3; explain 2; followup 1;
 * rate 1). */
void badreview_profile_builtin(int64_t region_id, struct badreview_profile *out);

/* Check a profile's name and limits: ERR_INVALID naming "name" or
 * "steps.<limit>.n" / "steps.<limit>.unit". n is 0..BADREVIEW_DAYS_MAX for
 * workdays and days, 1..BADREVIEW_HOURS_MAX for hours; listed_max is in
 * workdays or days and at least 1. */
int badreview_profile_check(const struct badreview_profile *p, struct err *e);

/* The profile new orders of the region use: its default, else the built-in. */
int badreview_profile_current(struct db *db, int64_t region_id, struct badreview_profile *out);

/* One stored profile (ERR_NOTFOUND), or the built-in for id 0 (region 0). */
int badreview_profile_get(struct db *db, int64_t id, struct badreview_profile *out);

/* The region's stored profiles, newest first (at most BADREVIEW_PROFILES_MAX,
 * an array in a). Any staff role in the region (ERR_FORBIDDEN otherwise);
 * region_id must be a root node (ERR_INVALID "region_id"). */
int badreview_profiles(struct db *db, const struct actor *who, int64_t region_id, struct arena *a,
                       struct badreview_profile **items, int *n, struct err *e);

/* Store a new profile of in->region_id (write transaction), an admin at the
 * region's root (or the command line); with in->is_default it becomes the
 * default. Audited ("bad_review.profile"). *id gets its id. */
int badreview_profile_create(struct db *db, const struct actor *who,
                             const struct badreview_profile *in, int64_t now, int64_t *id,
                             struct err *e);

/* Make a stored profile its region's default (write transaction; same
 * rights; audited "bad_review.profile_default"). */
int badreview_profile_set_default(struct db *db, const struct actor *who, int64_t id, int64_t now,
                                  struct err *e);

/* The due time of a limit counted from anchor (epoch seconds): workdays:
 * the end of the n-th working day after the anchor's local day (n = 0: that
 * day, or the next working day when it is off); days: n natural days later,
 * moved to the next working day when off (n = 0: that very day); hours: anchor + n hours. *due_at:
 * the last second still in time; due_day: its local date. A year the
 * calendar lacks falls back to natural days (cal may be NULL: natural days).
 * ERR_INVALID for a bad unit. */
int badreview_due(const struct calendar *cal, const struct badreview_limit *lim, int64_t anchor,
                  int64_t *due_at, char due_day[DATE_TEXT]);

/* ---- work orders ---- */

enum badreview_step {
    BRS_CONTACT = 0,
    BRS_VERIFY,
    BRS_CLASSIFY,
    BRS_RECTIFY,
    BRS_FOLLOWUP,
    BRS_RATE,
    BRS_N
};

/* "contact" … "rate"; NULL out of range. */
const char *badreview_step_name(int step);
/* BRS_* of a name, -1 unknown. */
int badreview_step_parse(const char *name);

/* States, as stored. */
#define BADREVIEW_STATES                                                                           \
    "assigned,contacted,verified,classified,rectified,followed_up,closed,appeal_upheld"
#define BADREVIEW_NSTATES 8
/* The i-th state's name (0..BADREVIEW_NSTATES-1), NULL out of range. */
const char *badreview_state_name(int i);

struct badreview_step_rec {
    char step[12];
    int64_t due_at;
    char due_day[DATE_TEXT];
    int open;                  /* the step due now */
    int64_t done_at, done_by;  /* 0: not done */
    const char *done_by_name;  /* NULL when not done or by the command line */
    int late, warned, overdue; /* overdue: open and past due at the read's now */
    const char *note;
};

struct badreview_appeal_rec {
    int64_t id;
    char state[12]; /* pending | upheld | rejected */
    const char *reason, *evidence, *appealed_by_name, *decided_by_name, *decision_note;
    int64_t appealed_by, appealed_at, decided_by, decided_at; /* decided_*: 0 none */
};

/* The evaluation as a work order shows it: no phone, no name. */
struct badreview_eval {
    int64_t id;
    int level, real_name, excluded;
    const char *reasons; /* JSON array text */
    const char *text, *channel, *phone_mask, *id_mask;
    char day[DATE_TEXT];
    int64_t created_at;
};

struct badreview {
    int64_t id, evaluation_id, region_id, unit_id, staff_id, window_id, profile_id;
    const char *node_path, *unit_name, *staff_name, *window_name, *item_name, *channel, *reasons,
        *profile_name;
    int level;
    char state[16];
    char step[12]; /* "" once closed */
    int open;
    int64_t due_at; /* 0 once closed */
    char due_day[DATE_TEXT];
    int overdue;
    const char *contact_method; /* NULL until contacted */
    int64_t contacted_at;
    const char *finding, *classification, *deadline_day, *rating; /* NULL until given */
    int64_t opened_at, closed_at, updated_at;
    char opened_day[DATE_TEXT];
    const char *appeal_state; /* NULL: no appeal */
    int64_t appealed_by;
    /* filled by the full reads (badreview_get, badreview_by_evaluation) */
    int full;
    struct badreview_eval ev;
    struct badreview_step_rec steps[BRS_N];
    int nsteps;
    int has_appeal;
    struct badreview_appeal_rec appeal;
};

/* Open the work order of evaluation ev (write transaction, inside
 * eval_submit's): does nothing for an evaluation that is not a first,
 * active, not defaulted 差评. Loads the calendar from db for the deadline.
 * Notifies the responsible staff member and the unit's nearest leader.
 * ERR_CONFLICT when the evaluation already has one. */
int badreview_open(struct db *db, const struct eval_rec *ev, int64_t now, struct err *e);

/* The same with the calendar given (cal NULL: natural days); *id (may be
 * NULL) gets the order's id, 0 when none was opened. */
int badreview_open_with(struct db *db, const struct calendar *cal, const struct eval_rec *ev,
                        int64_t now, int64_t *id, struct err *e);

/* 1 when who may see (and work) an order of unit path node_path whose
 * responsible staff member is staff_id. */
int badreview_may_see(const struct actor *who, const char *node_path, int64_t staff_id);

/* One order, full, with overdue flags at now. who NULL: no check; else
 * ERR_FORBIDDEN when who may not see it. ERR_NOTFOUND none (e filled). */
int badreview_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                  struct badreview *out, struct err *e);

/* The order of an evaluation, full (no access check: the caller checked the
 * evaluation's); ERR_NOTFOUND when it has none. */
int badreview_by_evaluation(struct db *db, int64_t evaluation_id, int64_t now, struct arena *a,
                            struct badreview *out);

struct badreview_filter {
    const char *state;  /* NULL | a state | "open" */
    int overdue;        /* 1: open with the step past due */
    int64_t node_id;    /* 0: the caller's reach */
    int mine;           /* 1: the caller is the responsible staff member */
    const char *appeal; /* NULL | pending | upheld | rejected */
    int64_t page, per_page;
};

/* A page of orders the caller may see (list form): open ones by due time,
 * then closed ones newest first. ERR_INVALID naming state, appeal, node_id,
 * page, per_page; ERR_FORBIDDEN for a node outside the scope or a role that
 * is not staff. */
int badreview_list(struct db *db, const struct actor *who, const struct badreview_filter *f,
                   int64_t now, struct arena *a, struct badreview **out, int *n, int64_t *total,
                   struct err *e);

struct badreview_stats {
    int64_t states[BADREVIEW_NSTATES]; /* in the order of BADREVIEW_STATES */
    int64_t open, overdue, appeals_pending, late_steps;
};

/* Counts over the orders the caller may see (or those under node_id). */
int badreview_stats(struct db *db, const struct actor *who, int64_t node_id, int64_t now,
                    struct badreview_stats *out, struct err *e);

/* The input of a step; fields not of the step must be NULL / 0 (ERR_INVALID
 * naming them otherwise). */
struct badreview_args {
    const char *method;         /* contact: phone | sms | visit | other */
    int64_t contacted_at;       /* contact: 0 = now; else between the opening and now */
    const char *finding;        /* verify: true | false | partly */
    const char *classification; /* classify: fix_now | listed | explain */
    const char *deadline;       /* classify listed: YYYY-MM-DD */
    const char *rating;         /* rate: satisfied | basic | unsatisfied */
    const char *note;           /* required for verify, rectify, followup */
};

/* Do a step (write transaction). cal: the working-day calendar (NULL:
 * natural days). ERR_NOTFOUND, ERR_FORBIDDEN (may not see it),
 * ERR_INVALID naming the field, ERR_CONFLICT "state" (not the step due). */
int badreview_act(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
                  enum badreview_step step, const struct badreview_args *args, int64_t now,
                  struct err *e);

/* Appeal (write transaction): reason 1..BADREVIEW_TEXT_MAX characters,
 * evidence up to BADREVIEW_TEXT_MAX (NULL none). ERR_FORBIDDEN not of the
 * unit; ERR_CONFLICT "state" closed, "appeal" already appealed. Audited. */
int badreview_appeal(struct db *db, const struct actor *who, int64_t id, const char *reason,
                     const char *evidence, int64_t now, struct err *e);

/* Decide the pending appeal (write transaction): upheld 1 / 0 rejected, note
 * 1..BADREVIEW_TEXT_MAX. ERR_FORBIDDEN not a supervisor/admin over the unit
 * or the appellant; ERR_CONFLICT "appeal" none pending. Upheld calls
 * eval_exclude. Notifies the appellant; audited. */
int badreview_appeal_decide(struct db *db, const struct actor *who, int64_t id, int upheld,
                            const char *note, int64_t now, struct err *e);

/* What who may do with r now, as bits (1u << BRS_*) | BADREVIEW_ACT_*. */
#define BADREVIEW_ACT_APPEAL (1u << 8)
#define BADREVIEW_ACT_DECIDE (1u << 9)
unsigned badreview_actions(const struct actor *who, const struct badreview *r);

/* The sweep (write transaction): every open step past its due time and not
 * yet warned is claimed and warned (the responsible staff member and the
 * unit's nearest leader, kind "bad_review_overdue"). *raised (may be NULL)
 * counts notifications. cal is accepted for the sweep's shape and not used:
 * due times are stored. Returns 0 or an error. */
int badreview_sweep(struct db *db, const struct calendar *cal, int64_t now, int *raised);

#endif

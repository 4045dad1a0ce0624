/* commitment.h - commitments (亮承诺) and their fulfilment (践诺), DOMAIN.md
 * §2, docs/api.md "Commitments 亮承诺 (issue 7)".
 *
 * A commitment belongs to an owner: an org node of kind unit or window, or a
 * staff member. It has a text, a category (COMMITMENT_CATEGORIES), an
 * optional measurable target (text, decimal value, unit), a due day given
 * directly or as a period ('YYYY', 'YYYY-Qn', 'YYYY-MM': due on its last
 * day) and a visibility (public by default, or internal).
 *
 * States, and who moves them (any other move: ERR_CONFLICT "state"):
 *
 *   open ─report─▶ reported ─confirm─▶ fulfilled | partly | missed
 *   partly | missed ─report (until the due day ends)─▶ reported
 *   open | reported ─withdraw (until the due day ends)─▶ withdrawn
 *
 * - create: a staff account for itself (owner_kind "staff", its own id);
 *   a leader or admin for any owner inside their subtree.
 * - edit: while open and never reported; the creator, the staff owner or a
 *   leader/admin over the owner.
 * - report: the staff owner; for a unit or window, a leader or admin over it.
 * - confirm: a leader or admin over the owner who is neither the reporter of
 *   the report nor the staff owner. fulfilled is final; after partly or
 *   missed the owner may report again while the due day has not passed, and
 *   the new confirmation replaces the old one (each report keeps its own).
 * - withdraw (with a reason): the creator, the staff owner or a leader/admin
 *   over the owner, before any confirmation and while the due day has not
 *   passed: a commitment past its due day counts, whatever happens to it.
 *
 * Overdue (computed at read): open or reported, and the due day has passed
 * (due_day < today, Asia/Shanghai). Withdrawn commitments count nowhere.
 * Every change is audited (entity "commitment"); a confirmation and a
 * withdrawal mark the owner for rescoring (score_touch).
 *
 * Where a commitment lies (scope): a unit's or window's own node path; a
 * staff member's present home node path. Reads: staff roles whose subtree
 * holds it, and the staff owner. Writes run inside the caller's transaction
 * (the writer); reads on any connection. Strings come back in the arena given.
 */
#ifndef CK_COMMITMENT_H
#define CK_COMMITMENT_H

#include <stdint.h>

#include "base/arena.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define COMMITMENT_TEXT_MAX 1000     /* the commitment's text (characters) */
#define COMMITMENT_NOTE_MAX 2000     /* evidence, notes, reasons */
#define COMMITMENT_TARGET_MAX 200    /* target text */
#define COMMITMENT_UNIT_MAX 20       /* target unit */
#define COMMITMENT_LINKS_MAX 10      /* links of one report */
#define COMMITMENT_LINK_MAX 500      /* one link (characters) */
#define COMMITMENT_YEARS_AHEAD 5     /* a due day at most this many years ahead */
#define COMMITMENT_PUBLIC_MAX 500    /* items of the public list */
#define COMMITMENT_FIGURES_MAX 10000 /* owners of one figures read */

#define COMMITMENT_CATEGORIES "service,efficiency,conduct,integrity,other"
#define COMMITMENT_STATES "open,reported,fulfilled,partly,missed,withdrawn"

/* ---- for the scoring engine ---- */

struct commit_figures {
    int64_t due, fulfilled, partly, missed, pending;
};

/* Calls fn once per owner (kind "unit"|"window"|"staff") with commitments due
 * in [from, to] (inclusive YYYY-MM-DD days), ordered by kind and owner id;
 * fn returning nonzero stops with that value. One grouped query on the due
 * day index. Withdrawn commitments do not count; pending = open or reported.
 * Returns 0, fn's value, ERR_INVALID (a bad day) or a database error. */
int commitment_figures_range(struct db *db, const char *from, const char *to,
                             int (*fn)(void *ctx, const char *kind, int64_t owner_id,
                                       const struct commit_figures *f),
                             void *ctx);

/* The figures of one owner for commitments due in [from, to]; zeros when it
 * has none. ERR_INVALID for a bad kind or day. */
int commitment_figures_owner(struct db *db, const char *kind, int64_t owner_id, const char *from,
                             const char *to, struct commit_figures *out);

/* Commitments due in [from, to] of owners under the node path prefix
 * (org_node.path; a staff member is under their staff.node_id's path) that
 * were reported but not yet confirmed, into *n. */
int commitment_unconfirmed(struct db *db, const char *path, const char *from, const char *to,
                           int64_t *n);

/* ---- periods ---- */

enum commitment_grain { CG_YEAR = 1, CG_QUARTER, CG_MONTH };

/* 'YYYY' | 'YYYY-Qn' | 'YYYY-MM' into its first and last day and grain:
 * 0 or ERR_INVALID. */
int commitment_period_range(const char *period, char from[DATE_TEXT], char to[DATE_TEXT],
                            enum commitment_grain *grain);

/* ---- the region's publication setting ---- */

/* "year" (default), "quarter" or "month" into out (8 bytes). */
int commitment_publish_period(struct db *db, int64_t region_id, char out[8]);

/* Set it (write transaction): an admin at the region's root (or the command
 * line). ERR_INVALID "region_id" (not a root), "publish_period"; audited. */
int commitment_publish_set(struct db *db, const struct actor *who, int64_t region_id,
                           const char *period, int64_t now, struct err *e);

/* ---- commitments ---- */

struct commitment_input {
    const char *owner_kind; /* create only: unit | window | staff */
    int64_t owner_id;       /* create only */
    const char *text, *category, *target_text, *target_unit, *visibility;
    const char *target_value; /* decimal text, NULL none */
    const char *due_day;      /* exactly one of due_day and period */
    const char *period;
};

/* An edit: NULL / 0 leaves a field as it is. set_target_value with
 * target_value NULL clears it. due_day or period (not both) replaces the due. */
struct commitment_patch {
    const char *text, *category, *target_text, *target_unit, *visibility;
    int set_target_value;
    const char *target_value;
    const char *due_day, *period;
};

struct commitment_report_rec {
    int64_t id;
    int seq;
    const char *evidence, *links; /* links: JSON array text */
    int64_t reported_by, reported_at;
    const char *reported_by_name;
    const char *result; /* NULL until confirmed */
    int64_t confirmed_by, confirmed_at;
    const char *confirmed_by_name, *note;
};

struct commitment {
    int64_t id, region_id, owner_id, node_id;
    char owner_kind[8];
    const char *owner_name, *node_name, *path; /* path: where it lies now */
    const char *text, *category, *target_text, *target_value, *target_unit, *period;
    char due_day[DATE_TEXT];
    char visibility[12];
    char state[12];
    int overdue, reports;
    int64_t reported_at, reported_by, confirmed_at, confirmed_by, withdrawn_at, withdrawn_by;
    int64_t created_by, created_at, updated_at;
    const char *reported_by_name, *confirmed_by_name, *confirm_note, *withdraw_reason,
        *created_by_name;
    /* commitment_get only */
    struct commitment_report_rec *history;
    int nhistory;
};

/* Create (write transaction); *id gets the new id. ERR_INVALID naming the
 * field (owner_kind, owner_id, text, category, target_text, target_value,
 * target_unit, due_day, period, visibility); ERR_FORBIDDEN. */
int commitment_create(struct db *db, const struct actor *who, const struct commitment_input *in,
                      int64_t now, int64_t *id, struct err *e);

/* Edit (write transaction). ERR_NOTFOUND, ERR_FORBIDDEN, ERR_INVALID,
 * ERR_CONFLICT "state" once reported or withdrawn. */
int commitment_update(struct db *db, const struct actor *who, int64_t id,
                      const struct commitment_patch *p, int64_t now, struct err *e);

/* Report evidence (1..COMMITMENT_NOTE_MAX) with up to COMMITMENT_LINKS_MAX
 * http(s) links (write transaction). ERR_INVALID "evidence" / "links". */
int commitment_report(struct db *db, const struct actor *who, int64_t id, const char *evidence,
                      const char *const *links, int nlinks, int64_t now, struct err *e);

/* Confirm the pending report: result fulfilled | partly | missed, note
 * 1..COMMITMENT_NOTE_MAX (write transaction). */
int commitment_confirm(struct db *db, const struct actor *who, int64_t id, const char *result,
                       const char *note, int64_t now, struct err *e);

/* Withdraw with a reason 1..COMMITMENT_NOTE_MAX (write transaction). */
int commitment_withdraw(struct db *db, const struct actor *who, int64_t id, const char *reason,
                        int64_t now, struct err *e);

/* One commitment with its reports; who NULL: no check. */
int commitment_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                   struct commitment *out, struct err *e);

/* What who may do with c now: bits of COMMITMENT_ACT_*. */
#define COMMITMENT_ACT_EDIT 1u
#define COMMITMENT_ACT_REPORT 2u
#define COMMITMENT_ACT_CONFIRM 4u
#define COMMITMENT_ACT_WITHDRAW 8u
unsigned commitment_actions(const struct actor *who, const struct commitment *c, int64_t now);

struct commitment_filter {
    int64_t node_id;                           /* 0: the caller's subtree */
    const char *owner_kind;                    /* NULL any */
    int64_t owner_id;                          /* 0 any (with owner_kind) */
    const char *category, *state, *visibility; /* NULL any */
    int overdue, mine;                         /* mine: the caller's own (staff owner) */
    const char *from, *to;                     /* due day range, NULL open */
    int64_t page, per_page;
};

/* A page of the commitments the caller may see, by due day then id.
 * ERR_INVALID naming the filter; ERR_FORBIDDEN. */
int commitment_list(struct db *db, const struct actor *who, const struct commitment_filter *f,
                    int64_t now, struct arena *a, struct commitment **out, int *n, int64_t *total,
                    struct err *e);

/* One owner's figures and names (the 践诺率 table). */
struct commitment_owner_figures {
    char kind[8];
    int64_t owner_id;
    const char *name, *node_name;
    struct commit_figures f;
};

/* Per owner under the node path (the caller's subtree when node_id is 0) for
 * commitments due in [from, to], by kind, name; owner_kind NULL any;
 * public_only: public commitments only. At most COMMITMENT_FIGURES_MAX. who
 * NULL: no check (the public page). */
int commitment_owner_figures(struct db *db, const struct actor *who, const char *path,
                             const char *owner_kind, const char *from, const char *to,
                             int public_only, struct arena *a,
                             struct commitment_owner_figures **out, int *n, struct err *e);

/* The public commitments (not withdrawn) under path due in [from, to], by
 * due day, at most COMMITMENT_PUBLIC_MAX (*more set when there are more). */
int commitment_public_list(struct db *db, const char *path, const char *from, const char *to,
                           int64_t now, struct arena *a, struct commitment **out, int *n,
                           int *more);

#endif

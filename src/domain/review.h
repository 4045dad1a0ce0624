/* review.h - review rounds (三评: 自评, 互评 / 党员互评, 领导点评, 群众评议),
 * DOMAIN.md §2, docs/api.md "Review rounds 三评 (issue 7)".
 *
 * A leader (or admin) opens a round over a subtree (node_id, in the caller's
 * scope) and a period key ('YYYY-MM', 'YYYY-Qn' or 'YYYY') for subjects of
 * one kind, staff or windows of the subtree. Its form holds criteria (code,
 * name, scale_max, weight; weights add up to 100) and rater groups (code,
 * name, kind, weight; weights add up to 100):
 *
 *   self            each subject rates itself (a window: any staff member
 *                   assigned to it, the chief representative included);
 *   peer            staff whose home lies in the round's subtree rate other
 *                   subjects, never themselves nor their own window; options
 *                   party_only (rater and subject party members of the same
 *                   branch; staff rounds only), unit_scope same_unit |
 *                   cross_unit | any (the nearest ancestor of kind "unit"),
 *                   rater_role (only accounts of that role);
 *   leader          leaders and admins whose scope holds the subject rate
 *                   with a written comment (required);
 *   public_metrics  no raters: the satisfaction rate × 100 over the period
 *                   from the evaluation rollups (active_good / (active -
 *                   excluded), as eval_stats' active_good_rate);
 *   public_vote     the public votes on the portal, one vote per verified
 *                   person (18-character ID number) per round; a vote gives
 *                   each chosen subject satisfied / basic / unsatisfied,
 *                   scored 100 / 60 / 0.
 *
 * A staff rating gives every criterion a whole value 0..scale_max; its score
 * is Σ weight × value / scale_max (0..100). One rating per rater, subject and
 * group (a second: ERR_CONFLICT). States: draft → open → closed; only the
 * owner (the creator) or an admin in scope opens and closes (both audited).
 * Closing computes per subject and group the mean (0..100) and count; the
 * total is the weighted mean over the groups present (weights renormalised),
 * stored with the number of distinct raters, and marks each subject for
 * rescoring (score_touch).
 *
 * Confidentiality: who rated whom is read only by the owner and admins;
 * leaders, supervisors and admins in scope read every aggregate; a staff
 * member reads the aggregates of themselves and of the windows they serve.
 *
 * Writes run inside the caller's transaction (the writer); reads on any
 * connection. Strings come back in the arena given. Numbers on 0..100 are
 * kept in ten-thousandths (…_e4) in the database.
 */
#ifndef CK_REVIEW_H
#define CK_REVIEW_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define REVIEW_MAX_GROUPS 8
#define REVIEW_MAX_CRITERIA 20
#define REVIEW_CODE_MAX 20      /* criterion and group codes: [a-z0-9_], 1..20 */
#define REVIEW_NAME_MAX 100     /* names and titles (characters) */
#define REVIEW_TEXT_MAX 2000    /* comments (characters) */
#define REVIEW_SCALE_MAX 1000   /* the largest scale_max */
#define REVIEW_SUBJECTS_MAX 500 /* subjects listed per group for a rater */
#define REVIEW_VOTE_NAME_MAX 40 /* a voter's name, bytes (it is stored encrypted) */

struct review_score {
    double total; /* 0..100 over the groups present */
    int64_t raters;
    int ngroups;
    struct {
        char code[24];
        double mean;
        int64_t n;
    } group[REVIEW_MAX_GROUPS];
};

/* Calls fn once per subject (kind "staff"|"window") with results of CLOSED rounds whose
 * period key equals `period`; several rounds for one subject → their totals averaged,
 * groups merged by code. fn returning nonzero stops with that value. */
int review_results_period(struct db *db, const char *period,
                          int (*fn)(void *ctx, const char *kind, int64_t subject_id,
                                    const struct review_score *s),
                          void *ctx);
/* One subject's merged results of the period (as above); *found 0 when it
 * has none (out zeroed). */
int review_result_subject(struct db *db, const char *period, const char *kind, int64_t subject_id,
                          struct review_score *out, int *found);
/* Rounds of the period under the node path prefix that are not closed yet (blocks period close). */
int review_open_rounds(struct db *db, const char *path, const char *period, int64_t *n);

/* ---- the form ---- */

struct review_criterion {
    char code[REVIEW_CODE_MAX + 1];
    char name[REVIEW_NAME_MAX * 4 + 1];
    int64_t scale_max, weight;
};

struct review_group {
    char code[REVIEW_CODE_MAX + 1];
    char name[REVIEW_NAME_MAX * 4 + 1];
    char kind[16];       /* self | peer | leader | public_metrics | public_vote */
    int64_t weight;      /* percent */
    int party_only;      /* peer only */
    char unit_scope[12]; /* peer only: same_unit | cross_unit | any */
    char rater_role[12]; /* peer only: "" | staff | leader | supervisor | admin */
};

struct review_form {
    int ncriteria, ngroups;
    struct review_criterion criteria[REVIEW_MAX_CRITERIA];
    struct review_group groups[REVIEW_MAX_GROUPS];
};

/* Check a form for subject_kind ("staff" | "window"): ERR_INVALID naming
 * "criteria" (none, too many, weights not adding up to 100, duplicate
 * codes), "criteria[i].code" …, "groups" likewise, "groups[i].kind",
 * "groups[i].unit_scope", "groups[i].rater_role", "groups[i].party_only"
 * (a window round). */
int review_form_check(const struct review_form *f, const char *subject_kind, struct err *e);

/* 1 when period is 'YYYY-MM', 'YYYY-Qn' (n 1..4) or 'YYYY'. */
int review_period_ok(const char *period);

/* ---- rounds ---- */

struct review_round {
    int64_t id, node_id, owner_id;
    char node_path[ACTOR_PATH_MAX];
    char node_name[REVIEW_NAME_MAX * 4 + 1];
    char period[8];
    char subject_kind[8];
    char title[REVIEW_NAME_MAX * 4 + 1];
    char state[8]; /* draft | open | closed */
    char owner_name[REVIEW_NAME_MAX * 4 + 1];
    int64_t created_at, opened_at, closed_at; /* 0: not yet */
    int64_t ratings, votes;                   /* counts so far */
    int full;                                 /* form read (review_get) */
    struct review_form form;
};

struct review_input {
    int64_t node_id;
    const char *period, *subject_kind, *title;
    struct review_form form;
};

/* Create a round in draft (write transaction): a leader or admin whose scope
 * holds node_id (ERR_FORBIDDEN), the form checked (ERR_INVALID naming the
 * field, also "node_id", "period", "subject_kind", "title"). Audited
 * ("review.create"). *id gets the new id. */
int review_create(struct db *db, const struct actor *who, const struct review_input *in,
                  int64_t now, int64_t *id, struct err *e);

/* Replace a draft's title, period and form (write transaction; node_id and
 * subject_kind stay): the owner or an admin in scope; ERR_CONFLICT "state"
 * unless draft. Audited ("review.update"). */
int review_update(struct db *db, const struct actor *who, int64_t id, const struct review_input *in,
                  int64_t now, struct err *e);

/* draft → open, and open → closed computing and freezing the results
 * (write transactions): the owner or an admin in scope (ERR_FORBIDDEN);
 * ERR_CONFLICT "state" from any other state. Audited ("review.open",
 * "review.close"). */
int review_open(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e);
int review_close(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e);

/* One round with its form. who NULL: no check; else ERR_FORBIDDEN unless
 * the round lies in who's scope or who's home lies in the round's subtree. */
int review_get(struct db *db, const struct actor *who, int64_t id, struct review_round *out,
               struct err *e);

/* 1 when who may see the round (as review_get), 2 when who may also read
 * the individual ratings and open or close it (the owner, an admin in
 * scope, the command line), 0 otherwise. */
int review_access(const struct actor *who, const struct review_round *r);

struct review_filter {
    const char *state;  /* NULL | draft | open | closed */
    const char *period; /* NULL | a period key */
    int64_t page, per_page;
};

/* A page of rounds who may see, newest first (list form, no form). */
int review_list(struct db *db, const struct actor *who, const struct review_filter *f,
                struct arena *a, struct review_round **out, int *n, int64_t *total, struct err *e);

/* ---- ratings ---- */

struct review_rating_input {
    const char *group;  /* group code */
    int64_t subject_id; /* a staff id or a window id */
    int nscores;
    struct {
        const char *code;
        int64_t value;
    } scores[REVIEW_MAX_CRITERIA];
    const char *comment; /* required for a leader group */
};

/* Rate (write transaction) while the round is open: ERR_CONFLICT "state";
 * ERR_INVALID "group" (unknown, or a group without raters), "subject_id"
 * (not a subject of the round), "scores" / "scores.<code>", "comment";
 * ERR_FORBIDDEN (not a rater of the group, rating oneself or one's own
 * window in a peer group, a leader rating themselves); ERR_CONFLICT
 * "subject_id" (already rated in this group). *id gets the rating's id. */
int review_rate(struct db *db, const struct actor *who, int64_t round_id,
                const struct review_rating_input *in, int64_t now, int64_t *id, struct err *e);

struct review_subject {
    int64_t id;
    const char *name, *unit_name;
    int rated; /* 1: the caller rated it in this group already */
};

struct review_todo_group {
    struct review_group g;
    struct review_subject *subjects;
    int nsubjects;
    int truncated; /* more than REVIEW_SUBJECTS_MAX */
};

/* The groups of an open round in which who may rate, each with the subjects
 * who may rate there (at most REVIEW_SUBJECTS_MAX, by name). Groups without
 * raters and groups where who rates nobody are left out. ERR_FORBIDDEN when
 * who may not see the round. */
int review_todo(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                struct review_todo_group **out, int *n, struct err *e);

/* An individual rating (owner and admins only). */
struct review_rating {
    int64_t id, subject_id, rater_id, vote_id; /* rater_id 0 for a vote, vote_id 0 otherwise */
    const char *group, *subject_name, *rater_name, *comment, *scores; /* scores "code=v,…" */
    double score;
    int64_t created_at;
};

/* Every rating of the round, by subject then group (ERR_FORBIDDEN unless
 * review_access is 2). At most 100,000. */
int review_ratings(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                   struct review_rating **out, int *n, struct err *e);

/* A frozen result. */
struct review_result {
    int64_t subject_id;
    const char *subject_name;
    struct review_score s;
};

/* The results of a closed round (ERR_CONFLICT "state" otherwise), by total
 * descending: every subject for a leader, supervisor or admin in scope; a
 * staff member only themselves and the windows they serve. */
int review_results(struct db *db, const struct actor *who, int64_t round_id, struct arena *a,
                   struct review_result **out, int *n, struct err *e);

/* ---- the public vote ---- */

enum review_choice { REVIEW_UNSATISFIED = 0, REVIEW_BASIC = 60, REVIEW_SATISFIED = 100 };

struct review_vote_input {
    const char *name, *id_number, *phone; /* raw; checked here */
    int nchoices;
    struct {
        int64_t subject_id;
        const char *choice; /* satisfied | basic | unsatisfied */
    } choices[REVIEW_SUBJECTS_MAX];
};

/* Cast a public vote (write transaction) in an open round with a
 * public_vote group: ERR_NOTFOUND (no such round or no vote there),
 * ERR_CONFLICT "state" (not open), ERR_INVALID "name", "id_number" (not a
 * valid ID number), "phone", "votes" (none, or a subject twice),
 * "votes[i].subject_id", "votes[i].choice"; ERR_CONFLICT "id_number" (this
 * person voted in the round). ERR_UNAVAILABLE without the data key. */
int review_vote(struct db *db, int64_t round_id, const struct review_vote_input *in, int64_t now,
                struct err *e);

/* Open rounds with a public_vote group (for the portal), newest first, at
 * most 100 (list form). */
int review_public_rounds(struct db *db, struct arena *a, struct review_round **out, int *n);

/* The subjects of a round (all of them, at most REVIEW_SUBJECTS_MAX, by
 * name): for the portal's vote page. */
int review_subjects(struct db *db, const struct review_round *r, struct arena *a,
                    struct review_subject **out, int *n, int *truncated);

#endif

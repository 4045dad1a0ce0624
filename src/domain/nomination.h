/* nomination.h - 先锋服务窗口 (model window) and 明星服务标兵 (service star)
 * nominations, DOMAIN.md §2, §7 ("top 10 by annual score → vote, 20 %
 * quota"); docs/api.md "Nominations 先锋服务窗口 / 明星服务标兵".
 *
 * A leader or admin with the card's node in scope opens a nomination over a
 * scorecard and one of its CLOSED periods (score_period.state 'closed'):
 * kind model_window for a window card, service_star for a staff card. The
 * top_n results of the period by score (ties by rank, then id), vetoed
 * subjects skipped, become the candidates, frozen with their score, rank,
 * stars, hall and unit. quota winners (given as a count, or as a percent of
 * top_n rounded down, at least 1) are then picked:
 *
 *   vote      every staff account (admin, leader, supervisor, staff) whose
 *             home lies in the card's subtree or who has the card's node in
 *             scope casts one ballot of 1..quota distinct candidates; a
 *             service-star voter may not choose themselves. Ballots are
 *             secret: the ballot records who voted and when, the choices only
 *             add to the candidates' counts, which are shown once closed.
 *   decision the owner (the opener) or an admin in scope picks 1..quota
 *             candidates with a written reason (replaceable while open).
 *
 * Closing (the owner or an admin in scope): vote → the top quota by votes,
 * candidates with at least one vote, ties by score then rank (the
 * candidate's place); decision → the chosen ones in place order. Each winner
 * gets a score_award row (award = kind, rank = winner's place, the frozen
 * score, nomination_id). States: open → closed | cancelled (with a reason).
 * Every write is audited ("nomination.*"); the ballot's record holds no
 * choices.
 *
 * Writes run inside the caller's transaction (the writer) with the time as
 * `now`; reads on any connection; strings come back in the arena given.
 * Errors name the input field (ERR_INVALID), the state (ERR_CONFLICT
 * "state", "mode", "voter", "period", "ballots", "decision") or refuse
 * (ERR_FORBIDDEN).
 */
#ifndef CK_NOMINATION_H
#define CK_NOMINATION_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define NOMINATION_TOP_MAX 100    /* top_n */
#define NOMINATION_TEXT_MAX 2000  /* a decision's reason (characters) */
#define NOMINATION_REASON_MAX 500 /* a cancellation's reason (characters) */
#define NOMINATION_PUBLIC_MAX 100 /* nominations on the public honour list */
#define NOMINATION_PER_PAGE_MAX 500

struct nomination_input {
    int64_t card_id;
    const char *period;    /* "2026", "2026-Q4", "2026-11" */
    const char *kind;      /* model_window | service_star */
    const char *mode;      /* vote | decision */
    int64_t top_n;         /* 1..NOMINATION_TOP_MAX */
    int64_t quota;         /* 1..top_n, or 0 when given as a percent */
    int64_t quota_percent; /* 1..100, or 0 when given as a count */
};

/* The quota of top_n from a count or a percent (exactly one > 0): the count,
 * or floor(top_n × percent / 100), at least 1. */
int nomination_quota(int64_t top_n, int64_t count, int64_t percent);

struct nomination_candidate {
    int64_t subject_id;
    int place;     /* 1.. by score, rank, id */
    int64_t score; /* hundredths */
    int rank, stars;
    int64_t hall_id, unit_id;
    const char *name, *code, *hall_name, *unit_name; /* NULL when gone */
    int64_t votes; /* the count; the caller shows it only once closed */
    int chosen;    /* picked by the decision */
    int won;       /* the winner's place, 0 none */
};

struct nomination_voter {
    int64_t staff_id;
    const char *name;
    int64_t cast_at;
};

struct nomination {
    int64_t id, card_id, node_id;
    char period[12];
    char kind[16];
    char subject[8];
    char mode[12];
    char state[12];
    int top_n, quota, quota_percent; /* quota_percent 0: given as a count */
    int64_t ballots;
    int64_t opened_by, decided_by, decided_at, closed_by, closed_at; /* 0: none */
    int64_t created_at, updated_at;
    const char *node_path, *node_name, *card_name, *opened_by_name, *decided_by_name,
        *closed_by_name, *decision_reason, *cancel_reason; /* NULL: none */
    /* the reader's own view */
    int voted; /* the reader has cast a ballot */
    /* filled by nomination_get */
    int full;
    int ncand;
    struct nomination_candidate *cand;
    int show_voters; /* the reader may see who voted (owner, admin in scope) */
    int nvoters;
    struct nomination_voter *voters;
};

/* What who may do now, as bits. */
#define NOMINATION_ACT_VOTE (1u << 0)
#define NOMINATION_ACT_DECIDE (1u << 1)
#define NOMINATION_ACT_CLOSE (1u << 2)
#define NOMINATION_ACT_CANCEL (1u << 3)
unsigned nomination_actions(const struct actor *who, const struct nomination *n);

/* 1 when who may see a nomination of the card node at path: a staff role
 * with the node in scope or a home inside the node's subtree; the command
 * line always. */
int nomination_may_see(const struct actor *who, const char *node_path);

/* Open a nomination (write transaction). ERR_INVALID naming card_id,
 * period, kind, mode, top_n, quota or quota_percent; ERR_FORBIDDEN not a
 * leader or admin with the card's node in scope; ERR_CONFLICT "period" when
 * the period is not closed, already has a nomination of the kind (not
 * cancelled) or no eligible result. *id gets the new id. Audited
 * ("nomination.open"). */
int nomination_create(struct db *db, const struct actor *who, const struct nomination_input *in,
                      int64_t now, int64_t *id, struct err *e);

/* One nomination, full (candidates, and voters when who may see them). who
 * NULL: no check and no voters; else ERR_FORBIDDEN when who may not see it.
 * ERR_NOTFOUND none. */
int nomination_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                   struct nomination *out, struct err *e);

struct nomination_filter {
    int64_t card_id;    /* 0: any */
    const char *period; /* NULL: any */
    const char *kind;   /* NULL | model_window | service_star */
    const char *state;  /* NULL | open | closed | cancelled */
    int64_t page, per_page;
};

/* A page of the nominations who may see (list form, with who's `voted`),
 * newest first. ERR_INVALID naming kind, state, period, page or per_page;
 * ERR_FORBIDDEN for a role that is not staff. */
int nomination_list(struct db *db, const struct actor *who, const struct nomination_filter *f,
                    struct arena *a, struct nomination **out, int *n, int64_t *total,
                    struct err *e);

/* Cast who's ballot (write transaction): ids[0..n) distinct candidates, 1..
 * quota of them. ERR_NOTFOUND; ERR_FORBIDDEN not a voter; ERR_CONFLICT
 * "state" (not open), "mode" (decision), "voter" (already voted);
 * ERR_INVALID "candidate_ids" (empty, too many, repeated, not a candidate,
 * oneself). Audited without the choices. */
int nomination_ballot(struct db *db, const struct actor *who, int64_t id, const int64_t *ids, int n,
                      int64_t now, struct err *e);

/* Record the decision (write transaction): ids as for a ballot, reason
 * 1..NOMINATION_TEXT_MAX ("reason"). ERR_FORBIDDEN not the owner or an admin
 * in scope; ERR_CONFLICT "state", "mode" (vote). Audited. */
int nomination_decide(struct db *db, const struct actor *who, int64_t id, const int64_t *ids, int n,
                      const char *reason, int64_t now, struct err *e);

/* Close (write transaction): pick the winners, write score_award rows.
 * ERR_FORBIDDEN not the owner or an admin in scope; ERR_CONFLICT "state",
 * "ballots" (vote mode, no ballot cast), "decision" (decision mode, none
 * recorded). Audited with the winners. */
int nomination_close(struct db *db, const struct actor *who, int64_t id, int64_t now,
                     struct err *e);

/* Cancel (write transaction): reason 1..NOMINATION_REASON_MAX ("reason").
 * Same rights; ERR_CONFLICT "state" unless open. Audited. */
int nomination_cancel(struct db *db, const struct actor *who, int64_t id, const char *reason,
                      int64_t now, struct err *e);

/* The public honour list: closed nominations newest first (at most limit,
 * 1..NOMINATION_PUBLIC_MAX), of kind (NULL: both), whose card node lies in
 * the subtree of node_id or on its path (node_id 0: all); each with its
 * winners only (cand holds the winners in place order, votes zeroed).
 * ERR_INVALID "node_id" (no such node), "kind". */
int nomination_public(struct db *db, int64_t node_id, const char *kind, int limit, struct arena *a,
                      struct nomination **out, int *n, struct err *e);

#endif

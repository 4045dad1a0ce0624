/* score_impl.h - what the scoring files share (not for other modules). */
#ifndef CK_SCORE_IMPL_H
#define CK_SCORE_IMPL_H

#include "domain/actor.h"
#include "domain/score.h"

/* The monthly figures a subject's inputs are made of. */
enum score_metric {
    M_EVAL_ACTIVE,
    M_EVAL_GOOD,
    M_EVAL_BAD,
    M_EVAL_UNRATED,
    M_EVAL_DEFAULTED,
    M_BAD_RECTIFIED,
    M_EVAL_EXCLUDED,
    M_CASE_DONE,
    M_CASE_ONTIME,
    M_CASE_LATE,
    M_CASE_OVERDUE,
    M_CASE_RETURNED,
    M_SERVED,
    M_NOSHOW,
    M_SVC_TIMEOUT,
    M_COMMIT_DUE,
    M_COMMIT_FULFILLED,
    M_COMMIT_MISSED,
    M_STAFF_AVG,
    M_CHIEF_LOSS,
    M_N
};

enum { HAS_STAFF_AVG = 1, HAS_REVIEW = 2 };

struct score_ev {
    struct score_ev *next;      /* the subject's list */
    struct score_ev *pool_next; /* every event of the set, for freeing */
    char type[SCORE_CODE_MAX];
    double qty;
};

struct score_review_groups {
    double total;
    int n;
    struct {
        char code[24];
        double mean;
    } g[8];
};

struct score_subj {
    int64_t id, node_id, hall_id, unit_id;
    const char *industry;
    char *path;       /* the window's, or the staff member's home node's (malloc'd) */
    double m[2][M_N]; /* [0] the period, [1] the year to its end (year vetoes) */
    unsigned has;
    struct score_ev *ev[2];
    struct score_review_groups *rv;
    double total, event_loss;
    int stars;
    char veto[SCORE_CODE_MAX];
    int rank[4]; /* all, hall, unit, industry */
    int streak;
};

struct score_card_full {
    int64_t id, node_id, version_id;
    int version, active;
    char subject[8];
    char name[SCORE_NAME_MAX * 4];
    char periods[32];
    char path[ACTOR_PATH_MAX];
    char *def_json; /* malloc'd */
    struct score_def def;
};

struct score_set {
    struct score_subj *s;
    size_t n, cap;
    char **strings; /* industries, freed with the set */
    size_t nstrings;
    struct score_ev *evpool; /* malloc'd chunk list */
};

/* The card (its current version when version_id is 0). def_json is
 * malloc'd: score_card_free. */
int score_card_get(struct db *db, int64_t card_id, int64_t version_id, struct score_card_full *out);
void score_card_free(struct score_card_full *c);
/* The active card of `subject` whose node is the nearest above `path`. */
int score_card_for(struct db *db, const char *subject, const char *path, int64_t *card_id);

/* Every subject of the card (single_id > 0: that one only) with its inputs
 * for `period` (and the year to its end when the def has year vetoes). */
int score_collect(struct db *db, const struct score_card_full *c, const char *period,
                  int64_t single_id, struct score_set *set);
void score_set_free(struct score_set *set);
/* The inputs of a subject as the def reads them. */
void score_build_inputs(const struct score_card_full *c, const struct score_subj *s, int slot,
                        struct score_inputs *in);
/* score_compute for every subject, with year vetoes. */
void score_compute_set(const struct score_card_full *c, struct score_set *set);
/* The periods a card keeps live on `today` (two per period kind). */
int score_live_periods(const struct score_card_full *c, const char *today, char out[6][16]);
/* Ranks per group, in place. */
void score_rank_set(struct score_set *set);

#endif

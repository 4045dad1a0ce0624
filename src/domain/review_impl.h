/* review_impl.h - what the review files share (review.c: form and rounds;
 * review_rate.c: who rates whom, ratings and votes; review_result.c: closing
 * and results). Not for other modules. */
#ifndef CK_REVIEW_IMPL_H
#define CK_REVIEW_IMPL_H

#include "domain/review.h"

#define REVIEW_BRANCH_MAX 100 /* a party branch's name (characters) */
#define REVIEW_WINDOWS_MAX 64 /* open window assignments of one rater considered */
#define REVIEW_UNITS_MAX 20000

/* ERR_DB (or the busy / unavailable / out-of-memory code) with a message. */
int review_db_fail(struct err *e, int rc);

/* The round id, with its form when full; ERR_NOTFOUND (e filled). */
int review_load(struct db *db, int64_t id, int full, struct review_round *out, struct err *e);

/* The index of group code in r's form, -1 when none. */
int review_group_index(const struct review_round *r, const char *code);

/* "<path>" → path_end for range scans (path >= p AND path < end); "" (the
 * command line's scope) → the whole tree. */
void review_range(const char *path, char *start, char *end, size_t len);

/* The org units (kind "unit") of a round's subtree and its ancestors, to
 * find a path's nearest unit without a query each. */
struct review_units {
    const char **paths;
    int n;
};
int review_units_load(struct db *db, const char *round_path, struct arena *a,
                      struct review_units *u);
/* The nearest unit path holding path, "" when none (static storage or u's). */
const char *review_unit_of(const struct review_units *u, const char *path);

/* A rater or a subject. For a window: path is the window's, party 0. */
struct review_person {
    int64_t id;
    char path[ACTOR_PATH_MAX];
    int party;
    char branch[REVIEW_BRANCH_MAX * 4 + 1];
    char role[16];
    const char *name, *unit_name;        /* set by the subject reads (arena) */
    const char *unit;                    /* the nearest unit's path */
    int64_t windows[REVIEW_WINDOWS_MAX]; /* a rater's open window assignments */
    int nwindows;
};

/* The staff member who rates (who->staff_id), with open assignments:
 * ERR_FORBIDDEN for an account that is not staff or inactive. */
int review_rater_load(struct db *db, const struct actor *who, struct review_person *p,
                      struct err *e);

/* Whether p serves window w. */
int review_serves(const struct review_person *p, int64_t w);

/* One subject of round r (active, in the subtree); ERR_NOTFOUND when not. */
int review_subject_load(struct db *db, const struct review_round *r, int64_t id, struct arena *a,
                        struct review_person *s);

/* Whether rater (who, p) may rate subject s in group g of round r: 0, or
 * ERR_FORBIDDEN / ERR_INVALID with the reason in e. */
int review_may_rate(const struct actor *who, const struct review_person *p,
                    const struct review_round *r, const struct review_group *g,
                    const struct review_person *s, struct err *e);

/* Iterate the subjects of r (active, in the subtree), by name: fn gets each
 * (its strings valid during the call); a nonzero return stops. */
int review_subjects_each(struct db *db, const struct review_round *r, struct arena *a,
                         int (*fn)(void *ctx, struct review_person *s), void *ctx);

/* Move round r from state `from` to `to` at now, audited ("review.open" /
 * "review.close"). */
int review_set_state(struct db *db, const struct actor *who, const struct review_round *r,
                     const char *from, const char *to, int64_t now, struct err *e);

#endif

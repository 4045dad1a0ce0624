/* eval_impl.h - what the evaluation files share inside the domain layer. */
#ifndef CK_EVAL_IMPL_H
#define CK_EVAL_IMPL_H

#include "domain/evaluation.h"

/* Changes to the rollup figures of one key. */
struct eval_delta {
    int64_t n[5]; /* levels 1..5 */
    int64_t active, active_good, defaulted, unrated, bad, excluded;
    int64_t bad_replied, bad_rectified, bad_satisfied;
    int64_t dim_n, dim[EVAL_DIMS_MAX];
};

/* The rollup key: the service's local day, where, who, what, how. Zero for
 * "none" (a case without a window, an item-less ticket). */
struct eval_key {
    const char *day;
    int64_t window_id, staff_id, item_id;
    const char *channel;
    int64_t set_id;
};

/* Add d to the day rollup and the month-window rollup of k. */
int eval_rollup_add(struct db *db, const struct eval_key *k, const struct eval_delta *d);

/* What a record stores of a real-name evaluator beside its masks (NULL none):
 * hashed with the record, so a swapped number shows. */
struct eval_secret {
    const char *phone_hash, *phone_enc, *id_enc;
};

/* The chained hash of a record (prev_hash and the canonical fields). */
int eval_record_hash(const struct eval_rec *r, const struct eval_secret *x,
                     char out[CRYPTO_SHA256_HEX]);

/* Append r to the chain: takes the next id and the previous hash from the
 * head, computes the hash and inserts the row (phone_enc, phone_hash, id_enc
 * may be NULL). Fills r->id, r->prev_hash, r->hash (into a). */
int eval_append(struct db *db, struct eval_rec *r, const char *phone_enc, const char *phone_hash,
                const char *id_enc, struct arena *a);

/* The local day (Asia/Shanghai) of an instant. */
void eval_day(int64_t t, char out[DATE_TEXT]);

#endif

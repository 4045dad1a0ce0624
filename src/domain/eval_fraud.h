/* eval_fraud.h - anti-fraud flags on evaluations (DOMAIN.md §4: "checks IP
 * and account identifiers against fake ratings"). A flag is a question for a
 * supervisor, never a deletion: the evaluation stays as it is, counted as it
 * was, and the flag carries the evidence.
 *
 * Kinds (eval_flag.kind):
 *  fast_console  written by eval_submit itself (evaluation.c): given within
 *                fast_s seconds of the service's end from the console's own
 *                address.
 *  burst_device  at least burst_n evaluations with the same non-empty device
 *                (a browser's id or "tablet:<id>") within burst_s seconds.
 *  burst_ip      the same from one address, leaving out what a hall's shared
 *                address legitimately sends many of: the tablets (tablet),
 *                staff-typed forms (hotline, paper) and defaults (system).
 *  streak        at least streak_n first, actively given evaluations of one
 *                staff member in a row (in id order) at level 5, each within
 *                fast_s × 4 seconds of its service's end.
 * Thresholds are the region's (eval_setting_get). A burst or a streak flags
 * each of its evaluations; each (evaluation, kind) is flagged once.
 *
 * Evidence is a JSON object (docs/api.md, "Fraud flags"): the evaluations
 * with their times, the device's first 8 characters, the full address.
 * Addresses are kept for supervisors and never written to a log.
 *
 * Reads run on any connection; eval_fraud_sweep and eval_flag_decide run in
 * the caller's write transaction. Strings come back in the arena given.
 */
#ifndef CK_EVAL_FRAUD_H
#define CK_EVAL_FRAUD_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define EVAL_FRAUD_BATCH 500      /* evaluations one sweep step reads */
#define EVAL_FRAUD_LOOKBACK 20000 /* evaluations a step looks back over, at most */
#define EVAL_FLAG_EVIDENCE_MAX 50 /* evaluations an evidence lists, the newest */
#define EVAL_FLAG_NOTE_MAX 500    /* characters of a decision's note */
#define EVAL_FLAG_KINDS "burst_device,burst_ip,fast_console,streak"

/* Write transaction. Check the evaluations after the sweep's cursor
 * (eval_sweep.last_eval_id), at most limit of them (1..EVAL_FRAUD_BATCH;
 * other values take EVAL_FRAUD_BATCH) in id order, write their flags and
 * move the cursor past them in the same transaction. The cursor row is
 * claimed first (an UPDATE), so two server nodes sweeping at once take turns.
 * *flagged receives the number of flags written. Returns 1 when a full batch
 * was read (more may wait), 0 when the sweep has caught up, or an ERR_* code
 * (nothing written). */
int eval_fraud_sweep(struct db *db, int64_t now, int limit, int *flagged);

/* A flag as the API shows it, with a summary of its evaluation. */
struct eval_flag {
    int64_t id;
    char kind[16];
    int64_t evaluation_id, region_id;
    int64_t node_id; /* the window the service was delivered at, else its hall */
    char *node_name;
    char *node_path;
    int64_t staff_id; /* 0: none */
    char *staff_name; /* NULL: none */
    char status[12];  /* open | dismissed | confirmed */
    char *note;
    int64_t decided_by; /* 0: not yet */
    char *decided_by_name;
    int64_t decided_at, created_at;
    char *evidence; /* JSON object text */
    /* the evaluation */
    int level;
    char channel[12];
    int64_t evaluated_at;
    char *window_name, *item_name; /* NULL: none */
};

/* An evaluation as a flag's page shows it: masked, no identity. */
struct eval_flag_eval {
    int64_t id;
    char kind[10];
    int level, bad, defaulted;
    char channel[12];
    char *device;    /* the first 8 characters and "…" ("tablet:<id>" whole) */
    char *ip;        /* the full address */
    char *evaluator; /* the name's first character and "*", "" anonymous */
    char *phone_mask;
    int64_t created_at, window_id, staff_id;
    char *window_name, *staff_name, *item_name; /* NULL: none */
    int64_t flags;                              /* its open flags */
};

struct eval_flag_filter {
    const char *status; /* NULL: any; else open | dismissed | confirmed */
    const char *kind;   /* NULL: any; else one of EVAL_FLAG_KINDS */
    int64_t node_id;    /* 0: the actor's whole scope */
    int64_t page, per_page;
};

/* A page of flags whose node lies in who's scope (and under node_id),
 * newest first. ERR_INVALID naming status, kind, node_id, page or per_page;
 * ERR_FORBIDDEN when node_id lies outside the scope. */
int eval_flag_list(struct db *db, const struct actor *who, const struct eval_flag_filter *f,
                   struct arena *a, struct eval_flag **items, int *n, int64_t *total,
                   struct err *e);

/* One flag: ERR_NOTFOUND, or ERR_FORBIDDEN when who (NULL: no check) may
 * not see its node. */
int eval_flag_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                  struct eval_flag *out);

/* The flags of one evaluation, oldest first (for the evaluation's page;
 * the caller checked the evaluation's scope). */
int eval_flags_of(struct db *db, int64_t evaluation_id, struct arena *a, struct eval_flag **items,
                  int *n);

/* The flag's evaluation and those its evidence names (at most
 * EVAL_FLAG_EVIDENCE_MAX + 1), by id, masked. */
int eval_flag_evaluations(struct db *db, const struct eval_flag *flag, struct arena *a,
                          struct eval_flag_eval **items, int *n);

/* Write transaction: decide an open flag. who: a supervisor, leader or
 * admin whose scope holds the flag's node (ERR_FORBIDDEN), not the staff
 * member the flag is about (ERR_FORBIDDEN); status dismissed | confirmed
 * (ERR_INVALID "status"); note 1..EVAL_FLAG_NOTE_MAX characters
 * (ERR_INVALID "note"); the flag must be open (ERR_CONFLICT "status").
 * Audited ("eval_flag.decide"). */
int eval_flag_decide(struct db *db, const struct actor *who, int64_t id, const char *status,
                     const char *note, int64_t now, struct err *e);

/* The first 8 characters of a device id and "…" ("tablet:<id>" whole,
 * "" stays ""), into out. */
void eval_device_mask(const char *device, char out[40]);

#endif

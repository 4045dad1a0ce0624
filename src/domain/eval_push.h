/* eval_push.h - the upstream push of evaluations to the province (DOMAIN.md
 * §4: "a real provincial interface carries projNo, projName, serviceCode,
 * serviceVersion, serviceName, department and region codes, applicant
 * type/ID/phone, handle state, apply and transaction times, channel,
 * evaluated staff[], version. Pushes need a retry log.").
 *
 * The evaluation table is the outbox: its ids are handed out in commit order
 * (the chain head serialises every append), so a cursor per target — the
 * last id the target accepted — says what is left to send. One step:
 *   1. eval_push_next reads the batch after the cursor (a plain read);
 *   2. eval_push_send delivers it — appended and fsync'd to a file, or POSTed
 *      over HTTP — outside any transaction;
 *   3. eval_push_done records the outcome in a write transaction: on success
 *      the cursor moves (only from where the batch started, so two nodes
 *      pushing at once never move it back); on failure the attempt is logged
 *      and the batch waits retry_min × 2^(attempt-1) seconds, at most
 *      retry_max.
 * Delivery is at least once: a crash between 2 and 3, or two nodes pushing
 * the same batch, sends records twice; recordId (the evaluation's chain
 * hash) lets the province drop the repeats.
 *
 * No phone or ID number leaves in the clear unless personal is set.
 */
#ifndef CK_EVAL_PUSH_H
#define CK_EVAL_PUSH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/db.h"

#define EVAL_PUSH_BATCH_MAX 1000
#define EVAL_PUSH_ERROR_MAX 300 /* bytes of a failure's text */
#define EVAL_PUSH_FAILURES 20   /* failures the status lists */
#define EVAL_PUSH_SHOWN_MAX 520
#define EVAL_PUSH_LAYOUT 1 /* pushVersion: this record layout */

enum eval_push_kind { EVAL_PUSH_OFF = 0, EVAL_PUSH_FILE, EVAL_PUSH_HTTP };

struct eval_push_target {
    enum eval_push_kind kind;
    char where[512];                 /* the directory or the full URL (with credentials) */
    char shown[EVAL_PUSH_SHOWN_MAX]; /* without credentials; the cursor's key */
};

/* Resolve the configured target ("" default, "off", "file:DIR",
 * "http(s)://…"). The default is the directory "upstream" beside the
 * installation's data: beside the data key file key_file when one is set
 * (may be NULL or ""), else beside a SQLite database file (db_url), else
 * "data/upstream". shown drops a URL's user:password@, query and fragment.
 * Returns 0 or ERR_INVALID. */
int eval_push_target(const char *configured, const char *db_url, const char *key_file,
                     struct eval_push_target *out);

/* A batch read for sending. */
struct eval_push_batch {
    int64_t cursor; /* the cursor it starts after */
    int64_t first_id, last_id;
    int n;           /* records; 0: nothing to send (or not due) */
    int attempt;     /* failed attempts of this batch so far */
    int64_t next_at; /* not before (backoff) */
    json_t *records; /* the records (a JSON array), owned */
};

/* Plain read: the next batch of target shown (at most batch records, 1..
 * EVAL_PUSH_BATCH_MAX), unless the last failure's backoff still runs at now
 * and force is 0 (then n = 0 and next_at says until when). personal: add the
 * applicant's phone and ID number in the clear. Free with
 * eval_push_batch_free. Returns 0, ERR_NOMEM or a database error. */
int eval_push_next(struct db *db, const char *shown, int batch, int personal, int64_t now,
                   int force, struct eval_push_batch *out);
void eval_push_batch_free(struct eval_push_batch *b);

/* Deliver b to t (no database). File: appended as JSON lines to
 * DIR/evaluations-YYYYMMDD.jsonl (the local day of now; the directory is
 * made when missing) and fsync'd; a failed write is cut back off. HTTP: one
 * POST of the JSON array, Authorization: Bearer token when token is not
 * empty, no redirects; a 2xx answer within timeout_s accepts it. Returns 0,
 * or ERR_IO with the reason in err (never a credential). */
int eval_push_send(const struct eval_push_target *t, const struct eval_push_batch *b,
                   const char *token, int timeout_s, int64_t now, char *err, size_t errlen);

/* The delay before attempt number attempt + 1, after attempt failures. */
int64_t eval_push_backoff(int attempt, int retry_min_s, int retry_max_s);

/* Write transaction: record the outcome of sending b to shown. ok: the
 * cursor moves to b->last_id if it still stands at b->cursor. Else a
 * failure row (error, at most EVAL_PUSH_ERROR_MAX bytes kept) and the
 * backoff. */
int eval_push_done(struct db *db, const char *shown, const struct eval_push_batch *b, int ok,
                   const char *error, int64_t now, int retry_min_s, int retry_max_s);

/* Write transaction: the waiting batch of shown is due now. */
int eval_push_retry_now(struct db *db, const char *shown, int64_t now);

struct eval_push_failure {
    int64_t id, evaluation_id, last_evaluation_id;
    int attempt;
    int64_t at, next_at;
    char *error;
};

struct eval_push_status {
    int64_t cursor, last_evaluation_id, backlog, pushed;
    int64_t last_success_at; /* 0 never */
    int attempt;
    int64_t next_at; /* 0: due */
    struct eval_push_failure failures[EVAL_PUSH_FAILURES];
    int nfailures; /* the newest first */
};

/* Plain read: where the push of shown stands. Strings into a. */
int eval_push_status(struct db *db, const char *shown, struct arena *a,
                     struct eval_push_status *out);

/* The local time (Asia/Shanghai) of t as "YYYY-MM-DD HH:MM:SS", the
 * records' time format. Returns 0. */
int eval_push_time_text(int64_t t, char out[20]);

#endif

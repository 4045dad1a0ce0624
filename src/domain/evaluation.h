/* evaluation.h - 好差评: the public's evaluation of every service (DOMAIN.md
 * §4, GB/T 39734-2020, GB/T 39735-2020).
 *
 * A service event (eval_event) is created pending when a ticket is issued or
 * a case registered, with a random token (only its SHA-256 is stored) that
 * the printed ticket or receipt carries in its QR code. It opens when the
 * service ends (a ticket finished; a case accepted or completed, per the
 * region's case_nodes), binding the staff member, window, hall, unit and
 * region, and closes after window_days natural days: rated, or unrated (未评)
 * or defaulted (a default level, marked, never counted as actively given).
 * A ticket that was never served (no-show, withdrawn) or a withdrawn case
 * voids its events.
 *
 * An evaluation is accepted only for an open event, once (一次一评); one 追评
 * may follow when the region allows it; the first stays. Levels 1..5; 1-2
 * are 差评 and need at least one reason code of the region's list; each opens
 * a work order (badreview.h). Dimension scores follow the current indicator
 * set of the event's kind (offline / online), whose id the evaluation keeps.
 *
 * Evaluations are append-only and hash-chained (SHA-256 over the previous
 * hash and the canonical record); eval_verify checks the chain. Every write
 * that changes a figure updates the rollups (eval_rollup per day, window,
 * staff, item, channel and set; eval_month_window per month and window).
 */
#ifndef CK_EVALUATION_H
#define CK_EVALUATION_H

#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define EVAL_TOKEN_LEN 24  /* characters of a token: [A-Za-z0-9_-] */
#define EVAL_TOKEN_MAX 25  /* with the NUL */
#define EVAL_TEXT_MAX 500  /* characters of an evaluation's text */
#define EVAL_REASONS_MAX 8 /* reason codes per evaluation */
#define EVAL_DIMS_MAX 8    /* indicators per set */
#define EVAL_CODE_MAX 32   /* bytes of a reason or indicator code */

/* Channels, as stored. */
#define EVAL_CHANNELS "tablet,qr,web,window_qr,staff_qr,hotline,paper,sms,system"
/* 1 when c is one of EVAL_CHANNELS exactly. */
int eval_channel_known(const char *c);

/* A region's settings (defaults when it has none: 7 days, 'unrated', level 3,
 * 追评 allowed, case node 'complete', burst 10 in 600 s, fast 20 s, streak
 * 30). */
struct eval_setting {
    int64_t region_id;
    int window_days;
    char unrated_mode[12]; /* "unrated" | "default" */
    int default_level;
    int followup;
    char case_nodes[20]; /* "complete" | "accept,complete" */
    int burst_n, burst_s, fast_s, streak_n;
};

int eval_setting_get(struct db *db, int64_t region_id, struct eval_setting *out);
/* Validate and store (write transaction); audited. ERR_INVALID names the
 * field. */
int eval_setting_put(struct db *db, const struct actor *who, const struct eval_setting *in,
                     int64_t now, struct err *e);

/* ---- service events ---- */

/* A new token: EVAL_TOKEN_LEN random URL-safe characters, and its hash. */
void eval_token_new(char token[EVAL_TOKEN_MAX], char hash[CRYPTO_SHA256_HEX]);
/* 1 when s has a token's shape. */
int eval_token_ok(const char *s);

/* Write transaction. A ticket was issued at hall hall_path: create its pending
 * event; token receives the raw token (for the printed QR code). */
int eval_ticket_issued(struct db *db, int64_t ticket_id, int64_t hall_id, const char *hall_path,
                       int64_t now, char token[EVAL_TOKEN_MAX]);
/* The ticket was finished by staff_id at window_id: open its event (the
 * item is the ticket's; ip: the console's address). *event_id receives the
 * opened event (0 when the ticket has none, e.g. issued before 0008). */
int eval_ticket_finished(struct db *db, int64_t ticket_id, int64_t window_id, int64_t staff_id,
                         const char *ip, int64_t now, int64_t *event_id);
/* The ticket ended unserved (no-show, withdrawn): void its event. */
int eval_ticket_void(struct db *db, int64_t ticket_id);

/* A case was registered: pending events for the region's case nodes; token
 * receives the 'complete' node's raw token (for the receipt's QR code). */
int eval_case_registered(struct db *db, int64_t case_id, int64_t now, char token[EVAL_TOKEN_MAX]);
/* A case node ended ("accept" or "complete"; a returned case ends
 * "complete"): open its event if the region evaluates that node. */
int eval_case_node(struct db *db, int64_t case_id, const char *node, const char *ip, int64_t now,
                   int64_t *event_id);
/* A case was withdrawn: void its pending events. */
int eval_case_void(struct db *db, int64_t case_id);

/* The event of a ticket, or of a case's node ("accept" | "complete"):
 * ERR_NOTFOUND when it has none. */
int eval_event_of(struct db *db, int64_t ticket_id, int64_t case_id, const char *node,
                  int64_t *event_id);

/* An event as the evaluation pages see it. */
struct eval_event {
    int64_t id;
    char source[8], node[12], state[12];
    int64_t ticket_id, case_id, region_id, hall_id, unit_id, window_id, staff_id, item_id,
        version_id;
    char *node_path, *item_code, *item_name, *ended_ip;
    char *ticket_code, *case_number; /* "" when not that source */
    char *window_name, *hall_name, *unit_name;
    int64_t created_at, ended_at, expires_at; /* 0 not yet */
    int64_t evaluation_id, followup_id;
    int64_t first_at; /* the first evaluation's time, 0 none */
    char kind[8];     /* indicator set kind: "offline" | "online" */
};

/* Look events up (plain reads). ERR_NOTFOUND when there is none. */
int eval_event_get(struct db *db, int64_t id, struct arena *a, struct eval_event *out);
int eval_event_by_token(struct db *db, const char *token, struct arena *a, struct eval_event *out);
/* Only the id of a token's event (the submission path re-reads it in its
 * transaction). ERR_NOTFOUND when there is none. */
int eval_event_token_id(struct db *db, const char *token, int64_t *id);
/* A case by number and the applicant's (or organisation's) exact name: its
 * most recent open event, else its most recent event. */
int eval_event_by_case(struct db *db, const char *number, const char *name, struct arena *a,
                       struct eval_event *out);
/* A ticket by code (e.g. "A012") served at window_id on the service day
 * today, or by staff_id (window_id 0), that ended at or after since (a
 * ticket code is no secret: a window's or staff member's QR code reaches only
 * the service just ended): the most recent such event. */
int eval_event_by_ticket(struct db *db, int64_t window_id, int64_t staff_id, const char *code,
                         const char *day, int64_t since, struct arena *a, struct eval_event *out);
/* The open event of window_id most recently ended within since seconds
 * (the tablet's pending invitation); ERR_NOTFOUND none. */
int eval_event_pending_at(struct db *db, int64_t window_id, int64_t now, int64_t since,
                          struct arena *a, struct eval_event *out);

/* Why an event cannot take a first evaluation (or 追评 with followup) now:
 * 0 when it can, else ERR_CONFLICT (not yet valid, already evaluated) or
 * ERR_GONE (window closed, not delivered) with e naming "token". */
int eval_event_check(const struct eval_event *ev, const struct eval_setting *s, int followup,
                     int64_t now, struct err *e);

/* ---- configuration: reasons and indicator sets ---- */

struct eval_reason {
    int64_t id;
    char *code, *label_zh, *label_en;
    int sort, active;
};
/* The region's reasons (active only when active_only); a region with none
 * has the built-in list (ids 0). */
int eval_reasons(struct db *db, int64_t region_id, int active_only, struct arena *a,
                 struct eval_reason **items, int *n);

struct eval_indicator {
    int pos;
    char *code, *name_zh, *name_en;
};
struct eval_set {
    int64_t id; /* 0: the built-in set, not yet stored */
    int64_t region_id;
    char kind[8];
    int version;
    int64_t published_at;
    int n;
    struct eval_indicator items[EVAL_DIMS_MAX];
};
/* Configuration (settings, reasons, indicator sets) changed: evaluations
 * taken by this process read it again (other nodes within a few seconds). */
void eval_conf_changed(void);

/* The current set of a region and kind (built-in when none was stored). */
int eval_set_current(struct db *db, int64_t region_id, const char *kind, struct arena *a,
                     struct eval_set *out);
/* Write transaction: the current set's id, storing the built-in set (and the
 * built-in reasons) as version 1 when the region has none. */
int eval_set_ensure(struct db *db, int64_t region_id, const char *kind, int64_t now,
                    int64_t *set_id);

/* ---- evaluations ---- */

struct eval_input {
    int level;            /* 1..5 */
    const char **reasons; /* reason codes; required for level <= 2 */
    int nreasons;
    const char *text;       /* "" or NULL none */
    const char **dim_codes; /* indicator codes with their scores 1..5 */
    int dim_scores[EVAL_DIMS_MAX];
    int ndims;
    const char *channel; /* one of EVAL_CHANNELS but "system" */
    int64_t device_id;   /* the tablet */
    const char *device;  /* the browser's id (public pages), NULL none */
    const char *ip;
    int64_t entered_by;                   /* hotline / paper: the staff member typing it */
    const char *name, *phone, *id_number; /* real-name evaluators; optional */
    int followup;                         /* 1: a 追评 */
};

struct eval_rec {
    int64_t id, event_id;
    char kind[10];
    int level, bad, defaulted, excluded;
    char *reasons; /* JSON array text */
    char *text;
    int64_t set_id;
    char *dims; /* JSON object text */
    char channel[12];
    int64_t device_id, entered_by;
    char *device, *ip, *evaluator_name, *phone_mask, *id_mask;
    int64_t region_id, hall_id, unit_id, window_id, staff_id, item_id, version_id;
    char day[DATE_TEXT];
    int64_t created_at;
    char *prev_hash, *hash;
    /* joined for lists (NULL when not read) */
    char *staff_name, *window_name, *item_name, *item_code, *node_path;
    int64_t flags; /* open fraud flags */
};

/* Write transaction. Evaluate event ev_id (already looked up by the caller's
 * credential): checks the event (eval_event_check), the input (ERR_INVALID
 * naming level, reasons, text, dims, channel, phone, id_number), that a staff
 * actor did not deliver the service (ERR_FORBIDDEN), stores the chained
 * record, updates the event and the rollups, flags a fast evaluation from the
 * console's address, and opens the 差评 work order. out: the record. */
int eval_submit(struct db *db, const struct actor *who, int64_t ev_id, const struct eval_input *in,
                int64_t now, struct arena *a, struct eval_rec *out, struct err *e);

/* Write transaction: close events whose window ended before now (unrated or
 * defaulted, per region), at most limit; *closed counts them. */
int eval_expire(struct db *db, int64_t now, int limit, int *closed);

/* An evaluation (plain read). ERR_NOTFOUND none. */
int eval_get(struct db *db, int64_t id, struct arena *a, struct eval_rec *out);

/* Write transaction: an upheld appeal takes a 差评 out of scoring (the record
 * stays; rollups move it from bad to excluded). ERR_CONFLICT when it is not a
 * counted 差评. */
int eval_exclude(struct db *db, int64_t evaluation_id, struct err *e);

/* Write transaction: a step of a 差评's work order changed a figure; column is
 * "bad_replied", "bad_rectified" or "bad_satisfied", delta +1 or -1. */
int eval_rollup_bad(struct db *db, int64_t evaluation_id, const char *column, int delta);

/* The identity of a real-name evaluator (decrypted); audited by the caller's
 * layer. Strings into a; "" when not given. */
int eval_identity(struct db *db, int64_t id, struct arena *a, char **name, char **phone,
                  char **id_number);

/* ---- the chain ---- */

/* The chain head of a local date (Asia/Shanghai): the last evaluation created
 * that day or before, its hash, and the day's count. */
struct eval_chain_head {
    char date[DATE_TEXT];
    int64_t count;                /* evaluations created that day */
    int64_t first_id;             /* the day's first, 0 none */
    int64_t last_id;              /* the last one created up to the day's end, 0 none */
    char head[CRYPTO_SHA256_HEX]; /* its hash, "" none */
};
int eval_chain_head(struct db *db, const char *date, struct eval_chain_head *out);

/* Check the whole chain; prints findings to out. *checked records, *bad
 * breaks. Returns 0 when intact, 1 when broken, < 0 on a database error. */
int eval_verify(struct db *db, FILE *out, int64_t *checked, int64_t *bad);

#endif

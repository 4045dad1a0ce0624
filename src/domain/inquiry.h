/* inquiry.h - first inquiries (首问登记, 首问负责: DOMAIN.md §5).
 *
 * The staff member a citizen first asks records the inquiry (name, phone,
 * question, channel, optionally the catalogue item) and owns it until it is
 * closed. The owner answers it, refers the citizen to another department
 * (outside the hall's remit) or converts it into a case; or hands it over to
 * a colleague (a staff member) or to a unit, hall or window of the same
 * region (a node). The receiver must accept (becoming the owner; the
 * inquiry's node moves to the new owner's home node) or decline (with a
 * reason; back to the owner). While a handover is pending the owner stays
 * owner and may still answer, refer or (re)consider; only one handover is
 * pending at a time. A handover nobody accepted within the region's
 * escalate_minutes escalates, once, to the owner's nearest leader
 * (inquiry_sweep).
 *
 *   open ──answer──▶ answered      open ──refer──▶ referred
 *   open (nothing pending) ──case──▶ converted (a case registered with it)
 *
 * Errors: an action on a closed inquiry is ERR_CONFLICT "status"; a handover
 * while one is pending, or a case while one is pending, ERR_CONFLICT
 * "pending"; an action by someone who may not take it ERR_FORBIDDEN; an
 * inquiry the actor may not see ERR_FORBIDDEN, one that does not exist
 * ERR_NOTFOUND. Only staff accounts (admin, leader, supervisor, staff) use
 * inquiries (ERR_FORBIDDEN for other actors).
 *
 * Who may see one: staff whose scope holds its node, and, wherever they sit,
 * its owner, its first owner and the receiver of its pending handover.
 *
 * The citizen's phone is stored only encrypted, as a keyed hash and masked
 * (pii.h); it is never logged and never returned in full.
 *
 * Every step writes an inquiry_event (kind, staff id and login of the actor,
 * target, detail, time). Writes run inside the caller's transaction (the
 * writer) and take the time as `now` (epoch seconds). Reads take any
 * connection; strings of the results point into the given arena.
 */
#ifndef CK_INQUIRY_H
#define CK_INQUIRY_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/case.h"
#include "store/db.h"

#define INQUIRY_NAME_MAX CASE_NAME_MAX /* citizen name, characters, one line */
#define INQUIRY_TEXT_MAX CASE_TEXT_MAX /* question, answer, notes (characters) */
#define INQUIRY_DEPARTMENT_MAX 200     /* the department referred to (characters) */
#define INQUIRY_EVENTS_MAX 500         /* events read with one inquiry (oldest first) */
#define INQUIRY_SWEEP_BATCH 200        /* escalations per inquiry_sweep call */
#define INQUIRY_ESCALATE_MIN_LEAST 5   /* the least escalate_minutes a region may set */

enum inquiry_status { INQUIRY_OPEN = 1, INQUIRY_ANSWERED, INQUIRY_REFERRED, INQUIRY_CONVERTED };

/* "open", "answered", "referred", "converted"; "" for an unknown value. */
const char *inquiry_status_name(enum inquiry_status s);

/* The status from its name; 0 if unknown. */
enum inquiry_status inquiry_status_parse(const char *s);

/* What the caller may do now (bits of inquiry_rec.actions). */
enum inquiry_action {
    INQUIRY_MAY_ANSWER = 1 << 0,
    INQUIRY_MAY_HANDOVER = 1 << 1,
    INQUIRY_MAY_REFER = 1 << 2,
    INQUIRY_MAY_CASE = 1 << 3,
    INQUIRY_MAY_ACCEPT = 1 << 4,
    INQUIRY_MAY_DECLINE = 1 << 5,
};
#define INQUIRY_ACTIONS_N 6

/* The name of action bit i (0 .. INQUIRY_ACTIONS_N-1): "answer", "handover",
 * "refer", "case", "accept", "decline". Static storage. */
const char *inquiry_action_name(int i);

struct inquiry_input {
    const char *citizen_name; /* 1-INQUIRY_NAME_MAX characters, one line */
    const char *phone;        /* mainland format (pii_phone_ok) */
    const char *question;     /* 1-INQUIRY_TEXT_MAX characters */
    const char *item_code;    /* NULL: none; else an existing catalogue item code */
    const char *channel;      /* window | phone | online */
};

struct inquiry_event_row {
    int64_t id;
    const char *kind; /* recorded answered handover accepted declined escalated referred
                         converted */
    int64_t staff_id; /* 0: the system (an escalation) */
    const char *actor;
    int64_t target_staff_id, target_node_id; /* 0: none */
    const char *detail;
    int64_t at;
};

struct inquiry_rec {
    int64_t id, region_id, node_id;
    const char *node_name, *node_path;
    int64_t owner_id, first_owner_id;
    const char *owner_name, *first_owner_name;
    const char *citizen_name, *phone_mask, *question, *item_code; /* item_code NULL: none */
    const char *channel;
    enum inquiry_status status;
    const char *answer, *referred_to; /* NULL: none */
    int64_t case_id;                  /* 0: none */
    /* the pending handover: pending_since 0 when none */
    int64_t pending_staff_id, pending_node_id, pending_since;
    const char *pending_staff_name, *pending_node_name; /* NULL when not so */
    int64_t escalated_at; /* 0: the current (or last) handover did not escalate */
    int64_t created_at, closed_at, updated_at;
    /* inquiry_get only */
    struct inquiry_event_row *events;
    int nevents;
    unsigned actions; /* INQUIRY_MAY_* for the actor given to inquiry_get */
};

/* Record a new inquiry (write transaction). The actor (a staff account) is
 * recorder, owner and first owner; the inquiry's node is the actor's home
 * node. Checks: citizen_name ("citizen_name"), phone ("phone"), question
 * ("question"), channel ("channel"), item_code ("item_code") → ERR_INVALID;
 * ERR_UNAVAILABLE when no data key is loaded. Writes the 'recorded' event.
 * *id gets the new id. */
int inquiry_create(struct db *db, const struct actor *who, const struct inquiry_input *in,
                   int64_t now, int64_t *id, struct err *e);

/* One inquiry with its events and what who may do (who NULL: no visibility
 * check, no actions). ERR_NOTFOUND, ERR_FORBIDDEN (not visible to who). */
int inquiry_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                struct inquiry_rec *out, struct err *e);

/* What who may do with r now (INQUIRY_MAY_* bits). */
unsigned inquiry_actions(const struct inquiry_rec *r, const struct actor *who);

struct inquiry_filter {
    const char *box;    /* mine (I own it; default) | inbox (handovers waiting for me or my
                           home node) | scope (the actor's subtree) */
    const char *status; /* NULL: any; open | answered | referred | converted */
    int64_t page, per_page;
};

/* A page of inquiries (no events), newest first, with the total matching.
 * ERR_INVALID "box" / "status" for unknown values. */
int inquiry_list(struct db *db, const struct actor *who, const struct inquiry_filter *f,
                 struct arena *a, struct inquiry_rec **out, int *n, int64_t *total, struct err *e);

/* The owner answers an open inquiry (1-INQUIRY_TEXT_MAX characters,
 * "answer"): answered and closed; a pending handover lapses. */
int inquiry_answer(struct db *db, const struct actor *who, int64_t id, const char *answer,
                   int64_t now, struct err *e);

/* The owner hands an open inquiry with nothing pending over to a staff
 * member (to_staff > 0: active, of the same region, not the owner →
 * ERR_INVALID "staff_id") or to a node (to_node > 0: an active unit, hall or
 * window of the same region, not the owner's home node → ERR_INVALID
 * "node_id"); exactly one of them (ERR_INVALID "staff_id"). note may be NULL.
 * Notifies the named staff member, or every active staff member whose home is
 * the node (kind "handover"). */
int inquiry_handover(struct db *db, const struct actor *who, int64_t id, int64_t to_staff,
                     int64_t to_node, const char *note, int64_t now, struct err *e);

/* The receiver (the named staff member, or a staff member whose home node is
 * the pending node; never the owner) accepts: becomes the owner, the node
 * moves to their home node. Nothing pending → ERR_CONFLICT "pending". */
int inquiry_accept(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e);

/* The receiver declines with a note (required, "note"): the handover is
 * cleared and the owner notified (kind "handover"). */
int inquiry_decline(struct db *db, const struct actor *who, int64_t id, const char *note,
                    int64_t now, struct err *e);

/* The owner refers the citizen to another department (1-INQUIRY_DEPARTMENT_MAX
 * characters, one line, "department"); note may be NULL: referred and
 * closed; a pending handover lapses. */
int inquiry_refer(struct db *db, const struct actor *who, int64_t id, const char *department,
                  const char *note, int64_t now, struct err *e);

/* Convert into a case (write transaction): the owner, an open inquiry with
 * no handover pending (ERR_CONFLICT "pending"). Registers the case with
 * case_register (in->inquiry_id is set to id, so the case's first-inquiry
 * owner is the inquiry's owner; in->ticket_id must be 0; without version_id
 * and item_code the inquiry's item is taken), then marks the inquiry
 * converted with case_id and closed, event 'converted' (detail: the case
 * number). Fails as case_register does (*missing_year for ERR_CALENDAR).
 * *case_id and query_code (shown once) get the case's. in is modified. */
int inquiry_convert(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
                    struct case_input *in, int64_t now, int64_t *case_id,
                    char query_code[CASE_QUERY_CODE_LEN + 1], int *missing_year, struct err *e);

/* Escalation sweep (write transaction): every open inquiry whose handover has
 * been pending longer than its region's escalate_minutes and has not yet
 * escalated gets escalated_at, an 'escalated' event and a notification to
 * the owner's nearest leader (kind "handover_escalated"); at most
 * INQUIRY_SWEEP_BATCH per call, oldest first. *raised (may be NULL) counts
 * the notifications. Returns 0 or a database error. */
int inquiry_sweep(struct db *db, int64_t now, int *raised);

#endif

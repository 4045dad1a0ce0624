/* case.h - cases (办件) with first-inquiry responsibility (首问负责),
 * working-day deadlines (限时办结), warnings, extensions (延期), handover
 * between windows and units (一站式), accountability (责任追究) and follow-up
 * calls (服务回访). DOMAIN.md §2, §5, §6.
 *
 * A case is registered against the current published version of a catalogue
 * item (from a ticket at the window, from an inquiry, or directly). It moves
 * through states by actions; an action not allowed in the current state is
 * ERR_CONFLICT (field "state"):
 *
 *   received ──补正 request──▶ supplement_requested ──supplement──▶ supplemented
 *   received | supplemented ──accept──▶ accepted ──start──▶ in_progress
 *   accepted | in_progress ──decide──▶ decided ──complete──▶ completed (办结)
 *   immediate items (即办件): received | accepted | in_progress ──complete──▶ completed
 *   any open state but decided ──return──▶ returned (退件)
 *   any open state ──withdraw──▶ withdrawn
 *
 * 补正 may be requested once (一次性告知). Acceptance needs every required
 * material received. Only the handler acts on a case (ERR_FORBIDDEN
 * otherwise); a leader or admin in scope may transfer it.
 *
 * Clocks (承诺件): counting starts the day after received_day; the promised
 * limit plus approved extension days gives promised_due, the legal limit
 * legal_due, both by the calendar engine with the case's pauses (补正 and
 * excluded periods). yellow_day: the day the share yellow_pct of the promised
 * limit is used up. Level at day d: overdue when d > promised_due, red when
 * d == promised_due, yellow from yellow_day; none while paused. An immediate
 * item has no clock.
 *
 * Sweeps (case_sweep): recompute deadlines after a calendar change, raise
 * warning notifications (handler and nearest leader) as levels change, and
 * escalate inquiry handovers nobody accepted within escalate_minutes to the
 * owner's nearest leader.
 *
 * Every write runs inside the caller's transaction (the writer) and takes the
 * time as `now` (epoch seconds); days are Asia/Shanghai dates.
 */
#ifndef CK_CASE_H
#define CK_CASE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/pii.h"
#include "domain/actor.h"
#include "domain/calendar.h"
#include "store/db.h"

#define CASE_NUMBER_MAX 24
#define CASE_QUERY_CODE_LEN 6
#define CASE_NAME_MAX 100  /* applicant, agent, citizen names (characters) */
#define CASE_TEXT_MAX 2000 /* questions, answers, reasons, notes (characters) */
#define CASE_MATERIALS_MAX 60
#define CASE_BACKDATE_DAYS 30 /* received_day may be this many days in the past */
#define CASE_YELLOW_PCT_DEFAULT 80
#define CASE_ESCALATE_MIN_DEFAULT 120
#define CASE_FOLLOWUP_SAMPLE_DEFAULT 10
#define CASE_FOLLOWUP_DAYS_DEFAULT 3

/* ---- settings of a region ---- */

struct case_settings {
    int64_t region_id;
    int yellow_pct;          /* 50-99 */
    int escalate_minutes;    /* 5-10080 */
    int followup_sample_pct; /* 0-100: share of completed 即办件 called back (承诺件: all) */
    int followup_days;       /* 1-30 working days after completion */
};

/* The settings of the region (root node) holding path; defaults when unset. */
int case_settings_get(struct db *db, int64_t region_id, struct case_settings *out);

/* Replace them (admin at the region's root; audited). */
int case_settings_put(struct db *db, const struct actor *who, const struct case_settings *s,
                      int64_t now, struct err *e);

/* The region (root node id) of a materialised path "/1/4/9/" → 1. */
int64_t case_region_of(const char *path);

/* The nearest active leader of a node: a staff member with role leader whose
 * home node is the node or its nearest ancestor holding one; 0 when none. */
int case_leader_of(struct db *db, const char *node_path, int64_t *leader_id);

/* Queue a notification to a staff member (staff_id > 0) or to a citizen
 * (phone_enc); *id_out (may be NULL) gets its id. */
int case_notify(struct db *db, int64_t staff_id, const char *phone_enc, const char *kind,
                int64_t case_id, int64_t inquiry_id, const char *message, int64_t now,
                int64_t *id_out);

/* ---- cases ---- */

enum case_state {
    CASE_RECEIVED = 1,
    CASE_SUPPLEMENT_REQUESTED,
    CASE_SUPPLEMENTED,
    CASE_ACCEPTED,
    CASE_IN_PROGRESS,
    CASE_DECIDED,
    CASE_COMPLETED,
    CASE_RETURNED,
    CASE_WITHDRAWN
};

const char *case_state_name(enum case_state s);
enum case_state case_state_parse(const char *s); /* 0 if unknown */

/* Service-mode flags (comma-separated names on the wire and in the row). */
#define CASE_MODE_NAMES "full_agency,home_visit,entrusted,extended_hours,appointment"

struct case_person {
    const char *name;      /* required for the applicant */
    const char *phone;     /* mainland format, required for the applicant */
    const char *id_number; /* optional: resident ID (person) */
};

struct case_input {
    int64_t version_id; /* the current published version; or 0 and item_code */
    const char *item_code;
    int64_t ticket_id;          /* 0: not from a ticket; else a ticket the caller holds */
    int64_t inquiry_id;         /* set by case_from_inquiry */
    int64_t node_id;            /* where it is handled; 0: the ticket's window, else the
                                   caller's home node */
    const char *applicant_kind; /* person | org */
    struct case_person applicant;
    const char *org_code; /* org: unified social credit code, required */
    int has_agent;        /* 代办 */
    struct case_person agent;
    const char *modes;        /* NULL or "" or names from CASE_MODE_NAMES joined by ',' */
    const char *received_day; /* NULL: today; back to CASE_BACKDATE_DAYS ago */
    const int64_t *materials; /* material ids of the version received now */
    int nmaterials;
    int complete_now; /* 即办件: completed on the spot */
    /* out (may be NULL): the raw evaluation token of the case's 办结 event
     * (printed as the receipt's QR code), and the evaluation event a
     * completion on the spot opened (0 none) */
    char *eval_token; /* EVAL_TOKEN_MAX bytes */
    int64_t *eval_event_id;
    const char *note;
};

/* The clock of a case at a day. */
struct case_clock {
    int has_clock;    /* 0 for 即办件 */
    const char *unit; /* workdays | days | hours */
    int promised_limit, legal_limit, extension_days;
    char promised_due[11]; /* "" while paused */
    char legal_due[11];
    char yellow_day[11];
    int remaining; /* units to the promised due date: 0 due today, < 0 overdue */
    int used;      /* units counted so far (promised_limit + extension_days - remaining) */
    int paused;
    const char *level;      /* none | yellow | red | overdue | paused | done */
    int legal_missing_year; /* legal_due unknown: the calendar lacks this year (else 0) */
};

struct case_material_row {
    int64_t material_id;
    const char *name;
    int required;
    int received;
    int requested; /* listed in the 补正 request */
};

struct case_event_row {
    int64_t id;
    const char *kind, *from_state, *to_state, *actor, *detail;
    int64_t staff_id, node_id;
    int64_t at;
};

struct case_pause_row {
    int64_t id;
    const char *kind, *stop_day, *resume_day, *reason; /* resume_day NULL while open */
};

struct case_extension_row {
    int64_t id;
    int days;
    const char *reason, *status, *requested_by_name, *decided_by_name, *decision_note;
    int64_t requested_by, decided_by, requested_at, decided_at;
    int citizen_notified;
};

struct case_rec {
    int64_t id;
    const char *number;
    int64_t item_id, version_id;
    const char *item_code, *item_name, *kind;
    int64_t node_id;
    const char *node_name, *node_path;
    int64_t handler_id, first_owner_id, registered_by, ticket_id, inquiry_id, window_id;
    const char *handler_name, *first_owner_name;
    const char *applicant_kind, *applicant_name, *phone_mask, *id_mask, *org_code;
    const char *agent_name, *agent_phone_mask, *agent_id_mask;
    const char *modes;
    enum case_state state;
    int open, paused;
    const char *decision;
    const char *received_day;
    int64_t received_at, closed_at, created_at, updated_at;
    const char *closed_day, *outcome; /* outcome: early | on_time | late | NULL */
    struct case_clock clock;
    /* filled by case_get only */
    struct case_material_row *materials;
    int nmaterials;
    struct case_event_row *events;
    int nevents;
    struct case_pause_row *pauses;
    int npauses;
    struct case_extension_row *extensions;
    int nextensions;
};

/* Register. Checks: the version is current and published (ERR_INVALID
 * "version_id"/"item_code"), the caller may act at the node (ERR_FORBIDDEN),
 * the ticket is one the caller is calling or serving (ERR_CONFLICT
 * "ticket_id"), phones and ID numbers (ERR_INVALID naming the field), modes,
 * materials belong to the version ("materials"), received_day. Writes the
 * case, its materials, the 'registered' event (and 'completed' with
 * complete_now). query_code gets the code printed on the receipt (shown
 * once; only its hash is kept). *id gets the case id. */
int case_register(struct db *db, const struct actor *who, const struct calendar *cal,
                  const struct case_input *in, int64_t now, int64_t *id,
                  char query_code[CASE_QUERY_CODE_LEN + 1], int *missing_year, struct err *e);

/* A case with everything (materials, events, pauses, extensions) and its
 * clock at now; strings in a. ERR_NOTFOUND; ERR_FORBIDDEN when out of the
 * actor's scope (who NULL: no check). */
int case_get(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
             int64_t now, struct arena *a, struct case_rec *out, struct err *e);

/* The actions. Each checks state and holder, writes an event and recomputes
 * the clock. args (may be NULL / 0):
 *   supplement_request: materials (ids to supplement; at least one, or a note)
 *   supplement: materials (ids received now)
 *   accept, start: -
 *   pause: pause_kind (hearing|testing|inspection|appraisal|expert), note (reason)
 *   resume: -
 *   decide: decision (approve|deny), note
 *   complete: note (immediate items may pass decision too)
 *   return, withdraw: note (the reason, required)
 */
enum case_action {
    CASE_ACT_SUPPLEMENT_REQUEST = 1,
    CASE_ACT_SUPPLEMENT,
    CASE_ACT_ACCEPT,
    CASE_ACT_START,
    CASE_ACT_PAUSE,
    CASE_ACT_RESUME,
    CASE_ACT_DECIDE,
    CASE_ACT_COMPLETE,
    CASE_ACT_RETURN,
    CASE_ACT_WITHDRAW
};

struct case_action_args {
    const int64_t *materials;
    int nmaterials;
    const char *pause_kind;
    const char *decision;
    const char *note;
    int64_t *eval_event_id; /* out (may be NULL): the evaluation event it opened, 0 none */
};

int case_act(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
             enum case_action act, const struct case_action_args *args, int64_t now,
             int *missing_year, struct err *e);

/* Hand the case to another staff member (their home node becomes the case's
 * node; the clock runs on; the first-inquiry owner stays). By the handler, or
 * a leader/admin in scope. Not to oneself (ERR_INVALID "staff_id"). */
int case_transfer(struct db *db, const struct actor *who, int64_t id, int64_t to_staff,
                  const char *note, int64_t now, struct err *e);

/* 延期: the handler asks before the promised due date, with a reason; the
 * new promised due date may not pass the legal due date (ERR_INVALID "days").
 * One pending request at a time. *ext_id gets its id. */
int case_extension_request(struct db *db, const struct actor *who, const struct calendar *cal,
                           int64_t id, int days, const char *reason, int64_t now, int64_t *ext_id,
                           int *missing_year, struct err *e);

/* A leader in scope (not the requester) approves or rejects. Approval moves
 * the promised due date and queues the citizen's notice (an SMS record). */
int case_extension_decide(struct db *db, const struct actor *who, const struct calendar *cal,
                          int64_t ext_id, int approve, const char *note, int64_t now,
                          int *missing_year, struct err *e);

/* A new query code for the receipt (the handler or a leader in scope). */
int case_new_query_code(struct db *db, const struct actor *who, int64_t id, int64_t now,
                        char query_code[CASE_QUERY_CODE_LEN + 1], struct err *e);

/* The applicant's (or agent's) full phone, decrypted, for a call: staff in
 * scope; audited ("case.contact"). */
int case_contact(struct db *db, const struct actor *who, int64_t id, char phone[PII_PHONE_MAX + 1],
                 char agent_phone[PII_PHONE_MAX + 1], int64_t now, struct err *e);

/* Lists. view: mine (handler is me, open), first (I am the first-inquiry
 * owner), scope (everything in the actor's subtree or under node_id),
 * warn (open and yellow/red/overdue in scope, most urgent first). */
struct case_filter {
    const char *view;
    const char *state; /* NULL: any; "open" */
    const char *level; /* NULL | yellow | red | overdue (with view warn) */
    int64_t node_id;   /* 0: the actor's scope */
    const char *q;     /* number or applicant name prefix */
    int mine;          /* view warn: only the cases the caller handles */
    int64_t page, per_page;
};

int case_list(struct db *db, const struct actor *who, const struct calendar *cal,
              const struct case_filter *f, int64_t now, struct arena *a, struct case_rec **out,
              int *n, int64_t *total, struct err *e);

/* Pending extension requests of cases under path ("" all), oldest first. */
struct case_ext_pending {
    int64_t id, case_id, requested_by, requested_at;
    const char *case_number, *item_name, *handler_name, *reason, *promised_due, *legal_due;
    int days;
};
int case_extensions_pending(struct db *db, const char *path, struct arena *a,
                            struct case_ext_pending **out, int max, int *n);

/* The stored hash of a query code (case-insensitive) for a case number. */
void case_query_hash(const char *number, const char *code, char out[65]);

/* Public status by number and query code: nothing private. ERR_NOTFOUND for
 * any mismatch. */
struct case_public {
    const char *number, *item_name, *state, *received_day, *expected_day, *unit_name;
    int64_t last_update;
    const char *last_event;
};
int case_public_status(struct db *db, const struct calendar *cal, const char *number,
                       const char *code, int64_t now, struct arena *a, struct case_public *out,
                       struct err *e);

/* The sweep: one batch of a pending recomputation (case_recalc_request);
 * every open case whose next_warn_day has come gets its level and
 * notifications; inquiry handovers past escalate_minutes escalate. *raised
 * (may be NULL) counts notifications. Returns 1 when recomputation batches
 * remain (sweep again soon), 0 when done, or an error. */
int case_sweep(struct db *db, const struct calendar *cal, int64_t now, int *raised);

/* The calendar changed: have the sweep recompute every open case's
 * deadlines (in batches, from the first case on). Inside the caller's
 * transaction. */
int case_recalc_request(struct db *db);

/* Count open cases by level at today among all (or under path); for the
 * scan benchmark and the leader board: reads only the yellow_day index. */
struct case_warn_counts {
    int64_t yellow, red, overdue;
};
int case_warn_scan(struct db *db, const char *path, const char *today, struct case_warn_counts *c,
                   int64_t *ids, int max_ids, int *nids);

/* The clock of a stored case's dates (for tests): from received_day with
 * limit n in unit and pauses. */
int case_clock_compute(const struct calendar *cal, const char *received_day, int n,
                       const char *unit, const struct case_pause_row *pauses, int npauses,
                       const char *today, int yellow_pct, int has_clock, struct case_clock *out,
                       int *missing_year);

/* ---- accountability (责任追究) ---- */

struct acct_rec {
    int64_t id, staff_id, case_id;
    const char *staff_name, *case_number, *source, *reason, *status, *grade, *decision_note;
    const char *created_by_name, *decided_by_name;
    int64_t created_at, decided_at;
};

/* Open a pending record (source overdue | complaint | finding); used by case
 * completion (overdue) and by leaders/supervisors (a finding). */
int acct_create(struct db *db, const struct actor *who, int64_t staff_id, int64_t case_id,
                const char *source, const char *reason, int64_t now, int64_t *id, struct err *e);

/* A leader in scope decides: grade reminder | criticism | formal, or dismiss
 * (grade NULL, dismiss 1) with a note. */
int acct_decide(struct db *db, const struct actor *who, int64_t id, const char *grade, int dismiss,
                const char *note, int64_t now, struct err *e);

struct acct_filter {
    int64_t staff_id;   /* 0: any in scope */
    const char *status; /* NULL | pending | decided | dismissed */
    int64_t page, per_page;
};
int acct_list(struct db *db, const struct actor *who, const struct acct_filter *f, struct arena *a,
              struct acct_rec **out, int *n, int64_t *total, struct err *e);

/* ---- follow-up calls (服务回访) ---- */

/* Schedule one for a completed case when the rule says so (all 承诺件, a
 * deterministic sample of 即办件 by followup_sample_pct). */
int followup_schedule(struct db *db, const struct calendar *cal, int64_t case_id, int is_promised,
                      const char *node_path, const char *closed_day, int64_t now,
                      int *missing_year);

struct followup_rec {
    int64_t id, case_id;
    const char *case_number, *item_name, *applicant_name, *phone_mask, *due_day, *status, *result,
        *notes, *called_by_name;
    int satisfaction; /* 0: none */
    int overdue;      /* scheduled and due_day < today */
    int64_t called_at;
};

struct followup_filter {
    const char *status; /* NULL | scheduled | done */
    int overdue_only;
    int64_t node_id;
    int64_t page, per_page;
};
int followup_list(struct db *db, const struct actor *who, const struct followup_filter *f,
                  int64_t now, struct arena *a, struct followup_rec **out, int *n, int64_t *total,
                  struct err *e);

/* Record the call: result reached | unreachable | declined; satisfaction 1-5
 * required when reached, else 0. */
int followup_record(struct db *db, const struct actor *who, int64_t id, const char *result,
                    int satisfaction, const char *notes, int64_t now, struct err *e);

/* ---- efficiency statistics ---- */

struct case_stat_row {
    int64_t key_id;  /* item / node / staff id */
    const char *key; /* item code, node name or staff name */
    const char *label;
    int64_t completed, early, on_time, late;
    double avg_used, avg_promised; /* working days */
};

/* Completed 承诺件 with closed_day in [from, to], grouped by item | window |
 * unit | staff, in the actor's scope (or under node_id). */
int case_stats(struct db *db, const struct actor *who, const char *group, const char *from,
               const char *to, int64_t node_id, struct arena *a, struct case_stat_row **out, int *n,
               struct case_stat_row *total, struct err *e);

/* ---- notifications (the staff member's own) ---- */

struct notification_rec {
    int64_t id, case_id, inquiry_id;
    const char *kind, *message, *case_number;
    int64_t created_at, read_at;
};
int notification_list(struct db *db, const struct actor *who, int unread_only, int64_t page,
                      int64_t per_page, struct arena *a, struct notification_rec **out, int *n,
                      int64_t *total, int64_t *unread, struct err *e);
int notification_read(struct db *db, const struct actor *who, int64_t id, int64_t now,
                      struct err *e);

#endif

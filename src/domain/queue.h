/* queue.h - the queue (排队叫号): ticket series, tickets, windows calling, the
 * hall board, near-turn notifications and the day's figures (DOMAIN.md §3).
 *
 * Series: a hall numbers its tickets per series (A, B …) and service day:
 * A001, A002 … The service day is the hall's local date (Asia/Shanghai, UTC+8,
 * no daylight saving), so numbering starts again at local midnight. A series
 * lists the catalogue items it serves; an item without a series is queued in
 * the hall's series whose prefix is the item's ticket_prefix (made on first
 * use when the item is served at the hall).
 *
 * Windows: a work profile names the series a window serves, in order of
 * preference, and how it picks: QUEUE_LONGEST_WAIT takes the highest priority
 * class first, then the earliest issued ticket of any of its series;
 * QUEUE_STRICT_PRIORITY takes the highest class first, then the first series
 * in profile order that has anyone waiting, then the earliest issued. A
 * ticket transferred to a window waits for that window only. Only tickets of
 * the current service day are called.
 *
 * Tickets move waiting → called → serving → done, with recall (called →
 * called, at most the hall's recall limit), no-show (called, after the limit
 * is used), park (serving → parked) and resume (parked → serving, at the
 * parking window), transfer (called/serving/parked → waiting in another
 * series or for another window, keeping the issue time and so the place in
 * line), withdraw (any open state → withdrawn) and walk-direct (a ticket made
 * at a window and served at once). Every step appends a ticket_event; wait
 * and service time are folded from those events, never entered. A window
 * holds at most one called or serving ticket; only the window holding a
 * ticket acts on it. Acting in the wrong state is ERR_CONFLICT with field
 * "status" and a message naming the state.
 *
 * Who may act: at a window, a staff account with an open assignment to it,
 * or an administrator whose scope holds it (ERR_FORBIDDEN otherwise). Issuing:
 * a kiosk device bound to the hall, or a staff or admin account whose scope
 * holds the hall. Series, profiles and settings: administrators in scope.
 * The command line (ROLE_SYSTEM) may do everything.
 *
 * Every function that depends on the time takes `now` (epoch seconds), so
 * tests run on a fixed clock. Writes run inside the caller's transaction (the
 * writer); reads on any connection. Everything lives in the database: nothing
 * is kept in memory between calls, so several server nodes share one queue.
 * Concurrency: a call claims its ticket with a guarded UPDATE (… WHERE status
 * = 'waiting'), so two windows never get the same ticket, on either backend.
 */
#ifndef CK_QUEUE_H
#define CK_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/evaluation.h"
#include "domain/org.h"
#include "store/db.h"

#define QUEUE_PREFIX_MAX 2                      /* capital letters */
#define QUEUE_SERIES_NAME_MAX 50                /* characters */
#define QUEUE_SERIES_ITEMS_MAX 100              /* item codes per series */
#define QUEUE_PROFILE_MAX 32                    /* series per window profile */
#define QUEUE_NUMBER_MAX 9999                   /* tickets per series and day */
#define QUEUE_CODE_MAX 8                        /* "AB9999" + NUL, rounded up */
#define QUEUE_NAME_MAX 50                       /* a citizen's name, characters, before masking */
#define QUEUE_PHONE_MAX 20                      /* digits */
#define QUEUE_REASON_MAX 200                    /* a withdrawal's reason, characters */
#define QUEUE_RECALL_LIMIT_DEFAULT 2            /* recalls before a no-show may be marked */
#define QUEUE_RECALL_LIMIT_MAX 9                /* the most a hall may configure */
#define QUEUE_WAIT_TIMEOUT_S ((int64_t)30 * 60) /* a wait longer than this is a wait-timeout */
#define QUEUE_SERVICE_TIMEOUT_S                                                                    \
    ((int64_t)20 * 60)              /* a service longer than this, a service-timeout */
#define QUEUE_ETA_SAMPLE 20         /* recent services a series' ETA looks at */
#define QUEUE_ETA_DEFAULT_S 300     /* service time assumed before any was finished today */
#define QUEUE_ETA_CACHE_S 10        /* an ETA basis is reused this long (s) */
#define QUEUE_NOTIFY_POSITION 3     /* near-turn when the position is at most this … */
#define QUEUE_NOTIFY_ETA_MIN 5      /* … or the ETA at most this many minutes */
#define QUEUE_BOARD_RECENT 10       /* last calls on the hall screen */
#define QUEUE_BOARD_CURRENT_MAX 200 /* current calls on the hall screen */
#define QUEUE_LIST_MAX 200          /* tickets listed per window queue */
#define QUEUE_TZ_OFFSET_S ((int64_t)8 * 3600) /* Asia/Shanghai */

enum queue_priority { QUEUE_NORMAL = 0, QUEUE_AGENT = 1, QUEUE_APPOINTMENT = 2, QUEUE_GREEN = 3 };

enum queue_status {
    QUEUE_WAITING = 1,
    QUEUE_CALLED,
    QUEUE_SERVING,
    QUEUE_PARKED,
    QUEUE_DONE,
    QUEUE_NO_SHOW,
    QUEUE_WITHDRAWN,
};

enum queue_channel {
    QUEUE_CH_KIOSK = 1,
    QUEUE_CH_WEB,
    QUEUE_CH_STAFF,
    QUEUE_CH_WALK_DIRECT,
    QUEUE_CH_APPOINTMENT,
};

enum queue_mode { QUEUE_LONGEST_WAIT = 1, QUEUE_STRICT_PRIORITY };

enum queue_window_status { QUEUE_WINDOW_CLOSED = 0, QUEUE_WINDOW_OPEN, QUEUE_WINDOW_PAUSED };

/* Names as they appear in JSON and the database ("green", "no_show",
 * "walk_direct", "strict_priority", "open" …); static storage, "" for an
 * unknown value. The parsers return 0 or ERR_INVALID. */
const char *queue_priority_name(enum queue_priority p);
int queue_priority_parse(const char *s, enum queue_priority *out);
const char *queue_status_name(enum queue_status s);
const char *queue_channel_name(enum queue_channel c);
const char *queue_mode_name(enum queue_mode m);
int queue_mode_parse(const char *s, enum queue_mode *out);
const char *queue_window_status_name(enum queue_window_status s);

/* The service day of a hall at `now`: its local date as "YYYY-MM-DD" in out. */
void queue_service_day(int64_t now, char out[DATE_TEXT]);

/* Mask a name for screens: the first character kept, every later character
 * (UTF-8 code point) shown as '*' ("张三丰" → "张**"). out gets "" for an
 * empty name; cap must hold 4 + QUEUE_NAME_MAX bytes for any accepted name.
 * Returns 0, or ERR_INVALID when name is not 1..QUEUE_NAME_MAX characters of
 * one line. */
int queue_mask_name(const char *name, char *out, size_t cap);

/* The digits of a phone ("+86 138…" style: an optional + then 5 to
 * QUEUE_PHONE_MAX digits) hashed with SHA-256 into hash: 0, or ERR_INVALID
 * (NULL, too short or long, not digits). */
int queue_phone_hash(const char *phone, char hash[CRYPTO_SHA256_HEX]);

/* ---- tickets ---- */

struct queue_ticket {
    int64_t id, hall_id;
    char service_day[DATE_TEXT];
    int64_t series_id; /* the series it waits in now (a transfer moves it) */
    char series_prefix[QUEUE_PREFIX_MAX + 1];
    int64_t issue_series_id; /* the series that numbered it */
    int number;
    char code[QUEUE_CODE_MAX];            /* "A012": the issue series' prefix and number */
    char item_code[CATALOG_CODE_MAX + 1]; /* "" when none */
    char item_name[CATALOG_NAME_MAX * 4 + 1];
    int64_t version_id; /* the catalogue version it was issued for; 0 none */
    enum queue_priority priority;
    enum queue_status status;
    enum queue_channel channel;
    int64_t window_id; /* holding it (called/serving/parked) or where it ended; 0 waiting */
    char window_name[ORG_NAME_MAX * 4 + 1];
    char window_code[ORG_CODE_MAX * 4 + 1];
    int64_t staff_id;         /* 0 none */
    int64_t target_window_id; /* waiting for this window only; 0 any */
    int recalls;
    int64_t issued_at, called_at, started_at, finished_at; /* 0: not yet; called_at: latest call */
    int64_t wait_s, service_s;                             /* folded from the timeline so far */
    char display_name[4 + QUEUE_NAME_MAX + 1];             /* masked; "" none */
    int position;    /* waiting: 1-based place in its series' line; else 0 */
    int eta_minutes; /* waiting: estimated minutes to the call; -1 unknown or not waiting */
    /* set by the write that made it, never read back: the raw evaluation
     * token of a ticket just issued ("" otherwise; for its printed QR code
     * only), the evaluation event a finish just opened (0 none) */
    char eval_token[EVAL_TOKEN_MAX];
    int64_t eval_event_id;
};

/* What queue_issue needs. Exactly one way to the series: item_code (the
 * item's series at the hall) or series_id; both may be given when they
 * agree. name and phone may be NULL. */
struct queue_issue_input {
    int64_t hall_id;
    const char *item_code;
    int64_t series_id;
    enum queue_priority priority;
    enum queue_channel channel; /* kiosk, web, staff or appointment */
    const char *name;           /* stored masked only */
    const char *phone;          /* digits, optional leading +; stored as a SHA-256 hash only */
};

/* Issue a ticket (write transaction). Numbering: the next number of the
 * series for the service day of `now`. A kiosk may not issue the
 * appointment class; appointment check-in (a later module) calls this with
 * QUEUE_CH_APPOINTMENT and QUEUE_APPOINTMENT as the kiosk or staff actor.
 * Errors: ERR_NOTFOUND (no such hall), ERR_FORBIDDEN, ERR_INVALID naming
 * item_code / series_id / priority / name / phone, ERR_CONFLICT (the series
 * is inactive: field series_id; numbers used up). out gets the ticket with
 * its position and ETA. */
/* May who issue tickets at hall (a kiosk device of the hall, or an admin or
 * staff member whose scope holds it, or the command line)? 0 or
 * ERR_FORBIDDEN with e filled. Appointment check-in uses the same rule. */
int queue_may_issue(struct db *db, const struct actor *who, const struct org_node *hall,
                    struct err *e);

int queue_issue(struct db *db, const struct actor *who, const struct queue_issue_input *in,
                int64_t now, struct queue_ticket *out, struct err *e);

/* Call the next ticket for a window by its profile (write transaction). The
 * window must be open and hold no called or serving ticket (ERR_CONFLICT,
 * field "status"). Nobody waiting: ERR_NOTFOUND with field "queue". After the
 * call, waiting tickets of the series near their turn get one notify_outbox
 * record each (never twice). */
int queue_call_next(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                    struct queue_ticket *out, struct err *e);

/* Call a given ticket by code (today's, in the window's hall), waiting or
 * parked (ERR_CONFLICT naming the state otherwise; ERR_NOTFOUND field "code"
 * when there is no such ticket). Same window rules as queue_call_next. */
int queue_call_code(struct db *db, const struct actor *who, int64_t window_id, const char *code,
                    int64_t now, struct queue_ticket *out, struct err *e);

/* Serve someone without a ticket (走直办): a ticket is numbered in the
 * item's series (or, without item_code, the first series of the window's
 * profile) and starts serving at once at the window. name may be NULL. */
int queue_walk_direct(struct db *db, const struct actor *who, int64_t window_id,
                      const char *item_code, const char *name, int64_t now,
                      struct queue_ticket *out, struct err *e);

enum queue_action {
    QUEUE_DO_RECALL = 1, /* called → called, recalls + 1, at most the limit (then ERR_CONFLICT
                         field "recalls") */
    QUEUE_DO_START,      /* called → serving */
    QUEUE_DO_FINISH,     /* serving → done */
    QUEUE_DO_NO_SHOW,    /* called → no_show, once the recall limit is used (else ERR_CONFLICT
                         field "recalls") */
    QUEUE_DO_PARK,       /* serving → parked (the window is free again) */
    QUEUE_DO_RESUME,     /* parked → serving at the parking window, which must be free */
};

/* A counter action on a ticket by the window holding it (write
 * transaction). ERR_NOTFOUND, ERR_FORBIDDEN, ERR_CONFLICT as above. */
int queue_act(struct db *db, const struct actor *who, int64_t ticket_id, enum queue_action action,
              int64_t now, struct queue_ticket *out, struct err *e);

/* Transfer a called, serving or parked ticket back into a line (write
 * transaction): into series_id (0: its current series), for window_id only
 * (0: any window serving the series); both must be of the ticket's hall.
 * raise moves the priority up one class (normal → agent → appointment →
 * green). The issue time, and so the place in line, is kept. */
int queue_transfer(struct db *db, const struct actor *who, int64_t ticket_id, int64_t series_id,
                   int64_t window_id, int raise, int64_t now, struct queue_ticket *out,
                   struct err *e);

/* Withdraw (退办) a ticket that is not finished (write transaction), by a
 * staff or admin account whose scope holds the hall. reason may be NULL
 * (at most QUEUE_REASON_MAX characters). */
int queue_withdraw(struct db *db, const struct actor *who, int64_t ticket_id, const char *reason,
                   int64_t now, struct queue_ticket *out, struct err *e);

/* Read a ticket, with position and ETA at `now` when waiting. ERR_NOTFOUND. */
int queue_ticket_get(struct db *db, int64_t id, int64_t now, struct queue_ticket *out);

struct queue_event {
    int64_t id, ts;
    const char *type;            /* issued, called, recalled, started, parked, resumed, transferred,
                                    finished, no_show, withdrawn */
    int64_t window_id, staff_id; /* 0 none */
    const char *detail;          /* a JSON object as text, or "" */
};

/* A ticket's timeline in order (strings in a). */
int queue_timeline(struct db *db, int64_t ticket_id, struct arena *a, struct queue_event **items,
                   int *n);

/* Wait and service time of a ticket recomputed from its timeline alone:
 * waiting runs from issue or transfer to the next call; serving from start
 * or resume to park, finish, transfer or withdrawal. Intervals still open
 * are not counted. */
int queue_timeline_times(struct db *db, int64_t ticket_id, int64_t *wait_s, int64_t *service_s);

/* ---- series, settings, windows ---- */

struct queue_series {
    int64_t id, hall_id;
    char prefix[QUEUE_PREFIX_MAX + 1];
    char name[QUEUE_SERIES_NAME_MAX * 4 + 1];
    int active;
    int64_t created_at, updated_at;
    const char **item_codes; /* in a, ordered by code */
    int nitems;
};

/* A hall's series, by prefix (strings in a). */
int queue_series_list(struct db *db, int64_t hall_id, struct arena *a, struct queue_series **items,
                      int *n);
int queue_series_get(struct db *db, int64_t id, struct arena *a, struct queue_series *out);

/* Create a series (write transaction; audited): prefix 1-2 capital letters,
 * unique in the hall (ERR_CONFLICT field "prefix"); name 1..50 characters;
 * item codes of existing catalogue items (ERR_INVALID "item_codes[i]"), none
 * already in another series of the hall (ERR_CONFLICT "item_codes[i]"). */
int queue_series_create(struct db *db, const struct actor *who, int64_t hall_id, const char *prefix,
                        const char *name, const char *const *item_codes, int nitems, int64_t now,
                        int64_t *id, struct err *e);

struct queue_series_patch {
    const char *name; /* NULL: unchanged */
    int active;       /* -1: unchanged */
    int set_items;    /* replace the item codes by item_codes[0..nitems) */
    const char *const *item_codes;
    int nitems;
};

/* Change a series (write transaction; audited); rules as for create. */
int queue_series_update(struct db *db, const struct actor *who, int64_t id,
                        const struct queue_series_patch *p, int64_t now, struct err *e);

/* The hall's recall limit (QUEUE_RECALL_LIMIT_DEFAULT when never set). */
int queue_recall_limit(struct db *db, int64_t hall_id, int *out);

/* Set it, 0..QUEUE_RECALL_LIMIT_MAX (write transaction; admin in scope;
 * audited). */
int queue_set_recall_limit(struct db *db, const struct actor *who, int64_t hall_id, int limit,
                           int64_t now, struct err *e);

struct queue_window {
    int64_t window_id, hall_id;
    char name[ORG_NAME_MAX * 4 + 1];
    char code[ORG_CODE_MAX * 4 + 1];
    enum queue_window_status status;
    int64_t staff_id; /* who works there now; 0 none */
    char staff_name[ORG_NAME_MAX * 4 + 1];
    int has_current;
    struct queue_ticket current; /* the called or serving ticket when has_current */
    enum queue_mode mode;        /* QUEUE_LONGEST_WAIT without a profile */
    int64_t series_ids[QUEUE_PROFILE_MAX];
    int nseries;
};

/* The window's calling order (its profile's mode; longest_wait without
 * one). 0 or a database error. */
int queue_window_mode(struct db *db, int64_t window_id, enum queue_mode *mode);

/* A window's state and profile (ERR_NOTFOUND unless a window node). */
int queue_window_get(struct db *db, int64_t window_id, int64_t now, struct queue_window *out);

/* Every active window of a hall, by code (copied into a). */
int queue_hall_windows(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                       struct queue_window **items, int *n);

/* Set a window's profile (write transaction; admin in scope; audited):
 * series of the window's hall, no repeats, at most QUEUE_PROFILE_MAX
 * (ERR_INVALID naming "series_ids[i]"). */
int queue_profile_set(struct db *db, const struct actor *who, int64_t window_id,
                      enum queue_mode mode, const int64_t *series_ids, int n, int64_t now,
                      struct err *e);

/* Open a window: the caller now works there (write transaction; audited).
 * Opening an open window hands it to the caller. */
int queue_window_open(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                      struct err *e);

/* Pause an open window (暂停服务; write transaction; audited): it calls
 * nobody (calling answers ERR_CONFLICT "the window is paused") until it is
 * opened again; a ticket it holds can still be served and finished.
 * Pausing a paused window changes nothing; a closed one is ERR_CONFLICT. */
int queue_window_pause(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                       struct err *e);

/* Close a window (write transaction; audited). It must hold no called or
 * serving ticket (ERR_CONFLICT field "status"); parked tickets stay parked. */
int queue_window_close(struct db *db, const struct actor *who, int64_t window_id, int64_t now,
                       struct err *e);

/* 0 when the actor may act at the window (see above), else ERR_FORBIDDEN
 * (or a database error) with e filled. */
int queue_may_work_at(struct db *db, const struct actor *who, const struct org_node *window,
                      struct err *e);

/* ---- reads for screens, consoles and reports (queue_view.c) ---- */

/* The ETA basis of a series on the service day of now: the median service
 * time of its last QUEUE_ETA_SAMPLE finished tickets that day (default
 * QUEUE_ETA_DEFAULT_S) and the windows serving it (open ones; when none is
 * open, those whose profile names it; 0 when none does). */
int queue_eta_basis(struct db *db, int64_t series_id, int64_t now, int64_t *median_s, int *windows);

/* A service of series_id finished: its kept ETA basis lasts at most a
 * second more. 0: the windows changed, every basis is forgotten at once. */
void queue_eta_forget(int64_t series_id);

/* ETA in whole minutes (rounded up) for a place in line: (position − ½) ×
 * median ÷ windows; -1 when no window serves the series. */
int queue_eta_minutes(int position, int64_t median_s, int windows);

/* Fill position and eta_minutes of the waiting tickets among t[0..n) (one
 * hall; others get 0 / -1). */
int queue_fill_positions(struct db *db, struct queue_ticket *t, int n, int64_t now);

struct queue_series_wait {
    int64_t series_id;
    char prefix[QUEUE_PREFIX_MAX + 1];
    char name[QUEUE_SERIES_NAME_MAX * 4 + 1];
    int waiting;
    int eta_minutes; /* for a ticket taken now; -1 unknown */
};

/* Waiting counts of a hall's active series today, by prefix (copied into
 * a), and their total (which also counts inactive series' tickets). */
int queue_waiting(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                  struct queue_series_wait **rows, int *n, int *total);

struct queue_call {
    int64_t ticket_id, window_id;
    char window_name[ORG_NAME_MAX * 4 + 1];
    char window_code[ORG_CODE_MAX * 4 + 1];
    char code[QUEUE_CODE_MAX];
    char display_name[4 + QUEUE_NAME_MAX + 1];
    int64_t called_at;
    int recalls;
};

struct queue_board {
    int64_t hall_id;
    char hall_name[ORG_NAME_MAX * 4 + 1];
    int64_t generated_at;
    struct queue_call *current; /* called or serving at a window now, newest call first */
    int ncurrent;
    struct queue_call recent[QUEUE_BOARD_RECENT]; /* the last calls today, newest first */
    int nrecent;
    struct queue_series_wait *waiting;
    int nwaiting, total_waiting;
};

/* The hall screen's state at now (arrays in a). ERR_NOTFOUND unless an
 * active hall. */
int queue_board(struct db *db, int64_t hall_id, int64_t now, struct arena *a,
                struct queue_board *out);

/* The tickets a window would call, in the order it would call them (at most
 * QUEUE_LIST_MAX), and the tickets parked there; with positions (copied
 * into a). */
int queue_window_lines(struct db *db, const struct queue_window *w, int64_t now, struct arena *a,
                       struct queue_ticket **waiting, int *nwaiting, struct queue_ticket **parked,
                       int *nparked);

struct queue_today {
    int served, no_shows;
    int64_t avg_wait_s, avg_service_s;
};

/* A window's figures for the service day of now. */
int queue_window_today(struct db *db, const struct queue_window *w, int64_t now,
                       struct queue_today *out);

enum queue_stats_by { QUEUE_BY_HALL = 1, QUEUE_BY_WINDOW, QUEUE_BY_SERIES, QUEUE_BY_STAFF };

/* "hall", "window", "series", "staff" → enum; 0 or ERR_INVALID. */
int queue_stats_by_parse(const char *s, enum queue_stats_by *out);

struct queue_stats_row {
    int64_t key; /* hall, window, series or staff id */
    char name[ORG_NAME_MAX * 4 + 1];
    int issued, served, no_shows, withdrawn;
    int64_t avg_wait_s, p90_wait_s;       /* over tickets called at least once */
    int64_t avg_service_s, p90_service_s; /* over tickets done */
    int wait_timeouts;                    /* waits over QUEUE_WAIT_TIMEOUT_S */
    int service_timeouts;                 /* services over QUEUE_SERVICE_TIMEOUT_S */
};

/* The figures of a hall's service day (YYYY-MM-DD), grouped by `by`
 * (tickets are counted where they ended: their last window, staff and
 * series; by window or staff only tickets that reached one). p90 is the
 * nearest-rank 90th percentile; averages are rounded to whole seconds.
 * Rows by key (copied into a). */
int queue_stats(struct db *db, int64_t hall_id, const char *day, enum queue_stats_by by,
                struct arena *a, struct queue_stats_row **rows, int *n);

/* Tickets of the hall waiting now (service day of now). */
int queue_live_waiting(struct db *db, int64_t hall_id, int64_t now, int *n);

#endif

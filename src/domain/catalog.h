/* catalog.h - the service catalogue (事项): published standards (亮标准).
 *
 * An item (catalog_item) has a stable code and an owning unit; its content
 * lives in numbered versions. A published version is never edited: changing
 * an item writes into its one open draft (created from the current version on
 * first edit); publishing the draft makes it current and marks the previous
 * current version superseded. Old versions stay readable by id. Every case,
 * ticket and notice records the version it used.
 *
 * Limits: a legal limit (法定时限) and a promised limit (承诺时限), each a
 * value and a unit (working days, natural days, hours). The promised limit
 * may not exceed the legal one (see catalog_limits_ok). An immediate item
 * (即办件) is done on the spot: its promised limit may be 0.
 *
 * Scope: reads of published items are public; drafts and writes need a staff
 * account whose scope holds the owning unit (writes: admin role).
 */
#ifndef CK_CATALOG_H
#define CK_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define CATALOG_CODE_MAX 40
#define CATALOG_NAME_MAX 100
#define CATALOG_TEXT_MAX 4000 /* basis, conditions, remedies, step descriptions */
#define CATALOG_SHORT_MAX 200 /* material names, issuers, notes, fee basis, step titles */
#define CATALOG_MAX_MATERIALS 60
#define CATALOG_MAX_STEPS 30
#define CATALOG_MAX_PLACES 100
#define CATALOG_LIMIT_MAX 3650 /* no limit is longer than ten years of days */
#define CATALOG_FILE_MAX ((size_t)2 << 20)
#define CATALOG_FILE_NAME_MAX 100 /* characters */
#define CATALOG_PHONE_MAX 64
#define CATALOG_COPIES_MAX 99
#define CATALOG_FEE_MAX_CENTS 1000000000LL /* ten million yuan */

enum catalog_unit { CATALOG_WORKDAYS = 1, CATALOG_DAYS, CATALOG_HOURS };

struct catalog_material {
    int64_t id;
    int seq;
    const char *name;
    const char *form; /* original | copy | original_and_copy | electronic */
    int copies;
    const char *issuer;
    int required;
    const char *notes;
    int64_t sample_file_id; /* 0: none */
};

struct catalog_step {
    int seq;
    const char *title;
    const char *description;
};

struct catalog_place {
    int64_t node_id;
    const char *node_name; /* filled on read */
    const char *node_kind; /* hall | window, filled on read */
    int64_t hall_id;       /* filled on read: the hall itself, or the window's hall */
    const char *hall_name, *hall_address, *hall_phone;
};

/* A hall where published items are served (the public hall list). */
struct catalog_hall {
    int64_t id;
    const char *name, *address, *phone;
    int items; /* published, active items served there or at its windows */
};

/* Active halls serving at least one published item, by name; copied into a. */
int catalog_halls(struct db *db, struct arena *a, struct catalog_hall **items, int *n);

/* One version of an item with everything in it. Strings point into the arena
 * the read was given (or into the caller's input for writes). */
struct catalog_version {
    int64_t id, item_id;
    const char *code; /* the item's code */
    int64_t unit_id;
    const char *unit_name; /* filled on read */
    const char *unit_path; /* filled on read: the unit's materialised path */
    int version;
    const char *status; /* draft | published | superseded */
    const char *name;
    const char *kind; /* immediate | promised */
    int legal_limit;
    const char *legal_unit; /* workdays | days | hours */
    int promised_limit;
    const char *promised_unit;
    const char *basis, *conditions, *remedies;
    int fee_free;
    int64_t fee_amount_cents;
    const char *fee_basis;
    int appointable;
    const char *ticket_prefix; /* "" or 1-2 capital letters, e.g. "A" */
    const char *online;        /* none | partial | full */
    const char *phone;
    struct catalog_material *materials;
    int nmaterials;
    struct catalog_step *steps;
    int nsteps;
    struct catalog_place *places;
    int nplaces;
    const char *created_by, *published_by;
    int64_t created_at, published_at; /* published_at 0 if never */
};

/* An item as listed: identity plus the name/kind/limits of the version shown
 * (the current one for the public; for staff lists, the draft when there is
 * one, else the current one). */
struct catalog_summary {
    int64_t id;
    const char *code, *name, *kind;
    int64_t unit_id;
    const char *unit_name, *unit_path;
    int promised_limit, legal_limit;
    const char *promised_unit, *legal_unit;
    int64_t current_version_id, draft_version_id; /* 0: none */
    int current_version;                          /* number, 0 if none */
    int active;
    int appointable; /* of the version listed */
};

struct catalog_filter {
    const char *q;      /* substring of name or code; NULL: any */
    int64_t unit_id;    /* items owned by this unit or below; 0: any */
    int64_t hall_id;    /* items served at this hall or its windows; 0: any */
    const char *scope;  /* staff: only items whose unit lies here ("" = all);
                         * NULL: public */
    int published_only; /* public reads: only items with a current version,
                         * shown as published (set it whenever scope is NULL) */
    int active;         /* -1 any, 0, 1 */
    int64_t page, per_page;
};

/* An item's identity and state, without content. */
struct catalog_item {
    int64_t id;
    const char *code;
    int64_t unit_id;
    const char *unit_name, *unit_path;
    int64_t current_version_id, draft_version_id; /* 0: none */
    int active;
    int64_t created_at, updated_at;
};

/* Check a unit name ("workdays"...) into enum; 0 if unknown. */
enum catalog_unit catalog_unit_parse(const char *s);

/* The name of a unit ("workdays", "days", "hours"); "" for an unknown value.
 * Static storage. */
const char *catalog_unit_name(enum catalog_unit u);

/* A code: 1..CATALOG_CODE_MAX of [A-Za-z0-9._-]. Returns 1 when valid. */
int catalog_code_ok(const char *code);

/* promised <= legal, across units: the same unit compares values; n natural
 * days <= m working days when n <= m; n working days fit in m natural days
 * only when ceil(n * 7 / 5) <= m; h hours fit in a day limit of d when
 * h <= 24 * d (a limit in hours is shorter than any day limit that long);
 * d natural days fit in h hours when 24 * d <= h, d working days when
 * 24 * ceil(d * 7 / 5) <= h. Returns 1 when acceptable. */
int catalog_limits_ok(int promised, enum catalog_unit pu, int legal, enum catalog_unit lu);

/* Validate a whole version's content (names, lengths in characters, limits,
 * kinds, forms, counts, ticket prefix, phone). 0 or ERR_INVALID naming the
 * field, e.g. "materials[2].name". Checks nothing in the database (units,
 * places and sample files are checked by the writes). */
int catalog_validate(const struct catalog_version *v, struct err *e);

/* The same, reporting every fault: fills errs[0..cap) (each with code, field
 * and message) and *n with the number found (which may exceed cap; the first
 * cap are kept). Returns 0 when there is none, else ERR_INVALID. */
int catalog_validate_all(const struct catalog_version *v, struct err *errs, int cap, int *n);

/* catalog_validate_all plus what needs the database: with with_unit, that
 * v->unit_id is an active unit, region or hall in who's scope (field
 * "unit_id"); that every place is an active hall or window in scope
 * ("places[i]"); that every sample file exists
 * ("materials[i].sample_file_id"). A fault outside the scope carries
 * ERR_FORBIDDEN, the others ERR_INVALID. Returns 0, ERR_INVALID when a fault
 * was found (errs/n as for catalog_validate_all), or a database error. */
int catalog_check_all(struct db *db, const struct actor *who, const struct catalog_version *v,
                      int with_unit, struct err *errs, int cap, int *n);

/* 1 when a and b hold the same content (name ... places; not the identity,
 * number, status or times). Places compare as sets; materials' ids are
 * ignored, their sample files are not. */
int catalog_content_equal(const struct catalog_version *a, const struct catalog_version *b);

/* Reads. Strings of the results point into a; any thread with its own
 * connection. */
/* A page of items by f (ordered by code; per_page rows at most), with the
 * total matching. ERR_NOTFOUND when f->unit_id names no node. */
int catalog_list(struct db *db, const struct catalog_filter *f, struct arena *a,
                 struct catalog_summary **items, int *n, int64_t *total);
/* The current published version of the item with this code (public view).
 * ERR_NOTFOUND when no such code or nothing published. */
int catalog_get_current(struct db *db, const char *code, struct arena *a,
                        struct catalog_version *out);
/* Any version by id (staff view, with drafts). */
int catalog_get_version(struct db *db, int64_t version_id, struct arena *a,
                        struct catalog_version *out);
/* All versions of an item, newest first (numbers, status, times; no content). */
int catalog_versions(struct db *db, int64_t item_id, struct arena *a,
                     struct catalog_version **items, int *n);
/* An item by id or by code (strings in a). ERR_NOTFOUND when absent. */
int catalog_get_item(struct db *db, int64_t item_id, struct arena *a, struct catalog_item *out);
int catalog_find_code(struct db *db, const char *code, struct arena *a, struct catalog_item *out);

/* Writes (inside the writer's transaction; audited). The actor must be an
 * admin whose scope holds the unit. */
/* New item with version 1 as a draft. in->code and in->unit_id name it. */
int catalog_create(struct db *db, const struct actor *who, const struct catalog_version *in,
                   int64_t *item_id, int64_t *version_id, struct err *e);
/* Replace the content of the item's draft with in (in->code and
 * in->unit_id are ignored: an item keeps both). Without a draft, a new one is
 * made with number max + 1; numbers are never reused. *version_id: the draft. */
int catalog_save_draft(struct db *db, const struct actor *who, int64_t item_id,
                       const struct catalog_version *in, int64_t *version_id, struct err *e);
/* Publish the draft: it becomes current, the old current is superseded.
 * ERR_CONFLICT without a draft. *version_id: the newly current version. */
int catalog_publish(struct db *db, const struct actor *who, int64_t item_id, int64_t *version_id,
                    struct err *e);
/* Deactivate / reactivate an item (it leaves the public catalogue). */
int catalog_set_active(struct db *db, const struct actor *who, int64_t item_id, int active,
                       struct err *e);

/* Record that a one-time notice was given for version_id (to citizen_name,
 * missing: JSON array text of the material names still lacking). The actor
 * is a staff account of any role (or the command line); node_id (0: none)
 * is where it was given and must lie in the actor's scope. The version must
 * be published or superseded (a draft is nobody's standard yet: 409).
 * citizen_name: 0..CATALOG_NAME_MAX characters (NULL: ""); missing_json:
 * NULL or a JSON array of at most CATALOG_MAX_MATERIALS strings. Audited. */
int catalog_record_notice(struct db *db, const struct actor *who, int64_t version_id,
                          int64_t node_id, const char *citizen_name, const char *missing_json,
                          int64_t *notice_id, struct err *e);

/* Sample files (样表). catalog_file_type names the type by content:
 * "application/pdf" (%PDF-), "image/png" or "image/jpeg"; NULL otherwise. */
const char *catalog_file_type(const void *data, size_t len);
/* Store a file (admin or command line; audited). name: 1..CATALOG_FILE_NAME_MAX
 * characters, one line, no slash or backslash. ERR_UNSUPPORTED when the
 * content is none of the types above, ERR_TOOLARGE over CATALOG_FILE_MAX. */
int catalog_file_add(struct db *db, const struct actor *who, const char *name, const void *data,
                     size_t len, int64_t *file_id, struct err *e);
/* A stored file; name, mime and data point into a. ERR_NOTFOUND when absent. */
int catalog_file_get(struct db *db, int64_t file_id, struct arena *a, const char **name,
                     const char **mime, const void **data, size_t *len);

#endif

/* eval_config.h - 好差评 configuration of a region: the reasons a 差评 picks
 * from (eval_reason) and the versioned indicator sets (eval_indicator_set,
 * eval_indicator) that dimension scores follow (DOMAIN.md §4).
 *
 * A region is a root node of the org tree. Only an administrator whose home
 * is that root (or the command line) writes its configuration; any staff
 * account of the region (or with the region in scope) reads it.
 *
 * Reasons are edited in place (labels, sort, active); a code never changes
 * and is unique in its region. A region with no stored reasons uses the
 * built-in list (evaluation.h, eval_reasons); the first reason stored copies
 * that list first, so adding one never drops the others.
 *
 * Indicator sets are never edited: publishing stores a new version (highest
 * + 1 for the region and kind) as the current one and marks the previous
 * current one not current, in the same transaction. Evaluations keep the id
 * of the set they were scored with, so old versions stay readable.
 *
 * Writes run inside the writer's transaction, are audited and tell the
 * evaluation module's configuration cache (eval_conf_changed); reads run on
 * any connection. Strings come back in the arena given.
 */
#ifndef CK_EVAL_CONFIG_H
#define CK_EVAL_CONFIG_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/evaluation.h"
#include "store/db.h"

#define EVAL_LABEL_MAX 40     /* characters of a reason label or indicator name */
#define EVAL_SORT_MAX 1000000 /* a reason's sort key lies in [-EVAL_SORT_MAX, EVAL_SORT_MAX] */
#define EVAL_CONFIG_REASONS_MAX 200 /* reasons of one region */
#define EVAL_CONFIG_SETS_MAX 1000   /* versions listed at most (newest first) */

/* 1 when code is 1..EVAL_CODE_MAX of [a-z0-9_] (reason and indicator codes). */
int eval_code_ok(const char *code);

/* The region region_id for who: ERR_INVALID "region_id" ("no such region")
 * unless it is a root node; for a write (write = 1) ERR_FORBIDDEN unless who
 * is an administrator at that root (or the command line); for a read unless
 * who is a staff account whose scope lies in the region or holds it. */
int eval_config_region(struct db *db, const struct actor *who, int64_t region_id, int write,
                       struct err *e);

/* ---- reasons ---- */

/* A stored reason with its region. */
struct eval_reason_rec {
    struct eval_reason r;
    int64_t region_id;
    int64_t created_at, updated_at;
};

struct eval_reason_input {
    int64_t region_id;
    const char *code;     /* [a-z0-9_]{1,32} */
    const char *label_zh; /* 1..EVAL_LABEL_MAX characters, one line */
    const char *label_en;
    int sort;
};

/* Fields to change; NULL / has_sort 0 / active -1 leave one as it is. */
struct eval_reason_patch {
    const char *label_zh, *label_en;
    int has_sort, sort;
    int active; /* -1 unchanged, 0 or 1 */
};

/* Store a reason (write transaction). ERR_INVALID naming region_id, code,
 * label_zh, label_en or sort; ERR_FORBIDDEN (see eval_config_region);
 * ERR_CONFLICT "code" when the region has that code already (the built-in
 * list counts once the region's first reason copies it). *id: the new row. */
int eval_reason_create(struct db *db, const struct actor *who, const struct eval_reason_input *in,
                       int64_t now, int64_t *id, struct err *e);

/* Change a reason (write transaction). ERR_NOTFOUND (no such reason),
 * ERR_FORBIDDEN, ERR_INVALID naming the field. Audited with before/after. */
int eval_reason_update(struct db *db, const struct actor *who, int64_t id,
                       const struct eval_reason_patch *p, int64_t now, struct err *e);

/* One stored reason; ERR_NOTFOUND when there is none. */
int eval_reason_get(struct db *db, int64_t id, struct arena *a, struct eval_reason_rec *out);

/* The region's stored reasons (active and not), by sort then id; none
 * stored gives *n = 0 (the caller shows the built-in list, eval_reasons). */
int eval_reason_list(struct db *db, int64_t region_id, struct arena *a,
                     struct eval_reason_rec **items, int *n);

/* ---- indicator sets ---- */

struct eval_set_item_input {
    const char *code;              /* [a-z0-9_]{1,32}, unique in the set */
    const char *name_zh, *name_en; /* 1..EVAL_LABEL_MAX characters, one line */
};

struct eval_set_input {
    int64_t region_id;
    const char *kind; /* "offline" | "online" */
    const struct eval_set_item_input *items;
    int n; /* 1..EVAL_DIMS_MAX */
};

/* A stored set version. */
struct eval_set_rec {
    struct eval_set set;
    int current;
    int64_t published_by; /* staff id, 0 the command line */
};

/* Publish a new version (write transaction): ERR_INVALID naming region_id,
 * kind, items, items[i].code ("… appears twice" for a repeated code),
 * items[i].name_zh or items[i].name_en; ERR_FORBIDDEN. *set_id: the new
 * current version. Audited. */
int eval_set_publish(struct db *db, const struct actor *who, const struct eval_set_input *in,
                     int64_t now, int64_t *set_id, struct err *e);

/* One stored version with its indicators; ERR_NOTFOUND. */
int eval_set_get(struct db *db, int64_t id, struct arena *a, struct eval_set_rec *out);

/* The region's stored versions of kind (NULL: both), newest first, at most
 * EVAL_CONFIG_SETS_MAX; *n = 0 when none is stored. */
int eval_set_list(struct db *db, int64_t region_id, const char *kind, struct arena *a,
                  struct eval_set_rec **items, int *n);

#endif

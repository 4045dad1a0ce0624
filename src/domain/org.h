/* org.h - the org tree: region / unit / hall / window nodes with a parent and
 * a materialised path of ids ("/1/4/9/").
 *
 * Allowed parents: a region under a region (or as a root), a unit under a
 * region or unit, a hall under a region or unit, a window under a hall. Codes
 * are unique among siblings. Nodes are never deleted, only deactivated, and
 * only when nothing active hangs below them.
 */
#ifndef CK_ORG_H
#define CK_ORG_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"

#define ORG_CODE_MAX 32 /* characters */
#define ORG_NAME_MAX 100
#define ORG_ADDRESS_MAX 200
#define ORG_PHONE_MAX 32
#define ORG_INDUSTRY_MAX 32

struct org_node {
    int64_t id, parent_id; /* parent_id 0 for a root */
    char kind[8];
    char code[ORG_CODE_MAX * 4 + 1];
    char name[ORG_NAME_MAX * 4 + 1];
    char path[ACTOR_PATH_MAX];
    int depth;
    char address[ORG_ADDRESS_MAX * 4 + 1];
    char phone[ORG_PHONE_MAX * 4 + 1];
    char industry[ORG_INDUSTRY_MAX * 4 + 1]; /* 行业 (a unit's; score rankings) */
    int active;
    int64_t created_at, updated_at;
};

struct org_input {                                    /* create */
    int64_t parent_id;                                /* 0: a root region (command line only) */
    const char *kind, *code, *name, *address, *phone; /* address/phone may be NULL */
};

struct org_patch { /* update; NULL / -1 = unchanged */
    const char *code, *name, *address, *phone, *industry;
    int active;
};

struct org_filter {
    const char *scope; /* required: the caller's subtree path */
    int64_t parent_id; /* 0: any */
    const char *kind;  /* NULL: any */
    int active;        /* -1: any */
    const char *q;     /* substring of name or code; NULL: any */
    int64_t page, per_page;
};

/* Read one node. ERR_NOTFOUND if absent. */
int org_get(struct db *db, int64_t id, struct org_node *out);

/* Find a node by its code path from a root, e.g. "/dist/town/hall-t".
 * ERR_NOTFOUND if any step is missing; ERR_INVALID for a malformed path. */
int org_find_by_codes(struct db *db, const char *code_path, struct org_node *out);

/* A page of nodes in scope, ordered by path, copied into a. */
int org_list(struct db *db, const struct org_filter *f, struct arena *a, struct org_node **items,
             int *n, int64_t *total);

/* Create a node (write transaction). The actor must be an admin (or the
 * command line) whose scope holds the parent. Audited. */
int org_create(struct db *db, const struct actor *who, const struct org_input *in,
               struct org_node *out, struct err *e);

/* Change a node (write transaction); same rights as org_create on the node
 * itself. Deactivating needs no active children, staff or devices. Audited. */
int org_update(struct db *db, const struct actor *who, int64_t id, const struct org_patch *p,
               struct org_node *out, struct err *e);

#define ORG_WINDOW_STAFF_MAX 8
#define ORG_HALL_WINDOWS_MAX 500

struct org_window_staff {
    int64_t id;
    char name[ORG_NAME_MAX * 2 + 1];
    char badge_no[ORG_CODE_MAX * 4 + 1];
    int is_chief;
};

struct org_window {
    struct org_node node;
    struct org_window_staff staff[ORG_WINDOW_STAFF_MAX]; /* active, currently assigned */
    int nstaff;
};

/* The windows of a hall (active and inactive, ordered by code) with the staff
 * assigned to each now, copied into a. */
int org_hall_windows(struct db *db, int64_t hall_id, struct arena *a, struct org_window **items,
                     int *n);

/* The node as a JSON object (new reference; NULL on allocation failure). */
json_t *org_node_json(const struct org_node *n);

/* Validate a code: 1..32 of [A-Za-z0-9_-]. */
int org_code_ok(const char *code);

/* path of the first byte past every path under `path` ("/1/4/" -> "/1/40"),
 * for range scans: path >= p AND path < end. */
void org_path_end(const char *path, char *end, size_t len);

#endif

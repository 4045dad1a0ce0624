/* audit.h - the append-only, hash-chained audit log.
 *
 * Each record holds who (actor), what (action, entity, id), when, from where
 * (ip, request id) and the before/after snapshots, plus prev_hash and hash =
 * SHA-256(prev_hash "\n" canonical record). audit_head keeps the last id and
 * hash, so removing the newest records is detected too.
 */
#ifndef CK_AUDIT_H
#define CK_AUDIT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/arena.h"
#include "domain/actor.h"
#include "store/db.h"

/* Append a record inside the caller's transaction. before/after are taken
 * (decref'd) and may be NULL; they must hold no secrets. Returns 0 or ERR_*. */
int audit_append(struct db *db, const struct actor *a, const char *action, const char *entity,
                 int64_t entity_id, int64_t node_id, json_t *before, json_t *after);

struct audit_record {
    int64_t id, ts, actor_id, entity_id, node_id;
    const char *actor, *action, *entity, *ip, *request_id, *before, *after, *prev_hash, *hash;
};

struct audit_filter {
    const char *entity; /* NULL: any */
    int64_t entity_id;  /* 0: any */
    const char *scope;  /* only records whose node lies in this path ("" = all) */
    int include_global; /* also records bound to no node (the national calendar) */
    int64_t page, per_page;
};

/* A page of records, newest first, copied into a. */
int audit_list(struct db *db, const struct audit_filter *f, struct arena *a,
               struct audit_record **items, int *n, int64_t *total);

/* Recompute the chain from the first record. Prints progress to out; returns
 * 0 when intact, ERR_CONFLICT with *bad_id set to the first broken record (or
 * the missing one), or another ERR_* on database failure. */
int audit_verify(struct db *db, FILE *out, int64_t *checked, int64_t *bad_id);

#endif

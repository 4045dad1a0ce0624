/* notice.h - one-time notices given (一次性告知): reading the record.
 *
 * catalog_record_notice (catalog.h) writes a notice: who gave it, where, to
 * whom, for which item version, and the names of the materials the citizen
 * still lacked. This module reads one back, so the notice can be shown again
 * exactly as it was given: rendered from the recorded version, never from
 * whatever version is current now.
 */
#ifndef CK_NOTICE_RECORD_H
#define CK_NOTICE_RECORD_H

#include <stdint.h>

#include "base/arena.h"
#include "store/db.h"

#define NOTICE_ISSUED_MISSING_MAX 60 /* = CATALOG_MAX_MATERIALS */

struct notice_issued {
    int64_t id, item_id, version_id;
    int64_t node_id;          /* where it was given; 0: not recorded */
    int64_t issued_by;        /* the staff account; 0: the command line */
    const char *issuer_name;  /* that account's name, "" for none */
    const char *citizen_name; /* "" when given to nobody in particular */
    const char **missing;     /* names of the materials still lacking */
    int nmissing;
    int64_t issued_at;      /* epoch seconds */
    const char *scope_path; /* the path that decides who may read it: the
                               node's, or the item's unit's without a node */
};

/* Read notice id; strings and the missing list are copied into a. Returns 0,
 * ERR_NOTFOUND, ERR_NOMEM, or a database error. A stored missing list that is
 * not a JSON array of strings reads as empty. Any thread with its own db. */
int notice_get_issued(struct db *db, int64_t id, struct arena *a, struct notice_issued *out);

#endif

/* migrate.h - numbered schema migrations, applied in order and recorded. */
#ifndef CK_MIGRATE_H
#define CK_MIGRATE_H

#include "store/db.h"

/* Apply every embedded migration (NNNN_name.sql) that schema_migrations does
 * not yet record, each in its own transaction, in order. Safe to run twice and
 * from several processes (PostgreSQL takes an advisory lock). *applied (may be
 * NULL) gets how many were applied now. Returns 0 or an ERR_* code; on failure
 * the failing migration is rolled back whole and log says which. */
int migrate_apply(struct db *db, int *applied);

/* The highest applied version into *version (0 for an empty database). */
int migrate_version(struct db *db, int *version);

/* Replace the backend macros ({{ID}}, {{BLOB}}, {{TEXT_C}}) in sql for kind.
 * Returns a malloc'd string the caller frees, or NULL on allocation failure. */
char *migrate_render(const char *sql, enum db_kind kind);

#endif

/* demo.h - a demo town to try the system with: one district, one town, two
 * halls, twelve windows, staff with roles, devices, eight published
 * service items (事项) with materials, steps and places, and the halls' queue
 * series (from the items' ticket prefixes) with a work profile per window,
 * daily appointment slots for every appointable item at each hall where it
 * is served (9:00-12:00 and 13:30-17:00 in half-hour slots of
 * SIM_APPT_CAPACITY, through appt_slots_set), and one finished day of queue
 * traffic with appointments per hall (the most recent working day before
 * today; domain/simulate.h) so the figures are not empty. */
#ifndef CK_DEMO_H
#define CK_DEMO_H

#include "base/err.h"
#include "store/db.h"

/* Create the demo data in one transaction on an empty, migrated database.
 * password_hash is used for every demo account. Returns 0, ERR_CONFLICT when
 * the database already holds org nodes, or another ERR_* (nothing written). */
int demo_create(struct db *db, const char *password_hash, struct err *e);

/* Inside demo_create's transaction: evaluate most open evaluation events
 * (domain/demo_eval.c) through every channel with a realistic mix of levels;
 * 差评 carry reasons and open their work orders. */
int demo_seed_evals(struct db *db, struct err *e);

/* Inside demo_create's transaction: commitments (亮承诺) of windows and staff
 * in every state, some due last month (domain/demo_commitment.c). */
int demo_seed_commitments(struct db *db, struct err *e);

/* Inside demo_create's transaction, after the evaluations: one closed
 * review round (三评) of the district hall's staff for the current month
 * (domain/demo_review.c). */
int demo_seed_reviews(struct db *db, struct err *e);

/* Inside demo_create's transaction: the region's window and staff scorecards
 * (三比), manual events of the two months before this one, both months
 * closed (domain/demo_score.c). */
int demo_seed_scores(struct db *db, struct err *e);

#endif

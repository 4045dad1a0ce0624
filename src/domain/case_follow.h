/* case_follow.h - what the follow-up, accountability, notification and
 * statistics functions of case.h (implemented in case_follow.c) need beside
 * them: single-record reads for rendering a write's answer, and the bounds.
 *
 * Rules of the functions declared in case.h and implemented in case_follow.c:
 *
 *  acct_decide: a leader (or the command line) whose scope holds the
 *    record's node_path (ERR_FORBIDDEN), not the record's own subject
 *    (ERR_FORBIDDEN); grade reminder | criticism | formal, or dismiss with no
 *    grade (ERR_INVALID "grade"); note 1..CASE_TEXT_MAX characters
 *    (ERR_INVALID "note"); the record must be pending (ERR_CONFLICT
 *    "status"). Notifies the person (kind "accountability"), audited
 *    ("accountability.decide").
 *  acct_list: records whose node_path lies in the actor's scope, plus the
 *    actor's own (staff_id = self) wherever they lie; newest first.
 *  followup_list: in scope (and under node_id), scheduled ones by due day
 *    first, then done ones newest call first; "overdue" is scheduled with
 *    due_day before the local (Asia/Shanghai) day of now.
 *  followup_record: staff in scope; result reached | unreachable | declined
 *    (ERR_INVALID "result"); satisfaction 1-5 when reached, 0 otherwise
 *    (ERR_INVALID "satisfaction"); notes up to CASE_TEXT_MAX (ERR_INVALID
 *    "notes"); must be scheduled (ERR_CONFLICT "status"). Audited
 *    ("followup.record").
 *  case_stats: from/to YYYY-MM-DD, from <= to, at most CASE_STATS_SPAN_DAYS
 *    days (ERR_INVALID "from"/"to"); group item | window | unit | staff
 *    (ERR_INVALID "group"); node_id unknown → ERR_INVALID "node_id", outside
 *    the scope → ERR_FORBIDDEN. Reads only the case_file_closed index range.
 *    At most CASE_STATS_GROUPS_MAX rows come back; total covers them all.
 *  notification_list / notification_read: only the actor's own
 *    (staff_id = actor's staff_id); another's is ERR_NOTFOUND. read_at is
 *    set once; reading again keeps the first time.
 *
 * Reads run on any connection; writes inside the caller's transaction.
 * Strings come back in the arena given.
 */
#ifndef CK_CASE_FOLLOW_H
#define CK_CASE_FOLLOW_H

#include <stdint.h>

#include "domain/case.h"

#define CASE_STATS_SPAN_DAYS 366   /* days from `from` to `to`, both counted */
#define CASE_STATS_GROUPS_MAX 2000 /* rows of one statistics answer */

/* One follow-up with the overdue flag at now; ERR_NOTFOUND, or
 * ERR_FORBIDDEN when who (may be NULL: no check) may not see it. */
int followup_get(struct db *db, const struct actor *who, int64_t id, int64_t now, struct arena *a,
                 struct followup_rec *out);

/* One accountability record; ERR_NOTFOUND, or ERR_FORBIDDEN when who (may
 * be NULL) has it neither in scope nor as its subject. */
int acct_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
             struct acct_rec *out);

/* One of the actor's own notifications; ERR_NOTFOUND for anyone else's. */
int notification_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                     struct notification_rec *out);

#endif

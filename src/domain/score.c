/* score.c - marking subjects for rescoring and the monthly counters the
 * scorecards read (score.h). */
#include "domain/score.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static _Atomic(void (*)(void)) wake_hook;

void score_set_wake_hook(void (*hook)(void))
{
    atomic_store(&wake_hook, hook);
}

void score_wake(void)
{
    void (*hook)(void) = atomic_load(&wake_hook);
    if (hook)
        hook();
}

static const char SQL_TOUCH[] =
    "INSERT INTO score_dirty (kind, subject_id, month) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (kind, subject_id, month) DO NOTHING";

int score_touch(struct db *db, const char *kind, int64_t subject_id)
{
    return score_touch_day(db, kind, subject_id, NULL);
}

int score_touch_day(struct db *db, const char *kind, int64_t subject_id, const char *day)
{
    if (subject_id <= 0 || (strcmp(kind, "window") != 0 && strcmp(kind, "staff") != 0))
        return 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_TOUCH, &st);
    if (rc < 0)
        return rc;
    char month[8] = "";
    if (day && strlen(day) >= 7)
        snprintf(month, sizeof(month), "%.7s", day);
    db_bind_text(st, 1, kind);
    db_bind_int64(st, 2, subject_id);
    db_bind_text(st, 3, month);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    /* the rescoring thread's writer_run queues behind this transaction */
    void (*hook)(void) = atomic_load(&wake_hook);
    if (hook)
        hook();
    return 0;
}

int score_touch2(struct db *db, const char *day, int64_t window_id, int64_t staff_id)
{
    int rc = score_touch_day(db, "window", window_id, day);
    return rc < 0 ? rc : score_touch_day(db, "staff", staff_id, day);
}

static const char SQL_FACT[] =
    "INSERT INTO score_fact (month, kind, subject_id, metric, n) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (month, kind, subject_id, metric) DO UPDATE SET n = score_fact.n + ?5";

static int fact_one(struct db *db, const char *month, const char *kind, int64_t id,
                    const char *metric, int64_t n)
{
    if (id <= 0)
        return 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FACT, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, month);
    db_bind_text(st, 2, kind);
    db_bind_int64(st, 3, id);
    db_bind_text(st, 4, metric);
    db_bind_int64(st, 5, n);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : score_touch_day(db, kind, id, month);
}

int score_fact_add(struct db *db, const char *day, int64_t window_id, int64_t staff_id,
                   const char *metric, int64_t n)
{
    char month[8];
    snprintf(month, sizeof(month), "%.7s", day);
    int rc = fact_one(db, month, "window", window_id, metric, n);
    return rc < 0 ? rc : fact_one(db, month, "staff", staff_id, metric, n);
}

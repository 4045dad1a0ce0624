/* calendar_store.c - the calendar tables: load, import (holiday-cn JSON and
 * iCalendar), edit one day, and the built-in years. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/date.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/calendar.h"
#include "domain/case.h"
#include "store/embedded.h"

static const char SQL_YEARS[] = "SELECT year FROM calendar_year ORDER BY year";
static const char SQL_ALL_DAYS[] = "SELECT day, is_off, name FROM calendar_day ORDER BY day";

int calendar_load(struct db *db, struct calendar **out)
{
    int years[CALENDAR_MAX_SPAN_YEARS * 2];
    int ny = 0, nd = 0, cap = 0;
    struct calendar_day *days = NULL;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_YEARS, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW && ny < (int)(sizeof(years) / sizeof(years[0])))
        years[ny++] = (int)db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_ALL_DAYS, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (nd == cap) {
            cap = cap ? cap * 2 : 128;
            struct calendar_day *grown = realloc(days, sizeof(*days) * (size_t)cap);
            if (!grown) {
                rc = ERR_NOMEM;
                break;
            }
            days = grown;
        }
        struct calendar_day *d = &days[nd];
        if (date_parse(db_col_text(st, 0), &d->day) < 0) {
            rc = ERR_DB;
            break;
        }
        d->is_off = (int)db_col_int64(st, 1);
        snprintf(d->name, sizeof(d->name), "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
        nd++;
    }
    db_finalize(st);
    if (rc >= 0)
        rc = calendar_build(years, ny, days, nd, out);
    free(days);
    return rc < 0 ? rc : 0;
}

static const char SQL_YEAR_INFO[] =
    "SELECT y.year, y.source, y.imported_at,"
    " (SELECT COUNT(*) FROM calendar_day d WHERE d.year = y.year AND d.is_off = 1),"
    " (SELECT COUNT(*) FROM calendar_day d WHERE d.year = y.year AND d.is_off = 0)"
    " FROM calendar_year y WHERE (CAST(?1 AS INTEGER) = 0 OR y.year = ?1) ORDER BY y.year";

static int year_info(struct db *db, int year, struct calendar_year_info *out, int max, int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_YEAR_INFO, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, year);
    while ((rc = db_step(st)) == DB_ROW && *n < max) {
        struct calendar_year_info *y = &out[(*n)++];
        y->year = (int)db_col_int64(st, 0);
        snprintf(y->source, sizeof(y->source), "%s", db_col_text(st, 1));
        y->imported_at = db_col_int64(st, 2);
        y->off_days = (int)db_col_int64(st, 3);
        y->workdays = (int)db_col_int64(st, 4);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int calendar_years(struct db *db, struct calendar_year_info *out, int max, int *n)
{
    return year_info(db, 0, out, max, n);
}

static const char SQL_YEAR_DAYS[] =
    "SELECT day, is_off, name FROM calendar_day WHERE year = ?1 ORDER BY day";

int calendar_year_days(struct db *db, int year, struct arena *a, struct calendar_day **days, int *n,
                       struct calendar_year_info *info)
{
    int found = 0;
    int rc = year_info(db, year, info, 1, &found);
    if (rc < 0)
        return rc;
    if (!found)
        return ERR_NOTFOUND;
    *n = 0;
    *days = arena_alloc(a, sizeof(**days) * 400);
    if (!*days)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_YEAR_DAYS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, year);
    while ((rc = db_step(st)) == DB_ROW && *n < 400) {
        struct calendar_day *d = &(*days)[*n];
        if (date_parse(db_col_text(st, 0), &d->day) < 0)
            continue;
        d->is_off = (int)db_col_int64(st, 1);
        snprintf(d->name, sizeof(d->name), "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
        (*n)++;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- writes ---- */

int calendar_may_edit(const struct actor *who)
{
    return who->role == ROLE_SYSTEM || (who->role == ROLE_ADMIN && actor_at_root(who));
}

static const char SQL_DEL_YEAR_DAYS[] = "DELETE FROM calendar_day WHERE year = ?1";
static const char SQL_UPSERT_YEAR[] =
    "INSERT INTO calendar_year (year, source, imported_at, imported_by) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (year) DO UPDATE SET source = excluded.source,"
    " imported_at = excluded.imported_at, imported_by = excluded.imported_by";
static const char SQL_INSERT_DAY[] =
    "INSERT INTO calendar_day (day, year, is_off, name) VALUES (?1, ?2, ?3, ?4)";

static int exec_bound(struct db *db, const char *sql, int64_t a)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, a);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int calendar_store_import(struct db *db, const struct actor *who, const struct calendar_import *imp,
                          const char *source, struct err *e)
{
    if (!calendar_may_edit(who))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only an administrator of a root node may edit "
                       "the national calendar");
    int64_t now = (int64_t)time(NULL);
    for (int y = 0; y < imp->nyears; y++) {
        int year = imp->years[y];
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_UPSERT_YEAR, &st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        db_bind_int64(st, 1, year);
        db_bind_text(st, 2, source);
        db_bind_int64(st, 3, now);
        db_bind_text(st, 4, who->name);
        rc = db_step(st);
        db_finalize(st);
        if (rc >= 0)
            rc = exec_bound(db, SQL_DEL_YEAR_DAYS, year);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        int count = 0;
        for (int i = 0; i < imp->ndays; i++) {
            const struct calendar_day *d = &imp->days[i];
            if (date_year(d->day) != year)
                continue;
            char text[DATE_TEXT];
            date_format(d->day, text);
            rc = db_prepare(db, SQL_INSERT_DAY, &st);
            if (rc < 0)
                return err_set(e, rc, NULL, "database error");
            db_bind_text(st, 1, text);
            db_bind_int64(st, 2, year);
            db_bind_int64(st, 3, d->is_off);
            db_bind_text(st, 4, d->name);
            rc = db_step(st);
            db_finalize(st);
            if (rc < 0)
                return err_set(e, rc, NULL, "database error");
            count++;
        }
        json_t *after = json_pack("{s:i,s:s,s:i}", "year", year, "source", source, "days", count);
        rc = audit_append(db, who, "import", "calendar_year", year, 0, NULL, after);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
    }
    int rc = case_recalc_request(db);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_KNOWN[] = "SELECT 1 FROM calendar_year WHERE year = ?1";
static const char SQL_GET_DAY[] = "SELECT is_off, name FROM calendar_day WHERE day = ?1";
static const char SQL_SET_DAY[] =
    "INSERT INTO calendar_day (day, year, is_off, name) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (day) DO UPDATE SET is_off = excluded.is_off, name = excluded.name";
static const char SQL_CLEAR_DAY[] = "DELETE FROM calendar_day WHERE day = ?1";

static json_t *day_snapshot(struct db *db, const char *text)
{
    struct db_stmt *st = NULL;
    json_t *j = NULL;
    if (db_prepare(db, SQL_GET_DAY, &st) < 0)
        return NULL;
    db_bind_text(st, 1, text);
    if (db_step(st) == DB_ROW)
        j = json_pack("{s:s,s:b,s:s}", "date", text, "is_off", (int)db_col_int64(st, 0), "name",
                      db_col_text(st, 1) ? db_col_text(st, 1) : "");
    db_finalize(st);
    return j;
}

static int check_edit(struct db *db, const struct actor *who, int32_t day, struct err *e)
{
    if (!calendar_may_edit(who))
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only an administrator of a root node may edit "
                       "the national calendar");
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_KNOWN, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, date_year(day));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_CONFLICT, "date", "import the calendar of %d first", date_year(day));
    return 0;
}

int calendar_set_day(struct db *db, const struct actor *who, int32_t day, int is_off,
                     const char *name, struct err *e)
{
    int rc = check_edit(db, who, day, e);
    if (rc < 0)
        return rc;
    if (!name || parse_text(name, 1, CALENDAR_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters", CALENDAR_NAME_MAX);
    int weekend = date_weekday(day) >= 6;
    if (!is_off && !weekend)
        return err_set(e, ERR_INVALID, "is_off",
                       "a weekday is a working day already; only weekends can be make-up days");
    char text[DATE_TEXT];
    date_format(day, text);
    json_t *before = day_snapshot(db, text);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_SET_DAY, &st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, rc, NULL, "database error");
    }
    db_bind_text(st, 1, text);
    db_bind_int64(st, 2, date_year(day));
    db_bind_int64(st, 3, is_off ? 1 : 0);
    db_bind_text(st, 4, name);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, rc, NULL, "database error");
    }
    rc = audit_append(db, who, "set_day", "calendar_day", day, 0, before, day_snapshot(db, text));
    if (rc == 0)
        rc = case_recalc_request(db);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

int calendar_clear_day(struct db *db, const struct actor *who, int32_t day, struct err *e)
{
    int rc = check_edit(db, who, day, e);
    if (rc < 0)
        return rc;
    char text[DATE_TEXT];
    date_format(day, text);
    json_t *before = day_snapshot(db, text);
    if (!before)
        return err_set(e, ERR_NOTFOUND, "date", "%s follows the weekend rule already", text);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_CLEAR_DAY, &st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, rc, NULL, "database error");
    }
    db_bind_text(st, 1, text);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, rc, NULL, "database error");
    }
    rc = audit_append(db, who, "clear_day", "calendar_day", day, 0, before, NULL);
    if (rc == 0)
        rc = case_recalc_request(db);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

int calendar_load_builtin(struct db *db, int *loaded)
{
    struct actor sys;
    actor_system(&sys, "builtin-calendar");
    *loaded = 0;
    for (const struct embedded_file *f = embedded_files; f->name; f++) {
        size_t n = strlen(f->name);
        if (n != 9 || strcmp(f->name + 4, ".json") != 0)
            continue; /* calendars are named YYYY.json */
        struct calendar_import imp;
        struct err e = {0};
        int rc = calendar_parse_json(f->text, strlen(f->text), &imp, &e);
        if (rc < 0)
            return rc;
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_KNOWN, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, imp.years[0]);
            rc = db_step(st);
            db_finalize(st);
        }
        if (rc == DB_DONE) {
            rc = db_begin(db);
            if (rc == 0)
                rc = calendar_store_import(db, &sys, &imp, "builtin", &e);
            if (rc == 0)
                rc = db_commit(db);
            else
                db_rollback(db);
            if (rc == 0)
                (*loaded)++;
        }
        calendar_import_free(&imp);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* api_calendar.c - the working-day calendar and the deadline calculator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/date.h"
#include "base/parse.h"
#include "domain/calendar.h"

/* The compiled calendar for this request: from the read cache when nothing
 * changed, else built and cached. The result lives in r->arena or the cache,
 * valid for the request. NULL with an answer set on failure. */
const struct calendar *api_request_calendar(struct req *r)
{
    struct db *db = req_db(r);
    size_t len = 0;
    const struct calendar *c = db_cache_get(db, "calendar", &len);
    if (c) {
        /* a copy: the cache entry may go at the next commit, and a write takes
         * the calendar to the writer thread */
        void *copy = arena_alloc(&r->arena, len);
        if (!copy) {
            req_error(r, ERR_NOMEM, NULL, "out of memory");
            return NULL;
        }
        memcpy(copy, c, len);
        return copy;
    }
    struct calendar *built = NULL;
    int rc = calendar_load(db, &built);
    if (rc < 0) {
        req_error(r, rc, NULL, "cannot read the calendar");
        return NULL;
    }
    size_t size = calendar_size(built);
    db_cache_put(db, "calendar", built, size);
    void *copy = arena_alloc(&r->arena, size);
    if (copy)
        memcpy(copy, built, size);
    free(built);
    if (!copy)
        req_error(r, ERR_NOMEM, NULL, "out of memory");
    return copy;
}

static int missing_answer(struct req *r, const char *field, int year)
{
    char msg[160];
    snprintf(msg, sizeof(msg),
             "no working-day calendar for %d: import the State Council's holiday notice for %d",
             year, year);
    return req_error_status(r, 422, "calendar_missing", field, msg);
}

/* "2026-02-10:2026-02-20,2026-03-01:" into pauses (the last may be open) */
static int parse_pauses(const char *s, struct calendar_pause *p, int *n)
{
    *n = 0;
    if (!s || !*s)
        return 0;
    while (*s) {
        if (*n >= CALENDAR_MAX_PAUSES)
            return ERR_INVALID;
        char a[DATE_TEXT], b[DATE_TEXT];
        const char *colon = strchr(s, ':');
        if (!colon || colon - s != 10)
            return ERR_INVALID;
        memcpy(a, s, 10);
        a[10] = '\0';
        const char *rest = colon + 1;
        size_t blen = strcspn(rest, ",");
        if (blen != 0 && blen != 10)
            return ERR_INVALID;
        memcpy(b, rest, blen);
        b[blen] = '\0';
        if (date_parse(a, &p[*n].stop) < 0)
            return ERR_INVALID;
        p[*n].resume = -1;
        if (blen && date_parse(b, &p[*n].resume) < 0)
            return ERR_INVALID;
        (*n)++;
        s = rest + blen;
        if (*s == ',') {
            s++;
            if (!*s)
                return ERR_INVALID;
        }
    }
    return 0;
}

int api_calendar_due(struct req *r)
{
    const char *from_s = req_query(r, "from");
    int64_t workdays = -1, days = -1, hours = -1, at = -1;
    if (req_query_int(r, "workdays", 0, CALENDAR_MAX_LIMIT, &workdays) < 0 ||
        req_query_int(r, "days", 0, CALENDAR_MAX_LIMIT, &days) < 0 ||
        req_query_int(r, "hours", 0, (int64_t)24 * 366, &hours) < 0 ||
        req_query_int(r, "at", 0, INT64_C(253402300799), &at) < 0)
        return REQ_DONE;
    const char *pauses_s = req_query(r, "pauses");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    int given = (workdays >= 0) + (days >= 0) + (hours >= 0);
    if (given != 1)
        return req_error(r, ERR_INVALID, "workdays", "give exactly one of workdays, days or hours");
    if (hours >= 0) {
        if (at < 0)
            return req_error(r, ERR_INVALID, "at", "hours need at (epoch seconds)");
        return req_json(r, 200,
                        json_pack("{s:I,s:I,s:I}", "at", (json_int_t)at, "hours", (json_int_t)hours,
                                  "due_at", (json_int_t)calendar_add_hours(at, (int)hours)));
    }
    int32_t from;
    if (!from_s || date_parse(from_s, &from) < 0)
        return req_error(r, ERR_INVALID, "from", "from must be a real date as YYYY-MM-DD");
    struct calendar_pause pauses[CALENDAR_MAX_PAUSES];
    int npauses = 0;
    if (parse_pauses(pauses_s, pauses, &npauses) < 0)
        return req_error(r, ERR_INVALID, "pauses",
                         "pauses must be STOP:RESUME pairs of dates, comma-separated");
    const struct calendar *c = api_request_calendar(r);
    if (!c)
        return REQ_DONE;
    struct calendar_deadline d;
    int missing = 0;
    enum calendar_unit unit = workdays >= 0 ? CAL_WORKDAYS : CAL_DAYS;
    int n = (int)(workdays >= 0 ? workdays : days);
    const char *field = workdays >= 0 ? "workdays" : "days";
    int rc = calendar_deadline(c, from, n, unit, pauses, npauses, &d, &missing);
    if (rc == ERR_CALENDAR)
        return missing_answer(r, field, missing);
    if (rc < 0)
        return req_error(r, ERR_INVALID, "pauses",
                         "pauses must be in order, after from, each resuming after it stops");
    json_t *j = json_pack("{s:s,s:i}", "from", from_s, field, n);
    if (d.open) {
        json_object_set_new(j, "due", json_null());
        json_object_set_new(j, "paused", json_true());
        json_object_set_new(j, "remaining", json_integer(d.remaining));
    } else {
        char due[DATE_TEXT];
        date_format(d.due, due);
        json_object_set_new(j, "due", json_string(due));
    }
    if (npauses)
        json_object_set_new(j, unit == CAL_WORKDAYS ? "paused_workdays" : "paused_days",
                            json_integer(d.paused_units));
    return req_json(r, 200, j);
}

int api_calendar_years(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct calendar_year_info years[CALENDAR_MAX_SPAN_YEARS];
    int n = 0;
    int rc = calendar_years(req_db(r), years, CALENDAR_MAX_SPAN_YEARS, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:i,s:s,s:I,s:i,s:i}", "year", years[i].year,
                                             "source", years[i].source, "imported_at",
                                             (json_int_t)years[i].imported_at, "off_days",
                                             years[i].off_days, "workdays", years[i].workdays));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

int api_calendar_year(struct req *r)
{
    int64_t year;
    if (r->nparams < 1 || parse_int64(r->params[0], DATE_MIN_YEAR, DATE_MAX_YEAR, &year) < 0)
        return req_error(r, ERR_NOTFOUND, NULL, "no such year");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct calendar_day *days;
    struct calendar_year_info info;
    int n = 0;
    int rc = calendar_year_days(req_db(r), (int)year, &r->arena, &days, &n, &info);
    if (rc == ERR_NOTFOUND)
        return req_json(r, 200, json_pack("{s:i,s:b,s:[]}", "year", (int)year, "known", 0, "days"));
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char text[DATE_TEXT];
        date_format(days[i].day, text);
        json_array_append_new(arr, json_pack("{s:s,s:b,s:s}", "date", text, "is_off",
                                             days[i].is_off, "name", days[i].name));
    }
    return req_json(r, 200,
                    json_pack("{s:i,s:b,s:s,s:I,s:o}", "year", (int)year, "known", 1, "source",
                              info.source, "imported_at", (json_int_t)info.imported_at, "days",
                              arr));
}

struct day_op {
    struct api_op op;
    int32_t day;
    int is_off;
    char *name;
    char text[DATE_TEXT];
    struct calendar_import imp;
    const char *source;
};

static int run_set_day(struct db *db, struct api_op *op, struct err *e)
{
    struct day_op *d = (struct day_op *)op;
    int rc = calendar_set_day(db, &op->who, d->day, d->is_off, d->name, e);
    if (rc == 0)
        op->result =
            json_pack("{s:s,s:b,s:s}", "date", d->text, "is_off", d->is_off, "name", d->name);
    return rc;
}

static int day_param(struct req *r, struct day_op *d)
{
    if (r->nparams < 1 || date_parse(r->params[0], &d->day) < 0) {
        req_error(r, ERR_INVALID, "date", "the date must be a real date as YYYY-MM-DD");
        return ERR_INVALID;
    }
    date_format(d->day, d->text);
    return 0;
}

static int require_editor(struct req *r)
{
    if (calendar_may_edit(&r->who))
        return 0;
    req_error(r, ERR_FORBIDDEN, NULL,
              "only an administrator of a root node may edit the national calendar");
    return ERR_FORBIDDEN;
}

int api_calendar_set_day(struct req *r)
{
    struct day_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"is_off", JF_BOOL, 1, &d->is_off, 0, 0, NULL},
        {"name", JF_STRING, 1, &d->name, 1, CALENDAR_NAME_MAX, NULL},
    };
    if (require_editor(r) < 0 || req_query_done(r) < 0 || day_param(r, d) < 0 ||
        api_body(r, f, 2) < 0)
        return REQ_DONE;
    d->op.run = run_set_day;
    return api_submit(r, &d->op);
}

static int run_clear_day(struct db *db, struct api_op *op, struct err *e)
{
    struct day_op *d = (struct day_op *)op;
    return calendar_clear_day(db, &op->who, d->day, e);
}

static int clear_after(struct req *r, int rc, struct err *e)
{
    if (rc < 0)
        return req_fail(r, e);
    return req_json(r, 204, NULL);
}

int api_calendar_clear_day(struct req *r)
{
    struct day_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (require_editor(r) < 0 || req_query_done(r) < 0 || day_param(r, d) < 0)
        return REQ_DONE;
    d->op.run = run_clear_day;
    return api_submit_with(r, &d->op, clear_after);
}

static int run_import(struct db *db, struct api_op *op, struct err *e)
{
    struct day_op *d = (struct day_op *)op;
    int rc = calendar_store_import(db, &op->who, &d->imp, d->source, e);
    if (rc == 0) {
        json_t *years = json_array();
        for (int i = 0; i < d->imp.nyears; i++)
            json_array_append_new(years, json_integer(d->imp.years[i]));
        op->result = json_pack("{s:o,s:i}", "years", years, "days", d->imp.ndays);
    }
    return rc;
}

static int import_after(struct req *r, int rc, struct err *e)
{
    struct day_op *d = r->job.arg;
    calendar_import_free(&d->imp);
    return api_op_after(r, rc, e);
}

int api_calendar_import(struct req *r)
{
    if (require_editor(r) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    const char *ct = req_header_in(r, "Content-Type");
    struct day_op *d = arena_alloc(&r->arena, sizeof(*d));
    if (!d)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct err e = {0};
    int rc;
    if (ct && strncmp(ct, "application/json", 16) == 0) {
        d->source = "json";
        rc = calendar_parse_json(r->body ? r->body : "", r->body_len, &d->imp, &e);
    } else if (ct && strncmp(ct, "text/calendar", 13) == 0) {
        d->source = "ics";
        rc = calendar_parse_ics(r->body ? r->body : "", r->body_len, &d->imp, &e);
    } else {
        return req_error(r, ERR_UNSUPPORTED, NULL,
                         "send a holiday-cn JSON file (application/json) or iCalendar "
                         "(text/calendar)");
    }
    if (rc < 0)
        return req_fail(r, &e);
    d->op.run = run_import;
    return api_submit_with(r, &d->op, import_after);
}

static const struct route calendar_routes[] = {
    {HTTP_GET, "/api/calendar/years", api_calendar_years, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/calendar/due", api_calendar_due, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_POST, "/api/calendar/import", api_calendar_import, ROUTE_RAW_BODY, CALENDAR_FILE_MAX,
     NULL, 0},
    {HTTP_PUT, "/api/calendar/days/{date}", api_calendar_set_day, 0, 0, NULL, 0},
    {HTTP_DELETE, "/api/calendar/days/{date}", api_calendar_clear_day, 0, 0, NULL, 0},
    {HTTP_GET, "/api/calendar/{year}", api_calendar_year, ROUTE_PUBLIC, 0, NULL, 0},
};

const struct api_module api_calendar_module = {calendar_routes, sizeof(calendar_routes) /
                                                                    sizeof(calendar_routes[0])};

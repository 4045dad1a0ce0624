/* calendar_parse.c - reading calendar files from outside (holiday-cn JSON and
 * iCalendar) into a struct calendar_import. No database: fuzzed on its own. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/date.h"
#include "base/parse.h"
#include "domain/calendar.h"

void calendar_import_free(struct calendar_import *imp)
{
    free(imp->days);
    imp->days = NULL;
    imp->ndays = 0;
}

static int add_day(struct calendar_import *imp, int *cap, int32_t day, int is_off, const char *name)
{
    for (int i = 0; i < imp->ndays; i++)
        if (imp->days[i].day == day)
            return ERR_CONFLICT;
    if (imp->ndays == *cap) {
        if (*cap >= 2000)
            return ERR_TOOLARGE;
        *cap = *cap ? *cap * 2 : 64;
        struct calendar_day *grown = realloc(imp->days, sizeof(*imp->days) * (size_t)*cap);
        if (!grown)
            return ERR_NOMEM;
        imp->days = grown;
    }
    struct calendar_day *d = &imp->days[imp->ndays++];
    d->day = day;
    d->is_off = is_off;
    snprintf(d->name, sizeof(d->name), "%s", name);
    return 0;
}

static int add_year(struct calendar_import *imp, int year)
{
    for (int i = 0; i < imp->nyears; i++)
        if (imp->years[i] == year)
            return 0;
    if (imp->nyears >= (int)(sizeof(imp->years) / sizeof(imp->years[0])))
        return ERR_TOOLARGE;
    imp->years[imp->nyears++] = year;
    return 0;
}

int calendar_parse_json(const char *text, size_t len, struct calendar_import *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    if (len > CALENDAR_FILE_MAX)
        return err_set(e, ERR_TOOLARGE, NULL, "the file is larger than %zu bytes",
                       CALENDAR_FILE_MAX);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return err_set(e, ERR_INVALID, "", "malformed JSON at line %d: %.80s", je.line, je.text);
    int rc = 0, cap = 0;
    json_t *jy = json_object_get(root, "year"), *jd = json_object_get(root, "days");
    if (!json_is_object(root)) {
        rc = err_set(e, ERR_INVALID, "", "the file must hold one JSON object");
        goto out;
    }
    if (!json_is_integer(jy) || json_integer_value(jy) < DATE_MIN_YEAR ||
        json_integer_value(jy) > DATE_MAX_YEAR) {
        rc = err_set(e, ERR_INVALID, "year", "year must be a year number");
        goto out;
    }
    int year = (int)json_integer_value(jy);
    if (!json_is_array(jd)) {
        rc = err_set(e, ERR_INVALID, "days", "days must be an array");
        goto out;
    }
    add_year(out, year);
    size_t i;
    json_t *d;
    json_array_foreach(jd, i, d)
    {
        char f[48];
        json_t *name = json_object_get(d, "name"), *date = json_object_get(d, "date"),
               *off = json_object_get(d, "isOffDay");
        int32_t day;
        if (!json_is_object(d)) {
            snprintf(f, sizeof(f), "days[%zu]", i);
            rc = err_set(e, ERR_INVALID, f, "each day must be an object");
            goto out;
        }
        snprintf(f, sizeof(f), "days[%zu].date", i);
        if (!json_is_string(date) || date_parse(json_string_value(date), &day) < 0) {
            rc = err_set(e, ERR_INVALID, f, "date must be a real date as YYYY-MM-DD");
            goto out;
        }
        if (date_year(day) != year) {
            rc = err_set(e, ERR_INVALID, f, "%s is not in %d", json_string_value(date), year);
            goto out;
        }
        snprintf(f, sizeof(f), "days[%zu].isOffDay", i);
        if (!json_is_boolean(off)) {
            rc = err_set(e, ERR_INVALID, f, "isOffDay must be true or false");
            goto out;
        }
        snprintf(f, sizeof(f), "days[%zu].name", i);
        if (!json_is_string(name) ||
            parse_text(json_string_value(name), 1, CALENDAR_NAME_MAX, 0) < 0) {
            rc = err_set(e, ERR_INVALID, f, "name must have 1-%d characters", CALENDAR_NAME_MAX);
            goto out;
        }
        int r = add_day(out, &cap, day, json_is_true(off), json_string_value(name));
        if (r == ERR_CONFLICT) {
            snprintf(f, sizeof(f), "days[%zu].date", i);
            rc = err_set(e, ERR_INVALID, f, "%s appears twice", json_string_value(date));
            goto out;
        }
        if (r < 0) {
            rc = err_set(e, r, "days", "too many days");
            goto out;
        }
    }
out:
    json_decref(root);
    if (rc < 0)
        calendar_import_free(out);
    return rc;
}

/* one unfolded iCalendar line: name (before ';' or ':'), params, value */
static int ics_value(const char *line, const char *name, const char **params, const char **value)
{
    size_t n = strlen(name);
    if (strncasecmp(line, name, n) != 0 || (line[n] != ':' && line[n] != ';'))
        return 0;
    const char *colon = strchr(line + n, ':');
    if (!colon)
        return 0;
    *params = line + n;
    *value = colon + 1;
    return 1;
}

int calendar_parse_ics(const char *text, size_t len, struct calendar_import *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    if (len > CALENDAR_FILE_MAX)
        return err_set(e, ERR_TOOLARGE, NULL, "the file is larger than %zu bytes",
                       CALENDAR_FILE_MAX);
    char *buf = malloc(len + 1);
    if (!buf)
        return ERR_NOMEM;
    /* unfold: CRLF (or LF) followed by a space or tab continues the line */
    size_t o = 0;
    int lines_in = 1;
    int *origin = malloc(sizeof(int) * (len + 1)); /* starting line of each output byte */
    if (!origin) {
        free(buf);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r')
            continue;
        if (text[i] == '\n') {
            lines_in++;
            if (i + 1 < len && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
                i++;
                continue;
            }
        }
        origin[o] = lines_in - (text[i] == '\n');
        buf[o++] = text[i] == '\0' ? ' ' : text[i];
    }
    buf[o] = '\0';
    int rc = 0, cap = 0, in_event = 0, seen_calendar = 0, event_line = 0;
    int32_t start = -1, end = -1;
    char summary[CALENDAR_NAME_MAX * 4 + 1] = "";
    char *save = NULL;
    size_t pos = 0;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        pos = (size_t)(line - buf);
        int lineno = origin[pos];
        const char *params, *value;
        char where[24];
        snprintf(where, sizeof(where), "line %d", lineno);
        if (strcasecmp(line, "BEGIN:VCALENDAR") == 0) {
            seen_calendar = 1;
        } else if (strcasecmp(line, "BEGIN:VEVENT") == 0) {
            if (in_event) {
                rc = err_set(e, ERR_INVALID, where, "an event starts inside another");
                break;
            }
            in_event = 1;
            event_line = lineno;
            start = end = -1;
            summary[0] = '\0';
        } else if (strcasecmp(line, "END:VEVENT") == 0) {
            char at[24];
            snprintf(at, sizeof(at), "line %d", event_line);
            if (!in_event || start < 0) {
                rc = err_set(e, ERR_INVALID, at, "an event without DTSTART");
                break;
            }
            in_event = 0;
            if (end < 0)
                end = start + 1;
            if (end <= start || end - start > 60) {
                rc = err_set(e, ERR_INVALID, at, "DTEND must follow DTSTART within 60 days");
                break;
            }
            int is_work = strstr(summary, "班") != NULL || strcasestr(summary, "workday") != NULL;
            const char *name = summary[0] ? summary : (is_work ? "调休上班" : "放假");
            for (int32_t d = start; d < end && rc == 0; d++) {
                int r = add_year(out, date_year(d));
                if (r == 0)
                    r = add_day(out, &cap, d, !is_work, name);
                if (r == ERR_CONFLICT) {
                    char dt[DATE_TEXT];
                    date_format(d, dt);
                    rc = err_set(e, ERR_INVALID, at, "%s appears in two events", dt);
                } else if (r < 0) {
                    rc = err_set(e, r, at, "too many days or years in one file");
                }
            }
            if (rc < 0)
                break;
        } else if (in_event && ics_value(line, "DTSTART", &params, &value)) {
            if (date_parse_compact(value, &start) < 0) {
                rc = err_set(e, ERR_INVALID, where, "DTSTART must be a date (YYYYMMDD)");
                break;
            }
        } else if (in_event && ics_value(line, "DTEND", &params, &value)) {
            if (date_parse_compact(value, &end) < 0) {
                rc = err_set(e, ERR_INVALID, where, "DTEND must be a date (YYYYMMDD)");
                break;
            }
        } else if (in_event && ics_value(line, "SUMMARY", &params, &value)) {
            if (parse_text(value, 0, CALENDAR_NAME_MAX, 0) < 0) {
                rc = err_set(e, ERR_INVALID, where, "SUMMARY must have at most %d characters",
                             CALENDAR_NAME_MAX);
                break;
            }
            snprintf(summary, sizeof(summary), "%s", value);
        }
    }
    if (rc == 0 && !seen_calendar)
        rc = err_set(e, ERR_INVALID, "line 1", "not an iCalendar file (no BEGIN:VCALENDAR)");
    if (rc == 0 && in_event)
        rc = err_set(e, ERR_INVALID, "", "the last event is not closed");
    if (rc == 0 && out->ndays == 0)
        rc = err_set(e, ERR_INVALID, "", "the file holds no all-day events");
    free(origin);
    free(buf);
    if (rc < 0)
        calendar_import_free(out);
    return rc;
}

/* case_read.c - reading cases: one with its history, lists, the public
 * status, the warning scan, and the working-day clock of a case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "domain/case_impl.h"
#include "domain/org.h"
#include "domain/queue.h"

static const char *const STATE_NAMES[] = {"",
                                          "received",
                                          "supplement_requested",
                                          "supplemented",
                                          "accepted",
                                          "in_progress",
                                          "decided",
                                          "completed",
                                          "returned",
                                          "withdrawn"};

const char *case_state_name(enum case_state s)
{
    return s >= CASE_RECEIVED && s <= CASE_WITHDRAWN ? STATE_NAMES[s] : "";
}

enum case_state case_state_parse(const char *s)
{
    for (int i = CASE_RECEIVED; s && i <= CASE_WITHDRAWN; i++)
        if (strcmp(s, STATE_NAMES[i]) == 0)
            return (enum case_state)i;
    return 0;
}

void case_today(int64_t now, char out[DATE_TEXT])
{
    queue_service_day(now, out);
}

static enum calendar_unit cal_unit(const char *u, int *n)
{
    if (strcmp(u, "hours") == 0) {
        *n /= 24; /* same-day limits: due on the day they end */
        return CAL_DAYS;
    }
    return strcmp(u, "days") == 0 ? CAL_DAYS : CAL_WORKDAYS;
}

/* units counted in (a, b] */
static int units_between(const struct calendar *cal, enum calendar_unit u, int32_t a, int32_t b,
                         int *count, int *missing)
{
    if (u == CAL_DAYS) {
        *count = b > a ? (int)(b - a) : 0;
        return 0;
    }
    int32_t c = 0;
    int rc = calendar_workdays_between(cal, a, b, &c, missing);
    *count = (int)c;
    return rc;
}

int case_clock_compute(const struct calendar *cal, const char *received_day, int n,
                       const char *unit, const struct case_pause_row *pauses, int npauses,
                       const char *today, int yellow_pct, int has_clock, struct case_clock *out,
                       int *missing_year)
{
    memset(out, 0, sizeof(*out));
    out->has_clock = has_clock;
    out->unit = unit;
    out->level = "none";
    if (!has_clock)
        return 0;
    int32_t from, td;
    if (date_parse(received_day, &from) < 0 || date_parse(today, &td) < 0 ||
        npauses > CALENDAR_MAX_PAUSES)
        return ERR_INVALID;
    struct calendar_pause cp[CALENDAR_MAX_PAUSES];
    for (int i = 0; i < npauses; i++) {
        if (date_parse(pauses[i].stop_day, &cp[i].stop) < 0)
            return ERR_INVALID;
        cp[i].resume = -1;
        if (pauses[i].resume_day && date_parse(pauses[i].resume_day, &cp[i].resume) < 0)
            return ERR_INVALID;
    }
    int limit = n;
    enum calendar_unit u = cal_unit(unit, &limit);
    struct calendar_deadline dl;
    int rc = calendar_deadline(cal, from, limit, u, cp, npauses, &dl, missing_year);
    if (rc < 0)
        return rc;
    if (dl.open) {
        out->paused = 1;
        out->remaining = dl.remaining;
        out->used = limit - dl.remaining;
        out->level = "paused";
        return 0;
    }
    date_format(dl.due, out->promised_due);
    int k = (limit * yellow_pct + 99) / 100;
    if (k < 1)
        k = 1;
    if (k > limit)
        k = limit;
    struct calendar_deadline yl;
    rc = calendar_deadline(cal, from, k, u, cp, npauses, &yl, missing_year);
    if (rc < 0)
        return rc;
    date_format(yl.due, out->yellow_day);
    int cnt = 0;
    if (td <= dl.due)
        rc = units_between(cal, u, td, dl.due, &cnt, missing_year);
    else {
        rc = units_between(cal, u, dl.due, td, &cnt, missing_year);
        cnt = -cnt;
    }
    if (rc < 0)
        return rc;
    out->remaining = cnt;
    out->used = limit - cnt;
    out->level = td > dl.due ? "overdue" : td == dl.due ? "red" : td >= yl.due ? "yellow" : "none";
    return 0;
}

static const char *dup(struct arena *a, struct db_stmt *st, int col)
{
    if (db_col_is_null(st, col))
        return NULL;
    return arena_strdup(a, db_col_text(st, col));
}

/* Room for one more element in an arena array of n elements of size bytes
 * (doubling *cap); NULL when out of memory. */
static void *grow(struct arena *a, void **arr, int n, int *cap, size_t size)
{
    if (n == *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        void *p = arena_alloc(a, size * (size_t)ncap);
        if (!p)
            return NULL;
        if (n)
            memcpy(p, *arr, size * (size_t)n);
        *arr = p;
        *cap = ncap;
    }
    return (char *)*arr + size * (size_t)n;
}

/* the pauses of a case, oldest first */
static int read_pauses(struct db *db, int64_t id, struct arena *a, struct case_pause_row **out,
                       int *n)
{
    struct db_stmt *st = NULL;
    *out = NULL;
    *n = 0;
    int rc = db_prepare(db,
                        "SELECT id, kind, stop_day, resume_day, reason FROM case_pause"
                        " WHERE case_id = ?1 ORDER BY id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    int cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct case_pause_row *p = grow(a, (void **)out, *n, &cap, sizeof(*p));
        if (!p) {
            rc = ERR_NOMEM;
            break;
        }
        (*n)++;
        p->id = db_col_int64(st, 0);
        p->kind = dup(a, st, 1);
        p->stop_day = dup(a, st, 2);
        p->resume_day = dup(a, st, 3);
        p->reason = dup(a, st, 4);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int clock_of(struct db *db, const struct calendar *cal, struct case_rec *r, int plimit,
                    const char *punit, int llimit, const char *lunit, int ext, int64_t region,
                    const char *today, struct arena *a, int *missing)
{
    int has_clock = strcmp(r->kind, "promised") == 0;
    if (!r->pauses) {
        int prc = read_pauses(db, r->id, a, &r->pauses, &r->npauses);
        if (prc < 0)
            return prc;
    }
    if (!has_clock) {
        memset(&r->clock, 0, sizeof(r->clock));
        r->clock.unit = punit;
        r->clock.level = r->open ? "none" : "done";
        r->clock.promised_limit = plimit;
        r->clock.legal_limit = llimit;
        return 0;
    }
    struct case_settings cs;
    int rc = case_settings_get(db, region, &cs);
    if (rc == 0 && !r->pauses)
        rc = read_pauses(db, r->id, a, &r->pauses, &r->npauses);
    if (rc < 0)
        return rc;
    const char *at = !r->open && r->closed_day ? r->closed_day : today;
    rc = case_clock_compute(cal, r->received_day, case_limit_with(plimit, ext, punit), punit,
                            r->pauses, r->npauses, at, cs.yellow_pct, 1, &r->clock, missing);
    if (rc < 0)
        return rc;
    struct case_clock legal;
    int lmissing = 0;
    rc = case_clock_compute(cal, r->received_day, llimit, lunit, r->pauses, r->npauses, at,
                            cs.yellow_pct, 1, &legal, &lmissing);
    if (rc == ERR_CALENDAR) /* the promised date is known; the legal one waits for the year */
        r->clock.legal_missing_year = lmissing;
    else if (rc < 0)
        return rc;
    else
        memcpy(r->clock.legal_due, legal.promised_due, sizeof(legal.promised_due));
    r->clock.promised_limit = plimit;
    r->clock.legal_limit = llimit;
    r->clock.extension_days = ext;
    if (!r->open)
        r->clock.level = "done";
    return 0;
}

int case_read_row(struct db *db, struct db_stmt *st, const struct calendar *cal, const char *today,
                  struct arena *a, struct case_rec *r, int *missing_year)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->number = dup(a, st, 1);
    r->item_id = db_col_int64(st, 2);
    r->version_id = db_col_int64(st, 3);
    r->item_code = dup(a, st, 4);
    r->item_name = dup(a, st, 5);
    r->kind = dup(a, st, 6);
    r->node_id = db_col_int64(st, 7);
    r->node_name = dup(a, st, 8);
    r->node_path = dup(a, st, 9);
    r->handler_id = db_col_int64(st, 10);
    r->handler_name = dup(a, st, 11);
    r->first_owner_id = db_col_int64(st, 12);
    r->first_owner_name = dup(a, st, 13);
    r->registered_by = db_col_int64(st, 14);
    r->ticket_id = db_col_int64(st, 15);
    r->inquiry_id = db_col_int64(st, 16);
    r->window_id = db_col_int64(st, 17);
    r->applicant_kind = dup(a, st, 18);
    r->applicant_name = dup(a, st, 19);
    r->phone_mask = dup(a, st, 20);
    r->id_mask = dup(a, st, 21);
    r->org_code = dup(a, st, 22);
    r->agent_name = dup(a, st, 23);
    r->agent_phone_mask = dup(a, st, 24);
    r->agent_id_mask = dup(a, st, 25);
    r->modes = dup(a, st, 26);
    r->state = case_state_parse(db_col_text(st, 27));
    r->open = (int)db_col_int64(st, 28);
    r->paused = (int)db_col_int64(st, 29);
    r->decision = dup(a, st, 30);
    r->received_day = dup(a, st, 31);
    r->received_at = db_col_int64(st, 32);
    r->closed_at = db_col_int64(st, 33);
    r->created_at = db_col_int64(st, 34);
    r->updated_at = db_col_int64(st, 35);
    r->closed_day = dup(a, st, 36);
    r->outcome = dup(a, st, 37);
    int plimit = (int)db_col_int64(st, 38);
    const char *punit = dup(a, st, 39);
    int llimit = (int)db_col_int64(st, 40);
    const char *lunit = dup(a, st, 41);
    int ext = (int)db_col_int64(st, 42);
    int64_t region = db_col_int64(st, 47);
    if (!r->number || !r->kind || !r->received_day || !punit || !lunit)
        return ERR_NOMEM;
    return clock_of(db, cal, r, plimit, punit, llimit, lunit, ext, region, today, a, missing_year);
}

/* ---- one case ---- */

static int read_materials(struct db *db, struct case_rec *r, struct arena *a)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT cm.material_id, cm.name, cm.required, cm.received_at IS NOT NULL,"
                        " cm.requested FROM case_material cm"
                        " LEFT JOIN catalog_material m ON m.id = cm.material_id"
                        " WHERE cm.case_id = ?1 ORDER BY COALESCE(m.seq, 0), cm.material_id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    r->materials = arena_alloc(a, sizeof(*r->materials) * CASE_MATERIALS_MAX);
    if (!r->materials) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    while ((rc = db_step(st)) == DB_ROW && r->nmaterials < CASE_MATERIALS_MAX) {
        struct case_material_row *m = &r->materials[r->nmaterials++];
        m->material_id = db_col_int64(st, 0);
        m->name = dup(a, st, 1);
        m->required = (int)db_col_int64(st, 2);
        m->received = (int)db_col_int64(st, 3);
        m->requested = (int)db_col_int64(st, 4);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int read_events(struct db *db, struct case_rec *r, struct arena *a)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT id, kind, from_state, to_state, COALESCE(staff_id, 0), actor,"
                        " COALESCE(node_id, 0), detail, at FROM case_event WHERE case_id = ?1"
                        " ORDER BY id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    int cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct case_event_row *ev = grow(a, (void **)&r->events, r->nevents, &cap, sizeof(*ev));
        if (!ev) {
            rc = ERR_NOMEM;
            break;
        }
        r->nevents++;
        ev->id = db_col_int64(st, 0);
        ev->kind = dup(a, st, 1);
        ev->from_state = dup(a, st, 2);
        ev->to_state = dup(a, st, 3);
        ev->staff_id = db_col_int64(st, 4);
        ev->actor = dup(a, st, 5);
        ev->node_id = db_col_int64(st, 6);
        ev->detail = dup(a, st, 7);
        ev->at = db_col_int64(st, 8);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int read_extensions(struct db *db, struct case_rec *r, struct arena *a)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT x.id, x.days, x.reason, x.status, x.requested_by, q.name,"
                        " x.requested_at, COALESCE(x.decided_by, 0), d.name,"
                        " COALESCE(x.decided_at, 0), x.decision_note,"
                        " x.citizen_notice_id IS NOT NULL FROM case_extension x"
                        " JOIN staff q ON q.id = x.requested_by"
                        " LEFT JOIN staff d ON d.id = x.decided_by WHERE x.case_id = ?1"
                        " ORDER BY x.id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    int cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        struct case_extension_row *x =
            grow(a, (void **)&r->extensions, r->nextensions, &cap, sizeof(*x));
        if (!x) {
            rc = ERR_NOMEM;
            break;
        }
        r->nextensions++;
        x->id = db_col_int64(st, 0);
        x->days = (int)db_col_int64(st, 1);
        x->reason = dup(a, st, 2);
        x->status = dup(a, st, 3);
        x->requested_by = db_col_int64(st, 4);
        x->requested_by_name = dup(a, st, 5);
        x->requested_at = db_col_int64(st, 6);
        x->decided_by = db_col_int64(st, 7);
        x->decided_by_name = dup(a, st, 8);
        x->decided_at = db_col_int64(st, 9);
        x->decision_note = dup(a, st, 10);
        x->citizen_notified = (int)db_col_int64(st, 11);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int case_get(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
             int64_t now, struct arena *a, struct case_rec *out, struct err *e)
{
    char today[DATE_TEXT];
    case_today(now, today);
    struct db_stmt *st = NULL;
    int missing = 0;
    int rc = db_prepare(db, "SELECT " CASE_COLS CASE_FROM " WHERE c.id = ?1", &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = case_read_row(db, st, cal, today, a, out, &missing);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no such case");
    if (rc == ERR_CALENDAR)
        return err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (who && !actor_in_scope(who, out->node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "this case is outside your scope");
    rc = read_materials(db, out, a);
    if (rc == 0)
        rc = read_events(db, out, a);
    if (rc == 0)
        rc = read_extensions(db, out, a);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* ---- lists ---- */

/* The lists, one statement per view (each led by its own index); the other
 * filters are switched by their parameters: ?1 ?2 the subtree, ?3 the staff
 * member, ?4 today, ?5 a state (or ''), ?6 ?7 a number or name prefix (or
 * ''), ?8 ?9 the page, ?10 open only, ?11 the level (warn), ?12 only the
 * caller's own (warn). */
#define LIST_FILTERS                                                                               \
    " AND (?5 = '' OR c.state = ?5) AND (?10 = 0 OR c.open = 1)"                                   \
    " AND (?6 = '' OR (c.number >= ?6 AND c.number < ?7)"                                          \
    " OR substr(c.applicant_name, 1, length(?6)) = ?6)"                                            \
    " AND (?11 = 0 OR (?11 = 1 AND c.promised_due > ?4) OR (?11 = 2 AND c.promised_due = ?4)"      \
    " OR (?11 = 3 AND c.promised_due < ?4))"
#define LIST_IN_TREE " AND c.node_path >= ?1 AND c.node_path < ?2"
#define LIST_MINE " WHERE c.handler_id = ?3 AND c.open = 1" LIST_IN_TREE LIST_FILTERS
#define LIST_FIRST " WHERE c.first_owner_id = ?3" LIST_IN_TREE LIST_FILTERS
#define LIST_SCOPE " WHERE c.node_path >= ?1 AND c.node_path < ?2" LIST_FILTERS
#define LIST_WARN                                                                                  \
    " WHERE c.open = 1 AND c.yellow_day <= ?4 AND (?12 = 0 OR c.handler_id = ?3)" LIST_IN_TREE     \
        LIST_FILTERS
#define LIST_PAGE " LIMIT ?8 OFFSET ?9"

static const char *const LIST_COUNT[] = {
    "SELECT COUNT(*)" CASE_FROM LIST_MINE,
    "SELECT COUNT(*)" CASE_FROM LIST_FIRST,
    "SELECT COUNT(*)" CASE_FROM LIST_SCOPE,
    "SELECT COUNT(*)" CASE_FROM LIST_WARN,
};
static const char *const LIST_ROWS[] = {
    "SELECT " CASE_COLS CASE_FROM LIST_MINE " ORDER BY c.id DESC" LIST_PAGE,
    "SELECT " CASE_COLS CASE_FROM LIST_FIRST " ORDER BY c.id DESC" LIST_PAGE,
    "SELECT " CASE_COLS CASE_FROM LIST_SCOPE " ORDER BY c.id DESC" LIST_PAGE,
    "SELECT " CASE_COLS CASE_FROM LIST_WARN " ORDER BY c.promised_due, c.id" LIST_PAGE,
};

int case_list(struct db *db, const struct actor *who, const struct calendar *cal,
              const struct case_filter *f, int64_t now, struct arena *a, struct case_rec **out,
              int *n, int64_t *total, struct err *e)
{
    char today[DATE_TEXT], end[ACTOR_PATH_MAX + 2];
    const char *scope = who->scope;
    struct org_node node;
    case_today(now, today);
    *out = NULL;
    *n = 0;
    *total = 0;
    const char *view = f->view ? f->view : "mine";
    int v_mine = strcmp(view, "mine") == 0, v_first = strcmp(view, "first") == 0;
    int v_scope = strcmp(view, "scope") == 0, v_warn = strcmp(view, "warn") == 0;
    if (!v_mine && !v_first && !v_scope && !v_warn)
        return err_set(e, ERR_INVALID, "view", "view must be mine, first, scope or warn");
    enum case_state state = 0;
    int open_only = 0;
    if (f->state && strcmp(f->state, "open") == 0)
        open_only = 1;
    else if (f->state && !(state = case_state_parse(f->state)))
        return err_set(e, ERR_INVALID, "state", "unknown state");
    int level = 0;
    if (f->level) {
        if (!v_warn)
            return err_set(e, ERR_INVALID, "level", "level goes with view=warn");
        level = strcmp(f->level, "yellow") == 0    ? 1
                : strcmp(f->level, "red") == 0     ? 2
                : strcmp(f->level, "overdue") == 0 ? 3
                                                   : -1;
        if (level < 0)
            return err_set(e, ERR_INVALID, "level", "level must be yellow, red or overdue");
    }
    if (f->node_id) {
        int rc = org_get(db, f->node_id, &node);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (!actor_in_scope(who, node.path))
            return err_set(e, ERR_FORBIDDEN, "node_id", "this node is outside your scope");
        scope = node.path;
    }
    if (!*scope)
        scope = "/"; /* the command line: every tree */
    org_path_end(scope, end, sizeof(end));
    char qend[CASE_NAME_MAX * 4 + 8] = "";
    if (f->q && *f->q)
        snprintf(qend, sizeof(qend), "%s\xf4\x8f\xbf\xbf", f->q);
    int vi = v_mine ? 0 : v_first ? 1 : v_scope ? 2 : 3;
    for (int pass = 0; pass < 2; pass++) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, pass == 0 ? LIST_COUNT[vi] : LIST_ROWS[vi], &st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        db_bind_text(st, 1, scope);
        db_bind_text(st, 2, end);
        db_bind_int64(st, 3, who->staff_id);
        db_bind_text(st, 4, today);
        db_bind_text(st, 5, case_state_name(state));
        db_bind_text(st, 6, f->q ? f->q : "");
        db_bind_text(st, 7, qend);
        db_bind_int64(st, 8, f->per_page);
        db_bind_int64(st, 9, (f->page - 1) * f->per_page);
        db_bind_int64(st, 10, open_only);
        db_bind_int64(st, 11, level);
        db_bind_int64(st, 12, f->mine);
        if (pass == 0) {
            rc = db_step(st);
            if (rc == DB_ROW)
                *total = db_col_int64(st, 0);
            db_finalize(st);
            if (rc < 0)
                return err_set(e, rc, NULL, "database error");
            if (*total == 0)
                return 0;
            *out = arena_alloc(a, sizeof(**out) * (size_t)f->per_page);
            if (!*out)
                return err_set(e, ERR_NOMEM, NULL, "out of memory");
            continue;
        }
        int missing = 0;
        while ((rc = db_step(st)) == DB_ROW && *n < f->per_page) {
            rc = case_read_row(db, st, cal, today, a, &(*out)[*n], &missing);
            if (rc < 0)
                break;
            (*n)++;
        }
        db_finalize(st);
        if (rc == ERR_CALENDAR)
            return err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
    }
    return 0;
}

int case_extensions_pending(struct db *db, const char *path, struct arena *a,
                            struct case_ext_pending **out, int max, int *n)
{
    char end[ACTOR_PATH_MAX + 2];
    org_path_end(path, end, sizeof(end));
    struct db_stmt *st = NULL;
    *n = 0;
    *out = arena_alloc(a, sizeof(**out) * (size_t)max);
    if (!*out)
        return ERR_NOMEM;
    int rc = db_prepare(db,
                        "SELECT x.id, c.id, c.number, c.item_name, s.name, x.days, x.reason,"
                        " x.requested_at, c.promised_due, c.legal_due, x.requested_by"
                        " FROM case_extension x JOIN case_file c ON c.id = x.case_id"
                        " JOIN staff s ON s.id = x.requested_by WHERE x.status = 'pending'"
                        " AND (?1 = '' OR (c.node_path >= ?1 AND c.node_path < ?2))"
                        " ORDER BY x.id LIMIT ?3",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, path);
    db_bind_text(st, 2, end);
    db_bind_int64(st, 3, max);
    while ((rc = db_step(st)) == DB_ROW && *n < max) {
        struct case_ext_pending *x = &(*out)[(*n)++];
        x->id = db_col_int64(st, 0);
        x->case_id = db_col_int64(st, 1);
        x->case_number = dup(a, st, 2);
        x->item_name = dup(a, st, 3);
        x->handler_name = dup(a, st, 4);
        x->days = (int)db_col_int64(st, 5);
        x->reason = dup(a, st, 6);
        x->requested_at = db_col_int64(st, 7);
        x->promised_due = dup(a, st, 8);
        x->legal_due = dup(a, st, 9);
        x->requested_by = db_col_int64(st, 10);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- the public status ---- */

void case_query_hash(const char *number, const char *code, char out[CRYPTO_SHA256_HEX])
{
    char buf[CASE_NUMBER_MAX + CASE_QUERY_CODE_LEN + 4];
    char up[CASE_QUERY_CODE_LEN + 1];
    size_t i = 0;
    for (; i < CASE_QUERY_CODE_LEN && code[i]; i++)
        up[i] = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];
    up[i] = '\0';
    snprintf(buf, sizeof(buf), "%s:%s", number, up);
    crypto_sha256_hex(buf, strlen(buf), out);
}

int case_public_status(struct db *db, const struct calendar *cal, const char *number,
                       const char *code, int64_t now, struct arena *a, struct case_public *out,
                       struct err *e)
{
    char h[CRYPTO_SHA256_HEX];
    if (!number || !code || strlen(number) > CASE_NUMBER_MAX || strlen(code) != CASE_QUERY_CODE_LEN)
        return err_set(e, ERR_NOTFOUND, NULL, "no case with this number and query code");
    case_query_hash(number, code, h);
    struct db_stmt *st = NULL;
    int rc = db_prepare(
        db, "SELECT " CASE_COLS CASE_FROM " WHERE c.number = ?1 AND c.query_hash = ?2", &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, number);
    db_bind_text(st, 2, h);
    struct case_rec r;
    char today[DATE_TEXT];
    int missing = 0;
    memset(&r, 0, sizeof(r));
    case_today(now, today);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = case_read_row(db, st, cal, today, a, &r, &missing);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    if (rc == ERR_NOTFOUND)
        return err_set(e, rc, NULL, "no case with this number and query code");
    if (rc == ERR_CALENDAR)
        return err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    memset(out, 0, sizeof(*out));
    out->number = r.number;
    out->item_name = r.item_name;
    out->state = case_state_name(r.state);
    out->received_day = r.received_day;
    out->unit_name = r.node_name;
    out->expected_day = r.open && r.clock.has_clock && r.clock.promised_due[0]
                            ? arena_strdup(a, r.clock.promised_due)
                        : !r.open            ? r.closed_day
                        : !r.clock.has_clock ? r.received_day
                                             : NULL;
    out->last_update = r.updated_at;
    rc = db_prepare(db, "SELECT kind FROM case_event WHERE case_id = ?1 ORDER BY id DESC LIMIT 1",
                    &st);
    if (rc == 0) {
        db_bind_int64(st, 1, r.id);
        if ((rc = db_step(st)) == DB_ROW)
            out->last_event = arena_strdup(a, db_col_text(st, 0));
        db_finalize(st);
    }
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* ---- the warning scan ---- */

int case_warn_scan(struct db *db, const char *path, const char *today, struct case_warn_counts *c,
                   int64_t *ids, int max_ids, int *nids)
{
    char end[ACTOR_PATH_MAX + 2];
    struct db_stmt *st = NULL;
    memset(c, 0, sizeof(*c));
    if (nids)
        *nids = 0;
    int all = !path || !*path;
    if (!all)
        org_path_end(path, end, sizeof(end));
    int rc = db_prepare(db,
                        all ? "SELECT id, promised_due FROM case_file"
                              " WHERE open = 1 AND yellow_day <= ?1"
                            : "SELECT id, promised_due FROM case_file"
                              " WHERE open = 1 AND yellow_day <= ?1"
                              " AND node_path >= ?2 AND node_path < ?3",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, today);
    if (!all) {
        db_bind_text(st, 2, path);
        db_bind_text(st, 3, end);
    }
    while ((rc = db_step(st)) == DB_ROW) {
        const char *due = db_col_text(st, 1);
        int cmp = due ? strcmp(due, today) : 1;
        if (cmp < 0)
            c->overdue++;
        else if (cmp == 0)
            c->red++;
        else
            c->yellow++;
        if (ids && nids && *nids < max_ids)
            ids[(*nids)++] = db_col_int64(st, 0);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* case.c - writing cases: registration, the state machine, clocks kept in
 * the row, transfer, extensions, query codes, contact reads, the warning
 * sweep, and the records completion opens (accountability, follow-up). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/log.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "domain/inquiry.h"
#include "domain/case_impl.h"
#include "domain/score.h"
#include "domain/evaluation.h"
#include "domain/org.h"
#include "domain/staff.h"

static int dbfail(struct err *e, int rc)
{
    return err_set(e, rc, NULL, "database error");
}

static int calfail(struct err *e, int rc, int missing)
{
    if (rc == ERR_CALENDAR)
        return err_set(e, rc, NULL, "the working-day calendar has no data for %d", missing);
    return dbfail(e, rc);
}

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static int is_staff(const struct actor *who)
{
    return who->staff_id > 0 && (who->role == ROLE_ADMIN || who->role == ROLE_LEADER ||
                                 who->role == ROLE_SUPERVISOR || who->role == ROLE_STAFF);
}

int case_event_add(struct db *db, const struct actor *who, int64_t case_id, const char *kind,
                   const char *from, const char *to, int64_t node_id, const char *detail,
                   int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO case_event (case_id, kind, from_state, to_state, staff_id,"
                        " actor, node_id, detail, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, case_id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    if (who && who->staff_id > 0)
        db_bind_int64(st, 5, who->staff_id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, who ? who->name : "system");
    if (node_id > 0)
        db_bind_int64(st, 7, node_id);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, detail ? detail : "");
    db_bind_int64(st, 9, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- the row a write works on ---- */

struct crow {
    int64_t id, region_id, node_id, handler_id, first_owner_id;
    char number[CASE_NUMBER_MAX + 1];
    char kind[12];
    char node_path[ACTOR_PATH_MAX];
    char item_name[CATALOG_NAME_MAX * 4 + 1];
    enum case_state state;
    int open, paused, promised_limit, legal_limit, extension_days;
    char promised_unit[12], legal_unit[12];
    char promised_due[DATE_TEXT], legal_due[DATE_TEXT], received_day[DATE_TEXT];
    char phone_enc[PII_ENC_MAX], agent_phone_enc[PII_ENC_MAX];
    int64_t window_id;     /* 0 when registered away from a window */
    int64_t eval_event_id; /* set by set_state: the evaluation event a node opened */
};

static int load_row(struct db *db, int64_t id, struct crow *r, struct err *e)
{
    struct db_stmt *st = NULL;
    memset(r, 0, sizeof(*r));
    int rc = db_prepare(db,
                        "SELECT id, region_id, node_id, handler_id, first_owner_id, number, kind,"
                        " node_path, item_name, state, open, paused, promised_limit, legal_limit,"
                        " extension_days, promised_unit, legal_unit, promised_due, legal_due,"
                        " received_day, phone_enc, agent_phone_enc, COALESCE(window_id, 0)"
                        " FROM case_file WHERE id = ?1",
                        &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        r->id = db_col_int64(st, 0);
        r->region_id = db_col_int64(st, 1);
        r->node_id = db_col_int64(st, 2);
        r->handler_id = db_col_int64(st, 3);
        r->first_owner_id = db_col_int64(st, 4);
        copy(r->number, sizeof(r->number), db_col_text(st, 5));
        copy(r->kind, sizeof(r->kind), db_col_text(st, 6));
        copy(r->node_path, sizeof(r->node_path), db_col_text(st, 7));
        copy(r->item_name, sizeof(r->item_name), db_col_text(st, 8));
        r->state = case_state_parse(db_col_text(st, 9));
        r->open = (int)db_col_int64(st, 10);
        r->paused = (int)db_col_int64(st, 11);
        r->promised_limit = (int)db_col_int64(st, 12);
        r->legal_limit = (int)db_col_int64(st, 13);
        r->extension_days = (int)db_col_int64(st, 14);
        copy(r->promised_unit, sizeof(r->promised_unit), db_col_text(st, 15));
        copy(r->legal_unit, sizeof(r->legal_unit), db_col_text(st, 16));
        copy(r->promised_due, sizeof(r->promised_due), db_col_text(st, 17));
        copy(r->legal_due, sizeof(r->legal_due), db_col_text(st, 18));
        copy(r->received_day, sizeof(r->received_day), db_col_text(st, 19));
        copy(r->phone_enc, sizeof(r->phone_enc), db_col_text(st, 20));
        r->window_id = db_col_int64(st, 22);
        copy(r->agent_phone_enc, sizeof(r->agent_phone_enc), db_col_text(st, 21));
    }
    db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, NULL, "no such case");
    return 0;
}

/* the pauses of a case (malloc'd strings kept in a) */
static int load_pauses(struct db *db, int64_t id, struct arena *a, struct case_pause_row *p, int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db,
                        "SELECT id, kind, stop_day, resume_day FROM case_pause WHERE case_id = ?1"
                        " ORDER BY id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n >= CALENDAR_MAX_PAUSES) {
            rc = ERR_CONFLICT;
            break;
        }
        struct case_pause_row *q = &p[(*n)++];
        memset(q, 0, sizeof(*q));
        q->id = db_col_int64(st, 0);
        q->kind = arena_strdup(a, db_col_text(st, 1));
        q->stop_day = arena_strdup(a, db_col_text(st, 2));
        q->resume_day = db_col_is_null(st, 3) ? NULL : arena_strdup(a, db_col_text(st, 3));
        if (!q->kind || !q->stop_day) {
            rc = ERR_NOMEM;
            break;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* the clock of a row at today with n promised units (extensions included) */
static int row_clock(struct db *db, const struct calendar *cal, const struct crow *r, int n,
                     const char *today, struct case_clock *ck, struct case_clock *legal,
                     int legal_optional, int *missing)
{
    memset(ck, 0, sizeof(*ck));
    if (legal)
        memset(legal, 0, sizeof(*legal));
    struct arena a = {0};
    struct case_pause_row p[CALENDAR_MAX_PAUSES];
    int np = 0;
    struct case_settings cs;
    int rc = case_settings_get(db, r->region_id, &cs);
    if (rc == 0)
        rc = load_pauses(db, r->id, &a, p, &np);
    if (rc == 0)
        rc = case_clock_compute(cal, r->received_day, n, r->promised_unit, p, np, today,
                                cs.yellow_pct, 1, ck, missing);
    if (rc == 0 && legal) {
        rc = case_clock_compute(cal, r->received_day, r->legal_limit, r->legal_unit, p, np, today,
                                cs.yellow_pct, 1, legal, missing);
        if (rc == ERR_CALENDAR && legal_optional) {
            legal->promised_due[0] = '\0';
            rc = 0;
        }
    }
    arena_reset(&a);
    return rc;
}

static int level_of(const char *level)
{
    if (!level)
        return 0;
    return strcmp(level, "yellow") == 0    ? 1
           : strcmp(level, "red") == 0     ? 2
           : strcmp(level, "overdue") == 0 ? 3
                                           : 0;
}

/* the day the sweep looks again: the first threshold above level w */
static void next_threshold(const char *yellow, const char *due, int w, char out[DATE_TEXT])
{
    out[0] = '\0';
    if (w < 1)
        copy(out, DATE_TEXT, yellow);
    else if (w < 2)
        copy(out, DATE_TEXT, due);
    else if (w < 3) {
        int32_t d;
        if (date_parse(due, &d) == 0)
            date_format(d + 1, out);
    }
}

static void bind_day(struct db_stmt *st, int idx, const char *day)
{
    if (day && *day)
        db_bind_text(st, idx, day);
    else
        db_bind_null(st, idx);
}

int case_refresh(struct db *db, const struct calendar *cal, int64_t id, const char *today,
                 int *missing_year)
{
    struct crow r;
    struct err e = {0};
    int rc = load_row(db, id, &r, &e);
    if (rc < 0)
        return rc;
    struct case_clock ck, legal;
    memset(&ck, 0, sizeof(ck));
    memset(&legal, 0, sizeof(legal));
    int w = 0;
    char next[DATE_TEXT] = "";
    int has_clock = r.open && strcmp(r.kind, "promised") == 0;
    if (has_clock) {
        rc = row_clock(db, cal, &r,
                       case_limit_with(r.promised_limit, r.extension_days, r.promised_unit), today,
                       &ck, &legal, 1, missing_year);
        if (rc < 0)
            return rc;
        struct db_stmt *st = NULL;
        rc = db_prepare(db, "SELECT warn_level FROM case_file WHERE id = ?1", &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, id);
        if ((rc = db_step(st)) == DB_ROW)
            w = (int)db_col_int64(st, 0);
        db_finalize(st);
        if (rc < 0)
            return rc;
        if (!ck.paused) {
            int cur = level_of(ck.level);
            if (cur < w)
                w = cur; /* an extension moved the deadline: warn again when it comes */
            next_threshold(ck.yellow_day, ck.promised_due, w, next);
        }
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "UPDATE case_file SET promised_due = ?2, legal_due = ?3, yellow_day = ?4,"
                    " paused = ?5, warn_level = ?6, next_warn_day = ?7 WHERE id = ?1",
                    &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    if (has_clock) {
        bind_day(st, 2, ck.promised_due);
        bind_day(st, 3, legal.promised_due);
        bind_day(st, 4, ck.yellow_day);
    } else if (!r.open) {
        /* a closed case keeps the deadlines it had */
        bind_day(st, 2, r.promised_due);
        bind_day(st, 3, r.legal_due);
        db_bind_null(st, 4);
    } else {
        db_bind_null(st, 2);
        db_bind_null(st, 3);
        db_bind_null(st, 4);
    }
    db_bind_int64(st, 5, ck.paused);
    db_bind_int64(st, 6, w);
    bind_day(st, 7, next);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- registration ---- */

static const char CODE_ALPHABET[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

static void make_code(char code[CASE_QUERY_CODE_LEN + 1])
{
    char hex[2 * CASE_QUERY_CODE_LEN + 1];
    crypto_random_hex(hex, CASE_QUERY_CODE_LEN);
    for (size_t i = 0; i < CASE_QUERY_CODE_LEN; i++) {
        unsigned v = (unsigned)strtoul((char[]){hex[2 * i], hex[2 * i + 1], 0}, NULL, 16);
        code[i] = CODE_ALPHABET[v % 32];
    }
    code[CASE_QUERY_CODE_LEN] = '\0';
}

/* modes: names from CASE_MODE_NAMES joined by ',' (checked, each once) */
static int modes_ok(const char *modes)
{
    static const char *const names[] = {"full_agency", "home_visit", "entrusted", "extended_hours",
                                        "appointment"};
    int seen[5] = {0};
    const char *p = modes;
    if (!p || !*p)
        return 1;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int found = 0;
        for (int i = 0; i < 5; i++)
            if (strlen(names[i]) == len && strncmp(p, names[i], len) == 0) {
                if (seen[i]++)
                    return 0;
                found = 1;
            }
        if (!found)
            return 0;
        p += len;
        if (*p == ',')
            p++;
    }
    return 1;
}

struct person_data {
    char phone[PII_PHONE_MAX + 1], phone_enc[PII_ENC_MAX], phone_hash[PII_HASH_HEX],
        phone_mask[PII_MASK_MAX];
    char id[PII_ID_LEN + 1], id_enc[PII_ENC_MAX], id_mask[PII_MASK_MAX];
    int has_id;
};

static int person_ok(const struct case_person *p, const char *prefix, struct person_data *d,
                     struct err *e)
{
    char field[32];
    memset(d, 0, sizeof(*d));
    snprintf(field, sizeof(field), "%s.name", prefix);
    if (!p->name || parse_text(p->name, 1, CASE_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, field, "%s must have 1-%d characters on one line", field,
                       CASE_NAME_MAX);
    snprintf(field, sizeof(field), "%s.phone", prefix);
    if (!pii_phone_ok(p->phone, d->phone))
        return err_set(e, ERR_INVALID, field,
                       "%s must be a mainland mobile number (11 digits) or a landline with its"
                       " area code",
                       field);
    if (p->id_number && *p->id_number) {
        snprintf(field, sizeof(field), "%s.id_number", prefix);
        if (!pii_id_ok(p->id_number, d->id))
            return err_set(e, ERR_INVALID, field,
                           "%s must be an 18-character resident ID number with a valid check"
                           " character",
                           field);
        d->has_id = 1;
    }
    if (pii_encrypt(d->phone, d->phone_enc) < 0 || pii_hash(d->phone, d->phone_hash) < 0 ||
        (d->has_id && pii_encrypt(d->id, d->id_enc) < 0))
        return err_set(e, ERR_UNAVAILABLE, NULL, "the data key is not loaded");
    pii_mask_phone(d->phone, d->phone_mask);
    if (d->has_id)
        pii_mask_id(d->id, d->id_mask);
    return 0;
}

struct version_info {
    int64_t id, item_id;
    char code[CATALOG_CODE_MAX * 4 + 1], name[CATALOG_NAME_MAX * 4 + 1], kind[12];
    int promised_limit, legal_limit;
    char promised_unit[12], legal_unit[12];
};

static int load_version(struct db *db, int64_t version_id, const char *item_code,
                        struct version_info *v, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        version_id
                            ? "SELECT v.id, v.item_id, i.code, v.name, v.kind, v.promised_limit,"
                              " v.promised_unit, v.legal_limit, v.legal_unit FROM catalog_version v"
                              " JOIN catalog_item i ON i.id = v.item_id WHERE v.id = ?1"
                              " AND v.status = 'published' AND i.current_version_id = v.id"
                              " AND i.active = 1"
                            : "SELECT v.id, v.item_id, i.code, v.name, v.kind, v.promised_limit,"
                              " v.promised_unit, v.legal_limit, v.legal_unit FROM catalog_item i"
                              " JOIN catalog_version v ON v.id = i.current_version_id"
                              " WHERE i.code = ?2 AND i.active = 1 AND v.status = 'published'",
                        &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, version_id);
    db_bind_text(st, 2, item_code ? item_code : "");
    rc = db_step(st);
    if (rc == DB_ROW) {
        v->id = db_col_int64(st, 0);
        v->item_id = db_col_int64(st, 1);
        copy(v->code, sizeof(v->code), db_col_text(st, 2));
        copy(v->name, sizeof(v->name), db_col_text(st, 3));
        copy(v->kind, sizeof(v->kind), db_col_text(st, 4));
        v->promised_limit = (int)db_col_int64(st, 5);
        copy(v->promised_unit, sizeof(v->promised_unit), db_col_text(st, 6));
        v->legal_limit = (int)db_col_int64(st, 7);
        copy(v->legal_unit, sizeof(v->legal_unit), db_col_text(st, 8));
    }
    db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    if (rc != DB_ROW)
        return version_id ? err_set(e, ERR_INVALID, "version_id",
                                    "no current published version %lld", (long long)version_id)
                          : err_set(e, ERR_INVALID, "item_code", "no published, active item %s",
                                    item_code ? item_code : "");
    return 0;
}

struct mat {
    int64_t id;
    char name[CATALOG_SHORT_MAX * 4 + 1];
    int required;
    int given;
};

static int load_materials(struct db *db, int64_t version_id, struct mat *m, int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db,
                        "SELECT id, name, required FROM catalog_material WHERE version_id = ?1"
                        " ORDER BY seq",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, version_id);
    while ((rc = db_step(st)) == DB_ROW && *n < CATALOG_MAX_MATERIALS) {
        m[*n].id = db_col_int64(st, 0);
        copy(m[*n].name, sizeof(m[*n].name), db_col_text(st, 1));
        m[*n].required = (int)db_col_int64(st, 2);
        m[*n].given = 0;
        (*n)++;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int next_number(struct db *db, int64_t region, const char *today, char *out, size_t cap)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO case_counter (region_id, day, last) VALUES (?1, ?2, 1)"
                        " ON CONFLICT (region_id, day) DO UPDATE SET last = case_counter.last + 1"
                        " RETURNING last",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region);
    db_bind_text(st, 2, today);
    rc = db_step(st);
    int64_t last = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    snprintf(out, cap, "%.4s-%.2s%.2s-%06lld", today, today + 5, today + 8, (long long)last);
    return 0;
}

static int do_complete(struct db *db, const struct actor *who, const struct calendar *cal,
                       struct crow *r, const char *note, int64_t now, int *missing, struct err *e);

static const char SQL_INSERT[] =
    "INSERT INTO case_file (region_id, number, query_hash, item_id, version_id, item_code,"
    " item_name, kind, node_id, node_path, handler_id, first_owner_id, registered_by, ticket_id,"
    " inquiry_id, window_id, applicant_kind, applicant_name, phone_enc, phone_hash, phone_mask,"
    " id_enc, id_mask, org_code, agent_name, agent_phone_enc, agent_phone_mask, agent_id_enc,"
    " agent_id_mask, modes, state, open, received_day, received_at, promised_limit,"
    " promised_unit, legal_limit, legal_unit, created_at, updated_at, promised_due, legal_due,"
    " yellow_day, next_warn_day) VALUES (?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,"
    " ?24, ?25, ?26, ?27, ?28, ?29, ?30, 'received', 1, ?31, ?32, ?33, ?34, ?35, ?36, ?32, ?32,"
    " ?37, ?38, ?39, ?40) RETURNING id";

static void bind_opt_id(struct db_stmt *st, int idx, int64_t v)
{
    if (v > 0)
        db_bind_int64(st, idx, v);
    else
        db_bind_null(st, idx);
}

static void bind_opt_text(struct db_stmt *st, int idx, const char *s, int present)
{
    if (present && s && *s)
        db_bind_text(st, idx, s);
    else
        db_bind_null(st, idx);
}

int case_register(struct db *db, const struct actor *who, const struct calendar *cal,
                  const struct case_input *in, int64_t now, int64_t *id,
                  char query_code[CASE_QUERY_CODE_LEN + 1], int *missing_year, struct err *e)
{
    char today[DATE_TEXT], received[DATE_TEXT], org_code[PII_ORG_CODE_LEN + 1] = "";
    struct person_data ap, ag;
    int rc;
    case_today(now, today);
    if (!is_staff(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts may register cases");
    const char *kind = in->applicant_kind ? in->applicant_kind : "person";
    if (strcmp(kind, "person") != 0 && strcmp(kind, "org") != 0)
        return err_set(e, ERR_INVALID, "applicant.kind", "applicant.kind must be person or org");
    if ((rc = person_ok(&in->applicant, "applicant", &ap, e)) < 0)
        return rc;
    if (strcmp(kind, "org") == 0 && !pii_org_code_ok(in->org_code, org_code))
        return err_set(e, ERR_INVALID, "applicant.org_code",
                       "applicant.org_code must be an 18-character unified social credit code");
    if (strcmp(kind, "person") == 0 && in->org_code && *in->org_code)
        return err_set(e, ERR_INVALID, "applicant.org_code",
                       "applicant.org_code is only for an organisation");
    if (in->has_agent && (rc = person_ok(&in->agent, "agent", &ag, e)) < 0)
        return rc;
    if (!modes_ok(in->modes))
        return err_set(e, ERR_INVALID, "modes",
                       "modes must be among full_agency, home_visit, entrusted, extended_hours,"
                       " appointment, each once");
    if (in->note && parse_text(in->note, 0, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                       CASE_TEXT_MAX);
    int32_t td = 0, rd = 0;
    date_parse(today, &td);
    copy(received, sizeof(received), in->received_day ? in->received_day : today);
    if (date_parse(received, &rd) < 0 || rd > td || rd < td - CASE_BACKDATE_DAYS)
        return err_set(e, ERR_INVALID, "received_day",
                       "received_day must be a date from %d days ago to today", CASE_BACKDATE_DAYS);
    date_format(rd, received);
    /* the ticket at the caller's window */
    int64_t ticket_id = in->ticket_id, window_id = 0;
    char ticket_item[CATALOG_CODE_MAX * 4 + 1] = "";
    struct db_stmt *st = NULL;
    if (ticket_id) {
        rc = db_prepare(db,
                        "SELECT status, COALESCE(staff_id, 0), COALESCE(window_id, 0),"
                        " COALESCE(item_code, '') FROM ticket WHERE id = ?1",
                        &st);
        if (rc < 0)
            return dbfail(e, rc);
        db_bind_int64(st, 1, ticket_id);
        rc = db_step(st);
        int ok = 0;
        if (rc == DB_ROW) {
            const char *status = db_col_text(st, 0);
            ok = (strcmp(status, "called") == 0 || strcmp(status, "serving") == 0) &&
                 db_col_int64(st, 1) == who->staff_id;
            window_id = db_col_int64(st, 2);
            copy(ticket_item, sizeof(ticket_item), db_col_text(st, 3));
        }
        db_finalize(st);
        if (rc < 0)
            return dbfail(e, rc);
        if (rc != DB_ROW)
            return err_set(e, ERR_INVALID, "ticket_id", "no such ticket");
        if (!ok)
            return err_set(e, ERR_CONFLICT, "ticket_id",
                           "this ticket is not being called or served at your window");
    }
    struct version_info v;
    memset(&v, 0, sizeof(v));
    const char *code = in->item_code && *in->item_code ? in->item_code
                       : ticket_item[0]                ? ticket_item
                                                       : NULL;
    if (!in->version_id && !code)
        return err_set(e, ERR_INVALID, "item_code", "give item_code or version_id");
    if ((rc = load_version(db, in->version_id, code, &v, e)) < 0)
        return rc;
    if (in->complete_now && strcmp(v.kind, "immediate") != 0)
        return err_set(e, ERR_INVALID, "complete_now",
                       "only an immediate item (即办件) is completed on the spot");
    /* where it is handled */
    struct org_node node;
    int64_t node_id = in->node_id ? in->node_id : window_id ? window_id : who->node_id;
    rc = org_get(db, node_id, &node);
    if (rc == ERR_NOTFOUND || (rc == 0 && !node.active))
        return err_set(e, ERR_INVALID, "node_id", "no such active node");
    if (rc < 0)
        return dbfail(e, rc);
    if (!actor_in_scope(who, node.path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "you may not register cases at %s", node.name);
    if (strcmp(node.kind, "window") == 0 && !window_id)
        window_id = node.id;
    int64_t first_owner = who->staff_id;
    if (in->inquiry_id) {
        rc = db_prepare(db, "SELECT owner_id FROM inquiry WHERE id = ?1", &st);
        if (rc < 0)
            return dbfail(e, rc);
        db_bind_int64(st, 1, in->inquiry_id);
        if ((rc = db_step(st)) == DB_ROW)
            first_owner = db_col_int64(st, 0);
        db_finalize(st);
        if (rc < 0)
            return dbfail(e, rc);
        if (rc != DB_ROW)
            return err_set(e, ERR_INVALID, "inquiry_id", "no such inquiry");
    }
    /* materials received now, of this version */
    struct mat mats[CATALOG_MAX_MATERIALS];
    int nmats = 0;
    if ((rc = load_materials(db, v.id, mats, &nmats)) < 0)
        return dbfail(e, rc);
    if (in->nmaterials > CASE_MATERIALS_MAX)
        return err_set(e, ERR_INVALID, "materials", "at most %d materials", CASE_MATERIALS_MAX);
    for (int i = 0; i < in->nmaterials; i++) {
        int found = 0;
        for (int j = 0; j < nmats; j++)
            if (mats[j].id == in->materials[i]) {
                mats[j].given = 1;
                found = 1;
            }
        if (!found)
            return err_set(e, ERR_INVALID, "materials", "material %lld is not in the list of %s",
                           (long long)in->materials[i], v.name);
    }
    char number[CASE_NUMBER_MAX + 1], qh[CRYPTO_SHA256_HEX];
    int64_t region = case_region_of(node.path);
    /* the clock from the start (no pauses yet): its dates go into the row */
    struct case_clock ck, legal;
    char next[DATE_TEXT] = "";
    memset(&ck, 0, sizeof(ck));
    memset(&legal, 0, sizeof(legal));
    if (strcmp(v.kind, "promised") == 0) {
        struct case_settings cs;
        int lmissing = 0;
        if ((rc = case_settings_get(db, region, &cs)) < 0)
            return dbfail(e, rc);
        rc = case_clock_compute(cal, received, v.promised_limit, v.promised_unit, NULL, 0, today,
                                cs.yellow_pct, 1, &ck, missing_year);
        if (rc < 0)
            return calfail(e, rc, *missing_year);
        rc = case_clock_compute(cal, received, v.legal_limit, v.legal_unit, NULL, 0, today,
                                cs.yellow_pct, 1, &legal, &lmissing);
        if (rc == ERR_CALENDAR)
            legal.promised_due[0] = '\0'; /* known once the year is imported */
        else if (rc < 0)
            return calfail(e, rc, lmissing);
        next_threshold(ck.yellow_day, ck.promised_due, 0, next);
    }
    if ((rc = next_number(db, region, today, number, sizeof(number))) < 0)
        return dbfail(e, rc);
    make_code(query_code);
    case_query_hash(number, query_code, qh);
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, region);
    db_bind_text(st, 2, number);
    db_bind_text(st, 3, qh);
    db_bind_int64(st, 4, v.item_id);
    db_bind_int64(st, 5, v.id);
    db_bind_text(st, 6, v.code);
    db_bind_text(st, 7, v.name);
    db_bind_text(st, 8, v.kind);
    db_bind_int64(st, 9, node.id);
    db_bind_text(st, 10, node.path);
    db_bind_int64(st, 11, who->staff_id);
    db_bind_int64(st, 12, first_owner);
    db_bind_int64(st, 13, who->staff_id);
    bind_opt_id(st, 14, ticket_id);
    bind_opt_id(st, 15, in->inquiry_id);
    bind_opt_id(st, 16, window_id);
    db_bind_text(st, 17, kind);
    db_bind_text(st, 18, in->applicant.name);
    db_bind_text(st, 19, ap.phone_enc);
    db_bind_text(st, 20, ap.phone_hash);
    db_bind_text(st, 21, ap.phone_mask);
    bind_opt_text(st, 22, ap.id_enc, ap.has_id);
    bind_opt_text(st, 23, ap.id_mask, ap.has_id);
    bind_opt_text(st, 24, org_code, 1);
    bind_opt_text(st, 25, in->agent.name, in->has_agent);
    bind_opt_text(st, 26, ag.phone_enc, in->has_agent);
    bind_opt_text(st, 27, ag.phone_mask, in->has_agent);
    bind_opt_text(st, 28, ag.id_enc, in->has_agent && ag.has_id);
    bind_opt_text(st, 29, ag.id_mask, in->has_agent && ag.has_id);
    db_bind_text(st, 30, in->modes ? in->modes : "");
    db_bind_text(st, 31, received);
    db_bind_int64(st, 32, now);
    db_bind_int64(st, 33, v.promised_limit);
    db_bind_text(st, 34, v.promised_unit);
    db_bind_int64(st, 35, v.legal_limit);
    db_bind_text(st, 36, v.legal_unit);
    bind_day(st, 37, ck.promised_due);
    bind_day(st, 38, legal.promised_due);
    bind_day(st, 39, ck.yellow_day);
    bind_day(st, 40, next);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    rc = db_prepare(db,
                    "INSERT INTO case_material (case_id, material_id, name, required, received_at)"
                    " VALUES (?1, ?2, ?3, ?4, ?5)",
                    &st);
    for (int j = 0; rc == 0 && j < nmats; j++) {
        db_reset(st);
        db_bind_int64(st, 1, *id);
        db_bind_int64(st, 2, mats[j].id);
        db_bind_text(st, 3, mats[j].name);
        db_bind_int64(st, 4, mats[j].required);
        if (mats[j].given)
            db_bind_int64(st, 5, now);
        else
            db_bind_null(st, 5);
        rc = db_step(st);
        rc = rc < 0 ? rc : 0;
    }
    if (st)
        db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    char detail[CASE_TEXT_MAX * 4 + 64];
    snprintf(detail, sizeof(detail), "%s%s%s",
             ticket_id        ? "ticket"
             : in->inquiry_id ? "inquiry"
                              : "",
             in->note && *in->note ? (ticket_id || in->inquiry_id ? ": " : "") : "",
             in->note ? in->note : "");
    rc = case_event_add(db, who, *id, "registered", NULL, "received", node.id, detail, now);
    if (rc == 0) { /* its evaluation events, pending until their nodes end */
        char token[EVAL_TOKEN_MAX];
        rc = eval_case_registered(db, *id, now, token);
        if (rc == 0 && in->eval_token)
            memcpy(in->eval_token, token, sizeof(token));
    }
    if (rc < 0)
        return dbfail(e, rc);
    if (in->complete_now) {
        struct crow r;
        if ((rc = load_row(db, *id, &r, e)) < 0)
            return rc;
        rc = do_complete(db, who, cal, &r, NULL, now, missing_year, e);
        if (rc == 0 && in->eval_event_id)
            *in->eval_event_id = r.eval_event_id;
        return rc;
    }
    return 0;
}

/* ---- the state machine ---- */

static int set_state(struct db *db, const struct actor *who, struct crow *r, enum case_state to,
                     const char *kind, const char *detail, int64_t now)
{
    struct db_stmt *st = NULL;
    int open = to != CASE_COMPLETED && to != CASE_RETURNED && to != CASE_WITHDRAWN;
    /* staying open touches no indexed column; closing leaves the warning
     * indexes (open, next_warn_day) */
    int rc = db_prepare(db,
                        open ? "UPDATE case_file SET state = ?2, updated_at = ?4"
                               " WHERE id = ?1 AND ?3 = 1 AND ?5 <> ''"
                             : "UPDATE case_file SET state = ?2, open = ?3, updated_at = ?4,"
                               " closed_at = ?4, closed_day = ?5, next_warn_day = NULL,"
                               " paused = 0 WHERE id = ?1",
                        &st);
    if (rc < 0)
        return rc;
    char today[DATE_TEXT];
    case_today(now, today);
    db_bind_int64(st, 1, r->id);
    db_bind_text(st, 2, case_state_name(to));
    db_bind_int64(st, 3, open);
    db_bind_int64(st, 4, now);
    db_bind_text(st, 5, today);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = case_event_add(db, who, r->id, kind, case_state_name(r->state), case_state_name(to),
                        r->node_id, detail, now);
    /* the evaluation of a node that ended (一事一评): 受理, and 办结 or 退件 */
    if (rc == 0 && to == CASE_ACCEPTED)
        rc = eval_case_node(db, r->id, "accept", who->ip, now, &r->eval_event_id);
    else if (rc == 0 && (to == CASE_COMPLETED || to == CASE_RETURNED))
        rc = eval_case_node(db, r->id, "complete", who->ip, now, &r->eval_event_id);
    else if (rc == 0 && to == CASE_WITHDRAWN)
        rc = eval_case_void(db, r->id);
    /* the scorecards' counters (score.h): returns here, completions in
     * do_complete with their outcome */
    if (rc == 0 && to == CASE_RETURNED)
        rc = score_fact_add(db, today, r->window_id, r->handler_id, "case_returned", 1);
    r->state = to;
    r->open = open;
    return rc;
}

static int open_pause(struct db *db, int64_t id, const char *kind, const char *today,
                      const char *reason, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO case_pause (case_id, kind, stop_day, reason, started_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, kind);
    db_bind_text(st, 3, today);
    db_bind_text(st, 4, reason ? reason : "");
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int close_pause(struct db *db, int64_t id, const char *today, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "UPDATE case_pause SET resume_day = ?2, ended_at = ?3"
                        " WHERE case_id = ?1 AND resume_day IS NULL",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, today);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int count_where(struct db *db, const char *sql, int64_t id, int64_t *n)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    *n = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* mark materials of the case (requested or received); every id must be one of its own */
static int mark_materials(struct db *db, int64_t id, const int64_t *m, int n, int received,
                          int64_t now, struct err *e)
{
    struct db_stmt *st = NULL;
    if (n > CASE_MATERIALS_MAX)
        return err_set(e, ERR_INVALID, "materials", "at most %d materials", CASE_MATERIALS_MAX);
    int rc =
        db_prepare(db,
                   received ? "UPDATE case_material SET received_at = COALESCE(received_at, ?3)"
                              " WHERE case_id = ?1 AND material_id = ?2"
                            : "UPDATE case_material SET requested = 1, received_at = NULL"
                              " WHERE case_id = ?1 AND material_id = ?2 AND ?3 > 0",
                   &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_finalize(st);
    for (int i = 0; i < n; i++) {
        int64_t have = 0;
        struct db_stmt *q = NULL;
        rc = db_prepare(db,
                        "SELECT COUNT(*) FROM case_material WHERE case_id = ?1"
                        " AND material_id = ?2",
                        &q);
        if (rc < 0)
            return dbfail(e, rc);
        db_bind_int64(q, 1, id);
        db_bind_int64(q, 2, m[i]);
        rc = db_step(q);
        have = rc == DB_ROW ? db_col_int64(q, 0) : 0;
        db_finalize(q);
        if (rc < 0)
            return dbfail(e, rc);
        if (!have)
            return err_set(e, ERR_INVALID, "materials", "material %lld is not in this case's list",
                           (long long)m[i]);
        rc = db_prepare(db,
                        received ? "UPDATE case_material SET received_at = COALESCE(received_at,"
                                   " ?3) WHERE case_id = ?1 AND material_id = ?2"
                                 : "UPDATE case_material SET requested = 1, received_at = NULL"
                                   " WHERE case_id = ?1 AND material_id = ?2 AND ?3 > 0",
                        &st);
        if (rc < 0)
            return dbfail(e, rc);
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, m[i]);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return dbfail(e, rc);
    }
    return 0;
}

static int bad_state(struct err *e, const struct crow *r, const char *what)
{
    return err_set(e, ERR_CONFLICT, "state", "a case that is %s cannot be %s",
                   case_state_name(r->state), what);
}

static int do_complete(struct db *db, const struct actor *who, const struct calendar *cal,
                       struct crow *r, const char *note, int64_t now, int *missing, struct err *e)
{
    char today[DATE_TEXT];
    case_today(now, today);
    int promised = strcmp(r->kind, "promised") == 0;
    struct case_clock ck;
    memset(&ck, 0, sizeof(ck));
    int rc = 0;
    if (promised) {
        rc = row_clock(db, cal, r,
                       case_limit_with(r->promised_limit, r->extension_days, r->promised_unit),
                       today, &ck, NULL, 0, missing);
        if (rc < 0)
            return calfail(e, rc, *missing);
    }
    rc = set_state(db, who, r, CASE_COMPLETED, "complete", note, now);
    const char *outcome = !promised           ? NULL
                          : ck.remaining > 0  ? "early"
                          : ck.remaining == 0 ? "on_time"
                                              : "late";
    struct db_stmt *st = NULL;
    if (rc == 0)
        rc = db_prepare(db,
                        "UPDATE case_file SET outcome = ?2, used_units = ?3, promised_due = ?4,"
                        " yellow_day = NULL, next_warn_day = NULL WHERE id = ?1",
                        &st);
    if (rc == 0) {
        db_bind_int64(st, 1, r->id);
        db_bind_text(st, 2, outcome);
        if (promised)
            db_bind_int64(st, 3, ck.used);
        else
            db_bind_null(st, 3);
        bind_day(st, 4, promised ? ck.promised_due : NULL);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc == 0)
        rc = score_fact_add(db, today, r->window_id, r->handler_id, "case_done", 1);
    if (rc == 0)
        rc = score_fact_add(db, today, r->window_id, r->handler_id,
                            outcome && strcmp(outcome, "late") == 0 ? "case_late" : "case_ontime",
                            1);
    if (rc < 0)
        return dbfail(e, rc);
    if (outcome && strcmp(outcome, "late") == 0) {
        char reason[160];
        snprintf(reason, sizeof(reason), "超期办结：晚于承诺办结日 %s 共 %d 个%s", ck.promised_due,
                 -ck.remaining, strcmp(r->promised_unit, "workdays") == 0 ? "工作日" : "日");
        if ((rc = acct_create(db, NULL, r->handler_id, r->id, "overdue", reason, now, NULL, e)) < 0)
            return rc;
    }
    rc = followup_schedule(db, cal, r->id, promised, r->node_path, today, now, missing);
    return rc < 0 ? calfail(e, rc, *missing) : 0;
}

int case_act(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
             enum case_action act, const struct case_action_args *args, int64_t now,
             int *missing_year, struct err *e)
{
    static const struct case_action_args none = {0};
    struct crow r;
    char today[DATE_TEXT];
    const char *note;
    int rc;
    if (!args)
        args = &none;
    note = args->note && *args->note ? args->note : NULL;
    case_today(now, today);
    if ((rc = load_row(db, id, &r, e)) < 0)
        return rc;
    if (!actor_in_scope(who, r.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "this case is outside your scope");
    if (who->role != ROLE_SYSTEM && who->staff_id != r.handler_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "you do not hold this case");
    if (!r.open)
        return err_set(e, ERR_CONFLICT, "state", "this case is already %s",
                       case_state_name(r.state));
    if (note && parse_text(note, 1, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                       CASE_TEXT_MAX);
    int immediate = strcmp(r.kind, "immediate") == 0;
    int64_t n = 0;
    switch (act) {
    case CASE_ACT_SUPPLEMENT_REQUEST:
        if (r.state != CASE_RECEIVED && r.state != CASE_SUPPLEMENTED)
            return bad_state(e, &r, "sent a 补正 request");
        if ((rc = count_where(db,
                              "SELECT COUNT(*) FROM case_pause WHERE case_id = ?1"
                              " AND kind = 'supplement'",
                              id, &n)) < 0)
            return dbfail(e, rc);
        if (n > 0)
            return err_set(e, ERR_CONFLICT, "state",
                           "补正 is requested once: everything missing must be listed together");
        if (args->nmaterials == 0 && !note)
            return err_set(e, ERR_INVALID, "materials", "list the materials to supplement");
        if (!immediate && r.promised_due[0] && strcmp(today, r.promised_due) >= 0)
            return err_set(e, ERR_CONFLICT, "state",
                           "the promised date %s has come: the clock can no longer be stopped",
                           r.promised_due);
        if ((rc = mark_materials(db, id, args->materials, args->nmaterials, 0, now, e)) < 0)
            return rc;
        rc = open_pause(db, id, "supplement", today, note, now);
        if (rc == 0)
            rc = set_state(db, who, &r, CASE_SUPPLEMENT_REQUESTED, "supplement_request", note, now);
        break;
    case CASE_ACT_SUPPLEMENT:
        if (r.state != CASE_SUPPLEMENT_REQUESTED)
            return bad_state(e, &r, "supplemented");
        if ((rc = mark_materials(db, id, args->materials, args->nmaterials, 1, now, e)) < 0)
            return rc;
        rc = close_pause(db, id, today, now);
        if (rc == 0)
            rc = set_state(db, who, &r, CASE_SUPPLEMENTED, "supplement", note, now);
        break;
    case CASE_ACT_ACCEPT:
        if (r.state != CASE_RECEIVED && r.state != CASE_SUPPLEMENTED)
            return bad_state(e, &r, "accepted");
        if ((rc = count_where(db,
                              "SELECT COUNT(*) FROM case_material WHERE case_id = ?1"
                              " AND required = 1 AND received_at IS NULL",
                              id, &n)) < 0)
            return dbfail(e, rc);
        if (n > 0)
            return err_set(e, ERR_CONFLICT, "materials",
                           "%lld required material(s) not received: request 补正 first",
                           (long long)n);
        rc = set_state(db, who, &r, CASE_ACCEPTED, "accept", note, now);
        break;
    case CASE_ACT_START:
        if (r.state != CASE_ACCEPTED)
            return bad_state(e, &r, "started");
        rc = set_state(db, who, &r, CASE_IN_PROGRESS, "start", note, now);
        break;
    case CASE_ACT_PAUSE: {
        static const char *const kinds[] = {"hearing", "testing", "inspection", "appraisal",
                                            "expert"};
        int ok = 0;
        for (size_t i = 0; args->pause_kind && i < sizeof(kinds) / sizeof(kinds[0]); i++)
            ok |= strcmp(args->pause_kind, kinds[i]) == 0;
        if (!ok)
            return err_set(e, ERR_INVALID, "kind",
                           "kind must be hearing, testing, inspection, appraisal or expert");
        if (!note)
            return err_set(e, ERR_INVALID, "note", "give the reason for the pause");
        if (r.state != CASE_ACCEPTED && r.state != CASE_IN_PROGRESS)
            return bad_state(e, &r, "paused");
        if (r.paused)
            return err_set(e, ERR_CONFLICT, "state", "the clock is already stopped");
        if (immediate)
            return err_set(e, ERR_CONFLICT, "state", "an immediate item has no clock to stop");
        if (r.promised_due[0] && strcmp(today, r.promised_due) >= 0)
            return err_set(e, ERR_CONFLICT, "state",
                           "the promised date %s has come: the clock can no longer be stopped",
                           r.promised_due);
        if ((rc = count_where(db, "SELECT COUNT(*) FROM case_pause WHERE case_id = ?1", id, &n)) <
            0)
            return dbfail(e, rc);
        if (n >= CALENDAR_MAX_PAUSES)
            return err_set(e, ERR_CONFLICT, "state", "at most %d pauses", CALENDAR_MAX_PAUSES);
        char detail[CASE_TEXT_MAX * 4 + 32];
        snprintf(detail, sizeof(detail), "%s: %s", args->pause_kind, note);
        rc = open_pause(db, id, args->pause_kind, today, note, now);
        if (rc == 0)
            rc = case_event_add(db, who, id, "pause", NULL, NULL, r.node_id, detail, now);
        break;
    }
    case CASE_ACT_RESUME:
        if (!r.paused || r.state == CASE_SUPPLEMENT_REQUESTED)
            return err_set(e, ERR_CONFLICT, "state", "the clock is not stopped by a pause");
        rc = close_pause(db, id, today, now);
        if (rc == 0)
            rc = case_event_add(db, who, id, "resume", NULL, NULL, r.node_id, note, now);
        break;
    case CASE_ACT_DECIDE:
        if (!args->decision ||
            (strcmp(args->decision, "approve") != 0 && strcmp(args->decision, "deny") != 0))
            return err_set(e, ERR_INVALID, "decision", "decision must be approve or deny");
        if (r.state != CASE_ACCEPTED && r.state != CASE_IN_PROGRESS)
            return bad_state(e, &r, "decided");
        if (r.paused)
            return err_set(e, ERR_CONFLICT, "state", "resume the clock first");
        rc = set_state(db, who, &r, CASE_DECIDED, "decide", note ? note : args->decision, now);
        if (rc == 0) {
            struct db_stmt *st = NULL;
            rc = db_prepare(db, "UPDATE case_file SET decision = ?2 WHERE id = ?1", &st);
            if (rc == 0) {
                db_bind_int64(st, 1, id);
                db_bind_text(st, 2, args->decision);
                rc = db_step(st);
                db_finalize(st);
                rc = rc < 0 ? rc : 0;
            }
        }
        break;
    case CASE_ACT_COMPLETE:
        if (!(r.state == CASE_DECIDED ||
              (immediate && (r.state == CASE_RECEIVED || r.state == CASE_ACCEPTED ||
                             r.state == CASE_IN_PROGRESS))))
            return bad_state(e, &r, "completed");
        if (r.paused)
            return err_set(e, ERR_CONFLICT, "state", "resume the clock first");
        rc = do_complete(db, who, cal, &r, note, now, missing_year, e);
        if (rc == 0 && args->eval_event_id)
            *args->eval_event_id = r.eval_event_id;
        return rc;
    case CASE_ACT_RETURN:
    case CASE_ACT_WITHDRAW:
        if (!note)
            return err_set(e, ERR_INVALID, "note", "give the reason");
        if (act == CASE_ACT_RETURN && r.state == CASE_DECIDED)
            return bad_state(e, &r, "returned");
        rc = close_pause(db, id, today, now);
        if (rc == 0)
            rc = set_state(db, who, &r, act == CASE_ACT_RETURN ? CASE_RETURNED : CASE_WITHDRAWN,
                           act == CASE_ACT_RETURN ? "return" : "withdraw", note, now);
        break;
    default:
        return err_set(e, ERR_INVALID, NULL, "unknown action");
    }
    if (rc == 0 && args->eval_event_id)
        *args->eval_event_id = r.eval_event_id;
    /* a pause or a resume moves no state but is an update */
    if (rc == 0 && (act == CASE_ACT_PAUSE || act == CASE_ACT_RESUME)) {
        struct db_stmt *st = NULL;
        rc = db_prepare(db, "UPDATE case_file SET updated_at = ?2 WHERE id = ?1", &st);
        if (rc == 0) {
            db_bind_int64(st, 1, id);
            db_bind_int64(st, 2, now);
            rc = db_step(st);
            db_finalize(st);
            rc = rc < 0 ? rc : 0;
        }
    }
    /* only the clock's stops and restarts move the deadlines */
    if (rc == 0 && (act == CASE_ACT_SUPPLEMENT_REQUEST || act == CASE_ACT_SUPPLEMENT ||
                    act == CASE_ACT_PAUSE || act == CASE_ACT_RESUME))
        rc = case_refresh(db, cal, id, today, missing_year);
    return rc < 0 ? calfail(e, rc, *missing_year) : 0;
}

/* ---- transfer, extensions, query codes, contact ---- */

static int may_manage(const struct actor *who, const struct crow *r)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (!actor_in_scope(who, r->node_path))
        return 0;
    return who->staff_id == r->handler_id || who->role == ROLE_LEADER || who->role == ROLE_ADMIN;
}

int case_transfer(struct db *db, const struct actor *who, int64_t id, int64_t to_staff,
                  const char *note, int64_t now, struct err *e)
{
    struct crow r;
    int rc = load_row(db, id, &r, e);
    if (rc < 0)
        return rc;
    if (!may_manage(who, &r))
        return err_set(e, ERR_FORBIDDEN, NULL, "you do not hold this case");
    if (!r.open)
        return err_set(e, ERR_CONFLICT, "state", "this case is already %s",
                       case_state_name(r.state));
    if (note && *note && parse_text(note, 1, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                       CASE_TEXT_MAX);
    if (to_staff == who->staff_id || to_staff == r.handler_id)
        return err_set(e, ERR_INVALID, "staff_id", "a case cannot be handed to its own handler");
    struct staff s, from;
    rc = staff_get(db, to_staff, &s);
    if (rc == ERR_NOTFOUND || (rc == 0 && !s.active))
        return err_set(e, ERR_INVALID, "staff_id", "no such active staff member");
    if (rc == 0)
        rc = staff_get(db, r.handler_id, &from);
    if (rc < 0)
        return dbfail(e, rc);
    if (case_region_of(s.node_path) != r.region_id)
        return err_set(e, ERR_INVALID, "staff_id", "%s works outside this case's region", s.name);
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "UPDATE case_file SET handler_id = ?2, node_id = ?3, node_path = ?4,"
                    " updated_at = ?5 WHERE id = ?1",
                    &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, s.id);
    db_bind_int64(st, 3, s.node_id);
    db_bind_text(st, 4, s.node_path);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    db_finalize(st);
    char detail[CASE_TEXT_MAX * 4 + 256], msg[CATALOG_NAME_MAX * 4 + 128];
    snprintf(detail, sizeof(detail), "%s → %s%s%s", from.name, s.name, note && *note ? ": " : "",
             note && *note ? note : "");
    if (rc >= 0)
        rc = case_event_add(db, who, id, "transfer", NULL, NULL, s.node_id, detail, now);
    snprintf(msg, sizeof(msg), "办件 %s（%s）已转交给您办理", r.number, r.item_name);
    if (rc >= 0)
        rc = case_notify(db, s.id, NULL, "case_transfer", id, 0, msg, now, NULL);
    return rc < 0 ? dbfail(e, rc) : 0;
}

int case_extension_request(struct db *db, const struct actor *who, const struct calendar *cal,
                           int64_t id, int days, const char *reason, int64_t now, int64_t *ext_id,
                           int *missing_year, struct err *e)
{
    struct crow r;
    char today[DATE_TEXT];
    case_today(now, today);
    int rc = load_row(db, id, &r, e);
    if (rc < 0)
        return rc;
    if (!actor_in_scope(who, r.node_path) ||
        (who->role != ROLE_SYSTEM && who->staff_id != r.handler_id))
        return err_set(e, ERR_FORBIDDEN, NULL, "you do not hold this case");
    if (!r.open)
        return err_set(e, ERR_CONFLICT, "state", "this case is already %s",
                       case_state_name(r.state));
    if (strcmp(r.kind, "promised") != 0)
        return err_set(e, ERR_CONFLICT, "state", "an immediate item has no deadline to extend");
    if (days < 1 || days > CALENDAR_MAX_LIMIT ||
        case_limit_with(r.promised_limit, r.extension_days + days, r.promised_unit) >
            CALENDAR_MAX_LIMIT)
        return err_set(e, ERR_INVALID, "days", "days must be 1-%d",
                       CALENDAR_MAX_LIMIT - r.extension_days);
    if (!reason || parse_text(reason, 1, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "reason", "give the reason (1-%d characters)",
                       CASE_TEXT_MAX);
    if (r.paused)
        return err_set(e, ERR_CONFLICT, "state", "the clock is stopped; resume it first");
    if (strcmp(today, r.promised_due) > 0)
        return err_set(e, ERR_CONFLICT, "state",
                       "the promised date %s has passed: an extension is asked before it",
                       r.promised_due);
    int64_t pending = 0;
    if ((rc = count_where(db,
                          "SELECT COUNT(*) FROM case_extension WHERE case_id = ?1"
                          " AND status = 'pending'",
                          id, &pending)) < 0)
        return dbfail(e, rc);
    if (pending)
        return err_set(e, ERR_CONFLICT, "state", "an extension request is already waiting");
    struct case_clock ck, legal;
    rc = row_clock(db, cal, &r,
                   case_limit_with(r.promised_limit, r.extension_days + days, r.promised_unit),
                   today, &ck, &legal, 0, missing_year);
    if (rc < 0)
        return calfail(e, rc, *missing_year);
    if (strcmp(ck.promised_due, legal.promised_due) > 0)
        return err_set(e, ERR_INVALID, "days",
                       "the new due date %s would pass the legal due date %s", ck.promised_due,
                       legal.promised_due);
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "INSERT INTO case_extension (case_id, days, reason, status, requested_by,"
                    " requested_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?5) RETURNING id",
                    &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, days);
    db_bind_text(st, 3, reason);
    db_bind_int64(st, 4, who->staff_id);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    if (rc == DB_ROW && ext_id)
        *ext_id = db_col_int64(st, 0);
    db_finalize(st);
    char detail[CASE_TEXT_MAX * 4 + 64], msg[CATALOG_NAME_MAX * 4 + 160];
    snprintf(detail, sizeof(detail), "+%d: %s", days, reason);
    if (rc >= 0)
        rc = case_event_add(db, who, id, "extension_request", NULL, NULL, r.node_id, detail, now);
    int64_t leader = 0;
    if (rc >= 0)
        rc = case_leader_of(db, r.node_path, &leader);
    snprintf(msg, sizeof(msg), "办件 %s（%s）申请延期 %d 天，待您审批", r.number, r.item_name,
             days);
    if (rc >= 0 && leader)
        rc = case_notify(db, leader, NULL, "extension_request", id, 0, msg, now, NULL);
    return rc < 0 ? dbfail(e, rc) : 0;
}

int case_extension_decide(struct db *db, const struct actor *who, const struct calendar *cal,
                          int64_t ext_id, int approve, const char *note, int64_t now,
                          int *missing_year, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t case_id = 0, requester = 0;
    int days = 0;
    char status[16] = "";
    char today[DATE_TEXT];
    case_today(now, today);
    int rc = db_prepare(db,
                        "SELECT case_id, requested_by, days, status FROM case_extension"
                        " WHERE id = ?1",
                        &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, ext_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        case_id = db_col_int64(st, 0);
        requester = db_col_int64(st, 1);
        days = (int)db_col_int64(st, 2);
        copy(status, sizeof(status), db_col_text(st, 3));
    }
    db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, NULL, "no such extension request");
    struct crow r;
    if ((rc = load_row(db, case_id, &r, e)) < 0)
        return rc;
    if (who->role != ROLE_SYSTEM && (who->role != ROLE_LEADER || !actor_in_scope(who, r.node_path)))
        return err_set(e, ERR_FORBIDDEN, NULL, "only a leader over this case decides extensions");
    if (who->staff_id && who->staff_id == requester)
        return err_set(e, ERR_FORBIDDEN, NULL, "you cannot decide your own extension request");
    if (strcmp(status, "pending") != 0)
        return err_set(e, ERR_CONFLICT, "status", "this request is already %s", status);
    if (!r.open)
        return err_set(e, ERR_CONFLICT, "state", "this case is already %s",
                       case_state_name(r.state));
    if (!approve && (!note || !*note))
        return err_set(e, ERR_INVALID, "note", "give the reason for rejecting");
    if (note && *note && parse_text(note, 1, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                       CASE_TEXT_MAX);
    int64_t notice_id = 0;
    char msg[CATALOG_NAME_MAX * 4 + 200];
    if (approve && r.promised_due[0] && strcmp(today, r.promised_due) > 0)
        return err_set(e, ERR_CONFLICT, "state",
                       "the promised date %s has passed: an extension is approved before it",
                       r.promised_due);
    if (approve) {
        struct case_clock ck, legal;
        rc = row_clock(db, cal, &r,
                       case_limit_with(r.promised_limit, r.extension_days + days, r.promised_unit),
                       today, &ck, &legal, 0, missing_year);
        if (rc < 0)
            return calfail(e, rc, *missing_year);
        if (!ck.paused && strcmp(ck.promised_due, legal.promised_due) > 0)
            return err_set(e, ERR_CONFLICT, "days",
                           "the new due date %s would pass the legal due date %s", ck.promised_due,
                           legal.promised_due);
        rc = db_prepare(db,
                        "UPDATE case_file SET extension_days = extension_days + ?2,"
                        " updated_at = ?3 WHERE id = ?1",
                        &st);
        if (rc < 0)
            return dbfail(e, rc);
        db_bind_int64(st, 1, case_id);
        db_bind_int64(st, 2, days);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return dbfail(e, rc);
        if (ck.paused)
            snprintf(msg, sizeof(msg), "您的办件 %s（%s）经批准延期 %d 个%s。", r.number,
                     r.item_name, days, strcmp(r.promised_unit, "workdays") == 0 ? "工作日" : "日");
        else
            snprintf(msg, sizeof(msg), "您的办件 %s（%s）经批准延期 %d 个%s，预计 %s 前办结。",
                     r.number, r.item_name, days,
                     strcmp(r.promised_unit, "workdays") == 0 ? "工作日" : "日", ck.promised_due);
        rc = case_notify(db, 0, r.phone_enc, "extension_notice", case_id, 0, msg, now, &notice_id);
        if (rc < 0)
            return dbfail(e, rc);
    }
    rc = db_prepare(db,
                    "UPDATE case_extension SET status = ?2, decided_by = ?3, decided_at = ?4,"
                    " decision_note = ?5, citizen_notice_id = ?6 WHERE id = ?1",
                    &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, ext_id);
    db_bind_text(st, 2, approve ? "approved" : "rejected");
    bind_opt_id(st, 3, who->staff_id);
    db_bind_int64(st, 4, now);
    bind_opt_text(st, 5, note, 1);
    bind_opt_id(st, 6, notice_id);
    rc = db_step(st);
    db_finalize(st);
    char detail[CASE_TEXT_MAX * 4 + 64];
    snprintf(detail, sizeof(detail), "+%d%s%s", days, note && *note ? ": " : "",
             note && *note ? note : "");
    if (rc >= 0)
        rc = case_event_add(db, who, case_id, approve ? "extension_approved" : "extension_rejected",
                            NULL, NULL, r.node_id, detail, now);
    snprintf(msg, sizeof(msg), "办件 %s 的延期申请已%s", r.number, approve ? "批准" : "驳回");
    if (rc >= 0)
        rc = case_notify(db, r.handler_id, NULL, "extension_decided", case_id, 0, msg, now, NULL);
    if (rc >= 0)
        rc = case_refresh(db, cal, case_id, today, missing_year);
    return rc < 0 ? calfail(e, rc, *missing_year) : 0;
}

int case_new_query_code(struct db *db, const struct actor *who, int64_t id, int64_t now,
                        char query_code[CASE_QUERY_CODE_LEN + 1], struct err *e)
{
    struct crow r;
    int rc = load_row(db, id, &r, e);
    if (rc < 0)
        return rc;
    if (!may_manage(who, &r))
        return err_set(e, ERR_FORBIDDEN, NULL, "you do not hold this case");
    char qh[CRYPTO_SHA256_HEX];
    make_code(query_code);
    case_query_hash(r.number, query_code, qh);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, "UPDATE case_file SET query_hash = ?2 WHERE id = ?1", &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, qh);
    rc = db_step(st);
    db_finalize(st);
    if (rc >= 0)
        rc =
            case_event_add(db, who, id, "query_code", NULL, NULL, r.node_id, "重新打印查询码", now);
    return rc < 0 ? dbfail(e, rc) : 0;
}

int case_contact(struct db *db, const struct actor *who, int64_t id, char phone[PII_PHONE_MAX + 1],
                 char agent_phone[PII_PHONE_MAX + 1], int64_t now, struct err *e)
{
    struct crow r;
    (void)now;
    int rc = load_row(db, id, &r, e);
    if (rc < 0)
        return rc;
    if (!is_staff(who) && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff may read a citizen's number");
    if (!actor_in_scope(who, r.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "this case is outside your scope");
    agent_phone[0] = '\0';
    if (pii_decrypt(r.phone_enc, phone, PII_PHONE_MAX + 1) < 0 ||
        (r.agent_phone_enc[0] &&
         pii_decrypt(r.agent_phone_enc, agent_phone, PII_PHONE_MAX + 1) < 0))
        return err_set(e, ERR_UNAVAILABLE, NULL,
                       "the stored number cannot be read with this server's data key");
    rc = audit_append(db, who, "case.contact", "case", id, r.node_id, NULL,
                      json_pack("{s:s}", "number", r.number));
    return rc < 0 ? dbfail(e, rc) : 0;
}

/* ---- accountability and follow-ups opened by completion ---- */

int acct_create(struct db *db, const struct actor *who, int64_t staff_id, int64_t case_id,
                const char *source, const char *reason, int64_t now, int64_t *id, struct err *e)
{
    if (!source || (strcmp(source, "overdue") != 0 && strcmp(source, "complaint") != 0 &&
                    strcmp(source, "finding") != 0))
        return err_set(e, ERR_INVALID, "source", "source must be overdue, complaint or finding");
    if (!reason || parse_text(reason, 1, CASE_TEXT_MAX, 1) < 0)
        return err_set(e, ERR_INVALID, "reason", "give the reason (1-%d characters)",
                       CASE_TEXT_MAX);
    struct staff s;
    int rc = staff_get(db, staff_id, &s);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "staff_id", "no such staff member");
    if (rc < 0)
        return dbfail(e, rc);
    if (who && who->role != ROLE_SYSTEM) {
        if (who->role != ROLE_LEADER && who->role != ROLE_SUPERVISOR)
            return err_set(e, ERR_FORBIDDEN, NULL,
                           "only a leader or supervisor opens an accountability record");
        if (!actor_in_scope(who, s.node_path))
            return err_set(e, ERR_FORBIDDEN, "staff_id", "%s is outside your scope", s.name);
        if (who->staff_id == staff_id)
            return err_set(e, ERR_INVALID, "staff_id", "not against yourself");
    }
    if (case_id) {
        struct crow cr;
        struct err ce = {0};
        rc = load_row(db, case_id, &cr, &ce);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "case_id", "no such case");
        if (rc < 0)
            return dbfail(e, rc);
        if (who && who->role != ROLE_SYSTEM && !actor_in_scope(who, cr.node_path))
            return err_set(e, ERR_FORBIDDEN, "case_id", "this case is outside your scope");
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "INSERT INTO accountability (staff_id, node_path, case_id, source, reason,"
                    " status, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6,"
                    " ?7) RETURNING id",
                    &st);
    if (rc < 0)
        return dbfail(e, rc);
    db_bind_int64(st, 1, staff_id);
    db_bind_text(st, 2, s.node_path);
    bind_opt_id(st, 3, case_id);
    db_bind_text(st, 4, source);
    db_bind_text(st, 5, reason);
    bind_opt_id(st, 6, who ? who->staff_id : 0);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    int64_t aid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return dbfail(e, rc);
    if (id)
        *id = aid;
    int64_t leader = 0;
    rc = case_leader_of(db, s.node_path, &leader);
    char msg[STAFF_NAME_MAX * 4 + 96];
    snprintf(msg, sizeof(msg), "%s 有一条待定的责任追究记录", s.name);
    if (rc == 0 && leader && leader != staff_id)
        rc = case_notify(db, leader, NULL, "accountability", case_id, 0, msg, now, NULL);
    return rc < 0 ? dbfail(e, rc) : 0;
}

int followup_schedule(struct db *db, const struct calendar *cal, int64_t case_id, int is_promised,
                      const char *node_path, const char *closed_day, int64_t now, int *missing_year)
{
    struct case_settings cs;
    int rc = case_settings_get(db, case_region_of(node_path), &cs);
    if (rc < 0)
        return rc;
    /* a fixed sample of immediate cases: the same case is always in or out */
    if (!is_promised && (int)(((uint64_t)case_id * 2654435761u) % 100) >= cs.followup_sample_pct)
        return 0;
    int32_t closed, due;
    if (date_parse(closed_day, &closed) < 0)
        return ERR_INVALID;
    rc = calendar_add_workdays(cal, closed, cs.followup_days, &due, missing_year);
    if (rc == ERR_CALENDAR)
        due = closed + cs.followup_days; /* a year not imported yet: natural days */
    else if (rc < 0)
        return rc;
    char dd[DATE_TEXT];
    date_format(due, dd);
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "INSERT INTO followup (case_id, node_path, due_day, status, created_at)"
                    " VALUES (?1, ?2, ?3, 'scheduled', ?4)",
                    &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, case_id);
    db_bind_text(st, 2, node_path);
    db_bind_text(st, 3, dd);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- the warning sweep ---- */

struct warn_row {
    int64_t id, handler_id, node_id, window_id;
    int w;
    char number[CASE_NUMBER_MAX + 1], item[CATALOG_NAME_MAX * 4 + 1], path[ACTOR_PATH_MAX],
        yellow[DATE_TEXT], due[DATE_TEXT];
};

#define SWEEP_BATCH 200
#define RECALC_BATCH 500

/* one batch of the recomputation a calendar change asked for */
static int recalc_batch(struct db *db, const struct calendar *cal, const char *today)
{
    struct db_stmt *st = NULL;
    int64_t from = -1;
    int rc = db_prepare(db, "SELECT next_id FROM case_recalc WHERE id = 1", &st);
    if (rc < 0)
        return rc;
    if ((rc = db_step(st)) == DB_ROW)
        from = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0 || from < 0)
        return rc < 0 ? rc : 0;
    int64_t ids[RECALC_BATCH];
    int n = 0;
    rc = db_prepare(db,
                    "SELECT id FROM case_file WHERE open = 1 AND kind = 'promised' AND id > ?1"
                    " ORDER BY id LIMIT ?2",
                    &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, RECALC_BATCH);
    while ((rc = db_step(st)) == DB_ROW && n < RECALC_BATCH)
        ids[n++] = db_col_int64(st, 0);
    db_finalize(st);
    for (int i = 0; rc >= 0 && i < n; i++) {
        int missing = 0;
        rc = case_refresh(db, cal, ids[i], today, &missing);
        if (rc == ERR_CALENDAR)
            rc = 0; /* its promised date needs a year still unknown: it keeps the old one */
        else if (rc == ERR_INVALID) {
            /* pauses the new calendar cannot place: keep its dates, go on */
            log_warn("case recalculation skipped a case", "case_id=%lld", (long long)ids[i]);
            rc = 0;
        }
    }
    if (rc < 0)
        return rc;
    rc = db_prepare(db,
                    n == RECALC_BATCH ? "UPDATE case_recalc SET next_id = ?1 WHERE id = 1"
                                      : "DELETE FROM case_recalc WHERE id = 1 AND ?1 >= 0",
                    &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, n ? ids[n - 1] : 0);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : n == RECALC_BATCH;
}

/* The scorecards' count of cases that went overdue (score.h): once per case,
 * though an extension may take a case back and the sweep raise it again. The
 * warning event of this raise is already recorded. */
static int count_overdue(struct db *db, const struct warn_row *w, const char *today)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT COUNT(*) FROM case_event WHERE case_id = ?1 AND kind = 'warning'"
                        " AND detail = 'overdue'",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, w->id);
    rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    return n == 1 ? score_fact_add(db, today, w->window_id, w->handler_id, "case_overdue", 1) : 0;
}

int case_sweep(struct db *db, const struct calendar *cal, int64_t now, int *raised)
{
    static const char *const kinds[] = {"", "case_yellow", "case_red", "case_overdue"};
    static const char *const names[] = {"", "yellow", "red", "overdue"};
    static const char *const words[] = {"", "进入黄牌预警", "今日到期（红牌）", "已超期"};
    char today[DATE_TEXT];
    case_today(now, today);
    if (raised)
        *raised = 0;
    int more = recalc_batch(db, cal, today);
    if (more < 0)
        return more;
    struct warn_row *rows = malloc(sizeof(*rows) * SWEEP_BATCH);
    if (!rows)
        return ERR_NOMEM;
    int rc, n;
    do {
        struct db_stmt *st = NULL;
        n = 0;
        rc = db_prepare(db,
                        "SELECT id, handler_id, node_id, warn_level, number, item_name, node_path,"
                        " yellow_day, promised_due, COALESCE(window_id, 0) FROM case_file"
                        " WHERE next_warn_day <= ?1"
                        " AND open = 1 AND paused = 0 ORDER BY next_warn_day LIMIT ?2",
                        &st);
        if (rc < 0)
            break;
        db_bind_text(st, 1, today);
        db_bind_int64(st, 2, SWEEP_BATCH);
        while ((rc = db_step(st)) == DB_ROW && n < SWEEP_BATCH) {
            struct warn_row *w = &rows[n++];
            w->id = db_col_int64(st, 0);
            w->handler_id = db_col_int64(st, 1);
            w->node_id = db_col_int64(st, 2);
            w->w = (int)db_col_int64(st, 3);
            copy(w->number, sizeof(w->number), db_col_text(st, 4));
            copy(w->item, sizeof(w->item), db_col_text(st, 5));
            copy(w->path, sizeof(w->path), db_col_text(st, 6));
            copy(w->yellow, sizeof(w->yellow), db_col_text(st, 7));
            copy(w->due, sizeof(w->due), db_col_text(st, 8));
            w->window_id = db_col_int64(st, 9);
        }
        db_finalize(st);
        if (rc < 0)
            break;
        for (int i = 0; rc >= 0 && i < n; i++) {
            struct warn_row *w = &rows[i];
            int cmp = strcmp(today, w->due);
            int level = cmp > 0 ? 3 : cmp == 0 ? 2 : strcmp(today, w->yellow) >= 0 ? 1 : 0;
            int nw = level > w->w ? level : w->w;
            char next[DATE_TEXT];
            next_threshold(w->yellow, w->due, nw, next);
            /* claim the step first: another server node sweeping at the same
             * time finds the level moved and raises nothing */
            int claimed = 0;
            rc = db_prepare(db,
                            "UPDATE case_file SET warn_level = ?2, next_warn_day = ?3"
                            " WHERE id = ?1 AND warn_level = ?4 RETURNING id",
                            &st);
            if (rc >= 0) {
                db_bind_int64(st, 1, w->id);
                db_bind_int64(st, 2, nw);
                bind_day(st, 3, next);
                db_bind_int64(st, 4, w->w);
                rc = db_step(st);
                claimed = rc == DB_ROW;
                db_finalize(st);
            }
            if (rc >= 0 && claimed && level > w->w) {
                char msg[CATALOG_NAME_MAX * 4 + 128];
                int64_t leader = 0;
                snprintf(msg, sizeof(msg), "办件 %s（%s）%s，承诺办结日 %s", w->number, w->item,
                         words[level], w->due);
                rc = case_notify(db, w->handler_id, NULL, kinds[level], w->id, 0, msg, now, NULL);
                if (rc >= 0)
                    rc = case_leader_of(db, w->path, &leader);
                if (rc >= 0 && leader && leader != w->handler_id)
                    rc = case_notify(db, leader, NULL, kinds[level], w->id, 0, msg, now, NULL);
                if (rc >= 0)
                    rc = case_event_add(db, NULL, w->id, "warning", NULL, NULL, w->node_id,
                                        names[level], now);
                if (rc >= 0 && level == 3) /* counted once per case, when it went overdue */
                    rc = count_overdue(db, w, today);
                if (raised && rc >= 0)
                    *raised += leader && leader != w->handler_id ? 2 : 1;
            }
        }
    } while (rc >= 0 && n == SWEEP_BATCH);
    free(rows);
    if (rc >= 0) {
        int escalated = 0;
        rc = inquiry_sweep(db, now, &escalated);
        if (raised && rc >= 0)
            *raised += escalated;
    }
    return rc < 0 ? rc : more;
}

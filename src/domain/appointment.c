/* appointment.c - appointments: slots, booking, cancelling, check-in and
 * no-shows (appointment.h). */
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "domain/appointment.h"
#include "domain/audit.h"
#include "domain/device.h"
#include "domain/org.h"

/* no 0/O, 1/I: 32 characters, so a random byte maps without bias */
static const char CODE_ALPHABET[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

static const char *const status_names[] = {"", "booked", "cancelled", "checked_in", "no_show"};

const char *appt_status_name(enum appt_status s)
{
    return s >= APPT_BOOKED && s <= APPT_NO_SHOW ? status_names[s] : "";
}

static enum appt_status status_parse(const char *s)
{
    for (int i = APPT_BOOKED; s && i <= APPT_NO_SHOW; i++)
        if (strcmp(s, status_names[i]) == 0)
            return (enum appt_status)i;
    return 0;
}

static int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE ? rc : ERR_DB, NULL,
                   "database error");
}

/* a code as typed (any case) to its canonical upper-case form, hashed */
static int code_hash(const char *code, char hash[CRYPTO_SHA256_HEX])
{
    char c[APPT_CODE_LEN + 1];
    if (!code || strlen(code) != APPT_CODE_LEN)
        return ERR_INVALID;
    for (int i = 0; i < APPT_CODE_LEN; i++) {
        char ch = code[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (!strchr(CODE_ALPHABET, ch) || ch == '\0')
            return ERR_INVALID;
        c[i] = ch;
    }
    c[APPT_CODE_LEN] = '\0';
    crypto_sha256_hex(c, APPT_CODE_LEN, hash);
    return 0;
}

static int id_number_ok(const char *s)
{
    size_t n = strlen(s);
    if (n != 15 && n != 18)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (i == n - 1 && (s[i] == 'X' || s[i] == 'x'))))
            return 0;
    return 1;
}

static int load_hall(struct db *db, int64_t id, struct org_node *h, struct err *e)
{
    int rc = org_get(db, id, h);
    if (rc == 0 && (strcmp(h->kind, "hall") != 0 || !h->active))
        rc = ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "hall_id", "no such hall");
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* The item's published version, appointable when asked, served at the hall. */
static int load_item(struct db *db, const struct org_node *hall, const char *code,
                     int need_appointable, struct arena *a, struct catalog_version *v,
                     struct err *e)
{
    if (!code || !catalog_code_ok(code))
        return err_set(e, ERR_INVALID, "item_code", "item_code must be a catalogue item code");
    int rc = catalog_get_current(db, code, a, v);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "item_code", "no published item %s", code);
    if (rc < 0)
        return db_fail(e, rc);
    int served = 0;
    for (int i = 0; i < v->nplaces; i++)
        if (v->places[i].hall_id == hall->id)
            served = 1;
    if (!served)
        return err_set(e, ERR_INVALID, "item_code", "%s is not served at %s", code, hall->name);
    if (need_appointable && !v->appointable)
        return err_set(e, ERR_INVALID, "item_code", "%s cannot be booked", code);
    return 0;
}

/* local day number and minute of the day at now (Asia/Shanghai) */
static void local_now(int64_t now, int32_t *day, int *minute)
{
    int64_t t = now + QUEUE_TZ_OFFSET_S;
    int64_t d = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    *day = (int32_t)d;
    *minute = (int)((t - d * 86400) / 60);
}

/* epoch seconds of a local day and minute */
static int64_t epoch_of(int32_t day, int minute)
{
    return (int64_t)day * 86400 + (int64_t)minute * 60 - QUEUE_TZ_OFFSET_S;
}

/* The day must be a working day (ERR_CONFLICT / ERR_CALENDAR). */
static int check_workday(const struct calendar *cal, const char *day, int32_t *dn,
                         int *missing_year, struct err *e)
{
    if (!day || date_parse(day, dn) < 0)
        return err_set(e, ERR_INVALID, "day", "day must be a real date as YYYY-MM-DD");
    int rc = calendar_is_workday(cal, *dn, missing_year);
    if (rc == ERR_CALENDAR)
        return err_set(e, ERR_CALENDAR, "day",
                       "no working-day calendar for %d: import the State Council's holiday "
                       "notice for %d",
                       *missing_year, *missing_year);
    if (rc < 0)
        return db_fail(e, rc);
    if (rc == 0)
        return err_set(e, ERR_CONFLICT, "day", "%s is not a working day: no appointments", day);
    return 0;
}

/* ---- slots ---- */

static const char SQL_SLOTS[] =
    "SELECT s.start_min, s.end_min, s.capacity,"
    " (SELECT COUNT(*) FROM appointment a WHERE a.hall_id = s.hall_id"
    "  AND a.item_code = s.item_code AND a.day = ?3 AND a.start_min = s.start_min"
    "  AND a.status IN ('booked', 'checked_in'))"
    " FROM appointment_slot s WHERE s.hall_id = ?1 AND s.item_code = ?2 ORDER BY s.start_min";

static int read_slots(struct db *db, int64_t hall_id, const char *item_code, const char *day,
                      int64_t now, struct arena *a, struct appt_slot **out, int *n)
{
    struct db_stmt *st = NULL;
    int32_t dn = 0, today = 0;
    int minute = 0;
    date_parse(day, &dn);
    local_now(now, &today, &minute);
    *out = arena_alloc(a, sizeof(**out) * APPT_SLOTS_MAX);
    *n = 0;
    if (!*out)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_SLOTS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, item_code);
    db_bind_text(st, 3, day);
    while ((rc = db_step(st)) == DB_ROW && *n < APPT_SLOTS_MAX) {
        struct appt_slot *s = &(*out)[(*n)++];
        s->start = (int)db_col_int64(st, 0);
        s->end = (int)db_col_int64(st, 1);
        s->capacity = (int)db_col_int64(st, 2);
        s->booked = (int)db_col_int64(st, 3);
        s->remaining = s->capacity > s->booked ? s->capacity - s->booked : 0;
        /* bookable while its check-in can still be made */
        s->open = dn > today || (dn == today && minute < s->start + APPT_LATE_S / 60);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int appt_slots(struct db *db, const struct calendar *cal, int64_t hall_id, const char *item_code,
               const char *day, int64_t now, struct arena *a, struct appt_slot **out, int *n,
               int *missing_year, struct err *e)
{
    struct org_node hall;
    struct catalog_version v;
    int32_t dn;
    int rc = load_hall(db, hall_id, &hall, e);
    if (rc == 0)
        rc = load_item(db, &hall, item_code, 1, a, &v, e);
    if (rc == 0)
        rc = check_workday(cal, day, &dn, missing_year, e);
    if (rc < 0)
        return rc;
    rc = read_slots(db, hall_id, item_code, day, now, a, out, n);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* New slots may not strand a booking: every start that still has a booked
 * appointment from today on must stay (ERR_CONFLICT "slots"). */
static int slots_keep_bookings(struct db *db, int64_t hall_id, const char *item_code,
                               const struct appt_slot_def *slots, int n, int64_t now, struct err *e)
{
    int32_t today = 0;
    int minute = 0;
    char day[DATE_TEXT];
    local_now(now, &today, &minute);
    date_format(today, day);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT start_min, MIN(day), COUNT(*) FROM appointment"
                        " WHERE hall_id = ?1 AND item_code = ?2 AND status = 'booked' AND day >= ?3"
                        " GROUP BY start_min ORDER BY start_min",
                        &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, hall_id);
    db_bind_text(st, 2, item_code);
    db_bind_text(st, 3, day);
    while ((rc = db_step(st)) == DB_ROW) {
        int start = (int)db_col_int64(st, 0);
        int kept = 0;
        for (int i = 0; i < n && !kept; i++)
            kept = slots[i].start == start;
        if (!kept) {
            char first[DATE_TEXT];
            snprintf(first, sizeof(first), "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
            long long count = (long long)db_col_int64(st, 2);
            db_finalize(st);
            return err_set(e, ERR_CONFLICT, "slots",
                           "the slot at %02d:%02d has %lld booking(s) from %s on: keep it or "
                           "cancel them first",
                           start / 60, start % 60, count, first);
        }
    }
    db_finalize(st);
    return rc < 0 ? db_fail(e, rc) : 0;
}

int appt_slots_set(struct db *db, const struct actor *who, int64_t hall_id, const char *item_code,
                   const struct appt_slot_def *slots, int n, int64_t now, struct err *e)
{
    struct org_node hall;
    struct catalog_version v;
    struct arena a = {0};
    int rc = load_hall(db, hall_id, &hall, e);
    if (rc < 0)
        return rc;
    if (who->role != ROLE_SYSTEM && !(who->role == ROLE_ADMIN && actor_in_scope(who, hall.path)))
        return err_set(e, ERR_FORBIDDEN, NULL, "you may not set appointment slots at %s",
                       hall.name);
    rc = load_item(db, &hall, item_code, 1, &a, &v, e);
    arena_reset(&a);
    if (rc < 0)
        return rc;
    if (n < 0 || n > APPT_SLOTS_MAX)
        return err_set(e, ERR_INVALID, "slots", "at most %d slots", APPT_SLOTS_MAX);
    for (int i = 0; i < n; i++) {
        char field[32];
        snprintf(field, sizeof(field), "slots[%d]", i);
        const struct appt_slot_def *s = &slots[i];
        if (s->start < 0 || s->end <= s->start || s->end > 1440)
            return err_set(e, ERR_INVALID, field, "%s must have 0 <= start < end <= 1440", field);
        if (s->capacity < 1 || s->capacity > APPT_CAPACITY_MAX)
            return err_set(e, ERR_INVALID, field, "%s must have a capacity of 1-%d", field,
                           APPT_CAPACITY_MAX);
        for (int j = 0; j < i; j++)
            if (s->start < slots[j].end && slots[j].start < s->end)
                return err_set(e, ERR_INVALID, field, "%s overlaps slots[%d]", field, j);
    }
    rc = slots_keep_bookings(db, hall_id, item_code, slots, n, now, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, "DELETE FROM appointment_slot WHERE hall_id = ?1 AND item_code = ?2", &st);
    if (rc == 0) {
        db_bind_int64(st, 1, hall_id);
        db_bind_text(st, 2, item_code);
        rc = db_step(st);
        db_finalize(st);
    }
    json_t *after = json_pack("{s:s,s:[]}", "item_code", item_code, "slots");
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = db_prepare(db,
                        "INSERT INTO appointment_slot (hall_id, item_code, start_min, end_min,"
                        " capacity, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, hall_id);
        db_bind_text(st, 2, item_code);
        db_bind_int64(st, 3, slots[i].start);
        db_bind_int64(st, 4, slots[i].end);
        db_bind_int64(st, 5, slots[i].capacity);
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
        if (after)
            json_array_append_new(json_object_get(after, "slots"),
                                  json_pack("{s:i,s:i,s:i}", "start", slots[i].start, "end",
                                            slots[i].end, "capacity", slots[i].capacity));
    }
    if (rc < 0) {
        json_decref(after);
        return db_fail(e, rc);
    }
    rc = audit_append(db, who, "update", "appointment_slots", hall_id, hall_id, NULL, after);
    return rc < 0 ? db_fail(e, rc) : 0;
}

int appt_slot_items(struct db *db, int64_t hall_id, struct arena *a, const char **codes, int max,
                    int *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db,
                        "SELECT DISTINCT item_code FROM appointment_slot WHERE hall_id = ?1"
                        " ORDER BY item_code",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, hall_id);
    while ((rc = db_step(st)) == DB_ROW && *n < max) {
        const char *code = arena_strdup(a, db_col_text(st, 0) ? db_col_text(st, 0) : "");
        if (!code) {
            rc = ERR_NOMEM;
            break;
        }
        codes[(*n)++] = code;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- reading a booking ---- */

#define APPT_COLS                                                                                  \
    "a.id, a.hall_id, h.name, a.item_code, a.day, a.start_min, a.end_min, a.name, a.code_hint,"    \
    " a.channel, a.status, a.created_at, COALESCE(a.cancelled_at, 0),"                             \
    " COALESCE(a.checked_in_at, 0), COALESCE(a.ticket_id, 0), a.phone_hash"

static const char SQL_BY_CODE[] =
    "SELECT " APPT_COLS " FROM appointment a JOIN org_node h ON h.id = a.hall_id"
    " WHERE a.code_hash = ?1";

static const char SQL_ITEM_NAME[] =
    "SELECT v.name FROM catalog_item i JOIN catalog_version v ON v.id = i.current_version_id"
    " WHERE i.code = ?1";

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* by code hash; phone_out gets the stored phone hash */
static int read_by_code(struct db *db, const char *chash, struct appointment *o,
                        char phone_out[CRYPTO_SHA256_HEX])
{
    struct db_stmt *st = NULL;
    memset(o, 0, sizeof(*o));
    int rc = db_prepare(db, SQL_BY_CODE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, chash);
    rc = db_step(st);
    if (rc == DB_ROW) {
        o->id = db_col_int64(st, 0);
        o->hall_id = db_col_int64(st, 1);
        copy(o->hall_name, sizeof(o->hall_name), db_col_text(st, 2));
        copy(o->item_code, sizeof(o->item_code), db_col_text(st, 3));
        copy(o->day, sizeof(o->day), db_col_text(st, 4));
        o->start = (int)db_col_int64(st, 5);
        o->end = (int)db_col_int64(st, 6);
        copy(o->name, sizeof(o->name), db_col_text(st, 7));
        copy(o->code_hint, sizeof(o->code_hint), db_col_text(st, 8));
        copy(o->channel, sizeof(o->channel), db_col_text(st, 9));
        o->status = status_parse(db_col_text(st, 10));
        o->created_at = db_col_int64(st, 11);
        o->cancelled_at = db_col_int64(st, 12);
        o->checked_in_at = db_col_int64(st, 13);
        o->ticket_id = db_col_int64(st, 14);
        copy(phone_out, CRYPTO_SHA256_HEX, db_col_text(st, 15));
    }
    db_finalize(st);
    if (rc == DB_DONE)
        return ERR_NOTFOUND;
    if (rc < 0)
        return rc;
    int32_t dn = 0;
    if (date_parse(o->day, &dn) == 0) {
        o->checkin_from = epoch_of(dn, o->start) - APPT_EARLY_S;
        o->checkin_until = epoch_of(dn, o->start) + APPT_LATE_S;
    }
    rc = db_prepare(db, SQL_ITEM_NAME, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, o->item_code);
    rc = db_step(st);
    if (rc == DB_ROW)
        copy(o->item_name, sizeof(o->item_name), db_col_text(st, 0));
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* the booking of code and phone; ERR_NOTFOUND (e filled) when they do not match */
static int find(struct db *db, const char *code, const char *phone, struct appointment *o,
                struct err *e)
{
    char ch[CRYPTO_SHA256_HEX], ph[CRYPTO_SHA256_HEX], stored[CRYPTO_SHA256_HEX] = "";
    if (code_hash(code, ch) < 0 || queue_phone_hash(phone, ph) < 0)
        return err_set(e, ERR_NOTFOUND, "code", "no appointment with this code and phone");
    int rc = read_by_code(db, ch, o, stored);
    if (rc == 0 && !crypto_str_equal(stored, ph))
        rc = ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "code", "no appointment with this code and phone");
    return rc < 0 ? db_fail(e, rc) : 0;
}

int appt_get(struct db *db, const char *code, const char *phone, struct appointment *out,
             struct err *e)
{
    return find(db, code, phone, out, e);
}

/* ---- writes ---- */

/* Bookings still "booked" whose check-in window has closed: every day
 * before yesterday, and yesterday's whose window ended (a 23:50 slot may be
 * checked in until 00:05). ?1 yesterday, ?2 seconds from yesterday's
 * midnight to now, ?3 APPT_LATE_S. */
#define SWEEP_WHERE                                                                                \
    " WHERE status = 'booked' AND (day < ?1 OR (day = ?1"                                          \
    " AND start_min * 60 + CAST(?3 AS BIGINT) < CAST(?2 AS BIGINT)))"

int appt_sweep(struct db *db, int64_t now, int *marked)
{
    int32_t today = 0;
    int minute = 0;
    char yesterday[DATE_TEXT];
    local_now(now, &today, &minute);
    date_format(today - 1, yesterday);
    int64_t since = 86400 + (now + QUEUE_TZ_OFFSET_S) - ((int64_t)today * 86400);
    struct db_stmt *st = NULL;
    if (marked)
        *marked = 0;
    int64_t before = 0;
    int rc = db_prepare(db, "SELECT COUNT(*) FROM appointment" SWEEP_WHERE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, yesterday);
    db_bind_int64(st, 2, since);
    db_bind_int64(st, 3, APPT_LATE_S);
    rc = db_step(st);
    if (rc == DB_ROW)
        before = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (before == 0)
        return 0;
    rc = db_prepare(
        db,
        "UPDATE appointment SET status = 'no_show', updated_at = CAST(?4 AS BIGINT)" SWEEP_WHERE,
        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, yesterday);
    db_bind_int64(st, 2, since);
    db_bind_int64(st, 3, APPT_LATE_S);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (marked)
        *marked = (int)before;
    return 0;
}

static int count_active(struct db *db, const char *sql, const char *a1, const char *a2,
                        const char *a3, int64_t *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, a1);
    db_bind_text(st, 2, a2);
    if (a3)
        db_bind_text(st, 3, a3);
    rc = db_step(st);
    *out = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static void make_code(char code[APPT_CODE_LEN + 1])
{
    char hex[2 * APPT_CODE_LEN + 1];
    crypto_random_hex(hex, APPT_CODE_LEN);
    for (size_t i = 0; i < APPT_CODE_LEN; i++) {
        /* a random byte (two hex digits) onto 32 characters */
        unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
        unsigned lo =
            (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
        code[i] = CODE_ALPHABET[((hi << 4) | lo) % 32];
    }
    code[APPT_CODE_LEN] = '\0';
}

static const char SQL_INSERT[] =
    "INSERT INTO appointment (hall_id, item_code, day, start_min, end_min, name, phone_hash,"
    " id_number_hash, code_hash, code_hint, channel, status, staff_id, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'booked', ?12, ?13, ?13)";

int appt_book(struct db *db, const struct actor *who, const struct calendar *cal,
              const struct appt_input *in, int64_t now, struct appointment *out,
              char code[APPT_CODE_LEN + 1], int *missing_year, struct err *e)
{
    struct org_node hall;
    struct catalog_version v;
    struct arena a = {0};
    char masked[4 + QUEUE_NAME_MAX + 1], ph[CRYPTO_SHA256_HEX], idh[CRYPTO_SHA256_HEX];
    char ch[CRYPTO_SHA256_HEX];
    int32_t dn = 0, today = 0;
    int minute = 0;
    int rc = load_hall(db, in->hall_id, &hall, e);
    if (rc < 0)
        return rc;
    int by_staff = who->role == ROLE_ADMIN || who->role == ROLE_STAFF;
    if (by_staff && !actor_in_scope(who, hall.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "you may not book at %s", hall.name);
    if (!by_staff && who->role != ROLE_NONE && who->role != ROLE_PUBLIC && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "you may not book appointments");
    if (!in->name || queue_mask_name(in->name, masked, sizeof(masked)) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters on one line",
                       QUEUE_NAME_MAX);
    if (queue_phone_hash(in->phone, ph) < 0)
        return err_set(e, ERR_INVALID, "phone", "phone must be 5-%d digits", QUEUE_PHONE_MAX);
    if (in->id_number && !id_number_ok(in->id_number))
        return err_set(e, ERR_INVALID, "id_number", "id_number must be 15 or 18 characters");
    if (in->id_number) {
        char up[APPT_ID_NUMBER_MAX + 1];
        copy(up, sizeof(up), in->id_number);
        size_t l = strlen(up);
        if (l && up[l - 1] == 'x')
            up[l - 1] = 'X';
        crypto_sha256_hex(up, l, idh);
    }
    rc = load_item(db, &hall, in->item_code, 1, &a, &v, e);
    arena_reset(&a);
    if (rc == 0)
        rc = check_workday(cal, in->day, &dn, missing_year, e);
    if (rc < 0)
        return rc;
    local_now(now, &today, &minute);
    if (dn < today || dn > today + APPT_HORIZON_DAYS)
        return err_set(e, ERR_INVALID, "day", "day must be from today to %d days ahead",
                       APPT_HORIZON_DAYS);
    rc = appt_sweep(db, now, NULL);
    if (rc < 0)
        return db_fail(e, rc);
    /* the slot: its row is touched first, so concurrent bookers of it (other
     * server nodes on PostgreSQL) take turns */
    struct db_stmt *st = NULL;
    int64_t end = -1, cap = 0, booked = 0;
    rc = db_prepare(db,
                    "UPDATE appointment_slot SET updated_at = updated_at"
                    " WHERE hall_id = ?1 AND item_code = ?2 AND start_min = ?3",
                    &st);
    if (rc == 0) {
        db_bind_int64(st, 1, hall.id);
        db_bind_text(st, 2, in->item_code);
        db_bind_int64(st, 3, in->slot_start);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc >= 0)
        rc = db_prepare(db,
                        "SELECT end_min, capacity FROM appointment_slot"
                        " WHERE hall_id = ?1 AND item_code = ?2 AND start_min = ?3",
                        &st);
    if (rc >= 0) {
        db_bind_int64(st, 1, hall.id);
        db_bind_text(st, 2, in->item_code);
        db_bind_int64(st, 3, in->slot_start);
        rc = db_step(st);
        if (rc == DB_ROW) {
            end = db_col_int64(st, 0);
            cap = db_col_int64(st, 1);
        }
        db_finalize(st);
    }
    if (rc < 0)
        return db_fail(e, rc);
    if (end < 0)
        return err_set(e, ERR_INVALID, "slot_start", "no such slot for %s at %s", in->item_code,
                       hall.name);
    if (dn == today && minute >= in->slot_start + APPT_LATE_S / 60)
        return err_set(e, ERR_CONFLICT, "slot_start", "this slot is over");
    rc = db_prepare(db,
                    "SELECT COUNT(*) FROM appointment WHERE hall_id = ?1 AND item_code = ?2"
                    " AND day = ?3 AND start_min = ?4 AND status IN ('booked', 'checked_in')",
                    &st);
    if (rc == 0) {
        db_bind_int64(st, 1, hall.id);
        db_bind_text(st, 2, in->item_code);
        db_bind_text(st, 3, in->day);
        db_bind_int64(st, 4, in->slot_start);
        rc = db_step(st);
        booked = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
    }
    if (rc < 0)
        return db_fail(e, rc);
    if (booked >= cap)
        return err_set(e, ERR_CONFLICT, "slot_start", "this slot is full");
    int64_t same = 0, day_total = 0;
    rc = count_active(db,
                      "SELECT COUNT(*) FROM appointment WHERE phone_hash = ?1 AND item_code = ?2"
                      " AND day = ?3 AND status IN ('booked', 'checked_in')",
                      ph, in->item_code, in->day, &same);
    if (rc == 0)
        rc = count_active(db,
                          "SELECT COUNT(*) FROM appointment WHERE phone_hash = ?1 AND day = ?2"
                          " AND status IN ('booked', 'checked_in')",
                          ph, in->day, NULL, &day_total);
    if (rc < 0)
        return db_fail(e, rc);
    if (same > 0)
        return err_set(e, ERR_CONFLICT, "item_code",
                       "this phone already has an appointment for this item on %s", in->day);
    if (day_total >= APPT_PER_PERSON_DAY)
        return err_set(e, ERR_CONFLICT, "phone",
                       "this phone already has %d appointments on %s, the most allowed",
                       APPT_PER_PERSON_DAY, in->day);
    char hint[APPT_HINT_LEN + 1];
    for (int attempt = 0;; attempt++) {
        make_code(code);
        code_hash(code, ch);
        memcpy(hint, code, APPT_HINT_LEN);
        hint[APPT_HINT_LEN] = '\0';
        rc = db_prepare(db, SQL_INSERT, &st);
        if (rc < 0)
            return db_fail(e, rc);
        db_bind_int64(st, 1, hall.id);
        db_bind_text(st, 2, in->item_code);
        db_bind_text(st, 3, in->day);
        db_bind_int64(st, 4, in->slot_start);
        db_bind_int64(st, 5, end);
        db_bind_text(st, 6, in->name);
        db_bind_text(st, 7, ph);
        db_bind_text(st, 8, in->id_number ? idh : NULL);
        db_bind_text(st, 9, ch);
        db_bind_text(st, 10, hint);
        db_bind_text(st, 11, by_staff ? "phone" : "web");
        if (by_staff && who->staff_id)
            db_bind_int64(st, 12, who->staff_id);
        else
            db_bind_null(st, 12);
        db_bind_int64(st, 13, now);
        rc = db_step(st);
        db_finalize(st);
        /* the person's bookings were checked above, so a conflict is a code
         * already taken (1 in 2^40 per booking): draw again */
        if (rc != ERR_CONFLICT || attempt >= 3)
            break;
    }
    if (rc < 0)
        return db_fail(e, rc);
    char dummy[CRYPTO_SHA256_HEX];
    rc = read_by_code(db, ch, out, dummy);
    return rc < 0 ? db_fail(e, rc) : 0;
}

static int set_status(struct db *db, int64_t id, const char *from, const char *to, int64_t now,
                      int64_t ticket_id)
{
    struct db_stmt *st = NULL;
    int rc =
        db_prepare(db,
                   "UPDATE appointment SET status = ?3, updated_at = ?4,"
                   " cancelled_at = CASE WHEN ?3 = 'cancelled' THEN ?4 ELSE cancelled_at END,"
                   " checked_in_at = CASE WHEN ?3 = 'checked_in' THEN ?4 ELSE checked_in_at END,"
                   " ticket_id = CASE WHEN ?5 > 0 THEN ?5 ELSE ticket_id END"
                   " WHERE id = ?1 AND status = ?2",
                   &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, from);
    db_bind_text(st, 3, to);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, ticket_id);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int not_booked(struct err *e, const struct appointment *o)
{
    if (o->status == APPT_CHECKED_IN)
        return err_set(e, ERR_CONFLICT, "code", "this appointment is already checked in");
    return err_set(e, ERR_CONFLICT, "code", "this appointment is %s",
                   o->status == APPT_CANCELLED ? "cancelled" : "a no-show");
}

int appt_cancel(struct db *db, const char *code, const char *phone, int64_t now,
                struct appointment *out, struct err *e)
{
    int rc = appt_sweep(db, now, NULL);
    if (rc < 0)
        return db_fail(e, rc);
    rc = find(db, code, phone, out, e);
    if (rc < 0)
        return rc;
    if (out->status != APPT_BOOKED)
        return not_booked(e, out);
    rc = set_status(db, out->id, "booked", "cancelled", now, 0);
    if (rc < 0)
        return db_fail(e, rc);
    out->status = APPT_CANCELLED;
    out->cancelled_at = now;
    return 0;
}

static void hhmm(int64_t t, char out[16])
{
    int32_t d;
    int m;
    local_now(t, &d, &m);
    snprintf(out, 16, "%02d:%02d", m / 60, m % 60);
}

int appt_checkin(struct db *db, const struct actor *who, int64_t hall_id, const char *code,
                 int64_t now, struct appointment *out, struct queue_ticket *ticket, struct err *e)
{
    struct org_node hall;
    char ch[CRYPTO_SHA256_HEX], ph[CRYPTO_SHA256_HEX];
    int rc = load_hall(db, hall_id, &hall, e);
    if (rc == 0)
        rc = queue_may_issue(db, who, &hall, e);
    if (rc < 0)
        return rc;
    rc = appt_sweep(db, now, NULL);
    if (rc < 0)
        return db_fail(e, rc);
    if (code_hash(code, ch) < 0)
        return err_set(e, ERR_NOTFOUND, "code", "no appointment with this code at %s", hall.name);
    rc = read_by_code(db, ch, out, ph);
    if (rc == 0 && out->hall_id != hall.id)
        rc = ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "code", "no appointment with this code at %s", hall.name);
    if (rc < 0)
        return db_fail(e, rc);
    if (out->status != APPT_BOOKED)
        return not_booked(e, out);
    if (now < out->checkin_from || now > out->checkin_until) {
        char from[16], until[16];
        hhmm(out->checkin_from, from);
        hhmm(out->checkin_until, until);
        return err_set(e, ERR_CONFLICT, "code", "check-in for this appointment is open %s-%s on %s",
                       from, until, out->day);
    }
    struct queue_issue_input qi = {
        hall.id, out->item_code, 0, QUEUE_APPOINTMENT, QUEUE_CH_APPOINTMENT, out->name, NULL};
    rc = queue_issue(db, who, &qi, now, ticket, e);
    if (rc < 0)
        return rc;
    rc = set_status(db, out->id, "booked", "checked_in", now, ticket->id);
    if (rc < 0)
        return db_fail(e, rc);
    out->status = APPT_CHECKED_IN;
    out->checked_in_at = now;
    out->ticket_id = ticket->id;
    return 0;
}

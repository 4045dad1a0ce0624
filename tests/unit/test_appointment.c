/* test_appointment.c - appointments (domain/appointment.c) on a migrated temp
 * SQLite database with the built-in calendars, on a fixed clock: 2026-03-02
 * (a Monday) in Asia/Shanghai. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/err.h"
#include "domain/actor.h"
#include "domain/appointment.h"
#include "domain/calendar.h"
#include "domain/catalog.h"
#include "domain/device.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/staff.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys, pub;
static struct err e;
static struct calendar *cal;
static struct org_node r, h, w1, h2;
static int missing;

/* local time in Shanghai on day 2026-03-02 + day */
static int64_t at(int day, int hh, int mm)
{
    int64_t d = (int64_t)date_from_civil(2026, 3, 2) + day;
    return d * 86400 + hh * 3600 + mm * 60 - QUEUE_TZ_OFFSET_S;
}

static struct org_node make_node(int64_t parent, const char *kind, const char *code,
                                 const char *name)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, name, NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static void make_item(const char *code, int appointable, int64_t place_node)
{
    static struct catalog_place place;
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    place.node_id = place_node;
    v.code = code;
    v.unit_id = h.id;
    v.name = "居民身份证换领";
    v.kind = "promised";
    v.legal_limit = 20;
    v.legal_unit = "workdays";
    v.promised_limit = 5;
    v.promised_unit = "workdays";
    v.fee_free = 1;
    v.appointable = appointable;
    v.ticket_prefix = "Y";
    v.online = "none";
    v.places = &place;
    v.nplaces = 1;
    int64_t item = 0, ver = 0;
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item, &ver, &e), 0, "%s", e.msg);
    cr_assert_eq(catalog_publish(u.db, &sys, item, &ver, &e), 0, "%s", e.msg);
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    memset(&pub, 0, sizeof(pub));
    pub.role = ROLE_PUBLIC;
    int loaded = 0;
    cr_assert_eq(calendar_load_builtin(u.db, &loaded), 0);
    cr_assert_eq(calendar_load(u.db, &cal), 0);
    r = make_node(0, "region", "r", "区");
    h = make_node(r.id, "hall", "hall-h", "政务服务中心");
    w1 = make_node(h.id, "window", "w1", "1号窗口");
    h2 = make_node(r.id, "hall", "hall-h2", "便民服务中心");
    make_item("APPT-1", 1, w1.id);
    make_item("APPT-2", 1, w1.id);
    make_item("APPT-3", 1, w1.id);
    make_item("APPT-4", 1, w1.id);
    make_item("WALK-1", 0, w1.id);
    static const struct appt_slot_def slots[] = {{540, 600, 2}, {600, 660, 5}};
    const char *codes[] = {"APPT-1", "APPT-2", "APPT-3", "APPT-4"};
    for (int i = 0; i < 4; i++) {
        memset(&e, 0, sizeof(e));
        cr_assert_eq(appt_slots_set(u.db, &sys, h.id, codes[i], slots, 2, at(0, 8, 0), &e), 0, "%s",
                     e.msg);
    }
    /* an item not appointable takes no slots */
    memset(&e, 0, sizeof(e));
    cr_assert_eq(appt_slots_set(u.db, &sys, h.id, "WALK-1", slots, 2, at(0, 8, 0), &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    free(cal);
    unit_db_close(&u);
}

TestSuite(appointment, .init = init, .fini = fini);

static int try_book(const struct actor *who, const char *item, const char *day, int start,
                    const char *phone, int64_t now, struct appointment *out,
                    char code[APPT_CODE_LEN + 1])
{
    struct appt_input in = {h.id, item, day, start, "张三", phone, NULL};
    memset(&e, 0, sizeof(e));
    return appt_book(u.db, who, cal, &in, now, out, code, &missing, &e);
}

static void book(const char *item, const char *day, int start, const char *phone, int64_t now,
                 struct appointment *out, char code[APPT_CODE_LEN + 1])
{
    int rc = try_book(&pub, item, day, start, phone, now, out, code);
    cr_assert_eq(rc, 0, "book: %d %s %s", rc, e.field, e.msg);
}

Test(appointment, book_shows_the_code_once_and_stores_only_hashes)
{
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    book("APPT-1", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, code);
    cr_assert_eq(strlen(code), APPT_CODE_LEN);
    cr_assert_str_eq(a.status == APPT_BOOKED ? "booked" : "?", "booked");
    cr_assert_str_eq(a.channel, "web");
    cr_assert_eq(a.start, 540);
    cr_assert_eq(a.end, 600);
    cr_assert_eq(strncmp(a.code_hint, code, APPT_HINT_LEN), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM appointment WHERE phone_hash LIKE '%1380%'"
                                   " OR code_hash = code_hint"),
                 0);
    struct appointment g;
    cr_assert_eq(appt_get(u.db, code, "13800000001", &g, &e), 0, "%s", e.msg);
    cr_assert_eq(g.id, a.id);
    cr_assert_str_eq(g.item_name, "居民身份证换领");
    cr_assert_eq(appt_get(u.db, code, "13800000002", &g, &e), ERR_NOTFOUND);
    cr_assert_eq(appt_get(u.db, "ZZZZZZZZ", "13800000001", &g, &e), ERR_NOTFOUND);
    /* slots show what remains */
    struct arena ar = {0};
    struct appt_slot *s;
    int n = 0;
    cr_assert_eq(appt_slots(u.db, cal, h.id, "APPT-1", "2026-03-03", at(0, 10, 0), &ar, &s, &n,
                            &missing, &e),
                 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_eq(s[0].remaining, 1);
    cr_assert_eq(s[1].remaining, 5);
    arena_reset(&ar);
}

Test(appointment, full_slot_and_bad_days_are_refused)
{
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    book("APPT-1", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, code);
    book("APPT-1", "2026-03-03", 540, "13800000002", at(0, 10, 0), &a, code);
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-03-03", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "slot_start");
    cr_assert(strstr(e.msg, "full"));
    /* Spring Festival 2026, a Saturday, an unknown year */
    cr_assert_eq(
        try_book(&pub, "APPT-1", "2026-02-16", 540, "13800000003", at(-20, 10, 0), &a, code),
        ERR_CONFLICT);
    cr_assert_str_eq(e.field, "day");
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-03-07", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_CONFLICT);
    cr_assert_eq(try_book(&pub, "APPT-1", "2099-03-03", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_CALENDAR);
    cr_assert_eq(missing, 2099);
    /* the past, too far ahead, a slot that is over, no such slot */
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-02-27", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "day");
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-04-30", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_INVALID);
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-03-02", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "slot_start");
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-03-03", 545, "13800000003", at(0, 10, 0), &a, code),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "slot_start");
    /* not appointable, not served at the hall */
    cr_assert_eq(try_book(&pub, "WALK-1", "2026-03-03", 540, "13800000003", at(0, 10, 0), &a, code),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
    struct appt_input in = {h2.id, "APPT-1", "2026-03-03", 540, "张三", "13800000003", NULL};
    cr_assert_eq(appt_book(u.db, &pub, cal, &in, at(0, 10, 0), &a, code, &missing, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
    in.hall_id = h.id;
    in.phone = "12ab";
    cr_assert_eq(appt_book(u.db, &pub, cal, &in, at(0, 10, 0), &a, code, &missing, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "phone");
}

Test(appointment, one_per_item_and_a_daily_limit_per_person)
{
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    const char *p = "13900000009";
    book("APPT-1", "2026-03-03", 600, p, at(0, 10, 0), &a, code);
    cr_assert_eq(try_book(&pub, "APPT-1", "2026-03-03", 540, p, at(0, 10, 0), &a, code),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "item_code");
    book("APPT-2", "2026-03-03", 600, p, at(0, 10, 0), &a, code);
    book("APPT-3", "2026-03-03", 600, p, at(0, 10, 0), &a, code);
    cr_assert_eq(try_book(&pub, "APPT-4", "2026-03-03", 600, p, at(0, 10, 0), &a, code),
                 ERR_CONFLICT);
    cr_assert_str_eq(e.field, "phone");
    /* another day is fine; cancelling frees a place */
    book("APPT-4", "2026-03-04", 600, p, at(0, 10, 0), &a, code);
    cr_assert_eq(appt_cancel(u.db, code, p, at(0, 10, 1), &a, &e), 0, "%s", e.msg);
    cr_assert_eq(a.status, APPT_CANCELLED);
    cr_assert_eq(appt_cancel(u.db, code, p, at(0, 10, 2), &a, &e), ERR_CONFLICT);
    cr_assert(strstr(e.msg, "cancelled"));
    cr_assert_eq(appt_cancel(u.db, code, "13900000008", at(0, 10, 2), &a, &e), ERR_NOTFOUND);
    book("APPT-4", "2026-03-04", 600, p, at(0, 10, 3), &a, code);
}

Test(appointment, check_in_issues_an_appointment_ticket_within_the_window)
{
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    book("APPT-1", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, code);
    struct queue_ticket t;
    /* 09:00 slot: open 08:30-09:15 */
    cr_assert_eq(appt_checkin(u.db, &sys, h.id, code, at(1, 8, 29), &a, &t, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    cr_assert(strstr(e.msg, "08:30-09:15"), "%s", e.msg);
    cr_assert_eq(appt_checkin(u.db, &sys, h.id, code, at(1, 9, 16), &a, &t, &e), ERR_CONFLICT);
    /* the kiosk of another hall; a display; a kiosk of this hall */
    struct device k1, k2, disp;
    char token[DEVICE_TOKEN_HEX];
    cr_assert_eq(device_create(u.db, &sys, "kiosk", "取号机", h.id, &k1, token, &e), 0);
    cr_assert_eq(device_create(u.db, &sys, "kiosk", "取号机", h2.id, &k2, token, &e), 0);
    cr_assert_eq(device_create(u.db, &sys, "display", "屏", h.id, &disp, token, &e), 0);
    struct actor dev;
    unit_actor(&dev, ROLE_DEVICE, h2.id, h2.path, 0);
    dev.device_id = k2.id;
    cr_assert_eq(appt_checkin(u.db, &dev, h.id, code, at(1, 8, 45), &a, &t, &e), ERR_FORBIDDEN);
    unit_actor(&dev, ROLE_DEVICE, h.id, h.path, 0);
    dev.device_id = disp.id;
    cr_assert_eq(appt_checkin(u.db, &dev, h.id, code, at(1, 8, 45), &a, &t, &e), ERR_FORBIDDEN);
    /* the code at another hall is unknown there */
    cr_assert_eq(appt_checkin(u.db, &sys, h2.id, code, at(1, 8, 45), &a, &t, &e), ERR_NOTFOUND);
    dev.device_id = k1.id;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(appt_checkin(u.db, &dev, h.id, code, at(1, 8, 45), &a, &t, &e), 0, "%s %s",
                 e.field, e.msg);
    cr_assert_eq(t.priority, QUEUE_APPOINTMENT);
    cr_assert_eq(t.channel, QUEUE_CH_APPOINTMENT);
    cr_assert_str_eq(t.item_code, "APPT-1");
    cr_assert_str_eq(t.display_name, "张*");
    cr_assert_eq(a.status, APPT_CHECKED_IN);
    cr_assert_eq(a.ticket_id, t.id);
    /* used twice */
    cr_assert_eq(appt_checkin(u.db, &dev, h.id, code, at(1, 8, 46), &a, &t, &e), ERR_CONFLICT);
    cr_assert(strstr(e.msg, "already checked in"));
    /* lower case typing works */
    char lower[APPT_CODE_LEN + 1];
    book("APPT-2", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, code);
    for (int i = 0; i <= APPT_CODE_LEN; i++)
        lower[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
    cr_assert_eq(appt_checkin(u.db, &sys, h.id, lower, at(1, 9, 15), &a, &t, &e), 0, "%s", e.msg);
}

Test(appointment, past_bookings_become_no_shows)
{
    struct appointment a, b;
    char c1[APPT_CODE_LEN + 1], c2[APPT_CODE_LEN + 1];
    book("APPT-1", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, c1);
    book("APPT-2", "2026-03-04", 540, "13800000001", at(0, 10, 0), &b, c2);
    int marked = -1;
    cr_assert_eq(appt_sweep(u.db, at(1, 23, 59), &marked), 0);
    cr_assert_eq(marked, 0);
    cr_assert_eq(appt_sweep(u.db, at(2, 0, 0), &marked), 0);
    cr_assert_eq(marked, 1);
    cr_assert_eq(appt_get(u.db, c1, "13800000001", &a, &e), 0);
    cr_assert_eq(a.status, APPT_NO_SHOW);
    cr_assert_eq(appt_get(u.db, c2, "13800000001", &b, &e), 0);
    cr_assert_eq(b.status, APPT_BOOKED);
    /* check-in sweeps too; a no-show cannot check in */
    struct queue_ticket t;
    cr_assert_eq(appt_checkin(u.db, &sys, h.id, c1, at(2, 9, 0), &a, &t, &e), ERR_CONFLICT);
    cr_assert(strstr(e.msg, "no-show"));
}

Test(appointment, slots_are_set_by_administrators_in_scope)
{
    struct actor admin2, staff;
    unit_actor(&admin2, ROLE_ADMIN, h2.id, h2.path, 0);
    unit_actor(&staff, ROLE_STAFF, h.id, h.path, 0);
    struct appt_slot_def s[] = {{540, 600, 2}, {590, 660, 5}};
    cr_assert_eq(appt_slots_set(u.db, &admin2, h.id, "APPT-1", s, 1, at(0, 8, 0), &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(appt_slots_set(u.db, &staff, h.id, "APPT-1", s, 1, at(0, 8, 0), &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(appt_slots_set(u.db, &sys, h.id, "APPT-1", s, 2, at(0, 8, 0), &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "slots[1]");
    cr_assert_eq(appt_slots_set(u.db, &sys, h2.id, "APPT-1", s, 1, at(0, 8, 0), &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "item_code");
    cr_assert_eq(appt_slots_set(u.db, &sys, h.id, "APPT-1", s, 1, at(0, 8, 0), &e), 0);
    cr_assert_eq(
        unit_db_int(u.db, "SELECT COUNT(*) FROM appointment_slot WHERE item_code = 'APPT-1'"), 1);
    /* staff book for a caller by phone, in their scope */
    struct appointment a;
    char code[APPT_CODE_LEN + 1];
    cr_assert_eq(
        try_book(&staff, "APPT-1", "2026-03-03", 540, "13800000001", at(0, 10, 0), &a, code), 0,
        "%s", e.msg);
    cr_assert_str_eq(a.channel, "phone");
    cr_assert_eq(
        try_book(&admin2, "APPT-1", "2026-03-03", 540, "13800000002", at(0, 10, 0), &a, code),
        ERR_FORBIDDEN);
}

Test(appointment, a_late_slot_can_be_checked_in_after_midnight)
{
    static const struct appt_slot_def late[] = {{540, 600, 2}, {1430, 1440, 2}};
    cr_assert_eq(appt_slots_set(u.db, &sys, h.id, "APPT-3", late, 2, at(0, 8, 0), &e), 0, "%s",
                 e.msg);
    struct appointment a, b;
    char c1[APPT_CODE_LEN + 1], c2[APPT_CODE_LEN + 1];
    book("APPT-3", "2026-03-03", 1430, "13800000011", at(0, 10, 0), &a, c1);
    book("APPT-3", "2026-03-03", 1430, "13800000012", at(0, 10, 0), &b, c2);
    /* 23:50 on 03-03: check-in runs to 00:05 on 03-04, so 00:03 sweeps nobody */
    int marked = -1;
    cr_assert_eq(appt_sweep(u.db, at(2, 0, 3), &marked), 0);
    cr_assert_eq(marked, 0);
    struct queue_ticket t;
    cr_assert_eq(appt_checkin(u.db, &sys, h.id, c1, at(2, 0, 4), &a, &t, &e), 0, "%s", e.msg);
    cr_assert_eq(a.status, APPT_CHECKED_IN);
    cr_assert_str_eq(t.service_day, "2026-03-04");
    /* after 00:05 the other one is a no-show */
    cr_assert_eq(appt_sweep(u.db, at(2, 0, 6), &marked), 0);
    cr_assert_eq(marked, 1);
    cr_assert_eq(appt_get(u.db, c2, "13800000012", &b, &e), 0);
    cr_assert_eq(b.status, APPT_NO_SHOW);
}

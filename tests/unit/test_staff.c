/* test_staff.c - staff accounts, photos and window assignments
 * (domain/staff.c) on a migrated temp SQLite database. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static struct err e;
/* region r with hall a (windows wa1, wa2) and hall b (window wb1) */
static struct org_node r, a, b, wa1, wa2, wb1;

static struct org_node make_node(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, "节点", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    r = make_node(0, "region", "r");
    a = make_node(r.id, "hall", "hall-a");
    b = make_node(r.id, "hall", "hall-b");
    wa1 = make_node(a.id, "window", "w01");
    wa2 = make_node(a.id, "window", "w02");
    wb1 = make_node(b.id, "window", "w01");
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(staff, .init = init, .fini = fini);

static int create(const struct actor *who, const char *login, const char *role, int64_t node,
                  struct staff *out)
{
    struct staff tmp;
    struct staff_input in = {login, "王芳", role, "QD001", "综合受理岗", 1, node, "hash-1"};
    memset(&e, 0, sizeof(e));
    return staff_create(u.db, who, &in, out ? out : &tmp, &e);
}

static struct staff make(const char *login, const char *role, int64_t node)
{
    struct staff s;
    int rc = create(&sys, login, role, node, &s);
    cr_assert_eq(rc, 0, "create %s: %d %s %s", login, rc, e.field, e.msg);
    return s;
}

/* a patch that changes nothing */
static struct staff_patch no_change(void)
{
    struct staff_patch p = {NULL, NULL, NULL, NULL, -1, -1, 0, NULL};
    return p;
}

static int update(const struct actor *who, int64_t id, const struct staff_patch *p,
                  struct staff *out)
{
    struct staff tmp;
    memset(&e, 0, sizeof(e));
    return staff_update(u.db, who, id, p, out ? out : &tmp, &e);
}

static int assign(const struct actor *who, int64_t staff_id, int64_t window_id,
                  struct assignment *out)
{
    struct assignment tmp;
    memset(&e, 0, sizeof(e));
    return staff_assign(u.db, who, staff_id, window_id, 0, out ? out : &tmp, &e);
}

Test(staff, create_and_read_back)
{
    struct staff s = make("wangf", "staff", a.id);
    cr_assert_gt(s.id, 0);
    cr_assert_str_eq(s.login, "wangf");
    cr_assert_str_eq(s.name, "王芳");
    cr_assert_str_eq(s.role, "staff");
    cr_assert_str_eq(s.badge_no, "QD001");
    cr_assert_str_eq(s.post, "综合受理岗");
    cr_assert_eq(s.party_member, 1);
    cr_assert_eq(s.node_id, a.id);
    cr_assert_str_eq(s.node_path, a.path);
    cr_assert_str_eq(s.node_name, "节点");
    cr_assert_eq(s.active, 1);
    cr_assert_eq(s.has_photo, 0);
    struct staff g;
    cr_assert_eq(staff_get(u.db, s.id, &g), 0);
    cr_assert_str_eq(g.login, "wangf");
    cr_assert_eq(staff_get(u.db, s.id + 50, &g), ERR_NOTFOUND);
    /* audited without the password hash */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'staff'"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE "
                                   "'%hash-1%' OR after_json LIKE '%password%'"),
                 0);
}

Test(staff, create_checks_fields)
{
    cr_assert_eq(create(&sys, "a", "staff", a.id, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "login");
    cr_assert_eq(create(&sys, "has space", "staff", a.id, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "login");
    cr_assert_eq(create(&sys, "王芳", "staff", a.id, NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, "abcdefghijklmnopqrstuvwxyz0123456", "staff", a.id, NULL),
                 ERR_INVALID, "33 characters");
    cr_assert_eq(create(&sys, NULL, "staff", a.id, NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, "ok.login_1-x", "boss", a.id, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "role");
    cr_assert_eq(create(&sys, "ok", "system", a.id, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "role");
    cr_assert_eq(create(&sys, "ok", "staff", 9999, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "node_id");
    struct staff s;
    struct staff_input no_name = {"ok", "", "staff", NULL, NULL, 0, a.id, "h"};
    cr_assert_eq(staff_create(u.db, &sys, &no_name, &s, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "name");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 0);
    /* optional fields may be NULL */
    struct staff_input minimal = {"ok", "n", "leader", NULL, NULL, 0, r.id, "h"};
    cr_assert_eq(staff_create(u.db, &sys, &minimal, &s, &e), 0, "%s", e.msg);
    cr_assert_str_eq(s.badge_no, "");
    cr_assert_str_eq(s.post, "");
    cr_assert_eq(s.party_member, 0);
}

Test(staff, duplicate_login)
{
    make("wangf", "staff", a.id);
    cr_assert_eq(create(&sys, "wangf", "staff", b.id, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "login");
}

Test(staff, home_node_rules)
{
    struct org_node off = make_node(r.id, "hall", "closed");
    struct org_patch deact = {NULL, NULL, NULL, NULL, NULL, 0};
    struct org_node tmp;
    cr_assert_eq(org_update(u.db, &sys, off.id, &deact, &tmp, &e), 0, "%s", e.msg);
    cr_assert_eq(create(&sys, "ok", "staff", off.id, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "node_id");
}

Test(staff, create_scope_and_role)
{
    struct actor admin_a, leader_a;
    unit_actor(&admin_a, ROLE_ADMIN, a.id, a.path, 0);
    unit_actor(&leader_a, ROLE_LEADER, a.id, a.path, 0);
    cr_assert_eq(create(&admin_a, "in-a", "staff", a.id, NULL), 0, "%s", e.msg);
    cr_assert_eq(create(&admin_a, "in-b", "staff", b.id, NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "node_id");
    cr_assert_eq(create(&admin_a, "in-r", "staff", r.id, NULL), ERR_FORBIDDEN);
    cr_assert_eq(create(&leader_a, "by-leader", "staff", a.id, NULL), ERR_FORBIDDEN);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 1);
}

Test(staff, update_fields)
{
    struct staff s = make("wangf", "staff", a.id);
    struct staff_patch p = no_change();
    p.name = "王芳芳";
    p.badge_no = "QD009";
    p.post = "";
    p.party_member = 0;
    p.role = "supervisor";
    struct staff out;
    cr_assert_eq(update(&sys, s.id, &p, &out), 0, "%s", e.msg);
    cr_assert_str_eq(out.name, "王芳芳");
    cr_assert_str_eq(out.badge_no, "QD009");
    cr_assert_str_eq(out.post, "");
    cr_assert_eq(out.party_member, 0);
    cr_assert_str_eq(out.role, "supervisor");
    cr_assert_eq(out.active, 1);
    /* an empty patch changes nothing */
    struct staff_patch none = no_change();
    struct staff same;
    cr_assert_eq(update(&sys, s.id, &none, &same), 0);
    cr_assert_str_eq(same.name, "王芳芳");
    cr_assert_str_eq(same.role, "supervisor");
    cr_assert_eq(same.party_member, 0);
    /* bad values */
    struct staff_patch bad = no_change();
    bad.role = "root";
    cr_assert_eq(update(&sys, s.id, &bad, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "role");
    bad = no_change();
    bad.name = "";
    cr_assert_eq(update(&sys, s.id, &bad, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "name");
    cr_assert_eq(update(&sys, 9999, &none, NULL), ERR_NOTFOUND);
}

Test(staff, update_scope_and_self_rules)
{
    struct staff adm = make("adm", "admin", a.id);
    struct staff s = make("wangf", "staff", a.id);
    struct staff other = make("lina", "staff", b.id);
    struct actor me;
    unit_actor(&me, ROLE_ADMIN, a.id, a.path, adm.id);
    struct staff_patch p = no_change();
    p.name = "改名";
    cr_assert_eq(update(&me, s.id, &p, NULL), 0, "%s", e.msg);
    cr_assert_eq(update(&me, other.id, &p, NULL), ERR_FORBIDDEN);
    /* moving into another hall needs that hall in scope */
    p = no_change();
    p.node_id = b.id;
    cr_assert_eq(update(&me, s.id, &p, NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "node_id");
    /* not oneself */
    p = no_change();
    p.active = 0;
    cr_assert_eq(update(&me, adm.id, &p, NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "active");
    p = no_change();
    p.role = "staff";
    cr_assert_eq(update(&me, adm.id, &p, NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "role");
    p.role = "admin"; /* the same role is not a change */
    cr_assert_eq(update(&me, adm.id, &p, NULL), 0, "%s", e.msg);
    /* a leader cannot edit accounts */
    struct actor leader;
    unit_actor(&leader, ROLE_LEADER, a.id, a.path, 0);
    p = no_change();
    p.name = "x";
    cr_assert_eq(update(&leader, s.id, &p, NULL), ERR_FORBIDDEN);
}

static const char SQL_ADD_SESSION[] =
    "INSERT INTO session (token_hash, staff_id, csrf_token, created_at, expires_at)"
    " VALUES (?1, ?2, 'c', 1, 2)";

static void add_session(int64_t staff_id, const char *token_hash)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, SQL_ADD_SESSION, &st), 0);
    db_bind_text(st, 1, token_hash);
    db_bind_int64(st, 2, staff_id);
    cr_assert_eq(db_step(st), DB_DONE, "%s", db_errmsg(u.db));
    db_finalize(st);
}

Test(staff, password_or_role_change_ends_sessions)
{
    struct staff s = make("wangf", "staff", a.id);
    add_session(s.id, "t1");
    struct staff_patch p = no_change();
    p.name = "新名字";
    cr_assert_eq(update(&sys, s.id, &p, NULL), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM session"), 1, "a rename keeps them");
    p = no_change();
    p.password_hash = "hash-2";
    cr_assert_eq(update(&sys, s.id, &p, NULL), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM session"), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff WHERE password_hash = 'hash-2'"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE "
                                   "'%\"password_changed\":true%'"),
                 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE after_json LIKE "
                                   "'%hash-2%'"),
                 0);
    add_session(s.id, "t2");
    p = no_change();
    p.role = "leader";
    cr_assert_eq(update(&sys, s.id, &p, NULL), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM session"), 0);
}

Test(staff, deactivation_ends_sessions_and_assignments)
{
    struct staff s = make("wangf", "staff", a.id);
    struct assignment as;
    cr_assert_eq(assign(&sys, s.id, wa1.id, &as), 0, "%s", e.msg);
    add_session(s.id, "t1");
    struct staff_patch p = no_change();
    p.active = 0;
    struct staff out;
    cr_assert_eq(update(&sys, s.id, &p, &out), 0, "%s", e.msg);
    cr_assert_eq(out.active, 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM session"), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment WHERE ended_at IS NULL"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'deactivate'"),
                 1);
    p.active = 1;
    cr_assert_eq(update(&sys, s.id, &p, &out), 0);
    cr_assert_eq(out.active, 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'activate'"), 1);
}

Test(staff, move_ends_assignments)
{
    struct staff s = make("wangf", "staff", a.id);
    cr_assert_eq(assign(&sys, s.id, wa1.id, NULL), 0);
    struct staff_patch p = no_change();
    p.node_id = b.id;
    struct staff out;
    cr_assert_eq(update(&sys, s.id, &p, &out), 0, "%s", e.msg);
    cr_assert_eq(out.node_id, b.id);
    cr_assert_str_eq(out.node_path, b.path);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment WHERE ended_at IS NULL"),
                 0);
}

/* Regression (was a bug in src/domain/staff.c staff_update): reactivating an account does
 * not check that its home node is still active, so an active account can hang
 * under a deactivated node - which org_update's rule ("only deactivated when
 * nothing active hangs below") is meant to prevent, and which staff_create
 * refuses (check_home: ERR_CONFLICT "the node is deactivated"). */
Test(staff, reactivation_under_deactivated_home)
{
    struct org_node h = make_node(r.id, "hall", "hall-c");
    struct staff s = make("wangf", "staff", h.id);
    struct staff_patch p = no_change();
    p.active = 0;
    cr_assert_eq(update(&sys, s.id, &p, NULL), 0);
    struct org_patch off = {NULL, NULL, NULL, NULL, NULL, 0};
    struct org_node tmp;
    cr_assert_eq(org_update(u.db, &sys, h.id, &off, &tmp, &e), 0, "%s", e.msg);
    p.active = 1;
    cr_expect_eq(update(&sys, s.id, &p, NULL), ERR_CONFLICT,
                 "an account came back to life under a deactivated node");
    cr_expect_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff s JOIN org_node n ON"
                                   " n.id = s.node_id WHERE s.active = 1 AND n.active = 0"),
                 0);
}

Test(staff, login_and_password_checks)
{
    cr_assert_eq(staff_check_login("ab", &e), 0);
    cr_assert_eq(staff_check_login("A.b_c-9", &e), 0);
    cr_assert_eq(staff_check_login("a", &e), ERR_INVALID);
    cr_assert_eq(staff_check_login("a@b", &e), ERR_INVALID);
    cr_assert_eq(staff_check_login(NULL, &e), ERR_INVALID);
    cr_assert_eq(staff_check_password("12345678", &e), 0);
    cr_assert_eq(staff_check_password("1234567", &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "password");
    cr_assert_eq(staff_check_password(NULL, &e), ERR_INVALID);
    char long_pw[STAFF_PASSWORD_MAX + 2];
    memset(long_pw, 'p', sizeof(long_pw) - 1);
    long_pw[sizeof(long_pw) - 1] = '\0';
    cr_assert_eq(staff_check_password(long_pw, &e), ERR_INVALID);
    long_pw[STAFF_PASSWORD_MAX] = '\0';
    cr_assert_eq(staff_check_password(long_pw, &e), 0);
}

/* ---- photos ---- */

static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0,    0,   0,
                                    13,   'I', 'H', 'D', 'R',  0,    0,    0,    1,    0,   0,
                                    0,    1,   8,   2,   0,    0,    0,    0x90, 0x77, 0x53};
static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0,    16,  'J',
                                     'F',  'I',  'F',  0,    0xff, 0xd9};

Test(staff, photo_type_by_magic)
{
    cr_assert_str_eq(staff_photo_type(png, sizeof(png)), "image/png");
    cr_assert_str_eq(staff_photo_type(jpeg, sizeof(jpeg)), "image/jpeg");
    /* PNG signature but no IHDR chunk, or cut short */
    unsigned char broken[sizeof(png)];
    memcpy(broken, png, sizeof(png));
    broken[12] = 'X';
    cr_assert_null(staff_photo_type(broken, sizeof(broken)));
    cr_assert_null(staff_photo_type(png, 16));
    cr_assert_null(staff_photo_type(png, 8));
    /* JPEG without its end marker */
    cr_assert_null(staff_photo_type(jpeg, sizeof(jpeg) - 1));
    cr_assert_null(staff_photo_type(jpeg, 3));
    /* garbage */
    static const char gif[] = "GIF89a\x01\x00\x01\x00";
    cr_assert_null(staff_photo_type(gif, sizeof(gif) - 1));
    static const char text[] = "<svg xmlns='http://www.w3.org/2000/svg'></svg>";
    cr_assert_null(staff_photo_type(text, sizeof(text) - 1));
    cr_assert_null(staff_photo_type("", 0));
    unsigned char zeros[64] = {0};
    cr_assert_null(staff_photo_type(zeros, sizeof(zeros)));
}

Test(staff, photo_store_and_read)
{
    struct staff s = make("wangf", "staff", a.id);
    struct staff out;
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, png, sizeof(png), &out, &e), 0, "%s", e.msg);
    cr_assert_eq(out.has_photo, 1);
    struct arena ar = {0};
    const void *data = NULL;
    size_t len = 0;
    const char *mime = NULL;
    cr_assert_eq(staff_get_photo(u.db, s.id, &ar, &data, &len, &mime), 0);
    cr_assert_eq(len, sizeof(png));
    cr_assert_eq(memcmp(data, png, len), 0);
    cr_assert_str_eq(mime, "image/png");
    /* replaced by a JPEG */
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, jpeg, sizeof(jpeg), &out, &e), 0, "%s", e.msg);
    cr_assert_eq(staff_get_photo(u.db, s.id, &ar, &data, &len, &mime), 0);
    cr_assert_eq(len, sizeof(jpeg));
    cr_assert_str_eq(mime, "image/jpeg");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff_photo"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'set_photo'"), 2);
    struct staff other = make("lina", "staff", a.id);
    cr_assert_eq(staff_get_photo(u.db, other.id, &ar, &data, &len, &mime), ERR_NOTFOUND);
    arena_reset(&ar);
}

Test(staff, photo_rejected)
{
    struct staff s = make("wangf", "staff", a.id);
    struct staff out;
    static const char garbage[] = "this is not an image at all";
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, garbage, sizeof(garbage), &out, &e),
                 ERR_UNSUPPORTED);
    size_t big = STAFF_PHOTO_MAX + 1;
    unsigned char *p = calloc(1, big);
    memcpy(p, jpeg, 4);
    p[big - 2] = 0xff;
    p[big - 1] = 0xd9;
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, p, big, &out, &e), ERR_TOOLARGE);
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, p, big - 1, &out, &e), ERR_UNSUPPORTED,
                 "the end marker is gone");
    p[big - 3] = 0xff;
    p[big - 2] = 0xd9;
    cr_assert_eq(staff_set_photo(u.db, &sys, s.id, p, big - 1, &out, &e), 0,
                 "exactly STAFF_PHOTO_MAX bytes is fine: %s", e.msg);
    free(p);
    struct actor admin_b;
    unit_actor(&admin_b, ROLE_ADMIN, b.id, b.path, 0);
    cr_assert_eq(staff_set_photo(u.db, &admin_b, s.id, png, sizeof(png), &out, &e), ERR_FORBIDDEN);
    cr_assert_eq(staff_set_photo(u.db, &sys, 9999, png, sizeof(png), &out, &e), ERR_NOTFOUND);
}

/* ---- assignments ---- */

Test(staff, assign_to_a_window)
{
    struct staff s = make("wangf", "staff", a.id);
    struct assignment as;
    cr_assert_eq(staff_assign(u.db, &sys, s.id, wa1.id, 1, &as, &e), 0, "%s", e.msg);
    cr_assert_gt(as.id, 0);
    cr_assert_eq(as.staff_id, s.id);
    cr_assert_eq(as.window_id, wa1.id);
    cr_assert_eq(as.is_chief, 1);
    cr_assert_eq(as.ended_at, 0);
    cr_assert_str_eq(as.staff_name, "王芳");
    /* a second window is fine */
    cr_assert_eq(assign(&sys, s.id, wa2.id, NULL), 0, "%s", e.msg);
    struct arena ar = {0};
    struct assignment *items = NULL;
    int n = 0;
    cr_assert_eq(staff_assignments(u.db, s.id, &ar, &items, &n), 0);
    cr_assert_eq(n, 2);
    /* the hall's window list shows who sits where */
    struct org_window *w = NULL;
    cr_assert_eq(org_hall_windows(u.db, a.id, &ar, &w, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(w[0].node.id, wa1.id);
    cr_assert_eq(w[0].nstaff, 1);
    cr_assert_eq(w[0].staff[0].id, s.id);
    cr_assert_eq(w[0].staff[0].is_chief, 1);
    arena_reset(&ar);
}

Test(staff, assignment_rules)
{
    struct staff s = make("wangf", "staff", a.id);
    cr_assert_eq(assign(&sys, s.id, wa1.id, NULL), 0);
    cr_assert_eq(assign(&sys, s.id, wa1.id, NULL), ERR_CONFLICT, "already assigned");
    cr_assert_str_eq(e.field, "window_id");
    cr_assert_eq(assign(&sys, s.id, a.id, NULL), ERR_INVALID, "a hall is not a window");
    cr_assert_str_eq(e.field, "window_id");
    cr_assert_eq(assign(&sys, s.id, 9999, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "window_id");
    cr_assert_eq(assign(&sys, s.id, wb1.id, NULL), ERR_INVALID,
                 "the window is outside the staff member's home hall");
    cr_assert_str_eq(e.field, "window_id");
    cr_assert_eq(assign(&sys, 9999, wa2.id, NULL), ERR_NOTFOUND);
}

Test(staff, region_staff_may_work_in_any_hall_below)
{
    struct staff s = make("rover", "staff", r.id);
    cr_assert_eq(assign(&sys, s.id, wa1.id, NULL), 0, "%s", e.msg);
    cr_assert_eq(assign(&sys, s.id, wb1.id, NULL), 0, "%s", e.msg);
}

Test(staff, assignment_needs_active_parties)
{
    struct staff s = make("wangf", "staff", a.id);
    struct staff t = make("lina", "staff", a.id);
    struct staff_patch off = no_change();
    off.active = 0;
    cr_assert_eq(update(&sys, t.id, &off, NULL), 0);
    cr_assert_eq(assign(&sys, t.id, wa1.id, NULL), ERR_CONFLICT, "the account is deactivated");
    struct org_patch woff = {NULL, NULL, NULL, NULL, NULL, 0};
    struct org_node tmp;
    cr_assert_eq(org_update(u.db, &sys, wa2.id, &woff, &tmp, &e), 0, "%s", e.msg);
    cr_assert_eq(assign(&sys, s.id, wa2.id, NULL), ERR_CONFLICT, "the window is deactivated");
    cr_assert_str_eq(e.field, "window_id");
}

Test(staff, assignment_scope)
{
    struct staff s = make("wangf", "staff", a.id);
    struct actor admin_b, staff_a;
    unit_actor(&admin_b, ROLE_ADMIN, b.id, b.path, 0);
    unit_actor(&staff_a, ROLE_STAFF, a.id, a.path, 0);
    cr_assert_eq(assign(&admin_b, s.id, wa1.id, NULL), ERR_FORBIDDEN);
    cr_assert_eq(assign(&staff_a, s.id, wa1.id, NULL), ERR_FORBIDDEN);
    /* an admin of the window's hall but not of the account's home */
    struct staff rover = make("rover", "staff", r.id);
    struct actor admin_a;
    unit_actor(&admin_a, ROLE_ADMIN, a.id, a.path, 0);
    cr_assert_eq(assign(&admin_a, rover.id, wa1.id, NULL), ERR_FORBIDDEN);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment"), 0);
}

Test(staff, end_assignment)
{
    struct staff s = make("wangf", "staff", a.id);
    struct assignment as, ended;
    cr_assert_eq(assign(&sys, s.id, wa1.id, &as), 0);
    struct actor admin_b;
    unit_actor(&admin_b, ROLE_ADMIN, b.id, b.path, 0);
    cr_assert_eq(staff_end_assignment(u.db, &admin_b, as.id, &ended, &e), ERR_FORBIDDEN);
    cr_assert_eq(staff_end_assignment(u.db, &sys, as.id, &ended, &e), 0, "%s", e.msg);
    cr_assert_gt(ended.ended_at, 0);
    cr_assert_eq(staff_end_assignment(u.db, &sys, as.id, &ended, &e), ERR_CONFLICT);
    cr_assert_eq(staff_end_assignment(u.db, &sys, 9999, &ended, &e), ERR_NOTFOUND);
    /* once ended, the same window can be assigned again */
    cr_assert_eq(assign(&sys, s.id, wa1.id, NULL), 0, "%s", e.msg);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment"), 2);
}

Test(staff, list_in_scope)
{
    make("wangf", "staff", a.id);
    make("lina", "leader", a.id);
    make("zhangw", "staff", b.id);
    struct arena ar = {0};
    struct staff *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct staff_filter f = {a.path, 0, NULL, -1, NULL, 1, 50};
    cr_assert_eq(staff_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 2);
    cr_assert_eq(n, 2);
    struct staff_filter role = {r.path, 0, "staff", -1, NULL, 1, 50};
    cr_assert_eq(staff_list(u.db, &role, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 2);
    struct staff_filter q = {r.path, b.id, NULL, -1, "zhang", 1, 50};
    cr_assert_eq(staff_list(u.db, &q, &ar, &items, &n, &total), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(items[0].login, "zhangw");
    arena_reset(&ar);
}

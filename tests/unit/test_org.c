/* test_org.c - the org tree (domain/org.c) and the scope check
 * (domain/actor.c) on a migrated temp SQLite database. */
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

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(org, .init = init, .fini = fini);

/* org_create as who; returns the rc, node in *out (may be NULL) */
static int create(const struct actor *who, int64_t parent, const char *kind, const char *code,
                  struct org_node *out)
{
    struct org_node tmp;
    struct org_input in = {parent, kind, code, "名称", NULL, NULL};
    memset(&e, 0, sizeof(e));
    return org_create(u.db, who, &in, out ? out : &tmp, &e);
}

/* create or fail the test */
static struct org_node make(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    int rc = create(&sys, parent, kind, code, &n);
    cr_assert_eq(rc, 0, "create %s %s: %d %s %s", kind, code, rc, e.field, e.msg);
    return n;
}

static int update(const struct actor *who, int64_t id, const char *code, int active,
                  struct org_node *out)
{
    struct org_node tmp;
    struct org_patch p = {code, NULL, NULL, NULL, NULL, active};
    memset(&e, 0, sizeof(e));
    return org_update(u.db, who, id, &p, out ? out : &tmp, &e);
}

Test(org, root_region_by_system)
{
    struct org_node n;
    struct org_input in = {0, "region", "dist", "示范区", "人民路1号", "0000-12345"};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    cr_assert_gt(n.id, 0);
    cr_assert_eq(n.parent_id, 0);
    cr_assert_str_eq(n.kind, "region");
    cr_assert_str_eq(n.code, "dist");
    cr_assert_str_eq(n.name, "示范区");
    cr_assert_str_eq(n.address, "人民路1号");
    cr_assert_str_eq(n.phone, "0000-12345");
    cr_assert_eq(n.depth, 0);
    char want[32];
    snprintf(want, sizeof(want), "/%lld/", (long long)n.id);
    cr_assert_str_eq(n.path, want);
    cr_assert_eq(n.active, 1);
    cr_assert_gt(n.created_at, 0);
    /* read back the same */
    struct org_node g;
    cr_assert_eq(org_get(u.db, n.id, &g), 0);
    cr_assert_str_eq(g.path, n.path);
    cr_assert_str_eq(g.name, "示范区");
    cr_assert_eq(org_get(u.db, n.id + 100, &g), ERR_NOTFOUND);
}

Test(org, root_must_be_a_region)
{
    cr_assert_eq(create(&sys, 0, "hall", "h", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
    cr_assert_eq(create(&sys, 0, "window", "w", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, 0, "unit", "u", NULL), ERR_INVALID);
}

Test(org, root_only_for_system)
{
    struct org_node r = make(0, "region", "r");
    struct actor admin;
    unit_actor(&admin, ROLE_ADMIN, r.id, r.path, 0);
    cr_assert_eq(create(&admin, 0, "region", "r2", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "parent_id");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node"), 1);
}

Test(org, path_and_depth)
{
    struct org_node r = make(0, "region", "r");
    struct org_node t = make(r.id, "region", "town");
    struct org_node un = make(t.id, "unit", "bureau");
    struct org_node h = make(un.id, "hall", "hall");
    struct org_node w = make(h.id, "window", "w01");
    char want[128];
    snprintf(want, sizeof(want), "/%lld/%lld/%lld/%lld/%lld/", (long long)r.id, (long long)t.id,
             (long long)un.id, (long long)h.id, (long long)w.id);
    cr_assert_str_eq(w.path, want);
    cr_assert_eq(r.depth, 0);
    cr_assert_eq(t.depth, 1);
    cr_assert_eq(un.depth, 2);
    cr_assert_eq(h.depth, 3);
    cr_assert_eq(w.depth, 4);
    cr_assert_eq(w.parent_id, h.id);
    cr_assert_eq(strncmp(w.path, h.path, strlen(h.path)), 0);
}

Test(org, allowed_parents)
{
    struct org_node r = make(0, "region", "r");
    struct org_node un = make(r.id, "unit", "u");
    struct org_node h = make(r.id, "hall", "h");
    struct org_node w = make(h.id, "window", "w");
    /* fine */
    cr_assert_eq(create(&sys, r.id, "region", "r2", NULL), 0);
    cr_assert_eq(create(&sys, un.id, "unit", "u2", NULL), 0);
    cr_assert_eq(create(&sys, un.id, "hall", "h2", NULL), 0);
    /* window only under a hall */
    cr_assert_eq(create(&sys, r.id, "window", "w2", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
    cr_assert_eq(create(&sys, un.id, "window", "w2", NULL), ERR_INVALID);
    /* nothing under a window, no hall under a hall, no region under a unit */
    cr_assert_eq(create(&sys, w.id, "window", "w3", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, w.id, "unit", "x", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, h.id, "hall", "h3", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, h.id, "unit", "u3", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, un.id, "region", "r3", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, h.id, "region", "r3", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
}

Test(org, bad_input)
{
    struct org_node r = make(0, "region", "r");
    cr_assert_eq(create(&sys, r.id, "office", "x", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "kind");
    cr_assert_eq(create(&sys, r.id, NULL, "x", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, r.id, "Hall", "x", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, r.id, "hall", "", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "code");
    cr_assert_eq(create(&sys, r.id, "hall", "a b", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, r.id, "hall", "大厅", NULL), ERR_INVALID);
    cr_assert_eq(create(&sys, r.id, "hall", "abcdefghijklmnopqrstuvwxyz0123456", NULL), ERR_INVALID,
                 "33 characters");
    cr_assert_eq(create(&sys, r.id, "hall", "abcdefghijklmnopqrstuvwxyz-_0123", NULL), 0,
                 "32 characters: %s", e.msg);
    cr_assert_eq(create(&sys, 9999, "hall", "h", NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "parent_id");

    struct org_node n;
    struct org_input empty_name = {r.id, "hall", "h2", "", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &empty_name, &n, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "name");
    struct org_input long_phone = {r.id, "hall", "h2",
                                   "n",  NULL,   "012345678901234567890123456789012"};
    cr_assert_eq(org_create(u.db, &sys, &long_phone, &n, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "phone");
}

/* Regression (was a bug in src/domain/org.c check_texts): org_create and org_update check
 * only that the name is not empty and the phone's length in bytes. The name
 * (ORG_NAME_MAX characters) and address (ORG_ADDRESS_MAX) limits are left to
 * the HTTP layer, so the command line ("chuangkou org add --name ...") stores
 * any length. A long Chinese name is then cut by read_node at 400 bytes in the
 * middle of a character, and org_node_json silently drops "name" (jansson
 * refuses invalid UTF-8) - from the API answer and from the audit snapshot.
 * (A regression test: this was a bug.) */
Test(org, name_limit)
{
    struct org_node r = make(0, "region", "r");
    char name[ORG_NAME_MAX * 3 * 2];
    size_t o = 0;
    for (int i = 0; i < 150; i++) { /* 150 x "政" = 450 bytes */
        memcpy(name + o, "\xe6\x94\xbf", 3);
        o += 3;
    }
    name[o] = '\0';
    struct org_input in = {r.id, "hall", "long", name, NULL, NULL};
    struct org_node n;
    int rc = org_create(u.db, &sys, &in, &n, &e);
    cr_expect_eq(rc, ERR_INVALID, "a 150-character name is over ORG_NAME_MAX (100)");
    if (rc == 0) {
        json_t *j = org_node_json(&n);
        cr_expect_not_null(json_object_get(j, "name"), "the node's JSON lost its name");
        json_decref(j);
    }
}

/* Regression (was a bug in src/domain/org.c check_texts): the phone limit is counted in
 * bytes (strlen > ORG_PHONE_MAX) while the API and the org_node buffer size
 * count characters, so a 19-character phone with Chinese text that passes the
 * API's 32-character check is refused by the domain. */
Test(org, phone_limit_in_characters)
{
    struct org_node r = make(0, "region", "r");
    /* 19 characters, 35 bytes */
    struct org_input in = {r.id, "hall", "h", "n", NULL, "0000-12345 转分机号一二三四"};
    struct org_node n;
    cr_expect_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s %s", e.field, e.msg);
}

Test(org, code_check)
{
    cr_assert(org_code_ok("hall-d_01"));
    cr_assert(org_code_ok("A"));
    cr_assert_not(org_code_ok(""));
    cr_assert_not(org_code_ok(NULL));
    cr_assert_not(org_code_ok("a/b"));
    cr_assert_not(org_code_ok("a.b"));
    cr_assert_not(org_code_ok("a\nb"));
}

Test(org, duplicate_sibling_code)
{
    struct org_node r = make(0, "region", "r");
    struct org_node h1 = make(r.id, "hall", "h1");
    struct org_node h2 = make(r.id, "hall", "h2");
    make(h1.id, "window", "w01");
    cr_assert_eq(create(&sys, h1.id, "window", "w01", NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    cr_assert(strstr(e.msg, "w01") != NULL, "%s", e.msg);
    /* the same code under another parent is fine */
    cr_assert_eq(create(&sys, h2.id, "window", "w01", NULL), 0, "%s", e.msg);
    /* two roots share the "no parent" level */
    cr_assert_eq(create(&sys, 0, "region", "r", NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    /* renaming onto a sibling's code conflicts too */
    cr_assert_eq(update(&sys, h2.id, "h1", -1, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
}

Test(org, create_is_audited)
{
    struct org_node r = make(0, "region", "r");
    make(r.id, "hall", "h");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'create'"
                                   " AND entity = 'org_node'"),
                 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT last_id FROM audit_head"), 2);
}

Test(org, update_fields)
{
    struct org_node r = make(0, "region", "r");
    struct org_node h = make(r.id, "hall", "h");
    struct org_node out;
    struct org_patch p = {"h-new", "新大厅", "中心街8号", "0000-1", NULL, -1};
    cr_assert_eq(org_update(u.db, &sys, h.id, &p, &out, &e), 0, "%s", e.msg);
    cr_assert_str_eq(out.code, "h-new");
    cr_assert_str_eq(out.name, "新大厅");
    cr_assert_str_eq(out.address, "中心街8号");
    cr_assert_str_eq(out.path, h.path, "the path is made of ids and does not change");
    struct org_node g;
    cr_assert_eq(org_get(u.db, h.id, &g), 0);
    cr_assert_str_eq(g.code, "h-new");
    cr_assert_str_eq(g.phone, "0000-1");
    cr_assert_eq(update(&sys, h.id, "bad code", -1, NULL), ERR_INVALID);
    cr_assert_str_eq(e.field, "code");
    cr_assert_eq(update(&sys, 9999, NULL, 0, NULL), ERR_NOTFOUND);
}

Test(org, deactivation_refused_with_active_children)
{
    struct org_node r = make(0, "region", "r");
    struct org_node h = make(r.id, "hall", "h");
    struct org_node w = make(h.id, "window", "w");
    cr_assert_eq(update(&sys, h.id, NULL, 0, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "active");
    cr_assert_eq(update(&sys, w.id, NULL, 0, NULL), 0, "%s", e.msg);
    cr_assert_eq(update(&sys, h.id, NULL, 0, NULL), 0, "%s", e.msg);
    struct org_node g;
    cr_assert_eq(org_get(u.db, h.id, &g), 0);
    cr_assert_eq(g.active, 0);
    /* a child cannot come back before its parent */
    cr_assert_eq(update(&sys, w.id, NULL, 1, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "active");
    cr_assert_eq(update(&sys, h.id, NULL, 1, NULL), 0);
    cr_assert_eq(update(&sys, w.id, NULL, 1, NULL), 0);
    /* and nothing new under a deactivated parent */
    cr_assert_eq(update(&sys, w.id, NULL, 0, NULL), 0);
    cr_assert_eq(update(&sys, h.id, NULL, 0, NULL), 0);
    cr_assert_eq(create(&sys, h.id, "window", "w2", NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "parent_id");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action IN ('activate', "
                                   "'deactivate')"),
                 6);
}

Test(org, deactivation_refused_with_active_staff)
{
    struct org_node r = make(0, "region", "r");
    struct org_node h = make(r.id, "hall", "h");
    struct staff s;
    struct staff_input in = {"wangf", "王芳", "staff", NULL, NULL, 0, h.id, "x"};
    cr_assert_eq(staff_create(u.db, &sys, &in, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(update(&sys, h.id, NULL, 0, NULL), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "active");
    struct staff_patch off = {NULL, NULL, NULL, NULL, -1, 0, 0, NULL};
    cr_assert_eq(staff_update(u.db, &sys, s.id, &off, &s, &e), 0, "%s", e.msg);
    cr_assert_eq(update(&sys, h.id, NULL, 0, NULL), 0, "%s", e.msg);
}

Test(org, admin_scope)
{
    struct org_node r = make(0, "region", "r");
    struct org_node a = make(r.id, "hall", "hall-a");
    struct org_node b = make(r.id, "hall", "hall-b");
    struct actor admin;
    unit_actor(&admin, ROLE_ADMIN, a.id, a.path, 0);
    struct org_node w;
    cr_assert_eq(create(&admin, a.id, "window", "w01", &w), 0, "%s", e.msg);
    cr_assert_eq(create(&admin, b.id, "window", "w01", NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "parent_id");
    cr_assert_eq(create(&admin, r.id, "hall", "hall-c", NULL), ERR_FORBIDDEN,
                 "the region above the admin's hall is out of scope");
    /* updates follow the same scope */
    cr_assert_eq(update(&admin, w.id, "w02", -1, NULL), 0, "%s", e.msg);
    cr_assert_eq(update(&admin, b.id, "hall-x", -1, NULL), ERR_FORBIDDEN);
    cr_assert_eq(update(&admin, r.id, "rr", -1, NULL), ERR_FORBIDDEN);
    /* the admin may not switch off its own home node */
    cr_assert_eq(update(&admin, w.id, NULL, 0, NULL), 0);
    cr_assert_eq(update(&admin, a.id, NULL, 0, NULL), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "active");
}

Test(org, scope_prefix_is_by_whole_segment)
{
    /* ids 1..20: the hall /1/2/ and the hall /1/20/ share the text "/1/2" */
    struct org_node r = make(0, "region", "r");
    struct org_node first = make(r.id, "hall", "h2");
    for (int i = 3; i < 20; i++) {
        char code[16];
        snprintf(code, sizeof(code), "h%d", i);
        make(r.id, "hall", code);
    }
    struct org_node other = make(r.id, "hall", "h20");
    cr_assert_eq(strncmp(other.path, first.path, strlen(first.path) - 1), 0,
                 "%s should start like %s", other.path, first.path);
    struct actor admin;
    unit_actor(&admin, ROLE_ADMIN, first.id, first.path, 0);
    cr_assert_eq(create(&admin, other.id, "window", "w", NULL), ERR_FORBIDDEN, "%s vs %s",
                 first.path, other.path);
    cr_assert_eq(create(&admin, first.id, "window", "w", NULL), 0, "%s", e.msg);
}

Test(org, only_admins_create_and_update)
{
    struct org_node r = make(0, "region", "r");
    struct org_node h = make(r.id, "hall", "h");
    static const enum role roles[] = {ROLE_LEADER, ROLE_SUPERVISOR, ROLE_STAFF,
                                      ROLE_DEVICE, ROLE_PUBLIC,     ROLE_NONE};
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        struct actor who;
        unit_actor(&who, roles[i], r.id, r.path, 0);
        cr_expect_eq(create(&who, h.id, "window", "w", NULL), ERR_FORBIDDEN, "role %s",
                     role_name(roles[i]));
        cr_expect_eq(update(&who, h.id, "x", -1, NULL), ERR_FORBIDDEN, "role %s",
                     role_name(roles[i]));
    }
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node"), 2);
}

Test(org, actor_in_scope)
{
    struct actor a;
    unit_actor(&a, ROLE_ADMIN, 4, "/1/4/", 0);
    cr_assert(actor_in_scope(&a, "/1/4/"));
    cr_assert(actor_in_scope(&a, "/1/4/9/"));
    cr_assert(actor_in_scope(&a, "/1/4/9/12/"));
    cr_assert_not(actor_in_scope(&a, "/1/40/"));
    cr_assert_not(actor_in_scope(&a, "/1/"));
    cr_assert_not(actor_in_scope(&a, "/2/4/"));
    cr_assert_not(actor_in_scope(&a, ""));
    cr_assert_not(actor_in_scope(&a, NULL));
    struct actor none;
    unit_actor(&none, ROLE_ADMIN, 0, "", 0);
    cr_assert_not(actor_in_scope(&none, "/1/"), "an empty scope holds nothing");
    cr_assert(actor_in_scope(&sys, "/1/"));
    cr_assert(actor_in_scope(&sys, NULL));
}

Test(org, roles)
{
    cr_assert_eq(role_parse("admin"), ROLE_ADMIN);
    cr_assert_eq(role_parse("leader"), ROLE_LEADER);
    cr_assert_eq(role_parse("supervisor"), ROLE_SUPERVISOR);
    cr_assert_eq(role_parse("staff"), ROLE_STAFF);
    cr_assert_eq(role_parse("system"), ROLE_NONE, "not an account role");
    cr_assert_eq(role_parse("device"), ROLE_NONE);
    cr_assert_eq(role_parse("Admin"), ROLE_NONE);
    cr_assert_eq(role_parse(NULL), ROLE_NONE);
    cr_assert_str_eq(role_name(ROLE_SYSTEM), "system");
    cr_assert_str_eq(role_name((enum role)99), "none");
    cr_assert_eq(sys.role, ROLE_SYSTEM);
    cr_assert_str_eq(sys.name, "unit");
    cr_assert_str_eq(sys.scope, "");
}

Test(org, find_by_codes)
{
    struct org_node r = make(0, "region", "dist");
    struct org_node t = make(r.id, "region", "town");
    struct org_node h = make(t.id, "hall", "hall-t");
    struct org_node n;
    cr_assert_eq(org_find_by_codes(u.db, "/dist/town/hall-t", &n), 0);
    cr_assert_eq(n.id, h.id);
    cr_assert_eq(org_find_by_codes(u.db, "/dist/town/hall-t/", &n), 0);
    cr_assert_eq(org_find_by_codes(u.db, "/dist", &n), 0);
    cr_assert_eq(n.id, r.id);
    cr_assert_eq(org_find_by_codes(u.db, "/dist/nowhere", &n), ERR_NOTFOUND);
    cr_assert_eq(org_find_by_codes(u.db, "/town", &n), ERR_NOTFOUND, "town is not a root");
    cr_assert_eq(org_find_by_codes(u.db, "dist", &n), ERR_INVALID);
    cr_assert_eq(org_find_by_codes(u.db, "/", &n), ERR_INVALID);
    cr_assert_eq(org_find_by_codes(u.db, "/dist//town", &n), ERR_INVALID);
    cr_assert_eq(org_find_by_codes(u.db, NULL, &n), ERR_INVALID);
}

Test(org, path_end)
{
    char end[32];
    org_path_end("/1/4/", end, sizeof(end));
    cr_assert_str_eq(end, "/1/40");
    cr_assert_gt(strcmp("/1/40", "/1/4/999/"), 0);
    cr_assert_lt(strcmp("/1/40", "/1/40/"), 0);
    org_path_end("", end, sizeof(end));
    cr_assert_str_eq(end, "");
}

Test(org, list_in_scope)
{
    struct org_node r = make(0, "region", "r");
    struct org_node a = make(r.id, "hall", "hall-a");
    struct org_node b = make(r.id, "hall", "hall-b");
    make(a.id, "window", "w01");
    make(a.id, "window", "w02");
    make(b.id, "window", "w01");
    struct arena ar = {0};
    struct org_node *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct org_filter f = {a.path, 0, NULL, -1, NULL, 1, 50};
    cr_assert_eq(org_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(total, 3);
    cr_assert_eq(items[0].id, a.id, "ordered by path");
    struct org_filter windows = {r.path, 0, "window", -1, NULL, 1, 2};
    cr_assert_eq(org_list(u.db, &windows, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 3);
    cr_assert_eq(n, 2, "one page");
    struct org_filter q = {r.path, 0, NULL, -1, "hall-b", 1, 50};
    cr_assert_eq(org_list(u.db, &q, &ar, &items, &n, &total), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].id, b.id);
    arena_reset(&ar);
}

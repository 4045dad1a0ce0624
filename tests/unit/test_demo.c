/* test_demo.c - the demo town (domain/demo.c) on a migrated temp database. */
#include <criterion/criterion.h>

#include <stdio.h>

#include "base/err.h"
#include "domain/audit.h"
#include "domain/demo.h"
#include "unit_db.h"

static struct unit_db u;

static void init(void)
{
    unit_db_open(&u, 1);
}

static void fini(void)
{
    unit_db_close(&u);
}

TestSuite(demo, .init = init, .fini = fini);

Test(demo, creates_the_town_once)
{
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE kind = 'hall'"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE kind = 'window'"), 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node WHERE parent_id IS NULL"), 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff WHERE role = 'admin'"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 16);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment WHERE ended_at IS NULL"),
                 12);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM device"), 16);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff WHERE password_hash <> "
                                   "'demo-hash'"),
                 0);

    int64_t before = unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log");
    struct err e2 = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e2), ERR_CONFLICT);
    cr_assert_eq(e2.code, ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"), before);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node"), 16);
}

Test(demo, leaves_an_intact_audit_chain)
{
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    FILE *devnull = fopen("/dev/null", "w");
    int64_t checked = 0, bad = -1;
    cr_assert_eq(audit_verify(u.db, devnull, &checked, &bad), 0);
    fclose(devnull);
    cr_assert_eq(checked, unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"));
    cr_assert_gt(checked, 40);
    cr_assert_eq(bad, 0);
}

Test(demo, windows_sit_in_their_halls)
{
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), 0, "%s", e.msg);
    /* every window hangs under a hall, and every assignment's window lies in
     * the staff member's home subtree */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM org_node w JOIN org_node h"
                                   " ON h.id = w.parent_id WHERE w.kind = 'window'"
                                   " AND h.kind <> 'hall'"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM window_assignment a"
                                   " JOIN staff s ON s.id = a.staff_id"
                                   " JOIN org_node home ON home.id = s.node_id"
                                   " JOIN org_node w ON w.id = a.window_id"
                                   " WHERE substr(w.path, 1, length(home.path)) <> home.path"),
                 0);
}

Test(demo, refused_when_the_tree_is_not_empty)
{
    cr_assert_eq(db_exec(u.db, "INSERT INTO org_node (kind, code, name, path, depth, created_at,"
                               " updated_at) VALUES ('region', 'mine', 'M', '/1/', 0, 1, 1)"),
                 0);
    struct err e = {0};
    cr_assert_eq(demo_create(u.db, "demo-hash", &e), ERR_CONFLICT);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM staff"), 0);
}

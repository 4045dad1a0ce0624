/* test_audit.c - the hash-chained audit log (domain/audit.c) on a migrated
 * temp SQLite database: append, verify, and tampering detected. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys;
static char *report;
static size_t report_len;

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
}

static void fini(void)
{
    unit_db_close(&u);
    free(report);
    report = NULL;
}

TestSuite(audit, .init = init, .fini = fini);

/* audit_verify with its report captured in `report` */
static int verify(int64_t *checked, int64_t *bad)
{
    free(report);
    report = NULL;
    FILE *f = open_memstream(&report, &report_len);
    cr_assert_not_null(f);
    int rc = audit_verify(u.db, f, checked, bad);
    fclose(f);
    return rc;
}

static void append_n(int n)
{
    struct actor admin;
    unit_actor(&admin, ROLE_ADMIN, 1, "/1/", 42);
    for (int i = 1; i <= n; i++) {
        json_t *before = i > 1 ? json_pack("{s:i,s:s}", "n", i - 1, "name", "旧名") : NULL;
        json_t *after = json_pack("{s:i,s:s}", "n", i, "name", "新名");
        cr_assert_eq(
            audit_append(u.db, i % 2 ? &sys : &admin, "update", "thing", i, 0, before, after), 0,
            "append %d: %s", i, db_errmsg(u.db));
    }
}

Test(audit, empty_log_is_intact)
{
    int64_t checked = -1, bad = -1;
    cr_assert_eq(verify(&checked, &bad), 0, "%s", report);
    cr_assert_eq(checked, 0);
    cr_assert_eq(bad, 0);
}

Test(audit, append_and_verify)
{
    append_n(5);
    int64_t checked = 0, bad = -1;
    cr_assert_eq(verify(&checked, &bad), 0, "%s", report);
    cr_assert_eq(checked, 5);
    cr_assert_eq(bad, 0);
    cr_assert(strstr(report, "intact") != NULL, "%s", report);
    cr_assert_eq(unit_db_int(u.db, "SELECT last_id FROM audit_head"), 5);
}

Test(audit, records_are_chained)
{
    append_n(3);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log a JOIN audit_log b"
                                   " ON b.id = a.id + 1 WHERE b.prev_hash = a.hash"),
                 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE id = 1 AND prev_hash ="
                                   " '0000000000000000000000000000000000000000000000000000000000"
                                   "000000'"),
                 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log a JOIN audit_head h"
                                   " ON h.last_hash = a.hash WHERE a.id = 3"),
                 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(DISTINCT hash) FROM audit_log"), 3);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE length(hash) = 64"), 3);
}

Test(audit, record_fields)
{
    append_n(2);
    struct arena ar = {0};
    struct audit_record *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct audit_filter f = {
        .entity = NULL, .entity_id = 0, .scope = NULL, .page = 1, .per_page = 10};
    cr_assert_eq(audit_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(total, 2);
    cr_assert_eq(items[0].id, 2, "newest first");
    cr_assert_eq(items[0].actor_id, 42);
    cr_assert_str_eq(items[0].actor, "tester-admin");
    cr_assert_str_eq(items[0].ip, "127.0.0.1");
    cr_assert_str_eq(items[0].request_id, "unit");
    cr_assert_str_eq(items[0].action, "update");
    cr_assert_str_eq(items[0].entity, "thing");
    cr_assert_eq(items[0].entity_id, 2);
    cr_assert_str_eq(items[0].before, "{\"n\":1,\"name\":\"旧名\"}");
    cr_assert_str_eq(items[0].after, "{\"n\":2,\"name\":\"新名\"}");
    cr_assert_eq(items[1].actor_id, 0, "the command line has no account id");
    cr_assert_str_eq(items[1].actor, "unit");
    cr_assert_str_eq(items[1].before, "", "no before snapshot");
    arena_reset(&ar);
}

Test(audit, tampered_action_detected)
{
    append_n(4);
    cr_assert_eq(db_exec(u.db, "UPDATE audit_log SET action = 'x' WHERE id = 2"), 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "%s", report);
    cr_assert_eq(bad, 2);
    cr_assert_eq(checked, 1);
    cr_assert(strstr(report, "record 2") != NULL, "%s", report);
}

Test(audit, tampered_snapshot_detected)
{
    append_n(4);
    cr_assert_eq(
        db_exec(u.db, "UPDATE audit_log SET after_json = '{\"n\":3,\"name\":\"x\"}' WHERE id = 3"),
        0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "%s", report);
    cr_assert_eq(bad, 3);
}

Test(audit, tampered_numbers_detected)
{
    static const char *const edits[] = {
        "UPDATE audit_log SET ts = ts + 1 WHERE id = 2",
        "UPDATE audit_log SET actor_id = 7 WHERE id = 2",
        "UPDATE audit_log SET entity_id = 99 WHERE id = 2",
        "UPDATE audit_log SET node_id = 5 WHERE id = 2",
        "UPDATE audit_log SET ip = '10.0.0.1' WHERE id = 2",
        "UPDATE audit_log SET actor = 'someone' WHERE id = 2",
    };
    append_n(3);
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        cr_assert_eq(db_exec(u.db, "SAVEPOINT t"), 0);
        cr_assert_eq(db_exec(u.db, edits[i]), 0);
        int64_t checked = 0, bad = 0;
        cr_expect_eq(verify(&checked, &bad), ERR_CONFLICT, "%s not detected", edits[i]);
        cr_expect_eq(bad, 2, "%s", edits[i]);
        cr_assert_eq(db_exec(u.db, "ROLLBACK TO t"), 0);
        cr_assert_eq(db_exec(u.db, "RELEASE t"), 0);
    }
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), 0, "%s", report);
}

Test(audit, rehashed_record_breaks_the_next_link)
{
    append_n(3);
    /* an attacker who rewrites record 2 and its hash still breaks record 3 */
    /* change the first hex digit (to one it is not: a fixed 'f' would leave
     * one hash in sixteen as it was) */
    cr_assert_eq(db_exec(u.db, "UPDATE audit_log SET hash = CASE WHEN substr(hash, 1, 1) = 'f' "
                               "THEN 'e' ELSE 'f' END || substr(hash, 2) WHERE id = 2"),
                 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT);
    cr_assert_eq(bad, 2);
}

Test(audit, deleted_last_record_detected)
{
    append_n(3);
    cr_assert_eq(db_exec(u.db, "DELETE FROM audit_log WHERE id = 3"), 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "%s", report);
    cr_assert_eq(checked, 2);
    cr_assert_eq(bad, 3);
    cr_assert(strstr(report, "head") != NULL, "%s", report);
}

Test(audit, deleted_middle_record_detected)
{
    append_n(4);
    cr_assert_eq(db_exec(u.db, "DELETE FROM audit_log WHERE id = 2"), 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "%s", report);
    cr_assert_eq(bad, 2);
    cr_assert(strstr(report, "missing") != NULL, "%s", report);
}

Test(audit, deleted_everything_detected)
{
    append_n(2);
    cr_assert_eq(db_exec(u.db, "DELETE FROM audit_log"), 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "%s", report);
    cr_assert_eq(bad, 1);
}

Test(audit, deleted_last_record_with_head_rolled_back_detected)
{
    /* removing the newest record and winding the head back to record 2 */
    append_n(3);
    cr_assert_eq(db_exec(u.db, "DELETE FROM audit_log WHERE id = 3"), 0);
    cr_assert_eq(db_exec(u.db, "UPDATE audit_head SET last_id = 2"), 0);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), ERR_CONFLICT, "the head's hash still names record 3");
    cr_assert_eq(bad, 3);
}

Test(audit, append_inside_a_rolled_back_transaction_leaves_no_trace)
{
    append_n(2);
    cr_assert_eq(db_begin(u.db), 0);
    cr_assert_eq(audit_append(u.db, &sys, "create", "thing", 9, 0, NULL, NULL), 0);
    cr_assert_eq(db_rollback(u.db), 0);
    append_n(1);
    int64_t checked = 0, bad = 0;
    cr_assert_eq(verify(&checked, &bad), 0, "%s", report);
    cr_assert_eq(checked, 3);
}

Test(audit, list_filters)
{
    struct org_node r, h1, h2;
    struct org_input in = {0, "region", "r", "R", NULL, NULL};
    struct err e = {0};
    cr_assert_eq(org_create(u.db, &sys, &in, &r, &e), 0, "%s", e.msg);
    struct org_input ih1 = {r.id, "hall", "h1", "H1", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &ih1, &h1, &e), 0, "%s", e.msg);
    struct org_input ih2 = {r.id, "hall", "h2", "H2", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &ih2, &h2, &e), 0, "%s", e.msg);
    cr_assert_eq(audit_append(u.db, &sys, "note", "other", 5, h1.id, NULL, NULL), 0);
    struct arena ar = {0};
    struct audit_record *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct audit_filter by_entity = {
        .entity = "org_node", .entity_id = 0, .scope = NULL, .page = 1, .per_page = 10};
    cr_assert_eq(audit_list(u.db, &by_entity, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 3);
    struct audit_filter by_id = {
        .entity = "org_node", .entity_id = h2.id, .scope = NULL, .page = 1, .per_page = 10};
    cr_assert_eq(audit_list(u.db, &by_id, &ar, &items, &n, &total), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(items[0].entity_id, h2.id);
    struct audit_filter scoped = {
        .entity = NULL, .entity_id = 0, .scope = h1.path, .page = 1, .per_page = 10};
    cr_assert_eq(audit_list(u.db, &scoped, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 2, "h1's own creation and the note");
    struct audit_filter page = {
        .entity = NULL, .entity_id = 0, .scope = "", .page = 2, .per_page = 2};
    cr_assert_eq(audit_list(u.db, &page, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 4);
    cr_assert_eq(n, 2);
    cr_assert_eq(items[0].id, 2);
    arena_reset(&ar);
}

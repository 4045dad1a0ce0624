/* test_eval_push.c - the upstream push (domain/eval_push.c): targets, the
 * provincial record, the file target, the HTTP target against a small
 * server on a loopback socket in this process, the cursor, the failure log
 * and the backoff; and the [upstream] settings. Tickets, cases and
 * evaluations are written with SQL. Database tests run on SQLite and, with
 * CK_TEST_PG_URL, on PostgreSQL. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"
#include "base/pii.h"
#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/eval_push.h"
#include "domain/org.h"
#include "unit_db.h"
#include "unit_pgdb.h"

static struct unit_db u;
static int on_pg;
static struct actor sys;
static struct err e;
static struct org_node r, dept, h, w;
static int64_t item, ver, staff;
static int64_t e_ticket, e_case, e_default;
static const int64_t T0 = 1773115200; /* 2026-03-10 12:00:00 Asia/Shanghai */
static char dir[200];

static struct org_node make_node(int64_t parent, const char *kind, const char *code,
                                 const char *name)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, name, NULL, NULL};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static int64_t insert_id(const char *sql, const char *const *text, const int64_t *num, int n)
{
    struct db_stmt *st = NULL;
    cr_assert_eq(db_prepare(u.db, sql, &st), 0, "%s", db_errmsg(u.db));
    for (int i = 0; i < n; i++) {
        if (text[i])
            db_bind_text(st, i + 1, text[i]);
        else if (num[i] >= 0)
            db_bind_int64(st, i + 1, num[i]);
        else
            db_bind_null(st, i + 1);
    }
    cr_assert_eq(db_step(st), DB_ROW, "%s", db_errmsg(u.db));
    int64_t id = db_col_int64(st, 0);
    db_finalize(st);
    return id;
}

static const char SQL_EVENT[] =
    "INSERT INTO eval_event (source, node, ticket_id, case_id, region_id, hall_id, unit_id,"
    " window_id, staff_id, node_path, item_id, version_id, item_code, item_name, token_hash,"
    " state, created_at, ended_at, ended_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?11, ?12, 'SC-001', '营业执照核发', ?13, 'rated', ?14, ?14, '10.0.0.2') RETURNING id";
static const char SQL_EVAL[] =
    "INSERT INTO evaluation (event_id, kind, level, bad, defaulted, reasons, text, dims, channel,"
    " device, ip, region_id, hall_id, unit_id, window_id, staff_id, item_id, version_id, day,"
    " created_at, prev_hash, hash, phone_enc, id_enc) VALUES (?1, 'first', ?2, ?3, ?4, ?5, ?6,"
    " ?7, ?8, '', '', ?9, ?10, ?11, ?12, ?13, ?14, ?15, '2026-03-10', ?16, '', ?17, ?18, ?19)"
    " RETURNING id";

/* An evaluation of a new event (ticket_id or case_id), ended at t - 60. */
static int64_t add_eval(int64_t ticket_id, int64_t case_id, int level, int defaulted,
                        const char *channel, const char *reasons, const char *text,
                        const char *dims, int64_t unit_id, int64_t t, const char *hash,
                        const char *phone_enc)
{
    char token[40];
    snprintf(token, sizeof(token), "token-%s", hash);
    const char *ev_text[14] = {ticket_id ? "ticket" : "case",
                               ticket_id ? "service" : "complete",
                               NULL,
                               NULL,
                               NULL,
                               NULL,
                               NULL,
                               NULL,
                               NULL,
                               h.path,
                               NULL,
                               NULL,
                               token,
                               NULL};
    int64_t ev_num[14] = {0,
                          0,
                          ticket_id ? ticket_id : -1,
                          case_id ? case_id : -1,
                          r.id,
                          h.id,
                          unit_id ? unit_id : -1,
                          w.id,
                          staff,
                          0,
                          item,
                          ver,
                          0,
                          t - 60};
    int64_t event = insert_id(SQL_EVENT, ev_text, ev_num, 14);
    const char *tx[19] = {NULL, NULL, NULL, NULL, reasons, text, dims, channel,   NULL, NULL,
                          NULL, NULL, NULL, NULL, NULL,    NULL, hash, phone_enc, NULL};
    int64_t nm[19] = {
        event, level, level <= 2, defaulted, 0, 0, 0,  0, r.id, h.id, unit_id ? unit_id : -1,
        w.id,  staff, item,       ver,       t, 0, -1, -1};
    return insert_id(SQL_EVAL, tx, nm, 19);
}

/* A ticket of the hall, served at w and done. */
static int64_t make_ticket(int64_t series, int64_t number, const char *code)
{
    return insert_id(
        "INSERT INTO ticket (hall_id, service_day, series_id, number, code, queue_series_id,"
        " item_code, version_id, priority, status, channel, window_id, staff_id, issued_at,"
        " finished_at, updated_at) VALUES (?1, '2026-03-10', ?2, ?3, ?4, ?2, 'SC-001', ?5,"
        " 0, 'done', 'kiosk', ?6, ?7, ?8, ?9, ?9) RETURNING id",
        (const char *const[]){NULL, NULL, NULL, code, NULL, NULL, NULL, NULL, NULL},
        (const int64_t[]){h.id, series, number, 0, ver, w.id, staff, T0 - 900, T0 - 60}, 9);
}

static void build(void)
{
    actor_system(&sys, "unit");
    r = make_node(0, "region", "330102", "上城区");
    dept = make_node(r.id, "unit", "DEPT01", "区市场监管局");
    h = make_node(dept.id, "hall", "H1", "区政务服务中心");
    w = make_node(h.id, "window", "W07", "7号窗口");
    static struct catalog_place place;
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    place.node_id = w.id;
    v.code = "SC-001";
    v.unit_id = dept.id;
    v.name = "营业执照核发";
    v.kind = "promised";
    v.legal_limit = 20;
    v.legal_unit = "workdays";
    v.promised_limit = 5;
    v.promised_unit = "workdays";
    v.fee_free = 1;
    v.ticket_prefix = "A";
    v.online = "none";
    v.places = &place;
    v.nplaces = 1;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item, &ver, &e), 0, "%s", e.msg);
    cr_assert_eq(catalog_publish(u.db, &sys, item, &ver, &e), 0, "%s", e.msg);
    staff = insert_id("INSERT INTO staff (login, name, role, node_id, badge_no, password_hash,"
                      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'GH-0007', 'x', 1, 1)"
                      " RETURNING id",
                      (const char *const[]){"w07", "王小明", "staff", NULL},
                      (const int64_t[]){0, 0, 0, w.id}, 4);
    /* a ticket A012 of the hall, served and done */
    int64_t series = insert_id("INSERT INTO queue_series (hall_id, prefix, name, created_at,"
                               " updated_at) VALUES (?1, 'A', '综合', 1, 1) RETURNING id",
                               (const char *const[]){NULL}, (const int64_t[]){h.id}, 1);
    int64_t ticket = make_ticket(series, 12, "A012");
    int64_t ticket2 = make_ticket(series, 13, "A013");
    /* a case of an organisation, completed */
    char phone_enc[PII_ENC_MAX], id_enc[PII_ENC_MAX];
    cr_assert_eq(pii_encrypt("13800138000", phone_enc), 0);
    cr_assert_eq(pii_encrypt("11010519491231002X", id_enc), 0);
    int64_t case_id = insert_id(
        "INSERT INTO case_file (region_id, number, query_hash, item_id, version_id, item_code,"
        " item_name, kind, node_id, node_path, handler_id, first_owner_id, window_id,"
        " applicant_kind, applicant_name, phone_enc, phone_hash, phone_mask, id_enc, id_mask,"
        " state, open, received_day, received_at, promised_limit, promised_unit, legal_limit,"
        " legal_unit, created_at, updated_at) VALUES (?1, '2026-0310-000007', 'q', ?2, ?3,"
        " 'SC-001', '营业执照核发', 'promised', ?4, ?5, ?6, ?6, ?7, 'org', '某某公司', ?8, 'ph',"
        " '138****8000', ?9, 'm', 'completed', 0, '2026-03-03', ?10, 5, 'workdays', 20,"
        " 'workdays', 1, 1) RETURNING id",
        (const char *const[]){NULL, NULL, NULL, NULL, w.path, NULL, NULL, phone_enc, id_enc, NULL},
        (const int64_t[]){r.id, item, ver, w.id, 0, staff, w.id, 0, 0, T0 - 7 * 86400}, 10);
    e_ticket = add_eval(ticket, 0, 5, 0, "tablet", "[]", "", "{\"speed\":5,\"attitude\":4}", 0, T0,
                        "hash-ticket", NULL);
    e_case = add_eval(0, case_id, 2, 0, "qr", "[\"slow\",\"rude\"]", "等了太久", "{}", dept.id,
                      T0 + 1, "hash-case", NULL);
    char ev_phone[PII_ENC_MAX];
    cr_assert_eq(pii_encrypt("13912345678", ev_phone), 0);
    e_default =
        add_eval(ticket2, 0, 3, 1, "system", "[]", "", "{}", 0, T0 + 2, "hash-default", ev_phone);
}

static void open_sqlite(void)
{
    on_pg = 0;
    unit_db_open(&u, 1);
    build();
    snprintf(dir, sizeof(dir), "%s/up/stream", u.dir);
}

static void open_pg(void)
{
    on_pg = 1;
    unit_pgdb_open(&u);
    build();
    snprintf(dir, sizeof(dir), "/tmp/ck-push-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    strncat(dir, "/up/stream", sizeof(dir) - strlen(dir) - 1);
}

static void rm_tree(void)
{
    char cmd[256];
    /* only the directories this test made under /tmp */
    char *up = strstr(dir, "/up/stream");
    if (!up)
        return;
    *up = '\0';
    if (strncmp(dir, "/tmp/ck-", 8) == 0 && !strchr(dir, '\'')) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/up'", dir);
        cr_assert_eq(system(cmd), 0);
    }
    if (on_pg)
        rmdir(dir);
}

static void done(void)
{
    rm_tree();
    if (on_pg)
        unit_pgdb_close(&u);
    else
        unit_db_close(&u);
}

TestSuite(push, .init = open_sqlite, .fini = done);
TestSuite(push_pg, .init = open_pg, .fini = done);

#define BOTH(name)                                                                                 \
    static void name(void);                                                                        \
    Test(push, name)                                                                               \
    {                                                                                              \
        name();                                                                                    \
    }                                                                                              \
    Test(push_pg, name)                                                                            \
    {                                                                                              \
        name();                                                                                    \
    }                                                                                              \
    static void name(void)

static json_t *record(const struct eval_push_batch *b, int64_t id)
{
    size_t i;
    json_t *rec;
    json_array_foreach(b->records, i, rec)
    {
        if (json_integer_value(json_object_get(rec, "evaluationId")) == id)
            return rec;
    }
    cr_assert_fail("no record of evaluation %lld", (long long)id);
    return NULL;
}

static const char *str(json_t *rec, const char *key)
{
    json_t *v = json_object_get(rec, key);
    cr_assert(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

BOTH(records_carry_the_provincial_layout_and_no_personal_numbers)
{
    struct eval_push_batch b;
    cr_assert_eq(eval_push_next(u.db, "file:x", 100, 0, T0, 0, &b), 0);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.cursor, 0);
    cr_assert_eq(b.first_id, e_ticket);
    cr_assert_eq(b.last_id, e_default);
    json_t *t = record(&b, e_ticket);
    cr_assert_str_eq(str(t, "recordId"), "hash-ticket");
    cr_assert_eq(json_integer_value(json_object_get(t, "pushVersion")), 1);
    cr_assert_str_eq(str(t, "projNo"), "20260310-H1-A012");
    cr_assert_str_eq(str(t, "projName"), "营业执照核发");
    cr_assert_str_eq(str(t, "serviceCode"), "SC-001");
    cr_assert_eq(json_integer_value(json_object_get(t, "serviceVersion")), 1);
    cr_assert_str_eq(str(t, "serviceName"), "营业执照核发");
    cr_assert_str_eq(str(t, "deptCode"), "DEPT01"); /* the item's unit when none is bound */
    cr_assert_str_eq(str(t, "deptName"), "区市场监管局");
    cr_assert_str_eq(str(t, "areaCode"), "330102");
    cr_assert_str_eq(str(t, "areaName"), "上城区");
    cr_assert_str_eq(str(t, "hallCode"), "H1");
    cr_assert_str_eq(str(t, "windowCode"), "W07");
    cr_assert(json_is_null(json_object_get(t, "applicantType")));
    cr_assert_str_eq(str(t, "handleState"), "finished");
    cr_assert_str_eq(str(t, "applyTime"), "2026-03-10 11:45:00");
    cr_assert_str_eq(str(t, "transactTime"), "2026-03-10 11:59:00");
    cr_assert_str_eq(str(t, "evaluateTime"), "2026-03-10 12:00:00");
    cr_assert_str_eq(str(t, "evaluateType"), "first");
    cr_assert(json_is_false(json_object_get(t, "defaulted")));
    cr_assert_str_eq(str(t, "channel"), "tablet");
    cr_assert_eq(json_integer_value(json_object_get(t, "channelCode")), 3);
    cr_assert_eq(json_integer_value(json_object_get(t, "level")), 5);
    cr_assert_str_eq(str(t, "levelName"), "非常满意");
    cr_assert_eq(json_array_size(json_object_get(t, "reasons")), 0);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(t, "dims"), "speed")), 5);
    json_t *staff_list = json_object_get(t, "evaluatedStaff");
    cr_assert_eq(json_array_size(staff_list), 1);
    json_t *s = json_array_get(staff_list, 0);
    cr_assert_eq(json_integer_value(json_object_get(s, "staffId")), staff);
    cr_assert_str_eq(str(s, "name"), "王小明");
    cr_assert_str_eq(str(s, "badgeNo"), "GH-0007");

    json_t *c = record(&b, e_case);
    cr_assert_str_eq(str(c, "projNo"), "2026-0310-000007");
    cr_assert_str_eq(str(c, "applicantType"), "org");
    cr_assert_str_eq(str(c, "handleState"), "completed");
    cr_assert_str_eq(str(c, "applyTime"), "2026-03-03 12:00:00");
    cr_assert_str_eq(str(c, "channel"), "qr");
    cr_assert_eq(json_integer_value(json_object_get(c, "channelCode")), 2);
    cr_assert_str_eq(str(c, "levelName"), "不满意");
    cr_assert_str_eq(str(c, "text"), "等了太久");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(c, "reasons"), 1)), "rude");

    json_t *d = record(&b, e_default);
    cr_assert(json_is_true(json_object_get(d, "defaulted")));
    cr_assert_eq(json_integer_value(json_object_get(d, "channelCode")), 9);
    /* no phone or ID number leaves by default, not even as a key */
    char *all = json_dumps(b.records, 0);
    cr_assert_null(strstr(all, "applicantPhone"));
    cr_assert_null(strstr(all, "applicantId"));
    cr_assert_null(strstr(all, "13800138000"));
    cr_assert_null(strstr(all, "138****"));
    free(all);
    eval_push_batch_free(&b);

    /* personal: the applicant's numbers, else the real-name evaluator's */
    cr_assert_eq(eval_push_next(u.db, "file:x", 100, 1, T0, 0, &b), 0);
    cr_assert_str_eq(str(record(&b, e_case), "applicantPhone"), "13800138000");
    cr_assert_str_eq(str(record(&b, e_case), "applicantId"), "11010519491231002X");
    cr_assert_str_eq(str(record(&b, e_default), "applicantPhone"), "13912345678");
    cr_assert(json_is_null(json_object_get(record(&b, e_default), "applicantId")));
    cr_assert(json_is_null(json_object_get(record(&b, e_ticket), "applicantPhone")));
    eval_push_batch_free(&b);
    /* a smaller batch */
    cr_assert_eq(eval_push_next(u.db, "file:x", 2, 0, T0, 0, &b), 0);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.last_id, e_case);
    eval_push_batch_free(&b);
}

static int count_lines(const char *path, json_t **first)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof(line), f)) {
        json_t *j = json_loads(line, 0, NULL);
        cr_assert(json_is_object(j), "line %d is not a JSON object", n + 1);
        if (n == 0 && first)
            *first = j;
        else
            json_decref(j);
        n++;
    }
    fclose(f);
    return n;
}

BOTH(file_target_appends_lines_and_the_cursor_follows)
{
    char target[256], path[256];
    snprintf(target, sizeof(target), "file:%s", dir);
    struct eval_push_target t;
    cr_assert_eq(eval_push_target(target, u.url, NULL, &t), 0);
    cr_assert_eq(t.kind, EVAL_PUSH_FILE);
    cr_assert_str_eq(t.shown, target);
    struct eval_push_batch b;
    char err[256];
    cr_assert_eq(eval_push_next(u.db, t.shown, 2, 0, T0, 0, &b), 0);
    cr_assert_eq(eval_push_send(&t, &b, "", 5, T0 + 3600 * 13, err, sizeof(err)), 0, "%s", err);
    /* 2026-03-11 01:00 in Shanghai: the push's local day names the file */
    snprintf(path, sizeof(path), "%s/evaluations-20260311.jsonl", dir);
    json_t *first = NULL;
    cr_assert_eq(count_lines(path, &first), 2);
    cr_assert_str_eq(json_string_value(json_object_get(first, "recordId")), "hash-ticket");
    json_decref(first);
    cr_assert_eq(eval_push_done(u.db, t.shown, &b, 1, NULL, T0 + 10, 30, 3600), 0);
    eval_push_batch_free(&b);
    struct arena a = {0};
    struct eval_push_status s;
    cr_assert_eq(eval_push_status(u.db, t.shown, &a, &s), 0);
    cr_assert_eq(s.cursor, e_case);
    cr_assert_eq(s.backlog, 1);
    cr_assert_eq(s.pushed, 2);
    cr_assert_eq(s.last_success_at, T0 + 10);
    cr_assert_eq(s.last_evaluation_id, e_default);
    cr_assert_eq(s.nfailures, 0);
    /* the rest is appended to the same day's file */
    cr_assert_eq(eval_push_next(u.db, t.shown, 2, 0, T0, 0, &b), 0);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.cursor, e_case);
    cr_assert_eq(eval_push_send(&t, &b, "", 5, T0 + 3600 * 13, err, sizeof(err)), 0);
    cr_assert_eq(count_lines(path, NULL), 3);
    cr_assert_eq(eval_push_done(u.db, t.shown, &b, 1, NULL, T0 + 20, 30, 3600), 0);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_next(u.db, t.shown, 2, 0, T0, 0, &b), 0);
    cr_assert_eq(b.n, 0);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_status(u.db, t.shown, &a, &s), 0);
    cr_assert_eq(s.backlog, 0);
    cr_assert_eq(s.pushed, 3);
    /* another target has its own cursor: it starts from the first */
    cr_assert_eq(eval_push_next(u.db, "http://province.example/x", 100, 0, T0, 0, &b), 0);
    cr_assert_eq(b.n, 3);
    eval_push_batch_free(&b);
    arena_reset(&a);
}

BOTH(failures_are_logged_backed_off_and_retried)
{
    const char *shown = "http://province.example/api";
    struct eval_push_batch b;
    struct arena a = {0};
    struct eval_push_status s;
    cr_assert_eq(eval_push_next(u.db, shown, 100, 0, T0, 0, &b), 0);
    cr_assert_eq(eval_push_done(u.db, shown, &b, 0, "HTTP 500: \x01oops\xe4\xb8\xad", T0, 30, 3600),
                 0);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_status(u.db, shown, &a, &s), 0);
    cr_assert_eq(s.cursor, 0);
    cr_assert_eq(s.attempt, 1);
    cr_assert_eq(s.next_at, T0 + 30);
    cr_assert_eq(s.nfailures, 1);
    cr_assert_str_eq(s.failures[0].error, "HTTP 500: ?oops???"); /* printable ASCII only */
    cr_assert_eq(s.failures[0].evaluation_id, e_ticket);
    cr_assert_eq(s.failures[0].last_evaluation_id, e_default);
    cr_assert_eq(s.failures[0].attempt, 1);
    cr_assert_eq(s.failures[0].next_at, T0 + 30);
    /* not due yet: nothing to send, unless forced */
    cr_assert_eq(eval_push_next(u.db, shown, 100, 0, T0 + 29, 0, &b), 0);
    cr_assert_eq(b.n, 0);
    cr_assert_eq(b.next_at, T0 + 30);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_next(u.db, shown, 100, 0, T0 + 30, 0, &b), 0);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.attempt, 1);
    cr_assert_eq(eval_push_done(u.db, shown, &b, 0, "timeout", T0 + 30, 30, 3600), 0);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_status(u.db, shown, &a, &s), 0);
    cr_assert_eq(s.attempt, 2);
    cr_assert_eq(s.next_at, T0 + 90); /* 60 s after the second failure */
    cr_assert_eq(s.nfailures, 2);
    cr_assert_str_eq(s.failures[0].error, "timeout"); /* newest first */
    /* retry now: due at once */
    cr_assert_eq(eval_push_retry_now(u.db, shown, T0 + 31), 0);
    cr_assert_eq(eval_push_next(u.db, shown, 100, 0, T0 + 31, 0, &b), 0);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(eval_push_done(u.db, shown, &b, 1, NULL, T0 + 32, 30, 3600), 0);
    cr_assert_eq(eval_push_status(u.db, shown, &a, &s), 0);
    cr_assert_eq(s.cursor, e_default);
    cr_assert_eq(s.attempt, 0);
    cr_assert_eq(s.next_at, 0);
    cr_assert_eq(s.nfailures, 2); /* the log stays */
    /* a node that pushed the same batch late does not move the cursor back */
    b.cursor = 0;
    b.last_id = e_ticket;
    cr_assert_eq(eval_push_done(u.db, shown, &b, 1, NULL, T0 + 40, 30, 3600), 0);
    cr_assert_eq(eval_push_done(u.db, shown, &b, 0, "late", T0 + 40, 30, 3600), 0);
    eval_push_batch_free(&b);
    cr_assert_eq(eval_push_status(u.db, shown, &a, &s), 0);
    cr_assert_eq(s.cursor, e_default);
    cr_assert_eq(s.attempt, 0);
    arena_reset(&a);
}

/* ---- a one-connection-at-a-time HTTP server on a loopback port ---- */

struct fake {
    int fd, port;
    int statuses[4], n;
    char auth[4][128], type[4][128];
    char *bodies[4];
    pthread_t thread;
};

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    for (int k = 0; k < f->n; k++) {
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[65536];
        size_t len = 0;
        char *end = NULL;
        while (!end && len < sizeof(buf) - 1) {
            ssize_t got = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
            if (got <= 0)
                break;
            len += (size_t)got;
            buf[len] = '\0';
            end = strstr(buf, "\r\n\r\n");
        }
        size_t want = 0;
        for (char *p = buf; end && p < end; p = strstr(p, "\r\n") + 2) {
            if (strncasecmp(p, "Content-Length:", 15) == 0)
                want = (size_t)strtoul(p + 15, NULL, 10);
            if (strncasecmp(p, "Authorization:", 14) == 0)
                sscanf(p + 14, " %127[^\r]", f->auth[k]);
            if (strncasecmp(p, "Content-Type:", 13) == 0)
                sscanf(p + 13, " %127[^\r]", f->type[k]);
        }
        size_t head = end ? (size_t)(end + 4 - buf) : len;
        while (len - head < want && len < sizeof(buf) - 1) {
            ssize_t got = recv(c, buf + len, sizeof(buf) - 1 - len, 0);
            if (got <= 0)
                break;
            len += (size_t)got;
        }
        buf[len] = '\0';
        f->bodies[k] = strndup(buf + head, want);
        char resp[256];
        const char *text = f->statuses[k] >= 300 ? "busy, come back later" : "ok";
        int n = snprintf(resp, sizeof(resp),
                         "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         f->statuses[k], strlen(text), text);
        send(c, resp, (size_t)n, 0);
        close(c);
    }
    return NULL;
}

static void fake_start(struct fake *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    f->fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(f->fd >= 0);
    cr_assert_eq(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    cr_assert_eq(listen(f->fd, 4), 0);
    cr_assert_eq(getsockname(f->fd, (struct sockaddr *)&sa, &sl), 0);
    f->port = ntohs(sa.sin_port);
    cr_assert_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

BOTH(http_target_posts_the_batch_and_takes_only_2xx)
{
    struct fake f = {.statuses = {503, 202}, .n = 2};
    fake_start(&f);
    char url[128];
    snprintf(url, sizeof(url), "http://user:secret@127.0.0.1:%d/collect?key=abc", f.port);
    struct eval_push_target t;
    cr_assert_eq(eval_push_target(url, u.url, NULL, &t), 0);
    cr_assert_eq(t.kind, EVAL_PUSH_HTTP);
    char shown[128];
    snprintf(shown, sizeof(shown), "http://127.0.0.1:%d/collect", f.port);
    cr_assert_str_eq(t.shown, shown);
    struct eval_push_batch b;
    char err[256];
    cr_assert_eq(eval_push_next(u.db, t.shown, 100, 0, T0, 0, &b), 0);
    cr_assert_eq(eval_push_send(&t, &b, "tok-123", 5, T0, err, sizeof(err)), ERR_IO);
    cr_assert_str_eq(err, "HTTP 503: busy, come back later");
    cr_assert_eq(eval_push_send(&t, &b, "", 5, T0, err, sizeof(err)), 0, "%s", err);
    pthread_join(f.thread, NULL);
    close(f.fd);
    cr_assert_str_eq(f.auth[0], "Bearer tok-123");
    /* user:secret from the URL: basic authentication when no token is given */
    cr_assert_str_eq(f.auth[1], "Basic dXNlcjpzZWNyZXQ=");
    cr_assert_str_eq(f.type[0], "application/json; charset=utf-8");
    json_t *body = json_loads(f.bodies[1], 0, NULL);
    cr_assert(json_is_array(body));
    cr_assert_eq(json_array_size(body), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(body, 0), "recordId")),
                     "hash-ticket");
    json_decref(body);
    free(f.bodies[0]);
    free(f.bodies[1]);
    eval_push_batch_free(&b);
}

Test(push_net, unreachable_target_fails_with_the_reason)
{
    /* a port nobody listens on: bind one, close it */
    struct fake f = {.n = 0};
    fake_start(&f);
    pthread_join(f.thread, NULL);
    close(f.fd);
    char url[64], err[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", f.port);
    struct eval_push_target t;
    cr_assert_eq(eval_push_target(url, "sqlite:x.db", NULL, &t), 0);
    struct eval_push_batch b = {.n = 1, .records = json_array()};
    json_array_append_new(b.records, json_object());
    cr_assert_eq(eval_push_send(&t, &b, "", 2, T0, err, sizeof(err)), ERR_IO);
    cr_assert_str_eq(err, "Couldn't connect to server");
    eval_push_batch_free(&b);
}

Test(push_net, targets_resolve)
{
    struct eval_push_target t;
    cr_assert_eq(eval_push_target("", "sqlite:/var/lib/ck/chuangkou.db", NULL, &t), 0);
    cr_assert_eq(t.kind, EVAL_PUSH_FILE);
    cr_assert_str_eq(t.where, "/var/lib/ck/upstream");
    cr_assert_str_eq(t.shown, "file:/var/lib/ck/upstream");
    cr_assert_eq(eval_push_target(NULL, "sqlite:ck.db", "", &t), 0);
    cr_assert_str_eq(t.where, "upstream");
    cr_assert_eq(eval_push_target("", "postgresql://ck:pw@db/ck", NULL, &t), 0);
    cr_assert_str_eq(t.where, "data/upstream");
    /* beside the data key when it is configured */
    cr_assert_eq(eval_push_target("", "postgresql://ck:pw@db/ck", "/etc/ck/data.key", &t), 0);
    cr_assert_str_eq(t.where, "/etc/ck/upstream");
    cr_assert_eq(eval_push_target("", "sqlite:/a/b.db", "/k/ck.key", &t), 0);
    cr_assert_str_eq(t.where, "/k/upstream");
    cr_assert_eq(eval_push_target("off", "sqlite:x", NULL, &t), 0);
    cr_assert_eq(t.kind, EVAL_PUSH_OFF);
    cr_assert_str_eq(t.shown, "off");
    cr_assert_eq(eval_push_target("file:/srv/out", "sqlite:x", "/k/ck.key", &t), 0);
    cr_assert_str_eq(t.where, "/srv/out");
    cr_assert_eq(eval_push_target("https://a:b@c@gov.example:8443/p/q?token=1#f", "", NULL, &t), 0);
    cr_assert_eq(t.kind, EVAL_PUSH_HTTP);
    cr_assert_str_eq(t.shown, "https://gov.example:8443/p/q");
    cr_assert_str_eq(t.where, "https://a:b@c@gov.example:8443/p/q?token=1#f");
    cr_assert_eq(eval_push_target("ftp://x", "", NULL, &t), ERR_INVALID);
}

Test(push_net, backoff_doubles_to_the_cap)
{
    cr_assert_eq(eval_push_backoff(1, 30, 3600), 30);
    cr_assert_eq(eval_push_backoff(2, 30, 3600), 60);
    cr_assert_eq(eval_push_backoff(3, 30, 3600), 120);
    cr_assert_eq(eval_push_backoff(7, 30, 3600), 1920);
    cr_assert_eq(eval_push_backoff(8, 30, 3600), 3600);
    cr_assert_eq(eval_push_backoff(1000, 30, 3600), 3600);
    cr_assert_eq(eval_push_backoff(1, 600, 60), 60);
}

Test(push_net, local_time_text)
{
    char t[20];
    eval_push_time_text(T0, t);
    cr_assert_str_eq(t, "2026-03-10 12:00:00");
    eval_push_time_text(T0 + 12 * 3600 - 1, t);
    cr_assert_str_eq(t, "2026-03-10 23:59:59");
    eval_push_time_text(T0 + 12 * 3600, t);
    cr_assert_str_eq(t, "2026-03-11 00:00:00");
}

Test(push_net, upstream_settings)
{
    struct config c;
    config_defaults(&c);
    cr_assert_str_eq(c.upstream_target, "");
    cr_assert_eq(c.upstream_batch, 100);
    cr_assert_eq(c.upstream_interval_s, 5);
    cr_assert_eq(c.upstream_retry_min_s, 30);
    cr_assert_eq(c.upstream_retry_max_s, 3600);
    cr_assert_eq(c.upstream_personal, 0);
    cr_assert_eq(config_set(&c, "upstream.target", "off"), 0);
    cr_assert_eq(config_set(&c, "upstream.target", "file:/srv/out"), 0);
    cr_assert_eq(config_set(&c, "upstream.target", "https://gov.example/in"), 0);
    cr_assert_str_eq(c.upstream_target, "https://gov.example/in");
    cr_assert_eq(config_set(&c, "upstream.target", "file:"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "upstream.target", "ftp://x"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "upstream.target", "http:// spaced"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "upstream.batch", "1001"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "upstream.batch", "250"), 0);
    cr_assert_eq(c.upstream_batch, 250);
    cr_assert_eq(config_set(&c, "upstream.personal", "true"), 0);
    cr_assert_eq(c.upstream_personal, 1);
    cr_assert_eq(config_set(&c, "upstream.retry_max", "0"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "server.public_url", "https://zwfw.example.gov.cn"), 0);
    cr_assert_eq(config_set(&c, "server.public_url", "zwfw.example.gov.cn"), ERR_INVALID);
    cr_assert_eq(config_set(&c, "upstream.unknown", "1"), ERR_INVALID);
    setenv("CHUANGKOU_UPSTREAM_INTERVAL", "2", 1);
    const char *bad = NULL;
    cr_assert_eq(config_load_env(&c, &bad), 0);
    cr_assert_eq(c.upstream_interval_s, 2);
    setenv("CHUANGKOU_UPSTREAM_TARGET", "gopher://x", 1);
    cr_assert_eq(config_load_env(&c, &bad), ERR_INVALID);
    cr_assert_str_eq(bad, "CHUANGKOU_UPSTREAM_TARGET");
    unsetenv("CHUANGKOU_UPSTREAM_INTERVAL");
    unsetenv("CHUANGKOU_UPSTREAM_TARGET");
}

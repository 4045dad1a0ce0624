/* test_catalog.c - the service catalogue (domain/catalog.c) and its CSV
 * import/export (domain/catalog_io.c) on a migrated temp SQLite database. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "domain/actor.h"
#include "domain/catalog.h"
#include "domain/catalog_io.h"
#include "domain/org.h"
#include "domain/staff.h"
#include "unit_db.h"

static struct unit_db u;
static struct actor sys, admin_a, admin_b, staff_a, admin_root;
static struct err e;
static struct arena ar;
/* region r with unit ua and hall a (windows wa1, wa2); region t with hall b
 * (window wb1) */
static struct org_node r, ua, a, wa1, wa2, t, b, wb1;

static struct org_node make_node(int64_t parent, const char *kind, const char *code)
{
    struct org_node n;
    struct org_input in = {parent, kind, code, "节点", NULL, NULL};
    cr_assert_eq(org_create(u.db, &sys, &in, &n, &e), 0, "%s", e.msg);
    return n;
}

static void make_tree(void)
{
    r = make_node(0, "region", "r");
    ua = make_node(r.id, "unit", "ua");
    a = make_node(r.id, "hall", "hall-a");
    wa1 = make_node(a.id, "window", "w01");
    wa2 = make_node(a.id, "window", "w02");
    t = make_node(r.id, "region", "t");
    b = make_node(t.id, "hall", "hall-b");
    wb1 = make_node(b.id, "window", "w01");
}

static void init(void)
{
    unit_db_open(&u, 1);
    actor_system(&sys, "unit");
    make_tree();
    unit_actor(&admin_root, ROLE_ADMIN, r.id, r.path, 0);
    unit_actor(&admin_a, ROLE_ADMIN, a.id, a.path, 0);
    unit_actor(&admin_b, ROLE_ADMIN, b.id, b.path, 0);
    unit_actor(&staff_a, ROLE_STAFF, a.id, a.path, 7);
    memset(&e, 0, sizeof(e));
}

static void fini(void)
{
    arena_reset(&ar);
    unit_db_close(&u);
}

TestSuite(catalog, .init = init, .fini = fini);

/* a valid version's parts, rebuilt for each use */
static struct catalog_material mats[4];
static struct catalog_step steps[3];
static struct catalog_place places[2];

static struct catalog_version content(const char *code, int64_t unit_id)
{
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    mats[0] = (struct catalog_material){0, 1, "居民身份证", "original", 1, "公安机关", 1, "", 0};
    mats[1] = (struct catalog_material){
        0, 2, "户口簿", "original_and_copy", 1, "公安机关", 1, "复印件需签字", 0};
    mats[2] = (struct catalog_material){0, 3, "申请表", "original", 2, "窗口领取", 0, "", 0};
    mats[3] = (struct catalog_material){0, 4, "电子照片", "electronic", 0, "", 1, "", 0};
    steps[0] = (struct catalog_step){1, "申请", "提交材料"};
    steps[1] = (struct catalog_step){2, "受理", "当场受理"};
    steps[2] = (struct catalog_step){3, "办结", ""};
    places[0] = (struct catalog_place){.node_id = wa1.id};
    places[1] = (struct catalog_place){.node_id = a.id};
    v.code = code;
    v.unit_id = unit_id;
    v.name = "个体工商户设立登记";
    v.kind = "promised";
    v.legal_limit = 15;
    v.legal_unit = "workdays";
    v.promised_limit = 3;
    v.promised_unit = "workdays";
    v.basis = "《促进个体工商户发展条例》";
    v.conditions = "有经营能力的自然人";
    v.remedies = "可以依法申请行政复议";
    v.fee_free = 1;
    v.fee_basis = "";
    v.ticket_prefix = "D";
    v.online = "partial";
    v.phone = "0000-12345";
    v.materials = mats;
    v.nmaterials = 3;
    v.steps = steps;
    v.nsteps = 3;
    v.places = places;
    v.nplaces = 1;
    return v;
}

static const char *field_of(const struct catalog_version *v)
{
    static struct err ve;
    memset(&ve, 0, sizeof(ve));
    if (catalog_validate(v, &ve) == 0)
        return "";
    return ve.field;
}

static int64_t create_item(const struct actor *who, const char *code, int64_t unit_id,
                           int64_t *version_id)
{
    struct catalog_version v = content(code, unit_id);
    int64_t item = 0, ver = 0;
    memset(&e, 0, sizeof(e));
    int rc = catalog_create(u.db, who, &v, &item, &ver, &e);
    cr_assert_eq(rc, 0, "create %s: %d %s %s", code, rc, e.field, e.msg);
    if (version_id)
        *version_id = ver;
    return item;
}

static int64_t publish(const struct actor *who, int64_t item)
{
    int64_t vid = 0;
    memset(&e, 0, sizeof(e));
    int rc = catalog_publish(u.db, who, item, &vid, &e);
    cr_assert_eq(rc, 0, "publish: %d %s", rc, e.msg);
    return vid;
}

/* ---- rules ---- */

Test(catalog, limits_across_units)
{
    const enum catalog_unit W = CATALOG_WORKDAYS, D = CATALOG_DAYS, H = CATALOG_HOURS;
    cr_assert(catalog_limits_ok(5, W, 20, W));
    cr_assert(catalog_limits_ok(20, W, 20, W));
    cr_assert_not(catalog_limits_ok(21, W, 20, W));
    /* natural days fit in as many working days */
    cr_assert(catalog_limits_ok(20, D, 20, W));
    cr_assert_not(catalog_limits_ok(21, D, 20, W));
    /* 5 working days can span 7 natural days; 6 span ceil(8.4) = 9 */
    cr_assert(catalog_limits_ok(5, W, 7, D));
    cr_assert_not(catalog_limits_ok(5, W, 6, D));
    cr_assert(catalog_limits_ok(6, W, 9, D));
    cr_assert_not(catalog_limits_ok(6, W, 8, D));
    cr_assert(catalog_limits_ok(15, W, 60, D)); /* 居民身份证: 15 workdays within 60 days */
    cr_assert(catalog_limits_ok(1, W, 3, D));   /* 公积金提取 */
    /* hours against days */
    cr_assert(catalog_limits_ok(4, H, 1, W));
    cr_assert(catalog_limits_ok(24, H, 1, D));
    cr_assert_not(catalog_limits_ok(25, H, 1, D));
    cr_assert_not(catalog_limits_ok(1, H, 0, W));
    cr_assert(catalog_limits_ok(0, H, 0, W));
    cr_assert(catalog_limits_ok(2, D, 48, H));
    cr_assert_not(catalog_limits_ok(3, D, 48, H));
    cr_assert(catalog_limits_ok(1, W, 48, H)); /* 1 working day spans ceil(1.4) = 2 days */
    cr_assert_not(catalog_limits_ok(1, W, 47, H));
    /* out of range and unknown units */
    cr_assert_not(catalog_limits_ok(-1, W, 20, W));
    cr_assert_not(catalog_limits_ok(1, W, CATALOG_LIMIT_MAX + 1, W));
    cr_assert_not(catalog_limits_ok(1, (enum catalog_unit)0, 20, W));
    cr_assert_eq(catalog_unit_parse("workdays"), W);
    cr_assert_eq(catalog_unit_parse("hours"), H);
    cr_assert_eq(catalog_unit_parse("Workdays"), 0);
    cr_assert_eq(catalog_unit_parse(NULL), 0);
    cr_assert_str_eq(catalog_unit_name(D), "days");
}

Test(catalog, codes)
{
    cr_assert(catalog_code_ok("SCJG-GT-001"));
    cr_assert(catalog_code_ok("a.b_c-1"));
    cr_assert_not(catalog_code_ok(""));
    cr_assert_not(catalog_code_ok(NULL));
    cr_assert_not(catalog_code_ok("a b"));
    cr_assert_not(catalog_code_ok("a/b"));
    cr_assert_not(catalog_code_ok("事项"));
    char long_code[CATALOG_CODE_MAX + 2];
    memset(long_code, 'x', sizeof(long_code) - 1);
    long_code[CATALOG_CODE_MAX + 1] = '\0';
    cr_assert_not(catalog_code_ok(long_code));
    long_code[CATALOG_CODE_MAX] = '\0';
    cr_assert(catalog_code_ok(long_code));
}

Test(catalog, validation_names_the_field)
{
    struct catalog_version v = content("X", ua.id);
    cr_assert_str_eq(field_of(&v), "");
    v.name = "";
    cr_assert_str_eq(field_of(&v), "name");
    v = content("X", ua.id);
    v.name = "两行\n名称";
    cr_assert_str_eq(field_of(&v), "name");
    v = content("X", ua.id);
    v.kind = "sometimes";
    cr_assert_str_eq(field_of(&v), "kind");
    v = content("X", ua.id);
    v.legal_limit = -1;
    cr_assert_str_eq(field_of(&v), "legal_limit.value");
    v = content("X", ua.id);
    v.legal_limit = CATALOG_LIMIT_MAX + 1;
    cr_assert_str_eq(field_of(&v), "legal_limit.value");
    v = content("X", ua.id);
    v.legal_unit = "weeks";
    cr_assert_str_eq(field_of(&v), "legal_limit.unit");
    v = content("X", ua.id);
    v.promised_limit = 0; /* a promised item needs at least 1 */
    cr_assert_str_eq(field_of(&v), "promised_limit.value");
    v.kind = "immediate"; /* an immediate one may promise 0 */
    cr_assert_str_eq(field_of(&v), "");
    v = content("X", ua.id);
    v.promised_limit = 16;
    cr_assert_str_eq(field_of(&v), "promised_limit");
    v.promised_unit = "days"; /* 16 natural days > 15 working days? no: 16 > 15 */
    cr_assert_str_eq(field_of(&v), "promised_limit");
    v.promised_limit = 15;
    cr_assert_str_eq(field_of(&v), "");
    v = content("X", ua.id);
    v.fee_amount_cents = 100; /* free with an amount */
    cr_assert_str_eq(field_of(&v), "fee.amount_cents");
    v.fee_free = 0;
    cr_assert_str_eq(field_of(&v), "");
    v.fee_amount_cents = -5;
    cr_assert_str_eq(field_of(&v), "fee.amount_cents");
    v = content("X", ua.id);
    v.ticket_prefix = "a";
    cr_assert_str_eq(field_of(&v), "ticket_prefix");
    v.ticket_prefix = "ABC";
    cr_assert_str_eq(field_of(&v), "ticket_prefix");
    v.ticket_prefix = "AB";
    cr_assert_str_eq(field_of(&v), "");
    v.online = "sometimes";
    cr_assert_str_eq(field_of(&v), "online");
    v = content("X", ua.id);
    v.phone = "call me";
    cr_assert_str_eq(field_of(&v), "phone");
    v.phone = "0000-12345、12345转8";
    cr_assert_str_eq(field_of(&v), "");
    v = content("X", ua.id);
    mats[2].name = "";
    cr_assert_str_eq(field_of(&v), "materials[2].name");
    v = content("X", ua.id);
    mats[1].form = "photocopy";
    cr_assert_str_eq(field_of(&v), "materials[1].form");
    v = content("X", ua.id);
    mats[0].copies = 0; /* an original needs a copy count */
    cr_assert_str_eq(field_of(&v), "materials[0].copies");
    v = content("X", ua.id);
    v.nmaterials = 4; /* electronic with 0 copies is fine */
    cr_assert_str_eq(field_of(&v), "");
    v = content("X", ua.id);
    v.nmaterials = CATALOG_MAX_MATERIALS + 1;
    cr_assert_str_eq(field_of(&v), "materials");
    v = content("X", ua.id);
    steps[1].title = "";
    cr_assert_str_eq(field_of(&v), "steps[1].title");
    v = content("X", ua.id);
    places[1].node_id = wa1.id;
    v.nplaces = 2;
    cr_assert_str_eq(field_of(&v), "places[1]");

    /* all faults at once */
    v = content("X", ua.id);
    v.name = "";
    mats[2].name = "";
    v.ticket_prefix = "x";
    struct err errs[8];
    int n = 0;
    cr_assert_eq(catalog_validate_all(&v, errs, 8, &n), ERR_INVALID);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(errs[0].field, "name");
    cr_assert_str_eq(errs[1].field, "ticket_prefix");
    cr_assert_str_eq(errs[2].field, "materials[2].name");
}

Test(catalog, long_texts_count_characters)
{
    struct catalog_version v = content("X", ua.id);
    char name[CATALOG_NAME_MAX * 3 + 4] = "";
    for (int i = 0; i < CATALOG_NAME_MAX; i++)
        strcat(name, "事");
    v.name = name;
    cr_assert_str_eq(field_of(&v), "", "100 Chinese characters are 100, not 300");
    strcat(name, "事");
    cr_assert_str_eq(field_of(&v), "name");
}

/* ---- versions ---- */

Test(catalog, create_publish_edit_supersede)
{
    int64_t v1 = 0;
    int64_t item = create_item(&admin_root, "SCJG-001", ua.id, &v1);
    struct catalog_version cur;
    /* a draft is not public */
    cr_assert_eq(catalog_get_current(u.db, "SCJG-001", &ar, &cur), ERR_NOTFOUND);
    struct catalog_item it;
    cr_assert_eq(catalog_get_item(u.db, item, &ar, &it), 0);
    cr_assert_eq(it.draft_version_id, v1);
    cr_assert_eq(it.current_version_id, 0);

    cr_assert_eq(publish(&admin_root, item), v1);
    cr_assert_eq(catalog_get_current(u.db, "SCJG-001", &ar, &cur), 0);
    cr_assert_eq(cur.id, v1);
    cr_assert_eq(cur.version, 1);
    cr_assert_str_eq(cur.status, "published");
    cr_assert_str_eq(cur.name, "个体工商户设立登记");
    cr_assert_eq(cur.nmaterials, 3);
    cr_assert_str_eq(cur.materials[1].name, "户口簿");
    cr_assert_str_eq(cur.materials[1].notes, "复印件需签字");
    cr_assert_eq(cur.nsteps, 3);
    cr_assert_str_eq(cur.steps[2].title, "办结");
    cr_assert_eq(cur.nplaces, 1);
    cr_assert_str_eq(cur.places[0].node_kind, "window");
    cr_assert_str_eq(cur.unit_path, ua.path);
    cr_assert_gt(cur.published_at, 0);

    /* editing makes draft 2; the public still sees 1 */
    struct catalog_version in = content("SCJG-001", ua.id);
    in.name = "个体工商户设立登记（新）";
    int64_t v2 = 0;
    cr_assert_eq(catalog_save_draft(u.db, &admin_root, item, &in, &v2, &e), 0, "%s", e.msg);
    cr_assert_neq(v2, v1);
    cr_assert_eq(catalog_get_current(u.db, "SCJG-001", &ar, &cur), 0);
    cr_assert_eq(cur.id, v1);
    /* a second save replaces the same draft */
    in.name = "个体工商户设立登记（再改）";
    in.nmaterials = 1;
    int64_t v2b = 0;
    cr_assert_eq(catalog_save_draft(u.db, &admin_root, item, &in, &v2b, &e), 0, "%s", e.msg);
    cr_assert_eq(v2b, v2);
    struct catalog_version d;
    cr_assert_eq(catalog_get_version(u.db, v2, &ar, &d), 0);
    cr_assert_eq(d.version, 2);
    cr_assert_str_eq(d.status, "draft");
    cr_assert_str_eq(d.name, "个体工商户设立登记（再改）");
    cr_assert_eq(d.nmaterials, 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_version"), 2);

    /* publishing supersedes 1 */
    cr_assert_eq(publish(&admin_root, item), v2);
    cr_assert_eq(catalog_get_current(u.db, "SCJG-001", &ar, &cur), 0);
    cr_assert_eq(cur.id, v2);
    struct catalog_version old;
    cr_assert_eq(catalog_get_version(u.db, v1, &ar, &old), 0, "old versions stay readable");
    cr_assert_str_eq(old.status, "superseded");
    cr_assert_str_eq(old.name, "个体工商户设立登记");
    cr_assert_eq(old.nmaterials, 3);

    /* no draft: 409 */
    int64_t none = 0;
    cr_assert_eq(catalog_publish(u.db, &admin_root, item, &none, &e), ERR_CONFLICT);

    /* the next draft is number 3, never a reused one */
    int64_t v3 = 0;
    cr_assert_eq(catalog_save_draft(u.db, &admin_root, item, &in, &v3, &e), 0);
    cr_assert_eq(catalog_get_version(u.db, v3, &ar, &d), 0);
    cr_assert_eq(d.version, 3);

    struct catalog_version *list;
    int n = 0;
    cr_assert_eq(catalog_versions(u.db, item, &ar, &list, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(list[0].version, 3);
    cr_assert_str_eq(list[0].status, "draft");
    cr_assert_eq(list[1].version, 2);
    cr_assert_str_eq(list[1].status, "published");
    cr_assert_eq(list[2].version, 1);
    cr_assert_str_eq(list[2].status, "superseded");
}

Test(catalog, codes_are_unique_and_units_checked)
{
    create_item(&admin_root, "DUP", ua.id, NULL);
    struct catalog_version v = content("DUP", ua.id);
    int64_t item, ver;
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_CONFLICT);
    cr_assert_str_eq(e.field, "code");
    v = content("bad code", ua.id);
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "code");
    v = content("W", wa1.id); /* a window owns nothing */
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "unit_id");
    v = content("H", a.id); /* a hall may own items */
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), 0, "%s", e.msg);
    v = content("NOUNIT", 99999);
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "unit_id");
    v = content("PLACE", ua.id);
    places[0].node_id = ua.id; /* a place is a hall or window */
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "places[0]");
    v = content("FILE", ua.id);
    mats[1].sample_file_id = 42;
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), ERR_INVALID);
    cr_assert_str_eq(e.field, "materials[1].sample_file_id");
}

/* ---- scope ---- */

Test(catalog, scope_of_writes)
{
    int64_t v1;
    int64_t item_a = create_item(&admin_a, "A-1", a.id, &v1);
    struct catalog_version in = content("A-1", a.id);
    int64_t vid, id;
    /* an admin of hall B cannot touch hall A's items */
    cr_assert_eq(catalog_save_draft(u.db, &admin_b, item_a, &in, &vid, &e), ERR_FORBIDDEN);
    cr_assert_eq(catalog_publish(u.db, &admin_b, item_a, &vid, &e), ERR_FORBIDDEN);
    cr_assert_eq(catalog_set_active(u.db, &admin_b, item_a, 0, &e), ERR_FORBIDDEN);
    struct catalog_version v = content("B-1", a.id);
    places[0].node_id = wb1.id;
    cr_assert_eq(catalog_create(u.db, &admin_b, &v, &id, &vid, &e), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "unit_id");
    /* nor list hall A's windows as places of its own items */
    v = content("B-2", b.id);
    places[0].node_id = wa1.id;
    cr_assert_eq(catalog_create(u.db, &admin_b, &v, &id, &vid, &e), ERR_FORBIDDEN);
    cr_assert_str_eq(e.field, "places[0]");
    v = content("B-3", b.id);
    places[0].node_id = wb1.id;
    cr_assert_eq(catalog_create(u.db, &admin_b, &v, &id, &vid, &e), 0, "%s", e.msg);
    /* staff cannot write at all */
    v = content("A-2", a.id);
    cr_assert_eq(catalog_create(u.db, &staff_a, &v, &id, &vid, &e), ERR_FORBIDDEN);
    cr_assert_eq(catalog_save_draft(u.db, &staff_a, item_a, &in, &vid, &e), ERR_FORBIDDEN);
    /* nothing was written by the refused calls */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_item"), 2);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_version"), 2);
}

Test(catalog, writes_are_audited_with_ids_only)
{
    int64_t before = unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log");
    int64_t item = create_item(&admin_root, "AUD", ua.id, NULL);
    publish(&admin_root, item);
    cr_assert_eq(catalog_set_active(u.db, &admin_root, item, 0, &e), 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log"), before + 3);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'catalog_item'"
                                   " AND action IN ('create', 'publish', 'deactivate')"),
                 3);
    /* snapshots carry ids and numbers, not the content */
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE entity = 'catalog_item'"
                                   " AND (after_json LIKE '%个体%' OR after_json LIKE '%身份证%')"),
                 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'publish'"
                                   " AND after_json LIKE '%current_version_id%'"),
                 1);
}

/* ---- reads ---- */

Test(catalog, public_list_search_and_filters)
{
    int64_t i1 = create_item(&admin_root, "PUB-1", ua.id, NULL);
    publish(&admin_root, i1);
    int64_t i2 = create_item(&admin_root, "PUB-2", a.id, NULL); /* served at wa1 */
    publish(&admin_root, i2);
    create_item(&admin_root, "DRAFT-1", ua.id, NULL); /* never published */
    int64_t i4 = create_item(&admin_root, "GONE-1", ua.id, NULL);
    publish(&admin_root, i4);
    cr_assert_eq(catalog_set_active(u.db, &admin_root, i4, 0, &e), 0);
    struct catalog_version v = content("HALLB-1", b.id);
    places[0].node_id = b.id;
    int64_t i5, ver;
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &i5, &ver, &e), 0, "%s", e.msg);
    publish(&admin_root, i5);

    struct catalog_summary *items;
    int n;
    int64_t total;
    struct catalog_filter f = {.published_only = 1, .page = 1, .per_page = 50};
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 3, "drafts and deactivated items are not public");
    cr_assert_str_eq(items[0].code, "HALLB-1");
    cr_assert_eq(items[0].current_version, 1);

    f.q = "PUB";
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 2);
    f.q = "工商户";
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 3);
    f.q = "%";
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 0, "LIKE wildcards are plain characters");
    f.q = NULL;

    f.unit_id = t.id; /* items owned under the town region */
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 1);
    cr_assert_str_eq(items[0].code, "HALLB-1");
    f.unit_id = 0;
    f.hall_id = a.id; /* served at hall a or its windows */
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 2);
    f.hall_id = b.id;
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 1);
    f.hall_id = 0;
    f.unit_id = 99999;
    cr_assert_eq(catalog_list(u.db, &f, &ar, &items, &n, &total), ERR_NOTFOUND);

    /* staff of hall b see their subtree, drafts included */
    struct catalog_filter sf = {.scope = b.path, .active = -1, .page = 1, .per_page = 50};
    cr_assert_eq(catalog_list(u.db, &sf, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 1);
    sf.scope = r.path;
    cr_assert_eq(catalog_list(u.db, &sf, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 5);
    sf.active = 0;
    cr_assert_eq(catalog_list(u.db, &sf, &ar, &items, &n, &total), 0);
    cr_assert_eq(total, 1);
    cr_assert_str_eq(items[0].code, "GONE-1");

    struct catalog_version cur;
    cr_assert_eq(catalog_get_current(u.db, "GONE-1", &ar, &cur), ERR_NOTFOUND);
    cr_assert_eq(catalog_get_current(u.db, "DRAFT-1", &ar, &cur), ERR_NOTFOUND);
    cr_assert_eq(catalog_get_current(u.db, "NOPE", &ar, &cur), ERR_NOTFOUND);
    cr_assert_eq(catalog_get_current(u.db, "bad code", &ar, &cur), ERR_NOTFOUND);
    cr_assert_eq(catalog_set_active(u.db, &admin_root, i4, 1, &e), 0);
    cr_assert_eq(catalog_get_current(u.db, "GONE-1", &ar, &cur), 0);
}

/* ---- files and notices ---- */

static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1};

Test(catalog, sample_files)
{
    cr_assert_str_eq(catalog_file_type("%PDF-1.7\n...", 12), "application/pdf");
    cr_assert_str_eq(catalog_file_type(png, sizeof(png)), "image/png");
    cr_assert_str_eq(catalog_file_type("\xff\xd8\xff\xe0", 4), "image/jpeg");
    cr_assert_null(catalog_file_type("GIF89a", 6));
    cr_assert_null(catalog_file_type("%PDF", 4));
    int64_t id = 0;
    cr_assert_eq(catalog_file_add(u.db, &admin_root, "样表.pdf", "%PDF-1.7 x", 10, &id, &e), 0,
                 "%s", e.msg);
    cr_assert_eq(catalog_file_add(u.db, &admin_root, "x.gif", "GIF89a....", 10, &id, &e),
                 ERR_UNSUPPORTED);
    cr_assert_eq(catalog_file_add(u.db, &admin_root, "../x.pdf", "%PDF-1.7 x", 10, &id, &e),
                 ERR_INVALID);
    cr_assert_eq(catalog_file_add(u.db, &staff_a, "x.pdf", "%PDF-1.7 x", 10, &id, &e),
                 ERR_FORBIDDEN);
    const char *name, *mime;
    const void *data;
    size_t len;
    cr_assert_eq(catalog_file_get(u.db, 1, &ar, &name, &mime, &data, &len), 0);
    cr_assert_str_eq(name, "样表.pdf");
    cr_assert_str_eq(mime, "application/pdf");
    cr_assert_eq(len, 10);
    cr_assert_eq(memcmp(data, "%PDF-1.7 x", 10), 0);
    cr_assert_eq(catalog_file_get(u.db, 99, &ar, &name, &mime, &data, &len), ERR_NOTFOUND);
    /* a material may now point at file 1 */
    struct catalog_version v = content("WITHFILE", ua.id);
    mats[0].sample_file_id = 1;
    int64_t item, ver;
    cr_assert_eq(catalog_create(u.db, &admin_root, &v, &item, &ver, &e), 0, "%s", e.msg);
    struct catalog_version back;
    cr_assert_eq(catalog_get_version(u.db, ver, &ar, &back), 0);
    cr_assert_eq(back.materials[0].sample_file_id, 1);
}

Test(catalog, notices_record_the_version)
{
    struct staff s;
    struct staff_input si = {"clerk", "王芳", "staff", "QD001", "", 0, a.id, "hash"};
    cr_assert_eq(staff_create(u.db, &sys, &si, &s, &e), 0, "%s", e.msg);
    staff_a.staff_id = s.id;
    int64_t v1;
    int64_t item = create_item(&admin_root, "N-1", a.id, &v1);
    int64_t nid = 0;
    cr_assert_eq(catalog_record_notice(u.db, &staff_a, v1, 0, "张三", NULL, &nid, &e), ERR_CONFLICT,
                 "a draft is nobody's standard");
    publish(&admin_root, item);
    cr_assert_eq(
        catalog_record_notice(u.db, &staff_a, v1, wa1.id, "张三", "[\"户口簿\"]", &nid, &e), 0,
        "%s", e.msg);
    cr_assert_gt(nid, 0);
    cr_assert_eq(unit_db_int(u.db,
                             "SELECT COUNT(*) FROM catalog_notice n JOIN staff s"
                             " ON s.id = n.issued_by AND s.login = 'clerk'"
                             " WHERE citizen_name = '张三' AND missing_json = '[\"户口簿\"]'"),
                 1);
    cr_assert_eq(catalog_record_notice(u.db, &staff_a, v1, wb1.id, "", NULL, &nid, &e),
                 ERR_FORBIDDEN);
    cr_assert_eq(catalog_record_notice(u.db, &staff_a, v1, 0, "", "{\"x\":1}", &nid, &e),
                 ERR_INVALID);
    cr_assert_str_eq(e.field, "missing");
    cr_assert_eq(catalog_record_notice(u.db, &staff_a, 9999, 0, "", NULL, &nid, &e), ERR_NOTFOUND);
}

Test(catalog, content_equality)
{
    struct catalog_version x = content("X", ua.id), y;
    y = x;
    cr_assert(catalog_content_equal(&x, &y));
    struct catalog_place swapped[2] = {{.node_id = a.id}, {.node_id = wa1.id}};
    x.nplaces = 2;
    y.places = swapped;
    y.nplaces = 2;
    cr_assert(catalog_content_equal(&x, &y), "places are a set");
    y.phone = "1";
    cr_assert_not(catalog_content_equal(&x, &y));
    y = x;
    y.nsteps = 2;
    cr_assert_not(catalog_content_equal(&x, &y));
}

/* ---- CSV import and export ---- */

static char *export_csv(const char *scope, size_t *len)
{
    char *out = NULL;
    memset(&e, 0, sizeof(e));
    int rc = catalog_io_export(u.db, scope, 0, CATALOG_IO_CSV, &out, len, &e);
    cr_assert_eq(rc, 0, "export: %d %s", rc, e.msg);
    return out;
}

static int import_csv(const struct actor *who, const char *csv, int skip,
                      struct catalog_import_result *res)
{
    memset(&e, 0, sizeof(e));
    cr_assert_eq(db_begin(u.db), 0);
    int rc = catalog_io_import(u.db, who, csv, strlen(csv), skip, 0, &ar, res, &e);
    if (rc == 0)
        cr_assert_eq(db_commit(u.db), 0);
    else
        db_rollback(u.db);
    return rc;
}

/* an item with every field set, including text a CSV and the packed cells
 * must escape */
static void rich_item(void)
{
    struct catalog_version v = content("RICH-1", ua.id);
    v.name = "=不动产登记（首次登记）";
    v.basis = "《不动产登记暂行条例》第二十条，\n第二款 \"引号\"";
    v.conditions = "a|b\\c";
    v.fee_free = 0;
    v.fee_amount_cents = 8050;
    v.fee_basis = "发改价格规〔2016〕2559号";
    v.appointable = 1;
    v.ticket_prefix = "AB";
    v.online = "full";
    v.phone = "+86 0000-12345";
    mats[0].name = "身份证|户口簿";
    mats[0].notes = "第一行\n第二行\\n不是换行";
    mats[1].sample_file_id = 1;
    steps[0].description = "说明|含竖线\n和换行";
    v.kind = "immediate";
    v.legal_limit = 4;
    v.legal_unit = "hours";
    v.promised_limit = 0;
    v.promised_unit = "hours";
    v.nmaterials = 4;
    places[1].node_id = b.id;
    v.nplaces = 2;
    int64_t item, ver, fid;
    cr_assert_eq(catalog_file_add(u.db, &sys, "样表.pdf", "%PDF-1.7 x", 10, &fid, &e), 0);
    cr_assert_eq(catalog_create(u.db, &sys, &v, &item, &ver, &e), 0, "%s %s", e.field, e.msg);
    publish(&sys, item);
    int64_t plain = create_item(&sys, "PLAIN-2", a.id, NULL); /* stays a draft */
    (void)plain;
}

Test(catalog, csv_round_trip)
{
    rich_item();
    size_t len = 0;
    char *csv = export_csv("", &len);
    cr_assert_eq(memcmp(csv, "\xef\xbb\xbf", 3), 0, "starts with a BOM");
    cr_assert(strstr(csv, "'=不动产登记"), "a leading = is guarded");
    cr_assert(strstr(csv, "/r/hall-a/w01"), "places as code paths");

    /* into a second database with the same tree */
    struct unit_db u1 = u;
    char *text = strndup(csv, len);
    free(csv);
    struct catalog_version before_rich, before_plain;
    struct catalog_item it;
    cr_assert_eq(catalog_find_code(u1.db, "RICH-1", &ar, &it), 0);
    cr_assert_eq(catalog_get_version(u1.db, it.current_version_id, &ar, &before_rich), 0);
    cr_assert_eq(catalog_find_code(u1.db, "PLAIN-2", &ar, &it), 0);
    cr_assert_eq(catalog_get_version(u1.db, it.draft_version_id, &ar, &before_plain), 0);

    unit_db_open(&u, 1);
    make_tree();
    int64_t fid;
    cr_assert_eq(catalog_file_add(u.db, &sys, "样表.pdf", "%PDF-1.7 x", 10, &fid, &e), 0);
    struct catalog_import_result res;
    int rc = import_csv(&sys, text, 0, &res);
    cr_assert_eq(rc, 0, "import: %d %s (%d faults, first: row %d %s %s)", rc, e.msg, res.nfaults,
                 res.nerrors ? res.errors[0].row : 0, res.nerrors ? res.errors[0].field : "",
                 res.nerrors ? res.errors[0].message : "");
    cr_assert_eq(res.rows, 2);
    cr_assert_eq(res.created, 2);
    cr_assert_eq(res.published, 1, "only the row exported from a published version");

    struct catalog_version after;
    cr_assert_eq(catalog_get_current(u.db, "RICH-1", &ar, &after), 0);
    cr_assert(catalog_content_equal(&before_rich, &after));
    cr_assert_str_eq(after.name, "=不动产登记（首次登记）");
    cr_assert_str_eq(after.materials[0].name, "身份证|户口簿");
    cr_assert_str_eq(after.materials[0].notes, "第一行\n第二行\\n不是换行");
    cr_assert_str_eq(after.steps[0].description, "说明|含竖线\n和换行");
    cr_assert_str_eq(after.phone, "+86 0000-12345");
    cr_assert_eq(after.fee_amount_cents, 8050);
    cr_assert_eq(catalog_find_code(u.db, "PLAIN-2", &ar, &it), 0);
    cr_assert_eq(it.current_version_id, 0);
    cr_assert_eq(catalog_get_version(u.db, it.draft_version_id, &ar, &after), 0);
    cr_assert(catalog_content_equal(&before_plain, &after));

    /* importing the same file again changes nothing */
    int64_t versions = unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_version");
    cr_assert_eq(import_csv(&sys, text, 0, &res), 0, "%s", e.msg);
    cr_assert_eq(res.unchanged, 2);
    cr_assert_eq(res.created + res.updated + res.published, 0);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_version"), versions);
    free(text);
    unit_db_close(&u1);
}

static const char HEADER[] =
    "事项编码(code),事项名称(name),实施主体(unit),办件类型(kind),法定时限(legal_limit),"
    "法定时限单位(legal_unit),承诺时限(promised_limit),承诺时限单位(promised_unit),"
    "申请材料(materials),办理地点(places),发布(publish)\n";

Test(catalog, csv_one_bad_row_imports_nothing)
{
    char csv[2048];
    snprintf(
        csv, sizeof(csv),
        "%s"
        "OK-1,事项一,/r/ua,承诺件,20,工作日,5,工作日,\"身份证|原件|1|公安机关|是|\",/r/hall-a,是\n"
        "BAD-2,事项二,/r/ua,承诺件,20,工作日,5,工作日,\"身份证|原件|1|公安机关|是|\n"
        "户口簿|原件|1|公安机关|是|\n|原件|1||是|\",/r/hall-a,否\n"
        "OK-3,事项三,/r/hall-a,即办件,0,工作日,0,工作日,,/r/hall-a/w01,否\n",
        HEADER);
    struct catalog_import_result res;
    cr_assert_eq(import_csv(&admin_root, csv, 0, &res), ERR_INVALID);
    cr_assert_eq(res.nfaults, 1);
    cr_assert_eq(res.errors[0].row, 3);
    cr_assert_str_eq(res.errors[0].field, "materials[2].name");
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_item"), 0);

    /* skipping: the good rows go in */
    cr_assert_eq(import_csv(&admin_root, csv, 1, &res), 0, "%s", e.msg);
    cr_assert_eq(res.created, 2);
    cr_assert_eq(res.published, 1);
    cr_assert_eq(res.skipped, 1);
    cr_assert_eq(res.nerrors, 1);
    cr_assert_eq(unit_db_int(u.db, "SELECT COUNT(*) FROM catalog_item"), 2);
    struct catalog_version cur;
    cr_assert_eq(catalog_get_current(u.db, "OK-1", &ar, &cur), 0);
    cr_assert_eq(catalog_get_current(u.db, "OK-3", &ar, &cur), ERR_NOTFOUND, "publish says 否");
}

Test(catalog, csv_faults_are_all_reported)
{
    char csv[2048];
    snprintf(
        csv, sizeof(csv),
        "%s"
        "bad code,,/r/nowhere,有时,-1,周,5,工作日,\"身份证|影印件|x|公安机关|也许\",/r/zzz,也许\n"
        "OK-1,事项,/r/ua,承诺件,20,工作日,30,工作日,,,否\n"
        "OK-1,事项,/r/hall-a/w01,承诺件,20,工作日,5,工作日,,,否\n",
        HEADER);
    struct catalog_import_result res;
    cr_assert_eq(import_csv(&admin_root, csv, 0, &res), ERR_INVALID);
    const char *want2[] = {"code",
                           "unit",
                           "kind",
                           "legal_limit",
                           "legal_unit",
                           "materials[0].form",
                           "materials[0].copies",
                           "materials[0].required",
                           "places[0]",
                           "publish",
                           "name"};
    int found = 0;
    for (size_t k = 0; k < sizeof(want2) / sizeof(want2[0]); k++)
        for (int i = 0; i < res.nerrors; i++)
            if (res.errors[i].row == 2 && strcmp(res.errors[i].field, want2[k]) == 0) {
                found++;
                break;
            }
    cr_assert_eq(found, (int)(sizeof(want2) / sizeof(want2[0])), "row 2 faults: %d found", found);
    int r3 = 0, r4 = 0;
    for (int i = 0; i < res.nerrors; i++) {
        if (res.errors[i].row == 3 && strcmp(res.errors[i].field, "promised_limit") == 0)
            r3++;
        if (res.errors[i].row == 4 &&
            (strcmp(res.errors[i].field, "code") == 0 || strcmp(res.errors[i].field, "unit") == 0))
            r4++;
    }
    cr_assert_eq(r3, 1, "promised over legal on row 3");
    cr_assert_eq(r4, 2, "row 4: the code repeats row 3 and a window owns nothing");
}

Test(catalog, csv_header_and_quoting_faults)
{
    struct catalog_import_result res;
    cr_assert_eq(import_csv(&admin_root, "code,name,colour\n", 0, &res), ERR_INVALID);
    int unknown = 0, missing = 0;
    for (int i = 0; i < res.nerrors; i++) {
        cr_assert_eq(res.errors[i].row, 1);
        unknown += strcmp(res.errors[i].field, "header") == 0;
        missing += strcmp(res.errors[i].field, "unit") == 0;
    }
    cr_assert_eq(unknown, 1);
    cr_assert_eq(missing, 1);

    char csv[1024];
    snprintf(csv, sizeof(csv), "%sA,x\"y,/r/ua,即办件,0,工作日,0,工作日,,,否\n", HEADER);
    cr_assert_eq(import_csv(&admin_root, csv, 1, &res), ERR_INVALID,
                 "a file that cannot be read is never imported");
    cr_assert_eq(res.nerrors, 1);
    cr_assert_eq(res.errors[0].row, 2);
    cr_assert_str_eq(res.errors[0].field, "column 2");
    cr_assert_eq(import_csv(&admin_root, "", 0, &res), ERR_INVALID);
    /* Chinese or English headers alone are accepted too */
    snprintf(csv, sizeof(csv),
             "code,事项名称,unit,kind,legal_limit,legal_unit,promised_limit,promised_unit\n"
             "EN-1,事项,/r/ua,immediate,0,workdays,0,workdays\n");
    cr_assert_eq(import_csv(&admin_root, csv, 0, &res), 0, "%s", e.msg);
    cr_assert_eq(res.created, 1);
}

Test(catalog, csv_updates_drafts_and_respects_scope)
{
    int64_t item = create_item(&admin_a, "HA-1", a.id, NULL);
    publish(&admin_a, item);
    size_t len;
    char *csv = export_csv(a.path, &len);
    /* change the name: a new draft, the published version untouched */
    char *p = strstr(csv, "个体工商户设立登记");
    cr_assert_not_null(p);
    memcpy(p, "个体户设立登记登记", strlen("个体户设立登记登记"));
    struct catalog_import_result res;
    char *text = strndup(csv, len);
    /* the export says publish 是 (a published version); keep it a draft */
    char *pub = strstr(text, ",是,1,已发布");
    cr_assert_not_null(pub);
    memcpy(pub, ",否,1,已发布", strlen(",否,1,已发布"));
    cr_assert_eq(import_csv(&admin_b, text, 0, &res), ERR_INVALID,
                 "hall b may not import hall a's items");
    cr_assert_str_eq(res.errors[0].field, "unit");
    cr_assert_eq(import_csv(&admin_a, text, 0, &res), 0, "%s", e.msg);
    cr_assert_eq(res.updated, 1);
    cr_assert_eq(res.published, 0);
    struct catalog_version cur;
    cr_assert_eq(catalog_get_current(u.db, "HA-1", &ar, &cur), 0);
    cr_assert_str_eq(cur.name, "个体工商户设立登记");
    struct catalog_item it;
    cr_assert_eq(catalog_find_code(u.db, "HA-1", &ar, &it), 0);
    cr_assert_neq(it.draft_version_id, 0);
    /* staff cannot import */
    cr_assert_eq(import_csv(&staff_a, text, 0, &res), ERR_FORBIDDEN);
    free(csv);
    free(text);
}

Test(catalog, xlsx_export)
{
    rich_item();
    char *out = NULL;
    size_t len = 0;
    cr_assert_eq(catalog_io_export(u.db, "", 0, CATALOG_IO_XLSX, &out, &len, &e), 0, "%s", e.msg);
    cr_assert_eq(memcmp(out, "PK", 2), 0);
    free(out);
    cr_assert_eq(catalog_io_export(u.db, "", 99999, CATALOG_IO_CSV, &out, &len, &e), ERR_NOTFOUND);
}

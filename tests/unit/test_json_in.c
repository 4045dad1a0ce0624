/* test_json_in.c - strict request-body parsing and unpacking (http/json_in.c). */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/json_in.h"

static struct arena arena;
static struct err e;

static void fini(void)
{
    arena_reset(&arena);
}

TestSuite(json_in, .fini = fini);

/* json_in_parse of a NUL-terminated string, e reset first */
static json_t *parse(const char *s)
{
    memset(&e, 0, sizeof(e));
    return json_in_parse(s, strlen(s), &e);
}

static void expect_parse_fails(const char *s)
{
    json_t *j = parse(s);
    cr_expect_null(j, "%s should not parse", s);
    cr_expect_eq(e.code, ERR_INVALID, "%s: code %d", s, e.code);
    cr_expect_neq(e.msg[0], '\0', "%s: a message is given", s);
    json_decref(j);
}

Test(json_in, parses_an_object)
{
    json_t *j = parse("{\"a\": 1, \"b\": \"x\"}");
    cr_assert_not_null(j, "%s", e.msg);
    cr_assert(json_is_object(j));
    cr_assert_eq(json_integer_value(json_object_get(j, "a")), 1);
    json_decref(j);
}

Test(json_in, empty_body)
{
    cr_assert_null(json_in_parse("", 0, &e));
    cr_assert_eq(e.code, ERR_INVALID);
    cr_assert_null(json_in_parse(NULL, 5, &e));
}

Test(json_in, malformed)
{
    expect_parse_fails("{");
    expect_parse_fails("{\"a\":}");
    expect_parse_fails("{\"a\":1,}");
    expect_parse_fails("{'a':1}");
    expect_parse_fails("{\"a\":1} x");
    expect_parse_fails("{\"a\":01}");
    expect_parse_fails("{\"a\":NaN}");
    expect_parse_fails("{\"a\":\"\xff\"}"); /* invalid UTF-8 */
    expect_parse_fails("{\"a\":\"\\u00\"}");
    expect_parse_fails("{\"a\\u0000b\":1}");     /* NUL in a key */
    expect_parse_fails("{\"a\":\"x\\u0000y\"}"); /* and in a value */
    expect_parse_fails("nul");
}

Test(json_in, malformed_message_has_position)
{
    json_t *j = parse("{\n\"a\": tru}");
    cr_assert_null(j);
    cr_assert(strstr(e.msg, "line 2") != NULL, "message: %s", e.msg);
}

Test(json_in, only_objects)
{
    expect_parse_fails("[1,2]");
    expect_parse_fails("\"text\"");
    expect_parse_fails("42");
    expect_parse_fails("null");
    expect_parse_fails("true");
}

Test(json_in, duplicate_keys)
{
    expect_parse_fails("{\"a\":1,\"a\":2}");
    expect_parse_fails("{\"x\":{\"b\":1,\"b\":1}}");
    /* the same key escaped differently is still a duplicate */
    expect_parse_fails("{\"a\":1,\"\\u0061\":2}");
}

/* "{"a": [[[ ... ]]]}" with levels of nesting in total (the object counts) */
static char *nested(int levels)
{
    size_t cap = (size_t)levels * 2 + 16;
    char *s = arena_alloc(&arena, cap);
    size_t o = 0;
    o += (size_t)snprintf(s, cap, "{\"a\":");
    for (int i = 1; i < levels; i++)
        s[o++] = '[';
    s[o++] = '1';
    for (int i = 1; i < levels; i++)
        s[o++] = ']';
    s[o++] = '}';
    s[o] = '\0';
    return s;
}

Test(json_in, depth_limit)
{
    json_t *j = parse(nested(32));
    cr_assert_not_null(j, "32 levels are fine: %s", e.msg);
    json_decref(j);
    expect_parse_fails(nested(33));
    expect_parse_fails(nested(5000));
}

Test(json_in, brackets_inside_strings_do_not_count)
{
    char s[256];
    char deep[80];
    memset(deep, '[', 40);
    deep[40] = '\0';
    snprintf(s, sizeof(s), "{\"a\":\"%s\",\"b\":\"\\\"%s\"}", deep, deep);
    json_t *j = parse(s);
    cr_assert_not_null(j, "%s: %s", s, e.msg);
    json_decref(j);
}

/* a realistic table, as a create-staff handler would use */
struct body {
    char *login, *name, *note;
    int64_t node_id, parent;
    int party, active;
    int name_present, active_present, parent_present;
};

static struct body b;

static int unpack(const char *s)
{
    memset(&b, 0, sizeof(b));
    b.party = -1;
    b.active = -1;
    b.parent = -7;
    struct jfield f[] = {
        {"login", JF_STRING, 1, &b.login, 2, 8, NULL},
        {"name", JF_STRING, 1, &b.name, 1, 5, &b.name_present},
        {"note", JF_STRING, 0, &b.note, 0, 10, NULL},
        {"node_id", JF_INT, 1, &b.node_id, 1, 1000, NULL},
        {"party", JF_BOOL, 0, &b.party, 0, 0, NULL},
        {"active", JF_BOOL, 0, &b.active, 0, 0, &b.active_present},
        {"parent", JF_ID_OR_NULL, 0, &b.parent, 1, INT64_MAX, &b.parent_present},
    };
    json_t *j = parse(s);
    cr_assert_not_null(j, "%s does not parse: %s", s, e.msg);
    memset(&e, 0, sizeof(e));
    int rc = json_in_unpack(j, f, (int)(sizeof(f) / sizeof(f[0])), &arena, &e);
    json_decref(j);
    cr_assert_eq(rc, e.code, "rc and err agree");
    return rc;
}

static void expect_field_error(const char *s, const char *field)
{
    cr_expect_eq(unpack(s), ERR_INVALID, "%s should be refused", s);
    cr_expect_str_eq(e.field, field, "%s: field \"%s\", message %s", s, e.field, e.msg);
}

Test(json_in, unpacks_every_type)
{
    cr_assert_eq(unpack("{\"login\":\"wangf\",\"name\":\"王芳\",\"node_id\":12,"
                        "\"party\":true,\"active\":false,\"parent\":5,\"note\":\"a\\nb\\tc\"}"),
                 0, "%s", e.msg);
    cr_assert_str_eq(b.login, "wangf");
    cr_assert_str_eq(b.name, "王芳");
    cr_assert_str_eq(b.note, "a\nb\tc");
    cr_assert_eq(b.node_id, 12);
    cr_assert_eq(b.party, 1);
    cr_assert_eq(b.active, 0);
    cr_assert_eq(b.parent, 5);
    cr_assert_eq(b.name_present, 1);
    cr_assert_eq(b.active_present, 1);
    cr_assert_eq(b.parent_present, 1);
}

Test(json_in, optional_fields_untouched_and_not_present)
{
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1}"), 0, "%s", e.msg);
    cr_assert_null(b.note);
    cr_assert_eq(b.party, -1);
    cr_assert_eq(b.active, -1);
    cr_assert_eq(b.parent, -7);
    cr_assert_eq(b.active_present, 0);
    cr_assert_eq(b.parent_present, 0);
    cr_assert_eq(b.name_present, 1);
}

Test(json_in, id_or_null_takes_null)
{
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"parent\":null}"), 0);
    cr_assert_eq(b.parent, 0);
    cr_assert_eq(b.parent_present, 1);
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"parent\":0}", "parent");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"parent\":\"1\"}",
                       "parent");
}

Test(json_in, copies_strings_into_the_arena)
{
    char s[] = "{\"login\":\"abc\",\"name\":\"n\",\"node_id\":1}";
    cr_assert_eq(unpack(s), 0);
    /* the json object is gone; the copy must live on */
    cr_assert_str_eq(b.login, "abc");
    cr_assert_gt(arena.used_total, 0);
}

Test(json_in, unknown_field_named)
{
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"is_admin\":true}",
                       "is_admin");
    cr_assert(strstr(e.msg, "is_admin") != NULL, "%s", e.msg);
    /* keys are case-sensitive */
    expect_field_error("{\"Login\":\"ab\",\"name\":\"n\",\"node_id\":1}", "Login");
}

Test(json_in, long_unknown_field_name_truncated_safely)
{
    char s[600];
    char key[300];
    memset(key, 'z', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    snprintf(s, sizeof(s), "{\"%s\":1}", key);
    cr_assert_eq(unpack(s), ERR_INVALID);
    cr_assert_eq(strlen(e.field), sizeof(e.field) - 1);
    cr_assert_eq(strncmp(e.field, key, sizeof(e.field) - 1), 0);
}

Test(json_in, wrong_types)
{
    expect_field_error("{\"login\":5,\"name\":\"n\",\"node_id\":1}", "login");
    expect_field_error("{\"login\":null,\"name\":\"n\",\"node_id\":1}", "login");
    expect_field_error("{\"login\":\"ab\",\"name\":[\"n\"],\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":\"1\"}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1.0}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":true}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":null}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"party\":1}", "party");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"party\":\"true\"}",
                       "party");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1,\"active\":null}", "active");
}

Test(json_in, string_length_counted_in_characters)
{
    /* name: 1..5 characters. Five Chinese characters are 15 bytes: fine. */
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"政务服务中\",\"node_id\":1}"), 0, "%s",
                 e.msg);
    cr_assert_str_eq(b.name, "政务服务中");
    /* six are too many */
    expect_field_error("{\"login\":\"ab\",\"name\":\"政务服务中心\",\"node_id\":1}", "name");
    /* a 4-byte character (emoji) counts once */
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\","
                        "\"node_id\":1}"),
                 0, "%s", e.msg);
    /* an escaped character counts once too */
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"\\u653f\\u52a1ab\",\"node_id\":1}"), 0);
    cr_assert_str_eq(b.name, "政务ab");
}

Test(json_in, string_minimum)
{
    expect_field_error("{\"login\":\"a\",\"name\":\"n\",\"node_id\":1}", "login");
    expect_field_error("{\"login\":\"ab\",\"name\":\"\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"abcdefghi\",\"name\":\"n\",\"node_id\":1}", "login");
    cr_assert_eq(unpack("{\"login\":\"abcdefgh\",\"name\":\"n\",\"node_id\":1,\"note\":\"\"}"), 0);
    cr_assert_str_eq(b.note, "");
}

Test(json_in, control_characters_rejected)
{
    expect_field_error("{\"login\":\"ab\",\"name\":\"a\\u0001\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"a\\u001f\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"a\\r\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"a\\u007f\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"a\\u001b[0m\",\"node_id\":1}", "name");
    /* newline and tab are allowed */
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"a\\nb\\t\",\"node_id\":1}"), 0, "%s", e.msg);
}

Test(json_in, integer_range)
{
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1000}"), 0);
    cr_assert_eq(b.node_id, 1000);
    cr_assert_eq(unpack("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1}"), 0);
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":0}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":1001}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":-1}", "node_id");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\",\"node_id\":-9223372036854775808}",
                       "node_id");
}

Test(json_in, integer_too_big_for_json_is_malformed)
{
    /* jansson refuses integers beyond int64 outright */
    json_t *j = parse("{\"node_id\":9223372036854775808}");
    cr_assert_null(j);
}

Test(json_in, required_fields)
{
    expect_field_error("{\"name\":\"n\",\"node_id\":1}", "login");
    expect_field_error("{\"login\":\"ab\",\"node_id\":1}", "name");
    expect_field_error("{\"login\":\"ab\",\"name\":\"n\"}", "node_id");
    cr_assert(strstr(e.msg, "required") != NULL, "%s", e.msg);
    expect_field_error("{}", "login");
}

Test(json_in, not_an_object)
{
    json_t *arr = json_array();
    struct jfield f[] = {{"a", JF_INT, 0, NULL, 0, 1, NULL}};
    memset(&e, 0, sizeof(e));
    cr_assert_eq(json_in_unpack(arr, f, 1, &arena, &e), ERR_INVALID);
    cr_assert_eq(e.code, ERR_INVALID);
    json_decref(arr);
    cr_assert_eq(json_in_unpack(NULL, f, 1, &arena, &e), ERR_INVALID);
}

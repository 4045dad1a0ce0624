/* test_query.c - the query-string parser of http/query.c. */
#include <criterion/criterion.h>

#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/query.h"

static struct arena arena;
static struct query_param qp[REQ_MAX_QUERY];
static const char *bad;

static void fini(void)
{
    arena_reset(&arena);
}

TestSuite(query, .fini = fini);

static int parse(const char *qs)
{
    memset(qp, 0, sizeof(qp));
    bad = "untouched";
    return query_parse(qs, &arena, qp, REQ_MAX_QUERY, &bad);
}

Test(query, decodes_keys_and_values)
{
    cr_assert_eq(parse("a=1&b=x%20y&c_2=%E6%94%BF+%E5%8A%A1"), 3);
    cr_assert_str_eq(qp[0].key, "a");
    cr_assert_str_eq(qp[0].value, "1");
    cr_assert_str_eq(qp[1].key, "b");
    cr_assert_str_eq(qp[1].value, "x y");
    cr_assert_str_eq(qp[2].key, "c_2");
    cr_assert_str_eq(qp[2].value, "政 务");
    cr_assert_eq(qp[0].used, 0);
    cr_assert_null(bad, "bad_key is cleared on success");
}

Test(query, null_and_empty)
{
    cr_assert_eq(parse(NULL), 0);
    cr_assert_eq(parse(""), 0);
}

Test(query, pair_without_equals_has_empty_value)
{
    cr_assert_eq(parse("flag&a="), 2);
    cr_assert_str_eq(qp[0].key, "flag");
    cr_assert_str_eq(qp[0].value, "");
    cr_assert_str_eq(qp[1].key, "a");
    cr_assert_str_eq(qp[1].value, "");
}

Test(query, value_keeps_later_equals_and_escaped_ampersand)
{
    cr_assert_eq(parse("q=a=b&r=x%26y"), 2);
    cr_assert_str_eq(qp[0].value, "a=b");
    cr_assert_str_eq(qp[1].value, "x&y");
}

Test(query, empty_pairs_skipped)
{
    cr_assert_eq(parse("a=1&&b=2"), 2);
    cr_assert_str_eq(qp[1].key, "b");
    cr_assert_eq(parse("&&&"), 0);
    cr_assert_eq(parse("&a=1&"), 1);
    cr_assert_str_eq(qp[0].key, "a");
}

Test(query, duplicate_rejected_naming_key)
{
    cr_assert_eq(parse("a=1&b=2&a=3"), ERR_INVALID);
    cr_assert_not_null(bad);
    cr_assert_str_eq(bad, "a");
}

Test(query, duplicate_after_decoding_rejected)
{
    /* %61 is "a" */
    cr_assert_eq(parse("a=1&%61=2"), ERR_INVALID);
    cr_assert_str_eq(bad, "a");
    cr_assert_eq(parse("a&a"), ERR_INVALID);
}

Test(query, bad_keys)
{
    static const char *const bad_qs[] = {
        "A=1",   "=1",      "a-b=1", "a%20b=1", "a.b=1",  "%E6%94%BF=1", "a b=1",
        "a[]=1", "a=1&B=2", "%=1",   "a%2=1",   "a%00=1", "+=1",
    };
    for (size_t i = 0; i < sizeof(bad_qs) / sizeof(bad_qs[0]); i++)
        cr_expect_eq(parse(bad_qs[i]), ERR_INVALID, "\"%s\" should be refused", bad_qs[i]);
}

Test(query, key_length_limit)
{
    char qs[128];
    char key[40];
    memset(key, 'k', 32);
    key[32] = '\0';
    snprintf(qs, sizeof(qs), "%s=1", key);
    cr_assert_eq(parse(qs), 1, "a 32-character key is fine");
    cr_assert_str_eq(qp[0].key, key);
    snprintf(qs, sizeof(qs), "%sk=1", key);
    cr_assert_eq(parse(qs), ERR_INVALID, "33 characters is too long");
    memset(key, 'k', 39);
    key[39] = '\0';
    snprintf(qs, sizeof(qs), "%s=1", key);
    cr_assert_eq(parse(qs), ERR_INVALID, "a key over the decode buffer is refused");
}

Test(query, bad_value_escapes_name_the_key)
{
    cr_assert_eq(parse("page=%zz"), ERR_INVALID);
    cr_assert_str_eq(bad, "page");
    cr_assert_eq(parse("q=%00"), ERR_INVALID);
    cr_assert_str_eq(bad, "q");
    cr_assert_eq(parse("q=abc%4"), ERR_INVALID);
}

Test(query, value_length_limit)
{
    char qs[QUERY_MAX_VALUE + 16];
    memcpy(qs, "q=", 2);
    memset(qs + 2, 'v', QUERY_MAX_VALUE);
    qs[2 + QUERY_MAX_VALUE] = '\0';
    cr_assert_eq(parse(qs), 1, "a value of QUERY_MAX_VALUE bytes is fine");
    cr_assert_eq(strlen(qp[0].value), QUERY_MAX_VALUE);
    qs[2 + QUERY_MAX_VALUE] = 'v';
    qs[3 + QUERY_MAX_VALUE] = '\0';
    cr_assert_eq(parse(qs), ERR_TOOLARGE);
    cr_assert_str_eq(bad, "q");
}

Test(query, whole_string_length_limit)
{
    char qs[QUERY_MAX_LEN + 2];
    memset(qs, '&', sizeof(qs));
    memcpy(qs, "a=1", 3);
    qs[QUERY_MAX_LEN] = '\0';
    cr_assert_eq(parse(qs), 1, "QUERY_MAX_LEN bytes are fine");
    qs[QUERY_MAX_LEN] = '&';
    qs[QUERY_MAX_LEN + 1] = '\0';
    cr_assert_eq(parse(qs), ERR_TOOLARGE);
}

Test(query, too_many_pairs)
{
    memset(qp, 0, sizeof(qp));
    cr_assert_eq(query_parse("a=1&b=2&c=3", &arena, qp, 3, NULL), 3);
    cr_assert_eq(query_parse("a=1&b=2&c=3&d=4", &arena, qp, 3, NULL), ERR_INVALID);
    cr_assert_eq(query_parse("a=1", &arena, qp, 0, NULL), ERR_INVALID);
}

Test(query, full_table)
{
    char qs[512];
    size_t o = 0;
    for (int i = 0; i < REQ_MAX_QUERY; i++)
        o += (size_t)snprintf(qs + o, sizeof(qs) - o, "%sk%d=%d", i ? "&" : "", i, i);
    cr_assert_eq(parse(qs), REQ_MAX_QUERY);
    cr_assert_str_eq(qp[REQ_MAX_QUERY - 1].key, "k23");
    cr_assert_str_eq(qp[REQ_MAX_QUERY - 1].value, "23");
    snprintf(qs + o, sizeof(qs) - o, "&extra=1");
    cr_assert_eq(parse(qs), ERR_INVALID);
}

Test(query, null_bad_key_pointer_is_allowed)
{
    cr_assert_eq(query_parse("a=1&a=2", &arena, qp, REQ_MAX_QUERY, NULL), ERR_INVALID);
    cr_assert_eq(query_parse("a=%zz", &arena, qp, REQ_MAX_QUERY, NULL), ERR_INVALID);
}

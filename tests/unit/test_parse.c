/* test_parse.c - the bounded parsers of base/parse.c. */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/parse.h"

/* parse s in [INT64_MIN, INT64_MAX]; *out keeps the sentinel 4242 on failure */
static int p64(const char *s, int64_t *out)
{
    *out = 4242;
    return parse_int64(s, INT64_MIN, INT64_MAX, out);
}

Test(parse_int64, plain_values)
{
    int64_t v;
    cr_assert_eq(p64("0", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(p64("7", &v), 0);
    cr_assert_eq(v, 7);
    cr_assert_eq(p64("-15", &v), 0);
    cr_assert_eq(v, -15);
    cr_assert_eq(p64("000123", &v), 0);
    cr_assert_eq(v, 123);
}

Test(parse_int64, minus_zero_is_zero)
{
    int64_t v;
    cr_assert_eq(p64("-0", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(parse_int64("-0", 0, 10, &v), 0, "-0 is 0 and so inside [0, 10]");
    cr_assert_eq(v, 0);
}

Test(parse_int64, bounds_are_inclusive)
{
    int64_t v = 99;
    cr_assert_eq(parse_int64("1", 1, 100, &v), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(parse_int64("100", 1, 100, &v), 0);
    cr_assert_eq(v, 100);
    v = 99;
    cr_assert_eq(parse_int64("0", 1, 100, &v), ERR_INVALID);
    cr_assert_eq(parse_int64("101", 1, 100, &v), ERR_INVALID);
    cr_assert_eq(parse_int64("-1", 0, 100, &v), ERR_INVALID);
    cr_assert_eq(v, 99, "out is not written on failure");
}

Test(parse_int64, extremes_of_int64)
{
    int64_t v;
    cr_assert_eq(p64("9223372036854775807", &v), 0);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(p64("-9223372036854775808", &v), 0);
    cr_assert_eq(v, INT64_MIN);
}

Test(parse_int64, overflow_rejected)
{
    int64_t v;
    cr_assert_eq(p64("9223372036854775808", &v), ERR_INVALID);
    cr_assert_eq(p64("-9223372036854775809", &v), ERR_INVALID);
    /* 19 digits that do not fit in int64 */
    cr_assert_eq(p64("9999999999999999999", &v), ERR_INVALID);
    cr_assert_eq(p64("-9999999999999999999", &v), ERR_INVALID);
    cr_assert_eq(v, 4242);
}

Test(parse_int64, digit_count_limit)
{
    int64_t v;
    /* 19 digits: fine */
    cr_assert_eq(p64("1000000000000000000", &v), 0);
    cr_assert_eq(v, INT64_C(1000000000000000000));
    cr_assert_eq(p64("-1000000000000000000", &v), 0);
    cr_assert_eq(v, -INT64_C(1000000000000000000));
    /* 20 digits: refused even when the value would fit */
    cr_assert_eq(p64("10000000000000000000", &v), ERR_INVALID);
    cr_assert_eq(p64("00000000000000000001", &v), ERR_INVALID);
    cr_assert_eq(p64("-00000000000000000001", &v), ERR_INVALID);
    /* a 400-digit number does not wrap around */
    char big[401];
    memset(big, '9', 400);
    big[400] = '\0';
    cr_assert_eq(p64(big, &v), ERR_INVALID);
}

Test(parse_int64, junk_rejected)
{
    static const char *const bad[] = {
        "",    "-",   "--1", "+1",  " 1", "1 ", "1a", "a1",    "0x10", "1.0",
        "1e3", "\t1", "1\n", "- 1", "1-", "١٢", "１", "12 34", "-+1",
    };
    int64_t v;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(p64(bad[i], &v), ERR_INVALID, "\"%s\" should be refused", bad[i]);
    cr_assert_eq(p64(NULL, &v), ERR_INVALID);
    cr_assert_eq(v, 4242);
}

Test(parse_bool, accepted_spellings)
{
    int b = 7;
    cr_assert_eq(parse_bool("1", &b), 0);
    cr_assert_eq(b, 1);
    cr_assert_eq(parse_bool("0", &b), 0);
    cr_assert_eq(b, 0);
    cr_assert_eq(parse_bool("true", &b), 0);
    cr_assert_eq(b, 1);
    cr_assert_eq(parse_bool("false", &b), 0);
    cr_assert_eq(b, 0);
}

Test(parse_bool, everything_else_refused)
{
    static const char *const bad[] = {"",  "TRUE", "True", "yes", "no",    "on",
                                      "2", "01",   "-1",   " 1",  "true ", "t"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int b = 7;
        cr_expect_eq(parse_bool(bad[i], &b), ERR_INVALID, "\"%s\" should be refused", bad[i]);
        cr_expect_eq(b, 7);
    }
    int b = 7;
    cr_assert_eq(parse_bool(NULL, &b), ERR_INVALID);
}

Test(parse_listen, ipv4_and_localhost)
{
    char host[64];
    uint16_t port = 0;
    cr_assert_eq(parse_listen("127.0.0.1:8080", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "127.0.0.1");
    cr_assert_eq(port, 8080);
    cr_assert_eq(parse_listen("0.0.0.0:65535", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "0.0.0.0");
    cr_assert_eq(port, 65535);
    cr_assert_eq(parse_listen("localhost:1", host, sizeof(host), &port), 0);
    cr_assert_str_eq(host, "localhost");
    cr_assert_eq(port, 1);
}

Test(parse_listen, bad_ports)
{
    char host[64];
    uint16_t port = 9;
    cr_expect_eq(parse_listen("127.0.0.1:0", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("127.0.0.1:65536", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("127.0.0.1:", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("127.0.0.1:-80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("127.0.0.1:80x", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("127.0.0.1", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(port, 9, "port is not written on failure");
}

Test(parse_listen, bad_hosts)
{
    char host[64];
    uint16_t port = 9;
    cr_expect_eq(parse_listen(":80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("example.com:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("1.2.3:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("1.2.3.4.5:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("[::1]:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen(NULL, host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(port, 9);
}

Test(parse_listen, host_buffer_too_small)
{
    char host[9]; /* "127.0.0.1" needs 10 bytes */
    uint16_t port = 9;
    cr_assert_eq(parse_listen("127.0.0.1:80", host, sizeof(host), &port), ERR_INVALID);
    char host10[10];
    cr_assert_eq(parse_listen("127.0.0.1:80", host10, sizeof(host10), &port), 0);
    cr_assert_str_eq(host10, "127.0.0.1");
}

/* Regression (was a bug in src/base/parse.c parse_listen): the host check only counts three
 * dots and digits, so "...", "1..2.3" and "999.1.1.1" pass as a "dotted quad".
 * The server's inet_pton refuses them later, but config validation does not.
 * (A regression test: this was a bug.) */
Test(parse_listen, not_a_dotted_quad)
{
    char host[64];
    uint16_t port = 0;
    cr_expect_eq(parse_listen("...:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("1..2.3:80", host, sizeof(host), &port), ERR_INVALID);
    cr_expect_eq(parse_listen("999.1.1.1:80", host, sizeof(host), &port), ERR_INVALID);
}

/* decode the NUL-terminated s into out[size]; return parse_urldecode's result */
static int dec(const char *s, char *out, size_t size)
{
    return parse_urldecode(s, strlen(s), out, size);
}

Test(parse_urldecode, plain_and_escapes)
{
    char out[64];
    cr_assert_eq(dec("abc", out, sizeof(out)), 3);
    cr_assert_str_eq(out, "abc");
    cr_assert_eq(dec("a%20b", out, sizeof(out)), 3);
    cr_assert_str_eq(out, "a b");
    cr_assert_eq(dec("%41%4a%4A%7e", out, sizeof(out)), 4);
    cr_assert_str_eq(out, "AJJ~");
    cr_assert_eq(dec("", out, sizeof(out)), 0);
    cr_assert_str_eq(out, "");
}

Test(parse_urldecode, plus_is_space_but_escaped_plus_is_plus)
{
    char out[64];
    cr_assert_eq(dec("a+b++", out, sizeof(out)), 5);
    cr_assert_str_eq(out, "a b  ");
    cr_assert_eq(dec("1%2B1", out, sizeof(out)), 3);
    cr_assert_str_eq(out, "1+1");
}

Test(parse_urldecode, decodes_once_only)
{
    char out[64];
    cr_assert_eq(dec("%2541", out, sizeof(out)), 3);
    cr_assert_str_eq(out, "%41");
    cr_assert_eq(dec("x%26y%3Dz", out, sizeof(out)), 5);
    cr_assert_str_eq(out, "x&y=z");
}

Test(parse_urldecode, utf8_bytes)
{
    char out[64];
    /* 政务 in UTF-8 */
    cr_assert_eq(dec("%E6%94%BF%E5%8A%A1", out, sizeof(out)), 6);
    cr_assert_str_eq(out, "政务");
    /* raw UTF-8 passes through unchanged */
    cr_assert_eq(dec("大厅", out, sizeof(out)), 6);
    cr_assert_str_eq(out, "大厅");
}

Test(parse_urldecode, bad_escapes)
{
    static const char *const bad[] = {"%",   "%4",   "a%",  "a%4", "%zz", "%g1",
                                      "%1g", "%%41", "% 1", "%-1", "%+1", "%4 "};
    char out[64];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(dec(bad[i], out, sizeof(out)), ERR_INVALID, "\"%s\" should be refused",
                     bad[i]);
}

Test(parse_urldecode, escape_cut_by_length)
{
    char out[64];
    /* the escape's digits lie past n: they must not be read */
    cr_assert_eq(parse_urldecode("a%41", 3, out, sizeof(out)), ERR_INVALID);
    cr_assert_eq(parse_urldecode("a%41", 2, out, sizeof(out)), ERR_INVALID);
    cr_assert_eq(parse_urldecode("a%41", 4, out, sizeof(out)), 2);
    cr_assert_str_eq(out, "aA");
    /* only n bytes are decoded */
    cr_assert_eq(parse_urldecode("abcdef", 3, out, sizeof(out)), 3);
    cr_assert_str_eq(out, "abc");
}

Test(parse_urldecode, nul_rejected)
{
    char out[64];
    cr_assert_eq(dec("%00", out, sizeof(out)), ERR_INVALID);
    cr_assert_eq(dec("ab%00cd", out, sizeof(out)), ERR_INVALID);
    /* a raw NUL inside the first n bytes too */
    cr_assert_eq(parse_urldecode("ab\0cd", 5, out, sizeof(out)), ERR_INVALID);
}

Test(parse_urldecode, truncation_is_too_large)
{
    char out[8];
    memset(out, 'x', sizeof(out));
    /* 7 characters + NUL fit exactly in 8 */
    cr_assert_eq(dec("abcdefg", out, sizeof(out)), 7);
    cr_assert_str_eq(out, "abcdefg");
    cr_assert_eq(dec("abcdefgh", out, sizeof(out)), ERR_TOOLARGE);
    cr_assert_eq(dec("%41%41%41%41%41%41%41%41", out, sizeof(out)), ERR_TOOLARGE);
    cr_assert_eq(dec("%41%41%41%41%41%41%41", out, sizeof(out)), 7);
    cr_assert_eq(dec("a", out, 1), ERR_TOOLARGE);
    cr_assert_eq(dec("", out, 1), 0);
    cr_assert_str_eq(out, "");
}

Test(parse_urldecode, zero_sized_output)
{
    char out[1] = {'x'};
    cr_assert_eq(parse_urldecode("", 0, out, 0), ERR_TOOLARGE);
    cr_assert_eq(parse_urldecode("a", 1, out, 0), ERR_TOOLARGE);
    cr_assert_eq(out[0], 'x', "nothing is written to a zero-sized buffer");
}

Test(parse_text, characters_not_bytes)
{
    cr_expect_eq(parse_text("示范区", 1, 3, 0), 0);
    cr_expect_eq(parse_text("示范区政", 1, 3, 0), ERR_INVALID);
    cr_expect_eq(parse_text("", 1, 3, 0), ERR_INVALID);
    cr_expect_eq(parse_text("", 0, 3, 0), 0);
}

Test(parse_text, rejects_bad_utf8_and_controls)
{
    cr_expect_eq(parse_text("a\x01"
                            "b",
                            0, 10, 0),
                 ERR_INVALID);
    cr_expect_eq(parse_text("a\nb", 0, 10, 0), ERR_INVALID);
    cr_expect_eq(parse_text("a\nb", 0, 10, 1), 0);
    cr_expect_eq(parse_text("\xe6\x94", 0, 10, 0), ERR_INVALID);     /* cut short */
    cr_expect_eq(parse_text("\xc0\xaf", 0, 10, 0), ERR_INVALID);     /* overlong '/' */
    cr_expect_eq(parse_text("\xed\xa0\x80", 0, 10, 0), ERR_INVALID); /* surrogate */
    cr_expect_eq(parse_text("\xff", 0, 10, 0), ERR_INVALID);
    cr_expect_eq(parse_text("\xf0\x9f\x98\x80", 1, 1, 0), 0); /* one emoji, one character */
}

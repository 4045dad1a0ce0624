/* test_static.c - the path check of http/static.c (no way out of the root). */
#include <criterion/criterion.h>

#include <string.h>

#include "http/static.h"

Test(static_path, safe_paths)
{
    static const char *const ok[] = {
        "/",        "/index.html",    "/assets/index-BnQkOdFO.css",
        "/assets/", "/a/b/c.d.e",     "/.well-known/x",
        "/..foo",   "/foo..",         "/a/...",
        "/a/.b",    "/政务/大厅.png", "/a b",
        "/%2e%2e", /* already decoded: these are literal characters */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        cr_expect_eq(static_path_ok(ok[i]), 1, "\"%s\" should be accepted", ok[i]);
}

Test(static_path, dot_segments)
{
    static const char *const bad[] = {
        "/..",    "/../etc/passwd", "/assets/../../x", "/a/..",    "/a/../b", "/.", "/./index.html",
        "/a/./b", "/a/.",           "/assets/..",      "/a/b/../", "/../",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(static_path_ok(bad[i]), 0, "\"%s\" should be refused", bad[i]);
}

Test(static_path, empty_segments)
{
    cr_expect_eq(static_path_ok("//"), 0);
    cr_expect_eq(static_path_ok("//etc/passwd"), 0);
    cr_expect_eq(static_path_ok("/a//b"), 0);
    cr_expect_eq(static_path_ok("/a/b//"), 0);
}

Test(static_path, backslash)
{
    cr_expect_eq(static_path_ok("/..\\..\\x"), 0);
    cr_expect_eq(static_path_ok("/a\\b"), 0);
    cr_expect_eq(static_path_ok("\\"), 0);
}

Test(static_path, control_bytes)
{
    char p[8] = "/a";
    for (int c = 1; c < 0x20; c++) {
        p[2] = (char)c;
        p[3] = 'b';
        p[4] = '\0';
        cr_expect_eq(static_path_ok(p), 0, "control byte 0x%02x should be refused", c);
    }
    cr_expect_eq(static_path_ok("/a\x7f"), 0);
    cr_expect_eq(static_path_ok("/index.html\r\nX: y"), 0);
}

Test(static_path, must_be_absolute)
{
    cr_expect_eq(static_path_ok(""), 0);
    cr_expect_eq(static_path_ok("index.html"), 0);
    cr_expect_eq(static_path_ok("../x"), 0);
    cr_expect_eq(static_path_ok(NULL), 0);
}

Test(static_path, long_paths)
{
    char p[300];
    p[0] = '/';
    memset(p + 1, 'a', 255);
    p[256] = '\0';
    cr_assert_eq(strlen(p), 256);
    cr_expect_eq(static_path_ok(p), 1, "256 bytes is the limit");
    p[256] = 'a';
    p[257] = '\0';
    cr_expect_eq(static_path_ok(p), 0, "257 bytes is too long");
}

/* test_log.c - logfmt quoting and the log line (base/log.c). */
#include <criterion/criterion.h>

#include <string.h>
#include <unistd.h>

#include "base/log.h"

static const char *q(const char *s)
{
    static char buf[256];
    memset(buf, 'Z', sizeof(buf));
    return log_quote(buf, sizeof(buf), s);
}

Test(log_quote, bare_when_safe)
{
    cr_assert_str_eq(q("abc"), "abc");
    cr_assert_str_eq(q("GET"), "GET");
    cr_assert_str_eq(q("/api/org/nodes/1"), "/api/org/nodes/1");
    cr_assert_str_eq(q("a.b-c_d:1"), "a.b-c_d:1");
}

Test(log_quote, empty_and_null_are_quoted)
{
    cr_assert_str_eq(q(""), "\"\"");
    cr_assert_str_eq(q(NULL), "\"\"");
}

Test(log_quote, spaces_quotes_equals_backslashes)
{
    cr_assert_str_eq(q("a b"), "\"a b\"");
    cr_assert_str_eq(q("say \"hi\""), "\"say \\\"hi\\\"\"");
    cr_assert_str_eq(q("k=v"), "\"k=v\"");
    cr_assert_str_eq(q("c:\\dir"), "\"c:\\\\dir\"");
}

Test(log_quote, control_bytes_escaped)
{
    cr_assert_str_eq(q("a\nb"), "\"a\\x0ab\"");
    cr_assert_str_eq(q("\r\t"), "\"\\x0d\\x09\"");
    cr_assert_str_eq(q("\x1b[31m"), "\"\\x1b[31m\"");
    cr_assert_str_eq(q("del\x7f"), "\"del\\x7f\"");
    /* a forged second log line cannot appear */
    const char *out = q("x\nts=2026 level=error");
    cr_assert_null(strchr(out, '\n'));
}

Test(log_quote, utf8_kept)
{
    const char *out = q("王芳");
    cr_assert(strstr(out, "王芳") != NULL, "%s", out);
    cr_assert_null(strchr(out, '\\'));
}

Test(log_quote, truncation_stays_in_bounds)
{
    char buf[12];
    for (size_t size = 1; size <= sizeof(buf); size++) {
        memset(buf, 'Z', sizeof(buf));
        log_quote(buf, size, "a \"long\" value\nwith escapes");
        cr_assert_lt(strlen(buf), size, "size %zu: not terminated inside the buffer", size);
        for (size_t i = size; i < sizeof(buf); i++)
            cr_assert_eq(buf[i], 'Z', "size %zu: wrote past the end", size);
        /* no escape is cut in half */
        size_t len = strlen(buf);
        cr_assert(len == 0 || buf[len - 1] != '\\' || (len >= 2 && buf[len - 2] == '\\'),
                  "size %zu: dangling backslash in %s", size, buf);
    }
    memset(buf, 'Z', sizeof(buf));
    log_quote(buf, 4, "abcdef");
    cr_assert_str_eq(buf, "abc");
}

Test(log_quote, zero_size_writes_nothing)
{
    char buf[2] = {'Z', 'Z'};
    cr_assert_eq(log_quote(buf, 0, "x"), buf);
    cr_assert_eq(buf[0], 'Z');
}

/* run log_msg with stderr sent to a pipe; return what was written */
static const char *capture(enum log_level level, const char *msg)
{
    static char out[4096];
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    int saved = dup(STDERR_FILENO);
    dup2(fds[1], STDERR_FILENO);
    log_msg(level, "unit", "%s", msg);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fds[1]);
    ssize_t n = read(fds[0], out, sizeof(out) - 1);
    close(fds[0]);
    out[n > 0 ? n : 0] = '\0';
    return out;
}

Test(log_msg, line_format)
{
    const char *line = capture(LOG_WARN, "msg=hello");
    cr_assert_eq(strncmp(line, "ts=", 3), 0, "%s", line);
    cr_assert(strstr(line, "Z level=warn comp=unit msg=hello\n") != NULL, "%s", line);
    cr_assert_eq(strchr(line, '\n'), line + strlen(line) - 1, "exactly one line");
}

Test(log_msg, level_filter)
{
    cr_assert_str_eq(capture(LOG_DEBUG, "x=1"), "");
    log_set_level(LOG_ERROR);
    cr_assert_str_eq(capture(LOG_WARN, "x=1"), "");
    cr_assert(strstr(capture(LOG_ERROR, "x=1"), "level=error") != NULL);
    log_set_level(LOG_DEBUG);
    cr_assert(strstr(capture(LOG_DEBUG, "x=1"), "level=debug") != NULL);
}

Test(log_msg, long_message_truncated_to_one_line)
{
    static char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    const char *line = capture(LOG_INFO, big);
    size_t len = strlen(line);
    cr_assert_leq(len, 2047);
    cr_assert_eq(line[len - 1], '\n');
    cr_assert_eq(strchr(line, '\n'), line + len - 1);
}

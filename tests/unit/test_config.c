/* Settings: flags over environment over file over defaults, each validated. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/err.h"

static char ini[64];

static void write_ini(const char *text)
{
    snprintf(ini, sizeof(ini), "/tmp/ck-config-%d.ini", (int)getpid());
    FILE *f = fopen(ini, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void cleanup(void)
{
    if (ini[0])
        unlink(ini);
    unsetenv("CHUANGKOU_LISTEN");
    unsetenv("CHUANGKOU_THREADS");
}

TestSuite(config, .fini = cleanup);

Test(config, defaults)
{
    struct config c;
    config_defaults(&c);
    cr_expect_str_eq(c.listen, "127.0.0.1:8080");
    cr_expect_str_eq(c.db, "sqlite:data/chuangkou.db");
    cr_expect_str_eq(c.web_root, "web/dist");
    cr_expect_eq(c.session_hours, 12);
}

Test(config, file_then_env_then_flag)
{
    struct config c;
    config_defaults(&c);
    write_ini(
        "[server]\nlisten = 127.0.0.1:9000\nthreads = 3\n[database]\nurl = sqlite:/tmp/x.db\n");
    int line = 0;
    cr_assert_eq(config_load_file(&c, ini, &line), 0);
    cr_expect_str_eq(c.listen, "127.0.0.1:9000");
    cr_expect_eq(c.threads, 3);
    cr_expect_str_eq(c.db, "sqlite:/tmp/x.db");

    setenv("CHUANGKOU_LISTEN", "127.0.0.1:9100", 1);
    cr_assert_eq(config_load_env(&c, NULL), 0);
    cr_expect_str_eq(c.listen, "127.0.0.1:9100");
    cr_expect_eq(c.threads, 3, "the environment leaves what it does not name");

    cr_assert_eq(config_set(&c, "server.listen", "127.0.0.1:9200"), 0);
    cr_expect_str_eq(c.listen, "127.0.0.1:9200");
}

Test(config, bad_values_are_refused)
{
    struct config c;
    config_defaults(&c);
    write_ini("[server]\nlisten = 127.0.0.1:9000\nthreads = lots\n");
    int line = 0;
    cr_expect_eq(config_load_file(&c, ini, &line), ERR_INVALID);
    cr_expect_eq(line, 3, "the bad line is named");

    write_ini("[server]\nno_such_key = 1\n");
    cr_expect_eq(config_load_file(&c, ini, &line), ERR_INVALID);

    const char *bad = NULL;
    setenv("CHUANGKOU_THREADS", "-1", 1);
    cr_expect_eq(config_load_env(&c, &bad), ERR_INVALID);
    cr_expect_str_eq(bad, "CHUANGKOU_THREADS");

    cr_expect_eq(config_set(&c, "server.listen", "nowhere"), ERR_INVALID);
    cr_expect_eq(config_set(&c, "server.listen", "127.0.0.1:0"), ERR_INVALID);
    cr_expect_eq(config_set(&c, "log.level", "loud"), ERR_INVALID);
    cr_expect_eq(config_load_file(&c, "/nonexistent/ck.ini", &line), ERR_IO);
}

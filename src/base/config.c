#include "base/config.h"

#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/parse.h"

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
    snprintf(c->db, sizeof(c->db), "sqlite:data/chuangkou.db");
    snprintf(c->web_root, sizeof(c->web_root), "web/dist");
    c->threads = 0;
    c->max_connections = 4096;
    c->timeout_s = 60;
    c->session_hours = 12;
    c->secure_cookie = 0;
    snprintf(c->log_level, sizeof(c->log_level), "info");
    c->upstream_batch = 100;
    c->upstream_interval_s = 5;
    c->upstream_timeout_s = 30;
    c->upstream_retry_min_s = 30;
    c->upstream_retry_max_s = 3600;
}

static int set_str(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return ERR_INVALID;
    memcpy(dst, v, n + 1);
    return 0;
}

static int set_int(int *dst, const char *v, int64_t min, int64_t max)
{
    int64_t x;
    if (parse_int64(v, min, max, &x) < 0)
        return ERR_INVALID;
    *dst = (int)x;
    return 0;
}

/* An address of the web: http:// or https://, a host, no spaces or controls. */
static int url_ok(const char *v)
{
    size_t skip = strncmp(v, "http://", 7) == 0 ? 7 : strncmp(v, "https://", 8) == 0 ? 8 : 0;
    if (!skip || !v[skip] || v[skip] == '/')
        return 0;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return 0;
    return 1;
}

static int set_upstream_target(struct config *c, const char *v)
{
    int ok = strcmp(v, "off") == 0 || url_ok(v) || (strncmp(v, "file:", 5) == 0 && v[5]);
    if (!ok)
        return ERR_INVALID;
    return set_str(c->upstream_target, sizeof(c->upstream_target), v);
}

int config_set(struct config *c, const char *key, const char *v)
{
    if (strcmp(key, "server.listen") == 0) {
        char host[64];
        uint16_t port;
        if (parse_listen(v, host, sizeof(host), &port) < 0)
            return ERR_INVALID;
        return set_str(c->listen, sizeof(c->listen), v);
    }
    if (strcmp(key, "database.url") == 0)
        return set_str(c->db, sizeof(c->db), v);
    if (strcmp(key, "server.web_root") == 0)
        return set_str(c->web_root, sizeof(c->web_root), v);
    if (strcmp(key, "server.threads") == 0)
        return set_int(&c->threads, v, 0, 256);
    if (strcmp(key, "server.max_connections") == 0)
        return set_int(&c->max_connections, v, 16, 100000);
    if (strcmp(key, "server.timeout") == 0)
        return set_int(&c->timeout_s, v, 1, 3600);
    if (strcmp(key, "auth.session_hours") == 0)
        return set_int(&c->session_hours, v, 1, (int64_t)24 * 30);
    if (strcmp(key, "auth.secure_cookie") == 0)
        return parse_bool(v, &c->secure_cookie);
    if (strcmp(key, "security.key_file") == 0)
        return set_str(c->key_file, sizeof(c->key_file), v);
    if (strcmp(key, "server.public_url") == 0) {
        if (!url_ok(v))
            return ERR_INVALID;
        return set_str(c->public_url, sizeof(c->public_url), v);
    }
    if (strcmp(key, "upstream.target") == 0)
        return set_upstream_target(c, v);
    if (strcmp(key, "upstream.token") == 0)
        return set_str(c->upstream_token, sizeof(c->upstream_token), v);
    if (strcmp(key, "upstream.batch") == 0)
        return set_int(&c->upstream_batch, v, 1, 1000);
    if (strcmp(key, "upstream.interval") == 0)
        return set_int(&c->upstream_interval_s, v, 1, 3600);
    if (strcmp(key, "upstream.timeout") == 0)
        return set_int(&c->upstream_timeout_s, v, 1, 600);
    if (strcmp(key, "upstream.retry_min") == 0)
        return set_int(&c->upstream_retry_min_s, v, 1, 3600);
    if (strcmp(key, "upstream.retry_max") == 0)
        return set_int(&c->upstream_retry_max_s, v, 1, 86400);
    if (strcmp(key, "upstream.personal") == 0)
        return parse_bool(v, &c->upstream_personal);
    if (strcmp(key, "log.level") == 0) {
        if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error"))
            return ERR_INVALID;
        return set_str(c->log_level, sizeof(c->log_level), v);
    }
    return ERR_INVALID;
}

struct ini_ctx {
    struct config *c;
    int bad_line;
    int lineno_guess;
};

static int on_ini(void *user, const char *section, const char *name, const char *value
#if INI_HANDLER_LINENO
                  ,
                  int lineno
#endif
)
{
    struct ini_ctx *ctx = user;
    char key[128];
    int n = snprintf(key, sizeof(key), "%s.%s", section, name);
#if INI_HANDLER_LINENO
    ctx->lineno_guess = lineno;
#else
    ctx->lineno_guess++;
#endif
    if (n < 0 || (size_t)n >= sizeof(key) || config_set(ctx->c, key, value) < 0) {
        if (!ctx->bad_line)
            ctx->bad_line = ctx->lineno_guess;
        return 0;
    }
    return 1;
}

int config_load_file(struct config *c, const char *path, int *line)
{
    struct ini_ctx ctx = {c, 0, 0};
    int rc = ini_parse(path, on_ini, &ctx);
    if (rc == -1)
        return ERR_IO;
    if (rc != 0 || ctx.bad_line) {
        if (line)
            *line = rc > 0 ? rc : ctx.bad_line;
        return ERR_INVALID;
    }
    return 0;
}

static const struct {
    const char *env;
    const char *key;
} env_keys[] = {
    {"CHUANGKOU_LISTEN", "server.listen"},
    {"CHUANGKOU_DB", "database.url"},
    {"CHUANGKOU_WEB_ROOT", "server.web_root"},
    {"CHUANGKOU_THREADS", "server.threads"},
    {"CHUANGKOU_MAX_CONNECTIONS", "server.max_connections"},
    {"CHUANGKOU_TIMEOUT", "server.timeout"},
    {"CHUANGKOU_SESSION_HOURS", "auth.session_hours"},
    {"CHUANGKOU_SECURE_COOKIE", "auth.secure_cookie"},
    {"CHUANGKOU_LOG_LEVEL", "log.level"},
    {"CHUANGKOU_KEY_FILE", "security.key_file"},
    {"CHUANGKOU_PUBLIC_URL", "server.public_url"},
    {"CHUANGKOU_UPSTREAM_TARGET", "upstream.target"},
    {"CHUANGKOU_UPSTREAM_TOKEN", "upstream.token"},
    {"CHUANGKOU_UPSTREAM_BATCH", "upstream.batch"},
    {"CHUANGKOU_UPSTREAM_INTERVAL", "upstream.interval"},
    {"CHUANGKOU_UPSTREAM_TIMEOUT", "upstream.timeout"},
    {"CHUANGKOU_UPSTREAM_RETRY_MIN", "upstream.retry_min"},
    {"CHUANGKOU_UPSTREAM_RETRY_MAX", "upstream.retry_max"},
    {"CHUANGKOU_UPSTREAM_PERSONAL", "upstream.personal"},
};

int config_load_env(struct config *c, const char **bad)
{
    for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
        const char *v = getenv(env_keys[i].env);
        if (v && *v && config_set(c, env_keys[i].key, v) < 0) {
            if (bad)
                *bad = env_keys[i].env;
            return ERR_INVALID;
        }
    }
    return 0;
}

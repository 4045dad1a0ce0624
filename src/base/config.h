/* config.h - settings: command-line flags, then CHUANGKOU_* environment
 * variables, then an INI file, then built-in defaults (first found wins). */
#ifndef CK_CONFIG_H
#define CK_CONFIG_H

#include <stddef.h>

struct config {
    char listen[64];      /* ADDR:PORT; [server] listen; CHUANGKOU_LISTEN */
    char db[512];         /* database URL; [database] url; CHUANGKOU_DB */
    char web_root[512];   /* static files; [server] web_root; CHUANGKOU_WEB_ROOT */
    int threads;          /* HTTP threads, 0 = cores; [server] threads; CHUANGKOU_THREADS */
    int max_connections;  /* [server] max_connections; CHUANGKOU_MAX_CONNECTIONS */
    int timeout_s;        /* idle connection timeout; [server] timeout; CHUANGKOU_TIMEOUT */
    int session_hours;    /* [auth] session_hours; CHUANGKOU_SESSION_HOURS */
    int secure_cookie;    /* add Secure to cookies (behind TLS); [auth] secure_cookie */
    char log_level[16];   /* debug|info|warn|error; [log] level; CHUANGKOU_LOG_LEVEL */
    char key_file[512];   /* the data key (pii.h); [security] key_file; CHUANGKOU_KEY_FILE;
                           * "": beside a SQLite database (PATH.key), else data/chuangkou.key */
    char public_url[256]; /* the site's address as the public reaches it, for links in QR
                           * codes ("https://zwfw.example.gov.cn"); [server] public_url;
                           * CHUANGKOU_PUBLIC_URL; "": from the request's Host */
    /* [upstream]: the push of evaluations to the province (eval_push.h) */
    char upstream_target[512]; /* "" (a file beside the database), "off", "file:DIR",
                                * "http(s)://…"; CHUANGKOU_UPSTREAM_TARGET */
    char upstream_token[256];  /* sent as Authorization: Bearer; CHUANGKOU_UPSTREAM_TOKEN */
    int upstream_batch;        /* records per push, 1-1000; CHUANGKOU_UPSTREAM_BATCH */
    int upstream_interval_s;   /* seconds between looks, 1-3600; CHUANGKOU_UPSTREAM_INTERVAL */
    int upstream_timeout_s;    /* seconds an HTTP push may take, 1-600 */
    int upstream_retry_min_s;  /* the first retry's delay, 1-3600; doubles per failure */
    int upstream_retry_max_s;  /* the longest delay, 1-86400 */
    int upstream_personal;     /* send phone and ID numbers in the clear (default no) */
};

/* Fill c with the defaults. */
void config_defaults(struct config *c);

/* Read an INI file into c for every key it sets (only keys not already set by
 * a flag: pass the mask of keys set so far via the `set` strings below).
 * Returns 0, ERR_IO when the file cannot be read, ERR_INVALID (with the line
 * number in *line) on a syntax error, unknown key or bad value. */
int config_load_file(struct config *c, const char *path, int *line);

/* Apply CHUANGKOU_* variables. Returns 0 or ERR_INVALID naming the variable in
 * *bad. */
int config_load_env(struct config *c, const char **bad);

/* Set one key ("server.listen", "database.url", ...) from text. Returns 0 or
 * ERR_INVALID. Used by all three sources, so each validates the same way. */
int config_set(struct config *c, const char *key, const char *value);

#endif

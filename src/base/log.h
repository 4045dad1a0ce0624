/* log.h - logfmt lines on standard error.
 *
 * Each line: `ts=2026-11-29T10:00:00.123Z level=info comp=http key=value ...`.
 * The caller formats the key=value part; values that may hold spaces or quotes
 * must go through log_quote. Never pass secrets (passwords, tokens, phone or ID
 * numbers) to these functions. Thread-safe; lines are never interleaved.
 */
#ifndef CK_LOG_H
#define CK_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Buffer lines and write them in batches from a background thread at least
 * every LOG_FLUSH_MS (the server does this: one write per request costs more
 * than the request). Warnings and errors are written at once. Without it every
 * line is written as it comes. Returns 0 or ERR_NOMEM. */
#define LOG_FLUSH_MS 100
int log_start_buffering(void);

/* Write what is buffered and stop the background thread; safe to call when
 * not buffering. */
void log_stop_buffering(void);

/* Lines below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);

void log_msg(enum log_level level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_info(comp, ...) log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)

/* Write s into buf as a logfmt value: bare if safe, else double-quoted with
 * quotes, backslashes and control bytes escaped; truncated to fit. Returns buf. */
char *log_quote(char *buf, size_t size, const char *s);

#endif

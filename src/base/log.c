#include "base/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

#define LOG_BUF_SIZE ((size_t)256 * 1024)

/* Buffering: lines go into `active`; when it fills, or every LOG_FLUSH_MS,
 * it becomes `spare`, which the flusher writes outside the lock, so a
 * request thread does not wait for the disk (only when both are full does
 * it write itself). buf_mu guards all of it. */
static pthread_mutex_t buf_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t buf_cv = PTHREAD_COND_INITIALIZER;
static char *active, *spare;
static size_t active_len, spare_len; /* spare_len: bytes in spare still to write */
static int buffering, stopping;
static pthread_t flusher;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* active's lines become spare's, for the flusher (buf_mu held, spare empty) */
static void swap_locked(void)
{
    char *full = active;
    active = spare;
    spare = full;
    spare_len = active_len;
    active_len = 0;
}

static void *flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&buf_mu);
    while (!stopping) {
        if (spare_len == 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += LOG_FLUSH_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&buf_cv, &buf_mu, &ts);
            if (spare_len == 0 && active_len > 0)
                swap_locked();
        }
        if (spare_len > 0) {
            /* written outside the lock: loggers go on filling active */
            size_t n = spare_len;
            pthread_mutex_unlock(&buf_mu);
            write_all(spare, n);
            pthread_mutex_lock(&buf_mu);
            spare_len = 0;
        }
    }
    pthread_mutex_unlock(&buf_mu);
    return NULL;
}

int log_start_buffering(void)
{
    pthread_mutex_lock(&buf_mu);
    if (buffering) {
        pthread_mutex_unlock(&buf_mu);
        return 0;
    }
    active = malloc(LOG_BUF_SIZE);
    spare = malloc(LOG_BUF_SIZE);
    if (!active || !spare) {
        free(active);
        free(spare);
        active = spare = NULL;
        pthread_mutex_unlock(&buf_mu);
        return -1;
    }
    active_len = spare_len = 0;
    stopping = 0;
    if (pthread_create(&flusher, NULL, flusher_main, NULL) != 0) {
        free(active);
        free(spare);
        active = spare = NULL;
        pthread_mutex_unlock(&buf_mu);
        return -1;
    }
    buffering = 1;
    pthread_mutex_unlock(&buf_mu);
    return 0;
}

void log_stop_buffering(void)
{
    pthread_mutex_lock(&buf_mu);
    if (!buffering) {
        pthread_mutex_unlock(&buf_mu);
        return;
    }
    stopping = 1;
    pthread_cond_signal(&buf_cv);
    pthread_mutex_unlock(&buf_mu);
    pthread_join(flusher, NULL);
    pthread_mutex_lock(&buf_mu);
    write_all(spare, spare_len);
    write_all(active, active_len);
    active_len = spare_len = 0;
    buffering = 0;
    free(active);
    free(spare);
    active = spare = NULL;
    pthread_mutex_unlock(&buf_mu);
}

void log_set_level(enum log_level level)
{
    min_level = level;
}

static const char *level_name(enum log_level l)
{
    switch (l) {
    case LOG_DEBUG:
        return "debug";
    case LOG_INFO:
        return "info";
    case LOG_WARN:
        return "warn";
    default:
        return "error";
    }
}

void log_msg(enum log_level level, const char *comp, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* the date and time to the second, formatted once a second per thread */
    static _Thread_local time_t stamp_sec = -1;
    static _Thread_local char stamp[64];
    if (tv.tv_sec != stamp_sec) {
        struct tm tm;
        gmtime_r(&tv.tv_sec, &tm);
        snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        stamp_sec = tv.tv_sec;
    }
    int ms = (int)(tv.tv_usec / 1000);
    int n = snprintf(line, sizeof(line), "ts=%s.%c%c%cZ level=%s comp=%s ", stamp, '0' + ms / 100,
                     '0' + ms / 10 % 10, '0' + ms % 10, level_name(level), comp);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    pthread_mutex_lock(&buf_mu);
    if (!buffering) {
        write_all(line, len);
    } else {
        if (active_len + len > LOG_BUF_SIZE) {
            if (spare_len == 0) {
                swap_locked();
                pthread_cond_signal(&buf_cv);
            } else { /* both full: the disk is behind, write it here */
                write_all(active, active_len);
                active_len = 0;
            }
        }
        memcpy(active + active_len, line, len);
        active_len += len;
        if (level >= LOG_WARN) { /* warnings and errors out now, in case a crash follows */
            write_all(active, active_len);
            active_len = 0;
        }
    }
    pthread_mutex_unlock(&buf_mu);
}

char *log_quote(char *buf, size_t size, const char *s)
{
    if (size == 0)
        return buf;
    if (!s)
        s = "";
    int bare = *s != '\0';
    for (const char *p = s; *p && bare; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            bare = 0;
    size_t o = 0;
    if (bare) {
        size_t n = strlen(s);
        if (n >= size)
            n = size - 1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        return buf;
    }
    if (o + 1 < size)
        buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < size; p++) {
        if (*p == '"' || *p == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
        } else {
            buf[o++] = (char)*p;
        }
    }
    if (o + 1 < size)
        buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

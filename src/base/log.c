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

#define LOG_BUF_SIZE ((size_t)64 * 1024)

/* buffering state; buf_mu guards all of it */
static pthread_mutex_t buf_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t buf_cv = PTHREAD_COND_INITIALIZER;
static char *pending;
static size_t pending_len;
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

/* with buf_mu held */
static void flush_locked(void)
{
    write_all(pending, pending_len);
    pending_len = 0;
}

static void *flusher_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&buf_mu);
    while (!stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += LOG_FLUSH_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&buf_cv, &buf_mu, &ts);
        if (pending_len)
            flush_locked();
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
    pending = malloc(LOG_BUF_SIZE);
    if (!pending) {
        pthread_mutex_unlock(&buf_mu);
        return -1;
    }
    pending_len = 0;
    stopping = 0;
    if (pthread_create(&flusher, NULL, flusher_main, NULL) != 0) {
        free(pending);
        pending = NULL;
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
    flush_locked();
    buffering = 0;
    free(pending);
    pending = NULL;
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
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s comp=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), level_name(level), comp);
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
        if (pending_len + len > LOG_BUF_SIZE)
            flush_locked();
        memcpy(pending + pending_len, line, len);
        pending_len += len;
        if (level >= LOG_WARN)
            flush_locked();
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
        snprintf(buf, size, "%s", s);
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

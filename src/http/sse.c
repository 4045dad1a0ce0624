/* sse.c - channels, rings, subscribers.
 *
 * Locking: hub_mu guards every channel, ring and subscriber. A subscriber's
 * connection is suspended by its content reader (HTTP thread) and resumed by
 * a publisher or the heartbeat, both under hub_mu, so suspend and resume can
 * never cross: resume is only ever called on a connection marked suspended.
 */
#include "http/sse.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/err.h"
#include "base/metrics.h"

struct sse_event {
    uint64_t id;
    char type[32];
    char *data;
};

struct sse_sub;

struct sse_channel {
    char name[SSE_CHANNEL_MAX];
    struct sse_event ring[SSE_RING];
    int head, count; /* ring[head] is the oldest */
    struct sse_sub *subs;
    struct sse_channel *next;
};

struct sse_sub {
    struct sse_channel *ch;
    struct MHD_Connection *conn;
    char *buf; /* pending bytes */
    size_t len, cap, off;
    int suspended;
    int closing; /* end the stream after the pending bytes */
    struct sse_sub *next;
};

#define SSE_BUCKETS 1024

static pthread_mutex_t hub_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hub_cv = PTHREAD_COND_INITIALIZER;
static struct sse_channel *buckets[SSE_BUCKETS];
static uint64_t next_id;
static uint64_t first_id; /* the first id of this process */
static int nstreams;
static int running;
static pthread_t beat_thread;
static int heartbeat_s = SSE_HEARTBEAT_S;

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SSE_BUCKETS;
}

/* with hub_mu held */
static struct sse_channel *channel_get(const char *name, int create)
{
    unsigned b = hash(name);
    for (struct sse_channel *c = buckets[b]; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    if (!create)
        return NULL;
    struct sse_channel *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->next = buckets[b];
    buckets[b] = c;
    return c;
}

/* append to a subscriber's pending bytes and wake it (hub_mu held) */
static void sub_push(struct sse_sub *s, const char *p, size_t n)
{
    if (s->closing)
        return;
    if (s->len - s->off + n > SSE_MAX_PENDING) {
        s->closing = 1; /* too slow: let it reconnect and resync */
    } else {
        if (s->off > 0 && s->len + n > s->cap) {
            memmove(s->buf, s->buf + s->off, s->len - s->off);
            s->len -= s->off;
            s->off = 0;
        }
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap : 1024;
            while (cap < s->len + n)
                cap *= 2;
            char *nb = realloc(s->buf, cap);
            if (!nb) {
                s->closing = 1;
            } else {
                s->buf = nb;
                s->cap = cap;
            }
        }
        if (!s->closing) {
            memcpy(s->buf + s->len, p, n);
            s->len += n;
        }
    }
    if (s->suspended) {
        s->suspended = 0;
        MHD_resume_connection(s->conn);
    }
}

static void push_event(struct sse_sub *s, const struct sse_event *e)
{
    char head[96];
    int n = snprintf(head, sizeof(head), "id: %llu\nevent: %s\ndata: ", (unsigned long long)e->id,
                     e->type);
    if (n < 0 || (size_t)n >= sizeof(head))
        return;
    sub_push(s, head, (size_t)n);
    sub_push(s, e->data, strlen(e->data));
    sub_push(s, "\n\n", 2);
}

void sse_publish(const char *channel, const char *type, const char *data)
{
    if (!channel || !type || !data || strchr(data, '\n'))
        return; /* one line of JSON only: a newline would end the event */
    char *copy = strdup(data);
    if (!copy)
        return;
    pthread_mutex_lock(&hub_mu);
    struct sse_channel *c = channel_get(channel, 1);
    if (!c) {
        pthread_mutex_unlock(&hub_mu);
        free(copy);
        return;
    }
    int slot;
    if (c->count < SSE_RING) {
        slot = (c->head + c->count) % SSE_RING;
        c->count++;
    } else {
        slot = c->head;
        free(c->ring[slot].data);
        c->head = (c->head + 1) % SSE_RING;
    }
    struct sse_event *e = &c->ring[slot];
    e->id = ++next_id;
    snprintf(e->type, sizeof(e->type), "%s", type);
    e->data = copy;
    for (struct sse_sub *s = c->subs; s; s = s->next)
        push_event(s, e);
    pthread_mutex_unlock(&hub_mu);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct sse_sub *s = cls;
    pthread_mutex_lock(&hub_mu);
    if (s->len > s->off) {
        size_t n = s->len - s->off;
        if (n > max)
            n = max;
        memcpy(buf, s->buf + s->off, n);
        s->off += n;
        if (s->off == s->len)
            s->off = s->len = 0;
        pthread_mutex_unlock(&hub_mu);
        return (ssize_t)n;
    }
    if (s->closing) {
        pthread_mutex_unlock(&hub_mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    /* nothing to send: sleep until a publisher or the heartbeat wakes us */
    s->suspended = 1;
    MHD_suspend_connection(s->conn);
    pthread_mutex_unlock(&hub_mu);
    return 0;
}

static void free_sub(void *cls)
{
    struct sse_sub *s = cls;
    pthread_mutex_lock(&hub_mu);
    if (s->ch) {
        for (struct sse_sub **p = &s->ch->subs; *p; p = &(*p)->next) {
            if (*p == s) {
                *p = s->next;
                break;
            }
        }
    }
    nstreams--;
    pthread_mutex_unlock(&hub_mu);
    metrics_stream_close();
    free(s->buf);
    free(s);
}

void sse_discard(void *stream)
{
    free_sub(stream);
}

struct MHD_Response *sse_response(void *stream)
{
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, stream, free_sub);
}

int sse_subscribe(struct req *r, const char *channel, uint64_t last_id)
{
    struct sse_sub *s = calloc(1, sizeof(*s));
    if (!s)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    s->conn = r->conn;
    pthread_mutex_lock(&hub_mu);
    if (!running) {
        pthread_mutex_unlock(&hub_mu);
        free(s);
        return req_error(r, ERR_UNAVAILABLE, NULL, "the server is shutting down");
    }
    struct sse_channel *c = channel_get(channel, 1);
    if (!c) {
        pthread_mutex_unlock(&hub_mu);
        free(s);
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    }
    s->ch = c;
    /* tell the browser how soon to come back, then what it missed */
    static const char retry[] = "retry: 3000\n\n";
    sub_push(s, retry, sizeof(retry) - 1);
    if (last_id) {
        uint64_t oldest = c->count ? c->ring[c->head].id : next_id + 1;
        int gap = last_id < first_id || (c->count == SSE_RING && oldest > last_id + 1);
        if (gap) {
            struct sse_event resync = {next_id, "board.changed", (char *)"{\"resync\":true}"};
            push_event(s, &resync);
        } else {
            for (int i = 0; i < c->count; i++) {
                const struct sse_event *e = &c->ring[(c->head + i) % SSE_RING];
                if (e->id > last_id)
                    push_event(s, e);
            }
        }
    }
    s->next = c->subs;
    c->subs = s;
    nstreams++;
    pthread_mutex_unlock(&hub_mu);
    metrics_stream_open();
    r->stream = s;
    r->status = 200;
    r->resp_type = "text/event-stream; charset=utf-8";
    req_header(r, "Cache-Control", "no-cache");
    req_header(r, "X-Accel-Buffering", "no");
    return REQ_DONE;
}

int sse_stream_count(void)
{
    pthread_mutex_lock(&hub_mu);
    int n = nstreams;
    pthread_mutex_unlock(&hub_mu);
    return n;
}

static void *beat_main(void *arg)
{
    (void)arg;
    /* an event, not a comment: EventSource shows only events to the page,
     * and screens use them as a watchdog; no id, so Last-Event-ID stays */
    static const char ping[] = "event: ping\ndata: {}\n\n";
    pthread_mutex_lock(&hub_mu);
    while (running) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += heartbeat_s;
        pthread_cond_timedwait(&hub_cv, &hub_mu, &ts);
        if (!running)
            break;
        for (int b = 0; b < SSE_BUCKETS; b++)
            for (struct sse_channel *c = buckets[b]; c; c = c->next)
                for (struct sse_sub *s = c->subs; s; s = s->next)
                    sub_push(s, ping, sizeof(ping) - 1);
    }
    pthread_mutex_unlock(&hub_mu);
    return NULL;
}

int sse_start(void)
{
    /* tests shorten the heartbeat; production keeps SSE_HEARTBEAT_S */
    const char *env = getenv("CHUANGKOU_SSE_HEARTBEAT_S");
    heartbeat_s = SSE_HEARTBEAT_S;
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 1 && v <= 300)
            heartbeat_s = (int)v;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    pthread_mutex_lock(&hub_mu);
    /* ids keep growing across restarts: milliseconds since the epoch, x1000 */
    next_id = ((uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000) * 1000;
    first_id = next_id + 1;
    running = 1;
    pthread_mutex_unlock(&hub_mu);
    if (pthread_create(&beat_thread, NULL, beat_main, NULL) != 0) {
        running = 0;
        return ERR_NOMEM;
    }
    return 0;
}

void sse_stop(void)
{
    pthread_mutex_lock(&hub_mu);
    if (!running) {
        pthread_mutex_unlock(&hub_mu);
        return;
    }
    running = 0;
    for (int b = 0; b < SSE_BUCKETS; b++)
        for (struct sse_channel *c = buckets[b]; c; c = c->next)
            for (struct sse_sub *s = c->subs; s; s = s->next) {
                s->closing = 1;
                if (s->suspended) {
                    s->suspended = 0;
                    MHD_resume_connection(s->conn);
                }
            }
    pthread_cond_broadcast(&hub_cv);
    pthread_mutex_unlock(&hub_mu);
    pthread_join(beat_thread, NULL);
}

void sse_free_all(void)
{
    pthread_mutex_lock(&hub_mu);
    for (int b = 0; b < SSE_BUCKETS; b++) {
        struct sse_channel *c = buckets[b];
        while (c) {
            struct sse_channel *next = c->next;
            for (int i = 0; i < c->count; i++)
                free(c->ring[(c->head + i) % SSE_RING].data);
            for (struct sse_sub *s = c->subs; s; s = s->next)
                s->ch = NULL;
            free(c);
            c = next;
        }
        buckets[b] = NULL;
    }
    pthread_mutex_unlock(&hub_mu);
}

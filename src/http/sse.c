/* sse.c - channels, rings, subscribers.
 *
 * Each event is formatted once ("id: …\nevent: …\ndata: …\n\n") into a
 * shared, reference-counted text kept in its channel's ring. A subscriber
 * holds no copy of anything: only a cursor (the channel sequence number of
 * the next event it sends) and a reference to the text it is partway
 * through, so a thousand screens cost a thousand small structs, however
 * large the board. A subscriber that falls behind the ring is told to
 * resync, as a reconnect from too far back is.
 *
 * Locking: hub_mu guards every channel, ring, text reference count and
 * subscriber. A subscriber's connection is suspended by its content reader
 * (HTTP thread) and resumed by a publisher or the heartbeat, both under
 * hub_mu, so suspend and resume can never cross: resume is only ever called
 * on a connection marked suspended.
 */
#include "http/sse.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "base/err.h"
#include "base/metrics.h"

struct sse_text {
    int refs;     /* 0: one of the hub's own texts (retry, ping), never freed by unref */
    size_t len;   /* without the closing NUL */
    char bytes[]; /* NUL-terminated */
};

struct sse_event {
    uint64_t id;
    struct sse_text *text;
};

struct sse_sub;

struct sse_channel {
    char name[SSE_CHANNEL_MAX];
    struct sse_event ring[SSE_RING];
    int head, count;     /* ring[head] is the oldest */
    uint64_t seq0;       /* the channel sequence number of ring[head] */
    uint64_t evicted_id; /* the id of the last event dropped from the ring (0: none) */
    size_t bytes;        /* the texts in the ring */
    struct sse_sub *subs;
    struct sse_channel *next;
};

enum { PEND_RETRY = 1, PEND_RESYNC = 2, PEND_PING = 4 };

struct sse_sub {
    struct sse_channel *ch;
    struct MHD_Connection *conn;
    uint64_t next_seq;    /* the channel sequence number of the next event to send */
    struct sse_text *cur; /* the text being sent (a reference), or NULL */
    size_t off;           /* bytes of cur already sent */
    unsigned pending;     /* PEND_*: texts of its own still to send */
    int suspended;
    int closing; /* end the stream after the current text */
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
static struct sse_text *retry_text, *ping_text;

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % SSE_BUCKETS;
}

/* a text of refcount 1 holding the formatted event (NULL: out of memory) */
static struct sse_text *text_new(uint64_t id, const char *type, const char *data)
{
    char head[96];
    int n = id ? snprintf(head, sizeof(head), "id: %llu\nevent: %s\ndata: ", (unsigned long long)id,
                          type)
               : snprintf(head, sizeof(head), "%s", type);
    if (n < 0 || (size_t)n >= sizeof(head))
        return NULL;
    size_t len = (size_t)n + (data ? strlen(data) + 2 : 0);
    struct sse_text *t = malloc(sizeof(*t) + len + 1);
    if (!t)
        return NULL;
    t->refs = 1;
    int m = snprintf(t->bytes, len + 1, "%s%s%s", head, data ? data : "", data ? "\n\n" : "");
    if (m < 0 || (size_t)m != len) {
        free(t);
        return NULL;
    }
    t->len = len;
    return t;
}

static void text_ref(struct sse_text *t)
{
    if (t->refs > 0)
        t->refs++;
}

static void text_unref(struct sse_text *t)
{
    if (t && t->refs > 0 && --t->refs == 0)
        free(t);
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

/* wake a sleeping subscriber (hub_mu held) */
static void sub_wake(struct sse_sub *s)
{
    if (s->suspended) {
        s->suspended = 0;
        MHD_resume_connection(s->conn);
    }
}

/* Make s->cur the next text to send; 0 when there is none (hub_mu held). */
static int next_text(struct sse_sub *s)
{
    if (s->pending & PEND_RETRY) {
        s->pending &= ~(unsigned)PEND_RETRY;
        s->cur = retry_text;
        text_ref(retry_text);
        return 1;
    }
    struct sse_channel *c = s->ch;
    if (!s->closing && c && s->next_seq < c->seq0) {
        /* it fell behind the ring: what it missed is gone */
        s->next_seq = c->seq0 + (uint64_t)c->count;
        s->pending |= PEND_RESYNC;
    }
    if (s->pending & PEND_RESYNC) {
        s->pending &= ~(unsigned)PEND_RESYNC;
        /* the newest id, so the browser's Last-Event-ID moves past the gap */
        s->cur = text_new(next_id, "board.changed", "{\"resync\":true}");
        return s->cur != NULL;
    }
    if (s->closing || !c)
        return 0;
    if (s->next_seq < c->seq0 + (uint64_t)c->count) {
        const struct sse_event *e = &c->ring[(c->head + (int)(s->next_seq - c->seq0)) % SSE_RING];
        s->next_seq++;
        s->cur = e->text;
        text_ref(s->cur);
        return 1;
    }
    if (s->pending & PEND_PING) {
        s->pending &= ~(unsigned)PEND_PING;
        s->cur = ping_text;
        text_ref(ping_text);
        return 1;
    }
    return 0;
}

void sse_publish(const char *channel, const char *type, const char *data)
{
    if (!channel || !type || !data || strchr(data, '\n'))
        return; /* one line of JSON only: a newline would end the event */
    pthread_mutex_lock(&hub_mu);
    struct sse_channel *c = channel_get(channel, 1);
    struct sse_text *t = c ? text_new(next_id + 1, type, data) : NULL;
    if (!t) {
        pthread_mutex_unlock(&hub_mu);
        return;
    }
    /* room by count and by bytes: the oldest go first */
    while (c->count > 0 && (c->count == SSE_RING || c->bytes + t->len > SSE_RING_BYTES)) {
        struct sse_event *old = &c->ring[c->head];
        c->evicted_id = old->id;
        c->bytes -= old->text->len;
        text_unref(old->text);
        c->head = (c->head + 1) % SSE_RING;
        c->seq0++;
        c->count--;
    }
    struct sse_event *e = &c->ring[(c->head + c->count) % SSE_RING];
    e->id = ++next_id;
    e->text = t;
    c->bytes += t->len;
    c->count++;
    for (struct sse_sub *s = c->subs; s; s = s->next)
        sub_wake(s);
    pthread_mutex_unlock(&hub_mu);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct sse_sub *s = cls;
    size_t n = 0;
    pthread_mutex_lock(&hub_mu);
    while (n < max && (s->cur || next_text(s))) {
        size_t k = s->cur->len - s->off;
        if (k > max - n)
            k = max - n;
        memcpy(buf + n, s->cur->bytes + s->off, k);
        n += k;
        s->off += k;
        if (s->off == s->cur->len) {
            text_unref(s->cur);
            s->cur = NULL;
            s->off = 0;
        }
    }
    if (n > 0) {
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
    text_unref(s->cur);
    nstreams--;
    pthread_mutex_unlock(&hub_mu);
    metrics_stream_close();
    free(s);
}

void sse_discard(void *stream)
{
    free_sub(stream);
}

struct MHD_Response *sse_response(void *stream)
{
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, reader, stream, free_sub);
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
    s->pending = PEND_RETRY;
    s->next_seq = c->seq0 + (uint64_t)c->count;
    if (last_id) {
        if (last_id < first_id || c->evicted_id > last_id) {
            s->pending |= PEND_RESYNC; /* from before a restart, or gone from the ring */
        } else {
            int i = c->count;
            while (i > 0 && c->ring[(c->head + i - 1) % SSE_RING].id > last_id)
                i--;
            s->next_seq = c->seq0 + (uint64_t)i;
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

int sse_listening(const char *channel)
{
    pthread_mutex_lock(&hub_mu);
    struct sse_channel *c = channel_get(channel, 0);
    int yes = c && c->subs;
    pthread_mutex_unlock(&hub_mu);
    return yes;
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
                for (struct sse_sub *s = c->subs; s; s = s->next) {
                    s->pending |= PEND_PING;
                    sub_wake(s);
                }
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
    /* an event, not a comment: EventSource shows only events to the page,
     * and screens use them as a watchdog; no id, so Last-Event-ID stays */
    struct sse_text *retry = text_new(0, "retry: 3000\n\n", NULL);
    struct sse_text *ping = text_new(0, "event: ping\ndata: {}\n\n", NULL);
    if (!retry || !ping) {
        free(retry);
        free(ping);
        return ERR_NOMEM;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    pthread_mutex_lock(&hub_mu);
    free(retry_text);
    free(ping_text);
    retry->refs = ping->refs = 0; /* the hub's own: streams share them uncounted */
    retry_text = retry;
    ping_text = ping;
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
                sub_wake(s);
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
                text_unref(c->ring[(c->head + i) % SSE_RING].text);
            for (struct sse_sub *s = c->subs; s; s = s->next)
                s->ch = NULL;
            free(c);
            c = next;
        }
        buckets[b] = NULL;
    }
    free(retry_text);
    free(ping_text);
    retry_text = ping_text = NULL;
    pthread_mutex_unlock(&hub_mu);
}

/* board.c - board.changed events, coalesced per hall.
 *
 * A queue write only marks its hall (board_touch, a few instructions on the
 * HTTP thread); one thread renders the hall's board on its own read
 * connection and publishes it, at most once per BOARD_COALESCE_MS per hall
 * and only when the text differs from the one last sent. A burst of calls
 * at a busy hall costs one render per interval, not one per request, and
 * the first change after a quiet spell goes out at once. The events about
 * the tickets themselves (ticket.called …) are not delayed: they go out from
 * each request as before.
 */
#include "api/board.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/err.h"
#include "base/log.h"
#include "http/server.h"
#include "http/sse.h"

struct board_hall {
    int64_t hall_id;
    int dirty;
    int64_t due_ms;  /* when it may be rendered (dirty) */
    int64_t sent_ms; /* the last render (0: never) */
    char *last;      /* the text last published (malloc) */
    struct board_hall *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static struct board_hall *halls;
static int running;
static pthread_t thread;
static struct app *board_app;
static int coalesce_ms = BOARD_COALESCE_MS;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* with mu held */
static struct board_hall *hall_get(int64_t hall_id)
{
    for (struct board_hall *h = halls; h; h = h->next)
        if (h->hall_id == hall_id)
            return h;
    struct board_hall *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->hall_id = hall_id;
    h->next = halls;
    halls = h;
    return h;
}

void board_touch(int64_t hall_id)
{
    if (hall_id <= 0)
        return;
    pthread_mutex_lock(&mu);
    struct board_hall *h = running ? hall_get(hall_id) : NULL;
    if (h && !h->dirty) {
        int64_t now = mono_ms();
        h->dirty = 1;
        h->due_ms = h->sent_ms && h->sent_ms + coalesce_ms > now ? h->sent_ms + coalesce_ms : now;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}

/* Render hall_id and publish it unless it is what was sent last. */
static void render(struct board_hall *h, struct db *db)
{
    char *text = NULL;
    int rc = api_queue_board_render(db, h->hall_id, &text);
    if (rc < 0) {
        if (rc != ERR_NOTFOUND)
            log_warn("board", "msg=\"cannot render the board\" hall=%lld rc=%d",
                     (long long)h->hall_id, rc);
        return;
    }
    /* generated_at differs every second; compare what the screens show */
    if (h->last && api_queue_board_same(h->last, text)) {
        free(text);
        return;
    }
    char channel[SSE_CHANNEL_MAX];
    snprintf(channel, sizeof(channel), "hall:%lld", (long long)h->hall_id);
    sse_publish(channel, "board.changed", text);
    pthread_mutex_lock(&mu);
    free(h->last);
    h->last = text;
    pthread_mutex_unlock(&mu);
}

static void *board_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    while (running) {
        int64_t now = mono_ms(), wake = 0;
        struct board_hall *due = NULL;
        for (struct board_hall *h = halls; h; h = h->next) {
            if (!h->dirty)
                continue;
            if (h->due_ms <= now) {
                due = h;
                break;
            }
            if (!wake || h->due_ms < wake)
                wake = h->due_ms;
        }
        if (due) {
            /* cleared before rendering: a write meanwhile marks it again */
            due->dirty = 0;
            due->sent_ms = now;
            pthread_mutex_unlock(&mu);
            struct db *db = app_read_db(board_app);
            if (db)
                render(due, db);
            pthread_mutex_lock(&mu);
            continue;
        }
        if (wake) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ms = wake - now;
            ts.tv_sec += ms / 1000;
            ts.tv_nsec += (ms % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&cv, &mu, &ts);
        } else {
            pthread_cond_wait(&cv, &mu);
        }
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int board_start(struct app *app)
{
    const char *env = getenv("CHUANGKOU_BOARD_COALESCE_MS");
    coalesce_ms = BOARD_COALESCE_MS;
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 0 && v <= 5000)
            coalesce_ms = (int)v;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    pthread_condattr_destroy(&ca);
    board_app = app;
    running = 1;
    if (pthread_create(&thread, NULL, board_main, NULL) != 0) {
        running = 0;
        pthread_cond_destroy(&cv);
        return ERR_NOMEM;
    }
    return 0;
}

void board_stop(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        pthread_mutex_unlock(&mu);
        return;
    }
    running = 0;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&cv);
    while (halls) {
        struct board_hall *h = halls;
        halls = h->next;
        free(h->last);
        free(h);
    }
}

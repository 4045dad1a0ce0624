#include "http/workpool.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/err.h"

#define WORKPOOL_MAX 16

struct workpool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct work *head, *tail;
    int stopping;
    int n;
    pthread_t threads[WORKPOOL_MAX];
};

static void *pool_main(void *arg)
{
    struct workpool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        struct work *w = p->head;
        if (!w) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        p->head = w->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        w->next = NULL;
        w->fn(w);
    }
}

int workpool_start(int n, struct workpool **out)
{
    struct workpool *p = calloc(1, sizeof(*p));
    if (!p)
        return ERR_NOMEM;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (n < 1)
        n = 1;
    if (n > WORKPOOL_MAX)
        n = WORKPOOL_MAX;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
            break;
        p->n++;
    }
    if (p->n == 0) {
        free(p);
        return ERR_NOMEM;
    }
    *out = p;
    return 0;
}

void workpool_stop(struct workpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

int workpool_submit(struct workpool *p, struct work *w)
{
    w->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        return ERR_UNAVAILABLE;
    }
    if (p->tail)
        p->tail->next = w;
    else
        p->head = w;
    p->tail = w;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* writer.c - group commit. Locking: q_mu guards the queue and the stopping
 * flag; the connection is touched only by the writer thread. */
#include "store/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"

struct writer {
    char *url;
    struct db *db;
    pthread_t thread;
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;
    struct writer_job *head, *tail;
    int stopping;
    unsigned long long batches, jobs;
};

static void fail_batch(struct writer_job *batch, int rc, const char *why)
{
    for (struct writer_job *j = batch; j; j = j->next) {
        if (j->rc >= 0) {
            j->rc = rc;
            err_set(&j->err, rc, NULL, "%s", why);
        }
    }
}

/* A PostgreSQL connection can drop; reopen it before the next batch. */
static void maybe_reconnect(struct writer *w, int rc)
{
    if (rc != ERR_UNAVAILABLE || db_kind(w->db) != DB_PG)
        return;
    struct db *fresh = NULL;
    char msg[256] = "";
    if (db_open(w->url, 0, &fresh, msg, sizeof(msg)) == 0) {
        db_close(w->db);
        w->db = fresh;
        log_warn("writer", "msg=\"reconnected to the database\"");
    }
}

static void run_batch(struct writer *w, struct writer_job *batch, int n)
{
    int rc = db_begin(w->db);
    if (rc < 0) {
        log_warn("writer", "msg=\"begin failed\" error=%s", err_name(rc));
        for (struct writer_job *j = batch; j; j = j->next)
            j->rc = 0;
        fail_batch(batch, rc, "the database is busy or unavailable, try again");
        maybe_reconnect(w, rc);
        return;
    }
    for (struct writer_job *j = batch; j; j = j->next) {
        memset(&j->err, 0, sizeof(j->err));
        rc = db_savepoint(w->db, "job");
        if (rc < 0)
            goto abort;
        j->rc = j->run(w->db, j->arg, &j->err);
        if (j->rc < 0) {
            if (j->err.code == 0)
                err_set(&j->err, j->rc, NULL, "%s", err_name(j->rc));
            rc = db_rollback_to(w->db, "job");
            if (rc < 0)
                goto abort;
        }
        rc = db_release(w->db, "job");
        if (rc < 0)
            goto abort;
    }
    rc = db_commit(w->db);
    if (rc < 0)
        goto abort;
    metrics_observe_batch(n);
    db_note_commit(); /* before done(): an acknowledged write is seen by every reader */
    db_auth_committed(w->db);
    pthread_mutex_lock(&w->q_mu);
    w->batches++;
    w->jobs += (unsigned long long)n;
    pthread_mutex_unlock(&w->q_mu);
    return;
abort:
    log_warn("writer", "msg=\"batch aborted\" error=%s jobs=%d", err_name(rc), n);
    db_rollback(w->db);
    db_auth_committed(w->db); /* nothing changed, but a spare move costs nothing */
    for (struct writer_job *j = batch; j; j = j->next)
        if (j->rc >= 0)
            j->rc = 0; /* mark as "was fine" so fail_batch overwrites it */
    fail_batch(batch, rc, "the write could not be committed, try again");
    maybe_reconnect(w, rc);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->q_mu);
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->q_cv, &w->q_mu);
        if (!w->head && w->stopping) {
            pthread_mutex_unlock(&w->q_mu);
            break;
        }
        struct writer_job *batch = w->head, *last = w->head;
        int n = 1;
        while (last->next && n < WRITER_MAX_BATCH) {
            last = last->next;
            n++;
        }
        w->head = last->next;
        if (!w->head)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->q_mu);

        run_batch(w, batch, n);

        struct writer_job *j = batch;
        while (j) {
            struct writer_job *next = j->next; /* done() may free j */
            j->next = NULL;
            if (j->done)
                j->done(j);
            j = next;
        }
    }
    return NULL;
}

int writer_start(const char *url, struct writer **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    struct writer *w = calloc(1, sizeof(*w));
    if (!w)
        return ERR_NOMEM;
    w->url = strdup(url);
    if (!w->url) {
        free(w);
        return ERR_NOMEM;
    }
    int rc = db_open(url, 0, &w->db, errbuf, errlen);
    if (rc < 0) {
        free(w->url);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->q_mu, NULL);
    pthread_cond_init(&w->q_cv, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        db_close(w->db);
        free(w->url);
        free(w);
        return ERR_NOMEM;
    }
    *out = w;
    return 0;
}

void writer_stop(struct writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->q_mu);
    w->stopping = 1;
    pthread_cond_signal(&w->q_cv);
    pthread_mutex_unlock(&w->q_mu);
    pthread_join(w->thread, NULL);
    db_close(w->db);
    pthread_mutex_destroy(&w->q_mu);
    pthread_cond_destroy(&w->q_cv);
    free(w->url);
    free(w);
}

int writer_submit(struct writer *w, struct writer_job *job)
{
    job->next = NULL;
    job->rc = 0;
    pthread_mutex_lock(&w->q_mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->q_mu);
        return ERR_UNAVAILABLE;
    }
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->q_cv);
    pthread_mutex_unlock(&w->q_mu);
    return 0;
}

struct sync_wait {
    struct writer_job job;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
};

static void sync_done(struct writer_job *job)
{
    struct sync_wait *s = (struct sync_wait *)job;
    pthread_mutex_lock(&s->mu);
    s->finished = 1;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int writer_run(struct writer *w, int (*run)(struct db *, void *, struct err *), void *arg,
               struct err *e)
{
    struct sync_wait s;
    memset(&s, 0, sizeof(s));
    s.job.run = run;
    s.job.arg = arg;
    s.job.done = sync_done;
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    int rc = writer_submit(w, &s.job);
    if (rc == 0) {
        pthread_mutex_lock(&s.mu);
        while (!s.finished)
            pthread_cond_wait(&s.cv, &s.mu);
        pthread_mutex_unlock(&s.mu);
        rc = s.job.rc;
        if (e && rc < 0)
            *e = s.job.err;
    } else if (e) {
        err_set(e, rc, NULL, "the writer is stopping");
    }
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    return rc;
}

void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *jobs)
{
    pthread_mutex_lock(&w->q_mu);
    *batches = w->batches;
    *jobs = w->jobs;
    pthread_mutex_unlock(&w->q_mu);
}

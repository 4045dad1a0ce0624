/* writer.h - the one writer thread with group commit (DESIGN.md §2).
 *
 * Every write in the process goes through here. The writer takes all queued
 * jobs (up to WRITER_MAX_BATCH), opens one transaction, runs each job's run()
 * inside its own savepoint, commits once, and only then calls each job's
 * done(). A job whose run() fails is rolled back to its savepoint alone; the
 * rest of the batch commits. If the commit itself fails every job of the batch
 * gets the commit's error. So: when done() sees rc >= 0 the write is durable.
 */
#ifndef CK_WRITER_H
#define CK_WRITER_H

#include "base/err.h"
#include "store/db.h"

#define WRITER_MAX_BATCH 256

struct writer;

struct writer_job {
    /* Runs on the writer thread inside the batch transaction. Returns >= 0 on
     * success or an ERR_* code (filling e) to roll this job back. It must not
     * commit, roll back or block on anything but the database. */
    int (*run)(struct db *db, void *arg, struct err *e);
    /* Called on the writer thread once the outcome is final (after commit);
     * must return quickly (resume a connection, signal a condition). May be
     * NULL. After done() returns the writer no longer touches the job. */
    void (*done)(struct writer_job *job);
    void *arg;
    int rc;                  /* out: run()'s result, or the commit's error */
    struct err err;          /* out: detail when rc < 0 */
    struct writer_job *next; /* private */
};

/* Open the write connection to url and start the thread. *out owns it. */
int writer_start(const char *url, struct writer **out, char *errbuf, size_t errlen);

/* Finish the queued jobs, stop the thread, close the connection; NULL no-op. */
void writer_stop(struct writer *w);

/* Queue a job. The job must stay valid until its done() is called. Returns
 * ERR_UNAVAILABLE when the writer is stopping (done() is then not called). */
int writer_submit(struct writer *w, struct writer_job *job);

/* Queue run(arg) and wait for its outcome. Returns the job's rc; fills e. */
int writer_run(struct writer *w, int (*run)(struct db *, void *, struct err *), void *arg,
               struct err *e);

/* Number of batches committed and jobs run so far (for metrics and tests). */
void writer_stats(struct writer *w, unsigned long long *batches, unsigned long long *jobs);

#endif

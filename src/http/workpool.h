/* workpool.h - a small fixed pool of threads for slow work (password hashing)
 * that must never run on an HTTP polling thread. */
#ifndef CK_WORKPOOL_H
#define CK_WORKPOOL_H

struct workpool;

struct work {
    void (*fn)(struct work *w); /* runs on a pool thread; may free w */
    struct work *next;          /* private */
};

/* Start n threads. Returns 0 or ERR_NOMEM. */
int workpool_start(int n, struct workpool **out);

/* Run the queued work, then stop and free; NULL is a no-op. */
void workpool_stop(struct workpool *p);

/* Queue w. Returns 0, or ERR_UNAVAILABLE when stopping. */
int workpool_submit(struct workpool *p, struct work *w);

#endif

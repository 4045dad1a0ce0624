/* server.h - the HTTP server: libmicrohttpd with an epoll thread pool,
 * suspend/resume for writes and slow work, static files and the route table. */
#ifndef CK_SERVER_H
#define CK_SERVER_H

#include <pthread.h>
#include <stddef.h>

#include "base/config.h"
#include "http/router.h"
#include "store/writer.h"

struct MHD_Daemon;
struct workpool;

struct app {
    const struct config *cfg;
    struct writer *writer;
    struct workpool *slow; /* password hashing and other slow work */
    struct MHD_Daemon *daemon;
    pthread_key_t db_key; /* the thread's read connection */
    volatile int stopping;
    /* services of the layers above, run beside the daemon: started after
     * the event hub (0 or an ERR_* code), stopped before it */
    int (*services_start)(struct app *app);
    void (*services_stop)(void);
};

/* Serve routes[0..n) until SIGINT or SIGTERM. The schema must be migrated and
 * the writer started. Returns 0 on a clean stop, or an ERR_* code when the
 * server could not start (message logged). */
int server_run(struct app *app, struct route *routes, size_t n);

/* Run fn(arg) on the slow-work pool with the connection suspended; then
 * after(r, rc, e) renders the answer on an HTTP thread. fn returns >= 0 or an
 * ERR_* code with e filled. */
int req_defer(struct req *r, int (*fn)(struct req *r, void *arg, struct err *e), void *arg,
              req_after_fn after);

/* The read connection of the calling thread (any thread: HTTP or slow pool). */
struct db *app_read_db(struct app *app);

#endif

/* api_eval_push.c - the evaluation services beside the daemon and the push's
 * face over HTTP (docs/api.md, "Fraud flags and upstream push").
 *
 * One thread does two periodic jobs:
 *  - the fraud sweep (eval_fraud_sweep), run through the writer like the
 *    case sweep, every CHUANGKOU_EVAL_SWEEP_MS (default: the case sweep's
 *    CHUANGKOU_CASE_SWEEP_MS, else 60 s), in quick steps while it catches up;
 *  - the upstream push, every [upstream] interval seconds: the batch is read
 *    on this thread's read connection, delivered with no transaction open
 *    (a slow province must not hold the writer), and only the outcome goes
 *    through the writer. A full batch delivered is followed by the next at
 *    once; POST /api/eval-push/retry wakes the thread.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/log.h"
#include "domain/eval_fraud.h"
#include "domain/eval_push.h"
#include "http/server.h"
#include "store/writer.h"

#define ERROR_TEXT_MAX 512

static struct {
    pthread_t thread;
    pthread_cond_t cv;
    int running, wake;
    struct app *app;
    struct eval_push_target target;
    long sweep_ms;
} svc;
static pthread_mutex_t svc_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the fraud sweep ---- */

static int run_fraud(struct db *db, void *arg, struct err *e)
{
    int *flagged = arg;
    int rc = eval_fraud_sweep(db, now_s(), EVAL_FRAUD_BATCH, flagged);
    if (rc < 0)
        return err_set(e, rc, NULL, "the evaluation sweep failed");
    return rc;
}

/* One step; 1 when more evaluations wait. */
static int fraud_step(void)
{
    struct err e = {0};
    char q[256];
    int flagged = 0;
    int rc = writer_run(svc.app->writer, run_fraud, &flagged, &e);
    if (rc < 0 && e.code != ERR_UNAVAILABLE)
        log_warn("eval-sweep", "msg=\"the evaluation sweep failed\" error=%s",
                 log_quote(q, sizeof(q), e.msg));
    if (flagged)
        log_info("eval-sweep", "flags=%d", flagged);
    return rc == 1;
}

/* ---- the push ---- */

struct push_outcome {
    const struct eval_push_batch *b;
    int ok;
    const char *error;
    int64_t now;
};

static int run_push_done(struct db *db, void *arg, struct err *e)
{
    struct push_outcome *o = arg;
    const struct config *cfg = svc.app->cfg;
    int rc = eval_push_done(db, svc.target.shown, o->b, o->ok, o->error, o->now,
                            cfg->upstream_retry_min_s, cfg->upstream_retry_max_s);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* One step: 1 when a full batch went out (more may wait). */
static int push_step(int force)
{
    const struct config *cfg = svc.app->cfg;
    struct db *db = app_read_db(svc.app);
    if (!db)
        return 0;
    struct eval_push_batch b;
    int64_t now = now_s();
    int rc = eval_push_next(db, svc.target.shown, cfg->upstream_batch, cfg->upstream_personal, now,
                            force, &b);
    if (rc < 0) {
        log_warn("upstream", "msg=\"cannot read the batch\" rc=%d", rc);
        return 0;
    }
    if (!b.n) {
        eval_push_batch_free(&b);
        return 0;
    }
    char error[ERROR_TEXT_MAX];
    rc = eval_push_send(&svc.target, &b, cfg->upstream_token, cfg->upstream_timeout_s, now, error,
                        sizeof(error));
    struct push_outcome o = {&b, rc == 0, error, now_s()};
    struct err e = {0};
    int wrc = writer_run(svc.app->writer, run_push_done, &o, &e);
    if (rc < 0) {
        /* the error may quote the province's answer: only its first words */
        char head[64], q[160];
        snprintf(head, sizeof(head), "%.*s", (int)strcspn(error, ":"), error);
        log_warn("upstream", "msg=\"push failed\" first_id=%lld last_id=%lld attempt=%d error=%s",
                 (long long)b.first_id, (long long)b.last_id, b.attempt + 1,
                 log_quote(q, sizeof(q), head));
    } else if (wrc < 0 && e.code != ERR_UNAVAILABLE) {
        char q[256];
        log_warn("upstream",
                 "msg=\"delivered but the cursor did not move; it is sent again\" error=%s",
                 log_quote(q, sizeof(q), e.msg));
    }
    int more = rc == 0 && wrc >= 0 && b.n >= cfg->upstream_batch;
    eval_push_batch_free(&b);
    return more;
}

static void *svc_main(void *arg)
{
    (void)arg;
    const struct config *cfg = svc.app->cfg;
    int64_t next_sweep = mono_ms(), next_push = mono_ms();
    pthread_mutex_lock(&svc_mu);
    while (svc.running) {
        int force = svc.wake;
        svc.wake = 0;
        pthread_mutex_unlock(&svc_mu);
        int64_t now = mono_ms();
        if (now >= next_sweep)
            next_sweep = mono_ms() + (fraud_step() ? 100 : svc.sweep_ms);
        if (svc.target.kind != EVAL_PUSH_OFF && (force || now >= next_push))
            next_push =
                mono_ms() + (push_step(force) ? 0 : (int64_t)cfg->upstream_interval_s * 1000);
        int64_t until_ms = next_sweep;
        if (svc.target.kind != EVAL_PUSH_OFF && next_push < until_ms)
            until_ms = next_push;
        int64_t wait_ms = until_ms - mono_ms();
        pthread_mutex_lock(&svc_mu);
        if (wait_ms <= 0 || !svc.running || svc.wake)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(wait_ms / 1000);
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (svc.running && !svc.wake && pthread_cond_timedwait(&svc.cv, &svc_mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&svc_mu);
    return NULL;
}

static long env_ms(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    long ms = strtol(v, NULL, 10);
    return ms >= 50 && ms <= 3600000 ? ms : 0;
}

int eval_services_start(struct app *app)
{
    int rc =
        eval_push_target(app->cfg->upstream_target, app->cfg->db, app->cfg->key_file, &svc.target);
    if (rc < 0) {
        log_error("upstream", "msg=\"bad [upstream] target\"");
        return rc;
    }
    svc.sweep_ms = env_ms("CHUANGKOU_EVAL_SWEEP_MS");
    if (!svc.sweep_ms)
        svc.sweep_ms = env_ms("CHUANGKOU_CASE_SWEEP_MS");
    if (!svc.sweep_ms)
        svc.sweep_ms = 60000;
    if (svc.target.kind == EVAL_PUSH_HTTP && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ERR_NOMEM;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&svc.cv, &ca);
    pthread_condattr_destroy(&ca);
    svc.app = app;
    svc.running = 1;
    svc.wake = 0;
    if (pthread_create(&svc.thread, NULL, svc_main, NULL) != 0) {
        svc.running = 0;
        pthread_cond_destroy(&svc.cv);
        if (svc.target.kind == EVAL_PUSH_HTTP)
            curl_global_cleanup();
        return ERR_NOMEM;
    }
    char q[EVAL_PUSH_SHOWN_MAX + 16];
    log_info("upstream", "target=%s", log_quote(q, sizeof(q), svc.target.shown));
    return 0;
}

void eval_services_stop(void)
{
    pthread_mutex_lock(&svc_mu);
    if (!svc.running) {
        pthread_mutex_unlock(&svc_mu);
        return;
    }
    svc.running = 0;
    pthread_cond_signal(&svc.cv);
    pthread_mutex_unlock(&svc_mu);
    pthread_join(svc.thread, NULL);
    pthread_cond_destroy(&svc.cv);
    if (svc.target.kind == EVAL_PUSH_HTTP)
        curl_global_cleanup();
}

static void svc_wake(void)
{
    pthread_mutex_lock(&svc_mu);
    if (svc.running) {
        svc.wake = 1;
        pthread_cond_signal(&svc.cv);
    }
    pthread_mutex_unlock(&svc_mu);
}

/* ---- HTTP ---- */

static const char *kind_name(enum eval_push_kind k)
{
    return k == EVAL_PUSH_FILE ? "file" : k == EVAL_PUSH_HTTP ? "http" : "off";
}

static json_t *status_json(const struct eval_push_target *t, const struct eval_push_status *s)
{
    json_t *failures = json_array();
    for (int i = 0; failures && i < s->nfailures; i++) {
        const struct eval_push_failure *f = &s->failures[i];
        json_array_append_new(failures,
                              json_pack("{s:I,s:I,s:I,s:i,s:I,s:s,s:I}", "id", (json_int_t)f->id,
                                        "evaluation_id", (json_int_t)f->evaluation_id,
                                        "last_evaluation_id", (json_int_t)f->last_evaluation_id,
                                        "attempt", f->attempt, "at", (json_int_t)f->at, "error",
                                        f->error, "next_at", (json_int_t)f->next_at));
    }
    return json_pack(
        "{s:s,s:s,s:b,s:I,s:I,s:I,s:I,s:o,s:i,s:o,s:o}", "target", t->shown, "kind",
        kind_name(t->kind), "enabled", t->kind != EVAL_PUSH_OFF, "cursor", (json_int_t)s->cursor,
        "last_evaluation_id", (json_int_t)s->last_evaluation_id, "backlog", (json_int_t)s->backlog,
        "pushed", (json_int_t)s->pushed, "last_success_at",
        s->last_success_at ? json_integer(s->last_success_at) : json_null(), "attempt", s->attempt,
        "next_attempt_at", s->next_at ? json_integer(s->next_at) : json_null(), "failures",
        failures ? failures : json_array());
}

/* The push is the installation's: an administrator at a root node. */
static int push_admin(struct req *r, struct eval_push_target *t)
{
    if (api_role(r, 1u << ROLE_ADMIN) < 0)
        return -1;
    if (!actor_at_root(&r->who)) {
        req_error(r, ERR_FORBIDDEN, NULL, "only an administrator at the top of the organisation");
        return -1;
    }
    if (eval_push_target(r->app->cfg->upstream_target, r->app->cfg->db, r->app->cfg->key_file, t) <
        0) {
        req_error(r, ERR_INVALID, NULL, "bad [upstream] target");
        return -1;
    }
    return 0;
}

/* GET /api/eval-push */
static int api_eval_push_get(struct req *r)
{
    struct eval_push_target t;
    if (req_query_done(r) < 0 || push_admin(r, &t) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    struct eval_push_status s;
    int rc = db ? eval_push_status(db, t.shown, &r->arena, &s) : ERR_UNAVAILABLE;
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, status_json(&t, &s));
}

struct push_op {
    struct api_op op;
    struct eval_push_target target;
    int64_t now;
};

static int run_retry(struct db *db, struct api_op *op, struct err *e)
{
    struct push_op *q = (struct push_op *)op;
    struct arena a = {0};
    struct eval_push_status s;
    int rc = eval_push_retry_now(db, q->target.shown, q->now);
    if (rc == 0)
        rc = eval_push_status(db, q->target.shown, &a, &s);
    if (rc == 0)
        op->result = status_json(&q->target, &s);
    arena_reset(&a);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

static int retry_after(struct req *r, int rc, struct err *e)
{
    if (rc >= 0)
        svc_wake(); /* committed: the thread sees the batch due */
    return api_op_after(r, rc, e);
}

/* POST /api/eval-push/retry */
static int api_eval_push_retry(struct req *r)
{
    struct push_op *q = arena_alloc(&r->arena, sizeof(*q));
    if (!q)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    memset(q, 0, sizeof(*q));
    if (req_query_done(r) < 0 || push_admin(r, &q->target) < 0 || api_body(r, NULL, 0) < 0)
        return REQ_DONE;
    q->now = now_s();
    q->op.run = run_retry;
    q->op.status = 200;
    return api_submit_with(r, &q->op, retry_after);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/eval-push", api_eval_push_get, 0, 0, NULL, 0},
    {HTTP_POST, "/api/eval-push/retry", api_eval_push_retry, 0, 0, NULL, 0},
};

const struct api_module api_eval_push_module = {routes, sizeof(routes) / sizeof(routes[0])};

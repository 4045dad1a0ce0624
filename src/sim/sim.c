#include "sim/sim.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <unistd.h>

#include "domain/simulate.h"
#include "sim/client.h"

#define SIM_WINDOWS_MAX 64
#define SIM_SERIES_MAX 64
#define SIM_TICK_S 0.05
#define SIM_DAY_MIN (SIM_CLOSE_PM - SIM_OPEN_AM) /* the hall day, 9:00-17:00 */

enum { W_IDLE = 0, W_CALLED, W_ABSENT, W_SERVING };

struct sim_window {
    int64_t id;
    char code[64];
    struct sim_client *c;
    int open, state, recalls_left;
    int64_t ticket;
    char item[64];
    double next_at;
};

struct sim_series {
    int64_t id;
    json_t *items; /* item codes (borrowed from the series list) */
};

struct sim {
    const struct sim_options *o;
    struct sim_rng rng;
    struct sim_client *admin;
    struct sim_window w[SIM_WINDOWS_MAX];
    int nw;
    struct sim_series s[SIM_SERIES_MAX];
    int ns;
    json_t *series_json;
    int recall_limit;
    double speed, duration, per_second, mean_shape;
    int issued, served, no_shows, transfers, withdrawn;
    char err[512];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL); /* a signal cuts it short, which is fine */
}

static int64_t jint(const json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

/* The password of a simulation account: a keyed hash of its login under the
 * administrator's password, so a second run logs in without setting it again
 * (one password hash less per window); never printed. */
static void sim_password(const char *admin_password, const char *login, char *out, size_t cap)
{
    unsigned char key[crypto_generichash_KEYBYTES], h[16];
    crypto_generichash(key, sizeof(key), (const unsigned char *)admin_password,
                       strlen(admin_password), NULL, 0);
    crypto_generichash(h, sizeof(h), (const unsigned char *)login, strlen(login), key, sizeof(key));
    size_t k = (size_t)snprintf(out, cap, "Sim-");
    for (size_t i = 0; i < sizeof(h) && k + 3 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%02x", h[i]);
    snprintf(out + k, cap - k, "-9!");
    sodium_memzero(key, sizeof(key));
}

/* The hall minute at real time t of the run. */
static double hall_minute(const struct sim *s, double t)
{
    return SIM_OPEN_AM + fmod(t * s->speed / 60.0, SIM_DAY_MIN);
}

static int sim_load_hall(struct sim *s)
{
    char path[128];
    json_t *out = NULL;
    snprintf(path, sizeof(path), "/api/org/nodes/%lld/windows", (long long)s->o->hall_id);
    long st = sim_request(s->admin, "GET", path, NULL, &out, s->err, sizeof(s->err));
    if (st != 200) {
        json_decref(out);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(out, "items"), i, v)
    {
        if (s->nw >= SIM_WINDOWS_MAX || !json_is_true(json_object_get(v, "active")))
            continue;
        struct sim_window *w = &s->w[s->nw++];
        w->id = jint(v, "id");
        snprintf(w->code, sizeof(w->code), "%s", json_string_value(json_object_get(v, "code")));
    }
    json_decref(out);
    if (s->nw == 0) {
        snprintf(s->err, sizeof(s->err), "hall %lld has no active windows",
                 (long long)s->o->hall_id);
        return -1;
    }
    snprintf(path, sizeof(path), "/api/halls/%lld/series", (long long)s->o->hall_id);
    st = sim_request(s->admin, "GET", path, NULL, &s->series_json, s->err, sizeof(s->err));
    if (st != 200)
        return -1;
    json_array_foreach(json_object_get(s->series_json, "items"), i, v)
    {
        if (s->ns >= SIM_SERIES_MAX || !json_is_true(json_object_get(v, "active")))
            continue;
        s->s[s->ns].id = jint(v, "id");
        s->s[s->ns].items = json_object_get(v, "item_codes");
        s->ns++;
    }
    if (s->ns == 0) {
        snprintf(s->err, sizeof(s->err), "hall %lld has no active ticket series",
                 (long long)s->o->hall_id);
        return -1;
    }
    snprintf(path, sizeof(path), "/api/halls/%lld/queue-settings", (long long)s->o->hall_id);
    s->recall_limit = 2;
    if (sim_request(s->admin, "GET", path, NULL, &out, s->err, sizeof(s->err)) == 200)
        s->recall_limit = (int)jint(out, "recall_limit");
    json_decref(out);
    return 0;
}

/* The simulation accounts of the hall already made (GET /api/staff). */
static int sim_known(struct sim *s, json_t **out)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/staff?q=sim-h%lld-&per_page=500", (long long)s->o->hall_id);
    if (sim_request(s->admin, "GET", path, NULL, out, s->err, sizeof(s->err)) == 200)
        return 0;
    json_decref(*out);
    *out = NULL;
    return -1;
}

/* The simulation account of a window, made or reused, with an open
 * assignment to the window; then logged in and the window opened. */
static int sim_staff(struct sim *s, struct sim_client *admin, struct sim_window *w,
                     const json_t *known, char *err, size_t errlen)
{
    char login[40], path[128], name[96], password[64];
    json_t *out = NULL, *body = NULL, *v;
    int64_t id = 0;
    size_t i;
    long st;
    snprintf(login, sizeof(login), "sim-h%lld-w%lld", (long long)s->o->hall_id, (long long)w->id);
    sim_password(s->o->password, login, password, sizeof(password));
    json_array_foreach(json_object_get(known, "items"), i, v)
    {
        const char *l = json_string_value(json_object_get(v, "login"));
        if (l && strcmp(l, login) == 0)
            id = jint(v, "id");
    }
    w->c = sim_client_new(s->o->url);
    if (!w->c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int logged_in = id && sim_login(w->c, login, password, err, errlen) == 200;
    if (id && !logged_in) {
        /* deactivated, or the administrator's password changed since */
        snprintf(path, sizeof(path), "/api/staff/%lld", (long long)id);
        body = json_pack("{s:s, s:b}", "password", password, "active", 1);
        st = sim_request(admin, "PATCH", path, body, NULL, err, errlen);
        json_decref(body);
        if (st != 200)
            return -1;
    } else if (!id) {
        snprintf(name, sizeof(name), "模拟坐席 %s", w->code);
        body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "login", login, "name", name, "password",
                         password, "role", "staff", "node_id", (json_int_t)s->o->hall_id, "post",
                         "模拟");
        st = sim_request(admin, "POST", "/api/staff", body, &out, err, errlen);
        json_decref(body);
        id = jint(out, "id");
        json_decref(out);
        if (st != 201 || !id)
            return -1;
    }
    snprintf(path, sizeof(path), "/api/staff/%lld/assignments", (long long)id);
    if (sim_request(admin, "GET", path, NULL, &out, err, errlen) != 200) {
        json_decref(out);
        return -1;
    }
    int assigned = 0;
    json_array_foreach(json_object_get(out, "items"), i, v) assigned |=
        jint(v, "window_id") == w->id && json_is_null(json_object_get(v, "ended_at"));
    json_decref(out);
    if (!assigned) {
        body = json_pack("{s:I}", "window_id", (json_int_t)w->id);
        st = sim_request(admin, "POST", path, body, NULL, err, errlen);
        json_decref(body);
        if (st != 201)
            return -1;
    }
    if (!logged_in && sim_login(w->c, login, password, err, errlen) != 200)
        return -1;
    snprintf(path, sizeof(path), "/api/windows/%lld/open", (long long)w->id);
    if (sim_request(w->c, "POST", path, NULL, NULL, err, errlen) != 200)
        return -1;
    w->open = 1;
    return 0;
}

#define SIM_SETUP_THREADS 4

struct sim_setup {
    struct sim *s;
    const json_t *known;
    pthread_mutex_t lock;
    int next, failed;
};

/* One setup thread: its own administrator session; takes windows in turn
 * (account checks, password hashing and logins are slow, so a few run at
 * once). */
static void *sim_setup_worker(void *arg)
{
    struct sim_setup *u = arg;
    struct sim *s = u->s;
    char err[512] = "";
    struct sim_client *admin = sim_client_new(s->o->url);
    int rc =
        admin && sim_login(admin, s->o->login, s->o->password, err, sizeof(err)) == 200 ? 0 : -1;
    for (;;) {
        pthread_mutex_lock(&u->lock);
        int i = rc == 0 && !u->failed && !stop_requested ? u->next++ : s->nw;
        if (rc < 0 && !u->failed) {
            u->failed = 1;
            snprintf(s->err, sizeof(s->err), "%s", err[0] ? err : "setup failed");
        }
        pthread_mutex_unlock(&u->lock);
        if (i >= s->nw)
            break;
        rc = sim_staff(s, admin, &s->w[i], u->known, err, sizeof(err));
    }
    sim_client_free(admin);
    return NULL;
}

/* Every window staffed and opened; 0, or -1 with s->err set. */
static int sim_setup(struct sim *s, const json_t *known)
{
    struct sim_setup u = {.s = s, .known = known, .next = 0, .failed = 0};
    pthread_t t[SIM_SETUP_THREADS];
    int n = 0;
    pthread_mutex_init(&u.lock, NULL);
    for (; n < SIM_SETUP_THREADS && n < s->nw; n++)
        if (pthread_create(&t[n], NULL, sim_setup_worker, &u) != 0)
            break;
    if (n == 0)
        sim_setup_worker(&u);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&u.lock);
    return u.failed ? -1 : 0;
}

static void sim_issue(struct sim *s)
{
    int k = sim_below(&s->rng, s->ns), p = sim_below(&s->rng, 100);
    json_t *items = s->s[k].items, *body = json_object();
    size_t n = json_array_size(items);
    if (n > 0)
        json_object_set_new(body, "item_code",
                            json_copy(json_array_get(items, (size_t)sim_below(&s->rng, (int)n))));
    else
        json_object_set_new(body, "series_id", json_integer(s->s[k].id));
    if (p < SIM_GREEN_PCT)
        json_object_set_new(body, "priority", json_string("green"));
    else if (p < SIM_GREEN_PCT + SIM_AGENT_PCT)
        json_object_set_new(body, "priority", json_string("agent"));
    char path[96];
    snprintf(path, sizeof(path), "/api/halls/%lld/tickets", (long long)s->o->hall_id);
    long st = sim_request(s->admin, "POST", path, body, NULL, s->err, sizeof(s->err));
    json_decref(body);
    if (st == 201)
        s->issued++;
    else
        fprintf(stderr, "simulate: %s\n", s->err);
}

/* A ticket action at a window; the HTTP status. */
static long sim_act(struct sim *s, struct sim_window *w, const char *action, json_t *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/tickets/%lld/%s", (long long)w->ticket, action);
    return sim_request(w->c, "POST", path, body, NULL, s->err, sizeof(s->err));
}

static double hall_s(const struct sim *s, double seconds)
{
    return seconds / s->speed;
}

static void sim_window_step(struct sim *s, struct sim_window *w, double now)
{
    if (!w->open || w->next_at > now)
        return;
    char path[96];
    json_t *out = NULL, *body = NULL;
    long st;
    switch (w->state) {
    case W_IDLE:
        snprintf(path, sizeof(path), "/api/windows/%lld/call-next", (long long)w->id);
        st = sim_request(w->c, "POST", path, NULL, &out, s->err, sizeof(s->err));
        if (st == 200) {
            w->ticket = jint(out, "id");
            const char *item = json_string_value(json_object_get(out, "item_code"));
            snprintf(w->item, sizeof(w->item), "%s", item ? item : "");
            if (sim_chance(&s->rng, SIM_NO_SHOW_PCT)) {
                w->state = W_ABSENT;
                w->recalls_left = s->recall_limit;
                w->next_at = now + hall_s(s, 60);
            } else {
                w->state = W_CALLED;
                w->next_at = now + hall_s(s, 15 + sim_below(&s->rng, 75));
            }
        } else {
            if (st != 404)
                fprintf(stderr, "simulate: %s\n", s->err);
            w->next_at = now + (st == 404 ? 0.25 : 2.0);
        }
        json_decref(out);
        return;
    case W_ABSENT:
        if (w->recalls_left > 0) {
            w->recalls_left--;
            st = sim_act(s, w, "recall", NULL);
            w->next_at = now + hall_s(s, 60);
            if (st == 200)
                return;
        } else {
            st = sim_act(s, w, "no-show", NULL);
            s->no_shows += st == 200;
        }
        break;
    case W_CALLED:
        st = sim_act(s, w, "start", NULL);
        if (st == 200) {
            w->state = W_SERVING;
            w->next_at = now + hall_s(s, (double)sim_service_s(&s->rng, w->item));
            return;
        }
        break;
    case W_SERVING:
        if (sim_chance(&s->rng, SIM_TRANSFER_PCT)) {
            body = json_pack("{s:I}", "series_id", (json_int_t)s->s[sim_below(&s->rng, s->ns)].id);
            st = sim_act(s, w, "transfer", body);
            s->transfers += st == 200;
        } else if (sim_chance(&s->rng, SIM_WITHDRAW_PCT)) {
            body = json_pack("{s:s}", "reason", "材料不全，退办");
            st = sim_act(s, w, "withdraw", body);
            s->withdrawn += st == 200;
        } else {
            st = sim_act(s, w, "finish", NULL);
            s->served += st == 200;
        }
        json_decref(body);
        break;
    default:
        return;
    }
    if (st != 200)
        fprintf(stderr, "simulate: %s\n", s->err);
    /* done with the ticket, or it was taken out of our hands: next one */
    w->state = W_IDLE;
    w->ticket = 0;
    w->next_at = now + hall_s(s, 10 + sim_below(&s->rng, 40));
}

static void sim_report(struct sim *s, double t)
{
    char path[96];
    json_t *out = NULL;
    long waiting = -1;
    snprintf(path, sizeof(path), "/api/halls/%lld/waiting", (long long)s->o->hall_id);
    if (sim_request(s->admin, "GET", path, NULL, &out, s->err, sizeof(s->err)) == 200)
        waiting = (long)jint(out, "total_waiting");
    json_decref(out);
    int m = (int)hall_minute(s, t);
    printf("[%3d:%02d] hall %02d:%02d  issued %d  served %d  no-shows %d  transfers %d  "
           "withdrawn %d  waiting %ld\n",
           (int)t / 60, (int)t % 60, m / 60, m % 60, s->issued, s->served, s->no_shows,
           s->transfers, s->withdrawn, waiting);
    fflush(stdout);
}

/* The end of the run: every window finishes whom it holds and closes. */
static void sim_wind_down(struct sim *s)
{
    char path[96];
    for (int i = 0; i < s->nw; i++) {
        struct sim_window *w = &s->w[i];
        if (!w->open)
            continue;
        if (w->state == W_CALLED || w->state == W_ABSENT)
            w->state = sim_act(s, w, "start", NULL) == 200 ? W_SERVING : W_IDLE;
        if (w->state == W_SERVING)
            s->served += sim_act(s, w, "finish", NULL) == 200;
        w->state = W_IDLE;
        snprintf(path, sizeof(path), "/api/windows/%lld/close", (long long)w->id);
        if (sim_request(w->c, "POST", path, NULL, NULL, s->err, sizeof(s->err)) != 200)
            fprintf(stderr, "simulate: %s\n", s->err);
    }
}

static int sim_main(struct sim *s)
{
    const struct sim_options *o = s->o;
    json_t *known = NULL;
    s->admin = sim_client_new(o->url);
    if (!s->admin) {
        snprintf(s->err, sizeof(s->err), "out of memory");
        return -1;
    }
    if (sim_login(s->admin, o->login, o->password, s->err, sizeof(s->err)) != 200)
        return -1;
    if (sim_load_hall(s) < 0 || sim_known(s, &known) < 0)
        return -1;
    int rc = sim_setup(s, known);
    json_decref(known);
    if (rc < 0) {
        sim_wind_down(s);
        return -1;
    }
    printf("simulating hall %lld: %d windows, %d series, %.0f tickets/min, %.0f s "
           "(hall clock x%.1f)\n",
           (long long)o->hall_id, s->nw, s->ns, o->rate, s->duration, s->speed);
    fflush(stdout);
    double start = mono(), last = start, report = 60.0;
    while (!stop_requested) {
        double now = mono(), t = now - start;
        if (t >= s->duration)
            break;
        double lambda =
            s->per_second * (now - last) * sim_shape((int)hall_minute(s, t)) / s->mean_shape;
        last = now;
        for (int k = lambda > 0 ? sim_poisson(&s->rng, lambda) : 0; k > 0 && !stop_requested; k--)
            sim_issue(s);
        for (int i = 0; i < s->nw && !stop_requested; i++)
            sim_window_step(s, &s->w[i], mono() - start);
        if (t >= report) {
            sim_report(s, t);
            report += 60.0;
        }
        nap(SIM_TICK_S);
    }
    sim_wind_down(s);
    sim_report(s, mono() - start);
    return 0;
}

int sim_run(const struct sim_options *o)
{
    struct sim *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    s->o = o;
    sim_seed(&s->rng, o->seed);
    if (o->speed > 0) {
        s->speed = o->speed;
        s->duration = o->minutes * 60.0 / o->speed;
        s->per_second = o->rate * o->speed / 60.0;
    } else {
        s->speed = SIM_DAY_MIN / o->minutes;
        s->duration = o->minutes * 60.0;
        s->per_second = o->rate / 60.0;
    }
    s->mean_shape = sim_shape_total() / SIM_DAY_MIN;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C stops at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = sim_main(s);
    if (rc < 0)
        fprintf(stderr, "error: %s\n", s->err[0] ? s->err : "the simulation failed");
    for (int i = 0; i < s->nw; i++)
        sim_client_free(s->w[i].c);
    sim_client_free(s->admin);
    json_decref(s->series_json);
    free(s);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}

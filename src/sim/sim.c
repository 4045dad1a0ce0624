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

#include "domain/queue.h"
#include "domain/simulate.h"
#include "sim/client.h"

#define SIM_WINDOWS_MAX 64
#define SIM_SERIES_MAX 64
#define SIM_TICK_S 0.05
#define SIM_DAY_MIN (SIM_CLOSE_PM - SIM_OPEN_AM) /* the hall day, 9:00-17:00 */
#define SIM_APPT_ITEMS 64                        /* appointable items looked at */
#define SIM_APPT_SLOTS 256                       /* today's slots booked into */
#define SIM_BOOKINGS_MAX 4096                    /* bookings followed in one run */

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

/* A slot of today that may be booked, and checked in during the run. */
struct sim_slot {
    const char *item; /* borrowed from series_json */
    int start, remaining;
    int64_t until; /* its check-in window closes, epoch seconds */
};

/* A booking the run will check in, or cancel, at `due`. */
struct sim_booking {
    char code[APPT_CODE_LEN + 1], phone[24];
    double due; /* seconds into the run */
    int cancel, done;
};

struct sim {
    const struct sim_options *o;
    struct sim_rng rng;
    struct sim_client *admin;
    struct sim_client *pub; /* no session: the public, booking on the web */
    struct sim_window w[SIM_WINDOWS_MAX];
    int nw;
    struct sim_series s[SIM_SERIES_MAX];
    int ns;
    json_t *series_json;
    int recall_limit;
    double speed, duration, per_second, mean_shape;
    int issued, served, no_shows, transfers, withdrawn;
    /* appointments: today's service day, its local midnight, the wall clock
     * at the start of the run */
    char today[DATE_TEXT];
    int64_t midnight;
    double epoch0;
    struct sim_slot slots[SIM_APPT_SLOTS];
    int nslots;
    struct sim_booking *bookings;
    int nbookings;
    int booked_web, booked_phone, checked_in, cancelled;
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

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
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

/* Hall seconds as seconds of the run. */
static double hall_s(const struct sim *s, double seconds)
{
    return seconds / s->speed;
}

/* ---- appointments: booked for today's slots on the server's clock ---- */

/* One item's slots today into s->slots: those with room whose check-in
 * window is open during the run. 0, 1 when the item cannot be booked here,
 * or -1 when today takes no appointments (logged once). */
static int sim_item_slots(struct sim *s, const char *item, int *defined)
{
    char path[256];
    json_t *out = NULL, *v;
    size_t i;
    int n = snprintf(path, sizeof(path), "/api/halls/%lld/slots?item_code=%s&day=%s",
                     (long long)s->o->hall_id, item, s->today);
    if (!catalog_code_ok(item) || n < 0 || (size_t)n >= sizeof(path))
        return 1;
    long st = sim_request(s->admin, "GET", path, NULL, &out, s->err, sizeof(s->err));
    if (st != 200) {
        json_decref(out);
        if (st == 400)
            return 1;
        if (st == 409)
            printf("simulate: %s is not a working day: no appointments\n", s->today);
        else
            printf("simulate: no appointments (%s)\n", s->err);
        return -1;
    }
    double end = s->epoch0 + s->duration;
    json_array_foreach(json_object_get(out, "items"), i, v)
    {
        int start = (int)jint(v, "start"), remaining = (int)jint(v, "remaining");
        int64_t at = s->midnight + (int64_t)start * 60;
        (*defined)++;
        if (s->nslots >= SIM_APPT_SLOTS || !json_is_true(json_object_get(v, "open")) ||
            remaining <= 0 || (double)(at + APPT_LATE_S) < s->epoch0 ||
            (double)(at - APPT_EARLY_S) > end)
            continue;
        s->slots[s->nslots++] = (struct sim_slot){item, start, remaining, at + APPT_LATE_S};
    }
    json_decref(out);
    return 0;
}

/* Today's slots of the hall's appointable items (the items of its series). */
static void sim_load_slots(struct sim *s)
{
    const char *items[SIM_APPT_ITEMS];
    int nitems = 0, defined = 0, rc = 0;
    int64_t now = (int64_t)s->epoch0;
    queue_service_day(now, s->today);
    s->midnight = now - (now + QUEUE_TZ_OFFSET_S) % 86400;
    for (int k = 0; k < s->ns; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(s->s[k].items, i, v)
        {
            const char *code = json_string_value(v);
            int seen = !code;
            for (int j = 0; j < nitems && !seen; j++)
                seen = strcmp(items[j], code) == 0;
            if (!seen && nitems < SIM_APPT_ITEMS)
                items[nitems++] = code;
        }
    }
    for (int j = 0; j < nitems && rc >= 0; j++)
        rc = sim_item_slots(s, items[j], &defined);
    if (rc < 0)
        s->nslots = 0;
    else if (defined == 0)
        printf("simulate: no appointment slots at hall %lld: no appointments\n",
               (long long)s->o->hall_id);
    else if (s->nslots == 0)
        printf("simulate: no appointment slot of %s has its check-in window in the run: no "
               "appointments\n",
               s->today);
    else
        printf("simulate: %d appointment slots of %s open for booking\n", s->nslots, s->today);
    fflush(stdout);
}

/* A citizen books one of today's slots (on the web, or by phone with the
 * administrator taking the call); then cancels, never comes, or comes to
 * check in around the slot: not before the booking, at the earliest, and
 * only if still inside the check-in window. */
static void sim_book(struct sim *s, double t)
{
    int open[SIM_APPT_SLOTS], n = 0;
    double now = s->epoch0 + t;
    for (int i = 0; i < s->nslots; i++)
        if (s->slots[i].remaining > 0 && (double)s->slots[i].until > now)
            open[n++] = i;
    if (n == 0 || !s->bookings || s->nbookings >= SIM_BOOKINGS_MAX)
        return;
    struct sim_slot *sl = &s->slots[open[sim_below(&s->rng, n)]];
    char name[32], phone[24], path[96];
    json_t *out = NULL;
    sim_citizen(&s->rng, name, sizeof(name), phone, sizeof(phone));
    int by_phone = sim_chance(&s->rng, SIM_APPT_PHONE_PCT);
    json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "item_code", sl->item, "day", s->today,
                             "slot_start", sl->start, "name", name, "phone", phone);
    if (by_phone)
        snprintf(path, sizeof(path), "/api/halls/%lld/appointments", (long long)s->o->hall_id);
    else {
        snprintf(path, sizeof(path), "/api/appointments");
        json_object_set_new(body, "hall_id", json_integer(s->o->hall_id));
    }
    long st =
        sim_request(by_phone ? s->admin : s->pub, "POST", path, body, &out, s->err, sizeof(s->err));
    json_decref(body);
    const char *code = json_string_value(json_object_get(out, "code"));
    if (st != 201 || !code || strlen(code) != APPT_CODE_LEN) {
        if (st == 409)
            sl->remaining = 0; /* full, or over */
        fprintf(stderr, "simulate: %s\n", s->err);
        json_decref(out);
        return;
    }
    sl->remaining--;
    if (by_phone)
        s->booked_phone++;
    else
        s->booked_web++;
    struct sim_booking *b = &s->bookings[s->nbookings];
    memset(b, 0, sizeof(*b));
    snprintf(b->code, sizeof(b->code), "%s", code);
    snprintf(b->phone, sizeof(b->phone), "%s", phone);
    json_decref(out);
    if (sim_chance(&s->rng, SIM_APPT_CANCEL_PCT)) {
        b->cancel = 1;
        b->due = t + hall_s(s, 60 + sim_below(&s->rng, 600));
    } else if (sim_chance(&s->rng, SIM_APPT_NO_SHOW_PCT)) {
        return; /* stays booked: a no-show once the day is over */
    } else {
        double at = (double)(s->midnight + sim_appt_arrival_s(&s->rng, sl->start));
        double soonest = now + hall_s(s, 20 + sim_below(&s->rng, 100));
        if (at < soonest)
            at = soonest;
        if (at > (double)sl->until)
            return; /* too late to check in */
        b->due = at - s->epoch0;
    }
    s->nbookings++;
}

/* Check in (at the hall, with the administrator's session as the counter's
 * kiosk) or cancel the bookings that are due. */
static void sim_bookings_step(struct sim *s, double t)
{
    char path[96];
    for (int i = 0; i < s->nbookings && !stop_requested; i++) {
        struct sim_booking *b = &s->bookings[i];
        if (b->done || b->due > t)
            continue;
        b->done = 1;
        json_t *body;
        long st;
        if (b->cancel) {
            body = json_pack("{s:s, s:s}", "code", b->code, "phone", b->phone);
            st = sim_request(s->pub, "POST", "/api/appointments/cancel", body, NULL, s->err,
                             sizeof(s->err));
            s->cancelled += st == 200;
        } else {
            snprintf(path, sizeof(path), "/api/halls/%lld/checkin", (long long)s->o->hall_id);
            body = json_pack("{s:s}", "code", b->code);
            st = sim_request(s->admin, "POST", path, body, NULL, s->err, sizeof(s->err));
            s->checked_in += st == 201;
        }
        json_decref(body);
        if (st != 200 && st != 201)
            fprintf(stderr, "simulate: %s\n", s->err);
    }
}

/* A ticket action at a window; the HTTP status. */
static long sim_act(struct sim *s, struct sim_window *w, const char *action, json_t *body)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/tickets/%lld/%s", (long long)w->ticket, action);
    return sim_request(w->c, "POST", path, body, NULL, s->err, sizeof(s->err));
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
           "withdrawn %d  waiting %ld  appointments %d  checked in %d\n",
           (int)t / 60, (int)t % 60, m / 60, m % 60, s->issued, s->served, s->no_shows,
           s->transfers, s->withdrawn, waiting, s->booked_web + s->booked_phone, s->checked_in);
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
    s->pub = sim_client_new(o->url);
    s->bookings = calloc(SIM_BOOKINGS_MAX, sizeof(*s->bookings));
    if (!s->admin || !s->pub || !s->bookings) {
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
    s->epoch0 = wall();
    sim_load_slots(s);
    double start = mono(), last = start, report = 60.0;
    while (!stop_requested) {
        double now = mono(), t = now - start, dt = now - last;
        if (t >= s->duration)
            break;
        double lambda = s->per_second * dt * sim_shape((int)hall_minute(s, t)) / s->mean_shape;
        last = now;
        for (int k = lambda > 0 ? sim_poisson(&s->rng, lambda) : 0; k > 0 && !stop_requested; k--)
            sim_issue(s);
        /* bookings come in around the clock, SIM_APPT_PCT per 100 tickets */
        double booking = s->nslots > 0 ? s->per_second * dt * SIM_APPT_PCT / 100.0 : 0.0;
        for (int k = booking > 0 ? sim_poisson(&s->rng, booking) : 0; k > 0 && !stop_requested; k--)
            sim_book(s, mono() - start);
        sim_bookings_step(s, mono() - start);
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
    int booked = s->booked_web + s->booked_phone;
    printf("appointments: booked %d (web %d, phone %d)  checked in %d  cancelled %d  "
           "not checked in %d\n",
           booked, s->booked_web, s->booked_phone, s->checked_in, s->cancelled,
           booked - s->checked_in - s->cancelled);
    fflush(stdout);
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
    sim_client_free(s->pub);
    if (s->bookings) /* the booking codes */
        sodium_memzero(s->bookings, SIM_BOOKINGS_MAX * sizeof(*s->bookings));
    free(s->bookings);
    json_decref(s->series_json);
    free(s);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}

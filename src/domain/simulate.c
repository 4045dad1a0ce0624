#include "domain/simulate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/date.h"
#include "domain/actor.h"
#include "domain/appointment.h"
#include "domain/calendar.h"
#include "domain/queue.h"

/* ---- the generator: splitmix64 ---- */

void sim_seed(struct sim_rng *r, uint64_t seed)
{
    r->s = seed ^ 0x5DEECE66DULL;
}

uint64_t sim_next(struct sim_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double sim_uniform(struct sim_rng *r)
{
    return (double)(sim_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int sim_below(struct sim_rng *r, int n)
{
    return n <= 1 ? 0 : (int)(sim_next(r) % (uint64_t)n);
}

int sim_chance(struct sim_rng *r, int pct)
{
    return sim_below(r, 100) < pct;
}

int sim_poisson(struct sim_rng *r, double lambda)
{
    double l = exp(-lambda), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= sim_uniform(r);
    } while (p > l && k < 1000);
    return k - 1;
}

/* ---- the shape of the day ---- */

static double ramp(int m, int from, int to, double a, double b)
{
    return a + (b - a) * (double)(m - from) / (double)(to - from);
}

double sim_shape(int m)
{
    if (m < SIM_OPEN_AM || m >= SIM_CLOSE_PM || (m >= SIM_CLOSE_AM && m < SIM_OPEN_PM))
        return 0.0;
    if (m < 9 * 60 + 30)
        return ramp(m, SIM_OPEN_AM, 9 * 60 + 30, 0.55, 1.0);
    if (m < 11 * 60)
        return 1.0;
    if (m < SIM_CLOSE_AM)
        return ramp(m, 11 * 60, SIM_CLOSE_AM, 0.7, 0.3);
    if (m < 14 * 60 + 30)
        return ramp(m, SIM_OPEN_PM, 14 * 60 + 30, 0.45, 0.85);
    if (m < 16 * 60)
        return 0.9;
    return ramp(m, 16 * 60, SIM_CLOSE_PM, 0.6, 0.2);
}

double sim_shape_total(void)
{
    double t = 0;
    for (int m = 0; m < 24 * 60; m++)
        t += sim_shape(m);
    return t;
}

int64_t sim_service_s(struct sim_rng *r, const char *item_code)
{
    uint32_t h = 2166136261u;
    for (const char *p = item_code ? item_code : ""; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    double typical = item_code && *item_code ? 120.0 + (double)(h % 7) * 60.0 : 300.0;
    /* Box-Muller: a standard normal */
    double u1 = sim_uniform(r), u2 = sim_uniform(r);
    if (u1 < 1e-12)
        u1 = 1e-12;
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double s = typical * exp(0.45 * z);
    if (s < 60)
        s = 60;
    if (s > 40 * 60)
        s = 40 * 60;
    return (int64_t)s;
}

/* ---- appointments ---- */

int sim_appt_slots(struct appt_slot_def *out, int max, int capacity)
{
    static const int half[2][2] = {{SIM_OPEN_AM, SIM_CLOSE_AM}, {SIM_OPEN_PM, SIM_CLOSE_PM}};
    int n = 0;
    for (int h = 0; h < 2; h++)
        for (int m = half[h][0]; m + SIM_APPT_SLOT_MIN <= half[h][1] && n < max;
             m += SIM_APPT_SLOT_MIN)
            out[n++] = (struct appt_slot_def){m, m + SIM_APPT_SLOT_MIN, capacity};
    return n;
}

/* frequent surnames and given-name characters */
static const char *const SURNAMES[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"};
static const char *const GIVEN[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                    "刚", "桂", "英", "华", "建", "国", "文", "辉", "玲", "婷"};

void sim_citizen(struct sim_rng *r, char *name, size_t name_cap, char *phone, size_t phone_cap)
{
    int ns = (int)(sizeof(SURNAMES) / sizeof(SURNAMES[0]));
    int ng = (int)(sizeof(GIVEN) / sizeof(GIVEN[0]));
    const char *g1 = GIVEN[sim_below(r, ng)];
    const char *g2 = sim_chance(r, 60) ? GIVEN[sim_below(r, ng)] : "";
    snprintf(name, name_cap, "%s%s%s", SURNAMES[sim_below(r, ns)], g1, g2);
    /* 13x-19x: 1, a digit 3-9, nine digits */
    snprintf(phone, phone_cap, "1%d%09d", 3 + sim_below(r, 7), sim_below(r, 1000000000));
}

int64_t sim_appt_arrival_s(struct sim_rng *r, int slot_start)
{
    int64_t start = (int64_t)slot_start * 60, at;
    if (sim_chance(r, SIM_APPT_LATE_PCT))
        at = start + 60 + sim_below(r, 11 * 60);
    else
        at = start - (int64_t)2 * 60 - sim_below(r, 23 * 60);
    /* the doors open at 9:00 and 13:30: who came early waits outside */
    int64_t doors = slot_start >= SIM_OPEN_PM ? SIM_OPEN_PM : SIM_OPEN_AM;
    int in_hours = (slot_start >= SIM_OPEN_AM && slot_start < SIM_CLOSE_AM) ||
                   (slot_start >= SIM_OPEN_PM && slot_start < SIM_CLOSE_PM);
    if (in_hours && at < doors * 60)
        at = doors * 60 + sim_below(r, 5 * 60);
    if (at < start - APPT_EARLY_S)
        at = start - APPT_EARLY_S;
    if (at > start + APPT_LATE_S)
        at = start + APPT_LATE_S;
    return at;
}

/* ---- replaying a day ---- */

#define SEED_STEP_S 15
#define SEED_DRAIN_S ((int64_t)60 * 60) /* serve the remaining line at most an hour after 17:00 */
#define SEED_RECALL_GAP_S 60

enum seed_state { W_IDLE = 0, W_CALLED, W_ABSENT, W_SERVING };
enum seed_ticket_state { T_WAITING = 0, T_HELD, T_ENDED };

struct seed_ticket {
    int64_t id, arrive, give_up; /* give_up: withdraws then if still waiting (0 never) */
    int series, state;
    enum queue_priority priority;
    char item[CATALOG_CODE_MAX + 1];
    char code[APPT_CODE_LEN + 1]; /* an appointment to check in; "" a walk-in */
};

struct seed_window {
    int64_t id;
    struct actor who;
    int open;
    int series[QUEUE_PROFILE_MAX]; /* indexes into the series array; nseries 0: any */
    int nseries;
    int state, ticket, recalls_left;
    int64_t next_at;
};

struct seed {
    struct db *db;
    struct sim_rng rng;
    struct actor sys, pub;
    int64_t hall_id;
    struct calendar *cal;
    struct queue_series *series;
    int nseries, *waiting, recall_limit;
    struct seed_ticket *t;
    int nt, tcap;
    struct seed_window *w;
    int nw;
    struct err *e;
};

static const char SQL_WORKER[] =
    "SELECT s.id, s.node_id, n.path, s.login, s.role FROM window_assignment a"
    " JOIN staff s ON s.id = a.staff_id JOIN org_node n ON n.id = s.node_id"
    " WHERE a.window_id = ?1 AND a.ended_at IS NULL ORDER BY a.id LIMIT 1";

/* The staff member assigned to a window as an actor; 0, or ERR_NOTFOUND. */
static int seed_worker(struct db *db, int64_t window_id, struct actor *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_WORKER, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, window_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        memset(out, 0, sizeof(*out));
        const char *path = db_col_text(st, 2), *login = db_col_text(st, 3);
        const char *role = db_col_text(st, 4);
        out->role = role_parse(role ? role : "");
        out->staff_id = db_col_int64(st, 0);
        out->node_id = db_col_int64(st, 1);
        snprintf(out->scope, sizeof(out->scope), "%s", path ? path : "");
        snprintf(out->name, sizeof(out->name), "%s", login ? login : "");
        snprintf(out->ip, sizeof(out->ip), "127.0.0.1");
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

static int seed_series_index(const struct seed *s, int64_t id)
{
    for (int i = 0; i < s->nseries; i++)
        if (s->series[i].id == id)
            return i;
    return -1;
}

static int seed_ticket_index(const struct seed *s, int64_t id)
{
    for (int i = s->nt - 1; i >= 0; i--)
        if (s->t[i].id == id)
            return i;
    return -1;
}

/* Does anyone wait for the window's series? */
static int seed_has_work(const struct seed *s, const struct seed_window *w)
{
    if (w->nseries == 0) {
        for (int i = 0; i < s->nseries; i++)
            if (s->waiting[i] > 0)
                return 1;
        return 0;
    }
    for (int i = 0; i < w->nseries; i++)
        if (s->waiting[w->series[i]] > 0)
            return 1;
    return 0;
}

/* Arrivals of the day: a Poisson count per minute by the shape, the second
 * within the minute uniform; in time order. */
static int seed_arrivals(struct seed *s, int64_t midnight)
{
    double total = sim_shape_total();
    double expect = (double)(SIM_TICKETS_PER_WINDOW * (s->nw > 0 ? s->nw : 1));
    int cap = (int)(expect * 2) + 64;
    s->t = calloc((size_t)cap, sizeof(*s->t));
    if (!s->t)
        return ERR_NOMEM;
    s->tcap = cap;
    /* series weights: the first series of a hall draws the most */
    int weight_sum = 0;
    for (int i = 0; i < s->nseries; i++)
        weight_sum += s->nseries - i + 1;
    for (int m = SIM_OPEN_AM; m < SIM_CLOSE_PM; m++) {
        double lambda = expect * sim_shape(m) / total;
        int k = lambda > 0 ? sim_poisson(&s->rng, lambda) : 0;
        int64_t base = midnight + (int64_t)m * 60;
        for (int j = 0; j < k && s->nt < cap; j++) {
            struct seed_ticket *t = &s->t[s->nt++];
            t->arrive = base + sim_below(&s->rng, 60);
            int pick = sim_below(&s->rng, weight_sum), si = 0;
            while (si < s->nseries - 1 && pick >= s->nseries - si + 1)
                pick -= s->nseries - si++ + 1;
            t->series = si;
            const struct queue_series *qs = &s->series[si];
            if (qs->nitems > 0)
                snprintf(t->item, sizeof(t->item), "%s",
                         qs->item_codes[sim_below(&s->rng, qs->nitems)]);
            int p = sim_below(&s->rng, 100);
            t->priority = p < SIM_GREEN_PCT                   ? QUEUE_GREEN
                          : p < SIM_GREEN_PCT + SIM_AGENT_PCT ? QUEUE_AGENT
                                                              : QUEUE_NORMAL;
            if (sim_chance(&s->rng, SIM_WITHDRAW_PCT))
                t->give_up = t->arrive + (int64_t)10 * 60 + sim_below(&s->rng, 30 * 60);
        }
    }
    return 0;
}

/* Arrivals in time order (stable: within a minute the seconds were drawn in
 * any order, and check-ins were added after the walk-ins). */
static void seed_sort(struct seed *s)
{
    for (int i = 1; i < s->nt; i++)
        for (int j = i; j > 0 && s->t[j - 1].arrive > s->t[j].arrive; j--) {
            struct seed_ticket x = s->t[j];
            s->t[j] = s->t[j - 1];
            s->t[j - 1] = x;
        }
}

/* ---- appointments of the day: booked ahead, some cancelled, the rest
 * check in on the day (as arrivals) or never come ---- */

#define SEED_APPT_ITEMS_MAX 64
#define SEED_APPT_AHEAD_DAYS 7 /* booked 1..this many days ahead */

struct seed_booking {
    int64_t at, cancel_at, arrive; /* cancel_at, arrive: 0 not so */
    int seq, start, by_phone;
    const char *item; /* borrowed from the arena */
    char name[32], phone[24];
    char code[APPT_CODE_LEN + 1];
};

static int booking_cmp(const void *a, const void *b)
{
    const struct seed_booking *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq - y->seq;
}

/* A minute of the hall's opening hours, drawn by the day's shape. */
static int seed_hall_minute(struct seed *s)
{
    for (int i = 0; i < 64; i++) {
        int m = SIM_OPEN_AM + sim_below(&s->rng, SIM_CLOSE_PM - SIM_OPEN_AM);
        if (sim_uniform(&s->rng) < sim_shape(m))
            return m;
    }
    return 10 * 60;
}

/* When a booking for day was made: 1..SEED_APPT_AHEAD_DAYS days before, on
 * the web at any waking hour, by phone in hall hours of a working day. */
static int64_t seed_booked_at(struct seed *s, int32_t day, int by_phone)
{
    int32_t d = day - 1 - sim_below(&s->rng, SEED_APPT_AHEAD_DAYS);
    int minute = 7 * 60 + sim_below(&s->rng, 16 * 60);
    if (by_phone) {
        int missing = 0;
        for (int i = 0; i < 14 && calendar_is_workday(s->cal, d, &missing) != 1; i++)
            d--;
        minute = seed_hall_minute(s);
    }
    return (int64_t)d * 86400 + (int64_t)minute * 60 + sim_below(&s->rng, 60) - QUEUE_TZ_OFFSET_S;
}

/* Plan the bookings of one item's slots on the day into *b (grown). */
static int seed_plan_item(struct seed *s, const char *item, const struct appt_slot *sl, int n,
                          int32_t day, int64_t midnight, struct seed_booking **b, int *nb, int *cap)
{
    for (int j = 0; j < n; j++) {
        double mean = (double)sl[j].capacity * SIM_APPT_FILL_PCT / 100.0 *
                      (0.4 + 0.6 * sim_shape(sl[j].start));
        int k = sim_poisson(&s->rng, mean < 40.0 ? mean : 40.0);
        if (k > sl[j].remaining)
            k = sl[j].remaining;
        for (int i = 0; i < k; i++) {
            if (*nb == *cap) {
                int ncap = *cap ? *cap * 2 : 64;
                struct seed_booking *p = realloc(*b, (size_t)ncap * sizeof(**b));
                if (!p)
                    return ERR_NOMEM;
                *b = p;
                *cap = ncap;
            }
            struct seed_booking *x = &(*b)[(*nb)++];
            memset(x, 0, sizeof(*x));
            x->seq = *nb;
            x->item = item;
            x->start = sl[j].start;
            x->by_phone = sim_chance(&s->rng, SIM_APPT_PHONE_PCT);
            x->at = seed_booked_at(s, day, x->by_phone);
            sim_citizen(&s->rng, x->name, sizeof(x->name), x->phone, sizeof(x->phone));
            int64_t slot_at = midnight + (int64_t)x->start * 60;
            if (sim_chance(&s->rng, SIM_APPT_CANCEL_PCT)) {
                int64_t span = slot_at - 3600 - x->at;
                x->cancel_at =
                    x->at + 60 +
                    (span > 120 ? (int64_t)(sim_uniform(&s->rng) * (double)(span - 60)) : 0);
            } else if (!sim_chance(&s->rng, SIM_APPT_NO_SHOW_PCT)) {
                x->arrive = midnight + sim_appt_arrival_s(&s->rng, x->start);
            }
        }
    }
    return 0;
}

/* Book, cancel, and add the check-ins to the day's arrivals. */
static int seed_run_bookings(struct seed *s, struct seed_booking *b, int nb, const char *day)
{
    struct appointment out;
    int missing = 0, rc = 0, checkins = 0;
    if (nb > 1)
        qsort(b, (size_t)nb, sizeof(*b), booking_cmp);
    for (int i = 0; rc == 0 && i < nb; i++) {
        struct appt_input in = {s->hall_id, b[i].item,  day, b[i].start,
                                b[i].name,  b[i].phone, NULL};
        const struct actor *who = b[i].by_phone ? &s->w[sim_below(&s->rng, s->nw)].who : &s->pub;
        rc = appt_book(s->db, who, s->cal, &in, b[i].at, &out, b[i].code, &missing, s->e);
        if (rc == ERR_CONFLICT) {
            /* a phone drawn twice for the day: that caller books nothing more */
            memset(s->e, 0, sizeof(*s->e));
            b[i].code[0] = '\0';
            rc = 0;
        }
        checkins += rc == 0 && b[i].code[0] && b[i].arrive;
    }
    for (int i = 0; rc == 0 && i < nb; i++)
        if (b[i].code[0] && b[i].cancel_at)
            rc = appt_cancel(s->db, b[i].code, b[i].phone, b[i].cancel_at, &out, s->e);
    if (rc < 0)
        return rc;
    if (s->nt + checkins > s->tcap) {
        struct seed_ticket *t = realloc(s->t, (size_t)(s->nt + checkins) * sizeof(*t));
        if (!t)
            return ERR_NOMEM;
        s->t = t;
        s->tcap = s->nt + checkins;
    }
    for (int i = 0; i < nb; i++) {
        if (!b[i].code[0] || !b[i].arrive)
            continue;
        struct seed_ticket *t = &s->t[s->nt++];
        memset(t, 0, sizeof(*t));
        t->arrive = b[i].arrive;
        t->priority = QUEUE_APPOINTMENT;
        t->series = -1;
        snprintf(t->item, sizeof(t->item), "%s", b[i].item);
        snprintf(t->code, sizeof(t->code), "%s", b[i].code);
    }
    return 0;
}

/* The day's appointments at the hall; nothing on a day the calendar does
 * not open for booking (a day off, an unknown year). */
static int seed_appointments(struct seed *s, int32_t day, int64_t midnight, struct arena *a)
{
    const char *items[SEED_APPT_ITEMS_MAX];
    char text[DATE_TEXT];
    struct seed_booking *b = NULL;
    int nitems = 0, nb = 0, cap = 0;
    date_format(day, text);
    int rc = calendar_load(s->db, &s->cal);
    if (rc == 0)
        rc = appt_slot_items(s->db, s->hall_id, a, items, SEED_APPT_ITEMS_MAX, &nitems);
    if (rc < 0)
        return err_set(s->e, rc, NULL, "simulate: cannot read the appointment slots: %s",
                       db_errmsg(s->db));
    for (int i = 0; rc == 0 && i < nitems; i++) {
        struct appt_slot *sl = NULL;
        int n = 0, missing = 0;
        struct err pe = {0};
        /* read a week ahead, when every slot was still open */
        rc = appt_slots(s->db, s->cal, s->hall_id, items[i], text, midnight - (int64_t)8 * 86400, a,
                        &sl, &n, &missing, &pe);
        if (rc == ERR_CONFLICT || rc == ERR_CALENDAR) {
            free(b);
            return 0;
        }
        if (rc == ERR_INVALID) { /* no longer appointable or served here */
            rc = 0;
            continue;
        }
        if (rc < 0)
            rc = err_set(s->e, rc, NULL, "simulate: cannot read the slots of %s: %s", items[i],
                         pe.msg);
        else
            rc = seed_plan_item(s, items[i], sl, n, day, midnight, &b, &nb, &cap);
    }
    if (rc == 0)
        rc = seed_run_bookings(s, b, nb, text);
    free(b);
    return rc;
}

static int seed_issue(struct seed *s, struct seed_ticket *t)
{
    struct queue_ticket out;
    struct queue_issue_input in = {0};
    int rc;
    if (t->code[0]) {
        /* at the kiosk with the booking code: an appointment ticket */
        struct appointment appt;
        rc = appt_checkin(s->db, &s->sys, s->hall_id, t->code, t->arrive, &appt, &out, s->e);
    } else {
        in.hall_id = s->hall_id;
        in.item_code = t->item[0] ? t->item : NULL;
        in.series_id = t->item[0] ? 0 : s->series[t->series].id;
        in.priority = t->priority;
        in.channel = t->priority == QUEUE_GREEN ? QUEUE_CH_STAFF
                     : sim_chance(&s->rng, 15)  ? QUEUE_CH_WEB
                                                : QUEUE_CH_KIOSK;
        rc = queue_issue(s->db, &s->sys, &in, t->arrive, &out, s->e);
    }
    if (rc < 0)
        return rc;
    t->id = out.id;
    t->series = seed_series_index(s, out.series_id);
    if (t->series < 0)
        return err_set(s->e, ERR_DB, NULL, "simulate: unknown series %lld",
                       (long long)out.series_id);
    t->state = T_WAITING;
    s->waiting[t->series]++;
    return 0;
}

static int seed_withdraw(struct seed *s, struct seed_ticket *t, int64_t now, const char *why)
{
    struct queue_ticket out;
    int rc = queue_withdraw(s->db, &s->sys, t->id, why, now, &out, s->e);
    if (rc < 0)
        return rc;
    if (t->state == T_WAITING)
        s->waiting[t->series]--;
    t->state = T_ENDED;
    return 0;
}

/* Advance one window to time t (at most one step). */
static int seed_window_step(struct seed *s, struct seed_window *w, int64_t t, int calling)
{
    struct queue_ticket out;
    int rc = 0;
    if (w->state == W_IDLE) {
        if (!calling || !seed_has_work(s, w))
            return 0;
        int64_t now = w->next_at > t ? w->next_at : t;
        if (now > t)
            return 0;
        rc = queue_call_next(s->db, &w->who, w->id, now, &out, s->e);
        if (rc == ERR_NOTFOUND) {
            memset(s->e, 0, sizeof(*s->e));
            return 0;
        }
        if (rc < 0)
            return rc;
        int k = seed_ticket_index(s, out.id);
        if (k < 0)
            return err_set(s->e, ERR_DB, NULL, "simulate: unknown ticket");
        s->waiting[s->t[k].series]--;
        s->t[k].state = T_HELD;
        w->ticket = k;
        if (sim_chance(&s->rng, SIM_NO_SHOW_PCT)) {
            w->state = W_ABSENT;
            w->recalls_left = s->recall_limit;
            w->next_at = now + SEED_RECALL_GAP_S;
        } else {
            w->state = W_CALLED;
            w->next_at = now + 15 + sim_below(&s->rng, 75);
        }
        return 0;
    }
    if (w->next_at > t)
        return 0;
    struct seed_ticket *tk = &s->t[w->ticket];
    int64_t now = w->next_at;
    switch (w->state) {
    case W_ABSENT:
        if (w->recalls_left > 0) {
            rc = queue_act(s->db, &w->who, tk->id, QUEUE_DO_RECALL, now, &out, s->e);
            w->recalls_left--;
            w->next_at = now + SEED_RECALL_GAP_S;
            return rc;
        }
        rc = queue_act(s->db, &w->who, tk->id, QUEUE_DO_NO_SHOW, now, &out, s->e);
        tk->state = T_ENDED;
        w->state = W_IDLE;
        w->next_at = now + 10;
        return rc;
    case W_CALLED:
        rc = queue_act(s->db, &w->who, tk->id, QUEUE_DO_START, now, &out, s->e);
        w->state = W_SERVING;
        w->next_at = now + sim_service_s(&s->rng, tk->item);
        return rc;
    case W_SERVING:
        if (s->nseries > 0 && sim_chance(&s->rng, SIM_TRANSFER_PCT)) {
            int to = sim_below(&s->rng, s->nseries);
            rc = queue_transfer(s->db, &w->who, tk->id, s->series[to].id, 0, 0, now, &out, s->e);
            if (rc == 0) {
                tk->series = to;
                tk->state = T_WAITING;
                s->waiting[to]++;
                /* a transferred citizen does not give up any more */
                tk->give_up = 0;
                w->state = W_IDLE;
                w->next_at = now + 10;
            }
            return rc;
        }
        if (sim_chance(&s->rng, SIM_WITHDRAW_PCT))
            rc = queue_withdraw(s->db, &w->who, tk->id, "材料不全，退办", now, &out, s->e);
        else
            rc = queue_act(s->db, &w->who, tk->id, QUEUE_DO_FINISH, now, &out, s->e);
        tk->state = T_ENDED;
        w->state = W_IDLE;
        w->next_at = now + 10 + sim_below(&s->rng, 50);
        return rc;
    default:
        return 0;
    }
}

static int seed_windows(struct seed *s, int64_t hall_id, int64_t at, struct arena *a)
{
    struct queue_window *ws = NULL;
    int n = 0;
    int rc = queue_hall_windows(s->db, hall_id, at, a, &ws, &n);
    if (rc < 0)
        return err_set(s->e, rc, NULL, "simulate: cannot read the windows: %s", db_errmsg(s->db));
    s->w = calloc((size_t)(n > 0 ? n : 1), sizeof(*s->w));
    if (!s->w)
        return ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        struct seed_window *w = &s->w[s->nw];
        rc = seed_worker(s->db, ws[i].window_id, &w->who);
        if (rc == ERR_NOTFOUND)
            continue;
        if (rc < 0)
            return err_set(s->e, rc, NULL, "simulate: cannot read the staff: %s", db_errmsg(s->db));
        w->id = ws[i].window_id;
        for (int k = 0; k < ws[i].nseries; k++) {
            int si = seed_series_index(s, ws[i].series_ids[k]);
            if (si >= 0)
                w->series[w->nseries++] = si;
        }
        s->nw++;
    }
    return 0;
}

static int seed_run(struct seed *s, int64_t hall_id, int32_t day)
{
    int64_t midnight = (int64_t)day * 86400 - QUEUE_TZ_OFFSET_S;
    int64_t open_at = midnight + (int64_t)SIM_OPEN_AM * 60;
    int64_t close_at = midnight + (int64_t)SIM_CLOSE_PM * 60;
    struct arena a = {0};
    int rc = queue_series_list(s->db, hall_id, &a, &s->series, &s->nseries);
    if (rc < 0)
        rc = err_set(s->e, rc, NULL, "simulate: cannot read the series: %s", db_errmsg(s->db));
    if (rc == 0 && s->nseries == 0)
        rc = err_set(s->e, ERR_CONFLICT, "hall_id", "the hall has no ticket series");
    if (rc == 0 && queue_recall_limit(s->db, hall_id, &s->recall_limit) < 0)
        s->recall_limit = QUEUE_RECALL_LIMIT_DEFAULT;
    if (rc == 0) {
        s->waiting = calloc((size_t)s->nseries, sizeof(int));
        rc = s->waiting ? seed_windows(s, hall_id, open_at - 600, &a) : ERR_NOMEM;
    }
    if (rc == 0 && s->nw == 0)
        rc = err_set(s->e, ERR_CONFLICT, "hall_id", "no staff is assigned to the hall's windows");
    if (rc == 0)
        rc = seed_arrivals(s, midnight);
    if (rc == 0)
        rc = seed_appointments(s, day, midnight, &a);
    if (rc == 0)
        seed_sort(s);
    for (int i = 0; rc == 0 && i < s->nw; i++) {
        s->w[i].next_at = open_at;
        rc = queue_window_open(s->db, &s->w[i].who, s->w[i].id, open_at - 300 + (int64_t)i * 20,
                               s->e);
    }
    int next = 0;
    int64_t t = open_at;
    for (; rc == 0; t += SEED_STEP_S) {
        for (; rc == 0 && next < s->nt && s->t[next].arrive <= t; next++)
            rc = seed_issue(s, &s->t[next]);
        for (int i = 0; rc == 0 && i < next; i++)
            if (s->t[i].state == T_WAITING && s->t[i].give_up && s->t[i].give_up <= t)
                rc = seed_withdraw(s, &s->t[i], s->t[i].give_up, "等候时间过长，自行离开");
        int local = (int)((t - midnight) / 60);
        int calling = (local >= SIM_OPEN_AM && local < SIM_CLOSE_AM + 20) ||
                      (local >= SIM_OPEN_PM && t < close_at + SEED_DRAIN_S);
        int busy = 0;
        for (int i = 0; rc == 0 && i < s->nw; i++) {
            rc = seed_window_step(s, &s->w[i], t, calling);
            busy |= s->w[i].state != W_IDLE;
        }
        if (t >= close_at && next >= s->nt && !busy) {
            int left = 0;
            for (int i = 0; i < s->nseries; i++)
                left += s->waiting[i];
            if (left == 0 || t >= close_at + SEED_DRAIN_S)
                break;
        }
    }
    /* whoever still waits when the hall shuts goes home */
    for (int i = 0; rc == 0 && i < s->nt; i++)
        if (s->t[i].id && s->t[i].state == T_WAITING)
            rc = seed_withdraw(s, &s->t[i], t, "大厅下班，未办理");
    for (int i = 0; rc == 0 && i < s->nw; i++)
        rc = queue_window_close(s->db, &s->w[i].who, s->w[i].id, t + 60 + (int64_t)i * 5, s->e);
    /* the next day begins: bookings never checked in are no-shows */
    if (rc == 0 && appt_sweep(s->db, midnight + 86400, NULL) < 0)
        rc = err_set(s->e, ERR_DB, NULL, "simulate: cannot record the no-shows: %s",
                     db_errmsg(s->db));
    arena_reset(&a);
    return rc;
}

int demo_seed_day(struct db *db, int64_t hall_id, int32_t day, uint64_t seed, struct err *e)
{
    struct seed s;
    memset(&s, 0, sizeof(s));
    s.db = db;
    s.e = e;
    s.hall_id = hall_id;
    sim_seed(&s.rng, seed ^ ((uint64_t)hall_id << 32) ^ (uint64_t)(uint32_t)day);
    actor_system(&s.sys, "simulate");
    s.pub.role = ROLE_PUBLIC;
    snprintf(s.pub.name, sizeof(s.pub.name), "simulate-web");
    snprintf(s.pub.ip, sizeof(s.pub.ip), "127.0.0.1");
    int rc = seed_run(&s, hall_id, day);
    if (rc < 0 && e->code == 0)
        err_set(e, rc, NULL, "simulate: the day could not be replayed (%s)", err_name(rc));
    free(s.t);
    free(s.w);
    free(s.waiting);
    free(s.cal);
    return rc;
}

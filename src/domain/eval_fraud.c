/* eval_fraud.c - the fraud sweep over new evaluations, and the flags'
 * reads and decisions (eval_fraud.h). */
#include "domain/eval_fraud.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/evaluation.h"
#include "domain/org.h"

#define PAGE_MAX 1000000
#define PER_PAGE_MAX 500
#define STREAK_IDS_MAX 1000 /* streak_n's upper bound (0008's CHECK) */
#define DONE_SLOTS 32768    /* the set of (evaluation, kind) pairs flagged, a power of 2 */
#define DONE_FILL 24576     /* pairs it takes before it stops remembering (75 %) */

enum flag_kind { KIND_BURST_DEVICE = 1, KIND_BURST_IP, KIND_STREAK };
static const char *const KIND_NAMES[] = {"", "burst_device", "burst_ip", "streak"};

static int db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

/* Column col as an arena copy, NULL for SQL NULL; *oom set when the copy fails. */
static char *col_copy(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = db_col_text(st, col);
    if (!s)
        return NULL;
    char *c = arena_strdup(a, s);
    if (!c)
        *oom = 1;
    return c;
}

static void col_into(struct db_stmt *st, int col, char *out, size_t cap)
{
    const char *s = db_col_text(st, col);
    snprintf(out, cap, "%s", s ? s : "");
}

/* The node id a materialised path ends with: "/1/4/9/" → 9; 0 when none. */
static int64_t path_leaf(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    if (n < 2 || path[n - 1] != '/')
        return 0;
    size_t i = n - 1;
    while (i > 0 && path[i - 1] != '/')
        i--;
    char seg[24];
    size_t len = n - 1 - i;
    int64_t id = 0;
    if (len == 0 || len >= sizeof(seg))
        return 0;
    memcpy(seg, path + i, len);
    seg[len] = '\0';
    return parse_int64(seg, 1, INT64_MAX, &id) == 0 ? id : 0;
}

/* Bytes of the UTF-8 character starting at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return i;
    return n;
}

void eval_device_mask(const char *device, char out[40])
{
    out[0] = '\0';
    if (!device || !*device)
        return;
    if (strncmp(device, "tablet:", 7) == 0) {
        snprintf(out, 40, "%s", device);
        return;
    }
    size_t at = 0;
    int chars = 0;
    while (device[at] && chars < 8) {
        at += utf8_len(device + at);
        chars++;
    }
    snprintf(out, 40, "%.*s%s", (int)at, device, device[at] ? "…" : "");
}

/* "张三" → "张*"; "" stays "". */
static char *name_mask(const char *name, struct arena *a)
{
    if (!name || !*name)
        return arena_strdup(a, "");
    size_t n = utf8_len(name);
    return arena_printf(a, "%.*s*", (int)n, name);
}

/* ---- the sweep ---- */

struct sweep_row { /* one evaluation of the step's batch */
    int64_t id, region_id, staff_id, created_at, ended_at;
    int level, first, defaulted;
    char channel[12];
    char *device, *ip;
};

struct back_row { /* one evaluation of the look-back */
    int64_t id, t;
    char *device, *ip;
    int ip_counts;
};

struct done_pair { /* kind 0: an empty slot */
    int64_t id;
    int kind;
};

struct sweep {
    struct db *db;
    struct arena *a;
    int64_t now;
    int flagged;
    struct eval_setting *settings;
    int nsettings;
    struct back_row *back;
    int nback;
    struct done_pair *done;
    int ndone;
    int *members; /* scratch: indices into back, nback + 1 */
};

/* Channels a hall's shared address legitimately sends many of. */
static int ip_counts(const char *channel)
{
    return strcmp(channel, "tablet") != 0 && strcmp(channel, "hotline") != 0 &&
           strcmp(channel, "paper") != 0 && strcmp(channel, "system") != 0;
}

static const char SQL_CLAIM[] =
    "UPDATE eval_sweep SET last_eval_id = last_eval_id WHERE id = 1 RETURNING last_eval_id";
/* PostgreSQL, several nodes: a node whose colleague is sweeping skips this
 * round rather than hold its whole write batch waiting for the row */
static const char SQL_CLAIM_PG[] =
    "UPDATE eval_sweep SET last_eval_id = last_eval_id WHERE id = 1 AND id IN"
    " (SELECT id FROM eval_sweep WHERE id = 1 FOR UPDATE SKIP LOCKED) RETURNING last_eval_id";
static const char SQL_MOVE[] = "UPDATE eval_sweep SET last_eval_id = ?1 WHERE id = 1";
static const char SQL_BATCH[] =
    "SELECT e.id, e.region_id, COALESCE(e.staff_id, 0), e.created_at, COALESCE(ev.ended_at, 0),"
    " e.level, e.kind, e.defaulted, e.channel, e.device, e.ip FROM evaluation e"
    " JOIN eval_event ev ON ev.id = e.event_id WHERE e.id > ?1 ORDER BY e.id LIMIT ?2";
static const char SQL_BACK[] =
    "SELECT id, created_at, device, ip, channel FROM evaluation"
    " WHERE created_at >= ?1 AND created_at <= ?2 AND (device <> '' OR ip <> '')"
    " ORDER BY created_at DESC, id DESC LIMIT ?3";
static const char SQL_TARGET[] =
    "SELECT e.region_id, COALESCE(e.staff_id, 0), COALESCE(w.path, h.path, ev.node_path, r.path)"
    " FROM evaluation e JOIN eval_event ev ON ev.id = e.event_id"
    " LEFT JOIN org_node w ON w.id = e.window_id LEFT JOIN org_node h ON h.id = e.hall_id"
    " LEFT JOIN org_node r ON r.id = e.region_id WHERE e.id = ?1";
static const char SQL_FLAG_INSERT[] =
    "INSERT INTO eval_flag (kind, evaluation_id, region_id, node_path, staff_id, evidence,"
    " status, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', '', ?7)"
    " ON CONFLICT (evaluation_id, kind) DO NOTHING RETURNING id";
static const char SQL_STREAK_GET[] =
    "SELECT run, ids, last_eval_id FROM eval_streak WHERE staff_id = ?1";
static const char SQL_STREAK_PUT[] =
    "INSERT INTO eval_streak (staff_id, run, ids, last_eval_id, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (staff_id) DO UPDATE SET run = excluded.run,"
    " ids = excluded.ids, last_eval_id = excluded.last_eval_id, updated_at = excluded.updated_at";
static const char SQL_TIMES[] = "SELECT e.created_at, COALESCE(ev.ended_at, 0) FROM evaluation e"
                                " JOIN eval_event ev ON ev.id = e.event_id WHERE e.id = ?1";

static const struct eval_setting *setting_of(struct sweep *s, int64_t region_id)
{
    for (int i = 0; i < s->nsettings; i++)
        if (s->settings[i].region_id == region_id)
            return &s->settings[i];
    return NULL;
}

/* The (evaluation, kind) pairs known to be flagged: an open-addressing set,
 * so a burst of hundreds (a hall's shared address) costs one insert each,
 * not one per evaluation of every window it lies in. Once it is full it
 * stops remembering; the INSERT's ON CONFLICT still keeps flags unique. */
static size_t done_slot(const struct sweep *s, int64_t id, int kind)
{
    uint64_t h = ((uint64_t)id * 0x9E3779B97F4A7C15ull) ^ (uint64_t)kind;
    size_t i = (size_t)(h >> 40) & (DONE_SLOTS - 1);
    while (s->done[i].kind && !(s->done[i].id == id && s->done[i].kind == kind))
        i = (i + 1) & (DONE_SLOTS - 1);
    return i;
}

static int done_has(const struct sweep *s, int64_t id, int kind)
{
    return s->done[done_slot(s, id, kind)].kind != 0;
}

static void done_add(struct sweep *s, int64_t id, int kind)
{
    size_t i = done_slot(s, id, kind);
    if (s->done[i].kind || s->ndone >= DONE_FILL)
        return;
    s->done[i] = (struct done_pair){id, kind};
    s->ndone++;
}

/* Flag evaluation id (unless it already is, of that kind). */
static int flag(struct sweep *s, int64_t id, int kind, const char *evidence)
{
    if (done_has(s, id, kind))
        return 0;
    struct db_stmt *st = NULL;
    int64_t region_id = 0, staff_id = 0;
    char path[ACTOR_PATH_MAX] = "/";
    int rc = db_prepare(s->db, SQL_TARGET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        region_id = db_col_int64(st, 0);
        staff_id = db_col_int64(st, 1);
        if (db_col_text(st, 2))
            col_into(st, 2, path, sizeof(path));
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return 0; /* no such evaluation: nothing to flag */
    rc = db_prepare(s->db, SQL_FLAG_INSERT, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, KIND_NAMES[kind]);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, region_id);
    db_bind_text(st, 4, path);
    if (staff_id)
        db_bind_int64(st, 5, staff_id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, evidence);
    db_bind_int64(st, 7, s->now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW)
        s->flagged++;
    done_add(s, id, kind);
    return 0;
}

static int by_time(const void *pa, const void *pb, void *ctx)
{
    const struct back_row *back = ctx;
    const struct back_row *a = &back[*(const int *)pa], *b = &back[*(const int *)pb];
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* The evaluations of x's burst by device (by_ip 0) or address: the
 * look-back rows with the same key within burst_s seconds up to x's time.
 * When x is the one that makes burst_n, the whole burst is flagged; after
 * that each newcomer flags itself (so a long burst — a hall's shared
 * address — costs one flag per evaluation, not one per pair). */
static int burst(struct sweep *s, const struct sweep_row *x, const struct eval_setting *set,
                 int by_ip)
{
    const char *key = by_ip ? x->ip : x->device;
    if (!key || !*key || (by_ip && !ip_counts(x->channel)))
        return 0;
    int64_t from = x->created_at - set->burst_s;
    int n = 0, has_x = 0;
    for (int i = 0; i < s->nback; i++) {
        const struct back_row *b = &s->back[i];
        const char *k = by_ip ? b->ip : b->device;
        if (b->t < from || b->t > x->created_at || strcmp(k, key) != 0 || (by_ip && !b->ip_counts))
            continue;
        s->members[n++] = i;
        has_x |= b->id == x->id;
    }
    /* x itself lies beyond a full look-back only when the look-back was cut */
    int count = n + !has_x;
    if (count < set->burst_n)
        return 0;
    /* the look-back is newest first: the evidence shows the newest, in time
     * order */
    int shown = n < EVAL_FLAG_EVIDENCE_MAX - !has_x ? n : EVAL_FLAG_EVIDENCE_MAX - !has_x;
    qsort_r(s->members, (size_t)shown, sizeof(int), by_time, s->back);
    char mask[40];
    eval_device_mask(key, mask);
    json_t *ev = json_pack("{s:s,s:i,s:i,s:i}", by_ip ? "ip" : "device", by_ip ? key : mask,
                           "threshold", set->burst_n, "window_s", set->burst_s, "count", count);
    json_t *list = json_array();
    for (int i = 0; ev && list && i < shown; i++)
        json_array_append_new(list,
                              json_pack("{s:I,s:I}", "id", (json_int_t)s->back[s->members[i]].id,
                                        "created_at", (json_int_t)s->back[s->members[i]].t));
    if (!has_x && list)
        json_array_append_new(list, json_pack("{s:I,s:I}", "id", (json_int_t)x->id, "created_at",
                                              (json_int_t)x->created_at));
    char *text = NULL;
    if (ev && list) {
        json_object_set_new(ev, "evaluations", list);
        list = NULL;
        text = json_dumps(ev, JSON_COMPACT);
    }
    json_decref(list);
    json_decref(ev);
    if (!text)
        return ERR_NOMEM;
    int kind = by_ip ? KIND_BURST_IP : KIND_BURST_DEVICE;
    int rc = flag(s, x->id, kind, text);
    int crossing = count - 1 < set->burst_n; /* before x the burst was not one yet */
    for (int i = 0; crossing && rc == 0 && i < n; i++)
        rc = flag(s, s->back[s->members[i]].id, kind, text);
    free(text);
    return rc;
}

/* "12,15,19" into ids (at most max); returns the count. */
static int ids_parse(const char *text, int64_t *ids, int max)
{
    int n = 0;
    const char *p = text ? text : "";
    while (*p && n < max) {
        char seg[24];
        size_t len = strcspn(p, ",");
        int64_t v;
        if (len > 0 && len < sizeof(seg)) {
            memcpy(seg, p, len);
            seg[len] = '\0';
            if (parse_int64(seg, 1, INT64_MAX, &v) == 0)
                ids[n++] = v;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

/* The streak's evidence: its last EVAL_FLAG_EVIDENCE_MAX evaluations with
 * their times. */
static char *streak_evidence(struct sweep *s, const struct sweep_row *x,
                             const struct eval_setting *set, int run, const int64_t *ids, int n,
                             int *rc)
{
    int64_t within = (int64_t)set->fast_s * 4;
    json_t *ev = json_pack("{s:I,s:i,s:I,s:i}", "staff_id", (json_int_t)x->staff_id, "threshold",
                           set->streak_n, "within_s", (json_int_t)within, "count", run);
    json_t *list = json_array();
    *rc = ev && list ? 0 : ERR_NOMEM;
    for (int i = n > EVAL_FLAG_EVIDENCE_MAX ? n - EVAL_FLAG_EVIDENCE_MAX : 0; *rc == 0 && i < n;
         i++) {
        struct db_stmt *st = NULL;
        *rc = db_prepare(s->db, SQL_TIMES, &st);
        if (*rc < 0)
            break;
        db_bind_int64(st, 1, ids[i]);
        int step = db_step(st);
        if (step == DB_ROW) {
            int64_t t = db_col_int64(st, 0), end = db_col_int64(st, 1);
            json_array_append_new(list,
                                  json_pack("{s:I,s:I,s:I,s:I}", "id", (json_int_t)ids[i],
                                            "created_at", (json_int_t)t, "ended_at",
                                            (json_int_t)end, "after_s", (json_int_t)(t - end)));
        }
        db_finalize(st);
        if (step < 0)
            *rc = step;
    }
    char *text = NULL;
    if (*rc == 0) {
        json_object_set_new(ev, "evaluations", list);
        list = NULL;
        text = json_dumps(ev, JSON_COMPACT);
        if (!text)
            *rc = ERR_NOMEM;
    }
    json_decref(list);
    json_decref(ev);
    return text;
}

/* Carry x's staff member's level-5 run on; flag it once it is long enough:
 * every evaluation of it when it reaches streak_n, then each further one. */
static int streak(struct sweep *s, const struct sweep_row *x, const struct eval_setting *set)
{
    if (!x->staff_id || !x->first || x->defaulted)
        return 0;
    int64_t within = (int64_t)set->fast_s * 4;
    int fast = x->level == 5 && x->ended_at > 0 && x->created_at >= x->ended_at &&
               x->created_at - x->ended_at <= within;
    struct db_stmt *st = NULL;
    int rc = db_prepare(s->db, SQL_STREAK_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, x->staff_id);
    int run = 0, found = 0;
    int64_t last = 0;
    int64_t *ids = malloc(sizeof(int64_t) * (STREAK_IDS_MAX + 1));
    int n = 0;
    if (!ids) {
        db_finalize(st);
        return ERR_NOMEM;
    }
    rc = db_step(st);
    if (rc == DB_ROW) {
        found = 1;
        run = (int)db_col_int64(st, 0);
        n = ids_parse(db_col_text(st, 1), ids, STREAK_IDS_MAX);
        last = db_col_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0 || last >= x->id || (!fast && (!found || run == 0))) {
        free(ids);
        return rc < 0 ? rc : 0;
    }
    if (fast) {
        run++;
        int keep = set->streak_n < STREAK_IDS_MAX ? set->streak_n : STREAK_IDS_MAX;
        ids[n++] = x->id;
        if (n > keep) {
            memmove(ids, ids + (n - keep), sizeof(int64_t) * (size_t)keep);
            n = keep;
        }
    } else {
        run = 0;
        n = 0;
    }
    /* the ids as text: at most 1000 of 20 digits and a comma */
    size_t cap = (size_t)n * 21 + 1, len = 0;
    char *text = malloc(cap);
    rc = text ? 0 : ERR_NOMEM;
    if (text)
        text[0] = '\0';
    for (int i = 0; rc == 0 && i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s%lld", i ? "," : "", (long long)ids[i]);
    if (rc == 0)
        rc = db_prepare(s->db, SQL_STREAK_PUT, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, x->staff_id);
        db_bind_int64(st, 2, run);
        db_bind_text(st, 3, text);
        db_bind_int64(st, 4, x->id);
        db_bind_int64(st, 5, s->now);
        rc = db_step(st);
        db_finalize(st);
    }
    free(text);
    if (rc >= 0 && fast && run >= set->streak_n) {
        char *evidence = streak_evidence(s, x, set, run, ids, n, &rc);
        if (evidence && run == set->streak_n) {
            for (int i = 0; rc >= 0 && i < n; i++)
                rc = flag(s, ids[i], KIND_STREAK, evidence);
        } else if (evidence) {
            rc = flag(s, x->id, KIND_STREAK, evidence);
        }
        free(evidence);
    }
    free(ids);
    return rc < 0 ? rc : 0;
}

static int read_batch(struct db *db, int64_t cursor, int limit, struct arena *a,
                      struct sweep_row **out, int *n)
{
    struct sweep_row *rows = arena_alloc(a, sizeof(*rows) * (size_t)limit);
    struct db_stmt *st = NULL;
    *n = 0;
    *out = rows;
    if (!rows)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_BATCH, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, cursor);
    db_bind_int64(st, 2, limit);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && *n < limit) {
        struct sweep_row *r = &rows[(*n)++];
        memset(r, 0, sizeof(*r));
        r->id = db_col_int64(st, 0);
        r->region_id = db_col_int64(st, 1);
        r->staff_id = db_col_int64(st, 2);
        r->created_at = db_col_int64(st, 3);
        r->ended_at = db_col_int64(st, 4);
        r->level = (int)db_col_int64(st, 5);
        const char *kind = db_col_text(st, 6);
        r->first = kind && strcmp(kind, "first") == 0;
        r->defaulted = (int)db_col_int64(st, 7);
        col_into(st, 8, r->channel, sizeof(r->channel));
        r->device = col_copy(st, 9, a, &oom);
        r->ip = col_copy(st, 10, a, &oom);
        if (!r->device)
            r->device = "";
        if (!r->ip)
            r->ip = "";
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return oom ? ERR_NOMEM : 0;
}

static int read_back(struct sweep *s, int64_t lo, int64_t hi)
{
    s->back = arena_alloc(s->a, sizeof(*s->back) * EVAL_FRAUD_LOOKBACK);
    s->members = arena_alloc(s->a, sizeof(int) * (EVAL_FRAUD_LOOKBACK + 1));
    s->nback = 0;
    if (!s->back || !s->members)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(s->db, SQL_BACK, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, lo);
    db_bind_int64(st, 2, hi);
    db_bind_int64(st, 3, EVAL_FRAUD_LOOKBACK);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && s->nback < EVAL_FRAUD_LOOKBACK) {
        struct back_row *b = &s->back[s->nback++];
        char channel[12];
        b->id = db_col_int64(st, 0);
        b->t = db_col_int64(st, 1);
        b->device = col_copy(st, 2, s->a, &oom);
        b->ip = col_copy(st, 3, s->a, &oom);
        col_into(st, 4, channel, sizeof(channel));
        b->ip_counts = ip_counts(channel);
        if (!b->device)
            b->device = "";
        if (!b->ip)
            b->ip = "";
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return oom ? ERR_NOMEM : 0;
}

static const char SQL_FLAGGED[] =
    "SELECT evaluation_id, kind FROM eval_flag WHERE evaluation_id >= ?1 AND evaluation_id <= ?2"
    " AND kind IN ('burst_device', 'burst_ip', 'streak')";

/* Remember the flags the look-back's evaluations (and the batch's, from
 * first on) already have: read through the flags' unique index by id. */
static int read_flagged(struct sweep *s, int64_t first)
{
    int64_t lo = first, hi = first;
    for (int i = 0; i < s->nback; i++) {
        if (s->back[i].id < lo)
            lo = s->back[i].id;
        if (s->back[i].id > hi)
            hi = s->back[i].id;
    }
    struct db_stmt *st = NULL;
    int rc = db_prepare(s->db, SQL_FLAGGED, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, lo);
    db_bind_int64(st, 2, hi);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *kind = db_col_text(st, 1);
        for (int k = KIND_BURST_DEVICE; kind && k <= KIND_STREAK; k++)
            if (strcmp(kind, KIND_NAMES[k]) == 0)
                done_add(s, db_col_int64(st, 0), k);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_fraud_sweep(struct db *db, int64_t now, int limit, int *flagged)
{
    struct arena a = {0};
    struct sweep s = {.db = db, .a = &a, .now = now};
    struct sweep_row *rows = NULL;
    int n = 0;
    int64_t cursor = 0;
    *flagged = 0;
    if (limit < 1 || limit > EVAL_FRAUD_BATCH)
        limit = EVAL_FRAUD_BATCH;
    struct db_stmt *st = NULL;
    int pg = db_kind(db) == DB_PG;
    int rc = db_prepare(db, pg ? SQL_CLAIM_PG : SQL_CLAIM, &st);
    if (rc == 0) {
        rc = db_step(st);
        if (rc == DB_ROW)
            cursor = db_col_int64(st, 0);
        db_finalize(st);
    }
    if (rc < 0)
        goto done;
    if (rc != DB_ROW) {
        /* 0008 inserts the one row: none means another node holds it */
        rc = pg ? 0 : ERR_DB;
        goto done;
    }
    rc = read_batch(db, cursor, limit, &a, &rows, &n);
    if (rc < 0 || n == 0)
        goto done;
    s.settings = arena_alloc(&a, sizeof(*s.settings) * (size_t)n);
    s.done = arena_alloc(&a, sizeof(*s.done) * DONE_SLOTS);
    if (s.done)
        memset(s.done, 0, sizeof(*s.done) * DONE_SLOTS);
    if (!s.settings || !s.done) {
        rc = ERR_NOMEM;
        goto done;
    }
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < n; i++) {
        if (!setting_of(&s, rows[i].region_id)) {
            rc = eval_setting_get(db, rows[i].region_id, &s.settings[s.nsettings]);
            if (rc < 0)
                goto done;
            s.settings[s.nsettings++].region_id = rows[i].region_id;
        }
        const struct eval_setting *set = setting_of(&s, rows[i].region_id);
        if (rows[i].created_at - set->burst_s < lo)
            lo = rows[i].created_at - set->burst_s;
        if (rows[i].created_at > hi)
            hi = rows[i].created_at;
    }
    rc = read_back(&s, lo, hi);
    if (rc == 0)
        rc = read_flagged(&s, rows[0].id);
    for (int i = 0; rc == 0 && i < n; i++) {
        const struct eval_setting *set = setting_of(&s, rows[i].region_id);
        rc = burst(&s, &rows[i], set, 0);
        if (rc == 0)
            rc = burst(&s, &rows[i], set, 1);
        if (rc == 0)
            rc = streak(&s, &rows[i], set);
    }
    if (rc < 0)
        goto done;
    rc = db_prepare(db, SQL_MOVE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, rows[n - 1].id);
        rc = db_step(st);
        db_finalize(st);
    }
done:
    arena_reset(&a);
    if (rc < 0)
        return rc;
    *flagged = s.flagged;
    return n == limit ? 1 : 0;
}

/* ---- reads ---- */

#define FLAG_COLS                                                                                  \
    "f.id, f.kind, f.evaluation_id, f.region_id, n.id, n.name, f.node_path, f.staff_id, s.name,"   \
    " f.status, f.note, f.decided_by, d.name, f.decided_at, f.created_at, f.evidence, e.level,"    \
    " e.channel, e.created_at, w.name, ev.item_name"
#define FLAG_FROM                                                                                  \
    " FROM eval_flag f JOIN evaluation e ON e.id = f.evaluation_id"                                \
    " JOIN eval_event ev ON ev.id = e.event_id LEFT JOIN org_node n ON n.path = f.node_path"       \
    " LEFT JOIN staff s ON s.id = f.staff_id LEFT JOIN staff d ON d.id = f.decided_by"             \
    " LEFT JOIN org_node w ON w.id = e.window_id"
#define FLAG_WHERE                                                                                 \
    " WHERE f.node_path >= ?1 AND f.node_path < ?2 AND (?3 = '' OR f.status = ?3)"                 \
    " AND (?4 = '' OR f.kind = ?4)"

static const char SQL_FLAG_GET[] = "SELECT " FLAG_COLS FLAG_FROM " WHERE f.id = ?1";
static const char SQL_FLAGS_OF[] =
    "SELECT " FLAG_COLS FLAG_FROM " WHERE f.evaluation_id = ?1 ORDER BY f.id";
static const char SQL_FLAG_LIST[] =
    "SELECT " FLAG_COLS FLAG_FROM FLAG_WHERE " ORDER BY f.id DESC LIMIT ?5 OFFSET ?6";
static const char SQL_FLAG_COUNT[] = "SELECT COUNT(*) FROM eval_flag f" FLAG_WHERE;

static int read_flag(struct db_stmt *st, struct arena *a, struct eval_flag *f)
{
    int oom = 0;
    memset(f, 0, sizeof(*f));
    f->id = db_col_int64(st, 0);
    col_into(st, 1, f->kind, sizeof(f->kind));
    f->evaluation_id = db_col_int64(st, 2);
    f->region_id = db_col_int64(st, 3);
    f->node_id = db_col_int64(st, 4);
    f->node_name = col_copy(st, 5, a, &oom);
    f->node_path = col_copy(st, 6, a, &oom);
    f->staff_id = db_col_int64(st, 7);
    f->staff_name = col_copy(st, 8, a, &oom);
    col_into(st, 9, f->status, sizeof(f->status));
    f->note = col_copy(st, 10, a, &oom);
    f->decided_by = db_col_int64(st, 11);
    f->decided_by_name = col_copy(st, 12, a, &oom);
    f->decided_at = db_col_int64(st, 13);
    f->created_at = db_col_int64(st, 14);
    f->evidence = col_copy(st, 15, a, &oom);
    f->level = (int)db_col_int64(st, 16);
    col_into(st, 17, f->channel, sizeof(f->channel));
    f->evaluated_at = db_col_int64(st, 18);
    f->window_name = col_copy(st, 19, a, &oom);
    f->item_name = col_copy(st, 20, a, &oom);
    if (!f->node_id)
        f->node_id = path_leaf(f->node_path);
    return oom ? ERR_NOMEM : 0;
}

int eval_flag_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                  struct eval_flag *out)
{
    struct db_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    int rc = db_prepare(db, SQL_FLAG_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        rc = read_flag(st, a, out);
    else if (rc == DB_DONE)
        rc = ERR_NOTFOUND;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (who && !actor_in_scope(who, out->node_path ? out->node_path : ""))
        return ERR_FORBIDDEN;
    return 0;
}

/* Read every row of a prepared flag query into a growing arena array. */
static int read_flags(struct db_stmt *st, int max, struct arena *a, struct eval_flag **items,
                      int *n)
{
    int cap = 16, rc;
    struct eval_flag *arr = arena_alloc(a, sizeof(*arr) * (size_t)cap);
    *items = NULL;
    *n = 0;
    if (!arr)
        return ERR_NOMEM;
    while ((rc = db_step(st)) == DB_ROW && *n < max) {
        if (*n == cap) {
            struct eval_flag *bigger = arena_alloc(a, sizeof(*arr) * (size_t)cap * 2);
            if (!bigger)
                return ERR_NOMEM;
            memcpy(bigger, arr, sizeof(*arr) * (size_t)cap);
            arr = bigger;
            cap *= 2;
        }
        rc = read_flag(st, a, &arr[*n]);
        if (rc < 0)
            return rc;
        (*n)++;
    }
    if (rc < 0)
        return rc;
    *items = arr;
    return 0;
}

int eval_flags_of(struct db *db, int64_t evaluation_id, struct arena *a, struct eval_flag **items,
                  int *n)
{
    struct db_stmt *st = NULL;
    *items = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_FLAGS_OF, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, evaluation_id);
    rc = read_flags(st, 16, a, items, n);
    db_finalize(st);
    return rc;
}

static int one_of(const char *s, const char *list)
{
    size_t n = strlen(s);
    const char *p = list;
    while (n && *p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, s, n) == 0)
            return 1;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

int eval_flag_list(struct db *db, const struct actor *who, const struct eval_flag_filter *f,
                   struct arena *a, struct eval_flag **items, int *n, int64_t *total, struct err *e)
{
    *items = NULL;
    *n = 0;
    *total = 0;
    if (f->status && !one_of(f->status, "open,dismissed,confirmed"))
        return err_set(e, ERR_INVALID, "status", "status must be open, dismissed or confirmed");
    if (f->kind && !one_of(f->kind, EVAL_FLAG_KINDS))
        return err_set(e, ERR_INVALID, "kind",
                       "kind must be burst_device, burst_ip, fast_console or streak");
    if (f->page < 1 || f->page > PAGE_MAX)
        return err_set(e, ERR_INVALID, "page", "page must be between 1 and %d", PAGE_MAX);
    if (f->per_page < 1 || f->per_page > PER_PAGE_MAX)
        return err_set(e, ERR_INVALID, "per_page", "per_page must be between 1 and %d",
                       PER_PAGE_MAX);
    char lo[ACTOR_PATH_MAX], hi[ACTOR_PATH_MAX];
    snprintf(lo, sizeof(lo), "%s", who->scope[0] ? who->scope : "/");
    if (f->node_id) {
        struct org_node node;
        int rc = org_get(db, f->node_id, &node);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return db_fail(e, rc);
        if (!actor_in_scope(who, node.path))
            return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
        snprintf(lo, sizeof(lo), "%s", node.path);
    }
    org_path_end(lo, hi, sizeof(hi));
    const char *status = f->status ? f->status : "", *kind = f->kind ? f->kind : "";
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FLAG_COUNT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_text(st, 1, lo);
    db_bind_text(st, 2, hi);
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, kind);
    rc = db_step(st);
    if (rc == DB_ROW)
        *total = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    rc = db_prepare(db, SQL_FLAG_LIST, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_text(st, 1, lo);
    db_bind_text(st, 2, hi);
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, kind);
    db_bind_int64(st, 5, f->per_page);
    db_bind_int64(st, 6, (f->page - 1) * f->per_page);
    rc = read_flags(st, (int)f->per_page, a, items, n);
    db_finalize(st);
    return rc < 0 ? db_fail(e, rc) : 0;
}

static const char SQL_FLAG_EVAL[] =
    "SELECT e.id, e.kind, e.level, e.bad, e.defaulted, e.channel, e.device, e.ip,"
    " e.evaluator_name, e.phone_mask, e.created_at, COALESCE(e.window_id, 0),"
    " COALESCE(e.staff_id, 0), w.name, s.name, ev.item_name,"
    " (SELECT COUNT(*) FROM eval_flag g WHERE g.evaluation_id = e.id AND g.status = 'open')"
    " FROM evaluation e JOIN eval_event ev ON ev.id = e.event_id"
    " LEFT JOIN org_node w ON w.id = e.window_id LEFT JOIN staff s ON s.id = e.staff_id"
    " WHERE e.id = ?1";

static int read_flag_eval(struct db *db, int64_t id, struct arena *a, struct eval_flag_eval *out,
                          int *found)
{
    struct db_stmt *st = NULL;
    *found = 0;
    int rc = db_prepare(db, SQL_FLAG_EVAL, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        int oom = 0;
        char mask[40];
        memset(out, 0, sizeof(*out));
        out->id = db_col_int64(st, 0);
        col_into(st, 1, out->kind, sizeof(out->kind));
        out->level = (int)db_col_int64(st, 2);
        out->bad = (int)db_col_int64(st, 3);
        out->defaulted = (int)db_col_int64(st, 4);
        col_into(st, 5, out->channel, sizeof(out->channel));
        eval_device_mask(db_col_text(st, 6), mask);
        out->device = arena_strdup(a, mask);
        out->ip = col_copy(st, 7, a, &oom);
        out->evaluator = name_mask(db_col_text(st, 8), a);
        out->phone_mask = col_copy(st, 9, a, &oom);
        out->created_at = db_col_int64(st, 10);
        out->window_id = db_col_int64(st, 11);
        out->staff_id = db_col_int64(st, 12);
        out->window_name = col_copy(st, 13, a, &oom);
        out->staff_name = col_copy(st, 14, a, &oom);
        out->item_name = col_copy(st, 15, a, &oom);
        out->flags = db_col_int64(st, 16);
        rc = oom || !out->device || !out->evaluator ? ERR_NOMEM : 0;
        *found = 1;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int cmp_id(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return a < b ? -1 : a > b;
}

int eval_flag_evaluations(struct db *db, const struct eval_flag *flag, struct arena *a,
                          struct eval_flag_eval **items, int *n)
{
    int64_t ids[EVAL_FLAG_EVIDENCE_MAX + 1];
    int nids = 0;
    *items = NULL;
    *n = 0;
    ids[nids++] = flag->evaluation_id;
    json_t *ev = flag->evidence ? json_loads(flag->evidence, 0, NULL) : NULL;
    json_t *list = json_object_get(ev, "evaluations");
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        json_int_t id = json_integer_value(json_object_get(it, "id"));
        int seen = 0;
        for (int k = 0; k < nids; k++)
            seen |= ids[k] == id;
        if (id > 0 && !seen && nids < EVAL_FLAG_EVIDENCE_MAX + 1)
            ids[nids++] = id;
    }
    json_decref(ev);
    qsort(ids, (size_t)nids, sizeof(ids[0]), cmp_id);
    struct eval_flag_eval *arr = arena_alloc(a, sizeof(*arr) * (size_t)nids);
    if (!arr)
        return ERR_NOMEM;
    for (int k = 0; k < nids; k++) {
        int found = 0;
        int rc = read_flag_eval(db, ids[k], a, &arr[*n], &found);
        if (rc < 0)
            return rc;
        *n += found;
    }
    *items = arr;
    return 0;
}

/* ---- decisions ---- */

static const char SQL_FLAG_DECIDE[] =
    "UPDATE eval_flag SET status = ?2, decided_by = ?3, decided_at = ?4, note = ?5"
    " WHERE id = ?1 AND status = 'open'";

int eval_flag_decide(struct db *db, const struct actor *who, int64_t id, const char *status,
                     const char *note, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct eval_flag f;
    int rc = eval_flag_get(db, NULL, id, &a, &f);
    if (rc == ERR_NOTFOUND) {
        rc = err_set(e, ERR_NOTFOUND, NULL, "no such flag");
        goto done;
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    if ((who->role != ROLE_ADMIN && who->role != ROLE_LEADER && who->role != ROLE_SUPERVISOR &&
         who->role != ROLE_SYSTEM) ||
        !actor_in_scope(who, f.node_path ? f.node_path : "")) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "only a supervisor, leader or admin over it decides");
        goto done;
    }
    if (who->staff_id && who->staff_id == f.staff_id) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "nobody decides a flag about themselves");
        goto done;
    }
    if (!status || (strcmp(status, "dismissed") != 0 && strcmp(status, "confirmed") != 0)) {
        rc = err_set(e, ERR_INVALID, "status", "status must be dismissed or confirmed");
        goto done;
    }
    if (!note || parse_text(note, 1, EVAL_FLAG_NOTE_MAX, 1) < 0) {
        rc = err_set(e, ERR_INVALID, "note", "note must have 1-%d characters", EVAL_FLAG_NOTE_MAX);
        goto done;
    }
    if (strcmp(f.status, "open") != 0) {
        rc = err_set(e, ERR_CONFLICT, "status", "the flag is already %s", f.status);
        goto done;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_FLAG_DECIDE, &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_text(st, 2, status);
        if (who->staff_id)
            db_bind_int64(st, 3, who->staff_id);
        else
            db_bind_null(st, 3);
        db_bind_int64(st, 4, now);
        db_bind_text(st, 5, note);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0) {
        rc = db_fail(e, rc);
        goto done;
    }
    json_t *before = json_pack("{s:s}", "status", f.status);
    json_t *after = json_pack("{s:s,s:s,s:I}", "status", status, "kind", f.kind, "evaluation_id",
                              (json_int_t)f.evaluation_id);
    rc = audit_append(db, who, "eval_flag.decide", "eval_flag", id, f.node_id, before, after);
    if (rc < 0)
        rc = db_fail(e, rc);
done:
    arena_reset(&a);
    return rc;
}

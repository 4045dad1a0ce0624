/* score_period.c - live rescoring, closing and reopening a card's period,
 * the red flag, bottom streaks, and the drill-down (score.h). */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/audit.h"
#include "domain/commitment.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/review.h"
#include "domain/score_impl.h"

/* ---- writing results ---- */

static const char SQL_RESULT[] =
    "INSERT INTO score_result (card_id, period, kind, subject_id, version_id, score, stars, veto,"
    " hall_id, unit_id, industry, rank_all, rank_hall, rank_unit, rank_industry, bottom_streak,"
    " inputs, updated_at, path)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19)"
    " ON CONFLICT (card_id, period, kind, subject_id) DO UPDATE SET"
    " version_id = EXCLUDED.version_id, score = EXCLUDED.score, stars = EXCLUDED.stars,"
    " veto = EXCLUDED.veto, hall_id = EXCLUDED.hall_id, unit_id = EXCLUDED.unit_id,"
    " industry = EXCLUDED.industry, rank_all = EXCLUDED.rank_all,"
    " rank_hall = EXCLUDED.rank_hall, rank_unit = EXCLUDED.rank_unit,"
    " rank_industry = EXCLUDED.rank_industry, bottom_streak = EXCLUDED.bottom_streak,"
    " inputs = EXCLUDED.inputs, updated_at = EXCLUDED.updated_at, path = EXCLUDED.path";

/* The inputs as compact JSON: every non-zero input, and "ytd" the year-to-date
 * counts of year-veto items (by item code). */
static void inputs_json(const struct score_card_full *c, const struct score_subj *s, char *buf,
                        size_t len)
{
    struct score_inputs in;
    score_build_inputs(c, s, 0, &in);
    size_t k = 0;
    int first = 1;
    k += (size_t)snprintf(buf + k, len - k, "{");
    for (int i = 0; i < in.n && k < len; i++) {
        if (in.v[i].value == 0 && strcmp(in.v[i].name, "satisfaction") != 0 &&
            strcmp(in.v[i].name, "ontime_rate") != 0 && strcmp(in.v[i].name, "review") != 0 &&
            strcmp(in.v[i].name, "staff_avg") != 0 && strncmp(in.v[i].name, "review:", 7) != 0 &&
            strcmp(in.v[i].name, "commit_rate") != 0 && strcmp(in.v[i].name, "noshow_rate") != 0 &&
            strcmp(in.v[i].name, "bad_rectified_rate") != 0)
            continue;
        k += (size_t)snprintf(buf + k, len - k, "%s\"%s\":%.10g", first ? "" : ",", in.v[i].name,
                              in.v[i].value);
        first = 0;
    }
    int year = 0;
    for (int i = 0; i < c->def.nitems; i++)
        year |= c->def.item[i].veto == SCORE_VETO_YEAR;
    if (year && k < len) {
        struct score_inputs ytd;
        score_build_inputs(c, s, 1, &ytd);
        k += (size_t)snprintf(buf + k, len - k, "%s\"ytd\":{", first ? "" : ",");
        int f2 = 1;
        for (int i = 0; i < ytd.n && k < len; i++) {
            if (ytd.v[i].value == 0 || strstr(ytd.v[i].name, "rate") ||
                strcmp(ytd.v[i].name, "satisfaction") == 0)
                continue;
            k += (size_t)snprintf(buf + k, len - k, "%s\"%s\":%.10g", f2 ? "" : ",", ytd.v[i].name,
                                  ytd.v[i].value);
            f2 = 0;
        }
        if (k < len)
            k += (size_t)snprintf(buf + k, len - k, "}");
    }
    if (k < len)
        snprintf(buf + k, len - k, "}");
    if (k >= len) /* cannot happen with SCORE_INPUTS_MAX inputs; keep it valid */
        snprintf(buf, len, "{}");
}

static int write_result(struct db *db, const struct score_card_full *c, const char *period,
                        const struct score_subj *s, int ranked, int64_t now)
{
    char json[8192];
    inputs_json(c, s, json, sizeof(json));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_RESULT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, c->subject);
    db_bind_int64(st, 4, s->id);
    db_bind_int64(st, 5, c->version_id);
    db_bind_int64(st, 6, (int64_t)llround(s->total * 100.0));
    db_bind_int64(st, 7, s->stars);
    db_bind_text(st, 8, s->veto);
    db_bind_int64(st, 9, s->hall_id);
    db_bind_int64(st, 10, s->unit_id);
    db_bind_text(st, 11, s->industry ? s->industry : "");
    for (int g = 0; g < 4; g++)
        db_bind_int64(st, 12 + g, ranked ? s->rank[g] : 0);
    db_bind_int64(st, 16, ranked ? s->streak : 0);
    db_bind_text(st, 17, json);
    db_bind_int64(st, 18, now);
    db_bind_text(st, 19, s->path ? s->path : "");
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- periods ---- */

static const char SQL_PERIOD_STATE[] =
    "SELECT state FROM score_period WHERE card_id = ?1 AND period = ?2";
static const char SQL_PERIOD_OPEN[] =
    "INSERT INTO score_period (card_id, period, kind, state) VALUES (?1, ?2, ?3, 'open')"
    " ON CONFLICT (card_id, period) DO NOTHING";

int score_period_closed(struct db *db, int64_t card_id, const char *period, int *closed)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PERIOD_STATE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    rc = db_step(st);
    *closed = rc == DB_ROW && strcmp(db_col_text(st, 0), "closed") == 0;
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int period_open_row(struct db *db, int64_t card_id, const char *period)
{
    char kind[8], from[11], to[11];
    if (score_period_range(period, kind, from, to) < 0)
        return ERR_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PERIOD_OPEN, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, kind);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* The periods a card keeps live on `today`: for each of its kinds, the one
 * containing today and the one before (until it is closed). */
int score_live_periods(const struct score_card_full *c, const char *today, char out[6][16])
{
    static const char *const kinds[] = {"month", "quarter", "year"};
    int n = 0;
    for (int k = 0; k < 3; k++) {
        if (!strstr(c->periods, kinds[k]))
            continue;
        if (score_period_of(kinds[k], today, out[n]) < 0)
            continue;
        if (score_period_prev(out[n], out[n + 1]) < 0)
            continue;
        n += 2;
    }
    return n;
}

/* ---- live rescoring ---- */

static const char SQL_WINDOW_PATH[] =
    "SELECT path FROM org_node WHERE id = ?1 AND kind = 'window' AND active = 1";
static const char SQL_STAFF_PATH[] =
    "SELECT n.path FROM staff s JOIN org_node n ON n.id = s.node_id"
    " WHERE s.id = ?1 AND s.active = 1 AND s.role = 'staff'";
static const char SQL_TOUCH_WINDOWS[] =
    "INSERT INTO score_dirty (kind, subject_id, month) SELECT 'window', window_id, ?2"
    " FROM window_assignment WHERE staff_id = ?1 AND ended_at IS NULL"
    " ON CONFLICT (kind, subject_id, month) DO NOTHING";
/* Does any active window card average its staff's scores? */
static const char SQL_STAFF_AVG_USED[] =
    "SELECT COUNT(*) FROM score_card c JOIN score_card_version v ON v.id = c.version_id"
    " WHERE c.active = 1 AND c.subject = 'window' AND v.def LIKE '%\"staff_avg\"%'";

#define SCORE_SLOW_S 60 /* a subject's quarter and year: rescored at most this often */

static const char SQL_LIVE_AGE[] = "SELECT updated_at FROM score_result WHERE card_id = ?1"
                                   " AND period = ?2 AND kind = ?3 AND subject_id = ?4";
static const char SQL_DEFER[] =
    "INSERT INTO score_dirty (kind, subject_id, month, due_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (kind, subject_id, month) DO NOTHING";

/* A quarter or year row rescored less than SCORE_SLOW_S ago waits: a mark
 * "YYYY-MM+" due when the interval is over. 1 when deferred. */
static int defer_slow(struct db *db, const struct score_card_full *c, const char *period,
                      int64_t single, const char *month, int64_t now, int *deferred)
{
    *deferred = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LIVE_AGE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, c->subject);
    db_bind_int64(st, 4, single);
    rc = db_step(st);
    int64_t at = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc != DB_ROW || now - at >= SCORE_SLOW_S)
        return rc < 0 ? rc : 0;
    char mark[16];
    snprintf(mark, sizeof(mark), "%.7s+", month);
    if ((rc = db_prepare(db, SQL_DEFER, &st)) < 0)
        return rc;
    db_bind_text(st, 1, c->subject);
    db_bind_int64(st, 2, single);
    db_bind_text(st, 3, mark);
    db_bind_int64(st, 4, at + SCORE_SLOW_S);
    rc = db_step(st);
    db_finalize(st);
    *deferred = 1;
    return rc < 0 ? rc : 0;
}

/* month: "" every live period; "YYYY-MM" the month periods containing it now
 * and its quarter and year unless rescored within SCORE_SLOW_S (then
 * deferred); "YYYY-MM+" its quarter and year (a deferred mark come due). */
static int refresh(struct db *db, struct score_card_full *c, int64_t single, const char *month,
                   int64_t now)
{
    char today[DATE_TEXT], periods[6][16];
    queue_service_day(now, today);
    int np = score_live_periods(c, today, periods);
    int rc = 0, slow_only = month && strlen(month) == 8 && month[7] == '+';
    for (int p = 0; p < np && rc >= 0; p++) {
        char kind[8], from[11], to[11];
        if (score_period_range(periods[p], kind, from, to) < 0)
            continue;
        int is_month = strcmp(kind, "month") == 0;
        if (month && month[0]) {
            if (strncmp(month, from, 7) < 0 || strncmp(month, to, 7) > 0 || (slow_only && is_month))
                continue;
            int deferred = 0;
            if (!slow_only && !is_month && single &&
                ((rc = defer_slow(db, c, periods[p], single, month, now, &deferred)) < 0 ||
                 deferred))
                continue;
        }
        int closed = 0;
        if ((rc = score_period_closed(db, c->id, periods[p], &closed)) < 0 || closed)
            continue;
        struct score_set set = {0};
        rc = score_collect(db, c, periods[p], single, &set);
        if (rc >= 0 && set.n > 0) {
            score_compute_set(c, &set);
            rc = period_open_row(db, c->id, periods[p]);
            for (size_t i = 0; rc >= 0 && i < set.n; i++)
                rc = write_result(db, c, periods[p], &set.s[i], 0, now);
        }
        score_set_free(&set);
    }
    return rc;
}

int score_rescore(struct db *db, const char *kind, int64_t subject_id, const char *month,
                  int64_t now)
{
    int window = strcmp(kind, "window") == 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, window ? SQL_WINDOW_PATH : SQL_STAFF_PATH, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, subject_id);
    rc = db_step(st);
    char path[ACTOR_PATH_MAX] = "";
    if (rc == DB_ROW)
        snprintf(path, sizeof(path), "%s", db_col_text(st, 0));
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!path[0])
        return 0; /* gone or not scored */
    int64_t card_id = 0;
    if ((rc = score_card_for(db, kind, path, &card_id)) < 0 || !card_id)
        return rc;
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return ERR_NOMEM;
    if ((rc = score_card_get(db, card_id, 0, c)) == 0) {
        rc = refresh(db, c, subject_id, month, now);
        score_card_free(c);
    }
    free(c);
    if (rc < 0 || window)
        return rc;
    /* a staff member's score is part of their windows' staff average */
    int64_t used = 0;
    if ((rc = db_prepare(db, SQL_STAFF_AVG_USED, &st)) < 0)
        return rc;
    rc = db_step(st);
    used = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0 || !used)
        return rc < 0 ? rc : 0;
    if ((rc = db_prepare(db, SQL_TOUCH_WINDOWS, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, subject_id);
    db_bind_text(st, 2, month ? month : "");
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_MARK_WINDOWS[] =
    "INSERT INTO score_dirty (kind, subject_id, month) SELECT 'window', id, '' FROM org_node"
    " WHERE kind = 'window' AND active = 1 AND path >= ?1 AND path < ?2"
    " ON CONFLICT (kind, subject_id, month) DO NOTHING";
static const char SQL_MARK_STAFF[] =
    "INSERT INTO score_dirty (kind, subject_id, month) SELECT 'staff', s.id, '' FROM staff s"
    " JOIN org_node n ON n.id = s.node_id WHERE s.active = 1 AND s.role = 'staff'"
    " AND n.path >= ?1 AND n.path < ?2 ON CONFLICT (kind, subject_id, month) DO NOTHING";
static const char SQL_CARD_WHERE[] =
    "SELECT c.subject, n.path FROM score_card c JOIN org_node n ON n.id = c.node_id"
    " WHERE c.id = ?1";

int score_refresh_card(struct db *db, int64_t card_id, int64_t now)
{
    (void)now;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CARD_WHERE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, card_id);
    char subject[8] = "", path[ACTOR_PATH_MAX] = "", end[ACTOR_PATH_MAX];
    if ((rc = db_step(st)) == DB_ROW) {
        snprintf(subject, sizeof(subject), "%s", db_col_text(st, 0));
        snprintf(path, sizeof(path), "%s", db_col_text(st, 1));
    }
    db_finalize(st);
    if (rc < 0 || !path[0])
        return rc < 0 ? rc : ERR_NOTFOUND;
    org_path_end(path, end, sizeof(end));
    if ((rc = db_prepare(db, strcmp(subject, "window") == 0 ? SQL_MARK_WINDOWS : SQL_MARK_STAFF,
                         &st)) < 0)
        return rc;
    db_bind_text(st, 1, path);
    db_bind_text(st, 2, end);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    score_wake();
    return 0;
}

static const char SQL_DIRTY[] = "SELECT kind, subject_id, month FROM score_dirty"
                                " WHERE due_at <= ?2 ORDER BY kind, subject_id, month LIMIT ?1";
static const char SQL_DIRTY_DEL[] =
    "DELETE FROM score_dirty WHERE kind = ?1 AND subject_id = ?2 AND month = ?3";

int score_rescore_dirty(struct db *db, int64_t now, int max, int *done)
{
    *done = 0;
    struct {
        char kind[8];
        int64_t id;
        char month[12];
    } batch[256];
    memset(batch, 0, sizeof(batch));
    if (max > 256)
        max = 256;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_DIRTY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, max);
    db_bind_int64(st, 2, now);
    int n = 0;
    while (n < max && (rc = db_step(st)) == DB_ROW) {
        snprintf(batch[n].kind, sizeof(batch[n].kind), "%s", db_col_text(st, 0));
        batch[n].id = db_col_int64(st, 1);
        snprintf(batch[n].month, sizeof(batch[n].month), "%s", db_col_text(st, 2));
        n++;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if ((rc = db_prepare(db, SQL_DIRTY_DEL, &st)) < 0)
            return rc;
        db_bind_text(st, 1, batch[i].kind);
        db_bind_int64(st, 2, batch[i].id);
        db_bind_text(st, 3, batch[i].month);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return rc;
        /* a mark for every period covers the month's too */
        if (i > 0 && batch[i].id == batch[i - 1].id &&
            strcmp(batch[i].kind, batch[i - 1].kind) == 0 && batch[i - 1].month[0] == 0)
            continue;
        /* one subject that cannot be scored (a read error, a definition that
         * no longer parses) must not hold up the others: its work is undone,
         * its mark dropped, and it is logged */
        if ((rc = db_savepoint(db, "rescore")) < 0)
            return rc;
        rc = score_rescore(db, batch[i].kind, batch[i].id, batch[i].month, now);
        if (rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM)
            return rc; /* passing: the whole batch is tried again */
        if (rc < 0) {
            log_warn("score", "msg=\"rescoring failed\" kind=%s subject_id=%" PRId64 " error=%d",
                     batch[i].kind, batch[i].id, rc);
            if ((rc = db_rollback_to(db, "rescore")) < 0)
                return rc;
        }
        if ((rc = db_release(db, "rescore")) < 0)
            return rc;
    }
    *done = n;
    return 0;
}

/* ---- closing ---- */

static const char SQL_PENDING_EVENTS[] =
    "SELECT COUNT(*) FROM score_event WHERE state = 'pending' AND month >= ?1 AND month <= ?2"
    " AND subject_path >= ?3 AND subject_path < ?4";
static const char SQL_PREV_STREAK[] =
    "SELECT r.subject_id, r.bottom_streak FROM score_result r JOIN score_period p"
    " ON p.card_id = r.card_id AND p.period = r.period AND p.state = 'closed'"
    " WHERE r.card_id = ?1 AND r.period = ?2";
/* After the close's upserts: the rows of subjects no longer on the card. */
static const char SQL_RESULTS_DEL[] = "DELETE FROM score_result WHERE card_id = ?1 AND period = ?2"
                                      " AND updated_at <> ?3";
static const char SQL_FLAGS_REVOKE[] =
    "UPDATE score_award SET revoked_at = ?3 WHERE card_id = ?1 AND period = ?2"
    " AND award = 'red_flag' AND revoked_at IS NULL";
static const char SQL_FLAG[] =
    "INSERT INTO score_award (card_id, period, award, kind, subject_id, rank, score, group_id,"
    " awarded_at) VALUES (?1, ?2, 'red_flag', ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_PERIOD_CLOSE[] =
    "INSERT INTO score_period (card_id, period, kind, state, version_id, closed_by, closed_at,"
    " subjects) VALUES (?1, ?2, ?3, 'closed', ?4, ?5, ?6, ?7)"
    " ON CONFLICT (card_id, period) DO UPDATE SET state = 'closed',"
    " version_id = EXCLUDED.version_id, closed_by = EXCLUDED.closed_by,"
    " closed_at = EXCLUDED.closed_at, subjects = EXCLUDED.subjects";

int score_unconfirmed(struct db *db, const char *path, const char *period,
                      struct score_close_info *info)
{
    char kind[8], from[11], to[11], mfrom[8], mto[8], end[ACTOR_PATH_MAX];
    if (score_period_range(period, kind, from, to) < 0)
        return ERR_INVALID;
    snprintf(mfrom, sizeof(mfrom), "%.7s", from);
    snprintf(mto, sizeof(mto), "%.7s", to);
    org_path_end(path, end, sizeof(end));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PENDING_EVENTS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, mfrom);
    db_bind_text(st, 2, mto);
    db_bind_text(st, 3, path);
    db_bind_text(st, 4, end);
    rc = db_step(st);
    info->events = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = commitment_unconfirmed(db, path, from, to, &info->commitments)) < 0)
        return rc;
    return review_open_rounds(db, path, period, &info->reviews);
}

static int64_t key_of(const struct score_subj *s, const char *group)
{
    if (strcmp(group, "hall") == 0)
        return s->hall_id;
    if (strcmp(group, "unit") == 0)
        return s->unit_id;
    return 0;
}

struct bot {
    int64_t key;
    double total;
    size_t idx;
};

static int cmp_bot(const void *a, const void *b)
{
    const struct bot *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->total != y->total)
        return x->total < y->total ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The bottom streaks: a subject is at the bottom of its group when fewer
 * than `summon_bottom` subjects of the group score lower than it (ties
 * share the place) and someone in the group scores higher. */
static int streaks(struct db *db, const struct score_card_full *c, const char *period,
                   struct score_set *set)
{
    char prev[16];
    int rc = score_period_prev(period, prev);
    struct db_stmt *st = NULL;
    if (rc == 0 && (rc = db_prepare(db, SQL_PREV_STREAK, &st)) == 0) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, prev);
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_col_int64(st, 0);
            for (size_t lo = 0, hi = set->n; lo < hi;) {
                size_t mid = (lo + hi) / 2;
                if (set->s[mid].id < id) {
                    lo = mid + 1;
                } else if (set->s[mid].id > id) {
                    hi = mid;
                } else {
                    set->s[mid].streak = (int)db_col_int64(st, 1); /* the previous streak */
                    break;
                }
            }
        }
        db_finalize(st);
    }
    if (rc < 0)
        return rc;
    struct bot *b = malloc((set->n ? set->n : 1) * sizeof(*b));
    if (!b)
        return ERR_NOMEM;
    for (size_t i = 0; i < set->n; i++)
        b[i] = (struct bot){key_of(&set->s[i], c->def.summon_group), set->s[i].total, i};
    qsort(b, set->n, sizeof(*b), cmp_bot);
    for (size_t lo = 0; lo < set->n;) {
        size_t hi = lo;
        while (hi < set->n && b[hi].key == b[lo].key)
            hi++;
        double top = b[hi - 1].total;
        size_t lower = 0; /* members of the group scoring lower than b[i] */
        for (size_t i = lo; i < hi; i++) {
            if (i > lo && b[i].total != b[i - 1].total)
                lower = i - lo;
            struct score_subj *s = &set->s[b[i].idx];
            int grouped = strcmp(c->def.summon_group, "all") == 0 || b[i].key != 0;
            int bottom = grouped && b[i].total < top && lower < (size_t)c->def.summon_bottom;
            s->streak = bottom ? s->streak + 1 : 0;
        }
        lo = hi;
    }
    free(b);
    return 0;
}

static int cmp_flag(const void *a, const void *b)
{
    const struct score_subj *x = *(struct score_subj *const *)a;
    const struct score_subj *y = *(struct score_subj *const *)b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int flags(struct db *db, const struct score_card_full *c, const char *period,
                 const char *kind, struct score_set *set, int64_t now)
{
    int count = strcmp(kind, "month") == 0     ? c->def.flags_month
                : strcmp(kind, "quarter") == 0 ? c->def.flags_quarter
                                               : c->def.flags_year;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FLAGS_REVOKE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0 || count <= 0 || set->n == 0 || strcmp(c->subject, "window") != 0)
        return rc < 0 ? rc : 0;
    struct score_subj **p = malloc(set->n * sizeof(struct score_subj *));
    if (!p)
        return ERR_NOMEM;
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        if (!set->s[i].veto[0])
            p[n++] = &set->s[i];
    qsort(p, n, sizeof(struct score_subj *), cmp_flag);
    /* per group: the first `count` of each group in score order, and every
     * subject tied with the last of them */
    struct {
        int64_t key;
        int given;
        double last;
    } *groups = calloc(n ? n : 1, sizeof(*groups));
    size_t ng = 0;
    int gi = strcmp(c->def.flag_group, "hall") == 0   ? 1
             : strcmp(c->def.flag_group, "unit") == 0 ? 2
                                                      : 0;
    rc = groups ? 0 : ERR_NOMEM;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        int64_t k = key_of(p[i], c->def.flag_group);
        if (strcmp(c->def.flag_group, "all") != 0 && !k)
            continue;
        size_t g = 0;
        while (g < ng && groups[g].key != k)
            g++;
        if (g == ng)
            groups[ng++].key = k;
        if (groups[g].given >= count && p[i]->total != groups[g].last)
            continue;
        groups[g].given++;
        groups[g].last = p[i]->total;
        if ((rc = db_prepare(db, SQL_FLAG, &st)) < 0)
            break;
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, period);
        db_bind_text(st, 3, c->subject);
        db_bind_int64(st, 4, p[i]->id);
        db_bind_int64(st, 5, p[i]->rank[gi]);
        db_bind_int64(st, 6, (int64_t)llround(p[i]->total * 100.0));
        db_bind_int64(st, 7, k);
        db_bind_int64(st, 8, now);
        rc = db_step(st);
        db_finalize(st);
    }
    free(groups);
    free(p);
    return rc < 0 ? rc : 0;
}

int score_close(struct db *db, const struct actor *who, int64_t card_id, const char *period,
                int64_t now, struct score_close_info *info, struct err *e)
{
    memset(info, 0, sizeof(*info));
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int rc = score_card_get(db, card_id, 0, c);
    if (rc < 0) {
        free(c);
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
    }
    char kind[8], from[11], to[11], today[DATE_TEXT];
    struct score_set set = {0};
    queue_service_day(now, today);
    if (!actor_in_scope(who, c->path)) {
        rc = err_set(e, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope");
        goto done;
    }
    if (score_period_range(period, kind, from, to) < 0 || !strstr(c->periods, kind)) {
        rc = err_set(e, ERR_INVALID, "period", "not a period of this scorecard (its kinds: %s)",
                     c->periods);
        goto done;
    }
    if (strcmp(today, to) <= 0) {
        rc = err_set(e, ERR_CONFLICT, "period", "the period %s has not ended (it ends on %s)",
                     period, to);
        goto done;
    }
    int closed = 0;
    if ((rc = score_period_closed(db, c->id, period, &closed)) < 0)
        goto dberr;
    if (closed) {
        rc = err_set(e, ERR_CONFLICT, "state", "the period %s is already closed", period);
        goto done;
    }
    if ((rc = score_unconfirmed(db, c->path, period, info)) < 0)
        goto dberr;
    if (info->events || info->commitments || info->reviews) {
        rc = err_set(e, ERR_CONFLICT, "inputs",
                     "unconfirmed inputs: %" PRId64 " score events, %" PRId64
                     " commitments, %" PRId64 " review rounds",
                     info->events, info->commitments, info->reviews);
        goto done;
    }
    if ((rc = score_collect(db, c, period, 0, &set)) < 0)
        goto dberr;
    score_compute_set(c, &set);
    score_rank_set(&set);
    if ((rc = streaks(db, c, period, &set)) < 0)
        goto dberr;
    struct db_stmt *st = NULL;
    /* every subject's row rewritten in place (its pages once), then the rows
     * of subjects gone since */
    rc = 0;
    for (size_t i = 0; rc >= 0 && i < set.n; i++)
        rc = write_result(db, c, period, &set.s[i], 1, now);
    if (rc >= 0 && (rc = db_prepare(db, SQL_RESULTS_DEL, &st)) >= 0) {
        db_bind_int64(st, 1, c->id);
        db_bind_text(st, 2, period);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0 || (rc = flags(db, c, period, kind, &set, now)) < 0)
        goto dberr;
    if ((rc = db_prepare(db, SQL_PERIOD_CLOSE, &st)) < 0)
        goto dberr;
    db_bind_int64(st, 1, c->id);
    db_bind_text(st, 2, period);
    db_bind_text(st, 3, kind);
    db_bind_int64(st, 4, c->version_id);
    if (who->staff_id)
        db_bind_int64(st, 5, who->staff_id);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, now);
    db_bind_int64(st, 7, (int64_t)set.n);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        goto dberr;
    info->subjects = (int64_t)set.n;
    rc = audit_append(db, who, "score.close", "score_card", c->id, c->node_id, NULL,
                      json_pack("{s:s,s:i,s:I}", "period", period, "version", c->version,
                                "subjects", (json_int_t)set.n));
    if (rc < 0)
        goto dberr;
    rc = 0;
    goto done;
dberr:
    rc = err_set(e, rc, NULL, "database error");
done:
    score_set_free(&set);
    score_card_free(c);
    free(c);
    return rc;
}

static const char SQL_REOPEN[] =
    "UPDATE score_period SET state = 'open', reopened_by = ?3, reopened_at = ?4,"
    " reopen_reason = ?5 WHERE card_id = ?1 AND period = ?2 AND state = 'closed'"
    " RETURNING card_id";

int score_reopen(struct db *db, const struct actor *who, int64_t card_id, const char *period,
                 const char *reason, int64_t now, struct err *e)
{
    struct score_card_full *c = malloc(sizeof(*c));
    if (!c)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    int rc = score_card_get(db, card_id, 0, c);
    if (rc < 0) {
        free(c);
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such scorecard" : "database error");
    }
    int64_t node_id = c->node_id;
    int in_scope = actor_in_scope(who, c->path);
    score_card_free(c);
    free(c);
    if (!in_scope)
        return err_set(e, ERR_FORBIDDEN, NULL, "the scorecard is outside your scope");
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_REOPEN, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    if (who->staff_id)
        db_bind_int64(st, 3, who->staff_id);
    else
        db_bind_null(st, 3);
    db_bind_int64(st, 4, now);
    db_bind_text(st, 5, reason);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_CONFLICT, "state", "the period %s is not closed", period);
    if ((rc = db_prepare(db, SQL_FLAGS_REVOKE, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, card_id);
    db_bind_text(st, 2, period);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "score.reopen", "score_card", card_id, node_id, NULL,
                      json_pack("{s:s,s:s}", "period", period, "reason", reason));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

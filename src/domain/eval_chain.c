/* eval_chain.c - the evaluations' hash chain, their rollups, and reading one
 * evaluation back (DESIGN.md §4: append-only, hash-chained, rollups kept
 * incrementally). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/pii.h"
#include "domain/eval_impl.h"
#include "domain/queue.h"
#include "domain/score.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

void eval_day(int64_t t, char out[DATE_TEXT])
{
    queue_service_day(t, out);
}

/* ---- rollups ---- */

static const char SQL_ROLLUP[] =
    "INSERT INTO eval_rollup (day, window_id, staff_id, item_id, channel, set_id, n1, n2, n3, n4,"
    " n5, active, active_good, defaulted, unrated, bad, excluded, bad_replied, bad_rectified,"
    " bad_satisfied, dim_n, dim1, dim2, dim3, dim4, dim5, dim6, dim7, dim8)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
    " ON CONFLICT (day, window_id, staff_id, item_id, channel, set_id) DO UPDATE SET"
    " n1 = eval_rollup.n1 + EXCLUDED.n1, n2 = eval_rollup.n2 + EXCLUDED.n2,"
    " n3 = eval_rollup.n3 + EXCLUDED.n3, n4 = eval_rollup.n4 + EXCLUDED.n4,"
    " n5 = eval_rollup.n5 + EXCLUDED.n5, active = eval_rollup.active + EXCLUDED.active,"
    " active_good = eval_rollup.active_good + EXCLUDED.active_good,"
    " defaulted = eval_rollup.defaulted + EXCLUDED.defaulted,"
    " unrated = eval_rollup.unrated + EXCLUDED.unrated, bad = eval_rollup.bad + EXCLUDED.bad,"
    " excluded = eval_rollup.excluded + EXCLUDED.excluded,"
    " bad_replied = eval_rollup.bad_replied + EXCLUDED.bad_replied,"
    " bad_rectified = eval_rollup.bad_rectified + EXCLUDED.bad_rectified,"
    " bad_satisfied = eval_rollup.bad_satisfied + EXCLUDED.bad_satisfied,"
    " dim_n = eval_rollup.dim_n + EXCLUDED.dim_n, dim1 = eval_rollup.dim1 + EXCLUDED.dim1,"
    " dim2 = eval_rollup.dim2 + EXCLUDED.dim2, dim3 = eval_rollup.dim3 + EXCLUDED.dim3,"
    " dim4 = eval_rollup.dim4 + EXCLUDED.dim4, dim5 = eval_rollup.dim5 + EXCLUDED.dim5,"
    " dim6 = eval_rollup.dim6 + EXCLUDED.dim6, dim7 = eval_rollup.dim7 + EXCLUDED.dim7,"
    " dim8 = eval_rollup.dim8 + EXCLUDED.dim8";

static const char SQL_MONTH[] =
    "INSERT INTO eval_month_window (month, window_id, n1, n2, n3, n4, n5, active, active_good,"
    " defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    " ON CONFLICT (month, window_id) DO UPDATE SET"
    " n1 = eval_month_window.n1 + EXCLUDED.n1, n2 = eval_month_window.n2 + EXCLUDED.n2,"
    " n3 = eval_month_window.n3 + EXCLUDED.n3, n4 = eval_month_window.n4 + EXCLUDED.n4,"
    " n5 = eval_month_window.n5 + EXCLUDED.n5,"
    " active = eval_month_window.active + EXCLUDED.active,"
    " active_good = eval_month_window.active_good + EXCLUDED.active_good,"
    " defaulted = eval_month_window.defaulted + EXCLUDED.defaulted,"
    " unrated = eval_month_window.unrated + EXCLUDED.unrated,"
    " bad = eval_month_window.bad + EXCLUDED.bad,"
    " excluded = eval_month_window.excluded + EXCLUDED.excluded,"
    " bad_replied = eval_month_window.bad_replied + EXCLUDED.bad_replied,"
    " bad_rectified = eval_month_window.bad_rectified + EXCLUDED.bad_rectified,"
    " bad_satisfied = eval_month_window.bad_satisfied + EXCLUDED.bad_satisfied";

/* The same per month and staff member (scorecards of staff, score.h). */
static const char SQL_MONTH_STAFF[] =
    "INSERT INTO eval_month_staff (month, staff_id, n1, n2, n3, n4, n5, active, active_good,"
    " defaulted, unrated, bad, excluded, bad_replied, bad_rectified, bad_satisfied)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    " ON CONFLICT (month, staff_id) DO UPDATE SET"
    " n1 = eval_month_staff.n1 + EXCLUDED.n1, n2 = eval_month_staff.n2 + EXCLUDED.n2,"
    " n3 = eval_month_staff.n3 + EXCLUDED.n3, n4 = eval_month_staff.n4 + EXCLUDED.n4,"
    " n5 = eval_month_staff.n5 + EXCLUDED.n5,"
    " active = eval_month_staff.active + EXCLUDED.active,"
    " active_good = eval_month_staff.active_good + EXCLUDED.active_good,"
    " defaulted = eval_month_staff.defaulted + EXCLUDED.defaulted,"
    " unrated = eval_month_staff.unrated + EXCLUDED.unrated,"
    " bad = eval_month_staff.bad + EXCLUDED.bad,"
    " excluded = eval_month_staff.excluded + EXCLUDED.excluded,"
    " bad_replied = eval_month_staff.bad_replied + EXCLUDED.bad_replied,"
    " bad_rectified = eval_month_staff.bad_rectified + EXCLUDED.bad_rectified,"
    " bad_satisfied = eval_month_staff.bad_satisfied + EXCLUDED.bad_satisfied";

/* the figures both rollups share, from parameter `from` on */
static void bind_counts(struct db_stmt *st, int from, const struct eval_delta *d)
{
    const int64_t v[] = {d->n[0],     d->n[1],        d->n[2],          d->n[3],         d->n[4],
                         d->active,   d->active_good, d->defaulted,     d->unrated,      d->bad,
                         d->excluded, d->bad_replied, d->bad_rectified, d->bad_satisfied};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        db_bind_int64(st, from + (int)i, v[i]);
}

int eval_rollup_add(struct db *db, const struct eval_key *k, const struct eval_delta *d)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_ROLLUP, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, k->day);
    db_bind_int64(st, 2, k->window_id);
    db_bind_int64(st, 3, k->staff_id);
    db_bind_int64(st, 4, k->item_id);
    db_bind_text(st, 5, k->channel);
    db_bind_int64(st, 6, k->set_id);
    bind_counts(st, 7, d);
    db_bind_int64(st, 21, d->dim_n);
    for (int i = 0; i < EVAL_DIMS_MAX; i++)
        db_bind_int64(st, 22 + i, d->dim[i]);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    char month[8];
    snprintf(month, sizeof(month), "%.7s", k->day);
    for (int pass = 0; pass < 2; pass++) {
        int64_t id = pass == 0 ? k->window_id : k->staff_id;
        if (!id)
            continue;
        rc = db_prepare(db, pass == 0 ? SQL_MONTH : SQL_MONTH_STAFF, &st);
        if (rc < 0)
            return rc;
        db_bind_text(st, 1, month);
        db_bind_int64(st, 2, id);
        bind_counts(st, 3, d);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    /* the scorecards read these figures: rescore both (score.h) */
    return score_touch2(db, k->day, k->window_id, k->staff_id);
}

static const char SQL_KEY[] =
    "SELECT day, COALESCE(window_id, 0), COALESCE(staff_id, 0), COALESCE(item_id, 0), channel,"
    " COALESCE(set_id, 0), bad, excluded, kind FROM evaluation WHERE id = ?1";

int eval_rollup_bad(struct db *db, int64_t evaluation_id, const char *column, int delta)
{
    struct eval_delta d = {0};
    if (strcmp(column, "bad_replied") == 0)
        d.bad_replied = delta;
    else if (strcmp(column, "bad_rectified") == 0)
        d.bad_rectified = delta;
    else if (strcmp(column, "bad_satisfied") == 0)
        d.bad_satisfied = delta;
    else
        return ERR_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_KEY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, evaluation_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    char day[DATE_TEXT], channel[16];
    snprintf(day, sizeof(day), "%s", db_col_text(st, 0));
    snprintf(channel, sizeof(channel), "%s", db_col_text(st, 4));
    struct eval_key k = {day,     db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3),
                         channel, db_col_int64(st, 5)};
    int counted = db_col_int64(st, 6) == 1 && strcmp(db_col_text(st, 8), "first") == 0;
    db_finalize(st);
    if (!counted) /* only a first 差评 has a work order whose steps count */
        return ERR_CONFLICT;
    return eval_rollup_add(db, &k, &d);
}

static const char SQL_EXCLUDE[] = "UPDATE evaluation SET excluded = 1"
                                  " WHERE id = ?1 AND kind = 'first' AND bad = 1 AND excluded = 0"
                                  " AND defaulted = 0 RETURNING id";

int eval_exclude(struct db *db, int64_t evaluation_id, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_EXCLUDE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, evaluation_id);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_CONFLICT, "evaluation_id",
                       "evaluation %" PRId64 " is not a counted 差评", evaluation_id);
    rc = db_prepare(db, SQL_KEY, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, evaluation_id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return err_set(e, rc < 0 ? rc : ERR_NOTFOUND, NULL, "database error");
    }
    char day[DATE_TEXT], channel[16];
    snprintf(day, sizeof(day), "%s", db_col_text(st, 0));
    snprintf(channel, sizeof(channel), "%s", db_col_text(st, 4));
    struct eval_key k = {day,     db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3),
                         channel, db_col_int64(st, 5)};
    db_finalize(st);
    struct eval_delta d = {.bad = -1, .excluded = 1};
    rc = eval_rollup_add(db, &k, &d);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* ---- the chain ---- */

/* The canonical text of a record: fields separated by the unit separator
 * (0x1f), which no field may contain (texts are checked by parse_text, codes
 * and JSON are built here). */
static const char *nz(const char *s)
{
    return s ? s : "";
}

static char *canonical(const struct eval_rec *r, const struct eval_secret *x)
{
    size_t cap = 1024 + strlen(r->prev_hash) + strlen(r->reasons) + strlen(r->text) +
                 strlen(r->dims) + strlen(r->device) + strlen(r->ip) + strlen(r->evaluator_name) +
                 strlen(nz(r->phone_mask)) + strlen(nz(r->id_mask)) + strlen(nz(x->phone_hash)) +
                 strlen(nz(x->phone_enc)) + strlen(nz(x->id_enc));
    char *s = malloc(cap);
    if (!s)
        return NULL;
    int n = snprintf(
        s, cap,
        "%s\n%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%d\x1f%d\x1f%s\x1f%s\x1f%" PRId64 "\x1f%s\x1f%s"
        "\x1f%" PRId64 "\x1f%s\x1f%s\x1f%" PRId64 "\x1f%s\x1f%s\x1f%" PRId64 "\x1f%" PRId64
        "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%" PRId64 "\x1f%s\x1f%" PRId64
        "\x1f%d\x1f%" PRId64 "\x1f%s\x1f%s\x1f%s\x1f%s",
        r->prev_hash, r->id, r->event_id, r->kind, r->level, r->defaulted, r->reasons, r->text,
        r->set_id, r->dims, r->channel, r->device_id, r->device, r->ip, r->entered_by,
        r->evaluator_name, nz(x->phone_hash), r->region_id, r->hall_id, r->window_id, r->staff_id,
        r->item_id, r->version_id, r->day, r->created_at, r->bad, r->unit_id, nz(r->phone_mask),
        nz(r->id_mask), nz(x->phone_enc), nz(x->id_enc));
    if (n < 0 || (size_t)n >= cap) {
        free(s);
        return NULL;
    }
    return s;
}

int eval_record_hash(const struct eval_rec *r, const struct eval_secret *x,
                     char out[CRYPTO_SHA256_HEX])
{
    char *c = canonical(r, x);
    if (!c)
        return ERR_NOMEM;
    crypto_sha256_hex(c, strlen(c), out);
    free(c);
    return 0;
}

static const char SQL_BUMP[] = "UPDATE eval_head SET last_id = last_id + 1 WHERE id = 1"
                               " RETURNING last_id, last_hash";
static const char SQL_SET_HEAD[] = "UPDATE eval_head SET last_hash = ?1 WHERE id = 1";
static const char SQL_INSERT[] =
    "INSERT INTO evaluation (id, event_id, kind, level, bad, defaulted, reasons, text, set_id,"
    " dims, channel, device_id, device, ip, entered_by, evaluator_name, phone_enc, phone_hash,"
    " phone_mask, id_enc, id_mask, region_id, hall_id, unit_id, window_id, staff_id, item_id,"
    " version_id, day, created_at, prev_hash, hash)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";

static void bind_opt(struct db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int64(st, i, v);
    else
        db_bind_null(st, i);
}

int eval_append(struct db *db, struct eval_rec *r, const char *phone_enc, const char *phone_hash,
                const char *id_enc, struct arena *a)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_BUMP, &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_DB;
    }
    r->id = db_col_int64(st, 0);
    const char *p = db_col_text(st, 1);
    r->prev_hash = arena_strdup(a, p && *p ? p : ZERO_HASH);
    db_finalize(st);
    r->hash = arena_alloc(a, CRYPTO_SHA256_HEX);
    if (!r->prev_hash || !r->hash)
        return ERR_NOMEM;
    struct eval_secret x = {phone_hash, phone_enc, id_enc};
    rc = eval_record_hash(r, &x, r->hash);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, r->event_id);
    db_bind_text(st, 3, r->kind);
    db_bind_int64(st, 4, r->level);
    db_bind_int64(st, 5, r->bad);
    db_bind_int64(st, 6, r->defaulted);
    db_bind_text(st, 7, r->reasons);
    db_bind_text(st, 8, r->text);
    bind_opt(st, 9, r->set_id);
    db_bind_text(st, 10, r->dims);
    db_bind_text(st, 11, r->channel);
    bind_opt(st, 12, r->device_id);
    db_bind_text(st, 13, r->device);
    db_bind_text(st, 14, r->ip);
    bind_opt(st, 15, r->entered_by);
    db_bind_text(st, 16, r->evaluator_name);
    db_bind_text(st, 17, phone_enc);
    db_bind_text(st, 18, phone_hash);
    db_bind_text(st, 19, r->phone_mask);
    db_bind_text(st, 20, id_enc);
    db_bind_text(st, 21, r->id_mask);
    db_bind_int64(st, 22, r->region_id);
    bind_opt(st, 23, r->hall_id);
    bind_opt(st, 24, r->unit_id);
    bind_opt(st, 25, r->window_id);
    bind_opt(st, 26, r->staff_id);
    bind_opt(st, 27, r->item_id);
    bind_opt(st, 28, r->version_id);
    db_bind_text(st, 29, r->day);
    db_bind_int64(st, 30, r->created_at);
    db_bind_text(st, 31, r->prev_hash);
    db_bind_text(st, 32, r->hash);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_SET_HEAD, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, r->hash);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* ---- reading ---- */

#define EVAL_COLS                                                                                  \
    "v.id, v.event_id, v.kind, v.level, v.bad, v.defaulted, v.excluded, v.reasons, v.text,"        \
    " COALESCE(v.set_id, 0), v.dims, v.channel, COALESCE(v.device_id, 0), v.device, v.ip,"         \
    " COALESCE(v.entered_by, 0), v.evaluator_name, v.phone_mask, v.id_mask, v.region_id,"          \
    " COALESCE(v.hall_id, 0), COALESCE(v.unit_id, 0), COALESCE(v.window_id, 0),"                   \
    " COALESCE(v.staff_id, 0), COALESCE(v.item_id, 0), COALESCE(v.version_id, 0), v.day,"          \
    " v.created_at, v.prev_hash, v.hash, v.phone_hash, v.phone_enc, v.id_enc"

static char *dup_col(struct db_stmt *st, int col, struct arena *a)
{
    const char *s = db_col_text(st, col);
    return arena_strdup(a, s ? s : "");
}

/* Fill r from a row of EVAL_COLS; *phone_hash (when not NULL) the stored
 * phone hash or NULL. */
static int read_eval(struct db_stmt *st, struct arena *a, struct eval_rec *r, struct eval_secret *x)
{
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->event_id = db_col_int64(st, 1);
    snprintf(r->kind, sizeof(r->kind), "%s", db_col_text(st, 2));
    r->level = (int)db_col_int64(st, 3);
    r->bad = (int)db_col_int64(st, 4);
    r->defaulted = (int)db_col_int64(st, 5);
    r->excluded = (int)db_col_int64(st, 6);
    r->reasons = dup_col(st, 7, a);
    r->text = dup_col(st, 8, a);
    r->set_id = db_col_int64(st, 9);
    r->dims = dup_col(st, 10, a);
    snprintf(r->channel, sizeof(r->channel), "%s", db_col_text(st, 11));
    r->device_id = db_col_int64(st, 12);
    r->device = dup_col(st, 13, a);
    r->ip = dup_col(st, 14, a);
    r->entered_by = db_col_int64(st, 15);
    r->evaluator_name = dup_col(st, 16, a);
    r->phone_mask = dup_col(st, 17, a);
    r->id_mask = dup_col(st, 18, a);
    r->region_id = db_col_int64(st, 19);
    r->hall_id = db_col_int64(st, 20);
    r->unit_id = db_col_int64(st, 21);
    r->window_id = db_col_int64(st, 22);
    r->staff_id = db_col_int64(st, 23);
    r->item_id = db_col_int64(st, 24);
    r->version_id = db_col_int64(st, 25);
    snprintf(r->day, sizeof(r->day), "%s", db_col_text(st, 26));
    r->created_at = db_col_int64(st, 27);
    r->prev_hash = dup_col(st, 28, a);
    r->hash = dup_col(st, 29, a);
    if (x) {
        x->phone_hash = db_col_is_null(st, 30) ? NULL : dup_col(st, 30, a);
        x->phone_enc = db_col_is_null(st, 31) ? NULL : dup_col(st, 31, a);
        x->id_enc = db_col_is_null(st, 32) ? NULL : dup_col(st, 32, a);
    }
    if (!r->reasons || !r->text || !r->dims || !r->device || !r->ip || !r->evaluator_name ||
        !r->phone_mask || !r->id_mask || !r->prev_hash || !r->hash)
        return ERR_NOMEM;
    return 0;
}

static const char SQL_GET[] =
    "SELECT " EVAL_COLS ", s.name, w.name, e.item_name, e.item_code, e.node_path,"
    " (SELECT COUNT(*) FROM eval_flag f WHERE f.evaluation_id = v.id AND f.status = 'open')"
    " FROM evaluation v JOIN eval_event e ON e.id = v.event_id"
    " LEFT JOIN staff s ON s.id = v.staff_id LEFT JOIN org_node w ON w.id = v.window_id"
    " WHERE v.id = ?1";

int eval_get(struct db *db, int64_t id, struct arena *a, struct eval_rec *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        rc = read_eval(st, a, out, NULL);
        if (rc == 0) {
            out->staff_name = dup_col(st, 33, a);
            out->window_name = dup_col(st, 34, a);
            out->item_name = dup_col(st, 35, a);
            out->item_code = dup_col(st, 36, a);
            out->node_path = dup_col(st, 37, a);
            out->flags = db_col_int64(st, 38);
        }
    } else if (rc == DB_DONE) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_IDENTITY[] =
    "SELECT evaluator_name, phone_enc, id_enc FROM evaluation WHERE id = ?1";

int eval_identity(struct db *db, int64_t id, struct arena *a, char **name, char **phone,
                  char **id_number)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_IDENTITY, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc != DB_ROW) {
        db_finalize(st);
        return rc < 0 ? rc : ERR_NOTFOUND;
    }
    char buf[PII_ENC_MAX];
    *name = dup_col(st, 0, a);
    *phone = arena_strdup(a, "");
    *id_number = arena_strdup(a, "");
    for (int col = 1; col <= 2 && rc >= 0; col++) {
        const char *enc = db_col_text(st, col);
        if (!enc || !*enc)
            continue;
        rc = pii_decrypt(enc, buf, sizeof(buf));
        if (rc >= 0) {
            char *v = arena_strdup(a, buf);
            if (col == 1)
                *phone = v;
            else
                *id_number = v;
        }
        crypto_wipe(buf, sizeof(buf));
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return *name && *phone && *id_number ? 0 : ERR_NOMEM;
}

/* ---- chain heads and verification ---- */

static const char SQL_DAY_COUNT[] = "SELECT COUNT(*), COALESCE(MIN(id), 0) FROM evaluation WHERE "
                                    "created_at >= ?1 AND created_at < ?2";
/* the last record before the day's end: ids follow the chain; created_at is
 * the submitting node's clock, so look at the last hour by id */
static const char SQL_DAY_LAST[] = "SELECT id, hash FROM evaluation WHERE created_at >= ?1"
                                   " AND created_at < ?2 ORDER BY id DESC LIMIT 1";
static const char SQL_BEFORE_LAST[] =
    "SELECT id, hash FROM evaluation WHERE created_at < ?1 ORDER BY created_at DESC, id DESC"
    " LIMIT 1";

int eval_chain_head(struct db *db, const char *date, struct eval_chain_head *out)
{
    int32_t d;
    memset(out, 0, sizeof(*out));
    if (date_parse(date, &d) < 0)
        return ERR_INVALID;
    snprintf(out->date, sizeof(out->date), "%s", date);
    /* the local (UTC+8) day [start, end) */
    int64_t start = (int64_t)d * 86400 - (int64_t)8 * 3600, end = start + 86400;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_DAY_COUNT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, start);
    db_bind_int64(st, 2, end);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->count = db_col_int64(st, 0);
        out->first_id = db_col_int64(st, 1);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int pass = 0; pass < 2 && !out->last_id; pass++) {
        rc = db_prepare(db, pass == 0 ? SQL_DAY_LAST : SQL_BEFORE_LAST, &st);
        if (rc < 0)
            return rc;
        if (pass == 0) {
            db_bind_int64(st, 1, end - 3600);
            db_bind_int64(st, 2, end);
        } else {
            db_bind_int64(st, 1, end);
        }
        rc = db_step(st);
        if (rc == DB_ROW) {
            out->last_id = db_col_int64(st, 0);
            snprintf(out->head, sizeof(out->head), "%s", db_col_text(st, 1));
        }
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const char SQL_ALL[] = "SELECT " EVAL_COLS " FROM evaluation v WHERE v.id > ?1"
                              " ORDER BY v.id LIMIT 1000";
static const char SQL_HEAD[] = "SELECT last_id, last_hash FROM eval_head WHERE id = 1";

int eval_verify(struct db *db, FILE *out, int64_t *checked, int64_t *bad)
{
    char prev[CRYPTO_SHA256_HEX] = ZERO_HASH, hash[CRYPTO_SHA256_HEX];
    int64_t last = 0, expect = 1;
    *checked = 0;
    *bad = 0;
    struct arena a = {0};
    int rc = 0, more = 1;
    while (more && rc >= 0) {
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_ALL, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, last);
        more = 0;
        while ((rc = db_step(st)) == DB_ROW) {
            struct eval_rec r;
            struct eval_secret x = {0};
            arena_reset(&a);
            rc = read_eval(st, &a, &r, &x);
            if (rc < 0)
                break;
            more = 1;
            last = r.id;
            (*checked)++;
            if (r.id != expect) {
                fprintf(out,
                        "evaluation %" PRId64 ": expected id %" PRId64 " (a record is missing)\n",
                        r.id, expect);
                (*bad)++;
            }
            expect = r.id + 1;
            if (strcmp(r.prev_hash, prev) != 0) {
                fprintf(out, "evaluation %" PRId64 ": prev_hash does not match the record before\n",
                        r.id);
                (*bad)++;
            }
            if (r.bad != (r.level <= 2 && !r.defaulted)) {
                fprintf(out, "evaluation %" PRId64 ": bad does not follow its level\n", r.id);
                (*bad)++;
            }
            if (eval_record_hash(&r, &x, hash) < 0) {
                rc = ERR_NOMEM;
                break;
            }
            if (strcmp(hash, r.hash) != 0) {
                fprintf(out, "evaluation %" PRId64 ": hash does not match its content\n", r.id);
                (*bad)++;
            }
            snprintf(prev, sizeof(prev), "%s", r.hash);
        }
        db_finalize(st);
    }
    if (rc >= 0) {
        int64_t head_id = 0;
        char head_hash[CRYPTO_SHA256_HEX] = "";
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_HEAD, &st);
        if (rc >= 0) {
            rc = db_step(st);
            if (rc == DB_ROW) {
                head_id = db_col_int64(st, 0);
                snprintf(head_hash, sizeof(head_hash), "%s", db_col_text(st, 1));
            }
            db_finalize(st);
        }
        if (rc >= 0 && head_id != last) {
            fprintf(out,
                    "evaluation chain head says %" PRId64 " but the chain ends at %" PRId64 "\n",
                    head_id, last);
            (*bad)++;
        } else if (rc >= 0 && last && strcmp(head_hash, prev) != 0) {
            fprintf(out, "evaluation chain head's hash does not match evaluation %" PRId64 "\n",
                    last);
            (*bad)++;
        }
    }
    arena_reset(&a);
    if (rc < 0)
        return rc;
    if (*bad == 0)
        fprintf(out, "evaluation chain intact: %" PRId64 " records checked, head %s\n", *checked,
                last ? prev : "(empty)");
    return *bad ? 1 : 0;
}

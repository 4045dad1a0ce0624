/* catalog.c - the service catalogue (事项): items, versions, materials,
 * steps, places, sample files and the record of notices given (see
 * catalog.h). */
#include "domain/catalog.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "base/parse.h"
#include "domain/audit.h"
#include "domain/org.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- names and small checks ---- */

static const char *const unit_names[] = {
    [CATALOG_WORKDAYS] = "workdays",
    [CATALOG_DAYS] = "days",
    [CATALOG_HOURS] = "hours",
};

enum catalog_unit catalog_unit_parse(const char *s)
{
    if (s)
        for (int u = CATALOG_WORKDAYS; u <= CATALOG_HOURS; u++)
            if (strcmp(s, unit_names[u]) == 0)
                return (enum catalog_unit)u;
    return (enum catalog_unit)0;
}

const char *catalog_unit_name(enum catalog_unit u)
{
    return u >= CATALOG_WORKDAYS && u <= CATALOG_HOURS ? unit_names[u] : "";
}

int catalog_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > CATALOG_CODE_MAX)
        return 0;
    for (; *code; code++) {
        char c = *code;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* natural days that n working days can span: ceil(n * 7 / 5) */
static int64_t workday_span(int64_t n)
{
    return (n * 7 + 4) / 5;
}

int catalog_limits_ok(int promised, enum catalog_unit pu, int legal, enum catalog_unit lu)
{
    if (promised < 0 || legal < 0 || promised > CATALOG_LIMIT_MAX || legal > CATALOG_LIMIT_MAX ||
        !*catalog_unit_name(pu) || !*catalog_unit_name(lu))
        return 0;
    int64_t p = promised, l = legal;
    if (pu == lu)
        return p <= l;
    if (pu == CATALOG_DAYS && lu == CATALOG_WORKDAYS)
        return p <= l;
    if (pu == CATALOG_WORKDAYS && lu == CATALOG_DAYS)
        return workday_span(p) <= l;
    if (pu == CATALOG_HOURS) /* legal in days or working days */
        return p <= 24 * l;
    if (pu == CATALOG_DAYS) /* legal in hours */
        return 24 * p <= l;
    return 24 * workday_span(p) <= l; /* working days against hours */
}

static int phone_ok(const char *s)
{
    static const char *const wide[] = {"、", "，", "转"};
    for (const char *p = s; *p;) {
        if (strchr("0123456789 +-()/,;", *p)) {
            p++;
            continue;
        }
        size_t k = 0;
        while (k < sizeof(wide) / sizeof(wide[0]) && strncmp(p, wide[k], strlen(wide[k])) != 0)
            k++;
        if (k == sizeof(wide) / sizeof(wide[0]))
            return 0;
        p += strlen(wide[k]);
    }
    return *s == '\0' || strpbrk(s, "0123456789") != NULL;
}

static int form_ok(const char *f)
{
    return f && (strcmp(f, "original") == 0 || strcmp(f, "copy") == 0 ||
                 strcmp(f, "original_and_copy") == 0 || strcmp(f, "electronic") == 0);
}

static int prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n > 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 'A' || p[i] > 'Z')
            return 0;
    return 1;
}

/* ---- validation ---- */

struct faults {
    struct err *errs;
    int cap, n;
};

static void fault(struct faults *f, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fault(struct faults *f, const char *field, const char *fmt, ...)
{
    if (f->n < f->cap) {
        struct err *e = &f->errs[f->n];
        e->code = ERR_INVALID;
        snprintf(e->field, sizeof(e->field), "%s", field);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
    }
    f->n++;
}

static void text_check(struct faults *f, const char *field, const char *s, size_t min, size_t max,
                       int multiline)
{
    if (parse_text(nz(s), min, max, multiline) == 0)
        return;
    if (min > 0)
        fault(f, field, "%s must have %zu-%zu characters%s", field, min, max,
              multiline ? "" : " on one line");
    else
        fault(f, field, "%s must have at most %zu characters%s", field, max,
              multiline ? "" : " on one line");
}

static void limits_check(struct faults *f, const struct catalog_version *v)
{
    enum catalog_unit lu = catalog_unit_parse(v->legal_unit);
    enum catalog_unit pu = catalog_unit_parse(v->promised_unit);
    int ok = 1;
    if (!lu) {
        fault(f, "legal_limit.unit", "legal_limit.unit must be workdays, days or hours");
        ok = 0;
    }
    if (v->legal_limit < 0 || v->legal_limit > CATALOG_LIMIT_MAX) {
        fault(f, "legal_limit.value", "legal_limit.value must be between 0 and %d",
              CATALOG_LIMIT_MAX);
        ok = 0;
    }
    if (!pu) {
        fault(f, "promised_limit.unit", "promised_limit.unit must be workdays, days or hours");
        ok = 0;
    }
    if (v->promised_limit < 0 || v->promised_limit > CATALOG_LIMIT_MAX) {
        fault(f, "promised_limit.value", "promised_limit.value must be between 0 and %d",
              CATALOG_LIMIT_MAX);
        ok = 0;
    } else if (v->kind && strcmp(v->kind, "promised") == 0 && v->promised_limit < 1) {
        fault(f, "promised_limit.value",
              "a promised item (承诺件) needs a promised limit of at least 1");
        ok = 0;
    }
    if (ok && !catalog_limits_ok(v->promised_limit, pu, v->legal_limit, lu))
        fault(f, "promised_limit", "the promised limit (%d %s) exceeds the legal limit (%d %s)",
              v->promised_limit, v->promised_unit, v->legal_limit, v->legal_unit);
}

static void material_check(struct faults *f, const struct catalog_material *m, int i)
{
    char field[64];
    snprintf(field, sizeof(field), "materials[%d].name", i);
    text_check(f, field, m->name, 1, CATALOG_SHORT_MAX, 0);
    snprintf(field, sizeof(field), "materials[%d].form", i);
    if (!form_ok(m->form))
        fault(f, field, "%s must be original, copy, original_and_copy or electronic", field);
    snprintf(field, sizeof(field), "materials[%d].copies", i);
    int electronic = m->form && strcmp(m->form, "electronic") == 0;
    if (m->copies < (electronic ? 0 : 1) || m->copies > CATALOG_COPIES_MAX)
        fault(f, field, "%s must be between %d and %d", field, electronic ? 0 : 1,
              CATALOG_COPIES_MAX);
    snprintf(field, sizeof(field), "materials[%d].issuer", i);
    text_check(f, field, m->issuer, 0, CATALOG_SHORT_MAX, 0);
    snprintf(field, sizeof(field), "materials[%d].notes", i);
    text_check(f, field, m->notes, 0, CATALOG_SHORT_MAX, 1);
    snprintf(field, sizeof(field), "materials[%d].required", i);
    if (m->required != 0 && m->required != 1)
        fault(f, field, "%s must be true or false", field);
    snprintf(field, sizeof(field), "materials[%d].sample_file_id", i);
    if (m->sample_file_id < 0)
        fault(f, field, "%s must be a file id", field);
}

static void validate(struct faults *f, const struct catalog_version *v)
{
    char field[64];
    text_check(f, "name", v->name, 1, CATALOG_NAME_MAX, 0);
    if (!v->kind || (strcmp(v->kind, "immediate") != 0 && strcmp(v->kind, "promised") != 0))
        fault(f, "kind", "kind must be immediate (即办件) or promised (承诺件)");
    limits_check(f, v);
    text_check(f, "basis", v->basis, 0, CATALOG_TEXT_MAX, 1);
    text_check(f, "conditions", v->conditions, 0, CATALOG_TEXT_MAX, 1);
    text_check(f, "remedies", v->remedies, 0, CATALOG_TEXT_MAX, 1);
    if (v->fee_free != 0 && v->fee_free != 1)
        fault(f, "fee.free", "fee.free must be true or false");
    if (v->fee_amount_cents < 0 || v->fee_amount_cents > CATALOG_FEE_MAX_CENTS)
        fault(f, "fee.amount_cents", "fee.amount_cents must be between 0 and %lld",
              (long long)CATALOG_FEE_MAX_CENTS);
    else if (v->fee_free && v->fee_amount_cents != 0)
        fault(f, "fee.amount_cents", "a free item has no fee amount");
    text_check(f, "fee.basis", v->fee_basis, 0, CATALOG_SHORT_MAX, 1);
    if (v->appointable != 0 && v->appointable != 1)
        fault(f, "appointable", "appointable must be true or false");
    if (!prefix_ok(nz(v->ticket_prefix)))
        fault(f, "ticket_prefix", "ticket_prefix must be empty or 1-2 capital letters");
    const char *online = nz(v->online);
    if (strcmp(online, "none") != 0 && strcmp(online, "partial") != 0 &&
        strcmp(online, "full") != 0)
        fault(f, "online", "online must be none, partial or full");
    if (parse_text(nz(v->phone), 0, CATALOG_PHONE_MAX, 0) < 0 || !phone_ok(nz(v->phone)))
        fault(f, "phone",
              "phone must have at most %d characters: digits, spaces and + - ( ) / , ; 、 转",
              CATALOG_PHONE_MAX);
    if (v->nmaterials < 0 || v->nmaterials > CATALOG_MAX_MATERIALS)
        fault(f, "materials", "at most %d materials", CATALOG_MAX_MATERIALS);
    else
        for (int i = 0; i < v->nmaterials; i++)
            material_check(f, &v->materials[i], i);
    if (v->nsteps < 0 || v->nsteps > CATALOG_MAX_STEPS) {
        fault(f, "steps", "at most %d steps", CATALOG_MAX_STEPS);
    } else {
        for (int i = 0; i < v->nsteps; i++) {
            snprintf(field, sizeof(field), "steps[%d].title", i);
            text_check(f, field, v->steps[i].title, 1, CATALOG_SHORT_MAX, 0);
            snprintf(field, sizeof(field), "steps[%d].description", i);
            text_check(f, field, v->steps[i].description, 0, CATALOG_TEXT_MAX, 1);
        }
    }
    if (v->nplaces < 0 || v->nplaces > CATALOG_MAX_PLACES) {
        fault(f, "places", "at most %d places", CATALOG_MAX_PLACES);
    } else {
        for (int i = 0; i < v->nplaces; i++) {
            snprintf(field, sizeof(field), "places[%d]", i);
            if (v->places[i].node_id <= 0) {
                fault(f, field, "%s must be a node id", field);
                continue;
            }
            for (int k = 0; k < i; k++)
                if (v->places[k].node_id == v->places[i].node_id) {
                    fault(f, field, "%s lists node %lld a second time", field,
                          (long long)v->places[i].node_id);
                    break;
                }
        }
    }
}

int catalog_validate_all(const struct catalog_version *v, struct err *errs, int cap, int *n)
{
    struct faults f = {errs, cap, 0};
    validate(&f, v);
    *n = f.n;
    return f.n ? ERR_INVALID : 0;
}

int catalog_validate(const struct catalog_version *v, struct err *e)
{
    struct err first = {0};
    int n = 0;
    if (catalog_validate_all(v, &first, 1, &n) == 0)
        return 0;
    return err_set(e, ERR_INVALID, first.field, "%s", first.msg);
}

static int same(const char *a, const char *b)
{
    return strcmp(nz(a), nz(b)) == 0;
}

static int has_place(const struct catalog_version *v, int64_t id)
{
    for (int i = 0; i < v->nplaces; i++)
        if (v->places[i].node_id == id)
            return 1;
    return 0;
}

int catalog_content_equal(const struct catalog_version *a, const struct catalog_version *b)
{
    if (!same(a->name, b->name) || !same(a->kind, b->kind) || a->legal_limit != b->legal_limit ||
        !same(a->legal_unit, b->legal_unit) || a->promised_limit != b->promised_limit ||
        !same(a->promised_unit, b->promised_unit) || !same(a->basis, b->basis) ||
        !same(a->conditions, b->conditions) || !same(a->remedies, b->remedies) ||
        a->fee_free != b->fee_free || a->fee_amount_cents != b->fee_amount_cents ||
        !same(a->fee_basis, b->fee_basis) || a->appointable != b->appointable ||
        !same(a->ticket_prefix, b->ticket_prefix) || !same(a->online, b->online) ||
        !same(a->phone, b->phone) || a->nmaterials != b->nmaterials || a->nsteps != b->nsteps ||
        a->nplaces != b->nplaces)
        return 0;
    for (int i = 0; i < a->nmaterials; i++) {
        const struct catalog_material *x = &a->materials[i], *y = &b->materials[i];
        if (!same(x->name, y->name) || !same(x->form, y->form) || x->copies != y->copies ||
            !same(x->issuer, y->issuer) || x->required != y->required ||
            !same(x->notes, y->notes) || x->sample_file_id != y->sample_file_id)
            return 0;
    }
    for (int i = 0; i < a->nsteps; i++)
        if (!same(a->steps[i].title, b->steps[i].title) ||
            !same(a->steps[i].description, b->steps[i].description))
            return 0;
    for (int i = 0; i < a->nplaces; i++)
        if (!has_place(b, a->places[i].node_id))
            return 0;
    return 1;
}

/* ---- reads ---- */

/* a column's text copied into a ("" for NULL); sets *oom on failure */
static const char *col_dup(struct db_stmt *st, int col, struct arena *a, int *oom)
{
    const char *s = arena_strdup(a, nz(db_col_text(st, col)));
    if (!s) {
        *oom = 1;
        return "";
    }
    return s;
}

#define VERSION_COLS                                                                               \
    "v.id, v.item_id, i.code, i.unit_id, u.name, u.path, v.version, v.status, v.name, v.kind,"     \
    " v.legal_limit, v.legal_unit, v.promised_limit, v.promised_unit, v.basis, v.conditions,"      \
    " v.remedies, v.fee_free, v.fee_amount_cents, v.fee_basis, v.appointable, v.ticket_prefix,"    \
    " v.online, v.phone, v.created_by, v.created_at, COALESCE(v.published_by, ''),"                \
    " COALESCE(v.published_at, 0)"
#define VERSION_FROM                                                                               \
    " FROM catalog_version v JOIN catalog_item i ON i.id = v.item_id"                              \
    " JOIN org_node u ON u.id = i.unit_id"

static const char SQL_VERSION_BY_ID[] = "SELECT " VERSION_COLS VERSION_FROM " WHERE v.id = ?1";
static const char SQL_VERSION_CURRENT[] =
    "SELECT " VERSION_COLS VERSION_FROM " WHERE i.code = ?1 AND i.active = 1"
    " AND v.id = i.current_version_id";
static const char SQL_MATERIALS[] =
    "SELECT id, seq, name, form, copies, issuer, required, notes, COALESCE(sample_file_id, 0)"
    " FROM catalog_material WHERE version_id = ?1 ORDER BY seq, id"
    " LIMIT " STR(CATALOG_MAX_MATERIALS);
static const char SQL_STEPS[] = "SELECT seq, title, description FROM catalog_step"
                                " WHERE version_id = ?1 ORDER BY seq, id"
                                " LIMIT " STR(CATALOG_MAX_STEPS);
static const char SQL_PLACES[] =
    "SELECT p.node_id, n.name, n.kind, h.id, h.name, h.address, h.phone"
    " FROM catalog_place p JOIN org_node n ON n.id = p.node_id"
    " JOIN org_node h ON h.id = CASE WHEN n.kind = 'window' THEN n.parent_id ELSE n.id END"
    " WHERE p.version_id = ?1 ORDER BY n.path LIMIT " STR(CATALOG_MAX_PLACES);

static void read_version_row(struct db_stmt *st, struct arena *a, struct catalog_version *v,
                             int *oom)
{
    v->id = db_col_int64(st, 0);
    v->item_id = db_col_int64(st, 1);
    v->code = col_dup(st, 2, a, oom);
    v->unit_id = db_col_int64(st, 3);
    v->unit_name = col_dup(st, 4, a, oom);
    v->unit_path = col_dup(st, 5, a, oom);
    v->version = (int)db_col_int64(st, 6);
    v->status = col_dup(st, 7, a, oom);
    v->name = col_dup(st, 8, a, oom);
    v->kind = col_dup(st, 9, a, oom);
    v->legal_limit = (int)db_col_int64(st, 10);
    v->legal_unit = col_dup(st, 11, a, oom);
    v->promised_limit = (int)db_col_int64(st, 12);
    v->promised_unit = col_dup(st, 13, a, oom);
    v->basis = col_dup(st, 14, a, oom);
    v->conditions = col_dup(st, 15, a, oom);
    v->remedies = col_dup(st, 16, a, oom);
    v->fee_free = (int)db_col_int64(st, 17);
    v->fee_amount_cents = db_col_int64(st, 18);
    v->fee_basis = col_dup(st, 19, a, oom);
    v->appointable = (int)db_col_int64(st, 20);
    v->ticket_prefix = col_dup(st, 21, a, oom);
    v->online = col_dup(st, 22, a, oom);
    v->phone = col_dup(st, 23, a, oom);
    v->created_by = col_dup(st, 24, a, oom);
    v->created_at = db_col_int64(st, 25);
    v->published_by = col_dup(st, 26, a, oom);
    v->published_at = db_col_int64(st, 27);
}

static int load_materials(struct db *db, struct arena *a, struct catalog_version *v)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    v->nmaterials = 0;
    v->materials = arena_alloc(a, sizeof(*v->materials) * CATALOG_MAX_MATERIALS);
    if (!v->materials)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_MATERIALS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, v->id);
    while ((rc = db_step(st)) == DB_ROW && v->nmaterials < CATALOG_MAX_MATERIALS) {
        struct catalog_material *m = &v->materials[v->nmaterials++];
        m->id = db_col_int64(st, 0);
        m->seq = (int)db_col_int64(st, 1);
        m->name = col_dup(st, 2, a, &oom);
        m->form = col_dup(st, 3, a, &oom);
        m->copies = (int)db_col_int64(st, 4);
        m->issuer = col_dup(st, 5, a, &oom);
        m->required = (int)db_col_int64(st, 6);
        m->notes = col_dup(st, 7, a, &oom);
        m->sample_file_id = db_col_int64(st, 8);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

static int load_steps(struct db *db, struct arena *a, struct catalog_version *v)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    v->nsteps = 0;
    v->steps = arena_alloc(a, sizeof(*v->steps) * CATALOG_MAX_STEPS);
    if (!v->steps)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_STEPS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, v->id);
    while ((rc = db_step(st)) == DB_ROW && v->nsteps < CATALOG_MAX_STEPS) {
        struct catalog_step *s = &v->steps[v->nsteps++];
        s->seq = (int)db_col_int64(st, 0);
        s->title = col_dup(st, 1, a, &oom);
        s->description = col_dup(st, 2, a, &oom);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

static int load_places(struct db *db, struct arena *a, struct catalog_version *v)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    v->nplaces = 0;
    v->places = arena_alloc(a, sizeof(*v->places) * CATALOG_MAX_PLACES);
    if (!v->places)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_PLACES, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, v->id);
    while ((rc = db_step(st)) == DB_ROW && v->nplaces < CATALOG_MAX_PLACES) {
        struct catalog_place *p = &v->places[v->nplaces++];
        p->node_id = db_col_int64(st, 0);
        p->node_name = col_dup(st, 1, a, &oom);
        p->node_kind = col_dup(st, 2, a, &oom);
        p->hall_id = db_col_int64(st, 3);
        p->hall_name = col_dup(st, 4, a, &oom);
        p->hall_address = col_dup(st, 5, a, &oom);
        p->hall_phone = col_dup(st, 6, a, &oom);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

/* run sql (one version row) with ?1 bound by the caller's binder, then load
 * the children */
static int load_version(struct db *db, const char *sql, int64_t id, const char *code,
                        struct arena *a, struct catalog_version *out)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    memset(out, 0, sizeof(*out));
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    if (code)
        db_bind_text(st, 1, code);
    else
        db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        read_version_row(st, a, out, &oom);
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return ERR_NOTFOUND;
    if (oom)
        return ERR_NOMEM;
    rc = load_materials(db, a, out);
    if (rc == 0)
        rc = load_steps(db, a, out);
    if (rc == 0)
        rc = load_places(db, a, out);
    return rc;
}

int catalog_get_current(struct db *db, const char *code, struct arena *a,
                        struct catalog_version *out)
{
    if (!catalog_code_ok(code))
        return ERR_NOTFOUND;
    return load_version(db, SQL_VERSION_CURRENT, 0, code, a, out);
}

int catalog_get_version(struct db *db, int64_t version_id, struct arena *a,
                        struct catalog_version *out)
{
    return load_version(db, SQL_VERSION_BY_ID, version_id, NULL, a, out);
}

static const char SQL_VERSIONS[] =
    "SELECT v.id, v.item_id, v.version, v.status, v.name, v.created_by, v.created_at,"
    " COALESCE(v.published_by, ''), COALESCE(v.published_at, 0)"
    " FROM catalog_version v WHERE v.item_id = ?1 ORDER BY v.version DESC LIMIT 10000";

int catalog_versions(struct db *db, int64_t item_id, struct arena *a,
                     struct catalog_version **items, int *n)
{
    struct db_stmt *st = NULL;
    int cap = 0, oom = 0;
    *items = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_VERSIONS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, item_id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            int ncap = cap ? cap * 2 : 8;
            struct catalog_version *grown = arena_alloc(a, sizeof(*grown) * (size_t)ncap);
            if (!grown) {
                rc = ERR_NOMEM;
                break;
            }
            if (*n)
                memcpy(grown, *items, sizeof(*grown) * (size_t)*n);
            *items = grown;
            cap = ncap;
        }
        struct catalog_version *v = &(*items)[(*n)++];
        v->id = db_col_int64(st, 0);
        v->item_id = db_col_int64(st, 1);
        v->version = (int)db_col_int64(st, 2);
        v->status = col_dup(st, 3, a, &oom);
        v->name = col_dup(st, 4, a, &oom);
        v->created_by = col_dup(st, 5, a, &oom);
        v->created_at = db_col_int64(st, 6);
        v->published_by = col_dup(st, 7, a, &oom);
        v->published_at = db_col_int64(st, 8);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

#define ITEM_COLS                                                                                  \
    "SELECT i.id, i.code, i.unit_id, u.name, u.path, COALESCE(i.current_version_id, 0),"           \
    " COALESCE(i.draft_version_id, 0), i.active, i.created_at, i.updated_at"                       \
    " FROM catalog_item i JOIN org_node u ON u.id = i.unit_id"

static const char SQL_ITEM_BY_ID[] = ITEM_COLS " WHERE i.id = ?1";
static const char SQL_ITEM_BY_CODE[] = ITEM_COLS " WHERE i.code = ?1";

static int load_item(struct db *db, const char *sql, int64_t id, const char *code, struct arena *a,
                     struct catalog_item *out)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    memset(out, 0, sizeof(*out));
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    if (code)
        db_bind_text(st, 1, code);
    else
        db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_col_int64(st, 0);
        out->code = col_dup(st, 1, a, &oom);
        out->unit_id = db_col_int64(st, 2);
        out->unit_name = col_dup(st, 3, a, &oom);
        out->unit_path = col_dup(st, 4, a, &oom);
        out->current_version_id = db_col_int64(st, 5);
        out->draft_version_id = db_col_int64(st, 6);
        out->active = (int)db_col_int64(st, 7);
        out->created_at = db_col_int64(st, 8);
        out->updated_at = db_col_int64(st, 9);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return ERR_NOTFOUND;
    return oom ? ERR_NOMEM : 0;
}

int catalog_get_item(struct db *db, int64_t item_id, struct arena *a, struct catalog_item *out)
{
    return load_item(db, SQL_ITEM_BY_ID, item_id, NULL, a, out);
}

int catalog_find_code(struct db *db, const char *code, struct arena *a, struct catalog_item *out)
{
    if (!catalog_code_ok(code))
        return ERR_NOTFOUND;
    return load_item(db, SQL_ITEM_BY_CODE, 0, code, a, out);
}

/* ?1 published_only, ?2/?3 scope range, ?4/?5 unit range, ?6 active, ?7/?8
 * q and its LIKE pattern, ?9 hall */
#define LIST_FROM                                                                                  \
    " FROM catalog_item i JOIN org_node u ON u.id = i.unit_id"                                     \
    " JOIN catalog_version v ON v.id = CASE WHEN ?1 = 1 THEN i.current_version_id"                 \
    " ELSE COALESCE(i.draft_version_id, i.current_version_id) END"                                 \
    " LEFT JOIN catalog_version cv ON cv.id = i.current_version_id"                                \
    " WHERE (?2 = '' OR (u.path >= ?2 AND u.path < ?3))"                                           \
    " AND (?4 = '' OR (u.path >= ?4 AND u.path < ?5))"                                             \
    " AND (?6 < 0 OR i.active = ?6)"                                                               \
    " AND (?7 = '' OR v.name LIKE ?8 ESCAPE '!' OR i.code LIKE ?8 ESCAPE '!')"                     \
    " AND (?9 = 0 OR EXISTS (SELECT 1 FROM catalog_place p JOIN org_node pn ON pn.id = p.node_id"  \
    " WHERE p.version_id = v.id AND (pn.id = ?9 OR pn.parent_id = ?9)))"

static const char SQL_LIST[] =
    "SELECT i.id, i.code, v.name, v.kind, i.unit_id, u.name, u.path, v.promised_limit,"
    " v.legal_limit, v.promised_unit, v.legal_unit, COALESCE(i.current_version_id, 0),"
    " COALESCE(i.draft_version_id, 0), COALESCE(cv.version, 0), i.active, v.appointable" LIST_FROM
    " ORDER BY i.code LIMIT ?10 OFFSET ?11";
static const char SQL_LIST_COUNT[] = "SELECT COUNT(*)" LIST_FROM;

/* q as a LIKE pattern (with ESCAPE '!') matching it as a plain substring */
static void like_pattern(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (; q && *q && o + 4 < cap; q++) {
        if (*q == '%' || *q == '_' || *q == '!')
            out[o++] = '!';
        out[o++] = *q;
    }
    out[o++] = '%';
    out[o] = '\0';
}

struct list_binds {
    int published_only, active;
    const char *scope, *scope_end, *unit, *unit_end, *q, *like;
    int64_t hall_id;
};

static void bind_list(struct db_stmt *st, const struct list_binds *b)
{
    db_bind_int64(st, 1, b->published_only);
    db_bind_text(st, 2, b->scope);
    db_bind_text(st, 3, b->scope_end);
    db_bind_text(st, 4, b->unit);
    db_bind_text(st, 5, b->unit_end);
    db_bind_int64(st, 6, b->active);
    db_bind_text(st, 7, b->q);
    db_bind_text(st, 8, b->like);
    db_bind_int64(st, 9, b->hall_id);
}

static void read_summary(struct db_stmt *st, struct arena *a, struct catalog_summary *s, int *oom)
{
    s->id = db_col_int64(st, 0);
    s->code = col_dup(st, 1, a, oom);
    s->name = col_dup(st, 2, a, oom);
    s->kind = col_dup(st, 3, a, oom);
    s->unit_id = db_col_int64(st, 4);
    s->unit_name = col_dup(st, 5, a, oom);
    s->unit_path = col_dup(st, 6, a, oom);
    s->promised_limit = (int)db_col_int64(st, 7);
    s->legal_limit = (int)db_col_int64(st, 8);
    s->promised_unit = col_dup(st, 9, a, oom);
    s->legal_unit = col_dup(st, 10, a, oom);
    s->current_version_id = db_col_int64(st, 11);
    s->draft_version_id = db_col_int64(st, 12);
    s->current_version = (int)db_col_int64(st, 13);
    s->active = (int)db_col_int64(st, 14);
    s->appointable = db_col_int64(st, 15) != 0;
}

int catalog_list(struct db *db, const struct catalog_filter *f, struct arena *a,
                 struct catalog_summary **items, int *n, int64_t *total)
{
    char scope_end[ACTOR_PATH_MAX], unit_path[ACTOR_PATH_MAX] = "", unit_end[ACTOR_PATH_MAX] = "";
    char like[512];
    struct list_binds b = {0};
    *items = NULL;
    *n = 0;
    *total = 0;
    b.published_only = f->scope == NULL || f->published_only;
    b.active = f->scope == NULL ? 1 : f->active;
    b.scope = f->scope ? f->scope : "";
    org_path_end(b.scope, scope_end, sizeof(scope_end));
    b.scope_end = scope_end;
    if (f->unit_id) {
        struct org_node unit;
        int rc = org_get(db, f->unit_id, &unit);
        if (rc < 0)
            return rc;
        snprintf(unit_path, sizeof(unit_path), "%s", unit.path);
        org_path_end(unit_path, unit_end, sizeof(unit_end));
    }
    b.unit = unit_path;
    b.unit_end = unit_end;
    b.q = f->q ? f->q : "";
    like_pattern(f->q, like, sizeof(like));
    b.like = like;
    b.hall_id = f->hall_id;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LIST_COUNT, &st);
    if (rc < 0)
        return rc;
    bind_list(st, &b);
    rc = db_step(st);
    *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    int64_t per_page = f->per_page > 0 ? f->per_page : 50;
    int64_t page = f->page > 0 ? f->page : 1;
    *items = arena_alloc(a, sizeof(**items) * (size_t)per_page);
    if (!*items)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_LIST, &st);
    if (rc < 0)
        return rc;
    bind_list(st, &b);
    db_bind_int64(st, 10, per_page);
    db_bind_int64(st, 11, (page - 1) * per_page);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && *n < per_page)
        read_summary(st, a, &(*items)[(*n)++], &oom);
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

/* ---- writes ---- */

static int can_write(const struct actor *who)
{
    return who->role == ROLE_ADMIN || who->role == ROLE_SYSTEM;
}

static void fault_code(struct faults *f, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fault_code(struct faults *f, int code, const char *field, const char *fmt, ...)
{
    if (f->n < f->cap) {
        struct err *e = &f->errs[f->n];
        e->code = code;
        snprintf(e->field, sizeof(e->field), "%s", field);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
    }
    f->n++;
}

/* the owning unit: a unit, region or hall, active, in scope */
static int unit_check(struct db *db, const struct actor *who, int64_t unit_id, struct faults *f)
{
    struct org_node n;
    int rc = org_get(db, unit_id, &n);
    if (rc == ERR_NOTFOUND) {
        fault(f, "unit_id", "no such unit %lld", (long long)unit_id);
        return 0;
    }
    if (rc < 0)
        return rc;
    if (strcmp(n.kind, "unit") != 0 && strcmp(n.kind, "region") != 0 && strcmp(n.kind, "hall") != 0)
        fault(f, "unit_id", "an item is owned by a unit, region or hall, not a %s", n.kind);
    else if (!actor_in_scope(who, n.path))
        fault_code(f, ERR_FORBIDDEN, "unit_id", "the unit is outside your scope");
    else if (!n.active)
        fault(f, "unit_id", "the unit is deactivated");
    return 0;
}

/* every place: a hall or window, active, in scope */
static int places_check(struct db *db, const struct actor *who, const struct catalog_version *v,
                        struct faults *f)
{
    char field[32];
    for (int i = 0; i < v->nplaces && i < CATALOG_MAX_PLACES; i++) {
        struct org_node n;
        if (v->places[i].node_id <= 0)
            continue; /* already a content fault */
        snprintf(field, sizeof(field), "places[%d]", i);
        int rc = org_get(db, v->places[i].node_id, &n);
        if (rc == ERR_NOTFOUND) {
            fault(f, field, "no such node %lld", (long long)v->places[i].node_id);
            continue;
        }
        if (rc < 0)
            return rc;
        if (strcmp(n.kind, "hall") != 0 && strcmp(n.kind, "window") != 0)
            fault(f, field, "a place is a hall or a window, not a %s", n.kind);
        else if (!actor_in_scope(who, n.path))
            fault_code(f, ERR_FORBIDDEN, field, "the place is outside your scope");
        else if (!n.active)
            fault(f, field, "the place is deactivated");
    }
    return 0;
}

static const char SQL_FILE_EXISTS[] = "SELECT COUNT(*) FROM catalog_file WHERE id = ?1";

static int files_check(struct db *db, const struct catalog_version *v, struct faults *f)
{
    char field[48];
    for (int i = 0; i < v->nmaterials && i < CATALOG_MAX_MATERIALS; i++) {
        if (v->materials[i].sample_file_id <= 0)
            continue;
        struct db_stmt *st = NULL;
        int rc = db_prepare(db, SQL_FILE_EXISTS, &st);
        if (rc < 0)
            return rc;
        db_bind_int64(st, 1, v->materials[i].sample_file_id);
        rc = db_step(st);
        int64_t found = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_finalize(st);
        if (rc < 0)
            return rc;
        snprintf(field, sizeof(field), "materials[%d].sample_file_id", i);
        if (!found)
            fault(f, field, "no such file %lld", (long long)v->materials[i].sample_file_id);
    }
    return 0;
}

static int check_into(struct db *db, const struct actor *who, const struct catalog_version *v,
                      int with_unit, struct faults *f)
{
    int rc = with_unit ? unit_check(db, who, v->unit_id, f) : 0;
    if (rc == 0)
        validate(f, v);
    if (rc == 0)
        rc = places_check(db, who, v, f);
    if (rc == 0)
        rc = files_check(db, v, f);
    return rc;
}

int catalog_check_all(struct db *db, const struct actor *who, const struct catalog_version *v,
                      int with_unit, struct err *errs, int cap, int *n)
{
    struct faults f = {errs, cap, 0};
    int rc = check_into(db, who, v, with_unit, &f);
    *n = f.n;
    if (rc < 0)
        return rc;
    return f.n ? ERR_INVALID : 0;
}

/* everything a write checks about content (the first fault into e) */
static int check_content(struct db *db, const struct actor *who, const struct catalog_version *v,
                         int with_unit, struct err *e)
{
    struct err first = {0};
    int n = 0;
    int rc = catalog_check_all(db, who, v, with_unit, &first, 1, &n);
    if (rc == ERR_INVALID)
        return err_set(e, first.code, first.field, "%s", first.msg);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    return 0;
}

/* the 16 content columns, bound from ?first on */
static void bind_content(struct db_stmt *st, int first, const struct catalog_version *v)
{
    db_bind_text(st, first, v->name);
    db_bind_text(st, first + 1, v->kind);
    db_bind_int64(st, first + 2, v->legal_limit);
    db_bind_text(st, first + 3, v->legal_unit);
    db_bind_int64(st, first + 4, v->promised_limit);
    db_bind_text(st, first + 5, v->promised_unit);
    db_bind_text(st, first + 6, nz(v->basis));
    db_bind_text(st, first + 7, nz(v->conditions));
    db_bind_text(st, first + 8, nz(v->remedies));
    db_bind_int64(st, first + 9, v->fee_free);
    db_bind_int64(st, first + 10, v->fee_amount_cents);
    db_bind_text(st, first + 11, nz(v->fee_basis));
    db_bind_int64(st, first + 12, v->appointable);
    db_bind_text(st, first + 13, nz(v->ticket_prefix));
    db_bind_text(st, first + 14, v->online && *v->online ? v->online : "none");
    db_bind_text(st, first + 15, nz(v->phone));
}

static const char SQL_INSERT_VERSION[] =
    "INSERT INTO catalog_version (item_id, version, status, created_by, created_at, name, kind,"
    " legal_limit, legal_unit, promised_limit, promised_unit, basis, conditions, remedies,"
    " fee_free, fee_amount_cents, fee_basis, appointable, ticket_prefix, online, phone)"
    " VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18, ?19, ?20) RETURNING id";
static const char SQL_UPDATE_DRAFT[] =
    "UPDATE catalog_version SET name = ?2, kind = ?3, legal_limit = ?4, legal_unit = ?5,"
    " promised_limit = ?6, promised_unit = ?7, basis = ?8, conditions = ?9, remedies = ?10,"
    " fee_free = ?11, fee_amount_cents = ?12, fee_basis = ?13, appointable = ?14,"
    " ticket_prefix = ?15, online = ?16, phone = ?17 WHERE id = ?1 AND status = 'draft'";
static const char SQL_INSERT_MATERIAL[] =
    "INSERT INTO catalog_material (version_id, seq, name, form, copies, issuer, required, notes,"
    " sample_file_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_INSERT_STEP[] =
    "INSERT INTO catalog_step (version_id, seq, title, description) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_INSERT_PLACE[] =
    "INSERT INTO catalog_place (version_id, node_id) VALUES (?1, ?2)";
static const char SQL_DELETE_MATERIALS[] = "DELETE FROM catalog_material WHERE version_id = ?1";
static const char SQL_DELETE_STEPS[] = "DELETE FROM catalog_step WHERE version_id = ?1";
static const char SQL_DELETE_PLACES[] = "DELETE FROM catalog_place WHERE version_id = ?1";

/* prepare sql, bind ?1 = id, run to the end */
static int exec_id(struct db *db, const char *sql, int64_t id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* prepare sql, bind ?1..?n from v, run to the end */
static int exec_ids(struct db *db, const char *sql, int n, const int64_t *v)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        db_bind_int64(st, i + 1, v[i]);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static int insert_children(struct db *db, int64_t vid, const struct catalog_version *v)
{
    struct db_stmt *st = NULL;
    int rc = 0;
    for (int i = 0; rc == 0 && i < v->nmaterials; i++) {
        const struct catalog_material *m = &v->materials[i];
        rc = db_prepare(db, SQL_INSERT_MATERIAL, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, vid);
        db_bind_int64(st, 2, i + 1);
        db_bind_text(st, 3, m->name);
        db_bind_text(st, 4, m->form);
        db_bind_int64(st, 5, m->copies);
        db_bind_text(st, 6, nz(m->issuer));
        db_bind_int64(st, 7, m->required);
        db_bind_text(st, 8, nz(m->notes));
        if (m->sample_file_id)
            db_bind_int64(st, 9, m->sample_file_id);
        rc = db_step(st);
        db_finalize(st);
        rc = rc < 0 ? rc : 0;
    }
    for (int i = 0; rc == 0 && i < v->nsteps; i++) {
        rc = db_prepare(db, SQL_INSERT_STEP, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, vid);
        db_bind_int64(st, 2, i + 1);
        db_bind_text(st, 3, v->steps[i].title);
        db_bind_text(st, 4, nz(v->steps[i].description));
        rc = db_step(st);
        db_finalize(st);
        rc = rc < 0 ? rc : 0;
    }
    for (int i = 0; rc == 0 && i < v->nplaces; i++) {
        rc = db_prepare(db, SQL_INSERT_PLACE, &st);
        if (rc < 0)
            break;
        db_bind_int64(st, 1, vid);
        db_bind_int64(st, 2, v->places[i].node_id);
        rc = db_step(st);
        db_finalize(st);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

static int insert_version(struct db *db, const struct actor *who, int64_t item_id, int number,
                          const struct catalog_version *v, int64_t now, int64_t *vid)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INSERT_VERSION, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, item_id);
    db_bind_int64(st, 2, number);
    db_bind_text(st, 3, who->name);
    db_bind_int64(st, 4, now);
    bind_content(st, 5, v);
    rc = db_step(st);
    *vid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!*vid)
        return ERR_DB;
    return insert_children(db, *vid, v);
}

static int replace_draft(struct db *db, int64_t vid, const struct catalog_version *v)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_UPDATE_DRAFT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, vid);
    bind_content(st, 2, v);
    rc = db_step(st);
    db_finalize(st);
    if (rc == 0)
        rc = exec_id(db, SQL_DELETE_MATERIALS, vid);
    if (rc == 0)
        rc = exec_id(db, SQL_DELETE_STEPS, vid);
    if (rc == 0)
        rc = exec_id(db, SQL_DELETE_PLACES, vid);
    return rc == 0 ? insert_children(db, vid, v) : rc;
}

/* {"current_version_id":…,"draft_version_id":…} for the audit log */
static json_t *state_json(int64_t current, int64_t draft, int version)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "current_version_id", current ? json_integer(current) : json_null());
    json_object_set_new(j, "draft_version_id", draft ? json_integer(draft) : json_null());
    if (version)
        json_object_set_new(j, "version", json_integer(version));
    return j;
}

static const char SQL_INSERT_ITEM[] =
    "INSERT INTO catalog_item (code, unit_id, active, created_at, updated_at)"
    " VALUES (?1, ?2, 1, ?3, ?3) RETURNING id";
static const char SQL_SET_DRAFT[] =
    "UPDATE catalog_item SET draft_version_id = ?2, updated_at = ?3 WHERE id = ?1";

int catalog_create(struct db *db, const struct actor *who, const struct catalog_version *in,
                   int64_t *item_id, int64_t *version_id, struct err *e)
{
    if (!can_write(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can change the catalogue");
    if (!catalog_code_ok(in->code))
        return err_set(e, ERR_INVALID, "code", "code must be 1-%d letters, digits, . - or _",
                       CATALOG_CODE_MAX);
    int rc = check_content(db, who, in, 1, e);
    if (rc < 0)
        return rc;
    int64_t now = (int64_t)time(NULL), id = 0, vid = 0;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT_ITEM, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, in->code);
    db_bind_int64(st, 2, in->unit_id);
    db_bind_int64(st, 3, now);
    rc = db_step(st);
    id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "code", "an item with code %s exists", in->code);
    if (rc < 0 || !id)
        return err_set(e, rc < 0 ? rc : ERR_DB, NULL, "database error");
    rc = insert_version(db, who, id, 1, in, now, &vid);
    if (rc == 0)
        rc = exec_ids(db, SQL_SET_DRAFT, 3, (int64_t[]){id, vid, now});
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    json_t *after = state_json(0, vid, 1);
    if (after)
        json_object_set_new(after, "code", json_string(in->code));
    rc = audit_append(db, who, "create", "catalog_item", id, in->unit_id, NULL, after);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    *item_id = id;
    *version_id = vid;
    return 0;
}

/* read the item a write is about and check the actor may change it */
static int item_for_write(struct db *db, const struct actor *who, int64_t item_id, struct arena *a,
                          struct catalog_item *item, struct err *e)
{
    int rc = catalog_get_item(db, item_id, a, item);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such item" : "database error");
    if (!actor_in_scope(who, item->unit_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the item is outside your scope");
    if (!can_write(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can change the catalogue");
    return 0;
}

static const char SQL_NEXT_NUMBER[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM catalog_version WHERE item_id = ?1";
static const char SQL_VERSION_NUMBER[] = "SELECT version FROM catalog_version WHERE id = ?1";
static const char SQL_TOUCH_ITEM[] = "UPDATE catalog_item SET updated_at = ?2 WHERE id = ?1";

static int query_id_int(struct db *db, const char *sql, int64_t id, int64_t *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    *out = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    return rc == DB_ROW ? 0 : ERR_NOTFOUND;
}

int catalog_save_draft(struct db *db, const struct actor *who, int64_t item_id,
                       const struct catalog_version *in, int64_t *version_id, struct err *e)
{
    struct arena a = {0};
    struct catalog_item item;
    int64_t now = (int64_t)time(NULL), vid = 0, number = 0;
    int rc = item_for_write(db, who, item_id, &a, &item, e);
    if (rc == 0)
        rc = check_content(db, who, in, 0, e);
    if (rc < 0)
        goto out;
    if (item.draft_version_id) {
        vid = item.draft_version_id;
        rc = replace_draft(db, vid, in);
        if (rc == 0)
            rc = query_id_int(db, SQL_VERSION_NUMBER, vid, &number);
        if (rc == 0)
            rc = exec_ids(db, SQL_TOUCH_ITEM, 2, (int64_t[]){item_id, now});
    } else {
        rc = query_id_int(db, SQL_NEXT_NUMBER, item_id, &number);
        if (rc == 0)
            rc = insert_version(db, who, item_id, (int)number, in, now, &vid);
        if (rc == 0)
            rc = exec_ids(db, SQL_SET_DRAFT, 3, (int64_t[]){item_id, vid, now});
    }
    if (rc < 0) {
        rc = err_set(e, rc, NULL, "database error");
        goto out;
    }
    rc = audit_append(db, who, "save_draft", "catalog_item", item_id, item.unit_id,
                      state_json(item.current_version_id, item.draft_version_id, 0),
                      state_json(item.current_version_id, vid, (int)number));
    if (rc < 0) {
        rc = err_set(e, rc, NULL, "database error");
        goto out;
    }
    *version_id = vid;
out:
    arena_reset(&a);
    return rc;
}

static const char SQL_SUPERSEDE[] =
    "UPDATE catalog_version SET status = 'superseded' WHERE id = ?1 AND status = 'published'";
static const char SQL_PUBLISH_VERSION[] =
    "UPDATE catalog_version SET status = 'published', published_by = ?2, published_at = ?3"
    " WHERE id = ?1 AND status = 'draft'";
static const char SQL_PUBLISH_ITEM[] =
    "UPDATE catalog_item SET current_version_id = ?2, draft_version_id = NULL, updated_at = ?3"
    " WHERE id = ?1";

int catalog_publish(struct db *db, const struct actor *who, int64_t item_id, int64_t *version_id,
                    struct err *e)
{
    struct arena a = {0};
    struct catalog_item item;
    int64_t now = (int64_t)time(NULL), number = 0, old_number = 0;
    int rc = item_for_write(db, who, item_id, &a, &item, e);
    if (rc < 0)
        goto out;
    if (!item.draft_version_id) {
        rc = err_set(e, ERR_CONFLICT, NULL, "the item has no draft to publish");
        goto out;
    }
    rc = query_id_int(db, SQL_VERSION_NUMBER, item.draft_version_id, &number);
    if (rc == 0 && item.current_version_id) {
        rc = query_id_int(db, SQL_VERSION_NUMBER, item.current_version_id, &old_number);
        if (rc == 0)
            rc = exec_id(db, SQL_SUPERSEDE, item.current_version_id);
    }
    if (rc == 0) {
        struct db_stmt *st = NULL;
        rc = db_prepare(db, SQL_PUBLISH_VERSION, &st);
        if (rc == 0) {
            db_bind_int64(st, 1, item.draft_version_id);
            db_bind_text(st, 2, who->name);
            db_bind_int64(st, 3, now);
            rc = db_step(st);
            db_finalize(st);
            rc = rc < 0 ? rc : 0;
        }
    }
    if (rc == 0)
        rc = exec_ids(db, SQL_PUBLISH_ITEM, 3, (int64_t[]){item_id, item.draft_version_id, now});
    if (rc < 0) {
        rc = err_set(e, rc, NULL, "database error");
        goto out;
    }
    rc = audit_append(db, who, "publish", "catalog_item", item_id, item.unit_id,
                      state_json(item.current_version_id, item.draft_version_id, (int)old_number),
                      state_json(item.draft_version_id, 0, (int)number));
    if (rc < 0) {
        rc = err_set(e, rc, NULL, "database error");
        goto out;
    }
    *version_id = item.draft_version_id;
out:
    arena_reset(&a);
    return rc;
}

static const char SQL_SET_ACTIVE[] =
    "UPDATE catalog_item SET active = ?2, updated_at = ?3 WHERE id = ?1";

int catalog_set_active(struct db *db, const struct actor *who, int64_t item_id, int active,
                       struct err *e)
{
    struct arena a = {0};
    struct catalog_item item;
    int rc = item_for_write(db, who, item_id, &a, &item, e);
    if (rc < 0 || item.active == (active ? 1 : 0))
        goto out;
    rc = exec_ids(db, SQL_SET_ACTIVE, 3, (int64_t[]){item_id, active ? 1 : 0, (int64_t)time(NULL)});
    if (rc == 0)
        rc = audit_append(db, who, active ? "activate" : "deactivate", "catalog_item", item_id,
                          item.unit_id, json_pack("{s:b}", "active", item.active),
                          json_pack("{s:b}", "active", active ? 1 : 0));
    if (rc < 0)
        rc = err_set(e, rc, NULL, "database error");
out:
    arena_reset(&a);
    return rc;
}

/* ---- notices ---- */

static const char SQL_NOTICE_VERSION[] =
    "SELECT v.item_id, v.status, i.unit_id FROM catalog_version v"
    " JOIN catalog_item i ON i.id = v.item_id WHERE v.id = ?1";
static const char SQL_INSERT_NOTICE[] =
    "INSERT INTO catalog_notice (item_id, version_id, node_id, issued_by, citizen_name,"
    " missing_json, issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";

static int missing_ok(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    int ok = json_is_array(j) && json_array_size(j) <= CATALOG_MAX_MATERIALS;
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v)
    {
        if (!ok)
            break;
        ok = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
             parse_text(json_string_value(v), 1, CATALOG_SHORT_MAX, 0) == 0;
    }
    json_decref(j);
    return ok;
}

int catalog_record_notice(struct db *db, const struct actor *who, int64_t version_id,
                          int64_t node_id, const char *citizen_name, const char *missing_json,
                          int64_t *notice_id, struct err *e)
{
    if (who->role != ROLE_ADMIN && who->role != ROLE_LEADER && who->role != ROLE_SUPERVISOR &&
        who->role != ROLE_STAFF && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff can issue a notice");
    if (parse_text(nz(citizen_name), 0, CATALOG_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "citizen_name",
                       "citizen_name must have at most %d characters on one line",
                       CATALOG_NAME_MAX);
    if (missing_json && !missing_ok(missing_json))
        return err_set(e, ERR_INVALID, "missing",
                       "missing must be a list of at most %d material names",
                       CATALOG_MAX_MATERIALS);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_NOTICE_VERSION, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, version_id);
    rc = db_step(st);
    int64_t item_id = 0, unit_id = 0;
    int draft = 0;
    if (rc == DB_ROW) {
        item_id = db_col_int64(st, 0);
        draft = strcmp(nz(db_col_text(st, 1)), "draft") == 0;
        unit_id = db_col_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, "version_id", "no such item version");
    if (draft)
        return err_set(e, ERR_CONFLICT, "version_id", "a draft cannot be given out as a notice");
    if (node_id) {
        struct org_node n;
        rc = org_get(db, node_id, &n);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "node_id", "no such node");
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        if (!actor_in_scope(who, n.path))
            return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    }
    int64_t now = (int64_t)time(NULL), id = 0;
    rc = db_prepare(db, SQL_INSERT_NOTICE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, item_id);
    db_bind_int64(st, 2, version_id);
    if (node_id)
        db_bind_int64(st, 3, node_id);
    if (who->staff_id)
        db_bind_int64(st, 4, who->staff_id);
    db_bind_text(st, 5, nz(citizen_name));
    db_bind_text(st, 6, missing_json ? missing_json : "[]");
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0 || !id)
        return err_set(e, rc < 0 ? rc : ERR_DB, NULL, "database error");
    rc = audit_append(db, who, "issue", "catalog_notice", id, node_id ? node_id : unit_id, NULL,
                      json_pack("{s:I,s:I}", "item_id", (json_int_t)item_id, "version_id",
                                (json_int_t)version_id));
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    *notice_id = id;
    return 0;
}

/* ---- sample files ---- */

const char *catalog_file_type(const void *data, size_t len)
{
    const unsigned char *p = data;
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!p)
        return NULL;
    if (len >= 8 && memcmp(p, "%PDF-", 5) == 0)
        return "application/pdf";
    if (len >= 24 && memcmp(p, png, 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0)
        return "image/png";
    if (len >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return "image/jpeg";
    return NULL;
}

static const char SQL_INSERT_FILE[] =
    "INSERT INTO catalog_file (name, mime, data, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " RETURNING id";

int catalog_file_add(struct db *db, const struct actor *who, const char *name, const void *data,
                     size_t len, int64_t *file_id, struct err *e)
{
    if (!can_write(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can add files");
    if (parse_text(nz(name), 1, CATALOG_FILE_NAME_MAX, 0) < 0 || strpbrk(name, "/\\"))
        return err_set(e, ERR_INVALID, "name",
                       "name must have 1-%d characters on one line, without / or \\",
                       CATALOG_FILE_NAME_MAX);
    if (len > CATALOG_FILE_MAX)
        return err_set(e, ERR_TOOLARGE, NULL, "a file may have at most %zu bytes",
                       CATALOG_FILE_MAX);
    const char *mime = catalog_file_type(data, len);
    if (!mime)
        return err_set(e, ERR_UNSUPPORTED, NULL, "a sample file must be a PDF, PNG or JPEG");
    char sha[CRYPTO_SHA256_HEX];
    crypto_sha256_hex(data, len, sha);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_INSERT_FILE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, mime);
    db_bind_blob(st, 3, data, len);
    db_bind_text(st, 4, sha);
    db_bind_int64(st, 5, (int64_t)time(NULL));
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0 || !id)
        return err_set(e, rc < 0 ? rc : ERR_DB, NULL, "database error");
    rc = audit_append(db, who, "create", "catalog_file", id, who->node_id, NULL,
                      json_pack("{s:s,s:s,s:I,s:s}", "name", name, "mime", mime, "size",
                                (json_int_t)len, "sha256", sha));
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    *file_id = id;
    return 0;
}

static const char SQL_GET_FILE[] = "SELECT name, mime, data FROM catalog_file WHERE id = ?1";

int catalog_file_get(struct db *db, int64_t file_id, struct arena *a, const char **name,
                     const char **mime, const void **data, size_t *len)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET_FILE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, file_id);
    rc = db_step(st);
    int oom = 0;
    if (rc == DB_ROW) {
        *name = col_dup(st, 0, a, &oom);
        *mime = col_dup(st, 1, a, &oom);
        size_t n = 0;
        const void *p = db_col_blob(st, 2, &n);
        void *copy = arena_alloc(a, n ? n : 1);
        if (copy && p && n)
            memcpy(copy, p, n);
        if (!copy)
            oom = 1;
        *data = copy;
        *len = n;
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return ERR_NOTFOUND;
    return oom ? ERR_NOMEM : 0;
}

#define CATALOG_MAX_HALLS 500

static const char SQL_HALLS[] =
    "SELECT h.id, h.name, h.address, h.phone, COUNT(DISTINCT i.id)"
    " FROM org_node h"
    " JOIN org_node n ON n.id = h.id OR (n.parent_id = h.id AND n.kind = 'window')"
    " JOIN catalog_place p ON p.node_id = n.id"
    " JOIN catalog_item i ON i.current_version_id = p.version_id AND i.active = 1"
    " WHERE h.kind = 'hall' AND h.active = 1"
    " GROUP BY h.id, h.name, h.address, h.phone ORDER BY h.name LIMIT " STR(CATALOG_MAX_HALLS);

int catalog_halls(struct db *db, struct arena *a, struct catalog_hall **items, int *n)
{
    struct db_stmt *st = NULL;
    int oom = 0;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * CATALOG_MAX_HALLS);
    if (!*items)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_HALLS, &st);
    if (rc < 0)
        return rc;
    while ((rc = db_step(st)) == DB_ROW && *n < CATALOG_MAX_HALLS) {
        struct catalog_hall *h = &(*items)[(*n)++];
        h->id = db_col_int64(st, 0);
        h->name = col_dup(st, 1, a, &oom);
        h->address = col_dup(st, 2, a, &oom);
        h->phone = col_dup(st, 3, a, &oom);
        h->items = (int)db_col_int64(st, 4);
    }
    db_finalize(st);
    return rc < 0 ? rc : oom ? ERR_NOMEM : 0;
}

/* api_catalog.c - the service catalogue (事项): public reads of published
 * items, the staff/admin editor (items, drafts, publishing, versions),
 * import and export, and sample files. The notice and handbook routes live
 * in api_notice.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/parse.h"
#include "domain/catalog.h"
#include "domain/catalog_io.h"
#include "domain/org.h"
#include "http/server.h"
#include "report/csv.h"

#define CATALOG_BODY_MAX ((size_t)1 << 20) /* a version's JSON: 60 materials, 30 long steps */

/* ---- rendering ---- */

static json_t *jstr(const char *s)
{
    return json_string(s ? s : "");
}

static json_t *limit_json(int value, const char *unit)
{
    return json_pack("{s:i,s:o}", "value", value, "unit", jstr(unit));
}

static json_t *material_json(const struct catalog_material *m)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(m->id));
    json_object_set_new(j, "name", jstr(m->name));
    json_object_set_new(j, "form", jstr(m->form));
    json_object_set_new(j, "copies", json_integer(m->copies));
    json_object_set_new(j, "issuer", jstr(m->issuer));
    json_object_set_new(j, "required", json_boolean(m->required));
    json_object_set_new(j, "notes", jstr(m->notes));
    if (m->sample_file_id) {
        char url[64];
        snprintf(url, sizeof(url), "/api/catalog/files/%lld", (long long)m->sample_file_id);
        json_object_set_new(j, "sample_file_id", json_integer(m->sample_file_id));
        json_object_set_new(j, "sample_file_url", json_string(url));
    } else {
        json_object_set_new(j, "sample_file_id", json_null());
        json_object_set_new(j, "sample_file_url", json_null());
    }
    return j;
}

/* A version as JSON. The public view leaves out who wrote and published it
 * (staff login names are not for the public). */
static json_t *version_json(const struct catalog_version *v, int public_view)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(v->id));
    json_object_set_new(j, "item_id", json_integer(v->item_id));
    json_object_set_new(j, "code", jstr(v->code));
    json_object_set_new(j, "unit_id", json_integer(v->unit_id));
    json_object_set_new(j, "unit_name", jstr(v->unit_name));
    json_object_set_new(j, "version", json_integer(v->version));
    json_object_set_new(j, "status", jstr(v->status));
    json_object_set_new(j, "name", jstr(v->name));
    json_object_set_new(j, "kind", jstr(v->kind));
    json_object_set_new(j, "legal_limit", limit_json(v->legal_limit, v->legal_unit));
    json_object_set_new(j, "promised_limit", limit_json(v->promised_limit, v->promised_unit));
    json_object_set_new(j, "basis", jstr(v->basis));
    json_object_set_new(j, "conditions", jstr(v->conditions));
    json_object_set_new(j, "remedies", jstr(v->remedies));
    json_object_set_new(j, "fee",
                        json_pack("{s:b,s:I,s:o}", "free", v->fee_free, "amount_cents",
                                  (json_int_t)v->fee_amount_cents, "basis", jstr(v->fee_basis)));
    json_object_set_new(j, "appointable", json_boolean(v->appointable));
    json_object_set_new(j, "ticket_prefix", jstr(v->ticket_prefix));
    json_object_set_new(j, "online", jstr(v->online));
    json_object_set_new(j, "phone", jstr(v->phone));
    json_t *arr = json_array();
    for (int i = 0; i < v->nmaterials; i++)
        json_array_append_new(arr, material_json(&v->materials[i]));
    json_object_set_new(j, "materials", arr);
    arr = json_array();
    for (int i = 0; i < v->nsteps; i++)
        json_array_append_new(arr, json_pack("{s:o,s:o}", "title", jstr(v->steps[i].title),
                                             "description", jstr(v->steps[i].description)));
    json_object_set_new(j, "steps", arr);
    arr = json_array();
    for (int i = 0; i < v->nplaces; i++)
        json_array_append_new(
            arr,
            json_pack("{s:I,s:o,s:o,s:I,s:o,s:o,s:o}", "node_id", (json_int_t)v->places[i].node_id,
                      "name", jstr(v->places[i].node_name), "kind", jstr(v->places[i].node_kind),
                      "hall_id", (json_int_t)v->places[i].hall_id, "hall_name",
                      jstr(v->places[i].hall_name), "hall_address", jstr(v->places[i].hall_address),
                      "hall_phone", jstr(v->places[i].hall_phone)));
    json_object_set_new(j, "places", arr);
    json_object_set_new(j, "created_at", json_integer(v->created_at));
    json_object_set_new(j, "published_at",
                        v->published_at ? json_integer(v->published_at) : json_null());
    if (!public_view) {
        json_object_set_new(j, "created_by", jstr(v->created_by));
        json_object_set_new(j, "published_by",
                            v->published_by && *v->published_by ? json_string(v->published_by)
                                                                : json_null());
    }
    return j;
}

static json_t *summary_json(const struct catalog_summary *s, int staff_view)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(s->id));
    json_object_set_new(j, "code", jstr(s->code));
    json_object_set_new(j, "name", jstr(s->name));
    json_object_set_new(j, "kind", jstr(s->kind));
    json_object_set_new(j, "unit_id", json_integer(s->unit_id));
    json_object_set_new(j, "unit_name", jstr(s->unit_name));
    json_object_set_new(j, "promised_limit", limit_json(s->promised_limit, s->promised_unit));
    json_object_set_new(j, "legal_limit", limit_json(s->legal_limit, s->legal_unit));
    json_object_set_new(j, "version",
                        s->current_version ? json_integer(s->current_version) : json_null());
    json_object_set_new(j, "appointable", json_boolean(s->appointable));
    if (staff_view) {
        json_object_set_new(j, "current_version_id",
                            s->current_version_id ? json_integer(s->current_version_id)
                                                  : json_null());
        json_object_set_new(j, "draft_version_id",
                            s->draft_version_id ? json_integer(s->draft_version_id) : json_null());
        json_object_set_new(j, "active", json_boolean(s->active));
    }
    return j;
}

/* {"id","code",...,"current","draft","versions"} read with db (any thread's
 * connection); NULL on failure with *rc set. */
static json_t *item_json(struct db *db, const struct catalog_item *item, int *rc)
{
    struct arena a = {0};
    struct catalog_version v, *versions = NULL;
    int n = 0;
    json_t *j = json_object();
    *rc = j ? 0 : ERR_NOMEM;
    if (*rc == 0) {
        json_object_set_new(j, "id", json_integer(item->id));
        json_object_set_new(j, "code", jstr(item->code));
        json_object_set_new(j, "unit_id", json_integer(item->unit_id));
        json_object_set_new(j, "unit_name", jstr(item->unit_name));
        json_object_set_new(j, "active", json_boolean(item->active));
        json_object_set_new(j, "created_at", json_integer(item->created_at));
        json_object_set_new(j, "updated_at", json_integer(item->updated_at));
    }
    if (*rc == 0 && item->current_version_id) {
        *rc = catalog_get_version(db, item->current_version_id, &a, &v);
        if (*rc == 0)
            json_object_set_new(j, "current", version_json(&v, 0));
    } else if (*rc == 0) {
        json_object_set_new(j, "current", json_null());
    }
    if (*rc == 0 && item->draft_version_id) {
        *rc = catalog_get_version(db, item->draft_version_id, &a, &v);
        if (*rc == 0)
            json_object_set_new(j, "draft", version_json(&v, 0));
    } else if (*rc == 0) {
        json_object_set_new(j, "draft", json_null());
    }
    if (*rc == 0)
        *rc = catalog_versions(db, item->id, &a, &versions, &n);
    if (*rc == 0) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(
                arr, json_pack("{s:I,s:i,s:o,s:I,s:o}", "id", (json_int_t)versions[i].id, "version",
                               versions[i].version, "status", jstr(versions[i].status),
                               "created_at", (json_int_t)versions[i].created_at, "published_at",
                               versions[i].published_at ? json_integer(versions[i].published_at)
                                                        : json_null()));
        json_object_set_new(j, "versions", arr);
    }
    arena_reset(&a);
    if (*rc < 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- input ---- */

/* "materials[2]" + e->field "name" -> e->field "materials[2].name", and the
 * message names the whole field */
static int prefix_field(struct err *e, const char *prefix)
{
    char field[sizeof(e->field)], msg[sizeof(e->msg)];
    int n = e->field[0] ? snprintf(field, sizeof(field), "%s.%s", prefix, e->field)
                        : snprintf(field, sizeof(field), "%s", prefix);
    if (n > 0 && (size_t)n < sizeof(field))
        memcpy(e->field, field, sizeof(field));
    n = snprintf(msg, sizeof(msg), "%s: %s", prefix, e->msg);
    if (n > 0) /* a cut message still reads */
        memcpy(e->msg, msg, sizeof(msg));
    return e->code;
}

static int unpack_object(json_t *j, const char *name, const struct jfield *f, int n,
                         struct arena *a, struct err *e)
{
    if (!json_is_object(j))
        return err_set(e, ERR_INVALID, name, "%s must be an object", name);
    int rc = json_in_unpack(j, f, n, a, e);
    return rc < 0 ? prefix_field(e, name) : 0;
}

static int unpack_limit(json_t *j, const char *name, int *value, const char **unit, struct arena *a,
                        struct err *e)
{
    int64_t v = 0;
    struct jfield f[] = {
        {"value", JF_INT, 1, &v, 0, CATALOG_LIMIT_MAX, NULL},
        {"unit", JF_STRING, 1, (void *)unit, 1, 16, NULL},
    };
    int rc = unpack_object(j, name, f, 2, a, e);
    *value = (int)v;
    return rc;
}

static int unpack_fee(json_t *j, struct catalog_version *v, struct arena *a, struct err *e)
{
    int free_present = 0;
    struct jfield f[] = {
        {"free", JF_BOOL, 0, &v->fee_free, 0, 0, &free_present},
        {"amount_cents", JF_INT, 0, &v->fee_amount_cents, 0, CATALOG_FEE_MAX_CENTS, NULL},
        {"basis", JF_STRING, 0, (void *)&v->fee_basis, 0, CATALOG_SHORT_MAX, NULL},
    };
    int rc = unpack_object(j, "fee", f, 3, a, e);
    if (rc == 0 && !free_present)
        v->fee_free = v->fee_amount_cents == 0;
    return rc;
}

static int unpack_materials(json_t *j, struct catalog_version *v, struct arena *a, struct err *e)
{
    if (!json_is_array(j))
        return err_set(e, ERR_INVALID, "materials", "materials must be an array");
    size_t n = json_array_size(j);
    if (n > CATALOG_MAX_MATERIALS)
        return err_set(e, ERR_INVALID, "materials", "at most %d materials", CATALOG_MAX_MATERIALS);
    v->materials = arena_alloc(a, sizeof(*v->materials) * (n ? n : 1));
    if (!v->materials)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct catalog_material *m = &v->materials[i];
        int64_t copies = 1;
        m->required = 1;
        struct jfield f[] = {
            {"name", JF_STRING, 1, (void *)&m->name, 1, CATALOG_SHORT_MAX, NULL},
            {"form", JF_STRING, 1, (void *)&m->form, 1, 32, NULL},
            {"copies", JF_INT, 0, &copies, 0, CATALOG_COPIES_MAX, NULL},
            {"issuer", JF_STRING, 0, (void *)&m->issuer, 0, CATALOG_SHORT_MAX, NULL},
            {"required", JF_BOOL, 0, &m->required, 0, 0, NULL},
            {"notes", JF_STRING, 0, (void *)&m->notes, 0, CATALOG_SHORT_MAX, NULL},
            {"sample_file_id", JF_ID_OR_NULL, 0, &m->sample_file_id, 1, INT64_MAX, NULL},
        };
        char name[32];
        snprintf(name, sizeof(name), "materials[%zu]", i);
        int rc =
            unpack_object(json_array_get(j, i), name, f, (int)(sizeof(f) / sizeof(f[0])), a, e);
        if (rc < 0)
            return rc;
        m->copies = (int)copies;
        m->seq = (int)i + 1;
        v->nmaterials++;
    }
    return 0;
}

static int unpack_steps(json_t *j, struct catalog_version *v, struct arena *a, struct err *e)
{
    if (!json_is_array(j))
        return err_set(e, ERR_INVALID, "steps", "steps must be an array");
    size_t n = json_array_size(j);
    if (n > CATALOG_MAX_STEPS)
        return err_set(e, ERR_INVALID, "steps", "at most %d steps", CATALOG_MAX_STEPS);
    v->steps = arena_alloc(a, sizeof(*v->steps) * (n ? n : 1));
    if (!v->steps)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct catalog_step *s = &v->steps[i];
        struct jfield f[] = {
            {"title", JF_STRING, 1, (void *)&s->title, 1, CATALOG_SHORT_MAX, NULL},
            {"description", JF_STRING, 0, (void *)&s->description, 0, CATALOG_TEXT_MAX, NULL},
        };
        char name[32];
        snprintf(name, sizeof(name), "steps[%zu]", i);
        int rc = unpack_object(json_array_get(j, i), name, f, 2, a, e);
        if (rc < 0)
            return rc;
        s->seq = (int)i + 1;
        v->nsteps++;
    }
    return 0;
}

static int unpack_places(json_t *j, struct catalog_version *v, struct arena *a, struct err *e)
{
    if (!json_is_array(j))
        return err_set(e, ERR_INVALID, "places", "places must be an array of node ids");
    size_t n = json_array_size(j);
    if (n > CATALOG_MAX_PLACES)
        return err_set(e, ERR_INVALID, "places", "at most %d places", CATALOG_MAX_PLACES);
    v->places = arena_alloc(a, sizeof(*v->places) * (n ? n : 1));
    if (!v->places)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_array_get(j, i);
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            char name[32];
            snprintf(name, sizeof(name), "places[%zu]", i);
            return err_set(e, ERR_INVALID, name, "%s must be a node id", name);
        }
        v->places[v->nplaces++].node_id = (int64_t)json_integer_value(x);
    }
    return 0;
}

/* The body of a create (with_identity: "code" and "unit_id" too) or of a
 * draft, strictly, into v (strings in r->arena). Answers 400 on failure. */
static int read_content(struct req *r, struct catalog_version *v, int with_identity)
{
    static const char *const nested[] = {"legal_limit", "promised_limit", "fee",
                                         "materials",   "steps",          "places"};
    json_t *body = req_body_json(r);
    if (!body)
        return ERR_INVALID;
    struct err e = {0};
    json_t *flat = json_object(), *parts[6] = {0};
    int rc = flat ? 0 : err_set(&e, ERR_NOMEM, NULL, "out of memory");
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        size_t k = 0;
        while (k < 6 && strcmp(key, nested[k]) != 0)
            k++;
        if (k < 6)
            parts[k] = val;
        else if (flat)
            json_object_set(flat, key, val);
    }
    int64_t unit_id = 0;
    v->online = "none";
    struct jfield f[] = {
        {"name", JF_STRING, 1, (void *)&v->name, 1, CATALOG_NAME_MAX, NULL},
        {"kind", JF_STRING, 1, (void *)&v->kind, 1, 16, NULL},
        {"basis", JF_STRING, 0, (void *)&v->basis, 0, CATALOG_TEXT_MAX, NULL},
        {"conditions", JF_STRING, 0, (void *)&v->conditions, 0, CATALOG_TEXT_MAX, NULL},
        {"remedies", JF_STRING, 0, (void *)&v->remedies, 0, CATALOG_TEXT_MAX, NULL},
        {"appointable", JF_BOOL, 0, &v->appointable, 0, 0, NULL},
        {"ticket_prefix", JF_STRING, 0, (void *)&v->ticket_prefix, 0, 2, NULL},
        {"online", JF_STRING, 0, (void *)&v->online, 1, 16, NULL},
        {"phone", JF_STRING, 0, (void *)&v->phone, 0, CATALOG_PHONE_MAX, NULL},
        {"code", JF_STRING, 1, (void *)&v->code, 1, CATALOG_CODE_MAX, NULL},
        {"unit_id", JF_INT, 1, &unit_id, 1, INT64_MAX, NULL},
    };
    int nf = (int)(sizeof(f) / sizeof(f[0])) - (with_identity ? 0 : 2);
    if (rc == 0)
        rc = json_in_unpack(flat, f, nf, &r->arena, &e);
    v->unit_id = unit_id;
    v->fee_free = 1;
    if (rc == 0 && !parts[0])
        rc = err_set(&e, ERR_INVALID, "legal_limit", "legal_limit is required");
    if (rc == 0)
        rc = unpack_limit(parts[0], "legal_limit", &v->legal_limit, &v->legal_unit, &r->arena, &e);
    if (rc == 0 && !parts[1])
        rc = err_set(&e, ERR_INVALID, "promised_limit", "promised_limit is required");
    if (rc == 0)
        rc = unpack_limit(parts[1], "promised_limit", &v->promised_limit, &v->promised_unit,
                          &r->arena, &e);
    if (rc == 0 && parts[2])
        rc = unpack_fee(parts[2], v, &r->arena, &e);
    if (rc == 0 && parts[3])
        rc = unpack_materials(parts[3], v, &r->arena, &e);
    if (rc == 0 && parts[4])
        rc = unpack_steps(parts[4], v, &r->arena, &e);
    if (rc == 0 && parts[5])
        rc = unpack_places(parts[5], v, &r->arena, &e);
    /* the domain's rules too, so a bad body never queues a write */
    if (rc == 0)
        rc = catalog_validate(v, &e);
    if (rc == 0 && with_identity && !catalog_code_ok(v->code))
        rc = err_set(&e, ERR_INVALID, "code", "code must be 1-%d letters, digits, . - or _",
                     CATALOG_CODE_MAX);
    json_decref(flat);
    json_decref(body);
    if (rc < 0)
        req_fail(r, &e);
    return rc;
}

/* ---- public reads ---- */

static int api_catalog_public_list(struct req *r)
{
    struct catalog_filter f = {.published_only = 1, .active = 1};
    if (api_page(r, &f.page, &f.per_page) < 0 ||
        req_query_int(r, "unit_id", 1, INT64_MAX, &f.unit_id) < 0 ||
        req_query_int(r, "hall_id", 1, INT64_MAX, &f.hall_id) < 0)
        return REQ_DONE;
    f.q = req_query(r, "q");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (f.q && parse_text(f.q, 0, 100, 0) < 0)
        return req_error(r, ERR_INVALID, "q", "q must have at most 100 characters");
    struct db *db = req_db(r);
    if (f.hall_id) {
        struct org_node hall;
        int rc = org_get(db, f.hall_id, &hall);
        if (rc == ERR_NOTFOUND || (rc == 0 && strcmp(hall.kind, "hall") != 0))
            return req_error(r, ERR_INVALID, "hall_id", "no such hall");
        if (rc < 0)
            return req_error(r, rc, NULL, "database error");
    }
    struct catalog_summary *items;
    int n;
    int64_t total;
    int rc = catalog_list(db, &f, &r->arena, &items, &n, &total);
    if (rc == ERR_NOTFOUND)
        return req_error(r, ERR_INVALID, "unit_id", "no such unit");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, summary_json(&items[i], 0));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* The public item page: rendered once per change and kept in the read cache
 * (it is the catalogue's hottest read). */
static int api_catalog_public_item(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    const char *code = r->nparams > 0 ? r->params[0] : NULL;
    if (!catalog_code_ok(code))
        return req_error(r, ERR_NOTFOUND, NULL, "no such item");
    struct db *db = req_db(r);
    char key[64];
    int klen = snprintf(key, sizeof(key), "ci:%s", code);
    int cacheable = klen > 0 && (size_t)klen < sizeof(key);
    size_t len = 0;
    const char *cached = cacheable ? db_cache_get(db, key, &len) : NULL;
    if (cached)
        return req_bytes(r, 200, "application/json; charset=utf-8", cached, len);
    struct catalog_version v;
    int rc = catalog_get_current(db, code, &r->arena, &v);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such item" : "database error");
    req_json(r, 200, version_json(&v, 1));
    if (cacheable && r->status == 200 && r->resp)
        db_cache_put(db, key, r->resp, r->resp_len);
    return REQ_DONE;
}

static int api_catalog_file_get(struct req *r)
{
    int64_t id;
    if (req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    const char *name, *mime;
    const void *data;
    size_t len;
    int rc = catalog_file_get(req_db(r), id, &r->arena, &name, &mime, &data, &len);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such file" : "database error");
    /* the stored type, as a static string (the content decided it on upload) */
    const char *type = catalog_file_type(data, len);
    if (!type || strcmp(type, mime) != 0)
        type = "application/octet-stream";
    req_disposition(r, "inline", name);
    req_header(r, "Cache-Control", "public, max-age=86400, immutable");
    return req_bytes(r, 200, type, data, len);
}

/* ---- staff reads ---- */

static int read_item_in_scope(struct req *r, struct catalog_item *item)
{
    int64_t id;
    if (req_param_id(r, 0, &id) < 0)
        return ERR_NOTFOUND;
    int rc = catalog_get_item(req_db(r), id, &r->arena, item);
    if (rc < 0) {
        req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such item" : "database error");
        return rc;
    }
    return api_scope(r, item->unit_path);
}

static int api_catalog_admin_list(struct req *r)
{
    struct catalog_filter f = {.scope = r->who.scope, .active = -1};
    if (api_role(r, ROLES_STAFF_ALL) < 0 || api_page(r, &f.page, &f.per_page) < 0 ||
        api_active(r, &f.active) < 0 || req_query_int(r, "unit_id", 1, INT64_MAX, &f.unit_id) < 0)
        return REQ_DONE;
    f.q = req_query(r, "q");
    if (req_query_done(r) < 0 || api_filter_node(r, f.unit_id, "unit_id") < 0)
        return REQ_DONE;
    if (f.q && parse_text(f.q, 0, 100, 0) < 0)
        return req_error(r, ERR_INVALID, "q", "q must have at most 100 characters");
    struct catalog_summary *items;
    int n;
    int64_t total;
    int rc = catalog_list(req_db(r), &f, &r->arena, &items, &n, &total);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, summary_json(&items[i], 1));
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

static int api_catalog_admin_item(struct req *r)
{
    struct catalog_item item;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 ||
        read_item_in_scope(r, &item) < 0)
        return REQ_DONE;
    int rc = 0;
    json_t *j = item_json(req_db(r), &item, &rc);
    if (!j)
        return req_error(r, rc, NULL, "database error");
    return req_json(r, 200, j);
}

static int api_catalog_admin_version(struct req *r)
{
    int64_t id;
    struct catalog_version v;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    int rc = catalog_get_version(req_db(r), id, &r->arena, &v);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such version" : "database error");
    if (api_scope(r, v.unit_path) < 0)
        return REQ_DONE;
    return req_json(r, 200, version_json(&v, 0));
}

/* ---- writes ---- */

struct item_op {
    struct api_op op;
    int64_t item_id, version_id;
    int active;
    struct catalog_version in;
};

/* the version vid as the op's result, read on the writer's connection */
static int result_version(struct db *db, struct api_op *op, int64_t vid, struct err *e)
{
    struct arena a = {0};
    struct catalog_version v;
    int rc = catalog_get_version(db, vid, &a, &v);
    if (rc == 0)
        op->result = version_json(&v, 0);
    arena_reset(&a);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static int run_create(struct db *db, struct api_op *op, struct err *e)
{
    struct item_op *io = (struct item_op *)op;
    int rc = catalog_create(db, &op->who, &io->in, &io->item_id, &io->version_id, e);
    if (rc == 0)
        op->result = json_pack("{s:I,s:I}", "item_id", (json_int_t)io->item_id, "version_id",
                               (json_int_t)io->version_id);
    return rc;
}

static int api_catalog_admin_create(struct req *r)
{
    struct item_op *io = arena_alloc(&r->arena, sizeof(*io));
    if (!io)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_content(r, &io->in, 1) < 0)
        return REQ_DONE;
    io->op.run = run_create;
    io->op.status = 201;
    return api_submit(r, &io->op);
}

static int run_draft(struct db *db, struct api_op *op, struct err *e)
{
    struct item_op *io = (struct item_op *)op;
    int rc = catalog_save_draft(db, &op->who, io->item_id, &io->in, &io->version_id, e);
    return rc < 0 ? rc : result_version(db, op, io->version_id, e);
}

static int api_catalog_admin_draft(struct req *r)
{
    struct item_op *io = arena_alloc(&r->arena, sizeof(*io));
    struct catalog_item item;
    if (!io)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_item_in_scope(r, &item) < 0 || read_content(r, &io->in, 0) < 0)
        return REQ_DONE;
    io->item_id = item.id;
    io->op.run = run_draft;
    return api_submit(r, &io->op);
}

static int run_publish(struct db *db, struct api_op *op, struct err *e)
{
    struct item_op *io = (struct item_op *)op;
    int rc = catalog_publish(db, &op->who, io->item_id, &io->version_id, e);
    return rc < 0 ? rc : result_version(db, op, io->version_id, e);
}

static int api_catalog_admin_publish(struct req *r)
{
    struct item_op *io = arena_alloc(&r->arena, sizeof(*io));
    struct catalog_item item;
    if (!io)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_item_in_scope(r, &item) < 0)
        return REQ_DONE;
    if (r->body_len > 0)
        return req_error(r, ERR_INVALID, NULL, "publishing takes no body");
    io->item_id = item.id;
    io->op.run = run_publish;
    return api_submit(r, &io->op);
}

static int run_patch(struct db *db, struct api_op *op, struct err *e)
{
    struct item_op *io = (struct item_op *)op;
    struct arena a = {0};
    struct catalog_item item;
    int rc = catalog_set_active(db, &op->who, io->item_id, io->active, e);
    if (rc == 0)
        rc = catalog_get_item(db, io->item_id, &a, &item);
    if (rc == 0)
        op->result = item_json(db, &item, &rc);
    arena_reset(&a);
    if (rc < 0 && !e->msg[0])
        err_set(e, rc, NULL, "database error");
    return rc;
}

static int api_catalog_admin_patch(struct req *r)
{
    struct item_op *io = arena_alloc(&r->arena, sizeof(*io));
    struct catalog_item item;
    if (!io)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {{"active", JF_BOOL, 1, &io->active, 0, 0, NULL}};
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_done(r) < 0 ||
        read_item_in_scope(r, &item) < 0 || api_body(r, f, 1) < 0)
        return REQ_DONE;
    io->item_id = item.id;
    io->op.run = run_patch;
    return api_submit(r, &io->op);
}

/* ---- export (on the slow pool) and import (on the writer) ---- */

struct export_job {
    char scope[ACTOR_PATH_MAX];
    int64_t unit_id;
    enum catalog_io_format format;
    char *data;
    size_t len;
};

static int export_work(struct req *r, void *arg, struct err *e)
{
    struct export_job *x = arg;
    struct db *db = app_read_db(r->app);
    if (!db)
        return err_set(e, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    return catalog_io_export(db, x->scope, x->unit_id, x->format, &x->data, &x->len, e);
}

static int export_after(struct req *r, int rc, struct err *e)
{
    struct export_job *x = r->job.arg;
    if (rc < 0) {
        free(x->data);
        x->data = NULL;
        return req_fail(r, e);
    }
    int xlsx = x->format == CATALOG_IO_XLSX;
    req_header(r, "Content-Disposition",
               xlsx ? "attachment; filename=\"catalog.xlsx\""
                    : "attachment; filename=\"catalog.csv\"");
    req_bytes(r, 200,
              xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                   : "text/csv; charset=utf-8",
              x->data, x->len);
    free(x->data);
    x->data = NULL;
    return REQ_DONE;
}

static int api_catalog_admin_export(struct req *r)
{
    struct export_job *x = arena_alloc(&r->arena, sizeof(*x));
    if (!x)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, ROLES_STAFF_ALL) < 0 ||
        req_query_int(r, "unit_id", 1, INT64_MAX, &x->unit_id) < 0)
        return REQ_DONE;
    const char *format = req_query(r, "format");
    if (req_query_done(r) < 0 || api_filter_node(r, x->unit_id, "unit_id") < 0)
        return REQ_DONE;
    if (!format || strcmp(format, "csv") == 0)
        x->format = CATALOG_IO_CSV;
    else if (strcmp(format, "xlsx") == 0)
        x->format = CATALOG_IO_XLSX;
    else
        return req_error(r, ERR_INVALID, "format", "format must be csv or xlsx");
    snprintf(x->scope, sizeof(x->scope), "%s", r->who.scope);
    return req_defer(r, export_work, x, export_after);
}

struct import_op {
    struct api_op op;
    int skip;
    const char *data;
    size_t len;
    struct arena arena; /* the report */
    struct catalog_import_result res;
};

static int run_import(struct db *db, struct api_op *op, struct err *e)
{
    struct import_op *io = (struct import_op *)op;
    arena_reset(&io->arena);
    return catalog_io_import(db, &op->who, io->data, io->len, io->skip, 0, &io->arena, &io->res, e);
}

static json_t *faults_json(const struct catalog_import_result *res)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < res->nerrors; i++) {
        const struct catalog_io_error *x = &res->errors[i];
        json_array_append_new(arr, json_pack("{s:i,s:s,s:s}", "row", x->row, "field", x->field,
                                             "message", x->message));
    }
    return arr;
}

static int import_after(struct req *r, int rc, struct err *e)
{
    struct import_op *io = r->job.arg;
    const struct catalog_import_result *res = &io->res;
    json_t *j = NULL;
    unsigned status = 200;
    if (rc < 0 && res->nerrors > 0 && (rc == ERR_INVALID || rc == ERR_TOOLARGE)) {
        status = req_status_for(rc);
        json_t *err = json_pack("{s:s,s:s}", "code", err_name(rc), "message", e->msg);
        j = json_pack("{s:o,s:o,s:i}", "error", err, "errors", faults_json(res), "faults",
                      res->nfaults);
    } else if (rc < 0) {
        arena_reset(&io->arena);
        return req_fail(r, e);
    } else {
        j = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "imported",
                      res->created + res->updated + res->unchanged, "created", res->created,
                      "updated", res->updated, "unchanged", res->unchanged, "published",
                      res->published, "rows", res->rows, "skipped", faults_json(res));
    }
    arena_reset(&io->arena);
    if (!j)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return req_json(r, status, j);
}

static int api_catalog_admin_import(struct req *r)
{
    struct import_op *io = arena_alloc(&r->arena, sizeof(*io));
    int64_t skip = 0;
    if (!io)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0 || req_query_int(r, "skip_errors", 0, 1, &skip) < 0 ||
        req_query_done(r) < 0)
        return REQ_DONE;
    const char *ct = req_header_in(r, "Content-Type");
    if (!ct || (strncmp(ct, "text/csv", 8) != 0 && strncmp(ct, "application/csv", 15) != 0))
        return req_error(r, ERR_UNSUPPORTED, NULL, "send the catalogue as text/csv");
    if (r->body_len == 0)
        return req_error(r, ERR_INVALID, NULL, "the file is empty");
    io->skip = (int)skip;
    io->data = r->body;
    io->len = r->body_len;
    io->op.run = run_import;
    return api_submit_with(r, &io->op, import_after);
}

struct file_op {
    struct api_op op;
    const char *name;
    const void *data;
    size_t len;
};

static int run_file(struct db *db, struct api_op *op, struct err *e)
{
    struct file_op *fo = (struct file_op *)op;
    int64_t id = 0;
    int rc = catalog_file_add(db, &op->who, fo->name, fo->data, fo->len, &id, e);
    if (rc == 0) {
        char url[64];
        snprintf(url, sizeof(url), "/api/catalog/files/%lld", (long long)id);
        op->result = json_pack("{s:I,s:s}", "id", (json_int_t)id, "url", url);
    }
    return rc;
}

static int api_catalog_admin_file(struct req *r)
{
    struct file_op *fo = arena_alloc(&r->arena, sizeof(*fo));
    if (!fo)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, 1u << ROLE_ADMIN) < 0)
        return REQ_DONE;
    fo->name = req_query(r, "name");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    const char *type = catalog_file_type(r->body, r->body_len);
    if (!type)
        return req_error(r, ERR_UNSUPPORTED, NULL, "a sample file must be a PDF, PNG or JPEG");
    if (!fo->name)
        fo->name = strcmp(type, "application/pdf") == 0 ? "sample.pdf"
                   : strcmp(type, "image/png") == 0     ? "sample.png"
                                                        : "sample.jpg";
    if (parse_text(fo->name, 1, CATALOG_FILE_NAME_MAX, 0) < 0 || strpbrk(fo->name, "/\\"))
        return req_error(r, ERR_INVALID, "name",
                         "name must have 1-%d characters on one line, without / or \\",
                         CATALOG_FILE_NAME_MAX);
    fo->data = r->body;
    fo->len = r->body_len;
    fo->op.run = run_file;
    fo->op.status = 201;
    return api_submit(r, &fo->op);
}

/* GET /api/catalog/halls: where the public can go (halls serving published
 * items), for the service guide's hall filter and handbook links */
static int api_catalog_public_halls(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct catalog_hall *halls;
    int n = 0;
    int rc = catalog_halls(req_db(r), &r->arena, &halls, &n);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:o,s:o,s:o,s:i}", "id", (json_int_t)halls[i].id,
                                             "name", jstr(halls[i].name), "address",
                                             jstr(halls[i].address), "phone", jstr(halls[i].phone),
                                             "items", halls[i].items));
    return req_json(r, 200, json_pack("{s:o}", "items", arr));
}

static const struct route routes[] = {
    {HTTP_GET, "/api/catalog/halls", api_catalog_public_halls, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/catalog/items", api_catalog_public_list, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/catalog/items/{code}", api_catalog_public_item, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/catalog/files/{id}", api_catalog_file_get, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/admin/catalog/items", api_catalog_admin_list, 0, 0, NULL, 0},
    {HTTP_POST, "/api/admin/catalog/items", api_catalog_admin_create, 0, CATALOG_BODY_MAX, NULL, 0},
    {HTTP_GET, "/api/admin/catalog/items/{id}", api_catalog_admin_item, 0, 0, NULL, 0},
    {HTTP_PATCH, "/api/admin/catalog/items/{id}", api_catalog_admin_patch, 0, 0, NULL, 0},
    {HTTP_PUT, "/api/admin/catalog/items/{id}/draft", api_catalog_admin_draft, 0, CATALOG_BODY_MAX,
     NULL, 0},
    {HTTP_POST, "/api/admin/catalog/items/{id}/publish", api_catalog_admin_publish, 0, 0, NULL, 0},
    {HTTP_GET, "/api/admin/catalog/versions/{id}", api_catalog_admin_version, 0, 0, NULL, 0},
    {HTTP_GET, "/api/admin/catalog/export", api_catalog_admin_export, 0, 0, NULL, 0},
    {HTTP_POST, "/api/admin/catalog/import", api_catalog_admin_import, ROUTE_RAW_BODY,
     CSV_MAX_BYTES, NULL, 0},
    {HTTP_POST, "/api/admin/catalog/files", api_catalog_admin_file, ROUTE_RAW_BODY,
     CATALOG_FILE_MAX, NULL, 0},
};

const struct api_module api_catalog_module = {routes, sizeof(routes) / sizeof(routes[0])};

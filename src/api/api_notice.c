/* api_notice.c - the one-time notice (一次性告知书) and the hall handbook
 * (便民服务手册).
 *
 * Public: an item's notice as a printable page or PDF, optionally addressed
 * to a citizen with the materials still missing; a hall's handbook as PDF.
 * Staff: issue a notice (recorded on the writer: who, where, to whom, which
 * version, what was missing) and read it back exactly as issued, rendered
 * from the recorded version.
 *
 * The database reads and the HTML happen on the HTTP thread (fast); PDFs are
 * rendered on the slow-work pool (req_defer). Nothing here is cached: a
 * notice may carry a citizen's name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "base/parse.h"
#include "domain/catalog.h"
#include "domain/notice.h"
#include "domain/org.h"
#include "http/server.h"
#include "report/notice.h"

#define HANDBOOK_MAX_ITEMS 1000 /* about 2,000 pages and 250 MB while rendering */
#define HANDBOOK_PAGE 500
#define ISSUE_BODY_MAX 8192

/* The notice page needs no script and no outside resource: forbid them. */
#define HTML_CSP                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "              \
    "form-action 'none'"

/* One rendering: what to render and, for a PDF, the bytes. Lives in
 * r->arena; the PDF is malloc'd and freed once sent. */
struct notice_job {
    struct catalog_version v;
    struct notice_info info;
    int64_t missing[NOTICE_MISSING_MAX];
    const char *filename; /* without ".pdf" */
    int64_t hall_id;      /* the handbook's hall */
    char *pdf;
    size_t len;
};

/* ---- small helpers ---- */

/* format=html|pdf (default html) into *pdf; answers 400 when bad. */
static int read_format(struct req *r, int *pdf)
{
    const char *f = req_query(r, "format");
    *pdf = 0;
    if (!f || strcmp(f, "html") == 0)
        return 0;
    if (strcmp(f, "pdf") == 0) {
        *pdf = 1;
        return 0;
    }
    req_error(r, ERR_INVALID, "format", "format must be html or pdf");
    return ERR_INVALID;
}

/* "12,15,40": material ids into ids[0..*n); answers 400 naming `missing`. */
static int read_missing_query(struct req *r, const char *s, int64_t *ids, int *n)
{
    *n = 0;
    if (!s || !*s)
        return 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char num[24];
        int64_t id;
        if (len == 0 || len >= sizeof(num) || *n == NOTICE_MISSING_MAX) {
            req_error(r, ERR_INVALID, "missing",
                      "missing must be at most %d material ids separated by commas",
                      NOTICE_MISSING_MAX);
            return ERR_INVALID;
        }
        memcpy(num, s, len);
        num[len] = '\0';
        if (parse_int64(num, 1, INT64_MAX, &id) < 0) {
            req_error(r, ERR_INVALID, "missing", "missing must be material ids (integers)");
            return ERR_INVALID;
        }
        ids[(*n)++] = id;
        if (!comma)
            break;
        s = comma + 1;
        if (!*s) {
            req_error(r, ERR_INVALID, "missing", "missing must not end with a comma");
            return ERR_INVALID;
        }
    }
    return 0;
}

/* 400 naming `missing` unless every id is one of v's materials, once. */
static int check_missing(struct req *r, const struct catalog_version *v, const int64_t *ids, int n)
{
    int bad = 0;
    if (notice_check_missing(v, ids, n, &bad) == 0)
        return 0;
    req_error(r, ERR_INVALID, "missing", "%lld is not a material of item %s (or is repeated)",
              (long long)ids[bad], v->code ? v->code : "");
    return ERR_INVALID;
}

static int send_html(struct req *r, struct notice_job *job)
{
    char *html = NULL;
    size_t len = 0;
    int rc = notice_html(&job->v, &job->info, &html, &len);
    if (rc < 0)
        return req_error(r, rc, NULL, "cannot render the notice");
    req_header(r, "Content-Security-Policy", HTML_CSP);
    req_bytes(r, 200, "text/html; charset=utf-8", html, len);
    free(html);
    return REQ_DONE;
}

/* on the slow-work pool */
static int notice_pdf_work(struct req *r, void *arg, struct err *e)
{
    (void)r;
    struct notice_job *job = arg;
    int rc = notice_pdf(&job->v, &job->info, &job->pdf, &job->len, NULL);
    return rc < 0 ? err_set(e, rc, NULL, "cannot render the notice as PDF") : 0;
}

static int pdf_after(struct req *r, int rc, struct err *e)
{
    struct notice_job *job = r->job.arg;
    if (rc < 0) {
        free(job->pdf);
        job->pdf = NULL;
        return req_fail(r, e);
    }
    const char *pdf_name = arena_printf(&r->arena, "%s.pdf", job->filename);
    if (pdf_name)
        req_disposition(r, "inline", pdf_name);
    req_bytes(r, 200, "application/pdf", job->pdf, job->len);
    free(job->pdf);
    job->pdf = NULL;
    return REQ_DONE;
}

static int send(struct req *r, struct notice_job *job, int pdf)
{
    if (!pdf)
        return send_html(r, job);
    return req_defer(r, notice_pdf_work, job, pdf_after);
}

/* ---- GET /api/catalog/items/{code}/notice (public) ---- */

static int api_notice_public(struct req *r)
{
    struct notice_job *job = arena_alloc(&r->arena, sizeof(*job));
    if (!job)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    int pdf = 0, nmissing = 0;
    const char *code = r->nparams > 0 ? r->params[0] : NULL;
    const char *name = req_query(r, "name");
    const char *missing = req_query(r, "missing");
    if (read_format(r, &pdf) < 0 || read_missing_query(r, missing, job->missing, &nmissing) < 0 ||
        req_query_done(r) < 0)
        return REQ_DONE;
    if (name && parse_text(name, 0, NOTICE_NAME_MAX, 0) < 0)
        return req_error(r, ERR_INVALID, "name", "name must be at most %d characters on one line",
                         NOTICE_NAME_MAX);
    if (!code || !catalog_code_ok(code))
        return req_error(r, ERR_NOTFOUND, NULL, "no such item");
    struct db *db = req_db(r);
    int rc = catalog_get_current(db, code, &r->arena, &job->v);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such item" : "database error");
    if (check_missing(r, &job->v, job->missing, nmissing) < 0)
        return REQ_DONE;
    job->info.citizen_name = name;
    job->info.missing = nmissing ? job->missing : NULL;
    job->info.nmissing = nmissing;
    job->filename = arena_printf(&r->arena, "一次性告知书-%s", job->v.name ? job->v.name : code);
    if (!job->filename)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return send(r, job, pdf);
}

/* ---- GET /api/catalog/halls/{id}/handbook.pdf (public) ---- */

static int handbook_work(struct req *r, void *arg, struct err *e)
{
    struct notice_job *job = arg;
    struct db *db = app_read_db(r->app);
    if (!db)
        return err_set(e, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    struct org_node hall;
    int rc = org_get(db, job->hall_id, &hall);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such hall" : "database error");
    /* every published item served at the hall, then each one's content; a
     * handbook can be large, so its own arena, freed once rendered */
    struct arena a = {0};
    struct catalog_version *items = NULL;
    int n = 0;
    int64_t total = 0;
    struct catalog_filter f = {.hall_id = hall.id, .published_only = 1, .active = 1};
    f.per_page = HANDBOOK_PAGE;
    for (f.page = 1;; f.page++) {
        struct catalog_summary *page;
        int got = 0;
        rc = catalog_list(db, &f, &a, &page, &got, &total);
        if (rc < 0)
            goto done;
        if (total > HANDBOOK_MAX_ITEMS) {
            rc = err_set(e, ERR_TOOLARGE, NULL, "the hall serves more than %d items",
                         HANDBOOK_MAX_ITEMS);
            goto done;
        }
        if (!items) {
            items = arena_alloc(&a, (size_t)(total ? total : 1) * sizeof(*items));
            if (!items) {
                rc = ERR_NOMEM;
                goto done;
            }
        }
        for (int i = 0; i < got && n < total; i++) {
            rc = catalog_get_current(db, page[i].code, &a, &items[n]);
            if (rc == ERR_NOTFOUND) /* unpublished since it was listed */
                continue;
            if (rc < 0)
                goto done;
            n++;
        }
        if (got < HANDBOOK_PAGE || (int64_t)f.page * HANDBOOK_PAGE >= total)
            break;
    }
    struct handbook_info h = {hall.name, hall.address, hall.phone, 0};
    rc = notice_handbook_pdf(&h, items, n, &job->pdf, &job->len, NULL, NULL);
done:
    arena_reset(&a);
    if (rc < 0 && !e->code)
        err_set(e, rc, NULL, rc == ERR_NOMEM ? "out of memory" : "cannot make the handbook");
    return rc;
}

static int api_notice_handbook(struct req *r)
{
    int64_t id;
    if (req_query_done(r) < 0 || req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    struct org_node hall;
    int rc = api_org_get(r, id, &hall);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return req_error(r, rc, NULL, "database error");
    if (rc == ERR_NOTFOUND || strcmp(hall.kind, "hall") != 0 || !hall.active)
        return req_error(r, ERR_NOTFOUND, NULL, "no such hall");
    struct notice_job *job = arena_alloc(&r->arena, sizeof(*job));
    if (!job)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    job->hall_id = hall.id;
    job->filename = arena_printf(&r->arena, "%s-便民服务手册", hall.name);
    if (!job->filename)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return req_defer(r, handbook_work, job, pdf_after);
}

/* ---- POST /api/catalog/notices (staff) ---- */

struct issue_op {
    struct api_op op;
    int64_t version_id, node_id;
    const char *citizen_name;
    char *missing_json;
};

static int run_issue(struct db *db, struct api_op *op, struct err *e)
{
    struct issue_op *io = (struct issue_op *)op;
    int64_t id = 0;
    int rc = catalog_record_notice(db, &op->who, io->version_id, io->node_id, io->citizen_name,
                                   io->missing_json, &id, e);
    if (rc < 0)
        return rc;
    struct arena a = {0};
    struct notice_issued n;
    rc = notice_get_issued(db, id, &a, &n);
    arena_reset(&a);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    char html[64], pdf[64];
    snprintf(html, sizeof(html), "/api/catalog/notices/%lld?format=html", (long long)id);
    snprintf(pdf, sizeof(pdf), "/api/catalog/notices/%lld?format=pdf", (long long)id);
    op->result = json_pack("{s:I,s:I,s:I,s:s,s:s}", "id", (json_int_t)id, "version_id",
                           (json_int_t)io->version_id, "issued_at", (json_int_t)n.issued_at,
                           "html_url", html, "pdf_url", pdf);
    return op->result ? 0 : err_set(e, ERR_NOMEM, NULL, "out of memory");
}

/* The "missing" member: an array of material ids, taken out of the body so
 * the rest unpacks strictly. Answers 400 and returns < 0 when bad. */
static int take_missing(struct req *r, json_t *body, int64_t *ids, int *n)
{
    *n = 0;
    json_t *m = json_object_get(body, "missing");
    if (!m)
        return 0;
    if (!json_is_array(m) || json_array_size(m) > NOTICE_MISSING_MAX) {
        req_error(r, ERR_INVALID, "missing", "missing must be a list of at most %d material ids",
                  NOTICE_MISSING_MAX);
        return ERR_INVALID;
    }
    size_t i;
    json_t *x;
    json_array_foreach(m, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            req_error(r, ERR_INVALID, "missing", "missing[%zu] must be a material id", i);
            return ERR_INVALID;
        }
        ids[(*n)++] = json_integer_value(x);
    }
    json_object_del(body, "missing");
    return 0;
}

static int api_notice_issue(struct req *r)
{
    struct issue_op *io = arena_alloc(&r->arena, sizeof(*io));
    int64_t *ids = arena_alloc(&r->arena, NOTICE_MISSING_MAX * sizeof(*ids));
    if (!io || !ids)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    if (api_role(r, ROLES_STAFF_ALL) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    json_t *body = req_body_json(r);
    if (!body)
        return REQ_DONE;
    int n = 0;
    char *code = NULL, *name = NULL;
    int64_t node_id = 0;
    struct jfield f[] = {
        {"code", JF_STRING, 1, &code, 1, CATALOG_CODE_MAX, NULL},
        {"citizen_name", JF_STRING, 0, &name, 0, NOTICE_NAME_MAX, NULL},
        {"node_id", JF_INT, 0, &node_id, 1, INT64_MAX, NULL},
    };
    struct err e = {0};
    int rc = take_missing(r, body, ids, &n);
    if (rc == 0 && json_in_unpack(body, f, (int)(sizeof(f) / sizeof(f[0])), &r->arena, &e) < 0) {
        req_fail(r, &e);
        rc = ERR_INVALID;
    }
    json_decref(body);
    if (rc < 0)
        return REQ_DONE;
    struct catalog_version v;
    rc = catalog_code_ok(code) ? catalog_get_current(req_db(r), code, &r->arena, &v) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND)
        return req_error(r, rc, "code", "no published item has this code");
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    if (check_missing(r, &v, ids, n) < 0)
        return REQ_DONE;
    if (node_id && api_filter_node(r, node_id, "node_id") < 0)
        return REQ_DONE;
    /* the record keeps the names of what was missing, in the table's order */
    json_t *names = json_array();
    for (int k = 0; k < v.nmaterials && names; k++)
        for (int i = 0; i < n; i++)
            if (v.materials[k].id == ids[i])
                json_array_append_new(names, json_string(v.materials[k].name));
    char *text = names ? json_dumps(names, JSON_COMPACT) : NULL;
    json_decref(names);
    io->missing_json = text ? arena_strdup(&r->arena, text) : NULL;
    free(text);
    if (!io->missing_json)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    io->version_id = v.id;
    io->node_id = node_id ? node_id : r->who.node_id;
    io->citizen_name = name ? name : "";
    io->op.run = run_issue;
    io->op.status = 201;
    return api_submit(r, &io->op);
}

/* ---- GET /api/catalog/notices/{id} (staff in scope) ---- */

/* The issuing hall: the node itself, or a window's hall. */
static void issuing_hall(struct req *r, int64_t node_id, struct notice_info *in)
{
    struct org_node *n = arena_alloc(&r->arena, sizeof(*n));
    if (!n || !node_id || api_org_get(r, node_id, n) < 0)
        return;
    if (strcmp(n->kind, "window") == 0 && n->parent_id) {
        struct org_node *hall = arena_alloc(&r->arena, sizeof(*hall));
        if (hall && api_org_get(r, n->parent_id, hall) == 0)
            n = hall;
    }
    in->hall_name = n->name;
    in->hall_phone = n->phone;
}

static int api_notice_get(struct req *r)
{
    int64_t id;
    int pdf = 0;
    if (api_role(r, ROLES_STAFF_ALL) < 0 || read_format(r, &pdf) < 0 || req_query_done(r) < 0 ||
        req_param_id(r, 0, &id) < 0)
        return REQ_DONE;
    struct notice_job *job = arena_alloc(&r->arena, sizeof(*job));
    if (!job)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct db *db = req_db(r);
    struct notice_issued rec;
    int rc = notice_get_issued(db, id, &r->arena, &rec);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such notice" : "database error");
    if (api_scope(r, rec.scope_path) < 0)
        return REQ_DONE;
    /* the version it was given from, not the current one */
    rc = catalog_get_version(db, rec.version_id, &r->arena, &job->v);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOTFOUND ? "no such notice" : "database error");
    int n = 0;
    for (int k = 0; k < job->v.nmaterials && n < NOTICE_MISSING_MAX; k++)
        for (int i = 0; i < rec.nmissing; i++)
            if (job->v.materials[k].name && strcmp(job->v.materials[k].name, rec.missing[i]) == 0) {
                job->missing[n++] = job->v.materials[k].id;
                break;
            }
    job->info.citizen_name = rec.citizen_name;
    job->info.missing = n ? job->missing : NULL;
    job->info.nmissing = n;
    job->info.issuer = rec.issuer_name;
    job->info.issued_at = rec.issued_at;
    job->info.notice_id = rec.id;
    issuing_hall(r, rec.node_id, &job->info);
    job->filename = arena_printf(&r->arena, "一次性告知书-%lld", (long long)rec.id);
    if (!job->filename)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    return send(r, job, pdf);
}

static const struct route routes[] = {
    {HTTP_GET, "/api/catalog/items/{code}/notice", api_notice_public, ROUTE_PUBLIC, 0, NULL, 0},
    {HTTP_GET, "/api/catalog/halls/{id}/handbook.pdf", api_notice_handbook, ROUTE_PUBLIC, 0, NULL,
     0},
    {HTTP_POST, "/api/catalog/notices", api_notice_issue, 0, ISSUE_BODY_MAX, NULL, 0},
    {HTTP_GET, "/api/catalog/notices/{id}", api_notice_get, 0, 0, NULL, 0},
};

const struct api_module api_notice_module = {routes, sizeof(routes) / sizeof(routes[0])};

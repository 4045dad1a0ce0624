/* api_eval_stats.c - 好差评 metrics and the month's window ranking over HTTP
 * (docs/api.md, "### Metrics"). Reads only. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "domain/eval_stats.h"
#include "domain/org.h"
#include "domain/queue.h"

/* NULL for "" (an empty form field): no filter */
static const char *nz_query(struct req *r, const char *key)
{
    const char *v = req_query(r, key);
    return v && *v ? v : NULL;
}

/* A rate rounded to 6 places, or null when it has no base. */
static json_t *ratio_json(struct eval_ratio x)
{
    double v = 0;
    return eval_ratio_value(x, &v) ? json_real(round(v * 1e6) / 1e6) : json_null();
}

/* The counts and rates every row and ranking item shows, into j. */
static void counts_into(json_t *j, const struct eval_counts *c)
{
    struct eval_ratio rates[EVAL_RATES];
    eval_counts_rates(c, rates);
    json_object_set_new(j, "levels",
                        json_pack("{s:I,s:I,s:I,s:I,s:I}", "1", (json_int_t)c->n[0], "2",
                                  (json_int_t)c->n[1], "3", (json_int_t)c->n[2], "4",
                                  (json_int_t)c->n[3], "5", (json_int_t)c->n[4]));
    json_object_set_new(j, "total", json_integer(eval_counts_total(c)));
    json_object_set_new(j, "active", json_integer(c->active));
    json_object_set_new(j, "defaulted", json_integer(c->defaulted));
    json_object_set_new(j, "unrated", json_integer(c->unrated));
    json_object_set_new(j, "services", json_integer(eval_counts_services(c)));
    json_object_set_new(j, "bad", json_integer(c->bad));
    json_object_set_new(j, "excluded", json_integer(c->excluded));
    for (int k = 0; k < EVAL_RATES; k++)
        json_object_set_new(j, eval_rate_name((enum eval_rate_kind)k), ratio_json(rates[k]));
}

static json_t *drill_json(const struct eval_drill *d)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (d->staff_id)
        json_object_set_new(j, "staff_id", json_integer(d->staff_id));
    if (d->window_id)
        json_object_set_new(j, "window_id", json_integer(d->window_id));
    if (d->node_id)
        json_object_set_new(j, "node_id", json_integer(d->node_id));
    if (d->item_id)
        json_object_set_new(j, "item_id", json_integer(d->item_id));
    if (d->channel)
        json_object_set_new(j, "channel", json_string(d->channel));
    json_object_set_new(j, "from", json_string(d->from));
    json_object_set_new(j, "to", json_string(d->to));
    return j;
}

static json_t *row_json(const struct eval_stats_row *r)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    if (r->key)
        json_object_set_new(j, "key", json_string(r->key));
    else
        json_object_set_new(j, "key", r->key_id ? json_integer(r->key_id) : json_null());
    json_object_set_new(j, "label", json_string(r->label ? r->label : ""));
    if (r->code)
        json_object_set_new(j, "code", json_string(r->code));
    counts_into(j, &r->c);
    json_t *dims = json_array();
    for (int i = 0; dims && i < r->ndims; i++) {
        const struct eval_dim_avg *d = &r->dims[i];
        double avg = d->n > 0 ? round((double)d->sum / (double)d->n * 100.0) / 100.0 : 0.0;
        json_array_append_new(dims, json_pack("{s:s,s:s,s:s,s:o}", "code", d->code, "name_zh",
                                              d->name_zh, "name_en", d->name_en, "average",
                                              d->n > 0 ? json_real(avg) : json_null()));
    }
    json_object_set_new(j, "dims", dims ? dims : json_array());
    json_object_set_new(j, "drill", drill_json(&r->drill));
    return j;
}

/* GET /api/evaluations/metrics?node_id=&from=&to=&by=&channel=&item_id=&staff_id= */
static int api_eval_metrics(struct req *r)
{
    struct eval_stats_query q = {0};
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    q.by = nz_query(r, "by");
    if (!q.by)
        q.by = "window";
    q.from = req_query(r, "from");
    q.to = req_query(r, "to");
    q.channel = nz_query(r, "channel");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &q.node_id) < 0 ||
        req_query_int(r, "item_id", 1, INT64_MAX, &q.item_id) < 0 ||
        req_query_int(r, "staff_id", 1, INT64_MAX, &q.staff_id) < 0 || req_query_done(r) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    if (!db)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    struct eval_stats s;
    struct err e = {0};
    if (eval_stats(db, &r->who, &q, &r->arena, &s, &e) < 0)
        return req_fail(r, &e);
    json_t *rows = json_array();
    for (int i = 0; rows && i < s.n; i++)
        json_array_append_new(rows, row_json(&s.rows[i]));
    json_t *out =
        json_pack("{s:s,s:s,s:s,s:o,s:o*,s:o*,s:b}", "from", s.from, "to", s.to, "by",
                  eval_by_name(s.by), "node_id", s.node_id ? json_integer(s.node_id) : json_null(),
                  "rows", rows, "total", row_json(&s.total), "truncated", s.truncated);
    return req_json(r, 200, out);
}

/* GET /api/evaluations/ranking?month=YYYY-MM&node_id=&limit= */
static int api_eval_ranking(struct req *r)
{
    int64_t node_id = 0, limit = EVAL_RANK_LIMIT_DEFAULT;
    if (api_role(r, ROLES_STAFF_ALL) < 0)
        return REQ_DONE;
    const char *month = nz_query(r, "month");
    if (req_query_int(r, "node_id", 1, INT64_MAX, &node_id) < 0 ||
        req_query_int(r, "limit", 1, EVAL_RANK_LIMIT_MAX, &limit) < 0 || req_query_done(r) < 0 ||
        api_filter_node(r, node_id, "node_id") < 0)
        return REQ_DONE;
    char this_month[DATE_TEXT];
    if (!month) {
        queue_service_day((int64_t)time(NULL), this_month);
        this_month[7] = '\0';
        month = this_month;
    }
    if (eval_month_ok(month) < 0)
        return req_error(r, ERR_INVALID, "month", "month must be a month as YYYY-MM");
    const char *path = r->who.scope;
    struct org_node n;
    if (node_id) {
        int rc = api_org_get(r, node_id, &n);
        if (rc < 0)
            return req_error(r, rc, NULL, "database error");
        path = n.path;
    }
    struct db *db = req_db(r);
    if (!db)
        return req_error(r, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    struct eval_rank *items = NULL;
    int count = 0;
    int rc = eval_ranking(db, month, path, (int)limit, &r->arena, &items, &count);
    if (rc < 0)
        return req_error(r, rc, NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
    json_t *arr = json_array();
    for (int i = 0; arr && i < count; i++) {
        const struct eval_rank *it = &items[i];
        json_t *j = json_object();
        if (!j)
            break;
        json_object_set_new(j, "rank", json_integer(it->rank));
        json_object_set_new(j, "window_id", json_integer(it->window_id));
        json_object_set_new(j, "window_name", json_string(it->window_name));
        json_object_set_new(j, "window_code", json_string(it->window_code));
        json_object_set_new(j, "hall_id", it->hall_id ? json_integer(it->hall_id) : json_null());
        json_object_set_new(j, "hall_name", json_string(it->hall_name));
        counts_into(j, &it->c);
        json_array_append_new(arr, j);
    }
    return req_json(r, 200,
                    json_pack("{s:s,s:o,s:o*}", "month", month, "node_id",
                              node_id ? json_integer(node_id) : json_null(), "items", arr));
}

/* These literal paths must come before the lead's /api/evaluations/{id}: the
 * router takes the first pattern that matches (api_common.c lists this
 * module before the evaluation modules). */
static const struct route routes[] = {
    {HTTP_GET, "/api/evaluations/metrics", api_eval_metrics, 0, 0, NULL, 0},
    {HTTP_GET, "/api/evaluations/ranking", api_eval_ranking, 0, 0, NULL, 0},
};

const struct api_module api_eval_stats_module = {routes, sizeof(routes) / sizeof(routes[0])};

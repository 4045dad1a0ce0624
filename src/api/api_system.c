/* api_system.c - GET /healthz and GET /metrics. */
#include <stdlib.h>

#include "api/api.h"
#include "base/metrics.h"

int api_healthz(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct db *db = req_db(r);
    int64_t one = 0;
    if (!db || db_query_int64(db, "SELECT 1", &one) < 0 || one != 1)
        return req_json(r, 503, json_pack("{s:s,s:s}", "status", "degraded", "db", "error"));
    return req_json(r, 200, json_pack("{s:s,s:s}", "status", "ok", "db", "ok"));
}

int api_metrics(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    char *text = NULL;
    size_t len = 0;
    if (metrics_render(&text, &len) < 0)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    int rc = req_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
    return rc;
}

/* api_audit.c - reading the audit log (admins and supervisors, in scope). */
#include <string.h>

#include "api/api.h"
#include "domain/audit.h"

static json_t *snapshot_json(const char *text)
{
    if (!text || !*text)
        return json_null();
    json_t *j = json_loads(text, 0, NULL);
    return j ? j : json_null();
}

int api_audit_list(struct req *r)
{
    struct audit_filter f = {.scope = r->who.scope};
    /* records bound to no node (the national calendar) belong to the root */
    f.include_global = actor_at_root(&r->who);
    if (api_role(r, (1u << ROLE_ADMIN) | (1u << ROLE_SUPERVISOR)) < 0 ||
        api_page(r, &f.page, &f.per_page) < 0 ||
        req_query_int(r, "entity_id", 1, INT64_MAX, &f.entity_id) < 0)
        return REQ_DONE;
    f.entity = req_query(r, "entity");
    if (req_query_done(r) < 0)
        return REQ_DONE;
    if (f.entity && strlen(f.entity) > 40)
        return req_error(r, ERR_INVALID, "entity", "entity is too long");
    struct audit_record *items;
    int n;
    int64_t total;
    int rc = audit_list(req_db(r), &f, &r->arena, &items, &n, &total);
    if (rc < 0)
        return req_error(r, rc, NULL, "database error");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        struct audit_record *a = &items[i];
        json_array_append_new(
            arr,
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:o,s:o,s:s}", "id", (json_int_t)a->id,
                      "ts", (json_int_t)a->ts, "actor", a->actor, "action", a->action, "entity",
                      a->entity, "entity_id", (json_int_t)a->entity_id, "node_id",
                      (json_int_t)a->node_id, "ip", a->ip, "request_id", a->request_id, "before",
                      snapshot_json(a->before), "after", snapshot_json(a->after), "hash", a->hash));
    }
    return req_json(r, 200, api_page_json(arr, total, f.page, f.per_page));
}

/* notice.c - reading back the one-time notices given. */
#include "domain/notice.h"

#include <jansson.h>
#include <string.h>

#include "base/err.h"

static const char SQL_GET[] =
    "SELECT n.id, n.item_id, n.version_id, COALESCE(n.node_id, 0), COALESCE(n.issued_by, 0),"
    " COALESCE(s.name, ''), n.citizen_name, n.missing_json, n.issued_at,"
    " COALESCE(o.path, u.path)"
    " FROM catalog_notice n"
    " JOIN catalog_item i ON i.id = n.item_id"
    " JOIN org_node u ON u.id = i.unit_id"
    " LEFT JOIN org_node o ON o.id = n.node_id"
    " LEFT JOIN staff s ON s.id = n.issued_by"
    " WHERE n.id = ?1";

static const char *copy(struct arena *a, const char *s, int *oom)
{
    char *c = arena_strdup(a, s ? s : "");
    if (!c)
        *oom = 1;
    return c ? c : "";
}

/* The names in a JSON array of strings (anything else is skipped). */
static int read_missing(const char *text, struct arena *a, struct notice_issued *out)
{
    out->missing = NULL;
    out->nmissing = 0;
    json_t *j = json_loads(text ? text : "[]", 0, NULL);
    if (!json_is_array(j)) {
        json_decref(j);
        return 0;
    }
    size_t n = json_array_size(j);
    if (n > NOTICE_ISSUED_MISSING_MAX)
        n = NOTICE_ISSUED_MISSING_MAX;
    out->missing = arena_alloc(a, (n ? n : 1) * sizeof(*out->missing));
    int rc = out->missing ? 0 : ERR_NOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *s = json_string_value(json_array_get(j, i));
        if (!s)
            continue;
        const char *c = arena_strdup(a, s);
        if (!c)
            rc = ERR_NOMEM;
        else
            out->missing[out->nmissing++] = c;
    }
    json_decref(j);
    return rc;
}

int notice_get_issued(struct db *db, int64_t id, struct arena *a, struct notice_issued *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    int oom = 0;
    if (rc == DB_ROW) {
        out->id = db_col_int64(st, 0);
        out->item_id = db_col_int64(st, 1);
        out->version_id = db_col_int64(st, 2);
        out->node_id = db_col_int64(st, 3);
        out->issued_by = db_col_int64(st, 4);
        out->issuer_name = copy(a, db_col_text(st, 5), &oom);
        out->citizen_name = copy(a, db_col_text(st, 6), &oom);
        if (!oom && read_missing(db_col_text(st, 7), a, out) < 0)
            oom = 1;
        out->issued_at = db_col_int64(st, 8);
        out->scope_path = copy(a, db_col_text(st, 9), &oom);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW)
        return ERR_NOTFOUND;
    return oom ? ERR_NOMEM : 0;
}

/* case_common.c - what cases, inquiries and follow-ups share: the region of
 * a node, its nearest leader, the notification outbox and the region's
 * settings. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/case_impl.h"
#include "domain/org.h"

int64_t case_region_of(const char *path)
{
    if (!path || path[0] != '/')
        return 0;
    return strtoll(path + 1, NULL, 10);
}

int case_page_read(struct db *db, const struct case_page *p, int64_t page, int64_t per_page,
                   struct arena *a, void **items, int *n, int64_t *total)
{
    struct db_stmt *st = NULL;
    int rc = 0;
    *items = NULL;
    *n = 0;
    if (p->count_sql) {
        *total = 0;
        rc = db_prepare(db, p->count_sql, &st);
        if (rc < 0)
            return rc;
        p->bind(st, p->ctx);
        rc = db_step(st);
        if (rc == DB_ROW)
            *total = db_col_int64(st, 0);
        db_finalize(st);
        if (rc < 0)
            return rc;
    }
    unsigned char *out = arena_alloc(a, p->item_size * (size_t)per_page);
    if (!out)
        return ERR_NOMEM;
    *items = out;
    rc = db_prepare(db, p->list_sql, &st);
    if (rc < 0)
        return rc;
    p->bind(st, p->ctx);
    db_bind_int64(st, p->limit_param, per_page);
    db_bind_int64(st, p->limit_param + 1, (page - 1) * per_page);
    while ((rc = db_step(st)) == DB_ROW && *n < per_page) {
        rc = p->read(st, a, out + p->item_size * (size_t)*n, p->ctx);
        if (rc < 0)
            break;
        (*n)++;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int case_select_id(struct db *db, const char *sql, int64_t id, struct db_stmt **st)
{
    int rc = db_prepare(db, sql, st);
    if (rc < 0) {
        *st = NULL;
        return rc;
    }
    db_bind_int64(*st, 1, id);
    rc = db_step(*st);
    if (rc == DB_ROW)
        return 0;
    db_finalize(*st);
    *st = NULL;
    return rc < 0 ? rc : ERR_NOTFOUND;
}

int case_leader_of(struct db *db, const char *node_path, int64_t *leader_id)
{
    struct db_stmt *st = NULL;
    *leader_id = 0;
    int rc = db_prepare(db,
                        "SELECT s.id FROM staff s JOIN org_node n ON n.id = s.node_id"
                        " WHERE s.role = 'leader' AND s.active = 1"
                        " AND substr(?1, 1, length(n.path)) = n.path"
                        " ORDER BY n.depth DESC, s.id LIMIT 1",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, node_path);
    rc = db_step(st);
    if (rc == DB_ROW)
        *leader_id = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int case_notify(struct db *db, int64_t staff_id, const char *phone_enc, const char *kind,
                int64_t case_id, int64_t inquiry_id, const char *message, int64_t now,
                int64_t *id_out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO notification (staff_id, phone_enc, kind, case_id, inquiry_id,"
                        " message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                        &st);
    if (rc < 0)
        return rc;
    if (staff_id > 0)
        db_bind_int64(st, 1, staff_id);
    else
        db_bind_null(st, 1);
    db_bind_text(st, 2, phone_enc);
    db_bind_text(st, 3, kind);
    if (case_id > 0)
        db_bind_int64(st, 4, case_id);
    else
        db_bind_null(st, 4);
    if (inquiry_id > 0)
        db_bind_int64(st, 5, inquiry_id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, message);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    if (rc == DB_ROW && id_out)
        *id_out = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int case_settings_get(struct db *db, int64_t region_id, struct case_settings *out)
{
    out->region_id = region_id;
    out->yellow_pct = CASE_YELLOW_PCT_DEFAULT;
    out->escalate_minutes = CASE_ESCALATE_MIN_DEFAULT;
    out->followup_sample_pct = CASE_FOLLOWUP_SAMPLE_DEFAULT;
    out->followup_days = CASE_FOLLOWUP_DAYS_DEFAULT;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT yellow_pct, escalate_minutes, followup_sample_pct, followup_days"
                        " FROM case_setting WHERE region_id = ?1",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, region_id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->yellow_pct = (int)db_col_int64(st, 0);
        out->escalate_minutes = (int)db_col_int64(st, 1);
        out->followup_sample_pct = (int)db_col_int64(st, 2);
        out->followup_days = (int)db_col_int64(st, 3);
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int case_settings_put(struct db *db, const struct actor *who, const struct case_settings *s,
                      int64_t now, struct err *e)
{
    struct org_node root;
    int rc = org_get(db, s->region_id, &root);
    if (rc == ERR_NOTFOUND || (rc == 0 && root.parent_id != 0))
        return err_set(e, ERR_INVALID, "region_id", "no such region");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (who->role != ROLE_SYSTEM &&
        (who->role != ROLE_ADMIN || !actor_in_scope(who, root.path) || !actor_at_root(who)))
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator of the region may do this");
    if (s->yellow_pct < 50 || s->yellow_pct > 99)
        return err_set(e, ERR_INVALID, "yellow_pct", "yellow_pct must be 50-99");
    if (s->escalate_minutes < 5 || s->escalate_minutes > 10080)
        return err_set(e, ERR_INVALID, "escalate_minutes", "escalate_minutes must be 5-10080");
    if (s->followup_sample_pct < 0 || s->followup_sample_pct > 100)
        return err_set(e, ERR_INVALID, "followup_sample_pct", "followup_sample_pct must be 0-100");
    if (s->followup_days < 1 || s->followup_days > 30)
        return err_set(e, ERR_INVALID, "followup_days", "followup_days must be 1-30");
    struct case_settings before;
    rc = case_settings_get(db, s->region_id, &before);
    struct db_stmt *st = NULL;
    if (rc == 0)
        rc = db_prepare(db,
                        "INSERT INTO case_setting (region_id, yellow_pct, escalate_minutes,"
                        " followup_sample_pct, followup_days, updated_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (region_id) DO UPDATE SET"
                        " yellow_pct = ?2, escalate_minutes = ?3, followup_sample_pct = ?4,"
                        " followup_days = ?5, updated_at = ?6",
                        &st);
    if (rc == 0) {
        db_bind_int64(st, 1, s->region_id);
        db_bind_int64(st, 2, s->yellow_pct);
        db_bind_int64(st, 3, s->escalate_minutes);
        db_bind_int64(st, 4, s->followup_sample_pct);
        db_bind_int64(st, 5, s->followup_days);
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    json_t *b = json_pack("{s:i,s:i,s:i,s:i}", "yellow_pct", before.yellow_pct, "escalate_minutes",
                          before.escalate_minutes, "followup_sample_pct",
                          before.followup_sample_pct, "followup_days", before.followup_days);
    json_t *a = json_pack("{s:i,s:i,s:i,s:i}", "yellow_pct", s->yellow_pct, "escalate_minutes",
                          s->escalate_minutes, "followup_sample_pct", s->followup_sample_pct,
                          "followup_days", s->followup_days);
    rc = audit_append(db, who, "case.settings", "org_node", s->region_id, s->region_id, b, a);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

int case_recalc_request(struct db *db)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO case_recalc (id, next_id) VALUES (1, 0)"
                        " ON CONFLICT (id) DO UPDATE SET next_id = 0",
                        &st);
    if (rc < 0)
        return rc;
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

#include "domain/staff.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/parse.h"
#include "domain/audit.h"
#include "domain/score.h"

#define STAFF_COLS                                                                                 \
    "s.id, s.login, s.name, s.badge_no, s.post, s.party_member, s.role, s.node_id, n.name,"        \
    " n.path, s.has_photo, s.active, s.created_at, s.updated_at, s.party_branch"

static void copy_text(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static void read_staff(struct db_stmt *st, struct staff *s)
{
    s->id = db_col_int64(st, 0);
    copy_text(s->login, sizeof(s->login), db_col_text(st, 1));
    copy_text(s->name, sizeof(s->name), db_col_text(st, 2));
    copy_text(s->badge_no, sizeof(s->badge_no), db_col_text(st, 3));
    copy_text(s->post, sizeof(s->post), db_col_text(st, 4));
    s->party_member = (int)db_col_int64(st, 5);
    copy_text(s->role, sizeof(s->role), db_col_text(st, 6));
    s->node_id = db_col_int64(st, 7);
    copy_text(s->node_name, sizeof(s->node_name), db_col_text(st, 8));
    copy_text(s->node_path, sizeof(s->node_path), db_col_text(st, 9));
    s->has_photo = (int)db_col_int64(st, 10);
    s->active = (int)db_col_int64(st, 11);
    s->created_at = db_col_int64(st, 12);
    s->updated_at = db_col_int64(st, 13);
    copy_text(s->party_branch, sizeof(s->party_branch), db_col_text(st, 14));
}

int staff_check_login(const char *login, struct err *e)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 2 || n > STAFF_LOGIN_MAX)
        return err_set(e, ERR_INVALID, "login", "login must have 2-32 characters");
    for (const char *p = login; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return err_set(e, ERR_INVALID, "login",
                           "login may hold letters, digits, '.', '_' and '-' only");
    }
    return 0;
}

int staff_check_password(const char *password, struct err *e)
{
    size_t n = password ? strlen(password) : 0;
    if (n < STAFF_PASSWORD_MIN)
        return err_set(e, ERR_INVALID, "password", "password must have at least %d characters",
                       STAFF_PASSWORD_MIN);
    if (n > STAFF_PASSWORD_MAX)
        return err_set(e, ERR_INVALID, "password", "password is too long");
    return 0;
}

static const char SQL_GET[] =
    "SELECT " STAFF_COLS " FROM staff s JOIN org_node n ON n.id = s.node_id WHERE s.id = ?1";

int staff_get(struct db *db, int64_t id, struct staff *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_staff(st, out);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

#define STAFF_WHERE                                                                                \
    " WHERE n.path >= ?1 AND n.path < ?2 AND n.path >= ?3 AND n.path < ?4"                         \
    " AND (?5 = '' OR s.role = ?5) AND (?6 < 0 OR s.active = ?6)"                                  \
    " AND (?7 = '' OR s.name LIKE ?8 OR s.login LIKE ?8 OR s.badge_no LIKE ?8)"

static const char SQL_LIST[] =
    "SELECT " STAFF_COLS " FROM staff s JOIN org_node n ON n.id = s.node_id" STAFF_WHERE
    " ORDER BY n.path, s.login LIMIT ?9 OFFSET ?10";
static const char SQL_COUNT[] =
    "SELECT COUNT(*) FROM staff s JOIN org_node n ON n.id = s.node_id" STAFF_WHERE;

static void like_of(const char *q, char *out, size_t cap)
{
    size_t o = 0;
    out[o++] = '%';
    for (; q && *q && o + 3 < cap; q++)
        out[o++] = (*q == '%' || *q == '_' || *q == '\\') ? '_' : *q;
    out[o++] = '%';
    out[o] = '\0';
}

static int staff_bind_list(struct db *db, struct db_stmt *st, const struct staff_filter *f,
                           char *buf, size_t cap)
{
    /* buf holds: scope end, node path, node end, like pattern */
    char *scope_end = buf, *node = buf + cap / 4, *node_end = buf + cap / 2,
         *like = buf + 3 * cap / 4;
    org_path_end(f->scope, scope_end, cap / 4);
    snprintf(node, cap / 4, "%s", f->scope);
    if (f->node_id) {
        struct org_node n;
        int rc = org_get(db, f->node_id, &n);
        if (rc < 0)
            return rc;
        snprintf(node, cap / 4, "%s", n.path);
    }
    org_path_end(node, node_end, cap / 4);
    like_of(f->q, like, cap / 4);
    db_bind_text(st, 1, f->scope);
    db_bind_text(st, 2, scope_end);
    db_bind_text(st, 3, node);
    db_bind_text(st, 4, node_end);
    db_bind_text(st, 5, f->role ? f->role : "");
    db_bind_int64(st, 6, f->active);
    db_bind_text(st, 7, f->q ? f->q : "");
    db_bind_text(st, 8, like);
    return 0;
}

int staff_list(struct db *db, const struct staff_filter *f, struct arena *a, struct staff **items,
               int *n, int64_t *total)
{
    char buf[1024];
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_COUNT, &st);
    if (rc < 0)
        return rc;
    rc = staff_bind_list(db, st, f, buf, sizeof(buf));
    if (rc == 0)
        rc = db_step(st);
    *total = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * (size_t)f->per_page);
    if (!*items)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_LIST, &st);
    if (rc < 0)
        return rc;
    rc = staff_bind_list(db, st, f, buf, sizeof(buf));
    db_bind_int64(st, 9, f->per_page);
    db_bind_int64(st, 10, (f->page - 1) * f->per_page);
    while (rc == 0 && (rc = db_step(st)) == DB_ROW && *n < f->per_page) {
        read_staff(st, &(*items)[(*n)++]);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

json_t *staff_json(const struct staff *s)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(s->id));
    json_object_set_new(j, "login", json_string(s->login));
    json_object_set_new(j, "name", json_string(s->name));
    json_object_set_new(j, "badge_no", json_string(s->badge_no));
    json_object_set_new(j, "post", json_string(s->post));
    json_object_set_new(j, "party_member", json_boolean(s->party_member));
    json_object_set_new(j, "party_branch", json_string(s->party_branch));
    json_object_set_new(j, "role", json_string(s->role));
    json_object_set_new(j, "node_id", json_integer(s->node_id));
    json_object_set_new(j, "node_name", json_string(s->node_name));
    json_object_set_new(j, "has_photo", json_boolean(s->has_photo));
    json_object_set_new(j, "active", json_boolean(s->active));
    json_object_set_new(j, "created_at", json_integer(s->created_at));
    json_object_set_new(j, "updated_at", json_integer(s->updated_at));
    return j;
}

json_t *assignment_json(const struct assignment *a)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "id", json_integer(a->id));
    json_object_set_new(j, "staff_id", json_integer(a->staff_id));
    json_object_set_new(j, "staff_name", json_string(a->staff_name));
    json_object_set_new(j, "window_id", json_integer(a->window_id));
    json_object_set_new(j, "window_name", json_string(a->window_name));
    json_object_set_new(j, "is_chief", json_boolean(a->is_chief));
    json_object_set_new(j, "started_at", json_integer(a->started_at));
    json_object_set_new(j, "ended_at", a->ended_at ? json_integer(a->ended_at) : json_null());
    return j;
}

/* The home node for an account: must exist, be active and lie in scope. */
static int check_home(struct db *db, const struct actor *who, int64_t node_id, struct err *e)
{
    struct org_node n;
    int rc = org_get(db, node_id, &n);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (!actor_in_scope(who, n.path))
        return err_set(e, ERR_FORBIDDEN, "node_id", "the node is outside your scope");
    if (!n.active)
        return err_set(e, ERR_CONFLICT, "node_id", "the node is deactivated");
    return 0;
}

static int check_role_text(const char *role, struct err *e)
{
    if (role_parse(role) == ROLE_NONE)
        return err_set(e, ERR_INVALID, "role", "role must be admin, leader, supervisor or staff");
    return 0;
}

/* lengths in characters and valid UTF-8, for input that did not come through
 * the API's JSON limits (the command line, the demo) */
static int check_texts(const char *name, const char *badge, const char *post, struct err *e)
{
    if (name && parse_text(name, 1, STAFF_NAME_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "name", "name must have 1-%d characters", STAFF_NAME_MAX);
    if (badge && parse_text(badge, 0, STAFF_BADGE_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "badge_no", "badge_no must have at most %d characters",
                       STAFF_BADGE_MAX);
    if (post && parse_text(post, 0, STAFF_POST_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "post", "post must have at most %d characters",
                       STAFF_POST_MAX);
    return 0;
}

static int check_admin(const struct actor *who, struct err *e)
{
    if (who->role != ROLE_ADMIN && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only an administrator can manage accounts");
    return 0;
}

static const char SQL_INSERT[] =
    "INSERT INTO staff (login, name, badge_no, post, party_member, role, node_id,"
    " password_hash, has_photo, active, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 1, ?9, ?9) RETURNING id";

int staff_create(struct db *db, const struct actor *who, const struct staff_input *in,
                 struct staff *out, struct err *e)
{
    int rc = check_admin(who, e);
    if (rc == 0)
        rc = staff_check_login(in->login, e);
    if (rc == 0)
        rc = check_role_text(in->role, e);
    if (rc == 0 && !in->name)
        rc = err_set(e, ERR_INVALID, "name", "name must not be empty");
    if (rc == 0)
        rc = check_texts(in->name, in->badge_no, in->post, e);
    if (rc == 0)
        rc = check_home(db, who, in->node_id, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, in->login);
    db_bind_text(st, 2, in->name);
    db_bind_text(st, 3, in->badge_no ? in->badge_no : "");
    db_bind_text(st, 4, in->post ? in->post : "");
    db_bind_int64(st, 5, in->party_member ? 1 : 0);
    db_bind_text(st, 6, in->role);
    db_bind_int64(st, 7, in->node_id);
    db_bind_text(st, 8, in->password_hash);
    db_bind_int64(st, 9, (int64_t)time(NULL));
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "login", "login %s is taken", in->login);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = staff_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "create", "staff", id, out->node_id, NULL, staff_json(out));
    if (rc == 0) /* a staff card scores the newcomer from now on (score.h) */
        rc = score_touch(db, "staff", id);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_BRANCH[] =
    "UPDATE staff SET party_branch = ?2, updated_at = ?3 WHERE id = ?1";

int staff_set_party_branch(struct db *db, const struct actor *who, int64_t id, const char *branch,
                           struct err *e)
{
    struct staff before;
    int rc = staff_get(db, id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such account" : "database error");
    if (!actor_in_scope(who, before.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the account is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    if (!branch || parse_text(branch, 0, STAFF_BRANCH_MAX, 0) < 0)
        return err_set(e, ERR_INVALID, "party_branch", "party_branch is up to %d characters",
                       STAFF_BRANCH_MAX);
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_BRANCH, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, branch);
    db_bind_int64(st, 3, (int64_t)time(NULL));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "party_branch", "staff", id, before.node_id,
                      json_pack("{s:s}", "party_branch", before.party_branch),
                      json_pack("{s:s}", "party_branch", branch));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_UPDATE[] =
    "UPDATE staff SET name = ?2, badge_no = ?3, post = ?4, party_member = ?5, role = ?6,"
    " node_id = ?7, active = ?8, updated_at = ?9,"
    " password_hash = COALESCE(?10, password_hash) WHERE id = ?1";
static const char SQL_KILL_SESSIONS[] = "DELETE FROM session WHERE staff_id = ?1";
static const char SQL_END_ALL[] =
    "UPDATE window_assignment SET ended_at = ?2 WHERE staff_id = ?1 AND ended_at IS NULL";

int staff_update(struct db *db, const struct actor *who, int64_t id, const struct staff_patch *p,
                 struct staff *out, struct err *e)
{
    struct staff before;
    int rc = staff_get(db, id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such account" : "database error");
    if (!actor_in_scope(who, before.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the account is outside your scope");
    rc = check_admin(who, e);
    if (rc < 0)
        return rc;
    if (p->role && (rc = check_role_text(p->role, e)) < 0)
        return rc;
    if ((rc = check_texts(p->name, p->badge_no, p->post, e)) < 0)
        return rc;
    if (who->staff_id == id && p->active == 0)
        return err_set(e, ERR_FORBIDDEN, "active", "you cannot deactivate your own account");
    if (who->staff_id == id && p->role && strcmp(p->role, before.role) != 0)
        return err_set(e, ERR_FORBIDDEN, "role", "you cannot change your own role");
    /* a move, or a reactivation, needs an active home node in scope */
    int64_t home = p->node_id ? p->node_id : before.node_id;
    if ((p->node_id && p->node_id != before.node_id) || (!before.active && p->active == 1)) {
        if ((rc = check_home(db, who, home, e)) < 0)
            return rc;
    }
    struct staff after = before;
    if (p->name)
        copy_text(after.name, sizeof(after.name), p->name);
    if (p->badge_no)
        copy_text(after.badge_no, sizeof(after.badge_no), p->badge_no);
    if (p->post)
        copy_text(after.post, sizeof(after.post), p->post);
    if (p->role)
        copy_text(after.role, sizeof(after.role), p->role);
    if (p->party_member >= 0)
        after.party_member = p->party_member;
    if (p->active >= 0)
        after.active = p->active;
    if (p->node_id)
        after.node_id = p->node_id;
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st = NULL;
    db_note_auth_change(db);
    rc = db_prepare(db, SQL_UPDATE, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, after.name);
    db_bind_text(st, 3, after.badge_no);
    db_bind_text(st, 4, after.post);
    db_bind_int64(st, 5, after.party_member);
    db_bind_text(st, 6, after.role);
    db_bind_int64(st, 7, after.node_id);
    db_bind_int64(st, 8, after.active);
    db_bind_int64(st, 9, now);
    db_bind_text(st, 10, p->password_hash);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    /* a deactivated account, a new password or a new role ends every session;
     * a deactivated account or a move ends its window assignments */
    if (!after.active || p->password_hash || strcmp(after.role, before.role) != 0 ||
        after.node_id != before.node_id) {
        db_note_auth_change(db);
        rc = db_prepare(db, SQL_KILL_SESSIONS, &st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        db_bind_int64(st, 1, id);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
    }
    if ((before.active && !after.active) || after.node_id != before.node_id) {
        rc = db_prepare(db, SQL_END_ALL, &st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, now);
        rc = db_step(st);
        db_finalize(st);
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
    }
    rc = staff_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    json_t *aj = staff_json(out);
    if (aj && p->password_hash)
        json_object_set_new(aj, "password_changed", json_true());
    const char *action = before.active == out->active ? "update"
                         : out->active                ? "activate"
                                                      : "deactivate";
    rc = audit_append(db, who, action, "staff", id, out->node_id, staff_json(&before), aj);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

const char *staff_photo_type(const void *data, size_t len)
{
    const unsigned char *p = data;
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 24 && memcmp(p, png, 8) == 0 && memcmp(p + 12, "IHDR", 4) == 0)
        return "image/png";
    /* JPEG: SOI then a marker; must end with EOI */
    if (len >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff && p[len - 2] == 0xff &&
        p[len - 1] == 0xd9)
        return "image/jpeg";
    return NULL;
}

static const char SQL_PHOTO_UPSERT[] =
    "INSERT INTO staff_photo (staff_id, mime, data, updated_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (staff_id) DO UPDATE SET mime = excluded.mime, data = excluded.data,"
    " updated_at = excluded.updated_at";
static const char SQL_HAS_PHOTO[] = "UPDATE staff SET has_photo = 1, updated_at = ?2 WHERE id = ?1";

int staff_set_photo(struct db *db, const struct actor *who, int64_t id, const void *data,
                    size_t len, struct staff *out, struct err *e)
{
    struct staff s;
    int rc = staff_get(db, id, &s);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such account" : "database error");
    if (!actor_in_scope(who, s.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the account is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    if (len > STAFF_PHOTO_MAX)
        return err_set(e, ERR_TOOLARGE, NULL, "the photo is larger than %zu bytes",
                       STAFF_PHOTO_MAX);
    const char *mime = staff_photo_type(data, len);
    if (!mime)
        return err_set(e, ERR_UNSUPPORTED, NULL, "the photo must be a JPEG or PNG image");
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_PHOTO_UPSERT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, mime);
    db_bind_blob(st, 3, data, len);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = db_prepare(db, SQL_HAS_PHOTO, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = staff_get(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    json_t *after = json_pack("{s:s,s:I}", "photo_type", mime, "photo_bytes", (json_int_t)len);
    rc = audit_append(db, who, "set_photo", "staff", id, s.node_id, NULL, after);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_PHOTO[] = "SELECT mime, data FROM staff_photo WHERE staff_id = ?1";

int staff_get_photo(struct db *db, int64_t id, struct arena *a, const void **data, size_t *len,
                    const char **mime)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_PHOTO, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        size_t n = 0;
        const void *p = db_col_blob(st, 1, &n);
        const char *m = db_col_text(st, 0);
        void *copy = arena_alloc(a, n ? n : 1);
        if (!copy || !m) {
            rc = ERR_NOMEM;
        } else {
            if (n)
                memcpy(copy, p, n);
            *data = copy;
            *len = n;
            *mime = strcmp(m, "image/png") == 0 ? "image/png" : "image/jpeg";
            rc = 0;
        }
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

#define ASSIGN_COLS                                                                                \
    "a.id, a.staff_id, a.window_id, s.name, w.name, a.is_chief, a.started_at,"                     \
    " COALESCE(a.ended_at, 0)"
#define ASSIGN_FROM                                                                                \
    " FROM window_assignment a JOIN staff s ON s.id = a.staff_id"                                  \
    " JOIN org_node w ON w.id = a.window_id"

static void read_assignment(struct db_stmt *st, struct assignment *a)
{
    a->id = db_col_int64(st, 0);
    a->staff_id = db_col_int64(st, 1);
    a->window_id = db_col_int64(st, 2);
    copy_text(a->staff_name, sizeof(a->staff_name), db_col_text(st, 3));
    copy_text(a->window_name, sizeof(a->window_name), db_col_text(st, 4));
    a->is_chief = (int)db_col_int64(st, 5);
    a->started_at = db_col_int64(st, 6);
    a->ended_at = db_col_int64(st, 7);
}

static const char SQL_ASSIGNMENTS[] =
    "SELECT " ASSIGN_COLS ASSIGN_FROM " WHERE a.staff_id = ?1 ORDER BY a.ended_at IS NOT NULL,"
    " a.started_at DESC LIMIT 200";

int staff_assignments(struct db *db, int64_t staff_id, struct arena *a, struct assignment **items,
                      int *n)
{
    *n = 0;
    *items = arena_alloc(a, sizeof(**items) * 200);
    if (!*items)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_ASSIGNMENTS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, staff_id);
    while ((rc = db_step(st)) == DB_ROW && *n < 200)
        read_assignment(st, &(*items)[(*n)++]);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_ASSIGNMENT[] = "SELECT " ASSIGN_COLS ASSIGN_FROM " WHERE a.id = ?1";

static int get_assignment(struct db *db, int64_t id, struct assignment *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_ASSIGNMENT, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        read_assignment(st, out);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

static const char SQL_ASSIGN[] =
    "INSERT INTO window_assignment (staff_id, window_id, is_chief, started_at)"
    " VALUES (?1, ?2, ?3, ?4) RETURNING id";

int staff_assign(struct db *db, const struct actor *who, int64_t staff_id, int64_t window_id,
                 int is_chief, struct assignment *out, struct err *e)
{
    struct staff s;
    struct org_node w;
    int rc = staff_get(db, staff_id, &s);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such account" : "database error");
    if (!actor_in_scope(who, s.node_path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the account is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    if (!s.active)
        return err_set(e, ERR_CONFLICT, NULL, "the account is deactivated");
    rc = org_get(db, window_id, &w);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "window_id", "no such window");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (strcmp(w.kind, "window") != 0)
        return err_set(e, ERR_INVALID, "window_id", "the node is not a window");
    if (!actor_in_scope(who, w.path))
        return err_set(e, ERR_FORBIDDEN, "window_id", "the window is outside your scope");
    if (!w.active)
        return err_set(e, ERR_CONFLICT, "window_id", "the window is deactivated");
    /* a staff member works at windows within the home node's subtree */
    struct actor home = {.role = ROLE_STAFF};
    snprintf(home.scope, sizeof(home.scope), "%s", s.node_path);
    if (!actor_in_scope(&home, w.path))
        return err_set(e, ERR_INVALID, "window_id",
                       "the window is outside the staff member's home node");
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_ASSIGN, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, staff_id);
    db_bind_int64(st, 2, window_id);
    db_bind_int64(st, 3, is_chief ? 1 : 0);
    db_bind_int64(st, 4, (int64_t)time(NULL));
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc == ERR_CONFLICT)
        return err_set(e, rc, "window_id", "the staff member is already assigned to this window");
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = get_assignment(db, id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "assign", "window_assignment", id, window_id, NULL,
                      assignment_json(out));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static const char SQL_END[] = "UPDATE window_assignment SET ended_at = ?2 WHERE id = ?1";

int staff_end_assignment(struct db *db, const struct actor *who, int64_t assignment_id,
                         struct assignment *out, struct err *e)
{
    struct assignment before;
    struct org_node w;
    int rc = get_assignment(db, assignment_id, &before);
    if (rc < 0)
        return err_set(e, rc, NULL, rc == ERR_NOTFOUND ? "no such assignment" : "database error");
    rc = org_get(db, before.window_id, &w);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (!actor_in_scope(who, w.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "the assignment is outside your scope");
    if ((rc = check_admin(who, e)) < 0)
        return rc;
    if (before.ended_at)
        return err_set(e, ERR_CONFLICT, NULL, "the assignment has already ended");
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_END, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_int64(st, 1, assignment_id);
    db_bind_int64(st, 2, (int64_t)time(NULL));
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = get_assignment(db, assignment_id, out);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    rc = audit_append(db, who, "end", "window_assignment", assignment_id, before.window_id,
                      assignment_json(&before), assignment_json(out));
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* review.c - review rounds: the form and its checks, creating, editing,
 * opening and listing rounds, and who may see them (review.h). */
#include "domain/review.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "domain/audit.h"
#include "domain/org.h"
#include "domain/review_impl.h"

#define PER_PAGE_MAX 500

static const char *const KINDS[] = {"self", "peer", "leader", "public_metrics", "public_vote"};
static const char *const SCOPES[] = {"same_unit", "cross_unit", "any"};
static const char *const ROLES[] = {"", "staff", "leader", "supervisor", "admin"};

static int one_of(const char *s, const char *const *names, int n)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

int review_db_fail(struct err *e, int rc)
{
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE || rc == ERR_NOMEM ? rc : ERR_DB,
                   NULL, rc == ERR_NOMEM ? "out of memory" : "database error");
}

void review_range(const char *path, char *start, char *end, size_t len)
{
    if (!path || !*path) {
        snprintf(start, len, "/");
        snprintf(end, len, "0"); /* '0' follows '/' */
        return;
    }
    snprintf(start, len, "%s", path);
    org_path_end(path, end, len);
}

int review_period_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (n != 4 && n != 7)
        return 0;
    for (int i = 0; i < 4; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    if (p[0] == '0' || n == 4)
        return p[0] != '0';
    if (p[4] != '-')
        return 0;
    if (p[5] == 'Q')
        return p[6] >= '1' && p[6] <= '4';
    if (p[5] < '0' || p[5] > '1' || p[6] < '0' || p[6] > '9')
        return 0;
    int m = (p[5] - '0') * 10 + (p[6] - '0');
    return m >= 1 && m <= 12;
}

static int code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > REVIEW_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

int review_form_check(const struct review_form *f, const char *kind, struct err *e)
{
    char field[48];
    if (f->ncriteria < 1 || f->ncriteria > REVIEW_MAX_CRITERIA)
        return err_set(e, ERR_INVALID, "criteria", "criteria: 1 to %d criteria",
                       REVIEW_MAX_CRITERIA);
    int64_t sum = 0;
    for (int i = 0; i < f->ncriteria; i++) {
        const struct review_criterion *c = &f->criteria[i];
        snprintf(field, sizeof(field), "criteria[%d].code", i);
        if (!code_ok(c->code))
            return err_set(e, ERR_INVALID, field, "a code is 1-%d of a-z, 0-9 and _",
                           REVIEW_CODE_MAX);
        for (int j = 0; j < i; j++)
            if (strcmp(f->criteria[j].code, c->code) == 0)
                return err_set(e, ERR_INVALID, field, "criterion code %s appears twice", c->code);
        snprintf(field, sizeof(field), "criteria[%d].name", i);
        if (!c->name[0])
            return err_set(e, ERR_INVALID, field, "a criterion needs a name");
        snprintf(field, sizeof(field), "criteria[%d].scale_max", i);
        if (c->scale_max < 1 || c->scale_max > REVIEW_SCALE_MAX)
            return err_set(e, ERR_INVALID, field, "scale_max is 1..%d", REVIEW_SCALE_MAX);
        snprintf(field, sizeof(field), "criteria[%d].weight", i);
        if (c->weight < 1 || c->weight > 100)
            return err_set(e, ERR_INVALID, field, "a weight is 1..100");
        sum += c->weight;
    }
    if (sum != 100)
        return err_set(e, ERR_INVALID, "criteria", "the criteria's weights add up to %lld, not 100",
                       (long long)sum);
    if (f->ngroups < 1 || f->ngroups > REVIEW_MAX_GROUPS)
        return err_set(e, ERR_INVALID, "groups", "groups: 1 to %d rater groups", REVIEW_MAX_GROUPS);
    sum = 0;
    int votes = 0;
    for (int i = 0; i < f->ngroups; i++) {
        const struct review_group *g = &f->groups[i];
        snprintf(field, sizeof(field), "groups[%d].code", i);
        if (!code_ok(g->code))
            return err_set(e, ERR_INVALID, field, "a code is 1-%d of a-z, 0-9 and _",
                           REVIEW_CODE_MAX);
        for (int j = 0; j < i; j++)
            if (strcmp(f->groups[j].code, g->code) == 0)
                return err_set(e, ERR_INVALID, field, "group code %s appears twice", g->code);
        snprintf(field, sizeof(field), "groups[%d].name", i);
        if (!g->name[0])
            return err_set(e, ERR_INVALID, field, "a group needs a name");
        snprintf(field, sizeof(field), "groups[%d].kind", i);
        if (!one_of(g->kind, KINDS, 5))
            return err_set(e, ERR_INVALID, field,
                           "kind is self, peer, leader, public_metrics or public_vote");
        votes += strcmp(g->kind, "public_vote") == 0;
        if (votes > 1)
            return err_set(e, ERR_INVALID, field, "one public_vote group per round");
        int peer = strcmp(g->kind, "peer") == 0;
        snprintf(field, sizeof(field), "groups[%d].unit_scope", i);
        if (!one_of(g->unit_scope, SCOPES, 3) || (!peer && strcmp(g->unit_scope, "any") != 0))
            return err_set(e, ERR_INVALID, field,
                           "unit_scope is same_unit, cross_unit or any, for peer groups only");
        snprintf(field, sizeof(field), "groups[%d].rater_role", i);
        if (!one_of(g->rater_role, ROLES, 5) || (!peer && g->rater_role[0]))
            return err_set(e, ERR_INVALID, field,
                           "rater_role is staff, leader, supervisor or admin, for peer groups");
        snprintf(field, sizeof(field), "groups[%d].party_only", i);
        if (g->party_only && (!peer || strcmp(kind, "staff") != 0))
            return err_set(e, ERR_INVALID, field,
                           "party_only is for peer groups of staff rounds only");
        snprintf(field, sizeof(field), "groups[%d].weight", i);
        if (g->weight < 1 || g->weight > 100)
            return err_set(e, ERR_INVALID, field, "a weight is 1..100");
        sum += g->weight;
    }
    if (sum != 100)
        return err_set(e, ERR_INVALID, "groups", "the groups' weights add up to %lld, not 100",
                       (long long)sum);
    return 0;
}

int review_group_index(const struct review_round *r, const char *code)
{
    for (int i = 0; code && i < r->form.ngroups; i++)
        if (strcmp(r->form.groups[i].code, code) == 0)
            return i;
    return -1;
}

/* ---- reads ---- */

#define ROUND_COLS                                                                                 \
    "r.id, r.node_id, r.node_path, n.name, r.period, r.subject_kind, r.title, r.state,"            \
    " COALESCE(r.owner_id, 0), COALESCE(o.name, ''), r.created_at, COALESCE(r.opened_at, 0),"      \
    " COALESCE(r.closed_at, 0),"                                                                   \
    " (SELECT COUNT(*) FROM review_rating x WHERE x.round_id = r.id AND x.rater_id IS NOT NULL),"  \
    " (SELECT COUNT(*) FROM review_vote v WHERE v.round_id = r.id)"                                \
    " FROM review_round r JOIN org_node n ON n.id = r.node_id"                                     \
    " LEFT JOIN staff o ON o.id = r.owner_id"

static const char SQL_GET[] = "SELECT " ROUND_COLS " WHERE r.id = ?1";
static const char SQL_CRITERIA[] = "SELECT code, name, scale_max, weight FROM review_criterion"
                                   " WHERE round_id = ?1 ORDER BY seq";
static const char SQL_GROUPS[] =
    "SELECT code, name, kind, weight, party_only, unit_scope, rater_role FROM review_group"
    " WHERE round_id = ?1 ORDER BY seq";

static void copy(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static void read_round(struct db_stmt *st, struct review_round *r)
{
    memset(r, 0, sizeof(*r) - sizeof(r->form));
    r->id = db_col_int64(st, 0);
    r->node_id = db_col_int64(st, 1);
    copy(r->node_path, sizeof(r->node_path), db_col_text(st, 2));
    copy(r->node_name, sizeof(r->node_name), db_col_text(st, 3));
    copy(r->period, sizeof(r->period), db_col_text(st, 4));
    copy(r->subject_kind, sizeof(r->subject_kind), db_col_text(st, 5));
    copy(r->title, sizeof(r->title), db_col_text(st, 6));
    copy(r->state, sizeof(r->state), db_col_text(st, 7));
    r->owner_id = db_col_int64(st, 8);
    copy(r->owner_name, sizeof(r->owner_name), db_col_text(st, 9));
    r->created_at = db_col_int64(st, 10);
    r->opened_at = db_col_int64(st, 11);
    r->closed_at = db_col_int64(st, 12);
    r->ratings = db_col_int64(st, 13);
    r->votes = db_col_int64(st, 14);
    r->form.ncriteria = r->form.ngroups = 0;
}

static int read_form(struct db *db, struct review_round *r)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CRITERIA, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    while ((rc = db_step(st)) == DB_ROW && r->form.ncriteria < REVIEW_MAX_CRITERIA) {
        struct review_criterion *c = &r->form.criteria[r->form.ncriteria++];
        copy(c->code, sizeof(c->code), db_col_text(st, 0));
        copy(c->name, sizeof(c->name), db_col_text(st, 1));
        c->scale_max = db_col_int64(st, 2);
        c->weight = db_col_int64(st, 3);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if ((rc = db_prepare(db, SQL_GROUPS, &st)) < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    while ((rc = db_step(st)) == DB_ROW && r->form.ngroups < REVIEW_MAX_GROUPS) {
        struct review_group *g = &r->form.groups[r->form.ngroups++];
        copy(g->code, sizeof(g->code), db_col_text(st, 0));
        copy(g->name, sizeof(g->name), db_col_text(st, 1));
        copy(g->kind, sizeof(g->kind), db_col_text(st, 2));
        g->weight = db_col_int64(st, 3);
        g->party_only = (int)db_col_int64(st, 4);
        copy(g->unit_scope, sizeof(g->unit_scope), db_col_text(st, 5));
        copy(g->rater_role, sizeof(g->rater_role), db_col_text(st, 6));
    }
    db_finalize(st);
    r->full = 1;
    return rc < 0 ? rc : 0;
}

int review_load(struct db *db, int64_t id, int full, struct review_round *out, struct err *e)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_GET, &st);
    if (rc < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW)
        read_round(st, out);
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    if (rc != DB_ROW)
        return err_set(e, ERR_NOTFOUND, NULL, "no such review round");
    if (full && (rc = read_form(db, out)) < 0)
        return review_db_fail(e, rc);
    return 0;
}

int review_access(const struct actor *who, const struct review_round *r)
{
    if (who->role == ROLE_SYSTEM)
        return 2;
    int in = actor_in_scope(who, r->node_path);
    if ((who->staff_id && who->staff_id == r->owner_id) || (in && who->role == ROLE_ADMIN))
        return 2;
    size_t n = strlen(r->node_path);
    if (in || (n && strncmp(who->scope, r->node_path, n) == 0))
        return 1;
    return 0;
}

int review_get(struct db *db, const struct actor *who, int64_t id, struct review_round *out,
               struct err *e)
{
    int rc = review_load(db, id, 1, out, e);
    if (rc < 0)
        return rc;
    if (who && !review_access(who, out))
        return err_set(e, ERR_FORBIDDEN, NULL, "the review round is outside your scope");
    return 0;
}

static const char SQL_LIST[] =
    "SELECT " ROUND_COLS " WHERE ((r.node_path >= ?1 AND r.node_path < ?2)"
    " OR r.node_path = substr(?1, 1, length(r.node_path)))"
    " AND (?3 = '' OR r.state = ?3) AND (?4 = '' OR r.period = ?4)"
    " ORDER BY r.id DESC LIMIT ?5 OFFSET ?6";
static const char SQL_LIST_COUNT[] =
    "SELECT COUNT(*) FROM review_round r WHERE ((r.node_path >= ?1 AND r.node_path < ?2)"
    " OR r.node_path = substr(?1, 1, length(r.node_path)))"
    " AND (?3 = '' OR r.state = ?3) AND (?4 = '' OR r.period = ?4)";

int review_list(struct db *db, const struct actor *who, const struct review_filter *f,
                struct arena *a, struct review_round **out, int *n, int64_t *total, struct err *e)
{
    static const char *const STATES[] = {"draft", "open", "closed"};
    *out = NULL;
    *n = 0;
    *total = 0;
    if (f->state && !one_of(f->state, STATES, 3))
        return err_set(e, ERR_INVALID, "state", "state is draft, open or closed");
    if (f->period && !review_period_ok(f->period))
        return err_set(e, ERR_INVALID, "period", "period is YYYY-MM, YYYY-Qn or YYYY");
    if (f->per_page < 1 || f->per_page > PER_PAGE_MAX || f->page < 1)
        return err_set(e, ERR_INVALID, "per_page", "per_page is 1..%d", PER_PAGE_MAX);
    char start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    review_range(who->role == ROLE_SYSTEM ? "" : who->scope, start, end, sizeof(start));
    if (who->role != ROLE_SYSTEM && !who->scope[0])
        return 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LIST_COUNT, &st);
    if (rc < 0)
        return review_db_fail(e, rc);
    db_bind_text(st, 1, start);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, f->state ? f->state : "");
    db_bind_text(st, 4, f->period ? f->period : "");
    rc = db_step(st);
    if (rc == DB_ROW)
        *total = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    int64_t offset = (f->page - 1) * f->per_page;
    if (*total <= offset)
        return 0;
    int64_t cap = *total - offset < f->per_page ? *total - offset : f->per_page;
    /* list form only: the form stays out of the copies */
    size_t one = sizeof(struct review_round);
    struct review_round *items = arena_alloc(a, one * (size_t)cap);
    if (!items)
        return review_db_fail(e, ERR_NOMEM);
    if ((rc = db_prepare(db, SQL_LIST, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_text(st, 1, start);
    db_bind_text(st, 2, end);
    db_bind_text(st, 3, f->state ? f->state : "");
    db_bind_text(st, 4, f->period ? f->period : "");
    db_bind_int64(st, 5, f->per_page);
    db_bind_int64(st, 6, offset);
    int k = 0;
    while ((rc = db_step(st)) == DB_ROW && k < cap)
        read_round(st, &items[k++]);
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    *out = items;
    *n = k;
    return 0;
}

int review_public_rounds(struct db *db, struct arena *a, struct review_round **out, int *n)
{
    static const char sql[] =
        "SELECT " ROUND_COLS " WHERE r.state = 'open' AND EXISTS (SELECT 1 FROM review_group g"
        " WHERE g.round_id = r.id AND g.kind = 'public_vote') ORDER BY r.id DESC LIMIT 100";
    *out = NULL;
    *n = 0;
    struct review_round *items = arena_alloc(a, sizeof(*items) * 100);
    if (!items)
        return ERR_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    int k = 0;
    while ((rc = db_step(st)) == DB_ROW && k < 100)
        read_round(st, &items[k++]);
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < k; i++)
        if ((rc = read_form(db, &items[i])) < 0)
            return rc;
    *out = items;
    *n = k;
    return 0;
}

/* ---- writes ---- */

static const char SQL_INSERT[] =
    "INSERT INTO review_round (node_id, node_path, period, subject_kind, title, state, owner_id,"
    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?7) RETURNING id";
static const char SQL_DEL_CRITERIA[] = "DELETE FROM review_criterion WHERE round_id = ?1";
static const char SQL_DEL_GROUPS[] = "DELETE FROM review_group WHERE round_id = ?1";
static const char SQL_INS_CRITERION[] =
    "INSERT INTO review_criterion (round_id, seq, code, name, scale_max, weight)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_INS_GROUP[] =
    "INSERT INTO review_group (round_id, seq, code, name, kind, weight, party_only, unit_scope,"
    " rater_role) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char SQL_UPDATE[] =
    "UPDATE review_round SET period = ?2, title = ?3, updated_at = ?4 WHERE id = ?1";
static const char SQL_STATE[] =
    "UPDATE review_round SET state = ?2, opened_at = CASE WHEN ?2 = 'open' THEN ?3"
    " ELSE opened_at END, closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE closed_at END,"
    " updated_at = ?3 WHERE id = ?1 AND state = ?4";

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

static int write_form(struct db *db, int64_t id, const struct review_form *f)
{
    int rc = exec_id(db, SQL_DEL_CRITERIA, id);
    if (rc == 0)
        rc = exec_id(db, SQL_DEL_GROUPS, id);
    struct db_stmt *st = NULL;
    for (int i = 0; rc == 0 && i < f->ncriteria; i++) {
        const struct review_criterion *c = &f->criteria[i];
        if ((rc = db_prepare(db, SQL_INS_CRITERION, &st)) < 0)
            break;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, i);
        db_bind_text(st, 3, c->code);
        db_bind_text(st, 4, c->name);
        db_bind_int64(st, 5, c->scale_max);
        db_bind_int64(st, 6, c->weight);
        rc = db_step(st);
        db_finalize(st);
        rc = rc < 0 ? rc : 0;
    }
    for (int i = 0; rc == 0 && i < f->ngroups; i++) {
        const struct review_group *g = &f->groups[i];
        if ((rc = db_prepare(db, SQL_INS_GROUP, &st)) < 0)
            break;
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, i);
        db_bind_text(st, 3, g->code);
        db_bind_text(st, 4, g->name);
        db_bind_text(st, 5, g->kind);
        db_bind_int64(st, 6, g->weight);
        db_bind_int64(st, 7, g->party_only ? 1 : 0);
        db_bind_text(st, 8, g->unit_scope);
        db_bind_text(st, 9, g->rater_role);
        rc = db_step(st);
        db_finalize(st);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

static int check_input(const struct review_input *in, const char *kind, struct err *e)
{
    size_t tl = in->title ? strlen(in->title) : 0;
    if (!tl || tl > (size_t)REVIEW_NAME_MAX * 4)
        return err_set(e, ERR_INVALID, "title", "a round needs a title (up to %d characters)",
                       REVIEW_NAME_MAX);
    if (!review_period_ok(in->period))
        return err_set(e, ERR_INVALID, "period", "period is YYYY-MM, YYYY-Qn or YYYY");
    return review_form_check(&in->form, kind, e);
}

/* A snapshot for the audit log (no ratings). */
static json_t *round_json(const struct review_round *r)
{
    json_t *groups = json_array();
    for (int i = 0; groups && i < r->form.ngroups; i++)
        json_array_append_new(groups, json_pack("{s:s,s:s,s:I}", "code", r->form.groups[i].code,
                                                "kind", r->form.groups[i].kind, "weight",
                                                (json_int_t)r->form.groups[i].weight));
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o*}", "node_id", (json_int_t)r->node_id, "period",
                     r->period, "subject_kind", r->subject_kind, "title", r->title, "state",
                     r->state, "groups", groups);
}

static int may_create(const struct actor *who)
{
    return who->role == ROLE_LEADER || who->role == ROLE_ADMIN || who->role == ROLE_SYSTEM;
}

int review_create(struct db *db, const struct actor *who, const struct review_input *in,
                  int64_t now, int64_t *id, struct err *e)
{
    if (!may_create(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only leaders and admins open review rounds");
    const char *kind = in->subject_kind ? in->subject_kind : "";
    if (strcmp(kind, "staff") != 0 && strcmp(kind, "window") != 0)
        return err_set(e, ERR_INVALID, "subject_kind", "subject_kind is staff or window");
    int rc = check_input(in, kind, e);
    if (rc < 0)
        return rc;
    struct org_node node;
    rc = org_get(db, in->node_id, &node);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_INVALID, "node_id", "no such node");
    if (rc < 0)
        return review_db_fail(e, rc);
    if (!actor_in_scope(who, node.path))
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_INSERT, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, node.id);
    db_bind_text(st, 2, node.path);
    db_bind_text(st, 3, in->period);
    db_bind_text(st, 4, kind);
    db_bind_text(st, 5, in->title);
    if (who->staff_id)
        db_bind_int64(st, 6, who->staff_id);
    else
        db_bind_null(st, 6);
    db_bind_int64(st, 7, now);
    rc = db_step(st);
    *id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    if ((rc = write_form(db, *id, &in->form)) < 0)
        return review_db_fail(e, rc);
    struct review_round r;
    if ((rc = review_load(db, *id, 1, &r, e)) < 0)
        return rc;
    rc = audit_append(db, who, "review.create", "review_round", *id, node.id, NULL, round_json(&r));
    return rc < 0 ? review_db_fail(e, rc) : 0;
}

/* The round id for a state change by who: loaded full into r. */
static int load_for_owner(struct db *db, const struct actor *who, int64_t id,
                          struct review_round *r, struct err *e)
{
    int rc = review_load(db, id, 1, r, e);
    if (rc < 0)
        return rc;
    int acc = review_access(who, r);
    if (!acc)
        return err_set(e, ERR_FORBIDDEN, NULL, "the review round is outside your scope");
    if (acc < 2)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only the round's owner or an admin may change the round");
    return 0;
}

int review_update(struct db *db, const struct actor *who, int64_t id, const struct review_input *in,
                  int64_t now, struct err *e)
{
    struct review_round before;
    int rc = load_for_owner(db, who, id, &before, e);
    if (rc < 0)
        return rc;
    if (strcmp(before.state, "draft") != 0)
        return err_set(e, ERR_CONFLICT, "state", "only a draft round can be edited");
    if ((rc = check_input(in, before.subject_kind, e)) < 0)
        return rc;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_UPDATE, &st)) < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, in->period);
    db_bind_text(st, 3, in->title);
    db_bind_int64(st, 4, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0 || (rc = write_form(db, id, &in->form)) < 0)
        return review_db_fail(e, rc);
    struct review_round after;
    if ((rc = review_load(db, id, 1, &after, e)) < 0)
        return rc;
    rc = audit_append(db, who, "review.update", "review_round", id, before.node_id,
                      round_json(&before), round_json(&after));
    return rc < 0 ? review_db_fail(e, rc) : 0;
}

int review_set_state(struct db *db, const struct actor *who, const struct review_round *r,
                     const char *from, const char *to, int64_t now, struct err *e)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_STATE, &st);
    if (rc < 0)
        return review_db_fail(e, rc);
    db_bind_int64(st, 1, r->id);
    db_bind_text(st, 2, to);
    db_bind_int64(st, 3, now);
    db_bind_text(st, 4, from);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return review_db_fail(e, rc);
    char action[24];
    snprintf(action, sizeof(action), "review.%s", strcmp(to, "open") == 0 ? "open" : "close");
    rc = audit_append(db, who, action, "review_round", r->id, r->node_id,
                      json_pack("{s:s}", "state", from), json_pack("{s:s}", "state", to));
    return rc < 0 ? review_db_fail(e, rc) : 0;
}

int review_open(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e)
{
    struct review_round r;
    int rc = load_for_owner(db, who, id, &r, e);
    if (rc < 0)
        return rc;
    if (strcmp(r.state, "draft") != 0)
        return err_set(e, ERR_CONFLICT, "state", "only a draft round can be opened");
    return review_set_state(db, who, &r, "draft", "open", now, e);
}

/* ---- for the scoring engine ---- */

static const char SQL_OPEN_ROUNDS[] =
    "SELECT COUNT(*) FROM review_round WHERE period = ?1 AND state <> 'closed'"
    " AND node_path >= ?2 AND node_path < ?3";

int review_open_rounds(struct db *db, const char *path, const char *period, int64_t *n)
{
    char start[ACTOR_PATH_MAX], end[ACTOR_PATH_MAX];
    review_range(path, start, end, sizeof(start));
    *n = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_OPEN_ROUNDS, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, period ? period : "");
    db_bind_text(st, 2, start);
    db_bind_text(st, 3, end);
    rc = db_step(st);
    if (rc == DB_ROW)
        *n = db_col_int64(st, 0);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* demo_review.c - the demo's 三评: one closed review round of the district
 * hall's staff for the current month (self 10 %, peers 50 %, the leader's
 * comments 20 %, 群众评议 from the evaluations 20 %), rated by the hall's
 * staff and the demo leader, so the results page is not empty. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/demo.h"
#include "domain/org.h"
#include "domain/review.h"

#define DEMO_RATERS 8
#define SHANGHAI_S ((int64_t)8 * 3600)

static const char SQL_LEADER[] = "SELECT s.id, n.id, n.path FROM staff s JOIN org_node n"
                                 " ON n.id = s.node_id WHERE s.login = 'leader'";
static const char SQL_HALL_STAFF[] =
    "SELECT s.id, n.id, n.path FROM staff s JOIN org_node n ON n.id = s.node_id"
    " WHERE s.role = 'staff' AND s.active = 1 AND n.path >= ?1 AND n.path < ?2"
    " ORDER BY s.id LIMIT 8";

static void crit(struct review_form *f, const char *code, const char *name, int64_t w)
{
    struct review_criterion *c = &f->criteria[f->ncriteria++];
    snprintf(c->code, sizeof(c->code), "%s", code);
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->scale_max = 10;
    c->weight = w;
}

static void group(struct review_form *f, const char *code, const char *name, const char *kind,
                  int64_t w)
{
    struct review_group *g = &f->groups[f->ngroups++];
    snprintf(g->code, sizeof(g->code), "%s", code);
    snprintf(g->name, sizeof(g->name), "%s", name);
    snprintf(g->kind, sizeof(g->kind), "%s", kind);
    snprintf(g->unit_scope, sizeof(g->unit_scope), "any");
    g->weight = w;
}

static void as_actor(struct actor *a, enum role role, int64_t staff_id, int64_t node_id,
                     const char *path)
{
    memset(a, 0, sizeof(*a));
    a->role = role;
    a->staff_id = staff_id;
    a->node_id = node_id;
    snprintf(a->scope, sizeof(a->scope), "%s", path ? path : "");
    snprintf(a->name, sizeof(a->name), "demo");
    snprintf(a->ip, sizeof(a->ip), "127.0.0.1");
    snprintf(a->request_id, sizeof(a->request_id), "demo");
}

static int rate(struct db *db, const struct actor *who, int64_t round, const char *g,
                int64_t subject, int v1, int v2, const char *comment, int64_t now, struct err *e)
{
    struct review_rating_input in;
    memset(&in, 0, sizeof(in));
    in.group = g;
    in.subject_id = subject;
    in.nscores = 2;
    in.scores[0].code = "attitude";
    in.scores[0].value = v1;
    in.scores[1].code = "efficiency";
    in.scores[1].value = v2;
    in.comment = comment;
    int64_t id = 0;
    return review_rate(db, who, round, &in, now, &id, e);
}

int demo_seed_reviews(struct db *db, struct err *e)
{
    int64_t now = (int64_t)time(NULL);
    time_t local = (time_t)(now + SHANGHAI_S);
    struct tm tm;
    gmtime_r(&local, &tm);
    char period[16];
    snprintf(period, sizeof(period), "%04d-%02d", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon % 12) + 1);
    struct org_node hall;
    int rc = org_find_by_codes(db, "/dist/hall-d", &hall);
    if (rc == ERR_NOTFOUND)
        return 0; /* a demo without the district hall has no round */
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    struct actor leader, raters[DEMO_RATERS];
    int64_t ids[DEMO_RATERS];
    int n = 0;
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(db, SQL_LEADER, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    rc = db_step(st);
    if (rc == DB_ROW)
        as_actor(&leader, ROLE_LEADER, db_col_int64(st, 0), db_col_int64(st, 1),
                 db_col_text(st, 2));
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (rc != DB_ROW)
        return 0; /* no demo leader: no round */
    char end[ACTOR_PATH_MAX];
    org_path_end(hall.path, end, sizeof(end));
    if ((rc = db_prepare(db, SQL_HALL_STAFF, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    db_bind_text(st, 1, hall.path);
    db_bind_text(st, 2, end);
    while ((rc = db_step(st)) == DB_ROW && n < DEMO_RATERS) {
        ids[n] = db_col_int64(st, 0);
        as_actor(&raters[n], ROLE_STAFF, ids[n], db_col_int64(st, 1), db_col_text(st, 2));
        n++;
    }
    db_finalize(st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (n < 2)
        return 0;

    struct review_input in;
    memset(&in, 0, sizeof(in));
    in.node_id = hall.id;
    in.period = period;
    in.subject_kind = "staff";
    in.title = "区政务服务中心窗口人员月度三评";
    crit(&in.form, "attitude", "服务态度", 50);
    crit(&in.form, "efficiency", "办事效率", 50);
    group(&in.form, "self", "自评", "self", 10);
    group(&in.form, "peers", "同事互评", "peer", 50);
    group(&in.form, "leaders", "领导点评", "leader", 20);
    group(&in.form, "public", "群众评议", "public_metrics", 20);
    int64_t round = 0;
    rc = review_create(db, &leader, &in, now - 7200, &round, e);
    if (rc == 0)
        rc = review_open(db, &leader, round, now - 7000, e);
    static const char *const COMMENTS[] = {"服务热情，业务熟练", "办事高效，群众满意",
                                           "耐心细致，仍需提速", "作风扎实，积极主动"};
    for (int i = 0; rc == 0 && i < n; i++) {
        int v = 7 + (int)(ids[i] % 4); /* 7..10 */
        rc = rate(db, &raters[i], round, "self", ids[i], v, v > 8 ? 9 : 8, NULL, now - 6000, e);
        /* each rates the next two colleagues */
        for (int k = 1; rc == 0 && k <= 2 && k < n; k++) {
            int j = (i + k) % n;
            rc = rate(db, &raters[i], round, "peers", ids[j], 6 + (int)((ids[i] + ids[j]) % 5),
                      7 + (int)(ids[j] % 4), NULL, now - 5000, e);
        }
        if (rc == 0)
            rc = rate(db, &leader, round, "leaders", ids[i], 7 + (int)(ids[i] % 3),
                      8 + (int)(ids[i] % 3), COMMENTS[i % 4], now - 4000, e);
    }
    if (rc == 0)
        rc = review_close(db, &leader, round, now - 3600, e);
    return rc;
}

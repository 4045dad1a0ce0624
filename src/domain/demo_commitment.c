/* demo_commitment.c - the demo's 亮承诺: commitments of windows and staff in
 * every state (fulfilled, partly, missed, awaiting confirmation, open, one
 * overdue), some due last month, so the board, its 践诺率 and the portal are
 * not empty. Made through the domain functions by the demo's own accounts,
 * then the due days of last month's set back (a commitment cannot be made
 * due in the past). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/commitment.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/queue.h"

struct demo_commitment {
    const char *maker;           /* login of who makes and reports it */
    const char *kind, *owner;    /* "staff" + login, or "window" + code path */
    const char *text, *category; /* what is promised */
    const char *target_text, *value, *unit;
    int last_month; /* due on last month's last day (else this month's) */
    const char *visibility;
    const char *result; /* NULL: not confirmed; "reported": reported only */
    const char *evidence, *note;
};

static const struct demo_commitment demo_commitments[] = {
    {"d01", "staff", "d01", "首问负责、一次性告知，群众办事“最多跑一次”", "service", "一次性告知率",
     "100", "%", 1, "public", "fulfilled", "本月首问登记 46 件，均一次性告知到位",
     "经抽查台账属实"},
    {"d02", "staff", "d02", "医保业务当场办结，不让群众多跑腿", "efficiency", "即办件当场办结率",
     "95", "%", 1, "public", "missed", "本月即办件 120 件，当场办结 101 件",
     "当场办结率 84%，未达到承诺目标"},
    {"admin", "window", "/dist/hall-d/w01", "综合受理窗口平均等候时间不超过 15 分钟", "efficiency",
     "平均等候时间", "15", "分钟", 1, "public", "partly",
     "本月平均等候 17 分钟，高峰时段增开弹性窗口", "高峰时段仍有超时，部分兑现"},
    {"d03", "staff", "d03", "不动产登记资料一次审核到位，不让群众二次补正", "conduct",
     "二次补正件数", "0", "件", 0, "public", "reported", "本月无二次补正件", NULL},
    {"admin", "window", "/dist/hall-d/w02", "社保医保窗口推行延时服务，午间不断档", "service", "",
     NULL, "", 0, "public", NULL, NULL, NULL},
    {"t01", "staff", "t01", "文明用语、微笑服务，零投诉", "conduct", "有效投诉", "0", "件", 1,
     "public", NULL, NULL, NULL},
    {"d01", "staff", "d01", "拒收礼品礼金，廉洁办事", "integrity", "", NULL, "", 0, "internal",
     NULL, NULL, NULL},
};

static int demo_actor_of(struct db *db, const char *login, struct actor *a)
{
    struct db_stmt *st = NULL;
    memset(a, 0, sizeof(*a));
    int rc = db_prepare(db,
                        "SELECT s.id, s.role, s.node_id, n.path FROM staff s"
                        " JOIN org_node n ON n.id = s.node_id WHERE s.login = ?1",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, login);
    rc = db_step(st);
    if (rc == DB_ROW) {
        a->staff_id = db_col_int64(st, 0);
        a->role = role_parse(db_col_text(st, 1));
        a->node_id = db_col_int64(st, 2);
        snprintf(a->scope, sizeof(a->scope), "%s", db_col_text(st, 3));
        snprintf(a->name, sizeof(a->name), "%s", login);
    }
    db_finalize(st);
    return rc < 0 ? rc : rc == DB_ROW ? 0 : ERR_NOTFOUND;
}

static int set_due(struct db *db, int64_t id, const char *day, const char *period)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "UPDATE commitment SET due_day = ?2, period = ?3 WHERE id = ?1", &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, day);
    db_bind_text(st, 3, period);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int demo_seed_commitments(struct db *db, struct err *e)
{
    int64_t now = (int64_t)time(NULL);
    char today[DATE_TEXT], this_month[8], last_month[8], last_day[DATE_TEXT], from[DATE_TEXT];
    enum commitment_grain g;
    int32_t td;
    queue_service_day(now, today);
    date_parse(today, &td);
    snprintf(this_month, sizeof(this_month), "%.7s", today);
    int y, m, d;
    date_to_civil(td, &y, &m, &d);
    date_to_civil(date_from_civil(y, m, 1) - 1, &y, &m, &d);
    snprintf(last_month, sizeof(last_month), "%04d-%02d", y, m);
    if (commitment_period_range(last_month, from, last_day, &g) < 0)
        return err_set(e, ERR_INVALID, NULL, "bad demo period");
    struct actor leader;
    int rc = demo_actor_of(db, "leader", &leader);
    for (size_t i = 0; rc == 0 && i < sizeof(demo_commitments) / sizeof(demo_commitments[0]); i++) {
        const struct demo_commitment *c = &demo_commitments[i];
        struct actor maker, owner_actor;
        struct commitment_input in = {0};
        struct org_node n;
        int64_t id = 0;
        if ((rc = demo_actor_of(db, c->maker, &maker)) < 0)
            return err_set(e, rc, NULL, "demo account %s is missing", c->maker);
        if (strcmp(c->kind, "staff") == 0) {
            if ((rc = demo_actor_of(db, c->owner, &owner_actor)) < 0)
                return err_set(e, rc, NULL, "demo account %s is missing", c->owner);
            in.owner_id = owner_actor.staff_id;
        } else {
            if ((rc = org_find_by_codes(db, c->owner, &n)) < 0)
                return err_set(e, rc, NULL, "demo node %s is missing", c->owner);
            in.owner_id = n.id;
        }
        in.owner_kind = c->kind;
        in.text = c->text;
        in.category = c->category;
        in.target_text = c->target_text;
        in.target_value = c->value;
        in.target_unit = c->unit;
        in.visibility = c->visibility;
        in.period = this_month;
        rc = commitment_create(db, &maker, &in, now, &id, e);
        if (rc == 0 && c->result)
            rc = commitment_report(db, &maker, id, c->evidence, NULL, 0, now, e);
        if (rc == 0 && c->result && strcmp(c->result, "reported") != 0)
            rc = commitment_confirm(db, &leader, id, c->result, c->note, now, e);
        if (rc == 0 && c->last_month && (rc = set_due(db, id, last_day, last_month)) < 0)
            err_set(e, rc, NULL, "database error");
    }
    return rc;
}

/* demo_score.c - the demo's 三比 scoring (score.h): the region's monthly
 * window scorecard (DOMAIN.md §7's scheme, with the red flag) and its staff
 * scorecard (the chief representative pays half of the window's deductions),
 * manual events of the two months before this one, both months closed, so
 * the rankings show movement, stars, the red flag's history and a 约谈 list
 * from the first start. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/demo.h"
#include "domain/queue.h"
#include "domain/score.h"

static const char WINDOW_DEF[] =
    "{\"base\":100,\"cap\":110,\"items\":["
    "{\"code\":\"attendance\",\"name\":\"考勤\",\"points\":20,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-3}]},"
    "{\"code\":\"intake\",\"name\":\"收件退件\",\"points\":15,"
    "\"rules\":[{\"input\":\"case_returned\",\"per\":-2}]},"
    "{\"code\":\"fees\",\"name\":\"收费\",\"points\":10,"
    "\"rules\":[{\"input\":\"event:unauthorised_fee\",\"per\":-5}]},"
    "{\"code\":\"timelimit\",\"name\":\"时限承诺\",\"points\":15,"
    "\"rules\":[{\"input\":\"case_overdue\",\"per\":-5}]},"
    "{\"code\":\"public\",\"name\":\"群众评价\",\"points\":15,\"input\":\"satisfaction\","
    "\"zero\":0.8,\"full\":1},"
    "{\"code\":\"archives\",\"name\":\"档案\",\"points\":3,"
    "\"rules\":[{\"input\":\"event:archive_missing\",\"per\":-1}]},"
    "{\"code\":\"hygiene\",\"name\":\"卫生\",\"points\":2,"
    "\"rules\":[{\"input\":\"event:hygiene\",\"per\":-1}]},"
    "{\"code\":\"bonus\",\"name\":\"加分\",\"points\":0,\"bonus\":10,"
    "\"rules\":[{\"input\":\"event:praise_letter\",\"per\":2},"
    "{\"input\":\"event:contest_first\",\"per\":5}]},"
    "{\"code\":\"covert\",\"name\":\"暗访\",\"points\":0,\"veto\":\"year\","
    "\"rules\":[{\"input\":\"event:covert_negative\",\"per\":-15}]}],"
    "\"events\":[{\"code\":\"absent_half_day\",\"name\":\"缺勤(半天)\"},"
    "{\"code\":\"unauthorised_fee\",\"name\":\"违规收费\"},"
    "{\"code\":\"archive_missing\",\"name\":\"档案缺失\"},"
    "{\"code\":\"hygiene\",\"name\":\"卫生不合格\"},"
    "{\"code\":\"praise_letter\",\"name\":\"表扬信\"},"
    "{\"code\":\"contest_first\",\"name\":\"技能比武一等奖\"},"
    "{\"code\":\"covert_negative\",\"name\":\"暗访负面报道\"}],"
    "\"stars\":[105,100,95,90],"
    "\"red_flag\":{\"month\":1,\"quarter\":1,\"year\":1},"
    "\"summons\":{\"group\":\"all\",\"bottom\":1,\"streak\":2}}";

static const char STAFF_DEF[] =
    "{\"items\":["
    "{\"code\":\"attendance\",\"name\":\"考勤\",\"points\":30,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-3}]},"
    "{\"code\":\"discipline\",\"name\":\"纪律\",\"points\":30,"
    "\"rules\":[{\"input\":\"event:discipline\",\"per\":-10},"
    "{\"input\":\"chief_loss\",\"per\":-0.5}]},"
    "{\"code\":\"business\",\"name\":\"业务\",\"points\":30,\"input\":\"satisfaction\","
    "\"zero\":0.8,\"full\":1},"
    "{\"code\":\"full\",\"name\":\"全勤\",\"points\":10,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-10}]}],"
    "\"events\":[{\"code\":\"absent_half_day\",\"name\":\"缺勤(半天)\"},"
    "{\"code\":\"discipline\",\"name\":\"违纪\"}],"
    "\"stars\":[95,90,85,80]}";

static const char SQL_ROOT[] =
    "SELECT id FROM org_node WHERE parent_id IS NULL ORDER BY id LIMIT 1";
static const char SQL_WINDOWS[] =
    "SELECT id FROM org_node WHERE kind = 'window' AND active = 1 ORDER BY id LIMIT 8";

/* window index, month back (1 or 2), event, qty */
static const struct {
    int window, back;
    const char *type;
    int qty;
} EVENTS[] = {
    {0, 2, "absent_half_day", 1}, {1, 2, "praise_letter", 2},    {2, 2, "hygiene", 2},
    {2, 2, "absent_half_day", 2}, {0, 1, "unauthorised_fee", 1}, {1, 1, "absent_half_day", 1},
    {2, 1, "absent_half_day", 1}, {2, 1, "archive_missing", 2},  {3, 1, "praise_letter", 1},
};

static void month_back(const char *today, int n, char out[16])
{
    int y = 0, m = 0;
    sscanf(today, "%4d-%2d", &y, &m);
    m -= n;
    while (m < 1) {
        m += 12;
        y--;
    }
    snprintf(out, 16, "%04d-%02d", y % 10000, m % 100);
}

int demo_seed_scores(struct db *db, struct err *e)
{
    struct actor sys;
    actor_system(&sys, "demo");
    int64_t now = (int64_t)time(NULL), root = 0, windows[8];
    int nw = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_ROOT, &st);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    if (db_step(st) == DB_ROW)
        root = db_col_int64(st, 0);
    db_finalize(st);
    if ((rc = db_prepare(db, SQL_WINDOWS, &st)) < 0)
        return err_set(e, rc, NULL, "database error");
    while (nw < 8 && db_step(st) == DB_ROW)
        windows[nw++] = db_col_int64(st, 0);
    db_finalize(st);
    if (!root || nw < 4)
        return 0; /* not the demo's tree */
    struct score_card_input wc = {root,           "window",
                                  "窗口月度考核", "month,quarter,year",
                                  WINDOW_DEF,     "DOMAIN.md §7: base 100, cap 110"};
    struct score_card_input sc = {root,    "staff",   "个人月度考核",
                                  "month", STAFF_DEF, "考勤30 纪律30 业务30 全勤10"};
    int64_t wid = 0, sid = 0;
    if ((rc = score_card_create(db, &sys, &wc, now, &wid, e)) < 0 ||
        (rc = score_card_create(db, &sys, &sc, now, &sid, e)) < 0)
        return rc;
    char today[DATE_TEXT], m1[16], m2[16];
    queue_service_day(now, today);
    month_back(today, 1, m1);
    month_back(today, 2, m2);
    for (size_t i = 0; i < sizeof(EVENTS) / sizeof(EVENTS[0]); i++) {
        char day[32];
        snprintf(day, sizeof(day), "%.7s-%02d", EVENTS[i].back == 1 ? m1 : m2, 10 + (int)i % 10);
        struct score_event_input in = {"window",     EVENTS[i].type,
                                       day,          "督查室月度检查记录（演示数据）",
                                       "",           windows[EVENTS[i].window],
                                       EVENTS[i].qty};
        int64_t id = 0;
        if ((rc = score_event_create(db, &sys, &in, now, &id, e)) < 0 ||
            (rc = score_event_confirm(db, &sys, id, now, e)) < 0)
            return rc;
    }
    struct score_close_info info;
    const char *months[] = {m2, m1};
    for (int k = 0; k < 2; k++)
        if ((rc = score_close(db, &sys, sid, months[k], now, &info, e)) < 0 ||
            (rc = score_close(db, &sys, wid, months[k], now, &info, e)) < 0)
            return rc;
    return 0;
}

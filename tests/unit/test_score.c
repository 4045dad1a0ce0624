/* test_score.c - the scoring engine (domain/score_def.c): the schemes of
 * DOMAIN.md §7 written as scorecard definitions and computed by hand, the
 * definition checks, and period keys. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/score.h"

static struct score_def def;
static struct err e;

static void parse_ok(const char *json, const char *subject)
{
    memset(&e, 0, sizeof(e));
    int rc = score_def_parse(json, subject, &def, &e);
    cr_assert_eq(rc, 0, "%s: %s", e.field, e.msg);
}

static void parse_bad(const char *json, const char *subject, const char *field)
{
    memset(&e, 0, sizeof(e));
    cr_assert_lt(score_def_parse(json, subject, &def, &e), 0, "accepted: %s", json);
    cr_assert_str_eq(e.field, field, "%s", e.msg);
}

static double run(struct score_inputs *in, struct score_outcome *o)
{
    score_compute(&def, in, o);
    return o->total;
}

#define near(a, b) cr_assert(fabs((a) - (b)) < 1e-9, "%g != %g", (double)(a), (double)(b))

/* Monthly window score: base 100, cap 110; attendance 20 (−3 per half-day
 * absent), intake/returns 15 (−2 each), fees 10 (−5 per unauthorised fee),
 * time-limit commitments 15 (−5 per overdue case), completion/accuracy 15,
 * archives 3, hygiene 2. */
static const char MONTHLY_WINDOW[] =
    "{\"base\":100,\"cap\":110,\"items\":["
    "{\"code\":\"attendance\",\"name\":\"考勤\",\"points\":20,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-3}]},"
    "{\"code\":\"intake\",\"name\":\"收件退件\",\"points\":15,"
    "\"rules\":[{\"input\":\"case_returned\",\"per\":-2}]},"
    "{\"code\":\"fees\",\"name\":\"收费\",\"points\":10,"
    "\"rules\":[{\"input\":\"event:unauthorised_fee\",\"per\":-5}]},"
    "{\"code\":\"timelimit\",\"name\":\"时限承诺\",\"points\":15,"
    "\"rules\":[{\"input\":\"case_overdue\",\"per\":-5}]},"
    "{\"code\":\"accuracy\",\"name\":\"办结准确\",\"points\":15,\"input\":\"ontime_rate\","
    "\"zero\":0.5,\"full\":1},"
    "{\"code\":\"archives\",\"name\":\"档案\",\"points\":3,"
    "\"rules\":[{\"input\":\"event:archive_missing\",\"per\":-1}]},"
    "{\"code\":\"hygiene\",\"name\":\"卫生\",\"points\":2,"
    "\"rules\":[{\"input\":\"event:hygiene\",\"per\":-1}]},"
    "{\"code\":\"bonus\",\"name\":\"加分\",\"points\":0,\"bonus\":10,"
    "\"rules\":[{\"input\":\"event:praise_letter\",\"per\":2},"
    "{\"input\":\"event:contest_first\",\"per\":5}]}],"
    "\"events\":[{\"code\":\"absent_half_day\",\"name\":\"缺勤半天\"},"
    "{\"code\":\"unauthorised_fee\",\"name\":\"违规收费\"},"
    "{\"code\":\"archive_missing\",\"name\":\"档案缺失\"},"
    "{\"code\":\"hygiene\",\"name\":\"卫生不合格\"},"
    "{\"code\":\"praise_letter\",\"name\":\"表扬信\"},"
    "{\"code\":\"contest_first\",\"name\":\"技能比武一等奖\"}],"
    "\"stars\":[105,100,95,90]}";

Test(score, monthly_window_scheme)
{
    parse_ok(MONTHLY_WINDOW, "window");
    struct score_inputs in = {0};
    struct score_outcome o;
    near(run(&in, &o), 100); /* nothing happened: the base, ontime_rate empty → full */
    cr_assert_eq(o.stars, 4);
    score_input_set(&in, "event:absent_half_day", 2);  /* −6 */
    score_input_set(&in, "case_returned", 1);          /* −2 */
    score_input_set(&in, "event:unauthorised_fee", 3); /* −15 → stops at the item's 10 */
    score_input_set(&in, "case_overdue", 1);           /* −5 */
    score_input_set(&in, "ontime_rate", 0.9);          /* 15 × 0.8 = 12 → −3 */
    near(run(&in, &o), 100 - 6 - 2 - 10 - 5 - 3);
    near(o.item_value[2], 0);
    near(o.item_value[4], 12);
    near(o.event_loss, 6 + 15); /* what the event rules took, before the item caps */
    cr_assert_eq(o.stars, 1);
    /* additions: praise letters and a contest win, stopped at the bonus (10), the total at
     * the cap (110) */
    struct score_inputs good = {0};
    score_input_set(&good, "event:praise_letter", 4); /* +8 */
    score_input_set(&good, "event:contest_first", 1); /* +5 → 13 → 10 */
    near(run(&good, &o), 110);
    near(o.item_bonus[7], 10);
    cr_assert_eq(o.stars, 5);
}

/* Staff: attendance 30, discipline 30, business 30, full attendance 10; a
 * window's deduction costs its chief representative half. */
static const char STAFF[] =
    "{\"items\":["
    "{\"code\":\"attendance\",\"name\":\"考勤\",\"points\":30,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-3}]},"
    "{\"code\":\"discipline\",\"name\":\"纪律\",\"points\":30,"
    "\"rules\":[{\"input\":\"event:discipline\",\"per\":-10},"
    "{\"input\":\"chief_loss\",\"per\":-0.5}]},"
    "{\"code\":\"business\",\"name\":\"业务\",\"points\":30,\"input\":\"satisfaction\","
    "\"zero\":0.9,\"full\":1},"
    "{\"code\":\"full\",\"name\":\"全勤\",\"points\":10,"
    "\"rules\":[{\"input\":\"event:absent_half_day\",\"per\":-10}]}],"
    "\"events\":[{\"code\":\"absent_half_day\",\"name\":\"缺勤半天\"},"
    "{\"code\":\"discipline\",\"name\":\"违纪\"}]}";

Test(score, staff_scheme_and_chief_half)
{
    parse_ok(STAFF, "staff");
    struct score_inputs in = {0};
    struct score_outcome o;
    score_input_set(&in, "satisfaction", 0.95); /* business 15 */
    score_input_set(&in, "chief_loss", 9);      /* the window lost 9: −4.5 */
    near(run(&in, &o), 100 - 15 - 4.5);
    score_input_set(&in, "event:absent_half_day", 1); /* −3 and the full-attendance 10 */
    near(run(&in, &o), 100 - 15 - 4.5 - 3 - 10);
    /* chief_loss is a staff input only */
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":10,"
              "\"rules\":[{\"input\":\"chief_loss\",\"per\":-0.5}]}]}",
              "window", "items[0].rules[0].input");
}

/* Window: standardisation 20, case handling 20, fees 10, staff management
 * 10, staff scores 30, public evaluation 10 (weights of 100). */
static const char WINDOW_WEIGHTED[] =
    "{\"weighted\":true,\"items\":["
    "{\"code\":\"standard\",\"name\":\"规范化\",\"weight\":20,"
    "\"rules\":[{\"input\":\"event:nonstandard\",\"per\":-2}]},"
    "{\"code\":\"cases\",\"name\":\"办件\",\"weight\":20,\"input\":\"ontime_rate\","
    "\"zero\":0.8,\"full\":1},"
    "{\"code\":\"fees\",\"name\":\"收费\",\"weight\":10,"
    "\"rules\":[{\"input\":\"event:unauthorised_fee\",\"per\":-5}]},"
    "{\"code\":\"mgmt\",\"name\":\"人员管理\",\"weight\":10},"
    "{\"code\":\"staff\",\"name\":\"人员得分\",\"weight\":30,\"input\":\"staff_avg\","
    "\"zero\":60,\"full\":100},"
    "{\"code\":\"public\",\"name\":\"群众评价\",\"weight\":10,\"input\":\"satisfaction\","
    "\"zero\":0.8,\"full\":1}],"
    "\"events\":[{\"code\":\"nonstandard\",\"name\":\"不规范\"},"
    "{\"code\":\"unauthorised_fee\",\"name\":\"违规收费\"}]}";

Test(score, window_weighted_scheme)
{
    parse_ok(WINDOW_WEIGHTED, "window");
    struct score_inputs in = {0};
    struct score_outcome o;
    score_input_set(&in, "ontime_rate", 0.9);  /* 20 × 0.5 = 10 */
    score_input_set(&in, "staff_avg", 90);     /* 30 × 0.75 = 22.5 */
    score_input_set(&in, "satisfaction", 1.0); /* 10 */
    near(run(&in, &o), 20 + 10 + 10 + 10 + 22.5 + 10);
    /* weights that do not add up */
    parse_bad("{\"weighted\":true,\"items\":[{\"code\":\"a\",\"name\":\"A\",\"weight\":60},"
              "{\"code\":\"b\",\"name\":\"B\",\"weight\":30}]}",
              "window", "weights");
    /* staff_avg is a window input only */
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":10,\"input\":\"staff_avg\","
              "\"zero\":0,\"full\":100}]}",
              "staff", "items[0].input");
}

/* Red-flag window: efficiency 30 %, staff assessment 30 %, duty-officer
 * votes 20 %, citizen votes 20 %; flags 5 a month, 2 a quarter, 1 a year.
 * The votes come from review rounds' groups. */
static const char RED_FLAG[] =
    "{\"weighted\":true,\"items\":["
    "{\"code\":\"efficiency\",\"name\":\"窗口效能\",\"weight\":30,\"input\":\"ontime_rate\","
    "\"zero\":0,\"full\":1},"
    "{\"code\":\"staff\",\"name\":\"人员考核\",\"weight\":30,\"input\":\"staff_avg\","
    "\"zero\":0,\"full\":100},"
    "{\"code\":\"duty\",\"name\":\"值班长投票\",\"weight\":20,\"input\":\"review:duty\","
    "\"zero\":0,\"full\":100},"
    "{\"code\":\"citizen\",\"name\":\"群众投票\",\"weight\":20,\"input\":\"review:public_vote\","
    "\"zero\":0,\"full\":100,\"empty\":\"zero\"}],"
    "\"red_flag\":{\"month\":5,\"quarter\":2,\"year\":1}}";

Test(score, red_flag_weighting)
{
    parse_ok(RED_FLAG, "window");
    cr_assert_eq(def.flags_month, 5);
    cr_assert_eq(def.flags_quarter, 2);
    cr_assert_eq(def.flags_year, 1);
    struct score_inputs in = {0};
    struct score_outcome o;
    score_input_set(&in, "ontime_rate", 0.98);
    score_input_set(&in, "staff_avg", 92);
    score_input_set(&in, "review:duty", 80);
    /* no citizen votes: "empty": "zero" gives none of its 20 */
    near(run(&in, &o), 0.3 * 98 + 0.3 * 92 + 0.2 * 80);
    score_input_set(&in, "review:public_vote", 90);
    near(run(&in, &o), 0.3 * 98 + 0.3 * 92 + 0.2 * 80 + 0.2 * 90);
    /* the red flag is for windows */
    parse_bad(RED_FLAG, "staff", "items[1].input");
}

/* A covert inspection's negative report costs 15 and disqualifies for the
 * year; some schemes disqualify on any 不满意 (a period veto). */
Test(score, vetoes)
{
    parse_ok("{\"items\":["
             "{\"code\":\"covert\",\"name\":\"暗访\",\"points\":15,\"veto\":\"year\","
             "\"rules\":[{\"input\":\"event:covert_negative\",\"per\":-15}]},"
             "{\"code\":\"bad\",\"name\":\"不满意\",\"points\":0,\"veto\":\"period\","
             "\"rules\":[{\"input\":\"eval_bad\",\"per\":0}]}],"
             "\"events\":[{\"code\":\"covert_negative\",\"name\":\"暗访负面\"}],"
             "\"stars\":[95,90,80,70]}",
             "window");
    struct score_inputs in = {0};
    struct score_outcome o;
    near(run(&in, &o), 100);
    cr_assert_eq(o.stars, 5);
    cr_assert_str_eq(o.veto, "");
    score_input_set(&in, "event:covert_negative", 1);
    near(run(&in, &o), 85);
    cr_assert_str_eq(o.veto, "covert");
    cr_assert_eq(o.stars, 0);
    /* an earlier month of the year still disqualifies */
    struct score_inputs later = {0};
    later.year_veto[0] = 1;
    near(run(&later, &o), 100);
    cr_assert_str_eq(o.veto, "covert");
    /* one 不满意: scores unchanged, disqualified for the period */
    struct score_inputs bad = {0};
    score_input_set(&bad, "eval_bad", 1);
    near(run(&bad, &o), 100);
    cr_assert_str_eq(o.veto, "bad");
}

Test(score, definition_checks)
{
    parse_bad("{}", "window", "items");
    parse_bad("[1]", "window", "def");
    parse_bad("{\"items\":[{\"code\":\"A\",\"name\":\"A\",\"points\":1}]}", "window",
              "items[0].code");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1},"
              "{\"code\":\"a\",\"name\":\"B\",\"points\":1}]}",
              "window", "items[1].code");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1,"
              "\"rules\":[{\"input\":\"event:x\",\"per\":-1}]}]}",
              "window", "items[0].rules[0].input");
    parse_bad(
        "{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1,\"input\":\"satisfaction\"}]}",
        "window", "items[0].full");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1,\"zero\":1}]}", "window",
              "items[0].zero");
    parse_bad("{\"cap\":90,\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1}]}", "window",
              "cap");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1,\"veto\":\"year\"}]}",
              "window", "items[0].veto");
    /* the year to date is kept for monthly figures and events, not commitments */
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1,\"veto\":\"year\","
              "\"rules\":[{\"input\":\"commit_missed\",\"per\":0}]}]}",
              "window", "items[0].rules[0].input");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1}],\"red_flag\":"
              "{\"month\":1.5}}",
              "window", "red_flag");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1}],\"summons\":"
              "{\"group\":\"street\"}}",
              "window", "summons.group");
    parse_bad("{\"items\":[{\"code\":\"a\",\"name\":\"A\",\"points\":1e9}]}", "window",
              "items[0].points");
}

Test(score, periods)
{
    char kind[8], from[11], to[11], p[16];
    cr_assert_eq(score_period_range("2026-02", kind, from, to), 0);
    cr_assert_str_eq(kind, "month");
    cr_assert_str_eq(from, "2026-02-01");
    cr_assert_str_eq(to, "2026-02-28");
    cr_assert_eq(score_period_range("2026-Q4", kind, from, to), 0);
    cr_assert_str_eq(from, "2026-10-01");
    cr_assert_str_eq(to, "2026-12-31");
    cr_assert_eq(score_period_range("2028", kind, from, to), 0);
    cr_assert_str_eq(to, "2028-12-31");
    cr_assert_lt(score_period_range("2026-13", kind, from, to), 0);
    cr_assert_lt(score_period_range("2026-Q5", kind, from, to), 0);
    cr_assert_lt(score_period_range("20x6", kind, from, to), 0);
    cr_assert_lt(score_period_range("2026-1", kind, from, to), 0);
    cr_assert_eq(score_period_prev("2026-01", p), 0);
    cr_assert_str_eq(p, "2025-12");
    cr_assert_eq(score_period_prev("2026-Q1", p), 0);
    cr_assert_str_eq(p, "2025-Q4");
    cr_assert_eq(score_period_of("quarter", "2026-11-29", p), 0);
    cr_assert_str_eq(p, "2026-Q4");
}

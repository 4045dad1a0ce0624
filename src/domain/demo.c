#include "domain/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "domain/calendar.h"

#include "domain/actor.h"
#include "domain/appointment.h"
#include "domain/case.h"
#include "domain/catalog.h"
#include "domain/device.h"
#include "domain/org.h"
#include "domain/queue.h"
#include "domain/simulate.h"
#include "domain/staff.h"

struct demo_window {
    const char *code, *name;
    const char *login, *staff_name, *post;
    int party;
};

static const struct demo_window hall_d_windows[] = {
    {"w01", "1号窗口 综合受理", "d01", "王芳", "综合受理岗", 1},
    {"w02", "2号窗口 社保医保", "d02", "李娜", "社保经办岗", 0},
    {"w03", "3号窗口 不动产登记", "d03", "张伟", "登记审核岗", 1},
    {"w04", "4号窗口 市场监管", "d04", "刘洋", "企业登记岗", 0},
    {"w05", "5号窗口 税务", "d05", "陈静", "税务受理岗", 1},
    {"w06", "6号窗口 公积金", "d06", "杨磊", "公积金经办岗", 0},
    {"w07", "7号窗口 帮办代办", "d07", "赵敏", "帮办代办岗", 1},
};

static const struct demo_window hall_t_windows[] = {
    {"w01", "1号窗口 综合受理", "t01", "黄丽", "综合受理岗", 1},
    {"w02", "2号窗口 民政事务", "t02", "周强", "民政经办岗", 0},
    {"w03", "3号窗口 社保医保", "t03", "吴霞", "社保经办岗", 0},
    {"w04", "4号窗口 农业农村", "t04", "徐刚", "农业服务岗", 1},
    {"w05", "5号窗口 退役军人服务", "t05", "孙丹", "退役军人服务岗", 1},
};

static int node(struct db *db, const struct actor *sys, int64_t parent, const char *kind,
                const char *code, const char *name, const char *address, const char *phone,
                struct org_node *out, struct err *e)
{
    struct org_input in = {parent, kind, code, name, address, phone};
    return org_create(db, sys, &in, out, e);
}

static int person(struct db *db, const struct actor *sys, const char *login, const char *name,
                  const char *role, const char *badge, const char *post, int party, int64_t node_id,
                  const char *hash, struct staff *out, struct err *e)
{
    struct staff_input in = {login, name, role, badge, post, party, node_id, hash};
    return staff_create(db, sys, &in, out, e);
}

static int hall(struct db *db, const struct actor *sys, const struct org_node *hall_node,
                const struct demo_window *w, int n, const char *badge_prefix, const char *hash,
                struct err *e)
{
    struct org_node win;
    struct staff s;
    struct assignment a;
    struct device d;
    char token[DEVICE_TOKEN_HEX], badge[32], devname[64];
    int rc = device_create(db, sys, "display", "大厅综合显示屏", hall_node->id, &d, token, e);
    if (rc == 0)
        rc = device_create(db, sys, "kiosk", "自助取号机", hall_node->id, &d, token, e);
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = node(db, sys, hall_node->id, "window", w[i].code, w[i].name, NULL, NULL, &win, e);
        if (rc == 0) {
            snprintf(badge, sizeof(badge), "%s%03d", badge_prefix, i + 1);
            rc = person(db, sys, w[i].login, w[i].staff_name, "staff", badge, w[i].post, w[i].party,
                        hall_node->id, hash, &s, e);
        }
        if (rc == 0)
            rc = staff_assign(db, sys, s.id, win.id, i == 0, &a, e);
        if (rc == 0) {
            snprintf(devname, sizeof(devname), "%d号窗口评价器", i + 1);
            rc = device_create(db, sys, "evaluator", devname, win.id, &d, token, e);
        }
    }
    return rc;
}

/* ---- the service catalogue (事项): published standards for the portal ---- */

#define DEMO_MATERIALS 6
#define DEMO_STEPS 5
#define DEMO_PLACES 3

struct demo_material {
    const char *name, *form;
    int copies;
    const char *issuer;
    int required;
    const char *notes;
};

struct demo_step {
    const char *title, *description;
};

struct demo_item {
    const char *code, *name, *owner; /* owner: code path of the unit or hall */
    const char *kind;
    int legal;
    const char *legal_unit;
    int promised;
    const char *promised_unit;
    const char *basis, *conditions;
    int64_t fee_cents; /* 0: free */
    const char *fee_basis;
    int appointable;
    const char *prefix, *online;
    struct demo_material materials[DEMO_MATERIALS]; /* up to the first NULL name */
    struct demo_step steps[DEMO_STEPS];
    const char *places[DEMO_PLACES];
};

static const char DEMO_REMEDIES[] =
    "申请材料不齐全或者不符合法定形式的，窗口当场或者在五个工作日内一次性告知需要补正的全部内容；"
    "申请人对不予受理、不予许可的决定不服的，可以依法申请行政复议或者提起行政诉讼。";

static const struct demo_item demo_items[] = {
    {"SCJG-GT-001",
     "个体工商户设立登记",
     "/dist/hall-d",
     "promised",
     15,
     "workdays",
     3,
     "workdays",
     "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》；"
     "《中华人民共和国市场主体登记管理条例实施细则》",
     "1. 有经营能力的自然人；\n2. 有固定的经营场所，且符合规划和安全要求；\n"
     "3. 申请登记的名称符合名称登记管理规定，经营范围不属于禁止个体经营的项目。",
     0,
     "",
     1,
     "D",
     "partial",
     {{"个体工商户登记（备案）申请书", "original", 1, "申请人（窗口领取或网上下载）", 1,
       "经营者本人签字"},
      {"经营者居民身份证", "original_and_copy", 1, "公安机关", 1, "原件核验后退还"},
      {"经营场所使用证明", "copy", 1, "产权人或出租人", 1,
       "自有房产提交产权证明，租赁房屋提交租赁协议和产权证明"},
      {"授权委托书及受托人身份证件", "original", 1, "委托人", 0, "委托他人办理时提交"}},
     {{"申请", "经营者到窗口或通过政务服务网提交申请材料。"},
      {"受理", "材料齐全、符合法定形式的当场受理；材料不全的一次性告知需补正的全部内容。"},
      {"审查", "登记机关对申请材料进行审查。"},
      {"决定", "准予登记的，核发营业执照；不予登记的，书面说明理由。"},
      {"送达", "窗口领取或免费邮寄送达营业执照。"}},
     {"/dist/hall-d/w04", "/dist/hall-d/w07"}},
    {"RS-YL-001",
     "城乡居民基本养老保险参保登记",
     "/dist/hall-d",
     "immediate",
     15,
     "workdays",
     0,
     "workdays",
     "《中华人民共和国社会保险法》第二十条、第二十一条；"
     "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
     "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，不属于职工基本养老保险制度覆盖"
     "范围的城乡居民，可以在户籍地参加城乡居民基本养老保险。",
     0,
     "",
     0,
     "B",
     "full",
     {{"居民身份证", "original", 1, "公安机关", 1, "核验后退还"},
      {"居民户口簿", "original", 1, "公安机关", 1, "核验后退还"},
      {"城乡居民基本养老保险参保登记表", "original", 1, "社会保险经办机构（窗口领取）", 1,
       "本人签字或按手印"}},
     {{"申请", "参保人持材料到窗口，或通过网上服务平台办理。"},
      {"审核", "窗口当场核验身份信息和参保资格。"},
      {"登记", "录入参保信息，当场办结并告知缴费档次和缴费方式。"}},
     {"/dist/hall-d/w02", "/dist/town/hall-t/w03"}},
    {"BDC-SC-001",
     "不动产登记（首次登记）",
     "/dist/hall-d",
     "promised",
     30,
     "workdays",
     5,
     "workdays",
     "《中华人民共和国民法典》物权编；《不动产登记暂行条例》第二十条；"
     "《不动产登记暂行条例实施细则》",
     "依法取得不动产权利，权属来源清楚，房屋已经竣工验收，符合规划条件。",
     8000,
     "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
     "：住宅类每件80元",
     1,
     "C",
     "partial",
     {{"不动产登记申请书", "original", 1, "申请人（窗口领取）", 1, ""},
      {"申请人身份证明", "original_and_copy", 1, "公安机关", 1, "单位申请的提交营业执照"},
      {"土地权属来源证明", "original", 1, "自然资源主管部门", 1, ""},
      {"建设工程符合规划的材料", "copy", 1, "规划主管部门", 1, ""},
      {"房屋已经竣工的材料", "copy", 1, "建设单位", 1, "竣工验收备案表"},
      {"房产测绘报告", "original", 1, "具有相应资质的测绘机构", 1, ""}},
     {{"申请", "申请人到不动产登记窗口提交申请材料。"},
      {"受理", "材料齐全、符合法定形式的予以受理，出具受理凭证。"},
      {"审核", "查验申请材料，必要时进行实地查看。"},
      {"登簿", "审核通过的，记载于不动产登记簿。"},
      {"缴费发证", "缴纳登记费后核发不动产权证书。"}},
     {"/dist/hall-d/w03"}},
    {"GA-SFZ-001",
     "居民身份证换领",
     "/dist/hall-d",
     "promised",
     60,
     "days",
     15,
     "workdays",
     "《中华人民共和国居民身份证法》第十一条、第十二条",
     "居民身份证有效期满、证件严重损坏不能辨认或者登记项目有变更的，应当申请换领。",
     2000,
     "《国家发展改革委 财政部关于第二代居民身份证收费标准等有关问题的通知》"
     "（发改价格〔2003〕2322号）：工本费每证20元",
     1,
     "A",
     "none",
     {{"居民户口簿", "original", 1, "公安机关", 1, ""},
      {"原居民身份证", "original", 1, "公安机关", 1, "换领时交回"},
      {"本人近期免冠相片", "electronic", 0, "窗口现场采集", 1, "现场拍照，无需自带"},
      {"指纹信息", "electronic", 0, "窗口现场采集", 1, ""}},
     {{"申请", "本人到窗口申请，不得委托他人代办。"},
      {"采集", "现场采集相片和指纹。"},
      {"受理审核", "核对户籍信息，受理并出具受理回执。"},
      {"制证", "公安机关制作居民身份证。"},
      {"领取", "凭受理回执到窗口领取或选择邮寄。"}},
     {"/dist/hall-d/w01"}},
    {"RS-SBK-001",
     "社会保障卡申领",
     "/dist/hall-d",
     "promised",
     20,
     "workdays",
     10,
     "workdays",
     "《中华人民共和国社会保险法》第五十八条；《社会保障卡管理办法》",
     "参加社会保险或者享受人力资源社会保障公共服务的人员，可以申领社会保障卡。",
     0,
     "",
     0,
     "B",
     "partial",
     {{"居民身份证", "original", 1, "公安机关", 1, ""},
      {"社会保障卡申领登记表", "original", 1, "社会保险经办机构（窗口领取）", 1, ""},
      {"近期免冠白底彩色相片", "original", 1, "申请人自备", 0, "也可现场采集"}},
     {{"申请", "到窗口或合作银行网点提交申请。"},
      {"受理", "核验身份信息和参保信息。"},
      {"制卡", "制作社会保障卡并激活金融功能。"},
      {"领卡", "凭身份证到窗口领卡，首次使用需设置密码。"}},
     {"/dist/hall-d/w02", "/dist/town/hall-t/w03"}},
    {"WJ-SY-001",
     "生育登记",
     "/dist/town/hall-t",
     "immediate",
     0,
     "workdays",
     0,
     "workdays",
     "《中华人民共和国人口与计划生育法》；《省人口与计划生育条例》",
     "夫妻双方或一方户籍在本镇，或在本镇居住的流动人口。",
     0,
     "",
     0,
     "B",
     "full",
     {{"夫妻双方居民身份证", "original", 1, "公安机关", 1, ""},
      {"结婚证", "original", 1, "婚姻登记机关", 1, ""},
      {"生育登记表", "original", 1, "窗口领取", 0, "网上办理时在线填写"}},
     {{"申请", "到窗口或通过网上服务平台提交登记信息。"},
      {"核验", "窗口核验身份和婚姻信息。"},
      {"登记", "当场办结，出具生育登记服务单。"}},
     {"/dist/town/hall-t/w02"}},
    {"CL-CJRZ-001",
     "残疾人证办理（新办）",
     "/dist/town/hall-t",
     "promised",
     20,
     "workdays",
     10,
     "workdays",
     "《中华人民共和国残疾人保障法》；《中华人民共和国残疾人证管理办法》",
     "符合残疾标准的本镇户籍居民，由本人或监护人申请。",
     0,
     "",
     1,
     "C",
     "partial",
     {{"居民身份证或户口簿", "original_and_copy", 1, "公安机关", 1, ""},
      {"近期二寸免冠白底彩色相片", "original", 3, "申请人自备", 1, ""},
      {"残疾人证申请表", "original", 1, "窗口领取", 1, ""},
      {"残疾评定表", "original", 1, "指定的残疾评定医院", 1, "评定后由医院出具"},
      {"监护人身份证件", "original_and_copy", 1, "公安机关", 0, "由监护人代为申请时提交"}},
     {{"申请", "本人或监护人到窗口提交申请。"},
      {"受理", "审核材料，开具残疾评定介绍信。"},
      {"残疾评定", "到指定医院进行残疾评定。"},
      {"审核", "县级残联审核评定结果。"},
      {"发证", "审核通过的制发残疾人证。"}},
     {"/dist/town/hall-t/w02"}},
    {"GJJ-TQ-001",
     "住房公积金提取（购买自住住房）",
     "/dist/hall-d",
     "promised",
     3,
     "days",
     1,
     "workdays",
     "《住房公积金管理条例》第二十四条、第二十五条",
     "购买自住住房的缴存职工及其配偶，在购房之日起规定期限内申请提取。",
     0,
     "",
     1,
     "F",
     "full",
     {{"居民身份证", "original", 1, "公安机关", 1, ""},
      {"购房合同或不动产权证书", "original_and_copy", 1, "不动产登记机构", 1, ""},
      {"购房发票", "original_and_copy", 1, "房地产开发企业或税务机关", 1, ""},
      {"本人银行借记卡", "original", 1, "商业银行", 1, "用于转入提取资金"},
      {"婚姻关系证明", "original", 1, "婚姻登记机关", 0, "提取配偶公积金时提交"}},
     {{"申请", "到窗口或通过网上服务大厅提交提取申请。"},
      {"审核", "核验购房信息和缴存信息。"},
      {"审批", "符合条件的当场审批。"},
      {"转账", "提取资金转入本人银行账户。"}},
     {"/dist/hall-d/w06"}},
};

static int demo_catalog_item(struct db *db, const struct actor *sys, const struct demo_item *d,
                             struct err *e)
{
    struct catalog_material m[DEMO_MATERIALS];
    struct catalog_step st[DEMO_STEPS];
    struct catalog_place pl[DEMO_PLACES];
    struct org_node n;
    struct catalog_version v;
    memset(&v, 0, sizeof(v));
    memset(m, 0, sizeof(m));
    memset(st, 0, sizeof(st));
    memset(pl, 0, sizeof(pl));
    int rc = org_find_by_codes(db, d->owner, &n);
    if (rc < 0)
        return err_set(e, rc, NULL, "demo: no node %s", d->owner);
    v.code = d->code;
    v.unit_id = n.id;
    v.name = d->name;
    v.kind = d->kind;
    v.legal_limit = d->legal;
    v.legal_unit = d->legal_unit;
    v.promised_limit = d->promised;
    v.promised_unit = d->promised_unit;
    v.basis = d->basis;
    v.conditions = d->conditions;
    v.remedies = DEMO_REMEDIES;
    v.fee_free = d->fee_cents == 0;
    v.fee_amount_cents = d->fee_cents;
    v.fee_basis = d->fee_basis;
    v.appointable = d->appointable;
    v.ticket_prefix = d->prefix;
    v.online = d->online;
    v.phone = "0000-12345";
    for (int i = 0; i < DEMO_MATERIALS && d->materials[i].name; i++) {
        const struct demo_material *dm = &d->materials[i];
        m[i] = (struct catalog_material){0,          i + 1,        dm->name,  dm->form, dm->copies,
                                         dm->issuer, dm->required, dm->notes, 0};
        v.nmaterials++;
    }
    for (int i = 0; i < DEMO_STEPS && d->steps[i].title; i++) {
        st[i] = (struct catalog_step){i + 1, d->steps[i].title, d->steps[i].description};
        v.nsteps++;
    }
    for (int i = 0; i < DEMO_PLACES && d->places[i]; i++) {
        rc = org_find_by_codes(db, d->places[i], &n);
        if (rc < 0)
            return err_set(e, rc, NULL, "demo: no node %s", d->places[i]);
        pl[v.nplaces++].node_id = n.id;
    }
    v.materials = m;
    v.steps = st;
    v.places = pl;
    int64_t item_id = 0, version_id = 0;
    rc = catalog_create(db, sys, &v, &item_id, &version_id, e);
    if (rc == 0)
        rc = catalog_publish(db, sys, item_id, &version_id, e);
    return rc;
}

/* ---- the queue (排队叫号): series from the items' ticket prefixes, and
 * window profiles ---- */

struct demo_series {
    const char *hall, *prefix, *name; /* hall: code path */
};

static const struct demo_series demo_series[] = {
    {"/dist/hall-d", "A", "户籍证件"},        {"/dist/hall-d", "B", "社保医保"},
    {"/dist/hall-d", "C", "不动产登记"},      {"/dist/hall-d", "D", "市场监管"},
    {"/dist/hall-d", "F", "住房公积金"},      {"/dist/town/hall-t", "B", "社保民政"},
    {"/dist/town/hall-t", "C", "残疾人服务"},
};

/* Is the place (a code path) the hall or one of its windows? */
static int demo_place_in(const char *place, const char *hall)
{
    size_t n = strlen(hall);
    return strncmp(place, hall, n) == 0 && (place[n] == '\0' || place[n] == '/');
}

/* A series per demo_series row, serving every demo item with that prefix
 * placed at the hall; the series' ids into ids (in demo_series order). */
static int demo_queue_series(struct db *db, const struct actor *sys, int64_t now, int64_t *ids,
                             struct err *e)
{
    int rc = 0;
    for (size_t s = 0; rc == 0 && s < sizeof(demo_series) / sizeof(demo_series[0]); s++) {
        const struct demo_series *ds = &demo_series[s];
        const char *codes[sizeof(demo_items) / sizeof(demo_items[0])];
        int n = 0;
        struct org_node hall;
        for (size_t i = 0; i < sizeof(demo_items) / sizeof(demo_items[0]); i++) {
            int here = 0;
            for (int p = 0; p < DEMO_PLACES && demo_items[i].places[p]; p++)
                here |= demo_place_in(demo_items[i].places[p], ds->hall);
            if (here && strcmp(demo_items[i].prefix, ds->prefix) == 0)
                codes[n++] = demo_items[i].code;
        }
        rc = org_find_by_codes(db, ds->hall, &hall);
        if (rc < 0)
            return err_set(e, rc, NULL, "demo: no node %s", ds->hall);
        rc = queue_series_create(db, sys, hall.id, ds->prefix, ds->name, codes, n, now, &ids[s], e);
    }
    return rc;
}

/* Each window serves the series of the items placed at it, in strict order;
 * the 综合受理 window (w01) and a window without items serve every series of
 * their hall, longest wait first. */
static int demo_queue_profile(struct db *db, const struct actor *sys, int64_t now,
                              const char *hall_path, const char *window_code, const int64_t *ids,
                              struct err *e)
{
    char path[96];
    struct org_node win;
    int64_t mine[QUEUE_PROFILE_MAX];
    int n = 0;
    snprintf(path, sizeof(path), "%s/%s", hall_path, window_code);
    int rc = org_find_by_codes(db, path, &win);
    if (rc < 0)
        return err_set(e, rc, NULL, "demo: no node %s", path);
    for (size_t s = 0; s < sizeof(demo_series) / sizeof(demo_series[0]); s++) {
        if (strcmp(demo_series[s].hall, hall_path) != 0)
            continue;
        int here = 0;
        for (size_t i = 0; i < sizeof(demo_items) / sizeof(demo_items[0]); i++)
            for (int p = 0; p < DEMO_PLACES && demo_items[i].places[p]; p++)
                here |= strcmp(demo_items[i].places[p], path) == 0 &&
                        strcmp(demo_items[i].prefix, demo_series[s].prefix) == 0;
        if (here)
            mine[n++] = ids[s];
    }
    int general = n == 0 || strcmp(window_code, "w01") == 0;
    for (size_t s = 0; general && s < sizeof(demo_series) / sizeof(demo_series[0]); s++) {
        int listed = 0;
        for (int k = 0; k < n; k++)
            listed |= mine[k] == ids[s];
        if (!listed && strcmp(demo_series[s].hall, hall_path) == 0)
            mine[n++] = ids[s];
    }
    return queue_profile_set(db, sys, win.id, general ? QUEUE_LONGEST_WAIT : QUEUE_STRICT_PRIORITY,
                             mine, n, now, e);
}

static int demo_queue(struct db *db, const struct actor *sys, struct err *e)
{
    int64_t ids[sizeof(demo_series) / sizeof(demo_series[0])];
    int64_t now = (int64_t)time(NULL);
    int rc = demo_queue_series(db, sys, now, ids, e);
    for (size_t i = 0; rc == 0 && i < sizeof(hall_d_windows) / sizeof(hall_d_windows[0]); i++)
        rc = demo_queue_profile(db, sys, now, "/dist/hall-d", hall_d_windows[i].code, ids, e);
    for (size_t i = 0; rc == 0 && i < sizeof(hall_t_windows) / sizeof(hall_t_windows[0]); i++)
        rc = demo_queue_profile(db, sys, now, "/dist/town/hall-t", hall_t_windows[i].code, ids, e);
    return rc;
}

/* ---- appointment slots (预约): every appointable item at every demo hall
 * where it is served, the hall day in half-hour slots ---- */

static const char *const demo_halls[] = {"/dist/hall-d", "/dist/town/hall-t"};

static int demo_slots(struct db *db, const struct actor *sys, struct err *e)
{
    struct appt_slot_def slots[APPT_SLOTS_MAX];
    int n = sim_appt_slots(slots, APPT_SLOTS_MAX, SIM_APPT_CAPACITY);
    int64_t now = (int64_t)time(NULL);
    int rc = 0;
    for (size_t h = 0; rc == 0 && h < sizeof(demo_halls) / sizeof(demo_halls[0]); h++) {
        struct org_node hall;
        rc = org_find_by_codes(db, demo_halls[h], &hall);
        if (rc < 0)
            return err_set(e, rc, NULL, "demo: no node %s", demo_halls[h]);
        for (size_t i = 0; rc == 0 && i < sizeof(demo_items) / sizeof(demo_items[0]); i++) {
            int here = 0;
            for (int p = 0; p < DEMO_PLACES && demo_items[i].places[p]; p++)
                here |= demo_place_in(demo_items[i].places[p], demo_halls[h]);
            if (here && demo_items[i].appointable)
                rc = appt_slots_set(db, sys, hall.id, demo_items[i].code, slots, n, now, e);
        }
    }
    return rc;
}

/* ---- one finished day of traffic per hall (domain/simulate.c), so the
 * figures are not empty on the first visit ---- */

#define DEMO_SEED 20240901u

/* The most recent working day before today by the calendar; the previous
 * weekday when the calendar cannot tell. */
static int32_t demo_last_workday(struct db *db)
{
    int64_t now = (int64_t)time(NULL);
    int32_t today = (int32_t)((now + QUEUE_TZ_OFFSET_S) / 86400);
    struct calendar *c = NULL;
    int32_t day = 0;
    if (calendar_load(db, &c) == 0 && c) {
        for (int32_t d = today - 1; d > today - 40; d--) {
            int missing = 0;
            int w = calendar_is_workday(c, d, &missing);
            if (w < 0)
                break;
            if (w == 1) {
                day = d;
                break;
            }
        }
    }
    free(c);
    if (day)
        return day;
    day = today - 1;
    while (date_weekday(day) > 5)
        day--;
    return day;
}

static int demo_seed_halls(struct db *db, int64_t hall_d, int64_t hall_t, struct err *e)
{
    int32_t day = demo_last_workday(db);
    int rc = demo_seed_day(db, hall_d, day, DEMO_SEED, e);
    if (rc == 0)
        rc = demo_seed_day(db, hall_t, day, DEMO_SEED, e);
    return rc;
}

/* A staff member of the demo as the actor of a write. */
static int demo_actor(struct db *db, const char *login, struct actor *a)
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

/* One demo case: registered back-dated by `back` days with every material,
 * then driven by the actions in `steps` (NULL-terminated). */
struct demo_case {
    const char *login, *item, *name, *phone;
    int back;
    const enum case_action steps[6];
    int extension_days;
};

static const struct demo_case demo_cases[] = {
    {"d01", "GJJ-TQ-001", "赵国庆", "13800000001", 9, {CASE_ACT_ACCEPT, 0}, 0},
    {"d01",
     "GJJ-TQ-001",
     "钱晓梅",
     "13800000002",
     8,
     {CASE_ACT_ACCEPT, CASE_ACT_DECIDE, CASE_ACT_COMPLETE, 0},
     0},
    {"d02", "BDC-SC-001", "孙立平", "13800000003", 5, {CASE_ACT_ACCEPT, CASE_ACT_START, 0}, 0},
    {"d03", "CL-CJRZ-001", "李红", "13800000004", 2, {CASE_ACT_SUPPLEMENT_REQUEST, 0}, 0},
    {"d04", "RS-SBK-001", "周文", "13800000005", 1, {CASE_ACT_ACCEPT, 0}, 2},
    {"d05",
     "GA-SFZ-001",
     "吴桂英",
     "13800000006",
     6,
     {CASE_ACT_ACCEPT, CASE_ACT_DECIDE, CASE_ACT_COMPLETE, 0},
     0},
    {"d06", "RS-YL-001", "郑和平", "13800000007", 0, {CASE_ACT_COMPLETE, 0}, 0},
    {"d06", "RS-YL-001", "王秀兰", "13800000008", 0, {CASE_ACT_COMPLETE, 0}, 0},
    {"t01", "SCJG-GT-001", "冯小军", "13800000009", 1, {CASE_ACT_ACCEPT, 0}, 0},
};

/* Cases in every state for the console, the leader's board and the
 * statistics. Skipped (0) when the calendar does not know the dates. */
static int demo_seed_cases(struct db *db, struct err *e)
{
    struct calendar *cal = NULL;
    int rc = calendar_load(db, &cal);
    if (rc < 0)
        return err_set(e, rc, NULL, "cannot read the calendar");
    int64_t now = (int64_t)time(NULL);
    char today[DATE_TEXT];
    int32_t td;
    if ((rc = db_savepoint(db, "demo_cases")) < 0) {
        free(cal);
        return err_set(e, rc, NULL, "database error");
    }
    queue_service_day(now, today);
    date_parse(today, &td);
    for (size_t i = 0; rc == 0 && i < sizeof(demo_cases) / sizeof(demo_cases[0]); i++) {
        const struct demo_case *d = &demo_cases[i];
        struct actor who;
        struct case_input in;
        char received[DATE_TEXT], code[CASE_QUERY_CODE_LEN + 1];
        int64_t mats[CATALOG_MAX_MATERIALS], id = 0;
        int nmats = 0, missing = 0;
        if ((rc = demo_actor(db, d->login, &who)) < 0) {
            err_set(e, rc, NULL, "demo account %s is missing", d->login);
            break;
        }
        struct db_stmt *st = NULL;
        rc = db_prepare(db,
                        "SELECT m.id FROM catalog_material m JOIN catalog_item i"
                        " ON i.current_version_id = m.version_id WHERE i.code = ?1 ORDER BY m.seq",
                        &st);
        if (rc < 0)
            break;
        db_bind_text(st, 1, d->item);
        while ((rc = db_step(st)) == DB_ROW && nmats < CATALOG_MAX_MATERIALS)
            mats[nmats++] = db_col_int64(st, 0);
        db_finalize(st);
        if (rc < 0)
            break;
        date_format(td - d->back, received);
        memset(&in, 0, sizeof(in));
        in.item_code = d->item;
        in.applicant_kind = "person";
        in.applicant.name = d->name;
        in.applicant.phone = d->phone;
        in.received_day = received;
        int supplement = d->steps[0] == CASE_ACT_SUPPLEMENT_REQUEST;
        in.materials = mats;
        in.nmaterials = supplement ? 1 : nmats;
        rc = case_register(db, &who, cal, &in, now, &id, code, &missing, e);
        for (int k = 0; rc == 0 && k < 6 && d->steps[k]; k++) {
            struct case_action_args args = {0};
            if (d->steps[k] == CASE_ACT_SUPPLEMENT_REQUEST) {
                args.materials = mats + 1;
                args.nmaterials = nmats - 1;
                args.note = "请补齐材料后再来";
            }
            if (d->steps[k] == CASE_ACT_DECIDE)
                args.decision = "approve";
            rc = case_act(db, &who, cal, id, d->steps[k], &args, now, &missing, e);
        }
        if (rc == 0 && d->extension_days) {
            int64_t ext = 0;
            rc = case_extension_request(db, &who, cal, id, d->extension_days, "需要实地核查", now,
                                        &ext, &missing, e);
            if (rc == ERR_CALENDAR || rc == ERR_INVALID || rc == ERR_CONFLICT)
                rc = 0; /* the legal date is unknown or too near: no extension today */
        }
    }
    free(cal);
    if (rc == ERR_CALENDAR) {
        /* a year the calendar lacks: the demo has no cases, none half-made */
        rc = db_rollback_to(db, "demo_cases");
        if (rc < 0)
            return err_set(e, rc, NULL, "database error");
    } else if (rc < 0) {
        return rc;
    }
    rc = db_release(db, "demo_cases");
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

int demo_create(struct db *db, const char *password_hash, struct err *e)
{
    struct actor sys;
    actor_system(&sys, "demo");
    int64_t existing = 0;
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM org_node", &existing);
    if (rc < 0)
        return err_set(e, rc, NULL, "cannot read the database: %s", db_errmsg(db));
    if (existing > 0)
        return err_set(e, ERR_CONFLICT, NULL, "the database already holds an org tree");
    rc = db_begin(db);
    if (rc < 0)
        return err_set(e, rc, NULL, "cannot start a transaction: %s", db_errmsg(db));
    struct org_node dist, town, hall_d, hall_t;
    struct staff s;
    rc = node(db, &sys, 0, "region", "dist", "示范区", "示范区人民路1号", "0000-12345", &dist, e);
    if (rc == 0)
        rc = node(db, &sys, dist.id, "hall", "hall-d", "区政务服务中心", "示范区人民路1号",
                  "0000-12345", &hall_d, e);
    if (rc == 0)
        rc = node(db, &sys, dist.id, "region", "town", "示范镇", "示范镇中心街8号", "", &town, e);
    if (rc == 0)
        rc = node(db, &sys, town.id, "hall", "hall-t", "示范镇便民服务中心", "示范镇中心街8号",
                  "0000-67890", &hall_t, e);
    if (rc == 0)
        rc = person(db, &sys, "admin", "系统管理员", "admin", "ADM001", "系统管理员", 0, dist.id,
                    password_hash, &s, e);
    if (rc == 0)
        rc = person(db, &sys, "leader", "马建国", "leader", "LD001", "中心主任", 1, dist.id,
                    password_hash, &s, e);
    if (rc == 0)
        rc = person(db, &sys, "inspector", "林晓", "supervisor", "SV001", "督查专员", 1, dist.id,
                    password_hash, &s, e);
    if (rc == 0)
        rc = person(db, &sys, "town-admin", "镇管理员", "admin", "ADM002", "镇中心管理员", 0,
                    town.id, password_hash, &s, e);
    if (rc == 0)
        rc =
            hall(db, &sys, &hall_d, hall_d_windows,
                 (int)(sizeof(hall_d_windows) / sizeof(hall_d_windows[0])), "QD", password_hash, e);
    if (rc == 0)
        rc =
            hall(db, &sys, &hall_t, hall_t_windows,
                 (int)(sizeof(hall_t_windows) / sizeof(hall_t_windows[0])), "ZT", password_hash, e);
    for (size_t i = 0; rc == 0 && i < sizeof(demo_items) / sizeof(demo_items[0]); i++)
        rc = demo_catalog_item(db, &sys, &demo_items[i], e);
    if (rc == 0)
        rc = demo_queue(db, &sys, e);
    if (rc == 0)
        rc = demo_slots(db, &sys, e);
    if (rc == 0)
        rc = demo_seed_halls(db, hall_d.id, hall_t.id, e);
    if (rc == 0)
        rc = demo_seed_cases(db, e);
    if (rc == 0)
        rc = demo_seed_evals(db, e);
    if (rc == 0) /* before commitments: the months it closes have no unconfirmed input */
        rc = demo_seed_scores(db, e);
    if (rc == 0)
        rc = demo_seed_commitments(db, e);
    if (rc == 0)
        rc = demo_seed_reviews(db, e);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    if (rc < 0) {
        db_rollback(db);
        return err_set(e, rc, NULL, "commit failed: %s", db_errmsg(db));
    }
    return 0;
}

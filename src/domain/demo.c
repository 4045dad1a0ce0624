#include "domain/demo.h"

#include <stdio.h>
#include <string.h>

#include "domain/actor.h"
#include "domain/device.h"
#include "domain/org.h"
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

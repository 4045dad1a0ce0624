/* inquiry.c - first inquiries: recording, reading, the owner's and the
 * receiver's actions, and the escalation sweep (inquiry.h). */
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "base/parse.h"
#include "base/pii.h"
#include "domain/case_impl.h"
#include "domain/catalog.h"
#include "domain/inquiry.h"
#include "domain/org.h"
#include "domain/staff.h"

#define INQUIRY_NOTIFY_MAX 50 /* staff of a node told of a handover to it */
#define INQUIRY_EXCERPT 40    /* characters of the question quoted in a notification */
#define INQUIRY_REGIONS_CACHED 16

static const char *const status_names[] = {"", "open", "answered", "referred", "converted"};

static const char *const action_names[INQUIRY_ACTIONS_N] = {"answer", "handover", "refer",
                                                            "case",   "accept",   "decline"};

const char *inquiry_status_name(enum inquiry_status s)
{
    return s >= INQUIRY_OPEN && s <= INQUIRY_CONVERTED ? status_names[s] : "";
}

enum inquiry_status inquiry_status_parse(const char *s)
{
    for (int i = INQUIRY_OPEN; s && i <= INQUIRY_CONVERTED; i++)
        if (strcmp(s, status_names[i]) == 0)
            return (enum inquiry_status)i;
    return 0;
}

const char *inquiry_action_name(int i)
{
    return i >= 0 && i < INQUIRY_ACTIONS_N ? action_names[i] : "";
}

static int db_fail(struct err *e, int rc)
{
    if (rc == ERR_NOMEM)
        return err_set(e, ERR_NOMEM, NULL, "out of memory");
    return err_set(e, rc == ERR_BUSY || rc == ERR_UNAVAILABLE ? rc : ERR_DB, NULL,
                   "database error");
}

static int is_staff(const struct actor *who)
{
    return who && who->staff_id > 0 &&
           (who->role == ROLE_ADMIN || who->role == ROLE_LEADER || who->role == ROLE_SUPERVISOR ||
            who->role == ROLE_STAFF);
}

/* text with something besides white space */
static int has_content(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

/* The first `chars` characters of UTF-8 text s into out (cap >= 4 bytes),
 * whole characters only, with "…" when cut; newlines and tabs become spaces. */
static void excerpt(const char *s, size_t chars, char *out, size_t cap)
{
    size_t o = 0, n = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
        if (n == chars || o + len + 4 > cap) { /* room kept for "…" and the NUL */
            memcpy(out + o, "\xe2\x80\xa6", 3);
            o += 3;
            break;
        }
        for (size_t k = 0; k < len && *p; k++, p++)
            out[o++] = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : (char)*p;
        n++;
    }
    out[o] = '\0';
}

/* ---- reading ---- */

#define INQ_COLS                                                                                   \
    "i.id, i.region_id, i.node_id, n.name, i.node_path, i.owner_id, o.name, i.first_owner_id,"     \
    " f.name, i.citizen_name, i.phone_mask, i.question, i.item_code, i.channel, i.status,"         \
    " i.answer, i.referred_to, COALESCE(i.case_id, 0), COALESCE(i.pending_staff_id, 0), ps.name,"  \
    " COALESCE(i.pending_node_id, 0), pn.name, COALESCE(i.pending_since, 0),"                      \
    " COALESCE(i.escalated_at, 0), i.created_at, COALESCE(i.closed_at, 0), i.updated_at"

#define INQ_FROM                                                                                   \
    " FROM inquiry i JOIN org_node n ON n.id = i.node_id JOIN staff o ON o.id = i.owner_id"        \
    " JOIN staff f ON f.id = i.first_owner_id LEFT JOIN staff ps ON ps.id = i.pending_staff_id"    \
    " LEFT JOIN org_node pn ON pn.id = i.pending_node_id"

static const char SQL_GET[] = "SELECT " INQ_COLS INQ_FROM " WHERE i.id = ?1";

static const char SQL_EVENTS[] =
    "SELECT id, kind, COALESCE(staff_id, 0), actor, COALESCE(target_staff_id, 0),"
    " COALESCE(target_node_id, 0), detail, at FROM inquiry_event WHERE inquiry_id = ?1"
    " ORDER BY id LIMIT ?2";

/* a copy of column col in a; NULL for SQL NULL (or "" when not nullable) */
static const char *col_dup(struct db_stmt *st, int col, struct arena *a, int nullable, int *oom)
{
    const char *s = db_col_text(st, col);
    if (!s && nullable)
        return NULL;
    char *c = arena_strdup(a, s ? s : "");
    if (!c)
        *oom = 1;
    return c ? c : "";
}

static int read_row(struct db_stmt *st, struct arena *a, struct inquiry_rec *r)
{
    int oom = 0;
    memset(r, 0, sizeof(*r));
    r->id = db_col_int64(st, 0);
    r->region_id = db_col_int64(st, 1);
    r->node_id = db_col_int64(st, 2);
    r->node_name = col_dup(st, 3, a, 0, &oom);
    r->node_path = col_dup(st, 4, a, 0, &oom);
    r->owner_id = db_col_int64(st, 5);
    r->owner_name = col_dup(st, 6, a, 0, &oom);
    r->first_owner_id = db_col_int64(st, 7);
    r->first_owner_name = col_dup(st, 8, a, 0, &oom);
    r->citizen_name = col_dup(st, 9, a, 0, &oom);
    r->phone_mask = col_dup(st, 10, a, 0, &oom);
    r->question = col_dup(st, 11, a, 0, &oom);
    r->item_code = col_dup(st, 12, a, 1, &oom);
    r->channel = col_dup(st, 13, a, 0, &oom);
    r->status = inquiry_status_parse(db_col_text(st, 14));
    r->answer = col_dup(st, 15, a, 1, &oom);
    r->referred_to = col_dup(st, 16, a, 1, &oom);
    r->case_id = db_col_int64(st, 17);
    r->pending_staff_id = db_col_int64(st, 18);
    r->pending_staff_name = col_dup(st, 19, a, 1, &oom);
    r->pending_node_id = db_col_int64(st, 20);
    r->pending_node_name = col_dup(st, 21, a, 1, &oom);
    r->pending_since = db_col_int64(st, 22);
    r->escalated_at = db_col_int64(st, 23);
    r->created_at = db_col_int64(st, 24);
    r->closed_at = db_col_int64(st, 25);
    r->updated_at = db_col_int64(st, 26);
    return oom ? ERR_NOMEM : 0;
}

/* the row alone (no events); ERR_NOTFOUND */
static int load(struct db *db, int64_t id, struct arena *a, struct inquiry_rec *r)
{
    struct db_stmt *st = NULL;
    memset(r, 0, sizeof(*r));
    int rc = case_select_id(db, SQL_GET, id, &st);
    if (rc == 0)
        rc = read_row(st, a, r);
    db_finalize(st);
    return rc;
}

static int load_events(struct db *db, struct arena *a, struct inquiry_rec *r)
{
    struct db_stmt *st = NULL;
    r->nevents = 0;
    r->events = arena_alloc(a, sizeof(*r->events) * INQUIRY_EVENTS_MAX);
    if (!r->events)
        return ERR_NOMEM;
    int rc = db_prepare(db, SQL_EVENTS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, r->id);
    db_bind_int64(st, 2, INQUIRY_EVENTS_MAX);
    int oom = 0;
    while ((rc = db_step(st)) == DB_ROW && r->nevents < INQUIRY_EVENTS_MAX) {
        struct inquiry_event_row *ev = &r->events[r->nevents++];
        ev->id = db_col_int64(st, 0);
        ev->kind = col_dup(st, 1, a, 0, &oom);
        ev->staff_id = db_col_int64(st, 2);
        ev->actor = col_dup(st, 3, a, 0, &oom);
        ev->target_staff_id = db_col_int64(st, 4);
        ev->target_node_id = db_col_int64(st, 5);
        ev->detail = col_dup(st, 6, a, 0, &oom);
        ev->at = db_col_int64(st, 7);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return oom ? ERR_NOMEM : 0;
}

static int is_receiver(const struct inquiry_rec *r, const struct actor *who)
{
    if (!r->pending_since || who->staff_id == r->owner_id)
        return 0;
    if (r->pending_staff_id)
        return r->pending_staff_id == who->staff_id;
    return r->pending_node_id && r->pending_node_id == who->node_id;
}

static int may_see(const struct inquiry_rec *r, const struct actor *who)
{
    if (who->role == ROLE_SYSTEM)
        return 1;
    if (!is_staff(who))
        return 0;
    return actor_in_scope(who, r->node_path) || r->owner_id == who->staff_id ||
           r->first_owner_id == who->staff_id || is_receiver(r, who);
}

unsigned inquiry_actions(const struct inquiry_rec *r, const struct actor *who)
{
    unsigned m = 0;
    if (!who || !is_staff(who) || r->status != INQUIRY_OPEN)
        return 0;
    if (r->owner_id == who->staff_id) {
        m |= INQUIRY_MAY_ANSWER | INQUIRY_MAY_REFER;
        if (!r->pending_since)
            m |= INQUIRY_MAY_HANDOVER | INQUIRY_MAY_CASE;
    } else if (is_receiver(r, who)) {
        m |= INQUIRY_MAY_ACCEPT | INQUIRY_MAY_DECLINE;
    }
    return m;
}

int inquiry_get(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                struct inquiry_rec *out, struct err *e)
{
    if (who && !is_staff(who) && who->role != ROLE_SYSTEM)
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts use first inquiries");
    int rc = load(db, id, a, out);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such inquiry");
    if (rc < 0)
        return db_fail(e, rc);
    if (who && !may_see(out, who))
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    rc = load_events(db, a, out);
    if (rc < 0)
        return db_fail(e, rc);
    out->actions = who ? inquiry_actions(out, who) : 0;
    return 0;
}

/* ---- lists ---- */

#define LIST_TAIL " ORDER BY i.id DESC LIMIT ?4 OFFSET ?5"
/* each box binds its keys (?1, and ?3 but for mine) and ?2 (status or '') */
#define WHERE_MINE " WHERE i.owner_id = ?1 AND (?2 = '' OR i.status = ?2)"
#define WHERE_INBOX                                                                                \
    " WHERE (i.pending_staff_id = ?1 OR i.pending_node_id = ?3) AND (?2 = '' OR i.status = ?2)"
#define WHERE_SCOPE " WHERE i.node_path >= ?1 AND i.node_path < ?3 AND (?2 = '' OR i.status = ?2)"

static const char SQL_LIST_MINE[] = "SELECT " INQ_COLS INQ_FROM WHERE_MINE LIST_TAIL;
static const char SQL_LIST_INBOX[] = "SELECT " INQ_COLS INQ_FROM WHERE_INBOX LIST_TAIL;
static const char SQL_LIST_SCOPE[] = "SELECT " INQ_COLS INQ_FROM WHERE_SCOPE LIST_TAIL;
static const char SQL_COUNT_MINE[] = "SELECT COUNT(*) FROM inquiry i" WHERE_MINE;
static const char SQL_COUNT_INBOX[] = "SELECT COUNT(*) FROM inquiry i" WHERE_INBOX;
static const char SQL_COUNT_SCOPE[] = "SELECT COUNT(*) FROM inquiry i" WHERE_SCOPE;

enum box { BOX_MINE, BOX_INBOX, BOX_SCOPE };

struct box_query {
    enum box b;
    const struct actor *who;
    const char *status, *scope_end;
};

static void bind_box(struct db_stmt *st, const void *ctx)
{
    const struct box_query *q = ctx;
    switch (q->b) {
    case BOX_MINE:
        db_bind_int64(st, 1, q->who->staff_id);
        break;
    case BOX_INBOX:
        db_bind_int64(st, 1, q->who->staff_id);
        db_bind_int64(st, 3, q->who->node_id);
        break;
    case BOX_SCOPE:
        db_bind_text(st, 1, q->who->scope);
        db_bind_text(st, 3, q->scope_end);
        break;
    }
    db_bind_text(st, 2, q->status ? q->status : "");
}

static int box_row(struct db_stmt *st, struct arena *a, void *item, const void *ctx)
{
    (void)ctx;
    return read_row(st, a, item);
}

int inquiry_list(struct db *db, const struct actor *who, const struct inquiry_filter *f,
                 struct arena *a, struct inquiry_rec **out, int *n, int64_t *total, struct err *e)
{
    static const char *const list_sql[] = {SQL_LIST_MINE, SQL_LIST_INBOX, SQL_LIST_SCOPE};
    static const char *const count_sql[] = {SQL_COUNT_MINE, SQL_COUNT_INBOX, SQL_COUNT_SCOPE};
    enum box b;
    *n = 0;
    *total = 0;
    if (!is_staff(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts use first inquiries");
    if (!f->box || strcmp(f->box, "mine") == 0)
        b = BOX_MINE;
    else if (strcmp(f->box, "inbox") == 0)
        b = BOX_INBOX;
    else if (strcmp(f->box, "scope") == 0)
        b = BOX_SCOPE;
    else
        return err_set(e, ERR_INVALID, "box", "box must be mine, inbox or scope");
    if (f->status && !inquiry_status_parse(f->status))
        return err_set(e, ERR_INVALID, "status",
                       "status must be open, answered, referred or converted");
    if (f->page < 1 || f->per_page < 1)
        return err_set(e, ERR_INVALID, "page", "page and per_page must be positive");
    char scope_end[ACTOR_PATH_MAX + 1];
    org_path_end(who->scope, scope_end, sizeof(scope_end));
    struct box_query q = {b, who, f->status, scope_end};
    struct case_page p = {count_sql[b], list_sql[b], 4, bind_box, box_row, &q, sizeof(**out)};
    void *items = NULL;
    int rc = case_page_read(db, &p, f->page, f->per_page, a, &items, n, total);
    *out = items;
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- writes ---- */

/* bind id to ?idx, or NULL when it is none (0) */
static void bind_id(struct db_stmt *st, int idx, int64_t id)
{
    if (id > 0)
        db_bind_int64(st, idx, id);
    else
        db_bind_null(st, idx);
}

static int add_event(struct db *db, int64_t id, const char *kind, const struct actor *who,
                     int64_t target_staff, int64_t target_node, const char *detail, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "INSERT INTO inquiry_event (inquiry_id, kind, staff_id, actor,"
                        " target_staff_id, target_node_id, detail, at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, kind);
    bind_id(st, 3, who ? who->staff_id : 0);
    db_bind_text(st, 4, who ? who->name : "system");
    bind_id(st, 5, target_staff);
    bind_id(st, 6, target_node);
    db_bind_text(st, 7, detail ? detail : "");
    db_bind_int64(st, 8, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Run a write (sql static text) with ?1 the inquiry's id and ?2 now. */
static int exec_at(struct db *db, const char *sql, int64_t id, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

/* the actor's home node into home; ERR_FORBIDDEN when there is none */
static int home_node(struct db *db, const struct actor *who, struct org_node *home, struct err *e)
{
    int rc = org_get(db, who->node_id, home);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_FORBIDDEN, NULL, "your account has no home node");
    return rc < 0 ? db_fail(e, rc) : 0;
}

static int check_channel(const char *c)
{
    return c && (strcmp(c, "window") == 0 || strcmp(c, "phone") == 0 || strcmp(c, "online") == 0);
}

static const char SQL_INSERT[] =
    "INSERT INTO inquiry (region_id, node_id, node_path, owner_id, first_owner_id, citizen_name,"
    " phone_enc, phone_hash, phone_mask, question, item_code, channel, status, created_at,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'open', ?12, ?12)"
    " RETURNING id";

static int check_input(struct db *db, const struct inquiry_input *in, char norm[PII_PHONE_MAX + 1],
                       struct err *e)
{
    if (!in->citizen_name || parse_text(in->citizen_name, 1, INQUIRY_NAME_MAX, 0) < 0 ||
        !has_content(in->citizen_name))
        return err_set(e, ERR_INVALID, "citizen_name",
                       "citizen_name must have 1-%d characters on one line", INQUIRY_NAME_MAX);
    if (!in->phone || !pii_phone_ok(in->phone, norm))
        return err_set(e, ERR_INVALID, "phone",
                       "phone must be a mainland mobile (11 digits) or a landline with its area "
                       "code (0AA-NNNNNNNN)");
    if (!in->question || parse_text(in->question, 1, INQUIRY_TEXT_MAX, 1) < 0 ||
        !has_content(in->question))
        return err_set(e, ERR_INVALID, "question", "question must have 1-%d characters",
                       INQUIRY_TEXT_MAX);
    if (!check_channel(in->channel))
        return err_set(e, ERR_INVALID, "channel", "channel must be window, phone or online");
    if (in->item_code) {
        struct arena a = {0};
        struct catalog_item item;
        int rc = catalog_find_code(db, in->item_code, &a, &item);
        arena_reset(&a);
        if (rc == ERR_NOTFOUND)
            return err_set(e, ERR_INVALID, "item_code", "no catalogue item with this code");
        if (rc < 0)
            return db_fail(e, rc);
    }
    return 0;
}

int inquiry_create(struct db *db, const struct actor *who, const struct inquiry_input *in,
                   int64_t now, int64_t *id, struct err *e)
{
    char norm[PII_PHONE_MAX + 1] = "", enc[PII_ENC_MAX], hash[PII_HASH_HEX], mask[PII_MASK_MAX];
    struct org_node home;
    if (!is_staff(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts record first inquiries");
    int rc = check_input(db, in, norm, e);
    if (rc == 0) {
        pii_mask_phone(norm, mask);
        rc = pii_encrypt(norm, enc);
        if (rc == 0)
            rc = pii_hash(norm, hash);
        if (rc < 0)
            rc = err_set(e, rc == ERR_UNAVAILABLE ? ERR_UNAVAILABLE : ERR_INVALID,
                         rc == ERR_UNAVAILABLE ? NULL : "phone",
                         rc == ERR_UNAVAILABLE ? "the data key is not loaded"
                                               : "the phone cannot be stored");
    }
    crypto_wipe(norm, sizeof(norm));
    if (rc < 0)
        return rc;
    rc = home_node(db, who, &home, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_INSERT, &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, case_region_of(home.path));
    db_bind_int64(st, 2, home.id);
    db_bind_text(st, 3, home.path);
    db_bind_int64(st, 4, who->staff_id);
    db_bind_text(st, 5, in->citizen_name);
    db_bind_text(st, 6, enc);
    db_bind_text(st, 7, hash);
    db_bind_text(st, 8, mask);
    db_bind_text(st, 9, in->question);
    db_bind_text(st, 10, in->item_code);
    db_bind_text(st, 11, in->channel);
    db_bind_int64(st, 12, now);
    rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_col_int64(st, 0);
    db_finalize(st);
    crypto_wipe(enc, sizeof(enc));
    if (rc < 0)
        return db_fail(e, rc);
    rc = add_event(db, *id, "recorded", who, 0, 0, in->channel, now);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* For a write: the actor is staff, the row is locked (touched first, so
 * writers on other server nodes take turns) and read into r, and the actor
 * may see it. */
static int open_for_write(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                          struct inquiry_rec *r, struct err *e)
{
    memset(r, 0, sizeof(*r));
    if (!is_staff(who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only staff accounts use first inquiries");
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "UPDATE inquiry SET updated_at = updated_at WHERE id = ?1", &st);
    if (rc < 0)
        return db_fail(e, rc);
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return db_fail(e, rc);
    rc = load(db, id, a, r);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, NULL, "no such inquiry");
    if (rc < 0)
        return db_fail(e, rc);
    if (!may_see(r, who))
        return err_set(e, ERR_FORBIDDEN, NULL, "outside your part of the organisation");
    return 0;
}

static int not_open(struct err *e, const struct inquiry_rec *r)
{
    return err_set(e, ERR_CONFLICT, "status", "this inquiry is %s, no longer open",
                   inquiry_status_name(r->status));
}

/* open_for_write, then: the actor owns it and it is open */
static int open_as_owner(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                         struct inquiry_rec *r, struct err *e)
{
    int rc = open_for_write(db, who, id, a, r, e);
    if (rc < 0)
        return rc;
    if (r->owner_id != who->staff_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "only the owner of this inquiry (%s) may do this",
                       r->owner_name);
    if (r->status != INQUIRY_OPEN)
        return not_open(e, r);
    return 0;
}

/* close with status answered or referred; a pending handover lapses */
static const char SQL_CLOSE[] =
    "UPDATE inquiry SET status = ?2, answer = ?3, referred_to = ?4, closed_at = ?5,"
    " updated_at = ?5, pending_staff_id = NULL, pending_node_id = NULL, pending_since = NULL"
    " WHERE id = ?1";

static int close_as(struct db *db, int64_t id, const char *status, const char *answer,
                    const char *referred_to, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CLOSE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, answer);
    db_bind_text(st, 4, referred_to);
    db_bind_int64(st, 5, now);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int inquiry_answer(struct db *db, const struct actor *who, int64_t id, const char *answer,
                   int64_t now, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    int rc = open_as_owner(db, who, id, &a, &r, e);
    if (rc == 0 &&
        (!answer || parse_text(answer, 1, INQUIRY_TEXT_MAX, 1) < 0 || !has_content(answer)))
        rc =
            err_set(e, ERR_INVALID, "answer", "answer must have 1-%d characters", INQUIRY_TEXT_MAX);
    if (rc == 0) {
        rc = close_as(db, id, "answered", answer, NULL, now);
        if (rc == 0)
            rc = add_event(db, id, "answered", who, 0, 0, answer, now);
        if (rc < 0)
            rc = db_fail(e, rc);
    }
    arena_reset(&a);
    return rc;
}

int inquiry_refer(struct db *db, const struct actor *who, int64_t id, const char *department,
                  const char *note, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    int rc = open_as_owner(db, who, id, &a, &r, e);
    if (rc == 0 && (!department || parse_text(department, 1, INQUIRY_DEPARTMENT_MAX, 0) < 0 ||
                    !has_content(department)))
        rc = err_set(e, ERR_INVALID, "department",
                     "department must have 1-%d characters on one line", INQUIRY_DEPARTMENT_MAX);
    if (rc == 0 && note && parse_text(note, 0, INQUIRY_TEXT_MAX, 1) < 0)
        rc = err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                     INQUIRY_TEXT_MAX);
    if (rc == 0) {
        const char *detail = department;
        if (note && has_content(note)) {
            detail = arena_printf(&a, "%s\n%s", department, note);
            if (!detail)
                rc = ERR_NOMEM;
        }
        if (rc == 0)
            rc = close_as(db, id, "referred", NULL, department, now);
        if (rc == 0)
            rc = add_event(db, id, "referred", who, 0, 0, detail, now);
        if (rc < 0)
            rc = db_fail(e, rc);
    }
    arena_reset(&a);
    return rc;
}

/* A handover target: an active staff member or an active unit, hall or
 * window of the inquiry's region; neither the owner nor the owner's home. */
static int check_target(struct db *db, const struct inquiry_rec *r, int64_t to_staff,
                        int64_t to_node, struct err *e)
{
    if ((to_staff > 0) == (to_node > 0))
        return err_set(e, ERR_INVALID, "staff_id", "give staff_id or node_id (one of them)");
    if (to_staff > 0) {
        struct staff s;
        int rc = staff_get(db, to_staff, &s);
        if (rc == ERR_NOTFOUND || (rc == 0 && !s.active))
            return err_set(e, ERR_INVALID, "staff_id", "no such active staff member");
        if (rc < 0)
            return db_fail(e, rc);
        if (s.id == r->owner_id)
            return err_set(e, ERR_INVALID, "staff_id", "you cannot hand an inquiry to yourself");
        if (case_region_of(s.node_path) != r->region_id)
            return err_set(e, ERR_INVALID, "staff_id", "%s works outside this region", s.name);
        return 0;
    }
    struct org_node n;
    int rc = org_get(db, to_node, &n);
    int kind_ok = rc == 0 && (strcmp(n.kind, "unit") == 0 || strcmp(n.kind, "hall") == 0 ||
                              strcmp(n.kind, "window") == 0);
    if (rc == ERR_NOTFOUND || (rc == 0 && (!n.active || !kind_ok)))
        return err_set(e, ERR_INVALID, "node_id", "no such active unit, hall or window");
    if (rc < 0)
        return db_fail(e, rc);
    if (case_region_of(n.path) != r->region_id)
        return err_set(e, ERR_INVALID, "node_id", "%s lies outside this region", n.name);
    struct staff owner;
    rc = staff_get(db, r->owner_id, &owner);
    if (rc < 0)
        return db_fail(e, rc);
    if (owner.node_id == n.id)
        return err_set(e, ERR_INVALID, "node_id", "you cannot hand an inquiry to your own %s",
                       n.kind);
    return 0;
}

/* Tell the receiver(s) of a handover: the staff member, or the active staff
 * whose home is the node (at most INQUIRY_NOTIFY_MAX). */
static int notify_receivers(struct db *db, const struct inquiry_rec *r, int64_t to_staff,
                            int64_t to_node, int64_t now)
{
    char ex[INQUIRY_EXCERPT * 4 + 8], msg[512];
    excerpt(r->question, INQUIRY_EXCERPT, ex, sizeof(ex));
    snprintf(msg, sizeof(msg), "%s 将首问登记 #%lld 转交给您，请接收：%s", r->owner_name,
             (long long)r->id, ex);
    if (to_staff > 0)
        return case_notify(db, to_staff, NULL, "handover", 0, r->id, msg, now, NULL);
    int64_t ids[INQUIRY_NOTIFY_MAX];
    int n = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db,
                        "SELECT id FROM staff WHERE node_id = ?1 AND active = 1 ORDER BY id"
                        " LIMIT ?2",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, to_node);
    db_bind_int64(st, 2, INQUIRY_NOTIFY_MAX);
    while ((rc = db_step(st)) == DB_ROW && n < INQUIRY_NOTIFY_MAX)
        ids[n++] = db_col_int64(st, 0);
    db_finalize(st);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = case_notify(db, ids[i], NULL, "handover", 0, r->id, msg, now, NULL);
    return rc < 0 ? rc : 0;
}

int inquiry_handover(struct db *db, const struct actor *who, int64_t id, int64_t to_staff,
                     int64_t to_node, const char *note, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    int rc = open_as_owner(db, who, id, &a, &r, e);
    if (rc == 0 && r.pending_since)
        rc = err_set(e, ERR_CONFLICT, "pending",
                     "a handover of this inquiry is already waiting to be accepted");
    if (rc == 0 && note && parse_text(note, 0, INQUIRY_TEXT_MAX, 1) < 0)
        rc = err_set(e, ERR_INVALID, "note", "note must have at most %d characters",
                     INQUIRY_TEXT_MAX);
    if (rc == 0)
        rc = check_target(db, &r, to_staff, to_node, e);
    if (rc < 0) {
        arena_reset(&a);
        return rc;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "UPDATE inquiry SET pending_staff_id = ?2, pending_node_id = ?3,"
                    " pending_since = ?4, escalated_at = NULL, updated_at = ?4 WHERE id = ?1",
                    &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        bind_id(st, 2, to_staff);
        bind_id(st, 3, to_node);
        db_bind_int64(st, 4, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc >= 0)
        rc = add_event(db, id, "handover", who, to_staff, to_node, note, now);
    if (rc >= 0)
        rc = notify_receivers(db, &r, to_staff, to_node, now);
    arena_reset(&a);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* open_for_write, then: open, a handover pending, the actor its receiver */
static int open_as_receiver(struct db *db, const struct actor *who, int64_t id, struct arena *a,
                            struct inquiry_rec *r, struct err *e)
{
    int rc = open_for_write(db, who, id, a, r, e);
    if (rc < 0)
        return rc;
    if (r->status != INQUIRY_OPEN)
        return not_open(e, r);
    if (!r->pending_since)
        return err_set(e, ERR_CONFLICT, "pending", "no handover of this inquiry is waiting");
    if (!is_receiver(r, who))
        return err_set(e, ERR_FORBIDDEN, NULL, "only the receiver of the handover may do this");
    return 0;
}

int inquiry_accept(struct db *db, const struct actor *who, int64_t id, int64_t now, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    struct org_node home;
    int rc = open_as_receiver(db, who, id, &a, &r, e);
    arena_reset(&a);
    if (rc < 0)
        return rc;
    rc = home_node(db, who, &home, e);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "UPDATE inquiry SET owner_id = ?2, node_id = ?3, node_path = ?4,"
                    " region_id = ?5, pending_staff_id = NULL, pending_node_id = NULL,"
                    " pending_since = NULL, updated_at = ?6 WHERE id = ?1",
                    &st);
    if (rc == 0) {
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, who->staff_id);
        db_bind_int64(st, 3, home.id);
        db_bind_text(st, 4, home.path);
        db_bind_int64(st, 5, case_region_of(home.path));
        db_bind_int64(st, 6, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc >= 0)
        rc = add_event(db, id, "accepted", who, who->staff_id, home.id, "", now);
    return rc < 0 ? db_fail(e, rc) : 0;
}

int inquiry_decline(struct db *db, const struct actor *who, int64_t id, const char *note,
                    int64_t now, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    char msg[512];
    int rc = open_as_receiver(db, who, id, &a, &r, e);
    if (rc == 0 && (!note || parse_text(note, 1, INQUIRY_TEXT_MAX, 1) < 0 || !has_content(note)))
        rc = err_set(e, ERR_INVALID, "note", "note (the reason) must have 1-%d characters",
                     INQUIRY_TEXT_MAX);
    if (rc < 0) {
        arena_reset(&a);
        return rc;
    }
    rc = exec_at(db,
                 "UPDATE inquiry SET pending_staff_id = NULL, pending_node_id = NULL,"
                 " pending_since = NULL, updated_at = ?2 WHERE id = ?1",
                 id, now);
    if (rc >= 0)
        rc = add_event(db, id, "declined", who, r.owner_id, 0, note, now);
    if (rc >= 0) {
        char ex[INQUIRY_EXCERPT * 4 + 8];
        excerpt(note, INQUIRY_EXCERPT, ex, sizeof(ex));
        snprintf(msg, sizeof(msg), "%s 未接收首问登记 #%lld 的转交，仍由您负责：%s", who->name,
                 (long long)id, ex);
        rc = case_notify(db, r.owner_id, NULL, "handover", 0, id, msg, now, NULL);
    }
    arena_reset(&a);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- conversion into a case ---- */

int inquiry_convert(struct db *db, const struct actor *who, const struct calendar *cal, int64_t id,
                    struct case_input *in, int64_t now, int64_t *case_id,
                    char query_code[CASE_QUERY_CODE_LEN + 1], int *missing_year, struct err *e)
{
    struct arena a = {0};
    struct inquiry_rec r;
    char number[CASE_NUMBER_MAX + 1] = "";
    *case_id = 0;
    int rc = open_as_owner(db, who, id, &a, &r, e);
    if (rc == 0 && r.pending_since)
        rc = err_set(e, ERR_CONFLICT, "pending",
                     "a handover of this inquiry is waiting: it cannot become a case meanwhile");
    if (rc == 0 && in->ticket_id)
        rc = err_set(e, ERR_INVALID, "ticket_id", "a case from an inquiry takes no ticket");
    if (rc < 0) {
        arena_reset(&a);
        return rc;
    }
    in->inquiry_id = id;
    if (!in->version_id && !(in->item_code && *in->item_code))
        in->item_code = r.item_code; /* may stay NULL: case_register names the field */
    rc = case_register(db, who, cal, in, now, case_id, query_code, missing_year, e);
    arena_reset(&a);
    if (rc < 0)
        return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db, "SELECT number FROM case_file WHERE id = ?1", &st);
    if (rc == 0) {
        db_bind_int64(st, 1, *case_id);
        rc = db_step(st);
        if (rc == DB_ROW)
            snprintf(number, sizeof(number), "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
        db_finalize(st);
    }
    if (rc >= 0)
        rc = db_prepare(db,
                        "UPDATE inquiry SET status = 'converted', case_id = ?2, closed_at = ?3,"
                        " updated_at = ?3 WHERE id = ?1",
                        &st);
    if (rc >= 0) {
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, *case_id);
        db_bind_int64(st, 3, now);
        rc = db_step(st);
        db_finalize(st);
    }
    if (rc >= 0)
        rc = add_event(db, id, "converted", who, 0, 0, number, now);
    return rc < 0 ? db_fail(e, rc) : 0;
}

/* ---- escalation ---- */

struct region_minutes {
    int64_t region_id;
    int minutes;
};

/* escalate_minutes of a region, through a small per-sweep cache */
static int escalate_minutes(struct db *db, int64_t region_id, struct region_minutes *cache,
                            int *ncache, int *minutes)
{
    for (int i = 0; i < *ncache; i++)
        if (cache[i].region_id == region_id) {
            *minutes = cache[i].minutes;
            return 0;
        }
    struct case_settings s;
    int rc = case_settings_get(db, region_id, &s);
    if (rc < 0)
        return rc;
    *minutes = s.escalate_minutes;
    if (*ncache < INQUIRY_REGIONS_CACHED)
        cache[(*ncache)++] = (struct region_minutes){region_id, s.escalate_minutes};
    return 0;
}

/* waiting handovers, oldest first, that have waited at least the least
 * escalate_minutes any region may set: the partial index inquiry_pending_since */
static const char SQL_SWEEP[] =
    "SELECT id, region_id, pending_since FROM inquiry"
    " WHERE pending_since IS NOT NULL AND escalated_at IS NULL AND pending_since <= ?1"
    " ORDER BY pending_since, id";

static const char SQL_ESCALATE_ONE[] =
    "SELECT i.owner_id, n.path, i.question, o.name FROM inquiry i"
    " JOIN staff o ON o.id = i.owner_id JOIN org_node n ON n.id = o.node_id WHERE i.id = ?1";

static int escalate(struct db *db, int64_t id, int64_t waited_s, int64_t now, int *raised)
{
    struct db_stmt *st = NULL;
    char path[ACTOR_PATH_MAX] = "", ex[INQUIRY_EXCERPT * 4 + 8] = "", owner_name[256] = "";
    char detail[64], msg[512];
    int64_t owner = 0, leader = 0;
    /* claim it first: another server node sweeping at the same time finds
     * it escalated and raises nothing */
    int rc = db_prepare(db,
                        "UPDATE inquiry SET escalated_at = ?2, updated_at = ?2"
                        " WHERE id = ?1 AND escalated_at IS NULL AND pending_since IS NOT NULL"
                        " RETURNING id",
                        &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : 0;
    rc = db_prepare(db, SQL_ESCALATE_ONE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        owner = db_col_int64(st, 0);
        snprintf(path, sizeof(path), "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
        excerpt(db_col_text(st, 2), INQUIRY_EXCERPT, ex, sizeof(ex));
        snprintf(owner_name, sizeof(owner_name), "%s",
                 db_col_text(st, 3) ? db_col_text(st, 3) : "");
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (owner && path[0])
        rc = case_leader_of(db, path, &leader);
    if (rc < 0)
        return rc;
    snprintf(detail, sizeof(detail), "%lld", (long long)(waited_s / 60));
    rc = add_event(db, id, "escalated", NULL, leader, 0, detail, now);
    if (rc < 0 || leader <= 0)
        return rc;
    snprintf(msg, sizeof(msg), "首问登记 #%lld 由 %s 转交后 %lld 分钟无人接收，请督办：%s",
             (long long)id, owner_name, (long long)(waited_s / 60), ex);
    rc = case_notify(db, leader, NULL, "handover_escalated", 0, id, msg, now, NULL);
    if (rc == 0 && raised)
        (*raised)++;
    return rc;
}

int inquiry_sweep(struct db *db, int64_t now, int *raised)
{
    struct region_minutes cache[INQUIRY_REGIONS_CACHED];
    int ncache = 0, n = 0;
    int64_t due[INQUIRY_SWEEP_BATCH], waited[INQUIRY_SWEEP_BATCH];
    if (raised)
        *raised = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_SWEEP, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, now - (int64_t)INQUIRY_ESCALATE_MIN_LEAST * 60);
    while (n < INQUIRY_SWEEP_BATCH && (rc = db_step(st)) == DB_ROW) {
        int64_t id = db_col_int64(st, 0), region = db_col_int64(st, 1);
        int64_t since = db_col_int64(st, 2);
        int minutes = 0;
        rc = escalate_minutes(db, region, cache, &ncache, &minutes);
        if (rc < 0)
            break;
        if (now - since >= (int64_t)minutes * 60) {
            due[n] = id;
            waited[n++] = now - since;
        }
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        rc = escalate(db, due[i], waited[i], now, raised);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* eval_push.c - the upstream push of evaluations (eval_push.h): the
 * provincial record, the cursor and failure log, and the two targets. */
#include "domain/eval_push.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/crypto.h"
#include "base/date.h"
#include "base/pii.h"

#define TZ_OFFSET_S ((int64_t)8 * 3600) /* Asia/Shanghai, no daylight saving */
#define HTTP_ANSWER_KEEP 200            /* bytes of a refusal's body kept for the log */

/* ---- targets ---- */

/* A URL without user:password@, query or fragment. */
static void url_shown(const char *url, char *out, size_t cap)
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    size_t auth_len = strcspn(host, "/?#");
    /* the last @ of the authority ends the credentials */
    const char *rest = host;
    for (size_t i = 0; i < auth_len; i++)
        if (host[i] == '@')
            rest = host + i + 1;
    size_t keep = strcspn(rest, "?#");
    snprintf(out, cap, "%.*s%.*s", (int)(host - url), url, (int)keep, rest);
}

/* dir of path (a file's) + "/upstream" into out; 0 or -1 when it does not fit */
static int beside(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (!slash)
        n = snprintf(out, cap, "upstream");
    else if (slash == path)
        n = snprintf(out, cap, "/upstream");
    else
        n = snprintf(out, cap, "%.*s/upstream", (int)(slash - path), path);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int eval_push_target(const char *configured, const char *db_url, const char *key_file,
                     struct eval_push_target *out)
{
    memset(out, 0, sizeof(*out));
    const char *c = configured ? configured : "";
    if (strcmp(c, "off") == 0) {
        out->kind = EVAL_PUSH_OFF;
        snprintf(out->shown, sizeof(out->shown), "off");
        return 0;
    }
    if (strncmp(c, "http://", 7) == 0 || strncmp(c, "https://", 8) == 0) {
        out->kind = EVAL_PUSH_HTTP;
        if ((size_t)snprintf(out->where, sizeof(out->where), "%s", c) >= sizeof(out->where))
            return ERR_INVALID;
        url_shown(c, out->shown, sizeof(out->shown));
        return 0;
    }
    out->kind = EVAL_PUSH_FILE;
    int rc = 0;
    if (strncmp(c, "file:", 5) == 0 && c[5]) {
        int n = snprintf(out->where, sizeof(out->where), "%s", c + 5);
        rc = n < 0 || (size_t)n >= sizeof(out->where) ? -1 : 0;
    } else if (*c) {
        return ERR_INVALID;
    } else if (key_file && *key_file) {
        rc = beside(key_file, out->where, sizeof(out->where));
    } else if (db_url && strncmp(db_url, "sqlite:", 7) == 0) {
        rc = beside(db_url + 7, out->where, sizeof(out->where));
    } else {
        snprintf(out->where, sizeof(out->where), "data/upstream");
    }
    if (rc < 0)
        return ERR_INVALID;
    snprintf(out->shown, sizeof(out->shown), "file:%s", out->where);
    return 0;
}

int64_t eval_push_backoff(int attempt, int retry_min_s, int retry_max_s)
{
    int64_t max = retry_max_s > 0 ? retry_max_s : 3600;
    int64_t d = retry_min_s > 0 ? retry_min_s : 1;
    if (d > max)
        return max;
    for (int i = 1; i < attempt && d < max; i++)
        d *= 2;
    return d < max ? d : max;
}

int eval_push_time_text(int64_t t, char out[20])
{
    int64_t local = t + TZ_OFFSET_S;
    int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int64_t sec = local - day * 86400;
    int y, m, d;
    date_to_civil((int32_t)day, &y, &m, &d);
    unsigned s = (unsigned)sec;
    snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u, s / 3600u % 100u, s / 60u % 60u, s % 60u);
    return 0;
}

/* ---- the records ---- */

static const char SQL_CURSOR[] =
    "SELECT last_id, attempt, next_at, pushed, COALESCE(last_success_at, 0)"
    " FROM eval_push_cursor WHERE target = ?1";

static const char SQL_RECORDS[] =
    "SELECT e.id, e.hash, e.kind, e.level, e.defaulted, e.reasons, e.text, e.dims, e.channel,"
    " e.created_at, ev.source, COALESCE(ev.ended_at, 0), ev.item_code, ev.item_name,"
    " t.code, t.service_day, COALESCE(t.issued_at, 0), t.status,"
    " c.number, c.state, COALESCE(c.received_at, 0), c.applicant_kind, cv.version,"
    " COALESCE(u.code, iu.code), COALESCE(u.name, iu.name), r.code, r.name, h.code, w.code,"
    " COALESCE(s.id, 0), s.name, s.badge_no, c.phone_enc, c.id_enc, e.phone_enc, e.id_enc"
    " FROM evaluation e JOIN eval_event ev ON ev.id = e.event_id"
    " LEFT JOIN ticket t ON t.id = ev.ticket_id LEFT JOIN case_file c ON c.id = ev.case_id"
    " LEFT JOIN catalog_version cv ON cv.id = COALESCE(e.version_id, ev.version_id)"
    " LEFT JOIN catalog_item ci ON ci.id = COALESCE(e.item_id, ev.item_id)"
    " LEFT JOIN org_node iu ON iu.id = ci.unit_id LEFT JOIN org_node u ON u.id = e.unit_id"
    " LEFT JOIN org_node r ON r.id = e.region_id LEFT JOIN org_node h ON h.id = e.hall_id"
    " LEFT JOIN org_node w ON w.id = e.window_id LEFT JOIN staff s ON s.id = e.staff_id"
    " WHERE e.id > ?1 ORDER BY e.id LIMIT ?2";

static const char *const LEVEL_NAMES[] = {"",         "非常不满意", "不满意",
                                          "基本满意", "满意",       "非常满意"};

static int channel_code(const char *ch)
{
    static const struct {
        const char *name;
        int code;
    } map[] = {{"web", 1}, {"qr", 2},      {"window_qr", 2}, {"staff_qr", 2}, {"tablet", 3},
               {"sms", 5}, {"hotline", 6}, {"paper", 9},     {"system", 9}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(ch, map[i].name) == 0)
            return map[i].code;
    return 9;
}

static json_t *text_or_null(struct db_stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t t)
{
    char buf[20];
    if (t <= 0)
        return json_null();
    eval_push_time_text(t, buf);
    return json_string(buf);
}

/* The stored JSON text of col, or an empty array/object when unreadable. */
static json_t *stored_json(struct db_stmt *st, int col, int object)
{
    const char *s = db_col_text(st, col);
    json_t *j = s ? json_loads(s, 0, NULL) : NULL;
    if (object ? json_is_object(j) : json_is_array(j))
        return j;
    json_decref(j);
    return object ? json_object() : json_array();
}

/* The clear text of a protected number: the first of two columns that
 * holds one and decrypts; null when none. */
static json_t *clear_or_null(struct db_stmt *st, int col_a, int col_b)
{
    int cols[2] = {col_a, col_b};
    for (int i = 0; i < 2; i++) {
        const char *enc = db_col_text(st, cols[i]);
        char clear[48];
        if (enc && *enc && pii_decrypt(enc, clear, sizeof(clear)) == 0) {
            json_t *j = json_string(clear);
            crypto_wipe(clear, sizeof(clear));
            return j;
        }
    }
    return json_null();
}

static json_t *record_of(struct db_stmt *st, int personal)
{
    const char *source = db_col_text(st, 10);
    int is_case = source && strcmp(source, "case") == 0;
    char proj[160];
    if (is_case) {
        const char *num = db_col_text(st, 18);
        snprintf(proj, sizeof(proj), "%s", num ? num : "");
    } else {
        const char *day = db_col_text(st, 15), *hall = db_col_text(st, 27),
                   *code = db_col_text(st, 14);
        char compact[9] = "";
        for (int i = 0, k = 0; day && day[i] && k < 8; i++)
            if (day[i] >= '0' && day[i] <= '9')
                compact[k++] = day[i], compact[k] = '\0';
        snprintf(proj, sizeof(proj), "%s-%s-%s", compact, hall ? hall : "", code ? code : "");
    }
    int level = (int)db_col_int64(st, 3);
    const char *channel = db_col_text(st, 8);
    const char *handle;
    if (is_case)
        handle = db_col_text(st, 19);
    else {
        const char *status = db_col_text(st, 17);
        handle = !status || strcmp(status, "done") == 0 ? "finished" : status;
    }
    json_t *staff = json_array();
    if (db_col_int64(st, 29) > 0)
        json_array_append_new(
            staff, json_pack("{s:I,s:o,s:o}", "staffId", (json_int_t)db_col_int64(st, 29), "name",
                             text_or_null(st, 30), "badgeNo", text_or_null(st, 31)));
    json_t *r = json_object();
    if (!r || !staff) {
        json_decref(r);
        json_decref(staff);
        return NULL;
    }
    const char *kind = db_col_text(st, 2);
    json_object_set_new(r, "recordId", text_or_null(st, 1));
    json_object_set_new(r, "evaluationId", json_integer(db_col_int64(st, 0)));
    json_object_set_new(r, "pushVersion", json_integer(EVAL_PUSH_LAYOUT));
    json_object_set_new(r, "projNo", json_string(proj));
    json_object_set_new(r, "projName", text_or_null(st, 13));
    json_object_set_new(r, "serviceCode", text_or_null(st, 12));
    json_object_set_new(r, "serviceVersion",
                        db_col_is_null(st, 22) ? json_null() : json_integer(db_col_int64(st, 22)));
    json_object_set_new(r, "serviceName", text_or_null(st, 13));
    json_object_set_new(r, "deptCode", text_or_null(st, 23));
    json_object_set_new(r, "deptName", text_or_null(st, 24));
    json_object_set_new(r, "areaCode", text_or_null(st, 25));
    json_object_set_new(r, "areaName", text_or_null(st, 26));
    json_object_set_new(r, "hallCode", text_or_null(st, 27));
    json_object_set_new(r, "windowCode", text_or_null(st, 28));
    json_object_set_new(r, "applicantType", is_case ? text_or_null(st, 21) : json_null());
    json_object_set_new(r, "handleState", json_string(handle ? handle : ""));
    json_object_set_new(r, "applyTime", time_or_null(db_col_int64(st, is_case ? 20 : 16)));
    json_object_set_new(r, "transactTime", time_or_null(db_col_int64(st, 11)));
    json_object_set_new(r, "evaluateTime", time_or_null(db_col_int64(st, 9)));
    json_object_set_new(r, "evaluateType", json_string(kind ? kind : "first"));
    json_object_set_new(r, "defaulted", json_boolean(db_col_int64(st, 4)));
    json_object_set_new(r, "channel", json_string(channel ? channel : ""));
    json_object_set_new(r, "channelCode", json_integer(channel_code(channel ? channel : "")));
    json_object_set_new(r, "level", json_integer(level));
    json_object_set_new(r, "levelName",
                        json_string(level >= 1 && level <= 5 ? LEVEL_NAMES[level] : ""));
    json_object_set_new(r, "reasons", stored_json(st, 5, 0));
    json_object_set_new(r, "text", text_or_null(st, 6));
    json_object_set_new(r, "dims", stored_json(st, 7, 1));
    json_object_set_new(r, "evaluatedStaff", staff);
    if (personal) {
        json_object_set_new(r, "applicantPhone", clear_or_null(st, 32, 34));
        json_object_set_new(r, "applicantId", clear_or_null(st, 33, 35));
    }
    return r;
}

void eval_push_batch_free(struct eval_push_batch *b)
{
    if (!b)
        return;
    json_decref(b->records);
    b->records = NULL;
    b->n = 0;
}

int eval_push_next(struct db *db, const char *shown, int batch, int personal, int64_t now,
                   int force, struct eval_push_batch *out)
{
    memset(out, 0, sizeof(*out));
    if (batch < 1 || batch > EVAL_PUSH_BATCH_MAX)
        batch = EVAL_PUSH_BATCH_MAX;
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CURSOR, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, shown);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->cursor = db_col_int64(st, 0);
        out->attempt = (int)db_col_int64(st, 1);
        out->next_at = db_col_int64(st, 2);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    if (!force && out->next_at > now)
        return 0;
    out->records = json_array();
    if (!out->records)
        return ERR_NOMEM;
    rc = db_prepare(db, SQL_RECORDS, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, out->cursor);
    db_bind_int64(st, 2, batch);
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *rec = record_of(st, personal);
        if (!rec) {
            rc = ERR_NOMEM;
            break;
        }
        int64_t id = db_col_int64(st, 0);
        if (!out->n)
            out->first_id = id;
        out->last_id = id;
        out->n++;
        json_array_append_new(out->records, rec);
    }
    db_finalize(st);
    if (rc < 0) {
        eval_push_batch_free(out);
        return rc;
    }
    return 0;
}

/* ---- delivery ---- */

/* err = what, ": " and detail (when not NULL); returns ERR_IO */
static int fail(char *err, size_t errlen, const char *what, const char *detail)
{
    snprintf(err, errlen, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    return ERR_IO;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char path[512];
    if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0750) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0750) < 0 && errno != EEXIST ? -1 : 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_file(const struct eval_push_target *t, const struct eval_push_batch *b, int64_t now,
                     char *err, size_t errlen)
{
    char day[20], path[sizeof(t->where) + 40];
    eval_push_time_text(now, day);
    snprintf(path, sizeof(path), "%s/evaluations-%.4s%.2s%.2s.jsonl", t->where, day, day + 5,
             day + 8);
    if (make_dirs(t->where) < 0)
        return fail(err, errlen, "cannot make the directory", strerror(errno));
    struct stat sb;
    int existed = stat(path, &sb) == 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return fail(err, errlen, "cannot open the file", strerror(errno));
    off_t start = lseek(fd, 0, SEEK_END);
    int rc = 0;
    size_t i;
    json_t *rec;
    json_array_foreach(b->records, i, rec)
    {
        char *line = json_dumps(rec, JSON_COMPACT);
        if (!line) {
            rc = fail(err, errlen, "out of memory", NULL);
            break;
        }
        size_t len = strlen(line);
        int w = write_all(fd, line, len);
        if (w == 0)
            w = write_all(fd, "\n", 1);
        free(line);
        if (w < 0) {
            rc = fail(err, errlen, "cannot write the file", strerror(errno));
            break;
        }
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = fail(err, errlen, "cannot sync the file", strerror(errno));
    if (rc < 0 && start >= 0 && ftruncate(fd, start) == 0) /* no half batch stays behind */
        (void)fsync(fd);
    close(fd);
    if (rc == 0 && !existed) { /* the new file's name must survive a crash too */
        int dfd = open(t->where, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    return rc;
}

struct answer {
    char text[HTTP_ANSWER_KEEP + 1];
    size_t len;
};

static size_t on_answer(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t total = size * n;
    for (size_t i = 0; i < total && a->len < HTTP_ANSWER_KEEP; i++) {
        unsigned char c = (unsigned char)p[i];
        a->text[a->len++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
    }
    a->text[a->len] = '\0';
    return total;
}

static int send_http(const struct eval_push_target *t, const struct eval_push_batch *b,
                     const char *token, int timeout_s, char *err, size_t errlen)
{
    char *body = json_dumps(b->records, JSON_COMPACT);
    if (!body)
        return fail(err, errlen, "out of memory", NULL);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char auth[300];
    struct answer ans = {.len = 0};
    int rc = 0;
    if (!h) {
        free(body);
        return fail(err, errlen, "cannot start an HTTP client", NULL);
    }
    hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
    if (token && *token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        hdr = curl_slist_append(hdr, auth);
        memset(auth, 0, sizeof(auth));
    }
    curl_easy_setopt(h, CURLOPT_URL, t->where);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(timeout_s < 10 ? timeout_s : 10));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "chuangkou-upstream/1");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ans);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK)
        rc = fail(err, errlen, curl_easy_strerror(cc), NULL);
    else if (status < 200 || status > 299) {
        snprintf(err, errlen, "HTTP %ld%s%s", status, ans.len ? ": " : "", ans.text);
        rc = ERR_IO;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    free(body);
    return rc;
}

int eval_push_send(const struct eval_push_target *t, const struct eval_push_batch *b,
                   const char *token, int timeout_s, int64_t now, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!b->n || !b->records)
        return 0;
    if (t->kind == EVAL_PUSH_FILE)
        return send_file(t, b, now, err, errlen);
    if (t->kind == EVAL_PUSH_HTTP)
        return send_http(t, b, token, timeout_s > 0 ? timeout_s : 30, err, errlen);
    return fail(err, errlen, "the push is off", NULL);
}

/* ---- the outcome ---- */

static const char SQL_CURSOR_ENSURE[] =
    "INSERT INTO eval_push_cursor (target, last_id, updated_at) VALUES (?1, 0, ?2)"
    " ON CONFLICT (target) DO NOTHING";
static const char SQL_CURSOR_MOVE[] =
    "UPDATE eval_push_cursor SET last_id = ?2, pushed = pushed + ?3, last_success_at = ?4,"
    " attempt = 0, next_at = 0, updated_at = ?4 WHERE target = ?1 AND last_id = ?5";
static const char SQL_CURSOR_WAIT[] =
    "UPDATE eval_push_cursor SET attempt = ?2, next_at = ?3, updated_at = ?4"
    " WHERE target = ?1 AND last_id = ?5";
static const char SQL_FAILURE_ADD[] =
    "INSERT INTO eval_push_failure (target, evaluation_id, last_evaluation_id, attempt, at,"
    " error, next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_RETRY_NOW[] =
    "UPDATE eval_push_cursor SET next_at = 0, updated_at = ?2 WHERE target = ?1";

/* error as stored: printable ASCII (a remote answer may hold anything),
 * at most EVAL_PUSH_ERROR_MAX bytes */
static void error_text(const char *error, char out[EVAL_PUSH_ERROR_MAX + 1])
{
    size_t k = 0;
    for (const char *p = error ? error : ""; *p && k < EVAL_PUSH_ERROR_MAX; p++) {
        unsigned char c = (unsigned char)*p;
        out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[k] = '\0';
    if (!k)
        snprintf(out, EVAL_PUSH_ERROR_MAX + 1, "failed");
}

static int exec_bound(struct db *db, const char *sql, const char *shown, int64_t a, int64_t b,
                      int64_t c, int64_t d)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, sql, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, shown);
    db_bind_int64(st, 2, a);
    if (sql != SQL_CURSOR_ENSURE && sql != SQL_RETRY_NOW) {
        db_bind_int64(st, 3, b);
        db_bind_int64(st, 4, c);
        db_bind_int64(st, 5, d);
    }
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_push_done(struct db *db, const char *shown, const struct eval_push_batch *b, int ok,
                   const char *error, int64_t now, int retry_min_s, int retry_max_s)
{
    int rc = exec_bound(db, SQL_CURSOR_ENSURE, shown, now, 0, 0, 0);
    if (rc < 0 || !b->n)
        return rc;
    if (ok)
        return exec_bound(db, SQL_CURSOR_MOVE, shown, b->last_id, b->n, now, b->cursor);
    int attempt = b->attempt + 1;
    int64_t next = now + eval_push_backoff(attempt, retry_min_s, retry_max_s);
    rc = exec_bound(db, SQL_CURSOR_WAIT, shown, attempt, next, now, b->cursor);
    if (rc < 0)
        return rc;
    char text[EVAL_PUSH_ERROR_MAX + 1];
    error_text(error, text);
    struct db_stmt *st = NULL;
    rc = db_prepare(db, SQL_FAILURE_ADD, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, shown);
    db_bind_int64(st, 2, b->first_id);
    db_bind_int64(st, 3, b->last_id);
    db_bind_int64(st, 4, attempt);
    db_bind_int64(st, 5, now);
    db_bind_text(st, 6, text);
    db_bind_int64(st, 7, next);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

int eval_push_retry_now(struct db *db, const char *shown, int64_t now)
{
    return exec_bound(db, SQL_RETRY_NOW, shown, now, 0, 0, 0);
}

/* ---- status ---- */

static const char SQL_LAST_EVAL[] = "SELECT COALESCE(MAX(id), 0) FROM evaluation";
static const char SQL_BACKLOG[] = "SELECT COUNT(*) FROM evaluation WHERE id > ?1";
static const char SQL_FAILURES[] =
    "SELECT id, evaluation_id, last_evaluation_id, attempt, at, next_at, error"
    " FROM eval_push_failure WHERE target = ?1 ORDER BY id DESC LIMIT ?2";

int eval_push_status(struct db *db, const char *shown, struct arena *a,
                     struct eval_push_status *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_CURSOR, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, shown);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->cursor = db_col_int64(st, 0);
        out->attempt = (int)db_col_int64(st, 1);
        out->next_at = db_col_int64(st, 2);
        out->pushed = db_col_int64(st, 3);
        out->last_success_at = db_col_int64(st, 4);
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_query_int64(db, SQL_LAST_EVAL, &out->last_evaluation_id);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_BACKLOG, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, out->cursor);
    rc = db_step(st);
    if (rc == DB_ROW)
        out->backlog = db_col_int64(st, 0);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_FAILURES, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, shown);
    db_bind_int64(st, 2, EVAL_PUSH_FAILURES);
    while ((rc = db_step(st)) == DB_ROW && out->nfailures < EVAL_PUSH_FAILURES) {
        struct eval_push_failure *f = &out->failures[out->nfailures++];
        f->id = db_col_int64(st, 0);
        f->evaluation_id = db_col_int64(st, 1);
        f->last_evaluation_id = db_col_int64(st, 2);
        f->attempt = (int)db_col_int64(st, 3);
        f->at = db_col_int64(st, 4);
        f->next_at = db_col_int64(st, 5);
        const char *text = db_col_text(st, 6);
        f->error = arena_strdup(a, text ? text : "");
        if (!f->error) {
            rc = ERR_NOMEM;
            break;
        }
    }
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

#include "domain/session.h"

#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "base/err.h"
#include "domain/audit.h"

static const char SQL_FIND[] =
    "SELECT id, active, password_hash, node_id FROM staff WHERE login = ?1";

int session_find_login(struct db *db, const char *login, struct login_account *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FIND, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, login);
    rc = db_step(st);
    if (rc == DB_ROW) {
        out->staff_id = db_col_int64(st, 0);
        out->active = (int)db_col_int64(st, 1);
        const char *h = db_col_text(st, 2);
        snprintf(out->hash, sizeof(out->hash), "%s", h ? h : "");
        out->node_id = db_col_int64(st, 3);
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_NOTFOUND;
    }
    db_finalize(st);
    return rc;
}

static const char SQL_THROTTLE_GET[] =
    "SELECT window_start, failures FROM login_throttle WHERE throttle_key = ?1";

static void throttle_key(char *buf, size_t n, const char *kind, const char *v)
{
    snprintf(buf, n, "%s:%s", kind, v);
}

static int over_limit(struct db *db, const char *key, int limit, int64_t now, int64_t *retry)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_THROTTLE_GET, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, key);
    rc = db_step(st);
    int over = 0;
    if (rc == DB_ROW) {
        int64_t start = db_col_int64(st, 0), failures = db_col_int64(st, 1);
        if (now < start + THROTTLE_WINDOW_S && failures >= limit) {
            over = 1;
            int64_t r = start + THROTTLE_WINDOW_S - now;
            if (r > *retry)
                *retry = r;
        }
    }
    db_finalize(st);
    if (rc < 0)
        return rc;
    return over;
}

int session_throttled(struct db *db, const char *login, const char *ip, int64_t now,
                      int64_t *retry_after)
{
    char key[200];
    *retry_after = 0;
    throttle_key(key, sizeof(key), "acct", login);
    int a = over_limit(db, key, THROTTLE_MAX_ACCOUNT, now, retry_after);
    if (a < 0)
        return a;
    throttle_key(key, sizeof(key), "ip", ip);
    int b = over_limit(db, key, THROTTLE_MAX_ADDRESS, now, retry_after);
    if (b < 0)
        return b;
    return (a || b) ? ERR_THROTTLED : 0;
}

/* a new window starts when the old one has ended */
static const char SQL_THROTTLE_BUMP[] =
    "INSERT INTO login_throttle (throttle_key, window_start, failures) VALUES (?1, ?2, 1)"
    " ON CONFLICT (throttle_key) DO UPDATE SET"
    "  failures = CASE WHEN login_throttle.window_start + ?3 <= ?2 THEN 1"
    "                  ELSE login_throttle.failures + 1 END,"
    "  window_start = CASE WHEN login_throttle.window_start + ?3 <= ?2 THEN ?2"
    "                  ELSE login_throttle.window_start END";

static int bump(struct db *db, const char *key, int64_t now)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_THROTTLE_BUMP, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, key);
    db_bind_int64(st, 2, now);
    db_bind_int64(st, 3, THROTTLE_WINDOW_S);
    rc = db_step(st);
    db_finalize(st);
    return rc < 0 ? rc : 0;
}

static const char SQL_THROTTLE_SWEEP[] = "DELETE FROM login_throttle WHERE window_start < ?1";

int session_record_failure(struct db *db, const char *login, const char *ip, int64_t now)
{
    char key[200];
    /* forget windows that ended long ago, so guessed logins do not pile up */
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_THROTTLE_SWEEP, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, now - (int64_t)4 * THROTTLE_WINDOW_S);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    throttle_key(key, sizeof(key), "acct", login);
    rc = bump(db, key, now);
    if (rc < 0)
        return rc;
    throttle_key(key, sizeof(key), "ip", ip);
    return bump(db, key, now);
}

static const char SQL_CLEAR[] = "DELETE FROM login_throttle WHERE throttle_key = ?1";
static const char SQL_EXPIRE[] = "DELETE FROM session WHERE expires_at < ?1";
static const char SQL_INSERT_SESSION[] =
    "INSERT INTO session (token_hash, staff_id, csrf_token, created_at, expires_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";

int session_create(struct db *db, const struct actor *who, const struct login_account *acct,
                   const char *login, int ttl_s, int64_t now, char *token, char *csrf)
{
    char hash[CRYPTO_SHA256_HEX], key[200];
    struct db_stmt *st = NULL;
    crypto_random_hex(token, 32);
    crypto_random_hex(csrf, 16);
    crypto_sha256_hex(token, strlen(token), hash);
    throttle_key(key, sizeof(key), "acct", login);
    int rc = db_prepare(db, SQL_CLEAR, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, key);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_EXPIRE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, now);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    rc = db_prepare(db, SQL_INSERT_SESSION, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, hash);
    db_bind_int64(st, 2, acct->staff_id);
    db_bind_text(st, 3, csrf);
    db_bind_int64(st, 4, now);
    db_bind_int64(st, 5, now + ttl_s);
    rc = db_step(st);
    int64_t sid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_finalize(st);
    if (rc < 0)
        return rc;
    struct actor a = *who;
    a.staff_id = acct->staff_id;
    snprintf(a.name, sizeof(a.name), "%s", login);
    return audit_append(db, &a, "login", "session", sid, acct->node_id, NULL, NULL);
}

static const char SQL_LOOKUP[] =
    "SELECT s.id, s.csrf_token, s.expires_at, t.id, t.login, t.role, t.node_id, n.path,"
    " t.active FROM session s JOIN staff t ON t.id = s.staff_id"
    " JOIN org_node n ON n.id = t.node_id WHERE s.token_hash = ?1";

int session_lookup(struct db *db, const char *token, int64_t now, struct actor *who, char *csrf,
                   int64_t *session_id, int64_t *expires_at)
{
    char hash[CRYPTO_SHA256_HEX];
    if (strlen(token) != 64)
        return ERR_UNAUTHORIZED;
    crypto_sha256_hex(token, 64, hash);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_LOOKUP, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, hash);
    rc = db_step(st);
    if (rc == DB_ROW) {
        if (db_col_int64(st, 2) <= now || db_col_int64(st, 8) != 1) {
            rc = ERR_UNAUTHORIZED;
        } else {
            *session_id = db_col_int64(st, 0);
            *expires_at = db_col_int64(st, 2);
            snprintf(csrf, SESSION_CSRF_HEX, "%s", db_col_text(st, 1));
            who->staff_id = db_col_int64(st, 3);
            snprintf(who->name, sizeof(who->name), "%s", db_col_text(st, 4));
            who->role = role_parse(db_col_text(st, 5));
            who->node_id = db_col_int64(st, 6);
            snprintf(who->scope, sizeof(who->scope), "%s", db_col_text(st, 7));
            rc = who->role == ROLE_NONE ? ERR_UNAUTHORIZED : 0;
        }
    } else if (rc >= 0) {
        rc = ERR_UNAUTHORIZED;
    }
    db_finalize(st);
    return rc;
}

static const char SQL_DELETE[] = "DELETE FROM session WHERE id = ?1";

int session_delete(struct db *db, const struct actor *who, int64_t session_id)
{
    struct db_stmt *st = NULL;
    db_note_auth_change(db);
    int rc = db_prepare(db, SQL_DELETE, &st);
    if (rc < 0)
        return rc;
    db_bind_int64(st, 1, session_id);
    rc = db_step(st);
    db_finalize(st);
    if (rc < 0)
        return rc;
    return audit_append(db, who, "logout", "session", session_id, 0, NULL, NULL);
}

static const char SQL_DEVICE[] =
    "SELECT d.id, d.name, d.node_id, n.path FROM device d JOIN org_node n ON n.id = d.node_id"
    " WHERE d.token_hash = ?1 AND d.active = 1";

int session_device_lookup(struct db *db, const char *token, struct actor *who)
{
    char hash[CRYPTO_SHA256_HEX];
    if (strlen(token) != 64)
        return ERR_UNAUTHORIZED;
    crypto_sha256_hex(token, 64, hash);
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_DEVICE, &st);
    if (rc < 0)
        return rc;
    db_bind_text(st, 1, hash);
    rc = db_step(st);
    if (rc == DB_ROW) {
        who->role = ROLE_DEVICE;
        who->device_id = db_col_int64(st, 0);
        snprintf(who->name, sizeof(who->name), "device:%lld", (long long)who->device_id);
        who->node_id = db_col_int64(st, 2);
        snprintf(who->scope, sizeof(who->scope), "%s", db_col_text(st, 3));
        rc = 0;
    } else if (rc >= 0) {
        rc = ERR_UNAUTHORIZED;
    }
    db_finalize(st);
    return rc;
}

/* api_auth.c - log in, who am I, log out.
 *
 * Password checking is slow by design (Argon2id), so login runs on the slow
 * pool with the connection suspended, then writes through the writer.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "base/crypto.h"
#include "domain/session.h"
#include "domain/staff.h"
#include "http/auth.h"
#include "http/server.h"

struct login_op {
    struct api_op op;
    char *login, *password;
    char ip[48];
    struct login_account acct;
    int64_t now, retry_after;
    int ttl;
    char token[SESSION_TOKEN_HEX];
    char csrf[SESSION_CSRF_HEX];
};

static int run_failure(struct db *db, struct api_op *op, struct err *e)
{
    struct login_op *lo = (struct login_op *)op;
    int rc = session_record_failure(db, lo->login, lo->ip, lo->now);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static int run_session(struct db *db, struct api_op *op, struct err *e)
{
    struct login_op *lo = (struct login_op *)op;
    int rc =
        session_create(db, &op->who, &lo->acct, lo->login, lo->ttl, lo->now, lo->token, lo->csrf);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

/* A hash to check unknown logins against, so their timing matches. */
static char dummy_hash[CRYPTO_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    char pw[33];
    crypto_random_hex(pw, 16);
    if (crypto_password_hash(pw, dummy_hash) < 0)
        dummy_hash[0] = '\0';
}

static int login_work(struct req *r, void *arg, struct err *e)
{
    struct login_op *lo = arg;
    struct db *db = app_read_db(r->app);
    if (!db)
        return err_set(e, ERR_UNAVAILABLE, NULL, "the database is unavailable");
    int rc = session_throttled(db, lo->login, lo->ip, lo->now, &lo->retry_after);
    if (rc == ERR_THROTTLED) {
        crypto_wipe(lo->password, strlen(lo->password));
        return err_set(e, rc, NULL, "too many failed logins; try again in %lld seconds",
                       (long long)lo->retry_after);
    }
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    struct login_account acct;
    rc = session_find_login(db, lo->login, &acct);
    if (rc < 0 && rc != ERR_NOTFOUND)
        return err_set(e, rc, NULL, "database error");
    int ok;
    if (rc == 0) {
        ok = crypto_password_verify(acct.hash, lo->password) == 0 && acct.active;
    } else {
        pthread_once(&dummy_once, make_dummy);
        crypto_password_verify(dummy_hash, lo->password);
        ok = 0;
    }
    crypto_wipe(lo->password, strlen(lo->password));
    if (!ok) {
        lo->op.run = run_failure;
        struct err we = {0};
        rc = api_run_sync(r, &lo->op, &we);
        if (rc < 0)
            return err_set(e, rc, NULL, "%s", we.msg);
        return err_set(e, ERR_UNAUTHORIZED, NULL, "wrong login or password");
    }
    lo->acct = acct;
    crypto_wipe(acct.hash, sizeof(acct.hash));
    crypto_wipe(lo->acct.hash, sizeof(lo->acct.hash));
    lo->op.run = run_session;
    rc = api_run_sync(r, &lo->op, e);
    if (rc < 0)
        return rc;
    struct staff s;
    rc = staff_get(db, lo->acct.staff_id, &s);
    if (rc < 0)
        return err_set(e, rc, NULL, "database error");
    lo->op.result = json_pack("{s:o,s:s}", "user", staff_json(&s), "csrf_token", lo->csrf);
    return 0;
}

static int login_after(struct req *r, int rc, struct err *e)
{
    struct login_op *lo = r->job.arg;
    if (rc < 0) {
        if (rc == ERR_THROTTLED) {
            char *v = arena_printf(&r->arena, "%lld", (long long)lo->retry_after);
            if (v)
                req_header(r, "Retry-After", v);
        }
        json_decref(lo->op.result);
        return req_fail(r, e);
    }
    char *cookie =
        arena_printf(&r->arena, AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
                     lo->token, lo->ttl, r->app->cfg->secure_cookie ? "; Secure" : "");
    crypto_wipe(lo->token, sizeof(lo->token));
    if (!cookie) {
        json_decref(lo->op.result);
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    }
    req_header(r, "Set-Cookie", cookie);
    return req_json(r, 200, lo->op.result);
}

int api_auth_login(struct req *r)
{
    struct login_op *lo = arena_alloc(&r->arena, sizeof(*lo));
    if (!lo)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    struct jfield f[] = {
        {"login", JF_STRING, 1, &lo->login, 1, 64, NULL},
        {"password", JF_STRING, 1, &lo->password, 1, STAFF_PASSWORD_MAX, NULL},
    };
    if (req_query_done(r) < 0 || api_body(r, f, 2) < 0)
        return REQ_DONE;
    snprintf(lo->ip, sizeof(lo->ip), "%s", r->ip);
    snprintf(r->who.ip, sizeof(r->who.ip), "%s", r->ip);
    snprintf(r->who.request_id, sizeof(r->who.request_id), "%s", r->request_id);
    r->who.role = ROLE_PUBLIC;
    lo->op.who = r->who;
    lo->now = (int64_t)time(NULL);
    lo->ttl = r->app->cfg->session_hours * 3600;
    return req_defer(r, login_work, lo, login_after);
}

int api_auth_me(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct staff s;
    int rc = staff_get(req_db(r), r->who.staff_id, &s);
    if (rc < 0)
        return req_error(r, rc == ERR_NOTFOUND ? ERR_UNAUTHORIZED : rc, NULL, "please log in");
    return req_json(r, 200, json_pack("{s:o,s:s}", "user", staff_json(&s), "csrf_token", r->csrf));
}

struct logout_op {
    struct api_op op;
    int64_t session_id;
};

static int run_logout(struct db *db, struct api_op *op, struct err *e)
{
    struct logout_op *lo = (struct logout_op *)op;
    int rc = session_delete(db, &op->who, lo->session_id);
    return rc < 0 ? err_set(e, rc, NULL, "database error") : 0;
}

static int logout_after(struct req *r, int rc, struct err *e)
{
    if (rc < 0)
        return req_fail(r, e);
    req_header(r, "Set-Cookie", AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return req_json(r, 204, NULL);
}

int api_auth_logout(struct req *r)
{
    if (req_query_done(r) < 0)
        return REQ_DONE;
    struct logout_op *lo = arena_alloc(&r->arena, sizeof(*lo));
    if (!lo)
        return req_error(r, ERR_NOMEM, NULL, "out of memory");
    lo->op.run = run_logout;
    lo->session_id = r->session_id;
    return api_submit_with(r, &lo->op, logout_after);
}

#include "http/auth.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "domain/session.h"

struct cached_session {
    char token[65];
    char csrf[SESSION_CSRF_HEX];
    struct actor who;
    int64_t session_id, expires_at;
};

int auth_resolve(struct req *r, int allow_device)
{
    struct db *db = req_db(r);
    if (!db)
        return ERR_UNAVAILABLE;
    struct actor *who = &r->who;
    snprintf(who->ip, sizeof(who->ip), "%s", r->ip);
    snprintf(who->request_id, sizeof(who->request_id), "%s", r->request_id);
    if (allow_device) {
        const char *h = req_header_in(r, "Authorization");
        if (h && strncmp(h, "Device ", 7) == 0)
            return session_device_lookup(db, h + 7, who);
    }
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, AUTH_COOKIE);
    if (!token || strlen(token) != 64)
        return ERR_UNAUTHORIZED;
    int64_t now = (int64_t)time(NULL);
    /* the cache key holds half the token; the entry holds all of it, compared
     * in constant time */
    char key[40];
    snprintf(key, sizeof(key), "s:%.32s", token);
    size_t len = 0;
    const struct cached_session *c = db_cache_get(db, key, &len);
    if (c && len == sizeof(*c) && crypto_str_equal(c->token, token) && c->expires_at > now) {
        char ip[sizeof(who->ip)], rid[sizeof(who->request_id)];
        memcpy(ip, who->ip, sizeof(ip));
        memcpy(rid, who->request_id, sizeof(rid));
        *who = c->who;
        memcpy(who->ip, ip, sizeof(ip));
        memcpy(who->request_id, rid, sizeof(rid));
        memcpy(r->csrf, c->csrf, sizeof(c->csrf));
        r->session_id = c->session_id;
        r->via_cookie = 1;
        return 0;
    }
    struct cached_session fresh;
    memset(&fresh, 0, sizeof(fresh));
    int rc = session_lookup(db, token, now, who, r->csrf, &r->session_id, &fresh.expires_at);
    if (rc < 0) {
        who->role = ROLE_NONE;
        return rc;
    }
    r->via_cookie = 1;
    memcpy(fresh.token, token, 65);
    fresh.who = *who;
    memcpy(fresh.csrf, r->csrf, sizeof(fresh.csrf));
    fresh.session_id = r->session_id;
    db_cache_put(db, key, &fresh, sizeof(fresh));
    crypto_wipe(&fresh, sizeof(fresh));
    return 0;
}

int auth_csrf_ok(struct req *r)
{
    const char *h = req_header_in(r, "X-CSRF-Token");
    if (!h || !r->csrf[0])
        return 0;
    return crypto_str_equal(h, r->csrf);
}

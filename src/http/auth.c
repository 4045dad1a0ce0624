#include "http/auth.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "domain/session.h"
#include "store/db.h"

/* Sessions looked up lately, for every HTTP thread: a session is read from
 * the database once, then again only when AUTH_CACHE_S have passed or a
 * commit changed who someone is (db_auth_generation: logout, staff or org
 * changes). Readers take the generation before the lookup, so an entry can
 * never outlive a change it did not see. */
#define AUTH_CACHE 1024 /* entries, in sets of AUTH_WAYS */
#define AUTH_WAYS 4
#define AUTH_CACHE_S 5

struct cached_session {
    char token[65];
    char csrf[SESSION_CSRF_HEX];
    struct actor who;
    int64_t session_id, expires_at, cached_at;
    unsigned long generation;
};

static struct cached_session cache[AUTH_CACHE];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

/* the first entry of the token's set */
static struct cached_session *set_of(const char *token)
{
    unsigned h = 2166136261u; /* FNV-1a over the token's first half */
    for (int i = 0; i < 32 && token[i]; i++)
        h = (h ^ (unsigned char)token[i]) * 16777619u;
    return &cache[(size_t)(h % (AUTH_CACHE / AUTH_WAYS)) * AUTH_WAYS];
}

static int fresh_entry(const struct cached_session *c, int64_t now, unsigned long gen)
{
    return c->token[0] && c->generation == gen && c->expires_at > now && now >= c->cached_at &&
           now - c->cached_at < AUTH_CACHE_S;
}

static int cache_get(const char *token, int64_t now, unsigned long gen, struct cached_session *out)
{
    struct cached_session *set = set_of(token);
    int hit = 0;
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < AUTH_WAYS && !hit; i++) {
        if (fresh_entry(&set[i], now, gen) && crypto_str_equal(set[i].token, token)) {
            *out = set[i];
            hit = 1;
        }
    }
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

/* into its set: over the same token, else a stale entry, else the oldest */
static void cache_put(const struct cached_session *fresh, int64_t now)
{
    struct cached_session *set = set_of(fresh->token), *victim = NULL;
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < AUTH_WAYS && !victim; i++)
        if (set[i].token[0] && strcmp(set[i].token, fresh->token) == 0)
            victim = &set[i];
    for (int i = 0; i < AUTH_WAYS && !victim; i++)
        if (!fresh_entry(&set[i], now, fresh->generation))
            victim = &set[i];
    if (!victim) {
        victim = &set[0];
        for (int i = 1; i < AUTH_WAYS; i++)
            if (set[i].cached_at < victim->cached_at)
                victim = &set[i];
    }
    *victim = *fresh;
    pthread_mutex_unlock(&cache_mu);
}

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
    unsigned long gen = db_auth_generation(); /* before the lookup: see above */
    struct cached_session c;
    if (cache_get(token, now, gen, &c)) {
        char ip[sizeof(who->ip)], rid[sizeof(who->request_id)];
        memcpy(ip, who->ip, sizeof(ip));
        memcpy(rid, who->request_id, sizeof(rid));
        *who = c.who;
        memcpy(who->ip, ip, sizeof(ip));
        memcpy(who->request_id, rid, sizeof(rid));
        memcpy(r->csrf, c.csrf, sizeof(c.csrf));
        r->session_id = c.session_id;
        r->via_cookie = 1;
        crypto_wipe(&c, sizeof(c));
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
    fresh.cached_at = now;
    fresh.generation = gen;
    cache_put(&fresh, now);
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

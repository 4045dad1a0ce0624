#include "http/auth.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/crypto.h"
#include "domain/session.h"

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
    if (!token)
        return ERR_UNAUTHORIZED;
    int rc = session_lookup(db, token, (int64_t)time(NULL), who, r->csrf, &r->session_id);
    if (rc == 0)
        r->via_cookie = 1;
    else
        who->role = ROLE_NONE;
    return rc;
}

int auth_csrf_ok(struct req *r)
{
    const char *h = req_header_in(r, "X-CSRF-Token");
    if (!h || !r->csrf[0])
        return 0;
    return crypto_str_equal(h, r->csrf);
}

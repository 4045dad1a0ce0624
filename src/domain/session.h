/* session.h - logins, sessions, device tokens and login throttling.
 *
 * Session tokens and device tokens are 32 random bytes (64 hex digits) given
 * to the client once and stored only as their SHA-256. Failed logins are
 * counted per account and per address in a 15-minute window; past the limit
 * logins are refused (even with the right password) until the window ends.
 */
#ifndef CK_SESSION_H
#define CK_SESSION_H

#include <stdint.h>

#include "domain/actor.h"
#include "store/db.h"

#define SESSION_TOKEN_HEX 65
#define SESSION_CSRF_HEX 33
#define THROTTLE_WINDOW_S 900
#define THROTTLE_MAX_ACCOUNT 5
#define THROTTLE_MAX_ADDRESS 20

struct login_account {
    int64_t staff_id;
    int64_t node_id;
    int active;
    char hash[160];
};

/* Look up an account by login for password checking. ERR_NOTFOUND if none. */
int session_find_login(struct db *db, const char *login, struct login_account *out);

/* If the account or the address is over its failure limit now, return
 * ERR_THROTTLED with *retry_after seconds; else 0. */
int session_throttled(struct db *db, const char *login, const char *ip, int64_t now,
                      int64_t *retry_after);

/* Count one failed login for the account and the address (in a write
 * transaction). */
int session_record_failure(struct db *db, const char *login, const char *ip, int64_t now);

/* Create a session for the account (in a write transaction): new random token and
 * CSRF token into token/csrf, clear the account's failures, drop expired
 * sessions, audit the login. */
int session_create(struct db *db, const struct actor *who, const struct login_account *acct,
                   const char *login, int ttl_s, int64_t now, char *token, char *csrf);

/* Resolve a session token: fills who (role, ids, scope, name), csrf and
 * *session_id. ERR_UNAUTHORIZED when unknown, expired or the account is
 * inactive. *expires_at gets the session's end. */
int session_lookup(struct db *db, const char *token, int64_t now, struct actor *who, char *csrf,
                   int64_t *session_id, int64_t *expires_at);

/* Remove a session (logout), audited. */
int session_delete(struct db *db, const struct actor *who, int64_t session_id);

/* Resolve a device token into who (ROLE_DEVICE). ERR_UNAUTHORIZED when
 * unknown or inactive. */
int session_device_lookup(struct db *db, const char *token, struct actor *who);

#endif

/* auth.h - who is calling: the session cookie or a device token. */
#ifndef CK_AUTH_H
#define CK_AUTH_H

#include "http/req.h"

#define AUTH_COOKIE "ck_session"

/* Fill r->who from the ck_session cookie (staff) or, when allow_device, from
 * "Authorization: Device <token>". Returns 0, ERR_UNAUTHORIZED, or a
 * database error code. Sets r->via_cookie, r->csrf and r->session_id for
 * cookie sessions. */
int auth_resolve(struct req *r, int allow_device);

/* 1 when the X-CSRF-Token header equals the session's token (constant time). */
int auth_csrf_ok(struct req *r);

#endif

/* client.h - a small JSON-over-HTTP client for the simulator (libcurl): one
 * logged-in session (its own cookie jar and CSRF token) per client. */
#ifndef CK_SIM_CLIENT_H
#define CK_SIM_CLIENT_H

#include <jansson.h>

struct sim_client;

/* A client for the server at base (e.g. "http://127.0.0.1:8080"); NULL when
 * out of memory. */
struct sim_client *sim_client_new(const char *base);
void sim_client_free(struct sim_client *c);

/* Send method path with body (NULL: none; not consumed) and return the HTTP
 * status, or -1 when the server could not be reached (a message in errbuf).
 * *out (when out is not NULL) gets the parsed JSON answer or NULL; the caller
 * frees it with json_decref. */
long sim_request(struct sim_client *c, const char *method, const char *path, json_t *body,
                 json_t **out, char *errbuf, size_t errlen);

/* POST /api/auth/login and keep the session; the HTTP status or -1. */
long sim_login(struct sim_client *c, const char *login, const char *password, char *errbuf,
               size_t errlen);

#endif

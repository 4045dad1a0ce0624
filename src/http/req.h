/* req.h - one HTTP request as the api layer sees it.
 *
 * Lifetime: a struct req is created when MHD reports a new request and freed
 * when MHD says the request is complete. Everything allocated from r->arena
 * lives exactly that long. A handler runs on an HTTP polling thread: it may
 * read the database through req_db() but must never wait for slow work; writes
 * go through req_write(), which suspends the connection until the writer has
 * committed.
 */
#ifndef CK_REQ_H
#define CK_REQ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/actor.h"
#include "store/db.h"
#include "store/writer.h"

struct MHD_Connection;
struct app;
struct route;

enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD = 2,
    HTTP_POST = 4,
    HTTP_PUT = 8,
    HTTP_PATCH = 16,
    HTTP_DELETE = 32,
    HTTP_OTHER = 64,
};

/* handler results */
enum { REQ_DONE = 0, REQ_PENDING = 1 };

#define REQ_MAX_PARAMS 4
#define REQ_MAX_QUERY 24
#define REQ_MAX_HEADERS 4

struct query_param {
    const char *key; /* decoded, arena */
    const char *value;
    int used; /* set by req_query; unused keys are rejected by req_query_done */
};

struct req;
typedef int (*req_after_fn)(struct req *r, int rc, struct err *e);

struct req {
    struct MHD_Connection *conn;
    struct app *app;
    struct arena arena;
    int method;
    const char *path; /* decoded path, no query (arena; malloc'd when path_owned) */
    int path_owned;
    char request_id[24];
    char ip[48];
    double t_start;
    const struct route *route;
    int route_metric;
    int allowed_methods;                /* when the path matched but not the method */
    const char *params[REQ_MAX_PARAMS]; /* path parameters in pattern order */
    int nparams;
    struct query_param query[REQ_MAX_QUERY];
    int nquery;
    int query_bad; /* the raw query string was malformed or too long */
    int path_bad;  /* the raw path encodes a NUL byte (MHD would cut it there) */

    /* body */
    char *body;
    size_t body_len, body_cap, body_limit;
    int body_too_large;

    /* caller */
    struct actor who;
    char csrf[72];
    int64_t session_id;
    int via_cookie;

    /* response */
    unsigned status;
    char *resp; /* malloc'd */
    size_t resp_len;
    const char *resp_type;
    int resp_fd;
    void *stream; /* an event stream (sse.h) instead of a body */
    size_t resp_fd_size;
    const char *hdr_name[REQ_MAX_HEADERS];
    const char *hdr_value[REQ_MAX_HEADERS];
    int nhdr;

    /* deferred write */
    int state;
    struct writer_job job;
    req_after_fn after;
};

/* Answer with JSON: takes ownership of j (may be NULL for an empty 204). */
int req_json(struct req *r, unsigned status, json_t *j);

/* Answer with an error body {"error":{"code","message","field"?}}. code is an
 * ERR_* value; status follows from it. Returns REQ_DONE. */
int req_error(struct req *r, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Same with a custom machine code and status (e.g. "csrf", 403). */
int req_error_status(struct req *r, unsigned status, const char *code, const char *field,
                     const char *msg);

/* Answer from an err (code, field, message). */
int req_fail(struct req *r, const struct err *e);

/* Answer with raw bytes (copied) of a content type (static string). */
int req_bytes(struct req *r, unsigned status, const char *type, const void *p, size_t n);

/* Add a response header; name and value must live as long as the request
 * (static or arena). At most REQ_MAX_HEADERS. */
void req_header(struct req *r, const char *name, const char *value);

/* Add Content-Disposition: how ("inline" or "attachment") with the file
 * name as RFC 8187 filename*=UTF-8''… (everything but attr-chars
 * percent-encoded), so Chinese names survive. */
void req_disposition(struct req *r, const char *how, const char *filename);

/* The HTTP status that goes with an ERR_* code. */
unsigned req_status_for(int code);

/* The thread's read connection (opened on first use, closed at thread exit);
 * NULL if it cannot be opened. Valid for the duration of the handler call. */
struct db *req_db(struct req *r);

/* Queue run(db, arg, e) on the writer and suspend the connection. When the
 * write's outcome is final, after(r, rc, e) runs on an HTTP thread to render
 * the answer. arg must stay valid until then (allocate it in r->arena).
 * Returns REQ_PENDING (or REQ_DONE with a 503 when the writer is stopping). */
int req_write(struct req *r, int (*run)(struct db *, void *, struct err *), void *arg,
              req_after_fn after);

/* Path parameter i as an id (positive int64). 0 on success, else answers 404
 * and returns ERR_NOTFOUND. */
int req_param_id(struct req *r, int i, int64_t *out);

/* A query parameter's decoded value or NULL; marks it used. */
const char *req_query(struct req *r, const char *key);

/* Read an optional integer query parameter in [min,max] into *out (left as is
 * when absent). Returns 0, or answers 400 naming it and returns ERR_INVALID. */
int req_query_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t *out);

/* After reading the parameters it knows: if the query string was malformed or
 * has a parameter nobody read, answer 400 naming it and return ERR_INVALID. */
int req_query_done(struct req *r);

/* A request header's value or NULL (borrowed for the request). */
const char *req_header_in(struct req *r, const char *name);

/* Parse the body as one JSON object (duplicate keys rejected). On failure
 * answers 400 bad_json and returns NULL. The caller owns the result. */
json_t *req_body_json(struct req *r);

#endif

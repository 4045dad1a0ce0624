/* err.h - the project-wide error codes and an error detail carrier.
 *
 * Every function that can fail returns int: 0 on success, one of the negative
 * ERR_* codes below on failure. Where a caller needs to know which input field
 * was at fault (to answer 400 naming it), the callee fills a struct err.
 */
#ifndef CK_ERR_H
#define CK_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_NOMEM = -1,        /* allocation failed */
    ERR_INVALID = -2,      /* input breaks a rule (400) */
    ERR_NOTFOUND = -3,     /* no such thing (404) */
    ERR_CONFLICT = -4,     /* duplicate or state conflict (409) */
    ERR_FORBIDDEN = -5,    /* outside the caller's scope or role (403) */
    ERR_UNAUTHORIZED = -6, /* not logged in (401) */
    ERR_DB = -7,           /* database failure (500) */
    ERR_BUSY = -8,         /* database busy or locked (503) */
    ERR_UNAVAILABLE = -9,  /* database full or read-only (503) */
    ERR_TOOLARGE = -10,    /* input over a size limit (413) */
    ERR_THROTTLED = -11,   /* too many attempts (429) */
    ERR_IO = -12,          /* file or socket failure */
    ERR_UNSUPPORTED = -13, /* unsupported media or operation (415) */
    ERR_CALENDAR = -14,    /* the working-day calendar lacks a year (422) */
    ERR_GONE = -15,        /* valid once, no longer (410) */
};

/* The detail of a failure: code, the input field at fault ("" when none) and a
 * human message. Plain storage, no allocation; zero-initialise before use. */
struct err {
    int code;
    char field[64];
    char msg[192];
};

/* Fill e (if not NULL) and return code, so a caller can write
 * `return err_set(e, ERR_INVALID, "name", "must not be empty");`.
 * field may be NULL. The message is truncated to fit. */
int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short lower-case machine name for a code ("invalid", "not_found", ...).
 * Never NULL; static storage. */
const char *err_name(int code);

#endif

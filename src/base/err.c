#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *err_name(int code)
{
    switch (code) {
    case ERR_OK:
        return "ok";
    case ERR_NOMEM:
        return "no_memory";
    case ERR_INVALID:
        return "invalid";
    case ERR_NOTFOUND:
        return "not_found";
    case ERR_CONFLICT:
        return "conflict";
    case ERR_FORBIDDEN:
        return "forbidden";
    case ERR_UNAUTHORIZED:
        return "unauthorized";
    case ERR_DB:
        return "database_error";
    case ERR_BUSY:
        return "database_busy";
    case ERR_UNAVAILABLE:
        return "database_unavailable";
    case ERR_TOOLARGE:
        return "too_large";
    case ERR_THROTTLED:
        return "throttled";
    case ERR_IO:
        return "io_error";
    case ERR_UNSUPPORTED:
        return "unsupported";
    case ERR_CALENDAR:
        return "calendar_missing";
    case ERR_GONE:
        return "gone";
    default:
        return "error";
    }
}

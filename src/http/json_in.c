#include "http/json_in.h"

#include <string.h>

#define JSON_IN_MAX_DEPTH 32

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return 1;
    }
    return 0;
}

static const struct jfield *find_field(const struct jfield *f, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(f[i].name, key) == 0)
            return &f[i];
    return NULL;
}

static int unpack_one(const struct jfield *f, json_t *v, struct arena *a, struct err *e)
{
    switch (f->type) {
    case JF_STRING: {
        if (!json_is_string(v))
            return err_set(e, ERR_INVALID, f->name, "%s must be a string", f->name);
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (strlen(s) != len || has_control(s, len))
            return err_set(e, ERR_INVALID, f->name, "%s contains control characters", f->name);
        size_t chars = utf8_chars(s);
        if ((int64_t)chars < f->min)
            return err_set(e, ERR_INVALID, f->name, "%s must have at least %lld characters",
                           f->name, (long long)f->min);
        if ((int64_t)chars > f->max)
            return err_set(e, ERR_INVALID, f->name, "%s must have at most %lld characters", f->name,
                           (long long)f->max);
        char *copy = arena_strndup(a, s, len);
        if (!copy)
            return err_set(e, ERR_NOMEM, f->name, "out of memory");
        *(char **)f->out = copy;
        return 0;
    }
    case JF_INT:
    case JF_ID_OR_NULL: {
        if (f->type == JF_ID_OR_NULL && json_is_null(v)) {
            *(int64_t *)f->out = 0;
            return 0;
        }
        if (!json_is_integer(v))
            return err_set(e, ERR_INVALID, f->name, "%s must be an integer", f->name);
        json_int_t x = json_integer_value(v);
        if (x < f->min || x > f->max)
            return err_set(e, ERR_INVALID, f->name, "%s must be between %lld and %lld", f->name,
                           (long long)f->min, (long long)f->max);
        *(int64_t *)f->out = (int64_t)x;
        return 0;
    }
    case JF_BOOL:
        if (!json_is_boolean(v))
            return err_set(e, ERR_INVALID, f->name, "%s must be true or false", f->name);
        *(int *)f->out = json_is_true(v) ? 1 : 0;
        return 0;
    }
    return err_set(e, ERR_INVALID, f->name, "unsupported field type");
}

int json_in_unpack(json_t *obj, const struct jfield *fields, int n, struct arena *a, struct err *e)
{
    if (!json_is_object(obj))
        return err_set(e, ERR_INVALID, "", "the body must be a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const struct jfield *f = find_field(fields, n, key);
        if (!f)
            return err_set(e, ERR_INVALID, key, "unknown field %.60s", key);
        int rc = unpack_one(f, v, a, e);
        if (rc < 0)
            return rc;
        if (f->present)
            *f->present = 1;
    }
    for (int i = 0; i < n; i++)
        if (fields[i].required && !json_object_get(obj, fields[i].name))
            return err_set(e, ERR_INVALID, fields[i].name, "%s is required", fields[i].name);
    return 0;
}

static int depth_ok(const char *buf, size_t len)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > JSON_IN_MAX_DEPTH)
                return 0;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return 1;
}

json_t *json_in_parse(const char *buf, size_t len, struct err *e)
{
    if (!buf || len == 0) {
        err_set(e, ERR_INVALID, "", "the body is empty; a JSON object is expected");
        return NULL;
    }
    if (!depth_ok(buf, len)) {
        err_set(e, ERR_INVALID, "", "the JSON is nested too deeply");
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        err_set(e, ERR_INVALID, "", "malformed JSON at line %d column %d: %.80s", je.line,
                je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        err_set(e, ERR_INVALID, "", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

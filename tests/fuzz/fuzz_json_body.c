/* fuzz_json_body.c - libFuzzer driver for the request-body path: the input is
 * a body as a client sends it; it goes through json_in_parse and, when that
 * yields an object, through json_in_unpack with a field table like the staff
 * and org handlers use. Besides the sanitizers, the driver checks the
 * unpacker's promises and aborts when one is broken. Built by run.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "http/json_in.h"

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

static void check_string(const char *s, int present, int64_t min, int64_t max)
{
    if (!present)
        return;
    if (!s)
        abort();
    size_t chars = utf8_chars(s);
    if ((int64_t)chars < min || (int64_t)chars > max)
        abort();
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e;
    memset(&e, 0, sizeof(e));
    json_t *j = json_in_parse((const char *)data, size, &e);
    if (!j) {
        if (e.code != ERR_INVALID || !e.msg[0])
            abort();
        return 0;
    }
    if (!json_is_object(j))
        abort();

    struct {
        char *login, *name, *password, *role, *badge_no, *note;
        int64_t node_id, page, parent_id;
        int party_member, active;
        int p_login, p_name, p_password, p_role, p_badge, p_note, p_node, p_page, p_parent, p_party,
            p_active;
    } v;
    memset(&v, 0, sizeof(v));
    v.page = -1;
    v.party_member = -1;
    v.active = -1;
    struct jfield f[] = {
        {"login", JF_STRING, 1, &v.login, 2, 32, &v.p_login},
        {"name", JF_STRING, 1, &v.name, 1, 50, &v.p_name},
        {"password", JF_STRING, 0, &v.password, 1, 128, &v.p_password},
        {"role", JF_STRING, 0, &v.role, 1, 16, &v.p_role},
        {"badge_no", JF_STRING, 0, &v.badge_no, 0, 32, &v.p_badge},
        {"note", JF_STRING, 0, &v.note, 0, 200, &v.p_note},
        {"node_id", JF_INT, 1, &v.node_id, 1, INT64_MAX, &v.p_node},
        {"page", JF_INT, 0, &v.page, 1, 1000, &v.p_page},
        {"parent_id", JF_ID_OR_NULL, 0, &v.parent_id, 1, INT64_MAX, &v.p_parent},
        {"party_member", JF_BOOL, 0, &v.party_member, 0, 0, &v.p_party},
        {"active", JF_BOOL, 0, &v.active, 0, 0, &v.p_active},
    };
    struct arena a = {0};
    a.cap = 1 << 20;
    int rc = json_in_unpack(j, f, (int)(sizeof(f) / sizeof(f[0])), &a, &e);
    if (rc == 0) {
        /* everything promised by json_in.h holds for what came out */
        if (!v.p_login || !v.p_name || !v.p_node)
            abort();
        check_string(v.login, v.p_login, 2, 32);
        check_string(v.name, v.p_name, 1, 50);
        check_string(v.password, v.p_password, 1, 128);
        check_string(v.role, v.p_role, 1, 16);
        check_string(v.badge_no, v.p_badge, 0, 32);
        check_string(v.note, v.p_note, 0, 200);
        if (v.node_id < 1)
            abort();
        if (v.p_page ? (v.page < 1 || v.page > 1000) : v.page != -1)
            abort();
        if (v.p_parent && v.parent_id < 0)
            abort();
        if (v.p_party ? (v.party_member != 0 && v.party_member != 1) : v.party_member != -1)
            abort();
        if (v.p_active ? (v.active != 0 && v.active != 1) : v.active != -1)
            abort();
        /* no key outside the table got through */
        const char *key;
        json_t *val;
        json_object_foreach(j, key, val)
        {
            int known = 0;
            for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                known |= strcmp(key, f[i].name) == 0;
            if (!known)
                abort();
        }
    } else if (rc != ERR_INVALID && rc != ERR_NOMEM) {
        abort();
    } else if (e.code != rc || !e.msg[0]) {
        abort();
    }
    json_decref(j);
    arena_reset(&a);
    return 0;
}

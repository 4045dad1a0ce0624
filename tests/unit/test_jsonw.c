/* test_jsonw.c - the JSON text writer gives what jansson gives. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/jsonw.h"

static void same_as_jansson(const char *value)
{
    struct jsonw w;
    jw_init(&w);
    jw_begin(&w);
    jw_str(&w, "k\"ey", value);
    jw_int(&w, "n", -9007199254740993LL);
    jw_null(&w, "z");
    jw_id(&w, "id0", 0);
    jw_id(&w, "id", 42);
    jw_text(&w, "empty", "");
    jw_text(&w, "t", value);
    jw_end(&w);
    size_t len = 0;
    char *mine = jw_finish(&w, &len);
    cr_assert_not_null(mine);
    cr_assert_eq(len, strlen(mine));

    json_t *j = json_object();
    json_object_set_new(j, "k\"ey", json_string(value));
    json_object_set_new(j, "n", json_integer(-9007199254740993LL));
    json_object_set_new(j, "z", json_null());
    json_object_set_new(j, "id0", json_null());
    json_object_set_new(j, "id", json_integer(42));
    json_object_set_new(j, "empty", json_null());
    json_object_set_new(j, "t", *value ? json_string(value) : json_null());
    char *theirs = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    cr_assert_str_eq(mine, theirs);
    free(mine);
    free(theirs);
}

Test(jsonw, strings_escape_as_jansson_does)
{
    same_as_jansson("plain");
    same_as_jansson("");
    same_as_jansson("张*");
    same_as_jansson("quote \" backslash \\ slash / tab \t nl \n cr \r bs \b ff \f");
    same_as_jansson("\x01\x1f\x7f end");
    same_as_jansson("emoji 😀 and 不动产登记");
}

Test(jsonw, nested_objects_and_null_strings)
{
    struct jsonw w;
    jw_init(&w);
    jw_begin(&w);
    jw_str(&w, "a", NULL);
    jw_int(&w, "b", 0);
    jw_end(&w);
    char *p = jw_finish(&w, NULL);
    cr_assert_str_eq(p, "{\"a\":null,\"b\":0}");
    free(p);
}

Test(jsonw, raw_values_and_integer_arrays)
{
    int64_t ids[] = {3, -1, 9000000000LL};
    struct jsonw w;
    jw_init(&w);
    jw_begin(&w);
    jw_raw(&w, "inner", "{\"x\":1}");
    jw_raw(&w, "none", NULL);
    jw_ints(&w, "ids", ids, 3);
    jw_ints(&w, "empty", ids, 0);
    jw_end(&w);
    char *p = jw_finish(&w, NULL);
    cr_assert_str_eq(p,
                     "{\"inner\":{\"x\":1},\"none\":null,\"ids\":[3,-1,9000000000],\"empty\":[]}");
    free(p);
}

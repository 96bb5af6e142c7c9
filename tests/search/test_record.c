/*
 * test_record.c - record.c reads a stored passage record as jansson does:
 * every record it accepts gives the same six fields and the same other
 * members as json_loadb; the ones it is not sure of it declines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "record.h"

static const char *const names[KS_RECORD_CORE] = { "id", "doc", "section", "lang", "kind", "text" };

/* Records the reader must accept, each compared with jansson's reading. */
static const char *const accepted[] = {
    "{\"id\":\"a.md#1\",\"doc\":\"a.md\",\"section\":\"\",\"lang\":\"fa\",\"kind\":\"body\","
    "\"text\":\"\xd8\xa7\xdb\x8c\xd8\xb1\xd8\xa7\xd9\x86 \\\"q\\\" a\\\\b\\n\\t\\u00e9\\u0645\\/\","
    "\"glosses\":[],\"citations\":[{\"start\":1,\"end\":2,\"score\":0.5}]}",
    "{\"id\":null,\"doc\":null,\"text\":\"x\",\"page\":3,\"line\":17,\"title\":\"T\","
    "\"source\":{\"authors\":[\"A\",\"B\"],\"year\":null}}",
    " { \"text\" : \"spaced\" , \"kind\" : \"biblio\" } \n",
    "{}",
    "{\"id\":7,\"text\":\"\\u0001 control\"}",
    "{\"a\":[],\"b\":{},\"c\":null,\"d\":true,\"e\":false,\"f\":0,\"g\":123456789012345678,"
    "\"h\":-4,\"i\":1.5,\"j\":1e3,\"k\":[ ],\"l\":\"plain \xd8\xa7\",\"m\":\"esc\\\"aped\",\"text\":\"\xf0\x9f\x98\x80 \xe2\x80\xae\"}",
};

/* Records it must decline (jansson decides: a repeated member keeps the
 * last, \u0000 and lone surrogates are refused, trailing bytes are an error). */
static const char *const declined[] = {
    "{\"text\":\"a\",\"text\":\"b\"}",
    "{\"page\":1,\"page\":2}",
    "{\"text\":\"a\\u0000b\"}",
    "{\"text\":\"\\ud83d\\ude00\"}",
    "{\"text\":\"a\"} x",
    "{\"text\":\"a\"",
    "[1,2]",
    "{\"text\":\"a\",}",
    "{\"te\\u0078t\":\"a\"}",
    "{\"page\":01}",
    "{\"page\":-}",
    "{\"page\":nul}",
};

static void test_same_as_jansson(void **state)
{
    (void)state;
    ks_record_t r = { 0 };
    for (size_t k = 0; k < sizeof accepted / sizeof accepted[0]; k++) {
        const char *s = accepted[k];
        json_error_t err;
        json_t *j = json_loadb(s, strlen(s), 0, &err);
        assert_non_null(j);
        assert_int_equal(ks_record_read(&r, s, strlen(s)), 0);
        json_t *rest = json_deep_copy(j);
        for (int f = 0; f < KS_RECORD_CORE; f++) {
            const char *v = json_string_value(json_object_get(j, names[f]));
            assert_string_equal(r.field[f], v ? v : "");
            json_object_del(rest, names[f]);
        }
        assert_int_equal(r.text_len, strlen(r.field[KS_RECORD_TEXT]));
        assert_true(json_equal(rest, r.rest));
        json_decref(rest);
        json_decref(j);
    }
    ks_record_free(&r);
}

static void test_declines(void **state)
{
    (void)state;
    ks_record_t r = { 0 };
    for (size_t k = 0; k < sizeof declined / sizeof declined[0]; k++) {
        const char *s = declined[k];
        assert_int_equal(ks_record_read(&r, s, strlen(s)), -1);
        assert_null(r.rest);
    }
    /* Invalid UTF-8 and NUL bytes. */
    assert_int_equal(ks_record_read(&r, "{\"text\":\"\xff\"}", 12), -1);
    assert_int_equal(ks_record_read(&r, "{\"text\":\"a\0b\"}", 14), -1);
    assert_int_equal(ks_record_read(&r, NULL, 0), -1);
    ks_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson),
        cmocka_unit_test(test_declines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

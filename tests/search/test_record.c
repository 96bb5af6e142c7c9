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

#include <stdlib.h>
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
    /* A core member that is not a string is read as "" only when it is JSON. */
    "{\"text\":[1},\"x\":1}",
    "{\"id\":\"a#1\",\"text\":tru}",
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

/* A value ks_json_canonical accepts is exactly what jansson writes for it;
 * the ones it refuses are those jansson would write otherwise. */
static void test_canonical(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "[]", "{}", "null", "true", "false", "0", "-3", "123456789012345678", "0.5", "2.5",
        "1e20", "1.0000000000000001e-5", "41.045414810697686", "3.0", "\"\"",
        "\"a\\\"b\\\\c\\n\\t\\b\\f\\r\\u0001\\u001F \xd8\xa7/\"",
        "[{\"start\":1,\"end\":2,\"score\":0.25,\"s\":\"x\"},[null,true,[]]]",
        "{\"a\":{\"a\":1},\"b\":[1,2]}",
    };
    static const char *const no[] = {
        "", " []", "[ ]", "[1, 2]", "{\"a\": 1}", "01", "-0", "+1", "1.50", "1E20", "1e+20",
        "0.1000000000000000055511151231257827", "1234567890123456789", "\"\\/\"",
        "\"\\u0041\"", "\"\\u000a\"", "\"\\u001f\"", "\"\\u0000\"", "{\"a\":1,\"a\":2}",
        "{\"\\u0061\":1}", "[1,]", "[1", "tru", "nul", "1e400", "\"a", "[]]",
    };
    for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
        const char *v = yes[k];
        assert_true(ks_json_canonical(v, strlen(v)));
        json_error_t err;
        json_t *j = json_loadb(v, strlen(v), JSON_DECODE_ANY, &err);
        assert_non_null(j);
        char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        assert_non_null(d);
        assert_string_equal(d, v);
        free(d);
        json_decref(j);
    }
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
        assert_false(ks_json_canonical(no[k], strlen(no[k])));
}

/* Read raw, a record keeps its other members as written, canonical ones
 * unparsed, the others as jansson reads them; the six fields as before. */
static void test_raw(void **state)
{
    (void)state;
    ks_record_t r = { 0 }, plain = { 0 };
    const char *s = "{\"id\":\"a#1\",\"text\":\"t\",\"line\":3,\"citations\":[{\"score\":0.5}],"
                    "\"glosses\":[ ],\"title\":\"x\\/y\"}";
    assert_int_equal(ks_record_read_raw(&r, s, strlen(s)), 0);
    assert_int_equal(ks_record_read(&plain, s, strlen(s)), 0);
    assert_null(r.rest);
    for (int f = 0; f < KS_RECORD_CORE; f++)
        assert_string_equal(r.field[f], plain.field[f]);
    assert_int_equal(r.n_raw, 4);
    const ks_record_raw_t *c = ks_record_raw(&r, "citations");
    assert_non_null(c);
    assert_null(c->parsed);
    assert_int_equal(c->value_len, strlen("[{\"score\":0.5}]"));
    assert_memory_equal(c->value, "[{\"score\":0.5}]", c->value_len);
    const ks_record_raw_t *g = ks_record_raw(&r, "glosses");
    assert_non_null(g);
    assert_non_null(g->parsed);   /* "[ ]" is not how jansson writes it */
    assert_true(json_equal(g->parsed, json_object_get(plain.rest, "glosses")));
    const ks_record_raw_t *t = ks_record_raw(&r, "title");
    assert_non_null(t);
    assert_string_equal(json_string_value(t->parsed), "x/y");
    assert_null(ks_record_raw(&r, "page"));
    assert_null(ks_record_raw(&r, "text"));
    /* A member jansson cannot read declines the record, read raw or not. */
    const char *bad = "{\"text\":\"t\",\"line\":1e400}";
    assert_int_equal(ks_record_read_raw(&r, bad, strlen(bad)), -1);
    assert_int_equal(ks_record_read(&plain, bad, strlen(bad)), -1);
    ks_record_free(&r);
    ks_record_free(&plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson),
        cmocka_unit_test(test_declines),
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

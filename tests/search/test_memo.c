/*
 * test_memo.c - the batch's memo of index reads: what is put is got back,
 * byte for byte, through growth; a key keeps its first value; clearing and
 * the size bound forget; a NULL memo remembers nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "memo.h"

static void test_put_get(void **state)
{
    (void)state;
    ks_memo_t *m = ks_memo_new(1 << 20);
    assert_non_null(m);
    char key[32], val[32];
    /* Past the first table's 256 slots, so it grows. */
    for (int i = 0; i < 2000; i++) {
        int kl = snprintf(key, sizeof key, "k%d", i);
        int vl = snprintf(val, sizeof val, "value of %d", i * 7);
        ks_memo_put(m, key, (size_t)kl, val, (size_t)vl);
    }
    for (int i = 0; i < 2000; i++) {
        int kl = snprintf(key, sizeof key, "k%d", i);
        int vl = snprintf(val, sizeof val, "value of %d", i * 7);
        size_t got = 0;
        const char *v = ks_memo_get(m, key, (size_t)kl, &got);
        assert_non_null(v);
        assert_int_equal(got, (size_t)vl);
        assert_memory_equal(v, val, got);
    }
    size_t got = 0;
    assert_null(ks_memo_get(m, "k2000", 5, &got));
    assert_null(ks_memo_get(m, "k1", 1, &got));   /* a prefix of a key is another key */
    /* A key keeps its first value; an empty value is a value. */
    ks_memo_put(m, "k5", 2, "other", 5);
    const char *v = ks_memo_get(m, "k5", 2, &got);
    assert_non_null(v);
    assert_memory_equal(v, "value of 35", got);
    ks_memo_put(m, "empty", 5, "", 0);
    assert_non_null(ks_memo_get(m, "empty", 5, &got));
    assert_int_equal(got, 0);
    ks_memo_clear(m);
    assert_null(ks_memo_get(m, "k5", 2, &got));
    ks_memo_put(m, "k5", 2, "again", 5);
    v = ks_memo_get(m, "k5", 2, &got);
    assert_non_null(v);
    assert_memory_equal(v, "again", 5);
    ks_memo_free(m);
}

static void test_bound(void **state)
{
    (void)state;
    /* Room for a few entries: past it the memo starts afresh. */
    ks_memo_t *m = ks_memo_new(512);
    assert_non_null(m);
    char val[100];
    memset(val, 'x', sizeof val);
    ks_memo_put(m, "a", 1, val, sizeof val);
    ks_memo_put(m, "b", 1, val, sizeof val);
    size_t got = 0;
    assert_non_null(ks_memo_get(m, "a", 1, &got));
    for (int i = 0; i < 10; i++) {
        char key[8];
        int kl = snprintf(key, sizeof key, "c%d", i);
        ks_memo_put(m, key, (size_t)kl, val, sizeof val);
    }
    assert_null(ks_memo_get(m, "a", 1, &got));
    assert_non_null(ks_memo_get(m, "c9", 2, &got));
    /* Larger than the whole bound: not kept. */
    char big[1024] = { 0 };
    ks_memo_put(m, "big", 3, big, sizeof big);
    assert_null(ks_memo_get(m, "big", 3, &got));
    ks_memo_free(m);
    /* NULL remembers nothing. */
    ks_memo_put(NULL, "a", 1, "b", 1);
    assert_null(ks_memo_get(NULL, "a", 1, &got));
    ks_memo_clear(NULL);
    ks_memo_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

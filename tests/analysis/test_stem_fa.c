/*
 * test_stem_fa.c - the Persian stemmer on word families (stem_fa.tsv).
 *
 * Each word goes through the public analyzer, as a query would: it must give
 * exactly one word whose stem is "Z" + the expected stem. Families and guard
 * cases are laid out in the data file.
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

static void test_families(void **state)
{
    (void)state;
    ka_analyzer_t *a;
    assert_int_equal(ka_analyzer_new(&a), KA_OK);
    size_t n;
    ka_test_row_t *rows = ka_test_read_table(table_path, &n);
    assert_true(n >= 150);
    ka_test_toks_t toks = { 0 };
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const ka_test_row_t *r = &rows[i];
        assert_int_equal(r->nfields, 2);
        assert_int_equal(ka_test_collect(a, KA_QUERY, r->field[0], r->flen[0], &toks), KA_OK);
        const ka_test_tok_t *word = NULL;
        size_t words = 0;
        for (size_t k = 0; k < toks.n; k++)
            if (!(toks.v[k].flags & KA_TOK_JOINED)) {
                word = &toks.v[k];
                words++;
            }
        const char *got = word && word->stem ? word->stem + 1 : "(none)";
        if (words != 1 || word->script != KA_SCRIPT_ARABIC || word->stem == NULL ||
            word->stem[0] != 'Z' || strcmp(got, r->field[1]) != 0) {
            print_error("stem_fa.tsv line %d: %s -> expected %s, got %s (%zu words)\n",
                        r->lineno, r->field[0], r->field[1], got, words);
            failures++;
        }
    }
    printf("stem_fa.tsv: %zu words, %d wrong\n", n, failures);
    ka_test_toks_free(&toks);
    ka_test_free_table(rows, n);
    ka_analyzer_free(a);
    assert_int_equal(failures, 0);
}

int main(int argc, char **argv)
{
    table_path = argc > 1 ? argv[1] : KA_TEST_DATA_DIR "/stem_fa.tsv";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families),
    };
    return cmocka_run_group_tests_name("analysis_stem_fa", tests, NULL, NULL);
}

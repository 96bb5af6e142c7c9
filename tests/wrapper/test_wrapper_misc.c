/*
 * test_wrapper_misc.c - the parts of the wrapper with no database: status
 * strings, Snowball stemmers (cases in stem_cases.tsv), the term length
 * limit, and NULL arguments given to every entry point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kx_test_util.h"

/* Room for any stem in the case table. */
#define STEM_BUF 128

static void test_status_strings(void **state)
{
    (void)state;
    const char *seen[KX_STATUS_LAST];
    for (int s = 0; s < KX_STATUS_LAST; s++) {
        const char *text = kx_status_to_string((kx_status_t)s);
        assert_non_null(text);
        assert_true(text[0] != '\0');
        assert_string_not_equal(text, "unknown status");
        for (int t = 0; t < s; t++)
            assert_string_not_equal(text, seen[t]);
        seen[s] = text;
    }
    const int out_of_range[] = {KX_STATUS_LAST, KX_STATUS_LAST + 1, -1, 1000};
    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++)
        assert_string_equal(kx_status_to_string((kx_status_t)out_of_range[i]), "unknown status");
}

static void test_stemmer_cases(void **state)
{
    (void)state;
    void *fp = kxt_open_data("stem_cases.tsv");
    char line[KX_TEST_LINE_MAX];
    int cases = 0;
    while (kxt_next_line(fp, line, sizeof line)) {
        char *save = NULL;
        char *lang = strtok_r(line, "\t", &save);
        char *word = strtok_r(NULL, "\t", &save);
        char *expected = strtok_r(NULL, "\t", &save);
        assert_non_null(expected);
        kx_stemmer_t *st = NULL;
        assert_int_equal(kx_stemmer_new(lang, &st), KX_OK);
        char buf[STEM_BUF];
        size_t len = 0;
        assert_int_equal(kx_stemmer_stem(st, word, strlen(word), buf, sizeof buf, &len), KX_OK);
        if (strcmp(buf, expected) != 0)
            fail_msg("%s stem of %s: expected %s, got %s", lang, word, expected, buf);
        assert_int_equal(len, strlen(expected));
        kx_stemmer_free(st);
        cases++;
    }
    fclose(fp);
    assert_true(cases >= 6);
}

static void test_stemmer_edges(void **state)
{
    (void)state;
    kx_stemmer_t *st = (kx_stemmer_t *)&st;
    assert_int_equal(kx_stemmer_new("klingon", &st), KX_INVALID_ARGUMENT);
    assert_null(st);
    assert_int_equal(kx_stemmer_new("", &st), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_stemmer_new("english", &st), KX_OK);

    /* Too small a buffer: the length needed is still reported. */
    char small[3];
    size_t len = 0;
    assert_int_equal(kx_stemmer_stem(st, "running", 7, small, sizeof small, &len), KX_INVALID_ARGUMENT);
    assert_int_equal(len, 3);
    assert_int_equal(kx_stemmer_stem(st, "running", 7, NULL, 0, &len), KX_INVALID_ARGUMENT);
    assert_int_equal(len, 3);
    /* Only len bytes are read. */
    char buf[STEM_BUF];
    assert_int_equal(kx_stemmer_stem(st, "runningXYZ", 7, buf, sizeof buf, &len), KX_OK);
    assert_string_equal(buf, "run");
    /* Bytes that are not UTF-8 are stemmed as bytes, without a crash. */
    static const char junk[] = "\xff\xfe\xc3(\xed\xa0\x80 ing";
    assert_int_equal(kx_stemmer_stem(st, junk, sizeof junk - 1, buf, sizeof buf, &len), KX_OK);
    assert_int_equal(kx_stemmer_stem(st, "", 0, buf, sizeof buf, &len), KX_OK);
    assert_int_equal(len, 0);
    kx_stemmer_free(st);
}

static void test_term_length_limit(void **state)
{
    char term[KX_MAX_TERM_BYTES + 1];
    memset(term, 'x', sizeof term - 1);
    term[sizeof term - 1] = '\0';   /* KX_MAX_TERM_BYTES bytes: too long */
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, term, 1, 1), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_doc_add_term(doc, term, 1), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_doc_add_boolean_term(doc, term), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_doc_add_term(doc, "", 1), KX_INVALID_ARGUMENT);

    /* One byte shorter is accepted, and Xapian really stores it. */
    term[KX_MAX_TERM_BYTES - 1] = '\0';
    assert_int_equal(kx_doc_add_posting(doc, term, 1, 1), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Qlong"), KX_OK);
    char *dir = kxt_tmpdir();
    kx_db_t *db = kxt_open(dir, KX_OPEN_OVERWRITE);
    assert_int_equal(kx_db_replace_by_term(db, "Qlong", doc, NULL), KX_OK);
    kx_status_t st = kx_db_commit(db);
    if (st != KX_OK)
        fail_msg("commit of a %d-byte term: %s", KX_MAX_TERM_BYTES - 1, kx_db_last_error(db));
    unsigned freq = 0;
    assert_int_equal(kx_db_term_freq(db, term, &freq), KX_OK);
    assert_int_equal(freq, 1);
    /* Replacing by, or deleting, a too-long or empty term is refused too. */
    term[KX_MAX_TERM_BYTES - 1] = 'x';
    assert_int_equal(kx_db_replace_by_term(db, term, doc, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_replace_by_term(db, "", doc, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_delete_by_term(db, ""), KX_INVALID_ARGUMENT);
    kx_db_stats_t s;
    assert_int_equal(kx_db_stats(db, &s), KX_OK);
    assert_int_equal(s.doc_count, 1);
    kx_db_close(db);
    kxt_rmtree(dir);
    kx_doc_free(doc);
    (void)state;
}

static int never(void *ctx, const char *s)
{
    (void)ctx;
    (void)s;
    fail_msg("callback called for a NULL argument");
    return 1;
}

static int never_term(void *ctx, const char *s, size_t len, unsigned f)
{
    (void)ctx;
    (void)s;
    (void)len;
    (void)f;
    fail_msg("callback called for a NULL argument");
    return 1;
}

static int never_docid(void *ctx, unsigned id)
{
    (void)ctx;
    (void)id;
    fail_msg("callback called for a NULL argument");
    return 1;
}

static int never_match(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    (void)s;
    (void)len;
    fail_msg("callback called for a NULL argument");
    return 1;
}

static void test_null_arguments(void **state)
{
    (void)state;
    const kx_status_t bad = KX_INVALID_ARGUMENT;
    char *dir = kxt_tmpdir();
    kx_db_t *db = kxt_open(dir, KX_OPEN_OVERWRITE);
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    kx_query_t *q = NULL;
    assert_int_equal(kx_query_term("t", 1, 0, &q), KX_OK);
    kx_stemmer_t *stem = NULL;
    assert_int_equal(kx_stemmer_new("english", &stem), KX_OK);
    char *s = NULL;
    size_t len = 0;
    unsigned u = 0;
    kx_db_t *out_db = NULL;
    char *detail = NULL;

    kx_free(NULL);
    kx_db_close(NULL);
    kx_doc_free(NULL);
    kx_query_free(NULL);
    kx_mset_free(NULL);
    kx_stemmer_free(NULL);
    assert_string_equal(kx_db_last_error(NULL), "");

    assert_int_equal(kx_db_open(NULL, KX_OPEN_READ, &out_db, &detail), bad);
    assert_null(out_db);
    assert_non_null(detail);
    kx_free(detail);
    assert_int_equal(kx_db_open(dir, KX_OPEN_READ, NULL, NULL), bad);
    assert_int_equal(kx_db_open(dir, (kx_open_mode_t)42, &out_db, NULL), bad);
    assert_int_equal(kx_db_open("", KX_OPEN_READ, &out_db, NULL), bad);
    assert_int_equal(kx_db_open_multi(NULL, 1, &out_db, NULL), bad);
    const char *nullpath[] = {NULL};
    assert_int_equal(kx_db_open_multi(nullpath, 1, &out_db, NULL), bad);
    assert_int_equal(kx_db_open_multi(nullpath, 1, NULL, NULL), bad);

    assert_int_equal(kx_db_reopen(NULL), bad);
    assert_int_equal(kx_db_commit(NULL), bad);
    assert_int_equal(kx_db_begin_transaction(NULL), bad);
    assert_int_equal(kx_db_commit_transaction(NULL), bad);
    assert_int_equal(kx_db_cancel_transaction(NULL), bad);
    assert_int_equal(kx_db_get_metadata(NULL, "k", &s), bad);
    assert_int_equal(kx_db_get_metadata(db, NULL, &s), bad);
    assert_int_equal(kx_db_get_metadata(db, "k", NULL), bad);
    assert_int_equal(kx_db_get_metadata(db, "", &s), bad);
    assert_int_equal(kx_db_set_metadata(NULL, "k", "v"), bad);
    assert_int_equal(kx_db_set_metadata(db, NULL, "v"), bad);
    assert_int_equal(kx_db_set_metadata(db, "k", NULL), bad);
    assert_int_equal(kx_db_metadata_keys(NULL, "", never, NULL), bad);
    assert_int_equal(kx_db_metadata_keys(db, NULL, never, NULL), bad);
    assert_int_equal(kx_db_metadata_keys(db, "", NULL, NULL), bad);
    assert_int_equal(kx_db_check_schema(NULL, "k", "1"), bad);
    assert_int_equal(kx_db_check_schema(db, NULL, "1"), bad);
    assert_int_equal(kx_db_check_schema(db, "k", NULL), bad);
    assert_int_equal(kx_db_stats(NULL, NULL), bad);
    assert_int_equal(kx_db_stats(db, NULL), bad);
    assert_int_equal(kx_db_term_freq(NULL, "t", &u), bad);
    assert_int_equal(kx_db_term_freq(db, NULL, &u), bad);
    assert_int_equal(kx_db_term_freq(db, "t", NULL), bad);
    assert_int_equal(kx_db_all_terms(NULL, "", never_term, NULL), bad);
    assert_int_equal(kx_db_all_terms(db, NULL, never_term, NULL), bad);
    assert_int_equal(kx_db_all_terms(db, "", NULL, NULL), bad);
    assert_int_equal(kx_db_postings(NULL, "t", never_docid, NULL), bad);
    assert_int_equal(kx_db_postings(db, NULL, never_docid, NULL), bad);
    assert_int_equal(kx_db_postings(db, "t", NULL, NULL), bad);
    assert_int_equal(kx_db_get_data(NULL, 1, &s, &len), bad);
    assert_int_equal(kx_db_get_data(db, 1, NULL, &len), bad);
    assert_int_equal(kx_db_get_value(NULL, 1, 0, &s, &len), bad);
    assert_int_equal(kx_db_get_value(db, 1, 0, NULL, &len), bad);
    assert_int_equal(kx_db_add_synonym(NULL, "a", "b"), bad);
    assert_int_equal(kx_db_add_synonym(db, NULL, "b"), bad);
    assert_int_equal(kx_db_add_synonym(db, "a", NULL), bad);
    assert_int_equal(kx_db_clear_synonyms(NULL, "a"), bad);
    assert_int_equal(kx_db_clear_synonyms(db, NULL), bad);
    assert_int_equal(kx_db_synonyms(NULL, "a", never, NULL), bad);
    assert_int_equal(kx_db_synonyms(db, NULL, never, NULL), bad);
    assert_int_equal(kx_db_synonyms(db, "a", NULL, NULL), bad);
    assert_true(kx_db_last_error(db)[0] != '\0');

    assert_int_equal(kx_doc_new(NULL), bad);
    assert_int_equal(kx_doc_add_posting(NULL, "t", 1, 1), bad);
    assert_int_equal(kx_doc_add_posting(doc, NULL, 1, 1), bad);
    assert_int_equal(kx_doc_add_term(NULL, "t", 1), bad);
    assert_int_equal(kx_doc_add_term(doc, NULL, 1), bad);
    assert_int_equal(kx_doc_add_boolean_term(NULL, "t"), bad);
    assert_int_equal(kx_doc_add_boolean_term(doc, NULL), bad);
    assert_int_equal(kx_doc_set_value(NULL, 0, "v", 1), bad);
    assert_int_equal(kx_doc_set_value(doc, 0, NULL, 1), bad);
    assert_int_equal(kx_doc_set_value(doc, 0, NULL, 0), KX_OK);
    assert_int_equal(kx_doc_set_data(NULL, "d", 1), bad);
    assert_int_equal(kx_doc_set_data(doc, NULL, 1), bad);
    assert_int_equal(kx_doc_set_data(doc, NULL, 0), KX_OK);
    assert_int_equal(kx_db_replace_by_term(NULL, "Qa", doc, NULL), bad);
    assert_int_equal(kx_db_replace_by_term(db, NULL, doc, NULL), bad);
    assert_int_equal(kx_db_replace_by_term(db, "Qa", NULL, NULL), bad);
    assert_int_equal(kx_db_add_document(NULL, doc, NULL), bad);
    assert_int_equal(kx_db_add_document(db, NULL, NULL), bad);
    assert_int_equal(kx_db_delete_by_term(NULL, "Qa"), bad);
    assert_int_equal(kx_db_delete_by_term(db, NULL), bad);

    kx_query_t *out = NULL;
    kx_query_t *with_null[] = {q, NULL};
    assert_int_equal(kx_query_term(NULL, 1, 0, &out), bad);
    assert_int_equal(kx_query_term("", 1, 0, &out), bad);
    assert_int_equal(kx_query_term("t", 1, 0, NULL), bad);
    assert_int_equal(kx_query_combine(KX_OP_AND, NULL, 2, 0, &out), bad);
    assert_int_equal(kx_query_combine(KX_OP_AND, with_null, 2, 0, &out), bad);
    assert_int_equal(kx_query_combine(KX_OP_LAST, with_null, 1, 0, &out), bad);
    assert_int_equal(kx_query_combine((kx_query_op_t)-1, with_null, 1, 0, &out), bad);
    assert_int_equal(kx_query_combine(KX_OP_AND, with_null, 1, 0, NULL), bad);
    assert_int_equal(kx_query_scale(NULL, 1.0, &out), bad);
    assert_int_equal(kx_query_scale(q, 1.0, NULL), bad);
    assert_int_equal(kx_query_wildcard(NULL, 0, &out), bad);
    assert_int_equal(kx_query_wildcard("", 0, &out), bad);
    assert_int_equal(kx_query_wildcard("a", 0, NULL), bad);
    assert_int_equal(kx_query_value_range(0, NULL, "b", &out), bad);
    assert_int_equal(kx_query_value_range(0, "a", NULL, &out), bad);
    assert_int_equal(kx_query_value_range(0, "a", "b", NULL), bad);
    assert_int_equal(kx_query_match_all(NULL), bad);
    assert_int_equal(kx_query_match_nothing(NULL), bad);
    assert_null(kx_query_describe(NULL));
    assert_null(out);

    kx_mset_t *ms = NULL;
    kx_hit_t hit;
    assert_int_equal(kx_search(NULL, q, NULL, 0, 10, &ms), bad);
    assert_int_equal(kx_search(db, NULL, NULL, 0, 10, &ms), bad);
    assert_int_equal(kx_search(db, q, NULL, 0, 10, NULL), bad);
    assert_null(ms);
    assert_int_equal(kx_mset_size(NULL), 0);
    assert_int_equal(kx_mset_estimate(NULL), 0);
    assert_int_equal(kx_mset_hit(NULL, 0, &hit), bad);
    assert_int_equal(kx_mset_matching_terms(NULL, 0, never_match, NULL), bad);
    assert_int_equal(kx_search(db, q, NULL, 0, 10, &ms), KX_OK);
    assert_int_equal(kx_mset_hit(ms, 0, NULL), bad);
    assert_int_equal(kx_mset_matching_terms(ms, 0, NULL, NULL), bad);
    kx_mset_free(ms);

    char buf[16];
    kx_stemmer_t *other = NULL;
    assert_int_equal(kx_stemmer_new(NULL, &other), bad);
    assert_null(other);
    assert_int_equal(kx_stemmer_new("english", NULL), bad);
    assert_int_equal(kx_stemmer_stem(NULL, "a", 1, buf, sizeof buf, &len), bad);
    assert_int_equal(kx_stemmer_stem(stem, NULL, 1, buf, sizeof buf, &len), bad);
    assert_int_equal(kx_stemmer_stem(stem, "a", 1, NULL, sizeof buf, &len), bad);
    assert_int_equal(kx_stemmer_stem(stem, "a", 1, buf, sizeof buf, NULL), bad);

    kx_stemmer_free(stem);
    kx_query_free(q);
    kx_doc_free(doc);
    kx_db_close(db);
    kxt_rmtree(dir);
}

typedef struct {
    char     terms[8][16];
    unsigned wdf[8], npos[8];
    size_t   n;
} doc_terms_t;

static int keep_term(void *ctx, const char *term, size_t len, unsigned wdf, unsigned npos)
{
    doc_terms_t *t = ctx;
    assert_true(len < sizeof t->terms[0] && strlen(term) == len);
    memcpy(t->terms[t->n], term, len + 1);
    t->wdf[t->n] = wdf;
    t->npos[t->n] = npos;
    return ++t->n == 3;   /* the walk stops when asked */
}

/* A document being built shows its terms (byte order, wdf, positions) and data. */
static void test_doc_contents(void **state)
{
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    char *data = NULL;
    size_t len = 99;
    assert_int_equal(kx_doc_get_data(doc, &data, &len), KX_OK);
    assert_string_equal(data, "");
    assert_int_equal(len, 0);
    kx_free(data);
    assert_int_equal(kx_doc_add_posting(doc, "kavosh", 3, 1), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, "kavosh", 7, 1), KX_OK);
    assert_int_equal(kx_doc_add_term(doc, "Zkav", 2), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Lfa"), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, "zz", 1, 1), KX_OK);
    assert_int_equal(kx_doc_set_data(doc, "{\"a\":\0}", 8), KX_OK);
    doc_terms_t t = { .n = 0 };
    assert_int_equal(kx_doc_terms(doc, keep_term, &t), KX_OK);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.terms[0], "Lfa");
    assert_int_equal(t.wdf[0], 0);
    assert_int_equal(t.npos[0], 0);
    assert_string_equal(t.terms[1], "Zkav");
    assert_int_equal(t.wdf[1], 2);
    assert_int_equal(t.npos[1], 0);
    assert_string_equal(t.terms[2], "kavosh");
    assert_int_equal(t.wdf[2], 2);
    assert_int_equal(t.npos[2], 2);
    assert_int_equal(kx_doc_get_data(doc, &data, &len), KX_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(data, "{\"a\":\0}", 8);
    kx_free(data);
    assert_int_equal(kx_doc_terms(NULL, keep_term, &t), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_doc_terms(doc, NULL, &t), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_doc_get_data(doc, NULL, &len), KX_INVALID_ARGUMENT);
    kx_doc_free(doc);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_strings),
        cmocka_unit_test(test_stemmer_cases),
        cmocka_unit_test(test_stemmer_edges),
        cmocka_unit_test(test_term_length_limit),
        cmocka_unit_test(test_doc_contents),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

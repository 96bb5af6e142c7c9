/*
 * test_wrapper_db.c - databases through the wrapper: opening and its
 * failures (missing, locked, corrupt), writing and replacing documents,
 * stored data and values, metadata and the schema check, synonyms,
 * transactions, several databases searched as one, and reopening.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kx_test_util.h"

/* The schema key the tests use; any key behaves the same. */
#define SCHEMA_KEY "kavosh.schema"

static int setup_dir(void **state)
{
    *state = kxt_tmpdir();
    return 0;
}

static int teardown_dir(void **state)
{
    kxt_rmtree(*state);
    return 0;
}

/* The status of opening path for mode, with the detail returned in *detail (malloc'd). */
static kx_status_t try_open(const char *path, kx_open_mode_t mode, char **detail)
{
    kx_db_t *db = (kx_db_t *)&db;   /* any non-NULL value, to see it reset */
    kx_status_t st = kx_db_open(path, mode, &db, detail);
    if (st == KX_OK) {
        assert_non_null(db);
        kx_db_close(db);
    } else {
        assert_null(db);
    }
    return st;
}

static unsigned term_freq(kx_db_t *db, const char *term)
{
    unsigned n = 0;
    kx_status_t st = kx_db_term_freq(db, term, &n);
    if (st != KX_OK)
        fail_msg("term_freq(%s): %s", term, kx_db_last_error(db));
    return n;
}

static unsigned doc_count(kx_db_t *db)
{
    kx_db_stats_t s;
    assert_int_equal(kx_db_stats(db, &s), KX_OK);
    return s.doc_count;
}

static void test_missing_database(void **state)
{
    char *missing = kxt_join(*state, "no-such-db");
    char *detail = NULL;
    assert_int_equal(try_open(missing, KX_OPEN_READ, &detail), KX_NOT_FOUND);
    assert_non_null(detail);
    assert_true(detail[0] != '\0');
    kx_free(detail);
    free(missing);

    /* A directory that holds no database is not found either. */
    detail = NULL;
    assert_int_equal(try_open(*state, KX_OPEN_READ, &detail), KX_NOT_FOUND);
    assert_non_null(detail);
    kx_free(detail);

    /* The detail is optional. */
    assert_int_equal(try_open("/nonexistent/kx/db", KX_OPEN_READ, NULL), KX_NOT_FOUND);
}

static void test_second_writer_locked(void **state)
{
    kx_db_t *w = kxt_open(*state, KX_OPEN_WRITE);
    char *detail = NULL;
    assert_int_equal(try_open(*state, KX_OPEN_WRITE, &detail), KX_LOCKED);
    assert_non_null(detail);
    assert_true(detail[0] != '\0');
    kx_free(detail);
    /* Readers are not blocked by the writer. */
    assert_int_equal(try_open(*state, KX_OPEN_READ, NULL), KX_OK);
    kx_db_close(w);
    /* Once the writer is gone, the lock is too. */
    assert_int_equal(try_open(*state, KX_OPEN_WRITE, NULL), KX_OK);
}

static void test_replace_is_idempotent(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    unsigned first = kxt_add_words(db, "p1", "alpha beta");
    unsigned second = kxt_add_words(db, "p1", "gamma delta");
    assert_int_equal(first, second);
    assert_int_equal(kx_db_commit(db), KX_OK);
    assert_int_equal(doc_count(db), 1);
    assert_int_equal(term_freq(db, "Qp1"), 1);
    /* The second version replaced the first. */
    assert_int_equal(term_freq(db, "alpha"), 0);
    assert_int_equal(term_freq(db, "gamma"), 1);
    kxt_add_words(db, "p2", "alpha");
    assert_int_equal(doc_count(db), 2);
    assert_int_equal(kx_db_delete_by_term(db, "Qp2"), KX_OK);
    assert_int_equal(kx_db_delete_by_term(db, "Qnobody"), KX_OK);
    assert_int_equal(doc_count(db), 1);
    kx_db_close(db);

    /* Overwrite discards what was there. */
    db = kxt_open(*state, KX_OPEN_OVERWRITE);
    assert_int_equal(doc_count(db), 0);
    kx_db_close(db);
}

static void test_data_and_values(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    /* Stored data is bytes: a NUL inside and Persian text must come back whole. */
    static const char data[] = "{\"t\":\"\xd8\xa7\xdb\x8c\xd8\xb1\xd8\xa7\xd9\x86\"}\0tail";
    const size_t data_len = sizeof data - 1;
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    assert_int_equal(kx_doc_add_boolean_term(doc, "Qd1"), KX_OK);
    assert_int_equal(kx_doc_add_posting(doc, "iran", 1, 1), KX_OK);
    assert_int_equal(kx_doc_set_data(doc, data, data_len), KX_OK);
    assert_int_equal(kx_doc_set_value(doc, 3, "1953\0x", 6), KX_OK);
    unsigned id = 0;
    assert_int_equal(kx_db_replace_by_term(db, "Qd1", doc, &id), KX_OK);
    kx_doc_free(doc);
    assert_int_equal(kx_db_commit(db), KX_OK);

    char *got = NULL;
    size_t len = 0;
    assert_int_equal(kx_db_get_data(db, id, &got, &len), KX_OK);
    assert_int_equal(len, data_len);
    assert_memory_equal(got, data, data_len);
    assert_int_equal(got[len], '\0');
    kx_free(got);

    assert_int_equal(kx_db_get_value(db, id, 3, &got, &len), KX_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(got, "1953\0x", 6);
    kx_free(got);
    assert_int_equal(kx_db_get_value(db, id, 4, &got, NULL), KX_OK);
    assert_string_equal(got, "");
    kx_free(got);

    /* The same data through a search hit. */
    kx_query_t *q = kxt_parse_query("iran");
    kx_mset_t *ms = NULL;
    assert_int_equal(kx_search(db, q, NULL, 0, 10, &ms), KX_OK);
    kx_hit_t hit;
    assert_int_equal(kx_mset_hit(ms, 0, &hit), KX_OK);
    assert_int_equal(hit.docid, id);
    assert_int_equal(hit.data_len, data_len);
    assert_memory_equal(hit.data, data, data_len);
    kx_mset_free(ms);
    kx_query_free(q);

    got = (char *)data;
    assert_int_equal(kx_db_get_data(db, id + 100, &got, &len), KX_NO_SUCH_DOC);
    assert_null(got);
    assert_true(kx_db_last_error(db)[0] != '\0');
    assert_int_equal(kx_db_get_data(db, 0, &got, &len), KX_INVALID_ARGUMENT);
    /* A success clears the detail of the failure before it. */
    assert_int_equal(kx_db_commit(db), KX_OK);
    assert_string_equal(kx_db_last_error(db), "");
    kx_db_close(db);
}

static int collect_key(void *ctx, const char *key)
{
    char *buf = ctx;
    if (buf[0])
        strcat(buf, ",");
    strcat(buf, key);
    return 0;
}

static void test_metadata_and_schema(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(db, "unset", &v), KX_OK);
    assert_string_equal(v, "");
    kx_free(v);

    /* An empty database takes the expected schema. */
    assert_int_equal(kx_db_check_schema(db, SCHEMA_KEY, "3"), KX_OK);
    assert_int_equal(kx_db_get_metadata(db, SCHEMA_KEY, &v), KX_OK);
    assert_string_equal(v, "3");
    kx_free(v);
    assert_int_equal(kx_db_set_metadata(db, "kavosh.lang.fa", "persian"), KX_OK);
    assert_int_equal(kx_db_set_metadata(db, "kavosh.lang.ru", "russian"), KX_OK);
    assert_int_equal(kx_db_set_metadata(db, "other", "x"), KX_OK);
    kxt_add_words(db, "m1", "word");
    assert_int_equal(kx_db_commit(db), KX_OK);
    kx_db_close(db);

    db = kxt_open(*state, KX_OPEN_READ);
    char keys[256] = "";
    assert_int_equal(kx_db_metadata_keys(db, "kavosh.lang.", collect_key, keys), KX_OK);
    assert_string_equal(keys, "kavosh.lang.fa,kavosh.lang.ru");
    assert_int_equal(kx_db_check_schema(db, SCHEMA_KEY, "3"), KX_OK);
    assert_int_equal(kx_db_check_schema(db, SCHEMA_KEY, "4"), KX_SCHEMA_MISMATCH);
    const char *detail = kx_db_last_error(db);
    assert_non_null(strstr(detail, "'3'"));
    assert_non_null(strstr(detail, "'4'"));
    /* Documents but no schema at all is a mismatch too. */
    assert_int_equal(kx_db_check_schema(db, "kavosh.other-schema", "1"), KX_SCHEMA_MISMATCH);
    assert_non_null(strstr(kx_db_last_error(db), "'1'"));
    /* A reader cannot write. */
    assert_int_equal(kx_db_set_metadata(db, "k", "v"), KX_INVALID_ARGUMENT);
    assert_true(kx_db_last_error(db)[0] != '\0');
    kx_db_close(db);
}

static void test_synonyms(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    assert_int_equal(kx_db_add_synonym(db, "iran", "persia"), KX_OK);
    assert_int_equal(kx_db_add_synonym(db, "iran", "eran"), KX_OK);
    assert_int_equal(kx_db_add_synonym(db, "tajik", "tojik"), KX_OK);
    assert_int_equal(kx_db_commit(db), KX_OK);
    kx_db_close(db);

    db = kxt_open(*state, KX_OPEN_READ);
    char syn[256] = "";
    assert_int_equal(kx_db_synonyms(db, "iran", collect_key, syn), KX_OK);
    assert_string_equal(syn, "eran,persia");
    kx_db_close(db);

    db = kxt_open(*state, KX_OPEN_WRITE);
    assert_int_equal(kx_db_clear_synonyms(db, "iran"), KX_OK);
    syn[0] = '\0';
    assert_int_equal(kx_db_synonyms(db, "iran", collect_key, syn), KX_OK);
    assert_string_equal(syn, "");
    assert_int_equal(kx_db_synonyms(db, "tajik", collect_key, syn), KX_OK);
    assert_string_equal(syn, "tojik");
    kx_db_close(db);
}

static void test_transactions(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    assert_int_equal(kx_db_begin_transaction(db), KX_OK);
    kxt_add_words(db, "t1", "discarded");
    assert_int_equal(kx_db_cancel_transaction(db), KX_OK);
    assert_int_equal(doc_count(db), 0);
    assert_int_equal(term_freq(db, "discarded"), 0);

    assert_int_equal(kx_db_begin_transaction(db), KX_OK);
    /* Transactions do not nest. */
    assert_int_not_equal(kx_db_begin_transaction(db), KX_OK);
    kxt_add_words(db, "t2", "kept");
    assert_int_equal(kx_db_commit_transaction(db), KX_OK);
    kx_db_close(db);

    db = kxt_open(*state, KX_OPEN_READ);
    assert_int_equal(doc_count(db), 1);
    assert_int_equal(term_freq(db, "kept"), 1);
    /* Writer-only calls refuse a read-only handle. */
    assert_int_equal(kx_db_commit(db), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_begin_transaction(db), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_delete_by_term(db, "Qt2"), KX_INVALID_ARGUMENT);
    kx_db_close(db);
}

static void test_multi_database(void **state)
{
    char *one = kxt_join(*state, "one");
    char *two = kxt_join(*state, "two");
    kx_db_t *db = kxt_open(one, KX_OPEN_OVERWRITE);
    kxt_add_words(db, "fa-1", "samanid court poetry");
    kx_db_close(db);
    db = kxt_open(two, KX_OPEN_OVERWRITE);
    kxt_add_words(db, "ru-1", "samanid coins");
    kxt_add_words(db, "ru-2", "bukhara emirate");
    kx_db_close(db);

    const char *paths[] = {one, two};
    kx_db_t *multi = NULL;
    char *detail = NULL;
    assert_int_equal(kx_db_open_multi(paths, 2, &multi, &detail), KX_OK);
    assert_null(detail);
    assert_int_equal(doc_count(multi), 3);
    kx_query_t *q = kxt_parse_query("samanid");
    char *names = kxt_hit_names(multi, q);
    assert_string_equal(names, "fa-1,ru-1");
    free(names);
    kx_query_free(q);
    kx_db_close(multi);

    /* A missing member fails the whole open, and the detail names it. */
    char *three = kxt_join(*state, "three");
    const char *bad[] = {one, three};
    assert_int_equal(kx_db_open_multi(bad, 2, &multi, &detail), KX_NOT_FOUND);
    assert_null(multi);
    assert_non_null(detail);
    assert_non_null(strstr(detail, three));
    kx_free(detail);
    assert_int_equal(kx_db_open_multi(paths, 0, &multi, NULL), KX_INVALID_ARGUMENT);
    free(one);
    free(two);
    free(three);
}

static int count_and_stop(void *ctx, const char *term, size_t len, unsigned freq)
{
    unsigned *n = ctx;
    (void)term;
    assert_true(len > 0);
    assert_true(freq > 0);
    return ++*n == 2;
}

static int collect_docid(void *ctx, unsigned docid)
{
    unsigned *sum = ctx;
    *sum += docid;
    return 0;
}

static void test_stats_terms_reopen(void **state)
{
    kx_db_t *w = kxt_open(*state, KX_OPEN_OVERWRITE);
    unsigned a = kxt_add_words(w, "s1", "one two three");
    unsigned b = kxt_add_words(w, "s2", "two three");
    assert_int_equal(kx_db_commit(w), KX_OK);

    kx_db_t *r = kxt_open(*state, KX_OPEN_READ);
    kx_db_stats_t s;
    assert_int_equal(kx_db_stats(r, &s), KX_OK);
    assert_int_equal(s.doc_count, 2);
    assert_int_equal(s.last_docid, b);
    /* Boolean id terms have wdf 0 and add nothing to the lengths. */
    assert_int_equal(s.total_length, 5);
    assert_true(s.avg_length > 2.49 && s.avg_length < 2.51);
    assert_int_equal(term_freq(r, "two"), 2);
    assert_int_equal(term_freq(r, "absent"), 0);

    unsigned seen = 0;
    assert_int_equal(kx_db_all_terms(r, "", count_and_stop, &seen), KX_OK);
    assert_int_equal(seen, 2);
    unsigned sum = 0;
    assert_int_equal(kx_db_postings(r, "three", collect_docid, &sum), KX_OK);
    assert_int_equal(sum, a + b);

    /* The reader sees a later commit only after reopening. */
    kxt_add_words(w, "s3", "four");
    assert_int_equal(kx_db_commit(w), KX_OK);
    assert_int_equal(term_freq(r, "four"), 0);
    assert_int_equal(kx_db_reopen(r), KX_OK);
    assert_int_equal(term_freq(r, "four"), 1);
    kx_db_close(r);
    kx_db_close(w);
}

/* Replace the first bytes of dir/name with garbage, or truncate it. */
static void damage(const char *dir, const char *name, int truncate)
{
    char *path = kxt_join(dir, name);
    FILE *fp = fopen(path, truncate ? "w" : "r+");
    assert_non_null(fp);
    if (!truncate) {
        static const char garbage[] = "this is not a Xapian file, it is garbage...";
        for (int i = 0; i < 64; i++)
            fwrite(garbage, 1, sizeof garbage - 1, fp);
    }
    fclose(fp);
    free(path);
}

/* Build a small committed database in dir/name and return its path. */
static char *small_db(const char *dir, const char *name)
{
    char *path = kxt_join(dir, name);
    kx_db_t *db = kxt_open(path, KX_OPEN_OVERWRITE);
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        kxt_add_words(db, id, "some words to fill the tables with postings");
    }
    assert_int_equal(kx_db_commit(db), KX_OK);
    kx_db_close(db);
    return path;
}

/* Open path and search it; return the first failure's status (KX_OK if none). */
static kx_status_t open_and_search(const char *path, char **detail)
{
    kx_db_t *db = NULL;
    kx_status_t st = kx_db_open(path, KX_OPEN_READ, &db, detail);
    if (st != KX_OK)
        return st;
    kx_query_t *q = kxt_parse_query("(OR words postings)");
    kx_mset_t *ms = NULL;
    st = kx_search(db, q, NULL, 0, 100, &ms);
    for (unsigned i = 0; st == KX_OK && i < kx_mset_size(ms); i++) {
        kx_hit_t hit;
        st = kx_mset_hit(ms, i, &hit);
    }
    if (st != KX_OK)
        *detail = strdup(kx_db_last_error(db));
    kx_mset_free(ms);
    kx_query_free(q);
    kx_db_close(db);
    return st;
}

static void test_corrupt_database(void **state)
{
    /* The version file damaged: Xapian cannot tell what it is. */
    char *path = small_db(*state, "bad-version");
    damage(path, "iamglass", 0);
    char *detail = NULL;
    kx_status_t st = open_and_search(path, &detail);
    assert_true(st == KX_CORRUPT || st == KX_NOT_FOUND);
    assert_non_null(detail);
    assert_true(detail[0] != '\0');
    kx_free(detail);
    free(path);

    path = small_db(*state, "short-version");
    damage(path, "iamglass", 1);
    detail = NULL;
    st = open_and_search(path, &detail);
    assert_true(st == KX_CORRUPT || st == KX_NOT_FOUND);
    kx_free(detail);
    free(path);

    /* A damaged B-tree: glass reports DatabaseCorruptError or an I/O-level
     * DatabaseError, both KX_CORRUPT: it fails with that status and a
     * detail rather than an escaped exception. */
    static const char *const tables[] = {"postlist.glass", "termlist.glass", "docdata.glass"};
    int failed = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        for (int truncate = 0; truncate <= 1; truncate++) {
            path = small_db(*state, truncate ? "short-table" : "bad-table");
            char *file = kxt_join(path, tables[t]);
            FILE *exists = fopen(file, "r");
            free(file);
            if (!exists) {   /* glass leaves out tables it has no use for */
                free(path);
                continue;
            }
            fclose(exists);
            damage(path, tables[t], truncate);
            detail = NULL;
            st = open_and_search(path, &detail);
            if (st != KX_OK) {
                failed++;
                assert_true(st == KX_CORRUPT || st == KX_NOT_FOUND);
                assert_non_null(detail);
                assert_true(detail[0] != '\0');
            }
            kx_free(detail);
            free(path);
        }
    }
    /* Damage to the posting table at least must be noticed. */
    assert_true(failed >= 2);
}

static void test_remote_paths(void **state)
{
    (void)state;
    char *detail = NULL;
    assert_int_equal(try_open("tcp:localhost", KX_OPEN_READ, &detail), KX_INVALID_ARGUMENT);
    assert_non_null(detail);
    kx_free(detail);
    assert_int_equal(try_open("tcp:localhost:99999", KX_OPEN_READ, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(try_open("tcp:localhost:80x", KX_OPEN_READ, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(try_open("tcp:127.0.0.1:1", KX_OPEN_WRITE, NULL), KX_INVALID_ARGUMENT);
    /* Nothing listens on port 1: a network error, reported, not thrown. */
    detail = NULL;
    assert_int_equal(try_open("tcp:127.0.0.1:1", KX_OPEN_READ, &detail), KX_XAPIAN_ERROR);
    assert_non_null(detail);
    kx_free(detail);
}

/* kx_db_compact: a copy with the same documents, terms and metadata, in a
 * new directory; never over an existing one, never from nothing. */
static void test_compact(void **state)
{
    char *src = kxt_join(*state, "src"), *dst = kxt_join(*state, "dst");
    kx_db_t *db = kxt_open(src, KX_OPEN_WRITE);
    char name[32];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof name, "p%d", i);
        kxt_add_words(db, name, i % 2 ? "alpha beta" : "gamma");
    }
    /* Deleted documents leave room that the copy does not keep. */
    for (int i = 0; i < 200; i += 4) {
        snprintf(name, sizeof name, "Qp%d", i);
        assert_int_equal(kx_db_delete_by_term(db, name), KX_OK);
    }
    assert_int_equal(kx_db_set_metadata(db, "k", "v"), KX_OK);
    assert_int_equal(kx_db_commit(db), KX_OK);
    /* Compacted while the writer holds it open: its committed state. */
    char *detail = NULL;
    assert_int_equal(kx_db_compact(src, dst, &detail), KX_OK);
    assert_null(detail);
    kx_db_close(db);
    kx_db_t *a = kxt_open(src, KX_OPEN_READ), *b = kxt_open(dst, KX_OPEN_READ);
    assert_int_equal(doc_count(a), 150);
    assert_int_equal(doc_count(b), 150);
    assert_int_equal(term_freq(b, "alpha"), term_freq(a, "alpha"));
    assert_int_equal(term_freq(b, "gamma"), term_freq(a, "gamma"));
    assert_int_equal(term_freq(b, "Qp0"), 0);
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(b, "k", &v), KX_OK);
    assert_string_equal(v, "v");
    kx_free(v);
    kx_db_close(a);
    kx_db_close(b);

    /* Not over a directory that exists, not from a missing database. */
    assert_int_equal(kx_db_compact(src, dst, &detail), KX_INVALID_ARGUMENT);
    assert_non_null(detail);
    kx_free(detail);
    char *none = kxt_join(*state, "none"), *dst2 = kxt_join(*state, "dst2");
    assert_int_equal(kx_db_compact(none, dst2, &detail), KX_NOT_FOUND);
    assert_non_null(detail);
    kx_free(detail);
    assert_int_equal(kx_db_compact(NULL, dst2, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_compact("tcp:localhost:1", dst2, NULL), KX_INVALID_ARGUMENT);
    free(none);
    free(dst2);
    free(src);
    free(dst);
}

static int first_docid(void *ctx, unsigned docid)
{
    unsigned *out = ctx;
    if (!*out)
        *out = docid;
    return 0;
}

/* kx_db_compact_many: the sources' documents in order, renumbered; every
 * source's metadata, the first's value for a key several hold; a scratch
 * database (KX_OPEN_SCRATCH) is an ordinary one once committed. */
static void test_compact_many(void **state)
{
    char *p1 = kxt_join(*state, "p1"), *p2 = kxt_join(*state, "p2"), *p3 = kxt_join(*state, "p3");
    char *dst = kxt_join(*state, "merged");
    const char *srcs[] = { p1, p2, p3 };
    char name[32];
    for (int k = 0; k < 3; k++) {
        kx_db_t *db = kxt_open(srcs[k], k == 1 ? KX_OPEN_SCRATCH : KX_OPEN_OVERWRITE);
        for (int i = 0; i < 10 * (k + 1); i++) {
            snprintf(name, sizeof name, "s%dd%d", k, i);
            kxt_add_words(db, name, k == 2 ? "alpha" : "beta");
        }
        snprintf(name, sizeof name, "only%d", k);
        assert_int_equal(kx_db_set_metadata(db, name, "yes"), KX_OK);
        assert_int_equal(kx_db_set_metadata(db, "shared", srcs[k]), KX_OK);
        assert_int_equal(kx_db_commit(db), KX_OK);
        kx_db_close(db);
    }
    char *detail = NULL;
    assert_int_equal(kx_db_compact_many(srcs, 3, dst, 1, &detail), KX_OK);
    assert_null(detail);
    kx_db_t *m = kxt_open(dst, KX_OPEN_READ);
    assert_int_equal(doc_count(m), 60);
    assert_int_equal(term_freq(m, "alpha"), 30);
    assert_int_equal(term_freq(m, "beta"), 30);
    /* In order: the first source's documents first, the last's last. */
    unsigned first = 0, last = 0;
    assert_int_equal(kx_db_postings(m, "Qs0d0", first_docid, &first), KX_OK);
    assert_int_equal(kx_db_postings(m, "Qs2d29", first_docid, &last), KX_OK);
    assert_int_equal(first, 1);
    assert_int_equal(last, 60);
    for (int k = 0; k < 3; k++) {
        char *v = NULL;
        snprintf(name, sizeof name, "only%d", k);
        assert_int_equal(kx_db_get_metadata(m, name, &v), KX_OK);
        assert_string_equal(v, "yes");
        kx_free(v);
    }
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(m, "shared", &v), KX_OK);
    assert_string_equal(v, p1);
    kx_free(v);
    kx_db_close(m);
    /* Not over an existing directory, not from nothing or a remote. */
    assert_int_equal(kx_db_compact_many(srcs, 3, dst, 0, &detail), KX_INVALID_ARGUMENT);
    assert_non_null(detail);
    kx_free(detail);
    char *dst2 = kxt_join(*state, "merged2");
    const char *bad[] = { p1, "tcp:localhost:1" };
    assert_int_equal(kx_db_compact_many(bad, 2, dst2, 0, NULL), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_db_compact_many(srcs, 0, dst2, 0, NULL), KX_INVALID_ARGUMENT);
    free(dst2);
    free(p1);
    free(p2);
    free(p3);
    free(dst);
}

/* A time limit: a search that runs past it says so and still gives the
 * same hits as one without (Xapian stops only counting); a limit it cannot
 * reach leaves the flag clear; a bad limit is refused. */
static void test_time_limit(void **state)
{
    kx_db_t *db = kxt_open(*state, KX_OPEN_OVERWRITE);
    char name[32], words[64];
    for (unsigned i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "p%u", i);
        snprintf(words, sizeof words, "iran%s %s", i % 3 ? " iran" : "", i % 7 ? "trade" : "oil");
        kxt_add_words(db, name, words);
    }
    assert_int_equal(kx_db_commit(db), KX_OK);
    kx_query_t *q = kxt_parse_query("(OR iran oil)");
    kx_mset_t *plain = NULL, *timed = NULL, *roomy = NULL;
    assert_int_equal(kx_search(db, q, NULL, 0, 10, &plain), KX_OK);
    assert_int_equal(kx_mset_timed_out(plain), 0);
    /* One nanosecond: no match of 300 documents takes less. */
    assert_int_equal(kx_search_timed(db, q, NULL, 0, 10, 1e-9, &timed), KX_OK);
    assert_int_equal(kx_mset_timed_out(timed), 1);
    assert_int_equal(kx_search_timed(db, q, NULL, 0, 10, 3600.0, &roomy), KX_OK);
    assert_int_equal(kx_mset_timed_out(roomy), 0);
    assert_int_equal(kx_mset_size(plain), 10);
    assert_int_equal(kx_mset_size(timed), kx_mset_size(plain));
    for (unsigned i = 0; i < kx_mset_size(plain); i++) {
        kx_hit_t a, b;
        assert_int_equal(kx_mset_hit(plain, i, &a), KX_OK);
        assert_int_equal(kx_mset_hit(timed, i, &b), KX_OK);
        assert_int_equal(a.docid, b.docid);
        assert_int_equal(a.rank, b.rank);
    }
    unsigned lo = 0, est = 0, up = 0;
    kx_mset_bounds(timed, &lo, &est, &up);
    assert_true(lo <= est && est <= up && up <= 300);
    kx_mset_free(plain);
    kx_mset_free(timed);
    kx_mset_free(roomy);

    kx_mset_t *ms = (kx_mset_t *)&ms;
    assert_int_equal(kx_search_timed(db, q, NULL, 0, 10, -1.0, &ms), KX_INVALID_ARGUMENT);
    assert_null(ms);
    assert_int_equal(kx_search_timed(db, q, NULL, 0, 10, NAN, &ms), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_search_timed(db, q, NULL, 0, 10, INFINITY, &ms), KX_INVALID_ARGUMENT);
    assert_true(kx_db_last_error(db)[0] != '\0');
    assert_int_equal(kx_search_timed(NULL, q, NULL, 0, 10, 1.0, &ms), KX_INVALID_ARGUMENT);
    assert_int_equal(kx_mset_timed_out(NULL), 0);
    kx_query_free(q);
    kx_db_close(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown_dir)
    const struct CMUnitTest tests[] = {
        T(test_missing_database),  T(test_second_writer_locked), T(test_replace_is_idempotent),
        T(test_data_and_values),   T(test_metadata_and_schema),  T(test_synonyms),
        T(test_transactions),      T(test_multi_database),       T(test_stats_terms_reopen),
        T(test_corrupt_database),  T(test_remote_paths),         T(test_compact),
        T(test_compact_many),      T(test_time_limit),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

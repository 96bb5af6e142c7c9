/*
 * test_query.c - the query parser on tables of good and bad queries, and on
 * seeded random input: never a crash, every failure a syntax error with a
 * position.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static ka_analyzer_t *an;

static int setup(void **state)
{
    (void)state;
    return ka_analyzer_new(&an) == KA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ka_analyzer_free(an);
    return 0;
}

/* Each case: query, expected status, and a fragment the Xapian description
 * must contain (or NULL). Kept here as data. */
static const struct qcase {
    const char       *query;
    ks_query_status_t status;
    const char       *describe;
} cases[] = {
    { "ماناس", KS_QUERY_OK, "ماناس" },
    { "\"جاده ابریشم\"", KS_QUERY_OK, "PHRASE" },
    { "+ایران -روسیه", KS_QUERY_OK, "AND_NOT" },
    { "ایران AND روسیه", KS_QUERY_OK, " AND " },
    { "ایران NOT روسیه", KS_QUERY_OK, "AND_NOT" },
    { "(ایران OR روسیه) چین", KS_QUERY_OK, " OR " },
    { "قرقیز*", KS_QUERY_OK, "WILDCARD" },
    { "lang:fa ایران", KS_QUERY_OK, "Lfa" },
    { "section:\"روابط سیاسی\"", KS_QUERY_OK, "Sسیاسی" },
    { "year:1390..1400", KS_QUERY_OK, "VALUE_RANGE" },
    { "source:article.fa.md#ref-3 روسیه", KS_QUERY_OK, "Oarticle.fa.md#ref-3" },
    { "cites:article.fa.md#ref-3", KS_QUERY_OK, "Rarticle.fa.md#ref-3" },
    { "اقتصادی - فرهنگی", KS_QUERY_OK, NULL },
    { "۱۳۷۱", KS_QUERY_OK, "1371" },
    { "", KS_QUERY_EMPTY, NULL },
    { "   ", KS_QUERY_EMPTY, NULL },
    { "«»،؛؟", KS_QUERY_EMPTY, NULL },
    /* Nothing but operators: no plainer reading leaves a word. */
    { "()", KS_QUERY_SYNTAX, NULL },
    { "+", KS_QUERY_SYNTAX, NULL },
    /* Field values are not operators: no fallback. */
    { "year:abc", KS_QUERY_SYNTAX, NULL },
    { "year:1400..1390", KS_QUERY_SYNTAX, NULL },
    { "lang:", KS_QUERY_SYNTAX, NULL },
    { "lang:xx ایران", KS_QUERY_SYNTAX, NULL },
    { "lang:FA ایران", KS_QUERY_OK, "Lfa" },
};

/* A query that fails only on an operator is read again as plain words, with
 * a warning naming the first error: query, a fragment of the warning, a
 * fragment the Xapian description must contain, one it must not. */
static const struct fcase {
    const char *query, *warning, *describe, *absent;
} fallbacks[] = {
    { "\"unclosed", "unbalanced quote at character 1", "unclosed", NULL },
    { "(ایران", "unbalanced '(' at character 1", "ایران", NULL },
    { "ایران)", "unbalanced ')' at character 6", "ایران", NULL },
    { "AND ایران", "'AND' needs something", "ایران", NULL },
    { "ایران OR", "OR needs something", "ایران", NULL },
    { "ایران NOT", "NOT needs something", "ایران", NULL },
    { "ایران +", "nothing after '+'", "ایران", NULL },
    { "روابط فرهنگی AND", "AND needs something", "فرهنگی", NULL },
    /* Level 1 keeps a good phrase: only AND became a word. */
    { "\"جاده ابریشم\" AND", "AND needs something", "PHRASE", NULL },
    /* Level 2: a stray quote next to a good exclusion keeps the exclusion. */
    { "ایران -روسیه \"", "unbalanced quote", "AND_NOT", NULL },
    { "ایران OR (", "at character", "ایران", "PHRASE" },
};

static void test_operator_fallback(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof fallbacks / sizeof fallbacks[0]; k++) {
        ks_query_t *q = NULL;
        char *err = NULL;
        ks_query_status_t st = ks_query_parse(an, fallbacks[k].query, NULL, &q, &err);
        if (st != KS_QUERY_OK)
            fail_msg("query «%s»: status %d (%s)", fallbacks[k].query, st, err ? err : "");
        const char *w = ks_query_warning(q);
        if (!w || !strstr(w, fallbacks[k].warning) || !strstr(w, "plain words"))
            fail_msg("query «%s»: warning «%s», wanted «%s»", fallbacks[k].query, w ? w : "(none)",
                     fallbacks[k].warning);
        char *d = kx_query_describe(ks_query_xapian(q));
        assert_non_null(d);
        if (!strstr(d, fallbacks[k].describe) || (fallbacks[k].absent && strstr(d, fallbacks[k].absent)))
            fail_msg("query «%s» gave %s", fallbacks[k].query, d);
        kx_free(d);
        ks_query_free(q);
        free(err);
    }
    /* A query that parses has no warning. */
    ks_query_t *q = NULL;
    assert_int_equal(ks_query_parse(an, "ایران AND روسیه", NULL, &q, NULL), KS_QUERY_OK);
    assert_null(ks_query_warning(q));
    ks_query_free(q);
}

/* Every query status has its own description; _LAST is "unknown". */
static void test_status_strings(void **state)
{
    (void)state;
    const char *unknown = ks_query_status_to_string(KS_QUERY_STATUS_LAST);
    for (int s = KS_QUERY_OK; s < KS_QUERY_STATUS_LAST; s++) {
        const char *d = ks_query_status_to_string((ks_query_status_t)s);
        assert_true(d && *d);
        assert_string_not_equal(d, unknown);
        for (int r = KS_QUERY_OK; r < s; r++)
            assert_string_not_equal(d, ks_query_status_to_string((ks_query_status_t)r));
    }
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ks_query_t *q = NULL;
        char *err = NULL;
        ks_query_status_t st = ks_query_parse(an, cases[k].query, NULL, &q, &err);
        if (st != cases[k].status)
            fprintf(stderr, "query «%s»: status %d, expected %d (%s)\n", cases[k].query, st,
                    cases[k].status, err ? err : "");
        assert_int_equal(st, cases[k].status);
        if (st == KS_QUERY_SYNTAX) {
            assert_non_null(err);
            assert_non_null(strstr(err, "at character"));
        }
        if (st == KS_QUERY_OK) {
            assert_non_null(q);
            char *d = kx_query_describe(ks_query_xapian(q));
            assert_non_null(d);
            if (cases[k].describe && !strstr(d, cases[k].describe))
                fail_msg("query «%s» gave %s, wanted %s", cases[k].query, d, cases[k].describe);
            kx_free(d);
        } else {
            assert_null(q);
        }
        ks_query_free(q);
        free(err);
    }
}

/* Nesting beyond the limit is refused, not recursed into. */
static void test_deep_nesting(void **state)
{
    (void)state;
    char deep[4096];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        deep[n++] = '(';
    strcpy(deep + n, "ایران");
    ks_query_t *q = NULL;
    char *err = NULL;
    /* Refused as a structure; read as the plain word it holds. */
    assert_int_equal(ks_query_parse(an, deep, NULL, &q, &err), KS_QUERY_OK);
    assert_non_null(strstr(ks_query_warning(q), "nested too deeply"));
    ks_query_free(q);
    free(err);
}

/* Seeded random queries from an alphabet of operators, quotes, Persian,
 * Cyrillic and Latin letters and invalid bytes: any outcome but a crash. */
static void test_random(void **state)
{
    (void)state;
    static const char *const atoms[] = {
        "(", ")", "\"", "+", "-", "*", ":", " ", " AND ", " OR ", " NOT ", "lang:", "year:",
        "section:", "source:", "..", "ایران", "بین\xE2\x80\x8C" "المللی", "ك", "۱۴۰۱", "Атамбаев",
        "ёлка", "Manas", "\xFF", "\xC3", "\xE2\x81\xA8", "\t", "a", "1390", "«", "»",
    };
    unsigned seed = 20261127;
    for (int round = 0; round < 3000; round++) {
        char qbuf[512];
        size_t n = 0;
        int atoms_n = 1 + (int)(rand_r(&seed) % 12);
        for (int a = 0; a < atoms_n; a++) {
            const char *s = atoms[rand_r(&seed) % (sizeof atoms / sizeof atoms[0])];
            size_t l = strlen(s);
            if (n + l >= sizeof qbuf)
                break;
            memcpy(qbuf + n, s, l);
            n += l;
        }
        qbuf[n] = '\0';
        ks_query_t *q = NULL;
        char *err = NULL;
        ks_query_status_t st = ks_query_parse(an, qbuf, NULL, &q, &err);
        assert_true(st == KS_QUERY_OK || st == KS_QUERY_EMPTY || st == KS_QUERY_SYNTAX);
        assert_true((st == KS_QUERY_OK) == (q != NULL));
        if (st == KS_QUERY_SYNTAX)
            assert_non_null(err);
        if (q)
            assert_non_null(ks_query_xapian(q));
        ks_query_free(q);
        free(err);
    }
}

/* Name keys against an index: a query word's key is OR'ed with the index's
 * keys near it (one class apart in a key of 5 classes or more), and with
 * its stem's key; short keys match only themselves; a key with nothing
 * near in the index adds nothing. Without an index, the word's own key. */
static void test_name_keys(void **state)
{
    (void)state;
    char dir[] = "/tmp/kavosh-query-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/db", dir);
    kx_db_t *db = NULL;
    assert_int_equal(kx_db_open(path, KX_OPEN_WRITE, &db, NULL), KX_OK);
    static const char *const keys[] = {
        "Tnkjvn",     /* نخجوان: near Nakhchivan's nkcvn */
        "Tnkcvnt",    /* one more class: near */
        "Tnkcbnkr",   /* far */
        "Takv", "Tak", "Takvk",   /* آقایف and two short neighbours */
        "Ttjk",       /* تاجیک: the stem of Tajiks */
        "Tmkz",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        kx_doc_t *doc = NULL;
        assert_int_equal(kx_doc_new(&doc), KX_OK);
        assert_int_equal(kx_doc_add_term(doc, keys[i], 1), KX_OK);
        assert_int_equal(kx_db_add_document(db, doc, NULL), KX_OK);
        kx_doc_free(doc);
    }
    assert_int_equal(kx_db_commit(db), KX_OK);
    ka_translit_t *tl = NULL;
    assert_int_equal(ka_translit_new(&tl), KA_OK);
    assert_non_null(tl);
    ks_query_options_t opt = { .db = db, .translit = tl };
    static const struct { const char *query, *has[3], *hasnt[3]; } nk[] = {
        { "Nakhchivan", { "Tnkjvn", "Tnkcvnt", NULL }, { "Tnkcbnkr", "Tnkcvn@", NULL } },
        { "akayev", { "Takv", NULL, NULL }, { "Tak@", "Takvk", NULL } },
        { "Tajiks", { "Ttjk@", NULL, NULL }, { NULL, NULL, NULL } },
        { "Zzzxq", { NULL, NULL, NULL }, { "0.2", NULL, NULL } },
    };
    for (size_t k = 0; k < sizeof nk / sizeof nk[0]; k++) {
        ks_query_t *q = NULL;
        assert_int_equal(ks_query_parse(an, nk[k].query, &opt, &q, NULL), KS_QUERY_OK);
        char *d = kx_query_describe(ks_query_xapian(q));
        assert_non_null(d);
        for (int i = 0; i < 3; i++) {
            if (nk[k].has[i] && !strstr(d, nk[k].has[i]))
                fail_msg("«%s» gave %s, without %s", nk[k].query, d, nk[k].has[i]);
            if (nk[k].hasnt[i] && strstr(d, nk[k].hasnt[i]))
                fail_msg("«%s» gave %s, with %s", nk[k].query, d, nk[k].hasnt[i]);
        }
        kx_free(d);
        ks_query_free(q);
    }
    /* Without an index: the word's own key. */
    ks_query_options_t noidx = { .translit = tl };
    ks_query_t *q = NULL;
    assert_int_equal(ks_query_parse(an, "Nakhchivan", &noidx, &q, NULL), KS_QUERY_OK);
    char *d = kx_query_describe(ks_query_xapian(q));
    assert_non_null(strstr(d, "Tnkcvn@"));
    assert_null(strstr(d, "Tnkjvn"));
    kx_free(d);
    ks_query_free(q);
    ka_translit_free(tl);
    kx_db_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static size_t count(const char *hay, const char *needle);

/* A glossary of the TSV text tsv[0..len). */
static ks_glossary_t *glossary_of(const char *tsv, size_t len)
{
    ks_glossary_t *g = NULL;
    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_tsv(g, an, "test", tsv, len, NULL, NULL, NULL), KS_GLOSSARY_OK);
    return g;
}

/* A word two concepts hold (the gazetteer's country and a lexicon line) is
 * one piece of evidence: their equivalents make one synonym group, each
 * equivalent once, so the word does not weigh twice. A concept matching a
 * different span still makes its own group. */
static void test_concepts_one_group(void **state)
{
    (void)state;
    static const char tsv[] = "fa\tru\ten\n"
                              "ایران\tИран\tIran\n"
                              "ایران\tИран | ИРИ\tIran | Persia\n"
                              "روسیه\tРоссия\tRussia\n";
    ks_glossary_t *g = glossary_of(tsv, sizeof tsv - 1);
    ks_query_options_t opt = { .glossary = g };
    ks_query_t *q = NULL;
    assert_int_equal(ks_query_parse(an, "ایران روسیه", &opt, &q, NULL), KS_QUERY_OK);
    char *d = kx_query_describe(ks_query_xapian(q));
    assert_non_null(d);
    /* Every equivalent of ایران once: Iran, Persia, Иран, ИРИ. */
    if (count(d, "(iran@1") != 1 || count(d, "(persia@1") != 1 || count(d, "(иран@1") != 1 ||
        count(d, "ири@1") != 1)
        fail_msg("equivalents not once each: %s", d);
    /* Two groups in all: one per span (ایران, روسیه). */
    if (count(d, " * (") != 2)
        fail_msg("wanted two weighted groups: %s", d);
    kx_free(d);
    ks_query_free(q);
    ks_glossary_free(g);
}

/* The coverage's concepts: each content word a bit; its exact form, stem,
 * joined pair and glossary equivalents stand for it; a stop word stands for
 * nothing; a phrase is one concept. */
static void test_concepts(void **state)
{
    (void)state;
    static const char tsv[] = "fa\tru\ten\nایران\tИран\tIran\n";
    ks_glossary_t *g = glossary_of(tsv, sizeof tsv - 1);
    ks_query_options_t opt = { .glossary = g };
    ks_query_t *q = NULL;
    assert_int_equal(ks_query_parse(an, "ایران و روسیه", &opt, &q, NULL), KS_QUERY_OK);
    assert_int_equal(ks_query_concept_count(q), 2);
    static const struct { const char *term; uint64_t words; } want[] = {
        { "ایران", 1 }, { "iran", 1 }, { "Ziran", 1 }, { "иран", 1 },
        { "روسیه", 2 }, { "Zروسی", 2 }, { "nothing", 0 }, { "و", 0 },
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        uint64_t got = ks_query_term_concepts(q, want[k].term, strlen(want[k].term));
        if (got != want[k].words)
            fail_msg("«%s» stands for %llx, not %llx", want[k].term, (unsigned long long)got,
                     (unsigned long long)want[k].words);
    }
    ks_query_free(q);
    /* Joined: «جاده ابریشم» typed apart is also the word «جادهابریشم», both concepts. */
    assert_int_equal(ks_query_parse(an, "جاده ابریشم \"دریای خزر\"", &opt, &q, NULL), KS_QUERY_OK);
    assert_int_equal(ks_query_concept_count(q), 3);
    assert_int_equal(ks_query_term_concepts(q, "جادهابریشم", strlen("جادهابریشم")), 3);
    assert_int_equal(ks_query_term_concepts(q, "دریای", strlen("دریای")), 4);
    assert_int_equal(ks_query_term_concepts(q, "خزر", strlen("خزر")), 4);
    ks_query_free(q);
    ks_glossary_free(g);
}

/* Parse text and return its warning (copied into buf) and Xapian description. */
static char *parse_warn(const char *text, char *buf, size_t cap)
{
    ks_query_t *q = NULL;
    char *err = NULL;
    assert_int_equal(ks_query_parse(an, text, NULL, &q, &err), KS_QUERY_OK);
    const char *w = ks_query_warning(q);
    snprintf(buf, cap, "%s", w ? w : "");
    char *desc = kx_query_describe(ks_query_xapian(q));
    ks_query_free(q);
    return desc;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The work budget (words are letters only: "w0" would be two words, w and 0): words past the first 64 and wildcards past the first 8
 * are not searched, and the warning says how many; up to the limits nothing
 * is cut; a cut operand leaves the other side of AND, not of NOT. */
static void test_budget(void **state)
{
    (void)state;
    char text[8192], warn[512];
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "w%c%c ", 'a' + i / 26, 'a' + i % 26);
    char *d = parse_warn(text, warn, sizeof warn);
    assert_string_equal(warn, "");
    assert_non_null(strstr(d, "wcl"));   /* word 63 */
    kx_free(d);

    for (int i = 64; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "w%c%c ", 'a' + i / 26, 'a' + i % 26);
    d = parse_warn(text, warn, sizeof warn);
    assert_string_equal(warn, "query cut down: 36 words past the first 64 not searched");
    assert_non_null(strstr(d, "wcl"));
    assert_null(strstr(d, "wcm"));       /* word 64 */
    kx_free(d);

    /* One word 363 times, as one run and as separate phrases. */
    n = 0;
    for (int i = 0; i < 363; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "\"ایران\" ");
    d = parse_warn(text, warn, sizeof warn);
    assert_string_equal(warn, "query cut down: 299 words past the first 64 not searched");
    kx_free(d);

    n = 0;
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%c* ", 'a' + i);
    d = parse_warn(text, warn, sizeof warn);
    assert_string_equal(warn, "query cut down: 12 wildcards past the first 8 not searched");
    assert_int_equal(count(d, "WILDCARD"), 8);
    kx_free(d);

    /* Cut operands: "... AND w" keeps the left side; "... NOT w" too. */
    n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "w%c%c ", 'a' + i / 26, 'a' + i % 26);
    snprintf(text + n, sizeof text - n, "AND last");
    d = parse_warn(text, warn, sizeof warn);
    assert_string_equal(warn, "query cut down: 1 words past the first 64 not searched");
    assert_null(strstr(d, "last"));
    kx_free(d);
    snprintf(text + n, sizeof text - n, "NOT last");
    d = parse_warn(text, warn, sizeof warn);
    assert_null(strstr(d, "AND_NOT"));
    kx_free(d);
    snprintf(text + n, sizeof text - n, "+last");
    d = parse_warn(text, warn, sizeof warn);
    assert_non_null(strstr(warn, "query cut down"));
    kx_free(d);
}

/* The glossary equivalents a query adds are capped over all its words (256):
 * five words of concepts of 60 spellings (the most a concept may have is 64)
 * would add 5 x 59; the warning says how many were left out. One word is
 * not cut. */
static void test_expansion_budget(void **state)
{
    (void)state;
    static char tsv[16384];
    size_t n = (size_t)snprintf(tsv, sizeof tsv, "fa\tru\ten\n");
    for (int c = 0; c < 5; c++) {
        n += (size_t)snprintf(tsv + n, sizeof tsv - n, "\t\t");
        for (int i = 0; i < 60; i++)
            n += (size_t)snprintf(tsv + n, sizeof tsv - n, "%sq%c%c%c", i ? " | " : "", 'a' + c,
                                  'a' + i / 26, 'a' + i % 26);
        n += (size_t)snprintf(tsv + n, sizeof tsv - n, "\n");
    }
    ks_glossary_t *g = NULL;
    assert_int_equal(ks_glossary_new(&g), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_add_tsv(g, an, "test", tsv, n, NULL, NULL, NULL), KS_GLOSSARY_OK);
    assert_int_equal(ks_glossary_concept_count(g), 5);
    ks_query_options_t opt = { .glossary = g };
    struct { const char *query; const char *warning; size_t expansions; } ecases[] = {
        { "qaaa", NULL, 59 },
        { "qaaa qbaa qcaa qdaa", NULL, 236 },
        { "qaaa qbaa qcaa qdaa qeaa",
          "query cut down: 39 glossary equivalents past the first 256 not searched", 256 },
    };
    for (size_t k = 0; k < sizeof ecases / sizeof ecases[0]; k++) {
        ks_query_t *q = NULL;
        char *err = NULL;
        assert_int_equal(ks_query_parse(an, ecases[k].query, &opt, &q, &err), KS_QUERY_OK);
        const char *w = ks_query_warning(q);
        assert_string_equal(w ? w : "(none)", ecases[k].warning ? ecases[k].warning : "(none)");
        assert_int_equal(ks_query_expansion_count(q), ecases[k].expansions);
        ks_query_free(q);
        free(err);
    }
    ks_glossary_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_strings),
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_operator_fallback),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_name_keys),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_concepts_one_group),
        cmocka_unit_test(test_concepts),
        cmocka_unit_test(test_expansion_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

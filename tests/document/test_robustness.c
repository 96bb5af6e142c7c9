/*
 * test_robustness.c - kd_parse on arbitrary bytes: random buffers, random
 * mutations of the real article, truncations at every kind of boundary, and
 * deep nesting. Run under ASan/UBSan this is where crashes would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc_test_util.h"

/* A fixed-seed generator, so a failure reproduces. */
static uint32_t
next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void
parse_all_formats(ka_analyzer_t *an, const char *buf, size_t len)
{
    static const kd_format_t formats[] = {KD_FORMAT_MARKDOWN, KD_FORMAT_TEXT, KD_FORMAT_HTML};
    for (size_t f = 0; f < 3; f++) {
        kd_document_t *doc = NULL;
        assert_int_equal(kd_parse(an, "fuzz", formats[f], buf, len, &doc), 0);
        assert_non_null(doc);
        for (size_t i = 0; i < doc->n_passages; i++) {
            const kd_passage_t *p = &doc->passages[i];
            size_t tl = strlen(p->text);
            for (size_t j = 0; j < p->n_glosses; j++)
                assert_true(p->glosses[j].offset <= tl);
            for (size_t j = 0; j < p->n_citations; j++) {
                assert_true(p->citations[j].start <= p->citations[j].end);
                assert_true(p->citations[j].end <= tl);
                assert_true(p->citations[j].source < (long)doc->n_sources);
            }
        }
        kd_document_free(doc);
    }
}

static void
test_random_bytes(void **state)
{
    uint32_t seed = 12345;
    static const char alphabet[] = "<>/sup()[]*_-#.:,;\n\n  \t1234567890abcXYZ";
    char buf[2048];
    for (int round = 0; round < 300; round++) {
        size_t len = next_rand(&seed) % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            uint32_t r = next_rand(&seed);
            buf[i] = (r & 1) ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof alphabet - 1)];
        }
        parse_all_formats(*state, buf, len);
    }
}

/* Documents assembled from the pieces the parser reacts to, in random order:
 * markers, notes, breaks, headings, bibliography headings, citations, years,
 * quotes and URLs, so that every branch meets every neighbour. */
static void
test_token_soup(void **state)
{
    static const char *const pieces[] = {
        "<sup>۱</sup>", "<sup>2</sup>", "<sup>", "</sup>", "\n\n", "\n", "---\n", "1. ", "۳. ",
        "## منابع و مأخذ\n", "### فارسی\n", "## لاتین\n", "# H\n", "**ب:**", "**", "(", ")",
        "(کولایی، ۱۳۸۴: ۲۱۶)", "(Smith, 2001", "۱۳۸۴", "2001", "p.45", "pp. 1-9", "۲۰۱-۲۲۴",
        "«", "»", "\"", "، ", ", ", ". ", "؛", "http://x.y/z", "<https://a.b>", "- ", "  \n",
        "word ", "واژه ", "слово ", "Smith, J. (2001) T. ", "از ۱ تا ۲ ", "(همان: ۵)", "&amp;",
        "<p>", "</p>", "<li>", "<ol>", "<hr>", "<h2>", "\xD8", "\xE2\x80", "\t", "` `", "> ",
    };
    size_t np = sizeof pieces / sizeof pieces[0];
    uint32_t seed = 4242;
    char buf[8192];
    for (int round = 0; round < 400; round++) {
        size_t len = 0, count = next_rand(&seed) % 120;
        for (size_t k = 0; k < count; k++) {
            const char *pc = pieces[next_rand(&seed) % np];
            size_t l = strlen(pc);
            if (len + l >= sizeof buf)
                break;
            memcpy(buf + len, pc, l);
            len += l;
        }
        parse_all_formats(*state, buf, len);
    }
}

static void
test_mutated_article(void **state)
{
    size_t len;
    char *art = dt_read_file(KD_ARTICLE, &len);
    assert_non_null(art);
    char *buf = malloc(len);
    assert_non_null(buf);
    uint32_t seed = 777;
    for (int round = 0; round < 20; round++) {
        memcpy(buf, art, len);
        for (int k = 0; k < 50; k++) {
            size_t at = next_rand(&seed) % len;
            buf[at] = (char)next_rand(&seed);
        }
        size_t cut = next_rand(&seed) % (len + 1);
        parse_all_formats(*state, buf, cut);
    }
    free(buf);
    free(art);
}

static void
test_hostile_shapes(void **state)
{
    static const char *const cases[] = {
        "<sup>", "<sup>1", "</sup>", "<sup></sup>", "<sup>12345678901234567890</sup>",
        "(", ")", "((((((((((", "(Smith, 2001", "(۱۳۸۴", "**:**", "**a:**", "---\n1. \n",
        "<sup>1</sup>. ", "1.", "&#", "&#x;", "&#99999999999;", "&#xD800;", "<!--", "<script>",
        "## منابع و مأخذ\n\n- (", "## منابع\n\n\n", "## منابع\n\n- a  \nb  \nc", "\xff\xfe\x00\x01",
        "x<sup>1</sup>\n\n---\n\n<sup>1</sup>. gloss\n\n<sup>1</sup>. again", NULL
    };
    for (size_t i = 0; cases[i]; i++)
        parse_all_formats(*state, cases[i], strlen(cases[i]));
    /* Embedded NUL bytes. */
    parse_all_formats(*state, "a\0b\n\nc", 6);
}

static void
test_deep_nesting(void **state)
{
    size_t n = 20000;
    char *buf = malloc(2 * n + 16);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = '>';
    memcpy(buf + n, " x\n", 3);
    parse_all_formats(*state, buf, n + 3);
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = '-';
        buf[2 * i + 1] = ' ';
    }
    parse_all_formats(*state, buf, 2 * n);
    for (size_t i = 0; i < n; i++)
        buf[i] = '(';
    parse_all_formats(*state, buf, n);
    free(buf);
}

/* Shapes that would be quadratic with naive growth or lookups: many
 * continuations of one passage, many markers, many entries, many citations.
 * Each must simply finish (ctest's timeout is the bound). */
static void
test_large_inputs(void **state)
{
    char *buf = malloc(4 * 1024 * 1024);
    assert_non_null(buf);
    size_t n = 0;
    for (int i = 0; i < 150; i++)
        n += (size_t)sprintf(buf + n, "x ");
    n += (size_t)sprintf(buf + n, "\n\n");
    for (int i = 0; i < 20000; i++)
        n += (size_t)sprintf(buf + n, "(Smith, 2001)<sup>%d</sup>\n\n", i % 9 + 1);
    n += (size_t)sprintf(buf + n, "---\n\n");
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(buf + n, "%d. note\n\n", i % 9 + 1);
    n += (size_t)sprintf(buf + n, "## References\n\n");
    for (int i = 0; i < 3000; i++)
        n += (size_t)sprintf(buf + n, "- Name%d, A. (%d) Title %d. J. Smith. 2001, pp. 1-%d.\n", i, 1900 + i % 100, i, i + 2);
    kd_document_t *doc = NULL;
    assert_int_equal(kd_parse(*state, "large.md", KD_FORMAT_MARKDOWN, buf, n, &doc), 0);
    assert_true(doc->n_passages >= 1);
    assert_true(doc->n_sources >= 3000);
    /* The 20,000 continuations join until a passage would pass
     * KD_MAX_PASSAGE_BYTES, then start the next: every citation kept. */
    size_t cites = 0, body = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        assert_true(strlen(doc->passages[i].text) <= KD_MAX_PASSAGE_BYTES);
        if (doc->passages[i].kind == KD_KIND_BODY) {
            cites += doc->passages[i].n_citations;
            body++;
        }
    }
    assert_int_equal(cites, 20000);
    assert_true(body > 1 && body < 200);
    kd_document_free(doc);
    free(buf);
}

/* Long runs without paragraph breaks become several passages of at most
 * KD_MAX_PASSAGE_BYTES, cut after sentence ends where there are some, with
 * no text, marker or line number lost. */
static void
test_long_runs(void **state)
{
    size_t cap = 200 * 1024;
    char *buf = malloc(cap);
    assert_non_null(buf);

    /* Sentences: every piece but the last ends with a full stop, and the
     * pieces put together are the whole text. */
    size_t n = 0;
    for (int i = 0; n < 100 * 1024; i++)
        n += (size_t)sprintf(buf + n, "Sentence %d has some words in it. ", i);
    n--;   /* no final space */
    kd_document_t *doc = NULL;
    assert_int_equal(kd_parse(*state, "long.txt", KD_FORMAT_TEXT, buf, n, &doc), 0);
    assert_true(doc->n_passages >= n / KD_MAX_PASSAGE_BYTES + 1);
    size_t total = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        const char *t = doc->passages[i].text;
        size_t tl = strlen(t);
        assert_true((tl <= KD_MAX_PASSAGE_BYTES && tl > KD_MAX_PASSAGE_BYTES / 2 - 64) ||
                    i + 1 == doc->n_passages);
        assert_int_equal(t[tl - 1], '.');
        assert_memory_equal(t, buf + total, tl);
        total += tl + 1;
    }
    assert_int_equal(total - 1, n);
    kd_document_free(doc);

    /* One 60 KB word of two-byte letters: cut at character boundaries. */
    n = 0;
    while (n < 60 * 1024)
        n += (size_t)sprintf(buf + n, "\u0627");
    assert_int_equal(kd_parse(*state, "word.txt", KD_FORMAT_TEXT, buf, n, &doc), 0);
    total = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        size_t tl = strlen(doc->passages[i].text);
        assert_true(tl <= KD_MAX_PASSAGE_BYTES && tl % 2 == 0);
        total += tl;
    }
    assert_int_equal(total, n);
    kd_document_free(doc);

    /* Lines without sentence ends, with a footnote marker on each: cut at
     * line ends, every marker kept inside its passage, line numbers rising. */
    n = 0;
    int lines = 0;
    for (; n < 60 * 1024; lines++)
        n += (size_t)sprintf(buf + n, "a line of words without an end<sup>%d</sup>\n", lines % 9 + 1);
    assert_int_equal(kd_parse(*state, "lines.md", KD_FORMAT_MARKDOWN, buf, n, &doc), 0);
    assert_true(doc->n_passages > 1);
    size_t marks = 0;
    unsigned last_line = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        const kd_passage_t *p = &doc->passages[i];
        size_t tl = strlen(p->text);
        assert_true(tl <= KD_MAX_PASSAGE_BYTES);
        assert_true(p->line > last_line);
        last_line = p->line;
        for (size_t j = 0; j < p->n_glosses; j++)
            assert_true(p->glosses[j].offset <= tl);
        marks += p->n_glosses;
        /* Cut at a line end: the passage ends where a line did. */
        assert_true(tl >= 3 && strcmp(p->text + tl - 3, "end") == 0);
    }
    assert_int_equal(marks, (size_t)lines);
    assert_true(last_line > 1 && last_line <= (unsigned)lines);
    kd_document_free(doc);
    free(buf);
}

/* Mostly NUL or control bytes: refused as binary with one diagnostic, no
 * passage; a quarter or less, or UTF-16 with its byte order mark, is read. */
static void
test_binary(void **state)
{
    size_t n = 1 << 20;
    char *buf = calloc(n, 1);
    assert_non_null(buf);
    static const char words[] = "\n\nایران و روسیه\n\n";
    memcpy(buf + n / 2, words, sizeof words - 1);
    kd_document_t *doc = NULL;
    static const kd_format_t formats[] = {KD_FORMAT_MARKDOWN, KD_FORMAT_TEXT, KD_FORMAT_HTML};
    for (size_t f = 0; f < 3; f++) {
        assert_int_equal(kd_parse(*state, "nul.txt", formats[f], buf, n, &doc), 0);
        assert_int_equal(doc->n_passages, 0);
        assert_int_equal(doc->n_diags, 1);
        assert_non_null(strstr(doc->diags[0].message, "binary data, not text (99% of the bytes"));
        kd_document_free(doc);
    }
    /* One byte in five a control character: still text. */
    for (size_t i = 0; i < n; i++)
        buf[i] = i % 5 == 0 ? '\x01' : 'a' + (char)(i % 7);
    assert_int_equal(kd_parse(*state, "ctl.txt", KD_FORMAT_TEXT, buf, n, &doc), 0);
    assert_true(doc->n_passages > 0);
    kd_document_free(doc);
    /* UTF-16LE with its mark: not refused here (half its bytes are NUL). */
    for (size_t i = 0; i < 4096; i++)
        buf[i] = i % 2 ? '\0' : 'a';
    buf[0] = '\xff';
    buf[1] = '\xfe';
    assert_int_equal(kd_parse(*state, "u16.txt", KD_FORMAT_TEXT, buf, 4096, &doc), 0);
    for (size_t i = 0; i < doc->n_diags; i++)
        assert_null(strstr(doc->diags[i].message, "binary"));
    kd_document_free(doc);
    free(buf);
}

static int
setup(void **state)
{
    ka_analyzer_t *an = NULL;
    if (ka_analyzer_new(&an) != KA_OK)
        return -1;
    *state = an;
    return 0;
}

static int
teardown(void **state)
{
    ka_analyzer_free(*state);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_token_soup),
        cmocka_unit_test(test_mutated_article),
        cmocka_unit_test(test_hostile_shapes),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_large_inputs),
        cmocka_unit_test(test_long_runs),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

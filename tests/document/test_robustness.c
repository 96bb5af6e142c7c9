/*
 * test_robustness.c - kd_parse on arbitrary bytes: random buffers, random
 * mutations of the real article, truncations at every kind of boundary, and
 * deep nesting; damaged PDF, DOCX, ODT and EPUB files. Run under ASan/UBSan this is where crashes would show.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>

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
        "title: T\n", "author: [a, b]\n", "- x\n", "&x: *x\n", "...\n", "[^1]", "[^1]: ",
        "[^a]: note\n", "| a | b |\n", "|---|---|\n", "| c |", "<title>", "<table><tr><td>",
        "<td>", "</tr>", "<script>", "&eacute;", "&#x10FFFF;",
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


/* ---------------------------------------------------------------------- */
/* The binary formats: PDF, DOCX, ODT, EPUB damaged in every way          */

/* Parse buf as format: a document comes back, with passages or an error. */
static void
parse_binary(ka_analyzer_t *an, const char *name, kd_format_t format, const char *buf, size_t len)
{
    kd_document_t *doc = NULL;
    assert_int_equal(kd_parse(an, name, format, buf, len, &doc), 0);
    assert_non_null(doc);
    if (doc->error)
        assert_int_equal(doc->n_passages, 0);
    for (size_t i = 0; i < doc->n_passages; i++)
        assert_non_null(doc->passages[i].text);
    kd_document_free(doc);
}

/* Mutated and truncated copies of buf, parsed as format. */
static void
damage(ka_analyzer_t *an, const char *name, kd_format_t format, const char *orig, size_t len,
       uint32_t seed, int rounds)
{
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    parse_binary(an, name, format, orig, len);
    for (int round = 0; round < rounds; round++) {
        memcpy(buf, orig, len);
        int hits = 1 + (int)(next_rand(&seed) % 40);
        for (int k = 0; k < hits && len; k++)
            buf[next_rand(&seed) % len] = (char)next_rand(&seed);
        size_t cut = round % 3 == 0 ? next_rand(&seed) % (len + 1) : len;
        parse_binary(an, name, format, buf, cut);
    }
    free(buf);
}

/* A zip of the given entries, in memory (malloc'd). */
static char *
make_zip(const char *const *entries, size_t n, size_t *len)
{
    size_t cap = 1 << 16;
    char *out = malloc(cap);
    assert_non_null(out);
    struct archive *a = archive_write_new();
    assert_non_null(a);
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
    for (size_t i = 0; i + 1 < n; i += 2) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, entries[i]);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)strlen(entries[i + 1]));
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_write_data(a, entries[i + 1], strlen(entries[i + 1]));
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *len = used;
    return out;
}

static void
test_binary_formats(void **state)
{
    static const char *const pdfs[] = { "en.pdf", "fa.pdf", "ru.pdf", "scanned.pdf" };
    for (size_t i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", KD_FORMATS_DIR, pdfs[i]);
        size_t len;
        char *pdf = dt_read_file(path, &len);
        assert_non_null(pdf);
        damage(*state, pdfs[i], KD_FORMAT_PDF, pdf, len, 99 + (uint32_t)i, 25);
        free(pdf);
    }
    static const char *const docx[] = {
        "word/styles.xml", "<w:styles xmlns:w=\"w\"><w:style w:styleId=\"H\"><w:name "
        "w:val=\"heading 2\"/></w:style></w:styles>",
        "word/document.xml", "<w:document xmlns:w=\"w\"><w:body><w:p><w:pPr><w:pStyle "
        "w:val=\"H\"/></w:pPr><w:r><w:t>Head</w:t></w:r></w:p><w:p><w:r><w:t>Text</w:t>"
        "<w:footnoteReference w:id=\"1\"/><w:endnoteReference w:id=\"1\"/></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "</w:body></w:document>",
        "word/footnotes.xml", "<w:footnotes xmlns:w=\"w\"><w:footnote w:id=\"1\"><w:p><w:r>"
        "<w:t>note</w:t></w:r></w:p></w:footnote></w:footnotes>",
        "word/endnotes.xml", "<w:endnotes xmlns:w=\"w\"><w:endnote w:id=\"1\"><w:p><w:r>"
        "<w:t>end</w:t></w:r></w:p></w:endnote></w:endnotes>",
    };
    static const char *const odt[] = {
        "content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\">"
        "<office:body><office:text><text:h text:outline-level=\"9\">H</text:h><text:p>a<text:s/>b"
        "<text:note><text:note-body><text:p>n<text:note><text:note-body><text:p>nested</text:p>"
        "</text:note-body></text:note></text:p></text:note-body></text:note></text:p>"
        "</office:text></office:body></office:document-content>",
    };
    static const char *const epub[] = {
        "META-INF/container.xml", "<container><rootfiles><rootfile full-path=\"a/b.opf\"/>"
        "</rootfiles></container>",
        "a/b.opf", "<package><manifest><item id=\"x\" href=\"../a/./c%20d.xhtml#frag\"/>"
        "<item id=\"y\" href=\"%zz%\"/></manifest><spine><itemref idref=\"x\"/>"
        "<itemref idref=\"y\"/><itemref idref=\"x\"/><itemref/></spine></package>",
        "a/c d.xhtml", "<html><body><h1>T</h1><p>p<sup>1</sup></p><table><tr><td>a<tr>b</table>"
        "</body></html>",
    };
    struct { const char *name; kd_format_t f; const char *const *e; size_t n; } zips[] = {
        { "x.docx", KD_FORMAT_DOCX, docx, sizeof docx / sizeof docx[0] },
        { "x.odt", KD_FORMAT_ODT, odt, sizeof odt / sizeof odt[0] },
        { "x.epub", KD_FORMAT_EPUB, epub, sizeof epub / sizeof epub[0] },
    };
    for (size_t z = 0; z < 3; z++) {
        size_t len;
        char *zip = make_zip(zips[z].e, zips[z].n, &len);
        kd_document_t *doc = NULL;
        assert_int_equal(kd_parse(*state, zips[z].name, zips[z].f, zip, len, &doc), 0);
        if (doc->error || doc->n_passages == 0)
            fail_msg("%s: %s, %zu passages", zips[z].name, doc->error ? doc->error : "",
                     doc->n_passages);
        kd_document_free(doc);
        damage(*state, zips[z].name, zips[z].f, zip, len, 7 + (uint32_t)z, 60);
        /* Each format's reader on the others' bytes. */
        for (size_t o = 0; o < 3; o++)
            parse_binary(*state, zips[o].name, zips[o].f, zip, len);
        parse_binary(*state, "x.pdf", KD_FORMAT_PDF, zip, len);
        free(zip);
    }
    /* Random bytes behind each format's magic. */
    uint32_t seed = 31337;
    char buf[4096];
    for (int round = 0; round < 40; round++) {
        size_t len = 8 + next_rand(&seed) % (sizeof buf - 8);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)next_rand(&seed);
        memcpy(buf, round % 2 ? "%PDF-1.4" : "PK\x03\x04\x14\x00\x00\x00", 8);
        parse_binary(*state, "r.pdf", KD_FORMAT_PDF, buf, len);
        parse_binary(*state, "r.docx", KD_FORMAT_DOCX, buf, len);
        parse_binary(*state, "r.epub", KD_FORMAT_EPUB, buf, len);
    }
    parse_binary(*state, "empty.pdf", KD_FORMAT_PDF, "", 0);
    parse_binary(*state, "empty.odt", KD_FORMAT_ODT, "", 0);
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
        cmocka_unit_test(test_binary_formats),
        cmocka_unit_test(test_long_runs),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

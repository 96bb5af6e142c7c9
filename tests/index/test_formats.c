/*
 * test_formats.c - kavosh-index on files as a researcher has them: texts in
 * old encodings (windows-1256 Persian, KOI8-R and windows-1251 Russian,
 * UTF-16 with a byte order mark, UTF-8 with a damaged byte), --encoding,
 * PDF files (Persian, Russian, English; one with no text layer), and DOCX,
 * ODT and EPUB (headings as sections, notes as glosses, the spine's order).
 *
 * The encoded fixtures are made here with iconv(3) from text written for
 * this test; the PDFs are in data/formats (made by data/formats/make-pdfs.sh
 * from the project's own text). Every check searches with kavosh-search for
 * words as a user types them.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "run.h"

static char *tmp;
static char start_dir[4096];

/* Written for this test. The Persian text as Windows editors wrote it: with
 * the Arabic yeh (U+064A), since windows-1256 has no Persian yeh; a user
 * still types the Persian one. */
static const char fa_text[] =
    "روابط ايران و روسيه در آسياي مرکزي پس از فروپاشي شوروي دگرگون شد.\n"
    "پژوهشگران درباره سياست خارجي در قفقاز و تاجيکستان نوشته‌اند.\n"
    "\n"
    "گزارش تازه اقتصادي نشان مي‌دهد که بازرگاني ميان دو کشور کند است.\n";
static const char ru_text[] =
    "Отношения России и Ирана в Центральной Азии изменились после распада Союза.\n"
    "Исследователи пишут о внешней политике Таджикистана и Узбекистана.\n"
    "\n"
    "Новый экономический доклад показывает, что торговля растёт медленно.\n";

static char *enter_work(const char *name)
{
    char *work = test_join(tmp, name);
    assert_int_equal(mkdir(work, 0700), 0);
    assert_int_equal(chdir(work), 0);
    return work;
}

static void leave_work(char *work)
{
    assert_int_equal(chdir(start_dir), 0);
    free(work);
}

static void write_bytes(const char *path, const char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* text converted from UTF-8 to `to` with iconv(3), after the bytes of bom. */
static void write_encoded(const char *path, const char *to, const char *bom, size_t bom_len,
                          const char *text)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t in_left = strlen(text), cap = in_left * 4 + 16, out_left = cap;
    char *out = malloc(cap), *o = out;
    char *in = (char *)text;
    assert_non_null(out);
    memcpy(o, bom, bom_len);
    o += bom_len;
    out_left -= bom_len;
    if (iconv(cd, &in, &in_left, &o, &out_left) == (size_t)-1)
        fail_msg("iconv to %s: %s", to, strerror(errno));
    iconv_close(cd);
    write_bytes(path, out, (size_t)(o - out));
    free(out);
}

static void copy_file(const char *from, const char *to)
{
    FILE *f = fopen(from, "rb");
    if (!f)
        fail_msg("%s: %s", from, strerror(errno));
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    char chunk[8192];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, r, m);
    fclose(f);
    fclose(m);
    write_bytes(to, buf, n);
    free(buf);
}

static void vrun(run_result_t *r, const char *prog, va_list ap)
{
    static const char *const env[] = { "NO_COLOR", "KAVOSH_DB", NULL };
    const char *argv[40] = { prog };
    size_t n = 1;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 39)
        argv[n++] = a;
    argv[n] = NULL;
    assert_int_equal(run_program(argv, NULL, env, r), 0);
}

static void run_index(run_result_t *r, ...)
{
    va_list ap;
    va_start(ap, r);
    vrun(r, KAVOSH_INDEX_BIN, ap);
    va_end(ap);
}

static void run_search(run_result_t *r, ...)
{
    va_list ap;
    va_start(ap, r);
    vrun(r, KAVOSH_SEARCH_BIN, ap);
    va_end(ap);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* kavosh-search -d db QUERY: its standard output (malloc'd). */
static char *search(const char *db, const char *query, int json)
{
    run_result_t r;
    if (json)
        run_search(&r, "-d", db, "-n", "50", "--json", query, NULL);
    else
        run_search(&r, "-d", db, "-n", "50", query, NULL);
    if (r.status != 0 && r.status != 1)
        fail_msg("kavosh-search %s: exit %d: %s", query, r.status, r.err);
    char *out = r.out;
    r.out = NULL;
    run_result_free(&r);
    return out;
}

/* ---------------------------------------------------------------------- */

static void test_encodings_detected(void **state)
{
    (void)state;
    char *work = enter_work("enc");
    assert_int_equal(mkdir("texts", 0700), 0);
    write_bytes("texts/fa-utf8.txt", fa_text, strlen(fa_text));
    write_encoded("texts/fa-1256.txt", "WINDOWS-1256", "", 0, fa_text);
    write_encoded("texts/fa-utf16le.txt", "UTF-16LE", "\xFF\xFE", 2, fa_text);
    write_encoded("texts/ru-koi8.txt", "KOI8-R", "", 0, ru_text);
    write_encoded("texts/ru-1251.txt", "WINDOWS-1251", "", 0, ru_text);
    write_encoded("texts/ru-utf16be.md", "UTF-16BE", "\xFE\xFF", 2, ru_text);
    /* Mostly UTF-8, one damaged byte on line 3 (offset known). */
    char mixed[1024];
    int n = snprintf(mixed, sizeof mixed, "%s\nline three \xFF here\n", ru_text);
    write_bytes("texts/ru-damaged.txt", mixed, (size_t)n);
    size_t bad_at = (size_t)(strchr(mixed, '\xFF') - mixed);

    run_result_t r;
    run_index(&r, "-d", "db", "texts", NULL);
    assert_int_equal(r.status, 0);
    /* One warning per guessed file, naming it and the encoding. */
    assert_non_null(strstr(r.err, "texts/fa-1256.txt: not UTF-8: read as windows-1256"));
    assert_non_null(strstr(r.err, "texts/ru-koi8.txt: not UTF-8: read as KOI8-R"));
    assert_non_null(strstr(r.err, "texts/ru-1251.txt: not UTF-8: read as windows-1251"));
    assert_int_equal(count_of(r.err, "fa-1256.txt"), 1);
    assert_int_equal(count_of(r.err, "ru-koi8.txt"), 1);
    /* A byte order mark says it all: no warning. */
    assert_null(strstr(r.err, "utf16"));
    assert_null(strstr(r.err, "fa-utf8.txt"));
    /* The damaged byte: its line, column and byte offset. */
    char want[128];
    snprintf(want, sizeof want, "texts/ru-damaged.txt:6:12: invalid UTF-8 at byte offset %zu",
             bad_at);
    if (!strstr(r.err, want))
        fail_msg("want '%s' in: %s", want, r.err);
    assert_non_null(strstr(r.err, "7 files: 7 indexed"));
    run_result_free(&r);

    /* Found by the words a user types (the Persian yeh, not the Arabic). */
    char *out = search("db", "روسیه آسیای", 0);
    assert_non_null(strstr(out, "texts/fa-utf8.txt#1"));
    assert_non_null(strstr(out, "texts/fa-1256.txt#1"));
    assert_non_null(strstr(out, "texts/fa-utf16le.txt#1"));
    free(out);
    out = search("db", "Узбекистана", 0);
    assert_non_null(strstr(out, "texts/ru-koi8.txt#1"));
    assert_non_null(strstr(out, "texts/ru-1251.txt#1"));
    assert_non_null(strstr(out, "texts/ru-utf16be.md#1"));
    assert_non_null(strstr(out, "texts/ru-damaged.txt#1"));
    free(out);
    /* The damaged byte became U+FFFD, the rest of its line stayed. */
    out = search("db", "three", 1);
    assert_non_null(strstr(out, "line three \xEF\xBF\xBD here"));
    free(out);
    leave_work(work);
}

static void test_encoding_forced(void **state)
{
    (void)state;
    char *work = enter_work("forced");
    write_encoded("ru.txt", "KOI8-R", "", 0, ru_text);

    run_result_t r;
    run_index(&r, "-d", "db", "--encoding=no-such-charset", "ru.txt", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--encoding: no such encoding 'no-such-charset'"));
    run_result_free(&r);

    /* Forced wrong: no guess, no warning, and the words are not found. */
    run_index(&r, "-d", "db", "--encoding=windows-1251", "ru.txt", NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "not UTF-8"));
    run_result_free(&r);
    char *out = search("db", "Узбекистана", 0);
    assert_null(strstr(out, "ru.txt#1"));
    free(out);

    /* Forced right: the same file is read again (the encoding is part of
     * what makes it unchanged) and found. */
    run_index(&r, "-d", "db", "--encoding=KOI8-R", "ru.txt", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 1 indexed"));
    run_result_free(&r);
    out = search("db", "Узбекистана", 0);
    assert_non_null(strstr(out, "ru.txt#1"));
    free(out);
    leave_work(work);
}

static void test_pdf(void **state)
{
    (void)state;
    char *work = enter_work("pdf");
    assert_int_equal(mkdir("lib", 0700), 0);
    static const char *const names[] = { "fa.pdf", "ru.pdf", "en.pdf", "scanned.pdf" };
    for (size_t i = 0; i < 4; i++) {
        char *from = test_join(KI_TEST_FORMATS, names[i]);
        char *to = test_join("lib", names[i]);
        copy_file(from, to);
        free(from);
        free(to);
    }
    run_result_t r;
    run_index(&r, "-d", "db", "lib", NULL);
    /* The scanned one fails, named, the others go in. */
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "lib/scanned.pdf: no text: scanned?"));
    assert_non_null(strstr(r.err, "4 files: 3 indexed, 0 unchanged, 0 removed, 1 failed"));
    run_result_free(&r);

    /* Persian typed in standard letters finds the presentation forms the
     * PDF holds, on its page: path:page in the text output. */
    char *out = search("db", "اسلامی", 0);
    assert_non_null(strstr(out, "lib/fa.pdf:2"));
    free(out);
    out = search("db", "دلار کالا", 0);
    assert_non_null(strstr(out, "lib/fa.pdf:1"));
    free(out);
    /* ... and the stored text is plain Persian: no directional marks, no
     * presentation forms, its lines joined into one paragraph. */
    out = search("db", "بازرگانان", 1);
    assert_non_null(strstr(out, "\"page\":1"));
    assert_non_null(strstr(out, "بازرگانان راه شمالی دفترهای"));
    assert_non_null(strstr(out, "کالا را به دلار"));
    assert_null(strstr(out, "\xE2\x80\xAB"));   /* U+202B */
    assert_null(strstr(out, "\xE2\x80\xAC"));   /* U+202C */
    assert_null(strstr(out, "\xEF\xBA"));       /* U+FE80.. presentation forms */
    assert_null(strstr(out, "\xEF\xBB"));
    free(out);

    out = search("db", "railway", 1);
    assert_non_null(strstr(out, "\"page\":2"));
    free(out);
    out = search("db", "caravan", 0);
    assert_non_null(strstr(out, "lib/en.pdf:1"));
    assert_non_null(strstr(out, "lib/en.pdf:2"));
    free(out);
    out = search("db", "ярмарках", 0);
    assert_non_null(strstr(out, "lib/ru.pdf:1"));
    free(out);

    /* The scanned PDF stays failed on the next run, not silently empty. */
    run_index(&r, "-d", "db", "lib", NULL);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "3 unchanged, 0 removed, 1 failed"));
    run_result_free(&r);
    leave_work(work);
}

static void test_walk_finds_pdf(void **state)
{
    (void)state;
    char *work = enter_work("walk");
    assert_int_equal(mkdir("d", 0700), 0);
    char *from = test_join(KI_TEST_FORMATS, "en.pdf");
    copy_file(from, "d/Notes.PDF");
    free(from);
    write_bytes("d/other.xyz", "x", 1);
    run_result_t r;
    run_index(&r, "-d", "db", "d", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 1 indexed"));
    assert_non_null(strstr(r.err, "skipped 1: 1 .xyz"));
    run_result_free(&r);
    leave_work(work);
}


/* ---------------------------------------------------------------------- */
/* DOCX, ODT, EPUB: zips of XML written here                               */

typedef struct zfile {
    const char *name, *text;
} zfile_t;

static void write_zip(const char *path, const zfile_t *files, size_t n)
{
    struct archive *a = archive_write_new();
    assert_non_null(a);
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, files[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)strlen(files[i].text));
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, files[i].text, strlen(files[i].text)),
                         (la_ssize_t)strlen(files[i].text));
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static const zfile_t docx[] = {
    { "[Content_Types].xml",
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
      "content-types\"/>" },
    { "word/styles.xml",
      "<?xml version=\"1.0\"?><w:styles " W_NS ">"
      "<w:style w:type=\"paragraph\" w:styleId=\"Kop1\"><w:name w:val=\"heading 1\"/></w:style>"
      "<w:style w:type=\"paragraph\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>"
      "</w:styles>" },
    { "word/document.xml",
      "<?xml version=\"1.0\"?><w:document " W_NS "><w:body>"
      "<w:p><w:pPr><w:pStyle w:val=\"Kop1\"/></w:pPr><w:r><w:t>Caspian Trade</w:t></w:r></w:p>"
      "<w:p><w:r><w:t xml:space=\"preserve\">The caravanserai </w:t></w:r>"
      "<w:r><w:t>stood by the ford</w:t></w:r>"
      "<w:r><w:footnoteReference w:id=\"2\"/></w:r><w:r><w:t>, and the tolls were paid there.</w:t>"
      "</w:r></w:p>"
      "<w:p><w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr><w:r><w:t>Winter markets</w:t></w:r></w:p>"
      "<w:p><w:r><w:t>Apricots were traded for copper</w:t></w:r><w:r><w:delText>deleted words"
      "</w:delText></w:r><w:r><w:endnoteReference w:id=\"1\"/></w:r><w:r><w:t>.</w:t></w:r></w:p>"
      "</w:body></w:document>" },
    { "word/footnotes.xml",
      "<?xml version=\"1.0\"?><w:footnotes " W_NS ">"
      "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
      "<w:footnote w:id=\"2\"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\">"
      " a roadside inn</w:t></w:r></w:p></w:footnote></w:footnotes>" },
    { "word/endnotes.xml",
      "<?xml version=\"1.0\"?><w:endnotes " W_NS ">"
      "<w:endnote w:id=\"1\"><w:p><w:r><w:t>dried fruit</w:t></w:r></w:p></w:endnote>"
      "</w:endnotes>" },
};

static const zfile_t odt[] = {
    { "mimetype", "application/vnd.oasis.opendocument.text" },
    { "content.xml",
      "<?xml version=\"1.0\"?><office:document-content "
      "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
      "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
      "<office:automatic-styles/><office:body><office:text>"
      "<text:h text:outline-level=\"1\">Steppe Notes</text:h>"
      "<text:p>Herders moved<text:s/>their flocks"
      "<text:note text:note-class=\"footnote\"><text:note-citation>1</text:note-citation>"
      "<text:note-body><text:p>seasonal pasture</text:p></text:note-body></text:note>"
      " before the first snow.</text:p>"
      "<text:h text:outline-level=\"2\">\u0628\u0627\u0632\u0627\u0631</text:h>"
      "<text:p>\u0628\u0627\u0632\u0631\u06af\u0627\u0646\u0627\u0646 \u0631\u0627\u0647 "
      "\u0634\u0645\u0627\u0644\u06cc</text:p>"
      "</office:text></office:body></office:document-content>" },
};

static const zfile_t epub[] = {
    { "mimetype", "application/epub+zip" },
    { "META-INF/container.xml",
      "<?xml version=\"1.0\"?><container version=\"1.0\" "
      "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
      "<rootfile full-path=\"OEBPS/book.opf\" media-type=\"application/oebps-package+xml\"/>"
      "</rootfiles></container>" },
    { "OEBPS/book.opf",
      "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
      "<manifest>"
      "<item id=\"two\" href=\"text/second%20part.xhtml\" media-type=\"application/xhtml+xml\"/>"
      "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\"/>"
      "<item id=\"one\" href=\"text/first.xhtml\" media-type=\"application/xhtml+xml\"/>"
      "</manifest><spine><itemref idref=\"one\"/><itemref idref=\"two\"/></spine></package>" },
    { "OEBPS/nav.xhtml",
      "<html><body><p>Navigation table only</p></body></html>" },
    { "OEBPS/text/first.xhtml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<html xmlns:epub=\"http://www.idpf.org/2007/ops\">"
      "<head><title>One</title></head><body><h1>Chapter One</h1>"
      "<p>The salt road<a epub:type=\"noteref\" href=\"#n1\">*</a> began at the lagoon.</p>"
      "<aside epub:type=\"footnote\" id=\"n1\"><p>A caravan route for rock salt.</p></aside>"
      "</body></html>" },
    { "OEBPS/text/second part.xhtml",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"
      "<head><title>Two</title></head><body><h1>Chapter Two</h1>"
      "<p>The salt road ended at the bazaar.</p></body></html>" },
};

/* The JSON line of the first hit for query (malloc'd), or fail. */
static char *first_json(const char *db, const char *query)
{
    char *out = search(db, query, 1);
    char *p = strstr(out, "\"passage\"");
    if (!p)
        fail_msg("no hit for %s: %s", query, out);
    char *start = p;
    while (start > out && start[-1] != '\n')
        start--;
    char *end = strchr(p, '\n');
    char *line = strndup(start, end ? (size_t)(end - start) : strlen(start));
    free(out);
    return line;
}

static void test_office(void **state)
{
    (void)state;
    char *work = enter_work("office");
    assert_int_equal(mkdir("lib", 0700), 0);
    write_zip("lib/trade.docx", docx, sizeof docx / sizeof docx[0]);
    write_zip("lib/steppe.odt", odt, sizeof odt / sizeof odt[0]);
    write_zip("lib/road.epub", epub, sizeof epub / sizeof epub[0]);
    write_bytes("lib/broken.docx", "PK not really a zip", 19);
    run_result_t r;
    run_index(&r, "-d", "db", "lib", NULL);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "lib/broken.docx: not a readable DOCX"));
    assert_non_null(strstr(r.err, "4 files: 3 indexed, 0 unchanged, 0 removed, 1 failed"));
    run_result_free(&r);

    /* DOCX: the heading style makes the section, the footnote is the
     * paragraph's gloss (and finds it), deleted text is not there. */
    char *j = first_json("db", "caravanserai");
    assert_non_null(strstr(j, "\"section\":\"Caspian Trade\""));
    assert_non_null(strstr(j, "The caravanserai stood by the ford, and the tolls were paid there."));
    assert_non_null(strstr(j, "\"gloss\":\"a roadside inn\""));
    free(j);
    j = first_json("db", "roadside");
    if (!strstr(j, "lib/trade.docx#1\"")) fail_msg("%s", j);
    free(j);
    j = first_json("db", "apricots");
    assert_non_null(strstr(j, "\"section\":\"Caspian Trade > Winter markets\""));
    assert_non_null(strstr(j, "\"gloss\":\"dried fruit\""));
    assert_null(strstr(j, "deleted"));
    free(j);
    char *out = search("db", "deleted", 0);
    assert_null(strstr(out, "trade.docx"));
    free(out);

    /* ODT: text:h levels, text:s a space, the note a gloss. */
    j = first_json("db", "herders");
    assert_non_null(strstr(j, "\"section\":\"Steppe Notes\""));
    assert_non_null(strstr(j, "Herders moved their flocks before the first snow."));
    assert_non_null(strstr(j, "\"gloss\":\"seasonal pasture\""));
    free(j);
    j = first_json("db", "\u0628\u0627\u0632\u0631\u06af\u0627\u0646\u0627\u0646");
    assert_non_null(strstr(j, "\"section\":\"Steppe Notes > \u0628\u0627\u0632\u0627\u0631\""));
    free(j);

    /* EPUB: the spine's order (not the manifest's), a file name with a
     * %20, and the navigation file outside the spine left out. */
    j = first_json("db", "lagoon");
    assert_non_null(strstr(j, "lib/road.epub#1"));
    /* The EPUB 3 note reference and its footnote: a gloss, not a passage. */
    assert_non_null(strstr(j, "\"gloss\":\"A caravan route for rock salt.\""));
    assert_non_null(strstr(j, "The salt road began at the lagoon."));
    /* (each chapter's <title> is its heading) */
    assert_non_null(strstr(j, "\"section\":\"One > Chapter One\""));
    free(j);
    j = first_json("db", "bazaar");
    assert_non_null(strstr(j, "lib/road.epub#2"));
    assert_non_null(strstr(j, "\"section\":\"Two > Chapter Two\""));
    free(j);
    out = search("db", "navigation", 0);
    assert_null(strstr(out, "road.epub"));
    free(out);
    leave_work(work);
}

/* ---------------------------------------------------------------------- */
/* HTML through libxml2                                                    */

static void test_html(void **state)
{
    (void)state;
    char *work = enter_work("html");
    assert_int_equal(mkdir("site", 0700), 0);
    static const char page[] =
        "<!DOCTYPE html><html><head><title>Caspian &amp; Aral</title>"
        "<style>p { color: red } .hiddenstyleword {}</style>"
        "<script>var scriptword = '<p>no</p>';</script></head><body>"
        "<h1>Caspian &amp; Aral</h1>"
        "<p>Caf&eacute; cr&egrave;me&hellip; the ferryman&rsquo;s&nbsp;log &mdash; "
        "&#1601;&#x627;&#1585;&#1587;&#1740; &Auml;ral &copy;&thinsp;1990.</p>"
        "<h2>Ports</h2>"
        "<table><tr><th>Port</th><th>Country</th></tr>"
        "<tr><td>Aktau</td><td>Kazakhstan</td></tr>"
        "<tr><td>Baku</td><td>Azerbaijan</td></tr></table>"
        "<!-- commentword -->"
        "</body></html>";
    write_bytes("site/page.html", page, strlen(page));
    /* windows-1256 declared in a <meta>: taken, no warning. */
    char fa_html[2048];
    snprintf(fa_html, sizeof fa_html,
             "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
             "charset=windows-1256\"><title>\u06af\u0632\u0627\u0631\u0634</title></head>"
             "<body><p>%s</p></body></html>", fa_text);
    write_encoded("site/fa.htm", "WINDOWS-1256", "", 0, fa_html);
    /* UTF-16 by its byte order mark. */
    write_encoded("site/ru.xhtml", "UTF-16LE", "\xFF\xFE", 2,
                  "<html><head><title>\u0414\u043e\u043a\u043b\u0430\u0434</title></head>"
                  "<body><p>\u0423\u0437\u0431\u0435\u043a\u0438\u0441\u0442\u0430\u043d "
                  "\u0438 \u0418\u0440\u0430\u043d</p></body></html>");
    run_result_t r;
    run_index(&r, "-d", "db", "site", NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "not UTF-8"));
    assert_non_null(strstr(r.err, "3 files: 3 indexed"));
    run_result_free(&r);

    /* Every entity decoded; the title is the heading (not repeated by the
     * <h1> saying the same). */
    char *j = first_json("db", "ferryman");
    /* (the no-break and thin spaces are spaces in passages) */
    assert_non_null(strstr(j, "Caf\u00e9 cr\u00e8me\u2026 the ferryman\u2019s log \u2014 "
                              "\u0641\u0627\u0631\u0633\u06cc \u00c4ral \u00a9 1990."));
    assert_non_null(strstr(j, "\"section\":\"Caspian & Aral\""));
    free(j);
    /* A table row is one passage, its cells joined. */
    j = first_json("db", "Aktau");
    assert_non_null(strstr(j, "\"text\":\"Aktau | Kazakhstan\""));
    assert_non_null(strstr(j, "\"section\":\"Caspian & Aral > Ports\""));
    free(j);
    j = first_json("db", "Baku");
    assert_non_null(strstr(j, "\"text\":\"Baku | Azerbaijan\""));
    free(j);
    /* Script, style and comments are not text. */
    static const char *const gone[] = { "scriptword", "hiddenstyleword", "commentword" };
    for (size_t i = 0; i < 3; i++) {
        char *out = search("db", gone[i], 0);
        if (strstr(out, "page.html"))
            fail_msg("%s found: %s", gone[i], out);
        free(out);
    }
    /* The declared windows-1256 and the UTF-16 pages, by typed words. */
    j = first_json("db", "\u0631\u0648\u0633\u06cc\u0647");
    assert_non_null(strstr(j, "site/fa.htm#1"));
    assert_non_null(strstr(j, "\"section\":\"\u06af\u0632\u0627\u0631\u0634\""));
    free(j);
    j = first_json("db", "\u0423\u0437\u0431\u0435\u043a\u0438\u0441\u0442\u0430\u043d");
    assert_non_null(strstr(j, "site/ru.xhtml#1"));
    free(j);
    leave_work(work);
}

/* ---------------------------------------------------------------------- */
/* Markdown: GFM tables and footnotes, YAML front matter                   */

static void test_markdown_gfm(void **state)
{
    (void)state;
    char *work = enter_work("gfm");
    assert_int_equal(mkdir("notes", 0700), 0);
    static const char aral[] =
        "---\n"
        "title: Notes on the Aral Sea\n"
        "author:\n"
        "  - Petrova, Anna\n"
        "  - Karimov, Bakhtiyor\n"
        "keywords: [frontmatterword]\n"
        "---\n"
        "\n"
        "# Notes on the Aral Sea\n"
        "\n"
        "The shoreline retreated[^shore] more than a hundred kilometres after 1960.[^dam]\n"
        "\n"
        "## Fisheries\n"
        "\n"
        "| Port | Catch (t) |\n"
        "|------|-----------|\n"
        "| Aralsk | 12000 |\n"
        "| Muynak | 8000 |\n"
        "\n"
        "The canneries closed[^shore] one after another.\n"
        "\n"
        "[^shore]: Measured on the eastern basin, where the seabed is flattest and the water\n"
        "    went first, according to survey maps compared across four decades of fieldwork\n"
        "    by several institutes and two ministries.\n"
        "\n"
        "[^dam]: The diversion of the Amu Darya and Syr Darya for cotton.\n";
    write_bytes("notes/aral.md", aral, strlen(aral));
    /* "---" first, but no YAML mapping: Markdown as it is. */
    static const char rule[] = "---\nNot front matter at all, a pelican paragraph.\n";
    write_bytes("notes/rule.md", rule, strlen(rule));
    run_result_t r;
    run_index(&r, "-d", "db", "notes", NULL);
    assert_int_equal(r.status, 0);
    /* Every marker has its note: no warning. */
    assert_null(strstr(r.err, "warning"));
    run_result_free(&r);

    char *out;
    char *j = first_json("db", "shoreline");
    assert_non_null(strstr(j, "\"title\":\"Notes on the Aral Sea\""));
    assert_non_null(strstr(j, "\"author\":\"Petrova, Anna; Karimov, Bakhtiyor\""));
    assert_non_null(strstr(j, "\"section\":\"Notes on the Aral Sea\""));
    /* Line numbers count the front matter's lines. */
    assert_non_null(strstr(j, "\"line\":11"));
    /* A note longer than any footnote line, linked all the same. */
    assert_non_null(strstr(j, "\"gloss\":\"Measured on the eastern basin, where the seabed is "
                              "flattest and the water went first, according to survey maps "
                              "compared across four decades of fieldwork by several institutes "
                              "and two ministries.\""));
    assert_non_null(strstr(j, "\"gloss\":\"The diversion of the Amu Darya and Syr Darya for "
                              "cotton.\""));
    free(j);
    /* The second citation of the same note gets it too. */
    j = first_json("db", "canneries");
    assert_non_null(strstr(j, "\"gloss\":\"Measured on the eastern basin"));
    assert_non_null(strstr(j, "\"section\":\"Notes on the Aral Sea > Fisheries\""));
    free(j);
    /* The note's words find the paragraphs citing it. */
    out = search("db", "ministries", 0);
    assert_non_null(strstr(out, "notes/aral.md#1 "));
    assert_non_null(strstr(out, "notes/aral.md#5 "));
    free(out);
    /* A table row is a passage, its cells joined. */
    j = first_json("db", "Muynak");
    assert_non_null(strstr(j, "\"text\":\"Muynak | 8000\""));
    free(j);
    /* The front matter is not text; the rule file is. */
    out = search("db", "frontmatterword", 0);
    assert_null(strstr(out, "aral.md"));
    free(out);
    j = first_json("db", "pelican");
    assert_non_null(strstr(j, "notes/rule.md#1"));
    assert_null(strstr(j, "\"title\""));
    free(j);
    leave_work(work);
}

int main(void)
{
    assert_non_null(getcwd(start_dir, sizeof start_dir));
    tmp = make_temp_dir();
    assert_non_null(tmp);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodings_detected),
        cmocka_unit_test(test_encoding_forced),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_walk_finds_pdf),
        cmocka_unit_test(test_office),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_markdown_gfm),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove_tree(tmp);
    free(tmp);
    return rc;
}

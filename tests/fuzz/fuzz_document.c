/*
 * fuzz_document.c - the document readers (kd_parse) on any bytes: the
 * document's invariants and the terms the indexer would make of every
 * passage (fz_check_document). FZ_FORMAT, set by tests/fuzz/CMakeLists.txt,
 * is the kd_format_t one binary reads; KD_FORMAT_AUTO makes the binary
 * "document", which hands every input to every reader it can be for:
 *   - "%PDF" in its first 1 KiB: the PDF reader (poppler);
 *   - a zip ("PK") or a zip's description ("@@ NAME" lines, fz_zip_of):
 *     the DOCX, the ODT and the EPUB reader;
 *   - anything else: the Markdown, the HTML and the plain-text reader, and
 *     the PDF reader's text repairs (check_pdf_repairs).
 * The DOCX, ODT and EPUB binaries read a description as the zip it describes
 * (stored, with right CRCs), so mutations reach their XML.
 *
 * Every passage of a document is then made into the Xapian document
 * kavosh-index adds (ki_passage_document, with name keys; check_indexed;
 * in "document", for one of the three readers an input goes to, chosen by
 * its length, which keeps the binary fast):
 * every term non-empty, valid UTF-8 and within Xapian's limit, no more
 * positions than its wdf; and its stored record read back as kavosh-search
 * reads it (search/record.c's reader, both ways) gives the passage's id,
 * section, language, kind and text, and what jansson gives (check_record).
 * The record reader is a JSON parser of its own, so every input is also
 * handed to it as a record: whatever it accepts, jansson must read the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "document_internal.h"
#include "fuzz_common.h"
#include "index.h"
#include "kavosh_xapian.h"
#include "record.h"
#include "translit.h"

#ifndef FZ_FORMAT
#error "FZ_FORMAT names the kd_format_t to parse (tests/fuzz/CMakeLists.txt)"
#endif

static int has_pdf_header(const uint8_t *data, size_t size)
{
    size_t n = size < 1024 ? size : 1024;
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(data + i, "%PDF", 4) == 0)
            return 1;
    return 0;
}

/* The PDF reader's text repairs (pdf.c), on text as poppler would hand
 * them over (valid UTF-8; other input is skipped): each line repaired is
 * valid UTF-8 and at most 12 times its length (the longest NFKC expansion
 * of a presentation form, U+FDFA, is 33 bytes for 3); the lam-alef pass
 * over the whole text keeps
 * it valid UTF-8 and its length (it turns two letters round in place). */
static void check_pdf_repairs(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (!fz_utf8(text, size) || memchr(text, '\0', size))
        return;
    for (size_t i = 0; i < size;) {
        const char *nl = memchr(text + i, '\n', size - i);
        size_t e = nl ? (size_t)(nl - text) : size;
        size_t rl = 0;
        char *r = kd_pdf_repair_line(text + i, e - i, &rl);
        FZ_CHECK(r != NULL, "kd_pdf_repair_line failed");
        FZ_CHECK(rl <= 12 * (e - i) && strlen(r) == rl && fz_utf8(r, rl),
                 "a repaired line is too long or not valid UTF-8");
        free(r);
        i = e + 1;
    }
    char *copy = malloc(size + 1);
    FZ_CHECK(copy != NULL, "out of memory");
    memcpy(copy, text, size);
    copy[size] = '\0';
    FZ_CHECK(kd_pdf_repair_lam_alef(copy, size) == 0, "kd_pdf_repair_lam_alef failed");
    FZ_CHECK(strlen(copy) == size && fz_utf8(copy, size),
             "the lam-alef repair changed the text's length or broke its UTF-8");
    free(copy);
}

/* The stored-record reader (search/record.c) against jansson on data:
 * whatever the reader accepts, jansson parses to an object with the same
 * six core members (a string, or "" when missing or not a string) and the
 * same other members (json_equal; read raw, each member's bytes are either
 * jansson's own compact writing of it or parsed to the same value).
 * must: data is a record kavosh-index wrote, which the reader must accept.
 * Returns the parsed object (json_decref), or NULL. */
static const char *const core[KS_RECORD_CORE] = { "id", "doc", "section", "lang", "kind", "text" };

static void check_core(const ks_record_t *r, json_t *o)
{
    for (int k = 0; k < KS_RECORD_CORE; k++) {
        json_t *v = json_object_get(o, core[k]);
        const char *want = json_is_string(v) ? json_string_value(v) : "";
        FZ_CHECK(strcmp(r->field[k], want) == 0 &&
                     (!json_is_string(v) || strlen(want) == json_string_length(v)),
                 "the record reader's core member differs from jansson's");
    }
    FZ_CHECK(r->text_len == strlen(r->field[KS_RECORD_TEXT]), "the record reader's text length");
}

static size_t core_present(json_t *o)
{
    size_t n = 0;
    for (int k = 0; k < KS_RECORD_CORE; k++)
        n += json_object_get(o, core[k]) != NULL;
    return n;
}

static json_t *check_record(const char *data, size_t len, int must)
{
    static ks_record_t rec;   /* reused from record to record, as kavosh-search does */
    json_error_t e;
    json_t *o = json_loadb(data, len, 0, &e);
    if (o && !json_is_object(o)) {
        json_decref(o);
        o = NULL;
    }
    int rc = ks_record_read(&rec, data, len);
    FZ_CHECK(!must || (rc == 0 && o), "a record kavosh-index wrote cannot be read back");
    if (rc == 0) {
        FZ_CHECK(o != NULL, "the record reader accepts what jansson refuses");
        check_core(&rec, o);
        FZ_CHECK(rec.rest && json_object_size(rec.rest) + core_present(o) == json_object_size(o),
                 "the record reader's members differ from jansson's");
        const char *key;
        json_t *v;
        json_object_foreach(rec.rest, key, v)
            FZ_CHECK(json_equal(v, json_object_get(o, key)),
                     "the record reader's member differs from jansson's");
    }
    rc = ks_record_read_raw(&rec, data, len);
    FZ_CHECK(!must || rc == 0, "a record kavosh-index wrote cannot be read back raw");
    if (rc == 0) {
        FZ_CHECK(o != NULL, "the raw record reader accepts what jansson refuses");
        check_core(&rec, o);
        FZ_CHECK(rec.n_raw + core_present(o) == json_object_size(o),
                 "the raw record reader's members differ from jansson's");
        for (size_t k = 0; k < rec.n_raw; k++) {
            const ks_record_raw_t *m = &rec.raw[k];
            char name[256];
            FZ_CHECK(m->key_len < sizeof name, "a raw member's name is too long");
            memcpy(name, m->key, m->key_len);
            name[m->key_len] = '\0';
            json_t *want = json_object_get(o, name);
            FZ_CHECK(want != NULL, "a raw member jansson does not have");
            if (m->parsed) {
                FZ_CHECK(json_equal(m->parsed, want), "a raw member parsed differently");
            } else {
                /* Taken as it is written: it must be what jansson writes. */
                char *dump = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
                FZ_CHECK(dump != NULL, "out of memory");
                FZ_CHECK(strlen(dump) == m->value_len && memcmp(dump, m->value, m->value_len) == 0,
                         "a raw member copied as written is not jansson's writing of it");
                free(dump);
            }
        }
    }
    return o;
}

struct term_check {
    size_t terms;
};

static int check_term(void *ctx, const char *term, size_t len, unsigned wdf, unsigned npos)
{
    struct term_check *t = ctx;
    t->terms++;
    FZ_CHECK(len > 0 && len < KX_MAX_TERM_BYTES && strlen(term) == len,
             "an indexed term empty, over Xapian's limit or with a NUL");
    FZ_CHECK(fz_utf8(term, len), "an indexed term is not valid UTF-8");
    FZ_CHECK(npos <= wdf, "an indexed term with more positions than its wdf");
    return 0;
}

static ka_translit_t *translit;

/* What kavosh-index adds for each passage: its Xapian document's terms and
 * stored record (see the top of the file). Odd passages are indexed as the
 * full text of a bibliography entry (of_source), as sources.tsv makes them. */
static void check_indexed(ka_analyzer_t *an, const kd_document_t *doc)
{
    if (!translit && ka_translit_new(&translit) != KA_OK)
        fz_fail(__FILE__, __LINE__, "cannot create the transliterator");
    for (size_t i = 0; i < doc->n_passages; i++) {
        const kd_passage_t *p = &doc->passages[i];
        const char *of_source = i % 2 ? "fuzz.md#ref-1" : NULL;
        kx_doc_t *xd = NULL;
        FZ_CHECK(ki_passage_document(an, translit, doc, i, of_source, &xd) == KX_OK,
                 "ki_passage_document failed");
        struct term_check t = { 0 };
        FZ_CHECK(kx_doc_terms(xd, check_term, &t) == KX_OK, "kx_doc_terms failed");
        FZ_CHECK(t.terms >= 4, "a passage's document without its filter terms");
        char *data = NULL;
        size_t len = 0;
        FZ_CHECK(kx_doc_get_data(xd, &data, &len) == KX_OK, "kx_doc_get_data failed");
        json_t *o = check_record(data, len, 1);
        FZ_CHECK(strcmp(json_string_value(json_object_get(o, "id")), p->id) == 0 &&
                     strcmp(json_string_value(json_object_get(o, "text")), p->text) == 0 &&
                     strcmp(json_string_value(json_object_get(o, "section")), p->section) == 0 &&
                     strcmp(json_string_value(json_object_get(o, "lang")), p->lang) == 0,
                 "a passage's record does not hold the passage");
        FZ_CHECK(json_array_size(json_object_get(o, "citations")) == p->n_citations &&
                     json_array_size(json_object_get(o, "glosses")) == p->n_glosses,
                 "a passage's record lost citations or glosses");
        FZ_CHECK(!of_source || json_is_string(json_object_get(o, "of_source")),
                 "a source's passage record without of_source");
        json_decref(o);
        kx_free(data);
        kx_doc_free(xd);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (FZ_FORMAT != KD_FORMAT_AUTO) {
        fz_parse_check(FZ_FORMAT, data, size, check_indexed);
        if (FZ_FORMAT == KD_FORMAT_PDF)
            check_pdf_repairs(data, size);
        return 0;
    }
    if (has_pdf_header(data, size)) {
        fz_parse_check(KD_FORMAT_PDF, data, size, check_indexed);
    } else if ((size >= 2 && memcmp(data, "PK", 2) == 0) ||
               (size >= 3 && memcmp(data, "@@ ", 3) == 0)) {
        fz_parse_check(KD_FORMAT_DOCX, data, size, size % 3 == 0 ? check_indexed : NULL);
        fz_parse_check(KD_FORMAT_ODT, data, size, size % 3 == 1 ? check_indexed : NULL);
        fz_parse_check(KD_FORMAT_EPUB, data, size, size % 3 == 2 ? check_indexed : NULL);
    } else {
        fz_parse_check(KD_FORMAT_MARKDOWN, data, size, size % 3 == 0 ? check_indexed : NULL);
        fz_parse_check(KD_FORMAT_HTML, data, size, size % 3 == 1 ? check_indexed : NULL);
        fz_parse_check(KD_FORMAT_TEXT, data, size, size % 3 == 2 ? check_indexed : NULL);
        check_pdf_repairs(data, size);
        json_decref(check_record((const char *)data, size, 0));
    }
    return 0;
}

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
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"
#include "fuzz_common.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (FZ_FORMAT != KD_FORMAT_AUTO) {
        fz_parse_check(FZ_FORMAT, data, size);
        if (FZ_FORMAT == KD_FORMAT_PDF)
            check_pdf_repairs(data, size);
        return 0;
    }
    if (has_pdf_header(data, size)) {
        fz_parse_check(KD_FORMAT_PDF, data, size);
    } else if ((size >= 2 && memcmp(data, "PK", 2) == 0) ||
               (size >= 3 && memcmp(data, "@@ ", 3) == 0)) {
        fz_parse_check(KD_FORMAT_DOCX, data, size);
        fz_parse_check(KD_FORMAT_ODT, data, size);
        fz_parse_check(KD_FORMAT_EPUB, data, size);
    } else {
        fz_parse_check(KD_FORMAT_MARKDOWN, data, size);
        fz_parse_check(KD_FORMAT_HTML, data, size);
        fz_parse_check(KD_FORMAT_TEXT, data, size);
        check_pdf_repairs(data, size);
    }
    return 0;
}

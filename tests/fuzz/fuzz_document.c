/*
 * fuzz_document.c - the document readers (kd_parse) on any bytes: the
 * document's invariants and the terms the indexer would make of every
 * passage (fz_check_document). FZ_FORMAT, set by tests/fuzz/CMakeLists.txt,
 * is the kd_format_t one binary reads; KD_FORMAT_AUTO makes the binary
 * "document", which hands every input to every reader it can be for:
 *   - "%PDF" in its first 1 KiB: the PDF reader (poppler);
 *   - a zip ("PK") or a zip's description ("@@ NAME" lines, fz_zip_of):
 *     the DOCX, the ODT and the EPUB reader;
 *   - anything else: the Markdown, the HTML and the plain-text reader.
 * The DOCX, ODT and EPUB binaries read a description as the zip it describes
 * (stored, with right CRCs), so mutations reach their XML.
 */
#include <stdint.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (FZ_FORMAT != KD_FORMAT_AUTO) {
        fz_parse_check(FZ_FORMAT, data, size);
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
    }
    return 0;
}

/*
 * fuzz_document.c - one document reader (kd_parse with the format
 * FZ_FORMAT, set by tests/fuzz/CMakeLists.txt: one binary per format) on
 * any bytes: the document's invariants and the terms the indexer would make
 * of every passage (fz_check_document).
 */
#include <stdint.h>

#include "fuzz_common.h"

#ifndef FZ_FORMAT
#error "FZ_FORMAT names the kd_format_t to parse (tests/fuzz/CMakeLists.txt)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ka_analyzer_t *an = fz_analyzer();
    kd_document_t *doc = NULL;
    int rc = kd_parse(an, "fuzz.doc", FZ_FORMAT, (const char *)data, size, &doc);
    FZ_CHECK(rc == 0, "kd_parse failed");
    fz_check_document(an, doc, "fuzz.doc");
    kd_document_free(doc);
    return 0;
}

/*
 * fuzz_query.c - the query parser (ks_query_parse) on any text kavosh-search
 * accepts (up to the first NUL, at most KS_MAX_QUERY_BYTES bytes), with the
 * bundled glossary (FZ_GLOSSARY) and the transliterator as kavosh-search
 * uses them, without an index. Checks: a known status; a syntax error comes
 * with a message and no query; a query has a Xapian query, and every term
 * it highlights is valid UTF-8 within Xapian's limit; its warning and
 * expansion labels are valid UTF-8; filters can be added.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "glossary.h"
#include "kavosh_xapian.h"
#include "query.h"
#include "run.h"
#include "translit.h"

#ifndef FZ_GLOSSARY
#error "FZ_GLOSSARY names indexer/lexicon/article.tsv (tests/fuzz/CMakeLists.txt)"
#endif

static ks_glossary_t *glossary;
static ka_translit_t *translit;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FILE *f = fopen(FZ_GLOSSARY, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_query: cannot read %s\n", FZ_GLOSSARY);
        abort();
    }
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (ks_glossary_new(&glossary) != KS_GLOSSARY_OK ||
        ks_glossary_add_tsv(glossary, fz_analyzer(), FZ_GLOSSARY, buf, len, NULL, NULL, NULL) !=
            KS_GLOSSARY_OK ||
        ks_glossary_concept_count(glossary) == 0) {
        fprintf(stderr, "fuzz_query: cannot load %s\n", FZ_GLOSSARY);
        abort();
    }
    if (ka_translit_new(&translit) != KA_OK) {
        fprintf(stderr, "fuzz_query: cannot create the transliterator\n");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!glossary)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > KS_MAX_QUERY_BYTES)
        return 0;   /* kavosh-search refuses it before parsing */
    char text[KS_MAX_QUERY_BYTES + 1];
    memcpy(text, data, size);
    text[size] = '\0';

    ks_query_options_t opt = { .db = NULL, .glossary = glossary, .translit = translit };
    ks_query_t *q = NULL;
    char *err = NULL;
    ks_query_status_t st = ks_query_parse(fz_analyzer(), text, &opt, &q, &err);
    FZ_CHECK(st >= KS_QUERY_OK && st <= KS_QUERY_FAILED, "an unknown status");
    FZ_CHECK(st != KS_QUERY_FAILED && st != KS_QUERY_NOMEM, "the parser failed");
    if (st == KS_QUERY_SYNTAX) {
        if (err && !fz_cstr(err))
            fprintf(stderr, "the message: %s\n", err);
        FZ_CHECK(err && fz_cstr(err), "a syntax error without a valid UTF-8 message");
        FZ_CHECK(strstr(err, " at character ") != NULL, "a syntax error without its position");
    }
    if (st != KS_QUERY_OK) {
        FZ_CHECK(q == NULL, "a failed parse gave a query");
        free(err);
        return 0;
    }
    FZ_CHECK(q != NULL, "success without a query");
    FZ_CHECK(ks_query_xapian(q) != NULL, "a query without its Xapian query");
    FZ_CHECK(fz_cstr(ks_query_warning(q)), "a warning is not valid UTF-8");
    size_t n = ks_query_term_count(q);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        const char *t = ks_query_term(q, i, &len);
        FZ_CHECK(t && len > 0 && strlen(t) == len, "a query term's length");
        FZ_CHECK(len <= KX_MAX_TERM_BYTES - 1, "a query term over Xapian's limit");
        FZ_CHECK(fz_utf8(t, len), "a query term is not valid UTF-8");
        FZ_CHECK(ks_query_wants_term(q, t, len) >= 1, "the query does not want its own term");
    }
    for (size_t i = 0; i < ks_query_expansion_count(q); i++)
        FZ_CHECK(fz_cstr(ks_query_expansion_label(q, i)), "an expansion label is not valid UTF-8");
    FZ_CHECK(ks_query_add_filter(q, "Lfa") == KS_QUERY_OK, "a filter cannot be added");
    FZ_CHECK(ks_query_xapian(q) != NULL, "a filtered query without its Xapian query");
    char *desc = kx_query_describe(ks_query_xapian(q));
    FZ_CHECK(desc != NULL, "the query cannot be described");
    kx_free(desc);
    ks_query_free(q);
    free(err);
    return 0;
}

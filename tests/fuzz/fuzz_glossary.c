/*
 * fuzz_glossary.c - the glossary TSV reader (ks_glossary_add_tsv) on any
 * bytes: it never fails on malformed input, its diagnostics are valid UTF-8
 * with a line inside the input, every variant stored has 1..16 valid terms
 * within Xapian's limit, the glossary written back as TSV
 * (ks_glossary_to_tsv, what kavosh-index stores) loads again into the same
 * glossary, and the matcher's spans lie inside the query it was given.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "glossary.h"
#include "kavosh_xapian.h"

typedef struct diag_ctx {
    size_t lines;   /* an upper bound on the input's lines */
} diag_ctx_t;

static void on_diag(void *ctx, const char *source, size_t line, const char *message)
{
    const diag_ctx_t *d = ctx;
    FZ_CHECK(source && strcmp(source, "fuzz.tsv") == 0, "a diagnostic without its source");
    FZ_CHECK(line <= d->lines, "a diagnostic's line past the input");
    FZ_CHECK(message && fz_cstr(message), "a diagnostic is not valid UTF-8");
}

static void check_variants(const ks_glossary_t *g)
{
    size_t total = 0;
    for (size_t c = 0; c < ks_glossary_concept_count(g); c++) {
        size_t n = ks_glossary_concept_size(g, c);
        FZ_CHECK(n >= 1 && n <= KS_GLOSSARY_MAX_SPELLINGS * KS_LANG_COUNT, "a concept's size");
        for (size_t i = 0; i < n; i++) {
            ks_glossary_variant_t v;
            FZ_CHECK(ks_glossary_variant(g, c, i, &v) == KS_GLOSSARY_OK, "a variant unreadable");
            FZ_CHECK(v.lang < KS_LANG_COUNT, "a variant's language");
            FZ_CHECK(v.text && fz_cstr(v.text), "a variant's text is not valid UTF-8");
            FZ_CHECK(v.nterms >= 1 && v.nterms <= KS_GLOSSARY_MAX_TERMS, "a variant's term count");
            for (size_t k = 0; k < v.nterms; k++) {
                size_t tl = strlen(v.terms[k]);
                FZ_CHECK(tl > 0 && tl <= KX_MAX_TERM_BYTES - 2 && fz_utf8(v.terms[k], tl),
                         "a variant's term is empty, too long or not UTF-8");
                if (v.stems && v.stems[k]) {
                    size_t sl = strlen(v.stems[k]);
                    FZ_CHECK(sl > 1 && sl <= KX_MAX_TERM_BYTES - 1 && fz_utf8(v.stems[k], sl),
                             "a variant's stem is empty, too long or not UTF-8");
                }
            }
            total++;
        }
    }
    FZ_CHECK(total == ks_glossary_variant_total(g), "variant total disagrees with the concepts");
}

typedef struct match_ctx {
    const ks_glossary_t *g;
    size_t last_start, last_end;
} match_ctx_t;

static int on_match(void *ctx, const ks_glossary_match_t *m)
{
    match_ctx_t *c = ctx;
    FZ_CHECK(m->start < m->end && m->end <= m->nterms, "a match's span outside the query");
    /* Left to right; homographs share their span. */
    FZ_CHECK(m->start >= c->last_end || (m->start == c->last_start && m->end == c->last_end),
             "matches out of order or overlapping");
    FZ_CHECK(m->concept < ks_glossary_concept_count(c->g), "a match's concept out of range");
    FZ_CHECK(m->variant < ks_glossary_concept_size(c->g, m->concept), "a match's variant out of range");
    c->last_start = m->start;
    c->last_end = m->end;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ka_analyzer_t *an = fz_analyzer();
    const char *buf = (const char *)data;
    diag_ctx_t d = { .lines = 1 };
    for (size_t i = 0; i < size; i++)
        d.lines += buf[i] == '\n';

    ks_glossary_t *g = NULL;
    FZ_CHECK(ks_glossary_new(&g) == KS_GLOSSARY_OK, "ks_glossary_new failed");
    ks_glossary_report_t rep;
    ks_glossary_status_t st = ks_glossary_add_tsv(g, an, "fuzz.tsv", buf, size, on_diag, &d, &rep);
    FZ_CHECK(st == KS_GLOSSARY_OK, "malformed input stopped the load");
    FZ_CHECK(rep.lines <= d.lines, "more lines reported than the input has");
    FZ_CHECK(rep.concepts == ks_glossary_concept_count(g), "the report's concept count");
    FZ_CHECK(rep.variants == ks_glossary_variant_total(g), "the report's variant count");
    check_variants(g);

    /* What kavosh-index stores, kavosh-search loads: the same glossary. */
    char *tsv = NULL;
    size_t tsv_len = 0;
    FZ_CHECK(ks_glossary_to_tsv(g, &tsv, &tsv_len) == KS_GLOSSARY_OK, "ks_glossary_to_tsv failed");
    FZ_CHECK(fz_utf8(tsv, tsv_len), "the TSV written is not valid UTF-8");
    ks_glossary_t *g2 = NULL;
    FZ_CHECK(ks_glossary_new(&g2) == KS_GLOSSARY_OK, "ks_glossary_new failed");
    ks_glossary_report_t rep2;
    d.lines = (size_t)-1;
    st = ks_glossary_add_tsv(g2, an, "fuzz.tsv", tsv, tsv_len, on_diag, &d, &rep2);
    FZ_CHECK(st == KS_GLOSSARY_OK, "the TSV written does not load");
    FZ_CHECK(rep2.skipped == 0, "a line of the TSV written is skipped when read back");
    FZ_CHECK(ks_glossary_concept_count(g2) == ks_glossary_concept_count(g) &&
             ks_glossary_variant_total(g2) == ks_glossary_variant_total(g),
             "the TSV written loads into another glossary");
    char *tsv2 = NULL;
    size_t tsv2_len = 0;
    FZ_CHECK(ks_glossary_to_tsv(g2, &tsv2, &tsv2_len) == KS_GLOSSARY_OK, "ks_glossary_to_tsv failed");
    FZ_CHECK(tsv2_len == tsv_len && memcmp(tsv, tsv2, tsv_len) == 0,
             "writing, reading and writing the glossary changes it");
    free(tsv);
    free(tsv2);
    ks_glossary_free(g2);

    /* The input as a query against itself (bounded: queries are <= 4 KiB). */
    match_ctx_t mc = { .g = g };
    st = ks_glossary_match_text(g, an, buf, size < 4096 ? size : 4096, on_match, &mc);
    FZ_CHECK(st == KS_GLOSSARY_OK, "ks_glossary_match_text failed");
    ks_glossary_free(g);
    return 0;
}

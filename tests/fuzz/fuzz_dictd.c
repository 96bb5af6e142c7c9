/*
 * fuzz_dictd.c - the FreeDict/dictd reader (ki_dictd_convert) on any bytes.
 * Input: one byte choosing the language pair (its value mod 6), then the
 * .index bytes, a NUL, and the .dict bytes (without a NUL, the .dict is
 * empty). The TSV it makes is valid UTF-8 with one header and one line per
 * entry, and the glossary reader accepts every line of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "glossary.h"
#include "index_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int pairs[6][2] = { { 0, 1 }, { 0, 2 }, { 1, 0 }, { 1, 2 }, { 2, 0 }, { 2, 1 } };
    if (size < 1)
        return 0;
    int src = pairs[data[0] % 6][0], dst = pairs[data[0] % 6][1];
    const char *idx = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nul = memchr(idx, '\0', rest);
    size_t idx_len = nul ? (size_t)(nul - idx) : rest;
    const char *dict = nul ? nul + 1 : idx + rest;
    size_t dict_len = nul ? rest - idx_len - 1 : 0;

    char *tsv = NULL;
    size_t len = 0, entries = 0;
    int rc = ki_dictd_convert("fuzz.index", "fuzz.index", idx, idx_len, "fuzz.dict", dict, dict_len,
                              src, dst, &tsv, &len, &entries);
    if (rc != 0) {
        FZ_CHECK(tsv == NULL && entries == 0, "a failed conversion left output");
        return 0;
    }
    FZ_CHECK(tsv && strlen(tsv) == len, "the TSV's length");
    FZ_CHECK(fz_utf8(tsv, len), "the TSV made of a dictionary is not valid UTF-8");
    FZ_CHECK(entries > 0, "success without entries");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) {
        if (tsv[i] == '\n')
            lines++;
        FZ_CHECK(tsv[i] == '\n' || tsv[i] == '\t' || (unsigned char)tsv[i] >= 0x20,
                 "a control character in the TSV");
    }
    FZ_CHECK(len && tsv[len - 1] == '\n', "the TSV does not end with a newline");
    FZ_CHECK(lines == entries + 2, "not one line per entry after the comment and header");

    ks_glossary_t *g = NULL;
    FZ_CHECK(ks_glossary_new(&g) == KS_GLOSSARY_OK, "ks_glossary_new failed");
    ks_glossary_report_t rep;
    FZ_CHECK(ks_glossary_add_tsv(g, fz_analyzer(), "fuzz.tsv", tsv, len, NULL, NULL, &rep) ==
                 KS_GLOSSARY_OK,
             "the glossary reader refuses the TSV");
    FZ_CHECK(rep.skipped == 0, "the glossary reader skips a line of the TSV");
    ks_glossary_free(g);
    free(tsv);
    return 0;
}

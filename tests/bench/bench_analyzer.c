/*
 * bench_analyzer.c - analyzer throughput against ICU's own building blocks.
 *
 *   bench_analyzer FILE [MB]
 *
 * FILE is repeated in memory up to MB megabytes (default 20), then timed,
 * best of three runs each:
 *   analyzer     ka_analyze over the whole text (KA_DOCUMENT), tokens counted
 *   no_joined    the same with KA_OPT_NO_JOINED (what kavosh-index asks for)
 *   nfkc_cf      UTF-8 -> UTF-16 and ICU NFKC_Casefold, in 64 KiB pieces
 *   wordbreak    ICU word break iterator over the UTF-8 text (UText), every
 *                boundary and its rule status visited
 * and the analyzer's throughput is printed as a ratio of each. Times are
 * CPU time of the process (one thread). A measuring program, not a test:
 * run it on an optimized build without sanitizers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "analyzer.h"

#define RUNS 3
#define PIECE 65536

static double now(void)
{
    struct timespec ts;
    /* CPU time of this process: the machine is shared, and wall-clock
     * time would count the time other processes took from us. */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count_token(void *ctx, const ka_token_t *t)
{
    size_t *n = ctx;
    (*n)++;
    (void)t;
    return 0;
}

static double run_analyzer(ka_analyzer_t *a, const char *text, size_t len, size_t *tokens)
{
    *tokens = 0;
    double t0 = now();
    if (ka_analyze(a, KA_DOCUMENT, text, len, count_token, tokens) != KA_OK) {
        fprintf(stderr, "bench_analyzer: ka_analyze failed\n");
        exit(1);
    }
    return now() - t0;
}

static double run_nfkc(const char *text, size_t len)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nf = unorm2_getNFKCCasefoldInstance(&err);
    UChar *u16 = malloc(PIECE * sizeof(UChar) * 2);
    UChar *out = malloc(PIECE * sizeof(UChar) * 8);
    double t0 = now();
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < PIECE ? len - off : PIECE;
        /* Cut at a character boundary, as the analyzer does. */
        while (off + n < len && n > 0 && ((unsigned char)text[off + n] & 0xC0) == 0x80)
            n--;
        int32_t ul = 0;
        err = U_ZERO_ERROR;
        u_strFromUTF8WithSub(u16, PIECE * 2, &ul, text + off, (int32_t)n, 0xFFFD, NULL, &err);
        err = U_ZERO_ERROR;
        unorm2_normalize(nf, u16, ul, out, PIECE * 8, &err);
        if (U_FAILURE(err)) {
            fprintf(stderr, "bench_analyzer: normalize: %s\n", u_errorName(err));
            exit(1);
        }
        off += n;
    }
    double t = now() - t0;
    free(u16);
    free(out);
    return t;
}

static double run_wordbreak(const char *text, size_t len, size_t *words)
{
    UErrorCode err = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &err);
    UBreakIterator *bi = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
    if (U_FAILURE(err)) {
        fprintf(stderr, "bench_analyzer: ICU: %s\n", u_errorName(err));
        exit(1);
    }
    double t0 = now();
    ubrk_setUText(bi, ut, &err);
    *words = 0;
    for (int32_t b = ubrk_next(bi); b != UBRK_DONE; b = ubrk_next(bi))
        if (ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT)
            (*words)++;
    double t = now() - t0;
    ubrk_close(bi);
    utext_close(ut);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_analyzer FILE [MB]\n");
        return 2;
    }
    double mb = argc == 3 ? atof(argv[2]) : 20.0;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        fprintf(stderr, "bench_analyzer: cannot open %s\n", argv[1]);
        return 1;
    }
    char *one = NULL;
    size_t n1 = 0, cap = 0, got;
    do {
        if (n1 + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            one = realloc(one, cap);
        }
        got = fread(one + n1, 1, cap - n1, f);
        n1 += got;
    } while (got > 0);
    fclose(f);
    if (n1 == 0) {
        fprintf(stderr, "bench_analyzer: empty file\n");
        return 1;
    }
    size_t want = (size_t)(mb * 1e6), len = 0;
    char *text = malloc(want + n1 + 1);
    while (len < want) {
        memcpy(text + len, one, n1);
        len += n1;
        text[len++] = '\n';     /* so copies do not glue words together */
    }

    ka_analyzer_t *a;
    if (ka_analyzer_new(&a) != KA_OK) {
        fprintf(stderr, "bench_analyzer: cannot create the analyzer\n");
        return 1;
    }
    double best_a = 1e30, best_j = 1e30, best_n = 1e30, best_w = 1e30;
    size_t tokens = 0, tokens_nj = 0, words = 0;
    for (int r = 0; r < RUNS; r++) {
        ka_analyzer_set_options(a, 0);
        double t = run_analyzer(a, text, len, &tokens);
        if (t < best_a) best_a = t;
        ka_analyzer_set_options(a, KA_OPT_NO_JOINED);
        t = run_analyzer(a, text, len, &tokens_nj);
        if (t < best_j) best_j = t;
        t = run_nfkc(text, len);
        if (t < best_n) best_n = t;
        t = run_wordbreak(text, len, &words);
        if (t < best_w) best_w = t;
    }
    double m = (double)len / 1e6;
    printf("input      %s x%zu = %.1f MB\n", argv[1], len / (n1 + 1), m);
    printf("analyzer   %8.1f MB/s  (%zu tokens incl. joined pairs)\n", m / best_a, tokens);
    printf("no_joined  %8.1f MB/s  (%zu tokens)\n", m / best_j, tokens_nj);
    printf("nfkc_cf    %8.1f MB/s  (UTF-8 -> UTF-16 + NFKC_Casefold)\n", m / best_n);
    printf("wordbreak  %8.1f MB/s  (%zu words)\n", m / best_w, words);
    printf("ratio      analyzer/nfkc_cf %.2f, analyzer/wordbreak %.2f, no_joined/wordbreak %.2f\n",
           best_n / best_a, best_w / best_a, best_w / best_j);
    ka_analyzer_free(a);
    free(text);
    free(one);
    return 0;
}

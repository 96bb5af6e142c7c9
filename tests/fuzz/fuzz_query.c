/*
 * fuzz_query.c - a query's whole path in kavosh-search, on any text it
 * accepts (up to the first NUL, at most KS_MAX_QUERY_BYTES bytes):
 *   1. the parser (ks_query_parse) with the bundled glossary (FZ_GLOSSARY)
 *      and the transliterator, without an index. Checks: a known status; a
 *      syntax error comes with a message and no query; a query has a Xapian
 *      query, and every term it highlights is valid UTF-8 within Xapian's
 *      limit; its warning and expansion labels are valid UTF-8; filters can
 *      be added.
 *   2. a query that parses is then run as kavosh-search runs it
 *      (ks_run_query: parsed again against the index, with word splits,
 *      evidence weights, the index's glossary lookup tables and
 *      transliteration keys; searched, snippets made, printed) against a
 *      small index built once at start-up from the project's fixtures
 *      (FZ_CORPUS, FZ_TEXTS, with the default lexicon FZ_LEXICON), printed
 *      one of six ways by the input's length (run_query). Checks: no
 *      failure but a malformed query; every JSON line an object whose
 *      snippet and spans (sorted, disjoint) lie inside its text on UTF-8
 *      boundaries; text and TSV output valid UTF-8 without a raw control
 *      character but the newline (and TSV's tab, colour's SGR sequences).
 *   3. an input of several lines whose length picks JSON or TSV is also run
 *      as a batch file of its first eight lines (run_batch).
 *   4. the text as --cites reads it (ks_print_cites: the bibliography
 *      entries it names, and the passages citing them with the citing
 *      sentence), as JSON, TSV or wrapped text by the input's length
 *      (run_cites), checked as the hits are; and the citation context
 *      (ks_citation_context) of a span of the input chosen by its bytes:
 *      inside the input, around the span, on UTF-8 boundaries.
 * The text and TSV variants of step 2 also run with --section or --source
 * set to the input's last word (the filters run.c adds to the query).
 */
/* nftw */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "citations.h"
#include "glossary.h"
#include "index.h"
#include "kavosh_xapian.h"
#include "query.h"
#include "run.h"
#include "translit.h"

#if !defined(FZ_GLOSSARY) || !defined(FZ_CORPUS) || !defined(FZ_TEXTS) || !defined(FZ_LEXICON)
#error "FZ_GLOSSARY, FZ_CORPUS, FZ_TEXTS and FZ_LEXICON name fixtures (tests/fuzz/CMakeLists.txt)"
#endif

static ks_glossary_t *glossary;
static ka_translit_t *translit;
static ks_run_t run;
static char tmp[64];

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void cleanup(void)
{
    if (run.db)
        kx_db_close(run.db);
    run.db = NULL;
    if (tmp[0])
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what)
{
    fprintf(stderr, "fuzz_query: %s\n", what);
    abort();
}

/* The index every query runs against: the fixtures, indexed once. */
static void build_index(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/kavosh-fuzz-query-XXXXXX");
    if (!mkdtemp(tmp))
        die("cannot make a temporary folder");
    atexit(cleanup);
    char path[128];
    snprintf(path, sizeof path, "%s/db", tmp);
    kx_db_t *db = NULL;
    char *detail = NULL;
    if (kx_db_open(path, KX_OPEN_SCRATCH, &db, &detail) != KX_OK)
        die("cannot create the index");
    kx_free(detail);
    const char *paths[] = { FZ_CORPUS, FZ_TEXTS };
    ki_options_t opt = { .quiet = 1, .lexicon = FZ_LEXICON, .db_path = path };
    ki_summary_t sum;
    memset(&sum, 0, sizeof sum);
    if (ki_index_paths(db, fz_analyzer(), paths, 2, &opt, &sum) != KI_EXIT_OK ||
        kx_db_commit(db) != KX_OK)
        die("cannot index the fixtures");
    kx_db_close(db);
    if (kx_db_open(path, KX_OPEN_READ, &db, &detail) != KX_OK)
        die("cannot reopen the index");
    kx_free(detail);
    run.db = db;
    run.an = fz_analyzer();
    run.translit = translit;
    run.limit = 5;
    run.explain = 1;
    if (ks_run_load_glossary(&run) != KI_EXIT_OK)
        die("cannot load the index's glossary");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FILE *f = fopen(FZ_GLOSSARY, "rb");
    if (!f)
        die("cannot read " FZ_GLOSSARY);
    static char buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (ks_glossary_new(&glossary) != KS_GLOSSARY_OK ||
        ks_glossary_add_tsv(glossary, fz_analyzer(), FZ_GLOSSARY, buf, len, NULL, NULL, NULL) !=
            KS_GLOSSARY_OK ||
        ks_glossary_concept_count(glossary) == 0)
        die("cannot load " FZ_GLOSSARY);
    if (ka_translit_new(&translit) != KA_OK)
        die("cannot create the transliterator");
    build_index();
    return 0;
}

/* Whether off is a UTF-8 boundary of s (length n). */
static int boundary(const char *s, size_t n, json_int_t off)
{
    return off >= 0 && (size_t)off <= n &&
           ((size_t)off == n || ((unsigned char)s[off] & 0xC0) != 0x80);
}

static void check_json_hits(const char *out, size_t len)
{
    for (const char *line = out; line < out + len;) {
        const char *nl = memchr(line, '\n', (size_t)(out + len - line));
        FZ_CHECK(nl != NULL, "a JSON record without its newline");
        json_error_t e;
        json_t *o = json_loadb(line, (size_t)(nl - line), 0, &e);
        FZ_CHECK(o && json_is_object(o), "a JSON record that does not parse");
        const char *text = json_string_value(json_object_get(o, "text"));
        if (text) {
            size_t tl = strlen(text);
            FZ_CHECK(fz_utf8(text, tl), "a hit's text is not valid UTF-8");
            json_t *r = json_object_get(o, "snippet_range");
            json_int_t a = json_integer_value(json_array_get(r, 0));
            json_int_t b = json_integer_value(json_array_get(r, 1));
            FZ_CHECK(a <= b && boundary(text, tl, a) && boundary(text, tl, b),
                     "a snippet outside its text or inside a character");
            /* The spans mark every match in the whole text, sorted and merged. */
            size_t i;
            json_t *sp;
            json_int_t last = 0;
            json_array_foreach(json_object_get(o, "spans"), i, sp) {
                json_int_t s0 = json_integer_value(json_array_get(sp, 0));
                json_int_t s1 = json_integer_value(json_array_get(sp, 1));
                FZ_CHECK(s0 < s1 && boundary(text, tl, s0) && boundary(text, tl, s1),
                         "a span outside its text or inside a character");
                FZ_CHECK(s0 >= last, "spans out of order or overlapping");
                last = s1;
            }
        } else {
            FZ_CHECK(json_object_get(o, "warning") || json_object_get(o, "hits"),
                     "a JSON record neither a hit nor a query's record");
        }
        json_decref(o);
        line = nl + 1;
    }
}

/* Text output: valid UTF-8, no control byte but the newline and (in colour)
 * the SGR sequences the printer writes itself, ESC [ digits/; m. */
static void check_text(const char *mem, size_t len, int color, int tabs)
{
    FZ_CHECK(strlen(mem) == len && fz_utf8(mem, len), "text output is not valid UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)mem[i];
        if (color && c == 0x1B && i + 1 < len && mem[i + 1] == '[') {
            size_t k = i + 2;
            while (k < len && ((mem[k] >= '0' && mem[k] <= '9') || mem[k] == ';'))
                k++;
            FZ_CHECK(k < len && mem[k] == 'm', "an escape sequence that is not SGR");
            i = k;
            continue;
        }
        FZ_CHECK(c >= 0x20 || c == '\n' || (tabs && c == '\t'), "a control byte in the output");
        FZ_CHECK(c != 0x7F, "DEL in the output");
    }
}

/* One of six ways to run and print, chosen by the input's length: JSON,
 * plain text, TSV, JSON of Persian hits from the second page ranked by BM25
 * alone, text wrapped with isolates, text reordered by fribidi in colour. */
static void run_query(const char *text, unsigned variant)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&mem, &len);
    FZ_CHECK(out != NULL, "out of memory");
    static const ks_out_format_t format[6] = { KS_OUT_JSON, KS_OUT_TEXT, KS_OUT_TSV,
                                               KS_OUT_JSON, KS_OUT_TEXT, KS_OUT_TEXT };
    run.out = out;
    run.format = format[variant];
    run.qid = variant == 0 || variant == 2 || variant == 3 ? "q" : NULL;
    run.explain = variant != 3;
    run.no_coverage = variant == 3;
    run.offset = variant == 3 ? 2 : 0;
    run.n_langs = variant == 3 ? 1 : 0;
    run.langs[0] = "fa";
    run.style = (ks_text_style_t){ .color = variant == 5, .isolates = variant == 4,
                                   .width = variant == 4 ? 60 : variant == 5 ? 40 : 0,
                                   .visual = variant == 5 };
    /* --section (text) or --source (TSV) with the input's last word. */
    const char *last = strrchr(text, ' ');
    last = last && last[1] ? last + 1 : NULL;
    run.filter_section = variant == 1 ? last : NULL;
    run.filter_source = variant == 2 ? last : NULL;
    ki_exit_t e = ks_run_query(&run, text, "");
    run.filter_section = run.filter_source = NULL;
    FZ_CHECK(fclose(out) == 0, "out of memory");
    run.out = NULL;
    FZ_CHECK(e == KI_EXIT_OK || e == KI_EXIT_NO_RESULTS || e == KI_EXIT_USAGE,
             "a query failed in the index");
    FZ_CHECK(e != KI_EXIT_OK || len > 0 || variant == 3, "hits without output");
    FZ_CHECK(fz_cstr(run.error) && fz_cstr(run.warning), "a message is not valid UTF-8");
    if (getenv("FZ_VERBOSE"))
        fprintf(stderr, "query (variant %u): exit %d, %u hits, %zu bytes\n", variant, (int)e,
                run.n_hits, len);
    if (run.format == KS_OUT_JSON)
        check_json_hits(mem, len);
    else
        check_text(mem, len, variant == 5, run.format == KS_OUT_TSV);
    free(mem);
}

/* A batch (ks_run_batch, as --batch reads a file): the input's first eight
 * lines, "QUERY" or "ID<TAB>QUERY", as JSON or TSV records. Every line gets
 * its records (hits, none, an error, a warning), valid as the format says. */
static void run_batch(const uint8_t *data, size_t size, int json)
{
    char path[128];
    snprintf(path, sizeof path, "%s/batch.txt", tmp);
    FILE *f = fopen(path, "wb");
    FZ_CHECK(f != NULL, "cannot write the batch file");
    size_t lines = 0, i = 0;
    for (; i < size && lines < 8; i++)
        lines += data[i] == '\n';
    FZ_CHECK(fwrite(data, 1, i, f) == i && fclose(f) == 0, "cannot write the batch file");
    char *mem = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&mem, &len);
    FZ_CHECK(out != NULL, "out of memory");
    run.out = out;
    run.format = json ? KS_OUT_JSON : KS_OUT_TSV;
    run.explain = 1;
    run.no_coverage = 0;
    run.offset = 0;
    run.n_langs = 0;
    run.style = (ks_text_style_t){ 0 };
    ki_exit_t e = ks_run_batch(&run, path);
    FZ_CHECK(fclose(out) == 0, "out of memory");
    run.out = NULL;
    run.qid = NULL;
    FZ_CHECK(e == KI_EXIT_OK || e == KI_EXIT_NO_RESULTS || e == KI_EXIT_USAGE,
             "a batch failed in the index");
    FZ_CHECK(run.memo == NULL, "a batch left its memo");
    if (getenv("FZ_VERBOSE"))
        fprintf(stderr, "batch (%s, %zu lines): exit %d, %zu bytes\n", json ? "JSON" : "TSV",
                lines, (int)e, len);
    if (json)
        check_json_hits(mem, len);
    else
        check_text(mem, len, 0, 1);
    free(mem);
}

/* --cites --json: one object per citing passage, ranked from 1, its context
 * (valid UTF-8) as long as its range says. */
static void check_json_cites(const char *out, size_t len)
{
    json_int_t rank = 0;
    for (const char *line = out; line < out + len;) {
        const char *nl = memchr(line, '\n', (size_t)(out + len - line));
        FZ_CHECK(nl != NULL, "a --cites record without its newline");
        json_error_t e;
        json_t *o = json_loadb(line, (size_t)(nl - line), 0, &e);
        FZ_CHECK(o && json_is_object(o), "a --cites record that does not parse");
        FZ_CHECK(json_integer_value(json_object_get(o, "rank")) == ++rank,
                 "--cites records out of rank");
        const char *ctx = json_string_value(json_object_get(o, "context"));
        json_t *r = json_object_get(o, "context_range");
        json_int_t a = json_integer_value(json_array_get(r, 0));
        json_int_t b = json_integer_value(json_array_get(r, 1));
        FZ_CHECK(ctx && fz_utf8(ctx, strlen(ctx)) && a <= b && (json_int_t)strlen(ctx) == b - a,
                 "a --cites context that is not its range");
        FZ_CHECK(json_string_value(json_object_get(o, "source")) &&
                     json_string_value(json_object_get(o, "passage")),
                 "a --cites record without its source or passage");
        json_decref(o);
        line = nl + 1;
    }
}

/* --cites with the text (see the top of the file). */
static void run_cites(const char *text, unsigned variant)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&mem, &len);
    FZ_CHECK(out != NULL, "out of memory");
    ks_text_style_t style = { .isolates = 1, .width = 50 };
    ks_cite_options_t copt = { .json = variant == 0, .tsv = variant == 1,
                               .isolates = variant == 2, .style = variant == 2 ? &style : NULL,
                               .limit = 5, .glossary = run.glossary, .translit = translit };
    int e = ks_print_cites(run.db, fz_analyzer(), text, out, &copt);
    FZ_CHECK(fclose(out) == 0, "out of memory");
    FZ_CHECK(e == KI_EXIT_OK || e == KI_EXIT_NO_RESULTS || e == KI_EXIT_USAGE,
             "--cites failed in the index");
    FZ_CHECK(e != KI_EXIT_OK || len > 0, "--cites found citing passages without output");
    if (getenv("FZ_VERBOSE"))
        fprintf(stderr, "cites (variant %u): exit %d, %zu bytes\n", variant, e, len);
    if (variant == 0)
        check_json_cites(mem, len);
    else
        check_text(mem, len, 0, variant == 1);
    free(mem);
}

/* The context ks_citation_context gives a span of the input chosen by its
 * first bytes: around the span, inside the input, and on UTF-8 boundaries
 * when the input and the span's ends are. */
static void check_context(const char *text, size_t len)
{
    if (len < 4)
        return;
    size_t start = ((unsigned char)text[0] * 256u + (unsigned char)text[1]) % (len + 2);
    size_t end = start + (unsigned char)text[2] % 64u;
    size_t max_chars = (unsigned char)text[3] % 2 ? 300 : (unsigned char)text[3] % 16u;
    size_t cs = 0, ce = 0;
    ks_citation_context(text, len, start, end, max_chars, &cs, &ce);
    size_t s = start > len ? len : start;
    size_t e = end > len || end < s ? s : end;
    FZ_CHECK(cs <= s && e <= ce && ce <= len, "a citation's context outside the text or the span");
    if (fz_utf8(text, len) && boundary(text, len, (json_int_t)s) &&
        boundary(text, len, (json_int_t)e))
        FZ_CHECK(boundary(text, len, (json_int_t)cs) && boundary(text, len, (json_int_t)ce),
                 "a citation's context inside a character");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!glossary)
        LLVMFuzzerInitialize(NULL, NULL);
    /* An input of several lines is also a batch, for the JSON and TSV variants. */
    if ((size % 6 == 0 || size % 6 == 2) && memchr(data, '\n', size) != NULL)
        run_batch(data, size, size % 6 == 0);
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

    run_query(text, (unsigned)(size % 6));
    run_cites(text, (unsigned)(size % 3));
    check_context(text, size);
    return 0;
}

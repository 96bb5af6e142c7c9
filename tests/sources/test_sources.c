/*
 * test_sources.c - full texts of cited works. kavosh-index is run on copies
 * of the fixture corpus in data/corpus (an article with a bibliography, two
 * texts of works it cites, one named by sources.tsv and one by its
 * kavosh-source header, and an ordinary text); the index is read back
 * through the wrapper (schema.h says where things are) and kavosh-search.
 * The manifest and header cases are tables: manifest_cases.tsv and
 * header_cases.tsv.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kavosh_xapian.h"
#include "run.h"
#include "schema.h"

/* Passages per file, and cases per table: the fixtures hold a handful. */
#define MAX_DOCIDS 64
#define MAX_CASES  64
/* A case line, unescaped: the longest in the tables is far shorter. */
#define CASE_BYTES 512

static char *tmp;

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* Run PROGRAM ARGS... (NULL-terminated). */
static void run(run_result_t *r, const char *prog, ...)
{
    const char *argv[32] = { prog };
    size_t n = 1;
    va_list ap;
    va_start(ap, prog);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    assert_int_equal(run_program(argv, NULL, NULL, r), 0);
}

/* The folder indexed by the test running now: documents are named by
 * their path as given, so a file's name and its entries' ids begin with it. */
static const char *qual_dir;

/* name qualified by the folder: "<corpus>/article.md#ref-3" (one of a few
 * static buffers, for use within one statement or two). */
static const char *Q(const char *name)
{
    static char bufs[8][2048];
    static unsigned next;
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%s/%s", qual_dir, name);
    return b;
}

/* A fresh copy of the fixture corpus as WORK/corpus; returns WORK. */
static char *fresh_corpus(const char *name, char **corpus, char **db)
{
    char *work = test_join(tmp, name);
    assert_int_equal(mkdir(work, 0700), 0);
    *corpus = test_join(work, "corpus");
    *db = test_join(work, "db");
    qual_dir = *corpus;
    run_result_t r;
    run(&r, "/bin/cp", "-R", KS_TEST_CORPUS, *corpus, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    return work;
}

static void write_bytes(const char *path, const char *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

typedef struct ids {
    unsigned v[MAX_DOCIDS];
    size_t   n;
} ids_t;

static int add_id(void *ctx, unsigned docid)
{
    ids_t *ids = ctx;
    assert_true(ids->n < MAX_DOCIDS);
    ids->v[ids->n++] = docid;
    return 0;
}

/* The documents indexed with PREFIX + value, in docid order. */
static ids_t postings(kx_db_t *db, const char *prefix, const char *value)
{
    ids_t ids = { .n = 0 };
    size_t n = strlen(prefix) + strlen(value) + 1;
    char *term = malloc(n);
    assert_non_null(term);
    snprintf(term, n, "%s%s", prefix, value);
    assert_int_equal(kx_db_postings(db, term, add_id, &ids), KX_OK);
    free(term);
    return ids;
}

static int ids_contain(const ids_t *ids, unsigned id)
{
    for (size_t i = 0; i < ids->n; i++)
        if (ids->v[i] == id)
            return 1;
    return 0;
}

static json_t *passage_data(kx_db_t *db, unsigned docid)
{
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(kx_db_get_data(db, docid, &data, &len), KX_OK);
    json_t *o = json_loadb(data, len, 0, NULL);
    kx_free(data);
    assert_non_null(o);
    return o;
}

/* Undo the escapes of the case tables: \t \r \n \\ \xHH. */
static size_t unescape(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        assert_true(o + 1 < cap);
        if (s[i] != '\\' || !s[i + 1]) {
            out[o++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c == 't')
            out[o++] = '\t';
        else if (c == 'r')
            out[o++] = '\r';
        else if (c == 'n')
            out[o++] = '\n';
        else if (c == 'x' && s[i + 1] && s[i + 2]) {
            char hex[3] = { s[i + 1], s[i + 2], 0 };
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else
            out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

typedef struct tcase {
    char   input[CASE_BYTES];   /* unescaped */
    size_t input_len;
    char   expect[CASE_BYTES];
} tcase_t;

/* A two-column table; '#' lines are comments. */
static size_t load_cases(const char *path, tcase_t *cases, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2 * CASE_BYTES];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *tab = strrchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        assert_true(n < cap);
        cases[n].input_len = unescape(line, cases[n].input, sizeof cases[n].input);
        snprintf(cases[n].expect, sizeof cases[n].expect, "%s", tab + 1);
        n++;
    }
    fclose(f);
    assert_true(n > 0);
    return n;
}

/* The warning lines of err that begin with "kavosh-index: warning: " + at. */
static const char *warning_at(const char *err, const char *at)
{
    static const char head[] = "kavosh-index: warning: ";
    size_t hl = sizeof head - 1, al = strlen(at);
    for (const char *p = err; (p = strstr(p, head)) != NULL; p++)
        if ((p == err || p[-1] == '\n') && strncmp(p + hl, at, al) == 0)
            return p;
    return NULL;
}

static int line_has(const char *line, const char *needle)
{
    size_t n = strcspn(line, "\n");
    char *copy = strndup(line, n);
    assert_non_null(copy);
    int found = strstr(copy, needle) != NULL;
    free(copy);
    return found;
}

/* ---------------------------------------------------------------------- */
/* The corpus as it is                                                     */

/* Every file of data/expect.tsv: its passages carry "O" + its entry and
 * "of_source" in their data exactly when it is a full text; no other
 * passage carries an O term; passage counts and first lines. */
static void check_corpus(const char *dbpath)
{
    kx_db_t *db = NULL;
    assert_int_equal(kx_db_open(dbpath, KX_OPEN_READ, &db, NULL), KX_OK);
    FILE *f = fopen(KS_TEST_EXPECT, "r");
    assert_non_null(f);
    char line[512];
    size_t files = 0, source_passages = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char name[256], entry[256], first[16];
        unsigned n_passages = 0;
        assert_int_equal(sscanf(line, "%255[^\t]\t%255[^\t]\t%u\t%15[^\n]", name, entry,
                                &n_passages, first), 4);
        files++;
        ids_t docs = postings(db, KI_PREFIX_FILE, Q(name));
        assert_int_equal(docs.n, n_passages);
        int is_source = strcmp(entry, "-") != 0;
        if (is_source) {
            ids_t of = postings(db, KI_PREFIX_OF_SOURCE, Q(entry));
            assert_int_equal(of.n, docs.n);
            for (size_t i = 0; i < docs.n; i++)
                assert_true(ids_contain(&of, docs.v[i]));
            source_passages += docs.n;
        }
        long min_line = -1;
        for (size_t i = 0; i < docs.n; i++) {
            json_t *o = passage_data(db, docs.v[i]);
            json_t *os = json_object_get(o, "of_source");
            if (is_source) {
                assert_true(json_is_string(os));
                assert_string_equal(json_string_value(os), Q(entry));
            } else
                assert_null(os);
            long ln = (long)json_integer_value(json_object_get(o, "line"));
            if (min_line < 0 || ln < min_line)
                min_line = ln;
            json_decref(o);
        }
        if (strcmp(first, "-") != 0)
            assert_int_equal(min_line, atol(first));
    }
    fclose(f);
    assert_true(files >= 4);
    kx_db_stats_t st;
    assert_int_equal(kx_db_stats(db, &st), KX_OK);
    assert_true(source_passages > 0 && source_passages < st.doc_count);
    kx_db_close(db);
}

static int count_term(void *ctx, const char *term, size_t len, unsigned freq)
{
    (void)term;
    (void)len;
    *(size_t *)ctx += freq;
    return 0;
}

/* Passages carrying any O term, all terms together. */
static size_t of_source_postings(const char *dbpath)
{
    kx_db_t *db = NULL;
    assert_int_equal(kx_db_open(dbpath, KX_OPEN_READ, &db, NULL), KX_OK);
    size_t total = 0;
    assert_int_equal(kx_db_all_terms(db, KI_PREFIX_OF_SOURCE, count_term, &total), KX_OK);
    kx_db_close(db);
    return total;
}

static void test_corpus(void **state)
{
    (void)state;
    char *corpus, *db;
    char *work = fresh_corpus("corpus", &corpus, &db);
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    /* The article is indexed in the same run as its sources: no warning. */
    assert_null(strstr(r.err, "warning"));
    run_result_free(&r);
    check_corpus(db);
    /* 2 + 2 passages of the two full texts, no others. */
    assert_int_equal(of_source_postings(db), 4);

    /* The sources.tsv line and the header are seen as unchanged on a second run. */
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "0 indexed, 4 unchanged"));
    run_result_free(&r);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* Editing the manifest re-indexes the file it names                       */

static void set_manifest(const char *corpus, const char *text)
{
    char *m = test_join(corpus, "sources.tsv");
    write_bytes(m, text, strlen(text));
    free(m);
}

static void test_manifest_change(void **state)
{
    (void)state;
    char *corpus, *db;
    char *work = fresh_corpus("change", &corpus, &db);
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    ids_t html = postings(x, KI_PREFIX_FILE, Q("texts/petrova-ferries.html"));
    kx_db_close(x);
    assert_true(html.n > 0);

    /* Another entry for the same, unchanged file: it alone is re-indexed. */
    set_manifest(corpus, "texts/petrova-ferries.html\tarticle.md#ref-1\n");
    run(&r, KAVOSH_INDEX_BIN, "-v", "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    char said[2200];
    snprintf(said, sizeof said, "petrova-ferries.html: 2 passages (changed), the full text of %s",
             Q("article.md#ref-1"));
    assert_non_null(strstr(r.err, said));
    assert_non_null(strstr(r.err, "1 indexed, 3 unchanged"));
    run_result_free(&r);
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    ids_t now = postings(x, KI_PREFIX_OF_SOURCE, Q("article.md#ref-1"));
    ids_t old = postings(x, KI_PREFIX_OF_SOURCE, Q("article.md#ref-3"));
    ids_t files = postings(x, KI_PREFIX_FILE, Q("texts/petrova-ferries.html"));
    assert_int_equal(now.n, files.n);
    assert_int_equal(old.n, 0);
    json_t *o = passage_data(x, now.v[0]);
    assert_string_equal(json_string_value(json_object_get(o, "of_source")), Q("article.md#ref-1"));
    json_decref(o);
    kx_db_close(x);

    /* The line removed: the file becomes an ordinary text again. */
    set_manifest(corpus, "# nothing here\n");
    run(&r, KAVOSH_INDEX_BIN, "-v", "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "petrova-ferries.html: 2 passages (changed)\n"));
    run_result_free(&r);
    /* Only the header-named text is left. */
    assert_int_equal(of_source_postings(db), 2);
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    files = postings(x, KI_PREFIX_FILE, Q("texts/petrova-ferries.html"));
    o = passage_data(x, files.v[0]);
    assert_null(json_object_get(o, "of_source"));
    json_decref(o);
    kx_db_close(x);

    /* The article gone, its entries are gone: the header-named text, itself
     * unchanged, is warned about and becomes an ordinary text. */
    char *article = test_join(corpus, "article.md");
    char *smith = test_join(corpus, "texts/smith-pipelines.md");
    assert_int_equal(unlink(article), 0);
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    char at[3300];
    snprintf(at, sizeof at, "%s:1: %s is not a bibliography entry", smith, Q("article.md#ref-2"));
    assert_non_null(warning_at(r.err, at));
    assert_non_null(strstr(r.err, "1 removed"));
    run_result_free(&r);
    assert_int_equal(of_source_postings(db), 0);
    free(article);
    free(smith);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* Files named on the command line                                         */

/* The sources.tsv next to a file named directly describes it too; its lines
 * about files not in the run are not complaints; the manifest itself,
 * named directly, is not indexed. */
static void test_direct_files(void **state)
{
    (void)state;
    char *corpus, *db;
    char *work = fresh_corpus("direct", &corpus, &db);
    char *html = test_join(corpus, "texts/petrova-ferries.html");
    char *article = test_join(corpus, "article.md");
    char *manifest = test_join(corpus, "sources.tsv");
    /* The article named by its path has ids that begin with that path. */
    char entry[1100], text[2400];
    snprintf(entry, sizeof entry, "%s#ref-3", article);
    snprintf(text, sizeof text, "texts/petrova-ferries.html\t%s\ntexts/not-here.md\t%s\n", entry,
             entry);
    set_manifest(corpus, text);
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-d", db, html, article, manifest, NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "not-here"));
    assert_null(strstr(r.err, "not a bibliography entry"));
    char at[1100];
    snprintf(at, sizeof at, "%s: ", manifest);
    const char *w = warning_at(r.err, at);
    assert_non_null(w);
    assert_true(line_has(w, "not indexed"));
    assert_non_null(strstr(r.err, "2 indexed"));
    run_result_free(&r);

    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    ids_t of = postings(x, KI_PREFIX_OF_SOURCE, entry);
    ids_t files = postings(x, KI_PREFIX_FILE, html);
    ids_t m = postings(x, KI_PREFIX_FILE, manifest);
    kx_db_close(x);
    assert_true(files.n > 0);
    assert_int_equal(of.n, files.n);
    assert_int_equal(m.n, 0);
    free(html);
    free(article);
    free(manifest);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* manifest_cases.tsv                                                      */

static void test_manifest_cases(void **state)
{
    (void)state;
    static tcase_t cases[MAX_CASES];
    size_t n = load_cases(KS_TEST_MANIFEST_CASES, cases, MAX_CASES);
    char *corpus, *db;
    char *work = fresh_corpus("cases", &corpus, &db);
    size_t cap = n * (CASE_BYTES + 1), len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        memcpy(text + len, cases[i].input, cases[i].input_len);
        len += cases[i].input_len;
        text[len++] = '\n';
    }
    char *m = test_join(corpus, "sources.tsv");
    write_bytes(m, text, len);
    free(text);

    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    /* Warnings only: everything is indexed. */
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "4 indexed"));
    for (size_t i = 0; i < n; i++) {
        char at[1100];
        snprintf(at, sizeof at, "%s:%zu: ", m, i + 1);
        const char *w = warning_at(r.err, at);
        if (strcmp(cases[i].expect, "-") == 0) {
            if (w)
                fail_msg("case %zu: unexpected warning: %.*s", i + 1, (int)strcspn(w, "\n"), w);
        } else {
            if (!w)
                fail_msg("case %zu: no warning naming %s (want '%s'); stderr:\n%s", i + 1, at,
                         cases[i].expect, r.err);
            if (!line_has(w, cases[i].expect))
                fail_msg("case %zu: warning '%.*s' does not say '%s'", i + 1,
                         (int)strcspn(w, "\n"), w, cases[i].expect);
        }
    }
    run_result_free(&r);

    /* What the valid lines say holds; the file with an unknown entry is ordinary. */
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    ids_t a = postings(x, KI_PREFIX_OF_SOURCE, Q("article.md#ref-3"));
    ids_t b = postings(x, KI_PREFIX_FILE, Q("texts/petrova-ferries.html"));
    ids_t c = postings(x, KI_PREFIX_OF_SOURCE, Q("article.md#ref-99"));
    ids_t d = postings(x, KI_PREFIX_FILE, Q("texts/field-notes.txt"));
    kx_db_close(x);
    assert_int_equal(a.n, b.n);
    assert_int_equal(c.n, 0);
    assert_true(d.n > 0);
    free(m);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* header_cases.tsv                                                        */

static void test_header_cases(void **state)
{
    (void)state;
    static tcase_t cases[MAX_CASES];
    size_t n = load_cases(KS_TEST_HEADER_CASES, cases, MAX_CASES);
    char *corpus, *db;
    char *work = fresh_corpus("headers", &corpus, &db);
    static const char body[] = "\n\nThe harbour of Aktau in the header case.\n";
    for (size_t i = 0; i < n; i++) {
        char name[32], buf[CASE_BYTES + sizeof body];
        snprintf(name, sizeof name, "h%zu.txt", i + 1);
        memcpy(buf, cases[i].input, cases[i].input_len);
        memcpy(buf + cases[i].input_len, body, sizeof body - 1);
        char *p = test_join(corpus, name);
        write_bytes(p, buf, cases[i].input_len + sizeof body - 1);
        free(p);
    }
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    for (size_t i = 0; i < n; i++) {
        char name[32], at[1100];
        snprintf(name, sizeof name, "h%zu.txt", i + 1);
        snprintf(at, sizeof at, "%s/%s:1: ", corpus, name);
        const char *w = warning_at(r.err, at);
        ids_t docs = postings(x, KI_PREFIX_FILE, Q(name));
        assert_true(docs.n > 0);
        json_t *o = passage_data(x, docs.v[docs.n - 1]);
        const char *of = json_string_value(json_object_get(o, "of_source"));
        const char *e = cases[i].expect;
        int is_entry = strcmp(e, "malformed") && strcmp(e, "unknown") && strcmp(e, "none");
        if (is_entry) {
            if (!of || strcmp(of, Q(e)) != 0)
                fail_msg("case %zu: of_source %s, want %s", i + 1, of ? of : "(none)", Q(e));
            ids_t os = postings(x, KI_PREFIX_OF_SOURCE, Q(e));
            for (size_t k = 0; k < docs.n; k++)
                assert_true(ids_contain(&os, docs.v[k]));
            /* The header is not text: one passage, starting at line 3. */
            assert_int_equal(docs.n, 1);
            assert_null(strstr(json_string_value(json_object_get(o, "text")), "kavosh-source"));
            assert_int_equal(json_integer_value(json_object_get(o, "line")), 3);
        } else if (of)
            fail_msg("case %zu: of_source %s, want none (%s)", i + 1, of, e);
        if (strcmp(e, "malformed") == 0 && !(w && line_has(w, "malformed kavosh-source header")))
            fail_msg("case %zu: no 'malformed' warning naming %s", i + 1, at);
        if (strcmp(e, "unknown") == 0 && !(w && line_has(w, "is not a bibliography entry in the index")))
            fail_msg("case %zu: no 'not a bibliography entry' warning naming %s", i + 1, at);
        if ((is_entry || strcmp(e, "none") == 0) && w)
            fail_msg("case %zu: unexpected warning %.*s", i + 1, (int)strcspn(w, "\n"), w);
        json_decref(o);
    }
    kx_db_close(x);
    run_result_free(&r);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* Hostile manifests                                                       */

/* A manifest that is one huge line, one without tabs, random bytes, and
 * one beyond the size limit: kavosh-index finishes, indexes every text and
 * says a bounded amount about each. */
static void test_hostile(void **state)
{
    (void)state;
    char *corpus, *db;
    char *work = fresh_corpus("hostile", &corpus, &db);
    char *m = test_join(corpus, "sources.tsv");
    size_t big = 200000;
    char *buf = malloc(big);
    assert_non_null(buf);
    for (int variant = 0; variant < 6; variant++) {
        size_t n = big;
        if (variant == 0)
            memset(buf, 'a', n);                       /* one line, no tab, no newline */
        else if (variant == 1)
            for (size_t i = 0; i < n; i++)             /* many short lines without tabs */
                buf[i] = i % 7 == 6 ? '\n' : 'x';
        else if (variant == 2) {
            memset(buf, '\t', n);                       /* one line of tabs */
        } else if (variant < 5) {
            srand((unsigned)variant * 7919u);           /* seeded random bytes */
            for (size_t i = 0; i < n; i++)
                buf[i] = (char)(rand() & 0xff);
        }
        if (variant < 5)
            write_bytes(m, buf, n);
        else {
            /* Beyond the size limit, without writing it: a sparse file. */
            FILE *f = fopen(m, "wb");
            assert_non_null(f);
            assert_int_equal(ftruncate(fileno(f), 64L * 1024 * 1024), 0);
            assert_int_equal(fclose(f), 0);
        }
        run_result_t r;
        run(&r, KAVOSH_INDEX_BIN, "--rebuild", "-d", db, corpus, NULL);
        if (r.status != 0)
            fail_msg("variant %d: exit %d: %s", variant, r.status, r.err);
        assert_non_null(strstr(r.err, "4 indexed"));
        /* At most MAX_MANIFEST_WARNINGS (20) lines and a "more" line. */
        size_t lines = 0;
        for (const char *p = r.err; (p = strstr(p, "sources.tsv")) != NULL; p++)
            lines++;
        if (lines > 21)
            fail_msg("variant %d: %zu messages about the manifest", variant, lines);
        if (variant == 0)
            assert_non_null(strstr(r.err, "sources.tsv:1: line longer than"));
        if (variant == 5)
            assert_non_null(strstr(r.err, "sources.tsv: larger than"));
        run_result_free(&r);
    }
    free(buf);

    /* Texts whose first line starts like a header and goes on with random
     * bytes (seeded; some with newlines, some without): every one is
     * indexed, at most as an ordinary text. */
    static const char key[] = "<!-- kavosh-source:";
    srand(4099u);
    for (int i = 0; i < 40; i++) {
        char name[64], text[2048];
        size_t n = sizeof key - 1 + (size_t)(rand() % 1500);
        memcpy(text, key, sizeof key - 1);
        for (size_t k = sizeof key - 1; k < n; k++)
            text[k] = (char)(i % 2 ? rand() & 0xff : " -->\n\rab#\xd8"[rand() % 11]);
        snprintf(name, sizeof name, "%s/fuzz%02d.txt", corpus, i);
        write_bytes(name, text, n);
    }
    set_manifest(corpus, "");
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "--rebuild", "-d", db, corpus, NULL);
    if (r.status != 0)
        fail_msg("random headers: exit %d: %s", r.status, r.err);
    assert_non_null(strstr(r.err, "44 indexed"));
    run_result_free(&r);
    free(m);
    free(work);
    free(corpus);
    free(db);
}

/* ---------------------------------------------------------------------- */
/* kavosh-search source:ID                                                 */

/* The "doc" of every JSON line of out; fails on a line that is not an object. */
static size_t hits_of(const char *out, const char *doc, size_t *others)
{
    size_t mine = 0;
    *others = 0;
    for (const char *p = out; *p;) {
        size_t n = strcspn(p, "\n");
        json_t *o = json_loadb(p, n, 0, NULL);
        assert_non_null(o);
        json_t *d = json_object_get(o, "doc");
        if (json_is_string(d)) {
            if (strcmp(json_string_value(d), doc) == 0)
                mine++;
            else
                (*others)++;
        }
        json_decref(o);
        p += n;
        if (*p)
            p++;
    }
    return mine;
}

static void test_search(void **state)
{
    (void)state;
    char *corpus, *db;
    char *work = fresh_corpus("search", &corpus, &db);
    run_result_t r;
    run(&r, KAVOSH_INDEX_BIN, "-q", "-d", db, corpus, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    /* "Caspian" is in the article's bibliography and in both full texts. */
    size_t others = 0;
    run(&r, KAVOSH_SEARCH_BIN, "-d", db, "--json", "Caspian", NULL);
    assert_int_equal(r.status, 0);
    assert_true(hits_of(r.out, Q("article.md"), &others) > 0 && others > 0);
    run_result_free(&r);

    /* Entry ids begin with the article's name, its path as given; a
     * sources.tsv line or header names it as its folder sees it. */
    char q[2200];
    snprintf(q, sizeof q, "Caspian source:%s", Q("article.md#ref-2"));
    run(&r, KAVOSH_SEARCH_BIN, "-d", db, "--json", q, NULL);
    assert_int_equal(r.status, 0);
    assert_true(hits_of(r.out, Q("texts/smith-pipelines.md"), &others) > 0);
    assert_int_equal(others, 0);
    run_result_free(&r);

    run(&r, KAVOSH_SEARCH_BIN, "-d", db, "--json", "--source", Q("article.md#ref-3"), "Caspian", NULL);
    assert_int_equal(r.status, 0);
    assert_true(hits_of(r.out, Q("texts/petrova-ferries.html"), &others) > 0);
    assert_int_equal(others, 0);
    run_result_free(&r);

    /* A word of the article only: nothing within a source. */
    snprintf(q, sizeof q, "Turkmenbashi source:%s", Q("article.md#ref-3"));
    run(&r, KAVOSH_SEARCH_BIN, "-d", db, "--json", q, NULL);
    assert_int_equal(r.status, 1);
    run_result_free(&r);
    free(work);
    free(corpus);
    free(db);
}

static int setup(void **state)
{
    (void)state;
    tmp = make_temp_dir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove_tree(tmp);
    free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_manifest_change),
        cmocka_unit_test(test_direct_files),
        cmocka_unit_test(test_manifest_cases),
        cmocka_unit_test(test_header_cases),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_search),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * test_index.c - kavosh-index run as a user runs it, on copies of the small
 * texts in data/texts: which files an incremental run touches (the scenario
 * in incremental.tsv), that untouched files keep their documents, that
 * --rebuild starts over, --list and --stats, the glossaries stored in the
 * index, the summary line, and the progress line on a terminal only.
 *
 * The index is read back through the wrapper (schema.h says where things
 * are), never through kavosh-index's own code.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef KI_TEST_HAVE_ZLIB
#include <zlib.h>
#endif

#include "index_internal.h"
#include "kavosh_xapian.h"
#include "run.h"
#include "glossary.h"
#include "schema.h"

/* Files of data/texts: more than the scenario will ever hold. */
#define MAX_FILES 32
/* Passages per file in these fixtures: a handful. */
#define MAX_DOCIDS 64

static char *tmp;

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* Run kavosh-index -d db ARGS... (NULL-terminated). */
static void run_index(run_result_t *r, const char *db, ...)
{
    const char *argv[32] = { KAVOSH_INDEX_BIN, "-d", db };
    size_t n = 3;
    va_list ap;
    va_start(ap, db);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    assert_int_equal(run_program(argv, NULL, NULL, r), 0);
}

static void copy_tree(const char *src, const char *dst)
{
    const char *argv[] = { "/bin/cp", "-R", src, dst, NULL };
    run_result_t r;
    assert_int_equal(run_program(argv, NULL, NULL, &r), 0);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void write_text(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static long long file_size(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long long)sb.st_size;
}

static kx_db_t *open_db(const char *path)
{
    kx_db_t *db = NULL;
    assert_int_equal(kx_db_open(path, KX_OPEN_READ, &db, NULL), KX_OK);
    return db;
}

typedef struct ids {
    unsigned v[MAX_DOCIDS];
    size_t   n;
} ids_t;

static int add_id(void *ctx, unsigned docid)
{
    ids_t *ids = ctx;
    if (ids->n < MAX_DOCIDS)
        ids->v[ids->n++] = docid;
    return 0;
}

/* The documents of the file called name in the index. */
static ids_t file_docids(const char *dbpath, const char *name)
{
    ids_t ids = { .n = 0 };
    char term[512];
    snprintf(term, sizeof term, "%s%s", KI_PREFIX_FILE, name);
    kx_db_t *db = open_db(dbpath);
    assert_int_equal(kx_db_postings(db, term, add_id, &ids), KX_OK);
    kx_db_close(db);
    return ids;
}

static char *metadata(const char *dbpath, const char *key)
{
    kx_db_t *db = open_db(dbpath);
    char *v = NULL;
    assert_int_equal(kx_db_get_metadata(db, key, &v), KX_OK);
    kx_db_close(db);
    return v;
}

/* The index's glossary as kavosh-index combines it from its sources (the
 * "glossary:" records, in key order, each once, after a "#file NAME"
 * line); the combination itself is not stored. malloc'd. */
typedef struct combined {
    kx_db_t *db;
    char    *buf;
    size_t   len;
    char   **seen;
    size_t   n_seen;
} combined_t;

static int combine_record(void *ctx, const char *key)
{
    combined_t *c = ctx;
    char *text = NULL;
    assert_int_equal(kx_db_get_metadata(c->db, key, &text), KX_OK);
    size_t n = strlen(text);
    int dup = n == 0;
    for (size_t i = 0; i < c->n_seen && !dup; i++)
        dup = strcmp(c->seen[i], text) == 0;
    if (dup) {
        kx_free(text);
        return 0;
    }
    const char *name = key + strlen(KI_META_GLOSSARY_SOURCE);
    size_t need = c->len + strlen("#file \n") + strlen(name) + n + 2;
    char *grown = realloc(c->buf, need);
    assert_non_null(grown);
    c->buf = grown;
    c->len += (size_t)sprintf(c->buf + c->len, "#file %s\n%s%s", name, text,
                              text[n - 1] == '\n' ? "" : "\n");
    char **ns = realloc(c->seen, (c->n_seen + 1) * sizeof *ns);
    assert_non_null(ns);
    c->seen = ns;
    c->seen[c->n_seen++] = text;
    return 0;
}

static char *glossary_text(const char *dbpath)
{
    combined_t c = { .db = open_db(dbpath) };
    c.buf = calloc(1, 1);
    assert_non_null(c.buf);
    assert_int_equal(kx_db_metadata_keys(c.db, KI_META_GLOSSARY_SOURCE, combine_record, &c),
                     KX_OK);
    /* Not stored beside its sources. */
    char *stored = NULL;
    assert_int_equal(kx_db_get_metadata(c.db, KI_META_GLOSSARY, &stored), KX_OK);
    assert_string_equal(stored, "");
    kx_free(stored);
    for (size_t i = 0; i < c.n_seen; i++)
        kx_free(c.seen[i]);
    free(c.seen);
    kx_db_close(c.db);
    return c.buf;
}

/* The glossary's concepts as the lookup tables hold them, one record
 * after the other (KI_META_GLOSSARY_CONCEPT + 0, 1, ... up to the first
 * missing one). malloc'd. */
static char *concepts(const char *dbpath)
{
    kx_db_t *db = open_db(dbpath);
    size_t len = 0;
    char *all = calloc(1, 1);
    assert_non_null(all);
    for (unsigned long c = 0;; c++) {
        char key[64];
        snprintf(key, sizeof key, "%s%lu", KI_META_GLOSSARY_CONCEPT, c);
        char *v = NULL;
        assert_int_equal(kx_db_get_metadata(db, key, &v), KX_OK);
        if (!v || !*v) {
            kx_free(v);
            break;
        }
        size_t n = strlen(v);
        char *grown = realloc(all, len + n + 1);
        assert_non_null(grown);
        all = grown;
        memcpy(all + len, v, n + 1);
        len += n;
        kx_free(v);
    }
    kx_db_close(db);
    return all;
}

static unsigned doc_count(const char *dbpath)
{
    kx_db_t *db = open_db(dbpath);
    kx_db_stats_t st;
    assert_int_equal(kx_db_stats(db, &st), KX_OK);
    kx_db_close(db);
    return st.doc_count;
}

/* One line of --list output, split at its tabs. */
typedef struct listed {
    char               name[256];
    unsigned long      passages;
    unsigned long long bytes;
    char               hash[32];
    char               path[1024];
} listed_t;

static size_t list_index(const char *db, listed_t *out, size_t cap)
{
    run_result_t r;
    run_index(&r, db, "--list", NULL);
    assert_int_equal(r.status, 0);
    size_t n = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        assert_true(n < cap);
        listed_t *l = &out[n++];
        assert_int_equal(sscanf(line, "%255[^\t]\t%lu\t%llu\t%31[^\t]\t%1023[^\n]", l->name,
                                &l->passages, &l->bytes, l->hash, l->path), 5);
    }
    run_result_free(&r);
    return n;
}

/* What a --verbose line says about the file at path, or NULL if no line does. */
static const char *verbose_state(const char *err, const char *path, int *count)
{
    static char state[64];
    char prefix[1100];
    snprintf(prefix, sizeof prefix, "kavosh-index: %s: ", path);
    const char *found = NULL;
    *count = 0;
    for (const char *p = err; (p = strstr(p, prefix)) != NULL; p += strlen(prefix)) {
        if (p != err && p[-1] != '\n')
            continue;
        (*count)++;
        found = p + strlen(prefix);
    }
    if (!found)
        return NULL;
    size_t n = strcspn(found, "\n");
    if (strncmp(found, "unchanged", n) == 0 && n == strlen("unchanged"))
        snprintf(state, sizeof state, "unchanged");
    else if (n > 10 && strncmp(found + n - 9, "(changed)", 9) == 0)
        snprintf(state, sizeof state, "changed");
    else if (n > 6 && strncmp(found + n - 5, "(new)", 5) == 0)
        snprintf(state, sizeof state, "new");
    else if (strncmp(found, "removed from the index", n) == 0)
        snprintf(state, sizeof state, "removed");
    else
        snprintf(state, sizeof state, "%.*s", (int)(n < 60 ? n : 60), found);
    return state;
}

static size_t count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* ---------------------------------------------------------------------- */
/* The scenario                                                            */

typedef struct step {
    char action[16];
    char file[128];
    char state[16];
} step_t;

static size_t load_scenario(step_t *steps, size_t cap)
{
    FILE *f = fopen(KI_TEST_SCENARIO, "r");
    assert_non_null(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        assert_true(n < cap);
        assert_int_equal(sscanf(line, "%15[^\t]\t%127[^\t]\t%15[^\n]", steps[n].action,
                                steps[n].file, steps[n].state), 3);
        n++;
    }
    fclose(f);
    assert_true(n > 0);
    return n;
}

static void test_incremental(void **state)
{
    (void)state;
    char *work = test_join(tmp, "inc");
    assert_int_equal(mkdir(work, 0700), 0);
    char *dir = test_join(work, "texts"), *db = test_join(work, "db");
    copy_tree(KI_TEST_DATA "/texts", dir);
    step_t steps[MAX_FILES];
    size_t n_steps = load_scenario(steps, MAX_FILES);

    /* First run: every file is new; the summary counts them, their passages and bytes. */
    run_result_t r;
    run_index(&r, db, "-v", dir, NULL);
    assert_int_equal(r.status, 0);
    assert_null(strchr(r.err, '\r'));   /* no progress line in a pipe */
    listed_t before[MAX_FILES];
    size_t n_before = list_index(db, before, MAX_FILES);
    unsigned long passages = 0;
    unsigned long long bytes = 0;
    for (size_t i = 0; i < n_before; i++) {
        int count;
        const char *st = verbose_state(r.err, before[i].path, &count);
        assert_non_null(st);
        assert_string_equal(st, "new");
        assert_int_equal(count, 1);
        assert_int_equal(before[i].bytes, file_size(before[i].path));
        passages += before[i].passages;
        bytes += before[i].bytes;
    }
    char summary[256];
    snprintf(summary, sizeof summary,
             "kavosh-index: %zu files: %zu indexed, 0 unchanged, 0 removed, 0 failed; "
             "%lu passages, %llu bytes", n_before, n_before, passages, bytes);
    if (!strstr(r.err, summary))
        fail_msg("summary missing: want '%s' in:\n%s", summary, r.err);
    assert_int_equal(doc_count(db), passages);
    /* The rate is the bytes written over the run's seconds (both as printed, rounded). */
    const char *in = strstr(r.err, " bytes (");
    double mb, secs, rate;
    assert_non_null(in);
    assert_int_equal(sscanf(in, " bytes (%lf MB) in %lf s (%lf MB/s)", &mb, &secs, &rate), 3);
    assert_true(secs > 0);
    assert_true(mb - 0.005 <= bytes / 1e6 && bytes / 1e6 <= mb + 0.005);
    double lo = bytes / 1e6 / (secs + 0.005), hi = bytes / 1e6 / (secs - 0.005 > 0 ? secs - 0.005 : 1e-9);
    if (rate < lo - 0.005 || rate > hi + 0.005)
        fail_msg("%llu bytes in %.2f s is not %.2f MB/s", bytes, secs, rate);
    run_result_free(&r);

    /* Every file the scenario keeps or removes was indexed; remember the documents. */
    ids_t docids[MAX_FILES];
    for (size_t i = 0; i < n_steps; i++) {
        if (strcmp(steps[i].action, "add") == 0)
            continue;
        char *named = test_join(dir, steps[i].file);
        docids[i] = file_docids(db, named);
        free(named);
        assert_true(docids[i].n > 0);
    }

    /* Change the files as the scenario says. */
    size_t unchanged = 0, indexed = 0, removed = 0, present = 0;
    for (size_t i = 0; i < n_steps; i++) {
        char *p = test_join(dir, steps[i].file);
        if (strcmp(steps[i].action, "modify") == 0)
            write_text(p, "\nA paragraph added by the test, about Jalal-Abad.\n", "a");
        else if (strcmp(steps[i].action, "remove") == 0)
            assert_int_equal(unlink(p), 0);
        else if (strcmp(steps[i].action, "add") == 0) {
            char *src = test_join(KI_TEST_DATA, steps[i].file);
            char *text = slurp(src);
            write_text(p, text, "w");
            free(text);
            free(src);
        } else
            assert_string_equal(steps[i].action, "keep");
        unchanged += strcmp(steps[i].state, "unchanged") == 0;
        indexed += strcmp(steps[i].state, "changed") == 0 || strcmp(steps[i].state, "new") == 0;
        removed += strcmp(steps[i].state, "removed") == 0;
        present += strcmp(steps[i].action, "remove") != 0;
        free(p);
    }

    /* Second run: exactly the scenario's states, one line per file, no other file lines. */
    run_index(&r, db, "-v", dir, NULL);
    assert_int_equal(r.status, 0);
    for (size_t i = 0; i < n_steps; i++) {
        char *p = test_join(dir, steps[i].file);
        int count;
        const char *st = verbose_state(r.err, p, &count);
        if (!st || strcmp(st, steps[i].state) != 0 || count != 1)
            fail_msg("%s: want '%s' once, got '%s' %d times:\n%s", steps[i].file, steps[i].state,
                     st ? st : "(nothing)", count, r.err);
        free(p);
    }
    char dirprefix[1100];
    snprintf(dirprefix, sizeof dirprefix, "kavosh-index: %s/", dir);
    assert_int_equal(count_lines_with(r.err, dirprefix), n_steps);
    snprintf(summary, sizeof summary,
             "kavosh-index: %zu files: %zu indexed, %zu unchanged, %zu removed, 0 failed;",
             present, indexed, unchanged, removed);
    if (!strstr(r.err, summary))
        fail_msg("summary missing: want '%s' in:\n%s", summary, r.err);
    run_result_free(&r);

    /* Untouched files keep their very documents; changed ones got new ones;
     * removed ones have none. */
    for (size_t i = 0; i < n_steps; i++) {
        char *named = test_join(dir, steps[i].file);
        ids_t now = file_docids(db, named);
        free(named);
        if (strcmp(steps[i].state, "unchanged") == 0) {
            assert_int_equal(now.n, docids[i].n);
            assert_memory_equal(now.v, docids[i].v, now.n * sizeof now.v[0]);
        } else if (strcmp(steps[i].state, "changed") == 0) {
            assert_true(now.n > 0);
            for (size_t a = 0; a < now.n; a++)
                for (size_t b = 0; b < docids[i].n; b++)
                    assert_int_not_equal(now.v[a], docids[i].v[b]);
        } else if (strcmp(steps[i].state, "removed") == 0) {
            assert_int_equal(now.n, 0);
        } else {
            assert_true(now.n > 0);
        }
    }

    /* --list: exactly the files present, with their passages, sizes and paths. */
    listed_t after[MAX_FILES];
    size_t n_after = list_index(db, after, MAX_FILES);
    assert_int_equal(n_after, present);
    unsigned long total = 0;
    for (size_t i = 0; i < n_after; i++) {
        /* A file is named by its path as given: the folder's, then its own. */
        int known = 0;
        for (size_t k = 0; k < n_steps; k++) {
            char *named = test_join(dir, steps[k].file);
            known |= strcmp(named, after[i].name) == 0 && strcmp(steps[k].action, "remove") != 0;
            free(named);
        }
        if (!known)
            fail_msg("--list shows %s", after[i].name);
        char *p = strdup(after[i].name);
        assert_non_null(p);
        assert_string_equal(after[i].path, p);
        assert_int_equal(after[i].bytes, file_size(p));
        assert_int_equal(after[i].passages, file_docids(db, after[i].name).n);
        assert_int_equal(strlen(after[i].hash), 16);
        total += after[i].passages;
        free(p);
    }
    assert_int_equal(doc_count(db), total);

    /* A third run touches nothing. */
    run_index(&r, db, "-v", dir, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines_with(r.err, ": unchanged\n"), present);
    run_result_free(&r);
    free(dir);
    free(db);
    free(work);
}

/* ---------------------------------------------------------------------- */
/* --rebuild                                                               */

static void test_rebuild(void **state)
{
    (void)state;
    char *work = test_join(tmp, "reb");
    assert_int_equal(mkdir(work, 0700), 0);
    char *dir = test_join(work, "texts"), *db = test_join(work, "db");
    copy_tree(KI_TEST_DATA "/texts", dir);
    const char *extra = KI_TEST_DATA "/extra.md";
    const char *dict = KI_TEST_DATA "/dict/freedict-eng-rus.index";

    run_result_t r;
    run_index(&r, db, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    run_index(&r, db, "--dict", dict, extra, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    listed_t l[MAX_FILES];
    size_t n_dir = list_index(db, l, MAX_FILES) - 1;
    assert_true(file_docids(db, extra).n > 0);
    char *g = glossary_text(db);
    assert_non_null(strstr(g, dict));
    kx_free(g);

    /* A mistyped PATH does not cost the index. */
    run_index(&r, db, "--rebuild", dir, KI_TEST_DATA "/no-such-dir", NULL);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "no-such-dir"));
    assert_non_null(strstr(r.err, "not starting over"));
    run_result_free(&r);
    assert_int_equal(list_index(db, l, MAX_FILES), n_dir + 1);
    assert_true(file_docids(db, extra).n > 0);

    /* Start over with the directory only: the single file, its record and
     * the dictionary are gone, every file of the directory is new again. */
    run_index(&r, db, "--rebuild", "-v", dir, NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines_with(r.err, " (new)\n"), n_dir);
    assert_int_equal(count_lines_with(r.err, ": unchanged\n"), 0);
    run_result_free(&r);
    size_t n = list_index(db, l, MAX_FILES);
    assert_int_equal(n, n_dir);
    unsigned long total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(strstr(l[i].path, dir));
        total += l[i].passages;
    }
    assert_int_equal(file_docids(db, extra).n, 0);
    assert_int_equal(doc_count(db), total);
    g = glossary_text(db);
    /* Only the default lexicon's files are left. */
    size_t files = 0, lexicon_files = 0;
    for (size_t at = 0; g[at]; at++)
        if ((at == 0 || g[at - 1] == '\n') && strncmp(g + at, "#file ", 6) == 0) {
            files++;
            lexicon_files += strncmp(g + at, "#file (lexicon)/", 16) == 0;
        }
    assert_int_equal(files, lexicon_files);
    kx_free(g);
    char key[1024];
    snprintf(key, sizeof key, "glossary:%s", dict);
    g = metadata(db, key);
    assert_string_equal(g, "");
    kx_free(g);
    snprintf(key, sizeof key, "%s%s", KI_META_FILE, extra);
    g = metadata(db, key);
    assert_string_equal(g, "");
    kx_free(g);
    free(dir);
    free(db);
    free(work);
}

/* ---------------------------------------------------------------------- */
/* Glossaries                                                              */

/* The text of the section "#file name" of the stored glossary, malloc'd, or NULL. */
static char *glossary_section(const char *glossary, const char *name)
{
    char head[1100];
    snprintf(head, sizeof head, "#file %s\n", name);
    const char *p = strstr(glossary, head);
    if (!p || (p != glossary && p[-1] != '\n'))
        return NULL;
    p += strlen(head);
    const char *end = strstr(p, "\n#file ");
    size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* The section without its comment lines, as the search side reads it. */
static void strip_comments(char *s)
{
    char *w = s;
    for (char *p = s; *p;) {
        size_t n = strcspn(p, "\n");
        size_t take = p[n] ? n + 1 : n;
        if (*p != '#') {
            memmove(w, p, take);
            w += take;
        }
        p += take;
    }
    *w = '\0';
}

static void assert_dict_section(const char *db, const char *name)
{
    char *g = glossary_text(db);
    char *sec = glossary_section(g, name);
    if (!sec)
        fail_msg("no section for %s in:\n%s", name, g);
    strip_comments(sec);
    char *want = slurp(KI_TEST_DATA "/dict/expected.tsv");
    assert_string_equal(sec, want);
    free(want);
    free(sec);
    kx_free(g);
}

/* The default lexicon (KAVOSH_LEXICON here): its *.tsv files go into every
 * index, stored pre-analysed with ICU's gazetteer; a file removed from it
 * leaves the index at the next run; --no-lexicon drops it all. */
static void run_index_env(run_result_t *r, const char *const *env, const char *db, ...)
{
    const char *argv[32] = { KAVOSH_INDEX_BIN, "-d", db };
    size_t n = 3;
    va_list ap;
    va_start(ap, db);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    assert_int_equal(run_program(argv, NULL, env, r), 0);
}

/* A glossary whose first word makes a metadata key longer than Xapian
 * keeps has no lookup tables: the whole analysed glossary is stored
 * instead, which kavosh-search then loads. */
static void test_glossary_without_tables(void **state)
{
    (void)state;
    char *work = test_join(tmp, "notables");
    assert_int_equal(mkdir(work, 0700), 0);
    char *dir = test_join(work, "texts"), *db = test_join(work, "db");
    char *lex = test_join(work, "lexicon");
    copy_tree(KI_TEST_DATA "/texts", dir);
    assert_int_equal(mkdir(lex, 0700), 0);
    char *one = test_join(lex, "one.tsv");
    char line[1024] = "fa\ten\nسد راغون\tRogun dam\nکلمه\t";
    size_t n = strlen(line);
    for (int i = 0; i < 240; i++)
        line[n++] = 'w';
    memcpy(line + n, "\n", 2);
    write_text(one, line, "w");
    char envv[4200];
    snprintf(envv, sizeof envv, "KAVOSH_LEXICON=%s", lex);
    const char *env[] = { envv, NULL };

    run_result_t r;
    run_index_env(&r, env, db, "-q", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *flag = metadata(db, KI_META_GLOSSARY_LOOKUP);
    assert_string_equal(flag, "");
    kx_free(flag);
    char *an = metadata(db, KI_META_GLOSSARY_ANALYSED);
    assert_true(ks_glossary_is_analysed(an, strlen(an)));
    assert_non_null(strstr(an, "\tRogun dam\trogun\t"));
    kx_free(an);
    free(one);
    free(lex);
    free(dir);
    free(db);
    free(work);
}

static void test_default_lexicon(void **state)
{
    (void)state;
    char *work = test_join(tmp, "lex");
    assert_int_equal(mkdir(work, 0700), 0);
    char *dir = test_join(work, "texts"), *db = test_join(work, "db");
    char *lex = test_join(work, "lexicon");
    copy_tree(KI_TEST_DATA "/texts", dir);
    assert_int_equal(mkdir(lex, 0700), 0);
    char *one = test_join(lex, "one.tsv"), *two = test_join(lex, "two.tsv");
    char *other = test_join(lex, "notes.txt");
    write_text(one, "fa\tru\ten\nسد راغون\tРогунская ГЭС\tRogun dam\n", "w");
    write_text(two, "en\tfa\nwater scarcity\tکم\u200cآبی\n", "w");
    write_text(other, "not a glossary\n", "w");
    char envv[4200];
    snprintf(envv, sizeof envv, "KAVOSH_LEXICON=%s", lex);
    const char *env[] = { envv, NULL };

    run_result_t r;
    run_index_env(&r, env, db, "-q", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *g = glossary_text(db);
    assert_non_null(strstr(g, "#file (lexicon)/one.tsv\n"));
    assert_non_null(strstr(g, "#file (lexicon)/two.tsv\n"));
    assert_non_null(strstr(g, "Rogun dam"));
    assert_null(strstr(g, "not a glossary"));
    kx_free(g);
    /* Analysed: the lexicon's terms and stems, and ICU's names, in the
     * lookup tables' concepts; the whole analysed glossary is not stored
     * beside them. */
    char *whole = metadata(db, KI_META_GLOSSARY_ANALYSED);
    assert_string_equal(whole, "");
    kx_free(whole);
    char *an = concepts(db);
    assert_non_null(strstr(an, "\tRogun dam\trogun\t"));
    assert_non_null(strstr(an, "\tРогунская ГЭС\tрогунская\t"));
    assert_non_null(strstr(an, "\tТаджикистан\t"));
    assert_non_null(strstr(an, "\tتاشکند\t"));
    /* The lookup tables: the concepts by their first words and stems. */
    char *flag = metadata(db, KI_META_GLOSSARY_LOOKUP);
    assert_string_equal(flag, "1");
    kx_free(flag);
    char *ids = metadata(db, KI_META_GLOSSARY_KEY "Erogun");
    assert_true(ids[0] >= '0' && ids[0] <= '9');
    char ckey[64];
    snprintf(ckey, sizeof ckey, "%s%lu", KI_META_GLOSSARY_CONCEPT, strtoul(ids, NULL, 10));
    kx_free(ids);
    char *rec = metadata(db, ckey);
    assert_non_null(strstr(rec, "\tRogun dam\t"));
    assert_non_null(strstr(rec, "\tسد راغون\t"));
    kx_free(rec);
    char *stamp = metadata(db, KI_META_GLOSSARY_STAMP);
    assert_non_null(strstr(stamp, " icu "));
    kx_free(stamp);

    /* Nothing changed: the analysed glossary is not written again. */
    run_index_env(&r, env, db, "-q", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char *an2 = concepts(db);
    assert_string_equal(an, an2);
    free(an2);
    free(an);

    /* A file gone from the lexicon leaves the index. */
    assert_int_equal(unlink(two), 0);
    run_index_env(&r, env, db, "-q", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    g = glossary_text(db);
    assert_non_null(strstr(g, "Rogun dam"));
    assert_null(strstr(g, "water scarcity"));
    kx_free(g);
    an = concepts(db);
    assert_null(strstr(an, "water scarcity"));
    free(an);

    /* --no-lexicon: neither the lexicon nor ICU's names. */
    run_index_env(&r, env, db, "-q", "--no-lexicon", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    g = glossary_text(db);
    assert_null(strstr(g, "(lexicon)"));
    kx_free(g);
    an = concepts(db);
    assert_null(strstr(an, "Rogun"));
    ids = metadata(db, KI_META_GLOSSARY_KEY "Erogun");
    assert_string_equal(ids, "");
    kx_free(ids);
    assert_null(strstr(an, "Таджикистан"));
    free(an);
    free(one);
    free(two);
    free(other);
    free(lex);
    free(dir);
    free(db);
    free(work);
}

static void test_glossary(void **state)
{
    (void)state;
    char *work = test_join(tmp, "glo");
    assert_int_equal(mkdir(work, 0700), 0);
    char *dir = test_join(work, "texts"), *db = test_join(work, "db");
    copy_tree(KI_TEST_DATA "/texts", dir);
    char *gpath = test_join(dir, "glossary.tsv");
    char *gtext = slurp(KI_TEST_DATA "/glossary.tsv");
    write_text(gpath, gtext, "w");
    const char *dict = KI_TEST_DATA "/dict/freedict-eng-rus.index";

    /* The directory's glossary.tsv as it is, and the dictionary converted. */
    run_result_t r;
    run_index(&r, db, "--dict", dict, dir, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 glossaries"));
    /* The malformed index lines are reported with their line numbers. */
    assert_non_null(strstr(r.err, "freedict-eng-rus.index:7: skipped"));
    assert_non_null(strstr(r.err, "freedict-eng-rus.index:8: skipped"));
    run_result_free(&r);
    char *g = glossary_text(db);
    char *sec = glossary_section(g, gpath);
    assert_non_null(sec);
    assert_string_equal(sec, gtext);
    free(sec);
    kx_free(g);
    assert_dict_section(db, dict);

    /* The same directory by two spellings: its files and its glossary go in once. */
    char *dot = test_join(dir, ".");
    run_index(&r, db, "--dict", dict, dir, dot, NULL);
    assert_int_equal(r.status, 0);
    /* Walked once, silently: the same folder is the same files. */
    assert_null(strstr(r.err, "already named"));
    assert_null(strstr(r.err, "not indexed"));
    run_result_free(&r);
    g = glossary_text(db);
    assert_int_equal(count_lines_with(g, "بیشکک\tБишкек\tBishkek\n"), 1);
    assert_int_equal(count_lines_with(g, "\tсанкции\tsanctions\n"), 1);
    kx_free(g);
    free(dot);

    /* A glossary edited while no text changed is stored again. */
    write_text(gpath, "اوش\tОш\tOsh\n", "a");
    run_index(&r, db, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    g = glossary_text(db);
    assert_non_null(strstr(g, "اوش\tОш\tOsh\n"));
    kx_free(g);

    /* Gone from the directory, gone from the index; the dictionary stays. */
    assert_int_equal(unlink(gpath), 0);
    run_index(&r, db, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    g = glossary_text(db);
    assert_null(glossary_section(g, gpath));
    kx_free(g);
    assert_dict_section(db, dict);

    /* The same dictionary compressed with dictzip (gzip-compatible), named by its stem. */
#ifdef KI_TEST_HAVE_ZLIB
    char *dz = test_join(work, "freedict-eng-rus.dict.dz");
    char *idx = test_join(work, "freedict-eng-rus.index");
    char *plain = slurp(KI_TEST_DATA "/dict/freedict-eng-rus.dict");
    char *itext = slurp(dict);
    write_text(idx, itext, "w");
    gzFile z = gzopen(dz, "wb");
    assert_non_null(z);
    assert_int_equal(gzwrite(z, plain, (unsigned)strlen(plain)), (int)strlen(plain));
    assert_int_equal(gzclose(z), Z_OK);
    char *stem = test_join(work, "freedict-eng-rus");
    run_index(&r, db, "--dict", stem, dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_dict_section(db, stem);
    free(stem);
    free(plain);
    free(itext);
    free(idx);
    free(dz);
#endif

    /* A dictionary whose name does not say its languages needs --dict-langs. */
    char *mine = test_join(work, "mine.index"), *mine_dict = test_join(work, "mine.dict");
    char *t = slurp(dict);
    write_text(mine, t, "w");
    free(t);
    t = slurp(KI_TEST_DATA "/dict/freedict-eng-rus.dict");
    write_text(mine_dict, t, "w");
    free(t);
    run_index(&r, db, "--dict", mine, dir, NULL);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "kavosh-index: error: "));
    assert_non_null(strstr(r.err, "--dict-langs"));
    run_result_free(&r);
    run_index(&r, db, "--dict", mine, "--dict-langs", "en,ru", dir, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    assert_dict_section(db, mine);
    run_index(&r, db, "--dict", mine, "--dict-langs", "en,xx", dir, NULL);
    assert_int_equal(r.status, 2);
    run_result_free(&r);

    /* Malformed TSV glossaries: the file, line (and column) are named; nothing is stored. */
    static const struct { const char *file, *message; } bad[] = {
        { "noheader.tsv", "noheader.tsv:2: expected a header line" },
        { "badutf8.tsv", "badutf8.tsv:2:18: invalid UTF-8" },
        { "nosuchfile.tsv", "nosuchfile.tsv: cannot read" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = test_join(KI_TEST_DATA, bad[i].file);
        run_index(&r, db, "--dict", p, dir, NULL);
        assert_int_equal(r.status, 4);
        if (!strstr(r.err, bad[i].message) || !strstr(r.err, "kavosh-index: error: "))
            fail_msg("want '%s' in:\n%s", bad[i].message, r.err);
        run_result_free(&r);
        g = glossary_text(db);
        assert_null(glossary_section(g, p));
        kx_free(g);
        free(p);
    }
    free(mine);
    free(mine_dict);
    free(gtext);
    free(gpath);
    free(dir);
    free(db);
    free(work);
}

/* Dictionaries of arbitrary bytes: never a crash, and whatever is stored
 * is valid UTF-8. Seeded, so a failure can be replayed. */
#define FUZZ_ROUNDS 20
#define FUZZ_SEED 0x6b61766f7368ULL

static unsigned long long xorshift(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        size_t len = *s < 0x80 ? 1 : (*s >> 5) == 6 ? 2 : (*s >> 4) == 14 ? 3 : (*s >> 3) == 30 ? 4 : 0;
        if (!len)
            return 0;
        for (size_t i = 1; i < len; i++)
            if ((s[i] & 0xc0) != 0x80)
                return 0;
        s += len;
    }
    return 1;
}

static void test_dictd_garbage(void **state)
{
    (void)state;
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char *const pieces[] = { "\t", "\n", "/", "<", ">", "(", ")", ",", ";", "1. ",
                                          "\"", "|", "\xd0\x9a", "\xd0", "\xff", "\xe2\x80\x8c",
                                          "word", " ", "00-database-x" };
    char *work = test_join(tmp, "fuzz");
    assert_int_equal(mkdir(work, 0700), 0);
    char *db = test_join(work, "db"), *idx = test_join(work, "garbage.index"),
         *dat = test_join(work, "garbage.dict");
    unsigned long long seed = FUZZ_SEED;
    int stored = 0;
    for (int round = 0; round < FUZZ_ROUNDS; round++) {
        char dict[4096], index[4096];
        size_t dn = 0, in = 0;
        size_t target = 64 + xorshift(&seed) % 1024;
        while (dn < target) {
            const char *p = pieces[xorshift(&seed) % (sizeof pieces / sizeof pieces[0])];
            size_t k = strlen(p);
            memcpy(dict + dn, p, k);
            dn += k;
        }
        dict[dn] = '\0';
        /* Index lines: most well-formed (a Latin headword, a range inside
         * the data, in dictd's base64), some garbage. */
        size_t entries = 1 + xorshift(&seed) % 30;
        for (size_t e = 0; e < entries && in < sizeof index - 80; e++) {
            const char *p = pieces[xorshift(&seed) % (sizeof pieces / sizeof pieces[0])];
            in += (size_t)snprintf(index + in, sizeof index - in, "word%s\t", p);
            unsigned long long off = xorshift(&seed) % dn;
            unsigned long long len = 1 + xorshift(&seed) % (dn - off);
            if (xorshift(&seed) % 4 == 0)
                len += xorshift(&seed) % 5000;   /* past the end */
            for (int f = 0; f < 2; f++) {
                unsigned long long v = f == 0 ? off : len;
                char digits[16];
                size_t nd = 0;
                do {
                    digits[nd++] = alphabet[v % 64];
                    v /= 64;
                } while (v);
                while (nd)
                    index[in++] = digits[--nd];
                index[in++] = f == 0 ? '\t' : '\n';
            }
        }
        index[in] = '\0';
        write_text(idx, index, "w");
        write_text(dat, dict, "w");
        run_result_t r;
        run_index(&r, db, "--dict", idx, "--dict-langs", "en,ru", KI_TEST_DATA "/extra.md", NULL);
        if (r.status != 0 && r.status != 4)
            fail_msg("round %d: exit %d\n%s", round, r.status, r.err);
        stored += r.status == 0;
        run_result_free(&r);
        char *g = glossary_text(db);
        if (!valid_utf8((const unsigned char *)g))
            fail_msg("round %d: the stored glossary is not UTF-8", round);
        kx_free(g);
    }
    /* Some rounds must have stored something, or the check above checked nothing. */
    printf("dictd garbage: %d of %d rounds stored a glossary\n", stored, FUZZ_ROUNDS);
    assert_true(stored > 0);
    free(db);
    free(idx);
    free(dat);
    free(work);
}

/* ---------------------------------------------------------------------- */
/* --list, --stats and their errors                                        */

static void test_list_stats(void **state)
{
    (void)state;
    char *work = test_join(tmp, "stats");
    assert_int_equal(mkdir(work, 0700), 0);
    char *db = test_join(work, "db"), *missing = test_join(work, "missing");
    run_result_t r;
    run_index(&r, missing, "--list", NULL);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "kavosh-index: error: no index at"));
    run_result_free(&r);
    run_index(&r, missing, "--stats", NULL);
    assert_int_equal(r.status, 3);
    run_result_free(&r);
    struct stat sb;
    assert_int_not_equal(stat(missing, &sb), 0);   /* reading never creates an index */

    run_index(&r, db, KI_TEST_DATA "/texts", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    run_index(&r, db, "--list", KI_TEST_DATA "/texts", NULL);
    assert_int_equal(r.status, 2);
    run_result_free(&r);

    listed_t l[MAX_FILES];
    size_t n = list_index(db, l, MAX_FILES);
    unsigned long passages = 0;
    for (size_t i = 0; i < n; i++)
        passages += l[i].passages;
    run_index(&r, db, "--stats", NULL);
    assert_int_equal(r.status, 0);
    unsigned long shown = 0, files = 0;
    const char *pl = strstr(r.out, "\npassages:"), *fl = strstr(r.out, "\nfiles:");
    assert_non_null(pl);
    assert_non_null(fl);
    assert_int_equal(sscanf(pl, " passages: %lu", &shown), 1);
    assert_int_equal(sscanf(fl, " files: %lu", &files), 1);
    assert_int_equal(shown, passages);
    assert_int_equal(files, n);
    /* Per-language counts add up to the passages. */
    unsigned long sum = 0;
    const char *p = strstr(r.out, "passages by language:\n");
    assert_non_null(p);
    p = strchr(p, '\n') + 1;
    while (strncmp(p, "  ", 2) == 0) {
        char lang[16];
        unsigned long c;
        assert_int_equal(sscanf(p, " %15s %lu", lang, &c), 2);
        sum += c;
        p = strchr(p, '\n') + 1;
    }
    assert_int_equal(sum, passages);
    assert_non_null(strstr(r.out, "terms:"));
    assert_non_null(strstr(r.out, "size on disk:"));
    run_result_free(&r);
    free(db);
    free(missing);
    free(work);
}

/* ---------------------------------------------------------------------- */
/* The progress line                                                       */

/* Run kavosh-index with stderr (and stdout) on a pseudo-terminal; returns
 * what the terminal received, malloc'd, and the exit status in *status. */
static char *run_on_pty(const char *const *argv, int *status)
{
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            assert_non_null(buf);
        }
        ssize_t k = read(master, buf + len, cap - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)   /* EIO once the child has gone */
            break;
        len += (size_t)k;
    }
    buf[len] = '\0';
    close(master);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128;
    return buf;
}

static void test_progress(void **state)
{
    (void)state;
    char *work = test_join(tmp, "tty");
    assert_int_equal(mkdir(work, 0700), 0);
    char *db = test_join(work, "db");
    const char *argv[] = { KAVOSH_INDEX_BIN, "-d", db, KI_TEST_DATA "/texts", NULL };
    int status;
    char *out = run_on_pty(argv, &status);
    assert_int_equal(status, 0);
    /* Drawn in place, counting up to every file, erased before the summary. */
    assert_non_null(strchr(out, '\r'));
    const char *last = strstr(out, "6/6 files (100%)");
    if (!last)
        fail_msg("no final progress line in:\n%s", out);
    const char *summary = strstr(out, "kavosh-index: 6 files: 6 indexed");
    assert_non_null(summary);
    assert_true(summary > last);
    assert_non_null(strstr(last, "\r\033[K"));
    free(out);

    /* --verbose on a terminal: each file's line starts on a clean line, the
     * progress line erased before it. */
    const char *verbose[] = { KAVOSH_INDEX_BIN, "-v", "--rebuild", "-d", db, KI_TEST_DATA "/texts", NULL };
    out = run_on_pty(verbose, &status);
    assert_int_equal(status, 0);
    size_t notes = 0;
    for (const char *p = out; (p = strstr(p, "kavosh-index: " KI_TEST_DATA)) != NULL; p++) {
        notes++;
        if (!(p == out || p[-1] == '\n' || (p - out >= 4 && strncmp(p - 4, "\r\033[K", 4) == 0)))
            fail_msg("a verbose line drawn over the progress line:\n%s", out);
    }
    assert_int_equal(notes, 6);
    free(out);

    /* --quiet: nothing at all, even on a terminal. */
    const char *quiet[] = { KAVOSH_INDEX_BIN, "-q", "-d", db, KI_TEST_DATA "/texts", NULL };
    out = run_on_pty(quiet, &status);
    assert_int_equal(status, 0);
    assert_string_equal(out, "");
    free(out);
    free(db);
    free(work);
}

/* However narrow the terminal, the progress line keeps the files done and
 * the ETA, dropping the other parts first; it never exceeds the width. */
static void test_progress_narrow(void **state)
{
    (void)state;
    static const struct { size_t width; const char *want, *absent; } cases[] = {
        { 200, "kavosh-index: 12/3400 files (0%), 120 passages, 1.5 MB/s, ETA 1:02:03", NULL },
        { 60, "12/3400 files (0%), 120 passages, 1.5 MB/s, ETA 1:02:03", "kavosh-index" },
        { 40, "12/3400 files (0%), ETA 1:02:03", "MB/s" },
        { 30, "12/3400 files, ETA 1:02:03", "passages" },
        { 12, "ETA 1:02:03", NULL },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char buf[256];
        size_t n = ki_progress_format(buf, sizeof buf, cases[k].width, 12, 3400, 0, 120, 1.5e6,
                                      "1:02:03");
        assert_int_equal(n, strlen(buf));
        assert_true(n <= cases[k].width);
        if (!strstr(buf, cases[k].want) || (cases[k].absent && strstr(buf, cases[k].absent)))
            fail_msg("width %zu: «%s»", cases[k].width, buf);
    }
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
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_rebuild),
        cmocka_unit_test(test_glossary),
        cmocka_unit_test(test_glossary_without_tables),
        cmocka_unit_test(test_default_lexicon),
        cmocka_unit_test(test_dictd_garbage),
        cmocka_unit_test(test_list_stats),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_progress_narrow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

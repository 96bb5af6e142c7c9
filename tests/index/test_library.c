/*
 * test_library.c - kavosh-index on a researcher's folders as they are:
 * files known by their path (two notes.md in two folders), updating with no
 * PATH from the folders an index was built from, the bundled sample only in
 * a new index, the walk (link loops, a FIFO named .md, deep folders,
 * --exclude/--include and .kavoshignore, README files, the skip summary),
 * names with a TAB or a newline escaped in --list and in messages, and
 * terminal escape sequences removed from the text at ingestion.
 *
 * Every fixture is made here, in a temporary folder. The index is read
 * back through the wrapper (schema.h says where things are) and through
 * kavosh-index --list and kavosh-search, as a user would.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kavosh_xapian.h"
#include "run.h"
#include "schema.h"

static char *tmp;
static char start_dir[4096];

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* A fresh folder under the test's temporary folder, made the current one
 * (kavosh-index names files by their path as given: relative to it). */
static char *enter_work(const char *name)
{
    char *work = test_join(tmp, name);
    assert_int_equal(mkdir(work, 0700), 0);
    assert_int_equal(chdir(work), 0);
    return work;
}

static void leave_work(char *work)
{
    assert_int_equal(chdir(start_dir), 0);
    free(work);
}

/* Run kavosh-index ARGS... (NULL-terminated) with the environment env. */
static void vrun(run_result_t *r, const char *const *env, const char *prog, va_list ap)
{
    const char *argv[40] = { prog };
    size_t n = 1;
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 39)
        argv[n++] = a;
    argv[n] = NULL;
    assert_int_equal(run_program(argv, NULL, env, r), 0);
}

static void run_index(run_result_t *r, ...)
{
    va_list ap;
    va_start(ap, r);
    vrun(r, NULL, KAVOSH_INDEX_BIN, ap);
    va_end(ap);
}

static void run_search(run_result_t *r, ...)
{
    static const char *const env[] = { "NO_COLOR", NULL };
    va_list ap;
    va_start(ap, r);
    vrun(r, env, KAVOSH_SEARCH_BIN, ap);
    va_end(ap);
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

typedef struct ids {
    unsigned v[64];
    size_t   n;
} ids_t;

static int add_id(void *ctx, unsigned docid)
{
    ids_t *ids = ctx;
    if (ids->n < 64)
        ids->v[ids->n++] = docid;
    return 0;
}

/* The passages of the document called name. */
static ids_t docids(const char *db, const char *name)
{
    ids_t ids = { .n = 0 };
    char term[1024];
    snprintf(term, sizeof term, "%s%s", KI_PREFIX_FILE, name);
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open(db, KX_OPEN_READ, &x, NULL), KX_OK);
    assert_int_equal(kx_db_postings(x, term, add_id, &ids), KX_OK);
    kx_db_close(x);
    return ids;
}

/* The first field of each --list line, in order, joined by '|'. */
static void listed_names(const char *db, char *out, size_t cap)
{
    run_result_t r;
    run_index(&r, "-d", db, "--list", NULL);
    assert_int_equal(r.status, 0);
    size_t o = 0;
    out[0] = '\0';
    for (const char *p = r.out; *p;) {
        size_t n = strcspn(p, "\t\n");
        o += (size_t)snprintf(out + o, cap - o, "%s%.*s", o ? "|" : "", (int)n, p);
        assert_true(o < cap);
        p += strcspn(p, "\n");
        if (*p)
            p++;
    }
    run_result_free(&r);
}

/* ---------------------------------------------------------------------- */
/* Files known by their path                                               */

static void test_two_notes(void **state)
{
    (void)state;
    char *work = enter_work("notes");
    assert_int_equal(mkdir("dirA", 0700), 0);
    assert_int_equal(mkdir("dirB", 0700), 0);
    test_write_file("dirA/notes.md", "Notes of folder A about the Osh bazaar.\n");
    test_write_file("dirB/notes.md", "Notes of folder B about the Naryn river.\n");

    run_result_t r;
    run_index(&r, "-d", "db", "dirA", "dirB", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 files: 2 indexed, 0 unchanged, 0 removed, 0 failed"));
    assert_null(strstr(r.err, "warning"));
    run_result_free(&r);
    char names[1024];
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "dirA/notes.md|dirB/notes.md");

    /* Passage ids and results show the path. */
    run_search(&r, "-d", "db", "--tsv", "Osh", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\tdirA/notes.md#1\t"));
    assert_null(strstr(r.out, "dirB/notes.md"));
    run_result_free(&r);
    run_search(&r, "-d", "db", "--json", "Naryn", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"doc\": \"dirB/notes.md\"") ? strstr(r.out, "\"doc\": \"dirB/notes.md\"")
                                                               : strstr(r.out, "\"doc\":\"dirB/notes.md\""));
    run_result_free(&r);

    /* Indexing one folder never touches the other's file. */
    ids_t a = docids("db", "dirA/notes.md");
    assert_int_equal(a.n, 1);
    test_write_file("dirB/notes.md", "Notes of folder B, rewritten, about Talas.\n");
    run_index(&r, "-d", "db", "-v", "dirB", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 1 indexed, 0 unchanged, 0 removed, 0 failed"));
    run_result_free(&r);
    ids_t a2 = docids("db", "dirA/notes.md");
    assert_int_equal(a2.n, 1);
    assert_int_equal(a2.v[0], a.v[0]);
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "dirA/notes.md|dirB/notes.md");

    /* The same folder spelled otherwise (absolute, "./", through a link)
     * keeps its names: nothing new, nothing removed. */
    char *abs = test_join(work, "dirA");
    assert_int_equal(symlink("dirA", "linkA"), 0);
    run_index(&r, "-d", "db", abs, "./dirA/", "linkA", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 0 indexed, 1 unchanged, 0 removed, 0 failed"));
    run_result_free(&r);
    /* A file inside an indexed folder named by itself: the same document. */
    run_index(&r, "-d", "db", abs, NULL);
    run_result_free(&r);
    char *absfile = test_join(abs, "notes.md");
    run_index(&r, "-d", "db", absfile, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 0 indexed, 1 unchanged"));
    run_result_free(&r);
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "dirA/notes.md|dirB/notes.md");
    free(absfile);
    free(abs);
    leave_work(work);
}

/* --list: the fifth column is where the file is; names with a TAB or a
 * newline are escaped, so every file is one line of five fields. */
static void test_list_escapes(void **state)
{
    (void)state;
    char *work = enter_work("escapes");
    assert_int_equal(mkdir("d", 0700), 0);
    test_write_file("d/tab\there.md", "A file whose name has a tab, about Karakol.\n");
    test_write_file("d/new\nline.md", "A file whose name has a newline, about Karakol.\n");
    test_write_file("d/back\\slash.md", "A file whose name has a backslash, about Karakol.\n");
    test_write_file("d/esc\033]0;owned\007.md", "A file whose name would set the window title.\n");
    run_result_t r;
    run_index(&r, "-d", "db", "-v", "d", NULL);
    assert_int_equal(r.status, 0);
    /* kavosh-index's own messages carry no control byte of a name. */
    assert_null(strchr(r.err, '\033'));
    assert_null(strchr(r.err, '\007'));
    assert_null(strchr(r.err, '\t'));
    assert_non_null(strstr(r.err, "d/tab\\there.md: 1 passages (new)"));
    assert_non_null(strstr(r.err, "d/new\\nline.md: 1 passages (new)"));
    assert_non_null(strstr(r.err, "d/esc\\x1B]0;owned\\x07.md: 1 passages (new)"));
    run_result_free(&r);

    run_index(&r, "-d", "db", "--list", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(count_lines(r.out), 4);
    assert_null(strchr(r.out, '\033'));
    size_t tabs = 0;
    for (const char *p = r.out; *p; p++)
        tabs += *p == '\t';
    assert_int_equal(tabs, 4 * 4);
    assert_non_null(strstr(r.out, "d/tab\\there.md\t"));
    assert_non_null(strstr(r.out, "d/new\\nline.md\t"));
    assert_non_null(strstr(r.out, "d/back\\\\slash.md\t"));
    /* The last column: the file's real path. */
    char want[4200];
    snprintf(want, sizeof want, "\t%s/d/tab\\there.md\n", work);
    assert_non_null(strstr(r.out, want));
    run_result_free(&r);
    /* Stored as it is: the document's name is the bytes of its path. */
    assert_int_equal(docids("db", "d/tab\there.md").n, 1);
    assert_int_equal(docids("db", "d/new\nline.md").n, 1);
    leave_work(work);
}

/* A file name that is not UTF-8 (an old KOI8-R name, say): stored as it
 * is, escaped in --list, and shown with U+FFFD in the results, never lost. */
static void test_name_not_utf8(void **state)
{
    (void)state;
    char *work = enter_work("notutf8");
    assert_int_equal(mkdir("d", 0700), 0);
    test_write_file("d/bad\xff.md", "A file whose name is not UTF-8, about Uzgen.\n");
    run_result_t r;
    run_index(&r, "-d", "db", "-v", "d", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "d/bad\\xFF.md: 1 passages (new)"));
    run_result_free(&r);
    run_index(&r, "-d", "db", "--list", NULL);
    assert_non_null(strstr(r.out, "d/bad\\xFF.md\t1\t"));
    run_result_free(&r);
    assert_int_equal(docids("db", "d/bad\xff.md").n, 1);
    run_search(&r, "-d", "db", "--json", "Uzgen", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"passage\":\"d/bad\xef\xbf\xbd.md#1\""));
    assert_non_null(strstr(r.out, "\"doc\":\"d/bad\xef\xbf\xbd.md\""));
    run_result_free(&r);
    leave_work(work);
}

/* ---------------------------------------------------------------------- */
/* Updating with no PATH                                                   */

static void test_update_no_path(void **state)
{
    (void)state;
    char *work = enter_work("update");
    assert_int_equal(mkdir("dirA", 0700), 0);
    assert_int_equal(mkdir("dirB", 0700), 0);
    assert_int_equal(mkdir("dirB/sub", 0700), 0);
    test_write_file("dirA/notes.md", "Folder A: the Osh bazaar.\n");
    test_write_file("dirA/keep.md", "Folder A: a text that stays as it is.\n");
    test_write_file("dirB/notes.md", "Folder B: the Naryn river.\n");
    test_write_file("dirB/sub/old.md", "Folder B: a text that will go.\n");
    test_write_file("single.md", "A file named by itself: the Chuy valley.\n");
    test_write_file("gone.md", "A file named by itself that will go.\n");
    run_result_t r;
    run_index(&r, "-d", "db", "dirA", "dirB", "single.md", "gone.md", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "6 files: 6 indexed"));
    run_result_free(&r);
    ids_t keep = docids("db", "dirA/keep.md");
    assert_int_equal(keep.n, 1);

    /* Changes in both folders, and to the files named by themselves. */
    test_write_file("dirA/notes.md", "Folder A, changed: the Osh bazaar and Uzgen.\n");
    test_write_file("dirA/added.md", "Folder A: a new text about Batken.\n");
    test_write_file("dirB/notes.md", "Folder B, changed: the Naryn river and its dams.\n");
    assert_int_equal(unlink("dirB/sub/old.md"), 0);
    test_write_file("dirB/sub/new.md", "Folder B: a new text about Talas.\n");
    test_write_file("single.md", "A file named by itself, changed: the Chuy valley and Tokmok.\n");
    assert_int_equal(unlink("gone.md"), 0);

    /* No PATH, from another folder: the index's own folders and files. */
    assert_int_equal(chdir("/"), 0);
    char *db = test_join(work, "db");
    run_index(&r, "-d", db, "-v", NULL);
    assert_int_equal(r.status, 0);
    static const char *const changed[] = { "dirA/notes.md", "dirB/notes.md", "single.md" };
    static const char *const added[] = { "dirA/added.md", "dirB/sub/new.md" };
    char line[4400];
    for (size_t i = 0; i < 3; i++) {
        snprintf(line, sizeof line, "%s/%s: 1 passages (changed)\n", work, changed[i]);
        if (!strstr(r.err, line))
            fail_msg("want '%s' in:\n%s", line, r.err);
    }
    for (size_t i = 0; i < 2; i++) {
        snprintf(line, sizeof line, "%s/%s: 1 passages (new)\n", work, added[i]);
        if (!strstr(r.err, line))
            fail_msg("want '%s' in:\n%s", line, r.err);
    }
    assert_non_null(strstr(r.err, "kavosh-index: dirB/sub/old.md: removed from the index\n"));
    assert_non_null(strstr(r.err, "kavosh-index: gone.md: removed from the index\n"));
    assert_non_null(strstr(r.err, "6 files: 5 indexed, 1 unchanged, 2 removed, 0 failed"));
    /* The bundled sample is not added to the user's index. */
    assert_null(strstr(r.err, "article.fa.md"));
    run_result_free(&r);
    char names[2048];
    listed_names(db, names, sizeof names);
    assert_string_equal(names, "dirA/added.md|dirA/keep.md|dirA/notes.md|dirB/notes.md|"
                               "dirB/sub/new.md|single.md");
    /* The file nobody touched keeps its very passage. */
    ids_t keep2 = docids(db, "dirA/keep.md");
    assert_int_equal(keep2.n, 1);
    assert_int_equal(keep2.v[0], keep.v[0]);

    /* A second update has nothing to do. */
    run_index(&r, "-d", db, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "6 files: 0 indexed, 6 unchanged, 0 removed, 0 failed"));
    run_result_free(&r);

    /* A folder that is not there (a disk not mounted?) keeps its files. */
    char *a = test_join(work, "dirA"), *a2 = test_join(work, "dirA.away");
    assert_int_equal(rename(a, a2), 0);
    run_index(&r, "-d", db, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "folder not found, its files stay in the index"));
    assert_non_null(strstr(r.err, "0 removed"));
    run_result_free(&r);
    listed_names(db, names, sizeof names);
    assert_int_equal(count_of(names, "dirA/"), 3);
    assert_int_equal(rename(a2, a), 0);
    free(a);
    free(a2);
    free(db);
    leave_work(work);
}

/* A folder whose name has a backslash, a newline and a TAB is remembered
 * as it is: the update with no PATH finds it again. */
static void test_odd_folder_name(void **state)
{
    (void)state;
    char *work = enter_work("odd");
    static const char odd[] = "we\\ird\nfol\tder";
    assert_int_equal(mkdir(odd, 0700), 0);
    char *f = test_join(odd, "a.md");
    test_write_file(f, "A text in an oddly named folder, about Talas.\n");
    run_result_t r;
    run_index(&r, "-d", "db", odd, NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    test_write_file(f, "A text in an oddly named folder, changed, about Talas and Naryn.\n");
    assert_int_equal(chdir("/"), 0);
    char *db = test_join(work, "db");
    run_index(&r, "-d", db, NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "not found"));
    assert_non_null(strstr(r.err, "1 file: 1 indexed, 0 unchanged, 0 removed"));
    run_result_free(&r);
    assert_int_equal(docids(db, f).n, 1);
    free(db);
    free(f);
    leave_work(work);
}

/* --rebuild replaces an index of another schema version (a plain update
 * refuses it); with no PATH it cannot know the folders, and says so. */
static void test_rebuild_other_schema(void **state)
{
    (void)state;
    char *work = enter_work("schema");
    assert_int_equal(mkdir("p", 0700), 0);
    test_write_file("p/a.md", "A text about Osh.\n");
    run_result_t r;
    run_index(&r, "-d", "db", "p", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open("db", KX_OPEN_WRITE, &x, NULL), KX_OK);
    assert_int_equal(kx_db_set_metadata(x, KI_SCHEMA_KEY, "1"), KX_OK);
    assert_int_equal(kx_db_commit(x), KX_OK);
    kx_db_close(x);
    run_index(&r, "-d", "db", "p", NULL);
    assert_int_equal(r.status, 3);
    run_result_free(&r);
    run_index(&r, "-d", "db", "--rebuild", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "another schema version"));
    run_result_free(&r);
    run_index(&r, "-d", "db", "--rebuild", "p", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);
    char names[256];
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "p/a.md");
    run_index(&r, "-d", "db", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 0 indexed, 1 unchanged"));
    run_result_free(&r);
    leave_work(work);
}

/* The bundled article goes only into a new index when nothing is named. */
static void test_bundled_only_new(void **state)
{
    (void)state;
    char *work = enter_work("bundled");
    run_result_t r;
    /* A new index, nothing named: the sample, so that a first run shows something. */
    run_index(&r, "-d", "sample.db", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 1 indexed"));
    run_result_free(&r);
    char names[1024];
    listed_names("sample.db", names, sizeof names);
    assert_string_equal(names, "article.fa.md");
    /* Run again: an update of the sample, not a second copy. */
    run_index(&r, "-d", "sample.db", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "1 file: 0 indexed, 1 unchanged"));
    run_result_free(&r);

    /* A new index with only a glossary named: the glossary, no sample. */
    test_write_file("terms.tsv", "fa\tru\ten\nتحریم\tсанкции\tsanctions\n");
    run_index(&r, "-d", "mine.db", "--dict", "terms.tsv", NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "article.fa.md"));
    assert_non_null(strstr(r.err, "0 files"));
    run_result_free(&r);
    listed_names("mine.db", names, sizeof names);
    assert_string_equal(names, "");
    /* And the user's own index, updated with --dict and no PATH: still no sample. */
    assert_int_equal(mkdir("papers", 0700), 0);
    test_write_file("papers/a.md", "Sanctions and trade in the region.\n");
    run_index(&r, "-d", "mine.db", "papers", NULL);
    run_result_free(&r);
    run_index(&r, "-d", "mine.db", "--dict", "terms.tsv", NULL);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.err, "article.fa.md"));
    run_result_free(&r);
    listed_names("mine.db", names, sizeof names);
    assert_string_equal(names, "papers/a.md");
    leave_work(work);
}

/* ---------------------------------------------------------------------- */
/* The walk                                                                */

static void test_walk_loops_and_specials(void **state)
{
    (void)state;
    char *work = enter_work("walk");
    assert_int_equal(mkdir("lib", 0700), 0);
    assert_int_equal(mkdir("lib/top", 0700), 0);
    test_write_file("lib/beside.md", "A text beside the folder, reached through up.\n");
    test_write_file("lib/top/a.md", "A text in the folder about Jalal-Abad.\n");
    /* self -> . and up -> .. (the old walk took ~2^32 paths here). */
    assert_int_equal(symlink(".", "lib/top/self"), 0);
    assert_int_equal(symlink("..", "lib/top/up"), 0);
    /* Two links to one folder: followed once. */
    assert_int_equal(mkdir("lib/top/real", 0700), 0);
    test_write_file("lib/top/real/r.md", "A text behind two links.\n");
    assert_int_equal(symlink("real", "lib/top/link1"), 0);
    assert_int_equal(symlink("real", "lib/top/link2"), 0);
    /* A FIFO named .md: never opened, so it cannot block the run. */
    assert_int_equal(mkfifo("lib/top/x.md", 0600), 0);
    /* Files of no known type: counted, not opened. */
    test_write_file("lib/top/one.xyz", "x");
    test_write_file("lib/top/two.xyz", "x");
    test_write_file("lib/top/three.XYZ", "x");
    /* A README is a text like any other now. */
    test_write_file("lib/top/README.md", "This folder holds texts about the Fergana valley.\n");
    /* Deeper than the old limit of 32 levels: nothing is dropped. */
    char deep[4096] = "lib/top";
    for (int i = 0; i < 40; i++) {
        strcat(deep, "/d");
        assert_int_equal(mkdir(deep, 0700), 0);
    }
    char *deepfile = test_join(deep, "bottom.md");
    test_write_file(deepfile, "A text forty folders down, about Kara-Suu.\n");

    run_result_t r;
    run_index(&r, "-d", "db", "-v", "lib/top", NULL);
    assert_int_equal(r.status, 0);
    /* a.md, README.md, real/r.md (under one name), up/beside.md, the deep one. */
    assert_non_null(strstr(r.err, "5 files: 5 indexed, 0 unchanged, 0 removed, 0 failed"));
    assert_non_null(strstr(r.err, "kavosh-index: skipped 4: 3 .xyz, 1 fifo\n"));
    /* -v names each file passed over, and the links not followed. */
    assert_non_null(strstr(r.err, "lib/top/x.md: skipped: fifo\n"));
    assert_non_null(strstr(r.err, "lib/top/one.xyz: skipped: not a type"));
    assert_non_null(strstr(r.err, "lib/top/self: a link to a folder walked already, not followed\n"));
    assert_non_null(strstr(r.err, "lib/top/link2: a link to a folder walked already, not followed\n"));
    run_result_free(&r);
    char names[8192];
    listed_names("db", names, sizeof names);
    assert_non_null(strstr(names, "lib/top/README.md|"));
    assert_non_null(strstr(names, "lib/top/a.md|"));
    assert_non_null(strstr(names, "lib/top/link1/r.md"));
    assert_null(strstr(names, "link2"));
    assert_non_null(strstr(names, "lib/top/up/beside.md"));
    assert_non_null(strstr(names, "/d/d/d/bottom.md"));
    assert_int_equal(count_of(names, "|") + 1, 5);

    /* Without -v: the summary says how to see them. */
    run_index(&r, "-d", "db", "lib/top", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "skipped 4: 3 .xyz, 1 fifo (-v names them)\n"));
    run_result_free(&r);

    /* Nor one named as a glossary. */
    assert_int_equal(mkfifo("terms.tsv", 0600), 0);
    assert_int_equal(mkfifo("freedict-eng-rus.index", 0600), 0);
    run_index(&r, "-d", "db", "--dict", "terms.tsv", "--dict", "freedict-eng-rus.index",
              "lib/top", NULL);
    assert_int_equal(r.status, 4);
    assert_non_null(strstr(r.err, "terms.tsv: cannot read: not a regular file"));
    assert_non_null(strstr(r.err, "error: freedict-eng-rus.index: "));
    run_result_free(&r);

    /* A FIFO named directly is not opened either. */
    run_index(&r, "-d", "db", "lib/top/x.md", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "lib/top/x.md: a fifo, not a file; not indexed"));
    run_result_free(&r);
    free(deepfile);
    leave_work(work);
}

static void test_globs(void **state)
{
    (void)state;
    char *work = enter_work("globs");
    assert_int_equal(mkdir("p", 0700), 0);
    assert_int_equal(mkdir("p/drafts", 0700), 0);
    assert_int_equal(mkdir("p/notes", 0700), 0);
    test_write_file("p/a.md", "An article about Issyk-Kul.\n");
    test_write_file("p/b.txt", "A text file about Issyk-Kul.\n");
    test_write_file("p/secret.md", "Kept out by the ignore file.\n");
    test_write_file("p/drafts/d.md", "A draft, kept out with its folder.\n");
    test_write_file("p/notes/n.md", "A note about Issyk-Kul.\n");
    test_write_file("p/notes/n.html", "<p>A page about Issyk-Kul.</p>\n");
    test_write_file("p/.kavoshignore", "# kept out of the index\nsecret.md\ndrafts/\n\n");

    run_result_t r;
    run_index(&r, "-d", "db", "-v", "--exclude", "*.txt", "--exclude", "notes/*.html", "p", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 files: 2 indexed"));
    assert_non_null(strstr(r.err, "p/drafts/: skipped: excluded"));
    assert_non_null(strstr(r.err, "skipped 3: 3 excluded"));
    run_result_free(&r);
    char names[2048];
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "p/a.md|p/notes/n.md");

    /* The globs stay with the folder: an update with no PATH keeps them. */
    test_write_file("p/c.txt", "Another text file.\n");
    test_write_file("p/e.md", "A new article about Cholpon-Ata.\n");
    run_index(&r, "-d", "db", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "3 files: 1 indexed, 2 unchanged"));
    run_result_free(&r);
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "p/a.md|p/e.md|p/notes/n.md");

    /* --include: only what matches (folders are still walked); the files
     * no longer included leave the index. */
    run_index(&r, "-d", "db", "--include", "n.*", "p", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "2 files: 1 indexed, 1 unchanged, 2 removed"));
    run_result_free(&r);
    listed_names("db", names, sizeof names);
    assert_string_equal(names, "p/notes/n.html|p/notes/n.md");

    /* Globs without a folder to go with are refused. */
    run_index(&r, "-d", "db", "--exclude", "*.md", NULL);
    assert_int_equal(r.status, 2);
    run_result_free(&r);
    leave_work(work);
}

/* ---------------------------------------------------------------------- */
/* Escape sequences in a document                                          */

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return 1;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F)
            return 1;
    }
    return 0;
}

static int check_data(void *ctx, unsigned docid)
{
    kx_db_t *x = ctx;
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(kx_db_get_data(x, docid, &data, &len), KX_OK);
    /* JSON escapes control characters as \u00XX: look for those too. */
    if (strcasestr(data, "\\u001b") || strcasestr(data, "\\u0007") || strcasestr(data, "\\u009b") ||
        strcasestr(data, "\\u009d") || has_control(data, len))
        fail_msg("passage %u keeps a control character: %s", docid, data);
    kx_free(data);
    return 0;
}

static void test_escape_sequences_removed(void **state)
{
    (void)state;
    char *work = enter_work("controls");
    assert_int_equal(mkdir("d", 0700), 0);
    /* A window title (OSC 0, BEL), the clipboard (OSC 52, ST), a screen
     * clear (CSI 2J), colour (CSI ... m), a C1 CSI, a bell, a backspace. */
    test_write_file("d/evil.md",
               "# Title\033]0;OWNED\007 of the text\n\n"
               "Before\033]52;c;cm0gLXJmIC8=\033\\ the clipboard and after.\n\n"
               "The screen\033[2J\033[H stays, \033[1;31mred\033[0m words, "
               "C1\xc2\x9b" "31m colour, a bell\007 and a back\bspace about Karakol.\n");
    test_write_file("d/page.html",
               "<html><head><title>Page</title></head><body>"
               "<p>An entity &#27;[2J and an escape \033]0;T\007 in HTML about Karakol.</p>"
               "</body></html>\n");
    test_write_file("d/plain.txt", "Plain text\033[5m blinking\033[0m about Karakol.\n");
    run_result_t r;
    run_index(&r, "-d", "db", "d", NULL);
    assert_int_equal(r.status, 0);
    run_result_free(&r);

    /* No stored passage carries one. */
    kx_db_t *x = NULL;
    assert_int_equal(kx_db_open("db", KX_OPEN_READ, &x, NULL), KX_OK);
    assert_int_equal(kx_db_postings(x, KI_PREFIX_KIND "body", check_data, x), KX_OK);
    kx_db_close(x);

    /* Nor what kavosh-search prints, in any format; the words around them are found. */
    static const char *const formats[] = { "--json", "--tsv", "--color=never" };
    for (size_t f = 0; f < 3; f++) {
        run_search(&r, "-d", "db", formats[f], "-n", "20", "Karakol", NULL);
        assert_int_equal(r.status, 0);
        if (has_control(r.out, r.out_len) || strstr(r.out, "OWNED") || strstr(r.out, "cm0g"))
            fail_msg("%s output keeps a control sequence:\n%s", formats[f], r.out);
        run_result_free(&r);
    }
    run_search(&r, "-d", "db", "--json", "clipboard", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Before the clipboard and after."));
    run_result_free(&r);
    run_search(&r, "-d", "db", "--json", "red words", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "red words"));
    assert_non_null(strstr(r.out, "backspace"));
    run_result_free(&r);
    run_search(&r, "-d", "db", "--json", "blinking", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Plain text blinking about Karakol."));
    run_result_free(&r);
    leave_work(work);
}

static int setup(void **state)
{
    (void)state;
    assert_non_null(getcwd(start_dir, sizeof start_dir));
    tmp = make_temp_dir();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(start_dir) != 0)
        return -1;
    remove_tree(tmp);
    free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_notes),
        cmocka_unit_test(test_list_escapes),
        cmocka_unit_test(test_name_not_utf8),
        cmocka_unit_test(test_update_no_path),
        cmocka_unit_test(test_odd_folder_name),
        cmocka_unit_test(test_rebuild_other_schema),
        cmocka_unit_test(test_bundled_only_new),
        cmocka_unit_test(test_walk_loops_and_specials),
        cmocka_unit_test(test_globs),
        cmocka_unit_test(test_escape_sequences_removed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

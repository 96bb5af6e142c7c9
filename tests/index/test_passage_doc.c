/*
 * test_passage_doc.c - the Xapian document of one passage, in-process: a
 * small Markdown text is parsed, each passage's document is built with
 * ki_passage_document and added to a fresh index, and the index is read
 * back: the unique id term, the file, language and kind filter terms, the
 * section words, the analyzer's exact terms (whatever the spelling in the
 * text), and the stored JSON that kavosh-search prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "document.h"
#include "index.h"
#include "schema.h"

static const char text[] =
    "# روابط ایران و تاجیکستان\n\n"
    "## همکاری اقتصادی\n\n"
    "ساخت سد راغون در تاجيكستان ادامه دارد.\n\n"
    "The Rogun dam on the Vakhsh river.\n";

struct fixture {
    char dir[64];
    kx_db_t *db;
    ka_analyzer_t *an;
    kd_document_t *doc;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/kavosh-pdoc-XXXXXX");
    if (!mkdtemp(f->dir) || ka_analyzer_new(&f->an) != KA_OK)
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/db", f->dir);
    if (kx_db_open(path, KX_OPEN_WRITE, &f->db, NULL) != KX_OK)
        return -1;
    if (kd_parse(f->an, "notes/tj.fa.md", KD_FORMAT_MARKDOWN, text, sizeof text - 1, &f->doc) != 0)
        return -1;
    for (size_t i = 0; i < f->doc->n_passages; i++) {
        kx_doc_t *d = NULL;
        if (ki_passage_document(f->an, NULL, f->doc, i, NULL, &d) != KX_OK)
            return -1;
        kx_status_t st = kx_db_add_document(f->db, d, NULL);
        kx_doc_free(d);
        if (st != KX_OK)
            return -1;
    }
    *state = f;
    return kx_db_commit(f->db) == KX_OK ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kx_db_close(f->db);
    kd_document_free(f->doc);
    ka_analyzer_free(f->an);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static unsigned freq(kx_db_t *db, const char *term)
{
    unsigned n = 0;
    assert_int_equal(kx_db_term_freq(db, term, &n), KX_OK);
    return n;
}

static int first_doc(void *ctx, unsigned docid)
{
    *(unsigned *)ctx = docid;
    return 1;
}

/* The docid of the one passage indexed by term. */
static unsigned doc_of(kx_db_t *db, const char *term)
{
    unsigned id = 0;
    assert_int_equal(kx_db_postings(db, term, first_doc, &id), KX_OK);
    assert_true(id > 0);
    return id;
}

static void test_terms(void **state)
{
    struct fixture *f = *state;
    assert_true(f->doc->n_passages >= 2);
    /* Every passage is in the file, and has a unique id term. */
    assert_int_equal(freq(f->db, KI_PREFIX_FILE "notes/tj.fa.md"), f->doc->n_passages);
    for (size_t i = 0; i < f->doc->n_passages; i++) {
        char t[256];
        snprintf(t, sizeof t, "%s%s", KI_PREFIX_ID, f->doc->passages[i].id);
        assert_int_equal(freq(f->db, t), 1);
    }
    /* Arabic ي/ك in the text meet the Persian letters' term. */
    assert_int_equal(freq(f->db, "تاجیکستان"), 1);
    assert_int_equal(freq(f->db, "تاجيكستان"), 0);
    /* Languages per passage, and the kind. */
    assert_int_equal(freq(f->db, KI_PREFIX_LANG "fa"), 1);
    assert_int_equal(freq(f->db, KI_PREFIX_LANG "en"), 1);
    assert_int_equal(freq(f->db, KI_PREFIX_KIND "body"), f->doc->n_passages);
    /* The section path's words are filter terms of the passages under it. */
    assert_true(freq(f->db, KI_PREFIX_SECTION "اقتصادی") >= 1);
    /* The English word and its lower case. */
    assert_int_equal(freq(f->db, "rogun"), 1);
    assert_int_equal(doc_of(f->db, "rogun"), doc_of(f->db, KI_PREFIX_LANG "en"));
}

static void test_data(void **state)
{
    struct fixture *f = *state;
    unsigned id = doc_of(f->db, "راغون");
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(kx_db_get_data(f->db, id, &data, &len), KX_OK);
    json_error_t err;
    json_t *o = json_loadb(data, len, 0, &err);
    kx_free(data);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "doc")), "notes/tj.fa.md");
    assert_string_equal(json_string_value(json_object_get(o, "lang")), "fa");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "body");
    /* The text as written (Arabic letters kept), the section path, the line. */
    assert_string_equal(json_string_value(json_object_get(o, "text")),
                        "ساخت سد راغون در تاجيكستان ادامه دارد.");
    assert_non_null(strstr(json_string_value(json_object_get(o, "section")), "همکاری اقتصادی"));
    assert_int_equal(json_integer_value(json_object_get(o, "line")), 5);
    const char *pid = json_string_value(json_object_get(o, "id"));
    assert_non_null(pid);
    assert_int_equal(strncmp(pid, "notes/tj.fa.md#", 15), 0);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_data),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

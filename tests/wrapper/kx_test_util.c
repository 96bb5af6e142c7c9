/* kx_test_util.c - helpers shared by the wrapper tests (see kx_test_util.h). */
#define _XOPEN_SOURCE 700
#include "kx_test_util.h"

#include <ctype.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Deep enough for any nesting a hand-written case uses. */
#define KXT_MAX_SUBS 16
#define KXT_MAX_HITS 1000

char *kxt_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *kxt_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *templ = kxt_join(base && *base ? base : "/tmp", "kx-test-XXXXXX");
    if (!mkdtemp(templ))
        fail_msg("mkdtemp failed for %s", templ);
    return templ;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void kxt_rmtree(char *dir)
{
    if (!dir)
        return;
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

kx_db_t *kxt_open(const char *path, kx_open_mode_t mode)
{
    kx_db_t *db = NULL;
    char *detail = NULL;
    kx_status_t st = kx_db_open(path, mode, &db, &detail);
    if (st != KX_OK)
        fail_msg("kx_db_open(%s): %s: %s", path, kx_status_to_string(st), detail ? detail : "");
    kx_free(detail);
    return db;
}

unsigned kxt_add_words(kx_db_t *db, const char *name, const char *words)
{
    kx_doc_t *doc = NULL;
    assert_int_equal(kx_doc_new(&doc), KX_OK);
    char idterm[KX_MAX_TERM_BYTES];
    snprintf(idterm, sizeof idterm, "Q%s", name);
    assert_int_equal(kx_doc_add_boolean_term(doc, idterm), KX_OK);
    assert_int_equal(kx_doc_set_data(doc, name, strlen(name)), KX_OK);

    char *copy = strdup(words);
    assert_non_null(copy);
    unsigned pos = 1;
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        assert_int_equal(kx_doc_add_posting(doc, w, pos++, 1), KX_OK);
    free(copy);

    unsigned docid = 0;
    kx_status_t st = kx_db_replace_by_term(db, idterm, doc, &docid);
    if (st != KX_OK)
        fail_msg("replace_by_term: %s", kx_db_last_error(db));
    kx_doc_free(doc);
    return docid;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *kxt_hit_names(kx_db_t *db, const kx_query_t *q)
{
    kx_mset_t *ms = NULL;
    kx_status_t st = kx_search(db, q, NULL, 0, KXT_MAX_HITS, &ms);
    if (st != KX_OK)
        fail_msg("kx_search: %s: %s", kx_status_to_string(st), kx_db_last_error(db));
    unsigned n = kx_mset_size(ms);
    char **names = calloc(n ? n : 1, sizeof *names);
    assert_non_null(names);
    size_t total = 2;
    for (unsigned i = 0; i < n; i++) {
        kx_hit_t hit;
        assert_int_equal(kx_mset_hit(ms, i, &hit), KX_OK);
        names[i] = strndup(hit.data, hit.data_len);
        assert_non_null(names[i]);
        total += hit.data_len + 1;
    }
    kx_mset_free(ms);
    qsort(names, n, sizeof *names, cmp_str);
    char *out = malloc(total);
    assert_non_null(out);
    strcpy(out, n ? "" : "-");
    for (unsigned i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, names[i]);
        free(names[i]);
    }
    free(names);
    return out;
}

/* ------------------------------------------------------------------------ */
/* The S-expression reader for query cases                                  */

struct reader {
    const char *p;
};

static void skip_space(struct reader *r)
{
    while (*r->p && isspace((unsigned char)*r->p))
        r->p++;
}

/* The next atom (up to space or parenthesis) copied into buf. */
static int read_atom(struct reader *r, char *buf, size_t cap)
{
    skip_space(r);
    size_t n = 0;
    while (*r->p && !isspace((unsigned char)*r->p) && *r->p != '(' && *r->p != ')') {
        if (n + 1 >= cap)
            return 0;
        buf[n++] = *r->p++;
    }
    buf[n] = '\0';
    return n > 0;
}

static const struct {
    const char *name;
    kx_query_op_t op;
} op_names[] = {
    {"AND", KX_OP_AND},           {"OR", KX_OP_OR},         {"AND_NOT", KX_OP_AND_NOT},
    {"FILTER", KX_OP_FILTER},     {"AND_MAYBE", KX_OP_AND_MAYBE},
    {"PHRASE", KX_OP_PHRASE},     {"NEAR", KX_OP_NEAR},     {"SYNONYM", KX_OP_SYNONYM},
};

static kx_query_t *parse_expr(struct reader *r)
{
    char atom[KX_MAX_TERM_BYTES];
    kx_query_t *q = NULL;
    skip_space(r);
    if (*r->p != '(') {
        if (!read_atom(r, atom, sizeof atom))
            return NULL;
        return kx_query_term(atom, 1, 0, &q) == KX_OK ? q : NULL;
    }
    r->p++;
    if (!read_atom(r, atom, sizeof atom))
        return NULL;
    if (strcmp(atom, "WILDCARD") == 0) {
        if (!read_atom(r, atom, sizeof atom) || kx_query_wildcard(atom, 0, &q) != KX_OK)
            return NULL;
    } else if (strcmp(atom, "RANGE") == 0) {
        char lo[64], hi[64];
        if (!read_atom(r, atom, sizeof atom) || !read_atom(r, lo, sizeof lo) ||
            !read_atom(r, hi, sizeof hi))
            return NULL;
        if (kx_query_value_range((unsigned)strtoul(atom, NULL, 10), lo, hi, &q) != KX_OK)
            return NULL;
    } else {
        size_t k = 0;
        while (k < sizeof op_names / sizeof op_names[0] && strcmp(op_names[k].name, atom) != 0)
            k++;
        if (k == sizeof op_names / sizeof op_names[0])
            return NULL;
        kx_query_op_t op = op_names[k].op;
        unsigned window = 0;
        if (op == KX_OP_PHRASE || op == KX_OP_NEAR) {
            if (!read_atom(r, atom, sizeof atom))
                return NULL;
            window = (unsigned)strtoul(atom, NULL, 10);
        }
        kx_query_t *subs[KXT_MAX_SUBS];
        size_t n = 0;
        int ok = 1;
        for (;;) {
            skip_space(r);
            if (*r->p == ')' || !*r->p)
                break;
            kx_query_t *sub = n < KXT_MAX_SUBS ? parse_expr(r) : NULL;
            if (!sub) {
                ok = 0;
                break;
            }
            subs[n++] = sub;
        }
        if (ok && kx_query_combine(op, subs, n, window, &q) != KX_OK)
            q = NULL;
        for (size_t i = 0; i < n; i++)
            kx_query_free(subs[i]);
        if (!ok)
            return NULL;
    }
    skip_space(r);
    if (*r->p != ')') {
        kx_query_free(q);
        return NULL;
    }
    r->p++;
    return q;
}

kx_query_t *kxt_parse_query(const char *text)
{
    struct reader r = {text};
    kx_query_t *q = parse_expr(&r);
    skip_space(&r);
    if (!q || *r.p) {
        kx_query_free(q);
        fail_msg("cannot parse query case: %s", text);
    }
    return q;
}

void *kxt_open_data(const char *name)
{
    char *path = kxt_join(KX_TEST_DATA_DIR, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    free(path);
    return fp;
}

int kxt_next_line(void *fp, char *buf, size_t cap)
{
    while (fgets(buf, (int)cap, (FILE *)fp)) {
        size_t n = strcspn(buf, "\r\n");
        buf[n] = '\0';
        const char *s = buf;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s && *s != '#')
            return 1;
    }
    return 0;
}

/*
 * glossary_store.c - the glossaries that travel with the index.
 *
 * kavosh-search expands queries across languages from a glossary it reads
 * out of the index (Xapian's remote backend serves no synonyms, so the index
 * has to carry the glossary as data). Each source is kept in its own
 * metadata record, "glossary:" + its path as given: a directory argument's
 * top-level glossary.tsv, or a --dict file converted to TSV. At the end of
 * every run KI_META_GLOSSARY is rebuilt as the concatenation of all records,
 * each preceded by a line "#file NAME" (a comment to the TSV reader), so a
 * glossary edited without touching any text is still picked up, and one
 * removed from its directory disappears from the index.
 */
#include "index.h"
#include "index_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema.h"

/* The search side skips longer lines (KS_GLOSSARY_MAX_LINE in common/glossary.h). */
#define KI_GLOSSARY_MAX_LINE 65536u

static int is_lang_code(const char *s, size_t n, unsigned *which)
{
    static const struct { const char *code; unsigned lang; } codes[] = {
        { "fa", 0 }, { "fas", 0 }, { "per", 0 }, { "ru", 1 }, { "rus", 1 }, { "en", 2 }, { "eng", 2 },
    };
    while (n && (*s == ' ' || *s == '\r')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r')) n--;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strlen(codes[i].code) == n && strncasecmp(s, codes[i].code, n) == 0) {
            *which = codes[i].lang;
            return 1;
        }
    return 0;
}

/* A header names each column's language, each at most once. */
static int valid_header(const char *line, size_t n)
{
    unsigned seen = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && line[i] != '\t')
            continue;
        unsigned lang;
        if (!is_lang_code(line + start, i - start, &lang) || (seen & (1u << lang)))
            return 0;
        seen |= 1u << lang;
        start = i + 1;
    }
    return 1;
}

int ki_tsv_glossary_read(const char *path, char **text_out, size_t *len_out,
                         size_t *entries_out, ki_exit_t *exit_out)
{
    *text_out = NULL;
    *len_out = 0;
    *entries_out = 0;
    char *buf = NULL;
    size_t len = 0;
    if (ki_read_regular(path, &buf, &len) != 0) {
        ki_error("%s: cannot read: %s", path,
                 errno == EINVAL ? "not a regular file" : strerror(errno));
        *exit_out = KI_EXIT_FAILURE;
        return -1;
    }
    if (len > KI_MAX_GLOSSARY_BYTES) {
        ki_error("%s: %zu bytes; a glossary stored in the index may have at most %u",
                 path, len, KI_MAX_GLOSSARY_BYTES);
        free(buf);
        *exit_out = KI_EXIT_FAILURE;
        return -1;
    }
    const unsigned char *u = (const unsigned char *)buf;
    size_t i = 0, lineno = 0, entries = 0;
    int have_header = 0;
    if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        i = 3;
    while (i < len) {
        lineno++;
        size_t start = i;
        while (i < len && buf[i] != '\n') {
            size_t k = ki_utf8_seq(u + i, len - i);
            if (k == 0 || buf[i] == '\0') {
                ki_error("%s:%zu:%zu: %s", path, lineno, i - start + 1,
                         buf[i] == '\0' ? "NUL byte" : "invalid UTF-8");
                free(buf);
                *exit_out = KI_EXIT_FAILURE;
                return -1;
            }
            i += k;
        }
        size_t n = i - start;
        if (i < len)
            i++;
        if (n > KI_GLOSSARY_MAX_LINE)
            ki_warn("%s:%zu: line longer than %u bytes; kavosh-search will skip it",
                    path, lineno, KI_GLOSSARY_MAX_LINE);
        const char *line = buf + start;
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
            k++;
        if (k == n || line[0] == '#')
            continue;
        if (!have_header) {
            if (!valid_header(line, n)) {
                ki_error("%s:%zu: expected a header line naming the columns' languages "
                         "(fa, ru, en separated by tabs)", path, lineno);
                free(buf);
                *exit_out = KI_EXIT_FAILURE;
                return -1;
            }
            have_header = 1;
            continue;
        }
        entries++;
    }
    if (!have_header) {
        ki_error("%s: no header line naming the columns' languages (fa, ru, en)", path);
        free(buf);
        *exit_out = KI_EXIT_FAILURE;
        return -1;
    }
    *text_out = buf;
    *len_out = len;
    *entries_out = entries;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Records                                                                 */

/* Distinct sources kept apart by their content hash; more are left out. */
#define KI_MAX_GLOSSARY_SOURCES 256

typedef struct combine {
    kx_db_t    *db;
    unsigned long long hashes[KI_MAX_GLOSSARY_SOURCES];
    char       *buf;
    size_t      len, cap;
    unsigned    sources;
    int         failed;
    kx_status_t st;
} combine_t;

static int append(combine_t *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *nb = realloc(c->buf, cap);
        if (!nb)
            return -1;
        c->buf = nb;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return 0;
}

static int combine_one(void *ctx, const char *key)
{
    combine_t *c = ctx;
    const char *name = key + strlen(KI_META_GLOSSARY_SOURCE);
    char *text = NULL;
    c->st = kx_db_get_metadata(c->db, key, &text);
    if (c->st != KX_OK)
        return 1;
    size_t n = strlen(text);
    if (n == 0) {
        kx_free(text);
        return 0;
    }
    /* The same glossary reached by two spellings of its directory
     * ("corpus" and "/home/me/corpus") goes in once. */
    unsigned long long h = ki_content_hash(text, n);
    for (unsigned i = 0; i < c->sources; i++)
        if (c->hashes[i] == h) {
            kx_free(text);
            return 0;
        }
    if (c->sources == KI_MAX_GLOSSARY_SOURCES) {
        ki_error("%s: left out of the index's glossary: at most %u glossaries are combined",
                 name, KI_MAX_GLOSSARY_SOURCES);
        c->failed = 1;
        kx_free(text);
        return 0;
    }
    size_t need = strlen("#file \n") + strlen(name) + n + 1;
    if (c->len + need > KI_MAX_GLOSSARY_BYTES) {
        ki_error("%s: left out of the index's glossary: all glossaries together may have at "
                 "most %u bytes", name, KI_MAX_GLOSSARY_BYTES);
        c->failed = 1;
        kx_free(text);
        return 0;
    }
    int bad = append(c, "#file ", 6) || append(c, name, strlen(name)) || append(c, "\n", 1) ||
              append(c, text, n) || (text[n - 1] != '\n' && append(c, "\n", 1));
    kx_free(text);
    if (bad) {
        c->st = KX_NO_MEMORY;
        return 1;
    }
    c->hashes[c->sources++] = h;
    return 0;
}

/* Set key to value unless it holds that already: a glossary of megabytes
 * rewritten on every run would cost the writes for nothing. */
static kx_status_t set_if_changed(kx_db_t *db, const char *key, const char *value)
{
    char *old = NULL;
    kx_status_t st = kx_db_get_metadata(db, key, &old);
    if (st == KX_OK && strcmp(old, value) != 0)
        st = kx_db_set_metadata(db, key, value);
    kx_free(old);
    return st;
}

static kx_status_t set_record(kx_db_t *db, const char *name, const char *text)
{
    size_t n = strlen(KI_META_GLOSSARY_SOURCE) + strlen(name) + 1;
    char *key = malloc(n);
    if (!key)
        return KX_NO_MEMORY;
    snprintf(key, n, "%s%s", KI_META_GLOSSARY_SOURCE, name);
    kx_status_t st = set_if_changed(db, key, text);
    free(key);
    return st;
}

static int has_record(kx_db_t *db, const char *name)
{
    size_t n = strlen(KI_META_GLOSSARY_SOURCE) + strlen(name) + 1;
    char *key = malloc(n), *v = NULL;
    if (!key)
        return 0;
    snprintf(key, n, "%s%s", KI_META_GLOSSARY_SOURCE, name);
    int has = kx_db_get_metadata(db, key, &v) == KX_OK && v && *v;
    kx_free(v);
    free(key);
    return has;
}

static void db_error(kx_db_t *db, const char *what, kx_status_t st, ki_exit_t *ex)
{
    const char *d = kx_db_last_error(db);
    ki_error("%s: cannot write to the index: %s%s%s", what, kx_status_to_string(st),
             *d ? ": " : "", d);
    ki_exit_t e = ki_exit_for_status(st);
    if (e != KI_EXIT_INDEX && e != KI_EXIT_WRITE)
        e = KI_EXIT_FAILURE;
    if (*ex == KI_EXIT_OK || (e == KI_EXIT_INDEX && *ex != KI_EXIT_WRITE) || e == KI_EXIT_WRITE)
        *ex = e;
}

/* Store one source; returns 0 if it went in. */
static int store_source(kx_db_t *db, const char *path, const char *name, int dictd,
                        const ki_options_t *opt, ki_progress_t *pr, ki_summary_t *sum,
                        ki_exit_t *ex)
{
    char *text = NULL;
    size_t len = 0, entries = 0;
    ki_exit_t e = KI_EXIT_OK;
    ki_progress_clear(pr);
    int rc = dictd ? ki_dictd_to_tsv(path, opt->dict_langs, &text, &len, &entries, &e)
                   : ki_tsv_glossary_read(path, &text, &len, &entries, &e);
    if (rc != 0) {
        if (*ex == KI_EXIT_OK || e == KI_EXIT_INDEX)
            *ex = e;
        return -1;
    }
    kx_status_t st = set_record(db, name, text);
    free(text);
    if (st != KX_OK) {
        db_error(db, path, st, ex);
        return -1;
    }
    sum->glossaries++;
    sum->glossary_entries += entries;
    if (opt->verbose)
        ki_note("%s: glossary, %zu entries", path, entries);
    return 0;
}

ki_exit_t ki_store_glossaries(kx_db_t *db, const ki_filelist_t *list, const ki_options_t *opt,
                              ki_progress_t *pr, ki_summary_t *sum)
{
    ki_exit_t ex = KI_EXIT_OK;
    kx_status_t st = kx_db_begin_transaction(db);
    if (st != KX_OK) {
        db_error(db, "glossary", st, &ex);
        return ex;
    }
    for (size_t i = 0; i < list->n_roots; i++) {
        const ki_root_t *root = &list->roots[i];
        if (root->glossary) {
            store_source(db, root->glossary, root->glossary_name ? root->glossary_name
                                                                 : root->glossary,
                         0, opt, pr, sum, &ex);
            continue;
        }
        /* A glossary that was in the directory before and is gone now. */
        const char *rn = root->target ? root->target->name : root->path;
        size_t n = strlen(rn) + sizeof "/glossary.tsv";
        char *name = malloc(n);
        if (!name)
            continue;
        snprintf(name, n, "%s%sglossary.tsv", rn, *rn ? "/" : "");
        if (has_record(db, name)) {
            st = set_record(db, name, "");
            if (st != KX_OK)
                db_error(db, name, st, &ex);
            else if (opt->verbose) {
                ki_progress_clear(pr);
                ki_note("%s: glossary gone, removed from the index", name);
            }
        }
        free(name);
    }
    for (size_t i = 0; i < opt->n_dicts; i++)
        store_source(db, opt->dicts[i], opt->dicts[i], ki_is_dictd(opt->dicts[i]), opt, pr, sum,
                     &ex);

    combine_t c = { .db = db };
    st = kx_db_metadata_keys(db, KI_META_GLOSSARY_SOURCE, combine_one, &c);
    if (st == KX_OK)
        st = c.st;
    if (st == KX_OK)
        st = set_if_changed(db, KI_META_GLOSSARY, c.buf ? c.buf : "");
    if (st == KX_OK)
        st = kx_db_commit_transaction(db);
    else
        kx_db_cancel_transaction(db);
    if (st != KX_OK)
        db_error(db, "glossary", st, &ex);
    else
        sum->glossary_bytes = c.len;
    if (c.failed && ex == KI_EXIT_OK)
        ex = KI_EXIT_FAILURE;
    free(c.buf);
    return ex;
}

/*
 * glossary_store.c - the glossaries that travel with the index.
 *
 * kavosh-search expands queries across languages from a glossary it reads
 * out of the index (Xapian's remote backend serves no synonyms, so the index
 * has to carry the glossary as data). Each source is kept in its own
 * metadata record, "glossary:" + its path as given: a directory argument's
 * top-level glossary.tsv, or a --dict file converted to TSV. At the end of
 * every run all records are combined, each preceded by a line "#file NAME"
 * (a comment to the TSV reader), and the combination is analysed into what
 * kavosh-search reads (store_analysed) when it changed, so a glossary edited
 * without touching any text is still picked up, and one removed from its
 * directory disappears from the index. The combined text itself is not
 * stored (KI_META_GLOSSARY is emptied): the records hold it already.
 */
#include "index.h"
#include "strbuf.h"
#include "index_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gazetteer.h"
#include "glossary.h"
#include "schema.h"

#include <unicode/uversion.h>

/* The search side skips longer lines (KS_GLOSSARY_MAX_LINE in common/glossary.h). */
#define KI_GLOSSARY_MAX_LINE 65536u

static int is_lang_code(const char *s, size_t n, unsigned *which)
{
    while (n && (*s == ' ' || *s == '\r')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r')) n--;
    int lang = ks_glossary_lang_from_code(s, n);
    if (lang < 0)
        return 0;
    *which = (unsigned)lang;
    return 1;
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

/* ---------------------------------------------------------------------- */
/* The default lexicon                                                     */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.tsv files of dir, sorted (so the combined glossary does not depend
 * on the order readdir gives). Returns how many; *out is malloc'd. */
static size_t lexicon_files(const char *dir, char ***out)
{
    *out = NULL;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return 0;
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 5 || e->d_name[0] == '.' || strcmp(e->d_name + l - 4, ".tsv") != 0)
            continue;
        char **nv = kd_vec_grow(v, &cap, n + 1, sizeof *nv, 16);
        if (!nv)
            break;
        v = nv;
        if ((v[n] = strdup(e->d_name)) != NULL)
            n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, cmp_name);
    *out = v;
    return n;
}

typedef struct stale {
    kx_db_t    *db;
    char      **keep;           /* record names still in the lexicon */
    size_t      n_keep;
    char      **drop;           /* keys to blank */
    size_t      n_drop, cap_drop;
} stale_t;

static int find_stale(void *ctx, const char *key)
{
    stale_t *s = ctx;
    const char *name = key + strlen(KI_META_GLOSSARY_SOURCE);
    for (size_t i = 0; i < s->n_keep; i++)
        if (strcmp(s->keep[i], name) == 0)
            return 0;
    char **nv = kd_vec_grow(s->drop, &s->cap_drop, s->n_drop + 1, sizeof *nv, 8);
    if (!nv)
        return 0;
    s->drop = nv;
    if ((s->drop[s->n_drop] = strdup(key)) != NULL)
        s->n_drop++;
    return 0;
}

/* Store the default lexicon's files as records named KI_LEXICON_RECORD +
 * file name, and blank the records of lexicon files that are gone (or all of
 * them with --no-lexicon, when opt->lexicon is NULL). */
static void store_lexicon(kx_db_t *db, const ki_options_t *opt, ki_progress_t *pr,
                          ki_summary_t *sum, ki_exit_t *ex)
{
    char **files = NULL;
    size_t n = lexicon_files(opt->lexicon, &files);
    stale_t s = { .db = db };
    s.keep = calloc(n ? n : 1, sizeof *s.keep);
    for (size_t i = 0; s.keep && i < n; i++) {
        size_t pl = strlen(opt->lexicon) + strlen(files[i]) + 2;
        size_t nl = strlen(KI_LEXICON_RECORD) + strlen(files[i]) + 1;
        char *path = malloc(pl), *name = malloc(nl);
        if (path && name) {
            snprintf(path, pl, "%s/%s", opt->lexicon, files[i]);
            snprintf(name, nl, "%s%s", KI_LEXICON_RECORD, files[i]);
            ki_options_t quiet = *opt;
            quiet.verbose = 0;
            ki_summary_t ignore = { 0 };
            if (store_source(db, path, name, 0, &quiet, pr, &ignore, ex) == 0) {
                s.keep[s.n_keep++] = name;
                name = NULL;
                sum->lexicon_entries += ignore.glossary_entries;
            }
        }
        free(path);
        free(name);
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s%s", KI_META_GLOSSARY_SOURCE, KI_LEXICON_RECORD);
    kx_db_metadata_keys(db, prefix, find_stale, &s);
    for (size_t i = 0; i < s.n_drop; i++) {
        kx_status_t st = kx_db_set_metadata(db, s.drop[i], "");
        if (st != KX_OK)
            db_error(db, s.drop[i], st, ex);
        free(s.drop[i]);
    }
    for (size_t i = 0; i < s.n_keep; i++)
        free(s.keep[i]);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(s.keep);
    free(s.drop);
    free(files);
}

/* The diagnostics of the combined glossary were given when each source was
 * stored; here they are only counted. */
static void count_diag(void *ctx, const char *source, size_t line, const char *message)
{
    (void)source;
    (void)line;
    (void)message;
    (*(size_t *)ctx)++;
}

/* The lookup tables (KI_META_GLOSSARY_KEY / KI_META_GLOSSARY_CONCEPT): each
 * concept's record, and for every first term and first stem of a variant
 * the concepts having it, so that kavosh-search reads only the concepts a
 * query can reach instead of loading the whole glossary. */
typedef struct lookup_key {
    char  *key;                 /* KI_META_GLOSSARY_KEY + kind letter + term */
    size_t concept;
} lookup_key_t;

static int cmp_lookup(const void *a, const void *b)
{
    const lookup_key_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->concept > y->concept) - (x->concept < y->concept);
}

typedef struct key_list {
    char  **v;
    size_t  n, cap;
} key_list_t;

static int collect_key(void *ctx, const char *key)
{
    key_list_t *l = ctx;
    char **nv = kd_vec_grow(l->v, &l->cap, l->n + 1, sizeof *nv, 256);
    if (!nv)
        return 1;
    l->v = nv;
    return (l->v[l->n] = strdup(key)) != NULL ? (l->n++, 0) : 1;
}

static kx_status_t clear_prefix(kx_db_t *db, const char *prefix)
{
    key_list_t l = { 0 };
    kx_status_t st = kx_db_metadata_keys(db, prefix, collect_key, &l);
    for (size_t i = 0; i < l.n; i++) {
        if (st == KX_OK)
            st = kx_db_set_metadata(db, l.v[i], "");
        free(l.v[i]);
    }
    free(l.v);
    return st;
}

/* *stored: 1 when the tables were written (KI_META_GLOSSARY_LOOKUP "1"). */
static kx_status_t store_lookup(kx_db_t *db, const ks_glossary_t *g, int *stored)
{
    *stored = 0;
    kx_status_t st = clear_prefix(db, KI_META_GLOSSARY_KEY);
    if (st == KX_OK)
        st = clear_prefix(db, KI_META_GLOSSARY_CONCEPT);
    if (st == KX_OK)
        st = kx_db_set_metadata(db, KI_META_GLOSSARY_LOOKUP, "");
    if (st != KX_OK)
        return st;
    size_t nc = ks_glossary_concept_count(g), nk = 0, cap = 0;
    lookup_key_t *keys = NULL;
    int too_long = 0;
    char name[64];
    for (size_t c = 0; c < nc && st == KX_OK && !too_long; c++) {
        char *rec = NULL;
        if (ks_glossary_concept_to_analysed(g, c, &rec, NULL) != KS_GLOSSARY_OK) {
            st = KX_NO_MEMORY;
            break;
        }
        snprintf(name, sizeof name, "%s%zu", KI_META_GLOSSARY_CONCEPT, c);
        if (*rec)
            st = kx_db_set_metadata(db, name, rec);
        free(rec);
        for (size_t i = 0; i < ks_glossary_concept_size(g, c) && st == KX_OK; i++) {
            ks_glossary_variant_t v;
            if (ks_glossary_variant(g, c, i, &v) != KS_GLOSSARY_OK)
                continue;
            for (int kind = 0; kind < 2; kind++) {
                const char *t = kind ? v.stems[0] : v.terms[0];
                if (!t)
                    continue;
                size_t n = strlen(KI_META_GLOSSARY_KEY) + 1 + strlen(t) + 1;
                if (n > KI_GLOSSARY_MAX_KEY) {
                    too_long = 1;             /* Xapian keeps no such key: no tables */
                    break;
                }
                lookup_key_t *nv = kd_vec_grow(keys, &cap, nk + 1, sizeof *nv, 1024);
                if (!nv) {
                    st = KX_NO_MEMORY;
                    break;
                }
                keys = nv;
                char *k = malloc(n);
                if (!k) {
                    st = KX_NO_MEMORY;
                    break;
                }
                snprintf(k, n, "%s%c%s", KI_META_GLOSSARY_KEY, kind ? 'S' : 'E', t);
                keys[nk].key = k;
                keys[nk].concept = c;
                nk++;
            }
        }
    }
    if (nk)
        qsort(keys, nk, sizeof *keys, cmp_lookup);
    char *val = NULL;
    size_t vcap = 0;
    for (size_t i = 0; i < nk && st == KX_OK && !too_long;) {
        size_t j = i, len = 0;
        for (; j < nk && strcmp(keys[j].key, keys[i].key) == 0; j++) {
            if (j > i && keys[j].concept == keys[j - 1].concept)
                continue;
            if (len + 24 > vcap) {
                size_t ncap = vcap ? vcap * 2 : 256;
                while (ncap < len + 24)
                    ncap *= 2;
                char *nv = realloc(val, ncap);
                if (!nv) {
                    st = KX_NO_MEMORY;
                    break;
                }
                val = nv;
                vcap = ncap;
            }
            len += (size_t)snprintf(val + len, vcap - len, "%s%zu", len ? " " : "", keys[j].concept);
        }
        if (st == KX_OK)
            st = kx_db_set_metadata(db, keys[i].key, val);
        i = j;
    }
    for (size_t i = 0; i < nk; i++)
        free(keys[i].key);
    free(keys);
    free(val);
    if (st == KX_OK && !too_long && nc) {
        st = kx_db_set_metadata(db, KI_META_GLOSSARY_LOOKUP, "1");
        *stored = st == KX_OK;
    }
    return st;
}

/* The glossary kavosh-search loads, pre-analysed: the combined TSV text
 * and, with the default lexicon, ICU's gazetteer, as lookup tables, or
 * where those cannot be written as one record (KI_META_GLOSSARY_ANALYSED).
 * Rebuilt only when what it is made of changed (its stamp: the TSV's hash,
 * the gazetteer's ICU version, the schema version). */
static kx_status_t store_analysed(kx_db_t *db, ka_analyzer_t *an, const char *tsv, size_t len,
                                  int gazetteer, ki_summary_t *sum)
{
    char stamp[128];
    snprintf(stamp, sizeof stamp, "%016llx %s %s %s", ki_content_hash(tsv, len),
             gazetteer ? "icu" : "-", gazetteer ? U_ICU_VERSION : "-", KI_SCHEMA_VERSION);
    char *old = NULL;
    kx_status_t st = kx_db_get_metadata(db, KI_META_GLOSSARY_STAMP, &old);
    int same = st == KX_OK && old && strcmp(old, stamp) == 0;
    kx_free(old);
    if (st != KX_OK || same)
        return st;
    ks_glossary_t *g = NULL;
    size_t problems = 0;
    ks_glossary_status_t gs = ks_glossary_new(&g);
    if (gs == KS_GLOSSARY_OK && len)
        gs = ks_glossary_add_tsv(g, an, "index glossary", tsv, len, count_diag, &problems, NULL);
    ki_gazetteer_report_t rep = { 0 };
    if (gs == KS_GLOSSARY_OK && gazetteer)
        gs = ki_gazetteer_add(g, an, &rep);
    char *text = NULL;
    int tables = 0;
    if (gs == KS_GLOSSARY_OK) {
        /* kavosh-search reads the lookup tables when there are any, and
         * the whole analysed glossary only when there are none (a key too
         * long for Xapian): the concepts are stored once, not twice. */
        st = store_lookup(db, g, &tables);
        if (st == KX_OK && !tables)
            gs = ks_glossary_to_analysed(g, &text, NULL);
    }
    if (st == KX_OK && gs == KS_GLOSSARY_OK) {
        sum->gazetteer_concepts = rep.countries + rep.languages + rep.scripts + rep.cities;
        st = kx_db_set_metadata(db, KI_META_GLOSSARY_ANALYSED,
                                text && ks_glossary_concept_count(g) ? text : "");
        if (st == KX_OK)
            st = kx_db_set_metadata(db, KI_META_GLOSSARY_STAMP, stamp);
    } else if (st == KX_OK) {
        ki_error("glossary: cannot analyse it: %s", ks_glossary_status_to_string(gs));
        st = gs == KS_GLOSSARY_ERR_NOMEM ? KX_NO_MEMORY : KX_INTERNAL_ERROR;
    }
    free(text);
    ks_glossary_free(g);
    return st;
}

ki_exit_t ki_store_glossaries(kx_db_t *db, ka_analyzer_t *an, const ki_filelist_t *list,
                              const ki_options_t *opt, ki_progress_t *pr, ki_summary_t *sum)
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
    store_lexicon(db, opt, pr, sum, &ex);

    combine_t c = { .db = db };
    st = kx_db_metadata_keys(db, KI_META_GLOSSARY_SOURCE, combine_one, &c);
    if (st == KX_OK)
        st = c.st;
    if (st == KX_OK)
        st = set_if_changed(db, KI_META_GLOSSARY, "");
    if (st == KX_OK && an)
        st = store_analysed(db, an, c.buf ? c.buf : "", c.len, opt->lexicon != NULL, sum);
    if (st == KX_OK && opt->verbose && opt->lexicon) {
        ki_progress_clear(pr);
        if (sum->gazetteer_concepts)
            ki_note("%s: default lexicon, %zu entries; the glossary analysed anew, with %zu "
                    "concepts of ICU's names", opt->lexicon, sum->lexicon_entries,
                    sum->gazetteer_concepts);
        else
            ki_note("%s: default lexicon, %zu entries", opt->lexicon, sum->lexicon_entries);
    }
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

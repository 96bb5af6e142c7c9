/*
 * inventory.c - what an index holds: kavosh-index --list (the files, from
 * their "file:" records) and --stats (counts read from the terms, records
 * and the files of the database directory).
 */
#include "index.h"
#include "index_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"

/* ---------------------------------------------------------------------- */
/* --list                                                                  */

typedef struct lister {
    kx_db_t      *db;
    FILE         *out;
    ki_rootmap_t *roots;
    kx_status_t   st;
} lister_t;

/* s escaped for a tab-separated line: TAB, newline and backslash as \\t,
 * \\n and \\\\, other control characters as ki_put_safe shows them. */
static void put_field(FILE *out, const char *s)
{
    ki_put_safe(out, s, strlen(s), KI_SAFE_NAMES | KI_SAFE_BACKSLASH);
}

static int list_one(void *ctx, const char *key)
{
    lister_t *l = ctx;
    char *rec = NULL;
    l->st = kx_db_get_metadata(l->db, key, &rec);
    if (l->st != KX_OK)
        return 1;
    /* An empty record is a file that was deleted. */
    if (*rec) {
        const char *name = key + strlen(KI_META_FILE);
        char hash[32] = "";
        unsigned long long bytes = 0;
        unsigned long passages = 0;
        int used = 0;
        if (sscanf(rec, "%31s %llu %lu %n", hash, &bytes, &passages, &used) >= 3) {
            const char *owner = used > 0 ? rec + used : "";
            char *where = ki_rootmap_path(l->roots, owner, name);
            put_field(l->out, name);
            fprintf(l->out, "\t%lu\t%llu\t%s\t", passages, bytes, hash);
            put_field(l->out, where ? where : name);
            fputc('\n', l->out);
            free(where);
        } else {
            ki_warn("%s: malformed record in the index: '%s'", name, rec);
        }
    }
    kx_free(rec);
    return 0;
}

ki_exit_t ki_list(kx_db_t *db, FILE *out)
{
    lister_t l = { .db = db, .out = out };
    kx_status_t st = ki_rootmap_load(db, &l.roots);
    if (st == KX_OK)
        st = kx_db_metadata_keys(db, KI_META_FILE, list_one, &l);
    if (st == KX_OK)
        st = l.st;
    ki_rootmap_free(l.roots);
    if (st != KX_OK) {
        const char *d = kx_db_last_error(db);
        ki_error("cannot read the index: %s%s%s", kx_status_to_string(st), *d ? ": " : "", d);
        return ki_exit_for_status(st);
    }
    return KI_EXIT_OK;
}

/* ---------------------------------------------------------------------- */
/* --stats                                                                 */

typedef struct term_counts {
    unsigned long long all, words, stems, filters;
} term_counts_t;

static int count_term(void *ctx, const char *term, size_t len, unsigned freq)
{
    (void)freq;
    term_counts_t *c = ctx;
    c->all++;
    /* Xapian's convention: a prefix is upper-case ASCII; the analyzer's
     * terms are case-folded, so a term starting with A-Z is prefixed. */
    if (len == 0 || term[0] < 'A' || term[0] > 'Z')
        c->words++;
    else if (term[0] == 'Z')
        c->stems++;
    else
        c->filters++;
    return 0;
}

/* One "  fa   86" line per language term: the passages of that language. */
static int print_lang(void *ctx, const char *term, size_t len, unsigned freq)
{
    size_t p = strlen(KI_PREFIX_LANG);
    if (len > p)
        fprintf((FILE *)ctx, "  %-20s %u\n", term + p, freq);
    return 0;
}

typedef struct record_counts {
    kx_db_t           *db;
    unsigned           records;
    unsigned long long passages;
    unsigned long long bytes;
    kx_status_t        st;
} record_counts_t;

static int count_file(void *ctx, const char *key)
{
    record_counts_t *rc = ctx;
    char *rec = NULL;
    rc->st = kx_db_get_metadata(rc->db, key, &rec);
    if (rc->st != KX_OK)
        return 1;
    unsigned long long bytes = 0;
    unsigned long passages = 0;
    char hash[32];
    if (*rec && sscanf(rec, "%31s %llu %lu", hash, &bytes, &passages) == 3) {
        rc->records++;
        rc->bytes += bytes;
        rc->passages += passages;
    }
    kx_free(rec);
    return 0;
}

static int count_glossary(void *ctx, const char *key)
{
    record_counts_t *rc = ctx;
    char *v = NULL;
    rc->st = kx_db_get_metadata(rc->db, key, &v);
    if (rc->st != KX_OK)
        return 1;
    if (*v) {
        rc->records++;
        rc->bytes += strlen(v);
    }
    kx_free(v);
    return 0;
}

/* Sum of the sizes of the regular files in dir (a Xapian glass database is
 * one flat directory). Returns -1 if dir cannot be read. */
static long long dir_size(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p)
            break;
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            total += (long long)sb.st_size;
        free(p);
    }
    closedir(d);
    return total;
}

ki_exit_t ki_stats(kx_db_t *db, const char *db_path, FILE *out)
{
    kx_db_stats_t ds;
    term_counts_t tc = { 0 };
    record_counts_t files = { .db = db }, gloss = { .db = db };
    unsigned biblio = 0;
    char *schema = NULL;

    kx_status_t st = kx_db_stats(db, &ds);
    if (st == KX_OK)
        st = kx_db_get_metadata(db, KI_SCHEMA_KEY, &schema);
    if (st == KX_OK)
        st = kx_db_metadata_keys(db, KI_META_FILE, count_file, &files);
    if (st == KX_OK)
        st = files.st;
    if (st == KX_OK)
        st = kx_db_metadata_keys(db, KI_META_GLOSSARY_SOURCE, count_glossary, &gloss);
    if (st == KX_OK)
        st = gloss.st;
    if (st == KX_OK)
        st = kx_db_term_freq(db, KI_PREFIX_KIND "biblio", &biblio);
    if (st == KX_OK)
        st = kx_db_all_terms(db, "", count_term, &tc);
    if (st == KX_OK) {
        fprintf(out, "%-22s %s (schema %s)\n", "index:", db_path, schema);
        fprintf(out, "%-22s %u (%llu bytes)\n", "files:", files.records, files.bytes);
        fprintf(out, "%-22s %u\n", "passages:", ds.doc_count);
        fprintf(out, "passages by language:\n");
        st = kx_db_all_terms(db, KI_PREFIX_LANG, print_lang, out);
    }
    if (st != KX_OK) {
        const char *d = kx_db_last_error(db);
        ki_error("cannot read the index: %s%s%s", kx_status_to_string(st), *d ? ": " : "", d);
        kx_free(schema);
        return ki_exit_for_status(st);
    }
    fprintf(out, "%-22s %u\n", "bibliography entries:", biblio);
    fprintf(out, "%-22s %.1f terms\n", "average passage:", ds.avg_length);
    fprintf(out, "%-22s %llu (all distinct terms: %llu words, %llu stems, %llu filter terms)\n",
            "terms:", tc.all, tc.words, tc.stems, tc.filters);
    fprintf(out, "%-22s %u source%s, %llu bytes\n", "glossary:", gloss.records,
            gloss.records == 1 ? "" : "s", gloss.bytes);
    long long size = dir_size(db_path);
    if (size >= 0)
        fprintf(out, "%-22s %lld bytes (%.1f MB)\n", "size on disk:", size, (double)size / 1e6);
    else
        fprintf(out, "%-22s unknown (%s)\n", "size on disk:", strerror(errno));
    if (files.passages != ds.doc_count)
        ki_warn("the file records count %llu passages but the index holds %u; "
                "kavosh-index --rebuild would make them agree", files.passages, ds.doc_count);
    kx_free(schema);
    return KI_EXIT_OK;
}

/*
 * index.c - files to passage documents: change detection, one transaction
 * per file, deletion of vanished files, and the run that ties collecting,
 * indexing and glossaries together. The Xapian document of a passage is
 * passage_doc.c's, the kavosh-source header sources.c's.
 */
#include "index.h"
#include "strbuf.h"
#include "index_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "glosses.h"
#include "schema.h"

/* The hash that decides whether a file is unchanged: its content's, with
 * the bibliography entry it is the full text of folded in, so that editing
 * only its sources.tsv line re-indexes it. The separator cannot occur in a
 * checked entry id. */
static unsigned long long record_hash(const char *buf, size_t len, const char *of_source)
{
    unsigned long long h = ki_content_hash(buf, len);
    if (of_source) {
        h = ki_content_hash_more(h, "\0kavosh-source\0", 15);
        h = ki_content_hash_more(h, of_source, strlen(of_source));
    }
    return h;
}

/* ---------------------------------------------------------------------- */
/* Files                                                                   */

typedef struct run {
    kx_db_t            *db;
    ka_analyzer_t      *an;
    ka_translit_t      *tl;        /* transliteration of words, with its cache */
    unsigned long       uncommitted; /* passages written since the last commit */
    const ki_options_t *opt;
    ki_summary_t       *sum;
    ki_exit_t           exit;        /* worst exit so far */
    int                 stopped;     /* a write was refused (disk full, I/O error): stop */
    char                detail[512]; /* Xapian's detail of a failed write, kept across the cancel */
    ki_progress_t       progress;
    unsigned            files_done;  /* for the progress line: indexed, unchanged or failed */
    unsigned long long  bytes_done;  /* for the progress line: bytes of the files done */
    int                 defer_claims; /* a worker: leave full texts of cited works to the merge */
    atomic_ulong       *shared_passages; /* a worker: passages written, for the main progress line */
} run_t;

/* What became of one file of the run, for checking the entries that full
 * texts of cited works name once every file is in. */
typedef enum file_outcome {
    FILE_FAILED = 0,
    FILE_UNCHANGED,
    FILE_WRITTEN,
    FILE_DEFERRED    /* a worker left it to the serial part of the run */
} file_outcome_t;

typedef struct file_state {
    file_outcome_t outcome;
    char          *entry;        /* the entry it is the full text of (owned), or NULL */
    int            from_header;  /* entry came from its kavosh-source header, not sources.tsv */
    size_t         passages;     /* FILE_WRITTEN: what the summary counted */
    size_t         bytes;
    int            resolved;     /* entry is the id found in the index: keep it */
} file_state_t;

static void note_failure(run_t *r, ki_exit_t e)
{
    if (r->exit == KI_EXIT_WRITE)
        return;
    if (r->exit == KI_EXIT_OK || e == KI_EXIT_WRITE ||
        (e == KI_EXIT_INDEX && r->exit != KI_EXIT_INDEX))
        r->exit = e;
}

static void report_kx(run_t *r, const char *path, kx_status_t st)
{
    const char *d = r->detail[0] ? r->detail : kx_db_last_error(r->db);
    ki_progress_clear(&r->progress);
    if (st == KX_WRITE_FAILED) {
        /* Nothing more can be written: say why once, and stop. */
        if (!r->stopped)
            ki_error("%s: cannot write to the index: %s%s; stopping", path,
                     *d ? "" : kx_status_to_string(st), d);
        r->stopped = 1;
        r->sum->write_failed = 1;
        note_failure(r, KI_EXIT_WRITE);
        r->detail[0] = '\0';
        return;
    }
    ki_error("%s: cannot write to the index: %s%s%s", path, kx_status_to_string(st),
             *d ? ": " : "", d);
    note_failure(r, ki_exit_for_status(st) == KI_EXIT_INDEX ? KI_EXIT_INDEX : KI_EXIT_FAILURE);
    r->detail[0] = '\0';
}

/* "PREFIX" + s into buf, or -1 if it does not fit a Xapian term or key. */
static int prefixed(char *buf, size_t cap, const char *prefix, const char *s)
{
    int n = snprintf(buf, cap, "%s%s", prefix, s);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Write every passage of doc in one transaction, replacing what the file had. */
/* Set the glossary harvested from document name ("" deletes it). */
static kx_status_t set_harvest(kx_db_t *db, const char *name, const char *text)
{
    char key[4096];
    int n = snprintf(key, sizeof key, "%s%s%s", KI_META_GLOSSARY_SOURCE, name, KI_GLOSSES_SUFFIX);
    if (n < 0 || (size_t)n >= sizeof key)
        return KX_INVALID_ARGUMENT;
    return kx_db_set_metadata(db, key, text);
}

static kx_status_t write_document(run_t *r, const kd_document_t *doc, const char *record,
                                  const char *of_source)
{
    char key[4096];
    char fterm[KX_MAX_TERM_BYTES];
    if (prefixed(key, sizeof key, KI_META_FILE, doc->name) != 0 ||
        prefixed(fterm, sizeof fterm, KI_PREFIX_FILE, doc->name) != 0)
        return KX_INVALID_ARGUMENT;

    /* An unflushed transaction: the file's old passages go and its new ones
     * come as one unit, but the commit (an fsync) is shared by many files. */
    kx_status_t st = kx_db_begin_group(r->db);
    if (st != KX_OK)
        return st;
    st = kx_db_delete_by_term(r->db, fterm);
    /* Every passage of the file was just deleted, and passage ids name their
     * file, so a plain add is enough: replacing by the id term would make
     * Xapian look each one up for nothing. */
    for (size_t i = 0; st == KX_OK && i < doc->n_passages; i++) {
        kx_doc_t *xd = NULL;
        st = ki_passage_document(r->an, r->tl, doc, i, of_source, &xd);
        if (st == KX_OK)
            st = kx_db_add_document(r->db, xd, NULL);
        kx_doc_free(xd);
        ki_progress_update(&r->progress, r->files_done, r->sum->passages + i + 1,
                           r->bytes_done, 0);
        if (r->shared_passages)
            atomic_fetch_add_explicit(r->shared_passages, 1, memory_order_relaxed);
    }
    if (st == KX_OK)
        st = kx_db_set_metadata(r->db, key, record);
    /* The file's footnote glosses become a glossary of the index, replaced
     * with the file; ki_store_glossaries combines it with the others. */
    if (st == KX_OK) {
        int none = 0;
        char *harvest = ki_harvest_glosses(r->an, doc, &none);
        if (!harvest && !none)
            st = KX_NO_MEMORY;
        else
            st = set_harvest(r->db, doc->name, harvest ? harvest : "");
        free(harvest);
    }
    if (st == KX_OK)
        st = kx_db_commit_transaction(r->db);
    if (st == KX_OK)
        return st;
    snprintf(r->detail, sizeof r->detail, "%s", kx_db_last_error(r->db));
    kx_db_cancel_transaction(r->db);
    return st;
}

/* ---------------------------------------------------------------------- */
/* One file                                                                */

/* Whether a bibliography entry called id is in the index. */
static int entry_exists(run_t *r, const char *id)
{
    char term[KX_MAX_TERM_BYTES];
    unsigned freq = 0;
    return prefixed(term, sizeof term, KI_PREFIX_SOURCE, id) == 0 &&
           kx_db_term_freq(r->db, term, &freq) == KX_OK && freq > 0;
}

/* The entry a full text named by name means by id: documents are named by
 * their path as given ("papers/article.md"), but a sources.tsv line or a
 * header names the article as its folder sees it ("article.md#ref-3"). The
 * id as written if the index has it, else the id below the nearest folder
 * of name that makes it one (so "article.md#ref-3" in papers/texts/x.md is
 * papers/texts/article.md#ref-3 or papers/article.md#ref-3). malloc'd, or
 * NULL if none is in the index (yet). */
static char *resolve_entry(run_t *r, const char *name, const char *id)
{
    if (entry_exists(r, id))
        return strdup(id);
    size_t nl = strlen(name), il = strlen(id);
    char *cand = malloc(nl + il + 2);
    if (!cand)
        return NULL;
    for (size_t end = nl; end > 0; end--) {
        if (name[end - 1] != '/')
            continue;
        memcpy(cand, name, end);
        memcpy(cand + end, id, il + 1);
        if (entry_exists(r, cand))
            return cand;
    }
    free(cand);
    return NULL;
}

/* Whether the file should name the entry it claims to be the text of: not
 * when re-indexing it because that entry is not in the index. */
typedef enum claim_mode {
    CLAIM_SOURCE = 0,
    CLAIM_NONE
} claim_mode_t;

static void index_file(run_t *r, const ki_entry_t *e, file_state_t *fs, claim_mode_t mode)
{
    const char *path = e->path, *name = e->name;
    r->sum->files_seen++;
    fs->outcome = FILE_FAILED;
    char *buf = NULL;
    size_t len = 0;
    if (ki_read_regular(path, &buf, &len) != 0) {
        ki_progress_clear(&r->progress);
        ki_error("%s: cannot read: %s", path, strerror(errno));
        r->sum->files_failed++;
        note_failure(r, KI_EXIT_FAILURE);
        return;
    }

    /* Which entry the file is the full text of: its sources.tsv line, else
     * its header. The header line is blanked (same length, so offsets and
     * line numbers stay) before parsing: it is the indexer's, not the text's. */
    const char *hdr = NULL;
    size_t hdr_len = 0, line_len = 0;
    ki_header_kind_t hk = ki_source_header(buf, len, &hdr, &hdr_len, &line_len);
    if (r->defer_claims && mode == CLAIM_SOURCE && (e->of_source || hk == KI_HEADER_OK)) {
        /* Its entry is looked up in the whole index: after the merge. */
        r->sum->files_seen--;
        fs->outcome = FILE_DEFERRED;
        free(buf);
        return;
    }
    if (mode == CLAIM_SOURCE && !fs->entry) {
        if (e->of_source) {
            fs->entry = strdup(e->of_source);
            fs->from_header = 0;
            if (hk == KI_HEADER_OK && !r->opt->quiet &&
                (strlen(e->of_source) != hdr_len || memcmp(e->of_source, hdr, hdr_len) != 0)) {
                ki_progress_clear(&r->progress);
                ki_warn("%s:1: the kavosh-source header names %.*s, but %s names %s; %s is used",
                        path, (int)hdr_len, hdr, e->source_at, e->of_source, e->of_source);
            }
        } else if (hk == KI_HEADER_OK) {
            fs->entry = strndup(hdr, hdr_len);
            fs->from_header = 1;
        }
        if ((e->of_source || hk == KI_HEADER_OK) && !fs->entry) {
            ki_progress_clear(&r->progress);
            ki_error("%s: out of memory", path);
            r->sum->files_failed++;
            note_failure(r, KI_EXIT_FAILURE);
            free(buf);
            return;
        }
    }
    if (hk == KI_HEADER_MALFORMED && mode == CLAIM_SOURCE && !r->opt->quiet) {
        ki_progress_clear(&r->progress);
        ki_warn("%s:1: malformed kavosh-source header (want <!-- kavosh-source: ENTRY --> alone on "
                "the first line); the header is ignored", path);
    }
    if (mode == CLAIM_SOURCE && fs->entry && !fs->resolved) {
        char *found = resolve_entry(r, name, fs->entry);
        if (found) {
            free(fs->entry);
            fs->entry = found;
        }
    }
    const char *of_source = mode == CLAIM_SOURCE ? fs->entry : NULL;

    unsigned long long hash = record_hash(buf, len, of_source);
    /* A file read with --encoding is read again when the encoding changes. */
    kd_format_t fmt = kd_format_of(name);
    if (r->opt->encoding && (fmt == KD_FORMAT_MARKDOWN || fmt == KD_FORMAT_TEXT ||
                             fmt == KD_FORMAT_HTML)) {
        hash = ki_content_hash_more(hash, "\0kavosh-encoding\0", 17);
        hash = ki_content_hash_more(hash, r->opt->encoding, strlen(r->opt->encoding));
    }
    char key[4096];
    char *old = NULL;
    int had = 0;
    if (prefixed(key, sizeof key, KI_META_FILE, name) == 0 &&
        kx_db_get_metadata(r->db, key, &old) == KX_OK && old && *old) {
        had = 1;
        char *end = NULL;
        unsigned long long old_hash = strtoull(old, &end, 16);
        if (!r->opt->rebuild && end != old && old_hash == hash) {
            r->sum->files_unchanged++;
            fs->outcome = FILE_UNCHANGED;
            if (r->opt->verbose) {
                ki_progress_clear(&r->progress);
                ki_note("%s: unchanged", path);
            }
            kx_free(old);
            free(buf);
            return;
        }
    }
    kx_free(old);

    if (hk == KI_HEADER_OK && line_len)
        memset(buf, ' ', line_len);
    kd_document_t *doc = NULL;
    kd_options_t kopt = { .encoding = r->opt->encoding };
    if (kd_parse_with(r->an, name, KD_FORMAT_AUTO, buf, len, &kopt, &doc) != 0 || !doc) {
        ki_progress_clear(&r->progress);
        ki_error("%s: out of memory while parsing", path);
        r->sum->files_failed++;
        note_failure(r, KI_EXIT_FAILURE);
        free(buf);
        return;
    }
    if (!r->opt->quiet && doc->n_diags) {
        ki_progress_clear(&r->progress);
        for (size_t i = 0; i < doc->n_diags; i++) {
            if (doc->diags[i].line == 0)   /* about the whole file: its encoding */
                ki_warn("%s: %s", path, doc->diags[i].message);
            else
                ki_warn("%s:%u:%u: %s", path, doc->diags[i].line, doc->diags[i].column,
                        doc->diags[i].message);
        }
    }
    /* Not readable as its format at all (a scanned PDF, a damaged file):
     * failed, and what the index had of it stays. */
    if (doc->error) {
        ki_progress_clear(&r->progress);
        ki_error("%s: %s", path, doc->error);
        r->sum->files_failed++;
        note_failure(r, KI_EXIT_FAILURE);
        kd_document_free(doc);
        free(buf);
        return;
    }

    char record[4096 + 64];
    snprintf(record, sizeof record, "%016llx %zu %zu %s", hash, len, doc->n_passages,
             e->owner ? e->owner : "");
    kx_status_t st = write_document(r, doc, record, of_source);
    if (st != KX_OK) {
        report_kx(r, path, st);
        r->sum->files_failed++;
    } else {
        fs->outcome = FILE_WRITTEN;
        fs->passages = doc->n_passages;
        fs->bytes = len;
        r->sum->files_indexed++;
        r->sum->passages += doc->n_passages;
        r->uncommitted += doc->n_passages;
        r->sum->bytes += len;
        if (r->opt->verbose) {
            ki_progress_clear(&r->progress);
            if (of_source)
                ki_note("%s: %zu passages (%s), the full text of %s", path, doc->n_passages,
                        had ? "changed" : "new", of_source);
            else
                ki_note("%s: %zu passages (%s)%s%s", path, doc->n_passages, had ? "changed" : "new",
                    doc->encoding ? ", read as " : "", doc->encoding ? doc->encoding : "");
        }
    }
    kd_document_free(doc);
    free(buf);
}

/* A file indexed again is counted once: undo what the first pass counted. */
static void uncount(run_t *r, const file_state_t *fs)
{
    r->sum->files_seen--;
    if (fs->outcome == FILE_UNCHANGED)
        r->sum->files_unchanged--;
    else {
        r->sum->files_indexed--;
        r->sum->passages -= fs->passages;
        r->sum->bytes -= fs->bytes;
    }
}

/* A file names an entry that must be in the index once every file of the
 * run is in (the article citing it may be indexed in the same run). A
 * bibliography entry's id is on its own passage and on every passage citing
 * it as KI_PREFIX_SOURCE + id (its passage's own id is "<doc>#<ordinal>").
 * A file naming anything else is warned about and indexed again as an
 * ordinary text, so that a search within that "source" finds nothing
 * rather than a file that is not one; its record then lacks the entry, so
 * every later run checks it again until the entry appears or the claim is
 * fixed. */
static void check_sources(run_t *r, const ki_filelist_t *list, file_state_t *fs)
{
    for (size_t i = 0; i < list->n; i++) {
        if (!fs[i].entry || fs[i].outcome == FILE_FAILED)
            continue;
        char term[KX_MAX_TERM_BYTES];
        unsigned freq = 0;
        kx_status_t st = KX_OK;
        if (prefixed(term, sizeof term, KI_PREFIX_SOURCE, fs[i].entry) == 0)
            st = kx_db_term_freq(r->db, term, &freq);
        if (st != KX_OK) {
            report_kx(r, list->entries[i].path, st);
            continue;
        }
        if (freq > 0)
            continue;
        const ki_entry_t *e = &list->entries[i];
        /* The article came later in the run than its full text: the id
         * below one of the text's folders may be in the index now. */
        char *found = resolve_entry(r, e->name, fs[i].entry);
        if (found && strcmp(found, fs[i].entry) != 0) {
            free(fs[i].entry);
            fs[i].entry = found;
            fs[i].resolved = 1;
            uncount(r, &fs[i]);
            index_file(r, e, &fs[i], CLAIM_SOURCE);
            continue;
        }
        free(found);
        if (!r->opt->quiet) {
            ki_progress_clear(&r->progress);
            if (fs[i].from_header)
                ki_warn("%s:1: %s is not a bibliography entry in the index (see kavosh-search "
                        "--sources); indexed as an ordinary text", e->path, fs[i].entry);
            else
                ki_warn("%s: %s is not a bibliography entry in the index (see kavosh-search "
                        "--sources); %s indexed as an ordinary text", e->source_at, fs[i].entry,
                        e->path);
        }
        uncount(r, &fs[i]);
        index_file(r, e, &fs[i], CLAIM_NONE);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A string list that owns its strings. */
typedef struct strlist {
    char  **v;
    size_t  n, cap;
    int     oom;
} strlist_t;

static void strlist_add(strlist_t *l, const char *s)
{
    char **nv = kd_vec_grow(l->v, &l->cap, l->n + 1, sizeof *nv, 16);
    if (!nv) {
        l->oom = 1;
        return;
    }
    l->v = nv;
    if ((l->v[l->n] = strdup(s)) != NULL)
        l->n++;
    else
        l->oom = 1;
}

static void strlist_free(strlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

typedef struct stale {
    kx_db_t           *db;
    const char        *owner;  /* the root record the files belong to */
    const char        *under;  /* the folder walked: its name, "" or equal to owner for all of them */
    const char *const *seen;   /* sorted names collected in this run */
    size_t             n_seen;
    strlist_t          keys;   /* records to delete */
} stale_t;

/* The record's fourth field: the root record (folder or file named) the file belongs to. */
static const char *record_root(const char *rec)
{
    const char *p = rec;
    for (int f = 0; f < 3 && p; f++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p;
}

static int collect_stale(void *ctx, const char *key)
{
    stale_t *s = ctx;
    const char *name = key + strlen(KI_META_FILE);
    size_t ul = strlen(s->under);
    if (strcmp(s->under, s->owner) != 0 && (strncmp(name, s->under, ul) != 0 || name[ul] != '/'))
        return 0;
    char *rec = NULL;
    if (kx_db_get_metadata(s->db, key, &rec) != KX_OK || !rec)
        return 0;
    const char *root = record_root(rec);
    int ours = *rec && root && strcmp(root, s->owner) == 0;
    kx_free(rec);
    if (!ours)
        return 0;
    if (s->n_seen && bsearch(&name, s->seen, s->n_seen, sizeof *s->seen, cmp_str))
        return 0;
    strlist_add(&s->keys, key);
    return s->keys.oom;
}

/* Delete the file called name (its passages, record and harvested glosses)
 * in one transaction. */
static kx_status_t delete_file(run_t *r, const char *name)
{
    char fterm[KX_MAX_TERM_BYTES], key[4096];
    if (prefixed(fterm, sizeof fterm, KI_PREFIX_FILE, name) != 0 ||
        prefixed(key, sizeof key, KI_META_FILE, name) != 0)
        return KX_INVALID_ARGUMENT;
    kx_status_t st = kx_db_begin_transaction(r->db);
    if (st != KX_OK)
        return st;
    st = kx_db_delete_by_term(r->db, fterm);
    /* Xapian deletes a metadata key set to "". */
    if (st == KX_OK)
        st = kx_db_set_metadata(r->db, key, "");
    if (st == KX_OK)
        st = set_harvest(r->db, name, "");
    if (st == KX_OK)
        st = kx_db_commit_transaction(r->db);
    else
        kx_db_cancel_transaction(r->db);
    if (st == KX_OK) {
        r->sum->files_removed++;
        if (r->opt->verbose) {
            ki_progress_clear(&r->progress);
            ki_note("%s: removed from the index", name);
        }
    }
    return st;
}

/* Delete from the index the files once found under root that are gone now
 * (seen: every name collected in this run, sorted). */
static void remove_stale(run_t *r, const char *const *seen, size_t n_seen, const ki_root_t *root)
{
    const ki_target_t *t = root->target;
    stale_t s = { .db = r->db, .owner = t->owner, .under = t->name, .seen = seen,
                  .n_seen = n_seen };
    kx_status_t st = kx_db_metadata_keys(r->db, KI_META_FILE, collect_stale, &s);
    if (st == KX_OK && s.keys.oom)
        st = KX_NO_MEMORY;
    for (size_t i = 0; st == KX_OK && i < s.keys.n; i++)
        st = delete_file(r, s.keys.v[i] + strlen(KI_META_FILE));
    if (st != KX_OK)
        report_kx(r, root->path, st);
    strlist_free(&s.keys);
}

/* Files named directly once, and gone now (a run with no PATH). */
static void remove_gone_files(run_t *r, const ki_targets_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        const ki_target_t *x = &t->v[i];
        if (x->gone <= 0 || x->is_dir || !x->from_index || x->skip_only)
            continue;
        char key[4096];
        char *rec = NULL;
        int had = prefixed(key, sizeof key, KI_META_FILE, x->name) == 0 &&
                  kx_db_get_metadata(r->db, key, &rec) == KX_OK && rec && *rec;
        kx_free(rec);
        kx_status_t st = had ? delete_file(r, x->name) : KX_OK;
        if (st != KX_OK)
            report_kx(r, x->path, st);
    }
}

/* ---------------------------------------------------------------------- */
/* The run                                                                 */

static int cmp_skip(const void *a, const void *b)
{
    const ki_skip_t *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->kind, y->kind);
}

/* "3 .xyz, 1 fifo": the files the walk passed over, most first. */
static void skip_summary(ki_filelist_t *list, char *out, size_t cap)
{
    out[0] = '\0';
    if (list->n_skips > 1)
        qsort(list->skips, list->n_skips, sizeof *list->skips, cmp_skip);
    size_t o = 0;
    for (size_t i = 0; i < list->n_skips && o < cap; i++) {
        int n = snprintf(out + o, cap - o, "%s%u %s", i ? ", " : "", list->skips[i].n,
                         list->skips[i].kind);
        if (n < 0 || (size_t)n >= cap - o) {
            /* Too many kinds for the line: the rest together. */
            if (o + 8 < cap)
                snprintf(out + o, cap - o, ", ...");
            break;
        }
        o += (size_t)n;
    }
}

/* ---------------------------------------------------------------------- */
/* Workers (a parallel build of a new index)                               */

char *ki_part_path(const char *self, unsigned i)
{
    size_t n = strlen(self) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s.part%u", self, i);
    return p;
}

typedef struct worker {
    pthread_t          thread;
    run_t              r;
    ki_summary_t       sum;
    ki_options_t       opt;        /* the run's, progress off */
    const ki_filelist_t *list;
    file_state_t      *fs;
    size_t             from, to;   /* its slice of list */
    unsigned long      commit_every;
    char              *path;
    atomic_uint       *files_done;
    atomic_ullong     *bytes_done;
    atomic_uint       *finished;
    int                started;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    for (size_t i = w->from; i < w->to; i++) {
        index_file(&w->r, &w->list->entries[i], &w->fs[i], CLAIM_SOURCE);
        if (w->r.uncommitted >= w->commit_every) {
            kx_status_t cst = kx_db_commit(w->r.db);
            if (cst != KX_OK)
                report_kx(&w->r, w->path, cst);
            w->r.uncommitted = 0;
        }
        atomic_fetch_add_explicit(w->files_done, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(w->bytes_done, w->list->entries[i].size, memory_order_relaxed);
        if (w->r.exit == KI_EXIT_INDEX || w->r.stopped)
            break;   /* the part cannot be written: the run fails anyway */
    }
    kx_status_t cst = w->r.stopped ? KX_OK : kx_db_commit(w->r.db);
    if (cst != KX_OK)
        report_kx(&w->r, w->path, cst);
    atomic_fetch_add_explicit(w->finished, 1, memory_order_release);
    return NULL;
}

static unsigned online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > (long)KI_MAX_JOBS ? KI_MAX_JOBS : (unsigned)n;
}

/* How many workers this list gets: 1 means serial. */
static unsigned workers_for(const ki_options_t *opt, const ki_filelist_t *list)
{
    unsigned jobs = opt->jobs ? opt->jobs : online_cpus();
    if (!opt->jobs && list->bytes < KI_PARALLEL_MIN_BYTES)
        jobs = 1;
    if (jobs > list->n)
        jobs = (unsigned)list->n;
    return jobs ? jobs : 1;
}

/* Build the parts, merge them with db into par->merged, and make that r's
 * index. Returns an exit code; on failure the parts and par->merged are
 * removed by the caller's cleanup (rebuild.c) and r->db is unchanged. */
static ki_exit_t run_parallel(run_t *r, unsigned jobs, const ki_filelist_t *list,
                              file_state_t *fs, ki_parallel_t *par)
{
    ki_exit_t ex = KI_EXIT_OK;
    worker_t *w = calloc(jobs, sizeof *w);
    const char **srcs = calloc(jobs + 1, sizeof *srcs);
    atomic_uint files_done = 0, finished = 0;
    atomic_ullong bytes_done = 0;
    atomic_ulong passages = 0;
    if (!w || !srcs) {
        ki_error("out of memory");
        free(w);
        free(srcs);
        return KI_EXIT_FAILURE;
    }
    kx_status_t st = kx_db_commit(r->db);
    if (st != KX_OK) {
        report_kx(r, par->self, st);
        free(w);
        free(srcs);
        return KI_EXIT_INDEX;
    }
    /* Contiguous slices of about the same bytes, so that the merged index
     * has the files in the order of a serial run. */
    unsigned long long total = 0, acc = 0;
    for (size_t i = 0; i < list->n; i++)
        total += list->entries[i].size + 1;
    size_t at = 0;
    unsigned long commit_every = KI_COMMIT_PASSAGES / jobs;
    if (commit_every > KI_WORKER_COMMIT_PASSAGES)
        commit_every = KI_WORKER_COMMIT_PASSAGES;
    if (commit_every < 100)
        commit_every = 100;
    for (unsigned k = 0; k < jobs; k++) {
        worker_t *x = &w[k];
        x->from = at;
        unsigned long long goal = total * (k + 1) / jobs;
        while (at < list->n && (acc < goal || at == x->from) &&
               list->n - at > jobs - k - 1) {
            acc += list->entries[at].size + 1;
            at++;
        }
        if (k == jobs - 1)
            at = list->n;
        x->to = at;
        x->list = list;
        x->fs = fs;
        x->commit_every = commit_every;
        x->files_done = &files_done;
        x->bytes_done = &bytes_done;
        x->finished = &finished;
        x->opt = *r->opt;
        x->opt.progress = 0;
        x->path = ki_part_path(par->self, k);
        char *detail = NULL;
        kx_db_t *pdb = NULL;
        ka_analyzer_t *an = NULL;
        if (!x->path) {
            ki_error("out of memory");
            ex = KI_EXIT_FAILURE;
            break;
        }
        /* Not synced: a part is thrown away if the run dies; the merged
         * index is written (and synced) by the compaction. */
        st = kx_db_open(x->path, KX_OPEN_SCRATCH, &pdb, &detail);
        if (st != KX_OK) {
            ki_error("cannot create %s: %s", x->path,
                     detail && *detail ? detail : kx_status_to_string(st));
            kx_free(detail);
            ex = ki_exit_for_status(st) == KI_EXIT_INDEX ? KI_EXIT_INDEX : KI_EXIT_FAILURE;
            break;
        }
        kx_free(detail);
        x->r.db = pdb;
        ka_status_t ast = ka_analyzer_new(&an);
        if (ast == KA_OK)
            ast = ka_analyzer_set_options(an, r->opt->analyzer_options);
        x->r.an = an;
        x->r.tl = NULL;
        if (ast == KA_OK)
            ast = ka_translit_new(&x->r.tl);
        if (ast != KA_OK) {
            ki_error("cannot create a worker's analyzer or transliterator");
            ex = KI_EXIT_FAILURE;
            break;
        }
        x->r.opt = &x->opt;
        x->r.sum = &x->sum;
        x->r.defer_claims = 1;
        x->r.shared_passages = &passages;
    }
    unsigned started = 0;
    double t_start = ki_now(), t_merge = 0;
    for (unsigned k = 0; ex == KI_EXIT_OK && k < jobs; k++) {
        if (pthread_create(&w[k].thread, NULL, worker_main, &w[k]) != 0) {
            ki_error("cannot start a worker thread: %s", strerror(errno));
            ex = KI_EXIT_FAILURE;
            break;
        }
        w[k].started = 1;
        started++;
    }
    /* The main thread draws the progress line while the workers run. */
    while (atomic_load_explicit(&finished, memory_order_acquire) < started) {
        struct timespec t = { 0, 100 * 1000000L };
        nanosleep(&t, NULL);
        ki_progress_update(&r->progress, atomic_load(&files_done), atomic_load(&passages),
                           atomic_load(&bytes_done), 0);
    }
    for (unsigned k = 0; k < jobs; k++) {
        worker_t *x = &w[k];
        if (x->started)
            pthread_join(x->thread, NULL);
        if (x->r.db) {
            kx_db_close(x->r.db);
            x->r.db = NULL;
        }
        ka_translit_free(x->r.tl);
        ka_analyzer_free(x->r.an);
        if (x->started) {
            note_failure(r, x->r.exit);
            r->sum->files_seen += x->sum.files_seen;
            r->sum->files_indexed += x->sum.files_indexed;
            r->sum->files_failed += x->sum.files_failed;
            r->sum->passages += x->sum.passages;
            r->sum->bytes += x->sum.bytes;
            r->sum->write_failed |= x->sum.write_failed;
        }
        srcs[k + 1] = x->path;
    }
    r->files_done = atomic_load(&files_done);
    r->bytes_done = atomic_load(&bytes_done);
    if (ex == KI_EXIT_OK && (r->exit == KI_EXIT_INDEX || r->exit == KI_EXIT_WRITE))
        ex = r->exit;   /* a part could not be written (a full disk): nothing is merged */
    t_merge = ki_now();
    if (ex == KI_EXIT_OK) {
        srcs[0] = par->self;
        char *detail = NULL;
        st = kx_db_compact_many(srcs, jobs + 1, par->merged, 1, &detail);
        if (st == KX_OK) {
            kx_free(detail);
            detail = NULL;
            st = kx_db_open(par->merged, KX_OPEN_WRITE, &par->merged_db, &detail);
        }
        if (st != KX_OK) {
            ki_error("cannot merge the workers' parts into %s: %s", par->merged,
                     detail && *detail ? detail : kx_status_to_string(st));
            ex = ki_exit_for_status(st) == KI_EXIT_INDEX ? KI_EXIT_INDEX : KI_EXIT_FAILURE;
        } else
            r->db = par->merged_db;
        kx_free(detail);
        if (r->opt->verbose && st == KX_OK) {
            ki_progress_clear(&r->progress);
            ki_note("%u workers indexed %u files in %.2f s; their parts merged in %.2f s", jobs,
                    r->files_done, t_merge - t_start, ki_now() - t_merge);
        }
    }
    for (unsigned k = 0; k < jobs; k++) {
        if (w[k].path)
            ki_remove_database_dir(w[k].path);
        free(w[k].path);
    }
    free(w);
    free(srcs);
    return ex;
}

static ki_exit_t index_run(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                           size_t n_paths, const ki_options_t *opt, ki_summary_t *sum,
                           ki_parallel_t *par);

static int count_key(void *ctx, const char *key)
{
    (void)key;
    (*(long *)ctx)++;
    return 0;
}

/* After a refused write: what the index holds at its last commit, read by a
 * reader of its own (the writer's view includes what was never committed).
 * Unknown (-1) for --rebuild, whose new index is thrown away. */
static void committed_state(run_t *r)
{
    r->sum->committed_files = -1;
    if (r->opt->rebuild || !r->opt->db_path)
        return;
    kx_db_t *rd = NULL;
    kx_db_stats_t ds = { 0 };
    long files = 0;
    if (kx_db_open(r->opt->db_path, KX_OPEN_READ, &rd, NULL) == KX_OK &&
        kx_db_stats(rd, &ds) == KX_OK &&
        kx_db_metadata_keys(rd, KI_META_FILE, count_key, &files) == KX_OK) {
        r->sum->committed_files = files;
        r->sum->committed_passages = ds.doc_count;
    }
    kx_db_close(rd);
}

ki_exit_t ki_index_paths(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                         size_t n_paths, const ki_options_t *opt, ki_summary_t *sum)
{
    return index_run(db, an, paths, n_paths, opt, sum, NULL);
}

ki_exit_t ki_index_paths_parallel(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                                  size_t n_paths, const ki_options_t *opt, ki_summary_t *sum,
                                  ki_parallel_t *par)
{
    par->merged_db = NULL;
    return index_run(db, an, paths, n_paths, opt, sum, par);
}

static ki_exit_t index_run(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                           size_t n_paths, const ki_options_t *opt, ki_summary_t *sum,
                           ki_parallel_t *par)
{
    static const ki_options_t defaults = { 0 };
    ki_summary_t local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof *sum);
    run_t r = { .db = db, .an = an, .opt = opt ? opt : &defaults, .sum = sum };
    double t0 = ki_now();
    if (ka_translit_new(&r.tl) != KA_OK) {
        ki_error("cannot create the transliterator (ICU data missing?)");
        sum->seconds = ki_now() - t0;
        return KI_EXIT_FAILURE;
    }

    ki_targets_t targets;
    ki_filelist_t list;
    file_state_t *fs = NULL;
    memset(&list, 0, sizeof list);
    ki_exit_t tex = ki_targets_make(db, paths, n_paths, r.opt, &targets);
    note_failure(&r, tex);
    if (tex != KI_EXIT_OK && r.opt->rebuild && !r.opt->fresh) {
        /* A new index without one of the folders would lose its files. */
        sum->aborted = 1;
        goto done;
    }
    note_failure(&r, ki_collect(targets.v, targets.n, r.opt->db_path, r.opt->quiet,
                                   r.opt->verbose, &list));
    sum->files_skipped = list.skipped;
    skip_summary(&list, sum->skipped_kinds, sizeof sum->skipped_kinds);
    fs = calloc(list.n ? list.n : 1, sizeof *fs);
    if (!fs) {
        ki_error("out of memory");
        note_failure(&r, KI_EXIT_FAILURE);
        goto done;
    }

    ki_progress_start(&r.progress, r.opt->progress && !r.opt->quiet, (unsigned)list.n, list.bytes);
    ki_progress_update(&r.progress, 0, 0, 0, 1);
    int parallel = 0;
    if (par) {
        unsigned jobs = workers_for(r.opt, &list);
        if (jobs > 1) {
            ki_exit_t pex = run_parallel(&r, jobs, &list, fs, par);
            if (pex != KI_EXIT_OK) {
                /* Nothing merged: the caller keeps the old index. */
                note_failure(&r, pex);
                sum->aborted = 1;
                goto done;
            }
            parallel = 1;
            db = r.db;
        }
    }
    double last_commit = ki_now();
    for (size_t i = 0; i < list.n && !r.stopped; i++) {
        if (parallel && fs[i].outcome != FILE_DEFERRED)
            continue;
        if (parallel)
            r.files_done--;   /* counted by its worker already */
        index_file(&r, &list.entries[i], &fs[i], CLAIM_SOURCE);
        /* Memory stays bounded (Xapian holds uncommitted changes in RAM),
         * and an interrupted run loses at most a few seconds of work. */
        if (r.uncommitted >= KI_COMMIT_PASSAGES ||
            (r.uncommitted > 0 && ki_now() - last_commit >= KI_COMMIT_SECONDS)) {
            kx_status_t cst = kx_db_commit(db);
            if (cst != KX_OK)
                report_kx(&r, "index", cst);
            if (r.stopped)
                break;
            r.uncommitted = 0;
            last_commit = ki_now();
        }
        r.files_done++;
        if (!parallel)
            r.bytes_done += list.entries[i].size;
        ki_progress_update(&r.progress, r.files_done, sum->passages, r.bytes_done,
                           i + 1 == list.n);
    }
    if (r.stopped)
        goto done;
    const char **seen = malloc((list.n ? list.n : 1) * sizeof *seen);
    if (!seen) {
        ki_error("out of memory");
        note_failure(&r, KI_EXIT_FAILURE);
        goto done;
    }
    for (size_t i = 0; i < list.n; i++)
        seen[i] = list.entries[i].name;
    if (list.n)
        qsort(seen, list.n, sizeof *seen, cmp_str);
    for (size_t i = 0; i < list.n_roots; i++)
        if (list.roots[i].complete)
            remove_stale(&r, seen, list.n, &list.roots[i]);
    free(seen);
    remove_gone_files(&r, &targets);
    kx_status_t rst = ki_targets_store(db, &targets, &list, r.opt->rebuild);
    if (rst != KX_OK)
        report_kx(&r, "index", rst);
    check_sources(&r, &list, fs);
    note_failure(&r, ki_store_glossaries(db, r.an, &list, r.opt, &r.progress, sum));

    kx_status_t st = r.stopped ? KX_OK : kx_db_commit(db);
    if (st != KX_OK)
        report_kx(&r, "index", st);
done:
    ki_progress_clear(&r.progress);
    if (r.stopped)
        committed_state(&r);
    for (size_t i = 0; fs && i < list.n; i++)
        free(fs[i].entry);
    free(fs);
    ki_filelist_free(&list);
    ki_targets_free(&targets);
    ka_translit_free(r.tl);
    sum->seconds = ki_now() - t0;
    return r.exit;
}

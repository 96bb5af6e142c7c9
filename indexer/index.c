/*
 * index.c - files to passage documents: change detection, the Xapian
 * document of a passage, one transaction per file, deletion of vanished
 * files, and the run that ties collecting, indexing and glossaries together.
 */
#include "index.h"
#include "index_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glosses.h"
#include "schema.h"

/* ---------------------------------------------------------------------- */
/* Content hash                                                            */

static unsigned long long fnv_more(unsigned long long h, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)buf[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

unsigned long long ki_content_hash(const char *buf, size_t len)
{
    return fnv_more(0xcbf29ce484222325ULL, buf, len);
}

/* The hash that decides whether a file is unchanged: its content's, with
 * the bibliography entry it is the full text of folded in, so that editing
 * only its sources.tsv line re-indexes it. The separator cannot occur in a
 * checked entry id. */
static unsigned long long record_hash(const char *buf, size_t len, const char *of_source)
{
    unsigned long long h = ki_content_hash(buf, len);
    if (of_source) {
        h = fnv_more(h, "\0kavosh-source\0", 15);
        h = fnv_more(h, of_source, strlen(of_source));
    }
    return h;
}

/* ---------------------------------------------------------------------- */
/* The Xapian document of one passage                                      */

typedef struct term_sink {
    kx_doc_t   *doc;
    ka_translit_t *tl;     /* NULL: no transliteration terms */
    kx_status_t st;        /* sticky: the first failure stops everything */
    const char *prefix;    /* NULL: positional text terms; else boolean terms with this prefix */
    unsigned    pos_base;  /* added to every token position */
    unsigned    last_pos;
} term_sink_t;

static int add_token(void *ctx, const ka_token_t *tok)
{
    term_sink_t *s = ctx;
    if (s->prefix) {
        /* Filter terms (section words): exact forms only, no weight. */
        if (tok->flags & KA_TOK_JOINED)
            return 0;
        char term[KX_MAX_TERM_BYTES + 8];
        int n = snprintf(term, sizeof term, "%s%s", s->prefix, tok->term);
        if (n > 0 && (size_t)n < KX_MAX_TERM_BYTES)
            s->st = kx_doc_add_boolean_term(s->doc, term);
        return s->st != KX_OK;
    }
    /* The analyzer's joined pairs are for queries: a query typed with a space
     * («بین المللی») matches the joined word of a text through them. The
     * other way round (a joined query, a spaced text) is found at query time
     * by splitting the query word against the index's vocabulary; indexing
     * every pair of adjacent words instead doubled the index and its time. */
    if (tok->flags & KA_TOK_JOINED)
        return 0;
    unsigned pos = s->pos_base + tok->pos;
    if (pos > s->last_pos)
        s->last_pos = pos;
    s->st = kx_doc_add_posting(s->doc, tok->term, pos, 1);
    /* Stems carry no positions: phrases are matched on exact forms, and the
     * position lists would double the index for no query that uses them. */
    if (s->st == KX_OK && tok->stem)
        s->st = kx_doc_add_term(s->doc, tok->stem, 1);
    /* The word's consonant skeleton lets a name in one script meet its
     * spelling in another (آتامبایف, Атамбаев, Atambayev); no positions. */
    if (s->st == KX_OK && s->tl) {
        char tterm[KA_TRANSLIT_TERM_CAP];
        size_t tn = 0;
        if (ka_translit_token_term(s->tl, tok, tterm, sizeof tterm, &tn) == KA_OK && tn > 0 &&
            tn < KX_MAX_TERM_BYTES)
            s->st = kx_doc_add_term(s->doc, tterm, 1);
    }
    return s->st != KX_OK;
}

static kx_status_t add_text(ka_analyzer_t *an, term_sink_t *s, const char *text)
{
    if (!text || !*text)
        return KX_OK;
    ka_status_t ast = ka_analyze(an, KA_DOCUMENT, text, strlen(text), add_token, s);
    if (s->st != KX_OK)
        return s->st;
    return ast == KA_OK ? KX_OK : (ast == KA_ERR_NOMEM ? KX_NO_MEMORY : KX_INTERNAL_ERROR);
}

static kx_status_t add_bool(kx_doc_t *doc, const char *prefix, const char *value)
{
    char term[KX_MAX_TERM_BYTES];
    int n = snprintf(term, sizeof term, "%s%s", prefix, value ? value : "");
    if (n < 0 || (size_t)n >= sizeof term - 1)
        return KX_INVALID_ARGUMENT;
    return kx_doc_add_boolean_term(doc, term);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The stored data of a passage: everything the search shows, as JSON.
 * of_source: the entry whose full text doc is, or NULL. */
static char *passage_json(const kd_document_t *doc, const kd_passage_t *p, const char *of_source)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "doc", json_string(doc->name));
    json_object_set_new(o, "section", json_string(p->section ? p->section : ""));
    json_object_set_new(o, "lang", json_string(p->lang ? p->lang : "und"));
    json_object_set_new(o, "kind", json_string(p->kind == KD_KIND_BIBLIO ? "biblio" : "body"));
    json_object_set_new(o, "line", json_integer(p->line));
    json_object_set_new(o, "text", json_string(p->text ? p->text : ""));
    if (of_source)
        json_object_set_new(o, "of_source", json_string(of_source));

    json_t *gl = json_array();
    for (size_t g = 0; g < p->n_glosses; g++) {
        const kd_gloss_t *x = &p->glosses[g];
        json_array_append_new(gl, json_pack("{s:o, s:o, s:o, s:I}",
                                            "marker", str_or_null(x->marker),
                                            "gloss", str_or_null(x->gloss),
                                            "term", str_or_null(x->term),
                                            "offset", (json_int_t)x->offset));
    }
    json_object_set_new(o, "glosses", gl);

    json_t *cl = json_array();
    for (size_t c = 0; c < p->n_citations; c++) {
        const kd_citation_t *x = &p->citations[c];
        const kd_source_t *src = (x->source >= 0 && (size_t)x->source < doc->n_sources)
                                     ? &doc->sources[x->source] : NULL;
        json_array_append_new(cl, json_pack("{s:o, s:I, s:I, s:o, s:o, s:o, s:f}",
                                            "citation", str_or_null(x->text),
                                            "start", (json_int_t)x->start,
                                            "end", (json_int_t)x->end,
                                            "pages", str_or_null(x->pages),
                                            "source", str_or_null(src ? src->id : NULL),
                                            "source_text", str_or_null(src ? src->text : NULL),
                                            "confidence", src ? x->confidence : 0.0));
    }
    json_object_set_new(o, "citations", cl);

    if (p->kind == KD_KIND_BIBLIO && p->source >= 0 && (size_t)p->source < doc->n_sources) {
        const kd_source_t *s = &doc->sources[p->source];
        json_t *authors = json_array();
        for (size_t a = 0; a < s->n_authors; a++)
            json_array_append_new(authors, json_string(s->authors[a]));
        json_object_set_new(o, "source", json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                                                   "id", s->id,
                                                   "authors", authors,
                                                   "year", str_or_null(s->year),
                                                   "title", str_or_null(s->title),
                                                   "venue", str_or_null(s->venue),
                                                   "pages", str_or_null(s->pages),
                                                   "url", str_or_null(s->url),
                                                   "lang", str_or_null(s->lang)));
    }
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

kx_status_t ki_passage_document(ka_analyzer_t *an, ka_translit_t *tl, const kd_document_t *doc,
                                size_t i, const char *of_source, kx_doc_t **out)
{
    *out = NULL;
    if (!an || !doc || i >= doc->n_passages)
        return KX_INVALID_ARGUMENT;
    const kd_passage_t *p = &doc->passages[i];
    kx_doc_t *xd = NULL;
    kx_status_t st = kx_doc_new(&xd);
    if (st != KX_OK)
        return st;

    term_sink_t sink = { .doc = xd, .tl = tl, .st = KX_OK };
    st = add_text(an, &sink, p->text);
    /* Glosses are indexed with the passage that carries their marker, so an
     * English query for «Grand Chess Board» finds the Persian paragraph. */
    for (size_t g = 0; st == KX_OK && g < p->n_glosses; g++) {
        sink.pos_base = sink.last_pos + KI_GLOSS_POSITION_GAP;
        st = add_text(an, &sink, p->glosses[g].gloss);
    }
    if (st == KX_OK) {
        term_sink_t sec = { .doc = xd, .st = KX_OK, .prefix = KI_PREFIX_SECTION };
        st = add_text(an, &sec, p->section);
    }
    if (st == KX_OK)
        st = add_bool(xd, KI_PREFIX_ID, p->id);
    if (st == KX_OK)
        st = add_bool(xd, KI_PREFIX_FILE, doc->name);
    if (st == KX_OK)
        st = add_bool(xd, KI_PREFIX_LANG, p->lang ? p->lang : "und");
    if (st == KX_OK)
        st = add_bool(xd, KI_PREFIX_KIND, p->kind == KD_KIND_BIBLIO ? "biblio" : "body");
    if (st == KX_OK && of_source)
        st = add_bool(xd, KI_PREFIX_OF_SOURCE, of_source);
    for (size_t c = 0; st == KX_OK && c < p->n_citations; c++) {
        long s = p->citations[c].source;
        if (s >= 0 && (size_t)s < doc->n_sources)
            st = add_bool(xd, KI_PREFIX_SOURCE, doc->sources[s].id);
    }
    if (st == KX_OK && p->kind == KD_KIND_BIBLIO && p->source >= 0 &&
        (size_t)p->source < doc->n_sources) {
        const kd_source_t *s = &doc->sources[p->source];
        st = add_bool(xd, KI_PREFIX_SOURCE, s->id);
        if (st == KX_OK && s->year_gregorian > 0) {
            char year[16];
            int n = snprintf(year, sizeof year, "%04d", s->year_gregorian);
            st = kx_doc_set_value(xd, KI_SLOT_YEAR, year, (size_t)n);
        }
    }
    if (st == KX_OK) {
        char ord[16];
        int n = snprintf(ord, sizeof ord, "%u", p->ordinal);
        st = kx_doc_set_value(xd, KI_SLOT_ORDINAL, ord, (size_t)n);
    }
    if (st == KX_OK) {
        char *data = passage_json(doc, p, of_source);
        if (!data)
            st = KX_NO_MEMORY;
        else
            st = kx_doc_set_data(xd, data, strlen(data));
        free(data);
    }
    if (st != KX_OK) {
        kx_doc_free(xd);
        return st;
    }
    *out = xd;
    return KX_OK;
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
    ki_progress_t       progress;
    unsigned            files_done;  /* for the progress line: indexed, unchanged or failed */
    unsigned long long  bytes_done;  /* for the progress line: bytes of the files done */
} run_t;

/* What became of one file of the run, for checking the entries that full
 * texts of cited works name once every file is in. */
typedef enum file_outcome {
    FILE_FAILED = 0,
    FILE_UNCHANGED,
    FILE_WRITTEN
} file_outcome_t;

typedef struct file_state {
    file_outcome_t outcome;
    char          *entry;        /* the entry it is the full text of (owned), or NULL */
    int            from_header;  /* entry came from its kavosh-source header, not sources.tsv */
    size_t         passages;     /* FILE_WRITTEN: what the summary counted */
    size_t         bytes;
} file_state_t;

static void note_failure(run_t *r, ki_exit_t e)
{
    if (r->exit == KI_EXIT_OK || (e == KI_EXIT_INDEX && r->exit != KI_EXIT_INDEX))
        r->exit = e;
}

static void report_kx(run_t *r, const char *path, kx_status_t st)
{
    const char *d = kx_db_last_error(r->db);
    ki_progress_clear(&r->progress);
    ki_error("%s: cannot write to the index: %s%s%s", path, kx_status_to_string(st),
             *d ? ": " : "", d);
    note_failure(r, ki_exit_for_status(st) == KI_EXIT_INDEX ? KI_EXIT_INDEX : KI_EXIT_FAILURE);
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
        return kx_db_commit_transaction(r->db);
    kx_db_cancel_transaction(r->db);
    return st;
}

/* ---------------------------------------------------------------------- */
/* The kavosh-source header                                                */

/* The header is looked for in the first this many bytes: it is one short
 * line, and a file without one must not be scanned to its end. */
#define SOURCE_HEADER_MAX 1024

typedef enum header_kind {
    HEADER_NONE = 0,   /* the file does not start with a kavosh-source comment */
    HEADER_OK,         /* *entry names the entry */
    HEADER_MALFORMED   /* it starts like one but is not "<!-- kavosh-source: ID -->" alone on line 1 */
} header_kind_t;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether the first line of buf is "<!-- kavosh-source: ENTRY -->" (after an
 * optional byte order mark, spaces allowed around every part). On
 * HEADER_OK, entry[0..*entry_len) is the id inside buf. *line_len is the
 * length of the line without its newline, for blanking it. */
static header_kind_t source_header(const char *buf, size_t len, const char **entry,
                                   size_t *entry_len, size_t *line_len)
{
    static const char open[] = "<!--", key[] = "kavosh-source:", close[] = "-->";
    size_t lim = len < SOURCE_HEADER_MAX ? len : SOURCE_HEADER_MAX;
    size_t i = 0;
    if (lim >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < lim && is_blank(buf[i]))
        i++;
    if (lim - i < sizeof open - 1 || memcmp(buf + i, open, sizeof open - 1) != 0)
        return HEADER_NONE;
    i += sizeof open - 1;
    while (i < lim && is_blank(buf[i]))
        i++;
    if (lim - i < sizeof key - 1 || memcmp(buf + i, key, sizeof key - 1) != 0)
        return HEADER_NONE;
    i += sizeof key - 1;
    const char *nl = memchr(buf, '\n', lim);
    if (!nl && lim < len)
        return HEADER_MALFORMED;   /* a first line longer than any header */
    size_t end = nl ? (size_t)(nl - buf) : lim;
    *line_len = end;
    if (end && buf[end - 1] == '\r')
        end--;
    while (end > i && is_blank(buf[end - 1]))
        end--;
    if (end - i < sizeof close - 1 || memcmp(buf + end - (sizeof close - 1), close, sizeof close - 1) != 0)
        return HEADER_MALFORMED;
    end -= sizeof close - 1;
    while (i < end && is_blank(buf[i]))
        i++;
    while (end > i && is_blank(buf[end - 1]))
        end--;
    if (i == end || end - i + strlen(KI_PREFIX_SOURCE) + 1 >= KX_MAX_TERM_BYTES ||
        ki_utf8_check(buf + i, end - i) < end - i)
        return HEADER_MALFORMED;
    for (size_t k = i; k < end; k++)
        if ((unsigned char)buf[k] <= 0x20 || buf[k] == 0x7f)
            return HEADER_MALFORMED;
    *entry = buf + i;
    *entry_len = end - i;
    return HEADER_OK;
}

/* ---------------------------------------------------------------------- */
/* One file                                                                */

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
    if (ki_read_file(path, &buf, &len) != 0) {
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
    header_kind_t hk = source_header(buf, len, &hdr, &hdr_len, &line_len);
    if (mode == CLAIM_SOURCE && !fs->entry) {
        if (e->of_source) {
            fs->entry = strdup(e->of_source);
            fs->from_header = 0;
            if (hk == HEADER_OK && !r->opt->quiet &&
                (strlen(e->of_source) != hdr_len || memcmp(e->of_source, hdr, hdr_len) != 0)) {
                ki_progress_clear(&r->progress);
                ki_warn("%s:1: the kavosh-source header names %.*s, but %s names %s; %s is used",
                        path, (int)hdr_len, hdr, e->source_at, e->of_source, e->of_source);
            }
        } else if (hk == HEADER_OK) {
            fs->entry = strndup(hdr, hdr_len);
            fs->from_header = 1;
        }
        if ((e->of_source || hk == HEADER_OK) && !fs->entry) {
            ki_progress_clear(&r->progress);
            ki_error("%s: out of memory", path);
            r->sum->files_failed++;
            note_failure(r, KI_EXIT_FAILURE);
            free(buf);
            return;
        }
    }
    if (hk == HEADER_MALFORMED && mode == CLAIM_SOURCE && !r->opt->quiet) {
        ki_progress_clear(&r->progress);
        ki_warn("%s:1: malformed kavosh-source header (want <!-- kavosh-source: ENTRY --> alone on "
                "the first line); the header is ignored", path);
    }
    const char *of_source = mode == CLAIM_SOURCE ? fs->entry : NULL;

    unsigned long long hash = record_hash(buf, len, of_source);
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

    if (hk == HEADER_OK && line_len)
        memset(buf, ' ', line_len);
    kd_document_t *doc = NULL;
    if (kd_parse(r->an, name, KD_FORMAT_AUTO, buf, len, &doc) != 0 || !doc) {
        ki_progress_clear(&r->progress);
        ki_error("%s: out of memory while parsing", path);
        r->sum->files_failed++;
        note_failure(r, KI_EXIT_FAILURE);
        free(buf);
        return;
    }
    if (!r->opt->quiet && doc->n_diags) {
        ki_progress_clear(&r->progress);
        for (size_t i = 0; i < doc->n_diags; i++)
            ki_warn("%s:%u:%u: %s", path, doc->diags[i].line, doc->diags[i].column,
                    doc->diags[i].message);
    }

    char record[4096 + 64];
    snprintf(record, sizeof record, "%016llx %zu %zu %s", hash, len, doc->n_passages,
             e->root ? e->root : "");
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
                ki_note("%s: %zu passages (%s)", path, doc->n_passages, had ? "changed" : "new");
        }
    }
    kd_document_free(doc);
    free(buf);
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
        /* Counted once: undo what the first pass counted for this file. */
        r->sum->files_seen--;
        if (fs[i].outcome == FILE_UNCHANGED)
            r->sum->files_unchanged--;
        else {
            r->sum->files_indexed--;
            r->sum->passages -= fs[i].passages;
            r->sum->bytes -= fs[i].bytes;
        }
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
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return;
        }
        l->v = nv;
        l->cap = cap;
    }
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
    const char        *root;
    const char *const *seen;   /* sorted names found under root in this run */
    size_t             n_seen;
    strlist_t          keys;   /* records to delete */
} stale_t;

/* The record's fourth field: the directory argument the file was found under. */
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
    char *rec = NULL;
    if (kx_db_get_metadata(s->db, key, &rec) != KX_OK || !rec)
        return 0;
    const char *root = record_root(rec);
    int ours = *rec && root && strcmp(root, s->root) == 0;
    kx_free(rec);
    if (!ours)
        return 0;
    if (s->n_seen && bsearch(&name, s->seen, s->n_seen, sizeof *s->seen, cmp_str))
        return 0;
    strlist_add(&s->keys, key);
    return s->keys.oom;
}

/* Delete from the index the files once found under root that are gone now. */
static void remove_stale(run_t *r, const ki_filelist_t *list, const ki_root_t *root)
{
    const char **seen = malloc((list->n ? list->n : 1) * sizeof *seen);
    if (!seen) {
        ki_error("out of memory");
        note_failure(r, KI_EXIT_FAILURE);
        return;
    }
    size_t n_seen = 0;
    for (size_t i = 0; i < list->n; i++)
        if (list->entries[i].root == root->path)
            seen[n_seen++] = list->entries[i].name;
    if (n_seen)
        qsort(seen, n_seen, sizeof *seen, cmp_str);
    stale_t s = { .db = r->db, .root = root->path, .seen = seen, .n_seen = n_seen };
    kx_status_t st = kx_db_metadata_keys(r->db, KI_META_FILE, collect_stale, &s);
    if (st == KX_OK && s.keys.oom)
        st = KX_NO_MEMORY;
    for (size_t i = 0; st == KX_OK && i < s.keys.n; i++) {
        const char *name = s.keys.v[i] + strlen(KI_META_FILE);
        char fterm[KX_MAX_TERM_BYTES];
        if (prefixed(fterm, sizeof fterm, KI_PREFIX_FILE, name) != 0)
            continue;
        st = kx_db_begin_transaction(r->db);
        if (st != KX_OK)
            break;
        st = kx_db_delete_by_term(r->db, fterm);
        /* Xapian deletes a metadata key set to "". */
        if (st == KX_OK)
            st = kx_db_set_metadata(r->db, s.keys.v[i], "");
        if (st == KX_OK)
            st = set_harvest(r->db, name, "");
        if (st == KX_OK)
            st = kx_db_commit_transaction(r->db);
        else
            kx_db_cancel_transaction(r->db);
        if (st == KX_OK) {
            r->sum->files_removed++;
            if (r->opt->verbose) {
                /* Named as the file was when it was indexed: its directory argument and name. */
                size_t rl = strlen(root->path);
                ki_progress_clear(&r->progress);
                ki_note("%s%s%s: removed from the index", root->path,
                        rl && root->path[rl - 1] == '/' ? "" : "/", name);
            }
        }
    }
    if (st != KX_OK)
        report_kx(r, root->path, st);
    strlist_free(&s.keys);
    free(seen);
}

/* ---------------------------------------------------------------------- */
/* --rebuild                                                               */

static int collect_term(void *ctx, const char *term, size_t len, unsigned freq)
{
    (void)len;
    (void)freq;
    strlist_add(ctx, term);
    return ((strlist_t *)ctx)->oom;
}

static int collect_key(void *ctx, const char *key)
{
    /* The schema version stays: it describes the layout this run writes. */
    if (strcmp(key, KI_SCHEMA_KEY) != 0)
        strlist_add(ctx, key);
    return ((strlist_t *)ctx)->oom;
}

/* Start over: delete every passage (by its file term, then any left by its
 * id term) and every metadata record but the schema version, in one
 * transaction, before anything is indexed. */
static kx_status_t wipe(kx_db_t *db)
{
    strlist_t terms = { 0 }, keys = { 0 };
    kx_status_t st = kx_db_all_terms(db, KI_PREFIX_FILE, collect_term, &terms);
    if (st == KX_OK)
        st = kx_db_all_terms(db, KI_PREFIX_ID, collect_term, &terms);
    if (st == KX_OK)
        st = kx_db_metadata_keys(db, "", collect_key, &keys);
    if (st == KX_OK && (terms.oom || keys.oom))
        st = KX_NO_MEMORY;
    if (st == KX_OK)
        st = kx_db_begin_transaction(db);
    if (st == KX_OK) {
        for (size_t i = 0; st == KX_OK && i < terms.n; i++)
            st = kx_db_delete_by_term(db, terms.v[i]);
        for (size_t i = 0; st == KX_OK && i < keys.n; i++)
            st = kx_db_set_metadata(db, keys.v[i], "");
        if (st == KX_OK)
            st = kx_db_commit_transaction(db);
        else
            kx_db_cancel_transaction(db);
    }
    strlist_free(&terms);
    strlist_free(&keys);
    return st;
}

/* ---------------------------------------------------------------------- */
/* The run                                                                 */

ki_exit_t ki_index_paths(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                         size_t n_paths, const ki_options_t *opt, ki_summary_t *sum)
{
    static const ki_options_t defaults = { 0 };
    ki_summary_t local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof *sum);
    run_t r = { .db = db, .an = an, .opt = opt ? opt : &defaults, .sum = sum };
    double t0 = ki_now();
    r.tl = ka_translit_new();
    if (!r.tl) {
        ki_error("cannot create the transliterator (ICU data missing?)");
        sum->seconds = ki_now() - t0;
        return KI_EXIT_FAILURE;
    }

    ki_filelist_t list;
    note_failure(&r, ki_collect(paths, n_paths, r.opt->quiet, &list));
    file_state_t *fs = calloc(list.n ? list.n : 1, sizeof *fs);
    if (!fs) {
        ki_error("out of memory");
        note_failure(&r, KI_EXIT_FAILURE);
        goto done;
    }

    if (r.opt->rebuild) {
        kx_status_t wst = wipe(db);
        if (wst != KX_OK) {
            report_kx(&r, "--rebuild", wst);
            goto done;
        }
    }

    ki_progress_start(&r.progress, r.opt->progress && !r.opt->quiet, (unsigned)list.n, list.bytes);
    ki_progress_update(&r.progress, 0, 0, 0, 1);
    double last_commit = ki_now();
    for (size_t i = 0; i < list.n; i++) {
        index_file(&r, &list.entries[i], &fs[i], CLAIM_SOURCE);
        /* Memory stays bounded (Xapian holds uncommitted changes in RAM),
         * and an interrupted run loses at most a few seconds of work. */
        if (r.uncommitted >= KI_COMMIT_PASSAGES ||
            (r.uncommitted > 0 && ki_now() - last_commit >= KI_COMMIT_SECONDS)) {
            kx_status_t cst = kx_db_commit(db);
            if (cst != KX_OK)
                report_kx(&r, "index", cst);
            r.uncommitted = 0;
            last_commit = ki_now();
        }
        r.files_done++;
        r.bytes_done += list.entries[i].size;
        ki_progress_update(&r.progress, r.files_done, sum->passages, r.bytes_done,
                           i + 1 == list.n);
    }
    for (size_t i = 0; i < list.n_roots; i++)
        if (list.roots[i].complete)
            remove_stale(&r, &list, &list.roots[i]);
    check_sources(&r, &list, fs);
    note_failure(&r, ki_store_glossaries(db, &list, r.opt, &r.progress, sum));

    kx_status_t st = kx_db_commit(db);
    if (st != KX_OK)
        report_kx(&r, "index", st);
done:
    ki_progress_clear(&r.progress);
    for (size_t i = 0; fs && i < list.n; i++)
        free(fs[i].entry);
    free(fs);
    ki_filelist_free(&list);
    ka_translit_free(r.tl);
    sum->seconds = ki_now() - t0;
    return r.exit;
}

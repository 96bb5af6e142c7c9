/*
 * fuzz_common.c - invariant checks shared by the fuzz harnesses.
 */
#include "fuzz_common.h"

#include <archive.h>
#include <archive_entry.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kavosh_xapian.h"
#include "utf8.h"

void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
    fflush(stderr);
    abort();
}

int fz_utf8(const char *s, size_t n)
{
    return s && ki_utf8_check(s, n) == n;
}

int fz_cstr(const char *s)
{
    return !s || fz_utf8(s, strlen(s));
}

ka_analyzer_t *fz_analyzer(void)
{
    static ka_analyzer_t *an;
    if (!an && ka_analyzer_new(&an) != KA_OK) {
        fprintf(stderr, "fuzz: cannot create the analyzer\n");
        abort();
    }
    return an;
}

typedef struct tok_check {
    size_t   len;        /* of the input */
    size_t   n;          /* tokens seen */
    size_t   last_start;
    unsigned last_pos;   /* of the last token that is not KA_TOK_JOINED */
    uint64_t hash;
} tok_check_t;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ u[i]) * 1099511628211ull;
    return h;
}

static int check_token(void *ctx, const ka_token_t *t)
{
    tok_check_t *c = ctx;
    FZ_CHECK(t->term != NULL, "a token has no term");
    FZ_CHECK(t->term_len > 0, "an empty term");
    FZ_CHECK(strlen(t->term) == t->term_len, "term_len is not the term's length");
    FZ_CHECK(t->term_len <= KX_MAX_TERM_BYTES - 2, "a term over Xapian's limit");
    FZ_CHECK(fz_utf8(t->term, t->term_len), "a term is not valid UTF-8");
    if (t->stem) {
        FZ_CHECK(t->stem_len >= 1 && strlen(t->stem) == t->stem_len, "stem_len is not the stem's length");
        FZ_CHECK(t->stem[0] == KA_PREFIX_STEM[0], "a stem without its prefix");
        FZ_CHECK(t->stem_len <= KX_MAX_TERM_BYTES - 1, "a stem over Xapian's limit");
        FZ_CHECK(fz_utf8(t->stem, t->stem_len), "a stem is not valid UTF-8");
    } else {
        FZ_CHECK(t->script == KA_SCRIPT_DIGIT || t->script == KA_SCRIPT_OTHER,
                 "a word of a language without a stem");
    }
    FZ_CHECK(t->script >= KA_SCRIPT_OTHER && t->script <= KA_SCRIPT_DIGIT, "an unknown script");
    FZ_CHECK((t->flags & ~(KA_TOK_STOPWORD | KA_TOK_JOINED | KA_TOK_CAPITAL)) == 0,
             "an unknown token flag");
    FZ_CHECK(!(t->flags & KA_TOK_CAPITAL) ||
                 t->script == KA_SCRIPT_LATIN || t->script == KA_SCRIPT_CYRILLIC,
             "a capital flag on a word of a script without capitals");
    FZ_CHECK(t->start < t->end, "a token's start is not before its end");
    FZ_CHECK(t->end <= c->len, "a token ends past the input");
    FZ_CHECK(t->start >= c->last_start, "tokens out of text order");
    FZ_CHECK(t->pos >= 1, "a position below 1");
    if (t->flags & KA_TOK_JOINED) {
        FZ_CHECK(t->pos == c->last_pos, "a joined token not at its first word's position");
    } else {
        FZ_CHECK(t->pos > c->last_pos, "positions do not increase");
        c->last_pos = t->pos;
    }
    c->last_start = t->start;
    c->n++;
    if (t->flags & KA_TOK_JOINED)
        return 0;   /* the hash is of the other tokens, which KA_OPT_NO_JOINED leaves alone */
    c->hash = mix(c->hash, t->term, t->term_len + 1);
    if (t->stem)
        c->hash = mix(c->hash, t->stem, t->stem_len + 1);
    size_t nums[4] = { t->start, t->end, t->pos, t->flags };
    c->hash = mix(c->hash, nums, sizeof nums);
    return 0;
}

size_t fz_check_analyze(ka_analyzer_t *an, ka_mode_t mode, const char *text, size_t len,
                        uint64_t *hash)
{
    tok_check_t c = { .len = len, .hash = 1469598103934665603ull };
    ka_status_t st = ka_analyze(an, mode, text, len, check_token, &c);
    FZ_CHECK(st == KA_OK, "ka_analyze failed");
    if (hash)
        *hash = c.hash;
    return c.n;
}

int fz_clean(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F)
            return 0;
        if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F)
            return 0;
    }
    return 1;
}

static int fz_clean_str(const char *s)
{
    return !s || fz_clean(s, strlen(s));
}

void fz_check_document(ka_analyzer_t *an, const kd_document_t *doc, const char *name,
                       kd_format_t format)
{
    int has_lines = format == KD_FORMAT_MARKDOWN || format == KD_FORMAT_TEXT ||
                    format == KD_FORMAT_HTML;
    FZ_CHECK(doc != NULL, "kd_parse gave no document");
    FZ_CHECK(doc->name && strcmp(doc->name, name) == 0, "the document lost its name");
    FZ_CHECK(doc->n_passages == 0 || doc->passages, "passages counted but missing");
    size_t name_len = strlen(name);
    unsigned last_ordinal = 0;
    for (size_t i = 0; i < doc->n_passages; i++) {
        const kd_passage_t *p = &doc->passages[i];
        FZ_CHECK(p->ordinal > last_ordinal, "passage ordinals do not increase");
        last_ordinal = p->ordinal;
        FZ_CHECK(p->id && strncmp(p->id, name, name_len) == 0 && p->id[name_len] == '#',
                 "a passage id is not NAME#N");
        FZ_CHECK(p->section && fz_cstr(p->section), "a section is not valid UTF-8");
        FZ_CHECK(fz_clean_str(p->section), "a control character in a section");
        FZ_CHECK(p->lang && (strcmp(p->lang, "fa") == 0 || strcmp(p->lang, "ru") == 0 ||
                             strcmp(p->lang, "en") == 0 || strcmp(p->lang, "und") == 0),
                 "a passage language outside fa, ru, en, und");
        FZ_CHECK(p->text != NULL, "a passage without text");
        size_t tl = strlen(p->text);
        FZ_CHECK(fz_utf8(p->text, tl), "a passage's text is not valid UTF-8");
        FZ_CHECK(fz_clean(p->text, tl), "a control character in a passage's text");
#ifdef KD_MAX_PASSAGE_BYTES
        FZ_CHECK(tl <= KD_MAX_PASSAGE_BYTES, "a passage over KD_MAX_PASSAGE_BYTES");
#endif
        FZ_CHECK(p->kind == KD_KIND_BODY || p->kind == KD_KIND_BIBLIO, "an unknown passage kind");
        FZ_CHECK(p->line >= 1 || !has_lines, "a passage line below 1");
        FZ_CHECK(p->page == 0 || format == KD_FORMAT_PDF, "a page number outside a PDF");
        if (p->kind == KD_KIND_BIBLIO)
            FZ_CHECK(p->source >= 0 && (size_t)p->source < doc->n_sources,
                     "a bibliography passage with a source out of range");
        else
            FZ_CHECK(p->source == -1, "a body passage with a source");
        for (size_t j = 0; j < p->n_glosses; j++) {
            const kd_gloss_t *g = &p->glosses[j];
            FZ_CHECK(g->offset <= tl, "a gloss marker past its passage's text");
            FZ_CHECK(g->marker && fz_cstr(g->marker), "a gloss marker is not valid UTF-8");
            FZ_CHECK(fz_cstr(g->gloss) && fz_cstr(g->term), "a gloss is not valid UTF-8");
            FZ_CHECK(fz_clean_str(g->marker) && fz_clean_str(g->gloss) && fz_clean_str(g->term),
                     "a control character in a gloss");
        }
        for (size_t j = 0; j < p->n_citations; j++) {
            const kd_citation_t *c = &p->citations[j];
            FZ_CHECK(c->start <= c->end && c->end <= tl, "a citation outside its passage's text");
            FZ_CHECK(c->text && fz_cstr(c->text), "a citation is not valid UTF-8");
            FZ_CHECK(fz_clean_str(c->text), "a control character in a citation");
            FZ_CHECK(fz_cstr(c->author) && fz_cstr(c->year) && fz_cstr(c->pages),
                     "a citation's parts are not valid UTF-8");
            FZ_CHECK(c->source >= -1 && c->source < (long)doc->n_sources,
                     "a citation's source out of range");
            FZ_CHECK(c->confidence >= 0.0 && c->confidence <= 1.0,
                     "a citation's confidence outside 0..1");
        }
        /* What the indexer makes of it: every term valid and within limits. */
        fz_check_analyze(an, KA_DOCUMENT, p->text, tl, NULL);
    }
    for (size_t i = 0; i < doc->n_sources; i++) {
        const kd_source_t *s = &doc->sources[i];
        FZ_CHECK(s->id && fz_cstr(s->id) && s->text && fz_cstr(s->text),
                 "a source's id or text is not valid UTF-8");
        FZ_CHECK(fz_clean_str(s->text) && fz_clean_str(s->title), "a control character in a source");
        FZ_CHECK(s->passage < doc->n_passages, "a source's passage out of range");
        FZ_CHECK(doc->passages[s->passage].kind == KD_KIND_BIBLIO,
                 "a source's passage is not a bibliography entry");
        for (size_t k = 0; k < s->n_authors; k++)
            FZ_CHECK(s->authors[k] && fz_cstr(s->authors[k]), "an author is not valid UTF-8");
        FZ_CHECK(fz_cstr(s->year) && fz_cstr(s->title) && fz_cstr(s->venue) &&
                 fz_cstr(s->pages) && fz_cstr(s->url) && fz_cstr(s->lang),
                 "a source's fields are not valid UTF-8");
        FZ_CHECK(s->page_first <= s->page_last || s->page_last == 0, "pages out of order");
    }
    for (size_t i = 0; i < doc->n_diags; i++)
        FZ_CHECK(doc->diags[i].message && fz_cstr(doc->diags[i].message),
                 "a diagnostic is not valid UTF-8");
}

unsigned char *fz_zip_of(const uint8_t *data, size_t size, size_t *len)
{
    *len = 0;
    if (size < 3 || memcmp(data, "@@ ", 3) != 0)
        return NULL;
    const char *p = (const char *)data, *end = p + size;
    size_t cap = size + 256 * 65 + 4096;
    unsigned char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    FZ_CHECK(buf && a, "out of memory");
    FZ_CHECK(archive_write_set_format_zip(a) == ARCHIVE_OK &&
                 archive_write_set_options(a, "zip:compression=store") == ARCHIVE_OK &&
                 archive_write_open_memory(a, buf, cap, len) == ARCHIVE_OK,
             "libarchive cannot write a zip to memory");
    int entries = 0;
    while (p < end && entries < 64) {
        /* p is at "@@ NAME\n" */
        const char *name = p + 3;
        const char *nl = memchr(name, '\n', (size_t)(end - name));
        const char *body = nl ? nl + 1 : end;
        size_t name_len = (size_t)((nl ? nl : end) - name);
        const char *next = body;
        const char *stop = end;
        while (next < end) {
            const char *q = memchr(next, '\n', (size_t)(end - next));
            if (!q)
                break;
            if ((size_t)(end - q) >= 4 && memcmp(q + 1, "@@ ", 3) == 0) {
                stop = q;
                break;
            }
            next = q + 1;
        }
        char nbuf[512];
        if (name_len == 0 || name_len >= sizeof nbuf || memchr(name, '\0', name_len)) {
            snprintf(nbuf, sizeof nbuf, "entry%d", entries);
        } else {
            memcpy(nbuf, name, name_len);
            nbuf[name_len] = '\0';
        }
        struct archive_entry *e = archive_entry_new();
        FZ_CHECK(e != NULL, "out of memory");
        archive_entry_set_pathname(e, nbuf);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, 1700000000, 0);
        size_t blen = body < stop ? (size_t)(stop - body) : 0;
        archive_entry_set_size(e, (la_int64_t)blen);
        if (archive_write_header(a, e) == ARCHIVE_OK && blen)
            archive_write_data(a, body, blen);
        archive_entry_free(e);
        entries++;
        p = stop < end ? stop + 1 : end;
    }
    FZ_CHECK(archive_write_close(a) == ARCHIVE_OK, "libarchive cannot close the zip");
    archive_write_free(a);
    return buf;
}

void fz_parse_check(kd_format_t format, const uint8_t *data, size_t size,
                    void (*then)(ka_analyzer_t *an, const kd_document_t *doc))
{
    static const char *const names[] = {
        [KD_FORMAT_AUTO] = "fuzz.txt", [KD_FORMAT_MARKDOWN] = "fuzz.md",
        [KD_FORMAT_TEXT] = "fuzz.txt", [KD_FORMAT_HTML] = "fuzz.html",
        [KD_FORMAT_PDF] = "fuzz.pdf",  [KD_FORMAT_DOCX] = "fuzz.docx",
        [KD_FORMAT_ODT] = "fuzz.odt",  [KD_FORMAT_EPUB] = "fuzz.epub",
    };
    ka_analyzer_t *an = fz_analyzer();
    size_t zlen = 0;
    unsigned char *zip = NULL;
    if (format == KD_FORMAT_DOCX || format == KD_FORMAT_ODT || format == KD_FORMAT_EPUB) {
        zip = fz_zip_of(data, size, &zlen);
        if (zip) {
            data = zip;
            size = zlen;
        }
    }
    kd_document_t *doc = NULL;
    int rc = kd_parse(an, names[format], format, (const char *)data, size, &doc);
    FZ_CHECK(rc == 0, "kd_parse failed");
    fz_check_document(an, doc, names[format], format);
    if (then)
        then(an, doc);
    /* FZ_VERBOSE=1: what each input became, to see that seeds reach the readers. */
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "%s: %zu passages, %zu sources%s%s\n", names[format], doc->n_passages,
                doc->n_sources, doc->error ? "; error: " : "", doc->error ? doc->error : "");
    if (doc->error)
        FZ_CHECK(doc->n_passages == 0 && fz_cstr(doc->error), "a failed document with passages");
    kd_document_free(doc);
    free(zip);
}

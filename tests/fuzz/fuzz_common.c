/*
 * fuzz_common.c - invariant checks shared by the fuzz harnesses.
 */
#include "fuzz_common.h"

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

void fz_check_document(ka_analyzer_t *an, const kd_document_t *doc, const char *name)
{
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
        FZ_CHECK(p->lang && (strcmp(p->lang, "fa") == 0 || strcmp(p->lang, "ru") == 0 ||
                             strcmp(p->lang, "en") == 0 || strcmp(p->lang, "und") == 0),
                 "a passage language outside fa, ru, en, und");
        FZ_CHECK(p->text != NULL, "a passage without text");
        size_t tl = strlen(p->text);
        FZ_CHECK(fz_utf8(p->text, tl), "a passage's text is not valid UTF-8");
#ifdef KD_MAX_PASSAGE_BYTES
        FZ_CHECK(tl <= KD_MAX_PASSAGE_BYTES, "a passage over KD_MAX_PASSAGE_BYTES");
#endif
        FZ_CHECK(p->kind == KD_KIND_BODY || p->kind == KD_KIND_BIBLIO, "an unknown passage kind");
        FZ_CHECK(p->line >= 1, "a passage line below 1");
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
        }
        for (size_t j = 0; j < p->n_citations; j++) {
            const kd_citation_t *c = &p->citations[j];
            FZ_CHECK(c->start <= c->end && c->end <= tl, "a citation outside its passage's text");
            FZ_CHECK(c->text && fz_cstr(c->text), "a citation is not valid UTF-8");
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

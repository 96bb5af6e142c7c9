/*
 * passage_doc.c - the Xapian document of one passage (ki_passage_document):
 * its terms from the one analyzer, the filter terms and values of schema.h,
 * and the stored JSON data kavosh-search prints.
 */
#include "index.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "utf8.h"


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
     * position lists would double the index for no query that uses them.
     * A stem that is the word itself (two words in three) is not indexed
     * either: the query side matches a stem as the stem term or the exact
     * term of the same letters, as one term (search/query.c, stem_query). */
    if (s->st == KX_OK && tok->stem &&
        strcmp(tok->stem + sizeof KA_PREFIX_STEM - 1, tok->term) != 0)
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

/* s as a JSON string, or null for NULL. Document text is valid UTF-8 by
 * now, but file names (and the ids made of them) are stored as they are:
 * one that is not UTF-8 ("bad\xff.md", a KOI8-R name) is shown with
 * U+FFFD for the bytes JSON cannot hold, rather than not at all. */
static json_t *str_or_null(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = 0;
    char *clean = kd_utf8_sanitize(s, strlen(s), &n);
    j = clean ? json_stringn(clean, n) : NULL;
    free(clean);
    return j ? j : json_string("");
}

/* The stored data of a passage: everything the search shows, as JSON.
 * of_source: the entry whose full text doc is, or NULL. */
static char *passage_json(const kd_document_t *doc, const kd_passage_t *p, const char *of_source)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "id", str_or_null(p->id));
    json_object_set_new(o, "doc", str_or_null(doc->name));
    json_object_set_new(o, "section", json_string(p->section ? p->section : ""));
    json_object_set_new(o, "lang", json_string(p->lang ? p->lang : "und"));
    json_object_set_new(o, "kind", json_string(p->kind == KD_KIND_BIBLIO ? "biblio" : "body"));
    /* Where it starts: the page of a PDF, the line of a text file (formats
     * without either, DOCX and the like, have neither). */
    if (p->page > 0)
        json_object_set_new(o, "page", json_integer(p->page));
    else if (p->line > 0)
        json_object_set_new(o, "line", json_integer(p->line));
    json_object_set_new(o, "text", json_string(p->text ? p->text : ""));
    /* The document's own title and author (Markdown front matter). */
    if (doc->title)
        json_object_set_new(o, "title", str_or_null(doc->title));
    if (doc->author)
        json_object_set_new(o, "author", str_or_null(doc->author));
    if (of_source)
        json_object_set_new(o, "of_source", str_or_null(of_source));

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
        json_object_set_new(o, "source", json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                                                   "id", str_or_null(s->id),
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

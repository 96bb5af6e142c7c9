/*
 * document.h - a source file turned into passages, footnote glosses,
 * bibliography entries and in-text citations.
 *
 * kd_parse() never trusts its input: any bytes give a document (possibly with
 * diagnostics), never a crash. All strings in a kd_document_t are owned by it,
 * NUL-terminated UTF-8, and freed by kd_document_free().
 */
#ifndef KAVOSH_DOCUMENT_H
#define KAVOSH_DOCUMENT_H

#include <stddef.h>

#include "analyzer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kd_format {
    KD_FORMAT_AUTO = 0,   /* by file name (kd_format_of) */
    KD_FORMAT_MARKDOWN,
    KD_FORMAT_TEXT,       /* paragraphs separated by blank lines */
    KD_FORMAT_HTML,
    KD_FORMAT_PDF,        /* poppler-glib: text page by page */
    KD_FORMAT_DOCX,       /* Word: a zip of XML (libarchive + libxml2) */
    KD_FORMAT_ODT,        /* OpenDocument text (LibreOffice), likewise */
    KD_FORMAT_EPUB        /* a zip of XHTML, read in spine order */
} kd_format_t;

/* The format a file name's extension says, or KD_FORMAT_AUTO if it is none
 * kavosh reads: .md .markdown -> Markdown; .txt .text -> text; .html .htm
 * .xhtml -> HTML; .pdf; .docx; .odt; .epub. */
kd_format_t kd_format_of(const char *name);

/* Options of kd_parse_with. */
typedef struct kd_options {
    const char *encoding;   /* read text formats in this encoding (an ICU converter
                               name: "windows-1256", "KOI8-R") instead of guessing; NULL */
} kd_options_t;

/* Whether ICU has a converter called name (for --encoding). */
int kd_encoding_valid(const char *name);

/* The largest passage text, in bytes. A real paragraph is under 4 KiB (the
 * article's longest is 3.4 KiB); a longer run of text without paragraph
 * breaks is cut into passages at sentence ends or line breaks, so that the
 * cost of indexing, matching and making a snippet of one passage stays
 * bounded whatever the file. */
#define KD_MAX_PASSAGE_BYTES 8192

typedef enum kd_passage_kind {
    KD_KIND_BODY = 0,      /* a paragraph of running text (or a heading-less block) */
    KD_KIND_BIBLIO         /* one bibliography entry */
} kd_passage_kind_t;

/* A footnote marker in a passage, linked to its gloss. */
typedef struct kd_gloss {
    char  *marker;   /* the marker as written: "۳", "3" */
    char  *gloss;    /* the footnote text: "Grand Chess Board"; NULL if no footnote was found */
    char  *term;     /* the words before the marker that the gloss translates, or NULL */
    size_t offset;   /* byte offset in the passage text where the marker stood */
} kd_gloss_t;

/* An in-text citation. */
typedef struct kd_citation {
    char  *text;       /* as written, with its parentheses: "(کولایی، ۱۳۸۴: ۲۱۶)" */
    size_t start, end; /* byte offsets in the passage text */
    char  *author;     /* the name part as written: "کولایی", NULL if none */
    char  *year;       /* as written, ASCII digits: "1384", NULL if none */
    char  *pages;      /* as written, ASCII digits: "216", "22-25", NULL if none */
    long   source;     /* index into kd_document_t.sources, -1 if unresolved */
    double confidence; /* 0..1; 0 when unresolved */
} kd_citation_t;

/* A bibliography entry: a source the document cites. */
typedef struct kd_source {
    char    *id;         /* stable id: "<doc name>#ref-<n>" (n 1-based in bibliography order) */
    char    *text;       /* the entry as written (inline markup removed) */
    char   **authors;    /* surnames or organisation names, as written */
    size_t   n_authors;
    char    *year;       /* as written, ASCII digits ("1384", "2020"), NULL if none */
    int      calendar;   /* 'S' Solar Hijri, 'G' Gregorian, 0 unknown */
    int      year_gregorian; /* the year in the Gregorian calendar (SH + 621), 0 unknown */
    char    *title;
    char    *venue;
    char    *pages;      /* "45-67" or NULL */
    unsigned page_first, page_last;   /* 0 if unknown */
    char    *url;
    char    *lang;       /* "fa", "ru", "en" */
    size_t   passage;    /* index of the KD_KIND_BIBLIO passage holding it */
} kd_source_t;

typedef struct kd_passage {
    unsigned           ordinal;     /* 1-based, stable for unchanged input */
    char              *id;          /* "<doc name>#<ordinal>" */
    char              *section;     /* heading path, " > " between levels; "" before any heading */
    char              *lang;        /* "fa", "ru", "en", "und" */
    char              *text;        /* display text: inline markup and footnote markers removed */
    kd_passage_kind_t  kind;
    unsigned           line;        /* 1-based line in the file where the passage starts
                                       (0 for formats without lines: PDF, DOCX, ...) */
    unsigned           page;        /* 1-based page of a PDF where it starts; 0 if none */
    kd_gloss_t        *glosses;
    size_t             n_glosses;
    kd_citation_t     *citations;
    size_t             n_citations;
    long               source;      /* KD_KIND_BIBLIO: index into sources; else -1 */
} kd_passage_t;

/* A warning about the input, with where it is. */
typedef struct kd_diag {
    unsigned line, column;  /* 1-based; column in characters; line 0: about the whole file */
    char    *message;
} kd_diag_t;

typedef struct kd_document {
    char          *name;        /* as given to kd_parse: "article.fa.md" */
    kd_passage_t  *passages;
    size_t         n_passages;
    kd_source_t   *sources;
    size_t         n_sources;
    kd_diag_t     *diags;
    size_t         n_diags;
    char          *encoding;    /* what a text file was read as when not plain UTF-8
                                   ("windows-1256", "UTF-16LE"), else NULL */
    char          *title;       /* the document's title (Markdown front matter), or NULL */
    char          *author;      /* its author(s), "; " between them, or NULL */
    char          *error;       /* the file could not be read as its format at all
                                   ("no text: scanned?", "not a PDF: ..."): then it has
                                   no passages and should be counted as failed; else NULL */
} kd_document_t;

/* Whether buf[0..len) is binary data rather than text: more than a quarter
 * of its bytes NUL or C0/DEL controls other than white space and ESC (a
 * UTF-16 byte order mark exempts it); *percent receives their share. */
int kd_binary_share(const char *buf, size_t len, size_t *percent);

/* Parse buf[0..len) named `name` (used in ids and messages). A Markdown,
 * text or HTML buffer that kd_binary_share() calls binary gives a document
 * without passages and one diagnostic saying so, at no cost. The analyzer is
 * used for language guessing and for folding names when resolving citations.
 * Returns 0 and sets *out, or -1 on allocation failure (then *out is NULL). */
int kd_parse(ka_analyzer_t *an, const char *name, kd_format_t format,
             const char *buf, size_t len, kd_document_t **out);
/* The same with options (opt may be NULL). */
int kd_parse_with(ka_analyzer_t *an, const char *name, kd_format_t format,
                  const char *buf, size_t len, const kd_options_t *opt, kd_document_t **out);

void kd_document_free(kd_document_t *doc);              /* NULL ok */

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_DOCUMENT_H */

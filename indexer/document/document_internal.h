/*
 * document_internal.h - what the files of indexer/document/ share and nobody
 * else sees.
 *
 * Every input format (markdown.c, plaintext.c, html.c, pdf.c, office.c) is
 * first turned into a flat list of blocks: headings, thematic breaks,
 * paragraphs and list items,
 * each with its text already free of inline markup and with the footnote
 * markers lifted out (their byte offsets kept). passages.c then builds the
 * document from blocks alone, so the page-break rejoining, the footnote
 * linking and the bibliography work the same whatever the format was.
 *
 * Strings handed between these files are owned by the structure that holds
 * them; kd_blocks_free() and kd_document_free() release everything.
 */
#ifndef KAVOSH_DOCUMENT_INTERNAL_H
#define KAVOSH_DOCUMENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "document.h"
#include "strbuf.h"
#include "utf8.h"

struct kd_builder;   /* below: the document being built */

/* ---- numbers and years of the three digit scripts (years.c) ---- */

/* Parse the digits of s[0..n) (any of the scripts above, other characters
 * skipped) into ASCII; returns a new string or NULL if s has no digit. */
char  *kd_digits_ascii(const char *s, size_t n);

/* A run of digits (of any of the scripts above) in a string. */
typedef struct kd_num {
    size_t        start, end;   /* byte offsets */
    unsigned long value;
    unsigned      digits;
} kd_num_t;

/* Find the next run of digits in s[from..n); returns 1 and fills *out, or 0. */
int kd_next_number(const char *s, size_t n, size_t from, kd_num_t *out);
/* 'S' if a 4-digit number is a plausible Solar Hijri year, 'G' if Gregorian, else 0. */
int kd_year_calendar(const kd_num_t *num);
/* The Gregorian year of a year in calendar cal ('S' years map to their first
 * Gregorian year, SH + 621). */
int kd_year_gregorian(unsigned long year, int cal);

/* ---- blocks (blocks.c) ---- */

typedef enum kd_block_type {
    KD_BLOCK_PARA = 0,   /* a paragraph (or an HTML/code block turned into text) */
    KD_BLOCK_HEADING,
    KD_BLOCK_BREAK,      /* a thematic break, "---" */
    KD_BLOCK_ITEM        /* a list item: its paragraphs joined by newlines */
} kd_block_type_t;

typedef struct kd_mark {
    char  *marker;       /* the marker as written, e.g. "۳" */
    size_t offset;       /* byte offset in the block text */
} kd_mark_t;

typedef struct kd_block {
    kd_block_type_t type;
    int       level;     /* heading level 1..6 */
    int       ordered;   /* KD_BLOCK_ITEM: 1 in an ordered list */
    long      number;    /* KD_BLOCK_ITEM in an ordered list: its number */
    char     *text;      /* markup removed; '\n' where the source broke the line */
    size_t    len;
    kd_mark_t *marks;
    size_t    n_marks;
    char     *runin;     /* a bold run-in heading at the start ("روابط سیاسی"), or NULL */
    unsigned  line;      /* 1-based source line of the block's start */
    unsigned  page;      /* 1-based PDF page of the block's start, 0 if none */
    long      note;      /* > 0: a note the format marks as such (a Markdown [^1]
                            definition, a DOCX or ODT footnote), for the marker of
                            that number: linked as a gloss whatever its length */
} kd_block_t;

typedef struct kd_blocks {
    kd_block_t *v;
    size_t      n, cap;
    int         oom;
} kd_blocks_t;

/* Collects the text of one block: collapses white space, drops leading and
 * trailing space, and keeps line breaks as '\n' (one per run of breaks). */
typedef struct kd_text_builder {
    kd_buf_t   buf;
    kd_mark_t *marks;
    size_t     n_marks, cap_marks;
    int        pending;  /* 0 none, ' ' or '\n': white space seen but not yet written */
    int        oom;
} kd_text_builder_t;

void kd_tb_text(kd_text_builder_t *tb, const char *s, size_t n);
void kd_tb_break(kd_text_builder_t *tb);                  /* a line break */
void kd_tb_space(kd_text_builder_t *tb);
void kd_tb_marker(kd_text_builder_t *tb, const char *marker, size_t n);
void kd_tb_reset(kd_text_builder_t *tb);

/* Append a block made of tb's text (tb is reset). Empty paragraphs are
 * dropped; a paragraph or item longer than KD_MAX_PASSAGE_BYTES becomes
 * several blocks cut at sentence ends or line breaks (the run-in heading on
 * the first); a heading longer than KD_MAX_HEADING_BYTES is cut. runin is
 * copied. Returns 0, or -1 on allocation failure. */
int  kd_blocks_push(kd_blocks_t *bl, kd_block_type_t type, kd_text_builder_t *tb,
                    unsigned line, const char *runin);
void kd_blocks_free(kd_blocks_t *bl);
/* Where a piece of at most max bytes of text[0..len) ends (blocks.c). */
size_t kd_cut_point(const char *text, size_t len, size_t max);
/* A heading is a title; longer is not one, and it would be repeated in the
 * section path of every passage under it. */
#define KD_MAX_HEADING_BYTES 1024

/* Remove control characters and terminal escape sequences from text[0..len)
 * in place (see controls.c for which), moving the offsets of marks[0..n)
 * (in increasing order) with the text; NUL-terminates when it shortens the
 * text. Returns the new length. */
size_t kd_strip_controls(char *text, size_t len, kd_mark_t *marks, size_t n_marks);

/* ---- the three readers: bytes (valid UTF-8, no NUL) -> blocks ---- */

/* What a Markdown file's YAML front matter says (malloc'd strings, or NULL). */
typedef struct kd_front {
    char *title;
    char *author;
} kd_front_t;

int kd_read_markdown(const char *buf, size_t len, kd_blocks_t *out, kd_front_t *front);
int kd_read_text(const char *buf, size_t len, kd_blocks_t *out);
int kd_read_html(const char *buf, size_t len, kd_blocks_t *out);
/* The binary formats: any bytes -> blocks. A file that cannot be read as
 * the format at all sets *error to a message (malloc'd) and gives no
 * blocks; warnings go to diag (the builder's). */
int kd_read_pdf(struct kd_builder *b, const char *buf, size_t len, kd_blocks_t *out, char **error);
int kd_read_office(struct kd_builder *b, kd_format_t format, const char *buf, size_t len,
                   kd_blocks_t *out, char **error);
/* pdf.c's repairs, for its tests: one line of extracted text repaired
 * (marks, presentation forms, visual order; malloc'd, NULL on oom), and the
 * lam-alef pairs of a whole text turned around in place (0, or -1 on oom). */
char *kd_pdf_repair_line(const char *s, size_t n, size_t *out_len);
int   kd_pdf_repair_lam_alef(char *text, size_t len);
/* Strip the tags of an HTML fragment into tb (used for raw HTML inside Markdown too). */
void kd_html_to_text(const char *s, size_t n, kd_text_builder_t *tb);

/* ---- building the document (passages.c, footnotes.c; kd_diag and
 *      kd_passage_new in builder.c) ---- */

typedef struct kd_builder {
    ka_analyzer_t *an;
    kd_document_t *doc;
    size_t         cap_passages, cap_sources, cap_diags;
    int            oom;
} kd_builder_t;

int  kd_build(kd_builder_t *b, const kd_blocks_t *bl);
/* The bytes of a text file as UTF-8 (encoding.c): forced encoding, byte order
 * mark, UTF-8, an HTML file's declared charset, else ICU's detector; sets
 * b->doc->encoding and adds the warnings. malloc'd, NULL on oom. */
char *kd_decode_text(kd_builder_t *b, int html, const char *forced, const char *buf, size_t len,
                     size_t *out_len);
void kd_diag(kd_builder_t *b, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A new passage at the end of doc->passages, zeroed except ordinal/id/source; NULL on oom. */
kd_passage_t *kd_passage_new(kd_builder_t *b);

/* The words before text[offset] that a gloss of n_gloss_words words translates. */
char *kd_gloss_term(const char *text, size_t offset, const char *gloss);
/* If line[0..n) looks like a footnote ("1. Central Asia", "۳ Heart Land"),
 * return its number and set *gloss and *gloss_len to the note text; else -1. */
long kd_footnote_line(const char *line, size_t n, const char **gloss, size_t *gloss_len);

/* ---- bibliography, citations (bibliography.c, citations.c, resolve.c) ---- */

int  kd_is_bibliography_title(const char *title);
int  kd_is_bibliography_part(const char *title);
/* Split the bibliography blocks into entries and add a BIBLIO passage and a
 * source for each. */
int  kd_bibliography_add(kd_builder_t *b, const kd_block_t *blocks, size_t n, const char *section);
/* Detect the in-text citations of every body passage. */
int  kd_citations_detect(kd_builder_t *b);
/* Resolve every citation to a source (or -1). */
int  kd_citations_resolve(kd_builder_t *b);

#endif /* KAVOSH_DOCUMENT_INTERNAL_H */

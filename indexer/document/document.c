/*
 * document.c - kd_parse(): pick the reader for the format (by extension:
 * kd_format_of), decode a text file's bytes (encoding.c), build passages,
 * then find and resolve citations; and kd_document_free().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* The extensions kavosh reads, and as what. */
static const struct {
    const char *ext;
    kd_format_t format;
} formats[] = {
    { ".md", KD_FORMAT_MARKDOWN },  { ".markdown", KD_FORMAT_MARKDOWN },
    { ".txt", KD_FORMAT_TEXT },     { ".text", KD_FORMAT_TEXT },
    { ".html", KD_FORMAT_HTML },    { ".htm", KD_FORMAT_HTML },  { ".xhtml", KD_FORMAT_HTML },
    { ".pdf", KD_FORMAT_PDF },      { ".docx", KD_FORMAT_DOCX },
    { ".odt", KD_FORMAT_ODT },      { ".epub", KD_FORMAT_EPUB },
};

kd_format_t
kd_format_of(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (!dot || dot == name || strchr(dot, '/'))
        return KD_FORMAT_AUTO;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(dot, formats[i].ext) == 0)
            return formats[i].format;
    return KD_FORMAT_AUTO;
}

int
kd_binary_share(const char *buf, size_t len, size_t *percent)
{
    const unsigned char *u = (const unsigned char *)buf;
    *percent = 0;
    if (!buf || len == 0)
        return 0;
    /* UTF-16 text (half NULs) is text in another encoding, not binary. */
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return 0;
    size_t bad = 0;
    for (size_t i = 0; i < len; i++)
        if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r' && u[i] != '\f' &&
             u[i] != '\v' && u[i] != 0x1b) || u[i] == 0x7f)
            bad++;
    *percent = (size_t)((double)bad * 100.0 / (double)len);
    return bad > len / 4;
}

int
kd_parse(ka_analyzer_t *an, const char *name, kd_format_t format,
         const char *buf, size_t len, kd_document_t **out)
{
    return kd_parse_with(an, name, format, buf, len, NULL, out);
}

int
kd_parse_with(ka_analyzer_t *an, const char *name, kd_format_t format,
              const char *buf, size_t len, const kd_options_t *opt, kd_document_t **out)
{
    *out = NULL;
    if (!name)
        name = "";
    if (!buf) {
        buf = "";
        len = 0;
    }
    kd_document_t *doc = calloc(1, sizeof *doc);
    if (!doc)
        return -1;
    doc->name = kd_strdup(name);
    if (!doc->name) {
        kd_document_free(doc);
        return -1;
    }
    if (format == KD_FORMAT_AUTO)
        format = kd_format_of(name);
    if (format == KD_FORMAT_AUTO)
        format = KD_FORMAT_TEXT;
    /* Text formats only: a NUL or control byte for every four is not text. */
    size_t binary = 0;
    if ((format == KD_FORMAT_MARKDOWN || format == KD_FORMAT_TEXT || format == KD_FORMAT_HTML) &&
        kd_binary_share(buf, len, &binary)) {
        kd_builder_t bb = { .an = an, .doc = doc };
        kd_diag(&bb, 1, 1, "binary data, not text (%zu%% of the bytes are NUL or control "
                "characters): not indexed", binary);
        if (bb.oom) {
            kd_document_free(doc);
            return -1;
        }
        *out = doc;
        return 0;
    }

    kd_builder_t b = {0};
    b.an = an;
    b.doc = doc;
    kd_blocks_t blocks = {0};
    int rc;
    if (format == KD_FORMAT_PDF) {
        rc = kd_read_pdf(&b, buf, len, &blocks, &doc->error);
    } else if (format == KD_FORMAT_DOCX || format == KD_FORMAT_ODT || format == KD_FORMAT_EPUB) {
        rc = kd_read_office(&b, format, buf, len, &blocks, &doc->error);
    } else {
        size_t clean_len = 0;
        char *clean = kd_decode_text(&b, format == KD_FORMAT_HTML,
                                     opt ? opt->encoding : NULL, buf, len, &clean_len);
        if (!clean || b.oom) {
            free(clean);
            kd_document_free(doc);
            return -1;
        }
        switch (format) {
        case KD_FORMAT_MARKDOWN: {
            kd_front_t front = {0};
            rc = kd_read_markdown(clean, clean_len, &blocks, &front);
            doc->title = front.title;
            doc->author = front.author;
            break;
        }
        case KD_FORMAT_HTML:
            rc = kd_read_html(clean, clean_len, &blocks);
            break;
        default:
            rc = kd_read_text(clean, clean_len, &blocks);
            break;
        }
        free(clean);
    }

    if (rc == 0 && !b.oom)
        rc = kd_build(&b, &blocks);
    kd_blocks_free(&blocks);
    if (rc == 0 && !b.oom)
        rc = kd_citations_detect(&b);
    if (rc == 0 && !b.oom)
        rc = kd_citations_resolve(&b);
    if (rc < 0 || b.oom) {
        kd_document_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

static void
free_source(kd_source_t *s)
{
    free(s->id);
    free(s->text);
    for (size_t i = 0; i < s->n_authors; i++)
        free(s->authors[i]);
    free(s->authors);
    free(s->year);
    free(s->title);
    free(s->venue);
    free(s->pages);
    free(s->url);
    free(s->lang);
}

void
kd_document_free(kd_document_t *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_passages; i++) {
        kd_passage_t *p = &doc->passages[i];
        free(p->id);
        free(p->section);
        free(p->lang);
        free(p->text);
        for (size_t j = 0; j < p->n_glosses; j++) {
            free(p->glosses[j].marker);
            free(p->glosses[j].gloss);
            free(p->glosses[j].term);
        }
        free(p->glosses);
        for (size_t j = 0; j < p->n_citations; j++) {
            free(p->citations[j].text);
            free(p->citations[j].author);
            free(p->citations[j].year);
            free(p->citations[j].pages);
        }
        free(p->citations);
    }
    free(doc->passages);
    for (size_t i = 0; i < doc->n_sources; i++)
        free_source(&doc->sources[i]);
    free(doc->sources);
    for (size_t i = 0; i < doc->n_diags; i++)
        free(doc->diags[i].message);
    free(doc->diags);
    free(doc->encoding);
    free(doc->title);
    free(doc->author);
    free(doc->error);
    free(doc->name);
    free(doc);
}

/*
 * office.c - DOCX, ODT and EPUB to blocks: each is a zip of XML, opened with
 * libarchive and parsed with libxml2.
 *
 *   DOCX (word/document.xml): every w:p a paragraph; a paragraph whose style
 *   is a heading (word/styles.xml: an outline level, or a style named
 *   "heading N" or "Title"; or an outline level of its own) a heading of
 *   that level, so headings make the section path. Footnote and endnote
 *   references (w:footnoteReference, w:endnoteReference) become markers
 *   numbered in the order they appear, and the notes themselves
 *   (word/footnotes.xml, word/endnotes.xml) are given after the text, each
 *   with its marker, so that passages.c links them as glosses exactly as it
 *   links the footnotes of a Markdown text.
 *   ODT (content.xml): text:h with its outline level is a heading, text:p a
 *   paragraph; a text:note (footnote or endnote) leaves a marker where it
 *   stands and its body becomes the note, as for DOCX.
 *   EPUB: META-INF/container.xml names the package (OPF) file, whose spine
 *   gives the order of the XHTML files of the manifest; each is read as
 *   HTML (html.c) in that order.
 *
 * The trees are walked without recursion, so a hostile nesting depth cannot
 * exhaust the stack; libxml2 gets no network access and substitutes no
 * external entities. An entry larger than KD_ZIP_ENTRY_MAX, or entries
 * adding up to more than KD_ZIP_TOTAL_MAX, make the file fail (a zip bomb
 * must not take the machine's memory).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "document_internal.h"
#include "strbuf.h"
#include "utf8.h"

#define KD_ZIP_ENTRY_MAX (64u * 1024u * 1024u)
#define KD_ZIP_TOTAL_MAX (256u * 1024u * 1024u)
/* Marker numbers at most: beyond this a note is kept as text only. */
#define KD_NOTES_MAX 10000

/* ---------------------------------------------------------------------- */
/* The zip                                                                 */

typedef struct zentry {
    char  *name;
    char  *data;
    size_t len;
} zentry_t;

typedef struct zip {
    zentry_t *v;
    size_t    n, cap;
} zip_t;

static void
zip_free(zip_t *z)
{
    for (size_t i = 0; i < z->n; i++) {
        free(z->v[i].name);
        free(z->v[i].data);
    }
    free(z->v);
    memset(z, 0, sizeof *z);
}

/* Read every regular entry of the zip in buf. 0, or -1 with *error set
 * (or left NULL on oom). */
static int
zip_read(const char *buf, size_t len, const char *what, zip_t *z, char **error)
{
    struct archive *a = archive_read_new();
    if (!a)
        return -1;
    archive_read_support_format_zip(a);
    char msg[320];
    msg[0] = '\0';
    if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
        snprintf(msg, sizeof msg, "not a readable %s (not a zip file: %s)", what,
                 archive_error_string(a) ? archive_error_string(a) : "unknown error");
        goto fail;
    }
    size_t total = 0;
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        const char *name = archive_entry_pathname(e);
        if (!name)
            continue;
        kd_buf_t data = {0};
        char chunk[16384];
        la_ssize_t got;
        while ((got = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            total += (size_t)got;
            if (data.len + (size_t)got > KD_ZIP_ENTRY_MAX || total > KD_ZIP_TOTAL_MAX) {
                kd_buf_free(&data);
                snprintf(msg, sizeof msg, "%s: %s unpacks to more than %u MB; not read", what,
                         name, (unsigned)((data.len + (size_t)got > KD_ZIP_ENTRY_MAX
                                               ? KD_ZIP_ENTRY_MAX : KD_ZIP_TOTAL_MAX) >> 20));
                goto fail;
            }
            kd_buf_add(&data, chunk, (size_t)got);
        }
        if (got < 0) {
            kd_buf_free(&data);
            snprintf(msg, sizeof msg, "damaged %s (%s: %s)", what, name,
                     archive_error_string(a) ? archive_error_string(a) : "cannot unpack");
            goto fail;
        }
        if (data.oom) {
            kd_buf_free(&data);
            goto fail;
        }
        zentry_t *v = kd_vec_grow(z->v, &z->cap, z->n + 1, sizeof *v, 16);
        if (!v) {
            kd_buf_free(&data);
            goto fail;
        }
        z->v = v;
        z->v[z->n].len = data.len;
        z->v[z->n].data = kd_buf_take(&data);
        z->v[z->n].name = kd_strdup(name);
        if (!z->v[z->n].data || !z->v[z->n].name) {
            free(z->v[z->n].data);
            free(z->v[z->n].name);
            goto fail;
        }
        z->n++;
    }
    if (r != ARCHIVE_EOF) {
        snprintf(msg, sizeof msg, "damaged %s (%s)", what,
                 archive_error_string(a) ? archive_error_string(a) : "cannot read the zip");
        goto fail;
    }
    archive_read_free(a);
    return 0;
fail:
    archive_read_free(a);
    zip_free(z);
    if (msg[0]) {
        /* An entry's name is any bytes, and snprintf may have cut a
         * character: the message is made valid UTF-8 without controls (a
         * fuzzed DOCX named its entry in raw deflate output). */
        size_t n = 0;
        char *clean = kd_utf8_sanitize(msg, strlen(msg), &n);
        if (clean) {
            n = kd_strip_controls(clean, n, NULL, 0);
            clean[n] = '\0';
        }
        *error = clean;
    }
    return -1;
}

static const zentry_t *
zip_find(const zip_t *z, const char *name)
{
    for (size_t i = 0; i < z->n; i++)
        if (strcmp(z->v[i].name, name) == 0)
            return &z->v[i];
    return NULL;
}

static xmlDocPtr
parse_xml(const zentry_t *e)
{
    if (!e || e->len > (size_t)0x7FFFFFFF)
        return NULL;
    return xmlReadMemory(e->data, (int)e->len, e->name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* ---------------------------------------------------------------------- */
/* Walking a tree without recursion                                        */

/* The next node in document order after n, skipping n's children when
 * skip is set; NULL after the last node below root. */
static xmlNodePtr
next_node(xmlNodePtr n, xmlNodePtr root, int skip)
{
    if (!skip && n->children)
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

static int
is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* An attribute by local name, whatever its namespace; xmlFree the result. */
static xmlChar *
attr(xmlNodePtr n, const char *name)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (strcmp((const char *)a->name, name) == 0)
            return xmlNodeGetContent((xmlNodePtr)a);
    return NULL;
}

static void
add_content(kd_text_builder_t *tb, xmlNodePtr n)
{
    xmlChar *c = xmlNodeGetContent(n);
    if (c) {
        kd_tb_text(tb, (const char *)c, strlen((const char *)c));
        xmlFree(c);
    }
}

/* Push tb as a block of the type and level (a heading when level > 0). */
static int
push(kd_blocks_t *out, kd_text_builder_t *tb, int level)
{
    size_t before = out->n;
    if (kd_blocks_push(out, level > 0 ? KD_BLOCK_HEADING : KD_BLOCK_PARA, tb, 0, NULL) < 0)
        return -1;
    if (level > 0 && out->n > before)
        out->v[out->n - 1].level = level > 6 ? 6 : level;
    return 0;
}

/* The notes of a document, given after its text. */
typedef struct notes {
    kd_blocks_t bl;   /* one paragraph per note, its marker at offset 0 */
    unsigned    next; /* the number the next marker gets */
} notes_t;

static void
marker_text(unsigned num, char *s, size_t cap)
{
    snprintf(s, cap, "%u", num);
}

/* The notes after a break, so that passages.c takes them for notes. */
static int
append_notes(kd_blocks_t *out, notes_t *nt)
{
    if (nt->bl.n == 0)
        return 0;
    kd_text_builder_t empty = {0};
    if (kd_blocks_push(out, KD_BLOCK_BREAK, &empty, 0, NULL) < 0)
        return -1;
    for (size_t i = 0; i < nt->bl.n; i++) {
        kd_block_t *v = kd_vec_grow(out->v, &out->cap, out->n + 1, sizeof *v, 32);
        if (!v) {
            out->oom = 1;
            return -1;
        }
        out->v = v;
        out->v[out->n++] = nt->bl.v[i];
    }
    nt->bl.n = 0;   /* moved */
    return 0;
}

/* ---------------------------------------------------------------------- */
/* DOCX                                                                    */

typedef struct hstyle {
    char *id;
    int   level;
} hstyle_t;

typedef struct styles {
    hstyle_t *v;
    size_t    n, cap;
} styles_t;

static int
heading_level_of_name(const char *name)
{
    if (!name)
        return 0;
    if (strcasecmp(name, "title") == 0)
        return 1;
    if (strncasecmp(name, "heading", 7) == 0) {
        const char *p = name + 7;
        while (*p == ' ')
            p++;
        if (*p >= '1' && *p <= '9' && !p[1])
            return *p - '0';
    }
    return 0;
}

static void
docx_styles(const zip_t *z, styles_t *st)
{
    xmlDocPtr doc = parse_xml(zip_find(z, "word/styles.xml"));
    if (!doc)
        return;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    for (xmlNodePtr n = root; n; n = next_node(n, root, 0)) {
        if (!is(n, "style"))
            continue;
        xmlChar *id = attr(n, "styleId");
        int level = 0;
        for (xmlNodePtr c = n->children; c; c = c->next) {
            if (is(c, "name")) {
                xmlChar *v = attr(c, "val");
                if (!level)
                    level = heading_level_of_name((const char *)v);
                xmlFree(v);
            } else if (is(c, "pPr")) {
                for (xmlNodePtr d = c->children; d; d = d->next)
                    if (is(d, "outlineLvl")) {
                        xmlChar *v = attr(d, "val");
                        if (v && v[0] >= '0' && v[0] <= '8')
                            level = v[0] - '0' + 1;
                        xmlFree(v);
                    }
            }
        }
        if (id && level > 0 && st->n < 4096) {
            hstyle_t *v = kd_vec_grow(st->v, &st->cap, st->n + 1, sizeof *v, 16);
            if (!v) {
                xmlFree(id);
                break;
            }
            st->v = v;
            st->v[st->n].id = kd_strdup((const char *)id);
            st->v[st->n].level = level;
            if (st->v[st->n].id)
                st->n++;
        }
        xmlFree(id);
    }
    xmlFreeDoc(doc);
}

static int
style_level(const styles_t *st, const char *id)
{
    for (size_t i = 0; id && i < st->n; i++)
        if (strcmp(st->v[i].id, id) == 0)
            return st->v[i].level;
    /* A document without styles.xml still names the built-in ones. */
    return heading_level_of_name(id);
}

/* The heading level of a w:p (0: a paragraph). */
static int
docx_para_level(xmlNodePtr p, const styles_t *st)
{
    for (xmlNodePtr c = p->children; c; c = c->next) {
        if (!is(c, "pPr"))
            continue;
        int level = 0;
        for (xmlNodePtr d = c->children; d; d = d->next) {
            xmlChar *v = NULL;
            if (is(d, "outlineLvl") && (v = attr(d, "val")) && v[0] >= '0' && v[0] <= '8')
                level = v[0] - '0' + 1;
            else if (is(d, "pStyle") && (v = attr(d, "val")) && !level)
                level = style_level(st, (const char *)v);
            xmlFree(v);
        }
        return level;
    }
    return 0;
}

/* A note id of word/footnotes.xml or endnotes.xml and the number its
 * reference got in the text. */
typedef struct noteref {
    int      endnote;
    long     id;
    unsigned num;
} noteref_t;

typedef struct docx {
    styles_t   styles;
    noteref_t *refs;
    size_t     n_refs, cap_refs;
    notes_t    notes;
} docx_t;

/* Walk the paragraphs below root into out. In notes mode (root is a
 * w:footnote or w:endnote), everything goes into one block. */
static int
docx_walk(docx_t *d, xmlNodePtr root, kd_blocks_t *out, kd_text_builder_t *tb)
{
    int level = 0;
    for (xmlNodePtr n = root->children ? root->children : NULL; n;) {
        int skip = 0;
        if (n->type == XML_ELEMENT_NODE) {
            if (is(n, "p")) {
                if (out && tb->buf.len && push(out, tb, level) < 0)
                    return -1;
                if (!out && tb->buf.len)
                    kd_tb_space(tb);
                level = out ? docx_para_level(n, &d->styles) : 0;
            } else if (is(n, "t")) {
                add_content(tb, n);
                skip = 1;
            } else if (is(n, "tab")) {
                kd_tb_space(tb);
            } else if (is(n, "br") || is(n, "cr")) {
                kd_tb_break(tb);
            } else if (is(n, "footnoteReference") || is(n, "endnoteReference")) {
                xmlChar *id = attr(n, "id");
                if (id && out && d->notes.next < KD_NOTES_MAX && d->n_refs < KD_NOTES_MAX) {
                    noteref_t *v = kd_vec_grow(d->refs, &d->cap_refs, d->n_refs + 1, sizeof *v, 16);
                    if (!v) {
                        xmlFree(id);
                        return -1;
                    }
                    d->refs = v;
                    noteref_t *r = &d->refs[d->n_refs++];
                    r->endnote = is(n, "endnoteReference");
                    r->id = strtol((const char *)id, NULL, 10);
                    r->num = ++d->notes.next;
                    char m[16];
                    marker_text(r->num, m, sizeof m);
                    kd_tb_marker(tb, m, strlen(m));
                }
                xmlFree(id);
            } else if (is(n, "delText") || is(n, "instrText") || is(n, "pPr") || is(n, "rPr")) {
                skip = 1;
            }
        }
        n = next_node(n, root, skip);
    }
    if (out && tb->buf.len && push(out, tb, level) < 0)
        return -1;
    return tb->oom ? -1 : 0;
}

/* The notes of word/footnotes.xml or endnotes.xml that the text refers to. */
static int
docx_notes(docx_t *d, const zip_t *z, const char *entry, int endnote)
{
    xmlDocPtr doc = parse_xml(zip_find(z, entry));
    if (!doc)
        return 0;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = 0;
    for (xmlNodePtr n = root ? root->children : NULL; n && rc == 0; n = n->next) {
        if (!is(n, endnote ? "endnote" : "footnote"))
            continue;
        xmlChar *id = attr(n, "id");
        long idv = id ? strtol((const char *)id, NULL, 10) : -1;
        xmlFree(id);
        const noteref_t *ref = NULL;
        for (size_t i = 0; i < d->n_refs; i++)
            if (d->refs[i].endnote == endnote && d->refs[i].id == idv) {
                ref = &d->refs[i];
                break;
            }
        if (!ref)
            continue;   /* the separators, or a note nothing refers to */
        kd_text_builder_t tb = {0};
        char m[16];
        marker_text(ref->num, m, sizeof m);
        kd_tb_marker(&tb, m, strlen(m));
        rc = docx_walk(d, n, NULL, &tb);
        size_t before = d->notes.bl.n;
        if (rc == 0 && kd_blocks_push(&d->notes.bl, KD_BLOCK_PARA, &tb, 0, NULL) < 0)
            rc = -1;
        else if (rc == 0 && d->notes.bl.n > before)
            d->notes.bl.v[d->notes.bl.n - 1].note = (long)ref->num;
        kd_tb_reset(&tb);
    }
    xmlFreeDoc(doc);
    return rc;
}

static int
read_docx(const zip_t *z, kd_blocks_t *out, char **error)
{
    const zentry_t *main = zip_find(z, "word/document.xml");
    xmlDocPtr doc = parse_xml(main);
    if (!doc) {
        *error = kd_strdup(main ? "damaged DOCX (word/document.xml is not well-formed XML)"
                                : "not a DOCX (no word/document.xml)");
        return *error ? 0 : -1;
    }
    docx_t d;
    memset(&d, 0, sizeof d);
    docx_styles(z, &d.styles);
    kd_text_builder_t tb = {0};
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = root ? docx_walk(&d, root, out, &tb) : 0;
    kd_tb_reset(&tb);
    xmlFreeDoc(doc);
    if (rc == 0)
        rc = docx_notes(&d, z, "word/footnotes.xml", 0);
    if (rc == 0)
        rc = docx_notes(&d, z, "word/endnotes.xml", 1);
    if (rc == 0)
        rc = append_notes(out, &d.notes);
    kd_blocks_free(&d.notes.bl);
    for (size_t i = 0; i < d.styles.n; i++)
        free(d.styles.v[i].id);
    free(d.styles.v);
    free(d.refs);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* ODT                                                                     */

/* Walk the ODT tree below root into out (blocks) through tb. With out NULL
 * (a note's body) everything goes into tb, and notes inside are skipped. */
static int
odt_walk(xmlNodePtr root, kd_blocks_t *out, kd_text_builder_t *tb, notes_t *notes)
{
    int level = 0, rc = 0;
    for (xmlNodePtr n = root->children; n && rc == 0;) {
        int skip = 0;
        if (n->type == XML_ELEMENT_NODE) {
            if (is(n, "p") || is(n, "h")) {
                if (!out) {
                    if (tb->buf.len)
                        kd_tb_space(tb);
                } else {
                    if (tb->buf.len && push(out, tb, level) < 0)
                        rc = -1;
                    level = 0;
                    if (is(n, "h")) {
                        xmlChar *v = attr(n, "outline-level");
                        level = v ? atoi((const char *)v) : 1;
                        if (level < 1)
                            level = 1;
                        xmlFree(v);
                    }
                }
            } else if (is(n, "note")) {
                skip = 1;
                if (out && notes->next < KD_NOTES_MAX) {
                    unsigned num = ++notes->next;
                    char m[16];
                    marker_text(num, m, sizeof m);
                    kd_tb_marker(tb, m, strlen(m));
                    kd_text_builder_t nb = {0};
                    kd_tb_marker(&nb, m, strlen(m));
                    for (xmlNodePtr c = n->children; c && rc == 0; c = c->next)
                        if (is(c, "note-body"))
                            rc = odt_walk(c, NULL, &nb, notes);
                    size_t before = notes->bl.n;
                    if (rc == 0 && kd_blocks_push(&notes->bl, KD_BLOCK_PARA, &nb, 0, NULL) < 0)
                        rc = -1;
                    else if (rc == 0 && notes->bl.n > before)
                        notes->bl.v[notes->bl.n - 1].note = (long)num;
                    kd_tb_reset(&nb);
                }
            } else if (is(n, "tracked-changes") || is(n, "annotation") ||
                       is(n, "note-citation")) {
                skip = 1;
            } else if (is(n, "s") || is(n, "tab")) {
                kd_tb_space(tb);
            } else if (is(n, "line-break")) {
                kd_tb_break(tb);
            }
        } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                kd_tb_text(tb, (const char *)n->content, strlen((const char *)n->content));
        }
        n = next_node(n, root, skip);
    }
    if (rc == 0 && out && tb->buf.len && push(out, tb, level) < 0)
        rc = -1;
    return rc < 0 || tb->oom ? -1 : 0;
}

static int
read_odt(const zip_t *z, kd_blocks_t *out, char **error)
{
    const zentry_t *content = zip_find(z, "content.xml");
    xmlDocPtr doc = parse_xml(content);
    if (!doc) {
        *error = kd_strdup(content ? "damaged ODT (content.xml is not well-formed XML)"
                                   : "not an ODT (no content.xml)");
        return *error ? 0 : -1;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    notes_t notes;
    memset(&notes, 0, sizeof notes);
    kd_text_builder_t tb = {0};
    /* Only the body: the styles and fonts of content.xml hold no text. */
    xmlNodePtr body = NULL;
    for (xmlNodePtr n = root; n && !body; n = next_node(n, root, 0))
        if (is(n, "text") && n->parent && is(n->parent, "body"))
            body = n;
    int rc = body ? odt_walk(body, out, &tb, &notes) : 0;
    kd_tb_reset(&tb);
    xmlFreeDoc(doc);
    if (rc == 0)
        rc = append_notes(out, &notes);
    kd_blocks_free(&notes.bl);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* EPUB                                                                    */

/* dir of base ("OEBPS/content.opf" -> "OEBPS/") + href with %XX decoded and
 * "./" and "../" resolved; malloc'd. */
static char *
resolve_href(const char *base, const char *href)
{
    kd_buf_t b = {0};
    const char *slash = strrchr(base, '/');
    if (slash)
        kd_buf_add(&b, base, (size_t)(slash - base) + 1);
    for (const char *p = href; *p && *p != '#'; p++) {
        if (*p == '%' && p[1] && p[2]) {
            char hex[3] = { p[1], p[2], 0 };
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end == '\0' && v > 0) {
                kd_buf_addc(&b, (char)v);
                p += 2;
                continue;
            }
        }
        kd_buf_addc(&b, *p);
    }
    char *s = kd_buf_take(&b);
    if (!s)
        return NULL;
    /* Drop "./" and fold "dir/../". */
    char *w = s;
    for (char *r = s; *r;) {
        if (strncmp(r, "./", 2) == 0 && (r == s || r[-1] == '/')) {
            r += 2;
            continue;
        }
        if (strncmp(r, "../", 3) == 0 && (r == s || r[-1] == '/')) {
            r += 3;
            if (w > s) {
                w--;   /* the '/' before */
                while (w > s && w[-1] != '/')
                    w--;
            }
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
    return s;
}

static int
read_epub(kd_builder_t *b, const zip_t *z, kd_blocks_t *out, char **error)
{
    xmlDocPtr cont = parse_xml(zip_find(z, "META-INF/container.xml"));
    char *opf_path = NULL;
    if (cont) {
        xmlNodePtr root = xmlDocGetRootElement(cont);
        for (xmlNodePtr n = root; n && !opf_path; n = next_node(n, root, 0))
            if (is(n, "rootfile")) {
                xmlChar *fp = attr(n, "full-path");
                if (fp)
                    opf_path = kd_strdup((const char *)fp);
                xmlFree(fp);
            }
        xmlFreeDoc(cont);
    }
    xmlDocPtr opf = opf_path ? parse_xml(zip_find(z, opf_path)) : NULL;
    if (!opf) {
        *error = kd_strdup(opf_path ? "damaged EPUB (its package file cannot be read)"
                                    : "not an EPUB (no META-INF/container.xml naming a package)");
        free(opf_path);
        return *error ? 0 : -1;
    }
    xmlNodePtr root = xmlDocGetRootElement(opf);
    int rc = 0;
    size_t read = 0;
    for (xmlNodePtr n = root; n && rc == 0; n = next_node(n, root, 0)) {
        if (!is(n, "itemref"))
            continue;
        xmlChar *idref = attr(n, "idref");
        if (!idref)
            continue;
        /* The manifest item with that id. */
        char *href = NULL;
        for (xmlNodePtr m = root; m && !href; m = next_node(m, root, 0)) {
            if (!is(m, "item"))
                continue;
            xmlChar *id = attr(m, "id");
            if (id && strcmp((const char *)id, (const char *)idref) == 0) {
                xmlChar *h = attr(m, "href");
                if (h)
                    href = resolve_href(opf_path, (const char *)h);
                xmlFree(h);
            }
            xmlFree(id);
        }
        xmlFree(idref);
        const zentry_t *e = href ? zip_find(z, href) : NULL;
        if (href && !e)
            kd_diag(b, 0, 0, "EPUB: %s is in the spine but not in the book", href);
        free(href);
        if (!e)
            continue;
        size_t clen = 0;
        char *clean = kd_decode_text(b, 1, NULL, e->data, e->len, &clen);
        if (!clean)
            rc = -1;
        else
            rc = kd_read_html(clean, clen, out);
        free(clean);
        read++;
    }
    xmlFreeDoc(opf);
    free(opf_path);
    if (rc == 0 && read == 0) {
        *error = kd_strdup("EPUB with no readable chapter in its spine");
        if (!*error)
            rc = -1;
    }
    return rc;
}

int
kd_read_office(kd_builder_t *b, kd_format_t format, const char *buf, size_t len,
               kd_blocks_t *out, char **error)
{
    *error = NULL;
    const char *what = format == KD_FORMAT_DOCX ? "DOCX" : format == KD_FORMAT_ODT ? "ODT" : "EPUB";
    zip_t z = {0};
    if (zip_read(buf, len, what, &z, error) < 0)
        return *error ? 0 : -1;
    int rc;
    if (format == KD_FORMAT_DOCX)
        rc = read_docx(&z, out, error);
    else if (format == KD_FORMAT_ODT)
        rc = read_odt(&z, out, error);
    else
        rc = read_epub(b, &z, out, error);
    zip_free(&z);
    return rc;
}

/*
 * html.c - HTML to blocks through libxml2's HTML parser.
 *
 * The text arrives as UTF-8 (encoding.c took the charset from a byte order
 * mark, the document's <meta charset> or detection), and libxml2 is told so.
 * It decodes every character reference, named or numeric, and recovers from
 * broken markup the way browsers do. The tree is walked without recursion,
 * so a hostile nesting depth cannot exhaust the stack.
 *
 *   <title> is the document's heading (level 1; <h1>..<h6> are then one
 *   level deeper, and a heading repeating the title is not repeated);
 *   <h1>..<h6> headings; <p>, <div> and the other block elements paragraphs;
 *   <li> a list item (numbered in an <ol>), whatever blocks it holds; a table
 *   row <tr> one passage, its cells joined with " | "; <hr> a thematic
 *   break; <br> a line break; <sup>n</sup> a footnote marker; a note
 *   reference (EPUB's epub:type="noteref", role="doc-noteref") a marker
 *   numbered for the note its href points to, and that note (epub:type
 *   "footnote", "endnote" or "rearnote", role "doc-footnote"...) its gloss;
 *   <script>, <style>, <template>, <noscript> and the rest of <head> are
 *   dropped, and so are comments.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "document_internal.h"

/* Longest superscript still taken for a footnote marker. */
#define KD_MARKER_MAX 12

static const char *const block_tags[] = {
    "p", "div", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "caption",
    "blockquote", "pre", "section", "article", "header", "footer", "aside", "nav",
    "main", "figure", "figcaption", "address", "body", "ul", "ol", "details", "summary",
    "fieldset", "legend", "center", "form", NULL
};

static int
in_list(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int
heading_level(const char *name)
{
    return name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2] ? name[1] - '0' : 0;
}

typedef struct walk {
    kd_blocks_t      *out;     /* NULL: a fragment, block tags become line breaks */
    kd_text_builder_t *tb;
    kd_block_type_t   type;    /* of the block being collected */
    int               level;
    unsigned          line;
    int               item_depth;   /* inside an <li> */
    int               item_ordered;
    long              item_number;
    int               row_depth;    /* inside a <tr> */
    int               cells;        /* cells of the row so far */
    long              ol_next[16];  /* the next number of each open <ol> */
    int               ol_depth;
    char             *title;        /* the <title>, or NULL */
    char            **note_ids;     /* ids of the notes referred to, in order: note i+1 */
    size_t            n_notes;
} walk_t;

static int
end_block(walk_t *w)
{
    if (!w->out) {
        kd_tb_break(w->tb);
        return 0;
    }
    size_t before = w->out->n;
    if (kd_blocks_push(w->out, w->type, w->tb, w->line, NULL) < 0)
        return -1;
    if (w->out->n > before) {
        kd_block_t *b = &w->out->v[w->out->n - 1];
        if (w->type == KD_BLOCK_HEADING)
            b->level = w->level;
        if (w->type == KD_BLOCK_ITEM) {
            b->ordered = w->item_ordered;
            b->number = w->item_number;
        }
    }
    w->type = KD_BLOCK_PARA;
    return 0;
}

static void
start_block(walk_t *w, kd_block_type_t type, xmlNodePtr n)
{
    w->type = type;
    w->line = (unsigned)xmlGetLineNo(n) > 0 ? (unsigned)xmlGetLineNo(n) : 1;
}

/* The EPUB 3 / DPUB-ARIA semantics of an element: 1 for a note reference
 * (epub:type="noteref", role="doc-noteref"), 2 for a note (footnote,
 * endnote, rearnote; role doc-footnote or doc-endnote), else 0. */
static int
note_kind(xmlNodePtr n)
{
    int kind = 0;
    for (xmlAttrPtr a = n->properties; a && !kind; a = a->next) {
        const char *an = (const char *)a->name;
        if (strcmp(an, "epub:type") != 0 && strcmp(an, "type") != 0 && strcmp(an, "role") != 0)
            continue;
        if (strcmp(an, "type") == 0 && !(a->ns && a->ns->prefix &&
                                         strcmp((const char *)a->ns->prefix, "epub") == 0))
            continue;
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        const char *s = v ? (const char *)v : "";
        if (strstr(s, "noteref"))
            kind = 1;
        else if (strstr(s, "footnote") || strstr(s, "endnote") || strstr(s, "rearnote"))
            kind = 2;
        xmlFree(v);
    }
    return kind;
}

/* The number of the note called id (a new one if it is not known yet);
 * 0 when out of memory or past KD_NOTES_MAX. */
#define KD_NOTES_MAX 10000
static long
note_number(walk_t *w, const char *id)
{
    for (size_t i = 0; i < w->n_notes; i++)
        if (strcmp(w->note_ids[i], id) == 0)
            return (long)i + 1;
    if (w->n_notes >= KD_NOTES_MAX)
        return 0;
    char **v = realloc(w->note_ids, (w->n_notes + 1) * sizeof *v);
    if (!v)
        return 0;
    w->note_ids = v;
    if (!(v[w->n_notes] = kd_strdup(id)))
        return 0;
    return (long)++w->n_notes;
}

/* A note reference: a marker numbered for its target. */
static void
note_ref(walk_t *w, xmlNodePtr n)
{
    xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
    const char *h = href ? (const char *)href : "";
    const char *hash = strchr(h, '#');
    long num = hash && hash[1] ? note_number(w, hash + 1) : 0;
    xmlFree(href);
    if (num > 0) {
        char m[24];
        snprintf(m, sizeof m, "%ld", num);
        kd_tb_marker(w->tb, m, strlen(m));
    }
}

/* A note: its text one block, linked to its references' markers. */
static int
note_block(walk_t *w, xmlNodePtr n)
{
    xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
    long num = id ? note_number(w, (const char *)id) : 0;
    xmlFree(id);
    if (end_block(w) < 0)
        return -1;
    xmlChar *c = xmlNodeGetContent(n);
    kd_text_builder_t nb = {0};
    if (c)
        kd_tb_text(&nb, (const char *)c, strlen((const char *)c));
    xmlFree(c);
    size_t before = w->out->n;
    if (kd_blocks_push(w->out, KD_BLOCK_PARA, &nb, (unsigned)xmlGetLineNo(n), NULL) < 0)
        return -1;
    if (w->out->n > before)
        w->out->v[w->out->n - 1].note = num;
    return 0;
}

/* A heading text equal to the title (ignoring spaces at the ends)? */
static int
same_as_title(const walk_t *w)
{
    if (!w->title || !w->tb->buf.p)
        return 0;
    const char *t = w->title;
    size_t tn = strlen(t);
    while (tn && t[tn - 1] == ' ')
        tn--;
    return tn == w->tb->buf.len && memcmp(t, w->tb->buf.p, tn) == 0;
}

static int
enter(walk_t *w, xmlNodePtr n, int *skip)
{
    *skip = 0;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            kd_tb_text(w->tb, (const char *)n->content, strlen((const char *)n->content));
        return 0;
    }
    if (n->type != XML_ELEMENT_NODE) {
        *skip = 1;   /* comments, processing instructions */
        return 0;
    }
    const char *name = (const char *)n->name;
    if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
        strcmp(name, "template") == 0 || strcmp(name, "noscript") == 0) {
        *skip = 1;
        return 0;
    }
    if (strcmp(name, "head") == 0) {
        /* Only its <title> matters. */
        *skip = 1;
        for (xmlNodePtr c = n->children; c && w->out; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "title") == 0 &&
                !w->title) {
                xmlChar *t = xmlNodeGetContent(c);
                kd_text_builder_t tt = {0};
                if (t)
                    kd_tb_text(&tt, (const char *)t, strlen((const char *)t));
                xmlFree(t);
                if (tt.buf.len > 0) {
                    w->title = kd_strndup(tt.buf.p, tt.buf.len);
                    /* The document's heading, before everything. */
                    kd_text_builder_t *keep = w->tb;
                    w->tb = &tt;
                    w->type = KD_BLOCK_HEADING;
                    w->level = 1;
                    w->line = (unsigned)xmlGetLineNo(c) > 0 ? (unsigned)xmlGetLineNo(c) : 1;
                    int rc = end_block(w);
                    w->tb = keep;
                    if (rc < 0 || !w->title) {
                        kd_tb_reset(&tt);
                        return -1;
                    }
                }
                kd_tb_reset(&tt);
            }
        return 0;
    }
    if (strcmp(name, "title") == 0) {   /* a <title> outside <head> */
        *skip = 1;
        return 0;
    }
    int nk = w->out ? note_kind(n) : 0;
    if (nk == 1) {
        *skip = 1;
        note_ref(w, n);
        return 0;
    }
    if (nk == 2 && !w->item_depth && !w->row_depth) {
        *skip = 1;
        return note_block(w, n);
    }
    if (strcmp(name, "sup") == 0) {
        *skip = 1;
        xmlChar *c = xmlNodeGetContent(n);
        const char *s = c ? (const char *)c : "";
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\n'))
            l--;
        while (l && (*s == ' ' || *s == '\n')) {
            s++;
            l--;
        }
        if (l > 0 && l <= KD_MARKER_MAX)
            kd_tb_marker(w->tb, s, l);
        else
            kd_tb_text(w->tb, s, l);
        xmlFree(c);
        return 0;
    }
    if (strcmp(name, "br") == 0) {
        kd_tb_break(w->tb);
        return 0;
    }
    if (strcmp(name, "hr") == 0) {
        if (w->item_depth || w->row_depth || !w->out)
            return 0;
        if (end_block(w) < 0)
            return -1;
        kd_text_builder_t empty = {0};
        return kd_blocks_push(w->out, KD_BLOCK_BREAK, &empty, (unsigned)xmlGetLineNo(n), NULL);
    }
    if (strcmp(name, "ol") == 0) {
        if (w->ol_depth < 16) {
            xmlChar *st = xmlGetProp(n, (const xmlChar *)"start");
            w->ol_next[w->ol_depth] = st ? strtol((const char *)st, NULL, 10) : 1;
            xmlFree(st);
        }
        w->ol_depth++;
    }
    if (w->row_depth) {
        /* Inside a table row everything is one passage. */
        if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
            if (w->cells++ > 0)
                kd_tb_text(w->tb, " | ", 3);
        } else if (strcmp(name, "tr") == 0) {
            w->row_depth++;
        }
        return 0;
    }
    if (w->item_depth) {
        if (strcmp(name, "li") == 0) {
            w->item_depth++;
            kd_tb_break(w->tb);
        } else if (in_list(name, block_tags) || heading_level(name)) {
            kd_tb_break(w->tb);
        }
        return 0;
    }
    int h = heading_level(name);
    if (strcmp(name, "tr") == 0) {
        if (end_block(w) < 0)
            return -1;
        start_block(w, KD_BLOCK_PARA, n);
        w->row_depth = 1;
        w->cells = 0;
    } else if (strcmp(name, "li") == 0) {
        if (end_block(w) < 0)
            return -1;
        start_block(w, KD_BLOCK_ITEM, n);
        w->item_depth = 1;
        w->item_ordered = 0;
        w->item_number = 0;
        for (xmlNodePtr p = n->parent; p; p = p->parent)
            if (p->type == XML_ELEMENT_NODE && (strcmp((const char *)p->name, "ol") == 0 ||
                                                strcmp((const char *)p->name, "ul") == 0)) {
                if (strcmp((const char *)p->name, "ol") == 0 && w->ol_depth > 0 &&
                    w->ol_depth <= 16) {
                    w->item_ordered = 1;
                    w->item_number = w->ol_next[w->ol_depth - 1]++;
                }
                break;
            }
    } else if (h) {
        if (end_block(w) < 0)
            return -1;
        start_block(w, KD_BLOCK_HEADING, n);
        w->level = h + (w->title ? 1 : 0);
    } else if (in_list(name, block_tags)) {
        if (end_block(w) < 0)
            return -1;
        start_block(w, KD_BLOCK_PARA, n);
    }
    return 0;
}

static int
leave(walk_t *w, xmlNodePtr n)
{
    if (n->type != XML_ELEMENT_NODE)
        return 0;
    const char *name = (const char *)n->name;
    if (strcmp(name, "ol") == 0 && w->ol_depth > 0)
        w->ol_depth--;
    if (w->row_depth) {
        if (strcmp(name, "tr") == 0 && --w->row_depth == 0)
            return end_block(w);
        return 0;
    }
    if (w->item_depth) {
        if (strcmp(name, "li") == 0 && --w->item_depth == 0)
            return end_block(w);
        return 0;
    }
    int h = heading_level(name);
    if (h && w->type == KD_BLOCK_HEADING && same_as_title(w)) {
        kd_tb_reset(w->tb);   /* the title said it already */
        w->type = KD_BLOCK_PARA;
        return 0;
    }
    if (h || in_list(name, block_tags))
        return end_block(w);
    return 0;
}

/* Parse s[0..n) (UTF-8) and walk it into w. */
static int
html_walk(const char *s, size_t n, walk_t *w)
{
    if (n > 0x7FFFFFFF)
        n = 0x7FFFFFFF;
    htmlDocPtr doc = htmlReadMemory(s, (int)n, NULL, "UTF-8",
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc)
        return 0;   /* nothing libxml2 could make a tree of: no text */
    xmlNodePtr root = (xmlNodePtr)doc;
    int rc = 0;
    xmlNodePtr node = root->children;
    while (node && rc == 0) {
        int skip = 0;
        rc = enter(w, node, &skip);
        if (rc < 0)
            break;
        if (!skip && node->children) {
            node = node->children;
            continue;
        }
        rc = leave(w, node);
        while (rc == 0 && node != root && !node->next) {
            node = node->parent;
            if (node == root || !node)
                break;
            rc = leave(w, node);
        }
        if (!node || node == root)
            break;
        node = node->next;
    }
    xmlFreeDoc(doc);
    return rc;
}

void
kd_html_to_text(const char *s, size_t n, kd_text_builder_t *tb)
{
    walk_t w;
    memset(&w, 0, sizeof w);
    w.tb = tb;
    if (html_walk(s, n, &w) < 0)
        tb->oom = 1;
}

int
kd_read_html(const char *buf, size_t len, kd_blocks_t *out)
{
    kd_text_builder_t tb = {0};
    walk_t w;
    memset(&w, 0, sizeof w);
    w.out = out;
    w.tb = &tb;
    w.line = 1;
    int rc = html_walk(buf, len, &w);
    if (rc == 0)
        rc = end_block(&w);
    kd_tb_reset(&tb);
    free(w.title);
    for (size_t i = 0; i < w.n_notes; i++)
        free(w.note_ids[i]);
    free(w.note_ids);
    return rc < 0 || out->oom ? -1 : 0;
}

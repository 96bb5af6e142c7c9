/*
 * markdown.c - Markdown to blocks with cmark-gfm (GitHub's CommonMark, with
 * its table extension and footnotes), and YAML front matter with libyaml.
 *
 * The AST is walked with cmark's iterator rather than by recursion, so a
 * hostile nesting depth cannot exhaust the stack. Raw inline HTML is not
 * rendered: <sup>n</sup> becomes a footnote marker, <br> a line break, and
 * every other tag is dropped with its text kept.
 *
 * GFM: a table row is one passage, its cells joined with " | "; a footnote
 * reference [^label] is a marker numbered as cmark-gfm numbers it (in order
 * of first reference), and its definition a note for that marker, linked as
 * a gloss by passages.c (kd_block_t.note) however long it is.
 *
 * Front matter: a first line "---", YAML, and a line "---" or "..." within
 * the first KD_FRONT_MAX bytes. Its title (a string) and author or authors
 * (a string or a list of them) become the document's title and author; the
 * title is the document's heading, the first level of every section path
 * (the Markdown headings one level below, a heading repeating the title not
 * repeated). The front matter's lines are blanked, so line numbers stay.
 * Text that starts with "---" but holds no YAML mapping is Markdown.
 */
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <pthread.h>
#include <stdlib.h>
#include <yaml.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* Longest superscript still taken for a footnote marker; longer <sup> text
 * ("th", a formula) is kept as ordinary text. */
#define KD_MARKER_MAX 12
/* Longest bold lead-in still taken for a run-in heading, in bytes; a longer
 * bold opening is emphasis, not a heading. */
#define KD_RUNIN_MAX 160
/* Front matter is looked for in this many first bytes. */
#define KD_FRONT_MAX (64u * 1024u)

typedef struct md_state {
    kd_blocks_t      *out;
    kd_text_builder_t tb;
    int               open;         /* a block is being collected */
    kd_block_type_t   type;
    int               level;
    unsigned          line;
    int               item_depth;   /* > 0 inside a list item: everything goes to one block */
    int               item_ordered;
    long              item_number;
    int               list_ordered; /* the outermost list currently open */
    long              list_next;
    int               in_sup;
    kd_buf_t          sup;
    int               runin_state;  /* 0 may start, 1 collecting, 2 done or impossible */
    kd_buf_t          runin;
    int               shift;        /* added to heading levels (1 under a front-matter title) */
    const char       *title;        /* the front matter's title, or NULL */
    int               in_row;       /* a GFM table row is being collected */
    int               cells;
    int               in_def;       /* inside a footnote definition */
    long              note;         /* the note number of the block being collected, or 0 */
    long              defs;         /* footnote definitions so far */
    unsigned          last_line;    /* the greatest line a block began on (md_line) */
    char             *lit_fixed;    /* md_lit's repaired copy of the last bad literal */
} md_state_t;

/* A node's literal ("" for none) and its length, as valid UTF-8. cmark-gfm
 * validates its input, but a literal it builds can still end inside a
 * character: "[^", a line break, a NUL and a letter gave the text
 * "[^\n\xEF" (the U+FFFD put for the NUL cut to its first byte, found by
 * fuzzing). Such a literal is read with U+FFFD for its bad bytes; the copy
 * lives until the next bad literal or the end of the document. */
static const char *
md_lit(md_state_t *st, cmark_node *node, size_t *n)
{
    const char *lit = cmark_node_get_literal(node);
    size_t len = lit ? strlen(lit) : 0;
    *n = len;
    if (!lit)
        return "";
    if (ki_utf8_check(lit, len) == len)
        return lit;
    free(st->lit_fixed);
    st->lit_fixed = kd_utf8_sanitize(lit, len, n);
    if (!st->lit_fixed) {
        st->out->oom = 1;
        *n = 0;
        return "";
    }
    return st->lit_fixed;
}

/* The line a node starts on. cmark-gfm gives none (0) to a paragraph whose
 * last lines the table extension took for a table ("a\nb\n-|": «a» stands
 * on line 1): the line after the last block begun, which is where it is or
 * a line or two before. */
static unsigned
md_line(const md_state_t *st, cmark_node *node)
{
    int line = cmark_node_get_start_line(node);
    if (line > 0)
        return (unsigned)line;
    return st->last_line + 1;
}

static void
md_begin(md_state_t *st, kd_block_type_t type, unsigned line)
{
    kd_tb_reset(&st->tb);
    st->open = 1;
    st->type = type;
    st->line = line;
    if (line > st->last_line)
        st->last_line = line;
    st->in_sup = 0;
    kd_buf_free(&st->sup);
    st->runin_state = (type == KD_BLOCK_PARA || type == KD_BLOCK_ITEM) ? 0 : 2;
    kd_buf_free(&st->runin);
}

/* Trim spaces and a final colon off the run-in heading; NULL if it is none. */
static const char *
md_runin(md_state_t *st)
{
    if (st->runin_state != 2 || !st->runin.p || st->runin.oom)
        return NULL;
    char *s = st->runin.p;
    size_t n = st->runin.len;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == ':'))
        n--;
    /* An Arabic semicolon ends some run-ins too. */
    if (kd_ar_punct_before(s, n) == KD_CP_AR_SEMICOLON)
        n -= KD_AR_PUNCT_LEN;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n == 0 || n > KD_RUNIN_MAX)
        return NULL;
    s[n] = '\0';
    return s;
}

static int
md_end(md_state_t *st)
{
    if (!st->open)
        return 0;
    st->open = 0;
    const char *runin = md_runin(st);
    size_t before = st->out->n;
    int rc = kd_blocks_push(st->out, st->type, &st->tb, st->line, runin);
    if (rc == 0 && st->out->n > before) {
        kd_block_t *b = &st->out->v[st->out->n - 1];
        b->level = st->level;
        b->ordered = st->item_ordered;
        b->number = st->item_number;
        b->note = st->note;
    }
    st->note = 0;
    kd_buf_free(&st->runin);
    kd_buf_free(&st->sup);
    return rc;
}

/* The lower-case tag name of an HTML tag "<sup ...>" or "</sup>". */
static void
tag_name(const char *lit, char *name, size_t cap, int *closing)
{
    size_t i = 0, k = 0;
    *closing = 0;
    if (lit[i] == '<')
        i++;
    if (lit[i] == '/') {
        *closing = 1;
        i++;
    }
    while (lit[i] && k + 1 < cap &&
           ((lit[i] >= 'a' && lit[i] <= 'z') || (lit[i] >= 'A' && lit[i] <= 'Z') ||
            (lit[i] >= '0' && lit[i] <= '9'))) {
        char c = lit[i++];
        name[k++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    name[k] = '\0';
}

static void
md_sup_end(md_state_t *st)
{
    st->in_sup = 0;
    const char *s = st->sup.p ? st->sup.p : "";
    size_t n = st->sup.len;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    if (n > 0 && n <= KD_MARKER_MAX)
        kd_tb_marker(&st->tb, s, n);
    else
        kd_tb_text(&st->tb, s, n);
    kd_buf_free(&st->sup);
}

static void
md_inline_html(md_state_t *st, const char *lit)
{
    char name[16];
    int closing;
    tag_name(lit, name, sizeof name, &closing);
    if (strcmp(name, "sup") == 0) {
        if (!closing) {
            st->in_sup = 1;
            kd_buf_free(&st->sup);
        } else if (st->in_sup) {
            md_sup_end(st);
        }
    } else if (strcmp(name, "br") == 0) {
        kd_tb_break(&st->tb);
    }
}

static void
md_text(md_state_t *st, const char *s, size_t n)
{
    if (st->in_sup) {
        kd_buf_add(&st->sup, s, n);
        return;
    }
    if (st->runin_state == 1)
        kd_buf_add(&st->runin, s, n);
    else if (st->runin_state == 0) {
        /* Text before any bold: this paragraph has no run-in heading. */
        st->runin_state = 2;
    }
    kd_tb_text(&st->tb, s, n);
}

static void
md_leaf_block(md_state_t *st, cmark_node *node, cmark_node_type t)
{
    size_t n = 0;
    const char *lit = md_lit(st, node, &n);
    unsigned line = md_line(st, node);
    int standalone = !st->open;
    if (standalone)
        md_begin(st, KD_BLOCK_PARA, line);
    else
        kd_tb_break(&st->tb);
    if (t == CMARK_NODE_HTML_BLOCK)
        kd_html_to_text(lit, n, &st->tb);
    else
        kd_tb_text(&st->tb, lit, n);
    if (standalone)
        md_end(st);
}

/* A YAML scalar's value, or the scalars of a sequence joined with "; ";
 * malloc'd, NULL if none. */
static char *
yaml_text(yaml_document_t *d, yaml_node_t *n)
{
    if (!n)
        return NULL;
    if (n->type == YAML_SCALAR_NODE)
        return kd_strndup((const char *)n->data.scalar.value, n->data.scalar.length);
    if (n->type != YAML_SEQUENCE_NODE)
        return NULL;
    kd_buf_t b = {0};
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *c = yaml_document_get_node(d, *i);
        if (!c || c->type != YAML_SCALAR_NODE || c->data.scalar.length == 0)
            continue;
        if (b.len)
            kd_buf_adds(&b, "; ");
        kd_buf_add(&b, (const char *)c->data.scalar.value, c->data.scalar.length);
    }
    if (b.len == 0) {
        kd_buf_free(&b);
        return NULL;
    }
    return kd_buf_take(&b);
}

/* The front matter of buf: its length (up to the end of the closing line),
 * or 0 if there is none; its title and author into *front. */
static size_t
front_matter(const char *buf, size_t len, kd_front_t *front)
{
    if (len < 4 || strncmp(buf, "---", 3) != 0)
        return 0;
    size_t i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r'))
        i++;
    if (i >= len || buf[i] != '\n')
        return 0;
    size_t body = ++i, end = 0, after = 0;
    size_t limit = len < KD_FRONT_MAX ? len : KD_FRONT_MAX;
    while (i < limit) {
        const char *nl = memchr(buf + i, '\n', limit - i);
        size_t le = nl ? (size_t)(nl - buf) : limit;
        size_t l = le - i;
        while (l && (buf[i + l - 1] == '\r' || buf[i + l - 1] == ' '))
            l--;
        if (l == 3 && (strncmp(buf + i, "---", 3) == 0 || strncmp(buf + i, "...", 3) == 0)) {
            end = i;
            after = nl ? le + 1 : le;
            break;
        }
        if (!nl)
            break;
        i = le + 1;
    }
    if (!after)
        return 0;
    yaml_parser_t p;
    yaml_document_t d;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)buf + body, end - body);
    size_t used = 0;
    if (yaml_parser_load(&p, &d)) {
        yaml_node_t *root = yaml_document_get_root_node(&d);
        if (root && root->type == YAML_MAPPING_NODE) {
            used = after;
            for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
                 pr < root->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(&d, pr->key);
                if (!k || k->type != YAML_SCALAR_NODE)
                    continue;
                const char *key = (const char *)k->data.scalar.value;
                yaml_node_t *v = yaml_document_get_node(&d, pr->value);
                if (strcmp(key, "title") == 0 && !front->title)
                    front->title = yaml_text(&d, v);
                else if ((strcmp(key, "author") == 0 || strcmp(key, "authors") == 0) &&
                         !front->author)
                    front->author = yaml_text(&d, v);
            }
        }
        yaml_document_delete(&d);
    }
    yaml_parser_delete(&p);
    return used;
}

/* Whether the heading being collected repeats the front matter's title. */
static int
repeats_title(const md_state_t *st)
{
    if (!st->title || !st->tb.buf.p)
        return 0;
    size_t n = strlen(st->title);
    return n == st->tb.buf.len && memcmp(st->title, st->tb.buf.p, n) == 0;
}

int
kd_read_markdown(const char *buf, size_t len, kd_blocks_t *out, kd_front_t *front)
{
    /* Front matter: blanked in a copy, its title the document's heading. */
    char *copy = NULL;
    size_t fm = front ? front_matter(buf, len, front) : 0;
    if (fm) {
        copy = malloc(len + 1);
        if (!copy)
            return -1;
        memcpy(copy, buf, len);
        copy[len] = '\0';
        for (size_t i = 0; i < fm; i++)
            if (copy[i] != '\n')
                copy[i] = ' ';
        buf = copy;
    }
    /* cmark-gfm's registry of extensions is a global list that registering
     * writes without a lock: once per process, before any parse reads it
     * (kavosh-index -j parses in several threads; ThreadSanitizer saw the
     * race). */
    static pthread_once_t registered = PTHREAD_ONCE_INIT;
    (void)pthread_once(&registered, cmark_gfm_core_extensions_ensure_registered);
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_FOOTNOTES);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (!parser) {
        free(copy);
        return -1;
    }
    if (table)
        cmark_parser_attach_syntax_extension(parser, table);
    cmark_parser_feed(parser, buf, len);
    cmark_node *doc = cmark_parser_finish(parser);
    cmark_parser_free(parser);
    free(copy);
    if (!doc)
        return -1;
    cmark_iter *it = cmark_iter_new(doc);
    if (!it) {
        cmark_node_free(doc);
        return -1;
    }
    md_state_t st;
    memset(&st, 0, sizeof st);
    st.out = out;
    if (front && front->title) {
        kd_text_builder_t tb = {0};
        kd_tb_text(&tb, front->title, strlen(front->title));
        size_t before = out->n;
        if (kd_blocks_push(out, KD_BLOCK_HEADING, &tb, 1, NULL) < 0) {
            cmark_iter_free(it);
            cmark_node_free(doc);
            return -1;
        }
        if (out->n > before) {
            out->v[out->n - 1].level = 1;
            st.shift = 1;
            st.title = out->v[out->n - 1].text;
        }
    }
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        int enter = ev == CMARK_EVENT_ENTER;
        unsigned line = md_line(&st, node);
        /* The table extension's nodes: a row is one passage. */
        const char *ts = cmark_node_get_type_string(node);
        if (ts && strncmp(ts, "table", 5) == 0) {
            if (strcmp(ts, "table_row") == 0 || strcmp(ts, "table_header") == 0) {
                if (st.item_depth > 0 && !st.in_row)
                    continue;   /* a table inside a list item stays part of it */
                if (enter) {
                    md_end(&st);
                    md_begin(&st, KD_BLOCK_PARA, line);
                    st.level = 0;
                    st.item_ordered = 0;
                    st.item_number = 0;
                    st.in_row = 1;
                    st.cells = 0;
                    st.runin_state = 2;
                } else {
                    md_end(&st);
                    st.in_row = 0;
                }
            } else if (strcmp(ts, "table_cell") == 0 && enter && st.open) {
                if (st.cells++ > 0)
                    kd_tb_text(&st.tb, st.in_row ? " | " : " ", st.in_row ? 3 : 1);
            }
            continue;
        }
        switch (t) {
        case CMARK_NODE_HEADING:
            if (st.item_depth > 0)
                break;   /* a heading inside a list item stays part of the item */
            if (enter) {
                md_end(&st);
                md_begin(&st, KD_BLOCK_HEADING, line);
                st.level = cmark_node_get_heading_level(node) + st.shift;
                st.item_ordered = 0;
                st.item_number = 0;
            } else if (repeats_title(&st)) {
                st.open = 0;   /* the front matter's title said it already */
                kd_tb_reset(&st.tb);
            } else {
                md_end(&st);
            }
            break;
        case CMARK_NODE_FOOTNOTE_REFERENCE:
            if (st.open && enter) {
                size_t n = 0;
                const char *lit = md_lit(&st, node, &n);
                if (n)
                    kd_tb_marker(&st.tb, lit, n);
            }
            break;
        case CMARK_NODE_FOOTNOTE_DEFINITION:
            /* Its paragraphs make one note, after a break, for the marker
             * numbered as the definition is (cmark-gfm puts them in order
             * of first reference). */
            if (enter) {
                md_end(&st);
                if (st.defs == 0) {
                    md_begin(&st, KD_BLOCK_BREAK, line);
                    md_end(&st);
                }
                md_begin(&st, KD_BLOCK_PARA, line);
                st.defs++;
                st.in_def = 1;
                st.item_depth++;
                st.item_ordered = 0;
                st.item_number = 0;
                st.level = 0;
            } else {
                st.note = st.defs;
                md_end(&st);
                st.in_def = 0;
                if (st.item_depth > 0)
                    st.item_depth--;
            }
            break;
        case CMARK_NODE_PARAGRAPH:
            if (st.item_depth > 0) {
                if (enter && st.tb.buf.len > 0) {
                    if (st.in_def)
                        kd_tb_space(&st.tb);
                    else
                        kd_tb_break(&st.tb);
                }
                if (enter)
                    st.runin_state = st.tb.buf.len > 0 ? 2 : st.runin_state;
                break;
            }
            if (enter) {
                md_end(&st);
                md_begin(&st, KD_BLOCK_PARA, line);
                st.level = 0;
                st.item_ordered = 0;
                st.item_number = 0;
            } else {
                md_end(&st);
            }
            break;
        case CMARK_NODE_LIST:
            if (enter && st.item_depth == 0) {
                st.list_ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
                st.list_next = cmark_node_get_list_start(node);
            }
            break;
        case CMARK_NODE_ITEM:
            if (enter) {
                if (st.item_depth++ == 0) {
                    md_end(&st);
                    md_begin(&st, KD_BLOCK_ITEM, line);
                    st.level = 0;
                    st.item_ordered = st.list_ordered;
                    st.item_number = st.list_ordered ? st.list_next++ : 0;
                } else {
                    kd_tb_break(&st.tb);
                }
            } else if (--st.item_depth == 0) {
                md_end(&st);
            }
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            if (st.item_depth > 0)
                break;
            md_end(&st);
            md_begin(&st, KD_BLOCK_BREAK, line);
            md_end(&st);
            break;
        case CMARK_NODE_HTML_BLOCK:
        case CMARK_NODE_CODE_BLOCK:
            md_leaf_block(&st, node, t);
            break;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            if (st.open) {
                size_t n = 0;
                const char *lit = md_lit(&st, node, &n);
                md_text(&st, lit, n);
            }
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            if (st.open) {
                if (st.runin_state == 0)
                    st.runin_state = 2;
                if (st.in_sup)
                    kd_buf_addc(&st.sup, ' ');
                else if (st.in_def || st.in_row)
                    kd_tb_space(&st.tb);
                else
                    kd_tb_break(&st.tb);
            }
            break;
        case CMARK_NODE_HTML_INLINE:
            if (st.open) {
                size_t n = 0;
                md_inline_html(&st, md_lit(&st, node, &n));
            }
            break;
        case CMARK_NODE_STRONG:
            if (!st.open)
                break;
            if (enter && st.runin_state == 0 && st.tb.buf.len == 0)
                st.runin_state = 1;
            else if (!enter && st.runin_state == 1) {
                /* The bold ends the run-in only if it ends with a colon or a
                 * colon follows it. */
                const char *r = st.runin.p ? st.runin.p : "";
                size_t rn = st.runin.len;
                while (rn > 0 && r[rn - 1] == ' ')
                    rn--;
                int colon = (rn > 0 && r[rn - 1] == ':') ||
                            kd_ar_punct_before(r, rn) == KD_CP_AR_SEMICOLON;
                cmark_node *next = cmark_node_next(node);
                if (!colon && next && cmark_node_get_type(next) == CMARK_NODE_TEXT) {
                    const char *nl = cmark_node_get_literal(next);
                    colon = nl && (nl[0] == ':' || strncmp(nl, " :", 2) == 0);
                }
                if (colon)
                    st.runin_state = 2;
                else {
                    kd_buf_free(&st.runin);
                    st.runin_state = 2;
                }
            }
            break;
        default:
            break;   /* emphasis, links, images: their text arrives as TEXT nodes */
        }
    }
    md_end(&st);
    kd_tb_reset(&st.tb);
    kd_buf_free(&st.sup);
    kd_buf_free(&st.runin);
    free(st.lit_fixed);
    cmark_iter_free(it);
    cmark_node_free(doc);
    return out->oom ? -1 : 0;
}

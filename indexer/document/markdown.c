/*
 * markdown.c - Markdown to blocks with cmark.
 *
 * The AST is walked with cmark's iterator rather than by recursion, so a
 * hostile nesting depth cannot exhaust the stack. Raw inline HTML is not
 * rendered: <sup>n</sup> becomes a footnote marker, <br> a line break, and
 * every other tag is dropped with its text kept.
 */
#include <cmark.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* Longest superscript still taken for a footnote marker; longer <sup> text
 * ("th", a formula) is kept as ordinary text. */
#define KD_MARKER_MAX 12
/* Longest bold lead-in still taken for a run-in heading, in bytes; a longer
 * bold opening is emphasis, not a heading. */
#define KD_RUNIN_MAX 160

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
} md_state_t;

static void
md_begin(md_state_t *st, kd_block_type_t type, unsigned line)
{
    kd_tb_reset(&st->tb);
    st->open = 1;
    st->type = type;
    st->line = line;
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
        {
            b->level = st->level;
            b->ordered = st->item_ordered;
            b->number = st->item_number;
        }
    }
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
    const char *lit = cmark_node_get_literal(node);
    size_t n = lit ? strlen(lit) : 0;
    unsigned line = (unsigned)cmark_node_get_start_line(node);
    int standalone = !st->open;
    if (standalone)
        md_begin(st, KD_BLOCK_PARA, line);
    else
        kd_tb_break(&st->tb);
    if (t == CMARK_NODE_HTML_BLOCK)
        kd_html_to_text(lit ? lit : "", n, &st->tb);
    else
        kd_tb_text(&st->tb, lit ? lit : "", n);
    if (standalone)
        md_end(st);
}

int
kd_read_markdown(const char *buf, size_t len, kd_blocks_t *out)
{
    cmark_node *doc = cmark_parse_document(buf, len, CMARK_OPT_VALIDATE_UTF8);
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
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        int enter = ev == CMARK_EVENT_ENTER;
        unsigned line = (unsigned)cmark_node_get_start_line(node);
        switch (t) {
        case CMARK_NODE_HEADING:
            if (st.item_depth > 0)
                break;   /* a heading inside a list item stays part of the item */
            if (enter) {
                md_end(&st);
                md_begin(&st, KD_BLOCK_HEADING, line);
                st.level = cmark_node_get_heading_level(node);
                st.item_ordered = 0;
                st.item_number = 0;
            } else {
                md_end(&st);
            }
            break;
        case CMARK_NODE_PARAGRAPH:
            if (st.item_depth > 0) {
                if (enter && st.tb.buf.len > 0)
                    kd_tb_break(&st.tb);
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
                const char *lit = cmark_node_get_literal(node);
                md_text(&st, lit ? lit : "", lit ? strlen(lit) : 0);
            }
            break;
        case CMARK_NODE_SOFTBREAK:
        case CMARK_NODE_LINEBREAK:
            if (st.open) {
                if (st.runin_state == 0)
                    st.runin_state = 2;
                if (st.in_sup)
                    kd_buf_addc(&st.sup, ' ');
                else
                    kd_tb_break(&st.tb);
            }
            break;
        case CMARK_NODE_HTML_INLINE:
            if (st.open) {
                const char *lit = cmark_node_get_literal(node);
                md_inline_html(&st, lit ? lit : "");
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
    cmark_iter_free(it);
    cmark_node_free(doc);
    return out->oom ? -1 : 0;
}

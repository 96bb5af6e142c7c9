/*
 * html.c - HTML to blocks, simply and safely: no DOM, one forward scan.
 *
 * Block-level tags end a paragraph, <h1>..<h6> give headings, <hr> a
 * thematic break, <li> a list item, <sup>n</sup> a footnote marker; the
 * content of <script>, <style> and comments is skipped; the common character
 * references are decoded. Malformed markup degrades to text, never to a crash.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* Longest tag name we look at; longer names are simply not block tags. */
#define KD_TAG_NAME_MAX 16
#define KD_MARKER_MAX 12

static const char *const block_tags[] = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table",
    "blockquote", "pre", "section", "article", "header", "footer", "aside", "nav",
    "main", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "body",
    "head", NULL
};

static int
is_block_tag(const char *name)
{
    for (size_t i = 0; block_tags[i]; i++)
        if (strcmp(block_tags[i], name) == 0)
            return 1;
    return 0;
}

/* Read the tag at s[i] == '<'; returns the index after '>' (or n). */
static size_t
read_tag(const char *s, size_t n, size_t i, char *name, int *closing)
{
    size_t k = 0;
    *closing = 0;
    i++;
    if (i < n && s[i] == '/') {
        *closing = 1;
        i++;
    }
    while (i < n && k + 1 < KD_TAG_NAME_MAX &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (s[i] >= '0' && s[i] <= '9'))) {
        char c = s[i++];
        name[k++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
    name[k] = '\0';
    char quote = 0;
    while (i < n) {
        char c = s[i++];
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            break;
        }
    }
    return i;
}

/* Decode the character reference at s[i] == '&' into out; returns its length
 * or 0 if it is not one we know (then '&' is ordinary text). */
static size_t
read_entity(const char *s, size_t n, size_t i, char out[8], size_t *out_len)
{
    static const struct { const char *name; const char *utf8; } named[] = {
        {"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""}, {"apos;", "'"},
        {"nbsp;", " "}, {"zwnj;", "\xE2\x80\x8C"}, {"laquo;", "\xC2\xAB"},
        {"raquo;", "\xC2\xBB"}, {"ndash;", "\xE2\x80\x93"}, {"mdash;", "\xE2\x80\x94"},
        {NULL, NULL}
    };
    size_t j = i + 1;
    for (size_t k = 0; named[k].name; k++) {
        size_t l = strlen(named[k].name);
        if (j + l <= n && strncasecmp(s + j, named[k].name, l) == 0) {
            *out_len = strlen(named[k].utf8);
            memcpy(out, named[k].utf8, *out_len);
            return l + 1;
        }
    }
    if (j < n && s[j] == '#') {
        j++;
        int hex = j < n && (s[j] == 'x' || s[j] == 'X');
        if (hex)
            j++;
        uint32_t v = 0;
        size_t digits = 0;
        while (j < n && digits < 8) {
            char c = s[j];
            int d = (c >= '0' && c <= '9') ? c - '0'
                  : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (d < 0)
                break;
            v = v * (hex ? 16u : 10u) + (uint32_t)d;
            j++;
            digits++;
        }
        if (digits == 0 || j >= n || s[j] != ';')
            return 0;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        size_t l;
        if (v < 0x80) {
            out[0] = (char)v; l = 1;
        } else if (v < 0x800) {
            out[0] = (char)(0xC0 | (v >> 6)); out[1] = (char)(0x80 | (v & 0x3F)); l = 2;
        } else if (v < 0x10000) {
            out[0] = (char)(0xE0 | (v >> 12)); out[1] = (char)(0x80 | ((v >> 6) & 0x3F));
            out[2] = (char)(0x80 | (v & 0x3F)); l = 3;
        } else {
            out[0] = (char)(0xF0 | (v >> 18)); out[1] = (char)(0x80 | ((v >> 12) & 0x3F));
            out[2] = (char)(0x80 | ((v >> 6) & 0x3F)); out[3] = (char)(0x80 | (v & 0x3F)); l = 4;
        }
        *out_len = l;
        return j + 1 - i;
    }
    return 0;
}

/* Skip to the end of "</name>" from i; returns the index after it, or n. */
static size_t
skip_to_close(const char *s, size_t n, size_t i, const char *name)
{
    size_t l = strlen(name);
    for (; i + l + 2 < n; i++)
        if (s[i] == '<' && s[i + 1] == '/' && strncasecmp(s + i + 2, name, l) == 0) {
            const char *gt = memchr(s + i, '>', n - i);
            return gt ? (size_t)(gt - s) + 1 : n;
        }
    return n;
}

/* The scanner shared by kd_html_to_text (no blocks: block tags become line
 * breaks) and kd_read_html (block tags end blocks). */
static int
html_scan(const char *s, size_t n, kd_text_builder_t *tb, kd_blocks_t *out)
{
    size_t i = 0, run = 0;
    int in_sup = 0, heading = 0;
    int ol_depth = 0, item_ordered = 0;   /* ordered-list items carry numbers, like Markdown's */
    long ol_next = 1, item_number = 0;
    unsigned line = 1, block_line = 1;
    kd_buf_t sup = {0};
    kd_block_type_t type = KD_BLOCK_PARA;

#define FLUSH_TEXT() do {                                              \
        if (run < i) {                                                  \
            if (in_sup) kd_buf_add(&sup, s + run, i - run);             \
            else kd_tb_text(tb, s + run, i - run);                      \
        }                                                               \
    } while (0)

    while (i < n) {
        char c = s[i];
        if (c == '\n')
            line++;
        if (c == '<') {
            FLUSH_TEXT();
            if (i + 3 < n && strncmp(s + i, "<!--", 4) == 0) {
                const char *end = NULL;
                for (size_t j = i + 4; j + 2 < n; j++)
                    if (s[j] == '-' && s[j + 1] == '-' && s[j + 2] == '>') {
                        end = s + j + 3;
                        break;
                    }
                size_t to = end ? (size_t)(end - s) : n;
                for (size_t j = i; j < to; j++)
                    if (s[j] == '\n')
                        line++;
                i = run = to;
                continue;
            }
            char name[KD_TAG_NAME_MAX];
            int closing;
            size_t to = read_tag(s, n, i, name, &closing);
            for (size_t j = i + 1; j < to; j++)
                if (s[j] == '\n')
                    line++;
            if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
                             strcmp(name, "title") == 0)) {
                size_t end = skip_to_close(s, n, to, name);
                for (size_t j = to; j < end; j++)
                    if (s[j] == '\n')
                        line++;
                to = end;
            } else if (strcmp(name, "sup") == 0) {
                if (!closing) {
                    in_sup = 1;
                    kd_buf_free(&sup);
                } else if (in_sup) {
                    in_sup = 0;
                    const char *m = sup.p ? sup.p : "";
                    size_t ml = sup.len;
                    while (ml > 0 && m[ml - 1] == ' ')
                        ml--;
                    while (ml > 0 && *m == ' ') {
                        m++;
                        ml--;
                    }
                    if (ml > 0 && ml <= KD_MARKER_MAX)
                        kd_tb_marker(tb, m, ml);
                    else
                        kd_tb_text(tb, m, ml);
                    kd_buf_free(&sup);
                }
            } else if (is_block_tag(name)) {
                if (!out) {
                    kd_tb_break(tb);
                } else {
                    int is_heading = name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2];
                    if (strcmp(name, "br") == 0) {
                        kd_tb_break(tb);
                    } else {
                        size_t before = out->n;
                        if (kd_blocks_push(out, type, tb, block_line, NULL) < 0)
                            break;
                        if (out->n > before && type == KD_BLOCK_HEADING)
                            out->v[out->n - 1].level = heading;
                        if (out->n > before && type == KD_BLOCK_ITEM) {
                            out->v[out->n - 1].ordered = item_ordered;
                            out->v[out->n - 1].number = item_number;
                        }
                        type = KD_BLOCK_PARA;
                        if (strcmp(name, "ol") == 0) {
                            ol_depth += closing ? (ol_depth > 0 ? -1 : 0) : 1;
                            if (!closing)
                                ol_next = 1;
                        }
                        if (is_heading && !closing) {
                            type = KD_BLOCK_HEADING;
                            heading = name[1] - '0';
                        } else if (strcmp(name, "li") == 0 && !closing) {
                            type = KD_BLOCK_ITEM;
                            item_ordered = ol_depth > 0;
                            item_number = item_ordered ? ol_next++ : 0;
                        } else if (strcmp(name, "hr") == 0) {
                            kd_text_builder_t empty = {0};
                            if (kd_blocks_push(out, KD_BLOCK_BREAK, &empty, line, NULL) < 0)
                                break;
                        }
                        block_line = line;
                    }
                }
            }
            i = run = to;
            continue;
        }
        if (c == '&') {
            char ent[8];
            size_t el = 0;
            size_t l = read_entity(s, n, i, ent, &el);
            if (l) {
                FLUSH_TEXT();
                if (in_sup)
                    kd_buf_add(&sup, ent, el);
                else
                    kd_tb_text(tb, ent, el);
                i = run = i + l;
                continue;
            }
        }
        i++;
    }
    FLUSH_TEXT();
#undef FLUSH_TEXT
    if (in_sup)
        kd_tb_text(tb, sup.p ? sup.p : "", sup.len);
    kd_buf_free(&sup);
    if (out) {
        size_t before = out->n;
        if (kd_blocks_push(out, type, tb, block_line, NULL) == 0 && out->n > before) {
            if (type == KD_BLOCK_HEADING)
                out->v[out->n - 1].level = heading;
            if (type == KD_BLOCK_ITEM) {
                out->v[out->n - 1].ordered = item_ordered;
                out->v[out->n - 1].number = item_number;
            }
        }
        return out->oom ? -1 : 0;
    }
    return tb->oom ? -1 : 0;
}

void
kd_html_to_text(const char *s, size_t n, kd_text_builder_t *tb)
{
    html_scan(s, n, tb, NULL);
}

int
kd_read_html(const char *buf, size_t len, kd_blocks_t *out)
{
    kd_text_builder_t tb = {0};
    int rc = html_scan(buf, len, &tb, out);
    kd_tb_reset(&tb);
    return rc;
}

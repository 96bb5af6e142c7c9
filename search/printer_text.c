/*
 * printer_text.c - results for a person at a terminal.
 *
 * Everything taken from a document (passage text, section titles, citations,
 * glosses, paths) goes through ki_safe_next: control bytes, escape sequences
 * and bidi controls are shown escaped, never written raw.
 *
 * Lines are wrapped at word boundaries to style->width columns (0: not at
 * all) with a hanging indent, so a terminal never breaks a word in two.
 *
 * Persian runs are right-to-left. On a terminal with a bidi algorithm
 * (logical order, the default) each line of passage text is wrapped in
 * FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, so it is laid out on its
 * own and never swaps places with the rank, score or id; isolates are only
 * written to a terminal, never into a pipe. With style->visual (for
 * terminals that show storage order: xterm, tmux, the Linux console) each
 * line is reordered and shaped by fribidi instead.
 */
#include "printer.h"

#include <fribidi.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>

#include "cli.h"

#define FSI "\xE2\x81\xA8"   /* U+2068 FIRST STRONG ISOLATE */
#define PDI "\xE2\x81\xA9"   /* U+2069 POP DIRECTIONAL ISOLATE */
#define ELLIPSIS 0x2026
#define HL_ON  "\033[1;31m"
#define HL_OFF "\033[0m"
#define INDENT 3

/* Columns a character takes on a terminal. */
static unsigned char_width(long cp)
{
    if (cp < 0x300)
        return 1;
    int8_t t = u_charType((UChar32)cp);
    if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_FORMAT_CHAR)
        return 0;
    if (cp < 0x1100)   /* no wide or fullwidth character comes before Hangul Jamo */
        return 1;
    int ea = u_getIntPropertyValue((UChar32)cp, UCHAR_EAST_ASIAN_WIDTH);
    return ea == U_EA_WIDE || ea == U_EA_FULLWIDTH ? 2 : 1;
}

/* One output line being built: code points with a highlight flag each. */
typedef struct line {
    FILE                  *out;
    const ks_text_style_t *style;
    FriBidiChar           *cp;
    unsigned char         *hl;
    size_t                 n, cap;
    unsigned               col;      /* columns used */
    unsigned               words;    /* words on the line */
    int                    rtl_text; /* a line of document text: isolate or reorder it */
    int                    oom;
} line_t;

/* Append c's UTF-8 to b; returns the bytes written (1 to 4). */
static int put_utf8(char *b, FriBidiChar c)
{
    int n;
    if (c < 0x80)
        b[0] = (char)c, n = 1;
    else if (c < 0x800)
        b[0] = (char)(0xC0 | (c >> 6)), b[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    else if (c < 0x10000)
        b[0] = (char)(0xE0 | (c >> 12)), b[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
        b[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    else
        b[0] = (char)(0xF0 | (c >> 18)), b[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((c >> 6) & 0x3F)), b[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    return n;
}

static void line_push(line_t *l, FriBidiChar c, int hl)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        FriBidiChar *nc = realloc(l->cp, cap * sizeof *nc);
        if (nc)
            l->cp = nc;
        unsigned char *nh = nc ? realloc(l->hl, cap) : NULL;
        if (!nc || !nh) {
            l->oom = 1;
            return;
        }
        l->hl = nh;
        l->cap = cap;
    }
    l->cp[l->n] = c;
    l->hl[l->n++] = (unsigned char)hl;
    l->col += char_width((long)c);
}

/* Write the line and start a new one. */
static void line_flush(line_t *l)
{
    const ks_text_style_t *st = l->style;
    size_t lead = 0;   /* the indent stays at the left, out of the reordering */
    while (lead < l->n && l->cp[lead] == ' ')
        lead++;
    for (size_t k = 0; k < lead; k++)
        fputc(' ', l->out);
    FriBidiChar *vis = NULL;
    FriBidiStrIndex *v2l = NULL;
    size_t n = l->n - lead;
    if (st->visual && n > 0 && l->rtl_text) {
        vis = malloc((n + 1) * sizeof *vis);
        v2l = malloc((n + 1) * sizeof *v2l);
        FriBidiParType base = FRIBIDI_PAR_ON;
        if (!vis || !v2l ||
            !fribidi_log2vis(l->cp + lead, (FriBidiStrIndex)n, &base, vis, NULL, v2l, NULL)) {
            free(vis);
            free(v2l);
            vis = NULL;
            v2l = NULL;
        }
    }
    if (!vis && l->rtl_text && st->isolates && n > 0)
        fputs(FSI, l->out);
    /* The line's bytes are built here and written at once (a write per
     * character was a third of printing a hit). */
    char stackbuf[1024];
    size_t need = 4 * n + 16;
    char *buf = need <= sizeof stackbuf ? stackbuf : malloc(need);
    size_t bl = 0;
    int on = 0;
    for (size_t k = 0; k < n; k++) {
        size_t src = vis ? lead + (size_t)v2l[k] : lead + k;
        FriBidiChar c = vis ? vis[k] : l->cp[src];
        int h = l->hl[src] && st->color;
        if (h != on || !buf) {
            if (buf && bl) {
                fwrite(buf, 1, bl, l->out);
                bl = 0;
            }
            if (h != on)
                fputs(h ? HL_ON : HL_OFF, l->out);
            on = h;
        }
        /* fribidi marks removed characters with U+FEFF in shaped output. */
        if (c == 0xFEFF)
            continue;
        if (buf) {
            bl += (size_t)put_utf8(buf + bl, c);
        } else {
            char one[4];
            fwrite(one, 1, (size_t)put_utf8(one, c), l->out);
        }
    }
    if (buf && bl)
        fwrite(buf, 1, bl, l->out);
    if (buf != stackbuf)
        free(buf);
    if (on)
        fputs(HL_OFF, l->out);
    if (!vis && l->rtl_text && st->isolates && n > 0)
        fputs(PDI, l->out);
    fputc('\n', l->out);
    free(vis);
    free(v2l);
    l->n = 0;
    l->col = 0;
    l->words = 0;
}

static void line_indent(line_t *l, unsigned indent)
{
    for (unsigned k = 0; k < indent; k++)
        line_push(l, ' ', 0);
}

/* A word (no spaces in it) with per-byte highlight flags from spans; wraps
 * before it when it would pass the width and the line holds more than the
 * indent. */
static void put_word(line_t *l, const FriBidiChar *w, const unsigned char *hl, size_t n,
                     unsigned indent)
{
    unsigned wcols = 0;
    for (size_t k = 0; k < n; k++)
        wcols += char_width((long)w[k]);
    unsigned width = l->style->width;
    if (width && l->words && l->col + 1 + wcols > width) {
        line_flush(l);
        line_indent(l, indent);
    } else if (l->words && l->n && l->cp[l->n - 1] != ' ') {
        line_push(l, ' ', hl && n && hl[0] && l->hl[l->n - 1]);
    }
    l->words++;
    for (size_t k = 0; k < n; k++)
        line_push(l, w[k], hl ? hl[k] : 0);
}

/* Decode text[a, b) safely into words and put them; hl_at(i) says whether
 * byte i is highlighted. */
typedef struct spans_view {
    const ks_span_t *v;
    size_t           n;
} spans_view_t;

static int in_span(const spans_view_t *sv, size_t i)
{
    size_t lo = 0, hi = sv ? sv->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sv->v[mid].end <= i)
            lo = mid + 1;
        else if (sv->v[mid].start > i)
            hi = mid;
        else
            return 1;
    }
    return 0;
}

static void put_text(line_t *l, const char *text, size_t a, size_t b, const spans_view_t *sv,
                     unsigned indent)
{
    FriBidiChar word[512];
    unsigned char hl[512];
    size_t n = 0;
    size_t i = a;
    while (i <= b) {
        long cp = ' ';
        size_t at = i;
        char esc[12];
        if (i < b)
            cp = ki_safe_next(text, b, &i, KI_SAFE_SPACES, esc);
        else
            i++;
        if (cp == ' ' || n >= sizeof word / sizeof word[0] - 12) {
            if (n)
                put_word(l, word, hl, n, indent);
            n = 0;
            if (cp == ' ')
                continue;
        }
        int h = in_span(sv, at);
        if (cp < 0) {
            for (const char *e = esc; *e; e++) {
                word[n] = (FriBidiChar)(unsigned char)*e;
                hl[n++] = (unsigned char)h;
            }
        } else {
            word[n] = (FriBidiChar)cp;
            hl[n++] = (unsigned char)h;
        }
    }
}

/* A plain string (an id, a label) as words on the current line. */
static void put_str(line_t *l, const char *s, unsigned indent)
{
    put_text(l, s, 0, strlen(s), NULL, indent);
}

static void put_char(line_t *l, FriBidiChar c)
{
    line_push(l, c, 0);
}

/* a, b and c joined, as words (a bracketed id, a path with its page). */
static void put_join(line_t *l, unsigned indent, const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *buf = malloc(n);
    if (!buf) {
        l->oom = 1;
        return;
    }
    snprintf(buf, n, "%s%s%s", a, b, c);
    put_str(l, buf, indent);
    free(buf);
}

void ks_print_text(FILE *out, const ks_hit_t *hit, const char *qid, const ks_text_style_t *style)
{
    static const ks_text_style_t plain = { 0 };
    if (!style)
        style = &plain;
    line_t l = { .out = out, .style = style };
    char num[64];
    if (qid)
        put_join(&l, INDENT, "[", qid, "]");
    snprintf(num, sizeof num, "%u. %.3f", hit->rank, hit->score);
    put_str(&l, num, INDENT);
    line_push(&l, ' ', 0);
    put_str(&l, hit->id, INDENT);
    if (hit->index && *hit->index) {
        line_push(&l, ' ', 0);
        put_join(&l, INDENT, "[", hit->index, "]");
    }
    /* Where it is: path:page or path:line, when the record says. */
    const char *path = json_string_value(json_object_get(hit->data, "path"));
    json_t *page = json_object_get(hit->data, "page");
    json_t *lineno = json_object_get(hit->data, "line");
    /* Without a path of its own the record's doc is the file; it is worth a
     * mention when a page or line goes with it (editors open file:line). */
    if ((!path || !*path) && (json_is_integer(page) || json_is_string(page) ||
                              json_is_integer(lineno)))
        path = *hit->doc ? hit->doc : NULL;
    if (path && *path) {
        char where[32] = "";
        if (json_is_integer(page))
            snprintf(where, sizeof where, ":%lld", (long long)json_integer_value(page));
        else if (json_is_string(page))
            snprintf(where, sizeof where, ":%.24s", json_string_value(page));
        else if (json_is_integer(lineno))
            snprintf(where, sizeof where, ":%lld", (long long)json_integer_value(lineno));
        line_push(&l, ' ', 0);
        put_join(&l, INDENT, path, where, "");
    }
    line_flush(&l);
    /* From here on every line holds document text. */
    l.rtl_text = 1;
    if (*hit->section) {
        /* The section on a line of its own: it is often long, and a line
         * of one direction is what a terminal lays out best. */
        line_indent(&l, INDENT);
        put_str(&l, hit->section, INDENT);
        line_flush(&l);
    }

    const ks_snippet_t *s = &hit->snippet;
    spans_view_t sv = { s->spans, s->n_spans };
    line_indent(&l, INDENT);
    if (s->cut_before)
        put_char(&l, ELLIPSIS);
    put_text(&l, hit->text, s->start, s->end, &sv, INDENT);
    if (s->cut_after)
        put_char(&l, ELLIPSIS);
    line_flush(&l);

    json_t *glosses = json_object_get(hit->data, "glosses");
    size_t i;
    json_t *g;
    json_array_foreach(glosses, i, g) {
        const char *term = json_string_value(json_object_get(g, "term"));
        const char *gloss = json_string_value(json_object_get(g, "gloss"));
        if (!gloss)
            continue;
        line_indent(&l, INDENT);
        put_str(&l, "gloss:", INDENT * 2);
        put_str(&l, term ? term : "", INDENT * 2);
        put_str(&l, "=", INDENT * 2);
        put_str(&l, gloss, INDENT * 2);
        line_flush(&l);
    }
    json_t *e;
    json_array_foreach(hit->explain, i, e) {
        line_indent(&l, INDENT);
        put_str(&l, "matched through:", INDENT * 2);
        put_str(&l, json_string_value(e), INDENT * 2);
        line_flush(&l);
    }
    json_t *cites = json_object_get(hit->data, "citations");
    json_t *c;
    json_array_foreach(cites, i, c) {
        const char *text = json_string_value(json_object_get(c, "citation"));
        const char *src = json_string_value(json_object_get(c, "source"));
        if (!text)
            continue;
        line_indent(&l, INDENT);
        put_str(&l, "cites:", INDENT * 2);
        put_str(&l, text, INDENT * 2);
        put_str(&l, "->", INDENT * 2);
        put_str(&l, src ? src : "(unresolved)", INDENT * 2);
        line_flush(&l);
    }
    free(l.cp);
    free(l.hl);
}

void ks_print_text_block(FILE *out, const ks_text_style_t *style, unsigned indent,
                         const char *text, size_t len)
{
    static const ks_text_style_t plain = { 0 };
    line_t l = { .out = out, .style = style ? style : &plain, .rtl_text = 1 };
    line_indent(&l, indent);
    put_text(&l, text, 0, len, NULL, indent);
    line_flush(&l);
    free(l.cp);
    free(l.hl);
}

void ks_print_tsv(FILE *out, const ks_hit_t *hit, const char *qid)
{
    ki_put_safe(out, qid ? qid : "1", strlen(qid ? qid : "1"), KI_SAFE_SPACES);
    fprintf(out, "\t%u\t", hit->rank);
    ki_put_safe(out, hit->id, strlen(hit->id), KI_SAFE_SPACES);
    fprintf(out, "\t%.6f", hit->score);
    if (hit->index && *hit->index) {
        fputc('\t', out);
        ki_put_safe(out, hit->index, strlen(hit->index), KI_SAFE_SPACES);
    }
    fputc('\n', out);
}

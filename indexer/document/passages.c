/*
 * passages.c - blocks to passages: section paths, footnote blocks, page-break
 * rejoining, and the hand-off of the bibliography.
 *
 * The input is text extracted from a paginated PDF. A page's footnotes sit
 * between the end of its last paragraph and the start of the next page, so a
 * paragraph can stop mid-sentence, be followed by a block of notes (after a
 * thematic break, or a run of numbered short lines), and continue after them.
 * One pass over the blocks keeps the last body passage "open" while only
 * notes and breaks follow it, and appends the next paragraph to it when the
 * open one clearly stopped mid-sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"

/* Markdown has six heading levels; HTML too. Deeper nesting cannot occur. */
#define KD_SECTION_DEPTH 8
/* A paragraph shorter than this is a title line, a byline or a caption, not
 * running text cut by a page break, even without final punctuation. */
#define KD_JOIN_MIN_LEN 200
/* A footnote is a name or a short phrase; longer numbered lines are a list. */
#define KD_NOTE_MAX_WORDS 30
#define KD_NOTE_MAX_BYTES 400
/* A lone parenthesised citation line is short. */
#define KD_LONE_CITATION_MAX 200
/* Markers waiting for their note. A page has a handful; beyond this the
 * oldest are dropped, which keeps hostile input from making linking slow. */
#define KD_PENDING_MAX 256
/* How far back an unclosed parenthesis at a paragraph's end may be and still
 * be taken for a citation that was never closed. */
#define KD_UNCLOSED_MAX 240

typedef struct pending {
    size_t passage, gloss;
    long   value;
} pending_t;

typedef struct state {
    kd_builder_t *b;
    const kd_blocks_t *bl;
    char     *titles[KD_SECTION_DEPTH];
    int       levels[KD_SECTION_DEPTH];
    size_t    depth;
    const char *runin;
    char     *section;      /* the composed path of the current position */
    int       bib, bib_level;
    size_t    bib_start, bib_count;
    char     *bib_section;
    pending_t *pend;
    size_t    n_pend, cap_pend;
    long      open;         /* passage that may still continue, or -1 */
    size_t    open_len;     /* strlen of its text */
    size_t    open_cap;     /* bytes allocated for its text */
    int       after_break;
    int       in_notes;
} state_t;

static int
compose_section(state_t *st)
{
    kd_buf_t b = {0};
    for (size_t i = 0; i < st->depth; i++) {
        if (i)
            kd_buf_adds(&b, " > ");
        kd_buf_adds(&b, st->titles[i]);
    }
    if (st->runin) {
        if (b.len)
            kd_buf_adds(&b, " > ");
        kd_buf_adds(&b, st->runin);
    }
    char *s = kd_buf_take(&b);
    if (!s)
        return -1;
    free(st->section);
    st->section = s;
    return 0;
}

/* Heading text with a trailing colon and line breaks removed. */
static char *
heading_title(const kd_block_t *blk)
{
    size_t n = blk->len;
    const char *t = blk->text;
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == ':' || t[n - 1] == '\n'))
        n--;
    if (kd_ar_punct_before(t, n) == KD_CP_AR_SEMICOLON)
        n -= KD_AR_PUNCT_LEN;
    char *s = kd_strndup(t, n);
    if (s)
        for (char *p = s; *p; p++)
            if (*p == '\n')
                *p = ' ';
    return s;
}

static int
flush_bibliography(state_t *st)
{
    if (st->bib_count == 0)
        return 0;
    int rc = kd_bibliography_add(st->b, &st->bl->v[st->bib_start], st->bib_count,
                                 st->bib_section ? st->bib_section : "");
    st->bib_count = 0;
    free(st->bib_section);
    st->bib_section = NULL;
    return rc;
}

static int
on_heading(state_t *st, const kd_block_t *blk)
{
    if (flush_bibliography(st) < 0)
        return -1;
    char *title = heading_title(blk);
    if (!title)
        return -1;
    int level = blk->level > 0 ? blk->level : 1;
    if (st->bib) {
        if (level <= st->bib_level && kd_is_bibliography_part(title))
            level = st->bib_level + 1;   /* «لاتین» written one level too high */
        else if (level <= st->bib_level)
            st->bib = 0;
    }
    if (!st->bib && kd_is_bibliography_title(title)) {
        st->bib = 1;
        st->bib_level = level;
    }
    while (st->depth > 0 && st->levels[st->depth - 1] >= level)
        free(st->titles[--st->depth]);
    if (st->depth == KD_SECTION_DEPTH) {
        free(st->titles[--st->depth]);
    }
    st->titles[st->depth] = title;
    st->levels[st->depth] = level;
    st->depth++;
    st->runin = NULL;
    st->open = -1;
    st->in_notes = 0;
    st->after_break = 0;
    return compose_section(st);
}

static int
pending_add(state_t *st, size_t passage, size_t gloss, long value)
{
    if (st->n_pend == KD_PENDING_MAX) {
        memmove(&st->pend[0], &st->pend[1], (st->n_pend - 1) * sizeof *st->pend);
        st->n_pend--;
    }
    pending_t *pv = kd_vec_grow(st->pend, &st->cap_pend, st->n_pend + 1, sizeof *pv, 16);
    if (!pv)
        return -1;
    st->pend = pv;
    st->pend[st->n_pend].passage = passage;
    st->pend[st->n_pend].gloss = gloss;
    st->pend[st->n_pend].value = value;
    st->n_pend++;
    return 0;
}

static long
pending_find(const state_t *st, long value)
{
    for (size_t i = st->n_pend; i > 0; i--)
        if (st->pend[i - 1].value == value)
            return (long)(i - 1);
    return -1;
}

static long
marker_value(const char *m)
{
    long v = 0;
    size_t i = 0, n = strlen(m), digits = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(m + i, n - i, &cp);
        int d = kd_cp_digit(cp);
        if (d < 0)
            return -1;
        if (++digits > 4)
            return -1;
        v = v * 10 + d;
        i += l;
    }
    return digits ? v : -1;
}

typedef struct note {
    long        value;
    const char *text;
    size_t      len;
} note_t;

/* Take the note text after a leading marker: "<sup>1</sup>. The World ..." */
static void
strip_note_lead(const char **s, size_t *n)
{
    while (*n > 0 && (**s == '.' || **s == ' ' || **s == ':' || **s == ')' || **s == '-')) {
        (*s)++;
        (*n)--;
    }
}

/* If every line of blk is a footnote, fill notes[] (at most cap) and return
 * how many; else 0. */
static size_t
block_notes(const state_t *st, const kd_block_t *blk, note_t *notes, size_t cap)
{
    if (blk->type == KD_BLOCK_ITEM) {
        if (!blk->ordered || blk->number <= 0 || cap < 1)
            return 0;
        notes[0].value = blk->number;
        notes[0].text = blk->text;
        notes[0].len = blk->len;
    } else if (blk->type != KD_BLOCK_PARA) {
        return 0;
    }
    size_t count = 0;
    if (blk->type == KD_BLOCK_ITEM) {
        count = 1;
    } else {
        size_t ls = 0, mi = 0;
        while (ls <= blk->len) {
            const char *nl = memchr(blk->text + ls, '\n', blk->len - ls);
            size_t le = nl ? (size_t)(nl - blk->text) : blk->len;
            if (count == cap)
                return 0;
            while (mi < blk->n_marks && blk->marks[mi].offset < ls)
                mi++;
            note_t *nt = &notes[count];
            if (mi < blk->n_marks && blk->marks[mi].offset == ls) {
                nt->value = marker_value(blk->marks[mi].marker);
                nt->text = blk->text + ls;
                nt->len = le - ls;
                strip_note_lead(&nt->text, &nt->len);
                /* A second marker on the line means it is text, not a note. */
                if (mi + 1 < blk->n_marks && blk->marks[mi + 1].offset <= le)
                    return 0;
            } else {
                nt->value = kd_footnote_line(blk->text + ls, le - ls, &nt->text, &nt->len);
            }
            if (nt->value <= 0 || nt->len == 0)
                return 0;
            count++;
            if (!nl)
                break;
            ls = le + 1;
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (kd_count_words(notes[i].text, notes[i].len) > KD_NOTE_MAX_WORDS ||
            notes[i].len > KD_NOTE_MAX_BYTES)
            return 0;
        /* Notes are recognised only where notes can be: after a break, in a
         * run of notes, or matching a marker still waiting for its note. */
        if (!st->after_break && !st->in_notes && pending_find(st, notes[i].value) < 0)
            return 0;
    }
    return count;
}

static int
link_note(state_t *st, const note_t *nt, unsigned line)
{
    long pi = pending_find(st, nt->value);
    if (pi < 0) {
        kd_diag(st->b, line, 1, "footnote %ld has no marker before it", nt->value);
        return 0;
    }
    pending_t p = st->pend[pi];
    memmove(&st->pend[pi], &st->pend[pi + 1], (st->n_pend - (size_t)pi - 1) * sizeof *st->pend);
    st->n_pend--;
    kd_passage_t *ps = &st->b->doc->passages[p.passage];
    kd_gloss_t *g = &ps->glosses[p.gloss];
    char *gloss = kd_strndup(nt->text, nt->len);
    if (!gloss)
        return -1;
    for (char *c = gloss; *c; c++)
        if (*c == '\n')
            *c = ' ';
    free(g->gloss);
    g->gloss = gloss;
    free(g->term);
    g->term = kd_gloss_term(ps->text, g->offset, gloss);
    return 0;
}

static int
is_terminal(uint32_t cp)
{
    switch (cp) {
    case '.': case '!': case '?': case ':': case ')': case ']': case '"': case '\'':
    case 0x061F /* ؟ */: case 0x06D4 /* ۔ */: case 0xBB /* » */: case 0x201D: case 0x2019:
    case 0x2026 /* … */:
        return 1;
    default:
        return 0;
    }
}

/* Does the passage text stop in the middle of a sentence? */
static int
ends_mid_sentence(const char *t, size_t n)
{
    if (n < KD_JOIN_MIN_LEN)
        return 0;
    uint32_t cp;
    size_t e = n;
    while (e > 0) {
        size_t p = kd_utf8_prev(t, e, &cp);
        if (!kd_cp_is_space(cp))
            break;
        e = p;
    }
    if (e == 0)
        return 0;
    kd_utf8_prev(t, e, &cp);
    if (is_terminal(cp))
        return 0;
    /* A citation whose parenthesis was never closed ends the paragraph:
     * "... ( 2021,30 непростых лет независимости Кыргызстана". */
    size_t limit = e > KD_UNCLOSED_MAX ? e - KD_UNCLOSED_MAX : 0;
    for (size_t i = e; i > limit; i--) {
        if (t[i - 1] == ')')
            break;
        if (t[i - 1] == '(') {
            char *d = kd_digits_ascii(t + i, e - i);
            int has = d != NULL;
            free(d);
            if (has)
                return 0;
            break;
        }
    }
    return 1;
}

/* A line that is nothing but a parenthesised citation: "(Huasheng, 2005: 50)". */
static int
is_lone_citation(const kd_block_t *blk)
{
    if (blk->type != KD_BLOCK_PARA || blk->len < 3 || blk->len > KD_LONE_CITATION_MAX)
        return 0;
    if (blk->text[0] != '(' || blk->text[blk->len - 1] != ')')
        return 0;
    int letter = 0, digit = 0;
    size_t i = 0;
    while (i < blk->len) {
        uint32_t cp;
        size_t l = kd_utf8_decode(blk->text + i, blk->len - i, &cp);
        if (kd_cp_is_letter(cp))
            letter = 1;
        if (kd_cp_digit(cp) >= 0)
            digit = 1;
        if (cp == '(' && i > 0)
            return 0;
        i += l;
    }
    return letter && digit;
}

static size_t
implied_cap(size_t n)
{
    size_t cap = 4;
    while (cap < n)
        cap *= 2;
    return cap;
}

static int
add_marks(state_t *st, size_t pi, const kd_block_t *blk, size_t shift)
{
    kd_passage_t *p = &st->b->doc->passages[pi];
    if (blk->n_marks == 0)
        return 0;
    /* Capacity is implied: the next power of two of the count (at least 4),
     * so a passage gathering many continuations grows geometrically. */
    size_t have = implied_cap(p->n_glosses), need = p->n_glosses + blk->n_marks;
    if (need > have || !p->glosses) {
        kd_gloss_t *g = realloc(p->glosses, implied_cap(need) * sizeof *g);
        if (!g)
            return -1;
        p->glosses = g;
    }
    for (size_t i = 0; i < blk->n_marks; i++) {
        kd_gloss_t *x = &p->glosses[p->n_glosses];
        memset(x, 0, sizeof *x);
        x->marker = kd_strdup(blk->marks[i].marker);
        if (!x->marker)
            return -1;
        x->offset = blk->marks[i].offset + shift;
        p->n_glosses++;
        long v = marker_value(x->marker);
        if (v > 0 && pending_add(st, pi, p->n_glosses - 1, v) < 0)
            return -1;
    }
    return 0;
}

static char *
flat_text(const char *s, size_t n)
{
    char *t = kd_strndup(s, n);
    if (t)
        for (size_t i = 0; i < n; i++)
            if (t[i] == '\n')
                t[i] = ' ';
    return t;
}

static int
new_passage(state_t *st, const kd_block_t *blk)
{
    kd_passage_t *p = kd_passage_new(st->b);
    if (!p)
        return -1;
    p->kind = KD_KIND_BODY;
    p->line = blk->line;
    p->page = blk->page;
    p->text = flat_text(blk->text, blk->len);
    p->section = kd_strdup(st->section ? st->section : "");
    if (!p->text || !p->section)
        return -1;
    size_t pi = st->b->doc->n_passages - 1;
    st->open = (long)pi;
    st->open_len = blk->len;
    st->open_cap = blk->len + 1;
    return add_marks(st, pi, blk, 0);
}

static int
append_passage(state_t *st, const kd_block_t *blk)
{
    size_t pi = (size_t)st->open;
    kd_passage_t *p = &st->b->doc->passages[pi];
    size_t old = st->open_len;
    char *t = p->text;
    if (old + 1 + blk->len + 1 > st->open_cap) {
        /* Grow geometrically: a passage may collect many continuations. */
        size_t cap = st->open_cap * 2;
        if (cap < old + 1 + blk->len + 1)
            cap = old + 1 + blk->len + 1;
        t = realloc(p->text, cap);
        if (!t)
            return -1;
        st->open_cap = cap;
    }
    t[old] = ' ';
    for (size_t i = 0; i < blk->len; i++)
        t[old + 1 + i] = blk->text[i] == '\n' ? ' ' : blk->text[i];
    t[old + 1 + blk->len] = '\0';
    p->text = t;
    st->open_len = old + 1 + blk->len;
    return add_marks(st, pi, blk, old + 1);
}

static int
on_content(state_t *st, size_t index)
{
    const kd_block_t *blk = &st->bl->v[index];
    if (st->bib) {
        if (st->bib_count == 0) {
            st->bib_start = index;
            st->bib_section = kd_strdup(st->section ? st->section : "");
            if (!st->bib_section)
                return -1;
        }
        if (st->bib_start + st->bib_count == index) {
            st->bib_count++;
            return 0;
        }
        /* Not contiguous (cannot happen: only headings interrupt); flush and restart. */
        if (flush_bibliography(st) < 0)
            return -1;
        return on_content(st, index);
    }

    /* A note the format marks as one: linked to its marker, whatever it
     * looks like. */
    if (blk->note > 0 && blk->type == KD_BLOCK_PARA) {
        note_t nt = { blk->note, blk->text, blk->len };
        if (link_note(st, &nt, blk->line) < 0)
            return -1;
        /* A note cited twice ([^1] ... [^1]) glosses every citation. */
        while (pending_find(st, nt.value) >= 0)
            if (link_note(st, &nt, blk->line) < 0)
                return -1;
        st->in_notes = 1;
        return 0;
    }

    /* Footnotes: at most one note per line of the block. */
    size_t max_notes = 1;
    for (size_t i = 0; i < blk->len; i++)
        if (blk->text[i] == '\n')
            max_notes++;
    note_t stack_notes[16];
    note_t *notes = max_notes <= 16 ? stack_notes : malloc(max_notes * sizeof *notes);
    if (!notes)
        return -1;
    size_t nn = block_notes(st, blk, notes, max_notes);
    int rc = 0;
    for (size_t i = 0; i < nn && rc == 0; i++)
        rc = link_note(st, &notes[i], blk->line);
    if (notes != stack_notes)
        free(notes);
    if (rc < 0)
        return -1;
    if (nn > 0) {
        st->in_notes = 1;
        return 0;
    }

    if (st->in_notes) {
        st->n_pend = 0;   /* markers restart on every page */
        st->in_notes = 0;
    }
    st->after_break = 0;
    if (blk->runin) {
        st->runin = blk->runin;
        st->open = -1;
        if (compose_section(st) < 0)
            return -1;
    }
    /* A continuation joins the open passage only while it stays within KD_MAX_PASSAGE_BYTES. */
    if (st->open >= 0 && blk->type == KD_BLOCK_PARA && !blk->runin &&
        st->open_len + 1 + blk->len <= KD_MAX_PASSAGE_BYTES) {
        const kd_passage_t *op = &st->b->doc->passages[st->open];
        if (is_lone_citation(blk) || ends_mid_sentence(op->text, st->open_len))
            return append_passage(st, blk);
    }
    return new_passage(st, blk);
}

int
kd_build(kd_builder_t *b, const kd_blocks_t *bl)
{
    state_t st;
    memset(&st, 0, sizeof st);
    st.b = b;
    st.bl = bl;
    st.open = -1;
    int rc = compose_section(&st);
    for (size_t i = 0; i < bl->n && rc == 0; i++) {
        const kd_block_t *blk = &bl->v[i];
        switch (blk->type) {
        case KD_BLOCK_HEADING:
            rc = on_heading(&st, blk);
            break;
        case KD_BLOCK_BREAK:
            if (!st.bib)
                st.after_break = 1;
            break;
        default:
            rc = on_content(&st, i);
            break;
        }
    }
    if (rc == 0)
        rc = flush_bibliography(&st);
    for (size_t i = 0; i < st.n_pend && rc == 0; i++) {
        const kd_passage_t *p = &b->doc->passages[st.pend[i].passage];
        kd_diag(b, p->line, 1, "footnote marker %s has no note",
                p->glosses[st.pend[i].gloss].marker);
    }
    for (size_t i = 0; i < st.depth; i++)
        free(st.titles[i]);
    free(st.section);
    free(st.bib_section);
    free(st.pend);
    if (rc == 0) {
        for (size_t i = 0; i < b->doc->n_passages; i++) {
            kd_passage_t *p = &b->doc->passages[i];
            /* An entry's language is its words', not its URL's (bibliography.c). */
            const char *lang = p->kind == KD_KIND_BIBLIO && p->source >= 0 &&
                               b->doc->sources[p->source].lang
                                   ? b->doc->sources[p->source].lang
                                   : ka_guess_lang(b->an, p->text, strlen(p->text));
            free(p->lang);
            p->lang = kd_strdup(lang ? lang : "und");
            if (!p->lang)
                return -1;
        }
    }
    return rc;
}

/*
 * blocks.c - the text builder every reader uses to turn a block's inline
 * content into clean text, and the list of blocks itself.
 *
 * White space is collapsed as it is written, so the byte offset recorded for a
 * footnote marker is already an offset into the final text.
 */
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"

/* Write the white space seen so far, unless the text is still empty. */
static void
tb_flush_pending(kd_text_builder_t *tb)
{
    if (tb->pending && tb->buf.len > 0)
        kd_buf_addc(&tb->buf, (char)tb->pending);
    tb->pending = 0;
}

void
kd_tb_text(kd_text_builder_t *tb, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        if (kd_cp_is_space(cp)) {
            if (run < i) {
                tb_flush_pending(tb);
                kd_buf_add(&tb->buf, s + run, i - run);
            }
            if (cp == '\n' || cp == '\r')
                tb->pending = '\n';
            else if (tb->pending != '\n')
                tb->pending = ' ';
            run = i + l;
        }
        i += l;
    }
    if (run < n) {
        tb_flush_pending(tb);
        kd_buf_add(&tb->buf, s + run, n - run);
    }
    if (tb->buf.oom)
        tb->oom = 1;
}

void
kd_tb_break(kd_text_builder_t *tb)
{
    tb->pending = '\n';
}

void
kd_tb_space(kd_text_builder_t *tb)
{
    if (tb->pending != '\n')
        tb->pending = ' ';
}

void
kd_tb_marker(kd_text_builder_t *tb, const char *marker, size_t n)
{
    kd_mark_t *m = kd_vec_grow(tb->marks, &tb->cap_marks, tb->n_marks + 1, sizeof *m, 4);
    if (!m) {
        tb->oom = 1;
        return;
    }
    tb->marks = m;
    char *s = kd_strndup(marker, n);
    if (!s) {
        tb->oom = 1;
        return;
    }
    tb->marks[tb->n_marks].marker = s;
    tb->marks[tb->n_marks].offset = tb->buf.len;
    tb->n_marks++;
}

void
kd_tb_reset(kd_text_builder_t *tb)
{
    for (size_t i = 0; i < tb->n_marks; i++)
        free(tb->marks[i].marker);
    free(tb->marks);
    kd_buf_free(&tb->buf);
    memset(tb, 0, sizeof *tb);
}

/* Room for one more block; -1 on allocation failure. */
static int
blocks_grow(kd_blocks_t *bl)
{
    kd_block_t *v = kd_vec_grow(bl->v, &bl->cap, bl->n + 1, sizeof *v, 32);
    if (!v)
        return -1;
    bl->v = v;
    return 0;
}

/* Where to end a piece of text[0..len) of at most max bytes (len > max):
 * after the last sentence end (. ! ? ؟ ۔ … followed by white space) in its
 * second half, else at the last line break in its last three quarters, else
 * at the last space, else at a character boundary. Returns the piece's
 * length (>= 1). */
size_t
kd_cut_point(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    for (size_t i = max; i > max / 2; i--) {
        if (text[i] != ' ' && text[i] != '\n')
            continue;
        const unsigned char *u = (const unsigned char *)text;
        if (u[i - 1] == '.' || u[i - 1] == '!' || u[i - 1] == '?' ||
            (i >= 2 && u[i - 2] == 0xD8 && u[i - 1] == 0x9F) ||                     /* ؟ */
            (i >= 2 && u[i - 2] == 0xDB && u[i - 1] == 0x94) ||                     /* ۔ */
            (i >= 3 && u[i - 3] == 0xE2 && u[i - 2] == 0x80 && u[i - 1] == 0xA6))   /* … */
            return i;
    }
    for (size_t i = max; i > max / 4; i--)
        if (text[i] == '\n')
            return i;
    for (size_t i = max; i > 0; i--)
        if (text[i] == ' ' || text[i] == '\n')
            return i;
    size_t i = max;
    while (i > 1 && ((unsigned char)text[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Push one piece text[start, end) of a long block as a block of its own,
 * with the marks in it (moved: their markers change owner). */
static int
push_piece(kd_blocks_t *bl, kd_block_type_t type, const char *text, size_t start, size_t end,
           kd_mark_t *marks, size_t n_marks, unsigned line, const char *runin)
{
    if (blocks_grow(bl) != 0)
        return -1;
    kd_block_t *b = &bl->v[bl->n];
    memset(b, 0, sizeof *b);
    b->type = type;
    b->line = line;
    b->len = end - start;
    b->text = kd_strndup(text + start, end - start);
    b->runin = runin ? kd_strdup(runin) : NULL;
    b->marks = n_marks ? malloc(n_marks * sizeof *b->marks) : NULL;
    if (!b->text || (runin && !b->runin) || (n_marks && !b->marks)) {
        free(b->text);
        free(b->runin);
        free(b->marks);
        return -1;
    }
    for (size_t i = 0; i < n_marks; i++) {
        b->marks[i].marker = marks[i].marker;
        marks[i].marker = NULL;
        size_t o = marks[i].offset;
        b->marks[i].offset = o < start ? 0 : o - start > b->len ? b->len : o - start;
    }
    b->n_marks = n_marks;
    bl->n++;
    return 0;
}

/* A paragraph or item longer than KD_MAX_PASSAGE_BYTES as several blocks cut
 * at sentence ends or line breaks (kd_cut_point), so that no passage is
 * larger: a long run without paragraph breaks (a binary file read as text,
 * a whole book on one line) costs like many passages, not like one huge one. */
static int
push_long(kd_blocks_t *bl, kd_block_type_t type, kd_text_builder_t *tb, unsigned line,
          const char *runin)
{
    const char *text = tb->buf.p;
    size_t len = tb->buf.len, start = 0, m = 0;
    int rc = 0;
    while (start < len && rc == 0) {
        size_t end = start + kd_cut_point(text + start, len - start, KD_MAX_PASSAGE_BYTES);
        size_t next = end;
        while (next < len && (text[next] == ' ' || text[next] == '\n'))
            next++;
        /* The marks up to the next piece's start are this piece's. */
        size_t m_end = m;
        while (m_end < tb->n_marks && (next >= len || tb->marks[m_end].offset < next))
            m_end++;
        /* No marks: NULL, not NULL + 0 (undefined; clang's UBSan stops there). */
        rc = push_piece(bl, type, text, start, end, m_end > m ? tb->marks + m : NULL, m_end - m,
                        line, start == 0 ? runin : NULL);
        for (size_t i = start; i < next; i++)
            if (text[i] == '\n')
                line++;
        m = m_end;
        start = next;
    }
    if (rc != 0)
        bl->oom = 1;
    kd_tb_reset(tb);   /* frees the markers not moved (none, or after a failure) */
    return rc;
}

int
kd_blocks_push(kd_blocks_t *bl, kd_block_type_t type, kd_text_builder_t *tb,
               unsigned line, const char *runin)
{
    if (tb->oom || tb->buf.oom) {
        kd_tb_reset(tb);
        bl->oom = 1;
        return -1;
    }
    /* The one place every reader's text passes: controls and escape
     * sequences go here (controls.c). */
    if (tb->buf.p)
        tb->buf.len = kd_strip_controls(tb->buf.p, tb->buf.len, tb->marks, tb->n_marks);
    for (size_t i = 0; i < tb->n_marks; i++)
        if (tb->marks[i].marker)
            kd_strip_controls(tb->marks[i].marker, strlen(tb->marks[i].marker), NULL, 0);
    if ((type == KD_BLOCK_PARA || type == KD_BLOCK_ITEM) && tb->buf.len == 0 && tb->n_marks == 0) {
        kd_tb_reset(tb);
        return 0;
    }
    if ((type == KD_BLOCK_PARA || type == KD_BLOCK_ITEM) && tb->buf.len > KD_MAX_PASSAGE_BYTES)
        return push_long(bl, type, tb, line, runin);
    /* A heading becomes part of every passage's section path: a long one is cut. */
    if (type == KD_BLOCK_HEADING && tb->buf.len > KD_MAX_HEADING_BYTES) {
        size_t cut = KD_MAX_HEADING_BYTES;
        while (cut > 0 && ((unsigned char)tb->buf.p[cut] & 0xC0) == 0x80)
            cut--;
        tb->buf.len = cut;
        tb->buf.p[cut] = '\0';
    }
    if (blocks_grow(bl) != 0) {
        kd_tb_reset(tb);
        bl->oom = 1;
        return -1;
    }
    kd_block_t *b = &bl->v[bl->n];
    memset(b, 0, sizeof *b);
    b->type = type;
    b->line = line;
    b->len = tb->buf.len;
    b->text = kd_buf_take(&tb->buf);
    b->runin = runin ? kd_strdup(runin) : NULL;
    if (b->runin)
        kd_strip_controls(b->runin, strlen(b->runin), NULL, 0);
    if (!b->text || (runin && !b->runin)) {
        free(b->text);
        free(b->runin);
        kd_tb_reset(tb);
        bl->oom = 1;
        return -1;
    }
    b->marks = tb->marks;
    b->n_marks = tb->n_marks;
    tb->marks = NULL;
    tb->n_marks = tb->cap_marks = 0;
    kd_tb_reset(tb);
    bl->n++;
    return 0;
}

void
kd_blocks_free(kd_blocks_t *bl)
{
    for (size_t i = 0; i < bl->n; i++) {
        kd_block_t *b = &bl->v[i];
        for (size_t j = 0; j < b->n_marks; j++)
            free(b->marks[j].marker);
        free(b->marks);
        free(b->text);
        free(b->runin);
    }
    free(bl->v);
    memset(bl, 0, sizeof *bl);
}

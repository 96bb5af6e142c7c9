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
    kd_block_t *v = kd_vec_grow(bl->v, &bl->cap, bl->n + 1, sizeof *v, 32);
    if (!v) {
        kd_tb_reset(tb);
        bl->oom = 1;
        return -1;
    }
    bl->v = v;
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

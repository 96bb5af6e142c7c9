/*
 * plaintext.c - plain text to blocks: a paragraph is a run of non-blank
 * lines; a line of three or more '-', '*' or '_' alone is a thematic break
 * (page-break separators in text extracted from PDFs look like that).
 */
#include <string.h>

#include "document_internal.h"

static int
is_blank(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        if (!kd_cp_is_space(cp))
            return 0;
        i += l;
    }
    return 1;
}

static int
is_rule(const char *s, size_t n)
{
    char c = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
            continue;
        if (s[i] != '-' && s[i] != '*' && s[i] != '_')
            return 0;
        if (c && s[i] != c)
            return 0;
        c = s[i];
        count++;
    }
    return count >= 3;
}

int
kd_read_text(const char *buf, size_t len, kd_blocks_t *out)
{
    kd_text_builder_t tb = {0};
    size_t i = 0;
    unsigned line = 1, start_line = 0;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *s = buf + i;
        size_t n = end - i;
        if (is_blank(s, n) || is_rule(s, n)) {
            if (start_line && kd_blocks_push(out, KD_BLOCK_PARA, &tb, start_line, NULL) < 0)
                break;
            start_line = 0;
            if (!is_blank(s, n)) {
                kd_text_builder_t empty = {0};
                if (kd_blocks_push(out, KD_BLOCK_BREAK, &empty, line, NULL) < 0)
                    break;
            }
        } else {
            if (!start_line)
                start_line = line;
            else
                kd_tb_break(&tb);
            kd_tb_text(&tb, s, n);
        }
        i = nl ? end + 1 : len;
        line++;
    }
    if (start_line && !out->oom)
        kd_blocks_push(out, KD_BLOCK_PARA, &tb, start_line, NULL);
    kd_tb_reset(&tb);
    return out->oom ? -1 : 0;
}

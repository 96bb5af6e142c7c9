/*
 * controls.c - control characters and terminal escape sequences removed
 * from a document's text before anything else sees it.
 *
 * Every reader (plain text, Markdown, HTML, and any later one) hands its
 * text over through kd_blocks_push, which calls kd_strip_controls: so no
 * passage, section, gloss or bibliography entry stored in the index carries
 * a byte that would make a terminal change its title, write the clipboard
 * (OSC 52) or clear the screen when kavosh-search prints it.
 *
 * What goes (ECMA-48 terms):
 *   - C0 controls other than TAB and LF, and DEL; CR alone.
 *   - C1 controls, U+0080..U+009F, written in UTF-8.
 *   - escape sequences, whole: ESC [ or CSI, parameter bytes 0x30-0x3F,
 *     intermediate bytes 0x20-0x2F, a final byte 0x40-0x7E; ESC ] (OSC),
 *     ESC P (DCS), ESC X (SOS), ESC ^ (PM), ESC _ (APC) and their C1 forms,
 *     up to BEL, ESC \ or ST (U+009C), or to the end of the line when no
 *     terminator comes, so that a stray one cannot swallow a whole text;
 *     any other ESC with its intermediate bytes and final byte.
 */
#include <string.h>

#include "document_internal.h"

/* The C1 control at s[i..] as its code (0x80..0x9F), or 0. */
static unsigned c1_at(const unsigned char *s, size_t i, size_t n)
{
    return i + 1 < n && s[i] == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F ? s[i + 1] : 0;
}

/* The end of the control string starting at i (just after its introducer):
 * past its terminator, or at the line's end (not consuming the newline). */
static size_t string_end(const unsigned char *s, size_t i, size_t n)
{
    while (i < n) {
        if (s[i] == 0x07)
            return i + 1;
        if (s[i] == 0x1B && i + 1 < n && s[i + 1] == '\\')
            return i + 2;
        if (c1_at(s, i, n) == 0x9C)
            return i + 2;
        if (s[i] == '\n')
            return i;
        i++;
    }
    return n;
}

/* The end of a CSI sequence whose parameters start at i. A byte outside
 * the grammar ends it there (the sequence is malformed; that byte stays). */
static size_t csi_end(const unsigned char *s, size_t i, size_t n)
{
    while (i < n && s[i] >= 0x30 && s[i] <= 0x3F)
        i++;
    while (i < n && s[i] >= 0x20 && s[i] <= 0x2F)
        i++;
    if (i < n && s[i] >= 0x40 && s[i] <= 0x7E)
        i++;
    return i;
}

/* How many bytes of control at s[i..n) to drop, or 0 if s[i] is text. */
static size_t control_len(const unsigned char *s, size_t i, size_t n)
{
    unsigned char c = s[i];
    if (c == 0x1B) {
        if (i + 1 >= n)
            return 1;
        unsigned char d = s[i + 1];
        if (d == '[')
            return csi_end(s, i + 2, n) - i;
        if (d == ']' || d == 'P' || d == 'X' || d == '^' || d == '_')
            return string_end(s, i + 2, n) - i;
        size_t j = i + 1;
        while (j < n && s[j] >= 0x20 && s[j] <= 0x2F)
            j++;
        if (j < n && s[j] >= 0x30 && s[j] <= 0x7E)
            j++;
        return j - i;
    }
    if (c < 0x20 && c != '\t' && c != '\n')
        return 1;
    if (c == 0x7F)
        return 1;
    unsigned c1 = c1_at(s, i, n);
    if (c1 == 0x9B)
        return csi_end(s, i + 2, n) - i;
    if (c1 == 0x9D || c1 == 0x90 || c1 == 0x98 || c1 == 0x9E || c1 == 0x9F)
        return string_end(s, i + 2, n) - i;
    if (c1)
        return 2;
    return 0;
}

size_t kd_strip_controls(char *text, size_t len, kd_mark_t *marks, size_t n_marks)
{
    unsigned char *s = (unsigned char *)text;
    size_t w = 0, m = 0;
    for (size_t i = 0; i < len;) {
        size_t drop = control_len(s, i, len);
        /* A mark at a byte that goes moves to where the text closes up. */
        while (m < n_marks && marks[m].offset <= i)
            marks[m++].offset = w;
        if (drop) {
            i += drop;
            continue;
        }
        s[w++] = s[i++];
    }
    while (m < n_marks)
        marks[m++].offset = w;
    if (w < len)
        s[w] = '\0';
    return w;
}

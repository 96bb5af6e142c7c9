/*
 * footnotes.c - recognising a footnote line and finding the words a footnote
 * gloss translates.
 *
 * In the article the notes of a page are English or Russian equivalents of
 * the Persian words just before the marker («صفحه شطرنج بزرگ»<sup>۳</sup> ->
 * "Grand Chess Board"), so the term is taken to be a quoted phrase right
 * before the marker if there is one, else as many words back as the gloss has
 * content words (at most KD_TERM_MAX_WORDS), never crossing punctuation.
 */
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* A translated term is a name or a short phrase; four words covers
 * "سازمان همکاری اقتصادی اکو" and stops short of whole clauses. */
#define KD_TERM_MAX_WORDS 4
/* How far back to look for the opening quote of a quoted term, in bytes. */
#define KD_TERM_QUOTE_MAX 240
/* Footnote numbers above this are not footnote numbers but years or amounts. */
#define KD_FOOTNOTE_MAX 999

long
kd_footnote_line(const char *line, size_t n, const char **gloss, size_t *gloss_len)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n && line[i] == ' ')
        i++;
    long v = 0;
    size_t digits = 0;
    while (i < n) {
        size_t l = kd_utf8_decode(line + i, n - i, &cp);
        int d = kd_cp_digit(cp);
        if (d < 0)
            break;
        v = v * 10 + d;
        i += l;
        if (++digits > 3)
            return -1;
    }
    if (digits == 0 || v == 0 || v > KD_FOOTNOTE_MAX)
        return -1;
    if (i >= n || (line[i] != '.' && line[i] != ')' && line[i] != '-' && line[i] != ':'))
        return -1;
    i++;
    if (i >= n || line[i] != ' ')
        return -1;
    while (i < n && line[i] == ' ')
        i++;
    if (i >= n)
        return -1;
    *gloss = line + i;
    *gloss_len = n - i;
    return v;
}

static int
is_stop_punct(uint32_t cp)
{
    switch (cp) {
    case ',': case ';': case '.': case ':': case '(': case ')': case '[': case ']':
    case '!': case '?': case '"': case 0x060C /* ، */: case 0x061B /* ؛ */:
    case 0x061F /* ؟ */: case 0xAB /* « */: case 0xBB /* » */: case 0x201C: case 0x201D:
    case 0x2013: case 0x2014: case '\n':
        return 1;
    default:
        return 0;
    }
}

/* Count the content words of a gloss: "The World Trade Organization" has three. */
static size_t
gloss_words(const char *g)
{
    static const char *const minor[] = {"the", "of", "a", "an", "and", "for", "on", "in", "to",
                                        "и", "в", "на", NULL};
    size_t count = 0, i = 0, n = strlen(g);
    while (i < n) {
        while (i < n && g[i] == ' ')
            i++;
        size_t s = i;
        int letters = 0;
        while (i < n && g[i] != ' ') {
            uint32_t cp;
            size_t l = kd_utf8_decode(g + i, n - i, &cp);
            if (kd_cp_is_letter(cp))
                letters = 1;
            i += l;
        }
        if (i == s || !letters)
            continue;
        int is_minor = 0;
        for (size_t k = 0; minor[k]; k++)
            if (strlen(minor[k]) == i - s && strncasecmp(minor[k], g + s, i - s) == 0)
                is_minor = 1;
        if (!is_minor)
            count++;
    }
    return count;
}

/* Leading words that never start a translated term. */
static size_t
skip_leading_minor(const char *s, size_t n)
{
    static const char *const minor[] = {"و", "در", "از", "به", "با", "که", "را", "یا", "این",
                                        "آن", "the", "a", "an", "and", NULL};
    size_t i = 0;
    for (;;) {
        size_t e = i;
        while (e < n && s[e] != ' ')
            e++;
        int hit = 0;
        for (size_t k = 0; minor[k] && e < n; k++)
            if (strlen(minor[k]) == e - i && strncasecmp(minor[k], s + i, e - i) == 0)
                hit = 1;
        if (!hit)
            return i;
        i = e;
        while (i < n && s[i] == ' ')
            i++;
    }
}

char *
kd_gloss_term(const char *text, size_t offset, const char *gloss)
{
    size_t end = offset;
    uint32_t cp;
    while (end > 0) {
        size_t p = kd_utf8_prev(text, end, &cp);
        if (!kd_cp_is_space(cp))
            break;
        end = p;
    }
    if (end == 0)
        return NULL;
    size_t p = kd_utf8_prev(text, end, &cp);
    if (cp == 0xBB /* » */ || cp == '"' || cp == 0x201D) {
        uint32_t open = cp == 0xBB ? 0xAB : cp == '"' ? '"' : 0x201C;
        size_t q = p, limit = p > KD_TERM_QUOTE_MAX ? p - KD_TERM_QUOTE_MAX : 0;
        while (q > limit) {
            uint32_t c;
            size_t r = kd_utf8_prev(text, q, &c);
            if (c == open) {
                size_t s = q;
                while (s < p && text[s] == ' ')
                    s++;
                size_t e = p;
                while (e > s && text[e - 1] == ' ')
                    e--;
                return e > s ? kd_strndup(text + s, e - s) : NULL;
            }
            if (c == '\n')
                break;
            q = r;
        }
        end = p;   /* no opening quote: take words before the closing one */
    }
    size_t want = gloss_words(gloss ? gloss : "");
    if (want < 1)
        want = 1;
    if (want > KD_TERM_MAX_WORDS)
        want = KD_TERM_MAX_WORDS;
    size_t start = end, words = 0;
    int in_word = 0;
    while (start > 0) {
        size_t q = kd_utf8_prev(text, start, &cp);
        if (is_stop_punct(cp))
            break;
        if (kd_cp_is_space(cp)) {
            if (in_word && ++words == want)
                break;
            in_word = 0;
        } else {
            in_word = 1;
        }
        start = q;
    }
    while (start < end && text[start] == ' ')
        start++;
    start += skip_leading_minor(text + start, end - start);
    if (start >= end)
        return NULL;
    return kd_strndup(text + start, end - start);
}

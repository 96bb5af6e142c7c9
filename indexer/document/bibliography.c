/*
 * bibliography.c - the bibliography section: its entries, one passage and one
 * source each, with authors, year, title, venue, pages, URL and language.
 *
 * Entries come as list items, paragraphs, or lines of one paragraph; the PDF
 * extraction also glued two entries onto one line («... شماره ۷۲. سفارت
 * جمهوری اسلامی ایران - بیسکک، (۱۳۸۳)، ...», «... p.165Stephen J Blank, ...»)
 * and split one over two blocks («... Security Community» + «- Building; ...»).
 * Lines are first merged where a line cannot start an entry, then split where
 * a second entry evidently starts, then each entry is parsed on its own.
 * Field parsing is best effort: the resolver matches citations against the
 * whole entry text, so a field parsed too wide or too narrow costs little.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* An entry's author part is short; a year further than this many words into
 * the text after a sentence end does not mark a new entry. */
#define KD_HEAD_WORDS 8
/* A split needs this many words on its left, so that initials ("W. ") never split. */
#define KD_SPLIT_MIN_WORDS 4
/* A forename is at most this many words: "سید محمد کاظم", "Elena G". */
#define KD_FORENAME_WORDS 3
/* A publication year stands near the start of an entry; looking further
 * would only make hostile input slow. */
#define KD_YEAR_SCAN_MAX 2048
/* How far ahead of a sentence end a new entry's year may stand, in bytes. */
#define KD_HEAD_SCAN_MAX 400
/* Lines longer than this are not split into entries: no real entry is that
 * long, and splitting looks ahead from every full stop. */
#define KD_SPLIT_LINE_MAX 16384
/* How far before a year to look for an access-date label, in bytes. */
#define KD_ACCESS_WINDOW 48

static const char *const bib_titles[] = {
    "منابع و مأخذ", "منابع و مآخذ", "منابع و ماخذ", "منابع", "مآخذ", "فهرست منابع",
    "کتابنامه", "کتاب‌نامه", "References", "Bibliography", "Works Cited", "Sources",
    "Литература", "Список литературы", "Библиография", NULL
};
static const char *const bib_parts[] = {
    "فارسی", "لاتین", "انگلیسی", "روسی", "عربی", "منابع فارسی", "منابع لاتین",
    "منابع انگلیسی", "منابع روسی", "English", "Russian", "Persian", "Latin",
    "На русском языке", "На английском языке", NULL
};
/* Words that start the name of an organisation rather than a title. */
static const char *const org_words[] = {
    "سازمان", "وزارت", "مرکز", "موسسه", "مؤسسه", "دانشگاه", "خبرگزاری", "روزنامه",
    "سفارت", "ماهنامه", "فصلنامه", "پژوهشکده", "Embassy", "Ministry", "Organization",
    "Organisation", "Commission", "Institute", "University", "Center", "Centre",
    "European", "Министерство", "Посольство", "Центр", "Институт", NULL
};
static const char *const access_labels[] = {
    "обращения", "accessed", "Accessed", "retrieved", "Retrieved", "تاریخ دسترسی", NULL
};

/* memmem is not in C11 or POSIX. */
static const char *
find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || m > n)
        return NULL;
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

static int
in_list(const char *const *list, const char *title)
{
    for (size_t i = 0; list[i]; i++)
        if (strcasecmp(list[i], title) == 0)   /* ASCII case only: "REFERENCES" */
            return 1;
    return 0;
}

int
kd_is_bibliography_title(const char *title)
{
    return in_list(bib_titles, title);
}

int
kd_is_bibliography_part(const char *title)
{
    return in_list(bib_parts, title);
}

/* ---- spans of an entry that are URLs ---- */

static int
url_at(const char *s, size_t n, size_t i)
{
    return (i + 7 <= n && strncasecmp(s + i, "http://", 7) == 0) ||
           (i + 8 <= n && strncasecmp(s + i, "https://", 8) == 0) ||
           (i + 4 <= n && strncasecmp(s + i, "www.", 4) == 0 &&
            (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '<' || s[i - 1] == '['));
}

static size_t
url_end(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] != ' ' && s[i] != '>' && s[i] != ')' && s[i] != ']' && s[i] != '\n')
        i++;
    return i;
}

/* Is s[pos] inside a URL? URLs hold no spaces, so only the word around pos
 * needs a look (which keeps this linear in the word, not the entry). */
static int
in_url(const char *s, size_t n, size_t pos)
{
    size_t w = pos;
    while (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n')
        w--;
    for (size_t i = w; i <= pos && i < n; i++)
        if (url_at(s, n, i))
            return pos < url_end(s, n, i);
    return 0;
}

static int
has_url(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (url_at(s, n, i))
            return 1;
    return 0;
}

/* A URL at the end of an entry ends it: nothing continues a link. */
static int
ends_in_url(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    size_t w = n;
    while (w > 0 && s[w - 1] != ' ' && s[w - 1] != '\n')
        w--;
    for (size_t i = w; i < n; i++)
        if (url_at(s, n, i))
            return 1;
    return 0;
}

/* Is the number part of a date like 01.06.2019 or ۱۴۰۱/۰۱/۲۳? */
static int
part_of_date(const char *s, size_t n, const kd_num_t *num)
{
    uint32_t cp, cp2;
    if (num->start >= 2) {
        size_t p = kd_utf8_prev(s, num->start, &cp);
        if ((cp == '.' || cp == '/') && p > 0) {
            kd_utf8_prev(s, p, &cp2);
            if (kd_cp_digit(cp2) >= 0)
                return 1;
        }
    }
    if (num->end + 1 < n && (s[num->end] == '/' || s[num->end] == '.')) {
        kd_utf8_decode(s + num->end + 1, n - num->end - 1, &cp);
        if (kd_cp_digit(cp) >= 0)
            return 1;
    }
    return 0;
}

static int
after_access_label(const char *s, size_t pos)
{
    size_t from = pos > KD_ACCESS_WINDOW ? pos - KD_ACCESS_WINDOW : 0;
    for (size_t k = 0; access_labels[k]; k++) {
        size_t l = strlen(access_labels[k]);
        for (size_t i = from; i + l <= pos; i++)
            if (memcmp(s + i, access_labels[k], l) == 0)
                return 1;
    }
    return 0;
}

/* The publication year of s[0..n): the first plausible year that is not in a
 * URL, a full date or an access date; a parenthesised one wins. */
static int
find_year(const char *s, size_t n, kd_num_t *out, int *cal)
{
    if (n > KD_YEAR_SCAN_MAX)
        n = KD_YEAR_SCAN_MAX;
    kd_num_t num, first = {0};
    int first_cal = 0;
    size_t i = 0;
    while (kd_next_number(s, n, i, &num)) {
        i = num.end;
        int c = kd_year_calendar(&num);
        if (!c || part_of_date(s, n, &num) || in_url(s, n, num.start) ||
            after_access_label(s, num.start))
            continue;
        /* Parenthesised: "(۱۳۹۴)" or "(November 2002)". */
        int paren = 0;
        for (size_t j = num.start; j > 0 && num.start - j < 24; j--) {
            if (s[j - 1] == ')')
                break;
            if (s[j - 1] == '(') {
                paren = 1;
                break;
            }
        }
        if (paren && num.end < n && s[num.end] == ')') {
            *out = num;
            *cal = c;
            return 1;
        }
        if (!first_cal) {
            first = num;
            first_cal = c;
        }
    }
    if (first_cal) {
        *out = first;
        *cal = first_cal;
        return 1;
    }
    return 0;
}

static int
is_terminal_end(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 1;
    uint32_t cp;
    kd_utf8_prev(s, n, &cp);
    return !(kd_cp_is_letter(cp) || kd_cp_digit(cp) >= 0 || cp == ',' || cp == 0x060C ||
             cp == ';' || cp == 0x061B || cp == '-');
}

/* Does a line begin like an entry: a name followed by a comma, initials, or a
 * parenthesised year early on? */
static int
author_like(const char *s, size_t n)
{
    size_t words = 0, i = 0;
    while (i < n && words < 4) {
        while (i < n && s[i] == ' ')
            i++;
        size_t st = i;
        while (i < n && s[i] != ' ')
            i++;
        if (i == st)
            break;
        words++;
        uint32_t cp;
        kd_utf8_prev(s, i, &cp);
        if (cp == ',' || cp == 0x060C)
            return 1;
        /* An initial: one letter and a full stop ("А.М.", "W."). */
        if (i - st >= 2 && s[i - 1] == '.') {
            uint32_t c0;
            size_t l0 = kd_utf8_decode(s + st, i - st, &c0);
            if (kd_cp_is_letter(c0) && (st + l0 + 1 == i || s[st + l0] == '.'))
                return 1;
        }
    }
    kd_num_t y;
    int cal;
    return find_year(s, n, &y, &cal) && kd_count_words(s, y.start) <= KD_HEAD_WORDS;
}

/* Does a new entry start at s[p]: a short head, then a year in parentheses or
 * after a comma, and no sentence end before it? */
static int
entry_head_at(const char *s, size_t n, size_t p)
{
    kd_num_t y;
    int cal;
    if (!find_year(s + p, n - p > KD_HEAD_SCAN_MAX ? KD_HEAD_SCAN_MAX : n - p, &y, &cal))
        return 0;
    if (kd_count_words(s + p, y.start) > KD_HEAD_WORDS)
        return 0;
    for (size_t i = p; i + 1 < p + y.start; i++)
        if (s[i] == '.' && s[i + 1] == ' ')
            return 0;
    /* The character before the year (skipping spaces) is "(" or a comma. */
    size_t q = p + y.start;
    uint32_t cp = 0;
    while (q > p) {
        q = kd_utf8_prev(s, q, &cp);
        if (cp != ' ')
            break;
    }
    return cp == '(' || cp == ',' || cp == 0x060C;
}

typedef struct span {
    size_t   start, end;   /* in the joined entry text */
    unsigned line;
} span_t;

typedef struct entries {
    kd_buf_t text;         /* all lines, joined with '\n' */
    span_t  *v;
    size_t   n, cap;
    int      oom;
} entries_t;

static void
entries_add(entries_t *e, size_t start, size_t end, unsigned line)
{
    span_t *v = kd_vec_grow(e->v, &e->cap, e->n + 1, sizeof *v, 16);
    if (!v) {
        e->oom = 1;
        return;
    }
    e->v = v;
    e->v[e->n].start = start;
    e->v[e->n].end = end;
    e->v[e->n].line = line;
    e->n++;
}

/* Split one line (already in e->text at [start, end)) into entries. */
static void
split_line(entries_t *e, size_t start, size_t end, unsigned line)
{
    const char *s = e->text.p;
    size_t cur = start;
    size_t i = end - start > KD_SPLIT_LINE_MAX ? end : start;
    while (i < end) {
        size_t split = 0;
        uint32_t cp, next;
        size_t l = kd_utf8_decode(s + i, end - i, &cp);
        if (i + l < end && cp == '.' && s[i + l] == ' ') {
            size_t p = i + l;
            while (p < end && s[p] == ' ')
                p++;
            if (p < end && entry_head_at(s, end, p))
                split = p;
        } else if (i > cur && s[i - 1] >= '0' && s[i - 1] <= '9' && kd_cp_is_letter(cp) &&
                   i + l < end) {
            /* "p.165Stephen": a page number glued to the next author. */
            kd_utf8_decode(s + i + l, end - i - l, &next);
            int upper = (cp >= 'A' && cp <= 'Z') || (cp >= 0x410 && cp <= 0x42F);
            int lower = (next >= 'a' && next <= 'z') || (next >= 0x430 && next <= 0x44F);
            kd_num_t y;
            int cal;
            if (upper && lower && find_year(s + i, end - i, &y, &cal))
                split = i;
        }
        if (split) {
            kd_num_t y;
            int cal;
            if (kd_count_words(s + cur, split - cur) >= KD_SPLIT_MIN_WORDS &&
                find_year(s + cur, split - cur, &y, &cal)) {
                entries_add(e, cur, split, line);
                cur = split;
                i = split;
                continue;
            }
        }
        i += l;
    }
    entries_add(e, cur, end, line);
}

/* ---- parsing one entry into fields ---- */

static char *
trimmed_dup(const char *s, size_t n, const char *strip)
{
    while (n > 0 && (strchr(strip, *s) || *s == ' ')) {
        s++;
        n--;
    }
    for (;;) {
        if (n > 0 && (strchr(strip, s[n - 1]) || s[n - 1] == ' ')) {
            n--;
            continue;
        }
        /* Arabic comma and semicolon (2 bytes each). */
        if (kd_ar_punct_before(s, n)) {
            n -= KD_AR_PUNCT_LEN;
            continue;
        }
        break;
    }
    while (kd_ar_punct_at(s, n)) {
        s += KD_AR_PUNCT_LEN;
        n -= KD_AR_PUNCT_LEN;
        while (n > 0 && *s == ' ') {
            s++;
            n--;
        }
    }
    return n ? kd_strndup(s, n) : NULL;
}

/* Next comma (Latin or Arabic) in s[i..n), or n. *sep_len gets its length. */
static size_t
next_comma(const char *s, size_t n, size_t i, size_t *sep_len)
{
    while (i < n) {
        if (s[i] == ',') {
            *sep_len = 1;
            return i;
        }
        if (kd_ar_punct_at(s + i, n - i) == KD_CP_AR_COMMA) {
            *sep_len = KD_AR_PUNCT_LEN;
            return i;
        }
        i++;
    }
    *sep_len = 0;
    return n;
}

static int
push_author(kd_source_t *src, const char *s, size_t n)
{
    char *a = trimmed_dup(s, n, ",.;:()");
    if (!a)
        return 0;
    char **v = realloc(src->authors, (src->n_authors + 1) * sizeof *v);
    if (!v) {
        free(a);
        return -1;
    }
    src->authors = v;
    src->authors[src->n_authors++] = a;
    return 0;
}

/* Add the authors in s[0..n), split at " and ", " و ", " & ". */
static int
push_authors(kd_source_t *src, const char *s, size_t n)
{
    static const char *const conj[] = {" and ", " و ", " & ", " и ", NULL};
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; conj[k]; k++) {
            size_t l = strlen(conj[k]);
            if (i + l <= n && memcmp(s + i, conj[k], l) == 0) {
                if (push_author(src, s + start, i - start) < 0)
                    return -1;
                start = i + l;
                i += l - 1;
                break;
            }
        }
    return push_author(src, s + start, n - start);
}

static int
starts_with_org_word(const char *s, size_t n)
{
    for (size_t k = 0; org_words[k]; k++) {
        size_t l = strlen(org_words[k]);
        if (l <= n && memcmp(s, org_words[k], l) == 0 && (l == n || s[l] == ' '))
            return 1;
    }
    return 0;
}

/* A quoted title «...» or "..." starting at s[i] (after spaces); sets the
 * content span and returns the index after the closing quote, or 0. */
static size_t
quoted_at(const char *s, size_t n, size_t i, size_t *qs, size_t *qe)
{
    while (i < n && s[i] == ' ')
        i++;
    uint32_t cp;
    if (i >= n)
        return 0;
    size_t l = kd_utf8_decode(s + i, n - i, &cp);
    uint32_t close = cp == 0xAB ? 0xBB : cp == '"' ? '"' : cp == 0x201C ? 0x201D : 0;
    if (!close)
        return 0;
    size_t j = i + l;
    while (j < n) {
        uint32_t c;
        size_t cl = kd_utf8_decode(s + j, n - j, &c);
        if (c == close) {
            *qs = i + l;
            *qe = j;
            return j + cl;
        }
        j += cl;
    }
    return 0;
}

/* The end of a title or venue starting at i: the next comma or sentence end. */
static size_t
field_end(const char *s, size_t n, size_t i)
{
    size_t sep;
    size_t c = next_comma(s, n, i, &sep);
    for (size_t j = i; j + 1 < c; j++)
        if (s[j] == '.' && s[j + 1] == ' ' && j > i + 1) {
            /* An initial ("J. ") or an abbreviation ("Vol. ") does not end a field. */
            size_t w = j;
            while (w > i && s[w - 1] != ' ')
                w--;
            if (j - w > 3)
                return j;
        }
    return c;
}

static void
skip_separators(const char *s, size_t n, size_t *i)
{
    for (;;) {
        while (*i < n && strchr(" ,.:;)(", s[*i]) && s[*i] != '\0')
            (*i)++;
        if (*i < n && kd_ar_punct_at(s + *i, n - *i)) {
            *i += KD_AR_PUNCT_LEN;
            continue;
        }
        break;
    }
}

/* Page numbers: "pp. 135-162", "p219-246", "P: 22-31", "p.48", "۲۰۱-۲۲۴",
 * "از ۱۹۸ تا ۲۱۶", "از صفحه ۱۶۵ تا صفحه ۱۹۲", "С. 12-15". */
static void
parse_pages(kd_source_t *src, const char *s, size_t n)
{
    kd_num_t a, b;
    size_t i = 0;
    int found = 0;
    unsigned long first = 0, last = 0;
    while (!found && kd_next_number(s, n, i, &a)) {
        i = a.end;
        if (in_url(s, n, a.start) || a.digits > 4)
            continue;
        /* What precedes: a page label? */
        size_t k = a.start;
        while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '.' || s[k - 1] == ':'))
            k--;
        int label = 0;
        if (k >= 2 && (s[k - 1] == 'p' || s[k - 1] == 'P') && (s[k - 2] == 'p' || s[k - 2] == ' ' ||
                                                             s[k - 2] == ','))
            label = 1;
        else if (k == 1 && (s[0] == 'p' || s[0] == 'P'))
            label = 1;
        else if (k >= 3 && (memcmp(s + k - 2, "\xD0\xA1", 2) == 0 || memcmp(s + k - 2, "\xD1\x81", 2) == 0) &&
                 (s[k - 3] == ' ' || s[k - 3] == ','))
            label = 1;   /* Russian "С." */
        else if (k >= 8 && memcmp(s + k - 8, "صفحه", 8) == 0)
            label = 1;
        /* Then a range? "-", "–" or " تا ". */
        size_t j = a.end;
        while (j < n && s[j] == ' ')
            j++;
        int range = 0;
        if (j < n && s[j] == '-')
            j++, range = 1;
        else if (j + 3 <= n && memcmp(s + j, "\xE2\x80\x93", 3) == 0)
            j += 3, range = 1;
        else if (j + 4 <= n && memcmp(s + j, "تا", 4) == 0)
            j += 4, range = 1;
        if (range) {
            while (j < n && s[j] == ' ')
                j++;
            if (j + 8 <= n && memcmp(s + j, "صفحه", 8) == 0)
                j += 8;
            while (j < n && s[j] == ' ')
                j++;
            if (kd_next_number(s, n, j, &b) && b.start == j && b.digits <= 4 &&
                b.value > a.value && kd_year_calendar(&a) == 0) {
                first = a.value;
                last = b.value;
                found = 1;
                break;
            }
        }
        if (label && a.value > 0 && kd_year_calendar(&a) == 0) {
            first = last = a.value;
            found = 1;
        }
    }
    if (!found)
        return;
    /* Keep the label out of the pages string: ASCII digits only. */
    char buf[48];
    if (last > first)
        snprintf(buf, sizeof buf, "%lu-%lu", first, last);
    else
        snprintf(buf, sizeof buf, "%lu", first);
    src->pages = kd_strdup(buf);
    src->page_first = (unsigned)first;
    src->page_last = (unsigned)last;
}

static void
parse_url(kd_source_t *src, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (url_at(s, n, i)) {
            size_t e = url_end(s, n, i);
            while (e > i && strchr(".,;", s[e - 1]))
                e--;
            src->url = kd_strndup(s + i, e - i);
            return;
        }
}

/* Authors, title and venue from the text around the year. */
static int
parse_names(kd_source_t *src, const char *s, size_t n, const kd_num_t *year)
{
    size_t head_end = n, after = n;
    if (year) {
        head_end = year->start;
        after = year->end;
        /* Step back over "(" or "(November " before the year. */
        size_t k = head_end;
        while (k > 0 && head_end - k < 24 && s[k - 1] != '(' && s[k - 1] != ')' &&
               s[k - 1] != ',' && kd_ar_punct_before(s, k) != KD_CP_AR_COMMA)
            k--;
        if (k > 0 && s[k - 1] == '(')
            head_end = k - 1;
        if (after < n && s[after] == ')')
            after++;
    }
    /* A quoted title inside the head ends it. */
    for (size_t i = 0; i < head_end; i++) {
        uint32_t cp;
        kd_utf8_decode(s + i, head_end - i, &cp);
        if (cp == 0xAB || cp == '"' || cp == 0x201C) {
            if (!year)
                after = i;
            head_end = i;
            break;
        }
    }
    /* Segments of the head, separated by commas. */
    size_t seg_s[16], seg_e[16], nseg = 0, i = 0;
    while (i <= head_end && nseg < 16) {
        size_t sep;
        size_t c = next_comma(s, head_end, i, &sep);
        size_t a = i, b = c;
        while (a < b && s[a] == ' ')
            a++;
        while (b > a && s[b - 1] == ' ')
            b--;
        if (b > a) {
            seg_s[nseg] = a;
            seg_e[nseg] = b;
            nseg++;
        }
        if (c >= head_end)
            break;
        i = c + sep;
    }
    size_t title_from = after, used = 0;
    if (nseg > 0) {
        size_t w0 = kd_count_words(s + seg_s[0], seg_e[0] - seg_s[0]);
        /* A head that is neither a name nor an organisation is a title:
         * «منطقه خزر در مرحله معاصر (۱۳۸۴)», «Европейский Союз – ...». */
        int title_first = (year ? nseg == 1 && w0 >= 3 : w0 >= 4) &&
                          !starts_with_org_word(s + seg_s[0], seg_e[0] - seg_s[0]) &&
                          !find_bytes(s + seg_s[0], seg_e[0] - seg_s[0], " and ", 5) &&
                          !find_bytes(s + seg_s[0], seg_e[0] - seg_s[0], " و ", 4);
        /* "Вартанян А.М. Новые аспекты ...": a surname, initials, then the title. */
        size_t initials_end = 0;
        int has_initial = 0;
        for (size_t q = seg_s[0]; q + 1 < seg_e[0]; q++)
            if (s[q + 1] == '.' && (q == seg_s[0] || s[q - 1] == ' ' || s[q - 1] == '.')) {
                uint32_t c0;
                kd_utf8_decode(s + q, seg_e[0] - q, &c0);
                if (kd_cp_is_letter(c0) && c0 < 0x80)
                    has_initial = 1;
            }
        if (has_initial)
            title_first = 0;   /* "Jeffrey W. Taliaferro" is a name */
        if (!year) {
            size_t p = seg_s[0];
            while (p < seg_e[0] && s[p] != ' ')
                p++;
            size_t q = p;
            while (q < seg_e[0] && s[q] == ' ')
                q++;
            size_t r = q;
            while (r < seg_e[0] && s[r] != ' ')
                r++;
            if (r > q && s[r - 1] == '.' && r - q <= 8 && kd_count_words(s + q, r - q) == 1) {
                uint32_t c0;
                kd_utf8_decode(s + q, r - q, &c0);
                if (kd_cp_is_letter(c0) && r - q <= 6)
                    initials_end = r;
            }
            if (initials_end) {
                if (push_author(src, s + seg_s[0], p - seg_s[0]) < 0)
                    return -1;
                title_from = initials_end;
                used = nseg;
                title_first = 0;
            }
        }
        if (!initials_end && title_first) {
            src->title = trimmed_dup(s + seg_s[0], seg_e[0] - seg_s[0], ",.;:");
            used = 1;
        } else if (!initials_end) {
            /* An organisation's name is not split at its "and". */
            int org = starts_with_org_word(s + seg_s[0], seg_e[0] - seg_s[0]);
            if ((org ? push_author(src, s + seg_s[0], seg_e[0] - seg_s[0])
                     : push_authors(src, s + seg_s[0], seg_e[0] - seg_s[0])) < 0)
                return -1;
            used = 1;
            /* Forenames and further authors while the head lasts. */
            while (used < nseg) {
                const char *g = s + seg_s[used];
                size_t gl = seg_e[used] - seg_s[used];
                size_t w = kd_count_words(g, gl);
                const char *conj = find_bytes(g, gl, " و ", 4);
                size_t cl = 4;
                if (!conj) {
                    conj = find_bytes(g, gl, " and ", 5);
                    cl = 5;
                }
                if (conj && w <= KD_FORENAME_WORDS + 2) {
                    if (push_authors(src, conj + cl, gl - (size_t)(conj - g) - cl) < 0)
                        return -1;
                    used++;
                } else if (w <= KD_FORENAME_WORDS) {
                    used++;    /* a forename: not kept, the surname identifies */
                } else if (year && nseg <= 3 && used + 1 == nseg && w <= KD_FORENAME_WORDS + 2) {
                    if (push_authors(src, g, gl) < 0)
                        return -1;
                    used++;
                } else {
                    break;
                }
            }
        }
        if (used < nseg) {
            /* The year comes late: the rest of the head holds title and venue. */
            if (!src->title)
                src->title = trimmed_dup(s + seg_s[used], seg_e[used] - seg_s[used], ",.;:");
            else
                used--;   /* the title came from the first segment: the next is the venue */
            if (used + 1 < nseg)
                src->venue = trimmed_dup(s + seg_s[used + 1], seg_e[used + 1] - seg_s[used + 1], ",.;:");
            return 0;
        }
    }
    /* Title, then venue, after the year. */
    size_t t = title_from;
    skip_separators(s, n, &t);
    if (t >= n)
        return 0;
    size_t qs, qe, qend = quoted_at(s, n, t, &qs, &qe);
    size_t next;
    if (qend) {
        if (!src->title)
            src->title = trimmed_dup(s + qs, qe - qs, ",.;:");
        next = qend;
    } else {
        size_t e = field_end(s, n, t);
        if (src->title) {
            next = t;   /* title known (title-first entry): this is the venue */
        } else {
            src->title = trimmed_dup(s + t, e - t, ",.;:");
            next = e;
        }
    }
    skip_separators(s, n, &next);
    if (next < n && !url_at(s, n, next)) {
        size_t e = field_end(s, n, next);
        if (e > next)
            src->venue = trimmed_dup(s + next, e - next, ",.;:");
    }
    return 0;
}

static int
add_entry(kd_builder_t *b, const char *s, size_t n, unsigned line, const char *section)
{
    while (n > 0 && (*s == ' ' || *s == '-' || *s == '*')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
        n--;
    if (n == 0)
        return 0;
    kd_document_t *doc = b->doc;
    kd_source_t *v = kd_vec_grow(doc->sources, &b->cap_sources, doc->n_sources + 1, sizeof *v, 32);
    if (!v)
        return -1;
    doc->sources = v;
    kd_passage_t *p = kd_passage_new(b);
    if (!p)
        return -1;
    kd_source_t *src = &doc->sources[doc->n_sources];
    memset(src, 0, sizeof *src);
    doc->n_sources++;
    p->kind = KD_KIND_BIBLIO;
    p->line = line;
    p->source = (long)(doc->n_sources - 1);
    p->text = kd_strndup(s, n);
    p->section = kd_strdup(section);
    if (!p->text || !p->section)
        return -1;
    for (char *c = p->text; *c; c++)
        if (*c == '\n')
            *c = ' ';
    const char *t = p->text;
    src->passage = doc->n_passages - 1;
    src->text = kd_strdup(t);
    char id[32];
    snprintf(id, sizeof id, "#ref-%zu", doc->n_sources);
    size_t nl = strlen(doc->name);
    src->id = malloc(nl + strlen(id) + 1);
    if (!src->text || !src->id)
        return -1;
    memcpy(src->id, doc->name, nl);
    strcpy(src->id + nl, id);

    kd_num_t year;
    int cal = 0;
    int has_year = find_year(t, n, &year, &cal);
    if (has_year) {
        src->year = kd_digits_ascii(t + year.start, year.end - year.start);
        if (!src->year)
            return -1;
        src->calendar = cal;
        src->year_gregorian = kd_year_gregorian(year.value, cal);
    }
    if (parse_names(src, t, n, has_year ? &year : NULL) < 0)
        return -1;
    parse_pages(src, t, n);
    parse_url(src, t, n);
    /* The language of the entry's words, not of its URL. */
    size_t ll = n;
    for (size_t i = 0; i < n; i++)
        if (url_at(t, n, i)) {
            ll = i;
            break;
        }
    const char *lang = ka_guess_lang(b->an, t, ll ? ll : n);
    src->lang = kd_strdup(lang && strcmp(lang, "und") != 0 ? lang : "und");
    return src->lang ? 0 : -1;
}

int
kd_bibliography_add(kd_builder_t *b, const kd_block_t *blocks, size_t n, const char *section)
{
    entries_t e;
    memset(&e, 0, sizeof e);
    int have = 0;               /* an entry is open */
    size_t open_start = 0;
    unsigned open_line = 0;
    for (size_t k = 0; k < n; k++) {
        const kd_block_t *blk = &blocks[k];
        if (blk->type != KD_BLOCK_PARA && blk->type != KD_BLOCK_ITEM)
            continue;
        size_t ls = 0;
        unsigned line = blk->line;
        while (ls <= blk->len) {
            const char *nl = memchr(blk->text + ls, '\n', blk->len - ls);
            size_t le = nl ? (size_t)(nl - blk->text) : blk->len;
            const char *s = blk->text + ls;
            size_t sl = le - ls;
            if (sl > 0) {
                kd_num_t y;
                int cal;
                int cont = have &&
                           !is_terminal_end(e.text.p + open_start, e.text.len - open_start) &&
                           !ends_in_url(e.text.p + open_start, e.text.len - open_start) &&
                           !has_url(s, sl) && !find_year(s, sl, &y, &cal) && !author_like(s, sl);
                if (cont) {
                    kd_buf_addc(&e.text, ' ');
                    kd_buf_add(&e.text, s, sl);
                } else {
                    if (have)
                        split_line(&e, open_start, e.text.len, open_line);
                    if (e.text.len)
                        kd_buf_addc(&e.text, '\n');
                    open_start = e.text.len;
                    open_line = line;
                    kd_buf_add(&e.text, s, sl);
                    have = 1;
                }
            }
            if (!nl)
                break;
            ls = le + 1;
            line++;
        }
    }
    if (have && !e.text.oom)
        split_line(&e, open_start, e.text.len, open_line);
    int rc = (e.text.oom || e.oom) ? -1 : 0;
    for (size_t i = 0; i < e.n && rc == 0; i++)
        rc = add_entry(b, e.text.p + e.v[i].start, e.v[i].end - e.v[i].start, e.v[i].line, section);
    kd_buf_free(&e.text);
    free(e.v);
    return rc;
}

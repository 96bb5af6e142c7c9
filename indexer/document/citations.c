/*
 * citations.c - finding parenthetical in-text citations in body passages.
 *
 * A citation is a parenthesis holding a name part (an author, an organisation
 * or a title) and a year and/or a page: «(کولایی، ۱۳۸۴: ۲۱۶)», «(Garbuzarova,
 * 22: 2020)», «(Варганян А.М., 2007)», «(راهنمای منطقه خزر: ۴۳۰)». The year
 * is any 4-digit number in a plausible range (kd_year_calendar), a page is a
 * number next to a colon or after p./pp./ص./С., and everything else with
 * letters is the name part. Parentheses that hold only dates, ranges, months
 * or connectives («(۱۳۸۱)», «(شهریورماه ۱۳۹۴)», «(۱۳۹۵ تا ۱۴۰۰)») are not
 * citations. A parenthesis never closed before the passage ends is taken up
 * to the end, since the article has one such citation. Several references
 * in one parenthesis, each with its own year («(Smith, 2001; Jones, 2005)»),
 * are separate citations whose text and offsets cover their own part only,
 * without the parentheses.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "document_internal.h"

/* Longest parenthesis content that can be a citation, in bytes; longer ones
 * are asides. */
#define KD_CITE_MAX 240
/* A name part longer than this many words is prose, not a reference. */
#define KD_CITE_MAX_WORDS 14
/* Tokens looked at per citation; the byte limit keeps us far below it. */
#define KD_CITE_TOKENS 64

/* Words that alone never make a name part: months, connectives, generic words. */
static const char *const not_names[] = {
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی",
    "اسفند", "ژانویه", "فوریه", "مارس", "آوریل", "می", "ژوئن", "ژوئیه", "اوت", "سپتامبر",
    "اکتبر", "نوامبر", "دسامبر", "تا", "و", "از", "سال", "سالهای", "ماه", "شماره", "جدول",
    "طبق", "یک", "دو", "در", "به", "قبل", "بعد", "حدود", "میلادی", "شمسی", "هجری", "قمری",
    "خورشیدی", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "to", "and", "or", "from", "until",
    "since", "in", "year", "years", "c", "ca", "circa", "approx", "до", "и", "с", "по",
    "год", "года", "году", "гг", "г", "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря", NULL
};

typedef enum tok_kind { TK_WORD, TK_NUM, TK_COLON, TK_SEMI, TK_DASH, TK_OTHER } tok_kind_t;

typedef struct tok {
    tok_kind_t kind;
    size_t     start, end;
    kd_num_t   num;
} tok_t;

/* Tokenize s[from..to): words (letters, with inner '.', '\'', '-'),
 * numbers, and the punctuation that matters. */
static size_t
tokenize(const char *s, size_t from, size_t to, tok_t *t, size_t cap)
{
    size_t n = 0, i = from;
    while (i < to && n < cap) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, to - i, &cp);
        if (kd_cp_digit(cp) >= 0) {
            kd_num_t num;
            kd_next_number(s, to, i, &num);
            t[n].kind = TK_NUM;
            t[n].start = num.start;
            t[n].end = num.end;
            t[n].num = num;
            n++;
            i = num.end;
            continue;
        }
        if (kd_cp_is_letter(cp)) {
            size_t st = i;
            while (i < to) {
                l = kd_utf8_decode(s + i, to - i, &cp);
                if (kd_cp_is_letter(cp) || cp == 0x200C || cp == 0x200D) {
                    i += l;
                    continue;
                }
                /* Inner '.', '\'' and '-' keep a word together ("А.М.", "Iran's"). */
                if ((cp == '.' || cp == '\'' || cp == 0x2019 || cp == '-') && i + l < to) {
                    uint32_t nx;
                    kd_utf8_decode(s + i + l, to - i - l, &nx);
                    if (kd_cp_is_letter(nx)) {
                        i += l;
                        continue;
                    }
                }
                if (cp == '.') {
                    i += l;   /* a final '.' of initials belongs to the word */
                }
                break;
            }
            t[n].kind = TK_WORD;
            t[n].start = st;
            t[n].end = i;
            n++;
            continue;
        }
        tok_kind_t k = TK_OTHER;
        if (cp == ':')
            k = TK_COLON;
        else if (cp == ';' || cp == 0x061B)
            k = TK_SEMI;
        else if (cp == '-' || cp == 0x2013 || cp == 0x2014)
            k = TK_DASH;
        if (!kd_cp_is_space(cp) && k != TK_OTHER) {
            t[n].kind = k;
            t[n].start = i;
            t[n].end = i + l;
            n++;
        }
        i += l;
    }
    return n;
}

static int
is_page_label(const char *s, const tok_t *t)
{
    static const char *const labels[] = {
        "p", "p.", "pp", "pp.", "pg", "pg.", "ص", "ص.", "صص", "صص.", "صفحه", "صفحات",
        "с", "с.", "С", "С.", "стр", "стр.", "сс", "сс.", NULL
    };
    size_t l = t->end - t->start;
    const char *w = s + t->start;
    for (size_t k = 0; labels[k]; k++)
        if (strlen(labels[k]) == l && strncasecmp(labels[k], w, l) == 0)
            return 1;
    return 0;
}

/* Is a word a name word: not a month, connective or single letter? */
static int
is_name_word(const char *s, const tok_t *t)
{
    size_t l = t->end - t->start;
    const char *w = s + t->start;
    uint32_t cp;
    size_t first = kd_utf8_decode(w, l, &cp);
    if (first >= l || (l - first == 1 && w[l - 1] == '.'))
        return 0;   /* one letter, or an initial */
    /* Strip a trailing "ماه" ("شهریورماه") before the lookup. */
    size_t cmp_len = l;
    if (l > 6 && memcmp(w + l - 6, "ماه", 6) == 0)
        cmp_len = l - 6;
    for (size_t k = 0; not_names[k]; k++)
        if (strlen(not_names[k]) == cmp_len && strncasecmp(not_names[k], w, cmp_len) == 0)
            return 0;
    return 1;
}

static int
push_citation(kd_passage_t *p, kd_citation_t *c)
{
    /* The array's capacity is the next power of two (at least 4), so it
     * grows geometrically without a capacity field in the public struct. */
    size_t n = p->n_citations;
    if (n < 4 ? n == 0 : (n & (n - 1)) == 0) {
        size_t cap = n < 4 ? 4 : n * 2;
        kd_citation_t *v = realloc(p->citations, cap * sizeof *v);
        if (!v)
            return -1;
        p->citations = v;
    }
    p->citations[p->n_citations++] = *c;
    return 0;
}

/* Analyse one citation candidate s[from..to) whose written form is
 * s[cs..ce); add it to p if it is a citation. */
static int
analyse(kd_passage_t *p, const char *s, size_t from, size_t to, size_t cs, size_t ce)
{
    tok_t t[KD_CITE_TOKENS];
    size_t n = tokenize(s, from, to, t, KD_CITE_TOKENS);
    long year = -1;
    size_t names = 0, words = 0;
    int is_page[KD_CITE_TOKENS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == TK_NUM && kd_year_calendar(&t[i].num)) {
            if (year < 0) {
                year = (long)i;
            } else if (t[year].num.value != t[i].num.value) {
                return 0;   /* two different years: a range or a date, not one reference */
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == TK_WORD) {
            words++;
            if (is_name_word(s, &t[i]) && !is_page_label(s, &t[i]))
                names++;
        }
        if (t[i].kind != TK_NUM || (long)i == year || t[i].num.digits > 4)
            continue;
        int colon_before = i > 0 && t[i - 1].kind == TK_COLON;
        int colon_after = i + 1 < n && t[i + 1].kind == TK_COLON;
        int label = i > 0 && t[i - 1].kind == TK_WORD && is_page_label(s, &t[i - 1]);
        int range_end = i >= 2 && t[i - 1].kind == TK_DASH && is_page[i - 2];
        if (colon_before || colon_after || label || range_end)
            is_page[i] = 1;
    }
    int pages = 0;
    for (size_t i = 0; i < n; i++)
        pages |= is_page[i];
    if (names == 0 || words > KD_CITE_MAX_WORDS || (year < 0 && !pages))
        return 0;

    kd_citation_t c;
    memset(&c, 0, sizeof c);
    c.source = -1;
    c.start = cs;
    c.end = ce;
    c.text = kd_strndup(s + cs, ce - cs);
    if (year >= 0)
        c.year = kd_digits_ascii(s + t[year].start, t[year].end - t[year].start);
    /* Pages: the page numbers, a range joined with '-'. */
    kd_buf_t pg = {0};
    for (size_t i = 0; i < n; i++)
        if (is_page[i]) {
            if (pg.len)
                kd_buf_addc(&pg, (i >= 2 && t[i - 1].kind == TK_DASH && is_page[i - 2]) ? '-' : ',');
            char *d = kd_digits_ascii(s + t[i].start, t[i].end - t[i].start);
            if (d)
                kd_buf_adds(&pg, d);
            free(d);
        }
    if (pg.len)
        c.pages = kd_buf_take(&pg);
    else
        kd_buf_free(&pg);
    /* The name part as written: from its first word to its last, unless a
     * number lies between; then its words joined by spaces. */
    size_t fw = n, lw = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == TK_WORD && !is_page_label(s, &t[i])) {
            if (fw == n)
                fw = i;
            lw = i;
        }
    int gap = 0;
    for (size_t i = fw; i <= lw && i < n; i++)
        if (t[i].kind == TK_NUM)
            gap = 1;
    if (!gap) {
        c.author = kd_strndup(s + t[fw].start, t[lw].end - t[fw].start);
    } else {
        kd_buf_t a = {0};
        for (size_t i = fw; i <= lw; i++)
            if (t[i].kind == TK_WORD && !is_page_label(s, &t[i])) {
                if (a.len)
                    kd_buf_addc(&a, ' ');
                kd_buf_add(&a, s + t[i].start, t[i].end - t[i].start);
            }
        c.author = kd_buf_take(&a);
    }
    if (!c.text || !c.author || (year >= 0 && !c.year) || push_citation(p, &c) < 0) {
        free(c.text);
        free(c.author);
        free(c.year);
        free(c.pages);
        return -1;
    }
    return 0;
}

/* Does s[from..to) hold a year? Used to split "(A, 2001; B, 2005)". */
static int
part_has_year(const char *s, size_t from, size_t to)
{
    kd_num_t num;
    size_t i = from;
    while (kd_next_number(s, to, i, &num)) {
        if (kd_year_calendar(&num))
            return 1;
        i = num.end;
    }
    return 0;
}

static int
detect_in(kd_passage_t *p)
{
    const char *s = p->text;
    size_t n = strlen(s);
    size_t i = 0;
    while (i < n) {
        if (s[i] != '(') {
            i++;
            continue;
        }
        size_t open = i, close = 0, j = i + 1;
        int nested = 0;
        while (j < n && j - open <= KD_CITE_MAX) {
            if (s[j] == ')') {
                close = j;
                break;
            }
            if (s[j] == '(') {
                nested = 1;
                break;
            }
            j++;
        }
        size_t content_end, written_end;
        if (close) {
            content_end = close;
            written_end = close + 1;
        } else if (!nested && j >= n) {
            /* Never closed: the citation runs to the end of the passage. */
            content_end = n;
            while (content_end > open + 1 && s[content_end - 1] == ' ')
                content_end--;
            written_end = content_end;
        } else {
            i = open + 1;
            continue;
        }
        /* Several references in one parenthesis, each with its own year. */
        size_t parts[8][2], np = 0, ps = open + 1;
        for (size_t k = open + 1; k <= content_end && np < 8; k++) {
            int semi = k < content_end && (s[k] == ';' ||
                       kd_ar_punct_at(s + k, content_end - k) == KD_CP_AR_SEMICOLON);
            if (k == content_end || semi) {
                parts[np][0] = ps;
                parts[np][1] = k;
                np++;
                ps = k + (k < content_end && s[k] == ';' ? 1 : 2);
            }
        }
        int split = np > 1;
        for (size_t k = 0; k < np && split; k++)
            if (!part_has_year(s, parts[k][0], parts[k][1]))
                split = 0;
        if (split) {
            for (size_t k = 0; k < np; k++) {
                size_t a = parts[k][0], b = parts[k][1];
                while (a < b && s[a] == ' ')
                    a++;
                while (b > a && s[b - 1] == ' ')
                    b--;
                if (analyse(p, s, a, b, a, b) < 0)
                    return -1;
            }
        } else if (analyse(p, s, open + 1, content_end, open, written_end) < 0) {
            return -1;
        }
        i = written_end > open ? written_end : open + 1;
    }
    return 0;
}

int
kd_citations_detect(kd_builder_t *b)
{
    for (size_t i = 0; i < b->doc->n_passages; i++) {
        kd_passage_t *p = &b->doc->passages[i];
        if (p->kind != KD_KIND_BODY)
            continue;
        if (detect_in(p) < 0)
            return -1;
    }
    return 0;
}

/*
 * pdf.c - PDF to blocks through poppler-glib: text page by page, each block
 * knowing the page it starts on, with the damage text extraction does to
 * Persian repaired.
 *
 * Reading a page. poppler_page_get_text() selects the page from its top-left
 * corner, and poppler's selection then loses whole lines of right-to-left
 * text; selected from the top-right corner it loses left-to-right ones. Each
 * page is read both ways (poppler_page_get_selected_text, glyph by glyph) and
 * the reading with more letters is kept.
 *
 * Repairs, line by line (kd_pdf_repair_line):
 *   - the directional marks poppler wraps around right-to-left words
 *     (U+202A-U+202E) and isolates (U+2066-U+2069), LRM and RLM, are
 *     removed; a mark closing one word right before one opening the next
 *     stands for the space between them;
 *   - Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFE) and Latin
 *     ligatures (U+FB00-U+FB06) become the letters a user types (NFKC of
 *     each such character alone: nothing else in the text is touched);
 *   - a line whose words came out in visual order (left to right) is put
 *     back in reading order. That shows when a line of Arabic-script text
 *     starts with the punctuation that ends a sentence (".", "؟", "!", ":")
 *     and does not end with any: its words are reversed.
 * Then, over the whole document (kd_pdf_repair_lam_alef): the lam-alef
 * ligature «لا» is one glyph, and extraction often gives its two letters
 * in the wrong order («اسالمی» for «اسلامی», «دالر» for «دلار»). A word with
 * alef+lam is given lam+alef there when
 *   - the alef+lam follows another alef («کاال», «باال»: two alefs in a row
 *     do not occur in Persian or Arabic words), or
 *   - the document itself has the word with lam+alef more often than with
 *     alef+lam, or has it with lam+alef at all when the document shows
 *     turned pairs elsewhere (a double alef): both orders are counted over
 *     the whole document, so a word extracted right in one place (a title,
 *     a line drawn without the ligature) repairs it everywhere.
 * A word whose right order appears nowhere stays as extracted («سال» is a
 * word; so is «طالب» beside «طلاب»): no word list decides for the text.
 *
 * Paragraphs: lines are joined into a paragraph until a blank line, or a
 * line that ends with a sentence's punctuation and is shorter than the
 * page's long lines (the last line of a paragraph); a short line alone
 * before a full one is a title, a paragraph of its own; a word hyphenated at
 * a line's end is joined again. A line of nothing but a number (a page
 * number) is dropped. A paragraph cut by a page break is rejoined by
 * passages.c like any other.
 *
 * A PDF with no text at all (scanned pages) sets the error "no text:
 * scanned?"; a file poppler cannot open sets "not a readable PDF" or
 * "encrypted".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poppler.h>
#include <unicode/unorm2.h>

#include "document_internal.h"
#include "strbuf.h"

#define ALEF 0x0627u
#define LAM  0x0644u
/* A line at most this share of the page's longest line is a paragraph's last. */
#define KD_SHORT_LINE_PCT 85
/* A line at most this share of the longest, alone before a full one: a title. */
#define KD_TITLE_PCT 60

/* ---------------------------------------------------------------------- */
/* Small UTF-8 helpers                                                     */

static void
put_cp(kd_buf_t *b, uint32_t cp)
{
    char s[4];
    size_t n;
    if (cp < 0x80) {
        s[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | (cp >> 6)); s[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12)); s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        s[0] = (char)(0xF0 | (cp >> 18)); s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); s[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    kd_buf_add(b, s, n);
}

static int
is_mark(uint32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200E || cp == 0x200F;
}

static int
is_arabic(uint32_t cp)
{
    return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
           (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFE);
}

static int
is_presentation(uint32_t cp)
{
    return (cp >= 0xFB00 && cp <= 0xFB06) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
           (cp >= 0xFE70 && cp <= 0xFEFE);
}

static int
is_final_punct(uint32_t cp)
{
    return cp == '.' || cp == '!' || cp == '?' || cp == ':' || cp == 0x061F /* ؟ */ ||
           cp == 0x06D4 || cp == 0x2026;
}

/* NFKC of one presentation form into b. */
static void
put_nfkc(kd_buf_t *b, uint32_t cp)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *n = unorm2_getNFKCInstance(&err);
    UChar src[2], dst[16];
    int32_t sl = 0;
    if (cp < 0x10000)
        src[sl++] = (UChar)cp;
    else {
        put_cp(b, cp);
        return;
    }
    int32_t dl = U_SUCCESS(err) ? unorm2_normalize(n, src, sl, dst, 16, &err) : 0;
    if (U_FAILURE(err) || dl <= 0) {
        put_cp(b, cp);
        return;
    }
    for (int32_t i = 0; i < dl; i++) {
        uint32_t c = dst[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < dl) {
            c = 0x10000 + ((c - 0xD800) << 10) + (dst[i + 1] - 0xDC00);
            i++;
        }
        put_cp(b, c);
    }
}

/* ---------------------------------------------------------------------- */
/* One line                                                                */

/* Reverse the order of the space-separated words of s[0..n) into b. */
static void
reverse_words(kd_buf_t *b, const char *s, size_t n)
{
    size_t end = n;
    int first = 1;
    while (end > 0) {
        while (end > 0 && s[end - 1] == ' ')
            end--;
        size_t start = end;
        while (start > 0 && s[start - 1] != ' ')
            start--;
        if (start < end) {
            if (!first)
                kd_buf_addc(b, ' ');
            kd_buf_add(b, s + start, end - start);
            first = 0;
        }
        end = start;
    }
}

/* Whether a repaired line is right-to-left text whose words came out in
 * visual order: mostly Arabic-script letters, sentence punctuation first
 * and none last. */
static int
visual_order(const char *s, size_t n)
{
    size_t arabic = 0, letters = 0, i = 0;
    uint32_t first = 0, last = 0, cp;
    while (i < n) {
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        if (cp != ' ') {
            if (!first)
                first = cp;
            last = cp;
        }
        if (kd_cp_is_letter(cp)) {
            letters++;
            arabic += is_arabic(cp);
        }
        i += l;
    }
    return letters > 0 && arabic * 2 > letters && is_final_punct(first) && !is_final_punct(last) &&
           memchr(s, ' ', n) != NULL;
}

char *
kd_pdf_repair_line(const char *s, size_t n, size_t *out_len)
{
    kd_buf_t b = {0};
    size_t i = 0;
    uint32_t prev = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        if (is_mark(cp)) {
            /* A word's closing mark right before the next one's opening
             * mark: the space between two words. */
            if ((cp == 0x202C || cp == 0x2069) && i + l < n) {
                uint32_t next;
                kd_utf8_decode(s + i + l, n - i - l, &next);
                if ((next == 0x202B || next == 0x202A || next == 0x202E || next == 0x202D ||
                     next == 0x2067 || next == 0x2066) && prev != ' ' && prev != 0) {
                    kd_buf_addc(&b, ' ');
                    prev = ' ';
                }
            }
            i += l;
            continue;
        }
        if (cp == 0xFEFF) {   /* a stray byte order mark */
            i += l;
            continue;
        }
        if (is_presentation(cp))
            put_nfkc(&b, cp);
        else
            kd_buf_add(&b, s + i, l);
        prev = cp;
        i += l;
    }
    /* Collapse the runs of spaces the marks may have left, and trim. */
    char *t = b.p ? b.p : NULL;
    size_t w = 0;
    for (size_t k = 0; t && k < b.len; k++) {
        if (t[k] == ' ' && (w == 0 || t[w - 1] == ' '))
            continue;
        t[w++] = t[k];
    }
    while (w > 0 && t[w - 1] == ' ')
        w--;
    if (t)
        t[w] = '\0';
    b.len = w;
    if (b.oom) {
        kd_buf_free(&b);
        return NULL;
    }
    if (t && visual_order(t, w)) {
        kd_buf_t r = {0};
        reverse_words(&r, t, w);
        kd_buf_free(&b);
        if (r.oom) {
            kd_buf_free(&r);
            return NULL;
        }
        *out_len = r.len;
        return kd_buf_take(&r);
    }
    *out_len = b.len;
    return kd_buf_take(&b);
}

/* ---------------------------------------------------------------------- */
/* Lam-alef, over the whole document                                       */

typedef struct word {
    const char *s;
    size_t      n;
} word_t;

static int
cmp_word(const void *a, const void *b)
{
    const word_t *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* How often s[0..n) occurs among the sorted words v[0..nv). */
static size_t
count_word(const word_t *v, size_t nv, const char *s, size_t n)
{
    word_t key = { s, n };
    size_t lo = 0, hi = nv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_word(&v[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t c = 0;
    while (lo + c < nv && cmp_word(&v[lo + c], &key) == 0)
        c++;
    return c;
}

static int
word_byte(unsigned char c)
{
    return c != ' ' && c != '\n';
}

/* Split text into words (runs between spaces and newlines); malloc'd. */
static word_t *
split_words(const char *text, size_t len, size_t *nw)
{
    size_t cap = 64, n = 0;
    word_t *v = malloc(cap * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < len;) {
        while (i < len && !word_byte((unsigned char)text[i]))
            i++;
        size_t s = i;
        while (i < len && word_byte((unsigned char)text[i]))
            i++;
        if (i == s)
            continue;
        word_t *nv = kd_vec_grow(v, &cap, n + 1, sizeof *nv, 64);
        if (!nv) {
            free(v);
            return NULL;
        }
        v = nv;
        v[n].s = text + s;
        v[n].n = i - s;
        n++;
    }
    *nw = n;
    return v;
}

/* Whether w[0..n) has alef+lam right after another alef (ااl). */
static int
double_alef(const char *w, size_t n)
{
    for (size_t i = 0; i + 6 <= n; i++)
        if (memcmp(w + i, "\xD8\xA7\xD8\xA7\xD9\x84", 6) == 0)
            return 1;
    return 0;
}

/* The alef+lam pairs of a word to turn around, in place. reversing: the
 * document shows extraction turned pairs around elsewhere. */
static void
fix_word(char *w, size_t n, const word_t *vocab, size_t nv, char *scratch, int reversing)
{
    /* ا is D8 A7, ل is D9 84 in UTF-8. */
    for (size_t i = 0; i + 4 <= n; i++) {
        if (!((unsigned char)w[i] == 0xD8 && (unsigned char)w[i + 1] == 0xA7 &&
              (unsigned char)w[i + 2] == 0xD9 && (unsigned char)w[i + 3] == 0x84))
            continue;
        int after_alef = i >= 2 && (unsigned char)w[i - 2] == 0xD8 &&
                         (unsigned char)w[i - 1] == 0xA7;
        int swap = after_alef;
        if (!swap) {
            memcpy(scratch, w, n);
            memcpy(scratch + i, "\xD9\x84\xD8\xA7", 4);
            size_t as_is = count_word(vocab, nv, w, n);
            size_t turned = count_word(vocab, nv, scratch, n);
            swap = turned > as_is || (reversing && turned > 0);
        }
        if (swap) {
            memcpy(w + i, "\xD9\x84\xD8\xA7", 4);
            i += 3;
        }
    }
}

int
kd_pdf_repair_lam_alef(char *text, size_t len)
{
    size_t nv = 0;
    word_t *vocab = split_words(text, len, &nv);
    if (!vocab)
        return -1;
    /* The counts are taken before any change: a copy of the words. */
    char *copy = kd_strndup(text, len);
    char *scratch = malloc(len + 1);
    if (!copy || !scratch) {
        free(vocab);
        free(copy);
        free(scratch);
        return -1;
    }
    for (size_t i = 0; i < nv; i++)
        vocab[i].s = copy + (vocab[i].s - text);
    word_t *words = malloc((nv ? nv : 1) * sizeof *words);
    if (!words) {
        free(vocab);
        free(copy);
        free(scratch);
        return -1;
    }
    memcpy(words, vocab, nv * sizeof *words);
    qsort(vocab, nv, sizeof *vocab, cmp_word);
    int reversing = 0;
    for (size_t i = 0; i < nv && !reversing; i++)
        reversing = double_alef(vocab[i].s, vocab[i].n);
    for (size_t i = 0; i < nv; i++) {
        char *w = text + (words[i].s - copy);
        for (size_t k = 0; k + 4 <= words[i].n; k++)
            if (memcmp(w + k, "\xD8\xA7\xD9\x84", 4) == 0) {
                fix_word(w, words[i].n, vocab, nv, scratch, reversing);
                break;
            }
    }
    free(words);
    free(vocab);
    free(copy);
    free(scratch);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Pages                                                                   */

static size_t
count_letters(const char *s)
{
    size_t n = 0, len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, len - i, &cp);
        n += kd_cp_is_letter(cp) || (cp >= 0xFB00 && cp <= 0xFEFE);
        i += l;
    }
    return n;
}

/* The text of a page: the fuller of the two selections (see the top). */
static char *
page_text(PopplerPage *page)
{
    double w = 0, h = 0;
    poppler_page_get_size(page, &w, &h);
    PopplerRectangle ltr = { 0, 0, w, h }, rtl = { w, 0, 0, h };
    char *a = poppler_page_get_selected_text(page, POPPLER_SELECTION_GLYPH, &ltr);
    char *b = poppler_page_get_selected_text(page, POPPLER_SELECTION_GLYPH, &rtl);
    size_t la = a ? count_letters(a) : 0, lb = b ? count_letters(b) : 0;
    char *keep = lb > la ? b : a, *drop = lb > la ? a : b;
    g_free(drop);
    char *out = keep ? kd_strdup(keep) : kd_strdup("");
    g_free(keep);
    return out;
}

/* A line of the document with the page it is on. */
typedef struct pline {
    size_t   start, len;   /* in the document's text */
    unsigned page;
} pline_t;

static int
only_digits(const char *s, size_t n)
{
    size_t i = 0, d = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        if (kd_cp_digit(cp) >= 0)
            d++;
        else if (cp != ' ' && cp != '-')
            return 0;
        i += l;
    }
    return d > 0;
}

static size_t
cp_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int
ends_paragraph(const char *s, size_t n, size_t longest)
{
    if (n == 0)
        return 1;
    uint32_t cp;
    size_t e = n;
    kd_utf8_prev(s, e, &cp);
    if (cp == 0xBB || cp == ')' || cp == '"' || cp == 0x201D) {   /* «...». */
        e = kd_utf8_prev(s, e, &cp);
        if (e > 0)
            kd_utf8_prev(s, e, &cp);
    }
    if (!is_final_punct(cp) && cp != 0xBB)
        return 0;
    return cp_count(s, n) * 100 < longest * KD_SHORT_LINE_PCT;
}

/* Does the line end with a word cut by a hyphen ("пере-", "inter-")? */
static int
hyphenated(const char *s, size_t n)
{
    if (n < 2 || s[n - 1] != '-')
        return 0;
    uint32_t cp;
    kd_utf8_prev(s, n - 1, &cp);
    return kd_cp_is_letter(cp) && !is_arabic(cp);
}

static int
push_para(kd_blocks_t *out, kd_text_builder_t *tb, unsigned page)
{
    size_t before = out->n;
    if (kd_blocks_push(out, KD_BLOCK_PARA, tb, 0, NULL) < 0)
        return -1;
    if (out->n > before)
        out->v[out->n - 1].page = page;
    return 0;
}

static int
make_blocks(const char *text, const pline_t *lines, size_t nl, kd_blocks_t *out)
{
    kd_text_builder_t tb = {0};
    unsigned para_page = 0;
    size_t i = 0;
    while (i < nl) {
        /* The longest line of this page, in characters. */
        unsigned page = lines[i].page;
        size_t j = i, longest = 0;
        while (j < nl && lines[j].page == page) {
            size_t c = cp_count(text + lines[j].start, lines[j].len);
            if (c > longest)
                longest = c;
            j++;
        }
        for (; i < j; i++) {
            const char *s = text + lines[i].start;
            size_t n = lines[i].len;
            if (n == 0 || only_digits(s, n)) {
                if (n == 0 && tb.buf.len && push_para(out, &tb, para_page) < 0)
                    return -1;
                continue;
            }
            if (tb.buf.len == 0)
                para_page = page;
            if (hyphenated(s, n)) {
                kd_tb_text(&tb, s, n - 1);
                continue;   /* the next line goes on without a space */
            }
            kd_tb_text(&tb, s, n);
            /* A short line standing alone before a full one, not ending a
             * sentence: a title or a heading, a paragraph of its own. */
            size_t c = cp_count(s, n);
            int title = tb.buf.len == n && i + 1 < j && c * 100 < longest * KD_TITLE_PCT &&
                        cp_count(text + lines[i + 1].start, lines[i + 1].len) * 100 >=
                            longest * KD_SHORT_LINE_PCT;
            if (title || ends_paragraph(s, n, longest)) {
                if (push_para(out, &tb, para_page) < 0)
                    return -1;
            } else {
                kd_tb_space(&tb);
            }
        }
        /* A page ends a block; passages.c joins it to the next page's
         * first one when it stops mid-sentence. */
        if (tb.buf.len && push_para(out, &tb, para_page) < 0)
            return -1;
    }
    kd_tb_reset(&tb);
    return out->oom ? -1 : 0;
}

int
kd_read_pdf(kd_builder_t *b, const char *buf, size_t len, kd_blocks_t *out, char **error)
{
    (void)b;
    *error = NULL;
    GBytes *bytes = g_bytes_new_static(buf, len);
    GError *gerr = NULL;
    PopplerDocument *pd = bytes ? poppler_document_new_from_bytes(bytes, NULL, &gerr) : NULL;
    if (!pd) {
        char msg[256];
        if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
            snprintf(msg, sizeof msg, "encrypted PDF: needs a password; not indexed");
        else
            snprintf(msg, sizeof msg, "not a readable PDF (%s)",
                     gerr && gerr->message ? gerr->message : "poppler cannot open it");
        if (gerr)
            g_error_free(gerr);
        if (bytes)
            g_bytes_unref(bytes);
        *error = kd_strdup(msg);
        return *error ? 0 : -1;
    }
    int n_pages = poppler_document_get_n_pages(pd);
    kd_buf_t text = {0};
    pline_t *lines = NULL;
    size_t nl = 0, cap = 0;
    int rc = 0;
    for (int p = 0; p < n_pages && rc == 0; p++) {
        PopplerPage *page = poppler_document_get_page(pd, p);
        if (!page)
            continue;
        char *pt = page_text(page);
        g_object_unref(page);
        if (!pt) {
            rc = -1;
            break;
        }
        size_t pl = strlen(pt);
        for (size_t i = 0; i <= pl && rc == 0;) {
            const char *nlp = memchr(pt + i, '\n', pl - i);
            size_t e = nlp ? (size_t)(nlp - pt) : pl;
            size_t rl = 0;
            char *r = kd_pdf_repair_line(pt + i, e - i, &rl);
            if (!r) {
                rc = -1;
                break;
            }
            pline_t *v = kd_vec_grow(lines, &cap, nl + 1, sizeof *v, 256);
            if (!v) {
                free(r);
                rc = -1;
                break;
            }
            lines = v;
            lines[nl].start = text.len;
            lines[nl].len = rl;
            lines[nl].page = (unsigned)p + 1;
            nl++;
            kd_buf_add(&text, r, rl);
            kd_buf_addc(&text, '\n');
            free(r);
            if (!nlp)
                break;
            i = e + 1;
        }
        free(pt);
    }
    g_object_unref(pd);
    g_bytes_unref(bytes);
    if (text.oom)
        rc = -1;
    if (rc == 0 && count_letters(text.p ? text.p : "") == 0) {
        *error = kd_strdup(n_pages > 0 ? "no text: scanned? (a PDF of images has no text to "
                                         "index; run OCR on it first)"
                                       : "no text: the PDF has no pages");
        if (!*error)
            rc = -1;
    } else if (rc == 0) {
        rc = kd_pdf_repair_lam_alef(text.p, text.len);
        if (rc == 0)
            rc = make_blocks(text.p, lines, nl, out);
    }
    free(lines);
    kd_buf_free(&text);
    return rc;
}

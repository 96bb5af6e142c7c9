/*
 * tokenize.c - ICU word breaking and script splitting.
 *
 * ICU's default word rules (UAX #29) keep letters of every alphabetic script
 * together and glue digits to letters («ایرانTehran», «قرن20»): both sides
 * of such a word are usually different words for a reader, so each word is
 * cut into runs of one script class. Only a few characters may stay inside a
 * run: the decimal point and the thousands comma between digits («3.14»,
 * «1,000») and the apostrophe inside Latin and Cyrillic words («o'brien»,
 * «iran's», which the analyzer then turns into «iran»). Any other
 * punctuation inside a word ends the run, so «ایران.در» (a full stop with the
 * space lost in extraction) gives two words, as does «example.com».
 */
#include "tokenize.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#define CLS_NEUTRAL (-1)  /* punctuation, symbols, spaces: belongs to no run */
#define CLS_MARK    (-2)  /* a combining mark: extends the current run */

static int classify(UChar32 c)
{
    if (c < 0x80) {
        if (c >= '0' && c <= '9')
            return KA_SCRIPT_DIGIT;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return KA_SCRIPT_LATIN;
        return CLS_NEUTRAL;
    }
    /* Fast paths for the three scripts of the corpus. */
    if (c >= 0x0620 && c <= 0x064A)
        return KA_SCRIPT_ARABIC;
    if (c >= 0x0430 && c <= 0x044F)
        return KA_SCRIPT_CYRILLIC;
    if (c >= 0x0671 && c <= 0x06D3)
        return KA_SCRIPT_ARABIC;

    int8_t gc = u_charType(c);
    if (gc == U_NON_SPACING_MARK || gc == U_COMBINING_SPACING_MARK || gc == U_ENCLOSING_MARK)
        return CLS_MARK;
    if (gc == U_DECIMAL_DIGIT_NUMBER)
        return KA_SCRIPT_DIGIT;
    if (!u_isalnum(c))
        return CLS_NEUTRAL;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &err);
    if (U_FAILURE(err))
        return KA_SCRIPT_OTHER;
    switch (sc) {
    case USCRIPT_ARABIC:   return KA_SCRIPT_ARABIC;
    case USCRIPT_CYRILLIC: return KA_SCRIPT_CYRILLIC;
    case USCRIPT_LATIN:    return KA_SCRIPT_LATIN;
    default:               return KA_SCRIPT_OTHER;
    }
}

int ka_script_of(UChar32 c)
{
    int cls = classify(c);
    return cls < 0 ? -1 : cls;
}

/* May neutral character c stay inside a run of class cls? */
static int inside_ok(int cls, UChar32 c)
{
    if (cls == KA_SCRIPT_DIGIT)
        return c == '.' || c == ',';
    if (cls == KA_SCRIPT_LATIN || cls == KA_SCRIPT_CYRILLIC)
        return c == '\'';
    return 0;
}

ka_status_t ka_tokenizer_init(ka_tokenizer_t *t)
{
    UErrorCode err = U_ZERO_ERROR;
    /* The root locale: the rules are the same for Persian, Russian and
     * English, and no dictionary is involved for these scripts. */
    t->words = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
    if (U_FAILURE(err) || t->words == NULL) {
        t->words = NULL;
        return KA_ERR_ICU;
    }
    return KA_OK;
}

void ka_tokenizer_fini(ka_tokenizer_t *t)
{
    if (t != NULL && t->words != NULL) {
        ubrk_close(t->words);
        t->words = NULL;
    }
}

/*
 * Latin and Cyrillic look-alikes. Text copied from PDFs and typed on mixed
 * keyboards writes «Mосква» or «Kыргызстан» with one Latin capital, or
 * «Tаjikistan» with a Cyrillic а; split at the script change, such a word
 * would be lost. When a word mixes the two scripts and every letter of the
 * minority script has a look-alike in the majority script, those letters are
 * rewritten. Pairs of lower-case letters after case folding; most of them
 * are look-alikes as capitals (M/М, T/Т, H/Н, B/В, K/К).
 */
static const struct { UChar latin, cyrillic; } lookalikes[] = {
    { 'a', 0x0430 }, { 'b', 0x0432 }, { 'c', 0x0441 }, { 'e', 0x0435 }, { 'h', 0x043D },
    { 'k', 0x043A }, { 'm', 0x043C }, { 'o', 0x043E }, { 'p', 0x0440 }, { 't', 0x0442 },
    { 'x', 0x0445 }, { 'y', 0x0443 },
};
#define N_LOOKALIKES (sizeof lookalikes / sizeof lookalikes[0])

static UChar lookalike(UChar c, int to_cyrillic)
{
    for (size_t i = 0; i < N_LOOKALIKES; i++) {
        if (to_cyrillic && lookalikes[i].latin == c)
            return lookalikes[i].cyrillic;
        if (!to_cyrillic && lookalikes[i].cyrillic == c)
            return lookalikes[i].latin;
    }
    return 0;
}

static void unify_lookalikes(UChar *u, int32_t ws, int32_t we)
{
    int32_t latin = 0, cyrillic = 0;
    for (int32_t i = ws; i < we; i++) {
        UChar c = u[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            latin++;
        else if (c >= 0x0400 && c <= 0x04FF)
            cyrillic++;
    }
    if (latin == 0 || cyrillic == 0 || latin == cyrillic)
        return;
    int to_cyrillic = cyrillic > latin;
    for (int32_t i = ws; i < we; i++) {
        UChar c = u[i];
        int minority = to_cyrillic ? (c >= 'a' && c <= 'z') : (c >= 0x0400 && c <= 0x04FF);
        if (minority && lookalike(c, to_cyrillic) == 0)
            return;   /* a real mixture («Кыргызstan»): split it */
    }
    for (int32_t i = ws; i < we; i++) {
        UChar c = u[i];
        int minority = to_cyrillic ? (c >= 'a' && c <= 'z') : (c >= 0x0400 && c <= 0x04FF);
        if (minority)
            u[i] = lookalike(c, to_cyrillic);
    }
}

/* Split the ICU word u[ws..we) into runs. */
static int split_word(const UChar *u, int32_t ws, int32_t we, ka_run_cb cb, void *ctx)
{
    int32_t run_start = -1, run_end = -1;
    int run_cls = 0;
    int32_t p = ws;

    while (p < we) {
        int32_t q = p;
        UChar32 c;
        U16_NEXT(u, q, we, c);
        int cls = classify(c);
        if (cls == CLS_MARK) {
            if (run_start >= 0 && run_end == p)
                run_end = q;
        } else if (cls == CLS_NEUTRAL) {
            if (run_start >= 0 && !(run_end == p && inside_ok(run_cls, c))) {
                if (cb(ctx, run_start, run_end, (ka_script_t)run_cls))
                    return 1;
                run_start = -1;
            }
        } else if (run_start >= 0 && cls == run_cls) {
            run_end = q;
        } else {
            if (run_start >= 0 && cb(ctx, run_start, run_end, (ka_script_t)run_cls))
                return 1;
            run_start = p;
            run_end = q;
            run_cls = cls;
        }
        p = q;
    }
    if (run_start >= 0 && cb(ctx, run_start, run_end, (ka_script_t)run_cls))
        return 1;
    return 0;
}

/* The class of the word u[ws..we) if all its letters and digits are of one
 * class and nothing in it could stay inside a run only conditionally; -1
 * otherwise. *end receives the end of its last letter, digit or mark. The
 * common case, decided in one pass. */
static int single_class(const UChar *u, int32_t ws, int32_t we, int32_t *end)
{
    int cls = -1;
    int32_t p = ws;
    while (p < we) {
        int32_t q = p;
        UChar32 c;
        U16_NEXT(u, q, we, c);
        int k = classify(c);
        if (k == CLS_MARK) {
            if (cls < 0)
                return -1;
        } else if (k == CLS_NEUTRAL) {
            return -1;
        } else if (cls < 0) {
            cls = k;
        } else if (k != cls) {
            return -1;
        }
        p = q;
    }
    *end = we;
    return cls;
}

ka_status_t ka_tokenize(ka_tokenizer_t *t, UChar *u, int32_t n, ka_run_cb cb, void *ctx)
{
    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(t->words, u, n, &err);
    if (U_FAILURE(err))
        return KA_ERR_ICU;
    int32_t prev = ubrk_first(t->words);
    for (int32_t next = ubrk_next(t->words); next != UBRK_DONE; prev = next, next = ubrk_next(t->words)) {
        if (ubrk_getRuleStatus(t->words) < UBRK_WORD_NONE_LIMIT)
            continue;   /* spaces and punctuation */
        int32_t end;
        int cls = single_class(u, prev, next, &end);
        if (cls >= 0) {
            if (cb(ctx, prev, end, (ka_script_t)cls))
                return KA_STOPPED;
            continue;
        }
        unify_lookalikes(u, prev, next);
        if (split_word(u, prev, next, cb, ctx))
            return KA_STOPPED;
    }
    return KA_OK;
}

/*
 * stem_fa.c - the light Persian stemmer.
 *
 * Persian inflection that matters for search is mostly agglutinated:
 *   noun + (تر|ترین) + (ها|ان|ات) + (ی ezafe/indefinite | possessive)
 *   می/نمی + verb stem + personal ending
 * A heavy stemmer (or a lemmatizer) needs a lexicon; this one strips only
 * the affixes listed below, each with a guard on what must remain, and knows
 * a list of words that look inflected but are not (ایران is not ایر + ان,
 * دختر is not دخ + تر). Verbs keep their personal endings: «میشود» and
 * «نمیشود» both become «شود», not a guessed root.
 *
 * All strings here are compared after normalization (see normalize.c): ی and
 * ک are the Persian letters, آ has become ا, ZWNJ is gone. Every Persian
 * letter is two bytes in UTF-8; lengths in "letters" count code points.
 */
#include "stem_fa.h"

#include <stdint.h>
#include <string.h>

/* Words that end like a suffix but are not inflected, written as people spell
 * them (normalized at init). Mostly nouns ending in ان, ات, تر, ها, ی that are
 * frequent in Persian scholarship on Iran and Central Asia. */
static const char *const keep_words[] = {
    /* -ان */
    "ایران", "تهران", "توران", "زمان", "سازمان", "خیابان", "بیابان", "جهان", "زبان",
    "میدان", "استان", "دوران", "باران", "پایان", "نشان", "جوان", "انسان", "آسمان",
    "درمان", "فرمان", "کاروان", "مهمان", "میهمان", "پیمان", "ساختمان", "گمان", "امکان",
    "مکان", "بیان", "جریان", "میزان", "بنیان", "ایمان", "قربان", "دندان", "زندان",
    "خاندان", "کرمان", "گیلان", "اصفهان", "خراسان", "آبادان", "همدان", "زنجان",
    "آذربایجان", "افغان", "سودان", "یونان", "لبنان", "عمان", "عثمان", "سلیمان",
    "رمضان", "آبان", "کیهان", "ارزان", "گران", "آسان", "پنهان", "روان", "توان",
    "فراوان", "همان", "چنان", "زیان", "طوفان", "جان", "نان", "خان", "شان", "گریبان",
    "پهلوان", "قرآن", "بستان", "کمان", "امان", "ارمغان", "دیوان", "ایوان", "میان",
    "پیکان", "بازرگان", "گروگان", "رایگان", "شایان", "نمایان", "پریشان", "ایشان",
    "آنان", "اینان", "کاپیتان", "سلطان", "شیطان", "بهتان", "هیجان", "بحران", "عنوان",
    "دیوان", "دکان", "دهان", "نردبان", "باغبان", "مرزبان", "زمستان", "تابستان",
    "داستان", "دبستان", "بیمارستان", "تاجیک", "ازبکستان", "پاکستان", "هندوستان",
    "انگلستان", "ترکمنستان", "قزاقستان", "تاجیکستان", "قرقیزستان", "ارمنستان",
    "گرجستان", "عربستان", "افغانستان", "کردستان", "لرستان", "سیستان", "بلوچستان",
    "خوزستان", "کوهستان", "پاسداران", "تیان", "اران", "کابان", "مان", "بهعنوان",
    "قهرمان", "آرمان", "سامان", "دودمان", "زایمان", "پشیمان", "مسلمان", "ترکمان",
    "نریمان", "درخشان", "کاشان", "افشان", "آلمان", "رحمان", "کتان", "ختان", "تومان",
    "یکسان", "همگان", "وجدان", "بعنوان", "ارزان", "کودکستان", "نوجوان", "نگران",
    /* -ات */
    "ذات", "حیات", "نجات", "صفات", "زکات", "ملاقات", "اوقات", "ساعات", "سادات",
    "برات", "مات", "فرات", "ثبات", "مساوات", "مسافات", "قنات", "نبات", "لات",
    "کلات", "هرات", "تورات", "نکات", "ایالات", "مجازات", "بی‌ثبات",
    /* -تر */
    "دختر", "دفتر", "کبوتر", "انگشتر", "کامپیوتر", "کیلومتر", "سانتیمتر", "میلیمتر",
    "متر", "لیتر", "دکتر", "چتر", "بستر", "شتر", "اختر", "تئاتر", "فیلتر", "پوستر",
    "استر", "اشتر", "خاکستر", "گستر", "کتر", "اکستر", "سنتر", "ستر", "کنتر",
    "پیتر", "والتر", "اوتر", "بهتر", "کمتر", "بیشتر", "مهتر", "کهتر", "برتر", "فروتر",
    /* -ها */
    "تنها", "انتها", "بها", "رها", "اینها", "آنها", "شانگهای", "بهای", "ابتها",
    /* -ی that is part of the word (names, loanwords, function words) */
    "قاضی", "ماهی", "کشتی", "شیمی", "تاکسی", "کرسی", "بازی", "جمهوری",
    "علی", "علیه", "برای", "شوروی", "مهدی", "موسی", "عیسی", "یحیی", "مصطفی", "مرتضی", "مجتبی", "کسی",
    "چیزی", "گاهی", "نوعی", "کمی", "خیلی", "ولی", "بلی", "یعنی", "حتی", "سعدی",
    "فردوسی", "رازی", "مولوی", "کی", "وی", "نی", "پی", "طی", "ری", "سی", "بی", "دی",
    "هی", "چای", "جای", "پای", "نای", "رای", "وای", "بای", "سرای", "خدای", "آقای",
    "دیپلماسی", "دموکراسی", "بوروکراسی", "آکادمی", "اقتصاددانی",
    /* -ه that is not the silent ending */
    "دانشگاه", "جایگاه", "پایگاه", "گاه", "راه", "ماه", "شاه", "آگاه", "گروه", "کوه",
    "اندوه", "شکوه", "وجه", "توجه", "فقیه", "شبه", "مشابه", "پادشاه", "سپاه",
    "سیاه", "گناه", "پناه", "کوتاه", "اشتباه", "نگاه", "دستگاه", "کارگاه",
    /* silent ه, but the word without it is another common word */
    "نامه", "زمینه", "دوره", "خانه", "بنده", "پرده", "گونه",
};

/* Lexical words that begin with می (not the verbal prefix). */
static const char *const mi_exact_words[] = {
    "میز", "میل", "میر", "میخ", "میش", "مینا", "مینو", "میوه", "میهن", "میان",
    "میانه", "میس", "می", "میگ", "میم", "میترا", "میشل", "میخائیل", "میخاییل",
};

/* Lexical stems that begin with می, with whatever nominal ending follows them
 * (see lexical_mi_word). */
static const char *const mi_prefix_words[] = {
    "میهمان", "میلاد", "میلیون", "میلیارد", "میراث", "میزان", "میدان", "میکروب",
    "میمون", "میثاق", "میرزا", "میانجی", "میانگین", "میانمار", "میزبان", "میلیتاری",
    "میکرو", "مینیاتور", "میسیون", "میتینگ", "میلیس", "میکائیل", "میناب", "میاندوآب",
    "میهن", "میوه",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

ka_status_t ka_stem_fa_init(ka_stem_fa_t *st, ka_fold_fn fold, void *ctx)
{
    ka_status_t s;
    memset(st, 0, sizeof *st);
    if ((s = ka_wordset_init(&st->keep, keep_words, COUNT(keep_words), fold, ctx)) != KA_OK ||
        (s = ka_wordset_init(&st->mi_exact, mi_exact_words, COUNT(mi_exact_words), fold, ctx)) != KA_OK ||
        (s = ka_wordset_init(&st->mi_prefix, mi_prefix_words, COUNT(mi_prefix_words), fold, ctx)) != KA_OK) {
        ka_stem_fa_fini(st);
        return s;
    }
    return KA_OK;
}

void ka_stem_fa_fini(ka_stem_fa_t *st)
{
    if (st == NULL)
        return;
    ka_wordset_fini(&st->keep);
    ka_wordset_fini(&st->mi_exact);
    ka_wordset_fini(&st->mi_prefix);
}

/* Code points in s[0..len). */
static size_t letters(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Byte loops rather than memcmp: the strings are a few bytes long and the
 * calls run for every Persian word. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static inline int ends_with(const char *w, size_t len, const char *suf, size_t sl)
{
    return len >= sl && same_bytes(w + len - sl, suf, sl);
}

static inline int starts_with(const char *w, size_t len, const char *pre, size_t pl)
{
    return len >= pl && same_bytes(w, pre, pl);
}

#define S(lit) lit, (sizeof(lit) - 1)

/* Does w end like a conjugated verb (personal endings د م ی, past ت,
 * participle ه)? */
static int verbal_ending(const char *w, size_t len)
{
    /* «میتوان» (one can) is the one impersonal form ending in a bare stem;
     * ه ends the participles of the past progressive («میشده»). */
    return ends_with(w, len, S("د")) || ends_with(w, len, S("م")) ||
           ends_with(w, len, S("ی")) || ends_with(w, len, S("ت")) ||
           ends_with(w, len, S("ه")) ||
           (len == sizeof("توان") - 1 && memcmp(w, "توان", len) == 0);
}

/* Is w a lexical word starting with می: one of mi_prefix_words alone or with
 * a nominal ending? With a personal ending it is a verb after all:
 * «میدان» (square), «میدانها», «میدانی» (field, as in field studies) are
 * nouns, «میدانم», «میدانند» (I know, they know) verbs. */
static int lexical_mi_word(const ka_stem_fa_t *st, const char *w, size_t len)
{
    static const char *const personal[] = { "م", "د", "یم", "ید", "ند" };
    const ka_wordset_t *ws = &st->mi_prefix;
    /* The shortest lexical word w starts with decides (میز before میزان). */
    size_t pl = 0;
    for (size_t i = 0; i < ws->n; i++)
        if ((pl == 0 || ws->lens[i] < pl) && starts_with(w, len, ws->arena + ws->offs[i], ws->lens[i]))
            pl = ws->lens[i];
    if (pl == 0)
        return 0;
    for (size_t k = 0; k < sizeof personal / sizeof personal[0]; k++)
        if (len - pl == strlen(personal[k]) && same_bytes(w + pl, personal[k], len - pl))
            return 0;
    return 1;
}

/* The verbal prefixes: «میشود», «نمیشود» -> «شود». The rest must be at least
 * two letters and end like a verb, and the word must not be a lexical word
 * starting with می (میز, میدان, میهمانی). */
static int strip_verbal_prefix(const ka_stem_fa_t *st, const char *w, size_t len, size_t *skip)
{
    size_t pl;
    if (starts_with(w, len, S("نمی")))
        pl = sizeof("نمی") - 1;
    else if (starts_with(w, len, S("می")))
        pl = sizeof("می") - 1;
    else
        return 0;
    if (letters(w + pl, len - pl) < 2 || !verbal_ending(w + pl, len - pl))
        return 0;
    if (ka_wordset_has(&st->mi_exact, w, len) || lexical_mi_word(st, w, len))
        return 0;
    *skip = pl;
    return 1;
}

/*
 * The suffix rules work on the word's letters (code points) rather than its
 * bytes: every rule tests the last letters and counts what remains, and with
 * the letters decoded once both are a few comparisons. The word's bytes in
 * `out` are kept in step: stripping shortens them, and the rules that put
 * back the ه a suffix replaced (گان -> ه, گی -> ه) write it.
 */

/* Letters used in the suffixes (after normalization). */
enum {
    ALEF = 0x0627, TEH = 0x062A, DAL = 0x062F, REH = 0x0631, SEEN = 0x0633,
    SHEEN = 0x0634, MEEM = 0x0645, NOON = 0x0646, HEH = 0x0647, WAW = 0x0648,
    GAF = 0x06AF, YEH = 0x06CC
};

/* Words longer than this many letters are not stemmed (no Persian word is;
 * joined pairs of long words and junk are left as they are). */
#define FA_MAX_LETTERS 96

typedef struct fa_word {
    char    *bytes;                      /* the caller's out buffer */
    uint32_t cp[FA_MAX_LETTERS + 2];     /* letters */
    uint32_t off[FA_MAX_LETTERS + 3];    /* byte offset of each letter; off[n] = length */
    int      n;                          /* letters */
} fa_word_t;

/* Do the last k letters of wd equal suf[0..k)? */
static inline int ends(const fa_word_t *wd, const uint32_t *suf, int k)
{
    if (wd->n < k)
        return 0;
    for (int i = 0; i < k; i++)
        if (wd->cp[wd->n - k + i] != suf[i])
            return 0;
    return 1;
}

/* Letter i of wd from the end (1 = last), 0 if there is none. */
static inline uint32_t from_end(const fa_word_t *wd, int i)
{
    return wd->n >= i ? wd->cp[wd->n - i] : 0;
}

static inline int is_vowel(uint32_t c)
{
    return c == ALEF || c == WAW;
}

/* Append letter c (two bytes in UTF-8: all Arabic-block letters are). */
static void append(fa_word_t *wd, uint32_t c)
{
    uint32_t o = wd->off[wd->n];
    wd->bytes[o] = (char)(0xC0 | (c >> 6));
    wd->bytes[o + 1] = (char)(0x80 | (c & 0x3F));
    wd->cp[wd->n] = c;
    wd->n++;
    wd->off[wd->n] = o + 2;
}

#define SUF(...) (const uint32_t[]){ __VA_ARGS__ }, (int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* Strip suffix suf of k letters if at least min letters remain. */
static inline int strip_if(fa_word_t *wd, const uint32_t *suf, int k, int min)
{
    if (!ends(wd, suf, k) || wd->n - k < min)
        return 0;
    wd->n -= k;
    return 1;
}

/* One suffix step. Returns 1 if something was removed, 2 if it was and
 * nothing more may be (the silent ه), 0 if nothing applies. */
static int strip_suffix(fa_word_t *wd)
{
    uint32_t last = from_end(wd, 1);
    switch (last) {
    case ALEF:
        /* Plural ها; two letters must remain. */
        return strip_if(wd, SUF(HEH, ALEF), 2);
    case MEEM:
    case TEH:
    case SHEEN:
        /* Plural with a possessive: «کتابهایم», «کتابهایت», «کتابهایش». */
        if (strip_if(wd, (const uint32_t[]){ HEH, ALEF, YEH, last }, 4, 2))
            return 1;
        /* Arabic plural ات: «اطلاعات» -> «اطلاع», «انتخابات» -> «انتخاب». */
        if (last == TEH && strip_if(wd, SUF(ALEF, TEH), 3))
            return 1;
        return 0;
    case REH:
        /* Comparative: «بزرگتر» -> «بزرگ», but «بهتر» and «دختر» stay (guard
         * of three letters, and the keep list for longer nouns in -تر). */
        return strip_if(wd, SUF(TEH, REH), 3);
    case NOON:
        break;
    case YEH:
        /* Plural with ezafe or indefinite ی: «کشورهای», «کشورهایی». */
        if (strip_if(wd, SUF(HEH, ALEF, YEH, YEH), 2) || strip_if(wd, SUF(HEH, ALEF, YEH), 2))
            return 1;
        /* Abstract nouns of words in silent ه: «نمایندگی» -> «نماینده»,
         * «همسایگی» -> «همسایه». Only after د, ت and ی, so that «فرهنگی»
         * and «بزرگی» (گ + ی) are left to the ی rule. */
        if (ends(wd, SUF(GAF, YEH)) && wd->n - 2 >= 3) {
            uint32_t before = from_end(wd, 3);
            if (before == DAL || before == TEH || before == YEH) {
                wd->n -= 2;
                append(wd, HEH);
                return 1;
            }
        }
        /* Ezafe / indefinite / relational ی after a vowel: «دانشجویی» -> «دانشجو». */
        if (ends(wd, SUF(YEH, YEH)) && wd->n - 2 >= 2 && is_vowel(from_end(wd, 3))) {
            wd->n -= 2;
            return 1;
        }
        /* Ezafe / indefinite / relational ی: «اقتصادی» -> «اقتصاد»; three
         * letters must remain («علی», «کی» stay). */
        return strip_if(wd, SUF(YEH), 3);
    case HEH:
        /* Silent final ه, last: it is dropped before ات, گان and the
         * relational ای in Arabic plurals and derivations («مطالعه» /
         * «مطالعات», «مقاله» / «مقالات»), and joined text makes «منطقه‌ای»
         * look like «منطق» + «های»; removing it makes all of these meet.
         * After ا and و the ه is a consonant (راه, گروه) and stays, like the
         * keep list's دانشگاه. Nothing is stripped after it: «همسایه» ->
         * «همسای», not on to «همسا». */
        if (wd->n - 1 >= 3 && !is_vowel(from_end(wd, 2))) {
            wd->n -= 1;
            return 2;
        }
        return 0;
    default:
        return 0;
    }

    /* Words in ن. Plural with a plural possessive: «کتابهایشان». */
    if (strip_if(wd, SUF(HEH, ALEF, YEH, MEEM, ALEF, NOON), 2) ||
        strip_if(wd, SUF(HEH, ALEF, YEH, TEH, ALEF, NOON), 2) ||
        strip_if(wd, SUF(HEH, ALEF, YEH, SHEEN, ALEF, NOON), 2))
        return 1;
    /* Superlative: «بزرگترین» -> «بزرگ»; on a short base keep the
     * comparative, so «بهترین» -> «بهتر» and never «به». */
    if (ends(wd, SUF(TEH, REH, YEH, NOON))) {
        int base = wd->n - 4;
        if (base >= 3) {
            wd->n = base;
        } else if (base >= 1) {
            wd->n -= 2;   /* ترین -> تر */
        } else {
            return 0;
        }
        return 1;
    }
    /* Plural possessives on a bare noun: «کشورمان» -> «کشور»; never in ستان
     * (قرقیزستان), and the keep list holds سازمان, زمان, نشان... */
    if (strip_if(wd, SUF(MEEM, ALEF, NOON), 3) || strip_if(wd, SUF(SHEEN, ALEF, NOON), 3))
        return 1;
    if (ends(wd, SUF(TEH, ALEF, NOON)) && wd->n - 3 >= 3 && from_end(wd, 4) != SEEN) {
        wd->n -= 3;
        return 1;
    }
    /* Animate plural after a vowel: «دانشجویان» -> «دانشجو», «آقایان» -> «اقا». */
    if (ends(wd, SUF(YEH, ALEF, NOON)) && wd->n - 3 >= 2 && is_vowel(from_end(wd, 4))) {
        wd->n -= 3;
        return 1;
    }
    /* Plural of words in silent ه: «نمایندگان» -> «نماینده». */
    if (ends(wd, SUF(GAF, ALEF, NOON)) && wd->n - 3 >= 3) {
        wd->n -= 3;
        append(wd, HEH);
        return 1;
    }
    /* Plural ان: three letters must remain, and place names in ستان stay. */
    if (ends(wd, SUF(ALEF, NOON)) && wd->n - 2 >= 3 &&
        !(from_end(wd, 3) == TEH && from_end(wd, 4) == SEEN)) {
        wd->n -= 2;
        return 1;
    }
    return 0;
}

/* At most this many suffix steps: «ایرانیان» = ایران + ی + ان needs two,
 * «کشورهایی» one; ترین + ها + ی three, and a silent ه may follow. */
#define MAX_SUFFIX_STEPS 4

size_t ka_stem_fa(const ka_stem_fa_t *st, const char *w, size_t len, char *out)
{
    size_t skip = 0;
    if (ka_wordset_has(&st->keep, w, len)) {
        memcpy(out, w, len);
        out[len] = '\0';
        return len;
    }
    if (strip_verbal_prefix(st, w, len, &skip)) {
        memcpy(out, w + skip, len - skip);
        out[len - skip] = '\0';
        return len - skip;
    }
    memcpy(out, w, len);
    out[len] = '\0';

    /* Decode the letters; words that are too long or contain anything but
     * two-byte letters (which a Persian token never does) stay as they are. */
    fa_word_t wd;
    wd.bytes = out;
    wd.n = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)w[i];
        if (wd.n >= FA_MAX_LETTERS || c < 0xC0 || c >= 0xE0 || i + 1 >= len)
            return len;
        wd.cp[wd.n] = ((uint32_t)(c & 0x1F) << 6) | ((unsigned char)w[i + 1] & 0x3F);
        wd.off[wd.n] = (uint32_t)i;
        wd.n++;
        i += 2;
    }
    wd.off[wd.n] = (uint32_t)len;

    for (int step = 0; step < MAX_SUFFIX_STEPS; step++) {
        if (step > 0 && ka_wordset_has(&st->keep, out, wd.off[wd.n]))
            break;
        int r = strip_suffix(&wd);
        if (r == 0)
            break;
        wd.off[wd.n] = wd.n > 0 ? wd.off[wd.n - 1] + 2 : 0;
        if (r == 2)
            break;
    }
    size_t n = wd.off[wd.n];
    out[n] = '\0';
    return n;
}

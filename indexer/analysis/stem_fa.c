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
    "یکسان", "همگان", "وجدان", "بعنوان", "ارزان", "کودکستان", "نوجوان",
    /* -ات */
    "ذات", "حیات", "نجات", "صفات", "زکات", "ملاقات", "اوقات", "ساعات", "سادات",
    "برات", "مات", "فرات", "ثبات", "مساوات", "مسافات", "قنات", "نبات", "لات",
    "کلات", "هرات", "تورات", "نکات", "ایالات",
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
};

/* Lexical words that begin with می (not the verbal prefix). */
static const char *const mi_exact_words[] = {
    "میز", "میل", "میر", "میخ", "میش", "مینا", "مینو", "میوه", "میهن", "میان",
    "میانه", "میس", "می", "میگ", "میم", "میترا", "میشل", "میخائیل", "میخاییل",
};

/* Lexical stems that begin with می, with whatever ending follows them. */
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

/* Does w end like a conjugated verb (personal endings د م ی, past ت)? */
static int verbal_ending(const char *w, size_t len)
{
    /* «میتوان» (one can) is the one impersonal form ending in a bare stem;
     * ه ends the participles of the past progressive («میشده»). */
    return ends_with(w, len, S("د")) || ends_with(w, len, S("م")) ||
           ends_with(w, len, S("ی")) || ends_with(w, len, S("ت")) ||
           ends_with(w, len, S("ه")) ||
           (len == sizeof("توان") - 1 && memcmp(w, "توان", len) == 0);
}

static int ends_in_vowel(const char *w, size_t len)
{
    return ends_with(w, len, S("ا")) || ends_with(w, len, S("و"));
}

static int has_mi_prefix_word(const ka_stem_fa_t *st, const char *w, size_t len)
{
    const ka_wordset_t *ws = &st->mi_prefix;
    for (size_t i = 0; i < ws->n; i++)
        if (starts_with(w, len, ws->arena + ws->offs[i], ws->lens[i]))
            return 1;
    return 0;
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
    if (ka_wordset_has(&st->mi_exact, w, len) || has_mi_prefix_word(st, w, len))
        return 0;
    /* «نمی...» where نمی is not a prefix but ن + lexical می... (نمیدان) */
    if (pl == sizeof("نمی") - 1 && has_mi_prefix_word(st, w + 2, len - 2))
        return 0;
    *skip = pl;
    return 1;
}

/* One suffix step on out[0..*len). Returns 1 if something was removed, 2 if
 * it was and nothing more may be (the silent ه), 0 if nothing applies. */
static int strip_suffix(char *out, size_t *len)
{
    size_t n = *len;
    static const struct { const char *suf; size_t sl; size_t min; } plural[] = {
        /* plural with possessive or ezafe, then bare plural; two letters must remain */
        { S("هایمان"), 2 }, { S("هایتان"), 2 }, { S("هایشان"), 2 },
        { S("هایم"), 2 }, { S("هایت"), 2 }, { S("هایش"), 2 },
        { S("هایی"), 2 }, { S("های"), 2 }, { S("ها"), 2 },
    };
    for (size_t i = 0; i < COUNT(plural); i++) {
        if (ends_with(out, n, plural[i].suf, plural[i].sl) &&
            letters(out, n - plural[i].sl) >= plural[i].min) {
            *len = n - plural[i].sl;
            return 1;
        }
    }
    /* Superlative: «بزرگترین» -> «بزرگ»; on a short base keep the
     * comparative, so «بهترین» -> «بهتر» and never «به». */
    if (ends_with(out, n, S("ترین"))) {
        size_t base = n - (sizeof("ترین") - 1);
        if (letters(out, base) >= 3)
            *len = base;
        else if (letters(out, base) >= 1)
            *len = base + (sizeof("تر") - 1);
        else
            return 0;
        return 1;
    }
    /* Comparative: «بزرگتر» -> «بزرگ», but «بهتر» and «دختر» stay (guard
     * of three letters, and the keep list for longer nouns in -تر). */
    if (ends_with(out, n, S("تر")) && letters(out, n - (sizeof("تر") - 1)) >= 3) {
        *len = n - (sizeof("تر") - 1);
        return 1;
    }
    /* Plural possessives on a bare noun: «کشورمان» -> «کشور»; never in
     * ستان (قرقیزستان), and the keep list holds سازمان, زمان, نشان... */
    static const struct { const char *suf; size_t sl; } poss[] = {
        { S("مان") }, { S("تان") }, { S("شان") },
    };
    for (size_t i = 0; i < COUNT(poss); i++) {
        if (ends_with(out, n, poss[i].suf, poss[i].sl)) {
            size_t base = n - poss[i].sl;
            if (letters(out, base) >= 3 && !(i == 1 && ends_with(out, base, S("س")))) {
                *len = base;
                return 1;
            }
        }
    }
    /* Abstract nouns of words in silent ه: «نمایندگی» -> «نماینده»,
     * «همسایگی» -> «همسایه». Only after د, ت and ی, so that «فرهنگی» and
     * «بزرگی» (گ + ی) are left to the ی rule. */
    if (ends_with(out, n, S("گی"))) {
        size_t base = n - (sizeof("گی") - 1);
        if (letters(out, base) >= 3 && (ends_with(out, base, S("د")) || ends_with(out, base, S("ت")) ||
                                        ends_with(out, base, S("ی")))) {
            memcpy(out + base, "ه", sizeof("ه") - 1);
            *len = base + sizeof("ه") - 1;
            return 1;
        }
    }
    /* Animate plural after a vowel: «دانشجویان» -> «دانشجو», «آقایان» -> «اقا». */
    if (ends_with(out, n, S("یان"))) {
        size_t base = n - (sizeof("یان") - 1);
        if (letters(out, base) >= 2 && ends_in_vowel(out, base)) {
            *len = base;
            return 1;
        }
    }
    /* Plural of words in silent ه: «نمایندگان» -> «نماینده». */
    if (ends_with(out, n, S("گان")) && letters(out, n - (sizeof("گان") - 1)) >= 3) {
        size_t base = n - (sizeof("گان") - 1);
        memcpy(out + base, "ه", sizeof("ه") - 1);
        *len = base + sizeof("ه") - 1;
        return 1;
    }
    /* Plural ان: three letters must remain, and place names in ستان stay. */
    if (ends_with(out, n, S("ان"))) {
        size_t base = n - (sizeof("ان") - 1);
        if (letters(out, base) >= 3 && !ends_with(out, base, S("ست"))) {
            *len = base;
            return 1;
        }
    }
    /* Arabic plural ات: «اطلاعات» -> «اطلاع», «انتخابات» -> «انتخاب». */
    if (ends_with(out, n, S("ات")) && letters(out, n - (sizeof("ات") - 1)) >= 3) {
        *len = n - (sizeof("ات") - 1);
        return 1;
    }
    /* Ezafe / indefinite / relational ی after a vowel: «دانشجویی» -> «دانشجو». */
    if (ends_with(out, n, S("یی"))) {
        size_t base = n - (sizeof("یی") - 1);
        if (letters(out, base) >= 2 && ends_in_vowel(out, base)) {
            *len = base;
            return 1;
        }
    }
    /* Ezafe / indefinite / relational ی: «اقتصادی» -> «اقتصاد»; three letters
     * must remain («علی», «کی» stay). */
    if (ends_with(out, n, S("ی")) && letters(out, n - (sizeof("ی") - 1)) >= 3) {
        *len = n - (sizeof("ی") - 1);
        return 1;
    }
    /* Silent final ه, last: it is dropped before ات, گان and the relational
     * ای in Arabic plurals and derivations («مطالعه» / «مطالعات», «مقاله» /
     * «مقالات»), and joined text makes «منطقه‌ای» look like «منطق» + «های»;
     * removing it makes all of these meet. After ا and و the ه is a
     * consonant (راه, گروه) and stays, like the keep list's دانشگاه. */
    if (ends_with(out, n, S("ه")) && letters(out, n - (sizeof("ه") - 1)) >= 3) {
        size_t base = n - (sizeof("ه") - 1);
        if (!ends_in_vowel(out, base)) {
            *len = base;
            return 2;   /* «همسایه» -> «همسای», not on to «همسا» */
        }
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
    size_t n = len;
    for (int step = 0; step < MAX_SUFFIX_STEPS; step++) {
        if (step > 0 && ka_wordset_has(&st->keep, out, n))
            break;
        if (strip_suffix(out, &n) != 1)
            break;
    }
    out[n] = '\0';
    return n;
}

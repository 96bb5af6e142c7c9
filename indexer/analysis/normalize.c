/*
 * normalize.c - the character rules of the analyzer, with offsets kept.
 *
 * Order of work on a chunk:
 *   1. decode UTF-8 to UTF-16 ourselves, replacing each maximal invalid
 *      subsequence by U+FFFD, and remember the byte offset of every unit;
 *   2. ICU NFKC_Casefold, one normalization segment at a time, so that each
 *      output unit can still be traced back to the bytes it came from;
 *   3. the rules table below, one BMP unit to at most one unit;
 *   4. fix_hamza(), the one rule that looks at neighbours (ئ and ؤ), only
 *      when the chunk has them.
 *
 * Step 2 alone already does a lot: compatibility forms (Arabic presentation
 * forms FB50..FDFF and FE70..FEFF become base letters, ligatures are split,
 * full-width Latin becomes ASCII, NBSP and the other spaces become U+0020),
 * full case folding (Ё->ё, ß->ss) and the removal of default-ignorable code
 * points (ZWNJ U+200C, ZWJ U+200D, soft hyphen, bidi marks, BOM).
 */
#include "normalize.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The rules applied after NFKC_Casefold                                     */

typedef enum rule_kind {
    RULE_DELETE,   /* drop the code points */
    RULE_MAP,      /* every code point of the range becomes `to` */
    RULE_SHIFT     /* first -> to, first+1 -> to+1, ... */
} rule_kind_t;

typedef struct rule {
    uint16_t    first, last;
    rule_kind_t kind;
    uint16_t    to;
} rule_t;

/*
 * Each rule with its reason. tests/analysis/normalize.tsv has a case for
 * every line here; keep them in step.
 */
static const rule_t rules[] = {
    /* Persian letters written with their Arabic code points by Arabic
     * keyboards and older software: Arabic yeh and alef maqsura are the
     * Persian yeh, Arabic kaf the Persian kaf. Without this «علي» and «علی»
     * never meet. */
    { 0x064A, 0x064A, RULE_MAP, 0x06CC },   /* ي ARABIC YEH -> ی */
    { 0x0649, 0x0649, RULE_MAP, 0x06CC },   /* ى ALEF MAKSURA -> ی */
    { 0x06CD, 0x06CD, RULE_MAP, 0x06CC },   /* ۍ YEH WITH TAIL -> ی */
    { 0x06D0, 0x06D0, RULE_MAP, 0x06CC },   /* ې E -> ی (Pashto/Uzbek keyboards) */
    { 0x0643, 0x0643, RULE_MAP, 0x06A9 },   /* ك ARABIC KAF -> ک */
    { 0x06AA, 0x06AA, RULE_MAP, 0x06A9 },   /* ڪ SWASH KAF -> ک */
    /* Teh marbuta is written as heh in Persian («علامة» / «علامه»). */
    { 0x0629, 0x0629, RULE_MAP, 0x0647 },   /* ة -> ه */
    /* The ezafe hamza on heh is optional in Persian spelling («خانۀ» /
     * «خانه»), so heh with hamza (precomposed, or ه + U+0654 whose hamza the
     * harakat rule below removes) and the other heh shapes become heh. */
    { 0x06C0, 0x06C0, RULE_MAP, 0x0647 },   /* ۀ HEH WITH YEH ABOVE -> ه */
    { 0x06C1, 0x06C2, RULE_MAP, 0x0647 },   /* ہ ۂ HEH GOAL (Urdu keyboards) -> ه */
    { 0x06BE, 0x06BE, RULE_MAP, 0x0647 },   /* ھ HEH DOACHASHMEE -> ه */
    { 0x06D5, 0x06D5, RULE_MAP, 0x0647 },   /* ە AE, used for final heh by some fonts -> ه */
    /* Hamza on alef is often left out in Persian («أمير» / «امیر»,
     * «إسلام» / «اسلام»), and wasla is Arabic-only. */
    { 0x0623, 0x0623, RULE_MAP, 0x0627 },   /* أ -> ا */
    { 0x0625, 0x0625, RULE_MAP, 0x0627 },   /* إ -> ا */
    { 0x0671, 0x0673, RULE_MAP, 0x0627 },   /* ٱ ٲ ٳ -> ا */
    /* Decision on آ: folded to ا. Users and keyboards drop the madda
     * («آسیا» typed «اسیا»), PDF extraction sometimes splits it into ا +
     * U+0653 (whose madda the harakat rule removes), and Lucene's Arabic
     * normalizer does the same; the few minimal pairs (آمد / امد) cost less
     * than the missed matches. */
    { 0x0622, 0x0622, RULE_MAP, 0x0627 },   /* آ -> ا */
    /* Hamza carriers: old and new spellings must meet. ئ and ؤ depend on
     * their neighbours and are left to fix_hamza() below; a bare hamza is
     * mostly an Arabic-style ending that Persian drops («اجزاء» / «اجزا»). */
    { 0x0621, 0x0621, RULE_DELETE, 0 },     /* ء removed */
    /* Short vowels, tanwin («نسبتاً» = «نسبتا»), shadda, sukun, hamza
     * above/below, madda, superscript alef and tatweel are optional in
     * Persian writing and usually absent: remove them so vocalized text
     * meets plain text. U+0610..U+061A are honorific signs. */
    { 0x0610, 0x061A, RULE_DELETE, 0 },
    { 0x064B, 0x065F, RULE_DELETE, 0 },     /* harakat, tanwin, shadda, sukun, U+0653..U+0655 */
    { 0x0670, 0x0670, RULE_DELETE, 0 },     /* superscript alef */
    { 0x0640, 0x0640, RULE_DELETE, 0 },     /* tatweel (kashida), pure justification */
    { 0x06D6, 0x06DC, RULE_DELETE, 0 },     /* Quranic annotation marks */
    { 0x06DF, 0x06E4, RULE_DELETE, 0 },
    { 0x06E7, 0x06E8, RULE_DELETE, 0 },
    { 0x06EA, 0x06ED, RULE_DELETE, 0 },
    /* Persian and Arabic-Indic digits are the same numbers as ASCII ones:
     * «۱۳۷۱» = «٣٧١» style = «1371». */
    { 0x06F0, 0x06F9, RULE_SHIFT, 0x0030 },
    { 0x0660, 0x0669, RULE_SHIFT, 0x0030 },
    /* Arabic decimal separator ٫ is a decimal point; the thousands separator
     * ٬ becomes a comma, which tokenize.c keeps inside numbers and the
     * analyzer then drops, so «۱٬۰۰۰» = «1,000» = «1000». */
    { 0x066B, 0x066B, RULE_MAP, 0x002E },
    { 0x066C, 0x066C, RULE_MAP, 0x002C },
    /* Zero-width characters: NFKC_Casefold already removes ZWNJ and ZWJ
     * (default ignorables); listed again so that the rule holds whatever ICU
     * does. They are removed INSIDE words on purpose: the article writes
     * «میشود» and «بینالمللی» joined, a careful user types «می‌شود». ZWSP
     * is treated the same way, as some Persian software uses it for ZWNJ. */
    { 0x200B, 0x200D, RULE_DELETE, 0 },
    { 0x00AD, 0x00AD, RULE_DELETE, 0 },     /* soft hyphen */
    { 0x200E, 0x200F, RULE_DELETE, 0 },     /* LRM, RLM: bidi marks around Latin in Persian text */
    { 0x202A, 0x202E, RULE_DELETE, 0 },     /* bidi embeddings */
    { 0x2066, 0x2069, RULE_DELETE, 0 },     /* bidi isolates */
    { 0xFEFF, 0xFEFF, RULE_DELETE, 0 },     /* BOM */
    /* Russian: ё is written е in most printed text, and Xapian 1.4's russian
     * stemmer does not fold it. Combining acute (stress marks in
     * dictionaries and textbooks: «за́мок») and the other combining
     * diacritics that NFKC could not compose are removed; й is precomposed
     * after NFKC, so it is kept. */
    { 0x0451, 0x0451, RULE_MAP, 0x0435 },   /* ё -> е */
    { 0x0300, 0x036F, RULE_DELETE, 0 },
    /* Typographic apostrophes are the ASCII one, so «Iran’s» = «Iran's»
     * (the analyzer then drops English possessives). */
    { 0x2018, 0x2019, RULE_MAP, 0x0027 },
    { 0x02BC, 0x02BC, RULE_MAP, 0x0027 },
    /* Latin letters without a canonical decomposition that English users
     * type plain (Łódź -> lodz); the decomposable ones are folded from ICU's
     * NFD data in ka_norm_init. */
    { 0x0142, 0x0142, RULE_MAP, 'l' },      /* ł */
    { 0x00F8, 0x00F8, RULE_MAP, 'o' },      /* ø */
    { 0x0111, 0x0111, RULE_MAP, 'd' },      /* đ */
    { 0x0127, 0x0127, RULE_MAP, 'h' },      /* ħ */
    { 0x0131, 0x0131, RULE_MAP, 'i' },      /* ı dotless i */
    { 0x0167, 0x0167, RULE_MAP, 't' },      /* ŧ */
};

/* Latin diacritics are folded (Sajjādpūr = Sajjadpur, Müller = Muller)
 * because transliterations of Persian and Russian names in bibliographies
 * use them inconsistently. The precomposed letters of these blocks whose NFD
 * is one ASCII letter followed by combining marks become that letter. */
static const struct { uint16_t first, last; } latin_blocks[] = {
    { 0x00C0, 0x024F },   /* Latin-1 Supplement, Latin Extended-A and -B */
    { 0x1E00, 0x1EFF },   /* Latin Extended Additional (Vietnamese, transliteration) */
};

#define MAP_SIZE 0x10000

/* Bits of ka_norm_t.props. */
#define PROP_ALONE 0x1   /* NFKC_Casefold leaves the unit as it is, on its own */
#define PROP_BB    0x2   /* a normalization boundary comes before the unit */
#define PROP_KNOWN 0x4   /* the two bits above have been asked of ICU */

/* The hamza seats that fix_hamza() rewrites after the table. */
#define YEH_HAMZA 0x0626
#define WAW_HAMZA 0x0624

ka_status_t ka_norm_init(ka_norm_t *n)
{
    UErrorCode err = U_ZERO_ERROR;

    memset(n, 0, sizeof *n);
    n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err) || n->nfkc_cf == NULL)
        return KA_ERR_ICU;
    const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
    if (U_FAILURE(err) || nfd == NULL)
        return KA_ERR_ICU;

    n->map = malloc(MAP_SIZE * sizeof *n->map);
    ka_norm_props_t *props = malloc(KA_NORM_FAST_LIMIT * sizeof *props);
    if (n->map == NULL || props == NULL) {
        free(n->map);
        free(props);
        n->map = NULL;
        return KA_ERR_NOMEM;
    }
    n->owns_map = 1;
    n->props = props;
    /* Filled unit by unit as text meets them (props_of): asking ICU for all
     * of them up front was 1 M instructions, a fifth of a one-shot search. */
    for (UChar c = 0; c < KA_NORM_FAST_LIMIT; c++)
        atomic_init(&props[c], 0);
    for (uint32_t c = 0; c < MAP_SIZE; c++)
        n->map[c] = (uint16_t)c;
    n->map[0xFFFF] = KA_NORM_DELETE;

    for (size_t b = 0; b < sizeof latin_blocks / sizeof latin_blocks[0]; b++) {
        for (uint32_t c = latin_blocks[b].first; c <= latin_blocks[b].last; c++) {
            UChar d[16];
            err = U_ZERO_ERROR;
            int32_t dl = unorm2_getDecomposition(nfd, (UChar32)c, d, 16, &err);
            if (U_FAILURE(err) || dl < 2 || d[0] >= 0x80)
                continue;
            int marks_only = 1;
            for (int32_t i = 1; i < dl; i++)
                if (d[i] < 0x0300 || d[i] > 0x036F)
                    marks_only = 0;
            if (!marks_only)
                continue;
            UChar base = d[0];
            if (base >= 'A' && base <= 'Z')
                base = (UChar)(base - 'A' + 'a');
            if ((base >= 'a' && base <= 'z'))
                n->map[c] = base;
        }
    }

    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        for (uint32_t c = rules[r].first; c <= rules[r].last; c++) {
            switch (rules[r].kind) {
            case RULE_DELETE: n->map[c] = KA_NORM_DELETE; break;
            case RULE_MAP:    n->map[c] = rules[r].to; break;
            case RULE_SHIFT:  n->map[c] = (uint16_t)(rules[r].to + (c - rules[r].first)); break;
            }
        }
    }
    return KA_OK;
}

void ka_norm_init_shared(ka_norm_t *n, const ka_norm_t *from)
{
    memset(n, 0, sizeof *n);
    n->nfkc_cf = from->nfkc_cf;
    n->map = from->map;
    n->props = from->props;
    n->owns_map = 0;
}

void ka_norm_fini(ka_norm_t *n)
{
    if (n == NULL)
        return;
    if (n->owns_map) {
        free(n->map);
        free(n->props);
    }
    free(n->src);
    free(n->src_off);
    free(n->out);
    free(n->out_beg);
    free(n->out_end);
    free(n->seg);
    memset(n, 0, sizeof *n);
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */

static int grow_src(ka_norm_t *n, size_t need)
{
    if (need <= n->src_cap)
        return 0;
    size_t cap = n->src_cap ? n->src_cap : 1024;
    while (cap < need)
        cap *= 2;
    UChar *s = realloc(n->src, cap * sizeof *s);
    if (s == NULL)
        return -1;
    n->src = s;
    uint32_t *o = realloc(n->src_off, (cap + 1) * sizeof *o);
    if (o == NULL)
        return -1;
    n->src_off = o;
    n->src_cap = cap;
    return 0;
}

static int grow_out(ka_norm_t *n, size_t need)
{
    if (need <= n->out_cap)
        return 0;
    size_t cap = n->out_cap ? n->out_cap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > (size_t)INT32_MAX)
        return -1;
    UChar *u = realloc(n->out, cap * sizeof *u);
    if (u == NULL)
        return -1;
    n->out = u;
    uint32_t *b = realloc(n->out_beg, cap * sizeof *b);
    if (b == NULL)
        return -1;
    n->out_beg = b;
    uint32_t *e = realloc(n->out_end, cap * sizeof *e);
    if (e == NULL)
        return -1;
    n->out_end = e;
    n->out_cap = cap;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Step 1: UTF-8 -> UTF-16                                                   */

/* Decode following the Unicode "maximal subpart" practice (as ICU and the
 * WHATWG encoder do): a truncated or invalid sequence becomes one U+FFFD
 * covering the bytes that could still have started a valid sequence. */
static void decode_utf8(ka_norm_t *n, const unsigned char *s, size_t len)
{
    UChar *u = n->src;
    uint32_t *off = n->src_off;
    size_t i = 0, k = 0;

    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            off[k] = (uint32_t)i;
            u[k++] = (UChar)c;
            i++;
            continue;
        }
        size_t start = i;
        unsigned need, lo = 0x80, hi = 0xBF;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2; cp = c & 0x0F;
            if (c == 0xE0) lo = 0xA0;
            else if (c == 0xED) hi = 0x9F;     /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3; cp = c & 0x07;
            if (c == 0xF0) lo = 0x90;
            else if (c == 0xF4) hi = 0x8F;     /* nothing above U+10FFFF */
        } else {
            off[k] = (uint32_t)i;
            u[k++] = 0xFFFD;
            i++;
            continue;
        }
        i++;
        unsigned got = 0;
        while (got < need && i < len) {
            unsigned t = s[i];
            if (t < lo || t > hi)
                break;
            cp = (cp << 6) | (t & 0x3F);
            lo = 0x80;
            hi = 0xBF;
            i++;
            got++;
        }
        if (got < need) {
            off[k] = (uint32_t)start;
            u[k++] = 0xFFFD;
            continue;
        }
        if (cp < 0x10000) {
            off[k] = (uint32_t)start;
            u[k++] = (UChar)cp;
        } else {
            off[k] = (uint32_t)start;
            u[k++] = (UChar)(0xD7C0 + (cp >> 10));
            off[k] = (uint32_t)start;
            u[k++] = (UChar)(0xDC00 | (cp & 0x3FF));
        }
    }
    off[k] = (uint32_t)len;
    n->src_len = (int32_t)k;
}

/* ------------------------------------------------------------------------ */
/* Steps 2 and 3                                                             */

/* End offset of the code point that src unit k belongs to. */
static inline uint32_t src_end(const ka_norm_t *n, int32_t k)
{
    if (U16_IS_LEAD(n->src[k]) && k + 1 < n->src_len)
        return n->src_off[k + 2];
    return n->src_off[k + 1];
}

/* Append unit u (already NFKC_Casefold'ed) through the rules table. */
static inline void put(ka_norm_t *n, UChar u, uint32_t beg, uint32_t end)
{
    uint16_t m = U16_IS_SURROGATE(u) ? u : n->map[u];
    if (m == KA_NORM_DELETE)
        return;
    int32_t k = n->out_len++;
    if ((m == YEH_HAMZA || m == WAW_HAMZA) && n->hamza_from < 0)
        n->hamza_from = k;
    n->out[k] = m;
    n->out_beg[k] = beg;
    n->out_end[k] = end;
}

/* The PROP_ bits of unit u < KA_NORM_FAST_LIMIT, asked of ICU the first
 * time. Analyzers of several threads share the table (ka_norm_init_shared):
 * each byte is written whole with the same value by whichever thread asks
 * first, so relaxed atomics are enough (and cost a plain load on x86). */
static uint8_t props_slow(const ka_norm_t *n, UChar u)
{
    UErrorCode err = U_ZERO_ERROR;
    UBool alone = unorm2_isNormalized(n->nfkc_cf, &u, 1, &err);
    uint8_t p = (uint8_t)(PROP_KNOWN | (U_SUCCESS(err) && alone ? PROP_ALONE : 0) |
                          (unorm2_hasBoundaryBefore(n->nfkc_cf, u) ? PROP_BB : 0));
    atomic_store_explicit(&n->props[u], p, memory_order_relaxed);
    return p;
}

static inline uint8_t props_of(const ka_norm_t *n, UChar u)
{
    uint8_t p = atomic_load_explicit(&n->props[u], memory_order_relaxed);
    return p & PROP_KNOWN ? p : props_slow(n, u);
}

/* Is there a normalization boundary before unit i of s[0..ns)? */
static inline int boundary_before(const ka_norm_t *n, const UChar *s, int32_t i, int32_t ns)
{
    if (i >= ns)
        return 1;
    if (s[i] < KA_NORM_FAST_LIMIT)
        return props_of(n, s[i]) & PROP_BB;
    UChar32 c;
    U16_GET(s, 0, i, ns, c);
    return unorm2_hasBoundaryBefore(n->nfkc_cf, c);
}

/*
 * Hamza on a seat, the one rule that looks at neighbours. Persian spelling of
 * hamza changed (the Academy's rules of 2003) and informal typing leaves it
 * out, so the same word comes as «رئیس» / «رییس», «مسئله» / «مسأله» /
 * «مساله», «هیئت» / «هیأت», «مسئول» / «مسؤول», «سئوال» / «سؤال» / «سوال»,
 * «دائم» / «دایم», «توطئه» / «توطیه». Writing the hamza as the letter that
 * replaces it in plain spelling makes them meet (أ is always ا, in the table):
 *   ئ before ی, ا or ه, or after ا or و  -> ی   (رییس, شناسایی, دایم, توطیه)
 *   ئ before و                          -> removed (سوال, مسول)
 *   ئ elsewhere, between consonants      -> ا   (مساله, هیات; the hamza with fatha)
 *   ؤ before و                          -> removed (مسول)
 *   ؤ elsewhere                          -> و   (سوال, مومن, روسا)
 * The one kind that loses is a hamza with kasra between consonants
 * («مطمئن» becomes «مطمان», which only «مطمئن» itself gives).
 */
static int is_arabic_letter(UChar c)
{
    return c >= 0x0620 && c <= 0x06D3 && c != 0x0640;
}

static void fix_hamza(ka_norm_t *n)
{
    UChar *u = n->out;
    uint32_t *beg = n->out_beg, *end = n->out_end;
    int32_t len = n->out_len, k = n->hamza_from;
    for (int32_t i = n->hamza_from; i < len; i++) {
        UChar c = u[i];
        if ((c | 2) == YEH_HAMZA) {         /* ئ or ؤ */
            UChar next = i + 1 < len ? u[i + 1] : 0;
            UChar prev = k > 0 ? u[k - 1] : 0;
            if (next == 0x0648) {
                continue;                   /* removed */
            } else if (c == WAW_HAMZA) {
                c = 0x0648;
            } else if (next == 0x06CC || next == 0x0627 || next == 0x0647 || !is_arabic_letter(next) ||
                       prev == 0x0627 || prev == 0x0648 || !is_arabic_letter(prev)) {
                c = 0x06CC;
            } else {
                c = 0x0627;
            }
        } else if (k == i) {
            k++;                            /* nothing removed so far: stays in place */
            continue;
        }
        u[k] = c;
        beg[k] = beg[i];
        end[k] = end[i];
        k++;
    }
    n->out_len = k;
}

ka_status_t ka_norm_run(ka_norm_t *n, const char *text, size_t len)
{
    if (len > KA_NORM_MAX_CHUNK)
        return KA_ERR_ARG;
    n->out_len = 0;
    n->src_len = 0;
    if (grow_src(n, len + 1) != 0)
        return KA_ERR_NOMEM;
    decode_utf8(n, (const unsigned char *)text, len);
    if (grow_out(n, (size_t)n->src_len + 1) != 0)
        return KA_ERR_NOMEM;

    const UChar *s = n->src;
    int32_t ns = n->src_len;
    int32_t i = 0;
    n->hamza_from = -1;
    while (i < ns) {
        /* Fast path, for nearly every unit of Latin, Cyrillic and Persian
         * text: a unit below KA_NORM_FAST_LIMIT that NFKC_Casefold leaves as
         * it is (or an ASCII capital, which it only lowers), followed by a
         * normalization boundary, is normalized on its own and only goes
         * through the rules table. i is always at a boundary: the unit
         * before it was only taken after checking. A tight loop, as it runs
         * for every unit; put() is for the segments below. */
        {
            const uint16_t *map = n->map;
            const uint32_t *off = n->src_off;
            UChar *o = n->out;
            uint32_t *ob = n->out_beg, *oe = n->out_end;
            int32_t k = n->out_len;
            while (i < ns) {
                UChar u = s[i];
                if (u < 0x80 && i + 1 < ns && s[i + 1] < 0x80) {
                    /* ASCII before ASCII: no rule applies, capitals are lowered. */
                    if ((unsigned)(u - 'A') < 26u)
                        u = (UChar)(u + ('a' - 'A'));
                    o[k] = u;
                    ob[k] = off[i];
                    oe[k] = off[i] + 1;
                    k++;
                    i++;
                    continue;
                }
                if (u >= KA_NORM_FAST_LIMIT)
                    break;
                if (!(props_of(n, u) & PROP_ALONE)) {
                    if ((unsigned)(u - 'A') >= 26u)
                        break;
                    u = (UChar)(u + ('a' - 'A'));
                }
                if (i + 1 < ns) {
                    UChar nx = s[i + 1];
                    if (nx < KA_NORM_FAST_LIMIT ? !(props_of(n, nx) & PROP_BB)
                                                : !boundary_before(n, s, i + 1, ns))
                        break;
                }
                uint16_t m = map[u];
                if (m != KA_NORM_DELETE) {
                    /* (m | 2) == ئ holds for ئ and ؤ only. */
                    if ((m | 2) == YEH_HAMZA && n->hamza_from < 0)
                        n->hamza_from = k;
                    o[k] = m;
                    ob[k] = off[i];
                    oe[k] = off[i + 1];
                    k++;
                }
                i++;
            }
            n->out_len = k;
            if (i >= ns)
                break;
        }

        /* One segment up to the next boundary: normalization of the text
         * before and after a boundary is independent, so the segment can be
         * normalized alone. */
        int32_t j = i;
        UChar32 c;
        U16_NEXT(s, j, ns, c);
        while (j < ns) {
            int32_t jj = j;
            U16_NEXT(s, jj, ns, c);
            if (unorm2_hasBoundaryBefore(n->nfkc_cf, c))
                break;
            j = jj;
        }
        int32_t seglen = j - i;
        UErrorCode err;
        for (;;) {
            err = U_ZERO_ERROR;
            int32_t m = unorm2_normalize(n->nfkc_cf, s + i, seglen, n->seg,
                                         (int32_t)(n->seg_cap > INT32_MAX ? INT32_MAX : n->seg_cap), &err);
            if (err == U_BUFFER_OVERFLOW_ERROR || (U_SUCCESS(err) && n->seg == NULL && m > 0)) {
                size_t cap = (size_t)m + 16;
                UChar *g = realloc(n->seg, cap * sizeof *g);
                if (g == NULL)
                    return KA_ERR_NOMEM;
                n->seg = g;
                n->seg_cap = cap;
                continue;
            }
            if (U_FAILURE(err))
                return KA_ERR_ICU;
            if (grow_out(n, (size_t)n->out_len + (size_t)m) != 0)
                return KA_ERR_NOMEM;
            if (m == seglen) {
                /* Same length (Latin capitals, Cyrillic capitals): unit for unit. */
                for (int32_t k = 0; k < m; k++)
                    put(n, n->seg[k], n->src_off[i + k], src_end(n, i + k));
            } else {
                /* Expansion or contraction (ligatures, composition, ß):
                 * every output unit covers the whole segment. */
                uint32_t beg = n->src_off[i], end = n->src_off[j];
                for (int32_t k = 0; k < m; k++)
                    put(n, n->seg[k], beg, end);
            }
            break;
        }
        i = j;
        /* The fast path writes without checking: keep room for one unit per
         * input unit left, whatever this segment expanded to. */
        if (grow_out(n, (size_t)n->out_len + (size_t)(ns - i) + 1) != 0)
            return KA_ERR_NOMEM;
    }
    if (n->hamza_from >= 0)
        fix_hamza(n);
    return KA_OK;
}

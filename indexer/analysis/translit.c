/*
 * translit.c - consonant skeletons across Persian, Cyrillic and Latin (translit.h).
 *
 * A word is read as runs of one script. Cyrillic runs (and Latin letters
 * with diacritics) go through ICU to ASCII Latin; ASCII Latin runs are reduced
 * by latin_rules(); Persian runs by fa_rules(). Both write the same consonant
 * classes and skip vowels, so the two sides can be compared after
 * finish_skeleton() has merged the last details. Every rule below says why it
 * exists; the examples it was checked against are in tests/translit/.
 */
#include "translit.h"
#include "wordset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utrans.h>
#include <unicode/utypes.h>

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */

/* ICU's Russian BGN rules write at most four Latin letters for one Cyrillic
 * letter (щ -> shch), and Latin-ASCII at most a few for a ligature, so a run
 * of KA_TRANSLIT_MAX_WORD code points never needs more than this. */
#define ICU_OUT_FACTOR 4
#define ICU_CAP (ICU_OUT_FACTOR * KA_TRANSLIT_MAX_WORD + 16)

/* Consonant classes of one word before collapsing: at most two per input
 * byte (Latin x), so this can never be exceeded; the code checks anyway. */
#define CLASS_CAP (2 * KA_TRANSLIT_MAX_WORD + 16)

/* The cache's hash table has twice as many slots as entries, so a probe
 * sequence stays short until the cache is emptied. */
#define CACHE_SLOTS (2 * KA_TRANSLIT_CACHE_MAX)
#define CACHE_SLOTS_FIRST 1024u
#define SLOT_FREE UINT32_MAX

/* One transliterator for all of Cyrillic: Russian by BGN/PCGN (the spelling
 * of English-language scholarship: Atambayev, Kyrgyzstan, Zhaparov), other
 * Cyrillic and Greek letters by ICU's general rules, then every Latin
 * diacritic folded to ASCII. */
static const char TRANSLIT_ID[] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII";

typedef struct cache_slot {
    uint32_t hash;
    uint32_t off;       /* key's offset in the arena (value follows it); SLOT_FREE if unused */
    uint16_t key_len;
    uint16_t val_len;
} cache_slot_t;

struct ka_translit {
    UTransliterator *trans;   /* owned: opened by the first run ru_native() cannot do */
    int      icu_only;        /* ka_translit_set_icu_only: every Cyrillic run through ICU */

    cache_slot_t *slots;      /* owned: n_slots entries, grown up to CACHE_SLOTS */
    size_t        n_slots;    /* a power of two; at least twice entries */
    size_t        entries;    /* used slots */
    char         *arena;      /* owned: keys and skeletons, not NUL-terminated */
    size_t        arena_len;
    size_t        arena_cap;
    size_t        hits;
    size_t        misses;

    UChar    icu[ICU_CAP];    /* the Cyrillic run being collected, then ICU's output */
    int32_t  icu_len;
    char     lat[ICU_CAP + KA_TRANSLIT_MAX_WORD];  /* the Latin run: ASCII letters and '.' barriers */
    size_t   lat_len;
    int      lat_native;      /* the Latin run was written in Latin, not produced by ICU */
    uint32_t fa[KA_TRANSLIT_MAX_WORD];             /* the Persian run's letters */
    size_t   fa_len;
    char     cls[CLASS_CAP];  /* consonant classes of the word so far */
    size_t   cls_len;
    ka_wordset_t common;      /* owned: COMMON_WORDS, hashed */
    int      overflow;        /* ICU's output did not fit: the word gets no skeleton */
    int      seen_letter;     /* a letter of the word has been read */
    int      onset_vowel;     /* the word's first letter is a vowel, a glide or ع */
    int      final_vowel;     /* the word's last letter read is a vowel (of its script) */
};

/* ------------------------------------------------------------------------ */
/* Common words                                                              */

/* Frequent words of the field in each language that are not stop words but
 * whose keys are those of names (طرح, تاریخ ~ Turkiye "trk"; human, common
 * ~ Khamenei "kmn"; регион ~ Rouhani "rkn"): they get no key, so a name does
 * not match them. Written as the analyzer's terms (lower case, Persian ی and
 * ک, no ZWNJ: the test checks that each is its own fold); a token matches by
 * its term or its stem, so one form covers a word's inflections when the
 * stemmer gives that form. */
static const char *const COMMON_WORDS[] = {
    /* Persian */
    "طرح", "طرحها", "طرحهای", "طراحی", "طریق", "طریقه", "طرق", "تاریخ", "تاریخی", "ترقی",
    "مقام", "مقامات", "گیرد", "میگیرد", "قابل", "قبال", "قبل", "قبیل", "کنونی", "گونه",
    "گونهای", "بهره", "مشاهده", "موسیقی", "استان", "استانهای", "پیگیری", "بیکاری", "مهندسی",
    "فهم", "مرکز", "مرکزی", "مرکزیت", "رکن", "ارکان", "تشکیل", "تشکیلات", "مراقبت", "توقیف",
    "ظرف", "گرد", "غارت", "گمان", "باشگاه", "دوگانه", "منصه", "کشور", "کشورها", "کشورهای",
    "دولت", "دولتی", "دولتها", "منطقه", "منطقهای", "مناطق", "روابط", "رابطه", "سیاست",
    "سیاسی", "سیاستهای", "اقتصاد", "اقتصادی", "امنیت", "امنیتی", "فرهنگ", "فرهنگی",
    "توسعه", "همکاری", "همکاریهای", "همگرایی", "جمهوری", "اسلامی", "سازمان", "سازمانهای",
    "بینالمللی", "ملی", "مردم", "جهان", "جهانی", "زبان", "تحقیق", "پژوهش", "مقاله",
    "نتایج", "روش", "بررسی", "نظر", "نظری", "حکومت", "قدرت", "نفوذ", "منافع", "راهبرد",
    "راهبردی", "تجارت", "تجاری", "انرژی", "مرز", "مرزی", "مرزها", "حمل", "نقل", "بازار",
    "سرمایه", "رشد", "اینده", "گذشته", "حاضر", "حضور", "جدید", "مهم", "بزرگ", "بخش", "نقش",
    "عامل", "عوامل", "موضوع", "مساله", "مسایل", "شرایط", "حوزه", "سطح", "دوره", "زمان",
    "سال", "سالهای", "قرن", "شهر", "کارشناس", "کارشناسان", "هدف", "اهداف", "وزیر",
    "وزارت", "رییس", "خارجه", "خارجی", "خارج", "داخلی", "نظامی", "جنگ", "صلح", "ثبات",
    "بحران", "چالش", "فرصت", "محور", "داده", "دادهها", "دارای", "مانند", "میانه", "معنای",
    "عمده", "ماده", "مواد", "علمی", "علوم", "اعلام", "جنوب", "جنوبی", "شمال", "شمالی", "شرق", "شرقی",
    "غرب", "غربی", "هزار", "حاکم", "حاکمیت", "مرحله", "تعیین", "تعیینکننده",
    "پروژه", "طرف", "طرفین", "اطراف", "گروه", "گروهها", "دیدگاه", "جامعه", "اجتماعی",
    "تولید", "مصرف", "کمک", "نیاز", "امکان", "اساس", "برنامه", "کنترل", "گسترش", "حمایت",
    /* English */
    "human", "humans", "region", "regions", "regional", "common", "foreign", "great",
    "growth", "association", "create", "created", "scale", "planning", "belong", "hearing",
    "genuine", "terms", "message", "court", "written", "truck", "attempt", "covering",
    "governing", "mankind", "merging", "export", "exports", "accelerated", "policy",
    "policies", "relations", "cooperation", "security", "economic", "economy", "political",
    "international", "development", "research", "analysis", "study", "state", "states",
    "government", "power", "interests", "energy", "trade", "water", "national", "world",
    "country", "countries", "article", "number", "data", "right", "rights", "people",
    "social", "history", "culture", "cultural", "language", "within", "between", "during",
    "including", "however", "through", "important", "central", "strategic", "strategy",
    "influence", "issue", "issues", "process", "system", "framework", "approach",
    "results", "findings", "method", "methods", "market", "project", "corridor", "made",
    /* Russian */
    "регион", "регионе", "региона", "регионы", "регионов", "региональный", "состояние",
    "состояния", "состоянии", "благосостояния", "круглый", "экспорт", "экспорта", "эксперт",
    "эксперты", "экспертов", "признаку", "торг", "трех", "политика", "политики",
    "политический", "сотрудничество", "сотрудничества", "безопасность", "безопасности",
    "экономика", "экономики", "экономический", "государство", "государства", "страна",
    "страны", "стран", "отношения", "отношений", "развитие", "развития", "право", "права",
    "человек", "человека", "международный", "международных", "время", "года", "годы",
    "работа", "вопрос", "вопросы", "проект", "проекта", "граница", "границы", "коридор",
    "коридора",
};

/* The common words are written as terms already: kept as they are. */
static const char *as_written(void *ctx, const char *word, size_t len, size_t *out_len)
{
    (void)ctx;
    *out_len = len;
    return word;
}

/* ------------------------------------------------------------------------ */
/* Creation                                                                  */

static void cache_clear(ka_translit_t *t)
{
    for (size_t i = 0; i < t->n_slots; i++)
        t->slots[i].off = SLOT_FREE;
    t->entries = 0;
    t->arena_len = 0;
}

ka_status_t ka_translit_new(ka_translit_t **out)
{
    if (out == NULL)
        return KA_ERR_ARG;
    *out = NULL;
    ka_translit_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return KA_ERR_NOMEM;
    /* The cache's table starts small and doubles as words come: all of
     * CACHE_SLOTS at once was 1.5 MB to clear, a third of the page faults
     * of a one-shot search that meets a few words. */
    t->n_slots = CACHE_SLOTS_FIRST;
    t->slots = malloc(t->n_slots * sizeof *t->slots);
    t->arena_cap = 4096;
    t->arena = malloc(t->arena_cap);
    if (t->slots == NULL || t->arena == NULL) {
        ka_translit_free(t);
        return KA_ERR_NOMEM;
    }
    cache_clear(t);
    if (ka_wordset_init(&t->common, COMMON_WORDS, sizeof COMMON_WORDS / sizeof COMMON_WORDS[0],
                        as_written, NULL) != KA_OK) {
        ka_translit_free(t);
        return KA_ERR_NOMEM;
    }
    /* ICU's transliterator is opened by the first word that needs it (a
     * Cyrillic one): opening it builds ICU's registry of transliterators and
     * compiles the rules, about 10 ms, most of a one-shot English or Persian
     * search. Without ICU's data that word's skeleton fails (KA_ERR_ICU). */
    *out = t;
    return KA_OK;
}

/* Open the ICU transliterator if it is not open yet. */
static ka_status_t open_trans(ka_translit_t *t)
{
    if (t->trans != NULL)
        return KA_OK;
    UChar id[sizeof TRANSLIT_ID];
    for (size_t i = 0; i < sizeof TRANSLIT_ID; i++)
        id[i] = (UChar)TRANSLIT_ID[i];
    UErrorCode err = U_ZERO_ERROR;
    t->trans = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    if (U_FAILURE(err) || t->trans == NULL) {
        if (t->trans != NULL)
            utrans_close(t->trans);
        t->trans = NULL;
        return KA_ERR_ICU;
    }
    return KA_OK;
}

void ka_translit_free(ka_translit_t *t)
{
    if (t == NULL)
        return;
    if (t->trans != NULL)
        utrans_close(t->trans);
    free(t->slots);
    free(t->arena);
    ka_wordset_fini(&t->common);
    free(t);
}

void ka_translit_stats(const ka_translit_t *t, size_t *hits, size_t *misses,
                       size_t *entries)
{
    if (hits != NULL)
        *hits = t != NULL ? t->hits : 0;
    if (misses != NULL)
        *misses = t != NULL ? t->misses : 0;
    if (entries != NULL)
        *entries = t != NULL ? t->entries : 0;
}

/* ------------------------------------------------------------------------ */
/* Cache                                                                     */

static uint32_t hash_bytes(const char *s, size_t len)
{
    return ka_hash_bytes(s, len, 0);
}

static const cache_slot_t *cache_find(const ka_translit_t *t, uint32_t h,
                                      const char *key, size_t len)
{
    size_t mask = t->n_slots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const cache_slot_t *s = &t->slots[i];
        if (s->off == SLOT_FREE)
            return NULL;
        if (s->hash == h && s->key_len == len && memcmp(t->arena + s->off, key, len) == 0)
            return s;
    }
}

/* Remember key -> val. A failed allocation only means the word is not
 * cached: the skeleton is still correct, so it is not reported. */
static void cache_put(ka_translit_t *t, uint32_t h, const char *key, size_t len,
                      const char *val, size_t val_len)
{
    if (t->entries >= KA_TRANSLIT_CACHE_MAX)
        cache_clear(t);
    if ((t->entries + 1) * 2 > t->n_slots) {
        /* Keep the table at most half full: double it and move the entries
         * (their hashes are stored). Without memory the word is not cached. */
        size_t n = t->n_slots * 2, mask = n - 1;
        if (n > CACHE_SLOTS)
            return;
        cache_slot_t *ns = malloc(n * sizeof *ns);
        if (ns == NULL)
            return;
        for (size_t i = 0; i < n; i++)
            ns[i].off = SLOT_FREE;
        for (size_t k = 0; k < t->n_slots; k++) {
            if (t->slots[k].off == SLOT_FREE)
                continue;
            size_t i = t->slots[k].hash & mask;
            while (ns[i].off != SLOT_FREE)
                i = (i + 1) & mask;
            ns[i] = t->slots[k];
        }
        free(t->slots);
        t->slots = ns;
        t->n_slots = n;
    }
    size_t need = len + val_len;
    if (t->arena_len + need > t->arena_cap) {
        size_t cap = t->arena_cap * 2;
        while (cap < t->arena_len + need)
            cap *= 2;
        char *a = realloc(t->arena, cap);
        if (a == NULL)
            return;
        t->arena = a;
        t->arena_cap = cap;
    }
    size_t i = h & (t->n_slots - 1);
    while (t->slots[i].off != SLOT_FREE)
        i = (i + 1) & (t->n_slots - 1);
    memcpy(t->arena + t->arena_len, key, len);
    memcpy(t->arena + t->arena_len + len, val, val_len);
    t->slots[i] = (cache_slot_t){ h, (uint32_t)t->arena_len, (uint16_t)len, (uint16_t)val_len };
    t->arena_len += need;
    t->entries++;
}

/* ------------------------------------------------------------------------ */
/* Classes                                                                   */

static void emit(ka_translit_t *t, char c)
{
    if (t->cls_len < CLASS_CAP)
        t->cls[t->cls_len++] = c;
}

/* ------------------------------------------------------------------------ */
/* Latin                                                                     */

/* y is a vowel here: as a consonant it is the glide that Persian writes with
 * ی and Russian hides in е/ю/я (Atambayev, Atambaev), so it must go wherever
 * ی goes, and ی is always dropped (see fa_rules). */
static int lat_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int lat_voiced(char c)
{
    return c == 'b' || c == 'd' || c == 'g' || c == 'l' || c == 'm' || c == 'n' ||
           c == 'r' || c == 'v';
}

/* Reduce the Latin run s[0..n) (lower-case ASCII letters and '.' barriers,
 * which stop a digraph from being read across them) to classes. native says
 * the run was written in Latin (English spelling rules apply) rather than
 * produced from Cyrillic by ICU. */
static void latin_rules(ka_translit_t *t, const char *s, size_t n, int native)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        char n1 = i + 1 < n ? s[i + 1] : 0;
        char n2 = i + 2 < n ? s[i + 2] : 0;
        char p1 = i > 0 ? s[i - 1] : 0;
        int first = 0;
        if (c >= 'a' && c <= 'z') {
            /* The onset: a word that starts with a vowel or the glide y
             * (Akayev, Yeltsin, Ельцин by BGN) keeps one vowel mark, as its
             * Persian spelling starts with ا, آ, ی or ع (آقایف, یلتسین). */
            if (!t->seen_letter) {
                t->seen_letter = 1;
                t->onset_vowel = lat_vowel(c);
                first = 1;
            }
            t->final_vowel = lat_vowel(c);
        }
        switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'y':
            break;
        case 'u':
            /* u before a or o is the glide Persian writes with و, which
             * before ا is read as a consonant (Huasheng ~ هواشنگ, Suarez ~
             * سوارز); not after q or g, where it only marks the hard
             * consonant (Quetta, Guantanamo). */
            if ((n1 == 'a' || n1 == 'o') && p1 != 'q' && p1 != 'g') {
                emit(t, 'v');
                if (first)
                    t->onset_vowel = 0;   /* a consonant start: Уолтц ~ Waltz */
            }
            break;
        case 'c':
            /* ch is one sound, چ; ck and cq are k; c before e, i, y is s
             * (Princeton ~ پرینستون), elsewhere k (Cambridge, Carnegie). */
            if (n1 == 'h') {
                emit(t, 'c');
                i++;
            } else if (n1 == 'k' || n1 == 'q') {
                emit(t, 'k');
                i++;
            } else if (n1 == 'e' || n1 == 'i' || n1 == 'y') {
                emit(t, 's');
            } else {
                emit(t, 'k');
            }
            break;
        case 'd':
            /* dzh (Russian дж by BGN: Tadzhikistan), dj (French and older
             * English spellings: Djakarta) and, in English, dg before a
             * front vowel (Cambridge, Routledge; not Russian Бадгис) are
             * the one sound ج. */
            if (n1 == 'z' && n2 == 'h') {
                emit(t, 'j');
                i += 2;
            } else if (n1 == 'j') {
                emit(t, 'j');
                i++;
            } else if (native && n1 == 'g' && (n2 == 'e' || n2 == 'i' || n2 == 'y')) {
                emit(t, 'j');
                i++;
            } else {
                emit(t, 'd');
            }
            break;
        case 'f':
            emit(t, 'v');
            break;
        case 'g':
            /* gh is غ/ق (Afghanistan ~ افغانستان, Ashgabat); g itself is
             * hard in the names of this field (Carnegie ~ کارنگی, Gerasimov),
             * so it is never read as j. */
            if (n1 == 'h')
                i++;
            emit(t, 'k');
            break;
        case 'k':
            /* kh is خ, but Persian writes Russian х in Central Asian names
             * with ق as often as with خ (Kazakhstan ~ قزاقستان): both are
             * the velar class anyway. */
            if (n1 == 'h')
                i++;
            emit(t, 'k');
            break;
        case 'p':
            /* ph is f. p itself is b: Persian text in Arabic spelling
             * writes پ as ب (Japarov ~ جباروف in the article). */
            if (n1 == 'h') {
                emit(t, 'v');
                i++;
            } else {
                emit(t, 'b');
            }
            break;
        case 'q':
            emit(t, 'k');
            break;
        case 's':
            /* sh and German sch are ش; shch (Russian щ) is read as sh + ch,
             * which is how Persian writes it (Khrushchev ~ خروشچف). */
            if (n1 == 'c' && n2 == 'h') {
                emit(t, 'w');
                i += 2;
            } else if (n1 == 'h') {
                emit(t, 'w');
                i++;
            } else if (native && i + 1 == n && p1 != 's' &&
                       (lat_voiced(p1) ||
                        (p1 == 'e' && i >= 2 && lat_voiced(s[i - 2])))) {
                /* An English final s after a voiced sound is spoken, and
                 * written in Persian, as z (Brookings ~ بروکینگز, Jones ~
                 * جونز). Russian final с stays s, hence only native Latin. */
                emit(t, 'z');
            } else {
                emit(t, 's');
            }
            break;
        case 't':
            /* tch is چ (Mitchell); th is t in the Persian spelling of
             * English names (Kenneth ~ کنت, Morgenthau ~ مورگنتا). Russian ц
             * (ts) stays t + s, as Persian writes it (تس). */
            if (n1 == 'c' && n2 == 'h') {
                emit(t, 'c');
                i += 2;
            } else if (n1 == 'h') {
                emit(t, 't');
                i++;
            } else {
                emit(t, 't');
            }
            break;
        case 'w':
            /* w is v (و) at the start and before a vowel (Waltz ~ والتز);
             * after a vowel and before a consonant or the end it is only
             * the English spelling of a vowel (Moscow ~ مسکو). */
            if (i == 0 || lat_vowel(n1))
                emit(t, 'v');
            break;
        case 'x':
            /* x is ks (Oxford ~ آکسفورد, Alexander), but a word that starts
             * with x is in Uzbek or Chinese spelling, where x is kh or sh
             * (Xorazm ~ خوارزم, Xiva ~ خیوه): the velar alone. */
            emit(t, 'k');
            if (!(first && native))
                emit(t, 's');
            break;
        case 'z':
            /* zh (Russian ж by BGN) is ژ, which Persian also writes ج in
             * Central Asian names (Zhaparov ~ ژاپاروف, Japarov ~ جپاروف). */
            if (n1 == 'h') {
                emit(t, 'j');
                i++;
            } else {
                emit(t, 'z');
            }
            break;
        case 'v':
            /* v and f are one class: Persian writes Russian final -в as ف
             * (Atambayev ~ آتامبایف, Lavrov ~ لاوروف), since Russian says it
             * so. */
            emit(t, 'v');
            break;
        case 'h':
            /* h is in the velar class k: Russian has no h and writes the h
             * of foreign names with х or г (Rahmon ~ Рахмон, Tehran ~
             * Тегеран, Herat ~ Герат, Huntington ~ Хантингтон), and Latin
             * spellings waver between h and kh for ح and خ. A final eh is
             * the usual romanization of the silent final ه (Naghibzadeh ~
             * نقیب‌زاده), so that h is not a sound; so is the h of a final
             * llah, the Arabic «الله» whose ه is silent in Persian
             * (Abdullah ~ عبدالله, Hezbollah ~ حزب‌الله); another final ah
             * is a sound (Shah ~ شاه). */
            if (!(native && i + 1 == n && p1 == 'e') &&
                !(native && i + 1 == n && p1 == 'a' && i >= 3 && s[i - 2] == 'l' &&
                  s[i - 3] == 'l'))
                emit(t, 'k');
            break;
        case 'b': case 'j': case 'l': case 'm': case 'n': case 'r':
            emit(t, c);
            break;
        default:
            break;   /* a barrier */
        }
    }
}

static void flush_latin(ka_translit_t *t)
{
    if (t->lat_len > 0)
        latin_rules(t, t->lat, t->lat_len, t->lat_native);
    t->lat_len = 0;
}

static void lat_put(ka_translit_t *t, char c, int native)
{
    if (t->lat_len > 0 && t->lat_native != native)
        flush_latin(t);
    t->lat_native = native;
    if (t->lat_len < sizeof t->lat)
        t->lat[t->lat_len++] = c;
}

/* ------------------------------------------------------------------------ */
/* Cyrillic through ICU                                                      */

/* Letters of Kazakh, Kyrgyz, Tajik, Uzbek and Ukrainian Cyrillic that ICU's
 * rules leave unchanged or mark with diacritics, as the Russian letter that
 * the Persian and English spellings of the same names follow (Өзбекстан ~
 * Ozbekstan; Қазақстан ~ Kazakstan; ҷ is Tajik j). Lower and upper case. */
static UChar cyr_premap(uint32_t u)
{
    switch (u) {
    case 0x04E9: case 0x04E8: return 0x043E;   /* ө -> о */
    case 0x04AF: case 0x04AE: return 0x0443;   /* ү -> у */
    case 0x04B1: case 0x04B0: return 0x0443;   /* ұ -> у */
    case 0x04EF: case 0x04EE: return 0x0443;   /* ӯ -> у */
    case 0x045E: case 0x040E: return 0x0443;   /* ў -> у */
    case 0x04D9: case 0x04D8: return 0x0430;   /* ә -> а */
    case 0x04A3: case 0x04A2: return 0x043D;   /* ң -> н */
    case 0x04BB: case 0x04BA: return 0x0445;   /* һ -> х */
    case 0x04B3: case 0x04B2: return 0x0445;   /* ҳ -> х */
    case 0x04B7: case 0x04B6: return 0x0436;   /* ҷ -> ж */
    case 0x049B: case 0x049A: return 0x043A;   /* қ -> к */
    case 0x0493: case 0x0492: return 0x0433;   /* ғ -> г */
    case 0x04E3: case 0x04E2: return 0x0438;   /* ӣ -> и */
    case 0x0456: case 0x0406: return 0x0438;   /* і -> и */
    case 0x0457: case 0x0407: return 0x0438;   /* ї -> и */
    case 0x0454: case 0x0404: return 0x0435;   /* є -> е */
    default: return (UChar)u;
    }
}

static UChar cyr_lower(UChar u)
{
    if (u >= 0x0410 && u <= 0x042F)
        return (UChar)(u + 0x20);
    if (u >= 0x0400 && u <= 0x040F)
        return (UChar)(u + 0x50);
    return u;
}

/* Russian declines names, and a case ending that is more than a vowel would
 * give the name another key: the instrumental -ым/-ом/-ем (Путиным, Рахмоном,
 * Медведевым) ends in m, the adjectival -ого/-ому/-ским (Бжезинского,
 * Бжезинскому, Бжезинским) in a velar or m. These endings are cut from a
 * Cyrillic run long enough that what is left is still a name (Ислом, Бахром
 * and Карим keep their m). The vowel endings (-а, -у, -е, -ой, -ей) need
 * nothing: vowels are not part of the key. Returns the new length. */
static int32_t cyr_strip_case(const UChar *u, int32_t n)
{
    if (n < 5)
        return n;
    UChar a = cyr_lower(u[n - 3]), b = cyr_lower(u[n - 2]), c = cyr_lower(u[n - 1]);
    UChar z = n >= 4 ? cyr_lower(u[n - 4]) : 0;
    /* -ому -ему -ого -его (len >= 7) */
    if (n >= 7 && (a == 0x043E || a == 0x0435) &&
        ((b == 0x043C && c == 0x0443) || (b == 0x0433 && c == 0x043E)))
        return n - 3;
    /* -ым (len >= 6): only an instrumental ends so (Касым keeps it) */
    if (n >= 6 && b == 0x044B && c == 0x043C)
        return n - 2;
    /* -ским -цким (len >= 6) */
    if (n >= 6 && b == 0x0438 && c == 0x043C && a == 0x043A && (z == 0x0441 || z == 0x0446))
        return n - 2;
    /* -ом -ем -ём (len >= 7) after н or д, the ends of most names that
     * take it (Рахмоном, Эрдоганом, Казахстаном, Ашхабадом); not after
     * other letters, where -ом is as often part of a name (Газпром, Росатом). */
    if (n >= 7 && c == 0x043C && (b == 0x043E || b == 0x0435 || b == 0x0451) &&
        (a == 0x043D || a == 0x0434))
        return n - 2;
    return n;
}

/* Russian letters without ICU                                              */

/* Opening ICU's transliterator builds its registry of every transliterator
 * (150 M instructions, 20 ms: ten times a whole query of quest's), and a
 * one-shot search with one Cyrillic word paid it. A run of Russian letters
 * alone (the usual Cyrillic word) is written here as TRANSLIT_ID writes it,
 * by the BGN/PCGN romanization of Russian that its first step implements,
 * in ICU's two passes:
 *   1. е and ё after a vowel, й, ъ or ь are ye; ы after a vowel is ·y; э
 *      after a consonant (ъ and ь included) is ·e. What came before is the
 *      text as this pass left it: a letter it rewrote is Latin, so a
 *      consonant to the next (аеэ -> a ye ·e, аыы -> a ·y y).
 *   2. letter by letter: е and ё first in the run ye, else e; й and ы before
 *      а у ы э (not rewritten by pass 1) y·; тс t·s; шч sh·ch; х kh, ц ts,
 *      ч ch, ш sh, щ shch, ж zh, ю yu, я ya, ъ ʺ, ь ʹ; the rest one letter.
 * then Latin-ASCII (ë -> e). The dots, ʺ and ʹ are barriers here as in
 * flush_icu. Case only changes the case of ICU's output, except where a
 * rule's context names one case: a run in lower case, in upper case, or
 * capitalized reads alike; another mix goes to ICU. tests/translit checks
 * this against ICU on real text and on random runs, and so does the fuzz
 * harness fuzz_analyze on every token. */

enum { RU_START, RU_VOWEL, RU_SHORT_I, RU_SIGN, RU_CONSONANT, RU_LATIN };

/* The lower-case Russian letter of u (а..я, ё), or 0 for anything else. */
static UChar ru_lower(UChar u)
{
    if (u >= 0x0430 && u <= 0x044F)
        return u;
    if (u >= 0x0410 && u <= 0x042F)
        return (UChar)(u + 0x20);
    if (u == 0x0451 || u == 0x0401)
        return 0x0451;
    return 0;
}

static int ru_is_upper(UChar u)
{
    return (u >= 0x0410 && u <= 0x042F) || u == 0x0401;
}

static int ru_vowel(UChar l)
{
    return l == 0x0430 || l == 0x0435 || l == 0x0438 || l == 0x043E || l == 0x0443 ||
           l == 0x044B || l == 0x044D || l == 0x044E || l == 0x044F || l == 0x0451;
}

static int ru_kind(UChar l)
{
    if (ru_vowel(l))
        return RU_VOWEL;
    if (l == 0x0439)
        return RU_SHORT_I;
    if (l == 0x044A || l == 0x044C)
        return RU_SIGN;
    return RU_CONSONANT;
}

/* The Latin of one pass-2 letter; NULL for ъ and ь (a barrier). */
static const char *ru_plain(UChar l)
{
    static const char *const lat[32] = {
        "a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
        "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", NULL, "y", NULL, "e", "yu", "ya",
    };
    return l == 0x0451 ? "e" : lat[l - 0x0430];
}

static void ru_put(ka_translit_t *t, const char *s)
{
    for (; *s; s++)
        lat_put(t, *s, 0);
}

/* Write the Cyrillic run t->icu[0..n) to the Latin run if it is Russian
 * letters in one of the case patterns above; 0 (nothing written) if not. */
static int ru_native(ka_translit_t *t, int32_t n)
{
    if (t->icu_only || n <= 0 || n > KA_TRANSLIT_MAX_WORD)
        return 0;
    UChar l[KA_TRANSLIT_MAX_WORD];
    int upper = 0;
    for (int32_t i = 0; i < n; i++) {
        l[i] = ru_lower(t->icu[i]);
        if (l[i] == 0)
            return 0;
        upper += ru_is_upper(t->icu[i]);
    }
    if (!(upper == 0 || upper == n || (upper == 1 && ru_is_upper(t->icu[0]))))
        return 0;
    /* Pass 1: which letters it rewrites (1: ye, 2: ·y, 3: ·e). */
    unsigned char p1[KA_TRANSLIT_MAX_WORD];
    int before = RU_START;
    for (int32_t i = 0; i < n; i++) {
        UChar c = l[i];
        p1[i] = 0;
        if ((c == 0x0435 || c == 0x0451) &&
            (before == RU_VOWEL || before == RU_SHORT_I || before == RU_SIGN))
            p1[i] = 1;
        else if (c == 0x044B && before == RU_VOWEL)
            p1[i] = 2;
        else if (c == 0x044D && (before == RU_CONSONANT || before == RU_SIGN || before == RU_LATIN))
            p1[i] = 3;
        before = p1[i] ? RU_LATIN : ru_kind(c);
    }
    /* Pass 2 over what pass 1 left. */
    for (int32_t i = 0; i < n; i++) {
        UChar c = l[i];
        if (p1[i] == 1) {
            ru_put(t, "ye");
            continue;
        }
        if (p1[i] == 2 || p1[i] == 3) {
            lat_put(t, '.', 0);
            lat_put(t, p1[i] == 2 ? 'y' : 'e', 0);
            continue;
        }
        UChar next = i + 1 < n && p1[i + 1] == 0 ? l[i + 1] : 0;
        if ((c == 0x0435 || c == 0x0451) && i == 0) {
            ru_put(t, "ye");
        } else if ((c == 0x0439 || c == 0x044B) &&
                   (next == 0x0430 || next == 0x0443 || next == 0x044B || next == 0x044D)) {
            ru_put(t, "y.");
        } else if (c == 0x0442 && next == 0x0441) {
            ru_put(t, "t.");
        } else if (c == 0x0448 && next == 0x0447) {
            ru_put(t, "sh.");
        } else {
            const char *s = ru_plain(c);
            if (s != NULL)
                ru_put(t, s);
            else
                lat_put(t, '.', 0);
        }
    }
    return 1;
}

void ka_translit_set_icu_only(ka_translit_t *t, int on)
{
    if (t != NULL) {
        t->icu_only = on != 0;
        cache_clear(t);
    }
}

/* Send the collected run through ICU (or ru_native) and append its ASCII
 * letters to the Latin run; anything else ICU writes (ʹ for ь, the BGN
 * middle dot that separates letters which are not a digraph, as in z·h) is
 * a barrier. */
static ka_status_t flush_icu(ka_translit_t *t)
{
    if (t->icu_len == 0)
        return KA_OK;
    t->icu_len = cyr_strip_case(t->icu, t->icu_len);
    if (ru_native(t, t->icu_len)) {
        t->icu_len = 0;
        return KA_OK;
    }
    ka_status_t ost = open_trans(t);
    if (ost != KA_OK) {
        t->icu_len = 0;
        return ost;
    }
    int32_t len = t->icu_len, limit = t->icu_len;
    UErrorCode err = U_ZERO_ERROR;
    utrans_transUChars(t->trans, t->icu, &len, ICU_CAP, 0, &limit, &err);
    t->icu_len = 0;
    if (err == U_BUFFER_OVERFLOW_ERROR || len < 0 || len > ICU_CAP) {
        /* Longer than any expansion of ICU's rules we know of: odd input,
         * not a name. */
        t->overflow = 1;
        return KA_OK;
    }
    if (U_FAILURE(err))
        return KA_ERR_ICU;
    for (int32_t i = 0; i < len; i++) {
        UChar u = t->icu[i];
        if (u >= 'A' && u <= 'Z')
            lat_put(t, (char)(u - 'A' + 'a'), 0);
        else if (u >= 'a' && u <= 'z')
            lat_put(t, (char)u, 0);
        else
            lat_put(t, '.', 0);
    }
    return KA_OK;
}

/* ------------------------------------------------------------------------ */
/* Persian                                                                   */

static int fa_alef(uint32_t u)
{
    return u == 0x0627 || u == 0x0622 || u == 0x0623 || u == 0x0625 || u == 0x0671;
}

static int fa_ye(uint32_t u)
{
    return u == 0x06CC || u == 0x064A || u == 0x0649 || u == 0x0626 || u == 0x06CD ||
           u == 0x06D0;
}

static int fa_vav(uint32_t u)
{
    return u == 0x0648 || u == 0x0624;
}

static int fa_heh(uint32_t u)
{
    return u == 0x0647 || u == 0x0629 || u == 0x06C0 || u == 0x06C1 || u == 0x06C2 ||
           u == 0x06BE || u == 0x06D5;
}

/* The class of a Persian consonant letter; 0 for the letters handled by
 * context (alef, ye, vav, heh) and for ع and ء, which are dropped: they have
 * no counterpart in Latin or Russian spellings (Eshghabad ~ Ashgabat). Arabic
 * code points are accepted beside the Persian ones in case a caller passes
 * text that was not normalized. Letters that sound alike in Persian share a
 * class, since the Latin side cannot tell them apart. */
static char fa_class(uint32_t u)
{
    switch (u) {
    case 0x0628: return 'b';                       /* ب */
    case 0x067E: return 'b';                       /* پ, see p in latin_rules */
    case 0x062A: case 0x0637: return 't';          /* ت ط */
    case 0x062B: case 0x0633: case 0x0635: return 's';  /* ث س ص */
    case 0x062C: return 'j';                       /* ج */
    case 0x0698: return 'j';                       /* ژ, see zh in latin_rules */
    case 0x0686: return 'c';                       /* چ */
    case 0x062D: return 'k';                       /* ح, see h in latin_rules */
    case 0x062F: return 'd';                       /* د */
    case 0x0630: case 0x0632: case 0x0636: case 0x0638: return 'z';  /* ذ ز ض ظ */
    case 0x0631: return 'r';                       /* ر */
    case 0x0634: return 'w';                       /* ش */
    case 0x0641: return 'v';                       /* ف, see v in latin_rules */
    /* خ غ ق ک گ: Persian writes one Latin velar with any of them, and
     * ق stands for Turkic g/k/q (Kyrgyzstan ~ قرقیزستان, Kazakhstan ~
     * قزاقستان), so they are one class with Latin k, g, q, kh, gh (and h,
     * ح, ه: see h in latin_rules). */
    case 0x062E: case 0x063A: case 0x0642: case 0x06A9: case 0x0643: case 0x06AA:
    case 0x06AF:
        return 'k';
    case 0x0644: return 'l';                       /* ل */
    case 0x0645: return 'm';                       /* م */
    case 0x0646: return 'n';                       /* ن */
    default: return 0;
    }
}

/* Is u a letter of the Persian alphabet (or an Arabic variant of one)? */
static int fa_letter(uint32_t u)
{
    return fa_class(u) != 0 || fa_alef(u) || fa_ye(u) || fa_vav(u) || fa_heh(u) ||
           u == 0x0639 || u == 0x0621;
}

/* Is the و at j that of the ending وی after a consonant, the adjective of
 * a place or a name (غزنوی ~ Ghaznavi ~ Газневи, دهلوی ~ Dehlavi, گنجوی ~
 * Ganjavi ~ Гянджеви, موسوی ~ Mousavi ~ Мусави, پهلوی ~ Pahlavi)? There the
 * و is v. Two letters at least before it: روی, سوی and بوی are the vowel u. */
static int nisba_v(const uint32_t *p, size_t m, size_t j)
{
    if (j < 2 || j + 2 != m || !fa_ye(p[j + 1]))
        return 0;
    uint32_t prev = p[j - 1];
    return fa_class(prev) != 0 || fa_heh(prev);
}

/* Reduce the Persian run p[0..m) of letters to classes. */
static void fa_rules(ka_translit_t *t, const uint32_t *p, size_t m)
{
    int vav_vowel = 0;   /* the letter is و read as a vowel */
    for (size_t j = 0; j < m; j++) {
        uint32_t u = p[j];
        int prev_vav_vowel = vav_vowel;
        vav_vowel = 0;
        uint32_t prev = j > 0 ? p[j - 1] : 0, next = j + 1 < m ? p[j + 1] : 0;
        char c = fa_class(u);
        if (!t->seen_letter) {
            /* The onset (see latin_rules): ا آ ی ع ء start a word with a
             * vowel or the glide y; و at the start is v. */
            t->seen_letter = 1;
            t->onset_vowel = fa_alef(u) || fa_ye(u) || u == 0x0639 || u == 0x0621;
        }
        /* The last letter is a vowel: ا, ی, and و or ه read as vowels
         * (set again below when they are). */
        t->final_vowel = fa_alef(u) || fa_ye(u);
        /* The Arabic article in a medial «الدین» is not spoken: the l is
         * assimilated (نصرالدیناف ~ Nasriddinov, شمس‌الدین ~ Shamsiddin). */
        if (u == 0x0644 && j >= 2 && fa_alef(prev) && !fa_alef(p[j - 2]) &&
            !fa_ye(p[j - 2]) && !fa_vav(p[j - 2]) && j + 3 < m && p[j + 1] == 0x062F &&
            fa_ye(p[j + 2]) && p[j + 3] == 0x0646)
            continue;
        if (c != 0) {
            emit(t, c);
        } else if (fa_vav(u) && j > 0 && prev == 0x062E && fa_alef(next)) {
            /* خوا: the و is written, not spoken (خوارزم ~ Khorezm, خواجه ~
             * Khoja). */
        } else if (fa_vav(u) && prev_vav_vowel) {
            /* Of two و the second is v when the first was the vowel
             * (نووسیبیرسک ~ Novosibirsk). */
            emit(t, 'v');
        } else if (fa_vav(u)) {
            /* و is v at the start (وارتانیان ~ Vartanyan), before ا
             * (ایوانف ~ Ivanov, هواشنگ ~ Huasheng), after a non-initial ا
             * (لاوروف ~ Lavrov, کاوش ~ Kavosh; an initial او is the vowel
             * o/u: اوتونبایوا ~ Otunbayeva) and at the end after ی
             * (پالگریو ~ Palgrave). Elsewhere it is the vowel o/u
             * (پوتین ~ Putin, مسکو ~ Moscow). */
            if (j == 0 || fa_alef(next) || (fa_alef(prev) && j >= 2) ||
                (j + 1 == m && fa_ye(prev)) || nisba_v(p, m, j))
                emit(t, 'v');
            else
                t->final_vowel = vav_vowel = 1;
        } else if (fa_heh(u)) {
            /* A final ه after a consonant or ی is the vowel e/a
             * (دوشنبه ~ Dushanbe, آستانه ~ Astana, ترکیه ~ Turkiye), and so
             * it is before the adjective ending ای (خامنه‌ای ~ Khamenei)
             * and before the ezafe or indefinite ی that the analyzer joins
             * to it when the ZWNJ goes (دوشنبه‌ی ~ Dushanbe); elsewhere it is
             * h (تهران ~ Tehran, شاه ~ Shah, کوه ~ Kuh). */
            int final = j + 1 == m ||
                        (j + 2 == m && fa_ye(next)) ||
                        (j + 3 == m && fa_alef(next) && fa_ye(p[j + 2]));
            int vowel = final && j > 0 && !fa_alef(prev) && !fa_vav(prev);
            if (!vowel)
                emit(t, 'k');   /* see h in latin_rules */
            else
                t->final_vowel = 1;
        }
        /* ا and ی are vowels (and ی the glide y, dropped in Latin too);
         * ع and ء are dropped. */
    }
}

static void flush_fa(ka_translit_t *t)
{
    if (t->fa_len > 0)
        fa_rules(t, t->fa, t->fa_len);
    t->fa_len = 0;
}

/* ------------------------------------------------------------------------ */
/* The word                                                                  */

/* Decode one code point from s[*i..n) (advancing *i); U+FFFD for invalid
 * UTF-8, one byte at a time, so any input ends. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
    unsigned char c = s[(*i)++];
    if (c < 0x80)
        return c;
    int need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1; cp = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2; cp = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3; cp = c & 0x07; min = 0x10000;
    } else {
        return 0xFFFD;
    }
    size_t j = *i;
    for (int k = 0; k < need; k++, j++) {
        if (j >= n || (s[j] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[j] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *i = j;
    return cp;
}

/* Code points that go through ICU: Cyrillic (with its supplement) and Latin
 * letters with diacritics, which the analyzer folds already but a caller
 * may not have; Greek comes free with Any-Latin. */
static int via_icu(uint32_t u)
{
    return (u >= 0x0400 && u <= 0x052F) || (u >= 0x00C0 && u <= 0x024F) ||
           (u >= 0x1E00 && u <= 0x1EFF) || (u >= 0x0370 && u <= 0x03FF);
}

static int is_digit(uint32_t u)
{
    return (u >= '0' && u <= '9') || (u >= 0x0660 && u <= 0x0669) ||
           (u >= 0x06F0 && u <= 0x06F9);
}

/* Persian marks that do not break a word: harakat, superscript alef,
 * tatweel, Quranic marks; also ZWJ. */
static int fa_mark(uint32_t u)
{
    return (u >= 0x064B && u <= 0x065F) || u == 0x0670 || u == 0x0640 ||
           (u >= 0x0610 && u <= 0x061A) || (u >= 0x06D6 && u <= 0x06ED) || u == 0x200D;
}

/* The last rules and the collapse; leaves the skeleton in t->cls. */
static void finish_skeleton(ka_translit_t *t)
{
    /* A final d is t: Russian devoices it and Turkic names alternate
     * (Tashkent ~ تاشکند, Ashgabat ~ Ashkhabad ~ عشق‌آباد). */
    if (t->cls_len > 0 && t->cls[t->cls_len - 1] == 'd')
        t->cls[t->cls_len - 1] = 't';
    /* Doubled letters are spelling, not sound (Muhammad ~ محمد, Bishkek
     * ~ بیشکک), and Persian writes no vowels between like consonants
     * (Tatar ~ تاتار): repeated classes collapse to one. */
    size_t w = 0;
    for (size_t r = 0; r < t->cls_len; r++)
        if (w == 0 || t->cls[w - 1] != t->cls[r])
            t->cls[w++] = t->cls[r];
    t->cls_len = w;
    if (t->cls_len == 0)
        return;
    /* One vowel mark, KA_TRANSLIT_VOWEL, keeps short names apart from the
     * mass of two-consonant words: a word that starts with a vowel or a
     * glide gets it in front (Akayev ~ آقایف ~ Акаев "akv", Young ~ یانگ
     * "ank", Araghi ~ عراقی "ark"), except before s and sh, where Persian
     * writes a vowel that other languages do not (استالین ~ Stalin,
     * اسپانیا ~ Spain; Islam ~ اسلام and Astana ~ آستانه lose it on both
     * sides alike). */
    if (t->onset_vowel && t->cls[0] != 's' && t->cls[0] != 'w') {
        if (t->cls_len >= CLASS_CAP)
            t->cls_len = CLASS_CAP - 1;
        memmove(t->cls + 1, t->cls, t->cls_len);
        t->cls[0] = KA_TRANSLIT_VOWEL;
        t->cls_len++;
    } else if (t->cls_len == 2 && t->final_vowel) {
        /* Two consonants and a final vowel (Baku ~ باکو ~ Баку "bka",
         * Tokyo ~ توکیو): the mark goes at the end. */
        t->cls[t->cls_len++] = KA_TRANSLIT_VOWEL;
    }
    if (t->cls_len < KA_TRANSLIT_MIN_SKELETON)
        t->cls_len = 0;
}

/* Compute the skeleton of word[0..len) into t->cls. */
static ka_status_t compute(ka_translit_t *t, const char *word, size_t len)
{
    const unsigned char *s = (const unsigned char *)word;
    t->cls_len = t->lat_len = t->fa_len = 0;
    t->icu_len = 0;
    t->overflow = 0;
    t->seen_letter = t->onset_vowel = t->final_vowel = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t u = next_cp(s, len, &i);
        if (is_digit(u)) {
            /* A number, or a word with digits (g20, 5+1): not a name. */
            t->cls_len = t->lat_len = t->fa_len = 0;
            t->icu_len = 0;
            return KA_OK;
        }
        if (via_icu(u)) {
            flush_fa(t);
            if (t->icu_len < ICU_CAP / ICU_OUT_FACTOR)
                t->icu[t->icu_len++] = cyr_premap(u);
            continue;
        }
        ka_status_t st = flush_icu(t);
        if (st != KA_OK)
            return st;
        if (u < 0x80) {
            flush_fa(t);
            if (u >= 'A' && u <= 'Z')
                lat_put(t, (char)(u - 'A' + 'a'), 1);
            else if (u >= 'a' && u <= 'z')
                lat_put(t, (char)u, 1);
            else
                lat_put(t, '.', 1);
        } else if (fa_letter(u)) {
            flush_latin(t);
            if (t->fa_len < KA_TRANSLIT_MAX_WORD)
                t->fa[t->fa_len++] = u;
        } else if (fa_mark(u)) {
            /* skipped inside a Persian run */
        } else {
            /* ZWNJ, spaces, punctuation, other scripts: the end of a run,
             * so a part of a compound has its own start and end. */
            flush_latin(t);
            flush_fa(t);
        }
    }
    ka_status_t st = flush_icu(t);
    if (st != KA_OK)
        return st;
    flush_latin(t);
    flush_fa(t);
    finish_skeleton(t);
    if (t->overflow)
        t->cls_len = 0;
    return KA_OK;
}

ka_status_t ka_translit_skeleton(ka_translit_t *t, const char *word, size_t len,
                                 char *out, size_t cap, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = 0;
    if (out != NULL && cap > 0)
        out[0] = '\0';
    if (t == NULL || out == NULL || cap == 0 || out_len == NULL || (word == NULL && len > 0))
        return KA_ERR_ARG;
    if (len == 0 || len > KA_TRANSLIT_MAX_WORD)
        return KA_OK;

    const char *val;
    size_t val_len;
    uint32_t h = hash_bytes(word, len);
    const cache_slot_t *hit = cache_find(t, h, word, len);
    if (hit != NULL) {
        t->hits++;
        val = t->arena + hit->off + hit->key_len;
        val_len = hit->val_len;
    } else {
        t->misses++;
        ka_status_t st = compute(t, word, len);
        if (st != KA_OK)
            return st;
        cache_put(t, h, word, len, t->cls, t->cls_len);
        val = t->cls;
        val_len = t->cls_len;
    }
    if (val_len + 1 > cap)
        return KA_ERR_ARG;
    memcpy(out, val, val_len);
    out[val_len] = '\0';
    *out_len = val_len;
    return KA_OK;
}

ka_status_t ka_translit_token_term(ka_translit_t *t, const ka_token_t *tok, char *out,
                                   size_t cap, size_t *out_len)
{
    if (!out_len)
        return KA_ERR_ARG;
    *out_len = 0;
    if (!t || !tok || !out || cap < KA_TRANSLIT_TERM_CAP)
        return KA_ERR_ARG;
    out[0] = '\0';
    if ((tok->flags & KA_TOK_STOPWORD) || tok->script == KA_SCRIPT_DIGIT ||
        tok->script == KA_SCRIPT_OTHER)
        return KA_OK;
    /* A Latin or Cyrillic word written in lower case is not a name: it gets
     * no key (a query word does, however typed: the caller sets
     * KA_TOK_CAPITAL). Persian has no capitals. */
    if ((tok->script == KA_SCRIPT_LATIN || tok->script == KA_SCRIPT_CYRILLIC) &&
        !(tok->flags & KA_TOK_CAPITAL))
        return KA_OK;
    if (ka_translit_is_common(t, tok->term, tok->term_len) ||
        (tok->stem != NULL && tok->stem_len > 1 &&
         ka_translit_is_common(t, tok->stem + 1, tok->stem_len - 1)))
        return KA_OK;
    size_t plen = sizeof KA_PREFIX_TRANSLIT - 1, n = 0;
    ka_status_t st = ka_translit_skeleton(t, tok->term, tok->term_len, out + plen, cap - plen, &n);
    /* A key of more than KA_TRANSLIT_MAX_KEY classes is no name (a run of
     * one letter, a word glued from many): none, and never a term over
     * Xapian's limit (a 128-letter «XXX…» gave 256 classes: ks per x). */
    if (st != KA_OK || n == 0 || n > KA_TRANSLIT_MAX_KEY) {
        out[0] = '\0';
        return st;
    }
    memcpy(out, KA_PREFIX_TRANSLIT, plen);
    *out_len = plen + n;
    return KA_OK;
}

/* ------------------------------------------------------------------------ */
/* Near keys                                                                 */

/* Classes that spellings of one name exchange, where no rule can decide:
 * ج and چ (Нахичевань ~ نخجوان, Белуджистан ~ بلوچستان), ج and ز or ژ,
 * English soft g (Kissinger ~ کیسینجر), Polish rz (Brzezinski ~ برژینسکی),
 * ch and sh, s and z, t and d. Any other change of a class is another
 * name (Gorbachev ~ Khrushchev). */
static int confusable(char x, char y)
{
    static const char pairs[][2] = {
        { 'j', 'c' }, { 'j', 'z' }, { 'j', 'k' }, { 'j', 'r' }, { 'j', 'w' },
        { 'c', 'w' }, { 's', 'z' }, { 't', 'd' },
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if ((pairs[i][0] == x && pairs[i][1] == y) || (pairs[i][0] == y && pairs[i][1] == x))
            return 1;
    return 0;
}

/* Is b at most one edit from a (lengths differing by at most 1): one class
 * added or dropped anywhere, or one changed for a confusable one? */
static int within_one_edit(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > blen)
        return within_one_edit(b, blen, a, alen);
    if (blen - alen > 1)
        return 0;
    size_t i = 0;
    while (i < alen && a[i] == b[i])
        i++;
    if (i == alen)
        return 1;   /* equal, or b has one class more at the end */
    if (alen == blen)   /* one substitution at i */
        return confusable(a[i], b[i]) && memcmp(a + i + 1, b + i + 1, alen - i - 1) == 0;
    return memcmp(a + i, b + i + 1, alen - i) == 0;   /* b has one more at i */
}

/* Is b a with one 'v' or 'y' more (after a's first class)? Persian writes
 * و and ی both for a consonant (v, y) and for a long vowel (u/o, i), and the
 * key drops the vowel: حاجی‌وثوق keys kjsk, Hajivosough kjvsk. */
static int one_semivowel_more(const char *a, size_t alen, const char *b, size_t blen)
{
    if (blen != alen + 1)
        return 0;
    size_t i = 1;
    while (i < alen && a[i] == b[i])
        i++;
    return (b[i] == 'v' || b[i] == 'y') && memcmp(a + i, b + i + 1, alen - i) == 0;
}

int ka_translit_near(const char *a, size_t alen, const char *b, size_t blen)
{
    if (a == NULL || b == NULL || alen == 0 || blen == 0 || a[0] != b[0])
        return 0;
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1;
    /* A semivowel one spelling writes as a vowel: the shorter key needs
     * only KA_TRANSLIT_NEAR_SEMIVOWEL_MIN classes. */
    if ((alen >= KA_TRANSLIT_NEAR_SEMIVOWEL_MIN && one_semivowel_more(a, alen, b, blen)) ||
        (blen >= KA_TRANSLIT_NEAR_SEMIVOWEL_MIN && one_semivowel_more(b, blen, a, alen)))
        return 1;
    if (alen < KA_TRANSLIT_NEAR_MIN || blen < KA_TRANSLIT_NEAR_MIN)
        return 0;
    return within_one_edit(a, alen, b, blen);
}

ka_status_t ka_translit_near_init(ka_translit_near_set_t *s, const char *term, size_t len)
{
    size_t plen = sizeof KA_PREFIX_TRANSLIT - 1;
    if (s == NULL)
        return KA_ERR_ARG;
    memset(s, 0, sizeof *s);
    if (term == NULL || len <= plen || len >= sizeof s->key ||
        memcmp(term, KA_PREFIX_TRANSLIT, plen) != 0)
        return KA_ERR_ARG;
    memcpy(s->key, term, len);
    s->key[len] = '\0';
    s->key_len = len;
    memcpy(s->prefix, term, plen + 1);
    s->prefix[plen + 1] = '\0';
    return KA_OK;
}

const char *ka_translit_near_prefix(const ka_translit_near_set_t *s)
{
    return s != NULL ? s->prefix : "";
}

/* Does match (d1, f1) rank before (d2, f2)? Nearer first, then more frequent. */
static int near_before(unsigned d1, unsigned f1, unsigned d2, unsigned f2)
{
    return d1 != d2 ? d1 < d2 : f1 > f2;
}

int ka_translit_near_offer(void *ctx, const char *term, size_t len, unsigned freq)
{
    ka_translit_near_set_t *s = ctx;
    size_t plen = sizeof KA_PREFIX_TRANSLIT - 1;
    if (s == NULL || s->key_len == 0 || term == NULL || len <= plen ||
        len >= KA_TRANSLIT_TERM_CAP || memcmp(term, KA_PREFIX_TRANSLIT, plen) != 0)
        return 0;
    s->offered++;
    if (!ka_translit_near(s->key + plen, s->key_len - plen, term + plen, len - plen))
        return 0;
    unsigned d = len == s->key_len && memcmp(term, s->key, len) == 0 ? 0 : 1;
    size_t at = s->n;
    while (at > 0 && near_before(d, freq, s->dist[at - 1], s->freq[at - 1]))
        at--;
    if (at >= KA_TRANSLIT_NEAR_MAX)
        return 0;
    size_t last = s->n < KA_TRANSLIT_NEAR_MAX ? s->n : KA_TRANSLIT_NEAR_MAX - 1;
    for (size_t k = last; k > at; k--) {
        memcpy(s->term[k], s->term[k - 1], sizeof s->term[k]);
        s->dist[k] = s->dist[k - 1];
        s->freq[k] = s->freq[k - 1];
    }
    memcpy(s->term[at], term, len);
    s->term[at][len] = '\0';
    s->dist[at] = d;
    s->freq[at] = freq;
    if (s->n < KA_TRANSLIT_NEAR_MAX)
        s->n++;
    return 0;
}

int ka_translit_is_common(const ka_translit_t *t, const char *word, size_t len)
{
    if (t == NULL || word == NULL || len == 0 || len > KA_TRANSLIT_MAX_WORD)
        return 0;
    return ka_wordset_has(&t->common, word, len);
}

size_t ka_translit_common_count(void)
{
    return sizeof COMMON_WORDS / sizeof COMMON_WORDS[0];
}

const char *ka_translit_common_word(size_t i)
{
    return i < sizeof COMMON_WORDS / sizeof COMMON_WORDS[0] ? COMMON_WORDS[i] : NULL;
}

/*
 * glossary.c - load a multilingual glossary, analyse its spellings with the
 * one analyzer, and find its variants in a query's term sequence.
 *
 * Storage: variants live in one array, the variants of a concept next to each
 * other, so a concept is just (first, count). Each variant owns one block of
 * bytes holding its text, its terms and its stems, and one array of pointers
 * into that block. An open-addressing hash table maps the first exact term of
 * every variant, and separately its first stem, to the list of variants that
 * start with it; a query position is looked up once per key, and only the
 * variants found there are compared term by term.
 */
#include "glossary.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* First size of the hash table; it doubles when half full, so probes stay short. */
#define GLOSSARY_INITIAL_SLOTS 1024u
/* Fields of a TSV line beyond which the line is certainly damaged. */
#define TSV_MAX_FIELDS 32u
/* A one-letter stem says nothing about the word it came from. */
#define GLOSSARY_MIN_STEM_CHARS 2u
/* Bytes of a spelling quoted in a diagnostic: enough to recognise it. */
#define DIAG_QUOTE_BYTES 48u

enum key_kind { KEY_EXACT = 1, KEY_STEM = 2 };

typedef struct variant {
    char              *block;     /* text NUL, then each term NUL and stem NUL (inside ptrs' allocation) */
    char             **ptrs;      /* nterms term pointers, then nterms stem pointers (or NULL) */
    size_t             nterms;
    size_t             concept;
    ks_glossary_lang_t lang;
} variant_t;

typedef struct concept {
    size_t first;                 /* index of its first variant */
    size_t count;
} concept_t;

typedef struct slot {
    const char   *key;            /* a variant's own term or stem (variants are never removed
                                     once indexed); NULL for an empty slot */
    uint64_t      hash;
    unsigned char kind;           /* enum key_kind */
    size_t       *ids;            /* variant indexes, ascending */
    size_t        n, cap;
} slot_t;

struct ks_glossary {
    variant_t *variants;
    size_t     nvariants, cap_variants;
    concept_t *concepts;
    size_t     nconcepts, cap_concepts;
    slot_t    *slots;             /* nslots is a power of two */
    size_t     nslots, used_slots;
};

/* Outcome of one spelling in add_concept_ex, for precise diagnostics. */
enum spelling_result {
    SP_KEPT = 0,
    SP_NO_WORDS,
    SP_TOO_MANY_WORDS,
    SP_DUPLICATE,
    SP_BAD_UTF8
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

static const char *const lang_codes[KS_LANG_COUNT] = { "fa", "ru", "en" };

const char *ks_glossary_lang_code(ks_glossary_lang_t lang)
{
    return (unsigned)lang < KS_LANG_COUNT ? lang_codes[lang] : NULL;
}

static int ascii_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

int ks_glossary_lang_from_code(const char *code, size_t len)
{
    /* The one table of language codes: the two-letter codes of our TSV
     * header, the three-letter ISO 639-2 codes FreeDict uses in its file
     * names (eng-rus, fas-eng) and ISO 639-3 "pes" (Iranian Persian). */
    static const struct { const char *code; ks_glossary_lang_t lang; } names[] = {
        { "fa", KS_LANG_FA }, { "fas", KS_LANG_FA }, { "per", KS_LANG_FA }, { "pes", KS_LANG_FA },
        { "ru", KS_LANG_RU }, { "rus", KS_LANG_RU },
        { "en", KS_LANG_EN }, { "eng", KS_LANG_EN },
    };
    if (!code)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ascii_ieq(code, len, names[i].code))
            return (int)names[i].lang;
    return -1;
}

const char *ks_glossary_status_to_string(ks_glossary_status_t st)
{
    switch (st) {
    case KS_GLOSSARY_OK:           return "success";
    case KS_GLOSSARY_ERR_NOMEM:    return "out of memory";
    case KS_GLOSSARY_ERR_ARG:      return "invalid argument";
    case KS_GLOSSARY_ERR_ANALYZER: return "the analyzer failed";
    case KS_GLOSSARY_ERR_LIMIT:    return "glossary too large";
    case KS_GLOSSARY_STATUS_LAST:  break;
    }
    return "unknown glossary status";
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF, no NUL. */
static int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t need;
        unsigned min;
        if (c == 0)
            return 0;
        if (c < 0x80) { p++; continue; }
        if (c >= 0xC2 && c <= 0xDF)      { need = 1; min = 0x80; c &= 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; min = 0x800; c &= 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; min = 0x10000; c &= 0x07; }
        else return 0;
        if ((size_t)(end - p) <= need)
            return 0;
        for (size_t k = 1; k <= need; k++) {
            if ((p[k] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (p[k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        p += need + 1;
    }
    return 1;
}

/* Copy at most DIAG_QUOTE_BYTES of s into out, cut at a character boundary. */
static void quote(char *out, size_t outsz, const char *s, size_t n)
{
    size_t k = n;
    int cut = 0;
    if (k > DIAG_QUOTE_BYTES) {
        k = DIAG_QUOTE_BYTES;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        cut = 1;
    }
    snprintf(out, outsz, "%.*s%s", (int)k, s, cut ? "..." : "");
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The text of a spelling as stored: ASCII whitespace and '|' collapsed to one
 * space, trimmed, leading '#' removed. This keeps every stored text writable
 * back into a TSV cell (no TAB, newline or separator; no line that reads as a
 * comment) without changing its analysis, since the analyzer ignores them. */
static char *clean_text(const char *s, size_t n, size_t *out_len)
{
    char *t = malloc(n + 1);
    size_t k = 0;
    int pending_space = 0;
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c) || c == '|') {
            pending_space = 1;
            continue;
        }
        if (k == 0 && c == '#')
            continue;
        if (pending_space && k > 0)
            t[k++] = ' ';
        pending_space = 0;
        t[k++] = (char)c;
    }
    t[k] = '\0';
    *out_len = k;
    return t;
}

/* ------------------------------------------------------------------------ */
/* Collecting the analyzer's terms                                           */

typedef struct collect {
    const char *text;             /* the analysed text, for looking at a word as written */
    size_t  text_len;
    char   *buf;                  /* terms and stems, each NUL-terminated */
    size_t  len, cap;
    size_t *term_off;             /* offsets into buf */
    size_t *stem_off;             /* offsets, or SIZE_MAX for no stem */
    size_t  n, cap_n;
    size_t  max;                  /* 0: unlimited */
    int     too_many;
    int     nomem;
} collect_t;

static int collect_bytes(collect_t *c, const char *s, size_t n, size_t *off)
{
    if (c->cap - c->len < n + 1) {
        size_t cap = c->cap ? c->cap : 256;
        while (cap - c->len < n + 1) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        char *b = realloc(c->buf, cap);
        if (!b)
            return -1;
        c->buf = b;
        c->cap = cap;
    }
    *off = c->len;
    memcpy(c->buf + c->len, s, n);
    c->buf[c->len + n] = '\0';
    c->len += n + 1;
    return 0;
}

/* Whether a word is written in capitals, as abbreviations are (ИДУ, НАТО,
 * OSCE): at least two letters, all of them upper-case Latin or Cyrillic.
 * Persian has no case, so its words never count. */
static int written_in_capitals(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t upper = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 'A' && c <= 'Z') {
            upper++;
        } else if (c >= 'a' && c <= 'z') {
            return 0;
        } else if ((c == 0xD0 || c == 0xD1) && i + 1 < n) {
            unsigned cp = ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
            i++;
            if ((cp >= 0x410 && cp <= 0x42F) || cp == 0x401)
                upper++;
            else if ((cp >= 0x430 && cp <= 0x44F) || cp == 0x451)
                return 0;
        } else if (c >= 0x80) {
            return 0;                             /* another script: not an abbreviation we know */
        }
    }
    return upper >= 2;
}

static int collect_cb(void *ctx, const ka_token_t *tok)
{
    collect_t *c = ctx;
    /* A joined token repeats two words as one; the glossary matches the
     * words themselves, so it is left out on both sides. */
    if (tok->flags & KA_TOK_JOINED)
        return 0;
    if (c->max && c->n == c->max) {
        c->too_many = 1;
        return 1;
    }
    if (c->n == c->cap_n) {
        size_t cap = c->cap_n ? c->cap_n * 2 : 16;
        size_t *t = realloc(c->term_off, cap * sizeof *t);
        if (!t) { c->nomem = 1; return 1; }
        c->term_off = t;
        size_t *s = realloc(c->stem_off, cap * sizeof *s);
        if (!s) { c->nomem = 1; return 1; }
        c->stem_off = s;
        c->cap_n = cap;
    }
    size_t toff, soff = SIZE_MAX;
    if (collect_bytes(c, tok->term, tok->term_len, &toff) != 0) {
        c->nomem = 1;
        return 1;
    }
    /* An abbreviation keeps no stem: its stem is a fragment («ИДУ» -> «ид»)
     * shared with ordinary words («идут»), and abbreviations are rarely
     * inflected anyway. */
    int caps = tok->end <= c->text_len && tok->start < tok->end
               && written_in_capitals(c->text + tok->start, tok->end - tok->start);
    if (tok->stem && !caps && collect_bytes(c, tok->stem, tok->stem_len, &soff) != 0) {
        c->nomem = 1;
        return 1;
    }
    c->term_off[c->n] = toff;
    c->stem_off[c->n] = soff;
    c->n++;
    return 0;
}

static void collect_reset(collect_t *c, size_t max)
{
    c->len = 0;
    c->n = 0;
    c->max = max;
    c->too_many = 0;
    c->nomem = 0;
}

static void collect_fini(collect_t *c)
{
    free(c->buf);
    free(c->term_off);
    free(c->stem_off);
}

static ks_glossary_status_t collect_run(collect_t *c, ka_analyzer_t *a, const char *text,
                                        size_t len, size_t max)
{
    collect_reset(c, max);
    c->text = text;
    c->text_len = len;
    ka_status_t st = ka_analyze(a, KA_QUERY, text, len, collect_cb, c);
    if (c->nomem)
        return KS_GLOSSARY_ERR_NOMEM;
    if (st == KA_ERR_NOMEM)
        return KS_GLOSSARY_ERR_NOMEM;
    if (st != KA_OK && st != KA_STOPPED)
        return KS_GLOSSARY_ERR_ANALYZER;
    return KS_GLOSSARY_OK;
}

/* ------------------------------------------------------------------------ */
/* The hash table                                                            */

static uint64_t key_hash(unsigned kind, const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull;          /* FNV-1a */
    h = (h ^ kind) * 1099511628211ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h;
}

static const slot_t *slot_find(const ks_glossary_t *g, unsigned kind, const char *key)
{
    if (!g->nslots || !key)
        return NULL;
    size_t len = strlen(key);
    uint64_t h = key_hash(kind, key, len);
    size_t mask = g->nslots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const slot_t *s = &g->slots[i];
        if (!s->key)
            return NULL;
        if (s->hash == h && s->kind == kind && strcmp(s->key, key) == 0)
            return s;
    }
}

static int slots_grow(ks_glossary_t *g)
{
    size_t n = g->nslots ? g->nslots * 2 : GLOSSARY_INITIAL_SLOTS;
    if (n > SIZE_MAX / sizeof(slot_t))
        return -1;
    slot_t *ns = calloc(n, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < g->nslots; i++) {
        slot_t *s = &g->slots[i];
        if (!s->key)
            continue;
        size_t j = (size_t)s->hash & (n - 1);
        while (ns[j].key)
            j = (j + 1) & (n - 1);
        ns[j] = *s;
    }
    free(g->slots);
    g->slots = ns;
    g->nslots = n;
    return 0;
}

static int slot_add(ks_glossary_t *g, unsigned kind, const char *key, size_t id)
{
    /* Keep the table at most half full so that probe sequences stay short. */
    if ((g->used_slots + 1) * 2 > g->nslots && slots_grow(g) != 0)
        return -1;
    size_t len = strlen(key);
    uint64_t h = key_hash(kind, key, len);
    size_t mask = g->nslots - 1, i = (size_t)h & mask;
    slot_t *s;
    for (;; i = (i + 1) & mask) {
        s = &g->slots[i];
        if (!s->key || (s->hash == h && s->kind == kind && strcmp(s->key, key) == 0))
            break;
    }
    if (!s->key) {
        s->key = key;
        s->hash = h;
        s->kind = (unsigned char)kind;
        g->used_slots++;
    }
    if (s->n && s->ids[s->n - 1] == id)
        return 0;                                 /* a variant whose first term is its own stem */
    size_t *ids = kd_vec_grow(s->ids, &s->cap, s->n + 1, sizeof *ids, 2);
    if (!ids)
        return -1;
    s->ids = ids;
    s->ids[s->n++] = id;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Creating, adding, reading                                                 */

ks_glossary_status_t ks_glossary_new(ks_glossary_t **out)
{
    if (!out)
        return KS_GLOSSARY_ERR_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? KS_GLOSSARY_OK : KS_GLOSSARY_ERR_NOMEM;
}

static void variant_free(variant_t *v)
{
    free(v->ptrs);                                /* the block lives in the same allocation */
}

void ks_glossary_free(ks_glossary_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nvariants; i++)
        variant_free(&g->variants[i]);
    for (size_t i = 0; i < g->nslots; i++) {
        free(g->slots[i].ids);
    }
    free(g->variants);
    free(g->concepts);
    free(g->slots);
    free(g);
}

static int same_terms(const variant_t *v, const collect_t *c)
{
    if (v->nterms != c->n)
        return 0;
    for (size_t k = 0; k < c->n; k++)
        if (strcmp(v->ptrs[k], c->buf + c->term_off[k]) != 0)
            return 0;
    return 1;
}

/* Append a variant built from text and the collected terms. */
static int variant_push(ks_glossary_t *g, ks_glossary_lang_t lang, const char *text,
                        size_t text_len, const collect_t *c)
{
    variant_t *nv = kd_vec_grow(g->variants, &g->cap_variants, g->nvariants + 1, sizeof *nv, 256);
    if (!nv)
        return -1;
    g->variants = nv;
    variant_t *v = &g->variants[g->nvariants];
    /* One allocation: the pointers, then the text, terms and stems. */
    v->ptrs = malloc(2 * c->n * sizeof *v->ptrs + text_len + 1 + c->len);
    if (!v->ptrs)
        return -1;
    v->block = (char *)(v->ptrs + 2 * c->n);
    memcpy(v->block, text, text_len);
    v->block[text_len] = '\0';
    memcpy(v->block + text_len + 1, c->buf, c->len);
    char *base = v->block + text_len + 1;
    for (size_t k = 0; k < c->n; k++) {
        v->ptrs[k] = base + c->term_off[k];
        v->ptrs[c->n + k] = c->stem_off[k] == SIZE_MAX ? NULL : base + c->stem_off[k];
    }
    v->nterms = c->n;
    v->concept = g->nconcepts;
    v->lang = lang;
    g->nvariants++;
    return 0;
}

static ks_glossary_status_t add_concept_ex(ks_glossary_t *g, ka_analyzer_t *a,
                                           const ks_glossary_spelling_t *sp, size_t n,
                                           enum spelling_result *results, size_t *added)
{
    ks_glossary_status_t st = KS_GLOSSARY_OK;
    collect_t c;
    size_t first;

    if (added)
        *added = 0;
    if (!g || !a || (!sp && n) || n > KS_GLOSSARY_MAX_SPELLINGS)
        return KS_GLOSSARY_ERR_ARG;
    first = g->nvariants;
    if (g->nvariants + n > KS_GLOSSARY_MAX_VARIANTS)
        return KS_GLOSSARY_ERR_LIMIT;
    concept_t *cs = kd_vec_grow(g->concepts, &g->cap_concepts, g->nconcepts + 1, sizeof *cs, 128);
    if (!cs)
        return KS_GLOSSARY_ERR_NOMEM;
    g->concepts = cs;
    memset(&c, 0, sizeof c);
    for (size_t i = 0; i < n; i++) {
        enum spelling_result r = SP_KEPT;
        size_t tlen = 0;
        char *text = NULL;

        if ((unsigned)sp[i].lang >= KS_LANG_COUNT || (!sp[i].text && sp[i].len)) {
            st = KS_GLOSSARY_ERR_ARG;
            goto fail;
        }
        if (!utf8_valid(sp[i].text, sp[i].len)) {
            r = SP_BAD_UTF8;
            goto next;
        }
        text = clean_text(sp[i].text, sp[i].len, &tlen);
        if (!text) {
            st = KS_GLOSSARY_ERR_NOMEM;
            goto fail;
        }
        st = collect_run(&c, a, text, tlen, KS_GLOSSARY_MAX_TERMS);
        if (st != KS_GLOSSARY_OK) {
            free(text);
            goto fail;
        }
        if (c.too_many)
            r = SP_TOO_MANY_WORDS;
        else if (c.n == 0)
            r = SP_NO_WORDS;
        else {
            for (size_t j = first; j < g->nvariants; j++)
                if (same_terms(&g->variants[j], &c)) {
                    r = SP_DUPLICATE;
                    break;
                }
        }
        if (r == SP_KEPT && variant_push(g, sp[i].lang, text, tlen, &c) != 0) {
            free(text);
            st = KS_GLOSSARY_ERR_NOMEM;
            goto fail;
        }
        free(text);
    next:
        if (results)
            results[i] = r;
    }
    collect_fini(&c);

    if (g->nvariants == first)
        return KS_GLOSSARY_OK;
    g->concepts[g->nconcepts].first = first;
    g->concepts[g->nconcepts].count = g->nvariants - first;
    g->nconcepts++;
    if (added)
        *added = g->nvariants - first;
    /* Index after the concept is complete: a failure here leaves a consistent
     * glossary in which some variants of this concept are not found. */
    for (size_t j = first; j < g->nvariants; j++) {
        const variant_t *v = &g->variants[j];
        if (slot_add(g, KEY_EXACT, v->ptrs[0], j) != 0)
            return KS_GLOSSARY_ERR_NOMEM;
        if (v->ptrs[v->nterms] && slot_add(g, KEY_STEM, v->ptrs[v->nterms], j) != 0)
            return KS_GLOSSARY_ERR_NOMEM;
    }
    return KS_GLOSSARY_OK;

fail:
    collect_fini(&c);
    while (g->nvariants > first)
        variant_free(&g->variants[--g->nvariants]);
    return st;
}

ks_glossary_status_t ks_glossary_add_concept(ks_glossary_t *g, ka_analyzer_t *a,
                                             const ks_glossary_spelling_t *spellings, size_t n,
                                             size_t *added)
{
    return add_concept_ex(g, a, spellings, n, NULL, added);
}

size_t ks_glossary_concept_count(const ks_glossary_t *g)
{
    return g ? g->nconcepts : 0;
}

size_t ks_glossary_variant_total(const ks_glossary_t *g)
{
    return g ? g->nvariants : 0;
}

size_t ks_glossary_concept_size(const ks_glossary_t *g, size_t concept)
{
    return g && concept < g->nconcepts ? g->concepts[concept].count : 0;
}

ks_glossary_status_t ks_glossary_variant(const ks_glossary_t *g, size_t concept, size_t i,
                                         ks_glossary_variant_t *out)
{
    if (!g || !out || concept >= g->nconcepts || i >= g->concepts[concept].count)
        return KS_GLOSSARY_ERR_ARG;
    const variant_t *v = &g->variants[g->concepts[concept].first + i];
    out->lang = v->lang;
    out->text = v->block;
    out->terms = (const char *const *)v->ptrs;
    out->stems = (const char *const *)(v->ptrs + v->nterms);
    out->nterms = v->nterms;
    return KS_GLOSSARY_OK;
}

/* ------------------------------------------------------------------------ */
/* The TSV loader                                                            */

typedef struct tsv_load {
    const char           *source;
    ks_glossary_diag_cb   diag;
    void                 *diag_ctx;
    ks_glossary_report_t *rep;
} tsv_load_t;

static void diagf(tsv_load_t *L, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diagf(tsv_load_t *L, size_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (!L->diag)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->diag(L->diag_ctx, L->source, line, msg);
}

static void trim(const char **s, size_t *n)
{
    while (*n && is_space((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Split line[0..n) at TABs; returns the number of fields, or TSV_MAX_FIELDS+1
 * if there are more than TSV_MAX_FIELDS. */
static size_t split_tabs(const char *line, size_t n, const char **f, size_t *flen)
{
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || line[i] == '\t') {
            if (nf == TSV_MAX_FIELDS)
                return TSV_MAX_FIELDS + 1;
            f[nf] = line + start;
            flen[nf] = i - start;
            nf++;
            start = i + 1;
        }
    }
    return nf;
}

/* The header line names each column's language; -1 marks a column that is
 * not a language. Returns 1 if every field is a language, each at most once. */
static int parse_header(const char **f, const size_t *flen, size_t nf, int *cols)
{
    int seen[KS_LANG_COUNT] = { 0 };
    for (size_t i = 0; i < nf; i++) {
        const char *s = f[i];
        size_t n = flen[i];
        trim(&s, &n);
        int lang = ks_glossary_lang_from_code(s, n);
        if (lang < 0 || seen[lang])
            return 0;
        seen[lang] = 1;
        cols[i] = lang;
    }
    return nf > 0;
}

/* One data line: returns KS_GLOSSARY_OK also when the line was skipped. */
static ks_glossary_status_t tsv_line(ks_glossary_t *g, ka_analyzer_t *a, tsv_load_t *L,
                                     size_t lineno, const char **f, const size_t *flen,
                                     size_t nf, const int *cols, size_t ncols)
{
    ks_glossary_spelling_t sp[KS_GLOSSARY_MAX_SPELLINGS];
    enum spelling_result res[KS_GLOSSARY_MAX_SPELLINGS];
    size_t nsp = 0, added = 0;
    char q[DIAG_QUOTE_BYTES * 2];

    if (nf != ncols) {
        diagf(L, lineno, "expected %zu TAB-separated columns, found %s%zu; line skipped",
              ncols, nf > TSV_MAX_FIELDS ? "more than " : "",
              nf > TSV_MAX_FIELDS ? (size_t)TSV_MAX_FIELDS : nf);
        L->rep->skipped++;
        return KS_GLOSSARY_OK;
    }
    for (size_t i = 0; i < nf; i++) {
        const char *cell = f[i];
        size_t cell_len = flen[i];
        trim(&cell, &cell_len);
        if (cols[i] < 0 || cell_len == 0)
            continue;
        size_t start = 0;
        for (size_t k = 0; k <= cell_len; k++) {
            if (k < cell_len && cell[k] != '|')
                continue;
            const char *s = cell + start;
            size_t n = k - start;
            start = k + 1;
            trim(&s, &n);
            if (n == 0) {
                diagf(L, lineno, "empty spelling in column %zu (%s)", i + 1,
                      lang_codes[cols[i]]);
                L->rep->warnings++;
                continue;
            }
            if (nsp == KS_GLOSSARY_MAX_SPELLINGS) {
                diagf(L, lineno, "more than %u spellings in one concept; line skipped",
                      KS_GLOSSARY_MAX_SPELLINGS);
                L->rep->skipped++;
                return KS_GLOSSARY_OK;
            }
            sp[nsp].lang = (ks_glossary_lang_t)cols[i];
            sp[nsp].text = s;
            sp[nsp].len = n;
            nsp++;
        }
    }
    if (nsp == 0) {
        diagf(L, lineno, "no spelling in any column; line skipped");
        L->rep->skipped++;
        return KS_GLOSSARY_OK;
    }
    ks_glossary_status_t st = add_concept_ex(g, a, sp, nsp, res, &added);
    if (st != KS_GLOSSARY_OK)
        return st;
    for (size_t i = 0; i < nsp; i++) {
        if (res[i] != SP_NO_WORDS && res[i] != SP_TOO_MANY_WORDS)
            continue;                         /* duplicates are expected (ZWNJ and joined forms) */
        quote(q, sizeof q, sp[i].text, sp[i].len);
        if (res[i] == SP_NO_WORDS)
            diagf(L, lineno, "spelling \"%s\" (%s) has no words; dropped", q,
                  lang_codes[sp[i].lang]);
        else
            diagf(L, lineno, "spelling \"%s\" (%s) has more than %u words; dropped", q,
                  lang_codes[sp[i].lang], KS_GLOSSARY_MAX_TERMS);
        L->rep->warnings++;
    }
    if (added == 0) {
        diagf(L, lineno, "no usable spelling; line skipped");
        L->rep->skipped++;
        return KS_GLOSSARY_OK;
    }
    L->rep->concepts++;
    L->rep->variants += added;
    return KS_GLOSSARY_OK;
}

ks_glossary_status_t ks_glossary_add_tsv(ks_glossary_t *g, ka_analyzer_t *a,
                                         const char *source, const char *buf, size_t len,
                                         ks_glossary_diag_cb diag, void *diag_ctx,
                                         ks_glossary_report_t *report)
{
    ks_glossary_report_t local;
    tsv_load_t L;
    const char *f[TSV_MAX_FIELDS];
    size_t flen[TSV_MAX_FIELDS];
    int cols[TSV_MAX_FIELDS];
    size_t ncols = 0, pos = 0, lineno = 0;
    int have_header = 0;

    if (!report)
        report = &local;
    memset(report, 0, sizeof *report);
    if (!g || !a || (!buf && len))
        return KS_GLOSSARY_ERR_ARG;
    L.source = source ? source : "glossary";
    L.diag = diag;
    L.diag_ctx = diag_ctx;
    L.rep = report;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        report->lines++;
        if (n && line[n - 1] == '\r')
            n--;
        if (n > KS_GLOSSARY_MAX_LINE) {
            diagf(&L, lineno, "line longer than %u bytes; skipped", KS_GLOSSARY_MAX_LINE);
            report->skipped++;
            continue;
        }
        const char *t = line;
        size_t tn = n;
        trim(&t, &tn);
        if (tn == 0 || line[0] == '#')
            continue;
        if (!utf8_valid(line, n)) {
            diagf(&L, lineno, "invalid UTF-8 (or a NUL byte); line skipped");
            report->skipped++;
            continue;
        }
        size_t nf = split_tabs(line, n, f, flen);
        if (!have_header) {
            have_header = 1;
            if (nf <= TSV_MAX_FIELDS && parse_header(f, flen, nf, cols)) {
                ncols = nf;
                continue;
            }
            diagf(&L, lineno, "expected a header naming the columns' languages "
                  "(fa<TAB>ru<TAB>en); assuming fa, ru, en");
            report->warnings++;
            for (size_t i = 0; i < KS_LANG_COUNT; i++)
                cols[i] = (int)i;
            ncols = KS_LANG_COUNT;
        }
        ks_glossary_status_t st = tsv_line(g, a, &L, lineno, f, flen, nf, cols, ncols);
        if (st != KS_GLOSSARY_OK)
            return st;
    }
    return KS_GLOSSARY_OK;
}

/* ------------------------------------------------------------------------ */
/* Matching                                                                  */

typedef struct cand {
    size_t   concept;
    size_t   variant;             /* global index */
    unsigned flags;
} cand_t;

/* Whether a stem ("Z" + stem) is long enough to match through: at least
 * GLOSSARY_MIN_STEM_CHARS characters after the prefix. */
static int stem_usable(const char *stem)
{
    size_t chars = 0;
    if (!stem || !stem[0])
        return 0;
    for (const unsigned char *p = (const unsigned char *)stem + 1; *p; p++)
        if ((*p & 0xC0) != 0x80)
            chars++;
    return chars >= GLOSSARY_MIN_STEM_CHARS;
}

/* Does variant v occur at terms[pos..)? KS_GLOSSARY_BY_STEM is set in *flags
 * if a stem was needed. */
static int variant_at(const variant_t *v, const char *const *terms, const char *const *stems,
                      size_t n, size_t pos, unsigned *flags)
{
    *flags = 0;
    if (v->nterms > n - pos)
        return 0;
    for (size_t k = 0; k < v->nterms; k++) {
        const char *t = terms[pos + k];
        if (t && strcmp(t, v->ptrs[k]) == 0)
            continue;
        const char *vs = v->ptrs[v->nterms + k];
        if (stems && vs && stems[pos + k] && strcmp(stems[pos + k], vs) == 0
            && stem_usable(vs)) {
            *flags |= KS_GLOSSARY_BY_STEM;
            continue;
        }
        return 0;
    }
    return 1;
}

static void consider(const ks_glossary_t *g, const slot_t *s, const char *const *terms,
                     const char *const *stems, size_t n, size_t pos,
                     cand_t *c, size_t *nc, size_t *best)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        const variant_t *v = &g->variants[s->ids[i]];
        unsigned flags;
        if (v->nterms < *best || !variant_at(v, terms, stems, n, pos, &flags))
            continue;
        if (v->nterms > *best) {
            *best = v->nterms;
            *nc = 0;
        }
        size_t j;
        for (j = 0; j < *nc; j++)
            if (c[j].concept == v->concept)
                break;
        if (j < *nc) {
            /* The concept is there already: keep its exact match if any. */
            if ((c[j].flags & KS_GLOSSARY_BY_STEM) && !(flags & KS_GLOSSARY_BY_STEM)) {
                c[j].variant = s->ids[i];
                c[j].flags = flags;
            }
            continue;
        }
        if (*nc == KS_GLOSSARY_MAX_SPAN_CONCEPTS)
            continue;
        c[*nc].concept = v->concept;
        c[*nc].variant = s->ids[i];
        c[*nc].flags = flags;
        (*nc)++;
    }
}

ks_glossary_status_t ks_glossary_match(const ks_glossary_t *g,
                                       const char *const *terms, const char *const *stems,
                                       size_t n, ks_glossary_match_cb cb, void *ctx)
{
    cand_t c[KS_GLOSSARY_MAX_SPAN_CONCEPTS];

    if (!g || !cb || (!terms && n))
        return KS_GLOSSARY_ERR_ARG;
    for (size_t pos = 0; pos < n;) {
        size_t nc = 0, best = 0;
        consider(g, slot_find(g, KEY_EXACT, terms[pos]), terms, stems, n, pos, c, &nc, &best);
        if (stems && stems[pos])
            consider(g, slot_find(g, KEY_STEM, stems[pos]), terms, stems, n, pos, c, &nc, &best);
        if (best == 0) {
            pos++;
            continue;
        }
        /* A stem match is a guess; when another concept matches the same
         * span exactly, the guess is dropped ("آلمان" is Germany, although
         * the Persian stemmer gives it the stem of "آلماتی"). */
        size_t exact = 0;
        for (size_t j = 0; j < nc; j++)
            if (!(c[j].flags & KS_GLOSSARY_BY_STEM))
                c[exact++] = c[j];
        if (exact)
            nc = exact;
        /* Exact matches first, each group in glossary order. */
        for (int pass = 0; pass < 2; pass++) {
            for (size_t j = 0; j < nc; j++) {
                int by_stem = (c[j].flags & KS_GLOSSARY_BY_STEM) != 0;
                if (by_stem != pass)
                    continue;
                ks_glossary_match_t m;
                m.start = pos;
                m.end = pos + best;
                m.concept = c[j].concept;
                m.variant = c[j].variant - g->concepts[c[j].concept].first;
                m.flags = c[j].flags;
                m.terms = terms;
                m.nterms = n;
                if (cb(ctx, &m) != 0)
                    return KS_GLOSSARY_OK;
            }
        }
        pos += best;
    }
    return KS_GLOSSARY_OK;
}

ks_glossary_status_t ks_glossary_match_text(const ks_glossary_t *g, ka_analyzer_t *a,
                                            const char *text, size_t len,
                                            ks_glossary_match_cb cb, void *ctx)
{
    collect_t c;
    const char **ptrs = NULL;
    ks_glossary_status_t st;

    if (!g || !a || !cb || (!text && len))
        return KS_GLOSSARY_ERR_ARG;
    memset(&c, 0, sizeof c);
    st = collect_run(&c, a, text, len, 0);
    if (st == KS_GLOSSARY_OK && c.n) {
        ptrs = malloc(2 * c.n * sizeof *ptrs);
        if (!ptrs)
            st = KS_GLOSSARY_ERR_NOMEM;
    }
    if (st == KS_GLOSSARY_OK && c.n) {
        for (size_t k = 0; k < c.n; k++) {
            ptrs[k] = c.buf + c.term_off[k];
            ptrs[c.n + k] = c.stem_off[k] == SIZE_MAX ? NULL : c.buf + c.stem_off[k];
        }
        st = ks_glossary_match(g, ptrs, ptrs + c.n, c.n, cb, ctx);
    }
    free(ptrs);
    collect_fini(&c);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Serialising                                                               */

typedef struct sbuf {
    char  *p;
    size_t len, cap;
    int    nomem;
} sbuf_t;

static void sb_put(sbuf_t *b, const char *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->cap - b->len < n + 1) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n + 1) {
            if (cap > SIZE_MAX / 2) {
                b->nomem = 1;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->nomem = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf_t *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

ks_glossary_status_t ks_glossary_to_tsv(const ks_glossary_t *g, char **out, size_t *out_len)
{
    sbuf_t b = { NULL, 0, 0, 0 };

    if (!g || !out)
        return KS_GLOSSARY_ERR_ARG;
    *out = NULL;
    sb_puts(&b, "fa\tru\ten\n");
    for (size_t ci = 0; ci < g->nconcepts; ci++) {
        const concept_t *cp = &g->concepts[ci];
        for (unsigned lang = 0; lang < KS_LANG_COUNT; lang++) {
            int first = 1;
            if (lang)
                sb_put(&b, "\t", 1);
            for (size_t j = cp->first; j < cp->first + cp->count; j++) {
                if ((unsigned)g->variants[j].lang != lang)
                    continue;
                if (!first)
                    sb_put(&b, " | ", 3);
                sb_puts(&b, g->variants[j].block);
                first = 0;
            }
        }
        sb_put(&b, "\n", 1);
    }
    if (b.nomem) {
        free(b.p);
        return KS_GLOSSARY_ERR_NOMEM;
    }
    *out = b.p;
    if (out_len)
        *out_len = b.len;
    return KS_GLOSSARY_OK;
}

/* ------------------------------------------------------------------------ */
/* The pre-analysed form                                                     */

#define ANALYSED_MAGIC "kavosh-glossary-analysed 1\n"

static int has_sep(const char *s)
{
    return strpbrk(s, "\t\n") != NULL;
}

/* Append concept ci in the pre-analysed form ("C" and its variant lines). */
static void concept_analysed(const ks_glossary_t *g, size_t ci, sbuf_t *b)
{
    const concept_t *cp = &g->concepts[ci];
    int opened = 0;
    for (size_t j = cp->first; j < cp->first + cp->count; j++) {
        const variant_t *v = &g->variants[j];
        int bad = has_sep(v->block);
        for (size_t k = 0; k < v->nterms && !bad; k++)
            bad = has_sep(v->ptrs[k]) || (v->ptrs[v->nterms + k] && has_sep(v->ptrs[v->nterms + k]));
        if (bad)
            continue;                     /* cannot be written; the analyzer never makes one */
        if (!opened) {
            sb_put(b, "C\n", 2);
            opened = 1;
        }
        char head[32];
        snprintf(head, sizeof head, "%u\t%zu\t", (unsigned)v->lang, v->nterms);
        sb_puts(b, head);
        sb_puts(b, v->block);
        for (size_t k = 0; k < v->nterms; k++) {
            sb_put(b, "\t", 1);
            sb_puts(b, v->ptrs[k]);
            sb_put(b, "\t", 1);
            if (v->ptrs[v->nterms + k])
                sb_puts(b, v->ptrs[v->nterms + k]);
        }
        sb_put(b, "\n", 1);
    }
}

ks_glossary_status_t ks_glossary_to_analysed(const ks_glossary_t *g, char **out, size_t *out_len)
{
    sbuf_t b = { NULL, 0, 0, 0 };

    if (!g || !out)
        return KS_GLOSSARY_ERR_ARG;
    *out = NULL;
    sb_puts(&b, ANALYSED_MAGIC);
    for (size_t ci = 0; ci < g->nconcepts; ci++)
        concept_analysed(g, ci, &b);
    if (b.nomem) {
        free(b.p);
        return KS_GLOSSARY_ERR_NOMEM;
    }
    *out = b.p;
    if (out_len)
        *out_len = b.len;
    return KS_GLOSSARY_OK;
}

ks_glossary_status_t ks_glossary_concept_to_analysed(const ks_glossary_t *g, size_t concept,
                                                     char **out, size_t *out_len)
{
    sbuf_t b = { NULL, 0, 0, 0 };
    if (!g || !out || concept >= g->nconcepts)
        return KS_GLOSSARY_ERR_ARG;
    *out = NULL;
    concept_analysed(g, concept, &b);
    sb_put(&b, "", 0);
    if (b.nomem) {
        free(b.p);
        return KS_GLOSSARY_ERR_NOMEM;
    }
    *out = b.p;
    if (out_len)
        *out_len = b.len;
    return KS_GLOSSARY_OK;
}

const char *ks_glossary_analysed_magic(void)
{
    return ANALYSED_MAGIC;
}

/* Close the concept of variants [first, g->nvariants) and index them. */
static ks_glossary_status_t concept_close(ks_glossary_t *g, size_t first)
{
    if (g->nvariants == first)
        return KS_GLOSSARY_OK;
    concept_t *cs = kd_vec_grow(g->concepts, &g->cap_concepts, g->nconcepts + 1, sizeof *cs, 128);
    if (!cs)
        return KS_GLOSSARY_ERR_NOMEM;
    g->concepts = cs;
    g->concepts[g->nconcepts].first = first;
    g->concepts[g->nconcepts].count = g->nvariants - first;
    g->nconcepts++;
    for (size_t j = first; j < g->nvariants; j++) {
        const variant_t *v = &g->variants[j];
        if (slot_add(g, KEY_EXACT, v->ptrs[0], j) != 0)
            return KS_GLOSSARY_ERR_NOMEM;
        if (v->ptrs[v->nterms] && slot_add(g, KEY_STEM, v->ptrs[v->nterms], j) != 0)
            return KS_GLOSSARY_ERR_NOMEM;
    }
    return KS_GLOSSARY_OK;
}

int ks_glossary_is_analysed(const char *buf, size_t len)
{
    size_t m = strlen(ANALYSED_MAGIC);
    return buf && len >= m && memcmp(buf, ANALYSED_MAGIC, m) == 0;
}

ks_glossary_status_t ks_glossary_add_analysed(ks_glossary_t *g, const char *buf, size_t len)
{
    if (!g || !ks_glossary_is_analysed(buf, len))
        return KS_GLOSSARY_ERR_ARG;
    size_t pos = strlen(ANALYSED_MAGIC), first = g->nvariants;
    collect_t c;
    ks_glossary_status_t st = KS_GLOSSARY_OK;
    memset(&c, 0, sizeof c);
    /* Size the variant array once, from the line count. */
    size_t lines = 0;
    for (const char *q = buf + pos; (q = memchr(q, '\n', len - (size_t)(q - buf))) != NULL; q++)
        lines++;
    if (lines > KS_GLOSSARY_MAX_VARIANTS)
        lines = KS_GLOSSARY_MAX_VARIANTS;
    if (g->nvariants + lines > g->cap_variants) {
        variant_t *v = realloc(g->variants, (g->nvariants + lines) * sizeof *v);
        if (v) {
            g->variants = v;
            g->cap_variants = g->nvariants + lines;
        }
    }

    while (pos < len && st == KS_GLOSSARY_OK) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        if (n == 1 && line[0] == 'C') {
            st = concept_close(g, first);
            first = g->nvariants;
            continue;
        }
        /* lang TAB nterms TAB text (TAB term TAB stem){nterms} */
        const char *f[3 + 2 * KS_GLOSSARY_MAX_TERMS];
        size_t fl[3 + 2 * KS_GLOSSARY_MAX_TERMS], nf = 0, start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && line[i] != '\t')
                continue;
            if (nf == sizeof f / sizeof f[0]) {
                st = KS_GLOSSARY_ERR_ARG;
                break;
            }
            f[nf] = line + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
        if (st != KS_GLOSSARY_OK)
            break;
        if (nf < 5 || fl[0] != 1 || (unsigned)(f[0][0] - '0') >= KS_LANG_COUNT) {
            st = KS_GLOSSARY_ERR_ARG;
            break;
        }
        size_t nt = 0;
        for (size_t i = 0; i < fl[1] && i < 3; i++) {
            if (f[1][i] < '0' || f[1][i] > '9') {
                nt = 0;
                break;
            }
            nt = nt * 10 + (size_t)(f[1][i] - '0');
        }
        if (nt == 0 || nt > KS_GLOSSARY_MAX_TERMS || nf != 3 + 2 * nt || fl[3] == 0 ||
            g->nvariants >= KS_GLOSSARY_MAX_VARIANTS || !utf8_valid(line, n)) {
            st = KS_GLOSSARY_ERR_ARG;
            break;
        }
        collect_reset(&c, 0);
        if (c.cap_n < nt) {
            size_t *t = realloc(c.term_off, KS_GLOSSARY_MAX_TERMS * sizeof *t);
            if (t)
                c.term_off = t;
            size_t *s = t ? realloc(c.stem_off, KS_GLOSSARY_MAX_TERMS * sizeof *s) : NULL;
            if (s)
                c.stem_off = s;
            if (!t || !s) {
                st = KS_GLOSSARY_ERR_NOMEM;
                break;
            }
            c.cap_n = KS_GLOSSARY_MAX_TERMS;
        }
        for (size_t k = 0; k < nt && st == KS_GLOSSARY_OK; k++) {
            const char *term = f[3 + 2 * k], *stem = f[4 + 2 * k];
            size_t tl = fl[3 + 2 * k], sl = fl[4 + 2 * k];
            if (tl == 0 || collect_bytes(&c, term, tl, &c.term_off[k]) != 0) {
                st = tl == 0 ? KS_GLOSSARY_ERR_ARG : KS_GLOSSARY_ERR_NOMEM;
                break;
            }
            c.stem_off[k] = SIZE_MAX;
            if (sl && collect_bytes(&c, stem, sl, &c.stem_off[k]) != 0)
                st = KS_GLOSSARY_ERR_NOMEM;
            c.n++;
        }
        if (st == KS_GLOSSARY_OK &&
            variant_push(g, (ks_glossary_lang_t)(f[0][0] - '0'), f[2], fl[2], &c) != 0)
            st = KS_GLOSSARY_ERR_NOMEM;
    }
    if (st == KS_GLOSSARY_OK)
        st = concept_close(g, first);
    collect_fini(&c);
    if (st != KS_GLOSSARY_OK) {
        /* Variants of an unfinished concept are dropped; whole concepts stay. */
        size_t keep = g->nconcepts ? g->concepts[g->nconcepts - 1].first +
                                         g->concepts[g->nconcepts - 1].count : 0;
        while (g->nvariants > keep)
            variant_free(&g->variants[--g->nvariants]);
    }
    return st;
}

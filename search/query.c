/*
 * query.c - the query language of kavosh-search.
 *
 *   words            ranked OR of the words; a run of plain words is analysed
 *                    as one text, so Persian compounds typed with a space
 *                    also match their joined form (the analyzer's joined tokens)
 *   "a phrase"       the words adjacent and in order
 *   +word  -word     required / excluded (also before "phrases", (groups) and fields)
 *   a AND b, a OR b, a NOT b, ( ... )
 *                    boolean operators (upper case); AND and NOT bind tighter than OR
 *   prefix*          every word starting with prefix
 *   lang:fa  section:WORDS  source:ID  cites:ID  year:1390..1400
 *                    filters: they restrict, they do not rank
 *
 * The parser is a small recursive descent over a hand-written lexer. It
 * never trusts the input: unbalanced quotes and parentheses, dangling
 * operators and empty groups are reported with the character position.
 */
#include "query.h"
#include "wordset.h"
#include "strbuf.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "utf8.h"

/* How many terms a prefix* may expand to: enough for any real prefix, and a
 * bound on the work a one-letter prefix can cause. */
#define KS_WILDCARD_MAX_EXPANSION 200
/* Deepest nesting of parentheses accepted, so that no query can exhaust the stack. */
#define KS_MAX_DEPTH 64
/* The work budget of one query. Every word becomes several Xapian terms
 * (exact form, stem, joined pair, transliteration, splits, glossary
 * equivalents) and every prefix* up to KS_WILDCARD_MAX_EXPANSION: a 4 KiB
 * query of 363 repeats of a word or 1,365 one-letter prefixes took seconds
 * and hundreds of MB. Words and wildcards past these are not searched, and
 * the query's warning says so (ks_query_warning). A real query has a few
 * words and at most a couple of wildcards. */
#define KS_MAX_QUERY_WORDS 64
#define KS_MAX_WILDCARDS 8
/* Glossary equivalents one query may add, over all its words: a concept
 * has a few spellings in three languages (the bundled lexicon's largest
 * has a few dozen), so a real query adds tens; 64 words of the largest
 * concepts would add thousands of phrase queries. */
#define KS_MAX_EXPANSIONS 256

struct ks_query {
    kx_query_t *base;      /* the parsed query */
    kx_query_t *final;     /* base with the filters applied; rebuilt when filters change */
    char      **terms;     /* terms to highlight */
    size_t     *term_lens; /* their lengths: the snippet asks about every word of every hit */
    unsigned char *typed;  /* 1: the term comes from the words typed, 0: only from
                              glossary equivalents (highlighted only where one matched) */
    size_t      n_terms, cap_terms;
    uint32_t   *index;     /* open-addressed hash of terms: 1 + k, 0 empty; NULL: scan */
    size_t      index_cap; /* a power of two, at least twice n_terms */
    char      **filters;   /* boolean filter terms added with ks_query_add_filter */
    size_t      n_filters, cap_filters;
    struct expansion {
        char  *label;      /* "typed words => equivalent" */
        char **terms;      /* the equivalent's exact terms and stems */
        size_t *slot;      /* which word of the equivalent each term is */
        size_t n_terms, n_slots;
    } *exp;
    size_t      n_exp, cap_exp;
    char       *warning;   /* why the query was read as plain words, or NULL */
    /* Which of the query's words each term stands for (bit k: the k-th word
     * of KS_MAX_CONCEPTS), for ks_query_coverage; sorted by term when parsed. */
    struct cover {
        char    *term;
        uint64_t words;
    } *cover;
    size_t      n_cover, cap_cover;
    unsigned    n_concepts;   /* words with a bit */
    char      **cover_terms;  /* the cover's terms and words as two arrays (cover_finish) */
    uint64_t   *cover_words;
};

/* ---------------------------------------------------------------------- */
/* Lexer                                                                   */

typedef enum tok_kind {
    T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_AND, T_OR, T_NOT, T_FIELD, T_WILDCARD
} tok_kind_t;

typedef struct tok {
    tok_kind_t  kind;
    const char *s;       /* the token's text (for T_FIELD, the value) */
    size_t      len;
    const char *field;   /* T_FIELD: the field name */
    size_t      field_len;
    int         sign;    /* +1 required, -1 excluded, 0 neither */
    size_t      at;      /* byte offset in the query, for messages */
    int         space_before;
} tok_t;

typedef struct parser {
    ka_analyzer_t *an;
    kx_db_t       *db;
    const ks_glossary_t *glossary;
    ka_translit_t *translit;
    ks_query_t    *q;
    const char    *text;
    size_t         len, i;
    tok_t          tok;      /* current token */
    int            depth;
    int            plain;    /* fallback level: 0 the full syntax, 1 AND/OR/NOT are
                                words, 2 quotes, parentheses and stray signs too */
    int            op_error; /* the failure is a misplaced operator, which a
                                plainer reading may get past */
    size_t         words, words_cut;          /* the budget: words analysed, and dropped */
    size_t         wildcards, wildcards_cut;  /* prefix* searched, and dropped */
    size_t         expansions, expansions_cut; /* glossary equivalents added, and dropped */
    ks_query_status_t st;
    char           err[256];
    char           unknown[320];  /* an unknown source:/cites: id, for the warning */
    double         ndocs;    /* passages in the index, for evidence weights (0: not read yet) */
    uint64_t       words_now;  /* the query words the terms being made stand for */
    ks_memo_t     *memo;     /* the batch's memo of index reads, or NULL */
} parser_t;

/* Messages quote the query, which may be any bytes, and snprintf may cut a
 * character: every byte that is not part of valid UTF-8 becomes '?', so a
 * message is always valid UTF-8 (a JSON record of it cannot fail). */
static void utf8_repair(char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = ki_utf8_seq(u + i, n - i);
        if (k == 0) {
            s[i++] = '?';
            continue;
        }
        i += k;
    }
}

static void fail(parser_t *p, ks_query_status_t st, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(parser_t *p, ks_query_status_t st, size_t at, const char *fmt, ...)
{
    if (p->st != KS_QUERY_OK)
        return;
    p->st = st;
    va_list ap;
    va_start(ap, fmt);
    char msg[200];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Positions are given in characters, as a user counts them. */
    size_t chars = 0;
    for (size_t k = 0; k < at && k < p->len; k++)
        if (((unsigned char)p->text[k] & 0xC0) != 0x80)
            chars++;
    snprintf(p->err, sizeof p->err, "%s at character %zu", msg, chars + 1);
    utf8_repair(p->err);
}

/* A syntax error made by an operator (AND, OR, NOT, a sign, a quote, a
 * parenthesis): the query is then read again with the operators as words. */
static void op_fail(parser_t *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void op_fail(parser_t *p, size_t at, const char *fmt, ...)
{
    if (p->st != KS_QUERY_OK)
        return;
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fail(p, KS_QUERY_SYNTAX, at, "%s", msg);
    p->op_error = 1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_delim(unsigned char c)
{
    return is_space(c) || c == '(' || c == ')' || c == '"' || c == '\0';
}

static int field_known(const char *f, size_t n)
{
    static const char *const fields[] = { "lang", "section", "source", "cites", "year" };
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++)
        if (strlen(fields[k]) == n && memcmp(fields[k], f, n) == 0)
            return 1;
    return 0;
}

static void next(parser_t *p)
{
    tok_t t = { .kind = T_END };
    size_t start = p->i;
    /* At fallback level 2 quotes and parentheses separate words, no more. */
    while (p->i < p->len && (is_space((unsigned char)p->text[p->i]) ||
                             (p->plain >= 2 && (p->text[p->i] == '"' || p->text[p->i] == '(' ||
                                                p->text[p->i] == ')'))))
        p->i++;
    t.space_before = p->i > start || p->i == 0;
    t.at = p->i;
    if (p->i >= p->len) {
        p->tok = t;
        return;
    }
    const char *s = p->text;
    if (s[p->i] == '+' || s[p->i] == '-') {
        /* A sign only counts at the start of a word and directly before it.
         * One standing alone between words is punctuation ("a - b"); one
         * ending the query is an operator left dangling. */
        if (t.space_before && p->i + 1 < p->len && !is_space((unsigned char)s[p->i + 1])) {
            t.sign = s[p->i] == '+' ? 1 : -1;
            p->i++;
        } else if (t.space_before && p->i + 1 >= p->len && p->plain < 2) {
            op_fail(p, p->i, "nothing after '%c'", s[p->i]);
            p->tok = t;
            return;
        }
    }
    char c = s[p->i];
    if (c == '(' || c == ')') {
        t.kind = c == '(' ? T_LPAREN : T_RPAREN;
        t.s = s + p->i;
        t.len = 1;
        p->i++;
    } else if (c == '"') {
        size_t open = p->i++;
        size_t b = p->i;
        while (p->i < p->len && s[p->i] != '"')
            p->i++;
        if (p->i >= p->len) {
            op_fail(p, open, "unbalanced quote");
            t.kind = T_END;
        } else {
            t.kind = T_PHRASE;
            t.s = s + b;
            t.len = p->i - b;
            p->i++;
        }
    } else {
        size_t b = p->i;
        while (p->i < p->len && !is_delim((unsigned char)s[p->i]))
            p->i++;
        t.s = s + b;
        t.len = p->i - b;
        const char *colon = memchr(t.s, ':', t.len);
        int ops = !t.sign && !p->plain;
        if (ops && t.len == 3 && memcmp(t.s, "AND", 3) == 0)
            t.kind = T_AND;
        else if (ops && t.len == 2 && memcmp(t.s, "OR", 2) == 0)
            t.kind = T_OR;
        else if (ops && t.len == 3 && memcmp(t.s, "NOT", 3) == 0)
            t.kind = T_NOT;
        else if (colon && field_known(t.s, (size_t)(colon - t.s))) {
            t.kind = T_FIELD;
            t.field = t.s;
            t.field_len = (size_t)(colon - t.s);
            t.s = colon + 1;
            t.len = (size_t)(s + p->i - t.s);
            /* section:"several words" */
            if (t.len == 0 && p->i < p->len && s[p->i] == '"' && p->plain < 2) {
                size_t open = p->i++;
                size_t b2 = p->i;
                while (p->i < p->len && s[p->i] != '"')
                    p->i++;
                if (p->i >= p->len)
                    op_fail(p, open, "unbalanced quote");
                t.s = s + b2;
                t.len = p->i - b2;
                if (p->i < p->len)
                    p->i++;
            }
            if (t.len == 0)
                fail(p, KS_QUERY_SYNTAX, t.at, "field %.*s: has no value", (int)t.field_len, t.field);
        } else if (t.len > 1 && t.s[t.len - 1] == '*') {
            t.kind = T_WILDCARD;
            t.len--;
        } else {
            t.kind = T_WORD;
        }
    }
    p->tok = t;
}

/* ---------------------------------------------------------------------- */
/* Building blocks                                                         */

/* The terms are looked up for every word of every hit's passage (the
 * snippets) and for every term added: a hash, not a scan. */
static uint32_t term_hash(const char *s, size_t len)
{
    return ka_hash_bytes(s, len, 0);
}

/* 1 + the index of term[0..len) among q's terms, or 0. */
static size_t find_term(const ks_query_t *q, const char *term, size_t len)
{
    if (!q->index) {
        for (size_t k = 0; k < q->n_terms; k++)
            if (q->term_lens[k] == len && memcmp(q->terms[k], term, len) == 0)
                return k + 1;
        return 0;
    }
    size_t mask = q->index_cap - 1;
    for (size_t i = term_hash(term, len) & mask; q->index[i]; i = (i + 1) & mask) {
        size_t k = q->index[i] - 1;
        if (q->term_lens[k] == len && memcmp(q->terms[k], term, len) == 0)
            return k + 1;
    }
    return 0;
}

/* Enter term k (already in q->terms) into the hash, growing it to stay at
 * most half full. Without memory the hash is dropped and lookups scan. */
static void index_term(ks_query_t *q, size_t k)
{
    if ((q->n_terms + 1) * 2 > q->index_cap) {
        size_t cap = q->index_cap ? q->index_cap * 2 : 64;
        uint32_t *ni = calloc(cap, sizeof *ni);
        free(q->index);
        q->index = ni;
        q->index_cap = ni ? cap : 0;
        if (!ni)
            return;
        for (size_t j = 0; j < k; j++) {
            size_t i = term_hash(q->terms[j], q->term_lens[j]) & (cap - 1);
            while (ni[i])
                i = (i + 1) & (cap - 1);
            ni[i] = (uint32_t)j + 1;
        }
    }
    if (!q->index)
        return;
    size_t mask = q->index_cap - 1;
    size_t i = term_hash(q->terms[k], q->term_lens[k]) & mask;
    while (q->index[i])
        i = (i + 1) & mask;
    q->index[i] = (uint32_t)k + 1;
}

static int remember_term_as(ks_query_t *q, const char *term, int typed)
{
    size_t found = find_term(q, term, strlen(term));
    if (found) {
        q->typed[found - 1] |= (unsigned char)typed;
        return 0;
    }
    if (q->n_terms == q->cap_terms) {
        size_t cap = q->cap_terms ? q->cap_terms * 2 : 16;
        char **nt = realloc(q->terms, cap * sizeof *nt);
        if (!nt)
            return -1;
        q->terms = nt;
        size_t *nl = realloc(q->term_lens, cap * sizeof *nl);
        if (!nl)
            return -1;
        q->term_lens = nl;
        unsigned char *nty = realloc(q->typed, cap);
        if (!nty)
            return -1;
        q->typed = nty;
        q->cap_terms = cap;
    }
    if (!(q->terms[q->n_terms] = strdup(term)))
        return -1;
    q->term_lens[q->n_terms] = strlen(term);
    q->typed[q->n_terms] = (unsigned char)typed;
    if (q->n_terms == 0 || q->index)
        index_term(q, q->n_terms);
    q->n_terms++;
    return 0;
}

/* A term of the words typed. */
static int remember_term(ks_query_t *q, const char *term)
{
    return remember_term_as(q, term, 1);
}

static kx_query_t *combine(parser_t *p, kx_query_op_t op, kx_query_t **subs, size_t n,
                           unsigned window)
{
    kx_query_t *out = NULL;
    if (p->st != KS_QUERY_OK)
        return NULL;
    if (kx_query_combine(op, subs, n, window, &out) != KX_OK) {
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
        return NULL;
    }
    return out;
}

static int cover_add(ks_query_t *q, const char *term, uint64_t words);

static kx_query_t *term_query(parser_t *p, const char *term, unsigned pos, double scale)
{
    kx_query_t *t = NULL, *s = NULL;
    if (p->st != KS_QUERY_OK)
        return NULL;
    if (p->words_now && cover_add(p->q, term, p->words_now) != 0) {
        fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        return NULL;
    }
    if (kx_query_term(term, 1, pos, &t) != KX_OK) {
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
        return NULL;
    }
    if (scale == 1.0)
        return t;
    if (kx_query_scale(t, scale, &s) != KX_OK)
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
    kx_query_free(t);
    return s;
}

/* Note that term stands for the query words in words (merged by term when
 * the parse ends: cover_finish). */
static int cover_add(ks_query_t *q, const char *term, uint64_t words)
{
    if (q->n_cover > 0 && strcmp(q->cover[q->n_cover - 1].term, term) == 0) {
        q->cover[q->n_cover - 1].words |= words;
        return 0;
    }
    struct cover *nc = kd_vec_grow(q->cover, &q->cap_cover, q->n_cover + 1, sizeof *nc, 16);
    if (!nc)
        return -1;
    q->cover = nc;
    if ((q->cover[q->n_cover].term = strdup(term)) == NULL)
        return -1;
    q->cover[q->n_cover++].words = words;
    return 0;
}

static int cover_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cover *)a)->term, ((const struct cover *)b)->term);
}

/* Sort the cover by term and merge a term's entries. */
static void cover_finish(ks_query_t *q)
{
    if (q->n_cover == 0)
        return;
    qsort(q->cover, q->n_cover, sizeof *q->cover, cover_cmp);
    size_t w = 0;
    for (size_t r = 1; r < q->n_cover; r++) {
        if (strcmp(q->cover[r].term, q->cover[w].term) == 0) {
            q->cover[w].words |= q->cover[r].words;
            free(q->cover[r].term);
        } else {
            q->cover[++w] = q->cover[r];
        }
    }
    q->n_cover = w + 1;
    q->cover_terms = malloc(q->n_cover * sizeof *q->cover_terms);
    q->cover_words = malloc(q->n_cover * sizeof *q->cover_words);
    if (!q->cover_terms || !q->cover_words) {
        free(q->cover_terms);
        free(q->cover_words);
        q->cover_terms = NULL;   /* no coverage: ks_query_cover says 0 */
        q->cover_words = NULL;
        return;
    }
    for (size_t k = 0; k < q->n_cover; k++) {
        q->cover_terms[k] = q->cover[k].term;
        q->cover_words[k] = q->cover[k].words;
    }
}

/* A new query word for the coverage (bit), or 0 past KS_MAX_CONCEPTS. */
static uint64_t new_concept(parser_t *p)
{
    if (p->q->n_concepts >= KS_MAX_CONCEPTS)
        return 0;
    return (uint64_t)1 << p->q->n_concepts++;
}

/* A stem ("Z" + its letters) as a query: the index holds no stem term for
 * a word whose stem is the word itself (indexer/passage_doc.c), so the stem
 * term and the exact term of the same letters are matched as one term
 * (Xapian's synonym: their wdfs add up to what the stem term alone had). */
static kx_query_t *stem_query(parser_t *p, const char *stem, unsigned pos, double scale)
{
    size_t zl = sizeof KA_PREFIX_STEM - 1;
    if (strncmp(stem, KA_PREFIX_STEM, zl) != 0 || !stem[zl])
        return term_query(p, stem, pos, scale);
    kx_query_t *pair[2] = { term_query(p, stem, pos, 1.0), term_query(p, stem + zl, pos, 1.0) };
    kx_query_t *syn = NULL, *out = NULL;
    if (pair[0] && pair[1] && kx_query_combine(KX_OP_SYNONYM, pair, 2, 0, &syn) != KX_OK)
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
    kx_query_free(pair[0]);
    kx_query_free(pair[1]);
    if (!syn || scale == 1.0)
        return syn;
    if (kx_query_scale(syn, scale, &out) != KX_OK)
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
    kx_query_free(syn);
    return out;
}

/* A growable list of owned subqueries. */
typedef struct qlist {
    kx_query_t **v;
    size_t       n, cap;
} qlist_t;

static void ql_push(parser_t *p, qlist_t *l, kx_query_t *q)
{
    if (!q)
        return;
    kx_query_t **nv = kd_vec_grow(l->v, &l->cap, l->n + 1, sizeof *nv, 8);
    if (!nv) {
        fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        kx_query_free(q);
        return;
    }
    l->v = nv;
    l->v[l->n++] = q;
}

static void ql_free(qlist_t *l)
{
    for (size_t k = 0; k < l->n; k++)
        kx_query_free(l->v[k]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* OR (or another op) of the list, consuming it; NULL for an empty list. */
static kx_query_t *ql_combine(parser_t *p, qlist_t *l, kx_query_op_t op, unsigned window)
{
    kx_query_t *out = NULL;
    if (l->n == 1 && op != KX_OP_PHRASE) {
        out = l->v[0];
        l->n = 0;
    } else if (l->n > 0) {
        out = combine(p, op, l->v, l->n, window);
    }
    ql_free(l);
    return out;
}

/* ---------------------------------------------------------------------- */
/* Analysed text                                                           */

typedef struct collected {
    parser_t *p;
    struct ctok {
        char       *term, *stem;
        unsigned    pos, flags;
        ka_script_t script;
        size_t      start, end;
        uint64_t    words;   /* text_query: the query words it stands for (bits) */
    } *v;
    size_t n, cap;
} collected_t;

static int collect(void *ctx, const ka_token_t *tok)
{
    collected_t *c = ctx;
    struct ctok *nv = kd_vec_grow(c->v, &c->cap, c->n + 1, sizeof *nv, 16);
    if (!nv)
        return 1;
    c->v = nv;
    struct ctok *t = &c->v[c->n];
    t->term = strdup(tok->term);
    t->stem = tok->stem ? strdup(tok->stem) : NULL;
    t->pos = tok->pos;
    t->flags = tok->flags;
    t->script = tok->script;
    t->start = tok->start;
    t->end = tok->end;
    t->words = 0;
    if (!t->term || (tok->stem && !t->stem)) {
        free(t->term);
        free(t->stem);
        return 1;
    }
    c->n++;
    return 0;
}

static void collected_free(collected_t *c)
{
    for (size_t k = 0; k < c->n; k++) {
        free(c->v[k].term);
        free(c->v[k].stem);
    }
    free(c->v);
}

static int analyse_all(parser_t *p, const char *s, size_t len, collected_t *c)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    ka_status_t st = ka_analyze(p->an, KA_QUERY, s, len, collect, c);
    if (st != KA_OK) {
        fail(p, st == KA_STOPPED || st == KA_ERR_NOMEM ? KS_QUERY_NOMEM : KS_QUERY_FAILED,
             p->tok.at, "cannot analyse the query");
        return -1;
    }
    return 0;
}

/* Words typed (a run of words, a phrase, a prefix*): analysed within the
 * query's budget. */
static int analyse(parser_t *p, const char *s, size_t len, collected_t *c)
{
    if (analyse_all(p, s, len, c) != 0)
        return -1;
    /* The budget: the words past KS_MAX_QUERY_WORDS are dropped, with the
     * joined pair that would join the last kept word to the first dropped. */
    size_t keep = c->n;
    for (size_t k = 0; k < c->n; k++) {
        if (c->v[k].flags & KA_TOK_JOINED)
            continue;
        if (p->words >= KS_MAX_QUERY_WORDS) {
            if (keep == c->n) {
                keep = k;
                while (keep > 0 && (c->v[keep - 1].flags & KA_TOK_JOINED))
                    keep--;
            }
            p->words_cut++;
            continue;
        }
        p->words++;
    }
    for (size_t k = keep; k < c->n; k++) {
        free(c->v[k].term);
        free(c->v[k].stem);
    }
    c->n = keep;
    return 0;
}

/* One word: its exact form OR its stem. */
static kx_query_t *word_query(parser_t *p, const struct ctok *t, double weight)
{
    qlist_t alt = { 0 };
    if (remember_term(p->q, t->term) != 0)
        fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
    ql_push(p, &alt, term_query(p, t->term, t->pos, KS_WEIGHT_EXACT * weight));
    if (t->stem) {
        if (remember_term(p->q, t->stem) != 0)
            fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        ql_push(p, &alt, stem_query(p, t->stem, t->pos, KS_WEIGHT_STEM * weight));
    }
    return ql_combine(p, &alt, KX_OP_OR, 0);
}

/* Record an expansion for --explain: its label and terms. */
static int remember_expansion(ks_query_t *q, const char *from, const ks_glossary_variant_t *v)
{
    struct expansion *ne = kd_vec_grow(q->exp, &q->cap_exp, q->n_exp + 1, sizeof *ne, 8);
    if (!ne)
        return -1;
    q->exp = ne;
    struct expansion *e = &q->exp[q->n_exp];
    size_t ll = strlen(from) + strlen(v->text) + 16;
    e->label = malloc(ll);
    e->terms = calloc(2 * v->nterms, sizeof *e->terms);
    e->slot = calloc(2 * v->nterms, sizeof *e->slot);
    e->n_terms = 0;
    e->n_slots = v->nterms;
    if (!e->label || !e->terms || !e->slot) {
        free(e->label);
        free(e->terms);
        free(e->slot);
        return -1;
    }
    snprintf(e->label, ll, "%s => %s", from, v->text);
    q->n_exp++;
    for (size_t k = 0; k < v->nterms; k++) {
        if ((e->terms[e->n_terms] = strdup(v->terms[k])) != NULL)
            e->slot[e->n_terms++] = k;
        if (v->stems && v->stems[k] && (e->terms[e->n_terms] = strdup(v->stems[k])) != NULL)
            e->slot[e->n_terms++] = k;
    }
    return 0;
}

/* One glossary variant as a query: a single word as exact OR stem; several
 * words as their phrase, OR all their stems (stems carry no positions, and
 * the other language's inflection rarely matches the glossary's exactly). */
static kx_query_t *variant_query(parser_t *p, const ks_glossary_variant_t *v)
{
    qlist_t alt = { 0 }, seq = { 0 }, stems = { 0 };
    for (size_t k = 0; k < v->nterms; k++) {
        ql_push(p, &seq, term_query(p, v->terms[k], (unsigned)k + 1, 1.0));
        if (v->stems && v->stems[k])
            ql_push(p, &stems, stem_query(p, v->stems[k], (unsigned)k + 1, 1.0));
    }
    /* Highlight the equivalent's words, but not its stop words: «در» of
     * «پایگاه هوایی آمریکا در قرقیزستان» would light up everywhere. */
    collected_t c;
    if (analyse_all(p, v->text, strlen(v->text), &c) == 0) {
        for (size_t k = 0; k < c.n; k++) {
            if (c.v[k].flags & (KA_TOK_STOPWORD | KA_TOK_JOINED))
                continue;
            if (remember_term_as(p->q, c.v[k].term, 0) != 0 ||
                (c.v[k].stem && remember_term_as(p->q, c.v[k].stem, 0) != 0))
                fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        }
        collected_free(&c);
    }
    if (v->nterms == 1) {
        ql_push(p, &alt, ql_combine(p, &seq, KX_OP_OR, 0));
        ql_push(p, &alt, ql_combine(p, &stems, KX_OP_OR, 0));
    } else {
        ql_push(p, &alt, ql_combine(p, &seq, KX_OP_PHRASE, 0));
        if (stems.n == v->nterms)
            ql_push(p, &alt, ql_combine(p, &stems, KX_OP_AND, 0));
        else
            ql_free(&stems);
    }
    return ql_combine(p, &alt, KX_OP_OR, 0);
}

/* ---------------------------------------------------------------------- */
/* Evidence weights                                                        */

/* How many passages hold a term, through the batch's memo: -1 when it
 * cannot be read. */
static long db_term_freq(parser_t *p, const char *term)
{
    char key[KX_MAX_TERM_BYTES + 2];
    size_t tl = strlen(term), vl = 0;
    unsigned freq = 0;
    int memo = p->memo && tl + 1 < sizeof key;
    if (memo) {
        key[0] = 'f';
        memcpy(key + 1, term, tl);
        const void *v = ks_memo_get(p->memo, key, tl + 1, &vl);
        if (v && vl == sizeof freq) {
            memcpy(&freq, v, sizeof freq);
            return (long)freq;
        }
    }
    if (kx_db_term_freq(p->db, term, &freq) != KX_OK)
        return -1;
    if (memo)
        ks_memo_put(p->memo, key, tl + 1, &freq, sizeof freq);
    return (long)freq;
}

/* How many passages hold a term (0 when unknown). */
static double term_df(parser_t *p, const char *term)
{
    if (!p->db || !term)
        return 0;
    long freq = db_term_freq(p, term);
    return freq > 0 ? (double)freq : 0;
}

static double index_size(parser_t *p)
{
    if (p->ndocs == 0 && p->db) {
        kx_db_stats_t st;
        if (kx_db_stats(p->db, &st) == KX_OK)
            p->ndocs = st.doc_count;
    }
    return p->ndocs;
}

/* BM25's idf of a term held by df of n passages (Xapian's formula, kept
 * above a small floor so that ratios stay finite). */
static double idf(double df, double n)
{
    double v = log((n - df + 0.5) / (df + 0.5));
    return v > 0.05 ? v : 0.05;
}

/* Passages holding a sequence of words, estimated: the rarest word's count
 * (each word by its exact form or its stem). */
static double seq_df(parser_t *p, const char *const *terms, const char *const *stems, size_t n)
{
    double best = -1;
    for (size_t k = 0; k < n; k++) {
        double d = term_df(p, terms[k]);
        if (stems && stems[k]) {
            /* The stem term, and the exact term of its letters (stem_query):
             * at most the sum. */
            double ds = term_df(p, stems[k]);
            size_t zl = sizeof KA_PREFIX_STEM - 1;
            if (strncmp(stems[k], KA_PREFIX_STEM, zl) == 0 && stems[k][zl])
                ds += term_df(p, stems[k] + zl);
            if (ds > d)
                d = ds;
        }
        if (best < 0 || d < best)
            best = d;
    }
    return best < 0 ? 0 : best;
}

/* The weight of another form of a query word (its glossary equivalents, or
 * its transliteration key): when the typed form is in the index, the other
 * form's contribution is held at most to the typed form's (ratio of their
 * idfs, times cap), so that a passage with the typed word ranks first; when
 * the typed form is absent, the other form is all the evidence there is and
 * weighs absent_weight. Without an index, the fixed fallback. */
static double evidence_weight(parser_t *p, double df_typed, double df_other, double cap,
                              double absent_weight, double fallback)
{
    double n = index_size(p);
    if (!p->db || n <= 0)
        return fallback;
    if (df_typed <= 0)
        return absent_weight;
    if (df_other <= 0)
        return fallback;
    double r = idf(df_typed, n) / idf(df_other, n);
    return cap * (r < 1.0 ? r : 1.0);
}

typedef struct expander {
    parser_t  *p;
    qlist_t   *out;
    const char *text;       /* the analysed run, for labels */
    const char *const *stems;  /* the query's stems, beside the terms of a match */
    const uint64_t *wbits;     /* the query words (coverage bits) of each term */
    /* The span being gathered: every concept matching the same query words
     * adds its variants to one group (the gazetteer's «ایران» and the
     * lexicon's are one word's equivalents, not two pieces of evidence). */
    size_t      start, end;
    int         open;
    const char *const *terms;
    qlist_t     group;
    double      df_exp;
    char      **seen;       /* the variants in the group, terms joined by US */
    size_t      n_seen, cap_seen;
} expander_t;

/* The variant's terms joined by U+001F: the key that finds it again in
 * another concept. Malloc'd; NULL on OOM. */
static char *variant_key(const ks_glossary_variant_t *v)
{
    size_t len = 1;
    for (size_t k = 0; k < v->nterms; k++)
        len += strlen(v->terms[k]) + 1;
    char *key = malloc(len), *w = key;
    if (!key)
        return NULL;
    for (size_t k = 0; k < v->nterms; k++) {
        size_t l = strlen(v->terms[k]);
        memcpy(w, v->terms[k], l);
        w += l;
        *w++ = '\x1f';
    }
    *w = '\0';
    return key;
}

/* Whether the group holds the variant already; if not, it is noted. */
static int variant_seen(expander_t *x, const ks_glossary_variant_t *v)
{
    char *key = variant_key(v);
    if (!key) {
        fail(x->p, KS_QUERY_NOMEM, x->p->tok.at, "out of memory");
        return 1;
    }
    for (size_t i = 0; i < x->n_seen; i++)
        if (strcmp(x->seen[i], key) == 0) {
            free(key);
            return 1;
        }
    char **ns = kd_vec_grow(x->seen, &x->cap_seen, x->n_seen + 1, sizeof *ns, 8);
    if (!ns) {
        free(key);
        fail(x->p, KS_QUERY_NOMEM, x->p->tok.at, "out of memory");
        return 1;
    }
    x->seen = ns;
    x->seen[x->n_seen++] = key;
    return 0;
}

/* The gathered span's equivalents, as one weighted synonym group. */
static void expander_flush(expander_t *x)
{
    parser_t *p = x->p;
    if (!x->open)
        return;
    x->open = 0;
    for (size_t i = 0; i < x->n_seen; i++)
        free(x->seen[i]);
    x->n_seen = 0;
    /* The equivalents of one concept weigh as one term (Xapian's synonym
     * operator): a passage naming Iran three ways is not three times as
     * much about Iran, and a concept with many spellings must not outweigh
     * one with few. */
    kx_query_t *syn = ql_combine(p, &x->group, KX_OP_SYNONYM, 0);
    if (!syn)
        return;
    kx_query_t *scaled = NULL;
    double df_exp = x->df_exp, n_all = index_size(p);
    if (n_all > 0 && df_exp > n_all)
        df_exp = n_all;
    double df_typed = seq_df(p, x->terms + x->start, x->stems ? x->stems + x->start : NULL,
                             x->end - x->start);
    double w = evidence_weight(p, df_typed, df_exp, KS_WEIGHT_EXPANSION_CAP,
                               KS_WEIGHT_EXPANSION_ALONE, KS_WEIGHT_EXPANSION);
    if (kx_query_scale(syn, w, &scaled) != KX_OK)
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
    kx_query_free(syn);
    ql_push(p, x->out, scaled);
}

static int on_glossary_match(void *ctx, const ks_glossary_match_t *m)
{
    expander_t *x = ctx;
    parser_t *p = x->p;
    if (x->open && (m->start != x->start || m->end != x->end))
        expander_flush(x);
    if (!x->open) {
        x->open = 1;
        x->start = m->start;
        x->end = m->end;
        x->terms = m->terms;
        x->df_exp = 0;
    }
    char from[512] = "";
    size_t used = 0;
    for (size_t k = m->start; k < m->end && used < sizeof from - 1; k++) {
        int w = snprintf(from + used, sizeof from - used, "%s%s", k > m->start ? " " : "", m->terms[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    size_t n = ks_glossary_concept_size(p->glossary, m->concept);
    p->words_now = 0;
    for (size_t k = m->start; x->wbits && k < m->end; k++)
        p->words_now |= x->wbits[k];
    for (size_t i = 0; i < n && p->st == KS_QUERY_OK; i++) {
        if (i == m->variant)
            continue;
        ks_glossary_variant_t v;
        if (ks_glossary_variant(p->glossary, m->concept, i, &v) != KS_GLOSSARY_OK)
            continue;
        /* A variant that is the typed words themselves, or another form of
         * them (the same stems: «رژیم‌ها» for «رژیم»), adds nothing but
         * weight: the typed words' own stems find it already. */
        int same = v.nterms == m->end - m->start;
        for (size_t k = 0; same && k < v.nterms; k++) {
            const char *ts = x->stems ? x->stems[m->start + k] : NULL;
            same = strcmp(v.terms[k], m->terms[m->start + k]) == 0 ||
                   (ts && v.stems && v.stems[k] && strcmp(v.stems[k], ts) == 0);
        }
        if (same || variant_seen(x, &v))
            continue;
        if (p->expansions >= KS_MAX_EXPANSIONS) {
            p->expansions_cut++;
            continue;
        }
        p->expansions++;
        ql_push(p, &x->group, variant_query(p, &v));
        x->df_exp += seq_df(p, v.terms, v.stems, v.nterms);
        if (remember_expansion(p->q, from, &v) != 0)
            fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
    }
    return p->st != KS_QUERY_OK;
}

/* Add the glossary equivalents of the words of c to words. */
static void expand(parser_t *p, const collected_t *c, qlist_t *words)
{
    if (!p->glossary || c->n == 0)
        return;
    const char **terms = malloc(c->n * sizeof *terms);
    const char **stems = malloc(c->n * sizeof *stems);
    uint64_t *wbits = malloc(c->n * sizeof *wbits);
    size_t n = 0;
    if (!terms || !stems || !wbits) {
        fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
    } else {
        for (size_t k = 0; k < c->n; k++) {
            if (c->v[k].flags & KA_TOK_JOINED)
                continue;
            terms[n] = c->v[k].term;
            stems[n] = c->v[k].stem;
            wbits[n] = c->v[k].words;
            n++;
        }
        expander_t x = { .p = p, .out = words, .stems = stems, .wbits = wbits };
        if (ks_glossary_match(p->glossary, terms, stems, n, on_glossary_match, &x) != KS_GLOSSARY_OK)
            fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        expander_flush(&x);
        ql_free(&x.group);
        for (size_t i = 0; i < x.n_seen; i++)
            free(x.seen[i]);
        free(x.seen);
    }
    free(terms);
    free(stems);
    free(wbits);
}

/* The one word of text[0..len) as the analyzer makes it, or NULL if it is
 * not exactly one word. Malloc'd. */
static char *single_word(parser_t *p, const char *text, size_t len, int *stop)
{
    collected_t c;
    if (analyse_all(p, text, len, &c) != 0)
        return NULL;
    char *out = NULL;
    size_t words = 0;
    for (size_t k = 0; k < c.n; k++)
        if (!(c.v[k].flags & KA_TOK_JOINED))
            words++;
    if (words == 1 && c.n == 1) {
        out = c.v[0].term;
        *stop = (c.v[0].flags & KA_TOK_STOPWORD) != 0;
        c.v[0].term = NULL;
    }
    collected_free(&c);
    return out;
}

static int in_index(parser_t *p, const char *term)
{
    return db_term_freq(p, term) > 0;
}

/* A joined Persian word the text may write with a space: every split into
 * two words of the index, as a phrase («بینالمللی» -> "بین المللی"). The
 * halves are analysed again, so their terms come from the analyzer too. */
static void split_alternatives(parser_t *p, const struct ctok *t, qlist_t *out)
{
    if (!p->db || t->script != KA_SCRIPT_ARABIC || (t->flags & KA_TOK_JOINED))
        return;
    const char *w = t->term;
    size_t len = strlen(w), found = 0;
    /* Both halves at least two letters: one-letter splits are noise. */
    size_t first = 0, chars = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)w[i] & 0xC0) != 0x80 && ++chars == 3)
            first = i;
    for (size_t i = first; first && i < len && found < KS_MAX_SPLITS; i++) {
        if (((unsigned char)w[i] & 0xC0) == 0x80)
            continue;
        size_t rest = 0;
        for (size_t k = i; k < len; k++)
            rest += ((unsigned char)w[k] & 0xC0) != 0x80;
        if (rest < 2)
            break;
        int stop_a = 0, stop_b = 0;
        char *a = single_word(p, w, i, &stop_a);
        char *b = a ? single_word(p, w + i, len - i, &stop_b) : NULL;
        if (a && b && in_index(p, a) && in_index(p, b)) {
            kx_query_t *pair[2] = { term_query(p, a, 1, 1.0), term_query(p, b, 2, 1.0) };
            if (pair[0] && pair[1])
                ql_push(p, out, combine(p, KX_OP_PHRASE, pair, 2, 2));
            kx_query_free(pair[0]);
            kx_query_free(pair[1]);
            /* Highlight the halves, unless one is a stop word that would
             * light up everywhere. */
            if (!stop_a && !stop_b && (remember_term(p->q, a) != 0 || remember_term(p->q, b) != 0))
                fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
            found++;
        }
        free(a);
        free(b);
    }
}

/* Word k and the next query word, as a phrase: passages where the query's
 * words stand side by side rank above those where they are scattered (the
 * boost joined pairs gave when they were indexed). Not for stop words. */
static kx_query_t *adjacent_pair(parser_t *p, const collected_t *c, size_t k)
{
    const struct ctok *a = &c->v[k], *b = NULL;
    for (size_t i = k + 1; i < c->n; i++) {
        if (c->v[i].flags & KA_TOK_JOINED)
            continue;
        if (c->v[i].pos == a->pos + 1)
            b = &c->v[i];
        break;
    }
    if (!b || ((a->flags | b->flags) & KA_TOK_STOPWORD))
        return NULL;
    kx_query_t *pair[2] = { term_query(p, a->term, 1, 1.0), term_query(p, b->term, 2, 1.0) };
    kx_query_t *q = pair[0] && pair[1] ? combine(p, KX_OP_PHRASE, pair, 2, 2) : NULL;
    kx_query_free(pair[0]);
    kx_query_free(pair[1]);
    return q;
}

/* The index's keys near the transliteration key key[0..klen) into *near,
 * through the batch's memo (a walk of every index key with its first
 * class, for each query word). 0, or -1 when they cannot be read. */
static int near_keys(parser_t *p, ka_translit_near_set_t *near, const char *key, size_t klen)
{
    if (ka_translit_near_init(near, key, klen) != KA_OK)
        return -1;
    /* The memo's value: n, then per key its distance, frequency and term. */
    char mkey[KA_TRANSLIT_TERM_CAP + 1];
    mkey[0] = 'n';
    memcpy(mkey + 1, key, klen);
    size_t vl = 0;
    const unsigned char *v = p->memo ? ks_memo_get(p->memo, mkey, klen + 1, &vl) : NULL;
    if (v && vl >= sizeof(size_t)) {
        size_t n, at = sizeof n;
        memcpy(&n, v, sizeof n);
        for (size_t i = 0; i < n && i < KA_TRANSLIT_NEAR_MAX; i++) {
            memcpy(&near->dist[i], v + at, sizeof near->dist[i]);
            at += sizeof near->dist[i];
            memcpy(&near->freq[i], v + at, sizeof near->freq[i]);
            at += sizeof near->freq[i];
            size_t tl = strlen((const char *)v + at);
            memcpy(near->term[i], v + at, tl + 1);
            at += tl + 1;
        }
        near->n = n;
        return 0;
    }
    if (kx_db_all_terms(p->db, ka_translit_near_prefix(near), ka_translit_near_offer, near) !=
        KX_OK)
        return -1;
    if (p->memo) {
        unsigned char buf[sizeof(size_t) + KA_TRANSLIT_NEAR_MAX * (2 * sizeof(unsigned) +
                                                                   KA_TRANSLIT_TERM_CAP)];
        size_t at = 0;
        memcpy(buf, &near->n, sizeof near->n);
        at += sizeof near->n;
        for (size_t i = 0; i < near->n; i++) {
            memcpy(buf + at, &near->dist[i], sizeof near->dist[i]);
            at += sizeof near->dist[i];
            memcpy(buf + at, &near->freq[i], sizeof near->freq[i]);
            at += sizeof near->freq[i];
            size_t tl = strlen(near->term[i]);
            memcpy(buf + at, near->term[i], tl + 1);
            at += tl + 1;
        }
        ks_memo_put(p->memo, mkey, klen + 1, buf, at);
    }
    return 0;
}

/* The transliteration term of token k, the same function as the index's;
 * a query word counts as capitalised (a name), however it was typed. With
 * an index, the word's key is matched against the index's keys: the near
 * ones (ka_translit_near: one class apart in a long key) are OR'ed with it
 * as one synonym group, so the weight stays that of one term. The key of
 * the word's stem is tried too, when it differs (Tajiks ~ تاجیک, Рахмона ~
 * رحمان): an inflection can add a consonant to a name. */
static kx_query_t *translit_query(parser_t *p, const collected_t *c, size_t k)
{
    const struct ctok *t = &c->v[k];
    ka_token_t tok = { .term = t->term, .term_len = strlen(t->term), .stem = t->stem,
                       .stem_len = t->stem ? strlen(t->stem) : 0, .pos = t->pos,
                       .script = t->script, .flags = t->flags | KA_TOK_CAPITAL };
    char term[KA_TRANSLIT_TERM_CAP], sterm[KA_TRANSLIT_TERM_CAP];
    size_t n = 0, sn = 0;
    if (ka_translit_token_term(p->translit, &tok, term, sizeof term, &n) != KA_OK || n == 0 ||
        n >= KX_MAX_TERM_BYTES)
        return NULL;
    if (tok.stem && tok.stem_len > 1) {
        ka_token_t st = tok;
        st.term = tok.stem + 1;
        st.term_len = tok.stem_len - 1;
        if (ka_translit_token_term(p->translit, &st, sterm, sizeof sterm, &sn) != KA_OK ||
            sn >= KX_MAX_TERM_BYTES || (sn == n && memcmp(sterm, term, n) == 0))
            sn = 0;
    }
    ka_translit_near_set_t near[2];
    size_t sets = 0;
    for (int i = 0; i < 2; i++) {
        const char *key = i == 0 ? term : sterm;
        size_t klen = i == 0 ? n : sn;
        if (klen == 0)
            continue;
        if (!p->db || near_keys(p, &near[sets], key, klen) != 0)
            return term_query(p, term, t->pos, KS_WEIGHT_TRANSLIT);
        sets++;
    }
    qlist_t alts = { 0 };
    double df_keys = 0;   /* the passages the group reaches, as its weight sees them */
    for (size_t s = 0; s < sets; s++)
        for (size_t i = 0; i < near[s].n; i++) {
            int dup = 0;
            for (size_t r = 0; r < s && !dup; r++)
                for (size_t j = 0; j < near[r].n && !dup; j++)
                    dup = strcmp(near[r].term[j], near[s].term[i]) == 0;
            if (!dup) {
                ql_push(p, &alts, term_query(p, near[s].term[i], t->pos, 1.0));
                df_keys += near[s].freq[i];
            }
        }
    if (alts.n == 0)
        return NULL;   /* no key of the index is near: nothing can match */
    /* Weighed by the evidence (evidence_weight): the typed word's own
     * passages against those the keys reach. */
    const char *stem = t->stem;
    double w = evidence_weight(p, seq_df(p, (const char *const *)&t->term, &stem, 1), df_keys,
                               KS_WEIGHT_TRANSLIT_CAP, KS_WEIGHT_TRANSLIT_ALONE, KS_WEIGHT_TRANSLIT);
    kx_query_t *syn = ql_combine(p, &alts, KX_OP_SYNONYM, 0), *out = NULL;
    if (syn && kx_query_scale(syn, w, &out) != KX_OK)
        fail(p, KS_QUERY_FAILED, p->tok.at, "cannot build the query");
    kx_query_free(syn);
    return out;
}

/* A run of plain words: the OR of its words, of the joined forms of adjacent
 * Persian words and of the words' glossary equivalents. Stop words are
 * dropped unless nothing else is left, so «از» alone still finds passages
 * but never drowns «ایران» in «ایران از». */
static kx_query_t *text_query(parser_t *p, const char *s, size_t len)
{
    collected_t c;
    if (analyse(p, s, len, &c) != 0)
        return NULL;
    int content = 0;
    for (size_t k = 0; k < c.n; k++)
        if (!(c.v[k].flags & (KA_TOK_STOPWORD | KA_TOK_JOINED)))
            content = 1;
    /* Each content word is a concept of the coverage (ks_query_coverage); a
     * joined token stands for the words it joins. */
    for (size_t k = 0; k < c.n; k++)
        if (content && !(c.v[k].flags & (KA_TOK_STOPWORD | KA_TOK_JOINED)))
            c.v[k].words = new_concept(p);
    for (size_t k = 0; k < c.n; k++)
        if (c.v[k].flags & KA_TOK_JOINED)
            for (size_t i = 0; i < c.n; i++)
                if (!(c.v[i].flags & KA_TOK_JOINED) && c.v[i].start >= c.v[k].start &&
                    c.v[i].start < c.v[k].end)
                    c.v[k].words |= c.v[i].words;
    qlist_t words = { 0 };
    for (size_t k = 0; k < c.n && p->st == KS_QUERY_OK; k++) {
        const struct ctok *t = &c.v[k];
        if (content && (t->flags & KA_TOK_STOPWORD) && !(t->flags & KA_TOK_JOINED))
            continue;
        p->words_now = t->words;
        ql_push(p, &words, word_query(p, t, t->flags & KA_TOK_JOINED ? KS_WEIGHT_JOINED : 1.0));
        if (!(t->flags & KA_TOK_JOINED))
            ql_push(p, &words, adjacent_pair(p, &c, k));
        split_alternatives(p, t, &words);
        /* A joined pair is no word of any text (the index holds none): its
         * key, weighed as absent evidence, would only add noise. */
        if (p->translit && !(t->flags & KA_TOK_JOINED))
            ql_push(p, &words, translit_query(p, &c, k));
    }
    p->words_now = 0;
    expand(p, &c, &words);
    p->words_now = 0;
    collected_free(&c);
    return ql_combine(p, &words, KX_OP_OR, 0);
}

/* "a phrase": exact forms adjacent and in order; a two-word phrase also
 * matches its joined form (Persian compounds). */
static kx_query_t *phrase_query(parser_t *p, const char *s, size_t len)
{
    collected_t c;
    if (analyse(p, s, len, &c) != 0)
        return NULL;
    /* The phrase is one concept of the coverage. */
    p->words_now = new_concept(p);
    qlist_t seq = { 0 }, alt = { 0 };
    size_t n_words = 0;
    for (size_t k = 0; k < c.n && p->st == KS_QUERY_OK; k++) {
        const struct ctok *t = &c.v[k];
        if (t->flags & KA_TOK_JOINED)
            continue;
        n_words++;
        if (remember_term(p->q, t->term) != 0)
            fail(p, KS_QUERY_NOMEM, p->tok.at, "out of memory");
        ql_push(p, &seq, term_query(p, t->term, t->pos, 1.0));
    }
    kx_query_t *out = NULL;
    if (n_words == 1) {
        ql_free(&seq);
        for (size_t k = 0; k < c.n; k++)
            if (!(c.v[k].flags & KA_TOK_JOINED))
                out = word_query(p, &c.v[k], 1.0);
    } else if (n_words > 1) {
        ql_push(p, &alt, ql_combine(p, &seq, KX_OP_PHRASE, 0));
        if (n_words == 2)
            for (size_t k = 0; k < c.n; k++)
                if (c.v[k].flags & KA_TOK_JOINED)
                    ql_push(p, &alt, word_query(p, &c.v[k], 1.0));
        out = ql_combine(p, &alt, KX_OP_OR, 0);
    }
    ql_free(&seq);
    collected_free(&c);
    p->words_now = 0;
    return out;
}

static kx_query_t *wildcard_query(parser_t *p, const tok_t *t)
{
    if (p->wildcards >= KS_MAX_WILDCARDS) {
        p->wildcards_cut++;
        return NULL;
    }
    p->wildcards++;
    collected_t c;
    if (analyse(p, t->s, t->len, &c) != 0)
        return NULL;
    kx_query_t *out = NULL;
    size_t cut = p->words_cut;
    for (size_t k = 0; k < c.n; k++) {
        if (c.v[k].flags & KA_TOK_JOINED)
            continue;
        if (remember_term(p->q, c.v[k].term) != 0)
            fail(p, KS_QUERY_NOMEM, t->at, "out of memory");
        if (kx_query_wildcard(c.v[k].term, KS_WILDCARD_MAX_EXPANSION, &out) != KX_OK)
            fail(p, KS_QUERY_FAILED, t->at, "cannot build the query");
        break;
    }
    collected_free(&c);
    if (!out && p->words_cut > cut) {
        p->words_cut = cut;   /* counted as a wildcard, not as a word */
        p->wildcards--;
        p->wildcards_cut++;
    } else if (!out && p->st == KS_QUERY_OK)
        op_fail(p, t->at, "nothing searchable before '*'");
    return out;
}

static kx_query_t *bool_term(parser_t *p, const char *prefix, const char *v, size_t n)
{
    char term[KX_MAX_TERM_BYTES];
    if (strlen(prefix) + n >= sizeof term) {
        fail(p, KS_QUERY_SYNTAX, p->tok.at, "filter value too long");
        return NULL;
    }
    snprintf(term, sizeof term, "%s%.*s", prefix, (int)n, v);
    return term_query(p, term, 0, 1.0);
}

/* Parse "1390..1400" or "1390": Solar Hijri years (below 1700) are turned
 * into Gregorian ones, the calendar the index keeps. */
static int parse_year(const char *s, size_t n, int *out)
{
    int v = 0;
    if (n == 0 || n > 4)
        return -1;
    for (size_t k = 0; k < n; k++) {
        if (!isdigit((unsigned char)s[k]))
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    *out = v < 1700 ? v + 621 : v;
    return 0;
}

/* A source: or cites: id the index does not know is said, once, as a
 * warning: the query runs (and finds nothing through that filter). */
static void unknown_id(parser_t *p, const char *prefix, const tok_t *t, const char *fmt)
    __attribute__((format(printf, 4, 0)));

static void unknown_id(parser_t *p, const char *prefix, const tok_t *t, const char *fmt)
{
    char term[KX_MAX_TERM_BYTES];
    if (!p->db || p->unknown[0] || strlen(prefix) + t->len >= sizeof term)
        return;
    snprintf(term, sizeof term, "%s%.*s", prefix, (int)t->len, t->s);
    if (in_index(p, term))
        return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(p->unknown, sizeof p->unknown, fmt, (int)t->len, t->s);
#pragma GCC diagnostic pop
    utf8_repair(p->unknown);
}

static kx_query_t *field_query(parser_t *p, const tok_t *t)
{
    kx_query_t *q = NULL;
    if (t->field_len == 4 && memcmp(t->field, "lang", 4) == 0) {
        char v[16];
        if (t->len >= sizeof v) {
            fail(p, KS_QUERY_SYNTAX, t->at, "unknown language '%.*s' (use fa, ru or en)", (int)t->len, t->s);
            return NULL;
        }
        for (size_t k = 0; k < t->len; k++)
            v[k] = (char)tolower((unsigned char)t->s[k]);
        v[t->len] = '\0';
        if (strcmp(v, "fa") && strcmp(v, "ru") && strcmp(v, "en")) {
            fail(p, KS_QUERY_SYNTAX, t->at, "unknown language '%.*s' (use fa, ru or en)", (int)t->len, t->s);
            return NULL;
        }
        q = bool_term(p, KI_PREFIX_LANG, v, t->len);
    } else if (t->field_len == 6 && memcmp(t->field, "source", 6) == 0) {
        /* The full text of a cited work (corpus/sources/). */
        q = bool_term(p, KI_PREFIX_OF_SOURCE, t->s, t->len);
        unknown_id(p, KI_PREFIX_OF_SOURCE, t, "no full text of '%.*s' in the index (kavosh-search "
                   "--sources lists the entries; sources.tsv or a kavosh-source header adds a text)");
    } else if (t->field_len == 5 && memcmp(t->field, "cites", 5) == 0) {
        /* Passages citing the entry, and the entry itself. */
        q = bool_term(p, KI_PREFIX_SOURCE, t->s, t->len);
        unknown_id(p, KI_PREFIX_SOURCE, t, "no bibliography entry '%.*s' in the index "
                   "(kavosh-search --sources lists them)");
    } else if (t->field_len == 7 && memcmp(t->field, "section", 7) == 0) {
        collected_t c;
        if (analyse(p, t->s, t->len, &c) != 0)
            return NULL;
        qlist_t all = { 0 };
        for (size_t k = 0; k < c.n; k++)
            if (!(c.v[k].flags & KA_TOK_JOINED))
                ql_push(p, &all, bool_term(p, KI_PREFIX_SECTION, c.v[k].term, strlen(c.v[k].term)));
        collected_free(&c);
        if (all.n == 0 && p->st == KS_QUERY_OK)
            fail(p, KS_QUERY_SYNTAX, t->at, "section: needs a word");
        q = ql_combine(p, &all, KX_OP_AND, 0);
    } else {
        const char *dots = NULL;
        for (size_t k = 0; k + 1 < t->len; k++)
            if (t->s[k] == '.' && t->s[k + 1] == '.')
                dots = t->s + k;
        int lo, hi;
        int ok = dots ? parse_year(t->s, (size_t)(dots - t->s), &lo) == 0 &&
                            parse_year(dots + 2, t->len - (size_t)(dots + 2 - t->s), &hi) == 0
                      : parse_year(t->s, t->len, &lo) == 0;
        if (!dots)
            hi = lo;
        if (!ok || lo > hi) {
            fail(p, KS_QUERY_SYNTAX, t->at, "year: wants YEAR or FROM..TO, e.g. year:1390..1400");
            return NULL;
        }
        char a[8], b[8];
        snprintf(a, sizeof a, "%04d", lo);
        snprintf(b, sizeof b, "%04d", hi);
        if (kx_query_value_range(KI_SLOT_YEAR, a, b, &q) != KX_OK)
            fail(p, KS_QUERY_FAILED, t->at, "cannot build the query");
    }
    if (!q)
        return NULL;
    /* A filter restricts, it does not rank. */
    kx_query_t *scaled = NULL;
    if (kx_query_scale(q, 0.0, &scaled) != KX_OK)
        fail(p, KS_QUERY_FAILED, t->at, "cannot build the query");
    kx_query_free(q);
    return scaled;
}

/* ---------------------------------------------------------------------- */
/* Grammar                                                                 */

static kx_query_t *parse_or(parser_t *p);

static kx_query_t *parse_primary(parser_t *p)
{
    tok_t t = p->tok;
    switch (t.kind) {
    case T_LPAREN: {
        if (++p->depth > KS_MAX_DEPTH) {
            op_fail(p, t.at, "parentheses nested too deeply");
            return NULL;
        }
        next(p);
        kx_query_t *q = parse_or(p);
        if (p->st == KS_QUERY_OK && p->tok.kind != T_RPAREN)
            op_fail(p, t.at, "unbalanced '('");
        if (p->st == KS_QUERY_OK && !q)
            op_fail(p, t.at, "empty parentheses");
        p->depth--;
        next(p);
        return q;
    }
    case T_PHRASE:
        next(p);
        return phrase_query(p, t.s, t.len);
    case T_WILDCARD:
        next(p);
        return wildcard_query(p, &t);
    case T_FIELD:
        next(p);
        return field_query(p, &t);
    case T_WORD: {
        /* Gather the run of plain words that follows, to analyse as one text. */
        const char *b = t.s;
        const char *e = t.s + t.len;
        next(p);
        while (p->st == KS_QUERY_OK && p->tok.kind == T_WORD && !p->tok.sign && !t.sign) {
            e = p->tok.s + p->tok.len;
            next(p);
        }
        return text_query(p, b, (size_t)(e - b));
    }
    case T_RPAREN:
        op_fail(p, t.at, "unbalanced ')'");
        return NULL;
    case T_AND:
    case T_OR:
    case T_NOT:
        op_fail(p, t.at, "'%.*s' needs something before and after it", (int)t.len, t.s);
        return NULL;
    case T_END:
        break;
    }
    return NULL;
}

/* left (OP right)*: the binary operators NOT (binding tightest) and AND. */
static kx_query_t *parse_binary(parser_t *p, tok_kind_t kind, kx_query_op_t op,
                                kx_query_t *(*operand)(parser_t *), const char *name)
{
    size_t cut = p->words_cut + p->wildcards_cut;
    kx_query_t *left = operand(p);
    while (p->st == KS_QUERY_OK && p->tok.kind == kind) {
        size_t at = p->tok.at;
        next(p);
        kx_query_t *right = operand(p);
        if ((!left || !right) && p->st == KS_QUERY_OK && p->words_cut + p->wildcards_cut > cut) {
            /* The budget dropped a side: the other stands alone (not the
             * excluded side of a NOT). */
            if (!left && op != KX_OP_AND_NOT)
                left = right;
            else
                kx_query_free(right);
            continue;
        }
        if (!left || !right) {
            op_fail(p, at, "%s needs something before and after it", name);
            kx_query_free(left);
            kx_query_free(right);
            return NULL;
        }
        kx_query_t *pair[2] = { left, right };
        left = combine(p, op, pair, 2, 0);
        kx_query_free(pair[0]);
        kx_query_free(pair[1]);
    }
    return left;
}

static kx_query_t *parse_not(parser_t *p)
{
    return parse_binary(p, T_NOT, KX_OP_AND_NOT, parse_primary, "NOT");
}

static kx_query_t *parse_and(parser_t *p)
{
    return parse_binary(p, T_AND, KX_OP_AND, parse_not, "AND");
}

/* A sequence of items joined by OR or by nothing: optional items are OR'ed
 * for ranking, +items are required, -items excluded, and field filters
 * restrict the rest without ranking it («ایران year:1390..1400»: the entries
 * of those years that are about Iran). */
static kx_query_t *parse_or(parser_t *p)
{
    qlist_t req = { 0 }, opt = { 0 }, excl = { 0 }, filt = { 0 };
    while (p->st == KS_QUERY_OK && p->tok.kind != T_END && p->tok.kind != T_RPAREN) {
        if (p->tok.kind == T_OR) {
            size_t at = p->tok.at;
            next(p);
            if (opt.n + req.n + excl.n + filt.n == 0 || p->tok.kind == T_END ||
                p->tok.kind == T_RPAREN)
                op_fail(p, at, "OR needs something before and after it");
            continue;
        }
        int sign = p->tok.sign;
        size_t at = p->tok.at;
        int is_filter = p->tok.kind == T_FIELD && sign >= 0;
        size_t cut = p->words_cut + p->wildcards_cut;
        kx_query_t *item = parse_and(p);
        if (p->st != KS_QUERY_OK) {
            kx_query_free(item);
            break;
        }
        if (!item) {
            /* Nothing searchable (punctuation only): not an error for a word,
             * but a sign with nothing after it is. */
            if (sign && p->plain < 2 && p->words_cut + p->wildcards_cut == cut)
                op_fail(p, at, "nothing searchable after '%c'", sign > 0 ? '+' : '-');
            continue;
        }
        ql_push(p, is_filter ? &filt : sign > 0 ? &req : sign < 0 ? &excl : &opt, item);
    }
    kx_query_t *r = ql_combine(p, &req, KX_OP_AND, 0);
    kx_query_t *o = ql_combine(p, &opt, KX_OP_OR, 0);
    kx_query_t *x = ql_combine(p, &excl, KX_OP_OR, 0);
    kx_query_t *f = ql_combine(p, &filt, KX_OP_AND, 0);
    kx_query_t *q = NULL;
    if (p->st == KS_QUERY_OK) {
        if (r && o) {
            kx_query_t *pair[2] = { r, o };
            q = combine(p, KX_OP_AND_MAYBE, pair, 2, 0);
        } else if (r || o) {
            q = r ? r : o;
            r = o = NULL;
        } else if (x || f) {
            /* Only exclusions or filters: everything they let through. */
            if (kx_query_match_all(&q) != KX_OK)
                fail(p, KS_QUERY_FAILED, 0, "cannot build the query");
        }
        if (q && f) {
            kx_query_t *pair[2] = { q, f };
            kx_query_t *qq = combine(p, KX_OP_FILTER, pair, 2, 0);
            kx_query_free(q);
            q = qq;
        }
        if (q && x) {
            kx_query_t *pair[2] = { q, x };
            kx_query_t *qq = combine(p, KX_OP_AND_NOT, pair, 2, 0);
            kx_query_free(q);
            q = qq;
        }
    }
    kx_query_free(r);
    kx_query_free(o);
    kx_query_free(x);
    kx_query_free(f);
    return q;
}

const char *ks_query_status_to_string(ks_query_status_t st)
{
    switch (st) {
    case KS_QUERY_OK:          return "success";
    case KS_QUERY_EMPTY:       return "no words to search for";
    case KS_QUERY_SYNTAX:      return "malformed query";
    case KS_QUERY_NOMEM:       return "out of memory";
    case KS_QUERY_FAILED:      return "the analyzer or the index library failed";
    case KS_QUERY_STATUS_LAST: break;
    }
    return "unknown query status";
}

ks_query_status_t ks_query_parse(ka_analyzer_t *an, const char *text,
                                 const ks_query_options_t *opt, ks_query_t **out,
                                 char **error_out)
{
    *out = NULL;
    if (error_out)
        *error_out = NULL;
    /* Words like AND, OR and NOT occur in text, and a pasted line may end in
     * a stray quote: a query that fails on an operator is read again, first
     * with AND/OR/NOT as words, then with quotes, parentheses and stray signs
     * as spaces too (Xapian's QueryParser retries the same way), and the
     * first error is kept for the warning. Other errors (year:abc, lang:xx)
     * stand. */
    char first_err[256] = "";
    ks_query_status_t first_st = KS_QUERY_OK;
    for (int plain = 0; plain <= 2; plain++) {
        ks_query_t *q = calloc(1, sizeof *q);
        if (!q)
            return KS_QUERY_NOMEM;
        parser_t p = { .an = an, .q = q, .text = text ? text : "", .len = text ? strlen(text) : 0,
                       .db = opt ? opt->db : NULL,
                       .glossary = opt ? opt->glossary : NULL,
                       .translit = opt ? opt->translit : NULL,
                       .memo = opt ? opt->memo : NULL,
                       .plain = plain };
        next(&p);
        kx_query_t *base = parse_or(&p);
        if (p.st == KS_QUERY_OK && p.tok.kind == T_RPAREN)
            op_fail(&p, p.tok.at, "unbalanced ')'");
        if (p.st == KS_QUERY_OK && !base)
            p.st = KS_QUERY_EMPTY;
        if (p.st == KS_QUERY_OK || p.st == KS_QUERY_EMPTY) {
            char budget[300] = "";
            if (p.words_cut || p.wildcards_cut || p.expansions_cut) {
                char w[80] = "", x[80] = "", e[80] = "";
                if (p.words_cut)
                    snprintf(w, sizeof w, "%zu words past the first %d", p.words_cut,
                             KS_MAX_QUERY_WORDS);
                if (p.wildcards_cut)
                    snprintf(x, sizeof x, "%zu wildcards past the first %d", p.wildcards_cut,
                             KS_MAX_WILDCARDS);
                if (p.expansions_cut)
                    snprintf(e, sizeof e, "%zu glossary equivalents past the first %d",
                             p.expansions_cut, KS_MAX_EXPANSIONS);
                snprintf(budget, sizeof budget, "query cut down: %s%s%s%s%s not searched", w,
                         w[0] && x[0] ? " and " : "", x, (w[0] || x[0]) && e[0] ? " and " : "",
                         e);
            }
            if (p.st == KS_QUERY_OK && (plain > 0 || p.unknown[0] || budget[0])) {
                size_t n = strlen(first_err) + strlen(p.unknown) + strlen(budget) + 64;
                q->warning = malloc(n);
                if (q->warning)
                    snprintf(q->warning, n, "%s%s%s%s%s%s", plain > 0 ? first_err : "",
                             plain > 0 ? "; searched as plain words" : "",
                             plain > 0 && p.unknown[0] ? "; " : "", p.unknown,
                             budget[0] && (plain > 0 || p.unknown[0]) ? "; " : "", budget);
            }
            if (p.st == KS_QUERY_EMPTY && plain > 0) {
                /* Nothing left of it but operators: the first error says why. */
                kx_query_free(base);
                ks_query_free(q);
                if (error_out)
                    *error_out = strdup(first_err);
                return first_st;
            }
            if (p.st == KS_QUERY_EMPTY) {
                ks_query_free(q);
                return KS_QUERY_EMPTY;
            }
            q->base = base;
            cover_finish(q);
            *out = q;
            return KS_QUERY_OK;
        }
        kx_query_free(base);
        ks_query_free(q);
        if (plain == 0) {
            first_st = p.st;
            snprintf(first_err, sizeof first_err, "%s", p.err);
        }
        if (!p.op_error || p.st != KS_QUERY_SYNTAX)
            break;
    }
    if (error_out && first_err[0])
        *error_out = strdup(first_err);
    return first_st;
}

const char *ks_query_warning(const ks_query_t *q)
{
    return q ? q->warning : NULL;
}

ks_query_status_t ks_query_add_filter(ks_query_t *q, const char *term)
{
    char **nf = kd_vec_grow(q->filters, &q->cap_filters, q->n_filters + 1, sizeof *nf, 4);
    if (!nf)
        return KS_QUERY_NOMEM;
    q->filters = nf;
    if (!(q->filters[q->n_filters] = strdup(term)))
        return KS_QUERY_NOMEM;
    q->n_filters++;
    kx_query_free(q->final);
    q->final = NULL;
    return KS_QUERY_OK;
}

/* FILTER(base, AND over prefixes of OR over that prefix's terms). Filter
 * terms are one upper-case prefix letter and a value. */
static kx_query_t *apply_filters(ks_query_t *q)
{
    kx_query_t *groups[16];
    size_t n_groups = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < q->n_filters; i++) {
        char prefix = q->filters[i][0];
        int first = 1;
        for (size_t j = 0; j < i; j++)
            if (q->filters[j][0] == prefix)
                first = 0;
        if (!first)
            continue;
        kx_query_t *alts[64];
        size_t n_alts = 0;
        for (size_t j = i; ok && j < q->n_filters && n_alts < 64; j++)
            if (q->filters[j][0] == prefix)
                ok = kx_query_term(q->filters[j], 1, 0, &alts[n_alts++]) == KX_OK;
        if (ok && n_groups < 16)
            ok = kx_query_combine(KX_OP_OR, alts, n_alts, 0, &groups[n_groups++]) == KX_OK;
        for (size_t j = 0; j < n_alts; j++)
            kx_query_free(alts[j]);
    }
    kx_query_t *out = NULL;
    if (ok) {
        kx_query_t *subs[17];
        subs[0] = q->base;
        for (size_t g = 0; g < n_groups; g++)
            subs[g + 1] = groups[g];
        if (kx_query_combine(KX_OP_FILTER, subs, n_groups + 1, 0, &out) != KX_OK)
            out = NULL;
    }
    for (size_t g = 0; g < n_groups; g++)
        kx_query_free(groups[g]);
    return out;
}

const kx_query_t *ks_query_xapian(ks_query_t *q)
{
    if (q->n_filters == 0)
        return q->base;
    if (!q->final)
        q->final = apply_filters(q);
    return q->final;
}

int ks_query_wants_term(const ks_query_t *q, const char *term, size_t len)
{
    return (int)find_term(q, term, len);
}

void ks_query_free(ks_query_t *q)
{
    if (!q)
        return;
    kx_query_free(q->base);
    kx_query_free(q->final);
    for (size_t k = 0; k < q->n_terms; k++)
        free(q->terms[k]);
    free(q->terms);
    free(q->term_lens);
    free(q->typed);
    free(q->index);
    for (size_t k = 0; k < q->n_filters; k++)
        free(q->filters[k]);
    free(q->filters);
    for (size_t k = 0; k < q->n_exp; k++) {
        free(q->exp[k].label);
        for (size_t t = 0; t < q->exp[k].n_terms; t++)
            free(q->exp[k].terms[t]);
        free(q->exp[k].terms);
        free(q->exp[k].slot);
    }
    free(q->exp);
    for (size_t k = 0; k < q->n_cover; k++)
        free(q->cover[k].term);
    free(q->cover);
    free(q->cover_terms);
    free(q->cover_words);
    free(q->warning);
    free(q);
}

unsigned ks_query_concept_count(const ks_query_t *q)
{
    return q ? q->n_concepts : 0;
}

size_t ks_query_cover(const ks_query_t *q, const char *const **terms, const uint64_t **words)
{
    *terms = (const char *const *)q->cover_terms;
    *words = q->cover_words;
    return q->cover_terms ? q->n_cover : 0;
}

uint64_t ks_query_term_concepts(const ks_query_t *q, const char *term, size_t len)
{
    size_t lo = 0, hi = q ? q->n_cover : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *t = q->cover[mid].term;
        size_t tl = strlen(t);
        int c = memcmp(t, term, tl < len ? tl : len);
        if (c == 0)
            c = (tl > len) - (tl < len);
        if (c == 0)
            return q->cover[mid].words;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

size_t ks_query_expansion_count(const ks_query_t *q)
{
    return q->n_exp;
}

const char *ks_query_expansion_label(const ks_query_t *q, size_t i)
{
    return i < q->n_exp ? q->exp[i].label : NULL;
}

int ks_query_expansion_has_term(const ks_query_t *q, size_t i, const char *term, size_t len)
{
    if (i >= q->n_exp)
        return 0;
    for (size_t k = 0; k < q->exp[i].n_terms; k++)
        if (strlen(q->exp[i].terms[k]) == len && memcmp(q->exp[i].terms[k], term, len) == 0)
            return 1;
    return 0;
}

int ks_query_expansion_matched(const ks_query_t *q, size_t i, ks_term_pred_t has, void *ctx)
{
    if (i >= q->n_exp || q->exp[i].n_slots == 0)
        return 0;
    const struct expansion *e = &q->exp[i];
    /* Every word of the equivalent, by its exact form or its stem (its
     * phrase or its AND of stems is what the query asked for). */
    for (size_t s = 0; s < e->n_slots; s++) {
        int found = 0;
        for (size_t k = 0; k < e->n_terms && !found; k++)
            found = e->slot[k] == s && has(ctx, e->terms[k], strlen(e->terms[k]));
        if (!found)
            return 0;
    }
    return 1;
}

size_t ks_query_term_count(const ks_query_t *q)
{
    return q->n_terms;
}

const char *ks_query_term(const ks_query_t *q, size_t i, size_t *len)
{
    if (!q || i >= q->n_terms)
        return NULL;
    if (len)
        *len = q->term_lens[i];
    return q->terms[i];
}

int ks_query_matched_terms(const ks_query_t *q, ks_term_pred_t has, void *ctx,
                           unsigned char *out)
{
    unsigned char *exp_ok = q->n_exp ? calloc(q->n_exp, 1) : NULL;
    if (q->n_exp && !exp_ok)
        return -1;
    for (size_t i = 0; i < q->n_exp; i++)
        exp_ok[i] = (unsigned char)ks_query_expansion_matched(q, i, has, ctx);
    for (size_t k = 0; k < q->n_terms; k++) {
        out[k] = 0;
        if (!has(ctx, q->terms[k], q->term_lens[k]))
            continue;
        if (q->typed[k]) {
            out[k] = 1;
            continue;
        }
        for (size_t i = 0; i < q->n_exp && !out[k]; i++)
            if (exp_ok[i] && ks_query_expansion_has_term(q, i, q->terms[k], q->term_lens[k]))
                out[k] = 1;
    }
    free(exp_ok);
    return 0;
}

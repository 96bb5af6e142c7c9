/*
 * citations.c - listing citations, sources and citation contexts.
 */
#include "citations.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "printer.h"
#include "query.h"
#include "schema.h"
#include "utf8.h"

/* --cites keeps the sources scoring at least this share of the best one:
 * a query naming one author should not drag in every entry sharing a year. */
#define KS_CITES_SOURCE_SHARE 0.5
/* At most this many sources are taken to match a --cites query. */
#define KS_CITES_MAX_SOURCES 20
#define KS_CONTEXT_CHARS 300

#define FSI "\xE2\x81\xA8"
#define PDI "\xE2\x81\xA9"

/* Text from the index, made safe (cli.h), in Unicode isolates on a terminal
 * (opt->isolates) so that a right-to-left citation cannot swap places with
 * the ids around it; never isolates into a pipe. */
static void put_text(FILE *out, const ks_cite_options_t *opt, const char *s, size_t len)
{
    if (opt->isolates)
        fputs(FSI, out);
    ki_put_safe(out, s, len, KI_SAFE_SPACES);
    if (opt->isolates)
        fputs(PDI, out);
}

static void put_str(FILE *out, const ks_cite_options_t *opt, const char *s)
{
    put_text(out, opt, s, strlen(s));
}

/* Document text on lines of its own, indented: wrapped and laid out as the
 * hits are with a style, else one line (isolated on a terminal). */
static void block(FILE *out, const ks_cite_options_t *opt, const char *s, size_t len)
{
    if (opt->style) {
        ks_print_text_block(out, opt->style, 3, s, len);
        return;
    }
    fputs("   ", out);
    put_text(out, opt, s, len);
    fputc('\n', out);
}

/* A TSV field: tabs and newlines in it become spaces. */
static void put_field(FILE *out, const char *s, size_t len, int last)
{
    ki_put_safe(out, s, len, KI_SAFE_SPACES);
    fputc(last ? '\n' : '\t', out);
}

static void put_fieldz(FILE *out, const char *s, int last)
{
    put_field(out, s, strlen(s), last);
}

/* ---------------------------------------------------------------------- */
/* Walking stored passages                                                 */

typedef struct walk {
    kx_db_t *db;
    int (*fn)(void *ctx, unsigned docid, json_t *rec);
    void    *ctx;
    kx_status_t st;
    int      stop;
} walk_t;

static int walk_one(void *ctx, unsigned docid)
{
    walk_t *w = ctx;
    char *data = NULL;
    size_t len = 0;
    w->st = kx_db_get_data(w->db, docid, &data, &len);
    if (w->st != KX_OK)
        return 1;
    json_error_t e;
    json_t *rec = json_loadb(data, len, 0, &e);
    kx_free(data);
    if (!rec)
        return 0;   /* an unreadable record is skipped, not fatal */
    w->stop = w->fn(w->ctx, docid, rec);
    json_decref(rec);
    return w->stop;
}

/* Call fn for every passage indexed by term, in index order. */
static kx_status_t walk_term(kx_db_t *db, const char *term,
                             int (*fn)(void *ctx, unsigned docid, json_t *rec), void *ctx)
{
    walk_t w = { .db = db, .fn = fn, .ctx = ctx, .st = KX_OK };
    kx_status_t st = kx_db_postings(db, term, walk_one, &w);
    return st != KX_OK ? st : w.st;
}

static int report(kx_db_t *db, kx_status_t st)
{
    const char *d = kx_db_last_error(db);
    ki_error("cannot read the index: %s%s%s", kx_status_to_string(st), *d ? ": " : "", d);
    const char *hint = ki_open_hint(st, 0, NULL, d);
    if (hint)
        ki_note("hint: %s", hint);
    return ki_exit_for_status(st);
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* One JSON Lines record, consumed; NULL (a failed json_pack) prints nothing.
 * Every record carries "format", the version of the records (printer.h). */
static void emit(FILE *out, json_t *o)
{
    if (!o)
        return;
    json_t *f = json_object();
    if (f) {
        /* "format" first, as in the hit records. */
        json_object_set_new(f, "format", json_integer(KS_JSON_FORMAT));
        json_object_update(f, o);
        json_decref(o);
        o = f;
    }
    json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(o);
}

/* ---------------------------------------------------------------------- */
/* Context                                                                 */

static int is_terminator(const char *t, size_t i)
{
    return t[i] == '.' || t[i] == '!' || t[i] == '?' || kd_ar_stop_before(t, i + 1) != 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

static size_t utf8_back(const char *t, size_t i)
{
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

void ks_citation_context(const char *text, size_t len, size_t start, size_t end,
                         size_t max_chars, size_t *ctx_start, size_t *ctx_end)
{
    if (start > len)
        start = len;
    if (end > len || end < start)
        end = start;
    /* Back: skip the spaces and the full stop just before a citation that
     * follows its sentence, then go to the end of the sentence before. */
    size_t i = start;
    while (i > 0 && is_space(text[i - 1]))
        i--;
    if (i > 0 && is_terminator(text, i - 1))
        i--;
    size_t chars = 0;
    while (i > 0 && !is_terminator(text, i - 1) && chars < max_chars) {
        i--;
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            chars++;
    }
    i = utf8_back(text, i);
    while (i < start && is_space(text[i]))
        i++;
    /* Forward: to the end of the sentence the citation stands in. */
    size_t j = end;
    chars = 0;
    while (j < len && !is_terminator(text, j) && chars < max_chars) {
        if (((unsigned char)text[j] & 0xC0) != 0x80)
            chars++;
        j++;
    }
    if (j < len && is_terminator(text, j))
        j++;
    while (j < len && ((unsigned char)text[j] & 0xC0) == 0x80)
        j++;
    *ctx_start = i;
    *ctx_end = j;
}

/* ---------------------------------------------------------------------- */
/* --citations                                                             */

typedef struct cite_list {
    FILE                    *out;
    const ks_cite_options_t *opt;
    unsigned                 n, resolved;
} cite_list_t;

static int list_citations(void *ctx, unsigned docid, json_t *rec)
{
    (void)docid;
    cite_list_t *c = ctx;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "citations"), i, x) {
        c->n++;
        json_t *src = json_object_get(x, "source");
        c->resolved += json_is_string(src);
        if (c->opt->json) {
            json_t *o = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O}",
                                  "passage", str(rec, "id"),
                                  "section", str(rec, "section"),
                                  "citation", json_object_get(x, "citation"),
                                  "pages", json_object_get(x, "pages") ? json_object_get(x, "pages") : json_null(),
                                  "source", src ? src : json_null(),
                                  "source_text", json_object_get(x, "source_text") ? json_object_get(x, "source_text") : json_null(),
                                  "confidence", json_object_get(x, "confidence") ? json_object_get(x, "confidence") : json_real(0),
                                  "start", json_object_get(x, "start") ? json_object_get(x, "start") : json_null());
            emit(c->out, o);
        } else if (c->opt->tsv) {
            /* passage, citation, source ("" unresolved), confidence, section */
            char conf[32];
            snprintf(conf, sizeof conf, "%.2f", json_number_value(json_object_get(x, "confidence")));
            put_fieldz(c->out, str(rec, "id"), 0);
            put_fieldz(c->out, str(x, "citation"), 0);
            put_fieldz(c->out, json_is_string(src) ? json_string_value(src) : "", 0);
            put_fieldz(c->out, conf, 0);
            put_fieldz(c->out, str(rec, "section"), 1);
        } else {
            ki_put_safe(c->out, str(rec, "id"), strlen(str(rec, "id")), KI_SAFE_SPACES);
            fputc('\t', c->out);
            put_str(c->out, c->opt, str(x, "citation"));
            fputc('\t', c->out);
            const char *sid = json_is_string(src) ? json_string_value(src) : "(unresolved)";
            ki_put_safe(c->out, sid, strlen(sid), KI_SAFE_SPACES);
            fprintf(c->out, "\t%.2f\n", json_number_value(json_object_get(x, "confidence")));
        }
    }
    return 0;
}

int ks_print_citations(kx_db_t *db, FILE *out, const ks_cite_options_t *opt)
{
    cite_list_t c = { .out = out, .opt = opt };
    kx_status_t st = walk_term(db, KI_PREFIX_KIND "body", list_citations, &c);
    if (st != KX_OK)
        return report(db, st);
    if (!opt->json && !opt->tsv)
        fprintf(out, "-- %u citations, %u resolved, %u unresolved\n", c.n, c.resolved,
                c.n - c.resolved);
    return c.n ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

/* ---------------------------------------------------------------------- */
/* --sources                                                               */

typedef struct citing {
    json_t  *ids;       /* passage ids citing the source, in order */
    unsigned count;     /* citations (a passage may cite a source twice) */
    const char *source;
} citing_t;

static int collect_citing(void *ctx, unsigned docid, json_t *rec)
{
    (void)docid;
    citing_t *c = ctx;
    if (strcmp(str(rec, "kind"), "body") != 0)
        return 0;
    size_t i;
    json_t *x;
    unsigned here = 0;
    json_array_foreach(json_object_get(rec, "citations"), i, x)
        here += strcmp(str(x, "source"), c->source) == 0;
    if (here) {
        c->count += here;
        json_array_append_new(c->ids, json_string(str(rec, "id")));
    }
    return 0;
}

typedef struct source_list {
    kx_db_t                 *db;
    FILE                    *out;
    const ks_cite_options_t *opt;
    unsigned                 n, never;
    kx_status_t              st;
} source_list_t;

static int list_source(void *ctx, unsigned docid, json_t *rec)
{
    (void)docid;
    source_list_t *s = ctx;
    json_t *src = json_object_get(rec, "source");
    const char *id = str(src, "id");
    if (!*id)
        return 0;
    char term[KX_MAX_TERM_BYTES];
    snprintf(term, sizeof term, "%s%s", KI_PREFIX_SOURCE, id);
    citing_t c = { .ids = json_array(), .source = id };
    s->st = walk_term(s->db, term, collect_citing, &c);
    if (s->st != KX_OK) {
        json_decref(c.ids);
        return 1;
    }
    s->n++;
    s->never += c.count == 0;
    if (s->opt->json) {
        json_t *o = json_pack("{s:s, s:s, s:O, s:O, s:O, s:i, s:O, s:b}",
                              "source", id,
                              "text", str(rec, "text"),
                              "authors", json_object_get(src, "authors"),
                              "year", json_object_get(src, "year"),
                              "title", json_object_get(src, "title"),
                              "cited", (int)c.count,
                              "passages", c.ids,
                              "never_cited", c.count == 0);
        emit(s->out, o);
    } else if (s->opt->tsv) {
        /* source, times cited, citing passages (comma-separated), entry text */
        char count[16];
        snprintf(count, sizeof count, "%u", c.count);
        put_fieldz(s->out, id, 0);
        put_fieldz(s->out, count, 0);
        size_t i;
        json_t *v;
        json_array_foreach(c.ids, i, v) {
            if (i)
                fputc(',', s->out);
            ki_put_safe(s->out, json_string_value(v), strlen(json_string_value(v)), KI_SAFE_SPACES);
        }
        fputc('\t', s->out);
        put_fieldz(s->out, str(rec, "text"), 1);
    } else {
        ki_put_safe(s->out, id, strlen(id), KI_SAFE_SPACES);
        fprintf(s->out, "  cited %u×%s\n", c.count, c.count ? "" : "  [never cited]");
        block(s->out, s->opt, str(rec, "text"), strlen(str(rec, "text")));
        if (c.count) {
            fputs("   in:", s->out);
            size_t i;
            json_t *v;
            json_array_foreach(c.ids, i, v) {
                fputc(' ', s->out);
                ki_put_safe(s->out, json_string_value(v), strlen(json_string_value(v)), KI_SAFE_SPACES);
            }
            fputc('\n', s->out);
        }
    }
    json_decref(c.ids);
    return 0;
}

typedef struct unresolved {
    FILE                    *out;
    const ks_cite_options_t *opt;
    unsigned                 n;
} unresolved_t;

static int list_unresolved(void *ctx, unsigned docid, json_t *rec)
{
    (void)docid;
    unresolved_t *u = ctx;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "citations"), i, x) {
        if (json_is_string(json_object_get(x, "source")))
            continue;
        u->n++;
        if (u->opt->json) {
            json_t *o = json_pack("{s:n, s:s, s:s, s:b}", "source", "passage", str(rec, "id"),
                                  "citation", str(x, "citation"), "unresolved", 1);
            emit(u->out, o);
        } else if (u->opt->tsv) {
            /* An unresolved citation: no source, cited once, by this passage. */
            put_fieldz(u->out, "", 0);
            put_fieldz(u->out, "1", 0);
            put_fieldz(u->out, str(rec, "id"), 0);
            put_fieldz(u->out, str(x, "citation"), 1);
        } else {
            if (u->n == 1)
                fputs("Citations with no bibliography entry:\n", u->out);
            fputs("   ", u->out);
            ki_put_safe(u->out, str(rec, "id"), strlen(str(rec, "id")), KI_SAFE_SPACES);
            fputs("  ", u->out);
            put_str(u->out, u->opt, str(x, "citation"));
            fputc('\n', u->out);
        }
    }
    return 0;
}

int ks_print_sources(kx_db_t *db, FILE *out, const ks_cite_options_t *opt)
{
    source_list_t s = { .db = db, .out = out, .opt = opt, .st = KX_OK };
    kx_status_t st = walk_term(db, KI_PREFIX_KIND "biblio", list_source, &s);
    if (st == KX_OK)
        st = s.st;
    if (st != KX_OK)
        return report(db, st);
    unresolved_t u = { .out = out, .opt = opt };
    st = walk_term(db, KI_PREFIX_KIND "body", list_unresolved, &u);
    if (st != KX_OK)
        return report(db, st);
    if (!opt->json && !opt->tsv)
        fprintf(out, "-- %u sources, %u never cited; %u citations unresolved\n", s.n, s.never, u.n);
    return s.n || u.n ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

/* ---------------------------------------------------------------------- */
/* --cites                                                                 */

typedef struct cites {
    FILE                    *out;
    const ks_cite_options_t *opt;
    const char              *source, *source_text;
    unsigned                 rank;
} cites_t;

static int print_citing(void *ctx, unsigned docid, json_t *rec)
{
    (void)docid;
    cites_t *c = ctx;
    if (strcmp(str(rec, "kind"), "body") != 0)
        return 0;
    const char *text = str(rec, "text");
    size_t len = strlen(text), i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "citations"), i, x) {
        if (strcmp(str(x, "source"), c->source) != 0)
            continue;
        if (c->rank >= c->opt->limit)
            return 1;
        size_t a = (size_t)json_integer_value(json_object_get(x, "start"));
        size_t b = (size_t)json_integer_value(json_object_get(x, "end"));
        size_t cs, ce;
        ks_citation_context(text, len, a, b, KS_CONTEXT_CHARS, &cs, &ce);
        c->rank++;
        if (c->opt->json) {
            json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s%, s:[I,I], s:O}",
                                  "rank", (int)c->rank,
                                  "source", c->source,
                                  "source_text", c->source_text,
                                  "passage", str(rec, "id"),
                                  "section", str(rec, "section"),
                                  "context", text + cs, ce - cs,
                                  "context_range", (json_int_t)cs, (json_int_t)ce,
                                  "citation", json_object_get(x, "citation"));
            emit(c->out, o);
        } else if (c->opt->tsv) {
            /* rank, source, passage, citation, context */
            char rank[16];
            snprintf(rank, sizeof rank, "%u", c->rank);
            put_fieldz(c->out, rank, 0);
            put_fieldz(c->out, c->source, 0);
            put_fieldz(c->out, str(rec, "id"), 0);
            put_fieldz(c->out, str(x, "citation"), 0);
            put_field(c->out, text + cs, ce - cs, 1);
        } else {
            fprintf(c->out, "%u. ", c->rank);
            ki_put_safe(c->out, str(rec, "id"), strlen(str(rec, "id")), KI_SAFE_SPACES);
            fputs("  ", c->out);
            put_str(c->out, c->opt, str(rec, "section"));
            fputc('\n', c->out);
            block(c->out, c->opt, text + cs, ce - cs);
        }
    }
    return 0;
}

int ks_print_cites(kx_db_t *db, ka_analyzer_t *an, const char *query, FILE *out,
                   const ks_cite_options_t *opt)
{
    ks_query_t *q = NULL;
    char *err = NULL;
    ks_query_options_t qopt = { .db = db, .glossary = opt->glossary, .translit = opt->translit };
    ks_query_status_t qs = ks_query_parse(an, query, &qopt, &q, &err);
    if (qs == KS_QUERY_EMPTY)
        return KI_EXIT_NO_RESULTS;
    if (qs != KS_QUERY_OK) {
        ki_error("malformed query: %s", err ? err : "syntax error");
        free(err);
        return qs == KS_QUERY_SYNTAX ? KI_EXIT_USAGE : KI_EXIT_FAILURE;
    }
    if (ks_query_warning(q))
        ki_warn("%s", ks_query_warning(q));
    int ex = KI_EXIT_NO_RESULTS;
    kx_mset_t *mset = NULL;
    kx_status_t st = ks_query_add_filter(q, KI_PREFIX_KIND "biblio") == KS_QUERY_OK
                         ? kx_search(db, ks_query_xapian(q), NULL, 0, KS_CITES_MAX_SOURCES, &mset)
                         : KX_NO_MEMORY;
    if (st != KX_OK) {
        ks_query_free(q);
        return report(db, st);
    }
    cites_t c = { .out = out, .opt = opt };
    double best = 0;
    for (unsigned i = 0; i < kx_mset_size(mset); i++) {
        kx_hit_t h;
        if (kx_mset_hit(mset, i, &h) != KX_OK)
            break;
        if (i == 0)
            best = h.weight;
        if (h.weight < best * KS_CITES_SOURCE_SHARE)
            break;
        json_error_t e;
        json_t *rec = json_loadb(h.data, h.data_len, 0, &e);
        if (!rec)
            continue;
        const char *id = str(json_object_get(rec, "source"), "id");
        if (*id) {
            char term[KX_MAX_TERM_BYTES];
            snprintf(term, sizeof term, "%s%s", KI_PREFIX_SOURCE, id);
            c.source = id;
            c.source_text = str(rec, "text");
            if (!opt->json && !opt->tsv) {
                fputs("== ", out);
                ki_put_safe(out, id, strlen(id), KI_SAFE_SPACES);
                fputs("  ", out);
                put_str(out, opt, c.source_text);
                fputc('\n', out);
            }
            unsigned before = c.rank;
            st = walk_term(db, term, print_citing, &c);
            if (!opt->json && !opt->tsv && c.rank == before)
                fputs("   (not cited in any passage)\n", out);
        }
        json_decref(rec);
        if (st != KX_OK)
            break;
    }
    kx_mset_free(mset);
    ks_query_free(q);
    if (st != KX_OK)
        return report(db, st);
    if (c.rank)
        ex = KI_EXIT_OK;
    return ex;
}

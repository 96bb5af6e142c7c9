/*
 * kavosh-search - search a Kavosh index for passages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "citations.h"
#include "glossary.h"
#include "cli.h"
#include "printer.h"
#include "query.h"
#include "schema.h"
#include "search.h"

#ifndef KAVOSH_VERSION
#define KAVOSH_VERSION "unknown"
#endif

/* The longest query text accepted: far beyond any typed query, and a bound
 * on what one batch line can make the analyzer and Xapian do. */
#define KS_MAX_QUERY_BYTES 4096

static void usage(FILE *out)
{
    fprintf(out,
"Usage: kavosh-search [OPTION]... QUERY...\n"
"       kavosh-search [OPTION]... --batch FILE\n"
"       kavosh-search [OPTION]... --cites QUERY...\n"
"       kavosh-search [OPTION]... --citations | --sources\n"
"Search a Kavosh index for passages, best first. QUERY may be Persian, Russian\n"
"or English, in any spelling variant the analyzer knows.\n"
"\n"
"Query syntax:\n"
"  words              ranked: passages with more of the words, and rarer ones, first\n"
"  \"a phrase\"         the words adjacent and in this order\n"
"  +word  -word       the word is required / excluded\n"
"  a AND b, a OR b, a NOT b, (...)   boolean operators, upper case\n"
"  prefix*            any word starting with prefix\n"
"  lang:fa|ru|en      only passages in that language\n"
"  section:WORDS      only passages under a heading with these words\n"
"  source:ID          only passages of the full text of bibliography entry ID\n"
"  cites:ID           only passages citing bibliography entry ID (and the entry)\n"
"  year:1390..1400    bibliography entries of those years (Solar Hijri or Gregorian)\n"
"\n"
"Options:\n"
"  -d, --db=PATH      the index (default: $KAVOSH_DB, else ./" KI_DEFAULT_DB ");\n"
"                     repeat to search several as one (shards); PATH may be\n"
"                     tcp:HOST:PORT for an index served by xapian-tcpsrv\n"
"  -n, --limit=N      show at most N hits (default 10)\n"
"      --offset=N     skip the first N hits\n"
"      --lang=L       only passages in language L (fa, ru, en); repeatable\n"
"      --json         JSON Lines: one object per hit\n"
"      --tsv          qid, rank, passage, score separated by tabs\n"
"      --color=WHEN   highlight matches: auto (a terminal, unless NO_COLOR is set),\n"
"                     always or never\n"
"      --batch=FILE   one query per line, or ID<TAB>QUERY; - reads standard input\n"
"      --section=WORDS  only passages under a heading with these words\n"
"      --source=ID    search within the full text of bibliography entry ID\n"
"                     (a file marked by sources.tsv or a kavosh-source header)\n"
"      --no-expand    do not expand words through the index's glossary nor\n"
"                     match them by transliteration\n"
"      --explain      say which glossary expansion each hit matched through\n"
"      --show-query   print the query as Xapian runs it, on standard error\n"
"      --timing       with --batch: queries/s and p50/p99 latency on standard error\n"
"  -h, --help         show this help and exit\n"
"      --version      show the version and exit\n"
"\n"
"Citations:\n"
"      --cites        QUERY names sources (author, title, year, in any script):\n"
"                     list the passages citing them, with the citing sentence\n"
"      --citations    list every in-text citation with the bibliography entry it\n"
"                     was resolved to (or none) and the confidence\n"
"      --sources      list the bibliography with how often and where each entry\n"
"                     is cited; flag entries never cited and citations unresolved\n"
"\n"
"Exit status:\n"
"  0  at least one hit\n"
"  1  no hits\n"
"  2  usage error or malformed query\n"
"  3  index missing, locked, corrupt or of another schema version\n"
"  4  any other failure\n"
"\n"
"Examples:\n"
"  kavosh-search 'پایگاه هوایی ماناس'\n"
"  kavosh-search --json -n 3 'سازمان همکاری شانگهای'\n"
"  kavosh-search '\"بین المللی\" lang:fa'\n");
}

typedef enum out_format { OUT_TEXT, OUT_JSON, OUT_TSV } out_format_t;

typedef struct app {
    kx_db_t        *db;
    ka_analyzer_t  *an;
    out_format_t    format;
    ks_text_style_t style;
    unsigned        limit, offset;
    const char     *langs[8];
    size_t          n_langs;
    const char     *qid;        /* current batch query id */
    int             failed;     /* an output error */
    int             show_query; /* print the parsed query on stderr */
    int             explain;    /* say which expansions each hit matched through */
    ks_glossary_t  *glossary;   /* the index's glossary, NULL with --no-expand or none */
    ka_translit_t  *translit;   /* NULL with --no-expand */
    const char     *filter_section;
    const char     *filter_source;
    int             timing;     /* per-query latencies for the summary on stderr */
    double         *lat;        /* seconds per query, with timing */
    size_t          n_lat, cap_lat;
} app_t;

static int print_hit(void *ctx, const ks_hit_t *hit)
{
    app_t *a = ctx;
    switch (a->format) {
    case OUT_JSON:
        if (ks_print_json(stdout, hit, a->qid) != 0)
            a->failed = 1;
        break;
    case OUT_TSV:
        ks_print_tsv(stdout, hit, a->qid);
        break;
    case OUT_TEXT:
        ks_print_text(stdout, hit, a->qid, &a->style);
        break;
    }
    return a->failed;
}

/* Run one query. Returns the exit code it alone would give. */
static ki_exit_t run_query(app_t *a, const char *text, const char *where)
{
    if (strlen(text) > KS_MAX_QUERY_BYTES) {
        ki_error("%squery longer than %d bytes", where, KS_MAX_QUERY_BYTES);
        return KI_EXIT_USAGE;
    }
    /* --section and --source are the query's own field filters, required. */
    char *full = NULL;
    if (a->filter_section || a->filter_source) {
        size_t n = strlen(text) + 64 + (a->filter_section ? strlen(a->filter_section) : 0) +
                   (a->filter_source ? strlen(a->filter_source) : 0);
        full = malloc(n);
        if (!full) {
            ki_error("out of memory");
            return KI_EXIT_FAILURE;
        }
        snprintf(full, n, "(%s)%s%s%s%s%s", text,
                 a->filter_section ? " +section:\"" : "", a->filter_section ? a->filter_section : "",
                 a->filter_section ? "\"" : "",
                 a->filter_source ? " +source:" : "", a->filter_source ? a->filter_source : "");
        text = full;
    }
    ks_query_t *q = NULL;
    char *err = NULL;
    ks_query_options_t qopt = { .db = a->db, .glossary = a->glossary, .translit = a->translit };
    ks_query_status_t qs = ks_query_parse(a->an, text, &qopt, &q, &err);
    free(full);
    if (qs == KS_QUERY_EMPTY) {
        /* Nothing searchable (only punctuation, say): no hits, not an error. */
        ki_note("%sthe query has no words to search for", where);
        return KI_EXIT_NO_RESULTS;
    }
    if (qs != KS_QUERY_OK) {
        if (qs == KS_QUERY_SYNTAX)
            ki_error("%smalformed query: %s", where, err ? err : "syntax error");
        else
            ki_error("%scannot run the query: %s", where, err ? err : "out of memory");
        free(err);
        return qs == KS_QUERY_SYNTAX ? KI_EXIT_USAGE : KI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < a->n_langs; i++) {
        char term[32];
        snprintf(term, sizeof term, "%s%s", KI_PREFIX_LANG, a->langs[i]);
        if (ks_query_add_filter(q, term) != KS_QUERY_OK) {
            ks_query_free(q);
            ki_error("out of memory");
            return KI_EXIT_FAILURE;
        }
    }
    if (a->show_query) {
        char *d = kx_query_describe(ks_query_xapian(q));
        ki_note("%squery: %s", where, d ? d : "?");
        kx_free(d);
    }
    ks_result_t res;
    ks_search_options_t sopt = { .offset = a->offset, .limit = a->limit, .explain = a->explain,
                                 .no_snippet = a->format == OUT_TSV };
    kx_status_t st = ks_search(a->db, a->an, q, &sopt, print_hit, a, &res);
    ks_query_free(q);
    if (st != KX_OK) {
        const char *d = kx_db_last_error(a->db);
        ki_error("%ssearch failed: %s%s%s", where, kx_status_to_string(st), *d ? ": " : "", d);
        return ki_exit_for_status(st);
    }
    if (a->failed) {
        ki_error("cannot write the results");
        return KI_EXIT_FAILURE;
    }
    if (a->format == OUT_TEXT && !a->qid && res.n_hits > 0)
        printf("-- %u shown of about %u matching passages\n", res.n_hits, res.estimate);
    return res.n_hits ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

/* Combine per-query exit codes: the worst failure wins, else any hit makes 0. */
static ki_exit_t merge_exit(ki_exit_t acc, ki_exit_t e, int first)
{
    if (first)
        return e;
    if (e >= KI_EXIT_USAGE || acc >= KI_EXIT_USAGE)
        return e > acc ? e : acc;
    return (acc == KI_EXIT_OK || e == KI_EXIT_OK) ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record_latency(app_t *a, double s)
{
    if (a->n_lat == a->cap_lat) {
        size_t cap = a->cap_lat ? a->cap_lat * 2 : 256;
        double *nl = realloc(a->lat, cap * sizeof *nl);
        if (!nl)
            return;
        a->lat = nl;
        a->cap_lat = cap;
    }
    a->lat[a->n_lat++] = s;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* "queries, queries/s, p50, p99" of a batch, on stderr. */
static void print_timing(app_t *a, double total)
{
    if (a->n_lat == 0)
        return;
    qsort(a->lat, a->n_lat, sizeof *a->lat, cmp_double);
    double p50 = a->lat[(a->n_lat - 1) / 2];
    double p99 = a->lat[(size_t)((double)(a->n_lat - 1) * 0.99)];
    ki_note("timing: %zu queries in %.3f s: %.0f queries/s, latency p50 %.3f ms, p99 %.3f ms",
            a->n_lat, total, (double)a->n_lat / total, p50 * 1e3, p99 * 1e3);
}

static ki_exit_t run_batch(app_t *a, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    if (ki_read_file(path, &buf, &len) != 0) {
        ki_error("%s: cannot read: %s", path, strerror(errno));
        return KI_EXIT_USAGE;
    }
    ki_exit_t ex = KI_EXIT_NO_RESULTS;
    int first = 1;
    unsigned lineno = 0;
    char *save = NULL;
    for (char *p = buf; p && p < buf + len; p = save) {
        char *nl = memchr(p, '\n', (size_t)(buf + len - p));
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        size_t l = strlen(p);
        if (l && p[l - 1] == '\r')
            p[--l] = '\0';
        if (l == 0)
            continue;
        char idbuf[32];
        const char *qid = idbuf, *text = p;
        char *tab = strchr(p, '\t');
        if (tab) {
            *tab = '\0';
            qid = p;
            text = tab + 1;
        } else {
            snprintf(idbuf, sizeof idbuf, "%u", lineno);
        }
        char where[64 + 4096];
        snprintf(where, sizeof where, "%s:%u: ", strcmp(path, "-") == 0 ? "<stdin>" : path, lineno);
        a->qid = qid;
        double t0 = a->timing ? now_seconds() : 0;
        ki_exit_t e = run_query(a, text, where);
        if (a->timing)
            record_latency(a, now_seconds() - t0);
        ex = merge_exit(ex, e, first);
        first = 0;
        if (e == KI_EXIT_INDEX || (e == KI_EXIT_FAILURE && a->failed))
            break;
    }
    free(buf);
    return ex;
}

/* The glossary was checked when it was stored; here its problems are only
 * counted, so a large dictionary cannot bury every search under warnings. */
static void glossary_diag(void *ctx, const char *source, size_t line, const char *message)
{
    (void)source;
    (void)line;
    (void)message;
    (*(size_t *)ctx)++;
}

/* The glossary travels with the index, in its metadata: expansion needs no
 * Xapian synonyms, which the remote backend does not serve. */
static ki_exit_t load_glossary(app_t *a)
{
    char *text = NULL;
    kx_status_t st = kx_db_get_metadata(a->db, KI_META_GLOSSARY, &text);
    if (st != KX_OK) {
        ki_error("cannot read the glossary from the index: %s", kx_db_last_error(a->db));
        return ki_exit_for_status(st);
    }
    if (!text || !*text) {
        kx_free(text);
        return KI_EXIT_OK;
    }
    size_t problems = 0;
    ks_glossary_status_t gs = ks_glossary_new(&a->glossary);
    if (gs == KS_GLOSSARY_OK)
        gs = ks_glossary_add_tsv(a->glossary, a->an, "(index glossary)", text, strlen(text),
                                 glossary_diag, &problems, NULL);
    kx_free(text);
    if (problems)
        ki_warn("%zu lines of the index's glossary could not be used and were skipped",
                problems);
    if (gs != KS_GLOSSARY_OK) {
        ki_error("cannot load the index's glossary: %s", ks_glossary_status_to_string(gs));
        return KI_EXIT_FAILURE;
    }
    return KI_EXIT_OK;
}

static int parse_uint(const char *s, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > 1000000 || s[0] == '-')
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    ki_set_program("kavosh-search");
    enum { OPT_VERSION = 256, OPT_JSON, OPT_TSV, OPT_COLOR, OPT_BATCH, OPT_OFFSET, OPT_LANG, OPT_SHOW_QUERY, OPT_CITES, OPT_CITATIONS, OPT_SOURCES,
           OPT_SECTION, OPT_SOURCE, OPT_NO_EXPAND, OPT_EXPLAIN, OPT_TIMING };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "limit", required_argument, NULL, 'n' },
        { "offset", required_argument, NULL, OPT_OFFSET },
        { "lang", required_argument, NULL, OPT_LANG },
        { "json", no_argument, NULL, OPT_JSON },
        { "tsv", no_argument, NULL, OPT_TSV },
        { "color", required_argument, NULL, OPT_COLOR },
        { "colour", required_argument, NULL, OPT_COLOR },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "show-query", no_argument, NULL, OPT_SHOW_QUERY },
        { "cites", no_argument, NULL, OPT_CITES },
        { "section", required_argument, NULL, OPT_SECTION },
        { "source", required_argument, NULL, OPT_SOURCE },
        { "no-expand", no_argument, NULL, OPT_NO_EXPAND },
        { "explain", no_argument, NULL, OPT_EXPLAIN },
        { "timing", no_argument, NULL, OPT_TIMING },
        { "citations", no_argument, NULL, OPT_CITATIONS },
        { "sources", no_argument, NULL, OPT_SOURCES },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    app_t a = { .limit = 10 };
    const char *dbs[64], *batch = NULL, *color = "auto";
    size_t n_dbs = 0;
    enum { MODE_SEARCH, MODE_CITES, MODE_CITATIONS, MODE_SOURCES } mode = MODE_SEARCH;
    int modes = 0, no_expand = 0;
    int c;
    while ((c = getopt_long(argc, argv, "d:n:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (n_dbs == sizeof dbs / sizeof dbs[0]) {
                ki_error("at most %zu indexes (-d) at once", sizeof dbs / sizeof dbs[0]);
                return KI_EXIT_USAGE;
            }
            dbs[n_dbs++] = optarg;
            break;
        case 'n':
            if (parse_uint(optarg, &a.limit) != 0) {
                ki_error("--limit wants a number from 0 to 1000000, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            break;
        case OPT_OFFSET:
            if (parse_uint(optarg, &a.offset) != 0) {
                ki_error("--offset wants a number from 0 to 1000000, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            break;
        case OPT_LANG:
            if (strcmp(optarg, "fa") && strcmp(optarg, "ru") && strcmp(optarg, "en")) {
                ki_error("--lang wants fa, ru or en, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            if (a.n_langs < sizeof a.langs / sizeof a.langs[0])
                a.langs[a.n_langs++] = optarg;
            break;
        case OPT_JSON: a.format = OUT_JSON; break;
        case OPT_TSV: a.format = OUT_TSV; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                ki_error("--color wants auto, always or never, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            color = optarg;
            break;
        case OPT_BATCH: batch = optarg; break;
        case OPT_SHOW_QUERY: a.show_query = 1; break;
        case OPT_CITES: mode = MODE_CITES; modes++; break;
        case OPT_SECTION:
            if (strchr(optarg, '"') || !*optarg) {
                ki_error("--section wants words without double quotes");
                return KI_EXIT_USAGE;
            }
            a.filter_section = optarg;
            break;
        case OPT_SOURCE:
            if (strpbrk(optarg, " \t\"()") || !*optarg) {
                ki_error("--source wants a source id such as article.fa.md#ref-12");
                return KI_EXIT_USAGE;
            }
            a.filter_source = optarg;
            break;
        case OPT_NO_EXPAND: no_expand = 1; break;
        case OPT_EXPLAIN: a.explain = 1; break;
        case OPT_TIMING: a.timing = 1; break;
        case OPT_CITATIONS: mode = MODE_CITATIONS; modes++; break;
        case OPT_SOURCES: mode = MODE_SOURCES; modes++; break;
        case 'h': usage(stdout); return KI_EXIT_OK;
        case OPT_VERSION: printf("kavosh-search %s\n", KAVOSH_VERSION); return KI_EXIT_OK;
        default:
            fprintf(stderr, "Try 'kavosh-search --help' for more information.\n");
            return KI_EXIT_USAGE;
        }
    }
    if (modes + (batch != NULL) > 1) {
        ki_error("give only one of --batch, --cites, --citations and --sources");
        return KI_EXIT_USAGE;
    }
    if ((mode == MODE_CITATIONS || mode == MODE_SOURCES) && optind < argc) {
        ki_error("--citations and --sources take no QUERY");
        return KI_EXIT_USAGE;
    }
    if (!batch && optind >= argc && mode != MODE_CITATIONS && mode != MODE_SOURCES) {
        ki_error("no query given");
        fprintf(stderr, "Try 'kavosh-search --help' for more information.\n");
        return KI_EXIT_USAGE;
    }
    if (batch && optind < argc) {
        ki_error("give either --batch or a QUERY, not both");
        return KI_EXIT_USAGE;
    }
    if (strcmp(color, "always") == 0)
        a.style.color = 1;
    else if (strcmp(color, "auto") == 0) {
        const char *nc = getenv("NO_COLOR");
        a.style.color = isatty(STDOUT_FILENO) && !(nc && *nc);
    }

    /* The query words, joined by spaces, are one query. */
    char *query = NULL;
    if (!batch) {
        size_t total = 1;
        for (int i = optind; i < argc; i++)
            total += strlen(argv[i]) + 1;
        query = malloc(total);
        if (!query) {
            ki_error("out of memory");
            return KI_EXIT_FAILURE;
        }
        query[0] = '\0';
        for (int i = optind; i < argc; i++) {
            if (i > optind)
                strcat(query, " ");
            strcat(query, argv[i]);
        }
    }

    if (n_dbs == 0)
        dbs[n_dbs++] = ki_db_path(NULL);
    ki_exit_t ex = ki_open_indexes(dbs, n_dbs, &a.db);
    if (ex != KI_EXIT_OK) {
        free(query);
        return ex;
    }
    ka_status_t ast = ka_analyzer_new(&a.an);
    if (ast != KA_OK) {
        ki_error("cannot create the analyzer: %s", ka_status_to_string(ast));
        kx_db_close(a.db);
        free(query);
        return KI_EXIT_FAILURE;
    }
    if (!no_expand && (mode == MODE_SEARCH || mode == MODE_CITES)) {
        a.translit = ka_translit_new();
        ex = a.translit ? load_glossary(&a) : KI_EXIT_FAILURE;
        if (!a.translit)
            ki_error("cannot create the transliterator (ICU data missing?)");
        if (ex != KI_EXIT_OK) {
            ka_analyzer_free(a.an);
            kx_db_close(a.db);
            free(query);
            return ex;
        }
    }
    ks_cite_options_t copt = { .json = a.format == OUT_JSON, .limit = a.limit, .glossary = a.glossary,
                              .translit = a.translit };
    switch (mode) {
    case MODE_CITES: ex = ks_print_cites(a.db, a.an, query, stdout, &copt); break;
    case MODE_CITATIONS: ex = ks_print_citations(a.db, stdout, &copt); break;
    case MODE_SOURCES: ex = ks_print_sources(a.db, stdout, &copt); break;
    case MODE_SEARCH:
        if (batch) {
            double t0 = now_seconds();
            ex = run_batch(&a, batch);
            if (a.timing)
                print_timing(&a, now_seconds() - t0);
        } else {
            ex = run_query(&a, query, "");
        }
        break;
    }
    if (fflush(stdout) != 0 && ex < KI_EXIT_USAGE) {
        ki_error("cannot write the results: %s", strerror(errno));
        ex = KI_EXIT_FAILURE;
    }
    free(a.lat);
    ka_translit_free(a.translit);
    ks_glossary_free(a.glossary);
    ka_analyzer_free(a.an);
    kx_db_close(a.db);
    free(query);
    return ex;
}

/*
 * kavosh-search - search a Kavosh index for passages.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "strbuf.h"
#include "citations.h"
#include "glossary.h"
#include "glossary_lookup.h"
#include "cli.h"
#include "printer.h"
#include "query.h"
#include "run.h"
#include "search.h"

#ifndef KAVOSH_VERSION
#define KAVOSH_VERSION "unknown"
#endif


/* The terminal's width in columns: the window size, else $COLUMNS, else 80. */
static unsigned ks_terminal_width(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    long v = c ? strtol(c, NULL, 10) : 0;
    return v > 0 && v < 10000 ? (unsigned)v : 80;
}

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
"  +word  -word       the word is required / excluded; a QUERY may start with\n"
"                     -word ('-روسیه شانگهای'); -- ends the options anyway\n"
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
"                     tcp:HOST:PORT for an index served by xapian-tcpsrv, or\n"
"                     a Xapian stub file listing shards (auto PATH, remote\n"
"                     HOST:PORT lines)\n"
"  -n, --limit=N      show at most N hits (default 10)\n"
"      --offset=N     skip the first N hits\n"
"      --lang=L       only passages in language L (fa, ru, en); repeatable\n"
"      --json         JSON Lines: one object per hit\n"
"      --tsv          qid, rank, passage, score separated by tabs\n"
"      --color=WHEN   highlight matches: auto (a terminal, unless NO_COLOR is set\n"
"                     or TERM=dumb), always or never\n"
"      --bidi=ORDER   right-to-left text on a terminal: logical (the default:\n"
"                     the terminal's bidi algorithm lays it out, each line\n"
"                     isolated) or visual (reordered and shaped here, for\n"
"                     terminals without one: xterm, tmux, the Linux console)\n"
"      --batch=FILE   one query per line, or ID<TAB>QUERY; - reads standard input;\n"
"                     # lines and blank lines are skipped; every query gets a\n"
"                     record: its hits, a zero-hit record or an error record\n"
"      --section=WORDS  only passages under a heading with these words\n"
"      --source=ID    search within the full text of bibliography entry ID\n"
"                     (a file marked by sources.tsv or a kavosh-source header)\n"
"      --no-expand    do not expand words through the index's glossary (the\n"
"                     default lexicon, ICU's names, folders' glossaries and\n"
"                     dictionaries) nor match them by transliteration\n"
"      --no-coverage  rank by BM25 alone: without it, the first 20 hits are\n"
"                     ranked again by their score times the share of the\n"
"                     query's words (in any of their forms) they match\n"
"      --explain      say which glossary expansion each hit matched through\n"
"      --show-query   print the query as Xapian runs it, on standard error\n"
"      --timing       with --batch: queries/s and p50/p99 latency on standard error\n"
"      --time-limit=SECONDS  the time one query may take (default 2; 0: none):\n"
"                     past it the match counts are estimates and hits after\n"
"                     the first are not shown, with a warning\n"
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
"  0  at least one hit (a batch: some query had hits, none failed)\n"
"  1  no hits (a batch: no query had hits, none failed)\n"
"  2  usage error or malformed query (a batch: some line was malformed)\n"
"  3  index missing, locked, corrupt or of another schema version\n"
"  4  any other failure\n"
"\n"
"Examples:\n"
"  kavosh-search 'پایگاه هوایی ماناس'\n"
"  kavosh-search --json -n 3 'سازمان همکاری شانگهای'\n"
"  kavosh-search '\"بین المللی\" lang:fa'\n");
}

/* Whether arg is an option getopt should see. "-روسیه" and "-war" are
 * query words excluding a word, not clusters of unknown short options: an
 * argument starting with one dash is an option only when its first letter
 * is one of ours (-d PATH, -dPATH, -n N, -nN with digits, -h alone or in a
 * cluster of flags). Long options ("--...") always are. */
static int looks_like_option(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0')
        return 0;
    if (arg[1] == '-')
        return 1;
    switch (arg[1]) {
    case 'd':
        return 1;
    case 'n':
        for (const char *p = arg + 2; *p; p++)
            if (*p < '0' || *p > '9')
                return 0;
        return 1;
    case 'h':
        return arg[2] == '\0';
    default:
        return 0;
    }
}

/* Whether the long option arg ("--name" or an unambiguous prefix of one,
 * without "=value") takes the next argument as its value. */
static int long_takes_value(const struct option *opts, const char *arg)
{
    const char *name = arg + 2;
    if (strchr(name, '='))
        return 0;
    size_t n = strlen(name);
    int found = -1, matches = 0;
    for (int k = 0; opts[k].name; k++) {
        if (strncmp(opts[k].name, name, n) != 0)
            continue;
        if (strlen(opts[k].name) == n) {
            found = k;
            matches = 1;
            break;
        }
        found = k;
        matches++;
    }
    return matches == 1 && opts[found].has_arg == required_argument;
}

/* Put the options first, then "--", then the query words, so that getopt
 * takes a query word starting with "-" for what it is. Returns the new
 * argc and fills out (argc + 3 entries); -1 out of memory, -2 when an option
 * wanting a value is last (*missing names it). */
static int order_arguments(int argc, char **argv, const struct option *opts, char **out,
                           const char **missing)
{
    int n = 0, words = 0;
    char **w = out + argc + 1;   /* words collected at the end, copied back after */
    out[n++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                w[-(++words)] = argv[i];
            break;
        }
        if (!looks_like_option(arg)) {
            w[-(++words)] = argv[i];
            continue;
        }
        out[n++] = argv[i];
        int value = arg[1] == '-' ? long_takes_value(opts, arg)
                                  : (arg[1] == 'd' || arg[1] == 'n') && arg[2] == '\0';
        if (value && i + 1 >= argc) {
            *missing = arg;
            return -2;
        }
        if (value)
            out[n++] = argv[++i];
    }
    out[n++] = "--";
    /* The words were stored backwards from the end; put them in order. */
    char **tmp = malloc((size_t)(words ? words : 1) * sizeof *tmp);
    if (!tmp)
        return -1;
    for (int k = 0; k < words; k++)
        tmp[k] = w[-(k + 1)];
    for (int k = 0; k < words; k++)
        out[n++] = tmp[k];
    free(tmp);
    out[n] = NULL;
    return n;
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

/* The names of the shards behind the -d PATHs, to name each hit's index: a
 * PATH that is a Xapian stub database file (a text file of lines "auto
 * PATH", "glass PATH" or "remote HOST:PORT", PATH relative to the stub's
 * folder) stands for its lines' databases, named PATH or tcp:HOST:PORT.
 * *names_out (malloc'd strings, freed with free_names) gets them when they
 * are as many as the shards Xapian opened; else the PATHs themselves when
 * they are; else nothing (the hits are not named). */
static size_t shard_names(const char *const *dbs, size_t n_dbs, unsigned shards, char ***names_out)
{
    *names_out = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int ok = 1;
    for (size_t i = 0; ok && i < n_dbs; i++) {
        struct stat sb;
        char *buf = NULL;
        size_t len = 0;
        int stub = strncmp(dbs[i], "tcp:", 4) != 0 && stat(dbs[i], &sb) == 0 &&
                   S_ISREG(sb.st_mode) && sb.st_size < (1 << 20) &&
                   ki_read_file(dbs[i], &buf, &len) == 0;
        const char *slash = strrchr(dbs[i], '/');
        size_t dir_len = slash ? (size_t)(slash - dbs[i]) + 1 : 0;
        for (char *line = stub ? buf : NULL; ok && line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            char *type = line + strspn(line, " \t");
            line = nl ? nl + 1 : NULL;
            if (!*type || *type == '#')
                continue;
            char *rest = type + strcspn(type, " \t");
            if (*rest)
                *rest++ = '\0';
            rest += strspn(rest, " \t");
            size_t rl = strlen(rest);
            while (rl && (rest[rl - 1] == ' ' || rest[rl - 1] == '\t' || rest[rl - 1] == '\r'))
                rest[--rl] = '\0';
            char *name = NULL;
            if (strcmp(type, "remote") == 0 && rl) {
                name = malloc(rl + 5);
                if (name)
                    snprintf(name, rl + 5, "tcp:%s", rest);
            } else if ((strcmp(type, "auto") == 0 || strcmp(type, "glass") == 0) && rl) {
                size_t d = rest[0] == '/' ? 0 : dir_len;
                name = malloc(d + rl + 1);
                if (name) {
                    memcpy(name, dbs[i], d);
                    memcpy(name + d, rest, rl + 1);
                }
            }
            if (!name) {
                ok = 0;
                break;
            }
            char **nv = kd_vec_grow(names, &cap, n + 1, sizeof *nv, 8);
            if (!nv) {
                free(name);
                ok = 0;
                break;
            }
            names = nv;
            names[n++] = name;
        }
        free(buf);
        if (ok && !stub) {
            char **nv = kd_vec_grow(names, &cap, n + 1, sizeof *nv, 8);
            if (!nv) {
                ok = 0;
                break;
            }
            names = nv;
            if ((names[n] = strdup(dbs[i])) == NULL)
                ok = 0;
            else
                n++;
        }
    }
    if (!ok || n != shards) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        names = NULL;
        n = 0;
    }
    *names_out = names;
    return n;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int main(int argc, char **argv)
{
#ifdef M_TRIM_THRESHOLD
    /* Each query of a batch frees what it built (its hits' JSON, the
     * buffer they are printed to); glibc would give the top of the heap
     * back to the kernel after each one and fault it in again for the
     * next, a tenth of a --json batch. Keep up to 64 MB. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 1 << 20);
#endif
    ki_set_program("kavosh-search");
    enum { OPT_VERSION = 256, OPT_JSON, OPT_TSV, OPT_COLOR, OPT_BATCH, OPT_OFFSET, OPT_LANG, OPT_SHOW_QUERY, OPT_CITES, OPT_CITATIONS, OPT_SOURCES,
           OPT_SECTION, OPT_SOURCE, OPT_NO_EXPAND, OPT_NO_COVERAGE, OPT_EXPLAIN, OPT_TIMING, OPT_BIDI, OPT_TIME_LIMIT };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "limit", required_argument, NULL, 'n' },
        { "offset", required_argument, NULL, OPT_OFFSET },
        { "lang", required_argument, NULL, OPT_LANG },
        { "json", no_argument, NULL, OPT_JSON },
        { "tsv", no_argument, NULL, OPT_TSV },
        { "color", required_argument, NULL, OPT_COLOR },
        { "colour", required_argument, NULL, OPT_COLOR },
        { "bidi", required_argument, NULL, OPT_BIDI },
        { "batch", required_argument, NULL, OPT_BATCH },
        { "show-query", no_argument, NULL, OPT_SHOW_QUERY },
        { "cites", no_argument, NULL, OPT_CITES },
        { "section", required_argument, NULL, OPT_SECTION },
        { "source", required_argument, NULL, OPT_SOURCE },
        { "no-expand", no_argument, NULL, OPT_NO_EXPAND },
        { "explain", no_argument, NULL, OPT_EXPLAIN },
        { "no-coverage", no_argument, NULL, OPT_NO_COVERAGE },
        { "timing", no_argument, NULL, OPT_TIMING },
        { "time-limit", required_argument, NULL, OPT_TIME_LIMIT },
        { "citations", no_argument, NULL, OPT_CITATIONS },
        { "sources", no_argument, NULL, OPT_SOURCES },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    ks_run_t a = { .out = stdout, .limit = 10, .time_limit = KS_TIME_LIMIT };
    const char *dbs[64], *batch = NULL, *color = "auto", *bidi = "logical";
    size_t n_dbs = 0;
    enum { MODE_SEARCH, MODE_CITES, MODE_CITATIONS, MODE_SOURCES } mode = MODE_SEARCH;
    int modes = 0, no_expand = 0;
    /* Static, so that it stays reachable (no leak) whichever return is taken. */
    static char **args;
    args = malloc((size_t)(argc + 3) * sizeof *args);
    const char *missing = NULL;
    int nargs = args ? order_arguments(argc, argv, longopts, args, &missing) : -1;
    if (nargs == -2) {
        ki_error("option '%s' needs a value", missing);
        fprintf(stderr, "Try 'kavosh-search --help' for more information.\n");
        return KI_EXIT_USAGE;
    }
    if (nargs < 0) {
        ki_error("out of memory");
        return KI_EXIT_FAILURE;
    }
    argc = nargs;
    argv = args;
    /* getopt's own messages would print a lone byte of a UTF-8 sequence
     * ("invalid option -- '\xD8'"): ours go through ki_error. */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:d:n:h", longopts, NULL)) != -1) {
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
        case OPT_JSON: a.format = KS_OUT_JSON; break;
        case OPT_TSV: a.format = KS_OUT_TSV; break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                ki_error("--color wants auto, always or never, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            color = optarg;
            break;
        case OPT_BIDI:
            if (strcmp(optarg, "logical") && strcmp(optarg, "visual")) {
                ki_error("--bidi wants logical or visual, not '%s'", optarg);
                return KI_EXIT_USAGE;
            }
            bidi = optarg;
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
        case OPT_NO_COVERAGE: a.no_coverage = 1; break;
        case OPT_TIMING: a.timing = 1; break;
        case OPT_TIME_LIMIT: {
            char *end = NULL;
            errno = 0;
            double v = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(v >= 0) || v > 86400) {
                ki_error("--time-limit wants seconds from 0 (no limit) to 86400, not '%s'",
                         optarg);
                return KI_EXIT_USAGE;
            }
            a.time_limit = v;
            break;
        }
        case OPT_CITATIONS: mode = MODE_CITATIONS; modes++; break;
        case OPT_SOURCES: mode = MODE_SOURCES; modes++; break;
        case 'h': usage(stdout); return KI_EXIT_OK;
        case OPT_VERSION: printf("kavosh-search %s\n", KAVOSH_VERSION); return KI_EXIT_OK;
        case ':':
            ki_error("option '%s' needs a value", argv[optind - 1]);
            fprintf(stderr, "Try 'kavosh-search --help' for more information.\n");
            return KI_EXIT_USAGE;
        default:
            if (optopt && optopt != '?' && optopt < 0x80 && argv[optind - 1][1] != '-')
                ki_error("unknown option '-%c'", optopt);
            else
                ki_error("unknown option '%s'", argv[optind - 1]);
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
    /* A terminal gets colour (unless NO_COLOR is set or TERM=dumb), lines
     * wrapped to its width, and isolates around right-to-left text, or
     * fribidi's visual order with --bidi=visual; a pipe gets none of it. */
    int tty = isatty(STDOUT_FILENO);
    const char *term = getenv("TERM");
    int dumb = term && strcmp(term, "dumb") == 0;
    if (strcmp(color, "always") == 0)
        a.style.color = 1;
    else if (strcmp(color, "auto") == 0) {
        const char *nc = getenv("NO_COLOR");
        a.style.color = tty && !dumb && !(nc && *nc);
    }
    a.style.visual = strcmp(bidi, "visual") == 0;
    a.style.isolates = tty && !dumb && !a.style.visual;
    a.style.width = tty ? ks_terminal_width(STDOUT_FILENO) : 0;

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
    /* Stub database files name the shards behind them. */
    char **names = NULL;
    size_t n_names = shard_names(dbs, n_dbs, kx_db_shard_count(a.db), &names);
    a.db_names = (const char *const *)names;
    a.n_db_names = n_names;
    ka_status_t ast = ka_analyzer_new(&a.an);
    if (ast != KA_OK) {
        ki_error("cannot create the analyzer: %s", ka_status_to_string(ast));
        kx_db_close(a.db);
        free_names(names, n_names);
        free(query);
        return KI_EXIT_FAILURE;
    }
    if (!no_expand && (mode == MODE_SEARCH || mode == MODE_CITES)) {
        ex = ka_translit_new(&a.translit) == KA_OK ? ks_run_load_glossary(&a) : KI_EXIT_FAILURE;
        if (!a.translit)
            ki_error("cannot create the transliterator (ICU data missing?)");
        if (ex != KI_EXIT_OK) {
            ka_analyzer_free(a.an);
            kx_db_close(a.db);
            free_names(names, n_names);
            free(query);
            return ex;
        }
    }
    /* --cites expands its one text: the concepts it can reach, from the
     * lookup tables when the index has them. */
    if (mode == MODE_CITES && a.glossary_lookup && query && !a.glossary &&
        ks_glossary_lookup(a.db, a.an, NULL, query, &a.glossary) != KS_GLOSSARY_OK)
        ki_warn("the index's glossary tables could not all be read; some words are not expanded");
    ks_cite_options_t copt = { .json = a.format == KS_OUT_JSON, .tsv = a.format == KS_OUT_TSV,
                               .isolates = a.style.isolates, .style = &a.style, .limit = a.limit, .glossary = a.glossary,
                              .translit = a.translit };
    switch (mode) {
    case MODE_CITES: ex = ks_print_cites(a.db, a.an, query, stdout, &copt); break;
    case MODE_CITATIONS: ex = ks_print_citations(a.db, stdout, &copt); break;
    case MODE_SOURCES: ex = ks_print_sources(a.db, stdout, &copt); break;
    case MODE_SEARCH:
        if (batch) {
            double t0 = ks_run_now();
            ex = ks_run_batch(&a, batch);
            if (a.timing)
                ks_run_print_timing(&a, ks_run_now() - t0);
        } else {
            ex = ks_run_query(&a, query, "");
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
    free_names(names, n_names);
    free(query);
    return ex;
}

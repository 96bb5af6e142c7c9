/*
 * kavosh-index - build or update a Kavosh index from Markdown, text, HTML, PDF, DOCX, ODT
 * and EPUB files.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "cli.h"
#include "glossary.h"
#include "index.h"
#include "rebuild.h"

#ifndef KAVOSH_VERSION
#define KAVOSH_VERSION "unknown"
#endif

static void usage(FILE *out)
{
    fprintf(out,
"Usage: kavosh-index [OPTION]... [PATH]...\n"
"       kavosh-index [-d DB] --list | --stats\n"
"Index Markdown (.md, .markdown), text (.txt, .text), HTML (.html, .htm,\n"
".xhtml), PDF (.pdf), Word (.docx), OpenDocument (.odt) and EPUB (.epub)\n"
"files as passages for kavosh-search. Headings make the section path;\n"
"footnotes and endnotes become glosses of the passage that cites them.\n"
"Text files may be UTF-8, UTF-16 with a byte order mark, or another encoding\n"
"(windows-1256, windows-1251, KOI8-R, ISO-8859-x...) guessed by ICU with a\n"
"warning naming it; --encoding chooses it. A PDF's passages carry their page;\n"
"a PDF without text (scanned) or a damaged file is reported and counted\n"
"as failed.\n"
"\n"
"A PATH may be a file or a folder, walked recursively: hidden entries are\n"
"passed over, every folder is entered once (link loops end), special files\n"
"(FIFOs, devices, sockets) and files of other types are skipped without\n"
"being opened and counted in a line after the summary (\"skipped 4: 3 .xyz,\n"
"1 fifo\"; -v names them).\n"
"\n"
"A file is known by its path as given: papers/notes.md and notes/notes.md are\n"
"two documents, and indexing one folder never touches another's files.\n"
"Unchanged files are skipped, changed ones replaced, and files gone from a\n"
"folder PATH deleted from the index. With no PATH, the index is brought up to\n"
"date with every folder and file it was built from, from wherever it runs;\n"
"only a new index with nothing named gets the bundled corpus.\n"
"\n"
"A .kavoshignore in any folder lists globs (one a line, # comments) of files\n"
"and folders below it to leave out, as --exclude does.\n"
"\n"
"A directory PATH's top-level glossary.tsv (fa, ru, en columns), every\n"
"--dict file and the footnote glosses of the indexed texts are stored in the\n"
"index for kavosh-search's cross-language expansion, together with the\n"
"default trilingual lexicon installed with Kavosh (its *.tsv files) and the\n"
"names of countries, languages, scripts and cities ICU knows in Persian,\n"
"Russian and English; all of it is stored analysed, so searches start fast.\n"
"\n"
"The full text of a cited work is marked as such by a line FILE<TAB>ENTRY in a\n"
"sources.tsv beside it, or by a first line <!-- kavosh-source: ENTRY -->, where\n"
"ENTRY is a bibliography entry id as kavosh-search --sources shows them\n"
"(papers/article.fa.md#ref-12), or as the folder sees it (article.fa.md#ref-12);\n"
"kavosh-search --source ENTRY then searches it alone.\n"
"\n"
"  -d, --db=PATH       the index (default: $KAVOSH_DB, else ./" KI_DEFAULT_DB ")\n"
"      --rebuild       start over: build a new index beside the old one (from\n"
"                      the PATHs, or with none from the same folders, files\n"
"                      and --dict glossaries), compact it and swap it in at\n"
"                      the end; until then the old index stays whole\n"
"      --exclude=GLOB  leave out files and folders matching GLOB (a base name,\n"
"                      or a path below the PATH if it has a '/'; a trailing '/'\n"
"                      matches folders only); repeatable, kept with the folder\n"
"      --include=GLOB  index only the files matching GLOB; repeatable, kept\n"
"                      with the folder likewise\n"
"      --encoding=NAME read text files (.txt, .md, .html) in this encoding\n"
"                      (an ICU name: windows-1256, KOI8-R, ...) instead of\n"
"                      detecting it; for this run\n"
"      --dict=FILE     also store this glossary: TSV with a fa/ru/en header,\n"
"                      or a FreeDict/dictd dictionary (NAME.index with\n"
"                      NAME.dict or NAME.dict.dz); repeatable\n"
"      --dict-langs=SRC,DST  languages of the --dict dictionaries (e.g. en,ru;\n"
"                      default: from the file name, as in freedict-eng-rus)\n"
"      --no-lexicon    leave the default lexicon and ICU's names out of the\n"
"                      index (and drop them if it has them)\n"
"      --list          list the indexed files: name, passages, bytes, hash and\n"
"                      real path; TAB, newline and backslash escaped\n"
"      --stats         show what the index holds and its size\n"
"  -j, --jobs=N        workers building a new index or a --rebuild in parallel\n"
"                      (default: one per online CPU; with no -j, under 2 MB of\n"
"                      input stays with one); an update of an existing index\n"
"                      uses one writer in place\n"
"  -q, --quiet         no progress, no summary, no warnings about the input\n"
"  -v, --verbose       a line per file\n"
"  -h, --help          show this help and exit\n"
"      --version       show the version and exit\n"
"\n"
"On a terminal a progress line (files, passages, MB/s, time left) is shown on\n"
"standard error; a summary line ends every run unless --quiet is given.\n"
"\n"
"Environment:\n"
"  KAVOSH_DB      the index when -d is not given\n"
"  KAVOSH_CORPUS  the folder indexed into a new index when nothing is named\n"
"  KAVOSH_LEXICON the folder of the default lexicon's *.tsv files (default:\n"
"                 the one installed with Kavosh)\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  2  usage error (also an unknown --encoding)\n"
"  3  index missing (--list, --stats), locked, corrupt or of another schema\n"
"     version\n"
"  4  any other failure (a file could not be read or written; the others\n"
"     were indexed)\n"
"  5  the system refused to write the index (disk full, I/O error): stopped\n"
"     there; the index stays at its last commit\n"
"\n"
"Examples:\n"
"  kavosh-index -d ~/kavosh.db ~/papers ~/notes\n"
"  kavosh-index -d ~/kavosh.db            # later: update both folders\n"
"  kavosh-index --exclude 'drafts/' --exclude '*.tmp.md' ~/papers\n"
"  kavosh-index --dict /usr/share/dictd/freedict-eng-rus.index ~/papers\n"
"  kavosh-index --stats\n");
}

/* The bundled corpus: the source tree's when run from a build, else the installed copy. */
static const char *bundled_corpus(void)
{
    const char *env = getenv("KAVOSH_CORPUS");
    if (env && *env)
        return env;
    static const char *const candidates[] = {
#ifdef KAVOSH_SOURCE_CORPUS
        KAVOSH_SOURCE_CORPUS,
#endif
#ifdef KAVOSH_INSTALLED_CORPUS
        KAVOSH_INSTALLED_CORPUS,
#endif
        NULL,
    };
    for (size_t i = 0; candidates[i]; i++) {
        struct stat sb;
        if (stat(candidates[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            return candidates[i];
    }
    return NULL;
}

/* The default lexicon: the source tree's when run from a build, else the
 * installed copy; $KAVOSH_LEXICON overrides both. */
static const char *default_lexicon(void)
{
    const char *env = getenv("KAVOSH_LEXICON");
    if (env && *env) {
        struct stat sb;
        if (stat(env, &sb) != 0 || !S_ISDIR(sb.st_mode))
            ki_warn("KAVOSH_LEXICON=%s: not a folder; no default lexicon is stored", env);
        return env;
    }
    static const char *const candidates[] = {
#ifdef KAVOSH_SOURCE_LEXICON
        KAVOSH_SOURCE_LEXICON,
#endif
#ifdef KAVOSH_INSTALLED_LEXICON
        KAVOSH_INSTALLED_LEXICON,
#endif
        NULL,
    };
    for (size_t i = 0; candidates[i]; i++) {
        struct stat sb;
        if (stat(candidates[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            return candidates[i];
    }
    return NULL;
}

/* "en,ru": two different languages of the glossary. */
static int valid_dict_langs(const char *s)
{
    const char *comma = strchr(s, ',');
    if (!comma)
        return 0;
    int a = ks_glossary_lang_from_code(s, (size_t)(comma - s));
    int b = ks_glossary_lang_from_code(comma + 1, strlen(comma + 1));
    return a >= 0 && b >= 0 && a != b;
}

/* --list and --stats: read-only, no PATH. */
static ki_exit_t inspect(const char *db_opt, int list, int stats, int n_args,
                         const ki_options_t *opt)
{
    if (n_args > 0 || opt->rebuild || opt->n_dicts) {
        ki_error("--list and --stats take no PATH and no --rebuild or --dict");
        return KI_EXIT_USAGE;
    }
    const char *db_path = ki_db_path(db_opt);
    kx_db_t *db = NULL;
    ki_exit_t ex = ki_open_index(db_path, 0, &db);
    if (ex != KI_EXIT_OK)
        return ex;
    if (list)
        ex = ki_list(db, stdout);
    if (stats && ex == KI_EXIT_OK)
        ex = ki_stats(db, db_path, stdout);
    kx_db_close(db);
    if (fflush(stdout) != 0 && ex == KI_EXIT_OK) {
        ki_error("cannot write: %s", strerror(errno));
        ex = KI_EXIT_FAILURE;
    }
    return ex;
}

/* The line that ends a run: what was done, and how fast. MB/s counts the
 * bytes of the files written, over the whole run (final commit included). */
static void print_summary(const ki_summary_t *s, const char *db_path)
{
    double mb = (double)s->bytes / 1e6;
    char gloss[96] = "";
    if (s->glossaries)
        snprintf(gloss, sizeof gloss, "; %u glossar%s, %zu entries", s->glossaries,
                 s->glossaries == 1 ? "y" : "ies", s->glossary_entries);
    ki_note("%u file%s: %u indexed, %u unchanged, %u removed, %u failed; %lu passage%s, "
            "%llu bytes (%.2f MB) in %.2f s (%.2f MB/s)%s -> %s",
            s->files_seen, s->files_seen == 1 ? "" : "s", s->files_indexed,
            s->files_unchanged, s->files_removed, s->files_failed, s->passages,
            s->passages == 1 ? "" : "s", s->bytes, mb, s->seconds,
            s->seconds > 0 ? mb / s->seconds : 0.0, gloss, db_path);
}

static void free_args(const char **a, const char **b, const char **c)
{
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    ki_set_program("kavosh-index");
    enum { OPT_REBUILD = 256, OPT_VERSION, OPT_DICT, OPT_DICT_LANGS, OPT_LIST, OPT_STATS,
           OPT_EXCLUDE, OPT_INCLUDE, OPT_ENCODING, OPT_NO_LEXICON };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "rebuild", no_argument, NULL, OPT_REBUILD },
        { "dict", required_argument, NULL, OPT_DICT },
        { "dict-langs", required_argument, NULL, OPT_DICT_LANGS },
        { "list", no_argument, NULL, OPT_LIST },
        { "exclude", required_argument, NULL, OPT_EXCLUDE },
        { "include", required_argument, NULL, OPT_INCLUDE },
        { "encoding", required_argument, NULL, OPT_ENCODING },
        { "stats", no_argument, NULL, OPT_STATS },
        { "no-lexicon", no_argument, NULL, OPT_NO_LEXICON },
        { "jobs", required_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    const char *db_opt = NULL;
    ki_options_t opt = { 0 };
    int list = 0, stats = 0, no_lexicon = 0;
    /* --dict arguments, borrowed from argv; there are never more than argc. */
    const char **dicts = calloc((size_t)argc + 1, sizeof *dicts);
    if (!dicts) {
        ki_error("out of memory");
        return KI_EXIT_FAILURE;
    }
    opt.dicts = dicts;
    /* --exclude and --include globs, likewise. */
    const char **excl = calloc((size_t)argc + 1, sizeof *excl);
    const char **incl = calloc((size_t)argc + 1, sizeof *incl);
    if (!excl || !incl) {
        ki_error("out of memory");
        free(dicts);
        free(excl);
        free(incl);
        return KI_EXIT_FAILURE;
    }
    opt.exclude = excl;
    opt.include = incl;
    int c;
    while ((c = getopt_long(argc, argv, "d:j:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db_opt = optarg; break;
        case 'j': {
            char *end = NULL;
            errno = 0;
            unsigned long n = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || n < 1 || n > KI_MAX_JOBS ||
                strchr(optarg, '-')) {
                ki_error("-j wants a number of workers from 1 to %u, not '%s'", KI_MAX_JOBS,
                         optarg);
                free_args(dicts, excl, incl);
                return KI_EXIT_USAGE;
            }
            opt.jobs = (unsigned)n;
            break;
        }
        case 'q': opt.quiet = 1; opt.verbose = 0; break;
        case 'v': opt.verbose = 1; opt.quiet = 0; break;
        case OPT_REBUILD: opt.rebuild = 1; break;
        case OPT_DICT: dicts[opt.n_dicts++] = optarg; break;
        case OPT_DICT_LANGS: opt.dict_langs = optarg; break;
        case OPT_EXCLUDE: excl[opt.n_exclude++] = optarg; break;
        case OPT_INCLUDE: incl[opt.n_include++] = optarg; break;
        case OPT_ENCODING: opt.encoding = optarg; break;
        case OPT_LIST: list = 1; break;
        case OPT_STATS: stats = 1; break;
        case OPT_NO_LEXICON: no_lexicon = 1; break;
        case 'h': usage(stdout); free_args(dicts, excl, incl); return KI_EXIT_OK;
        case OPT_VERSION:
            printf("kavosh-index %s\n", KAVOSH_VERSION);
            free_args(dicts, excl, incl);
            return KI_EXIT_OK;
        default:
            fprintf(stderr, "Try 'kavosh-index --help' for more information.\n");
            free_args(dicts, excl, incl);
            return KI_EXIT_USAGE;
        }
    }
    if (list || stats) {
        ki_exit_t ex = inspect(db_opt, list, stats, argc - optind, &opt);
        free_args(dicts, excl, incl);
        return ex;
    }
    if (opt.encoding && !kd_encoding_valid(opt.encoding)) {
        ki_error("--encoding: no such encoding '%s' (try windows-1256, windows-1251, KOI8-R, "
                 "ISO-8859-1, UTF-16LE)", opt.encoding);
        fprintf(stderr, "Try 'kavosh-index --help' for more information.\n");
        free_args(dicts, excl, incl);
        return KI_EXIT_USAGE;
    }
    if (opt.dict_langs && !valid_dict_langs(opt.dict_langs)) {
        ki_error("--dict-langs wants two different languages of fa, ru, en as SRC,DST, not '%s'",
                 opt.dict_langs);
        free_args(dicts, excl, incl);
        return KI_EXIT_USAGE;
    }
    opt.lexicon = no_lexicon ? NULL : default_lexicon();
    /* Progress only where someone watches it. */
    opt.progress = isatty(STDERR_FILENO) && !opt.quiet;
    const char *const *paths = (const char *const *)argv + optind;
    size_t n_paths = (size_t)(argc - optind);
    /* A mistyped PATH must not cost the whole index: start over only when
     * every PATH is there. */
    if (opt.rebuild) {
        int missing = 0;
        for (size_t i = 0; i < n_paths; i++) {
            struct stat sb;
            if (stat(paths[i], &sb) != 0) {
                ki_error("%s: %s", paths[i], strerror(errno));
                missing = 1;
            }
        }
        if (missing) {
            ki_error("not starting over (--rebuild) because of the errors above; the index is unchanged");
            free_args(dicts, excl, incl);
            return KI_EXIT_FAILURE;
        }
    }

    const char *db_path = ki_db_path(db_opt);
    opt.db_path = db_path;
    kx_db_t *db = NULL;
    /* --rebuild builds a new index beside this one (rebuild.c): it takes any
     * schema version, since it only reads what it can and replaces the rest. */
    int schema_ok = 1;
    ki_exit_t ex = opt.rebuild ? ki_rebuild_open(db_path, &db, &schema_ok)
                               : ki_open_index(db_path, 1, &db);
    if (ex != KI_EXIT_OK) {
        free_args(dicts, excl, incl);
        return ex;
    }
    /* No PATH: bring the index up to date with the folders and files it was
     * built from. Only a new index with nothing else named (no --dict) gets
     * the bundled corpus, so that a first run shows something. */
    if (n_paths == 0) {
        long roots = schema_ok ? ki_count_roots(db) : 0;
        kx_db_stats_t ds = { 0 };
        int empty = roots == 0 && kx_db_stats(db, &ds) == KX_OK && ds.doc_count == 0;
        if (roots < 0) {
            ki_error("cannot read the index %s: %s", db_path, kx_db_last_error(db));
            kx_db_close(db);
            free_args(dicts, excl, incl);
            return KI_EXIT_INDEX;
        }
        if (empty && opt.n_dicts == 0) {
            opt.bundled = bundled_corpus();
            if (!opt.bundled) {
                ki_error("no PATH given, the index is new and the bundled corpus was not found; "
                         "name folders or files to index (or set $KAVOSH_CORPUS)");
                kx_db_close(db);
                free_args(dicts, excl, incl);
                return KI_EXIT_USAGE;
            }
        } else if (roots == 0 && opt.n_dicts == 0 && !opt.quiet) {
            ki_note("%s records no folders or files to update; name them as PATHs", db_path);
        }
        if ((opt.n_exclude || opt.n_include) && !opt.bundled) {
            ki_error("--exclude and --include go with the folders they apply to: name them as "
                     "PATHs (the index keeps the globs of each folder for later updates)");
            kx_db_close(db);
            free_args(dicts, excl, incl);
            return KI_EXIT_USAGE;
        }
    }
    ka_analyzer_t *an = NULL;
    ka_status_t ast = ka_analyzer_new(&an);
    /* Joined pairs are a query-side device (see add_token in passage_doc.c): the
     * indexer does not ask for them, which makes analysis a third faster. */
    if (ast == KA_OK)
        ast = ka_analyzer_set_options(an, KA_OPT_NO_JOINED);
    if (ast != KA_OK) {
        ki_error("cannot create the analyzer: %s", ka_status_to_string(ast));
        kx_db_close(db);
        free_args(dicts, excl, incl);
        return KI_EXIT_FAILURE;
    }
    opt.analyzer_options = KA_OPT_NO_JOINED;
    /* A new index is built as --rebuild builds one, beside the empty one
     * and swapped in at the end: its workers need an index of their own
     * each, a killed run leaves the empty index, not half of one, and the
     * index is compacted (with one writer too: 7.3 times its input
     * uncompacted, against 4.0 times, for the bench's 10 MB corpus). */
    if (!opt.rebuild) {
        long roots = ki_count_roots(db);
        kx_db_stats_t ds = { 0 };
        if (roots == 0 && kx_db_stats(db, &ds) == KX_OK && ds.doc_count == 0) {
            opt.rebuild = 1;
            opt.fresh = 1;
        }
    }
    ki_summary_t sum;
    if (opt.rebuild) {
        ex = ki_rebuild(db_path, db, schema_ok, an, paths, n_paths, &opt, &sum);
        db = NULL;   /* closed there */
    } else
        ex = ki_index_paths(db, an, paths, n_paths, &opt, &sum);
    ka_analyzer_free(an);
    kx_db_close(db);
    free_args(dicts, excl, incl);
    if (sum.write_failed) {
        /* Said even with --quiet: the run did not finish. */
        if (opt.rebuild)
            ki_note("stopped at a write the system refused; %s is unchanged", db_path);
        else if (sum.committed_files >= 0)
            ki_note("stopped at a write the system refused, at file %u; %s stays at its last "
                    "commit: %ld files, %llu passages. Run kavosh-index again once the cause is "
                    "fixed: it indexes only what is missing",
                    sum.files_seen, db_path, sum.committed_files, sum.committed_passages);
        else
            ki_note("stopped at a write the system refused; %s stays at its last commit", db_path);
    }
    if (!opt.quiet && !sum.write_failed) {
        print_summary(&sum, db_path);
        if (sum.files_skipped)
            ki_note("skipped %u: %s%s", sum.files_skipped, sum.skipped_kinds,
                    opt.verbose ? "" : " (-v names them)");
    }
    return ex;
}

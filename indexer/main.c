/*
 * kavosh-index - build or update a Kavosh index from Markdown, text and HTML files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer.h"
#include "cli.h"
#include "index.h"

#ifndef KAVOSH_VERSION
#define KAVOSH_VERSION "unknown"
#endif

static void usage(FILE *out)
{
    fprintf(out,
"Usage: kavosh-index [OPTION]... [PATH]...\n"
"Index Markdown (.md), text (.txt) and HTML (.html) files as passages for kavosh-search.\n"
"A PATH may be a file or a directory (searched recursively; hidden entries and\n"
"README files are skipped). With no PATH, the bundled corpus is indexed.\n"
"Unchanged files are skipped, changed ones replaced, and files gone from a\n"
"directory PATH deleted from the index.\n"
"\n"
"  -d, --db=PATH     the index (default: $KAVOSH_DB, else ./" KI_DEFAULT_DB ")\n"
"      --rebuild     reindex every file, even unchanged ones\n"
"  -q, --quiet       no summary and no warnings about the input\n"
"  -v, --verbose     a line per file\n"
"  -h, --help        show this help and exit\n"
"      --version     show the version and exit\n"
"\n"
"Exit status:\n"
"  0  success\n"
"  2  usage error\n"
"  3  index locked, corrupt or of another schema version\n"
"  4  any other failure (a file could not be read or written; the others were indexed)\n"
"\n"
"Example:\n"
"  kavosh-index -d ~/kavosh.db ~/papers\n");
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

int main(int argc, char **argv)
{
    ki_set_program("kavosh-index");
    enum { OPT_REBUILD = 256, OPT_VERSION };
    static const struct option longopts[] = {
        { "db", required_argument, NULL, 'd' },
        { "rebuild", no_argument, NULL, OPT_REBUILD },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    const char *db_opt = NULL;
    ki_options_t opt = { 0 };
    int c;
    while ((c = getopt_long(argc, argv, "d:qvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db_opt = optarg; break;
        case 'q': opt.quiet = 1; opt.verbose = 0; break;
        case 'v': opt.verbose = 1; opt.quiet = 0; break;
        case OPT_REBUILD: opt.rebuild = 1; break;
        case 'h': usage(stdout); return KI_EXIT_OK;
        case OPT_VERSION: printf("kavosh-index %s\n", KAVOSH_VERSION); return KI_EXIT_OK;
        default:
            fprintf(stderr, "Try 'kavosh-index --help' for more information.\n");
            return KI_EXIT_USAGE;
        }
    }
    const char *const *paths = (const char *const *)argv + optind;
    size_t n_paths = (size_t)(argc - optind);
    const char *corpus[1];
    if (n_paths == 0) {
        corpus[0] = bundled_corpus();
        if (!corpus[0]) {
            ki_error("no PATH given and the bundled corpus was not found; set $KAVOSH_CORPUS or name files");
            return KI_EXIT_USAGE;
        }
        paths = corpus;
        n_paths = 1;
    }

    const char *db_path = ki_db_path(db_opt);
    kx_db_t *db = NULL;
    ki_exit_t ex = ki_open_index(db_path, 1, &db);
    if (ex != KI_EXIT_OK)
        return ex;
    ka_analyzer_t *an = NULL;
    ka_status_t ast = ka_analyzer_new(&an);
    if (ast != KA_OK) {
        ki_error("cannot create the analyzer: %s", ka_status_to_string(ast));
        kx_db_close(db);
        return KI_EXIT_FAILURE;
    }
    ki_summary_t sum;
    ex = ki_index_paths(db, an, paths, n_paths, &opt, &sum);
    ka_analyzer_free(an);
    kx_db_close(db);
    if (!opt.quiet) {
        double mb = (double)sum.bytes / 1e6;
        ki_note("%u file%s: %u indexed, %u unchanged, %u removed, %u failed; %lu passages, "
                "%.1f MB in %.2f s (%.1f MB/s) -> %s",
                sum.files_seen, sum.files_seen == 1 ? "" : "s", sum.files_indexed,
                sum.files_unchanged, sum.files_removed, sum.files_failed, sum.passages, mb,
                sum.seconds, sum.seconds > 0 ? mb / sum.seconds : 0.0, db_path);
    }
    return ex;
}

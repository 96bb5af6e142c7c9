/*
 * index_internal.h - what the files of kavosh-index share among themselves
 * and nobody else: the list of files to index (collect.c), the progress
 * line (progress.c), glossary records (glossary_store.c), dictionary
 * conversion (dictd.c), the content hash (content_hash.c) and the
 * kavosh-source header (sources.c). Not installed, not used by kavosh-search.
 */
#ifndef KAVOSH_INDEX_INTERNAL_H
#define KAVOSH_INDEX_INTERNAL_H

#include <stddef.h>

#include "cli.h"
#include "index.h"
#include "kavosh_xapian.h"
#include "utf8.h"

/* ---------------------------------------------------------------------- */
/* The files of a run, collected before any is indexed (collect.c)         */

/* One thing a run indexes: a PATH argument, or a folder or file the index
 * was built from (a run with no PATH; see roots.c). */
typedef struct ki_target {
    char  *path;       /* as it can be opened (owned) */
    char  *name;       /* its name in the index: a file's document name, a folder's
                          name prefix ("" for the current folder); owned */
    char  *owner;      /* the root record it belongs to: its own name, or the name
                          of the indexed folder it lies inside (owned) */
    char  *abspath;    /* where it is: the folder's real path, or the file's folder's
                          real path and its base name (owned) */
    int    is_dir;
    int    new_root;   /* no root record covers it yet: one is written at the end */
    int    from_index; /* named by a root record of the index (a run with no PATH) */
    int    gone;       /* from_index, and no longer there */
    int    globs_given;/* exclude/include came from the command line (else the record) */
    int    skip_only;  /* a root folder of the index not part of this run: never walked
                          from another folder (its files keep their names), not walked itself */
    char **exclude;    /* --exclude globs (owned) */
    size_t n_exclude;
    char **include;    /* --include globs (owned) */
    size_t n_include;
} ki_target_t;

typedef struct ki_entry {
    char              *path;   /* as it can be opened: the argument, or root + "/" + relative path */
    char              *name;   /* the document name in the index: the path as given */
    const char        *root;   /* the directory target's path it was found under (borrowed), or NULL */
    const char        *owner;  /* the root record it belongs to (borrowed from its target) */
    unsigned long long size;   /* bytes according to stat, for the progress line's ETA */
    char              *of_source; /* the bibliography entry whose full text this is, from a
                                     sources.tsv line (owned), or NULL; see sources.c for the header */
    char              *source_at; /* "DIR/sources.tsv:LINE" that named of_source (owned), or NULL */
} ki_entry_t;

typedef struct ki_root {
    const char        *path;   /* the directory target's path (borrowed) */
    const ki_target_t *target; /* borrowed */
    int         complete;      /* every subdirectory could be read: only then are vanished files deleted */
    char       *glossary;      /* root + "/glossary.tsv" if that file exists, else NULL */
    char       *glossary_name; /* its name in the index: the root's name + "/glossary.tsv" */
} ki_root_t;

/* Files the walk passed over, by kind (".xyz", "no extension", "fifo",
 * "socket", "device", "excluded"), for the summary. */
typedef struct ki_skip {
    char     kind[24];
    unsigned n;
} ki_skip_t;

typedef struct ki_filelist {
    ki_entry_t        *entries;
    size_t             n, cap;
    ki_root_t         *roots;
    size_t             n_roots;
    unsigned long long bytes;  /* sum of the entries' sizes */
    ki_skip_t         *skips;
    size_t             n_skips, cap_skips;
    unsigned           skipped; /* sum of the skips' counts */
} ki_filelist_t;

/* Collect the files of targets (see ki_index_paths): a folder is walked in
 * sorted order, without a depth limit; a folder is entered once however
 * many links lead to it (by device and inode), so link loops end; hidden
 * entries are passed over, and so are files and folders matching an
 * exclude glob, a line of a .kavoshignore in a folder above them, or (for
 * files) no include glob when there are some. Files of no known type and
 * special files are counted in list->skips without being opened; the
 * folder of the index (db_path, may be NULL) is never walked.
 *
 * It also reads every sources.tsv met in the directories walked or next to
 * a file named directly (a manifest named directly is not collected): each
 * of its lines "FILE<TAB>ENTRY" ('#' starts a comment line) sets of_source
 * of the collected file FILE (relative to the manifest's directory). Lines
 * that are malformed, or name a file that is missing, not collected or
 * already named (for a manifest next to files named directly: only
 * malformed lines and lines naming one of them), are warned about with the
 * manifest's path and line (unless quiet), at most MAX_MANIFEST_WARNINGS
 * per manifest, and otherwise ignored. Problems are reported with
 * ki_error/ki_warn; the return value is the worst exit code met, and what
 * could be collected is in *list either way (free with ki_filelist_free). */
ki_exit_t ki_collect(ki_target_t *targets, size_t n_targets, const char *db_path, int quiet,
                     int verbose, ki_filelist_t *list);
void ki_filelist_free(ki_filelist_t *list);

/* Whether name (a base name) has the extension of a type kavosh-index reads. */
int ki_known_type(const char *name);

/* Read the regular file at path whole, never blocking: it is opened with
 * O_NONBLOCK and refused (errno EINVAL) unless fstat says it is a regular
 * file, so a FIFO put in its place after the walk cannot hang the run.
 * Returns 0, or -1 with errno set. */
int ki_read_regular(const char *path, char **buf_out, size_t *len_out);

/* ---------------------------------------------------------------------- */
/* The folders and files an index was built from (roots.c)                 */

/* Stored as KI_META_ROOT records (schema.h). */

typedef struct ki_targets {
    ki_target_t *v;
    size_t       n, cap;
} ki_targets_t;

/* The targets of a run: each PATH named (resolved against the index's root
 * records, see roots.c), or with no PATH every root record. Globs given on
 * the command line go with each folder PATH. Returns an exit code; errors
 * are reported. */
ki_exit_t ki_targets_make(kx_db_t *db, const char *const *paths, size_t n_paths,
                          const ki_options_t *opt, ki_targets_t *out);
void ki_targets_free(ki_targets_t *t);

/* Write the root records of the run's new roots (all: of every root
 * walked, into an index started over), and the new globs of old ones;
 * delete those of files from the index that are gone. */
kx_status_t ki_targets_store(kx_db_t *db, const ki_targets_t *t, const ki_filelist_t *list,
                             int all);

/* Clean a path as given into a name: "./" and empty components dropped, no
 * trailing slash; "." and "./" become "". ".." is kept. malloc'd. */
char *ki_clean_name(const char *path);

/* The root records, to tell where an indexed file is on disk. */
typedef struct ki_rootmap ki_rootmap_t;
/* Read them into *out: KX_OK, or the failure with *out NULL. */
kx_status_t ki_rootmap_load(kx_db_t *db, ki_rootmap_t **out);
/* The real path of the file called name whose record names root owner, or
 * NULL if no root record says (malloc'd). */
char *ki_rootmap_path(const ki_rootmap_t *m, const char *owner, const char *name);
void ki_rootmap_free(ki_rootmap_t *m);

/* ---------------------------------------------------------------------- */
/* The progress line (progress.c)                                          */

typedef struct ki_progress {
    int                enabled;      /* draw at all (stderr is a terminal and not --quiet) */
    int                shown;        /* a line is on the screen now */
    double             t0, last_draw;
    unsigned           files_total;
    unsigned long long bytes_total;
} ki_progress_t;

/* Start counting; draws nothing yet. */
void ki_progress_start(ki_progress_t *p, int enabled, unsigned files_total,
                       unsigned long long bytes_total);
/* Redraw the line with these counts, at most every KI_PROGRESS_INTERVAL
 * seconds unless force is set. */
void ki_progress_update(ki_progress_t *p, unsigned files_done, unsigned long passages,
                        unsigned long long bytes_done, int force);
/* Erase the line, so that a message or the summary can be printed. The next
 * update draws it again. */
void ki_progress_clear(ki_progress_t *p);
/* The progress text for a line of width columns into buf: shortened by
 * dropping, in turn, the program name, the throughput, the passages and the
 * percentage, so that the files done and the ETA stay. Returns its length. */
size_t ki_progress_format(char *buf, size_t cap, size_t width, unsigned files_done,
                          unsigned files_total, unsigned pct, unsigned long passages,
                          double rate, const char *eta);

/* Seconds on a monotonic clock. */
double ki_now(void);

/* ---------------------------------------------------------------------- */
/* Glossaries travelling with the index (glossary_store.c, dictd.c)        */

/* Metadata key prefix of one stored glossary: "glossary:" + its name (the
 * path as given) -> its text as TSV. KI_META_GLOSSARY is rebuilt from these
 * records at the end of every run. */
#define KI_META_GLOSSARY_SOURCE "glossary:"

/* The largest glossary text kept, per source and all together. A FreeDict
 * dictionary converted to TSV is a few MB; Xapian splits a large metadata
 * value into chunks, but kavosh-search reads the whole value for every
 * query, so a value far beyond this would make each search slow. */
#define KI_MAX_GLOSSARY_BYTES (32u * 1024u * 1024u)

/* Fold len more bytes of buf into the FNV-1a hash h (content_hash.c). */
unsigned long long ki_content_hash_more(unsigned long long h, const char *buf, size_t len);

/* A dictionary (FreeDict/dictd pair) read and converted to glossary TSV.
 * path names the .index, the .dict or .dict.dz file, or their common stem.
 * langs is "SRC,DST" (e.g. "en,ru") or NULL to take the pair from the file
 * name (freedict-eng-rus). On success returns 0 and *tsv_out is malloc'd
 * TSV text with a header line; *entries_out counts the concepts. Errors are
 * reported with ki_error naming the file and line; returns -1 and the exit
 * code to leave with in *exit_out. */
int ki_dictd_to_tsv(const char *path, const char *langs, char **tsv_out, size_t *len_out,
                    size_t *entries_out, ki_exit_t *exit_out);

/* The conversion of ki_dictd_to_tsv on dictionary bytes already read:
 * idx[0..idx_len) the .index, dict[0..dict_len) the (decompressed) .dict;
 * neither need be NUL-terminated. path, idx_path and data_path name them in
 * messages. src and dst are columns: 0 fa, 1 ru, 2 en (different). Returns
 * 0 with *tsv_out malloc'd, or -1 after an error message (none found, out
 * of memory). Reads no file: the fuzz harness calls it. */
int ki_dictd_convert(const char *path, const char *idx_path, const char *idx, size_t idx_len,
                     const char *data_path, const char *dict, size_t dict_len, int src, int dst,
                     char **tsv_out, size_t *len_out, size_t *entries_out);

/* Whether path names a dictd dictionary rather than a TSV glossary. */
int ki_is_dictd(const char *path);

/* Read a TSV glossary and check it enough to store it: valid UTF-8, a header
 * line naming fa/ru/en columns, no line longer than the search side accepts.
 * Reports problems with ki_error naming the file, line and column. */
int ki_tsv_glossary_read(const char *path, char **text_out, size_t *len_out,
                         size_t *entries_out, ki_exit_t *exit_out);

/* Store every glossary source of this run (the directories' glossary.tsv,
 * opt->dicts, the default lexicon's files in opt->lexicon), drop the records
 * of directory glossaries and lexicon files that are gone, rebuild
 * KI_META_GLOSSARY from all records and, with an (may be NULL: not),
 * KI_META_GLOSSARY_ANALYSED from it and ICU's gazetteer (gazetteer.h; only
 * with the default lexicon). Returns an exit code. */
ki_exit_t ki_store_glossaries(kx_db_t *db, ka_analyzer_t *an, const ki_filelist_t *list,
                              const ki_options_t *opt, ki_progress_t *pr, ki_summary_t *sum);

/* The default lexicon's records: KI_META_GLOSSARY_SOURCE + this + file name. */
#define KI_LEXICON_RECORD "(lexicon)/"

/* ---------------------------------------------------------------------- */
/* The kavosh-source header (sources.c)                                    */

typedef enum ki_header_kind {
    KI_HEADER_NONE = 0,   /* the file does not start with a kavosh-source comment */
    KI_HEADER_OK,         /* *entry names the entry */
    KI_HEADER_MALFORMED   /* it starts like one but is not "<!-- kavosh-source: ID -->" alone on line 1 */
} ki_header_kind_t;

/* Whether the first line of buf is "<!-- kavosh-source: ENTRY -->" (after an
 * optional byte order mark, spaces allowed around every part). On
 * KI_HEADER_OK, entry[0..*entry_len) is the id inside buf. *line_len is the
 * length of the line without its newline, for blanking it. */
ki_header_kind_t ki_source_header(const char *buf, size_t len, const char **entry,
                                  size_t *entry_len, size_t *line_len);


#endif /* KAVOSH_INDEX_INTERNAL_H */

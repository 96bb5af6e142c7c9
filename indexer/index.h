/*
 * index.h - turning files into passage documents in a Kavosh index.
 *
 * One writer: the caller opens the index for writing (ki_open_index) and
 * passes it here. Each file is replaced inside one Xapian transaction, so an
 * interrupted run leaves every file either fully old or fully new.
 */
#ifndef KAVOSH_INDEX_H
#define KAVOSH_INDEX_H

#include <stddef.h>
#include <stdio.h>

#include "analyzer.h"
#include "cli.h"
#include "document.h"
#include "kavosh_xapian.h"
#include "translit.h"

typedef struct ki_options {
    int                rebuild;    /* db is a new index being built to replace roots_from (rebuild.c) */
    int                verbose;    /* a line per file on stderr */
    int                quiet;      /* no summary, no warnings about input (errors still) */
    int                progress;   /* redraw a progress line on stderr (the caller checks it is a terminal) */
    const char *const *dicts;      /* --dict files: TSV glossaries or dictd dictionaries (borrowed) */
    size_t             n_dicts;
    const char        *dict_langs; /* "SRC,DST" for the dictd dictionaries, or NULL: from the file names */
    const char *const *exclude;    /* --exclude globs (borrowed) */
    size_t             n_exclude;
    const char *const *include;    /* --include globs (borrowed) */
    size_t             n_include;
    const char        *lexicon;    /* the default lexicon's folder (its *.tsv files), or NULL: none
                                      (--no-lexicon; then no gazetteer either) */
    const char        *bundled;    /* with no PATH: the bundled corpus, indexed as the folder "" */
    const char        *db_path;    /* the index's folder, never walked (or NULL) */
    const char        *encoding;   /* --encoding: read text files in it (ICU name), or NULL */
    kx_db_t           *roots_from; /* with no PATH, the index whose roots are indexed (NULL: db) */
    unsigned           jobs;       /* -j: workers of a new index or --rebuild (0: one per online CPU) */
    int                fresh;      /* the rebuild machinery builds a new index: no --rebuild given */
    unsigned           analyzer_options; /* KA_OPT_* of the caller's analyzer, for the workers' own */
} ki_options_t;

typedef struct ki_summary {
    unsigned files_seen;
    unsigned files_indexed;   /* new or changed, written */
    unsigned files_unchanged; /* skipped: same content hash */
    unsigned files_removed;   /* gone from disk, deleted from the index */
    unsigned files_failed;    /* could not be read or written; the rest went on */
    unsigned files_skipped;   /* passed over by the walk: no known type, special, excluded */
    char     skipped_kinds[256]; /* "3 .xyz, 1 fifo": the skipped files by kind, most first */
    unsigned long passages;   /* passages written */
    unsigned long long bytes; /* bytes of the files written */
    unsigned glossaries;      /* glossary sources stored in this run */
    size_t   glossary_entries;/* their entries (concept lines) */
    size_t   lexicon_entries; /* entries of the default lexicon's files */
    size_t   gazetteer_concepts; /* concepts of ICU's gazetteer, when it was (re)built */
    size_t   glossary_bytes;  /* size of the index's whole glossary text (KI_META_GLOSSARY) */
    double seconds;           /* the whole run, final commit included */
    int      aborted;         /* stopped before indexing anything (--rebuild: keep the old index) */
    int      write_failed;    /* stopped at a write the system refused (KI_EXIT_WRITE) */
    long     committed_files; /* then: the files the index holds at its last commit (-1 unknown) */
    unsigned long long committed_passages; /* and their passages */
    unsigned long long bytes_before, bytes_after; /* --rebuild: the index on disk before, and compacted */
} ki_summary_t;

/* Index each path (a file, or a folder walked recursively for .md,
 * .markdown, .txt, .html and .htm files: see ki_collect), or with no path
 * every folder and file db was built from (its root records, roots.c), or
 * opt->bundled. The files are collected first, then indexed in order. A
 * file is named in the index by its path as given (relative to the current
 * folder, or absolute), or by the name it already has when the path lies in
 * a folder db was built from. Files under a folder that were indexed before
 * and are gone (or excluded) now are deleted, unless part of the folder
 * could not be read; with no path, so are files once named by themselves
 * and gone. A folder's top-level glossary.tsv and every opt->dicts file are
 * stored in the index as its glossary (see glossary_store.c).
 *
 * Full texts of cited works: a file named by a line "FILE<TAB>ENTRY" of a
 * sources.tsv (FILE relative to the manifest's directory: any directory
 * walked, or the directory of a file named directly), or starting with the
 * line "<!-- kavosh-source: ENTRY -->", is the full text
 * of bibliography entry ENTRY (an id as kavosh-search --sources shows it).
 * Its passages carry KI_PREFIX_OF_SOURCE + ENTRY and "of_source" in their
 * data. Once every file is in, each ENTRY named must be a bibliography entry
 * in the index; a file naming another is warned about (with the manifest's
 * path and line, or the file's line 1) and indexed as an ordinary text. Problems with one file are reported and
 * the others go on; the return value is KI_EXIT_OK if everything went in,
 * else the worst exit code. sum may be NULL. */
ki_exit_t ki_index_paths(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                         size_t n_paths, const ki_options_t *opt, ki_summary_t *sum);

/* The parallel build of a new index (rebuild.c): opt->jobs workers (0: one
 * per online CPU), each with its own analyzer, transliterator and Xapian
 * database (self + ".part" + N), index contiguous slices of the collected
 * files; the parts, after db (self: its path, holding what was written to
 * it before, e.g. copied glossaries) are merged by Xapian's compaction into
 * merged, which is then opened for writing and gets the rest of the run
 * (full texts of cited works, which need the whole index to find their
 * entry; root records; glossaries). *merged_db is that handle (the caller
 * commits and closes it), or NULL when the run was serial into db (too
 * little input: fewer than two files, or under KI_PARALLEL_MIN_BYTES with
 * no -j given). Each worker commits every KI_WORKER_COMMIT_PASSAGES (at
 * most KI_COMMIT_PASSAGES / jobs) passages, unsynced, and never by time,
 * so memory stays bounded and the parts (and the merged index) come out the
 * same every run. */
typedef struct ki_parallel {
    const char *self;
    const char *merged;
    kx_db_t    *merged_db;
} ki_parallel_t;
ki_exit_t ki_index_paths_parallel(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                                  size_t n_paths, const ki_options_t *opt, ki_summary_t *sum,
                                  ki_parallel_t *par);

/* Passages a worker writes between two commits of its part (at most
 * KI_COMMIT_PASSAGES / jobs). Small batches keep Xapian's in-memory
 * postings small: on a 30 MB corpus, 1,500 took 20.6 s of CPU and 56 MB
 * against 34.1 s and 239 MB for 10,000 (two workers); the parts' commits
 * are not synced, so they are cheap. */
#define KI_WORKER_COMMIT_PASSAGES 1500ul

/* Input below which a run with no -j stays serial: threads and a merge
 * cost more than they save. */
#define KI_PARALLEL_MIN_BYTES (2u * 1024u * 1024u)
/* Most workers -j takes. */
#define KI_MAX_JOBS 256u

/* The part file name of worker i: self + ".part" + i (malloc'd). */
char *ki_part_path(const char *self, unsigned i);

/* Passages written between two commits. Xapian keeps uncommitted changes in
 * memory; this bounds it (about 100-200 MB for Persian paragraphs). */
#define KI_COMMIT_PASSAGES 20000
/* ... and at most this many seconds apart, so that a killed run loses
 * little; each commit costs an fsync, a fraction of a second. */
#define KI_COMMIT_SECONDS 5.0

/* Build the Xapian document for passage i of doc (tl, which may be NULL,
 * adds transliteration terms): every term from the
 * analyzer, the filter terms of schema.h and the stored JSON data.
 * of_source, if not NULL, is the bibliography entry id doc is the full text
 * of: the passage gets KI_PREFIX_OF_SOURCE + of_source and "of_source" in
 * its data. *out is freed with kx_doc_free. */
kx_status_t ki_passage_document(ka_analyzer_t *an, ka_translit_t *tl, const kd_document_t *doc,
                                size_t i, const char *of_source, kx_doc_t **out);

/* kavosh-index --list: one line per indexed file, tab-separated: name (its
 * path as given), passages, bytes, content hash, and where it is (its real
 * path). The names and paths are escaped (ki_put_safe with KI_SAFE_NAMES
 * and KI_SAFE_BACKSLASH: a TAB in a name is \t, a newline \n, a backslash
 * \\). Returns an exit code. */
ki_exit_t ki_list(kx_db_t *db, FILE *out);

/* kavosh-index --stats: files, passages (per language), bibliography
 * entries, distinct terms, glossary and size on disk of the index at
 * db_path. Returns an exit code. */
ki_exit_t ki_stats(kx_db_t *db, const char *db_path, FILE *out);

/* The number of folders and files the index at db was built from (its
 * root records; -1 on error): kavosh-index with no PATH updates them. */
long ki_count_roots(kx_db_t *db);

/* 64-bit FNV-1a of buf: the content hash that tells a changed file. */
unsigned long long ki_content_hash(const char *buf, size_t len);

#endif /* KAVOSH_INDEX_H */

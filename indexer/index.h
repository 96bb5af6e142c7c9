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

#include "analyzer.h"
#include "cli.h"
#include "document.h"
#include "kavosh_xapian.h"

typedef struct ki_options {
    int rebuild;      /* reindex files even when their content is unchanged */
    int verbose;      /* a line per file on stderr */
    int quiet;        /* no summary, no warnings about input (errors still) */
} ki_options_t;

typedef struct ki_summary {
    unsigned files_seen;
    unsigned files_indexed;   /* new or changed, written */
    unsigned files_unchanged; /* skipped: same content hash */
    unsigned files_removed;   /* gone from disk, deleted from the index */
    unsigned files_failed;    /* could not be read or written; the rest went on */
    unsigned long passages;   /* passages written */
    unsigned long long bytes; /* bytes of the files written */
    double seconds;
} ki_summary_t;

/* Index each path (a file, or a directory walked recursively for .md,
 * .markdown, .txt, .html and .htm files; hidden entries and README files are
 * skipped). A file is named in the index by its path relative to the
 * directory argument it was found under, or by its path as given. Files
 * under a directory argument that were indexed before and are gone now are
 * deleted. Problems with one file are reported and the others go on; the
 * return value is KI_EXIT_OK if every file went in, else the exit code. */
ki_exit_t ki_index_paths(kx_db_t *db, ka_analyzer_t *an, const char *const *paths,
                         size_t n_paths, const ki_options_t *opt, ki_summary_t *sum);

/* Build the Xapian document for passage i of doc: every term from the
 * analyzer, the filter terms of schema.h and the stored JSON data. *out is
 * freed with kx_doc_free. */
kx_status_t ki_passage_document(ka_analyzer_t *an, const kd_document_t *doc, size_t i,
                                kx_doc_t **out);

/* 64-bit FNV-1a of buf: the content hash that tells a changed file. */
unsigned long long ki_content_hash(const char *buf, size_t len);

#endif /* KAVOSH_INDEX_H */

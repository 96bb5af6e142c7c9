/*
 * collect_internal.h - what collect.c (walking the directories) and
 * sources.c (their sources.tsv manifests) share, and nobody else.
 */
#ifndef KAVOSH_COLLECT_INTERNAL_H
#define KAVOSH_COLLECT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "index_internal.h"

/* The manifest any directory may carry: "FILE<TAB>ENTRY" lines naming which
 * of its files are the full texts of which bibliography entries. It is a
 * .tsv file, so it is never collected as a text itself. */
#define MANIFEST_FILE "sources.tsv"

/* A manifest larger than this is not read: at a line per file it would
 * describe hundreds of thousands of texts, so it is almost certainly not a
 * manifest, and reading it whole must not exhaust memory. */
#define MAX_MANIFEST_BYTES (16u * 1024u * 1024u)

/* A manifest line longer than this is ignored: a path (PATH_MAX is 4096)
 * and an entry id (a Xapian term, under 245 bytes) fit well inside. */
#define MAX_MANIFEST_LINE 8192

/* Warnings shown per manifest; past this a broken or foreign file would
 * drown every other message of the run. */
#define MAX_MANIFEST_WARNINGS 20

typedef struct manifest {
    char       *path;     /* as it can be opened, for messages */
    const char *root;     /* the directory argument it was found under (borrowed), or NULL */
    int         partial;  /* read for files named on the command line: its other lines
                             name files that are simply not part of this run */
    unsigned    warnings; /* shown so far */
} manifest_t;

/* A manifest line naming a file; matched to the collected files at the end. */
typedef struct claim {
    char       *name;     /* the file's name in the index: the manifest's directory + FILE */
    char       *path;     /* the file as it can be opened, to tell "missing" from "not indexed" */
    char       *file;     /* FILE as written in the manifest (cleaned), for messages */
    char       *entry;    /* ENTRY */
    const char *root;     /* the directory argument (borrowed) */
    size_t      manifest; /* index into walker_t.manifests */
    size_t      line;
} claim_t;

/* A folder entered in this run, by device and inode (collect.c). */
typedef struct dirid {
    dev_t dev;
    ino_t ino;
} dirid_t;

/* The globs of a .kavoshignore, for the folders below it (collect.c). */
typedef struct ignore {
    char  **globs;
    size_t  n;
    size_t  base;   /* length of the folder's relative path (from the target), 0 at the top */
} ignore_t;

typedef struct walker {
    ki_filelist_t *list;
    ki_root_t     *root;
    ki_exit_t      exit;
    int            quiet;     /* no warnings about the manifests' content */
    int            verbose;   /* a line per file passed over */
    dirid_t       *dirs;      /* folders entered, sorted */
    size_t         n_dirs, cap_dirs;
    ignore_t      *ignores;   /* the .kavoshignore files of the folders being walked */
    size_t         n_ignores, cap_ignores;
    dirid_t        index_dir; /* the index being written, never walked */
    int            has_index_dir;
    manifest_t    *manifests;
    size_t         n_manifests, cap_manifests;
    claim_t       *claims;
    size_t         n_claims, cap_claims;
} walker_t;

/* Record e as the outcome of the walk unless an earlier failure is. */
static inline void ki_walk_fail(walker_t *w, ki_exit_t e)
{
    if (w->exit == KI_EXIT_OK)
        w->exit = e;
}

/* a + sep + b, malloc'd; NULL on oom. */
static inline char *ki_join(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

/* Drop the spaces and TABs around s[0..*n) (sources.c). */
void ki_trim_blanks(const char **s, size_t *n);

/* Read the manifest at path (see sources.c); takes ownership of path. */
void ki_manifest_read(walker_t *w, char *path, const char *dir, const char *rel,
                      const char *root, int partial);
/* Give each collected file the entry its manifest line names (sources.c). */
void ki_manifest_match(walker_t *w);
/* Read the manifests next to files named on the command line (sources.c). */
void ki_manifest_read_direct(walker_t *w);
void ki_claim_free(claim_t *c);

#endif /* KAVOSH_COLLECT_INTERNAL_H */

/*
 * rebuild.h - kavosh-index --rebuild: a new index built beside the old one,
 * compacted, and swapped in at the end (rebuild.c says how).
 */
#ifndef KAVOSH_REBUILD_H
#define KAVOSH_REBUILD_H

#include "index.h"

/* Open (or create) the index at db_path for writing, whatever its schema
 * version, and keep its lock. *schema_ok says whether it is new or of this
 * schema (then its roots and glossaries can be read). A damaged index is
 * named with its damaged file in a warning and gives KI_EXIT_OK with
 * *old_out NULL: it is replaced from the paths named. Errors are reported. */
ki_exit_t ki_rebuild_open(const char *db_path, kx_db_t **old_out, int *schema_ok);

/* Build a new index from paths (with none: from old's roots, and old's
 * --dict glossaries kept) beside db_path, compact it and swap it in; old
 * (from ki_rebuild_open) is closed. Until the swap, and whenever the run
 * stops before it, the index at db_path is the old one. */
ki_exit_t ki_rebuild(const char *db_path, kx_db_t *old, int schema_ok, ka_analyzer_t *an,
                     const char *const *paths, size_t n_paths, const ki_options_t *opt,
                     ki_summary_t *sum);

#endif /* KAVOSH_REBUILD_H */

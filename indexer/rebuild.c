/*
 * rebuild.c - kavosh-index --rebuild: a new index built beside the old one
 * and swapped in at the end, so that the old index stays whole and
 * searchable until the new one is complete, whenever the run is killed.
 *
 *   1. The old index DB is opened for writing (created if missing) and kept
 *      open: its lock keeps every other kavosh-index out until the swap.
 *   2. Leftovers of a run killed earlier (DB.rebuild, DB.compact, each a
 *      Xapian database directory) are removed.
 *   3. The new index is written to DB.rebuild: from the PATHs named, or with
 *      no PATH from the old index's folders and files (its roots) and its
 *      --dict glossaries.
 *   4. DB.rebuild is compacted (kx_db_compact) into DB.compact and removed.
 *      With workers (-j N), their parts and DB.rebuild are merged into
 *      DB.compact by the compaction; what the main thread writes after the
 *      merge goes there too, and DB.compact is then compacted once more
 *      (into DB.rebuild, renamed back to DB.compact).
 *   5. DB.compact and DB are exchanged in one rename (renameat2 with
 *      RENAME_EXCHANGE): a reader sees the old index or the new one, never
 *      neither. Where the file system cannot exchange, two renames do it
 *      (DB to DB.compact's place after DB.compact is moved aside).
 *   6. The old index, now at DB.compact, is closed and removed.
 * A kill before 5 leaves DB as it was; after it, DB is the new index. What
 * is left beside DB is removed by the next --rebuild.
 */
#define _GNU_SOURCE
#include "rebuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glosses.h"
#include "index_internal.h"
#include "schema.h"

/* path + suffix, without path's trailing slashes. malloc'd. */
static char *sibling(const char *path, const char *suffix)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    char *s = malloc(n + strlen(suffix) + 1);
    if (s) {
        memcpy(s, path, n);
        strcpy(s + n, suffix);
    }
    return s;
}

/* Bytes of the regular files in dir (a glass database is flat), or 0. */
static unsigned long long dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    unsigned long long total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
            total += (unsigned long long)sb.st_size;
    }
    closedir(d);
    return total;
}

static int clear_leftover(const char *dir)
{
    if (ki_remove_database_dir(dir) == 0)
        return 0;
    if (errno == EEXIST)
        ki_error("%s is in the way of --rebuild and is not an index it left: move it away",
                 dir);
    else
        ki_error("%s: cannot remove what an earlier --rebuild left: %s", dir, strerror(errno));
    return -1;
}

/* Remove the worker parts (tmp.partN) a killed parallel build left. */
static int clear_parts(const char *tmp)
{
    char *dirpath = strdup(tmp);
    if (!dirpath)
        return -1;
    char *slash = strrchr(dirpath, '/');
    const char *base = slash ? slash + 1 : tmp;
    const char *dname = ".";
    if (slash) {
        *slash = '\0';
        dname = slash == dirpath ? "/" : dirpath;
        base = tmp + (slash - dirpath) + 1;
    }
    size_t bl = strlen(base);
    DIR *d = opendir(dname);
    int rc = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *n = e->d_name;
            if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".part", 5) != 0)
                continue;
            const char *digits = n + bl + 5;
            if (!*digits || strspn(digits, "0123456789") != strlen(digits))
                continue;
            char *full = ki_part_path(tmp, (unsigned)strtoul(digits, NULL, 10));
            if (!full || strcmp(full + strlen(tmp), n + bl) != 0 || clear_leftover(full) != 0)
                rc = -1;
            free(full);
        }
        closedir(d);
    }
    free(dirpath);
    return rc;
}

ki_exit_t ki_rebuild_open(const char *db_path, kx_db_t **old_out, int *schema_ok)
{
    *old_out = NULL;
    *schema_ok = 0;
    char *detail = NULL;
    kx_db_t *old = NULL;
    kx_status_t st = kx_db_open(db_path, KX_OPEN_WRITE, &old, &detail);
    if (st == KX_CORRUPT) {
        /* Damaged: nothing of it can be read, but it can be replaced from
         * the folders named (ki_rebuild builds aside and swaps). */
        char *damage = kx_db_find_damage(db_path);
        ki_warn("index %s is damaged (%s): rebuilding it from the paths named", db_path,
                damage ? damage : detail && *detail ? detail : kx_status_to_string(st));
        kx_free(damage);
        kx_free(detail);
        return KI_EXIT_OK;   /* *old_out NULL, *schema_ok 0 */
    }
    if (st != KX_OK) {
        ki_error("cannot open index %s: %s", db_path,
                 detail && *detail ? detail : kx_status_to_string(st));
        if (st == KX_LOCKED)
            ki_note("hint: is another kavosh-index running on it?");
        kx_free(detail);
        return ki_exit_for_status(st);
    }
    kx_free(detail);
    /* A new index, or one of this schema: its roots and glossaries can be
     * read. One of another version is only replaced. */
    char *v = NULL;
    if (kx_db_get_metadata(old, KI_SCHEMA_KEY, &v) == KX_OK)
        *schema_ok = !*v || strcmp(v, KI_SCHEMA_VERSION) == 0;
    kx_free(v);
    *old_out = old;
    return KI_EXIT_OK;
}

typedef struct copier {
    kx_db_t    *from, *to;
    kx_status_t st;
    unsigned    n;
} copier_t;

/* A --dict glossary: not harvested from a text (those come back with their
 * file) and not a folder's glossary.tsv (read again with its folder). */
static int copy_dict_glossary(void *ctx, const char *key)
{
    copier_t *c = ctx;
    size_t kl = strlen(key), sl = strlen(KI_GLOSSES_SUFFIX), gl = strlen("glossary.tsv");
    if (kl >= sl && strcmp(key + kl - sl, KI_GLOSSES_SUFFIX) == 0)
        return 0;
    const char *name = key + strlen(KI_META_GLOSSARY_SOURCE);
    size_t nl = strlen(name);
    if (nl >= gl && strcmp(name + nl - gl, "glossary.tsv") == 0 &&
        (nl == gl || name[nl - gl - 1] == '/')) {
        /* A folder's glossary only if the folder is a root; a --dict file
         * named glossary.tsv has a record of its own kind too, but the
         * roots decide: copy it unless its folder is one of them. */
        char *rk = malloc(strlen(KI_META_ROOT) + nl + 1), *v = NULL;
        if (!rk) {
            c->st = KX_NO_MEMORY;
            return 1;
        }
        snprintf(rk, strlen(KI_META_ROOT) + nl + 1, "%s%.*s", KI_META_ROOT,
                 (int)(nl == gl ? 0 : nl - gl - 1), name);
        int is_root = kx_db_get_metadata(c->from, rk, &v) == KX_OK && v && *v;
        kx_free(v);
        free(rk);
        if (is_root)
            return 0;
    }
    char *text = NULL;
    c->st = kx_db_get_metadata(c->from, key, &text);
    if (c->st == KX_OK && *text) {
        c->st = kx_db_set_metadata(c->to, key, text);
        c->n++;
    }
    kx_free(text);
    return c->st != KX_OK;
}

/* Exchange a and b (both exist) in one step where the file system can. */
static int exchange(const char *a, const char *b, const char *aside)
{
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return -1;
#endif
    /* b aside, a in its place, the old b where a was: for a moment there
     * is no index at b; a reader retrying finds the new one. */
    if (rename(b, aside) != 0)
        return -1;
    if (rename(a, b) != 0) {
        int err = errno;
        (void)rename(aside, b);
        errno = err;
        return -1;
    }
    return rename(aside, a);
}

ki_exit_t ki_rebuild(const char *db_path, kx_db_t *old, int schema_ok, ka_analyzer_t *an,
                     const char *const *paths, size_t n_paths, const ki_options_t *opt,
                     ki_summary_t *sum)
{
    char *tmp = sibling(db_path, ".rebuild"), *cpt = sibling(db_path, ".compact"),
         *aside = sibling(db_path, ".aside");
    ki_exit_t ex = KI_EXIT_OK;
    kx_db_t *fresh = NULL, *merged = NULL;
    int swapped = 0;
    memset(sum, 0, sizeof *sum);
    if (!tmp || !cpt || !aside) {
        ki_error("out of memory");
        ex = KI_EXIT_FAILURE;
        goto out;
    }
    if (n_paths == 0 && !schema_ok && !opt->bundled) {
        if (!old)
            ki_error("%s is damaged and its list of folders cannot be read: name the folders "
                     "to rebuild it from", db_path);
        else
            ki_error("%s is of another schema version: name the folders to rebuild it from", db_path);
        ex = KI_EXIT_USAGE;
        goto out;
    }
    if (clear_leftover(tmp) != 0 || clear_leftover(cpt) != 0 || clear_leftover(aside) != 0 ||
        clear_parts(tmp) != 0) {
        ex = KI_EXIT_FAILURE;
        goto out;
    }
    unsigned long long before = dir_bytes(db_path);
    /* The old handle must have nothing left to write when it is closed
     * after the swap: Xapian writes by path, into what is then the new index. */
    if (old && kx_db_commit(old) != KX_OK) {
        ki_error("cannot write the index %s: %s", db_path, kx_db_last_error(old));
        ex = KI_EXIT_INDEX;
        goto out;
    }

    char *detail = NULL;
    kx_status_t st = kx_db_open(tmp, KX_OPEN_OVERWRITE, &fresh, &detail);
    if (st == KX_OK)
        st = kx_db_set_metadata(fresh, KI_SCHEMA_KEY, KI_SCHEMA_VERSION);
    if (st != KX_OK) {
        ki_error("cannot create the new index %s: %s", tmp,
                 detail && *detail ? detail : kx_db_last_error(fresh));
        kx_free(detail);
        ex = ki_exit_for_status(st) == KI_EXIT_INDEX ? KI_EXIT_INDEX : KI_EXIT_FAILURE;
        goto out;
    }
    kx_free(detail);

    /* No PATH: the same folders, files and dictionaries as the old index. */
    ki_options_t o = *opt;
    o.rebuild = 1;
    o.roots_from = n_paths == 0 && schema_ok ? old : NULL;
    if (o.roots_from) {
        copier_t c = { .from = old, .to = fresh, .st = KX_OK };
        st = kx_db_metadata_keys(old, KI_META_GLOSSARY_SOURCE, copy_dict_glossary, &c);
        if (st == KX_OK)
            st = c.st;
        if (st != KX_OK) {
            ki_error("cannot copy the glossaries of %s: %s", db_path, kx_db_last_error(old));
            ex = KI_EXIT_FAILURE;
            goto out;
        }
        if (c.n && opt->verbose)
            ki_note("%u glossar%s kept from %s", c.n, c.n == 1 ? "y" : "ies", db_path);
    }
    /* -j 1: one writer, then a compaction; else workers build parts that
     * are merged into cpt by the compaction itself. */
    ki_parallel_t par = { .self = tmp, .merged = cpt };
    if (opt->jobs == 1)
        ex = ki_index_paths(fresh, an, paths, n_paths, &o, sum);
    else
        ex = ki_index_paths_parallel(fresh, an, paths, n_paths, &o, sum, &par);
    merged = par.merged_db;
    sum->bytes_before = before;
    const char *what = opt->fresh ? "not building the index" : "not starting over (--rebuild)";
    if (ex == KI_EXIT_WRITE) {
        ki_error("the new index %s could not be written; %s is unchanged",
                 merged ? cpt : tmp, db_path);
        goto out;
    }
    if (sum->aborted || ex == KI_EXIT_INDEX) {
        ki_error("%s because of the errors above; %s is unchanged", what, db_path);
        goto out;
    }
    st = kx_db_commit(merged ? merged : fresh);
    if (st != KX_OK) {
        ki_error("cannot write the new index %s: %s; %s is unchanged", merged ? cpt : tmp,
                 kx_db_last_error(merged ? merged : fresh), db_path);
        ex = KI_EXIT_FAILURE;
        goto out;
    }
    kx_db_close(fresh);
    fresh = NULL;
    if (merged) {
        kx_db_close(merged);
        merged = NULL;
        /* What was written after the merge (the glossary and its lookup
         * tables, the files' records, files indexed by the main thread)
         * went into the merged index's full blocks, splitting them: a
         * second compaction (a few tenths of a second for 40 MB) packs
         * it again, about a tenth of the index, and makes its size the
         * same from run to run. */
        if (ki_remove_database_dir(tmp) != 0) {
            ki_error("cannot remove %s: %s; %s is unchanged", tmp, strerror(errno), db_path);
            ex = KI_EXIT_FAILURE;
            goto out;
        }
        st = kx_db_compact(cpt, tmp, &detail);
        if (st != KX_OK || ki_remove_database_dir(cpt) != 0 || rename(tmp, cpt) != 0) {
            ki_error("cannot compact the new index into %s: %s; %s is unchanged", tmp,
                     st != KX_OK && detail ? detail
                                           : st != KX_OK ? kx_status_to_string(st) : strerror(errno),
                     db_path);
            kx_free(detail);
            ex = KI_EXIT_FAILURE;
            goto out;
        }
        kx_free(detail);
        detail = NULL;
    } else {
        st = kx_db_compact(tmp, cpt, &detail);
        if (st != KX_OK) {
            ki_error("cannot compact the new index into %s: %s; %s is unchanged", cpt,
                     detail ? detail : kx_status_to_string(st), db_path);
            kx_free(detail);
            ex = KI_EXIT_FAILURE;
            goto out;
        }
    }
    sum->bytes_after = dir_bytes(cpt);
    if (ki_remove_database_dir(tmp) != 0 && !opt->quiet)
        ki_warn("%s: cannot remove: %s", tmp, strerror(errno));

    if (exchange(cpt, db_path, aside) != 0) {
        ki_error("cannot put the new index in place of %s: %s; %s is unchanged", db_path,
                 strerror(errno), db_path);
        ex = KI_EXIT_FAILURE;
        goto out;
    }
    swapped = 1;
    /* The old index is at cpt now; its lock goes with the handle. */
    kx_db_close(old);
    old = NULL;
    if (ki_remove_database_dir(cpt) != 0 && !opt->quiet)
        ki_warn("%s (the old index): cannot remove: %s", cpt, strerror(errno));
    if (opt->verbose && !opt->fresh)
        ki_note("%s: rebuilt and compacted: %.2f MB before, %.2f MB now", db_path,
                (double)sum->bytes_before / 1e6, (double)sum->bytes_after / 1e6);
out:
    kx_db_close(fresh);
    kx_db_close(merged);
    if (fresh || merged || ex != KI_EXIT_OK) {
        /* A failed rebuild leaves nothing beside the index. */
        (void)ki_remove_database_dir(tmp);
        if (!swapped)
            (void)ki_remove_database_dir(cpt);
    }
    kx_db_close(old);
    free(tmp);
    free(cpt);
    free(aside);
    return ex;
}

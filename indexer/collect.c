/*
 * collect.c - the files a run will index, found before any is read, so that
 * the progress line knows the total and stale files are only deleted when
 * their directory could be read completely. The directories' sources.tsv
 * manifests, read during the walk, are sources.c's.
 */
#include "index_internal.h"
#include "collect_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "schema.h"

/* Directory recursion stops here: deeper trees are almost certainly a link loop. */
#define MAX_WALK_DEPTH 32

/* The glossary a directory of texts may carry at its top; see glossary_store.c. */
#define GLOSSARY_FILE "glossary.tsv"

static int has_indexable_extension(const char *name)
{
    static const char *const exts[] = { ".md", ".markdown", ".txt", ".html", ".htm" };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && strcasecmp(name + n - e, exts[i]) == 0)
            return 1;
    }
    return 0;
}

/* README files describe a folder of texts; they are not one of its texts. */
static int is_readme(const char *name)
{
    return strncasecmp(name, "README", 6) == 0;
}

/* Take ownership of path and name. */
static int add_entry(ki_filelist_t *l, char *path, char *name, const char *root,
                     unsigned long long size)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        ki_entry_t *ne = realloc(l->entries, cap * sizeof *ne);
        if (!ne)
            return -1;
        l->entries = ne;
        l->cap = cap;
    }
    l->entries[l->n++] = (ki_entry_t){ .path = path, .name = name, .root = root, .size = size };
    l->bytes += size;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Walk dir (whose name in the index is rel) in sorted order, so that runs
 * are reproducible and document ids follow the file names. */
static void walk(walker_t *w, const char *dir, const char *rel, int depth)
{
    if (depth > MAX_WALK_DEPTH) {
        ki_warn("%s: deeper than %d levels, not descending", dir, MAX_WALK_DEPTH);
        w->root->complete = 0;
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        ki_error("%s: cannot open directory: %s", dir, strerror(errno));
        w->root->complete = 0;
        ki_walk_fail(w, KI_EXIT_FAILURE);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int oom = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                oom = 1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            oom = 1;
            break;
        }
        n++;
    }
    closedir(d);
    if (oom) {
        ki_error("%s: out of memory while listing the directory", dir);
        w->root->complete = 0;
        ki_walk_fail(w, KI_EXIT_FAILURE);
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(dir);
        char *path = ki_join(dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        char *name = ki_join(rel, *rel ? "/" : "", names[i]);
        struct stat sb;
        if (!path || !name) {
            ki_error("%s: out of memory", dir);
            w->root->complete = 0;
            ki_walk_fail(w, KI_EXIT_FAILURE);
        } else if (stat(path, &sb) != 0) {
            ki_warn("%s: %s", path, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            walk(w, path, name, depth + 1);
        } else if (S_ISREG(sb.st_mode) && has_indexable_extension(names[i]) &&
                   !is_readme(names[i])) {
            if (add_entry(w->list, path, name, w->root->path, (unsigned long long)sb.st_size) == 0)
                path = name = NULL;
            else {
                ki_error("%s: out of memory", path);
                w->root->complete = 0;
                ki_walk_fail(w, KI_EXIT_FAILURE);
            }
        } else if (depth == 0 && S_ISREG(sb.st_mode) && strcmp(names[i], GLOSSARY_FILE) == 0) {
            w->root->glossary = path;
            path = NULL;
        } else if (S_ISREG(sb.st_mode) && strcmp(names[i], MANIFEST_FILE) == 0) {
            ki_manifest_read(w, path, dir, rel, w->root->path, 0);
            path = NULL;
        }
        free(path);
        free(name);
        free(names[i]);
    }
    free(names);
}

static int cmp_entry_name(const void *a, const void *b)
{
    const ki_entry_t *x = *(const ki_entry_t *const *)a, *y = *(const ki_entry_t *const *)b;
    int c = strcmp(x->name, y->name);
    /* Ties in list order, so that the first one named keeps the name. */
    return c ? c : (x < y ? -1 : x > y);
}

/* Two files under different arguments can have the same name in the index
 * (a/notes.md and b/notes.md given as a and b); the later one would replace
 * the earlier one's passages on every run. Keep the first and say so. */
static void drop_duplicate_names(ki_filelist_t *l)
{
    if (l->n < 2)
        return;
    ki_entry_t **byname = malloc(l->n * sizeof *byname);
    if (!byname)
        return;
    for (size_t i = 0; i < l->n; i++)
        byname[i] = &l->entries[i];
    qsort(byname, l->n, sizeof *byname, cmp_entry_name);
    int any = 0;
    for (size_t i = 1; i < l->n; i++)
        if (strcmp(byname[i]->name, byname[i - 1]->name) == 0) {
            size_t k = i - 1;
            while (!byname[k]->path)   /* the first of the run, still kept */
                k--;
            ki_warn("%s: not indexed: %s is already named %s in the index", byname[i]->path,
                    byname[k]->path, byname[i]->name);
            free(byname[i]->path);
            byname[i]->path = NULL;
            any = 1;
        }
    free(byname);
    if (!any)
        return;
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->entries[i].path)
            l->entries[w++] = l->entries[i];
        else {
            l->bytes -= l->entries[i].size;
            free(l->entries[i].name);
        }
    }
    l->n = w;
}

ki_exit_t ki_collect(const char *const *paths, size_t n_paths, int quiet, ki_filelist_t *list)
{
    memset(list, 0, sizeof *list);
    walker_t w = { .list = list, .quiet = quiet };
    if (n_paths && !(list->roots = calloc(n_paths, sizeof *list->roots))) {
        ki_error("out of memory");
        return KI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < n_paths; i++) {
        const char *path = paths[i];
        struct stat sb;
        if (stat(path, &sb) != 0) {
            ki_error("%s: %s", path, strerror(errno));
            ki_walk_fail(&w, KI_EXIT_FAILURE);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            /* The same directory named twice is walked once. */
            int dup = 0;
            for (size_t k = 0; k < list->n_roots; k++)
                dup |= strcmp(list->roots[k].path, path) == 0;
            if (dup)
                continue;
            w.root = &list->roots[list->n_roots++];
            w.root->path = path;
            w.root->complete = 1;
            walk(&w, path, "", 0);
            continue;
        }
        /* A manifest named directly (say by a shell glob) describes texts;
         * it is not one of them. */
        const char *base = strrchr(path, '/');
        if (strcmp(base ? base + 1 : path, MANIFEST_FILE) == 0) {
            if (!quiet)
                ki_warn("%s: a manifest of cited works' texts, not a text; not indexed", path);
            continue;
        }
        /* A file named directly keeps its path as its name, less a leading "./". */
        const char *name = path;
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        char *p = strdup(path), *nm = strdup(name);
        if (!p || !nm || add_entry(list, p, nm, NULL, (unsigned long long)sb.st_size) != 0) {
            free(p);
            free(nm);
            ki_error("%s: out of memory", path);
            ki_walk_fail(&w, KI_EXIT_FAILURE);
        }
    }
    drop_duplicate_names(list);
    ki_manifest_read_direct(&w);
    ki_manifest_match(&w);
    for (size_t i = 0; i < w.n_claims; i++)
        ki_claim_free(&w.claims[i]);
    free(w.claims);
    for (size_t i = 0; i < w.n_manifests; i++)
        free(w.manifests[i].path);
    free(w.manifests);
    return w.exit;
}

void ki_filelist_free(ki_filelist_t *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        free(list->entries[i].path);
        free(list->entries[i].name);
        free(list->entries[i].of_source);
        free(list->entries[i].source_at);
    }
    for (size_t i = 0; i < list->n_roots; i++)
        free(list->roots[i].glossary);
    free(list->entries);
    free(list->roots);
    memset(list, 0, sizeof *list);
}

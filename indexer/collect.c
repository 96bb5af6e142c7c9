/*
 * collect.c - the files a run will index, found before any is read, so that
 * the progress line knows the total and stale files are only deleted when
 * their directory could be read completely. The directories' sources.tsv
 * manifests, read during the walk, are sources.c's.
 */
#include "index_internal.h"
#include "strbuf.h"
#include "collect_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"

/* The ignore file any folder may carry: one glob per line, matched like
 * --exclude against the paths below that folder. */
#define IGNORE_FILE ".kavoshignore"

/* An ignore file larger than this is not read (a glob per line: no folder
 * has that many). */
#define MAX_IGNORE_BYTES (1u << 20)

/* The glossary a directory of texts may carry at its top; see glossary_store.c. */
#define GLOSSARY_FILE "glossary.tsv"

/* The types kavosh-index reads are the document library's (kd_format_of). */
static int has_indexable_extension(const char *name)
{
    return kd_format_of(name) != KD_FORMAT_AUTO;
}

int ki_known_type(const char *name)
{
    return has_indexable_extension(name);
}

/* Count one file passed over, of this kind. */
static void add_skip(ki_filelist_t *l, const char *kind)
{
    l->skipped++;
    for (size_t i = 0; i < l->n_skips; i++)
        if (strcmp(l->skips[i].kind, kind) == 0) {
            l->skips[i].n++;
            return;
        }
    ki_skip_t *v = kd_vec_grow(l->skips, &l->cap_skips, l->n_skips + 1, sizeof *v, 8);
    if (!v)
        return;   /* counted in the total, not by kind */
    l->skips = v;
    ki_skip_t *k = &l->skips[l->n_skips++];
    snprintf(k->kind, sizeof k->kind, "%s", kind);
    k->n = 1;
}

/* The kind a file of no known type is counted as: its extension, lower-case
 * (".xyz"), or "no extension". */
static void type_kind(const char *name, char *kind, size_t cap)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || !dot[1] || strlen(dot) >= cap || strlen(dot) > 12) {
        snprintf(kind, cap, "%s", dot && dot != name && dot[1] ? "other extension" : "no extension");
        return;
    }
    size_t i = 0;
    for (; dot[i] && i + 1 < cap; i++) {
        unsigned char c = (unsigned char)dot[i];
        kind[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (c < 0x20 || c == 0x7f || c >= 0x80) {
            snprintf(kind, cap, "other extension");
            return;
        }
    }
    kind[i] = '\0';
}

/* The kind of a special file, by its mode, or NULL for a regular file or folder. */
static const char *special_kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "fifo";
    if (S_ISSOCK(m))
        return "socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "device";
    if (!S_ISREG(m) && !S_ISDIR(m))
        return "special";
    return NULL;
}

/* Take ownership of path and name. */
static int add_entry(ki_filelist_t *l, char *path, char *name, const char *root,
                     unsigned long long size)
{
    ki_entry_t *ne = kd_vec_grow(l->entries, &l->cap, l->n + 1, sizeof *ne, 64);
    if (!ne)
        return -1;
    l->entries = ne;
    l->entries[l->n++] = (ki_entry_t){ .path = path, .name = name, .root = root, .size = size };
    l->bytes += size;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---------------------------------------------------------------------- */
/* The walk                                                                */

static int cmp_dirid(const dirid_t *a, const dirid_t *b)
{
    if (a->dev != b->dev)
        return a->dev < b->dev ? -1 : 1;
    return a->ino < b->ino ? -1 : a->ino > b->ino;
}

/* Note that the folder sb describes is entered; 0 if it was entered before
 * (a link loop, or a second link to it), -1 when out of memory. */
static int enter_dir(walker_t *w, const struct stat *sb)
{
    dirid_t id = { sb->st_dev, sb->st_ino };
    size_t lo = 0, hi = w->n_dirs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_dirid(&w->dirs[mid], &id);
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    dirid_t *v = kd_vec_grow(w->dirs, &w->cap_dirs, w->n_dirs + 1, sizeof *v, 64);
    if (!v)
        return -1;
    w->dirs = v;
    memmove(w->dirs + lo + 1, w->dirs + lo, (w->n_dirs - lo) * sizeof *w->dirs);
    w->dirs[lo] = id;
    w->n_dirs++;
    return 1;
}

/* Whether glob g matches the entry whose path below the glob's folder is sub
 * (base name base). A glob ending in '/' matches folders only; a glob with a
 * '/' elsewhere matches the whole path below its folder (a leading '/' only
 * anchors it there), one without matches the base name at any depth. */
static int glob_matches(const char *g, const char *sub, const char *base, int is_dir)
{
    size_t n = strlen(g);
    char buf[4096];
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, g, n + 1);
    if (buf[n - 1] == '/') {
        if (!is_dir)
            return 0;
        buf[--n] = '\0';
    }
    const char *p = buf;
    if (*p == '/')
        p++;
    if (!*p)
        return 0;
    if (strchr(buf, '/'))
        return fnmatch(p, sub, FNM_PATHNAME | FNM_PERIOD) == 0;
    return fnmatch(p, base, FNM_PERIOD) == 0;
}

/* Whether the entry at sub (below the target; base name base) is excluded:
 * by an --exclude glob (or the root record's), or by a .kavoshignore of a
 * folder above it. */
static int excluded(walker_t *w, const char *sub, const char *base, int is_dir)
{
    const ki_target_t *t = w->root->target;
    for (size_t i = 0; t && i < t->n_exclude; i++)
        if (glob_matches(t->exclude[i], sub, base, is_dir))
            return 1;
    for (size_t k = 0; k < w->n_ignores; k++) {
        const ignore_t *ig = &w->ignores[k];
        const char *below = sub + ig->base + (ig->base ? 1 : 0);
        for (size_t i = 0; i < ig->n; i++)
            if (glob_matches(ig->globs[i], below, base, is_dir))
                return 1;
    }
    return 0;
}

/* Whether a file passes the --include globs (all pass when there are none). */
static int included(walker_t *w, const char *sub, const char *base)
{
    const ki_target_t *t = w->root->target;
    if (!t || t->n_include == 0)
        return 1;
    for (size_t i = 0; i < t->n_include; i++)
        if (glob_matches(t->include[i], sub, base, 0))
            return 1;
    return 0;
}

/* Read dir's .kavoshignore, if any, onto the stack (sub: dir below the
 * target). Returns 1 if one was pushed. */
static int push_ignore(walker_t *w, const char *dir, const char *sub)
{
    size_t dl = strlen(dir);
    char *path = ki_join(dir, dl && dir[dl - 1] == '/' ? "" : "/", IGNORE_FILE);
    if (!path)
        return 0;
    struct stat sb;
    if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        free(path);
        return 0;
    }
    if (sb.st_size > (off_t)MAX_IGNORE_BYTES) {
        if (!w->quiet)
            ki_warn("%s: larger than %u KB, not read", path, MAX_IGNORE_BYTES >> 10);
        free(path);
        return 0;
    }
    char *buf = NULL;
    size_t len = 0;
    if (ki_read_regular(path, &buf, &len) != 0) {
        ki_warn("%s: cannot read: %s", path, strerror(errno));
        free(path);
        return 0;
    }
    ignore_t ig = { .base = strlen(sub) };
    size_t cap = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        const char *l = buf + i;
        size_t n = end - i;
        i = end + 1;
        if (n && l[n - 1] == '\r')
            n--;
        ki_trim_blanks(&l, &n);
        if (!n || l[0] == '#')
            continue;
        char **v = kd_vec_grow(ig.globs, &cap, ig.n + 1, sizeof *v, 8);
        if (!v)
            break;
        ig.globs = v;
        if (!(ig.globs[ig.n] = strndup(l, n)))
            break;
        ig.n++;
    }
    free(buf);
    free(path);
    ignore_t *v = kd_vec_grow(w->ignores, &w->cap_ignores, w->n_ignores + 1, sizeof *v, 4);
    if (!v) {
        for (size_t k = 0; k < ig.n; k++)
            free(ig.globs[k]);
        free(ig.globs);
        return 0;
    }
    w->ignores = v;
    w->ignores[w->n_ignores++] = ig;
    return 1;
}

static void pop_ignore(walker_t *w)
{
    ignore_t *ig = &w->ignores[--w->n_ignores];
    for (size_t k = 0; k < ig->n; k++)
        free(ig->globs[k]);
    free(ig->globs);
}

/* A file passed over: counted by kind, and named with -v. */
static void skip_file(walker_t *w, const char *path, const char *kind, const char *why)
{
    add_skip(w->list, kind);
    if (w->verbose)
        ki_note("%s: skipped: %s", path, why);
}

/* Walk dir (whose name in the index is rel, and whose path below the
 * target is sub) in sorted order, so that runs are reproducible and
 * document ids follow the file names. The recursion goes as deep as the
 * folders do: every folder is entered once (enter_dir), so it ends. */
static void walk(walker_t *w, const char *dir, const char *rel, const char *sub, int depth)
{
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
        char **nn = kd_vec_grow(names, &cap, n + 1, sizeof *nn, 32);
        if (!nn) {
            oom = 1;
            break;
        }
        names = nn;
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
    int pushed = push_ignore(w, dir, sub);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(dir);
        char *path = ki_join(dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        char *name = ki_join(rel, *rel ? "/" : "", names[i]);
        char *esub = ki_join(sub, *sub ? "/" : "", names[i]);
        struct stat sb;
        int link = 0;
        if (!path || !name || !esub) {
            ki_error("%s: out of memory", dir);
            w->root->complete = 0;
            ki_walk_fail(w, KI_EXIT_FAILURE);
            goto next;
        }
        /* lstat first: nothing is opened before its type is known. */
        if (lstat(path, &sb) != 0) {
            ki_warn("%s: %s", path, strerror(errno));
            goto next;
        }
        if (S_ISLNK(sb.st_mode)) {
            link = 1;
            if (stat(path, &sb) != 0) {
                skip_file(w, path, "broken link", "a link to nothing");
                goto next;
            }
        }
        if (S_ISDIR(sb.st_mode)) {
            if (excluded(w, esub, names[i], 1)) {
                if (w->verbose)
                    ki_note("%s/: skipped: excluded", path);
                goto next;
            }
            dirid_t id = { sb.st_dev, sb.st_ino };
            if (w->has_index_dir && cmp_dirid(&id, &w->index_dir) == 0) {
                if (w->verbose)
                    ki_note("%s: the index itself, not walked", path);
                goto next;
            }
            int fresh = enter_dir(w, &sb);
            if (fresh < 0) {
                ki_error("%s: out of memory", path);
                w->root->complete = 0;
                ki_walk_fail(w, KI_EXIT_FAILURE);
            } else if (fresh == 0) {
                if (w->verbose)
                    ki_note("%s: %s", path, link ? "a link to a folder walked already, not followed"
                                                 : "a folder walked already, not entered again");
            } else
                walk(w, path, name, esub, depth + 1);
            goto next;
        }
        const char *special = special_kind(sb.st_mode);
        if (special) {
            skip_file(w, path, special, special);
            goto next;
        }
        if (depth == 0 && strcmp(names[i], GLOSSARY_FILE) == 0) {
            w->root->glossary = path;
            w->root->glossary_name = ki_join(w->root->target ? w->root->target->name : "",
                                          w->root->target && *w->root->target->name ? "/" : "",
                                          GLOSSARY_FILE);
            path = NULL;
            goto next;
        }
        if (strcmp(names[i], MANIFEST_FILE) == 0) {
            ki_manifest_read(w, path, dir, rel, w->root->path, 0);
            path = NULL;
            goto next;
        }
        if (excluded(w, esub, names[i], 0) || !included(w, esub, names[i])) {
            skip_file(w, path, "excluded", "excluded");
            goto next;
        }
        if (!has_indexable_extension(names[i])) {
            char kind[24];
            type_kind(names[i], kind, sizeof kind);
            skip_file(w, path, kind, "not a type kavosh-index reads");
            goto next;
        }
        if (add_entry(w->list, path, name, w->root->path, (unsigned long long)sb.st_size) == 0) {
            w->list->entries[w->list->n - 1].owner = w->root->target ? w->root->target->owner : "";
            path = name = NULL;
        } else {
            ki_error("%s: out of memory", path);
            w->root->complete = 0;
            ki_walk_fail(w, KI_EXIT_FAILURE);
        }
    next:
        free(path);
        free(name);
        free(esub);
        free(names[i]);
    }
    if (pushed)
        pop_ignore(w);
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
static void drop_duplicate_names(ki_filelist_t *l, int verbose)
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
            /* The same file reached twice (named, and inside a folder
             * named) is indexed once; two files can only share a name
             * when a folder is reached by two spellings. */
            if (strcmp(byname[i]->path, byname[k]->path) != 0)
                ki_warn("%s: not indexed: %s is already named %s in the index", byname[i]->path,
                        byname[k]->path, byname[i]->name);
            else if (verbose)
                ki_note("%s: named twice, indexed once", byname[i]->path);
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

/* A file named on the command line is described by the sources.tsv next to
 * it just as if its directory had been walked: read each such directory's
 * manifest once. Only its lines naming files of this run matter. */
ki_exit_t ki_collect(ki_target_t *targets, size_t n_targets, const char *db_path, int quiet,
                     int verbose, ki_filelist_t *list)
{
    memset(list, 0, sizeof *list);
    walker_t w = { .list = list, .quiet = quiet, .verbose = verbose };
    struct stat dsb;
    if (db_path && stat(db_path, &dsb) == 0 && S_ISDIR(dsb.st_mode)) {
        w.index_dir = (dirid_t){ dsb.st_dev, dsb.st_ino };
        w.has_index_dir = 1;
    }
    if (n_targets && !(list->roots = calloc(n_targets, sizeof *list->roots))) {
        ki_error("out of memory");
        return KI_EXIT_FAILURE;
    }
    /* Every folder target's top is entered by its own walk only: a folder
     * named twice, or inside another one named, is walked once, with the
     * names of its own target. */
    for (size_t i = 0; i < n_targets; i++) {
        struct stat sb;
        if (targets[i].is_dir && !targets[i].gone && stat(targets[i].path, &sb) == 0 &&
            S_ISDIR(sb.st_mode) && enter_dir(&w, &sb) == 0 && !targets[i].skip_only)
            targets[i].gone = -1;   /* the same folder as an earlier target */
    }
    for (size_t i = 0; i < n_targets; i++) {
        ki_target_t *t = &targets[i];
        const char *path = t->path;
        struct stat sb;
        if (t->gone || t->skip_only)
            continue;
        if (stat(path, &sb) != 0) {
            ki_error("%s: %s", path, strerror(errno));
            ki_walk_fail(&w, KI_EXIT_FAILURE);
            continue;
        }
        if (S_ISDIR(sb.st_mode)) {
            w.root = &list->roots[list->n_roots++];
            w.root->path = path;
            w.root->target = t;
            w.root->complete = 1;
            walk(&w, path, t->name, "", 0);
            continue;
        }
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        /* Named directly, a special file is still never opened. */
        const char *special = special_kind(sb.st_mode);
        if (special) {
            ki_warn("%s: a %s, not a file; not indexed", path, special);
            add_skip(list, special);
            continue;
        }
        /* A manifest named directly (say by a shell glob) describes texts;
         * it is not one of them. */
        if (strcmp(base, MANIFEST_FILE) == 0) {
            if (!quiet)
                ki_warn("%s: a manifest of cited works' texts, not a text; not indexed", path);
            continue;
        }
        if (!has_indexable_extension(base)) {
            char kind[24];
            type_kind(base, kind, sizeof kind);
            if (!quiet)
                ki_warn("%s: not a type kavosh-index reads (%s); not indexed", path, kind);
            add_skip(list, kind);
            continue;
        }
        char *p = strdup(path), *nm = strdup(t->name);
        if (!p || !nm || add_entry(list, p, nm, NULL, (unsigned long long)sb.st_size) != 0) {
            free(p);
            free(nm);
            ki_error("%s: out of memory", path);
            ki_walk_fail(&w, KI_EXIT_FAILURE);
        } else
            list->entries[list->n - 1].owner = t->owner;
    }
    drop_duplicate_names(list, verbose);
    ki_manifest_read_direct(&w);
    ki_manifest_match(&w);
    for (size_t i = 0; i < w.n_claims; i++)
        ki_claim_free(&w.claims[i]);
    free(w.claims);
    for (size_t i = 0; i < w.n_manifests; i++)
        free(w.manifests[i].path);
    free(w.manifests);
    free(w.dirs);
    free(w.ignores);
    return w.exit;
}

int ki_read_regular(const char *path, char **buf_out, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int err = S_ISREG(sb.st_mode) ? errno : EINVAL;
        close(fd);
        errno = err;
        return -1;
    }
    size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (len == cap) {
            if (cap > ((size_t)-1) / 4) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return -1;
            }
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                close(fd);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int err = errno;
            free(buf);
            close(fd);
            errno = err;
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    *buf_out = buf;
    *len_out = len;
    return 0;
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
    for (size_t i = 0; i < list->n_roots; i++) {
        free(list->roots[i].glossary);
        free(list->roots[i].glossary_name);
    }
    free(list->skips);
    free(list->entries);
    free(list->roots);
    memset(list, 0, sizeof *list);
}

/*
 * roots.c - the folders and files an index was built from, so that
 * kavosh-index with no PATH brings the index up to date with them (as
 * `notmuch new` does with its mail folder), and so that a file keeps its
 * name in the index however it is reached.
 *
 * A file is named in the index by its path as given: relative to the folder
 * kavosh-index ran in ("papers/notes.md"), or absolute when given so. Each
 * folder or file named on a command line becomes a root record (schema.h:
 * KI_META_ROOT + its name -> its kind and real path, and its globs). A
 * later PATH is resolved against them: the same folder, or a folder or file
 * inside one, however spelled (relative from elsewhere, absolute, through a
 * link), gets the names it has had; a new one whose name is already another
 * folder's (say "." from two places) is named by its real path instead.
 */
/* realpath(3) is XSI; strdup and the rest are POSIX 2008. */
#define _XOPEN_SOURCE 700
#include "index_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "strbuf.h"

typedef struct rootrec {
    char  *name;
    char  *abspath;
    int    is_dir;
    char **exclude, **include;
    size_t n_exclude, n_include;
} rootrec_t;

typedef struct rootrecs {
    kx_db_t   *db;
    rootrec_t *v;
    size_t     n, cap;
    kx_status_t st;
    int        oom;
} rootrecs_t;

static char *join3(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

char *ki_clean_name(const char *path)
{
    size_t n = strlen(path);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int absolute = path[0] == '/';
    if (absolute)
        out[o++] = '/';
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && path[j] != '/')
            j++;
        size_t len = j - i;
        if (len && !(len == 1 && path[i] == '.')) {
            if (o && out[o - 1] != '/')
                out[o++] = '/';
            memcpy(out + o, path + i, len);
            o += len;
        }
        i = j + 1;
    }
    out[o] = '\0';
    return out;
}

/* A root record is line-based: its path is stored with a backslash as \\
 * and a newline as \n, and read back by unescape. */
static void add_escaped_path(kd_buf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            kd_buf_adds(b, "\\\\");
        else if (*s == '\n')
            kd_buf_adds(b, "\\n");
        else
            kd_buf_addc(b, *s);
    }
}

static char *unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            i++;
            out[o++] = s[i] == 'n' ? '\n' : s[i];
        } else
            out[o++] = s[i];
    }
    out[o] = '\0';
    return out;
}

static int strv_add(char ***v, size_t *n, const char *s, size_t len)
{
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *v = nv;
    if (!(nv[*n] = strndup(s, len)))
        return -1;
    (*n)++;
    return 0;
}

static void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void rec_free(rootrec_t *r)
{
    free(r->name);
    free(r->abspath);
    strv_free(r->exclude, r->n_exclude);
    strv_free(r->include, r->n_include);
}

/* "dir ABSPATH\nexclude GLOB\ninclude GLOB..." */
static int parse_rec(rootrec_t *r, const char *v)
{
    const char *nl = strchr(v, '\n');
    size_t first = nl ? (size_t)(nl - v) : strlen(v);
    if (first > 4 && strncmp(v, "dir ", 4) == 0)
        r->is_dir = 1;
    else if (!(first > 5 && strncmp(v, "file ", 5) == 0))
        return -1;
    size_t skip = r->is_dir ? 4 : 5;
    if (!(r->abspath = unescape(v + skip, first - skip)))
        return -1;
    for (const char *p = nl ? nl + 1 : NULL; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 8 && strncmp(p, "exclude ", 8) == 0) {
            if (strv_add(&r->exclude, &r->n_exclude, p + 8, len - 8) != 0)
                return -1;
        } else if (len > 8 && strncmp(p, "include ", 8) == 0) {
            if (strv_add(&r->include, &r->n_include, p + 8, len - 8) != 0)
                return -1;
        }
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static int load_one(void *ctx, const char *key)
{
    rootrecs_t *rs = ctx;
    char *v = NULL;
    rs->st = kx_db_get_metadata(rs->db, key, &v);
    if (rs->st != KX_OK)
        return 1;
    if (!*v) {
        kx_free(v);
        return 0;
    }
    rootrec_t *nv = kd_vec_grow(rs->v, &rs->cap, rs->n + 1, sizeof *nv, 8);
    if (!nv) {
        kx_free(v);
        rs->oom = 1;
        return 1;
    }
    rs->v = nv;
    rootrec_t r = { 0 };
    r.name = strdup(key + strlen(KI_META_ROOT));
    if (!r.name || parse_rec(&r, v) != 0) {
        ki_warn("malformed record %s in the index: ignored", key);
        rec_free(&r);
    } else
        rs->v[rs->n++] = r;
    kx_free(v);
    return 0;
}

static kx_status_t load_roots(kx_db_t *db, rootrecs_t *rs)
{
    memset(rs, 0, sizeof *rs);
    rs->db = db;
    kx_status_t st = kx_db_metadata_keys(db, KI_META_ROOT, load_one, rs);
    if (st == KX_OK)
        st = rs->st;
    if (st == KX_OK && rs->oom)
        st = KX_NO_MEMORY;
    return st;
}

static void free_roots(rootrecs_t *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        rec_free(&rs->v[i]);
    free(rs->v);
}

long ki_count_roots(kx_db_t *db)
{
    rootrecs_t rs;
    kx_status_t st = load_roots(db, &rs);
    long n = st == KX_OK ? (long)rs.n : -1;
    free_roots(&rs);
    return n;
}

/* The real path of path: a folder's own, a file's folder's and its base
 * name (so a link keeps its name). malloc'd, or NULL with errno set. */
static char *real_path(const char *path, int is_dir)
{
    if (is_dir)
        return realpath(path, NULL);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return NULL;
    char *rd = realpath(dir, NULL);
    free(dir);
    if (!rd)
        return NULL;
    const char *base = slash ? slash + 1 : path;
    char *out = join3(rd, strcmp(rd, "/") == 0 ? "" : "/", base);
    free(rd);
    return out;
}

/* Whether a lies inside folder b (both real paths): the rest after b's
 * slash, or NULL. */
static const char *inside(const char *a, const char *b)
{
    size_t bl = strlen(b);
    if (strcmp(b, "/") == 0)
        return a[0] == '/' && a[1] ? a + 1 : NULL;
    if (strncmp(a, b, bl) == 0 && a[bl] == '/' && a[bl + 1])
        return a + bl + 1;
    return NULL;
}

/* Whether the names under name would meet those of an existing root r:
 * the same name, one below the other, or "" (the names relative to some
 * folder) meeting a relative name. */
static int names_meet(const char *name, const char *other)
{
    size_t a = strlen(name), b = strlen(other);
    if (strcmp(name, other) == 0)
        return 1;
    if (!a || !b) {
        const char *rel = a ? name : other;
        return rel[0] != '/' && strncmp(rel, "../", 3) != 0 && strcmp(rel, "..") != 0;
    }
    if (a < b)
        return strncmp(other, name, a) == 0 && other[a] == '/';
    return strncmp(name, other, b) == 0 && name[b] == '/';
}

static int targets_add(ki_targets_t *t, ki_target_t *x)
{
    ki_target_t *v = kd_vec_grow(t->v, &t->cap, t->n + 1, sizeof *v, 8);
    if (!v)
        return -1;
    t->v = v;
    t->v[t->n++] = *x;
    return 0;
}

static void target_free(ki_target_t *x)
{
    free(x->path);
    free(x->name);
    free(x->owner);
    free(x->abspath);
    strv_free(x->exclude, x->n_exclude);
    strv_free(x->include, x->n_include);
}

void ki_targets_free(ki_targets_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        target_free(&t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}

static int copy_globs(ki_target_t *x, char *const *ex, size_t n_ex, char *const *in, size_t n_in)
{
    for (size_t i = 0; i < n_ex; i++)
        if (strv_add(&x->exclude, &x->n_exclude, ex[i], strlen(ex[i])) != 0)
            return -1;
    for (size_t i = 0; i < n_in; i++)
        if (strv_add(&x->include, &x->n_include, in[i], strlen(in[i])) != 0)
            return -1;
    return 0;
}

/* A target for root record r (a run with no PATH, or a root inside a
 * folder named). */
static int target_of_record(ki_targets_t *out, const rootrec_t *r, int quiet)
{
    ki_target_t x = { .is_dir = r->is_dir, .from_index = 1 };
    x.path = strdup(r->abspath);
    x.name = strdup(r->name);
    x.owner = strdup(r->name);
    x.abspath = strdup(r->abspath);
    if (!x.path || !x.name || !x.owner || !x.abspath ||
        copy_globs(&x, r->exclude, r->n_exclude, r->include, r->n_include) != 0) {
        target_free(&x);
        return -1;
    }
    struct stat sb;
    if (stat(x.path, &sb) != 0 || (r->is_dir && !S_ISDIR(sb.st_mode))) {
        x.gone = 1;
        /* A folder not there may be a disk not mounted: its files stay.
         * A file not there is gone, like a file gone from a folder. */
        if (r->is_dir && !quiet)
            ki_warn("%s%s(%s): folder not found, its files stay in the index as they are",
                    *r->name ? r->name : ".", " ", r->abspath);
    }
    if (targets_add(out, &x) != 0) {
        target_free(&x);
        return -1;
    }
    return 0;
}

ki_exit_t ki_targets_make(kx_db_t *db, const char *const *paths, size_t n_paths,
                          const ki_options_t *opt, ki_targets_t *out)
{
    memset(out, 0, sizeof *out);
    rootrecs_t rs;
    kx_db_t *rdb = n_paths == 0 && opt->roots_from ? opt->roots_from : db;
    kx_status_t st = load_roots(rdb, &rs);
    if (st != KX_OK) {
        const char *d = kx_db_last_error(rdb);
        ki_error("cannot read the index: %s%s%s", kx_status_to_string(st), *d ? ": " : "", d);
        free_roots(&rs);
        return ki_exit_for_status(st);
    }
    ki_exit_t ex = KI_EXIT_OK;
    if (n_paths == 0 && !opt->bundled) {
        for (size_t i = 0; i < rs.n; i++)
            if (target_of_record(out, &rs.v[i], opt->quiet || opt->rebuild) != 0)
                goto oom;
        free_roots(&rs);
        /* Starting over without a folder would lose its files. */
        for (size_t i = 0; opt->rebuild && i < out->n; i++)
            if (out->v[i].gone && out->v[i].is_dir) {
                ki_error("%s (%s): folder not found; not starting over (--rebuild)",
                         *out->v[i].name ? out->v[i].name : ".", out->v[i].abspath);
                ex = KI_EXIT_FAILURE;
            }
        return ex;
    }
    const char *bundled[1] = { opt->bundled };
    if (n_paths == 0) {
        paths = bundled;
        n_paths = 1;
    }
    for (size_t i = 0; i < n_paths; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) != 0) {
            ki_error("%s: %s", paths[i], strerror(errno));
            ex = KI_EXIT_FAILURE;
            continue;
        }
        ki_target_t x = { .is_dir = S_ISDIR(sb.st_mode) };
        x.path = strdup(paths[i]);
        x.abspath = real_path(paths[i], x.is_dir);
        if (!x.path || !x.abspath) {
            ki_error("%s: %s", paths[i], strerror(errno ? errno : ENOMEM));
            target_free(&x);
            ex = KI_EXIT_FAILURE;
            continue;
        }
        /* The same folder or file as a root, or inside a root folder (the
         * deepest): the names it has had. */
        const rootrec_t *hit = NULL;
        const char *rest = NULL;
        for (size_t k = 0; k < rs.n; k++) {
            const rootrec_t *r = &rs.v[k];
            if (strcmp(r->abspath, x.abspath) == 0 && r->is_dir == x.is_dir) {
                hit = r;
                rest = NULL;
                break;
            }
            const char *in = r->is_dir ? inside(x.abspath, r->abspath) : NULL;
            if (in && (!hit || strlen(r->abspath) > strlen(hit->abspath))) {
                hit = r;
                rest = in;
            }
        }
        if (hit) {
            x.owner = strdup(hit->name);
            x.name = rest ? join3(hit->name, *hit->name ? "/" : "", rest) : strdup(hit->name);
            if (!rest && x.is_dir && !opt->n_exclude && !opt->n_include &&
                copy_globs(&x, hit->exclude, hit->n_exclude, hit->include, hit->n_include) != 0)
                goto oom_x;
            if (rest && x.is_dir && copy_globs(&x, hit->exclude, hit->n_exclude, NULL, 0) != 0)
                goto oom_x;
        } else {
            x.new_root = 1;
            x.name = opt->bundled && paths == bundled ? strdup("") : ki_clean_name(paths[i]);
            int meets = 0;
            for (size_t k = 0; x.name && k < rs.n && !meets; k++)
                meets = names_meet(x.name, rs.v[k].name);
            for (size_t k = 0; x.name && k < out->n && !meets; k++)
                meets = out->v[k].new_root && strcmp(out->v[k].abspath, x.abspath) != 0 &&
                        names_meet(x.name, out->v[k].name);
            if (meets) {
                if (!opt->quiet)
                    ki_note("%s: named by its real path %s in the index: its name as given "
                            "is already another folder's", paths[i], x.abspath);
                free(x.name);
                x.name = strdup(x.abspath);
            }
            x.owner = x.name ? strdup(x.name) : NULL;
        }
        if (!x.name || !x.owner)
            goto oom_x;
        if (x.is_dir && (opt->n_exclude || opt->n_include)) {
            strv_free(x.exclude, x.n_exclude);
            strv_free(x.include, x.n_include);
            x.exclude = x.include = NULL;
            x.n_exclude = x.n_include = 0;
            x.globs_given = 1;
            if (copy_globs(&x, (char *const *)opt->exclude, opt->n_exclude,
                           (char *const *)opt->include, opt->n_include) != 0)
                goto oom_x;
        }
        if (targets_add(out, &x) != 0)
            goto oom_x;
        continue;
    oom_x:
        target_free(&x);
        goto oom;
    }
    /* Roots inside a folder named are walked as themselves, with their
     * own names (collect.c does not enter them from above). */
    size_t n_named = out->n;
    for (size_t k = 0; k < rs.n; k++) {
        if (!rs.v[k].is_dir)
            continue;
        int covered = 0, below = 0;
        for (size_t i = 0; i < n_named; i++) {
            covered |= strcmp(out->v[i].owner, rs.v[k].name) == 0 &&
                       strcmp(out->v[i].name, rs.v[k].name) == 0;
            below |= out->v[i].is_dir && inside(rs.v[k].abspath, out->v[i].abspath) != NULL;
        }
        if (!covered && target_of_record(out, &rs.v[k], opt->quiet || !below) != 0)
            goto oom;
        /* Not inside a folder of this run: only kept out of their walks
         * (say through a link), so that its files keep their names. */
        if (!covered && !below)
            out->v[out->n - 1].skip_only = 1;
    }
    free_roots(&rs);
    return ex;
oom:
    ki_error("out of memory");
    free_roots(&rs);
    return KI_EXIT_FAILURE;
}

static kx_status_t set_root(kx_db_t *db, const ki_target_t *x)
{
    kd_buf_t k = { 0 }, v = { 0 };
    kd_buf_adds(&k, KI_META_ROOT);
    kd_buf_adds(&k, x->name);
    kd_buf_adds(&v, x->is_dir ? "dir " : "file ");
    add_escaped_path(&v, x->abspath);
    /* A glob with a newline could not be read back; there is none from a
     * command line in practice, and it is left out. */
    for (size_t i = 0; i < x->n_exclude; i++)
        if (!strchr(x->exclude[i], '\n')) {
            kd_buf_adds(&v, "\nexclude ");
            kd_buf_adds(&v, x->exclude[i]);
        }
    for (size_t i = 0; i < x->n_include; i++)
        if (!strchr(x->include[i], '\n')) {
            kd_buf_adds(&v, "\ninclude ");
            kd_buf_adds(&v, x->include[i]);
        }
    kx_status_t st = k.oom || v.oom || !k.p || !v.p ? KX_NO_MEMORY
                                                    : kx_db_set_metadata(db, k.p, v.p);
    kd_buf_free(&k);
    kd_buf_free(&v);
    return st;
}

kx_status_t ki_targets_store(kx_db_t *db, const ki_targets_t *t, const ki_filelist_t *list,
                             int all)
{
    kx_status_t st = KX_OK;
    for (size_t i = 0; st == KX_OK && i < t->n; i++) {
        const ki_target_t *x = &t->v[i];
        if (x->skip_only)
            continue;
        if (x->gone > 0 && x->from_index && !x->is_dir) {
            char *key = join3(KI_META_ROOT, "", x->name);
            st = key ? kx_db_set_metadata(db, key, "") : KX_NO_MEMORY;
            free(key);
            continue;
        }
        if (x->gone)
            continue;
        int is_root = strcmp(x->name, x->owner) == 0;
        if (!(x->new_root || (is_root && (x->globs_given || all))))
            continue;
        /* Only what was indexed becomes a root: a folder walked, a file collected. */
        int used = 0;
        for (size_t k = 0; !used && x->is_dir && k < list->n_roots; k++)
            used = list->roots[k].target == x;
        for (size_t k = 0; !used && !x->is_dir && k < list->n; k++)
            used = strcmp(list->entries[k].name, x->name) == 0;
        if (used)
            st = set_root(db, x);
    }
    return st;
}

struct ki_rootmap {
    rootrecs_t rs;
};

kx_status_t ki_rootmap_load(kx_db_t *db, ki_rootmap_t **out)
{
    *out = NULL;
    ki_rootmap_t *m = calloc(1, sizeof *m);
    if (!m)
        return KX_NO_MEMORY;
    kx_status_t st = load_roots(db, &m->rs);
    if (st != KX_OK) {
        ki_rootmap_free(m);
        return st;
    }
    *out = m;
    return KX_OK;
}

char *ki_rootmap_path(const ki_rootmap_t *m, const char *owner, const char *name)
{
    for (size_t i = 0; m && i < m->rs.n; i++) {
        const rootrec_t *r = &m->rs.v[i];
        if (strcmp(r->name, owner) != 0)
            continue;
        size_t ol = strlen(owner);
        if (strcmp(name, owner) == 0)
            return strdup(r->abspath);
        if (!ol)
            return join3(r->abspath, strcmp(r->abspath, "/") == 0 ? "" : "/", name);
        if (strncmp(name, owner, ol) == 0 && name[ol] == '/')
            return join3(r->abspath, strcmp(r->abspath, "/") == 0 ? "" : "/", name + ol + 1);
    }
    return NULL;
}

void ki_rootmap_free(ki_rootmap_t *m)
{
    if (!m)
        return;
    free_roots(&m->rs);
    free(m);
}

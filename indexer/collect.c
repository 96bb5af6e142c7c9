/*
 * collect.c - the files a run will index, found before any is read, so that
 * the progress line knows the total and stale files are only deleted when
 * their directory could be read completely; and what the directories'
 * sources.tsv manifests say about them (which files are full texts of which
 * cited works).
 */
#include "index_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
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

typedef struct walker {
    ki_filelist_t *list;
    ki_root_t     *root;
    ki_exit_t      exit;
    int            quiet;     /* no warnings about the manifests' content */
    manifest_t    *manifests;
    size_t         n_manifests, cap_manifests;
    claim_t       *claims;
    size_t         n_claims, cap_claims;
} walker_t;

static void fail(walker_t *w, ki_exit_t e)
{
    if (w->exit == KI_EXIT_OK)
        w->exit = e;
}

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

static char *join(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

/* ---------------------------------------------------------------------- */
/* sources.tsv                                                             */

/* A warning about line `line` of manifest m (line 0: the file as a whole),
 * unless --quiet or m has had its share. */
static void manifest_warn(walker_t *w, size_t m, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void manifest_warn(walker_t *w, size_t m, size_t line, const char *fmt, ...)
{
    manifest_t *mf = &w->manifests[m];
    if (w->quiet || mf->warnings > MAX_MANIFEST_WARNINGS)
        return;
    if (mf->warnings++ == MAX_MANIFEST_WARNINGS) {
        ki_warn("%s: more problems, not shown", mf->path);
        return;
    }
    /* Long enough for a whole line with its message: every piece of the
     * line quoted here was checked to be UTF-8 without control characters. */
    char msg[2 * MAX_MANIFEST_LINE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        ki_warn("%s:%zu: %s", mf->path, line, msg);
    else
        ki_warn("%s: %s", mf->path, msg);
}

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    return 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* FILE as a clean relative path: empty and "." components dropped, ".."
 * and absolute paths refused (a manifest describes its own directory).
 * Returns a malloc'd string, or NULL with *why set. */
static char *clean_relative(const char *s, size_t n, const char **why)
{
    *why = "FILE must be a path inside the manifest's directory";
    if (n && s[0] == '/')
        return NULL;
    char *out = malloc(n + 1);
    if (!out) {
        *why = "out of memory";
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j] != '/')
            j++;
        size_t len = j - i;
        if (len == 2 && s[i] == '.' && s[i + 1] == '.') {
            free(out);
            return NULL;
        }
        if (len && !(len == 1 && s[i] == '.')) {
            if (o)
                out[o++] = '/';
            memcpy(out + o, s + i, len);
            o += len;
        }
        i = j + 1;
    }
    out[o] = '\0';
    if (!o) {
        free(out);
        return NULL;
    }
    return out;
}

static int add_claim(walker_t *w, claim_t *c)
{
    if (w->n_claims == w->cap_claims) {
        size_t cap = w->cap_claims ? w->cap_claims * 2 : 16;
        claim_t *nc = realloc(w->claims, cap * sizeof *nc);
        if (!nc)
            return -1;
        w->claims = nc;
        w->cap_claims = cap;
    }
    w->claims[w->n_claims++] = *c;
    return 0;
}

static void claim_free(claim_t *c)
{
    free(c->name);
    free(c->path);
    free(c->file);
    free(c->entry);
}

/* One line of manifest m (dir is its directory as opened, rel its name in
 * the index). Problems are warned about; the line is then ignored. */
static void manifest_line(walker_t *w, size_t m, size_t lineno, const char *s, size_t n,
                          const char *dir, const char *rel)
{
    if (n && s[n - 1] == '\r')
        n--;
    if (n > MAX_MANIFEST_LINE) {
        manifest_warn(w, m, lineno, "line longer than %d bytes, ignored", MAX_MANIFEST_LINE);
        return;
    }
    size_t bad = ki_utf8_check(s, n);
    if (bad < n) {
        manifest_warn(w, m, lineno, "not UTF-8 (byte %zu of the line), ignored", bad + 1);
        return;
    }
    /* A byte order mark is an editor's, not part of FILE. */
    if (lineno == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        n -= 3;
    }
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if (!tn || t[0] == '#')
        return;
    const char *tab = memchr(s, '\t', n);
    if (!tab) {
        manifest_warn(w, m, lineno, "expected FILE<TAB>ENTRY, found no tab; line ignored");
        return;
    }
    const char *file = s, *entry = tab + 1;
    size_t fn = (size_t)(tab - s), en = n - fn - 1;
    if (memchr(entry, '\t', en)) {
        manifest_warn(w, m, lineno, "expected FILE<TAB>ENTRY, found more than two fields; line ignored");
        return;
    }
    trim(&file, &fn);
    trim(&entry, &en);
    if (!fn || !en) {
        manifest_warn(w, m, lineno, "expected FILE<TAB>ENTRY, found an empty field; line ignored");
        return;
    }
    if (has_control(file, fn) || has_control(entry, en)) {
        manifest_warn(w, m, lineno, "control characters in the line; line ignored");
        return;
    }
    if (memchr(entry, ' ', en) || en + strlen(KI_PREFIX_OF_SOURCE) + 1 >= KX_MAX_TERM_BYTES) {
        manifest_warn(w, m, lineno, "'%.*s' is not a bibliography entry id "
                      "(such as article.fa.md#ref-12; see kavosh-search --sources); line ignored",
                      (int)en, entry);
        return;
    }
    const char *why = NULL;
    char *clean = clean_relative(file, fn, &why);
    if (!clean) {
        manifest_warn(w, m, lineno, "'%.*s': %s; line ignored", (int)fn, file, why);
        return;
    }
    size_t dl = strlen(dir);
    claim_t c = {
        .name = join(rel, *rel ? "/" : "", clean),
        .path = join(dir, dl && dir[dl - 1] == '/' ? "" : "/", clean),
        .file = clean,
        .entry = strndup(entry, en),
        .root = w->manifests[m].root,
        .manifest = m,
        .line = lineno,
    };
    if (!c.name || !c.path || !c.entry || add_claim(w, &c) != 0) {
        claim_free(&c);
        manifest_warn(w, m, lineno, "out of memory; line ignored");
    }
}

/* Read the manifest at path, in directory dir named rel in the index, found
 * under the directory argument root (NULL: next to a file argument, then
 * partial). Its lines become claims; which files they name is settled once
 * every file is collected (match_claims). Takes ownership of path. */
static void read_manifest(walker_t *w, char *path, const char *dir, const char *rel,
                          const char *root, int partial)
{
    if (w->n_manifests == w->cap_manifests) {
        size_t cap = w->cap_manifests ? w->cap_manifests * 2 : 8;
        manifest_t *nm = realloc(w->manifests, cap * sizeof *nm);
        if (!nm) {
            ki_error("%s: out of memory", path);
            fail(w, KI_EXIT_FAILURE);
            free(path);
            return;
        }
        w->manifests = nm;
        w->cap_manifests = cap;
    }
    size_t m = w->n_manifests++;
    w->manifests[m] = (manifest_t){ .path = path, .root = root, .partial = partial };

    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        int err = errno;
        if (f)
            fclose(f);
        manifest_warn(w, m, 0, "cannot read: %s", strerror(err));
        return;
    }
    if (sb.st_size > (off_t)MAX_MANIFEST_BYTES) {
        manifest_warn(w, m, 0, "larger than %u MB, not read", MAX_MANIFEST_BYTES >> 20);
        fclose(f);
        return;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t len = buf ? fread(buf, 1, (size_t)sb.st_size, f) : 0;
    int failed = !buf || ferror(f), err = errno;
    fclose(f);
    if (failed) {
        manifest_warn(w, m, 0, "cannot read: %s", buf ? strerror(err) : "out of memory");
        free(buf);
        return;
    }
    size_t lineno = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        manifest_line(w, m, ++lineno, buf + i, end - i, dir, rel);
        i = end + 1;
    }
    free(buf);
}

static int cmp_entry_ptr_name(const void *a, const void *b)
{
    const ki_entry_t *x = *(const ki_entry_t *const *)a, *y = *(const ki_entry_t *const *)b;
    return strcmp(x->name, y->name);
}

/* Give each collected file the entry its manifest line names. A line naming
 * a file that is missing or not indexed, or a file another line already
 * named, is warned about; the files themselves are indexed as ever. */
static void match_claims(walker_t *w)
{
    ki_filelist_t *l = w->list;
    ki_entry_t **byname = l->n ? malloc(l->n * sizeof *byname) : NULL;
    if (l->n && !byname) {
        ki_error("out of memory while reading %s files", MANIFEST_FILE);
        fail(w, KI_EXIT_FAILURE);
        return;
    }
    for (size_t i = 0; i < l->n; i++)
        byname[i] = &l->entries[i];
    if (l->n)
        qsort(byname, l->n, sizeof *byname, cmp_entry_ptr_name);
    for (size_t i = 0; i < w->n_claims; i++) {
        claim_t *c = &w->claims[i];
        ki_entry_t key = { .name = c->name }, *kp = &key, **hit = NULL;
        if (l->n)
            hit = bsearch(&kp, byname, l->n, sizeof *byname, cmp_entry_ptr_name);
        ki_entry_t *e = hit && (*hit)->root == c->root ? *hit : NULL;
        struct stat sb;
        if (!e && w->manifests[c->manifest].partial)
            continue;
        if (!e && stat(c->path, &sb) != 0)
            manifest_warn(w, c->manifest, c->line, "%s: no such file", c->file);
        else if (!e)
            manifest_warn(w, c->manifest, c->line, "%s: not one of the files indexed "
                          "(.md, .markdown, .txt, .html or .htm; not hidden, not README)", c->file);
        else if (e->of_source)
            manifest_warn(w, c->manifest, c->line, "%s: already named as the text of %s at %s; "
                          "this line is ignored", c->file, e->of_source, e->source_at);
        else {
            char where[64];
            snprintf(where, sizeof where, ":%zu", c->line);
            e->source_at = join(w->manifests[c->manifest].path, "", where);
            if (!e->source_at) {
                ki_error("%s: out of memory", c->path);
                fail(w, KI_EXIT_FAILURE);
                continue;
            }
            e->of_source = c->entry;
            c->entry = NULL;
        }
    }
    free(byname);
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
        fail(w, KI_EXIT_FAILURE);
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
        fail(w, KI_EXIT_FAILURE);
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(dir);
        char *path = join(dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        char *name = join(rel, *rel ? "/" : "", names[i]);
        struct stat sb;
        if (!path || !name) {
            ki_error("%s: out of memory", dir);
            w->root->complete = 0;
            fail(w, KI_EXIT_FAILURE);
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
                fail(w, KI_EXIT_FAILURE);
            }
        } else if (depth == 0 && S_ISREG(sb.st_mode) && strcmp(names[i], GLOSSARY_FILE) == 0) {
            w->root->glossary = path;
            path = NULL;
        } else if (S_ISREG(sb.st_mode) && strcmp(names[i], MANIFEST_FILE) == 0) {
            read_manifest(w, path, dir, rel, w->root->path, 0);
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

/* A file named on the command line is described by the sources.tsv next to
 * it just as if its directory had been walked: read each such directory's
 * manifest once. Only its lines naming files of this run matter. */
static void read_direct_manifests(walker_t *w)
{
    ki_filelist_t *l = w->list;
    for (size_t i = 0; i < l->n; i++) {
        const ki_entry_t *e = &l->entries[i];
        if (e->root)
            continue;
        const char *slash = strrchr(e->path, '/'), *nslash = strrchr(e->name, '/');
        char *dir = slash ? strndup(e->path, (size_t)(slash - e->path) + 1) : strdup("./");
        char *rel = nslash ? strndup(e->name, (size_t)(nslash - e->name)) : strdup("");
        char *mpath = dir ? join(dir, "", MANIFEST_FILE) : NULL;
        struct stat sb;
        int seen = 0;
        for (size_t k = 0; mpath && k < w->n_manifests && !seen; k++)
            seen = !w->manifests[k].root && strcmp(w->manifests[k].path, mpath) == 0;
        if (!dir || !rel || !mpath) {
            ki_error("%s: out of memory", e->path);
            fail(w, KI_EXIT_FAILURE);
        } else if (!seen && stat(mpath, &sb) == 0 && S_ISREG(sb.st_mode)) {
            read_manifest(w, mpath, dir, rel, NULL, 1);
            mpath = NULL;
        }
        free(mpath);
        free(dir);
        free(rel);
    }
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
            fail(&w, KI_EXIT_FAILURE);
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
            fail(&w, KI_EXIT_FAILURE);
        }
    }
    drop_duplicate_names(list);
    read_direct_manifests(&w);
    match_claims(&w);
    for (size_t i = 0; i < w.n_claims; i++)
        claim_free(&w.claims[i]);
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

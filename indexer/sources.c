/*
 * sources.c - which files are the full texts of which cited works: the
 * sources.tsv manifest a directory may carry (read while collecting, matched
 * to the collected files at the end) and the kavosh-source header a file
 * may start with.
 */
#include "index_internal.h"
#include "collect_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "strbuf.h"

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

void ki_trim_blanks(const char **s, size_t *n)
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
    claim_t *nc = kd_vec_grow(w->claims, &w->cap_claims, w->n_claims + 1, sizeof *nc, 16);
    if (!nc)
        return -1;
    w->claims = nc;
    w->claims[w->n_claims++] = *c;
    return 0;
}

void ki_claim_free(claim_t *c)
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
    ki_trim_blanks(&t, &tn);
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
    ki_trim_blanks(&file, &fn);
    ki_trim_blanks(&entry, &en);
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
        .name = ki_join(rel, *rel ? "/" : "", clean),
        .path = ki_join(dir, dl && dir[dl - 1] == '/' ? "" : "/", clean),
        .file = clean,
        .entry = strndup(entry, en),
        .root = w->manifests[m].root,
        .manifest = m,
        .line = lineno,
    };
    if (!c.name || !c.path || !c.entry || add_claim(w, &c) != 0) {
        ki_claim_free(&c);
        manifest_warn(w, m, lineno, "out of memory; line ignored");
    }
}

/* Read the manifest at path, in directory dir named rel in the index, found
 * under the directory argument root (NULL: next to a file argument, then
 * partial). Its lines become claims; which files they name is settled once
 * every file is collected (match_claims). Takes ownership of path. */
void ki_manifest_read(walker_t *w, char *path, const char *dir, const char *rel,
                          const char *root, int partial)
{
    manifest_t *nm = kd_vec_grow(w->manifests, &w->cap_manifests, w->n_manifests + 1,
                                 sizeof *nm, 8);
    if (!nm) {
        ki_error("%s: out of memory", path);
        ki_walk_fail(w, KI_EXIT_FAILURE);
        free(path);
        return;
    }
    w->manifests = nm;
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
void ki_manifest_match(walker_t *w)
{
    ki_filelist_t *l = w->list;
    ki_entry_t **byname = l->n ? malloc(l->n * sizeof *byname) : NULL;
    if (l->n && !byname) {
        ki_error("out of memory while reading %s files", MANIFEST_FILE);
        ki_walk_fail(w, KI_EXIT_FAILURE);
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
                          "(.md, .markdown, .txt, .html or .htm; not hidden, not excluded)", c->file);
        else if (e->of_source)
            manifest_warn(w, c->manifest, c->line, "%s: already named as the text of %s at %s; "
                          "this line is ignored", c->file, e->of_source, e->source_at);
        else {
            char where[64];
            snprintf(where, sizeof where, ":%zu", c->line);
            e->source_at = ki_join(w->manifests[c->manifest].path, "", where);
            if (!e->source_at) {
                ki_error("%s: out of memory", c->path);
                ki_walk_fail(w, KI_EXIT_FAILURE);
                continue;
            }
            e->of_source = c->entry;
            c->entry = NULL;
        }
    }
    free(byname);
}

/* A file named on the command line is described by the sources.tsv next to
 * it just as if its directory had been walked: read each such directory's
 * manifest once. Only its lines naming files of this run matter. */
void ki_manifest_read_direct(walker_t *w)
{
    ki_filelist_t *l = w->list;
    for (size_t i = 0; i < l->n; i++) {
        const ki_entry_t *e = &l->entries[i];
        if (e->root)
            continue;
        const char *slash = strrchr(e->path, '/'), *nslash = strrchr(e->name, '/');
        char *dir = slash ? strndup(e->path, (size_t)(slash - e->path) + 1) : strdup("./");
        char *rel = nslash ? strndup(e->name, (size_t)(nslash - e->name)) : strdup("");
        char *mpath = dir ? ki_join(dir, "", MANIFEST_FILE) : NULL;
        struct stat sb;
        int seen = 0;
        for (size_t k = 0; mpath && k < w->n_manifests && !seen; k++)
            seen = !w->manifests[k].root && strcmp(w->manifests[k].path, mpath) == 0;
        if (!dir || !rel || !mpath) {
            ki_error("%s: out of memory", e->path);
            ki_walk_fail(w, KI_EXIT_FAILURE);
        } else if (!seen && stat(mpath, &sb) == 0 && S_ISREG(sb.st_mode)) {
            ki_manifest_read(w, mpath, dir, rel, NULL, 1);
            mpath = NULL;
        }
        free(mpath);
        free(dir);
        free(rel);
    }
}

/* ---------------------------------------------------------------------- */
/* The kavosh-source header                                                */


/* The header is looked for in the first this many bytes: it is one short
 * line, and a file without one must not be scanned to its end. */
#define SOURCE_HEADER_MAX 1024


static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether the first line of buf is "<!-- kavosh-source: ENTRY -->" (after an
 * optional byte order mark, spaces allowed around every part). On
 * KI_HEADER_OK, entry[0..*entry_len) is the id inside buf. *line_len is the
 * length of the line without its newline, for blanking it. */
ki_header_kind_t ki_source_header(const char *buf, size_t len, const char **entry,
                                  size_t *entry_len, size_t *line_len)
{
    static const char open[] = "<!--", key[] = "kavosh-source:", close[] = "-->";
    size_t lim = len < SOURCE_HEADER_MAX ? len : SOURCE_HEADER_MAX;
    size_t i = 0;
    if (lim >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < lim && is_blank(buf[i]))
        i++;
    if (lim - i < sizeof open - 1 || memcmp(buf + i, open, sizeof open - 1) != 0)
        return KI_HEADER_NONE;
    i += sizeof open - 1;
    while (i < lim && is_blank(buf[i]))
        i++;
    if (lim - i < sizeof key - 1 || memcmp(buf + i, key, sizeof key - 1) != 0)
        return KI_HEADER_NONE;
    i += sizeof key - 1;
    const char *nl = memchr(buf, '\n', lim);
    if (!nl && lim < len)
        return KI_HEADER_MALFORMED;   /* a first line longer than any header */
    size_t end = nl ? (size_t)(nl - buf) : lim;
    *line_len = end;
    if (end && buf[end - 1] == '\r')
        end--;
    while (end > i && is_blank(buf[end - 1]))
        end--;
    if (end - i < sizeof close - 1 || memcmp(buf + end - (sizeof close - 1), close, sizeof close - 1) != 0)
        return KI_HEADER_MALFORMED;
    end -= sizeof close - 1;
    while (i < end && is_blank(buf[i]))
        i++;
    while (end > i && is_blank(buf[end - 1]))
        end--;
    if (i == end || end - i + strlen(KI_PREFIX_SOURCE) + 1 >= KX_MAX_TERM_BYTES ||
        ki_utf8_check(buf + i, end - i) < end - i)
        return KI_HEADER_MALFORMED;
    for (size_t k = i; k < end; k++)
        if ((unsigned char)buf[k] <= 0x20 || buf[k] == 0x7f)
            return KI_HEADER_MALFORMED;
    *entry = buf + i;
    *entry_len = end - i;
    return KI_HEADER_OK;
}

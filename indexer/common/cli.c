/*
 * cli.c - diagnostics, exit codes and index opening shared by both programs.
 */
#include "cli.h"
#include "utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"

/* The one piece of process-wide state: the program name for messages. It is
 * set once in main() and never changes, so it is not analyzer or index state. */
static const char *program_name = "kavosh";

void ki_set_program(const char *name)
{
    if (name && *name)
        program_name = name;
}

const char *ki_program(void)
{
    return program_name;
}

static void vmessage(const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    char small[1024];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    char *msg = small;
    if (n >= (int)sizeof small && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    if (!msg) {
        msg = small;
        n = (int)strlen(small);
    }
    /* One line at a time: kavosh-index's workers report from threads. */
    flockfile(stderr);
    fprintf(stderr, "%s: %s", program_name, kind);
    if (n > 0)
        ki_put_safe(stderr, msg, strlen(msg), KI_SAFE_NAMES);
    fputc('\n', stderr);
    funlockfile(stderr);
    if (msg != small)
        free(msg);
}

long ki_safe_next(const char *s, size_t len, size_t *i, int flags, char esc[12])
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c = 0;
    size_t n = kd_utf8_decode(s + *i, len - *i, &c);
    long cp = (long)c;
    if (n == 1 && u[*i] >= 0x80) {   /* not valid UTF-8 here */
        snprintf(esc, 12, "\\x%02X", u[*i]);
        (*i)++;
        return -1;
    }
    *i += n;
    if ((flags & KI_SAFE_NAMES) && (cp == '\n' || cp == '\t' || cp == '\r')) {
        snprintf(esc, 12, "%s", cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : "\\r");
        return -1;
    }
    if (cp == '\\' && (flags & KI_SAFE_BACKSLASH)) {
        snprintf(esc, 12, "\\\\");
        return -1;
    }
    if (cp == '\n' || cp == '\t' || cp == '\r')
        return (flags & KI_SAFE_SPACES) ? ' ' : (cp == '\r' ? (snprintf(esc, 12, "\\r"), -1) : cp);
    if (cp < 0x20 || cp == 0x7F) {
        snprintf(esc, 12, "\\x%02lX", cp);
        return -1;
    }
    if ((cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069)) {
        snprintf(esc, 12, "\\u%04lX", cp);
        return -1;
    }
    return cp;
}

void ki_put_safe(FILE *out, const char *s, size_t len, int flags)
{
    size_t i = 0;
    while (i < len) {
        size_t at = i;
        char esc[12];
        long cp = ki_safe_next(s, len, &i, flags, esc);
        if (cp < 0)
            fputs(esc, out);
        else if (cp == ' ' && s[at] != ' ')
            fputc(' ', out);
        else
            fwrite(s + at, 1, i - at, out);
    }
}

char *ki_safe_dup(const char *s)
{
    size_t len = strlen(s), cap = len + 1, used = 0;
    char *out = malloc(cap);
    size_t i = 0;
    while (out && i < len) {
        size_t at = i;
        char esc[12];
        long cp = ki_safe_next(s, len, &i, 0, esc);
        const char *piece = cp < 0 ? esc : s + at;
        size_t pl = cp < 0 ? strlen(esc) : i - at;
        if (used + pl + 1 > cap) {
            cap = (used + pl + 1) * 2;
            char *nb = realloc(out, cap);
            if (!nb) {
                free(out);
                return NULL;
            }
            out = nb;
        }
        memcpy(out + used, piece, pl);
        used += pl;
    }
    if (out)
        out[used] = '\0';
    return out;
}

void ki_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("error: ", fmt, ap);
    va_end(ap);
}

void ki_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void ki_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

ki_exit_t ki_exit_for_status(kx_status_t st)
{
    switch (st) {
    case KX_OK:
        return KI_EXIT_OK;
    case KX_NOT_FOUND:
    case KX_LOCKED:
    case KX_CORRUPT:
    case KX_SCHEMA_MISMATCH:
    case KX_MODIFIED:
        return KI_EXIT_INDEX;
    case KX_INVALID_ARGUMENT:
    case KX_NO_SUCH_DOC:
    case KX_NO_MEMORY:
    case KX_XAPIAN_ERROR:
    case KX_INTERNAL_ERROR:
    case KX_STATUS_LAST:
        break;
    case KX_WRITE_FAILED:
        return KI_EXIT_WRITE;
        break;
    }
    return KI_EXIT_FAILURE;
}

const char *ki_db_path(const char *option)
{
    if (option && *option)
        return option;
    const char *env = getenv("KAVOSH_DB");
    if (env && *env)
        return env;
    return KI_DEFAULT_DB;
}

/* Whether the message, or the errno of access(path), says permission. */
static int says(const char *detail, const char *what)
{
    return detail && strstr(detail, what) != NULL;
}

const char *ki_open_hint(kx_status_t st, int writable, const char *path, const char *detail)
{
    int remote = path && strncmp(path, "tcp:", 4) == 0;
    int denied = says(detail, "Permission denied") || says(detail, "EACCES");
    int rofs = says(detail, "Read-only file system") || says(detail, "EROFS");
    if (!remote && path && !denied && !rofs) {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (access(path, writable ? W_OK | X_OK : R_OK | X_OK) != 0) {
                denied = errno == EACCES || errno == EPERM;
                rofs = errno == EROFS;
            }
        }
    }
    if (rofs && writable)
        return "the index is on a read-only file system: it can be searched, not updated; "
               "index into a writable place with -d";
    if (denied)
        return writable ? "you may not write to the index (permissions): index into a folder of "
                          "yours with -d, or ask for write access"
                        : "you may not read the index (permissions): check them with ls -l, or "
                          "name another index with -d";
    switch (st) {
    case KX_NOT_FOUND:
        if (writable)
            return NULL;
        if (!remote && path) {
            struct stat sb;
            if (stat(path, &sb) == 0)
                return "it exists but is not a Kavosh index: run kavosh-index -d PATH FOLDER to "
                       "make one there, or name the index with -d or $KAVOSH_DB";
        }
        return "run kavosh-index first, or name the index with -d or $KAVOSH_DB";
    case KX_LOCKED:
        return "is another kavosh-index running on it?";
    case KX_CORRUPT:
        return "the index is damaged: rebuild it with kavosh-index --rebuild FOLDER... "
               "(the folders it was built from)";
    case KX_SCHEMA_MISMATCH:
        return "it was made by another version of Kavosh; rebuild it with kavosh-index --rebuild";
    case KX_MODIFIED:
        return "it changed while being read; run the search again";
    default:
        return NULL;
    }
}

static const char *hint_for(kx_status_t st, int writable)
{
    return ki_open_hint(st, writable, NULL, NULL);
}

/* Whether name is a file Xapian's glass backend writes into its folder
 * (iamglass, flintlock, TABLE.glass, and v.tmp while it renames a new
 * version file into place). */
static int glass_file(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "iamglass") == 0 || strcmp(name, "flintlock") == 0 ||
           strcmp(name, "v.tmp") == 0 || (n > 6 && strcmp(name + n - 6, ".glass") == 0);
}

/* Remove dir if it is a Xapian database directory (it holds "iamglass", and
 * only plain files), or one Xapian was creating when the run was killed
 * (only glass files, or nothing yet): what this file and a parallel build's
 * workers leave behind. 0 if it is gone (or was never there), -1 with errno
 * set, or EEXIST for anything else there. */
int ki_remove_database_dir(const char *dir)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(sb.st_mode)) {
        errno = EEXIST;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int glass = 0, other = 0, foreign = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat fb;
        if (fstatat(dirfd(d), e->d_name, &fb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(fb.st_mode))
            other = 1;
        else if (!glass_file(e->d_name))
            foreign = 1;
        glass |= strcmp(e->d_name, "iamglass") == 0;
    }
    /* A complete database may hold other plain files (Xapian's own
     * spelling or synonym tables, say); a half-created one only glass ones. */
    if (other || (!glass && foreign)) {
        closedir(d);
        errno = EEXIST;
        return -1;
    }
    /* "iamglass" goes last: a run killed while removing leaves a directory
     * that is still recognisably a database, which the next run removes. */
    rewinddir(d);
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            strcmp(e->d_name, "iamglass") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0)
            rc = -1;
    }
    if (rc == 0 && glass && unlinkat(dirfd(d), "iamglass", 0) != 0)
        rc = -1;
    closedir(d);
    if (rc == 0 && rmdir(dir) != 0)
        rc = -1;
    return rc;
}

/* A new index at path, made whole beside it (path.new) and renamed into
 * place: a run killed while Xapian creates its files leaves path absent
 * (and path.new, which the next run clears), never a folder that is not an
 * index. 0, or -1 with the error said. */
static int create_index(const char *path)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp) {
        ki_error("out of memory");
        return -1;
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".new", 5);
    int rc = -1;
    char *detail = NULL;
    kx_db_t *db = NULL;
    if (ki_remove_database_dir(tmp) != 0) {
        ki_error("%s is in the way of a new index at %s: move it away", tmp, path);
        goto out;
    }
    kx_status_t st = kx_db_open(tmp, KX_OPEN_OVERWRITE, &db, &detail);
    if (st == KX_OK)
        st = kx_db_set_metadata(db, KI_SCHEMA_KEY, KI_SCHEMA_VERSION);
    if (st == KX_OK)
        st = kx_db_commit(db);
    if (st != KX_OK) {
        ki_error("cannot create an index at %s: %s", tmp,
                 detail && *detail ? detail : kx_db_last_error(db));
        kx_db_close(db);
        (void)ki_remove_database_dir(tmp);
        goto out;
    }
    kx_db_close(db);
    /* Another writer may have made path meanwhile: then it is the index. */
    if (rename(tmp, path) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
        ki_error("cannot create an index at %s: %s", path, strerror(errno));
        (void)ki_remove_database_dir(tmp);
        goto out;
    }
    (void)ki_remove_database_dir(tmp);
    rc = 0;
out:
    kx_free(detail);
    free(tmp);
    return rc;
}

ki_exit_t ki_open_index(const char *path, int writable, kx_db_t **db_out)
{
    *db_out = NULL;
    /* Xapian reports a missing directory and a directory that is not an index
     * alike; say plainly which one it is. */
    struct stat sb;
    if (!writable && strncmp(path, "tcp:", 4) != 0 && stat(path, &sb) != 0) {
        ki_error("no index at %s — %s", path, hint_for(KX_NOT_FOUND, 0));
        return KI_EXIT_INDEX;
    }
    if (writable && strncmp(path, "tcp:", 4) != 0 && lstat(path, &sb) != 0 && errno == ENOENT &&
        create_index(path) != 0)
        return KI_EXIT_FAILURE;
    char *detail = NULL;
    kx_db_t *db = NULL;
    kx_status_t st = kx_db_open(path, writable ? KX_OPEN_WRITE : KX_OPEN_READ, &db, &detail);
    if (st == KX_OK) {
        st = kx_db_check_schema(db, KI_SCHEMA_KEY, KI_SCHEMA_VERSION);
        if (st != KX_OK) {
            detail = strdup(kx_db_last_error(db));
            kx_db_close(db);
            db = NULL;
        } else if (writable) {
            st = kx_db_set_metadata(db, KI_SCHEMA_KEY, KI_SCHEMA_VERSION);
            if (st != KX_OK) {
                detail = strdup(kx_db_last_error(db));
                kx_db_close(db);
                db = NULL;
            }
        }
    }
    if (st != KX_OK) {
        const char *hint = ki_open_hint(st, writable, path, detail);
        const char *d = detail && *detail ? detail : NULL;
        if (hint && strncmp(hint, "you may not", 11) == 0)
            ki_error("cannot open index %s: permission denied%s%s%s", path, d ? " (" : "",
                     d ? d : "", d ? ")" : "");
        else if (st == KX_NOT_FOUND && !writable)
            ki_error("no index at %s%s%s%s", path, d ? " (" : "", d ? d : "", d ? ")" : "");
        else if (st == KX_NOT_FOUND)
            ki_error("cannot create or open an index at %s%s%s%s", path, d ? " (" : "",
                     d ? d : "", d ? ")" : "");
        else {
            char *damage = st == KX_CORRUPT ? kx_db_find_damage(path) : NULL;
            if (damage)
                ki_error("cannot open index %s: damaged: %s", path, damage);
            else
                ki_error("cannot open index %s: %s", path, d ? d : kx_status_to_string(st));
            kx_free(damage);
        }
        if (hint)
            ki_note("hint: %s", hint);
        kx_free(detail);
        return ki_exit_for_status(st);
    }
    kx_free(detail);
    *db_out = db;
    return KI_EXIT_OK;
}

ki_exit_t ki_open_indexes(const char *const *paths, size_t n, kx_db_t **db_out)
{
    *db_out = NULL;
    if (n == 1)
        return ki_open_index(paths[0], 0, db_out);
    /* Each on its own first: a missing or foreign shard is named. */
    for (size_t i = 0; i < n; i++) {
        kx_db_t *one = NULL;
        ki_exit_t ex = ki_open_index(paths[i], 0, &one);
        kx_db_close(one);
        if (ex != KI_EXIT_OK)
            return ex;
    }
    char *detail = NULL;
    kx_status_t st = kx_db_open_multi(paths, n, db_out, &detail);
    if (st != KX_OK) {
        ki_error("cannot open the indexes as one: %s", detail ? detail : kx_status_to_string(st));
        kx_free(detail);
        return ki_exit_for_status(st);
    }
    return KI_EXIT_OK;
}

int ki_read_file(const char *path, char **buf_out, size_t *len_out)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        goto fail;
    for (;;) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            if (ferror(f))
                goto fail;
            break;
        }
        if (cap > ((size_t)-1) / 4) {
            errno = EFBIG;
            goto fail;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (!nb)
            goto fail;
        buf = nb;
        cap *= 2;
    }
    buf[len] = '\0';
    if (f != stdin)
        fclose(f);
    *buf_out = buf;
    *len_out = len;
    return 0;
fail:;
    int saved = errno ? errno : EIO;
    free(buf);
    if (f != stdin)
        fclose(f);
    errno = saved;
    return -1;
}

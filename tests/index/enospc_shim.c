/*
 * enospc_shim.c - a test-only LD_PRELOAD library: a disk that fills up.
 *
 * With KAVOSH_ENOSPC_AFTER=N in the environment, write(), pwrite(),
 * pwrite64(), writev() and pwritev() to regular files succeed for the first
 * N bytes in all and then fail with ENOSPC (a write that would cross the
 * limit fails whole), and so do fsync() and fdatasync() once the limit is
 * reached. Standard output and error, pipes and terminals are never
 * touched. With KAVOSH_ENOSPC_ERRNO=EIO the failure is EIO instead. Used by
 * tests/index/test_faults.c; never linked into the programs.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long limit = -2;   /* -2: not read yet; -1: no limit */
static long long used;
static int fail_errno = ENOSPC;

static void init(void)
{
    if (limit != -2)
        return;
    const char *s = getenv("KAVOSH_ENOSPC_AFTER");
    limit = s && *s ? atoll(s) : -1;
    const char *e = getenv("KAVOSH_ENOSPC_ERRNO");
    if (e && strcmp(e, "EIO") == 0)
        fail_errno = EIO;
}

static int on_disk(int fd)
{
    struct stat sb;
    return fd > 2 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Whether a write of n bytes to fd must fail; counts it if not. */
static int full(int fd, size_t n)
{
    init();
    if (limit < 0 || !on_disk(fd))
        return 0;
    if (used + (long long)n > limit) {
        used = limit;
        errno = fail_errno;
        return 1;
    }
    used += (long long)n;
    return 0;
}

static size_t iov_len(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
    if (full(fd, n))
        return -1;
    return NEXT("write", ssize_t (*)(int, const void *, size_t))(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (full(fd, n))
        return -1;
    return NEXT("pwrite", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    if (full(fd, n))
        return -1;
    return NEXT("pwrite64", ssize_t (*)(int, const void *, size_t, off_t))(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    if (full(fd, iov_len(iov, cnt)))
        return -1;
    return NEXT("writev", ssize_t (*)(int, const struct iovec *, int))(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    if (full(fd, iov_len(iov, cnt)))
        return -1;
    return NEXT("pwritev", ssize_t (*)(int, const struct iovec *, int, off_t))(fd, iov, cnt, off);
}

int fsync(int fd)
{
    init();
    if (limit >= 0 && used >= limit && on_disk(fd)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("fsync", int (*)(int))(fd);
}

int fdatasync(int fd)
{
    init();
    if (limit >= 0 && used >= limit && on_disk(fd)) {
        errno = fail_errno;
        return -1;
    }
    return NEXT("fdatasync", int (*)(int))(fd);
}

/*
 * run.c - fork/exec with captured output, for the CLI and retrieval tests.
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *test_join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s)
        abort();
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

void test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

static char *slurp_fd(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int run_program(const char *const *argv, const char *input, const char *const *env,
                run_result_t *r)
{
    memset(r, 0, sizeof *r);
    char in_tpl[] = "/tmp/kavosh-in-XXXXXX", out_tpl[] = "/tmp/kavosh-out-XXXXXX",
         err_tpl[] = "/tmp/kavosh-err-XXXXXX";
    int in = mkstemp(in_tpl), out = mkstemp(out_tpl), err = mkstemp(err_tpl);
    if (in < 0 || out < 0 || err < 0)
        return -1;
    unlink(in_tpl);
    unlink(out_tpl);
    unlink(err_tpl);
    if (input) {
        size_t len = strlen(input);
        if (write(in, input, len) != (ssize_t)len)
            return -1;
        lseek(in, 0, SEEK_SET);
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!input) {
            int dn = open("/dev/null", O_RDONLY);
            dup2(dn, 0);
        } else {
            dup2(in, 0);
        }
        dup2(out, 1);
        dup2(err, 2);
        /* A sanitizer report must never pass for an ordinary exit code:
         * kavosh-search exits 1 for "no hits", which is also ASan's default. */
        setenv("ASAN_OPTIONS", "exitcode=86:detect_leaks=1", 0);
        setenv("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1:exitcode=87", 0);
        for (size_t i = 0; env && env[i]; i++) {
            const char *eq = strchr(env[i], '=');
            if (eq) {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
                setenv(name, eq + 1, 1);
            } else {
                unsetenv(env[i]);
            }
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r->out = slurp_fd(out, &r->out_len);
    r->err = slurp_fd(err, &r->err_len);
    close(in);
    close(out);
    close(err);
    return r->out && r->err ? 0 : -1;
}

void run_result_free(run_result_t *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

char *make_temp_dir(void)
{
    char tpl[] = "/tmp/kavosh-test-XXXXXX";
    if (!mkdtemp(tpl))
        return NULL;
    return strdup(tpl);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void remove_tree(const char *path)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A port nothing listens on right now, picked by the kernel. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    unsigned port = 0;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

static int port_accepts(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((unsigned short)port);
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
    close(fd);
    return ok;
}

int start_tcpsrv(const char *db_path, char *remote, size_t cap)
{
    if (system("xapian-tcpsrv --version >/dev/null 2>&1") != 0)
        return 0;
    unsigned port = free_port();
    if (!port)
        return -1;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%u", port);
    snprintf(remote, cap, "tcp:127.0.0.1:%u", port);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        int dn = open("/dev/null", O_RDWR);
        dup2(dn, 1);
        dup2(dn, 2);
        execlp("xapian-tcpsrv", "xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1", "--port",
               port_text, db_path, (char *)NULL);
        _exit(127);
    }
    /* Up to 10 s for the server to listen: a loaded CI machine is slow. */
    const struct timespec pause = { 0, 20 * 1000 * 1000 };
    for (int i = 0; i < 500; i++) {
        if (port_accepts(port))
            return (int)pid;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return -1;
        nanosleep(&pause, NULL);
    }
    stop_tcpsrv((int)pid);
    return -1;
}

void stop_tcpsrv(int pid)
{
    if (pid <= 0)
        return;
    kill((pid_t)pid, SIGTERM);
    waitpid((pid_t)pid, NULL, 0);
}

/*
 * progress.c - the one-line progress display of kavosh-index on a terminal:
 * files done of the total, passages, throughput and the time left, redrawn
 * in place with a carriage return.
 */
#include "index_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Seconds between redraws: ten a second looks live without costing time. */
#define KI_PROGRESS_INTERVAL 0.1

/* The line is cut to the terminal's width, since a wrapped line cannot be
 * redrawn with a carriage return; this width is assumed when it is unknown. */
#define KI_PROGRESS_DEFAULT_WIDTH 80

double ki_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return ws.ws_col;
    return KI_PROGRESS_DEFAULT_WIDTH;
}

size_t ki_progress_format(char *buf, size_t cap, size_t width, unsigned files_done,
                          unsigned files_total, unsigned pct, unsigned long passages,
                          double rate, const char *eta)
{
    /* The parts, least needed first to go: the program name, the throughput,
     * the passages, the percentage. The files done and the ETA stay. */
    char files[48], percent[16], pass[40], speed[32];
    snprintf(files, sizeof files, "%u/%u files", files_done, files_total);
    snprintf(percent, sizeof percent, " (%u%%)", pct);
    snprintf(pass, sizeof pass, ", %lu passages", passages);
    snprintf(speed, sizeof speed, ", %.1f MB/s", rate / 1e6);
    int n = 0;
    for (int drop = 0; drop <= 4; drop++) {
        n = snprintf(buf, cap, "%s%s%s%s%s, ETA %s", drop < 1 ? "kavosh-index: " : "", files,
                     drop < 4 ? percent : "", drop < 3 ? pass : "", drop < 2 ? speed : "", eta);
        if (n >= 0 && (size_t)n <= width && (size_t)n < cap)
            return (size_t)n;
    }
    /* Narrower than "F/T files, ETA m:ss": cut, the ETA first kept if it fits. */
    n = snprintf(buf, cap, "ETA %s %s", eta, files);
    if (n < 0)
        n = 0;
    size_t len = (size_t)n < cap ? (size_t)n : cap - 1;
    if (len > width)
        len = width;
    buf[len] = '\0';
    return len;
}

void ki_progress_start(ki_progress_t *p, int enabled, unsigned files_total,
                       unsigned long long bytes_total)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->files_total = files_total;
    p->bytes_total = bytes_total;
    p->t0 = ki_now();
    p->last_draw = -1.0;
}

void ki_progress_update(ki_progress_t *p, unsigned files_done, unsigned long passages,
                        unsigned long long bytes_done, int force)
{
    if (!p || !p->enabled)
        return;
    double now = ki_now();
    if (!force && p->last_draw >= 0 && now - p->last_draw < KI_PROGRESS_INTERVAL)
        return;
    p->last_draw = now;
    double elapsed = now - p->t0;
    double rate = elapsed > 0 ? (double)bytes_done / elapsed : 0.0;   /* bytes per second */
    char eta[32] = "--:--";
    if (rate > 0 && bytes_done > 0 && p->bytes_total >= bytes_done) {
        double left = (double)(p->bytes_total - bytes_done) / rate;
        if (left < 360000) {
            unsigned s = (unsigned)(left + 0.5);
            if (s >= 3600)
                snprintf(eta, sizeof eta, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
            else
                snprintf(eta, sizeof eta, "%u:%02u", s / 60, s % 60);
        }
    }
    unsigned pct = p->bytes_total ? (unsigned)(100.0 * (double)bytes_done / (double)p->bytes_total) : 0;
    if (pct > 100)
        pct = 100;
    char line[256];
    /* The last column would wrap on some terminals. */
    size_t len = ki_progress_format(line, sizeof line, terminal_width() - 1, files_done,
                                    p->files_total, pct, passages, rate, eta);
    /* "\r" and erase-to-end-of-line: a shorter line leaves no tail of the previous one. */
    fprintf(stderr, "\r%.*s\033[K", (int)len, line);
    fflush(stderr);
    p->shown = 1;
}

void ki_progress_clear(ki_progress_t *p)
{
    if (!p || !p->enabled || !p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
    /* Draw again at the next update, whatever the interval. */
    p->last_draw = -1.0;
}

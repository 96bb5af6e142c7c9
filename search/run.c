/*
 * run.c - what kavosh-search does with a parsed command line: one query or a
 * batch of them against an open index, the index's glossary loaded for
 * expansion, hits printed in the chosen format, and the exit code. Kept out
 * of main.c so that tests can run queries in-process.
 */
#include "run.h"
#include "strbuf.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glossary_lookup.h"
#include "schema.h"


/* Report a query's failure on stderr and keep the message for the batch's
 * error record. */
static void query_error(ks_run_t *a, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void query_error(ks_run_t *a, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->error, sizeof a->error, fmt, ap);
    va_end(ap);
    ki_error("%s%s", where, a->error);
}

static int print_hit(void *ctx, const ks_hit_t *hit_in)
{
    ks_run_t *a = ctx;
    ks_hit_t copy = *hit_in;
    if (a->n_db_names > 1 && hit_in->shard < a->n_db_names)
        copy.index = a->db_names[hit_in->shard];
    const ks_hit_t *hit = &copy;
    switch (a->format) {
    case KS_OUT_JSON:
        if (ks_print_json(a->out, hit, a->qid) != 0)
            a->failed = 1;
        break;
    case KS_OUT_TSV:
        ks_print_tsv(a->out, hit, a->qid);
        break;
    case KS_OUT_TEXT:
        ks_print_text(a->out, hit, a->qid, &a->style);
        break;
    }
    return a->failed;
}

/* Whether the batch's memo holds reads of a revision before the last
 * reopen (then the caller clears it); it is marked current. */
static int memo_stale(ks_run_t *a)
{
    if (!a->memo || a->memo_epoch == a->reopened)
        return 0;
    a->memo_epoch = a->reopened;
    return 1;
}

/* Run one query. Returns the exit code it alone would give. */
ki_exit_t ks_run_query(ks_run_t *a, const char *text, const char *where)
{
    a->error[0] = '\0';
    a->warning[0] = '\0';
    a->n_hits = 0;
    if (strlen(text) > KS_MAX_QUERY_BYTES) {
        query_error(a, where, "query longer than %d bytes", KS_MAX_QUERY_BYTES);
        return KI_EXIT_USAGE;
    }
    /* --section and --source are the query's own field filters, required. */
    char *full = NULL;
    if (a->filter_section || a->filter_source) {
        size_t n = strlen(text) + 64 + (a->filter_section ? strlen(a->filter_section) : 0) +
                   (a->filter_source ? strlen(a->filter_source) : 0);
        full = malloc(n);
        if (!full) {
            query_error(a, where, "out of memory");
            return KI_EXIT_FAILURE;
        }
        snprintf(full, n, "(%s)%s%s%s%s%s", text,
                 a->filter_section ? " +section:\"" : "", a->filter_section ? a->filter_section : "",
                 a->filter_section ? "\"" : "",
                 a->filter_source ? " +source:" : "", a->filter_source ? a->filter_source : "");
        text = full;
    }
    ks_query_t *q = NULL;
    char *err = NULL;
    ks_query_options_t qopt = { .db = a->db, .glossary = a->glossary, .translit = a->translit };
    ks_glossary_t *reach = NULL;
    if (a->glossary_lookup && !a->glossary) {
        /* A writer committing meanwhile makes a read fail (as in the search
         * below): reopen at the latest revision and read again. */
        if (memo_stale(a))
            ks_memo_clear(a->memo);
        ks_glossary_status_t gs = ks_glossary_lookup(a->db, a->an, a->memo, text, &reach);
        for (int attempt = 0; gs == KS_GLOSSARY_ERR_ARG && attempt < KS_MODIFIED_RETRIES;
             attempt++) {
            ks_glossary_free(reach);
            reach = NULL;
            if (kx_db_reopen(a->db) != KX_OK)
                break;
            a->reopened++;
            if (memo_stale(a))
                ks_memo_clear(a->memo);
            gs = ks_glossary_lookup(a->db, a->an, a->memo, text, &reach);
        }
        if (gs == KS_GLOSSARY_ERR_NOMEM) {
            ks_glossary_free(reach);
            free(full);
            query_error(a, where, "out of memory");
            return KI_EXIT_FAILURE;
        }
        if (gs != KS_GLOSSARY_OK && !a->hinted_glossary) {
            ki_warn("the index's glossary tables could not all be read (%s); some words are "
                    "not expanded", ks_glossary_status_to_string(gs));
            a->hinted_glossary = 1;
        }
        qopt.glossary = reach;
    }
    if (memo_stale(a))
        ks_memo_clear(a->memo);
    qopt.memo = a->memo;
    ks_query_status_t qs = ks_query_parse(a->an, text, &qopt, &q, &err);
    ks_glossary_free(reach);
    free(full);
    if (qs == KS_QUERY_EMPTY) {
        /* Nothing searchable (only punctuation, say): no hits, not an error. */
        ki_note("%sthe query has no words to search for", where);
        return KI_EXIT_NO_RESULTS;
    }
    if (qs != KS_QUERY_OK) {
        if (qs == KS_QUERY_SYNTAX)
            query_error(a, where, "malformed query: %s", err ? err : "syntax error");
        else
            query_error(a, where, "cannot run the query: %s", err ? err : "out of memory");
        free(err);
        return qs == KS_QUERY_SYNTAX ? KI_EXIT_USAGE : KI_EXIT_FAILURE;
    }
    if (ks_query_warning(q)) {
        ki_warn("%s%s", where, ks_query_warning(q));
        const char *cut = strstr(ks_query_warning(q), "query cut down");
        if (cut)
            snprintf(a->warning, sizeof a->warning, "%s", cut);
    }
    for (size_t i = 0; i < a->n_langs; i++) {
        char term[32];
        snprintf(term, sizeof term, "%s%s", KI_PREFIX_LANG, a->langs[i]);
        if (ks_query_add_filter(q, term) != KS_QUERY_OK) {
            ks_query_free(q);
            query_error(a, where, "out of memory");
            return KI_EXIT_FAILURE;
        }
    }
    if (a->show_query) {
        char *d = kx_query_describe(ks_query_xapian(q));
        ki_note("%squery: %s", where, d ? d : "?");
        kx_free(d);
    }
    ks_result_t res;
    ks_search_options_t sopt = { .offset = a->offset, .limit = a->limit, .explain = a->explain,
                                 .no_snippet = a->format == KS_OUT_TSV,
                                 .raw_record = a->format == KS_OUT_JSON,
                                 .id_only = a->format == KS_OUT_TSV,
                                 .no_coverage = a->no_coverage,
                                 .time_limit = a->time_limit };
    /* A writer committing while we read makes Xapian throw
     * DatabaseModifiedError (the revision we read was overwritten): reopen
     * at the latest revision and run the query again. The hits go to a
     * memory stream first, so a retried query prints its hits once. */
    FILE *real = a->out;
    char *mem = NULL;
    size_t mem_len = 0;
    kx_status_t st = KX_MODIFIED;
    /* A hit's document gone between ranking and reading it (DocNotFound) is
     * the same race seen from another side: retried likewise. */
    for (int attempt = 0; (st == KX_MODIFIED || (st == KX_NO_SUCH_DOC && attempt > 0)) &&
                          attempt <= KS_MODIFIED_RETRIES; attempt++) {
        if (attempt > 0) {
            a->reopened++;
            kx_status_t rs = kx_db_reopen(a->db);
            if (rs != KX_OK) {
                st = rs;
                break;
            }
        }
        free(mem);
        mem = NULL;
        FILE *ms = open_memstream(&mem, &mem_len);
        if (!ms) {
            st = KX_NO_MEMORY;
            break;
        }
        a->out = ms;
        a->failed = 0;
        st = ks_search(a->db, a->an, q, &sopt, print_hit, a, &res);
        if (fclose(ms) != 0 && st == KX_OK)
            st = KX_NO_MEMORY;
        a->out = real;
    }
    a->out = real;
    if (st == KX_OK && mem_len && fwrite(mem, 1, mem_len, real) != mem_len)
        a->failed = 1;
    free(mem);
    ks_query_free(q);
    if (st != KX_OK) {
        const char *d = kx_db_last_error(a->db);
        /* Damage found only now: name the shard and its file. */
        char *damage = NULL;
        for (size_t i = 0; st == KX_CORRUPT && !damage && i < a->n_db_names; i++)
            damage = kx_db_find_damage(a->db_names[i]);
        query_error(a, where, "search failed: %s%s%s%s%s", kx_status_to_string(st), *d ? ": " : "",
                    d, damage ? "; damaged: " : "", damage ? damage : "");
        kx_free(damage);
        a->index_lost = 1;
        const char *hint = ki_open_hint(st, 0, NULL, d);
        if (hint && !a->hinted) {
            ki_note("hint: %s", hint);
            a->hinted = 1;
        }
        return ki_exit_for_status(st);
    }
    if (a->failed) {
        query_error(a, where, "cannot write the results");
        return KI_EXIT_FAILURE;
    }
    if (res.timed_out) {
        /* Said, not silent: what the limit left out. */
        char more[96] = "";
        if (res.cut)
            snprintf(more, sizeof more, "; %u more hit%s not shown", res.cut,
                     res.cut == 1 ? "" : "s");
        char msg[256];
        snprintf(msg, sizeof msg,
                 "query cut down: time limit %g s reached, results may be incomplete "
                 "(match counts are estimates%s)", a->time_limit, more);
        ki_warn("%s%s", where, msg);
        size_t used = strlen(a->warning);
        snprintf(a->warning + used, sizeof a->warning - used, "%s%s", used ? "; " : "", msg);
    }
    if (a->format == KS_OUT_TEXT && !a->qid && (res.n_hits > 0 || res.upper > 0)) {
        /* Exact when Xapian's bounds meet (it counts at least KX_CHECK_AT_LEAST). */
        if (res.lower == res.upper)
            fprintf(a->out, "-- %u shown of %u matching passage%s\n", res.n_hits, res.upper,
                    res.upper == 1 ? "" : "s");
        else
            fprintf(a->out, "-- %u shown of about %u matching passages (at least %u)\n",
                    res.n_hits, res.estimate, res.lower);
    }
    a->n_hits = res.n_hits;
    /* -n 0 asks only how many match: the status says whether any does. */
    return res.n_hits || (a->limit == 0 && res.lower > 0) ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

/* Combine per-query exit codes: the worst failure wins, else any hit makes 0. */
ki_exit_t ks_run_merge_exit(ki_exit_t acc, ki_exit_t e, int first)
{
    if (first)
        return e;
    if (e >= KI_EXIT_USAGE || acc >= KI_EXIT_USAGE)
        return e > acc ? e : acc;
    return (acc == KI_EXIT_OK || e == KI_EXIT_OK) ? KI_EXIT_OK : KI_EXIT_NO_RESULTS;
}

double ks_run_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record_latency(ks_run_t *a, double s)
{
    double *nl = kd_vec_grow(a->lat, &a->cap_lat, a->n_lat + 1, sizeof *nl, 256);
    if (!nl)
        return;
    a->lat = nl;
    a->lat[a->n_lat++] = s;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* "queries, queries/s, p50, p99" of a batch, on stderr. */
void ks_run_print_timing(ks_run_t *a, double total)
{
    if (a->n_lat == 0)
        return;
    qsort(a->lat, a->n_lat, sizeof *a->lat, cmp_double);
    double p50 = a->lat[(a->n_lat - 1) / 2];
    double p99 = a->lat[(size_t)((double)(a->n_lat - 1) * 0.99)];
    ki_note("timing: %zu queries in %.3f s: %.0f queries/s, latency p50 %.3f ms, p99 %.3f ms",
            a->n_lat, total, (double)a->n_lat / total, p50 * 1e3, p99 * 1e3);
}

/* The record a batch query without hits, or a failed one, still gets, so a
 * script can tell "no hits" from "error" and count one record per query. */
static void batch_record(ks_run_t *a, const char *qid, ki_exit_t e)
{
    int failed = e >= KI_EXIT_USAGE;
    /* A query cut down: a record saying so, beside its hits (the text
     * format has it on standard error). */
    if (!failed && a->warning[0]) {
        if (a->format == KS_OUT_JSON) {
            json_t *o = json_pack("{s:i, s:s, s:s}", "format", KS_JSON_FORMAT, "qid", qid,
                                  "warning", a->warning);
            if (o) {
                json_dumpf(o, a->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
                fputc('\n', a->out);
                json_decref(o);
            }
        } else if (a->format == KS_OUT_TSV) {
            ki_put_safe(a->out, qid, strlen(qid), KI_SAFE_SPACES);
            fputs("\twarning\t", a->out);
            ki_put_safe(a->out, a->warning, strlen(a->warning), KI_SAFE_SPACES);
            fputs("\t\n", a->out);
        }
    }
    if (!failed && a->n_hits > 0)
        return;
    const char *msg = failed ? (a->error[0] ? a->error : "failed") : "";
    switch (a->format) {
    case KS_OUT_JSON: {
        json_t *o = failed ? json_pack("{s:i, s:s, s:i, s:s, s:i}", "format", KS_JSON_FORMAT,
                                       "qid", qid, "hits", 0, "error", msg, "status", (int)e)
                           : json_pack("{s:i, s:s, s:i}", "format", KS_JSON_FORMAT, "qid", qid,
                                       "hits", 0);
        if (o) {
            json_dumpf(o, a->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputc('\n', a->out);
            json_decref(o);
        }
        break;
    }
    case KS_OUT_TSV:
        /* QID 0 (no hits), or QID error MESSAGE: the columns of a hit. */
        ki_put_safe(a->out, qid, strlen(qid), KI_SAFE_SPACES);
        fputs(failed ? "\terror\t" : "\t0\t", a->out);
        ki_put_safe(a->out, msg, strlen(msg), KI_SAFE_SPACES);
        fputs("\t\n", a->out);
        break;
    case KS_OUT_TEXT:
        fputc('[', a->out);
        ki_put_safe(a->out, qid, strlen(qid), KI_SAFE_SPACES);
        fputs(failed ? "] error: " : "] no hits", a->out);
        ki_put_safe(a->out, msg, strlen(msg), KI_SAFE_SPACES);
        fputc('\n', a->out);
        break;
    }
}

ki_exit_t ks_run_batch(ks_run_t *a, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    if (ki_read_file(path, &buf, &len) != 0) {
        ki_error("%s: cannot read: %s", path, strerror(errno));
        return KI_EXIT_USAGE;
    }
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    ki_exit_t ex = KI_EXIT_NO_RESULTS;
    int first = 1;
    unsigned lineno = 0, queries = 0;
    a->reopened = 0;
    /* What one query's parse reads from the index (term frequencies, the
     * near transliteration keys of a word) the next ones read again: the
     * batch remembers it, for the revision it reads (KS_MEMO_BYTES at most). */
    a->memo = ks_memo_new(KS_MEMO_BYTES);
    a->memo_epoch = 0;
    size_t at = 0;
    /* A UTF-8 byte order mark (as Windows editors write) is not part of the
     * first query id. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        at = 3;
    while (at < len) {
        char *p = buf + at;
        char *nl = memchr(p, '\n', len - at);
        size_t l = nl ? (size_t)(nl - p) : len - at;
        at += l + 1;
        lineno++;
        if (l && p[l - 1] == '\r')
            l--;
        p[l] = '\0';
        char where[64 + 4096];
        snprintf(where, sizeof where, "%s:%u: ", name, lineno);
        /* Blank lines and "#" comments are not queries. */
        size_t k = 0;
        while (k < l && (p[k] == ' ' || p[k] == '\t'))
            k++;
        if (k == l || p[k] == '#')
            continue;
        const char *z = memchr(p, '\0', l);   /* a NUL inside the line */
        char idbuf[32];
        const char *qid = idbuf, *text = p;
        char *tab = memchr(p, '\t', l);
        if (z && tab > z)
            tab = NULL;   /* the id is not read past the NUL */
        char *clean_id = NULL;
        if (tab && tab > p) {
            *tab = '\0';
            qid = p;
            text = tab + 1;
            /* The id is written into every record: bytes that are not UTF-8
             * would make the JSON invalid (and jansson drop the record), so
             * they become U+FFFD, as in the passages' text. */
            size_t il = (size_t)(tab - p);
            if (ki_utf8_check(p, il) != il) {
                size_t cl = 0;
                clean_id = kd_utf8_sanitize(p, il, &cl);
                if (clean_id)
                    qid = clean_id;
            }
        } else {
            snprintf(idbuf, sizeof idbuf, "%u", lineno);
            if (tab)
                text = tab + 1;
        }
        a->qid = qid;
        queries++;
        ki_exit_t e;
        if (z) {
            /* Said, not silently cut. */
            size_t col = 1;
            for (const char *c = tab ? tab + 1 : p; c < z; c++)
                col += ((unsigned char)*c & 0xC0) != 0x80;
            a->error[0] = '\0';
            query_error(a, where, "a NUL byte at character %zu of the query; the line is not searched",
                        col);
            a->n_hits = 0;
            e = KI_EXIT_USAGE;
        } else {
            double t0 = a->timing ? ks_run_now() : 0;
            e = ks_run_query(a, text, where);
            if (a->timing)
                record_latency(a, ks_run_now() - t0);
        }
        batch_record(a, qid, e);
        a->qid = NULL;
        ex = ks_run_merge_exit(ex, e, first);
        first = 0;
        if (e == KI_EXIT_FAILURE && a->failed) {
            free(clean_id);
            break;
        }
        if (a->index_lost) {
            /* The index cannot be searched (damaged, a remote server gone):
             * one message, not one error per remaining query. */
            unsigned left = 0;
            for (size_t j = at; j < len;) {
                const char *lp = buf + j;
                const char *lnl = memchr(lp, '\n', len - j);
                size_t ll = lnl ? (size_t)(lnl - lp) : len - j;
                j += ll + 1;
                size_t s = 0;
                while (s < ll && (lp[s] == ' ' || lp[s] == '\t' || lp[s] == '\r'))
                    s++;
                if (s < ll && lp[s] != '#')
                    left++;
            }
            ki_error("%s: stopping the batch after query %s: the index cannot be searched; "
                     "%u quer%s not run", name, qid, left, left == 1 ? "y" : "ies");
            free(clean_id);
            break;
        }
        free(clean_id);
    }
    if (a->reopened)
        ki_note("%s: the index changed during the batch: reopened %u times, every query answered "
                "from its latest revision", name, a->reopened);
    (void)queries;
    ks_memo_free(a->memo);
    a->memo = NULL;
    free(buf);
    return ex;
}

/* The glossary was checked when it was stored; here its problems are only
 * counted, so a large dictionary cannot bury every search under warnings. */
static void glossary_diag(void *ctx, const char *source, size_t line, const char *message)
{
    (void)source;
    (void)line;
    (void)message;
    (*(size_t *)ctx)++;
}

/* The glossary travels with the index, in its metadata: expansion needs no
 * Xapian synonyms, which the remote backend does not serve. kavosh-index
 * stores it pre-analysed (with the default lexicon and ICU's gazetteer), so
 * loading it runs no analyzer; an index written before that has only the
 * TSV text, which is analysed here. */
ki_exit_t ks_run_load_glossary(ks_run_t *a)
{
    /* Lookup tables: nothing to load; each query reads what it needs. */
    if (ks_glossary_lookup_available(a->db)) {
        a->glossary_lookup = 1;
        return KI_EXIT_OK;
    }
    char *text = NULL;
    kx_status_t st = kx_db_get_metadata(a->db, KI_META_GLOSSARY_ANALYSED, &text);
    if (st == KX_OK && text && *text) {
        ks_glossary_status_t gs = ks_glossary_new(&a->glossary);
        if (gs == KS_GLOSSARY_OK)
            gs = ks_glossary_add_analysed(a->glossary, text, strlen(text));
        kx_free(text);
        if (gs == KS_GLOSSARY_OK)
            return KI_EXIT_OK;
        if (gs == KS_GLOSSARY_ERR_NOMEM) {
            ki_error("cannot load the index's glossary: %s", ks_glossary_status_to_string(gs));
            return KI_EXIT_FAILURE;
        }
        ki_warn("the index's analysed glossary is damaged; reading its text instead "
                "(kavosh-index rewrites it when the glossary changes)");
        ks_glossary_free(a->glossary);
        a->glossary = NULL;
        text = NULL;
    } else {
        kx_free(text);
        text = NULL;
    }
    st = kx_db_get_metadata(a->db, KI_META_GLOSSARY, &text);
    if (st != KX_OK) {
        ki_error("cannot read the glossary from the index: %s", kx_db_last_error(a->db));
        return ki_exit_for_status(st);
    }
    if (!text || !*text) {
        kx_free(text);
        return KI_EXIT_OK;
    }
    size_t problems = 0;
    ks_glossary_status_t gs = ks_glossary_new(&a->glossary);
    if (gs == KS_GLOSSARY_OK)
        gs = ks_glossary_add_tsv(a->glossary, a->an, "(index glossary)", text, strlen(text),
                                 glossary_diag, &problems, NULL);
    kx_free(text);
    if (problems)
        ki_warn("%zu lines of the index's glossary could not be used and were skipped",
                problems);
    if (gs != KS_GLOSSARY_OK) {
        ki_error("cannot load the index's glossary: %s", ks_glossary_status_to_string(gs));
        return KI_EXIT_FAILURE;
    }
    return KI_EXIT_OK;
}

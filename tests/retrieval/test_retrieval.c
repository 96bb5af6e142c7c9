/*
 * test_retrieval.c - retrieval quality on a query set with expected passages.
 *
 * Usage: test_retrieval QUERIES.tsv MIN_SUCCESS_AT_1 MIN_MRR_AT_10 [kavosh-search option...]
 *
 * Indexes the bundled corpus into a temporary index, runs every query of the
 * set in one batch (--json -n 10), finds the rank of the first hit whose
 * text contains the query's expected string, and prints Success@1 and
 * MRR@10 per category and overall. Fails if either overall figure is under
 * its minimum: the floor is the level reached, so a regression shows.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define MAX_QUERIES 1000
#define MAX_CATEGORIES 32

typedef struct query {
    char *id, *category, *text, *expected;
    int   rank;        /* 1-based rank of the expected passage, 0 if not in the top 10 */
} query_t;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s QUERIES.tsv MIN_S1 MIN_MRR [search options]\n", argv[0]);
        return 2;
    }
    double min_s1 = atof(argv[2]), min_mrr = atof(argv[3]);
    char *tsv = read_all(argv[1]);
    if (!tsv) {
        perror(argv[1]);
        return 1;
    }
    static query_t q[MAX_QUERIES];
    size_t nq = 0;
    int header = 1;
    for (char *line = strtok(tsv, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        char *f[4];
        int k = 0;
        for (char *p = line; k < 4 && p; k++) {
            f[k] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (k < 4 || nq == MAX_QUERIES) {
            fprintf(stderr, "%s: malformed line: %s\n", argv[1], line);
            return 1;
        }
        size_t el = strlen(f[3]);
        if (el && f[3][el - 1] == '\r')
            f[3][el - 1] = '\0';
        q[nq++] = (query_t){ f[0], f[1], f[2], f[3], 0 };
    }

    char *tmp = make_temp_dir();
    char db[4096];
    snprintf(db, sizeof db, "%s/db", tmp);
    const char *iargv[] = { KAVOSH_INDEX_BIN, "-q", "-d", db, KAVOSH_CORPUS_DIR, NULL };
    run_result_t r;
    if (run_program(iargv, NULL, NULL, &r) != 0 || r.status != 0) {
        fprintf(stderr, "indexing failed: %s\n", r.err);
        return 1;
    }
    run_result_free(&r);

    size_t in_len = 0;
    for (size_t i = 0; i < nq; i++)
        in_len += strlen(q[i].id) + strlen(q[i].text) + 2;
    char *input = malloc(in_len + 1);
    input[0] = '\0';
    for (size_t i = 0; i < nq; i++) {
        strcat(input, q[i].id);
        strcat(input, "\t");
        strcat(input, q[i].text);
        strcat(input, "\n");
    }
    const char *sargv[40] = { KAVOSH_SEARCH_BIN, "-d", db, "--json", "-n", "10", "--batch", "-" };
    size_t sn = 8;
    for (int i = 4; i < argc && sn < 39; i++)
        sargv[sn++] = argv[i];
    sargv[sn] = NULL;
    if (run_program(sargv, input, NULL, &r) != 0 || r.status >= 2) {
        fprintf(stderr, "search failed (%d): %s\n", r.status, r.err);
        return 1;
    }
    for (char *line = r.out; line && *line;) {
        char *nl = strchr(line, '\n');
        json_error_t e;
        json_t *o = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, &e);
        if (o) {
            const char *qid = json_string_value(json_object_get(o, "qid"));
            const char *text = json_string_value(json_object_get(o, "text"));
            int rank = (int)json_integer_value(json_object_get(o, "rank"));
            for (size_t i = 0; qid && text && i < nq; i++)
                if (strcmp(q[i].id, qid) == 0 && !q[i].rank && strstr(text, q[i].expected))
                    q[i].rank = rank;
            json_decref(o);
        }
        line = nl ? nl + 1 : NULL;
    }
    run_result_free(&r);

    const char *cats[MAX_CATEGORIES];
    size_t ncat = 0;
    for (size_t i = 0; i < nq; i++) {
        size_t c = 0;
        while (c < ncat && strcmp(cats[c], q[i].category) != 0)
            c++;
        if (c == ncat && ncat < MAX_CATEGORIES)
            cats[ncat++] = q[i].category;
    }
    printf("%-20s %7s %10s %8s\n", "category", "queries", "Success@1", "MRR@10");
    double s1_all = 0, mrr_all = 0;
    for (size_t c = 0; c <= ncat; c++) {
        double s1 = 0, mrr = 0;
        size_t n = 0;
        for (size_t i = 0; i < nq; i++) {
            if (c < ncat && strcmp(q[i].category, cats[c]) != 0)
                continue;
            n++;
            s1 += q[i].rank == 1;
            mrr += q[i].rank ? 1.0 / q[i].rank : 0.0;
        }
        if (!n)
            continue;
        printf("%-20s %7zu %10.3f %8.3f\n", c < ncat ? cats[c] : "ALL", n, s1 / (double)n,
               mrr / (double)n);
        if (c == ncat) {
            s1_all = s1 / (double)n;
            mrr_all = mrr / (double)n;
        }
    }
    for (size_t i = 0; i < nq; i++)
        if (q[i].rank != 1)
            printf("  miss: %-6s rank %-3d %s  (expected «%s»)\n", q[i].id, q[i].rank,
                   q[i].text, q[i].expected);
    remove_tree(tmp);
    free(tmp);
    free(input);
    free(tsv);
    int ok = s1_all + 1e-9 >= min_s1 && mrr_all + 1e-9 >= min_mrr;
    printf("%s: Success@1 %.3f (min %.3f), MRR@10 %.3f (min %.3f)\n", ok ? "PASS" : "FAIL",
           s1_all, min_s1, mrr_all, min_mrr);
    return ok ? 0 : 1;
}

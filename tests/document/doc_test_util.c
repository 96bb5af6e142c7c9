#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_test_util.h"

char *
dt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

kd_document_t *
dt_parse_file(ka_analyzer_t *an, const char *path)
{
    size_t len;
    char *buf = dt_read_file(path, &len);
    if (!buf)
        return NULL;
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    kd_document_t *doc = NULL;
    if (kd_parse(an, name, KD_FORMAT_AUTO, buf, len, &doc) != 0)
        doc = NULL;
    free(buf);
    return doc;
}

size_t
dt_split_tsv(char *line, char **fields, size_t max)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n == 0 || line[0] == '#')
        return 0;
    size_t count = 0;
    char *p = line;
    while (count < max) {
        fields[count++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return count;
}

const kd_passage_t *
dt_find_passage(const kd_document_t *doc, const char *needle)
{
    for (size_t i = 0; i < doc->n_passages; i++)
        if (strstr(doc->passages[i].text, needle))
            return &doc->passages[i];
    return NULL;
}

const char *
dt_data(const char *file)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", KD_TEST_DATA_DIR, file);
    return path;
}

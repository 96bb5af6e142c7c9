/* bibliography.c - bibliography entries (stage 3). */
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"

static const char *const bib_titles[] = {
    "منابع و مأخذ", "منابع و مآخذ", "منابع و ماخذ", "منابع", "مآخذ", "فهرست منابع",
    "کتابنامه", "References", "Bibliography", "Works Cited", "Sources",
    "Литература", "Список литературы", "Библиография", NULL
};
static const char *const bib_parts[] = {
    "فارسی", "لاتین", "انگلیسی", "روسی", "عربی", "منابع فارسی", "منابع لاتین",
    "منابع انگلیسی", "منابع روسی", "English", "Russian", "Persian", "Latin",
    "На русском языке", "На английском языке", NULL
};

static int
in_list(const char *const *list, const char *title)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], title) == 0)
            return 1;
    return 0;
}

int
kd_is_bibliography_title(const char *title)
{
    return in_list(bib_titles, title);
}

int
kd_is_bibliography_part(const char *title)
{
    return in_list(bib_parts, title);
}

int
kd_bibliography_add(kd_builder_t *b, const kd_block_t *blocks, size_t n, const char *section)
{
    for (size_t i = 0; i < n; i++) {
        const kd_block_t *blk = &blocks[i];
        if (blk->type != KD_BLOCK_PARA && blk->type != KD_BLOCK_ITEM)
            continue;
        kd_passage_t *p = kd_passage_new(b);
        if (!p)
            return -1;
        p->kind = KD_KIND_BIBLIO;
        p->line = blk->line;
        p->text = kd_strndup(blk->text, blk->len);
        p->section = kd_strdup(section);
        if (!p->text || !p->section)
            return -1;
    }
    return 0;
}

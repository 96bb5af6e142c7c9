/*
 * printer_text.c - results for a person at a terminal.
 *
 * Persian runs are right-to-left. A result line mixes them with Latin ids
 * and digits, and a terminal's bidi algorithm would otherwise reorder the
 * neutral characters between them; each piece of passage text is therefore
 * wrapped in FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE, so it is laid
 * out on its own and never swaps places with the rank, score or id.
 */
#include "printer.h"

#include <string.h>

#define FSI "\xE2\x81\xA8"   /* U+2068 FIRST STRONG ISOLATE */
#define PDI "\xE2\x81\xA9"   /* U+2069 POP DIRECTIONAL ISOLATE */
#define ELLIPSIS "\xE2\x80\xA6"
#define HL_ON  "\033[1;31m"
#define HL_OFF "\033[0m"

/* Write text[a, b) with newlines folded to spaces. */
static void put_range(FILE *out, const char *text, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        fputc(text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ? ' ' : text[i], out);
}

void ks_print_text(FILE *out, const ks_hit_t *hit, const char *qid, const ks_text_style_t *style)
{
    if (qid)
        fprintf(out, "[%s] ", qid);
    fprintf(out, "%u. %.3f  %s", hit->rank, hit->score, hit->id);
    if (*hit->section)
        fprintf(out, "  " FSI "%s" PDI, hit->section);
    fputc('\n', out);

    const ks_snippet_t *s = &hit->snippet;
    fputs("   " FSI, out);
    if (s->cut_before)
        fputs(ELLIPSIS, out);
    size_t at = s->start;
    for (size_t k = 0; k < s->n_spans; k++) {
        size_t a = s->spans[k].start, b = s->spans[k].end;
        if (b <= s->start || a >= s->end)
            continue;
        if (a < s->start)
            a = s->start;
        if (b > s->end)
            b = s->end;
        put_range(out, hit->text, at, a);
        if (style && style->color)
            fputs(HL_ON, out);
        put_range(out, hit->text, a, b);
        if (style && style->color)
            fputs(HL_OFF, out);
        at = b;
    }
    put_range(out, hit->text, at, s->end);
    if (s->cut_after)
        fputs(ELLIPSIS, out);
    fputs(PDI "\n", out);

    json_t *glosses = json_object_get(hit->data, "glosses");
    size_t i;
    json_t *g;
    json_array_foreach(glosses, i, g) {
        const char *term = json_string_value(json_object_get(g, "term"));
        const char *gloss = json_string_value(json_object_get(g, "gloss"));
        if (gloss)
            fprintf(out, "   gloss: " FSI "%s" PDI " = %s\n", term ? term : "", gloss);
    }
    json_t *e;
    json_array_foreach(hit->explain, i, e)
        fprintf(out, "   matched through: " FSI "%s" PDI "\n", json_string_value(e));
    json_t *cites = json_object_get(hit->data, "citations");
    json_t *c;
    json_array_foreach(cites, i, c) {
        const char *text = json_string_value(json_object_get(c, "citation"));
        const char *src = json_string_value(json_object_get(c, "source"));
        if (text)
            fprintf(out, "   cites: " FSI "%s" PDI " -> %s\n", text, src ? src : "(unresolved)");
    }
}

void ks_print_tsv(FILE *out, const ks_hit_t *hit, const char *qid)
{
    fprintf(out, "%s\t%u\t%s\t%.6f\n", qid ? qid : "1", hit->rank, hit->id, hit->score);
}

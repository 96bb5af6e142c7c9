/*
 * printer_json.c - one JSON object per hit (JSON Lines), built with jansson.
 * Field names are part of Kavosh's interface: see the README and kavosh-search(1).
 */
#include "printer.h"

#include <string.h>

/* Offsets in "spans" are byte offsets into "text", as the analyzer gives them. */
int ks_print_json(FILE *out, const ks_hit_t *hit, const char *qid)
{
    const ks_snippet_t *s = &hit->snippet;
    json_t *spans = json_array();
    for (size_t k = 0; spans && k < s->n_spans; k++)
        json_array_append_new(spans, json_pack("[I,I]", (json_int_t)s->spans[k].start,
                                               (json_int_t)s->spans[k].end));
    json_t *o = json_pack("{s:i, s:I, s:f, s:s, s:s, s:s, s:s, s:s, s:s, s:s%, s:o, s:[I,I]}",
                          "format", KS_JSON_FORMAT,
                          "rank", (json_int_t)hit->rank,
                          "score", hit->score,
                          "passage", hit->id,
                          "doc", hit->doc,
                          "section", hit->section,
                          "lang", hit->lang,
                          "kind", hit->kind,
                          "text", hit->text,
                          "snippet", hit->text + s->start, s->end - s->start,
                          "spans", spans ? spans : json_array(),
                          "snippet_range", (json_int_t)s->start, (json_int_t)s->end);
    if (!o)
        return -1;
    if (qid)
        json_object_set_new(o, "qid", json_string(qid));
    if (hit->explain)
        json_object_set(o, "expansions", hit->explain);
    static const char *const copied[] = { "glosses", "citations", "source", "of_source" };
    for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
        json_t *v = json_object_get(hit->data, copied[k]);
        if (v)
            json_object_set(o, copied[k], v);
    }
    int rc = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(o);
    return rc == 0 ? 0 : -1;
}

/*
 * printer_json.c - one JSON object per hit (JSON Lines), built with jansson.
 * Field names are part of Kavosh's interface: see the README and kavosh-search(1).
 */
#include "printer.h"

#include <string.h>

/* Code points of text before byte offset b, counting on from (at, cp). */
static size_t cp_at(const char *text, size_t *at, size_t *cp, size_t b)
{
    for (; *at < b; (*at)++)
        *cp += ((unsigned char)text[*at] & 0xC0) != 0x80;
    return *cp;
}

/* "spans" and "snippet_range" are byte offsets into "text" (UTF-8), as C and
 * most byte-oriented tools count; "spans_cp" and "snippet_range_cp" are the
 * same in code points, as JSON readers (Python, jq) index strings. */
int ks_print_json(FILE *out, const ks_hit_t *hit, const char *qid)
{
    const ks_snippet_t *s = &hit->snippet;
    json_t *spans = json_array(), *spans_cp = json_array();
    size_t at = 0, cp = 0;
    /* Spans are sorted and disjoint; the window may start anywhere. */
    size_t ws_cp = 0, we_cp = 0;
    {
        size_t a2 = 0, c2 = 0;
        ws_cp = cp_at(hit->text, &a2, &c2, s->start);
        we_cp = cp_at(hit->text, &a2, &c2, s->end);
    }
    for (size_t k = 0; spans && spans_cp && k < s->n_spans; k++) {
        json_array_append_new(spans, json_pack("[I,I]", (json_int_t)s->spans[k].start,
                                               (json_int_t)s->spans[k].end));
        json_int_t a = (json_int_t)cp_at(hit->text, &at, &cp, s->spans[k].start);
        json_int_t b = (json_int_t)cp_at(hit->text, &at, &cp, s->spans[k].end);
        json_array_append_new(spans_cp, json_pack("[I,I]", a, b));
    }
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
    if (o) {
        json_object_set_new(o, "spans_cp", spans_cp ? spans_cp : json_array());
        json_object_set_new(o, "snippet_range_cp", json_pack("[I,I]", (json_int_t)ws_cp,
                                                             (json_int_t)we_cp));
    } else {
        json_decref(spans_cp);
    }
    if (!o)
        return -1;
    if (qid)
        json_object_set_new(o, "qid", json_string(qid));
    if (hit->explain)
        json_object_set(o, "expansions", hit->explain);
    if (hit->index)
        json_object_set_new(o, "index", json_string(hit->index));
    static const char *const copied[] = { "path", "page", "line", "glosses", "citations",
                                          "source", "of_source", "title", "author" };
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

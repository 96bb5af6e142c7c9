/*
 * printer_json.c - one JSON object per hit (JSON Lines), written as jansson's
 * json_dumpf (JSON_COMPACT) writes it.
 * Field names are part of Kavosh's interface: see the README and kavosh-search(1).
 */
#include "printer.h"

#include <math.h>
#include <string.h>

#include "record.h"
#include "utf8.h"

/* Code points of text before byte offset b, counting on from (at, cp). */
static size_t cp_at(const char *text, size_t *at, size_t *cp, size_t b)
{
    for (; *at < b; (*at)++)
        *cp += ((unsigned char)text[*at] & 0xC0) != 0x80;
    return *cp;
}

/* A JSON string as jansson's json_dumpf writes it (JSON_COMPACT, no
 * ENSURE_ASCII): only '"', '\\' and the control characters escaped. The
 * text is valid UTF-8 (the record reader and jansson both checked it). */
static void put_string(FILE *out, const char *s, size_t n)
{
    putc('"', out);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        fwrite(s + run, 1, i - run, out);
        run = i + 1;
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default: fprintf(out, "\\u%04X", c); break;
        }
    }
    fwrite(s + run, 1, n - run, out);
    putc('"', out);
}

static void put_member(FILE *out, const char *key, const char *s, size_t n)
{
    fprintf(out, ",\"%s\":", key);
    put_string(out, s, n);
}

/* A real as jansson writes one (ks_json_real). */
static void put_real(FILE *out, double v)
{
    char buf[64];
    size_t n = ks_json_real(buf, sizeof buf, v);
    fwrite(buf, 1, n, out);
}

/* A value of the record (or the expansions) as jansson writes it. */
static int put_value(FILE *out, const char *key, const json_t *v)
{
    fprintf(out, ",\"%s\":", key);
    return json_dumpf(v, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
}

/* "spans" and "snippet_range" are byte offsets into "text" (UTF-8), as C and
 * most byte-oriented tools count; "spans_cp" and "snippet_range_cp" are the
 * same in code points, as JSON readers (Python, jq) index strings. The
 * object is written directly, member by member, exactly as json_dumpf wrote
 * the jansson object built before (a tenth of a --json batch was that
 * object's building and dumping). */
int ks_print_json(FILE *out, const ks_hit_t *hit, const char *qid)
{
    const ks_snippet_t *s = &hit->snippet;
    /* What jansson refused (json_pack failed, nothing was written): a score
     * that is not finite, a snippet that is not valid UTF-8. */
    if (!isfinite(hit->score) || s->end < s->start ||
        ki_utf8_check(hit->text + s->start, s->end - s->start) != s->end - s->start)
        return -1;
    size_t ws_cp = 0, we_cp = 0;
    {
        size_t a2 = 0, c2 = 0;
        ws_cp = cp_at(hit->text, &a2, &c2, s->start);
        we_cp = cp_at(hit->text, &a2, &c2, s->end);
    }
    fprintf(out, "{\"format\":%d,\"rank\":%u,\"score\":", KS_JSON_FORMAT, hit->rank);
    put_real(out, hit->score);
    put_member(out, "passage", hit->id, strlen(hit->id));
    put_member(out, "doc", hit->doc, strlen(hit->doc));
    put_member(out, "section", hit->section, strlen(hit->section));
    put_member(out, "lang", hit->lang, strlen(hit->lang));
    put_member(out, "kind", hit->kind, strlen(hit->kind));
    put_member(out, "text", hit->text, hit->text_len);
    put_member(out, "snippet", hit->text + s->start, s->end - s->start);
    fputs(",\"spans\":[", out);
    for (size_t k = 0; k < s->n_spans; k++)
        fprintf(out, "%s[%zu,%zu]", k ? "," : "", s->spans[k].start, s->spans[k].end);
    fprintf(out, "],\"snippet_range\":[%zu,%zu],\"spans_cp\":[", s->start, s->end);
    size_t at = 0, cp = 0;
    /* Spans are sorted and disjoint; the window may start anywhere. */
    for (size_t k = 0; k < s->n_spans; k++) {
        size_t a = cp_at(hit->text, &at, &cp, s->spans[k].start);
        size_t b = cp_at(hit->text, &at, &cp, s->spans[k].end);
        fprintf(out, "%s[%zu,%zu]", k ? "," : "", a, b);
    }
    fprintf(out, "],\"snippet_range_cp\":[%zu,%zu]", ws_cp, we_cp);
    int rc = 0;
    if (qid)
        put_member(out, "qid", qid, strlen(qid));
    if (hit->explain && put_value(out, "expansions", hit->explain) != 0)
        rc = -1;
    if (hit->index)
        put_member(out, "index", hit->index, strlen(hit->index));
    static const char *const copied[] = { "path", "page", "line", "glosses", "citations",
                                          "source", "of_source", "title", "author" };
    for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
        /* A member of a record read raw is copied as it is written when
         * jansson would write it so (a tenth of a --json batch was parsing
         * and dumping the citations again). */
        const ks_record_raw_t *r = hit->record ? ks_record_raw(hit->record, copied[k]) : NULL;
        if (r && !r->parsed) {
            fprintf(out, ",\"%s\":", copied[k]);
            fwrite(r->value, 1, r->value_len, out);
            continue;
        }
        json_t *v = r ? r->parsed : json_object_get(hit->data, copied[k]);
        if (v && put_value(out, copied[k], v) != 0)
            rc = -1;
    }
    fputs("}\n", out);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

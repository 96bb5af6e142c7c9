/*
 * gazetteer.h - the names ICU already knows, as glossary concepts.
 *
 * CLDR (through ICU) names every country and region, language and script in
 * Persian, Russian and English, and names the exemplar city of every time
 * zone (Tashkent, Ташкент, تاشکند). ki_gazetteer_add() turns each of these
 * into one concept of a glossary, so that no such name has to be typed by
 * hand. Only names CLDR really translates are taken: a display name that is
 * just the code (ICU's fallback) is left out, a concept needs at least two
 * languages, languages are the ISO 639-1 ones (two-letter codes: the
 * three-letter ones are mostly small languages whose English names collide
 * with ordinary words), and a name in parentheses ("Congo (DRC)") also gives
 * its part before the parenthesis.
 */
#ifndef KAVOSH_GAZETTEER_H
#define KAVOSH_GAZETTEER_H

#include <stddef.h>

#include "glossary.h"

typedef struct ki_gazetteer_report {
    size_t countries;   /* concepts added per kind */
    size_t languages;
    size_t scripts;
    size_t cities;
} ki_gazetteer_report_t;

/* Add the gazetteer's concepts to g, analysed with a. report may be NULL.
 * Returns KS_GLOSSARY_OK, or the first failure of ks_glossary_add_concept
 * (the concepts added before it stay). ICU data missing for one kind is not
 * a failure: that kind just adds nothing. */
ks_glossary_status_t ki_gazetteer_add(ks_glossary_t *g, ka_analyzer_t *a,
                                      ki_gazetteer_report_t *report);

#endif /* KAVOSH_GAZETTEER_H */

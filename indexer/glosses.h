/*
 * glosses.h - footnote glosses harvested as glossary entries.
 *
 * A footnote that glosses «صفحه شطرنج بزرگ» as "Grand Chess Board" is a
 * translation the author made: it becomes a glossary entry of the index, so
 * that an English query for it also finds the OTHER passages that use the
 * Persian term without a footnote.
 */
#ifndef KAVOSH_GLOSSES_H
#define KAVOSH_GLOSSES_H

#include "analyzer.h"
#include "document.h"

/* Metadata name (after "glossary:") of the glossary harvested from a document. */
#define KI_GLOSSES_SUFFIX "#glosses"

/* The glossary TSV ("fa\tru\ten" header, one concept a line) of doc's
 * footnote glosses whose term is Persian and whose gloss is English or
 * Russian, each pair once. Returns a malloc'd string, or NULL when the
 * document has none (*none = 1) or memory ran out (*none = 0). */
char *ki_harvest_glosses(ka_analyzer_t *an, const kd_document_t *doc, int *none);

#endif /* KAVOSH_GLOSSES_H */

/*
 * glossary_lookup.h - the part of the index's glossary one query can reach,
 * read from the lookup tables kavosh-index stores (schema.h,
 * KI_META_GLOSSARY_LOOKUP), so that a large glossary costs a search only the
 * few concepts its words meet instead of loading all of it.
 */
#ifndef KAVOSH_GLOSSARY_LOOKUP_H
#define KAVOSH_GLOSSARY_LOOKUP_H

#include "glossary.h"
#include "kavosh_xapian.h"
#include "memo.h"

/* Whether db holds the lookup tables. */
int ks_glossary_lookup_available(kx_db_t *db);

/* A new glossary (*out, freed with ks_glossary_free) holding every concept
 * that has a variant whose first term is a word of text, or whose first
 * stem is one of its stems, as ka_analyze(KA_QUERY) gives them: exactly the
 * concepts ks_glossary_match can report for any part of text. KS_GLOSSARY_OK
 * also when none; ERR_NOMEM, ERR_ANALYZER, or ERR_ARG when a stored record
 * is damaged (the concepts read before it stay in *out). memo: a batch's
 * memo of index reads (memo.h) the tables are read through, or NULL. */
ks_glossary_status_t ks_glossary_lookup(kx_db_t *db, ka_analyzer_t *an, ks_memo_t *memo,
                                        const char *text, ks_glossary_t **out);

#endif

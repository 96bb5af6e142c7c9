/*
 * schema.h - how Kavosh lays passages out in a Xapian database. The indexer
 * writes this layout and the search reads it; KI_SCHEMA_VERSION changes
 * whenever either side would misread an older index.
 */
#ifndef KAVOSH_SCHEMA_H
#define KAVOSH_SCHEMA_H

/* Metadata key holding the schema version; an index of another version is refused. */
#define KI_SCHEMA_KEY     "kavosh.schema"
#define KI_SCHEMA_VERSION "3"   /* 2: documents named by their path as given; root records;
                                 * 3: the glossary's lookup tables under short keys, the whole
                                 * analysed glossary only where there are no tables; no stem
                                 * term where the stem is the word itself */

/* Metadata key prefix for per-file records: "file:" + document name (the
 * file's path as given: "papers/notes.md", or absolute) -> "<content hash
 * hex> <bytes> <passages> <root>", root being the name of the root record
 * (KI_META_ROOT in index_internal.h: a folder or file named on a command
 * line) the file belongs to. For the full text
 * of a cited work the hash also covers the entry id it is the text of, so
 * that naming another entry re-indexes an unchanged file. */
#define KI_META_FILE      "file:"
/* Metadata key prefix of the folders and files an index was built from
 * (roots.c): "root:" + its name in the index ("" for a folder named ".") ->
 * "dir ABSPATH" or "file ABSPATH" (the real path, a backslash written \\
 * and a newline \n), then a line "exclude GLOB" or "include GLOB" per
 * glob given with it. kavosh-index with no PATH updates every one. */
#define KI_META_ROOT      "root:"
/* Metadata key holding the glossary text (TSV) that travels with the index. */
#define KI_META_GLOSSARY  "kavosh.glossary"
/* The same glossary (and ICU's gazetteer) pre-analysed (ks_glossary_to_analysed),
 * written only when the lookup tables below could not be (empty otherwise),
 * and what it was made from (a stamp: rebuilt only when that changes). */
#define KI_META_GLOSSARY_ANALYSED "kavosh.glossary.analysed"
#define KI_META_GLOSSARY_STAMP    "kavosh.glossary.stamp"
/* The same glossary as lookup tables, read per query: "1" when present;
 * KEY + 'E' + a variant's first term (or 'S' + its first stem) -> the
 * numbers of the concepts having one, space-separated; CONCEPT + number ->
 * that concept in the pre-analysed form (ks_glossary_concept_to_analysed). */
#define KI_META_GLOSSARY_LOOKUP   "kavosh.glossary.lookup"
#define KI_META_GLOSSARY_KEY      "gk:"   /* short: there are tens of thousands */
#define KI_META_GLOSSARY_CONCEPT  "gc:"
/* Longest metadata key written (Xapian's limit is a little above). */
#define KI_GLOSSARY_MAX_KEY       230

/* Term prefixes. Exact words have none; stems have the analyzer's "Z", and
 * are indexed only where the stem differs from the word: kavosh-search
 * matches a stem as the stem term or the exact term of its letters. */
#define KI_PREFIX_ID      "Q"   /* unique passage id: "Qarticle.fa.md#37" */
#define KI_PREFIX_FILE    "F"   /* the document a passage belongs to */
#define KI_PREFIX_LANG    "L"   /* passage language: "Lfa" */
#define KI_PREFIX_KIND    "K"   /* "Kbody" or "Kbiblio" */
#define KI_PREFIX_SOURCE  "R"   /* a bibliography entry id the passage cites (or is) */
#define KI_PREFIX_OF_SOURCE "O" /* the entry whose full text the passage is part of: "Oarticle.fa.md#ref-33",
                                 * from a sources.tsv line or a kavosh-source header (see index.h);
                                 * the stored data says the same as "of_source" */
#define KI_PREFIX_SECTION "S"   /* each exact word of the section path */

/* Value slots. */
#define KI_SLOT_ORDINAL   0     /* passage ordinal in its document, decimal */
#define KI_SLOT_YEAR      1     /* bibliography entries: Gregorian year, 4 digits */

/* Positions between the passage text and its footnote glosses, so that a
 * phrase can never match across the two. */
#define KI_GLOSS_POSITION_GAP 100

#endif /* KAVOSH_SCHEMA_H */

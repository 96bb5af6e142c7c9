/*
 * record.h - a hit's stored passage record (indexer/passage_doc.c's JSON
 * object), read with the passage text decoded in place and only the other
 * members built with jansson.
 */
#ifndef KAVOSH_RECORD_H
#define KAVOSH_RECORD_H

#include <stddef.h>

#include <jansson.h>

enum { KS_RECORD_ID, KS_RECORD_DOC, KS_RECORD_SECTION, KS_RECORD_LANG, KS_RECORD_KIND,
       KS_RECORD_TEXT, KS_RECORD_CORE };

typedef struct ks_record {
    const char *field[KS_RECORD_CORE];  /* id, doc, section, lang, kind, text: "" when
                                           missing or not a string; into buf */
    size_t      text_len;               /* strlen of the text */
    json_t     *rest;                   /* the record's other members; owned */
    char       *buf;                    /* the decoded strings; owned, reused */
    size_t      used, cap;
} ks_record_t;

/* Read the record data[0..len) into *r (zeroed before its first use; reused
 * from hit to hit, so the strings of the last read stay valid until the next
 * one). Returns 0, or -1 when the record is not one this reader is sure of
 * (malformed, a repeated member, an escape jansson would refuse): the caller
 * then parses it with jansson. */
int ks_record_read(ks_record_t *r, const char *data, size_t len);

/* Free what *r holds and zero it. */
void ks_record_free(ks_record_t *r);

#endif /* KAVOSH_RECORD_H */

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

/* Members other than the six kept as written, when ks_record_read is asked
 * for them raw: at most this many (a record with more is built with jansson). */
#define KS_RECORD_MAX_RAW 32

typedef struct ks_record_raw {
    const char *key, *value;            /* into the record's data */
    size_t      key_len, value_len;
    json_t     *parsed;                 /* NULL: value is as json_dumpf would write it
                                           (ks_json_canonical); else jansson's reading
                                           of it, owned by the record */
} ks_record_raw_t;

typedef struct ks_record {
    const char *field[KS_RECORD_CORE];  /* id, doc, section, lang, kind, text: "" when
                                           missing or not a string; into buf */
    size_t      text_len;               /* strlen of the text */
    json_t     *rest;                   /* the record's other members; owned; NULL when
                                           read raw */
    ks_record_raw_t raw[KS_RECORD_MAX_RAW];  /* when read raw: the other members */
    size_t      n_raw;
    char       *buf;                    /* the decoded strings; owned, reused */
    size_t      used, cap;
} ks_record_t;

/* Read the record data[0..len) into *r (zeroed before its first use; reused
 * from hit to hit, so the strings of the last read stay valid until the next
 * one). Returns 0, or -1 when the record is not one this reader is sure of
 * (malformed, a repeated member, an escape jansson would refuse): the caller
 * then parses it with jansson. */
int ks_record_read(ks_record_t *r, const char *data, size_t len);
/* The same, leaving the other members as written (r->raw, pointing into
 * data, which must outlive their use) instead of building r->rest. */
int ks_record_read_raw(ks_record_t *r, const char *data, size_t len);

/* The raw member named name of a record read raw, or NULL. */
const ks_record_raw_t *ks_record_raw(const ks_record_t *r, const char *name);

/* Whether the JSON value v[0..n) is exactly what jansson's json_dumpf
 * (JSON_COMPACT) writes for the value it parses to: no white space, only
 * the escapes jansson writes, numbers as it prints them, no repeated key.
 * Such a value can be copied to output as it is. v must be valid UTF-8. */
int ks_json_canonical(const char *v, size_t n);

/* A real as jansson's json_dumpf writes it, into buf (at least 32 bytes):
 * %.17g, ".0" added to an integral value, the exponent without '+' and
 * leading zeros. Returns its length. */
size_t ks_json_real(char *buf, size_t cap, double v);

/* Free what *r holds and zero it. */
void ks_record_free(ks_record_t *r);

#endif /* KAVOSH_RECORD_H */

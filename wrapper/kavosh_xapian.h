/*
 * kavosh_xapian.h - the C ABI over Xapian 1.4 used by every other part of Kavosh.
 *
 * This is the only interface through which C code reaches Xapian. It works at
 * term level: the caller analyses text itself and hands over finished terms.
 * Nothing here knows about languages, passages or Persian.
 *
 * Conventions
 *  - Every handle is opaque. Every function that can fail returns kx_status_t,
 *    KX_OK (0) on success. No function throws: each entry point catches every
 *    C++ exception and maps it to a status.
 *  - The library never prints. Where a database handle exists, the detail text
 *    of the last failure is kept on it (kx_db_last_error), valid until the next
 *    call on that handle. Functions without a database handle (documents,
 *    queries, stemmers) report only the status.
 *  - Strings are NUL-terminated UTF-8 unless a length is passed with them.
 *  - Memory returned as `char *` or arrays is allocated with malloc(); release
 *    it with kx_free() (which is free()).
 *  - Handles are not thread-safe; use one handle per thread.
 */
#ifndef KAVOSH_XAPIAN_H
#define KAVOSH_XAPIAN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kx_status {
    KX_OK = 0,
    KX_NOT_FOUND,        /* no database at the path (DatabaseNotFoundError, DatabaseOpeningError) */
    KX_LOCKED,           /* another writer holds the lock (DatabaseLockError) */
    KX_CORRUPT,          /* the database is damaged (DatabaseCorruptError) */
    KX_MODIFIED,         /* a writer changed the database under a reader: kx_db_reopen and retry */
    KX_SCHEMA_MISMATCH,  /* the stored schema version differs from the expected one */
    KX_INVALID_ARGUMENT, /* a NULL or malformed argument, a term too long, a bad query */
    KX_NO_SUCH_DOC,      /* no document with that id (DocNotFoundError) */
    KX_NO_MEMORY,        /* std::bad_alloc */
    KX_XAPIAN_ERROR,     /* any other Xapian::Error */
    KX_INTERNAL_ERROR,   /* any other exception */
    KX_STATUS_LAST
} kx_status_t;

/* A static English description of status; never NULL, even for out-of-range values. */
const char *kx_status_to_string(kx_status_t status);

/* Release memory returned by this library. NULL is allowed. */
void kx_free(void *p);

/* The longest term Xapian's glass backend stores, in bytes. Terms must be shorter;
 * the analysis layer guarantees it, and the wrapper rejects longer ones with
 * KX_INVALID_ARGUMENT rather than letting Xapian throw later at commit. */
#define KX_MAX_TERM_BYTES 245

/* ------------------------------------------------------------------------ */
/* Databases                                                                 */

typedef struct kx_db kx_db_t;

typedef enum kx_open_mode {
    KX_OPEN_READ = 0,   /* read-only; the database must exist */
    KX_OPEN_WRITE,      /* writable; created if missing */
    KX_OPEN_OVERWRITE   /* writable; any existing content is discarded */
} kx_open_mode_t;

/* Open the database at `path`. On success *db_out owns a handle to close with
 * kx_db_close(). On failure *db_out is NULL and, if detail_out is not NULL,
 * *detail_out receives a malloc'd message (free with kx_free) or NULL.
 * A `path` of the form "tcp:HOST:PORT" opens a xapian-tcpsrv remote (read-only). */
kx_status_t kx_db_open(const char *path, kx_open_mode_t mode,
                       kx_db_t **db_out, char **detail_out);

/* Open several read-only databases searched as one. Document ids are
 * interleaved by Xapian; the document data carries its own identity. */
kx_status_t kx_db_open_multi(const char *const *paths, size_t n_paths,
                             kx_db_t **db_out, char **detail_out);

/* Close and free. A writable handle commits pending changes first (Xapian's
 * behaviour); a failure there is swallowed, so commit explicitly first. NULL ok. */
void kx_db_close(kx_db_t *db);

/* Detail text of the last failed call on db, or "" if none. Owned by db,
 * valid until the next call on db. Never NULL. */
const char *kx_db_last_error(const kx_db_t *db);

/* Reread the latest committed revision (read-only handles). */
kx_status_t kx_db_reopen(kx_db_t *db);

/* Writable handles only. */
kx_status_t kx_db_commit(kx_db_t *db);
kx_status_t kx_db_begin_transaction(kx_db_t *db);   /* flushed transaction */
kx_status_t kx_db_commit_transaction(kx_db_t *db);
kx_status_t kx_db_cancel_transaction(kx_db_t *db);

/* Metadata. get: *value_out is a malloc'd string, "" when the key is unset. */
kx_status_t kx_db_get_metadata(kx_db_t *db, const char *key, char **value_out);
kx_status_t kx_db_set_metadata(kx_db_t *db, const char *key, const char *value);
/* Call cb for every metadata key starting with prefix (the whole key is passed). */
kx_status_t kx_db_metadata_keys(kx_db_t *db, const char *prefix,
                                int (*cb)(void *ctx, const char *key), void *ctx);

/* Schema check: KX_OK if metadata `key` equals `expected`; KX_SCHEMA_MISMATCH
 * (detail names both versions) if it is set to something else; if unset,
 * KX_OK for an empty database (writable handles set it), otherwise KX_SCHEMA_MISMATCH. */
kx_status_t kx_db_check_schema(kx_db_t *db, const char *key, const char *expected);

/* Statistics. */
typedef struct kx_db_stats {
    unsigned doc_count;      /* documents */
    unsigned last_docid;
    double   avg_length;     /* average document length in terms */
    unsigned long long total_length;
} kx_db_stats_t;
kx_status_t kx_db_stats(kx_db_t *db, kx_db_stats_t *out);

/* Number of documents indexed by term (0 if absent). */
kx_status_t kx_db_term_freq(kx_db_t *db, const char *term, unsigned *freq_out);

/* Call cb for each term starting with prefix, in sorted order, with its
 * document frequency. A non-zero return from cb stops the walk (not an error). */
kx_status_t kx_db_all_terms(kx_db_t *db, const char *prefix,
                            int (*cb)(void *ctx, const char *term, size_t len, unsigned termfreq),
                            void *ctx);

/* Call cb with the docid of each document indexed by term. Non-zero stops. */
kx_status_t kx_db_postings(kx_db_t *db, const char *term,
                           int (*cb)(void *ctx, unsigned docid), void *ctx);

/* Stored data of document docid: *data_out is malloc'd (NUL-terminated too), length in *len_out. */
kx_status_t kx_db_get_data(kx_db_t *db, unsigned docid, char **data_out, size_t *len_out);

/* Value in slot of document docid (malloc'd, "" if unset). */
kx_status_t kx_db_get_value(kx_db_t *db, unsigned docid, unsigned slot,
                            char **value_out, size_t *len_out);

/* Synonyms (writable handles for add/clear). Note: the remote backend does not serve them. */
kx_status_t kx_db_add_synonym(kx_db_t *db, const char *term, const char *synonym);
kx_status_t kx_db_clear_synonyms(kx_db_t *db, const char *term);
kx_status_t kx_db_synonyms(kx_db_t *db, const char *term,
                           int (*cb)(void *ctx, const char *synonym), void *ctx);

/* ------------------------------------------------------------------------ */
/* Documents being built                                                     */

typedef struct kx_doc kx_doc_t;

kx_status_t kx_doc_new(kx_doc_t **doc_out);
void kx_doc_free(kx_doc_t *doc);                       /* NULL ok */
/* A positional posting: term at position pos (1-based, as Xapian), wdf += wdf_inc. */
kx_status_t kx_doc_add_posting(kx_doc_t *doc, const char *term, unsigned pos, unsigned wdf_inc);
/* A term without position. */
kx_status_t kx_doc_add_term(kx_doc_t *doc, const char *term, unsigned wdf_inc);
/* A filter term: no position, wdf 0 (does not affect document length or BM25). */
kx_status_t kx_doc_add_boolean_term(kx_doc_t *doc, const char *term);
kx_status_t kx_doc_set_value(kx_doc_t *doc, unsigned slot, const char *value, size_t len);
kx_status_t kx_doc_set_data(kx_doc_t *doc, const char *data, size_t len);

/* Add doc or replace the documents indexed by unique_term with it (the
 * document should carry unique_term itself, e.g. as a boolean term). The doc
 * stays owned by the caller. *docid_out may be NULL. */
kx_status_t kx_db_replace_by_term(kx_db_t *db, const char *unique_term,
                                  const kx_doc_t *doc, unsigned *docid_out);
kx_status_t kx_db_add_document(kx_db_t *db, const kx_doc_t *doc, unsigned *docid_out);
/* Delete every document indexed by term (none is not an error). */
kx_status_t kx_db_delete_by_term(kx_db_t *db, const char *term);

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

/* An immutable query tree. Constructors copy what they are given: the caller
 * keeps ownership of the subqueries it passes and frees them when it likes. */
typedef struct kx_query kx_query_t;

typedef enum kx_query_op {
    KX_OP_AND = 0,
    KX_OP_OR,
    KX_OP_AND_NOT,   /* first subquery minus the union of the others */
    KX_OP_FILTER,    /* first subquery, restricted to documents matching the others; others don't weigh */
    KX_OP_AND_MAYBE, /* first subquery, the others only add weight */
    KX_OP_PHRASE,    /* subqueries in order within `window` positions (0 = their count) */
    KX_OP_NEAR,      /* subqueries in any order within `window` positions */
    KX_OP_SYNONYM,   /* one combined term for weighting */
    KX_OP_LAST
} kx_query_op_t;

kx_status_t kx_query_term(const char *term, unsigned wqf, unsigned pos, kx_query_t **out);
kx_status_t kx_query_combine(kx_query_op_t op, kx_query_t *const *subs, size_t n_subs,
                             unsigned window, kx_query_t **out);
/* Multiply the weight of q by factor (>= 0). */
kx_status_t kx_query_scale(const kx_query_t *q, double factor, kx_query_t **out);
/* Every term starting with prefix, OR'ed (at most max_expansion terms; 0 = no limit);
 * weighted as a synonym group. */
kx_status_t kx_query_wildcard(const char *prefix, unsigned max_expansion, kx_query_t **out);
/* Documents whose value in slot lies in [lo, hi] (string order). */
kx_status_t kx_query_value_range(unsigned slot, const char *lo, const char *hi, kx_query_t **out);
kx_status_t kx_query_match_all(kx_query_t **out);
kx_status_t kx_query_match_nothing(kx_query_t **out);
/* Xapian's description of the query, malloc'd; NULL on failure. */
char *kx_query_describe(const kx_query_t *q);
void kx_query_free(kx_query_t *q);                      /* NULL ok */

/* ------------------------------------------------------------------------ */
/* Searching                                                                 */

typedef struct kx_bm25 {
    double k1, k2, k3, b, min_normlen;   /* Xapian's defaults: 1, 0, 1, 0.5, 0.5 */
} kx_bm25_t;

typedef struct kx_mset kx_mset_t;

/* Run q against db and keep hits [offset, offset+limit). bm25 NULL = Xapian's
 * defaults. *mset_out is freed with kx_mset_free and does not outlive db. */
kx_status_t kx_search(kx_db_t *db, const kx_query_t *q, const kx_bm25_t *bm25,
                      unsigned offset, unsigned limit, kx_mset_t **mset_out);

typedef struct kx_hit {
    unsigned    docid;
    unsigned    rank;      /* 0-based rank in the whole result list */
    double      weight;
    int         percent;
    const char *data;      /* stored data; owned by the mset, valid until kx_mset_free */
    size_t      data_len;
} kx_hit_t;

unsigned kx_mset_size(const kx_mset_t *mset);
unsigned kx_mset_estimate(const kx_mset_t *mset);   /* estimated total matches */
kx_status_t kx_mset_hit(kx_mset_t *mset, unsigned i, kx_hit_t *hit_out);
/* Call cb with every query term that hit i matches. Non-zero stops. */
kx_status_t kx_mset_matching_terms(kx_mset_t *mset, unsigned i,
                                   int (*cb)(void *ctx, const char *term, size_t len),
                                   void *ctx);
void kx_mset_free(kx_mset_t *mset);                     /* NULL ok */

/* ------------------------------------------------------------------------ */
/* Snowball stemmers shipped with Xapian                                     */

typedef struct kx_stemmer kx_stemmer_t;

/* lang is a Xapian stemmer name ("english", "russian", "en", "ru", ...).
 * KX_INVALID_ARGUMENT if Xapian has no such stemmer. */
kx_status_t kx_stemmer_new(const char *lang, kx_stemmer_t **out);
/* Stem word[0..len) into buf (NUL-terminated). *out_len receives the stem's
 * length; if it is >= cap the stem did not fit, nothing useful is in buf and
 * KX_INVALID_ARGUMENT is returned. */
kx_status_t kx_stemmer_stem(kx_stemmer_t *st, const char *word, size_t len,
                            char *buf, size_t cap, size_t *out_len);
void kx_stemmer_free(kx_stemmer_t *st);                 /* NULL ok */

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_XAPIAN_H */

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
 *    of the last call is kept on it (kx_db_last_error): every call on the handle
 *    (and on an mset made from it) first clears it, a failing call fills it in.
 *    Functions without a database handle (documents, queries, stemmers) report
 *    only the status.
 *  - A NULL handle or NULL required pointer gives KX_INVALID_ARGUMENT, never a crash.
 *  - Strings are NUL-terminated UTF-8 unless a length is passed with them.
 *  - Memory returned as `char *` or arrays is allocated with malloc(); release
 *    it with kx_free() (which is free()). Output pointers are set to NULL on failure.
 *  - Callbacks (`cb`) are called synchronously; a non-zero return stops the walk
 *    early, which is not an error. Strings passed to a callback are valid only
 *    during that call.
 *  - Handles are not thread-safe; use one handle per thread.
 */
#ifndef KAVOSH_XAPIAN_H
#define KAVOSH_XAPIAN_H

#include <stddef.h>

#ifdef __cplusplus
/* C++17 makes noexcept part of a function's type, so the declarations have to
 * say what the definitions promise. C sees nothing. */
#define KX_NOEXCEPT noexcept
extern "C" {
#else
#define KX_NOEXCEPT
#endif

typedef enum kx_status {
    KX_OK = 0,
    KX_NOT_FOUND,        /* no database at the path (DatabaseNotFoundError, DatabaseOpeningError) */
    KX_LOCKED,           /* another writer holds the lock (DatabaseLockError) */
    KX_CORRUPT,          /* the database is damaged (DatabaseCorruptError, or the plain
                            DatabaseError of a short or unreadable table file) */
    KX_MODIFIED,         /* a writer changed the database under a reader: kx_db_reopen and retry */
    KX_SCHEMA_MISMATCH,  /* the stored schema version differs from the expected one */
    KX_INVALID_ARGUMENT, /* a NULL or malformed argument, a term too long, a bad query */
    KX_NO_SUCH_DOC,      /* no document with that id (DocNotFoundError) */
    KX_NO_MEMORY,        /* std::bad_alloc */
    KX_XAPIAN_ERROR,     /* any other Xapian::Error */
    KX_INTERNAL_ERROR,   /* any other exception */
    KX_WRITE_FAILED,     /* the system refused a write or sync of the database: disk
                            full (ENOSPC, EDQUOT), I/O error (EIO), file too large,
                            read-only file system; the detail has the errno text. The
                            database on disk stays at its last commit. */
    KX_STATUS_LAST
} kx_status_t;

/* A static English description of status; never NULL, even for out-of-range
 * values. The string is owned by the library and lives forever. */
const char *kx_status_to_string(kx_status_t status) KX_NOEXCEPT;

/* Release memory returned by this library. NULL is allowed. */
void kx_free(void *p) KX_NOEXCEPT;

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
    KX_OPEN_OVERWRITE,  /* writable; any existing content is discarded */
    KX_OPEN_SCRATCH     /* as KX_OPEN_OVERWRITE, but commits are not synced to disk
                           (Xapian's DB_NO_SYNC): for a database thrown away when
                           the run dies, such as a parallel build's parts */
} kx_open_mode_t;

/* Open the database at `path`. On success returns KX_OK and *db_out owns a
 * handle to close with kx_db_close(). On failure *db_out is NULL and, if
 * detail_out is not NULL, *detail_out receives a malloc'd message (free with
 * kx_free) or NULL; on success *detail_out is NULL.
 * A `path` of the form "tcp:HOST:PORT" opens a xapian-tcpsrv remote, read-only
 * (asking to write one gives KX_INVALID_ARGUMENT).
 * Returns KX_NOT_FOUND when a database to read does not exist (or is not a
 * database Xapian can open), KX_LOCKED when another writer holds it. */
kx_status_t kx_db_open(const char *path, kx_open_mode_t mode,
                       kx_db_t **db_out, char **detail_out) KX_NOEXCEPT;

/* Open several read-only databases (n_paths >= 1; local or "tcp:") searched as
 * one. Document ids are interleaved by Xapian; the document data carries its
 * own identity. Ownership and detail as for kx_db_open; the detail names the
 * path that failed. */
kx_status_t kx_db_open_multi(const char *const *paths, size_t n_paths,
                             kx_db_t **db_out, char **detail_out) KX_NOEXCEPT;

/* Write a compacted copy of the local database at src to dst, a directory
 * that must not exist yet (KX_INVALID_ARGUMENT if it does): Xapian's
 * Database::compact, so every table of the copy is full and the copy is as
 * small as the data allows. src may be open elsewhere (a writer's committed
 * state is copied). Detail as for kx_db_open; KX_NOT_FOUND when src is no
 * database. */
kx_status_t kx_db_compact(const char *src, const char *dst, char **detail_out) KX_NOEXCEPT;

/* Merge the local databases srcs[0..n) into one new compacted database at
 * dst (which must not exist yet): documents renumbered in order, srcs[0]'s
 * first; user metadata of every source kept (for a key set in several, the
 * first source's value). What a parallel build does with its parts. fuller:
 * fill every block (Xapian's Compactor::FULLER), best for an index that is
 * mostly read. Errors as for kx_db_compact. */
kx_status_t kx_db_compact_many(const char *const *srcs, size_t n, const char *dst, int fuller,
                               char **detail_out) KX_NOEXCEPT;

/* The number of databases db searches as one (1 for kx_db_open, n_paths for
 * kx_db_open_multi; 0 for NULL). Xapian interleaves their document ids: a
 * docid d of the combined database lives in database (d - 1) % count, in
 * the order the paths were given. */
unsigned kx_db_shard_count(const kx_db_t *db) KX_NOEXCEPT;

/* Which table file of the local glass database at path is damaged: each is
 * checked on its own with Xapian's Database::check, and the first that fails
 * is named with the error: "DB/postlist.glass: DatabaseError: EOF reading
 * block 32", malloc'd (kx_free). NULL when every table passes (or path is
 * remote). Reads every block of the tables checked: for error paths only. */
char *kx_db_find_damage(const char *path) KX_NOEXCEPT;

/* Close and free. A writable handle commits pending changes first (Xapian's
 * behaviour; an open transaction is cancelled instead); a failure there is
 * swallowed, so commit explicitly first. NULL ok. Every mset made from db
 * must have been freed before. */
void kx_db_close(kx_db_t *db) KX_NOEXCEPT;

/* Detail text of the last call on db if it failed, or "" (also for a NULL db).
 * Owned by db, valid until the next call on db. Never NULL. */
const char *kx_db_last_error(const kx_db_t *db) KX_NOEXCEPT;

/* Reread the latest committed revision (meant for read-only handles; a no-op
 * for writable ones). Returns KX_OK or a failure status. */
kx_status_t kx_db_reopen(kx_db_t *db) KX_NOEXCEPT;

/* Writable handles only; on a read-only handle they return KX_INVALID_ARGUMENT.
 * commit makes pending changes durable. begin_transaction starts a flushed
 * transaction (its changes are committed by commit_transaction as one unit, or
 * discarded by cancel_transaction). begin_group starts an unflushed one: its
 * changes become pending as one unit at commit_transaction (or are discarded
 * by cancel_transaction) and durable at the next kx_db_commit, so many groups
 * can share one commit while each stays all-or-nothing. Transactions do not nest. */
kx_status_t kx_db_commit(kx_db_t *db) KX_NOEXCEPT;
kx_status_t kx_db_begin_transaction(kx_db_t *db) KX_NOEXCEPT;
kx_status_t kx_db_begin_group(kx_db_t *db) KX_NOEXCEPT;
kx_status_t kx_db_commit_transaction(kx_db_t *db) KX_NOEXCEPT;
kx_status_t kx_db_cancel_transaction(kx_db_t *db) KX_NOEXCEPT;

/* Metadata. get: on KX_OK *value_out is a malloc'd string (kx_free), "" when
 * the key is unset; NULL on failure. set (writable handles only) takes effect
 * for readers at the next commit. An empty key is KX_INVALID_ARGUMENT. */
kx_status_t kx_db_get_metadata(kx_db_t *db, const char *key, char **value_out) KX_NOEXCEPT;
kx_status_t kx_db_set_metadata(kx_db_t *db, const char *key, const char *value) KX_NOEXCEPT;
/* Call cb for every metadata key starting with prefix ("" = all keys), in
 * sorted order; the whole key is passed. Non-zero from cb stops. */
kx_status_t kx_db_metadata_keys(kx_db_t *db, const char *prefix,
                                int (*cb)(void *ctx, const char *key), void *ctx) KX_NOEXCEPT;

/* Schema check: KX_OK if metadata `key` equals `expected`; KX_SCHEMA_MISMATCH
 * (detail names both versions) if it is set to something else; if unset,
 * KX_OK for an empty database (a writable handle then sets it, durable at its
 * next commit), otherwise KX_SCHEMA_MISMATCH. */
kx_status_t kx_db_check_schema(kx_db_t *db, const char *key, const char *expected) KX_NOEXCEPT;

/* Statistics, copied into the caller's *out. */
typedef struct kx_db_stats {
    unsigned doc_count;      /* documents */
    unsigned last_docid;
    double   avg_length;     /* average document length in terms */
    unsigned long long total_length;
} kx_db_stats_t;
kx_status_t kx_db_stats(kx_db_t *db, kx_db_stats_t *out) KX_NOEXCEPT;

/* Number of documents indexed by term (0 if absent) into *freq_out.
 * An empty term is KX_INVALID_ARGUMENT. */
kx_status_t kx_db_term_freq(kx_db_t *db, const char *term, unsigned *freq_out) KX_NOEXCEPT;

/* Call cb for each term starting with prefix ("" = all), in sorted order, with
 * its document frequency. `term` is NUL-terminated and also has its length. */
kx_status_t kx_db_all_terms(kx_db_t *db, const char *prefix,
                            int (*cb)(void *ctx, const char *term, size_t len, unsigned termfreq),
                            void *ctx) KX_NOEXCEPT;

/* Call cb with the docid of each document indexed by term, ascending.
 * The empty term walks every document (Xapian's convention). Non-zero stops. */
kx_status_t kx_db_postings(kx_db_t *db, const char *term,
                           int (*cb)(void *ctx, unsigned docid), void *ctx) KX_NOEXCEPT;

/* Stored data of document docid: on KX_OK *data_out is malloc'd (kx_free;
 * NUL-terminated too), its length in *len_out (len_out may be NULL).
 * KX_NO_SUCH_DOC if there is no such document; docid 0 is KX_INVALID_ARGUMENT. */
kx_status_t kx_db_get_data(kx_db_t *db, unsigned docid, char **data_out, size_t *len_out) KX_NOEXCEPT;

/* Value in slot of document docid: *value_out malloc'd as for kx_db_get_data,
 * "" if unset. len_out may be NULL. */
kx_status_t kx_db_get_value(kx_db_t *db, unsigned docid, unsigned slot,
                            char **value_out, size_t *len_out) KX_NOEXCEPT;

/* Synonyms (writable handles for add/clear, visible to readers after commit).
 * Terms must be non-empty. kx_db_synonyms calls cb for each synonym of term, in
 * sorted order. Note: the remote backend does not serve them. */
kx_status_t kx_db_add_synonym(kx_db_t *db, const char *term, const char *synonym) KX_NOEXCEPT;
kx_status_t kx_db_clear_synonyms(kx_db_t *db, const char *term) KX_NOEXCEPT;
kx_status_t kx_db_synonyms(kx_db_t *db, const char *term,
                           int (*cb)(void *ctx, const char *synonym), void *ctx) KX_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Documents being built                                                     */

/* A document under construction, owned by the caller until kx_doc_free.
 * Every term must be non-empty and shorter than KX_MAX_TERM_BYTES, otherwise
 * the add function returns KX_INVALID_ARGUMENT and the document is unchanged. */
typedef struct kx_doc kx_doc_t;

/* On KX_OK *doc_out is a new empty document. */
kx_status_t kx_doc_new(kx_doc_t **doc_out) KX_NOEXCEPT;
void kx_doc_free(kx_doc_t *doc) KX_NOEXCEPT;           /* NULL ok */
/* A positional posting: term at position pos (1-based, as Xapian), wdf += wdf_inc. */
kx_status_t kx_doc_add_posting(kx_doc_t *doc, const char *term, unsigned pos, unsigned wdf_inc) KX_NOEXCEPT;
/* A term without position. */
kx_status_t kx_doc_add_term(kx_doc_t *doc, const char *term, unsigned wdf_inc) KX_NOEXCEPT;
/* A filter term: no position, wdf 0 (does not affect document length or BM25). */
kx_status_t kx_doc_add_boolean_term(kx_doc_t *doc, const char *term) KX_NOEXCEPT;
/* Copy value[0..len) into slot (value may be NULL when len is 0). */
kx_status_t kx_doc_set_value(kx_doc_t *doc, unsigned slot, const char *value, size_t len) KX_NOEXCEPT;
/* Copy data[0..len) as the stored data (data may be NULL when len is 0). */
kx_status_t kx_doc_set_data(kx_doc_t *doc, const char *data, size_t len) KX_NOEXCEPT;
/* What has been set so far, for checking a document before it is added: the
 * stored data, copied into *data_out (NUL-terminated, free with kx_free; its
 * length in *len_out), and each term in byte order with its wdf and number
 * of positions (cb returns nonzero to stop the walk). */
kx_status_t kx_doc_get_data(const kx_doc_t *doc, char **data_out, size_t *len_out) KX_NOEXCEPT;
kx_status_t kx_doc_terms(const kx_doc_t *doc,
                         int (*cb)(void *ctx, const char *term, size_t len, unsigned wdf,
                                   unsigned n_positions),
                         void *ctx) KX_NOEXCEPT;

/* Add doc or replace the documents indexed by unique_term with it (the
 * document should carry unique_term itself, e.g. as a boolean term). The doc
 * stays owned by the caller and may be freed at once. *docid_out (may be NULL)
 * receives the document's id. Writable handles only. */
kx_status_t kx_db_replace_by_term(kx_db_t *db, const char *unique_term,
                                  const kx_doc_t *doc, unsigned *docid_out) KX_NOEXCEPT;
kx_status_t kx_db_add_document(kx_db_t *db, const kx_doc_t *doc, unsigned *docid_out) KX_NOEXCEPT;
/* Delete every document indexed by term (none is not an error; an empty term
 * is KX_INVALID_ARGUMENT rather than "every document"). */
kx_status_t kx_db_delete_by_term(kx_db_t *db, const char *term) KX_NOEXCEPT;

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

/* An immutable query tree. Constructors copy what they are given: the caller
 * keeps ownership of the subqueries it passes and frees them when it likes.
 * Every constructor returns KX_OK with a new handle in *out (free with
 * kx_query_free), or a failure status with *out NULL. */
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

/* A single term (non-empty: use kx_query_match_all for "everything"), with
 * within-query frequency wqf and query position pos (0 = none). */
kx_status_t kx_query_term(const char *term, unsigned wqf, unsigned pos, kx_query_t **out) KX_NOEXCEPT;
/* Combine n_subs subqueries with op. `window` is used by PHRASE and NEAR only. */
kx_status_t kx_query_combine(kx_query_op_t op, kx_query_t *const *subs, size_t n_subs,
                             unsigned window, kx_query_t **out) KX_NOEXCEPT;
/* Multiply the weight of q by factor (finite, >= 0). */
kx_status_t kx_query_scale(const kx_query_t *q, double factor, kx_query_t **out) KX_NOEXCEPT;
/* Every term starting with prefix (non-empty), OR'ed (at most max_expansion
 * terms, the most frequent ones; 0 = no limit); weighted as a synonym group. */
kx_status_t kx_query_wildcard(const char *prefix, unsigned max_expansion, kx_query_t **out) KX_NOEXCEPT;
/* Documents whose value in slot lies in [lo, hi] (string order). */
kx_status_t kx_query_value_range(unsigned slot, const char *lo, const char *hi, kx_query_t **out) KX_NOEXCEPT;
kx_status_t kx_query_match_all(kx_query_t **out) KX_NOEXCEPT;
kx_status_t kx_query_match_nothing(kx_query_t **out) KX_NOEXCEPT;
/* Xapian's description of the query, malloc'd (kx_free); NULL on failure. */
char *kx_query_describe(const kx_query_t *q) KX_NOEXCEPT;
void kx_query_free(kx_query_t *q) KX_NOEXCEPT;          /* NULL ok */

/* ------------------------------------------------------------------------ */
/* Searching                                                                 */

typedef struct kx_bm25 {
    double k1, k2, k3, b, min_normlen;   /* Xapian's defaults: 1, 0, 1, 0.5, 0.5 */
} kx_bm25_t;

typedef struct kx_mset kx_mset_t;

/* Run q against db and keep hits [offset, offset+limit). bm25 NULL = Xapian's
 * defaults; parameters must be finite and >= 0, b <= 1. On KX_OK *mset_out is
 * freed with kx_mset_free and does not outlive db; q may be freed at once.
 * Failures of the mset functions are reported on db (kx_db_last_error). */
kx_status_t kx_search(kx_db_t *db, const kx_query_t *q, const kx_bm25_t *bm25,
                      unsigned offset, unsigned limit, kx_mset_t **mset_out) KX_NOEXCEPT;
/* kx_search with a time limit in seconds (finite, >= 0; 0 = none): past it
 * Xapian stops counting the matches beyond the hits asked for, so the
 * bounds (kx_mset_bounds) are estimates; the hits are still the best ones.
 * Xapian 1.4 cannot stop the ranking itself. kx_mset_timed_out says
 * whether the match took the whole limit. */
kx_status_t kx_search_timed(kx_db_t *db, const kx_query_t *q, const kx_bm25_t *bm25,
                            unsigned offset, unsigned limit, double time_limit,
                            kx_mset_t **mset_out) KX_NOEXCEPT;
/* Whether the match of kx_search_timed ran for its whole time limit (0 for
 * NULL and for kx_search). */
int kx_mset_timed_out(const kx_mset_t *mset) KX_NOEXCEPT;

typedef struct kx_hit {
    unsigned    docid;
    unsigned    rank;      /* 0-based rank in the whole result list */
    double      weight;
    int         percent;
    const char *data;      /* stored data; owned by the mset, valid until kx_mset_free */
    size_t      data_len;
} kx_hit_t;

/* Hits held (0 for NULL). */
unsigned kx_mset_size(const kx_mset_t *mset) KX_NOEXCEPT;
/* Xapian's estimate of the total matches (0 for NULL). */
unsigned kx_mset_estimate(const kx_mset_t *mset) KX_NOEXCEPT;
/* Xapian's bounds on the number of matches: lower <= estimate <= upper;
 * lower == upper means the count is exact. Any pointer may be NULL; all
 * are 0 for a NULL mset. kx_search checks at least KX_CHECK_AT_LEAST
 * matches, so that counts up to it are exact. */
#define KX_CHECK_AT_LEAST 100
void kx_mset_bounds(const kx_mset_t *mset, unsigned *lower, unsigned *estimate,
                    unsigned *upper) KX_NOEXCEPT;
/* Hit i (0 <= i < kx_mset_size) into *hit_out; its document data is read on
 * first use and cached in the mset. i out of range is KX_INVALID_ARGUMENT. */
kx_status_t kx_mset_hit(kx_mset_t *mset, unsigned i, kx_hit_t *hit_out) KX_NOEXCEPT;
/* Call cb with every query term that hit i matches (the document's terms that
 * are in the query, each once, in byte order). Non-zero stops. */
kx_status_t kx_mset_matching_terms(kx_mset_t *mset, unsigned i,
                                   int (*cb)(void *ctx, const char *term, size_t len),
                                   void *ctx) KX_NOEXCEPT;
/* Which of terms[0..n) (sorted by byte order, as strcmp sorts) hit i's
 * document holds: found[k] is set to 1 for each, left alone for the others;
 * *weight_out (may be NULL) is the hit's weight. A merge of the document's
 * term list with the array, skipping ahead in the term list: cheaper than
 * kx_mset_matching_terms for a query of many terms, and the document's data
 * is not read. The same walk notes which of the query's terms the hit holds,
 * so a later kx_mset_matching_terms on hit i reads no term list (terms must
 * stay the same array for the mset's life: the union is built once). */
kx_status_t kx_mset_hit_has_terms(kx_mset_t *mset, unsigned i, const char *const *terms,
                                  size_t n, unsigned char *found, double *weight_out) KX_NOEXCEPT;
void kx_mset_free(kx_mset_t *mset) KX_NOEXCEPT;        /* NULL ok */

/* ------------------------------------------------------------------------ */
/* Snowball stemmers shipped with Xapian                                     */

typedef struct kx_stemmer kx_stemmer_t;

/* lang is a Xapian stemmer name ("english", "russian", "en", "ru", ... or
 * "none"). On KX_OK *out is a stemmer to free with kx_stemmer_free.
 * KX_INVALID_ARGUMENT if Xapian has no such stemmer or lang is empty. */
kx_status_t kx_stemmer_new(const char *lang, kx_stemmer_t **out) KX_NOEXCEPT;
/* Stem word[0..len) into buf (NUL-terminated). *out_len receives the stem's
 * length; if it is >= cap the stem did not fit, nothing useful is in buf and
 * KX_INVALID_ARGUMENT is returned (buf may be NULL when cap is 0, to ask the
 * length). Input that is not UTF-8 is stemmed as bytes, never a crash. */
kx_status_t kx_stemmer_stem(kx_stemmer_t *st, const char *word, size_t len,
                            char *buf, size_t cap, size_t *out_len) KX_NOEXCEPT;
void kx_stemmer_free(kx_stemmer_t *st) KX_NOEXCEPT;    /* NULL ok */

#ifdef __cplusplus
}
#endif
#endif /* KAVOSH_XAPIAN_H */

/*
 * kavosh_xapian.cc - the C ABI over Xapian 1.4 declared in kavosh_xapian.h.
 *
 * Every extern "C" entry point is noexcept and funnels its body through
 * guarded(), which owns the one catch ladder mapping C++ exceptions to
 * kx_status_t. Detail text goes to the database handle when there is one;
 * the library never prints.
 */
/* The C API names both a struct and a function kx_db_stats, which C++'s
 * -Wshadow reports; it is harmless in C and the name is part of the ABI. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#include "kavosh_xapian.h"
#pragma GCC diagnostic pop

#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/stat.h>

/* ------------------------------------------------------------------------ */
/* Opaque handles                                                            */

struct kx_db {
    Xapian::Database db;           /* the read-only database (unused when writable) */
    Xapian::WritableDatabase wdb;  /* the writable database, when writable */
    bool writable = false;
    std::string last_error;        /* detail of the last call, "" after a success */

    /* Every read goes through here so that a writable handle sees its own
     * uncommitted changes, and only one Xapian reference to it exists. */
    Xapian::Database &reader() { return writable ? static_cast<Xapian::Database &>(wdb) : db; }
};

struct kx_doc {
    Xapian::Document doc;
};

struct kx_query {
    Xapian::Query query;
};

struct kx_mset {
    kx_db *db;                      /* where errors are reported; the mset never outlives it */
    Xapian::Enquire enquire;        /* kept for get_matching_terms */
    Xapian::MSet mset;
    std::vector<std::string> data;  /* each hit's document data, fetched on first use */
    std::vector<bool> fetched;
    std::vector<std::string> qterms;  /* the query's distinct terms, sorted; read on first use */
    bool qterms_read = false;
    /* kx_mset_hit_has_terms walks a hit's term list once for the caller's
     * terms and the query's together (probes: their sorted union, each with
     * its index in either, -1 if not there), and keeps which query terms the
     * hit holds, so that kx_mset_matching_terms on the same hit reads no
     * term list again (the coverage rerank, then the highlights). */
    struct probe {
        std::string term;
        long caller, query;
    };
    std::vector<probe> probes;
    const char *const *probes_of = nullptr;
    size_t probes_n = 0;
    std::vector<std::vector<unsigned>> hit_qterms;  /* by hit index, valid where hit_known */
    std::vector<bool> hit_known;
    bool timed_out = false;         /* the match ran past its time limit */

    kx_mset(kx_db *owner, const Xapian::Database &database) : db(owner), enquire(database) {}
};

struct kx_stemmer {
    Xapian::Stem stem;
};

namespace {

/* Prefix of a remote database path: "tcp:HOST:PORT". */
constexpr char kTcpPrefix[] = "tcp:";
/* Xapian's remote protocol waits this long for a server, in milliseconds;
 * the same as Xapian's own default, named so that it is visible. */
constexpr unsigned kRemoteTimeoutMs = 10000;

/* The integer a C caller put in an enum parameter. C lets any int through,
 * while in C++ merely reading an enum holding a value outside its declared
 * range is undefined, so the bytes are copied out instead of loaded as the enum. */
template <typename Enum>
long long raw_enum(const Enum &e) noexcept
{
    std::underlying_type_t<Enum> v;
    static_assert(sizeof v == sizeof e, "an enum is its underlying type");
    std::memcpy(&v, &e, sizeof v);
    return static_cast<long long>(v);
}

/* Record text into *detail without ever throwing: a failure to allocate the
 * message must not turn an error report into a second error. */
void note(std::string *detail, const char *text) noexcept
{
    if (!detail)
        return;
    try {
        detail->assign(text);
    } catch (...) {
        detail->clear();
    }
}

void note_xapian(std::string *detail, const Xapian::Error &e) noexcept
{
    if (!detail)
        return;
    try {
        std::string text = e.get_type();
        text += ": ";
        text += e.get_msg();
        /* The errno text ("No such file or directory") is often the useful part. */
        if (const char *sys = e.get_error_string()) {
            text += " (";
            text += sys;
            text += ")";
        }
        *detail = std::move(text);
    } catch (...) {
        detail->clear();
    }
}

/* Whether e reports a write the system refused (disk full, I/O error):
 * Xapian throws a plain DatabaseError for those too ("Error writing block 39"),
 * with the errno's text, which must not be taken for damage. */
bool refused_write(const Xapian::Error &e) noexcept
{
    static const int codes[] = { ENOSPC, EDQUOT, EIO, EFBIG, EROFS };
    const char *sys = e.get_error_string();
    try {
        /* A failed commit wraps the cause in its message: "Modifications
         * failed (DatabaseError: Error writing block 9 (No space left on device))". */
        const std::string &msg = e.get_msg();
        for (int c : codes) {
            const char *text = std::strerror(c);
            if (sys && std::strcmp(sys, text) == 0)
                return true;
            if (msg.find(std::string("(") + text + ")") != std::string::npos)
                return true;
        }
    } catch (...) {
    }
    return false;
}

/* The one catch ladder. Runs body(), which returns a status, and maps every
 * exception it throws to a status, most specific class first. */
template <typename Body>
kx_status_t guarded(std::string *detail, Body &&body) noexcept
{
    if (detail)
        detail->clear();
    try {
        return body();
    } catch (const Xapian::DatabaseLockError &e) {
        note_xapian(detail, e);
        return KX_LOCKED;
    } catch (const Xapian::DatabaseNotFoundError &e) {
        note_xapian(detail, e);
        return KX_NOT_FOUND;
    } catch (const Xapian::DatabaseOpeningError &e) {
        /* Includes DatabaseVersionError; the detail names the real cause. */
        note_xapian(detail, e);
        return KX_NOT_FOUND;
    } catch (const Xapian::DatabaseCorruptError &e) {
        note_xapian(detail, e);
        return refused_write(e) ? KX_WRITE_FAILED : KX_CORRUPT;
    } catch (const Xapian::DatabaseModifiedError &e) {
        note_xapian(detail, e);
        return KX_MODIFIED;
    } catch (const Xapian::DocNotFoundError &e) {
        note_xapian(detail, e);
        return KX_NO_SUCH_DOC;
    } catch (const Xapian::InvalidArgumentError &e) {
        note_xapian(detail, e);
        return KX_INVALID_ARGUMENT;
    } catch (const Xapian::DatabaseCreateError &e) {
        note_xapian(detail, e);
        return KX_XAPIAN_ERROR;
    } catch (const Xapian::DatabaseError &e) {
        /* The plain DatabaseError glass throws when a table file is short
         * or its blocks unreadable ("EOF reading block 2"): damage, as
         * DatabaseCorruptError is. */
        note_xapian(detail, e);
        return refused_write(e) ? KX_WRITE_FAILED : KX_CORRUPT;
    } catch (const Xapian::Error &e) {
        /* NetworkError and the rest. */
        note_xapian(detail, e);
        return refused_write(e) ? KX_WRITE_FAILED : KX_XAPIAN_ERROR;
    } catch (const std::bad_alloc &) {
        note(detail, "out of memory");
        return KX_NO_MEMORY;
    } catch (const std::exception &e) {
        note(detail, e.what());
        return KX_INTERNAL_ERROR;
    } catch (...) {
        note(detail, "unknown C++ exception");
        return KX_INTERNAL_ERROR;
    }
}

kx_status_t reject(std::string *detail, const char *why) noexcept
{
    note(detail, why);
    return KX_INVALID_ARGUMENT;
}

kx_status_t need_writable(kx_db *db) noexcept
{
    return db->writable ? KX_OK : reject(&db->last_error, "database is open read-only");
}

/* A copy of s into malloc'd memory, NUL-terminated; throws bad_alloc. */
char *dup_malloc(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

/* Why a term is unacceptable for a document, or nullptr. Empty terms are
 * rejected because Xapian treats "" as "every document" in several calls. */
const char *bad_term(const char *term) noexcept
{
    if (!term)
        return "term is NULL";
    size_t len = std::strlen(term);
    if (len == 0)
        return "term is empty";
    if (len >= KX_MAX_TERM_BYTES)
        return "term is too long for Xapian's glass backend";
    return nullptr;
}

/* Parse "tcp:HOST:PORT". Returns false if path is not of that form. */
bool parse_tcp(const char *path, std::string &host, unsigned &port)
{
    if (std::strncmp(path, kTcpPrefix, sizeof kTcpPrefix - 1) != 0)
        return false;
    std::string rest(path + sizeof kTcpPrefix - 1);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
        throw Xapian::InvalidArgumentError("remote path must be tcp:HOST:PORT", path);
    unsigned long value = 0;
    for (size_t i = colon + 1; i < rest.size(); i++) {
        char c = rest[i];
        if (c < '0' || c > '9' || value > 65535)
            throw Xapian::InvalidArgumentError("bad port in remote path", path);
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535)
        throw Xapian::InvalidArgumentError("port out of range in remote path", path);
    host = rest.substr(0, colon);
    port = static_cast<unsigned>(value);
    return true;
}

Xapian::Database open_reader(const char *path)
{
    std::string host;
    unsigned port = 0;
    if (parse_tcp(path, host, port))
        return Xapian::Remote::open(host, port, kRemoteTimeoutMs, kRemoteTimeoutMs);
    return Xapian::Database(path);
}

/* Hand the detail to the caller of an open function, which has no handle yet.
 * Plain malloc, so that reporting a failure cannot itself throw. */
void give_detail(const char *detail, char **detail_out) noexcept
{
    if (!detail_out)
        return;
    *detail_out = nullptr;
    if (!detail || !*detail)
        return;
    size_t n = std::strlen(detail) + 1;
    if (char *p = static_cast<char *>(std::malloc(n))) {
        std::memcpy(p, detail, n);
        *detail_out = p;
    }
}

} // namespace

/* ------------------------------------------------------------------------ */
/* Statuses and memory                                                       */

extern "C" const char *kx_status_to_string(kx_status_t status) KX_NOEXCEPT
{
    long long v = raw_enum(status);
    if (v < 0 || v >= KX_STATUS_LAST)
        return "unknown status";
    /* In range now, so the value may be used as the enum; -Wswitch checks
     * that every status has its text. */
    switch (static_cast<kx_status_t>(v)) {
    case KX_OK: return "success";
    case KX_NOT_FOUND: return "no database found at that path";
    case KX_LOCKED: return "the database is locked by another writer";
    case KX_CORRUPT: return "the database is corrupt";
    case KX_MODIFIED: return "the database was modified during the read; reopen and retry";
    case KX_SCHEMA_MISMATCH: return "the database schema version does not match";
    case KX_INVALID_ARGUMENT: return "invalid argument";
    case KX_NO_SUCH_DOC: return "no such document";
    case KX_NO_MEMORY: return "out of memory";
    case KX_XAPIAN_ERROR: return "Xapian error";
    case KX_INTERNAL_ERROR: return "internal error";
    case KX_WRITE_FAILED: return "the system refused to write the database";
    case KX_STATUS_LAST: break;
    }
    return "unknown status";
}

extern "C" void kx_free(void *p) KX_NOEXCEPT
{
    std::free(p);
}

/* ------------------------------------------------------------------------ */
/* Databases                                                                 */

extern "C" kx_status_t kx_db_open(const char *path, kx_open_mode_t mode,
                                  kx_db_t **db_out, char **detail_out) KX_NOEXCEPT
{
    std::string detail;
    if (detail_out)
        *detail_out = nullptr;
    if (!db_out) {
        give_detail("db_out is NULL", detail_out);
        return KX_INVALID_ARGUMENT;
    }
    *db_out = nullptr;
    std::unique_ptr<kx_db> db;
    kx_status_t st = guarded(&detail, [&]() -> kx_status_t {
        if (!path)
            return reject(&detail, "path is NULL");
        if (!*path)
            return reject(&detail, "path is empty");
        db.reset(new kx_db);
        switch (raw_enum(mode)) {
        case KX_OPEN_READ:
            db->db = open_reader(path);
            return KX_OK;
        case KX_OPEN_WRITE:
        case KX_OPEN_OVERWRITE:
        case KX_OPEN_SCRATCH: {
            if (std::strncmp(path, kTcpPrefix, sizeof kTcpPrefix - 1) == 0)
                return reject(&detail, "remote databases can only be opened for reading");
            int flags = raw_enum(mode) == KX_OPEN_WRITE ? Xapian::DB_CREATE_OR_OPEN
                                              : Xapian::DB_CREATE_OR_OVERWRITE;
            if (raw_enum(mode) == KX_OPEN_SCRATCH)
                flags |= Xapian::DB_NO_SYNC;
            db->wdb = Xapian::WritableDatabase(path, flags);
            db->writable = true;
            return KX_OK;
        }
        }
        return reject(&detail, "unknown open mode");
    });
    if (st != KX_OK) {
        give_detail(detail.c_str(), detail_out);
        return st;
    }
    *db_out = db.release();
    return KX_OK;
}

extern "C" kx_status_t kx_db_open_multi(const char *const *paths, size_t n_paths,
                                        kx_db_t **db_out, char **detail_out) KX_NOEXCEPT
{
    std::string detail;
    if (detail_out)
        *detail_out = nullptr;
    if (!db_out) {
        give_detail("db_out is NULL", detail_out);
        return KX_INVALID_ARGUMENT;
    }
    *db_out = nullptr;
    std::unique_ptr<kx_db> db;
    const char *current = nullptr;
    kx_status_t st = guarded(&detail, [&]() -> kx_status_t {
        if (!paths)
            return reject(&detail, "paths is NULL");
        if (n_paths == 0)
            return reject(&detail, "no database paths given");
        db.reset(new kx_db);
        for (size_t i = 0; i < n_paths; i++) {
            current = paths[i];
            if (!current || !*current)
                return reject(&detail, "a database path is NULL or empty");
            db->db.add_database(open_reader(current));
        }
        current = nullptr;
        return KX_OK;
    });
    if (st != KX_OK) {
        /* Say which of the databases failed. */
        if (current) {
            try {
                detail = std::string(current) + ": " + detail;
            } catch (...) {
            }
        }
        give_detail(detail.c_str(), detail_out);
        return st;
    }
    *db_out = db.release();
    return KX_OK;
}

extern "C" kx_status_t kx_db_compact(const char *src, const char *dst,
                                     char **detail_out) KX_NOEXCEPT
{
    std::string detail;
    if (detail_out)
        *detail_out = nullptr;
    kx_status_t st = guarded(&detail, [&]() -> kx_status_t {
        if (!src || !*src || !dst || !*dst)
            return reject(&detail, "a database path is NULL or empty");
        if (std::strncmp(src, kTcpPrefix, sizeof kTcpPrefix - 1) == 0 ||
            std::strncmp(dst, kTcpPrefix, sizeof kTcpPrefix - 1) == 0)
            return reject(&detail, "remote databases cannot be compacted here");
        struct stat sb;
        if (::stat(dst, &sb) == 0)
            return reject(&detail, "the destination exists already");
        Xapian::Database db = open_reader(src);
        db.compact(dst);
        return KX_OK;
    });
    if (st != KX_OK)
        give_detail(detail.c_str(), detail_out);
    return st;
}

extern "C" kx_status_t kx_db_compact_many(const char *const *srcs, size_t n, const char *dst,
                                          int fuller, char **detail_out) KX_NOEXCEPT
{
    std::string detail;
    if (detail_out)
        *detail_out = nullptr;
    kx_status_t st = guarded(&detail, [&]() -> kx_status_t {
        if (!srcs || n == 0 || !dst || !*dst)
            return reject(&detail, "no sources, or the destination is NULL or empty");
        if (std::strncmp(dst, kTcpPrefix, sizeof kTcpPrefix - 1) == 0)
            return reject(&detail, "remote databases cannot be compacted here");
        for (size_t i = 0; i < n; i++)
            if (!srcs[i] || !*srcs[i] ||
                std::strncmp(srcs[i], kTcpPrefix, sizeof kTcpPrefix - 1) == 0)
                return reject(&detail, "a source is NULL, empty or remote");
        struct stat sb;
        if (::stat(dst, &sb) == 0)
            return reject(&detail, "the destination exists already");
        Xapian::Database db;
        for (size_t i = 0; i < n; i++)
            db.add_database(open_reader(srcs[i]));
        db.compact(dst, fuller ? Xapian::Compactor::FULLER : Xapian::Compactor::STANDARD);
        return KX_OK;
    });
    if (st != KX_OK)
        give_detail(detail.c_str(), detail_out);
    return st;
}

extern "C" char *kx_db_find_damage(const char *path) KX_NOEXCEPT
{
    if (!path || std::strncmp(path, kTcpPrefix, sizeof kTcpPrefix - 1) == 0)
        return nullptr;
    /* Glass's tables, most used first; each is checked on its own, so the
     * first that fails is the file Xapian complained of. */
    static const char *const tables[] = { "postlist", "docdata", "termlist", "position",
                                          "spelling", "synonym" };
    for (const char *t : tables) {
        std::string detail;
        try {
            std::string file = std::string(path) + "/" + t + ".glass";
            struct stat sb;
            if (::stat(file.c_str(), &sb) != 0)
                continue;
            kx_status_t st = guarded(&detail, [&]() -> kx_status_t {
                size_t errors = Xapian::Database::check(file, 0, nullptr);
                if (errors)
                    note(&detail, "inconsistent structure");
                return errors ? KX_CORRUPT : KX_OK;
            });
            if (st == KX_OK)
                continue;
            std::string out = file + ": " + detail;
            char *p = static_cast<char *>(std::malloc(out.size() + 1));
            if (p)
                std::memcpy(p, out.c_str(), out.size() + 1);
            return p;
        } catch (...) {
            return nullptr;
        }
    }
    return nullptr;
}

extern "C" void kx_db_close(kx_db_t *db) KX_NOEXCEPT
{
    if (!db)
        return;
    (void)guarded(nullptr, [&]() -> kx_status_t {
        if (db->writable)
            db->wdb.close();   /* commits unless a transaction is open */
        return KX_OK;
    });
    delete db;
}

extern "C" const char *kx_db_last_error(const kx_db_t *db) KX_NOEXCEPT
{
    return db ? db->last_error.c_str() : "";
}

extern "C" kx_status_t kx_db_reopen(kx_db_t *db) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        db->reader().reopen();
        return KX_OK;
    });
}

/* The four writer-only operations share their shape. */
template <typename Op>
static kx_status_t writer_op(kx_db_t *db, Op &&op) noexcept
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        op(db->wdb);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_commit(kx_db_t *db) KX_NOEXCEPT
{
    return writer_op(db, [](Xapian::WritableDatabase &w) { w.commit(); });
}

extern "C" kx_status_t kx_db_begin_transaction(kx_db_t *db) KX_NOEXCEPT
{
    return writer_op(db, [](Xapian::WritableDatabase &w) { w.begin_transaction(true); });
}

extern "C" kx_status_t kx_db_begin_group(kx_db_t *db) KX_NOEXCEPT
{
    return writer_op(db, [](Xapian::WritableDatabase &w) { w.begin_transaction(false); });
}

extern "C" kx_status_t kx_db_commit_transaction(kx_db_t *db) KX_NOEXCEPT
{
    return writer_op(db, [](Xapian::WritableDatabase &w) { w.commit_transaction(); });
}

extern "C" kx_status_t kx_db_cancel_transaction(kx_db_t *db) KX_NOEXCEPT
{
    return writer_op(db, [](Xapian::WritableDatabase &w) { w.cancel_transaction(); });
}

extern "C" kx_status_t kx_db_get_metadata(kx_db_t *db, const char *key, char **value_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    if (value_out)
        *value_out = nullptr;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!key || !value_out)
            return reject(&db->last_error, "key or value_out is NULL");
        *value_out = dup_malloc(db->reader().get_metadata(key));
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_set_metadata(kx_db_t *db, const char *key, const char *value) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!key || !value)
            return reject(&db->last_error, "key or value is NULL");
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        db->wdb.set_metadata(key, value);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_metadata_keys(kx_db_t *db, const char *prefix,
                                           int (*cb)(void *ctx, const char *key),
                                           void *ctx) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!prefix || !cb)
            return reject(&db->last_error, "prefix or callback is NULL");
        Xapian::Database &r = db->reader();
        for (auto it = r.metadata_keys_begin(prefix); it != r.metadata_keys_end(prefix); ++it) {
            if (cb(ctx, (*it).c_str()) != 0)
                break;
        }
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_check_schema(kx_db_t *db, const char *key, const char *expected) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!key || !expected)
            return reject(&db->last_error, "key or expected is NULL");
        Xapian::Database &r = db->reader();
        std::string stored = r.get_metadata(key);
        if (stored == expected)
            return KX_OK;
        if (stored.empty()) {
            if (r.get_doccount() == 0) {
                /* A fresh database takes the expected schema; it becomes
                 * durable with the caller's next commit. */
                if (db->writable)
                    db->wdb.set_metadata(key, expected);
                return KX_OK;
            }
            db->last_error = std::string("schema mismatch: database has documents but no '") + key +
                             "' (expected version '" + expected + "')";
            return KX_SCHEMA_MISMATCH;
        }
        db->last_error = std::string("schema mismatch: database has ") + key + " '" + stored +
                         "', expected '" + expected + "'";
        return KX_SCHEMA_MISMATCH;
    });
}

extern "C" kx_status_t kx_db_stats(kx_db_t *db, kx_db_stats_t *out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!out)
            return reject(&db->last_error, "out is NULL");
        Xapian::Database &r = db->reader();
        kx_db_stats_t s;
        s.doc_count = r.get_doccount();
        s.last_docid = r.get_lastdocid();
        s.avg_length = r.get_avlength();
        s.total_length = r.get_total_length();
        *out = s;
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_term_freq(kx_db_t *db, const char *term, unsigned *freq_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!term || !*term || !freq_out)
            return reject(&db->last_error, "term is NULL or empty, or freq_out is NULL");
        *freq_out = db->reader().get_termfreq(term);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_all_terms(kx_db_t *db, const char *prefix,
                                       int (*cb)(void *ctx, const char *term, size_t len,
                                                 unsigned termfreq),
                                       void *ctx) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!prefix || !cb)
            return reject(&db->last_error, "prefix or callback is NULL");
        Xapian::Database &r = db->reader();
        for (auto it = r.allterms_begin(prefix); it != r.allterms_end(prefix); ++it) {
            const std::string &term = *it;
            if (cb(ctx, term.c_str(), term.size(), it.get_termfreq()) != 0)
                break;
        }
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_postings(kx_db_t *db, const char *term,
                                      int (*cb)(void *ctx, unsigned docid), void *ctx) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!term || !cb)
            return reject(&db->last_error, "term or callback is NULL");
        Xapian::Database &r = db->reader();
        for (auto it = r.postlist_begin(term); it != r.postlist_end(term); ++it) {
            if (cb(ctx, *it) != 0)
                break;
        }
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_get_data(kx_db_t *db, unsigned docid, char **data_out,
                                      size_t *len_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    if (data_out)
        *data_out = nullptr;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!data_out)
            return reject(&db->last_error, "data_out is NULL");
        std::string data = db->reader().get_document(docid).get_data();
        *data_out = dup_malloc(data);
        if (len_out)
            *len_out = data.size();
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_get_value(kx_db_t *db, unsigned docid, unsigned slot,
                                       char **value_out, size_t *len_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    if (value_out)
        *value_out = nullptr;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!value_out)
            return reject(&db->last_error, "value_out is NULL");
        std::string value = db->reader().get_document(docid).get_value(slot);
        *value_out = dup_malloc(value);
        if (len_out)
            *len_out = value.size();
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_add_synonym(kx_db_t *db, const char *term, const char *synonym) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!term || !*term || !synonym || !*synonym)
            return reject(&db->last_error, "term or synonym is NULL or empty");
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        db->wdb.add_synonym(term, synonym);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_clear_synonyms(kx_db_t *db, const char *term) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!term || !*term)
            return reject(&db->last_error, "term is NULL or empty");
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        db->wdb.clear_synonyms(term);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_synonyms(kx_db_t *db, const char *term,
                                      int (*cb)(void *ctx, const char *synonym), void *ctx) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!term || !*term || !cb)
            return reject(&db->last_error, "term is NULL or empty, or callback is NULL");
        Xapian::Database &r = db->reader();
        for (auto it = r.synonyms_begin(term); it != r.synonyms_end(term); ++it) {
            if (cb(ctx, (*it).c_str()) != 0)
                break;
        }
        return KX_OK;
    });
}

/* ------------------------------------------------------------------------ */
/* Documents being built                                                     */

extern "C" kx_status_t kx_doc_new(kx_doc_t **doc_out) KX_NOEXCEPT
{
    if (!doc_out)
        return KX_INVALID_ARGUMENT;
    *doc_out = nullptr;
    return guarded(nullptr, [&]() -> kx_status_t {
        *doc_out = new kx_doc;
        return KX_OK;
    });
}

extern "C" void kx_doc_free(kx_doc_t *doc) KX_NOEXCEPT
{
    delete doc;
}

extern "C" kx_status_t kx_doc_add_posting(kx_doc_t *doc, const char *term, unsigned pos,
                                          unsigned wdf_inc) KX_NOEXCEPT
{
    if (!doc || bad_term(term))
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        doc->doc.add_posting(term, pos, wdf_inc);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_add_term(kx_doc_t *doc, const char *term, unsigned wdf_inc) KX_NOEXCEPT
{
    if (!doc || bad_term(term))
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        doc->doc.add_term(term, wdf_inc);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_add_boolean_term(kx_doc_t *doc, const char *term) KX_NOEXCEPT
{
    if (!doc || bad_term(term))
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        doc->doc.add_boolean_term(term);
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_set_value(kx_doc_t *doc, unsigned slot, const char *value,
                                        size_t len) KX_NOEXCEPT
{
    if (!doc || (!value && len != 0) || slot == Xapian::BAD_VALUENO)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        doc->doc.add_value(slot, value ? std::string(value, len) : std::string());
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_set_data(kx_doc_t *doc, const char *data, size_t len) KX_NOEXCEPT
{
    if (!doc || (!data && len != 0))
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        doc->doc.set_data(data ? std::string(data, len) : std::string());
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_get_data(const kx_doc_t *doc, char **data_out,
                                       size_t *len_out) KX_NOEXCEPT
{
    if (!doc || !data_out || !len_out)
        return KX_INVALID_ARGUMENT;
    *data_out = nullptr;
    *len_out = 0;
    return guarded(nullptr, [&]() -> kx_status_t {
        std::string data = doc->doc.get_data();
        *data_out = dup_malloc(data);
        *len_out = data.size();
        return KX_OK;
    });
}

extern "C" kx_status_t kx_doc_terms(const kx_doc_t *doc,
                                    int (*cb)(void *ctx, const char *term, size_t len,
                                              unsigned wdf, unsigned n_positions),
                                    void *ctx) KX_NOEXCEPT
{
    if (!doc || !cb)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        for (auto it = doc->doc.termlist_begin(); it != doc->doc.termlist_end(); ++it) {
            const std::string term = *it;
            if (cb(ctx, term.c_str(), term.size(), it.get_wdf(), it.positionlist_count()) != 0)
                break;
        }
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_replace_by_term(kx_db_t *db, const char *unique_term,
                                             const kx_doc_t *doc, unsigned *docid_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!doc)
            return reject(&db->last_error, "doc is NULL");
        /* An empty unique term would name every document in the database. */
        if (const char *why = bad_term(unique_term))
            return reject(&db->last_error, why);
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        Xapian::docid id = db->wdb.replace_document(unique_term, doc->doc);
        if (docid_out)
            *docid_out = id;
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_add_document(kx_db_t *db, const kx_doc_t *doc, unsigned *docid_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!doc)
            return reject(&db->last_error, "doc is NULL");
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        Xapian::docid id = db->wdb.add_document(doc->doc);
        if (docid_out)
            *docid_out = id;
        return KX_OK;
    });
}

extern "C" kx_status_t kx_db_delete_by_term(kx_db_t *db, const char *term) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        /* An empty term would delete every document. */
        if (const char *why = bad_term(term))
            return reject(&db->last_error, why);
        kx_status_t st = need_writable(db);
        if (st != KX_OK)
            return st;
        db->wdb.delete_document(term);
        return KX_OK;
    });
}

/* ------------------------------------------------------------------------ */
/* Queries                                                                   */

namespace {

/* Wrap a finished Xapian query in a new handle. */
kx_status_t make_query(Xapian::Query q, kx_query_t **out)
{
    *out = new kx_query{std::move(q)};
    return KX_OK;
}

} // namespace

extern "C" kx_status_t kx_query_term(const char *term, unsigned wqf, unsigned pos,
                                     kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    /* Xapian reads an empty term as "match everything"; say so explicitly instead. */
    if (!term || !*term)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        return make_query(Xapian::Query(term, wqf, pos), out);
    });
}

extern "C" kx_status_t kx_query_combine(kx_query_op_t op, kx_query_t *const *subs, size_t n_subs,
                                        unsigned window, kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    long long raw_op = raw_enum(op);
    if ((!subs && n_subs != 0) || raw_op < 0 || raw_op >= KX_OP_LAST)
        return KX_INVALID_ARGUMENT;
    for (size_t i = 0; i < n_subs; i++)
        if (!subs[i])
            return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        Xapian::Query::op xop = Xapian::Query::OP_AND;
        switch (raw_op) {
        case KX_OP_AND: xop = Xapian::Query::OP_AND; break;
        case KX_OP_OR: xop = Xapian::Query::OP_OR; break;
        case KX_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
        case KX_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
        case KX_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case KX_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
        case KX_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
        case KX_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
        default: return KX_INVALID_ARGUMENT;
        }
        std::vector<Xapian::Query> parts;
        parts.reserve(n_subs);
        for (size_t i = 0; i < n_subs; i++)
            parts.push_back(subs[i]->query);
        /* The window only means something to the positional operators. */
        Xapian::termcount param = (raw_op == KX_OP_PHRASE || raw_op == KX_OP_NEAR) ? window : 0;
        return make_query(Xapian::Query(xop, parts.begin(), parts.end(), param), out);
    });
}

extern "C" kx_status_t kx_query_scale(const kx_query_t *q, double factor, kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    if (!q || !std::isfinite(factor) || factor < 0)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        return make_query(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->query, factor), out);
    });
}

extern "C" kx_status_t kx_query_wildcard(const char *prefix, unsigned max_expansion,
                                         kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    /* An empty prefix would expand to every term in the database. */
    if (!prefix || !*prefix)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        /* Xapian 1.4 keeps the 0 most frequent terms when told "most frequent"
         * with a limit of 0, so "no limit" has to be asked for with the other
         * mode, which reads 0 as unlimited (measured on 1.4.22). */
        int flags = max_expansion == 0 ? Xapian::Query::WILDCARD_LIMIT_ERROR
                                       : Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT;
        return make_query(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion, flags,
                                        Xapian::Query::OP_SYNONYM),
                          out);
    });
}

extern "C" kx_status_t kx_query_value_range(unsigned slot, const char *lo, const char *hi,
                                            kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    if (!lo || !hi || slot == Xapian::BAD_VALUENO)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        return make_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi), out);
    });
}

extern "C" kx_status_t kx_query_match_all(kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    return guarded(nullptr, [&]() -> kx_status_t { return make_query(Xapian::Query::MatchAll, out); });
}

extern "C" kx_status_t kx_query_match_nothing(kx_query_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    return guarded(nullptr, [&]() -> kx_status_t { return make_query(Xapian::Query::MatchNothing, out); });
}

extern "C" char *kx_query_describe(const kx_query_t *q) KX_NOEXCEPT
{
    if (!q)
        return nullptr;
    char *text = nullptr;
    (void)guarded(nullptr, [&]() -> kx_status_t {
        text = dup_malloc(q->query.get_description());
        return KX_OK;
    });
    return text;
}

extern "C" void kx_query_free(kx_query_t *q) KX_NOEXCEPT
{
    delete q;
}

/* ------------------------------------------------------------------------ */
/* Searching                                                                 */

extern "C" kx_status_t kx_search(kx_db_t *db, const kx_query_t *q, const kx_bm25_t *bm25,
                                 unsigned offset, unsigned limit, kx_mset_t **mset_out) KX_NOEXCEPT
{
    return kx_search_timed(db, q, bm25, offset, limit, 0.0, mset_out);
}

extern "C" kx_status_t kx_search_timed(kx_db_t *db, const kx_query_t *q, const kx_bm25_t *bm25,
                                       unsigned offset, unsigned limit, double time_limit,
                                       kx_mset_t **mset_out) KX_NOEXCEPT
{
    if (!db)
        return KX_INVALID_ARGUMENT;
    if (mset_out)
        *mset_out = nullptr;
    return guarded(&db->last_error, [&]() -> kx_status_t {
        if (!q || !mset_out)
            return reject(&db->last_error, "query or mset_out is NULL");
        if (!std::isfinite(time_limit) || time_limit < 0)
            return reject(&db->last_error, "the time limit must be finite and >= 0");
        kx_bm25_t p = bm25 ? *bm25 : kx_bm25_t{1, 0, 1, 0.5, 0.5};
        for (double v : {p.k1, p.k2, p.k3, p.b, p.min_normlen})
            if (!std::isfinite(v) || v < 0)
                return reject(&db->last_error, "BM25 parameters must be finite and >= 0");
        if (p.b > 1)
            return reject(&db->last_error, "BM25 parameter b must lie in [0, 1]");
        std::unique_ptr<kx_mset> m(new kx_mset(db, db->reader()));
        m->enquire.set_query(q->query);
        m->enquire.set_weighting_scheme(Xapian::BM25Weight(p.k1, p.k2, p.k3, p.b, p.min_normlen));
        /* Past the limit Xapian stops counting matches beyond the hits asked
         * for (its check_at_least); the hits themselves are still the best. */
        if (time_limit > 0)
            m->enquire.set_time_limit(time_limit);
        /* Check at least KX_CHECK_AT_LEAST matches, so that a count below
         * it is exact, not Xapian's estimate. */
        Xapian::doccount check = offset + limit;
        if (check < KX_CHECK_AT_LEAST)
            check = KX_CHECK_AT_LEAST;
        auto t0 = std::chrono::steady_clock::now();
        m->mset = m->enquire.get_mset(offset, limit, check);
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - t0;
        /* Xapian does not say whether its timer fired: the match's own
         * duration does. */
        m->timed_out = time_limit > 0 && took.count() >= time_limit;
        m->data.resize(m->mset.size());
        m->fetched.assign(m->mset.size(), false);
        *mset_out = m.release();
        return KX_OK;
    });
}

extern "C" int kx_mset_timed_out(const kx_mset_t *mset) KX_NOEXCEPT
{
    return mset && mset->timed_out ? 1 : 0;
}

extern "C" unsigned kx_mset_size(const kx_mset_t *mset) KX_NOEXCEPT
{
    return mset ? mset->mset.size() : 0;
}

extern "C" unsigned kx_mset_estimate(const kx_mset_t *mset) KX_NOEXCEPT
{
    return mset ? mset->mset.get_matches_estimated() : 0;
}

extern "C" void kx_mset_bounds(const kx_mset_t *mset, unsigned *lower, unsigned *estimate,
                               unsigned *upper) KX_NOEXCEPT
{
    unsigned lo = 0, est = 0, up = 0;
    if (mset) {
        lo = mset->mset.get_matches_lower_bound();
        est = mset->mset.get_matches_estimated();
        up = mset->mset.get_matches_upper_bound();
    }
    if (lower)
        *lower = lo;
    if (estimate)
        *estimate = est;
    if (upper)
        *upper = up;
}

extern "C" unsigned kx_db_shard_count(const kx_db_t *db) KX_NOEXCEPT
{
    if (!db)
        return 0;
    try {
        return (unsigned)const_cast<kx_db_t *>(db)->reader().size();
    } catch (...) {
        return 0;
    }
}

extern "C" kx_status_t kx_mset_hit(kx_mset_t *mset, unsigned i, kx_hit_t *hit_out) KX_NOEXCEPT
{
    if (!mset)
        return KX_INVALID_ARGUMENT;
    return guarded(&mset->db->last_error, [&]() -> kx_status_t {
        if (!hit_out)
            return reject(&mset->db->last_error, "hit_out is NULL");
        if (i >= mset->mset.size())
            return reject(&mset->db->last_error, "hit index out of range");
        Xapian::MSetIterator it = mset->mset[i];
        if (!mset->fetched[i]) {
            mset->data[i] = it.get_document().get_data();
            mset->fetched[i] = true;
        }
        kx_hit_t h;
        h.docid = *it;
        h.rank = it.get_rank();
        h.weight = it.get_weight();
        h.percent = it.get_percent();
        h.data = mset->data[i].c_str();
        h.data_len = mset->data[i].size();
        *hit_out = h;
        return KX_OK;
    });
}

static void read_qterms(kx_mset *mset)
{
    if (!mset->qterms_read) {
        const Xapian::Query &query = mset->enquire.get_query();
        mset->qterms.assign(query.get_unique_terms_begin(), query.get_unique_terms_end());
        mset->qterms_read = true;
    }
}

extern "C" kx_status_t kx_mset_matching_terms(kx_mset_t *mset, unsigned i,
                                              int (*cb)(void *ctx, const char *term, size_t len),
                                              void *ctx) KX_NOEXCEPT
{
    if (!mset)
        return KX_INVALID_ARGUMENT;
    return guarded(&mset->db->last_error, [&]() -> kx_status_t {
        if (!cb)
            return reject(&mset->db->last_error, "callback is NULL");
        if (i >= mset->mset.size())
            return reject(&mset->db->last_error, "hit index out of range");
        /* Enquire::get_matching_terms builds a map of the query's terms and
         * copies every term of the document for each hit; the same set comes
         * from walking the document's sorted termlist beside the query's
         * sorted distinct terms, read once per mset. */
        read_qterms(mset);
        const std::vector<std::string> &qt = mset->qterms;
        if (qt.empty())
            return KX_OK;
        if (i < mset->hit_known.size() && mset->hit_known[i]) {
            for (unsigned q : mset->hit_qterms[i])
                if (cb(ctx, qt[q].c_str(), qt[q].size()) != 0)
                    break;
            return KX_OK;
        }
        Xapian::Database &r = mset->db->reader();
        Xapian::docid did = *mset->mset[i];
        Xapian::TermIterator it = r.termlist_begin(did), end = r.termlist_end(did);
        size_t k = 0;
        it.skip_to(qt[0]);
        while (it != end && k < qt.size()) {
            const std::string &term = *it;
            int c = term.compare(qt[k]);
            if (c < 0) {
                it.skip_to(qt[k]);
            } else if (c > 0) {
                /* Past query term k: move to the first query term >= term. */
                k = std::lower_bound(qt.begin() + (std::ptrdiff_t)k, qt.end(), term) - qt.begin();
            } else {
                if (cb(ctx, term.c_str(), term.size()) != 0)
                    break;
                k++;
                if (k < qt.size())
                    it.skip_to(qt[k]);
            }
        }
        return KX_OK;
    });
}

extern "C" kx_status_t kx_mset_hit_has_terms(kx_mset_t *mset, unsigned i,
                                             const char *const *terms, size_t n,
                                             unsigned char *found, double *weight_out) KX_NOEXCEPT
{
    if (!mset)
        return KX_INVALID_ARGUMENT;
    return guarded(&mset->db->last_error, [&]() -> kx_status_t {
        if ((!terms || !found) && n > 0)
            return reject(&mset->db->last_error, "terms or found is NULL");
        if (i >= mset->mset.size())
            return reject(&mset->db->last_error, "hit index out of range");
        Xapian::MSetIterator hit = mset->mset[i];
        if (weight_out)
            *weight_out = hit.get_weight();
        if (n == 0)
            return KX_OK;
        read_qterms(mset);
        if (mset->probes_of != terms || mset->probes_n != n) {
            /* The sorted union of terms[0..n) and the query's terms. */
            const std::vector<std::string> &qt = mset->qterms;
            std::vector<kx_mset::probe> &pr = mset->probes;
            pr.clear();
            size_t a = 0, b = 0;
            while (a < n || b < qt.size()) {
                int c;   /* < 0: terms[a] first; > 0: qt[b] first; 0: the same term */
                if (a == n)
                    c = 1;
                else if (b == qt.size())
                    c = -1;
                else
                    c = -qt[b].compare(terms[a]);
                if (c < 0)
                    pr.push_back({terms[a], (long)a++, -1});
                else if (c > 0)
                    pr.push_back({qt[b], -1, (long)b++});
                else
                    pr.push_back({qt[b], (long)a++, (long)b++});
            }
            mset->probes_of = terms;
            mset->probes_n = n;
        }
        if (mset->hit_known.size() < mset->mset.size()) {
            mset->hit_known.resize(mset->mset.size(), false);
            mset->hit_qterms.resize(mset->mset.size());
        }
        std::vector<unsigned> &held = mset->hit_qterms[i];
        held.clear();
        const std::vector<kx_mset::probe> &pr = mset->probes;
        Xapian::docid did = *hit;
        Xapian::Database &db = mset->db->reader();
        Xapian::TermIterator it = db.termlist_begin(did), end = db.termlist_end(did);
        size_t k = 0;
        while (it != end && k < pr.size()) {
            int c = (*it).compare(pr[k].term);
            if (c == 0) {
                if (pr[k].caller >= 0)
                    found[pr[k].caller] = 1;
                if (pr[k].query >= 0)
                    held.push_back((unsigned)pr[k].query);
                k++;
                ++it;
            } else if (c < 0) {
                it.skip_to(pr[k].term);
            } else {
                k++;
            }
        }
        mset->hit_known[i] = true;
        return KX_OK;
    });
}

extern "C" void kx_mset_free(kx_mset_t *mset) KX_NOEXCEPT
{
    delete mset;
}

/* ------------------------------------------------------------------------ */
/* Stemmers                                                                  */

extern "C" kx_status_t kx_stemmer_new(const char *lang, kx_stemmer_t **out) KX_NOEXCEPT
{
    if (!out)
        return KX_INVALID_ARGUMENT;
    *out = nullptr;
    /* Xapian reads "" as "no stemming"; a caller passing "" has lost its language. */
    if (!lang || !*lang)
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        *out = new kx_stemmer{Xapian::Stem(lang)};
        return KX_OK;
    });
}

extern "C" kx_status_t kx_stemmer_stem(kx_stemmer_t *st, const char *word, size_t len,
                                       char *buf, size_t cap, size_t *out_len) KX_NOEXCEPT
{
    if (!st || !word || !out_len || (!buf && cap != 0))
        return KX_INVALID_ARGUMENT;
    return guarded(nullptr, [&]() -> kx_status_t {
        std::string stem = st->stem(std::string(word, len));
        *out_len = stem.size();
        if (stem.size() >= cap) {
            if (cap > 0)
                buf[0] = '\0';
            return KX_INVALID_ARGUMENT;
        }
        std::memcpy(buf, stem.data(), stem.size());
        buf[stem.size()] = '\0';
        return KX_OK;
    });
}

extern "C" void kx_stemmer_free(kx_stemmer_t *st) KX_NOEXCEPT
{
    delete st;
}

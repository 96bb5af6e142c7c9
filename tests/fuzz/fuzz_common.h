/*
 * fuzz_common.h - what every fuzz harness of tests/fuzz shares: the libFuzzer
 * entry points, invariant checks that abort with a message (so that libFuzzer
 * and the regression driver both report them as crashes), and the checks of
 * analyzer tokens and parsed documents used by several harnesses.
 *
 * A harness is one file defining LLVMFuzzerTestOneInput (and optionally
 * LLVMFuzzerInitialize). Built with KAVOSH_FUZZ=ON it links libFuzzer; in
 * every build it also links driver.c, whose main() runs it over files, and
 * ctest runs that over the seed corpus and tests/fuzz/regressions/NAME.
 */
#ifndef KAVOSH_FUZZ_COMMON_H
#define KAVOSH_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "document.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with "fuzz invariant failed: WHAT (file:line)" unless cond holds. */
#define FZ_CHECK(cond, what)                                                              \
    do {                                                                                  \
        if (!(cond))                                                                      \
            fz_fail(__FILE__, __LINE__, (what));                                          \
    } while (0)

void fz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* Whether s[0..n) is valid UTF-8 without NUL bytes. */
int fz_utf8(const char *s, size_t n);
/* Whether s is NULL or a valid UTF-8 C string. */
int fz_cstr(const char *s);

/* One analyzer for the whole process (created on first use; aborts if it
 * cannot be). */
ka_analyzer_t *fz_analyzer(void);

/* Analyse text[0..len) in mode and check every token: term and stem valid
 * UTF-8 and within Xapian's term limit, offsets inside the input and in
 * order, positions from 1 and increasing. Returns the number of tokens and
 * a hash of those not KA_TOK_JOINED in *hash (may be NULL), to compare two
 * runs. */
size_t fz_check_analyze(ka_analyzer_t *an, ka_mode_t mode, const char *text, size_t len,
                        uint64_t *hash);

/* Whether s[0..n) holds no control character a terminal acts on: no C0
 * control but TAB and LF, no DEL, no C1 control (U+0080..U+009F). */
int fz_clean(const char *s, size_t n);

/* Check the invariants of a document kd_parse made in format (its line
 * numbers: from 1 in the text formats, 0 allowed in PDF, DOCX, ODT, EPUB)
 * named name: strings valid UTF-8, no control characters in any text,
 * ordinals, ids, offsets of glosses and citations inside their passage,
 * indexes of sources and passages in range; then analyse every passage as
 * the indexer does. */
void fz_check_document(ka_analyzer_t *an, const kd_document_t *doc, const char *name,
                       kd_format_t format);

/* A zip made of a text description, so that the fuzzer can reach the XML of
 * DOCX, ODT and EPUB files without forging CRCs: when data starts with
 * "@@ ", every line "@@ NAME" starts an entry named NAME whose content runs
 * up to the next such line (the newline before it excluded). Returns the
 * zip (stored, malloc'd, *len its size), or NULL when data is not such a
 * description (it is then read as the zip itself). At most 64 entries. */
unsigned char *fz_zip_of(const uint8_t *data, size_t size, size_t *len);

/* kd_parse of data in format, through fz_zip_of for DOCX, ODT and EPUB;
 * checks the document (fz_check_document), hands it to then (when not NULL)
 * and frees it. With FZ_VERBOSE set in the environment, says on stderr how
 * many passages it had. */
void fz_parse_check(kd_format_t format, const uint8_t *data, size_t size,
                    void (*then)(ka_analyzer_t *an, const kd_document_t *doc));

#endif /* KAVOSH_FUZZ_COMMON_H */

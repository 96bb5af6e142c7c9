/*
 * utf8.h - decoding UTF-8 without trusting the bytes, and the few code point
 * classes the document parser and the indexer need (indexer/common).
 * Normalization proper belongs to the analyzer (ka_fold).
 */
#ifndef KAVOSH_UTF8_H
#define KAVOSH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decode one code point at s[0..n); sets *cp and returns its length (>= 1).
 * Invalid or truncated sequences decode as U+FFFD of length 1. */
size_t kd_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* The code point ending just before s[end]; returns its start offset. */
size_t kd_utf8_prev(const char *s, size_t end, uint32_t *cp);
/* A copy of buf with invalid UTF-8 and NUL bytes replaced by U+FFFD. */
char  *kd_utf8_sanitize(const char *buf, size_t len, size_t *out_len);
int    kd_cp_digit(uint32_t cp);          /* 0-9 for ASCII, Persian and Arabic-Indic digits, else -1 */
int    kd_cp_is_letter(uint32_t cp);      /* Latin, Cyrillic or Arabic-script letter */
int    kd_cp_is_space(uint32_t cp);       /* ASCII white space, NBSP, ZWSP-like breaks */
size_t kd_count_words(const char *s, size_t n);  /* runs of bytes between spaces and newlines */
/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one. */
size_t ki_utf8_seq(const unsigned char *s, size_t n);
/* The offset of the first byte of s[0..n) that is not valid UTF-8 (or is
 * NUL), or n if there is none. */
size_t ki_utf8_check(const char *s, size_t n);

#endif /* KAVOSH_UTF8_H */

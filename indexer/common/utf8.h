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

/* Arabic-script punctuation that Persian text uses where Latin text has ','
 * and ';': U+060C ARABIC COMMA and U+061B ARABIC SEMICOLON, two bytes each
 * in UTF-8. kd_ar_punct_at() says which one starts s[0..n) (0 if neither);
 * kd_ar_punct_before() which one ends s[0..end). */
#define KD_CP_AR_COMMA     0x060Cu
#define KD_CP_AR_SEMICOLON 0x061Bu
#define KD_AR_PUNCT_LEN    2u
static inline uint32_t kd_ar_punct_at(const char *s, size_t n)
{
    if (n < 2 || (unsigned char)s[0] != 0xD8)
        return 0;
    if ((unsigned char)s[1] == 0x8C)
        return KD_CP_AR_COMMA;
    if ((unsigned char)s[1] == 0x9B)
        return KD_CP_AR_SEMICOLON;
    return 0;
}
static inline uint32_t kd_ar_punct_before(const char *s, size_t end)
{
    return end >= 2 ? kd_ar_punct_at(s + end - 2, 2) : 0;
}
/* Which Arabic-script sentence end, U+061F ARABIC QUESTION MARK or U+06D4
 * ARABIC FULL STOP (two bytes each), ends s[0..end); 0 if neither. */
#define KD_CP_AR_QUESTION  0x061Fu
#define KD_CP_AR_FULL_STOP 0x06D4u
static inline uint32_t kd_ar_stop_before(const char *s, size_t end)
{
    if (end < 2)
        return 0;
    unsigned char a = (unsigned char)s[end - 2], b = (unsigned char)s[end - 1];
    if (a == 0xD8 && b == 0x9F)
        return KD_CP_AR_QUESTION;
    if (a == 0xDB && b == 0x94)
        return KD_CP_AR_FULL_STOP;
    return 0;
}

#endif /* KAVOSH_UTF8_H */

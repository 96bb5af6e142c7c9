/*
 * stopwords.h - the Persian, Russian and English stop-word lists (internal).
 *
 * Written as people spell them; the analyzer normalizes them into
 * ka_wordset_t tables when it is created (see wordset.h).
 */
#ifndef KAVOSH_STOPWORDS_H
#define KAVOSH_STOPWORDS_H

#include <stddef.h>

extern const char *const ka_stopwords_fa[];
extern const size_t ka_stopwords_fa_count;
extern const char *const ka_stopwords_ru[];
extern const size_t ka_stopwords_ru_count;
extern const char *const ka_stopwords_en[];
extern const size_t ka_stopwords_en_count;

#endif /* KAVOSH_STOPWORDS_H */

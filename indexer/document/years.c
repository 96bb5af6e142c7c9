/*
 * years.c - runs of digits in any of the three scripts the corpus uses
 * (ASCII, Persian, Arabic-Indic), and which of them are years of which
 * calendar, for the bibliography and the citation detector.
 */
#include <stdlib.h>
#include <string.h>

#include "document_internal.h"

char *
kd_digits_ascii(const char *s, size_t n)
{
    kd_buf_t b = {0};
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        int d = kd_cp_digit(cp);
        if (d >= 0)
            kd_buf_addc(&b, (char)('0' + d));
        i += l;
    }
    if (b.len == 0 && !b.oom) {
        kd_buf_free(&b);
        return NULL;
    }
    return kd_buf_take(&b);
}

int
kd_next_number(const char *s, size_t n, size_t from, kd_num_t *out)
{
    size_t i = from;
    while (i < n) {
        uint32_t cp;
        size_t l = kd_utf8_decode(s + i, n - i, &cp);
        int d = kd_cp_digit(cp);
        if (d >= 0) {
            out->start = i;
            out->value = 0;
            out->digits = 0;
            while (i < n) {
                l = kd_utf8_decode(s + i, n - i, &cp);
                d = kd_cp_digit(cp);
                if (d < 0)
                    break;
                /* Saturate: a long digit run is not a year or a page anyway. */
                if (out->value < 100000000UL)
                    out->value = out->value * 10 + (unsigned long)d;
                out->digits++;
                i += l;
            }
            out->end = i;
            return 1;
        }
        i += l;
    }
    return 0;
}

/* Years the corpus can cite: Solar Hijri 1200-1499 (1821-2121 CE) and
 * Gregorian 1500-2099. The ranges do not overlap, so the digits alone tell
 * the calendar. */
int
kd_year_calendar(const kd_num_t *num)
{
    if (num->digits != 4)
        return 0;
    if (num->value >= 1200 && num->value <= 1499)
        return 'S';
    if (num->value >= 1500 && num->value <= 2099)
        return 'G';
    return 0;
}

int
kd_year_gregorian(unsigned long year, int cal)
{
    if (cal == 'S')
        return (int)year + 621;
    if (cal == 'G')
        return (int)year;
    return 0;
}

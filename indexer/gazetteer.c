/*
 * gazetteer.c - CLDR's names of countries, languages, scripts and time-zone
 * cities (through ICU) as glossary concepts. See gazetteer.h.
 */
#include "gazetteer.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/uloc.h>
#include <unicode/ures.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

/* ICU's time-zone data tree (uresimp.h calls it U_ICUDATA_ZONE, which it
 * does not install). */
#define GZ_ZONE_TREE U_ICUDATA_NAME "-zone"
/* A display name is short; a longer one is not a name we want. */
#define GZ_NAME_CAP 256

static const char *const gz_locales[KS_LANG_COUNT] = { "fa", "ru", "en" };

typedef struct names {
    char   text[KS_LANG_COUNT * 2][GZ_NAME_CAP];
    ks_glossary_spelling_t sp[KS_LANG_COUNT * 2];
    size_t n;
    unsigned langs;            /* bit per language that has a name */
} names_t;

/* Add a spelling (UTF-16) unless it is the code itself or empty; also its
 * part before " (" when it has one. */
static void names_add(names_t *nm, ks_glossary_lang_t lang, const UChar *u, int32_t ulen,
                      const char *code)
{
    char buf[GZ_NAME_CAP];
    int32_t len = 0;
    UErrorCode err = U_ZERO_ERROR;
    if (!u || ulen <= 0)
        return;
    u_strToUTF8(buf, (int32_t)sizeof buf, &len, u, ulen, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || len <= 0)
        return;
    if (code && strcasecmp(buf, code) == 0)
        return;                                   /* ICU's fallback: no name in this language */
    for (int pass = 0; pass < 2 && nm->n < sizeof nm->sp / sizeof nm->sp[0]; pass++) {
        size_t n = (size_t)len;
        if (pass == 1) {
            const char *paren = strstr(buf, " (");
            if (!paren || paren == buf)
                break;
            n = (size_t)(paren - buf);
        }
        memcpy(nm->text[nm->n], buf, n);
        nm->text[nm->n][n] = '\0';
        nm->sp[nm->n].lang = lang;
        nm->sp[nm->n].text = nm->text[nm->n];
        nm->sp[nm->n].len = n;
        nm->n++;
        nm->langs |= 1u << lang;
    }
}

static ks_glossary_status_t names_commit(ks_glossary_t *g, ka_analyzer_t *a, names_t *nm,
                                         size_t *count)
{
    /* A concept needs two languages: a name alone expands to nothing. */
    unsigned l = nm->langs;
    int nlangs = (l & 1u) + ((l >> 1) & 1u) + ((l >> 2) & 1u);
    ks_glossary_status_t st = KS_GLOSSARY_OK;
    if (nlangs >= 2) {
        size_t added = 0;
        st = ks_glossary_add_concept(g, a, nm->sp, nm->n, &added);
        if (st == KS_GLOSSARY_OK && added)
            (*count)++;
    }
    nm->n = 0;
    nm->langs = 0;
    return st;
}

typedef int32_t (*display_fn)(const char *locale, const char *display, UChar *out, int32_t cap,
                              UErrorCode *err);

static ks_glossary_status_t add_display(ks_glossary_t *g, ka_analyzer_t *a, const char *locale,
                                        const char *code, display_fn fn, size_t *count)
{
    names_t nm;
    nm.n = 0;
    nm.langs = 0;
    for (unsigned lang = 0; lang < KS_LANG_COUNT; lang++) {
        UChar u[GZ_NAME_CAP];
        UErrorCode err = U_ZERO_ERROR;
        int32_t n = fn(locale, gz_locales[lang], u, GZ_NAME_CAP, &err);
        if (U_FAILURE(err) || err == U_USING_DEFAULT_WARNING || n >= GZ_NAME_CAP)
            continue;
        names_add(&nm, (ks_glossary_lang_t)lang, u, n, code);
    }
    return names_commit(g, a, &nm, count);
}

/* Time zones: the keys of the "zoneStrings" table ("Asia:Tashkent") and the
 * exemplar city ("ec") each language gives; English gives one only where it
 * differs from the key's last part, which is the English name otherwise. */
static ks_glossary_status_t add_cities(ks_glossary_t *g, ka_analyzer_t *a, size_t *count)
{
    UResourceBundle *bundle[KS_LANG_COUNT] = { NULL }, *zs[KS_LANG_COUNT] = { NULL };
    ks_glossary_status_t st = KS_GLOSSARY_OK;
    for (unsigned lang = 0; lang < KS_LANG_COUNT; lang++) {
        UErrorCode err = U_ZERO_ERROR;
        bundle[lang] = ures_open(GZ_ZONE_TREE, gz_locales[lang], &err);
        if (U_FAILURE(err)) {
            ures_close(bundle[lang]);
            bundle[lang] = NULL;
            continue;
        }
        zs[lang] = ures_getByKey(bundle[lang], "zoneStrings", NULL, &err);
        if (U_FAILURE(err)) {
            ures_close(zs[lang]);
            zs[lang] = NULL;
        }
    }
    /* The keys come from the Persian and the Russian tables (English names
     * few cities explicitly). */
    for (unsigned src = 0; src < 2 && st == KS_GLOSSARY_OK; src++) {
        if (!zs[src])
            continue;
        ures_resetIterator(zs[src]);
        while (ures_hasNext(zs[src]) && st == KS_GLOSSARY_OK) {
            UErrorCode err = U_ZERO_ERROR;
            UResourceBundle *item = ures_getNextResource(zs[src], NULL, &err);
            if (U_FAILURE(err)) {
                ures_close(item);
                break;
            }
            const char *key = ures_getKey(item);
            int table = ures_getType(item) == URES_TABLE;
            char k[GZ_NAME_CAP];
            snprintf(k, sizeof k, "%s", key ? key : "");
            ures_close(item);
            if (!table || !strchr(k, ':') || strncmp(k, "Etc:", 4) == 0)
                continue;
            /* Keys in the Persian table were done already. */
            if (src == 1 && zs[0]) {
                UErrorCode e2 = U_ZERO_ERROR;
                UResourceBundle *seen = ures_getByKey(zs[0], k, NULL, &e2);
                ures_close(seen);
                if (U_SUCCESS(e2))
                    continue;
            }
            names_t nm;
            nm.n = 0;
            nm.langs = 0;
            for (unsigned lang = 0; lang < KS_LANG_COUNT; lang++) {
                if (!zs[lang])
                    continue;
                UErrorCode e2 = U_ZERO_ERROR;
                UResourceBundle *z = ures_getByKey(zs[lang], k, NULL, &e2);
                int32_t l = 0;
                const UChar *ec = U_SUCCESS(e2) ? ures_getStringByKey(z, "ec", &l, &e2) : NULL;
                if (U_SUCCESS(e2) && ec)
                    names_add(&nm, (ks_glossary_lang_t)lang, ec, l, NULL);
                else if (lang == KS_LANG_EN) {
                    const char *last = strrchr(k, ':') + 1;
                    UChar u[GZ_NAME_CAP];
                    int32_t n = 0;
                    for (; *last && n < GZ_NAME_CAP - 1; last++)
                        u[n++] = (UChar)(*last == '_' ? ' ' : (unsigned char)*last);
                    names_add(&nm, KS_LANG_EN, u, n, NULL);
                }
                ures_close(z);
            }
            st = names_commit(g, a, &nm, count);
        }
    }
    for (unsigned lang = 0; lang < KS_LANG_COUNT; lang++) {
        ures_close(zs[lang]);
        ures_close(bundle[lang]);
    }
    return st;
}

ks_glossary_status_t ki_gazetteer_add(ks_glossary_t *g, ka_analyzer_t *a,
                                      ki_gazetteer_report_t *report)
{
    ki_gazetteer_report_t local;
    if (!report)
        report = &local;
    memset(report, 0, sizeof *report);
    if (!g || !a)
        return KS_GLOSSARY_ERR_ARG;
    ks_glossary_status_t st = KS_GLOSSARY_OK;
    char locale[32];

    for (const char *const *c = uloc_getISOCountries(); c && *c && st == KS_GLOSSARY_OK; c++) {
        snprintf(locale, sizeof locale, "und_%s", *c);
        st = add_display(g, a, locale, *c, uloc_getDisplayCountry, &report->countries);
    }
    for (const char *const *c = uloc_getISOLanguages(); c && *c && st == KS_GLOSSARY_OK; c++) {
        if (strlen(*c) != 2)
            continue;
        st = add_display(g, a, *c, *c, uloc_getDisplayLanguage, &report->languages);
    }
    for (int sc = 0; sc < USCRIPT_CODE_LIMIT && st == KS_GLOSSARY_OK; sc++) {
        const char *code = uscript_getShortName((UScriptCode)sc);
        if (!code || strlen(code) != 4)
            continue;
        snprintf(locale, sizeof locale, "und_%s", code);
        st = add_display(g, a, locale, code, uloc_getDisplayScript, &report->scripts);
    }
    if (st == KS_GLOSSARY_OK)
        st = add_cities(g, a, &report->cities);
    return st;
}

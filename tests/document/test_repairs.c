/*
 * test_repairs.c - the repairs pdf.c makes to text extracted from Persian
 * PDFs, on lines as poppler gives them: directional marks around words,
 * presentation forms, the lam-alef ligature's letters turned around, and
 * a line whose words came out in visual order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "document_internal.h"

static void
check_line(const char *in, const char *want)
{
    size_t n = 0;
    char *out = kd_pdf_repair_line(in, strlen(in), &n);
    assert_non_null(out);
    assert_int_equal(n, strlen(out));
    if (strcmp(out, want) != 0)
        fail_msg("repair of '%s': got '%s', want '%s'", in, out, want);
    free(out);
}

static void
check_text(const char *in, const char *want)
{
    char *t = strdup(in);
    assert_non_null(t);
    assert_int_equal(kd_pdf_repair_lam_alef(t, strlen(t)), 0);
    if (strcmp(t, want) != 0)
        fail_msg("lam-alef repair of '%s': got '%s', want '%s'", in, t, want);
    free(t);
}

static void
test_marks(void **state)
{
    (void)state;
    /* Each word wrapped in RLE ... PDF, the space between two of them
     * sometimes only the marks. */
    check_line("\u202B\u0633\u0644\u0627\u0645\u202C\u202B\u062F\u0646\u06CC\u0627\u202C "
               "\u202B\u0628\u0632\u0631\u06AF\u202C",
               "\u0633\u0644\u0627\u0645 \u062F\u0646\u06CC\u0627 \u0628\u0632\u0631\u06AF");
    /* Isolates and LRM/RLM go too; Latin text is untouched. */
    check_line("\u2067Tehran\u2069 \u200Fand\u200E Moscow", "Tehran and Moscow");
}

static void
test_presentation_forms(void **state)
{
    (void)state;
    /* «سلام» in presentation forms, with the lam-alef ligature U+FEFC,
     * and the Latin ligature "fi". */
    check_line("\uFEB3\uFEFC\uFEE1 \uFB01le", "\u0633\u0644\u0627\u0645 file");
    /* «کالا» as a Persian PDF draws it: keheh, alef, lam-alef. */
    check_line("\uFB8E\uFE8E\uFEFB", "\u06A9\u0627\u0644\u0627");
}

static void
test_visual_order(void **state)
{
    (void)state;
    /* The sentence's full stop first, the words backwards. */
    check_line(". \u0631\u0641\u062A \u0645\u062F\u0631\u0633\u0647 \u0628\u0647 \u0627\u0648",
               "\u0627\u0648 \u0628\u0647 \u0645\u062F\u0631\u0633\u0647 \u0631\u0641\u062A .");
    /* A line in reading order stays. */
    check_line("\u0627\u0648 \u0628\u0647 \u0645\u062F\u0631\u0633\u0647 \u0631\u0641\u062A.",
               "\u0627\u0648 \u0628\u0647 \u0645\u062F\u0631\u0633\u0647 \u0631\u0641\u062A.");
    /* So does Latin text starting with punctuation. */
    check_line(". and so on", ". and so on");
}

static void
test_lam_alef(void **state)
{
    (void)state;
    /* Two alefs in a row do not occur: «کاال» is «کالا», «باال» «بالا». */
    check_text("\u06A9\u0627\u0627\u0644 \u0628\u0627\u0627\u0644",
               "\u06A9\u0627\u0644\u0627 \u0628\u0627\u0644\u0627");
    /* «دلار» twice right and once turned around («دالر»): the order found
     * more often wins. */
    check_text("\u062F\u0627\u0644\u0631 \u062F\u0644\u0627\u0631 \u062F\u0644\u0627\u0631",
               "\u062F\u0644\u0627\u0631 \u062F\u0644\u0627\u0631 \u062F\u0644\u0627\u0631");
    /* Without other evidence, twice turned against once right stays. */
    check_text("\u062F\u0627\u0644\u0631 \u062F\u0627\u0644\u0631 \u062F\u0644\u0627\u0631",
               "\u062F\u0627\u0644\u0631 \u062F\u0627\u0644\u0631 \u062F\u0644\u0627\u0631");
    /* A document that shows turned pairs («کاال»): «اسالمی» twice and
     * «اسلامی» once is «اسلامی» everywhere. */
    check_text("\u0627\u0633\u0627\u0644\u0645\u06CC \u06A9\u0627\u0627\u0644 "
               "\u0627\u0633\u0644\u0627\u0645\u06CC\n"
               "\u0627\u0633\u0627\u0644\u0645\u06CC",
               "\u0627\u0633\u0644\u0627\u0645\u06CC \u06A9\u0627\u0644\u0627 "
               "\u0627\u0633\u0644\u0627\u0645\u06CC\n"
               "\u0627\u0633\u0644\u0627\u0645\u06CC");
    /* A real word with alef+lam whose other order the document lacks
     * stays: «سال» (year), «مالی» (financial), the article «الملل». */
    check_text("\u0633\u0627\u0644 \u0645\u0627\u0644\u06CC \u0628\u06CC\u0646\u200C\u0627\u0644\u0645\u0644\u0644",
               "\u0633\u0627\u0644 \u0645\u0627\u0644\u06CC \u0628\u06CC\u0646\u200C\u0627\u0644\u0645\u0644\u0644");
    /* Where alef+lam is more frequent than lam+alef it stays so. */
    check_text("\u0633\u0627\u0644 \u0633\u0627\u0644 \u0633\u0644\u0627",
               "\u0633\u0627\u0644 \u0633\u0627\u0644 \u0633\u0644\u0627");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_presentation_forms),
        cmocka_unit_test(test_visual_order),
        cmocka_unit_test(test_lam_alef),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* citations.c - in-text citations (stage 3). */
#include "document_internal.h"

int
kd_citations_detect(kd_builder_t *b)
{
    (void)b;
    return 0;
}

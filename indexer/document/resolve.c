/* resolve.c - citations to bibliography entries (stage 3). */
#include "document_internal.h"

int
kd_citations_resolve(kd_builder_t *b)
{
    (void)b;
    return 0;
}

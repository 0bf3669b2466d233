/*
 * dump.c - the model's page-table scan as a sharing snapshot
 * (oracle/sharing.h), and the spec's dump printed from it: the text is
 * written once, in sharing.c, for the model and the kernel alike.
 *
 * A frame is its pfn, the zero page SHARING_ZERO; the per-mapping flags
 * (exclusive, file) are left 0: no comparison reads them.
 */
#include <errno.h>

#include "trace/trace.h"
#include "oracle/expect.h"

int scan_sharing(const struct scan *sc, uint64_t zero_pfn, struct sharing *out)
{
	sharing_clear(out);
	for (uint32_t i = 0; i < sc->n; i++) {
		const struct scan_entry *e = &sc->e[i];
		int err = e->pfn == zero_pfn ?
			  sharing_add(out, e->pid, e->addr, SHARING_ZERO, 0) :
			  !e->folio_nr ?  /* an entry made without its folio */
			  sharing_add(out, e->pid, e->addr, e->pfn, 0) :
			  sharing_add_folio(out, e->pid, e->addr, e->pfn,
					    e->pmd ? SHARING_PMD : 0,
					    e->folio, e->folio_nr);

		if (err)
			return err;
	}
	sharing_sort(out);
	return 0;
}

int check_dump(FILE *out, const struct scan *sc, uint64_t zero_pfn,
	       const struct op_stream *s)
{
	struct sharing sh = { 0 };
	int err = scan_sharing(sc, zero_pfn, &sh);

	if (!err)
		err = sharing_dump(out, &sh, s);
	sharing_free(&sh);
	return err;
}

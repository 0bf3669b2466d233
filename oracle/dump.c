/*
 * dump.c - the model's page-table scan as a sharing snapshot
 * (oracle/sharing.h), and the spec's dump printed from it: the text is
 * written once, in sharing.c, for the model and the kernel alike.
 *
 * A frame is its pfn, the zero page SHARING_ZERO; the per-mapping flags
 * (exclusive, file) are left 0: no comparison reads them.  The folio of a
 * frame is the world's (struct page knows it, the page tables do not),
 * asked here only, not in the scan every check makes.
 */
#include <errno.h>

#include "core/ksm.h"
#include "core/mm_types.h"
#include "trace/trace.h"
#include "oracle/expect.h"

int scan_sharing(const struct world *w, const struct scan *sc,
		 uint64_t zero_pfn, struct sharing *out)
{
	sharing_clear(out);
	for (uint32_t i = 0; i < sc->n; i++) {
		const struct scan_entry *e = &sc->e[i];
		uint64_t head = e->pfn;
		uint32_t nr = 1;
		int err;

		if (e->pfn == zero_pfn) {
			err = sharing_add(out, e->pid, e->addr, SHARING_ZERO, 0);
		} else {
			if (w)
				world_folio(w, e->pfn, &head, &nr);
			err = sharing_add_folio(out, e->pid, e->addr, e->pfn,
						(e->pmd ? SHARING_PMD : 0) |
						(w && page_is_ksm(pfn_page(w,
						 e->pfn)) ? SHARING_KSM : 0),
						head, nr);
		}
		if (err)
			return err;
	}
	sharing_sort(out);
	return 0;
}

int check_dump(FILE *out, const struct world *w, const struct scan *sc,
	       uint64_t zero_pfn, const struct op_stream *s)
{
	struct sharing sh = { 0 };
	int err = scan_sharing(w, sc, zero_pfn, &sh);

	if (!err)
		err = sharing_dump(out, &sh, s);
	sharing_free(&sh);
	return err;
}

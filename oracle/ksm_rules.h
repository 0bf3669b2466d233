/*
 * ksm_rules.h - the invariants of KSM pages (issue 20), where the
 * linearity formula does not apply (ksm_rules.c).
 */
#ifndef RMAP_ORACLE_KSM_RULES_H
#define RMAP_ORACLE_KSM_RULES_H

#include <stddef.h>

#include "core/mm_types.h"
#include "oracle/scan.h"

/* 0, or -1 with "CATEGORY: details" in msg (invariant_fail.h) */
int ksm_rules_check(const struct world *w, const struct scan *s, char *msg,
		    size_t len);

#endif /* RMAP_ORACLE_KSM_RULES_H */

/*
 * invariant_fail.h - how every invariant check of oracle/ words a
 * violation (defined in invariants.c): "CATEGORY: details" into msg, the
 * category being the stable part that goes into a divergence signature
 * (invariant-CATEGORY:op:backend), so it holds no ':' of its own.  The
 * details name the VMA the violation is about first, as "pN:0xADDR" (an
 * address in it) or "pN [0xSTART,0xEND)": when the op split, merged or
 * copied that VMA (vma->event), the signature names that change instead
 * of the op (invariant-linearity:vma_merge:obj), since mmap, mprotect and
 * mremap all merge through one path (oracle/differ.c, vma_cause).
 */
#ifndef RMAP_ORACLE_INVARIANT_FAIL_H
#define RMAP_ORACLE_INVARIANT_FAIL_H

#include <stddef.h>

/* Writes "CATEGORY: <fmt...>" into msg (truncated to len); returns -1. */
int invariant_fail(char *msg, size_t len, const char *category,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* RMAP_ORACLE_INVARIANT_FAIL_H */

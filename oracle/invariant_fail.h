/*
 * invariant_fail.h - how every invariant check of oracle/ words a
 * violation (defined in invariants.c): "CATEGORY: details" into msg, the
 * category being the stable part that goes into a divergence signature
 * (invariant-CATEGORY:op:backend), so it holds no ':' of its own.
 */
#ifndef RMAP_ORACLE_INVARIANT_FAIL_H
#define RMAP_ORACLE_INVARIANT_FAIL_H

#include <stddef.h>

/* Writes "CATEGORY: <fmt...>" into msg (truncated to len); returns -1. */
int invariant_fail(char *msg, size_t len, const char *category,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* RMAP_ORACLE_INVARIANT_FAIL_H */

/*
 * LEB128 varints: the self-test library of the build infrastructure.
 * Nothing outside build_defs/selftest uses it.
 */
#ifndef RMAP_SELFTEST_VARINT_H
#define RMAP_SELFTEST_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define VARINT_MAX_LEN 10

/* Writes v to out (at least VARINT_MAX_LEN bytes); returns the length. */
size_t varint_encode(uint64_t v, uint8_t *out);

/*
 * Reads one varint from buf[0..len); returns the bytes consumed, or 0 if
 * the input is truncated or longer than VARINT_MAX_LEN or overflows 64 bits.
 */
size_t varint_decode(const uint8_t *buf, size_t len, uint64_t *v);

#endif

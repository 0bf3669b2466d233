/*
 * assert.c - the failure report of tests/assert.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tests/assert.h"

void tu_fail_at(const char *file, int line, const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Assert FAILED at %s:%d:%s(): ", file, line, func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

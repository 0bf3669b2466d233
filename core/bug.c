/*
 * bug.c - the one place core prints and exits: a failed BUG_ON() (bug.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/bug.h"

_Noreturn void core_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "BUG at %s:%d: %s\n", file, line, what);
	abort();
}

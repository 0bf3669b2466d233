/*
 * load_input.h - a test case from a file, whatever its form: a .rmt trace
 * (parsed) or a binary fuzz input (decoded with the fuzz target's limits).
 */
#ifndef RMAP_TRACE_LOAD_INPUT_H
#define RMAP_TRACE_LOAD_INPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "trace/trace.h"

/*
 * Load PATH into S (fresh from op_stream_init): a file named *.rmt is
 * parsed, anything else decoded.  0, or -1 with the reason (file, line,
 * token) printed to ERR.  *IS_TRACE tells which it was.
 */
int load_input(const char *path, struct op_stream *s, bool *is_trace, FILE *err);

#endif /* RMAP_TRACE_LOAD_INPUT_H */

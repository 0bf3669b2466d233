/*
 * load_input.c - see load_input.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/file_io.h"
#include "trace/load_input.h"
#include "trace/codec.h"
#include "trace/trace.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int load_input(const char *path, struct op_stream *s, bool *is_trace, FILE *err)
{
	size_t len = 0;
	char *data = read_whole_file(path, &len);
	struct trace_error perr;
	char msg[512];
	int rc = 0;

	if (!data) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		return -1;
	}
	*is_trace = ends_with(path, ".rmt");
	if (*is_trace && trace_parse(path, data, len, s, &perr)) {
		trace_error_format(&perr, msg, sizeof(msg));
		fprintf(err, "%s\n", msg);
		rc = -1;
	} else if (!*is_trace && decode_ops((const uint8_t *)data, len, NULL, s)) {
		fprintf(err, "%s: out of memory decoding it\n", path);
		rc = -1;
	}
	free(data);
	return rc;
}

/*
 * trace.h - the op stream (core/op.h ops with the names of their processes
 * and files) as data you can build, and the .rmt text form of it
 * (shared/spec/trace-format.md): parser, printer, result names.
 *
 * The property every user relies on (the fuzz decoder, the repro command,
 * the scenario tests):
 *
 *	trace_parse(trace_print(s)) is op_stream_equal() to s
 *
 * Ownership: a stream owns its four arrays; op_stream_free() releases them.
 * Nothing here prints except trace_print(), and nothing exits.
 *
 * Process and file names live in two separate tables.  Ids are handed out in
 * order of first creation (p0 is 0 from op_stream_init() on), so parsing a
 * printed stream gives back the same ids.
 */
#ifndef RMAP_TRACE_TRACE_H
#define RMAP_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/op.h"

/* Largest number of processes / files a stream can name (ids are uint16_t). */
#define TRACE_MAX_NAMES 65535u

/* A name's longest length, its NUL included. */
#define OP_NAME_MAX 32

struct mref {                 /* PROC:ADDR, an expect-map right-hand side */
	uint16_t proc;
	uint64_t addr;
};

/*
 * Processes and files are small integer ids; the name tables turn them back
 * into the names of the trace (p0, p1, ... / f0, ...).  Process 0 is "p0",
 * alive at the start.  A name always maps to the same id in a stream, also
 * when the process exits and a later fork reuses the name.
 */
struct op_stream {
	struct op   *ops;
	uint32_t     nops, cap_ops;
	struct mref *refs;        /* expect-map right-hand sides */
	uint32_t     nrefs, cap_refs;
	char       (*proc_names)[OP_NAME_MAX];  /* id -> name; [0] is "p0" */
	uint32_t     nprocs, cap_procs;
	char       (*file_names)[OP_NAME_MAX];
	uint32_t     nfiles, cap_files;
};

/* ---- building streams ------------------------------------------------- */

/* An empty stream whose process table holds "p0".  0 or -ENOMEM. */
int op_stream_init(struct op_stream *s);
/* Free the arrays; S is left as after a zeroing (init it again to reuse). */
void op_stream_free(struct op_stream *s);
/* Empty again, as op_stream_init made it, its arrays kept.  0 or -ENOMEM. */
int op_stream_reset(struct op_stream *s);

/* Append a copy of OP / REF.  0 or -ENOMEM. */
int op_stream_push(struct op_stream *s, const struct op *op);
int op_stream_push_ref(struct op_stream *s, const struct mref *ref);

/*
 * Intern a name: its id, adding it to the table when new.  -EINVAL when NAME
 * does not match [a-z][a-z0-9_]* or is longer than OP_NAME_MAX - 1, -ENOSPC
 * when the table is full, -ENOMEM.
 */
int op_stream_proc_id(struct op_stream *s, const char *name);
int op_stream_file_id(struct op_stream *s, const char *name);
/* Look a name up without adding it: its id, or -1. */
int op_stream_find_proc(const struct op_stream *s, const char *name);
int op_stream_find_file(const struct op_stream *s, const char *name);

/* Name of an id, or NULL when the id is out of range. */
const char *op_stream_proc_name(const struct op_stream *s, unsigned id);
const char *op_stream_file_name(const struct op_stream *s, unsigned id);

/*
 * S without its ops [FROM, TO), into OUT (fresh from op_stream_init()), as
 * trace_parse() builds it from the printed text of the other ops (S must
 * print, as parsed and decoded streams do): names interned in order of
 * creation (so ids may shift), expect-map references copied, the fields an
 * op's kind does not print 0, op I on line I + 1.  0; -EINVAL when a
 * remaining op names a process or file that no earlier remaining op
 * creates, or forks into itself; -ENOMEM.  On an error OUT holds what was
 * built so far; free it as usual.
 */
int op_stream_cut(const struct op_stream *s, uint32_t from, uint32_t to,
		  struct op_stream *out);

/*
 * Do A and B describe the same trace?  Compares op by op the fields that the
 * op's kind uses (see trace_print_op), processes and files by name, expect-map
 * references by content; ignores op.line and unused fields.  On a difference
 * returns false and, if WHY is not NULL, describes the first one.
 */
bool op_stream_equal(const struct op_stream *a, const struct op_stream *b,
		     char *why, size_t whylen);

/* ---- results ---------------------------------------------------------- */

/*
 * Result text as the trace format and kernel_run.py print it: "ok", an errno
 * name (Python's errno.errorcode names), "SIGSEGV", "SIGBUS", and for OP_AGE
 * (or any positive result) "referenced=N".  KIND is the op's enum op_kind: an
 * age that found nothing is "referenced=0", not "ok".
 */
const char *trace_result_name(unsigned kind, int res, char buf[32]);
/*
 * Parse a result token.  Accepts what trace_result_name prints plus the errno
 * aliases EWOULDBLOCK, EDEADLK, EOPNOTSUPP.  0 and *res, or -1.
 */
int trace_result_parse(const char *tok, int *res);

/* ---- text ------------------------------------------------------------- */

struct trace_error {
	const char *path;     /* as passed to trace_parse (not copied) */
	uint32_t line;        /* 1-based; 0 when not about a line (no memory) */
	char token[48];       /* the offending blank-separated token, printable */
	char msg[112];
};

/*
 * Parse .rmt TEXT (LEN bytes, need not be NUL-terminated) into S, which must
 * come fresh from op_stream_init(): the text may use p0 and what its own
 * fork / file lines create.  Every op gets its source line in op.line.
 * Returns 0, or -1 with ERR filled in (S then holds the ops before the bad
 * line; free it as usual).  Line ends are "\n", "\r\n" and "\r", as Python's
 * text files count them.
 */
int trace_parse(const char *path, const char *text, size_t len,
		struct op_stream *s, struct trace_error *err);

/* "FILE:LINE: error: MESSAGE near 'TOKEN'" into BUF; snprintf's return. */
int trace_error_format(const struct trace_error *err, char *buf, size_t len);

/*
 * The canonical line of OP (spec syntax, numbers in lowercase 0x hex, no
 * "=> RESULT").  snprintf's return (the length needed), or -1 when OP is not
 * printable (unknown kind, id without a name, refs out of range).
 */
int trace_print_op(const struct op_stream *s, const struct op *op,
		   char *buf, size_t len);
/* Every op, one a line, with " => RESULT" where OPF_HAS_EXPECT.  0 or -1. */
int trace_print(FILE *out, const struct op_stream *s);
/* The same as a malloc'd string (op I on line I + 1); NULL on failure. */
char *trace_print_text(const struct op_stream *s, size_t *len);

/*
 * Line LINE (1-based) of TEXT as kernel_run.py echoes it: the comment cut at
 * the first '#', blanks trimmed at both ends.  Sets *start and returns the
 * length (0 for a blank line or LINE past the end).  Lines are split as
 * trace_parse splits them; struct trace_lines makes repeated look-ups cheap.
 */
struct trace_lines {
	const char *text;
	size_t len;
	size_t *start;        /* start[i]: offset of line i + 1 */
	uint32_t n;
};
int trace_lines_init(struct trace_lines *tl, const char *text, size_t len);
void trace_lines_free(struct trace_lines *tl);
size_t trace_lines_get(const struct trace_lines *tl, uint32_t line,
		       const char **start);

#endif /* RMAP_TRACE_TRACE_H */

/*
 * file_io.h - reading a whole file, for every tool that takes files.
 */
#ifndef RMAP_TRACE_FILE_IO_H
#define RMAP_TRACE_FILE_IO_H

#include <stdbool.h>
#include <stddef.h>

/*
 * All of PATH, malloc'd, with a NUL after the LEN bytes (binary data may
 * hold NULs too); NULL with errno set when it cannot be read.
 */
char *read_whole_file(const char *path, size_t *len);

/*
 * Whether the LEN bytes of DATA read as text (a trace, a log): not empty,
 * no NUL and no control byte but tab, newline, carriage return and form
 * feed.  Tools that take one form say so when given the other, rather than
 * printing what a binary input parses or a text decodes to.
 */
bool file_is_text(const char *data, size_t len);

#endif /* RMAP_TRACE_FILE_IO_H */

/*
 * file_io.h - reading a whole file, for every tool that takes files.
 */
#ifndef RMAP_TRACE_FILE_IO_H
#define RMAP_TRACE_FILE_IO_H

#include <stddef.h>

/*
 * All of PATH, malloc'd, with a NUL after the LEN bytes (binary data may
 * hold NULs too); NULL with errno set when it cannot be read.
 */
char *read_whole_file(const char *path, size_t *len);

#endif /* RMAP_TRACE_FILE_IO_H */

/*
 * sysfs_file.h - reading and writing one short sysfs file, the host
 * settings the kernel runner changes and puts back (ksm_control.c,
 * thp_host.c).  Both use only open/read/write/close, so the restoring
 * paths may call them from a signal handler.
 */
#ifndef RMAP_KERNEL_SYSFS_FILE_H
#define RMAP_KERNEL_SYSFS_FILE_H

#include <stddef.h>

/*
 * The text of PATH into BUF[LEN], cut at its first newline.  0, -errno, or
 * -EIO for an empty file.
 */
int sysfs_read(const char *path, char *buf, size_t len);

/* Write TEXT whole to PATH.  0, -errno, or -EIO for a short write. */
int sysfs_write(const char *path, const char *text);

#endif /* RMAP_KERNEL_SYSFS_FILE_H */

/*
 * kworker_image.h - the bytes of //kernel:kworker (worker_main.c), which
 * kworld.c executes from a memfd as its zygote.  Generated into
 * kworker_image.c by kernel/BUILD's :kworker_image.  Private to kernel/.
 */
#ifndef RMAP_KERNEL_KWORKER_IMAGE_H
#define RMAP_KERNEL_KWORKER_IMAGE_H

extern const unsigned char kworker_image[];
extern const unsigned long kworker_image_len;

#endif /* RMAP_KERNEL_KWORKER_IMAGE_H */

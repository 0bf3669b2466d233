/*
 * The libFuzzer entry points, declared once. A fuzz target defines
 * LLVMFuzzerTestOneInput (and optionally LLVMFuzzerInitialize); libFuzzer,
 * libAFLDriver or the project's replay main calls them. Including this header
 * keeps -Wmissing-prototypes quiet.
 */
#ifndef RMAP_BUILD_DEFS_FUZZ_ENTRY_H
#define RMAP_BUILD_DEFS_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif

"""Compiler options shared by every C target of the project.

Usage in a BUILD file:

    load("//build_defs:copts.bzl", "RMAP_COPTS")
    cc_library(name = "x", srcs = [...], copts = RMAP_COPTS)

Clean on gcc 12 and clang 14 (and afl-clang-fast); -Werror is on, so a warning
breaks the build on both compilers. Sanitizer and optimisation flags live in
.bazelrc configs, not here.
"""

RMAP_COPTS = [
    "-std=c11",
    "-D_GNU_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wshadow",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
    "-Wpointer-arith",
    "-Wvla",
    "-Wno-unused-parameter",
]

# For the checker's code (oracle/, the trace printer): the fuzzer explores
# core/, not the checker, so under libFuzzer these files carry no coverage
# instrumentation.  Feedback then comes from the simulator alone, and the
# comparison tracing of the checker's loops no longer dominates each exec.
RMAP_CHECKER_COPTS = RMAP_COPTS + select({
    "//build_defs:fuzzer_libfuzzer": [
        "-fno-sanitize-coverage=inline-8bit-counters,indirect-calls,trace-cmp,pc-table",
    ],
    "//conditions:default": [],
})

# For the fuzz input decoder: under libFuzzer it keeps comparison tracing
# (dropped elsewhere by .bazelrc), so byte values that choose an op kind,
# a flag or an escape form are solved by the fuzzer's CMP feedback.
RMAP_DECODER_COPTS = RMAP_COPTS + select({
    "//build_defs:fuzzer_libfuzzer": ["-fsanitize-coverage=trace-cmp"],
    "//conditions:default": [],
})

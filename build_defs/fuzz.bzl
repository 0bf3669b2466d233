"""rmap_fuzz_target: one fuzz target source, three builds.

The source defines LLVMFuzzerTestOneInput (include "build_defs/fuzz_entry.h"
for the prototype). Which main it gets depends on the engine config:

    bazel build --config=libfuzzer //fuzz:x   -> links -fsanitize=fuzzer
    bazel build --config=afl //fuzz:x         -> links libAFLDriver.a (persistent)
    bazel build //fuzz:x   (any other config) -> links replay_main, a plain
                                                 program, buildable with gcc

Usage:

    load("//build_defs:fuzz.bzl", "rmap_fuzz_target")
    rmap_fuzz_target(
        name = "fuzz_lockstep",
        srcs = ["fuzz_lockstep.c"],
        deps = ["//core", "//oracle"],
        replay_main = "//fuzz:replay_main",
    )
"""

load("//build_defs:copts.bzl", "RMAP_COPTS")

AFL_DRIVER = "/usr/lib/afl/libAFLDriver.a"

def rmap_fuzz_target(name, srcs, deps = [], replay_main = None, copts = [], linkopts = [], **kwargs):
    """A cc_binary built for libFuzzer, AFL++ or as a plain replay program.

    Args:
      name: target name.
      srcs: the sources; one of them defines LLVMFuzzerTestOneInput.
      deps: libraries the target uses.
      replay_main: label of a cc_library with main() that replays input files
        through LLVMFuzzerTestOneInput; linked only when no fuzzer engine is
        selected (--define=fuzzer=...).
      copts: extra copts, appended to RMAP_COPTS.
      linkopts: extra linkopts for every build.
      **kwargs: passed to cc_binary (tags, visibility, data, ...).
    """
    if not replay_main:
        fail("rmap_fuzz_target(%s): replay_main (a cc_library with main()) is required" % name)
    entry = "//build_defs:fuzz_entry"
    native.cc_binary(
        name = name,
        srcs = srcs,
        copts = RMAP_COPTS + copts,
        deps = deps + ([] if entry in deps else [entry]) + select({
            "//build_defs:fuzzer_libfuzzer": [],
            "//build_defs:fuzzer_afl": [],
            "//conditions:default": [replay_main],
        }),
        linkopts = linkopts + select({
            "//build_defs:fuzzer_libfuzzer": ["-fsanitize=fuzzer"],
            "//build_defs:fuzzer_afl": [AFL_DRIVER],
            "//conditions:default": [],
        }),
        **kwargs
    )

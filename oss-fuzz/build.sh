#!/bin/bash -eu
# oss-fuzz/build.sh - OSS-Fuzz's build step for rmapfuzz, run in the build
# image with $SRC, $WORK, $OUT, $CC, $CFLAGS and $LIB_FUZZING_ENGINE set:
# every fuzz target into $OUT with its seed corpus zip, .dict and .options,
# the op mutator (fuzz/mutator/) linked in as libFuzzer's custom mutator.
# //tests:oss_fuzz_build_test runs it by hand under the same contract.
cd "$SRC/rmapfuzz"
tools/oss_fuzz_build.sh

#!/bin/bash -eu
# .clusterfuzzlite/build.sh - ClusterFuzzLite's build step: the same as
# OSS-Fuzz's (oss-fuzz/build.sh), every fuzz target into $OUT with the op
# mutator linked in.  //tests:oss_fuzz_build_test runs it (UBSan).
cd "$SRC/rmapfuzz"
tools/oss_fuzz_build.sh

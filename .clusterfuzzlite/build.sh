#!/bin/bash -eu
# .clusterfuzzlite/build.sh - ClusterFuzzLite's build step: the same as
# OSS-Fuzz's (oss-fuzz/build.sh), every fuzz target into $OUT.
cd "$SRC/rmapfuzz"
tools/oss_fuzz_build.sh

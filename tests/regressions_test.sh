#!/usr/bin/env bash
# regressions_test.sh RMT_RUN - every regression scenario of
# corpus/regressions/ (written by `./rmapfuzz repro --emit-test`: each op
# with its expected result) holds on both backends with no divergence.
# None yet is a pass.
set -u
run=$1
shopt -s nullglob
files=("$TEST_SRCDIR/$TEST_WORKSPACE"/corpus/regressions/*.rmt)
exec bash "$(dirname "$0")/scenarios_test.sh" "$run" "${files[@]}"

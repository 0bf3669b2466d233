#!/usr/bin/env bash
# kernel_compare.sh FIRST LAST [NOPS]: for each seed, a random
# kernel-runnable trace of NOPS ops (default 80) from the project's own
# generator (`./rmapfuzz gen SEED NOPS`, kernel/gen_random.h) run on the
# model and on the host kernel side by side (kernel/kcompare.h, needs root).
# Prints one divergence line per differing seed and a summary; the
# differing traces are kept in a directory it names.  Exit 1 if any
# differs.  A trace that differs: `./rmapfuzz run --kernel FILE.rmt`.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tools/bazel_lib.sh
first=${1:-1} last=${2:-100} nops=${3:-80}
compare=$(bazel_bin opt //kernel:compare_random) || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernel-compare.XXXXXX")
"$compare" "$first" "$last" "$nops" --save "$tmp"
rc=$?
if [ -n "$(ls -A "$tmp")" ]; then
  echo "differing traces kept in $tmp"
else
  rmdir "$tmp"
fi
exit $rc

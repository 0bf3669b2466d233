#!/usr/bin/env bash
# kernel_compare.sh FIRST LAST [NOPS] [--max-flaky P] [--linear] [--thp]: for each seed, a
# random kernel-runnable trace of NOPS ops (default 80) from the project's
# own generator (`./rmapfuzz gen SEED NOPS`, kernel/gen_random.h) run on the
# model and on the host kernel side by side (kernel/kcompare.h, needs root).
# Prints one divergence line per differing seed, one per flaky seed (it
# differed once and not when run again) and a summary that counts both;
# the differing and flaky traces are kept in a directory it names
# (seed-N.rmt, seed-N.flaky.rmt).  Exit 1 if any differs or more than P
# percent of the traces compared were flaky (compare_random's --max-flaky,
# default 1).  A trace that differs: `./rmapfuzz run --kernel FILE.rmt`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/bazel_lib.sh"
pos=()
while [ $# -gt 0 ] && [ ${#pos[@]} -lt 3 ] && [[ $1 != -* ]]; do pos+=("$1"); shift; done
first=${pos[0]:-1} last=${pos[1]:-100} nops=${pos[2]:-80}
compare=$(bazel_bin opt //kernel:compare_random) || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernel-compare.XXXXXX")
# the options left (--max-flaky P, --linear: issue 20's ops too, --thp: issue
# 19's large folios) are compare_random's
"$compare" "$first" "$last" "$nops" --save "$tmp" "$@"
rc=$?
if [ -n "$(ls -A "$tmp")" ]; then
  echo "differing and flaky traces kept in $tmp"
else
  rmdir "$tmp"
fi
exit $rc

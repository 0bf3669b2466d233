#!/usr/bin/env bash
# determinism_check.sh - the same traces give byte-identical output (results,
# dumps, reports, walk statistics) from gcc -O2, clang -O2 and gcc with
# ASan+UBSan: every scenario and every corpus pattern through `rmt_run
# --stats`.  Exit 1 on any difference, and on whatever would leave nothing
# worth comparing: a build that fails, a run that does not exit 0 (a trace
# that fails, a crash, a sanitizer's report), an output without one summary
# line per trace (an empty one included).  Each failure says why on stderr,
# with the build's messages or the run's stderr; a build's messages are
# shown only when it fails (tools/bazel_lib.sh's bazel_bin).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=tools/bazel_lib.sh
. tools/bazel_lib.sh
die() { echo "determinism_check: $*" >&2; exit 1; }

shopt -s nullglob
traces=(tests/scenarios/*.rmt corpus/patterns/*.rmt)
[ ${#traces[@]} -gt 0 ] || die "no traces in tests/scenarios/ nor corpus/patterns/"
tmp=$(mktemp -d)    # kept on a failure, for a look

# CONFIG (bazel_bin's) and what it is, in the order compared
builds=(opt "gcc -O2" clang+opt "clang -O2" asan "gcc ASan+UBSan")
for ((i = 0; i < ${#builds[@]}; i += 2)); do
  config=${builds[i]} what=${builds[i + 1]}
  bin=$(bazel_bin "$config" //cmd:rmt_run) ||
    die "the $what build of //cmd:rmt_run failed (its messages above)"
  out=$tmp/$config.out
  rc=0
  "$bin" --stats "${traces[@]}" >"$out" 2>"$tmp/$config.err" || rc=$?
  if [ $rc -ne 0 ]; then
    tail -n 20 "$tmp/$config.err" >&2
    die "rmt_run ($what) exited with status $rc on the traces (the end of its stderr above; all in $tmp)"
  fi
  # one "N ops, M expectations: ..." summary per trace (rmt_run prints it
  # last for each file): fewer means output went missing
  n=$(grep -cE '^[0-9]+ ops, [0-9]+ expectations: ' "$out" || true)
  if [ "$n" -ne ${#traces[@]} ]; then
    tail -n 20 "$tmp/$config.err" >&2
    die "rmt_run ($what) printed $n summaries for ${#traces[@]} traces ($(wc -c <"$out") bytes of output; all in $tmp)"
  fi
done
for config in clang+opt asan; do
  if ! cmp -s "$tmp/opt.out" "$tmp/$config.out"; then
    diff -u --label "gcc -O2" --label "$config" "$tmp/opt.out" "$tmp/$config.out" | head -n 40 >&2
    die "outputs differ: gcc -O2 and $config (the first lines of the difference above; all in $tmp)"
  fi
done
echo "${#traces[@]} traces: identical output from gcc -O2, clang -O2, gcc ASan+UBSan ($(wc -l <"$tmp/opt.out") lines)"
rm -rf "$tmp"

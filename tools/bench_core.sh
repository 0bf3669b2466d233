#!/usr/bin/env bash
# bench_core.sh [OPS] - core throughput without sanitizers (-c opt): OPS
# random ops (default 100000) from seeds 1..3, per configuration: each
# backend alone, one world with the invariants after every op, and the two
# backends in lockstep with every check.  Prints each run and the median.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. tools/bazel_lib.sh
usage() {
  cat <<TXT
usage: ./rmapfuzz bench --core [OPS]

Core throughput without sanitizers: OPS random ops (default 100000) from
seeds 1..3 per configuration (each backend alone, invariants after every op,
the lockstep full and fast); prints each run and the median ops/s.
TXT
}
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  "" | [0-9]*) ;;
  *) echo "rmapfuzz bench: OPS is a whole number, not '$1'" >&2; usage >&2; exit 2 ;;
esac
[ $# -le 1 ] && [[ ${1:-1} =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
ops=${1:-100000}
bin=$(bazel_bin opt //tools:bench_core) || exit 2
median() { sort -n | sed -n 2p; }
for mode in "--backend scan" "--backend obj" "--backend ptechain" \
            "--backend obj --check" "--lockstep" "--lockstep-fast"; do
  rates=()
  for seed in 1 2 3; do
    out=$("$bin" --ops "$ops" --seed "$seed" $mode)
    echo "  seed $seed: $out"
    rates+=("$(echo "$out" | sed 's/.*: \([0-9]*\) ops\/s.*/\1/')")
  done
  printf '%s\n' "${rates[@]}" | median | xargs printf "median [$mode]: %s ops/s\n"
done

#!/usr/bin/env bash
# bench_core.sh [OPS] - core throughput without sanitizers (-c opt): OPS
# random ops (default 100000) from seeds 1..3, per configuration: each
# backend alone, one world with the invariants after every op, and the two
# backends in lockstep with every check.  Prints each run and the median.
set -euo pipefail
cd "$(dirname "$0")/.."
ops=${1:-100000}
bazel build --config=opt --color=no --curses=no --noshow_progress //tools:bench_core >&2
bin=$(ls bazel-out/*-opt*/bin/tools/bench_core | head -1)
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

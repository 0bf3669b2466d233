#!/usr/bin/env bash
# bench_core.sh - core throughput without sanitizers (-c opt): 100k random
# ops, plain and with the invariant check after every op; 3 runs each, median.
set -euo pipefail
cd "$(dirname "$0")/.."
ops=${1:-100000}
bazel build --config=opt --color=no --curses=no --noshow_progress //tools:bench_core >&2
bin=bazel-out/k8-opt-opt/bin/tools/bench_core
[ -x "$bin" ] || bin=$(ls bazel-out/*opt*/bin/tools/bench_core | head -1)
median() { sort -n | sed -n 2p; }
for mode in "" --check; do
  rates=()
  for seed in 1 2 3; do
    out=$("$bin" --ops "$ops" --seed "$seed" $mode)
    echo "  seed $seed: $out"
    rates+=("$(echo "$out" | sed 's/.*: \([0-9]*\) ops\/s.*/\1/')")
  done
  printf '%s\n' "${rates[@]}" | median | xargs printf "median ${mode:-plain}: %s ops/s\n"
done

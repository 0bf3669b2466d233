#!/usr/bin/env bash
# kernel_speed.sh [--before REV] [--runs N] [--rounds R] - the kernel
# engine's speed (issue 18; docs/bench/kernel-speed.md), measured, never
# asserted.  Root.  In one run, side by side:
#   1. libFuzzer's average execs/s of //fuzz:kernel_diff_fuzz (the
#      campaign's build: --config=libfuzzer) over -runs=N (default 600)
#      from corpus/seeds with a fresh corpus, -seed=1: this tree, and with
#      --before REV the same target built at REV (a temporary worktree),
#      alternated R times (default 3); medians and their ratio.
#   2. kernel/kspeed_main.c over corpus/seeds (x3): the engine's execs/s
#      and its time by phase (libFuzzer build), and the floor: the bare
#      forks and system calls of the same inputs (--floor, an -O2 build
#      without sanitizers: a bare program).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
before="" runs=600 rounds=3
while [ $# -gt 0 ]; do
  case $1 in
    --before) before=$2; shift ;;
    --runs) runs=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kernel_speed.sh: unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "kernel_speed.sh: the kernel engine needs root" >&2; exit 2; }
. tools/bazel_lib.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"; [ -n "$before" ] && git worktree remove --force "$tmp.before" 2>/dev/null' EXIT
cp "$(bazel_bin libfuzzer //fuzz:kernel_diff_fuzz)" "$tmp/after" || exit 2
speed=$(bazel_bin libfuzzer //kernel:kernel_speed) || exit 2
floor=$(bazel_bin opt //kernel:kernel_speed) || exit 2
if [ -n "$before" ]; then
  git worktree add --detach "$tmp.before" "$before" >/dev/null 2>&1 || { echo "kernel_speed.sh: cannot check out $before" >&2; exit 2; }
  b=$(ROOT=$tmp.before; bazel_bin libfuzzer //fuzz:kernel_diff_fuzz) || exit 2
  cp "$b" "$tmp/before"
  (cd "$tmp.before" && bazel shutdown >/dev/null 2>&1)
fi
rate() {   # rate BINARY: libFuzzer's average execs/s
  rm -rf "$tmp/corpus"; mkdir "$tmp/corpus"
  (cd "$tmp" && "$1" -seed=1 -runs="$runs" -print_final_stats=1 corpus "$ROOT/corpus/seeds" 2>&1) |
    sed -n 's/^stat::average_exec_per_sec: *//p'
}
declare -A r
for i in $(seq 1 "$rounds"); do
  for t in ${before:+before} after; do
    x=$(rate "$tmp/$t"); r[$t]="${r[$t]:-} $x"
    echo "round $i $t: $x execs/s"
  done
done
med() { printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
a=$(med "${r[after]}")
if [ -n "$before" ]; then
  b=$(med "${r[before]}")
  echo "libFuzzer median over $rounds rounds of -runs=$runs: before ($before) $b execs/s, after $a execs/s: $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1fx", b ? a / b : 0 }')"
else
  echo "libFuzzer median over $rounds rounds of -runs=$runs: $a execs/s"
fi
"$speed" --repeat 3 corpus/seeds
"$floor" --floor --repeat 3 corpus/seeds

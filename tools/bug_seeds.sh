#!/usr/bin/env bash
# bug_seeds.sh - do the committed inputs catch each injected bug as they
# stand?  (issue 12: a time to detect measured from a corpus that already
# holds the answer measures the seeds, not the fuzzer.)
#
#   tools/bug_seeds.sh [--bugs a,b,...] [--out FILE]    (default: stdout)
#
# For every bug of bugs/bug_list.h (or those named), with the bug on:
#   seeds      every corpus/seeds and corpus/regressions input through the
#              fuzz target (RMAP_BUG=NAME; its checks, no expectations):
#              the canaries over all of them, and the inputs it aborts on;
#   traces     every corpus/patterns and tests/scenarios trace through
#              `rmt_run --bug NAME` (invariants, walks and the traces'
#              expectations, kernel-checked or hand-derived as each
#              trace's "# checked:" line says): canaries, and the traces
#              that fail.
# Prints a Markdown table: bug, class, then reached / triggered / detected
# (how many inputs, and the first) for each of the two.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bugs="" out=/dev/stdout
while [ $# -gt 0 ]; do
  case $1 in
    --bugs) bugs=${2//,/ }; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bug_seeds: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# Bazel the launcher's way (tools/bazel_lib.sh), the binaries where it says
. "$ROOT/tools/bazel_lib.sh"
RUN=$(bazel_bin opt+bugs //cmd:rmt_run) || exit 2
FUZZ=$(bazel_bin opt+bugs //fuzz:rmap_diff_fuzz) || exit 2
DUMP=$(bazel_bin opt+bugs //bugs:canary_dump) || exit 2
[ -n "$bugs" ] || bugs=$("$RUN" --bug list | cut -d' ' -f1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# "R T" summed over the canary lines of bug $1 in file $2
canary_sum() {
  awk -v b="$1" '$1 == "canary" && $2 == b {
      split($3, r, "="); split($4, t, "="); R += r[2]; T += t[2] }
    END { printf "%d %d\n", R, T }' "$2"
}

# one table cell: "N (first)" or "0"
found() { [ "$1" -eq 0 ] && echo 0 || echo "$1 ($2)"; }

seeds_of() {
  local name=$1 n=0 first="" f
  for f in corpus/seeds/* corpus/regressions/*; do
    if ! (RMAP_BUG=$name RMAP_BUG_CANARIES=$tmp/$name.can "$FUZZ" "$f" \
          >/dev/null 2>&1; exit $?) 2>/dev/null; then
      n=$((n + 1)); [ -n "$first" ] || first=$(basename "$f")
    fi
  done
  read -r r t < <("$DUMP" "$tmp/$name.can" "$name" | canary_sum "$name" /dev/stdin)
  echo "$r | $t | $(found $n "$first")"
}

traces_of() {
  local name=$1 n=0 first="" f
  : >"$tmp/$name.err"
  for f in corpus/patterns/*.rmt tests/scenarios/*.rmt; do
    if ! ("$RUN" --quiet --bug "$name" "$f" >/dev/null 2>>"$tmp/$name.err";
          exit $?) 2>/dev/null; then
      n=$((n + 1)); [ -n "$first" ] || first=$(basename "$f" .rmt)
    fi
  done
  read -r r t < <(canary_sum "$name" "$tmp/$name.err")
  echo "$r | $t | $(found $n "$first")"
}

{
  echo "| bug | class | seeds: reached | triggered | detected | traces: reached | triggered | detected |"
  echo "|---|---|---|---|---|---|---|---|"
  for name in $bugs; do
    class=$("$RUN" --bug list | awk -v b="$name" '$1 == b { print $2 }')
    [ -n "$class" ] || { echo "bug_seeds: no bug '$name'" >&2; exit 2; }
    echo "| $name | $class | $(seeds_of "$name") | $(traces_of "$name") |"
  done
} >"$out"

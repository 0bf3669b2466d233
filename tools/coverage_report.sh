#!/usr/bin/env bash
# usage: ./rmapfuzz coverage [DIR...]
#
# How much of core/ and oracle/ a corpus reaches.  Every input under DIR
# (default: corpus/seeds, regressions/*.bin, fuzzed; a campaign: its
# corpus/ and AFL++ queues) is replayed through the plain fuzz target
# built with clang source-based coverage (--config=llvmcov).  Writes an
# HTML report (out/coverage/index.html) and prints llvm-cov's per-file
# table (regions, functions, lines, branches) for core/ and oracle/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/bazel_lib.sh"
case ${1:-} in
  -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;   # the comment above, to its end
  -*) echo "rmapfuzz coverage: unknown option '$1'" >&2; exit 2 ;;
esac
say() { :; }
. "$ROOT/tools/findings.sh"
inputs=()
for d in "$@"; do
  [ -d "$d" ] || [ -f "$d" ] || { echo "rmapfuzz coverage: no '$d'" >&2; exit 2; }
  # a campaign: its corpus and AFL++ queues only (campaign_inputs)
  mapfile -t -O "${#inputs[@]}" inputs < <(campaign_inputs "$(readlink -f "$d")")
done
if [ ${#inputs[@]} -eq 0 ]; then
  for d in seeds fuzzed; do
    [ -d "$ROOT/corpus/$d" ] && inputs+=("$ROOT/corpus/$d")
  done
  # the binary regressions: NAME.rmt beside each is its trace, not an input
  for d in "$ROOT"/corpus/regressions/*.bin; do [ -f "$d" ] && inputs+=("$d"); done
fi
bin=$(bazel_bin llvmcov //fuzz:rmap_diff_fuzz) || exit 2
cd "$ROOT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rmapfuzz-cov.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
LLVM_PROFILE_FILE=$tmp/replay.profraw "$bin" "${inputs[@]}" >&2
llvm-profdata merge -sparse "$tmp/replay.profraw" -o "$tmp/replay.profdata"
files=$(ls core/*.c oracle/*.c)
mkdir -p out/coverage
# shellcheck disable=SC2086
llvm-cov show "$bin" -instr-profile="$tmp/replay.profdata" -format=html \
  -output-dir=out/coverage -path-equivalence=/proc/self/cwd,"$PWD" $files
# shellcheck disable=SC2086
llvm-cov report "$bin" -instr-profile="$tmp/replay.profdata" \
  -show-branch-summary -path-equivalence=/proc/self/cwd,"$PWD" $files
echo "HTML report: $ROOT/out/coverage/index.html"

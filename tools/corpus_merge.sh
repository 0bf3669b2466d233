#!/usr/bin/env bash
# usage: ./rmapfuzz merge [DIR...]
#
# Minimizes a working corpus into corpus/fuzzed/, keeping coverage.  DIR is
# a campaign directory (default: every out/fuzz-*) or a directory of
# inputs.  What corpus/ already reaches (seeds, regressions, fuzzed) is the
# baseline: an input is added only when it reaches something new, so
# merging twice changes nothing.  libFuzzer's -merge=1 for libFuzzer
# corpora; afl-cmin for AFL++ queues (a campaign directory with afl/).
# Exit status: 0 merged (or nothing new), 2 usage or setup error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/bazel_lib.sh"
# --help: the comment above, to its end (no fixed line range to outgrow)
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
dest=$ROOT/corpus/fuzzed
case ${1:-} in
  -h | --help) usage; exit 0 ;;
  --into) [ $# -ge 2 ] || { echo "rmapfuzz merge: --into wants a directory" >&2; exit 2; }
          dest=$2; shift 2 ;;
  -*) echo "rmapfuzz merge: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  shopt -s nullglob
  dirs=("$ROOT"/out/fuzz-*)
  shopt -u nullglob
  [ ${#dirs[@]} -gt 0 ] || { echo "rmapfuzz merge: no campaign under $ROOT/out (give DIR)" >&2; exit 2; }
fi
mkdir -p "$dest" || exit 2
dest=$(cd "$dest" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rmapfuzz-merge.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
baseline=("$ROOT/corpus/seeds" "$ROOT/corpus/regressions" "$dest")
# the inputs of the baseline: every file, but of corpus/regressions only
# the binary ones (NAME.rmt beside NAME.bin is its trace, not an input)
baseline_inputs() {
  local d
  for d in "${baseline[@]}"; do
    [ -d "$d" ] || continue
    if [ "$d" = "$ROOT/corpus/regressions" ]; then
      find "$d" -maxdepth 1 -type f -name '*.bin'
    else
      find "$d" -maxdepth 1 -type f
    fi
  done
}

# the inputs of DIR: a campaign's corpora, or DIR itself
lf_inputs=() afl_inputs=()
for d in "${dirs[@]}"; do
  [ -d "$d" ] || { echo "rmapfuzz merge: no directory '$d'" >&2; exit 2; }
  d=$(cd "$d" && pwd)   # libFuzzer's merge runs in $tmp
  if [ -d "$d/afl" ]; then
    for q in "$d"/afl/*/queue; do [ -d "$q" ] && afl_inputs+=("$q"); done
  elif [ -d "$d/corpus" ] && [ -d "$d/findings" ]; then
    lf_inputs+=("$d/corpus")
  else
    lf_inputs+=("$d")
  fi
done
before=$(ls "$dest" | wc -l)

# inputs of $tmp/out that are not yet in corpus/ (by content) go to $dest
adopt_new() {
  local f h
  declare -A known=()
  while read -r h _; do known[$h]=1; done < <(baseline_inputs | xargs -r -d '\n' sha1sum)
  for f in "$1"/*; do
    [ -f "$f" ] || continue
    h=$(sha1sum "$f" | cut -d' ' -f1)
    [ -n "${known[$h]:-}" ] || cp "$f" "$dest/$h"
  done
}

if [ ${#lf_inputs[@]} -gt 0 ]; then
  target=$(bazel_bin libfuzzer //fuzz:rmap_diff_fuzz) || exit 2
  mkdir -p "$tmp/out"
  baseline_inputs | xargs -r -d '\n' cp -t "$tmp/out/"
  (cd "$tmp" && "$target" -merge=1 -merge_control_file="$tmp/control" \
     -max_len=4096 -timeout=10 out "${lf_inputs[@]}") > "$tmp/merge.log" 2>&1 ||
    { tail -20 "$tmp/merge.log" >&2; echo "rmapfuzz merge: libFuzzer's merge failed" >&2; exit 2; }
  adopt_new "$tmp/out"
fi
if [ ${#afl_inputs[@]} -gt 0 ]; then
  # RMAPFUZZ_AFL_TARGET: a prebuilt AFL++ target (for the checks)
  target=${RMAPFUZZ_AFL_TARGET:-$(bazel_bin afl_asan //fuzz:rmap_diff_fuzz)} || exit 2
  mkdir -p "$tmp/afl-in"
  baseline_inputs | xargs -r -d '\n' cp -t "$tmp/afl-in/"
  for d in "${afl_inputs[@]}"; do
    find "$d" -maxdepth 1 -type f -exec cp {} "$tmp/afl-in/" \; 2>/dev/null
  done
  # afl-cmin refuses directories under /tmp (others could write there):
  # this one is our own, made by mktemp -d
  AFL_ALLOW_TMP=1 AFL_SKIP_CPUFREQ=1 afl-cmin -i "$tmp/afl-in" -o "$tmp/afl-out" -- "$target" > "$tmp/cmin.log" 2>&1 ||
    { tail -20 "$tmp/cmin.log" >&2; echo "rmapfuzz merge: afl-cmin failed" >&2; exit 2; }
  adopt_new "$tmp/afl-out"
fi
after=$(ls "$dest" | wc -l)
echo "corpus/fuzzed: $before -> $after inputs ($((after - before)) new)"

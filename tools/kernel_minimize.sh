#!/usr/bin/env bash
# kernel_minimize.sh FILE [-o PREFIX] - shrink a kernel-engine finding (a
# binary input of fuzz/kernel_diff_fuzz.c or a .rmt trace) op by op while
# the model and the host kernel still differ with the same signature, as
# `./rmapfuzz minimize` does for the model engine (cmd/minimize.c, whose
# checks are the model's alone and so say "no divergence" for a kernel
# difference).  Root: every candidate runs on the host (kernel_repro).
#
# Delta debugging over the trace's op lines: chunks of half the ops, then
# a quarter, ... then single ops, each removal kept when kernel_repro
# --signature of the shorter trace is still the input's.  A candidate that
# no longer parses (a process used before its fork) or that stops early
# has another signature (or none) and is not kept.  Writes PREFIX.rmt
# (the trace, its signature in a comment) and PREFIX.bin (the same as fuzz
# input, rmt_codec encode); default PREFIX: FILE.min.
#
# Env: KREPRO (kernel/kernel_repro), CODEC (cmd/rmt_codec); built when
# unset.  Exit status: 0 minimized, 1 the input does not differ, 2 usage,
# unreadable input or the host cannot run the kernel world.
set -u
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }
in="" prefix=""
while [ $# -gt 0 ]; do
  case $1 in
    -o) [ $# -ge 2 ] || { usage >&2; exit 2; }; prefix=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    --bug) echo "kernel_minimize: --bug: the kernel engine runs no injected bug" >&2; exit 2 ;;
    -*) echo "kernel_minimize: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) [ -z "$in" ] || { usage >&2; exit 2; }; in=$1; shift ;;
  esac
done
[ -n "$in" ] || { usage >&2; exit 2; }
[ -r "$in" ] || { echo "kernel_minimize: cannot read $in" >&2; exit 2; }
prefix=${prefix:-$in.min}
if [ -z "${KREPRO:-}" ] || [ -z "${CODEC:-}" ]; then
  ROOT=$(cd "$(dirname "$0")/.." && pwd)
  # shellcheck source=tools/bazel_lib.sh
  . "$ROOT/tools/bazel_lib.sh"
  KREPRO=${KREPRO:-$(bazel_bin opt //kernel:kernel_repro)} || exit 2
  CODEC=${CODEC:-$(bazel_bin opt //cmd:rmt_codec)} || exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

sig=$("$KREPRO" --signature "$in" 2>"$tmp/err"); rc=$?
[ $rc -ne 2 ] || { cat "$tmp/err" >&2; exit 2; }
[ -n "$sig" ] || { echo "$in: no difference: nothing to minimize"; exit 1; }

# the ops as the kernel target decodes them (folded into the window):
# kernel_repro's trace, from its header to the first report line
"$KREPRO" "$in" 2>/dev/null |
  awk 'NR == 1 && /^==> / { next } /^     (DIVERGENCE|model:|kernel:)/ { exit } { print }' \
  > "$tmp/ops"
mapfile -t ops <"$tmp/ops"
[ ${#ops[@]} -gt 0 ] || { echo "kernel_minimize: $in: no ops read back" >&2; exit 2; }

# does the trace made of the ops kept (keep[i] = 1) still differ so?
runs=0
still() {
  local i
  : >"$tmp/cand.rmt"
  for i in "${!ops[@]}"; do
    [ "${keep[$i]}" = 1 ] && printf '%s\n' "${ops[$i]}" >>"$tmp/cand.rmt"
  done
  runs=$((runs + 1))
  [ "$("$KREPRO" --signature "$tmp/cand.rmt" 2>/dev/null)" = "$sig" ]
}

n=${#ops[@]}
keep=(); for i in "${!ops[@]}"; do keep[$i]=1; done
still || { echo "kernel_minimize: $in: its trace does not differ as the input does ($sig)" >&2; exit 2; }
chunk=$(( (n + 1) / 2 ))
while [ "$chunk" -ge 1 ]; do
  changed=1
  while [ $changed = 1 ]; do
    changed=0
    for ((start = 0; start < n; start += chunk)); do
      saved=("${keep[@]}") any=0
      for ((i = start; i < start + chunk && i < n; i++)); do
        [ "${keep[$i]}" = 1 ] && { keep[$i]=0; any=1; }
      done
      [ $any = 1 ] || continue
      if still; then changed=1; else keep=("${saved[@]}"); fi
    done
  done
  chunk=$((chunk / 2))
done
still || exit 2
{ printf '# signature: %s\n# minimized by tools/kernel_minimize.sh from %s (%d ops, %d kernel runs)\n' \
    "$sig" "$(basename "$in")" "$n" "$runs"
  cat "$tmp/cand.rmt"; } >"$prefix.rmt"
"$CODEC" encode "$tmp/cand.rmt" -o "$prefix.bin" --force >/dev/null 2>&1 ||
  echo "kernel_minimize: $prefix.bin: the trace has no fuzz-input form" >&2
echo "$sig: $n ops -> $(grep -cvE '^[[:space:]]*(#|$)' "$prefix.rmt") ops ($runs kernel runs): $prefix.rmt"
exit 0

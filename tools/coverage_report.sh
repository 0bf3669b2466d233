#!/usr/bin/env bash
# coverage_report.sh DIR... - how much of core/ a corpus reaches: every input
# in DIR (e.g. a campaign's out/fuzz-libfuzzer/corpus) replayed through the
# plain fuzz target built with clang source-based coverage; prints llvm-cov's
# per-file table (regions, functions, lines, branches) for core/ and oracle/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: tools/coverage_report.sh CORPUS_DIR..." >&2; exit 2; }
bazel build --config=llvmcov --color=no --curses=no --noshow_progress //fuzz:rmap_diff_fuzz >&2
bin=$(bazel cquery --config=llvmcov --color=no --curses=no --noshow_progress //fuzz:rmap_diff_fuzz \
      --output=starlark --starlark:expr='target.files_to_run.executable.path' 2>/dev/null | tail -1)
tmp=$(mktemp -d)
LLVM_PROFILE_FILE=$tmp/replay.profraw "$bin" "$@" >&2
llvm-profdata merge -sparse "$tmp/replay.profraw" -o "$tmp/replay.profdata"
llvm-cov report "$bin" -instr-profile="$tmp/replay.profdata" \
  -show-branch-summary -path-equivalence=/proc/self/cwd,"$PWD" \
  $(ls core/*.c oracle/*.c)
rm -rf "$tmp"

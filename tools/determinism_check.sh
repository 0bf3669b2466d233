#!/usr/bin/env bash
# determinism_check.sh - the same traces give byte-identical output (results,
# dumps, reports, walk statistics) from gcc -O2, clang -O2 and gcc with
# ASan+UBSan: every scenario and every corpus pattern through `rmt_run
# --stats`.  Exit 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD; . tools/bazel_lib.sh   # bazel_cmd: Bazel the launcher's way
bazel_cmd build --config=opt //fuzz/cmd:rmt_run
bazel_cmd build --config=clang --config=opt --platform_suffix=-clang_opt //fuzz/cmd:rmt_run
bazel_cmd build --config=asan //fuzz/cmd:rmt_run
tmp=$(mktemp -d)
traces=(tests/scenarios/*.rmt corpus/patterns/*.rmt)
for b in k8-opt-opt k8-opt-clang_opt k8-fastbuild-asan; do
  "bazel-out/$b/bin/fuzz/cmd/rmt_run" --stats "${traces[@]}" > "$tmp/$b.out" || true
done
if cmp -s "$tmp/k8-opt-opt.out" "$tmp/k8-opt-clang_opt.out" &&
   cmp -s "$tmp/k8-opt-opt.out" "$tmp/k8-fastbuild-asan.out"; then
  echo "${#traces[@]} traces: identical output from gcc -O2, clang -O2, gcc ASan+UBSan ($(wc -l < "$tmp/k8-opt-opt.out") lines)"
  rm -rf "$tmp"
else
  echo "outputs differ: see $tmp"; exit 1
fi

#!/usr/bin/env bash
# gen_corpus.sh - regenerate the seed corpus (one command, deterministic):
#   corpus/patterns/*.rmt  deep-state op patterns (tools/gen_patterns.py):
#                          fork trees, mremap chains, COW after fork after
#                          mremap, truncate of shared files, swap after fork
#   corpus/seeds/*.bin     every scenario (tests/scenarios) and pattern,
#                          encoded as fuzz input (trace/codec.h); traces
#                          beyond the fuzz target's limits are skipped
# corpus/regressions/ is never touched: it holds one input per bug found.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tools/bazel_lib.sh
codec=$(bazel_bin opt //cmd:rmt_codec)
rm -rf corpus/patterns corpus/seeds
mkdir -p corpus/patterns corpus/seeds corpus/regressions
python3 tools/gen_patterns.py corpus/patterns 8
n=0 skipped=0
for f in tests/scenarios/*.rmt corpus/patterns/*.rmt; do
  base=$(basename "$f" .rmt)
  case $f in tests/*) out=corpus/seeds/scn_$base.bin ;; *) out=corpus/seeds/pat_$base.bin ;; esac
  if "$codec" encode "$f" -o "$out" 2>/tmp/gen_corpus.err; then
    n=$((n + 1))
  else
    skipped=$((skipped + 1))
    echo "skipped $f: $(head -1 /tmp/gen_corpus.err)" >&2
  fi
done
echo "corpus/seeds: $n inputs ($skipped traces beyond the fuzz limits skipped)"

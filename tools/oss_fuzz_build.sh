#!/usr/bin/env bash
# oss_fuzz_build.sh - builds every fuzz target the OSS-Fuzz way, without
# Bazel, as OSS-Fuzz's build.sh contract asks (oss-fuzz/build.sh and
# .clusterfuzzlite/build.sh call it): every source compiled with $CC
# $CFLAGS, each target linked with $LIB_FUZZING_ENGINE into $OUT, with its
# dictionary (NAME.dict), options file (NAME.options) and seed corpus
# (NAME_seed_corpus.zip: corpus/seeds, fuzzed and the binary regressions) beside it.
#
# Every target links the op-level custom mutator (fuzz/mutator/: its
# libFuzzer hooks, LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver,
# on op_mutator.c), as `./rmapfuzz fuzz` does by default: it finds the deep
# bugs byte mutations miss.  Every target here reads trace/codec.h inputs, which
# is what it mutates.  libFuzzer calls the hooks; AFL++'s driver
# (libAFLDriver) ignores them, and OSS-Fuzz's AFL++ runner
# (infra/base-images/base-runner/run_fuzzer) sets no
# AFL_CUSTOM_MUTATOR_LIBRARY, so under AFL++ the targets fuzz with AFL++'s
# own mutations (librmap_afl_mutator.so is for `./rmapfuzz fuzz --engine afl`).
#
# The fuzz targets are fuzz/*_fuzz.c, except empty_fuzz.c (the engine's
# baseline for tools/bench_fuzz.sh, nothing to find) and kernel_diff_fuzz.c
# (it runs every input on the host kernel as root: `./rmapfuzz fuzz
# --engine kernel` on a machine of ours, never on a shared fuzzing service).  Locally:
#   CC=clang CFLAGS="-fsanitize=address,undefined,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/oss tools/oss_fuzz_build.sh
# For the tests only: RMAP_EXTRA_SRCS (more sources, e.g. a broken backend)
# and RMAP_EXTRA_LDFLAGS (e.g. -Wl,--wrap=rmap_backend) go into every link.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=out/oss-fuzz}"
: "${RMAP_EXTRA_SRCS:=}" "${RMAP_EXTRA_LDFLAGS:=}"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
obj=$(mktemp -d "${WORK:-${TMPDIR:-/tmp}}/rmap-oss.XXXXXX")
trap 'rm -rf "$obj"' EXIT

# the code every target links: core, the bug switch (no bug compiled in),
# oracle, the trace and codec, diff_run, race_feedback
shared=(core/*.c bugs/bugs.c oracle/*.c trace/*.c fuzz/diff_run.c fuzz/race_feedback.c)
# shellcheck disable=SC2206
shared+=($RMAP_EXTRA_SRCS)
pids=()
mkdir -p "$obj/shared"
for s in "${shared[@]}"; do
  # shellcheck disable=SC2086
  $CC $CFLAGS -std=c11 -D_GNU_SOURCE -I. -c "$s" -o "$obj/shared/$(echo "$s" | tr / _).o" &
  pids+=($!)
done
# the op mutator and its libFuzzer hooks, linked into every target
mutator=(fuzz/mutator/op_mutator.c fuzz/mutator/libfuzzer_hooks.c)
mkdir -p "$obj/mutator"
for s in "${mutator[@]}"; do
  # shellcheck disable=SC2086
  $CC $CFLAGS -std=c11 -D_GNU_SOURCE -I. -c "$s" -o "$obj/mutator/$(basename "$s" .c).o" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done

seed_zip() {   # seed_zip ZIP: corpus/seeds and the binary regressions
  rm -f "$1"
  (cd corpus && python3 -c '
import sys, zipfile, glob
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sorted(glob.glob("seeds/*") + glob.glob("regressions/*.bin") + glob.glob("fuzzed/*")):
        z.write(f, f.replace("/", "_"))
' "$1")
}

for src in fuzz/*_fuzz.c; do
  name=$(basename "$src" .c)
  case $name in empty_fuzz | kernel_diff_fuzz) continue ;; esac
  # shellcheck disable=SC2086
  $CC $CFLAGS -std=c11 -D_GNU_SOURCE -I. -c "$src" -o "$obj/$name.main.o"
  # shellcheck disable=SC2086
  $CC $CFLAGS "$obj/$name.main.o" "$obj"/shared/*.o "$obj"/mutator/*.o $LIB_FUZZING_ENGINE $RMAP_EXTRA_LDFLAGS -o "$OUT/$name"
  for ext in dict options; do
    [ -f "fuzz/$name.$ext" ] && cp "fuzz/$name.$ext" "$OUT/"
  done
  seed_zip "$OUT/${name}_seed_corpus.zip"
  echo "built $OUT/$name"
done

#!/usr/bin/env bash
# oss_fuzz_build_test.sh - oss-fuzz/build.sh under OSS-Fuzz's build
# contract, by hand (no Docker here): the source tree in $SRC/rmapfuzz,
# empty $WORK and $OUT, CC/CFLAGS/LIB_FUZZING_ENGINE as the base-builder
# image sets them for libFuzzer + ASan.  Then what OSS-Fuzz checks of $OUT:
# every fuzz target with its seed corpus zip, .dict and .options, and each
# binary runs its whole seed corpus without a crash.
set -euo pipefail
tree=$TEST_SRCDIR/$TEST_WORKSPACE
base=${TEST_TMPDIR:-$(mktemp -d)}
export SRC=$base/src WORK=$base/work OUT=$base/out
rm -rf "$SRC" "$WORK" "$OUT"
mkdir -p "$SRC" "$WORK" "$OUT"
cp -rL "$tree" "$SRC/rmapfuzz"
export CC=clang CXX=clang++ SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
(cd "$SRC" && bash "$SRC/rmapfuzz/oss-fuzz/build.sh") > "$WORK/build.log" 2>&1 || {
  tail -30 "$WORK/build.log"; echo "0 passed, 1 failed"; exit 1; }
pass=0 fail=0
check() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*"; fi; }
targets=()
for f in "$OUT"/*; do
  [ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
done
check [ ${#targets[@]} -ge 1 ]
for t in "${targets[@]}"; do
  name=$(basename "$t")
  check [ -s "$OUT/${name}_seed_corpus.zip" ]
  check [ -s "$OUT/$name.dict" ]
  check [ -s "$OUT/$name.options" ]
  seeds=$WORK/seeds-$name
  mkdir -p "$seeds"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$OUT/${name}_seed_corpus.zip" "$seeds"
  n=$(ls "$seeds" | wc -l)
  check [ "$n" -gt 0 ]
  # -runs=0: every seed once, as OSS-Fuzz's check_build does
  if "$t" -runs=0 -dict="$OUT/$name.dict" "$seeds" > "$WORK/$name.log" 2>&1; then
    pass=$((pass + 1)); echo "$name: $n seeds ran"
  else
    fail=$((fail + 1)); echo "FAIL: $name on its seeds"; tail -20 "$WORK/$name.log"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

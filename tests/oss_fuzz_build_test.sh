#!/usr/bin/env bash
# oss_fuzz_build_test.sh - the OSS-Fuzz and ClusterFuzzLite builds under
# OSS-Fuzz's build contract, by hand (no Docker here): the source tree in
# $SRC/rmapfuzz, empty $WORK and $OUT, CC/CFLAGS/LIB_FUZZING_ENGINE as the
# base-builder image sets them for libFuzzer (infra/base-images/base-builder/
# Dockerfile): oss-fuzz/build.sh with ASan, .clusterfuzzlite/build.sh with
# UBSan (the two sanitizers of project.yaml and of cflite_pr.yml).  Then
# what OSS-Fuzz checks of $OUT: every fuzz target with its seed corpus zip,
# .dict and .options, and each binary runs its whole seed corpus without a
# crash.  And the op mutator (fuzz/mutator/) is in every target:
#
#   - nm: LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver defined;
#   - a fuzzing run of fixed seed and length (-seed=1 -runs=3000): libFuzzer
#     says it found the custom mutator, and new inputs were made by each
#     hook (the mutation sequences, MS:, of its NEW lines name Custom and
#     CustomCrossOver).
set -euo pipefail
tree=$TEST_SRCDIR/$TEST_WORKSPACE
base=${TEST_TMPDIR:-$(mktemp -d)}
export SRC=$base/src
rm -rf "$SRC"
mkdir -p "$SRC"
cp -rL "$tree" "$SRC/rmapfuzz"
export CC=clang CXX=clang++ FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
# base-builder's SANITIZER_FLAGS_address / _undefined, COVERAGE_FLAGS
flags_address="-fsanitize=address -fsanitize-address-use-after-scope"
ubsan="array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow"
flags_undefined="-fsanitize=$ubsan,unsigned-integer-overflow,unreachable,vla-bound,vptr -fno-sanitize-recover=$ubsan,unreachable,vla-bound,vptr"
export UBSAN_OPTIONS=silence_unsigned_overflow=1
pass=0 fail=0
# check WHAT CMD...: CMD must succeed
check() {
  local what=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
# 'yes' when TEXT names the mutation NAME in a mutation sequence (MS: N A-B-)
made_by() { grep -qE "MS: [0-9]+ ([A-Za-z]+-)*$1-" "$2" && echo yes || echo no; }

# build_and_check LABEL BUILD_SH SANITIZER: BUILD_SH under the contract,
# every target of its $OUT checked
build_and_check() {
  local label=$1 build=$2 sanitizer=$3 t name seeds n defined log sflags
  case $sanitizer in
    address) sflags=$flags_address ;;
    undefined) sflags=$flags_undefined ;;
  esac
  export SANITIZER=$sanitizer WORK=$base/work-$label OUT=$base/out-$label
  export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only $sflags -fsanitize=fuzzer-no-link"
  rm -rf "$WORK" "$OUT"
  mkdir -p "$WORK" "$OUT"
  if ! (cd "$SRC" && bash "$SRC/rmapfuzz/$build") > "$WORK/build.log" 2>&1; then
    tail -30 "$WORK/build.log"; echo "FAIL: $label: $build"; fail=$((fail + 1))
    return
  fi
  local targets=()
  for f in "$OUT"/*; do
    [ -f "$f" ] && [ -x "$f" ] && targets+=("$f")
  done
  check "$label: no fuzz target in \$OUT" [ ${#targets[@]} -ge 1 ]
  for t in "${targets[@]}"; do
    name=$(basename "$t")
    for f in "${name}_seed_corpus.zip" "$name.dict" "$name.options"; do
      check "$label: $name: no $f in \$OUT" [ -s "$OUT/$f" ]
    done
    seeds=$WORK/seeds-$name
    mkdir -p "$seeds"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
      "$OUT/${name}_seed_corpus.zip" "$seeds"
    n=$(ls "$seeds" | wc -l)
    check "$label: $name: an empty seed corpus" [ "$n" -gt 0 ]
    # -runs=0: every seed once, as OSS-Fuzz's check_build does
    if "$t" -runs=0 -dict="$OUT/$name.dict" "$seeds" > "$WORK/$name.log" 2>&1; then
      pass=$((pass + 1)); echo "$label: $name: $n seeds ran"
    else
      fail=$((fail + 1)); echo "FAIL: $label: $name on its seeds"; tail -20 "$WORK/$name.log"
    fi
    # the op mutator: linked in, and used by libFuzzer
    defined=$(nm --defined-only "$t" | awk '{ print $3 }')
    for hook in LLVMFuzzerCustomMutator LLVMFuzzerCustomCrossOver; do
      check "$label: $name: $hook not defined (nm): the op mutator is not linked in" \
        grep -qx "$hook" <<<"$defined"
    done
    log=$WORK/$name.fuzz.log
    mkdir -p "$WORK/new-$name"
    if "$t" -seed=1 -runs=3000 -dict="$OUT/$name.dict" "$WORK/new-$name" "$seeds" \
         > "$log" 2>&1; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL: $label: $name, 3000 runs"; tail -20 "$log"
    fi
    check "$label: $name: libFuzzer did not find LLVMFuzzerCustomMutator" \
      grep -q '^INFO: found LLVMFuzzerCustomMutator' "$log"
    check "$label: $name: no new input made by LLVMFuzzerCustomMutator" \
      [ "$(made_by Custom "$log")" = yes ]
    check "$label: $name: no new input made by LLVMFuzzerCustomCrossOver" \
      [ "$(made_by CustomCrossOver "$log")" = yes ]
    echo "$label: $name: 3000 runs, $(grep -cE '\sNEW\s' "$log") new inputs," \
      "$(grep -cE 'MS: [0-9]+ ([A-Za-z]+-)*Custom-' "$log") by Custom," \
      "$(grep -cE 'MS: [0-9]+ ([A-Za-z]+-)*CustomCrossOver-' "$log") by CustomCrossOver"
  done
}

build_and_check oss-fuzz oss-fuzz/build.sh address
build_and_check cflite .clusterfuzzlite/build.sh undefined
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# oss_fuzz_build.sh - builds the fuzz target the OSS-Fuzz way, without Bazel:
# $CC $CFLAGS for every source, linked with $LIB_FUZZING_ENGINE, into $OUT,
# with the dictionary, the options file and the seed corpus as a zip, as
# OSS-Fuzz's build.sh contract expects.  Locally, for example:
#   CC=clang CFLAGS="-fsanitize=address,undefined,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/oss tools/oss_fuzz_build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:=out/oss-fuzz}"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
obj=$(mktemp -d)
srcs=(core/*.c oracle/*.c fuzz/trace/*.c fuzz/codec/*.c fuzz/diff_run.c fuzz/rmap_diff_fuzz.c)
for s in "${srcs[@]}"; do
  # shellcheck disable=SC2086
  $CC $CFLAGS -std=c11 -D_GNU_SOURCE -I. -c "$s" -o "$obj/$(echo "$s" | tr / _).o"
done
# shellcheck disable=SC2086
$CC $CFLAGS "$obj"/*.o $LIB_FUZZING_ENGINE -o "$OUT/rmap_diff_fuzz"
cp fuzz/rmap_diff_fuzz.dict fuzz/rmap_diff_fuzz.options "$OUT/"
rm -f "$OUT/rmap_diff_fuzz_seed_corpus.zip"
(cd corpus && python3 -c '
import sys, zipfile, glob
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sorted(glob.glob("seeds/*") + glob.glob("regressions/*.bin")):
        z.write(f, f.replace("/", "_"))
' "$OUT/rmap_diff_fuzz_seed_corpus.zip")
rm -rf "$obj"
echo "built $OUT/rmap_diff_fuzz"

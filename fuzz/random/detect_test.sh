#!/usr/bin/env bash
# detect_test.sh - the bug benchmark, CI-sized and deterministic (issue 12):
# a few injected bugs, each searched for by the random engine (rmap_random)
# with a fixed seed and a fixed number of inputs, must be detected (the
# target aborts and leaves its crash file, and the finding replays); with
# every bug off the same search finds nothing.  Counts, not time: the runs
# below find their bug within a fraction of their count.
#
# Built by with_bugs_test (build_defs/bugs.bzl): the bugs are compiled in.
set -u

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-rmapfuzz}" 2>/dev/null || true
RANDOM_ENGINE=fuzz/random/rmap_random
TARGET=fuzz/rmap_diff_fuzz
TMP=${TEST_TMPDIR:-$(mktemp -d)}
export ASAN_OPTIONS=abort_on_error=1
failures=0

# bug seed runs: found by seed at input < runs (measured: well below)
cases=(
  "truncate_skips_vma 1 400"
  "obj_vma_address_skips_last 2 200"
  "ptechain_remove_leaves_duplicate 1 100"
  "mremap_dontunmap_no_anon_vma 2 500"
  "remove_migration_ptes_misses 1 1500"
)

for c in "${cases[@]}"; do
  read -r bug seed runs <<<"$c"
  dir=$TMP/$bug; mkdir -p "$dir"
  (RMAP_BUG=$bug "$RANDOM_ENGINE" --seed "$seed" --runs "$runs" \
     --artifact-prefix "$dir/" >"$dir/log" 2>&1; exit $?) 2>/dev/null
  crash=$(ls "$dir"/crash-random-* 2>/dev/null | head -n 1)
  if [ -z "$crash" ]; then
    echo "FAIL $bug: seed $seed, $runs inputs: not detected"
    failures=$((failures + 1)); continue
  fi
  # the replay must report the divergence the engine reported, not merely fail
  (RMAP_BUG=$bug "$TARGET" "$crash" >"$dir/replay" 2>&1; exit $?) 2>/dev/null
  found=$(grep -m1 'DIVERGENCE SIGNATURE' "$dir/log")
  again=$(grep -m1 'DIVERGENCE SIGNATURE' "$dir/replay")
  if [ -z "$found" ] || [ "$found" != "$again" ]; then
    echo "FAIL $bug: $(basename "$crash") does not replay as found ('$found' / '$again')"
    failures=$((failures + 1)); continue
  fi
  echo "ok   $bug: $(basename "$crash"), $found"
done

# no bug on: the same engine finds nothing
if ! "$RANDOM_ENGINE" --seed 1 --runs 1500 --artifact-prefix "$TMP/clean-" \
     >"$TMP/clean.log" 2>&1; then
  echo "FAIL no bug on: the random engine found something"; cat "$TMP/clean.log"
  failures=$((failures + 1))
else
  echo "ok   no bug on: $(tail -n 1 "$TMP/clean.log")"
fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }

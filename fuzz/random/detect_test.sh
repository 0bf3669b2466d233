#!/usr/bin/env bash
# detect_test.sh - the bug benchmark, CI-sized and deterministic (issue 12):
# a few injected bugs, each searched for by the random engine (rmap_random)
# with a fixed seed and a fixed number of inputs, must be detected as the
# bug table says it is, and only because of the bug:
#
#   - the target aborts and leaves its crash file;
#   - its signature's first word is the check bugs/bug_list.h names for the
#     bug (rmap_random --list-bugs prints the table): a finding of another
#     kind is not this bug's detection;
#   - replayed with the bug on, the crash file gives the same signature;
#   - replayed with every bug off, it runs clean: the divergence is the
#     bug's, not one the model has anyway;
#
# and with every bug off the same search finds nothing.  Counts, not time:
# the runs below find their bug within a fraction of their count.
#
# The bugs are those whose table check the fuzz target's signing replay
# reports first.  Not here: remove_migration_ptes_misses, whose findings
# are signed walk:move_frame:failed:ptechain (the migration's frame move
# leaves the chain wrong before the op ends), while the table says
# invariant-mapcount (the per-op check's order, which bugs:suite_test
# checks).  mremap_dontunmap_no_anon_vma is here since the signature names
# the VMA change (invariant-anon_vma:vma_copy:obj, was walk:move:obj).
#
# Built by with_bugs_test (build_defs/bugs.bzl): the bugs are compiled in.
set -u

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-rmapfuzz}" 2>/dev/null || true
RANDOM_ENGINE=fuzz/random/rmap_random
TARGET=fuzz/rmap_diff_fuzz
TMP=${TEST_TMPDIR:-$(mktemp -d)}
export ASAN_OPTIONS=abort_on_error=1
failures=0

fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# bug seed runs: found by seed at input < runs (measured: well below).
# Seeds re-chosen when the codec changed what random bytes decode to (the
# interleave field of issue 21 and the extended kinds of issue 20, merged):
# anon_vma_reuse_degree is not found by seeds 1-2 in 4000 inputs, and
# ptechain_remove_leaves_duplicate's seed 1 now first hits a core BUG_ON
# (bug:core/phys.c:88, a frame freed with its chain) before a walk sees it.
# Issue 20's KSM slots (extended kinds 86-89) changed them again: seed 3
# finds anon_vma_reuse_degree in none of 4000 inputs now, seed 2 at input
# 1719 (seeds 1, 5, 7 too; 3, 4, 6, 8 not).
# And for issue 19's codec slots (8a-8d: THP advices and
# thp-sizes in random bytes): truncate_skips_vma's seed 1 now first trips
# the truncate rule (invariant-truncate, the same bug seen by another
# check; seeds 7, 8, 9, 10, 13 sign it file-dropped), and
# anon_vma_reuse_degree is found by seeds 2, 5, 6 of 1-8 (at inputs 197,
# 1487, 2827), not by 3.  With both (KSM's 86-89 and THP's 8a-8d) seed 2
# no longer finds it in 4000 inputs and seed 3 does.
# Issue 21's PMD slice (points 12-13, slot 8e: collapse with an ILV) moved
# them once more: truncate_skips_vma's seed 7 now signs it invariant-truncate
# at input 230; of seeds 1-13, 1, 2, 4, 6, 8 and 10 sign it file-dropped
# (seed 2 at input 178), 3, 7, 11, 12, 13 truncate, 5 and 9 not in 400.
# The ILV escape form (issue 21's collapse walker and 17th point: a walker
# value 3 now reads one more byte): anon_vma_reuse_degree is found by
# seeds 2 and 5 in 4000 inputs (at 2300 and 1487), no longer by 3.
cases=(
  "truncate_skips_vma 2 400"
  "obj_vma_address_skips_last 2 200"
  "ptechain_remove_leaves_duplicate 2 100"
  "anon_vma_reuse_degree 5 4000"
  "fork_keeps_parent_writable 1 100"
  "anon_itree_stale_on_grow 2 300"
  "mremap_dontunmap_no_anon_vma 1 800"
)

# the table: "NAME CLASS CHECK SITE..." a line
table=$("$RANDOM_ENGINE" --list-bugs) ||
  { echo "FAIL $RANDOM_ENGINE --list-bugs: no bug table"; exit 1; }

# The divergence signature in FILE (the target's SIGNATURE_LINE), or "".
signature() { grep -m1 -o 'DIVERGENCE SIGNATURE: [^ ]*' "$1" | cut -d' ' -f3; }

for c in "${cases[@]}"; do
  read -r bug seed runs <<<"$c"
  check=$(awk -v b="$bug" '$1 == b { print $3 }' <<<"$table")
  [ -n "$check" ] || { fail "$bug: not in the bug table (bugs/bug_list.h)"; continue; }
  dir=$TMP/$bug; mkdir -p "$dir"
  (RMAP_BUG=$bug "$RANDOM_ENGINE" --seed "$seed" --runs "$runs" \
     --artifact-prefix "$dir/" >"$dir/log" 2>&1; exit $?) 2>/dev/null
  crash=$(ls "$dir"/crash-random-* 2>/dev/null | head -n 1)
  if [ -z "$crash" ]; then
    fail "$bug: seed $seed, $runs inputs: not detected"; continue
  fi
  found=$(signature "$dir/log")
  if [ "${found%%:*}" != "$check" ]; then
    fail "$bug: $(basename "$crash") found as '${found:-no divergence signature}'," \
      "the table (bugs/bug_list.h) says '$check'"
    continue
  fi
  # the replay must report the divergence the engine reported, not merely fail
  (RMAP_BUG=$bug "$TARGET" "$crash" >"$dir/replay" 2>&1; exit $?) 2>/dev/null
  again=$(signature "$dir/replay")
  if [ "$found" != "$again" ]; then
    fail "$bug: $(basename "$crash") does not replay as found ('$found' / '$again')"
    continue
  fi
  # with every bug off the same input runs clean
  ("$TARGET" "$crash" >"$dir/clean" 2>&1; exit $?) 2>/dev/null
  rc=$?
  if [ $rc -ne 0 ] || grep -q 'DIVERGENCE' "$dir/clean"; then
    fail "$bug: $(basename "$crash") with every bug off: exit $rc," \
      "'$(signature "$dir/clean")'"
    tail -n 5 "$dir/clean"
    continue
  fi
  echo "ok   $bug: $(basename "$crash"), $found (the table: $check); clean with the bug off"
done

# no bug on: the same engine finds nothing
if ! "$RANDOM_ENGINE" --seed 1 --runs 1500 --artifact-prefix "$TMP/clean-" \
     >"$TMP/clean.log" 2>&1; then
  fail "no bug on: the random engine found something"; tail -n 12 "$TMP/clean.log"
else
  echo "ok   no bug on: $(tail -n 1 "$TMP/clean.log")"
fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }

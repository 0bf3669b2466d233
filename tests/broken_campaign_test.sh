#!/usr/bin/env bash
# broken_campaign_test.sh - the whole crash workflow against a build with a
# deliberately broken backend (the injected bug ptechain_remove_leaves_duplicate
# of bugs/bug_list.h: removing a chain entry leaves a duplicate), not timed: a libFuzzer campaign of a fixed number of runs
# from a fixed seed, run twice on one --out (a path with a blank) as a
# resumed campaign is.  Checks: the finding is filed once, under the
# signature of the event that broke the state (walk:remove:dup:ptechain), with
# its minimized form (a short trace); the second run counts it again but
# does not announce it as new, and keeps the log and counts; triage lists
# it and exits 1; `repro --emit-test` turns it into a regression scenario
# that fails on the broken build and passes on the correct one.
#
# usage: broken_campaign_test.sh CORRECT_RMT_RUN   (from Bazel: runfiles)
set -uo pipefail
good_run=$(readlink -f "$1")
tree=$TEST_SRCDIR/$TEST_WORKSPACE
T=${TEST_TMPDIR:-$(mktemp -d)}
B=$T/broken
mkdir -p "$B"
pass=0 fail=0
check() {
  local what=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

# --- the broken build: the fuzz target the OSS-Fuzz way, and the tools ------
export CC=clang
bug=ptechain_remove_leaves_duplicate
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link -DRMAP_BUGS"
(cd "$tree" && CFLAGS=$flags LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=$B WORK=$T \
   tools/oss_fuzz_build.sh) > "$T/build.log" 2>&1 || { tail -20 "$T/build.log"; exit 1; }
objs=$T/objs
mkdir -p "$objs"
(cd "$tree" && for s in core/*.c bugs/bugs.c oracle/*.c trace/*.c fuzz/diff_run.c \
                      cmd/run_file.c; do
   $CC $flags -std=c11 -D_GNU_SOURCE -I. -c "$s" -o "$objs/$(echo "$s" | tr / _).o" &
 done; wait) >> "$T/build.log" 2>&1
for tool in repro minimize rmt_run rmt_codec; do
  (cd "$tree" && $CC $flags -std=c11 -D_GNU_SOURCE -I. "cmd/$tool.c" "$objs"/*.o \
     -fsanitize=address -o "$B/$tool") >> "$T/build.log" 2>&1 ||
    { tail -20 "$T/build.log"; exit 1; }
done

# --- the campaign, twice on one directory ------------------------------------
out="$T/campaign dir"
export RMAPFUZZ_TARGET=$B/rmap_diff_fuzz RMAPFUZZ_REPRO=$B/repro \
       RMAPFUZZ_MINIMIZE=$B/minimize RMAPFUZZ_CODEC=$B/rmt_codec
campaign() { bash "$tree/tools/fuzz_campaign.sh" --runs 3000 --seed 1 --status 1 --bug $bug --out "$out"; }
campaign > "$T/run1.txt" 2>&1; rc1=$?
campaign > "$T/run2.txt" 2>&1; rc2=$?
cat "$T/run1.txt" "$T/run2.txt" | grep -E 'FINDING|finding|campaign over|SIGNATURE' | head -20

dirs=("$out"/findings/*/)
check "exit 1 when a finding was made (run 1: $rc1, run 2: $rc2)" [ "$rc1" -eq 1 -a "$rc2" -eq 1 ]
check "one finding directory (${#dirs[@]})" [ ${#dirs[@]} -eq 1 ]
d=${dirs[0]}
sig=$(cat "$d/signature" 2>/dev/null)
check "signed by the event that broke the state: '$sig'" [ "$sig" = walk:remove:dup:ptechain ]
check "announced as new once" [ "$(cat "$T/run1.txt" "$T/run2.txt" | grep -c 'NEW FINDING')" -eq 1 ]
check "the second run knows it" grep -q 'known finding seen again: walk:remove:dup:ptechain' "$T/run2.txt"
check "counted in both runs" [ "$(cat "$d/count")" -ge 2 ]
for f in input report.txt trace.rmt min.bin min.rmt engine first_seen last_seen kind; do
  check "the finding has its $f" [ -s "$d/$f" ]
done
ops=$(grep -cvE '^[[:space:]]*(#|$)' "$d/min.rmt")
# (1-minimal, so its length is the path the campaign took: 7 ops since the
# mutator's THP and race moves of 2026-12-07, 6 before)
check "minimized to a short trace ($ops ops)" [ "$ops" -ge 1 -a "$ops" -le 8 ]
check "raw inputs bounded" [ "$(find "$d/raw" -type f | wc -l)" -le 3 ]
check "crashes/ emptied by triage" [ -z "$(ls -A "$out/crashes")" ]
check "no temporary directory left" [ ! -e "$out/tmp" ]
check "the log keeps both runs" grep -q '=== run 2 ' "$out/campaign.log"
check "the log keeps both runs" grep -q '=== run 1 ' "$out/campaign.log"
check "the counts add up" grep -q 'runs_before=2' "$out/state"
# most seeds crash with the bug on: each is replayed first, one per
# signature filed, the rest loaded, so libFuzzer gets past its loading in
# both runs (a crashing seed stopped it there: no input fuzzed)
check "the crashing seeds are filed, not loaded" grep -q "seeds crash with $bug on" "$T/run1.txt"
check "libFuzzer got past loading its seeds in both runs ($(grep -ac INITED "$out/campaign.log"))" \
  [ "$(grep -ac INITED "$out/campaign.log")" -ge 2 ]
check "a time series" [ "$(wc -l < "$out/timeseries.tsv")" -ge 2 ]
# its picture drawn from the runfiles (tools/timeseries.gp), nothing said
if command -v gnuplot > /dev/null; then
  check "a plot of the time series" [ -s "$out/timeseries.png" ]
  check "gnuplot said nothing" bash -c "! grep -hi gnuplot '$T/run1.txt' '$T/run2.txt'"
fi

# --- the default engine's fork mode with the bug on ------------------------
# libFuzzer -fork: every child process shares the parent's canary file
# (RMAP_BUG_CANARIES), as `./rmapfuzz fuzz --bug NAME` runs it; a child
# that blocked on the parent's lock ran nothing (fixed -runs: it ends).
# From an empty corpus: with the bug on, seeds crash, and fork mode's
# first merge restarts its child after every crash.
mkdir -p "$T/fork-corpus" "$T/fork-tmp" "$T/fork-crashes"
(cd "$T" && RMAP_BUG=$bug RMAP_BUG_CANARIES=$T/fork-canaries TMPDIR=$T/fork-tmp \
   timeout 90 "$B/rmap_diff_fuzz" -fork=1 -runs=1000 -seed=1 -ignore_crashes=1 \
   -max_len=4096 -artifact_prefix=fork-crashes/ fork-corpus) \
   > "$T/fork.txt" 2>&1; rc=$?
fork_execs=$(grep -aoE '^#[0-9]+' "$T/fork.txt" | tail -1 | tr -d '#')
check "fork mode with --bug ends (exit $rc; 124: children blocked)" [ $rc -ne 124 ]
check "fork mode with --bug runs inputs (${fork_execs:-0})" [ "${fork_execs:-0}" -gt 0 ]
[ "${fork_execs:-0}" -gt 0 ] || tail -5 "$T/fork.txt"

# --- timeouts, OOMs and hangs are filed under their own kind ---------------
(
  say() { echo "$*"; }
  REPRO=$B/repro MINIMIZE=$B/minimize CODEC=$B/rmt_codec ENGINE=libfuzzer FINDINGS_BUG=$bug
  . "$tree/tools/findings.sh"
  cp "$d/input" "$out/crashes/timeout-1234"
  cp "$d/input" "$out/crashes/oom-5678"
  cp "$d/input" "$out/crashes/hang-afl-main-id_000000"
  triage_new
) > "$T/kinds.txt" 2>&1
for k in timeout oom hang; do
  check "a $k is filed under its own kind" [ "$(cat "$out/findings/$k/kind" 2>/dev/null)" = "$k" ]
done

# --- triage ---------------------------------------------------------------
bash "$tree/tools/triage.sh" "$out" > "$T/triage.txt" 2>&1; rc=$?
cat "$T/triage.txt"
check "triage exits 1 with a finding" [ $rc -eq 1 ]
# (3: the crashing seed filed once, and each run's own finding)
check "triage lists the signature" grep -qE '^walk:remove:dup:ptechain +3 ' "$T/triage.txt"

# --- the regression -------------------------------------------------------
"$B/repro" --bug $bug --emit-test "$d/min.rmt" -o "$T/regression.rmt" > "$T/emit.txt" 2>&1 || cat "$T/emit.txt"
cat "$T/regression.rmt"
check "emit-test names the signature" grep -q '^# signature: walk:remove:dup:ptechain' "$T/regression.rmt"
check "emit-test gives every op a result" \
  [ "$(grep -cvE '^[[:space:]]*(#|$)' "$T/regression.rmt")" -eq "$(grep -c '=>' "$T/regression.rmt")" ]
"$B/rmt_run" --bug $bug --quiet "$T/regression.rmt" > "$T/broken_run.txt" 2>&1; rc=$?
check "the regression fails on the broken build ($rc)" [ $rc -eq 1 ]
"$good_run" --quiet "$T/regression.rmt" > "$T/good_run.txt" 2>&1; rc=$?
check "the regression passes on the correct build ($rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/good_run.txt"

# --- run and repro on a trace that ends in a core BUG_ON here --------------
cat > "$T/bug.rmt" <<'RMT'
mmap p0 0x10000000 0x8000 rw anon private
write p0 0x10004000
write p0 0x10006000
fork p0 p1
fork p1 p2
age p1 0x10004000
pageout p0 0x10006000
read p0 0x10004000
RMT
printf 'mmap p0 0x10000000 0x1000 rw anon private\nwrite p0 0x10000000\n' > "$T/clean.rmt"
"$B/rmt_run" --bug $bug "$T/bug.rmt" "$T/clean.rmt" > "$T/run.txt" 2> "$T/run.err"; rc=$?
cat "$T/run.txt"
check "run: exit 1 ($rc)" [ $rc -eq 1 ]
check "run: the ops before the crash" grep -q '^   6 age p1 0x10004000 -> referenced=1' "$T/run.txt"
check "run: the crashing op" grep -q '^   7 pageout p0 0x10006000 -> CRASH' "$T/run.txt"
check "run: its signature" grep -q 'CRASH \[bug:core/phys.c:' "$T/run.txt"
check "run: the next file still runs" grep -q '^2 ops, 0 expectations' "$T/run.txt"
"$B/repro" --bug $bug "$T/bug.rmt" "$T/clean.rmt" > "$T/repro.txt" 2> "$T/repro.err"; rc=$?
cat "$T/repro.txt"
check "repro: exit 1 ($rc)" [ $rc -eq 1 ]
check "repro: the cause, during the op" grep -q 'DIVERGENCE \[walk:remove:dup:ptechain\]: after the remove event .* during pageout.*(during line 7)' "$T/repro.txt"
check "repro: stops at the first failure" bash -c "! grep -q '^   8 read' '$T/repro.txt'"
check "repro: signed by the cause" grep -q '^DIVERGENCE SIGNATURE: walk:remove:dup:ptechain' "$T/repro.txt"
check "repro: the next file still runs" grep -q '^no divergence' "$T/repro.txt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# kcompare_flaky_test.sh KERNEL_RUN COMPARE_RANDOM KERNEL_DIFF_FUZZ RMT_CODEC FILE...:
# a flaky kernel-comparison difference (one the op-by-op rerun does not show
# again, kernel/kcompare.h) is counted in every summary and fails a batch
# above its --max-flaky.  The difference is made on purpose by kcompare's
# test seam, RMAP_KCOMPARE_INJECT_FLAKY=N (the first pass of every Nth
# stream misses one mapping in the kernel's view; the rerun does not), on
# the real kernel: needs root (frame numbers in /proc/PID/pagemap); without
# it the test writes the skip record "rmapfuzz-skip: kernel: WHY" and
# exits 0: `./rmapfuzz test` counts it as skipped, never as passed.
#
# TRACE, the scenario 028_fork_cow_basic.rmt among FILE..., agrees on the
# kernel (checked first), so every difference here is the injected one:
#   kernel_run --compare   4 files, every 4th injected: "1 flaky" in the
#                          sum, FAILED and exit 1 at the default 1%; at
#                          --max-flaky 25 exactly 25% passes, at 24 fails;
#                          the same with --fast (kcompare_stream); one file
#                          alone says flaky in its own summary and fails
#   compare_random         seeds 60-75, every trace injected: the summary
#                          counts each flaky line, only traces that agreed
#                          without the seam turn flaky, FAILED over 1%
#   kernel_diff_fuzz       (its replay build) 4 inputs, every 2nd injected:
#                          stat::kernel_flaky_inputs 2 of 4, two lines in
#                          RMAP_KERNEL_FLAKY_LOG; none without the seam
set -u
kernel=$1 batch=$2 target=$3 codec=$4; shift 4
trace=""
for f in "$@"; do case $f in */028_fork_cow_basic.rmt) trace=$f ;; esac; done
[ -n "$trace" ] || { echo "FAIL: no 028_fork_cow_basic.rmt among the files"; exit 1; }
if ! why=$("$kernel" --check-host 2>&1); then
	echo "rmapfuzz-skip: kernel: the flaky-count test did not run (it needs" \
	     "root, for frame numbers in /proc/PID/pagemap): $why"
	exit 0
fi
tmp=${TEST_TMPDIR:-$(mktemp -d)}
pass=0 fail=0
check() {
	local what=$1; shift
	if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
has() { grep -qF -- "$2" "$1"; }
injected() { grep -c '^kcompare: injected a flaky difference' "$1"; }
four=("$trace" "$trace" "$trace" "$trace")

# --- kernel_run --compare -----------------------------------------------------
"$kernel" --compare --quiet "${four[@]}" > "$tmp/k0" 2> "$tmp/k0.err"; rc=$?
if [ $rc -ne 0 ] || ! has "$tmp/k0" "4 files compared: 4 agree, 0 differ, 0 stopped early, 0 flaky"; then
	cat "$tmp/k0" "$tmp/k0.err"
	echo "FAIL: $trace does not agree on this kernel without the seam (exit $rc): nothing to test"
	exit 1
fi
pass=$((pass + 1))

kinject() {   # OUT EVERY ARGS...: kernel_run --compare with the seam
	local out=$1 every=$2; shift 2
	RMAP_KCOMPARE_INJECT_FLAKY=$every "$kernel" --compare --quiet "$@" \
		> "$tmp/$out" 2> "$tmp/$out.err"
}
kinject k1 4 "${four[@]}"; rc=$?
cat "$tmp/k1"
check "one difference injected ($(injected "$tmp/k1.err"))" [ "$(injected "$tmp/k1.err")" -eq 1 ]
check "kernel_run counts it: 1 flaky of 4" \
	has "$tmp/k1" "4 files compared: 3 agree, 0 differ, 0 stopped early, 1 flaky"
check "the flaky file says so in its summary" has "$tmp/k1" "flaky (differed once, agreed when run again)"
check "its report is marked flaky" has "$tmp/k1" "flaky, not seen again: DIVERGENCE ["
check "1 of 4 is more than the default 1%: FAILED, exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && has "$tmp/k1" "FAILED: 1 flaky of 4 files compared is more than 1% (--max-flaky)"'

kinject k2 4 --max-flaky 25 "${four[@]}"; rc=$?
check "--max-flaky 25: 1 of 4 is not more, exit 0 (exit $rc)" \
	eval '[ $rc -eq 0 ] && ! has "$tmp/k2" FAILED && has "$tmp/k2" ", 1 flaky"'
kinject k3 4 --max-flaky 24 "${four[@]}"; rc=$?
check "--max-flaky 24: 1 of 4 is more, exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && has "$tmp/k3" "FAILED: 1 flaky of 4 files compared is more than 24%"'

kinject k4 4 --fast "${four[@]}"; rc=$?
check "--fast (kcompare_stream): 1 flaky of 4, exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && has "$tmp/k4" "3 agree, 0 differ, 0 stopped early, 1 flaky"'

kinject k5 1 "$trace"; rc=$?
check "one file, flaky: its own summary says it, exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && has "$tmp/k5" "flaky (differed once, agreed when run again)" &&
	      has "$tmp/k5" "FAILED: 1 flaky of 1 files compared"'

# --- compare_random -----------------------------------------------------------
"$batch" 60 75 80 > "$tmp/r0" 2> "$tmp/r0.err"
RMAP_KCOMPARE_INJECT_FLAKY=1 "$batch" 60 75 80 > "$tmp/r1" 2> "$tmp/r1.err"; rc=$?
RMAP_KCOMPARE_INJECT_FLAKY=1 "$batch" 60 75 80 --max-flaky 100 > "$tmp/r2" 2> /dev/null; rc2=$?
tail -1 "$tmp/r0"; tail -1 "$tmp/r1"
flaky=$(sed -nE 's/.* ([0-9]+) flaky.*/\1/p' "$tmp/r1" | tail -1)
lines=$(grep -cE '^seed [0-9]+: +flaky, not seen again: DIVERGENCE' "$tmp/r1")
check "compare_random: 16 injections ($(injected "$tmp/r1.err"))" [ "$(injected "$tmp/r1.err")" -eq 16 ]
check "compare_random: some trace turned flaky ($flaky)" [ "${flaky:-0}" -ge 1 ]
check "compare_random: the summary counts every flaky line ($flaky, $lines lines)" [ "${flaky:-x}" = "$lines" ]
# a flaky trace agreed without the seam: its rerun, unseamed, agrees
for s in $(grep -oE '^seed [0-9]+: +flaky' "$tmp/r1" | awk '{print $2}' | tr -d :); do
	check "seed $s: flaky only if it agreed without the seam" eval '! grep -q "^seed $s:" "$tmp/r0"'
done
check "compare_random: over 1% is FAILED, exit 1 (exit $rc)" \
	eval '[ $rc -eq 1 ] && tail -1 "$tmp/r1" | grep -q "FAILED, --max-flaky"'
differ=$(sed -nE 's/.* ([0-9]+) differ.*/\1/p' "$tmp/r2" | tail -1)
check "compare_random --max-flaky 100: not FAILED, exit by the differing ones alone (exit $rc2)" \
	eval '! tail -1 "$tmp/r2" | grep -q FAILED && [ $rc2 -eq $(( ${differ:-1} > 0 )) ]'
# the exit status by the flaky ones alone: one seed that turned flaky
s=$(grep -oE '^seed [0-9]+: +flaky' "$tmp/r1" | head -1 | awk '{print $2}' | tr -d :)
RMAP_KCOMPARE_INJECT_FLAKY=1 "$batch" "${s:-60}" "${s:-60}" 80 > "$tmp/r3" 2> /dev/null; rc=$?
RMAP_KCOMPARE_INJECT_FLAKY=1 "$batch" "${s:-60}" "${s:-60}" 80 --max-flaky 100 > "$tmp/r4" 2> /dev/null; rc2=$?
check "compare_random, seed ${s:-none} alone: 1 flaky of 1 fails (exit $rc), allowed at --max-flaky 100 (exit $rc2)" \
	eval '[ $rc -eq 1 ] && [ $rc2 -eq 0 ] &&
	      tail -1 "$tmp/r3" | grep -q "0 differ, 0 stopped early, 1 flaky (more than 1% of 1 compared: FAILED"'

# --- kernel_diff_fuzz -------------------------------------------------------------
mkdir -p "$tmp/in"
"$codec" encode "$trace" -o "$tmp/in/a" 2> /dev/null
for x in b c d; do cp "$tmp/in/a" "$tmp/in/$x"; done
"$target" "$tmp/in" > "$tmp/f0" 2>&1; rc=$?
check "kernel_diff_fuzz: no flaky input without the seam (exit $rc)" \
	eval '[ $rc -eq 0 ] && has "$tmp/f0" "stat::kernel_compared_inputs:  4" &&
	      has "$tmp/f0" "stat::kernel_flaky_inputs:     0"'
RMAP_KCOMPARE_INJECT_FLAKY=2 RMAP_KERNEL_FLAKY_LOG=$tmp/flaky.log "$target" "$tmp/in" > "$tmp/f1" 2>&1; rc=$?
grep '^stat::kernel' "$tmp/f1"
check "kernel_diff_fuzz: 2 flaky of 4 in its stats, the inputs pass (exit $rc)" \
	eval '[ $rc -eq 0 ] && has "$tmp/f1" "stat::kernel_compared_inputs:  4" &&
	      has "$tmp/f1" "stat::kernel_flaky_inputs:     2"'
check "kernel_diff_fuzz: two lines in RMAP_KERNEL_FLAKY_LOG" \
	eval '[ "$(grep -cE "^flaky kernel:[a-z-]+:sharing$" "$tmp/flaky.log")" -eq 2 ] &&
	      [ "$(wc -l < "$tmp/flaky.log")" -eq 2 ]'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

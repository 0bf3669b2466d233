#!/usr/bin/env bash
# trace_marks_test.sh KERNEL_RUNNABLE FILE.rmt... - every trace of the
# project (tests/scenarios, bugs/traces, corpus/patterns) says in its
# "# checked:" line whether its results and expectations are checked on
# the host kernel (kernel) or derived by hand (hand), and says it right:
# kernel exactly when the kernel world runs every op (the window rule,
# kernel/window.h kwindow_op_skip; kernel_runnable --check).  A trace
# marked kernel that uses pageout, age, migrate or fail-nth, or a range
# outside the kernel runner's window, fails; so does one marked hand that
# the kernel could run, since //tests:kernel_vs_model_test checks
# exactly the traces marked kernel.  Needs no root: nothing runs.
set -u
runnable=$1; shift
fail() { echo "FAIL: $*"; exit 1; }
[ $# -gt 0 ] || fail "no trace to check"
for dir in tests/scenarios bugs/traces corpus/patterns; do
  printf '%s\n' "$@" | grep -q "$dir/" || fail "no trace of $dir/ given"
done
out=$("$runnable" --check "$@" 2>&1); rc=$?
echo "$out" | grep -v ': kernel$' | grep -v ': hand: '
[ $rc -eq 0 ] || fail "kernel_runnable --check exited $rc: the marks above are wrong"
kernel=$(echo "$out" | grep -c ': kernel$')
hand=$(echo "$out" | grep -c ': hand: ')
[ $((kernel + hand)) -eq $# ] || fail "$# traces given, $((kernel + hand)) judged"
echo "$# traces: $kernel kernel-checked, $hand hand-derived, every mark right"

#!/usr/bin/env bash
# kernel_jobs.sh - the kernel engine with --jobs 2 (issue 18): a fixed-size
# campaign (--runs 300 --seed 1; libFuzzer's -fork=2, each job a controller
# with its own zygote and window) runs to its end with no finding, prints
# its progress, keeps its counts, flaky log and findings directory as the
# model engine's campaign does, resumes (the counts grow), is refused while
# another campaign holds the directory, triages, and leaves no worker
# process behind.  Needs root (the kernel world); without it: skipped,
# exit 0, said on stdout.  Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
if [ "$(id -u)" != 0 ]; then
  echo "kernel_jobs: skipped: the kernel engine needs root"; exit 0
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
out=$T/k
workers() { pgrep -c -x rmapfuzz-worker || true; }   # kernel/worker_main.c
# a worker whose controller died exits when it reads EOF (worker_main.c):
# on a loaded machine that takes a moment, so wait up to 20 s for it
workers_gone() {
  for _ in $(seq 1 100); do [ "$(workers)" -le "$before" ] && return 0; sleep 0.2; done
  return 1
}
before=$(workers)

./rmapfuzz fuzz --engine kernel --jobs 2 --runs 300 --seed 1 --status 2 --out "$out" > "$T/run1" 2>&1; rc=$?
check "--jobs 2 --runs 300: exit 0 ($rc; $(tail -3 "$T/run1" | tr '\n' '|'))" [ $rc -eq 0 ]
check "it says 2 jobs" grep -q 'campaign over after .*(kernel, 2 job(s))' "$T/run1"
check "-fork=2 ran" grep -q -- '-fork=2: fuzzing in separate process' "$out/campaign.log"
check "progress lines" grep -q '] execs [0-9]* (' "$T/run1"
execs=$(sed -n 's/^prev_execs=//p' "$out/state")
check "300 execs or more counted ($execs)" [ "${execs:-0}" -ge 300 ]
check "the flaky log is kept" [ -f "$out/kernel-flaky.log" ]
check "no finding filed" [ -z "$(ls -A "$out/findings")" ]
check "no worker left within 20 s ($(workers_gone; workers) now, $before before)" workers_gone

# another campaign cannot share the directory while one holds it; then
# Ctrl-C.  Job control on: a background job of a script ignores SIGINT
set -m
./rmapfuzz fuzz --engine kernel --jobs 2 --time 600 --status 2 --out "$out" > "$T/run2" 2>&1 &
holder=$!
for _ in $(seq 1 300); do grep -q "] kernel engine" "$T/run2" && break; sleep 0.2; done
./rmapfuzz fuzz --engine kernel --jobs 2 --runs 10 --out "$out" > "$T/run3" 2>&1; rc=$?
check "a second campaign on the directory is refused ($rc)" [ $rc -eq 2 ]
kill -INT "$holder"; wait "$holder"; rc=$?
check "Ctrl-C: exit 130 or 3 ($rc)" [ $rc -eq 130 ] || [ $rc -eq 3 ]
set +m
check "no worker left after Ctrl-C within 20 s ($(workers_gone; workers))" workers_gone

# resume: the counts grow (once the interrupted campaign has let go of
# its directory: its children finish their cleanup after the launcher's
# exit on a loaded machine; up to 20 s)
for _ in $(seq 1 100); do flock -n "$out/.lock" true && break; sleep 0.2; done
./rmapfuzz fuzz --engine kernel --jobs 2 --runs 100 --seed 2 --status 2 --out "$out" > "$T/run4" 2>&1
execs2=$(sed -n 's/^prev_execs=//p' "$out/state")
check "resume adds to the counts ($execs -> $execs2; $(tail -2 "$T/run4" | tr "\n" "|"))" [ "${execs2:-0}" -gt "${execs:-0}" ]
check "the resumed campaign filed no finding" [ -z "$(ls -A "$out/findings")" ]
./rmapfuzz triage "$out" > "$T/triage" 2>&1; rc=$?
check "triage of the directory: exit 0 ($rc)" [ $rc -eq 0 ]
# a finding here is a model difference against this host's kernel (or a
# host setting the runner does not control): show it whole, so the CI log
# alone says which input and which lines differed
if [ -n "$(ls -A "$out/findings")" ]; then
  cat "$T/triage"
  for d in "$out"/findings/*/; do
    for f in signature kind report.txt trace.rmt minimize.log; do
      [ -f "$d$f" ] && { echo "--- $d$f"; head -c 6000 "$d$f"; echo; }
    done
  done
  echo "--- the campaigns' last lines"; tail -5 "$T/run2" "$T/run4"
fi
echo "kernel_jobs: $pass passed, $fail failed"
[ $fail -eq 0 ]

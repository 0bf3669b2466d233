#!/usr/bin/env bash
# campaign.sh - scripted checks of `./rmapfuzz fuzz` that need real time
# and the real engine (a Bazel test cannot start Bazel): a blank in --out,
# --time kept, one campaign per directory, Ctrl-C, killing the launcher,
# an engine that runs nothing, resume.  About two minutes.
# Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
out="$T/dir with space"
./rmapfuzz fuzz --help >/dev/null   # nothing to build for help
./rmapfuzz fuzz --time 1 --out "$T/warm" >/dev/null 2>&1   # builds once

# engine processes still running in DIR (their working directory)
engine_procs() {
  local p n=0
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/cwd" 2>/dev/null)" = "$1" ] && n=$((n + 1))
  done
  echo $n
}

# a blank in --out, --time 10 kept within a few seconds, inputs executed
./rmapfuzz fuzz --time 10 --status 2 --out "$out" > "$T/run1" 2>&1; rc=$?
e=$(sed -n 's/.*campaign over after \([0-9]*\)s.*/\1/p' "$T/run1")
check "--out with a blank: exit 0 ($rc)" [ $rc -eq 0 ]
check "--time 10 took ${e}s" [ "${e:-99}" -le 13 ]
execs=$(sed -n 's/^prev_execs=//p' "$out/state")
check "inputs executed ($execs)" [ "${execs:-0}" -gt 0 ]
check "no temp dir left" [ ! -e "$out/tmp" ]
check "a plot" [ -s "$out/timeseries.png" ]

# resume: counts and log kept
./rmapfuzz fuzz --time 4 --out "$out" > "$T/run2" 2>&1
execs2=$(sed -n 's/^prev_execs=//p' "$out/state")
check "resume adds to the counts ($execs -> $execs2)" [ "${execs2:-0}" -gt "${execs:-0}" ]
check "resume keeps the log" grep -q '=== run 1 ' "$out/campaign.log"

# merge: what the campaign found that reaches new code; twice: nothing new
./rmapfuzz merge --into "$T/merged" "$out" > "$T/m1" 2>&1; rc=$?
n1=$(ls "$T/merged" | wc -l)
./rmapfuzz merge --into "$T/merged" "$out" > "$T/m2" 2>&1
n2=$(ls "$T/merged" | wc -l)
check "merge adds inputs (rc $rc, $n1)" [ $rc -eq 0 -a "$n1" -gt 0 ]
check "merging twice changes nothing ($n1 -> $n2)" [ "$n1" -eq "$n2" ]

# triage of a campaign without findings: exit 0
./rmapfuzz triage "$out" > "$T/t" 2>&1; rc=$?
check "triage without findings: exit 0 ($rc)" [ $rc -eq 0 ]

# one campaign per directory, the second told who holds it.  Job control
# on: a background job of a script ignores SIGINT otherwise.
set -m
./rmapfuzz fuzz --time 30 --out "$out" > "$T/a" 2>&1 &
a=$!
for _ in $(seq 30); do [ "$(engine_procs "$out")" -gt 0 ] && break; sleep 1; done
./rmapfuzz fuzz --time 5 --out "$out" > "$T/b" 2>&1; rc=$?
check "a second campaign on one --out: exit 2 ($rc)" [ $rc -eq 2 ]
check "the message names the holder" grep -q 'in use by another campaign: pid' "$T/b"

# Ctrl-C (SIGINT to the launcher): summary, exit 130, engine gone
sleep 2
kill -INT $a; wait $a; rc=$?
check "interrupted: exit 130 ($rc)" [ $rc -eq 130 ]
check "interrupted: a summary" grep -q 'campaign over after' "$T/a"
sleep 1
check "interrupted: no engine left" [ "$(engine_procs "$out")" -eq 0 ]

# SIGKILL of the launcher alone: the engine follows within seconds
./rmapfuzz fuzz --time 60 --out "$out" > "$T/c" 2>&1 &
c=$!
for _ in $(seq 30); do [ "$(engine_procs "$out")" -gt 0 ] && break; sleep 1; done
sleep 2
check "the engine runs" [ "$(engine_procs "$out")" -gt 0 ]
kill -KILL $c; wait $c 2>/dev/null
sleep 4
check "launcher killed: no engine left" [ "$(engine_procs "$out")" -eq 0 ]
check "launcher killed: no temp dir left" [ ! -e "$out/tmp" ]

# an engine that executes nothing fails with its error
mkdir -p "$T/bin"; printf '#!/bin/sh\necho "engine: cannot start" >&2\nexit 1\n' > "$T/bin/dead"
chmod +x "$T/bin/dead"
RMAPFUZZ_TARGET=$T/bin/dead RMAPFUZZ_REPRO=/bin/false RMAPFUZZ_MINIMIZE=/bin/false RMAPFUZZ_CODEC=/bin/false \
  ./rmapfuzz fuzz --time 5 --out "$T/dead" > "$T/d" 2>&1; rc=$?
check "an engine that runs nothing: exit 2 ($rc)" [ $rc -eq 2 ]
check "its error is shown" grep -q 'engine: cannot start' "$T/d"

echo "campaign: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# Runs every scenario with rmt_run --check-all: exit 0 only when every
# expectation holds on both backends and no divergence or invariant break
# is reported.  Prints the failing files' reports and a summary line.
set -u
run=$1; shift
pass=0 fail=0
for f in "$@"; do
	if out=$("$run" --quiet --check-all "$f" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f"
		echo "$out" | grep -E 'FAILED|INVARIANT|DIVERGENCE|error' | head -20
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

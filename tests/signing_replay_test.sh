#!/usr/bin/env bash
# signing_replay_test.sh REPRO FILE... - `repro --signature` (the signing
# replay: every frame walk-checked after every rmap event, in a child) on
# every file: none may have a signature on the correct backends.  A false
# one would mean core tells its rmap observer at an inconsistent point.
set -u
repro=$1; shift
pass=0 fail=0
for f in "$@"; do
  sig=$("$repro" --signature "$f" 2>/dev/null)
  if [ -z "$sig" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $f: $sig"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

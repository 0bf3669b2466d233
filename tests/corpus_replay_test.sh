#!/usr/bin/env bash
# Replays every corpus input through the fuzz target's plain build (the
# replay driver): it aborts on any divergence, invariant break or crash.
set -u
driver=$1; shift
if out=$("$driver" "$@" 2>&1); then
	echo "$out" | tail -1
	echo "$# passed, 0 failed"
else
	echo "$out" | tail -40
	echo "corpus replay failed"
	echo "0 passed, 1 failed"
	exit 1
fi

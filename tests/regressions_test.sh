#!/usr/bin/env bash
# regressions_test.sh RMT_RUN DIR - every regression of DIR
# (corpus/regressions/) is replayed and still passes.  A regression is one
# bug the project found and fixed, kept as a trace (NAME.rmt, as `./rmapfuzz repro --emit-test`
# writes one) that states the bug and its signature in its header and the
# result of every op, so the trace itself says what "fixed" means.
#
# DIR's files by kind (the runfiles of //corpus:regression_traces and
# :regression_inputs, found here: Bazel refuses $(locations) of an empty
# glob, and an empty directory must fail, not be a build error):
#   NAME.rmt  a regression; it passes when
#               - its header has a "# regression: ..." line (the bug it
#                 guards) and a "# signature: SIG" line (what the bug's
#                 build reported);
#               - every op ends in "=> RESULT";
#               - `rmt_run --check-all` exits 0 on it: every "=> RESULT"
#                 and expect-* line held on obj and ptechain in lockstep,
#                 no divergence, no invariant broken, no crash (a core
#                 BUG_ON or a sanitizer report ends the run with a failure);
#               - its summary counts as many expectations as the file
#                 holds, all passed: none was skipped.
#   NAME.bin  a binary regression (a fuzz input the campaigns seed from);
#             it must have its trace NAME.rmt beside it, which is what is
#             replayed here (//tests:corpus_replay_test replays the bytes).
# Nothing to replay is a failure: the test would otherwise pass without
# checking anything.
set -u
run=$1 dir=$2
pass=0 fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

shopt -s nullglob
traces=("$dir"/*.rmt)
for f in "$dir"/*.bin; do
	[ -f "${f%.bin}.rmt" ] ||
		bad "$f: a binary regression without its trace ${f%.bin}.rmt (./rmapfuzz decode it, add the header and each op's '=> RESULT')"
done
if [ ${#traces[@]} -eq 0 ]; then
	echo "FAIL: no regression trace to replay in $dir (*.rmt)"
	echo "0 passed, $((fail + 1)) failed"
	exit 1
fi

# FILE's header lines and ops without a result: "FILE:LINE: why" each
lint() {
	awk -v f="$1" '
	/^# regression: *[^ ]/ { reg = 1 }
	/^# signature: *[^ ]/  { sig = 1 }
	{ sub(/#.*/, "") }
	/^[ \t]*$/ || /^[ \t]*(expect-[a-z]+|dump|thp-sizes)([ \t]|$)/ { next }
	!/=>[ \t]*[^ \t]/ { printf "%s:%d: op without \"=> RESULT\": %s\n", f, NR, $0 }
	END {
		if (!reg) printf "%s:1: no \"# regression: BUG\" header line\n", f
		if (!sig) printf "%s:1: no \"# signature: SIG\" header line\n", f
	}' "$1"
}

for f in "${traces[@]}"; do
	why=$(lint "$f")
	if [ -n "$why" ]; then
		bad "$f: not a regression trace"; echo "$why"
		continue
	fi
	want=$(sed 's/#.*//' "$f" | grep -cE '=>|^[[:space:]]*expect-')
	if ! out=$("$run" --quiet --check-all "$f" 2>&1); then
		bad "$f: its replay fails (the bug is back, or a result in it is wrong)"
		echo "$out" | grep -E 'FAILED|INVARIANT|DIVERGENCE|CRASH|error|^[^ ]+:[0-9]+:' | head -20
		continue
	fi
	sum=$(echo "$out" | tail -1)
	if [[ $sum =~ ^[0-9]+\ ops,\ ([0-9]+)\ expectations:\ ([0-9]+)\ passed,\ 0\ failed,\ 0\ divergences$ ]] &&
	   [ "${BASH_REMATCH[1]}" -eq "$want" ] && [ "${BASH_REMATCH[2]}" -eq "$want" ]; then
		pass=$((pass + 1))
	else
		bad "$f: $want expectations in the file, the run says: $sum"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

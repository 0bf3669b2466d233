#!/usr/bin/env bash
# cmd_messages_test.sh - what the command-line programs say to a user who
# gets an argument or a file wrong (issue 17's "unclear errors"): each case
# exits 2 with a message that names the mistake, never "unknown option" for
# a known one, never raw bytes, never a silent wrap-around or a huge
# allocation.  Arguments: rmt_run, rmt_codec, gen, repro, minimize (the
# built programs).
set -u
run=$1 codec=$2 gen=$3 repro=$4 minimize=$5
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0 passes=0

# expect NAME STATUS REGEX CMD...: CMD exits STATUS, its stderr matches
# REGEX (empty: says nothing)
expect() {
	local name=$1 want=$2 re=$3 rc; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ "$rc" -eq "$want" ] && if [ -z "$re" ]; then [ ! -s "$tmp/err" ]
			else grep -qE -- "$re" "$tmp/err"; fi; then
		passes=$((passes + 1))
	else
		failures=$((failures + 1))
		echo "FAIL: $name: exit $rc (want $want), stderr: $(head -c 300 "$tmp/err")" >&2
	fi
}

printf 'mmap p0 0x10000000 0x1000 rw anon private\nwrite p0 0x10000000\n' > "$tmp/t.rmt"
printf '\002\200\001\000\007\002\000\200\001\000\000\200\001\003\377\376' > "$tmp/g.bin"

# run: --bug with no name is a missing value, not an unknown option
expect "run --bug" 2 '^rmapfuzz run: --bug wants a NAME' "$run" --bug
# the same in the programs the launcher wraps, run directly
expect "repro --bug" 2 '^repro: --bug wants a NAME' "$repro" "$tmp/t.rmt" --bug
expect "repro -o" 2 '^repro: -o wants a file name' "$repro" --emit-test "$tmp/t.rmt" -o
expect "minimize --bug" 2 '^minimize: --bug wants a NAME' "$minimize" "$tmp/t.rmt" --bug
expect "minimize bad option" 2 "^minimize: bad option '--frob'" "$minimize" --frob "$tmp/t.rmt"
expect "run --backend" 2 '^rmapfuzz run: --backend wants a NAME' "$run" "$tmp/t.rmt" --backend
# four backends: the limit is three, said as such (anonvma2004 is known)
expect "run 4 backends" 2 'at most 3 backends' \
	"$run" --backend obj --backend ptechain --backend scan --backend anonvma2004 "$tmp/t.rmt"
expect "run bad backend" 2 "unknown backend 'frob' \(obj, ptechain, anonvma2004, scan, ptechain25\)" \
	"$run" --backend frob "$tmp/t.rmt"
# a binary file: said, with what takes it, and no raw bytes echoed
expect "run binary" 2 "^$tmp/g.bin: a binary file, not a trace.*repro .*decode" "$run" "$tmp/g.bin"
if LC_ALL=C grep -q $'[\001-\010\200-\377]' "$tmp/err" "$tmp/out"; then
	failures=$((failures + 1)); echo "FAIL: run binary: raw bytes printed" >&2
else passes=$((passes + 1)); fi

# decode of a trace: refused, pointing at run and encode
expect "decode trace" 2 "^rmapfuzz decode: $tmp/t.rmt is a trace \(text\); decode takes a binary fuzz input; run it .* or encode it" \
	"$codec" decode "$tmp/t.rmt"
[ ! -s "$tmp/out" ] && passes=$((passes + 1)) ||
	{ failures=$((failures + 1)); echo "FAIL: decode trace: printed a trace" >&2; }
expect "decode binary" 0 '' "$codec" decode "$tmp/g.bin"
# blanks are text and an empty trace, and may be a fuzzer's input: decoded
printf '  \n\n' > "$tmp/blank"
expect "decode blanks" 0 '' "$codec" decode "$tmp/blank"

# gen: its help, and numbers as typed
"$gen" --help >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '^usage: ./rmapfuzz gen SEED \[NOPS\]' "$tmp/out" && passes=$((passes + 1)) ||
	{ failures=$((failures + 1)); echo "FAIL: gen --help: $(head -2 "$tmp/out")" >&2; }
expect "gen negative NOPS" 2 "NOPS '-5' is not a number from 1 to" "$gen" 1 -5
expect "gen huge NOPS" 2 "NOPS '99999999999' is not a number" "$gen" 1 99999999999
expect "gen negative SEED" 2 "SEED '-1' is not a number from 0 to 2\^64 - 1" "$gen" -1
expect "gen SEED out of range" 2 "SEED '18446744073709551616' is not" "$gen" 18446744073709551616
expect "gen good" 0 '' "$gen" 0x10 5

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

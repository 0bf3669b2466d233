#!/usr/bin/env bash
# The command line of rmt_run (`./rmapfuzz run`): exit statuses 0/1/2, the
# error messages for unreadable and unparseable files, the echo and summary
# format of kernel_run.py, --quiet, several files.  Traces here use only
# behaviour every backend agrees on (anonymous faults, fork), so a failure
# is the runner's.
set -u
run=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0 passes=0

check() {   # check NAME CONDITION...
	local name=$1; shift
	if "$@"; then passes=$((passes + 1)); else
		failures=$((failures + 1)); echo "FAIL: $name" >&2; fi
}

cat > "$tmp/good.rmt" <<'T'
# a page shared by fork
mmap p0 0x10000000 0x2000 rw anon private => ok
write p0 0x10000000   # fault it in
fork p0 p1 => ok
expect-map p0:0x10000000 = p0:0x10000000 p1:0x10000000
expect-none p1:0x10001000
dump
T
cat > "$tmp/bad_expect.rmt" <<'T'
mmap p0 0x10000000 0x1000 rw anon private
read p0 0x20000000 => ok
expect-none p0:0x10000000
T
printf 'mmap p0 0x1000 0x1000 rw anon private\nfrob p0\n' > "$tmp/syntax.rmt"

"$run" "$tmp/good.rmt" > "$tmp/out" 2> "$tmp/err"
check "good: exit 0" test $? -eq 0
check "good: output" diff - "$tmp/out" <<'T'
   2 mmap p0 0x10000000 0x2000 rw anon private => ok -> ok
   3 write p0 0x10000000 -> ok
   4 fork p0 p1 => ok -> ok
   5 expect-map p0:0x10000000 = p0:0x10000000 p1:0x10000000 -> passed
   6 expect-none p1:0x10001000 -> passed
frame 1: p0:0x10000000 p1:0x10000000
3 ops, 4 expectations: 4 passed, 0 failed, 0 divergences
T

"$run" "$tmp/bad_expect.rmt" > "$tmp/out" 2> "$tmp/err"
check "failing: exit 1" test $? -eq 1
check "failing: expected" grep -qx '   2 read p0 0x20000000 => ok -> SIGSEGV  FAILED: expected ok' "$tmp/out"
check "failing: summary" grep -qx '2 ops, 2 expectations: 1 passed, 1 failed, 0 divergences' "$tmp/out"

"$run" --quiet "$tmp/bad_expect.rmt" > "$tmp/out"
check "quiet: exit 1" test $? -eq 1
check "quiet: only failures" test "$(wc -l < "$tmp/out")" -eq 2

"$run" "$tmp/syntax.rmt" > "$tmp/out" 2> "$tmp/err"
check "syntax: exit 2" test $? -eq 2
check "syntax: message" grep -qx "$tmp/syntax.rmt:2: error: unknown command near 'frob'" "$tmp/err"

"$run" "$tmp/missing.rmt" > "$tmp/out" 2> "$tmp/err"
check "missing: exit 2" test $? -eq 2
check "missing: message" grep -qx "$tmp/missing.rmt: cannot read: No such file or directory" "$tmp/err"

"$run" "$tmp/good.rmt" --quiet "$tmp/bad_expect.rmt" > "$tmp/out" 2> "$tmp/err"
check "two files: exit 1" test $? -eq 1
check "two files: headers" test "$(grep -c '^==> ' "$tmp/out")" -eq 2
"$run" "$tmp/good.rmt" "$tmp/syntax.rmt" "$tmp/bad_expect.rmt" > "$tmp/out" 2> "$tmp/err"
check "bad input wins: exit 2" test $? -eq 2
check "goes on after bad input" grep -q '^2 ops, 2 expectations' "$tmp/out"

"$run" --help > "$tmp/out"
check "help: exit 0" test $? -eq 0
check "help: usage" grep -q '^usage: ./rmapfuzz run' "$tmp/out"
"$run" > /dev/null 2>&1
check "no file: exit 2" test $? -eq 2
"$run" --frobnicate "$tmp/good.rmt" > /dev/null 2>&1
check "bad option: exit 2" test $? -eq 2

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

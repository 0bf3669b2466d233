#!/usr/bin/env bash
# kernel_minimize_test.sh KERNEL_MINIMIZE CODEC: tools/kernel_minimize.sh
# shrinks a trace while its (stand-in) kernel difference stays the same.
# The stand-in kernel_repro "differs" (kernel:fork:sharing) exactly when the
# trace maps p0's page, writes it and forks p1, and prints the trace back as
# the real one does; a trace that names p1 before "fork p0 p1" is a parse
# error (exit 2), as kernel_repro's would be.
set -u
min=$1 codec=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }

cat > "$tmp/fake_repro" <<'FAKE'
#!/usr/bin/env bash
sigmode=0
[ "$1" = --signature ] && { sigmode=1; shift; }
f=$1
fork=$(grep -n '^fork p0 p1$' "$f" | head -n 1 | cut -d: -f1)
first_p1=$(grep -n ' p1 ' "$f" | head -n 1 | cut -d: -f1)
if [ -n "$first_p1" ] && { [ -z "$fork" ] || [ "$first_p1" -lt "$fork" ]; }; then
  echo "$f: parse error: p1 before its fork" >&2; exit 2
fi
differs=0
grep -qx 'mmap p0 0x10000000 0x4000 rw anon private' "$f" &&
  grep -qx 'write p0 0x10001000' "$f" && [ -n "$fork" ] && differs=1
if [ $sigmode = 1 ]; then
  [ $differs = 1 ] && echo kernel:fork:sharing
else
  echo "==> $f"; cat "$f"
  [ $differs = 1 ] && echo "     DIVERGENCE [kernel:fork:sharing]: stand-in (after line 1)"
fi
exit $differs
FAKE
chmod +x "$tmp/fake_repro"
export KREPRO=$tmp/fake_repro CODEC=$codec

cat > "$tmp/in.rmt" <<'TRACE'
mmap p0 0x20000000 0x2000 rw anon private
write p0 0x20000000
mmap p0 0x10000000 0x4000 rw anon private
read p0 0x10000000
write p0 0x10001000
madvise p0 0x10000000 0x1000 dontneed
fork p0 p1
write p1 0x10002000
exit p1
write p0 0x10003000
TRACE
out=$(bash "$min" "$tmp/in.rmt" -o "$tmp/m" 2>&1); rc=$?
check "minimized (exit $rc: $out)" [ $rc -eq 0 ]
ops=$(grep -vE '^[[:space:]]*(#|$)' "$tmp/m.rmt" 2>/dev/null)
want=$'mmap p0 0x10000000 0x4000 rw anon private\nwrite p0 0x10001000\nfork p0 p1'
check "only the three ops that make the difference are left: [$ops]" [ "$ops" = "$want" ]
check "its signature in a comment" grep -qx '# signature: kernel:fork:sharing' "$tmp/m.rmt"
check "and a fuzz input of it" [ -s "$tmp/m.bin" ]

grep -v '^fork' "$tmp/in.rmt" | grep -v ' p1 ' > "$tmp/same.rmt"
bash "$min" "$tmp/same.rmt" -o "$tmp/n" > "$tmp/n.out" 2>&1; rc=$?
check "an input that does not differ is exit 1 ($rc)" [ $rc -eq 1 ]
check "and says so" grep -q 'nothing to minimize' "$tmp/n.out"
bash "$min" > /dev/null 2>&1; rc=$?
check "no input: usage, exit 2 ($rc)" [ $rc -eq 2 ]
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

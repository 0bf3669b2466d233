#!/usr/bin/env bash
# thp_host_test.sh KERNEL_RUN THP_TRACE MTHP_TRACE: the kernel runner and
# the host's transparent hugepage settings (kernel/thp_host.h), on the
# real kernel: needs root (frame numbers in /proc/PID/pagemap, sysfs
# writes); without it the test writes the skip record
# "rmapfuzz-skip: kernel: WHY" and exits 0 (never a pass).
#   1. a run of THP traces leaves every setting as it found it, and so do
#      SIGTERM and SIGINT while it holds them (seen: max_ptes_none 0)
#   2. SIGKILL while it holds them leaves them changed and the originals
#      in the state file: the next THP run puts them back
#   3. a run of 4 KiB-only traces never takes them (no state file, no
#      lock holder change), THP traces' folios are read back ("folio 2M
#      ... pmd" in the dump)
#   4. RMAP_THP_INJECT_FALLBACK=1: MTHP_TRACE, which agrees with the model,
#      is "not compared" (exit 3, no DIVERGENCE), never a divergence
#   5. a path the model knows it does not model (a tmpfs THP after the
#      MADV_COLLAPSE that made it: world.unmodelled) is "not compared" the
#      same way, the collapse itself compared and agreeing
# The settings are the machine's, and other THP runners may hold them
# while this runs (another test, another worktree): every look at them
# takes the runners' lock first (flock), and "held" means this runner's
# pid holds that lock (lslocks).  A change by hand during the test would
# be reported as a failure.
set -u
kernel=$1 thp=$2 mthp=$3
if ! why=$("$kernel" --check-host 2>&1); then
	echo "rmapfuzz-skip: kernel: the THP settings test did not run (it" \
	     "needs root, for frame numbers in /proc/PID/pagemap): $why"
	exit 0
fi
sys=/sys/kernel/mm/transparent_hugepage
state=/run/lock/rmapfuzz-thp.state
lock=/run/lock/rmapfuzz-thp.lock
tmp=${TEST_TMPDIR:-$(mktemp -d)}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
settings() {
	local f
	for f in enabled defrag use_zero_page khugepaged/max_ptes_none \
		 khugepaged/max_ptes_shared khugepaged/max_ptes_swap \
		 khugepaged/scan_sleep_millisecs "$sys"/hugepages-*kB/enabled; do
		f=${f#"$sys"/}
		[ -r "$sys/$f" ] && echo "$f: $(cat "$sys/$f")"
	done
}
locked_settings() { ( flock 9; settings ) 9> "$lock"; }
locked_settings > "$tmp/before"
# a broken runner must not leave the machine changed: put back by hand
# whatever differs at the end (after the checks have seen it)
put_back() {
	local f v
	while IFS= read -r line; do
		f=${line%%: *} v=${line#*: }
		case $v in *\[*) v=${v#*[}; v=${v%%]*} ;; esac
		[ "$(grep -F "$f: " <(settings))" = "$line" ] || echo "$v" > "$sys/$f"
	done < "$tmp/before"
	rm -f "$state"
}
put_back_locked() { ( flock 9; put_back ) 9> "$lock"; }
trap put_back_locked EXIT
copies=()
for i in $(seq 200); do copies+=("$thp"); done

# 1. a whole run, and signals while held
"$kernel" "$thp" > "$tmp/out" 2>&1
if grep -q '^folio 2M .* pmd' "$tmp/out"; then ok
else bad "no PMD-mapped 2M folio in the kernel's dump of $thp"; cat "$tmp/out"; fi
locked_settings | diff -u "$tmp/before" - && ok || bad "a THP run left settings changed"
holds() { lslocks -n -o PID,PATH | grep -q "^ *$1 .*rmapfuzz-thp.lock"; }
held() {   # wait until runner PID holds the settings and has changed
	local i  # one (its lock: no other runner's): 0, or 1 after ~20 s
	for i in $(seq 10000); do
		holds "$1" && [ -f "$state" ] &&
			! settings | cmp -s "$tmp/before" - && return 0
		sleep 0.002
	done
	return 1
}
for sig in TERM INT KILL; do
	"$kernel" "${copies[@]}" > /dev/null 2>&1 & pid=$!
	if ! held $pid; then
		kill -KILL $pid; wait $pid 2> /dev/null
		bad "SIG$sig: never saw the settings held"; continue
	fi
	kill -$sig $pid; wait $pid 2> /dev/null
	if [ $sig = KILL ]; then
		# 2. left behind, with the originals on disk (unless another
		# runner took the lock first: it put them back already)
		if ( flock 9; [ -f "$state" ] ||
		     settings | cmp -s "$tmp/before" - ) 9> "$lock"; then ok
		else bad "SIGKILL: settings changed and no state file left"; fi
		"$kernel" "$thp" > /dev/null 2>&1
	fi
	if ( flock 9; settings | diff -u "$tmp/before" - && [ ! -f "$state" ] ) 9> "$lock"
	then ok; else bad "SIG$sig: settings not restored, or the state file left"; fi
done

# 3. 4 KiB-only traces never take them
cat > "$tmp/small.rmt" <<'TRACE'
mmap p0 0x10000000 0x400000 rw anon private
write p0 0x10000000
fork p0 p1
write p1 0x10001000
dump
TRACE
small=()
for i in $(seq 200); do small+=("$tmp/small.rmt"); done
"$kernel" "${small[@]}" > "$tmp/small.out" 2>&1 & pid=$!
seen=0
while kill -0 $pid 2> /dev/null; do holds $pid && seen=1; done
wait $pid
[ $seen = 0 ] && ok || bad "a 4 KiB-only run took the THP settings"
grep -q '^folio' "$tmp/small.out" && bad "a 4 KiB-only trace has folio lines" || ok

# 4. a fallback is not a divergence
"$kernel" --compare "$mthp" > "$tmp/c0" 2>&1; rc=$?
if [ $rc -ne 0 ]; then
	cat "$tmp/c0"; bad "$mthp does not agree without the seam: nothing to test"
else
	ok
	RMAP_THP_INJECT_FALLBACK=1 "$kernel" --compare "$mthp" > "$tmp/c1" 2>&1; rc=$?
	if [ $rc -eq 3 ] && grep -q 'not compared after line .*fell back' "$tmp/c1" &&
	   ! grep -q DIVERGENCE "$tmp/c1"; then ok
	else cat "$tmp/c1"; bad "an injected fallback was not reported as such (exit $rc)"; fi
fi

# 5. what the model does not model is not compared, never a divergence:
# MADV_COLLAPSE of a shmem range (collapse_file) is compared, its dump
# too; the op after it meets the tmpfs THP, which the model does not follow
cat > "$tmp/shmem_collapse.rmt" <<'TRACE'
mmap p0 0x40000000 0x200000 rw anon shared
write p0 0x40000000
madvise p0 0x40000000 0x200000 collapse
dump
write p0 0x40001000
TRACE
"$kernel" --compare "$tmp/shmem_collapse.rmt" > "$tmp/c2" 2>&1; rc=$?
if [ $rc -eq 3 ] && grep -q 'not compared after line 5: .*tmpfs THP' "$tmp/c2" &&
   ! grep -q DIVERGENCE "$tmp/c2"; then ok
else cat "$tmp/c2"; bad "an unmodelled shmem collapse was not reported as such (exit $rc)"; fi
locked_settings | diff -u "$tmp/before" - && ok || bad "settings changed at the end"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

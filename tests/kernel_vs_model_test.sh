#!/usr/bin/env bash
# kernel_vs_model_test.sh KERNEL_RUN RMT_RUN COMPARE_RANDOM KNOWN FILE...:
# the kernel world against the model on the host kernel.  Needs root (frame
# numbers in /proc/PID/pagemap); without them it runs nothing and writes a
# skip record, "rmapfuzz-skip: kernel: WHY", which `./rmapfuzz test` counts
# as skipped, never as passed (./rmapfuzz test --help), and exits 0.
#
# FILE by kind:
#   kernel/testdata/NAME.expected  the golden output of NAME.rmt (the
#                                  runner's own rules: outside_window)
#   kernel/testdata/*.rmt          the runner's own cases (a real SIGBUS
#                                  it survives): the kernel meets every
#                                  expectation written in them
#   any other .rmt                 kernel-checked when it has the line
#                                  "# checked: kernel" (every op runs on
#                                  the kernel: //tests:trace_marks_test
#                                  keeps the marks true): `kernel_run` prints
#                                  exactly what `rmt_run` prints, exit
#                                  status included, and `kernel_run
#                                  --compare` finds no op whose result or
#                                  sharing differs (nor with --partial);
#                                  files named in KNOWN must still differ
# One scenario as nobody (setpriv, when it can run the test's files): the
# partial comparison where frame numbers are hidden.
# Then a CI-sized random batch: 200 traces of 80 ops, seeds 1-200
# (kernel/gen_random.h), compared op by op (COMPARE_RANDOM).
set -u
kernel=$1 model=$2 batch=$3 known=$4; shift 4
if ! why=$("$kernel" --check-host 2>&1); then
	why=$(head -1 <<<"$why")
	echo "rmapfuzz-skip: kernel: the model was not compared with the host" \
	     "kernel: ${why#kernel_run: this host cannot run the kernel world: }"
	exit 0
fi
# A host whose kernel forbids the zero page (pvm_no_zero_page=1,
# mm_forbids_zeropage) is compared with the model run the same way
# (--no-zero-page; kernel_run --compare does it by itself).  What the
# scenarios expect of the zero page then goes unconfirmed by the kernel:
# counted and reported as skipped, never as passed.
model_flags=()
zero_dependent=0
if printf '%s\n' "$why" | grep -q '^zero page: no'; then
	model_flags=(--no-zero-page)
	echo "host: $(printf '%s\n' "$why" | grep '^zero page:')"
fi
tmp=${TEST_TMPDIR:-$(mktemp -d)}
pass=0 fail=0 simonly=0 listed=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
is_known() { grep -qE "^$(basename "$1")( |$)" "$known"; }

golden() {
	local trace=${1%.expected}.rmt
	"$kernel" "$trace" > "$tmp/k" 2> /dev/null
	if diff -u "$1" "$tmp/k"; then pass=$((pass + 1))
	else bad "$trace: output differs from $1"; fi
}

kernel_says_so() {
	if "$kernel" --quiet "$1" > "$tmp/k" 2>&1; then pass=$((pass + 1))
	else bad "$1: the kernel does not do what it says"; cat "$tmp/k"; fi
}

# the same text from both, and no op that differs
agrees() {
	local mrc krc
	"$model" "${model_flags[@]}" "$1" > "$tmp/m" 2> "$tmp/merr"; mrc=$?
	"$kernel" "$1" > "$tmp/k" 2> "$tmp/kerr"; krc=$?
	# a trace whose outcome depends on the zero page fails its
	# expect-zero lines on both sides, naming each side's own frame
	# number: those are left out of the text; the op-by-op comparison
	# below still compares who shares which frame
	if [ ${#model_flags[@]} -gt 0 ] &&
	   ! "$model" "$1" 2> /dev/null | cmp -s - "$tmp/m"; then
		zero_dependent=$((zero_dependent + 1))
		sed -i -E 's/FAILED: frame [0-9]+/FAILED: frame N/' "$tmp/m" "$tmp/k"
	fi
	cmp -s "$tmp/m" "$tmp/k" && [ $mrc -eq $krc ] &&
		"$kernel" --compare --quiet "$1" > "$tmp/c" 2>&1 &&
		"$kernel" --partial --compare --quiet "$1" >> "$tmp/c" 2>&1
}

# As nobody (no frame numbers): exit 2 naming --partial; with --partial
# the model and the kernel agree on presence, and the output says partial.
# The runner and the trace are copied where nobody can read them (the
# runfiles lie under root's home, which nobody may not enter); a host where
# even that cannot run as nobody writes a skip record.
unprivileged() {
	local as="setpriv --reuid=65534 --regid=65534 --clear-groups" rc dir
	dir=$(mktemp -d /tmp/kernel_vs_model_test.XXXXXX) &&
		chmod 755 "$dir" && cp "$kernel" "$dir/kernel_run" &&
		cp "$1" "$dir/" && chmod a+r "$dir/$(basename "$1")" ||
		{ bad "cannot copy the runner and $1 into $dir"; return; }
	set -- "$dir/$(basename "$1")"
	local kernel=$dir/kernel_run
	if ! command -v setpriv > /dev/null || ! $as true 2> /dev/null ||
	   ! $as "$kernel" --help > /dev/null 2>&1; then
		echo "rmapfuzz-skip: kernel: the partial comparison as nobody did" \
		     "not run: cannot run $kernel as nobody (setpriv --reuid=65534)"
		rm -rf "$dir"; return 0
	fi
	$as "$kernel" "$1" > "$tmp/u" 2>&1; rc=$?
	if [ $rc -ne 2 ] || ! grep -q -- --partial "$tmp/u"; then
		bad "as nobody without --partial: exit $rc, not 2 naming --partial"
		cat "$tmp/u"; rm -rf "$dir"; return
	fi
	$as "$kernel" --partial --compare --quiet "$1" > "$tmp/u" 2>&1; rc=$?
	if [ $rc -eq 0 ] && head -1 "$tmp/u" | grep -q "^PARTIAL" &&
	   tail -1 "$tmp/u" | grep -q "agree (partial"; then
		pass=$((pass + 1))
		echo "partial as nobody: $(basename "$1") agrees on presence"
	else
		bad "as nobody with --partial: exit $rc"; cat "$tmp/u"
	fi
	rm -rf "$dir"
}

against_model() {
	if ! grep -qx '# checked: kernel' "$1"; then
		simonly=$((simonly + 1))
		return
	fi
	if agrees "$1"; then
		if is_known "$1"; then
			bad "$1 agrees now: remove it from $known"
		else
			pass=$((pass + 1))
		fi
	elif is_known "$1"; then
		listed=$((listed + 1))
	else
		bad "$1: the kernel differs from the model"
		diff -u --label "run $1" --label "kernel $1" "$tmp/m" "$tmp/k"
		cat "$tmp/kerr" "$tmp/c"
	fi
}

for f in "$@"; do
	case $f in
	*.expected) golden "$f" ;;
	*kernel/testdata/*.rmt) [ -f "${f%.rmt}.expected" ] || kernel_says_so "$f" ;;
	*.rmt) against_model "$f" ;;
	esac
done
for f in "$@"; do
	case $f in */028_fork_cow_basic.rmt) unprivileged "$f" ;; esac
done
# run --kernel also holds the trace to its own expectations: a trace the
# model and the kernel agree on, written wrong (no read: the zero page
# cannot matter), fails with both wrong lines named
printf '%s\n' 'mmap p0 0x10000000 0x2000 rw anon private => ok' \
	'munmap p0 0x10000000 0x1000 => EINVAL' 'write p0 0x10001000 => ok' \
	'expect-zero p0:0x10001000' > "$tmp/wrong.rmt"
"$kernel" --compare --quiet "$tmp/wrong.rmt" > "$tmp/w" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q 'FAILED: expected EINVAL' "$tmp/w" &&
   grep -q 'same, but FAILED' "$tmp/w" &&
   grep -q '2 of the trace.s expectations failed on both' "$tmp/w"; then
	pass=$((pass + 1))
else
	bad "a wrong trace the model and the kernel agree on: exit $rc"
	cat "$tmp/w"
fi
echo "$pass passed, $fail failed; $listed known differences" \
     "($known), $simonly simulator-only files not run"
if [ $zero_dependent -gt 0 ]; then
	echo "rmapfuzz-skip: zero-page: $zero_dependent traces' zero-page" \
	     "expectations not confirmed by the kernel: this host forbids the" \
	     "zero page (compared with run --no-zero-page instead)"
fi
if "$batch" 1 200 80 > "$tmp/batch" 2>&1; then
	tail -1 "$tmp/batch"
else
	cat "$tmp/batch"
	bad "random traces: the model and the kernel differ (./rmapfuzz gen SEED 80)"
fi
[ $fail -eq 0 ]

#!/usr/bin/env bash
# kernel_vs_model_test.sh KERNEL_RUN RMT_RUN KNOWN FILE...: the kernel
# world against the model on the host kernel.  Needs root (frame numbers in
# /proc/PID/pagemap); without them it says SKIPPED and passes.
#
# FILE by kind:
#   kernel/testdata/NAME.expected  the golden output of NAME.rmt (the
#                                  runner's own rules: outside_window)
#   kernel/testdata/*.rmt          model disagreements: the kernel meets
#                                  every expectation written in them
#   any other .rmt                 kernel-checkable unless it uses migrate,
#                                  pageout or age: `kernel_run` prints
#                                  exactly what `rmt_run` prints, exit
#                                  status included; files named in KNOWN
#                                  must still differ
set -u
kernel=$1 model=$2 known=$3; shift 3
if ! why=$("$kernel" --check-host 2>&1); then
	echo "SKIPPED: the kernel runner cannot run here: $why"
	exit 0
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

against_model() {
	local mrc krc
	if grep -qE '^[[:space:]]*(migrate|pageout|age)[[:space:]]' "$1"; then
		simonly=$((simonly + 1))
		return
	fi
	"$model" "$1" > "$tmp/m" 2> "$tmp/merr"; mrc=$?
	"$kernel" "$1" > "$tmp/k" 2> "$tmp/kerr"; krc=$?
	if cmp -s "$tmp/m" "$tmp/k" && [ $mrc -eq $krc ]; then
		if is_known "$1"; then
			bad "$1 agrees now: remove it from $known"
		else
			pass=$((pass + 1))
		fi
	elif is_known "$1"; then
		listed=$((listed + 1))
	else
		bad "$1: the kernel (exit $krc) differs from the model (exit $mrc)"
		diff -u --label "run $1" --label "kernel $1" "$tmp/m" "$tmp/k"
		cat "$tmp/kerr"
	fi
}

for f in "$@"; do
	case $f in
	*.expected) golden "$f" ;;
	*kernel/testdata/*.rmt) [ -f "${f%.rmt}.expected" ] || kernel_says_so "$f" ;;
	*.rmt) against_model "$f" ;;
	esac
done
echo "$pass passed, $fail failed; $listed known differences" \
     "($known), $simonly simulator-only files not run"
[ $fail -eq 0 ]

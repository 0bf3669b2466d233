#!/bin/sh
# Run every kernel-checkable scenario in this directory against the host
# kernel with the kernel runner (`./rmapfuzz kernel`, needs root) and report
# any failure.  Kernel-checkable = every *.rmt with the line
# "# checked: kernel" (the others, "# checked: hand", use operations the
# host cannot run; their expectations are hand-derived, see README.md;
# //tests:trace_marks_test keeps the marks true).  The full comparison with
# the model's output is //tests:kernel_vs_model_test.
# Usage: tests/scenarios/check_kernel.sh [-v] [FILE.rmt...]
#   KERNEL_RUN=/path/to/kernel_run overrides the runner.
dir=$(cd "$(dirname "$0")" && pwd)
root=$dir/../..
if [ -z "${KERNEL_RUN:-}" ]; then
    # Bazel the launcher's way (tools/bazel_lib.sh, a bash library)
    KERNEL_RUN=$(cd "$root" && ROOT=$(pwd) bash -c \
        '. tools/bazel_lib.sh && bazel_bin opt //kernel:kernel_run') || exit 2
fi
kr=$KERNEL_RUN
"$kr" --check-host || exit 2
verbose=0
if [ "$1" = "-v" ]; then verbose=1; shift; fi
if [ $# -gt 0 ]; then files="$*"; else files=$(ls "$dir"/*.rmt); fi

total=0; passed=0; failed=0; skipped=0; nexp=0
for f in $files; do
    name=$(basename "$f")
    if ! grep -qx '# checked: kernel' "$f"; then
        skipped=$((skipped + 1)); continue
    fi
    total=$((total + 1))
    out=$("$kr" --quiet "$f" 2>&1)
    rc=$?
    summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ ops, [0-9]+ expectations: ' | tail -1)
    if [ $rc -eq 0 ] && printf '%s\n' "$summary" | grep -q ' 0 failed'; then
        passed=$((passed + 1))
        n=$(printf '%s\n' "$summary" | sed -E 's/^[0-9]+ ops, ([0-9]+) expectations.*/\1/')
        nexp=$((nexp + n))
        [ $verbose -eq 1 ] && echo "ok    $name: $summary"
    else
        failed=$((failed + 1))
        echo "FAIL  $name (exit $rc)"
        printf '%s\n' "$out" | grep -E 'FAILED|kernel runner|error' | sed 's/^/      /'
        [ -n "$summary" ] && echo "      $summary"
    fi
done
echo "kernel-checkable scenarios: $total run, $passed passed, $failed failed" \
     "($nexp expectations confirmed); $skipped simulator-only files not run"
[ $failed -eq 0 ]

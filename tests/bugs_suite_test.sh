#!/usr/bin/env bash
# bugs_suite_test.sh - the injected-bug suite, CI-sized and deterministic: for
# every bug of bugs/bug_list.h (rmt_run --bug list), its trace
# bugs/traces/NAME.rmt
#
#   - states the bug and the check that should catch it, as the table does
#     ("# bug: NAME", "# check: CHECK");
#   - runs clean with every bug off (rmt_run: exit 0);
#   - is caught with NAME on, and the first finding is of the table's kind:
#     the first word of the signature (invariant-CATEGORY, walk), "expect"
#     for a failed expectation, "bug" for a core BUG_ON; its canary says
#     the bug triggered;
#   - encoded as fuzz input, makes the fuzz target (RMAP_BUG=NAME) abort,
#     except for a kernel-only bug, which by its class nothing but the
#     kernel's answers can see: there the target must find nothing; the
#     canary file (RMAP_BUG_CANARIES) shows the bug triggered;
#   - for a kernel-only bug whose trace the host kernel can run (marked
#     "# checked: kernel", //tests:trace_marks_test), the kernel fuzz target (the model against
#     the host kernel, root) finds it, and finds nothing with the bug off;
#     without root that part does not run, and the test ends with a skip
#     record, "rmapfuzz-skip: kernel: WHY", which `./rmapfuzz test` counts
#     as skipped, never as passed (./rmapfuzz test --help).
#
# Built by with_bugs_test (build_defs/bugs.bzl): every program here has the
# bugs compiled in.  Prints one line per bug: name, class, check, first
# finding, what the fuzz target did.
set -u

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-rmapfuzz}" 2>/dev/null || true
RUN=cmd/rmt_run
FUZZ=fuzz/rmap_diff_fuzz
KFUZZ=fuzz/kernel_diff_fuzz
CODEC=cmd/rmt_codec
DUMP=bugs/canary_dump
TMP=${TEST_TMPDIR:-$(mktemp -d)}
failures=0
kskipped="" kwhy=""    # the bugs whose kernel part did not run, and why

fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# The kind of the first finding in FILE: invariant-CATEGORY, walk, expect,
# bug, asan, ubsan, or nothing.
first_kind() {
  local line
  line=$(grep -m1 -E '(INVARIANT|DIVERGENCE) \[|FAILED|^BUG at |ERROR: AddressSanitizer|runtime error' "$1")
  case $line in
    *'INVARIANT ['* | *'DIVERGENCE ['*)
      line=${line#*[}; echo "${line%%:*}" ;;
    *FAILED*) echo expect ;;
    'BUG at '*) echo bug ;;
    *AddressSanitizer*) echo asan ;;
    *'runtime error'*) echo ubsan ;;
  esac
}

# What the fuzz target's output FILE reports: its divergence signature, or
# the crash (bug:FILE:LINE, asan:KIND), as fuzz/diff_run.h names them.
crash_kind() {
  local sig
  sig=$(grep -m1 -o 'DIVERGENCE SIGNATURE: [^ ]*' "$1" | cut -d' ' -f3)
  [ -n "$sig" ] || sig=$(grep -m1 -o '^BUG at [^ ]*' "$1" | sed 's/^BUG at /bug:/; s/:$//')
  [ -n "$sig" ] || sig=$(grep -m1 -o 'ERROR: AddressSanitizer: [^ ]*' "$1" | sed 's/.*: /asan:/')
  echo "${sig:-crash}"
}

# "reached=R triggered=T" of bug NAME in FILE's canary lines
canary_of() { grep -m1 "^canary $1 " "$2" | cut -d' ' -f3-; }

# What the kernel fuzz target makes of bug NAME's encoded trace, into
# $ktarget: its kernel:OP:CHECK signature, or why it did not run.  Runs in
# this shell (not in $(...)), so that its failures count.
kernel_target() {
  local name=$1 trace=$2 kout=$TMP/$1.kernel rc sig
  if ! grep -qx '# checked: kernel' "$trace"; then
    ktarget="kernel: cannot run (marked hand)"; return
  fi
  ("$KFUZZ" "$TMP/$name.bin" >"$kout" 2>&1; exit $?) 2>/dev/null
  rc=$?
  if [ $rc -eq 2 ] && grep -q "cannot run the kernel world" "$kout"; then
    ktarget="kernel: SKIPPED (needs root)"
    kskipped+=" $name"
    kwhy=$(grep -m1 -o "cannot run the kernel world: .*" "$kout")
    kwhy=${kwhy#cannot run the kernel world: }
    return
  fi
  [ $rc -eq 0 ] || fail "$name: the kernel target finds something with every bug off"
  (RMAP_BUG=$name "$KFUZZ" "$TMP/$name.bin" >"$kout" 2>&1; exit $?) 2>/dev/null
  rc=$?
  sig=$(crash_kind "$kout")
  case $rc:$sig in
    0:*) fail "$name: the kernel target misses it"; ktarget="kernel: missed" ;;
    *:kernel:*) ktarget="kernel: $sig" ;;
    *) fail "$name: the kernel target fails with $sig, not a kernel difference"
       ktarget="kernel: $sig" ;;
  esac
}

# first_finding NAME TRACE OUT ERR: TRACE is clean with every bug off and
# finds something with bug NAME on: print the first finding's check (exit
# 0), else what went wrong (exit 1)
first_finding() {
  local name=$1 trace=$2 out=$3 err=$4 kind rc
  if ! "$RUN" --quiet "$trace" >"$out" 2>&1; then
    echo "it finds something with every bug off: $(first_kind "$out")"; return 1
  fi
  # (a subshell that does not exec: bash reports the abort of a finding)
  ("$RUN" --quiet --bug "$name" "$trace" >"$out" 2>"$err"; exit $?) 2>/dev/null
  rc=$?
  kind=$(first_kind "$out"); [ -n "$kind" ] || kind=$(first_kind "$err")
  [ $rc -ne 0 ] || { echo "$name not detected"; return 1; }
  echo "$kind"
}

check_bug() {
  local name=$1 class=$2 check=$3 trace=bugs/traces/$1.rmt
  local out=$TMP/$name.out err=$TMP/$name.err kind canary target rc ktarget

  [ -f "$trace" ] || { fail "$name: no trace $trace"; return; }
  grep -qx "# bug: $name" "$trace" || fail "$name: $trace lacks '# bug: $name'"
  grep -qx "# check: $check" "$trace" ||
    fail "$name: $trace lacks '# check: $check' (bugs/bug_list.h)"
  kind=$(first_finding "$name" "$trace" "$out" "$err") ||
    fail "$name: its trace: $kind"
  [ "$kind" = "$check" ] ||
    fail "$name: first finding '$kind', the table says '$check'"
  # a race bug (issue 21) is reachable only through an interleaving: its
  # trace without the interleave lines is clean with the bug on
  case $check in
    interleave*)
      grep -v '^interleave ' "$trace" >"$TMP/$name.noilv.rmt"
      "$RUN" --quiet --bug "$name" "$TMP/$name.noilv.rmt" >"$TMP/$name.noilv.out" 2>&1 ||
        fail "$name: found without an interleaving: $(first_kind "$TMP/$name.noilv.out")" ;;
  esac
  canary=$(canary_of "$name" "$err")
  case $canary in
    *triggered=0 | '') fail "$name: its canary did not trigger ($canary)" ;;
  esac

  # the fuzz target, on the trace's ops as fuzz input
  "$CODEC" encode "$trace" -o "$TMP/$name.bin" >/dev/null 2>&1 ||
    { fail "$name: cannot encode $trace"; return; }
  "$FUZZ" "$TMP/$name.bin" >/dev/null 2>&1 ||
    fail "$name: the fuzz target finds something with every bug off"
  rm -f "$TMP/$name.canaries"
  (RMAP_BUG=$name RMAP_BUG_CANARIES=$TMP/$name.canaries \
    "$FUZZ" "$TMP/$name.bin" >"$out" 2>&1; exit $?) 2>/dev/null
  rc=$?
  if [ "$class" = kernel-only ]; then
    kernel_target "$name" "$trace"
    target="clean; $ktarget"
    [ $rc -eq 0 ] || fail "$name: kernel-only, yet the fuzz target finds" \
      "it ($(grep -m1 'SIGNATURE' "$out")): reclassify it in bugs/bug_list.h"
  else
    target=$(crash_kind "$out")
    [ $rc -ne 0 ] || { target=missed; fail "$name: the fuzz target misses it"; }
  fi
  case $("$DUMP" "$TMP/$name.canaries" "$name") in
    *triggered=0 | '') fail "$name: no canary in RMAP_BUG_CANARIES" ;;
  esac
  printf '%-36s %-12s %-24s %-24s %s\n' "$name" "$class" "$check" "$kind" "$target"
}

# another face of bug NAME: bugs/traces/NAME+SIDE.rmt, its first finding
# its own "# check:" (bugbench counts a finding with it as the bug's):
# clean with every bug off, found with NAME on, with that check first
check_face() {
  local name=$1 trace=$2 check out=$TMP/face.out err=$TMP/face.err kind
  grep -qx "# bug: $name" "$trace" || fail "$trace lacks '# bug: $name'"
  check=$(sed -n 's/^# check: //p' "$trace" | head -n 1)
  [ -n "$check" ] || { fail "$trace lacks '# check: CHECK'"; return; }
  kind=$(first_finding "$name" "$trace" "$out" "$err") || fail "$trace: $kind"
  [ "$kind" = "$check" ] || fail "$trace: first finding '$kind', its # check: says '$check'"
  printf '%-36s %-12s %-24s %-24s %s\n' "$name (${trace##*+})" "" "$check" "$kind" ""
}

bugs=$("$RUN" --bug list) || { echo "FAIL: rmt_run --bug list"; exit 1; }
[ "$(echo "$bugs" | wc -l)" -ge 16 ] || fail "fewer than 16 bugs"
printf '%-36s %-12s %-24s %-24s %s\n' bug class check "first finding" "fuzz target"
while read -r name class check _; do
  check_bug "$name" "$class" "$check"
done <<<"$bugs"
for trace in bugs/traces/*.rmt; do
  n=$(basename "$trace" .rmt)
  echo "$bugs" | grep -q "^${n%%+*} " || fail "$trace: no bug called ${n%%+*} in the table"
  [ "$n" = "${n%%+*}" ] || check_face "${n%%+*}" "$trace"
done
echo "$(echo "$bugs" | wc -l) bugs, $failures failures"
[ -z "$kskipped" ] ||
  echo "rmapfuzz-skip: kernel: the kernel fuzz target did not run on the" \
       "kernel-only bugs$kskipped: $kwhy"
[ $failures -eq 0 ]

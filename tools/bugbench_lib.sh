# bugbench_lib.sh - sourced by tools/bugbench.sh: the decisions that turn a
# run's exit status, time and signature into the benchmark's figures, kept
# apart (no Bazel, no engine) so that //tests:bugbench_lib_test can call
# them.  Each prints its answer on stdout.

# bb_replay_verdict RC: what the exit status of one input's replay through
# the plain fuzz target (fuzz/replay_main.c, RMAP_BUG=NAME) says:
#   clean   0: the input ran through and found nothing
#   finds   the target aborted on a finding (diff_run: abort(), SIGABRT) or
#           crashed (SIGSEGV, SIGBUS, SIGFPE, SIGILL): 128 + the signal
#   error   anything else: 1 a file it could not read, 2 usage, 126/127
#           no program to run, a kill (SIGKILL, SIGINT, SIGTERM) from
#           outside: the replay did not answer, and a pruned corpus built
#           on it would be wrong
bb_replay_verdict() {
  case $1 in
    0) echo clean ;;
    134 | 139 | 135 | 136 | 132) echo finds ;;   # ABRT SEGV BUS FPE ILL
    *) echo error ;;
  esac
}

# bb_sig_check SIGNATURE: its first field, the check that made it
# ("invariant-anon_vma:mremap:obj" -> "invariant-anon_vma")
bb_sig_check() { printf '%s\n' "${1%%:*}"; }

# bb_sig_matches SIGNATURE CHECK [REFERENCE]: is SIGNATURE the bug's?
# Yes when its check is the bug's expected check (bugs/bug_list.h:
# invariant-CATEGORY, walk, bug, expect), the whole first field
# (invariant-anon_vma is not invariant-anon_vma-chain); "expect", a
# kernel-only bug's check (the kernel's answer differs from the model's),
# is what the kernel engine files as kernel:OP:result|sharing|vmas.  Yes
# also when it is exactly REFERENCE, the signature the bug's own trace
# (bugs/traces/NAME.rmt) gets from the same signer: the signing replay
# checks walks at each rmap event before an op's invariants, so four
# shared-mm bugs are signed walk:... there (vma_merge_next_pgoff:
# walk:move:obj).  CHECK and REFERENCE may each be several, joined by
# '|': a bug with another face (bugs/traces/NAME+SIDE.rmt, its own
# "# check:") is found by either.  Exit status 0 when it is the bug's.
bb_sig_matches() {
  local got c r IFS='|'
  [ -n "$1" ] || return 1
  for r in ${3:-}; do [ "$1" != "$r" ] || return 0; done
  got=$(bb_sig_check "$1")
  for c in $2; do
    [ "$got" != "$c" ] || return 0
    [ "$c" != expect ] || [ "$got" != kernel ] || return 0
  done
  return 1
}

# bb_trial_outcome FOUND SECONDS BUDGET SIGNATURE CHECK REFERENCE RC: one
# trial.
#   FOUND      1 when the engine left a finding (crash file), else 0
#   SECONDS    wall time from the engine's start to its exit
#   BUDGET     the trial's budget in seconds
#   SIGNATURE  the finding's signature (empty when none or unreproduced)
#   CHECK      the bug's expected check (bugs/bug_list.h)
#   REFERENCE  the signature of the bug's own trace ("" when none)
#   RC         the engine's exit status
# prints one of
#   detected   a finding within the budget that is the bug's
#              (bb_sig_matches): the only outcome that counts as found
#   other      a finding with another signature (another bug, a sanitizer
#              report, a timeout, or one that does not replay): it ended
#              the trial, but it is not this bug
#   late       the bug's finding, after the budget (an engine checks its
#              time limit between inputs): not found within the budget
#   none       no finding, and the engine ended as it should (0, or 124:
#              killed by timeout(1) at budget + grace)
#   error      no finding and any other exit: the engine did not run (the
#              caller stops: a trial that did not run is not a miss)
bb_trial_outcome() {
  local found=$1 secs=$2 budget=$3 sig=$4 check=$5 ref=$6 rc=$7
  if [ "$found" != 1 ]; then
    case $rc in 0 | 124) echo none ;; *) echo error ;; esac
    return
  fi
  if ! bb_sig_matches "$sig" "$check" "$ref"; then
    echo other
  elif awk -v s="$secs" -v b="$budget" 'BEGIN { exit !(s > b) }'; then
    echo late
  else
    echo detected
  fi
}

# bb_prune_key COMMIT FILE...: the key of the pruned-corpus cache: a hash
# of the code (COMMIT: the commit id and, when the tree has uncommitted
# changes, a hash of them; see bb_code_id) and of every committed input the
# replay reads, names and contents.  Another commit, a changed or
# added or removed input gives another key.
bb_prune_key() {
  local commit=$1; shift
  { printf 'code %s\n' "$commit"
    [ $# -eq 0 ] || sha256sum -- "$@"
  } | sha256sum | cut -c1-16
}

# bb_code_id ROOT BINARY: the code a replay runs: the commit ROOT is at,
# with "+" a hash of its uncommitted changes to tracked files when there
# are any; outside a git checkout, a hash of BINARY (the replay program).
bb_code_id() {
  local id
  if id=$(git -C "$1" rev-parse HEAD 2>/dev/null); then
    git -C "$1" diff --quiet HEAD 2>/dev/null ||
      id+=+$(git -C "$1" diff HEAD | sha256sum | cut -c1-16)
    echo "$id"
  else
    echo "no-git:$(sha256sum <"$2" | cut -c1-16)"
  fi
}

#!/usr/bin/env bash
# bugbench_lib_test.sh BUGBENCH_LIB - the decisions of the bug benchmark
# (tools/bugbench_lib.sh), case by case: what a replay's exit status says,
# when a finding is the bug's, a trial's outcome from its finding, time,
# budget, signature and exit status, and the prune cache's key.  Each case
# is one the benchmark got wrong before (issue 16): a finding after the
# budget counted, any crash counted whatever its signature, the cache kept
# across commits and corpus changes, a replay that did not run taken for a
# finding.
set -u
. "$1"
failures=0
is() { # WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "ok   $1: $2"
  else echo "FAIL $1: '$2', wanted '$3'"; failures=$((failures + 1)); fi
}

# replays: 0 clean; an abort or crash (128 + signal) a finding; the rest
# (unreadable input 1, usage 2, no program 126/127, killed) an error
is "replay exit 0" "$(bb_replay_verdict 0)" clean
is "replay abort (SIGABRT)" "$(bb_replay_verdict 134)" finds
is "replay SIGSEGV" "$(bb_replay_verdict 139)" finds
is "replay cannot read its input" "$(bb_replay_verdict 1)" error
is "replay usage" "$(bb_replay_verdict 2)" error
is "replay program missing" "$(bb_replay_verdict 127)" error
is "replay not executable" "$(bb_replay_verdict 126)" error
is "replay killed" "$(bb_replay_verdict 137)" error
is "replay interrupted" "$(bb_replay_verdict 130)" error

m() { bb_sig_matches "$@" && echo yes || echo no; }
is "the table's check" "$(m invariant-file-mapping:file:obj invariant-file-mapping "")" yes
is "another invariant" "$(m invariant-anon_vma-chain:fork:obj invariant-anon_vma "")" no
is "a longer name is another check" "$(m invariant-anon_vma:fork:obj invariant-anon_vma-chain "")" no
is "a sanitizer report" "$(m asan:heap-use-after-free:anon_vma_free invariant-anon_vma "")" no
is "a core BUG_ON for a bug check" "$(m bug:core/anon_vma.c:200 bug "")" yes
is "a kernel difference for expect" "$(m kernel:mremap:result expect "")" yes
is "a kernel difference for a walk bug" "$(m kernel:mremap:result walk "")" no
is "a kernel difference the model has without the bug too" "$(m unbugged-kernel:mremap:result expect "")" no
is "the trace's own signature" "$(m walk:move:obj invariant-linearity walk:move:obj)" yes
is "a walk signature not the trace's" "$(m walk:add:obj invariant-linearity walk:move:obj)" no
is "another face's check" "$(m invariant-anon_vma:write:obj "invariant-ptc-anon-rw|invariant-anon_vma" "")" yes
is "neither face's check" "$(m invariant-linearity:write:obj "invariant-ptc-anon-rw|invariant-anon_vma" "")" no
is "the other trace's signature" "$(m walk:add:obj invariant-linearity "walk:move:obj|walk:add:obj")" yes
is "no signature (unreproduced)" "$(m "" walk "")" no
is "no signature, no reference" "$(m "" invariant-linearity "")" no

o() { bb_trial_outcome "$@"; }
is "found in time, right check" "$(o 1 12.5 60 walk:move:ptechain walk "" 1)" detected
is "found at the budget exactly" "$(o 1 60.00 60 walk:move:ptechain walk "" 1)" detected
is "found after the budget (61.0 s of 60)" "$(o 1 61.0 60 walk:move:ptechain walk "" 1)" late
is "found in time, another signature" "$(o 1 3.1 60 asan:SEGV:foo walk "" 1)" other
is "found late, another signature" "$(o 1 70 60 timeout walk "" 70)" other
is "a finding that does not replay" "$(o 1 3.1 60 "" walk "" 1)" other
is "found as the trace is signed" "$(o 1 9.9 60 walk:move:obj invariant-anon_vma walk:move:obj 1)" detected
is "nothing found, engine ended" "$(o 0 60.4 60 "" walk "" 0)" none
is "nothing found, timeout(1) ended it" "$(o 0 90 60 "" walk "" 124)" none
is "nothing found, engine failed" "$(o 0 0.2 60 "" walk "" 1)" error
is "nothing found, no engine" "$(o 0 0.0 60 "" walk "" 127)" error

# the prune cache's key: the code and every input's name and content
tmp=${TEST_TMPDIR:-$(mktemp -d)}/inputs; mkdir -p "$tmp"
printf 'a' >"$tmp/x"; printf 'b' >"$tmp/y"
k1=$(bb_prune_key c0ffee "$tmp/x" "$tmp/y")
is "the key is a hash" "$(printf '%s' "$k1" | grep -cE '^[0-9a-f]{16}$')" 1
is "the same code and inputs, the same key" "$(bb_prune_key c0ffee "$tmp/x" "$tmp/y")" "$k1"
[ "$(bb_prune_key c0ffef "$tmp/x" "$tmp/y")" != "$k1" ]; is "another commit, another key" $? 0
printf 'c' >"$tmp/y"
[ "$(bb_prune_key c0ffee "$tmp/x" "$tmp/y")" != "$k1" ]; is "an input changed, another key" $? 0
printf 'b' >"$tmp/y"; printf 'b' >"$tmp/z"
[ "$(bb_prune_key c0ffee "$tmp/x" "$tmp/y" "$tmp/z")" != "$k1" ]; is "an input added, another key" $? 0
[ "$(bb_prune_key c0ffee "$tmp/x")" != "$k1" ]; is "an input removed, another key" $? 0
# outside a git checkout the code is the replay program's hash
printf 'prog1' >"$tmp/prog"; c1=$(bb_code_id "$tmp" "$tmp/prog")
printf 'prog2' >"$tmp/prog"; c2=$(bb_code_id "$tmp" "$tmp/prog")
is "outside git, the program's hash" "${c1%%:*}" no-git
[ "$c1" != "$c2" ]; is "another program, another code id" $? 0

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all bugbench decisions as expected"

#!/usr/bin/env bash
# bugbench_run_test.sh - tools/bugbench.sh end to end on one bug, with the
# random engine and a fixed amount of work (--runs 400, seed 1: it finds
# truncate_skips_vma well within; fuzz/random/detect_test.sh), with
# prebuilt programs (BUGBENCH_*; nothing is built):
#   - a finding within the budget signed by the bug's check is detected,
#     with its signature in results.tsv and the table;
#   - the pruned corpus's replays are cached under a key, and reused;
#   - the same finding after a --budget of 1 s (an engine started 2 s
#     late) is late, not detected;
#   - a finding signed otherwise (a signer that names another check) is
#     "other", in its own column, not detected;
#   - an engine that exits with an error and no finding, or a replay that
#     fails to run (exit 1: an input it cannot read), stops the benchmark
#     with exit 2 instead of counting.
# Built by with_bugs_test (build_defs/bugs.bzl): the bugs are compiled in.
set -u
cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-rmapfuzz}" 2>/dev/null || true
here=$PWD
TMP=${TEST_TMPDIR:-$(mktemp -d)}
export BUGBENCH_ENGINE_BIN=$here/fuzz/random/rmap_random
export BUGBENCH_REPLAY=$here/fuzz/rmap_diff_fuzz
export BUGBENCH_SIGNER=$here/cmd/repro
export BUGBENCH_CANARY_DUMP=$here/bugs/canary_dump
export BUGBENCH_RMT_RUN=$here/cmd/rmt_run
bug=truncate_skips_vma
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
# ok WHAT: says so when no check since the last ok failed
seen=0
ok() { [ $failures -ne $seen ] || echo "ok   $*"; seen=$failures; }
bench() { # OUT ARGS...: runs it, its stderr in OUT.log; returns its status
  local o=$1; shift
  tools/bugbench.sh --engine random --bugs $bug --trials 1 --runs 400 --out "$o" "$@" \
    >"$o.log" 2>&1
}
last() { tail -n 1 "$1/results.tsv" | cut -f"$2"; }

out=$TMP/a
bench "$out"; rc=$?
[ $rc -eq 0 ] || { fail "bugbench exited $rc"; cat "$out.log"; }
[ "$(last "$out" 13)" = detected ] || fail "outcome '$(last "$out" 13)', not detected"
[ "$(last "$out" 8)" = 1 ] || fail "detected column '$(last "$out" 8)'"
case $(last "$out" 14) in invariant-file-dropped:*) ;; *) fail "signature '$(last "$out" 14)'" ;; esac
grep -q "^| $bug | shared-mm | random | empty | 60 | .* | 1/1 | " "$out/bugbench.md" ||
  { fail "the table does not count it"; grep "^| $bug" "$out/bugbench.md"; }
keys=$(ls "$out/seeds" | grep -cE '^[0-9a-f]{16}$')
[ "$keys" -eq 1 ] && [ -f "$out/seeds/$(ls "$out/seeds" | grep -E '^[0-9a-f]{16}$')/$bug" ] ||
  fail "no keyed prune cache in $out/seeds: $(ls "$out/seeds")"
ok "detected: $(last "$out" 14) in $(last "$out" 15) s"

# the same again: the replays come from the cache
bench "$out" || fail "second run exited $?"
grep -q "$bug: inputs that find it as they stand: .*, cached (key" "$out.log" ||
  fail "the prune cache was not reused"
ok "the prune cache reused"

# a finding after the budget: an engine that starts 2 s late against a
# budget of 1 s (bugbench refuses a budget under 1 s)
cat >"$TMP/slow_engine" <<SLOW
#!/bin/sh
sleep 2
exec "$BUGBENCH_ENGINE_BIN" "\$@"
SLOW
chmod +x "$TMP/slow_engine"
BUGBENCH_ENGINE_BIN=$TMP/slow_engine bench "$out" --budget 1 || fail "--budget 1, slow engine, exited $?"
[ "$(last "$out" 13)" = late ] && [ "$(last "$out" 8)" = 0 ] ||
  fail "with a finding after --budget 1: outcome '$(last "$out" 13)', detected '$(last "$out" 8)'"
grep -q "^| $bug | shared-mm | random | empty | 1 | .* | 0/1 | - | - | 1 | 0 | 0/0 | " "$out/bugbench.md" ||
  fail "the table's late column: $(grep "^| $bug" "$out/bugbench.md" | tail -n 1)"
ok "late: found after --budget 1"

# a signer that files every finding under another check (the bug's own
# trace still signed right, so that only the finding differs)
cat >"$TMP/signer" <<SIGNER
#!/bin/sh
case "\$*" in *.rmt) exec "$BUGBENCH_SIGNER" "\$@" ;; esac
echo walk:fake:obj
SIGNER
chmod +x "$TMP/signer"
BUGBENCH_SIGNER=$TMP/signer bench "$TMP/b" || fail "another signature: exited $?"
[ "$(last "$TMP/b" 13)" = other ] && [ "$(last "$TMP/b" 14)" = walk:fake:obj ] ||
  fail "another signature: outcome '$(last "$TMP/b" 13)' '$(last "$TMP/b" 14)'"
grep -q "| 60 | .* | 0/1 | - | - | 0 | 1 (walk:fake:obj) | 0/0 | " "$TMP/b/bugbench.md" ||
  fail "the table's other column: $(grep "^| $bug" "$TMP/b/bugbench.md")"
ok "other: walk:fake:obj"

# an engine that fails without a finding: exit 2, no row
printf '#!/bin/sh\necho "cannot start" >&2\nexit 1\n' >"$TMP/engine"; chmod +x "$TMP/engine"
rows=$(wc -l <"$out/results.tsv")
BUGBENCH_ENGINE_BIN=$TMP/engine bench "$out"; rc=$?
[ $rc -eq 2 ] || fail "a failing engine: exit $rc, not 2"
[ "$(wc -l <"$out/results.tsv")" -eq "$rows" ] || fail "a failing engine's trial was counted"
grep -q "exited 1 without a finding" "$out.log" || fail "a failing engine: no reason given"
ok "a failing engine stops it (exit 2)"

# a replay that cannot run (exit 1, as for an unreadable input): exit 2
printf '#!/bin/sh\necho "$1: cannot read" >&2\nexit 1\n' >"$TMP/replay"; chmod +x "$TMP/replay"
BUGBENCH_REPLAY=$TMP/replay bench "$TMP/c"; rc=$?
[ $rc -eq 2 ] || fail "a failing replay: exit $rc, not 2"
grep -q "failed to run (exit 1), not a finding" "$TMP/c.log" || fail "a failing replay: no reason given"
[ ! -s "$TMP/c/results.tsv" ] || fail "a failing replay: trials ran"
ok "a failing replay stops it (exit 2)"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }

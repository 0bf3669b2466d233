#!/usr/bin/env bash
# report_once_test.sh - a divergence is shown once, under the op that caused
# it (issue 17): `run --bug` printed the last op's invariant again from the
# closing full check, and a walk broken by an earlier op again as the last
# op's; `repro` printed a divergence found inside op N above op N's line, so
# it read as op N-1's, with op N "ok" below it.  Built with the bugs
# compiled in (with_bugs_test).
set -u
cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-rmapfuzz}" 2>/dev/null || true
RUN=cmd/rmt_run REPRO=cmd/repro
failures=0 passes=0
tmp=${TEST_TMPDIR:-$(mktemp -d)}
check() {   # check NAME CONDITION...
	local name=$1; shift
	if "$@"; then passes=$((passes + 1)); else
		failures=$((failures + 1)); echo "FAIL: $name" >&2; fi
}

# run: no report twice (the same text, whatever line it names)
for bug in truncate_skips_vma ptechain_stale_after_mremap; do
	"$RUN" --bug "$bug" "bugs/traces/$bug.rmt" >"$tmp/out" 2>/dev/null
	sed -nE 's/^ +(DIVERGENCE|INVARIANT) \[[^]]*\]: (.*) \((after|during) line [0-9]+\)$/\2/p' \
		"$tmp/out" | sort | uniq -d >"$tmp/dup"
	check "run --bug $bug: a report shown twice: $(cat "$tmp/dup")" test ! -s "$tmp/dup"
	n=$(grep -cE '^ +(DIVERGENCE|INVARIANT)' "$tmp/out")
	check "run --bug $bug: the summary counts the $n shown" \
		grep -qE " $n divergences\$" "$tmp/out"
done

# repro: the report "(during line N)" or "(after line N)" right under op
# N's line (the signing replay may find it inside the op or at its end)
for bug in vma_merge_next_pgoff mremap_dontunmap_no_anon_vma obj_vma_address_skips_last; do
	"$REPRO" --bug "$bug" "bugs/traces/$bug.rmt" >"$tmp/out" 2>/dev/null
	awk '/\((during|after) line [0-9]+\)$/ { n = $NF; sub(/\)$/, "", n)
	                                  if (prev !~ "^ *" n " ") bad = 1; seen = 1 }
	     { prev = $0 }
	     END { exit !(seen && !bad) }' "$tmp/out"
	rc=$?
	check "repro --bug $bug: the divergence is not under its op: $(tr '\n' '|' <"$tmp/out")" test $rc -eq 0
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

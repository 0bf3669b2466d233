#!/usr/bin/env bash
# bench_quick_test.sh BENCH_MAIN PLOTS_GP - `bench_main --quick` produces
# every table, and the figures in them are the ones the designs imply (not
# timed: only counts and bytes are checked, never a duration):
#   - every workload's table has a row per backend and no failed one;
#   - van Riel: a COWed page's walk visits 1 VMA with anon_vma_chain (obj)
#     and all C + 1 with the 2004 anon_vma (anonvma2004);
#   - Morton: obj visits P * V VMAs, ptechain reads P PTEs;
#   - Arcangeli: ptechain keeps between 8 and 64 bytes per PTE, obj none;
#   - scaling: each data file has a full row per point, no NaN, and
#     ptechain's bytes grow with the sharing degree;
#   - every cell says what it measured: the Arcangeli figure is labelled
#     with this run's size (10 tasks x 16 MiB), not the published one;
#     anonvma2004's rmap bytes are tagged "(formula)" and its set-up,
#     fork, exit and tear-down times "(AVC model)", with the legend under
#     each table, and no other backend's cell is tagged;
#   - with gnuplot present, plots.gp draws the three PNGs, in a directory
#     named with a quote, without a word on stderr, every 0 B point on
#     its zero row and the coinciding curves marked.
set -euo pipefail
bin=$1 plots=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
out=${TEST_TMPDIR:-$(mktemp -d)}/bench
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --help | grep -q "usage: bench_main" || fail "--help prints no usage"
"$bin" --quick --out "$out" || fail "bench_main --quick exited $?"

for w in arcangeli vanriel morton forkexit scaling thp; do
  [ -s "$out/$w.md" ] || fail "$w.md missing"
  grep -q '^|---' "$out/$w.md" || fail "$w.md has no table"
  ! grep -q 'failed' "$out/$w.md" || fail "$w.md reports a failed configuration"
done
for b in obj anonvma2004 ptechain scan; do
  for w in arcangeli vanriel morton; do
    grep -q "^| $b |" "$out/$w.md" || fail "$w.md has no $b row"
  done
  [ "$(grep -c "^| $b |" "$out/thp.md")" -eq 2 ] || fail "thp.md: $b rows"
  [ "$(grep -c "| $b |" "$out/forkexit.md")" -eq 2 ] || fail "forkexit.md: $b rows"
done

# column N (1-based, after the leading '|') of backend B's row in FILE
col() { grep "^| $2 |" "$1" | head -1 | awk -F'|' -v n="$3" '{gsub(/ /, "", $(n + 1)); print $(n + 1)}'; }

[ "$(col "$out/vanriel.md" obj 2)" = 1.00 ] || fail "vanriel: obj visits $(col "$out/vanriel.md" obj 2) VMAs"
[ "$(col "$out/vanriel.md" anonvma2004 2)" = 31.00 ] ||
  fail "vanriel: anonvma2004 visits $(col "$out/vanriel.md" anonvma2004 2) VMAs, not 31"
[ "$(col "$out/morton.md" obj 4)" = 400 ] || fail "morton: obj visits $(col "$out/morton.md" obj 4)"
[ "$(col "$out/morton.md" ptechain 5)" = 20 ] || fail "morton: ptechain reads $(col "$out/morton.md" ptechain 5)"
per_pte=$(col "$out/arcangeli.md" ptechain 4)
awk -v x="$per_pte" 'BEGIN { exit !(x >= 8 && x <= 64) }' || fail "arcangeli: ptechain $per_pte B/PTE"
[ "$(col "$out/arcangeli.md" obj 4)" = 0.01 ] || [ "$(col "$out/arcangeli.md" obj 4)" = 0.00 ] ||
  fail "arcangeli: obj $(col "$out/arcangeli.md" obj 4) B/PTE"

# what each cell measured (bench.h bench_bytes_tag, bench_mm_tag)
label=$(grep '^| PTE-chain memory' "$out/arcangeli.md" | cut -d'|' -f2)
[ "$label" = " PTE-chain memory, 10 tasks x 16 MiB " ] ||
  fail "arcangeli: the figure is labelled '$label', not this run's 10 tasks x 16 MiB"
tagged() { # FILE BACKEND COLUMN TAG: that cell of that backend ends in (TAG)
  case $(col "$1" "$2" "$3") in *"($4)") ;; *) fail "$1: $2's column $3 '$(col "$1" "$2" "$3")' is not tagged ($4)" ;; esac
}
tagged "$out/arcangeli.md" anonvma2004 3 formula
tagged "$out/arcangeli.md" anonvma2004 4 formula
for c in 5 6 7 8; do tagged "$out/arcangeli.md" anonvma2004 $c "AVCmodel"; done
tagged "$out/vanriel.md" anonvma2004 7 formula
tagged "$out/vanriel.md" anonvma2004 8 "AVCmodel"
tagged "$out/morton.md" anonvma2004 8 formula
tagged "$out/morton.md" anonvma2004 9 "AVCmodel"
grep '| anonvma2004 |' "$out/forkexit.md" | awk -F'|' '{ for (i = 4; i <= 9; i++) if ($i !~ /\(AVC model\) $/) exit 1 }' ||
  fail "forkexit.md: anonvma2004's fork / exit cells are not tagged (AVC model)"
grep -E '^\| [0-9]+ \|' "$out/scaling.md" | awk -F'|' '$4 !~ /\(formula\) $/ { exit 1 }' ||
  fail "scaling.md: anonvma2004's rmap bytes are not tagged (formula)"
for w in arcangeli vanriel morton forkexit thp; do
  ! grep -E '^\| ' "$out/$w.md" | grep -v '| anonvma2004 |' | grep -qE '\((formula|AVC model)\)' ||
    fail "$w.md: a backend other than anonvma2004 has a tagged cell"
done
grep -E '^\| [0-9]+ \|' "$out/scaling.md" | awk -F'|' '($3 $5 $6) ~ /\((formula|AVC model)\)/ { exit 1 }' ||
  fail "scaling.md: a backend other than anonvma2004 has a tagged cell"
for w in arcangeli vanriel morton forkexit scaling thp; do
  grep -qE '^\((formula|AVC model)\): ' "$out/$w.md" || fail "$w.md: no legend of its tags"
done

# thp (issue 19), 10 tasks x 8 THPs: PTE chains keep one entry per PMD
# mapping (8 to 64 B each, where one per PTE would be 512 entries); a split
# leaves each process's 511 PTEs in the chains (11 entries per page: 511 x
# 11 in blocks of 7); every design's walk finds the 11 mappings of a page,
# PMD-mapped and PTE-mapped alike
colb() { grep "^| $2 |" "$1" | sed -n 2p | awk -F'|' -v n="$3" '{gsub(/ /, "", $(n + 1)); print $(n + 1)}'; }
[ "$(col "$out/thp.md" obj 2)" = 88 ] || fail "thp: $(col "$out/thp.md" obj 2) PMD mappings, not 88"
per_pmd=$(col "$out/thp.md" ptechain 4)
awk -v x="$per_pmd" 'BEGIN { exit !(x >= 8 && x <= 64) }' || fail "thp: ptechain $per_pmd B per PMD mapping"
for b in obj anonvma2004 ptechain scan; do
  [ "$(colb "$out/thp.md" $b 5)" = 11 ] && [ "$(colb "$out/thp.md" $b 9)" = 11 ] ||
    fail "thp: $b's walks find $(colb "$out/thp.md" $b 5) (PMD-mapped), $(colb "$out/thp.md" $b 9) (PTE-mapped) mappings, not 11"
done
[ "$(colb "$out/thp.md" ptechain 11)" = 128B ] && [ "$(colb "$out/thp.md" ptechain 12)" = 64KiB ] ||
  fail "thp: ptechain chain bytes $(colb "$out/thp.md" ptechain 11) PMD-mapped, $(colb "$out/thp.md" ptechain 12) PTE-mapped"
tagged "$out/thp.md" anonvma2004 3 formula
tagged "$out/thp.md" anonvma2004 4 formula
for c in 6 7; do tagged "$out/thp.md" anonvma2004 $c "AVCmodel"; done

for d in scaling_sharing scaling_vmas; do
  rows=$(grep -vc '^#' "$out/$d.dat")
  [ "$rows" -eq 5 ] || fail "$d.dat: $rows points"
  awk '!/^#/ && (NF != 13 || /NaN/) { exit 1 }' "$out/$d.dat" || fail "$d.dat: short row or NaN"
done
# ptechain bytes (column 10) at d = 20 above those at d = 2
awk '!/^#/ { b[$1] = $10 } END { exit !(b[20] > b[2]) }' "$out/scaling_sharing.dat" ||
  fail "scaling: ptechain bytes do not grow with sharing"

if command -v gnuplot >/dev/null 2>&1; then
  # in a directory whose name has a quote (the path is gnuplot's ARG1),
  # and gnuplot says nothing (a warning there is a picture gone wrong)
  q="$out/it's"; mkdir -p "$q"; cp "$out"/scaling_*.dat "$q/"
  said=$(gnuplot -c "$plots" "$q" 2>&1) || fail "gnuplot failed: $said"
  [ -z "$said" ] || fail "gnuplot said: $said"
  for p in scaling scaling_sharing scaling_vmas; do
    head -c 4 "$q/$p.png" | grep -q PNG || fail "$p.png is not a PNG"
  done
  # what a log axis hides is drawn: every 0 B point (scan's in both
  # curves, ptechain's in the VMA curve and at d = 1; the sharing bytes
  # panel twice, in scaling_sharing.png and scaling.png) and the curves
  # that coincide (obj's and anonvma2004's bytes in the VMA curve)
  z=$(awk '!/^#/ { for (b = 0; b < 4; b++) if ($(4 + 3 * b) == 0) n[FILENAME]++ }
           END { print 2 * n[ARGV[1]] + n[ARGV[2]] }' "$q/scaling_sharing.dat" "$q/scaling_vmas.dat")
  [ "$z" -gt 0 ] || fail "no 0 B point in the data: the check checks nothing"
  cd "$q"   # gnuplot's call takes the path in its text: a plain one here
  drawn=$(gnuplot -e "call '$plots' '.'; set print '-'; print sprintf('%d %d', zeros_drawn, coinciding)" 2>&1)
  # (walk times may coincide too, by timing: at least the one pair of bytes)
  [ "${drawn% *}" = "$z" ] && [ "${drawn#* }" -ge 1 ] ||
    fail "plots.gp drew '$drawn' (0 B points, coinciding curves), not '$z' and at least 1"
fi
echo "PASS"

#!/usr/bin/env bash
# check_count_test.sh - README's count of the invariant checks is the
# count of the code, per category.
#
# A check is one place in oracle/ that reports a violation: a call of
# invariant_fail() (oracle/invariant_fail.h) with its category, or a call
# of a helper named *_fail that words one category's reports for its
# callers (chain_fail, count_fail, ...): each call of the helper is a check
# of the helper's category, and the helper's own call of invariant_fail is
# not.  Every invariant_fail call must name its category as a string
# literal on the same line, or this test cannot count it and fails.
#
# README states the figures as "The invariants are N checks in M
# categories" followed by an indented block of "CATEGORY COUNT" pairs;
# both must match.
#
#   check_count_test.sh [ROOT]          compare (ROOT: the source tree)
#   check_count_test.sh --print [ROOT]  print the block README should hold
set -u

print=0
if [ "${1:-}" = --print ]; then print=1; shift; fi
root=${1:-${TEST_SRCDIR:+$TEST_SRCDIR/${TEST_WORKSPACE:-rmapfuzz}}}
root=${root:-.}
readme=$root/README.md
shopt -s nullglob
# in the order invariants_check() runs them, then any other file
sources=()
for f in invariants page_rules anon_vma_rules; do
  [ -f "$root/oracle/$f.c" ] && sources+=("$root/oracle/$f.c")
done
for f in "$root"/oracle/*.c; do
  case " ${sources[*]} " in *" $f "*) ;; *) sources+=("$f") ;; esac
done
[ ${#sources[@]} -gt 0 ] || { echo "FAIL: no oracle/*.c under $root"; exit 1; }

# "CATEGORY COUNT" lines, in order of first appearance; errors as
# "ERROR file:line: why"
counts=$(awk '
  function category(line,   m) {
    if (match(line, /invariant_fail\([^"]*"[^"]*"/)) {
      m = substr(line, RSTART, RLENGTH); sub(/^[^"]*"/, "", m); sub(/"$/, "", m)
      return m
    }
    return ""
  }
  function count(cat) {
    if (!(cat in n)) order[++ncat] = cat
    n[cat]++
  }
  # pass 1: the helpers (a function named *_fail that calls invariant_fail)
  FNR == 1 { pass++ }
  pass <= nfiles && /^[a-z].*[a-z_0-9]+_fail\(/ && !/;$/ {
    fn = $0; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn)
    if (fn != "invariant_fail") cur = fn
  }
  pass <= nfiles && /^}/ { cur = "" }
  pass <= nfiles && cur != "" && /invariant_fail\(/ { helper[cur] = category($0) }
  # pass 2: the calls
  pass > nfiles && /^[a-z]/ && /\(/ && !/;$/ {
    fn = $0; sub(/\(.*/, "", fn); sub(/.*[ *]/, "", fn); cur = fn; def = 1
  }
  pass > nfiles && /^}/ { cur = "" }
  pass > nfiles {
    if (/invariant_fail\(/ && !(cur in helper) && !/^int invariant_fail\(/) {
      c = category($0)
      if (c == "") {
        printf "ERROR %s:%d: invariant_fail without its category as a literal on the line\n", FILENAME, FNR
      } else count(c)
    }
    for (h in helper) {
      if (h == cur && def) continue
      line = $0
      while (match(line, "(^|[^a-z_0-9])" h "\\(")) {
        if (helper[h] == "")
          printf "ERROR %s:%d: helper %s without a literal category\n", FILENAME, FNR, h
        else count(helper[h])
        line = substr(line, RSTART + RLENGTH)
      }
    }
    def = 0
  }
  END { for (i = 1; i <= ncat; i++) print order[i], n[order[i]] }
' nfiles=${#sources[@]} "${sources[@]}" "${sources[@]}")

if grep -q '^ERROR' <<<"$counts"; then
  grep '^ERROR' <<<"$counts" | sed 's/^ERROR /FAIL /'
  exit 1
fi
total=$(awk '{ s += $2 } END { print s + 0 }' <<<"$counts")
ncats=$(wc -l <<<"$counts")

if [ $print -eq 1 ]; then
  echo "The invariants are $total checks in $ncats categories"
  awk '{ printf "%s%-18s %2d", "    ", $1, $2
         if (NR % 3 == 0) printf "\n" } END { if (NR % 3) printf "\n" }' <<<"$counts" |
    sed 's/ *$//'
  exit 0
fi

[ -f "$readme" ] || { echo "FAIL: no $readme"; exit 1; }
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

line=$(grep -n -m1 -E 'The invariants are [0-9]+ checks in [0-9]+ categories' "$readme")
if [ -z "$line" ]; then
  fail "$readme: no line 'The invariants are N checks in M categories'"
else
  at=${line%%:*}
  said=$(grep -o -E '[0-9]+ checks in [0-9]+ categories' <<<"$line")
  [ "$said" = "$total checks in $ncats categories" ] ||
    fail "$readme:$at: says '$said', oracle/ has $total checks in $ncats categories"
  # the indented block after that paragraph: its CATEGORY COUNT pairs
  stated=$(awk -v from="$at" '
    NR > from && /^    [a-z]/ { inblock = 1
      for (i = 1; i < NF; i += 2) print $i, $(i + 1); next }
    inblock { exit }' "$readme" | sort)
  [ -n "$stated" ] || fail "$readme:$at: no indented block of 'CATEGORY COUNT' after it"
  while read -r cat n; do
    s=$(awk -v c="$cat" '$1 == c { print $2 }' <<<"$stated")
    [ "$s" = "$n" ] || fail "$readme:$at: $cat: README says '${s:-nothing}', oracle/ has $n"
  done <<<"$counts"
  while read -r cat s; do
    grep -q "^$cat " <<<"$counts" || fail "$readme:$at: $cat ($s): no such category in oracle/"
  done <<<"$stated"
fi
echo "oracle/: $total checks in $ncats categories:"
sed 's/^/  /' <<<"$counts"
[ $failures -eq 0 ] && echo "README.md states them" || echo "$failures failures"
[ $failures -eq 0 ]

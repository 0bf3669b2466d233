#!/usr/bin/env bash
# signatures.sh - one finding per bug, one bug per finding (issue 17): every
# injected bug's own trace and every committed corpus input, replayed with
# the bug on through the signing replay (`repro --bug NAME --signature`),
# must give each bug one signature, and no signature may belong to two
# bugs; the known exceptions are listed below with why, and an exception
# that no longer happens fails too (so the list stays true).  --table
# prints the bug x signatures table of docs/signatures.md.  About a minute.
# Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source tools/bazel_lib.sh
table=0
[ "${1:-}" = --table ] && table=1
# bugs allowed more than one signature, and why
declare -A SPLIT=(
  [truncate_skips_vma]="the VMA it skips keeps page-cache pages (invariant-file-dropped) or, when every page of it past the end is a private COW copy, only those (invariant-truncate): the state truncate_spares_cow leaves"
  [fork_copy_before_anon_vma_fork]="the child's VMA has no anon_vma while its PTEs are copied: the anon_vma rule says so (invariant-anon_vma), or, on a KSM seed, the KSM rule first, about the rmap_item the copy of a KSM page made with no anon_vma (invariant-ksm-rmap_item)"
  [ksm_reuse_keeps_index]="the reused KSM page keeps the index of the process it was merged in; the linearity rule names the store that finds it, a write or a fill (one store fault, do_wp_page, either way)"
  [ptechain_direct_conversion_drops]="the entry it drops is missed by the next walk, after an add (a new mapping) or a remove (a mapping unmapped): the large-folio seeds reach it through both"
  [remove_migration_ptes_misses]="the migration entry it leaves is named by whoever meets it: the op's own count check after a migrate op (invariant-mapcount), or, when the migrate runs as an interleaved walker (issue 21), the interleave check at the op it was interleaved into (interleave-migration-entry:OP)"
  [try_to_unmap_stops_early]="kernel-only: the model's two walk orders unmap different mappings (pgtable:pageout:all) or leave a file page mapped out of its cache (invariant-file-dropped)"
)
# signatures allowed for two bugs, and why
declare -A SHARED=(
  [invariant-truncate:file:obj]="truncate_spares_cow's own, and truncate_skips_vma's when the VMA it skips maps only private COW copies past the end: the two bugs leave the same state there"
  [invariant-ptc-anon-rw:write:obj]="huge_pmd_wp_reuse_pmd_mapcount (a PMD-mapped THP) and large_folio_reuse_ignores_shared (an mTHP) both reuse a large folio another process maps on a write fault: the same state, a shared anonymous page writable, which the page-table-check rule names alike at either mapping level"
)
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
repro=$(bazel_bin asan+bugs //cmd:repro) || exit 2
mapfile -t corpus < <(find corpus -type f ! -name BUILD | sort)
declare -A owner=()
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for b in $(grep -o '^INJECTED_BUG([a-z_0-9]*' bugs/bug_list.h | cut -d'(' -f2); do
  "$repro" --bug "$b" --signature "bugs/traces/$b.rmt" "${corpus[@]}" 2>/dev/null |
    grep -v '^$' | sort | uniq -c | sort -k1,1nr -k2 > "$T/$b"
  n=$(wc -l < "$T/$b")
  [ "$table" -eq 1 ] &&
    printf '| %s | %s |\n' "$b" "$(awk '{printf "%s%s (%s)", (NR > 1 ? ", " : ""), $2, $1}' "$T/$b")"
  if [ -n "${SPLIT[$b]:-}" ]; then
    check "$b: listed as split, but has $n signature(s)" [ "$n" -gt 1 ]
  else
    check "$b: $n signatures: $(awk '{printf "%s ", $2}' "$T/$b")" [ "$n" -le 1 ]
  fi
  for s in $(awk '{print $2}' "$T/$b"); do owner[$s]+="$b "; done
done
for s in "${!owner[@]}"; do
  set -- ${owner[$s]}
  if [ -n "${SHARED[$s]:-}" ]; then
    check "$s: listed as shared, but only $*" [ $# -gt 1 ]
  else
    check "$s is the signature of $# bugs: $*" [ $# -eq 1 ]
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

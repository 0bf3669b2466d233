#!/usr/bin/env bash
# triage.sh - `./rmapfuzz triage [DIR...]`: the findings of campaign
# directories (default: every out/fuzz-*) as a table, one line per
# signature: count, first and last seen, ops in the minimized trace, kind.
# Each finding's files are in DIR/findings/SIG/ (tools/findings.sh).
# Exit status: 0 no finding, 1 findings, 2 no such campaign directory.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case ${1:-} in
  -h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) echo "rmapfuzz triage: unknown option '$1'" >&2; exit 2 ;;
esac
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  shopt -s nullglob
  dirs=("$ROOT"/out/fuzz-*)
  [ ${#dirs[@]} -gt 0 ] || { echo "rmapfuzz triage: no campaign under $ROOT/out (give DIR)" >&2; exit 2; }
fi
say() { :; }
. "$ROOT/tools/findings.sh"
total=0
for out in "${dirs[@]}"; do
  [ -d "$out/findings" ] || { echo "rmapfuzz triage: $out is not a campaign directory" >&2; exit 2; }
  echo "== $out"
  findings_table
  total=$((total + $(findings_count)))
done
[ "$total" -eq 0 ] || exit 1

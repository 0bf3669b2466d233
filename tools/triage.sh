#!/usr/bin/env bash
# usage: ./rmapfuzz triage [DIR...]
#
# The findings of campaign directories (default: every out/fuzz-*) as a
# table, one line per signature: count, first and last seen, ops in the
# minimized trace, kind.  Each finding's files are in DIR/findings/SIG/.
# Exit status: 0 no finding, 1 findings, 2 no such campaign directory.

# (The findings' files are written by tools/findings.sh.)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case ${1:-} in
  -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;   # the comment above, to its end
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

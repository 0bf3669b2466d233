#!/usr/bin/env bash
# signature_campaigns.sh - one finding per bug, one bug per finding, as a
# campaign sees it: for each injected bug, `./rmapfuzz fuzz --bug NAME
# --time SECONDS` on a fresh directory (the kernel engine for the
# kernel-only bugs, which only the host kernel's answers show; the default
# engine for the rest), then the signatures its findings database filed.
# Prints a Markdown table (bug, engine, signatures filed with their input
# counts, verdict) and a summary; docs/signatures.md keeps the last one.
# The kernel-only bugs are listed, not run: `fuzz --bug` is not for the
# kernel engine (its findings could not be signed with the bug on), and
# bugbench --engine kernel measures them.
#
# usage: tools/signature_campaigns.sh [--time SECONDS] [--bugs a,b,...]
#                                     [--out DIR]
#   --time  seconds per campaign (default 120: the issue's measure)
#   --bugs  the bugs (default: all of bugs/bug_list.h)
#   --out   the campaigns' directories, DIR/NAME (default
#           out/signature-campaigns; each is emptied first)
#   --table-only  run nothing: the table of the campaigns already in DIR
# A bug's verdict: "one" when its campaign filed exactly one signature and
# no other bug's campaign filed it; "split" (more than one), "shared" (a
# signature another bug's campaign filed too), "none" (nothing found).
# Exit status: 0 when every bug is "one", 1 otherwise, 2 on a usage error
# or a campaign that failed to run (exit 2 or 3).  Takes SECONDS per bug
# plus the build: 20 bugs x 120 s is about 45 minutes.
set -uo pipefail
cd "$(dirname "$0")/.."
time=120 bugs="" out=out/signature-campaigns table_only=0
usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --time) time=${2:-}; shift 2 ;;
    --bugs) bugs=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --table-only) table_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "signature_campaigns.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case $time in ''|*[!0-9]*|0) echo "signature_campaigns.sh: --time takes a whole number of seconds > 0" >&2; exit 2 ;; esac
all=$(grep -o '^INJECTED_BUG([a-z_0-9]*, [A-Z_]*' bugs/bug_list.h | sed 's/^INJECTED_BUG(//; s/,//')
if [ -n "$bugs" ]; then
  for b in ${bugs//,/ }; do
    grep -q "^$b " <<< "$all" || { echo "signature_campaigns.sh: no such bug '$b' (bugs/bug_list.h)" >&2; exit 2; }
  done
  all=$(grep -E "^($(tr ',' '|' <<< "$bugs")) " <<< "$all")
fi
mkdir -p "$out" || { echo "signature_campaigns.sh: cannot write $out" >&2; exit 2; }
declare -A sigs_of=() engine_of=() owners=()
while read -r b class; do
  engine_of[$b]=libfuzzer
  if [ "$class" = KERNEL_ONLY ]; then
    engine_of[$b]="- (kernel-only)"
    continue
  fi
  if [ "$table_only" = 0 ]; then
    rm -rf "${out:?}/$b"
    echo "[signature_campaigns $(date +%H:%M:%S)] $b: ${time}s" >&2
    ./rmapfuzz fuzz --bug "$b" --time "$time" --out "$out/$b" > "$out/$b.log" 2>&1
    rc=$?
    if [ $rc -eq 2 ] || [ $rc -eq 3 ]; then
      echo "signature_campaigns.sh: the campaign of $b failed (exit $rc): $out/$b.log" >&2
      tail -5 "$out/$b.log" >&2
      exit 2
    fi
  fi
  s=""
  for d in "$out/$b"/findings/*/; do
    [ -f "$d/signature" ] || continue
    sig=$(cat "$d/signature")
    s+="$sig ($(cat "$d/count")), "
    owners[$sig]+="$b "
  done
  sigs_of[$b]=${s%, }
done <<< "$all"

echo "| bug | engine | signatures filed in ${time} s (inputs) | verdict |"
echo "|---|---|---|---|"
ones=0 n=0 kernel_only=0
while read -r b class; do
  if [ "$class" = KERNEL_ONLY ]; then
    kernel_only=$((kernel_only + 1))
    echo "| $b | ${engine_of[$b]} | not run: the kernel engine takes no --bug (bugbench --engine kernel) | - |"
    continue
  fi
  n=$((n + 1))
  verdict=one
  nsig=$(grep -o ' ([0-9]*)' <<< "${sigs_of[$b]}" | wc -l)
  if [ "$nsig" -eq 0 ]; then
    verdict=none
  elif [ "$nsig" -gt 1 ]; then
    verdict=split
  fi
  shared=""
  for sig in "${!owners[@]}"; do
    set -- ${owners[$sig]}
    if [ $# -gt 1 ] && grep -qw -- "$b" <<< "${owners[$sig]}"; then
      shared+="${shared:+; }$sig with $(tr ' ' '\n' <<< "${owners[$sig]}" | grep -vx "$b" | grep . | tr '\n' ' ' | sed 's/ $//')"
    fi
  done
  if [ -n "$shared" ]; then
    [ "$verdict" = one ] && verdict="shared ($shared)" || verdict="$verdict, shared ($shared)"
  fi
  [ "$verdict" != one ] || ones=$((ones + 1))
  echo "| $b | ${engine_of[$b]} | ${sigs_of[$b]} | $verdict |"
done <<< "$all"
echo
echo "$ones of $n bugs: exactly one signature, filed by no other bug's campaign ($kernel_only kernel-only bugs not run)"
[ "$ones" -eq "$n" ]

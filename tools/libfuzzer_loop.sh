#!/usr/bin/env bash
# libfuzzer_loop.sh - one libFuzzer job of `./rmapfuzz fuzz` (--jobs 1) at
# the engine's own rate: a single process, not -fork mode, whose one-second
# jobs reload the corpus (about 1,600 execs/s in a 30 s campaign where the
# target alone runs about 7,400).  A single process stops at its first
# finding; this loop starts it again on the campaign's corpus, so a finding
# costs one corpus reload and the campaign goes on.
#
# usage: libfuzzer_loop.sh DEADLINE LOG -- TARGET ARG...
#   DEADLINE  the campaign's end in seconds since the epoch (0: none); each
#             start gets -max_total_time of what is left
#   LOG       the campaign's log, where libFuzzer's output goes; a restart
#             writes a line "--- libFuzzer restarted after a finding" first
#             (the campaign sums the counts of each start, libFuzzer's start
#             from 0) and a switch to fork mode "--- libFuzzer in -fork mode"
#   TARGET ARG...  the libFuzzer command line, without -max_total_time
#
# A start that ends with a finding before libFuzzer's INITED line crashed on
# an input it loads (a seed of a --bug campaign, most of which crash): a
# restart would load it again, so the rest of the time runs in -fork=1 mode
# with -ignore_crashes, which files such inputs and fuzzes on.
# Run by tools/fuzz_campaign.sh in the engine's process group, from the
# campaign directory (relative artifact and corpus paths).
set -u
deadline=$1 log=$2
shift 3   # DEADLINE LOG --
# the lines libFuzzer writes for every saved crash, timeout, OOM or leak
units_written() { grep -ac 'Test unit written to' "$log"; }
while :; do
  budget=()
  if [ "$deadline" -gt 0 ]; then
    left=$((deadline - $(date +%s)))
    [ "$left" -gt 0 ] || exit 0
    budget=(-max_total_time="$left")
  fi
  units=$(units_written) start_bytes=$(stat -c %s "$log")
  # the target dies with this loop (the campaign's stop kills the group too)
  setpriv --pdeathsig TERM "$@" "${budget[@]}" >>"$log" 2>&1
  rc=$?
  [ "$rc" -ne 0 ] || exit 0
  # no finding saved: the engine's own error, for the campaign to show
  [ "$(units_written)" -gt "$units" ] || exit "$rc"
  if ! tail -c +$((start_bytes + 1)) "$log" | grep -aq 'INITED'; then
    echo "--- libFuzzer in -fork mode: an input it loads crashes (it would crash every restart)" >>"$log"
    budget=()
    [ "$deadline" -eq 0 ] || budget=(-max_total_time=$((deadline - $(date +%s))))
    [ "$deadline" -eq 0 ] || [ "${budget#*=}" -gt 0 ] || exit 0
    exec setpriv --pdeathsig TERM "$@" -fork=1 -ignore_crashes=1 -ignore_ooms=1 \
      -ignore_timeouts=1 "${budget[@]}" >>"$log" 2>&1
  fi
  echo "--- libFuzzer restarted after a finding $(date -u +%FT%TZ): its counts start from 0" >>"$log"
done

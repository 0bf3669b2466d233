#!/usr/bin/env bash
# fuzz_campaign.sh - `./rmapfuzz fuzz`: a fuzzing campaign of the lockstep
# target (fuzz/rmap_diff_fuzz.c) that can be left running: one campaign per
# output directory, every finding filed once under its signature
# (tools/findings.sh), state kept across restarts, an honest exit status.
#
# usage: ./rmapfuzz fuzz [--engine libfuzzer|afl|kernel] [--time SECONDS] [--jobs N]
#                        [--out DIR] [--status SECONDS] [--runs N] [--seed S]
#                        [--bug NAME] [--mutator on|off] [--max-flaky PERCENT]
#                        [--force-engine]
#
#   --engine   libfuzzer (default), afl (AFL++ persistent mode), or kernel
#              (the model against the host kernel under libFuzzer; root)
#   --time     stop after SECONDS (0: until interrupted), within a few s
#   --jobs     parallel fuzzing processes (libFuzzer -fork, AFL++ -S); one
#              job is one libFuzzer process at its full rate, started
#              again on the corpus after each finding
#   --out      the campaign's directory (default out/fuzz-ENGINE); any path
#   --status   seconds between progress lines (default 10)
#   --runs     libFuzzer only: stop after N inputs, one process (a test's
#              fixed-size campaign; with --seed it is repeatable); with
#              --jobs N > 1, libFuzzer's -fork=N until N inputs or more
#   --seed     libFuzzer's random seed
#   --bug      against injected bug NAME (bugs/bug_list.h; a --config=bugs
#              build): its canaries in DIR/canaries, its findings filed as
#              `repro --bug NAME` signs them
#   --mutator  on (default): libFuzzer and AFL++ also mutate whole ops
#              (fuzz/mutator: insert, delete, swap, retarget, move next to
#              a mapping, fork trees, splice); off: byte mutations only.
#              docs/bugbench/ measures both; the kernel engine too
#              (fuzz:kernel_diff_fuzz_mut)
#   --max-flaky  kernel engine: exit 1 when more than PERCENT percent of
#              this run's execs were flaky, a difference its op-by-op rerun
#              did not show again (kernel/kcompare.h; default 1)
#   --force-engine  run in a DIR that another engine's campaign used (its
#              counts, series and findings then mix both; refused without)
#
# DIR holds (kept between runs: a campaign resumes its corpus, counts, log
# and known signatures):
#   corpus/  afl/          the growing corpus (libFuzzer / AFL++)
#   findings/SIG/          one finding, its inputs and report; `./rmapfuzz
#                          triage DIR` prints them as a table
#   campaign.log           every run's engine output, appended
#   timeseries.tsv/.png    execs, execs/s, coverage (edges; "-" in libFuzzer
#                          -fork mode), corpus, findings, features ("-"
#                          before the engine reports them); the picture
#                          (tools/timeseries.gp) a panel per quantity
#                          (AFL++: also afl-plot's pictures in afl-plot/;
#                          kernel engine: also flaky, over all runs)
#   state                  totals over all runs; .lock: the owner
#   engines                the engines that ran in DIR, one a line
#   kernel-flaky.log       kernel engine: one line per flaky input (a
#                          difference its rerun did not show, or a timeout
#                          whose replay alone ended in time: its input
#                          in flaky/)
#
# Exit status: 0 ran to the end with no finding, 1 findings (or, kernel
# engine, more flaky inputs than --max-flaky allows), 2 usage or
# setup error (the engine's own error shown when it dies or runs nothing),
# 3 stopped while the engine was still loading its seeds (progress says
# "loading"; the kernel engine takes about 25 s): give it more --time,
# 130 interrupted.  Killing the launcher stops the engine too; no temporary
# directory is left behind.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tools/bazel_lib.sh"
engine=libfuzzer time=0 jobs=1 out="" status=10 runs=0 seed="" bug="" mutator=on force_engine=0
# the kernel engine's flaky limit: KCOMPARE_FLAKY_MAX_PERCENT (kernel/kcompare.h)
max_flaky=1

usage() { sed -n '7,/^set -uo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }
fail_usage() { echo "rmapfuzz fuzz: $*" >&2; usage >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --engine | --time | --jobs | --out | --status | --runs | --seed | --bug | --mutator)
      [ $# -ge 2 ] || fail_usage "$1 wants a value"
      declare "$(printf '%s' "${1#--}")=$2"; shift 2 ;;
    --max-flaky)
      [ $# -ge 2 ] || fail_usage "$1 wants a value"
      max_flaky=$2; shift 2 ;;
    --force-engine) force_engine=1; shift ;;
    *) fail_usage "unknown argument '$1'" ;;
  esac
done
# each engine: a start_ENGINE function below and its progress in read_progress
case $engine in libfuzzer | afl | kernel) ;; *) fail_usage "--engine is libfuzzer, afl or kernel" ;; esac
# numbers up to 2^31-1: libFuzzer keeps -max_total_time, -runs and -seed
# in 32 bits (a larger --time wrapped around), and the shell's arithmetic
# fails on numbers past 2^63
max_num=2147483647
for v in time jobs status runs seed max_flaky; do
  [ "$v" != seed ] || [ -n "$seed" ] || continue
  [[ ${!v} =~ ^[0-9]+$ ]] || fail_usage "--${v/_/-} takes a whole number, not '${!v}'"
  { [[ ${!v} =~ ^0*[0-9]{1,10}$ ]] && [ $((10#${!v})) -le $max_num ]; } ||
    fail_usage "--${v/_/-}: ${!v} is out of range (at most $max_num)"
  declare "$v=$((10#${!v}))"
done
[ "$max_flaky" -le 100 ] || fail_usage "--max-flaky is a percentage, 0 to 100"
[ "$jobs" -ge 1 ] && [ "$status" -ge 1 ] || fail_usage "--jobs and --status are at least 1"
[ "$runs" -eq 0 ] || [ "$engine" != afl ] || fail_usage "--runs is for libFuzzer"
case $mutator in on | off) ;; *) fail_usage "--mutator is on or off, not '$mutator'" ;; esac
# kernel_repro, which signs the kernel engine's findings, has no injected
# bugs: bugbench times the kernel engine against one instead
[ "$engine" != kernel ] || [ -z "$bug" ] ||
  fail_usage "--bug is not for --engine kernel (its findings could not be signed with the bug on); use ./rmapfuzz bugbench --engine kernel --bugs $bug"
# an injected bug is a name of bugs/bug_list.h: known before building
if [ -n "$bug" ] && ! grep -q "^INJECTED_BUG($bug," "$ROOT/bugs/bug_list.h"; then
  fail_usage "--bug $bug: no such bug (./rmapfuzz run --bug list; bugs/bug_list.h)"
fi
[ -n "$out" ] || out=$ROOT/out/fuzz-$engine
engine_name=$engine   # as the user named it (kernel runs under libFuzzer)
# --engine kernel: the model against the host kernel (fuzz/kernel_diff_fuzz.c,
# root), driven by libFuzzer like the lockstep target; its findings are
# signed and replayed by kernel/kernel_repro.
# engine_name: what the user chose, for what the campaign tells the user
kernel_engine=0 engine_name=$engine
[ "$engine" = kernel ] && { kernel_engine=1; engine=libfuzzer; }
mkdir -p "$out" 2>/dev/null || { echo "rmapfuzz fuzz: cannot create $out" >&2; exit 2; }
out=$(cd "$out" && pwd)

# --- one campaign per directory --------------------------------------------
# (a directory that cannot be written is a setup error, not a finding)
. "$ROOT/tools/out_lock.sh"
out_lock "$out" "rmapfuzz fuzz" campaign

# --- one engine per directory, unless asked ---------------------------------
# a second engine's execs, series and findings would mix with the first's
# (DIR/engines; a directory from before it: what its files show)
ran_here=$(cat "$out/engines" 2>/dev/null)
if [ -z "$ran_here" ]; then
  if [ -d "$out/afl" ]; then ran_here=afl
  elif [ -f "$out/kernel-flaky.log" ]; then ran_here=kernel
  elif [ -s "$out/state" ]; then ran_here=libfuzzer
  fi
fi
others=""
for e in $ran_here; do [ "$e" = "$engine_name" ] || others+="$e "; done
if [ -n "$others" ] && [ "$force_engine" = 0 ]; then
  echo "rmapfuzz fuzz: $out holds a campaign of --engine ${others% }: a $engine_name campaign there would mix its counts, series and findings with it; use another --out, or --force-engine to mix them" >&2
  exit 2
fi
printf '%s\n' $ran_here "$engine_name" | sort -u > "$out/engines.new" && mv "$out/engines.new" "$out/engines"
interrupted=0
on_signal() { interrupted=1; }
trap on_signal INT TERM HUP

say() { echo "[rmapfuzz $(date +%H:%M:%S)] $*"; }
tmp=$out/tmp
rm -rf "$tmp"; mkdir -p "$tmp" "$out/findings" "$out/crashes"
log=$out/campaign.log
series=$out/timeseries.tsv
# coverage: edges (libFuzzer's cov in one process, AFL++'s edges_found),
# "-" where the engine gives none: libFuzzer's -fork mode counts features
# into its cov (6,783 where one process gives cov 1,104, ft 5,819);
# features: libFuzzer's ft ("-" for AFL++).  A series of 7 columns gets
# the 8th.
[ -s "$series" ] || printf 'time\telapsed\texecs\texecs_per_s\tcoverage\tcorpus\tfindings\tfeatures\n' > "$series"
sed -i '1s/\tfindings$/\tfindings\tfeatures/' "$series"

# --- kernel engine: flaky inputs, a difference the target's op-by-op rerun
# did not show again (kernel/kcompare.h): fuzz/kernel_diff_fuzz.c appends
# one line per flaky input to DIR/kernel-flaky.log, whichever -fork job ran
# it; counted in the progress, the time series (column flaky, over all
# runs) and the state, and this run fails when more than --max-flaky
# percent of its execs were flaky.
flaky_log=$out/kernel-flaky.log run_flaky=0 flaky_before=0 flaky_over=0
flaky_lines() { if [ -f "$flaky_log" ]; then wc -l < "$flaky_log"; else echo 0; fi; }
if [ "$kernel_engine" = 1 ]; then
  export RMAP_KERNEL_FLAKY_LOG=$flaky_log
  flaky_before=$(flaky_lines)
  head -1 "$series" | grep -q $'\tflaky$' || sed -i '1s/$/\tflaky/' "$series"
fi
# this run's flaky count against --max-flaky, and the note that says it
flaky_count() {
  run_flaky=$(( $(flaky_lines) - flaky_before ))
  flaky_over=0
  [ $((run_flaky * 100)) -le $((execs * max_flaky)) ] || flaky_over=1
}
flaky_note() {
  printf 'flaky %s of %s execs this run (%s%%; more than %s%% fails)' "$run_flaky" "$execs" \
    "$(awk -v f="$run_flaky" -v e="$execs" 'BEGIN{printf "%.2f", (e > 0 ? 100 * f / e : 0)}')" "$max_flaky"
}

# --- the binaries (RMAPFUZZ_TARGET etc.: prebuilt ones, for the tests) -----
binaries() {
  if [ -n "${RMAPFUZZ_TARGET:-}" ]; then
    target=$RMAPFUZZ_TARGET repro=$RMAPFUZZ_REPRO minimize=$RMAPFUZZ_MINIMIZE
    codec=$RMAPFUZZ_CODEC afl_mutator=${RMAPFUZZ_AFL_MUTATOR:-}
    return
  fi
  local bugs=""
  [ -z "$bug" ] || bugs=+bugs
  say "building the $engine_name target and the repro tools"
  codec=$(bazel_bin opt //cmd:rmt_codec) || exit 2
  minimize=$(bazel_bin asan$bugs //cmd:minimize) || exit 2
  if [ "$kernel_engine" = 1 ]; then
    repro=$(bazel_bin opt //kernel:kernel_repro) || exit 2
    # a kernel difference is minimized against the kernel (cmd/minimize
    # checks the model alone and finds nothing to shrink)
    export KREPRO=$repro
    minimize=$ROOT/tools/kernel_minimize.sh
    local kname=kernel_diff_fuzz
    [ "$mutator" = off ] || kname=kernel_diff_fuzz_mut
    target=$(bazel_bin libfuzzer "//fuzz:$kname") || exit 2
    return
  fi
  repro=$(bazel_bin asan$bugs //cmd:repro) || exit 2
  if [ "$engine" = libfuzzer ]; then
    # the same target with LLVMFuzzerCustomMutator linked in
    local name=rmap_diff_fuzz
    [ "$mutator" = off ] || name=rmap_diff_fuzz_mut
    target=$(bazel_bin libfuzzer$bugs "//fuzz:$name") || exit 2
  else
    target=$(bazel_bin afl_asan$bugs //fuzz:rmap_diff_fuzz) || exit 2
    [ "$mutator" = off ] ||
      afl_mutator=$(bazel_bin opt //fuzz/mutator:librmap_afl_mutator.so) || exit 2
  fi
}
binaries
[ $interrupted -eq 0 ] || { echo "rmapfuzz fuzz: interrupted before the engine started" >&2; exit 130; }
export REPRO=$repro MINIMIZE=$minimize CODEC=$codec ENGINE=$engine FINDINGS_BUG=$bug
# libFuzzer's per-exec limit (seconds), and the time past which it saves an
# input as a slow unit (slow-unit-*, which the campaign would file: never
# before the limit).  The kernel engine's: 30, above the runner's own
# longest wait (kernel/ksm_control.c KSM_TIMEOUT_MS, 20 s for ksmd's full
# scans), and its timeouts are replayed before they are filed (findings.sh
# timeout_unreproduced)
exec_timeout=10
if [ "$kernel_engine" = 1 ]; then
  exec_timeout=30
  export FINDINGS_TIMEOUT_REPLAY=$exec_timeout
fi
# the engine's switch for an injected bug (bugs/bugs.h: bug_setup_from_env)
[ -z "$bug" ] || export RMAP_BUG=$bug RMAP_BUG_CANARIES=$out/canaries
. "$ROOT/tools/findings.sh"
. "$ROOT/tools/afl_timeout.sh"

# --- totals kept across runs ------------------------------------------------
prev_execs=0 prev_secs=0 runs_before=0 prev_flaky=0
[ -f "$out/state" ] && . "$out/state"
save_state() {
  printf 'prev_execs=%s\nprev_secs=%s\nruns_before=%s\n' \
    $((prev_execs + execs)) $((prev_secs + elapsed)) $((runs_before + 1)) > "$out/state"
  [ "$kernel_engine" = 0 ] || printf 'prev_flaky=%s\n' $((prev_flaky + run_flaky)) >> "$out/state"
}

# --- the engine, in its own process group, dying with us -------------------
seeds=()
for d in corpus/seeds corpus/fuzzed; do
  [ -n "$(ls -A "$ROOT/$d" 2>/dev/null)" ] && seeds+=("$ROOT/$d")
done
# of corpus/regressions only the binary inputs (NAME.rmt beside NAME.bin
# is its trace, not an input): links to them in engine/regressions
rm -rf "$out/engine/regressions"; mkdir -p "$out/engine/regressions"
for f in "$ROOT"/corpus/regressions/*.bin; do
  [ -f "$f" ] && ln -s "$f" "$out/engine/regressions/"
done
[ -z "$(ls -A "$out/engine/regressions")" ] || seeds+=("$out/engine/regressions")
# A --bug campaign: most seeds may crash with the bug on (137 of 177 for
# ptechain_direct_conversion_drops).  An engine that loads a crashing seed
# stops (libFuzzer) or refuses to start (AFL++) before fuzzing anything, so
# each seed is replayed once here with the bug on: one seed per signature
# is filed as a finding (crashes/crash-seed-*, the filer signs it again),
# and the engine loads only the seeds that do not crash.
if [ -n "$bug" ] && [ "$kernel_engine" = 0 ]; then
  rm -rf "$out/engine/bugseeds"; mkdir -p "$out/engine/bugseeds"
  mapfile -t seed_files < <(find -L "${seeds[@]}" -maxdepth 1 -type f | sort)
  say "replaying ${#seed_files[@]} seeds with bug $bug on: the crashing ones are filed, not loaded"
  declare -A seed_sig_seen=()
  n_crash=0
  while IFS= read -r sig <&3 && IFS= read -r f <&4; do
    if [ -z "$sig" ]; then
      ln -s "$f" "$out/engine/bugseeds/$(basename "$(dirname "$f")")-$(basename "$f")"
      continue
    fi
    n_crash=$((n_crash + 1))
    [ -z "${seed_sig_seen[$sig]:-}" ] || continue
    seed_sig_seen[$sig]=1
    # a resumed campaign filed it already
    [ -d "$(finding_dir "$sig")" ] || cp "$f" "$out/crashes/crash-seed-$(basename "$f")"
  done 3< <("$repro" --bug "$bug" --signature "${seed_files[@]}" 2>/dev/null) \
       4< <(printf '%s\n' "${seed_files[@]}")
  say "$n_crash of ${#seed_files[@]} seeds crash with $bug on (${#seed_sig_seen[@]} signature(s), one seed each filed); the engine loads the other $(( ${#seed_files[@]} - n_crash ))"
  seeds=()
  [ -z "$(ls -A "$out/engine/bugseeds")" ] || seeds=("$out/engine/bugseeds")
fi
# libFuzzer's -fork jobs are command lines run by a shell: every path it
# passes on must be free of blanks, so it runs in DIR with relative names.
link_inputs() {
  mkdir -p "$out/engine"
  ln -sfn "$target" "$out/engine/target"
  ln -sfn "$ROOT/fuzz/rmap_diff_fuzz.dict" "$out/engine/dict"
  local i=0 d
  rel_seeds=()
  for d in "${seeds[@]}"; do
    ln -sfn "$d" "$out/engine/seeds$i"; rel_seeds+=("engine/seeds$i"); i=$((i + 1))
  done
}

start_libfuzzer() {
  local args=(-artifact_prefix=crashes/ -dict=engine/dict -max_len=4096
              -timeout="$exec_timeout" -report_slow_units="$exec_timeout"
              -rss_limit_mb=2048 -print_final_stats=1)
  [ -n "$seed" ] && args+=(-seed="$seed")
  mkdir -p "$out/corpus"
  local run=(engine/target) name=libFuzzer
  [ "$kernel_engine" = 0 ] || name="kernel engine (libFuzzer, the model against the host kernel)"
  if [ "$runs" -gt 0 ] && [ "$jobs" -gt 1 ]; then
    # -fork stops at the first job to end after N runs: at least N
    args+=(-fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 -runs="$runs")
    say "$name -fork, $jobs jobs, $runs runs or more${seed:+ from seed $seed}, corpus $out/corpus"
  elif [ "$runs" -gt 0 ]; then
    args+=(-runs="$runs")
    say "$name, $runs runs${seed:+ from seed $seed}, corpus $out/corpus"
  elif [ "$jobs" -gt 1 ]; then
    args+=(-fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
    [ "$time" -gt 0 ] && args+=(-max_total_time="$time")
    say "$name -fork, $jobs jobs, ${time}s (0: until interrupted), corpus $out/corpus"
  else
    # one process at the engine's rate, started again after each finding
    run=(bash "$ROOT/tools/libfuzzer_loop.sh" "$deadline" "$log" -- engine/target)
    say "$name, one process (restarted after a finding), ${time}s (0: until interrupted), corpus $out/corpus"
  fi
  (cd "$out" && TMPDIR=tmp ASAN_OPTIONS=quarantine_size_mb=64:detect_leaks=1 \
     exec setsid setpriv --pdeathsig TERM "${run[@]}" "${args[@]}" corpus "${rel_seeds[@]}" \
     >>"$log" 2>&1 {lockfd}>&-) &
  engine_pid=$!
}

start_afl() {
  local in=$out/afl-in vt=() j tmo=() cal
  mkdir -p "$in"
  for d in "${seeds[@]}"; do cp -n "$d"/* "$in/" 2>/dev/null; done
  # the per-exec timeout from a calibration of the seeds (tools/afl_timeout.sh)
  if cal=$(afl_timeout_ms "$target" "$in"); then
    read -r cal_ms cal_max cal_avg cal_n <<<"$cal"
    tmo=(-t "$cal_ms")
    say "AFL++ per-exec timeout ${cal_ms} ms: ${AFL_TIMEOUT_MARGIN} x the slowest of $cal_n seeds ($((cal_max / 1000)) ms; average $((cal_avg / 1000)) ms), within ${AFL_TIMEOUT_MIN_MS}-${AFL_TIMEOUT_MAX_MS} ms"
  else
    say "AFL++ per-exec timeout: AFL++'s own (the seeds could not be timed)"
  fi
  [ -d "$out/afl/main/queue" ] && in=-   # resume
  [ "$time" -gt 0 ] && vt=(-V "$time")
  say "AFL++ persistent mode, $jobs job(s), ${time}s (0: until interrupted)${afl_mutator:+, op mutator}"
  (
    [ -z "${afl_mutator:-}" ] || export AFL_CUSTOM_MUTATOR_LIBRARY=$afl_mutator
    export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
           AFL_SUPPRESS_ERROR=1 AFL_NO_AFFINITY=1 TMPDIR=$tmp
    exec {lockfd}>&-
    # the instances are children of this shell (their --pdeathsig is its
    # death); each leaves its exit status in tmp/afl-exit.NAME: one that
    # dies while the others run fails the campaign (afl_dead_instance)
    # AFL++'s colours are compiled in (AFL_NO_COLOR does nothing): its
    # output reaches the logs through plain_text, which drops the escapes;
    # $! stays the instance's pid (a process substitution is no job)
    declare -A name_of=()
    setpriv --pdeathsig TERM afl-fuzz -i "$in" -o "$out/afl" -x "$out/engine/dict" "${vt[@]}" "${tmo[@]}" \
      -M main -- "$target" > >(plain_text >>"$log") 2>&1 &
    name_of[$!]=main
    for j in $(seq 2 "$jobs"); do
      setpriv --pdeathsig TERM afl-fuzz -i "$in" -o "$out/afl" -x "$out/engine/dict" "${vt[@]}" "${tmo[@]}" \
        -S "s$j" -- "$target" > >(plain_text >>"$log.s$j") 2>&1 &
      name_of[$!]=s$j
    done
    while ended=""; wait -n -p ended; rc=$?; [ -n "$ended" ]; do
      echo "$rc" > "$tmp/afl-exit.${name_of[$ended]}"
    done
  ) &
  engine_pid=$!
}

# stdin without terminal escapes (colours, cursor moves), line by line
plain_text() { sed -u 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][0-9A-Za-z]//g'; }

# An AFL++ instance that ended with an error while the campaign ran: its
# name, exit status and log in dead_name, dead_rc, dead_log.
dead_name=""
afl_dead_instance() {
  local f rc
  [ "$engine" = afl ] && [ -z "$dead_name" ] || return 1
  for f in "$tmp"/afl-exit.*; do
    [ -f "$f" ] || continue
    rc=$(cat "$f")
    [ -n "$rc" ] && [ "$rc" != 0 ] || continue
    dead_name=${f##*/afl-exit.} dead_rc=$rc dead_log=$log
    [ "$dead_name" = main ] || dead_log=$log.$dead_name
    return 0
  done
  return 1
}

# The engine's process runs (an ended one stays a zombie until waited for,
# and kill -0 reaches a zombie: a stop then waited its full 3 s).
engine_alive() {
  local st
  st=$(ps -o stat= -p "$engine_pid" 2>/dev/null) || return 1
  [ "${st:0:1}" != Z ]
}
# Stops the engine's whole process group: TERM, then KILL.
stop_engine() {
  kill -TERM -- "-$engine_pid" 2>/dev/null || kill -TERM "$engine_pid" 2>/dev/null
  for _ in 1 2 3 4 5 6; do engine_alive || return 0; sleep 0.5; done
  kill -KILL -- "-$engine_pid" 2>/dev/null || kill -KILL "$engine_pid" 2>/dev/null
}

# If this script dies without its traps (SIGKILL), the watchdog stops the
# engine within a second.  It ignores the terminal's Ctrl-C: the launcher
# handles that.
watchdog() {
  local me=$1 group=$2
  (trap '' INT; exec {lockfd}>&-
   while kill -0 "$me" 2>/dev/null; do sleep 1; done
   kill -TERM -- "-$group" 2>/dev/null; sleep 2; kill -KILL -- "-$group" 2>/dev/null
   rm -rf "$tmp") >/dev/null 2>&1 &
  watchdog_pid=$!
}

# --- progress: one line, and one row of the time series ---------------------
execs=0 rate=0 cov=0 corpus_n=0 ft=- loading=1 seed_files=0 lf_fork=0
# reported: 1 once the engine has given this run's figures (libFuzzer's
# first status line, AFL++'s first fuzzer_stats with a run time): before,
# the time series has "-" for them (plotted as nothing, not as 0)
reported=0
# AFL++'s counts before this run, per fuzzer_stats: "execs_done run_time"
declare -A afl_base=()
afl_record_base() {
  local f
  for f in "$out"/afl/*/fuzzer_stats; do
    [ -f "$f" ] || continue
    afl_base[$f]=$(awk -F' *: *' '$1=="execs_done"{x=$2} $1=="run_time"{t=$2}
                                  END{print x + 0, t + 0}' "$f")
  done
}
read_progress() {
  if [ "$engine" = libfuzzer ]; then
    # this run's part of the log (log_bytes_before): libFuzzer counts from 0
    # at each start (tools/libfuzzer_loop.sh restarts it after a finding
    # and may switch to -fork mode): execs are the sum over its starts.
    # Until INITED (one process) or the first status line (-fork) it is
    # still loading its seeds: loading=1, seed_files if it said how many.
    local l x
    x=$(tail -c +$((log_bytes_before + 1)) "$log" 2>/dev/null | awk -v fork="$([ "$jobs" -gt 1 ] && echo 1 || echo 0)" '
      /^--- libFuzzer restarted after a finding/ { sum += last; last = 0; inited = 0; next }
      /^--- libFuzzer in -fork mode/ { sum += last; last = 0; inited = 0; fork = 1; next }
      /^#[0-9]+:?[[:space:]]/ { l = $0; last = substr($1, 2) + 0; if ($1 ~ /:$/) { inited = 1; fork = 1 } }
      /^#[0-9]+[[:space:]]+INITED/ { inited = 1 }
      match($0, /seed corpus: files: [0-9]+/) { files = substr($0, RSTART + 20, RLENGTH - 20) + 0 }
      match($0, /-fork=[0-9]+: [0-9]+ seed inputs/) { split(substr($0, RSTART, RLENGTH), w, " "); files = w[2] + 0 }
      match($0, /^MERGE-OUTER: [0-9]+ files/) { split($0, w, " "); files = w[2] + 0 }
      END { printf "%d %d %d %d\n%s\n", sum + last, fork, inited, files, l }')
    execs=$(head -1 <<<"$x" | cut -d' ' -f1)
    lf_fork=$(head -1 <<<"$x" | cut -d' ' -f2)
    loading=$(( 1 - $(head -1 <<<"$x" | cut -d' ' -f3) ))
    seed_files=$(head -1 <<<"$x" | cut -d' ' -f4)
    l=$(sed -n 2p <<<"$x")
    [ -n "$l" ] || return 0
    reported=1
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$l"); cov=${cov:-0}
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$l"); ft=${ft:-0}
    # -fork: its cov mixes in features; edges are not known
    [ "$lf_fork" = 0 ] || cov=-
    corpus_n=$(sed -nE 's/.* corp(us)?: ([0-9]+).*/\2/p' <<<"$l"); corpus_n=${corpus_n:-0}
    rate=$(sed -nE 's/.* exec\/s:? ([0-9]+).*/\1/p' <<<"$l"); rate=${rate:-0}
  else
    # AFL++ rewrites fuzzer_stats only now and then (without its UI, about
    # once a minute): its execs_per_sec of the first write divides by a few
    # milliseconds.  The rate here is execs_done / run_time of each file,
    # and stats_age says how old the oldest file is.  A resumed instance
    # carries on its execs_done and run_time: this run's are what they
    # grew by since the start (afl_base).
    local f e=0 r=0 c=0 n=0 now x
    now=$(date +%s) stats_age=0
    for f in "$out"/afl/*/fuzzer_stats; do
      [ -f "$f" ] || continue
      x=$(awk -F' *: *' -v base="${afl_base[$f]:-0 0}" '
            $1=="execs_done"{x=$2} $1=="run_time"{t=$2}
            END{split(base, b, " "); if (x >= b[1]) { x -= b[1]; t -= b[2] }
                printf "%d %.0f", x, (t > 0 ? x / t : 0)}' "$f")
      e=$((e + ${x% *})) r=$((r + ${x#* }))
      # a run time grown since the start: this run's counts are known
      awk -F' *: *' -v base="${afl_base[$f]:-0 0}" '$1=="run_time" { split(base, b, " "); ok = $2 > b[2] }
        END { exit !ok }' "$f" && reported=1
      n=$((n + $(awk -F' *: *' '$1=="corpus_count"{print $2}' "$f")))
      c=$(awk -F' *: *' '$1=="edges_found"{print $2}' "$f")
      stats_age=$(awk -v now="$now" -v a="$stats_age" -F' *: *' \
        '$1=="last_update"{d = now - $2; print (d > a ? d : a)}' "$f")
    done
    execs=$e rate=$r corpus_n=$n cov=${c:-0}
    # no fuzzer_stats yet: AFL++ is still calibrating its seeds
    loading=0
    compgen -G "$out/afl/*/fuzzer_stats" >/dev/null || loading=1
  fi
}
progress() {
  read_progress
  elapsed=$(( $(date +%s) - start ))
  # libFuzzer's -fork status lines have no rate: the run's average then
  [ "$rate" -gt 0 ] || [ "$engine" = afl ] || rate=$(( execs / (elapsed > 0 ? elapsed : 1) ))
  local flaky=""
  [ "$kernel_engine" = 0 ] || { flaky_count; flaky=" | $(flaky_note)"; }
  local row=($((prev_execs + execs)) "$rate" "$cov" "$corpus_n" "$ft")
  [ "$reported" = 1 ] || row=(- - - - -)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n' "$(date +%s)" $((prev_secs + elapsed)) \
    "${row[0]}" "${row[1]}" "${row[2]}" "${row[3]}" "$(findings_count)" "${row[4]}" \
    "${flaky:+$'\t'$((prev_flaky + run_flaky))}" >> "$series"
  local shown="$rate/s"
  # AFL++ before its first rewrite of fuzzer_stats: no rate to show yet
  [ "$engine" != afl ] || [ "$rate" -gt 0 ] || shown="rate not yet known"
  [ "$engine" != afl ] || [ "${stats_age:-0}" -lt "$status" ] ||
    shown+="; AFL++'s counts as of ${stats_age}s ago"
  local covered="coverage $cov edges"
  [ "$cov" != - ] || covered="features $ft"
  # still loading: the engine runs its seeds (libFuzzer) or calibrates them
  # (AFL++) before it fuzzes; its execs may stay 0 for a while
  [ "$loading" = 0 ] || shown+="; $(loading_note), not fuzzing yet"
  say "execs $execs ($shown) | $covered | corpus $corpus_n | findings $(findings_count) ($run_findings this run)$flaky"
}

loading_note() {
  local what="loading its seeds" n=""
  [ "$engine" != afl ] || what="calibrating its seeds"
  [ "${seed_files:-0}" -eq 0 ] || n=" ($seed_files inputs)"
  echo "$what$n"
}

plot() {
  command -v gnuplot >/dev/null || return 0
  # AFL++'s own pictures from its plot_data, beside ours
  if [ "$engine" = afl ] && [ -f "$out/afl/main/plot_data" ] && command -v afl-plot >/dev/null; then
    afl-plot "$out/afl/main" "$out/afl-plot" >/dev/null 2>&1 || true
  fi
  # a header alone has nothing to draw
  [ "$(wc -l < "$series")" -ge 2 ] || return 0
  # tools/timeseries.gp takes the paths as arguments (any name, quotes
  # too); anything gnuplot says is shown, a failure said loudly
  local said rc=0
  said=$(gnuplot -c "$ROOT/tools/timeseries.gp" "$series" "$out/timeseries.png" \
         "rmapfuzz campaign: $engine_name, $jobs job(s)" 2>&1) || rc=$?
  if [ $rc -ne 0 ]; then
    echo "rmapfuzz fuzz: FAILED to draw $out/timeseries.png (gnuplot exit $rc): $said" >&2
  elif [ -n "$said" ]; then
    echo "rmapfuzz fuzz: gnuplot, drawing $out/timeseries.png: $said" >&2
  fi
}

# --- the run ------------------------------------------------------------------
stopped=0 engine_pid="" run_findings=0 elapsed=0
log_bytes_before=$(stat -c %s "$log" 2>/dev/null || echo 0)
cleanup() { rm -rf "$tmp"; [ -n "${watchdog_pid:-}" ] && kill "$watchdog_pid" 2>/dev/null; }
trap cleanup EXIT
{ echo; echo "=== run $((runs_before + 1)) started $(date -u +%FT%TZ) by pid $$ ($engine_name) ==="; } >> "$log"
link_inputs
[ "$engine" != afl ] || afl_record_base
start=$(date +%s)
deadline=$(( time > 0 ? start + time : 0 ))
[ "$engine" = libfuzzer ] && start_libfuzzer || start_afl
watchdog $$ "$engine_pid"
next=$((start + status))
while kill -0 "$engine_pid" 2>/dev/null && [ $interrupted -eq 0 ]; do
  sleep 1 & wait $! 2>/dev/null
  now=$(date +%s)
  if [ "$deadline" -gt 0 ] && [ "$now" -ge "$deadline" ]; then
    stopped=1; stop_engine; break
  fi
  # one AFL++ instance dead, the others running: the campaign is broken
  if afl_dead_instance; then stopped=1; stop_engine; break; fi
  if [ "$now" -ge "$next" ]; then
    next=$((now + status)); progress; triage_new
  fi
done
if [ $interrupted -eq 1 ]; then say "interrupted: stopping the engine"; stopped=1; fi
kill -0 "$engine_pid" 2>/dev/null && stopped=1
stop_engine
wait "$engine_pid" 2>/dev/null; engine_rc=$?
triage_new
progress >/dev/null
save_state
plot

# --- did the engine run at all? -------------------------------------------------
ran=1
if [ "$engine" = libfuzzer ]; then
  # a crash while loading the seeds is a run too: the finding shows it
  [ "$execs" -gt 0 ] || [ "$run_findings" -gt 0 ] || ran=0
else
  compgen -G "$out/afl/*/fuzzer_stats" >/dev/null || ran=0
fi

echo
say "campaign over after ${elapsed}s ($engine_name, $jobs job(s)), output in $out"
say "this run: $execs execs, $run_findings finding(s); all runs: $((prev_execs + execs)) execs in $((prev_secs + elapsed))s"
if [ "$kernel_engine" = 1 ]; then
  flaky_count
  say "$(flaky_note); all runs: $((prev_flaky + run_flaky)) flaky"
  [ "$flaky_over" = 0 ] || [ $ran -eq 0 ] ||
    echo "rmapfuzz fuzz: FAILED: $run_flaky flaky input(s) in $execs execs is more than $max_flaky% (--max-flaky): differences the kernel showed once and not again; their signatures are in $flaky_log" >&2
fi
# (after a stop of ours, a status is the stop's)
[ $stopped -eq 1 ] || afl_dead_instance
if [ -n "$dead_name" ]; then
  echo "rmapfuzz fuzz: AFL++ instance '$dead_name' died (exit status $dead_rc) while the campaign ran; its last words:" >&2
  tail -n 15 "$dead_log" | sed 's/^/  /' >&2
  exit 2
fi
# stopped by --time or Ctrl-C while the engine still loaded its seeds (the
# kernel engine takes about 25 s): no engine failure, too short a run
# (with findings, a stop during the reload after one is no news: exit 1)
if [ $stopped -eq 1 ] && [ "$loading" = 1 ] && [ "$run_findings" -eq 0 ]; then
  echo "rmapfuzz fuzz: the engine was still $(loading_note) when the campaign stopped after ${elapsed}s ($execs execs): not an engine failure; give it a longer --time (its log: $log)" >&2
  [ $interrupted -eq 1 ] && exit 130
  exit 3
fi
if [ $ran -eq 0 ] || { [ $stopped -eq 0 ] && [ "$engine_rc" -ne 0 ] && [ "$run_findings" -eq 0 ]; }; then
  if [ $ran -eq 0 ]; then
    echo "rmapfuzz fuzz: the engine executed no input (exit status $engine_rc); its last words:" >&2
  else
    echo "rmapfuzz fuzz: the engine died (exit status $engine_rc); its last words:" >&2
  fi
  tail -n 15 "$log" | sed 's/^/  /' >&2
  exit 2
fi
findings_table
[ $interrupted -eq 1 ] && exit 130
[ "$run_findings" -gt 0 ] && exit 1
[ "$flaky_over" = 1 ] && exit 1
exit 0

#!/usr/bin/env bash
# fuzz_campaign.sh - `./rmapfuzz fuzz`: a fuzzing campaign of the lockstep
# target (fuzz/rmap_diff_fuzz.c) over corpus/, with progress, every finding
# saved and deduplicated by its divergence signature.
#
#   ./rmapfuzz fuzz [--engine libfuzzer|afl] [--time SECONDS] [--jobs N]
#                   [--out DIR] [--status SECONDS]
#
# Layout of DIR (default out/fuzz-ENGINE, kept between runs, so a campaign
# resumes where the last stopped):
#   corpus/            the growing corpus (libFuzzer); afl/ for AFL++
#   crashes/           every crashing input as the engine saved it
#   findings/SIG/      crashing inputs of one signature (first 3 kept), with
#                      SIG/repro.txt: the replayed trace and its report
#   findings.txt       one line per distinct signature: first input, count
#   campaign.log       the engine's own output
# Runs until --time is up or it is interrupted (Ctrl-C: the engine stops,
# the findings are triaged, the summary is printed).  Exit 0 when no
# divergence was found, 1 when one was.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
engine=libfuzzer time=0 jobs=1 out="" status=10

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --engine) engine=${2:-}; shift 2 ;;
    --time) time=${2:-}; shift 2 ;;
    --jobs) jobs=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --status) status=${2:-}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case $engine in libfuzzer|afl) ;; *) echo "fuzz: --engine is libfuzzer or afl" >&2; exit 2 ;; esac
[[ $time =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ && $status =~ ^[1-9][0-9]*$ ]] || {
  echo "fuzz: --time, --jobs and --status take whole numbers" >&2; exit 2; }
[ -n "$out" ] || out=$ROOT/out/fuzz-$engine
mkdir -p "$out/crashes" "$out/findings" || exit 2
out=$(cd "$out" && pwd)
log=$out/campaign.log

say() { echo "[rmapfuzz $(date +%H:%M:%S)] $*"; }

# bin_of CONFIG TARGET: build it (quietly) and print the executable's path
bin_of() {
  local config=$1 target=$2 blog
  blog=$(mktemp)
  if ! (cd "$ROOT" && bazel build --color=no --curses=no --noshow_progress \
        --config="$config" "$target") >"$blog" 2>&1; then
    cat "$blog" >&2; rm -f "$blog"; echo "fuzz: build of $target failed" >&2; exit 2
  fi
  rm -f "$blog"
  (cd "$ROOT" && bazel cquery --color=no --curses=no --noshow_progress \
     --config="$config" "$target" --output=starlark \
     --starlark:expr='target.files_to_run.executable.path' 2>/dev/null | tail -1 |
     sed "s|^|$ROOT/|")
}

say "building the $engine target and the repro tool"
repro=$(bin_of asan //fuzz/cmd:repro)
if [ "$engine" = libfuzzer ]; then
  target=$(bin_of libfuzzer //fuzz:rmap_diff_fuzz)
else
  target=$(bin_of afl_asan //fuzz:rmap_diff_fuzz)
fi

# --- triage: every crash replayed, named by its signature -----------------
declare -A seen_sig
nfindings=0
triage() {   # triage FILE
  local f=$1 rep sig dir n
  rep=$(timeout 60 "$repro" --quiet "$f" 2>&1)
  # the signature as the target files it (fuzz/diff_run.h: crash_signature)
  sig=$(timeout 60 "$repro" --signature "$f" 2>/dev/null | head -1)
  [ -n "$sig" ] || sig=unreproduced
  dir=$out/findings/$(printf '%s' "$sig" | tr '/: ' '___')
  mkdir -p "$dir"
  n=$(find "$dir" -maxdepth 1 -type f ! -name repro.txt | wc -l)
  [ "$n" -lt 3 ] && cp "$f" "$dir/"
  if [ ! -f "$dir/repro.txt" ]; then
    printf '%s\n' "$rep" > "$dir/repro.txt"
    printf '%s\t%s\n' "$sig" "$dir/$(basename "$f")" >> "$out/findings.txt"
  fi
  if [ -z "${seen_sig[$sig]:-}" ]; then
    seen_sig[$sig]=1
    nfindings=$((nfindings + 1))
    say "NEW FINDING $sig  ($dir)"
  fi
  mv "$f" "$out/crashes/triaged-$(basename "$f")" 2>/dev/null || true
}
triage_new() {
  local f
  if [ "$engine" = libfuzzer ]; then
    for f in "$out"/crashes/crash-* "$out"/crashes/leak-* "$out"/crashes/timeout-* "$out"/crashes/oom-*; do
      [ -f "$f" ] && triage "$f"
    done
  else
    for f in "$out"/afl/*/crashes/id:*; do
      [ -f "$f" ] || continue
      cp "$f" "$out/crashes/afl-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" | tr ':,' '__')"
      mv "$f" "$(dirname "$f")/triaged-$(basename "$f" | tr ':,' '__')"
    done
    for f in "$out"/crashes/afl-*; do [ -f "$f" ] && triage "$f"; done
  fi
}

# --- progress ---------------------------------------------------------------
progress() {
  if [ "$engine" = libfuzzer ]; then
    local l
    l=$(grep -E '^#[0-9]+:? .*(cov|exec/s)' "$log" | tail -1)
    [ -n "$l" ] && say "$(printf '%s' "$l" | sed -E 's/^#([0-9]+):?/execs \1/; s/ (ft|lim|rss|L|MS|job|dft_time|time|oom\/timeout\/crash):? [^ ]*//g' | tr -s ' ') | findings $nfindings"
  else
    local f execs=0 rate=0 corpus=0 crashes=0 cvg="" stab=""
    for f in "$out"/afl/*/fuzzer_stats; do
      [ -f "$f" ] || continue
      execs=$((execs + $(awk -F' *: *' '$1=="execs_done"{print $2}' "$f")))
      rate=$(awk -v r="$rate" -F' *: *' '$1=="execs_per_sec"{printf "%.0f", r + $2}' "$f")
      corpus=$((corpus + $(awk -F' *: *' '$1=="corpus_count"{print $2}' "$f")))
      crashes=$((crashes + $(awk -F' *: *' '$1=="saved_crashes"{print $2}' "$f")))
      cvg=$(awk -F' *: *' '$1=="bitmap_cvg"{print $2}' "$f")
      stab=$(awk -F' *: *' '$1=="stability"{print $2}' "$f")
    done
    if [ "$execs" -lt 10000 ]; then
      say "AFL++ calibrating the seeds (it writes its stats about once a minute) | findings $nfindings"
    else
      say "execs $execs ($rate/s) | edges covered $cvg | corpus $corpus | stability $stab | crashes $crashes | findings $nfindings"
    fi
  fi
}

# --- the engine -------------------------------------------------------------
seeds=()
for d in "$ROOT/corpus/seeds" "$ROOT/corpus/regressions"; do
  [ -n "$(ls -A "$d" 2>/dev/null)" ] && seeds+=("$d")
done
: > "$log"
start=$(date +%s)
if [ "$engine" = libfuzzer ]; then
  mkdir -p "$out/corpus"
  args=(-fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1
        -artifact_prefix="$out/crashes/" -dict="$ROOT/fuzz/rmap_diff_fuzz.dict"
        -max_len=4096 -timeout=10 -print_final_stats=1)
  [ "$time" -gt 0 ] && args+=(-max_total_time="$time")
  say "libFuzzer, $jobs job(s), ${time:-0}s (0: until interrupted), corpus $out/corpus + ${seeds[*]}"
  ASAN_OPTIONS=quarantine_size_mb=64:detect_leaks=1 \
    "$target" "${args[@]}" "$out/corpus" "${seeds[@]}" >"$log" 2>&1 &
else
  mkdir -p "$out/afl-in"
  for d in "${seeds[@]}"; do cp -n "$d"/* "$out/afl-in/" 2>/dev/null; done
  in=$out/afl-in
  [ -d "$out/afl/main/queue" ] && in=-   # resume
  export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
         AFL_SUPPRESS_ERROR=1 AFL_NO_AFFINITY=1
  vt=(); [ "$time" -gt 0 ] && vt=(-V "$time")
  say "AFL++ persistent mode, $jobs job(s), ${time}s (0: until interrupted), seeds $in"
  (
    afl-fuzz -i "$in" -o "$out/afl" -x "$ROOT/fuzz/rmap_diff_fuzz.dict" "${vt[@]}" \
      -M main -- "$target" >>"$log" 2>&1 &
    for j in $(seq 2 "$jobs"); do
      afl-fuzz -i "$in" -o "$out/afl" -x "$ROOT/fuzz/rmap_diff_fuzz.dict" "${vt[@]}" \
        -S "s$j" -- "$target" >>"$log.s$j" 2>&1 &
    done
    wait
  ) &
fi
engine_pid=$!

stop() { say "interrupted: stopping the engine"; kill -- -$engine_pid 2>/dev/null; pkill -P $engine_pid 2>/dev/null; kill $engine_pid 2>/dev/null; }
trap stop INT TERM
while kill -0 "$engine_pid" 2>/dev/null; do
  sleep "$status" & wait $! 2>/dev/null
  progress
  triage_new
done
wait "$engine_pid" 2>/dev/null
trap - INT TERM
triage_new

# --- summary ----------------------------------------------------------------
elapsed=$(( $(date +%s) - start ))
echo
say "campaign over after ${elapsed}s ($engine, $jobs job(s)), output in $out"
if [ "$engine" = libfuzzer ]; then
  grep -E '^stat::|DONE' "$log" | tail -8 | sed 's/^/  /'
  [ "$jobs" -gt 0 ] && grep -E '^#[0-9]+: ' "$log" | tail -1 | sed 's/^/  last: /'
else
  progress
fi
if [ -s "$out/findings.txt" ]; then
  echo "distinct divergences (signature, first input):"
  sed 's/^/  /' "$out/findings.txt"
  exit 1
fi
echo "no divergence found"
exit 0

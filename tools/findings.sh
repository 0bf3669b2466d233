# findings.sh - the findings database of a campaign directory, sourced by
# tools/fuzz_campaign.sh (filing) and tools/triage.sh (the table).
#
# One directory per signature, DIR/findings/SIG/ (SIG with '/', ':' and
# blanks made '_', '-', '_'):
#   signature            the signature (fuzz/diff_run.h: crash_signature)
#   kind                 divergence, bug, asan, ubsan, leak, timeout, oom,
#                        hang, crash, unreproduced
#   engine               the engine that found it first
#   bug                  the injected bug the campaign ran with (--bug), if
#                        any: repro and minimize need it on to reproduce
#   count                inputs filed under it, over all runs
#   first_seen last_seen UTC times
#   input                the first input, as the engine saved it
#   report.txt           `./rmapfuzz repro` of it: the trace and report
#   trace.rmt            the whole input as a trace
#   min.bin min.rmt      its minimized form (`./rmapfuzz minimize`)
#   raw/                 at most FINDINGS_RAW_KEPT more raw inputs
# Needs out (the campaign directory); filing needs REPRO, MINIMIZE, CODEC,
# ENGINE (the engine's name), FINDINGS_BUG (the injected bug, or empty) and
# say().

FINDINGS_RAW_KEPT=3
# repro and minimize with the campaign's injected bug on, if any
bug_opt=()
[ -z "${FINDINGS_BUG:-}" ] || bug_opt=(--bug "$FINDINGS_BUG")
declare -A findings_this_run=()
run_findings=0

finding_dir() { printf '%s/findings/%s' "$out" "$(printf '%s' "$1" | tr '/: ' '_-_')"; }
findings_count() { find "$out/findings" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
utc_now() { date -u +%FT%TZ; }

# the signature of one raw input, by its name for the kinds no replay shows
signature_of() {
  local f=$1 sig
  case $(basename "$f") in
    timeout-* | slow-unit-*) echo timeout; return ;;
    oom-*) echo oom; return ;;
    hang-*) echo hang; return ;;
  esac
  sig=$(timeout 120 "$REPRO" "${bug_opt[@]}" --signature "$f" 2>/dev/null | head -1)
  echo "${sig:-unreproduced}"
}

kind_of() {
  case $1 in
    walk:* | result:* | pgtable:* | invariant-*) echo divergence ;;
    *) echo "${1%%:*}" ;;
  esac
}

# The first input of a signature: its directory, report, trace, minimized form.
new_finding() {
  local f=$1 sig=$2 dir=$3
  mkdir -p "$dir/raw"
  cp "$f" "$dir/input"
  printf '%s\n' "$sig" > "$dir/signature"
  kind_of "$sig" > "$dir/kind"
  echo "$ENGINE${FINDINGS_BUG:+ (bug $FINDINGS_BUG)}" > "$dir/engine"
  [ -z "${FINDINGS_BUG:-}" ] || printf '%s\n' "$FINDINGS_BUG" > "$dir/bug"
  echo 0 > "$dir/count"
  utc_now > "$dir/first_seen"
  timeout 120 "$REPRO" "${bug_opt[@]}" "$dir/input" > "$dir/report.txt" 2>&1
  timeout 60 "$CODEC" decode "$dir/input" > "$dir/trace.rmt" 2>/dev/null || rm -f "$dir/trace.rmt"
  case $(cat "$dir/kind") in
    timeout | oom | hang | unreproduced) ;;
    *) timeout 600 "$MINIMIZE" "${bug_opt[@]}" "$dir/input" -o "$dir/min" > "$dir/minimize.log" 2>&1 ;;
  esac
}

# The kernel engine (FINDINGS_TIMEOUT_REPLAY=SECONDS, the engine's own
# per-exec limit): a timeout (or a slow unit: libFuzzer's slow-unit-*,
# which the campaign asks for only past the same limit) is replayed alone
# before it is filed.  Its
# worlds wait on the host (ksmd's full scans, another job's KSM lock,
# compaction for a THP), and a host that stalls for the limit under load
# (kernel_jobs.sh on a busy CI machine) is not a hang of the runner.  A
# replay that ends within the limit makes the input flaky: one line in the
# flaky log (RMAP_KERNEL_FLAKY_LOG, counted against --max-flaky like a
# difference its rerun did not show), the input kept in DIR/flaky/.
timeout_unreproduced() {
  local f=$1 t0 secs rc
  [ -n "${FINDINGS_TIMEOUT_REPLAY:-}" ] || return 1
  case $(basename "$f") in timeout-* | slow-unit-*) ;; *) return 1 ;; esac
  t0=$(date +%s)
  timeout "$FINDINGS_TIMEOUT_REPLAY" "$REPRO" "$f" > /dev/null 2>&1; rc=$?
  [ "$rc" -ne 124 ] || return 1
  secs=$(( $(date +%s) - t0 ))
  mkdir -p "$out/flaky"
  mv -f "$f" "$out/flaky/"
  printf 'flaky timeout: replayed alone in %ss (limit %ss): %s\n' "$secs" \
    "$FINDINGS_TIMEOUT_REPLAY" "flaky/$(basename "$f")" >> "${RMAP_KERNEL_FLAKY_LOG:-$out/kernel-flaky.log}"
  say "a timeout replayed alone in ${secs}s: flaky, not filed (flaky/$(basename "$f"))"
  return 0
}

# file_input FILE: files one raw input under its signature, then removes it
file_input() {
  local f=$1 sig dir n
  timeout_unreproduced "$f" && return 0
  sig=$(signature_of "$f")
  dir=$(finding_dir "$sig")
  if [ ! -d "$dir" ]; then
    new_finding "$f" "$sig" "$dir"
    say "NEW FINDING $sig  ($dir)"
  elif [ -z "${findings_this_run[$sig]:-}" ]; then
    say "known finding seen again: $sig"
  fi
  if [ -z "${findings_this_run[$sig]:-}" ]; then
    findings_this_run[$sig]=1
    run_findings=$((run_findings + 1))
  fi
  echo $(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 )) > "$dir/count"
  utc_now > "$dir/last_seen"
  n=$(find "$dir/raw" -type f | wc -l)
  if [ "$n" -lt "$FINDINGS_RAW_KEPT" ]; then
    mv -f "$f" "$dir/raw/"
  else
    rm -f "$f"
  fi
}

# every input the engine saved since the last call
triage_new() {
  local f job
  if [ "$ENGINE" = afl ]; then
    for f in "$out"/afl/*/crashes/id:* "$out"/afl/*/hangs/id:*; do
      [ -f "$f" ] || continue
      job=$(basename "$(dirname "$(dirname "$f")")")
      case $f in
        */hangs/*) mv "$f" "$out/crashes/hang-afl-$job-$(basename "$f" | tr ':,' '__')" ;;
        *) mv "$f" "$out/crashes/crash-afl-$job-$(basename "$f" | tr ':,' '__')" ;;
      esac
    done
  fi
  for f in "$out"/crashes/*; do
    [ -f "$f" ] && file_input "$f"
  done
}

# campaign_inputs DIR: the inputs a campaign directory holds, one path a
# line: libFuzzer's corpus/ and every file of each AFL++ instance's queue/
# (not queue/.state/, and nothing else: logs, afl-in/, the seeds that
# engine/ links to).  A directory that is no campaign: itself.
campaign_inputs() {
  local d=$1 q
  if [ -d "$d/findings" ] && { [ -d "$d/corpus" ] || [ -d "$d/afl" ]; }; then
    [ -d "$d/corpus" ] && printf '%s\n' "$d/corpus"
    for q in "$d"/afl/*/queue; do
      [ -d "$q" ] && find "$q" -mindepth 1 -maxdepth 1 -type f | sort
    done
  else
    printf '%s\n' "$d"
  fi
  return 0
}

# the table of `./rmapfuzz triage`: one line per signature
findings_table() {
  local d n=0 ops
  for d in "$out"/findings/*/; do
    [ -f "$d/signature" ] || continue
    if [ $n -eq 0 ]; then
      printf '%-40s %6s %-20s %-20s %7s  %-12s %s\n' SIGNATURE COUNT FIRST_SEEN LAST_SEEN MIN_OPS KIND BUG
    fi
    ops=-
    [ -f "$d/min.rmt" ] && ops=$(grep -cvE '^[[:space:]]*(#|$)' "$d/min.rmt")
    # BUG: the injected bug it was found with (- none): repro --bug NAME
    printf '%-40s %6s %-20s %-20s %7s  %-12s %s\n' "$(cat "$d/signature")" \
      "$(cat "$d/count" 2>/dev/null)" "$(cat "$d/first_seen" 2>/dev/null)" \
      "$(cat "$d/last_seen" 2>/dev/null)" "$ops" "$(cat "$d/kind" 2>/dev/null)" \
      "$(cat "$d/bug" 2>/dev/null || echo -)"
    n=$((n + 1))
  done
  [ $n -eq 0 ] && echo "no findings in $out"
  return 0
}

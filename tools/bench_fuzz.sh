#!/usr/bin/env bash
# bench_fuzz.sh [SECONDS] - fuzzing throughput, measured, never asserted:
#   1. libFuzzer + ASan + UBSan, one core, from corpus/seeds with a fresh
#      working corpus: rmap_diff_fuzz and the empty target, built the same
#      way, alternated, 3 runs each of SECONDS (default 30); medians and
#      their ratio.  Also the per-input op count of the corpus it ended with,
#      and the host allocations an exec makes (libFuzzer's -trace_malloc,
#      every input of that corpus run once).
#   2. AFL++ persistent mode (afl_asan) for SECONDS: execs/s and stability
#      from fuzzer_stats.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
ROOT=$PWD
. tools/bazel_lib.sh   # bazel_bin: Bazel the launcher's way
diff_bin=$(bazel_bin libfuzzer //fuzz:rmap_diff_fuzz) || exit 2
empty_bin=$(bazel_bin libfuzzer //fuzz:empty_fuzz) || exit 2
codec=$(bazel_bin libfuzzer //cmd:rmt_codec) || exit 2
tmp=$(mktemp -d)
declare -A rates
for run in 1 2 3; do
  for t in diff empty; do
    b=diff_bin; [ $t = empty ] && b=empty_bin
    rm -rf "$tmp/c_$t"; mkdir "$tmp/c_$t"
    ASAN_OPTIONS=quarantine_size_mb=16 "${!b}" -max_total_time="$secs" -print_final_stats=1 \
      -dict=fuzz/rmap_diff_fuzz.dict "$tmp/c_$t" corpus/seeds > "$tmp/log" 2>&1
    r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/log")
    rates[$t]="${rates[$t]:-} $r"
    echo "run $run $t: $r execs/s"
  done
done
med() { printf '%s\n' $1 | sort -n | sed -n 2p; }
d=$(med "${rates[diff]}"); e=$(med "${rates[empty]}")
echo "libFuzzer median: rmap_diff_fuzz $d execs/s, empty target $e execs/s (ratio 1:$(( e / (d > 0 ? d : 1) )))"
n=0; sum=0; max=0
for f in "$tmp"/c_diff/* corpus/seeds/*; do
  k=$("$codec" decode "$f" 2>/dev/null | grep -vc '^#')
  n=$((n + 1)); sum=$((sum + k)); [ "$k" -gt "$max" ] && max=$k
done
[ $n -gt 0 ] && echo "inputs run (seeds + what the last run added): $n, $((sum / n)) ops per input on average, at most $max"
"$diff_bin" -trace_malloc=1 -runs=1 "$tmp"/c_diff/* corpus/seeds/* 2>&1 |
  awk '/MallocFreeTracer: STOP/ { m += $3; n++ }
       END { if (n) printf "host allocations per exec: %.2f (%d execs)\n", m / n, n }'

afl_bin=$(bazel_bin afl_asan //fuzz:rmap_diff_fuzz) || exit 2
rm -rf "$tmp/afl"
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
  afl-fuzz -i corpus/seeds -o "$tmp/afl" -x fuzz/rmap_diff_fuzz.dict -V "$secs" -M main \
  -- "$afl_bin" > "$tmp/afl.log" 2>&1
st=$tmp/afl/main/fuzzer_stats
if [ -f "$st" ]; then
  awk -F' *: *' '$1 ~ /^(execs_done|execs_per_sec|stability|corpus_count|bitmap_cvg|saved_crashes)$/ {printf "AFL++ %s: %s\n", $1, $2}' "$st"
else
  echo "AFL++ did not start:"; tail -20 "$tmp/afl.log"
fi
rm -rf "$tmp"

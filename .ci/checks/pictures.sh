#!/usr/bin/env bash
# pictures.sh - scripted checks that the campaign's and bugbench's
# pictures are drawn and show their data (issue 17, "Pictures people can
# read"): stand-in engines, no build, a few seconds.  The bench's scaling
# plots are checked by //bench:bench_quick_test.
# Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v gnuplot >/dev/null || { echo "FAIL: no gnuplot (tools/setup.sh installs gnuplot-nox)"; exit 1; }
mkdir -p "$T/bin"
fake_tools=(RMAPFUZZ_REPRO=/bin/false RMAPFUZZ_MINIMIZE=/bin/false RMAPFUZZ_CODEC=/bin/false)

# --- timeseries.png: a quote in --out, nothing from gnuplot ------------------
# a libFuzzer stand-in: a status line a second (-fork: features, no edges)
cat > "$T/bin/fake-libfuzzer" <<'SH'
#!/bin/sh
for i in 1 2 3 4 5 6 7 8; do
  echo "#$((i * 1000)): cov: 1104 ft: $((5000 + i)) corp: $((50 + i)) exec/s 1000 oom/timeout/crash: 0/0/0 time: ${i}s job: 1 dft_time: 0"
  sleep 1
done
exec sleep 60
SH
chmod +x "$T/bin/fake-libfuzzer"
q="$T/it's a campaign"
env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-libfuzzer bash tools/fuzz_campaign.sh \
  --time 4 --status 1 --out "$q" > "$T/q.txt" 2>&1; rc=$?
check "--out with a quote: exit 0 ($rc)" [ $rc -eq 0 ]
check "--out with a quote: timeseries.png drawn" bash -c "head -c 4 \"\$1\" | grep -q PNG" _ "$q/timeseries.png"
check "--out with a quote: gnuplot said nothing ($(grep -i gnuplot "$T/q.txt" | head -1))" \
  bash -c "! grep -qi gnuplot '$T/q.txt'"
# a plot that cannot be written is said, not swallowed
mkdir -p "$T/ro-plot"; : > "$T/ro-plot/timeseries.png"; chmod 444 "$T/ro-plot/timeseries.png"
if [ "$(id -u)" = 0 ]; then   # root writes through 444: a directory in its place
  rm "$T/ro-plot/timeseries.png"; mkdir "$T/ro-plot/timeseries.png"
fi
env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-libfuzzer bash tools/fuzz_campaign.sh \
  --time 2 --status 1 --out "$T/ro-plot" > "$T/ro.txt" 2>&1
check "a plot that cannot be drawn: said ($(tail -1 "$T/ro.txt"))" grep -q 'FAILED to draw .*timeseries.png' "$T/ro.txt"

# --- AFL++ before its first fuzzer_stats: "-", not 0 ---------------------------
# a stand-in that writes fuzzer_stats only after 3 s, as AFL++ does late
cat > "$T/bin/afl-fuzz" <<'SH'
#!/usr/bin/env bash
o="" name=""
while [ $# -gt 0 ]; do
  case $1 in -o) o=$2; shift ;; -M | -S) name=$2; shift ;; --) break ;; esac
  shift
done
mkdir -p "$o/$name/queue"
sleep 3
now=$(date +%s)
printf 'start_time : %s\nlast_update : %s\nrun_time : 3\nexecs_done : 3000\ncorpus_count : 1200\nedges_found : 700\n' \
  "$now" "$now" > "$o/$name/fuzzer_stats"
exec sleep 60
SH
chmod +x "$T/bin/afl-fuzz"
env PATH="$T/bin:$PATH" "${fake_tools[@]}" RMAPFUZZ_TARGET=/bin/true bash tools/fuzz_campaign.sh \
  --engine afl --mutator off --time 6 --status 1 --out "$T/afl" > "$T/afl.txt" 2>&1
s=$T/afl/timeseries.tsv
early=$(awk -F'\t' 'NR > 1 && $3 == "-" && $4 == "-" && $5 == "-" && $6 == "-"' "$s" | wc -l)
zero=$(awk -F'\t' 'NR > 1 && ($4 == "0" || $3 == "0")' "$s" | wc -l)
late=$(awk -F'\t' 'NR > 1 && $4 == 1000 && $6 == 1200' "$s" | wc -l)
check "AFL++ before its stats: rows of '-' ($early), none of 0 ($zero), then its figures ($late)" \
  [ "$early" -ge 1 -a "$zero" -eq 0 -a "$late" -ge 1 ]
check "AFL++: the plot, gnuplot silent" bash -c "[ -s '$T/afl/timeseries.png' ] && ! grep -qi gnuplot '$T/afl.txt'"

# --- tools/timeseries.gp itself ----------------------------------------------
gp=tools/timeseries.gp
check "timeseries.gp: '-' is a missing value" grep -q "^set datafile missing '-'" "$gp"
# findings (column 7) never share a plot, hence an axis, with a count of
# another kind: corpus (6), execs (3), coverage (5, 8)
check "timeseries.gp: findings in a plot of their own" \
  awk '/^ *plot / && /using 2:7/ { n = split($0, u, "using 2:"); for (i = 2; i <= n; i++) if (u[i] !~ /^7 /) bad = 1 } END { exit bad }' "$gp"
# series gnuplot once warned about: a header and one row of "-", a kernel
# series with its flaky column, one row of figures
h=$'time\telapsed\texecs\texecs_per_s\tcoverage\tcorpus\tfindings\tfeatures'
printf '%s\n0\t3\t-\t-\t-\t-\t0\t-\n' "$h" > "$T/s1.tsv"
printf '%s\tflaky\n0\t5\t-\t-\t-\t-\t0\t-\t0\n0\t10\t300\t30\t1000\t20\t1\t5000\t2\n' "$h" > "$T/s2.tsv"
printf '%s\n0\t5\t100\t20\t1000\t7\t0\t-\n' "$h" > "$T/s3.tsv"
for s in s1 s2 s3; do
  said=$(gnuplot -c "$gp" "$T/$s.tsv" "$T/$s.png" "a title" 2>&1); rc=$?
  check "timeseries.gp on $s: a PNG, nothing said (rc $rc: $said)" \
    bash -c "[ $rc -eq 0 ] && [ -z \"\$1\" ] && head -c 4 '$T/$s.png' | grep -q PNG" _ "$said"
done

# --- bugbench.png --------------------------------------------------------------
# rows of results.tsv: a found bug (two engines) and one never found
row() { printf '%s\t%s\tpruned\t%s\tbackend\t%s\t%s\t%s\t%s\t1\t1\t%s\n' "$@"; }
mkdir -p "$T/bb"
{ row libfuzzer on bug_a 1 1 1 0.15 60; row libfuzzer on bug_a 2 2 1 0.15 60
  row afl on bug_b 1 1 0 300 300; } > "$T/bb/results.tsv"
bash tools/bugbench.sh --table --out "$T/bb" > "$T/bb.txt" 2>&1; rc=$?
check "bugbench --table: exit 0 ($rc)" [ $rc -eq 0 ]
check "bugbench --table: gnuplot said nothing ($(grep -v '^bugbench:' "$T/bb.txt" | head -1))" \
  bash -c "! grep -qv '^bugbench:' '$T/bb.txt'"
# one row: one y value, where gnuplot's autoscale warned "empty y range"
mkdir -p "$T/bb1"; row libfuzzer on bug_a 1 1 1 0.15 60 > "$T/bb1/results.tsv"
bash tools/bugbench.sh --table --out "$T/bb1" > "$T/bb1.txt" 2>&1
check "bugbench --table, one row: gnuplot said nothing ($(grep -v '^bugbench:' "$T/bb1.txt" | head -1))" \
  bash -c "! grep -qv '^bugbench:' '$T/bb1.txt'"
check "bugbench.png drawn" bash -c "head -c 4 '$T/bb/bugbench.png' | grep -q PNG"
gpb=$T/bb/bugbench.gp
check "bugbench: its gnuplot script kept beside the plot" [ -s "$gpb" ]
check "bugbench: a budget line per budget (60 s, 300 s), named" \
  bash -c "grep -q 'first 60 nohead' '$gpb' && grep -q 'first 300 nohead' '$gpb' && grep -q 'budget 60 s: libfuzzer' '$gpb'"
# the y range holds every point with room: the not-found at 300 s below
# the top, the fastest 0.15 s above the bottom
yr=$(sed -n 's/^set yrange \[\([^:]*\):\([^]]*\)\].*/\1 \2/p' "$gpb")
check "bugbench: y range [$yr] has room around 0.15 .. 300" \
  awk -v r="$yr" 'BEGIN { split(r, y, " "); exit !(y[1] < 0.15 / 1.5 && y[2] > 300 * 1.5) }'

echo "pictures: $pass passed, $fail failed"
[ $fail -eq 0 ]

#!/usr/bin/env bash
# campaign_data.sh - scripted checks that a campaign's results are right
# and nothing is lost (issue 17, "Wrong results and lost data"): no build
# and no real engine where a stand-in shows it (fake afl-fuzz / targets on
# PATH and RMAPFUZZ_TARGET), so each check takes seconds.
# Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
pass=0 fail=0
check() { local what=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin"
# stand-ins for the built tools: the campaign takes them from the environment
fake_tools=(RMAPFUZZ_TARGET=/bin/true RMAPFUZZ_REPRO=/bin/false RMAPFUZZ_MINIMIZE=/bin/false
            RMAPFUZZ_CODEC=/bin/false)

# --- AFL++: the main instance dies while the secondary runs -----------------
# a fake afl-fuzz: -M dies with AFL++'s error, -S keeps fuzzing
cat > "$T/bin/afl-fuzz" <<'SH'
#!/usr/bin/env bash
o="" name="" role=""
while [ $# -gt 0 ]; do
  case $1 in -o) o=$2; shift ;; -M | -S) role=$1 name=$2; shift ;; --) break ;; esac
  shift
done
mkdir -p "$o/$name/queue"
if [ "$role" = -M ]; then
  sleep 1; echo "[-] PROGRAM ABORT : Timeout while initializing fork server" >&2; exit 1
fi
now=$(date +%s)
printf 'start_time : %s\nlast_update : %s\nrun_time : 1\nexecs_done : 100\ncorpus_count : 3\nedges_found : 7\n' \
  "$now" "$now" > "$o/$name/fuzzer_stats"
echo $$ > "$o/$name/fake.pid"
exec sleep 60
SH
chmod +x "$T/bin/afl-fuzz"
# PID runs: a zombie does not (this machine's init reaps orphans late, and
# kill -0 reaches a zombie)
running() { local st; st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${st:0:1}" != Z ]; }
# no instance outlives its campaign
instances_left() {
  local f n=0
  sleep 1
  for f in "$1"/afl/*/fake.pid; do [ -f "$f" ] && running "$(cat "$f")" && n=$((n + 1)); done
  echo $n
}
env PATH="$T/bin:$PATH" "${fake_tools[@]}" bash tools/fuzz_campaign.sh --engine afl --jobs 2 \
  --mutator off --time 8 --status 1 --out "$T/afl-dead" > "$T/afl-dead.txt" 2>&1; rc=$?
check "AFL++ main dead, secondary alive: exit 2 ($rc)" [ $rc -eq 2 ]
check "AFL++ main dead: the dead instance named" grep -q "instance 'main' died" "$T/afl-dead.txt"
check "AFL++ main dead: its last words" grep -q 'Timeout while initializing fork server' "$T/afl-dead.txt"
check "AFL++ main dead: no instance left ($(instances_left "$T/afl-dead"))" [ "$(instances_left "$T/afl-dead")" -eq 0 ]

# --- AFL++ resumed: its own counter carries on, counted once ----------------
# a fake afl-fuzz that does 100 execs a run and, as AFL++ does on resume,
# continues the execs_done and run_time of its last fuzzer_stats
mkdir -p "$T/bin2"
cat > "$T/bin2/afl-fuzz" <<'SH'
#!/usr/bin/env bash
o="" name=""
while [ $# -gt 0 ]; do
  case $1 in -o) o=$2; shift ;; -M | -S) name=$2; shift ;; --) break ;; esac
  shift
done
mkdir -p "$o/$name/queue"; f=$o/$name/fuzzer_stats
e=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$f" 2>/dev/null)
t=$(awk -F' *: *' '$1=="run_time"{print $2}' "$f" 2>/dev/null)
now=$(date +%s)
printf 'start_time : %s\nlast_update : %s\nrun_time : %s\nexecs_done : %s\ncorpus_count : 3\nedges_found : 7\n' \
  "$now" "$now" $((${t:-0} + 10)) $((${e:-0} + 100)) > "$f.new"
mv "$f.new" "$f"
echo $$ > "$o/$name/fake.pid"
exec sleep 60
SH
chmod +x "$T/bin2/afl-fuzz"
for run in 1 2; do
  env PATH="$T/bin2:$PATH" "${fake_tools[@]}" bash tools/fuzz_campaign.sh --engine afl --mutator off \
    --time 3 --status 1 --out "$T/afl-resume" > "$T/afl-resume$run.txt" 2>&1
done
check "AFL++ stopped at --time: no instance left" [ "$(instances_left "$T/afl-resume")" -eq 0 ]
total=$(sed -n 's/^prev_execs=//p' "$T/afl-resume/state")
check "AFL++ resumed: 2 x 100 execs in state ($total)" [ "$total" = 200 ]
check "AFL++ resumed: this run's execs in the summary" grep -q 'this run: 100 execs.*all runs: 200 execs' "$T/afl-resume2.txt"
last=$(tail -1 "$T/afl-resume/timeseries.tsv" | cut -f3)
check "AFL++ resumed: the time series ($last)" [ "$last" = 200 ]
missing=0
for f in corpus/regressions/*.bin; do [ -f "$T/afl-resume/afl-in/${f##*/}" ] || missing=$((missing + 1)); done
check "seeds: the binary regressions (missing $missing), not their traces" \
  [ "$(ls "$T/afl-resume/afl-in" | grep -c '\.rmt$')" -eq 0 -a $missing -eq 0 ]
rate=$(tail -1 "$T/afl-resume/timeseries.tsv" | cut -f4)
check "AFL++ resumed: the rate of this run ($rate)" [ "$rate" = 10 ]

# --- merge and coverage of an AFL++ campaign --------------------------------
# a campaign directory as AFL++ leaves it: queues (with .state/), logs, its
# afl-in/ copy of the seeds, engine/ links (one dangling: a rebuilt target)
c=$T/afl-campaign
mkdir -p "$c/findings" "$c/afl/main/queue/.state/redundant_edges" "$c/afl/s2/queue" "$c/afl-in" "$c/engine"
printf 'AAAA' > "$c/afl/main/queue/id:000000,orig:a"; printf 'BBBB' > "$c/afl/main/queue/id:000001,src:000000"
printf 'CCCC' > "$c/afl/s2/queue/id:000000,orig:c"
ln -s ../../id:000000,orig:a "$c/afl/main/queue/.state/redundant_edges/id:000000"
echo log > "$c/campaign.log"; printf 'seed' > "$c/afl-in/seed"
ln -s "$ROOT/corpus/seeds" "$c/engine/seeds0"; ln -s "$T/gone" "$c/engine/target"
(say() { :; }; out=$c; . tools/findings.sh; campaign_inputs "$c") > "$T/inputs.txt"
check "coverage of an AFL++ campaign: its 3 queue entries only ($(wc -l < "$T/inputs.txt"))" \
  [ "$(wc -l < "$T/inputs.txt")" -eq 3 -a "$(grep -c '/queue/id:' "$T/inputs.txt")" -eq 3 ]
# merge: afl-cmin with a small AFL++-instrumented target (no Bazel build)
printf '#include <unistd.h>\nint main(void){char b[8]={0};if(read(0,b,8)<1)return 0;\nif(b[0]==0x41)return 1;if(b[0]==0x42)return 2;return 3;}\n' > "$T/t.c"
if AFL_QUIET=1 afl-clang-fast -o "$T/afl-target" "$T/t.c" > /dev/null 2>&1; then
  RMAPFUZZ_AFL_TARGET=$T/afl-target timeout 120 ./rmapfuzz merge --into "$T/merged" "$c" > "$T/merge.txt" 2>&1; rc=$?
  check "merge of an AFL++ campaign: exit 0 ($rc: $(tail -1 "$T/merge.txt"))" [ $rc -eq 0 ]
  check "merge of an AFL++ campaign: no regression trace taken as an input" \
    bash -c "! grep -l '^# regression' '$T/merged'/* 2>/dev/null | grep -q ."
else
  check "afl-clang-fast builds a small target" false
fi

# --- libFuzzer's -fork mode: features are not coverage -------------------------
# a fake libFuzzer in fork mode: its cov mixes in features (LLVM 14), and a
# resumed run's first merge counts the whole corpus into it
cat > "$T/bin/fake-libfuzzer" <<'SH'
#!/bin/sh
if [ -e resumed ]; then cov=6783; else cov=1104; touch resumed; fi
echo "#1000: cov: $cov ft: 5819 corp: 50 exec/s 100 oom/timeout/crash: 0/0/0 time: 3s job: 1 dft_time: 0"
exec sleep 60
SH
chmod +x "$T/bin/fake-libfuzzer"
for run in 1 2; do
  env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-libfuzzer bash tools/fuzz_campaign.sh \
    --jobs 2 --time 3 --status 1 --out "$T/lf-fork" > "$T/lf-fork$run.txt" 2>&1
done
check "fork mode: features shown as features" grep -q '| features 5819 |' "$T/lf-fork2.txt"
check "fork mode: no 'coverage' from its cov" bash -c "! grep -qE 'coverage (1104|6783)' '$T/lf-fork1.txt' '$T/lf-fork2.txt'"
cols=$(awk -F'\t' 'NR > 1 && $3 > 0 { print $5 "/" $8 }' "$T/lf-fork/timeseries.tsv" | sort -u | tr '\n' ' ')
check "fork mode: a plot" [ -s "$T/lf-fork/timeseries.png" ]
check "fork mode: the series has no edge figure, features without a jump on resume ($cols)" [ "$cols" = "-/5819 " ]

# --- one libFuzzer job: one process at its rate, restarted after a finding ----
# a fake libFuzzer (run in DIR): its first start finds a crash after 1000
# execs and exits as libFuzzer does, the next ones fuzz on; every command
# line in DIR/starts.  CRASH_SEED=1: the first start crashes on a seed
# before INITED.
cat > "$T/bin/fake-lf-single" <<'SH'
#!/bin/sh
echo "$*" >> starts; n=$(wc -l < starts); echo $$ >> fake.pids
echo "INFO: seed corpus: files: 5 min: 1b max: 9b total: 20b rss: 30Mb"
if [ "$n" = 1 ] && [ -n "${CRASH_SEED:-}" ]; then
  printf 'seed' > crashes/crash-seed; echo "Test unit written to crashes/crash-seed"; exit 77
fi
echo "#2	INITED cov: 10 ft: 12 corp: 2/10b exec/s: 0 rss: 30Mb"
if [ "$n" = 1 ]; then
  echo "#1000	NEW    cov: 11 ft: 13 corp: 3/12b lim: 4 exec/s: 1000 rss: 31Mb"
  printf 'crash' > crashes/crash-1; echo "Test unit written to crashes/crash-1"; exit 77
fi
echo "#500	pulse  cov: 11 ft: 13 corp: 3/12b lim: 4 exec/s: 500 rss: 31Mb"
exec sleep 60
SH
chmod +x "$T/bin/fake-lf-single"
env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-lf-single bash tools/fuzz_campaign.sh \
  --time 4 --status 1 --out "$T/lf-one" > "$T/lf-one.txt" 2>&1; rc=$?
check "one job: a finding, exit 1 ($rc)" [ $rc -eq 1 ]
check "one job: no -fork mode ($(grep -c -- -fork "$T/lf-one/starts"))" bash -c "! grep -q -- -fork '$T/lf-one/starts'"
check "one job: started again after its finding ($(wc -l < "$T/lf-one/starts"))" [ "$(wc -l < "$T/lf-one/starts")" -eq 2 ]
check "one job: the finding filed" [ "$(find "$T/lf-one/findings" -name input | wc -l)" -eq 1 ]
total=$(sed -n 's/^prev_execs=//p' "$T/lf-one/state")
check "one job: the execs of both starts (1000 + 500 = $total)" [ "$total" = 1500 ]
check "one job: edges shown as coverage" grep -q '| coverage 11 edges |' "$T/lf-one.txt"
left=0
sleep 1
for p in $(cat "$T/lf-one/fake.pids"); do running "$p" && left=$((left + 1)); done
check "one job: no engine left ($left)" [ $left -eq 0 ]
env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-lf-single CRASH_SEED=1 bash tools/fuzz_campaign.sh \
  --time 4 --status 1 --out "$T/lf-seed" > "$T/lf-seed.txt" 2>&1; rc=$?
check "a seed crashes: exit 1 ($rc)" [ $rc -eq 1 ]
check "a seed crashes: the rest in -fork mode" bash -c "sed -n 2p '$T/lf-seed/starts' | grep -q -- '-fork=1 -ignore_crashes=1'"

# --- stopped while the engine loads its seeds: said so, no engine failure ----
cat > "$T/bin/fake-lf-loading" <<'SH'
#!/bin/sh
echo "INFO: seed corpus: files: 7 min: 1b max: 9b total: 20b rss: 30Mb"
exec sleep 60
SH
chmod +x "$T/bin/fake-lf-loading"
for j in 1 2; do
  env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-lf-loading bash tools/fuzz_campaign.sh \
    --time 3 --status 1 --jobs $j --out "$T/lf-loading$j" > "$T/lf-loading$j.txt" 2>&1; rc=$?
  check "--jobs $j, still loading at --time: exit 3 ($rc)" [ $rc -eq 3 ]
  check "--jobs $j, still loading: progress says so" grep -q 'execs 0 (0/s; loading its seeds (7 inputs), not fuzzing yet)' "$T/lf-loading$j.txt"
  check "--jobs $j, still loading: not an engine failure" \
    bash -c "grep -q 'still loading its seeds (7 inputs) when the campaign stopped' '$T/lf-loading$j.txt' && ! grep -q 'executed no input' '$T/lf-loading$j.txt'"
done

# --- AFL++'s per-exec timeout: from a calibration of the seeds, with margin ---
# a stand-in of an AFL++ persistent-mode target run on files: its driver's
# "Reading" line before each; the seed named "slow" takes 60 ms, the rest
# nothing.  A fake afl-fuzz keeps its command line in DIR/afl/NAME/args.
mkdir -p "$T/bin3" "$T/tseeds"
cat > "$T/bin3/driver" <<'SH'
#!/usr/bin/env bash
for f in "$@"; do
  echo "Reading 4 bytes from $f" >&2
  case $f in */slow) sleep 0.06 ;; esac
done
echo "Execution successful." >&2
SH
cat > "$T/bin3/afl-fuzz" <<'SH'
#!/usr/bin/env bash
o="" name=""
for a in "$@"; do :; done
args="$*"
while [ $# -gt 0 ]; do
  case $1 in -o) o=$2; shift ;; -M | -S) name=$2; shift ;; --) break ;; esac
  shift
done
mkdir -p "$o/$name/queue"; echo "$args" > "$o/$name/args"
exec sleep 60
SH
chmod +x "$T/bin3/driver" "$T/bin3/afl-fuzz"
printf 'a' > "$T/tseeds/fast1"; printf 'b' > "$T/tseeds/fast2"; printf 'c' > "$T/tseeds/slow"
(. tools/afl_timeout.sh; afl_timeout_ms "$T/bin3/driver" "$T/tseeds") > "$T/cal.txt"
read -r cal_ms cal_max _ cal_n < "$T/cal.txt"
check "AFL++ calibration: 3 seeds timed, the slowest >= 60 ms ($(cat "$T/cal.txt"))" \
  [ "${cal_n:-0}" -eq 3 -a "${cal_max:-0}" -ge 60000 ]
check "AFL++ calibration: 5 x the slowest, rounded up to 20 ms ($cal_ms)" \
  [ "${cal_ms:-0}" -ge 300 -a $((${cal_ms:-1} % 20)) -eq 0 -a "${cal_ms:-0}" -le 1000 ]
env PATH="$T/bin3:$PATH" "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin3/driver bash tools/fuzz_campaign.sh \
  --engine afl --mutator off --jobs 2 --time 4 --status 1 --out "$T/afl-t" > "$T/afl-t.txt" 2>&1
t_main=$(sed -nE 's/.* -t ([0-9]+) .*/\1/p' "$T/afl-t/afl/main/args" 2>/dev/null)
t_s2=$(sed -nE 's/.* -t ([0-9]+) .*/\1/p' "$T/afl-t/afl/s2/args" 2>/dev/null)
check "AFL++ runs with the calibrated -t (main ${t_main:-none}, s2 ${t_s2:-none})" \
  [ -n "$t_main" ] && [ "$t_main" = "$t_s2" ] && [ "$t_main" -ge 50 ]
check "AFL++ -t: the campaign says how it was set" grep -q "per-exec timeout $t_main ms: 5 x the slowest of" "$T/afl-t.txt"

# --- one engine per campaign directory, unless --force-engine ---------------
# ($T/lf-one: a libFuzzer campaign above)
env PATH="$T/bin2:$PATH" "${fake_tools[@]}" bash tools/fuzz_campaign.sh --engine afl --mutator off \
  --time 2 --status 1 --out "$T/lf-one" > "$T/mix.txt" 2>&1; rc=$?
check "a second engine in a campaign dir: exit 2 ($rc)" [ $rc -eq 2 ]
check "a second engine: says which one is there" grep -q 'holds a campaign of --engine libfuzzer' "$T/mix.txt"
check "a second engine: nothing run" [ ! -e "$T/lf-one/afl" ]
env PATH="$T/bin2:$PATH" "${fake_tools[@]}" bash tools/fuzz_campaign.sh --engine afl --mutator off \
  --time 2 --status 1 --force-engine --out "$T/lf-one" > "$T/mix2.txt" 2>&1; rc=$?
check "--force-engine: runs ($rc)" [ $rc -eq 0 -a -d "$T/lf-one/afl" ]
check "--force-engine: both engines recorded" [ "$(sort "$T/lf-one/engines" | tr '\n' ' ')" = "afl libfuzzer " ]
# a directory from before DIR/engines: its afl/ names AFL++
rm -f "$T/afl-resume/engines"
env "${fake_tools[@]}" RMAPFUZZ_TARGET=$T/bin/fake-lf-loading bash tools/fuzz_campaign.sh \
  --time 2 --status 1 --out "$T/afl-resume" > "$T/mix3.txt" 2>&1; rc=$?
check "libFuzzer in an AFL++ dir of old: exit 2 ($rc)" grep -q 'holds a campaign of --engine afl' "$T/mix3.txt"

# --- bench: one run per --out, as campaigns (tools/out_lock.sh) --------------
# (the lock is taken before the build: a refused run builds nothing)
mkdir -p "$T/bench"
flock "$T/bench/.lock" sleep 20 & holder=$!
sleep 0.5
timeout 60 bash bench/run_bench.sh --quick --out "$T/bench" > "$T/bench.txt" 2>&1; rc=$?
kill $holder 2>/dev/null; wait $holder 2>/dev/null
check "bench on an --out in use: exit 2 ($rc)" [ $rc -eq 2 ]
check "bench on an --out in use: says so" grep -q "bench: $T/bench is in use by another bench run" "$T/bench.txt"
check "bench on an --out in use: built nothing" bash -c "! grep -q building '$T/bench.txt'"

# --- repro --emit-test never overwrites a regression -------------------------
# stand-ins for minimize and repro: every input has one signature
cat > "$T/bin/fake-minimize" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -o ] && { printf 'fork p0 p1\n' > "$2.rmt"; exit 0; }; shift; done
exit 2
SH
cat > "$T/bin/fake-repro" <<'SH'
#!/bin/sh
while [ $# -gt 0 ]; do
  [ "$1" = -o ] && { printf '# regression: TODO\n# signature: walk:move:obj\nfork p0 p1 => ok\n' > "$2"; exit 0; }
  shift
done
exit 2
SH
chmod +x "$T/bin/fake-minimize" "$T/bin/fake-repro"
emit() { RMAPFUZZ_REPRO=$T/bin/fake-repro RMAPFUZZ_MINIMIZE=$T/bin/fake-minimize \
         RMAPFUZZ_REGRESSIONS=$T/regressions ./rmapfuzz repro --emit-test "$@"; }
printf 'first bug\n' > "$T/bug1"; printf 'second bug\n' > "$T/bug2"
emit "$T/bug1" > "$T/emit1.txt" 2>&1; rc1=$?
cp "$T/regressions/walk_move_obj.rmt" "$T/first.rmt" 2>/dev/null
emit "$T/bug2" > "$T/emit2.txt" 2>&1; rc2=$?
check "emit-test twice, one signature: exit 0 ($rc1, $rc2)" [ $rc1 -eq 0 -a $rc2 -eq 0 ]
check "emit-test: the first regression kept" cmp -s "$T/first.rmt" "$T/regressions/walk_move_obj.rmt"
check "emit-test: the second under a new name" grep -q 'minimized from .*bug2' "$T/regressions/walk_move_obj-2.rmt"
check "emit-test: says which name" grep -q 'this one is walk_move_obj-2.rmt' "$T/emit2.txt"
: > "$T/regressions/walk_move_obj-3.bin"   # a binary regression without its trace yet
emit "$T/bug2" > /dev/null 2>&1
check "emit-test: NAME.bin takes NAME" [ ! -e "$T/regressions/walk_move_obj-3.rmt" -a -e "$T/regressions/walk_move_obj-4.rmt" ]
printf 'keep me\n' > "$T/mine.rmt"
emit "$T/bug1" -o "$T/mine.rmt" > "$T/emit3.txt" 2>&1; rc=$?
check "emit-test -o over a file: exit 2 ($rc)" [ $rc -eq 2 ]
check "emit-test -o over a file: kept" grep -qx 'keep me' "$T/mine.rmt"
check "emit-test -o over a file: says so" grep -q 'exists: not overwritten (--force' "$T/emit3.txt"
emit "$T/bug1" -o "$T/mine.rmt" --force > /dev/null 2>&1; rc=$?
check "emit-test -o --force replaces ($rc)" grep -q 'minimized from .*bug1' "$T/mine.rmt"

# --- names and numbers validated up front: exit 2, nothing built or run ------
# (timeout: a build or a campaign started instead is a failure too)
usage_error() {   # usage_error 'MESSAGE' COMMAND ARGS...
  local want=$1 rc; shift
  timeout 30 ./rmapfuzz "$@" > "$T/usage.txt" 2>&1; rc=$?
  check "$* -> exit 2 ($rc), '$want'" eval '[ $rc -eq 2 ] && grep -q -- "$want" "$T/usage.txt" && ! grep -q building "$T/usage.txt"'
}
usage_error "no such bug" fuzz --bug no_such_bug --out "$T/v"
usage_error "out of range" fuzz --time 4294967306 --out "$T/v"
usage_error "out of range" fuzz --time 99999999999999999999999 --out "$T/v"
usage_error "out of range" fuzz --runs 4294967296 --out "$T/v"
usage_error "cannot write /proc/self" fuzz --time 1 --out /proc/self
mkdir -p "$T/ro"; chmod 555 "$T/ro"
[ "$(id -u)" = 0 ] || usage_error "cannot write $T/ro" fuzz --time 1 --out "$T/ro"
usage_error "no such bug 'nosuch'" bugbench --bugs nosuch --out "$T/bb"
usage_error "--budget takes a whole number" bugbench --budget -1 --out "$T/bb"
usage_error "--trials takes a whole number" bugbench --trials 0 --out "$T/bb"
usage_error "--budget takes a whole number" bugbench --budget 99999999999999999999 --out "$T/bb"
check "bugbench: no rows written" [ ! -e "$T/bb/results.tsv" ]

# --- a finding of a --bug campaign: its bug recorded and used -----------------
(
  say() { :; }
  out=$T/bug-campaign REPRO=$T/bin/fake-repro MINIMIZE=$T/bin/fake-minimize CODEC=/bin/false
  ENGINE=libfuzzer FINDINGS_BUG=ptechain_remove_leaves_duplicate
  . tools/findings.sh
  mkdir -p "$out/crashes" "$out/findings"; printf 'crash' > "$out/crashes/crash-1"
  triage_new
) > /dev/null 2>&1
fd=$(ls -d "$T"/bug-campaign/findings/*/ 2>/dev/null | head -1)
check "the finding names its bug" grep -qx ptechain_remove_leaves_duplicate "${fd}bug"
bash tools/triage.sh "$T/bug-campaign" > "$T/triage-bug.txt" 2>&1
check "triage shows the bug" grep -q ' ptechain_remove_leaves_duplicate$' "$T/triage-bug.txt"
# repro --emit-test of it (and so repro, minimize: finding_bug) runs with it
cat > "$T/bin/args-minimize" <<'SH'
#!/bin/sh
echo "$@" > "$(dirname "$0")/minimize.args"
exec "$(dirname "$0")/fake-minimize" "$@"
SH
chmod +x "$T/bin/args-minimize"
RMAPFUZZ_REPRO=$T/bin/fake-repro RMAPFUZZ_MINIMIZE=$T/bin/args-minimize RMAPFUZZ_REGRESSIONS=$T/regressions-bug \
  ./rmapfuzz repro --emit-test "${fd}input" > "$T/emit-bug.txt" 2>&1
check "repro of a --bug finding: says which bug" grep -q 'found by a campaign with --bug ptechain_remove_leaves_duplicate' "$T/emit-bug.txt"
check "repro of a --bug finding: runs with it" grep -q -- '--bug ptechain_remove_leaves_duplicate' "$T/bin/minimize.args"

# --- kernel engine: a timeout is replayed before it is filed ------------------
# (tools/findings.sh timeout_unreproduced): a replay within the limit is a
# flaky line and the input kept in DIR/flaky/; one that times out again is
# filed as the finding "timeout"
tout=$T/tout; mkdir -p "$tout/findings" "$tout/crashes"
printf '#!/bin/sh\nexit 0\n' > "$T/bin/quick-repro"
printf '#!/bin/sh\nexec sleep 30\n' > "$T/bin/hang-repro"
chmod +x "$T/bin/quick-repro" "$T/bin/hang-repro"
file_timeout() {   # REPRO-STAND-IN NAME: file_input of crashes/NAME
  ( out=$tout REPRO=$1 MINIMIZE=/bin/false CODEC=/bin/false ENGINE=libfuzzer FINDINGS_BUG="" \
      FINDINGS_TIMEOUT_REPLAY=1 RMAP_KERNEL_FLAKY_LOG=$tout/kernel-flaky.log
    say() { :; }
    . "$ROOT/tools/findings.sh"
    file_input "$tout/crashes/$2" )
}
echo x > "$tout/crashes/timeout-aaa"
file_timeout "$T/bin/quick-repro" timeout-aaa
check "a timeout whose replay ends: not filed" [ -z "$(ls -A "$tout/findings")" ]
check "... one flaky line naming it" grep -q '^flaky timeout: replayed alone in .*flaky/timeout-aaa$' "$tout/kernel-flaky.log"
check "... its input kept" [ -f "$tout/flaky/timeout-aaa" ]
echo y > "$tout/crashes/timeout-bbb"
file_timeout "$T/bin/hang-repro" timeout-bbb
check "a timeout whose replay times out too: filed" [ -f "$tout/findings/timeout/raw/timeout-bbb" ]
check "... and no flaky line for it" [ "$(wc -l < "$tout/kernel-flaky.log")" -eq 1 ]
echo s > "$tout/crashes/slow-unit-ddd"
file_timeout "$T/bin/quick-repro" slow-unit-ddd
check "a slow unit whose replay ends: not filed, a flaky line" grep -q 'flaky/slow-unit-ddd$' "$tout/kernel-flaky.log"
sed -i '/slow-unit-ddd/d' "$tout/kernel-flaky.log"
echo z > "$tout/crashes/timeout-ccc"
( out=$tout REPRO=$T/bin/quick-repro MINIMIZE=/bin/false CODEC=/bin/false ENGINE=libfuzzer FINDINGS_BUG=""
  unset FINDINGS_TIMEOUT_REPLAY; say() { :; }; . "$ROOT/tools/findings.sh"; file_input "$tout/crashes/timeout-ccc" )
check "the model engines file a timeout at once" [ -f "$tout/findings/timeout/raw/timeout-ccc" ]

# --- every Bazel call goes through tools/bazel_lib.sh -------------------------
# (a server started elsewhere keeps the caller's descriptors: a held CI lock)
direct=$(grep -rlE '(^|[;&|({]|[[:space:]])bazel (build|test|run|cquery|query|coverage|clean)\b' \
           --include='*.sh' --include=rmapfuzz --include=run . 2>/dev/null |
         grep -vE '^\./(bazel-|tools/bazel_lib\.sh$|\.ci/checks/)' | tr '\n' ' ')
check "no script calls Bazel directly: ${direct:-none}" [ -z "$direct" ]

echo "campaign_data: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

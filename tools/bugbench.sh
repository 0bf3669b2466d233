#!/usr/bin/env bash
# usage: ./rmapfuzz bugbench [--engine libfuzzer|afl|random|kernel] [--trials N]
#       [--budget SECONDS] [--bugs a,b,...] [--out DIR] [--mutator on|off]
#       [--corpus seeds|pruned|empty] [--runs N] [--interleave on|off] [--table]
#
# Times how long search takes to find each injected bug (Magma's method).
#
#   --engine   libfuzzer (default), afl (AFL++, persistent, ASan+UBSan),
#              random (fuzz/random: PRNG op streams, no feedback, no corpus),
#              or kernel (libFuzzer on fuzz/kernel_diff_fuzz: the model
#              against the host kernel, root; its bugs by default the
#              kernel-only ones, which nothing else can see)
#   --trials   independent trials per bug, seeds 1..N (default 5)
#   --budget   seconds per trial (default 60)
#   --bugs     the bugs (default: every bug not kernel-only, or with
#              --engine kernel the kernel-only ones; "all" for all)
#   --out      results directory (default out/bugbench)
#   --mutator  on (default, as in ./rmapfuzz fuzz): the op-level mutator
#              (fuzz/mutator) for libFuzzer / AFL++ / the kernel engine;
#              off: byte mutations
#   --corpus   what a trial starts from: pruned (default: corpus/seeds and
#              corpus/regressions less every input that finds the bug as it
#              stands), seeds (all of them), empty
#   --runs     also stop each trial after N inputs (random, libFuzzer and
#              the kernel engine; AFL++: -E N executions): a fixed amount
#              of work, for tests (default 0: the budget alone)
#   --interleave  on (default); off: every input's interleavings dropped
#              (RMAP_NO_INTERLEAVE=1, trace/codec.h: the ILV bytes are read
#              and ignored) in the trials, the replays and the signer: the
#              search without the interleaving dimension (the dimension races
#              need: docs/races.md).  Its
#              default --out is out/bugbench-nointerleave, so that the two
#              settings' rows never mix
#   --table    only rebuild the table and plot from DIR/results.tsv
#
# A trial is one engine process on one core with RMAP_BUG=NAME; it ends at
# its first finding (a crash file), which is signed as the campaign signs
# it (repro --bug NAME --signature).  It counts as the bug detected only
# when the finding came within the budget and its signature is the bug's
# expected check (bugs/bug_list.h) or exactly the signature the bug's own
# trace gets from the same signer (a bug with another face, shown by its
# own trace bugs/traces/NAME+SIDE.rmt, is found by that trace's check or
# signature too); a finding with another signature is
# reported in the table's "other" column, one after the budget in "late".
# The kernel engine's finding is replayed with the bug off as well: one the
# model shows without the bug too is signed unbugged-kernel:..., "other".
# Its time to detect is the wall
# time from its start to its exit, censored at the budget.  An engine that
# exits with an error and no finding stops the benchmark (exit 2).  Every
# trial appends a row to DIR/results.tsv; DIR/seeds.tsv says which
# committed inputs find each bug by replay (the "seeds" column), cached in
# DIR/seeds/KEY/ under a key of the commit and the corpus's contents (a
# replay that fails to run, not on a finding, stops the benchmark, exit
# 2); the table (DIR/bugbench.md) and the plot (DIR/bugbench.png) are made
# from every row of results.tsv, so runs of several engines into one DIR
# make one table.

# (Not in --help: a check's seams.)  The detection rule is
# tools/bugbench_lib.sh's bb_trial_outcome.  Prebuilt programs (for the
# tests; nothing is built): BUGBENCH_ENGINE_BIN
# (the engine's program), BUGBENCH_REPLAY (the plain target that replays
# inputs), BUGBENCH_SIGNER (repro), BUGBENCH_CANARY_DUMP, BUGBENCH_RMT_RUN.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
USER_CWD=$PWD

engine=libfuzzer trials=5 budget=60 bugs="" out=out/bugbench mutator=on
corpus=pruned table_only=0 runs=0 interleave=on out_given=0
while [ $# -gt 0 ]; do
  case $1 in
    --engine|--trials|--budget|--bugs|--out|--mutator|--corpus|--runs|--interleave)
      [ $# -ge 2 ] || { echo "bugbench: $1 needs a value (--help)" >&2; exit 2; } ;;
  esac
  case $1 in
    --engine) engine=$2; shift 2 ;;
    --trials) trials=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --bugs) bugs=${2//,/ }; shift 2 ;;
    --out) out=$2; out_given=1; shift 2 ;;
    --interleave) interleave=$2; shift 2 ;;
    --mutator) mutator=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --table) table_only=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "bugbench: unknown argument '$1' (--help)" >&2; exit 2 ;;
  esac
done
case $engine in libfuzzer|afl|random|kernel) ;; *) echo "bugbench: engine libfuzzer|afl|random|kernel" >&2; exit 2 ;; esac
case $mutator in on|off) ;; *) echo "bugbench: --mutator on|off" >&2; exit 2 ;; esac
case $corpus in seeds|pruned|empty) ;; *) echo "bugbench: --corpus seeds|pruned|empty" >&2; exit 2 ;; esac
case $interleave in on|off) ;; *) echo "bugbench: --interleave on|off" >&2; exit 2 ;; esac
# every program below decodes its inputs with the interleavings dropped
if [ "$interleave" = off ]; then
  export RMAP_NO_INTERLEAVE=1
  [ "$out_given" = 1 ] || out=out/bugbench-nointerleave
else
  unset RMAP_NO_INTERLEAVE
fi
# numbers and names up front, before any build or row: --trials and
# --budget from 1 to 2^31-1 (libFuzzer's -max_total_time is 32 bits), every
# name of --bugs in bugs/bug_list.h
for v in trials budget; do
  [[ ${!v} =~ ^0*[0-9]{1,10}$ ]] && [ $((10#${!v})) -ge 1 ] && [ $((10#${!v})) -le 2147483647 ] ||
    { echo "bugbench: --$v takes a whole number from 1 to 2147483647, not '${!v}'" >&2; exit 2; }
  declare "$v=$((10#${!v}))"
done
# --runs: 0 (no limit) up to the same bound
[[ $runs =~ ^0*[0-9]{1,10}$ ]] && [ $((10#$runs)) -le 2147483647 ] ||
  { echo "bugbench: --runs takes a whole number from 0 to 2147483647, not '$runs'" >&2; exit 2; }
runs=$((10#$runs))
for b in $bugs; do
  [ "$b" = all ] || grep -q "^INJECTED_BUG($b," "$ROOT/bugs/bug_list.h" ||
    { echo "bugbench: --bugs: no such bug '$b' (./rmapfuzz run --bug list; bugs/bug_list.h)" >&2; exit 2; }
done
[ "$engine" != random ] || { mutator=off; corpus=empty; }   # no corpus, no mutator
[ "$engine" != kernel ] || [ "$(id -u)" = 0 ] || [ "$table_only" = 1 ] ||
  { echo "bugbench: --engine kernel runs the host kernel's side as root (kernel/kworld.h)" >&2; exit 2; }
case $out in /*) ;; *) out=$USER_CWD/$out ;; esac
# an --out that cannot be a directory is a usage error, said plainly
if [ -e "$out" ] && [ ! -d "$out" ]; then
  echo "rmapfuzz bugbench: cannot use $out: it is a file (--out takes a directory)" >&2; exit 2
fi
mkdir -p "$out" 2>/dev/null || { echo "rmapfuzz bugbench: cannot create the directory $out" >&2; exit 2; }
cd "$ROOT"

say() { echo "bugbench: $*" >&2; }
# the decisions: replay verdicts, trial outcomes, the prune cache's key
. "$ROOT/tools/bugbench_lib.sh"
# Bazel the launcher's way (tools/bazel_lib.sh: bazel_bin CONFIG[+CONFIG]
# TARGET, with no descriptor of ours left to the server)
. "$ROOT/tools/bazel_lib.sh"
build() { bazel_bin "$1" "$2" || { say "build of $2 failed"; exit 1; }; }

# ---- the table: every row of results.tsv ---------------------------------

# The issue's measure of feedback: per bug, the random baseline's expected
# time to bug over each other setting's (Magma's estimate, both censored at
# their budgets).  A setting or baseline that never found the bug has no
# estimate; its N x budget is then a bound: ">" or "<" the ratio.
ratio_table() {
  awk -F'\t' '
    { s = $1 ($1 == "random" ? "" : ($2 == "on" ? "+mutator" : "")) "/" $3
      key = $4 SUBSEP s; n[key]++; bud[key] = $12; bugs[$4] = 1; sets[s] = 1
      if (det()) { k[key]++; sum[key] += $9 } }
    '"$DETECTED_AWK"'
    function x(v) { return sprintf(v >= 10 ? "%.0fx" : v >= 1 ? "%.1fx" : "%.2fx", v) }
    function ett(key) { return k[key] ? (sum[key] + (n[key] - k[key]) * bud[key]) / k[key] : -1 }
    END {
      for (s in sets) if (s !~ /^random/) cols[++nc] = s
      for (s in sets) if (s ~ /^random/) base = s
      if (base == "" || nc == 0) exit
      # columns in a fixed order, whatever awk iterates
      for (i = 2; i <= nc; i++) { t = cols[i]; for (j = i - 1; j >= 1 && cols[j] > t; j--) cols[j+1] = cols[j]; cols[j+1] = t }
      printf "\nThe random baseline'"'"'s expected time to bug over each setting'"'"'s (x: how many\n"
      printf "times sooner the setting finds it; > or < when one side never did, from\n"
      printf "its trials x budget; - when neither did or a side was not run).\n\n"
      printf "| bug |"; for (i = 1; i <= nc; i++) printf " %s |", cols[i]; printf "\n|---|"
      for (i = 1; i <= nc; i++) printf "---|"; printf "\n"
      nb = 0; for (b in bugs) names[++nb] = b
      for (i = 2; i <= nb; i++) { t = names[i]; for (j = i - 1; j >= 1 && names[j] > t; j--) names[j+1] = names[j]; names[j+1] = t }
      for (bi = 1; bi <= nb; bi++) {
        b = names[bi]; rk = b SUBSEP base
        printf "| %s |", b
        for (i = 1; i <= nc; i++) {
          ck = b SUBSEP cols[i]; r = ett(rk); c = ett(ck)
          if (!(rk in n) || !(ck in n) || (r < 0 && c < 0)) cell = "-"
          else if (r < 0) cell = "> " x(n[rk] * bud[rk] / c)
          else if (c < 0) cell = "< " x(r / (n[ck] * bud[ck]))
          else cell = x(r / c)
          printf " %s |", cell
        }
        printf "\n"
      }
    }' "$res"
}

# results.tsv: engine mutator corpus bug class trial seed detected seconds
#              reached triggered budget outcome signature raw_seconds
# (detected: 1 for outcome "detected" only; seconds: the time to detect,
# the budget when not detected; raw_seconds: until the engine exited).
# Rows written before the outcome columns (12 fields) never had their
# signature checked: they count as detected when found within the budget,
# and the table says their signatures were not checked.
DETECTED_AWK='function det() { return $13 != "" ? $13 == "detected" : ($8 == 1 && $9 + 0 <= $12 + 0) }'
make_table() {
  local res=$out/results.tsv md=$out/bugbench.md
  [ -s "$res" ] || { say "no results in $res"; return; }
  {
    echo "Time to detect each injected bug by search (\`tools/bugbench.sh\`)."
    echo "Per bug and setting: trials that found it (k/N), median and max time"
    echo "to detect over the trials that found it, the canaries summed over the"
    echo "trials (reached / triggered, both worlds counted), and the expected"
    echo "time to bug: (sum of the detection times + (N - k) x budget) / k, the"
    echo "exponential estimate Magma uses for censored trials (- when k = 0)."
    echo "Seeds: how many committed inputs find the bug by replay as they stand."
    echo "A trial counts as detected only when its finding came within the budget"
    echo "and its signature is the bug's expected check (bugs/bug_list.h) or that"
    echo "of the bug's own trace; late: the bug's finding after the budget; other:"
    echo "trials ended by a finding with another signature (the first one"
    echo "shown); signed: detections whose signature was checked (rows from"
    echo "before the check have none)."
    echo
    echo "| bug | class | engine | corpus | budget s | seeds | detected | median s | max s | late | other | signed | reached | triggered | expected s |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    sort -t$'\t' -k4,4 -k1,1 -k2,2 -k3,3 -k12,12n -k6,6n "$res" | awk -F'\t' -v seeds="$out/seeds.tsv" '
      BEGIN { while ((getline l < seeds) > 0) { split(l, f, "\t"); sd[f[1]] = f[2] } }
      '"$DETECTED_AWK"'
      function flush(   med, mx, i, j, t, ett, oc) {
        if (key == "") return
        # insertion sort of the detection times
        for (i = 2; i <= k; i++) { t = tm[i]; for (j = i - 1; j >= 1 && tm[j] > t; j--) tm[j+1] = tm[j]; tm[j+1] = t }
        if (k) { med = (k % 2) ? tm[(k+1)/2] : (tm[k/2] + tm[k/2+1]) / 2; mx = tm[k]
                 ett = sprintf("%.2f", (sum + (n - k) * bud) / k) }
        else { med = "-"; mx = "-"; ett = "-" }
        if (k) { med = sprintf("%.2f", med); mx = sprintf("%.2f", mx) }
        oc = other ? other " (" osig ")" : "0"
        printf "| %s | %s | %s | %s | %s | %s | %d/%d | %s | %s | %d | %s | %d/%d | %d | %d | %s |\n",
          bug, cls, eng, corp, bud, (bug in sd ? sd[bug] : "?"), k, n, med, mx, late, oc,
          signed, k, R, T, ett
      }
      { nk = $4 FS $1 FS $2 FS $3 FS $12
        if (nk != key) { flush(); key = nk; k = 0; n = 0; sum = 0; R = 0; T = 0
                         late = 0; other = 0; osig = ""; signed = 0 }
        bug = $4; cls = $5; eng = $1 ($1 == "random" ? "" : ($2 == "on" ? "+mutator" : "")); corp = $3
        n++; R += $10; T += $11; bud = $12
        if ($13 == "late" || ($13 == "" && $8 == 1 && $9 + 0 > $12 + 0)) late++
        if ($13 == "other") { other++; if (osig == "") osig = $14 }
        if (det()) { k++; tm[k] = $9; sum += $9; if ($13 != "") signed++ } }
      END { flush() }'
    ratio_table
  } >"$md"
  say "table: $md"
  make_plot
}

# One point per trial: x the bug, y the time to detect (log), a series per
# engine setting; a trial that found nothing is drawn at its budget, hollow,
# on the dashed line of that budget.  The y range is set from the data
# (with room: a point on the border was clipped, and one value alone made
# gnuplot warn of an empty range).  The script is written beside the plot
# (DIR/bugbench.gp) and takes its two paths as arguments: gnuplot -c
# bugbench.gp plot.dat bugbench.png.  Anything gnuplot says is shown.
make_plot() {
  local res=$out/results.tsv dat=$out/plot.dat png=$out/bugbench.png gp=$out/bugbench.gp
  command -v gnuplot >/dev/null || { say "no gnuplot: no plot"; return; }
  # two passes: the number of series first, so that each bug's points sit
  # in a band of width 0.8 centred on its tick, one column per series
  awk -F'\t' '
    '"$DETECTED_AWK"'
    function series() { return $1 ($1 == "random" ? "" : ($2 == "on" ? "+mutator" : "")) "/" $3 }
    NR == FNR { if (!(series() in seen)) { seen[series()] = 1; total++ }; next }
    !($4 in bx) { bx[$4] = nb++; names[bx[$4]] = $4 }
    { s = series()
      if (!(s in sx)) { sx[s] = ns++; snames[sx[s]] = s }
      x = bx[$4] + 0.8 / total * (sx[s] - (total - 1) / 2) + 0.015 * ($6 % 5 - 2)
      y = det() ? ($9 < 0.01 ? 0.01 : $9) : $12
      print sx[s], x, y, det() > "/dev/stdout"
      if (!(($12, $1) in bs)) { bs[$12, $1] = 1; bud[$12] = bud[$12] (bud[$12] == "" ? "" : ",") $1 } }
    END { for (i = 0; i < nb; i++) print "# bug", i, names[i] > "/dev/stderr"
          for (i = 0; i < ns; i++) print "# series", i, snames[i] > "/dev/stderr"
          for (b in bud) print "# budget", b, bud[b] > "/dev/stderr" }
  ' "$res" "$res" >"$dat" 2>"$dat.names"
  local xtics plots="" i name nbugs seps budgets ylo yhi
  xtics=$(awk '$2 == "bug" { printf "%s\"%s\" %d", (n++ ? ", " : ""), $4, $3 }' "$dat.names")
  nbugs=$(awk '$2 == "bug"' "$dat.names" | wc -l)
  # a light line between two bugs' bands
  seps=$(awk -v n="$nbugs" 'BEGIN { for (i = 0; i < n - 1; i++)
    printf "set arrow from %.1f, graph 0 to %.1f, graph 1 nohead lc rgb \"#dddddd\"\n", i + 0.5, i + 0.5 }')
  # each budget: a dashed line, named in the right margin with its engines
  budgets=$(awk '$2 == "budget" { b = $3; $1 = $2 = $3 = ""; sub(/^ +/, "")
    printf "set arrow from graph 0, first %s to graph 1, first %s nohead dt 2 lw 1.5 lc rgb \"#777777\" front\n", b, b
    printf "set label \"budget %s s: %s\" at graph 1.01, first %s left font \",9\"\n", b, $0, b }' "$dat.names")
  # y: half a decade below the fastest point, a decade above the top budget
  read -r ylo yhi < <(awk '{ if (lo == "" || $3 < lo) lo = $3; if ($3 > hi) hi = $3 }
    END { printf "%g %g\n", lo / 3, hi * 3 }' "$dat")
  while read -r _ kind i name; do
    [ "$kind" = series ] || continue
    plots+="${plots:+, }dat using (\$1 == $i && \$4 == 1 ? \$2 : 1/0):3 with points pt 7 ps 1.4 lc $((i + 1)) title '$name', "
    plots+="dat using (\$1 == $i && \$4 == 0 ? \$2 : 1/0):3 with points pt 6 ps 2.4 lw 2 lc $((i + 1)) notitle"
  done <"$dat.names"
  cat >"$gp" <<GP
# bugbench.gp - written by tools/bugbench.sh from results.tsv:
#   gnuplot -c bugbench.gp plot.dat bugbench.png
dat = ARG1
set terminal pngcairo size 1400,760 noenhanced font ',10'
set output ARG2
set lmargin 22
set rmargin 28
set bmargin 11
set logscale y
set ylabel 'time to detect (s): filled, found; hollow, not found (at its budget)'
set xtics rotate by 35 right ($xtics)
set key outside top center horizontal
set grid ytics
set xrange [-0.8:$nbugs - 0.2]
set yrange [$ylo:$yhi]
$seps
$budgets
plot $plots
GP
  rm -f "$dat.names"
  local said
  if ! said=$(gnuplot -c "$gp" "$dat" "$png" 2>&1); then
    say "FAILED to draw $png: $said"; return 1
  fi
  [ -z "$said" ] || say "gnuplot, drawing $png: $said"
  say "plot: $png"
}

if [ "$table_only" = 1 ]; then make_table; exit 0; fi

# ---- the programs --------------------------------------------------------

target=//fuzz:rmap_diff_fuzz
[ "$mutator" = off ] || target=//fuzz:rmap_diff_fuzz_mut
if [ -n "${BUGBENCH_ENGINE_BIN:-}" ]; then
  bin=$BUGBENCH_ENGINE_BIN replay=$BUGBENCH_REPLAY signer=${BUGBENCH_SIGNER:-}
  canary_dump=$BUGBENCH_CANARY_DUMP rmt_run=$BUGBENCH_RMT_RUN
  afl_mut=${BUGBENCH_AFL_MUTATOR:-}
else
  say "building (${engine}, mutator ${mutator})"
  # the replay that tells which committed inputs find a bug as they stand:
  # through the target the engine fuzzes
  replay=$(build "opt+bugs" //fuzz:rmap_diff_fuzz)
  [ "$engine" != kernel ] || replay=$(build "opt+bugs" //fuzz:kernel_diff_fuzz)
  # what signs a finding, as the campaign signs it (tools/fuzz_campaign.sh);
  # the kernel engine's findings are signed by their replay (kernel_repro
  # has no injected bugs)
  [ "$engine" = kernel ] || signer=$(build "asan+bugs" //cmd:repro)
  canary_dump=$(build "opt+bugs" //bugs:canary_dump)
  rmt_run=$(build "opt+bugs" //cmd:rmt_run)
  case $engine in
    libfuzzer) bin=$(build "libfuzzer+bugs" "$target") ;;
    afl) bin=$(build "afl_asan+bugs" //fuzz:rmap_diff_fuzz)
         [ "$mutator" = off ] || afl_mut=$(build "opt" //fuzz/mutator:librmap_afl_mutator.so) ;;
    random) bin=$(build "asan+bugs" //fuzz/random:rmap_random) ;;
    kernel) ktarget=//fuzz:kernel_diff_fuzz
            [ "$mutator" = off ] || ktarget=//fuzz:kernel_diff_fuzz_mut
            bin=$(build "libfuzzer+bugs" "$ktarget") ;;
  esac
fi

if [ -z "$bugs" ] && [ "$engine" = kernel ]; then
  bugs=$("$rmt_run" --bug list | awk '$2 == "kernel-only" { print $1 }')
elif [ -z "$bugs" ]; then
  bugs=$("$rmt_run" --bug list | awk '$2 != "kernel-only" { print $1 }')
elif [ "$bugs" = all ]; then
  bugs=$("$rmt_run" --bug list | awk '{ print $1 }')
fi
class_of() { "$rmt_run" --bug list | awk -v b="$1" '$1 == b { print $2 }'; }
# the check that should catch it first (bugs/bug_list.h), as --bug list says
check_of() { "$rmt_run" --bug list | awk -v b="$1" '$1 == b { print $3 }'; }
for bug in $bugs; do
  [ -n "$(check_of "$bug")" ] || { say "no bug '$bug' (rmt_run --bug list)"; exit 2; }
done
# the bug's own traces: bugs/traces/NAME.rmt, and NAME+SIDE.rmt for each
# other face of the same bug (its first finding another check, its own
# "# check:" line; tests/bugs_suite_test.sh holds each to it)
own_traces() {
  local t
  for t in "bugs/traces/$1.rmt" "bugs/traces/$1+"*.rmt; do
    [ ! -f "$t" ] || printf '%s
' "$t"
  done
}
# the checks a finding of the bug may be signed with: the table's, then
# each other face's, joined by '|' (bb_sig_matches)
checks_of() {
  local all t c
  all=$(check_of "$1")
  for t in "bugs/traces/$1+"*.rmt; do
    [ -f "$t" ] || continue
    c=$(sed -n 's/^# check: //p' "$t" | head -n 1)
    [ -z "$c" ] || all="$all|$c"
  done
  printf '%s
' "$all"
}
# the signatures the bug's own traces get from the signer, which a finding
# may have instead of a check (bb_sig_matches), joined by '|'; none for
# the kernel engine, whose findings are kernel:... (the check "expect")
reference_of() {
  local all="" t s
  [ "$engine" != kernel ] || return 0
  for t in $(own_traces "$1"); do
    s=$(timeout 120 "$signer" --bug "$1" --signature "$t" 2>/dev/null | head -n 1 || true)
    [ -z "$s" ] || all="${all:+$all|}$s"
  done
  printf '%s
' "$all"
}

# ---- the committed inputs by replay: which find each bug -----------------

# The committed inputs a replay reads, and the prune cache's key: the code
# (commit, uncommitted changes) and these inputs' names and contents.
shopt -s nullglob
inputs=(corpus/seeds/* corpus/regressions/*)
shopt -u nullglob
prune_key=$(bb_prune_key "$(bb_code_id "$ROOT" "$replay")$([ "$interleave" = on ] || echo ' nointerleave')" "${inputs[@]}")

# DIR/seeds/KEY/BUG: the inputs that find BUG as they stand (kept while the
# code and the corpus are the same); seeds.tsv: their counts.  A replay that
# neither passes nor finds (bb_replay_verdict: unreadable input, no program,
# killed) stops the benchmark: a pruned corpus cannot be made without it.
seeds_finding() {
  local bug=$1 f list=$out/seeds/$prune_key/$1 rc verdict
  mkdir -p "$out/seeds/$prune_key"
  if [ -f "$list" ]; then
    say "$bug: inputs that find it as they stand: $(wc -l <"$list"), cached (key $prune_key)"
  else
    : >"$list.tmp"
    for f in "${inputs[@]}"; do
      # a sanitizer report aborts too, as a finding does
      (ASAN_OPTIONS=abort_on_error=1:${ASAN_OPTIONS:-} \
       UBSAN_OPTIONS=abort_on_error=1:${UBSAN_OPTIONS:-} \
       RMAP_BUG=$bug "$replay" "$f" >"$out/seeds/replay.log" 2>&1; exit $?) 2>/dev/null && rc=0 || rc=$?
      verdict=$(bb_replay_verdict "$rc")
      case $verdict in
        finds) basename "$f" >>"$list.tmp" ;;
        error) say "replay of $f with $bug failed to run (exit $rc), not a finding:"
               tail -n 5 "$out/seeds/replay.log" >&2
               rm -f "$list.tmp"; exit 2 ;;
      esac
    done
    mv "$list.tmp" "$list"
  fi
  local n; n=$(wc -l <"$list")
  grep -v "^$bug	" "$out/seeds.tsv" 2>/dev/null >"$out/seeds.tsv.tmp" || true
  printf '%s\t%s\n' "$bug" "$([ "$n" -eq 0 ] && echo 0 || echo "$n ($(head -n 1 "$list"))")" \
    >>"$out/seeds.tsv.tmp"
  mv "$out/seeds.tsv.tmp" "$out/seeds.tsv"
}

# start_corpus BUG DIR: the inputs a trial starts from, copied into DIR.
start_corpus() {
  local bug=$1 dir=$2 f
  mkdir -p "$dir"
  case $corpus in
    empty) ;;
    seeds) [ ${#inputs[@]} -eq 0 ] || cp "${inputs[@]}" "$dir"/ ;;
    pruned) for f in "${inputs[@]}"; do
              grep -qxF "$(basename "$f")" "$out/seeds/$prune_key/$bug" || cp "$f" "$dir"/
            done ;;
  esac
  # AFL++ needs one input to start from
  if [ "$engine" = afl ] && [ -z "$(ls -A "$dir")" ]; then printf '\0' >"$dir/empty"; fi
}

# ---- one trial -----------------------------------------------------------

# sign_finding BUG FILE: the signature of a finding, as the campaign files
# it (tools/findings.sh signature_of); empty when it does not reproduce.
sign_finding() {
  case $(basename "$2") in
    timeout-*) echo timeout; return ;;
    oom-*) echo oom; return ;;
  esac
  if [ "$engine" = kernel ]; then
    local s
    s=$( (RMAP_BUG=$1 timeout 120 "$replay" "$2" 2>&1; exit $?) 2>/dev/null |
      grep -m1 -o 'DIVERGENCE SIGNATURE: [^ ]*' | cut -d' ' -f3 || true)
    # the kernel's answer differs from the model's with the bug off too:
    # a difference of the model's own, not the bug's; its check
    # ("unbugged-kernel") matches no bug: the trial counts as "other"
    if [ -n "$s" ] && (timeout 120 "$replay" "$2" 2>&1; exit $?) 2>/dev/null |
        grep -q 'DIVERGENCE SIGNATURE: '; then
      s=unbugged-$s
    fi
    echo "$s"
  else
    timeout 120 "$signer" --bug "$1" --signature "$2" 2>/dev/null | head -n 1 || true
  fi
}

# trial BUG N: runs it, appends its row to results.tsv
trial() {
  local bug=$1 n=$2 seed=$2 dir found=0 t0 t1 secs raw can rc file sig outcome
  local lf_runs=() rnd_runs=() afl_runs=()
  [ "$runs" -eq 0 ] || { lf_runs=(-runs="$runs"); rnd_runs=(--runs "$runs"); afl_runs=(-E "$runs"); }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/bugbench.XXXXXX")
  can=$dir/canaries
  start_corpus "$bug" "$dir/in"
  mkdir -p "$dir/art"
  t0=$(date +%s.%N)
  set +e
  case $engine in
    libfuzzer | kernel)
      RMAP_BUG=$bug RMAP_BUG_CANARIES=$can timeout -s INT $((budget + 30)) \
        "$bin" -seed="$seed" -max_total_time="$budget" -max_len=4096 \
        -dict="$ROOT/fuzz/rmap_diff_fuzz.dict" -artifact_prefix="$dir/art/" \
        -print_final_stats=0 -close_fd_mask=3 "${lf_runs[@]}" "$dir/in" >"$dir/log" 2>&1 ;;
    random)
      ASAN_OPTIONS=abort_on_error=1 RMAP_BUG=$bug RMAP_BUG_CANARIES=$can \
        timeout -s INT $((budget + 30)) "$bin" --seed "$seed" --time "$budget" \
        "${rnd_runs[@]}" --artifact-prefix "$dir/art/" >"$dir/log" 2>&1 ;;
    afl)
      local mutenv=()
      [ "$mutator" = off ] || mutenv=(AFL_CUSTOM_MUTATOR_LIBRARY="$afl_mut")
      env "${mutenv[@]}" AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
        AFL_SUPPRESS_ERROR=1 AFL_NO_AFFINITY=1 AFL_BENCH_UNTIL_CRASH=1 \
        AFL_NO_STARTUP_CALIBRATION=1 \
        RMAP_BUG=$bug RMAP_BUG_CANARIES=$can timeout -s INT $((budget + 60)) \
        afl-fuzz -i "$dir/in" -o "$dir/afl" -s "$seed" -V "$budget" "${afl_runs[@]}" \
        -x "$ROOT/fuzz/rmap_diff_fuzz.dict" -- "$bin" >"$dir/log" 2>&1 ;;
  esac
  rc=$?
  set -e
  t1=$(date +%s.%N)
  raw=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  # the first finding the engine left: a crash (or leak) file; libFuzzer's
  # timeouts and OOMs are findings too, of their own kind
  file=$(ls "$dir"/art/crash-* "$dir"/art/leak-* "$dir"/art/timeout-* \
    "$dir"/art/oom-* "$dir"/afl/default/crashes/id:* 2>/dev/null | head -n 1 || true)
  [ -z "$file" ] || { found=1; sig=$(sign_finding "$bug" "$file"); }
  outcome=$(bb_trial_outcome "$found" "$raw" "$budget" "${sig:-}" "$(checks_of "$bug")" "$ref" "$rc")
  if [ "$outcome" = error ]; then
    mkdir -p "$out/logs"; cp "$dir/log" "$out/logs/$bug-$engine-$mutator-$corpus-$n.log"
    say "$bug trial $n: the engine exited $rc without a finding: it did not run" \
      "(log: $out/logs/$bug-$engine-$mutator-$corpus-$n.log):"
    tail -n 5 "$dir/log" >&2
    rm -rf "$dir"; exit 2
  fi
  secs=$budget
  [ "$outcome" != detected ] || secs=$raw
  local rt
  rt=$("$canary_dump" "$can" "$bug" 2>/dev/null | awk -v b="$bug" \
       '$1 == "canary" && $2 == b { split($3, r, "="); split($4, t, "="); print r[2], t[2] }' || true)
  [ -n "$rt" ] || rt="0 0"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$engine" "$mutator" \
    "$corpus" "$bug" "$(class_of "$bug")" "$n" "$seed" \
    "$([ "$outcome" = detected ] && echo 1 || echo 0)" "$secs" \
    ${rt} "$budget" "$outcome" "${sig:--}" "$raw" >>"$out/results.tsv"
  case $outcome in
    detected) say "$bug trial $n: found in ${secs}s ($sig)" ;;
    late) say "$bug trial $n: found in ${raw}s, after the ${budget}s budget: not counted ($sig)" ;;
    other) say "$bug trial $n: ended by another finding in ${raw}s, '${sig:-unreproduced}', not $(checks_of "$bug" | sed 's/|/ or /g')${ref:+ or ${ref//|/ or }}: not counted" ;;
    none) say "$bug trial $n: not found in ${budget}s" ;;
  esac
  say "  (rc $rc; canaries reached/triggered $rt)"
  if [ "$found" = 1 ]; then
    mkdir -p "$out/findings"
    cp "$file" "$out/findings/$bug-$engine-$mutator-$corpus-$n" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

say "engine $engine, mutator $mutator, corpus $corpus, $trials trial(s) of ${budget}s; load: $(uptime | sed 's/.*load/load/')"
for bug in $bugs; do
  seeds_finding "$bug"
  ref=$(reference_of "$bug")
  say "$bug: counted when signed $(checks_of "$bug" | sed 's/|/ or /g')${ref:+ or ${ref//|/ or }}"
  for n in $(seq 1 "$trials"); do trial "$bug" "$n"; done
done
make_table

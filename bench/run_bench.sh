#!/usr/bin/env bash
# run_bench.sh - `./rmapfuzz bench`: the PTE-chain vs object-based trade-off
# Builds bench/bench_main -O2 without sanitizers
# (--config=opt), runs its workloads on every backend, draws the scaling
# plots with gnuplot and gathers the tables into DIR/README.md.
#
#   ./rmapfuzz bench [--quick] [--out DIR] [WORKLOAD...]
#   ./rmapfuzz bench --core [OPS]   simulator throughput (tools/bench_core.sh)
#
# Output (DIR, default out/bench): one WORKLOAD.md per workload, the data
# files of the scaling curves and their PNG plots, and README.md (machine,
# command, every table, the plots).  Exit status 1 when a configuration
# failed, 2 on bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# Bazel the launcher's way (no descriptor of ours left to its server)
. "$ROOT/tools/bazel_lib.sh"
# one bench run per --out, as campaigns have one per directory
. "$ROOT/tools/out_lock.sh"
TARGET=//bench:bench_main

usage() {
  cat <<TXT
usage: ./rmapfuzz bench [--quick] [--out DIR] [WORKLOAD...]
       ./rmapfuzz bench --core [OPS]

The PTE-chain vs object-based rmap trade-off, measured on every backend
(obj, anonvma2004, ptechain, scan), built -O2 without sanitizers:

  arcangeli  N tasks x S shared memory: PTE-chain bytes (100 x 2.7 GiB)
  vanriel    1 parent, C children COWing M pages: VMAs per walk (1000 x 1000)
  morton     P processes x V VMAs on one file: unmap of a page (1000 x 1000)
  forkexit   fork + exit of a process of M pages, per backend, and the ratio
  scaling    walk time and rmap memory vs sharing degree and VMAs per file
  thp        the same tasks x 2.7 GiB in 2 MiB THPs shared by PMD: PTE-chain
             bytes per PMD mapping; walks of a THP PMD- and PTE-mapped (100)

  --quick      every workload at small sizes (CI: well under a minute)
  --out DIR    where the tables and plots go (default out/bench); one run
               at a time: a second is refused with the holder's pid
  --core       simulator throughput instead (./rmapfuzz bench --core --help)

The full run needs about 3 GiB of memory and a few minutes on 2 cores;
run it on an otherwise idle machine, timings are wall-clock.
TXT
}

out=$ROOT/out/bench quick=() workloads=()
while [ $# -gt 0 ]; do
  case $1 in
    --core) shift; exec bash "$ROOT/tools/bench_core.sh" "$@" ;;
    --quick) quick=(--quick); shift ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    arcangeli|vanriel|morton|forkexit|scaling|thp) workloads+=("$1"); shift ;;
    *) echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
# an --out that cannot be a directory is a usage error, said plainly
if [ -e "$out" ] && [ ! -d "$out" ]; then
  echo "rmapfuzz bench: cannot use $out: it is a file (--out takes a directory)" >&2; exit 2
fi
mkdir -p "$out" 2>/dev/null || { echo "rmapfuzz bench: cannot create the directory $out" >&2; exit 2; }
out=$(cd "$out" && pwd)
out_lock "$out" bench "bench run"

# build, then find the binary of exactly this config
echo "bench: building $TARGET (--config=opt)" >&2
bin=$(bazel_bin opt "$TARGET") || exit 1

# the tree the binary was built from, "+dirty" with uncommitted changes
commit() {
  local c
  c=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
  (cd "$ROOT" && git diff --quiet HEAD -- 2>/dev/null) || c=$c+dirty
  echo "$c"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
rc=0
"$bin" "${quick[@]}" --out "$out" "${workloads[@]}" || rc=$?
elapsed=$(( $(date +%s) - start ))

if [ -f "$out/scaling_sharing.dat" ] && [ -f "$out/scaling_vmas.dat" ]; then
  if command -v gnuplot >/dev/null 2>&1; then
    # the directory as an argument (-c), never pasted into gnuplot's text:
    # -e "dir='$out'" drew nothing for a name with a quote.  Anything
    # gnuplot says is a failure: a warning there means a picture is wrong
    said=$(gnuplot -c "$ROOT/bench/plots.gp" "$out" 2>&1) && [ -z "$said" ] ||
      { echo "bench: FAILED to draw the scaling plots in $out: ${said:-gnuplot failed}" >&2; rc=1; }
  else
    echo "bench: gnuplot not found (tools/setup.sh installs gnuplot-nox): no plots" >&2
  fi
fi

# README.md: where and how, then every table, then the plots
{
  echo "# rmapfuzz bench: PTE chains vs object-based rmap"
  echo
  echo "Command: \`./rmapfuzz bench${quick:+ --quick}${workloads:+ ${workloads[*]}}\`" \
       "(bench/bench_main, --config=opt: -O2, no sanitizers)."
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'))," \
       "$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) of memory;" \
       "load average before the run: $load_before; total wall time ${elapsed} s;" \
       "commit $(commit), $(date -u +%Y-%m-%d)."
  echo
  echo "Peak RSS is each configuration's own (one child process per backend and size)."
  echo
  for w in arcangeli vanriel morton forkexit scaling; do
    [ -f "$out/$w.md" ] && { cat "$out/$w.md"; echo; }
  done
  for p in scaling_sharing scaling_vmas; do
    [ -f "$out/$p.png" ] && echo "![$p]($p.png)"
  done
  true
} >"$out/README.md"

echo "bench: tables and plots in $out (README.md), ${elapsed} s" >&2
exit $rc

#!/usr/bin/env bash
# kernel_compare.sh FIRST LAST [NOPS]: for each seed, a random trace from
# shared/tools/gen_random.py run on the host kernel and on ./rmapfuzz run;
# reports every seed whose results or dumps differ (needs root).
set -uo pipefail
cd "$(dirname "$0")/.."
first=${1:-1} last=${2:-100} nops=${3:-80}
tools=../shared/tools
bazel build --config=opt --color=no --curses=no --noshow_progress //fuzz/cmd:rmt_run >&2 || exit 2
run=bazel-out/k8-opt-opt/bin/fuzz/cmd/rmt_run
tmp=$(mktemp -d)
bad=0 cut=0
norm() { grep -E -- ' -> |^(frame|zero)' | sed 's/^ *[0-9]* //'; }
for s in $(seq "$first" "$last"); do
  python3 "$tools/gen_random.py" "$s" "$nops" > "$tmp/t.rmt"
  "$run" --no-invariants "$tmp/t.rmt" | norm > "$tmp/m"
  cp "$tmp/m" "$tmp/m0"
  # the kernel tool waits forever on a worker a real signal killed: bound it
  timeout 60 python3 "$tools/kernel_run.py" "$tmp/t.rmt" > "$tmp/kraw" 2>&1
  status=$?
  norm < "$tmp/kraw" > "$tmp/k"
  if [ $status -eq 124 ]; then
    # hung after its worker died of a real signal: the line it hung on is
    # the one after the last it printed
    echo "$(sed -n "$(( $(wc -l < "$tmp/k") + 1 ))p" "$tmp/m0" 2>/dev/null | sed 's/ -> .*//') -> " >> "$tmp/k"
  fi
  # a real SIGBUS (shared anonymous memory past its end, which the kernel
  # tool does not foresee) kills that worker: its line has no result and
  # that process's later lines mean nothing; compare up to it when the
  # model reports the signal there
  kl=$(grep -n ' -> $' "$tmp/k" | head -1 | cut -d: -f1)
  if [ -n "$kl" ] && sed -n "${kl}p" "$tmp/m" | grep -qE ' -> SIG(BUS|SEGV)$' &&
     [ "$(sed -n "${kl}p" "$tmp/m" | sed 's/ -> .*//')" = "$(sed -n "${kl}p" "$tmp/k" | sed 's/ -> $//')" ]; then
    head -n $((kl - 1)) "$tmp/m" > "$tmp/m2"; mv "$tmp/m2" "$tmp/m"
    head -n $((kl - 1)) "$tmp/k" > "$tmp/k2"; mv "$tmp/k2" "$tmp/k"
    cut=$((cut + 1))
  fi
  if ! diff -q "$tmp/k" "$tmp/m" >/dev/null; then
    echo "seed $s differs"; bad=$((bad + 1))
    cp "$tmp/t.rmt" "$tmp/seed$s.rmt"
  fi
done
echo "$((last - first + 1)) seeds, $bad differ, $cut compared up to a real signal that ended the kernel run (traces kept in $tmp)"
[ "$bad" -eq 0 ]

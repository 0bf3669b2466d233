#!/usr/bin/env bash
# kernel_compare.sh FIRST LAST [NOPS]: for each seed, a random trace from
# shared/tools/gen_random.py run on the host kernel (kernel/, the kernel
# runner) and on ./rmapfuzz run; reports every seed whose results or dumps
# differ (needs root).
set -uo pipefail
cd "$(dirname "$0")/.."
first=${1:-1} last=${2:-100} nops=${3:-80}
tools=../shared/tools
bazel build --config=opt --color=no --curses=no --noshow_progress \
  //fuzz/cmd:rmt_run //kernel:kernel_run >&2 || exit 2
run=bazel-out/k8-opt-opt/bin/fuzz/cmd/rmt_run
kernel=bazel-out/k8-opt-opt/bin/kernel/kernel_run
"$kernel" --check-host || exit 2
tmp=$(mktemp -d)
bad=0
norm() { grep -E -- ' -> |^(frame|zero)' | sed 's/^ *[0-9]* //'; }
for s in $(seq "$first" "$last"); do
  python3 "$tools/gen_random.py" "$s" "$nops" > "$tmp/t.rmt"
  "$run" --no-invariants "$tmp/t.rmt" | norm > "$tmp/m"
  # a real SIGSEGV or SIGBUS is a result there too: no hang to bound
  "$kernel" "$tmp/t.rmt" 2> "$tmp/kerr" | norm > "$tmp/k"
  if ! diff -q "$tmp/k" "$tmp/m" >/dev/null; then
    echo "seed $s differs"; bad=$((bad + 1))
    cp "$tmp/t.rmt" "$tmp/seed$s.rmt"
  fi
done
echo "$((last - first + 1)) seeds, $bad differ (traces kept in $tmp)"
[ "$bad" -eq 0 ]

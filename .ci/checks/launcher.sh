#!/usr/bin/env bash
# launcher.sh - scripted checks of the launcher that a Bazel test cannot
# make (they start Bazel): every subcommand's --help, a missing option
# value, and that the Bazel server holds none of the caller's descriptors.
# Prints "N passed, M failed"; exit 1 on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

# -h/--help on every subcommand: its usage in ./rmapfuzz terms, exit 0
for cmd in run kernel test fuzz triage merge coverage repro minimize decode encode bench bugbench; do
  for h in --help -h; do
    if out=$(timeout 300 ./rmapfuzz "$cmd" $h 2>"$T/err"); then
      if grep -q "\./rmapfuzz $cmd\|^usage: ./rmapfuzz" <<<"$out" && ! grep -qE 'usage: (rmt_|repro |minimize |kernel_run|bench_core)' <<<"$out"; then ok
      else bad "$cmd $h: usage does not name ./rmapfuzz $cmd"; fi
    else bad "$cmd $h: exit status $? ($(head -2 "$T/err"))"; fi
  done
done

# a missing option value is a usage error, never a spin
for args in "--time" "--jobs" "--out" "--engine" "--time 5 --status"; do
  # shellcheck disable=SC2086
  timeout 20 ./rmapfuzz fuzz $args >/dev/null 2>&1; rc=$?
  [ $rc -eq 2 ] && ok || bad "fuzz $args: exit $rc (want 2; 124 is a spin)"
done
timeout 20 ./rmapfuzz minimize "$T/missing" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ! grep -q LeakSanitizer "$T/err" && ok || bad "minimize on a missing file: exit $rc"
printf 'bogus\n' > "$T/bad.rmt"
timeout 60 ./rmapfuzz minimize "$T/bad.rmt" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ! grep -q LeakSanitizer "$T/err" && ok || bad "minimize on an unparsable file: exit $rc"

# the Bazel server keeps none of the caller's descriptors (a held flock)
bazel shutdown 2>/dev/null
(
  exec 9>"$T/lock"
  flock 9
  ./rmapfuzz decode --help >/dev/null 2>&1
)
server=$(bazel info server_pid 2>/dev/null)
if [ -n "$server" ] && [ -d "/proc/$server/fd" ]; then
  if ls -l "/proc/$server/fd" 2>/dev/null | grep -q "$T/lock"; then bad "the Bazel server holds the caller's fd 9"
  else ok; fi
else bad "no Bazel server found"; fi
# and a pipe held by the caller is not held open by the server
if timeout 120 bash -c './rmapfuzz decode --help | cat >/dev/null'; then ok; else bad "a pipe reader hung"; fi

echo "launcher: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/usr/bin/env bash
# launcher.sh - scripted checks of the launcher that a Bazel test cannot
# make (they start Bazel): every subcommand's --help (whole, with no
# internal script or issue number), a missing option value, the mistakes
# it names (run --kernel --bug, a test target that does not exist, --out
# on a file, -o in a missing directory), what a campaign tells (stand-in
# engines), a skipped check counted and failing `./rmapfuzz test` unless
# allowed, and that the Bazel server holds none of the caller's descriptors.
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
      # a user's help: no internal script, no issue number
      if grep -qE '[a-z_]+\.(sh|py)\b|[Ii]ssue [0-9]' <<<"$out"; then
        bad "$cmd $h names internal scripts or issues: $(grep -m2 -E '[a-z_]+\.(sh|py)\b|[Ii]ssue [0-9]' <<<"$out" | tr '\n' '|')"
      else ok; fi
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

# fuzz --help is whole: its DIR listing and the exit statuses after it
out=$(./rmapfuzz fuzz --help 2>&1)
grep -q 'kernel-flaky.log' <<<"$out" && grep -q '130 interrupted' <<<"$out" && ok ||
  bad "fuzz --help is cut short: its last line is '$(tail -1 <<<"$out")'"
for cmd in "gen --help" "bench --core --help"; do
  # shellcheck disable=SC2086
  out=$(timeout 300 ./rmapfuzz $cmd 2>&1); rc=$?
  [ $rc -eq 0 ] && grep -q "^usage: ./rmapfuzz ${cmd% --help}" <<<"$out" && ok ||
    bad "$cmd: exit $rc, $(head -1 <<<"$out")"
done

# mistakes the launcher and its scripts catch: exit 2 and a message
# that names the mistake (want CMD STATUS REGEX: CMD's stderr matches)
want() {
  local cmd=$1 st=$2 re=$3 rc
  eval "timeout 300 $cmd" >"$T/out" 2>"$T/err"; rc=$?
  [ $rc -eq "$st" ] && grep -qE -- "$re" "$T/err" && ok ||
    bad "$cmd: exit $rc (want $st), stderr: $(grep -v '^INFO\|^WARNING\|^ERROR\|^ - ' "$T/err" | head -c 300)"
}
touch "$T/afile"
want "./rmapfuzz run --kernel --bug truncate_skips_vma x.rmt" 2 'cannot run an injected bug'
for cmd in run repro minimize; do
  want "./rmapfuzz $cmd x.rmt --bug" 2 "^rmapfuzz $cmd: --bug wants a NAME"
done
want "./rmapfuzz test //nonexistent:x" 2 'no such target: //nonexistent:x'
want "./rmapfuzz test //core:core" 2 'no test among //core:core'
want "./rmapfuzz bench --out '$T/afile'" 2 "cannot use $T/afile: it is a file"
want "./rmapfuzz bugbench --out '$T/afile'" 2 "cannot use $T/afile: it is a file"
want "./rmapfuzz repro --emit-test '$T/afile' -o '$T/dir/that/does not exist/x.rmt'" 2 \
  "cannot write $T/dir/that/does not exist/x.rmt: no directory"

# README: the kernel skips a fail-nth op (it cannot fail an allocation),
# as `./rmapfuzz kernel` does (--partial: without root too)
printf 'mmap p0 0x10000000 0x1000 rw anon private\nfail-nth 1 write p0 0x10000000\n' > "$T/fn.rmt"
timeout 300 ./rmapfuzz kernel --partial "$T/fn.rmt" >"$T/out" 2>"$T/err"
if grep -q '^ *2 fail-nth 1 write p0 0x10000000 -> skip$' "$T/out" &&
   grep -q "fn.rmt:2: write skipped: .*(fail-nth)" "$T/err"; then
  tr '\n' ' ' <README.md | grep -q '`./rmapfuzz kernel` skips such an op' && ok ||
    bad "README does not say that ./rmapfuzz kernel skips a fail-nth op"
else bad "./rmapfuzz kernel of a fail-nth op: $(tr '\n' '|' <"$T/out"; tr '\n' '|' <"$T/err")"; fi

# what a campaign tells (stand-in engines, no build): the kernel engine's
# summary names it, and AFL++'s colours stay out of its logs
mkdir -p "$T/bin"
cat > "$T/bin/target" <<'SH'
#!/usr/bin/env bash
printf '#2\tINITED cov: 5 ft: 6 corp: 1/1b exec/s: 0 rss: 30Mb\n#100\tDONE   cov: 5 ft: 6 corp: 1/1b exec/s: 100 rss: 30Mb\n' >&2
SH
cat > "$T/bin/afl-fuzz" <<'SH'
#!/usr/bin/env bash
o="" name=""
while [ $# -gt 0 ]; do
  case $1 in -o) o=$2; shift ;; -M | -S) name=$2; shift ;; --) break ;; esac
  shift
done
mkdir -p "$o/$name/queue"
printf '\033[0;36mafl-fuzz++4.04c\033[0m based on afl\n\033[1;92m[+] \033[0mLoaded seeds\033(B\n'
now=$(date +%s)
printf 'start_time : %s\nlast_update : %s\nrun_time : 1\nexecs_done : 100\ncorpus_count : 3\nedges_found : 7\n' \
  "$now" "$now" > "$o/$name/fuzzer_stats"
exec sleep 60
SH
chmod +x "$T/bin/target" "$T/bin/afl-fuzz"
stand_in=(RMAPFUZZ_TARGET="$T/bin/target" RMAPFUZZ_REPRO=/bin/false RMAPFUZZ_MINIMIZE=/bin/false
          RMAPFUZZ_CODEC=/bin/false)
env "${stand_in[@]}" bash tools/fuzz_campaign.sh --engine kernel --runs 100 --status 1 \
  --out "$T/kernel" >"$T/out" 2>&1
grep -q 'campaign over after .*(kernel, 1 job' "$T/out" && grep -q '] kernel engine (libFuzzer' "$T/out" &&
  ! grep -qE '] (libFuzzer|libfuzzer),|\(libfuzzer, ' "$T/out" && ok ||
  bad "the kernel engine's start and summary: $(grep -E 'runs|campaign over' "$T/out" | tr '\n' '|')"
env PATH="$T/bin:$PATH" "${stand_in[@]}" bash tools/fuzz_campaign.sh --engine afl --jobs 2 \
  --mutator off --time 3 --status 1 --out "$T/afl" >"$T/out" 2>&1
grep -q 'Loaded seeds' "$T/afl/campaign.log" && grep -q 'Loaded seeds' "$T/afl/campaign.log.s2" &&
  ! grep -q $'\033' "$T/afl/campaign.log" "$T/afl/campaign.log.s2" && ok ||
  bad "AFL++'s logs: $(grep -c $'\033' "$T/afl/campaign.log" "$T/afl/campaign.log.s2" | tr '\n' ' ')escapes, or its lines lost"

# A check that did not run is never a pass.  Without CAP_SYS_ADMIN (no
# frame numbers in /proc/PID/pagemap, as without root) the kernel
# comparison runs nothing and writes its skip record: `./rmapfuzz test`
# lists it, counts it as skipped, exits 1, and 0 once the skip is allowed.
# The Bazel server runs the tests, so it is started without the capability
# too; the first run sets aside a cached result from a run with it.
nocap=()
[ "$(id -u)" -ne 0 ] || nocap=(setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin)
kt=//tests:kernel_vs_model_test
if [ ${#nocap[@]} -gt 0 ] && ! "${nocap[@]}" true 2>"$T/err"; then
  bad "cannot drop CAP_SYS_ADMIN, so the skipped kernel check was not tried: $(head -1 "$T/err")"
else
  bazel shutdown 2>/dev/null
  if ! "${nocap[@]}" bazel test --color=no --curses=no --noshow_progress --config=asan \
      --nocache_test_results "$kt" >"$T/err" 2>&1; then
    bad "$kt without CAP_SYS_ADMIN: $(grep -m3 -E 'ERROR|FAILED' "$T/err")"
  fi
  skip_line="^kernel: $kt skipped: .*CAP_SYS_ADMIN"
  "${nocap[@]}" ./rmapfuzz test "$kt" >"$T/out" 2>"$T/err"; rc=$?
  if [ $rc -eq 1 ] && grep -q "$skip_line" "$T/out" &&
     [ "$(tail -1 "$T/out")" = "0 passed, 0 failed, 1 skipped" ]; then ok
  else bad "test $kt without CAP_SYS_ADMIN: exit $rc (want 1), summary: $(tr '\n' '|' <"$T/out")"; fi
  RMAPFUZZ_ALLOW_SKIP=kernel "${nocap[@]}" ./rmapfuzz test "$kt" >"$T/out" 2>"$T/err"; rc=$?
  if [ $rc -eq 0 ] && grep -q "^kernel: $kt skipped (allowed): " "$T/out" &&
     [ "$(tail -1 "$T/out")" = "0 passed, 0 failed, 1 skipped" ]; then ok
  else bad "RMAPFUZZ_ALLOW_SKIP=kernel test $kt: exit $rc (want 0), summary: $(tr '\n' '|' <"$T/out")"; fi
  "${nocap[@]}" ./rmapfuzz test --allow-skip other --allow-skip kernel "$kt" >"$T/out" 2>"$T/err"; rc=$?
  [ $rc -eq 0 ] && grep -q "^kernel: $kt skipped (allowed): " "$T/out" && ok ||
    bad "test --allow-skip other --allow-skip kernel $kt: exit $rc (want 0)"
  "${nocap[@]}" ./rmapfuzz test --allow-skip other "$kt" >"$T/out" 2>"$T/err"; rc=$?
  [ $rc -eq 1 ] && grep -q "$skip_line" "$T/out" && ok ||
    bad "test --allow-skip other $kt: exit $rc (want 1: kernel not allowed)"
  bazel shutdown 2>/dev/null   # the next server has the capability again
fi

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

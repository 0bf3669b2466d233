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
exec sleep 60
SH
chmod +x "$T/bin/afl-fuzz"
env PATH="$T/bin:$PATH" "${fake_tools[@]}" bash tools/fuzz_campaign.sh --engine afl --jobs 2 \
  --mutator off --time 8 --status 1 --out "$T/afl-dead" > "$T/afl-dead.txt" 2>&1; rc=$?
check "AFL++ main dead, secondary alive: exit 2 ($rc)" [ $rc -eq 2 ]
check "AFL++ main dead: the dead instance named" grep -q "instance 'main' died" "$T/afl-dead.txt"
check "AFL++ main dead: its last words" grep -q 'Timeout while initializing fork server' "$T/afl-dead.txt"

echo "campaign_data: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

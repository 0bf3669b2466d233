# afl_timeout.sh - AFL++'s per-exec timeout for a campaign, from a
# calibration of its seeds with margin, sourced by tools/fuzz_campaign.sh.
#
# Without -t AFL++ takes 5 x the seeds' average or their slowest, rounded
# up to 20 ms: under ASan the slowest seed takes about 15 ms, so it runs
# with 20 ms, and on a loaded machine (2 cores shared by several jobs: a
# process can wait tens of ms for a core) it files hangs that are none.
# AFL++'s "-t N+" takes the slowest seed itself, with no margin at all.
#
# afl_timeout_ms TARGET DIR...: runs TARGET (an AFL++ persistent-mode build:
# its driver runs each file named on its command line, printing "Reading N
# bytes from FILE" before each and "Execution successful." after it, on
# stdout: stdbuf -oL makes it line-buffered, ASan allowing the preload) on
# up to AFL_CALIBRATE_MAX inputs of DIR..., times each from its "Reading"
# line to the next line, and prints
#   MS SLOWEST_US AVG_US N
# MS = AFL_TIMEOUT_MARGIN x the slowest, rounded up to 20 ms like AFL++'s,
# within [AFL_TIMEOUT_MIN_MS, AFL_TIMEOUT_MAX_MS] (1000: AFL++'s own cap).
# The floor: a timing inside one process misses what AFL++'s own adds (its
# fork server's round trip, the coverage map reset: its calibration shows
# about 15 ms where the slowest seed here takes 4 to 6 ms), and 100 ms is
# over 6 x that.
# Fails (status 1) when no input could be timed.
AFL_CALIBRATE_MAX=200 AFL_TIMEOUT_MARGIN=5 AFL_TIMEOUT_MIN_MS=100 AFL_TIMEOUT_MAX_MS=1000
afl_timeout_ms() {
  local target=$1 files n k
  shift
  mapfile -t files < <(find "$@" -maxdepth 1 -type f 2>/dev/null | sort)
  n=${#files[@]}
  [ "$n" -gt 0 ] || return 1
  # every k-th input: at most AFL_CALIBRATE_MAX, spread over all of them
  k=$(( (n + AFL_CALIBRATE_MAX - 1) / AFL_CALIBRATE_MAX ))
  local pick=() i
  for ((i = 0; i < n; i += k)); do pick+=("${files[i]}"); done
  # the driver's lines, timed as they come (stderr, unbuffered)
  AFL_NO_UI=1 ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 timeout 120 \
    stdbuf -oL "$target" "${pick[@]}" 2>&1 |
    { local line prev="" max=0 sum=0 cnt=0 d now
      while IFS= read -r line; do
        now=${EPOCHREALTIME/./}
        if [ -n "$prev" ]; then
          d=$((now - prev)) prev=""
          sum=$((sum + d)) cnt=$((cnt + 1))
          [ "$d" -le "$max" ] || max=$d
        fi
        case $line in Reading*bytes\ from*) prev=$now ;; esac
      done
      [ "$cnt" -gt 0 ] || exit 1
      local ms=$(( (max * AFL_TIMEOUT_MARGIN / 1000 + 19) / 20 * 20 ))
      [ "$ms" -ge "$AFL_TIMEOUT_MIN_MS" ] || ms=$AFL_TIMEOUT_MIN_MS
      [ "$ms" -le "$AFL_TIMEOUT_MAX_MS" ] || ms=$AFL_TIMEOUT_MAX_MS
      echo "$ms $max $((sum / cnt)) $cnt"; }
}

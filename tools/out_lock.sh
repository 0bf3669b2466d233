# out_lock.sh - one user of an output directory at a time, sourced by
# tools/fuzz_campaign.sh (a campaign's --out) and bench/run_bench.sh
# (bench's --out: two runs on one directory would overwrite each other's
# tables and pollute each other's timings).
#
# out_lock DIR PROG WHAT: takes DIR/.lock (flock) for this process's life
# and writes who holds it in DIR/.owner; the descriptor is in lockfd (a
# child that outlives us must not keep it: start it with {lockfd}>&-).
# Exits 2 with "PROG: cannot write DIR" or "PROG: DIR is in use by another
# WHAT: pid ...".
out_lock() {
  local dir=$1 prog=$2 what=$3
  if ! { exec {lockfd}>>"$dir/.lock"; } 2>/dev/null || ! : 2>/dev/null >>"$dir/.owner"; then
    echo "$prog: cannot write $dir" >&2; exit 2
  fi
  if ! flock -n "$lockfd"; then
    echo "$prog: $dir is in use by another $what: $(cat "$dir/.owner" 2>/dev/null || echo '(owner unknown)')" >&2
    exit 2
  fi
  echo "pid $$ on $(hostname), started $(date -u +%FT%TZ)" > "$dir/.owner"
}

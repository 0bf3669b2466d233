#!/usr/bin/env bash
# Offline stand-in for Bazel's coverage tools; both sh_binary targets run it.
#
#   lcov_merger (per test, from collect_coverage.sh):
#     --coverage_dir=DIR --output_file=FILE [--filter_sources=RE ...]
#     merges DIR/**/*.dat, dropping sources that match a --filter_sources RE
#   coverage_report_generator (once, for --combined_report=lcov):
#     --reports_file=LIST --output_file=FILE  (LIST: one lcov file a line)
#
# Merging sums the hit counts of records for the same source file (tests and
# baselines), so each file appears once in the output. Other flags are ignored.
set -euo pipefail

args=("$@")
if [ ${#args[@]} -eq 1 ] && [ "${args[0]:0:1}" = "@" ]; then
  mapfile -t args < "${args[0]:1}"
fi
dir="" list="" out="" filters=()
for a in "${args[@]}"; do
  case "$a" in
    --coverage_dir=*) dir="${a#*=}" ;;
    --reports_file=*) list="${a#*=}" ;;
    --output_file=*) out="${a#*=}" ;;
    --filter_sources=*) filters+=("${a#*=}") ;;
  esac
done
[ -n "$out" ] && [ -n "$dir$list" ] || {
  echo "$0: need --output_file and --coverage_dir or --reports_file" >&2
  exit 1
}

inputs=()
if [ -n "$dir" ]; then
  mapfile -t inputs < <(find "$dir" -name '*.dat' -type f | sort)
else
  while IFS= read -r f; do
    [ -n "$f" ] && [ -f "$f" ] && inputs+=("$f")
  done < "$list"
fi
: > "$out"
[ ${#inputs[@]} -gt 0 ] || exit 0

re=""
[ ${#filters[@]} -eq 0 ] || re="^($(IFS='|'; echo "${filters[*]}"))\$"

awk -v re="$re" '
function add(t, k, v,    id) {
  if (skip) return
  id = sf SUBSEP t SUBSEP k
  if (!(id in val)) {
    n[sf, t]++
    key[sf, t, n[sf, t]] = k
    val[id] = v
  } else if (t != "FN" && v != "-") {
    val[id] = (val[id] == "-") ? v : val[id] + v
  }
}
function rest(s, p) { return substr(s, index(s, p) + 1) }
function head(s, p) { return substr(s, 1, index(s, p) - 1) }
/^SF:/ {
  sf = substr($0, 4)
  skip = (re != "" && sf ~ re)
  if (!skip && !(sf in known)) { known[sf] = 1; files[++nfiles] = sf }
  next
}
/^FN:/   { s = substr($0, 4); add("FN", rest(s, ","), head(s, ",")); next }
/^FNDA:/ { s = substr($0, 6); add("FNDA", rest(s, ","), head(s, ",")); next }
/^BRDA:/ {
  c = split(substr($0, 6), a, ",")
  if (c == 4) add("BRDA", a[1] "," a[2] "," a[3], a[4])
  next
}
/^DA:/   { split(substr($0, 4), a, ","); add("DA", a[1], a[2]); next }
END {
  for (i = 1; i <= nfiles; i++) {
    f = files[i]
    print "SF:" f
    for (j = 1; j <= n[f, "FN"]; j++) {
      k = key[f, "FN", j]
      print "FN:" val[f, "FN", k] "," k
    }
    hit = 0
    for (j = 1; j <= n[f, "FNDA"]; j++) {
      k = key[f, "FNDA", j]; v = val[f, "FNDA", k]
      print "FNDA:" v "," k
      if (v > 0) hit++
    }
    print "FNF:" n[f, "FN"] + 0
    print "FNH:" hit
    hit = 0
    for (j = 1; j <= n[f, "BRDA"]; j++) {
      k = key[f, "BRDA", j]; v = val[f, "BRDA", k]
      print "BRDA:" k "," v
      if (v != "-" && v > 0) hit++
    }
    if (n[f, "BRDA"] > 0) { print "BRF:" n[f, "BRDA"]; print "BRH:" hit }
    hit = 0
    for (j = 1; j <= n[f, "DA"]; j++) {
      k = key[f, "DA", j]; v = val[f, "DA", k]
      print "DA:" k "," v
      if (v > 0) hit++
    }
    print "LF:" n[f, "DA"] + 0
    print "LH:" hit
    print "end_of_record"
  }
}' "${inputs[@]}" > "$out"

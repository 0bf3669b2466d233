#!/usr/bin/env bash
# The codec's command line and the plain build of rmap_diff_fuzz, end to end:
#
#   rmt_codec encode   every scenario within the fuzz limits becomes a seed;
#                      one that is not (too many processes) is refused with
#                      a message naming the file, exit 2
#   rmt_codec decode   decode(seed) encodes back to the very same bytes
#   rmap_diff_fuzz     the replay main runs every seed of a directory tree
#                      (obj vs ptechain in lockstep, no divergence) and says
#                      "replayed N inputs"
#   errors             unreadable and unparseable files: exit 2, the file
#                      (and line) named
#
# Usage: rmt_codec_test.sh RMT_CODEC RMAP_DIFF_FUZZ SCENARIO.rmt...
set -u
codec=$1 fuzz=$2
shift 2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
failures=0 passes=0

check() {   # check NAME CONDITION...
	local name=$1; shift
	if "$@"; then passes=$((passes + 1)); else
		failures=$((failures + 1)); echo "FAIL: $name" >&2; fi
}

mkdir -p "$tmp/seeds/a" "$tmp/seeds/b/c"
n=0 refused=0 i=0
for f in "$@"; do
	base=$(basename "$f" .rmt)
	sub=$([ $((i % 3)) -eq 0 ] && echo a || echo b/c)   # a tree
	i=$((i + 1))
	if "$codec" encode "$f" -o "$tmp/seeds/$sub/$base.bin" 2> "$tmp/err"; then
		n=$((n + 1))
		"$codec" decode "$tmp/seeds/$sub/$base.bin" > "$tmp/d.rmt"
		check "$base: decode exit 0" test $? -eq 0
		"$codec" encode "$tmp/d.rmt" -o "$tmp/again.bin" 2> /dev/null
		check "$base: decode then encode gives the same bytes" \
			cmp -s "$tmp/seeds/$sub/$base.bin" "$tmp/again.bin"
	else
		refused=$((refused + 1))
		check "$base: refusal names the file" grep -q "$f: cannot encode" "$tmp/err"
	fi
done
check "most scenarios fit the fuzz limits ($n of $#)" test "$n" -ge $(($# - 5))

"$fuzz" "$tmp/seeds" > "$tmp/out" 2> "$tmp/err"
check "replay: exit 0" test $? -eq 0
check "replay: count" grep -qx "replayed $n inputs" "$tmp/out"

# encode with no -o: FILE.rmt -> FILE.bin beside it
printf 'mmap p0 0x10000000 0x1000 rw anon private => ok\nfork p0 kid\n' \
	> "$tmp/named.rmt"
"$codec" encode "$tmp/named.rmt" 2> "$tmp/err"
check "encode: default output FILE.bin" test -s "$tmp/named.bin"
check "decode: canonical names" diff - <("$codec" decode "$tmp/named.bin") <<'T'
mmap p0 0x10000000 0x1000 rw anon private
fork p0 p1
T

# errors: exit 2, the file named (and the line of a parse error)
"$codec" decode "$tmp/missing.bin" 2> "$tmp/err"
check "decode missing: exit 2" test $? -eq 2
check "decode missing: message" grep -q "missing.bin: cannot read" "$tmp/err"
printf 'mmap p0 0x1000 0x1000 rw anon private\nfrob p0\n' > "$tmp/syntax.rmt"
"$codec" encode "$tmp/syntax.rmt" -o "$tmp/x.bin" 2> "$tmp/err"
check "encode syntax error: exit 2" test $? -eq 2
check "encode syntax error: file and line" grep -q "syntax.rmt:2: error" "$tmp/err"
"$codec" frob 2> /dev/null
check "unknown command: exit 2" test $? -eq 2
"$codec" --help > "$tmp/out"
check "--help: exit 0" test $? -eq 0
"$fuzz" "$tmp/seeds" "$tmp/nope" > /dev/null 2> "$tmp/err"
check "replay missing path: exit 1" test $? -eq 1

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

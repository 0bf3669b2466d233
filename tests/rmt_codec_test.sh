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
#   no overwrite       encode never replaces FILE.bin (often the input the
#                      trace came from) without --force; -o OUT does
#   corpus inputs      decode(encode(decode(x))) == decode(x) (a sample)
#                      (encode(decode(x)) may differ from x: many byte
#                      strings decode to one trace, encode writes one)
#
# Usage: rmt_codec_test.sh RMT_CODEC RMAP_DIFF_FUZZ SCENARIO.rmt... \
#                          [--corpus INPUT...]
set -u
codec=$1 fuzz=$2
shift 2
scenarios=() corpus=()
while [ $# -gt 0 ] && [ "$1" != --corpus ]; do scenarios+=("$1"); shift; done
[ $# -eq 0 ] || { shift; corpus=("$@"); }
set -- "${scenarios[@]}"
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

# never over an existing file without --force (or -o)
cp "$tmp/named.bin" "$tmp/named.orig"
printf 'mmap p0 0x20000000 0x2000 rw anon private\n' > "$tmp/named.rmt"
"$codec" encode "$tmp/named.rmt" 2> "$tmp/err"
check "encode over FILE.bin: exit 2" test $? -eq 2
check "encode over FILE.bin: kept" cmp -s "$tmp/named.bin" "$tmp/named.orig"
check "encode over FILE.bin: says so" grep -q "named.bin exists: not overwritten" "$tmp/err"
"$codec" encode "$tmp/named.rmt" --force 2> "$tmp/err"
check "encode --force: replaced" bash -c "! cmp -s '$tmp/named.bin' '$tmp/named.orig'"
"$codec" encode "$tmp/named.rmt" -o "$tmp/named.orig" 2> "$tmp/err"
check "encode -o OUT: written over" cmp -s "$tmp/named.bin" "$tmp/named.orig"

# corpus inputs: the trace survives encode (the bytes need not).  The
# regressions and every 16th other input (a process each costs; the
# property itself is //tests:codec_test's, on 10,000 random inputs)
rebytes=0 sample=() i=0
for f in "${corpus[@]}"; do
	case $f in */regressions/*) sample+=("$f") ;; *) [ $((i++ % 16)) -ne 0 ] || sample+=("$f") ;; esac
done
for f in "${sample[@]}"; do
	"$codec" decode "$f" > "$tmp/c1.rmt" 2> /dev/null
	"$codec" encode "$tmp/c1.rmt" -o "$tmp/c.bin" 2> /dev/null
	"$codec" decode "$tmp/c.bin" > "$tmp/c2.rmt" 2> /dev/null
	check "$(basename "$f"): decode(encode(decode(x))) == decode(x)" \
		cmp -s "$tmp/c1.rmt" "$tmp/c2.rmt"
	cmp -s "$f" "$tmp/c.bin" || rebytes=$((rebytes + 1))
done
echo "corpus: ${#sample[@]} of ${#corpus[@]} inputs, $rebytes re-encode to other bytes (same trace)"

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
# a link to an input since removed (an AFL++ queue, a campaign's engine/
# links to a rebuilt target) is skipped with a note
mkdir -p "$tmp/dangling"
cp "$tmp/named.bin" "$tmp/dangling/one.bin"
ln -s "$tmp/removed" "$tmp/dangling/link"
"$fuzz" "$tmp/dangling" > "$tmp/out" 2> "$tmp/err"
check "replay dangling link: exit 0" test $? -eq 0
check "replay dangling link: the note" grep -q "link: skipped: a dangling symbolic link" "$tmp/err"
check "replay dangling link: the rest replayed" grep -qx "replayed 1 inputs" "$tmp/out"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# relayout.sh - gives the trace language its own top-level folder and the
# command-line programs theirs, so that every layer depends only downward
# (issue 16; shared/DESIGN.md, Layout):
#
#     cmd -> {fuzz, kernel, bench} -> oracle -> trace -> core -> bugs
#
#   fuzz/trace/*, fuzz/codec/*          -> trace/   //trace:trace, :codec
#   fuzz/cmd/file_io.*, load_input.*    -> trace/   //trace:file_io, :load_input
#                                          (helpers every program shares sit
#                                          below the programs)
#   fuzz/cmd/*                          -> cmd/     //cmd:rmt_run, :repro,
#                                          :minimize, :rmt_codec, :run_file
#   //kernel:kernel_vs_model_test       -> //tests:kernel_vs_model_test
#   //kernel:kcompare_flaky_test        -> //tests:kcompare_flaky_test
#                                          (where the flaky count is merged)
#   //bugs:suite_test                   -> //tests:bugs_suite_test
#                                          (tests that run the programs: no
#                                          BUILD of kernel/ or bugs/ may name
#                                          cmd/ or fuzz/)
#
# and rewrites every reference to the old places: #include paths, header
# guards, BUILD labels, visibility and loads, file lists of the builds
# without Bazel, runfiles and bazel-bin paths in scripts, the launcher, .ci/,
# oss-fuzz/, .clusterfuzzlite/, README.md and docs.  //tests:layering_test
# checks the result.
#
# A script rather than a commit, so that the move can be made again on a
# newer tree after other branches have merged: run it on a clean checkout,
# read `git diff --cached --stat`, build, commit ("relayout: result of
# tools/relayout.sh").  It stages what it changes and commits nothing.
# Idempotent: on a tree already moved it changes nothing and exits 0.  It
# stops with a message (exit 1) where the tree holds something it was not
# written for (a rule left behind in a folder it empties, a glob it cannot
# carry, a stale path it did not rewrite).
set -euo pipefail
cd "$(dirname "$0")/.."
PROG=relayout.sh
die() { echo "$PROG: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is needed (BUILD rules are moved by a small parser)"
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || die "not in a git checkout"

# Files this script and the layering test name the old places in on purpose.
SELF=(tools/relayout.sh tests/layering_test.py)
before=$(git status --porcelain=v1 --untracked-files=no | sort)

# ---- 1. files: git mv, keeping history ------------------------------------

# mv_tracked SRC DST: git mv unless SRC is gone already (moved before).
mv_tracked() {
  [ -e "$1" ] || return 0
  [ ! -e "$2" ] || die "$2 exists already; cannot move $1 there"
  mkdir -p "$(dirname "$2")"
  git mv "$1" "$2"
}

for dir in fuzz/trace fuzz/codec; do
  git ls-files "$dir" | while read -r f; do
    [ "$f" = "$dir/BUILD" ] || mv_tracked "$f" "trace/${f#"$dir"/}"
  done
done
for f in $(git ls-files 'fuzz/cmd/file_io.*' 'fuzz/cmd/load_input.*'); do
  mv_tracked "$f" "trace/${f#fuzz/cmd/}"
done
git ls-files fuzz/cmd | while read -r f; do mv_tracked "$f" "cmd/${f#fuzz/cmd/}"; done
mv_tracked kernel/kernel_vs_model_test.sh tests/kernel_vs_model_test.sh
mv_tracked kernel/kcompare_flaky_test.sh tests/kcompare_flaky_test.sh
mv_tracked bugs/suite_test.sh tests/bugs_suite_test.sh

# ---- 2. BUILD rules: moved to the package of their files -------------------
# fuzz/trace/BUILD, fuzz/codec/BUILD and cmd/BUILD's helper rules become
# trace/BUILD; the two tests that run programs move to tests/BUILD.  Each
# rule moves with the comment above it; its relative labels are made to
# point where they pointed, and the loads it uses come along.

python3 - <<'PY'
import os, re, subprocess, sys

def die(msg):
    sys.exit("relayout.sh: " + msg)

TRACE_HEADER = """\
# trace/: the trace language, the foundation every layer above stands on
# (oracle, kernel, the fuzz targets, the programs): nothing here knows them.
#
#   :trace       op streams and their name tables, the .rmt parser and
#                printer, result names (shared/spec/trace-format.md)
#   :codec       fuzz input bytes <-> op streams (decode_ops, encode_ops),
#                the byte format the fuzz targets read (codec.h)
#   :file_io     reading whole files, for every program that takes files
#                and the fuzz targets' replay main
#   :load_input  a test case from a file: a .rmt trace parsed, anything
#                else decoded
"""

# (BUILD, rule, destination BUILD or None to drop, new name, visibility)
MOVES = [
    ("fuzz/trace/BUILD", "trace", "trace/BUILD", "trace", None),
    ("fuzz/trace/BUILD", "sources", "trace/BUILD", "sources", None),
    ("fuzz/codec/BUILD", "codec", "trace/BUILD", "codec", ["//visibility:public"]),
    # trace/'s own :sources globs the whole folder, the codec included
    ("fuzz/codec/BUILD", "sources", None, None, None),
    ("cmd/BUILD", "file_io", "trace/BUILD", "file_io", None),
    ("cmd/BUILD", "load_input", "trace/BUILD", "load_input", ["//cmd:__pkg__"]),
    ("kernel/BUILD", "kernel_vs_model_test", "tests/BUILD", "kernel_vs_model_test", None),
    ("kernel/BUILD", "kcompare_flaky_test", "tests/BUILD", "kcompare_flaky_test", None),
    ("bugs/BUILD", "suite", "tests/BUILD", "bugs_suite", None),
    ("bugs/BUILD", "suite_test", "tests/BUILD", "bugs_suite_test", None),
]
# rules of branches not merged yet when this was written (the flaky count's
# test): moved when they are there
OPTIONAL = {("kernel/BUILD", "kcompare_flaky_test")}
# free comments (section headers) that go with the rules after them
COMMENTS = [("bugs/BUILD", "# ---- the suite test", "tests/BUILD")]
# files renamed above, as rules name them
RENAMED = {"kernel/kernel_vs_model_test.sh": "tests/kernel_vs_model_test.sh",
           "kernel/kcompare_flaky_test.sh": "tests/kcompare_flaky_test.sh",
           "bugs/suite_test.sh": "tests/bugs_suite_test.sh"}
# folders emptied into trace/: a glob there still means the same files
EMPTIED = {"fuzz/trace", "fuzz/codec"}
# what the moved tests need of the packages they left
ADD = {
    "bugs/BUILD": ("traces", """\
# One trace per bug, for //tests:bugs_suite_test.
filegroup(
    name = "traces",
    srcs = glob(["traces/*.rmt"]),
)
"""),
    "kernel/BUILD": ("testdata/known_differences.txt", """\
# The differences the host kernel is known to show, for
# //tests:kernel_vs_model_test.
exports_files(
    ["testdata/known_differences.txt"],
    visibility = ["//tests:__pkg__"],
)
"""),
}
VISIBILITY = {("kernel/BUILD", "testdata"): ["//tests:__pkg__"]}

def depth(line):
    code = re.sub(r'"(\\.|[^"\\])*"', '""', line).split("#", 1)[0]
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")

def parse(text):
    """Statements: ['blank'] or [kind, name, lines]; kind rule/load/comment."""
    out, pending, lines, i = [], [], text.split("\n"), 0
    if lines and lines[-1] == "":
        lines.pop()
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            if pending:
                out.append(["comment", None, pending])
                pending = []
            out.append(["blank"])
            i += 1
        elif line.startswith("#"):
            pending.append(line)
            i += 1
        else:
            body, d = [line], depth(line)
            i += 1
            while d > 0 and i < len(lines):
                body.append(lines[i])
                d += depth(lines[i])
                i += 1
            kind = "load" if line.startswith("load(") else "rule"
            m = next((re.match(r'\s+name = "([^"]+)"', b) for b in body
                      if re.match(r'\s+name = "', b)), None)
            name = m.group(1) if m else None
            if kind == "rule" and name is None:
                m = re.match(r'exports_files\(\s*\[?\s*"([^"]+)"', " ".join(body))
                name = m.group(1) if m else None
            out.append([kind, name, pending + body])
            pending = []
    if pending:
        out.append(["comment", None, pending])
    return out

def render(stmts):
    """The text of STMTS: blank lines as read, never two in a row."""
    lines, blank = [], False
    for s in stmts:
        if s[0] == "blank":
            blank = bool(lines)
            continue
        if blank:
            lines.append("")
        blank = False
        lines.extend(s[2])
    return "\n".join(lines) + "\n" if lines else ""

files = {}
def load(path):
    if path not in files:
        files[path] = parse(open(path).read()) if os.path.exists(path) else []
    return files[path]

def find(path, kind, name):
    return next((s for s in load(path) if s[0] == kind and s[1] == name), None)

def loads_of(stmts):
    """{symbol: bzl} of a BUILD's load statements (one line each)."""
    out = {}
    for s in stmts:
        if s[0] == "load":
            code = " ".join(l for l in s[2] if not l.startswith("#"))
            m = re.match(r'load\("([^"]+)"((?:,\s*"[^"]+")+),?\s*\)', code)
            if not m:
                die("cannot read the load %r" % code)
            for sym in re.findall(r'"([^"]+)"', m.group(2)):
                out[sym] = m.group(1)
    return out

def set_loads(path, wanted):
    """Rewrite PATH's loads to import exactly WANTED ({sym: bzl})."""
    stmts = load(path)
    by_bzl = {}
    for sym, bzl in wanted.items():
        by_bzl.setdefault(bzl, []).append(sym)
    seen, out = set(), []
    for s in stmts:
        if s[0] != "load":
            out.append(s)
            continue
        bzl = re.match(r'load\("([^"]+)"', [l for l in s[2] if l.startswith("load(")][0]).group(1)
        comments = [l for l in s[2] if l.startswith("#")]
        if bzl in by_bzl and bzl not in seen:
            seen.add(bzl)
            syms = ", ".join('"%s"' % x for x in sorted(by_bzl[bzl]))
            out.append(["load", None, comments + ['load("%s", %s)' % (bzl, syms)]])
        elif comments:
            out.append(["comment", None, comments])
    missing = [b for b in sorted(by_bzl) if b not in seen]
    if missing:
        # after the last load, else after the header comment
        new = [["load", None, ['load("%s", %s)' % (b, ", ".join('"%s"' % x for x in sorted(by_bzl[b])))]] for b in missing]
        last = [i for i, s in enumerate(out) if s[0] == "load"]
        if last:
            out[last[-1] + 1:last[-1] + 1] = new
        else:
            at = next((i for i, s in enumerate(out) if s[0] == "rule"), len(out))
            out[at:at] = new + [["blank"]]
    files[path] = out

def used(stmts, syms):
    code = "\n".join(l for s in stmts if s[0] == "rule" for l in s[2] if not l.lstrip().startswith("#"))
    return {s for s in syms if re.search(r"\b%s\b" % re.escape(s), code)}

moved_to = {}   # (old package, name) -> (new package, new name)
for src, name, dst, new, _ in MOVES:
    if dst:
        moved_to[(os.path.dirname(src), name)] = (os.path.dirname(dst), new)

def relabel(label, src_pkg, dst_pkg):
    """LABEL as written in SRC_PKG, as it must be written in DST_PKG."""
    if label.startswith("//") or label.startswith("@"):
        pkg, _, name = label.lstrip("@").lstrip("/").partition(":")
        if pkg == dst_pkg and name:
            return ":" + name
        return label
    is_file = not label.startswith(":")
    if not is_file:
        pkg, name = moved_to.get((src_pkg, label[1:]), (src_pkg, label[1:]))
    else:
        old = os.path.join(src_pkg, label)
        if old in RENAMED:
            pkg, name = os.path.dirname(RENAMED[old]), os.path.basename(RENAMED[old])
        elif src_pkg in EMPTIED or os.path.exists(os.path.join(dst_pkg, label)):
            pkg, name = dst_pkg, label
        elif os.path.exists(old):
            pkg, name = src_pkg, label
        else:
            die("%s/BUILD: %r: no such file in %s/ or %s/" % (src_pkg, label, src_pkg, dst_pkg))
    if pkg == dst_pkg:
        return name if is_file else ":" + name
    return "//%s:%s" % (pkg, name)

LABEL_ATTRS = {"srcs", "hdrs", "data", "deps", "program", "textual_hdrs"}

def carry(lines, src_pkg, dst_pkg, new_name, visibility):
    """A rule's LINES rewritten for DST_PKG, named NEW_NAME."""
    out, attr = [], None
    for line in lines:
        if line.lstrip().startswith("#"):
            if src_pkg == "kernel":
                line = re.sub(r"(?<![\w/])testdata/", "kernel/testdata/", line)
            out.append(line)
            continue
        m = re.match(r"    (\w+) = ", line)
        if m:
            attr = m.group(1)
        if attr == "name":
            line = re.sub(r'"[^"]*"', '"%s"' % new_name, line, count=1)
        elif attr in LABEL_ATTRS and "glob(" not in line:
            line = re.sub(r'"([^"$]+)"', lambda m: '"%s"' % relabel(m.group(1), src_pkg, dst_pkg), line)
        line = re.sub(r"\$\((locations?) ([^)]+)\)",
                      lambda m: "$(%s %s)" % (m.group(1), relabel(m.group(2), src_pkg, dst_pkg)), line)
        out.append(line)
    text = "\n".join(out)
    if "glob(" in text and src_pkg not in EMPTIED:
        # bugs' suite: its traces stay in bugs/, named by a filegroup there
        text = text.replace('    ] + glob(["traces/*.rmt"]),', '        "//bugs:traces",\n    ],')
        if "glob(" in text:
            die("%s/BUILD: a glob in a rule moved to %s/: carry it by hand\n%s" % (src_pkg, dst_pkg, text))
    if visibility is not None:
        text = set_visibility(text, visibility)
    return text.split("\n")

def set_visibility(text, vis):
    value = "[%s]" % ", ".join('"%s"' % v for v in vis)
    new, n = re.subn(r"\n    visibility = \[[^\]]*\],", "\n    visibility = %s," % value, text)
    if n:
        return new
    at = re.search(r"\n    deps = |\n\)$", text)
    return text[:at.start()] + "\n    visibility = %s," % value + text[at.start():]

changed = set()

if not os.path.exists("trace/BUILD") and os.path.isdir("trace"):
    files["trace/BUILD"] = parse(TRACE_HEADER)
    changed.add("trace/BUILD")

for src, name, dst, new, vis in MOVES:
    stmt = find(src, "rule", name)
    if stmt is None:
        if (dst is None or find(dst, "rule", new) is not None or not os.path.exists(src)
                or (src, name) in OPTIONAL):
            continue                # moved before, its folder is gone, or not there yet
        die("%s: no rule %r to move to %s" % (src, name, dst))
    src_pkg = os.path.dirname(src)
    syms = used([stmt], loads_of(load(src)))
    src_loads = loads_of(load(src))
    load(src).remove(stmt)
    changed.add(src)
    if dst is None:
        continue
    dst_pkg = os.path.dirname(dst)
    for c_src, prefix, c_dst in COMMENTS:
        if c_src == src and c_dst == dst:
            c = next((s for s in load(src) if s[0] == "comment" and s[2][0].startswith(prefix)), None)
            if c is not None:
                load(src).remove(c)
                load(dst).extend([["blank"], c])
    load(dst).extend([["blank"], ["rule", new, carry(stmt[2], src_pkg, dst_pkg, new, vis)]])
    dst_loads = loads_of(load(dst))
    if not syms <= set(dst_loads):
        for s in syms:
            dst_loads[s] = src_loads[s]
        set_loads(dst, dst_loads)
    changed.add(dst)

for path, (name, text) in ADD.items():
    if os.path.exists(path) and find(path, "rule", name) is None and path in changed:
        load(path).extend([["blank"]] + parse(text))
for (path, name), vis in VISIBILITY.items():
    s = find(path, "rule", name) if path in changed else None
    if s is not None:
        s[2] = set_visibility("\n".join(s[2]), vis).split("\n")

# what stays behind names the moved rules where they went
for path in sorted(changed):
    pkg = os.path.dirname(path)
    for s in load(path):
        if s[0] == "rule":
            s[2] = [re.sub(r'"(\$\(locations? )?:(\w+)(\)?)"',
                           lambda m: '"%s%s%s"' % (m.group(1) or "", relabel(":" + m.group(2), pkg, pkg), m.group(3)),
                           l) if not l.lstrip().startswith("#") else l for l in s[2]]

# loads a BUILD no longer uses go; a BUILD with no rule left goes
for path in sorted(changed):
    stmts = load(path)
    have = loads_of(stmts)
    keep = used(stmts, have)
    if keep != set(have):
        set_loads(path, {s: b for s, b in have.items() if s in keep})
    if not any(s[0] == "rule" for s in load(path)):
        if path.startswith(("fuzz/trace/", "fuzz/codec/")):
            subprocess.check_call(["git", "rm", "-q", path])
            continue
        die("%s: no rule left" % path)
    if path.startswith(("fuzz/trace/", "fuzz/codec/")):
        left = [s[1] for s in load(path) if s[0] == "rule"]
        die("%s: rules %s are not in MOVES of tools/relayout.sh" % (path, left))
    with open(path, "w") as f:
        f.write(render(load(path)))
    subprocess.check_call(["git", "add", path])
PY

# ---- 3. every reference: includes, guards, labels, paths, prose -----------

# The README's layout table keeps its columns.
sed_readme=(
  -e 's#^    fuzz/trace/    the \.rmt trace language: op streams, parser, printer, result names$#    trace/         the .rmt trace language (op streams, parser, printer, result names), the fuzz input byte codec, reading inputs from files#'
  -e '/^    fuzz\/codec\/    /d'
  -e 's#^    fuzz/cmd/      #    cmd/           #'
)
# fuzz/BUILD said where its neighbours were, relative to fuzz/.
sed_fuzz_build=(
  -e 's#^\# The trace language is in trace/, the byte codec in codec/, the command-line$#\# The trace language and the byte codec are in //trace, the command-line#'
  -e 's#^\# programs in cmd/\.$#\# programs in //cmd.#'
)
sed_cmd_build=(-e 's#^\# fuzz/cmd/: the command-line programs and their shared helpers\.$#\# cmd/: the command-line programs; nothing depends on them (reading inputs,\n\# which kernel/ and the fuzz targets do too, is in trace/).#')
sed_bugs=(
  -e 's#^    suite_test\.sh    the CI test \(//bugs:suite_test, in \./rmapfuzz test\)$#    ../tests/bugs_suite_test.sh   the CI test (//tests:bugs_suite_test, in ./rmapfuzz test)#'
  -e 's#^\# suite_test\.sh - the injected-bug suite#\# bugs_suite_test.sh - the injected-bug suite#'
)
# Everywhere, in this order: labels, guards, file lists, paths, prose.
sed_all=(
  -e 's#//fuzz/(trace|codec):sources#//trace:sources#g'
  -e 's#//fuzz/trace:trace\b#//trace#g'
  -e 's#//fuzz/trace\b#//trace#g'
  -e 's#//fuzz/codec(:codec)?\b#//trace:codec#g'
  -e 's#//fuzz/cmd:(file_io|load_input)\b#//trace:\1#g'
  -e 's#//fuzz/cmd\b#//cmd#g'
  -e 's#\bfuzz_cmd_sources\b#cmd_sources#g'
  -e 's#RMAP_FUZZ_CMD_(FILE_IO|LOAD_INPUT)_H#RMAP_TRACE_\1_H#g'
  -e 's#RMAP_FUZZ_CMD_#RMAP_CMD_#g'
  -e 's#RMAP_FUZZ_TRACE_#RMAP_TRACE_#g'
  -e 's#RMAP_FUZZ_CODEC_CODEC_H#RMAP_TRACE_CODEC_H#g'
  -e 's#fuzz/trace/\*\.c fuzz/codec/\*\.c#trace/*.c#g'
  -e 's#fuzz/cmd/file_io\.c fuzz/cmd/load_input\.c ##g'
  -e 's#fuzz/cmd/(file_io|load_input)\b#trace/\1#g'
  -e 's#fuzz/codec/codec\.h#trace/codec.h#g'
  -e 's#fuzz/(trace|codec)/#trace/#g'
  -e 's#fuzz/cmd/#cmd/#g'
  -e 's#\bfuzz/codec\b#trace/codec.h#g'
  -e 's#\bfuzz/trace\b#trace/#g'
  -e 's#\bfuzz/cmd\b#cmd/#g'
  -e 's#//kernel:kernel_vs_model_test\b#//tests:kernel_vs_model_test#g'
  -e 's#\bkernel/kernel_vs_model_test\b#tests/kernel_vs_model_test#g'
  -e 's#//kernel:kcompare_flaky_test\b#//tests:kcompare_flaky_test#g'
  -e 's#\bkernel/kcompare_flaky_test\b#tests/kcompare_flaky_test#g'
  -e 's#//bugs:suite_test\b#//tests:bugs_suite_test#g'
  -e 's#\bbugs/suite_test\.sh\b#tests/bugs_suite_test.sh#g'
)
STALE='fuzz/(trace|codec|cmd)|fuzz_cmd_sources|RMAP_FUZZ_(TRACE|CODEC|CMD)_|//kernel:(kernel_vs_model|kcompare_flaky)_test|kernel/(kernel_vs_model|kcompare_flaky)_test|//bugs:suite_test|bugs/suite_test\.sh'
exclude=(':!third_party' ':!corpus' ':!docs/bugbench/*.tsv')
for f in "${SELF[@]}"; do exclude+=(":!$f"); done

# rewrite FILE SED-ARGS...: sed -E in place, staged when it changed FILE
rewrite() {
  local f=$1; shift
  [ -f "$f" ] || return 0
  sed -E "$@" "$f" > "$f.relayout"
  if cmp -s "$f" "$f.relayout"; then rm "$f.relayout"; return 0; fi
  chmod --reference="$f" "$f.relayout"
  mv "$f.relayout" "$f"
  git add "$f"
}
rewrite README.md "${sed_readme[@]}"
rewrite fuzz/BUILD "${sed_fuzz_build[@]}"
rewrite cmd/BUILD "${sed_cmd_build[@]}"
rewrite bugs/README.md "${sed_bugs[@]}"
rewrite tests/bugs_suite_test.sh "${sed_bugs[@]}"
{ git grep -lIz -E "$STALE" -- . "${exclude[@]}" || true; } | while IFS= read -r -d '' f; do
  rewrite "$f" "${sed_all[@]}"
done

# ---- 4. BUILD lists the renames touched: no duplicates, sorted again -------

python3 - <<'PY'
import re, subprocess

def key(line):
    label = line.strip().rstrip(",").strip('"')
    # buildifier's order: files, then :local, then //absolute
    phase = 1 if label.startswith(":") else 2 if label.startswith("//") else 0
    pkg, _, name = label.lstrip("/").partition(":")
    return (phase, pkg, name)

for path in subprocess.check_output(["git", "ls-files", "*BUILD"], text=True).split():
    if path.startswith("third_party/"):
        continue
    lines = open(path).read().split("\n")
    touched = False
    if path in ("trace/BUILD", "cmd/BUILD"):
        # the renames wrote these packages' own labels out in full
        pkg = path.split("/")[0]
        new = [re.sub(r'"//%s(?::(\w+))?"' % pkg,
                      lambda m: '":%s"' % (m.group(1) or pkg), l) for l in lines]
        touched, lines = new != lines, new
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^(\s+)(deps|data|srcs) = \[$", lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j] != m.group(1) + "]," and lines[j] != m.group(1) + "]":
            j += 1
        items = lines[i + 1:j]
        entry = re.compile(r'^\s+"[^"]+",$')
        if j < len(lines) and items and all(entry.match(x) for x in items) and \
                (path in ("trace/BUILD", "cmd/BUILD") or any(re.search(r'"//(trace|cmd)\b|"//tests:(kernel_vs_model|bugs_suite)', x) for x in items)):
            new = list(dict.fromkeys(items))
            if m.group(2) != "srcs":
                new.sort(key=key)
            touched |= new != items
            items = new
        out.append(lines[i])
        out.extend(items)
        i = j
    if touched:
        open(path, "w").write("\n".join(out))
        subprocess.check_call(["git", "add", path])
PY

# ---- 5. nothing left behind ------------------------------------------------

left=$(git grep -nI -E "$STALE" -- . "${exclude[@]}" || true)
[ -z "$left" ] || die "stale paths left (rewrite them, then run again):
$left"
for d in fuzz/trace fuzz/codec fuzz/cmd; do
  [ -z "$(git ls-files "$d")" ] || die "$d/ still holds tracked files: $(git ls-files "$d" | tr '\n' ' ')"
done
after=$(git status --porcelain=v1 --untracked-files=no | sort)
if [ "$before" = "$after" ]; then
  echo "$PROG: the tree is laid out already; nothing to do"
else
  git diff --cached --stat | tail -1
  echo "$PROG: staged; build and test (./rmapfuzz test), then commit"
fi

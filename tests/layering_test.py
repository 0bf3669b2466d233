#!/usr/bin/env python3
"""layering_test.py [ROOT]: every layer depends only downward.

The rule (shared/DESIGN.md, Layout; issue 16):

    cmd -> {fuzz, kernel, bench} -> oracle -> trace -> core -> bugs

A file of a folder may include headers of its own folder and of lower
layers; fuzz, kernel and bench share a layer and may use each other, but
never in a circle.  tests/, tools/ and build_defs/ (and the data folders)
stand outside the rule: they may use anything, and anything may use them.

What is checked, over every .c and .h outside third_party, and every BUILD
file of a layered folder:
  - an #include "X/..." of a higher layer, or of a folder with no layer;
  - a Bazel label //X... (deps, data, args; visibility lists excepted) of
    a higher layer: a BUILD of a lower folder must not know a higher one;
  - a circle between folders of one layer (includes and labels together);
  - a circle between modules (a .c with its .h: one module), naming the
    includes that close it.  core/ and oracle/ had module circles inside
    them before this rule (KNOWN_MODULE_CYCLES); a circle that is not
    inside one of those, or one of those grown, fails.
Each failure names the file and line.  Before the real tree, the checker
runs on small trees it makes, one per kind of failure, and must report
each: a checker that passes everything fails here.

It reads the source tree itself, not declared inputs, so that a new folder
or file is seen without anyone listing it: tests/BUILD tags it "local" (no
sandbox) and "external" (never cached).  ROOT defaults to the workspace
this file lives in (its real path, through Bazel's runfiles symlink).
"""

import os
import re
import sys
import tempfile

LAYERS = {
    "bugs": 0,
    "core": 1,
    "trace": 2,
    "oracle": 3,
    "fuzz": 4,
    "kernel": 4,
    "bench": 4,
    "cmd": 5,
}
LAYER_NAMES = "cmd > fuzz, kernel, bench > oracle > trace > core > bugs"
OUTSIDE = {"tests", "tools", "build_defs", "corpus", "docs", "oss-fuzz",
           ".clusterfuzzlite", ".ci", ".github"}
SKIP = {"third_party", ".git", "out"}

# Module circles that predate the rule, each inside one folder (sets of
# modules, paths without .c/.h).  Listed to be broken one day, not grown.
# Grown once, knowingly, by issues 19 and 20: folio, huge_memory,
# khugepaged and ksm are called from the fault, zap and VMA-split paths and
# call back into them, as mm/huge_memory.c and mm/ksm.c do with
# mm/memory.c and mm/vma.c; any core module that both uses struct page and
# is used by that code joins the circle, and breaking the circle is the
# same work with or without them.  khugepaged_file (MADV_COLLAPSE of
# tmpfs, 2026-12-07) joined it the same way: madvise calls it, and it
# unmaps through rmap_consumers and the page cache of address_space.
KNOWN_MODULE_CYCLES = [
    {"core/" + m for m in (
        "address_space", "alloc", "anon_vma", "fault", "mm_types", "pgtable",
        "phys", "pte_ops", "rmap", "rmap_consumers", "swap", "vma", "world",
        "folio", "huge_memory", "khugepaged", "ksm", "khugepaged_file")},
    {"oracle/differ", "oracle/lockstep"},
]

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
LABEL = re.compile(r'"@?//([A-Za-z0-9_.\-/]*)(?::([^"]*))?"')


def top(path):
    return path.split("/", 1)[0]


def sources(root):
    """Every .c/.h and every BUILD under ROOT, as paths relative to it."""
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs
                         if not (rel == "." and (x in SKIP or x.startswith("bazel-"))))
        for f in sorted(files):
            if f.endswith((".c", ".h")) or f == "BUILD":
                yield os.path.normpath(os.path.join(rel, f))


def resolve(root, path, name):
    """The workspace path of #include "NAME" in PATH, or None."""
    for cand in (name, os.path.join(os.path.dirname(path), name)):
        cand = os.path.normpath(cand)
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def edges(root):
    """(from_file, line, to_path, kind) for every include and label."""
    for path in sources(root):
        with open(os.path.join(root, path), errors="replace") as f:
            lines = f.read().split("\n")
        if path.endswith("BUILD"):
            if top(path) not in LAYERS:
                continue
            in_visibility = 0
            for n, line in enumerate(lines, 1):
                code = line.split("#", 1)[0]
                if re.match(r"\s*(default_)?visibility\s*=", code):
                    in_visibility = 1
                for m in LABEL.finditer(code):
                    pkg, name = m.group(1), m.group(2) or ""
                    if (in_visibility or name.startswith("__")
                            or pkg in ("visibility", "conditions") or not pkg):
                        continue
                    yield path, n, pkg + (":" + name if name else ""), "label"
                if in_visibility and ("]" in code or "//visibility" in code):
                    in_visibility = 0
        else:
            for n, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if m:
                    yield path, n, m.group(1), "include"


def module(path):
    return os.path.splitext(path)[0]


def sccs(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        # iterative, so deep graphs do not hit the recursion limit
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(set(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def one_circle(graph, comp, where):
    """A circle through COMP, as 'a -> b (file:line) -> ...'."""
    start = min(comp)
    # breadth-first from start back to start, inside comp
    prev, queue, seen = {}, [start], {start}
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w not in comp:
                continue
            if w == start:
                path, x = [(v, w)], v
                while x != start:
                    path.append((prev[x], x))
                    x = prev[x]
                path.reverse()
                return "; ".join("%s -> %s (%s)" % (a, b, where[(a, b)])
                                 for a, b in path)
            if w not in seen:
                seen.add(w)
                prev[w] = v
                queue.append(w)
    return "?"


def check(root):
    """The failures of the tree at ROOT, as 'file:line: message' lines."""
    errors = []
    folders, folder_where = {}, {}
    modules, module_where = {}, {}
    for path, line, target, kind in edges(root):
        src = top(path)
        if src in SKIP or src in OUTSIDE:
            continue
        if src not in LAYERS:
            errors.append("%s:%d: folder %s/ has no layer (%s); add it to "
                          "LAYERS in tests/layering_test.py"
                          % (path, line, src, LAYER_NAMES))
            continue
        if kind == "include":
            dest = resolve(root, path, target)
            if dest is None:
                errors.append('%s:%d: #include "%s": no such file in the tree'
                              % (path, line, target))
                continue
            what = '#include "%s"' % target
            a, b = module(path), module(dest)
            if a != b:
                modules.setdefault(a, set()).add(b)
                module_where.setdefault((a, b), "%s:%d" % (path, line))
        else:
            dest, what = target.split(":")[0], "label //" + target
        dst = top(dest)
        if dst in OUTSIDE or dst == src:
            continue
        if dst not in LAYERS:
            errors.append("%s:%d: %s: folder %s/ has no layer (%s)"
                          % (path, line, what, dst, LAYER_NAMES))
        elif LAYERS[dst] > LAYERS[src]:
            errors.append("%s:%d: %s points up: %s/ is above %s/ (%s)"
                          % (path, line, what, dst, src, LAYER_NAMES))
        elif LAYERS[dst] == LAYERS[src]:
            folders.setdefault(src, set()).add(dst)
            folder_where.setdefault((src, dst), "%s:%d" % (path, line))
    for comp in sccs(folders):
        errors.append("%s: circle between folders of one layer: %s"
                      % (folder_where[min((k for k in folder_where if k[0] in comp and k[1] in comp))],
                         one_circle(folders, comp, folder_where)))
    for comp in sccs(modules):
        if any(comp <= known for known in KNOWN_MODULE_CYCLES):
            continue
        first = min(module_where[(a, b)] for a in comp for b in modules[a]
                    if b in comp)
        errors.append("%s: circle between modules: %s"
                      % (first, one_circle(modules, comp, module_where)))
    return errors


# ---- the checker's own test: each kind of failure, on a tree made here ----

GOOD = {
    "core/op.h": "",
    "core/world.h": '#include "core/op.h"\n',
    "core/world.c": '#include "core/world.h"\n#include "bugs/bugs.h"\n',
    "bugs/bugs.h": "",
    "trace/trace.h": '#include "core/op.h"\n',
    "oracle/scan.c": '#include "trace/trace.h"\n#include "tests/x.h"\n',
    "kernel/k.h": '#include "oracle/scan.h"\n',
    "oracle/scan.h": "",
    "fuzz/f.c": '#include "kernel/k.h"\n#include "build_defs/e.h"\n',
    "cmd/run.c": '#include "fuzz/f.h"\n',
    "fuzz/f.h": "",
    "tests/x.h": '#include "cmd/run.h"\n',
    "cmd/run.h": "",
    "build_defs/e.h": "",
    "trace/BUILD": 'cc_library(\n    visibility = [\n        "//cmd:__pkg__",\n'
                   '        "//oracle:__subpackages__",\n    ],\n'
                   '    deps = ["//core:op_hdr"],\n)\n',
    "kernel/BUILD": 'x(deps = ["//oracle", "//tests:assert"])\n',
}

BAD = {
    "upward include": ({"oracle/scan.h": '#include "cmd/run.h"\n'},
                       "oracle/scan.h:1: #include \"cmd/run.h\" points up"),
    "upward label": ({"trace/BUILD": 'x(\n    data = ["//oracle:expect"],\n)\n'},
                     "trace/BUILD:2: label //oracle:expect points up"),
    "circle between folders": ({"kernel/k.c": '#include "fuzz/f.h"\n'},
                               "circle between folders of one layer"),
    "circle between modules": ({"core/op.h": '#include "core/world.h"\n'},
                               "circle between modules: core/op -> core/world"),
    "folder without a layer": ({"misc/m.c": '#include "core/op.h"\n'},
                               "misc/m.c:1: folder misc/ has no layer"),
    "missing header": ({"fuzz/f.h": '#include "trace/gone.h"\n'},
                       'fuzz/f.h:1: #include "trace/gone.h": no such file'),
}


def make_tree(files):
    d = tempfile.mkdtemp(prefix="layering.")
    for path, text in files.items():
        os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(d, path), "w") as f:
            f.write(text)
    return d


def self_test():
    ok = True
    found = check(make_tree(GOOD))
    if found:
        print("SELFTEST FAIL: the good tree is reported:\n  " + "\n  ".join(found))
        ok = False
    for name, (change, expected) in sorted(BAD.items()):
        found = check(make_tree(dict(GOOD, **change)))
        if not any(expected in e for e in found):
            print("SELFTEST FAIL: %s: expected '%s', got %s" % (name, expected, found))
            ok = False
    return ok


def main():
    here = os.path.dirname(os.path.realpath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)
    if not self_test():
        return 1
    # a layer with no folder: the wrong ROOT, or a tree before the move
    errors = ["%s/: no such folder under %s" % (folder, root)
              for folder in LAYERS if not os.path.isdir(os.path.join(root, folder))]
    errors += check(root)
    for e in errors:
        print(e)
    print("layering: %d violation%s (%s)" % (len(errors), "" if len(errors) == 1 else "s",
                                              LAYER_NAMES))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Op patterns that reach deep states, as .rmt traces, for the seed corpus.

Each pattern is a small program of the trace format (shared/spec/
trace-format.md) built from a seed number, so the set is deterministic:

  forktree     fork trees 3-4 deep with COW writes at every level
  mremapchain  a region moved again and again (fixed moves, grow, shrink,
               dontunmap), with faults between the moves
  cowmremap    COW after fork after mremap, in parent and children
  truncate     shared and private file mappings in several processes, then
               truncate down and up with accesses on both sides
  swapfork     pageout of pages shared after fork, swap-in from each side,
               migrate and age through the rmap walk

Usage: gen_patterns.py OUTDIR [COUNT_PER_PATTERN]
"""
import os
import random
import sys

BASE = 0x10000000
PAGE = 0x1000


def forktree(r):
    out = ["mmap p0 0x%x 0x%x rw anon private" % (BASE, 16 * PAGE)]
    for i in range(r.randint(2, 6)):
        out.append("write p0 0x%x" % (BASE + r.randrange(16) * PAGE))
    procs, n = ["p0"], 1
    for _ in range(r.randint(4, 9)):
        parent = r.choice(procs)
        child = "p%d" % n
        n += 1
        out.append("fork %s %s" % (parent, child))
        procs.append(child)
        for _ in range(r.randint(1, 3)):
            out.append("%s %s 0x%x" % (r.choice(["write", "read"]), r.choice(procs),
                                       BASE + r.randrange(16) * PAGE))
        if r.random() < 0.2 and len(procs) > 2:
            victim = r.choice(procs[1:])
            out.append("exit %s" % victim)
            procs.remove(victim)
    return out


def mremapchain(r):
    out = ["mmap p0 0x%x 0x%x rw anon private" % (BASE, 8 * PAGE),
           "write p0 0x%x" % BASE, "write p0 0x%x" % (BASE + 3 * PAGE)]
    cur, length = BASE, 8 * PAGE
    if r.random() < 0.5:
        out.append("fork p0 p1")
    for i in range(r.randint(3, 7)):
        dest = BASE + (0x100 + 0x20 * i) * PAGE
        kind = r.randrange(4)
        if kind == 0:
            out.append("mremap p0 0x%x 0x%x 0x%x maymove fixed 0x%x" % (cur, length, length, dest))
            cur = dest
        elif kind == 1:
            out.append("mremap p0 0x%x 0x%x 0x%x maymove fixed 0x%x" % (cur, length, length + 2 * PAGE, dest))
            cur, length = dest, length + 2 * PAGE
        elif kind == 2 and length > 2 * PAGE:
            out.append("mremap p0 0x%x 0x%x 0x%x" % (cur, length, length - PAGE))
            length -= PAGE
        else:
            out.append("mremap p0 0x%x 0x%x 0x%x maymove fixed 0x%x dontunmap" % (cur, length, length, dest))
            cur = dest
        out.append("write p0 0x%x" % (cur + r.randrange(length // PAGE) * PAGE))
    return out


def cowmremap(r):
    out = ["mmap p0 0x%x 0x%x rw anon private" % (BASE, 8 * PAGE)]
    for i in range(8):
        if r.random() < 0.7:
            out.append("write p0 0x%x" % (BASE + i * PAGE))
    out.append("fork p0 p1")
    dest = 0x20000000
    out.append("mremap p1 0x%x 0x%x 0x%x maymove fixed 0x%x" % (BASE, 8 * PAGE, 8 * PAGE, dest))
    out.append("fork p1 p2")
    for _ in range(r.randint(4, 10)):
        p = r.choice(["p0", "p1", "p2"])
        a = (BASE if p == "p0" else dest) + r.randrange(8) * PAGE
        out.append("%s %s 0x%x" % (r.choice(["write", "write", "read"]), p, a))
    out.append("mremap p2 0x%x 0x%x 0x%x maymove fixed 0x%x" % (dest + 2 * PAGE, 2 * PAGE, 2 * PAGE, 0x30000000))
    out.append("write p2 0x30000000")
    return out


def truncate(r):
    out = ["file f0 0x%x" % (16 * PAGE),
           "mmap p0 0x%x 0x%x rw f0@0 shared" % (BASE, 16 * PAGE),
           "mmap p0 0x%x 0x%x rw f0@0 private" % (0x20000000, 16 * PAGE)]
    for i in range(r.randint(3, 8)):
        out.append("write p0 0x%x" % (BASE + r.randrange(16) * PAGE))
        out.append("%s p0 0x%x" % (r.choice(["read", "write"]), 0x20000000 + r.randrange(16) * PAGE))
    out.append("fork p0 p1")
    out.append("write p1 0x%x" % (0x20000000 + r.randrange(16) * PAGE))
    out.append("read p1 0x%x" % (BASE + r.randrange(16) * PAGE))
    out.append("file f0 0x%x" % (r.randint(1, 15) * PAGE - r.randrange(2) * 0x800))
    out.append("read p0 0x%x" % (BASE + 15 * PAGE))
    out.append("write p1 0x%x" % (0x20000000 + 14 * PAGE))
    out.append("file f0 0x%x" % (16 * PAGE))
    out.append("read p1 0x%x" % (BASE + 15 * PAGE))
    return out


def swapfork(r):
    out = ["mmap p0 0x%x 0x%x rw anon private" % (BASE, 8 * PAGE)]
    for i in range(8):
        out.append("write p0 0x%x" % (BASE + i * PAGE))
    out.append("fork p0 p1")
    if r.random() < 0.5:
        out.append("fork p1 p2")
    for _ in range(r.randint(4, 10)):
        a = BASE + r.randrange(8) * PAGE
        op = r.choice(["pageout", "pageout", "read", "write", "migrate", "age"])
        out.append("%s %s 0x%x" % (op, r.choice(["p0", "p1"]), a))
    return out


PATTERNS = [forktree, mremapchain, cowmremap, truncate, swapfork]

# The ops the host kernel cannot run (kernel/window.h kwindow_host_cannot).
HOST_CANNOT = ("pageout", "migrate", "age")


def checked_mark(ops):
    """The trace's "# checked:" line, which //tests:trace_marks_test keeps
    true: kernel when the kernel world runs every op (every pattern stays
    inside the kernel runner's window), else hand."""
    kinds = [k for k in HOST_CANNOT if any(op.split()[0] == k for op in ops)]
    if not kinds:
        return "# checked: kernel"
    return ("# checked: hand (%s: the host kernel cannot run it; the "
            "kernel does not check this trace)" % ", ".join(kinds))


def main():
    outdir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    os.makedirs(outdir, exist_ok=True)
    for pat in PATTERNS:
        for seed in range(count):
            r = random.Random("%s-%d" % (pat.__name__, seed))
            ops = pat(r)
            lines = [checked_mark(ops),
                     "# seed pattern %s #%d (tools/gen_patterns.py)" % (pat.__name__, seed)]
            lines += ops
            with open(os.path.join(outdir, "%s_%02d.rmt" % (pat.__name__, seed)), "w") as f:
                f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

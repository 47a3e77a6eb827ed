#!/usr/bin/env python3
"""scripts/covreport.py SUMMARY.json

Contract: reads gcovr's --json-summary of the coverage runs (make coverage,
docs/coverage.md) and prints line and branch coverage of kernel/, arch/ and
smp/, each and together; then of the set issue 10 judges (kernel/object/,
kernel/cap/, kernel/ipc.c, kernel/syscall.c, kernel/fastpath.c) against its
targets (90 % of lines, 80 % of branches), with that set's files, least
covered first. Figures are printed, not judged: exit 0 whatever they are
(1 only if the summary cannot be read).
"""
import json
import sys

AREAS = [("kernel/", ("kernel/",)), ("arch/", ("arch/",)), ("smp/", ("smp/",)),
         ("kernel/ + arch/ + smp/", ("kernel/", "arch/", "smp/"))]
JUDGED = ("kernel/object/", "kernel/cap/", "kernel/ipc.c", "kernel/syscall.c",
          "kernel/fastpath.c")
LINE_TARGET, BRANCH_TARGET = 90.0, 80.0


def in_set(name, prefixes):
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in prefixes)


def totals(files):
    keys = ("line_covered", "line_total", "branch_covered", "branch_total")
    return {k: sum(f[k] for f in files) for k in keys}


def pct(covered, total):
    return 100.0 * covered / total if total else 100.0


def figure(t, kind):
    c, n = t[kind + "_covered"], t[kind + "_total"]
    return f"{pct(c, n):5.1f} % ({c}/{n})"


def row(label, t, width=26):
    return f"  {label:<{width}} {figure(t, 'line'):<22} {figure(t, 'branch')}"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            files = json.load(f)["files"]
    except (OSError, ValueError, KeyError) as e:
        print(f"covreport: {argv[1]}: {e}")
        return 1
    print(f"  {'':<26} {'lines':<22} branches")
    for label, prefixes in AREAS:
        print(row(label, totals([f for f in files if in_set(f["filename"], prefixes)])))

    judged = [f for f in files if in_set(f["filename"], JUDGED)]
    t = totals(judged)
    lp, bp = pct(t["line_covered"], t["line_total"]), pct(t["branch_covered"], t["branch_total"])
    print()
    print("  judged set (kernel/object/, kernel/cap/, kernel/ipc.c, kernel/syscall.c, "
          "kernel/fastpath.c):")
    print(f"    lines    {figure(t, 'line'):<22} target {LINE_TARGET:.0f} %"
          f"{'' if lp >= LINE_TARGET else '  (below)'}")
    print(f"    branches {figure(t, 'branch'):<22} target {BRANCH_TARGET:.0f} %"
          f"{'' if bp >= BRANCH_TARGET else '  (below)'}")
    print("  its files, least covered lines first:")
    judged.sort(key=lambda f: (pct(f["line_covered"], f["line_total"]), f["filename"]))
    for f in judged:
        print(row(f["filename"], f, 30))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""The wall between user programs and the kernel (docs/programming.md).

  user-wall.py headers BUILD   every user compile in BUILD/compile_commands.json
                               reaches only user headers (userland/, bench/,
                               lib/include/ and the compiler's own); a probe
                               including kernel, arch or smp headers must not
                               compile, and a planted relative escape is caught
  user-wall.py names BUILD     no function name is defined both by the user
                               runtime (its library and inline headers) and by
                               the kernel, except lib/'s shared functions

Each prints one line per finding and exits 1 if there is any.
"""
import json
import re
import os
import shlex
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_DIRS = ("userland/", "bench/", "lib/")
ALLOWED = [os.path.join(ROOT, d) for d in ("userland", "bench", "lib/include")]
# Compiled for the host (bench's statistics unit test), never for the guest.
HOST_ONLY = {"bench/test_stats.c", "bench/stats.c"}
# Each ELF's entry point, named by the toolchain's convention.
CONVENTION = {"_start"}
PROBES = ("kobj.h", "kernel.h", "ipc.h", "object/tcb.h", "arch/arch.h", "arch/x86.h", "smp.h")


def user_commands(build):
    """The compile commands of user-program objects (the user runtime, lib/'s
    user build, the programs), found by the directory CMake built them in."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        db = json.load(f)
    out = []
    for e in db:
        rel = os.path.relpath(e["file"], ROOT)
        if not e["file"].endswith(".c") or not rel.startswith(USER_DIRS):
            continue
        if "/userland" not in e["directory"] or "-nostdinc" not in e["command"]:
            continue  # the kernel's build of lib/, host tests
        out.append(e)
    return out


def argv_of(entry, source=None, missing_ok=False):
    """The entry's compiler command turned into a dependency listing of
    `source` (default: the entry's own file)."""
    args = shlex.split(entry["command"])
    res, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a == entry["file"]:
            continue
        res.append(a)
    return res + ["-M"] + (["-MG"] if missing_ok else []) + [source or entry["file"]]


def deps(entry, source=None, missing_ok=False):
    p = subprocess.run(argv_of(entry, source, missing_ok), cwd=entry["directory"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[:1]
    text = p.stdout.replace("\\\n", " ")
    files = text.split(":", 1)[1].split()
    return [os.path.realpath(os.path.join(entry["directory"], f)) for f in files], None


def compiler_dirs(entry):
    args = shlex.split(entry["command"])
    return [os.path.realpath(args[i + 1]) for i, a in enumerate(args[:-1]) if a == "-isystem"]


def outside(files, entry):
    """Every dependency (header, .c, .inc, whatever its name) that lies
    outside the user directories and the compiler's own headers."""
    ok = ALLOWED + compiler_dirs(entry)
    own = os.path.realpath(entry["file"])
    return [f for f in files if f != own and not any(f.startswith(d + os.sep) for d in ok)]


def unchecked(build):
    """User-directory sources compiled by a command user_commands() does not
    take (so never checked), other than the host-only ones; and NASM
    sources that %include a file outside userland/."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        db = json.load(f)
    users = {e["file"] for e in user_commands(build)}
    bad = []
    for e in db:
        rel = os.path.relpath(e["file"], ROOT)
        if rel.startswith(USER_DIRS[:2]) and e["file"] not in users and rel not in HOST_ONLY:
            bad.append("%s is compiled without the user flags (not checked)" % rel)
    for base, _, files in os.walk(os.path.join(ROOT, "userland")):
        for fn in files:
            if fn.endswith(".asm"):
                path = os.path.join(base, fn)
                for inc in re.findall(r'^\s*%include\s+"([^"]+)"', open(path).read(), re.M):
                    if not os.path.realpath(os.path.join(base, inc)).startswith(ALLOWED[0] + os.sep):
                        bad.append("%s includes %s" % (os.path.relpath(path, ROOT), inc))
    return bad


def check_headers(build):
    cmds = user_commands(build)
    bad = []
    if len(cmds) < 10:
        bad.append("only %d user compile commands found in %s" % (len(cmds), build))
    for e in cmds:
        files, err = deps(e)
        if files is None:
            bad.append("%s: does not preprocess: %s" % (e["file"], err))
            continue
        for f in outside(files, e):
            bad.append("%s reaches %s" % (os.path.relpath(e["file"], ROOT), os.path.relpath(f, ROOT)))
    bad += unchecked(build)
    if cmds:
        bad += probe(program_entry(cmds))
    for b in bad:
        print("user-wall:", b)
    print("user-wall: %d user sources checked, %d findings" % (len(cmds), len(bad)))
    return 1 if bad else 0


def probe(entry):
    """Kernel-internal headers do not resolve from a user file, and a
    relative escape into kernel/ is reported by the scan above."""
    bad = []
    with tempfile.TemporaryDirectory(dir=os.path.join(ROOT, "userland")) as d:
        for h in PROBES:
            src = os.path.join(d, "probe.c")
            with open(src, "w") as f:
                f.write('#include "%s"\n' % h)
            files, _ = deps(entry, src)
            if files is not None:
                bad.append('"%s" is reachable from user code' % h)
        for esc in ("../../kernel/include/kobj.h", "../../kernel/console/fbstore.c"):
            src = os.path.join(d, "escape.c")
            with open(src, "w") as f:
                f.write('#include "%s"\n' % esc)
            files, _ = deps(entry, src, missing_ok=True)
            if files is None or not outside(files, entry):
                bad.append("the scan does not catch a relative include of %s" % esc[6:])
    return bad


def defined_functions(nm_args):
    p = subprocess.run(["nm", "--defined-only"] + nm_args, capture_output=True, text=True, check=True)
    names = set()
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "Tt":
            names.add(parts[2].split(".")[0])  # foo.part.0, foo.constprop.0
    return names


def inline_functions(entry, headers, extra):
    """Functions defined by `headers`, inline ones included, compiled with
    the flags of `entry` (plus `extra`)."""
    args = argv_of(entry)[:-2]
    with tempfile.TemporaryDirectory() as d:
        src, obj = os.path.join(d, "all.c"), os.path.join(d, "all.o")
        with open(src, "w") as f:
            f.writelines('#include "%s"\n' % h for h in headers)
        subprocess.run(args + extra + ["-fkeep-inline-functions", "-c", src, "-o", obj],
                       cwd=entry["directory"], check=True)
        return defined_functions([obj])


DEF = re.compile(r"^(?:static\s+|inline\s+|NORETURN\s+|__attribute__\(\(\w+\)\)\s+)*"
                 r"[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\(([^;]*)$")


def source_functions(dirs):
    """Names of the functions defined in the C files and headers under
    `dirs` (a definition: a declarator line at column 0 followed by a line
    holding only "{"), static ones included: the kernel's inlined statics
    leave no symbol for nm."""
    names = set()
    for d in dirs:
        for base, _, files in os.walk(os.path.join(ROOT, d)):
            for fn in files:
                if not fn.endswith((".c", ".h")):
                    continue
                lines = open(os.path.join(base, fn), errors="replace").read().split("\n")
                for i, line in enumerate(lines[:-1]):
                    m = DEF.match(line)
                    if m and not line.startswith(("return", "typedef", "#")):
                        j = i + 1
                        while j < len(lines) and not lines[j - 1].rstrip().endswith(")"):
                            j += 1  # declarator over several lines
                        if j < len(lines) and lines[j].strip() == "{":
                            names.add(m.group(1))
    return names


def headers_in(d, sub=""):
    base = os.path.join(ROOT, d)
    return sorted(os.path.join(sub, f) for f in os.listdir(os.path.join(base, sub)) if f.endswith(".h"))


def program_entry(cmds):
    """A compile of the root task: the flags every user program gets."""
    return next(e for e in cmds if e["file"].endswith("userland/root/main.c"))


def check_names(build):
    cmds = user_commands(build)
    kentry = next(e for e in json.load(open(os.path.join(build, "compile_commands.json")))
                  if e["file"].endswith("/kernel/main.c") and "atoll.elf.dir" in e["command"])
    user = defined_functions([os.path.join(build, "userland/libatoll_user.a")])
    user |= inline_functions(program_entry(cmds), headers_in("userland/include", "atoll"), [])
    user |= source_functions(["userland/include", "userland/lib"])
    shared = defined_functions([os.path.join(build, "userland/libatoll_lib.a")])
    shared |= source_functions(["lib"]) | CONVENTION
    kernel = defined_functions([os.path.join(build, "kernel/atoll.elf")])
    kernel |= inline_functions(kentry, headers_in("kernel/include"), [])
    kernel |= source_functions(["kernel", "arch/x86_64", "smp", "boot"])
    clash = sorted((user & kernel) - shared)
    for n in clash:
        print("user-wall: %s is defined by the user runtime and by the kernel" % n)
    print("user-wall: %d user and %d kernel functions, %d shared through lib/, %d clashes"
          % (len(user), len(kernel), len(shared), len(clash)))
    return 1 if clash or len(user) < 20 or len(kernel) < 100 else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("headers", "names"):
        sys.exit(__doc__)
    sys.exit((check_headers if sys.argv[1] == "headers" else check_names)(os.path.abspath(sys.argv[2])))

#!/usr/bin/env python3
"""scripts/covdump.py --root DIR LOG

Contract: reads the serial LOG of a coverage-build boot (make coverage,
docs/coverage.md), checks the coverage dump kernel/lib/coverage.c printed in
it and writes each object file's .gcda file. Exit 0 and one summary line
("covdump: N .gcda files, B bytes") only if the dump is whole: a begin line,
every file framed by `file` and `end` with the right byte count and CRC-32,
a done line whose count matches begin and the files seen, and every path
inside DIR (the coverage build directory: a guest names the files, the host
decides where they may go). Otherwise exit 1 with one line saying what is
wrong, and nothing is written.

The frame, one item per line (serial CR/LF and anything not starting with
"gcov: " are ignored, so the suite's own output may surround it):

    gcov: begin <objects>
    gcov: file <absolute path of the .gcda>
    gcov: data <hex, at most 32 bytes>      (any number of lines)
    gcov: end <bytes> <crc32, 8 hex digits>
    gcov: done <objects>
"""
import os
import sys
import zlib

PREFIX = "gcov: "
MAX_DATA_LINE = 32


class DumpError(Exception):
    pass


def parse(lines):
    """Returns [(path, bytes)] from the dump in LINES (an iterable of str)."""
    files, begin, current, done = [], None, None, None
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n").replace("\r", "")
        if not line.startswith(PREFIX):
            continue
        word, _, rest = line[len(PREFIX):].partition(" ")
        where = f"line {no}"
        if done is not None:
            raise DumpError(f"{where}: '{word}' after the done line")
        if word == "begin":
            if begin is not None:
                raise DumpError(f"{where}: a second begin line")
            begin = _number(rest, where)
        elif begin is None:
            raise DumpError(f"{where}: '{word}' before the begin line")
        elif word == "file":
            if current is not None:
                raise DumpError(f"{where}: file {rest!r} before the end of {current[0]!r}")
            if not rest:
                raise DumpError(f"{where}: file without a name")
            current = (rest, bytearray())
        elif word == "data":
            if current is None:
                raise DumpError(f"{where}: data outside a file")
            current[1].extend(_hex(rest, where))
        elif word == "end":
            if current is None:
                raise DumpError(f"{where}: end outside a file")
            _check_end(current, rest, where)
            files.append((current[0], bytes(current[1])))
            current = None
        elif word == "done":
            if current is not None:
                raise DumpError(f"{where}: done inside {current[0]!r}")
            done = _number(rest, where)
        else:
            raise DumpError(f"{where}: unknown record '{word}'")
    if begin is None:
        raise DumpError("no coverage dump (no 'gcov: begin' line)")
    if done is None:
        raise DumpError("dump cut short: no 'gcov: done' line"
                        + (f" (inside {current[0]!r})" if current else ""))
    if not begin == done == len(files):
        raise DumpError(f"begin says {begin} files, done {done}, {len(files)} seen")
    return files


def _number(text, where):
    if not text.isdigit():
        raise DumpError(f"{where}: {text!r} is not a number")
    return int(text)


def _hex(text, where):
    if len(text) % 2 or len(text) > 2 * MAX_DATA_LINE or not text:
        raise DumpError(f"{where}: data of bad length {len(text)}")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise DumpError(f"{where}: data is not hex") from None


def _check_end(current, rest, where):
    name, data = current
    parts = rest.split(" ")
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 8:
        raise DumpError(f"{where}: malformed end line {rest!r}")
    try:
        crc = int(parts[1], 16)
    except ValueError:
        raise DumpError(f"{where}: malformed CRC {parts[1]!r}") from None
    if int(parts[0]) != len(data):
        raise DumpError(f"{where}: {name!r}: {len(data)} bytes, end says {parts[0]}")
    if zlib.crc32(data) != crc:
        raise DumpError(f"{where}: {name!r}: CRC mismatch")


def place(files, root):
    """Returns [(real path, bytes)], each path checked to lie inside ROOT."""
    root = os.path.realpath(root)
    out, seen = [], set()
    for name, data in files:
        path = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, path]) != root or not path.endswith(".gcda"):
            raise DumpError(f"{name!r} is not a .gcda file inside {root}")
        if path in seen:
            raise DumpError(f"{name!r} dumped twice")
        seen.add(path)
        out.append((path, data))
    return out


def decode(lines, root):
    """Checks the whole dump, then writes every file; returns (files, bytes)."""
    placed = place(parse(lines), root)
    for path, data in placed:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return len(placed), sum(len(d) for _, d in placed)


def main(argv):
    if len(argv) != 4 or argv[1] != "--root":
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        with open(argv[3], encoding="utf-8", errors="replace") as f:
            n, size = decode(f, argv[2])
    except (DumpError, OSError) as e:
        print(f"covdump: {argv[3]}: {e}")
        return 1
    print(f"covdump: {n} .gcda files, {size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

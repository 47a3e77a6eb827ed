#!/usr/bin/env python3
"""Host test of scripts/covdump.py, the decoder of the kernel's coverage dump
(kernel/lib/coverage.c, docs/coverage.md): a whole dump amid other serial
output is written back byte for byte; every damaged or hostile dump (bad
CRC, wrong length, cut short, miscounted, a path outside the build
directory, a file twice, bad hex) is refused and writes nothing."""
import os
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import covdump  # noqa: E402


def frame(files, begin=None, done=None, crc_fix=0, len_fix=0, chunk=32):
    """A dump as the kernel prints it (CR LF line ends, as on COM1)."""
    lines = [f"gcov: begin {len(files) if begin is None else begin}"]
    for name, data in files:
        lines.append(f"gcov: file {name}")
        for i in range(0, len(data), chunk):
            lines.append("gcov: data " + data[i:i + chunk].hex())
        lines.append(f"gcov: end {len(data) + len_fix} {(zlib.crc32(data) ^ crc_fix):08x}")
    lines.append(f"gcov: done {len(files) if done is None else done}")
    return [line + "\r\n" for line in lines]


class CovdumpTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.a = (os.path.join(self.root, "k/a.c.gcda"), bytes(range(256)) * 3 + b"xyz")
        self.b = ("k/sub/b.c.gcda", b"adcg")  # relative: under the root

    def tearDown(self):
        self.tmp.cleanup()

    def written(self):
        return sorted(os.path.relpath(os.path.join(d, f), self.root)
                      for d, _, fs in os.walk(self.root) for f in fs)

    def refused(self, lines, why):
        with self.assertRaises(covdump.DumpError) as e:
            covdump.decode(lines, self.root)
        self.assertIn(why, str(e.exception))
        self.assertEqual(self.written(), [], "a refused dump must write nothing")

    def test_whole_dump_amid_output_is_written_back(self):
        lines = ["ok 1 - something\r\n", "1 passed, 0 failed\n"] + frame([self.a, self.b]) + ["tail\n"]
        self.assertEqual(covdump.decode(lines, self.root), (2, len(self.a[1]) + 4))
        with open(self.a[0], "rb") as f:
            self.assertEqual(f.read(), self.a[1])
        with open(os.path.join(self.root, self.b[0]), "rb") as f:
            self.assertEqual(f.read(), self.b[1])

    def test_empty_file_and_empty_dump(self):
        self.assertEqual(covdump.decode(frame([("e.gcda", b"")]), self.root), (1, 0))
        self.assertEqual(covdump.decode(frame([]), self.root), (0, 0))

    def test_bad_crc(self):
        self.refused(frame([self.b, self.a], crc_fix=1), "CRC mismatch")

    def test_wrong_length(self):
        self.refused(frame([self.a], len_fix=1), "end says")

    def test_flipped_data_byte(self):
        lines = frame([self.a])
        lines[3] = lines[3][:12] + ("0" if lines[3][12] != "0" else "1") + lines[3][13:]
        self.refused(lines, "CRC mismatch")

    def test_cut_short(self):
        self.refused(frame([self.a, self.b])[:-3], "cut short")
        self.refused(frame([self.a])[:-1], "cut short")
        self.refused(["ok 1 - x\n"], "no coverage dump")

    def test_miscounted(self):
        self.refused(frame([self.a, self.b], begin=3), "begin says 3")
        self.refused(frame([self.a, self.b], done=1), "done 1")

    def test_path_outside_the_root(self):
        self.refused(frame([self.b, ("../escape.gcda", b"x")]), "not a .gcda file inside")
        self.refused(frame([("/tmp/elsewhere.gcda", b"x")]), "not a .gcda file inside")
        self.refused(frame([("k/a.c.o", b"x")]), "not a .gcda file inside")

    def test_file_twice(self):
        self.refused(frame([self.b, self.b]), "dumped twice")

    def test_bad_records(self):
        lines = frame([self.b])
        self.refused(lines[:2] + ["gcov: data 6g\n"] + lines[2:], "not hex")
        self.refused(lines[:2] + ["gcov: data 616\n"] + lines[2:], "bad length")
        self.refused(lines[:2] + ["gcov: data " + "00" * 33 + "\n"] + lines[2:], "bad length")
        self.refused(lines[:1] + lines[2:], "data outside a file")
        self.refused(lines[:1] + lines, "a second begin")
        self.refused(lines + ["gcov: file x.gcda\n"], "after the done line")
        self.refused(lines[:1] + ["gcov: frob\n"] + lines[1:], "unknown record")


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/mkzip.py: the appended zip is reproducible (SOURCE_DATE_EPOCH).

Two copies of pykdump/ and progs/ with different file dates give
byte-identical archives, dated SOURCE_DATE_EPOCH, whose .pyc files hold
no source date (hash-based, unchecked) and still import through zipimport.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from tests.python.support import ROOT

EPOCH = 1700000000  # 2023-11-14 22:13:20 UTC


def build(workdir, mtime):
    """Copy the sources into workdir dated mtime; return the zip's bytes."""
    for part in ('pykdump', 'progs'):
        shutil.copytree(os.path.join(ROOT, part),
                        os.path.join(workdir, part),
                        ignore=shutil.ignore_patterns('__pycache__'))
    for top, _dirs, files in os.walk(workdir):
        for name in files:
            os.utime(os.path.join(top, name), (mtime, mtime))
    target = os.path.join(workdir, 'x.so')
    with open(target, 'wb') as f:
        f.write(b'\x7fELF not really')
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mkzip.py'),
                    target], cwd=workdir, env=env, check=True,
                   capture_output=True)
    with open(target, 'rb') as f:
        return f.read()


class ReproducibleZipTests(unittest.TestCase):
    """Same sources, other dates: the same bytes."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        a = os.path.join(cls.tmp.name, 'a')
        b = os.path.join(cls.tmp.name, 'b')
        cls.first = build(a, 1000000000)
        cls.second = build(b, 1800000000)
        cls.path = os.path.join(a, 'x.so')

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_archives_are_identical(self):
        self.assertEqual(self.first, self.second)

    def test_entries_are_dated_source_date_epoch(self):
        with zipfile.ZipFile(self.path) as zf:
            dates = {info.date_time for info in zf.infolist()}
        self.assertEqual(dates, {(2023, 11, 14, 22, 13, 20)})

    def test_pyc_files_are_unchecked_hash_based(self):
        with zipfile.ZipFile(self.path) as zf:
            pyc = zf.read('pykdump/Generic.pyc')
        # PEP 552 flags word: bit 0 hash-based, bit 1 check_source
        self.assertEqual(int.from_bytes(pyc[4:8], 'little'), 1)

    def test_zipimport_loads_a_pure_module_from_it(self):
        code = ('import sys; sys.path.insert(0, sys.argv[1]); '
                'import pykdump.Generic as g; print(g.__file__)')
        out = subprocess.run([sys.executable, '-c', code, self.path],
                             capture_output=True, text=True, check=True,
                             cwd=self.tmp.name)
        self.assertTrue(out.stdout.strip().endswith('Generic.pyc'),
                        out.stdout)


if __name__ == '__main__':
    unittest.main()

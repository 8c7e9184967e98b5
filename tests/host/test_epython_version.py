# SPDX-License-Identifier: GPL-2.0-or-later
"""A pykdump package newer than the C module: one line, crash goes on.

The package found first on sys.path (here through $PYKDUMPPATH, as for
someone editing pykdump) says which C module version it needs; an older
C module must give a one-line message, not a traceback.
"""

import os
import re
import shutil

from tests.host import _crash
from tests.host._crash import mark


class VersionMismatchTests(_crash.SessionTestCase):
    """A copy of pykdump that requires C module 99.99.99."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        pkg = os.path.join(tmp, 'pykdump')
        shutil.copytree(os.path.join(_crash.TOP, 'pykdump'), pkg,
                        ignore=shutil.ignore_patterns('__pycache__'))
        init = os.path.join(pkg, '__init__.py')
        with open(init, encoding='utf-8') as f:
            text = f.read()
        text, n = re.subn(r'(?m)^minimal_cmod_version = \d+$',
                          'minimal_cmod_version = 999999', text)
        assert n == 1, 'minimal_cmod_version not found in ' + init
        with open(init, 'w', encoding='utf-8') as f:
            f.write(text)
        _crash.make_tree(tmp, {'hello.py': 'print("HELLO RAN")\n'})
        cls.session = _crash.run_crash(
            ['extend ' + _crash.so_path(),
             mark('mismatch'), 'epython hello.py',
             mark('after'), 'sym init_task'],
            env={'PYKDUMPPATH': tmp}, cwd=tmp)

    def test_mismatch_is_one_line_naming_both_versions(self):
        lines = self.session.lines('mismatch')
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r'needs mpykdump C module 99\.99\.99 or '
                         r'later, this is \d+\.\d+\.\d+')
        self.assertNotIn('Traceback', self.session.section('mismatch'))

    def test_program_does_not_run(self):
        self.assertNotIn('HELLO RAN', self.session.output)

    def test_crash_answers_after_the_mismatch(self):
        self.assertRegex(self.session.section('after'),
                         r'[0-9a-f]+ \(\w\) init_task')


if __name__ == '__main__':
    import unittest
    unittest.main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""The embedded interpreter as a program sees it from inside crash.

What a user sees at the prompt is tested from outside, in tests/host/;
these check the inside: where modules come from, what the C module
registered, that the stdlib's C modules load.
"""

import importlib
import os
import sys
import unittest
import zipfile

import crash

from _support import CrashTestCase


def so_path():
    """Return the mpykdump.so on sys.path (the zip we import from)."""
    for entry in sys.path:
        if entry.endswith('.so') and os.path.isfile(entry):
            return entry
    raise AssertionError('no .so on sys.path: %r' % sys.path)


class RuntimeTests(CrashTestCase):
    """Interpreter set-up."""

    def test_crash_is_a_builtin_module(self):
        self.assertIn('crash', sys.builtin_module_names)

    def test_so_on_sys_path_is_the_one_under_test(self):
        want = os.environ.get('MPK_SO')
        if not want:
            self.skipTest('MPK_SO not set (run by tests/run-tests.sh)')
        self.assertEqual(os.path.realpath(so_path()), os.path.realpath(want))

    def test_pykdump_is_imported_from_the_so(self):
        import pykdump
        self.assertTrue(pykdump.__file__.startswith(so_path() + os.sep),
                        pykdump.__file__)

    def test_pykdump_accepts_this_c_module(self):
        import pykdump
        self.assertIsNone(pykdump.require_cmod_version(cmod=crash))

    def test_epython_cmds_are_epython_and_each_bundled_program(self):
        with zipfile.ZipFile(so_path()) as z:
            progs = {os.path.splitext(os.path.basename(n))[0]
                     for n in z.namelist()
                     if n.startswith('progs/') and n.endswith('.py')}
        self.assertEqual(set(crash.get_epython_cmds()), {'epython'} | progs)

    def test_stdlib_c_extension_modules_import(self):
        for name in ('_ctypes', '_socket', 'math', '_json', 'zlib',
                     '_hashlib', '_decimal', 'select', '_struct', 'array'):
            with self.subTest(module=name):
                importlib.import_module(name)

    def test_isolated_mode_ignores_user_site_and_environment(self):
        self.assertTrue(sys.flags.isolated)
        self.assertTrue(sys.flags.ignore_environment)


if __name__ == '__main__':
    unittest.main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""modinfo and the module helpers against the guest's /proc/modules
(truth.json) and crash's own module table; --load/--unload of testmod's
debuginfo, checked by reading a planted value through its types."""

import os
import re
import unittest
from unittest import mock

from _progs import assert_exit, load, run
from _support import crash_module_problem, truth

from pykdump.API import crash, pylog, readSymbol

from pykdump.helpers import modules as M

DUMP_FORMATS = ('kdump', 'elf')

_PROC = re.compile(r'^(\S+) (\d+) (\d+) (\S+) (\w+) (0x[0-9a-f]+)'
                   r'(?: \((\w*)\))?$')


def proc_modules():
    """{name: dict} parsed from the guest's /proc/modules lines."""
    out = {}
    for line in truth()['modules']['proc_modules']:
        m = _PROC.match(line)
        out[m.group(1)] = {'size': int(m.group(2)), 'refs': int(m.group(3)),
                           'state': m.group(5), 'base': int(m.group(6), 16),
                           'taint': m.group(7) or ''}
    return out


def _crash_loaded(name):
    """Whether crash has the debuginfo of module name loaded."""
    return any(m[0] == name and m[3] for m in crash.modules())


class TestModuleHelpers(unittest.TestCase):
    """pykdump.helpers.modules against /proc/modules of the guest."""

    def test_module_list_matches_proc_modules(self):
        got = {M.module_info(m).name for m in M.for_each_module()}
        self.assertEqual(got, set(proc_modules()))

    def test_size_refs_state_base_and_taint_match_proc_modules(self):
        want = proc_modules()
        for m in M.for_each_module():
            info = M.module_info(m)
            with self.subTest(module=info.name):
                w = want[info.name]
                self.assertEqual(
                    (info.size, info.refcount, info.state, info.base,
                     info.taint),
                    (w['size'], w['refs'], w['state'], w['base'],
                     w['taint']))

    def test_flags_column_of_the_test_module(self):
        mod = M.find_module(truth()['modules']['testmod']['name'])
        self.assertEqual(M.module_flags(mod), '(OE)')

    def test_testmod_file_has_dwarf(self):
        path = os.environ.get('PYKDUMP_TESTMOD')
        if not path:
            self.skipTest('PYKDUMP_TESTMOD is not set')
        self.assertTrue(M.has_dwarf(path))
        self.assertFalse(M.has_dwarf('/dev/null'))


class TestModinfoOutput(unittest.TestCase):
    """What modinfo prints."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('modinfo')
        cls.res = run(cls.prog, ['-n'])
        cls.rows = {ln.split()[0]: ln.split() for ln in cls.res.lines[1:]
                    if ln and not ln.startswith(('Kernel', 'Tainting'))}

    def test_every_module_listed_with_size_refs_and_taint(self):
        for name, w in proc_modules().items():
            with self.subTest(module=name):
                row = self.rows[name]
                self.assertEqual((int(row[1]), int(row[2]), row[3], row[4]),
                                 (w['size'], w['refs'], w['state'],
                                  w['taint'] or '-'))

    def test_kernel_taint_and_tainting_module(self):
        name = truth()['modules']['testmod']['name']
        self.assertIn('Kernel taint: OE', self.res.out)
        self.assertIn('Tainting modules: %s(OE)' % name, self.res.out)

    def test_one_module_by_name(self):
        name = truth()['modules']['testmod']['name']
        res = run(self.prog, ['-n', name])
        self.assertEqual(len([ln for ln in res.lines
                              if ln.startswith(name + ' ')]), 1)
        self.assertEqual(len(res.lines[1:res.lines.index('')]), 1)

    def test_unknown_module_returns_1(self):
        self.assertEqual(run(self.prog, ['no_such_module']).rc, 1)

    def test_bad_arguments_give_usage_line(self):
        for argv in (['--load'], ['--load', 'a', 'b', 'c'],
                     ['--load', 'x', '--unload', 'y'], ['--bogus']):
            with self.subTest(argv=argv):
                assert_exit(self, self.prog, argv, 2, 'usage: modinfo')

    def test_help(self):
        assert_exit(self, self.prog, ['-h'], 0, '--load NAME')

    def test_unreadable_taint_table_is_warned_and_list_printed(self):
        def broken():
            raise crash.NoSymbolError('There\'s no symbol taint_flags')
        with mock.patch.object(self.prog, 'taint_flags', broken):
            res = run(self.prog, ['-n'])
        self.assertIn('cannot read taint_flags', res.out)
        self.assertIn(truth()['modules']['testmod']['name'], res.out)
        pylog.cleanup()


class TestLoadUnload(unittest.TestCase):
    """--load NAME FILE and --unload NAME with testmod.ko."""

    @classmethod
    def setUpClass(cls):
        cls.path = os.environ.get('PYKDUMP_TESTMOD')
        cls.name = truth()['modules']['testmod']['name']
        cls.prog = load('modinfo')
        cls.was_loaded = _crash_loaded(cls.name)

    @classmethod
    def tearDownClass(cls):
        # Leave crash as we found it: other tests may rely on either.
        if cls.path and cls.was_loaded and not _crash_loaded(cls.name):
            run(cls.prog, ['--load', cls.name, cls.path])
        elif not cls.was_loaded and _crash_loaded(cls.name):
            run(cls.prog, ['--unload', cls.name])

    def setUp(self):
        if not self.path:
            self.skipTest('PYKDUMP_TESTMOD is not set')

    def test_load_then_listed_loaded_and_types_readable(self):
        res = run(self.prog, ['--load', self.name, self.path])
        if crash_module_problem():
            # the failure is said, with crash's own reason
            self.assertEqual(res.rc, 1, res.out)
            self.assertIn('mod -s %s failed: ' % self.name, res.out)
            self.skipTest(crash_module_problem())
        self.assertEqual(res.rc, 0, res.out)
        self.assertTrue(_crash_loaded(self.name))
        row = next(ln for ln in run(self.prog, [self.name]).lines
                   if ln.startswith(self.name + ' '))
        self.assertIn('loaded %s' % self.path, row)
        want = truth()['testmod']['globals']['testmod_u8']['value']
        self.assertEqual(readSymbol('testmod_u8'), want)

    def test_unload_then_not_loaded(self):
        run(self.prog, ['--load', self.name, self.path])
        if crash_module_problem():
            # nothing could be loaded: "unloaded" would prove nothing
            self.skipTest(crash_module_problem())
        res = run(self.prog, ['--unload', self.name])
        self.assertEqual(res.rc, 0, res.out)
        self.assertFalse(_crash_loaded(self.name))
        row = next(ln for ln in run(self.prog, ['-n', self.name]).lines
                   if ln.startswith(self.name + ' '))
        self.assertTrue(row.rstrip().endswith('missing'), row)

    def test_load_of_a_missing_file_fails(self):
        res = run(self.prog, ['--load', self.name, '/nonexistent/x.ko'])
        self.assertEqual(res.rc, 1)
        self.assertIn('no such file', res.out)

    def test_load_of_a_module_not_in_the_dump_fails(self):
        res = run(self.prog, ['--load', 'no_such_module', self.path])
        self.assertEqual(res.rc, 1)
        self.assertIn('no module no_such_module', res.out)


if __name__ == '__main__':
    unittest.main(argv=['test_modinfo'], exit=False)

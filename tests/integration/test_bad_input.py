# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input inside one epython run: the exact exception, then right
answers (issue 9, items 7, 9, 11, 12, 13).

Every case asserts the exception type and that crash and the API still
answer correctly afterwards, compared with crash's own commands. What
only shows across runs (the next ``epython``, one-line option errors,
file output) is in tests/host/test_bad_input_session.py.
"""

import os
import shutil
import tempfile
import time

import crash
from _support import (CrashTestCase, crash_cmd, crash_offsetof, crash_p_int,
                      crash_module_problem, crash_sym, load_testmod_symbols,
                      requires_crash_modules)

import pykdump
from pykdump import API, dlkmload, epython
from pykdump.API import (Addr, ListHead, NoField, container_of,
                         field_offset, field_size, hlist_for_each_entry,
                         member_offset, member_size, percpu_addresses,
                         percpu_read, pylog, rbtree_walk, readBadList,
                         readList, readListByHead, readSU,
                         readSUListFromHead, readStructNext, readSymbol,
                         record_reader, struct_size, sym2addr, type_size)
from pykdump.helpers import net

DUMP_FORMATS = ('kdump', 'elf')


class BadInputCase(CrashTestCase):
    """assertRaisesNaming plus: the next lookups give crash's answers."""

    def assertNextAnswersRight(self):
        """A type lookup, a read and a crash command after the error."""
        self.assertEqual(Addr(readSymbol('init_task')),
                         crash_sym('init_task'))
        self.assertEqual(member_offset('struct task_struct', 'tasks'),
                         crash_offsetof('task_struct', 'tasks'))
        self.assertEqual(readSymbol('init_task').pid,
                         crash_p_int('init_task.pid'))

    def assertNoField(self, sname, field, func, *args, **kwargs):
        """func raises NoField (a KeyError) naming sname and field."""
        exc = self.assertRaisesNaming(NoField, field, func, *args, **kwargs)
        self.assertIsInstance(exc, KeyError)
        self.assertEqual((exc.sname, exc.field), (sname, field))
        self.assertIn(sname, str(exc))
        self.assertNextAnswersRight()


class TestUnknownField(BadInputCase):
    """Item 7: a misspelled field is NoField wherever an offset is used."""

    def setUp(self):
        self.init = readSymbol('init_task')

    def test_container_of(self):
        self.assertNoField('struct task_struct', 'taskz', container_of,
                           Addr(self.init, 'tasks'), 'struct task_struct',
                           'taskz')
        self.assertEqual(int(container_of(Addr(self.init, 'tasks'),
                                          'struct task_struct', 'tasks')),
                         crash_sym('init_task'))

    def test_readStructNext(self):
        self.assertNoField('struct task_struct', 'nextz', readStructNext,
                           self.init, 'nextz')

    def test_readSUListFromHead(self):
        self.assertNoField('struct task_struct', 'taskz',
                           readSUListFromHead, Addr(self.init, 'tasks'),
                           'taskz', 'struct task_struct')

    def test_ListHead_field(self):
        lh = ListHead(Addr(self.init, 'tasks'), 'struct task_struct')
        self.assertNoField('struct task_struct', 'taskz', getattr, lh,
                           'taskz')

    def test_hlist_for_each_entry_raises_at_the_call(self):
        load_testmod_symbols()
        self.assertNoField('struct testmod_hitem', 'nod',
                           hlist_for_each_entry, 'struct testmod_hitem',
                           sym2addr('testmod_hash'), 'nod')

    def test_rbtree_walk_raises_at_the_call(self):
        load_testmod_symbols()
        root = readSU('struct rb_root', sym2addr('testmod_rbroot'))
        self.assertNoField('struct testmod_rbnode', 'nod', rbtree_walk,
                           root, 'struct testmod_rbnode', 'nod')

    def test_field_offset_and_field_size(self):
        self.assertNoField('struct task_struct', 'pidz', field_offset,
                           'struct task_struct', 'pidz')
        self.assertNoField('struct task_struct', 'pidz', field_size,
                           'struct task_struct', 'pidz')
        self.assertEqual(field_offset('struct task_struct', 'pid'),
                         crash_offsetof('task_struct', 'pid'))

    def test_unknown_type_is_TypeError(self):
        self.assertRaisesNaming(TypeError, 'struct no_such_mpk',
                                field_offset, 'struct no_such_mpk', 'x')
        self.assertRaisesNaming(TypeError, 'struct no_such_mpk',
                                type_size, 'struct no_such_mpk')
        self.assertNextAnswersRight()

    def test_member_offset_keeps_minus_one(self):
        # COMPAT: programs test member_offset(...) >= 0 for features.
        self.assertEqual(member_offset('struct task_struct', 'pidz'), -1)
        self.assertEqual(member_size('struct task_struct', 'pidz'), -1)
        self.assertEqual(struct_size('struct no_such_mpk'), -1)
        self.assertNextAnswersRight()

    def test_empty_field_name(self):
        for field in ('', 'tasks.', '.next', 'tasks..next'):
            with self.subTest(field=field):
                self.assertNoField('struct task_struct', repr(field),
                                   member_offset, 'struct task_struct',
                                   field)

    def test_record_reader_missing_field(self):
        # A required member that is not there is NoField at build time; an
        # optional one reads as None at offset -1.
        self.assertNoField('struct net', 'ipv5', record_reader,
                           'struct net', ('ipv4.sysctl_ip_default_ttl',
                                          'ipv5'))
        rec = record_reader('struct net', ('ipv4',), optional=('ipv5',))
        self.assertEqual((rec.offset('ipv4'), rec.offset('ipv5')),
                         (crash_offsetof('net', 'ipv4'), -1))
        self.assertIsNone(rec.read(net.init_net())[1])
        self.assertNextAnswersRight()


class TestUnreadableNode(BadInputCase):
    """Item 11: a walker does not return the node it could not read.

    testmod_ulong holds 0xdeadbeefcafebabe: read as a list pointer it
    leads to an address with no memory behind it.
    """

    def setUp(self):
        load_testmod_symbols()
        self.start = sym2addr('testmod_ulong')
        self.bad = crash_p_int('testmod_ulong')
        pylog.cleanup()

    def tearDown(self):
        pylog.cleanup()

    def test_readList(self):
        self.assertEqual(readList(self.start), [self.start])
        self.assertNotIn(self.bad, readList(self.start))
        self.assertEqual(readListByHead(self.start), [])
        self.assertNextAnswersRight()

    def test_readBadList(self):
        addrs, err = readBadList(self.start)
        self.assertEqual(addrs, [self.start])
        self.assertIsInstance(err, crash.error)
        self.assertIn('%x' % self.bad, str(err))

    def test_readStructNext(self):
        lh = readSU('struct list_head', self.start)
        self.assertEqual([int(s) for s in readStructNext(lh, 'next')],
                         [self.start])

    def test_hlist_for_each_entry(self):
        self.assertEqual(list(hlist_for_each_entry(
            'struct testmod_hitem', self.start, 'node')), [])

    def test_strict_walk_raises_WalkError(self):
        self.assertRaisesNaming(API.WalkError, '%x' % self.bad, readList,
                                self.start, strict=True)
        self.assertNextAnswersRight()


class TestPerCPU(BadInputCase):
    """Item 11: per-CPU readers refuse what is not a per-CPU symbol."""

    def test_percpu_read_of_an_ordinary_symbol(self):
        for name in ('jiffies', 'init_task'):
            with self.subTest(name=name):
                self.assertRaisesNaming(TypeError, name, percpu_read, name)
                self.assertRaisesNaming(TypeError, name, percpu_addresses,
                                        name)
        self.assertNextAnswersRight()

    def test_empty_and_unknown_names(self):
        self.assertRaisesNaming(TypeError, "''", percpu_addresses, '')
        self.assertRaisesNaming(TypeError, 'no_such_mpk', percpu_read,
                                'no_such_mpk')
        self.assertNextAnswersRight()

    def test_per_cpu_symbols_still_read(self):
        rq = percpu_addresses('runqueues')
        self.assertEqual(rq[0], crash_sym('runqueues') +
                         crash.per_cpu_offset(0))
        # an integer is a __percpu offset, taken as it is
        self.assertEqual(percpu_addresses(crash_sym('runqueues')), rq)
        load_testmod_symbols()      # skips without crash's module table
        vals = percpu_read('testmod_pcpu')
        self.assertEqual(vals, [cpu * 100 + 7 for cpu in range(len(vals))])


class TestCommandSyntax(BadInputCase):
    """Item 12: crash's shell syntax in exec_crash_command is refused."""

    def test_pipe_redirect_and_separator(self):
        for cmd, ch in (('sym init_task | cat', '|'),
                        ('p jiffies > /tmp/mpk-never-written', '>'),
                        ('sym init_task; sym jiffies', ';')):
            with self.subTest(cmd=cmd):
                self.assertRaisesNaming(crash.error, "'%s'" % ch,
                                        crash.exec_crash_command, cmd)
                self.assertRaisesNaming(crash.error, "'%s'" % ch,
                                        API.exec_crash_command_bg, cmd, 10)
        self.assertFalse(os.path.exists('/tmp/mpk-never-written'))
        self.assertNextAnswersRight()

    def test_arrow_and_quotes_are_not_shell_syntax(self):
        out = crash_cmd('p (&init_task)->pid')
        self.assertEqual(int(out.split('=')[1]), crash_p_int('init_task.pid'))
        with self.assertRaises(crash.error) as cm:
            crash_cmd('p "a|b;c>d" + no_such_mpk')
        self.assertNotIn('pipes', str(cm.exception))


class TestFrameworkOptions(BadInputCase):
    """Item 12: option values are checked before anything is applied."""

    def test_bad_values(self):
        for argv, text in ((['--maxel=x'], "'x'"), (['--maxel'], 'value'),
                           (['--maxel=0'], '>= 1'), (['--timeout=-5'], '>= 1'),
                           (['--usens=abc'], "'abc'"), (['--debug=q'], "'q'"),
                           (['--reload=1'], 'no value'),
                           (['--ofile='], 'file name')):
            with self.subTest(argv=argv):
                self.assertRaisesNaming(pykdump.OptionError, text,
                                        epython._split_options, argv)
        self.assertNextAnswersRight()

    def test_good_values_anywhere(self):
        opts, rest = epython._split_options(['a', '--maxel', '7', 'b',
                                             '--timeout=9', '--reload'])
        self.assertEqual(opts, {'maxel': 7, 'timeout': 9, 'reload': True})
        self.assertEqual(rest, ['a', 'b'])

    def test_leading_options(self):
        self.assertEqual(epython._leading_options(
            ['--maxel', '5', '--reload', 'prog', '--x']),
            (['--maxel', '5', '--reload'], ['prog', '--x']))
        self.assertRaisesNaming(pykdump.OptionError, '--bogus',
                                epython._leading_options, ['--bogus', 'p'])

    def test_coding_line_and_undecodable_file(self):
        self.assertEqual(epython._decode(
            'x.py', b'# -*- coding: latin-1 -*-\nprint("caf\xe9")\n'),
            '# -*- coding: latin-1 -*-\nprint("caf\u00e9")\n')
        for data in (b'print("caf\xe9")\n', b'#\n#\nprint("caf\xe9")\n',
                     b'# -*- coding: no-such-mpk -*-\n'):
            with self.subTest(data=data):
                self.assertRaisesNaming(SyntaxError, '/tmp/bad-mpk.py',
                                        epython._decode, '/tmp/bad-mpk.py',
                                        data)

    def test_non_utf8_arguments_in_the_header(self):
        arg = os.fsdecode(b'caf\xe9')
        self.assertEqual(API.argv2s(['p', arg]), 'p caf\\xe9')
        API.argv2s(['p', arg]).encode('utf-8')


class TestDebuginfoFiles(BadInputCase):
    """Items 9 and 13: the one debuginfo search, build id on every load."""

    @classmethod
    def setUpClass(cls):
        cls.ko = os.environ.get('PYKDUMP_TESTMOD')
        cls.tmp = tempfile.mkdtemp(prefix='mpk-badinput-')
        if not cls.ko:
            return
        with open(cls.ko, 'rb') as f:
            data = f.read()
        bid = bytes.fromhex(dlkmload.file_build_id(cls.ko))
        cls.decoy = os.path.join(cls.tmp, 'decoy', 'testmod.ko')
        os.mkdir(os.path.dirname(cls.decoy))
        with open(cls.decoy, 'wb') as f:
            f.write(data.replace(bid, bytes(b ^ 0xff for b in bid)))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if cls.ko and not crash_module_problem():
            load_testmod_symbols()

    def setUp(self):
        if not self.ko:
            self.skipTest('PYKDUMP_TESTMOD is not set')

    def _crash_file(self):
        for line in crash_cmd('mod').splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[1] == 'testmod':
                return parts[4]
        return None

    @requires_crash_modules
    def test_a_file_of_another_build_is_refused(self):
        crash_cmd('mod -d testmod')
        pylog.cleanup()
        self.assertFalse(dlkmload.loadModule('testmod', self.decoy))
        self.assertNotEqual(self._crash_file(), self.decoy)
        problem = dlkmload.build_id_mismatch('testmod', self.decoy)
        self.assertIn(dlkmload.file_build_id(self.decoy), problem)
        self.assertIn(dlkmload.file_build_id(self.ko), problem)
        pylog.cleanup()
        # ... and the right one is then taken
        self.assertTrue(dlkmload.loadModule('testmod', self.ko))
        self.assertEqual(self._crash_file(), self.ko)
        self.assertNextAnswersRight()

    @requires_crash_modules
    def test_a_wrong_file_loaded_by_hand_is_replaced(self):
        crash_cmd('mod -d testmod')
        crash_cmd('mod -s testmod %s' % self.decoy)
        self.assertEqual(self._crash_file(), self.decoy)
        self.assertTrue(dlkmload.loadModule('testmod', self.ko))
        self.assertEqual(self._crash_file(), self.ko)
        self.assertEqual(readSymbol('testmod_u8'), 255)

    def test_one_search_for_modinfo_and_loadModule(self):
        from pykdump.helpers import modules
        self.assertIs(modules.find_debuginfo, dlkmload.find_debuginfo)
        self.assertIs(modules.has_dwarf, dlkmload.has_dwarf)
        self.assertEqual(dlkmload.find_debuginfo('testmod', [self.tmp]),
                         self.ko)

    def test_current_directory_not_searched_unless_given(self):
        self.assertNotIn('.', dlkmload.debuginfo_dirs())
        self.assertNotIn(os.getcwd(), dlkmload.debuginfo_dirs())
        self.assertEqual(dlkmload.debuginfo_dirs(['.'])[0], '.')

    def test_symlink_loops_are_not_followed(self):
        top = os.path.join(self.tmp, 'links')
        os.makedirs(os.path.join(top, 'sub'), exist_ok=True)
        for name, target in (('loop', top), ('up', '..'),
                             ('elsewhere', os.path.dirname(self.ko))):
            link = os.path.join(top, 'sub', name)
            if not os.path.islink(link):
                os.symlink(target, link)
        t0 = time.monotonic()
        self.assertIsNone(dlkmload.possibleModuleNames(top, 'testmod'))
        self.assertLess(time.monotonic() - t0, 5)

    def test_search_is_bounded(self):
        top = os.path.join(self.tmp, 'many')
        os.makedirs(top, exist_ok=True)
        for i in range(30):
            open(os.path.join(top, 'f%02d' % i), 'w').close()
        shutil.copy(self.ko, os.path.join(top, 'zz'))
        os.makedirs(os.path.join(top, 'zz-dir'), exist_ok=True)
        shutil.copy(self.ko, os.path.join(top, 'zz-dir', 'testmod.ko'))
        saved = dlkmload.SEARCH_MAX_ENTRIES
        pylog.cleanup()
        try:
            dlkmload.SEARCH_MAX_ENTRIES = 10
            self.assertIsNone(dlkmload.possibleModuleNames(top, 'testmod'))
            self.assertTrue(any('debuginfo search stopped' in str(m)
                                for m in pylog.messages('+++WARNING+++')))
        finally:
            dlkmload.SEARCH_MAX_ENTRIES = saved
            pylog.cleanup()
        self.assertEqual(dlkmload.possibleModuleNames(top, 'testmod'),
                         os.path.join(top, 'zz-dir', 'testmod.ko'))


if __name__ == '__main__':
    import unittest
    unittest.main(argv=['test_bad_input'], exit=False)

"""Loading and unloading module debuginfo changes types, and every cache
that depends on types follows (the type generation)."""

import os
import unittest

from _support import crash_module_problem, requires_crash_modules

from pykdump.API import (crash, delModule, exec_crash_command,
                         exec_gdb_command, loadModule, lsModules,
                         readSymbol, struct_size)


class TestDebuginfoLoading(unittest.TestCase):
    """mod -s / mod -d through dlkmload and typed in crash."""

    def setUp(self):
        self.ko = os.environ.get('PYKDUMP_TESTMOD')
        if not self.ko:
            self.skipTest('PYKDUMP_TESTMOD is not set')
        # gdb's answers: where testmod.ko carries split BTF (the 6.12
        # fixture's does), BTF knows its types without the debuginfo
        self.saved = crash.type_source('gdb')

    def tearDown(self):
        # Leave the session as the other tests expect it: loaded.
        if not crash_module_problem():
            loadModule('testmod', self.ko)
        crash.type_source(self.saved)

    def unload(self):
        """Unload testmod's debuginfo whoever loaded it."""
        delModule('testmod')
        if any(m[0] == 'testmod' and m[3] for m in crash.modules()):
            exec_crash_command('mod -d testmod')

    @requires_crash_modules
    def test_types_and_symbols_appear_and_go_with_debuginfo(self):
        self.unload()
        self.assertEqual(struct_size('struct testmod_item'), -1)
        with self.assertRaises(TypeError):
            readSymbol('testmod_s8')
        generation = crash.type_generation()
        self.assertTrue(loadModule('testmod', self.ko))
        self.assertNotEqual(crash.type_generation(), generation)
        gdb = exec_gdb_command('p sizeof(struct testmod_item)')
        self.assertEqual(struct_size('struct testmod_item'),
                         int(gdb.split('=')[1]))
        self.assertEqual(readSymbol('testmod_s8'), -128)
        self.unload()
        self.assertEqual(struct_size('struct testmod_item'), -1)

    @requires_crash_modules
    def test_mod_s_typed_in_crash_is_seen_too(self):
        self.unload()
        self.assertEqual(struct_size('struct testmod_item'), -1)
        exec_crash_command('mod -s testmod %s' % self.ko)
        self.assertGreater(struct_size('struct testmod_item'), 0)

    def test_loadmodule_of_unknown_module_is_false(self):
        self.assertNotIn('no_such_module', lsModules())
        self.assertFalse(loadModule('no_such_module'))

    def test_modules_list_names_the_guests_modules(self):
        self.assertIn('testmod', lsModules())
        self.assertIn('dummy', lsModules())


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)

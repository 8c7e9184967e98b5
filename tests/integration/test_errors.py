# SPDX-License-Identifier: GPL-2.0-or-later
"""Typed errors: crash.error's subclasses carry what failed.

Each error is caught by ``except crash.error`` and by what the original
PyKdump raised in that case (IndexError for NULL, TypeError for unknown
symbols and types, KeyError for unknown members), so old programs keep
working. The addresses and names are the ones the test asked for; that
they are unreadable or unknown is checked with crash's own commands.
"""

import crash
from pykdump import API

from _support import CrashTestCase, crash_cmd

DUMP_FORMATS = ('kdump', 'elf')

LOW = 0x10          # the first page is never mapped in the kernel
UNMAPPED = 0xdead000000000000


class FaultErrorTests(CrashTestCase):
    """A failed read: crash.FaultError with .address and .size."""

    def test_crash_rd_cannot_read_the_addresses_used_here(self):
        for addr in (LOW, UNMAPPED):
            with self.assertRaisesRegex(crash.error, 'invalid'):
                crash_cmd('rd 0x%x' % addr)

    def test_readU64_of_0x10_has_address_0x10_and_size_8(self):
        with self.assertRaises(crash.FaultError) as cm:
            API.readU64(LOW)
        self.assertEqual(cm.exception.address, LOW)
        self.assertEqual(cm.exception.size, 8)
        self.assertIn('10', str(cm.exception))
        self.assertCrashAlive()

    def test_readU64_of_0x10_is_caught_by_except_crash_error(self):
        try:
            API.readU64(LOW)
        except crash.error as exc:
            self.assertEqual(exc.address, LOW)
        else:
            self.fail('no exception')

    def test_readmem_unmapped_names_address_and_size(self):
        with self.assertRaises(crash.FaultError) as cm:
            crash.readmem(UNMAPPED, 24)
        self.assertEqual((cm.exception.address, cm.exception.size),
                         (UNMAPPED, 24))

    def test_fault_is_not_an_IndexError(self):
        # Old programs catch IndexError for NULL only: a fault stays apart.
        self.assertFalse(issubclass(crash.FaultError, IndexError))


class NullPointerErrorTests(CrashTestCase):
    """Address 0: crash.NullPointerError, still an IndexError."""

    def test_readPtr_of_null_is_caught_by_except_IndexError(self):
        with self.assertRaises(IndexError) as cm:
            crash.readPtr(0)
        self.assertIsInstance(cm.exception, crash.NullPointerError)
        self.assertEqual(cm.exception.address, 0)

    def test_readmem_of_null_is_a_fault_and_a_crash_error(self):
        with self.assertRaises(crash.FaultError):
            crash.readmem(0, 8)
        with self.assertRaises(crash.error):
            API.readU32(0)


class LookupErrorTests(CrashTestCase):
    """Unknown names: NoSymbolError, NoTypeError, NoFieldError with .name."""

    def test_crash_does_not_know_the_names_used_here(self):
        for cmd in ('sym mpk_no_such_symbol',
                    'whatis struct mpk_no_such_struct'):
            try:
                said = crash_cmd(cmd)
            except crash.error as exc:
                said = str(exc)
            self.assertRegex(said, r'not found|cannot resolve')

    def test_readSymbol_of_unknown_symbol_names_it(self):
        with self.assertRaises(crash.NoSymbolError) as cm:
            API.readSymbol('mpk_no_such_symbol')
        self.assertEqual(cm.exception.name, 'mpk_no_such_symbol')

    def test_unknown_symbol_is_caught_as_TypeError_and_crash_error(self):
        for exc_type in (TypeError, crash.error):
            with self.assertRaises(exc_type):
                API.readSymbol('mpk_no_such_symbol')

    def test_gdb_whatis_of_unknown_symbol_names_it(self):
        with self.assertRaises(crash.NoSymbolError) as cm:
            crash.gdb_whatis('mpk_no_such_symbol')
        self.assertEqual(cm.exception.name, 'mpk_no_such_symbol')

    def test_gdb_typeinfo_of_unknown_struct_names_it(self):
        with self.assertRaises(crash.NoTypeError) as cm:
            crash.gdb_typeinfo('struct mpk_no_such_struct')
        self.assertEqual(cm.exception.name, 'struct mpk_no_such_struct')

    def test_readSU_of_unknown_struct_is_caught_as_TypeError(self):
        with self.assertRaises(TypeError) as cm:
            API.readSU('struct mpk_no_such_struct', 0)
        self.assertIsInstance(cm.exception, crash.NoTypeError)
        self.assertEqual(cm.exception.name, 'struct mpk_no_such_struct')

    def test_no_field_error_is_a_KeyError_and_an_AttributeError(self):
        self.assertTrue(issubclass(crash.NoFieldError, KeyError))
        self.assertTrue(issubclass(crash.NoFieldError, AttributeError))
        self.assertTrue(issubclass(crash.NoFieldError, crash.error))


class ConstructorTests(CrashTestCase):
    """Python code raises the same types with the same attributes."""

    def test_keywords_become_attributes_and_others_default_to_None(self):
        exc = crash.FaultError('cannot read', address=0x20)
        self.assertEqual((exc.address, exc.size, exc.args),
                         (0x20, None, ('cannot read',)))

    def test_unknown_keyword_is_a_TypeError(self):
        with self.assertRaises(TypeError):
            crash.NoTypeError('x', adress=1)


class PythonLevelTests(CrashTestCase):
    """pykdump raises the same types for what it finds itself."""

    def test_missing_field_is_caught_by_crash_error_KeyError_hasattr(self):
        init = API.readSymbol('init_task')
        for exc_type in (crash.error, crash.NoFieldError, KeyError,
                         AttributeError):
            with self.assertRaises(exc_type):
                init.mpk_no_such_field
        self.assertFalse(hasattr(init, 'mpk_no_such_field'))

    def test_null_typed_pointer_deref_is_a_NullPointerError(self):
        from pykdump.datatypes import TypeInfo
        from pykdump.lowlevel import tPtr
        p = tPtr(0, TypeInfo('int *'))
        with self.assertRaises(crash.NullPointerError) as cm:
            p.Deref
        self.assertEqual(cm.exception.address, 0)
        with self.assertRaises(IndexError):
            p[0]

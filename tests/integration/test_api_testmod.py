"""The pykdump API on every C shape of the test module (tests/testmod).

Expected values come from tests/testmod/expected.json (the values
testmod.c assigns) and from gdb's own answers on the same dump
(``p &sym``): never from our readers.
"""

import json
import os
import re
import unittest

import crash
from _support import crash_module_problem, crash_sym

from pykdump.API import (readSymbol, readSU, loadModule, Addr,
                         member_offset, struct_size, readSUListFromHead,
                         hlist_for_each_entry, readStructNext, readList,
                         container_of, EnumInfo, sym2addr, addr2sym,
                         SmartString, tPtr, ListHead,
                         rbtree_walk, xarray_walk, idr_walk, percpu_read,
                         getStructInfo, pylog, Deref,
                         readBadList, sys_info, structSetAttr, AttrSetter,
                         define_struct, PYKD, WalkError, purge_typeinfo,
                         readmem, readSUArray, record_reader)
from pykdump.lowlevel import intDimensionlessArray

_HERE = os.path.dirname(os.path.abspath(__file__))
_EXPECTED = os.path.join(_HERE, '..', 'testmod', 'expected.json')


def expected():
    """The globals of expected.json."""
    with open(_EXPECTED, encoding='utf-8') as f:
        return json.load(f)['globals']


def gdb_address(expr):
    """Address of a C expression by gdb (``p &expr``), an oracle apart."""
    out = crash.get_GDB_output('p %s' % expr)
    m = re.search(r'0x[0-9a-f]+', out or '')
    if not m:
        raise AssertionError('gdb cannot evaluate %s: %r' % (expr, out))
    return int(m.group(0), 16)


def placed_address(expr):
    """Address of ``&name...`` with name placed where the dump's module
    symbol table (crash's ``sym``, kallsyms) has it, and the rest of the
    expression (index, member) laid out by gdb.

    gdb's own placement of module data is that of crash's ``mod -s``:
    crash 8.0.6 puts testmod's .data 0x60 below where the 6.12 kernel
    loaded it (module memory in mod->mem[], v6.4), so gdb alone is not an
    oracle for where a module global lives.
    """
    m = re.match(r'&\s*([A-Za-z_]\w*)', expr)
    if not m:
        return gdb_address(expr)
    root = m.group(1)
    return gdb_address(expr) - gdb_address('&' + root) + crash_sym(root)


def setUpModule():
    """Load testmod's debuginfo once for all tests here."""
    ko = os.environ.get('PYKDUMP_TESTMOD')
    if not ko:
        raise unittest.SkipTest('PYKDUMP_TESTMOD is not set')
    if crash_module_problem():
        raise unittest.SkipTest(crash_module_problem())
    if not loadModule('testmod', ko):
        raise AssertionError('mod -s testmod %s failed' % ko)


class Matcher(unittest.TestCase):
    """Compare a value read by the API with an expected.json spec."""

    def match(self, value, spec, where):
        """Assert value matches spec (recursively); where names it."""
        if isinstance(value, intDimensionlessArray) and \
                isinstance(spec, list):
            value = [value[i] for i in range(len(spec))]
        if isinstance(spec, bool) or isinstance(spec, int):
            self.assertEqual(value, spec, where)
        elif isinstance(spec, str):
            self.assertEqual(str(value), spec, where)
        elif isinstance(spec, list):
            self.assertEqual(len(value), len(spec), where)
            for i, (v, s) in enumerate(zip(value, spec)):
                self.match(v, s, '%s[%d]' % (where, i))
        elif isinstance(spec, dict):
            self.match_dict(value, spec, where)

    def match_dict(self, value, spec, where):
        """The dict forms: string, ptr, enum, func, or struct fields."""
        if 'string' in spec:
            self.assertIsInstance(value, SmartString, where)
            self.assertEqual(value, spec['string'], where)
            return
        if 'enum' in spec:
            self.assertEqual(int(value), spec['value'], where)
            self.assertEqual(str(value), spec['enum'], where)
            return
        if 'func' in spec:
            self.assertEqual(addr2sym(value), spec['func'], where)
            return
        if 'ptr' in spec and not isinstance(spec['ptr'], dict):
            ptr = spec['ptr']
            if ptr is None:
                self.assertFalse(value, where)
            elif ptr.startswith('&'):
                self.assertEqual(int(value), placed_address(ptr), where)
            if 'deref' in spec and not isinstance(spec['deref'], dict):
                self.assertEqual(Deref(value), spec['deref'], where)
            if 'deref2' in spec:
                self.assertEqual(Deref(Deref(value)), spec['deref2'], where)
            if 'deref3' in spec:
                self.assertEqual(Deref(Deref(Deref(value))), spec['deref3'],
                                 where)
            return
        for field, s in spec.items():
            self.match(getattr(value, field), s, '%s.%s' % (where, field))


class TestGlobals(Matcher):
    """readSymbol of every global with a plain value, as testmod set it."""

    def test_every_global_with_a_value_reads_as_assigned(self):
        for name, g in expected().items():
            if g.get('value') is None or '(per-cpu)' in g['type']:
                continue
            with self.subTest(name=name):
                self.match(readSymbol(name), g['value'], name)

    def test_integer_extremes_keep_sign_and_width(self):
        self.assertEqual(readSymbol('testmod_s8'), -128)
        self.assertEqual(readSymbol('testmod_u64'), (1 << 64) - 1)
        self.assertEqual(readSymbol('testmod_s64'), -(1 << 63))

    def test_char_array_is_a_string_with_its_address(self):
        s = readSymbol('testmod_chararr')
        self.assertEqual(s, 'hello, kernel')
        self.assertEqual(s.addr, sym2addr('testmod_chararr'))
        self.assertIsNone(s.ptr)

    def test_char_pointer_string_knows_the_pointer_field(self):
        s = readSymbol('testmod_str')
        self.assertEqual(s, 'a constant string')
        self.assertEqual(int(s), sym2addr('testmod_str'))
        self.assertIsNone(readSymbol('testmod_str_null'))

    def test_enum_value_prints_its_name_and_compares_as_int(self):
        c = readSymbol('testmod_color')
        self.assertEqual(c, 2)
        self.assertEqual('%s %d' % (c, c), 'TM_BLUE 2')
        e = EnumInfo('enum testmod_sparse')
        self.assertEqual(e.TM_NEG, -5)
        self.assertEqual(e['TM_BIG'], 65536)
        self.assertEqual(e.getnam(100), 'TM_HUNDRED')

    def test_pointer_to_pointer_dereferences_level_by_level(self):
        p = readSymbol('testmod_ippptr')
        self.assertIsInstance(p, tPtr)
        self.assertEqual(p.ptrlev, 3)
        self.assertEqual(p.Deref.Deref.Deref, 4242)

    def test_function_pointer_is_an_address_of_a_named_function(self):
        self.assertEqual(addr2sym(readSymbol('testmod_funcptr')),
                         'testmod_func')

    def test_pykd_reads_globals_by_attribute(self):
        self.assertIs(PYKD.true_, True)
        self.assertIs(PYKD.false_, False)
        self.assertEqual(PYKD.seven + PYKD.six, 13)

    def test_char_pointer_pointer_elements_become_strings(self):
        pp = readSymbol('testmod_dpchar_ptr')
        self.assertIsInstance(pp, tPtr)
        self.assertEqual(pp.ptrlev, 2)
        self.assertEqual([SmartString(pp[i]) for i in range(2)],
                         ['one', 'two'])

    def test_typedef_chain_reads_the_final_struct(self):
        p = readSymbol('testmod_tpoint')
        self.assertEqual((p.x, p.y), (3, 4))
        self.assertEqual(readSymbol('testmod_tint'), 77)


class TestStructs(Matcher):
    """Fields, bitfields, anonymous members, arrays, pointer arithmetic."""

    def test_bitfields_signed_straddling_and_wide(self):
        b = readSymbol('testmod_bits')
        want = expected()['testmod_bits']['value']
        for f, v in want.items():
            with self.subTest(field=f):
                self.assertEqual(getattr(b, f), v)

    def test_record_reader_decodes_the_bitfields_as_expected(self):
        # The bulk reader's one unpack per object agrees with the values
        # testmod set, signed, straddling and wide bitfields included.
        want = expected()['testmod_bits']['value']
        rec = record_reader('struct testmod_bits', tuple(want))
        self.assertEqual(rec.read(sym2addr('testmod_bits')),
                         tuple(want.values()))
        self.assertEqual(rec.unpack(readmem(sym2addr('testmod_bits'),
                                            rec.end)),
                         tuple(want.values()))

    def test_record_reader_is_rebuilt_when_its_type_is_purged(self):
        fields = ('a', 'b')
        first = record_reader('struct testmod_bits', fields)
        self.assertIs(record_reader('struct testmod_bits', fields), first)
        purge_typeinfo('struct testmod_bits')
        self.assertIsNot(record_reader('struct testmod_bits', fields), first)

    def test_anonymous_members_have_gdb_offsets(self):
        si = getStructInfo('struct ASID_ANON')
        for f, off in expected()['asid_anon']['offsets'].items():
            with self.subTest(field=f):
                self.assertEqual(si[f].offset, off)
                self.assertEqual(member_offset('struct ASID_ANON', f),
                                 gdb_address('&((struct ASID_ANON *)0)->%s'
                                             % f))
        self.assertEqual(struct_size('struct ASID_ANON'), 16)

    def test_struct_arithmetic_scales_by_size(self):
        sarr = readSymbol('testmod_sarr')
        self.assertEqual([s.a0 for s in sarr], [10, 20, 30])
        first = sarr[0]
        self.assertEqual((first + 2).a0, 30)
        self.assertEqual(first[1].a0, 20)
        self.assertEqual(len(first), struct_size('struct AA'))

    def test_readsuarray_from_a_structresult_starts_at_its_address(self):
        # The array's elements are sizeof(struct AA) apart, not the
        # square of it (a StructResult's own + scales, api §24.1).
        first = readSymbol('testmod_sarr')[0]
        got = readSUArray('struct AA', first, 3)
        self.assertEqual([int(s) for s in got],
                         [placed_address('&testmod_sarr[%d]' % i)
                          for i in range(3)])
        self.assertEqual([s.a0 for s in got], [10, 20, 30])
        lazy = readSUArray('struct AA', first)
        self.assertEqual([next(lazy).a0 for _ in range(3)], [10, 20, 30])

    def test_multidimensional_int_arrays(self):
        self.assertEqual(readSymbol('testmod_arr2'),
                         expected()['testmod_arr2']['value'])
        self.assertEqual(readSymbol('testmod_arr3'),
                         expected()['testmod_arr3']['value'])

    def test_flexible_array_member_indexes_past_the_struct(self):
        f = readSymbol('testmod_flexp').Deref if isinstance(
            readSymbol('testmod_flexp'), tPtr) else readSymbol('testmod_flexp')
        self.assertEqual(f.n, 6)
        self.assertEqual([f.vals[i] for i in range(6)],
                         [10, 20, 30, 40, 50, 60])

    def test_unknown_field_is_keyerror_and_attributeerror(self):
        aa = readSymbol('aa')
        with self.assertRaises(KeyError):
            aa.nosuchfield
        self.assertFalse(hasattr(aa, 'nosuchfield'))
        self.assertTrue(aa.hasField('a0'))
        self.assertFalse(aa.hasField('nosuchfield'))

    def test_addr_container_of_and_cast(self):
        asid = readSymbol('asid')
        self.assertEqual(Addr(asid), sym2addr('asid'))
        self.assertEqual(Addr(asid, 'sarr'), gdb_address('&asid.sarr'))
        s1 = asid.sarr[1]
        self.assertEqual(container_of(Addr(s1), 'struct ASID', 'sarr') +
                         0, int(asid) + struct_size('struct AA') * 0 +
                         member_offset('struct ASID', 'sarr') -
                         member_offset('struct ASID', 'sarr') +
                         struct_size('struct AA'))
        self.assertTrue(asid.castTo('struct AA').isNamed('struct AA'))

    def test_unknown_type_and_symbol_raise_typeerror(self):
        with self.assertRaises(TypeError):
            readSU('struct no_such_type_here', 0x1000).x
        with self.assertRaises(TypeError):
            readSymbol('no_such_symbol_here')
        self.assertEqual(struct_size('struct no_such_type_here'), -1)


class TestWalkers(unittest.TestCase):
    """Lists, hlists, rb-tree, xarray, idr, per-CPU, loop detection."""

    def test_list_of_items_in_order(self):
        items = readSUListFromHead(sym2addr('testmod_list'), 'link',
                                   'struct testmod_item')
        want = expected()['testmod_list']['list']['entries']
        self.assertEqual([(i.id, str(i.name)) for i in items],
                         [(e['id'], e['name']) for e in want])
        lh = ListHead(sym2addr('testmod_list'), 'struct testmod_item')
        self.assertEqual([i.id for i in lh.link], [e['id'] for e in want])

    def test_hlist_buckets_in_first_next_order(self):
        buckets = readSymbol('testmod_hash')
        want = expected()['testmod_hash']['hlist']['buckets']
        for i, head in enumerate(buckets):
            keys = [h.key for h in hlist_for_each_entry(
                'struct testmod_hitem', head, 'node')]
            self.assertEqual(keys, want[str(i)], 'bucket %d' % i)

    def test_singly_linked_chain(self):
        chain = readSymbol('testmod_chain')
        nodes = readStructNext(chain, 'next')
        self.assertEqual([n.val for n in nodes], [1, 2, 3, 4])

    def test_rbtree_in_order(self):
        root = readSymbol('testmod_rbroot')
        keys = [n.key for n in rbtree_walk(root, 'struct testmod_rbnode',
                                           'node')]
        self.assertEqual(keys, expected()['testmod_rbroot']['rbtree']
                         ['inorder'])

    def test_xarray_entries_values_and_pointers(self):
        xa = readSymbol('testmod_xa')
        got = dict(xarray_walk(xa))
        for e in expected()['testmod_xa']['xarray']['entries']:
            with self.subTest(index=e['index']):
                self.assertIn(e['index'], got)
                if e['kind'] == 'value':
                    self.assertEqual(got[e['index']], e['value'])
                else:
                    item = readSU(e['of'], got[e['index']])
                    self.assertEqual(item.val, e['deref']['val'])
        self.assertEqual(len(got), len(expected()['testmod_xa']['xarray']
                                       ['entries']))

    def test_idr_ids_and_objects(self):
        got = dict(idr_walk(readSymbol('testmod_idr')))
        want = expected()['testmod_idr']['idr']['entries']
        self.assertEqual(sorted(got), [e['id'] for e in want])
        for e in want:
            item = readSU('struct testmod_iditem', got[e['id']])
            self.assertEqual(str(item.name), e['deref']['name'])

    def test_percpu_value_differs_per_cpu(self):
        vals = percpu_read('testmod_pcpu')
        self.assertEqual(len(vals), sys_info.CPUS)
        self.assertEqual(vals, [cpu * 100 + 7 for cpu in range(len(vals))])
        pts = percpu_read('testmod_pcpu_pt')
        self.assertEqual([(p.x, p.y) for p in pts],
                         [(c, -c) for c in range(len(pts))])

    def test_corrupt_tree_ends_with_a_logged_error_or_walkerror(self):
        bad = readSU('struct rb_root', 0xdead000000000000)
        pylog.cleanup()
        self.assertEqual(list(rbtree_walk(bad)), [])
        self.assertTrue(any('0xdead000000000000' in str(m) for m in
                            pylog.messages('+++ERROR+++')))
        pylog.cleanup()
        with self.assertRaises(WalkError):
            list(rbtree_walk(bad, strict=True))
        xa = readSU('struct xarray', 0xdead000000000000)
        self.assertEqual(list(xarray_walk(xa)), [])
        pylog.cleanup()

    def test_looping_list_is_cut_and_logged_not_hung(self):
        head = sym2addr('testmod_loop_head')
        pylog.cleanup()
        addrs = readList(head, 0, inchead=False)
        self.assertEqual(len(addrs), 4)     # items 0..3, then back to 1
        self.assertTrue(any('loops back' in str(m)
                            for m in pylog.messages('+++ERROR+++')))
        lst, err = readBadList(head, 0)
        self.assertEqual(err, 'Duplicate entry')
        pylog.cleanup()


class TestPseudoAttributes(unittest.TestCase):
    """structSetAttr, AttrSetter, Eval, define_struct on testmod data."""

    def test_structsetattr_follows_pointer_chains(self):
        self.assertTrue(structSetAttr('struct ASID', 'PK_sptr_a0',
                                      ['no_such.path', 'sptr.a0']))
        self.assertEqual(readSymbol('asid').PK_sptr_a0, 740)
        self.assertFalse(structSetAttr('struct ASID', 'PK_bad',
                                       'no_such_field'))

    def test_attrsetter_and_procattr(self):
        s = AttrSetter('struct AA')
        s.PK_twice = lambda aa: aa.a0 * 2
        self.assertTrue(s.PK_twice)
        self.assertEqual(readSymbol('aa').PK_twice, 1480)

    def test_eval_of_dotted_chain(self):
        self.assertEqual(readSymbol('asid').Eval('f1.ff.aa'), 18)

    def test_define_struct_reads_raw_memory(self):
        define_struct('struct pk_raw_aa { int first; char *text; };')
        raw = readSU('struct pk_raw_aa', sym2addr('aa'))
        self.assertEqual((raw.first, raw.text), (740, 'aastring'))


class TestModuleTypes(unittest.TestCase):
    """A module struct shadowing a kernel struct reads with its layout."""

    def test_shadowing_struct_uses_module_layout(self):
        trs = readSymbol('testmod_trs')
        want = expected()['testmod_trs']
        self.assertEqual(trs.tm_magic, want['value']['tm_magic'])
        self.assertEqual(str(trs.tm_tag), want['value']['tm_tag'])
        self.assertEqual(trs.tm_short, -2)


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)

# SPDX-License-Identifier: GPL-2.0-or-later
"""A struct's first use builds its members' types lazily, with the same
answers (issue 10).

SUInfo(name) asks crash._su_fields for the members' names and places and
makes each member's TypeInfo from crash._su_member on first use; from BTF
it starts from the size alone and looks up a member named directly in the
struct by itself (crash._su_lazy) until every member is needed. Every
answer must be the one an SUInfo built from the whole gdb_typeinfo
dictionary gives: field order, offsets, bit offsets and sizes, and each
field's TypeInfo (basetype, codetype, size, dims, pointer levels, typedef
names, enum values, prototypes, anonymous members' synthetic names). The
types are those the package names plus a sample across the kernel, from
the kernel's BTF and from gdb.
"""

import random
import unittest

import crash
from pykdump import datatypes
from pykdump.datatypes import SUInfo
from pykdump.memocaches import purge_typeinfo

from test_type_sources import package_type_names

SAMPLE = 150
SEED = 11


def _ti_facts(ti, depth=0):
    """What a TypeInfo says, as plain values."""
    facts = {k: getattr(ti, k, None) for k in (
        'basetype', 'codetype', 'size', 'dims', 'ptrlev', 'uint',
        'typedef', 'fake_SU', 'stype', 'edef')}
    if getattr(ti, 'ptrlev', None) is not None:
        facts['ptrbasetype'] = ti.ptrbasetype
    if hasattr(ti, 'prototype') and depth < 3:
        facts['prototype'] = [_ti_facts(p, depth + 1) for p in ti.prototype]
    return facts


def _si_facts(si):
    """What an SUInfo says: size, PYT_body and every field's facts."""
    return {
        'size': si.size,
        'body': [name for name, _vi in si.PYT_body],
        'fields': [(name, vi.name, vi.offset, vi.bitoffset, vi.bitsize,
                    vi.size, _ti_facts(vi.ti)) for name, vi in si.items()],
    }


def _eager(name):
    """SUInfo of name built from the whole gdb_typeinfo dictionary,
    past the per-name cache."""
    si = dict.__new__(SUInfo)
    SUInfo.__init__(si, name, crash.gdb_typeinfo(name))
    return si


def _inside_anonymous(sname):
    """The first named member of sname's first anonymous member."""
    for fname, _, _, anon in crash._su_fields(sname)[1]:
        for inner in (datatypes._anonymous_body(anon) or ()) \
                if anon is not None else ():
            if inner['fname']:
                return inner['fname']
    raise AssertionError('%s has no anonymous member' % sname)


class TestLazySUInfo(unittest.TestCase):
    """Lazy and whole-dictionary builds agree."""

    @classmethod
    def setUpClass(cls):
        cls.saved = crash.type_source()
        names = sorted(n for n in package_type_names()
                       if not n.startswith('enum '))
        rest = sorted(set(n for n in crash.btf_type_names()
                          if not n.startswith('enum ')) - set(names))
        if rest:
            names += random.Random(SEED).sample(rest, min(SAMPLE, len(rest)))
        cls.names = names

    def tearDown(self):
        crash.type_source(self.saved)

    def check(self, source):
        crash.type_source(source)
        purge_typeinfo()
        checked = 0
        for name in self.names:
            try:
                lazy = SUInfo(name)
            except crash.error:
                self.assertRaises(crash.error, crash.gdb_typeinfo, name)
                continue
            with self.subTest(name=name, source=source):
                self.assertIsNone(lazy.__dict__.get('PYT_body'))
                self.assertEqual(_si_facts(lazy), _si_facts(_eager(name)))
            checked += 1
        self.assertGreater(checked, 50)

    def test_lazy_members_agree_from_btf(self):
        if not crash.type_origin().startswith('BTF'):
            self.skipTest('the kernel has no BTF')
        self.check('auto')

    def test_lazy_members_agree_from_gdb(self):
        # gdb is slow on the sample: the package's own types suffice
        saved, self.names = self.names, [n for n in self.names
                                         if n in package_type_names()]
        try:
            self.check('gdb')
        finally:
            self.names = saved

    def test_members_looked_up_one_by_one_agree_from_btf(self):
        # From BTF a member named directly in the struct is looked up
        # alone (crash._su_lazy) until something needs every member: each
        # answer, and the struct once whole, is the eager one, and a
        # member given out before stays the struct's.
        if not crash.type_origin().startswith('BTF'):
            self.skipTest('the kernel has no BTF')
        crash.type_source('auto')
        lazy_seen = 0
        for name in self.names:
            try:
                eager = _eager(name)
            except crash.error:
                continue
            si = dict.__new__(SUInfo)
            SUInfo.__init__(si, name)
            fnames = list(eager)
            random.Random(SEED).shuffle(fnames)
            given = {}
            with self.subTest(name=name):
                self.assertEqual(si.size, eager.size)
                for fname in fnames + ['no_such_member_here']:
                    lazy_seen += type(si) is not SUInfo
                    vi = si.get(fname)
                    if fname not in eager:
                        self.assertIsNone(vi)
                        continue
                    e = eager[fname]
                    self.assertEqual(
                        (vi.name, vi.offset, vi.bitoffset, vi.bitsize,
                         vi.size, _ti_facts(vi.ti)),
                        (e.name, e.offset, e.bitoffset, e.bitsize, e.size,
                         _ti_facts(e.ti)))
                    given[fname] = vi
                self.assertIs(type(si), SUInfo)
                self.assertEqual(_si_facts(si), _si_facts(eager))
                for fname, vi in given.items():
                    self.assertIs(si[fname], vi)
        self.assertGreater(lazy_seen, 50)

    def test_struct_first_use_reads_one_member_from_btf(self):
        # readSU(...).pid needs the struct's size and one member: the
        # other members are not read (no VarInfo made for them).
        if not crash.type_origin().startswith('BTF'):
            self.skipTest('the kernel has no BTF')
        crash.type_source('auto')
        purge_typeinfo('struct task_struct')
        si = SUInfo('struct task_struct')
        self.assertEqual(si.size, crash.struct_size('struct task_struct'))
        self.assertEqual(si.pid.offset,
                         crash.member_offset('struct task_struct', 'pid'))
        self.assertEqual(list(si.__dict__['_early']), ['pid'])
        self.assertIs(si['pid'], si.pid)
        # a name inside an anonymous member makes it read them all
        # (task_struct has none on 6.12: struct page has on every kernel)
        purge_typeinfo('struct page')
        si = SUInfo('struct page')
        flags = si.flags
        self.assertEqual(list(si.__dict__['_early']), ['flags'])
        self.assertIn(_inside_anonymous('struct page'), si)
        self.assertIs(type(si), SUInfo)
        self.assertIs(si['flags'], flags)

    def test_first_use_asks_for_no_member_type(self):
        # Only the member read is described: the others stay unmade.
        crash.type_source('auto')
        purge_typeinfo('struct task_struct')
        si = SUInfo('struct task_struct')
        made = [n for n, vi in si.items() if 'ti' in getattr(
            vi, '__dict__', {'ti': 1})]
        self.assertLess(len(made), len(si) // 4, made)
        self.assertEqual(si.pid.ti.size, crash.struct_size('pid_t'))

    def test_member_of_a_struct_read_before_a_generation_change_fails(self):
        # A member whose type was not made before module debuginfo came or
        # went cannot be described from the new layout: it says so.
        crash.type_source('auto')
        si = SUInfo('struct inode')
        si.keys()       # every member read, their types not made
        vi = si['i_mode']
        crash.type_source('gdb')        # changes the type generation
        self.assertRaisesRegex(crash.error, 'type information changed',
                               lambda: vi.ti)
        self.assertIsInstance(SUInfo('struct inode')['i_mode'].ti,
                              datatypes.TypeInfo)


if __name__ == '__main__':
    unittest.main()

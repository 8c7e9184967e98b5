"""BTF and gdb give the same type answers (issue 10).

Every struct, union and enum the package, helpers and programs name, plus
a fixed sample of 520 more across the kernel's BTF, is described twice in
one session: once with types forced from BTF, once forced from gdb
(crash.type_source). The gdb_typeinfo dictionaries -- which carry offsets,
sizes, bit offsets and sizes, dims, typedef names, enum values, function
prototypes, nested anonymous members -- must be equal, and so must
struct_size, member_offset and member_size of every member.

Differences that are real are named below with their reason; anything
else fails naming the type and the first differing keys.
"""

import os
import random
import re
import unittest

import crash
from _support import crash_offsetof, crash_sizeof

# How many types beyond the package's own; the seed makes them the same
# names on every run of one kernel.
SAMPLE = 520
SEED = 10


# Differences that are real, by kind: each a test on (btf, gdb) answers
# and the reason. Anything else is a failure.
def _gdb_cannot_name(a, b):
    return isinstance(a, dict) and isinstance(b, str)


def _flattened_dims(a, b):
    return isinstance(a, list) and isinstance(b, list) and len(a) == 1 \
        and len(b) > 1 and a[0] == _product(b)


def _gdb_enum_declaration(a, b):
    return isinstance(a, list) and b == [] and a


def _enum_sign_unknown(a, b):
    return isinstance(a, int) and isinstance(b, int) and b < 0 and \
        a == b + 2 ** 32


def _word_order(a, b):
    return isinstance(a, str) and isinstance(b, str) and a != b and \
        sorted(a.split()) == sorted(b.split())


def _const_glued(a, b):
    return isinstance(a, str) and isinstance(b, str) and b == 'const' + a


def _product(dims):
    n = 1
    for d in dims:
        n *= d
    return n


REAL = (
    (_gdb_cannot_name, 'BTF keeps types declared inside a function body '
     '(block scope), which gdb cannot find by name'),
    (_flattened_dims, 'pahole writes a multi-dimensional array as one '
     'dimension of the same element count: BTF cannot say [2][7]'),
    (_gdb_enum_declaration, "gdb's lookup by tag finds a declaration of "
     'the enum without its enumerators'),
    (_enum_sign_unknown, 'BTF made by pahole < 1.24 (kernels before 6.0) '
     'does not say an enum is signed: INT_MIN reads as 2**31'),
    (_word_order, 'gdb 16 (crash 9) spells some base types in DWARF word '
     'order (__int128 unsigned); BTF gives gdb 10\'s unsigned __int128'),
    (_const_glued, 'gdb 14 (crash 8.0.6) glues the const of a pointer to '
     'an array member\'s name: `const char * constgroups[4]` in 6.12\'s '
     'struct amd_function'),
)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))


def package_type_names():
    """'struct x'/'union x'/'enum x' named in pykdump/ and progs/."""
    names = set()
    pattern = re.compile(r"""['"]((?:struct|union|enum) [A-Za-z_]\w*)""")
    for top in ('pykdump', 'progs'):
        for dirpath, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for f in files:
                if f.endswith('.py'):
                    with open(os.path.join(dirpath, f)) as src:
                        names.update(pattern.findall(src.read()))
    return names


def typeinfo(name, source):
    """gdb_typeinfo(name) with types forced from source, or the error."""
    crash.type_source(source)
    try:
        return crash.gdb_typeinfo(name)
    except crash.error as exc:
        return 'error: %s' % exc


def differences(a, b, path):
    """(path, btf value, gdb value) for every place a and b differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            sub = '%s.%s' % (path, k)
            if k in a and k in b:
                yield from differences(a[k], b[k], sub)
            else:
                yield sub, a.get(k, '<missing>'), b.get(k, '<missing>')
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, '%s[%d]' % (path, i))
    elif a != b:
        yield path, a, b


def assert_all_agree(case, pairs, labels, at_least, most, ignore=()):
    """Assert in TestCase case that a and b of each (name, a, b) of pairs
    do not differ, but where a test of ignore (REAL's shape) explains it.

    A failure lists the first most differences of each name, the values
    named by labels (a's, b's); at least at_least + 1 pairs must come.
    """
    bad, checked = [], 0
    for name, a, b in pairs:
        out = ['%s: %s=%r %s=%r' % (where, labels[0], x, labels[1], y)
               for where, x, y in differences(a, b, name)
               if not any(test(x, y) for test, _why in ignore)]
        if out:
            bad.append('\n    '.join(out[:most]))
        checked += 1
    case.assertEqual(bad, [], '\n'.join(bad))
    case.assertGreater(checked, at_least)


@unittest.skipUnless(crash.type_origin().startswith('BTF'),
                     'the kernel has no BTF')
class TestBTFAgreesWithGdb(unittest.TestCase):
    """The same answers whichever source served them."""

    @classmethod
    def setUpClass(cls):
        cls.saved = crash.type_source()
        everything = crash.btf_type_names()
        cls.ambiguous = set(crash.btf_type_names(ambiguous=True))
        cls.own = sorted(package_type_names())
        rest = sorted(set(everything) - set(cls.own))
        cls.sample = random.Random(SEED).sample(rest, SAMPLE)

    @classmethod
    def tearDownClass(cls):
        crash.type_source(cls.saved)

    def tearDown(self):
        crash.type_source(self.saved)

    def compare(self, names):
        """Differences not in REAL, and how many of each REAL kind."""
        bad, real = [], {}
        for name in names:
            if name in self.ambiguous:
                continue        # gdb answers those: see the test below
            a, b = typeinfo(name, 'btf'), typeinfo(name, 'gdb')
            if isinstance(a, str) and isinstance(b, str):
                continue        # neither knows it (a docstring's example)
            out = []
            for where, x, y in differences(a, b, name):
                for test, reason in REAL:
                    if test(x, y):
                        real[reason] = real.get(reason, 0) + 1
                        break
                else:
                    out.append('%s: btf=%r gdb=%r' % (where, x, y))
            if out:
                bad.append('\n    '.join([name] + out[:6]))
        return bad, real

    def check(self, names):
        bad, real = self.compare(names)
        self.assertEqual(bad, [], '\n'.join(bad))
        # real differences stay rare: a jump means a new kind of bug
        self.assertLess(sum(real.values()), len(names) // 20 + 3, real)

    def test_types_the_package_names_agree(self):
        self.check(self.own)

    def test_sample_of_520_kernel_types_agrees(self):
        self.assertEqual(len(self.sample), SAMPLE)
        self.check(self.sample)

    def test_ambiguous_names_are_answered_by_gdb_in_auto_mode(self):
        checked = 0
        for name in sorted(self.ambiguous):
            gdb = typeinfo(name, 'gdb')
            if isinstance(gdb, str):
                continue
            with self.subTest(name=name):
                self.assertEqual(typeinfo(name, 'auto'), gdb)
            checked += 1
        self.assertGreater(checked, 0)

    def test_gdb16_fallback_gives_what_ptype_o_gives(self):
        # gdb 16 refuses `ptype /o` of a struct with a flexible array and
        # prints plain ptype: offsets then come from datatype_info. Here
        # gdb prints both, so the fallback is checked against /o.
        crash.type_source('gdb')
        names = [n for n in self.own + self.sample[:40]
                 if not n.startswith('enum ') and n not in self.ambiguous]

        def pairs():
            for name in names:
                try:
                    want = crash.gdb_typeinfo(name)
                except crash.error:
                    continue
                yield name, crash._gdb_typeinfo_filled(name), want
        assert_all_agree(self, pairs(), ('filled', 'ptype/o'), 60, 6)

    def test_sizes_and_member_offsets_agree(self):
        checked = 0
        for name in self.own:
            if name.startswith('enum '):
                continue
            d = typeinfo(name, 'btf')
            if isinstance(d, str) or name in self.ambiguous:
                continue
            crash.type_source('btf')
            size = crash.struct_size(name)
            members = [f['fname'] for f in d.get('body', ()) if f['fname']]
            btf = [(crash.member_offset(name, m), crash.member_size(name, m))
                   for m in members]
            crash.type_source('gdb')
            with self.subTest(name=name):
                self.assertEqual(size, crash.struct_size(name))
                self.assertEqual(
                    btf, [(crash.member_offset(name, m),
                           crash.member_size(name, m)) for m in members])
            checked += 1
        self.assertGreater(checked, 50)

    def test_enumerator_values_agree(self):
        checked = 0
        for name in self.own + self.sample:
            if not name.startswith('enum ') or name in self.ambiguous:
                continue
            d = typeinfo(name, 'gdb')
            if isinstance(d, str):
                continue
            for enumerator, value in d.get('edef', ()):
                crash.type_source('btf')
                got = crash.enumerator_value(enumerator)
                with self.subTest(enumerator=enumerator):
                    self.assertEqual(got, value)
                checked += 1
        self.assertGreater(checked, 20)

    def test_unknown_names_are_unknown_from_both_sources(self):
        for source in ('btf', 'gdb', 'auto'):
            crash.type_source(source)
            with self.subTest(source=source):
                self.assertIsNone(
                    crash.enumerator_value('PK_NO_SUCH_ENUMERATOR'))
                self.assertEqual(crash.struct_size('struct pk_no_such'), -1)
                self.assertEqual(crash.struct_size('pk_no_such'), -1)
                self.assertEqual(
                    crash.member_offset('task_struct', 'pk_no_such'), -1)
                self.assertRaises(crash.error, crash.gdb_typeinfo,
                                  'struct pk_no_such')

    def test_bare_tags_are_sized_as_crash_does(self):
        names = ('udp_table', 'task_struct', 'atomic_t')
        crash.type_source('btf')
        btf = [crash.struct_size(n) for n in names]
        crash.type_source('gdb')
        self.assertEqual(btf, [crash.struct_size(n) for n in names])

    def test_btf_sizes_match_crash_struct_command(self):
        crash.type_source('btf')
        for name, member in (('struct task_struct', 'pid'),
                             ('struct task_struct', 'comm'),
                             ('struct net_device', 'name'),
                             ('struct mm_struct', 'pgd')):
            with self.subTest(name=name, member=member):
                self.assertEqual(crash.member_offset(name, member),
                                 crash_offsetof(name.split()[1], member))
                self.assertEqual(crash.struct_size(name),
                                 crash_sizeof(name))

    def test_btf_source_is_reported(self):
        self.assertRegex(crash.type_origin(),
                         r'^BTF from the (file .*|dump\'s memory.*)\(\d+ '
                         r'types')

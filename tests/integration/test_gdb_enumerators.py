# SPDX-License-Identifier: GPL-2.0-or-later
"""Enumerators from gdb (kernels without BTF, PYKDUMP_TYPES=gdb).

crash's enumerator_value() looked every name up as a struct tag first, a
failed search of all of gdb's compilation units on each call (~15 ms on
a vmlinux without .gdb_index), and took a variable of an enum type for an
enumerator. crash.enumerator_value now asks gdb's whatis of the name
(cached, found or not) and the ptype that lists its enum: the values must
be BTF's, a variable is no enumerator from either source, and the gdb
requests are counted (two per enumerator, none when asked again).
"""

import random
import unittest

import crash

from _support import load_testmod_symbols

SEED = 5
SAMPLE = 60
# Names that are no enumerator: a variable of an enum type
# (enum system_states system_state), a struct variable, an integer
# variable, a struct tag, a tag with its keyword, an expression.
TCP_STATES = ('TCP_ESTABLISHED', 'TCP_SYN_SENT', 'TCP_CLOSE', 'TCP_LISTEN',
              'TCP_CLOSING')
NOT_ENUMERATORS = ('system_state', 'init_task', 'jiffies', 'task_struct',
                   'enum pid_type', 'PIDTYPE_PGID + 1',
                   'PK_NO_SUCH_ENUMERATOR')


def fresh(source):
    """Types from source with nothing cached from before (a change of
    source clears the caches)."""
    crash.type_source('btf' if source == 'gdb' else 'gdb')
    crash.type_source(source)


def btf_enumerators():
    """{enumerator: (value, enum)} of a fixed sample of the kernel's enums
    (and the untagged one of the TCP states) whose enumerators have one
    value in BTF."""
    fresh('btf')
    ambiguous = set(crash.btf_type_names(ambiguous=True))
    enums = sorted(n for n in crash.btf_type_names()
                   if n.startswith('enum ') and n not in ambiguous)
    enums = random.Random(SEED).sample(enums, min(SAMPLE, len(enums)))
    out = {}
    for name in enums + ['enum pid_type', 'enum zone_stat_item']:
        for enumerator, _value in crash.gdb_typeinfo(name).get('edef', ()):
            # the value BTF gives for the name (one in all enums)
            value = crash.enumerator_value(enumerator)
            if value is not None:
                out[enumerator] = (value, name)
    for enumerator in TCP_STATES:
        out[enumerator] = (crash.enumerator_value(enumerator), None)
    return out


class TestEnumeratorsFromGdb(unittest.TestCase):
    """gdb's answers are BTF's, at two cheap requests per enumerator."""

    @classmethod
    def setUpClass(cls):
        cls.saved = crash.type_source()
        cls.truth = btf_enumerators()

    @classmethod
    def tearDownClass(cls):
        crash.type_source(cls.saved)

    def test_values_are_btfs(self):
        fresh('gdb')
        got = {name: crash.enumerator_value(name) for name in self.truth}
        unseen = set()
        for name, (value, enum) in sorted(self.truth.items()):
            with self.subTest(name=name):
                if got[name] is None and enum:
                    # an enum declared in a function (mm/slub.c's enum
                    # slab_modes): gdb finds neither it nor its names
                    self.assertRaises(crash.error, crash.gdb_typeinfo, enum)
                    unseen.add(enum)
                else:
                    self.assertEqual(got[name], value)
        self.assertLess(len(unseen), 3)
        self.assertGreater(len(got), 100)
        self.assertEqual(got['PIDTYPE_PGID'], 2)
        self.assertEqual(got['TCP_LISTEN'], 10)

    def test_an_enumerator_named_as_a_struct_tag(self):
        # enum maple_type { ..., maple_range_64, ... } and struct
        # maple_range_64 (6.1 and later): crash's enumerator_value()
        # found the struct and answered no enumerator
        fresh('btf')
        want = crash.enumerator_value('maple_range_64')
        if want is None or crash.struct_size('struct maple_range_64') < 0:
            self.skipTest('no maple tree in this kernel')
        fresh('gdb')
        self.assertEqual(crash.enumerator_value('maple_range_64'), want)

    def test_a_variable_or_tag_is_no_enumerator_from_any_source(self):
        for source in ('gdb', 'btf', 'auto'):
            fresh(source)
            for name in NOT_ENUMERATORS:
                with self.subTest(source=source, name=name):
                    self.assertIsNone(crash.enumerator_value(name))
        # system_state is a variable of an enum type, which gdb knows
        self.assertEqual(crash.gdb_whatis('system_state')['basetype'],
                         'enum system_states')

    def test_two_requests_per_enumerator_none_when_asked_again(self):
        fresh('gdb')
        layouts = crash._type_gdb_layouts()
        names = ['TCP_ESTABLISHED', 'TCP_SYN_SENT', 'TCP_CLOSE',
                 'TCP_LISTEN', 'NR_FREE_PAGES', 'PIDTYPE_SID']
        before = crash._type_gdb_requests()
        for name in names:
            self.assertEqual(crash.enumerator_value(name),
                             self.truth[name][0])
        self.assertEqual(crash._type_gdb_requests() - before,
                         2 * len(names))
        before = crash._type_gdb_requests()
        for name in names + list(NOT_ENUMERATORS):
            crash.enumerator_value(name)
        asked = crash._type_gdb_requests() - before
        for name in names + list(NOT_ENUMERATORS):
            crash.enumerator_value(name)
        # the first round asked only for the names not seen before
        self.assertLessEqual(asked, 2 * len(NOT_ENUMERATORS))
        self.assertEqual(crash._type_gdb_requests() - before, asked)
        self.assertEqual(crash._type_gdb_layouts(), layouts)


class TestModuleEnumeratorsFromGdb(unittest.TestCase):
    """A module's enumerators come from its debuginfo (mod -s)."""

    @classmethod
    def setUpClass(cls):
        cls.saved = crash.type_source()
        load_testmod_symbols()

    @classmethod
    def tearDownClass(cls):
        crash.type_source(cls.saved)

    def test_testmod_enumerators(self):
        # tests/testmod/testmod.c: enum testmod_sparse, testmod_color
        want = {'TM_NEG': -5, 'TM_ZERO': 0, 'TM_HUNDRED': 100,
                'TM_BIG': 0x10000, 'TM_RED': 0, 'TM_BLUE': 2}
        for source in ('gdb', 'auto'):
            fresh(source)
            with self.subTest(source=source):
                self.assertEqual({n: crash.enumerator_value(n)
                                  for n in want}, want)
                # enum testmod_color testmod_color = TM_BLUE;
                self.assertIsNone(crash.enumerator_value('testmod_color'))


class TestEnumeratorSigns(unittest.TestCase):
    """Negative enumerators and 32-bit ones with the high bit, as the
    kernel's source has them, from every source. BTF before pahole 1.24
    (5.10) has no signs: such names are gdb's to answer."""

    # include/linux/perf_event.h (DEAD moved from -4 to -5 in 6.16),
    # include/linux/proc_ns.h
    SIGNED = {'PERF_EVENT_STATE_EXIT': -3, 'PERF_EVENT_STATE_ERROR': -2,
              'PERF_EVENT_STATE_OFF': -1, 'PERF_EVENT_STATE_INACTIVE': 0}
    # the initial namespaces' inode numbers: include/linux/proc_ns.h's
    # enum, include/uapi/linux/nsfs.h's since 6.18
    UNSIGNED = {0xEFFFFFFF: ('PROC_IPC_INIT_INO', 'IPC_NS_INIT_INO'),
                0xEFFFFFFE: ('PROC_UTS_INIT_INO', 'UTS_NS_INIT_INO')}

    def setUp(self):
        self.saved = crash.type_source()

    def tearDown(self):
        crash.type_source(self.saved)

    def check(self, source, values):
        fresh(source)
        for name, value in values.items():
            with self.subTest(source=source, name=name):
                self.assertEqual(crash.enumerator_value(name), value)

    def test_negative_values(self):
        for source in ('auto', 'gdb'):
            self.check(source, self.SIGNED)
            edef = dict(crash.gdb_typeinfo('enum perf_event_state')['edef'])
            with self.subTest(source=source, enum='perf_event_state'):
                self.assertLessEqual(self.SIGNED.items(), edef.items())

    def test_values_with_the_high_bit(self):
        # in auto mode: on 5.10 gdb answers them, BTF having no signs
        fresh('auto')
        for value, names in self.UNSIGNED.items():
            with self.subTest(names=names):
                got = [crash.enumerator_value(n) for n in names]
                self.assertIn(value, got)
                self.assertEqual(set(got) - {value}, {None})


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)

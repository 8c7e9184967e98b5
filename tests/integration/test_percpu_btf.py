# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-CPU variables' types from the kernel's BTF (issue 10).

BTF has a VAR entry for each per-CPU variable of the kernel: gdb_whatis of
one is answered from it without a gdb request, and the answer is gdb's
(compared for a fixed sample of the VARs -- gdb takes ~70 ms a name -- in
one session, types forced from gdb for the other side; real differences
as named in test_type_sources).
"""

import random
import unittest

import crash

from test_type_sources import REAL, assert_all_agree

SAMPLE = 150
SEED = 12


def _whatis(name):
    try:
        return crash.gdb_whatis(name)
    except crash.error as exc:
        return 'error: %s' % exc


@unittest.skipUnless(crash.type_origin().startswith('BTF'),
                     'the kernel has no BTF')
class TestPerCpuVariablesFromBTF(unittest.TestCase):
    """whatis of a per-CPU variable: BTF's answer is gdb's."""

    def setUp(self):
        self.saved = crash.type_source()
        self.names = crash.btf_var_names()
        if not self.names:
            self.skipTest('no VAR entries in this BTF')

    def tearDown(self):
        crash.type_source(self.saved)

    def test_btf_has_the_well_known_per_cpu_variables(self):
        self.assertIn('runqueues', self.names)
        self.assertGreater(len(self.names), 100)

    def test_whatis_of_a_per_cpu_variable_asks_gdb_nothing(self):
        crash.type_source('btf')
        before = crash._type_gdb_requests()
        d = crash.gdb_whatis('runqueues')
        self.assertEqual(crash._type_gdb_requests(), before)
        self.assertEqual(d['basetype'], 'struct rq')
        self.assertEqual(d['typelength'], crash.struct_size('struct rq'))

    def test_per_cpu_variables_agree_with_gdb(self):
        names = random.Random(SEED).sample(
            self.names, min(SAMPLE, len(self.names)))
        crash.type_source('auto')
        btf = {n: _whatis(n) for n in names}
        crash.type_source('gdb')

        def pairs():
            for name in names:
                gdb = _whatis(name)
                if not isinstance(gdb, str):    # else gdb does not know it
                    yield name, btf[name], gdb
        assert_all_agree(self, pairs(), ('btf', 'gdb'), 100, 4, REAL)

    def test_a_global_that_is_not_per_cpu_still_comes_from_gdb(self):
        self.assertNotIn('init_task', self.names)
        crash.type_source('btf')
        self.assertEqual(crash.gdb_whatis('init_task')['basetype'],
                         'struct task_struct')


if __name__ == '__main__':
    unittest.main()

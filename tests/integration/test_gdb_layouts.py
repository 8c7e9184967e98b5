# SPDX-License-Identifier: GPL-2.0-or-later
"""Types from gdb: one raw layout per struct (issue 14).

With types from gdb (kernels without BTF, PYKDUMP_TYPES=gdb), SUInfo and
record_reader build a struct from gdb's raw `ptype /o` of the whole
struct: on a vmlinux without .gdb_index its cost is gdb's search for the
tag, paid once per struct, as one member's questions would. Walking the
tasks the way the helpers do asks gdb for each struct's layout once, and
a second walk asks nothing; the answers are the scenario's.
"""

import unittest

import crash
from pykdump.API import SUInfo, readSU, record_reader
from pykdump.helpers.net_sock import file_holders
from pykdump.helpers.tasks import for_each_task

from _support import truth


def fresh_gdb_types():
    """Types from gdb, nothing cached from before (a change of source
    clears the caches)."""
    crash.type_source('btf' if crash.type_source() == 'gdb' else 'gdb')
    crash.type_source('gdb')


def walk():
    """{pid: comm} of every task through record_reader, and the task
    walk of file_holders: what xportshow's first run reads."""
    read = record_reader('struct task_struct', ('tgid', 'comm'),
                         ('pid',)).read
    seen = {}
    for task in for_each_task():
        tgid, comm, pid = read(int(task))
        seen[pid] = comm.split(b'\0')[0].decode()
        assert task.pid == pid
    return seen, file_holders()


class TestLayoutsFromGdb(unittest.TestCase):
    """One whole layout per struct from gdb, the scenario's answers."""

    def setUp(self):
        self.saved = crash.type_source()
        fresh_gdb_types()

    def tearDown(self):
        crash.type_source(self.saved)

    def test_task_walk_asks_each_layout_once(self):
        before = crash._type_gdb_layouts()
        seen, holders = walk()
        first = crash._type_gdb_layouts() - before
        want = {t['pid']: t['comm'] for t in truth()['tasks']}
        self.assertEqual({pid: seen[pid] for pid in want}, want)
        self.assertTrue(holders)
        # task_struct, files_struct, fdtable, file, ...: a few structs,
        # never one layout per task (the fixture has ~70)
        self.assertGreater(first, 0)
        self.assertLess(first, 20)
        again = crash._type_gdb_layouts()
        self.assertEqual(walk(), (seen, holders))
        self.assertEqual(crash._type_gdb_layouts(), again)

    def test_untagged_struct_member(self):
        # struct sock's sk_backlog is `struct { ... } sk_backlog`: a
        # synthetic struct named after where it lives, with its members
        ti = SUInfo('struct sock')['sk_backlog'].ti
        self.assertTrue(ti.fake_SU)
        self.assertEqual([name for name, _vi in SUInfo(ti.stype).PYT_body],
                         ['rmem_alloc', 'len', 'head', 'tail'])
        self.assertEqual(SUInfo(ti.stype)['len'].offset, 4)

    def test_missing_member_is_nofield(self):
        si = SUInfo('struct task_struct')
        self.assertNotIn('pk_no_such_member', si)
        with self.assertRaises(KeyError):
            si['pk_no_such_member']
        task = readSU('struct task_struct', crash.sym2addr('init_task'))
        with self.assertRaises(AttributeError):
            task.pk_no_such_member
        self.assertEqual(task.pid, 0)


if __name__ == '__main__':
    unittest.main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""Types from gdb member by member (issue 14).

With types from gdb (kernels without BTF, PYKDUMP_TYPES=gdb), a struct's
whole layout (`ptype /o`) costs seconds on a vmlinux without .gdb_index,
so SUInfo and record_reader ask crash for the members they use, one by
one (crash._su_member_alone). Each answer must be the one the whole
layout gives (gdb's own `ptype /o`, the oracle here), bitfields and
signedness included, and walking the tasks the way the helpers do must
ask gdb for no whole layout: counted in gdb requests, not in seconds.
"""

import os
import random
import unittest

import crash
from pykdump.API import SUInfo, delModule, loadModule, readSU, record_reader
from pykdump.helpers.net_sock import file_holders
from pykdump.helpers.tasks import for_each_task

from _support import crash_module_problem, truth

SEED = 14
SAMPLE = 40
STRUCTS = ('struct task_struct', 'struct sock', 'struct tcp_sock',
           'struct file', 'struct net_device', 'struct page')


def fresh_gdb_types():
    """Types from gdb, nothing cached from before (a change of source
    clears the caches)."""
    crash.type_source('btf' if crash.type_source() == 'gdb' else 'gdb')
    crash.type_source('gdb')


def whole_layout(sname):
    """{member: the dict of gdb's `ptype /o`}, anonymous members
    flattened with their offsets added, as SUInfo flattens them."""
    out = {}

    def walk(body, base):
        for f in body:
            bits = base + f.get('bitoffset', 0)
            if f['fname']:
                out[f['fname']] = dict(f, bitoffset=bits)
            elif 'body' in f:
                walk(f['body'], bits)
    walk(crash.gdb_typeinfo(sname).get('body', ()), 0)
    return out


class TestMembersFromGdb(unittest.TestCase):
    """One member's answer is the whole layout's; a task walk needs none."""

    def setUp(self):
        self.saved = crash.type_source()
        fresh_gdb_types()

    def tearDown(self):
        crash.type_source(self.saved)

    def check_alone(self, sname, names):
        """Compare the members names of sname; return how many were
        answered alone (the rest is left to the whole layout)."""
        whole = whole_layout(sname)
        alone = 0
        for name in names:
            d = crash._su_member_alone(sname, name)
            if d is not None:
                alone += 1
                self.assertEqual(d, whole[name], '%s.%s' % (sname, name))
        return alone

    def test_members_answered_alone_are_the_whole_layouts(self):
        rnd = random.Random(SEED)
        asked = alone = 0
        for sname in STRUCTS:
            names = sorted(whole_layout(sname))
            names = rnd.sample(names, min(SAMPLE, len(names)))
            asked += len(names)
            alone += self.check_alone(sname, names)
        # most members need no whole layout (pointers to pointers or to
        # functions, untagged types and bools do)
        self.assertGreater(alone, asked * 3 // 4)

    def test_testmod_bitfields_alone_are_the_whole_layouts(self):
        ko = os.environ.get('PYKDUMP_TESTMOD')
        if not ko or crash_module_problem():
            self.skipTest(crash_module_problem() or 'no PYKDUMP_TESTMOD')
        self.assertTrue(loadModule('testmod', ko))
        try:
            sname = 'struct testmod_bits'
            names = sorted(whole_layout(sname))
            self.check_alone(sname, names)
            # signed, unsigned, across bytes, wider than 32 bits
            for name in ('a', 'b', 'c', 'd', 'g', 'h', 'i', 'k'):
                d = crash._su_member_alone(sname, name)
                self.assertIsNotNone(d, name)
                self.assertIn('bitsize', d, name)
            self.assertEqual(crash._su_member_alone(sname, 'b')['uint'], 0)
        finally:
            delModule('testmod')

    def test_untagged_struct_member_alone_is_the_whole_layout(self):
        # struct sock's sk_backlog is `struct { ... } sk_backlog`: its
        # body comes from gdb's ptype /o of the member alone
        whole = whole_layout('struct sock')
        before = crash._type_gdb_layouts()
        d = crash._su_member_alone('struct sock', 'sk_backlog')
        self.assertIsNotNone(d)
        self.assertEqual(d, whole['sk_backlog'])
        self.assertEqual([f['fname'] for f in d['body']],
                         ['rmem_alloc', 'len', 'head', 'tail'])
        # that one small body, not struct sock's
        self.assertEqual(crash._type_gdb_layouts() - before, 1)

    def test_members_named_like_pascal_keywords(self):
        # the probes parse `$var.member` as Pascal: a member Pascal
        # cannot name (mod is its operator) is asked again in C
        self.check_alone('struct module_kobject', ['mod', 'kobj'])
        self.assertIsNotNone(
            crash._su_member_alone('struct module_kobject', 'mod'))

    def test_gdb_language_is_given_back(self):
        show = 'show language'
        try:
            for lang in ('c', 'auto', 'asm'):
                crash.exec_gdb_command_checked('set language %s' % lang)
                before = crash.exec_gdb_command_checked(show)
                fresh_gdb_types()
                for name in ('pid', 'comm', 'mm', 'sched_reset_on_fork'):
                    self.assertIsNotNone(
                        crash._su_member_alone('struct task_struct', name))
                self.assertEqual(crash.exec_gdb_command_checked(show),
                                 before)
        finally:
            crash.exec_gdb_command_checked('set language auto')
        self.assertIn('"auto; currently c"',
                      crash.exec_gdb_command_checked(show))

    def test_missing_member_is_nofield_and_remembered(self):
        si = SUInfo('struct task_struct')
        self.assertNotIn('pk_no_such_member', si)
        with self.assertRaises(KeyError):
            si['pk_no_such_member']
        task = readSU('struct task_struct', crash.sym2addr('init_task'))
        with self.assertRaises(AttributeError):
            task.pk_no_such_member
        self.assertEqual(task.pid, 0)

    def test_task_walk_builds_no_whole_layout(self):
        before = crash._type_gdb_layouts()
        read = record_reader('struct task_struct', ('tgid', 'comm'),
                             ('pid',)).read
        seen = {}
        for task in for_each_task():
            tgid, comm, pid = read(int(task))
            seen[pid] = (tgid, comm.split(b'\0')[0].decode())
            self.assertEqual(task.pid, pid)
        holders = file_holders()
        self.assertEqual(crash._type_gdb_layouts() - before, 0)
        want = {t['pid']: t['comm'] for t in truth()['tasks']}
        self.assertEqual({pid: seen[pid][1] for pid in want}, want)
        self.assertTrue(holders)


if __name__ == '__main__':
    unittest.main()

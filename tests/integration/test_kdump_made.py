# SPDX-License-Identifier: GPL-2.0-or-later
"""A dump made by kdump (tests/vmcore/make-kdump-fixture.sh): a crash
kernel ran, so each CPU's registers are in the kernel's crash_notes (the
panic CPU's from __crash_kexec(), the other's from the NMI that stopped
it). helpers.prstatus reads them there, helpers.stack unwinds from them;
both against crash's own commands and the guest's report
($PYKDUMP_KDUMP_TRUTH)."""

import json
import os
import re
import struct
import unittest
from unittest import mock

from _progs import load, run
from _support import (PANIC_STACK_PATH, crash_bt_of_panic_is_wrong,
                      crash_cmd, crash_offsetof, crash_p_int, crash_sizeof,
                      crash_task_table_is_complete, panic_path_of)

from pykdump.API import readmem, sys_info

from pykdump.helpers import prstatus
from pykdump.helpers import tasks as T
from pykdump.helpers.prstatus import REG_NAMES, cpu_registers
from pykdump.helpers.stack import unwind_active, unwind_orc

DUMP_FORMATS = ('kdump-made',)

# the kernel function each scenario task sleeps in, by its system call
SLEEPS_IN = {'nanosleep': 'hrtimer_nanosleep', 'read': 'pipe_read',
             'wait4': 'do_wait', 'pause': '__x64_sys_pause'}
_BT_FRAME = re.compile(r'#\d+ \[[0-9a-f]+\] (\S+) at ([0-9a-f]+)')


def kdump_truth():
    """The guest's report (kdump.json), or SkipTest if not this dump."""
    path = os.environ.get('PYKDUMP_KDUMP_TRUTH')
    if not path:
        raise unittest.SkipTest('PYKDUMP_KDUMP_TRUTH is not set: '
                                'not the kdump-made fixture')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def crash_note_bytes(cpu):
    """The bytes of cpu's crash_notes buffer, found with crash's own
    per-CPU arithmetic (crash_notes + __per_cpu_offset[cpu])."""
    addr = (crash_p_int('(unsigned long)crash_notes')
            + crash_p_int('__per_cpu_offset[%d]' % cpu))
    return readmem(addr, 20 + crash_sizeof('struct elf_prstatus'))


def crash_bt_frames(task):
    """(function, return address) of each frame of crash's bt of task."""
    return [(f, int(a, 16)) for f, a in
            _BT_FRAME.findall(crash_cmd('bt %#x' % int(task)))]


def is_subsequence(part, whole):
    """Whether part's items appear in whole in the same order."""
    rest = iter(whole)
    return all(x in rest for x in part)


class TestCrashNotes(unittest.TestCase):
    """Each CPU's registers come from the kernel's crash_notes."""

    def test_a_crash_kernel_was_loaded(self):
        kdump_truth()
        self.assertNotEqual(crash_p_int('(long)kexec_crash_image'), 0)

    def test_each_cpu_note_in_memory_is_a_filled_prstatus(self):
        kdump_truth()
        pr_reg = 20 + crash_offsetof('elf_prstatus', 'pr_reg')
        for cpu in range(sys_info.CPUS):
            with self.subTest(cpu=cpu):
                raw = crash_note_bytes(cpu)
                namesz, descsz, ntype = struct.unpack_from('<3I', raw)
                self.assertEqual((namesz, ntype, raw[12:17]),
                                 (5, 1, b'CORE\0'))
                self.assertEqual(descsz, crash_sizeof('struct elf_prstatus'))
                regs = dict(zip(REG_NAMES, struct.unpack_from(
                    '<%dQ' % len(REG_NAMES), raw, pr_reg)))
                self.assertNotEqual(regs['ip'], 0)
                self.assertNotEqual(regs['sp'], 0)
                self.assertEqual(cpu_registers(cpu), regs)

    def test_registers_need_no_file_note(self):
        # the same registers with the dump file's notes hidden: memory's
        kdump_truth()
        want = [cpu_registers(cpu) for cpu in range(sys_info.CPUS)]
        with mock.patch.object(prstatus, 'dumpfile_prstatus',
                               lambda path=None: []):
            got = [cpu_registers(cpu) for cpu in range(sys_info.CPUS)]
        self.assertEqual(got, want)
        self.assertNotIn(None, got)

    def test_registers_are_crash_s_help_r(self):
        kdump_truth()
        names = {'RIP': 'ip', 'RSP': 'sp', 'RFLAGS': 'flags', 'RAX': 'ax',
                 'RBX': 'bx', 'RCX': 'cx', 'RDX': 'dx', 'RSI': 'si',
                 'RDI': 'di', 'RBP': 'bp', 'CS': 'cs', 'SS': 'ss'}
        names.update(('R%d' % i, 'r%d' % i) for i in range(8, 16))
        blocks = re.split(r'^CPU (\d+):', crash_cmd('help -r'),
                          flags=re.M)[1:]
        self.assertEqual(len(blocks), 2 * sys_info.CPUS)
        for cpu, text in zip(blocks[::2], blocks[1::2]):
            with self.subTest(cpu=cpu):
                want = {ours: int(re.search(r'\b%s: ([0-9a-f]+)' % theirs,
                                            text).group(1), 16)
                        for theirs, ours in names.items()}
                regs = cpu_registers(int(cpu))
                self.assertEqual(want, {r: regs[r] for r in want})

    def test_panic_cpu_saved_its_registers_in___crash_kexec(self):
        # crash_setup_regs() inlined into __crash_kexec()
        regs = cpu_registers(kdump_truth()['panic']['cpu'])
        self.assertRegex(crash_cmd('sym %x' % regs['ip']),
                         r' __crash_kexec\+\d+')

    def test_other_cpu_was_stopped_by_the_nmi_in_its_idle_loop(self):
        # crash_nmi_callback() saved the interrupted registers: crash
        # shows them after the NMI stack; unwound here from the note
        panic_cpu = kdump_truth()['panic']['cpu']
        n = 0
        for cpu, task in T.active_tasks().items():
            if cpu == panic_cpu:
                continue
            with self.subTest(cpu=cpu):
                out = crash_cmd('bt %#x' % int(task))
                self.assertIn('crash_nmi_callback', out)
                after = out.split('--- <NMI exception stack> ---')[1]
                want = [(f, int(a, 16)) for f, a in _BT_FRAME.findall(after)]
                ours = [(f.func, f.ip) for f in unwind_active(task, cpu)]
                self.assertEqual(ours, want)
                self.assertIn('do_idle', [f for f, _ in ours])
            n += 1
        self.assertEqual(n, sys_info.CPUS - 1)


class TestPanicStack(unittest.TestCase):
    """The panic task unwound from its CPU's crash_notes registers."""

    @classmethod
    def setUpClass(cls):
        p = kdump_truth()['panic']
        cls.task = T.find_task(p['pid'])
        cls.frames = unwind_active(cls.task, p['cpu'])

    def test_panic_task_is_the_scenario_s(self):
        p = kdump_truth()['panic']
        self.assertEqual((self.task.pid, str(self.task.comm)),
                         (p['pid'], p['comm']))

    def test_stack_is_the_sysrq_write_that_panicked(self):
        funcs = [f.func for f in self.frames]
        self.assertEqual(funcs[0], '__crash_kexec')
        self.assertEqual(panic_path_of(funcs), PANIC_STACK_PATH)

    def test_stack_agrees_with_crash_bt(self):
        why = crash_bt_of_panic_is_wrong()
        if why:
            self.skipTest(why)
        # crash's bt starts below sp (machine_kexec, whose frame is still
        # there) and, 8.0.2 on 6.1, adds stale return addresses found by
        # scanning: ours, from panic on, must be a subsequence
        ours = [(f.func, f.ip) for f in self.frames]
        funcs = [f for f, _ in ours]
        ours = ours[funcs.index('panic'):]
        self.assertTrue(is_subsequence(ours, crash_bt_frames(self.task)),
                        (ours, crash_bt_frames(self.task)))


class TestScenarioTasks(unittest.TestCase):
    """The named tasks, asleep in known system calls."""

    def test_tasks_sleep_in_their_system_calls(self):
        for t in kdump_truth()['tasks']:
            with self.subTest(pid=t['pid'], comm=t['comm']):
                task = T.find_task(t['pid'])
                self.assertEqual(str(task.comm), t['comm'])
                self.assertEqual(T.task_state(task), 'S')
                funcs = [f.func for f in unwind_orc(task)]
                self.assertEqual(funcs[:2], ['__schedule', 'schedule'])
                self.assertIn(SLEEPS_IN[t['syscall']], funcs)
                self.assertEqual(funcs[-1], 'entry_SYSCALL_64_after_hwframe')

    def test_task_stacks_are_crash_s_bt(self):
        if not crash_task_table_is_complete():
            self.skipTest('this crash cannot bt a task missing from its '
                          'task table (the scenario\'s)')
        for t in kdump_truth()['tasks']:
            with self.subTest(pid=t['pid']):
                task = T.find_task(t['pid'])
                ours = [(f.func, f.ip) for f in unwind_orc(task)]
                self.assertEqual(ours, crash_bt_frames(task))


class TestCrashinfo(unittest.TestCase):
    """crashinfo on a kdump-made dump names the panic and its path."""

    @classmethod
    def setUpClass(cls):
        kdump_truth()
        cls.out = run(load('crashinfo'), []).out

    def test_panic_message_is_the_guest_s(self):
        m = re.search(r'^\s*PANIC: (.*)$', self.out, re.M)
        self.assertEqual(m.group(1),
                         '"%s"' % kdump_truth()['panic']['message'])

    def test_panicking_task_line(self):
        p = kdump_truth()['panic']
        self.assertRegex(self.out, r'PID %d \(%s\) on CPU %d, TASK [0-9a-f]+'
                         % (p['pid'], p['comm'], p['cpu']))

    def test_panic_stack_starts_in___crash_kexec(self):
        after = self.out.split('+++ The panicking task +++')[1]
        got = re.findall(r'#\d+ \[[0-9a-f]+\] ([^+\s]+)\+0x[0-9a-f]+ at',
                         after)
        self.assertEqual(got[0], '__crash_kexec')
        self.assertEqual(panic_path_of(got), PANIC_STACK_PATH)


if __name__ == '__main__':
    unittest.main(argv=['test_kdump_made'], exit=False)

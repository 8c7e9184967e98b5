# SPDX-License-Identifier: GPL-2.0-or-later
"""pykdump.helpers.stack's exception frames (the registers of an
interrupt, an exception or a system call, and those the dump saved for a
running task's CPU) against crash's ``bt``, ``bt -e`` and ``help -r`` on
the same tasks, and the system call numbers against sys_call_table."""

import re
import unittest

from _support import (crash_alive, crash_bt_eframes,
                      crash_bt_of_panic_is_wrong, crash_cmd, crash_p_int,
                      crash_sym, crash_version, truth)

from pykdump.helpers import tasks as T
from pykdump.helpers.stack import (Frame, SavedRegs, format_regs,
                                   format_stack, task_stack)

DUMP_FORMATS = ('kdump', 'elf')

# "RAX: 0000000000000002", "RDI:ffff8a8d1f2198c0" (help -r of an ELF
# dump), "CS: selector: 0010" (the same), "ORIG_RAX: ...", " R8: ..."
_REG_RE = re.compile(r'\b(ORIG_RAX|R[A-Z0-9]+|CS|SS):\s*(?:selector:\s*)?'
                     r'([0-9a-f]+)\b')
_EXC_RE = re.compile(r'\[exception RIP: ([^\]]+)\]')


def _values(lines):
    """{register name: int} of a register block (ours or crash's)."""
    return {name: int(v, 16) for name, v in
            _REG_RE.findall('\n'.join(lines))}


def _crash_bt_blocks(pid_or_task):
    """crash's ``bt``: (the block before its first frame, the block after
    its last one), lists of lines (``[]`` where it prints none)."""
    lines = crash_cmd('bt %s' % pid_or_task).splitlines()
    frames = [i for i, ln in enumerate(lines) if re.match(r'\s*#\d+ ', ln)]
    head = [ln for ln in lines[:frames[0]] if ln.startswith('    ')]
    tail = []
    for ln in lines[frames[-1] + 1:]:
        if not ln.startswith('    '):
            break
        tail.append(ln)
    return head, tail


def _syscall_of(nr):
    """The address of sys_call_table[nr], as crash's gdb reads it."""
    return crash_p_int('(long)sys_call_table[%d]' % nr)


def _idle_cpus():
    """[(cpu, task)] of the CPUs other than the panic one."""
    panic_cpu = truth()['panic']['cpu']
    return [(cpu, t) for cpu, t in sorted(T.active_tasks().items())
            if cpu != panic_cpu]


class TestDumpRegisters(unittest.TestCase):
    """The block before the first frame of a task running on a CPU."""

    def test_first_block_of_each_cpu_is_crash_s_help_r(self):
        blocks = re.split(r'^CPU (\d+):', crash_cmd('help -r'),
                          flags=re.M)[1:]
        want = {int(c): _values(text.splitlines())
                for c, text in zip(blocks[::2], blocks[1::2])}
        for cpu, task in sorted(T.active_tasks().items()):
            with self.subTest(cpu=cpu):
                frames = task_stack(task, True)
                self.assertEqual(frames[0].cpu, cpu)
                before, _after = format_regs(frames[0])
                ours = _values(before)
                self.assertEqual(len(ours), 20)    # 18 registers, CS, SS
                self.assertEqual(ours, {k: want[cpu][k] for k in ours})
                # the exception RIP names the first frame's instruction
                self.assertEqual(_EXC_RE.search(before[0]).group(1),
                                 '%s+%d' % (frames[0].func,
                                            frames[0].offset))

    def test_first_block_of_the_halted_cpus_is_crash_bt_s(self):
        for cpu, task in _idle_cpus():
            head, _tail = _crash_bt_blocks('%#x' % int(task))
            if not head:
                # crash 8.0.2 and 8.0.6 print it for the kdump file,
                # not the ELF one
                self.skipTest('crash %s prints no registers before the '
                              'first frame of CPU %d of this dump'
                              % ('.'.join(map(str, crash_version())), cpu))
            with self.subTest(cpu=cpu):
                before, _after = format_regs(task_stack(task, True)[0])
                self.assertEqual(before, head)
                self.assertRegex(head[0], r'\[exception RIP: '
                                 r'stop_this_cpu\+\d+\]')

    def test_only_the_first_frame_has_the_dump_registers(self):
        for _cpu, task in sorted(T.active_tasks().items()):
            frames = task_stack(task, True)
            self.assertEqual([f.cpu for f in frames[1:]],
                             [None] * (len(frames) - 1))


class TestInterruptFrame(unittest.TestCase):
    """The stop IPI that interrupted the idle loop of the other CPUs."""

    def _kernel_regs_frames(self, task):
        frames = task_stack(task, True)
        return frames, [i for i, f in enumerate(frames)
                        if f.regs is not None and
                        'CS: 0010' in format_regs(f)[1][-1]]

    def test_idle_loop_registers_are_crash_bt_e_s(self):
        # crash's plain bt prints a "possibly bogus exception frame"
        # here (read at the wrong place: CS ffffffffffebf709); its
        # search for exception frames, bt -e, finds the real one
        for cpu, task in _idle_cpus():
            with self.subTest(cpu=cpu):
                theirs = crash_bt_eframes('%#x' % int(task), 'KERNEL')
                frames, idx = self._kernel_regs_frames(task)
                self.assertEqual(len(idx), 1)
                f = frames[idx[0]]
                self.assertIn(f.regs.addr, theirs)
                self.assertTrue(f.regs.full)
                self.assertEqual(format_regs(f)[1], theirs[f.regs.addr])

    def test_exception_rip_is_the_interrupted_halt_of_the_idle_loop(self):
        for cpu, task in _idle_cpus():
            with self.subTest(cpu=cpu):
                frames, idx = self._kernel_regs_frames(task)
                i = idx[0]
                after = format_regs(frames[i])[1]
                rip = _EXC_RE.search(after[0]).group(1)
                # the next frame is the interrupted instruction itself
                nxt = frames[i + 1]
                self.assertEqual(rip, '%s+%d' % (nxt.func, nxt.offset))
                self.assertEqual(_values(after)['RIP'], nxt.ip)
                self.assertEqual(_values(after)['RSP'], nxt.sp)
                self.assertIn('halt', nxt.func)
                self.assertIn('do_idle', [g.func for g in frames[i:]])
                # the entry code of the IPI holds it
                self.assertTrue(frames[i].func.startswith('asm_sysvec'))

    def test_partial_frame_shows_only_the_hardware_s_registers(self):
        cpu, task = _idle_cpus()[0]
        frames, idx = self._kernel_regs_frames(task)
        full = frames[idx[0]]
        part = full._replace(regs=SavedRegs(full.regs.addr, False))
        theirs = crash_bt_eframes('%#x' % int(task), 'KERNEL')[full.regs.addr]
        # crash's exception RIP and RIP/RSP/RFLAGS lines, then CS and SS
        self.assertEqual(format_regs(part)[1],
                         theirs[:2] + ['    CS: 0010  SS: 0018'])

    def test_unreadable_pt_regs_is_said_and_crash_survives(self):
        f = Frame(0, 0, None, 0, SavedRegs(0xdead000000000000, True))
        before, after = format_regs(f)
        self.assertEqual(before, [])
        self.assertEqual(len(after), 1)
        self.assertIn('struct pt_regs at dead000000000000', after[0])
        self.assertTrue(crash_alive())


class TestSystemCallFrame(unittest.TestCase):
    """The user-mode registers at the bottom of a system call's stack."""

    def test_panic_task_user_registers_are_crash_bt_e_s(self):
        pid = truth()['panic']['pid']
        last = task_stack(T.find_task(pid), True)[-1]
        self.assertEqual(last.func, 'entry_SYSCALL_64_after_hwframe')
        # bt -e finds it by searching the stack: the same address
        theirs = crash_bt_eframes(pid, 'USER')
        self.assertEqual(list(theirs), [last.regs.addr])
        self.assertTrue(last.regs.full)
        self.assertEqual(format_regs(last)[1], theirs[last.regs.addr])

    def test_panic_task_user_registers_are_crash_bt_s(self):
        why = crash_bt_of_panic_is_wrong()
        if why:
            self.skipTest(why)
        pid = truth()['panic']['pid']
        last = task_stack(T.find_task(pid), True)[-1]
        self.assertEqual(format_regs(last)[1], _crash_bt_blocks(pid)[1])

    def test_panic_task_entered_by_write(self):
        # it wrote to /proc/sysrq-trigger: ORIG_RAX is write()'s number
        pid = truth()['panic']['pid']
        after = format_regs(task_stack(T.find_task(pid), True)[-1])[1]
        regs = _values(after)
        self.assertEqual(_syscall_of(regs['ORIG_RAX']),
                         crash_sym('__x64_sys_write'))
        self.assertEqual((regs['CS'], regs['SS']), (0x33, 0x2b))
        self.assertNotIn('[exception RIP', after[0])

    def test_sleepers_entered_by_pause(self):
        n = 0
        for t in truth()['tasks']:
            if t['state'] != 'S' or t['role'] == 'init':
                continue
            for tid in [t['pid']] + [th['tid'] for th in t['threads']]:
                with self.subTest(pid=tid):
                    last = task_stack(T.find_task(tid), False)[-1]
                    regs = _values(format_regs(last)[1])
                    self.assertEqual(_syscall_of(regs['ORIG_RAX']),
                                     crash_sym('__x64_sys_pause'))
                    self.assertEqual(regs['CS'], 0x33)
                    self.assertLess(regs['RSP'], 1 << 47)
                n += 1
        self.assertGreater(n, 0)

    def test_format_stack_puts_blocks_around_their_frames(self):
        pid = truth()['panic']['pid']
        frames = task_stack(T.find_task(pid), True)
        lines = format_stack(frames)
        before, _a = format_regs(frames[0])
        _b, after = format_regs(frames[-1])
        self.assertEqual(lines[:len(before)], before)
        self.assertTrue(lines[len(before)].startswith(' #0 ['))
        self.assertEqual(lines[-len(after):], after)
        self.assertEqual(len(lines), len(frames) + len(before) + len(after))


if __name__ == '__main__':
    unittest.main(argv=['test_exception_frames'], exit=False)

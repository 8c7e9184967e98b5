# SPDX-License-Identifier: GPL-2.0-or-later
"""pykdump.helpers.kernel, .mm, .fs and .stack against crash's own
commands and truth.json: the log ring, uname, load, memory counters,
sysctls, workqueues, file locks and the ORC unwinder."""

import re
import unittest

from _support import (PANIC_STACK_PATH, crash_bt_of_panic_is_wrong,
                      crash_cmd, crash_list, crash_p, crash_p_int, crash_sym,
                      panic_path_of, pid_max_variable, truth)

from pykdump.API import crash, member_offset, readmem, sys_info

from pykdump.helpers import kernel as K
from pykdump.helpers import mm as MM
from pykdump.helpers import tasks as T
from pykdump.helpers.fs import for_each_file_lock
from pykdump.helpers.prstatus import cpu_registers, dumpfile_prstatus
from pykdump.helpers.stack import task_stack, unwind_orc

DUMP_FORMATS = ('kdump', 'elf')

#: crash's ``help -r`` name of each general register -> ours
HELP_R_NAMES = (('RAX', 'ax'), ('RBX', 'bx'), ('RCX', 'cx'), ('RDX', 'dx'),
                ('RSI', 'si'), ('RDI', 'di'), ('RBP', 'bp'), ('RSP', 'sp'),
                ('R8', 'r8'), ('R9', 'r9'), ('R10', 'r10'), ('R11', 'r11'),
                ('R12', 'r12'), ('R13', 'r13'), ('R14', 'r14'),
                ('R15', 'r15'), ('RIP', 'ip'), ('RFLAGS', 'flags'))


class TestLog(unittest.TestCase):
    """The printk ring buffer read by us, against crash's log."""

    @classmethod
    def setUpClass(cls):
        cls.records = K.log_records()

    def test_log_lines_equal_crash_log(self):
        ours = [ln.rstrip() for ln in K.log_lines(self.records)]
        theirs = [ln.rstrip() for ln in crash_cmd('log').splitlines()]
        self.assertEqual(ours, theirs)

    def test_sequence_numbers_increase(self):
        seqs = [r.seq for r in self.records]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), len(seqs))

    def test_panic_message_is_the_truth(self):
        self.assertEqual(K.panic_message(self.records),
                         truth()['panic']['message'])

    def test_kernel_command_line_is_logged(self):
        cmdline = truth()['system']['cmdline']
        self.assertTrue(any(cmdline in r.text for r in self.records))

    def test_no_lockup_messages_in_the_fixture_log(self):
        self.assertEqual(K.find_log_problems(self.records), [])

    def test_problem_patterns_match_kernel_texts(self):
        recs = [K.LogRecord(0, 0, 0, text) for text in (
            'watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [a:1]',
            'INFO: task kworker/0:1:12 blocked for more than 120 seconds.',
            'Out of memory: Killed process 123 (x)')]
        kinds = [k for k, _line in K.find_log_problems(recs)]
        self.assertEqual(kinds, ['soft lockup', 'hung task',
                                 'out of memory'])


class TestSystem(unittest.TestCase):
    """uname, uptime, load average, taint, panic CPU."""

    def test_uname_matches_the_guest(self):
        uts = K.uname()
        sysinfo = truth()['system']
        for key in ('sysname', 'nodename', 'release', 'version',
                    'machine'):
            self.assertEqual(uts[key], sysinfo[key])

    def test_uptime_agrees_with_crash_sys(self):
        h, m, s = (int(x) for x in sys_info.UPTIME.split(':'))
        self.assertEqual(int(K.uptime_seconds()), h * 3600 + m * 60 + s)

    def test_load_average_agrees_with_crash_sys(self):
        want = [float(x) for x in sys_info['LOAD AVERAGE'].split(',')]
        self.assertEqual([round(v, 2) for v in K.load_average()], want)

    def test_tainted_mask_and_letters(self):
        self.assertEqual(K.tainted_mask(), crash_p_int('tainted_mask'))
        # testmod is out of tree (O) and unsigned (E)
        self.assertEqual(K.taint_string(), 'OE')

    def test_panic_cpu_is_the_truth(self):
        self.assertEqual(K.panic_cpu(), truth()['panic']['cpu'])

    def test_jiffies_agree_with_crash(self):
        self.assertEqual(K.jiffies(), crash_p_int('jiffies_64'))


class TestMemory(unittest.TestCase):
    """Memory counters against crash's p of the same variables."""

    def test_totalram_pages(self):
        self.assertEqual(MM.totalram_pages(),
                         crash_p_int('_totalram_pages.counter'))

    def test_free_pages(self):
        self.assertEqual(MM.free_pages(),
                         crash_p_int('vm_zone_stat[NR_FREE_PAGES].counter'))

    def test_zone_free_pages_add_up(self):
        zones = list(MM.for_each_zone())
        self.assertTrue(zones)
        self.assertLessEqual(abs(sum(z.free for z in zones) -
                                 MM.free_pages()), 64 * sys_info.CPUS)
        for z in zones:
            self.assertLess(z.min, z.low)
            self.assertLess(z.low, z.high)

    def test_no_swap_in_the_fixture(self):
        self.assertEqual(MM.swap_pages()[0],
                         crash_p_int('total_swap_pages'))


class TestSysctl(unittest.TestCase):
    """The sysctl tree walk against crash's p of the variables."""

    @classmethod
    def setUpClass(cls):
        cls.tables = dict(K.for_each_sysctl())

    def test_int_sysctls_equal_their_variables(self):
        for name, var in (('vm.swappiness', 'vm_swappiness'),
                          ('kernel.pid_max', pid_max_variable()),
                          ('vm.overcommit_memory',
                           'sysctl_overcommit_memory'),
                          ('kernel.panic', 'panic_timeout')):
            with self.subTest(name=name):
                self.assertEqual(K.sysctl_value(self.tables[name]),
                                 crash_p('(int)%s' % var))

    def test_namespace_sysctls_are_the_initial_namespaces_values(self):
        # on the user and ipc namespaces' own sets (since v4.9 and
        # v5.19), seen through links of the default set
        for name, expr in (
                ('kernel.shmmni', 'init_ipc_ns.shm_ctlmni'),
                ('kernel.msgmax', 'init_ipc_ns.msg_ctlmax'),
                ('kernel.sem', 'init_ipc_ns.sem_ctls'),
                ('user.max_user_namespaces',
                 'init_user_ns.ucount_max[UCOUNT_USER_NAMESPACES]')):
            with self.subTest(name=name):
                self.assertEqual(K.sysctl_value(self.tables[name]),
                                 '\t'.join(re.findall(r'-?\d+',
                                                      crash_p(expr))))

    def test_no_entry_is_a_link_to_a_namespace_set(self):
        s_ifmt, s_iflnk = 0o170000, 0o120000
        self.assertEqual([name for name, table in self.tables.items()
                          if int(table.mode) & s_ifmt == s_iflnk], [])

    def test_string_sysctl_is_the_hostname(self):
        self.assertEqual(K.sysctl_value(self.tables['kernel.hostname']),
                         truth()['system']['nodename'])

    def test_net_sysctls_of_init_net_are_found(self):
        self.assertIn('net.core.somaxconn', self.tables)
        self.assertEqual(K.sysctl_value(self.tables['net.core.somaxconn']),
                         crash_p('init_net.core.sysctl_somaxconn'))

    def test_well_known_variables_readable(self):
        for name in K.WELL_KNOWN_SYSCTLS:
            with self.subTest(name=name):
                self.assertRegex(K.read_sysctl_variable(name), r'^-?\d+$')


class TestWorkqueues(unittest.TestCase):
    """Worker pools and workqueues against crash's list."""

    def test_workqueue_count_matches_crash_list(self):
        self.assertEqual(len(list(K.for_each_workqueue())),
                         len(crash_list('-H workqueues')))

    def test_per_cpu_pools_present(self):
        cpus = [int(p.cpu) for p in K.for_each_worker_pool()]
        per_cpu = 2                                # normal and highpri
        try:
            # Linux commit 4cb1ef64609f ("workqueue: Implement BH
            # workqueues to eventually replace tasklets") (v6.9): the
            # same two again in bh_worker_pools
            crash_sym('bh_worker_pools')
            per_cpu = 4
        except AssertionError:
            pass
        for cpu in range(sys_info.CPUS):
            self.assertEqual(cpus.count(cpu), per_cpu)


class TestFileLocks(unittest.TestCase):
    """The file_lock_list walk (the fixture holds no lock)."""

    def test_no_lock_and_crash_sees_empty_lists(self):
        self.assertEqual(list(for_each_file_lock()), [])
        firsts = re.findall(r'first = (0x[0-9a-f]+)',
                            crash_cmd('p file_lock_list:a'))
        self.assertEqual(len(firsts), sys_info.CPUS)
        self.assertEqual(set(firsts), {'0x0'})

    def test_members_the_walk_reads_exist(self):
        # v6.9 moved the common fields into struct file_lock_core c
        if member_offset('struct file_lock', 'c') >= 0:
            core, pfx = 'struct file_lock_core', 'flc_'
        else:
            core, pfx = 'struct file_lock', 'fl_'
        for member in ('link', 'flags', 'type', 'pid', 'file',
                       'blocked_requests'):
            with self.subTest(member=pfx + member):
                self.assertGreaterEqual(member_offset(core, pfx + member), 0)
        for member in ('fl_start', 'fl_end'):
            with self.subTest(member=member):
                self.assertGreaterEqual(
                    member_offset('struct file_lock', member), 0)


class TestStack(unittest.TestCase):
    """The ORC unwinder: every return address follows a call."""

    @staticmethod
    def _after_call(ip):
        """Whether the instruction before ip is a call (e8 or ff /2)."""
        code = readmem(ip - 7, 7)
        if code[2] == 0xe8:                 # call rel32
            return True
        # call *reg / *mem: ff with modrm reg field 2, 2 to 7 bytes long
        for n in range(2, 8):
            if code[7 - n] == 0xff and (code[8 - n] >> 3) & 7 == 2:
                return True
        return False

    def test_sleeping_task_frames_are_return_addresses(self):
        n = 0
        for t in T.for_each_task():
            if T.task_state(t) not in 'SDI' or not t.stack:
                continue
            frames = unwind_orc(t)
            self.assertTrue(frames, 'no frame for pid %d' % t.pid)
            for f in frames:
                with self.subTest(pid=t.pid, func=f.func):
                    self.assertTrue(self._after_call(f.ip))
            n += 1
        self.assertGreater(n, 10)

    def test_sleepers_of_the_scenario_are_in_pause(self):
        for t in truth()['tasks']:
            if t['state'] != 'S' or t['role'] == 'init':
                continue
            for tid in [t['pid']] + [th['tid'] for th in t['threads']]:
                with self.subTest(pid=tid):
                    funcs = [f.func for f in
                             unwind_orc(T.find_task(tid))]
                    self.assertEqual(funcs[:2], ['__schedule', 'schedule'])
                    self.assertIn('__x64_sys_pause', funcs)

    def test_stacks_end_at_the_syscall_or_kthread_entry(self):
        # Linux commit 3aec4ecb3d1f ("x86: Rewrite ret_from_fork() in C")
        # (v6.6): a new task's first frame is ret_from_fork_asm
        fork = 'ret_from_fork_asm'
        try:
            crash_sym(fork)
        except AssertionError:
            fork = 'ret_from_fork'
        for t in T.for_each_task():
            if T.task_state(t) not in 'SI' or not t.pid:
                continue
            with self.subTest(pid=t.pid):
                last = unwind_orc(t)[-1].func
                self.assertIn(last, ('entry_SYSCALL_64_after_hwframe', fork))

    def test_panic_task_stack_is_the_sysrq_write_that_panicked(self):
        p = truth()['panic']
        frames = task_stack(T.find_task(p['pid']), True)
        self.assertEqual(panic_path_of([f.func for f in frames]),
                         PANIC_STACK_PATH)
        # innermost: where panic()'s wait loop was when the dump was taken
        self.assertNotEqual(frames[0].func, 'panic')

    def test_panic_task_frames_from_panic_on_are_return_addresses(self):
        p = truth()['panic']
        frames = task_stack(T.find_task(p['pid']), True)
        funcs = [f.func for f in frames]
        for f in frames[funcs.index('panic'):]:
            with self.subTest(func=f.func):
                self.assertTrue(self._after_call(f.ip))

    def test_panic_task_stack_agrees_with_crash_bt(self):
        why = crash_bt_of_panic_is_wrong()
        if why:
            self.skipTest(why)
        p = truth()['panic']
        ours = [f.func for f in task_stack(T.find_task(p['pid']), True)]
        bt = re.findall(r'#\d+ \[[0-9a-f]+\] (\S+) at',
                        crash_cmd('bt %d' % p['pid']))
        # crash starts at panic; on 6.1, 8.0.2 adds stale return
        # addresses found by scanning: ours must be a subsequence
        ours = ours[ours.index('panic'):]
        rest = iter(bt[bt.index('panic'):])
        self.assertTrue(all(f in rest for f in ours), (ours, bt))

    def test_registers_are_crash_s_help_r(self):
        # crash prints the NT_PRSTATUS registers of a kdump file, QEMU's
        # own QEMUCPUState note of an ELF one: same values, two layouts
        # (the ELF one has no space after "RDI:")
        names = dict(HELP_R_NAMES)
        blocks = re.split(r'^CPU (\d+):', crash_cmd('help -r'),
                          flags=re.M)[1:]
        self.assertEqual(len(blocks), 2 * sys_info.CPUS)
        for cpu, text in zip(blocks[::2], blocks[1::2]):
            with self.subTest(cpu=cpu):
                regs = cpu_registers(int(cpu))
                want = {names[r]: int(v, 16) for r, v in re.findall(
                    r'\b(%s):\s*([0-9a-f]+)' % '|'.join(names), text)}
                self.assertEqual(len(want), len(names), text)
                self.assertEqual(want, {r: regs[r] for r in want})

    def test_registers_come_from_the_dump_file_without_crash_kernel(self):
        # no crash kernel was loaded in the guest: crash_save_cpu() never
        # ran and crash_notes stays zero; QEMU wrote the vCPU registers
        # into the file's notes (both formats), which crash gave to the
        # CPUs when it opened the dump
        self.assertEqual(crash_p_int('(long)kexec_crash_image'), 0)
        for cpu in range(sys_info.CPUS):
            with self.subTest(cpu=cpu):
                regs = dumpfile_prstatus(cpu)
                self.assertIsNotNone(regs)
                self.assertEqual(cpu_registers(cpu), regs)

    def test_registers_of_a_cpu_crash_does_not_know_are_an_error(self):
        for cpu in (-1, sys_info.CPUS, 10 ** 6):
            with self.subTest(cpu=cpu):
                with self.assertRaisesRegex(crash.error, 'out of range'):
                    cpu_registers(cpu)
        self.assertIsNotNone(cpu_registers(0))

    def test_other_cpus_halt_in_stop_this_cpu_from_the_idle_loop(self):
        # panic() -> smp_send_stop(): each other CPU takes the
        # REBOOT_VECTOR IPI (an NMI if that fails) and halts in
        # stop_this_cpu(), where QEMU dumped it; the fixture's scenario
        # leaves them idle. (With a crash kernel the NMI of
        # crash_smp_send_stop() would save them before that.)
        p = truth()['panic']
        n = 0
        for cpu, task in T.active_tasks().items():
            if cpu == p['cpu']:
                continue
            funcs = [f.func for f in task_stack(task, True)]
            with self.subTest(cpu=cpu, pid=task.pid):
                self.assertEqual(funcs[0], 'stop_this_cpu')
                self.assertEqual(task.pid, 0)
                # across the IRQ stack into the interrupted idle loop
                self.assertIn('do_idle', funcs)
                self.assertIn('cpu_startup_entry', funcs)
                # renamed between 6.1 and 6.12
                self.assertIn(funcs[-1], ('secondary_startup_64_no_verify',
                                          'common_startup_64'))
            n += 1
        self.assertEqual(n, sys_info.CPUS - 1)

    def test_zombie_has_no_stack(self):
        for t in truth()['tasks']:
            if t['state'] == 'Z':
                self.assertEqual(task_stack(T.find_task(t['pid']), False),
                                 [])


if __name__ == '__main__':
    unittest.main(argv=['test_helpers_kernel'], exit=False)

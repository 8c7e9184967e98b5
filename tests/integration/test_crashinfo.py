# SPDX-License-Identifier: GPL-2.0-or-later
"""crashinfo: the summary, the panic and its task, the health checks and
each section option, against truth.json and crash's own commands."""

import re
import unittest
from unittest import mock

from _progs import assert_exit, load, run
from _support import (PANIC_STACK_PATH, crash_bt_eframes, crash_cmd,
                      crash_list, crash_p, panic_path_of, pid_max_variable,
                      truth)

from pykdump.API import pylog, sys_info

from pykdump.helpers import kernel as K
from pykdump.helpers import tasks as T

DUMP_FORMATS = ('kdump', 'elf')


def _field(out, key):
    """The value of a ``KEY: value`` summary line."""
    m = re.search(r'^\s*%s: (.*)$' % re.escape(key), out, re.M)
    return m.group(1) if m else None


def _sleepers():
    """pids (and tids) of the scenario tasks asleep in pause()."""
    pids = set()
    for t in truth()['tasks']:
        if t['state'] == 'S' and t['role'] != 'init':
            pids.add(t['pid'])
            pids.update(th['tid'] for th in t['threads'])
    return pids


class TestPanic(unittest.TestCase):
    """The panicking task and message."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('crashinfo')

    def test_panic_task_pid_comm_cpu(self):
        task, cpu = self.prog.panic_task()
        p = truth()['panic']
        self.assertEqual((task.pid, str(task.comm), cpu),
                         (p['pid'], p['comm'], p['cpu']))

    def test_panic_task_is_crash_s_context_task(self):
        task, _cpu = self.prog.panic_task()
        m = re.search(r'TASK:\s+([0-9a-f]+)', crash_cmd('set'))
        self.assertEqual(int(task), int(m.group(1), 16))

    def test_without_panic_cpu_crash_s_context_is_used(self):
        with mock.patch.object(K, 'panic_cpu', lambda: None):
            task, _cpu = self.prog.panic_task()
        self.assertEqual(task.pid, truth()['panic']['pid'])


class TestSummary(unittest.TestCase):
    """The default output: summary, panic, health checks."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('crashinfo')
        cls.res = run(cls.prog, [])
        cls.out = cls.res.out

    @classmethod
    def tearDownClass(cls):
        pylog.cleanup()     # the zombie info was expected

    def test_panic_message_is_the_truth(self):
        self.assertEqual(_field(self.out, 'PANIC'),
                         '"%s"' % truth()['panic']['message'])

    def test_panicking_task_line(self):
        p = truth()['panic']
        self.assertRegex(self.out, r'PID %d \(%s\) on CPU %d, TASK [0-9a-f]+'
                         % (p['pid'], p['comm'], p['cpu']))

    def test_panic_stack_is_the_sysrq_write_that_panicked(self):
        after = self.out.split('+++ The panicking task +++')[1]
        got = re.findall(r'#\d+ \[[0-9a-f]+\] ([^+\s]+)\+0x[0-9a-f]+ at',
                         after)
        path = panic_path_of(got)
        self.assertEqual(path[:len(PANIC_STACK_PATH)], PANIC_STACK_PATH)

    def test_panic_stack_shows_crash_s_exception_frames(self):
        after = self.out.split('+++ The panicking task +++')[1]
        lines = after.split('\n +++ ')[0].splitlines()
        first = next(i for i, ln in enumerate(lines) if ' #0 [' in ln)
        # the registers the dump saved for its CPU, before the first frame
        self.assertRegex(lines[first - 8], r'^        \[exception RIP: '
                         r'\S+\+\d+\]$')
        # the user-mode registers of its write(), after the last frame,
        # as crash's bt -e finds them on the stack
        pid = truth()['panic']['pid']
        (block,) = crash_bt_eframes(pid, 'USER').values()
        last = max(i for i, ln in enumerate(lines) if re.match(
            r'\s+#\d+ \[', ln))
        self.assertIn('entry_SYSCALL_64_after_hwframe', lines[last])
        self.assertEqual(lines[last + 1:last + 1 + len(block)],
                         ['    ' + ln for ln in block])

    def test_uname_fields_are_the_guest_s(self):
        s = truth()['system']
        for key in ('nodename', 'release', 'version', 'machine'):
            self.assertEqual(_field(self.out, key.upper()), s[key])

    def test_cpus_and_load_average_as_crash_sys(self):
        self.assertEqual(_field(self.out, 'CPUS'), str(sys_info.CPUS))
        self.assertEqual(_field(self.out, 'LOAD AVERAGE'),
                         sys_info['LOAD AVERAGE'])

    def test_task_count_is_the_kernel_list_plus_threads(self):
        procs = len(crash_list('task_struct.tasks -h init_task'))
        threads = sum(len(t['threads']) - 1 for t in truth()['tasks']
                      if t['threads'])
        self.assertTrue(_field(self.out, 'TASKS').startswith(
            '%d (%d processes + %d threads' % (procs + threads, procs,
                                               threads)))

    def test_runnable_line_has_every_cpu(self):
        counts = dict(re.findall(r'CPU(\d+) (\d+)',
                                 _field(self.out, 'RUNNABLE')))
        self.assertEqual(len(counts), sys_info.CPUS)
        # the panic task runs on its CPU
        self.assertGreaterEqual(int(counts[str(truth()['panic']['cpu'])]), 1)

    def test_memory_is_totalram_pages(self):
        total = int(crash_p('_totalram_pages.counter'))
        self.assertIn('(totalram_pages %d)' % total,
                      _field(self.out, 'MEMORY'))

    def test_taint_names_the_test_module(self):
        name = truth()['modules']['testmod']['name']
        self.assertEqual(_field(self.out, 'TAINTED'),
                         'OE (tainted_mask 0x3000); modules: %s(OE)' % name)

    def test_health_checks_find_nothing_on_the_fixture(self):
        self.assertIn('+++ Health checks +++', self.out)
        self.assertIn('No problems found.', self.out)
        self.assertNotIn('+++WARNING+++', self.out)

    def test_zombies_reported_as_info(self):
        zombies = [t for t in truth()['tasks'] if t['state'] == 'Z']
        msgs = [str(m) for m in pylog_messages('...INFO...')]
        self.assertTrue(any('%d zombie task(s)' % len(zombies) in m
                            for m in msgs), msgs)

    def test_quiet_prints_only_the_health_checks(self):
        out = run(self.prog, ['-q']).out
        self.assertNotIn('System summary', out)
        self.assertIn('+++ Health checks +++', out)

    def test_verbose_adds_the_end_of_the_log(self):
        out = run(self.prog, ['-v']).out
        self.assertIn('end Kernel panic - not syncing: %s'
                      % truth()['panic']['message'], out)


def pylog_messages(category):
    """The texts pylog stored under a category for the summary."""
    # PyLog keeps (args, kwargs) per category in its shared _cache.
    return [' '.join(str(a) for a in args)
            for args, _kw in pylog._cache.get(category, [])]


class TestHealthChecks(unittest.TestCase):
    """Checks that fire: fed with states the fixture does not have."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('crashinfo')

    def tearDown(self):
        pylog.cleanup()

    def test_task_in_D_state_is_warned_with_its_time(self):
        pid = truth()['panic']['ppid']   # init: asleep for a while
        real = T.task_state

        def state(t):
            return 'D' if t.pid == pid else real(t)
        with mock.patch.object(T, 'task_state', state):
            out = run(self.prog, ['-q']).out
        self.assertRegex(out, r'\+\+\+WARNING\+\+\+ 1 task\(s\) in D state '
                         r'\(uninterruptible\); longest: PID %d \(init\), '
                         r'\d\d:\d\d:\d\d\.\d{3}' % pid)

    def test_lockup_message_in_the_log_is_warned(self):
        recs = K.log_records() + [K.LogRecord(
            10 ** 6, 0, 0, 'watchdog: BUG: soft lockup - CPU#0 stuck for '
            '23s! [pk_net:144]')]
        with mock.patch.object(K, 'log_records', lambda: recs):
            out = run(self.prog, ['-q']).out
        self.assertIn('log: 1 soft lockup message(s), first: watchdog: BUG: '
                      'soft lockup - CPU#0 stuck', out)

    def test_unreadable_structure_is_named_and_the_rest_printed(self):
        def broken():
            raise KeyError('struct rq does not have a field nr_running')
        with mock.patch.object(K, 'load_average', broken):
            out = run(self.prog, []).out
        self.assertIn('cannot read avenrun: \'struct rq does not have a '
                      'field nr_running\'', out)
        self.assertEqual(_field(out, 'PANIC'),
                         '"%s"' % truth()['panic']['message'])
        self.assertIn('+++ Health checks +++', out)

    def test_unreadable_task_list_still_gives_the_summary(self):
        def broken(**kw):
            raise KeyError('struct task_struct does not have a field tasks')
        with mock.patch.object(T, 'for_each_task', broken):
            out = run(self.prog, []).out
        self.assertIn('cannot read the task list', out)
        self.assertEqual(_field(out, 'PANIC'),
                         '"%s"' % truth()['panic']['message'])


class TestSections(unittest.TestCase):
    """--stacksummary, --findstacks, --runq, --sysctl, --filelock,
    --workqueues."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('crashinfo')

    def test_stacksummary_groups_the_pause_sleepers(self):
        out = run(self.prog, ['--stacksummary', '-v']).out
        blocks = out.split('\n------- ')[1:]
        pause = [b for b in blocks if '__x64_sys_pause' in b]
        pids = set()
        for b in pause:
            pids.update(int(p) for p in re.findall(r'(\d+)\(', b.split(
                '\n')[0]))
        self.assertEqual(pids, _sleepers())

    def test_stacksummary_counts_every_task_with_a_stack(self):
        out = run(self.prog, ['--stacksummary']).out
        m = re.search(r'\+\+\+ (\d+) tasks, (\d+) distinct stacks', out)
        zombies = sum(1 for t in truth()['tasks'] if t['state'] == 'Z')
        ntasks = len(list(T.for_each_task()))
        self.assertEqual(int(m.group(1)), ntasks - zombies)
        self.assertEqual(int(m.group(2)), out.count('\n------- '))

    def test_findstacks_finds_exactly_the_pause_sleepers(self):
        out = run(self.prog, ['--findstacks', r'^__x64_sys_pause$']).out
        pids = {int(p) for p in re.findall(r'^PID (\d+) \(', out, re.M)}
        self.assertEqual(pids, _sleepers())
        self.assertIn('%d task(s) with a function matching'
                      % len(pids), out)

    def test_findstacks_finds_the_panic_task(self):
        out = run(self.prog, ['--findstacks', 'sysrq_handle_crash']).out
        p = truth()['panic']
        self.assertRegex(out, r'^PID %d \(%s\) TASK [0-9a-f]+ CPU %d ST R'
                         % (p['pid'], p['comm'], p['cpu']))

    def test_findstacks_shows_the_stop_ipi_frame_of_the_idle_cpus(self):
        out = run(self.prog, ['--findstacks', '^stop_this_cpu$']).out
        for cpu, task in T.active_tasks().items():
            if cpu == truth()['panic']['cpu']:
                continue
            with self.subTest(cpu=cpu):
                (block,) = crash_bt_eframes('%#x' % int(task),
                                            'KERNEL').values()
                text = '\n'.join('    ' + ln for ln in block)
                self.assertIn(text, out)
                self.assertIn('[exception RIP: stop_this_cpu+', out)

    def test_runq_shows_the_panic_task_current_on_its_cpu(self):
        out = run(self.prog, ['--runq']).out
        p = truth()['panic']
        self.assertRegex(out, r'CPU %d: \d+ runnable; current: PID %d '
                         r'\(%s\)' % (p['cpu'], p['pid'], p['comm']))
        self.assertEqual(len(re.findall(r'^CPU \d+:', out, re.M)),
                         sys_info.CPUS)

    def test_sysctl_well_known_values(self):
        out = run(self.prog, ['--sysctl']).out
        vals = dict(re.findall(r'^(\S+)\s+= (.*)$', out, re.M))
        self.assertEqual(vals['vm.swappiness'],
                         crash_p('(int)vm_swappiness'))
        self.assertEqual(vals['kernel.pid_max'],
                         crash_p('(int)%s' % pid_max_variable()))
        self.assertEqual(set(vals), set(K.WELL_KNOWN_SYSCTLS))

    def test_sysctl_pattern_selects_names(self):
        out = run(self.prog, ['--sysctl', r'^kernel\.hostname$']).out
        self.assertEqual(out.strip().splitlines()[0].split('= ')[1],
                         truth()['system']['nodename'])

    def test_filelock_none_in_the_fixture(self):
        out = run(self.prog, ['--filelock']).out
        self.assertIn('No file locks.', out)

    def test_workqueues_lists_every_pool_and_workqueue(self):
        out = run(self.prog, ['--workqueues', '-v']).out
        pools = re.findall(r'^\s+\d+\s+-?\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+0x',
                           out, re.M)
        self.assertEqual(len(pools), len(list(K.for_each_worker_pool())))
        names = re.findall(r'^(\S+)\s+[0-9a-f]+\s+\d+/\d+\(', out, re.M)
        self.assertEqual(len(names), len(crash_list('-H workqueues')))
        self.assertIn('events', names)

    def test_help(self):
        assert_exit(self, self.prog, ['-h'], 0, '--stacksummary')

    def test_bad_arguments_give_usage_line(self):
        for argv in (['--bogus'], ['--findstacks'], ['--findstacks', '(']):
            with self.subTest(argv=argv):
                assert_exit(self, self.prog, argv, 2, 'usage: crashinfo')


if __name__ == '__main__':
    unittest.main(argv=['test_crashinfo'], exit=False)

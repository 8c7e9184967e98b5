# SPDX-License-Identifier: GPL-2.0-or-later
"""taskinfo and the task/fs/mm helpers, checked against truth.json and
crash's own commands on the same dump."""

import re
import unittest
from unittest import mock

from _progs import assert_exit, load, run
from _support import (crash_bt_eframes, crash_cmd, crash_rss_counts_shmem,
                      truth)

from pykdump.API import crash, pylog

from pykdump.helpers import tasks as T
from pykdump.helpers.fs import task_open_files
from pykdump.helpers.mm import task_memory

DUMP_FORMATS = ('kdump', 'elf')

_ROW = re.compile(r'^([> ])\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S)\s+'
                  r'(\S+)\s+([0-9a-f]{16})\s+(.*)$')


def _table(out):
    """{pid: dict} parsed from taskinfo's table."""
    rows = {}
    for line in out.splitlines():
        m = _ROW.match(line)
        if m:
            cmd = m.group(9).strip()
            if cmd.startswith('[') and cmd.endswith(']'):
                cmd = cmd[1:-1]
            rows[int(m.group(2))] = {
                'active': m.group(1) == '>', 'tgid': int(m.group(3)),
                'ppid': int(m.group(4)), 'cpu': int(m.group(5)),
                'state': m.group(6), 'task': int(m.group(8), 16),
                'comm': cmd}
    return rows


def _scenario_pid(role):
    """pid of the truth task with that role."""
    return next(t['pid'] for t in truth()['tasks'] if t['role'] == role)


class TestTaskRows(unittest.TestCase):
    """taskinfo.collect(): the data behind the table."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('taskinfo')
        cls.rows = {r.pid: r for r in cls.prog.collect()}

    def test_every_scenario_process_has_its_ppid_tgid_and_comm(self):
        for t in truth()['tasks']:
            with self.subTest(pid=t['pid']):
                r = self.rows[t['pid']]
                self.assertEqual((r.comm, r.ppid, r.tgid),
                                 (t['comm'], t['ppid'], t['tgid']))

    def test_threads_of_the_multithreaded_process(self):
        for t in truth()['tasks']:
            if not t['threads']:
                continue
            got = {r.pid: r.comm for r in self.rows.values()
                   if r.tgid == t['pid']}
            want = {th['tid']: th['comm'] for th in t['threads']}
            self.assertEqual(got, want)

    def test_states_match_truth(self):
        for t in truth()['tasks']:
            with self.subTest(pid=t['pid']):
                self.assertEqual(self.rows[t['pid']].state, t['state'])

    def test_threads_are_sleeping_like_their_leader(self):
        for t in truth()['tasks']:
            for th in t['threads']:
                self.assertEqual(self.rows[th['tid']].state, 'S')

    def test_panic_task_is_running_on_the_panic_cpu(self):
        p = truth()['panic']
        r = self.rows[p['pid']]
        self.assertEqual((r.comm, r.state, r.cpu, r.active, r.ppid),
                         (p['comm'], 'R', p['cpu'], True, p['ppid']))

    def test_task_count_matches_crash_list_plus_threads(self):
        procs = len(crash_cmd('list task_struct.tasks -h init_task')
                    .split())
        threads = sum(1 for r in self.rows.values() if r.is_thread)
        self.assertEqual(len(self.rows), procs + threads)

    def test_kernel_threads_are_marked(self):
        self.assertTrue(self.rows[2].kthread)       # kthreadd
        self.assertFalse(self.rows[_scenario_pid('root')].kthread)


class TestTaskinfoOutput(unittest.TestCase):
    """What taskinfo prints."""

    @classmethod
    def setUpClass(cls):
        cls.prog = load('taskinfo')
        cls.res = run(cls.prog, [])
        cls.table = _table(cls.res.out)

    def test_table_lists_every_scenario_task_and_thread(self):
        for t in truth()['tasks']:
            with self.subTest(pid=t['pid']):
                row = self.table[t['pid']]
                self.assertEqual((row['comm'], row['ppid'], row['state']),
                                 (t['comm'], t['ppid'], t['state']))
            for th in t['threads']:
                self.assertEqual(self.table[th['tid']]['comm'], th['comm'])
                self.assertEqual(self.table[th['tid']]['tgid'], t['pid'])

    def test_zombies_show_state_Z(self):
        zombies = {t['pid'] for t in truth()['tasks'] if t['state'] == 'Z'}
        shown = {pid for pid, r in self.table.items() if r['state'] == 'Z'}
        self.assertEqual(shown, zombies)

    def test_panic_task_marked_active_on_its_cpu(self):
        p = truth()['panic']
        row = self.table[p['pid']]
        self.assertTrue(row['active'])
        self.assertEqual((row['cpu'], row['comm']), (p['cpu'], p['comm']))

    def test_summary_counts_tasks(self):
        self.assertIn('%d tasks:' % len(self.table), self.res.out)

    def test_running_option_shows_only_R(self):
        table = _table(run(self.prog, ['--running']).out)
        self.assertIn(truth()['panic']['pid'], table)
        self.assertEqual({r['state'] for r in table.values()}, {'R'})

    def test_help_prints_usage_and_exits_0(self):
        assert_exit(self, self.prog, ['-h'], 0, 'usage: taskinfo')

    def test_bad_argument_gives_usage_line(self):
        assert_exit(self, self.prog, ['--no-such-option'], 2,
                    'usage: taskinfo')

    def test_unknown_pid_returns_1(self):
        res = run(self.prog, ['--pid', '999999'])
        self.assertEqual(res.rc, 1)
        self.assertIn('no task with pid 999999', res.out)

    def test_unreadable_field_is_warned_and_the_rest_printed(self):
        def broken(task):
            raise crash.NoFieldError('struct thread_info does not have a '
                                     'field cpu')
        with mock.patch.object(T, 'task_cpu', broken):
            res = run(self.prog, [])
        self.assertIn('cannot read cpu of %d task(s)' % len(_table(
            self.res.out)), res.out)
        self.assertIn('does not have a field cpu', res.out)
        pylog.cleanup()     # the warnings were expected: no summary
        # every task still listed, CPU shown as '?'
        pids = [ln.split()[0 if not ln.startswith('>') else 1]
                for ln in res.lines if ' ? ' in ln]
        self.assertIn(str(truth()['panic']['pid']), pids)


class TestPidDetails(unittest.TestCase):
    """taskinfo --pid N: open files and memory of the scenario process."""

    @classmethod
    def setUpClass(cls):
        cls.files = truth()['open_files']
        cls.pid = cls.files[0]['pid']
        cls.task = T.find_task(cls.pid)

    def test_open_files_helper_matches_truth(self):
        got = {f.fd: f for f in task_open_files(self.task)}
        for want in self.files:
            with self.subTest(fd=want['fd']):
                f = got[want['fd']]
                self.assertEqual(
                    (f.path, f.ino, f.size, f.pos, f.deleted),
                    (want['path'], want['inode'], want['size'], want['pos'],
                     want['deleted']))

    def test_paths_agree_with_crash_get_pathname(self):
        for f in task_open_files(self.task):
            if f.type != 'REG':
                continue
            fp = f.file.f_path
            self.assertEqual(f.path, crash.get_pathname(int(fp.dentry),
                                                        int(fp.mnt)))

    def test_sockets_are_named_by_inode(self):
        inodes = {s['fd']: s['inode'] for s in truth()['sockets']
                  if s['pid'] == self.pid}
        got = {f.fd: f.path for f in task_open_files(self.task)}
        for fd, ino in inodes.items():
            self.assertEqual(got[fd], 'socket:[%d]' % ino)

    def test_details_output_lists_the_open_files(self):
        res = run('taskinfo', ['--pid', str(self.pid)])
        self.assertEqual(res.rc, 0)
        for want in self.files:
            line = next((ln for ln in res.lines
                         if ln.split()[:1] == [str(want['fd'])]), None)
            self.assertIsNotNone(line, 'fd %d not listed' % want['fd'])
            self.assertIn(want['path'], line)
            self.assertEqual(line.endswith('(deleted)'), want['deleted'])
        self.assertIn('Kernel stack:', res.out)
        self.assertIn('__x64_sys_pause', res.out)

    def test_panic_task_stack_ends_with_its_user_registers(self):
        pid = truth()['panic']['pid']
        res = run('taskinfo', ['--pid', str(pid)])
        (block,) = crash_bt_eframes(pid, 'USER').values()
        self.assertEqual(res.lines[-len(block):],
                         ['    ' + ln for ln in block])
        self.assertIn('entry_SYSCALL_64_after_hwframe',
                      res.lines[-len(block) - 1])

    def test_memory_agrees_with_crash_ps_for_the_panic_task(self):
        # every crash knows the panic task; which pages its RSS counts
        # depends on the crash version (_support.crash_rss_counts_shmem)
        pid = truth()['panic']['pid']
        row = next(ln.lstrip('>').split() for ln in
                   crash_cmd('ps').splitlines()
                   if ln.lstrip('>').split()[:1] == [str(pid)])
        mem = task_memory(T.find_task(pid))
        self.assertEqual(mem['total_vm'], int(row[6]))
        if crash_rss_counts_shmem():
            self.assertEqual(mem['rss'], int(row[7]))
        else:
            self.assertEqual(mem['anon'] + mem['file'], int(row[7]))


if __name__ == '__main__':
    unittest.main(argv=['test_taskinfo'], exit=False)

# SPDX-License-Identifier: GPL-2.0-or-later
"""Tasks of the dump (threads included): pid, state, CPU, last run, command.

Tasks come from the kernel's own lists (init_task.tasks and each
process's thread list), not from crash's task table, which misses tasks
on kernels newer than crash.  ``--pid N`` shows one task in detail: its
open files, memory and kernel stack.
"""

import argparse
import sys
from collections import Counter

from pykdump.API import crash, pylog, sys_info

from pykdump.helpers import tasks as T
from pykdump.helpers.fs import task_open_files
from pykdump.helpers.mm import task_memory
from pykdump.helpers.stack import format_frame, task_stack

__all__ = ['main', 'collect', 'TaskRow']


class TaskRow:
    """What taskinfo prints about one task, read once.

    Attributes: task (``struct task_struct *``), addr, pid, tgid, ppid,
    comm, state (one letter), cpu, ran_ago (ns), kthread, active (running
    on a CPU when the dump was taken).  A field that could not be read
    is None (and a warning was logged).
    """

    __slots__ = ('task', 'addr', 'pid', 'tgid', 'ppid', 'comm', 'state',
                 'cpu', 'ran_ago', 'kthread', 'active')

    def __init__(self, task, clocks, active, errors=None):
        self.task = task
        self.addr = int(task)
        self.active = self.addr in active
        self.pid = self.tgid = self.ppid = self.cpu = self.ran_ago = None
        self.comm = self.state = None
        self.kthread = False
        for attr, fn in (('pid', lambda t: int(t.pid)),
                         ('tgid', lambda t: int(t.tgid)),
                         ('ppid', T.task_ppid), ('comm', T.task_comm),
                         ('state', T.task_state), ('cpu', T.task_cpu),
                         ('ran_ago', lambda t: T.task_ran_ago(t, clocks)),
                         ('kthread', T.is_kernel_thread)):
            try:
                setattr(self, attr, fn(task))
            except crash.error as e:
                if errors is None:
                    pylog.warning('cannot read %s of task 0x%x: %s'
                                  % (attr, self.addr, e))
                else:
                    errors.setdefault((attr, str(e)), []).append(self.addr)

    @property
    def is_thread(self):
        """Whether this task is not its thread group's leader."""
        return self.pid is not None and self.pid != self.tgid


def _clocks():
    """The run-queue clock of each CPU (ns), 0 where unreadable."""
    return [T.rq_clock(cpu) for cpu in range(sys_info.CPUS)]


def collect():
    """Return a TaskRow for every task, sorted by (tgid, pid)."""
    try:
        active = {int(t) for t in T.active_tasks().values()}
    except crash.error as e:
        pylog.warning('cannot read the run queues: %s' % e)
        active = set()
    clocks = _clocks()
    try:
        tasks = list(T.for_each_task())
    except crash.error as e:
        pylog.warning('cannot read the task list (init_task.tasks): %s' % e)
        tasks = []
    errors = {}
    rows = [TaskRow(t, clocks, active, errors) for t in tasks]
    # One warning per kind of failure, not one per task.
    for (attr, text), addrs in sorted(errors.items()):
        pylog.warning('cannot read %s of %d task(s) (first 0x%x): %s'
                      % (attr, len(addrs), addrs[0], text))
    rows.sort(key=lambda r: (r.tgid if r.tgid is not None else -1,
                             r.pid if r.pid is not None else -1))
    return rows


def _fmt(v, fmt='%d'):
    """v formatted, or '?' when it could not be read."""
    return '?' if v is None else fmt % v


def _command(row):
    """The command column: [name] for kernel threads, as ps does."""
    comm = row.comm if row.comm is not None else '?'
    return '[%s]' % comm if row.kthread else comm


def print_table(rows):
    """Print the task table: one line per task."""
    print('   %7s %7s %7s %3s %2s %16s  %-16s  %s'
          % ('PID', 'TGID', 'PPID', 'CPU', 'ST', 'LAST RAN (ago)',
             'TASK', 'COMMAND'))
    for r in rows:
        ago = '?' if r.ran_ago is None else T.format_ns(r.ran_ago)
        print('%s  %7s %7s %7s %3s %2s %16s  %016x  %s%s'
              % ('>' if r.active else ' ', _fmt(r.pid), _fmt(r.tgid),
                 _fmt(r.ppid), _fmt(r.cpu), r.state or '?', ago, r.addr,
                 '  ' if r.is_thread else '', _command(r)))


def print_summary(rows):
    """Print counts of tasks by kind and by state."""
    threads = sum(1 for r in rows if r.is_thread)
    kthreads = sum(1 for r in rows if r.kthread)
    states = Counter(r.state or '?' for r in rows)
    print('\n%d tasks: %d processes, %d more threads; %d kernel threads'
          % (len(rows), len(rows) - threads, threads, kthreads))
    print('States: ' + ', '.join(
        '%s %d (%s)' % (s, n, T.TASK_STATE_NAMES.get(s, '?'))
        for s, n in sorted(states.items())))


def _print_files(task):
    """The open files section of --pid."""
    try:
        files = task_open_files(task)
    except crash.error as e:
        pylog.warning('cannot read the open files of pid %d: %s'
                      % (task.pid, e))
        return
    print('\n  Open files (%d):' % len(files))
    if not files:
        return
    print('    %4s  %-4s  %16s  %10s  %10s  %10s  %s'
          % ('FD', 'TYPE', 'FILE', 'INODE', 'SIZE', 'POS', 'PATH'))
    for f in files:
        print('    %4d  %-4s  %016x  %10d  %10d  %10d  %s%s'
              % (f.fd, f.type, int(f.file), f.ino, f.size, f.pos, f.path,
                 ' (deleted)' if f.deleted else ''))


def print_details(row, rows):
    """Print everything about one task (--pid)."""
    task = row.task
    by_pid = {r.pid: r for r in rows}
    parent = by_pid.get(row.ppid)
    print('PID %s (%s)  TASK %016x  TGID %s  PPID %s (%s)'
          % (_fmt(row.pid), row.comm, row.addr, _fmt(row.tgid),
             _fmt(row.ppid), parent.comm if parent else '?'))
    state = row.state or '?'
    ago = '?' if row.ran_ago is None else T.format_ns(row.ran_ago)
    print('  State: %s (%s)%s   CPU: %s   Last ran: %s ago'
          % (state, T.TASK_STATE_NAMES.get(state, '?'),
             ', on CPU now' if row.active else '', _fmt(row.cpu), ago))
    try:
        print('  Flags: 0x%x   Prio: %d   %s'
              % (task.flags, task.prio,
                 'kernel thread' if row.kthread else 'user process'))
    except crash.error as e:
        pylog.warning('cannot read flags/prio of pid %d: %s' % (row.pid, e))
    group = [r for r in rows if r.tgid == row.tgid]
    print('  Threads (%d): %s' % (len(group), ', '.join(
        '%s %s' % (_fmt(r.pid), r.comm) for r in group)))
    try:
        leader = task.group_leader
        mem = task_memory(task, [r.task for r in group] or [task])
        if leader.mm:
            print('\n  Memory: VSZ %d KiB  RSS %d KiB (anon %d, file %d, '
                  'shmem %d)  swap %d KiB'
                  % (mem['total_vm'], mem['rss'], mem['anon'], mem['file'],
                     mem['shmem'], mem['swap']))
        else:
            print('\n  Memory: none (no mm: kernel thread or exited)')
    except crash.error as e:
        pylog.warning('cannot read the memory of pid %d: %s' % (row.pid, e))
    _print_files(task)
    print('\n  Kernel stack:')
    try:
        frames = task_stack(task, row.active)
    except crash.error as e:
        pylog.warning('cannot unwind the stack of pid %d: %s'
                      % (row.pid, e))
        frames = []
    if not frames:
        print('    (none: %s)' % ('exited' if row.state in 'ZX'
                                  else 'cannot unwind'))
    for i, f in enumerate(frames):
        print('    ' + format_frame(i, f))


def parse_args(argv):
    """Parse the command line (argv without the program name)."""
    p = argparse.ArgumentParser(
        prog='taskinfo',
        description='List the tasks of the dump, threads included.')
    p.add_argument('-r', '--running', action='store_true',
                   help='only tasks in state R (running or runnable)')
    p.add_argument('--pid', type=int, metavar='N',
                   help='details of task N: memory, open files, stack')
    p.add_argument('-s', '--summary', action='store_true',
                   help='only the counts by kind and state')
    return p.parse_args(argv)


def main(argv=None):
    """Run taskinfo with argv (default: sys.argv[1:]); return 0 or 1."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    rows = collect()
    if args.pid is not None:
        row = next((r for r in rows if r.pid == args.pid), None)
        if row is None:
            print('taskinfo: no task with pid %d' % args.pid)
            return 1
        print_details(row, rows)
        return 0
    shown = [r for r in rows if r.state == 'R'] if args.running else rows
    if not args.summary:
        print_table(shown)
    print_summary(rows)
    return 0


if __name__ == '__main__':
    main()

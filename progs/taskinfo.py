# SPDX-License-Identifier: GPL-2.0-or-later
"""Tasks of the dump (threads included): pid, state, CPU, last run, command.

Tasks come from the kernel's own lists (init_task.tasks and each
process's thread list), not from crash's task table, which misses tasks
on kernels newer than crash.  ``--pid N`` shows one task in detail: its
open files, memory and kernel stack (with crash's register blocks at
interrupts, exceptions and system calls, as ``crashinfo`` lists it).

Examples::

    taskinfo                       every task: pid, state, CPU, command
    taskinfo -r                    running and runnable tasks only
    taskinfo --pid 1               one task: memory, open files, stack
    taskinfo -s                    counts by kind and state
"""

import argparse
import sys
from collections import Counter

from pykdump.API import crash, pylog, sys_info
from pykdump.progflags import TWO_LETTER_STATES, print_version, refuse

from pykdump.helpers import tasks as T
from pykdump.helpers.fs import task_open_files
from pykdump.helpers.mm import task_memory
from pykdump.helpers.stack import format_stack, task_stack

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
        if r is None:
            print('   <snip>')
            continue
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
    for line in format_stack(frames):
        print('    ' + line)


def _state_list(text):
    """argparse type of --taskfilter: PyKdump's 2-letter states, a list."""
    states = [w.strip().upper() for w in text.split(',') if w.strip()]
    known = sorted(set(TWO_LETTER_STATES.values()))
    bad = [w for w in states if w not in known]
    if bad or not states:
        raise argparse.ArgumentTypeError(
            'unknown state %s (known: %s)' % (', '.join(bad) or '""',
                                              ', '.join(known)))
    return states


def _pid_or_addr(text):
    """argparse type of --pid: a decimal pid or a 0x task address."""
    try:
        return int(text, 16 if text.lower().startswith('0x') else 10)
    except ValueError:
        raise argparse.ArgumentTypeError('not a pid or 0x address: %r'
                                         % text) from None


def parse_args(argv):
    """Parse the command line (argv without the program name).

    PyKdump's taskinfo flags keep their meaning (``-r`` is ``--recent``);
    those not implemented are refused with what to use instead.
    """
    p = argparse.ArgumentParser(
        prog='taskinfo',
        description='List the tasks of the dump, threads included.')
    p.add_argument('-r', '--recent', action='store_true',
                   help='most recently run first (PyKdump\'s -r)')
    p.add_argument('--running', action='store_true',
                   help='only tasks in state R (running or runnable)')
    p.add_argument('--taskfilter', type=_state_list, metavar='ST[,ST]',
                   help='only tasks in these PyKdump states (RU, IN, UN, '
                        'ST, TR, ZO, DE, ID, PA), e.g. UN')
    p.add_argument('--hang', action='store_true',
                   help='tasks in state UN, most recent first: the '
                        'MAXPIDS newest and MAXPIDS oldest')
    p.add_argument('--maxpids', type=int, default=8, metavar='N',
                   help='tasks printed at each end for --hang '
                        '(default 8)')
    p.add_argument('--pid', '--pidinfo', type=_pid_or_addr, metavar='N',
                   help='details of task N (a pid or a task_struct '
                        'address): memory, open files, stack')
    p.add_argument('--cmd', metavar='CMD',
                   help='after each task, the output of crash command '
                        '"CMD PID", e.g. --cmd files')
    p.add_argument('-s', '--summary', action='store_true',
                   help='only the counts by kind and state')
    p.add_argument('-v', '--verbose', action='count', default=0,
                   help='with --version: also the C module\'s version')
    p.add_argument('--version', action='store_true',
                   help='print the version and exit')
    refuse(p, '--pstree', 'the pstree command (pstree -p PID)')
    refuse(p, '--memory', "crash's ps (VSZ and RSS of each task), or "
           'taskinfo --pid N for one task')
    refuse(p, '--ns', 'xportshow --netns (network namespaces)')
    args = p.parse_args(argv)
    if args.hang:
        args.recent = True
        args.taskfilter = ['UN']
    return args


def select(rows, args):
    """The rows the options ask for, in the order to print them."""
    if args.running:
        rows = [r for r in rows if r.state == 'R']
    if args.taskfilter:
        rows = [r for r in rows
                if TWO_LETTER_STATES.get(r.state) in args.taskfilter]
    if args.recent:
        # Unknown times last, as "long ago".
        rows = sorted(rows, key=lambda r: (r.ran_ago is None,
                                           r.ran_ago or 0, r.pid or 0))
    return rows


def _print_cmd(cmd, row):
    """--cmd: the output of crash command "cmd pid" for one task."""
    line = '%s %s' % (cmd, _fmt(row.pid))
    print('\ncrash> %s' % line)
    try:
        print(crash.exec_crash_command(line).rstrip('\n'))
    except crash.error as e:
        print('taskinfo: %s failed: %s' % (line, str(e).strip()))


def main(argv=None):
    """Run taskinfo with argv (default: sys.argv[1:]); return 0 or 1."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        return print_version('taskinfo', args.verbose)
    rows = collect()
    if args.pid is not None:
        row = next((r for r in rows if r.pid == args.pid), None) or next(
            (r for r in rows if r.addr == args.pid), None)
        if row is None:
            print('taskinfo: no task with pid %d' % args.pid)
            return 1
        print_details(row, rows)
        return 0
    shown = select(rows, args)
    if args.hang and len(shown) > 2 * args.maxpids:
        skipped = len(shown) - 2 * args.maxpids
        print('%d tasks in state UN, most recent first (%d in the middle '
              'skipped)' % (len(shown), skipped))
        shown = shown[:args.maxpids] + [None] + shown[-args.maxpids:]
    if args.summary:
        print_summary(rows)
    elif args.cmd:
        for r in shown:
            if r is not None:
                print_table([r])
                _print_cmd(args.cmd, r)
                print()
    else:
        print_table(shown)
        print_summary(rows)
    return 0


if __name__ == '__main__':
    main()

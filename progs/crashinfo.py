# SPDX-License-Identifier: GPL-2.0-or-later
"""First look at a dump: system summary, panic and its task, health checks.

Without options: the system summary (kernel, uptime, CPUs, memory, load
average, taint, the panic message and the stack of the panicking task),
then health checks that report problems as warnings (tasks stuck in D
state, long run queues, memory pressure, lockup/hung-task/OOM messages
in the log, stalled workqueues).  The options print one section each:
``--stacksummary``, ``--findstacks``, ``--runq``, ``--sysctl``,
``--filelock``, ``--workqueues``.  Stacks are listed as crash's ``bt``
lists them, with its register blocks: the registers the dump saved for
a running task's CPU, those of an interrupt or exception
(``[exception RIP: ...]``), and the user-mode registers of a system call.

Examples::

    crashinfo                      summary, panic, health checks
    crashinfo -q                   only the health checks
    crashinfo --stacksummary       tasks grouped by identical stack
    crashinfo --findstacks mutex   tasks with a mutex function on the stack
    crashinfo --runq               running and queued tasks per CPU
    crashinfo --sysctl dirty       sysctl values whose name has dirty
"""

import argparse
import re
import sys
import time
from collections import defaultdict

from pykdump.API import HZ, addr2sym, crash, exec_crash_command, pylog, \
    sys_info

from pykdump.helpers import kernel as K
from pykdump.helpers import mm as MM
from pykdump.helpers import tasks as T
from pykdump.helpers.fs import for_each_file_lock
from pykdump.helpers.modules import for_each_module, module_taint
from pykdump.helpers.stack import format_stack, stack_functions, task_stack
from pykdump.progflags import print_version, refuse

__all__ = ['main', 'panic_task', 'system_summary', 'health_checks',
           'stack_groups', 'D_STATE_WARN_NS', 'RUNQ_WARN']

#: A task in D state longer than this (ns) is reported.
D_STATE_WARN_NS = 10 * 10 ** 9
#: A CPU with more runnable tasks than this is reported.
RUNQ_WARN = 8
_READ_ERRORS = (crash.error, IndexError, KeyError, TypeError, ValueError)


def _try(what, fn, *args, default=None):
    """fn(*args), or default after a warning naming what was unreadable."""
    try:
        return fn(*args)
    except _READ_ERRORS as e:
        pylog.warning('cannot read %s: %s' % (what, e))
        return default


def _crash_context_task():
    """The task crash chose as its context (the panic task), or 0."""
    try:
        out = exec_crash_command('set')
    except crash.error:
        return 0
    m = re.search(r'TASK:\s+([0-9a-f]+)', out)
    return int(m.group(1), 16) if m else 0


def panic_task(tasks=None):
    """Return ``(task, cpu)`` of the task that panicked, or (None, None).

    The task current on ``panic_cpu``; without a panic CPU, the task
    crash selected as its context (what ``bt`` shows by default).
    """
    cpu = _try('panic_cpu', K.panic_cpu)
    if cpu is not None:
        task = _try('the current task of CPU %d' % cpu,
                    lambda: T.runqueue(cpu).curr)
        if task:
            return task, cpu
    addr = _crash_context_task()
    if addr:
        for t in (tasks if tasks is not None else T.for_each_task()):
            if int(t) == addr:
                return t, _try('the CPU of the panic task', T.task_cpu, t)
    return None, None


def _mib(pages):
    """Pages as a MiB string."""
    return '%.1f MiB' % (MM.pages_to_kb(pages) / 1024.0)


def _line(key, value):
    """One summary line, keys right-aligned like crash's sys."""
    print('%12s: %s' % (key, value))


def _tasks_line(tasks):
    """TASKS: counts of processes, threads and kernel threads."""
    n = len(tasks)
    threads = sum(1 for t in tasks if t.pid != t.tgid)
    kthreads = sum(1 for t in tasks if T.is_kernel_thread(t))
    return '%d (%d processes + %d threads; %d kernel threads)' % (
        n, n - threads, threads, kthreads)


def _runq_line():
    """RUNNABLE: rq->nr_running of each CPU."""
    return ', '.join('CPU%d %d' % (cpu, rq.nr_running)
                     for cpu, rq in T.for_each_runqueue())


def _memory_lines():
    """MEMORY and SWAP lines from the kernel's counters."""
    total = _try('_totalram_pages', MM.totalram_pages)
    free = _try('NR_FREE_PAGES', MM.free_pages)
    if total:
        text = '%s (totalram_pages %d)' % (_mib(total), total)
        if free is not None:
            text += ', free %s (%d%%)' % (_mib(free), 100 * free // total)
        _line('MEMORY', text)
    swap = _try('the swap counters', MM.swap_pages)
    if swap is not None:
        stotal, sfree = swap
        _line('SWAP', 'none' if not stotal else '%s, free %s'
              % (_mib(stotal), _mib(sfree)))


def _taint_line():
    """TAINTED: letters, mask and the modules that set them."""
    mask = _try('tainted_mask', K.tainted_mask)
    if mask is None:
        return
    flags = _try('taint_flags', K.taint_flags, default=[])
    mods = []
    try:
        for mod in for_each_module():
            letters = module_taint(mod, flags)
            if letters:
                mods.append('%s(%s)' % (mod.name, letters))
    except _READ_ERRORS as e:
        pylog.warning('cannot read the module list: %s' % e)
    if not mask:
        _line('TAINTED', 'no')
        return
    letters = K.taint_string(mask, flags) or '?'
    text = '%s (tainted_mask 0x%x)' % (letters, mask)
    if mods:
        text += '; modules: ' + ', '.join(mods)
    _line('TAINTED', text)


def print_stack(task, active, indent='    '):
    """Print the kernel stack of a task."""
    frames = _try('the stack of task 0x%x' % int(task), task_stack, task,
                  active, default=[])
    if not frames:
        print(indent + '(no stack)')
    for line in format_stack(frames):
        print(indent + line)


def system_summary(tasks, records, verbose=False):
    """Print the system summary and the panic section."""
    print(' +++ System summary +++\n')
    uts = _try('init_uts_ns', K.uname, default={})
    _line('KERNEL', sys_info.get('KERNEL', '?'))
    _line('DUMPFILE', sys_info.get('DUMPFILE', '?'))
    _line('CPUS', sys_info.CPUS)
    t = _try('the time of the dump', K.dump_time)
    if t:
        _line('DATE', time.strftime('%a %b %d %H:%M:%S UTC %Y',
                                    time.gmtime(t)))
    up = _try('the uptime', K.uptime_seconds)
    if up is not None:
        _line('UPTIME', T.format_ns(int(up * 10 ** 9)))
    load = _try('avenrun', K.load_average)
    if load:
        _line('LOAD AVERAGE', ', '.join('%.2f' % v for v in load))
    _line('TASKS', _try('the tasks', _tasks_line, tasks, default='?'))
    runq = _try('the run queues', _runq_line)
    if runq:
        _line('RUNNABLE', runq)
    for key in ('nodename', 'release', 'version', 'machine'):
        if key in uts:
            _line(key.upper(), uts[key])
    _memory_lines()
    _taint_line()
    msg = K.panic_message(records)
    _line('PANIC', '"%s"' % msg if msg else 'no panic message in the log')
    task, cpu = panic_task(tasks)
    if task is None:
        print('\nNo panicking task found.')
        return
    print('\n +++ The panicking task +++\n')
    print('PID %d (%s) on CPU %s, TASK %016x'
          % (task.pid, task.comm, cpu, int(task)))
    print_stack(task, True)
    if verbose and records:
        print('\n +++ The last lines of the log +++\n')
        for line in K.log_lines(records[-30:]):
            print(line)


def _check_d_state(tasks, clocks, verbose):
    """Warn about tasks in D state, with how long they have been off CPU."""
    stuck = []
    for t in tasks:
        if _try('the state of 0x%x' % int(t), T.task_state, t) == 'D':
            ago = _try('the last run of %d' % t.pid, T.task_ran_ago, t,
                       clocks, default=0)
            stuck.append((ago, t))
    if not stuck:
        return 0
    stuck.sort(key=lambda x: -x[0])
    ago, t = stuck[0]
    pylog.warning('%d task(s) in D state (uninterruptible); longest: PID '
                  '%d (%s), %s' % (len(stuck), t.pid, t.comm,
                                   T.format_ns(ago)))
    for ago, t in stuck:
        if ago >= D_STATE_WARN_NS or verbose:
            print('    PID %-7d %-16s in D state for %s'
                  % (t.pid, t.comm, T.format_ns(ago)))
            if verbose:
                print_stack(t, False, '        ')
    return len(stuck)


def _check_runqueues():
    """Warn about CPUs with many runnable tasks."""
    n = 0
    for cpu, rq in _try('the run queues (runqueues)',
                        lambda: list(T.for_each_runqueue()), default=[]):
        nr = _try('rq->nr_running of CPU %d' % cpu,
                  lambda: int(rq.nr_running), default=0)
        if nr > RUNQ_WARN:
            pylog.warning('CPU %d has %d runnable tasks' % (cpu, nr))
            n += 1
    load = _try('avenrun', K.load_average)
    if load and load[0] > 2 * sys_info.CPUS:
        pylog.warning('load average %.2f on %d CPUs'
                      % (load[0], sys_info.CPUS))
        n += 1
    return n


def _check_memory():
    """Warn about zones below their watermarks and little free memory."""
    n = 0
    for z in _try('the memory zones', lambda: list(MM.for_each_zone()),
                  default=[]):
        if z.free < z.min:
            pylog.warning('zone %s (node %d): %d free pages, below min '
                          'watermark %d' % (z.name, z.node, z.free, z.min))
            n += 1
        elif z.free < z.low:
            pylog.warning('zone %s (node %d): %d free pages, below low '
                          'watermark %d (kswapd reclaiming)'
                          % (z.name, z.node, z.free, z.low))
            n += 1
    swap = _try('the swap counters', MM.swap_pages)
    if swap and swap[0] and swap[1] < swap[0] // 10:
        pylog.warning('swap almost full: %s free of %s'
                      % (_mib(swap[1]), _mib(swap[0])))
        n += 1
    return n


def _check_log(records, verbose):
    """Warn about lockups, hung tasks, OOM and oopses in the log."""
    problems = K.find_log_problems(records)
    by_kind = defaultdict(list)
    for kind, line in problems:
        by_kind[kind].append(line)
    for kind, lines in by_kind.items():
        pylog.warning('log: %d %s message(s), first: %s'
                      % (len(lines), kind, lines[0]))
        if verbose:
            for line in lines[1:]:
                print('    ' + line)
    return len(by_kind)


def _check_workqueues():
    """Warn about worker pools with work pending and no progress."""
    n = 0
    try:
        now = K.jiffies()
        for pool in K.for_each_worker_pool():
            pending = len(K.pool_pending_works(pool))
            if not pending:
                continue
            stall = ((now - int(pool.watchdog_ts)) & (2 ** 64 - 1)) / HZ
            if stall > 30:
                pylog.warning('workqueue pool %d (cpu %d): %d work items '
                              'pending, no progress for %.0f s'
                              % (pool.id, pool.cpu, pending, stall))
                n += 1
    except _READ_ERRORS as e:
        pylog.warning('cannot read the worker pools: %s' % e)
    return n


def health_checks(tasks, records, verbose=False):
    """Run the health checks; return the number of problems reported."""
    print('\n +++ Health checks +++\n')
    clocks = [T.rq_clock(c) for c in range(sys_info.CPUS)]
    found = 0
    found += _check_d_state(tasks, clocks, verbose)
    found += _check_runqueues()
    found += _check_memory()
    found += _check_log(records, verbose)
    found += _check_workqueues()
    zombies = [t for t in tasks if _try('a task state', T.task_state, t)
               == 'Z']
    if zombies:
        pylog.info('%d zombie task(s): %s' % (len(zombies), ', '.join(
            '%d(%s)' % (t.pid, t.comm) for t in zombies[:20])))
    if not found:
        print('No problems found.')
    return found


def stack_groups(tasks, active):
    """Return ``[(functions, [tasks])]``: tasks grouped by identical stack.

    Largest groups first; tasks without a stack (zombies) are left out.
    """
    groups = defaultdict(list)
    for t in tasks:
        frames = _try('the stack of PID %d' % t.pid, task_stack, t,
                      int(t) in active, default=[])
        if frames:
            groups[stack_functions(frames)].append(t)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def _task_list(tasks, verbose, limit=12):
    """'pid(comm) ...', shortened unless verbose."""
    names = ['%d(%s)' % (t.pid, t.comm) for t in tasks]
    if not verbose and len(names) > limit:
        names = names[:limit] + ['... %d more' % (len(names) - limit)]
    return ' '.join(names)


def print_stacksummary(tasks, active, verbose):
    """--stacksummary: one block per distinct stack."""
    groups = stack_groups(tasks, active)
    print(' +++ %d tasks, %d distinct stacks +++' % (
        sum(len(g) for _f, g in groups), len(groups)))
    for funcs, group in groups:
        print('\n------- %d task(s): %s'
              % (len(group), _task_list(group, verbose)))
        for i, name in enumerate(funcs):
            print('  #%-2d %s' % (i, name))


def print_findstacks(tasks, active, pattern):
    """--findstacks: tasks with a function matching pattern on the stack."""
    regex = re.compile(pattern)
    n = 0
    for t in tasks:
        frames = _try('the stack of PID %d' % t.pid, task_stack, t,
                      int(t) in active, default=[])
        if any(regex.search(f.func or '') for f in frames):
            n += 1
            print('PID %d (%s) TASK %016x CPU %s ST %s'
                  % (t.pid, t.comm, int(t), _try('cpu', T.task_cpu, t),
                     _try('state', T.task_state, t)))
            for line in format_stack(frames):
                print('    ' + line)
            print()
    print('%d task(s) with a function matching %r on the stack'
          % (n, pattern))


def print_runq(active):
    """--runq: per CPU, the running task and the queued ones."""
    clocks = []
    for cpu, rq in _try('the run queues (runqueues)',
                        lambda: list(T.for_each_runqueue()), default=[]):
        clocks.append(_try('the clock of CPU %d' % cpu,
                           lambda: int(rq.clock), default=0))
        cur = active.get(cpu)
        nr = _try('nr_running', lambda: int(rq.nr_running), default='?')
        print('CPU %d: %s runnable; current: %s' % (
            cpu, nr, 'PID %d (%s)' % (cur.pid, cur.comm) if cur else '?'))
        queues = T.rq_queued_tasks(rq)
        for name in ('RT', 'CFS'):
            q = queues.get(name, [])
            print('  %s queue: %s' % (name, 'empty' if not q else
                                      '%d task(s)' % len(q)))
            for t in q:
                print('      PID %-7d %-16s prio %d' % (t.pid, t.comm,
                                                        t.prio))
    if clocks and max(clocks) - min(clocks) > 10 ** 9 * 5:
        pylog.warning('run-queue clocks differ by %s between CPUs'
                      % T.format_ns(max(clocks) - min(clocks)))


def print_sysctl(pattern, verbose):
    """--sysctl [PATTERN]: sysctl values (default: the well-known ones)."""
    names = None if pattern else set(K.WELL_KNOWN_SYSCTLS)
    regex = re.compile(pattern) if pattern else None
    shown = 0
    try:
        for name, table in K.for_each_sysctl():
            if names is not None and name not in names:
                continue
            if regex is not None and not regex.search(name):
                continue
            value = _try('sysctl %s' % name, K.sysctl_value, table)
            if value is None and name in K.WELL_KNOWN_SYSCTLS:
                # The handler computes it: read the kernel variable.
                value = _try('sysctl %s' % name, K.read_sysctl_variable,
                             name)
            if value is None:
                if not verbose:
                    continue
                value = '(computed by %s)' % (addr2sym(
                    int(table.proc_handler)) or '?')
            print('%-45s = %s' % (name, value.replace('\t', ' ')))
            shown += 1
    except _READ_ERRORS as e:
        pylog.warning('cannot walk the sysctl tree (%s): reading the '
                      'variables of the well-known ones' % e)
        for name in sorted(K.WELL_KNOWN_SYSCTLS):
            if regex is None or regex.search(name):
                value = _try('sysctl %s' % name, K.read_sysctl_variable,
                             name)
                if value is not None:
                    print('%-45s = %s' % (name, value))
                    shown += 1
    if not shown:
        print('No sysctl matches %r' % pattern)


def print_filelock():
    """--filelock: every file lock held, with its waiters."""
    locks = _try('file_lock_list', lambda: list(for_each_file_lock()),
                 default=None)
    if locks is None:
        return
    if not locks:
        print('No file locks.')
        return
    print('%-16s %-6s %-5s %7s %12s %12s %4s  %s'
          % ('FILE_LOCK', 'KIND', 'TYPE', 'PID', 'START', 'END', 'WAIT',
             'PATH'))
    for lk in locks:
        end = 'EOF' if lk.end >= 2 ** 63 - 1 else str(lk.end)
        print('%016x %-6s %-5s %7d %12d %12s %4d  %s'
              % (int(lk.lock), lk.kind, lk.type, lk.pid, lk.start, end,
                 lk.blocked, lk.path))


def print_workqueues(verbose):
    """--workqueues: worker pools (busy and pending work), workqueues."""
    print('%4s %4s %7s %5s %7s %7s  %s'
          % ('POOL', 'CPU', 'WORKERS', 'IDLE', 'RUNNING', 'PENDING',
             'FLAGS'))
    try:
        pools = list(K.for_each_worker_pool())
    except _READ_ERRORS as e:
        pylog.warning('cannot read the worker pools: %s' % e)
        pools = []
    for pool in pools:
        try:
            pending = K.pool_pending_works(pool)
            busy = K.pool_busy_workers(pool)
            print('%4d %4d %7d %5d %7d %7d  0x%x'
                  % (pool.id, pool.cpu, pool.nr_workers, pool.nr_idle,
                     pool.nr_running, len(pending), pool.flags))
            for w in busy:
                print('        busy: PID %d running %s' % (
                    w.task.pid, addr2sym(int(w.current_func)) or
                    '%x' % int(w.current_func)))
            for work in pending:
                print('        pending: %s' % (addr2sym(int(work.func)) or
                                               '%x' % int(work.func)))
        except _READ_ERRORS as e:
            pylog.warning('cannot read worker pool 0x%x: %s' % (pool, e))
    print('\n%-24s %8s  %s' % ('WORKQUEUE', 'FLAGS', 'ACTIVE/MAX (pool)'))
    try:
        for wq in K.for_each_workqueue():
            pwqs = K.workqueue_pwqs(wq)
            busy = any(p.nr_active for p in pwqs)
            if not (busy or verbose):
                continue
            print('%-24s %8x  %s' % (wq.name, wq.flags, ' '.join(
                '%d/%d(%d)' % (p.nr_active, K.pwq_max_active(p), p.pool.id)
                for p in pwqs)))
    except _READ_ERRORS as e:
        pylog.warning('cannot read the workqueues: %s' % e)
    if not verbose:
        print('(workqueues with active work only; -v for all)')


def parse_args(argv):
    """Parse the command line (argv without the program name)."""
    p = argparse.ArgumentParser(
        prog='crashinfo',
        description='System summary, panic and health checks of a dump.')
    p.add_argument('--stacksummary', action='store_true',
                   help='group tasks by identical kernel stack')
    p.add_argument('--findstacks', metavar='PATTERN',
                   help='tasks with a function matching PATTERN (a '
                        'regular expression) on their stack')
    p.add_argument('--runq', action='store_true',
                   help='run queues: running and queued tasks per CPU')
    p.add_argument('--sysctl', nargs='?', const='', metavar='PATTERN',
                   help='sysctl values (well-known ones, or all names '
                        'matching PATTERN)')
    p.add_argument('--filelock', action='store_true',
                   help='file locks held and their waiters')
    p.add_argument('--workqueues', '--keventd_wq', '--kblockd_wq',
                   action='store_true',
                   help='worker pools and workqueues (kblockd and events '
                        'among them)')
    p.add_argument('-v', '--verbose', action='count', default=0,
                   help='more detail')
    p.add_argument('-q', '--quiet', action='store_true',
                   help='only the health checks, no summary')
    p.add_argument('--fast', action='store_true',
                   help='accepted: no check here is slow')
    p.add_argument('--version', action='store_true',
                   help='print the version and exit')
    for flags, instead, takes in (
            ('--ext3', "crash's mount", 0),
            ('--blkreq', "crash's dev -d (I/O in flight per disk)", 0),
            ('--blkdevs', "crash's dev -d", 0),
            ('--devmapper', "crash's dev -d (dm-N disks)", 0),
            ('--checkstacks', "crash's foreach bt (it flags bad stacks)", 0),
            ('--decodesyscalls', "crash's bt -f PID", 1),
            ('--lws', "crash's waitq ADDR, and --stacksummary", 0),
            ('--semaphore', "crash's struct semaphore ADDR", 1),
            ('--rwsemaphore', "crash's struct rw_semaphore ADDR", 1),
            ('--mutex', "crash's struct mutex ADDR", 1),
            ('--umem', "crash's ps (RSS of each task) or taskinfo --pid N",
             0),
            ('--ls', "crash's files -d DENTRY", 1),
            ('--radix_tree_element', "crash's tree -t radix", '*'),
            ('--pci', "crash's dev -p", 0)):
        refuse(p, flags, instead, takes)
    args = p.parse_args(argv)
    if args.findstacks is not None:
        try:
            re.compile(args.findstacks)
        except re.error as e:
            p.error('bad PATTERN %r: %s' % (args.findstacks, e))
    if args.sysctl:
        try:
            re.compile(args.sysctl)
        except re.error as e:
            p.error('bad PATTERN %r: %s' % (args.sysctl, e))
    return args


def _active():
    """{cpu: task} of the running tasks, {} if the run queues fail."""
    return _try('the run queues', T.active_tasks, default={})


def main(argv=None):
    """Run crashinfo with argv (default: sys.argv[1:]); return 0."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        return print_version('crashinfo', args.verbose)
    sections = (args.stacksummary or args.findstacks is not None or
                args.runq or args.sysctl is not None or args.filelock or
                args.workqueues)
    tasks = _try('the task list (init_task.tasks)',
                 lambda: list(T.for_each_task()), default=[])
    if sections:
        active = _active()
        active_addrs = {int(t) for t in active.values()}
        if args.runq:
            print_runq(active)
        if args.sysctl is not None:
            print_sysctl(args.sysctl, args.verbose)
        if args.filelock:
            print_filelock()
        if args.workqueues:
            print_workqueues(args.verbose)
        if args.stacksummary:
            print_stacksummary(tasks, active_addrs, args.verbose)
        if args.findstacks is not None:
            print_findstacks(tasks, active_addrs, args.findstacks)
        return 0
    records = _try('the kernel log', K.log_records, default=[])
    if not args.quiet:
        system_summary(tasks, records, args.verbose)
    health_checks(tasks, records, args.verbose)
    return 0


if __name__ == '__main__':
    main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""Tasks: the process list, thread groups, task states, CPUs, run queues.

Mirrors ``include/linux/sched.h`` (``struct task_struct``, the TASK_*
state bits), ``include/linux/sched/signal.h`` (``for_each_process``,
``for_each_thread``), ``fs/proc/array.c`` (``task_state_array``: the
letters ``ps`` prints) and ``kernel/sched/sched.h`` (``struct rq``).

Tasks are found from the kernel's own lists (``init_task.tasks`` and
each leader's ``signal->thread_head``), never from crash's task table,
which misses tasks on kernels newer than the crash binary.
"""

from pykdump.helpers.list import readSUListFromHead
from pykdump.helpers.percpu import percpu_addresses
from pykdump.helpers.rbtree import rbtree_walk
from pykdump.logging import PyLog
from pykdump.lowlevel import Addr, CrashError, StructResult, container_of
from pykdump.symbols import member_offset, sym2addr

__all__ = ['TASK_STATE_NAMES', 'PF_KTHREAD', 'for_each_process',
           'for_each_thread', 'for_each_task', 'task_state',
           'task_state_bits', 'task_cpu', 'task_ppid', 'task_comm',
           'is_kernel_thread', 'is_group_leader', 'find_task',
           'thread_count', 'task_last_arrival', 'for_each_runqueue',
           'runqueue', 'rq_clock', 'task_ran_ago', 'active_tasks',
           'rq_queued_tasks', 'format_ns']

pylog = PyLog()

# fs/proc/array.c task_state_array: one letter per bit of TASK_REPORT,
# then "I" for TASK_REPORT_IDLE (stable since Linux 4.14, commit
# 06eb61844d84 "sched/debug: Add explicit TASK_IDLE printing").
_STATE_LETTERS = 'RSDTtXZPI'
TASK_STATE_NAMES = {
    'R': 'running', 'S': 'sleeping', 'D': 'disk sleep', 'T': 'stopped',
    't': 'tracing stop', 'X': 'dead', 'Z': 'zombie', 'P': 'parked',
    'I': 'idle',
}
_TASK_UNINTERRUPTIBLE = 0x2
_TASK_NOLOAD = 0x400
_TASK_IDLE = _TASK_UNINTERRUPTIBLE | _TASK_NOLOAD
_TASK_RTLOCK_WAIT = 0x1000
_TASK_REPORT = 0x7f
_TASK_REPORT_IDLE = 0x80

#: ``task_struct.flags`` bit of kernel threads (include/linux/sched.h).
PF_KTHREAD = 0x00200000


def for_each_process(*, maxel=100000):
    """Generate every thread-group leader, init_task (pid 0) first.

    C equivalent: ``for_each_process(p)`` in
    ``include/linux/sched/signal.h``.

    Read from the kernel's own list (``init_task.tasks``): crash's task
    table misses tasks on some kernels.

    :return: ``struct task_struct *`` StructResults
    """
    init = StructResult('struct task_struct', sym2addr('init_task'))
    yield init
    yield from readSUListFromHead(Addr(init, 'tasks'), 'tasks',
                                  'struct task_struct', maxel=maxel)


def for_each_thread(leader, *, maxel=100000):
    """Generate every thread of the thread group of leader.

    C equivalent: ``for_each_thread(p, t)`` in
    ``include/linux/sched/signal.h``. A group whose list cannot be read
    (a zombie leader without signal_struct, a broken list) gives just the
    leader, with a warning for a broken list.

    :param leader: ``struct task_struct *``
    :return: ``struct task_struct *`` StructResults, leader included
    """
    # Linux commit 0c740d0afc3b ("introduce for_each_thread() to replace
    # the buggy while_each_thread()") (v3.14) added signal->thread_head;
    # before it, threads were linked on task->thread_group.
    try:
        if member_offset('struct signal_struct', 'thread_head') >= 0:
            threads = readSUListFromHead(Addr(leader.signal, 'thread_head'),
                                         'thread_node', 'struct task_struct',
                                         maxel=maxel)
        else:
            threads = [leader] + readSUListFromHead(
                Addr(leader, 'thread_group'), 'thread_group',
                'struct task_struct', maxel=maxel)
    except CrashError as exc:
        pylog.warning('cannot read the threads of task 0x%x: %s'
                      % (leader, exc))
        threads = []
    yield from threads or [leader]


def for_each_task(*, maxel=100000):
    """Generate every task (each thread of each process).

    C equivalent: ``for_each_process_thread(p, t)``.

    :return: ``struct task_struct *`` StructResults
    """
    for leader in for_each_process(maxel=maxel):
        yield from for_each_thread(leader, maxel=maxel)


def task_state_bits(task):
    """Return ``(state, exit_state)`` of task, as integers.

    C equivalent: ``READ_ONCE(task->__state)``, ``task->exit_state``.
    """
    # Linux commit 2f064a59a11f ("sched: Change task_struct::state")
    # (v5.14) renamed state to __state and made it an unsigned int.
    if member_offset('struct task_struct', '__state') >= 0:
        state = getattr(task, '__state')
    else:
        state = task.state
    return int(state), int(task.exit_state)


def task_state(task):
    """Return the one-letter state ``ps`` shows: R S D T t X Z P I.

    C equivalent: ``task_state_to_char(task)`` (``include/linux/sched.h``,
    ``__task_state_index()``).
    """
    state, exit_state = task_state_bits(task)
    report = (state | exit_state) & _TASK_REPORT
    if (state & _TASK_IDLE) == _TASK_IDLE:
        report = _TASK_REPORT_IDLE
    if state == _TASK_RTLOCK_WAIT:
        report = _TASK_UNINTERRUPTIBLE
    return _STATE_LETTERS[report.bit_length()]


def task_cpu(task):
    """Return the CPU task last ran on (or runs on).

    C equivalent: ``task_cpu(p)`` in ``include/linux/sched.h``.
    """
    # Linux commit bcf9033e5449 ("sched: move CPU field back into
    # thread_info if THREAD_INFO_IN_TASK") (v5.16) moved it back from
    # task->cpu to task->thread_info.cpu.
    if member_offset('struct thread_info', 'cpu') >= 0 and \
            member_offset('struct task_struct', 'thread_info') >= 0:
        return int(task.thread_info.cpu)
    return int(task.cpu)


def task_ppid(task):
    """Return the pid of the parent process (what ``getppid()`` returns).

    C equivalent: ``task_ppid_nr(tsk)`` = ``real_parent->tgid``; 0 for
    pid 0 and for a task whose parent cannot be read.
    """
    try:
        parent = task.real_parent
        if not parent or parent == task:
            return 0
        return int(parent.tgid)
    except CrashError:
        return 0


def task_comm(task):
    """Return task->comm, the command name (a str).

    C equivalent: ``get_task_comm(buf, tsk)``; C type ``char [16]``.
    """
    return str(task.comm)


def is_kernel_thread(task):
    """Whether task is a kernel thread (PF_KTHREAD; pid 0 too).

    C equivalent: ``tsk->flags & PF_KTHREAD``.
    """
    return bool(task.flags & PF_KTHREAD) or task.pid == 0


def is_group_leader(task):
    """Whether task leads its thread group.

    C equivalent: ``thread_group_leader(p)`` (``p->exit_signal >= 0``
    since 2.6; here ``p->group_leader == p``, which needs no signal).
    """
    return int(task.group_leader) == int(task)


def find_task(pid, tasks=None):
    """Return the task (any thread) whose pid is pid, or None.

    C equivalent: ``find_task_by_pid_ns(nr, &init_pid_ns)``, by walking
    the task list (the pid hash is what crash misreads on new kernels).

    :param tasks: an iterable of tasks to search (default: all tasks)
    """
    for t in (tasks if tasks is not None else for_each_task()):
        if t.pid == pid:
            return t
    return None


def thread_count(leader):
    """Return the number of threads of leader's thread group.

    C equivalent: ``get_nr_threads(tsk)`` = ``tsk->signal->nr_threads``
    (counted from the list when the signal struct is unreadable).
    """
    try:
        return int(leader.signal.nr_threads)
    except CrashError:
        return sum(1 for _t in for_each_thread(leader))


def task_last_arrival(task):
    """Return when task last started to run, in ns of its rq clock.

    C equivalent: ``t->sched_info.last_arrival`` (CONFIG_SCHED_INFO);
    without it ``t->se.exec_start``.
    """
    if member_offset('struct sched_info', 'last_arrival') >= 0 and \
            member_offset('struct task_struct', 'sched_info') >= 0:
        return int(task.sched_info.last_arrival)
    return int(task.se.exec_start)


def for_each_runqueue():
    """Generate ``(cpu, rq)`` for every possible CPU.

    C equivalent: ``for_each_possible_cpu(cpu) cpu_rq(cpu)`` with
    ``DEFINE_PER_CPU_SHARED_ALIGNED(struct rq, runqueues)`` in
    ``kernel/sched/core.c``.

    :return: ``(int, struct rq *)``
    """
    for cpu, addr in enumerate(percpu_addresses('runqueues')):
        yield cpu, StructResult('struct rq', addr)


def runqueue(cpu):
    """Return ``cpu_rq(cpu)``: the ``struct rq`` of one CPU."""
    return StructResult('struct rq', percpu_addresses('runqueues')[cpu])


def rq_clock(cpu):
    """Return ``cpu_rq(cpu)->clock`` (ns), or 0 if it cannot be read."""
    try:
        return int(runqueue(cpu).clock)
    except (CrashError, IndexError):  # IndexError: no such CPU
        return 0


def task_ran_ago(task, clocks=None):
    """Return how long ago task last started to run, in ns.

    The difference between its CPU's run-queue clock and
    ``sched_info.last_arrival`` (what crash's ``ps -l``/``-m`` use).

    :param clocks: a list of rq clocks by CPU, to avoid re-reading them
    """
    cpu = task_cpu(task)
    if clocks is None:
        clock = rq_clock(cpu)
    else:
        clock = clocks[cpu] if 0 <= cpu < len(clocks) else 0
    return max(0, clock - task_last_arrival(task))


def active_tasks():
    """Return ``{cpu: task}``: the task running on each CPU.

    C equivalent: ``cpu_curr(cpu)`` = ``cpu_rq(cpu)->curr``.
    """
    out = {}
    for cpu, rq in for_each_runqueue():
        try:
            out[cpu] = rq.curr
        except CrashError as e:
            pylog.warning('cannot read the current task of CPU %d: %s'
                          % (cpu, e))
    return out


def _cfs_tasks(cfs, depth=0):
    """Tasks queued on a cfs_rq, descending into group entities."""
    if depth > 16:
        return
    root = cfs.tasks_timeline
    # Linux commit bfb068892d30 ("sched/fair: replace cfs_rq->rb_leftmost")
    # (v4.14) made tasks_timeline an rb_root_cached.
    if root.hasField('rb_root'):
        root = root.rb_root
    for se in rbtree_walk(root, 'struct sched_entity', 'run_node'):
        my_q = se.my_q if se.hasField('my_q') else 0
        if my_q:
            yield from _cfs_tasks(my_q, depth + 1)
        else:
            yield container_of(se, 'struct task_struct', 'se')


def _rt_tasks(rt):
    """Tasks queued on an rt_rq, highest priority first."""
    for head in rt.active.queue:
        for rt_se in readSUListFromHead(Addr(head), 'run_list',
                                        'struct sched_rt_entity'):
            if rt_se.hasField('my_q') and rt_se.my_q:
                yield from _rt_tasks(rt_se.my_q)
            else:
                yield container_of(rt_se, 'struct task_struct', 'rt')


def rq_queued_tasks(rq):
    """Return ``{'RT': [...], 'CFS': [...]}``: tasks waiting on rq.

    C equivalent: the ``rq->rt.active`` priority lists and the
    ``rq->cfs.tasks_timeline`` rbtree (the running task is not on them).
    """
    out = {}
    for name, fn, sub in (('RT', _rt_tasks, 'rt'),
                          ('CFS', _cfs_tasks, 'cfs')):
        try:
            out[name] = list(fn(getattr(rq, sub)))
        except CrashError as e:
            pylog.warning('cannot read the %s queue of CPU %d: %s'
                          % (name, rq.cpu, e))
            out[name] = []
    return out


def format_ns(ns):
    """Return a duration in ns as ``[D ]HH:MM:SS.mmm``."""
    ms = ns // 1000000
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    d, h = divmod(h, 24)
    text = '%02d:%02d:%02d.%03d' % (h, m, s, ms)
    return ('%d %s' % (d, text)) if d else text

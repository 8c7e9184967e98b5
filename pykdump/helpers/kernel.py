# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel as a whole: uname, uptime, load, taint, log, panic, sysctl.

Mirrors ``include/linux/utsname.h`` (``init_uts_ns``),
``include/linux/sched/loadavg.h`` (``avenrun``, FSHIFT),
``include/linux/panic.h`` and ``kernel/panic.c`` (``taint_flags``,
``tainted_mask``, ``panic_cpu``), ``kernel/printk/printk_ringbuffer.h``
(``prb``: the log buffer since v5.10), ``include/linux/sysctl.h`` and
``fs/proc/proc_sysctl.c`` (the sysctl tree), and
``kernel/workqueue.c`` (worker pools and workqueues).
"""

import re
import struct
from collections import namedtuple

from pykdump.API import (Addr, HZ, addr2sym, container_of, crash,
                         exec_crash_command, field_offset,
                         hlist_for_each_entry, idr_walk, member_offset,
                         pylog, rbtree_walk, readmem, readPtr, readSU,
                         readSUListFromHead, readSymbol, symbol_exists,
                         type_size, whatis)

__all__ = ['uname', 'uptime_seconds', 'jiffies', 'load_average',
           'dump_time', 'tainted_mask', 'taint_flags', 'taint_string',
           'LogRecord', 'log_records', 'log_lines', 'panic_cpu',
           'panic_message', 'find_log_problems', 'for_each_sysctl',
           'sysctl_value', 'WELL_KNOWN_SYSCTLS', 'read_sysctl_variable',
           'for_each_worker_pool', 'for_each_workqueue',
           'pool_pending_works', 'pool_busy_workers', 'workqueue_pwqs',
           'pwq_max_active']


# ---------------------------------------------------------------------
# uname, time, load

def uname():
    """Return ``init_uts_ns.name`` as a dict (sysname, nodename, ...).

    C equivalent: ``init_utsname()`` (``struct new_utsname``).
    """
    name = readSymbol('init_uts_ns').name
    return {f: str(getattr(name, f)) for f in
            ('sysname', 'nodename', 'release', 'version', 'machine',
             'domainname')}


def jiffies():
    """Return ``jiffies_64``, the tick counter at the time of the dump."""
    return int(readSymbol('jiffies_64'))


def uptime_seconds():
    """Return the time since boot, in seconds (a float).

    C equivalent: ``(jiffies_64 - INITIAL_JIFFIES) / HZ``; the same as
    crash's ``get_uptime()``.
    """
    try:
        return crash.get_uptime() / HZ
    except crash.error:
        # INITIAL_JIFFIES is -300 s as an unsigned int (include/linux/
        # jiffies.h), so the counter wraps 5 minutes after boot on 32 bits.
        initial = (-300 * HZ) & 0xffffffff
        return ((jiffies() - initial) & (2 ** 64 - 1)) / HZ


def load_average():
    """Return the 1, 5 and 15 minute load averages (floats).

    C equivalent: ``avenrun[3]`` in fixed point with ``FSHIFT`` = 11
    bits of fraction (``include/linux/sched/loadavg.h``).
    """
    return tuple(v / 2048.0 for v in readSymbol('avenrun'))


def dump_time():
    """Return the wall-clock time of the dump, seconds since the epoch.

    C equivalent: ``tk_core.timekeeper.xtime_sec``
    (``kernel/time/timekeeping.c``); older kernels: ``xtime.tv_sec``.
    """
    if symbol_exists('tk_core'):
        return int(readSymbol('tk_core').timekeeper.xtime_sec)
    # The auxiliary-clock rework of kernel/time/timekeeping.c (v6.17)
    # made tk_core an entry of timekeeper_data[] (TIMEKEEPER_CORE = 0):
    # 7.2 has only that symbol.
    if symbol_exists('timekeeper_data'):
        return int(readSymbol('timekeeper_data')[0].timekeeper.xtime_sec)
    return int(readSymbol('xtime').tv_sec)


# ---------------------------------------------------------------------
# Taint

def tainted_mask():
    """Return ``tainted_mask``: one bit per TAINT_* (kernel/panic.c)."""
    return int(readSymbol('tainted_mask'))


def taint_flags():
    """Return ``[(c_true, c_false, module), ...]`` by TAINT_* bit.

    C equivalent: ``const struct taint_flag taint_flags[TAINT_FLAGS_COUNT]``
    (``kernel/panic.c``). ``module`` is True where the kernel's
    ``struct taint_flag`` has no ``module`` member (7.2 has only
    ``c_true``, ``c_false`` and ``desc``): its ``module_flags_taint()``
    prints every bit set in ``mod->taints``, which only ever gets the
    per-module taints.
    """
    out = []
    for tf in readSymbol('taint_flags'):
        module = bool(tf.module) if tf.hasField('module') else True
        out.append((chr(tf.c_true), chr(tf.c_false), module))
    return out


def taint_string(mask=None, flags=None, full=False):
    """Return the letters of the taint bits set in mask (default: kernel).

    ``full=True`` gives what ``print_tainted()`` prints: one column per
    flag, ``c_false`` for the clear ones ('G', ' '...).
    """
    if mask is None:
        mask = tainted_mask()
    if flags is None:
        flags = taint_flags()
    if full:
        return ''.join(t if mask & (1 << i) else f
                       for i, (t, f, _m) in enumerate(flags))
    return ''.join(t for i, (t, _f, _m) in enumerate(flags)
                   if mask & (1 << i))


# ---------------------------------------------------------------------
# The log buffer

LogRecord = namedtuple('LogRecord', 'seq ts_nsec level text')
LogRecord.__doc__ = """One printk record: sequence number, time stamp in
ns since boot, log level and the text (may hold several lines)."""

# printk_ringbuffer.h: the two top bits of state_var are the state.
_DESC_COMMITTED, _DESC_FINALIZED = 1, 2


def _prb_records(prb):
    """Records of a struct printk_ringbuffer, oldest first."""
    dr = prb.desc_ring
    count = 1 << int(dr.count_bits)
    tdr = prb.text_data_ring
    size = 1 << int(tdr.size_bits)
    # int() of a char * field is the field's address (COMPAT §24.8).
    data = readmem(readPtr(Addr(tdr, 'data')), size)
    dsize = type_size('struct prb_desc')
    isize = type_size('struct printk_info')
    descs = readmem(int(dr.descs), dsize * count)
    infos = readmem(int(dr.infos), isize * count)
    o_sv = field_offset('struct prb_desc', 'state_var')
    o_begin = field_offset('struct prb_desc', 'text_blk_lpos.begin')
    o_next = field_offset('struct prb_desc', 'text_blk_lpos.next')
    o_seq = field_offset('struct printk_info', 'seq')
    o_ts = field_offset('struct printk_info', 'ts_nsec')
    o_len = field_offset('struct printk_info', 'text_len')
    # level is a 3-bit field after the 5-bit flags, in the byte after
    # facility: read the byte and shift (printk_info in printk_ringbuffer.h).
    o_lvl = field_offset('struct printk_info', 'facility') + 1
    mask = (1 << 62) - 1
    tail = int(dr.tail_id.counter) & mask
    head = int(dr.head_id.counter) & mask
    n = ((head - tail) & mask) + 1
    if n > count:
        pylog.warning('log buffer: head/tail ids out of range, '
                      'reading the whole ring')
        n = count
    for k in range(n):
        rid = (tail + k) & mask
        idx = rid % count
        d = idx * dsize
        sv = struct.unpack_from('<Q', descs, d + o_sv)[0]
        begin = struct.unpack_from('<Q', descs, d + o_begin)[0]
        nxt = struct.unpack_from('<Q', descs, d + o_next)[0]
        if (sv & mask) != rid or \
                (sv >> 62) not in (_DESC_COMMITTED, _DESC_FINALIZED):
            continue
        base = idx * isize
        seq = struct.unpack_from('<Q', infos, base + o_seq)[0]
        ts = struct.unpack_from('<Q', infos, base + o_ts)[0]
        tlen = struct.unpack_from('<H', infos, base + o_len)[0]
        level = infos[base + o_lvl] >> 5
        if begin & 1 or nxt & 1:
            text = b''      # a data-less record (FAILED_LPOS/NO_LPOS)
        elif begin // size == nxt // size and begin < nxt:
            off = begin % size + 8
            text = data[off:off + tlen]
        elif (begin + size) // size == nxt // size:
            text = data[8:8 + tlen]   # the block wrapped to the ring start
        else:
            continue
        yield LogRecord(seq, ts, level,
                        text.decode('utf-8', 'backslashreplace'))


_LOG_RE = re.compile(r'^\[\s*(\d+)\.(\d+)\]\s?(.*)$')


def _crash_log_records():
    """Records parsed from crash's ``log`` (when prb is not readable)."""
    rec = None
    seq = 0
    for line in exec_crash_command('log').splitlines():
        m = _LOG_RE.match(line)
        if m:
            if rec is not None:
                yield rec
            ts = int(m.group(1)) * 10 ** 9 + int(m.group(2).ljust(9, '0'))
            rec = LogRecord(seq, ts, None, m.group(3))
            seq += 1
        elif rec is not None:
            # A further line of a multi-line record, indented by crash.
            rec = rec._replace(text=rec.text + '\n' + line[15:])
    if rec is not None:
        yield rec


def log_records():
    """Return the kernel log as a list of LogRecords, oldest first.

    C equivalent: reading ``prb`` (``struct printk_ringbuffer *``) as
    ``kmsg_dump`` does; kernels before v5.10 or an unreadable ring: the
    output of crash's ``log`` command.
    """
    # Linux commit 896fbe20b4e2 ("printk: use the lockless ringbuffer")
    # (v5.10) replaced log_buf with prb.
    if symbol_exists('prb'):
        try:
            return list(_prb_records(readSymbol('prb')))
        except (crash.error, IndexError, struct.error) as e:
            pylog.warning('cannot read the printk ring buffer (%s): using '
                          'crash\'s log' % e)
    return list(_crash_log_records())


def log_lines(records=None):
    """Return the log as crash's ``log`` prints it.

    ``[   12.345678] text``; the further lines of a multi-line record
    are indented under the text, without a time stamp.
    """
    out = []
    for r in (records if records is not None else log_records()):
        s, ns = divmod(r.ts_nsec, 10 ** 9)
        prefix = '[%5d.%06d] ' % (s, ns // 1000)
        for i, text in enumerate(r.text.split('\n')):
            out.append((prefix if i == 0 else ' ' * len(prefix)) + text)
    return out


# ---------------------------------------------------------------------
# Panic

def panic_cpu():
    """Return the CPU that called panic(), or None.

    C equivalent: ``atomic_read(&panic_cpu)``; ``PANIC_CPU_INVALID``
    (-1) means no panic.
    """
    if not symbol_exists('panic_cpu'):
        return None
    v = readSymbol('panic_cpu')
    v = int(v.counter if hasattr(v, 'counter') else v)
    if v >= 2 ** 31:
        v -= 2 ** 32
    return v if v >= 0 else None


_PANIC_RE = re.compile(r'^\s*Kernel panic - not syncing: ?(.*?)\s*$')
# panic() ends with this line (kernel/panic.c), also after a log wrap.
_PANIC_END_RE = re.compile(r'---\[ end Kernel panic - not syncing: ?(.*?)'
                           r' \]---')
_OOPS_RE = re.compile(r'(BUG: .*|Oops: .*|general protection fault.*|'
                      r'kernel BUG at .*)$')


def panic_message(records=None):
    """Return the message of the last panic in the log, or None.

    The text after ``Kernel panic - not syncing:`` (what ``panic(fmt)``
    printed); without one, the first oops line (``BUG:``, ``Oops:``...).
    """
    lines = [ln for r in (records if records is not None
                          else log_records())
             for ln in r.text.split('\n')]
    for regex in (_PANIC_RE, _PANIC_END_RE):
        for line in reversed(lines):
            m = regex.search(line)
            if m:
                return m.group(1).strip()
    for line in lines:
        m = _OOPS_RE.search(line)
        if m:
            return m.group(1).strip()
    return None


# What the kernel prints when a detector fires: (kind, pattern).
_PROBLEMS = [
    ('soft lockup', re.compile(r'soft lockup - CPU#\d+ stuck')),
    ('hard lockup', re.compile(r'[Hh]ard LOCKUP|NMI watchdog: .*LOCKUP')),
    ('hung task', re.compile(r'blocked for more than \d+ seconds')),
    ('RCU stall', re.compile(r'rcu_\w+ (self-)?detected stall|'
                             r'rcu: INFO: .*stall')),
    ('out of memory', re.compile(r'Out of memory|invoked oom-killer')),
    ('oops', re.compile(r'BUG: |Oops: |general protection fault|'
                        r'kernel BUG at')),
    ('warning', re.compile(r'WARNING: CPU: \d+ PID: \d+')),
    ('workqueue stall', re.compile(r'BUG: workqueue lockup')),
]


def find_log_problems(records=None):
    """Return ``[(kind, line), ...]``: lockup/hung-task/OOM/oops lines.

    The messages of the kernel's own detectors (watchdog.c,
    hung_task.c, rcu, oom_kill.c, traps), in log order.
    """
    out = []
    for r in (records if records is not None else log_records()):
        for line in r.text.split('\n'):
            for kind, pat in _PROBLEMS:
                if pat.search(line):
                    out.append((kind, line.strip()))
                    break
    return out


# ---------------------------------------------------------------------
# sysctl

_S_IFMT, _S_IFDIR = 0o170000, 0o040000

# proc handler -> how its data is laid out (kernel/sysctl.c).
_INT_HANDLERS = ('proc_dointvec', 'proc_dointvec_minmax',
                 'proc_dointvec_jiffies', 'proc_dointvec_ms_jiffies',
                 'proc_dointvec_userhz_jiffies', 'proc_dobool',
                 'proc_douintvec', 'proc_douintvec_minmax',
                 'proc_dou8vec_minmax', 'proc_do_static_key',
                 'proc_watchdog_thresh', 'proc_watchdog',
                 'proc_nmi_watchdog', 'proc_soft_watchdog',
                 'proc_taint', 'sysrq_sysctl_handler', 'pid_max',
                 'proc_dointvec_minmax_coredump',
                 'proc_dointvec_minmax_sysadmin', 'overcommit_policy_handler',
                 'dirty_background_ratio_handler', 'dirty_ratio_handler',
                 'min_free_kbytes_sysctl_handler')
_LONG_HANDLERS = ('proc_doulongvec_minmax',
                  'proc_doulongvec_ms_jiffies_minmax',
                  'proc_dohung_task_timeout_secs',
                  'dirty_bytes_handler', 'dirty_background_bytes_handler',
                  'overcommit_kbytes_handler', 'proc_nr_files')
_STRING_HANDLERS = ('proc_dostring', 'proc_do_uts_string',
                    'proc_dostring_coredump', 'proc_do_cad_pid')

#: A few sysctls support engineers look at first: name -> kernel variable
#: (used when the sysctl tree cannot be walked); a tuple lists where
#: kernels of different versions keep it, the first that exists is read.
WELL_KNOWN_SYSCTLS = {
    'kernel.panic': 'panic_timeout',
    'kernel.panic_on_oops': 'panic_on_oops',
    'kernel.softlockup_panic': 'softlockup_panic',
    'kernel.hung_task_timeout_secs': 'sysctl_hung_task_timeout_secs',
    'kernel.hung_task_panic': 'sysctl_hung_task_panic',
    'kernel.watchdog_thresh': 'watchdog_thresh',
    # Linux commit 7863dcc72d0f ("pid: allow pid_max to be set per pid
    # namespace") (v6.14) moved it into struct pid_namespace.
    'kernel.pid_max': ('pid_max', 'init_pid_ns.pid_max'),
    'kernel.threads-max': 'max_threads',
    'kernel.tainted': 'tainted_mask',
    'kernel.printk_ratelimit': 'printk_ratelimit_state.interval',
    'vm.swappiness': 'vm_swappiness',
    'vm.min_free_kbytes': 'min_free_kbytes',
    'vm.dirty_ratio': 'vm_dirty_ratio',
    'vm.dirty_background_ratio': 'dirty_background_ratio',
    'vm.overcommit_memory': 'sysctl_overcommit_memory',
    'vm.overcommit_ratio': 'sysctl_overcommit_ratio',
    'vm.panic_on_oom': 'sysctl_panic_on_oom',
    'fs.nr_open': 'sysctl_nr_open',
}


def _dir_entries(ctl_dir, prefix, depth):
    """(path, struct ctl_table) of one sysctl directory, recursively."""
    if depth > 16:
        return
    for node in rbtree_walk(Addr(ctl_dir, 'root'), 'struct ctl_node',
                            'node'):
        head = node.header
        idx = (int(node) - int(head.node)) // type_size('struct ctl_node')
        table = readSU('struct ctl_table',
                       int(head.ctl_table) +
                       idx * type_size('struct ctl_table'))
        name = str(table.procname)
        path = prefix + name
        if (int(table.mode) & _S_IFMT) == _S_IFDIR:
            # A directory entry's header is its struct ctl_dir's header
            # (find_subdir() in fs/proc/proc_sysctl.c).
            sub = container_of(head, 'struct ctl_dir', 'header')
            yield from _dir_entries(sub, path + '.', depth + 1)
        else:
            yield path, table


def for_each_sysctl():
    """Generate ``(name, struct ctl_table)`` of every registered sysctl.

    Names are dotted (``vm.swappiness``).  Walks
    ``sysctl_table_root.default_set.dir`` and ``init_net``'s set (the
    ``net.*`` entries of the initial network namespace).
    C equivalent: what ``proc_sys_readdir()`` lists under /proc/sys.
    """
    roots = [readSymbol('sysctl_table_root').default_set.dir]
    try:
        if member_offset('struct net', 'sysctls') >= 0:
            roots.append(readSymbol('init_net').sysctls.dir)
    except crash.error:
        pass
    seen = set()
    for root in roots:
        for name, table in _dir_entries(root, '', 0):
            if name not in seen:
                seen.add(name)
                yield name, table


def _handler_name(table):
    """The name of a ctl_table's proc_handler, or ''."""
    fn = int(table.proc_handler)
    return (addr2sym(fn) or '') if fn else ''


def sysctl_value(table):
    """Return the value of a sysctl as /proc/sys shows it (a str).

    Decoded from ``table->data`` by the type its ``proc_handler``
    implies (int, unsigned long or string vectors); None when the
    handler computes the value (unknown layout).
    """
    data = int(table.data)
    if not data:
        return None
    handler = _handler_name(table)
    maxlen = int(table.maxlen)
    if handler in _STRING_HANDLERS:
        if handler == 'proc_do_cad_pid':
            return None
        raw = readmem(data, max(1, min(maxlen, 4096)))
        return raw.split(b'\0', 1)[0].decode('utf-8', 'backslashreplace')
    if handler in _LONG_HANDLERS:
        n = max(1, maxlen // 8)
        vals = struct.unpack('<%dQ' % n, readmem(data, 8 * n))
        return '\t'.join(str(v) for v in vals)
    if handler == 'proc_taint':
        return str(readPtr(data))
    if handler in _INT_HANDLERS:
        if handler == 'proc_dou8vec_minmax':
            return str(readmem(data, 1)[0])
        if handler == 'proc_do_static_key':
            return None
        n = max(1, maxlen // 4)
        fmt = '<%dI' % n if handler.startswith('proc_dou') else '<%di' % n
        vals = struct.unpack(fmt, readmem(data, 4 * n))
        if handler == 'proc_dointvec_jiffies':
            vals = [v // HZ for v in vals]
        elif handler == 'proc_dointvec_ms_jiffies':
            vals = [v * 1000 // HZ for v in vals]
        return '\t'.join(str(v) for v in vals)
    return None


def read_sysctl_variable(name):
    """Return a WELL_KNOWN_SYSCTLS entry read from its kernel variable.

    For kernels whose sysctl tree cannot be walked; raises KeyError for
    a name not in the table, TypeError for a variable the kernel lacks.
    """
    expr = WELL_KNOWN_SYSCTLS[name]
    if isinstance(expr, tuple):
        expr = next((e for e in expr if symbol_exists(e.partition('.')[0])),
                    expr[0])
    name, _, field = expr.partition('.')
    v = readSymbol(name)
    for f in field.split('.') if field else ():
        v = getattr(v, f)
    if hasattr(v, 'counter'):
        v = v.counter
    return str(int(v))


# ---------------------------------------------------------------------
# Workqueues

def for_each_worker_pool():
    """Generate every ``struct worker_pool`` (per-CPU and unbound).

    C equivalent: ``for_each_pool(pool, pi)`` = ``idr_for_each_entry(
    &worker_pool_idr, ...)`` in ``kernel/workqueue.c``.
    """
    for _id, ptr in idr_walk(readSymbol('worker_pool_idr')):
        yield readSU('struct worker_pool', ptr)


def for_each_workqueue():
    """Generate every ``struct workqueue_struct`` (the ``workqueues`` list).

    C equivalent: ``list_for_each_entry(wq, &workqueues, list)``.
    """
    yield from readSUListFromHead(whatis('workqueues').addr, 'list',
                                  'struct workqueue_struct')


def pool_pending_works(pool):
    """Return the ``struct work_struct`` objects on a pool's worklist."""
    return readSUListFromHead(Addr(pool, 'worklist'), 'entry',
                              'struct work_struct')


def pool_busy_workers(pool):
    """Return the workers of a pool running a work item (busy_hash)."""
    out = []
    for head in pool.busy_hash:
        out.extend(hlist_for_each_entry('struct worker', head, 'hentry',
                                        maxel=10000))
    return out


def pwq_max_active(pwq):
    """Return the most work items a pool_workqueue may run at once.

    C equivalent: ``pwq->max_active``; Linux commit a045a272d887
    ("workqueue: Move pwq->max_active to wq->max_active") (v6.9) keeps
    one limit for the workqueue, ``pwq->wq->max_active``.
    """
    if pwq.hasField('max_active'):
        return int(pwq.max_active)
    return int(pwq.wq.max_active)


def workqueue_pwqs(wq):
    """Return the ``struct pool_workqueue`` objects of wq (``wq->pwqs``)."""
    return readSUListFromHead(Addr(wq, 'pwqs'), 'pwqs_node',
                              'struct pool_workqueue')

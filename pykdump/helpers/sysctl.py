# SPDX-License-Identifier: GPL-2.0-or-later
"""sysctl: the tree of /proc/sys and the values of its entries.

Mirrors ``include/linux/sysctl.h`` and ``fs/proc/proc_sysctl.c``
(``sysctl_table_root``, ``struct ctl_dir``, ``struct ctl_node``) and the
proc handlers of ``kernel/sysctl.c``.
"""

import struct

from pykdump.API import (Addr, HZ, addr2sym, container_of, crash,
                         member_offset, rbtree_walk, readmem, readPtr, readSU,
                         readSymbol, symbol_exists, type_size)

__all__ = ['for_each_sysctl', 'sysctl_value', 'WELL_KNOWN_SYSCTLS',
           'read_sysctl_variable']


_S_IFMT, _S_IFDIR, _S_IFLNK = 0o170000, 0o040000, 0o120000

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
                 'min_free_kbytes_sysctl_handler',
                 # ipc/ipc_sysctl.c, ipc/mq_sysctl.c: before v5.19 they
                 # copy the table for the reader's namespace; the data
                 # pointers are init_ipc_ns's
                 'proc_ipc_dointvec', 'proc_ipc_dointvec_minmax',
                 'proc_ipc_dointvec_minmax_orphans', 'proc_ipc_sem_dointvec',
                 'proc_mq_dointvec', 'proc_mq_dointvec_minmax')
_LONG_HANDLERS = ('proc_doulongvec_minmax', 'proc_ipc_doulongvec_minmax',
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


# The struct ctl_table_set of each initial namespace that registers its
# sysctls apart from sysctl_table_root's default set: (variable, member,
# the struct the member is looked for in).
_NAMESPACE_SETS = (
    ('init_net', 'sysctls', 'struct net'),
    # Linux commit 7863dcc72d0f ("pid: allow pid_max to be set per pid
    # namespace") (v6.14): kernel.pid_max.
    ('init_pid_ns', 'set', 'struct pid_namespace'),
    ('init_user_ns', 'set', 'struct user_namespace'),
    # Linux commits 1f5c135ee509 ("ipc: Store ipc sysctls in the ipc
    # namespace") and dc55e35f9e81 ("ipc: Store mqueue sysctls in the ipc
    # namespace") (v5.19): kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.
    ('init_ipc_ns', 'ipc_set', 'struct ipc_namespace'),
    ('init_ipc_ns', 'mq_set', 'struct ipc_namespace'),
)


def _namespace_sets():
    """The struct ctl_table_set of each initial namespace this kernel has."""
    sets = []
    for var, member, stype in _NAMESPACE_SETS:
        try:
            if symbol_exists(var) and member_offset(stype, member) >= 0:
                sets.append(getattr(readSymbol(var), member))
        except crash.error:
            pass  # the variable or its type is not in this kernel
    return sets


def _resolve_links(entries, sets):
    """entries with each link entry replaced by the table it stands for.

    Sysctls registered on a namespace's own set also appear in the default
    set as link entries (``S_IFLNK``; insert_links() in
    ``fs/proc/proc_sysctl.c``) whose ``data`` is the ``struct
    ctl_table_root``; /proc/sys shows the entry of the same path in the
    reader's namespace's set (sysctl_follow_link()): here the initial
    namespace's. A link to a set not known here stays a link (no value).
    """
    by_root = {}
    for tset in sets:
        by_root.setdefault(int(tset.dir.header.root), tset)
    targets = {}        # root -> {path: table} of its set, on first need
    for name, table in entries:
        if (int(table.mode) & _S_IFMT) == _S_IFLNK:
            root = int(table.data)
            if root in by_root:
                if root not in targets:
                    targets[root] = dict(_dir_entries(by_root[root].dir,
                                                      '', 0))
                if name not in targets[root]:
                    continue    # a directory: the set's own walk lists it
                table = targets[root][name]
        yield name, table


def for_each_sysctl():
    """Generate ``(name, struct ctl_table)`` of every registered sysctl.

    Names are dotted (``vm.swappiness``).  Walks
    ``sysctl_table_root.default_set.dir``, then the sets of the initial
    namespaces (``init_net``'s ``net.*``, ``init_pid_ns``'s
    ``kernel.pid_max``, ``init_user_ns``'s ``user.*``, ``init_ipc_ns``'s);
    a link entry of the default set gives the initial namespace's entry.
    C equivalent: what ``proc_sys_readdir()`` lists under /proc/sys for a
    task of the initial namespaces.
    """
    sets = _namespace_sets()
    roots = [readSymbol('sysctl_table_root').default_set.dir]
    roots.extend(tset.dir for tset in sets)
    seen = set()
    for root in roots:
        for name, table in _resolve_links(_dir_entries(root, '', 0), sets):
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

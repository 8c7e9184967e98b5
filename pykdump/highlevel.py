# SPDX-License-Identifier: GPL-2.0-or-later
"""What programs call: the object model in use, and the names of PyKdump.

``readSU``, ``readSymbol``, ``readSUArray``, ``readProcessMem`` read
kernel objects through :mod:`pykdump.lowlevel`; ``pid_to_task`` and
``task_to_pid`` answer as PyKdump did. The rest of PyKdump's
``highlevel`` lives where a reader looks for it and is re-exported here
(and by :mod:`pykdump.API`): integer readers in :mod:`pykdump.lowlevel`,
types and symbols in :mod:`pykdump.symbols`, commands in
:mod:`pykdump.commands`, the walkers of kernel data structures in
:mod:`pykdump.helpers` (``list``, ``rbtree``, ``xarray``, ``idr``,
``maple_tree``, ``percpu``, ``tasks``). Every walker stops at ``maxel``
(``--maxel``, :func:`setListMaxel`).
"""

import sys
from operator import index as _index

import crash

from .datatypes import NoField
from .logging import PyLog
from .lowlevel import (Addr, StructResult, CrashError,  # noqa: F401
                       WalkError,
                       container_of, readPtrArray, readmem, readPtr,
                       readU8, readU16, readU32, readU64, readS32, readS64,
                       readInt, readUInt, readLong, readULong, sLong,
                       le32_to_cpu, le16_to_cpu, cpu_to_le32, unsigned16,
                       unsigned32, unsigned64, uInt, uLong, ALIGN,
                       pointersize, PTR_SIZE, INT_SIZE, INT_MASK, INT_MAX,
                       BITS_PER_INT, LONG_SIZE, LONG_MASK, LONG_MAX,
                       BITS_PER_LONG)
from .symbols import (sym2addr, sym2alladdr, addr2sym,  # noqa: F401
                      addr2mod, symbol_exists, struct_size, union_size,
                      struct_exists, member_offset, field_offset, type_size,
                      field_size, member_size, getSizeOf, getStructInfo,
                      whatis, funcargs, enumerator_value, modules_info,
                      NoSymbolError)
from .commands import (exec_crash_command, exec_crash_command_bg,  # noqa
                       exec_crash_command_bg2, exec_gdb_command,
                       exec_command, set_default_timeout,
                       SuppressCrashErrors)
from .helpers import idr, list as _list, maple_tree, rbtree, tasks, \
    xarray
from .helpers.list import (readList, readBadList,  # noqa: F401
                           readListByHead, list_for_each_entry,
                           readSUListFromHead, readStructNext, ListHead,
                           LH_isempty, hlist_for_each_entry)
from .helpers.rbtree import rbtree_walk  # noqa: F401
from .helpers.xarray import xarray_walk  # noqa: F401
from .helpers.idr import idr_walk  # noqa: F401
from .helpers.maple_tree import maple_walk  # noqa: F401
from .helpers.percpu import percpu_addresses, percpu_read  # noqa: F401

__all__ = [
    'readU8', 'readU16', 'readU32', 'readU64', 'readS32', 'readS64',
    'readInt', 'readUInt', 'readLong', 'readULong', 'readPtr', 'readmem',
    'readSU', 'readSUArray', 'readSymbol', 'readProcessMem',
    'set_readmem_task', 'uvtop', 'phys_to_page',
    'sLong', 'le32_to_cpu', 'le16_to_cpu', 'cpu_to_le32', 'unsigned16',
    'unsigned32', 'unsigned64', 'uInt', 'uLong', 'ALIGN',
    'pointersize', 'PTR_SIZE', 'INT_SIZE', 'INT_MASK', 'INT_MAX',
    'BITS_PER_INT', 'LONG_SIZE', 'LONG_MASK', 'LONG_MAX', 'BITS_PER_LONG',
    'sym2addr', 'sym2alladdr', 'addr2sym', 'addr2mod', 'symbol_exists',
    'struct_size', 'union_size', 'struct_exists', 'member_offset',
    'field_offset', 'type_size', 'field_size',
    'member_size', 'getSizeOf', 'getStructInfo', 'whatis', 'funcargs',
    'enumerator_value', 'container_of', 'atomic_t',
    'readList', 'readBadList', 'readListByHead', 'list_for_each_entry',
    'readSUListFromHead', 'readStructNext', 'ListHead', 'LH_isempty',
    'hlist_for_each_entry', 'getListSize', 'getFullBuckets',
    'getFullBucketsH', 'setListMaxel', 'FD_ISSET', 'readPtrArray',
    'pid_to_task', 'task_to_pid', 'is_task_active', 'get_pathname',
    'exec_crash_command', 'exec_crash_command_bg', 'exec_crash_command_bg2',
    'exec_gdb_command', 'exec_command', 'set_default_timeout',
    'SuppressCrashErrors',
    # beyond PyKdump: walkers of today's kernel containers
    'for_all_tasks', 'for_all_threads', 'thread_group',
    'rbtree_walk', 'xarray_walk',
    'idr_walk', 'maple_walk', 'percpu_addresses', 'percpu_read',
    'WalkError',
]

pylog = PyLog()
_MAXEL = 10000

set_readmem_task = crash.set_readmem_task
uvtop = crash.uvtop
phys_to_page = crash.phys_to_page
getListSize = crash.getListSize
getFullBuckets = crash.getFullBuckets
getFullBucketsH = crash.getFullBucketsH
FD_ISSET = crash.FD_ISSET
get_pathname = crash.get_pathname
is_task_active = crash.is_task_active


# ---------------------------------------------------------------------
# Objects

def readSU(sname, addr):
    """The struct sname at addr (nothing is read yet)."""
    return StructResult(sname, addr)


def readSUArray(sname, addr, dim=0, *, maxel=_MAXEL):
    """dim structs at addr (a list), or with dim=0 a generator of maxel.

    addr is an int or a StructResult (its address, as for readSU).
    """
    # A StructResult's own + scales by its size (api §24.1).
    addr = _index(addr)
    size = type_size(sname)
    if dim:
        return [StructResult(sname, addr + i * size) for i in range(dim)]
    return (StructResult(sname, addr + i * size) for i in range(maxel))


def readSymbol(name):
    """The value of global name, read with its type's reader."""
    vi = whatis(name)
    if not vi.addr:
        raise crash.NoSymbolError("There's no symbol %s" % name, name=name)
    return vi.reader(vi.addr)


def readProcessMem(taskaddr, uvaddr, size):
    """size bytes of a task's user memory at uvaddr (page by page)."""
    out = []
    pagesize = crash.PAGESIZE
    while size > 0:
        chunk = min(size, pagesize - (uvaddr % pagesize))
        paddr = uvtop(taskaddr, uvaddr)
        out.append(readmem(paddr, chunk, crash.PHYSADDR))
        uvaddr += chunk
        size -= chunk
    return b''.join(out)


def atomic_t(o):
    """o.counter where there is one (atomic_t), else o."""
    try:
        return o.counter
    except (NoField, AttributeError):
        return o


def setListMaxel(n):
    """Set the default maxel of every walker (--maxel)."""
    from .Generic import patch_default_kw
    global _MAXEL
    _MAXEL = n
    for mod in (sys.modules[__name__], _list, rbtree, xarray, idr,
                maple_tree):
        mod._MAXEL = n
        patch_default_kw(mod, 'maxel', n)


# ---------------------------------------------------------------------
# Tasks

def for_all_tasks(*, maxel=_MAXEL):
    """Every thread-group leader, init_task first (a list).

    :func:`pykdump.helpers.tasks.for_each_process` as a list, at most
    ``maxel`` (``--maxel``) tasks.
    """
    return list(tasks.for_each_process(maxel=maxel))


def thread_group(leader, *, maxel=_MAXEL):
    """The threads of leader's thread group, leader included (a list).

    :func:`pykdump.helpers.tasks.for_each_thread` as a list.
    """
    return list(tasks.for_each_thread(leader, maxel=maxel))


def for_all_threads(*, maxel=_MAXEL):
    """Every thread of every task (a list).

    :func:`pykdump.helpers.tasks.for_each_task` as a list.
    """
    return list(tasks.for_each_task(maxel=maxel))


def pid_to_task(pid):
    """Task of pid (any thread), walking the kernel's lists; 0 if none."""
    task = crash.pid_to_task(pid)
    if task:
        return task
    for t in for_all_threads():
        if t.pid == pid:
            return int(t)
    return 0


def task_to_pid(task):
    """pid of the task at address task (None if it is not a task)."""
    try:
        return StructResult('struct task_struct', int(task)).pid
    except crash.error:
        return None

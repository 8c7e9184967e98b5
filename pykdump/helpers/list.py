# SPDX-License-Identifier: GPL-2.0-or-later
"""Linked lists: ``list_head``, ``hlist_head`` and next-pointer chains.

Mirrors ``include/linux/list.h`` (``list_for_each_entry``,
``hlist_for_each_entry``, ``list_empty``). The walk itself is one C loop
(:func:`pykdump.lowlevel.follow_list`); every walker stops at ``maxel``
(``--maxel``), detects loops and unreadable pointers, logs them through
pylog and returns what it read, unless the caller asked for
``strict=True`` (then :class:`~pykdump.lowlevel.WalkError`).

The names are PyKdump's (``readList``, ``readSUListFromHead``...):
programs import them from ``pykdump.API`` (or ``pykdump.highlevel``).
"""

import sys

from pykdump.logging import PyLog
from pykdump.lowlevel import (PTR_SIZE, WALK_FAULT, WALK_LOOP, WALK_MAXEL,
                              Addr, StructResult, fault_error, follow_list,
                              readPtr, tPtr, walk_problem)
from pykdump.symbols import field_offset, sym2addr

__all__ = ['readList', 'readBadList', 'readListByHead',
           'list_for_each_entry', 'readSUListFromHead', 'readStructNext',
           'ListHead', 'LH_isempty', 'hlist_for_each_entry']

pylog = PyLog()
_MAXEL = 10000


def _caller():
    """Name of the program function that called a walker."""
    f = sys._getframe(2)
    return f.f_code.co_name


def readList(start, offset=0, *, maxel=_MAXEL, inchead=True, warn=True,
             strict=False):
    """Addresses of a list linked by the pointer at offset, from start.

    Stops at NULL or back at start. A loop or unreadable pointer is
    logged (pylog.error) and the partial list returned.
    """
    start = int(start)
    if not start:
        return []
    nodes, end, bad = follow_list(start, offset, maxel)
    if end == WALK_MAXEL and warn:
        pylog.warning('readList: list at 0x%x truncated at %d elements '
                      '(%s)' % (start, maxel, _caller()))
    walk_problem('readList', end, bad, start, strict)
    return nodes if inchead else nodes[1:]


def readBadList(start, offset=0, *, maxel=_MAXEL, inchead=True):
    """(addresses, error): error None, 'Duplicate entry' or a crash.error."""
    start = int(start)
    if not start:
        return []  # COMPAT §24.15: a list, not a tuple
    nodes, end, bad = follow_list(start, offset, maxel)
    err = None
    if end == WALK_LOOP:
        err = 'Duplicate entry'
    elif end == WALK_FAULT:
        err = fault_error(bad, PTR_SIZE)
    return (nodes if inchead else nodes[1:]), err


def readListByHead(start, offset=0, *, maxel=_MAXEL, warn=True,
                   strict=False):
    """readList without the head: the kernel's list_for_each."""
    return readList(start, offset, maxel=maxel, inchead=False, warn=warn,
                    strict=strict)


list_for_each_entry = readListByHead


def readSUListFromHead(head, field, sname, *, maxel=_MAXEL, inchead=False,
                       warn=True, strict=False):
    """Structs sname linked through their list_head field, from head.

    head is the address of the list_head (or the name of a global
    containing structure, whose field is then the head).
    """
    offset = field_offset(sname, field)
    if isinstance(head, str):
        head = sym2addr(head) + offset
    head = int(head)
    addrs = readList(head, 0, maxel=maxel, inchead=inchead, warn=warn,
                     strict=strict)
    cls = StructResult(sname, 0).__class__
    return [cls(a - offset) for a in addrs]


def readStructNext(shead, nextfield, *, maxel=_MAXEL, inchead=True,
                   strict=False):
    """Structs of shead's type linked by a next pointer field."""
    if not shead:
        return []
    if isinstance(shead, tPtr):
        shead = shead.Deref
    sname = shead.PYT_symbol
    offset = field_offset(sname, nextfield)
    nodes, end, bad = follow_list(int(shead), offset, maxel)
    if end == WALK_MAXEL:
        pylog.warning('readStructNext: truncated at %d elements' % maxel)
    walk_problem('readStructNext', end, bad, int(shead), strict)
    cls = type(shead)
    out = [cls(a) for a in nodes[1:]]
    return [shead] + out if inchead and nodes else out


class ListHead(list):
    """A list_head list read at once: list_head objects, or with a type,
    addresses whose ``lh.field`` gives the containing structs."""

    def __init__(self, lhaddr, sname=None, *, maxel=_MAXEL, warn=True):
        """Walk the list_head at lhaddr."""
        addrs = readList(int(lhaddr), 0, maxel=maxel, inchead=False,
                         warn=warn)
        self.sname = sname
        if sname is None:
            list.__init__(self, [StructResult('struct list_head', a)
                                 for a in addrs])
        else:
            list.__init__(self, addrs)

    def __getattr__(self, field):
        if field.startswith('__') or self.sname is None:
            raise AttributeError(field)
        offset = field_offset(self.sname, field)
        return [StructResult(self.sname, a - offset) for a in self]


def LH_isempty(lh):
    """Whether a list_head is empty (a NULL one is not)."""
    return lh and Addr(lh) == lh.next


def hlist_for_each_entry(sname, head, field, *, maxel=_MAXEL):
    """Generator of structs sname on the hlist_head head via field.

    NoField (at once, not at the first next()) if sname has no field.
    """
    offset = field_offset(sname, field)
    return _hlist_entries(sname, head, offset, maxel)


def _hlist_entries(sname, head, offset, maxel):
    """hlist_for_each_entry once the offset is known."""
    first = head.first if isinstance(head, StructResult) else \
        readPtr(int(head))
    first = int(first)
    if not first:
        return
    nodes, end, bad = follow_list(first, 0, maxel)
    walk_problem('hlist_for_each_entry', end, bad, first, False)
    for a in nodes:
        yield StructResult(sname, a - offset)

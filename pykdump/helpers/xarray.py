# SPDX-License-Identifier: GPL-2.0-or-later
"""XArrays: every (index, entry) of a ``struct xarray``.

Mirrors ``include/linux/xarray.h`` (``xa_for_each()``, internal and
value entries) and ``lib/xarray.c`` (``struct xa_node``).
"""

from pykdump.logging import PyLog
from pykdump.lowlevel import guarded_walk, readPtrArray, readU8
from pykdump.symbols import field_offset

__all__ = ['xarray_walk']

pylog = PyLog()
_MAXEL = 10000

# XA_CHUNK_SHIFT of a kernel without CONFIG_BASE_SMALL: 64 slots a node.
_XA_CHUNK_SHIFT = 6


def xarray_walk(xa, *, maxel=_MAXEL, strict=False):
    """Generator of (index, entry) of an xarray (``struct xarray *``).

    Follows xa_node slots; internal entries (retry, zero, sibling) are
    skipped, value entries returned as their integer. An unreadable node
    ends the walk with a logged error (WalkError if strict).
    """
    return guarded_walk(_xarray_walk(xa, maxel), 'xarray_walk', strict)


def _xarray_walk(xa, maxel):
    """xarray_walk without the guard."""
    head = int(xa.xa_head)
    count = [0]
    node_slots = field_offset('struct xa_node', 'slots')
    node_shift = field_offset('struct xa_node', 'shift')

    def is_node(e):
        return (e & 3) == 2 and e > 4096

    def walk(entry, base, depth):
        if depth > 16:
            pylog.error('xarray_walk: too deep at 0x%x' % entry)
            return
        if not entry:
            return
        if is_node(entry):
            node = entry - 2
            shift = readU8(node + node_shift)
            slots = readPtrArray(node + node_slots, 1 << _XA_CHUNK_SHIFT)
            for i, e in enumerate(slots):
                yield from walk(e, base + (i << shift), depth + 1)
            return
        if (entry & 3) == 2:
            return  # retry/zero/sibling internal entries
        count[0] += 1
        if count[0] > maxel:
            if count[0] == maxel + 1:
                pylog.warning('xarray_walk: truncated at %d' % maxel)
            return
        yield base, (entry >> 1) if entry & 1 else entry
    yield from walk(head, 0, 0)

# SPDX-License-Identifier: GPL-2.0-or-later
"""Maple trees: every (first, last, entry) range of a ``struct maple_tree``.

Mirrors ``include/linux/maple_tree.h`` (``mt_for_each()``, the node
types ``maple_dense``, ``maple_leaf_64``, ``maple_range_64``,
``maple_arange_64``); since v6.1 a process's VMAs are in one
(``mm->mm_mt``).
"""

from pykdump.lowlevel import guarded_walk, readPtrArray

__all__ = ['maple_walk']

_MAXEL = 10000


def maple_walk(mt, *, maxel=_MAXEL, strict=False):
    """Generator of (first, last, entry) of a maple tree (6.1 VMAs).

    An unreadable node ends the walk with a logged error (WalkError if
    strict); at most maxel entries.
    """
    return guarded_walk(_maple_walk(mt, maxel), 'maple_walk', strict)


def _maple_walk(mt, maxel):
    """maple_walk without the guard."""
    root = int(mt.ma_root)
    out = [0]

    def decode(enode):
        node = enode & ~0xff
        ntype = (enode >> 3) & 0xf
        return node, ntype

    def walk(enode, lo, hi, depth):
        if depth > 32 or out[0] >= maxel:
            return
        if (enode & 3) != 2 or enode < 4096:
            if enode:
                out[0] += 1
                yield lo, hi, enode
            return
        node, ntype = decode(enode)
        if ntype == 0:      # maple_dense
            slots = readPtrArray(node + 8, 31)
            for i, s in enumerate(slots):
                if s:
                    out[0] += 1
                    yield lo + i, lo + i, s
            return
        npiv = 15 if ntype in (1, 2) else 9
        nslot = npiv + 1
        pivots = readPtrArray(node + 8, npiv)
        slot_off = 8 + 8 * npiv
        slots = readPtrArray(node + slot_off, nslot)
        prev = lo
        for i in range(nslot):
            piv = pivots[i] if i < npiv else hi
            if i < npiv and piv == 0 and i > 0:
                piv = hi
            s = slots[i]
            if ntype == 1:          # leaf
                if s:
                    out[0] += 1
                    yield prev, piv, s
            elif s:
                yield from walk(s, prev, piv, depth + 1)
            if piv >= hi:
                break
            prev = piv + 1
    if (root & 3) == 2 and root > 4096:
        yield from walk(root, 0, (1 << 64) - 1, 0)
    elif root:
        yield 0, 0, root

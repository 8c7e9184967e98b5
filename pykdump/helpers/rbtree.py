# SPDX-License-Identifier: GPL-2.0-or-later
"""Red-black trees: an in-order walk of an ``rb_root``.

Mirrors ``include/linux/rbtree.h`` (``struct rb_root``, ``struct
rb_node``, ``rb_first()``/``rb_next()``, ``rb_entry()``).
"""

from pykdump.logging import PyLog
from pykdump.lowlevel import StructResult, guarded_walk, readPtr
from pykdump.symbols import field_offset

__all__ = ['rbtree_walk']

pylog = PyLog()
_MAXEL = 10000


def rbtree_walk(root, sname=None, field=None, *, maxel=_MAXEL,
                strict=False):
    """In-order generator over an rb_root: rb_nodes, or containing structs.

    Iterative, with bounds on depth and count: a looping or corrupt tree
    ends with a logged error instead of a hang or a traceback.
    """
    # Looked up now: a wrong field name is NoField at the call, not a
    # walk of addresses off by one.
    offset = field_offset(sname, field) if sname else 0
    return guarded_walk(_rbtree_walk(root, sname, offset, maxel),
                        'rbtree_walk', strict)


def _rbtree_walk(root, sname, offset, maxel):
    """rbtree_walk without the guard."""
    node = int(root.rb_node if isinstance(root, StructResult) else
               readPtr(int(root)))
    off_left = field_offset('struct rb_node', 'rb_left')
    off_right = field_offset('struct rb_node', 'rb_right')
    stack, seen, count = [], set(), 0
    while stack or node:
        while node:
            if node in seen or len(stack) > 128:
                pylog.error('rbtree_walk: corrupt tree at 0x%x' % node)
                return
            seen.add(node)
            stack.append(node)
            node = readPtr(node + off_left)
        node = stack.pop()
        count += 1
        if count > maxel:
            pylog.warning('rbtree_walk: truncated at %d' % maxel)
            return
        yield StructResult(sname, node - offset) if sname else \
            StructResult('struct rb_node', node)
        node = readPtr(node + off_right)

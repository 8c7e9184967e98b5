# SPDX-License-Identifier: GPL-2.0-or-later
"""Taint: the flags the kernel sets when something made it suspect.

Mirrors ``include/linux/panic.h`` and ``kernel/panic.c``
(``taint_flags``, ``tainted_mask``, ``print_tainted()``).
"""

from pykdump.API import readSymbol

__all__ = ['tainted_mask', 'taint_flags', 'taint_string']


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

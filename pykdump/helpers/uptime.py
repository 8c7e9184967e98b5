# SPDX-License-Identifier: GPL-2.0-or-later
"""Time and load: jiffies, uptime, the time of the dump, load averages.

What ``uptime`` and ``date`` print: mirrors ``include/linux/jiffies.h``
(``jiffies_64``, ``INITIAL_JIFFIES``), ``kernel/time/timekeeping.c``
(``tk_core``) and ``include/linux/sched/loadavg.h`` (``avenrun``,
FSHIFT).
"""

from pykdump.API import HZ, readSymbol, symbol_exists

__all__ = ['jiffies', 'uptime_seconds', 'load_average', 'dump_time']


def jiffies():
    """Return ``jiffies_64``, the tick counter at the time of the dump."""
    return int(readSymbol('jiffies_64'))


def uptime_seconds():
    """Return the time since boot, in seconds (a float).

    C equivalent: ``(jiffies_64 - INITIAL_JIFFIES) / HZ``; what crash's
    ``get_uptime()`` computes.
    """
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

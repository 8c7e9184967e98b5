# SPDX-License-Identifier: GPL-2.0-or-later
"""Panic: which CPU panicked, with what message, what the log warns of.

Mirrors ``kernel/panic.c`` (``panic_cpu``, the ``Kernel panic - not
syncing`` line) and the messages of the kernel's detectors
(``kernel/watchdog.c``, ``kernel/hung_task.c``, rcu, ``mm/oom_kill.c``).
"""

import re

from pykdump.API import readSymbol, symbol_exists
from pykdump.helpers.printk import log_records

__all__ = ['panic_cpu', 'panic_message', 'find_log_problems']


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

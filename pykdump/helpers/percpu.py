# SPDX-License-Identifier: GPL-2.0-or-later
"""Per-CPU variables: each CPU's instance of a ``DEFINE_PER_CPU`` symbol.

Mirrors ``include/linux/percpu-defs.h`` (``per_cpu_ptr()``,
``per_cpu()``): a CPU's copy is the symbol's offset in the per-CPU
section plus ``__per_cpu_offset[cpu]``; a module's variables sit in its
own area (``mod->percpu``, ``kernel/module/main.c``).
"""

from pykdump.datatypes import NoField
from pykdump.helpers.list import readSUListFromHead
from pykdump.lowlevel import CrashError, per_cpu_offset
from pykdump.symbols import NoSymbolError, sym2addr, symbol_exists, whatis
from pykdump.vmcorearch import sys_info

__all__ = ['percpu_addresses', 'percpu_read']


def _percpu_ranges():
    """Yield [start, end) of the kernel's per-CPU section, then of each
    module's.

    A module's static per-CPU variables sit in its own reserved area
    (``mod->percpu``, ``percpu_size`` bytes), not between
    ``__per_cpu_start`` and ``__per_cpu_end``. A generator: the modules
    list is walked only for a symbol outside the kernel's own section
    (``percpu_addresses('runqueues')`` sits on hot paths).
    """
    yield sym2addr('__per_cpu_start'), sym2addr('__per_cpu_end')
    try:
        mods = readSUListFromHead(sym2addr('modules'), 'list',
                                  'struct module')
        ranges = [(int(m.percpu), int(m.percpu) + int(m.percpu_size))
                  for m in mods if m.percpu]
    except (CrashError, NoField, TypeError, IndexError):
        ranges = []     # kernels without CONFIG_SMP: no module areas
    yield from ranges


def _percpu_symbol(name):
    """Address of per-CPU symbol name; TypeError naming it if it is not.

    Adding a CPU's offset to an ordinary symbol reads memory that only
    looks like a value, so a symbol outside every per-CPU area is refused.
    """
    base = sym2addr(name) if name else 0
    if not base:
        raise NoSymbolError('no per-CPU symbol %s' % (name or "''"),
                            name=name)
    if symbol_exists('__per_cpu_end') and \
            not any(lo <= base < hi for lo, hi in _percpu_ranges()):
        raise TypeError('%s is not a per-CPU symbol' % name)
    return base


def percpu_addresses(name_or_addr):
    """Address of each CPU's instance of a per-CPU symbol or offset.

    A name must be a per-CPU symbol (TypeError otherwise); an integer is
    taken as a per-CPU offset (a ``__percpu`` pointer) as it is.
    """
    if isinstance(name_or_addr, str):
        base = _percpu_symbol(name_or_addr)
    else:
        base = int(name_or_addr)
    return [base + per_cpu_offset(cpu)
            for cpu in range(sys_info.CPUS)]


def percpu_read(name):
    """The value of per-CPU variable name on each CPU (a list).

    TypeError if name is not a per-CPU symbol.
    """
    addrs = percpu_addresses(name)
    vi = whatis(name)
    return [vi.reader(a) for a in addrs]

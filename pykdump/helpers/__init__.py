# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel helpers: one module per kernel data structure or subsystem.

Data structures, one module each, as the kernel has one header each:
``list`` (``list_head``, ``hlist_head``), ``rbtree``, ``xarray``,
``idr``, ``maple_tree`` and ``percpu``. They read through
:mod:`pykdump.lowlevel` and :mod:`pykdump.symbols` (the API re-exports
them, so they cannot import it) and carry PyKdump's names where it had
them (``readList``, ``readSUListFromHead``...).

Subsystems, each naming the kernel headers it mirrors: ``tasks``
(processes, threads, run queues), ``stack`` (x86_64 ORC unwinding of
sleeping tasks), ``fs`` (open files, paths, file locks), ``mm`` (memory
counters, zones, process memory), ``modules`` (loaded modules, taint,
debuginfo files), ``kernel`` (uname, uptime, load average, the log
buffer, panic, sysctl, workqueues), ``net`` (sockets, interfaces,
routes). These import ``pykdump.API``.

No helper calls the C module ``crash`` (it may catch ``crash.error``);
walkers are generators named ``for_each_*`` (PyKdump's names return
lists); a kernel difference is detected by testing for the symbol or
member, never the version.
"""

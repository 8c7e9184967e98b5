# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel-subsystem helpers the bundled programs are written on.

One module per kernel subsystem, each naming the kernel headers it
mirrors: ``tasks`` (processes, threads, run queues), ``stack`` (x86_64
ORC unwinding of sleeping tasks), ``fs`` (open files, paths, file
locks), ``mm`` (memory counters, zones, process memory), ``modules``
(loaded modules, taint, debuginfo files), ``kernel`` (uname, uptime,
load average, the log buffer, panic, sysctl, workqueues), ``net``
(sockets, interfaces, routes). Helpers import only ``pykdump.API``;
walkers are generators named ``for_each_*``; a kernel difference is
detected by testing for the symbol or member, never the version.
"""

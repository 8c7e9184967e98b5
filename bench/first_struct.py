# SPDX-License-Identifier: GPL-2.0-or-later
"""First use of struct task_struct in a fresh session (run-bench-types.sh).

Prints ``typesload SECONDS CPU_SECONDS``, the one load per session of the
type source (the kernel's BTF, or nothing for gdb), then ``firststruct
SECONDS CPU_SECONDS``: the time from nothing known of the struct to the
pid of init_task read through the object model (readSU, attribute), which
builds the layout of struct task_struct (its page of the dump already
read).
"""

import time

import crash
from pykdump.API import readSU, sym2addr

# CPU seconds of the whole process (crash, gdb's threads and Python) from
# the precise clock: getrusage() counts in scheduler ticks, too coarse
# for a figure of a millisecond (it showed more CPU than wall time).
cpu = time.process_time

t0, c0 = time.perf_counter(), cpu()
crash.type_origin()
print('typesload %.6f %.6f' % (time.perf_counter() - t0, cpu() - c0))
addr = sym2addr('init_task')
# The first read of init_task's page from the dump (decompressing it) is
# not type work: done before the clock starts.
crash.readInt(addr, 4)
t0, c0 = time.perf_counter(), cpu()
pid = readSU('struct task_struct', addr).pid
t1, c1 = time.perf_counter(), cpu()
assert pid == 0, pid
print('firststruct %.6f %.6f' % (t1 - t0, c1 - c0))

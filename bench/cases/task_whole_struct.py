# SPDX-License-Identifier: GPL-2.0-or-later
"""Task walk reading each whole task_struct, decoded with struct.

The other way to read objects from Python (field notes 1.4): one readmem
of the whole struct per task, then struct.unpack_from for pid and comm.
Compared with the per-field C floor of the same walk.
"""

import struct
import time

import crash
from tasklist import task_list  # bench/, on sys.path under bench.py

PASSES = 200


def main():
    """Print the figure line."""
    size = crash.struct_size('task_struct')
    tasks_off, pid_off, comm_off, head = task_list()
    n = 0
    t0 = time.perf_counter()
    for _ in range(PASSES):
        nxt = head
        while True:
            task = nxt - tasks_off
            raw = crash.readmem(task, size)
            nxt, = struct.unpack_from('<Q', raw, tasks_off)
            struct.unpack_from('<i16s', raw, pid_off) if comm_off == \
                pid_off + 4 else (struct.unpack_from('<i', raw, pid_off),
                                  raw[comm_off:comm_off + 16])
            n += 1
            if nxt == head:
                break
    rate = n / (time.perf_counter() - t0)
    out = crash.exec_crash_command('mpkfloor tasks %d cached' % PASSES)
    _, _, count, secs = out.split()
    print('task_walk_whole_struct_unpack %.1f tasks/s %.1f'
          % (rate, int(count) / float(secs)))


if __name__ == '__main__':
    main()

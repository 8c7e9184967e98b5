# SPDX-License-Identifier: GPL-2.0-or-later
"""Idiomatic API figures: the task walk, field reads, first import.

Each line: NAME VALUE UNIT FLOOR [CRASH] (see README.md here). The
floor is bench/mpkfloor.so doing the same reads through readmem() with
the same page cache mpykdump keeps.
"""

import time

import crash

PASSES = 200
FIELD_READS = 200000


def floor(cmd):
    """(count, seconds) of an mpkfloor command."""
    out = crash.exec_crash_command('mpkfloor ' + cmd).split()
    return int(out[2]), float(out[3])


def main():
    """Print the figure lines."""
    t0 = time.perf_counter()
    import pykdump.API as api
    import_ms = (time.perf_counter() - t0) * 1000
    print('import_pykdump_API %.1f ms - -' % import_ms)

    init = api.readSymbol('init_task')
    head = api.Addr(init, 'tasks')
    n = 0
    t0 = time.perf_counter()
    for _ in range(PASSES):
        for t in api.readSUListFromHead(head, 'tasks', 'struct task_struct'):
            t.pid, t.comm, t.__state, t.mm
            n += 1
    rate = n / (time.perf_counter() - t0)
    count, secs = floor('tasks %d cached' % PASSES)
    print('readSUListFromHead_tasks_pid_comm_state_mm %.0f tasks/s %.0f'
          % (rate, count / secs))

    t0 = time.perf_counter()
    for _ in range(FIELD_READS // 4):
        init.pid
        init.tgid
        init.prio
        init.flags
    rate = FIELD_READS / (time.perf_counter() - t0)
    count, secs = floor('readmem %d cached' % FIELD_READS)
    print('struct_field_reads %.0f reads/s %.0f' % (rate, count / secs))

    t0 = time.perf_counter()
    api.getStructInfo('struct vm_area_struct')
    print('SUInfo_first_use_vm_area_struct %.1f ms - -'
          % ((time.perf_counter() - t0) * 1000))


if __name__ == '__main__':
    main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmarks of mpykdump.so, run by epython inside crash (make bench).

Each figure is printed beside a floor measured in the same session by the
C extension bench/mpkfloor.so doing the same readmem() loop, and beside
crash's own command for the same answer where crash has one. The startup
figures and crash's command times come from time stamps that
bench/run-bench.sh had mpkfloor take between commands before this program
ran (``mpkfloor marks``).

    epython bench/bench.py [--passes N] [--reads N] [--pointers N]

More figures: drop a program into bench/cases/ (see bench/cases/README.md);
each prints lines ``NAME VALUE UNIT FLOOR [CRASH]`` that join the table.
Benchmarks are not tests: nothing here asserts a speed.
"""

import argparse
import contextlib
import glob
import io
import os
import runpy
import sys
import time
import typing

import crash
from tasklist import task_list

HERE = os.path.dirname(os.path.abspath(__file__))
POINTERS = 10000


def floor(cmd):
    """Run ``mpkfloor CMD``; return (count, seconds) from its floor line."""
    out = crash.exec_crash_command('mpkfloor ' + cmd)
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == 'floor':
            return int(parts[2]), float(parts[3])
    raise RuntimeError('mpkfloor %s printed %r' % (cmd, out))


def marks():
    """Return {name: wall-clock seconds} of the marks taken so far."""
    out = crash.exec_crash_command('mpkfloor marks')
    return {p[1]: float(p[2]) for p in (ln.split() for ln in out.splitlines())
            if len(p) == 3 and p[0] == 'mark'}


def span(m, start, end, count=1):
    """Seconds between marks start and end, per count; None if absent."""
    if start in m and end in m:
        return (m[end] - m[start]) / count
    return None


class Row(typing.NamedTuple):
    """One line of the table."""

    name: str
    value: object
    unit: str
    floor: object = None
    crash: object = None
    note: str = ''
    plain: object = None

    def ratio(self):
        """How many times the floor's cost ours is (rates and times)."""
        if not self.value or not self.floor:
            return None
        if self.unit.endswith('/s'):
            return self.floor / self.value
        return self.value / self.floor


def fmt(value, unit):
    """Format value with 4 significant digits and unit, scaled."""
    if value is None:
        return '-'
    if unit == 's' and value < 1:
        value, unit = value * 1000, 'ms'
    if unit == 'ms' and value < 1:
        value, unit = value * 1000, 'us'
    if unit.endswith('/s') and value >= 1e6:
        value, unit = value / 1e6, 'M' + unit
    elif unit.endswith('/s') and value >= 1e3:
        value, unit = value / 1e3, 'k' + unit
    return '%.4g %s' % (value, unit)


def startup_rows(repeat):
    """extend + first epython, and a repeated epython, from the marks."""
    m = marks()
    t0 = float(os.environ.get('MPK_BENCH_T0', 'nan'))
    crash_start = m['crash-ready'] - t0 if 'crash-ready' in m else None
    first = span(m, 'crash-ready', 'first-epython')
    again = span(m, 'first-epython', 'repeated-done', repeat)
    noop = span(m, 'repeated-done', 'noop-done', repeat)
    note = ''
    if first and crash_start:
        note = '+%.1f%% of crash start' % (100 * first / crash_start)
    rows = [
        Row('crash start to first command (crash alone)', crash_start, 's',
            note='crash -s vmlinux vmcore'),
        Row('extend mpykdump.so + first epython empty.py',
            first and first * 1000, 'ms', note=note),
        Row('epython empty.py, repeated', again and again * 1000, 'ms',
            noop and noop * 1000,
            note='floor: a C extension command (mpkfloor noop)'),
    ]
    return rows, m


def task_walk(passes):
    """Walk init_task.tasks passes times reading pid and comm; tasks/s."""
    tasks_off, pid_off, comm_off, head = task_list()
    readPtr, readInt, readmem = crash.readPtr, crash.readInt, crash.readmem
    n = 0
    t0 = time.perf_counter()
    for _ in range(passes):
        nxt = head
        while True:
            task = nxt - tasks_off
            nxt = readPtr(nxt)
            readInt(task + pid_off, 4, 1)
            readmem(task + comm_off, 16)
            n += 1
            if nxt == head:
                break
    return n, time.perf_counter() - t0


def read_64(count):
    """count 64-byte crash.readmem calls cycling over init_task."""
    base = crash.sym2addr('init_task')
    chunks = crash.struct_size('task_struct') // 64
    readmem = crash.readmem
    t0 = time.perf_counter()
    for i in range(count):
        readmem(base + (i % chunks) * 64, 64)
    return time.perf_counter() - t0


def follow_next(pointers):
    """Follow pointers ->next round init_task.tasks with follow_next."""
    head = crash.sym2addr('init_task') + \
        crash.member_offset('task_struct', 'tasks')
    done = calls = 0
    t0 = time.perf_counter()
    while done < pointers:
        addrs, _, _ = crash.follow_next(head, 0, pointers - done)
        done += len(addrs) + 1  # and the step back to the head
        calls += 1
    return done, calls, time.perf_counter() - t0


def read_ptr_loop(pointers):
    """Follow pointers ->next with a Python loop of crash.readPtr."""
    nxt = crash.sym2addr('init_task') + \
        crash.member_offset('task_struct', 'tasks')
    readPtr = crash.readPtr
    t0 = time.perf_counter()
    for _ in range(pointers):
        nxt = readPtr(nxt)
    return time.perf_counter() - t0


def typeinfo():
    """gdb_typeinfo('struct task_struct'): first call, then cached."""
    t0 = time.perf_counter()
    crash.gdb_typeinfo('struct task_struct')
    first = time.perf_counter() - t0
    n = 1000
    t0 = time.perf_counter()
    for _ in range(n):
        crash.gdb_typeinfo('struct task_struct')
    return first, (time.perf_counter() - t0) / n


def reading_rows(opts, m):
    """The per-object figures, each beside its floor and crash's command."""
    rows = []
    ntasks = len(crash.exec_crash_command(
        'list task_struct.tasks -h init_task').split())
    list_pass = span(m, 'list-start', 'list-end', opts.repeat)

    # First, so that nothing has asked gdb about task_struct before.
    first, cached = typeinfo()
    n, secs = floor('offsets')
    struct_o = span(m, 'struct-start', 'struct-end', opts.repeat)
    rows.append(Row("gdb_typeinfo('struct task_struct'), first call",
                    first * 1000, 'ms', secs * 1000,
                    struct_o and struct_o * 1000,
                    'floor: MEMBER_OFFSET x3 + STRUCT_SIZE; '
                    'crash: struct task_struct -o'))
    rows.append(Row("gdb_typeinfo('struct task_struct'), cached",
                    cached * 1e6, 'us'))

    n, secs = task_walk(opts.passes)
    fast, plain = floors('tasks', opts.passes)
    rows.append(Row('task walk, init_task.tasks: ->next, pid, comm',
                    n / secs, 'tasks/s', fast, list_pass and
                    ntasks / list_pass, 'crash: list task_struct.tasks -h '
                    'init_task (addresses only)', plain))

    secs = read_64(opts.reads)
    fast, plain = floors('readmem', opts.reads)
    rd = span(m, 'rd-start', 'rd-end', opts.repeat)
    rows.append(Row('crash.readmem(addr, 64)', opts.reads / secs, 'calls/s',
                    fast, rd and 1 / rd,
                    'crash: rd -64 init_task 8, one command per read',
                    plain))

    done, calls, secs = follow_next(opts.pointers)
    fast, plain = floors('follow', opts.pointers)
    rows.append(Row('crash.follow_next, %d pointers (%d calls)'
                    % (done, calls), done / secs, 'ptrs/s', fast,
                    list_pass and ntasks / list_pass,
                    'round init_task.tasks (%d entries); crash: list -h'
                    % ntasks, plain))
    secs = read_ptr_loop(opts.pointers)
    rows.append(Row('Python loop of crash.readPtr, %d pointers'
                    % opts.pointers, opts.pointers / secs, 'ptrs/s',
                    fast, plain=plain))
    return rows


def floors(what, count):
    """Return the (page-cached, plain readmem) C rates of mpkfloor WHAT.

    The cached loop runs 10 times longer than ours: at C speed the count
    we use would take well under a millisecond, too short to time.
    """
    n, secs = floor('%s %d cached' % (what, count * 10))
    pn, psecs = floor('%s %d' % (what, count))
    return n / secs, pn / psecs


def case_rows():
    """Rows printed by bench/cases/*.py: NAME VALUE UNIT FLOOR [CRASH]."""
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, 'cases', '*.py'))):
        label = os.path.basename(path)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(path, run_name='__main__')
        except Exception as exc:  # one broken case must not stop the rest
            rows.append(Row('%s: %s: %s' % (label, type(exc).__name__, exc),
                            None, ''))
            continue
        for line in out.getvalue().splitlines():
            parts = line.split()
            if len(parts) < 4:
                continue
            try:
                value = float(parts[1])
                flo = None if parts[3] == '-' else float(parts[3])
                cra = None if len(parts) < 5 or parts[4] == '-' \
                    else float(parts[4])
            except ValueError:
                continue
            rows.append(Row(parts[0], value, parts[2], flo, cra, label))
    return rows


def print_table(rows):
    """Print rows as an aligned table."""
    head = ('figure', 'mpykdump', 'C floor', 'x floor', 'C readmem',
            'crash command')
    cells = [head]
    for r in rows:
        ratio = r.ratio()
        cells.append((r.name, fmt(r.value, r.unit), fmt(r.floor, r.unit),
                      '-' if ratio is None else '%.2f' % ratio,
                      fmt(r.plain, r.unit), fmt(r.crash, r.unit)))
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for c in cells:
        print('  '.join(c[i].ljust(widths[i]) if i == 0 else
                        c[i].rjust(widths[i]) for i in range(len(head))))
    notes = [(r.name, r.note) for r in rows if r.note]
    print()
    print('  C floor: bench/mpkfloor.so, the same loop in C reading through '
          'a page cache as mpykdump does;')
    print('  x floor: how many times the floor\'s cost ours is; C readmem: '
          'the same loop, plain readmem().')
    if notes:
        for name, note in notes:
            print('  %s: %s' % (name, note))


def main(argv):
    """Measure, then print the table."""
    parser = argparse.ArgumentParser(prog='bench.py')
    parser.add_argument('--passes', type=int, default=200,
                        help='walks of the task list')
    parser.add_argument('--reads', type=int, default=100000,
                        help='64-byte reads')
    parser.add_argument('--pointers', type=int, default=POINTERS)
    parser.add_argument('--repeat', type=int,
                        default=int(os.environ.get('MPK_BENCH_REPEAT', 20)),
                        help='repeats of the timed crash commands')
    opts = parser.parse_args(argv)
    rows, m = startup_rows(opts.repeat)
    rows += reading_rows(opts, m)
    rows += case_rows()
    print('mpykdump bench: crash %s, Python %s, %s'
          % (crash.Crash_run, sys.version.split()[0],
             os.environ.get('PYKDUMP_VMCORE', 'vmcore')))
    print_table(rows)


if __name__ == '__main__':
    main(sys.argv[1:])

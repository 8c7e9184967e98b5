# SPDX-License-Identifier: GPL-2.0-or-later
"""crash's memory stays flat over many runs (issue 9, item 5).

One crash session; crash's resident size (VmRSS) is read from /proc
before and after each phase, after a warm-up run of the same work:

- RUNS runs of a program with a 10 MiB global and a function (the
  function's __globals__ and the globals make a cycle that used to keep
  every run's 10 MiB alive);
- XPORTSHOW runs of ``xportshow -a`` (the heaviest bundled program);
- EXTEND cycles of ``extend -u`` / ``extend`` with a run after each
  (Python finalised and started again).

Each phase must grow crash by less than LIMIT_MB. ``make check`` runs a
short version; ``make soak`` (MPK_SOAK=full) runs 1000 / 200 / 20 and
prints the figures.
"""

import os
import sys
import time
import unittest

from tests.host import _crash

LIMIT_MB = 10
# ASan keeps freed memory in quarantine (256 MiB): RSS says nothing then.
UNDER_ASAN = 'libasan' in os.environ.get('MPK_CRASH', '')
FULL = os.environ.get('MPK_SOAK') == 'full'
RUNS, XPORTSHOW, EXTEND = (1000, 200, 20) if FULL else (100, 5, 3)

# Written, not just allocated: untouched zero pages would not count in RSS.
BIG_PY = '''payload = bytes(range(256)) * (40 * 1024)


def f():
    return len(payload)
'''


def rss_kb(pid):
    """Return VmRSS of process pid in KiB."""
    with open('/proc/%d/status' % pid, encoding='ascii') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS for %d' % pid)


class SoakTests(_crash.SessionTestCase):
    """RSS growth of crash per phase, in MiB."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        _crash.make_tree(tmp, {'big.py': BIG_PY})
        so = _crash.so_path()
        live = _crash.LiveCrash(cwd=tmp)
        cls.growth = {}
        cls.seconds = {}
        sync = [0]

        def settle():
            sync[0] += 1
            flag = os.path.join(tmp, 'sync%d' % sync[0])
            live.write('!touch ' + flag)
            if not _crash.wait_for_file(flag, 1800, live):
                raise AssertionError('crash stopped or hung:\n'
                                     + live.finish(10).output[-2000:])
            return rss_kb(live.proc.pid)

        def phase(name, warmup, lines, times):
            live.write(*warmup)
            before = settle()
            start = time.monotonic()
            for _ in range(times):
                live.write(*lines)
            after = settle()
            cls.seconds[name] = time.monotonic() - start
            cls.growth[name] = (after - before) / 1024.0
            print('soak: %-40s RSS %+7.1f MiB (%.0f -> %.0f MiB, %.1f s)'
                  % ('%d x %s' % (times, name), cls.growth[name],
                     before / 1024.0, after / 1024.0, cls.seconds[name]),
                  file=sys.stderr)

        live.write('extend ' + so)
        try:
            phase('epython big.py (10 MiB global)', ['epython big.py'] * 3,
                  ['epython big.py'], RUNS)
            phase('xportshow -a', ['xportshow -a > /dev/null'] * 2,
                  ['xportshow -a > /dev/null'], XPORTSHOW)
            cycle = ['extend -u ' + so, 'extend ' + so, 'epython big.py']
            phase('extend -u / extend', cycle * 2, cycle, EXTEND)
        finally:
            cls.session = live.finish(timeout=600)

    @unittest.skipIf(UNDER_ASAN, "RSS under ASan includes its quarantine")
    def test_many_runs_of_a_program_with_a_big_global_stay_flat(self):
        self.assertLess(self.growth['epython big.py (10 MiB global)'],
                        LIMIT_MB)

    @unittest.skipIf(UNDER_ASAN, "RSS under ASan includes its quarantine")
    def test_many_xportshow_runs_stay_flat(self):
        self.assertLess(self.growth['xportshow -a'], LIMIT_MB)

    @unittest.skipIf(UNDER_ASAN, "RSS under ASan includes its quarantine")
    def test_extend_unload_cycles_stay_flat(self):
        self.assertLess(self.growth['extend -u / extend'], LIMIT_MB)

    def test_no_run_printed_a_traceback(self):
        self.assertNotIn('Traceback', self.session.output)

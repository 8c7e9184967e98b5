# SPDX-License-Identifier: GPL-2.0-or-later
"""The host tests' scratch directories (_crash.scratch_dir): none is left
by a normal run, and a run killed from outside has its directories
removed by the next run, never those of a run still going (no crash
needed)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from tests.host import _crash

# A run that makes its scratch directory, says where, and waits.
CHILD = ('import sys, time; sys.path.insert(0, sys.argv[1]); '
         'from tests.host import _crash; '
         'print(_crash.scratch_dir(), flush=True); time.sleep(120)')


class StaleScratchTests(unittest.TestCase):
    """remove_stale_scratch() on a private temp directory."""

    def setUp(self):
        self.top = tempfile.mkdtemp(prefix='mpk-scratch-test-')
        self.addCleanup(shutil.rmtree, self.top, ignore_errors=True)

    def start_run(self):
        """A child run with its scratch directory in self.top: (process,
        the directory)."""
        env = dict(os.environ, TMPDIR=self.top)
        proc = subprocess.Popen([sys.executable, '-c', CHILD, _crash.TOP],
                                stdout=subprocess.PIPE, text=True, env=env)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.kill)
        path = proc.stdout.readline().strip()
        proc.stdout.close()
        self.assertTrue(os.path.isdir(path), path)
        self.assertEqual(os.path.dirname(path), self.top)
        return proc, path

    def make(self, name, age=0):
        """A directory self.top/name, last changed age seconds ago."""
        path = os.path.join(self.top, name)
        os.mkdir(path)
        with open(os.path.join(path, 'file'), 'w', encoding='utf-8') as f:
            f.write('x')
        if age:
            t = time.time() - age
            os.utime(path, (t, t))
        return path

    def test_killed_runs_directory_is_removed_a_live_runs_kept(self):
        killed, killed_dir = self.start_run()
        live, live_dir = self.start_run()
        self.assertTrue(os.path.basename(killed_dir).startswith(
            'mpk-host-%d-%d-' % (killed.pid, _crash.start_time(killed.pid))))
        killed.send_signal(signal.SIGKILL)     # no cleanup can run
        killed.wait()
        self.assertEqual(_crash.remove_stale_scratch(self.top), [killed_dir])
        self.assertFalse(os.path.exists(killed_dir))
        self.assertTrue(os.path.isdir(live_dir))
        # the live one goes once its run is gone
        live.kill()
        live.wait()
        self.assertEqual(_crash.remove_stale_scratch(self.top), [live_dir])
        self.assertEqual(os.listdir(self.top), [])

    def test_pid_reused_by_another_process_is_not_the_run(self):
        pid = os.getpid()
        start = _crash.start_time(pid)
        ours = self.make('mpk-host-%d-%d-ours' % (pid, start))
        unknown = self.make('mpk-host-%d-0-nostart' % pid)
        reused = self.make('mpk-host-%d-%d-reused' % (pid, start + 1))
        self.assertEqual(_crash.remove_stale_scratch(self.top), [reused])
        self.assertTrue(os.path.isdir(ours))
        self.assertTrue(os.path.isdir(unknown))

    def test_unrecorded_directories_go_by_age_other_names_stay(self):
        day = _crash.UNRECORDED_STALE_SECONDS
        recent = self.make('mpk-host-abc123', age=day - 600)
        old = self.make('mpk-host-def456', age=day + 600)
        other = self.make('mpk-hostile-x', age=2 * day)
        with open(os.path.join(self.top, 'mpk-host-file'), 'w',
                  encoding='utf-8'):
            pass
        self.assertEqual(_crash.remove_stale_scratch(self.top), [old])
        self.assertTrue(os.path.isdir(recent))
        self.assertTrue(os.path.isdir(other))
        self.assertTrue(os.path.isfile(os.path.join(self.top,
                                                    'mpk-host-file')))


class Passes(_crash.SessionTestCase):
    """A class whose tests pass."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp()
        Made.append(cls.tmp)

    def test_scratch_exists(self):
        self.assertTrue(os.path.isdir(self.tmp))


class SetUpFails(_crash.SessionTestCase):
    """A class whose setUpClass fails after making its directory."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp()
        Made.append(cls.tmp)
        raise RuntimeError('setUpClass failed on purpose')

    def test_never_runs(self):
        pass


Made = []


class NormalRunTests(unittest.TestCase):
    """Classes built on SessionTestCase leave no directory."""

    def test_passing_and_failing_classes_leave_nothing(self):
        top = tempfile.mkdtemp(prefix='mpk-scratch-test-')
        self.addCleanup(shutil.rmtree, top, ignore_errors=True)
        saved = tempfile.tempdir
        tempfile.tempdir = top
        try:
            del Made[:]
            suite = unittest.TestSuite()
            loader = unittest.defaultTestLoader
            for cls in (Passes, SetUpFails):
                suite.addTests(loader.loadTestsFromTestCase(cls))
            result = unittest.TestResult()
            suite.run(result)
        finally:
            tempfile.tempdir = saved
        self.assertEqual(len(Made), 2)
        self.assertEqual([str(e[1]).splitlines()[-1] for e in
                          result.errors],
                         ['RuntimeError: setUpClass failed on purpose'])
        for path in Made:
            self.assertEqual(os.path.dirname(path), top)
        self.assertEqual(os.listdir(top), [])


def load_tests(loader, tests, pattern):
    """Passes and SetUpFails run only inside NormalRunTests."""
    suite = unittest.TestSuite()
    for cls in (StaleScratchTests, NormalRunTests):
        suite.addTests(loader.loadTestsFromTestCase(cls))
    return suite


if __name__ == '__main__':
    unittest.main()

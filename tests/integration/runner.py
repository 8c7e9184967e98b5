# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the integration tests inside crash.

Usage, at the crash prompt with mpykdump.so loaded::

    epython tests/integration/runner.py [-q] [--format kdump|elf|kdump-made]
                                         [--list] [PATTERN ...]

Discovers ``test_*.py`` beside this file and runs each with unittest in
this one crash session, printing a line per test and, last, the line
``N passed, N failed`` (``, N skipped`` when some were skipped; errors and
unexpected successes count as failed). A module that does not import is
one failed test; a test that raises is one failed test; neither stops the
others, and after every module the runner checks that crash still answers.

PATTERN selects tests: with a glob character (``*?[``) it is matched
against the module name and the full test id, otherwise it is a substring
of the test id (``test_crash_module.ReadTests.test_readPtr``).

``--format elf`` says the open dump is the ELF one: only modules that list
'elf' in their ``DUMP_FORMATS`` (default ``('kdump',)``) run, so the ELF
session covers the format-sensitive subset only. ``--format kdump-made``:
the dump of tests/vmcore/make-kdump-fixture.sh (made by a crash kernel),
whose own modules list 'kdump-made'.
"""

import argparse
import fnmatch
import importlib
import os
import sys
import time
import traceback
import unittest

import crash

HERE = os.path.dirname(os.path.abspath(__file__))


def discover_modules(directory):
    """Return the names of test modules in directory, sorted."""
    return sorted(name[:-3] for name in os.listdir(directory)
                  if name.startswith('test_') and name.endswith('.py'))


def matches(patterns, module, test_id):
    """Return True if test_id of module is selected by patterns."""
    if not patterns:
        return True
    for pat in patterns:
        if any(c in pat for c in '*?['):
            if fnmatch.fnmatchcase(module, pat) or \
                    fnmatch.fnmatchcase(test_id, pat):
                return True
        elif pat in test_id:
            return True
    return False


def iter_tests(suite):
    """Yield the test cases of a (nested) TestSuite."""
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_tests(item)
        else:
            yield item


class LineResult(unittest.TestResult):
    """A TestResult that prints one line per test as it finishes.

    Each test counts once: passed, failed (failure, error, unexpected
    success or any failing subTest) or skipped. Failures print their
    traceback at once, so a later death of the session still leaves the
    reason on screen.
    """

    def __init__(self, quiet=False):
        super().__init__()
        self.quiet = quiet
        self.passed = self.failed = self.nskipped = 0
        self._current = None
        self._outcome = None
        self._start = 0.0
        self._subtests = {'pass': 0, 'skip': 0}

    def _line(self, word, test, extra=''):
        took = time.perf_counter() - self._start
        print('%-5s %s (%.3fs)%s' % (word, test.id(), took, extra))
        sys.stdout.flush()

    def _set(self, test, outcome):
        if test is not self._current:
            # setUpClass/tearDownClass errors come without startTest
            self.failed += outcome == 'fail'
            return
        if self._outcome != 'fail':
            self._outcome = outcome

    def startTest(self, test):
        super().startTest(test)
        self._current, self._outcome = test, None
        self._subtests = {'pass': 0, 'skip': 0}
        self._start = time.perf_counter()

    def stopTest(self, test):
        super().stopTest(test)
        if self._outcome is None and self._subtests['skip']:
            # unittest reports no success for a test one of whose
            # subTests skipped: it passed if some subTest passed, else
            # it skipped (the reasons are printed)
            if self._subtests['pass']:
                self._outcome = 'pass'
                self._line('PASS', test, ': %d of its subtests skipped'
                           % self._subtests['skip'])
            else:
                self._outcome = 'skip'
        if self._outcome == 'pass':
            self.passed += 1
        elif self._outcome == 'skip':
            self.nskipped += 1
        else:
            self.failed += 1
        self._current = None

    def addSuccess(self, test):
        super().addSuccess(test)
        if self._outcome != 'fail' and not self.quiet:
            self._line('PASS', test)
        self._set(test, 'pass')

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        if not self.quiet:
            self._line('XFAIL', test)
        self._set(test, 'pass')

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._line('XPASS', test, ': expected to fail, passed')
        self._set(test, 'fail')

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line('SKIP', test, ': ' + reason)
        if getattr(test, 'test_case', None) is self._current is not None:
            self._subtests['skip'] += 1     # a subTest of the current test
        self._set(test, 'skip')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line('FAIL', test)
        print(self.failures[-1][1])
        self._set(test, 'fail')

    def addError(self, test, err):
        super().addError(test, err)
        self._line('ERROR', test)
        print(self.errors[-1][1])
        self._set(test, 'fail')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is None:
            self._subtests['pass'] += 1
        else:
            self._line('FAIL', subtest)
            failed = issubclass(err[0], test.failureException)
            print((self.failures if failed else self.errors)[-1][1])
            self._set(test, 'fail')


class ImportFailure(unittest.TestCase):
    """Stands for a test module that failed to import: one error."""

    def __init__(self, module, text):
        super().__init__('runTest')
        self.module = module
        self.text = text

    def id(self):
        return '%s.<import>' % self.module

    def runTest(self):
        raise ImportError('cannot import %s:\n%s' % (self.module, self.text))


class CrashGone(unittest.TestCase):
    """Stands for 'crash stopped answering after module X': one error."""

    def __init__(self, module):
        super().__init__('runTest')
        self.module = module

    def id(self):
        return '%s.<crash-still-answers>' % self.module

    def runTest(self):
        self.fail('crash no longer answers "sym init_task" after %s'
                  % self.module)


def crash_answers():
    """Return True if crash still answers a command correctly."""
    try:
        return 'init_task' in crash.exec_crash_command('sym init_task')
    except Exception:  # any failure means no
        return False


def load_module(name):
    """Import test module name afresh; return (module, None) or (None, tb)."""
    # A second run in the same crash session must see edited files.
    sys.modules.pop(name, None)
    try:
        return importlib.import_module(name), None
    except BaseException:  # a test module must not stop the run
        return None, traceback.format_exc()


def run(argv):
    """Run the selected tests; return (passed, failed, skipped)."""
    parser = argparse.ArgumentParser(prog='runner.py')
    parser.add_argument('-q', '--quiet', action='store_true',
                        help='print only failures, skips and the summary')
    parser.add_argument('--format', default='kdump',
                        choices=('kdump', 'elf', 'kdump-made'),
                        help='format of the dump crash has open')
    parser.add_argument('--list', action='store_true',
                        help='list the selected tests, run nothing')
    parser.add_argument('patterns', nargs='*')
    opts = parser.parse_args(argv)

    os.environ['MPK_DUMP_FORMAT'] = opts.format
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    sys.modules.pop('_support', None)
    loader = unittest.TestLoader()
    result = LineResult(quiet=opts.quiet)
    started = time.perf_counter()
    for name in discover_modules(HERE):
        module, problem = load_module(name)
        if module is None:
            # Count it only if the selection could have included it.
            if not matches(opts.patterns, name, name):
                continue
            tests = [ImportFailure(name, problem)]
        else:
            formats = getattr(module, 'DUMP_FORMATS', ('kdump',))
            if opts.format not in formats:
                continue
            tests = [t for t in iter_tests(loader.loadTestsFromModule(module))
                     if matches(opts.patterns, name, t.id())]
        if not tests:
            continue
        if opts.list:
            for t in tests:
                print(t.id())
            continue
        suite = unittest.TestSuite(tests)
        try:
            suite.run(result)
        except KeyboardInterrupt:
            print('interrupted in %s' % name)
            result.stop()
        except BaseException:  # unittest itself broke: count, go on
            ImportFailure(name, traceback.format_exc()).run(result)
        if not crash_answers():
            CrashGone(name).run(result)
            break
        if result.shouldStop:
            break
    skipped = result.nskipped
    print('ran %d tests in %.1fs' % (result.testsRun,
                                     time.perf_counter() - started))
    summary = '%d passed, %d failed' % (result.passed, result.failed)
    if skipped:
        summary += ', %d skipped' % skipped
    print(summary)
    sys.stdout.flush()
    return result.passed, result.failed, skipped


if __name__ == '__main__':
    run(sys.argv[1:])

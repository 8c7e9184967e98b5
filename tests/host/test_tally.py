# SPDX-License-Identifier: GPL-2.0-or-later
"""tests/tally.py: how each part's output is counted (no crash needed)."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))), 'tests'))
import tally  # noqa: E402  (tests/ is not a package)


class CountTests(unittest.TestCase):
    """count() on the outputs of each runner we use."""

    def test_our_closing_line_wins_and_the_last_one_counts(self):
        text = '3 passed, 1 failed\nnoise\n5 passed, 2 failed, 4 skipped\n'
        self.assertEqual(tally.count(text), (5, 2, 4, ''))

    def test_check_lines_are_summed(self):
        text = ('Running suite(s): a\n90%: Checks: 10, Failures: 1, '
                'Errors: 0\n100%: Checks: 5, Failures: 0, Errors: 0\n')
        self.assertEqual(tally.count(text), (14, 1, 0, ''))

    def test_unittest_failed_line_counts_failures_errors_skips(self):
        text = ('Ran 10 tests in 0.1s\n\nFAILED (failures=2, errors=1, '
                'skipped=3)\n')
        self.assertEqual(tally.count(text), (4, 3, 3, ''))

    def test_unittest_ok_line(self):
        self.assertEqual(tally.count('Ran 7 tests in 1s\n\nOK\n'),
                         (7, 0, 0, ''))

    def test_dead_crash_session_counts_the_lines_it_printed(self):
        text = 'PASS  a.b (0.1s)\nFAIL  a.c (0.1s)\nSKIP  a.d (0s): x\n'
        self.assertEqual(tally.count(text), (1, 1, 1, 'no closing line'))

    def test_unknown_output_is_none(self):
        self.assertIsNone(tally.count('built\n'))


class MainTests(unittest.TestCase):
    """main() over a log directory."""

    def run_main(self, parts):
        with tempfile.TemporaryDirectory() as d:
            for name, (text, rc) in parts.items():
                with open(os.path.join(d, name + '.log'), 'w') as f:
                    f.write(text)
                with open(os.path.join(d, name + '.rc'), 'w') as f:
                    f.write('%d\n' % rc)
            with open(os.path.join(d, 'parts'), 'w') as f:
                f.write('\n'.join(parts) + '\n')
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = tally.main(d)
        return status, out.getvalue().splitlines()[-1]

    def test_sum_over_parts_is_the_last_line(self):
        status, last = self.run_main({
            'build': ('', 0),
            'python': ('Ran 3 tests in 0s\n\nOK\n', 0),
            'integration': ('2 passed, 0 failed, 1 skipped\n', 0)})
        self.assertEqual((status, last), (0, '5 passed, 0 failed, 1 skipped'))

    def test_failed_build_and_dead_runner_count_as_failures(self):
        status, last = self.run_main({
            'build': ('error\n', 2),
            'host': ('Ran 3 tests in 0s\n\nOK\n', 139),
            'integration': ('ERROR: AddressSanitizer: heap-use-after-free\n'
                            '4 passed, 0 failed\n', 0)})
        self.assertEqual((status, last), (1, '7 passed, 3 failed'))

    def test_lint_findings_or_no_flake8_count_one_failure(self):
        finding = 'tests/x.py:1:80: E501 line too long (80 > 79 characters)\n'
        for text in (finding + 'lint: 0 passed, 1 failed\n',
                     'not run: flake8 is not installed\n'):
            with self.subTest(text=text):
                status, last = self.run_main({
                    'python': ('Ran 2 tests in 0s\n\nOK\n', 0),
                    'lint': (text, 1)})
                self.assertEqual((status, last), (1, '2 passed, 1 failed'))
        status, last = self.run_main({'lint': ('lint: 1 passed, 0 failed\n',
                                               0)})
        self.assertEqual((status, last), (0, '1 passed, 0 failed'))


if __name__ == '__main__':
    unittest.main()

# SPDX-License-Identifier: GPL-2.0-or-later
"""The runner counts each test once, also when some of its subTests skip.

unittest reports no success for a test one of whose subTests skipped (its
outcome is then neither pass nor fail): the runner once counted such a
test as failed without printing why (7.2 x crash 9.0.2, where the doc
examples that need testmod's debuginfo skip).
"""

import contextlib
import io
import unittest

import runner


def _sample_case(name):
    """A test of subTests that pass or skip (made here: not discovered)."""

    class Sample(unittest.TestCase):
        def test_one_of_two_skips(self):
            for i in range(2):
                with self.subTest(i=i):
                    if i:
                        self.skipTest('the second skips')

        def test_all_skip(self):
            for i in range(2):
                with self.subTest(i=i):
                    self.skipTest('every one skips')

        def test_one_skips_one_fails(self):
            for i in range(2):
                with self.subTest(i=i):
                    if i:
                        self.fail('the second fails')
                    self.skipTest('the first skips')

    return Sample(name)


class TestSubtestCounts(unittest.TestCase):
    """passed, failed, skipped of one sample test through the runner."""

    def counts(self, name):
        result = runner.LineResult()
        with contextlib.redirect_stdout(io.StringIO()) as out:
            _sample_case(name).run(result)
        return (result.passed, result.failed, result.nskipped), out.getvalue()

    def test_a_test_with_a_skipped_subtest_passes_and_says_so(self):
        counts, out = self.counts('test_one_of_two_skips')
        self.assertEqual(counts, (1, 0, 0))
        self.assertIn('1 of its subtests skipped', out)
        self.assertIn('the second skips', out)

    def test_a_test_whose_subtests_all_skip_is_skipped(self):
        counts, out = self.counts('test_all_skip')
        self.assertEqual(counts, (0, 0, 1))
        self.assertIn('every one skips', out)

    def test_a_failing_subtest_still_fails_the_test(self):
        counts, out = self.counts('test_one_skips_one_fails')
        self.assertEqual(counts, (0, 1, 0))
        self.assertIn('the second fails', out)


if __name__ == '__main__':
    unittest.main(argv=['test_runner_counts'], exit=False)

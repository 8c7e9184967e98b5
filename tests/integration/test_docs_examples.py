"""Every ``# example`` in docs/programming.md prints what the doc says.

The examples are the documentation's promises; this keeps them true.
"""

import contextlib
import io
import os
import re
import unittest

from _support import crash_module_problem

from pykdump.API import loadModule, pylog

_DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                    'docs', 'programming.md')


def examples():
    """(title, code, expected output) of each example in the doc."""
    with open(_DOC, encoding='utf-8') as f:
        text = f.read()
    pattern = re.compile(r'```python\n# example: (.*?)\n(.*?)```\n```\n'
                         r'(.*?)```', re.S)
    return [(m.group(1), m.group(2), m.group(3))
            for m in pattern.finditer(text)]


class TestDocExamples(unittest.TestCase):
    """Run each example and compare its output."""

    @classmethod
    def setUpClass(cls):
        ko = os.environ.get('PYKDUMP_TESTMOD')
        if not ko:
            raise unittest.SkipTest('PYKDUMP_TESTMOD is not set')
        if not crash_module_problem():
            loadModule('testmod', ko)

    def test_the_doc_has_examples(self):
        self.assertGreaterEqual(len(examples()), 7)

    def test_each_example_prints_what_the_doc_shows(self):
        for title, code, want in examples():
            with self.subTest(example=title):
                if 'testmod' in code and crash_module_problem():
                    self.skipTest(crash_module_problem())
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(compile(code, 'programming.md: ' + title, 'exec'),
                         {'__name__': '__doc_example__'})
                self.assertEqual(out.getvalue(), want)
        pylog.cleanup()


if __name__ == '__main__':
    unittest.main(argv=['x'], exit=False, verbosity=2)

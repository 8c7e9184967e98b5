# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/proghelp.py: crash help pages made from the programs' parsers.

Plain python3, no crash: the pages are built the way the build builds
them, then printed the way crash's cmd_usage() prints help_data.
"""

import glob
import os
import re
import sys
import tempfile
import unittest

from tests.python.support import ROOT, undocumented

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import proghelp  # noqa: E402

PROGS = sorted(glob.glob(os.path.join(ROOT, 'progs', '*.py')))

# A program whose docstring and option help hold %, %s and %(default)s.
PERCENT_PROG = '''"""Use 100% of it: show %s, %d and %%.

Fills 50% of the screen; "%s" stays.

Examples::

    percent --ratio 5%    five per cent
"""
import argparse
from pykdump.API import crash, readU64


class Oops(crash.error):
    """Build-time stand-ins must allow subclassing crash's types."""


def parse_args(argv):
    """The parser, built inside parse_args as most programs do."""
    p = argparse.ArgumentParser(prog='percent')
    p.add_argument('--ratio', default='10%', metavar='R%',
                   help='ratio in %% (default: %(default)s)')
    return p.parse_args(argv)
'''


def crash_prints(lines):
    """Return the page crash 8.x prints for help_data lines.

    The summary and synopsis go through fprintf(fp, LINE, name); a
    description line too, unless it holds a % but no %s (verbatim).
    """
    def fmt(line):
        return line.replace('%%', '%')

    out = ['NAME', '  %s - %s' % (lines[0], fmt(lines[1])), '',
           'SYNOPSIS', '  %s %s' % (lines[0], fmt(lines[2])), '',
           'DESCRIPTION']
    for line in lines[3:]:
        if '%' in line and '%s' not in line:
            out.append(line)
        else:
            # a lone % left would be a conversion: crash would misprint
            assert not re.search(r'%[^%]', line.replace('%%', '')), line
            out.append(fmt(line))
    return '\n'.join(out)


class ProgramPagesTests(unittest.TestCase):
    """The bundled programs' pages."""

    def test_every_program_has_all_sections(self):
        for path in PROGS:
            with self.subTest(prog=os.path.basename(path)):
                page = crash_prints(proghelp.crash_help_lines(
                    proghelp.load_help(path)))
                for section in ('NAME', 'SYNOPSIS', 'DESCRIPTION',
                                'OPTIONS', 'EXAMPLES'):
                    self.assertRegex(page, r'(?m)^%s$' % section)

    def test_every_parser_option_is_on_the_page(self):
        for path in PROGS:
            name = os.path.splitext(os.path.basename(path))[0]
            with self.subTest(prog=name):
                help_ = proghelp.load_help(path)
                page = crash_prints(proghelp.crash_help_lines(help_))
                # argparse's own usage line names every option
                for opt in re.findall(r'--?[\w-]+', help_.usage):
                    self.assertIn(opt, page.split('OPTIONS', 1)[1])
                self.assertIn('crash> %s' % name, page)

    def test_the_summary_is_the_docstring_first_line(self):
        help_ = proghelp.load_help(os.path.join(ROOT, 'progs',
                                                'xportshow.py'))
        self.assertEqual(help_.summary, 'Networking of a dump: sockets, '
                         'interfaces, routes, ARP, SNMP (netstat-like)')


class PercentTests(unittest.TestCase):
    """% anywhere in a docstring or option help prints as written."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        path = os.path.join(cls.tmp.name, 'percent.py')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(PERCENT_PROG)
        cls.page = crash_prints(proghelp.crash_help_lines(
            proghelp.load_help(path)))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_summary_keeps_its_percent_signs(self):
        self.assertIn('  percent - Use 100% of it: show %s, %d and %%.',
                      self.page)

    def test_description_lines_with_and_without_percent_s(self):
        self.assertIn('  Fills 50% of the screen; "%s" stays.', self.page)

    def test_option_help_and_default(self):
        self.assertRegex(self.page, r'--ratio R%\s+ratio in % \(default: '
                         r'10%\)')
        self.assertIn('[--ratio R%]', self.page)

    def test_examples(self):
        self.assertIn('    crash> percent --ratio 5%    five per cent',
                      self.page)


class HelperTests(unittest.TestCase):
    """Edge cases of the generator itself."""

    def test_a_program_without_a_parser_stops_the_build(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'noparser.py')
            with open(path, 'w', encoding='utf-8') as f:
                f.write('"""Nothing to parse."""\n')
            with self.assertRaisesRegex(proghelp.HelpError, 'noparser'):
                proghelp.load_help(path)

    def test_escape_rules(self):
        self.assertEqual(proghelp.crash_escape('50%'), '50%')
        self.assertEqual(proghelp.crash_escape('%s and 5%'), '%%s and 5%%')
        self.assertEqual(proghelp.crash_escape('50%', always=True), '50%%')

    def test_public_names_are_documented(self):
        self.assertEqual(undocumented(proghelp), [])


if __name__ == '__main__':
    unittest.main()

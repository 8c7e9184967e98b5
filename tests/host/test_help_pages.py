# SPDX-License-Identifier: GPL-2.0-or-later
"""What crash shows about mpykdump: help pages, --ehelp, one version.

One crash session: ``help PROG`` and ``PROG -h`` for every bundled
program, ``epython --ehelp``, ``epython -v`` and the ``extend`` line. The
pages are compared with what the program's own argparse prints inside
crash, and the versions with the file VERSION and debian/changelog.
"""

import ast
import os
import re

from tests.host import _crash
from tests.host._crash import mark


def _top_file(*parts):
    """Return the text of a file of the tree."""
    with open(os.path.join(_crash.TOP, *parts), encoding='utf-8') as f:
        return f.read()


def framework_options():
    """Return the option names of FRAMEWORK_OPTIONS in pykdump/__init__.py."""
    tree = ast.parse(_top_file('pykdump', '__init__.py'))
    for node in tree.body:
        if isinstance(node, ast.Assign) and \
                getattr(node.targets[0], 'id', '') == 'FRAMEWORK_OPTIONS':
            return sorted(ast.literal_eval(key) for key in node.value.keys)
    raise AssertionError('FRAMEWORK_OPTIONS not in pykdump/__init__.py')


class HelpPagesTests(_crash.SessionTestCase):
    """help PROG, PROG -h, epython --ehelp, versions."""

    @classmethod
    def setUpClass(cls):
        cls.progs = _crash.bundled_programs()
        commands = ['extend ' + _crash.so_path()]
        for prog in cls.progs:
            commands += [mark('help-' + prog), 'help ' + prog,
                         mark('argparse-' + prog), prog + ' -h']
        commands += [mark('ehelp'), 'epython --ehelp',
                     mark('version'), 'epython -v', mark('end')]
        cls.session = _crash.run_crash(commands)

    def test_there_are_programs(self):
        self.assertGreaterEqual(len(self.progs), 5)

    def test_every_page_has_the_sections_of_crash_pages(self):
        for prog in self.progs:
            with self.subTest(prog=prog):
                page = self.session.section('help-' + prog)
                heads = re.findall(r'(?m)^([A-Z]+)$', page)
                self.assertEqual(heads, ['NAME', 'SYNOPSIS', 'DESCRIPTION',
                                         'OPTIONS', 'EXAMPLES'])
                self.assertRegex(page, r'(?m)^  %s - \S' % prog)
                self.assertRegex(page, r'(?m)^  %s \[-h\]' % prog)
                self.assertRegex(page, r'(?m)^    crash> %s' % prog)

    def test_every_option_argparse_prints_is_on_the_page(self):
        for prog in self.progs:
            with self.subTest(prog=prog):
                own = self.session.section('argparse-' + prog)
                self.assertIn('usage: %s' % prog, own)
                opts = set(re.findall(r'(?m)^\s+(--?[\w-]+)', own))
                self.assertIn('-h', opts)
                page = self.session.section('help-' + prog)
                options = page.split('\nOPTIONS\n', 1)[1]
                for opt in sorted(opts):
                    self.assertRegex(options, r'(?m)^\s+.*%s\b'
                                     % re.escape(opt))

    def test_percent_signs_print_as_written(self):
        # xportshow's help has none today: the page must not show %%
        for prog in self.progs:
            self.assertNotIn('%%', self.session.section('help-' + prog))

    def test_ehelp_lists_every_framework_option_with_its_meaning(self):
        text = self.session.section('ehelp')
        names = framework_options()
        self.assertIn('--maxel', names)
        for name in names:
            self.assertRegex(text, r'(?m)^  %s( [A-Z]+)? +\w' % name)

    def test_one_version_everywhere(self):
        version = _top_file('VERSION').strip()
        self.assertRegex(version, r'^\d+\.\d+\.\d+$')
        self.assertRegex(self.session.section(''),
                         r'(?m)^mpykdump %s \(Python ' % re.escape(version))
        self.assertRegex(self.session.section('version'),
                         r'(?m)^mpykdump C module %s ' % re.escape(version))
        first = _top_file('debian', 'changelog').splitlines()[0]
        self.assertEqual(re.match(r'mpykdump \(([^)]+)\)', first).group(1),
                         version)
        self.assertEqual(_crash.read_make_var('VERSION'), version)


if __name__ == '__main__':
    import unittest
    unittest.main()

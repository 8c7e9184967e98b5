# SPDX-License-Identifier: GPL-2.0-or-later
"""The Sphinx reference (make docs): complete, and its examples true.

Builds the HTML reference with warnings as errors into a scratch
directory, then, in one crash session, asks the real pykdump which public
names it has and runs each program example of docs/progs/*.rst on the
fixture, comparing with the output the page shows.
"""

import os
import re
import shutil
import subprocess

from tests.host import _crash
from tests.host._crash import mark

DOCS = os.path.join(_crash.TOP, 'docs')
# The example blocks of the program pages: the command, then its output.
_EXAMPLE = re.compile(r'\.\. code-block:: text\n\n   crash> (.*)\n'
                      r'((?:   .*\n|\n)*)')
# What a program prints around its output: banner, timing.
_NOISE = re.compile(r'^ \*{5,}|vmcore  \[| \*\* Execution took')

NAMES_PY = '''import importlib
import pkgutil
import pykdump.API
import pykdump.helpers
for name in pykdump.API.__all__:
    print('pykdump.API.' + name)
for mod in pkgutil.iter_modules(pykdump.helpers.__path__):
    m = importlib.import_module('pykdump.helpers.' + mod.name)
    for name in m.__all__:
        print('pykdump.helpers.%s.%s' % (mod.name, name))
'''


def program_examples():
    """Return [(program, command, expected lines)] of docs/progs/*.rst."""
    found = []
    for page in sorted(os.listdir(os.path.join(DOCS, 'progs'))):
        with open(os.path.join(DOCS, 'progs', page), encoding='utf-8') as f:
            for m in _EXAMPLE.finditer(f.read()):
                lines = [ln[3:] for ln in m.group(2).splitlines()]
                found.append((page[:-4], m.group(1), _clean(lines)))
    return found


def _clean(lines):
    """Return lines without program noise and surrounding blank lines."""
    lines = [ln.rstrip() for ln in lines if not _NOISE.search(ln)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _numbers_masked(lines):
    """Return lines with every number (decimal or hex) replaced by N and
    runs of blanks made one: column widths follow the numbers."""
    return [' '.join(re.sub(r'\b(0x)?[0-9a-f]*[0-9][0-9a-f]*\b', 'N',
                            ln).split()) for ln in lines]


def _inventory(path):
    """Return the object names of a Sphinx objects.inv."""
    code = ('import sys, posixpath\n'
            'from sphinx.util.inventory import InventoryFile\n'
            'with open(sys.argv[1], "rb") as f:\n'
            '    inv = InventoryFile.load(f, "", posixpath.join)\n'
            'for objs in inv.values():\n'
            '    print("\\n".join(objs))\n')
    out = subprocess.run(['/usr/bin/python3', '-c', code, path],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


class DocsTests(_crash.SessionTestCase):
    """make docs' HTML, checked against real pykdump and real output."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        cls.html = os.path.join(tmp, 'html')
        cls.sphinx = subprocess.run(
            [shutil.which('sphinx-build') or 'sphinx-build', '-W',
             '--keep-going', '-q', '-b', 'html', DOCS, cls.html],
            capture_output=True, text=True, check=False)
        _crash.make_tree(tmp, {'names.py': NAMES_PY})
        cls.examples = program_examples()
        commands = ['extend ' + _crash.so_path(), mark('names'),
                    'epython ' + os.path.join(tmp, 'names.py')]
        for i, (_prog, command, _want) in enumerate(cls.examples):
            commands += [mark('example-%d' % i), command]
        commands.append(mark('end'))
        cls.session = _crash.run_crash(commands, cwd=tmp)

    def test_sphinx_builds_without_warnings(self):
        self.assertEqual(self.sphinx.returncode, 0,
                         self.sphinx.stdout + self.sphinx.stderr)
        self.assertEqual(self.sphinx.stderr.strip(), '')

    def test_every_public_name_is_in_the_reference(self):
        inventory = _inventory(os.path.join(self.html, 'objects.inv'))
        with open(os.path.join(DOCS, 'reference', 'api.rst'),
                  encoding='utf-8') as f:
            # names re-exported from the standard library are listed there
            in_text = set(re.findall(r'``(\w+)``', f.read()))
        names = [ln for ln in self.session.lines('names')
                 if ln.startswith('pykdump.') and 'Execution' not in ln]
        self.assertGreater(len(names), 300)
        missing = [n for n in names if n not in inventory and
                   not (n.startswith('pykdump.API.') and
                        n.split('.')[-1] in in_text)]
        self.assertEqual(missing, [], "\n".join(missing))

    def test_every_program_has_a_page_with_an_example(self):
        self.assertEqual(sorted({p for p, _c, _w in self.examples}),
                         _crash.bundled_programs())

    def test_program_examples_print_what_the_pages_show(self):
        # Numbers (pids, addresses, counters) change with each build of
        # the fixture: the pages show one build's. What each line says and
        # the tree's shape must match; the values themselves are checked
        # against the fixture's truth by the programs' own tests.
        for i, (prog, command, want) in enumerate(self.examples):
            with self.subTest(prog=prog, command=command):
                got = _clean(self.session.section('example-%d'
                                                  % i).splitlines())
                self.assertEqual(_numbers_masked(got),
                                 _numbers_masked(want))


if __name__ == '__main__':
    import unittest
    unittest.main()

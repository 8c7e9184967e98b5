# SPDX-License-Identifier: GPL-2.0-or-later
"""The per-run lifecycle is the runner's: importing the API does no crash
work, framework options reach programs that import the API late, and
both spellings of --reload mean the same thing.

One crash session runs every check (sections of the script, _crash.py).
"""

import os

from tests.host import _crash
from tests.host._crash import mark

# Imports the API, then says whether crash's `sys` has run (sys_info
# fills itself from it on first use) and what the run's options did.
NOSYS_PY = '''import sys
import pykdump.API as A
from pykdump import vmcorearch
print('SYS_RAN', vmcorearch.sys_info._filled)
print('ARGV', sys.argv[1:])
print('MAXEL', A.readList.__kwdefaults__['maxel'])
'''

# Imports the API only inside a function: the options still apply.
LATE_PY = '''import sys


def main():
    from pykdump.API import readList
    print('LATE_MAXEL', readList.__kwdefaults__['maxel'])


print('LATE_ARGV', sys.argv[1:])
main()
'''

# Prints a value of a module on $PYKDUMPPATH that the test rewrites.
USEMOD_PY = '''import lcmod
print('LCMOD', lcmod.VALUE)
'''

PLAIN_PY = '''print('PLAIN')
'''

DEBUG_PY = '''import pykdump.API as A
print('DEBUG', A.debug, A.API_options.debug)
'''


class LifecycleTests(_crash.SessionTestCase):
    """One session: a plain import, late imports, the two --reloads."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        lib = os.path.join(tmp, 'lib')
        _crash.make_tree(tmp, {'nosys.py': NOSYS_PY, 'late.py': LATE_PY,
                               'usemod.py': USEMOD_PY, 'plain.py': PLAIN_PY,
                               'debug.py': DEBUG_PY,
                               'lib/lcmod.py': 'VALUE = 1\n'})
        rewrite = '!echo "VALUE = %d" > ' + os.path.join(lib, 'lcmod.py')
        commands = [
            'extend ' + _crash.so_path(),
            mark('plain'), 'epython plain.py',
            # through a pipe: output to a file prints a banner from `sys`
            mark('nosys'), 'epython nosys.py a --maxel 7 b | cat',
            mark('late'), 'epython late.py --maxel=3 x',
            mark('mod1'), 'epython usemod.py',
            rewrite % 22,
            mark('mod_kept'), 'epython usemod.py',
            mark('mod_opt'), 'epython usemod.py --reload',
            rewrite % 333,     # another size: Python's .pyc check
            mark('mod_flag'), 'epython --reload usemod.py',
            mark('debug_on'), 'epython debug.py --debug 2',
            mark('debug_off'), 'epython debug.py',
            mark('end')]
        env = dict(os.environ, PYKDUMPPATH=lib)
        cls.session = _crash.run_crash(commands, env=env, cwd=tmp)

    def test_importing_the_api_runs_no_crash_command(self):
        self.assertIn('SYS_RAN False', self.session.lines('nosys'))

    def test_framework_options_leave_argv_and_apply(self):
        self.assertSectionHas('nosys', "ARGV ['a', 'b']", 'MAXEL 7',
                              lines=True)

    def test_options_apply_when_the_api_is_imported_late(self):
        self.assertSectionHas('late', "LATE_ARGV ['x']", 'LATE_MAXEL 3',
                              lines=True)

    def test_program_without_the_api_gets_no_summary(self):
        # (once a program has imported the API, every run gets one)
        self.assertEqual(self.session.lines('plain'), ['PLAIN'])

    def test_both_reloads_re_read_modules(self):
        self.assertIn('LCMOD 1', self.session.lines('mod1'))
        self.assertIn('LCMOD 1', self.session.lines('mod_kept'))
        self.assertIn('LCMOD 22', self.session.lines('mod_opt'))
        self.assertIn('LCMOD 333', self.session.lines('mod_flag'))

    def test_debug_option_lasts_one_run(self):
        self.assertIn('DEBUG 2 2', self.session.lines('debug_on'))
        self.assertIn('DEBUG 0 0', self.session.lines('debug_off'))

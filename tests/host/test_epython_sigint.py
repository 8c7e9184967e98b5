# SPDX-License-Identifier: GPL-2.0-or-later
"""Ctrl-C during a Python program: KeyboardInterrupt, then crash goes on.

The test sends SIGINT to the crash process itself, as a terminal's ^C
would, while a program spins in a loop. The program announces it runs by
creating a file (crash's output may be buffered); the loop gives up by
itself after LOOP_LIMIT seconds, so a SIGINT that is lost costs time, not
a hung test.
"""

import os
import signal
import unittest

from tests.host import _crash
from tests.host._crash import mark

LOOP_LIMIT = 20

LOOP_PY = _crash.interrupt_loop_py(LOOP_LIMIT)

# The loop runs in a function the try calls. CPython 3.13 and 3.14 leave
# the back edge of some loops (3.13: `while cond: ...` and `for`; 3.14:
# `while True: if ...: break` and `for`) outside the exception table of
# the try around them, and a ^C seen there escapes a handler in the same
# function (python/cpython#130279; in plain python3.13.5, 18 of 70 ^C
# escaped a `while cond: pass` in a try). The frame the KeyboardInterrupt
# leaves is then the loop's function, and the caller's try catches it
# in every version: what the program can rely on. The file that says the
# program runs is made inside the try too.
CATCH_PY = '''import sys
import time


def spin():
    open(sys.argv[1], 'w').close()
    start = time.monotonic()
    while time.monotonic() - start < %d:
        pass


try:
    spin()
    print('NOT INTERRUPTED')
except KeyboardInterrupt:
    print('CAUGHT KeyboardInterrupt')
''' % LOOP_LIMIT


class SigintTests(_crash.SessionTestCase):
    """Two interrupted loops in one session, then more commands."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        so = _crash.so_path()
        _crash.make_tree(tmp, {'loop.py': LOOP_PY, 'catch.py': CATCH_PY,
                               'say.py': 'import sys\nprint(*sys.argv[1:])\n'})
        cls.started = {}
        live = _crash.LiveCrash(cwd=tmp)
        live.write('extend ' + so)
        for name, prog in (('loop1', 'loop.py'), ('loop2', 'loop.py'),
                           ('catch', 'catch.py')):
            flag = os.path.join(tmp, name + '.started')
            live.write(mark(name), 'epython %s %s' % (prog, flag))
            # the first also waits for crash to open the dump: minutes
            # for crash 9.0.2 on 7.2 on a loaded 2-core machine
            cls.started[name] = _crash.wait_for_file(flag, 300, live)
            if cls.started[name]:
                live.signal(signal.SIGINT)
            live.write(mark('after_' + name), 'sym init_task')
        live.write(mark('final'), 'epython say.py STILL WORKS')
        cls.session = live.finish(timeout=LOOP_LIMIT * 3 + 300)

    def assert_started(self, name):
        self.assertTrue(self.started[name],
                        '%s never started (crash output:\n%s)'
                        % (name, self.session.output[-2000:]))

    def assert_interrupted(self, name):
        self.assert_started(name)
        text = self.session.section(name)
        self.assertNotIn('LOOP ENDED WITHOUT INTERRUPT', text,
                         'SIGINT did not stop the program')
        self.assertIn('Traceback (most recent call last):', text)
        self.assertEqual(self.session.lines(name)[-1], 'KeyboardInterrupt')

    def assert_crash_answers(self, name):
        self.assertRegex(self.session.section(name),
                         r'(?m)^[0-9a-f]+ \(\w\) init_task *$')

    def test_sigint_raises_keyboardinterrupt_in_program(self):
        self.assert_interrupted('loop1')

    def test_crash_command_works_after_sigint(self):
        self.assert_crash_answers('after_loop1')

    def test_second_sigint_in_same_session_interrupts_again(self):
        self.assert_interrupted('loop2')
        self.assert_crash_answers('after_loop2')

    def test_program_can_catch_keyboardinterrupt(self):
        self.assert_started('catch')
        self.assertEqual(self.session.lines('catch'),
                         ['CAUGHT KeyboardInterrupt'])

    def test_epython_runs_after_interrupts(self):
        self.assertEqual(self.session.lines('final'), ['STILL WORKS'])


if __name__ == '__main__':
    unittest.main()

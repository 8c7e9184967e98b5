# SPDX-License-Identifier: GPL-2.0-or-later
"""`epython` with no program: a Python console on crash's own input.

Fed exactly as a user's script would feed it: a shell here-document that
holds crash commands and console lines alike. The here-document ends while
the second console is open, so EOF must end the console and then crash.
"""

import os
import re
import shlex
import subprocess
import tempfile
import time
import unittest

from tests.host import _crash

HEREDOC = r'''{crash} <<'EOF'
extend {so}
!echo @@mpk console@@
epython
x = 6 * 7
print("ANSWER", x)
def f(n):
    return n + 1

print("F", f(41))
import crash
print("SYM %x" % crash.sym2addr("init_task"))
print("API", "readSymbol" in globals())
exit()
!echo @@mpk after@@
sym init_task
!echo @@mpk console2@@
epython
print("SECOND", 1 + 1)
EOF
'''


class ConsoleTests(_crash.SessionTestCase):
    """Two consoles in one session; the input ends inside the second."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp()
        argv = _crash.crash_argv()
        script = HEREDOC.format(crash=' '.join(shlex.quote(a) for a in argv),
                                so=shlex.quote(_crash.so_path()))
        start = time.monotonic()
        with tempfile.TemporaryFile() as out:
            timed_out = False
            proc = subprocess.Popen(['bash', '-c', script], stdout=out,
                                    stderr=subprocess.STDOUT, cwd=cls.tmp,
                                    env=_crash.session_env(),
                                    start_new_session=True)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, 9)
                proc.wait()
            out.seek(0)
            text = out.read().decode('utf-8', 'replace')
        cls.session = _crash.Session(text, proc.returncode, proc.pid,
                                     time.monotonic() - start, timed_out)

    def console_output(self, name):
        """Lines the console printed, with its '>>> '/'... ' prompts cut."""
        lines = []
        for ln in self.session.section(name).splitlines():
            ln = re.sub(r'^((>>>|\.\.\.) ?)+', '', ln)
            if ln.strip():
                lines.append(ln)
        return lines

    def test_console_evaluates_statements(self):
        self.assertIn('ANSWER 42', self.console_output('console'))

    def test_console_accepts_multi_line_blocks(self):
        self.assertIn('F 42', self.console_output('console'))

    def test_console_reaches_the_crash_module(self):
        sym = re.search(r'(?m)^([0-9a-f]+) \(\w\) init_task *$',
                        self.session.section('after'))
        self.assertTrue(sym, self.session.section('after'))
        self.assertIn('SYM ' + sym.group(1), self.console_output('console'))

    def test_console_starts_with_the_api_imported(self):
        out = self.console_output('console')
        self.assertNotIn('Traceback (most recent call last):', out)
        self.assertIn('API True', out)

    def test_exit_returns_to_crash_and_next_command_works(self):
        self.assertRegex(self.session.section('after'),
                         r'(?m)^[0-9a-f]+ \(\w\) init_task *$')

    def test_session_ends_with_crash_exiting_normally(self):
        # Input ends without 'quit': crash 8.0.2 then exits with status 1
        # by itself; what must not happen is a hang or a death by signal.
        self.assertFalse(self.session.timed_out, 'crash timed out')
        self.assertIn(self.session.returncode, (0, 1),
                      'crash exit status %s' % self.session.returncode)

    def test_eof_in_console_ends_it_and_crash(self):
        self.assertIn('SECOND 2', self.console_output('console2'))
        self.assertFalse(self.session.timed_out, 'crash waited after EOF')


if __name__ == '__main__':
    unittest.main()

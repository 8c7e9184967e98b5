# SPDX-License-Identifier: GPL-2.0-or-later
"""The console on a terminal: crash's readline, then crash's state back.

crash runs on a pseudo-terminal (Python's pty module), so it reads its
commands through readline, as for a user; the test types keys (arrows,
Tab, ^C) and reads what the terminal shows. One session, one step per
test in order; each step waits for a prompt, so a lost key fails with
the screen text instead of hanging.
"""

import os
import re
import select
import shutil
import signal
import time
import unittest

from tests.host import _crash

UP = '\x1b[A'
KILL_LINE = '\x15'      # ^U: readline's unix-line-discard, vi and emacs


class Terminal:
    """A process on a pty: send() keys, expect() a regex of its output."""

    def __init__(self, argv, env, cwd):
        pid, fd = os.forkpty()
        if pid == 0:  # the child: crash on the terminal
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.seen = ''          # everything, for failure messages
        self.pending = ''       # not yet matched by expect()

    def send(self, keys):
        """Type keys."""
        os.write(self.fd, keys.encode())

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536).decode('utf-8', 'replace')
        except OSError:         # EIO: the process closed the terminal
            return False
        self.seen += data
        self.pending += data
        return True

    def expect(self, pattern, timeout=60):
        """Return the output up to the first match of pattern; consume it."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.pending)
            if m:
                text = self.pending[:m.end()]
                self.pending = self.pending[m.end():]
                return text
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 1.0))
                             and self.exited()):
                raise AssertionError('no %r on the terminal; last output:'
                                     '\n%s' % (pattern, self.seen[-1500:]))

    def exited(self):
        """Return True once the process has ended (reaping it)."""
        if self.pid is None:
            return True
        pid, _ = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.pid = None
        return pid != 0

    def close(self):
        """Quit crash (or kill it) and release the terminal."""
        if not self.exited():
            try:
                self.send(KILL_LINE + 'quit\n')
            except OSError:
                pass
            deadline = time.monotonic() + 20
            while not self.exited() and time.monotonic() < deadline:
                self._read(0.2)
            if not self.exited():
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.fd)


PROMPT = r'crash> $'
PY = r'>>> $'


class ConsoleOnTerminalTests(unittest.TestCase):
    """One crash on a pty: keys typed in the console and after it."""

    @classmethod
    def setUpClass(cls):
        # HOME and cwd apart: no user .crashrc, history or .inputrc.
        cls.tmp = _crash.scratch_dir()
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        env = _crash.session_env({'HOME': cls.tmp, 'TERM': 'xterm',
                                  'INPUTRC': '/dev/null'})
        env.pop('MPYKDUMP_HISTORY', None)
        cls.history = os.path.join(cls.tmp, '.mpykdump_history')
        with open(cls.history, 'w', encoding='utf-8') as f:
            f.write('print("FROM FILE")\n')
        cls.term = Terminal(_crash.crash_argv(), env, cls.tmp)
        cls.steps = {}
        try:
            cls._run()
        except AssertionError as exc:
            cls.failure = str(exc)[-1500:]
        finally:
            cls.term.close()

    failure = None

    @classmethod
    def step(cls, name, keys, pattern, timeout=60):
        """Type keys, wait for pattern, keep the text as step name."""
        cls.term.send(keys)
        cls.steps[name] = cls.term.expect(pattern, timeout)

    @classmethod
    def _run(cls):
        t = cls.term
        t.expect(PROMPT, 120)
        cls.step('sym', 'sym init_task\n', PROMPT)
        cls.step('p_next', 'p init_task.tasks.next\n', PROMPT)
        # crash's own completion before the console: gdb's, for p.
        cls.step('complete_before', 'p linux_banne\t', r'linux_banner ')
        cls.step('extend', KILL_LINE + 'extend %s\n' % _crash.so_path(),
                 PROMPT)
        cls.step('console', 'epython\n', PY)
        cls.step('answer', 'print("V", 6 * 7)\n', PY)
        cls.step('recall', UP + '\n', PY)
        cls.step('recall_file', UP + UP + '\n', PY)
        cls.step('tab', 'readSym\t', r'readSymbol\(')
        cls.step('struct', '"init_task")\n', PY)
        cls.step('member', 'readSymbol("init_task").tasks\n', PY)
        cls.step('repr', 'repr(readSymbol("init_task"))\n', PY)
        cls.step('ctrl_c', 'abc\x03', PY)
        cls.step('after_ctrl_c', 'print("ALIVE")\n', PY)
        cls.step('exit', 'exit()\n', PROMPT)
        cls.step('crash_history', UP, r'epython')
        cls.step('complete_after', KILL_LINE + 'p linux_banne\t',
                 r'linux_banner ')
        cls.step('p', '\n', PROMPT)
        cls.step('console2', 'epython\n', PY)
        cls.step('eof', '\x04', PROMPT)
        cls.step('after_eof', 'sym init_task\n', PROMPT)

    def text(self, name):
        """Return what the terminal showed during step name."""
        if name not in self.steps:
            self.fail('step %r not reached: %s' % (name, self.failure))
        # gdb colours its output on a terminal; newer readline (sid) turns
        # bracketed paste on and off around each line (ESC [ ? 2004 h/l)
        return re.sub(r'\x1b\[\??[0-9;]*[a-zA-Z]', '',
                      self.steps[name]).replace('\r', '')

    def test_session_has_no_sanitizer_report(self):
        # make check-asan runs this under ASan (MPK_CRASH, MPK_SO)
        self.assertEqual([ln for ln in self.term.seen.splitlines()
                          if _crash.SANITIZER_RE.search(ln)], [])

    def test_crash_completes_before_the_console(self):
        self.assertIn('p linux_banner ', self.text('complete_before'))

    def test_up_arrow_recalls_the_previous_line(self):
        self.assertIn('V 42', self.text('answer'))
        self.assertIn('V 42', self.text('recall'))

    def test_history_file_lines_are_recalled(self):
        self.assertIn('FROM FILE', self.text('recall_file'))

    def test_tab_completes_a_pykdump_name(self):
        self.assertIn('readSymbol(', self.text('tab'))

    def test_struct_shows_type_address_and_members(self):
        # crash 9.0.2 ends the sym line with a space
        sym = re.search(r'(?m)^([0-9a-f]+) \(\w\) init_task\s*$',
                        self.text('sym'))
        self.assertTrue(sym, self.text('sym'))
        text = self.text('struct')
        self.assertIn('(struct task_struct *) 0x%s = {' % sym.group(1), text)
        self.assertRegex(text, r'(?m)^  \.se = \(struct sched_entity\) '
                         r'\{\.\.\.\},$')
        # bounded: task_struct has far more members than are shown
        self.assertRegex(text, r'(?m)^  \.\.\. \(\d+ more members\)$')

    def test_struct_member_pointers_show_as_crash_prints_them(self):
        # crash: "$1 = (struct list_head *) 0xffff..."
        p = re.search(r'= (\(struct list_head \*\) 0x[0-9a-f]+)',
                      self.text('p_next'))
        self.assertTrue(p, self.text('p_next'))
        self.assertIn('  .next = %s,\n' % p.group(1), self.text('member'))

    def test_repr_stays_the_original(self):
        self.assertRegex(self.text('repr'),
                         r"'StructResult <struct task_struct 0x[0-9a-f]+>")

    def test_ctrl_c_drops_the_line_and_the_console_goes_on(self):
        self.assertIn('KeyboardInterrupt', self.text('ctrl_c'))
        self.assertIn('ALIVE', self.text('after_ctrl_c'))

    def test_crash_history_is_crash_own_after_exit(self):
        # The last crash command, not the console's exit().
        self.assertNotIn('exit()', self.text('crash_history'))

    def test_crash_completion_works_after_exit(self):
        self.assertIn('linux_banner ', self.text('complete_after'))
        self.assertIn('Linux version', self.text('p'))

    def test_ctrl_d_ends_the_console_and_crash_goes_on(self):
        self.assertRegex(self.text('after_eof'),
                         r'(?m)^[0-9a-f]+ \(\w\) init_task\s*$')

    def test_console_history_is_saved_to_the_file(self):
        with open(self.history, encoding='utf-8') as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], 'print("FROM FILE")')
        self.assertIn('print("V", 6 * 7)', lines)
        self.assertEqual(lines[-1], 'exit()')
        self.assertNotIn('sym init_task', lines)


if __name__ == '__main__':
    unittest.main()

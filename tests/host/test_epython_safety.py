# SPDX-License-Identifier: GPL-2.0-or-later
"""The crash session survives ^C at any moment, and runs leave nothing behind.

Issue 9. SIGINT is sent by the test (to the crash process, or as a ^C
typed on a real terminal) at the moments that used to kill crash or leave
wrong state: during a Python loop after a type lookup, during a type load,
during a long crash command run from Python, during the interpreter's
start-up, and all of it again on a pty where crash has a terminal (gdb
then turns ^C into a failed request). After each, the next crash command
and the next epython must work and give the right answers: types are
checked against gdb's own sizeof, so a ^C cached as "no type" fails.

A second session checks what a run may leave behind: replaced or closed
sys.stdout/sys.stderr, a bad --ofile path, a global kept alive, a fatal
crash error inside a binding.
"""

import os
import pty
import re
import select
import shutil
import signal
import threading
import time
import unittest

from tests.host import _crash
from tests.host._crash import mark

LIMIT = 20   # seconds a loop runs if the ^C is lost

LOOP_PY = _crash.interrupt_loop_py(
    LIMIT, setup="from pykdump.API import readSymbol\n"
                 "print('COMM', readSymbol('init_task').comm)\n")

# Each key is a new ptype /o request to gdb (the C cache is per text);
# progress says how far it got, for the check of the next run.
TYPELOAD_PY = '''import sys
import time
import crash
open(sys.argv[1], 'w').close()
start = time.monotonic()
i = 0
while time.monotonic() - start < %d:
    i += 1
    d = crash.gdb_typeinfo('struct task_struct' + ' ' * (i %% 900))
    crash.member_offset('struct mm_struct', 'pgd')
    with open(sys.argv[2], 'w') as f:
        f.write(str(i))
print('LOOP ENDED WITHOUT INTERRUPT', i)
''' % LIMIT

# Every key the interrupted run may have touched must now be right (the
# crash module only: importing the API would cost seconds per session).
CHECKTYPES_PY = '''import sys
import crash
try:
    n = int(open(sys.argv[1]).read() or 0)
except (IndexError, OSError):
    n = 0
out = crash.exec_crash_command('p sizeof(struct task_struct)')
size = int(out.split('=')[1])
bad = [i for i in range(min(n + 3, 60))
       if crash.gdb_typeinfo('struct task_struct' + ' ' * i)['typelength']
       != size]
init_task = crash.sym2addr('init_task')
pid = crash.readInt(init_task + crash.member_offset('struct task_struct',
                                                    'pid'), 4)
comm = crash.readmem(init_task + crash.member_offset('struct task_struct',
                                                     'comm'), 16)
print('TYPES', 'OK' if not bad else 'BAD %s' % bad[:5],
      crash.struct_size('struct task_struct') == size,
      crash.member_offset('struct task_struct', 'pid') ==
      int(crash.exec_crash_command(
          'p/x &((struct task_struct *)0)->pid').split('=')[1], 16),
      pid, comm.split(b'\\0')[0].decode())
'''

CRASHCMD_PY = _crash.interrupt_loop_py(
    LIMIT, setup='import crash\n',
    body="    crash.exec_crash_command('foreach bt')\n")

SAY_PY = 'import sys\nprint(*sys.argv[1:])\n'

# The API's own caches (SUInfo, typeinfo memo) after the interrupts.
APITYPES_PY = '''import crash
from pykdump.API import readSU
t = readSU('struct task_struct', crash.sym2addr('init_task'))
print('API', t.pid, t.comm, int(t.mm), len(t.PYT_sinfo) > 100)
'''

# The same with the API imported: its framework options and banners.
APISAY_PY = 'import sys\nfrom pykdump.API import *\nprint(*sys.argv[1:])\n'

# Lines pykdump.API adds around a program when output is a regular file.
_FRAMEWORK_RE = re.compile(r'^\s*(\*{3,}.*\*{3,}|.*\[PARTIAL DUMP\].*|'
                           r'/\S+ +\(\S+\)|\*\* Execution took .*)\s*$')


def program_lines(lines):
    """Return lines without the API's banner and timing lines."""
    return [ln.strip() for ln in lines if not _FRAMEWORK_RE.match(ln)]


EXPECTED_TYPES = 'TYPES OK True True 0 swapper/0'
SYM_RE = r'(?m)^[0-9a-f]+ \(\w\) init_task\s*$'


def programs(tmp):
    """Write the programs into tmp."""
    _crash.make_tree(tmp, {'loop.py': LOOP_PY, 'typeload.py': TYPELOAD_PY,
                           'checktypes.py': CHECKTYPES_PY,
                           'crashcmd.py': CRASHCMD_PY, 'say.py': SAY_PY,
                           'apisay.py': APISAY_PY,
                           'apitypes.py': APITYPES_PY})


class InterruptTests(_crash.SessionTestCase):
    """^C during a loop, a type load and a crash command (no terminal)."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        programs(tmp)
        cls.started = {}
        live = _crash.LiveCrash(cwd=tmp)
        live.write('extend ' + _crash.so_path())
        steps = (('loop', 'loop.py %s', 0.2),
                 ('typeload', 'typeload.py %s progress', 0.5),
                 ('crashcmd', 'crashcmd.py %s', 0.5),
                 ('crashcmd_pipe', 'crashcmd.py %s | cat', 0.5))
        for name, cmd, delay in steps:
            flag = os.path.join(tmp, name + '.started')
            done = os.path.join(tmp, name + '.done')
            live.write(mark(name), 'epython ' + cmd % flag, '!touch ' + done)
            cls.started[name] = _crash.wait_for_file(flag, 300, live)
            if cls.started[name]:
                time.sleep(delay)
                live.signal(signal.SIGINT)
                # Without a terminal crash's gdb_interface() sets SIG_IGN
                # around each request, which discards a pending ^C that
                # our thread has not taken yet (a busy machine): again.
                for _ in range(3):
                    if _crash.wait_for_file(done, 3, live):
                        break
                    live.signal(signal.SIGINT)
            live.write(mark('after_' + name), 'sym init_task',
                       mark('next_' + name), 'epython checktypes.py progress')
        live.write(mark('final'), 'epython say.py STILL WORKS',
                   mark('api'), 'epython apitypes.py')
        cls.session = live.finish(timeout=LIMIT * len(steps) + 120)

    def assert_interrupted(self, name):
        self.assertTrue(self.started[name], '%s never started:\n%s'
                        % (name, self.session.output[-2000:]))
        text = self.session.section(name)
        self.assertNotIn('LOOP ENDED WITHOUT INTERRUPT', text)
        self.assertRegex(program_lines(self.session.lines(name))[-1],
                         r'^KeyboardInterrupt(: interrupted)?$', text[-1500:])
        self.assertRegex(self.session.section('after_' + name), SYM_RE)
        self.assertEqual(program_lines(self.session.lines('next_' + name)),
                         [EXPECTED_TYPES])

    def test_sigint_in_a_loop_after_a_type_lookup(self):
        self.assertIn('COMM swapper/0', self.session.section('loop'))
        self.assert_interrupted('loop')

    def test_sigint_during_type_loads_caches_nothing_wrong(self):
        self.assert_interrupted('typeload')

    def test_sigint_during_a_long_crash_command(self):
        self.assert_interrupted('crashcmd')

    def test_sigint_during_a_crash_command_keeps_the_output_pipe(self):
        # restart()'s restore_sanity() used to close the | cat pipe.
        self.assert_interrupted('crashcmd_pipe')

    def test_api_type_caches_are_right_after_all_interrupts(self):
        self.assertEqual(program_lines(self.session.lines('api')),
                         ['API 0 swapper/0 0 True'])

    def test_epython_runs_after_all_interrupts(self):
        self.assertEqual(program_lines(self.session.lines('final')),
                         ['STILL WORKS'])


class StartupInterruptTests(_crash.SessionTestCase):
    """^C 5-15 ms into the first epython (Python starting).

    The first delay is the first epython of the session; for the others
    `extend -u` finalised Python, so it starts again.
    """

    DELAYS = (0.010, 0.005, 0.015)

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        programs(tmp)
        so = _crash.so_path()
        live = _crash.LiveCrash(cwd=tmp)
        for n, delay in enumerate(cls.DELAYS):
            ready = os.path.join(tmp, 'ready%d' % n)
            live.write('extend ' + so, '!touch ' + ready)
            if _crash.wait_for_file(ready, 300, live):
                live.write('epython say.py FIRST')
                time.sleep(delay)
                live.signal(signal.SIGINT)
            live.write(mark('after%d' % n), 'sym init_task',
                       mark('next%d' % n), 'epython checktypes.py',
                       mark('again%d' % n), 'epython say.py AGAIN',
                       'extend -u ' + so)
        cls.session = live.finish(timeout=300)

    def test_crash_survives_sigint_during_python_startup(self):
        for n, delay in enumerate(self.DELAYS):
            with self.subTest(delay_ms=delay * 1000):
                self.assertRegex(self.session.section('after%d' % n), SYM_RE)

    def test_next_epython_works_after_sigint_during_startup(self):
        self.assertNotIn('failed to start', self.session.output)
        for n, delay in enumerate(self.DELAYS):
            with self.subTest(delay_ms=delay * 1000):
                self.assertEqual(
                    program_lines(self.session.lines('next%d' % n)),
                    [EXPECTED_TYPES])
                # Then extend -u speaks.
                self.assertEqual(
                    program_lines(self.session.lines('again%d' % n))[:1],
                    ['AGAIN'])


class PtySession:
    """crash on a pseudo-terminal: ^C is typed, as a user would."""

    def __init__(self, cwd):
        self.buf = bytearray()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: crash with the pty as its terminal
            try:
                os.chdir(cwd)
                env = _crash.session_env({'TERM': 'dumb'})
                argv = _crash.crash_argv()
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 1)
                if not ready:
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                self.buf += data

    def wait_prompt(self, start, timeout=120):
        """Wait until crash prompts again after buffer offset start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                tail = bytes(self.buf[start:])
            if b'\n' in tail and tail.rstrip().endswith(b'crash>'):
                return True
            time.sleep(0.05)
        return False

    def type(self, line):
        """Type line and Enter; return the buffer offset before it."""
        with self.lock:
            start = len(self.buf)
        os.write(self.fd, line.encode() + b'\r')
        return start

    def write(self, *lines):
        """Type lines one at a time, each when crash prompts again."""
        for line in lines:
            self.wait_prompt(self.type(line))

    def interrupt(self):
        """Type ^C: the terminal sends SIGINT to crash."""
        os.write(self.fd, b'\x03')

    def alive(self):
        """True while crash runs."""
        return os.waitpid(self.pid, os.WNOHANG) == (0, 0)

    def finish(self, timeout):
        """Type quit, wait, return (exit status, output text)."""
        self.type('quit')
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(st)
                break
            time.sleep(0.1)
        if status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        self.reader.join(5)
        os.close(self.fd)
        with self.lock:
            text = self.buf.decode('utf-8', 'replace')
        return status, text.replace('\r', '')


class PtyInterruptTests(unittest.TestCase):
    """^C typed on crash's terminal: gdb's handler is in play."""

    @classmethod
    def setUpClass(cls):
        _crash.fixture()
        cls.tmp = _crash.scratch_dir()
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        programs(cls.tmp)
        term = PtySession(cls.tmp)
        term.wait_prompt(0)
        term.write('set scroll off', 'extend ' + _crash.so_path())
        cls.started = {}
        for name, cmd, delay in (
                ('typeload', 'typeload.py %s progress', 0.5),
                ('loop', 'loop.py %s', 0.2),
                ('crashcmd', 'crashcmd.py %s', 0.5)):
            flag = os.path.join(cls.tmp, name + '.started')
            term.write(mark(name))
            start = term.type('epython ' + cmd % flag)
            cls.started[name] = _crash.wait_for_file(flag, 300)
            if cls.started[name]:
                time.sleep(delay)
                term.interrupt()
            term.wait_prompt(start, LIMIT + 60)
            term.write(mark('after_' + name), 'sym init_task',
                       mark('next_' + name),
                       'epython checktypes.py progress')
        term.write(mark('final'), 'epython say.py STILL WORKS')
        cls.status, cls.output = term.finish(LIMIT * 3 + 120)
        cls.sections = _crash.split_sections(cls.output)

    def lines(self, name):
        self.assertIn(name, self.sections, self.output[-3000:])
        return program_lines(ln for ln in self.sections[name].splitlines()
                             if ln.strip() and not ln.startswith('crash> '))

    def assert_interrupted(self, name):
        self.assertTrue(self.started.get(name), '%s never started:\n%s'
                        % (name, self.output[-3000:]))
        text = self.sections.get(name, '')
        self.assertNotIn('LOOP ENDED WITHOUT INTERRUPT', text)
        self.assertTrue([ln for ln in self.lines(name)
                         if re.match(r'KeyboardInterrupt(: interrupted)?$',
                                     ln)], text[-1500:])
        self.assertRegex(self.sections['after_' + name], SYM_RE)
        self.assertIn(EXPECTED_TYPES, self.lines('next_' + name))

    def test_typed_ctrl_c_during_type_loads_caches_nothing_wrong(self):
        self.assert_interrupted('typeload')

    def test_typed_ctrl_c_in_a_loop_after_a_type_lookup(self):
        self.assert_interrupted('loop')

    def test_typed_ctrl_c_during_a_long_crash_command(self):
        self.assert_interrupted('crashcmd')

    def test_crash_exits_normally_after_typed_interrupts(self):
        self.assertIn('STILL WORKS', self.lines('final'))
        self.assertEqual(self.status, 0, self.output[-2000:])
        self.assertFalse(re.search(_crash.SANITIZER_RE, self.output))


# What a run may leave behind.
REPLACE_PY = '''import io
import sys
sys.stdout = io.StringIO()
sys.stderr = io.StringIO()
print('HIDDEN')
'''

CLOSE_PY = '''import sys
sys.stdout.close()
sys.stderr.close()
'''

STREAMS_PY = '''import io
import sys
import crash
print('TYPE', type(sys.stdout).__name__,
      isinstance(sys.stdout.buffer, io.RawIOBase), sys.stdout.closed)
sys.stdout.buffer.write(b'BYTES\\n')
sys.stdout.writelines(['WL1\\n', 'WL2\\n'])
print('ERR LINE', file=sys.stderr)
print('LAST')
'''

BIG_PY = '''import builtins
import weakref


class Big:
    """Held only by this program's globals."""


big = Big()
payload = bytearray(10 * 1024 * 1024)


def f():
    return payload


builtins._mpk_big = weakref.ref(big)
print('BIG SET')
'''

CHECKBIG_PY = '''import builtins
print('BIG FREED', builtins._mpk_big() is None)
'''

FATAL_PY = '''import crash
from pykdump.API import readProcessMem
task = crash.sym2addr('linux_banner') - \\
    crash.member_offset('struct task_struct', 'mm')
results = []
for call in (lambda: crash.sym2addr(''), lambda: crash.symbol_exists(''),
             lambda: crash.uvtop(task, 0x400000),
             lambda: readProcessMem(task, 0x400000, 8),
             lambda: crash.set_readmem_task(task),
             lambda: crash.readPtr(crash.sym2addr('linux_banner'), 99)):
    try:
        results.append(repr(call()))
    except Exception as exc:
        results.append(type(exc).__name__)
print('RESULTS', ' '.join(results))
'''


class LeftoverTests(_crash.SessionTestCase):
    """Streams, --ofile, globals and fatal calls do not outlive a run."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        programs(tmp)
        _crash.make_tree(tmp, {'replace.py': REPLACE_PY, 'close.py': CLOSE_PY,
                               'streams.py': STREAMS_PY, 'big.py': BIG_PY,
                               'checkbig.py': CHECKBIG_PY,
                               'fatal.py': FATAL_PY})
        cls.ofile = os.path.join(tmp, 'out.txt')
        cls.redirect = os.path.join(tmp, 'redirect.txt')
        cls.session = _crash.run_crash([
            'extend ' + _crash.so_path(),
            mark('replace'), 'epython replace.py',
            mark('after_replace'), 'epython say.py AFTER REPLACE',
            mark('close'), 'epython close.py',
            mark('after_close'), 'epython say.py AFTER CLOSE',
            mark('badofile'), 'epython apisay.py X --ofile /nonexistent/d/f',
            mark('after_badofile'), 'epython apisay.py AFTER BAD OFILE',
            mark('ofile'), 'epython apisay.py INFILE --ofile ' + cls.ofile,
            mark('after_ofile'), 'epython apisay.py AFTER OFILE',
            mark('streams'), 'epython streams.py',
            mark('streams_pipe'),
            "epython streams.py | grep -cE '^(TYPE|BYTES|WL|ERR|LAST)'",
            'epython streams.py > ' + cls.redirect,
            mark('streams_redirect'), '!cat ' + cls.redirect,
            mark('big'), 'epython big.py',
            mark('checkbig'), 'epython checkbig.py',
            mark('fatal'), 'epython fatal.py',
            mark('after_fatal'), 'sym init_task',
            mark('next_fatal'), 'epython checktypes.py',
        ], cwd=tmp)

    def plines(self, name):
        """The program's lines of section name."""
        return program_lines(self.session.lines(name))

    def test_replaced_streams_are_restored(self):
        self.assertEqual(self.plines('replace'), [])
        self.assertEqual(self.plines('after_replace'),
                         ['AFTER REPLACE'])

    def test_closed_streams_are_restored(self):
        self.assertEqual(self.plines('after_close'), ['AFTER CLOSE'])

    def test_bad_ofile_path_is_reported_and_forgotten(self):
        self.assertIn('No such file or directory',
                      self.session.section('badofile'))
        self.assertEqual(self.plines('after_badofile'),
                         ['AFTER BAD OFILE'])

    def test_good_ofile_still_works_and_is_forgotten(self):
        with open(self.ofile, encoding='utf-8') as f:
            self.assertIn('INFILE', f.read())
        self.assertEqual(self.plines('after_ofile'),
                         ['AFTER OFILE'])

    def test_stdout_is_a_textiowrapper_over_crash_output(self):
        self.assertEqual(self.plines('streams'),
                         ['TYPE TextIOWrapper True False', 'BYTES', 'WL1',
                          'WL2', 'ERR LINE', 'LAST'])

    def test_stdout_follows_crash_pipes_and_redirections(self):
        self.assertEqual(self.plines('streams_pipe'), ['6'])
        self.assertEqual(self.plines('streams_redirect'),
                         ['TYPE TextIOWrapper True False', 'BYTES', 'WL1',
                          'WL2', 'ERR LINE', 'LAST'])

    def test_globals_of_a_run_are_freed_at_its_end(self):
        self.assertEqual(self.plines('big'), ['BIG SET'])
        self.assertEqual(self.plines('checkbig'), ['BIG FREED True'])

    def test_fatal_crash_errors_become_exceptions_and_crash_survives(self):
        self.assertEqual(self.plines('fatal'), [
            'RESULTS 0 0 FaultError FaultError error ValueError'])
        self.assertRegex(self.session.section('after_fatal'), SYM_RE)
        self.assertEqual(self.plines('next_fatal'),
                         [EXPECTED_TYPES])


if __name__ == '__main__':
    unittest.main()

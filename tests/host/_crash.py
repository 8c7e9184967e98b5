# SPDX-License-Identifier: GPL-2.0-or-later
"""Start crash on the fixture from host-side tests and split its output.

A crash session costs ~3 s, so a test class runs one session for many
checks: it feeds crash a script in which each check is a *section*
introduced by a marker command (``!echo @@mpk NAME@@``: crash's own shell
escape, which flushes crash's output first, so markers stay in order with
what commands print), then each test reads its own section.

Environment (all optional; ``make check`` sets them):

``PYKDUMP_VMLINUX``, ``PYKDUMP_VMCORE``, ...
    the fixture (else ``tests/vmcore/make-fixture.sh --print-env``);
``MPK_SO``
    the mpykdump.so under test (default: the one at the top of the tree);
``MPK_CRASH``
    the command that starts crash, split like a shell would, e.g.
    ``env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libasan.so.8 crash``
    for ``make check-asan`` (default ``crash``).
"""

import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

MARK = '@@mpk %s@@'
# At the end of a line: a program may leave its last line unterminated.
_MARK_RE = re.compile(r'^(.*)@@mpk (\S+)@@$')

#: Text a sanitizer (ASan, UBSan, LSan) prints when it finds something.
SANITIZER_RE = re.compile(r'ERROR: (Address|Leak)Sanitizer|'
                          r'SUMMARY: (Address|UndefinedBehavior)Sanitizer|'
                          r': runtime error: ')

_fixture = None

#: Prefix of the host tests' scratch directories in the temp directory.
#: The rest of a name is the owning run's pid and start time
#: (``mpk-host-PID-START-xxxx``): a run killed from outside (a matrix pair
#: stopped at its deadline) runs no cleanup, and a later run tells its
#: leftovers from the directories of a run still going (pairs run side by
#: side) by that process being gone.
SCRATCH_PREFIX = 'mpk-host-'
_SCRATCH_RE = re.compile(r'^%s(\d+)-(\d+)-' % SCRATCH_PREFIX)
#: A directory named before runs were recorded (no pid) is a dead run's
#: once untouched this long: no host test session lasts a day.
UNRECORDED_STALE_SECONDS = 24 * 3600
_swept = False


def start_time(pid):
    """The start time of process pid (clock ticks since boot, field 22 of
    /proc/PID/stat), or None without such a process or /proc."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            text = f.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and ')'
    return int(text.rsplit(b')', 1)[1].split()[19])


def run_is_alive(pid, start):
    """Whether the run of process pid started at start (0: not recorded)
    is still going: the pid exists and, where both are known, is the same
    process (a pid is reused after the run is gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass                # another user's process: it exists
    now = start_time(pid)
    return not start or now is None or now == start


def remove_stale_scratch(tmpdir=None):
    """Remove the scratch directories under tmpdir (default: the temp
    directory) of runs that are gone, ours only; return their paths.

    Never a live run's: a name recording a pid is removed only when that
    process is gone, one without (older runs) only when untouched for
    UNRECORDED_STALE_SECONDS.
    """
    tmpdir = tmpdir or tempfile.gettempdir()
    removed = []
    try:
        names = os.listdir(tmpdir)
    except OSError:
        return removed
    for name in sorted(names):
        if not name.startswith(SCRATCH_PREFIX):
            continue
        path = os.path.join(tmpdir, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
            continue
        m = _SCRATCH_RE.match(name)
        if m:
            stale = not run_is_alive(int(m.group(1)), int(m.group(2)))
        else:
            stale = time.time() - st.st_mtime > UNRECORDED_STALE_SECONDS
        if stale:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def scratch_dir():
    """Create a scratch directory for this run, named for it (see
    SCRATCH_PREFIX); the caller removes it. The first call of a run first
    removes those of runs that are gone."""
    global _swept
    if not _swept:
        _swept = True
        remove_stale_scratch()
    pid = os.getpid()
    return tempfile.mkdtemp(prefix='%s%d-%d-' % (
        SCRATCH_PREFIX, pid, start_time(pid) or 0))


def fixture():
    """Return the fixture's PYKDUMP_* variables as a dict.

    Taken from the environment when PYKDUMP_VMCORE is set, otherwise from
    ``make-fixture.sh --print-env`` (which builds the fixture once and
    then answers from its cache). Raise unittest.SkipTest when there is
    no fixture to be had, with the script's own message.
    """
    global _fixture
    if _fixture is not None:
        return _fixture
    names = ('PYKDUMP_VMLINUX', 'PYKDUMP_VMCORE', 'PYKDUMP_VMCORE_ELF',
             'PYKDUMP_TRUTH', 'PYKDUMP_TESTMOD', 'PYKDUMP_KVER',
             'PYKDUMP_CRASH_ARGS')
    if os.environ.get('PYKDUMP_VMCORE'):
        env = {n: os.environ[n] for n in names if n in os.environ}
    else:
        script = os.path.join(TOP, 'tests', 'vmcore', 'make-fixture.sh')
        proc = subprocess.run([script, '--print-env'], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise unittest.SkipTest('no vmcore fixture: %s'
                                    % proc.stderr.strip()[-300:])
        env = {}
        for line in proc.stdout.splitlines():
            name, _, value = line.partition('=')
            if name in names:
                env[name] = shlex.split(value)[0] if value else ''
    for n in ('PYKDUMP_VMLINUX', 'PYKDUMP_VMCORE'):
        if not os.path.isfile(env.get(n, '')):
            raise unittest.SkipTest('fixture file %s=%r missing'
                                    % (n, env.get(n)))
    _fixture = env
    return env


def so_path():
    """Return the path of the mpykdump.so under test (must exist)."""
    path = os.path.abspath(os.environ.get('MPK_SO') or
                           os.path.join(TOP, 'mpykdump.so'))
    if not os.path.isfile(path):
        raise AssertionError('%s is not built: run make' % path)
    return path


def crash_argv(dump='kdump'):
    """Return the argv that starts crash quietly on the fixture.

    dump: 'kdump' or 'elf' (the fixture's two files), or the path of
    another dump of the fixture's kernel (e.g. one a test converted).
    """
    fix = fixture()
    if dump == 'kdump':
        core = fix['PYKDUMP_VMCORE']
    elif dump == 'elf':
        core = fix['PYKDUMP_VMCORE_ELF']
    else:
        core = dump
    cmd = shlex.split(os.environ.get('MPK_CRASH') or 'crash')
    # options this kernel line needs, e.g. --no_modules (make-fixture.sh)
    args = shlex.split(fix.get('PYKDUMP_CRASH_ARGS', ''))
    return cmd + ['-s'] + args + [fix['PYKDUMP_VMLINUX'], core]


def crash_module_problem():
    """Why crash opens the fixture without its module table, or None.

    make-fixture.sh gives ``--no_modules`` where a crash of the matrix
    cannot read the kernel's modules (crash 9.0.2 on 7.2: its
    module_init() stops on ``struct module.num_gpl_syms``, removed by
    Linux commit b4760ff2a5e4); crash then has no module symbols and
    refuses ``mod -s``. The sentence names crash and the kernel.
    """
    fix = fixture()
    if '--no_modules' not in shlex.split(fix.get('PYKDUMP_CRASH_ARGS', '')):
        return None
    return ('crash %s opens %s only with --no_modules (its module_init() '
            'cannot read this struct module): no module table, no mod -s'
            % (crash_version(), fix.get('PYKDUMP_KVER', '?')))


def mark(name):
    """Return the crash command that starts section name."""
    return '!echo ' + MARK % name


def split_sections(output):
    """Return {section name: text} of crash output containing markers.

    Text before the first marker is under ''. A section's text is its
    lines joined with newlines, without the marker line itself.
    """
    sections = {'': []}
    current = ''
    for line in output.splitlines():
        m = _MARK_RE.match(line.rstrip())
        if m:
            if m.group(1):
                sections[current].append(m.group(1))
            current = m.group(2)
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: '\n'.join(v) for k, v in sections.items()}


class Session:
    """The result of one crash run: output, exit status, sections."""

    def __init__(self, output, returncode, pid, elapsed, timed_out=False):
        self.output = output
        self.returncode = returncode
        self.pid = pid
        self.elapsed = elapsed
        self.timed_out = timed_out
        self.sections = split_sections(output)

    def section(self, name):
        """Return the text of section name; fail if crash never got there."""
        if name not in self.sections:
            last = [k for k in self.sections if k][-1:] or ['(none)']
            raise AssertionError(
                'section %r missing from crash output: crash stopped or '
                'lost its input after section %r (exit status %s%s)'
                % (name, last[0], self.returncode,
                   ', timed out' if self.timed_out else ''))
        return self.sections[name]

    def lines(self, name):
        """Return the non-empty lines of section name."""
        return [ln for ln in self.section(name).splitlines() if ln.strip()]

    def sanitizer_reports(self):
        """Return the lines of the output a sanitizer printed."""
        return [ln for ln in self.output.splitlines()
                if SANITIZER_RE.search(ln)]


def session_env(extra=None):
    """Return the environment for crash: ours, plus extra."""
    env = dict(os.environ)
    env.update(fixture())
    env.pop('PYTHONPATH', None)  # ignored by isolated mode, but be explicit
    env.update(extra or {})
    return env


def run_crash(commands, env=None, cwd=None, timeout=300, dump='kdump'):
    """Run crash with commands (a list of lines) on stdin; return a Session.

    A 'quit' is appended. stdout and stderr are one stream, as a user
    sees them. On timeout crash is killed and the output so far kept.
    """
    script = '\n'.join(list(commands) + ['quit']) + '\n'
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(crash_argv(dump), stdin=subprocess.PIPE,
                                stdout=out, stderr=subprocess.STDOUT,
                                env=session_env(env), cwd=cwd)
        timed_out = False
        try:
            proc.communicate(script.encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            proc.wait()
        elapsed = time.monotonic() - start
        out.seek(0)
        text = out.read().decode('utf-8', 'replace')
    return Session(text, proc.returncode, proc.pid, elapsed, timed_out)


class LiveCrash:
    """A crash process fed step by step, for tests that send signals.

    Output goes to a file (no pipe to fill up); write() sends lines,
    signal() sends a signal to crash itself, finish() sends 'quit',
    waits and returns a Session.
    """

    def __init__(self, env=None, cwd=None, dump='kdump'):
        self._out = tempfile.TemporaryFile()
        self._start = time.monotonic()
        self.proc = subprocess.Popen(crash_argv(dump), stdin=subprocess.PIPE,
                                     stdout=self._out,
                                     stderr=subprocess.STDOUT,
                                     env=session_env(env), cwd=cwd)

    def write(self, *lines):
        """Send command lines to crash; False if crash is gone."""
        try:
            self.proc.stdin.write(('\n'.join(lines) + '\n').encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def signal(self, sig=signal.SIGINT):
        """Send sig to the crash process if it still runs."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def alive(self):
        """Return True while crash runs."""
        return self.proc.poll() is None

    def finish(self, timeout=120):
        """Send 'quit', close stdin, wait; return the Session."""
        self.write('quit')
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        timed_out = False
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.proc.kill()
            self.proc.wait()
        self._out.seek(0)
        text = self._out.read().decode('utf-8', 'replace')
        self._out.close()
        return Session(text, self.proc.returncode, self.proc.pid,
                       time.monotonic() - self._start, timed_out)


def wait_for_file(path, timeout, live=None):
    """Wait until path exists (True) or timeout/crash exit (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        if live is not None and not live.alive():
            return False
        time.sleep(0.05)
    return False


def interrupt_loop_py(limit, setup='', body=''):
    """Text of an epython program for ^C tests.

    It runs ``setup``, creates the file ``sys.argv[1]`` (the signal to
    send ^C), then runs ``body`` in a loop for ``limit`` seconds and
    prints 'LOOP ENDED WITHOUT INTERRUPT' if no ^C ended it.
    """
    return ('import sys\nimport time\n%s'
            "open(sys.argv[1], 'w').close()\n"
            'start = time.monotonic()\n'
            'n = 0\n'
            'while time.monotonic() - start < %d:\n'
            '%s'
            '    n += 1\n'
            "print('LOOP ENDED WITHOUT INTERRUPT', n)\n"
            % (setup, limit, body))


def make_tree(root, files):
    """Create files {relative path: text} under root; return root."""
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    return root


def read_make_var(name):
    """Return variable name from config.mk (written by configure)."""
    path = os.path.join(TOP, 'config.mk')
    with open(path, encoding='utf-8') as f:
        for line in f:
            key, sep, value = line.partition('=')
            if sep and key.strip() == name:
                return value.strip()
    raise AssertionError('%s not in %s' % (name, path))


def api_version():
    """Return pykdump.__version__ as written in pykdump/__init__.py."""
    with open(os.path.join(TOP, 'pykdump', '__init__.py'),
              encoding='utf-8') as f:
        m = re.search(r"^__version__ = '([^']+)'", f.read(), re.M)
    return m.group(1)


def embedded_python_version():
    """Return the version of the Python mpykdump.so embeds.

    The Python configure chose (config.mk's PYTHON) is the one whose
    libpython the .so links: ask it, not the Python running this test.
    """
    python = read_make_var('PYTHON')
    return subprocess.run([python, '-c',
                           'import sys; print(sys.version.split()[0])'],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def crash_version():
    """Return the version the crash binary reports (e.g. '8.0.2')."""
    cmd = shlex.split(os.environ.get('MPK_CRASH') or 'crash')
    out = subprocess.run(cmd + ['--version'], capture_output=True,
                         text=True, check=False).stdout
    m = re.search(r'^crash (\S+)', out, re.M)
    if not m:
        raise AssertionError('crash --version printed %r' % out[:200])
    return m.group(1)


def bundled_programs(so=None):
    """Return the names of the programs bundled in the .so's zip."""
    import zipfile
    try:
        with zipfile.ZipFile(so or so_path()) as z:
            return sorted(os.path.splitext(os.path.basename(n))[0]
                          for n in z.namelist()
                          if n.startswith('progs/') and n.endswith('.py'))
    except zipfile.BadZipFile:
        return []


class SessionTestCase(unittest.TestCase):
    """Base for a class whose tests read one shared crash session.

    Subclasses set ``session`` in setUpClass; every subclass inherits the
    check that no sanitizer spoke during it.
    """

    session = None
    tmp = None

    @classmethod
    def make_tmp(cls):
        """Create the class's scratch directory (scratch_dir()), removed
        after the class, also when its setUpClass fails (a class cleanup:
        tearDownClass would not run then)."""
        cls.tmp = scratch_dir()
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)
        return cls.tmp

    def assertSectionHas(self, name, *parts, lines=False):
        """Assert that section name of the session holds each of parts:
        as text, or with lines=True as whole non-empty lines."""
        seen = self.session.lines(name) if lines else \
            self.session.section(name)
        for part in parts:
            self.assertIn(part, seen)

    def test_session_has_no_sanitizer_report(self):
        if self.session is None:
            self.skipTest('no session')
        self.assertEqual(self.session.sanitizer_reports(), [])

    def test_session_ends_with_crash_exiting_normally(self):
        if self.session is None:
            self.skipTest('no session')
        self.assertFalse(self.session.timed_out, 'crash timed out')
        self.assertEqual(self.session.returncode, 0,
                         'crash exit status %s' % self.session.returncode)

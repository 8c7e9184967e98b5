# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for integration tests that run inside crash (via runner.py).

Integration tests compare what our code says with sources that do not go
through it: the fixture's ground truth (``truth()``) and crash's own
commands on the same dump (``crash_cmd()``, ``crash_sym()``, ``crash_p()``).
This module imports only ``crash`` (the C module), never ``pykdump``: it
must keep working while the API is broken, so a failing API test is a
failing test and not a broken harness.
"""

import functools
import json
import os
import re
import unittest

import crash

__all__ = ['truth', 'dump_format', 'crash_cmd', 'crash_sym', 'crash_p',
           'crash_p_int', 'crash_offsetof', 'crash_sizeof', 'crash_alive',
           'crash_list', 'load_testmod_symbols', 'CrashTestCase',
           'requires_truth', 'crash_version', 'crash_task_table_is_complete',
           'crash_rss_counts_shmem', 'pid_max_variable',
           'crash_module_problem', 'requires_crash_modules',
           'PANIC_STACK_PATH', 'panic_path_of', 'crash_bt_of_panic_is_wrong',
           'crash_bt_eframes']


@functools.lru_cache(maxsize=None)
def _load_truth(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def truth():
    """Return the fixture's ground truth (truth.json) as a dict.

    The path comes from $PYKDUMP_TRUTH, which the test driver exports
    before it starts crash. Raise unittest.SkipTest naming the variable
    when it is not set, so a run on some other dump says why it skipped.
    """
    path = os.environ.get('PYKDUMP_TRUTH')
    if not path:
        raise unittest.SkipTest('PYKDUMP_TRUTH is not set: not the fixture')
    return _load_truth(path)


def requires_truth(func):
    """Decorate a test that needs truth(): skips cleanly without it."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        truth()
        return func(self, *args, **kwargs)
    return wrapper


def dump_format():
    """Return 'kdump', 'elf' or 'kdump-made': the dump crash has open.

    runner.py sets it from its --format option (the driver knows which
    file it gave crash); default 'kdump'.
    """
    return os.environ.get('MPK_DUMP_FORMAT', 'kdump')


def crash_cmd(cmd):
    """Return the output of crash command cmd (raises crash.error)."""
    return crash.exec_crash_command(cmd)


def crash_sym(name):
    """Return the address crash's own ``sym NAME`` prints, as an int."""
    out = crash_cmd('sym %s' % name)
    # "ffffffff8301aa40 (D) init_task" or "... testmod_s8 [testmod]"
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == name:
            return int(parts[0], 16)
    raise AssertionError('crash "sym %s" printed no address: %r'
                         % (name, out))


_P_RE = re.compile(r'^\$\d+ = (.*)$', re.S)


def crash_p(expr):
    """Return the text after ``$N = `` of crash's ``p EXPR``."""
    out = crash_cmd('p %s' % expr).strip()
    m = _P_RE.match(out)
    if not m:
        raise AssertionError('crash "p %s" printed %r' % (expr, out))
    return m.group(1).strip()


def crash_p_int(expr):
    """Return crash's ``p/x EXPR`` as an int (unsigned, as printed)."""
    out = crash_cmd('p/x %s' % expr).strip()
    m = _P_RE.match(out)
    if not m:
        raise AssertionError('crash "p/x %s" printed %r' % (expr, out))
    return int(m.group(1).split()[0], 16)


def crash_offsetof(struct, member):
    """Return offsetof(struct STRUCT, MEMBER) as gdb computes it."""
    return crash_p_int('&((struct %s *)0)->%s' % (struct, member))


def crash_sizeof(typename):
    """Return sizeof(TYPENAME) as gdb computes it."""
    return crash_p_int('sizeof(%s)' % typename)


def crash_list(spec):
    """Return the addresses crash's ``list SPEC`` prints, as ints."""
    out = crash_cmd('list %s' % spec)
    return [int(line.split()[0], 16) for line in out.splitlines()
            if line.strip()]


def crash_version():
    """Return the version of the crash running the tests, e.g. (8, 0, 2)."""
    v = crash.sysinfo()['crash_version']
    return tuple(int(x) for x in re.findall(r'\d+', v)[:3])


# Where crash's own answer is a test's reference, what each crash of the
# matrix (tests/check-matrix.sh: 8.0.2, 8.0.6, 9.0.2) gets wrong on these
# dumps: tests ask here instead of assuming the bookworm crash.

def crash_task_table_is_complete():
    """Whether crash's task table (``ps``, ``pid_to_task``) has every task.

    crash 8.0.2 sees 3 tasks of the 6.1 fixture: its PID hash walk does
    not handle ``struct pid.numbers`` as a flexible array (Linux commit
    b69f0aeb0689, "pid: Replace struct pid 1-element arrays with
    flex-array members", v6.5, also in Debian's 6.1.y). On 5.10
    (``numbers[1]``) it sees all; 8.0.6 and 9.0.2 see all on every kernel.
    """
    if crash_version() > (8, 0, 2):
        return True
    return crash_sizeof('((struct pid *)0)->numbers') != 0


def crash_rss_counts_shmem():
    """Whether crash's ``ps`` RSS includes MM_SHMEMPAGES, as VmRSS does.

    crash 8.0.2 adds only MM_ANONPAGES and MM_FILEPAGES (pk_panic on the
    6.1 fixture: 72 KiB); 8.0.6 and 9.0.2 add MM_SHMEMPAGES too (912 KiB:
    68 anon + 4 file + 840 shmem).
    """
    return crash_version() > (8, 0, 2)


#: The panic task's kernel stack from panic() to the system call entry,
#: outermost last: scenario.c's cmd_panic() writes "c" to
#: /proc/sysrq-trigger, and sysrq_handle_crash() calls panic() (7.x:
#: panic() calls vpanic(), below it). The innermost frames, inside
#: panic()'s wait loop, depend on when the dump was taken.
PANIC_STACK_PATH = ['panic', 'sysrq_handle_crash', '__handle_sysrq',
                    'write_sysrq_trigger', 'proc_reg_write', 'vfs_write',
                    'ksys_write', 'do_syscall_64',
                    'entry_SYSCALL_64_after_hwframe']


def panic_path_of(funcs):
    """funcs from 'panic' on, without GCC's .cold/.isra/.constprop suffixes
    (the part comparable with :data:`PANIC_STACK_PATH`)."""
    names = [f.split('.')[0] if f else f for f in funcs]
    return names[names.index('panic'):] if 'panic' in names else names


def crash_bt_of_panic_is_wrong():
    """Why crash's ``bt`` of the panic task is no reference, or None.

    On the fixtures crash 8.0.2 and 9.0.2 print the frames of
    :data:`PANIC_STACK_PATH` (8.0.2 on 6.1 adds stale return addresses
    it finds by scanning the stack between do_syscall_64 and the entry).
    crash 8.0.6 prints wrong ones: on 6.1 only panic and
    entry_SYSCALL_64_after_hwframe, on 6.12 stale interrupt frames
    (sysvec_apic_timer_interrupt) after panic; 8.0.3 to 8.0.5 are
    untested and taken as 8.0.6. On 7.2, whose ORC register numbers
    changed in 7.1 (Linux commit 1735858caa4b; ``orc_fp_entry.bp_reg``
    tells), crash 9.0.2 shows security_file_permission where
    write_sysrq_trigger is, and stale frames after do_syscall_64: as if
    it scanned the stack instead of following the ORC entries.
    """
    version = crash_version()
    if (8, 0, 2) < version < (9,):
        return ('crash %s prints wrong frames between panic and the system '
                'call' % '.'.join(map(str, version)))
    try:
        out = crash_cmd('p/d orc_fp_entry.bp_reg')
    except crash.error:
        out = ''        # no orc_fp_entry: an older kernel
    m = re.search(r'\$\d+ = (\d+)', out)
    if m and int(m.group(1)) == 8 and version <= (9, 0, 2):
        return ('crash %s misreads the stack of a kernel with 7.1\'s '
                'ORC register numbers' % '.'.join(map(str, version)))
    return None


def crash_bt_eframes(task, mode):
    """{address: lines} of the exception frames crash's ``bt -e TASK``
    finds by searching the stack, of mode 'KERNEL' or 'USER': the lines
    of each block (``[exception RIP: ...]`` and the registers).

    A search, not crash's unwinder: on the fixtures it finds the frames
    where crash's ``bt`` prints a bogus one (the idle CPUs' stop IPI).
    """
    out = crash_cmd('bt -e %s' % task)
    found = {}
    for m in re.finditer(r'^  %s-MODE EXCEPTION FRAME AT: ([0-9a-f]+)\n'
                         r'((?:    .*\n?)+)' % mode, out, re.M):
        found[int(m.group(1), 16)] = m.group(2).rstrip('\n').split('\n')
    return found


def pid_max_variable():
    """The expression crash's ``p`` reads kernel.pid_max from.

    Linux commit 7863dcc72d0f ("pid: allow pid_max to be set per pid
    namespace") (v6.14) replaced the global ``pid_max`` with
    ``init_pid_ns.pid_max``.
    """
    if crash.symbol_exists('pid_max'):
        return 'pid_max'
    return 'init_pid_ns.pid_max'


@functools.lru_cache(maxsize=None)
def crash_module_problem():
    """Why this crash has no module table (a sentence), or None.

    crash 9.0.2 opens a Linux 7.1+ dump only with ``--no_modules``
    (PYKDUMP_CRASH_ARGS, tests/vmcore/make-fixture.sh): its
    module_init() stops on ``struct module.num_gpl_syms``, which Linux
    commit b4760ff2a5e4 ("module: deprecate usage of *_gpl sections in
    module loader") removed; crash commit 3fe753b5dcc5 (after 9.0.2)
    handles it. Without a module table crash has no module symbols and
    no ``mod -s``; the kernel's module list itself stays readable.
    """
    try:
        crash_cmd('mod')
        return None
    except crash.error as e:
        said = str(e).strip()
    why = ''
    if '--no_modules' in os.environ.get('PYKDUMP_CRASH_ARGS', ''):
        why = (', opened with --no_modules: its module_init() cannot read '
               'this kernel\'s struct module (no num_gpl_syms)')
    version = '.'.join(map(str, crash_version()))
    release = crash.sysinfo().get('release', '?')
    return ('crash %s has no module table on %s%s ("%s"): no module '
            'symbols, no mod -s' % (version, release, why, said))


def requires_crash_modules(obj):
    """Skip a test (function or class) that needs crash's module table.

    The reason names the crash version, the kernel and crash's message
    (:func:`crash_module_problem`).
    """
    problem = crash_module_problem()
    if problem:
        return unittest.skip(problem)(obj)
    return obj


def load_testmod_symbols():
    """Load testmod.ko's debuginfo into crash (``mod -s``), once.

    Without it crash knows only testmod's kallsyms, which lack per-cpu
    variables; tests that need them call this instead of relying on an
    earlier test having done it. The path comes from $PYKDUMP_TESTMOD,
    else from truth.json's files.testmod beside $PYKDUMP_TRUTH.
    """
    if crash_module_problem():
        raise unittest.SkipTest(crash_module_problem())
    path = os.environ.get('PYKDUMP_TESTMOD')
    if not path:
        path = os.path.join(os.path.dirname(os.environ['PYKDUMP_TRUTH']),
                            truth()['files']['testmod'])
    out = crash_cmd('mod')
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[1] == 'testmod':
            if parts[4].endswith('.ko'):
                return  # already loaded
    crash_cmd('mod -s testmod %s' % path)


def crash_alive():
    """Return True if crash still answers a simple command correctly."""
    try:
        out = crash.exec_crash_command('sym init_task')
    except Exception:  # any failure means "not alive"
        return False
    return 'init_task' in out


class CrashTestCase(unittest.TestCase):
    """TestCase with asserts for 'crash raises, then still answers'."""

    def assertCrashAlive(self):
        """Fail unless crash still answers a command."""
        self.assertTrue(crash_alive(), 'crash no longer answers "sym"')

    def assertRaisesNaming(self, exc_type, text, func, *args, **kwargs):
        """Assert func(*args) raises exc_type whose message contains text.

        text is compared case-insensitively (addresses may be printed as
        0xABC or 0xabc); afterwards crash must still answer.
        """
        with self.assertRaises(exc_type) as cm:
            func(*args, **kwargs)
        self.assertIn(text.lower(), str(cm.exception).lower())
        self.assertCrashAlive()
        return cm.exception

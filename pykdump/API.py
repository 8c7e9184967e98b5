# SPDX-License-Identifier: GPL-2.0-or-later
"""The one import of programs: ``from pykdump.API import *``.

Re-exports the public names of the package (the inventory of the
original PyKdump, plus a few walkers of today's kernels), handles the
framework options every program accepts (--maxel, --timeout, --ofile,
...), and prints the summary of problems found when a program ends.
"""

import atexit  # noqa: F401  (re-exported, as PyKdump did)
import importlib  # noqa: F401
import os
import pprint
import re
import select  # noqa: F401
import stat
import string  # noqa: F401
import sys
import time
import traceback  # noqa: F401
from collections import defaultdict  # noqa: F401
from optparse import OptionParser, Option  # noqa: F401

import pykdump
from pykdump import (Generic, datatypes, dlkmload, highlevel, logging,
                     lowlevel, memocaches, tparser, vmcorearch)
from pykdump.Generic import *  # noqa: F401,F403
from pykdump.Generic import DCache, registerModuleAttr
from pykdump.memocaches import *  # noqa: F401,F403
from pykdump.logging import *  # noqa: F401,F403
from pykdump.tparser import *  # noqa: F401,F403
from pykdump.vmcorearch import *  # noqa: F401,F403
from pykdump.datatypes import *  # noqa: F401,F403
from pykdump.lowlevel import *  # noqa: F401,F403
from pykdump.highlevel import *  # noqa: F401,F403
from pykdump.dlkmload import *  # noqa: F401,F403
from pykdump.highlevel import pylog, readSymbol, setListMaxel
from pykdump.vmcorearch import sys_info

# PyKdump exported the C module as `crash`; only the core layers import it.
crash = highlevel.crash

_own = ['PYKD', 'long', 'hexl', 'API_options', 'debug', 'debugReload',
        'isfileoutput', 'argv2s', 'require_cmod_version', 're_apidebug',
        't_start', 't_start_children', 't_starta', 'pp', 'highlevel',
        'pykdump', 'crash', 'get_nsproxy', 'set_nsproxy', 'pylog', 'WARNING',
        'kernel', 'kname', 'debuginfo', 'RHDIR', 'CGDIR',
        'sys', 'os', 're', 'string', 'time', 'select', 'stat', 'traceback',
        'atexit', 'importlib', 'pprint', 'OptionParser', 'Option',
        'defaultdict', 'DCache']
__all__ = sorted(set(
    Generic.__all__ + memocaches.__all__ + logging.__all__ +
    tparser.__all__ + vmcorearch.__all__ + datatypes.__all__ +
    lowlevel.__all__ + highlevel.__all__ + dlkmload.__all__ + _own)
    - {'NoField', 'set_reader_factory', 'readIntN', 'tEnum',
       'intDimensionlessArray', 'VarInfo'})

long = int
hexl = hex
require_cmod_version = pykdump.require_cmod_version
re_apidebug = re.compile(r'^--debug=(\d+)$')
debug = 0
debugReload = 0
registerModuleAttr('debugReload', default=0)
WARNING = logging.WARNING
crash.WARNING = WARNING
API_options = Bunch(experimental=False, debug=0, dumpcache=False)  # noqa: F405
pp = pprint.PrettyPrinter(indent=4)
t_start = t_starta = time.time()
t_start_children = 0.0

memocaches.set_generation_source(crash.type_generation)


def __getattr__(name):
    """kernel, kname, debuginfo: from crash's sys, on first use."""
    if name in ('kernel', 'kname', 'debuginfo'):
        return getattr(vmcorearch, name)
    raise AttributeError(name)


class _PYKD:
    """``PYKD.name`` is ``readSymbol("name")``."""

    def __getattr__(self, name):
        return readSymbol(name)


PYKD = _PYKD()
_nsproxy = None


def get_nsproxy():
    """The nsproxy in use (init_nsproxy unless --usens chose a task)."""
    global _nsproxy
    if _nsproxy is None:
        try:
            _nsproxy = readSymbol('init_nsproxy')
        except (TypeError, crash.error):
            return None
    return _nsproxy


def set_nsproxy(pid=None):
    """Use the namespaces of task pid (None: back to init_nsproxy)."""
    global _nsproxy
    _nsproxy = None
    if pid is None:
        return
    task = highlevel.pid_to_task(pid)
    if not task:
        print('There is no task with pid=%s' % pid)
        sys.exit(0)
    _nsproxy = lowlevel.StructResult('struct task_struct', task).nsproxy


def isfileoutput():
    """Whether stdout is a regular file (not a terminal or a pipe)."""
    try:
        return stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, AttributeError, ValueError):
        return False


def argv2s(argv):
    """The command line argv as one string, quoting arguments with spaces.

    Bytes that are not UTF-8 (kept by Python as surrogates) are shown as
    backslash escapes, so the line can be written to any file.
    """
    argv = [a.encode('utf-8', 'surrogateescape').decode(
        'utf-8', 'backslashreplace') for a in argv]
    return ' '.join('"%s"' % a if ' ' in a else a for a in argv)


def _option_value(name, value):
    """The checked value of framework option name (OptionError if bad)."""
    option = pykdump.FRAMEWORK_OPTIONS[name]
    kind, minimum = option.kind, option.minimum
    if value is None:
        raise pykdump.OptionError('%s needs a value' % name)
    if kind == 'path':
        if not value:
            raise pykdump.OptionError('%s needs a file name' % name)
        return value
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise pykdump.OptionError('%s needs an integer >= %d, not %r'
                                  % (name, minimum, value))
    return number


def _split_options(argv):
    """(framework options dict, remaining args) from argv[1:].

    COMPAT §24.12: options are taken from anywhere in the arguments.
    Values are checked here, before anything is applied: a bad one raises
    pykdump.OptionError, which the runner prints on one line.
    """
    opts, rest = {}, []
    it = iter(argv)
    for a in it:
        name, eq, value = a.partition('=')
        if name not in pykdump.FRAMEWORK_OPTIONS:
            rest.append(a)
        elif pykdump.FRAMEWORK_OPTIONS[name].kind is None:
            if eq:
                raise pykdump.OptionError('%s takes no value' % name)
            opts[name[2:]] = True
        else:
            if not eq:
                value = next(it, None)
            opts[name[2:]] = _option_value(name, value)
    return opts, rest


_saved_stdout = None
_run = {}


def enter_epython():
    """Before each program: reset state, apply framework options."""
    global debug, _saved_stdout
    DCache.cleartmp()
    pylog.cleanup()
    _run['t0'] = time.time()
    _run['c0'] = time.process_time()
    _run['ch0'] = os.times().children_user
    sys.__oldargv = list(sys.argv)
    opts, rest = _split_options(sys.argv[1:])
    sys.argv[1:] = rest
    API_options.experimental = 'experimental' in opts
    if 'ofile' in opts:
        try:
            ofile = open(opts['ofile'], 'w', encoding='utf-8')
        except OSError as e:
            raise pykdump.OptionError('--ofile: cannot write %s: %s'
                                      % (opts['ofile'], e.strerror)) \
                from None
    if 'debug' in opts:
        debug = API_options.debug = opts['debug']
        print('argv:', sys.__oldargv)
    timeout = opts.get('timeout', 120)
    if timeout > getattr(crash, 'default_timeout', 120):
        memocaches.purge_memoize_cache(memocaches.CU_TIMEOUT)
    crash.default_timeout = timeout
    crash.set_default_timeout(timeout)
    setListMaxel(opts.get('maxel', 10000))
    API_options.dumpcache = 'dumpcache' in opts
    if 'reload' in opts:
        memocaches.purge_memoize_cache(memocaches.CU_PYMOD)
        memocaches.PY_select_purge()
    if 'ofile' in opts:
        # Opened above, before any option took effect: a bad path leaves
        # sys.stdout as it was.
        _saved_stdout, sys.stdout = sys.stdout, ofile
    set_nsproxy(None)
    if 'usens' in opts:
        print(' *=*=* Using namespaces of PID %s *=*=*' % opts['usens'])
        set_nsproxy(opts['usens'])
    crash.set_readmem_task(0)
    memocaches.set_live(sys_info.livedump)
    if isfileoutput():
        print(' %s ' % argv2s([os.path.basename(sys.__oldargv[0])] +
                              sys.__oldargv[1:]).center(60, '*'))
        print((' %s (%s) ' % (sys_info.DUMPFILE, sys_info.RELEASE)
               ).center(77, 'o'))


def exit_epython():
    """After each program (also after exceptions): summary and timing."""
    global _saved_stdout
    try:
        pylog.onexit()
        crash.set_readmem_task(0)
        if 't0' in _run:
            children = os.times().children_user - _run['ch0']
            line = '\n ** Execution took %6.2fs (real) %6.2fs (CPU)' % (
                time.time() - _run['t0'], time.process_time() - _run['c0'])
            if children > 0.001:
                line += ', Child processes: %6.2fs' % children
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    finally:
        if _saved_stdout is not None:
            sys.stdout.close()
            sys.stdout = _saved_stdout
            _saved_stdout = None


enter_epython()

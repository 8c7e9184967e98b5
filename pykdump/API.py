# SPDX-License-Identifier: GPL-2.0-or-later
"""The one import of programs: ``from pykdump.API import *``.

Re-exports the public names of the package (the inventory of the
original PyKdump, plus a few walkers of today's kernels). Importing it
does no crash work: the framework options every program accepts
(--maxel, --timeout, --ofile, ...) and the summary of problems found
when a program ends are the runner's (:mod:`pykdump.epython`), which
applies them to this module for each run.
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
from pykdump.Generic import DCache, registerModuleAttr  # noqa: F401
from pykdump.memocaches import *  # noqa: F401,F403
from pykdump.logging import *  # noqa: F401,F403
from pykdump.tparser import *  # noqa: F401,F403
from pykdump.vmcorearch import *  # noqa: F401,F403
from pykdump.datatypes import *  # noqa: F401,F403
from pykdump.lowlevel import *  # noqa: F401,F403
from pykdump.highlevel import *  # noqa: F401,F403
from pykdump.dlkmload import *  # noqa: F401,F403
from pykdump.highlevel import (pylog, readSymbol,  # noqa: F401
                               setListMaxel)
from pykdump.vmcorearch import sys_info  # noqa: F401

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


# The C binding, kept across --reload (which runs this module again,
# when crash.get_task_mem_usage is already the wrapper below).
_crash_task_mem_usage = getattr(crash, '_crash_task_mem_usage',
                                crash.get_task_mem_usage)
crash._crash_task_mem_usage = _crash_task_mem_usage


def get_task_mem_usage(task):
    """``(total_vm_KB, rss_KB)`` of a task: ``crash.get_task_mem_usage``.

    crash's own figures (its ``get_task_mem_usage()``) for a task in its
    table; for another one (crash 8.0.2 misses most of a 6.1 kernel's)
    VmSize and VmRSS from :func:`pykdump.helpers.mm.task_memory`. Installed
    as ``crash.get_task_mem_usage``, the name PyKdump programs call.

    C equivalent: ``get_task_mem_usage()`` in crash's ``memory.c``.

    :param task: ``struct task_struct *``
    :return: ``(int, int)``
    """
    try:
        return _crash_task_mem_usage(task)
    except LookupError as exc:
        if isinstance(exc, crash.error):    # a NULL task, a missing field
            raise
    # helpers import this module: import the helper on first use
    from pykdump.helpers.mm import task_memory
    mem = task_memory(lowlevel.StructResult('struct task_struct', task))
    return mem['total_vm'], mem['rss']


crash.get_task_mem_usage = get_task_mem_usage


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


# The per-run lifecycle (framework options, the end-of-run summary) is the
# runner's (pykdump.epython). Imported inside a run, this module hands
# itself to the runner, which applies the run's options to it; imported
# anywhere else it does nothing more.
_on_import = getattr(pykdump, 'api_import_hook', None)
if _on_import is not None:
    _on_import(sys.modules[__name__])

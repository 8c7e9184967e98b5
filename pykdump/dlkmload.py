# SPDX-License-Identifier: GPL-2.0-or-later
"""Module debuginfo: find a module's .ko/.ko.debug and load it (mod -s).

Loading changes types (a module may define a struct the kernel also
has, with another layout): the C module's type generation changes and
every type cache is dropped on the next use.
"""

import os

from .highlevel import (readSUListFromHead, exec_crash_command, sym2addr,
                        modules_info, CrashError)
from .memocaches import purge_typeinfo
from .vmcorearch import sys_info

__all__ = ['loadModule', 'delModule', 'lsModules', 'possibleModuleNames',
           'debugDLKM']

debugDLKM = 0
_SUFFIXES = ('.ko.debug', '.o.debug', '.ko', '.o')
_loaded = {}


def possibleModuleNames(topdir, base):
    """First file under topdir named base + .ko.debug/.o.debug/.ko/.o."""
    if not os.path.isdir(topdir):
        return None
    wanted = {base + s for s in _SUFFIXES}
    for root, _dirs, files in os.walk(topdir, followlinks=True):
        for f in files:
            if f in wanted:
                return os.path.join(root, f)
    return None


def _find(modname, extra=()):
    """Path of modname's debuginfo in the search directories, or None."""
    for d in list(extra) + ['.'] + list(sys_info.debuginfo):
        for base in (modname, modname.replace('_', '-')):
            path = possibleModuleNames(d, base)
            if path:
                return path
    return None


def lsModules():
    """Names of the loaded kernel modules (from the modules list)."""
    try:
        mods = readSUListFromHead(sym2addr('modules'), 'list',
                                  'struct module')
        return [str(m.name) for m in mods]
    except (CrashError, KeyError, TypeError):
        return [m[0] for m in modules_info()]


def loadModule(modname, ofile=None, altname=None, path=()):
    """Load modname's debuginfo (mod -s); True on success.

    ofile: the file to load; else searched in path, '.', and
    sys_info.debuginfo (/usr/lib/debug/lib/modules/KVER, ...).
    """
    if modname in _loaded:
        return _loaded[modname]
    altname = altname or modname
    if altname not in lsModules():
        return False
    if ofile is None:
        ofile = _find(modname, path)
        if ofile is None:
            return False
    out = exec_crash_command('mod -s %s %s' % (altname, ofile))
    ok = 'MODULE' in out
    _loaded[modname] = ok
    purge_typeinfo()
    return ok


def delModule(modname):
    """Unload modname's debuginfo if loadModule loaded it."""
    if _loaded.pop(modname, None):
        exec_crash_command('mod -d %s' % modname)
        purge_typeinfo()


def listDebuginfo():
    """(name, debuginfo loaded?, file) of every module crash knows."""
    return [(m[0], m[3], m[4]) for m in modules_info()]

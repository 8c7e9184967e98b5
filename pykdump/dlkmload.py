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


def possibleModuleNames(topdir, base, srcversion=None):
    """First file under topdir named base + .ko.debug/.o.debug/.ko/.o
    (with srcversion, only a file of that srcversion or of none)."""
    if not os.path.isdir(topdir):
        return None
    wanted = {base + s for s in _SUFFIXES}
    for root, _dirs, files in os.walk(topdir, followlinks=True):
        for f in sorted(files):
            if f in wanted:
                path = os.path.join(root, f)
                found = _file_srcversion(path) if srcversion else None
                if found is None or found == srcversion:
                    return path
    return None


def _loaded_srcversion(modname):
    """srcversion of the loaded module modname, or None if unknown."""
    try:
        for m in readSUListFromHead(sym2addr('modules'), 'list',
                                    'struct module'):
            if str(m.name) == modname and m.hasField('srcversion'):
                return str(m.srcversion) if m.srcversion else None
    except (CrashError, KeyError, TypeError):
        pass
    return None


def _file_srcversion(path):
    """srcversion= from a module file's .modinfo strings, or None."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError:
        return None
    i = data.find(b'\0srcversion=')
    if i < 0:
        return None
    end = data.find(b'\0', i + 1)
    return data[i + 12:end].decode('ascii', 'replace')


def _find(modname, extra=()):
    """Path of modname's debuginfo in the search directories, or None.

    A candidate whose srcversion differs from the loaded module's is
    another build of it (a tree may hold several): it is skipped.
    """
    want = _loaded_srcversion(modname)
    for d in list(extra) + ['.'] + list(sys_info.debuginfo):
        for base in (modname, modname.replace('_', '-')):
            path = possibleModuleNames(d, base, want)
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

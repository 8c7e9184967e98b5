# SPDX-License-Identifier: GPL-2.0-or-later
"""Module debuginfo: find a module's .ko/.ko.debug and load it (mod -s).

Loading changes types (a module may define a struct the kernel also
has, with another layout): the C module's type generation changes and
every type cache is dropped on the next use.
"""

import os
import struct

from .highlevel import (readSUListFromHead, exec_crash_command, sym2addr,
                        modules_info, CrashError, readmem, readSU,
                        struct_size)
from .lowlevel import Addr
from .memocaches import purge_typeinfo
from .vmcorearch import sys_info

__all__ = ['loadModule', 'delModule', 'lsModules', 'possibleModuleNames',
           'debugDLKM']

debugDLKM = 0
_SUFFIXES = ('.ko.debug', '.o.debug', '.ko', '.o')
_loaded = {}


def possibleModuleNames(topdir, base, fingerprint=None):
    """First file under topdir named base + .ko.debug/.o.debug/.ko/.o.

    With a fingerprint (the loaded module's build id), a file of another
    build is passed over.
    """
    if not os.path.isdir(topdir):
        return None
    wanted = {base + s for s in _SUFFIXES}
    for root, dirs, files in os.walk(topdir, followlinks=True):
        dirs.sort()     # the same answer on every machine
        for f in sorted(files):
            if f in wanted:
                path = os.path.join(root, f)
                if fingerprint is None or \
                        fingerprint == _file_fingerprint(path):
                    return path
    return None


_NT_GNU_BUILD_ID = 3


def _build_id_of_note(note):
    """Hex build id from the bytes of an ELF note, or None."""
    if len(note) < 16:
        return None
    namesz, descsz, ntype = struct.unpack_from('<III', note, 0)
    name = note[12:12 + namesz].rstrip(b'\0')
    desc_at = 12 + (namesz + 3) // 4 * 4
    if ntype != _NT_GNU_BUILD_ID or name != b'GNU' or \
            desc_at + descsz > len(note):
        return None
    return note[desc_at:desc_at + descsz].hex()


def _loaded_fingerprint(modname):
    """The GNU build id of the loaded module modname, or None.

    The kernel keeps a module's ELF notes for sysfs (mod->notes_attrs,
    /sys/module/NAME/notes); the build id tells two builds of the same
    sources apart, which names and sizes cannot.
    """
    try:
        for m in readSUListFromHead(sym2addr('modules'), 'list',
                                    'struct module'):
            if str(m.name) != modname:
                continue
            notes = m.notes_attrs
            if not notes:
                return None
            size = struct_size('struct bin_attribute')
            base = Addr(notes, 'attrs')
            for i in range(min(notes.notes, 64)):
                attr = readSU('struct bin_attribute', base + i * size)
                if str(attr.attr.name) == '.note.gnu.build-id':
                    return _build_id_of_note(readmem(attr.private,
                                                     attr.size))
    except (CrashError, KeyError, TypeError, IndexError, AttributeError):
        pass
    return None


def _file_fingerprint(path):
    """The GNU build id of a module file, or None."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
        shoff, = struct.unpack_from('<Q', data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
        sections = [struct.unpack_from('<IIQQQQIIQQ', data,
                                       shoff + i * shentsize)
                    for i in range(shnum)]
        names = sections[shstrndx]
        for sh in sections:
            at = names[4] + sh[0]
            if data[at:at + 19] == b'.note.gnu.build-id\0':
                return _build_id_of_note(data[sh[4]:sh[4] + sh[5]])
    except (OSError, struct.error, IndexError):
        pass
    return None


def _find(modname, extra=()):
    """Path of modname's debuginfo in the search directories, or None."""
    fingerprint = _loaded_fingerprint(modname)
    for d in list(extra) + ['.'] + list(sys_info.debuginfo):
        for base in (modname, modname.replace('_', '-')):
            path = possibleModuleNames(d, base, fingerprint)
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
    altname = altname or modname
    # crash's own `mod -d` may have unloaded it since: ask crash.
    if _loaded.get(modname) and _debuginfo_loaded(altname):
        return True
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


def _debuginfo_loaded(name):
    """Whether crash has debuginfo of module name loaded."""
    return any(m[0] == name and m[3] for m in modules_info())


def delModule(modname):
    """Unload modname's debuginfo if loadModule loaded it."""
    if _loaded.pop(modname, None) and _debuginfo_loaded(modname):
        exec_crash_command('mod -d %s' % modname)
        purge_typeinfo()


def listDebuginfo():
    """(name, debuginfo loaded?, file) of every module crash knows."""
    return [(m[0], m[3], m[4]) for m in modules_info()]

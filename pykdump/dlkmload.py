# SPDX-License-Identifier: GPL-2.0-or-later
"""Module debuginfo: find a module's .ko/.ko.debug and load it (mod -s).

Loading changes types (a module may define a struct the kernel also
has, with another layout): the C module's type generation changes and
every type cache is dropped on the next use.
"""

import os
import struct
import time

from .highlevel import (readSUListFromHead, exec_crash_command, sym2addr,
                        modules_info, CrashError, readmem, readPtr, readSU,
                        struct_size, pylog)
from .lowlevel import Addr
from .memocaches import purge_typeinfo
from .vmcorearch import sys_info

__all__ = ['loadModule', 'delModule', 'lsModules', 'possibleModuleNames',
           'debugDLKM', 'debuginfo_dirs', 'find_debuginfo', 'has_dwarf',
           'file_build_id', 'module_build_id', 'build_id_mismatch',
           'is_other_build']
# elf_notes is public too (helpers.prstatus reads the dump's notes with
# it) but stays out of __all__: pykdump.API re-exports this module's.

debugDLKM = 0
_SUFFIXES = ('.ko.debug', '.o.debug', '.ko', '.o')
_loaded = {}

#: A debuginfo search looks at no more directory entries than this...
SEARCH_MAX_ENTRIES = 200000
#: ... and stops after this many seconds (a slow or huge tree).
SEARCH_MAX_SECONDS = 20.0


class _Budget:
    """What one search may still spend: entries and seconds."""

    def __init__(self):
        self.left = SEARCH_MAX_ENTRIES
        self.deadline = time.monotonic() + SEARCH_MAX_SECONDS
        self.spent = False

    def take(self, n, where):
        """Spend n entries; False (once logged) when the budget is gone."""
        self.left -= n
        if self.spent:
            return False
        if self.left < 0 or time.monotonic() > self.deadline:
            self.spent = True
            pylog.warning('debuginfo search stopped in %s after %d entries '
                          'or %.0f s: give the file (modinfo --load NAME '
                          'FILE, loadModule(name, FILE))'
                          % (where, SEARCH_MAX_ENTRIES, SEARCH_MAX_SECONDS))
            return False
        return True


def _candidates(topdir, wanted, budget):
    """Paths under topdir whose file name is in wanted, in name order.

    Symbolic links to directories are not followed (a link back up, or
    /lib/modules/KVER/build into a source tree, would make the walk
    endless or huge), and a directory met twice (bind mounts) is
    skipped; the budget bounds what is left.
    """
    seen = set()
    for root, dirs, files in os.walk(topdir):
        try:
            st = os.stat(root)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen or \
                not budget.take(len(dirs) + len(files), topdir):
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()     # the same answer on every machine
        for f in sorted(files):
            if f in wanted:
                yield os.path.join(root, f)


def possibleModuleNames(topdir, base, fingerprint=None, _budget=None):
    """First file under topdir named base + .ko.debug/.o.debug/.ko/.o.

    With a fingerprint (the loaded module's build id), a file of another
    build is passed over. The walk does not follow symbolic links to
    directories and is bounded (SEARCH_MAX_ENTRIES, SEARCH_MAX_SECONDS).
    """
    if not os.path.isdir(topdir):
        return None
    bases = [base] if isinstance(base, str) else list(base)
    wanted = {b + s for b in bases for s in _SUFFIXES}
    for path in _candidates(topdir, wanted, _budget or _Budget()):
        if fingerprint is None or fingerprint == file_build_id(path):
            return path
    return None


_NT_GNU_BUILD_ID = 3


def elf_notes(data):
    """Generate ``(name, type, desc)`` of each ELF note in bytes data.

    C equivalent: the ``Elf64_Nhdr`` walk of ``fs/proc/vmcore.c``. An
    all-zero header (the end of a kernel ``crash_notes`` buffer) or a
    truncated note ends the walk.
    """
    off = 0
    while off + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from('<III', data, off)
        if namesz == 0 and descsz == 0 and ntype == 0:
            return
        desc_at = off + 12 + (namesz + 3) // 4 * 4
        end = desc_at + (descsz + 3) // 4 * 4
        if desc_at + descsz > len(data):
            return
        name = data[off + 12:off + 12 + namesz].rstrip(b'\0')
        yield (name.decode('ascii', 'replace'), ntype,
               data[desc_at:desc_at + descsz])
        off = end


def _build_id_of_note(note):
    """Hex build id from the bytes of one ELF note, or None."""
    first = next(elf_notes(note), None)
    if first is None or first[1] != _NT_GNU_BUILD_ID or first[0] != 'GNU':
        return None
    return first[2].hex()


def module_build_id(modname):
    """The GNU build id (hex) of the loaded module modname, or None.

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
            for attr in _note_attrs(notes):
                if str(attr.attr.name) == '.note.gnu.build-id':
                    return _build_id_of_note(readmem(attr.private,
                                                     attr.size))
    except (CrashError, KeyError, TypeError, IndexError, AttributeError):
        pass
    return None


def _note_attrs(notes):
    """The ``struct bin_attribute`` of each note of a module (a list).

    Before Linux 6.14 ``module_notes_attrs.notes`` counts ``attrs[]``;
    the commit "module: sysfs: Drop member 'module_notes_attrs::notes'"
    dropped the count, and ``grp.bin_attrs`` (NULL-terminated) points
    to each of them.
    """
    if notes.hasField('notes'):
        size = struct_size('struct bin_attribute')
        if size <= 0:
            return []
        base = Addr(notes, 'attrs')
        return [readSU('struct bin_attribute', base + i * size)
                for i in range(min(notes.notes, 64))]
    out = []
    grp = notes.grp
    # bin_attrs_new: the name during the constification (6.14 to 6.16)
    table = int(grp.bin_attrs_new if grp.hasField('bin_attrs_new')
                else grp.bin_attrs)
    for i in range(64):
        ptr = readPtr(table + 8 * i) if table else 0
        if not ptr:
            break
        out.append(readSU('struct bin_attribute', ptr))
    return out


def _elf_sections(f):
    """{name: (file offset, size)} of a 64-bit little-endian ELF file.

    Reads the headers only: a .ko.debug may be tens of megabytes.
    """
    ident = f.read(64)
    if ident[:4] != b'\x7fELF' or ident[4] != 2 or ident[5] != 1:
        return {}
    shoff, = struct.unpack_from('<Q', ident, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', ident, 0x3a)
    if shentsize < 64 or shnum > 65535 or shstrndx >= shnum:
        return {}
    f.seek(shoff)
    table = f.read(shentsize * shnum)
    headers = [struct.unpack_from('<IIQQQQ', table, i * shentsize)
               for i in range(shnum)]
    stroff, strsize = headers[shstrndx][4], headers[shstrndx][5]
    f.seek(stroff)
    names = f.read(min(strsize, 1 << 20))
    out = {}
    for sh in headers:
        end = names.find(b'\0', sh[0])
        if end >= 0:
            out[names[sh[0]:end].decode('latin-1')] = (sh[4], sh[5])
    return out


def _read_sections(path):
    """(open file, sections) of path, or (None, {}) if it is not ELF."""
    try:
        f = open(path, 'rb')
    except OSError:
        return None, {}
    try:
        return f, _elf_sections(f)
    except (OSError, struct.error, IndexError):
        return f, {}


def file_build_id(path):
    """The GNU build id (hex) of an ELF file, or None."""
    f, sections = _read_sections(path)
    if f is None:
        return None
    with f:
        where = sections.get('.note.gnu.build-id')
        if where is None or where[1] > 4096:
            return None
        try:
            f.seek(where[0])
            return _build_id_of_note(f.read(where[1]))
        except (OSError, struct.error):
            return None


def has_dwarf(path):
    """Whether an ELF file has a ``.debug_info`` section (DWARF types).

    A stripped ``.ko`` gives crash symbols but no types.
    """
    f, sections = _read_sections(path)
    if f is None:
        return False
    with f:
        return '.debug_info' in sections or '.zdebug_info' in sections


def debuginfo_dirs(extra=()):
    """The directories searched for module debuginfo, in order.

    ``extra`` first, then ``sys_info.debuginfo``
    (``/usr/lib/debug/lib/modules/RELEASE``, the Debian ``-dbg`` package's
    directory, the directory of vmlinux, ``/lib/modules/RELEASE``; on a
    live system ``.`` first). The current directory of a dump session is
    not searched unless given in extra. Only existing directories.
    """
    dirs = []
    for d in list(extra) + list(sys_info.debuginfo):
        if os.path.isdir(d) and d not in dirs:
            dirs.append(d)
    return dirs


def find_debuginfo(modname, extra=()):
    """Path of modname's debuginfo file, or None: the one search.

    The first ``NAME.ko.debug``/``.o.debug``/``.ko``/``.o`` (also with
    '_' as '-') in :func:`debuginfo_dirs` whose GNU build id is the loaded
    module's (any, if the dump does not keep the module's notes). One
    budget bounds the whole search (SEARCH_MAX_ENTRIES entries,
    SEARCH_MAX_SECONDS seconds); when it runs out a warning says so.
    """
    fingerprint = module_build_id(modname)
    bases = {modname, modname.replace('_', '-')}
    budget = _Budget()
    for d in debuginfo_dirs(extra):
        path = possibleModuleNames(d, bases, fingerprint, _budget=budget)
        if path:
            return path
    return None


def build_id_mismatch(modname, path):
    """Why path is not modname's debuginfo (a sentence), or None if it is.

    Only a file whose GNU build id is the loaded module's is taken; when
    the dump does not keep the module's notes there is nothing to compare
    and the file is taken.
    """
    want = module_build_id(modname)
    if want is None:
        return None
    got = file_build_id(path)
    if got == want:
        return None
    return ('%s is not the debuginfo of the loaded %s: build id %s, '
            'the module has %s' % (path, modname, got or 'none', want))


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

    ofile: the file to load; else :func:`find_debuginfo` searches path
    then sys_info.debuginfo. Either way only a file whose GNU build id is
    the loaded module's is loaded: another file is refused (False, with
    an error logged), and a wrong file loaded earlier (a ``mod -s`` by
    hand) is replaced.
    """
    altname = altname or modname
    if altname not in lsModules():
        return False
    if ofile is not None:
        problem = build_id_mismatch(altname, ofile)
        if problem:
            pylog.error('loadModule: %s' % problem)
            return False
    current = _debuginfo_file(altname)
    if current and not is_other_build(altname, current):
        return True     # also after crash's own `mod -s`
    if ofile is None:
        ofile = find_debuginfo(altname, path)
        if ofile is None:
            return False
    if current:
        # crash keeps the first file of a module: drop the wrong one.
        exec_crash_command('mod -d %s' % altname)
    out = exec_crash_command('mod -s %s %s' % (altname, ofile))
    ok = 'MODULE' in out
    _loaded[modname] = ok
    purge_typeinfo()
    return ok


def is_other_build(modname, path):
    """Whether path is readable and of another build than modname's."""
    got = file_build_id(path)
    want = module_build_id(modname)
    return got is not None and want is not None and got != want


def _debuginfo_file(name):
    """The file crash has loaded for module name, or None."""
    for m in modules_info():
        if m[0] == name and m[3]:
            return m[4]
    return None


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

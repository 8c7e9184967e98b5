# SPDX-License-Identifier: GPL-2.0-or-later
"""Loaded kernel modules: size, taint flags, debuginfo found and loaded.

The module list is read from the kernel (``modules``), as /proc/modules
shows it; DEBUGINFO says whether crash has the module's symbols and
types loaded, else which file a search of the debuginfo directories
finds (``--load`` loads it with crash's ``mod -s``).

Examples::

    modinfo                        every module, with its debuginfo status
    modinfo -v testmod             one module; the directories searched
    modinfo --load testmod         load its debuginfo (crash's mod -s)
    modinfo --unload testmod       and unload it
"""

import argparse
import os
import sys

from pykdump.API import (build_id_mismatch, crash, delModule,
                         is_other_build, loadModule, purge_typeinfo, pylog)

from pykdump.helpers import modules as M
from pykdump.helpers.kernel import taint_flags, taint_string, tainted_mask
from pykdump.progflags import refuse

__all__ = ['main', 'module_rows', 'debuginfo_status']


def debuginfo_status(name, crash_table, search=True, extra=()):
    """Return ``(status, path)`` of a module's debuginfo.

    status: ``loaded`` (crash has it), ``wrong-build`` (crash has a file
    of another build: its types may be wrong; ``--load NAME`` replaces
    it), ``found`` (a file with DWARF), ``symbols`` (a file without
    DWARF: symbols only), ``missing``.
    """
    loaded, objfile = crash_table.get(name, (False, None))
    if loaded:
        if objfile and is_other_build(name, objfile):
            return 'wrong-build', objfile
        return 'loaded', objfile
    if not search:
        return 'missing', None
    path = M.find_debuginfo(name, extra)
    if path is None:
        return 'missing', None
    return ('found' if M.has_dwarf(path) else 'symbols'), path


def module_rows(search=True, extra=()):
    """Return ``[(ModuleInfo, status, path), ...]`` in load order.

    A module whose struct cannot be decoded is logged and skipped.
    """
    try:
        flags = taint_flags()
    except crash.error as e:
        pylog.warning('cannot read taint_flags: %s' % e)
        flags = []
    table = M.crash_module_table()
    rows = []
    try:
        mods = list(M.for_each_module())
    except crash.error as e:
        pylog.warning('cannot read the module list (modules): %s' % e)
        mods = []
    for mod in mods:
        try:
            info = M.module_info(mod, flags)
        except crash.error as e:
            pylog.warning('cannot decode module at 0x%x: %s' % (mod, e))
            continue
        status, path = debuginfo_status(info.name, table, search, extra)
        rows.append((info, status, path))
    rows.reverse()
    return rows


def print_modules(rows, addresses=False):
    """Print the module table (addresses: each module's range too)."""
    print('%-20s %9s %4s %-9s %-5s %-16s  %s'
          % ('NAME', 'SIZE', 'REFS', 'STATE', 'TAINT', 'BASE', 'DEBUGINFO'))
    for info, status, path in rows:
        di = status if path is None else '%s %s' % (status, path)
        print('%-20s %9d %4d %-9s %-5s %016x  %s'
              % (info.name, info.size, info.refcount, info.state,
                 info.taint or '-', info.base, di))
        if addresses:
            print('    addr range: 0x%x - 0x%x'
                  % (info.base, info.base + info.size))


def print_taint(rows):
    """Print the kernel's taint and the modules that caused it."""
    try:
        mask = tainted_mask()
        text = taint_string(mask)
        print('Kernel taint: %s (tainted_mask 0x%x)'
              % (text or 'none', mask))
    except crash.error as e:
        pylog.warning('cannot read the kernel taint: %s' % e)
    tainting = ['%s(%s)' % (i.name, i.taint) for i, _s, _p in rows
                if i.taint]
    if tainting:
        print('Tainting modules: %s' % ', '.join(tainting))


def do_load(name, path):
    """--load: load a module's debuginfo; return 0 on success, else 1."""
    if path is not None and not os.path.isfile(path):
        print('modinfo: %s: no such file' % path)
        return 1
    try:
        found = M.find_module(name)
    except crash.error as e:
        pylog.warning('cannot read the module list (modules): %s' % e)
        found = name in [m[0] for m in crash.modules()]
    if not found:
        print('modinfo: no module %s is loaded in the dump' % name)
        return 1
    problem = build_id_mismatch(name, path) if path is not None else None
    if problem:
        print('modinfo: %s' % problem)
        return 1
    try:
        ok = loadModule(name, path)
    except crash.error as e:
        print('modinfo: mod -s %s failed: %s' % (name, str(e).strip()))
        return 1
    status, objfile = debuginfo_status(name, M.crash_module_table(),
                                       search=False)
    if ok and status == 'loaded':
        print('%s: debuginfo loaded from %s' % (name, objfile))
        return 0
    print('modinfo: could not load debuginfo of %s%s' % (
        name, '' if path else ' (no file found; give one: --load NAME FILE)'))
    return 1


# Statuses with a debuginfo file loaded in crash.
_LOADED = ('loaded', 'wrong-build')


def do_unload(name):
    """--unload: drop a module's debuginfo; return 0 on success, else 1."""
    before, _path = debuginfo_status(name, M.crash_module_table(),
                                     search=False)
    if before not in _LOADED:
        print('%s: debuginfo was not loaded' % name)
        return 0
    delModule(name)
    status, _path = debuginfo_status(name, M.crash_module_table(),
                                     search=False)
    if status in _LOADED:
        # Loaded outside loadModule() (a mod -s typed by hand).
        try:
            crash.exec_crash_command('mod -d %s' % name)
        except crash.error as e:
            print('modinfo: mod -d %s failed: %s' % (name, e))
            return 1
        purge_typeinfo()
    status, _path = debuginfo_status(name, M.crash_module_table(),
                                     search=False)
    if status in _LOADED:
        print('modinfo: %s still has debuginfo loaded' % name)
        return 1
    print('%s: debuginfo unloaded' % name)
    return 0


class _LoadAction(argparse.Action):
    """--load NAME [FILE]: one or two values."""

    def __call__(self, parser, namespace, values, option_string=None):
        if not 1 <= len(values) <= 2:
            parser.error('--load takes NAME and an optional FILE')
        setattr(namespace, self.dest, values)


def parse_args(argv):
    """Parse the command line (argv without the program name)."""
    p = argparse.ArgumentParser(
        prog='modinfo',
        description='List loaded modules; load or unload their debuginfo.')
    g = p.add_mutually_exclusive_group()
    g.add_argument('--load', nargs='+', metavar=('NAME', 'FILE'),
                   action=_LoadAction,
                   help='load the debuginfo of module NAME (from FILE, '
                        'else the first file found)')
    g.add_argument('--unload', metavar='NAME',
                   help='unload the debuginfo of module NAME')
    p.add_argument('-n', '--no-search', action='store_true',
                   help='do not search for debuginfo files')
    p.add_argument('-d', '--dir', action='append', default=[],
                   help='also search this directory, first (the current '
                        'directory is searched only as -d .)')
    p.add_argument('-v', '--verbose', action='store_true',
                   help='show the directories searched')
    p.add_argument('-t', '--tainted', action='store_true',
                   help='only modules that taint the kernel (PyKdump\'s '
                        '-t)')
    p.add_argument('-a', '--addresses', action='store_true',
                   help='the address range of each module (PyKdump\'s '
                        '-a)')
    p.add_argument('module', nargs='?',
                   help='show only this module')
    refuse(p, '-g', "crash's kmem -v (vmalloc areas, where modules "
           'live) and modinfo -a')
    refuse(p, '-u', "crash's p last_unloaded_module (the name of the "
           'last one); freed module memory is not searched')
    refuse(p, '--details', "modinfo NAME, and crash's sym -m NAME for its "
           'symbols', takes=1)
    refuse(p, '--disasm', "crash's dis -l on the functions sym -m NAME "
           'lists', takes=1)
    return p.parse_args(argv)


def main(argv=None):
    """Run modinfo with argv (default: sys.argv[1:]); return 0 or 1."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.load:
        return do_load(args.load[0],
                       args.load[1] if len(args.load) > 1 else None)
    if args.unload:
        return do_unload(args.unload)
    rows = module_rows(not args.no_search, args.dir)
    if args.module:
        rows = [r for r in rows if r[0].name == args.module]
        if not rows:
            print('modinfo: no module %s is loaded in the dump'
                  % args.module)
            return 1
    if args.tainted:
        rows = [r for r in rows if r[0].taint]
    print_modules(rows, args.addresses)
    print()
    print_taint(rows)
    if args.verbose:
        print('Debuginfo search: %s' % ', '.join(M.debuginfo_dirs(args.dir)))
    return 0


if __name__ == '__main__':
    main()

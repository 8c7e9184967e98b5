# SPDX-License-Identifier: GPL-2.0-or-later
"""Loaded kernel modules: list, size, state, taint, debuginfo files.

Mirrors ``include/linux/module.h`` (``struct module``, ``enum
module_state``), ``kernel/module/procfs.c`` (what ``/proc/modules``
prints: size, references, state, taint flags) and ``kernel/module/main.c``
(``module_flags()``).
"""

from collections import namedtuple

# The debuginfo search and ELF readers live with loadModule (dlkmload);
# they are named here too because modinfo's readers look here.
from pykdump.API import (crash, debuginfo_dirs, find_debuginfo, has_dwarf,
                         member_offset, pylog, readSUListFromHead, sym2addr)
from pykdump.dlkmload import listDebuginfo

from pykdump.helpers.taint import taint_flags

__all__ = ['ModuleInfo', 'for_each_module', 'find_module', 'module_size',
           'module_base', 'module_refcount', 'module_state',
           'module_taint', 'module_flags', 'module_info',
           'debuginfo_dirs', 'find_debuginfo', 'has_dwarf',
           'crash_module_table']

ModuleInfo = namedtuple('ModuleInfo', 'name addr base size refcount state '
                        'taint')
ModuleInfo.__doc__ = """One loaded module as /proc/modules shows it:
name, ``struct module *``, load address, size in bytes, references,
state (Live, Loading, Unloading) and taint letters ('OE')."""

_STATES = {'MODULE_STATE_LIVE': 'Live', 'MODULE_STATE_COMING': 'Loading',
           'MODULE_STATE_GOING': 'Unloading',
           'MODULE_STATE_UNFORMED': 'Unformed'}


def for_each_module():
    """Generate each ``struct module *`` on the ``modules`` list.

    C equivalent: ``list_for_each_entry(mod, &modules, list)``
    (``kernel/module/main.c``), in load order, newest first.
    """
    yield from readSUListFromHead(sym2addr('modules'), 'list',
                                  'struct module')


def find_module(name):
    """Return the ``struct module *`` named name, or None.

    C equivalent: ``find_module(name)``.
    """
    for mod in for_each_module():
        if str(mod.name) == name:
            return mod
    return None


def _layouts(mod):
    """(base, size) of each memory region of a module."""
    # Linux commit ac3b43283923 ("module: replace module_layout with
    # module_memory") (v6.4): mod->mem[MOD_MEM_NUM_TYPES].
    if mod.hasField('core_layout'):
        out = [mod.core_layout, mod.init_layout]
        if mod.hasField('data_layout'):
            out.append(mod.data_layout)
    else:
        out = list(mod.mem)
    return [(int(lay.base), int(lay.size)) for lay in out]


def module_size(mod):
    """Return the size /proc/modules prints for mod, in bytes.

    C equivalent: ``init_layout.size + core_layout.size`` (plus
    ``data_layout.size`` when the arch keeps data apart) in
    ``m_show()`` (``kernel/module/procfs.c``).
    """
    return sum(size for _base, size in _layouts(mod))


def module_base(mod):
    """Return the address of the module's core text."""
    return _layouts(mod)[0][0]


def module_refcount(mod):
    """Return the reference count /proc/modules prints.

    C equivalent: ``module_refcount(mod)`` =
    ``atomic_read(&mod->refcnt) - MODULE_REF_BASE`` (1).
    """
    if member_offset('struct module', 'refcnt') < 0:
        return 0
    return int(mod.refcnt.counter) - 1


def module_state(mod):
    """Return Live, Loading, Unloading or Unformed (``mod->state``)."""
    s = str(mod.state)
    return _STATES.get(s, s)


def module_taint(mod, flags=None):
    """Return the taint letters of a module (``mod->taints``), e.g. 'OE'.

    C equivalent: ``module_flags_taint()`` in ``kernel/module/main.c``:
    the ``c_true`` letter of each ``taint_flags[]`` entry whose
    ``module`` is true and whose bit is set.
    """
    if flags is None:
        flags = taint_flags()
    taints = int(mod.taints)
    return ''.join(t for i, (t, _f, m) in enumerate(flags)
                   if m and taints & (1 << i))


def module_flags(mod, flags=None):
    """Return the flags column of /proc/modules: ``(OE)``, ``(+)``...

    C equivalent: ``module_flags(mod, buf, true)``.
    """
    text = module_taint(mod, flags)
    state = module_state(mod)
    if state == 'Loading':
        text += '+'
    elif state == 'Unloading':
        text += '-'
    return '(%s)' % text if text else ''


def module_info(mod, flags=None):
    """Return the ModuleInfo of one ``struct module *``."""
    return ModuleInfo(str(mod.name), int(mod), module_base(mod),
                      module_size(mod), module_refcount(mod),
                      module_state(mod), module_taint(mod, flags))


def crash_module_table():
    """Return ``{name: (debuginfo loaded, object file)}`` from crash.

    What crash's ``mod`` shows in its OBJECT FILE column.
    """
    try:
        return {name: (bool(loaded), path)
                for name, loaded, path in listDebuginfo()}
    except crash.error as e:
        pylog.warning("cannot read crash's module table: %s" % e)
        return {}

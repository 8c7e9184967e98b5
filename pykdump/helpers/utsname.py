# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel's name: what ``uname -a`` prints.

Mirrors ``include/linux/utsname.h`` (``init_uts_ns``, ``struct
new_utsname``).
"""

from pykdump.API import readSymbol

__all__ = ['uname']


def uname():
    """Return ``init_uts_ns.name`` as a dict (sysname, nodename, ...).

    C equivalent: ``init_utsname()`` (``struct new_utsname``).
    """
    name = readSymbol('init_uts_ns').name
    return {f: str(getattr(name, f)) for f in
            ('sysname', 'nodename', 'release', 'version', 'machine',
             'domainname')}

# SPDX-License-Identifier: GPL-2.0-or-later
"""What kind of dump this is: ``sys_info``, ``KernelRev``, HZ, PAGESIZE.

``sys_info`` fills itself on first use (crash ``sys`` plus what the C
module knows), so importing this module runs no crash command.
"""

import os
import re

import crash

from .Generic import Bunch

# kernel, kname and debuginfo need crash's answers: the API gets them
# from this module's __getattr__ on first use.
__all__ = ['sys_info', 'KernelRev', 'HZ', 'PAGESIZE', 'PAGE_CACHE_SHIFT',
           'RHDIR', 'CGDIR']

HZ = crash.HZ
PAGESIZE = crash.PAGESIZE
PAGE_CACHE_SHIFT = crash.PAGE_CACHE_SHIFT


class KernelRev(str):
    """A kernel version string that compares numerically with strings.

    ``KernelRev("6.1.176") >= "5.4"`` is True; ``==`` stays string
    equality. At most three numeric components are used.
    """

    def __new__(cls, s):
        """Make the version from the leading ``X.Y.Z`` of ``s``."""
        self = super().__new__(cls, s)
        self._num = cls._numeric(s)
        return self

    @staticmethod
    def _numeric(s):
        """Return major*100000 + minor*1000 + patch of version text s."""
        m = re.match(r'(\d+)(?:\.(\d+))?(?:\.(\d+))?', str(s))
        if not m:
            raise ValueError('not a kernel version: %r' % (s,))
        parts = [int(x) if x else 0 for x in m.groups()]
        return parts[0] * 100000 + parts[1] * 1000 + parts[2]

    def __lt__(self, other):
        return self._num < self._numeric(other)

    def __le__(self, other):
        return self._num <= self._numeric(other)

    def __gt__(self, other):
        return self._num > self._numeric(other)

    def __ge__(self, other):
        return self._num >= self._numeric(other)

    __hash__ = str.__hash__


def _parse_sys(text):
    """Return a Bunch of crash ``sys`` output: KEY: value lines.

    Continuation lines are appended to the previous key joined by ``|``.
    """
    info = Bunch()
    last = None
    for line in text.splitlines():
        m = re.match(r'\s*([A-Z][A-Z ]*[A-Z]):\s?(.*)$', line)
        if m:
            last = m.group(1)
            info[last] = m.group(2).strip()
        elif last and line.strip():
            info[last] += '|' + line.strip()
    return info


class _SysInfo(Bunch):
    """``sys_info``: crash's ``sys`` keys plus derived fields, lazily.

    Raw keys: KERNEL, DUMPFILE, CPUS, DATE, UPTIME, "LOAD AVERAGE",
    TASKS, NODENAME, RELEASE, VERSION, MACHINE, MEMORY, PANIC. Derived:
    livedump, kernel (KernelRev), HZ, CPUS (int), machine, DebugDir,
    debuginfo, pointersize, pointermask.
    """

    _filled = False

    def _fill(self):
        """Run crash ``sys`` once and compute the derived fields."""
        if self._filled:
            return
        object.__setattr__(self, '_filled', True)
        info = crash.sysinfo()
        try:
            raw = _parse_sys(crash.exec_crash_command('sys'))
        except crash.error:
            raw = Bunch()
        self.update(raw)
        if 'DUMPFILES' in raw and 'DUMPFILE' not in raw:
            self['DUMPFILE'] = ','.join(
                p.split()[0] for p in raw['DUMPFILES'].split('|') if p)
        self['livedump'] = bool(info['live'])
        self['kernel'] = KernelRev(raw.get('RELEASE') or info['release'])
        self['HZ'] = info['HZ']
        self['CPUS'] = info['cpus']
        self['machine'] = (raw.get('MACHINE') or info['machine']).split()[0]
        debug = raw.get('DEBUG KERNEL') or raw.get('KERNEL') or \
            info['namelist'] or ''
        self['DebugDir'] = os.path.dirname(debug.split()[0]) if debug else ''
        release = info['release']
        dirs = ['/usr/lib/debug/lib/modules/%s' % release,
                '/usr/lib/kernel-image-%s-dbg/lib/modules/%s/'
                % (release, release)]
        if self['livedump']:
            dirs.insert(0, '.')
        elif self['DebugDir']:
            dirs.append(self['DebugDir'])
        dirs.append('/lib/modules/%s' % release)
        self['debuginfo'] = dirs
        self['pointersize'] = 8 if info['machine'] in (
            'x86_64', 'aarch64', 'ppc64le', 'ppc64', 's390x') else 4
        self['pointermask'] = (1 << (8 * self['pointersize'])) - 1

    def __getitem__(self, key):
        self._fill()
        return super().__getitem__(key)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        self._fill()
        try:
            return dict.__getitem__(self, name)
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, key):
        self._fill()
        return super().__contains__(key)

    def get(self, key, default=None):
        """dict.get, after filling."""
        self._fill()
        return super().get(key, default)

    def keys(self):
        """dict.keys, after filling."""
        self._fill()
        return super().keys()

    def items(self):
        """dict.items, after filling."""
        self._fill()
        return super().items()

    def __str__(self):
        self._fill()
        return super().__str__()


sys_info = _SysInfo()


def __getattr__(name):
    """Module attributes that need crash's answers: computed on use."""
    if name == 'kernel':
        return sys_info.kernel
    if name == 'kname':
        return crash.sysinfo()['release']
    if name == 'debuginfo':
        return sys_info.debuginfo
    raise AttributeError(name)


RHDIR = '/usr/lib/debug/lib/modules'
CGDIR = '/usr/lib/kernel-image-%s-dbg/lib/modules/%s/'

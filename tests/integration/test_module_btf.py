# SPDX-License-Identifier: GPL-2.0-or-later
"""Modules' types from their split BTF, gdb first where debuginfo is loaded
(issue 10).

The guest loads Debian modules (brd, dummy, ext4, ...) whose .ko files
carry split BTF; the kernel keeps it on its btf_modules list, and types
only a module defines (struct brd_device) are answered from there without
the module's debuginfo. When the user loads a module's debuginfo with
``mod -s``, gdb answers for that module, and its answer must be the one
BTF gave; a stripped .ko loaded that way (no DWARF, its .BTF kept) leaves
the answers to BTF. Checked with the modules' real debug .ko files, taken
from the fixture's cached linux-image-KVER-dbg package (extracted once
into $XDG_CACHE_HOME/pykdump-module-debug: reading the whole package
takes about two minutes), or found under $PYKDUMP_MODULE_DEBUG_DIR.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

import crash
from pykdump.API import lsModules, symbol_exists

from _support import requires_crash_modules
from test_type_sources import REAL, differences

MODULE, TYPE = 'brd', 'struct brd_device'
# ext4's struct has a tid_t member: a typedef that jbd2's and ext4's split
# BTF each carry a copy of
CHECKED = ((MODULE, TYPE), ('ext4', 'struct ext4_sb_info'))


# Where each checked module's debug file sits in linux-image-KVER-dbg.
KO_PATHS = {'brd': 'kernel/drivers/block/brd.ko',
            'ext4': 'kernel/fs/ext4/ext4.ko'}


def _kernel_release():
    return os.environ.get('PYKDUMP_KVER') or crash.sysinfo()['release']


def _dbg_package(kver):
    """The fixture's cached linux-image-KVER-dbg package, or None."""
    cache = os.environ.get('PYKDUMP_FIXTURE_CACHE') or os.path.expanduser(
        '~/.cache/pykdump-fixture')
    debs = sorted(glob.glob(os.path.join(
        cache, 'debs', 'linux-image-%s-dbg_*.deb' % kver)))
    return debs[-1] if debs else None


def _extracted_kos():
    """Directory holding the checked modules' debug .ko files extracted
    from the dbg package (once: kept outside the checkout, keyed by the
    package's name), or None without the package. The fixture cache is
    shared and never written here."""
    kver = _kernel_release()
    deb = _dbg_package(kver)
    if not deb:
        return None
    top = os.path.join(os.environ.get('XDG_CACHE_HOME') or
                       os.path.expanduser('~/.cache'),
                       'pykdump-module-debug')
    done = os.path.join(top, os.path.basename(deb)[:-4])
    if os.path.isdir(done):
        return done
    os.makedirs(top, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.extract-', dir=top)
    members = ['./usr/lib/debug/lib/modules/%s/%s' % (kver, p)
               for p in KO_PATHS.values()]
    tar = 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" "${@:3}"'
    subprocess.run(['bash', '-o', 'pipefail', '-c', tar, 'x', deb, tmp] +
                   members, check=True)
    for module, path in KO_PATHS.items():
        os.rename(os.path.join(tmp, members[0][2:].split('/kernel/')[0],
                               path),
                  os.path.join(tmp, module + '.ko'))
    try:
        os.rename(tmp, done)        # another run may have been first
    except OSError:
        pass
    return done


def _debug_ko(module):
    """The debug .ko of module: $PYKDUMP_MODULE_DEBUG_DIR, else the one
    extracted from the fixture's dbg package; None if neither has it."""
    top = os.environ.get('PYKDUMP_MODULE_DEBUG_DIR')
    if top:
        for dirpath, _dirs, files in os.walk(top):
            if module + '.ko' in files:
                return os.path.join(dirpath, module + '.ko')
        return None
    kos = _extracted_kos()
    ko = kos and os.path.join(kos, module + '.ko')
    return ko if ko and os.path.isfile(ko) else None


def _sections(path):
    """Section names of the ELF file path, as readelf prints them."""
    out = subprocess.run(['readelf', '-SW', path], capture_output=True,
                         text=True, check=True).stdout
    return {line.split(']', 1)[1].split()[0]
            for line in out.splitlines() if line.lstrip().startswith('[')
            and ']' in line and line.split(']', 1)[1].split()}


@contextlib.contextmanager
def _loaded(module, ko):
    """ko loaded as module's debuginfo (mod -s) inside the block, unloaded
    (mod -d) after it."""
    crash.exec_crash_command('mod -s %s %s' % (module, ko))
    try:
        yield
    finally:
        crash.exec_crash_command('mod -d %s' % module)


@unittest.skipUnless(crash.type_origin().startswith('BTF'),
                     'the kernel has no BTF')
class TestModuleSplitBTF(unittest.TestCase):
    """A module-only type comes from the module's BTF."""

    def setUp(self):
        # Linux commit 36e68442d1af ("bpf: Load and verify kernel module
        # BTFs", v5.11) made the btf_modules list: 5.10 keeps no module BTF.
        if not symbol_exists('btf_modules'):
            self.skipTest('the kernel keeps no module BTF (before 5.11)')
        self.saved = crash.type_source()
        crash.type_source('auto')
        if MODULE not in lsModules():
            self.skipTest('the guest did not load %s' % MODULE)

    def tearDown(self):
        crash.type_source(self.saved)

    def test_module_type_is_not_in_the_kernels_btf(self):
        self.assertNotIn(TYPE, crash.btf_type_names())

    def test_module_type_is_described_from_split_btf(self):
        self.assertTrue(crash.type_from_btf(TYPE))
        d = crash.gdb_typeinfo(TYPE)
        names = [f['fname'] for f in d['body']]
        self.assertIn('brd_number', names)
        self.assertEqual(crash.struct_size(TYPE), d['typelength'])
        self.assertEqual(crash.member_offset(TYPE, 'brd_number'),
                         d['body'][names.index('brd_number')]['bitoffset']
                         // 8)
        self.assertRegex(crash.type_origin(),
                         r'split BTF of [1-9]\d* of \d+ modules')

    def test_module_enumerators_come_from_split_btf(self):
        # fs/ext4/ext4.h: enum ext4_li_mode { EXT4_LI_MODE_PREFETCH_BBITMAP,
        # EXT4_LI_MODE_ITABLE }; ext4 is a module in Debian's kernels, so
        # only its split BTF knows them (gdb would need its debuginfo).
        if 'ext4' not in lsModules():
            self.skipTest('the guest did not load ext4')
        self.assertNotIn('enum ext4_li_mode', crash.btf_type_names())
        edef = dict(crash.gdb_typeinfo('enum ext4_li_mode')['edef'])
        self.assertEqual(edef, {'EXT4_LI_MODE_PREFETCH_BBITMAP': 0,
                                'EXT4_LI_MODE_ITABLE': 1})
        before = crash._type_gdb_requests()
        for name, value in edef.items():
            self.assertEqual(crash.enumerator_value(name), value)
        self.assertEqual(crash._type_gdb_requests(), before)
        self.assertIsNone(crash.enumerator_value('PK_NO_SUCH_ENUMERATOR'))

    def test_unknown_type_stays_unknown(self):
        self.assertRaises(crash.error, crash.gdb_typeinfo,
                          'struct pk_no_such_module_type')

    def assertSameLayout(self, btf, gdb, name):
        """BTF's and gdb's answers for name differ only as REAL says."""
        bad = [d for d in differences(btf, gdb, name)
               if not any(test(d[1], d[2]) for test, _why in REAL)]
        self.assertEqual(bad, [])

    @requires_crash_modules
    def test_module_stripped_of_dwarf_keeps_its_types_from_split_btf(self):
        # A .ko without .debug_info but with .BTF, as Debian ships them in
        # /lib/modules (made here from the debug .ko by objcopy, which keeps
        # .BTF): once loaded with mod -s, gdb knows the module's symbols but
        # none of its types, so its split BTF must keep answering.
        ko = _debug_ko(MODULE)
        if not ko or not shutil.which('objcopy'):
            self.skipTest('no debug .ko of %s (no linux-image-%s-dbg in the '
                          'fixture cache, no $PYKDUMP_MODULE_DEBUG_DIR) or '
                          'no objcopy' % (MODULE, _kernel_release()))
        with tempfile.TemporaryDirectory(prefix='mpk-stripped-') as tmp:
            stripped = os.path.join(tmp, MODULE + '.ko')
            subprocess.run(['objcopy', '--strip-debug', ko, stripped],
                           check=True)
            self.assertIn('.BTF', _sections(stripped))
            self.assertNotIn('.debug_info', _sections(stripped))
            btf = crash.gdb_typeinfo(TYPE)
            with _loaded(MODULE, stripped):
                self.assertIn(stripped, crash.exec_crash_command('mod'))
                self.assertTrue(crash.type_from_btf(TYPE))
                kept = crash.gdb_typeinfo(TYPE)
                size = crash.struct_size(TYPE)
                offset = crash.member_offset(TYPE, 'brd_number')
        self.assertEqual(kept, btf)
        self.assertEqual(size, btf['typelength'])
        names = [f['fname'] for f in btf['body']]
        self.assertEqual(offset, btf['body'][names.index('brd_number')]
                         ['bitoffset'] // 8)
        # the layout DWARF gives, gdb's once the debug .ko is loaded
        with _loaded(MODULE, ko):
            self.assertFalse(crash.type_from_btf(TYPE))
            dwarf = crash.gdb_typeinfo(TYPE)
        self.assertSameLayout(kept, dwarf, TYPE)

    @requires_crash_modules
    def test_gdb_answers_once_debuginfo_is_loaded_and_agrees(self):
        checked = 0
        for module, name in CHECKED:
            ko = _debug_ko(module)
            if not ko or module not in lsModules():
                continue
            btf = crash.gdb_typeinfo(name)
            with _loaded(module, ko):
                self.assertFalse(crash.type_from_btf(name))
                gdb = crash.gdb_typeinfo(name)
            self.assertSameLayout(btf, gdb, name)
            self.assertTrue(crash.type_from_btf(name))
            checked += 1
        if not checked:
            self.skipTest('no debug .ko: no linux-image-%s-dbg package in '
                          'the fixture cache and no '
                          '$PYKDUMP_MODULE_DEBUG_DIR' % _kernel_release())


if __name__ == '__main__':
    unittest.main()

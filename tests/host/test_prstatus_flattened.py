# SPDX-License-Identifier: GPL-2.0-or-later
"""Registers of each CPU from a flattened dump, against crash's help -r.

makedumpfile's flattened format (``makedumpfile -F``, QEMU's
``dump-guest-memory`` to a pipe) is a header and (offset, size, bytes)
blocks of a kdump-compressed file: no ELF or kdump header at the start,
so the dump-file parser pykdump.helpers.prstatus once had could not read
its notes. crash reads the format in place; the helper now takes the
notes crash found (crash._cpu_prstatus), whatever the format.

The flattened file is made here from the fixture's kdump file; where
makedumpfile is installed, its ``-R`` (flattened -> plain) must give the
kdump file back byte for byte, so the test's file is the real format.
"""

import filecmp
import os
import re
import shutil
import struct
import subprocess
import unittest

from tests.host import _crash
from tests.host._crash import mark

#: crash's ``help -r`` name of each general register -> pykdump's
HELP_R_NAMES = (('RAX', 'ax'), ('RBX', 'bx'), ('RCX', 'cx'), ('RDX', 'dx'),
                ('RSI', 'si'), ('RDI', 'di'), ('RBP', 'bp'), ('RSP', 'sp'),
                ('R8', 'r8'), ('R9', 'r9'), ('R10', 'r10'), ('R11', 'r11'),
                ('R12', 'r12'), ('R13', 'r13'), ('R14', 'r14'),
                ('R15', 'r15'), ('RIP', 'ip'), ('RFLAGS', 'flags'))

# One line per CPU: "REGS cpu from-file name=hex ...".
PROG = '''\
from pykdump.API import sys_info
from pykdump.helpers.prstatus import cpu_registers, dumpfile_prstatus
for cpu in range(sys_info.CPUS):
    regs = cpu_registers(cpu)
    print('REGS', cpu, regs is not None and regs == dumpfile_prstatus(cpu),
          ' '.join('%s=%x' % kv for kv in sorted((regs or {}).items())))
'''

# makedumpfile.h: struct makedumpfile_header (signature[16], type,
# version; big-endian), padded to MAX_SIZE_MDF_HEADER; then blocks of
# struct makedumpfile_data_header (offset, buf_size) + data; the end
# block has both -1.
_FLAT_HEADER = 4096
_FLAT_BLOCK = 1 << 20


def write_flattened(src, dst):
    """Write the dump file src in makedumpfile's flattened format to dst."""
    with open(src, 'rb') as f, open(dst, 'wb') as out:
        out.write(struct.pack('>16sqq', b'makedumpfile', 1, 1)
                  .ljust(_FLAT_HEADER, b'\0'))
        off = 0
        while True:
            data = f.read(_FLAT_BLOCK)
            if not data:
                break
            out.write(struct.pack('>qq', off, len(data)))
            out.write(data)
            off += len(data)
        out.write(struct.pack('>qq', -1, -1))


def help_r_registers(text):
    """{cpu: {pykdump name: value}} from crash's ``help -r`` output."""
    names = dict(HELP_R_NAMES)
    blocks = re.split(r'^CPU (\d+):', text, flags=re.M)[1:]
    return {int(cpu): {names[r]: int(v, 16) for r, v in re.findall(
        r'\b(%s):\s*([0-9a-f]+)' % '|'.join(names), body)}
        for cpu, body in zip(blocks[::2], blocks[1::2])}


class FlattenedDumpTests(_crash.SessionTestCase):
    """One crash session on a flattened copy of the kdump fixture."""

    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp()
        cls.flat = os.path.join(tmp, 'vmcore.flat')
        write_flattened(_crash.fixture()['PYKDUMP_VMCORE'], cls.flat)
        _crash.make_tree(tmp, {'regs.py': PROG})
        cls.session = _crash.run_crash(
            ['extend ' + _crash.so_path(),
             mark('regs'), 'epython regs.py',
             mark('help-r'), 'help -r',
             mark('after'), 'sym init_task'],
            cwd=tmp, dump=cls.flat)

    def ours(self):
        out = {}
        for line in self.session.lines('regs'):
            m = re.match(r'REGS (\d+) (True|False) ?(.*)$', line)
            if not m:
                continue    # the runner's banner and timing
            out[int(m.group(1))] = (m.group(2) == 'True', {
                k: int(v, 16) for k, v in
                (kv.split('=') for kv in m.group(3).split())})
        return out

    def test_file_starts_with_the_flattened_header_not_elf_or_kdump(self):
        with open(self.flat, 'rb') as f:
            self.assertEqual(f.read(16), b'makedumpfile\0\0\0\0')

    def test_makedumpfile_gives_the_kdump_file_back(self):
        if not shutil.which('makedumpfile'):
            self.skipTest('no makedumpfile to check the format with')
        plain = os.path.join(self.tmp, 'vmcore.plain')
        with open(self.flat, 'rb') as f:
            subprocess.run(['makedumpfile', '-R', plain], stdin=f,
                           capture_output=True, check=True)
        self.assertTrue(filecmp.cmp(plain, _crash.fixture()['PYKDUMP_VMCORE'],
                                    shallow=False))

    def test_every_cpu_has_the_registers_of_the_file_s_note(self):
        ours = self.ours()
        self.assertEqual(sorted(ours), sorted(help_r_registers(
            self.session.section('help-r'))))
        for cpu, (from_file, regs) in ours.items():
            with self.subTest(cpu=cpu):
                self.assertTrue(from_file)
                self.assertTrue(regs['sp'] and regs['ip'])

    def test_registers_are_crash_s_help_r(self):
        want = help_r_registers(self.session.section('help-r'))
        self.assertTrue(want)
        ours = self.ours()
        for cpu, regs in want.items():
            with self.subTest(cpu=cpu):
                self.assertEqual(len(regs), len(HELP_R_NAMES))
                self.assertEqual(regs, {r: ours[cpu][1].get(r)
                                        for r in regs})

    def test_crash_answers_after(self):
        self.assertRegex(self.session.section('after'),
                         r'[0-9a-f]+ \(\w\) init_task')


if __name__ == '__main__':
    unittest.main()

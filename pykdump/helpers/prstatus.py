# SPDX-License-Identifier: GPL-2.0-or-later
"""The registers of each CPU saved in the dump: ELF NT_PRSTATUS notes.

Mirrors ``include/linux/elfcore.h`` (``struct elf_prstatus``, whose
``pr_reg`` is an ``elf_gregset_t``: ``struct user_regs_struct`` of
``arch/x86/include/asm/user_64.h``), ``kernel/crash_core.c``
(``crash_save_cpu()``, the per-CPU ``crash_notes`` buffers) and the
headers of the two dump formats: ELF (``include/uapi/linux/elf.h``) and
makedumpfile's kdump-compressed (``diskdump_mod.h``:
``struct disk_dump_header``, ``struct kdump_sub_header``).

Two places may hold them:

* kernel memory: at panic, with a crash kernel loaded, each CPU writes
  its registers into its ``crash_notes`` buffer (the panic CPU in
  ``__crash_kexec()``, the others in the NMI that stops them);
* the dump file's own notes: makedumpfile copies them from
  ``/proc/vmcore``; a hypervisor dump (QEMU ``dump-guest-memory``,
  ``virsh dump``) writes the vCPU registers at the time of the dump,
  and then ``crash_notes`` stays empty (no crash kernel ran).

Memory is read first; the file's notes when memory has none.
"""

import struct

from pykdump.API import (crash, member_offset, readmem, readPtr, sym2addr,
                         symbol_exists, sys_info)
from pykdump.dlkmload import elf_notes
from pykdump.helpers.percpu import percpu_addresses

__all__ = ['REG_NAMES', 'cpu_registers',
           'dumpfile_prstatus']

#: ``struct user_regs_struct`` (x86_64 ELF ABI): the order of pr_reg.
REG_NAMES = ('r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9',
             'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs',
             'flags', 'sp', 'ss', 'fs_base', 'gs_base', 'ds', 'es', 'fs',
             'gs')
_NT_PRSTATUS = 1
# offsetof(struct elf_prstatus, pr_reg) on x86_64, where the debuginfo
# lacks the type: siginfo (12) + cursig (2+2) + sigpend, sighold (16) +
# 4 pids (16) + 4 timevals (64).
_PR_REG_OFFSET = 112
_cache = {}


def _pr_reg_offset():
    """offsetof(struct elf_prstatus, pr_reg), from the debuginfo."""
    off = member_offset('struct elf_prstatus', 'pr_reg')
    return off if off >= 0 else _PR_REG_OFFSET


def _regs_of(desc):
    """A dict of register name -> value of one elf_prstatus, or None."""
    off = _pr_reg_offset()
    size = 8 * len(REG_NAMES)
    if len(desc) < off + size:
        return None
    return dict(zip(REG_NAMES, struct.unpack_from('<%dQ' % len(REG_NAMES),
                                                  desc, off)))


def _memory_prstatus(cpu):
    """The registers crash_save_cpu() stored for cpu, or None.

    C equivalent: ``per_cpu_ptr(crash_notes, cpu)``: one NT_PRSTATUS
    note named "CORE", all zeroes when no crash kernel ran.
    """
    if not symbol_exists('crash_notes'):
        return None
    try:
        base = readPtr(sym2addr('crash_notes'))
        if not base:
            return None
        addr = percpu_addresses(base)[cpu]
        data = readmem(addr, 12 + 8 + 1024)
    except (crash.error, IndexError):
        return None
    for name, ntype, desc in elf_notes(data):
        if name == 'CORE' and ntype == _NT_PRSTATUS:
            regs = _regs_of(desc)
            if regs and regs['sp'] and regs['ip']:
                return regs
    return None


def _read_at(f, off, size):
    f.seek(off)
    data = f.read(size)
    if len(data) != size:
        raise ValueError('short read at %d' % off)
    return data


def _file_notes(path):
    """The bytes of the notes of a dump file (ELF or kdump-compressed).

    Raises ValueError for another format (flattened, sadump, ...).
    """
    with open(path, 'rb') as f:
        magic = f.read(8)
        if magic[:4] == b'\x7fELF':
            if magic[4] != 2:
                raise ValueError('not an ELF64 dump')
            hdr = _read_at(f, 0, 64)
            phoff, = struct.unpack_from('<Q', hdr, 32)
            phentsize, phnum = struct.unpack_from('<HH', hdr, 54)
            out = b''
            for i in range(phnum):
                ph = _read_at(f, phoff + i * phentsize, 56)
                ptype, = struct.unpack_from('<I', ph, 0)
                if ptype == 4:      # PT_NOTE
                    off, = struct.unpack_from('<Q', ph, 8)
                    size, = struct.unpack_from('<Q', ph, 32)
                    out += _read_at(f, off, size)
            return out
        if magic == b'KDUMP   ':
            # struct disk_dump_header: signature[8], header_version,
            # new_utsname (6 * 65), timeval (8-aligned), status,
            # block_size; the sub header is at block 1.
            hdr = _read_at(f, 0, 432)
            version, = struct.unpack_from('<i', hdr, 8)
            block_size, = struct.unpack_from('<i', hdr, 428)
            if version < 4:
                raise ValueError('kdump header version %d has no notes'
                                 % version)
            sub = _read_at(f, block_size, 64)
            # kdump_sub_header: phys_base, dump_level, split, start_pfn,
            # end_pfn, offset_vmcoreinfo, size_vmcoreinfo, offset_note,
            # size_note.
            off, size = struct.unpack_from('<qQ', sub, 48)
            return _read_at(f, off, size) if size else b''
        raise ValueError('unknown dump format')


def dumpfile_prstatus(path=None):
    """Registers of the NT_PRSTATUS notes of the dump file, in CPU order.

    A list of dicts (:data:`REG_NAMES` keys); ``[]`` if the file cannot
    be read or has no such notes. The n-th note is CPU n's, as the
    writers emit them (``for_each_present_cpu`` in ``/proc/vmcore``,
    each vCPU in QEMU).
    """
    if path is None:
        if 'file' not in _cache:
            path = (sys_info.get('DUMPFILE') or '').split()
            path = path[0].split(',')[0] if path else ''
            _cache['file'] = dumpfile_prstatus(path) if path else []
        return _cache['file']
    try:
        data = _file_notes(path)
    except (OSError, ValueError, struct.error):
        return []
    out = []
    for name, ntype, desc in elf_notes(data):
        if name == 'CORE' and ntype == _NT_PRSTATUS:
            regs = _regs_of(desc)
            if regs:
                out.append(regs)
    return out


def cpu_registers(cpu):
    """Return the registers of cpu saved in the dump, or None.

    A dict of :data:`REG_NAMES` -> int: the kernel's ``crash_notes``
    when it filled them, else the dump file's NT_PRSTATUS note.
    """
    regs = _memory_prstatus(cpu)
    if regs is not None:
        return regs
    notes = dumpfile_prstatus()
    if 0 <= cpu < len(notes) and notes[cpu]['sp']:
        return notes[cpu]
    return None

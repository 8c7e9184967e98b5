# SPDX-License-Identifier: GPL-2.0-or-later
"""The registers of each CPU saved in the dump: ELF NT_PRSTATUS notes.

Mirrors ``include/linux/elfcore.h`` (``struct elf_prstatus``, whose
``pr_reg`` is an ``elf_gregset_t``: ``struct user_regs_struct`` of
``arch/x86/include/asm/user_64.h``) and ``kernel/crash_core.c``
(``crash_save_cpu()``, the per-CPU ``crash_notes`` buffers).

Two places may hold them:

* kernel memory: at panic, with a crash kernel loaded, each CPU writes
  its registers into its ``crash_notes`` buffer (the panic CPU in
  ``__crash_kexec()``, the others in the NMI that stops them);
* the dump file's own notes: makedumpfile copies them from
  ``/proc/vmcore``; a hypervisor dump (QEMU ``dump-guest-memory``,
  ``virsh dump``) writes the vCPU registers at the time of the dump,
  and then ``crash_notes`` stays empty (no crash kernel ran).

Memory is read first; the file's notes when memory has none. Those are
crash's: it read them when it opened the dump, whatever the format
(ELF, kdump-compressed, flattened, split), and gave each to its CPU
(kdump writes notes for the online CPUs only).
"""

import struct

from pykdump.API import (CU_LIVE, crash, member_offset, memoize_cond,
                         readmem, readPtr, sym2addr, symbol_exists)
from pykdump.dlkmload import elf_notes
from pykdump.helpers.percpu import percpu_addresses
from pykdump.lowlevel import cpu_prstatus

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


def _note_regs(data):
    """The registers of the CORE NT_PRSTATUS note in data, or None.

    None too for a note of zeroes (a CPU that saved nothing).
    """
    for name, ntype, desc in elf_notes(data):
        if name == 'CORE' and ntype == _NT_PRSTATUS:
            regs = _regs_of(desc)
            if regs and regs['sp'] and regs['ip']:
                return regs
    return None


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
    return _note_regs(data)


# crash's getters count the online CPUs on each call, asking gdb the
# size of cpumask_t (~20 ms); the notes do not change in a dump.
@memoize_cond(CU_LIVE)
def dumpfile_prstatus(cpu):
    """Return the registers of cpu's NT_PRSTATUS note in the dump file.

    C equivalent (crash): ``diskdump_get_prstatus_percpu(cpu)`` or
    ``netdump_get_prstatus_percpu(cpu)``: the note crash gave to cpu.

    :return: a dict of :data:`REG_NAMES` -> int, or None when the dump
        has no note for cpu (or one of zeroes)
    :raises crash.error: cpu out of range, or a corrupt note header
    """
    note = cpu_prstatus(cpu)
    return None if note is None else _note_regs(note)


def cpu_registers(cpu):
    """Return the registers of cpu saved in the dump, or None.

    A dict of :data:`REG_NAMES` -> int: the kernel's ``crash_notes``
    when it filled them, else the dump file's NT_PRSTATUS note
    (:func:`dumpfile_prstatus`, which raises crash.error for a CPU out
    of range).
    """
    regs = _memory_prstatus(cpu)
    if regs is not None:
        return regs
    return dumpfile_prstatus(cpu)

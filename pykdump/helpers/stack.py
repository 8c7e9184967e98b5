# SPDX-License-Identifier: GPL-2.0-or-later
"""Kernel stacks of tasks: x86_64 ORC unwinding, crash's ``bt`` as fallback.

Mirrors ``arch/x86/include/asm/orc_types.h`` (``struct orc_entry``, the
ORC_REG_* and ORC_TYPE_* values), ``arch/x86/kernel/unwind_orc.c``
(``__unwind_start()``, ``unwind_next_frame()``, ``orc_find()``) and
``arch/x86/include/asm/switch_to.h`` (``struct inactive_task_frame``).

crash 8.0.2 cannot ``bt`` a task missing from its task table (most
tasks of a 6.1 dump), so sleeping tasks are unwound here from the
kernel's own ORC tables. Tasks running on a CPU when the dump was taken
(their saved ``thread.sp`` is stale) are unwound the same way from the
registers the dump saved for their CPU (``helpers/prstatus.py``),
across the IRQ and exception stacks: crash's ``bt`` of them is a guess
that differs between crash versions.
"""

import bisect
import re
import struct
from collections import namedtuple

from pykdump.API import (SuppressCrashErrors, addr2sym, crash,
                         exec_crash_command, field_offset, getStructInfo,
                         is_task_active, readPtr, readmem, readSU,
                         readSUListFromHead, sym2addr, symbol_exists,
                         type_size)
from pykdump.helpers.percpu import percpu_addresses
from pykdump.helpers.prstatus import cpu_registers
from pykdump.helpers.tasks import task_cpu

__all__ = ['Frame', 'SavedRegs', 'THREAD_SIZE', 'task_stack', 'unwind_orc',
           'unwind_active', 'crash_bt', 'format_frame', 'format_regs',
           'format_stack', 'stack_functions']

#: x86_64 kernel stack size (THREAD_SIZE_ORDER 2, no KASAN).
THREAD_SIZE = 16384

# orc_types.h: where the caller's stack pointer / frame pointer are.
# Linux commit 1735858caa4b ("objtool/x86: Reorder ORC register
# numbering") (v7.1) renumbered them; _orc_layout() tells which applies.
# ORC_REG_UNDEFINED (no data: objtool skipped the function) is 0 in
# both; the renumbering moved the others.
_REGS_OLD = {'undefined': 0, 'prev_sp': 1, 'sp': 5, 'bp': 4, 'bp_indirect': 8,
             'sp_indirect': 9}
_REGS_7_1 = {'undefined': 0, 'prev_sp': 8, 'sp': 3, 'bp': 4, 'bp_indirect': 10,
             'sp_indirect': 9}
_MAX_FRAMES = 64
# How far above sp _return_into_caller() looks (__crash_kexec()'s frame
# on 6.1: 0xb8 bytes).
_SCAN_WORDS = 128

Frame = namedtuple('Frame', 'sp ip func offset regs cpu',
                   defaults=(None, None))
Frame.__doc__ = """One stack frame: stack address, return address, symbol.

``func`` is the function name (``None`` if unknown), ``offset`` the
offset of ``ip`` in it. ``regs``: the :class:`SavedRegs` an interrupt,
exception or system call entry left in this frame (the registers of the
code it interrupted), else None. ``cpu``: on the innermost frame of a
task running when the dump was taken, the CPU whose registers saved in
the dump (:mod:`.prstatus`) it was unwound from, else None. Frames read
from crash's ``bt`` (:func:`crash_bt`) have neither.
"""

SavedRegs = namedtuple('SavedRegs', 'addr full')
SavedRegs.__doc__ = """A ``struct pt_regs`` on a stack: its address, and
whether all of it was saved (ORC type ``regs``) or only the hardware's
interrupt frame at its end: ``ip``, ``cs``, ``flags``, ``sp``, ``ss``
(``regs_partial``, the kernel's ``state->full_regs`` false).
"""

_tables = {}
_layout = {}


def _orc_layout():
    """Decoder of one struct orc_entry, built from its debuginfo.

    Linux commit fb799447ae29 ("x86,objtool: Split UNWIND_HINT_EMPTY in
    two") (v6.4) dropped orc_entry.end and renumbered the types (CALL
    0 -> 2, REGS 1 -> 3, REGS_PARTIAL 2 -> 4), so the numbering follows
    whether ``end`` exists.
    """
    if _layout:
        return _layout
    si = getStructInfo('struct orc_entry')
    fields = {}
    for name in ('sp_offset', 'bp_offset', 'sp_reg', 'bp_reg', 'type',
                 'end', 'signal'):
        if name in si:
            vi = si[name]
            bitoff = vi.bitoffset if vi.bitoffset is not None else \
                vi.offset * 8
            bits = vi.bitsize or vi.ti.size * 8
            fields[name] = (bitoff, bits, name in ('sp_offset', 'bp_offset'))
    _layout['fields'] = fields
    _layout['size'] = type_size('struct orc_entry')
    if 'end' in fields:
        _layout['types'] = {'call': 0, 'regs': 1, 'regs_partial': 2,
                            'end_of_stack': None}
    else:
        _layout['types'] = {'call': 2, 'regs': 3, 'regs_partial': 4,
                            'end_of_stack': 1}
    _layout['regs'] = _orc_regs()
    return _layout


def _orc_regs():
    """The ORC_REG_* numbering of this kernel.

    unwind_orc.c's ``orc_fp_entry`` has ``bp_reg = ORC_REG_PREV_SP``:
    1 before Linux commit 1735858caa4b, 8 after it. Its value, not the
    kernel version, decides (a distribution may backport the commit).
    """
    # gdb's address of the variable: the 7.2 symbol table also has an
    # unrelated local label of that name in .rodata.
    try:
        out = exec_crash_command('p/d orc_fp_entry.bp_reg')
    except crash.error:
        return _REGS_OLD
    m = re.match(r'\s*\$\d+ = (\d+)', out)
    if m and int(m.group(1)) == _REGS_7_1['prev_sp']:
        return _REGS_7_1
    return _REGS_OLD


def _decode_orc(raw):
    """A dict of the fields of one orc_entry's bytes."""
    value = int.from_bytes(raw, 'little')
    out = {}
    for name, (bitoff, bits, signed) in _orc_layout()['fields'].items():
        v = (value >> bitoff) & ((1 << bits) - 1)
        if signed and v >> (bits - 1):
            v -= 1 << bits
        out[name] = v
    return out


class _OrcTable:
    """One ORC table: sorted instruction addresses and their entries."""

    def __init__(self, ip_table, entries, count):
        raw = readmem(ip_table, 4 * count)
        rel = struct.unpack('<%di' % count, raw)
        # Each entry of orc_unwind_ip is relative to its own address.
        self.ips = [ip_table + 4 * i + r for i, r in enumerate(rel)]
        self.entries = entries
        self.esize = _orc_layout()['size']

    def find(self, ip):
        """The decoded entry covering ip, or None (orc_find())."""
        i = bisect.bisect_right(self.ips, ip) - 1
        if i < 0:
            return None
        return _decode_orc(readmem(self.entries + i * self.esize,
                                   self.esize))


def _vmlinux_table():
    """The ORC table of the kernel image, read once per session."""
    if 'vmlinux' not in _tables:
        start = sym2addr('__start_orc_unwind_ip')
        stop = sym2addr('__stop_orc_unwind_ip')
        entries = sym2addr('__start_orc_unwind')
        if not (start and stop and entries):
            _tables['vmlinux'] = None
        else:
            _tables['vmlinux'] = _OrcTable(start, entries,
                                           (stop - start) // 4)
    return _tables['vmlinux']


def _module_table(ip):
    """The ORC table of the module whose text holds ip, or None."""
    if 'modules' not in _tables:
        mods = []
        try:
            for mod in readSUListFromHead(sym2addr('modules'), 'list',
                                          'struct module'):
                mods.append(mod)
        except crash.error:
            pass
        _tables['modules'] = mods
    for mod in _tables['modules']:
        try:
            # Linux commit ac3b43283923 ("module: replace module_layout
            # with module_memory") (v6.4) replaced core_layout.
            if mod.hasField('core_layout'):
                base, size = int(mod.core_layout.base), \
                    int(mod.core_layout.size)
            else:
                base, size = int(mod.mem[0].base), int(mod.mem[0].size)
            if not base <= ip < base + size:
                continue
            key = int(mod)
            if key not in _tables:
                arch = mod.arch
                _tables[key] = _OrcTable(int(arch.orc_unwind_ip),
                                         int(arch.orc_unwind),
                                         int(arch.num_orcs)) \
                    if arch.num_orcs else None
            return _tables[key]
        except crash.error:
            continue
    return None


def _orc_find(ip):
    """The ORC entry for ip (kernel or module text), or None."""
    table = _vmlinux_table()
    if table is not None and table.ips and \
            table.ips[0] <= ip <= table.ips[-1] + 4096:
        return table.find(ip)
    table = _module_table(ip)
    return table.find(ip) if table is not None else None


def _frame(sp, ip):
    """A Frame for return address ip found at stack address sp."""
    name, off = addr2sym(ip, 1)
    return Frame(sp, ip, name, off)


def _regs_offsets():
    """Offsets of ip, sp, bp, cs in struct pt_regs."""
    if 'pt_regs' not in _layout:
        _layout['pt_regs'] = {name: field_offset('struct pt_regs', name)
                              for name in ('ip', 'sp', 'bp', 'cs')}
    return _layout['pt_regs']


def _return_into_caller(ip, sp, stacks):
    """(stack address, return address) of the call into ip's function.

    For a function objtool gave no ORC data (``STACK_FRAME_NON_STANDARD``:
    ``__crash_kexec()``, whose ``crash_setup_regs()`` saves the panic
    CPU's registers that kdump dumps): the first word above sp that
    returns right after a direct ``call`` of that very function. None
    if there is none within _SCAN_WORDS.
    """
    name, off = addr2sym(ip, 1)
    if name is None:
        return None
    func = ip - off
    hi = min((h for lo, h in stacks if lo <= sp <= h), default=sp)
    for addr in range(sp, min(sp + 8 * _SCAN_WORDS, hi - 7), 8):
        ret = readPtr(addr)
        if addr2sym(ret, 1)[0] is None:
            continue
        try:
            code = readmem(ret - 5, 5)
        except crash.error:
            continue
        if code[0] == 0xe8 and \
                ret + struct.unpack_from('<i', code, 1)[0] == func:
            return addr, ret
    return None


def _unwind(ip, sp, bp, signal, stacks, maxframes):
    """The Frames from one register state, innermost first.

    C equivalent: ``unwind_next_frame()`` of ``arch/x86/kernel/
    unwind_orc.c`` until it stops; ``stacks`` are the ``[lo, hi]``
    ranges a stack pointer may be in (``get_stack_info()``): the task's
    stack, and for a running task its CPU's IRQ and exception stacks.
    signal: ip is the interrupted instruction itself, not a return
    address (no ``ip - 1`` lookup).
    """
    layout = _orc_layout()
    types, regs_of = layout['types'], layout['regs']
    off = _regs_offsets()
    frames = []
    while len(frames) < maxframes:
        if not ip or not any(lo <= sp <= hi for lo, hi in stacks):
            break
        frames.append(_frame(sp, ip))
        orc = _orc_find(ip if signal else ip - 1)
        if orc is None or orc.get('end'):
            break
        if orc['type'] == types['end_of_stack']:
            break
        reg = orc['sp_reg']
        if reg == regs_of['sp']:
            cfa = sp + orc['sp_offset']
        elif reg == regs_of['bp']:
            cfa = bp + orc['sp_offset']
        elif reg == regs_of['sp_indirect']:
            # call_on_irqstack(): the task's sp saved at the IRQ stack's top
            cfa = readPtr(sp) + orc['sp_offset']
        elif reg == regs_of['bp_indirect']:
            cfa = readPtr(bp + orc['sp_offset'])
        elif reg == regs_of['undefined'] and not orc.get('end'):
            # no ORC data for this function: continue at the return
            # address of the direct call into it, if one is on the stack
            found = _return_into_caller(ip, sp, stacks)
            if found is None:
                break
            sp, ip = found[0] + 8, found[1]
            signal = False
            continue
        else:
            # Registers saved only in pt_regs (R10, R13, DI, DX) or no
            # information at all: what the kernel calls "unwind error".
            break
        old_bp = bp
        if orc['type'] == types['call']:
            ip = readPtr(cfa - 8)
            sp, signal = cfa, False
        elif orc['type'] == types['regs']:
            # an interrupt or exception frame: continue at the
            # interrupted instruction, with its registers
            frames[-1] = frames[-1]._replace(regs=SavedRegs(cfa, True))
            if readPtr(cfa + off['cs']) & 3:
                break   # the user-mode registers of a system call
            ip, sp = readPtr(cfa + off['ip']), readPtr(cfa + off['sp'])
            bp, signal = readPtr(cfa + off['bp']), True
        elif orc['type'] == types['regs_partial']:
            # only the hardware's frame: cfa is &regs->ip
            iret = cfa - off['ip']
            frames[-1] = frames[-1]._replace(regs=SavedRegs(iret, False))
            if readPtr(iret + off['cs']) & 3:
                break
            ip, sp, signal = readPtr(iret + off['ip']), \
                readPtr(iret + off['sp']), True
        else:
            break
        if orc['bp_reg'] == regs_of['prev_sp']:
            bp = readPtr(cfa + orc['bp_offset'])
        elif orc['bp_reg'] == regs_of['bp']:
            bp = readPtr(old_bp + orc['bp_offset'])
    return frames


def _task_stack_range(task):
    """[lo, hi] of task's kernel stack, or None if it has none."""
    stack = int(task.stack)
    if not stack:
        return None     # an exited task: its stack is freed
    return stack, stack + THREAD_SIZE


def unwind_orc(task, maxframes=_MAX_FRAMES):
    """Return the Frames of a task that is not running, innermost first.

    C equivalent: ``unwind_start(&state, task, NULL, NULL)`` then
    ``unwind_next_frame()`` until done (``arch/x86/kernel/unwind_orc.c``),
    starting from the ``struct inactive_task_frame`` that
    ``__switch_to_asm`` left at ``task->thread.sp``.  An unwind that
    cannot continue returns the frames found so far.
    """
    rng = _task_stack_range(task)
    if rng is None:
        return []   # an exited task: its stack is freed (put_task_stack())
    frame = readSU('struct inactive_task_frame', int(task.thread.sp))
    sp = int(frame) + type_size('struct inactive_task_frame')
    ip = int(frame.ret_addr)
    return _unwind(ip, sp, int(frame.bp), ip == sym2addr('ret_from_fork'),
                   [rng], maxframes)


def _cpu_stacks(cpu):
    """[lo, hi] ranges of cpu's IRQ stack and exception stacks.

    C equivalent: ``in_irq_stack()`` and ``in_exception_stack()`` of
    ``arch/x86/kernel/dumpstack_64.c``.
    """
    out = []
    try:
        # Linux v6.2 moved it into struct pcpu_hot ("x86/percpu: Move
        # irq_stack variables next to current_task"); later kernels
        # (7.x here) have it as its own per-CPU variable again: look
        # for the variable, then for the member.
        if symbol_exists('hardirq_stack_ptr'):
            top = readPtr(percpu_addresses('hardirq_stack_ptr')[cpu])
        else:
            top = int(readSU('struct pcpu_hot', percpu_addresses(
                'pcpu_hot')[cpu]).hardirq_stack_ptr)
        if top:
            # it points 8 bytes below the top (irq_64.c), IRQ_STACK_SIZE
            # being THREAD_SIZE on x86_64
            out.append((top + 8 - THREAD_SIZE, top + 8))
    except (crash.error, KeyError, TypeError, IndexError):
        pass
    try:
        if symbol_exists('cea_exception_stacks'):
            base = readPtr(percpu_addresses('cea_exception_stacks')[cpu])
            if base:
                out.append((base, base +
                            type_size('struct cea_exception_stacks')))
    except (crash.error, TypeError, IndexError):
        pass
    return out


def unwind_active(task, cpu, maxframes=_MAX_FRAMES):
    """Return the Frames of task running on cpu, innermost first.

    C equivalent: ``unwind_start(&state, task, regs, NULL)`` with the
    registers the dump saved for that CPU (:mod:`.prstatus`: the
    kernel's ``crash_notes`` or the dump file's NT_PRSTATUS note).
    Returns None when the dump has no registers for cpu or they are
    not on task's or cpu's stacks, and ``[]`` when they are user-mode
    ones (the task runs in user space).
    """
    regs = cpu_registers(cpu)
    if regs is None:
        return None
    if regs['cs'] & 3:
        return []
    stacks = _cpu_stacks(cpu)
    rng = _task_stack_range(task)
    if rng is not None:
        stacks.append(rng)
    if not any(lo <= regs['sp'] <= hi for lo, hi in stacks):
        return None     # not this task's registers: notes out of CPU order
    frames = _unwind(regs['ip'], regs['sp'], regs['bp'], True, stacks,
                     maxframes)
    if frames:
        frames[0] = frames[0]._replace(cpu=cpu)
    return frames


_BT_RE = re.compile(r'^\s*#\s*(\d+)\s+\[([0-9a-f]+)\]\s+(\S+)\s+at\s+'
                    r'([0-9a-f]+)')


def crash_bt(task):
    """Return the Frames crash's ``bt TASK`` prints (a list).

    Only the frame lines: crash's exception-frame blocks are not read
    back, so these Frames have no ``regs`` nor ``cpu``.
    Raises crash.error when crash does not know the task.
    """
    # crash prints bt's own warnings ("possibly bogus exception frame")
    # outside the captured output: keep them off the program's.
    with SuppressCrashErrors():
        out = exec_crash_command('bt %#x' % int(task))
    frames = []
    for line in out.splitlines():
        m = _BT_RE.match(line)
        if m:
            ip = int(m.group(4), 16)
            name, off = addr2sym(ip, 1)
            frames.append(Frame(int(m.group(2), 16), ip,
                                name or m.group(3), off))
    return frames


def task_stack(task, active=None):
    """Return the Frames of task's kernel stack, innermost first.

    A task running on a CPU when the dump was taken is unwound from that
    CPU's registers saved in the dump (:func:`unwind_active`), any other
    from the frame ``switch_to()`` left on its stack (:func:`unwind_orc`).
    crash's ``bt`` is asked only when the kernel has no ORC tables or the
    dump no registers for the CPU: its guesses for running tasks differ
    between crash versions (crash 8.0.6 drops the frames between panic()
    and the system call on the fixtures' panic task).

    :param active: whether task is running on a CPU (its registers are
        in the dump's notes, not on its stack); None: ask crash.
    """
    if active is None:
        try:
            active = is_task_active(int(task))
        except crash.error:
            active = False
    if not symbol_exists('__start_orc_unwind_ip'):
        # Without ORC (frame-pointer kernels) only crash can help.
        return crash_bt(task)
    if active:
        frames = unwind_active(task, task_cpu(task))
        if frames is not None:
            return frames
        try:
            return crash_bt(task)
        except crash.error:
            pass
    return unwind_orc(task)


def format_frame(i, f):
    """One line of a stack, like crash's ``bt``.

    `` #3 [ffffc90000a3be58] schedule+0x45 at ffffffff81a0f3c5``
    """
    name = f.func or '??'
    if f.offset:
        name += '+0x%x' % f.offset
    return '%3s [%016x] %s at %016x' % ('#%d' % i, f.sp, name, f.ip)


# crash's register lines (x86_64_exception_frame()): three registers a
# line, by struct pt_regs member name (helpers.prstatus.REG_NAMES, the
# dump's user_regs_struct, uses the same names); ORIG_RAX, CS, SS last.
_REG_LINES = ((('RIP', 'ip'), ('RSP', 'sp'), ('RFLAGS', 'flags')),
              (('RAX', 'ax'), ('RBX', 'bx'), ('RCX', 'cx')),
              (('RDX', 'dx'), ('RSI', 'si'), ('RDI', 'di')),
              (('RBP', 'bp'), (' R8', 'r8'), (' R9', 'r9')),
              (('R10', 'r10'), ('R11', 'r11'), ('R12', 'r12')),
              (('R13', 'r13'), ('R14', 'r14'), ('R15', 'r15')))


def _reg_lines(value, full=True, orig_rax=True):
    """crash's register block from value(member name) -> int.

    full: all registers, else only the hardware's interrupt frame (RIP,
    RSP, RFLAGS; CS, SS), which is all a ``regs_partial`` frame saved.
    orig_rax: the last line starts with ORIG_RAX (a pt_regs; crash
    leaves it out of the registers of a dump's note).
    """
    lines = []
    for row in _REG_LINES if full else _REG_LINES[:1]:
        # crash: RFLAGS in 8 digits, the others in 16
        lines.append('    ' + '  '.join(
            '%s: %0*x' % (label, 8 if name == 'flags' else 16, value(name))
            for label, name in row))
    last = 'CS: %04x  SS: %04x' % (value('cs'), value('ss'))
    if orig_rax and full:
        last = 'ORIG_RAX: %016x  %s' % (value('orig_ax'), last)
    lines.append('    ' + last)
    return lines


def _exception_rip(ip):
    """crash's ``[exception RIP: sym+off]`` line (offset in decimal,
    crash's default output radix)."""
    name, off = addr2sym(ip, 1)
    if not name:
        where = '%x' % ip
    else:
        where = name + ('+%d' % off if off else '')
    return '    [exception RIP: %s]' % where


def format_regs(frame):
    """Return the lines crash's ``bt`` prints for frame's registers.

    Two blocks, each ``[]`` when frame has none: the registers the dump
    saved for the CPU a running task was unwound from (``frame.cpu``,
    printed before the frame's line, as crash does before the first
    frame: no ORIG_RAX), and the ``struct pt_regs`` the frame holds
    (``frame.regs``, printed after its line: an ``[exception RIP:
    sym+off]`` line if the interrupted code ran in the kernel, then the
    registers). A pt_regs that cannot be read gives one line saying so.

    C equivalent: crash's ``x86_64_exception_frame()`` and
    ``diskdump_display_regs()``, read through ``struct pt_regs``.

    :return: ``(before, after)``, two lists of str, 4 spaces indented.
    """
    before, after = [], []
    if frame.cpu is not None:
        regs = cpu_registers(frame.cpu)
        if regs is not None:
            if not regs['cs'] & 3:
                before.append(_exception_rip(regs['ip']))
            before += _reg_lines(regs.__getitem__, orig_rax=False)
    if frame.regs is not None:
        try:
            pt = readSU('struct pt_regs', frame.regs.addr)
            lines = _reg_lines(lambda name: int(getattr(pt, name)),
                               frame.regs.full)
            if not int(pt.cs) & 3:
                lines.insert(0, _exception_rip(int(pt.ip)))
            after = lines
        except crash.error as e:
            after = ['    (struct pt_regs at %x: %s)' % (frame.regs.addr, e)]
    return before, after


def format_stack(frames):
    """Return the lines of a stack listing, like crash's ``bt``.

    One :func:`format_frame` line per frame, with the register blocks
    of :func:`format_regs` around it (the program adds its indent).
    """
    lines = []
    for i, f in enumerate(frames):
        before, after = format_regs(f)
        lines += before
        lines.append(format_frame(i, f))
        lines += after
    return lines


def stack_functions(frames):
    """Return the tuple of function names of frames (for grouping)."""
    return tuple(f.func or '%x' % f.ip for f in frames)

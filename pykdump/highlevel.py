# SPDX-License-Identifier: GPL-2.0-or-later
"""What programs call: readers, walkers, type queries, commands, tasks.

Built on :mod:`pykdump.lowlevel` (the object model) and the C module.
Every walker stops at ``maxel`` (``--maxel``) and detects loops and bad
pointers: it logs through pylog and returns what it read, unless the
caller asked for ``strict=True``.
"""

import os
import select
import signal
import sys
import time

import crash

from .datatypes import SUInfo, TypeInfo, VarInfo, NoField, TYPE_CODE_SU
from .logging import PyLog
from .lowlevel import StructResult, tPtr, Addr, readIntN
from .memocaches import memoize_typeinfo, add_typeinfo_purge_hook
from .vmcorearch import sys_info

__all__ = [
    'readU8', 'readU16', 'readU32', 'readU64', 'readS32', 'readS64',
    'readInt', 'readUInt', 'readLong', 'readULong', 'readPtr', 'readmem',
    'readSU', 'readSUArray', 'readSymbol', 'readProcessMem',
    'set_readmem_task', 'uvtop', 'phys_to_page',
    'sLong', 'le32_to_cpu', 'le16_to_cpu', 'cpu_to_le32', 'unsigned16',
    'unsigned32', 'unsigned64', 'uInt', 'uLong', 'ALIGN',
    'pointersize', 'PTR_SIZE', 'INT_SIZE', 'INT_MASK', 'INT_MAX',
    'BITS_PER_INT', 'LONG_SIZE', 'LONG_MASK', 'LONG_MAX', 'BITS_PER_LONG',
    'sym2addr', 'sym2alladdr', 'addr2sym', 'addr2mod', 'symbol_exists',
    'struct_size', 'union_size', 'struct_exists', 'member_offset',
    'field_offset', 'type_size', 'field_size',
    'member_size', 'getSizeOf', 'getStructInfo', 'whatis', 'funcargs',
    'enumerator_value', 'container_of', 'atomic_t',
    'readList', 'readBadList', 'readListByHead', 'list_for_each_entry',
    'readSUListFromHead', 'readStructNext', 'ListHead', 'LH_isempty',
    'hlist_for_each_entry', 'getListSize', 'getFullBuckets',
    'getFullBucketsH', 'setListMaxel', 'FD_ISSET', 'readPtrArray',
    'pid_to_task', 'task_to_pid', 'is_task_active', 'get_pathname',
    'exec_crash_command', 'exec_crash_command_bg', 'exec_crash_command_bg2',
    'exec_gdb_command', 'exec_command', 'set_default_timeout',
    'SuppressCrashErrors',
    # beyond PyKdump: walkers of today's kernel containers
    'for_all_tasks', 'for_all_threads', 'thread_group',
    'rbtree_walk', 'xarray_walk',
    'idr_walk', 'maple_walk', 'percpu_addresses', 'percpu_read',
    'WalkError',
]

pylog = PyLog()
_MAXEL = 10000

readmem = crash.readmem
readPtr = crash.readPtr
set_readmem_task = crash.set_readmem_task
uvtop = crash.uvtop
phys_to_page = crash.phys_to_page
sLong = crash.sLong
le32_to_cpu = crash.le32_to_cpu
le16_to_cpu = crash.le16_to_cpu
cpu_to_le32 = crash.cpu_to_le32
sym2addr = crash.sym2addr
sym2alladdr = crash.sym2alladdr
addr2sym = crash.addr2sym
addr2mod = crash.addr2mod
enumerator_value = crash.enumerator_value
getListSize = crash.getListSize
getFullBuckets = crash.getFullBuckets
getFullBucketsH = crash.getFullBucketsH
readPtrArray = crash.readPtrArray
FD_ISSET = crash.FD_ISSET
exec_crash_command = crash.exec_crash_command
exec_crash_command_bg2 = crash.exec_crash_command_bg2
get_pathname = crash.get_pathname
is_task_active = crash.is_task_active
set_default_timeout = crash.set_default_timeout
# COMPAT §24.4: exec_gdb_command is the raw C function (None on failure).
exec_gdb_command = crash.get_GDB_output
crash.default_timeout = 120


CrashError = crash.error


def modules_info():
    """(name, address, size, debuginfo loaded, file) of each module."""
    return crash.modules()


class WalkError(crash.error):
    """A walker met a loop or a bad pointer and strict=True was asked."""


# ---------------------------------------------------------------------
# Integers

def readU8(addr):
    """Unsigned 8-bit integer at addr."""
    return readIntN(addr, 1, False)


def readU16(addr):
    """Unsigned 16-bit integer at addr."""
    return readIntN(addr, 2, False)


def readU32(addr):
    """Unsigned 32-bit integer at addr."""
    return readIntN(addr, 4, False)


def readU64(addr):
    """Unsigned 64-bit integer at addr."""
    return readIntN(addr, 8, False)


def readS32(addr):
    """Signed 32-bit integer at addr."""
    return readIntN(addr, 4, True)


def readS64(addr):
    """Signed 64-bit integer at addr."""
    return readIntN(addr, 8, True)


pointersize = PTR_SIZE = 8
INT_SIZE = 4
LONG_SIZE = 8
# COMPAT §24.3: one-argument readers chosen by sizeof(int)/sizeof(long).
readInt = readS32
readUInt = readU32
readLong = readS64
readULong = readU64
INT_MASK = (1 << (8 * INT_SIZE)) - 1
LONG_MASK = (1 << (8 * LONG_SIZE)) - 1
INT_MAX = INT_MASK >> 1
LONG_MAX = LONG_MASK >> 1
BITS_PER_INT = 8 * INT_SIZE
BITS_PER_LONG = 8 * LONG_SIZE


def unsigned16(x):
    """x masked to 16 bits."""
    return x & 0xffff


def unsigned32(x):
    """x masked to 32 bits."""
    return x & 0xffffffff


def unsigned64(x):
    """x masked to 64 bits."""
    return x & 0xffffffffffffffff


def uInt(x):
    """x masked to the width of int."""
    return x & INT_MASK


def uLong(x):
    """x masked to the width of long."""
    return x & LONG_MASK


def ALIGN(addr, align):
    """addr rounded up to a multiple of align (a power of two)."""
    return (addr + align - 1) & ~(align - 1)


# ---------------------------------------------------------------------
# Types and symbols

_symbol_exists_cache = {}


def symbol_exists(name):
    """Whether crash knows a symbol name (cached per type generation)."""
    try:
        return _symbol_exists_cache[name]
    except KeyError:
        v = _symbol_exists_cache[name] = crash.symbol_exists(name)
        return v


def _tag_name(sname):
    """True for 'struct tag' and 'union tag': crash answers those alone."""
    words = sname.split()
    return len(words) == 2 and words[0] in ('struct', 'union') and \
        words[1].isidentifier()


@memoize_typeinfo
def struct_size(sname):
    """Size of a type (any name gdb knows), -1 if unknown."""
    # BTF or crash's datatype_info: no whole layout built for a size.
    if _tag_name(sname):
        size = crash.struct_size(sname)
        if size >= 0:
            return size
    try:
        return TypeInfo(sname).size
    except crash.error:
        return -1


union_size = getSizeOf = struct_size


def struct_exists(sname):
    """Whether type sname exists."""
    return struct_size(sname) != -1


def type_size(sname):
    """sizeof(sname), for code that computes with it: TypeError if there
    is no such type, where struct_size() answers -1."""
    size = struct_size(sname)
    if size < 0:
        raise TypeError('no type %s' % sname)
    return size


@memoize_typeinfo
def member_offset(sname, field):
    """Byte offset of field (dotted through embedded structs), -1 if not.

    COMPAT §5.1: -1 for a missing field or type is the original's answer and
    programs test it (``member_offset(...) >= 0``); code that uses the
    offset as an offset calls :func:`field_offset`, which raises. An empty
    field name (or an empty component of a dotted one) is a bug in the
    caller, not a question: NoField.
    """
    if not isinstance(field, str) or '' in field.split('.'):
        raise NoField.of(sname, repr(field))
    # BTF or crash answer for a plain member without building the whole
    # layout, which gdb makes costly the first time for big structs.
    if '.' not in field and _tag_name(sname):
        off = crash.member_offset(sname, field)
        if off >= 0:
            return off
    try:
        offset = 0
        for part in field.split('.'):
            vi = SUInfo(sname)[part]
            offset += vi.offset
            sname = vi.ti.stype
        return offset
    except (KeyError, TypeError, crash.error):
        return -1


def field_offset(sname, field):
    """Byte offset of field in sname, for code that adds it to an address.

    Raises NoField (a KeyError, naming type and field) for a missing field
    and TypeError for an unknown type, where member_offset() answers -1:
    an offset of -1 used as an offset gives a plausible wrong address.
    """
    off = member_offset(sname, field)
    if off < 0:
        if not struct_exists(sname):
            raise TypeError('no type %s' % sname)
        raise NoField.of(sname, field)
    return off


@memoize_typeinfo
def member_size(sname, field):
    """Size in bytes of a direct field, -1 if missing."""
    if _tag_name(sname) and field.isidentifier():
        size = crash.member_size(sname, field)
        if size >= 0:
            return size
    try:
        vi = SUInfo(sname)[field]
    except KeyError:
        return -1
    return vi.ti.size * vi.ti.elements


def field_size(sname, field):
    """``sizeof(((sname *)0)->field)`` for code that computes with it: NoField
    (TypeError for an unknown type) where member_size() answers -1."""
    size = member_size(sname, field)
    if size < 0:
        field_offset(sname, field)      # raises the right error
        raise NoField.of(sname, field)
    return size


@memoize_typeinfo
def getStructInfo(sname):
    """The SUInfo of sname."""
    return SUInfo(sname)


_whatis_cache = {}


def whatis(name):
    """VarInfo of global name (.ti, .addr); TypeError if unknown."""
    try:
        return _whatis_cache[name]
    except KeyError:
        pass
    try:
        d = crash.gdb_whatis(name)
    except crash.error:
        raise crash.NoSymbolError("There's no symbol %s" % name,
                                  name=name) from None
    vi = VarInfo(name, TypeInfo(d, None, 0, name), addr=sym2addr(name))
    ti = vi.ti
    code = ti.ptrbasetype if ti.ptrlev else ti.codetype
    if code in TYPE_CODE_SU and not ti.fake_SU and \
            ti.stype.startswith(('struct ', 'union ')):
        _own_layout(name, ti)
    _whatis_cache[name] = vi
    return vi


def _own_layout(name, ti):
    """Give ti the layout of the struct global name really has.

    A module may define a struct whose tag the kernel also uses, with
    another layout (gdb's lookup by tag finds the kernel's). The layout
    of the variable's own type comes from an expression on it; if it
    differs, the type is renamed 'struct tag@module' for this global.
    """
    # A vmlinux global whose tag has one definition in the kernel's BTF
    # has that layout: no costly gdb request about the variable.
    if not addr2mod(sym2addr(name)) and crash.type_from_btf(ti.stype):
        return
    expr = '*' * (ti.ptrlev or 0) + name + '[0]' * len(ti.dims or ())
    try:
        own = crash.gdb_typeinfo(expr)
        named = SUInfo(ti.stype)
    except (crash.error, TypeError):
        return
    fields = [f['fname'] for f in own.get('body', ())]
    if own['typelength'] == named.size and \
            fields == [n for n, _v in named.PYT_body]:
        return
    qualified = '%s@%s' % (ti.stype, addr2mod(sym2addr(name)) or name)
    si = SUInfo.from_dict(qualified, own)
    for fvi in list(si.values()):
        if fvi.ti.stype == ti.stype:
            fvi.ti.stype = qualified
    ti.stype = qualified
    if not ti.ptrlev:
        ti.size = own['typelength']


def _drop_symbol_caches(sname=None):
    """After module debuginfo changes, symbols and globals may too."""
    if sname is None:
        _whatis_cache.clear()
        _symbol_exists_cache.clear()


add_typeinfo_purge_hook(_drop_symbol_caches)


def funcargs(name):
    """Argument type strings of function name, None if not a function."""
    try:
        ti = whatis(name).ti
    except TypeError:
        return None
    proto = getattr(ti, 'prototype', None)
    if proto is None:
        return None
    return [p.typestr() for p in proto[1:]]


def readSU(sname, addr):
    """The struct sname at addr (nothing is read yet)."""
    return StructResult(sname, addr)


def readSUArray(sname, addr, dim=0, *, maxel=_MAXEL):
    """dim structs at addr (a list), or with dim=0 a generator of maxel."""
    size = type_size(sname)
    if dim:
        return [StructResult(sname, addr + i * size) for i in range(dim)]
    return (StructResult(sname, addr + i * size) for i in range(maxel))


def readSymbol(name):
    """The value of global name, read with its type's reader."""
    vi = whatis(name)
    if not vi.addr:
        raise crash.NoSymbolError("There's no symbol %s" % name, name=name)
    return vi.reader(vi.addr)


def readProcessMem(taskaddr, uvaddr, size):
    """size bytes of a task's user memory at uvaddr (page by page)."""
    out = []
    pagesize = crash.PAGESIZE
    while size > 0:
        chunk = min(size, pagesize - (uvaddr % pagesize))
        paddr = uvtop(taskaddr, uvaddr)
        out.append(readmem(paddr, chunk, crash.PHYSADDR))
        uvaddr += chunk
        size -= chunk
    return b''.join(out)


def container_of(ptr, sname, field):
    """The struct sname containing field at ptr.

    NoField if sname has no such field (the original used offset -1).
    """
    return StructResult(sname, int(ptr) - field_offset(sname, field))


def atomic_t(o):
    """o.counter where there is one (atomic_t), else o."""
    try:
        return o.counter
    except (NoField, AttributeError):
        return o


# ---------------------------------------------------------------------
# Lists

def _walk_problem(what, end, bad, start, strict):
    """Report a walk that did not end normally; raise if strict."""
    if end == crash.WALK_LOOP:
        msg = '%s: list at 0x%x loops back to 0x%x' % (what, start, bad)
    elif end == crash.WALK_FAULT:
        msg = '%s: cannot read list pointer at 0x%x (list at 0x%x)' % (
            what, bad, start)
    else:
        return
    if strict:
        raise WalkError(msg)
    pylog.error(msg)


def _follow(start, offset, maxel):
    """(nodes from start, end, bad address) of crash.follow_next.

    A node whose next pointer cannot be read is not returned: the walk
    stopped because that node is unreadable, so its address is not an
    element of the list (it is in the logged message).
    """
    addrs, end, bad = crash.follow_next(start, offset, maxel)
    nodes = [start] + addrs
    if end == crash.WALK_FAULT and \
            (nodes[-1] + offset) & 0xffffffffffffffff == bad:
        nodes.pop()
    return nodes, end, bad


def _caller():
    """Name of the program function that called a walker."""
    f = sys._getframe(2)
    return f.f_code.co_name


def readList(start, offset=0, *, maxel=_MAXEL, inchead=True, warn=True,
             strict=False):
    """Addresses of a list linked by the pointer at offset, from start.

    Stops at NULL or back at start. A loop or unreadable pointer is
    logged (pylog.error) and the partial list returned.
    """
    start = int(start)
    if not start:
        return []
    nodes, end, bad = _follow(start, offset, maxel)
    if end == crash.WALK_MAXEL and warn:
        pylog.warning('readList: list at 0x%x truncated at %d elements '
                      '(%s)' % (start, maxel, _caller()))
    _walk_problem('readList', end, bad, start, strict)
    return nodes if inchead else nodes[1:]


def readBadList(start, offset=0, *, maxel=_MAXEL, inchead=True):
    """(addresses, error): error None, 'Duplicate entry' or a crash.error."""
    start = int(start)
    if not start:
        return []  # COMPAT §24.15: a list, not a tuple
    nodes, end, bad = _follow(start, offset, maxel)
    err = None
    if end == crash.WALK_LOOP:
        err = 'Duplicate entry'
    elif end == crash.WALK_FAULT:
        err = crash.FaultError('cannot read list pointer at 0x%x' % bad,
                               address=bad, size=PTR_SIZE)
    return (nodes if inchead else nodes[1:]), err


def readListByHead(start, offset=0, *, maxel=_MAXEL, warn=True,
                   strict=False):
    """readList without the head: the kernel's list_for_each."""
    return readList(start, offset, maxel=maxel, inchead=False, warn=warn,
                    strict=strict)


list_for_each_entry = readListByHead


def readSUListFromHead(head, field, sname, *, maxel=_MAXEL, inchead=False,
                       warn=True, strict=False):
    """Structs sname linked through their list_head field, from head.

    head is the address of the list_head (or the name of a global
    containing structure, whose field is then the head).
    """
    offset = field_offset(sname, field)
    if isinstance(head, str):
        head = sym2addr(head) + offset
    head = int(head)
    addrs = readList(head, 0, maxel=maxel, inchead=inchead, warn=warn,
                     strict=strict)
    cls = StructResult(sname, 0).__class__
    return [cls(a - offset) for a in addrs]


def readStructNext(shead, nextfield, *, maxel=_MAXEL, inchead=True,
                   strict=False):
    """Structs of shead's type linked by a next pointer field."""
    if not shead:
        return []
    if isinstance(shead, tPtr):
        shead = shead.Deref
    sname = shead.PYT_symbol
    offset = field_offset(sname, nextfield)
    nodes, end, bad = _follow(int(shead), offset, maxel)
    if end == crash.WALK_MAXEL:
        pylog.warning('readStructNext: truncated at %d elements' % maxel)
    _walk_problem('readStructNext', end, bad, int(shead), strict)
    cls = type(shead)
    out = [cls(a) for a in nodes[1:]]
    return [shead] + out if inchead and nodes else out


class ListHead(list):
    """A list_head list read at once: list_head objects, or with a type,
    addresses whose ``lh.field`` gives the containing structs."""

    def __init__(self, lhaddr, sname=None, *, maxel=_MAXEL, warn=True):
        """Walk the list_head at lhaddr."""
        addrs = readList(int(lhaddr), 0, maxel=maxel, inchead=False,
                         warn=warn)
        self.sname = sname
        if sname is None:
            list.__init__(self, [StructResult('struct list_head', a)
                                 for a in addrs])
        else:
            list.__init__(self, addrs)

    def __getattr__(self, field):
        if field.startswith('__') or self.sname is None:
            raise AttributeError(field)
        offset = field_offset(self.sname, field)
        return [StructResult(self.sname, a - offset) for a in self]


def LH_isempty(lh):
    """Whether a list_head is empty (a NULL one is not)."""
    return lh and Addr(lh) == lh.next


def hlist_for_each_entry(sname, head, field, *, maxel=_MAXEL):
    """Generator of structs sname on the hlist_head head via field.

    NoField (at once, not at the first next()) if sname has no field.
    """
    offset = field_offset(sname, field)
    return _hlist_entries(sname, head, offset, maxel)


def _hlist_entries(sname, head, offset, maxel):
    """hlist_for_each_entry once the offset is known."""
    first = head.first if isinstance(head, StructResult) else \
        readPtr(int(head))
    first = int(first)
    if not first:
        return
    nodes, end, bad = _follow(first, 0, maxel)
    _walk_problem('hlist_for_each_entry', end, bad, first, False)
    for a in nodes:
        yield StructResult(sname, a - offset)


def setListMaxel(n):
    """Set the default maxel of every walker (--maxel)."""
    from .Generic import patch_default_kw
    global _MAXEL
    _MAXEL = n
    patch_default_kw(sys.modules[__name__], 'maxel', n)


# ---------------------------------------------------------------------
# Trees and containers of 6.1

def _guarded(walk, what, strict):
    """Yield from walk; a read that fails ends it with a logged error
    (or WalkError if strict) instead of a traceback."""
    try:
        yield from walk
    except crash.error as exc:
        msg = '%s: stopped at an unreadable pointer: %s' % (what, exc)
        if strict:
            raise WalkError(msg) from None
        pylog.error(msg)


def rbtree_walk(root, sname=None, field=None, *, maxel=_MAXEL,
                strict=False):
    """In-order generator over an rb_root: rb_nodes, or containing structs.

    Iterative, with bounds on depth and count: a looping or corrupt tree
    ends with a logged error instead of a hang or a traceback.
    """
    # Looked up now: a wrong field name is NoField at the call, not a
    # walk of addresses off by one.
    offset = field_offset(sname, field) if sname else 0
    return _guarded(_rbtree_walk(root, sname, offset, maxel),
                    'rbtree_walk', strict)


def _rbtree_walk(root, sname, offset, maxel):
    """rbtree_walk without the guard."""
    node = int(root.rb_node if isinstance(root, StructResult) else
               readPtr(int(root)))
    off_left = field_offset('struct rb_node', 'rb_left')
    off_right = field_offset('struct rb_node', 'rb_right')
    stack, seen, count = [], set(), 0
    while stack or node:
        while node:
            if node in seen or len(stack) > 128:
                pylog.error('rbtree_walk: corrupt tree at 0x%x' % node)
                return
            seen.add(node)
            stack.append(node)
            node = readPtr(node + off_left)
        node = stack.pop()
        count += 1
        if count > maxel:
            pylog.warning('rbtree_walk: truncated at %d' % maxel)
            return
        yield StructResult(sname, node - offset) if sname else \
            StructResult('struct rb_node', node)
        node = readPtr(node + off_right)


_XA_CHUNK_SHIFT = 6


def xarray_walk(xa, *, maxel=_MAXEL, strict=False):
    """Generator of (index, entry) of an xarray (``struct xarray *``).

    Follows xa_node slots; internal entries (retry, zero, sibling) are
    skipped, value entries returned as their integer. An unreadable node
    ends the walk with a logged error (WalkError if strict).
    """
    return _guarded(_xarray_walk(xa, maxel), 'xarray_walk', strict)


def _xarray_walk(xa, maxel):
    """xarray_walk without the guard."""
    head = int(xa.xa_head)
    count = [0]
    node_slots = field_offset('struct xa_node', 'slots')
    node_shift = field_offset('struct xa_node', 'shift')

    def is_node(e):
        return (e & 3) == 2 and e > 4096

    def walk(entry, base, depth):
        if depth > 16:
            pylog.error('xarray_walk: too deep at 0x%x' % entry)
            return
        if not entry:
            return
        if is_node(entry):
            node = entry - 2
            shift = readU8(node + node_shift)
            slots = crash.readPtrArray(node + node_slots,
                                       1 << _XA_CHUNK_SHIFT)
            for i, e in enumerate(slots):
                yield from walk(e, base + (i << shift), depth + 1)
            return
        if (entry & 3) == 2:
            return  # retry/zero/sibling internal entries
        count[0] += 1
        if count[0] > maxel:
            if count[0] == maxel + 1:
                pylog.warning('xarray_walk: truncated at %d' % maxel)
            return
        yield base, (entry >> 1) if entry & 1 else entry
    yield from walk(head, 0, 0)


def idr_walk(idr, *, maxel=_MAXEL, strict=False):
    """Generator of (id, pointer) of a struct idr (an xarray inside)."""
    base = int(idr.idr_base) if idr.hasField('idr_base') else 0
    rt = idr.idr_rt
    for index, entry in xarray_walk(rt, maxel=maxel, strict=strict):
        yield index + base, entry


def maple_walk(mt, *, maxel=_MAXEL, strict=False):
    """Generator of (first, last, entry) of a maple tree (6.1 VMAs).

    An unreadable node ends the walk with a logged error (WalkError if
    strict); at most maxel entries.
    """
    return _guarded(_maple_walk(mt, maxel), 'maple_walk', strict)


def _maple_walk(mt, maxel):
    """maple_walk without the guard."""
    root = int(mt.ma_root)
    out = [0]

    def decode(enode):
        node = enode & ~0xff
        ntype = (enode >> 3) & 0xf
        return node, ntype

    def walk(enode, lo, hi, depth):
        if depth > 32 or out[0] >= maxel:
            return
        if (enode & 3) != 2 or enode < 4096:
            if enode:
                out[0] += 1
                yield lo, hi, enode
            return
        node, ntype = decode(enode)
        if ntype == 0:      # maple_dense
            slots = crash.readPtrArray(node + 8, 31)
            for i, s in enumerate(slots):
                if s:
                    out[0] += 1
                    yield lo + i, lo + i, s
            return
        npiv = 15 if ntype in (1, 2) else 9
        nslot = npiv + 1
        pivots = crash.readPtrArray(node + 8, npiv)
        slot_off = 8 + 8 * npiv
        slots = crash.readPtrArray(node + slot_off, nslot)
        prev = lo
        for i in range(nslot):
            piv = pivots[i] if i < npiv else hi
            if i < npiv and piv == 0 and i > 0:
                piv = hi
            s = slots[i]
            if ntype == 1:          # leaf
                if s:
                    out[0] += 1
                    yield prev, piv, s
            elif s:
                yield from walk(s, prev, piv, depth + 1)
            if piv >= hi:
                break
            prev = piv + 1
    if (root & 3) == 2 and root > 4096:
        yield from walk(root, 0, (1 << 64) - 1, 0)
    elif root:
        yield 0, 0, root


# ---------------------------------------------------------------------
# Per-CPU variables and tasks

def _percpu_ranges():
    """Yield [start, end) of the kernel's per-CPU section, then of each
    module's.

    A module's static per-CPU variables sit in its own reserved area
    (``mod->percpu``, ``percpu_size`` bytes), not between
    ``__per_cpu_start`` and ``__per_cpu_end``. A generator: the modules
    list is walked only for a symbol outside the kernel's own section
    (``percpu_addresses('runqueues')`` sits on hot paths).
    """
    yield sym2addr('__per_cpu_start'), sym2addr('__per_cpu_end')
    try:
        mods = readSUListFromHead(sym2addr('modules'), 'list',
                                  'struct module')
        ranges = [(int(m.percpu), int(m.percpu) + int(m.percpu_size))
                  for m in mods if m.percpu]
    except (crash.error, NoField, TypeError, IndexError):
        ranges = []     # kernels without CONFIG_SMP: no module areas
    yield from ranges


def _percpu_symbol(name):
    """Address of per-CPU symbol name; TypeError naming it if it is not.

    Adding a CPU's offset to an ordinary symbol reads memory that only
    looks like a value, so a symbol outside every per-CPU area is refused.
    """
    base = sym2addr(name) if name else 0
    if not base:
        raise crash.NoSymbolError('no per-CPU symbol %s' % (name or "''"),
                                  name=name)
    if symbol_exists('__per_cpu_end') and \
            not any(lo <= base < hi for lo, hi in _percpu_ranges()):
        raise TypeError('%s is not a per-CPU symbol' % name)
    return base


def percpu_addresses(name_or_addr):
    """Address of each CPU's instance of a per-CPU symbol or offset.

    A name must be a per-CPU symbol (TypeError otherwise); an integer is
    taken as a per-CPU offset (a ``__percpu`` pointer) as it is.
    """
    if isinstance(name_or_addr, str):
        base = _percpu_symbol(name_or_addr)
    else:
        base = int(name_or_addr)
    return [base + crash.per_cpu_offset(cpu)
            for cpu in range(sys_info.CPUS)]


def percpu_read(name):
    """The value of per-CPU variable name on each CPU (a list).

    TypeError if name is not a per-CPU symbol.
    """
    addrs = percpu_addresses(name)
    vi = whatis(name)
    return [vi.reader(a) for a in addrs]


def for_all_tasks(*, maxel=_MAXEL):
    """Every thread-group leader, from init_task.tasks (crash's table
    misses tasks on some kernels; this reads the kernel's own list)."""
    init = readSymbol('init_task')
    return [init] + readSUListFromHead(Addr(init, 'tasks'), 'tasks',
                                       'struct task_struct', maxel=maxel)


def thread_group(leader, *, maxel=_MAXEL):
    """The threads of leader's thread group, leader included.

    C equivalent: ``for_each_thread(p, t)`` in
    ``include/linux/sched/signal.h``. A group whose list cannot be read
    (a zombie leader without signal_struct, a broken list) gives just the
    leader, with a warning for a broken list.
    """
    # Linux commit 0c740d0afc3b ("introduce for_each_thread() to replace
    # the buggy while_each_thread()") (v3.14) added signal->thread_head;
    # before it, threads were linked on task->thread_group.
    try:
        if member_offset('struct signal_struct', 'thread_head') >= 0:
            threads = readSUListFromHead(Addr(leader.signal, 'thread_head'),
                                         'thread_node', 'struct task_struct',
                                         maxel=maxel)
        else:
            threads = [leader] + readSUListFromHead(
                Addr(leader, 'thread_group'), 'thread_group',
                'struct task_struct', maxel=maxel)
    except crash.error as exc:
        pylog.warning('cannot read the threads of task 0x%x: %s'
                      % (leader, exc))
        threads = []
    return threads or [leader]


def for_all_threads(*, maxel=_MAXEL):
    """Every thread of every task (each leader's thread group)."""
    out = []
    for leader in for_all_tasks(maxel=maxel):
        out.extend(thread_group(leader, maxel=maxel))
    return out


def pid_to_task(pid):
    """Task of pid (any thread), walking the kernel's lists; 0 if none."""
    task = crash.pid_to_task(pid)
    if task:
        return task
    for t in for_all_threads():
        if t.pid == pid:
            return int(t)
    return 0


def task_to_pid(task):
    """pid of the task at address task (None if it is not a task)."""
    try:
        return StructResult('struct task_struct', int(task)).pid
    except crash.error:
        return None


# ---------------------------------------------------------------------
# Commands

def exec_crash_command_bg(cmd, timeout=None):
    """Run crash command cmd in a forked child, at most timeout seconds.

    Returns the text collected (partial on timeout, with a pylog.timeout
    message); an abnormal exit is logged as a warning. A timeout of None
    or 0 is ``crash.default_timeout``.
    """
    # As PyKdump: None and 0 both mean the default timeout.
    if not timeout:
        timeout = crash.default_timeout
    sys.stdout.flush()
    fd, pid = crash.exec_crash_command_bg2(cmd)
    chunks = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                timed_out = True
                break
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    text = b''.join(chunks).decode('utf-8', 'backslashreplace')
    if timed_out:
        pylog.timeout('%s failed to complete within the timeout period of '
                      '%ds' % (cmd, timeout))
    elif os.WIFSIGNALED(status) or os.WEXITSTATUS(status):
        pylog.warning('%s exited abnormally, %s' % (
            cmd, 'Signal %d' % os.WTERMSIG(status)
            if os.WIFSIGNALED(status) else
            'ExitCode=%d' % os.WEXITSTATUS(status)))
    return text


def exec_command(cmdline):
    """Run an epython program in-process if cmdline names one, else print
    the output of the crash command."""
    words = cmdline.split()
    if words and words[0] in crash.get_epython_cmds():
        crash.exec_epython_command(*words)
    else:
        print(exec_crash_command(cmdline), end='')


class SuppressCrashErrors:
    """``with SuppressCrashErrors():`` send crash's error text elsewhere."""

    def __init__(self, outfile='/dev/null'):
        """Where errors go inside the block."""
        self.outfile = outfile
        self.previous = None

    def __enter__(self):
        self.previous = crash.crash_set_error(self.outfile)
        return self

    def __exit__(self, *exc):
        crash.crash_set_error(self.previous or 'default')
        return False

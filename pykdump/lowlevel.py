# SPDX-License-Identifier: GPL-2.0-or-later
"""The object model: StructResult, tPtr, SmartString, tEnum and readers.

A reader is a closure ``addr -> value`` built once per (type, member) and
cached: the hot path of every program. Field access on a StructResult
installs a descriptor on its class the first time a field is used, so
later reads cost one descriptor call and one C read.

Also the plain readers everything above is written on: integers of a
size (``readU32``...), pointers and pointer arrays, the C list walk
(:func:`follow_list`), per-CPU offsets and the dump's per-CPU notes, so
that the kernel helpers (:mod:`pykdump.helpers`) read memory through this
module, never through the C module directly.
"""

import struct as _struct
from operator import index as _index

import crash

from . import datatypes
from .datatypes import (NoField, PseudoVarInfo, SUInfo, TypeInfo,
                        TYPE_CODE_BOOL, TYPE_CODE_ENUM, TYPE_CODE_FLT,
                        TYPE_CODE_FUNC, TYPE_CODE_INT, TYPE_CODE_SU)
from .logging import PyLog
from .memocaches import add_typeinfo_purge_hook, memoize_typeinfo
from .symbols import field_offset

__all__ = ['StructResult', 'tPtr', 'tEnum', 'SmartString', 'Addr', 'Deref',
           'structSetAttr', 'structSetProcAttr', 'AttrSetter',
           'printObject', 'intDimensionlessArray', 'readIntN',
           'RecordReader', 'record_reader',
           'container_of',
           'readU8', 'readU16', 'readU32', 'readU64', 'readS32', 'readS64',
           'readInt', 'readUInt', 'readLong', 'readULong',
           'sLong', 'le32_to_cpu', 'le16_to_cpu', 'cpu_to_le32', 'unsigned16',
           'unsigned32', 'unsigned64', 'uInt', 'uLong', 'ALIGN',
           'pointersize', 'PTR_SIZE', 'INT_SIZE', 'INT_MASK', 'INT_MAX',
           'BITS_PER_INT', 'LONG_SIZE', 'LONG_MASK', 'LONG_MAX',
           'BITS_PER_LONG']

pylog = PyLog()
readmem = crash.readmem
readPtr = crash.readPtr
readIntN = crash.readInt
#: ``crash.readPtrArray(addr, n)``: n pointers at addr (one read).
readPtrArray = crash.readPtrArray
#: ``crash.per_cpu_offset(cpu)``: ``__per_cpu_offset[cpu]``.
per_cpu_offset = crash.per_cpu_offset
#: ``crash._cpu_prstatus(cpu)``: the bytes of the NT_PRSTATUS note crash
#: assigned to cpu when it opened the dump, None if it has none.
cpu_prstatus = crash._cpu_prstatus
sLong = crash.sLong
le32_to_cpu = crash.le32_to_cpu
le16_to_cpu = crash.le16_to_cpu
cpu_to_le32 = crash.cpu_to_le32
#: The exception of every failed read or lookup (``crash.error``), for
#: modules that catch it without importing the C module.
CrashError = crash.error
_mem2long = crash.mem2long
_int_add = int.__add__
POINTER_SIZE = 8


# ---------------------------------------------------------------------
# Values

class SmartString(str):
    """A C string: text up to the first NUL, non-ASCII bytes escaped.

    ``ByteArray`` holds the raw bytes, ``addr`` where the characters are,
    ``ptr`` the address of the ``char *`` that pointed there (None for
    arrays). Indexing and slicing see the whole buffer, NUL and beyond.
    """

    def __new__(cls, b, addr=None, ptr=None):
        """From bytes, or from a tPtr to char (reads 256 bytes)."""
        if isinstance(b, tPtr):
            ptr, addr = None, int(b)
            b = _read_cstring_bytes(addr)
        if not isinstance(b, (bytes, bytearray)):
            raise TypeError('SmartString needs bytes, not %s'
                            % type(b).__name__)
        text = b.split(b'\0', 1)[0].decode('ascii', 'backslashreplace')
        self = super().__new__(cls, text)
        self.ByteArray = bytes(b)
        self.addr = addr
        self.ptr = ptr
        self._full = None
        return self

    def __getitem__(self, key):
        # COMPAT §24.8: indexing sees the bytes after the NUL too.
        if self._full is None:
            self._full = self.ByteArray.decode('ascii', 'backslashreplace')
        return self._full[key]

    def __int__(self):
        # COMPAT §24.8: int() of a string read through a pointer is the
        # address of the pointer field.
        if self.ptr is None:
            raise TypeError('SmartString from an array has no pointer')
        return self.ptr


def _read_cstring_bytes(addr, limit=256):
    """Up to limit bytes at addr, stopping short at an unreadable page."""
    try:
        return readmem(addr, limit)
    except crash.error:
        # The string may end before a missing page: read up to it.
        room = (addr | (limit - 1)) + 1 - addr
        if room >= limit:
            raise
        return readmem(addr, room)


class tEnum(int):
    """An enum value: an int whose str() and repr() are its name."""

    def __new__(cls, value, einfo):
        """value with its EnumInfo."""
        self = super().__new__(cls, value)
        self.einfo = einfo
        return self

    def __repr__(self):
        return self.einfo.getnam(int(self))

    __str__ = __repr__

    def __format__(self, spec):
        if spec and spec[-1] in 'dxXobn':
            return format(int(self), spec)
        return format(repr(self), spec)


class tPtr(int):
    """A typed pointer (not to a struct): int value plus its TypeInfo.

    ``p.Deref`` reads the target (a tPtr one level down for ``T **``);
    ``p[i]`` indexes like C; ``p + n`` is plain byte arithmetic.
    """

    def __new__(cls, value, ti):
        """value, and ti the pointer's TypeInfo."""
        self = super().__new__(cls, value)
        self.ti = ti
        self.ptrlev = ti.ptrlev
        return self

    @property
    def ptype(self):
        """The TypeInfo (legacy name)."""
        return self.ti

    def getDeref(self):
        """The pointed-to value; crash.NullPointerError (an IndexError)."""
        if not self:
            raise crash.NullPointerError('NULL pointer dereference (%s)'
                                         % self.ti.typestr(), address=0)
        if self.ptrlev > 1:
            return tPtr(readPtr(self), _ptr_down(self.ti))
        deref = self.ti.dereferencer
        if deref is None:
            raise TypeError('cannot dereference %s' % self.ti.typestr())
        return deref(int(self))

    Deref = property(getDeref)

    def __getitem__(self, i):
        if not self:
            raise crash.NullPointerError('NULL pointer dereference (%s)'
                                         % self.ti.typestr(), address=0)
        if self.ptrlev > 1:
            target = readPtr(int(self) + i * POINTER_SIZE)
            down = _ptr_down(self.ti)
            if down.ptrlev == 1 and \
                    self.ti.ptrbasetype in TYPE_CODE_SU:
                return StructResult(self.ti.stype, target)
            return tPtr(target, down)
        deref = self.ti.dereferencer
        if deref is None:
            raise TypeError('cannot index %s' % self.ti.typestr())
        size = _target_size(self.ti)
        return deref(int(self) + i * size)

    def __repr__(self):
        return '<tPtr addr=0x%x ctype=%r>' % (int(self), self.ti.typestr())


_down_cache = {}


def _ptr_down(ti):
    """TypeInfo of *p for a pointer type with ptrlev > 1."""
    key = id(ti)
    try:
        return _down_cache[key][1]
    except KeyError:
        pass
    down = object.__new__(TypeInfo)
    down.__dict__.update(ti.__dict__)
    down.ptrlev = ti.ptrlev - 1
    down.dims = None
    down.__dict__.pop('dereferencer', None)
    _down_cache[key] = (ti, down)
    return down


def _target_size(ti):
    """Size of the object a pointer type points to."""
    if ti.ptrbasetype in TYPE_CODE_SU:
        return SUInfo(ti.stype).size
    if ti.ptrbasetype == TYPE_CODE_ENUM:
        return 4
    try:
        return TypeInfo(ti.stype).size
    except TypeError:
        return 1


class intDimensionlessArray(int):
    """An integer array of unknown length (``x[]``): index reads on demand."""

    def __new__(cls, addr, size, signed):
        """Array at addr of integers of size bytes."""
        self = super().__new__(cls, addr)
        self._size = size
        self._signed = signed
        return self

    def __getitem__(self, i):
        return readIntN(int(self) + i * self._size, self._size, self._signed)


class Array0(int):
    """A pointer array of 0 or 1 declared elements: lazy ``[i]``."""

    def __new__(cls, addr, elem_reader):
        """Array at addr; elem_reader reads one element at an address."""
        self = super().__new__(cls, addr)
        self._read = elem_reader
        return self

    def __getitem__(self, i):
        return self._read(int(self) + i * POINTER_SIZE)


# ---------------------------------------------------------------------
# StructResult

_classes = {}


def _struct_class(sname):
    """The StructResult subclass of type sname (one per name)."""
    try:
        return _classes[sname]
    except KeyError:
        pass
    si = SUInfo(sname)
    cname = 'StructResult_' + ''.join(
        c if c.isalnum() else '_' for c in sname)
    cls = type(cname, (StructResult,), {
        'PYT_symbol': sname, 'PYT_sinfo': si, 'PYT_size': si.size,
        'PYT_attrcache': {}, '__slots__': ()})
    _classes[sname] = cls
    return cls


def _drop_classes(sname=None):
    """Forget StructResult classes after a type purge (fixes §24.7)."""
    if sname is None:
        _classes.clear()
        _down_cache.clear()
    else:
        _classes.pop(sname, None)


add_typeinfo_purge_hook(_drop_classes)


class _Field:
    """Descriptor of one struct field: reads at access time."""

    __slots__ = ('read', 'offset')

    def __init__(self, reader, offset):
        self.read = reader
        self.offset = offset

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return self.read(_int_add(obj, self.offset))


class StructResult(int):
    """A struct or union at an address: an int whose value is the address.

    ``s.field`` reads the field now (a->b.c->d in C is a.b.c.d here);
    unknown fields raise NoField (a KeyError and an AttributeError).
    ``s + n`` and ``s[n]`` are C pointer arithmetic (scaled by the size).
    """

    __slots__ = ()

    def __new__(cls, sname, addr=0):
        """StructResult('struct task_struct', addr)."""
        # operator.index: a float address is a TypeError, not truncated.
        if cls is StructResult:
            return int.__new__(_struct_class(sname), _index(addr))
        return int.__new__(cls, _index(sname))

    def __getattr__(self, name):
        cls = type(self)
        if cls is StructResult or (name.startswith('__') and
                                   name.endswith('__')):
            raise AttributeError(name)
        vi = cls.PYT_sinfo.get(name)
        if vi is None:
            # Name-mangled lookups (_Cls__x) come from code in classes.
            if '__' in name[1:]:
                alt = name[name.index('__', 1):]
                if alt in cls.PYT_sinfo:
                    return getattr(self, alt)
            raise NoField.of(cls.PYT_symbol, name)
        field = _Field(vi.reader, vi.offset)
        cls.PYT_attrcache[name] = vi.reader
        setattr(cls, name, field)
        return field.read(_int_add(self, vi.offset))

    def __len__(self):
        return self.PYT_size

    def __bool__(self):
        return int(self) != 0

    def __eq__(self, other):
        return int.__eq__(self, other)

    def __hash__(self):
        return int.__hash__(self)

    def __ne__(self, other):
        return int.__ne__(self, other)

    def __add__(self, n):
        # COMPAT §24.1: + scales by the struct size, like C pointers.
        return type(self)(int(self) + n * self.PYT_size)

    def __getitem__(self, i):
        if isinstance(i, str):
            return self.PYT_sinfo[i]
        return type(self)(int(self) + i * self.PYT_size)

    def __str__(self):
        return '<%s 0x%x>' % (self.PYT_symbol, int(self))

    def __repr__(self):
        return 'StructResult <%s 0x%x> \tsize=%d' % (
            self.PYT_symbol, int(self), self.PYT_size)

    def shortStr(self):
        """str() without the struct/union word."""
        name = self.PYT_symbol.split(' ', 1)[-1]
        return '<%s 0x%x>' % (name, int(self))

    def hasField(self, name):
        """Whether the type has a field (or pseudo-attribute) name."""
        return name in self.PYT_sinfo or (
            isinstance(getattr(type(self), name, None), _Pseudo))

    def isNamed(self, sname):
        """Whether this type is exactly sname ('struct sock' != 'sock')."""
        return self.PYT_symbol == sname

    def fieldOffset(self, name):
        """Byte offset of field name."""
        try:
            return self.PYT_sinfo[name].offset
        except KeyError:
            raise NoField.of(self.PYT_symbol, name) from None

    def castTo(self, sname):
        """The same address as a struct of type sname."""
        return StructResult(sname, int(self))

    def getDeref(self):
        """Itself (symmetry with tPtr)."""
        return self

    Deref = property(getDeref)

    def Eval(self, chain):
        """Value of a dotted field chain 'a.b.c' (parsed once per class)."""
        cache = type(self).__dict__.get('_eval_cache')
        if cache is None:
            cache = {}
            setattr(type(self), '_eval_cache', cache)
        fn = cache.get(chain)
        if fn is None:
            fn = cache[chain] = _parse_chain(type(self).PYT_symbol, chain)
        return fn(self)

    def Dump(self, indent=0):
        """Print every field with its value."""
        pad = ' ' * indent
        print(pad + str(self))
        for name, vi in self.PYT_sinfo.items():
            try:
                v = getattr(self, name)
                if isinstance(v, list) and len(v) > 3:
                    v = '%s ...' % (v[:4],)
            except (TypeError, crash.error, IndexError) as exc:
                v = 'unknown type (%s)' % exc
            print('%s    %-24s %s' % (pad, name, v))


# ---------------------------------------------------------------------
# Readers

def _int_reader(size, signed, bitoffset=None, bitsize=None):
    """Reader of an integer field, optionally a bitfield."""
    if bitsize is None:
        def read(addr):
            return readIntN(addr, size, signed)
        return read
    shift = bitoffset % 8
    nbytes = (shift + bitsize + 7) // 8
    rsize = max(size, nbytes)
    rsize = 8 if rsize > 4 else (4 if rsize > 2 else rsize)
    mask = (1 << bitsize) - 1
    sign = 1 << (bitsize - 1) if bitsize else 0

    def read_bits(addr):
        v = (readIntN(addr, rsize, False) >> shift) & mask
        if signed and v & sign:
            v -= 1 << bitsize
        return v
    return read_bits


def _scalar_reader(ti, bitoffset=None, bitsize=None):
    """Reader of one element of type ti (no dimensions)."""
    code = ti.codetype
    if ti.ptrlev:
        return _pointer_reader(ti)
    if code == TYPE_CODE_INT:
        return _int_reader(ti.size, not ti.uint, bitoffset, bitsize)
    if code == TYPE_CODE_BOOL:
        r = _int_reader(ti.size, False, bitoffset, bitsize)
        return lambda addr: bool(r(addr))
    if code == TYPE_CODE_ENUM:
        r = _int_reader(ti.size, True, bitoffset, bitsize)
        einfo = _enum_info(ti)
        return lambda addr: tEnum(r(addr), einfo)
    if code in TYPE_CODE_SU:
        cls_name = ti.stype
        return lambda addr: StructResult(cls_name, addr)
    if code == TYPE_CODE_FLT:
        fmt = {4: '<f', 8: '<d'}.get(ti.size)
        if fmt:
            return lambda addr: _struct.unpack(fmt, readmem(addr, ti.size))[0]

    def unreadable(addr):
        raise TypeError("don't know how to read codetype %d (%s)"
                        % (code, ti.typestr()))
    return unreadable


class _LazyEnum:
    """EnumInfo looked up on first use (untagged enums have no name)."""

    def __init__(self, ti):
        self.ti = ti
        self.info = None

    def getnam(self, v):
        """Name of value v."""
        if self.info is None:
            if getattr(self.ti, 'edef', None) is not None:
                self.info = datatypes.EnumInfo.from_edef(self.ti.edef,
                                                         self.ti.stype)
            else:
                self.info = datatypes.EnumInfo(self.ti.stype)
        return self.info.getnam(v)


def _enum_info(ti):
    """Something with getnam() for the enum type ti."""
    return _LazyEnum(ti)


def _pointer_reader(ti):
    """Reader of a pointer of type ti."""
    if ti.ptrlev == 1:
        base = ti.ptrbasetype
        if base in TYPE_CODE_SU:
            sname = ti.stype

            def read_su_ptr(addr):
                return StructResult(sname, readPtr(addr))
            return read_su_ptr
        if base == TYPE_CODE_FUNC:
            return readPtr
        if ti.stype == 'char' and not ti.typedef:
            def read_char_ptr(addr):
                p = readPtr(addr)
                if not p:
                    return None
                return SmartString(_read_cstring_bytes(p), p, addr)
            return read_char_ptr

    def read_tptr(addr):
        return tPtr(readPtr(addr), ti)
    return read_tptr


def _nested(read_elem, addr, dims, esize):
    """Read a multi-dimensional array into nested lists."""
    if len(dims) == 1:
        return [read_elem(addr + i * esize) for i in range(dims[0])]
    stride = esize
    for d in dims[1:]:
        stride *= d
    return [_nested(read_elem, addr + i * stride, dims[1:], esize)
            for i in range(dims[0])]


def make_reader(vi):
    """The reader closure of VarInfo vi (see the API reference §6.2)."""
    ti = vi.ti
    dims = ti.dims
    if not dims:
        if vi.bitsize is not None:
            return _scalar_reader(ti, vi.bitoffset, vi.bitsize)
        return _scalar_reader(ti)
    esize = ti.size
    code = ti.codetype
    if ti.ptrlev:
        elem = _pointer_reader(_elem_ti(ti))
        if len(dims) == 1 and dims[0] <= 1:
            return lambda addr: Array0(addr, elem)
        return lambda addr: _nested(elem, addr, dims, POINTER_SIZE)
    if code in (TYPE_CODE_INT, TYPE_CODE_BOOL, TYPE_CODE_ENUM):
        if len(dims) == 1 and dims[0] == 0 and code == TYPE_CODE_INT:
            return lambda addr: intDimensionlessArray(addr, esize,
                                                      not ti.uint)
        if len(dims) == 1 and dims[0] > 0 and ti.stype == 'char':
            n = dims[0]
            return lambda addr: SmartString(readmem(addr, n), addr, None)
        elem = _scalar_reader(_elem_ti(ti))
        if code == TYPE_CODE_INT and len(dims) == 1:
            n, signed = dims[0], not ti.uint

            def read_int_array(addr):
                return _mem2long(readmem(addr, n * esize), signed, n) \
                    if n > 1 else [readIntN(addr, esize, signed)]
            return read_int_array
        return lambda addr: _nested(elem, addr, dims, esize)
    if code in TYPE_CODE_SU:
        sname = ti.stype
        if len(dims) == 1 and dims[0] <= 1:
            return lambda addr: StructResult(sname, addr)
        return lambda addr: _nested(lambda a: StructResult(sname, a),
                                    addr, dims, esize)
    elem = _scalar_reader(_elem_ti(ti))
    return lambda addr: _nested(elem, addr, dims, esize)


def _elem_ti(ti):
    """TypeInfo of one element of array type ti."""
    e = object.__new__(TypeInfo)
    e.__dict__.update(ti.__dict__)
    e.dims = None
    e.__dict__.pop('elements', None)
    e.__dict__.pop('dereferencer', None)
    return e


def make_dereferencer(ti):
    """Closure reading what a pointer of TypeInfo ti points to, or None."""
    base = ti.ptrbasetype
    if base in TYPE_CODE_SU:
        sname = ti.stype
        return lambda addr: StructResult(sname, addr)
    if base in (TYPE_CODE_INT, TYPE_CODE_BOOL, TYPE_CODE_ENUM):
        target = object.__new__(TypeInfo)
        target.__dict__.update(ti.__dict__)
        target.ptrlev = None
        target.dims = None
        target.codetype = base
        target.__dict__.pop('dereferencer', None)
        try:
            real = TypeInfo(ti.stype)
            target.size = real.size
            target.uint = real.uint
        except TypeError:
            target.size = 4
        return _scalar_reader(target)
    return None


datatypes.set_reader_factory(make_reader, make_dereferencer)


# ---------------------------------------------------------------------
# Helpers on objects

def Addr(obj, field=None):
    """Address of a StructResult (or of its field), or of a SmartString."""
    if isinstance(obj, StructResult):
        if field is None:
            return int(obj)
        try:
            return int(obj) + obj.PYT_sinfo[field].offset
        except KeyError:
            raise NoField.of(obj.PYT_symbol, field) from None
    if isinstance(obj, SmartString):
        return obj.addr
    raise TypeError('Addr() needs a StructResult or SmartString, not %s'
                    % type(obj).__name__)


def Deref(obj):
    """tPtr -> its target; StructResult -> itself."""
    if isinstance(obj, tPtr):
        return obj.Deref
    if isinstance(obj, StructResult):
        return obj
    raise TypeError('Deref() needs a tPtr or StructResult, not %s'
                    % type(obj).__name__)


def printObject(obj):
    """Print a StructResult the way gdb does (``p *(struct x *)addr``)."""
    if not isinstance(obj, StructResult):
        raise TypeError('printObject needs a StructResult')
    print(crash.exec_crash_command('p *(%s *)0x%x'
                                   % (obj.PYT_symbol, int(obj))))


# ---------------------------------------------------------------------
# Pseudo-attributes

def _parse_chain(sname, chain):
    """Compile a dotted path relative to sname into ``obj -> value``.

    Each component is a field of the current struct; a struct pointer is
    followed, an embedded struct continued into. Raises NoField/TypeError
    if the path does not resolve.
    """
    if chain == '':
        # PyKdump's "the object itself" (e.g. tcp_sock.topt = "tcp", ""):
        # no field to register, so no VarInfo.
        def itself(obj):
            return obj
        itself.offset = 0
        itself.vi = None
        return itself
    steps = []          # (offset to add, follow pointer?)
    si = SUInfo(sname)
    parts = chain.split('.')
    offset = 0
    for i, part in enumerate(parts):
        vi = si.get(part)
        if vi is None:
            raise NoField('%s does not have a field %s' % (si.PYT_sname,
                                                           part))
        last = i == len(parts) - 1
        if last:
            steps.append((offset + vi.offset, vi.reader))
            break
        ti = vi.ti
        if ti.ptrlev == 1 and ti.ptrbasetype in TYPE_CODE_SU and \
                not ti.dims:
            steps.append((offset + vi.offset, None))
            offset = 0
            si = SUInfo(ti.stype)
        elif not ti.ptrlev and ti.codetype in TYPE_CODE_SU and not ti.dims:
            offset += vi.offset
            si = SUInfo(ti.stype)
        else:
            raise TypeError('%s: cannot go through %s' % (chain, part))
    final_offset, final_reader = steps[-1]
    hops = [off for off, r in steps[:-1]]

    def evaluate(obj):
        addr = int(obj)
        for off in hops:
            addr = readPtr(addr + off)
        return final_reader(addr + final_offset)
    evaluate.offset = None if hops else final_offset
    evaluate.vi = si.get(parts[-1])
    return evaluate


class _Pseudo:
    """Descriptor of a pseudo-attribute: a chain or a function."""

    def __init__(self, fn):
        self.fn = fn

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return self.fn(obj)


def structSetAttr(sname, attrname, chains, extra_types=()):
    """Install attrname on sname: the first of chains that resolves.

    chains: a dotted path (relative to sname) or a list of alternatives;
    '' is the object itself. Returns True if one resolved, else False.
    Without pointer hops the attribute also behaves as a field (Addr,
    offsets, list walkers).
    """
    if isinstance(chains, str):
        chains = [chains]
    try:
        cls = _struct_class(sname)
    except TypeError:
        return False
    for chain in chains:
        try:
            fn = _parse_chain(sname, chain)
        except (KeyError, TypeError, AttributeError):
            continue
        for target in [sname] + list(extra_types):
            try:
                tcls = _struct_class(target)
            except TypeError:
                continue
            setattr(tcls, attrname, _Pseudo(fn))
        if fn.offset is not None and fn.vi is not None:
            vi = fn.vi
            pvi = PseudoVarInfo(attrname, vi.ti, bitoffset=fn.offset * 8
                                + vi.bitoffset % 8, bitsize=vi.bitsize)
            dict.__setitem__(cls.PYT_sinfo, attrname, pvi)
        return True
    return False


def structSetProcAttr(sname, attrname, func):
    """Install a computed attribute: obj.attrname is func(obj)."""
    try:
        cls = _struct_class(sname)
    except TypeError:
        return False
    setattr(cls, attrname, _Pseudo(func))
    return True


class AttrSetter:
    """``s = AttrSetter("struct sock"); s.attr = "path"`` installs it.

    The value is a path, a list/tuple of alternatives or a function; a
    ``SKC.`` prefix makes the path relative to struct sock_common.
    Reading ``s.attr`` afterwards tells whether installation succeeded.
    """

    def __init__(self, *types):
        """The types to install on (the first is where paths start)."""
        object.__setattr__(self, '_types', types)
        object.__setattr__(self, '_ok', {})

    def __setattr__(self, name, value):
        types = self._types
        if callable(value):
            ok = any([structSetProcAttr(t, name, value) for t in types])
        else:
            alts = [value] if isinstance(value, str) else list(value)
            ok = False
            for alt in alts:
                if alt.startswith('SKC.'):
                    fn = None
                    try:
                        fn = _parse_chain('struct sock_common', alt[4:])
                    except (KeyError, TypeError, AttributeError):
                        continue
                    ok = any([structSetProcAttr(t, name, fn)
                              for t in types])
                else:
                    ok = structSetAttr(types[0], name, alt, types[1:])
                if ok:
                    break
        self._ok[name] = ok

    def __getattr__(self, name):
        try:
            return self._ok[name]
        except KeyError:
            raise AttributeError(name) from None


# ---------------------------------------------------------------------
# Bulk records: many fields of many objects, one read per object

_INT_CODES = {1: 'b', 2: 'h', 4: 'i', 8: 'q'}


def _field_code(vi):
    """struct-module code of one field, or (code, shift, mask, signed) for
    a bitfield, and the number of bytes it spans."""
    ti = vi.ti
    if vi.bitsize is not None:
        shift = vi.bitoffset % 8
        nbytes = (shift + vi.bitsize + 7) // 8
        rsize = 8 if nbytes > 4 else (4 if nbytes > 2 else nbytes)
        signed = ti.codetype == TYPE_CODE_ENUM or (
            ti.codetype == TYPE_CODE_INT and not ti.uint)
        return (_INT_CODES[rsize].upper(), shift, (1 << vi.bitsize) - 1,
                signed), rsize
    size = vi.size
    if ti.dims:
        return '%ds' % size, size
    if ti.ptrlev:
        return 'Q', POINTER_SIZE
    code = ti.codetype
    if code in (TYPE_CODE_INT, TYPE_CODE_ENUM, TYPE_CODE_BOOL) and \
            size in _INT_CODES:
        c = _INT_CODES[size]
        signed = code == TYPE_CODE_ENUM or (code == TYPE_CODE_INT and
                                            not ti.uint)
        return (c if signed else c.upper()), size
    if code == TYPE_CODE_FLT and size in (4, 8):
        return ('f' if size == 4 else 'd'), size
    if code in TYPE_CODE_SU and size in _INT_CODES:
        # One-member wrappers (atomic_t, refcount_t, possible_net_t,
        # u64_stats_t) read as their member; other small structs as the
        # unsigned value of their bytes.
        inner = list(SUInfo(ti.stype).values())
        if len(inner) == 1 and inner[0].offset == 0 and \
                inner[0].bitsize is None and inner[0].size == size:
            return _field_code(inner[0])
        return _INT_CODES[size].upper(), size
    return '%ds' % size, size


def _resolve(sname, path):
    """VarInfo and offset of a dotted path through embedded structs."""
    si = SUInfo(sname)
    offset = 0
    parts = path.split('.')
    for i, part in enumerate(parts):
        vi = si.get(part) if part else None
        if vi is None:
            raise NoField.of(si.PYT_sname, part or repr(path))
        if i == len(parts) - 1:
            return vi, offset + vi.offset
        ti = vi.ti
        if ti.ptrlev or ti.dims or ti.codetype not in TYPE_CODE_SU:
            raise TypeError('%s.%s: %s is not an embedded struct'
                            % (sname, path, part))
        offset += vi.offset
        si = SUInfo(ti.stype)


class RecordReader:
    """Chosen fields of a struct type, decoded from one read per object.

    Built by :func:`record_reader` (once per type and field tuple, until
    module debuginfo changes the types). ``read(addr)`` reads the bytes
    from the first to the last field with one ``readmem`` and returns a
    tuple of values in the order the fields were given; ``addr`` is an
    ``int`` or, as for :func:`readmem`, anything with ``__index__``: a
    :class:`StructResult` (of any type) is its address. ``unpack(buf,
    base=0)`` decodes bytes already read, with the object starting at
    ``buf[base]`` (``buf`` holds at least ``end`` bytes from there).

    Values: integers, enums and bools as ``int`` (signed as declared),
    pointers as ``int`` addresses, bitfields as ``int``, one-member wrapper
    structs (``atomic_t``, ``refcount_t``, ``possible_net_t``) as their
    member, other structs of 1, 2, 4 or 8 bytes as the unsigned ``int`` of
    their bytes, arrays and larger structs as ``bytes``. An absent
    optional field is None.

    C equivalent: a ``memcpy`` of the object and reads of its members.
    """

    __slots__ = ('sname', 'fields', 'offsets', 'size', 'start', 'end',
                 'unpack', 'read')

    def offset(self, field):
        """Byte offset of ``field`` (as given), -1 if optional and absent."""
        return self.offsets[field]

    def has(self, field):
        """Whether ``field`` exists in this kernel's type."""
        return self.offsets[field] >= 0

    def __repr__(self):
        return '<RecordReader %s %s>' % (self.sname, ', '.join(self.fields))


@memoize_typeinfo
def record_reader(sname, fields, optional=()):
    """The :class:`RecordReader` of ``fields`` (then ``optional``) of
    ``sname``.

    ``fields`` and ``optional`` are tuples of member names, dotted through
    embedded structs and unions (``'sk_backlog.rmem_alloc'``). A missing
    member of ``fields`` raises :class:`NoField` (a missing type
    ``TypeError``); a missing member of ``optional`` reads as None. One
    compiled ``struct`` unpacker per (type, fields), cached with the
    types: loading module debuginfo rebuilds it.

    C equivalent: ``offsetof()`` and ``sizeof()`` of each member.

    :param sname: ``'struct name'``
    :param fields: ``tuple`` of ``str``
    :param optional: ``tuple`` of ``str``
    :return: :class:`RecordReader`
    """
    fields, optional = tuple(fields), tuple(optional)
    names = fields + optional
    size = SUInfo(sname).size
    layout = []                 # (offset, code, nbytes, output index)
    offsets = {}
    for i, name in enumerate(names):
        try:
            vi, off = _resolve(sname, name)
        except (NoField, TypeError):
            if i < len(fields):
                raise
            offsets[name] = -1
            continue
        offsets[name] = off
        code, nbytes = _field_code(vi)
        layout.append((off, code, nbytes, i))
    out = object.__new__(RecordReader)
    out.sname, out.fields, out.offsets, out.size = sname, names, offsets, \
        size
    out.start = min((f[0] for f in layout), default=0)
    out.end = max((f[0] + f[2] for f in layout), default=0)
    out.unpack, out.read = _compile_unpacker(layout, len(names), out.start,
                                             out.end)
    return out


def _compile_unpacker(layout, nout, start, end):
    """``(unpack, read)`` for the (offset, code, nbytes, index) fields.

    ``unpack(buf, base=0) -> tuple`` and ``read(addr) -> tuple`` (one
    ``readmem`` of bytes ``start`` to ``end``); one ``struct.Struct`` per
    run of fields that do not overlap (one for a plain struct; unions and
    bitfields sharing bytes need a second). Both are generated as one
    function each, so an object costs one call per lane and a tuple.
    """
    lanes = []                  # [end, [(offset, code, nbytes, index)]]
    for f in sorted(layout):
        for lane in lanes:
            if lane[0] <= f[0]:
                break
        else:
            lane = [0, []]
            lanes.append(lane)
        lane[0] = f[0] + f[2]
        lane[1].append(f)
    env = {'readmem': readmem, 'index': _index}
    order, bits, calls = [], [], []
    for k, (_, members) in enumerate(lanes):
        fmt, pos = ['<'], members[0][0]
        for off, code, nbytes, idx in members:
            if off > pos:
                fmt.append('%dx' % (off - pos))
            if isinstance(code, tuple):
                bits.append((idx,) + code[1:])
                code = code[0]
            fmt.append(code)
            pos = off + nbytes
            order.append(idx)
        env['u%d' % k] = _struct.Struct(''.join(fmt)).unpack_from
        calls.append((k, members[0][0], len(members)))
    names = {idx: 'v%d' % n for n, idx in enumerate(order)}
    out = [names.get(i, 'None') for i in range(nout)]
    for idx, shift, mask, signed in bits:
        e = '(%s >> %d & %d)' % (names[idx], shift, mask)
        if signed:
            half = (mask + 1) >> 1
            e = '((%s ^ %d) - %d)' % (e, half, half)
        out[idx] = e
    # One lane in the order asked, no bitfield: the unpacker's own tuple.
    plain = len(calls) == 1 and not bits and order == list(range(nout))
    src = []
    for fn, args, base in (('unpack', 'buf, base=0', 'base + '),
                           ('read', 'addr', '')):
        src.append('def %s(%s):' % (fn, args))
        if fn == 'read' and calls:
            # index(): a StructResult is its address, as for readmem and
            # readSU; its own + scales by its size (api §24.1).
            src.append('    buf = readmem(index(addr) + %d, %d)'
                       % (start, end - start))
        n = 0
        for k, lo, count in calls:
            off = lo - start if fn == 'read' else lo
            call = 'u%d(buf, %s%d)' % (k, base, off)
            if plain:
                src.append('    return ' + call)
                break
            targets = ''.join('v%d, ' % i for i in range(n, n + count))
            src.append('    %s= %s' % (targets, call))
            n += count
        else:
            src.append('    return (%s)' % ''.join(o + ', ' for o in out))
    exec('\n'.join(src), env)
    return env['unpack'], env['read']


def container_of(ptr, sname, field):
    """The struct sname containing field at ptr.

    NoField if sname has no such field (the original used offset -1).
    """
    return StructResult(sname, int(ptr) - field_offset(sname, field))


# ---------------------------------------------------------------------
# Integers

def _named_int_reader(name, size, signed):
    """_int_reader(size, signed) named name, with its docstring."""
    reader = _int_reader(size, signed)
    reader.__name__ = reader.__qualname__ = name
    reader.__doc__ = '%s %d-bit integer at addr.' % (
        'Signed' if signed else 'Unsigned', size * 8)
    return reader


readU8 = _named_int_reader('readU8', 1, False)
readU16 = _named_int_reader('readU16', 2, False)
readU32 = _named_int_reader('readU32', 4, False)
readU64 = _named_int_reader('readU64', 8, False)
readS32 = _named_int_reader('readS32', 4, True)
readS64 = _named_int_reader('readS64', 8, True)


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
# Walks: the C loop over next pointers, and how a walk that did not end
# normally is reported (the walkers of pykdump.helpers share these).

WALK_MAXEL = crash.WALK_MAXEL
WALK_LOOP = crash.WALK_LOOP
WALK_FAULT = crash.WALK_FAULT


class WalkError(crash.error):
    """A walker met a loop or a bad pointer and strict=True was asked."""


def walk_problem(what, end, bad, start, strict):
    """Report a walk that did not end normally; raise if strict."""
    if end == WALK_LOOP:
        msg = '%s: list at 0x%x loops back to 0x%x' % (what, start, bad)
    elif end == WALK_FAULT:
        msg = '%s: cannot read list pointer at 0x%x (list at 0x%x)' % (
            what, bad, start)
    else:
        return
    if strict:
        raise WalkError(msg)
    pylog.error(msg)


def follow_list(start, offset, maxel):
    """(nodes from start, end, bad address) of crash.follow_next.

    A node whose next pointer cannot be read is not returned: the walk
    stopped because that node is unreadable, so its address is not an
    element of the list (it is in the logged message).
    """
    addrs, end, bad = crash.follow_next(start, offset, maxel)
    nodes = [start] + addrs
    if end == WALK_FAULT and \
            (nodes[-1] + offset) & 0xffffffffffffffff == bad:
        nodes.pop()
    return nodes, end, bad


def fault_error(addr, size):
    """The crash.FaultError of an unreadable size bytes at addr."""
    return crash.FaultError('cannot read list pointer at 0x%x' % addr,
                            address=addr, size=size)


def guarded_walk(walk, what, strict):
    """Yield from walk; a read that fails ends it with a logged error
    (or WalkError if strict) instead of a traceback."""
    try:
        yield from walk
    except crash.error as exc:
        msg = '%s: stopped at an unreadable pointer: %s' % (what, exc)
        if strict:
            raise WalkError(msg) from None
        pylog.error(msg)

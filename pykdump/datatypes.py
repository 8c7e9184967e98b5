# SPDX-License-Identifier: GPL-2.0-or-later
"""The type model: TypeInfo, VarInfo, SUInfo, EnumInfo from the debuginfo.

Built from the dictionaries of ``crash.gdb_typeinfo``/``crash.gdb_whatis``
(gdb's ptype text parsed in C). Readers -- the closures turning memory
into Python values -- are made by :mod:`pykdump.lowlevel`, which registers
its factory here (:func:`set_reader_factory`): this module does not import
it, so the layering stays one-way.
"""


import crash

from . import tparser
from .Generic import LazyEval
from .memocaches import MemoizeSU, memoize_typeinfo, purge_typeinfo

__all__ = ['TypeInfo', 'VarInfo', 'SUInfo', 'EnumInfo', 'ArtStructInfo',
           'type_length', 'NoField', 'set_reader_factory', 'define_struct']

TYPE_CODE_PTR = crash.TYPE_CODE_PTR
TYPE_CODE_ARRAY = crash.TYPE_CODE_ARRAY
TYPE_CODE_STRUCT = crash.TYPE_CODE_STRUCT
TYPE_CODE_UNION = crash.TYPE_CODE_UNION
TYPE_CODE_ENUM = crash.TYPE_CODE_ENUM
TYPE_CODE_FUNC = crash.TYPE_CODE_FUNC
TYPE_CODE_INT = crash.TYPE_CODE_INT
TYPE_CODE_FLT = crash.TYPE_CODE_FLT
TYPE_CODE_VOID = crash.TYPE_CODE_VOID
TYPE_CODE_BOOL = crash.TYPE_CODE_BOOL
TYPE_CODE_SU = (TYPE_CODE_STRUCT, TYPE_CODE_UNION)

_reader_factory = None
_dereferencer_factory = None


def set_reader_factory(reader, dereferencer):
    """Register lowlevel's factories: ``reader(varinfo)`` -> closure
    ``addr -> value``, ``dereferencer(typeinfo)`` -> closure for tPtr."""
    global _reader_factory, _dereferencer_factory
    _reader_factory = reader
    _dereferencer_factory = dereferencer


class NoField(crash.NoFieldError):
    """A struct has no field of that name.

    Both a KeyError (what PyKdump raised: old ``except KeyError`` code
    works) and an AttributeError (so ``hasattr()`` and ``getattr(o, n,
    default)`` work). ``NoField.of(sname, field)`` makes the usual one
    and keeps the type and field in ``.sname`` and ``.field``.
    """

    sname = field = None

    @classmethod
    def of(cls, sname, field):
        """The exception for a missing field of type sname."""
        exc = cls('%s does not have a field %s' % (sname, field))
        exc.sname, exc.field = sname, field
        return exc

    def __str__(self):
        return str(self.args[0]) if self.args else ''


@memoize_typeinfo
def _typeinfo_dict(tname):
    """crash.gdb_typeinfo(tname), cached per type generation."""
    return crash.gdb_typeinfo(tname)


def _anonymous_body(f):
    """The members of anonymous struct/union member f, or None.

    gdb gives an untagged type's body in place. A member of a tagged
    type without a name (``struct slock_owned;`` in 7.2's socket_lock_t,
    allowed since the kernel builds with -fms-extensions, "Kbuild: enable
    -fms-extensions", v6.19) comes as the tag alone: its members are
    those of that type.
    """
    if 'body' in f:
        return f['body']
    tag = f.get('basetype', '')
    if tag.startswith(('struct ', 'union ')):
        try:
            return _typeinfo_dict(tag).get('body', ())
        except crash.error:
            return None
    return None


class TypeInfo:
    """A C type: the name programs key on (stype) and how it is laid out.

    Attributes: stype (typedef name if any, else basetype; synthetic names
    for anonymous struct/union), codetype (gdb TYPE_CODE of the resolved
    type; PTR for pointers; element code for arrays), size (element size
    for arrays, pointer size for pointers), dims (list or None), elements,
    ptrlev (number of * or None), ptrbasetype, uint, typedef, fake_SU,
    prototype (for functions: list of TypeInfo, return type first).
    """

    def __init__(self, t, parent=None, bitoffset=None, fname=None):
        """Make from a type name (asks gdb) or a gdb type dictionary."""
        if isinstance(t, str):
            tname = t
            try:
                t = _typeinfo_dict(tname)
            except crash.error:
                raise crash.NoTypeError('no type %s' % tname,
                                        name=tname) from None
        self.basetype = t['basetype']
        self.codetype = t['codetype']
        self.size = t['typelength']
        self.dims = t.get('dims')
        self.ptrlev = t.get('stars')
        if self.ptrlev is not None:
            self.ptrbasetype = t.get('ptrbasetype')
        self.uint = t.get('uint')
        self.typedef = t.get('typedef')
        self.fake_SU = False
        if 'prototype' in t:
            self.prototype = [TypeInfo(p) for p in t['prototype']]
        if self.basetype in ('struct', 'union') and 'body' in t:
            # An anonymous struct/union: named after where it lives.
            fake = '%s:%d' % (parent, (bitoffset or 0) // 8)
            if fname:
                fake += '/%s' % fname
            self.basetype = fake + '->' + self.basetype
            self.fake_SU = True
            SUInfo.from_dict(self.basetype, t)
        elif 'body' in t and not self.ptrlev:
            SUInfo.from_dict(self.typedef or self.basetype, t)
        if self.basetype == 'enum' and 'edef' in t:
            self.edef = t['edef']
        self.stype = self.typedef or self.basetype

    elements = LazyEval('elements', lambda self: self._elements())

    def _elements(self):
        """Product of the dimensions, 1 for scalars."""
        n = 1
        for d in self.dims or ():
            n *= d
        return n

    tcodetype = LazyEval('tcodetype',
                         lambda self: self.getTargetCodeType())

    def getTargetType(self):
        """TypeInfo of stype (the target of a typedef)."""
        return TypeInfo(self.stype)

    def getTargetCodeType(self):
        """gdb code of what stype finally is."""
        if self.ptrlev:
            return self.ptrbasetype
        return self.codetype

    def fullname(self):
        """(stype, '*' * ptrlev, '[d1][d2]...')."""
        dims = ''.join('[%d]' % d for d in self.dims or ())
        return self.stype, '*' * (self.ptrlev or 0), dims

    def typestr(self):
        """C spelling of the type, e.g. ``struct list_head *``."""
        stype, stars, dims = self.fullname()
        if stars:
            stype += ' ' + stars
        return stype + dims

    def fullstr(self, indent=0):
        """Indented C-like description."""
        return ' ' * indent + self.typestr()

    dereferencer = LazyEval(
        'dereferencer', lambda self: _dereferencer_factory(self))

    def __repr__(self):
        return 'TypeInfo <%s> size=%d' % (self.typestr(), self.size)


class VarInfo:
    """A global variable or struct member: a name, a TypeInfo, a place.

    ``offset`` is the byte offset in the parent (``bitoffset // 8``),
    ``bitoffset`` bits from the parent's start, ``bitsize`` for bitfields
    (else None); ``addr`` for globals. ``reader`` is a closure
    ``addr -> value`` made on first use.
    """

    def __init__(self, name, ti=None, addr=None, bitoffset=0, bitsize=None):
        """Name, TypeInfo and position."""
        self.name = name
        self.ti = ti
        self.addr = addr
        self.bitoffset = bitoffset
        self.offset = bitoffset // 8
        self.bitsize = bitsize

    reader = LazyEval('reader', lambda self: _reader_factory(self))

    def getReader(self):
        """The reader closure (``addr -> value``) of this variable."""
        return self.reader

    basetype = LazyEval('basetype', lambda self: self.ti.stype)
    ctype = basetype
    size = LazyEval('size', lambda self: self.ti.size * self.ti.elements)
    ptrlev = LazyEval('ptrlev', lambda self: self.ti.ptrlev)

    @property
    def array(self):
        """Dimension of a 1-D array, the list of dimensions otherwise."""
        dims = self.ti.dims
        if not dims:
            raise TypeError('%s is not an array' % self.name)
        return dims[0] if len(dims) == 1 else dims

    def shortstr(self):
        """C-like declaration."""
        stype, stars, dims = self.ti.fullname()
        s = '%s %s%s%s' % (stype, stars, self.name, dims)
        if self.bitsize is not None:
            s += ' : %d' % self.bitsize
        return s

    def fullstr(self):
        """Declaration with offset and size."""
        decl = self.shortstr() + ';'
        return '%-40s | off=%d size=%d' % (decl, self.offset, self.size)

    def __repr__(self):
        return '<VarInfo %s>' % self.shortstr()


class _MemberVarInfo(VarInfo):
    """A named member of an SUInfo whose TypeInfo is made on first use.

    A struct's first use asks only for its members' names and places
    (``crash._su_fields``); the type of a member, the costly part, comes
    from ``crash._su_member`` when ``ti`` (or what derives from it) is
    first read. The answer is the one an SUInfo built from the whole
    ``gdb_typeinfo`` dictionary would hold.
    """

    # Slots: no attribute dict is made until a lazy attribute is read
    # (a struct's first use makes one of these per member).
    __slots__ = ('name', 'addr', 'bitoffset', 'bitsize', '_index',
                 '_source')

    def __init__(self, name, index, bitoffset, bitsize, source):
        """Member number index of the struct source = (sname, type
        generation)."""
        self.name = name
        self.addr = None
        self.bitoffset = bitoffset
        self.bitsize = bitsize
        self._index = index
        self._source = source

    def _make_ti(self):
        sname, generation = self._source
        index = self._index
        if crash.type_generation() != generation:
            # The layout this member belongs to may have changed (module
            # debuginfo loaded or unloaded): an answer from the new one
            # could describe another member.
            raise crash.error('type information changed since %s was '
                              'read: look the struct up again' % sname)
        f = crash._su_member(sname, index)
        return TypeInfo(f, sname, f.get('bitoffset', 0), self.name)

    ti = LazyEval('ti', _make_ti)
    offset = property(lambda self: self.bitoffset >> 3,
                      doc='Byte offset in the parent.')


class PseudoVarInfo(VarInfo):
    """A pseudo-attribute installed by structSetAttr: behaves as a field."""


class SUInfo(dict, metaclass=MemoizeSU):
    """A struct or union: a dict of field name -> VarInfo.

    Fields are also attributes (``si.pid``) unless they collide with dict
    methods. Anonymous members are flattened into the parent with their
    offsets added (also bitfields: their bit positions are kept).
    Unknown type -> TypeError("no type NAME").
    """

    def __init__(self, sname, gdbdict=None):
        """Ask gdb for sname's layout (or use gdbdict) and build fields."""
        dict.__init__(self)
        if gdbdict is None:
            try:
                # (a subclass keeps its class: no lazy stand-in)
                if type(self) is SUInfo and self._start_lazy(sname):
                    return
                layout = crash._su_fields(sname)
                if layout is not None:
                    self._init_lazy(sname, *layout)
                    return
                gdbdict = _typeinfo_dict(sname)
            except crash.error:
                raise crash.NoTypeError('no type %s' % sname,
                                        name=sname) from None
        self.PYT_sname = sname
        self.PYT_body = []
        self.PYT_size = self.size = gdbdict['typelength']
        self.PYT_fake = ':' in sname and '->' in sname
        for f in gdbdict.get('body', ()):
            self.PYT_body.append((f['fname'], self._add_field(f, 0, sname)))

    def _start_lazy(self, sname):
        """Become a _LazySUInfo of sname if BTF answers for one member
        alone: True if so."""
        head = crash._su_lazy(sname)
        if head is None:
            return False
        _LazySUInfo.start(self, sname, head[0])
        return True

    def _init_lazy(self, sname, typelength, fields):
        """Build from crash._su_fields: named members' types on first use."""
        self.PYT_sname = sname
        self._members = members = []
        self.PYT_size = self.size = typelength
        self.PYT_fake = ':' in sname and '->' in sname
        source = (sname, crash.type_generation())
        add, member = members.append, _MemberVarInfo
        for index, (fname, bitoffset, bitsize, anon) in enumerate(fields):
            if anon is not None:
                add(self._add_field(anon, 0, sname))
                continue
            vi = member(fname, index, bitoffset, bitsize, source)
            add(vi)
            self[fname] = vi

    # Made when asked: the lazy build keeps only the members' VarInfos.
    PYT_body = LazyEval('PYT_body', lambda self: [
        (vi.name, vi) for vi in self._members])

    @classmethod
    def from_dict(cls, sname, gdbdict):
        """The SUInfo of sname built from a dictionary already at hand."""
        return cls(sname, gdbdict)

    def _add_field(self, f, base_bits, parent):
        """Add member dict f (anonymous members flattened recursively);
        return its VarInfo, for PYT_body."""
        fname = f['fname']
        bitoffset = base_bits + f.get('bitoffset', 0)
        ti = TypeInfo(f, parent, f.get('bitoffset', 0), fname)
        vi = VarInfo(fname, ti, bitoffset=bitoffset,
                     bitsize=f.get('bitsize'))
        if fname:
            self[fname] = vi
            return vi
        body = _anonymous_body(f) if ti.codetype in TYPE_CODE_SU else None
        if body is None:
            raise TypeError('nameless member of %s is not a struct or '
                            'union' % parent)
        for inner in body:
            self._add_field_flat(inner, bitoffset, ti.stype)
        return vi

    def _add_field_flat(self, f, base_bits, parent):
        """Flatten one member of an anonymous struct/union."""
        fname = f['fname']
        bitoffset = base_bits + f.get('bitoffset', 0)
        if fname:
            ti = TypeInfo(f, parent, f.get('bitoffset', 0), fname)
            self[fname] = VarInfo(fname, ti, bitoffset=bitoffset,
                                  bitsize=f.get('bitsize'))
        elif f.get('codetype') in TYPE_CODE_SU:
            for inner in _anonymous_body(f) or ():
                self._add_field_flat(inner, bitoffset, parent)

    def __getattr__(self, name):
        """A field as an attribute (``si.pid``), unless a dict method,
        an SUInfo method or ``size`` has the name: looked up when asked,
        so that building an SUInfo sets no attribute per field."""
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def getFnames(self):
        """Field names in declaration order (anonymous members flattened)."""
        return list(self.keys())

    def shortstr(self):
        """C-like body."""
        lines = ['struct %s {' % self.PYT_sname]
        for name, vi in self.items():
            lines.append('    %s;' % vi.shortstr())
        lines.append('}')
        return '\n'.join(lines)

    def fullstr(self):
        """C-like body with offsets and sizes."""
        lines = ['struct %s {' % self.PYT_sname]
        for name, vi in self.items():
            lines.append('    ' + vi.fullstr())
        lines.append('}')
        return '\n'.join(lines)

    def __str__(self):
        return '<SUInfo>\n' + self.shortstr()

    def __repr__(self):
        return self.fullstr()

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


class _LazySUInfo(SUInfo):
    """An SUInfo that reads its members when they are needed.

    ``readSU('struct task_struct', addr).pid`` needs one member of 250.
    The kernel's BTF answers for one member alone (``crash._su_lazy``: a
    member named directly in the struct, with its number). What needs
    every member (iteration, ``len``, keys), and a name BTF does not find
    directly (it may sit in an anonymous member), reads them all as the
    eager build does and the object becomes a plain SUInfo: the same
    answers, from then on at dict speed. Types from gdb have no such
    source: gdb's raw ``ptype /o`` of the whole struct is as cheap as one
    member's questions (its cost is gdb's search for the tag).
    """

    @staticmethod
    def start(si, sname, typelength):
        """Make SUInfo si, of struct sname, a lazy one."""
        si.PYT_sname = sname
        si.PYT_size = si.size = typelength
        si.PYT_fake = ':' in sname and '->' in sname
        si._source = (sname, crash.type_generation())
        si._early = {}
        si.__class__ = _LazySUInfo

    def _check(self):
        sname, generation = self._source
        if crash.type_generation() != generation:
            # As for _MemberVarInfo: the layout may have changed.
            raise crash.error('type information changed since %s was '
                              'read: look the struct up again' % sname)

    def _member(self, name):
        """The VarInfo of member name alone; None when only every member
        can tell."""
        vi = self._early.get(name)
        if vi is not None or type(name) is not str:
            return vi
        self._check()
        sname = self.PYT_sname
        hit = crash._su_lazy(sname, name)[1]
        if hit is None:
            return None
        index, f = hit
        vi = _MemberVarInfo(name, index, f['bitoffset'], f.get('bitsize'),
                            self._source)
        vi.ti = TypeInfo(f, sname, f['bitoffset'], name)
        self._early[name] = vi
        return vi

    def _materialize(self):
        """Read every member; from now on a plain SUInfo."""
        self._check()
        sname, early = self.PYT_sname, self._early
        del self._early, self._source
        self.__class__ = SUInfo
        self._init_lazy(sname, *crash._su_fields(sname))
        for name, vi in early.items():
            # the member given out before stays the one of the struct
            dict.__setitem__(self, name, vi)
            self._members[vi._index] = vi

    def _find(self, name):
        """The VarInfo of member name, or _ABSENT: alone if BTF can
        tell, else from every member."""
        vi = self._member(name)
        if vi is None:
            self._materialize()
            return dict.get(self, name, _ABSENT)
        return vi

    def get(self, name, default=None):
        """As dict.get()."""
        vi = self._find(name)
        return default if vi is _ABSENT else vi

    def __getitem__(self, name):
        vi = self._find(name)
        if vi is _ABSENT:
            raise KeyError(name)
        return vi

    def __contains__(self, name):
        return self._find(name) is not _ABSENT

    PYT_body = property(lambda self: self._materialize() or self.PYT_body,
                        doc='[(name, VarInfo)] in declaration order.')


# _LazySUInfo._find(): the struct has no such member.
_ABSENT = object()


def _whole(name):
    """A _LazySUInfo method that reads every member, then does name."""
    def method(self, *args, **kwargs):
        self._materialize()
        return getattr(self, name)(*args, **kwargs)
    method.__name__ = name
    method.__doc__ = 'As SUInfo.%s(), once every member is read.' % name
    return method


for _name in ('__iter__', '__len__', '__reversed__', '__setitem__',
              '__delitem__', '__or__', '__ror__', '__ior__', '__sizeof__',
              '__reduce__', '__reduce_ex__', 'keys', 'values', 'items',
              'copy', 'setdefault', 'pop', 'popitem', 'update', 'clear'):
    setattr(_LazySUInfo, _name, _whole(_name))
del _name


class EnumInfo(dict):
    """An enum: enumerator name -> value, also as attributes.

    ``EnumInfo("enum pid_type")`` asks for the type; any other name is
    given to whatis (a typedef, a variable of enum type or an enumerator
    constant identifies its enum). Non-enum or unknown -> TypeError.
    """

    def __init__(self, name):
        """Look the enum up and fill the mapping."""
        dict.__init__(self)
        try:
            if 'enum ' in name:
                d = _typeinfo_dict(name)
            else:
                d = crash.gdb_whatis(name)
        except crash.error:
            raise crash.NoTypeError('no enum %s' % name, name=name) \
                from None
        if d.get('codetype') != TYPE_CODE_ENUM or d.get('stars'):
            raise TypeError('%s is not an enum' % name)
        edef = d.get('edef')
        if edef is None and d['basetype'] != 'enum':
            edef = _typeinfo_dict(d['basetype']).get('edef', [])
        elif edef is None:
            # An untagged enum: only ptype of the name prints its members.
            try:
                edef = crash.gdb_typeinfo(name).get('edef', [])
            except crash.error:
                edef = []
        self._fill(d['basetype'], edef)

    def _fill(self, stype, edef):
        """Set stype and the enumerators from [name, value] pairs."""
        self.stype = stype
        self._Lst = [tuple(p) for p in edef or ()]
        for n, v in self._Lst:
            self[n] = v
            setattr(self, n, v)

    @classmethod
    def from_edef(cls, edef, stype='enum'):
        """An EnumInfo of an untagged enum whose enumerators are known."""
        self = cls.__new__(cls)
        dict.__init__(self)
        self._fill(stype, edef)
        return self

    def getnam(self, v):
        """First enumerator name with value v, or '<stype, bad value v>'."""
        for n, val in self._Lst:
            if val == v:
                return n
        return '<%s, bad value %s>' % (self.stype, v)

    def __str__(self):
        return '%s {%s}' % (self.stype, ' ,'.join(
            '%s = %d' % (n, v) for n, v in self._Lst))


class ArtStructInfo(SUInfo):
    """An artificial struct: fields appended back to back (no padding).

    Upstream's version was broken; this one works::

        a = ArtStructInfo("mystruct")
        a.append("int", "x")
        a.append("char *", "p")
        readSU("mystruct", addr)
    """

    def __init__(self, sname, gdbdict=None):
        """An empty struct called sname."""
        dict.__init__(self)
        self.PYT_sname = sname
        self.PYT_body = []
        self.PYT_size = self.size = 0
        self.PYT_fake = True

    def append(self, ftype, fname):
        """Add field fname of C type ftype at the current end."""
        ti = TypeInfo(ftype)
        vi = VarInfo(fname, ti, bitoffset=self.size * 8)
        self.PYT_body.append((fname, vi))
        self[fname] = vi
        self.size = self.PYT_size = self.size + ti.size * ti.elements

    def inline(self, si):
        """Append every field of another SUInfo."""
        base = self.size
        for name, vi in si.items():
            nvi = VarInfo(name, vi.ti, bitoffset=base * 8 + vi.bitoffset,
                          bitsize=vi.bitsize)
            self.PYT_body.append((name, nvi))
            self[name] = nvi
        self.size = self.PYT_size = base + si.size


@memoize_typeinfo
def type_length(tname):
    """Size of type tname (element size of arrays), -1 on any error."""
    try:
        return TypeInfo(tname).size
    except (TypeError, crash.error):
        return -1


def define_struct(text):
    """Make the struct of C text usable by readSU on any memory.

    For a structure the debuginfo lacks (or has with another layout):
    ``define_struct("struct pk { int a; char *s; };")`` then
    ``readSU("struct pk", addr).s``. Offsets follow x86_64 natural
    alignment (tparser.struct_layout); types the text names (struct tags,
    typedefs) take their sizes from the debuginfo. Returns the SUInfo.
    """
    try:
        layout = tparser.struct_layout(
            text, size_of=lambda name: TypeInfo(name).size)
    except tparser.CParseError as exc:
        raise TypeError(str(exc)) from None
    body = []
    for f in layout.fields:
        ctype = 'void *' if f.funcptr else \
            f.ctype.replace('[', ' [', 1) if f.dims else f.ctype
        try:
            d = dict(crash.gdb_typeinfo(ctype))
        except crash.error:
            raise crash.NoTypeError('no type %s (field %s)'
                                    % (ctype, f.name), name=ctype) from None
        d.pop('body', None)
        d['fname'] = f.name
        d['bitoffset'] = f.offset * 8
        body.append(d)
    purge_typeinfo(layout.name)
    return SUInfo(layout.name, {'typelength': layout.size, 'body': body})

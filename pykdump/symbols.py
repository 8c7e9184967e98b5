# SPDX-License-Identifier: GPL-2.0-or-later
"""Types and symbols: what a name is, its size, its members' offsets.

The questions a program asks about the kernel's types and globals
before it reads anything: ``struct_size``, ``member_offset``,
``whatis``, ``symbol_exists``, ``sym2addr``. Answers come from BTF or
crash's ``datatype_info`` where a whole layout is not needed, else from
the type model (:mod:`pykdump.datatypes`), and are cached per type
generation (:mod:`pykdump.memocaches`).
"""

import crash

from .datatypes import SUInfo, TypeInfo, VarInfo, NoField, TYPE_CODE_SU
from .memocaches import memoize_typeinfo, add_typeinfo_purge_hook

__all__ = [
    'sym2addr', 'sym2alladdr', 'addr2sym', 'addr2mod', 'symbol_exists',
    'struct_size', 'union_size', 'struct_exists', 'member_offset',
    'field_offset', 'type_size', 'field_size',
    'member_size', 'getSizeOf', 'getStructInfo', 'whatis', 'funcargs',
    'enumerator_value',
]

sym2addr = crash.sym2addr
sym2alladdr = crash.sym2alladdr
addr2sym = crash.addr2sym
addr2mod = crash.addr2mod
enumerator_value = crash.enumerator_value
#: What a lookup of a symbol that does not exist raises (a TypeError and a
#: crash.error), for modules that raise it without the C module.
NoSymbolError = crash.NoSymbolError
#: What a lookup of a type that does not exist raises.
NoTypeError = crash.NoTypeError


def modules_info():
    """(name, address, size, debuginfo loaded, file) of each module."""
    return crash.modules()


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
        raise NoSymbolError("There's no symbol %s" % name,
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

# SPDX-License-Identifier: GPL-2.0-or-later
"""Parsers for C declarations pasted into programs, and for text tables.

* :class:`CEnum` - a C ``enum { ... }`` as an object with one attribute
  per enumerator;
* :class:`CDefine` - a block of ``#define NAME value`` lines as a dict
  (and attributes);
* :func:`parseSUDef` - a simple ``struct``/``union`` definition as
  ``(name, [(type, field), ...])``; :func:`struct_layout` adds x86_64
  offsets and sizes, so a later layer can read such a struct from raw
  memory;
* :func:`parser_header_tabs` - a table of crash output with a header line.

The original used pyparsing; this is a small hand-written tokenizer and
recursive-descent parser (pure Python, imports only
:mod:`pykdump.Generic`).  Integer expressions (``(1 << 3)``, ``A | B``,
``~0UL``) are evaluated with C semantics for x86_64 (``int`` 32 bits,
``long`` 64, usual arithmetic conversions) by walking a Python :mod:`ast`
restricted to integer operators - never with :func:`eval`.

``__all__`` lists what ``from pykdump.API import *`` re-exports; import
``parseSUDef``, ``parser_header_tabs``, ``struct_layout``, ``FieldInfo``,
``CParseError`` and ``CParseWarning`` explicitly.
"""

import ast
import re
import warnings
from collections import namedtuple

from .Generic import Bunch

__all__ = ["CEnum", "CDefine"]

#: Alias kept from the original: records of parsed tables.
FieldInfo = Bunch


class CParseError(ValueError):
    """C text that cannot be parsed; the message names the line."""


class CParseWarning(UserWarning):
    """A ``#define`` line that :class:`CDefine` skipped, and why."""


class _Unsupported(Exception):
    """Internal: an expression outside the supported subset."""


# ........................... tokenizer ...................................

_Tok = namedtuple("_Tok", "kind text line start end")

_TOKEN_PATTERN = r"""
   (?P<ws>[ \t\r\f\v]+|\\\n)
  |(?P<nl>\n)
  |(?P<comment>/\*.*?\*/|//[^\n]*HASH)
  |(?P<badcomment>/\*.*)
  |(?P<num>(?:0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)[uUlL]*)(?![\w.])
  |(?P<ppnum>\.?[0-9][\w.]*)
  |(?P<id>[A-Za-z_][A-Za-z_0-9]*)
  |(?P<str>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  |(?P<op><<|>>|\.\.\.|->|&&|\|\||==|!=|<=|>=|\+\+|--
       |[-+*/%&|^~!<>=?:;,.(){}\[\]\#])
  |(?P<bad>.)
"""
_TOKEN_RE = re.compile(_TOKEN_PATTERN.replace("HASH", ""), re.X | re.S)
_TOKEN_HASH_RE = re.compile(_TOKEN_PATTERN.replace("HASH", r"|\#[^\n]*"),
                            re.X | re.S)


def _tokenize(text, hash_comments=False, keep_newlines=False):
    """Split C text into tokens, dropping whitespace and comments.

    ``hash_comments`` treats ``#`` to end of line as a comment (the
    original :class:`CEnum` did); ``keep_newlines`` keeps ``nl`` tokens
    for line-oriented callers.  Never raises: stray characters become
    ``bad`` tokens, numbers C cannot have ``ppnum`` tokens, and an
    unterminated comment one ``badcomment`` token swallowing the rest;
    the parsers reject them where they matter.
    """
    out = []
    line = 1
    regex = _TOKEN_HASH_RE if hash_comments else _TOKEN_RE
    for m in regex.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind == "nl":
            if keep_newlines:
                out.append(_Tok("nl", tok, line, m.start(), m.end()))
        elif kind not in ("ws", "comment"):
            out.append(_Tok(kind, tok, line, m.start(), m.end()))
        line += tok.count("\n")
    return out


# ..................... integer constant expressions ......................

# A C integer value on x86_64: value (already wrapped), width, signedness.
_CInt = namedtuple("_CInt", "value bits unsigned")

_LITERAL_RE = re.compile(
    r"(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uUlL]*)\Z")
_SUFFIXES = {"": (False, 0), "u": (True, 0), "l": (False, 1),
             "ul": (True, 1), "lu": (True, 1), "ll": (False, 2),
             "ull": (True, 2), "llu": (True, 2)}


def _wrap(value, bits, unsigned):
    value &= (1 << bits) - 1
    if not unsigned and value >> (bits - 1):
        value -= 1 << bits
    return _CInt(value, bits, unsigned)


def _literal(text):
    """Convert a C integer literal to a :data:`_CInt` (C11 6.4.4.1)."""
    m = _LITERAL_RE.match(text)
    if not m:
        raise _Unsupported("bad number {!r}".format(text))
    digits, suffix = m.groups()
    if suffix.lower() not in _SUFFIXES:
        raise _Unsupported("bad suffix in {!r}".format(text))
    unsigned, longs = _SUFFIXES[suffix.lower()]
    decimal = False
    if digits[:2] in ("0x", "0X"):
        value = int(digits, 16)
    elif digits[:2] in ("0b", "0B"):
        value = int(digits, 2)
    elif len(digits) > 1 and digits[0] == "0":
        try:
            value = int(digits, 8)
        except ValueError:
            raise _Unsupported("bad octal {!r}".format(text)) from None
    else:
        value, decimal = int(digits), True
    # Candidate types: int, unsigned int, long, unsigned long; a decimal
    # literal without 'u' never becomes unsigned.
    for bits, uns in ((32, False), (32, True), (64, False), (64, True)):
        if (bits == 32 and longs) or (unsigned and not uns) \
                or (decimal and uns and not unsigned):
            continue
        if value < (1 << (bits - (0 if uns else 1))):
            return _CInt(value, bits, uns)
    raise _Unsupported("{} does not fit in 64 bits".format(text))


def _typed(value):
    """Give a Python int the C type a constant of that value would have."""
    for bits, uns in ((32, False), (32, True), (64, False), (64, True)):
        lo = 0 if uns else -(1 << (bits - 1))
        if lo <= value < (1 << (bits - (0 if uns else 1))):
            return _CInt(value, bits, uns)
    raise _Unsupported("{} does not fit in 64 bits".format(value))


def _convert(a, b):
    """Usual arithmetic conversions: the common (bits, unsigned)."""
    if a.unsigned == b.unsigned:
        return max(a.bits, b.bits), a.unsigned
    u, s = (a, b) if a.unsigned else (b, a)
    if u.bits >= s.bits:
        return u.bits, True
    return s.bits, False


def _cdiv(a, b):
    if b == 0:
        raise _Unsupported("division by zero")
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: _cdiv,
    ast.Mod: lambda a, b: a - b * _cdiv(a, b),
    ast.BitAnd: lambda a, b: a & b,
    ast.BitOr: lambda a, b: a | b,
    ast.BitXor: lambda a, b: a ^ b,
}
_C_OPS = {"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "~", "(",
          ")"}


def _walk(node, env):
    """Evaluate one node of the restricted AST with C semantics."""
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _walk(node.operand, env)
        if isinstance(node.op, ast.UAdd):
            return v
        if isinstance(node.op, ast.USub):
            return _wrap(-v.value, v.bits, v.unsigned)
        if isinstance(node.op, ast.Invert):
            return _wrap(~v.value, v.bits, v.unsigned)
    if isinstance(node, ast.BinOp):
        a, b = _walk(node.left, env), _walk(node.right, env)
        if isinstance(node.op, (ast.LShift, ast.RShift)):
            if not 0 <= b.value < a.bits:
                raise _Unsupported("shift count {}".format(b.value))
            if isinstance(node.op, ast.LShift):
                return _wrap(a.value << b.value, a.bits, a.unsigned)
            return _wrap(a.value >> b.value, a.bits, a.unsigned)
        fn = _BINOPS.get(type(node.op))
        if fn is not None:
            bits, uns = _convert(a, b)
            av = _wrap(a.value, bits, uns).value
            bv = _wrap(b.value, bits, uns).value
            return _wrap(fn(av, bv), bits, uns)
    raise _Unsupported("unsupported expression")


def _eval_tokens(toks, names):
    """Evaluate an integer constant expression given as tokens.

    ``names`` maps identifiers to :data:`_CInt`.  Supported: integer
    literals, names, parentheses, unary ``+ - ~``, binary ``* / % + - <<
    >> & ^ |``.  C and Python agree on the precedence of exactly these
    operators, so Python's parser builds the tree; operands become
    placeholder names, so no C text reaches :func:`ast.parse` unchecked.
    Raises :class:`_Unsupported` otherwise.
    """
    if not toks:
        raise _Unsupported("empty expression")
    env, src = {}, []
    for t in toks:
        if t.kind in ("num", "id"):
            if t.kind == "num":
                val = _literal(t.text)
            elif t.text in names:
                val = names[t.text]
            else:
                raise _Unsupported("unknown name {!r}".format(t.text))
            ph = "_v{}".format(len(env))
            env[ph] = val
            src.append(ph)
        elif t.kind == "op" and t.text in _C_OPS:
            src.append(t.text)
        else:
            raise _Unsupported("unsupported token {!r}".format(t.text))
    try:
        tree = ast.parse(" ".join(src), mode="eval")
        return _walk(tree.body, env)
    except (SyntaxError, RecursionError, MemoryError):
        raise _Unsupported("unsupported expression") from None


def _expr_text(toks):
    return " ".join(t.text for t in toks)


# ............................... CEnum ...................................

class CEnum:
    """A C ``enum`` definition turned into a Python object.

    Accepts ``[typedef] enum [tag] { A, B = 5, C = B << 1, } [decl];``
    with C (``/* */``, ``//``) and ``#`` comments; values are integer
    expressions over literals and earlier enumerators, and auto-increment
    from the previous value as in C.  Each enumerator becomes an
    attribute; ``obj[value]`` gives the name.
    """

    def __init__(self, cdecl):
        """Parse ``cdecl``; raise :class:`CParseError` if it is no enum."""
        self.vals = []          # ordered (name, value) pairs
        self.lookup = {}        # value -> name (last one wins)
        self.name2i = {}        # name -> value
        toks = _tokenize(cdecl, hash_comments=True)
        pos = 0
        if pos < len(toks) and toks[pos].text == "typedef":
            pos += 1
        if pos >= len(toks) or toks[pos].text != "enum":
            raise CParseError(_where(toks, pos, "expected 'enum'"))
        pos += 1
        if pos < len(toks) and toks[pos].kind == "id":
            pos += 1
        if pos >= len(toks) or toks[pos].text != "{":
            raise CParseError(_where(toks, pos, "expected '{'"))
        pos += 1
        names = {}
        nextval = 0
        while True:
            if pos >= len(toks):
                raise CParseError(_where(toks, pos, "expected '}'"))
            if toks[pos].text == "}":
                break
            tok = toks[pos]
            if tok.kind != "id":
                raise CParseError(_where(toks, pos, "expected a name"))
            pos += 1
            val = nextval
            if pos < len(toks) and toks[pos].text == "=":
                end = _expr_end(toks, pos + 1, (",", "}"))
                try:
                    val = _eval_tokens(toks[pos + 1:end], names).value
                except _Unsupported as e:
                    raise CParseError("line {}: {} = {}: {}".format(
                        tok.line, tok.text, _expr_text(toks[pos + 1:end]),
                        e)) from None
                pos = end
            try:
                names[tok.text] = _typed(val)
            except _Unsupported as e:
                raise CParseError("line {}: {}: {}".format(
                    tok.line, tok.text, e)) from None
            self._add(tok.text, val)
            nextval = val + 1
            if pos < len(toks) and toks[pos].text == ",":
                pos += 1
            elif pos >= len(toks) or toks[pos].text != "}":
                raise CParseError(_where(toks, pos, "expected ',' or '}'"))
        # Fixes §24.16: a declarator after '}' ("} reg_state;") became a
        # bogus enumerator named after its first character.  It is
        # ignored now, up to the ';'.

    def _add(self, name, value):
        self.vals.append((name, value))
        self.lookup[value] = name
        self.name2i[name] = value
        self.__dict__[name] = value

    def __getitem__(self, value):
        """Return the name of enumerator ``value`` (``KeyError`` if none)."""
        return self.lookup[value]

    def getByName(self, name):
        """Return the value of enumerator ``name``."""
        return self.name2i[name]

    def getAllNames(self):
        """Return the enumerator names, sorted."""
        return sorted(self.name2i.keys())

    def __str__(self):
        """Return ``str()`` of the ``(name, value)`` list."""
        return str(self.vals)

    def __len__(self):
        """Return the number of enumerators."""
        return len(self.vals)


def _where(toks, pos, msg):
    if pos < len(toks):
        return "line {}: {} at {!r}".format(toks[pos].line, msg,
                                            toks[pos].text)
    return "{} at end of text".format(msg)


def _expr_end(toks, pos, stops):
    """Index of the first token in ``stops`` outside parentheses."""
    depth = 0
    while pos < len(toks):
        text = toks[pos].text
        if depth <= 0 and text in stops:
            break
        if text in ("(", "["):
            depth += 1
        elif text in (")", "]"):
            depth -= 1
        pos += 1
    return pos


# ............................... CDefine .................................

class CDefine(dict):
    """A block of ``#define NAME value`` lines as a dict (and attributes).

    A value is an integer expression over literals (hex, decimal, octal,
    ``U``/``L`` suffixes) and earlier names: ``0x10``, ``RTF_MTU``,
    ``(1 << 3)``, ``A | B``.  Lines it cannot use (function-like macros,
    casts, strings, ``#ifdef``) are skipped with a :class:`CParseWarning`;
    :meth:`skipped` lists them.  Blank lines and comments are ignored.
    """

    def __init__(self, cdecl):
        """Parse the ``#define`` lines of ``cdecl``."""
        dict.__init__(self)
        object.__setattr__(self, "_CDefine__reversedict", {})
        object.__setattr__(self, "_CDefine__types", {})
        object.__setattr__(self, "_CDefine__skipped", [])
        line = []
        toks = _tokenize(cdecl, keep_newlines=True)
        for tok in toks + [_Tok("nl", "\n", 0, 0, 0)]:
            if tok.kind != "nl":
                line.append(tok)
            elif line:
                self.__define(line)
                line = []

    def __define(self, toks):
        # Fixes §24.16: the original stopped silently at the first value
        # it could not parse and dropped every later line.  Now such a
        # line is skipped with a warning and parsing goes on.
        lineno = toks[0].line
        if len(toks) < 3 or toks[0].text != "#" or \
                toks[1].text != "define" or toks[2].kind != "id":
            self.__skip(lineno, "", "not a '#define NAME value' line: "
                        + _expr_text(toks))
            return
        name = toks[2].text
        rest = toks[3:]
        if rest and rest[0].text == "(" and rest[0].start == toks[2].end:
            self.__skip(lineno, name, "function-like macro")
            return
        try:
            val = _eval_tokens(rest, self.__types)
        except _Unsupported as e:
            self.__skip(lineno, name, "{} in {!r}".format(
                e, _expr_text(rest)))
            return
        self[name] = val.value
        self.__types[name] = val

    def __skip(self, lineno, name, why):
        self.__skipped.append((name, why))
        # stacklevel: __skip <- __define <- __init__ <- the program.
        warnings.warn("CDefine: line {}: skipped {}: {}".format(
            lineno, name or "line", why), CParseWarning, stacklevel=4)

    def skipped(self):
        """Return ``[(name, reason), ...]`` for the lines not defined."""
        return list(self.__skipped)

    def __setitem__(self, name, value):
        """Define ``name`` (item and attribute) and index its value."""
        dict.__setitem__(self, name, value)
        object.__setattr__(self, name, value)
        self.__reversedict[value] = name
        self.__types.pop(name, None)
        if isinstance(value, int):
            try:
                self.__types[name] = _typed(value)
            except _Unsupported:
                pass

    def value2key(self, value):
        """Return the name defined with ``value`` (last wins), or ``None``."""
        return self.__reversedict.get(value)

    def oldvalue2key(self, value):
        """Return the first name defined with ``value``, or ``None``."""
        for k, v in self.items():
            if v == value:
                return k
        return None


# ........................ struct/union definitions .......................

_QUALIFIERS = {"const", "volatile", "restrict", "__restrict", "register",
               "static", "extern", "__volatile__", "__const"}
_SU_KEYWORDS = ("struct", "union", "enum")

_Decl = namedtuple("_Decl", "name specs stars dims funcptr ctype line")


def _parse_su(text):
    """Parse a struct/union definition into (kind, tag, [_Decl])."""
    toks = _tokenize(text)
    pos = 0
    if pos >= len(toks) or toks[pos].text not in ("struct", "union"):
        raise CParseError(_where(toks, pos, "expected 'struct' or 'union'"))
    kind = toks[pos].text
    pos += 1
    if pos >= len(toks) or toks[pos].kind != "id":
        raise CParseError(_where(toks, pos, "expected a tag name"))
    tag = toks[pos].text
    pos += 1
    if pos >= len(toks) or toks[pos].text != "{":
        raise CParseError(_where(toks, pos, "expected '{'"))
    pos += 1
    decls = []
    while True:
        if pos >= len(toks):
            raise CParseError(_where(toks, pos, "expected '}'"))
        if toks[pos].text == "}":
            break
        end = _expr_end(toks, pos, (";", "}"))
        if end >= len(toks) or toks[end].text != ";":
            raise CParseError(_where(toks, end, "expected ';'"))
        if end > pos:
            decls.extend(_parse_member(toks[pos:end]))
        pos = end + 1
    pos += 1
    if pos < len(toks) and toks[pos].text == ";":
        pos += 1
    if pos < len(toks):
        raise CParseError(_where(toks, pos, "unexpected text after '}'"))
    return kind, tag, decls


def _parse_member(toks):
    """Parse one member declaration (no ';') into a list of _Decl."""
    line = toks[0].line
    specs = []
    i = 0
    # Specifiers: identifiers up to the first declarator.  The last
    # identifier before '*', '[', ',' or the end is the member name.
    while i < len(toks) and toks[i].kind == "id":
        if toks[i].text in _SU_KEYWORDS:
            if i + 1 < len(toks) and toks[i + 1].text == "{":
                raise CParseError("line {}: nested definitions are not "
                                  "supported".format(line))
        nxt = toks[i + 1].text if i + 1 < len(toks) else None
        if nxt in (None, ",", "[", ":") and specs and \
                specs[-1] not in _SU_KEYWORDS:
            break
        specs.append(toks[i].text)
        i += 1
    if not specs or all(s in _QUALIFIERS for s in specs):
        raise CParseError("line {}: expected a type in {!r}".format(
            line, _expr_text(toks)))
    decls = []
    while True:
        decl, i = _parse_declarator(toks, i, specs, line)
        decls.append(decl)
        if i >= len(toks):
            return decls
        if toks[i].text == ":":
            raise CParseError("line {}: bitfields are not supported".format(
                line))
        if toks[i].text != ",":
            raise CParseError("line {}: unexpected {!r}".format(
                line, toks[i].text))
        i += 1


def _parse_dims(toks, i, line):
    dims = []
    while i < len(toks) and toks[i].text == "[":
        end = _expr_end(toks, i + 1, ("]",))
        if end >= len(toks):
            raise CParseError("line {}: expected ']'".format(line))
        if end == i + 1:
            dims.append(None)           # flexible array member
        else:
            try:
                n = _eval_tokens(toks[i + 1:end], {}).value
            except _Unsupported as e:
                raise CParseError("line {}: array size {!r}: {}".format(
                    line, _expr_text(toks[i + 1:end]), e)) from None
            if n < 0:
                raise CParseError("line {}: negative array size".format(
                    line))
            dims.append(n)
        i = end + 1
    return dims, i


def _dims_text(dims):
    return "".join("[]" if d is None else "[{}]".format(d) for d in dims)


def _parse_declarator(toks, i, specs, line):
    """Parse ``*name[..]`` or ``(*name[..])(args)[..]`` from ``i``."""
    stars = 0
    while i < len(toks) and toks[i].text == "*":
        stars += 1
        i += 1
    while i < len(toks) and toks[i].text in _QUALIFIERS:
        i += 1
    base = " ".join(specs)
    if i + 1 < len(toks) and toks[i].text == "(" and \
            toks[i + 1].text == "*":
        # Function pointer: ret (*name[dims])(args)[dims]
        i += 2
        if i >= len(toks) or toks[i].kind != "id":
            raise CParseError("line {}: expected a function pointer "
                              "name".format(line))
        name = toks[i].text
        dims, i = _parse_dims(toks, i + 1, line)
        if i >= len(toks) or toks[i].text != ")":
            raise CParseError("line {}: expected ')'".format(line))
        i += 1
        if i >= len(toks) or toks[i].text != "(":
            raise CParseError("line {}: expected '('".format(line))
        end = _expr_end(toks, i + 1, (")",))
        if end >= len(toks):
            raise CParseError("line {}: expected ')'".format(line))
        tail, i = _parse_dims(toks, end + 1, line)
        ret = base + " " + "*" * stars if stars else base + " "
        # Arguments are dropped, as by the original ("void (*)()").
        ctype = "{}(*{})(){}".format(ret, _dims_text(dims), _dims_text(tail))
        return _Decl(name, specs, stars, tuple(dims + tail), True, ctype,
                     line), i
    if i >= len(toks) or toks[i].kind != "id":
        raise CParseError("line {}: expected a member name".format(line))
    name = toks[i].text
    dims, i = _parse_dims(toks, i + 1, line)
    ctype = (base + " " + "*" * stars if stars else base) + _dims_text(dims)
    return _Decl(name, specs, stars, tuple(dims), False, ctype, line), i


def parseSUDef(s):
    """Parse a simple ``struct``/``union`` definition.

    Returns ``(name, [(type_string, field_name), ...])``, e.g.
    ``("struct OneTwo", [("unsigned long", "ul"), ("int *[32]", "ia"),
    ("void (*)()", "func1")])``: stars and array sizes go to the type
    string as gdb writes it, function pointers lose their arguments.
    Supports several declarators per line (``int a, *b;``), ``[]`` and
    constant expressions in array sizes; nested definitions and bitfields
    raise :class:`CParseError`.
    """
    kind, tag, decls = _parse_su(s)
    return ("{} {}".format(kind, tag), [(d.ctype, d.name) for d in decls])


# ......................... x86_64 struct layout ..........................

#: Layout of one member computed by :func:`struct_layout`.
#:
#: ``offset``/``size``/``align`` in bytes (``size`` covers all array
#: elements, ``elsize`` one); ``dims`` the array dimensions (``0`` for
#: ``[]``); ``basetype`` the specifiers without qualifiers (``"struct
#: net_device"``, ``"unsigned int"``); ``ptrlevel`` the number of ``*``;
#: ``funcptr`` true for function pointers; ``kind`` one of ``"int"``,
#: ``"bool"``, ``"float"``, ``"pointer"``, ``"struct"``, ``"union"``,
#: ``"enum"``, ``"other"``; ``signed`` true/false for integers, else None.
FieldLayout = namedtuple(
    "FieldLayout",
    "name ctype offset size align elsize dims basetype ptrlevel funcptr "
    "kind signed")

_POINTER = (8, 8, "pointer", None)

# name -> (size, align, kind, signed) for common kernel/libc typedefs.
_TYPEDEFS = {}
for _names, _info in (
        ("u8 __u8 uint8_t u_char uchar", (1, 1, "int", False)),
        ("s8 __s8 int8_t", (1, 1, "int", True)),
        ("u16 __u16 __le16 __be16 uint16_t umode_t u_short ushort",
         (2, 2, "int", False)),
        ("s16 __s16 int16_t", (2, 2, "int", True)),
        ("u32 __u32 __le32 __be32 __wsum uint32_t uid_t gid_t gfp_t "
         "fmode_t dev_t u_int uint", (4, 4, "int", False)),
        ("s32 __s32 int32_t pid_t", (4, 4, "int", True)),
        ("u64 __u64 __le64 __be64 uint64_t size_t dma_addr_t phys_addr_t "
         "resource_size_t sector_t blkcnt_t uintptr_t u_long ulong",
         (8, 8, "int", False)),
        ("s64 __s64 int64_t ssize_t loff_t off_t time64_t ktime_t "
         "intptr_t ptrdiff_t", (8, 8, "int", True)),
        ("bool _Bool", (1, 1, "bool", False)),
        ("atomic_t", (4, 4, "other", None)),
        ("atomic64_t atomic_long_t", (8, 8, "other", None))):
    for _n in _names.split():
        _TYPEDEFS[_n] = _info
del _names, _info, _n

_BUILTIN_WORDS = {"signed", "unsigned", "char", "short", "int", "long",
                  "float", "double", "_Bool", "bool", "void"}


class SULayout:
    """Layout of a struct/union computed by :func:`struct_layout`.

    Attributes: ``name`` (``"struct foo"``), ``kind`` (``"struct"`` or
    ``"union"``), ``size``, ``align`` and ``fields`` (a list of
    :data:`FieldLayout` in declaration order).  ``layout["member"]``
    returns one :data:`FieldLayout`.
    """

    def __init__(self, name, kind, size, align, fields):
        """Store the computed layout."""
        self.name = name
        self.kind = kind
        self.size = size
        self.align = align
        self.fields = fields
        self._byname = {f.name: f for f in fields}

    def __getitem__(self, name):
        """Return the :data:`FieldLayout` of member ``name``."""
        return self._byname[name]

    def __contains__(self, name):
        """Return whether ``name`` is a member."""
        return name in self._byname

    def __repr__(self):
        """Return ``<SULayout struct foo size=N align=M fields=K>``."""
        return "<SULayout {} size={} align={} fields={}>".format(
            self.name, self.size, self.align, len(self.fields))


def _natural_align(size):
    align = 1
    while align < 8 and size % (align * 2) == 0:
        align *= 2
    return align if size else 1


def _base_info(specs, sizes, line, size_of=None):
    """(basetype, size, align, kind, signed) of the non-pointer base.

    A type neither ``sizes`` nor the built-in tables know is asked of
    ``size_of`` (its size is then kept in ``sizes``).
    """
    words = [w for w in specs if w not in _QUALIFIERS]
    basetype = " ".join(words)
    if basetype not in sizes and size_of is not None and \
            _needs_size(words, basetype):
        sizes[basetype] = size_of(basetype)
    if basetype in sizes:
        known = sizes[basetype]
        if isinstance(known, SULayout):
            size, align = known.size, known.align
        elif isinstance(known, int):
            size, align = known, _natural_align(known)
        else:
            size, align = known
        kind = words[0] if words[0] in _SU_KEYWORDS else "other"
        info = _TYPEDEFS.get(basetype)
        if info and info[0] == size:
            kind = info[2]
        return basetype, size, align, kind, info[3] if info else None
    if words[0] == "enum" and len(words) == 2:
        return basetype, 4, 4, "enum", None
    if words[0] in _SU_KEYWORDS:
        raise CParseError("line {}: unknown size of '{}': give it in "
                          "sizes".format(line, basetype))
    if basetype in _TYPEDEFS:
        size, align, kind, signed = _TYPEDEFS[basetype]
        return basetype, size, align, kind, signed
    if not set(words) <= _BUILTIN_WORDS or "void" in words:
        raise CParseError("line {}: unknown size of '{}': give it in "
                          "sizes".format(line, basetype))
    signed = "unsigned" not in words
    nlong = words.count("long")
    if "char" in words:
        return basetype, 1, 1, "int", signed
    if "short" in words:
        return basetype, 2, 2, "int", signed
    if "_Bool" in words or "bool" in words:
        return basetype, 1, 1, "bool", False
    if "float" in words:
        return basetype, 4, 4, "float", None
    if "double" in words:
        return (basetype, 16, 16, "float", None) if nlong \
            else (basetype, 8, 8, "float", None)
    if nlong:
        return basetype, 8, 8, "int", signed
    return basetype, 4, 4, "int", signed


def _needs_size(words, basetype):
    """Whether the built-in tables cannot give the size of ``basetype``."""
    if words[0] == "enum" and len(words) == 2:
        return False
    if words[0] in _SU_KEYWORDS:
        return True
    if basetype in _TYPEDEFS:
        return False
    return not set(words) <= _BUILTIN_WORDS or "void" in words


def struct_layout(text, sizes=None, size_of=None):
    """Compute the x86_64 (LP64) layout of a simple struct/union.

    ``text`` is what :func:`parseSUDef` accepts.  Members get natural
    alignment (as gcc without ``packed``): C integer types, ``bool``,
    ``float``/``double``, pointers (8 bytes), ``enum`` (4), common kernel
    typedefs (``u32``, ``size_t``, ``atomic_t``...) and arrays of these.
    ``sizes`` maps other type names (``"struct list_head"``, a typedef)
    to a size, a ``(size, align)`` pair or an :class:`SULayout`; it also
    overrides built-in typedefs.  ``size_of(name)``, if given, gives the
    size of a type neither table knows (e.g. from the debuginfo); without
    it such a type is a :class:`CParseError`.  Returns an :class:`SULayout`.

    C equivalent: ``offsetof()``/``sizeof()`` of the same definition
    compiled by gcc for x86_64.
    """
    sizes = dict(sizes or {})
    kind, tag, decls = _parse_su(text)
    fields = []
    offset, maxalign = 0, 1
    for n, d in enumerate(decls):
        if d.stars or d.funcptr:
            words = [w for w in d.specs if w not in _QUALIFIERS]
            basetype = " ".join(words)
            elsize, align, fkind, signed = _POINTER
        else:
            basetype, elsize, align, fkind, signed = _base_info(
                d.specs, sizes, d.line, size_of)
        count = 1
        dims = tuple(0 if x is None else x for x in d.dims)
        for x in dims:
            count *= x
        if None in d.dims and (n != len(decls) - 1 or kind == "union"):
            raise CParseError("line {}: flexible array member '{}' is not "
                              "last".format(d.line, d.name))
        if kind == "struct":
            offset = (offset + align - 1) // align * align
            here = offset
            offset += elsize * count
        else:
            here = 0
            offset = max(offset, elsize * count)
        maxalign = max(maxalign, align)
        fields.append(FieldLayout(d.name, d.ctype, here, elsize * count,
                                  align, elsize, dims, basetype,
                                  d.stars, d.funcptr, fkind, signed))
    size = (offset + maxalign - 1) // maxalign * maxalign
    return SULayout("{} {}".format(kind, tag), kind, size, maxalign, fields)


# ............................ text tables ................................

def parser_header_tabs(txt, anyws=False, skip=0):
    """Parse a table whose first line (after ``skip``) names the columns.

    Fields are split on runs of tabs (or of any whitespace with
    ``anyws``); blank lines are ignored.  Returns one dict per data line,
    header name -> field; fields beyond the header go to ``"__extra"``
    (a list), missing ones are simply absent.
    """
    lines = txt.splitlines()[skip:]
    if not lines:
        return []
    ws = r"\s+" if anyws else r"\t+"
    hnames = re.split(ws, lines[0])
    out = []
    for line in lines[1:]:
        if not line.strip():
            continue
        fields = re.split(ws, line)
        d = dict(zip(hnames, fields))
        if len(fields) > len(hnames):
            d["__extra"] = fields[len(hnames):]
        out.append(d)
    return out


def actionToInt(s, loc, toks):
    """pyparsing-style action: C integer literal ``toks[0]`` to int.

    A leading ``0`` means octal, as in C.
    """
    try:
        return int(toks[0], 0)
    except ValueError:
        return int(toks[0], 8)


def actionToHex(s, loc, toks):
    """pyparsing-style action: hexadecimal ``toks[0]`` to int."""
    return int(toks[0], 16)

# SPDX-License-Identifier: GPL-2.0-or-later
"""Generic helpers that need neither crash nor the dump.

Bottom layer of the package (with :mod:`pykdump.logging`): it imports no
other pykdump module and no C module, so it is unit-tested under plain
``python3``.  What it offers, as the original PyKdump ``Generic`` did:

* containers: :class:`Bunch`, :class:`DataCache` and its instance
  :data:`DCache` (scratch data surviving, or not, between ``epython`` runs);
* small utilities: :class:`LazyEval`, :class:`TrueOnce`, :func:`iterN`,
  :func:`dbits2str`, :func:`print2columns`;
* module introspection: :func:`getCurrentModule`, :func:`patch_default_kw`;
* the tunables registry :data:`PyCtl` filled by :func:`registerModuleAttr`
  and :func:`registerObjAttrHandler`, listed and changed by the ``pyctl``
  program.

``__all__`` lists what ``from pykdump.API import *`` re-exports; the
other public names (:class:`LazyEval`, :class:`DataCache`, :class:`_Bunch`,
:data:`PyCtl`, :func:`getFrameLocals`, :func:`formatargs`) are imported
explicitly, as with the original.
"""

import inspect
import itertools
import sys

# Section 2 of the API reference: the names API re-exports.
__all__ = [
    "Bunch", "DCache", "TrueOnce", "iterN", "dbits2str", "print2columns",
    "getCurrentModule", "patch_default_kw", "registerModuleAttr",
    "registerObjAttrHandler",
]


class LazyEval:
    """Non-data descriptor computing an attribute on first access.

    ``LazyEval(name, method)`` placed in a class as attribute ``name``
    calls ``method(instance)`` the first time ``instance.name`` is read and
    stores the result as an ordinary instance attribute of the same name,
    which hides the descriptor from then on (``TypeInfo``/``VarInfo`` use
    it for values that cost a crash query).
    """

    def __init__(self, name, meth):
        """Remember the attribute ``name`` and the computing ``meth``."""
        self.name = name
        self.meth = meth

    def __get__(self, obj, objtype=None):
        """Compute, cache on ``obj`` and return the value."""
        if obj is None:
            return self
        val = self.meth(obj)
        setattr(obj, self.name, val)
        return val


class Bunch(dict):
    """A dict whose items are also attributes.

    ``b.x = 1`` and ``b["x"] = 1`` both update the mapping and the
    attribute; every dict mutator keeps the two in sync.  ``str()`` gives
    one ``   key          value`` line per key, sorted.
    """

    def __init__(self, d=None, **kwargs):
        """Build from an optional mapping and keyword arguments."""
        dict.__init__(self)
        self.update(d or {}, **kwargs)

    def __setattr__(self, name, value):
        """Set item and attribute ``name``."""
        dict.__setitem__(self, name, value)
        object.__setattr__(self, name, value)

    def __setitem__(self, name, value):
        """Set item and attribute ``name``."""
        dict.__setitem__(self, name, value)
        if isinstance(name, str):
            object.__setattr__(self, name, value)

    def __delattr__(self, name):
        """Delete item and attribute ``name``."""
        dict.__delitem__(self, name)
        object.__delattr__(self, name)

    def __delitem__(self, name):
        """Delete item and attribute ``name``."""
        dict.__delitem__(self, name)
        if isinstance(name, str):
            self.__dict__.pop(name, None)

    def update(self, *args, **kwargs):
        """Like :meth:`dict.update`, keeping attributes in sync."""
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def setdefault(self, key, default=None):
        """Like :meth:`dict.setdefault`, keeping attributes in sync."""
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        """Like :meth:`dict.pop`, keeping attributes in sync."""
        if key in self:
            val = dict.__getitem__(self, key)
            del self[key]
            return val
        return dict.pop(self, key, *default)

    def popitem(self):
        """Like :meth:`dict.popitem`, keeping attributes in sync."""
        key, val = dict.popitem(self)
        if isinstance(key, str):
            self.__dict__.pop(key, None)
        return key, val

    def clear(self):
        """Remove all items and their attributes."""
        for name in list(self.keys()):
            if isinstance(name, str):
                self.__dict__.pop(name, None)
        dict.clear(self)

    def copy(self):
        """Return a shallow copy of the same class."""
        return type(self)(dict(self))

    def __str__(self):
        """Return sorted ``   key          value`` lines."""
        return "\n".join("   {:<12s} {}".format(str(k), self[k])
                         for k in sorted(self.keys(), key=str))


class _Bunch(Bunch):
    """A :class:`Bunch` where reading a missing attribute gives ``None``.

    Used for :attr:`DataCache.tmp` and :attr:`DataCache.perm`, so programs
    can test ``if DCache.tmp.seen:`` without initialising it.  Dunder names
    still raise :class:`AttributeError` (``copy``/``pickle`` probe them).
    """

    def __getattr__(self, name):
        """Return ``None`` for a missing, non-dunder attribute."""
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return None


class DataCache:
    """Program scratch storage: ``tmp`` (per run) and ``perm`` (session).

    The API enter hook calls :meth:`cleartmp` before each ``epython`` run;
    ``perm`` lives as long as the crash session.
    """

    def __init__(self):
        """Create the two empty stores."""
        self._tmp = _Bunch()
        self._perm = _Bunch()

    @property
    def tmp(self):
        """The per-run :class:`_Bunch`."""
        return self._tmp

    @property
    def perm(self):
        """The per-session :class:`_Bunch`."""
        return self._perm

    def cleartmp(self):
        """Empty :attr:`tmp`."""
        self._tmp.clear()

    def clearperm(self):
        """Empty :attr:`perm`."""
        self._perm.clear()

    def __str__(self):
        """Return ``"N in tmp, M in perm"``."""
        return "{} in tmp, {} in perm".format(len(self._tmp),
                                              len(self._perm))

    def dump(self):
        """Print the non-empty stores."""
        if self._tmp:
            print("   ** DCache.tmp **")
            print(self._tmp)
        if self._perm:
            print("   ** DCache.perm **")
            print(self._perm)


DCache = DataCache()


def getCurrentModule(depth=1):
    """Return the module object of a frame on the call stack.

    ``depth=1`` is the caller of this function, ``2`` its caller, and so
    on.  Returns ``None`` if that frame's ``__name__`` is not a module in
    :data:`sys.modules`.
    """
    frame = sys._getframe(depth)
    return sys.modules.get(frame.f_globals.get("__name__"))


def getFrameLocals(depth=1):
    """Return the locals of a frame on the call stack (1 = the caller)."""
    return sys._getframe(depth).f_locals


def formatargs(*args, **kwargs):
    """Format call arguments as ``"a, b, 'k' = v"`` for debug messages."""
    out = [str(a) for a in args]
    out.extend("{!r} = {}".format(k, v) for k, v in kwargs.items())
    return ", ".join(out)


class _Pyctl:
    """Registry of run-time tunables, changed by the ``pyctl`` program.

    Each name maps to ``[func, module, kwargs, currentvalue]``: ``func``
    applies a new value and returns it, ``module`` registered it, and
    ``kwargs`` holds ``default``, ``type`` (string converter) and ``help``.
    """

    def __init__(self):
        """Create an empty registry."""
        self._names = {}

    def regfunc(self, name, f, _module=None, **kwargs):
        """Register (or replace) setter ``f`` for ``name``.

        A shallow copy of ``kwargs`` is kept for ``pyctl`` (``help``,
        ``default``, ``type``).  ``_module`` names the owner; by default
        the module calling this method.
        """
        if _module is None:
            _module = getCurrentModule(2)
        self._names[name] = [f, _module, dict(kwargs), None]

    def runfn(self, name, *args, **kwargs):
        """Call the setter of ``name`` and record its result as current."""
        f = self._names[name][0]
        self.setCurrentValue(name, f(*args, **kwargs))

    def Dump(self):
        """Print every registered name with its owner and setter."""
        for name, (f, mod, kwargs, cur) in self._names.items():
            modname = getattr(mod, "__name__", mod)
            print("name={!r} {}\n\tfunc={}, kwargs={!r} value={!r}".format(
                name, modname, getattr(f, "__name__", f), kwargs, cur))

    def getDict(self):
        """Return the registry dict (name -> [func, mod, kwargs, value])."""
        return self._names

    def setCurrentValue(self, name, newval):
        """Record ``newval`` as the current value of ``name``."""
        self._names[name][3] = newval

    # The original misspelt name, kept: pyctl-style code calls it.
    setCurentValue = setCurrentValue

    def TypeConv(self, name):
        """Return the converter from text to the value type of ``name``."""
        return self._names[name][2].get("type", int)


PyCtl = _Pyctl()


def registerObjAttrHandler(o, attrname, pyctlname=None, default=None,
                           **kwargs):
    """Make attribute ``attrname`` of object ``o`` a ``pyctl`` tunable.

    The attribute is set to ``default`` (or keeps its current value when
    ``default`` is ``None`` and it exists) and a setter is registered in
    :data:`PyCtl` under ``pyctlname`` (default: ``attrname``).  Further
    keywords (``help``, ``type``) are stored for ``pyctl``.
    """
    owner = kwargs.pop("_module", None)
    if owner is None:
        owner = getCurrentModule(2)
    if pyctlname is None:
        pyctlname = attrname

    def _setter(value):
        setattr(o, attrname, value)
        return value

    if default is None and hasattr(o, attrname):
        default = getattr(o, attrname)
    kwargs.setdefault("type", int)
    kwargs.setdefault("help", "")
    current = _setter(default)
    PyCtl.regfunc(pyctlname, _setter, _module=owner, pyctlname=pyctlname,
                  default=default, **kwargs)
    PyCtl.setCurrentValue(pyctlname, current)


def registerModuleAttr(attrname, pyctlname=None, default=None, help="",
                       type=int):
    """Make global ``attrname`` of the calling module a ``pyctl`` tunable.

    Used for debug levels (``debugMemoize``, ``debugReload``, ...): the
    global is created with ``default`` unless it already exists and
    ``default`` is ``None``.
    """
    cmod = getCurrentModule(2)
    registerObjAttrHandler(cmod, attrname, pyctlname, default, help=help,
                           type=type, _module=cmod)


class TrueOnce:
    """An object that is true for its first ``n`` truth tests only.

    ``twice = TrueOnce(2)`` then ``if twice:`` succeeds two times.
    """

    def __init__(self, v=1):
        """Allow ``v`` true evaluations."""
        self.v = v

    def __bool__(self):
        """Return ``True`` while the budget lasts, consuming one unit."""
        if self.v > 0:
            self.v -= 1
            return True
        return False


def iterN(seq, N):
    """Yield at most ``N`` items of ``seq`` (an iterable, maybe infinite).

    A shorter sequence simply ends the iteration.
    """
    # The original let next() raise inside a generator, which PEP 479
    # turns into RuntimeError for sequences shorter than N; fixed.
    return itertools.islice(seq, max(N, 0))


def dbits2str(flags, d, offset=0):
    """Decode the single-bit values set in ``flags`` as ``A|B|C``.

    ``d`` maps names to values (a dict, :class:`~pykdump.tparser.CDefine`);
    entries whose value is not exactly one bit are ignored, names lose
    their first ``offset`` characters, order follows ``d``.  Example: IFF
    flags ``0x1003`` -> ``"UP|BROADCAST|MULTICAST"``.
    """
    out = []
    for name, val in d.items():
        if isinstance(val, int) and val > 0 and not val & (val - 1) \
                and flags & val:
            out.append(name[offset:])
    return "|".join(out)


def print2columns(left, right):
    """Print two multi-line strings side by side (left padded to 38)."""
    for lft, rgt in itertools.zip_longest(left.split("\n"),
                                          right.split("\n"), fillvalue=""):
        print(lft.ljust(38), rgt)


_debugMP_KW = 0


def patch_default_kw(mod, kname, newval):
    """Change default ``kname=`` of keyword-only parameters in ``mod``.

    Every function defined in module ``mod``, and every method of every
    class defined there, that has a keyword-only parameter ``kname`` with
    a default gets ``newval`` as its new default (``setListMaxel`` uses it
    for ``maxel``).  Decorated functions are patched through
    ``__wrapped__``.
    """
    modname = mod.__name__
    seen = set()

    def callables():
        for attr in list(vars(mod).values()):
            if getattr(attr, "__module__", None) != modname:
                continue
            if inspect.isclass(attr):
                for member in list(vars(attr).values()):
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    elif isinstance(member, property):
                        continue
                    if callable(member):
                        yield member
            elif callable(attr):
                yield attr

    for co in callables():
        while co is not None and id(co) not in seen:
            seen.add(id(co))
            kwd = getattr(co, "__kwdefaults__", None)
            if kwd and kname in kwd:
                if _debugMP_KW:
                    print("-- patching", co, kname, "->", newval)
                kwd[kname] = newval
            co = getattr(co, "__wrapped__", None)


registerModuleAttr("_debugMP_KW", "debugMP_KW", default=0,
                   help="Debug Monkey-Patching of default keywords")

# SPDX-License-Identifier: GPL-2.0-or-later
"""Memoization caches that live for the whole crash session.

The interpreter and its modules persist across ``epython`` runs, so these
caches do too; each entry carries flags saying what invalidates it:

* :data:`CU_LIVE` - never memoized when the session is live
  (:func:`set_live`), since the data changes under us;
* :data:`CU_LOAD` - dropped when module debuginfo is loaded (the type
  generation changes, see :func:`set_generation_source`) or on request;
* :data:`CU_PYMOD` - dropped by ``--reload`` (entries may hold classes of
  reloaded modules);
* :data:`CU_TIMEOUT` - dropped when ``--timeout`` grows.

:func:`memoize_typeinfo` caches type queries keyed by type name, so
:func:`purge_typeinfo` can drop one type; that cache is also dropped as a
whole when the type generation changes.  :func:`PY_select` remembers, per
call site, which of several expressions works on this kernel.

Imports only :mod:`pykdump.Generic` (no crash): the C module's
``crash.type_generation`` reaches us through :func:`set_generation_source`.

``__all__`` lists what ``from pykdump.API import *`` re-exports; the API
itself imports :func:`set_live`, :func:`set_generation_source`,
:func:`purge_all` and :func:`add_typeinfo_purge_hook` explicitly.
"""

import functools
import sys

from .Generic import registerModuleAttr

__all__ = [
    "memoize_cond", "memoize_typeinfo", "purge_memoize_cache",
    "purge_typeinfo", "PY_select", "PY_select_purge",
    "CU_LIVE", "CU_LOAD", "CU_PYMOD", "CU_TIMEOUT",
]

CU_LIVE = 1         # not memoized on a live kernel
CU_LOAD = 2         # purged when module debuginfo is loaded
CU_PYMOD = 4        # purged when Python modules are reloaded
CU_TIMEOUT = 8      # purged when the command timeout grows

debugMemoize = 0
registerModuleAttr("debugMemoize", default=0,
                   help="Debug memoization caches (1-3)")

#: True when the dump is a live kernel: set by the framework through
#: :func:`set_live`.
livedump = False

# (type name, function id, *rest) -> value; also (name, MemoizeSU) -> SUInfo
_typeinfo_cache = {}
# (flags, function id, *args[, kwargs marker]) -> value
_memoize_cache = {}
# ((file, line), expressions) -> (code, expression)
_PY_select_cache = {}

_UNSET = object()
# The attribute memoize_cond's wrapper carries: the MEMOIZE keyword of
# its latest call (True before any).
_MEMOIZE_ATTR = "__memoize"
_generation_source = None
_generation = _UNSET
_purge_hooks = {}


class _KwArgs(tuple):
    """Sorted keyword arguments inside a cache key (never equal to args)."""

    __slots__ = ()

    def __eq__(self, other):
        return type(other) is _KwArgs and tuple.__eq__(self, other)

    def __ne__(self, other):
        return not self == other

    __hash__ = tuple.__hash__


def _fn_id(fn):
    """Identify ``fn`` in cache keys: module, qualified name, source line.

    Fixes §24.6 (collisions): the original keyed on ``fn.__name__`` only,
    so two programs' ``__main__.get_data`` shared one entry.
    """
    code = getattr(fn, "__code__", None)
    where = (code.co_filename, code.co_firstlineno) if code else ()
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__",
                                                        repr(fn))
    return (getattr(fn, "__module__", None), name) + where


def _key(head, args, kwargs):
    if kwargs:
        return head + args + (_KwArgs(sorted(kwargs.items())),)
    return head + args


def set_live(flag=True):
    """Tell the caches whether the session is a live kernel.

    While live, functions decorated with a :data:`CU_LIVE` flag run every
    time; entries cached before are dropped when the flag turns on.
    """
    global livedump
    livedump = bool(flag)
    if livedump:
        purge_memoize_cache(CU_LIVE)


def set_generation_source(fn):
    """Use ``fn()`` (an int, e.g. ``crash.type_generation``) as type version.

    When the value changes (module debuginfo was loaded or unloaded), the
    typeinfo cache, :data:`CU_LOAD` entries and purge hooks are flushed
    on the next cached call.  ``None`` disables the check.  ``fn`` is not
    called here, so this is safe at import time.
    """
    global _generation_source, _generation
    _generation_source = fn
    _generation = _UNSET


def check_generation():
    """Flush type-dependent caches if the type generation changed.

    Returns ``True`` when a flush happened.  The first value seen after
    :func:`set_generation_source` is only recorded.
    """
    global _generation
    src = _generation_source
    if src is None:
        return False
    gen = src()
    if gen == _generation:
        return False
    first = _generation is _UNSET
    _generation = gen
    if first:
        return False
    if debugMemoize:
        print("type generation changed to", gen, "- purging caches")
    purge_typeinfo()
    purge_memoize_cache(CU_LOAD)
    return True


def add_typeinfo_purge_hook(fn):
    """Call ``fn(name)`` whenever :func:`purge_typeinfo` runs.

    ``name`` is the purged type name, or ``None`` for "everything" (also
    after a type generation change).  Lets higher layers drop their own
    per-type caches (StructResult classes, ``whatis``).  Registering a
    function with the same module and name again replaces it, so module
    reloads do not pile up hooks.
    """
    _purge_hooks[_fn_id(fn)[:2]] = fn


def memoize_typeinfo(fn):
    """Memoize a type query whose first argument is the type name.

    Key: ``(first_arg, function id, *other_args)`` plus keyword arguments,
    which are forwarded.  Calls with unhashable arguments are not cached.
    """
    fid = _fn_id(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _generation_source is not None:
            check_generation()
        first = args[0] if args else None
        key = _key((first, fid), args[1:], kwargs)
        try:
            return _typeinfo_cache[key]
        except KeyError:
            pass
        except TypeError:               # unhashable argument
            return fn(*args, **kwargs)
        val = fn(*args, **kwargs)
        _typeinfo_cache[key] = val
        return val
    return wrapper


def purge_typeinfo(sn=None):
    """Drop typeinfo entries for type name ``sn``, or all with ``None``.

    Also runs the hooks of :func:`add_typeinfo_purge_hook`.
    """
    if sn is None:
        _typeinfo_cache.clear()
    else:
        for k in [k for k in _typeinfo_cache if k[0] == sn]:
            del _typeinfo_cache[k]
    for hook in list(_purge_hooks.values()):
        hook(sn)


class MemoizeSU(type):
    """Metaclass making one instance per type name (``SUInfo``).

    Instances live in the typeinfo cache under ``(name, MemoizeSU)``, so
    :func:`purge_typeinfo` and a type generation change drop them.
    """

    def __call__(cls, *args, **kwargs):
        """Return the cached instance for ``args[0]`` or create it."""
        if _generation_source is not None:
            check_generation()
        key = (args[0], MemoizeSU)
        try:
            return _typeinfo_cache[key]
        except KeyError:
            rc = super().__call__(*args, **kwargs)
            _typeinfo_cache[key] = rc
            return rc

    @staticmethod
    def purgecache(sn=None):
        """Same as :func:`purge_typeinfo`."""
        purge_typeinfo(sn)


def memoize_cond(condition):
    """Decorator factory: memoize a function, tagging entries ``condition``.

    ``condition`` is an OR of ``CU_*`` flags saying what invalidates the
    entries (:func:`purge_memoize_cache`).  The key is ``(condition,
    function id, *args)`` plus keyword arguments, which are forwarded;
    ``MEMOIZE=False`` bypasses the cache for one call.  With
    :data:`CU_LIVE` nothing is cached on a live kernel; exceptions and
    calls with unhashable arguments are never cached.  The wrapper's
    ``__memoize`` attribute is the ``MEMOIZE`` keyword of its latest call
    (as in PyKdump, where programs pass it on to ``exec_crash_command``).
    """
    def deco(fn):
        fid = _fn_id(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            memoize = kwargs.pop("MEMOIZE", True)
            # PyKdump programs read the keyword of the current call back
            # inside the function (``exec_bt.__memoize`` in LinuxDump's
            # BTstack).  setattr: a ``wrapper.__memoize`` written in a
            # class body would be name-mangled.
            setattr(wrapper, _MEMOIZE_ATTR, memoize)
            if not memoize:
                return fn(*args, **kwargs)
            # Fixes §24.6: the original never set livedump, so CU_LIVE
            # entries were memoized on live kernels too.
            if condition & CU_LIVE and livedump:
                if debugMemoize > 2:
                    print("do not memoize: live kernel", fid)
                return fn(*args, **kwargs)
            if condition & CU_LOAD and _generation_source is not None:
                check_generation()
            # Fixes §24.6: keyword arguments were dropped (never passed
            # to fn, absent from the key); now forwarded and keyed.
            key = _key((condition, fid), args, kwargs)
            try:
                return _memoize_cache[key]
            except KeyError:
                pass
            except TypeError:           # unhashable argument
                return fn(*args, **kwargs)
            if debugMemoize > 1:
                print("Memoizing", key)
            val = fn(*args, **kwargs)
            _memoize_cache[key] = val
            return val
        setattr(wrapper, _MEMOIZE_ATTR, True)
        return wrapper
    return deco


def purge_memoize_cache(flags):
    """Drop memoized entries whose flags share a bit with ``flags``."""
    for k in [k for k in _memoize_cache if k[0] & flags]:
        if debugMemoize > 1:
            print("Purging cache entry", k)
        del _memoize_cache[k]


def print_memoize_cache():
    """Print every memoized key and value (debugging aid)."""
    for k, v in list(_memoize_cache.items()):
        try:
            print(k, v)
        except Exception as val:       # a value whose repr fails
            print("\n\t", val, "key=", k)


def PY_select(*exprs):
    """Return the value of the first expression that works here.

    Each string in ``exprs`` is evaluated in the caller's globals and
    locals; the first one not raising ``KeyError``, ``NameError``,
    ``TypeError`` or ``AttributeError`` wins and its value is returned
    (``None`` if none works).  The winner is remembered for this call site
    (file, line) and these expressions: later calls evaluate only it, and
    its errors propagate.  Typical use: ``PY_select("sk.sk_state",
    "sk.__sk_common.skc_state")`` across kernel versions.
    """
    frame = sys._getframe(1)
    outglobals, outlocals = frame.f_globals, frame.f_locals
    key = ((frame.f_code.co_filename, frame.f_lineno), exprs)
    cached = _PY_select_cache.get(key)
    if cached is not None:
        return eval(cached[0], outglobals, outlocals)
    for e in exprs:
        code = compile(e, "<PY_select>", "eval")
        try:
            val = eval(code, outglobals, outlocals)
        except (KeyError, NameError, TypeError, AttributeError):
            continue
        _PY_select_cache[key] = (code, e)
        return val
    return None


def PY_select_stats():
    """Print each remembered call site and the expression chosen there."""
    for (site, _exprs), (_code, e) in sorted(_PY_select_cache.items(),
                                             key=lambda kv: kv[0][0]):
        print("{} -> {}".format(site, e))


def PY_select_purge():
    """Forget every :func:`PY_select` choice (``--reload`` does this)."""
    _PY_select_cache.clear()


def purge_all():
    """Empty every cache of this module (typeinfo, memoize, PY_select)."""
    purge_typeinfo()
    _memoize_cache.clear()
    _PY_select_cache.clear()

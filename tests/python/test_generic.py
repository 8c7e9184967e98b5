# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of pykdump.Generic (plain python3, no crash)."""

import contextlib
import copy
import io
import itertools
import sys
import types
import unittest

from tests.python.support import undocumented
from pykdump import Generic
from pykdump.Generic import (
    Bunch, DataCache, DCache, LazyEval, PyCtl, TrueOnce, _Bunch, dbits2str,
    getCurrentModule, iterN, patch_default_kw, print2columns,
    registerObjAttrHandler)


def _stdout_of(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    return buf.getvalue()


def _make_module(name, source):
    """Create and register a module from source text."""
    mod = types.ModuleType(name)
    mod.__file__ = "<{}>".format(name)
    sys.modules[name] = mod
    exec(compile(source, mod.__file__, "exec"), mod.__dict__)
    return mod


class LazyEvalTest(unittest.TestCase):
    def test_computes_once_and_stores_instance_attribute(self):
        calls = []

        class T:
            size = LazyEval("size", lambda self: calls.append(1) or 42)

        t = T()
        self.assertEqual(t.size, 42)
        self.assertEqual(t.size, 42)
        self.assertEqual(len(calls), 1)
        self.assertEqual(t.__dict__["size"], 42)
        self.assertIsInstance(T.size, LazyEval)


class BunchTest(unittest.TestCase):
    def test_attribute_and_item_stay_in_sync(self):
        b = Bunch({"a": 1})
        b.b = 2
        b["c"] = 3
        self.assertEqual((b.a, b["b"], b.c), (1, 2, 3))
        self.assertEqual(dict(b), {"a": 1, "b": 2, "c": 3})
        del b.a
        del b["b"]
        self.assertEqual(dict(b), {"c": 3})
        self.assertFalse(hasattr(b, "a"))
        self.assertFalse(hasattr(b, "b"))

    def test_dict_mutators_update_attributes(self):
        b = Bunch(x=1)
        b.update({"y": 2}, z=3)
        self.assertEqual((b.x, b.y, b.z), (1, 2, 3))
        self.assertEqual(b.setdefault("w", 4), 4)
        self.assertEqual(b.w, 4)
        self.assertEqual(b.pop("x"), 1)
        self.assertFalse(hasattr(b, "x"))
        self.assertEqual(b.pop("nothere", "dflt"), "dflt")
        b.clear()
        self.assertEqual(len(b), 0)
        self.assertFalse(hasattr(b, "y"))

    def test_key_named_like_a_method_reads_back_as_attribute(self):
        b = Bunch()
        b.items = [1]
        self.assertEqual(b.items, [1])

    def test_copy_is_shallow_and_independent(self):
        inner = [1]
        b = Bunch({"l": inner, "n": 1})
        c = b.copy()
        c.n = 2
        self.assertIsInstance(c, Bunch)
        self.assertEqual(b.n, 1)
        self.assertIs(c.l, inner)

    def test_str_lists_sorted_keys_padded_to_12(self):
        b = Bunch({"zeta": 1, "alpha": "x"})
        self.assertEqual(str(b), "   alpha        x\n   zeta         1")

    def test_missing_attribute_raises(self):
        with self.assertRaises(AttributeError):
            Bunch().nothere


class DataCacheTest(unittest.TestCase):
    def test_missing_attribute_reads_none(self):
        d = _Bunch()
        self.assertIsNone(d.never_set)
        d.x = 5
        self.assertEqual(d.x, 5)

    def test_dunder_lookup_still_raises_so_copy_works(self):
        d = _Bunch({"a": [1]})
        with self.assertRaises(AttributeError):
            d.__deepcopy_hook__
        c = copy.deepcopy(d)
        self.assertEqual(c.a, [1])
        self.assertIsNot(c.a, d.a)
        self.assertIsNone(c.missing)

    def test_cleartmp_clears_items_and_attributes(self):
        dc = DataCache()
        dc.tmp.seen = 1
        dc.perm.keep = 2
        self.assertEqual(str(dc), "1 in tmp, 1 in perm")
        dc.cleartmp()
        self.assertIsNone(dc.tmp.seen)
        self.assertEqual(len(dc.tmp), 0)
        self.assertEqual(dc.perm.keep, 2)
        dc.clearperm()
        self.assertIsNone(dc.perm.keep)
        self.assertEqual(str(dc), "0 in tmp, 0 in perm")

    def test_dump_prints_nonempty_stores(self):
        dc = DataCache()
        self.assertEqual(_stdout_of(dc.dump), "")
        dc.perm.k = 7
        self.assertEqual(_stdout_of(dc.dump),
                         "   ** DCache.perm **\n   k            7\n")

    def test_module_singleton(self):
        self.assertIsInstance(DCache, DataCache)
        self.assertIsInstance(DCache.tmp, _Bunch)


class SmallHelpersTest(unittest.TestCase):
    def test_trueonce_counts_truth_tests(self):
        t = TrueOnce(2)
        self.assertEqual([bool(t) for _ in range(4)],
                         [True, True, False, False])
        self.assertEqual([bool(t) for t in [TrueOnce()] * 2], [True, False])

    def test_iterN_limits_infinite_sequence(self):
        self.assertEqual(list(iterN(itertools.count(5), 3)), [5, 6, 7])

    def test_iterN_short_sequence_ends_without_error(self):
        self.assertEqual(list(iterN([1, 2], 5)), [1, 2])
        self.assertEqual(list(iterN([1, 2], 0)), [])

    def test_dbits2str_uses_single_bit_values_only(self):
        flags = {"IFF_UP": 1, "IFF_BROADCAST": 2, "IFF_BOTH": 3,
                 "IFF_ZERO": 0, "IFF_MULTICAST": 0x1000, "IFF_DEBUG": 4,
                 "IFF_NAME": "x"}
        self.assertEqual(dbits2str(0x1003, flags),
                         "IFF_UP|IFF_BROADCAST|IFF_MULTICAST")
        self.assertEqual(dbits2str(0x1003, flags, 4), "UP|BROADCAST|MULTICAST")
        self.assertEqual(dbits2str(0, flags), "")

    def test_print2columns_pads_left_to_38(self):
        out = _stdout_of(print2columns, "a\nbb", "X")
        self.assertEqual(out, "a" + " " * 37 + " X\n" + "bb" + " " * 36 +
                         " \n")


def _helper_returning_caller_module():
    return getCurrentModule(2)


class ModuleIntrospectionTest(unittest.TestCase):
    def test_getCurrentModule_returns_calling_module(self):
        self.assertIs(getCurrentModule(), sys.modules[__name__])
        mod = _make_module("_pk_test_gcm", "from pykdump.Generic import "
                           "getCurrentModule\n"
                           "def who():\n    return getCurrentModule()\n")
        try:
            self.assertIs(mod.who(), mod)
            self.assertIs(_helper_returning_caller_module(),
                          sys.modules[__name__])
        finally:
            del sys.modules["_pk_test_gcm"]

    def test_patch_default_kw_changes_functions_and_methods(self):
        src = (
            "import functools\n"
            "def f(a, *, maxel=10):\n    return maxel\n"
            "def g(a, maxel=10):\n    return maxel\n"
            "def deco(fn):\n"
            "    @functools.wraps(fn)\n"
            "    def w(*a, **k):\n        return fn(*a, **k)\n"
            "    return w\n"
            "@deco\n"
            "def h(*, maxel=10):\n    return maxel\n"
            "class C:\n"
            "    def m(self, *, maxel=10):\n        return maxel\n"
            "    @staticmethod\n"
            "    def s(*, maxel=10):\n        return maxel\n"
            "    @classmethod\n"
            "    def c(cls, *, maxel=10, other=1):\n        return maxel\n")
        mod = _make_module("_pk_test_pdk", src)
        outside = _make_module("_pk_test_pdk2",
                               "def f(*, maxel=10):\n    return maxel\n")
        mod.imported = outside.f
        try:
            patch_default_kw(mod, "maxel", 99)
            self.assertEqual(mod.f(0), 99)
            self.assertEqual(mod.g(0), 10)        # positional default
            self.assertEqual(mod.h(), 99)         # through __wrapped__
            self.assertEqual(mod.C().m(), 99)
            self.assertEqual(mod.C.s(), 99)
            self.assertEqual(mod.C.c(), 99)
            self.assertEqual(mod.C.c.__kwdefaults__["other"], 1)
            self.assertEqual(outside.f(), 10)     # defined elsewhere
        finally:
            del sys.modules["_pk_test_pdk"], sys.modules["_pk_test_pdk2"]


class PyCtlTest(unittest.TestCase):
    def tearDown(self):
        for name in ("_pkt_debugX", "_pkt_pyname", "_pkt_keep",
                     "_pkt_obj"):
            PyCtl.getDict().pop(name, None)
        sys.modules.pop("_pk_test_reg", None)

    def test_registerModuleAttr_creates_global_and_registry_entry(self):
        mod = _make_module(
            "_pk_test_reg",
            "from pykdump.Generic import registerModuleAttr\n"
            "registerModuleAttr('_pkt_debugX', default=3, help='dbg')\n"
            "_pkt_keep = 7\n"
            "registerModuleAttr('_pkt_keep')\n"
            "registerModuleAttr('_pkt_attr', '_pkt_pyname', default=1,"
            " type=str)\n")
        self.assertEqual(mod._pkt_debugX, 3)
        f, owner, kwargs, current = PyCtl.getDict()["_pkt_debugX"]
        self.assertIs(owner, mod)
        self.assertEqual((kwargs["default"], kwargs["help"], current),
                         (3, "dbg", 3))
        self.assertIs(PyCtl.TypeConv("_pkt_debugX"), int)
        PyCtl.runfn("_pkt_debugX", PyCtl.TypeConv("_pkt_debugX")("5"))
        self.assertEqual(mod._pkt_debugX, 5)
        self.assertEqual(PyCtl.getDict()["_pkt_debugX"][3], 5)
        # an existing value is kept when no default is given
        self.assertEqual(mod._pkt_keep, 7)
        self.assertEqual(PyCtl.getDict()["_pkt_keep"][3], 7)
        # the pyctl name is honoured (the original ignored it)
        self.assertIn("_pkt_pyname", PyCtl.getDict())
        self.assertNotIn("_pkt_attr", PyCtl.getDict())
        PyCtl.runfn("_pkt_pyname", "on")
        self.assertEqual(mod._pkt_attr, "on")

    def test_registerObjAttrHandler_sets_object_attribute(self):
        class Obj:
            level = 4

        o = Obj()
        registerObjAttrHandler(o, "level", "_pkt_obj", help="h")
        self.assertEqual(o.level, 4)
        PyCtl.runfn("_pkt_obj", 9)
        self.assertEqual(o.level, 9)
        self.assertIs(PyCtl.getDict()["_pkt_obj"][1], sys.modules[__name__])
        PyCtl.setCurentValue("_pkt_obj", 1)     # original spelling
        self.assertEqual(PyCtl.getDict()["_pkt_obj"][3], 1)

    def test_generic_registers_its_own_tunable(self):
        self.assertIn("debugMP_KW", PyCtl.getDict())
        self.assertIs(PyCtl.getDict()["debugMP_KW"][1], Generic)


class ConventionsTest(unittest.TestCase):
    def test_all_is_the_api_inventory(self):
        self.assertEqual(sorted(Generic.__all__), sorted([
            "Bunch", "DCache", "TrueOnce", "iterN", "dbits2str",
            "print2columns", "getCurrentModule", "patch_default_kw",
            "registerModuleAttr", "registerObjAttrHandler"]))
        for name in Generic.__all__:
            self.assertTrue(hasattr(Generic, name), name)

    def test_public_names_have_docstrings(self):
        self.assertEqual(undocumented(Generic), [])

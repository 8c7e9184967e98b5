# SPDX-License-Identifier: GPL-2.0-or-later
"""Unit tests of pykdump.memocaches (plain python3, no crash)."""

import types
import unittest

from tests.python.support import undocumented
from pykdump import memocaches
from pykdump.memocaches import (
    CU_LIVE, CU_LOAD, CU_PYMOD, CU_TIMEOUT, MemoizeSU, PY_select,
    PY_select_purge, add_typeinfo_purge_hook, memoize_cond,
    memoize_typeinfo, purge_all, purge_memoize_cache, purge_typeinfo,
    set_generation_source, set_live)


def _counter(flags):
    """Return (memoized function, list of the arguments it really saw)."""
    seen = []

    @memoize_cond(flags)
    def fetch(*args, **kwargs):
        """Record and echo the arguments."""
        seen.append((args, kwargs))
        return (args, kwargs, len(seen))
    return fetch, seen


class _Base(unittest.TestCase):
    def setUp(self):
        purge_all()
        set_live(False)
        set_generation_source(None)

    tearDown = setUp


class MemoizeCondTest(_Base):
    def test_flags(self):
        self.assertEqual((CU_LIVE, CU_LOAD, CU_PYMOD, CU_TIMEOUT),
                         (1, 2, 4, 8))

    def test_second_call_comes_from_cache(self):
        fetch, seen = _counter(CU_PYMOD)
        self.assertEqual(fetch(1), ((1,), {}, 1))
        self.assertEqual(fetch(1), ((1,), {}, 1))
        self.assertEqual(fetch(2), ((2,), {}, 2))
        self.assertEqual(len(seen), 2)

    def test_MEMOIZE_false_bypasses_and_is_not_forwarded(self):
        fetch, seen = _counter(CU_PYMOD)
        fetch(1)
        self.assertEqual(fetch(1, MEMOIZE=False), ((1,), {}, 2))
        self.assertEqual(fetch(1), ((1,), {}, 1))

    def test_keyword_arguments_are_forwarded_and_keyed(self):
        fetch, seen = _counter(CU_PYMOD)
        self.assertEqual(fetch(text="a")[1], {"text": "a"})
        self.assertEqual(fetch(text="b")[1], {"text": "b"})
        self.assertEqual(fetch(text="a")[2], 1)
        # a tuple argument that looks like the kwargs part is another key
        self.assertEqual(fetch((("text", "a"),))[2], 3)

    def test_same_function_name_in_two_scopes_does_not_collide(self):
        def make(value):
            @memoize_cond(CU_PYMOD)
            def get_data():
                return value
            return get_data
        first = make("A")
        src = "def get_data():\n    return 'B'\n"
        mod = types.ModuleType("_pk_other")
        exec(compile(src, "<other>", "exec"), mod.__dict__)
        second = memoize_cond(CU_PYMOD)(mod.get_data)
        self.assertEqual((first(), second()), ("A", "B"))

    def test_wrapping_the_same_function_again_shares_entries(self):
        calls = []

        def cmd(c):
            calls.append(c)
            return c.upper()
        self.assertEqual(memoize_cond(CU_LOAD)(cmd)("sym -l"), "SYM -L")
        self.assertEqual(memoize_cond(CU_LOAD)(cmd)("sym -l"), "SYM -L")
        self.assertEqual(calls, ["sym -l"])

    def test_purge_drops_entries_whose_flags_intersect(self):
        a, seen_a = _counter(CU_PYMOD | CU_TIMEOUT)
        b, seen_b = _counter(CU_LOAD)
        a(1)
        b(1)
        purge_memoize_cache(CU_TIMEOUT)
        a(1)
        b(1)
        self.assertEqual((len(seen_a), len(seen_b)), (2, 1))

    def test_live_session_never_memoizes_CU_LIVE(self):
        live, seen_live = _counter(CU_LIVE | CU_PYMOD)
        other, seen_other = _counter(CU_PYMOD)
        live(1)
        set_live(True)          # drops the entry cached before
        live(1)
        live(1)
        other(1)
        other(1)
        self.assertEqual((len(seen_live), len(seen_other)), (3, 1))
        set_live(False)
        live(1)
        live(1)
        self.assertEqual(len(seen_live), 4)

    def test_unhashable_arguments_and_exceptions_are_not_cached(self):
        fetch, seen = _counter(CU_PYMOD)
        fetch([1])
        fetch([1])
        self.assertEqual(len(seen), 2)
        fails = []

        @memoize_cond(CU_PYMOD)
        def flaky():
            fails.append(1)
            if len(fails) == 1:
                raise KeyError("first")
            return "ok"
        with self.assertRaises(KeyError):
            flaky()
        self.assertEqual(flaky(), "ok")
        self.assertEqual(flaky(), "ok")
        self.assertEqual(len(fails), 2)

    def test_wrapper_looks_like_the_function(self):
        fetch, _ = _counter(CU_PYMOD)
        self.assertEqual(fetch.__name__, "fetch")
        self.assertEqual(fetch.__doc__, "Record and echo the arguments.")
        self.assertTrue(callable(fetch.__wrapped__))


class TypeinfoTest(_Base):
    def _sizer(self):
        calls = []

        @memoize_typeinfo
        def struct_size(sname, extra=0):
            calls.append((sname, extra))
            return len(sname) + extra
        return struct_size, calls

    def test_cached_by_type_name_and_purged_per_name(self):
        size, calls = self._sizer()
        self.assertEqual(size("struct a"), 8)
        self.assertEqual(size("struct bb"), 9)
        self.assertEqual(size("struct a", extra=2), 10)
        size("struct a")
        self.assertEqual(len(calls), 3)
        purge_typeinfo("struct a")
        size("struct a")
        size("struct bb")
        self.assertEqual(len(calls), 4)
        purge_typeinfo()
        size("struct bb")
        self.assertEqual(len(calls), 5)

    def test_generation_change_flushes_types_and_CU_LOAD(self):
        gen = [1]
        set_generation_source(lambda: gen[0])
        size, calls = self._sizer()
        load, seen_load = _counter(CU_LOAD)
        pymod, seen_pymod = _counter(CU_PYMOD)
        size("struct a")
        load(1)
        pymod(1)
        size("struct a")
        self.assertEqual(len(calls), 1)
        gen[0] = 2              # e.g. "mod -s" loaded debuginfo
        size("struct a")
        load(1)
        pymod(1)
        self.assertEqual((len(calls), len(seen_load), len(seen_pymod)),
                         (2, 2, 1))
        self.assertFalse(memocaches.check_generation())

    def test_purge_hooks_see_the_name(self):
        names = []

        def hook(name):
            names.append(name)
        add_typeinfo_purge_hook(hook)
        add_typeinfo_purge_hook(hook)          # replaced, not doubled
        try:
            purge_typeinfo("struct x")
            purge_typeinfo()
            self.assertEqual(names, ["struct x", None])
        finally:
            memocaches._purge_hooks.clear()

    def test_MemoizeSU_one_instance_per_name_until_purged(self):
        class SUInfo(metaclass=MemoizeSU):
            def __init__(self, name):
                self.name = name

        a = SUInfo("struct a")
        self.assertIs(SUInfo("struct a"), a)
        self.assertIsNot(SUInfo("struct b"), a)
        MemoizeSU.purgecache("struct a")
        self.assertIsNot(SUInfo("struct a"), a)


class PYSelectTest(_Base):
    def test_first_working_expression_wins_and_is_remembered(self):
        class Sock:
            pass
        sk = Sock()
        sk.skc_state = 7
        results = []
        for _ in range(2):
            results.append(PY_select("sk.sk_state", "sk.skc_state",
                                     "sk.never"))
        self.assertEqual(results, [7, 7])
        entries = list(memocaches._PY_select_cache.values())
        self.assertEqual([e for _, e in entries], ["sk.skc_state"])

    def test_remembered_expression_errors_propagate(self):
        def select(obj):
            return PY_select("obj['a']", "obj.a")
        self.assertEqual(select({"a": 1}), 1)
        with self.assertRaises(TypeError):      # not subscriptable
            select(types.SimpleNamespace(a=1))
        PY_select_purge()
        self.assertEqual(select(types.SimpleNamespace(a=2)), 2)

    def test_none_when_nothing_works(self):
        self.assertIsNone(PY_select("undefined_name_1", "{}['x']"))


class ConventionsTest(unittest.TestCase):
    def test_all_is_the_api_inventory(self):
        self.assertEqual(sorted(memocaches.__all__), sorted([
            "memoize_cond", "memoize_typeinfo", "purge_memoize_cache",
            "purge_typeinfo", "PY_select", "PY_select_purge", "CU_LIVE",
            "CU_LOAD", "CU_PYMOD", "CU_TIMEOUT"]))

    def test_public_names_have_docstrings(self):
        self.assertEqual(undocumented(memocaches), [])

    def test_debug_level_is_a_pyctl_tunable(self):
        from pykdump.Generic import PyCtl
        self.assertIs(PyCtl.getDict()["debugMemoize"][1], memocaches)

# SPDX-License-Identifier: GPL-2.0-or-later
"""Check the import layering of pykdump/*.py (style guide section 4).

Order: ``Generic, logging -> memocaches -> tparser -> vmcorearch ->
datatypes -> symbols -> lowlevel -> commands -> highlevel -> dlkmload ->
API``; a module imports only modules to its left (``Generic`` and
``logging`` share the first tier and do not import each other).
``ASCII_Art`` stands alone: it imports no pykdump module and no layered
module imports it.  Only ``vmcorearch``, ``datatypes``, ``symbols``,
``lowlevel``, ``commands`` and ``highlevel`` import the C module
``crash``.  Every ``import`` statement counts, also inside functions.

Two kinds of files sit outside that list:

* ``__init__`` runs before any submodule: it imports none of them, and
  ``crash`` only lazily (inside a function), so importing the package
  does no crash work;
* any other module (e.g. the ``epython`` runner the C side calls) is
  above the library: the layered modules must not import it, and it is
  not checked for ``crash``.  A skipped test lists such modules, so a new
  library file that belongs in the order is noticed.

Every file under ``pykdump/helpers/`` reads the kernel through the object
model (``pykdump.API``: StructResult, readSU, record_reader, the walkers),
never through the C module directly (:func:`helper_violations`):

* no ``import crash`` or ``from crash import ...``;
* ``crash.error`` may appear anywhere (caught, raised, tested);
* ``crash.<Name>Error`` exception classes (``crash.NoSymbolError``,
  ``crash.FaultError``, ...) only in the type of an ``except`` clause;
* any other ``crash.<name>`` (a function, a constant, an exception class
  raised or tested) is a violation.
"""

import ast
import glob
import os
import tempfile
import unittest

from tests.python.support import ROOT

PKG_DIR = os.path.join(ROOT, "pykdump")
HELPERS_DIR = os.path.join(PKG_DIR, "helpers")
TIERS = [("Generic", "logging"), ("memocaches",), ("tparser",),
         ("vmcorearch",), ("datatypes",), ("symbols",), ("lowlevel",),
         ("commands",), ("highlevel",), ("dlkmload",), ("API",)]
RANK = {name: i for i, tier in enumerate(TIERS) for name in tier}
STANDALONE = "ASCII_Art"
INIT = "__init__"
LAYERED = set(RANK) | {STANDALONE}
CRASH_IMPORTERS = {"vmcorearch", "datatypes", "symbols", "lowlevel",
                   "commands", "highlevel"}


def _lazy_nodes(tree):
    """Return the ids of nodes inside function bodies (run on call)."""
    lazy = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.Lambda)):
            lazy.update(id(n) for n in ast.walk(node) if n is not node)
    return lazy


def imports_of(path):
    """Return ``(names, crash_anywhere, crash_at_import)`` for a file.

    ``names`` are the pykdump submodules (or package attributes) named
    by ``import pykdump.X``, ``from pykdump import X``, ``from pykdump.X
    import ...``, ``from . import X`` and ``from .X import ...``.
    """
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    lazy = _lazy_nodes(tree)
    names, crash, crash_now = set(), False, False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "crash":
                    crash = True
                    crash_now |= id(node) not in lazy
                elif parts[0] == "pykdump" and len(parts) > 1:
                    names.add(parts[1])
        elif isinstance(node, ast.ImportFrom):
            parts = node.module.split(".") if node.module else []
            if node.level == 0 and parts[:1] == ["crash"]:
                crash = True
                crash_now |= id(node) not in lazy
            elif node.level == 0 and parts[:1] == ["pykdump"]:
                if len(parts) > 1:
                    names.add(parts[1])
                else:
                    names.update(a.name for a in node.names)
            elif node.level == 1:
                if parts:
                    names.add(parts[0])
                else:
                    names.update(a.name for a in node.names)
    names.discard("*")
    return names, crash, crash_now


def package_modules(pkg_dir=PKG_DIR):
    """Map module name -> path for every ``*.py`` of ``pkg_dir``."""
    return {os.path.splitext(os.path.basename(p))[0]: p
            for p in sorted(glob.glob(os.path.join(pkg_dir, "*.py")))}


def violations(modules):
    """Return one message per broken rule for ``{name: path}``."""
    known = set(modules) | LAYERED
    out = []
    for name in sorted(modules):
        names, crash, crash_now = imports_of(modules[name])
        subs = sorted(m for m in names if m in known and m != name)
        if name in RANK:
            bad = [m for m in subs if m not in RANK or RANK[m] >= RANK[name]]
            if bad:
                out.append("{} imports {} (not to its left)".format(
                    name, ", ".join(bad)))
        elif name in (STANDALONE, INIT) and subs:
            out.append("{} imports {} (must import no pykdump module)"
                       .format(name, ", ".join(subs)))
        if crash and name in LAYERED and name not in CRASH_IMPORTERS:
            out.append("{} imports crash".format(name))
        if crash_now and name == INIT:
            out.append("__init__ imports crash at import time")
    return out


def _except_types(tree):
    """Return the ids of nodes inside the type of an ``except`` clause."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            ids.update(id(n) for n in ast.walk(node.type))
    return ids


def helper_violations(path):
    """Return one message per use of the C module ``crash`` in a helper.

    Allowed: ``crash.error`` anywhere, ``crash.<Name>Error`` in the type
    of an ``except`` clause.  Anything else, and any ``import crash``, is
    reported with its line number.
    """
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    caught = _except_types(tree)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] == "crash" for a in node.names):
                out.append("line %d: import crash" % node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and \
                    node.module.split(".")[0] == "crash":
                out.append("line %d: from crash import" % node.lineno)
        elif isinstance(node, ast.Attribute) and \
                isinstance(node.value, ast.Name) and \
                node.value.id == "crash":
            attr = node.attr
            if attr == "error":
                continue
            if attr.endswith("Error") and attr[:1].isupper() and \
                    id(node) in caught:
                continue
            out.append("line %d: crash.%s" % (node.lineno, attr))
    return sorted(out, key=lambda m: int(m.split()[1].rstrip(":")))


def helper_modules(helpers_dir=HELPERS_DIR):
    """Map module name -> path for every ``*.py`` under ``helpers_dir``."""
    out = {}
    for dirpath, _, files in os.walk(helpers_dir):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, helpers_dir)
                out[os.path.splitext(rel)[0].replace(os.sep, ".")] = path
    return out


class ImportsOfTest(unittest.TestCase):
    def _write(self, d, name, text):
        path = os.path.join(d, name + ".py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_recognises_every_import_form(self):
        with tempfile.TemporaryDirectory() as d:
            path = self._write(d, "m", (
                "import crash\n"
                "import pykdump.lowlevel as ll\n"
                "from pykdump import datatypes, Generic\n"
                "from pykdump.highlevel import readSU\n"
                "from . import memocaches\n"
                "from .tparser import CEnum\n"
                "def f():\n    from .API import x\n"
                "import os, collections.abc\n"))
            self.assertEqual(imports_of(path), (
                {"lowlevel", "datatypes", "Generic", "highlevel",
                 "memocaches", "tparser", "API"}, True, True))

    def test_import_inside_a_function_is_lazy(self):
        with tempfile.TemporaryDirectory() as d:
            path = self._write(d, "m", (
                "def f():\n    import crash as c\n"
                "class K:\n    from pykdump import Generic\n"))
            self.assertEqual(imports_of(path), ({"Generic"}, True, False))

    def test_violations_are_reported(self):
        with tempfile.TemporaryDirectory() as d:
            self._write(d, "Generic", "from . import logging\n")
            self._write(d, "logging", "")
            self._write(d, "memocaches", "import crash\n"
                        "from .Generic import Bunch\n")
            self._write(d, "tparser", "from pykdump import highlevel\n")
            self._write(d, "highlevel", "import crash\n"
                        "from pykdump import lowlevel, __version__\n")
            self._write(d, "API", "from . import ASCII_Art, epython\n")
            self._write(d, "ASCII_Art", "from .Generic import Bunch\n")
            self._write(d, "epython", "import crash\nimport pykdump.API\n")
            self._write(d, "__init__", "import crash\n")
            self.assertEqual(violations(package_modules(d)), [
                "API imports ASCII_Art, epython (not to its left)",
                "ASCII_Art imports Generic (must import no pykdump module)",
                "Generic imports logging (not to its left)",
                "__init__ imports crash at import time",
                "memocaches imports crash",
                "tparser imports highlevel (not to its left)"])


class HelperViolationsTest(unittest.TestCase):
    def _check(self, text):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "h.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return helper_violations(path)

    def test_crash_error_and_caught_error_classes_are_allowed(self):
        self.assertEqual(self._check(
            "from pykdump.API import crash\n"
            "try:\n    pass\n"
            "except (crash.error, crash.NoSymbolError):\n    pass\n"
            "def f(e):\n"
            "    if isinstance(e, crash.error):\n"
            "        raise crash.error('bad')\n"), [])

    def test_other_uses_of_crash_are_reported(self):
        self.assertEqual(self._check(
            "import crash\n"
            "from crash import readPtr\n"
            "from pykdump.API import crash as c\n"
            "x = crash.readPtrArray(0, 1)\n"
            "try:\n    pass\n"
            "except crash.error:\n"
            "    raise crash.FaultError('x')\n"
            "y = crash.PAGESIZE\n"), [
                "line 1: import crash", "line 2: from crash import",
                "line 4: crash.readPtrArray", "line 8: crash.FaultError",
                "line 9: crash.PAGESIZE"])


class HelpersUseTheObjectModelTest(unittest.TestCase):
    def test_every_helper_reads_through_the_object_model(self):
        found = {}
        for name, path in helper_modules().items():
            bad = helper_violations(path)
            if bad:
                found[name] = bad
        self.assertEqual(found, {})


class LayeringTest(unittest.TestCase):
    def setUp(self):
        self.modules = package_modules()

    def test_pure_modules_exist(self):
        for name in ("Generic", "logging", "memocaches", "tparser",
                     "ASCII_Art"):
            self.assertIn(name, self.modules)

    def test_package_follows_the_layering(self):
        self.assertEqual(violations(self.modules), [])

    def test_modules_outside_the_layering(self):
        outside = sorted(set(self.modules) - LAYERED - {INIT})
        if outside:
            self.skipTest("outside the layering (runner level): "
                          + ", ".join(outside))

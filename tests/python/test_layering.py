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
"""

import ast
import glob
import os
import tempfile
import unittest

from tests.python.support import ROOT

PKG_DIR = os.path.join(ROOT, "pykdump")
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

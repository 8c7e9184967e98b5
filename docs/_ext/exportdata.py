# SPDX-License-Identifier: GPL-2.0-or-later
"""Sphinx directive ``.. mpk-exported-data:: MODULE``.

autodoc documents only the data a module assigns itself with a ``#:``
comment; pykdump.API
re-exports constants and objects made elsewhere (HZ, sys_info, pylog,
...). This lists, as ``py:data``, every name of MODULE.__all__ that is
neither a function, a class nor a module, with the ``#:`` comment of
the pykdump module that assigns it.
"""

import importlib
import inspect
import sys

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.pycode import ModuleAnalyzer, PycodeError

__all__ = ['ExportedDataDirective', 'setup']


def _attr_docs():
    """Return {name: doc lines} of the ``#:`` comments in pykdump."""
    docs = {}
    for modname in sorted(sys.modules):
        if modname != 'pykdump' and not modname.startswith('pykdump.'):
            continue
        try:
            found = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except PycodeError:
            continue
        for (namespace, name), lines in found.items():
            if not namespace:
                docs.setdefault(name, [ln for ln in lines if ln])
    return docs


class ExportedDataDirective(Directive):
    """``py:data`` entries for the exported names autodoc leaves out."""

    required_arguments = 1

    def run(self):
        """Return the nodes of the entries."""
        module = importlib.import_module(self.arguments[0])
        docs = _attr_docs()
        try:
            # autodoc documents these itself (a #: comment in the module)
            own = {name for (namespace, name) in ModuleAnalyzer.for_module(
                module.__name__).find_attr_docs() if not namespace}
        except PycodeError:
            own = set()
        rest = ['.. py:currentmodule:: %s' % self.arguments[0], '']
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isroutine(obj) or inspect.isclass(obj) or \
                    inspect.ismodule(obj) or callable(obj) or name in own:
                continue
            rest += ['.. py:data:: %s' % name, '']
            lines = docs.get(name) or ['A ``%s``.' % type(obj).__name__]
            rest += ['   ' + ln for ln in lines] + ['']
        box = nodes.container()
        self.state.nested_parse(StringList(rest, source=self.arguments[0]),
                                self.content_offset, box)
        return box.children


def setup(app):
    """Register the directive."""
    app.add_directive('mpk-exported-data', ExportedDataDirective)
    return {'version': '1', 'parallel_read_safe': True}

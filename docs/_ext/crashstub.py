# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in ``crash`` module, so Sphinx can import pykdump outside crash.

The functions carry the docstrings of the real C module (read from the
``PyDoc_STRVAR`` texts and method tables of src/py/*.c); called, they
return empty answers, enough for ``pykdump.API`` to finish importing. Used
by docs/conf.py only: nothing here runs inside crash or in the tests.
"""

import ast
import glob
import os
import re
import types

__all__ = ['make_module', 'c_docstrings']

_STRVAR = re.compile(r'PyDoc_STRVAR\(\s*(\w+)\s*,((?:\s*"(?:[^"\\]|\\.)*")+)'
                     r'\s*\)', re.S)
_METHOD = re.compile(r'\{\s*"(\w+)"\s*,\s*\(?\w+\)?\s*\w*\s*,\s*'
                     r'([\w|\s]+?)\s*,\s*(\w+)\s*\}', re.S)


def c_docstrings(srcdir):
    """Return {python name: docstring} of the C module's functions."""
    docs, names = {}, {}
    for path in sorted(glob.glob(os.path.join(srcdir, '*.c'))):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for m in _STRVAR.finditer(text):
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
            docs[m.group(1)] = ''.join(ast.literal_eval('"%s"' % p)
                                       for p in parts)
        for m in _METHOD.finditer(text):
            names[m.group(1)] = m.group(3)
    return {name: docs.get(var, '') for name, var in names.items()}


class _Empty(int):
    """An answer of the stand-in: 0, empty, false, callable, indexable."""

    def __new__(cls):
        return int.__new__(cls, 0)

    def __call__(self, *args, **kwargs):
        return _Empty()

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Empty()

    def __getitem__(self, key):
        return ''

    def __iter__(self):
        return iter(())


def _function(name, doc):
    """Return a function called name with docstring doc."""
    def stand_in(*args, **kwargs):
        return _Empty()
    stand_in.__name__ = stand_in.__qualname__ = name
    stand_in.__doc__ = doc
    stand_in.__module__ = 'crash'
    return stand_in


class _Module(types.ModuleType):
    """The stand-in module: known functions, else empty answers."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        if name.lower().endswith('error'):
            cls = type(name, (self.error,), {'__module__': 'crash'})
            setattr(self, name, cls)
            return cls
        if name[0].isupper():
            return 0
        return _Empty()


def make_module(srcdir):
    """Return the stand-in ``crash`` module."""
    module = _Module('crash')
    for name, doc in c_docstrings(srcdir).items():
        setattr(module, name, _function(name, doc))
    module.error = type('error', (Exception,), {
        '__doc__': 'Errors of the crash module.', '__module__': 'crash'})
    module.sysinfo = lambda: {'live': 0, 'HZ': 250, 'cpus': 1,
                              'release': '6.1.0', 'machine': 'x86_64',
                              'namelist': ''}
    # pykdump.API prints a banner naming these when stdout is a file
    module.exec_crash_command = lambda cmd, *a, **k: (
        '      DUMPFILE: (none)\n       RELEASE: 6.1.0\n'
        if cmd.strip() == 'sys' else '')
    module.version = module.build_date = module.Crash_build = ''
    module.version_num = 10 ** 6
    return module

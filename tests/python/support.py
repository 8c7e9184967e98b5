# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the tests under tests/python (not a test module)."""

import inspect
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


# Dunder functions Python writes itself: 3.14's lazy annotations (PEP 649,
# PEP 749) put the annotate function of a class with annotations (a
# NamedTuple's fields) in its __dict__, without a docstring.
_GENERATED = frozenset({"__annotate__", "__annotate_func__"})


def undocumented(module):
    """Return the public names of ``module`` that lack a docstring.

    Checks the module, its public functions and classes (those in
    ``__all__`` even when they start with ``_``), and their public and
    dunder methods and properties.
    """
    missing = [] if module.__doc__ else [module.__name__]
    exported = set(getattr(module, "__all__", ()))
    for name, obj in vars(module).items():
        if name.startswith("_") and name not in exported:
            continue
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not obj.__doc__:
            missing.append(name)
        if not inspect.isclass(obj):
            continue
        for mname, member in vars(obj).items():
            if mname.startswith("_") and not mname.endswith("__"):
                continue
            if mname in _GENERATED:
                continue
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            elif isinstance(member, property):
                member = member.fget
            if inspect.isfunction(member) and not member.__doc__:
                missing.append("{}.{}".format(name, mname))
    return missing

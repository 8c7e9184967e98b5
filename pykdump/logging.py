# SPDX-License-Identifier: GPL-2.0-or-later
"""Collect warnings and errors of a run and summarise them at its end.

Bottom layer of the package (with :mod:`pykdump.Generic`): no pykdump or
crash import.  All :class:`PyLog` instances share one class-level store,
so any module may create its own; the API creates ``pylog``, clears the
store in its enter hook (:meth:`PyLog.cleanup`) and prints the summary in
its exit hook (:meth:`PyLog.onexit`).

Not to be confused with the standard :mod:`logging` (absolute imports
keep the two apart).
"""

import sys
import traceback
from collections import defaultdict

# Section 2 of the API reference: API re-exports PyLog and WARNING (and
# creates pylog itself); ERROR, INFO, TIMEOUT and debug are imported
# explicitly.
__all__ = ["PyLog", "WARNING"]

WARNING = "+++WARNING+++"
ERROR = "+++ERROR+++"
INFO = "...INFO..."
TIMEOUT = "timeout"

#: When true, :meth:`PyLog.warning` and :meth:`PyLog.error` print the
#: Python stack (to ``sys.stdout``) before the message.
debug = False

_WIDTH = 78


class PyLog:
    """Message collector with an end-of-run summary.

    ``warning``/``error`` print at once and store; ``warning_onexit``,
    ``info`` and ``silenterror`` only store; identical messages are stored
    once.  Messages are kept as ``(args, kwargs)`` for :func:`print`.
    """

    # Shared by every instance ("Borg" pattern): category -> messages.
    _cache = defaultdict(list)
    _silent = ""

    def __init__(self):
        """Create a handle on the shared store."""

    def _addtocache(self, name, data):
        if data not in self._cache[name]:
            self._cache[name].append(data)

    def _printandcache(self, name, data):
        self._addtocache(name, data)
        args, kwargs = data
        print(name, end=" ")
        print(*args, **kwargs)

    def _trace(self):
        # Fixes §24.17: the original called traceback.print_stack() without
        # importing traceback, so debug tracing raised NameError.
        if debug:
            traceback.print_stack(sys._getframe(2), file=sys.stdout)

    def timeout(self, msg):
        """Print ``+++WARNING+++ msg`` and store ``msg`` as a timeout."""
        print(WARNING, msg)
        self._addtocache(TIMEOUT, msg)

    def warning(self, *args, **kwargs):
        """Print ``+++WARNING+++`` and ``print(*args, **kwargs)``; store."""
        self._trace()
        self._printandcache(WARNING, (args, kwargs))

    def warning_onexit(self, *args, **kwargs):
        """Store a warning for the summary without printing it now."""
        self._addtocache(WARNING, (args, kwargs))

    def info(self, *args, **kwargs):
        """Store a message for the "Additional Info" part of the summary."""
        self._addtocache(INFO, (args, kwargs))

    def error(self, *args, **kwargs):
        """Print ``+++ERROR+++`` and ``print(*args, **kwargs)``; store."""
        self._trace()
        self._printandcache(ERROR, (args, kwargs))

    def silent(self, msg):
        """Remember ``msg`` on this instance for :meth:`silenterror`."""
        self._silent = msg

    def getsilent(self):
        """Return and forget the remembered message (``""`` if none)."""
        msg = self._silent
        self._silent = ""
        return msg

    def silenterror(self, extra):
        """Store ``(extra, <remembered message>)`` as an error, unprinted.

        Nothing happens when no message is remembered.
        """
        msg = self.getsilent()
        if msg:
            self._addtocache(ERROR, ((extra, msg), {}))

    def cleanup(self):
        """Forget every stored message and this instance's silent one."""
        self._cache.clear()
        self._silent = ""

    def messages(self, name):
        """Return a copy of the messages stored under category ``name``."""
        return list(self._cache.get(name, ()))

    def onexit(self):
        """Print the summary of stored messages to ``sys.stdout``.

        First, if there are timeouts, warnings or errors, a starred
        "A Summary Of Problems Found" banner with one dashed section per
        category; then, if there are INFO messages, an "Additional Info"
        part.  Prints nothing when the store is empty.
        """
        self._print_problems()
        self._print_info()

    def _print_info(self):
        infos = self._cache.get(INFO)
        if not infos:
            return
        print("")
        print(" Additional Info ".center(_WIDTH, "~"))
        for args, kwargs in infos:
            print(end="    ")
            print(*args, **kwargs)
        print("~" * _WIDTH)

    def _print_problems(self):
        timeouts = self._cache.get(TIMEOUT)
        if not (timeouts or self._cache.get(WARNING)
                or self._cache.get(ERROR)):
            return
        print("")
        print("*" * _WIDTH)
        print(" A Summary Of Problems Found ".center(_WIDTH, "*"))
        print("*" * _WIDTH)
        if timeouts:
            print(" Some crash built-in commands did not complete "
                  "within timeout ".center(_WIDTH, "-"))
            for msg in timeouts:
                print("   ", msg)
            print(" *** You can rerun your command with a different timeout\n"
                  "     by adding --timeout=NNN to your options\n"
                  "     For example, 'crashinfo -v --timeout=1200\n"
                  "     to run with timeout of 1200s")
        for name in (WARNING, ERROR):
            msgs = self._cache.get(name)
            if msgs:
                print(" A list of all {} messages ".format(name).center(
                    _WIDTH, "-"))
                for args, kwargs in msgs:
                    print(end="    ")
                    print(*args, **kwargs)
        print("-" * _WIDTH)

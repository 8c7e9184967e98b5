# SPDX-License-Identifier: GPL-2.0-or-later
"""Command-line flags the bundled programs share with PyKdump's programs.

The bundled ``xportshow``, ``crashinfo``, ``taskinfo``, ``pstree`` and
``modinfo`` carry the names of PyKdump's programs, so a support engineer
types the flags they know.  Each of those flags is either accepted with
its PyKdump meaning or refused here, at parse time, with one line saying
what to use instead; no flag gets another meaning (docs/compat.md lists
them all).
"""

import argparse

__all__ = ['refuse', 'print_version', 'TWO_LETTER_STATES']

#: PyKdump's two-letter task states (``TASK_RUNNING`` -> ``RU``: the two
#: letters after ``TASK_``/``EXIT_``) by the one-letter state ps and
#: ``helpers.tasks.task_state`` use.
TWO_LETTER_STATES = {
    'R': 'RU', 'S': 'IN', 'D': 'UN', 'T': 'ST', 't': 'TR', 'X': 'DE',
    'Z': 'ZO', 'P': 'PA', 'I': 'ID',
}


class _Refused(argparse.Action):
    """An action that stops the program with the message in ``help``."""

    def __init__(self, option_strings, dest, instead, **kwargs):
        self.instead = instead
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        parser.exit(2, '%s: %s is not available here: %s\n'
                    % (parser.prog, option_string, self.instead))


def refuse(parser, flags, instead, takes=0):
    """Declare PyKdump flags this program does not implement.

    Using one stops the program (exit status 2, like a usage error) with
    ``PROG: FLAG is not available here: INSTEAD``.  They are listed in
    ``--help`` under their own heading, each with ``instead``.

    :param parser: ``argparse.ArgumentParser`` of the program
    :param flags: one flag (``'--decode'``) or a tuple of its spellings
    :param instead: what to use instead (a sentence fragment)
    :param takes: how many values the PyKdump flag took: 0, 1 or ``'*'``
        (so that its values are not mistaken for positional arguments)
    :return: None
    """
    group = getattr(parser, '_mpk_refused', None)
    if group is None:
        group = parser.add_argument_group(
            "PyKdump's flags not available here")
        parser._mpk_refused = group
    if isinstance(flags, str):
        flags = (flags,)
    nargs = {0: 0, 1: '?', '*': '*'}[takes]
    group.add_argument(*flags, action=_Refused, instead=instead,
                       nargs=nargs, default=argparse.SUPPRESS,
                       help='(use %s)' % instead.replace('%', '%%'))


def print_version(prog, verbose=0):
    """Print what ``PROG --version`` prints: ``PROG (pykdump VERSION)``.

    :param prog: the program's name
    :param verbose: true (``-v``): also the C module's version
    :return: 0, the program's exit status
    """
    # Imported here: the host's help-page builder (tools/proghelp.py)
    # executes this module for real, where only the standard library is.
    import crash
    import pykdump
    print('%s (pykdump %s)' % (prog, pykdump.__version__))
    if verbose:
        print('C module version: %s' % crash.version)
    return 0

# SPDX-License-Identifier: GPL-2.0-or-later
"""Run bundled programs (progs/*.py) from integration tests.

``load(name)`` imports a program as a module without running it (its
``if __name__ == '__main__'`` guard stays false); ``run(name, argv)``
calls its ``main(argv)`` with stdout and stderr captured. The source
tree's progs/ is preferred, so a test checks the code beside it; the
copy bundled in mpykdump.so is the fallback.
"""

import contextlib
import io
import os
import types

__all__ = ['load', 'run', 'assert_exit', 'Result']

_HERE = os.path.dirname(os.path.abspath(__file__))
_PROGS = os.path.normpath(os.path.join(_HERE, '..', '..', 'progs'))


def _source(name):
    """(path, text) of program name: source tree, else the archive."""
    path = os.path.join(_PROGS, name + '.py')
    if os.path.isfile(path):
        with open(path, encoding='utf-8') as f:
            return path, f.read()
    from pykdump import epython
    return epython.find_program(name, bundled_only=True)


def load(name):
    """Return program name as a fresh module object (main not run)."""
    path, text = _source(name)
    mod = types.ModuleType('prog_' + name)
    mod.__file__ = path
    exec(compile(text, path, 'exec'), mod.__dict__)
    return mod


class Result:
    """What a program run produced: rc, out, err (str), exit (SystemExit
    code or None)."""

    def __init__(self, rc, out, err, exit_code):
        self.rc, self.out, self.err, self.exit = rc, out, err, exit_code

    @property
    def lines(self):
        """stdout split into lines."""
        return self.out.splitlines()


def run(prog, argv):
    """Run ``prog.main(argv)`` (prog: a name or a loaded module).

    Returns a Result; a SystemExit (argparse errors, -h) is caught and
    its code recorded in ``exit``.
    """
    if isinstance(prog, str):
        prog = load(prog)
    out, err = io.StringIO(), io.StringIO()
    rc = code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = prog.main(list(argv))
        except SystemExit as e:
            code = e.code if e.code is not None else 0
    return Result(rc, out.getvalue(), err.getvalue(), code)


def assert_exit(case, prog, argv, code, text):
    """Run ``prog.main(argv)`` and assert, in the TestCase case, that it
    exits with SystemExit code and says text: on stdout for code 0
    (-h), on stderr otherwise (a usage error).  Returns the Result."""
    res = run(prog, argv)
    case.assertEqual(res.exit, code)
    case.assertIn(text, res.out if code == 0 else res.err)
    return res

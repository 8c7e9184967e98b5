"""The ``epython`` console: Python on crash's own readline.

:func:`interact` runs a :class:`code.InteractiveConsole` whose lines come
from crash's readline (line editing, a history file, Tab completion of
Python names by :mod:`rlcompleter`) when crash reads a terminal, and from
crash's input otherwise. When it ends (``exit()``, end of input) crash's
own history and symbol completion are back.

While it runs, results are shown by :func:`displayhook`: a struct as its
C type, address and members with their values (bounded), a typed pointer
as a C cast. ``repr()`` of the objects stays what PyKdump gives.
"""

import builtins
import code
import os
import sys

import crash

from pykdump.lowlevel import SmartString, StructResult, tPtr

__all__ = ['interact', 'displayhook', 'format_value', 'HISTORY_FILE',
           'MAX_MEMBERS', 'MAX_WIDTH']

#: The console's history, kept apart from crash's own (~/.crash_history
#: is crash's business). ``$MPYKDUMP_HISTORY`` overrides it; empty: none.
HISTORY_FILE = '~/.mpykdump_history'

#: Members shown of a struct; the rest are counted.
MAX_MEMBERS = 40

#: Characters shown of one member's value.
MAX_WIDTH = 72


def _history_path():
    """Return the history file's path, or None for no history file."""
    path = os.environ.get('MPYKDUMP_HISTORY', HISTORY_FILE)
    return os.path.expanduser(path) if path else None


def _short(text, width=MAX_WIDTH):
    """Return text cut to width characters, marking the cut."""
    text = ' '.join(text.split('\n'))
    return text if len(text) <= width else text[:width - 3] + '...'


def _member_value(value, ti=None):
    """Return one member's value (of TypeInfo ti) as a struct shows it."""
    if isinstance(value, StructResult):
        if ti is not None and not ti.ptrlev:
            return '(%s) {...}' % ti.typestr()      # embedded
        return '(%s *) 0x%x' % (value.PYT_symbol, int(value))
    if isinstance(value, tPtr):
        return '(%s) 0x%x' % (value.ti.typestr(), int(value))
    if isinstance(value, SmartString):
        return repr(str(value))
    if isinstance(value, list):
        head = ', '.join(_member_value(v) for v in value[:8])
        return '{%s%s}' % (head, ', ...' if len(value) > 8 else '')
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int) and type(value) is int:
        return '%d' % value if -4096 < value < 4096 else '0x%x' % value
    return str(value)


def _format_struct(obj, max_members):
    """Return the lines of struct obj: type and address, then members."""
    head = '(%s *) 0x%x' % (obj.PYT_symbol, int(obj))
    if not obj:
        return [head]
    lines = [head + ' = {']
    names = list(obj.PYT_sinfo)
    for name in names[:max_members]:
        try:
            value = _member_value(getattr(obj, name),
                                  getattr(obj.PYT_sinfo[name], 'ti', None))
        except crash.FaultError as exc:
            value = '<unreadable at 0x%x>' % exc.address
        except (crash.error, TypeError) as exc:
            # A member pykdump cannot read (a function, a float): say so.
            value = '<%s>' % exc
        lines.append(_short('  .%s = %s,' % (name, value), MAX_WIDTH + 24))
    if len(names) > max_members:
        lines.append('  ... (%d more members)' % (len(names) - max_members))
    lines.append('}')
    return lines


def format_value(value, max_members=MAX_MEMBERS):
    """Return the console's text for value, or None to use repr().

    A struct shows as ``(struct T *) 0xADDR = { .member = value, ... }``
    with at most max_members members; a typed pointer as ``(T *) 0xADDR``.
    """
    if isinstance(value, StructResult):
        return '\n'.join(_format_struct(value, max_members))
    if isinstance(value, tPtr):
        return '(%s) 0x%x' % (value.ti.typestr(), int(value))
    return None


def displayhook(value):
    """sys.displayhook of the console: structs and pointers readably."""
    if value is None:
        return
    text = format_value(value)
    if text is None:
        sys.__displayhook__(value)
        return
    builtins._ = None           # as sys.__displayhook__ does
    print(text)
    builtins._ = value


def _completer(namespace):
    """Return rlcompleter's complete() on namespace, or None."""
    # rlcompleter imports Python's readline module, which would take over
    # crash's readline (they share its symbols): keep it out.
    blocked = 'readline' not in sys.modules
    if blocked:
        sys.modules['readline'] = None
    try:
        import rlcompleter
    except ImportError:
        return None
    finally:
        if blocked:
            del sys.modules['readline']
    return rlcompleter.Completer(namespace).complete


def interact(namespace, banner):
    """Run the console on namespace until exit() or end of input."""
    console = code.InteractiveConsole(namespace)
    console.raw_input = crash.input_line
    saved_hook = sys.displayhook
    crash.console_begin(_history_path(), _completer(namespace))
    sys.displayhook = displayhook
    try:
        console.interact(banner=banner, exitmsg='')
    except SystemExit:
        pass
    finally:
        sys.displayhook = saved_hook
        crash.console_end()

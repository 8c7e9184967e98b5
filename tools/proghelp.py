#!/usr/bin/env python3
"""The help of a bundled program, read from its own argparse parser.

Used at build time, outside crash: by tools/gen_progs.py (the crash
``help PROG`` pages compiled into mpykdump.so) and by the Sphinx reference
(one page per program). The program is executed as a module with ``crash``
and ``pykdump`` replaced by inert stand-ins (it only has to define its
parser), then its parser is taken from ``build_parser()``, or caught when
``parse_args([])`` / ``main([])`` calls ``ArgumentParser.parse_args``.

Usage: proghelp.py PROG.py...   prints each program's crash help page.
"""

import argparse
import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import textwrap
import types
import typing

__all__ = ['ProgramHelp', 'load_help', 'crash_help_lines', 'crash_escape',
           'HelpError']

#: Modules a program may import that only work inside crash.
_STUBBED = ('crash', 'pykdump')

#: Pure modules under those that shape a parser (they import only the
#: standard library): executed for real, or refused flags would vanish
#: from the help pages.
_REAL = {'pykdump.progflags': os.path.join(
    os.path.dirname(os.path.abspath(__file__)), os.pardir, 'pykdump',
    'progflags.py')}


class HelpError(Exception):
    """The program's parser could not be had: the build must stop."""


class _Meta(type):
    """Any attribute, call, item or operator of a stand-in is a stand-in."""

    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Inert

    def __call__(cls, *args, **kwargs):
        if cls is _Inert:
            return _Inert
        return type.__call__(cls, *args, **kwargs)

    def __getitem__(cls, key):
        return _Inert

    def __iter__(cls):
        return iter(())

    def __or__(cls, other):
        return _Inert

    __and__ = __add__ = __sub__ = __mul__ = __ror__ = __or__

    def __int__(cls):
        return 0

    __index__ = __int__

    def __bool__(cls):
        return False


class _Inert(Exception, metaclass=_Meta):
    """What a program gets for any name of crash or pykdump at build time.

    An exception class, so ``except crash.error`` and subclassing work.
    """


class _InertModule(types.ModuleType):
    """A stand-in module (or package) whose every name is ``_Inert``."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _Inert


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import ``crash`` and ``pykdump[.*]`` as inert modules."""

    def find_spec(self, fullname, path=None, target=None):
        """Claim the stubbed names."""
        if fullname in _REAL:
            return importlib.util.spec_from_file_location(fullname,
                                                          _REAL[fullname])
        if fullname.split('.')[0] in _STUBBED:
            return importlib.machinery.ModuleSpec(fullname, self,
                                                  is_package=True)
        return None

    def create_module(self, spec):
        """Return a fresh inert module."""
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        """Nothing to run."""


class _Caught(Exception):
    """Raised by the patched parse_args to hand the parser back."""

    def __init__(self, parser):
        super().__init__('parser caught')
        self.parser = parser


def _find_parser(module):
    """Return the argparse parser the program module builds."""
    if callable(getattr(module, 'build_parser', None)):
        return module.build_parser()
    saved = (argparse.ArgumentParser.parse_args,
             argparse.ArgumentParser.parse_known_args)

    def catch(self, *args, **kwargs):
        raise _Caught(self)
    argparse.ArgumentParser.parse_args = catch
    argparse.ArgumentParser.parse_known_args = catch
    try:
        for entry in ('parse_args', 'main'):
            func = getattr(module, entry, None)
            if not callable(func):
                continue
            try:
                func([])
            except _Caught as caught:
                return caught.parser
    finally:
        (argparse.ArgumentParser.parse_args,
         argparse.ArgumentParser.parse_known_args) = saved
    raise HelpError('%s: no build_parser(), and neither parse_args([]) nor '
                    'main([]) reached ArgumentParser.parse_args'
                    % module.__file__)


def _load_parser(path):
    """Execute program path with crash/pykdump stubbed; return its parser."""
    saved = {k: v for k, v in sys.modules.items()
             if k.split('.')[0] in _STUBBED}
    for k in saved:
        del sys.modules[k]
    finder = _StubFinder()
    sys.meta_path.insert(0, finder)
    try:
        name = '_mpk_prog_' + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            return _find_parser(module)
        except HelpError:
            raise
        except Exception as exc:
            raise HelpError('%s: cannot build its parser outside crash: '
                            '%s: %s' % (path, type(exc).__name__, exc))
    finally:
        sys.meta_path.remove(finder)
        for k in [k for k in sys.modules if k.split('.')[0] in _STUBBED]:
            del sys.modules[k]
        sys.modules.update(saved)


class ProgramHelp(typing.NamedTuple):
    """The help of one program, in parts.

    ``name``, ``summary`` (first docstring line), ``usage`` (the argparse
    usage without ``usage: NAME``), ``description`` (the docstring's
    paragraphs before its examples, reST as written), ``options`` (the
    argparse option groups as argparse formats them), ``epilog``,
    ``examples`` (the lines of the docstring's ``Examples::`` block).
    """

    name: str
    summary: str
    usage: str
    description: str
    options: str
    epilog: str
    examples: list


class _NoUsageFormatter(argparse.HelpFormatter):
    """argparse's own layout of the option groups, 76 columns."""

    def __init__(self, prog):
        super().__init__(prog, width=76, max_help_position=28)


def _split_docstring(doc):
    """Return (summary, description, examples) of a module docstring."""
    lines = doc.splitlines()
    summary = lines[0].strip() if lines else ''
    body = '\n'.join(lines[1:]).strip('\n')
    examples = []
    m = re.search(r'(?m)^Examples?::[ \t]*\n', body)
    if m:
        block = body[m.end():]
        body = body[:m.start()]
        for line in block.splitlines():
            if line.strip() and not line.startswith((' ', '\t')):
                break
            examples.append(line)
        examples = textwrap.dedent('\n'.join(examples)).strip('\n')
        examples = examples.splitlines()
    return summary, body.strip('\n'), examples


def load_help(path):
    """Return the ProgramHelp of the program at path."""
    with open(path, encoding='utf-8') as f:
        doc = ast.get_docstring(ast.parse(f.read(), path))
    name = os.path.splitext(os.path.basename(path))[0]
    if not doc:
        raise HelpError('%s: no module docstring' % path)
    summary, description, examples = _split_docstring(doc)
    parser = _load_parser(path)
    usage = parser.format_usage().strip()
    usage = re.sub(r'^usage:\s*\S+\s*', '', usage)
    usage = ' '.join(usage.split())
    saved = (parser.usage, parser.description, parser.epilog,
             parser.formatter_class)
    parser.usage = argparse.SUPPRESS
    parser.description = parser.epilog = None
    parser.formatter_class = _NoUsageFormatter
    try:
        options = parser.format_help().strip('\n')
    finally:
        (parser.usage, parser.description, parser.epilog,
         parser.formatter_class) = saved
    epilog = ' '.join((parser.epilog or '').split())
    return ProgramHelp(name, summary, usage, description, options, epilog,
                       examples)


# The parts argparse splits a usage line into: [..] (..) or a word.
_USAGE_PART = re.compile(r'\[[^\]]*\]+|\([^)]*\)+|\S+')


def _wrap_usage(name, usage, width=78):
    """Return usage wrapped after ``  NAME `` as crash prints it."""
    indent = ' ' * (len(name) + 3)
    lines, line = [], ''
    col = len(indent)
    for part in _USAGE_PART.findall(usage):
        if line and col + 1 + len(part) > width:
            lines.append(line)
            line, col = '', len(indent)
        line = (line + ' ' + part) if line else part
        col += len(part) + 1
    lines.append(line)
    return ('\n' + indent).join(lines)


def _plain(text):
    """reST inline markup to plain text: ``x``, :func:`x`, *x*."""
    text = re.sub(r':[a-z]+:`~?([^`]*)`', r'\1', text)
    text = re.sub(r'``([^`]*)``', r'\1', text)
    return re.sub(r'(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])', r'\1', text)


def crash_escape(text, always=False):
    """Return text safe as a line of crash's help data.

    crash prints the summary and synopsis with fprintf(fp, LINE, ...):
    with ``always`` every ``%`` is doubled. A description line is printed
    verbatim when it has a ``%`` but no ``%s``, else as a format: only
    lines holding ``%s`` are escaped, or ``%%`` would show.
    """
    if always or '%s' in text:
        return text.replace('%', '%%')
    return text


def crash_help_lines(help_):
    """Return the help_data array of crash for help_ (escaped).

    [name, summary, synopsis, description lines...]; crash prints them as
    NAME / SYNOPSIS / DESCRIPTION, the rest of the page (OPTIONS,
    EXAMPLES) is in the description lines as crash's own pages do.
    """
    desc = []
    for para in re.split(r'\n\s*\n', _plain(help_.description)):
        if para.strip():
            desc += textwrap.wrap(' '.join(para.split()), 74,
                                  initial_indent='  ',
                                  subsequent_indent='  ',
                                  break_on_hyphens=False)
            desc.append('')
    desc.append('  A program bundled in mpykdump.so: "%s ARGS" is the same '
                'as' % help_.name)
    desc.append('  "epython %s ARGS"; "%s -h" prints the options '
                'briefly.' % (help_.name, help_.name))
    desc += ['', 'OPTIONS']
    desc += ['  ' + line if line else '' for line in
             help_.options.splitlines()]
    notes = help_.epilog
    if '--ehelp' not in notes:
        notes = (notes + ' ' if notes else '') + (
            'Every program also takes the framework options (--maxel, '
            '--timeout, --ofile, --usens, ...): "epython --ehelp" lists '
            'them.')
    desc.append('')
    desc += textwrap.wrap(notes, 74, initial_indent='  ',
                          subsequent_indent='  ')
    if help_.examples:
        desc += ['', 'EXAMPLES']
        desc += ['    crash> ' + line if line.strip() else ''
                 for line in help_.examples]
    lines = [help_.name, crash_escape(_plain(help_.summary), True),
             crash_escape(_wrap_usage(help_.name, help_.usage), True)]
    return lines + [crash_escape(line.rstrip()) for line in desc]


def _show(line):
    """Return a help_data line as crash shows it (for this script's output)."""
    if '%' in line and '%s' not in line:
        return line
    return line.replace('%%', '%')


def main(argv):
    """Print the crash help page of each program in argv[1:]."""
    for path in argv[1:]:
        lines = crash_help_lines(load_help(path))
        print('NAME\n  %s - %s\n\nSYNOPSIS\n  %s %s\n\nDESCRIPTION'
              % (lines[0], lines[1].replace('%%', '%'), lines[0],
                 lines[2].replace('%%', '%')))
        for line in lines[3:]:
            print(_show(line))
        print()


if __name__ == '__main__':
    try:
        main(sys.argv)
    except HelpError as exc:
        sys.exit('proghelp: %s' % exc)

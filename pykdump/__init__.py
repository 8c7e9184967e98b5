"""pykdump: post-mortem Linux kernel analysis in Python, inside crash.

Programs import ``pykdump.API``; this package file only carries versions
and the table of options every program accepts (the runner and the API
both need it), so that importing it does no crash work.
"""

__all__ = ['__version__', 'API_VERSION', 'minimal_cmod_version',
           'require_cmod_version', 'FRAMEWORK_OPTIONS', 'FrameworkOption',
           'OptionError']

#: Version of the Python API (what programs see).
__version__ = '3.6.0'
API_VERSION = __version__

#: The oldest C module (crash.version_num) this package works with.
minimal_cmod_version = 100


class FrameworkOption(tuple):
    """One framework option: (kind, minimum, metavar, meaning).

    ``kind`` is ``'int'`` (an integer >= ``minimum``), ``'path'`` or None
    for a flag; ``metavar`` names the value in ``epython --ehelp``.
    """

    __slots__ = ()

    def __new__(cls, kind, minimum, metavar, meaning):
        return super().__new__(cls, (kind, minimum, metavar, meaning))

    kind = property(lambda self: self[0], doc='int, path or None (a flag)')
    minimum = property(lambda self: self[1], doc='smallest int value')
    metavar = property(lambda self: self[2], doc='the value in help text')
    meaning = property(lambda self: self[3], doc='one line of help')


#: Options every program accepts anywhere in its arguments
#: (docs/user-guide.md), ``--opt VALUE`` or ``--opt=VALUE``: the one
#: table the runner and the API parse them with and ``epython --ehelp``
#: prints.
FRAMEWORK_OPTIONS = {
    '--maxel': FrameworkOption(
        'int', 1, 'N', 'stop walking a list after N elements '
        '(default 10000)'),
    '--timeout': FrameworkOption(
        'int', 1, 'SECONDS', 'limit of each crash command it runs '
        '(default 120)'),
    '--ofile': FrameworkOption(
        'path', None, 'FILE', "write the program's output to FILE"),
    '--usens': FrameworkOption(
        'int', 0, 'PID', 'use the namespaces (net, mount, ...) of task PID'),
    '--debug': FrameworkOption(
        'int', 0, 'N', 'API debug level N (pykdump.API.debug); prints argv'),
    '--reload': FrameworkOption(
        None, None, None, "re-import pykdump and the programs' modules "
        '(caches emptied) first; the same as epython --reload'),
    '--dumpcache': FrameworkOption(
        None, None, None, 'API_options.dumpcache: programs print their '
        'caches'),
    '--experimental': FrameworkOption(
        None, None, None, 'API_options.experimental: enable experimental '
        'code'),
}


class OptionError(ValueError):
    """A framework option with a bad or missing value: the runner prints
    it on one line (``epython: ...``) and the program does not run."""


def require_cmod_version(version=minimal_cmod_version, cmod=None):
    """Return None if the C module is new enough, else a one-line message.

    ``version`` is ``major * 10000 + minor * 100 + patch``; ``cmod`` is the
    ``crash`` module (imported here when not given).
    """
    if cmod is None:
        import crash as cmod
    have = getattr(cmod, 'version_num', 0)
    if have >= version:
        return None
    return ('pykdump %s needs mpykdump C module %d.%d.%d or later, this is '
            '%s: rebuild mpykdump.so' % (
                __version__, version // 10000, version // 100 % 100,
                version % 100, getattr(cmod, 'version', '?')))

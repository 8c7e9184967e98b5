"""pykdump: post-mortem Linux kernel analysis in Python, inside crash.

Programs import ``pykdump.API``; this package file only carries versions
and the table of options every program accepts (the runner and the API
both need it), so that importing it does no crash work.
"""

__all__ = ['__version__', 'API_VERSION', 'minimal_cmod_version',
           'require_cmod_version', 'FRAMEWORK_OPTIONS', 'OptionError']

#: Version of the Python API (what programs see).
__version__ = '3.6.0'
API_VERSION = __version__

#: The oldest C module (crash.version_num) this package works with.
minimal_cmod_version = 100


#: Options every program accepts (docs/user-guide.md): name -> kind of
#: value, None for a flag. ``int`` values must be >= the given minimum.
FRAMEWORK_OPTIONS = {
    '--maxel': ('int', 1), '--timeout': ('int', 1), '--usens': ('int', 0),
    '--debug': ('int', 0), '--ofile': ('path', None),
    '--experimental': None, '--reload': None, '--dumpcache': None,
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

"""pykdump: post-mortem Linux kernel analysis in Python, inside crash.

Programs import ``pykdump.API``; this package file only carries versions,
so that importing it does no crash work.
"""

__all__ = ['__version__', 'API_VERSION', 'minimal_cmod_version',
           'require_cmod_version']

#: Version of the Python API (what programs see).
__version__ = '3.6.0'
API_VERSION = __version__

#: The oldest C module (crash.version_num) this package works with.
minimal_cmod_version = 100


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

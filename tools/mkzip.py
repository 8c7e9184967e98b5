#!/usr/bin/env python3
"""Append pykdump/ (as .pyc) and progs/ (as sources) to the .so as a zip.

Usage: mkzip.py TARGET.so
zipimport reads a zip that follows other data, so the .so stays one file:
crash loads it with extend, Python imports from it once it is on sys.path.
Must run under the embedded Python's version (.pyc magic numbers differ).

The archive is reproducible: entries in name order, .pyc files hash-based
(no source mtime inside), and every entry dated SOURCE_DATE_EPOCH when it
is set (else the source file's own mtime).
"""
import glob
import os
import py_compile
import sys
import tempfile
import time
import zipfile


def _package_sources():
    """Return the .py files of pykdump and its subpackages, sorted."""
    found = []
    for path in glob.glob('pykdump/**/*.py', recursive=True):
        if os.path.isfile(os.path.join(os.path.dirname(path),
                                       '__init__.py')):
            found.append(path)
    return sorted(found)


def _date_time(path):
    """Return the zip date_time of an entry made from path."""
    epoch = os.environ.get('SOURCE_DATE_EPOCH')
    stamp = int(epoch) if epoch else int(os.path.getmtime(path))
    # zip cannot store dates before 1980
    return time.gmtime(max(stamp, 315532800))[:6]


def _add(zf, arcname, data, source):
    """Store data as arcname, dated after source."""
    info = zipfile.ZipInfo(arcname, _date_time(source))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _compiled(path, tmpdir):
    """Return the bytes of path compiled to an unchecked hash-based .pyc."""
    cfile = os.path.join(tmpdir, 'out.pyc')
    py_compile.compile(path, cfile=cfile, dfile=path, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.
                       UNCHECKED_HASH)
    with open(cfile, 'rb') as f:
        return f.read()


def main(argv):
    """Append the archive to argv[1]."""
    target = argv[1]
    progs = sorted(glob.glob('progs/*.py') + glob.glob('progs/*/*.py'))
    with tempfile.TemporaryDirectory() as tmpdir, \
            zipfile.ZipFile(target, 'a') as zf:
        for path in _package_sources():
            _add(zf, path + 'c', _compiled(path, tmpdir), path)
        for path in progs:
            with open(path, 'rb') as f:
                _add(zf, path, f.read(), path)
    size = os.path.getsize(target)
    print('%s: %d bytes with the zip' % (target, size))


if __name__ == '__main__':
    main(sys.argv)

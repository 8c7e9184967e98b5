#!/usr/bin/env python3
"""Append pykdump/ (as .pyc) and progs/ (as sources) to the .so as a zip.

Usage: mkzip.py TARGET.so
zipimport reads a zip that follows other data, so the .so stays one file:
crash loads it with extend, Python imports from it once it is on sys.path.
Must run under the embedded Python's version (.pyc magic numbers differ).
"""
import glob
import os
import sys
import zipfile


def main(argv):
    """Append the archive to argv[1]."""
    target = argv[1]
    with zipfile.PyZipFile(target, 'a', optimize=0) as zf:
        zf.writepy('pykdump')
        for path in sorted(glob.glob('progs/*.py')):
            zf.write(path, path)
        for path in sorted(glob.glob('progs/*/*.py')):
            zf.write(path, path)
    size = os.path.getsize(target)
    print('%s: %d bytes with the zip' % (target, size))


if __name__ == '__main__':
    main(sys.argv)

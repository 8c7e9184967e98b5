# SPDX-License-Identifier: GPL-2.0-or-later
"""Sphinx configuration of the mpykdump reference (``make docs``).

pykdump is imported for autodoc outside crash, with the stand-in ``crash``
module of _ext/crashstub.py; the program pages are written into
build/docs/progs by _ext/progpages.py from the programs' own parsers.
"""

import contextlib
import io
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [TOP, os.path.join(TOP, 'docs', '_ext'),
                os.path.join(TOP, 'tools')]

import crashstub  # noqa: E402

sys.modules.setdefault('crash', crashstub.make_module(
    os.path.join(TOP, 'src', 'py')))
# Importing it prints and runs nothing (the per-run lifecycle is the
# runner's); kept quiet anyway, as a module's import may print.
with contextlib.redirect_stdout(io.StringIO()):
    import pykdump.API  # noqa: E402,F401

with open(os.path.join(TOP, 'VERSION'), encoding='utf-8') as _f:
    release = version = _f.read().strip()

project = 'mpykdump'
author = 'the mpykdump authors'
copyright = 'the mpykdump authors; GPL-2.0-or-later'
extensions = ['sphinx.ext.autodoc', 'myst_parser', 'progpages',
              'exportdata']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
root_doc = 'index'
exclude_patterns = ['_build', '_ext']
# Reproducible output: no build date, fixed timestamps in man pages.
html_last_updated_fmt = None
html_theme = 'alabaster'
html_static_path = []
autodoc_member_order = 'bysource'
autodoc_default_options = {'members': True, 'undoc-members': True}
myst_heading_anchors = 3
suppress_warnings = ['myst.xref_missing']

man_pages = [('man', 'mpykdump', 'Python programs inside the crash '
              'dump analyser', [author], 7)]
man_show_urls = False
